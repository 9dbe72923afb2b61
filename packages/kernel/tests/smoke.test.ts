import { describe, expect, it } from 'vitest';
import { boot, call, exit, fork, ok, wait4 } from './kernel-helpers.js';

describe('kernel smoke', () => {
  it('forks, exits and reaps', () => {
    const { k, root } = boot({ pidBase: 4000 });
    expect(root).toBe(4000);
    const child = fork(k, root);
    expect(child).toBe(4001);
    expect(ok(k, child, { name: 'getppid' })).toBe(root);
    exit(k, child, 3);
    const r = wait4(k, root, child);
    expect(r).toEqual({ kind: 'done', value: BigInt(child), out: { status: 0x300 } });
    expect(call(k, root, { name: 'wait4', pid: -1, status: 0n, options: 0, rusage: 0n })).toEqual({ kind: 'error', errno: 'ECHILD' });
  });
});
