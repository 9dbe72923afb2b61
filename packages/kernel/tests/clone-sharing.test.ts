// Section C of the catalogue: what fork/clone share, copy and inherit.
import { describe, expect, it } from 'vitest';
import { CLONE, P_PIDFD, PR, SIGNALS, SIG_BLOCK, WAIT, type Kernel, type Tid } from '../src/index.js';
import { bitOf, boot, call, errno, exit, fork, ok, page, sigaction, sigmask, wait4 } from './kernel-helpers.js';

const { SIGCHLD, SIGUSR1, SIGUSR2 } = SIGNALS;
const SIGCHLD_N = BigInt(SIGCHLD);
const THREAD = CLONE.VM | CLONE.FS | CLONE.FILES | CLONE.SIGHAND | CLONE.THREAD | CLONE.SYSVSEM;

function clone(k: Kernel, tid: Tid, flags: bigint, extra: { parent_tid?: bigint; child_tid?: bigint } = {}): Tid {
  return ok(k, tid, { name: 'clone', flags, stack: 0x7000_0000n, parent_tid: extra.parent_tid ?? 0n, child_tid: extra.child_tid ?? 0n, tls: 0n });
}

function pipe(k: Kernel, tid: Tid): [number, number] {
  const r = call(k, tid, { name: 'pipe2', pipefd: page(k, tid), flags: 0 });
  if (r.kind !== 'done' || !r.out?.fds) throw new Error('pipe2 failed');
  return [r.out.fds[0], r.out.fds[1]];
}

