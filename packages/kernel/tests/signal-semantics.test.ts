// Signal behaviour around the catalogue: interruption codes and restarts, masks and pending
// sets, thread- vs process-directed signals, handler frames, stops, and the scheduler's order.
import { describe, expect, it } from 'vitest';
import { CLONE, SA, SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK, SIGNALS, type Kernel, type Tid } from '../src/index.js';
import { bitOf, boot, call, errno, fork, ok, page, reapedPipeline, runUntilDone, sigaction, sigmask, sleep } from './kernel-helpers.js';

const S = SIGNALS;
const THREAD = CLONE.VM | CLONE.FS | CLONE.FILES | CLONE.SIGHAND | CLONE.THREAD | CLONE.SYSVSEM;
const HANDLER = 0x40_1000n;

function thread(k: Kernel, tid: Tid): Tid {
  return ok(k, tid, { name: 'clone', flags: THREAD, stack: 0x7000_0000n, parent_tid: 0n, child_tid: 0n, tls: 0n });
}

describe('signal semantics', () => {
  it('a handled signal interrupts wait4 with ERESTARTSYS; SA_RESTART decides the restart', () => {
    for (const flags of [0n, SA.RESTART]) {
      const { k, root } = boot();
      sigaction(k, root, S.SIGUSR1, HANDLER, flags);
      fork(k, root);
      expect(call(k, root, { name: 'wait4', pid: -1, status: 0n, options: 0, rusage: 0n }).kind).toBe('blocked');
      expect(k.signalProcess(root, S.SIGUSR1)).toBe(true);
      expect(k.completion(root)).toEqual({ kind: 'error', errno: 'ERESTARTSYS', restarts: flags !== 0n });
      expect(k.signalFrames(root).map((f) => f.signo)).toEqual([S.SIGUSR1]);
      // The handler runs with the signal blocked; sigreturn restores the mask.
      expect(k.task(root)?.sigmask).toBe(bitOf(S.SIGUSR1));
      // …and the register: -EINTR, or wait4's number (61) to re-execute it under SA_RESTART.
      expect(call(k, root, { name: 'rt_sigreturn' })).toEqual(flags !== 0n ? { kind: 'done', value: 61n } : { kind: 'error', errno: 'EINTR' });
      expect(k.task(root)?.sigmask).toBe(0n);
    }
  });

  it('pause returns ERESTARTNOHAND (EINTR to the program) and nanosleep ERESTART_RESTARTBLOCK', () => {
    const { k, root } = boot();
    sigaction(k, root, S.SIGUSR1, HANDLER, SA.RESTART);
    expect(call(k, root, { name: 'pause' }).kind).toBe('blocked');
    k.signalProcess(root, S.SIGUSR1);
    expect(k.completion(root)).toEqual({ kind: 'error', errno: 'ERESTARTNOHAND', restarts: false });
    expect(call(k, root, { name: 'rt_sigreturn' })).toEqual({ kind: 'error', errno: 'EINTR' });
    sleep(k, root, 1000);
    k.signalProcess(root, S.SIGUSR1);
    expect(k.completion(root)).toEqual({ kind: 'error', errno: 'ERESTART_RESTARTBLOCK', restarts: false });
  });

  it('a stop interrupts a sleeper with a restarting code; SIGCONT resumes it', () => {
    const { k, root } = boot();
    const child = fork(k, root);
    sleep(k, child, 1000);
    ok(k, root, { name: 'kill', pid: child, sig: S.SIGSTOP });
    expect(k.task(child)?.state).toBe('stopped');
    ok(k, root, { name: 'kill', pid: child, sig: S.SIGCONT });
    expect(k.completion(child)).toEqual({ kind: 'error', errno: 'ERESTART_RESTARTBLOCK', restarts: true });
    expect(k.task(child)?.state).toBe('ready');
  });

  it('a blocked signal stays pending and is taken when unblocked', () => {
    const { k, root } = boot();
    sigaction(k, root, S.SIGUSR2, HANDLER);
    sigmask(k, root, SIG_BLOCK, bitOf(S.SIGUSR2));
    ok(k, root, { name: 'kill', pid: root, sig: S.SIGUSR2 });
    ok(k, root, { name: 'kill', pid: root, sig: S.SIGUSR2 });
    expect(k.signalFrames(root)).toHaveLength(0);
    expect(k.task(root)?.pending).toBe(bitOf(S.SIGUSR2));
    sigmask(k, root, SIG_UNBLOCK, bitOf(S.SIGUSR2));
    // Standard signals do not queue: one delivery for two sends.
    expect(k.signalFrames(root).map((f) => f.signo)).toEqual([S.SIGUSR2]);
    ok(k, root, { name: 'rt_sigreturn' });
    expect(k.signalFrames(root)).toHaveLength(0);
  });

  it('real-time signals queue every instance', () => {
    const { k, root } = boot();
    const rt = 40;
    sigaction(k, root, rt, HANDLER);
    sigmask(k, root, SIG_BLOCK, bitOf(rt));
    for (let i = 0; i < 3; i++) ok(k, root, { name: 'kill', pid: root, sig: rt });
    sigmask(k, root, SIG_SETMASK, 0n);
    let deliveries = 0;
    while (k.signalFrames(root).length > 0) {
      deliveries++;
      ok(k, root, { name: 'rt_sigreturn' });
    }
    expect(deliveries).toBe(3);
  });

  it('SIGKILL and SIGSTOP cannot be caught, ignored or blocked', () => {
    const { k, root } = boot();
    expect(errno(k, root, { name: 'rt_sigaction', sig: S.SIGKILL, act: { handler: 'SIG_IGN', flags: 0n, mask: 0n }, oldact: 0n, sigsetsize: 8n })).toBe('EINVAL');
    expect(errno(k, root, { name: 'rt_sigaction', sig: S.SIGSTOP, act: { handler: HANDLER, flags: 0n, mask: 0n }, oldact: 0n, sigsetsize: 8n })).toBe('EINVAL');
    sigmask(k, root, SIG_SETMASK, (1n << 64n) - 1n);
    expect(k.task(root)?.sigmask).toBe(((1n << 64n) - 1n) & ~(bitOf(S.SIGKILL) | bitOf(S.SIGSTOP)));
    expect(errno(k, root, { name: 'rt_sigprocmask', how: 7, set: { mask: 0n }, oldset: 0n, sigsetsize: 8n })).toBe('EINVAL');
    expect(errno(k, root, { name: 'rt_sigprocmask', how: SIG_BLOCK, set: { mask: 0n }, oldset: 0n, sigsetsize: 4n })).toBe('EINVAL');
  });

  it('setting SIG_IGN discards a pending instance, even a blocked one', () => {
    const { k, root } = boot();
    sigmask(k, root, SIG_BLOCK, bitOf(S.SIGUSR1));
    ok(k, root, { name: 'kill', pid: root, sig: S.SIGUSR1 });
    expect(k.task(root)?.pending).toBe(bitOf(S.SIGUSR1));
    sigaction(k, root, S.SIGUSR1, 'SIG_IGN');
    expect(k.task(root)?.pending).toBe(0n);
  });

  it('tgkill reaches one thread; a process signal goes to a thread that does not block it', () => {
    const { k, root } = boot();
    sigaction(k, root, S.SIGUSR1, HANDLER);
    const t = thread(k, root);
    expect(ok(k, root, { name: 'tgkill', tgid: root, tid: t, sig: S.SIGUSR1 })).toBe(0);
    expect(k.signalFrames(t).map((f) => f.signo)).toEqual([S.SIGUSR1]);
    expect(k.signalFrames(root)).toHaveLength(0);
    expect(errno(k, root, { name: 'tgkill', tgid: root + 1, tid: t, sig: S.SIGUSR1 })).toBe('ESRCH');
    ok(k, t, { name: 'rt_sigreturn' });
    sigmask(k, root, SIG_BLOCK, bitOf(S.SIGUSR1));
    ok(k, root, { name: 'kill', pid: root, sig: S.SIGUSR1 });
    expect(k.signalFrames(t).map((f) => f.signo)).toEqual([S.SIGUSR1]);
    expect(k.signalFrames(root)).toHaveLength(0);
  });

  it('a fatal default signal kills every thread of the process', () => {
    const { k, root } = boot();
    const child = fork(k, root);
    const t1 = thread(k, child);
    const t2 = thread(k, child);
    expect(ok(k, root, { name: 'tkill', tid: t2, sig: S.SIGTERM })).toBe(0);
    for (const t of [child, t1, t2]) expect(k.task(t)?.state ?? 'gone').not.toBe('ready');
    expect(k.process(child)?.status).toBe(S.SIGTERM);
  });

  it('rt_sigsuspend waits with a temporary mask and restores the old one at sigreturn', () => {
    const { k, root } = boot();
    sigaction(k, root, S.SIGUSR1, HANDLER);
    sigmask(k, root, SIG_BLOCK, bitOf(S.SIGUSR1));
    expect(call(k, root, { name: 'rt_sigsuspend', mask: { mask: bitOf(S.SIGUSR2) }, sigsetsize: 8n }).kind).toBe('blocked');
    k.signalProcess(root, S.SIGUSR1);
    expect(k.completion(root)).toEqual({ kind: 'error', errno: 'ERESTARTNOHAND', restarts: false });
    // In the handler: the temporary mask plus the signal itself.
    expect(k.task(root)?.sigmask).toBe(bitOf(S.SIGUSR1) | bitOf(S.SIGUSR2));
    expect(call(k, root, { name: 'rt_sigreturn' })).toEqual({ kind: 'error', errno: 'EINTR' });
    expect(k.task(root)?.sigmask).toBe(bitOf(S.SIGUSR1));
  });

  it('the scheduler is round robin over ready tasks and the clock only moves when told', () => {
    const { k, root } = boot();
    const a = fork(k, root);
    const b = fork(k, root);
    // A new task joins the back; the caller moves behind it after each call.
    expect(k.runnable()).toEqual([a, b, root]);
    expect(k.next()).toBe(a);
    ok(k, a, { name: 'getpid' });
    expect(k.runnable()).toEqual([b, root, a]);
    sleep(k, a, 10);
    sleep(k, b, 5);
    expect(k.runnable()).toEqual([root]);
    expect(k.now()).toBe(0n);
    expect(k.advanceClock()).toBe(true);
    expect(k.now()).toBe(5_000_000n);
    expect(k.runnable()).toEqual([root, b]);
    runUntilDone(k, a);
    expect(k.now()).toBe(10_000_000n);
    expect(k.advanceClock()).toBe(false);
  });

  it('FUTEX_WAIT with a timeout ends with ETIMEDOUT at the deadline', () => {
    const { k, root } = boot();
    const word = page(k, root);
    expect(call(k, root, { name: 'futex', uaddr: word, op: 0, val: 0, timeout: { sec: 0n, nsec: 2_000_000n } }).kind).toBe('blocked');
    expect(runUntilDone(k, root)).toEqual({ kind: 'error', errno: 'ETIMEDOUT' });
    expect(k.now()).toBe(2_000_000n);
  });

  it('rt_sigsuspend ended by a stop and SIGCONT restores the old mask on return', () => {
    const { k, root } = boot();
    const child = fork(k, root);
    sigmask(k, child, SIG_BLOCK, bitOf(S.SIGUSR1));
    expect(call(k, child, { name: 'rt_sigsuspend', mask: { mask: bitOf(S.SIGUSR2) }, sigsetsize: 8n }).kind).toBe('blocked');
    ok(k, root, { name: 'kill', pid: child, sig: S.SIGSTOP });
    ok(k, root, { name: 'kill', pid: child, sig: S.SIGCONT });
    expect(k.completion(child)).toEqual({ kind: 'error', errno: 'ERESTARTNOHAND', restarts: true });
    ok(k, child, { name: 'getpid' });
    expect(k.task(child)?.sigmask).toBe(bitOf(S.SIGUSR1));
  });
});

