// Section F of the catalogue at the system-call level: pipe2/read/write/close/fcntl with
// blocking, EOF, EPIPE + SIGPIPE and O_NONBLOCK, across processes and threads.
import { describe, expect, it } from 'vitest';
import { CLONE, SIGNALS, type Kernel, type Tid } from '../src/index.js';
import { boot, call, errno, exit, fork, ms, ok, page, runUntilDone, sigaction, sleep, wait4 } from './kernel-helpers.js';

const { SIGPIPE } = SIGNALS;
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;
const O_DIRECT = 0o40000;
const F_GETFD = 1;
const F_GETFL = 3;
const F_SETFL = 4;
const F_SETPIPE_SZ = 1031;
const F_GETPIPE_SZ = 1032;
const CAP = 65536;

function pipe(k: Kernel, tid: Tid, flags = 0): [number, number] {
  const r = call(k, tid, { name: 'pipe2', pipefd: page(k, tid), flags });
  if (r.kind !== 'done' || !r.out?.fds) throw new Error(`pipe2 failed: ${JSON.stringify(r.kind)}`);
  return [r.out.fds[0], r.out.fds[1]];
}

function write(k: Kernel, tid: Tid, fd: number, bytes: Uint8Array) {
  return call(k, tid, { name: 'write', fd, buf: bytes, count: BigInt(bytes.length) });
}

function read(k: Kernel, tid: Tid, fd: number, count: number) {
  return call(k, tid, { name: 'read', fd, buf: page(k, tid), count: BigInt(count) });
}

function sigpipes(k: Kernel): number {
  return k.events.filter((e) => e.type === 'signal-sent' && e.info.signo === SIGPIPE).length;
}

const text = (s: string) => new TextEncoder().encode(s);

