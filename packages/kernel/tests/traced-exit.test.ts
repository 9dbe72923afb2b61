// Exits under an outside tracer (strace -f, the replay's setting: Kernel option `traced`).
// kernel/exit.c: exit_notify tells the tracer; the real parent is notified (its exit signal, E33)
// and may reap the zombie (E26) only when the tracer has collected it — wait_consider_task hides a
// zombie ptracee from the real parent, and wait_task_zombie in the tracer cascades
// do_notify_parent to it. strace prints `+++ exited with N +++` as it collects.
import { describe, expect, it } from 'vitest';
import { SIGNALS } from '../src/index.js';
import { boot, call, exit, fork, ok, sigaction } from './kernel-helpers.js';

const WNOHANG = 1;
const HANDLER = 0x401000n;

describe('traced exits: the real parent hears of a child when the tracer collects it', () => {
  it('E26/E33 a dead child is not waitable and sends no SIGCHLD until collected', () => {
    const { k, root } = boot({ traced: true });
    sigaction(k, root, SIGNALS.SIGCHLD, HANDLER);
    const child = fork(k, root);
    exit(k, child, 3);
    expect(k.task(child)?.state).toBe('zombie');
    // Still a child (not ECHILD), but nothing to report yet.
    expect(ok(k, root, { name: 'wait4', pid: -1, status: 0n, options: WNOHANG, rusage: 0n })).toBe(0);
    expect(k.events.filter((e) => e.type === 'signal-sent')).toEqual([]);
    expect(k.checkInvariants()).toEqual([]);
    expect(call(k, root, { name: 'wait4', pid: child, status: 0n, options: 0, rusage: 0n }).kind).toBe('blocked');
    expect(k.tracerCollect(child)).toBe(true);
    expect(k.events.filter((e) => e.type === 'signal-sent').map((e) => e.type === 'signal-sent' && [e.info.signo, e.info.pid])).toEqual([
      [SIGNALS.SIGCHLD, child],
    ]);
    expect(k.completion(root)).toMatchObject({ kind: 'done', value: BigInt(child), out: { status: 3 << 8 } });
    // Collected once: a second collect has nothing to do.
    expect(k.tracerCollect(child)).toBe(false);
  });

  it('untraced (the default) the parent is notified at the exit itself', () => {
    const { k, root } = boot();
    const child = fork(k, root);
    exit(k, child, 0);
    expect(ok(k, root, { name: 'wait4', pid: -1, status: 0n, options: WNOHANG, rusage: 0n })).toBe(child);
    expect(k.tracerCollect(child)).toBe(false);
  });

  it('E30 with SIGCHLD ignored the collected child is reaped at once (auto-reap happens at the notification)', () => {
    const { k, root } = boot({ traced: true });
    sigaction(k, root, SIGNALS.SIGCHLD, 'SIG_IGN');
    const child = fork(k, root);
    exit(k, child, 0);
    expect(k.task(child)?.state).toBe('zombie');
    k.tracerCollect(child);
    expect(k.task(child)).toBeUndefined();
    expect(call(k, root, { name: 'wait4', pid: -1, status: 0n, options: WNOHANG, rusage: 0n })).toEqual({ kind: 'error', errno: 'ECHILD' });
  });

  it('E35 a held zombie orphaned by its parent goes to init and is reaped when collected', () => {
    const { k, root } = boot({ traced: true });
    const mid = fork(k, root);
    const grandchild = fork(k, mid);
    exit(k, grandchild, 0);
    exit(k, mid, 0);
    expect(k.checkInvariants()).toEqual([]);
    expect(k.tracerCollect(grandchild)).toBe(true);
    expect(k.task(grandchild)).toBeUndefined();
    expect(k.checkInvariants()).toEqual([]);
  });

  it('a traced task keeps an ignored signal (sig_ignored: the tracer is shown it), then get_signal ignores it', () => {
    for (const traced of [false, true]) {
      const { k, root } = boot({ traced });
      const child = fork(k, root);
      exit(k, child, 0);
      k.tracerCollect(child);
      // SIGCHLD at SIG_DFL ignores by default: discarded at send untraced, queued and delivered traced.
      const sent = k.events.filter((e) => e.type === 'signal-sent');
      expect(sent.map((e) => e.type === 'signal-sent' && e.queued)).toEqual([traced]);
      const ignored = k.events.filter((e) => e.type === 'signal-delivered' && e.action === 'ignore');
      expect(ignored).toHaveLength(traced ? 1 : 0);
      expect(k.task(root)?.pending).toBe(0n);
    }
  });
});
