// KernelOptions.signalTakenBefore: under signalsOnResume a task takes its pending signals at its
// resume (the `--- SIG ---` line), the latest point get_signal can run after a return. A second
// standard signal sent in between is merged into the pending one (kernel/signal.c legacy_queue,
// A8's coalescing). Where the caller knows get_signal ran earlier, the hook makes the task take
// the pending one first, so the new one is queued on its own (E33: each exit's SIGCHLD names its
// child). The scenario is dash reaping a two-child pipeline.
import { describe, expect, it } from 'vitest';
import { CLD, CLONE, SIG_BLOCK, SIG_UNBLOCK, SIGNALS, SIGRTMIN, type KernelOptions, type SigInfo, type Tid } from '../src/index.js';
import { bitOf, boot, call, exit, fork, ok, reapedPipeline, sigaction, sigmask } from './kernel-helpers.js';

const S = SIGNALS;
const HANDLER = 0x40_1000n;
const THREAD = CLONE.VM | CLONE.FS | CLONE.FILES | CLONE.SIGHAND | CLONE.THREAD | CLONE.SYSVSEM;

interface Asked {
  readonly tid: Tid;
  readonly signo: number;
  readonly pid: number;
  readonly code: number;
}

/** A kernel whose hook answers `answer` and notes every question. */
function booted(answer: boolean, options: KernelOptions = { traced: true, signalsOnResume: true }) {
  const asked: Asked[] = [];
  const hook = (tid: Tid, info: SigInfo): boolean => {
    asked.push({ tid, signo: info.signo, pid: info.pid, code: info.code });
    return answer;
  };
  const { k, root } = boot({ ...options, signalTakenBefore: hook });
  const queued: { pid: number; queued: boolean }[] = [];
  k.onEvent((e) => {
    if (e.type === 'signal-sent' && e.info.signo === S.SIGCHLD) queued.push({ pid: e.info.pid, queued: e.queued });
  });
  return { k, root, asked, queued };
}

/**
 * dash with a SIGCHLD handler forks two children and waits; the older exits and wait4 returns it
 * (its SIGCHLD pending, dash stopped after the return), then the younger exits before dash's resume.
 */
function pipeline(answer: boolean, options?: KernelOptions) {
  const b = booted(answer, options);
  const { older, younger, first } = reapedPipeline(b.k, b.root, HANDLER);
  expect(first).toMatchObject({ kind: 'done', value: BigInt(older) });
  return { ...b, older, younger };
}

