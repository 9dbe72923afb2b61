// /proc/<pid>/stat synthesized from the task table (option procfs), checked field by field against
// fs/proc/array.c do_task_stat: "pid (comm) state ppid pgrp session tty_nr tpgid …", 52 fields.
// No linux-semantics.md id covers /proc stat; the kernel source is the reference.
import { describe, expect, it } from 'vitest';
import { CLONE, Kernel, O_RDONLY, O_WRONLY, SIGNALS as S, SIG_BLOCK, type Syscall, type Tid } from '../src/index.js';
import { bitOf, boot, call, errno, execve, exit, ok, page, sigaction, sigmask, standardFs, wait4 } from './kernel-helpers.js';

/** Guest bytes a test reads back (a fault here is a bug in the test). */
function bytesAt(k: Kernel, tid: Tid, addr: bigint, n: number): Uint8Array {
  const r = k.memory(tid).read(addr, n);
  if (!r.ok) throw new Error(`read back at ${addr}: ${r.errno}`);
  return r.value;
}

const open = (path: string, flags = O_RDONLY): Syscall => ({ name: 'openat', dirfd: -100, path, flags, mode: 0 });

/** Reads a whole stat file through fd with reads of `chunk` bytes, as a program would. */
function readAll(k: Kernel, tid: Tid, fd: number, chunk = 4096): string {
  const buf = page(k, tid);
  let text = '';
  for (let i = 0; i < 10_000; i++) {
    const n = ok(k, tid, { name: 'read', fd, buf, count: BigInt(chunk) });
    if (n === 0) return text;
    text += new TextDecoder().decode(bytesAt(k, tid, buf, n));
  }
  throw new Error('no EOF');
}

/** The fields of a stat line, 1-based as proc(5) numbers them (comm without its parentheses). */
function fields(line: string): string[] {
  expect(line.endsWith('\n')).toBe(true);
  const open = line.indexOf(' (');
  const close = line.lastIndexOf(') ');
  const out = ['', line.slice(0, open), line.slice(open + 2, close), ...line.slice(close + 2, -1).split(' ')];
  expect(out.length).toBe(53);
  return out;
}

const stat = (k: Kernel, reader: Tid, path: string): string[] => fields(readAll(k, reader, ok(k, reader, open(path))));

