import { describe, expect, it } from 'vitest';
import { KernelAdapter } from '../src/replay/kernel-adapter.js';

describe('KernelAdapter event log', () => {
  it('keepEvents false: takeEvents drains, events() holds only what was not taken', () => {
    const port = new KernelAdapter({ fs: null, keepEvents: false });
    const root = port.spawnRoot([0, 1, 2]);
    const boot = port.takeEvents();
    expect(boot.map((e) => e.type)).toContain('task-created');
    expect(port.events()).toEqual([]);
    const r = port.syscall(root, { name: 'fork' });
    expect(r.kind).toBe('done');
    const forked = port.takeEvents();
    expect(forked.map((e) => e.type)).toEqual(['task-created']);
    expect(forked[0]?.seq).toBe(boot.length);
    expect(port.eventCount()).toBe(boot.length + 1);
    expect(port.events()).toEqual([]);
  });

  it('default: events() keeps the whole log and takeEvents reads it once', () => {
    const port = new KernelAdapter({ fs: null });
    const root = port.spawnRoot([0, 1, 2]);
    const boot = port.takeEvents();
    port.syscall(root, { name: 'fork' });
    expect(port.takeEvents().map((e) => e.seq)).toEqual([boot.length]);
    expect(port.events().length).toBe(boot.length + 1);
    expect(port.takeEvents()).toEqual([]);
  });
});