describe('signalTakenBefore (where get_signal ran between a return and its resume)', () => {
  it('A8 not merged: answered true, the pending SIGCHLD is taken before the second is sent, which is queued (E33: it names the younger child)', () => {
    const { k, root, older, younger, asked, queued } = pipeline(true);
    // Asked once, about the task that would take the pending one, with the new sending's siginfo.
    expect(asked).toEqual([{ tid: root, signo: S.SIGCHLD, pid: younger, code: CLD.EXITED }]);
    // The older child's SIGCHLD was taken at the younger one's sending: its handler frame exists
    // before any resume, saving wait4's return, and the handler's mask blocks SIGCHLD…
    expect(k.signalFrames(root).map((f) => [f.signo, f.info.pid, f.interrupted])).toEqual([[S.SIGCHLD, older, { call: 'wait4', value: BigInt(older) }]]);
    expect(k.task(root)?.sigmask).toBe(bitOf(S.SIGCHLD));
    // …so the younger child's was queued on its own and waits.
    expect(queued).toEqual([
      { pid: older, queued: true },
      { pid: younger, queued: true },
    ]);
    expect(k.task(root)?.pending).toBe(bitOf(S.SIGCHLD));
    // The resume at the first SIG line takes nothing more: get_signal ran for this stop already.
    k.resume(root);
    expect(k.signalFrames(root).map((f) => f.info.pid)).toEqual([older]);
    // rt_sigreturn gives wait4's value back and unblocks SIGCHLD; the next resume takes the younger's,
    // its frame saving rt_sigreturn's return.
    expect(call(k, root, { name: 'rt_sigreturn' })).toEqual({ kind: 'done', value: BigInt(older) });
    expect(k.signalFrames(root)).toEqual([]);
    k.resume(root);
    expect(k.signalFrames(root).map((f) => [f.info.pid, f.interrupted])).toEqual([[younger, { call: 'rt_sigreturn', value: BigInt(older) }]]);
    expect(call(k, root, { name: 'rt_sigreturn' })).toEqual({ kind: 'done', value: BigInt(older) });
    expect(k.task(root)?.pending).toBe(0n);
    expect(asked).toHaveLength(1);
  });

  it('A8 merged: answered false, the second SIGCHLD merges into the pending one and the resume takes the first', () => {
    const { k, root, older, younger, asked, queued } = pipeline(false);
    expect(asked).toEqual([{ tid: root, signo: S.SIGCHLD, pid: younger, code: CLD.EXITED }]);
    expect(k.signalFrames(root)).toEqual([]);
    expect(queued).toEqual([
      { pid: older, queued: true },
      { pid: younger, queued: false },
    ]);
    k.resume(root);
    expect(k.signalFrames(root).map((f) => f.info.pid)).toEqual([older]);
    expect(call(k, root, { name: 'rt_sigreturn' })).toEqual({ kind: 'done', value: BigInt(older) });
    expect(k.task(root)?.pending).toBe(0n);
  });

  it('not asked without signalsOnResume: the signal was taken at the return already, nothing merges', () => {
    const { k, root, older, younger, asked, queued } = pipeline(true, { traced: true });
    expect(asked).toEqual([]);
    expect(queued.map((q) => q.queued)).toEqual([true, true]);
    expect(k.signalFrames(root).map((f) => f.info.pid)).toEqual([older]);
    call(k, root, { name: 'rt_sigreturn' });
    expect(k.signalFrames(root).map((f) => f.info.pid)).toEqual([younger]);
  });

  it('not asked while the woken wait4 has not returned (its result not taken): get_signal cannot have run, the signals merge (E26 order)', () => {
    const { k, root, asked, queued } = booted(true);
    sigaction(k, root, S.SIGCHLD, HANDLER, 0n);
    const older = fork(k, root);
    const younger = fork(k, root);
    expect(call(k, root, { name: 'wait4', pid: -1, status: 0n, options: 0, rusage: 0n }).kind).toBe('blocked');
    exit(k, older, 0);
    k.tracerCollect(older);
    exit(k, younger, 0);
    k.tracerCollect(younger);
    expect(asked).toEqual([]);
    expect(queued).toEqual([
      { pid: older, queued: true },
      { pid: younger, queued: false },
    ]);
    expect(k.completion(root)).toMatchObject({ kind: 'done', value: BigInt(older) });
  });

  it('not asked when the pending signal is blocked (get_signal would not take it) or is real-time (queued anyway)', () => {
    const { k, root, asked, queued } = booted(true);
    sigaction(k, root, S.SIGCHLD, HANDLER, 0n);
    sigmask(k, root, SIG_BLOCK, bitOf(S.SIGCHLD));
    const a = fork(k, root);
    const b = fork(k, root);
    exit(k, a, 0);
    k.tracerCollect(a);
    exit(k, b, 0);
    k.tracerCollect(b);
    expect(queued.map((q) => q.queued)).toEqual([true, false]);
    const rt = SIGRTMIN;
    sigaction(k, root, rt, HANDLER, 0n);
    const sender = fork(k, root);
    ok(k, sender, { name: 'kill', pid: root, sig: rt });
    ok(k, sender, { name: 'kill', pid: root, sig: rt });
    expect(asked).toEqual([]);
  });

  it('a process-directed signal: asked about the thread that would take it (the one not blocking it)', () => {
    const { k, root, asked, queued } = booted(true);
    sigaction(k, root, S.SIGCHLD, HANDLER, 0n);
    const a = fork(k, root);
    const b = fork(k, root);
    sigmask(k, root, SIG_BLOCK, bitOf(S.SIGCHLD));
    const worker = ok(k, root, { name: 'clone', flags: THREAD, stack: 0x7000_0000n, parent_tid: 0n, child_tid: 0n, tls: 0n });
    // The new thread inherited the mask; it unblocks SIGCHLD and returns from that call.
    sigmask(k, worker, SIG_UNBLOCK, bitOf(S.SIGCHLD));
    exit(k, a, 0);
    k.tracerCollect(a);
    exit(k, b, 0);
    k.tracerCollect(b);
    expect(asked).toEqual([{ tid: worker, signo: S.SIGCHLD, pid: b, code: CLD.EXITED }]);
    expect(k.signalFrames(worker).map((f) => f.info.pid)).toEqual([a]);
    expect(k.signalFrames(root)).toEqual([]);
    expect(queued.map((q) => q.queued)).toEqual([true, true]);
  });
});