describe('/proc/<pid>/stat (fs/proc/array.c do_task_stat)', () => {
  it('/proc/self/stat of a running process: pid, (comm), R, ppid, pgrp, session, no tty, 52 fields', () => {
    const { k, root } = boot({ procfs: true });
    const child = ok(k, root, { name: 'fork' });
    ok(k, child, { name: 'setsid' });
    const f = stat(k, child, '/proc/self/stat');
    expect(f.slice(1, 9)).toEqual([String(child), 'sh', 'R', String(root), String(child), String(child), '0', '-1']);
    expect(f[18]).toBe('20'); // priority of nice 0
    expect(f[20]).toBe('1'); // num_threads
    expect(f[25]).toBe('18446744073709551615'); // rsslim: RLIMIT_RSS is infinite
    expect(f[38]).toBe(String(S.SIGCHLD)); // exit_signal
    expect(f[35]).toBe('0'); // wchan: running
    expect(f[52]).toBe('0');
  });

  it('the state letter follows the task: S asleep in a pipe read, D in a vfork wait, T stopped, Z a zombie', () => {
    const { k, root } = boot({ procfs: true });
    const fds = page(k, root);
    ok(k, root, { name: 'pipe2', pipefd: fds, flags: 0 });
    const reader = ok(k, root, { name: 'fork' });
    expect(call(k, reader, { name: 'read', fd: 3, buf: page(k, reader), count: 1n }).kind).toBe('blocked');
    const s = stat(k, root, `/proc/${reader}/stat`);
    expect([s[3], s[35]]).toEqual(['S', '1']);

    const stopped = ok(k, root, { name: 'fork' });
    ok(k, root, { name: 'kill', pid: stopped, sig: S.SIGSTOP });
    const t = stat(k, root, `/proc/${stopped}/stat`);
    expect([t[3], t[35]]).toEqual(['T', '1']);

    const parent = ok(k, root, { name: 'fork' });
    const v = call(k, parent, { name: 'vfork' });
    if (v.kind !== 'blocked' || v.on.kind !== 'vfork') throw new Error(`vfork: ${v.kind}`);
    const vchild = v.on.child;
    expect(stat(k, vchild, `/proc/${parent}/stat`)[3]).toBe('D');

    exit(k, vchild, 3);
    const z = stat(k, root, `/proc/${vchild}/stat`);
    // A zombie keeps its identity and shows its wait status as exit_code; it still counts one
    // thread and has a wait channel (checked against Linux 6.18: "Z … 1 … 768" for exit(3)).
    expect([z[1], z[3], z[4], z[20], z[35], z[52]]).toEqual([String(vchild), 'Z', String(parent), '1', '1', String(3 << 8)]);
  });

  it('comm follows exec; the signal fields are the first 31 signals of pending, blocked, ignored, caught', () => {
    const { k, root } = boot({ procfs: true, fs: standardFs() });
    const child = ok(k, root, { name: 'fork' });
    expect(execve(k, child, '/bin/cat').kind).toBe('done');
    sigaction(k, child, S.SIGINT, 'SIG_IGN');
    sigaction(k, child, S.SIGUSR1, 0x401000n);
    sigaction(k, child, 40, 0x401000n); // a real-time signal: masked out of the printed sets
    sigmask(k, child, SIG_BLOCK, bitOf(S.SIGTERM) | bitOf(S.SIGUSR2));
    ok(k, root, { name: 'kill', pid: child, sig: S.SIGUSR2 });
    const f = stat(k, root, `/proc/${child}/stat`);
    expect(f[2]).toBe('cat');
    // The SIGUSR2 the root sent is pending for the process (shared), not for the thread: field 31 is per thread.
    expect(f[31]).toBe('0');
    expect(f[32]).toBe(String(bitOf(S.SIGTERM) | bitOf(S.SIGUSR2)));
    expect(f[33]).toBe(String(bitOf(S.SIGINT)));
    expect(f[34]).toBe(String(bitOf(S.SIGUSR1)));
  });

  it('threads: num_threads counts them, /proc/<pid>/task/<tid>/stat and /proc/thread-self/stat name one', () => {
    const { k, root } = boot({ procfs: true });
    const flags = CLONE.VM | CLONE.FS | CLONE.FILES | CLONE.SIGHAND | CLONE.THREAD;
    const thread = ok(k, root, { name: 'clone', flags, stack: 0x7000_0000n, parent_tid: 0n, child_tid: 0n, tls: 0n });
    const other = ok(k, root, { name: 'fork' });
    expect(stat(k, root, '/proc/self/stat')[20]).toBe('2');
    const t = stat(k, root, `/proc/${root}/task/${thread}/stat`);
    expect([t[1], t[20], t[38]]).toEqual([String(thread), '2', '-1']);
    expect(stat(k, thread, '/proc/thread-self/stat')[1]).toBe(String(thread));
    expect(stat(k, thread, '/proc/self/stat')[1]).toBe(String(root));
    expect(errno(k, root, open(`/proc/${root}/task/${other}/stat`))).toBe('ENOENT');
  });

  it('a reaped pid is gone: open is ENOENT, and a file opened before reads ESRCH', () => {
    const { k, root } = boot({ procfs: true });
    const child = ok(k, root, { name: 'fork' });
    const fd = ok(k, root, open(`/proc/${child}/stat`));
    exit(k, child, 0);
    expect(wait4(k, root, child).kind).toBe('done');
    expect(errno(k, root, open(`/proc/${child}/stat`))).toBe('ENOENT');
    expect(errno(k, root, open(`/proc/${child}/status`))).toBe('ENOENT');
    expect(errno(k, root, { name: 'read', fd, buf: page(k, root), count: 100n })).toBe('ESRCH');
  });

  it('reads go on through the text made at the first read, byte by byte as a shell reads, then EOF', () => {
    const { k, root } = boot({ procfs: true });
    const whole = readAll(k, root, ok(k, root, open('/proc/self/stat')));
    const fd = ok(k, root, open(`/proc/${root}/stat`));
    const first = readAll(k, root, fd, 1);
    expect(first).toBe(whole);
    expect(ok(k, root, { name: 'read', fd, buf: page(k, root), count: 10n })).toBe(0);
  });

  it('opening for writing: EACCES unless root; root may open it and then cannot write (EINVAL)', () => {
    const user = boot({ procfs: true, uid: 1000 });
    expect(errno(user.k, user.root, open('/proc/self/stat', O_WRONLY))).toBe('EACCES');
    const { k, root } = boot({ procfs: true });
    const fd = ok(k, root, open('/proc/self/stat', O_WRONLY));
    expect(errno(k, root, { name: 'write', fd, buf: new Uint8Array(1), count: 1n })).toBe('EINVAL');
  });

  it('without the option (a replay naming recorded pids) /proc files stay opaque', () => {
    const { k, root } = boot();
    const fd = ok(k, root, open('/proc/99999/stat'));
    expect(errno(k, root, { name: 'read', fd, buf: page(k, root), count: 10n })).toBe('ENOSYS');
  });

  it('other /proc files of a live pid are opaque as before', () => {
    const { k, root } = boot({ procfs: true });
    const fd = ok(k, root, open('/proc/self/maps'));
    expect(errno(k, root, { name: 'read', fd, buf: page(k, root), count: 10n })).toBe('ENOSYS');
  });
});
