// Section D of the catalogue: execve / execveat.
import { describe, expect, it } from 'vitest';
import { AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, CLONE, SIGNALS, SIG_BLOCK, WAIT, type Kernel, type Tid } from '../src/index.js';
import { bitOf, boot, call, errno, execve, exit, fork, ok, page, sigaction, sigmask, standardFs, wait4 } from './kernel-helpers.js';

const { SIGCHLD, SIGUSR1, SIGUSR2, SIGTERM, SIGHUP } = SIGNALS;
const O_CLOEXEC = 0o2000000;
const O_DIRECTORY = 0o200000;
const THREAD = CLONE.VM | CLONE.FS | CLONE.FILES | CLONE.SIGHAND | CLONE.THREAD | CLONE.SYSVSEM;

function fsWithScripts() {
  const vfs = standardFs();
  vfs.writeFile('/usr/local/bin/script', { kind: 'script', head: '#!/bin/sh foo bar\n' }, { mode: 0o755 });
  vfs.writeFile('/usr/local/bin/noint', { kind: 'script', head: '#!/nonexistent/interp\n' }, { mode: 0o755 });
  vfs.writeFile('/usr/local/bin/nointerp', { kind: 'script', head: '#!\n\n' }, { mode: 0o755 });
  vfs.writeFile('/usr/local/bin/empty', { kind: 'empty' }, { mode: 0o755 });
  vfs.writeFile('/usr/local/bin/text', { kind: 'text' }, { mode: 0o755 });
  vfs.writeFile('/usr/local/bin/noexec', { kind: 'elf' }, { mode: 0o644 });
  vfs.writeFile('/usr/local/bin/a-very-long-program-name', { kind: 'elf' }, { mode: 0o755 });
  return vfs;
}

function execErr(k: Kernel, tid: Tid, path: string): string {
  return errno(k, tid, { name: 'execve', path, argv: [path], envp: [] });
}

/** Writes a NULL-terminated pointer array of C strings into a fresh page and returns its address. */
function putArgv(k: Kernel, tid: Tid, strings: readonly string[]): bigint {
  const base = page(k, tid);
  const mm = k.memory(tid);
  let at = base + 512n;
  strings.forEach((s, i) => {
    mm.write(at, new TextEncoder().encode(s + '\0'));
    mm.writeU64(base + BigInt(i) * 8n, at);
    at += BigInt(s.length + 1);
  });
  mm.writeU64(base + BigInt(strings.length) * 8n, 0n);
  return base;
}