describe('F. pipes through the system calls', () => {
  it('F1 PIPE-BASIC', () => {
    const { k, root } = boot();
    const [r, w] = pipe(k, root);
    const data = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff);
    expect(write(k, root, w, data)).toEqual({ kind: 'done', value: 5000n });
    const got = read(k, root, r, 8192);
    expect(got.kind).toBe('done');
    if (got.kind === 'done') expect(got.out?.data).toEqual(data);
  });

  it('F2 PIPE-ENDS-ACCESSMODE', () => {
    const { k, root } = boot();
    const [r, w] = pipe(k, root);
    expect(ok(k, root, { name: 'fcntl', fd: r, cmd: F_GETFL, arg: 0n }) & 3).toBe(0);
    expect(ok(k, root, { name: 'fcntl', fd: w, cmd: F_GETFL, arg: 0n }) & 3).toBe(1);
    expect(write(k, root, r, text('x'))).toEqual({ kind: 'error', errno: 'EBADF' });
    expect(read(k, root, w, 1)).toEqual({ kind: 'error', errno: 'EBADF' });
  });

  it('F3 PIPE-EOF (data first, then 0; all blocked readers woken)', () => {
    const { k, root } = boot();
    const [r, w] = pipe(k, root);
    write(k, root, w, text('abcdefghijklmnopqrstuvwxyz'));
    ok(k, root, { name: 'close', fd: w });
    expect(read(k, root, r, 100)).toMatchObject({ kind: 'done', value: 26n });
    expect(read(k, root, r, 100)).toEqual({ kind: 'done', value: 0n });

    for (const n of [2, 10, 27, 100]) {
      const [r2, w2] = pipe(k, root);
      const readers = Array.from({ length: n }, () => fork(k, root));
      for (const c of readers) {
        ok(k, c, { name: 'close', fd: w2 });
        expect(read(k, c, r2, 1).kind).toBe('blocked');
      }
      ok(k, root, { name: 'close', fd: w2 });
      for (const c of readers) expect(k.completion(c)).toEqual({ kind: 'done', value: 0n });
      for (const c of readers) call(k, c, { name: 'exit_group', status: 0 });
      for (const c of readers) expect(call(k, root, { name: 'wait4', pid: c, status: 0n, options: 0, rusage: 0n }).kind).toBe('done');
      ok(k, root, { name: 'close', fd: r2 });
    }
  });

  it('F4 PIPE-EOF-NEEDS-ALL-WRITERS', () => {
    const { k, root } = boot();
    const [r, w] = pipe(k, root);
    const child = fork(k, root);
    sleep(k, child, 300);
    ok(k, root, { name: 'close', fd: w });
    expect(read(k, root, r, 1).kind).toBe('blocked');
    runUntilDone(k, child);
    expect(k.completion(root)).toBeUndefined();
    exit(k, child, 0);
    expect(k.completion(root)).toEqual({ kind: 'done', value: 0n });
    expect(k.now()).toBe(ms(300));
  });

  it('F5 PIPE-EPIPE-SIGPIPE (handler, default, non-blocking)', () => {
    const { k, root } = boot();
    sigaction(k, root, SIGPIPE, 0x40_1000n);
    const [r, w] = pipe(k, root);
    ok(k, root, { name: 'close', fd: r });
    expect(write(k, root, w, text('x'))).toEqual({ kind: 'error', errno: 'EPIPE' });
    expect(k.signalFrames(root).map((f) => f.signo)).toEqual([SIGPIPE]);
    // sigreturn restores the interrupted write's -EPIPE.
    expect(call(k, root, { name: 'rt_sigreturn' })).toEqual({ kind: 'error', errno: 'EPIPE' });
    expect(sigpipes(k)).toBe(1);
    const [r2, w2] = pipe(k, root, O_NONBLOCK);
    ok(k, root, { name: 'close', fd: r2 });
    expect(write(k, root, w2, text('x'))).toEqual({ kind: 'error', errno: 'EPIPE' });
    expect(sigpipes(k)).toBe(2);
    // sigreturn restores the interrupted write's -EPIPE.
    expect(call(k, root, { name: 'rt_sigreturn' })).toEqual({ kind: 'error', errno: 'EPIPE' });
    // Default disposition: the writer dies of SIGPIPE.
    const child = fork(k, root);
    sigaction(k, child, SIGPIPE, 'SIG_DFL');
    write(k, child, w, text('x'));
    expect(k.task(child)?.state).toBe('zombie');
    expect(wait4(k, root, child)).toMatchObject({ out: { status: SIGPIPE } });
  });

  it('F6 PIPE-BLOCKED-WRITE-EPIPE', () => {
    const { k, root } = boot();
    sigaction(k, root, SIGPIPE, 0x40_1000n);
    const [r, w] = pipe(k, root);
    const reader = fork(k, root);
    ok(k, root, { name: 'close', fd: r });
    expect(write(k, root, w, new Uint8Array(CAP))).toEqual({ kind: 'done', value: BigInt(CAP) });
    expect(write(k, root, w, text('more')).kind).toBe('blocked');
    ok(k, reader, { name: 'close', fd: r });
    expect(k.completion(root)).toEqual({ kind: 'error', errno: 'EPIPE' });
    expect(k.signalFrames(root).map((f) => f.signo)).toEqual([SIGPIPE]);
    expect(sigpipes(k)).toBe(1);
  });

  it('F7 PIPE-PARTIAL-WRITE-THEN-EPIPE', () => {
    const { k, root } = boot();
    sigaction(k, root, SIGPIPE, 0x40_1000n);
    const [r, w] = pipe(k, root);
    const reader = fork(k, root);
    ok(k, root, { name: 'close', fd: r });
    sleep(k, reader, 100);
    expect(write(k, root, w, new Uint8Array(2 * CAP)).kind).toBe('blocked');
    runUntilDone(k, reader);
    ok(k, reader, { name: 'close', fd: r });
    expect(k.completion(root)).toEqual({ kind: 'done', value: BigInt(CAP) });
    expect(sigpipes(k)).toBe(1);
    ok(k, root, { name: 'rt_sigreturn' });
    expect(write(k, root, w, text('x'))).toEqual({ kind: 'error', errno: 'EPIPE' });
    expect(sigpipes(k)).toBe(2);
  });

  it('F8 PIPE-NONBLOCK', () => {
    const { k, root } = boot();
    const [r, w] = pipe(k, root, O_NONBLOCK);
    expect(read(k, root, r, 1)).toEqual({ kind: 'error', errno: 'EAGAIN' });
    expect(write(k, root, w, new Uint8Array(CAP + 100))).toEqual({ kind: 'done', value: BigInt(CAP) });
    expect(write(k, root, w, text('x'))).toEqual({ kind: 'error', errno: 'EAGAIN' });
    const [r2, w2] = pipe(k, root);
    ok(k, root, { name: 'fcntl', fd: r2, cmd: F_SETFL, arg: BigInt(O_NONBLOCK) });
    ok(k, root, { name: 'close', fd: w2 });
    expect(read(k, root, r2, 1)).toEqual({ kind: 'done', value: 0n });
    expect(r).not.toBe(r2);
  });

  it('F9 PIPE-SHARED-FILE-FLAGS', () => {
    const { k, root } = boot();
    const [, w] = pipe(k, root, O_NONBLOCK);
    write(k, root, w, new Uint8Array(CAP));
    const child = fork(k, root);
    const fl = ok(k, child, { name: 'fcntl', fd: w, cmd: F_GETFL, arg: 0n });
    ok(k, child, { name: 'fcntl', fd: w, cmd: F_SETFL, arg: BigInt(fl & ~O_NONBLOCK) });
    expect(ok(k, root, { name: 'fcntl', fd: w, cmd: F_GETFL, arg: 0n }) & O_NONBLOCK).toBe(0);
    expect(write(k, child, w, text('x')).kind).toBe('blocked');
    expect(k.task(child)?.blockedOn).toMatchObject({ kind: 'pipe-write' });
    ok(k, root, { name: 'kill', pid: child, sig: SIGNALS.SIGKILL });
    expect(wait4(k, root, child)).toMatchObject({ out: { status: 9 } });
  });

  it('F10 PIPE2-FLAGS', () => {
    const { k, root } = boot();
    const [r, w] = pipe(k, root, O_CLOEXEC);
    expect(ok(k, root, { name: 'fcntl', fd: r, cmd: F_GETFD, arg: 0n })).toBe(1);
    expect(ok(k, root, { name: 'fcntl', fd: w, cmd: F_GETFD, arg: 0n })).toBe(1);
    const [r2, w2] = pipe(k, root, O_NONBLOCK);
    expect(ok(k, root, { name: 'fcntl', fd: r2, cmd: F_GETFL, arg: 0n }) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(ok(k, root, { name: 'fcntl', fd: w2, cmd: F_GETFL, arg: 0n }) & O_NONBLOCK).toBe(O_NONBLOCK);
    const [, w3] = pipe(k, root, O_DIRECT);
    expect(ok(k, root, { name: 'fcntl', fd: w3, cmd: F_GETFL, arg: 0n }) & O_DIRECT).toBe(O_DIRECT);
    expect(errno(k, root, { name: 'pipe2', pipefd: page(k, root), flags: 0xdead })).toBe('EINVAL');
  });

  it('F11 PIPE-ERRORS', () => {
    const { k, root } = boot({ nofile: 8 });
    expect(errno(k, root, { name: 'pipe', pipefd: 0x1234_0000n })).toBe('EFAULT');
    expect(k.task(root)?.fds).toEqual([0, 1, 2]);
    pipe(k, root);
    pipe(k, root);
    expect(k.task(root)?.fds).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(errno(k, root, { name: 'pipe2', pipefd: page(k, root), flags: 0 })).toBe('EMFILE');
    expect(k.task(root)?.fds).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('F12 PIPE-ZERO-LEN', () => {
    const { k, root } = boot();
    const [r, w] = pipe(k, root);
    expect(call(k, root, { name: 'write', fd: w, buf: 0n, count: 0n })).toEqual({ kind: 'done', value: 0n });
    expect(call(k, root, { name: 'read', fd: r, buf: 0n, count: 0n })).toEqual({ kind: 'done', value: 0n });
  });

  it('F13 PIPE-CLOSE-DURING-READ', () => {
    const { k, root } = boot();
    const [r, w] = pipe(k, root);
    const t2 = ok(k, root, { name: 'clone', flags: CLONE.VM | CLONE.FS | CLONE.FILES | CLONE.SIGHAND | CLONE.THREAD, stack: 0x7000_0000n, parent_tid: 0n, child_tid: 0n, tls: 0n });
    expect(read(k, root, r, 10).kind).toBe('blocked');
    ok(k, t2, { name: 'close', fd: r });
    expect(write(k, t2, w, text('hi'))).toEqual({ kind: 'done', value: 2n });
    expect(k.completion(root)).toMatchObject({ kind: 'done', value: 2n });
  });

  it('F14 PIPE-MULTI-WRITER/READER', () => {
    const { k, root } = boot();
    const [r, w] = pipe(k, root);
    const kids = Array.from({ length: 4 }, () => fork(k, root));
    kids.forEach((c, i) => write(k, c, w, new Uint8Array(1024).fill(i + 1)));
    for (const c of kids) exit(k, c, 0);
    ok(k, root, { name: 'close', fd: w });
    const got = read(k, root, r, 8192);
    expect(got).toMatchObject({ kind: 'done', value: 4096n });
    if (got.kind === 'done') for (let i = 0; i < 4; i++) expect(got.out?.data?.[i * 1024]).toBe(i + 1);
    const [r2, w2] = pipe(k, root);
    write(k, root, w2, new Uint8Array(4096).fill(9));
    const readers = Array.from({ length: 4 }, () => fork(k, root));
    for (const c of readers) expect(read(k, c, r2, 1024)).toMatchObject({ kind: 'done', value: 1024n });
  });

  it('F15 PIPE-SIZE', () => {
    const { k, root } = boot();
    const [r, w] = pipe(k, root);
    expect(ok(k, root, { name: 'fcntl', fd: r, cmd: F_GETPIPE_SZ, arg: 0n })).toBe(CAP);
    expect(ok(k, root, { name: 'fcntl', fd: w, cmd: F_SETPIPE_SZ, arg: 5000n })).toBe(8192);
    expect(ok(k, root, { name: 'fcntl', fd: r, cmd: F_GETPIPE_SZ, arg: 0n })).toBe(8192);
    expect(ok(k, root, { name: 'fcntl', fd: r, cmd: F_SETPIPE_SZ, arg: 0n })).toBe(4096);
  });

  it('a reader killed or interrupted while blocked lets go of the pipe (writers then get EPIPE)', () => {
    const { k, root } = boot();
    sigaction(k, root, SIGPIPE, 'SIG_IGN');
    const [r, w] = pipe(k, root);
    const killed = fork(k, root);
    const interrupted = fork(k, root);
    sigaction(k, interrupted, SIGNALS.SIGUSR1, 0x40_1000n);
    ok(k, root, { name: 'close', fd: r });
    for (const c of [killed, interrupted]) {
      ok(k, c, { name: 'close', fd: w });
      expect(read(k, c, r, 1).kind).toBe('blocked');
    }
    ok(k, root, { name: 'kill', pid: killed, sig: SIGNALS.SIGKILL });
    ok(k, root, { name: 'kill', pid: interrupted, sig: SIGNALS.SIGUSR1 });
    expect(k.completion(interrupted)).toEqual({ kind: 'error', errno: 'ERESTARTSYS', restarts: false });
    ok(k, interrupted, { name: 'close', fd: r });
    expect(write(k, root, w, text('x'))).toEqual({ kind: 'error', errno: 'EPIPE' });
  });
});