describe('fatal signals carry their sender', () => {
  // E33/E16: the dying task takes the siginfo the signal was sent with (strace prints it as
  // `--- SIGTERM {si_code=SI_USER, si_pid=SENDER …} ---` before `+++ killed by SIGTERM +++`),
  // whether the sender is another process or the task itself (a vfork child's kill(getpid())).
  it.each([
    ['another process', false],
    ['the task itself', true],
  ])('E33 a default-fatal SIGTERM from %s is delivered with si_code SI_USER and the sender pid', (_who, self) => {
    const { k, root } = boot();
    const child = fork(k, root);
    const sender = self ? child : root;
    const delivered: { pid: number; code: number; signo: number }[] = [];
    k.onEvent((e) => {
      if (e.type === 'signal-delivered' && e.tid === child) delivered.push({ pid: e.info.pid, code: e.info.code, signo: e.info.signo });
    });
    call(k, sender, { name: 'kill', pid: child, sig: S.SIGTERM });
    expect(delivered).toEqual([{ pid: sender, code: 0 /* SI_USER */, signo: S.SIGTERM }]);
    expect(k.process(child)).toMatchObject({ state: 'zombie', status: S.SIGTERM }); // E1: killed by s → raw status s
  });
});

// Under ptrace a task stops at each syscall exit and runs get_signal only once strace resumes it
// (kernel/signal.c get_signal after ptrace_stop); strace prints `--- SIG ---` at that point. With
// signalsOnResume the caller says when (Kernel.resume). Scenario from fresh dash pipeline captures.
describe('signalsOnResume (a traced task takes its signals when resumed)', () => {
  function scenario(signalsOnResume: boolean) {
    const { k, root } = boot({ traced: true, signalsOnResume });
    // The younger child's exit is collected after wait4 returned, before dash took the first SIGCHLD.
    const { older, younger, first } = reapedPipeline(k, root, HANDLER);
    k.resume(root);
    return { k, root, older, younger, first };
  }

  it('a standard signal sent between the return and the resume is merged into the pending one (A8 coalescing, legacy_queue)', () => {
    const { k, root, older, first } = scenario(true);
    expect(first).toMatchObject({ kind: 'done', value: BigInt(older) });
    const frames = k.signalFrames(root);
    expect(frames.map((f) => [f.signo, f.info.pid])).toEqual([[S.SIGCHLD, older]]);
    // The frame saves wait4's return: rt_sigreturn gives it back.
    expect(call(k, root, { name: 'rt_sigreturn' })).toEqual({ kind: 'done', value: BigInt(older) });
    // No second SIGCHLD is pending: the younger child's was merged.
    expect(k.task(root)?.pending).toBe(0n);
    expect(k.signalFrames(root)).toEqual([]);
  });

  it('without it the signal is taken at the return, so the second one is queued (the untraced order)', () => {
    const { k, root, older, younger } = scenario(false);
    // The first SIGCHLD was taken when wait4's result was; the second waits for the next return.
    expect(k.signalFrames(root).map((f) => f.info.pid)).toEqual([older]);
    call(k, root, { name: 'rt_sigreturn' });
    expect(k.signalFrames(root).map((f) => f.info.pid)).toEqual([younger]);
  });

  it('resume does nothing for a task with nothing pending, and a blocked task takes nothing', () => {
    const { k, root } = boot({ traced: true, signalsOnResume: true });
    sigaction(k, root, S.SIGUSR1, HANDLER, 0n);
    k.resume(root);
    expect(k.signalFrames(root)).toEqual([]);
    ok(k, root, { name: 'kill', pid: root, sig: S.SIGUSR1 });
    // Sent to itself: taken at the resume after the kill's return, not at the return.
    expect(k.signalFrames(root)).toEqual([]);
    k.resume(root);
    expect(k.signalFrames(root).map((f) => f.signo)).toEqual([S.SIGUSR1]);
    expect(call(k, root, { name: 'rt_sigreturn' })).toEqual({ kind: 'done', value: 0n });
  });
});