describe('D. execve / execveat', () => {
  it('D1 EXEC-ARGV-ENV', () => {
    const { k, root } = boot({ fs: standardFs() });
    const argv = putArgv(k, root, ['/bin/true', 'canary']);
    const envp = putArgv(k, root, ['LTP_TEST_ENV_VAR=test']);
    expect(call(k, root, { name: 'execve', path: '/bin/true', argv, envp }).kind).toBe('done');
    expect(k.task(root)).toMatchObject({ argv: ['/bin/true', 'canary'], envp: ['LTP_TEST_ENV_VAR=test'], exe: '/bin/true' });
  });

  it('D2 EXEC-EMPTY-ARGV', () => {
    for (const argv of [[], 0n] as const) {
      const { k, root } = boot({ fs: standardFs() });
      expect(call(k, root, { name: 'execve', path: '/bin/true', argv, envp: [] }).kind).toBe('done');
      expect(k.task(root)?.argv).toEqual(['']);
    }
  });

  it('D3 EXEC-ENOENT', () => {
    const { k, root } = boot({ fs: fsWithScripts() });
    expect(execErr(k, root, '/nonexistent')).toBe('ENOENT');
    expect(execErr(k, root, '')).toBe('ENOENT');
    expect(execErr(k, root, '/usr/local/bin/noint')).toBe('ENOENT');
    expect(k.events.filter((e) => e.type === 'exec-failed')).toHaveLength(3);
    // Even without a filesystem model (outcomes adopted), "" is ENOENT.
    const bare = boot();
    expect(execErr(bare.k, bare.root, '')).toBe('ENOENT');
    expect(call(bare.k, bare.root, { name: 'execve', path: '/any/thing', argv: [], envp: [] }).kind).toBe('done');
    expect(bare.k.events.find((e) => e.type === 'exec')).toMatchObject({ adopted: true });
  });

  it('D4 EXEC-EACCES', () => {
    const { k, root } = boot({ fs: fsWithScripts() });
    expect(execErr(k, root, '/usr/local/bin/noexec')).toBe('EACCES');
    expect(execErr(k, root, '/tmp')).toBe('EACCES');
    expect(execErr(k, root, '/dev/null')).toBe('EACCES');
  });

  it('D5 EXEC-ENOEXEC', () => {
    const { k, root } = boot({ fs: fsWithScripts() });
    expect(execErr(k, root, '/usr/local/bin/empty')).toBe('ENOEXEC');
    expect(execErr(k, root, '/usr/local/bin/text')).toBe('ENOEXEC');
    expect(execErr(k, root, '/usr/local/bin/nointerp')).toBe('ENOEXEC');
  });

  it('D6 EXEC-ENOTDIR', () => {
    const { k, root } = boot({ fs: standardFs() });
    expect(execErr(k, root, '/etc/passwd/fake')).toBe('ENOTDIR');
  });

  it('D7 EXEC-ENAMETOOLONG', () => {
    const { k, root } = boot({ fs: standardFs() });
    expect(execErr(k, root, `/tmp/${'x'.repeat(256)}`)).toBe('ENAMETOOLONG');
  });

  it('D8 EXEC-EFAULT', () => {
    const { k, root } = boot({ fs: standardFs() });
    expect(errno(k, root, { name: 'execve', path: 0x1234_0000n, argv: [], envp: [] })).toBe('EFAULT');
    expect(errno(k, root, { name: 'execve', path: '/bin/true', argv: 0x1234_0000n, envp: [] })).toBe('EFAULT');
    const argv = page(k, root);
    k.memory(root).writeU64(argv, 0x1234_0000n);
    expect(errno(k, root, { name: 'execve', path: '/bin/true', argv, envp: [] })).toBe('EFAULT');
    expect(k.task(root)?.exe).toBe('/bin/sh');
  });

  it('D9 EXEC-E2BIG', () => {
    const { k, root } = boot({ fs: standardFs() });
    expect(errno(k, root, { name: 'execve', path: '/bin/true', argv: ['true', 'x'.repeat(131072)], envp: [] })).toBe('E2BIG');
    const many = Array.from({ length: 40 }, () => 'y'.repeat(131071));
    expect(errno(k, root, { name: 'execve', path: '/bin/true', argv: ['true', ...many], envp: [] })).toBe('E2BIG');
    expect(call(k, root, { name: 'execve', path: '/bin/true', argv: ['true', 'x'.repeat(131071)], envp: [] }).kind).toBe('done');
  });

  it('D10 EXEC-ELOOP', () => {
    const vfs = standardFs();
    vfs.symlink('/tmp/l0', '/bin/true');
    for (let i = 1; i <= 41; i++) vfs.symlink(`/tmp/l${i}`, `/tmp/l${i - 1}`);
    const { k, root } = boot({ fs: vfs });
    expect(execErr(k, root, '/tmp/l40')).toBe('ELOOP');
    expect(call(k, root, { name: 'execve', path: '/tmp/l39', argv: [], envp: [] }).kind).toBe('done');
  });

  it('D11 EXEC-ETXTBSY', () => {
    const { k, root } = boot({ fs: standardFs() });
    const writer = fork(k, root);
    const fd = ok(k, writer, { name: 'openat', dirfd: -100, path: '/bin/cat', flags: 1, mode: 0 });
    expect(execErr(k, root, '/bin/cat')).toBe('ETXTBSY');
    ok(k, writer, { name: 'close', fd });
    ok(k, writer, { name: 'openat', dirfd: -100, path: '/bin/cat', flags: 0, mode: 0 });
    expect(execve(k, root, '/bin/cat').kind).toBe('done');
  });

  it('D12 EXEC-CONCURRENT', () => {
    const { k, root } = boot({ fs: standardFs() });
    const kids = Array.from({ length: 8 }, () => fork(k, root));
    for (const c of kids) expect(execve(k, c, '/bin/sleep').kind).toBe('done');
    for (const c of kids) exit(k, c, 0);
    for (const c of kids) expect(wait4(k, root, c)).toMatchObject({ kind: 'done', out: { status: 0 } });
  });

  it('D13 EXEC-CLOEXEC', () => {
    const { k, root } = boot({ fs: standardFs() });
    const keep = ok(k, root, { name: 'openat', dirfd: -100, path: '/etc/passwd', flags: 0, mode: 0 });
    const drop = ok(k, root, { name: 'openat', dirfd: -100, path: '/etc/passwd', flags: O_CLOEXEC, mode: 0 });
    const fds = page(k, root);
    ok(k, root, { name: 'pipe2', pipefd: fds, flags: O_CLOEXEC });
    execve(k, root, '/bin/true');
    expect(errno(k, root, { name: 'fcntl', fd: drop, cmd: 3, arg: 0n })).toBe('EBADF');
    expect(k.task(root)?.fds).toEqual([0, 1, 2, keep]);
  });

  it('D14 EXEC-STATUS-PIPE-PATTERN', () => {
    for (const path of ['/bin/true', '/nonexistent']) {
      const { k, root } = boot({ fs: standardFs() });
      const fdsAt = page(k, root);
      ok(k, root, { name: 'pipe2', pipefd: fdsAt, flags: O_CLOEXEC });
      const [r, w] = [0, 4].map((o) => (k.memory(root).readU32(fdsAt + BigInt(o)) as { ok: true; value: number }).value) as [number, number];
      const child = fork(k, root);
      ok(k, root, { name: 'close', fd: w });
      const buf = page(k, root);
      const read = call(k, root, { name: 'read', fd: r, buf, count: 4n });
      expect(read.kind).toBe('blocked');
      const result = call(k, child, { name: 'execve', path, argv: [path], envp: [] });
      if (result.kind === 'error') {
        ok(k, child, { name: 'write', fd: w, buf: new Uint8Array([2, 0, 0, 0]), count: 4n });
        exit(k, child, 127);
        expect(k.completion(root)).toMatchObject({ kind: 'done', value: 4n });
        expect(k.memory(root).readU32(buf)).toEqual({ ok: true, value: 2 });
        expect(wait4(k, root, child)).toMatchObject({ out: { status: 127 << 8 } });
      } else {
        // The exec closed the CLOEXEC write end: EOF.
        expect(k.completion(root)).toEqual({ kind: 'done', value: 0n });
      }
    }
  });

  it('D15 EXEC-SIGNAL-DISPOSITIONS', () => {
    const { k, root } = boot({ fs: standardFs() });
    sigaction(k, root, SIGUSR1, 0x40_1000n);
    sigaction(k, root, SIGUSR2, 'SIG_IGN', 0x10000000n, bitOf(SIGTERM));
    sigaction(k, root, SIGCHLD, 'SIG_IGN');
    sigaction(k, root, SIGTERM, 'SIG_DFL', 0x10000000n, bitOf(SIGUSR1));
    sigmask(k, root, SIG_BLOCK, bitOf(SIGTERM) | bitOf(SIGHUP));
    ok(k, root, { name: 'kill', pid: root, sig: SIGHUP });
    execve(k, root, '/bin/true');
    const q = (sig: number) => call(k, root, { name: 'rt_sigaction', sig, act: 0n, oldact: 0n, sigsetsize: 8n });
    expect(q(SIGUSR1)).toMatchObject({ out: { oldact: { handler: 'SIG_DFL' } } });
    // flush_signal_handlers clears flags and masks too, ignored or not.
    expect(q(SIGUSR2)).toMatchObject({ out: { oldact: { handler: 'SIG_IGN', flags: 0n, mask: 0n } } });
    expect(q(SIGTERM)).toMatchObject({ out: { oldact: { handler: 'SIG_DFL', flags: 0n, mask: 0n } } });
    expect(q(SIGCHLD)).toMatchObject({ out: { oldact: { handler: 'SIG_IGN' } } });
    expect(k.task(root)?.sigmask).toBe(bitOf(SIGTERM) | bitOf(SIGHUP));
    expect(k.task(root)?.pending).toBe(bitOf(SIGHUP));
  });

  it('D16 EXEC-ITIMER-PRESERVED', () => {
    const { k, root } = boot({ fs: standardFs() });
    const r = call(k, root, { name: 'setitimer', which: 0, value: { interval: { sec: 0n, usec: 0n }, value: { sec: 3n, usec: 0n } }, ovalue: 0n });
    expect(r.kind).toBe('done');
    execve(k, root, '/bin/sleep');
    expect(call(k, root, { name: 'setitimer', which: 0, value: 0n, ovalue: 0n })).toMatchObject({ out: { itimer: { value: 3_000_000_000n } } });
    expect(call(k, root, { name: 'pause' }).kind).toBe('blocked');
    expect(k.advanceClock()).toBe(true);
    expect(k.now()).toBe(3_000_000_000n);
    expect(k.events.find((e) => e.type === 'process-exit' && e.tgid === root)).toMatchObject({ status: SIGNALS.SIGALRM });
  });

  it('D17 EXEC-ALTSTACK-CLEARED', () => {
    const { k, root } = boot({ fs: standardFs() });
    ok(k, root, { name: 'sigaltstack', ss: { sp: 0x7100_0000n, flags: 0, size: 0x4000n }, old_ss: 0n });
    execve(k, root, '/bin/true');
    expect(call(k, root, { name: 'sigaltstack', ss: 0n, old_ss: 0n })).toMatchObject({ out: { altstack: { sp: 0n, size: 0n, flags: 2 } } });
  });

  it('D18 EXEC-EXIT-SIGNAL-RESET', () => {
    const { k, root } = boot({ fs: standardFs() });
    sigaction(k, root, SIGCHLD, 0x40_1000n);
    sigaction(k, root, SIGUSR1, 0x40_2000n);
    const child = ok(k, root, { name: 'clone3', args: { exit_signal: BigInt(SIGUSR1) }, size: 88n });
    expect(errno(k, root, { name: 'wait4', pid: child, status: 0n, options: WAIT.WNOHANG, rusage: 0n })).toBe('ECHILD');
    execve(k, child, '/bin/sleep');
    expect(ok(k, root, { name: 'wait4', pid: child, status: 0n, options: WAIT.WNOHANG, rusage: 0n })).toBe(0);
    exit(k, child, 0);
    expect(k.signalFrames(root).map((f) => f.signo)).toEqual([SIGCHLD]);
  });

  it('D19 EXEC-FROM-THREADS (leader, then non-leader)', () => {
    for (const from of ['leader', 'thread'] as const) {
      const { k, root } = boot({ fs: standardFs() });
      const proc = fork(k, root);
      const sibling = ok(k, proc, { name: 'clone', flags: THREAD, stack: 0x7000_0000n, parent_tid: 0n, child_tid: 0n, tls: 0n });
      const execer = from === 'leader' ? proc : sibling;
      expect(execve(k, execer, '/bin/true').kind).toBe('done');
      expect(k.process(proc)?.threads).toEqual([proc]);
      const ev = k.events.find((e) => e.type === 'exec');
      expect(ev).toMatchObject({ tid: proc, tgid: proc, formerTid: execer });
      expect(ok(k, proc, { name: 'gettid' })).toBe(proc);
      exit(k, proc, 42);
      expect(wait4(k, root, proc)).toMatchObject({ kind: 'done', value: BigInt(proc), out: { status: 42 << 8 } });
    }
  });

  it('D20 EXEC-COMM-AND-EXECFN', () => {
    const { k, root } = boot({ fs: fsWithScripts() });
    ok(k, root, { name: 'chdir', path: '/usr/local' });
    execve(k, root, 'bin/a-very-long-program-name');
    expect(k.task(root)).toMatchObject({ comm: 'a-very-long-pro', exe: 'bin/a-very-long-program-name' });
    execve(k, root, '/usr/local/bin/script');
    expect(k.task(root)?.comm).toBe('script');
  });

  it('D21 EXEC-SCRIPT-ARGV', () => {
    const { k, root } = boot({ fs: fsWithScripts() });
    execve(k, root, '/usr/local/bin/script', ['script', 'x']);
    expect(k.task(root)?.argv).toEqual(['/bin/sh', 'foo bar', '/usr/local/bin/script', 'x']);
    ok(k, root, { name: 'chdir', path: '/usr/local' });
    expect(call(k, root, { name: 'execve', path: 'bin/script', argv: [], envp: [] }).kind).toBe('done');
    expect(k.task(root)?.argv).toEqual(['/bin/sh', 'foo bar', 'bin/script']);
    const ev = k.events.filter((e) => e.type === 'exec').at(-1);
    expect(ev).toMatchObject({ interpreters: ['/bin/sh'] });
  });

  it('D22 EXECVEAT-VARIANTS', () => {
    const { k, root } = boot({ fs: standardFs() });
    const bin = ok(k, root, { name: 'openat', dirfd: -100, path: '/bin', flags: O_DIRECTORY, mode: 0 });
    const c1 = fork(k, root);
    expect(call(k, c1, { name: 'execveat', dirfd: bin, path: 'true', argv: ['true'], envp: [], flags: 0 }).kind).toBe('done');
    const c2 = fork(k, root);
    expect(call(k, c2, { name: 'execveat', dirfd: -1, path: '/bin/true', argv: ['true'], envp: [], flags: 0 }).kind).toBe('done');
    const c3 = fork(k, root);
    const file = ok(k, c3, { name: 'openat', dirfd: -100, path: '/bin/true', flags: 0, mode: 0 });
    expect(call(k, c3, { name: 'execveat', dirfd: file, path: '', argv: ['true'], envp: [], flags: AT_EMPTY_PATH }).kind).toBe('done');
    expect(k.task(c3)?.exe).toBe(`/dev/fd/${file}`);
    const c4 = fork(k, root);
    ok(k, c4, { name: 'chdir', path: '/bin' });
    expect(call(k, c4, { name: 'execveat', dirfd: -100, path: 'true', argv: ['true'], envp: [], flags: 0 }).kind).toBe('done');
  });

  it('D23 EXECVEAT-ERRORS', () => {
    const vfs = standardFs();
    vfs.symlink('/tmp/link', '/bin/true');
    const { k, root } = boot({ fs: vfs });
    const at = (dirfd: number, path: string, flags: number) =>
      errno(k, root, { name: 'execveat', dirfd, path, argv: ['x'], envp: [], flags });
    expect(at(-1, '', AT_EMPTY_PATH)).toBe('EBADF');
    expect(at(-100, '/bin/true', 0xffff)).toBe('EINVAL');
    expect(at(-100, '/tmp/link', AT_SYMLINK_NOFOLLOW)).toBe('ELOOP');
    const file = ok(k, root, { name: 'openat', dirfd: -100, path: '/etc/passwd', flags: 0, mode: 0 });
    expect(at(file, 'true', 0)).toBe('ENOTDIR');
    expect(at(-100, '', 0)).toBe('ENOENT');
    const dir = ok(k, root, { name: 'openat', dirfd: -100, path: '/tmp', flags: O_DIRECTORY, mode: 0 });
    expect(at(dir, '', AT_EMPTY_PATH)).toBe('EACCES');
  });

  it('D24 EXEC-SETPGID-AFTER-EXEC', () => {
    const { k, root } = boot({ fs: standardFs() });
    const a = fork(k, root);
    expect(ok(k, root, { name: 'setpgid', pid: a, pgid: a })).toBe(0);
    const b = fork(k, root);
    execve(k, b, '/bin/true');
    expect(errno(k, root, { name: 'setpgid', pid: b, pgid: b })).toBe('EACCES');
  });

  it('D25 EXEC-PROC-SELF-EXE (the image identity changes; /proc itself is not modelled)', () => {
    const { k, root } = boot({ fs: standardFs() });
    expect(k.task(root)?.exe).toBe('/bin/sh');
    execve(k, root, '/bin/cat');
    expect(k.task(root)?.exe).toBe('/bin/cat');
  });

  it.skip('D26 EXEC-SUID (skipped: credentials other than one uid are not modelled)', () => {});
});
