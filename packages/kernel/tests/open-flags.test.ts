// The status flags an open gives its file, as F_GETFL reports them afterwards. No catalogue id
// covers them; the oracle is fs/open.c: SYSCALL_DEFINE4(openat) (and open, creat, openat2) add
// O_LARGEFILE when force_o_largefile() holds — always on x86-64 — before build_open_flags strips
// O_CLOEXEC and narrows an O_PATH open, and do_dentry_open drops the open-time-only flags.
// Real x86-64 strace shows it: openat(…, O_RDONLY|O_NOCTTY|O_NONBLOCK|O_NOFOLLOW|O_CLOEXEC) = 3,
// then fcntl(3, F_GETFL) = 0x28800 (O_RDONLY|O_NONBLOCK|O_LARGEFILE|O_NOFOLLOW).
import { spawnSync } from 'node:child_process';
import { arch, platform } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { Kernel, Tid } from '../src/index.js';
import { boot, ok } from './kernel-helpers.js';

const O_WRONLY = 0o1;
const O_RDWR = 0o2;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
const O_NOCTTY = 0o400;
const O_TRUNC = 0o1000;
const O_APPEND = 0o2000;
const O_NONBLOCK = 0o4000;
const O_LARGEFILE = 0o100000;
const O_DIRECTORY = 0o200000;
const O_NOFOLLOW = 0o400000;
const O_CLOEXEC = 0o2000000;
const O_PATH = 0o10000000;
const F_GETFL = 3;
const F_SETFL = 4;

function openGetfl(k: Kernel, tid: Tid, flags: number): number {
  const fd = ok(k, tid, { name: 'openat', dirfd: -100, path: '/tmp/f', flags, mode: 0o644 });
  return ok(k, tid, { name: 'fcntl', fd, cmd: F_GETFL, arg: 0n });
}

describe('open status flags (fs/open.c build_open_flags, force_o_largefile)', () => {
  it('openat adds O_LARGEFILE on x86-64 and keeps O_NONBLOCK and O_NOFOLLOW (tar: 0x28800)', () => {
    const { k, root } = boot();
    expect(openGetfl(k, root, O_NOCTTY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)).toBe(0x28800);
  });

  it('a plain O_RDONLY open reads back as O_LARGEFILE alone (dash/bash script fd: 0x8000)', () => {
    const { k, root } = boot();
    expect(openGetfl(k, root, 0)).toBe(O_LARGEFILE);
  });

  it('O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC and O_CLOEXEC are not status flags', () => {
    const { k, root } = boot();
    const got = openGetfl(k, root, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC | O_APPEND);
    expect(got).toBe(O_WRONLY | O_APPEND | O_LARGEFILE);
  });

  it('an O_PATH open keeps only O_DIRECTORY, O_NOFOLLOW and O_PATH (no O_LARGEFILE, no access mode)', () => {
    const { k, root } = boot();
    expect(openGetfl(k, root, O_PATH | O_RDWR | O_NONBLOCK | O_DIRECTORY | O_NOFOLLOW)).toBe(O_PATH | O_DIRECTORY | O_NOFOLLOW);
  });

  it('F_SETFL cannot clear O_LARGEFILE (not in SETFL_MASK), and dup shares it', () => {
    const { k, root } = boot();
    const fd = ok(k, root, { name: 'openat', dirfd: -100, path: '/tmp/f', flags: O_RDWR, mode: 0 });
    ok(k, root, { name: 'fcntl', fd, cmd: F_SETFL, arg: BigInt(O_NONBLOCK) });
    const copy = ok(k, root, { name: 'dup', oldfd: fd });
    expect(ok(k, root, { name: 'fcntl', fd: copy, cmd: F_GETFL, arg: 0n })).toBe(O_RDWR | O_NONBLOCK | O_LARGEFILE);
  });
});

/** F_GETFL after a real open of /tmp with each flag set, through python (x86-64 Linux only). */
function linuxGetfl(flagSets: readonly number[]): number[] | null {
  if (platform() !== 'linux' || arch() !== 'x64') return null;
  const script = [
    'import os, fcntl, sys',
    'for f in sys.argv[1:]:',
    "    fd = os.open('/tmp', int(f))",
    '    print(fcntl.fcntl(fd, fcntl.F_GETFL))',
    '    os.close(fd)',
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, ...flagSets.map(String)], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return r.stdout.trim().split('\n').map(Number);
}

describe('open status flags against the running Linux (differential)', () => {
  // Every subset of the flags a directory open may carry (the O_PATH ones too).
  const bits = [O_NONBLOCK, O_NOFOLLOW, O_DIRECTORY, O_CLOEXEC, O_NOCTTY, O_APPEND, O_PATH];
  const sets = Array.from({ length: 1 << bits.length }, (_, m) => bits.reduce((acc, b, i) => ((m >> i) & 1 ? acc | b : acc), 0));
  const real = linuxGetfl(sets);
  it.skipIf(real === null)('F_GETFL matches Linux for all 128 flag combinations (skipped: needs python3 on x86-64 Linux)', () => {
    const { k, root } = boot();
    const model = sets.map((flags) => {
      const fd = ok(k, root, { name: 'openat', dirfd: -100, path: '/tmp', flags, mode: 0 });
      const got = ok(k, root, { name: 'fcntl', fd, cmd: F_GETFL, arg: 0n });
      ok(k, root, { name: 'close', fd });
      return got;
    });
    expect(model).toEqual(real);
  });
});
