// Regular files through the system calls: openat, read and write at the open description's
// offset (shared by dup and fork, C6), O_APPEND, O_TRUNC, EOF, as a shell's redirections use them.
import { describe, expect, it } from 'vitest';
import { Kernel, O_APPEND, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, Vfs, type Syscall, type Tid } from '../src/index.js';
import { call, errno, fork, ok, page } from './kernel-helpers.js';

const open = (path: string, flags: number): Syscall => ({ name: 'openat', dirfd: -100, path, flags, mode: 0o666 });
const read = (fd: number, buf: bigint, count: bigint): Syscall => ({ name: 'read', fd, buf, count });
const write = (fd: number, buf: bigint | Uint8Array, count: bigint): Syscall => ({ name: 'write', fd, buf, count });
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function manifestFs(): Vfs {
  return Vfs.fromManifest([
    { path: '/bin/sh', kind: 'file', mode: '0755', exec: 'elf' },
    { path: '/w/input.txt', kind: 'file', mode: '0644', exec: 'none', size: 10, content: '0123456789' },
  ]);
}

/** A kernel over the manifest, its root process running in /w. */
function boot(options: { memory?: 'model' | 'none' } = {}): { k: Kernel; root: Tid; fs: Vfs } {
  const fs = manifestFs();
  const k = new Kernel({ fs, ...options });
  const root = k.spawn({ path: '/bin/sh', argv: ['sh'], cwd: '/w' });
  return { k, root, fs };
}

/** Reads up to `n` bytes from fd; the text read ('' at EOF). */
function readText(k: Kernel, tid: Tid, fd: number, n: number): string {
  const buf = page(k, tid);
  const got = ok(k, tid, read(fd, buf, BigInt(n)));
  const r = k.memory(tid).read(buf, got);
  if (!r.ok) throw new Error(r.errno);
  return new TextDecoder().decode(r.value);
}

describe('regular files through openat/read/write', () => {
  it('C6: a forked child and its parent share the description, so the child\'s read moves the parent\'s offset', () => {
    const { k, root } = boot();
    const fd = ok(k, root, open('input.txt', O_RDONLY));
    expect(readText(k, root, fd, 2)).toBe('01');
    const child = fork(k, root);
    expect(readText(k, child, fd, 4)).toBe('2345');
    expect(readText(k, root, fd, 100)).toBe('6789');
    // At the end: 0, for both.
    expect(readText(k, root, fd, 100)).toBe('');
    expect(readText(k, child, fd, 100)).toBe('');
  });

  it('dup2 shares the offset; a second open has its own', () => {
    const { k, root } = boot();
    const fd = ok(k, root, open('/w/input.txt', O_RDONLY));
    ok(k, root, { name: 'dup2', oldfd: fd, newfd: 0 });
    expect(readText(k, root, 0, 3)).toBe('012');
    expect(readText(k, root, fd, 3)).toBe('345');
    const other = ok(k, root, open('/w/input.txt', O_RDONLY));
    expect(readText(k, root, other, 3)).toBe('012');
  });

  it('`cat < input.txt > out.txt; echo gamma >> out.txt; cat out.txt`: O_TRUNC creates it empty, O_APPEND writes at the end', () => {
    const { k, root, fs } = boot();
    const input = ok(k, root, open('input.txt', O_RDONLY));
    const out = ok(k, root, open('out.txt', O_WRONLY | O_CREAT | O_TRUNC));
    const data = readText(k, root, input, 8192);
    expect(ok(k, root, write(out, text(data), BigInt(data.length)))).toBe(10);
    ok(k, root, { name: 'close', fd: out });
    const append = ok(k, root, open('out.txt', O_WRONLY | O_CREAT | O_APPEND));
    expect(ok(k, root, write(append, text('gamma\n'), 6n))).toBe(6);
    const back = ok(k, root, open('out.txt', O_RDONLY));
    expect(readText(k, root, back, 8192)).toBe('0123456789gamma\n');
    expect(readText(k, root, back, 8192)).toBe('');
    // O_TRUNC again empties it; O_CREAT|O_EXCL of it is EEXIST.
    ok(k, root, open('out.txt', O_RDWR | O_TRUNC));
    expect(fs.lookup('/w/out.txt', '/')).toMatchObject({ kind: 'found', node: { kind: 'file', mode: null } });
    expect(readText(k, root, ok(k, root, open('out.txt', O_RDONLY)), 10)).toBe('');
    expect(errno(k, root, open('out.txt', O_WRONLY | O_CREAT | O_EXCL))).toBe('EEXIST');
  });

  it('/dev/null opened with O_CREAT|O_TRUNC stays the device (no regular file is made there)', () => {
    const { k, root, fs } = boot();
    const fd = ok(k, root, open('/dev/null', O_WRONLY | O_CREAT | O_TRUNC));
    expect(ok(k, root, write(fd, text('x'), 1n))).toBe(1);
    expect(fs.lookup('/dev/null', '/').kind).toBe('unknown');
    expect(readText(k, root, ok(k, root, open('/dev/null', O_RDONLY)), 10)).toBe('');
  });

  it('a replay (memory none) reads what the manifest recorded, until an open for writing makes it unknown (not modelled)', () => {
    const { k, root, fs } = boot({ memory: 'none' });
    const fd = ok(k, root, open('input.txt', O_RDONLY));
    const r = call(k, root, read(fd, 0n, 4n));
    expect(r).toMatchObject({ kind: 'done', value: 4n });
    ok(k, root, open('input.txt', O_WRONLY | O_APPEND));
    expect(errno(k, root, read(fd, 0n, 4n))).toBe('ENOSYS');
    expect(k.events.some((e) => e.type === 'unmodeled' && e.call === 'read')).toBe(true);
    // Nor is a file it creates known: other calls of the recording may have written it.
    const out = ok(k, root, open('out.txt', O_RDWR | O_CREAT | O_TRUNC));
    expect(errno(k, root, read(out, 0n, 4n))).toBe('ENOSYS');
    expect(fs.lookup('/w/out.txt', '/').kind).toBe('unknown');
  });
});
