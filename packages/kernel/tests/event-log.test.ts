import { describe, expect, it } from 'vitest';
import { boot, exit, fork, wait4 } from './kernel-helpers.js';
import type { Kernel, KernelEvent, Tid } from '../src/index.js';

/** fork, exit and reap a child: a handful of events (task-created, task-exit, process-exit, reaped…). */
function forkExitReap(k: Kernel, root: Tid): void {
  const child = fork(k, root);
  exit(k, child, 0);
  wait4(k, root, child);
}

describe('kernel event log', () => {
  it('keeps every event by default; takeEvents is a cursor over the log', () => {
    const { k, root } = boot();
    const first = k.takeEvents();
    expect(first.length).toBeGreaterThan(0);
    expect(first.map((e) => e.seq)).toEqual(first.map((_, i) => i));
    forkExitReap(k, root);
    const second = k.takeEvents();
    expect(second[0]?.seq).toBe(first.length);
    expect(second.map((e) => e.type)).toContain('reaped');
    expect(k.events).toEqual([...first, ...second]);
    expect(k.eventCount).toBe(k.events.length);
    expect(k.takeEvents()).toEqual([]);
  });

  it('keepEvents false: the kernel forgets what takeEvents returned, and events and seqs are unchanged', () => {
    const kept = boot();
    const drained = boot({ keepEvents: false });
    const taken: KernelEvent[] = [...drained.k.takeEvents()];
    expect(drained.k.events).toEqual([]);
    forkExitReap(kept.k, kept.root);
    forkExitReap(drained.k, drained.root);
    // Not taken yet: still readable through `events`.
    expect(drained.k.events.length).toBeGreaterThan(0);
    taken.push(...drained.k.takeEvents());
    expect(drained.k.events).toEqual([]);
    expect(taken).toEqual(kept.k.events);
    expect(drained.k.eventCount).toBe(kept.k.eventCount);
  });

  it('keepEvents false: listeners still see every event, in order', () => {
    const { k, root } = boot({ keepEvents: false });
    const seen: number[] = [];
    k.onEvent((e) => seen.push(e.seq));
    const start = k.eventCount;
    k.takeEvents();
    forkExitReap(k, root);
    forkExitReap(k, root);
    expect(seen).toEqual(Array.from({ length: k.eventCount - start }, (_, i) => start + i));
    expect(k.takeEvents().map((e) => e.seq)).toEqual(seen);
  });
});