describe('C. fork/clone resource sharing and inheritance', () => {
  it('C1 FORK-RETURNS', () => {
    const { k, root } = boot();
    const child = fork(k, root);
    expect(child).toBeGreaterThan(0);
    expect(ok(k, child, { name: 'getpid' })).toBe(child);
    expect(ok(k, child, { name: 'getppid' })).toBe(root);
    const c2 = clone(k, root, SIGCHLD_N);
    expect(ok(k, c2, { name: 'getpid' })).toBe(c2);
  });

  it('C2 FORK-EXITCODE', () => {
    const { k, root } = boot();
    const a = fork(k, root);
    const b = fork(k, root);
    exit(k, a, 123);
    exit(k, b, 1);
    expect(wait4(k, root, -1)).toMatchObject({ kind: 'done', value: BigInt(a), out: { status: 123 << 8 } });
    expect(wait4(k, root, -1)).toMatchObject({ kind: 'done', value: BigInt(b), out: { status: 1 << 8 } });
  });

  it('C3 FORK-PRIVATE-MEMORY', () => {
    const { k, root } = boot();
    const priv = page(k, root);
    const shared = ok(k, root, { name: 'mmap', addr: 0n, length: 4096n, prot: 3, flags: 0x21, fd: -1, offset: 0n });
    const child = fork(k, root);
    const grandchild = fork(k, child);
    k.memory(grandchild).writeU32(priv, 2);
    k.memory(child).writeU32(priv, 1);
    expect(k.memory(root).readU32(priv)).toEqual({ ok: true, value: 0 });
    expect(k.memory(child).readU32(priv)).toEqual({ ok: true, value: 1 });
    expect(k.memory(grandchild).readU32(priv)).toEqual({ ok: true, value: 2 });
    k.memory(grandchild).writeU32(BigInt(shared), 77);
    expect(k.memory(root).readU32(BigInt(shared))).toEqual({ ok: true, value: 77 });
  });

  it('C4 CLONE_VM-SHARES-MEMORY', () => {
    const { k, root } = boot();
    const global = page(k, root);
    const child = clone(k, root, CLONE.VM | CLONE.FS | CLONE.FILES | CLONE.SIGHAND | SIGCHLD_N);
    k.memory(child).writeU32(global, 9);
    expect(k.memory(root).readU32(global)).toEqual({ ok: true, value: 9 });
    exit(k, child, 0);
    expect(wait4(k, root, child).kind).toBe('done');
  });

  it('C5 CLONE_FILES-SHARES-TABLE', () => {
    const { k, root } = boot();
    const [r] = pipe(k, root);
    const shared = clone(k, root, CLONE.FILES | SIGCHLD_N);
    ok(k, shared, { name: 'close', fd: r });
    expect(errno(k, root, { name: 'read', fd: r, buf: 0n, count: 1n })).toBe('EBADF');
    const [r2] = pipe(k, root);
    const copy = fork(k, root);
    ok(k, copy, { name: 'close', fd: r2 });
    expect(ok(k, root, { name: 'fcntl', fd: r2, cmd: 1, arg: 0n })).toBe(0);
  });

  it('C6 FORK-SHARES-OPEN-FILE-DESCRIPTION (status flags)', () => {
    const { k, root } = boot();
    const [, w] = pipe(k, root);
    const child = fork(k, root);
    expect(k.files(child).get(w)).toBe(k.files(root).get(w));
    ok(k, child, { name: 'fcntl', fd: w, cmd: 4, arg: 0o4000n });
    expect(ok(k, root, { name: 'fcntl', fd: w, cmd: 3, arg: 0n }) & 0o4000).toBe(0o4000);
  });

  it('C7 CLONE_FS-SHARES-CWD', () => {
    const { k, root } = boot();
    const shared = clone(k, root, CLONE.FS | SIGCHLD_N);
    ok(k, shared, { name: 'chdir', path: '/tmp' });
    ok(k, shared, { name: 'umask', mask: 0o027 });
    expect(k.task(root)).toMatchObject({ cwd: '/tmp', umask: 0o027 });
    const separate = fork(k, root);
    ok(k, separate, { name: 'chdir', path: '/' });
    expect(k.task(root)?.cwd).toBe('/tmp');
  });

  it('C8 CLONE_SIGHAND-SHARES-HANDLERS', () => {
    const { k, root } = boot();
    const child = clone(k, root, CLONE.SIGHAND | CLONE.VM | SIGCHLD_N);
    sigaction(k, child, SIGUSR2, 0x40_2000n);
    ok(k, child, { name: 'kill', pid: ok(k, child, { name: 'getppid' }), sig: SIGUSR2 });
    expect(k.signalFrames(root)).toMatchObject([{ signo: SIGUSR2, handler: 0x40_2000n }]);
  });

  it('C9 CLONE_CLEAR_SIGHAND', () => {
    const { k, root } = boot();
    sigaction(k, root, SIGUSR1, 0x40_1000n);
    sigaction(k, root, SIGUSR2, 'SIG_IGN');
    const child = ok(k, root, { name: 'clone3', args: { flags: CLONE.CLEAR_SIGHAND, exit_signal: SIGCHLD_N }, size: 88n });
    const query = (tid: Tid, sig: number) => call(k, tid, { name: 'rt_sigaction', sig, act: 0n, oldact: 0n, sigsetsize: 8n });
    expect(query(child, SIGUSR1)).toMatchObject({ out: { oldact: { handler: 'SIG_DFL' } } });
    expect(query(child, SIGUSR2)).toMatchObject({ out: { oldact: { handler: 'SIG_IGN' } } });
    expect(query(root, SIGUSR1)).toMatchObject({ out: { oldact: { handler: 0x40_1000n } } });
  });

  it('C10 CLONE_THREAD-SEMANTICS', () => {
    const { k, root } = boot();
    const tid = clone(k, root, CLONE.THREAD | CLONE.SIGHAND | CLONE.VM | CLONE.CHILD_CLEARTID | SIGCHLD_N);
    expect(ok(k, tid, { name: 'getpid' })).toBe(root);
    expect(ok(k, tid, { name: 'gettid' })).toBe(tid);
    expect(k.task(tid)?.exitSignal).toBe(-1);
    expect(errno(k, root, { name: 'wait4', pid: tid, status: 0n, options: WAIT.__WALL, rusage: 0n })).toBe('ECHILD');
  });

  it('C11 CHILD_CLEARTID-FUTEX (thread exit, CLONE_VM child, and exec)', () => {
    const { k, root } = boot();
    const ctid = page(k, root);
    const t = clone(k, root, THREAD | CLONE.CHILD_CLEARTID | CLONE.CHILD_SETTID, { child_tid: ctid });
    expect(k.memory(root).readU32(ctid)).toEqual({ ok: true, value: t });
    expect(call(k, root, { name: 'futex', uaddr: ctid, op: 0, val: t, timeout: 0n }).kind).toBe('blocked');
    expect(call(k, t, { name: 'exit', status: 0 }).kind).toBe('gone');
    expect(k.completion(root)).toEqual({ kind: 'done', value: 0n });
    expect(k.memory(root).readU32(ctid)).toEqual({ ok: true, value: 0 });
    // A CLONE_VM process child that execs clears it too (mm_release on exec).
    const ctid2 = ctid + 8n;
    const c = clone(k, root, CLONE.VM | CLONE.CHILD_CLEARTID | CLONE.CHILD_SETTID | SIGCHLD_N, { child_tid: ctid2 });
    expect(k.memory(root).readU32(ctid2)).toEqual({ ok: true, value: c });
    expect(call(k, c, { name: 'execve', path: '/bin/true', argv: ['true'], envp: [] }).kind).toBe('done');
    expect(k.memory(root).readU32(ctid2)).toEqual({ ok: true, value: 0 });
  });

  it('C12 CHILD_SETTID (no CLONE_VM: the child copy only)', () => {
    const { k, root } = boot();
    const ctid = page(k, root);
    const child = clone(k, root, CLONE.CHILD_SETTID | SIGCHLD_N, { child_tid: ctid });
    expect(k.memory(child).readU32(ctid)).toEqual({ ok: true, value: child });
    expect(k.memory(root).readU32(ctid)).toEqual({ ok: true, value: 0 });
  });

  it('C13 PARENT_SETTID (clone and clone3)', () => {
    const { k, root } = boot();
    const ptid = page(k, root);
    const child = clone(k, root, CLONE.PARENT_SETTID | SIGCHLD_N, { parent_tid: ptid });
    expect(k.memory(root).readU32(ptid)).toEqual({ ok: true, value: child });
    const c3 = ok(k, root, { name: 'clone3', args: { flags: CLONE.PARENT_SETTID, parent_tid: ptid + 4n, exit_signal: SIGCHLD_N }, size: 88n });
    expect(k.memory(root).readU32(ptid + 4n)).toEqual({ ok: true, value: c3 });
  });

  it('C14 CLONE_PARENT', () => {
    const { k, root: a } = boot();
    const b = fork(k, a);
    const c = ok(k, b, { name: 'clone', flags: CLONE.PARENT | BigInt(SIGUSR1), stack: 0n, parent_tid: 0n, child_tid: 0n, tls: 0n });
    expect(ok(k, c, { name: 'getppid' })).toBe(a);
    expect(errno(k, b, { name: 'wait4', pid: c, status: 0n, options: WAIT.__WALL, rusage: 0n })).toBe('ECHILD');
    sigaction(k, a, SIGUSR1, 0x40_1000n);
    sigaction(k, a, SIGCHLD, 0x40_2000n);
    exit(k, c, 5);
    expect(k.signalFrames(a).map((f) => f.signo)).toEqual([SIGCHLD]);
    expect(wait4(k, a, c)).toMatchObject({ kind: 'done', out: { status: 5 << 8 } });
  });

  it('C15 SIGALTSTACK-INHERITANCE', () => {
    const { k, root } = boot();
    ok(k, root, { name: 'sigaltstack', ss: { sp: 0x7100_0000n, flags: 0, size: 0x4000n }, old_ss: 0n });
    const query = (tid: Tid) => call(k, tid, { name: 'sigaltstack', ss: 0n, old_ss: 0n });
    const forked = fork(k, root);
    expect(query(forked)).toMatchObject({ out: { altstack: { sp: 0x7100_0000n, size: 0x4000n, flags: 0 } } });
    const vmChild = clone(k, root, CLONE.VM | SIGCHLD_N);
    expect(query(vmChild)).toMatchObject({ out: { altstack: { flags: 2 } } });
    const r = call(k, root, { name: 'clone', flags: CLONE.VM | CLONE.VFORK | SIGCHLD_N, stack: 0n, parent_tid: 0n, child_tid: 0n, tls: 0n });
    if (r.kind !== 'blocked' || r.on.kind !== 'vfork') throw new Error('expected a vfork wait');
    expect(query(r.on.child)).toMatchObject({ out: { altstack: { sp: 0x7100_0000n, flags: 0 } } });
    expect(errno(k, forked, { name: 'sigaltstack', ss: { sp: 0x1000n, flags: 0, size: 100n }, old_ss: 0n })).toBe('ENOMEM');
    expect(errno(k, forked, { name: 'sigaltstack', ss: { sp: 0x1000n, flags: 7, size: 0x4000n }, old_ss: 0n })).toBe('EINVAL');
  });

  it('C16 FORK-NOT-INHERITED (alarm, pending, pdeathsig, subreaper)', () => {
    const { k, root } = boot();
    expect(ok(k, root, { name: 'alarm', seconds: 5 })).toBe(0);
    const noAlarm = fork(k, root);
    expect(ok(k, noAlarm, { name: 'alarm', seconds: 1 })).toBe(0);
    // The child's alarm fires in the child only.
    sigaction(k, root, SIGNALS.SIGALRM, 0x40_3000n);
    expect(k.advanceClock()).toBe(true);
    expect(k.now()).toBe(1_000_000_000n);
    expect(k.task(noAlarm)?.state).toBe('zombie');
    expect(k.process(noAlarm)?.status).toBe(SIGNALS.SIGALRM);
    expect(k.signalFrames(root)).toHaveLength(0);
    expect(ok(k, root, { name: 'alarm', seconds: 0 })).toBe(4);
    sigmask(k, root, SIG_BLOCK, bitOf(SIGUSR1));
    ok(k, root, { name: 'kill', pid: root, sig: SIGUSR1 });
    ok(k, root, { name: 'prctl', option: PR.SET_PDEATHSIG, arg2: 9n });
    ok(k, root, { name: 'prctl', option: PR.SET_CHILD_SUBREAPER, arg2: 1n });
    const child = fork(k, root);
    expect(k.task(child)?.pending).toBe(0n);
    expect(call(k, child, { name: 'prctl', option: PR.GET_PDEATHSIG, arg2: 0n })).toMatchObject({ kind: 'error', errno: 'EFAULT' });
    const word = page(k, child);
    expect(call(k, child, { name: 'prctl', option: PR.GET_PDEATHSIG, arg2: word })).toMatchObject({ kind: 'done', out: { value: 0n } });
    expect(call(k, child, { name: 'prctl', option: PR.GET_CHILD_SUBREAPER, arg2: word })).toMatchObject({ out: { value: 0n } });
    const thread = clone(k, root, THREAD);
    const w2 = page(k, root);
    expect(call(k, thread, { name: 'prctl', option: PR.GET_CHILD_SUBREAPER, arg2: w2 })).toMatchObject({ out: { value: 1n } });
  });

  it('C17 FORK-INHERITED (signal mask, environment)', () => {
    const { k } = boot();
    const root = k.spawn({ path: '/bin/env', argv: ['env'], envp: ['A=1', 'B=2'] });
    sigmask(k, root, SIG_BLOCK, bitOf(SIGUSR2));
    const child = fork(k, root);
    expect(k.task(child)?.sigmask).toBe(bitOf(SIGUSR2));
    expect(k.task(child)?.argv).toEqual(['env']);
  });

  it('C18 PIDFD-PROPERTIES', () => {
    const { k, root } = boot();
    const p = page(k, root);
    const child = ok(k, root, { name: 'clone3', args: { flags: CLONE.PIDFD, pidfd: p, exit_signal: SIGCHLD_N }, size: 88n });
    const r = k.memory(root).readU32(p);
    if (!r.ok) throw new Error('pidfd not written');
    const pidfd = r.value;
    expect(ok(k, root, { name: 'fcntl', fd: pidfd, cmd: 1, arg: 0n })).toBe(1);
    expect(ok(k, root, { name: 'fcntl', fd: pidfd, cmd: 3, arg: 0n }) & 3).toBe(2);
    exit(k, child, 42);
    expect(ok(k, root, { name: 'pidfd_send_signal', pidfd, sig: 0, info: 0n, flags: 0 })).toBe(0);
    const w = call(k, root, { name: 'waitid', idtype: P_PIDFD, id: pidfd, infop: 0n, options: WAIT.WEXITED, rusage: 0n });
    expect(w).toMatchObject({ kind: 'done', value: 0n, out: { siginfo: { pid: child, status: 42, code: 1 } } });
    expect(errno(k, root, { name: 'pidfd_send_signal', pidfd, sig: 0, info: 0n, flags: 0 })).toBe('ESRCH');
    expect(errno(k, root, { name: 'pidfd_send_signal', pidfd: 1, sig: 0, info: 0n, flags: 0 })).toBe('EBADF');
  });

  it.skip('C19 CLONE_NEWPID-CHILD (skipped: pid namespaces are not modelled; reported as unmodeled, B33)', () => {});

  it('C20 CLONE3-AS-FORK', () => {
    const { k, root } = boot();
    const child = ok(k, root, { name: 'clone3', args: { exit_signal: SIGCHLD_N }, size: 88n });
    expect(ok(k, child, { name: 'getppid' })).toBe(root);
    exit(k, child, 0);
    expect(wait4(k, root, child)).toMatchObject({ kind: 'done', value: BigInt(child) });
  });
});
