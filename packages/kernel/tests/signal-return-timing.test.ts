// When a task woken from a blocked call takes its signals. Linux runs get_signal on the way back
// to user space (exit_to_user_mode_loop), i.e. when the woken task actually runs; a standard
// signal sent again before that finds the first still pending and is not queued (kernel/signal.c
// legacy_queue). So two children exiting before their parent runs give it one SIGCHLD (E33 says
// what that SIGCHLD carries). The caller sees the task run when it takes the result (completion).
import { describe, expect, it } from 'vitest';
import { SIGNALS, type Kernel, type Tid } from '../src/index.js';
import { boot, call, exit, fork, ok, sigaction } from './kernel-helpers.js';

const HANDLER = 0x401000n;
const { SIGCHLD, SIGSTOP } = SIGNALS;

function sigchlds(k: Kernel) {
  return k.events.filter((e) => e.type === 'signal-sent' && e.info.signo === SIGCHLD);
}

function parentWithTwoChildren(): { k: Kernel; root: Tid; a: Tid; b: Tid } {
  const { k, root } = boot();
  sigaction(k, root, SIGCHLD, HANDLER);
  const a = fork(k, root);
  const b = fork(k, root);
  expect(call(k, root, { name: 'wait4', pid: -1, status: 0n, options: 0, rusage: 0n }).kind).toBe('blocked');
  return { k, root, a, b };
}

describe('signals wait for a woken task to run (get_signal at the return to user space)', () => {
  it('E33 two children exit before the woken parent runs: one SIGCHLD, from the first', () => {
    const { k, root, a, b } = parentWithTwoChildren();
    exit(k, a, 0);
    // Woken by a's exit but not yet run: no handler frame yet, SIGCHLD still pending.
    expect(k.signalFrames(root)).toHaveLength(0);
    exit(k, b, 0);
    expect(sigchlds(k).map((e) => e.type === 'signal-sent' && [e.info.pid, e.queued])).toEqual([
      [a, true],
      [b, false],
    ]);
    expect(k.completion(root)).toMatchObject({ kind: 'done', value: BigInt(a) });
    expect(k.signalFrames(root).map((f) => [f.signo, f.info.pid])).toEqual([[SIGCHLD, a]]);
    // The frame saved wait4's result as the register sigreturn restores.
    expect(k.signalFrames(root)[0]?.interrupted).toEqual({ call: 'wait4', value: BigInt(a) });
    ok(k, root, { name: 'rt_sigreturn' });
    expect(k.signalFrames(root)).toHaveLength(0);
    expect(k.task(root)?.pending).toBe(0n);
    // b is still there to be reaped, without a signal of its own.
    expect(ok(k, root, { name: 'wait4', pid: -1, status: 0n, options: 0, rusage: 0n })).toBe(b);
  });

  it('E33 a parent that ran between the exits gets a SIGCHLD for each', () => {
    const { k, root, a, b } = parentWithTwoChildren();
    exit(k, a, 0);
    expect(k.completion(root)).toMatchObject({ kind: 'done', value: BigInt(a) });
    expect(k.signalFrames(root).map((f) => f.info.pid)).toEqual([a]);
    ok(k, root, { name: 'rt_sigreturn' });
    exit(k, b, 0);
    expect(sigchlds(k).map((e) => e.type === 'signal-sent' && e.queued)).toEqual([true, true]);
    expect(k.signalFrames(root).map((f) => f.info.pid)).toEqual([b]);
  });

  it('a default stop still takes effect at once on a woken task (its parent can see the stop)', () => {
    const { k, root } = boot();
    const a = fork(k, root);
    const b = fork(k, root);
    expect(call(k, root, { name: 'wait4', pid: a, status: 0n, options: 0, rusage: 0n }).kind).toBe('blocked');
    exit(k, a, 0);
    expect(k.task(root)?.state).toBe('ready');
    ok(k, b, { name: 'kill', pid: root, sig: SIGSTOP });
    expect(k.task(root)?.state).toBe('stopped');
  });
});
