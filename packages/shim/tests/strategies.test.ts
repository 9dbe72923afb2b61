// The strategies on the same models and kernel: the expected failures are specific divergences.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareRun, loadCase, runModel } from '../src/runtime/model-run.js';
import type { StrategyName } from '../src/strategies/strategy.js';

const CORPUS = fileURLToPath(new URL('../../../corpus', import.meta.url));
const run = (id: string, s: StrategyName) => {
  const { input, expected } = loadCase(CORPUS, id);
  const r = runModel(input, s);
  return { r, cmp: compareRun(r, expected) };
};

describe('strategy fork (CLONE_VM|CLONE_VFORK dropped)', () => {
  it('G1: posix_spawn of a missing program: the parent never sees args.err, so it does not reap the failed child', () => {
    const { r, cmp } = run('posix_spawn/exec-enoent', 'fork');
    expect(cmp.matches).toBe(false);
    const parent = r.normalized.processes[0]?.tasks[0]?.events ?? [];
    // Under Linux glibc reaps the failed child itself with wait4(pid, NULL) and posix_spawn returns
    // ENOENT. Here posix_spawn returns 0, so the program waits for a "running" child and sees 127.
    const waits = parent.filter((e) => e.kind === 'wait' && e.target.kind === 'pid');
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatchObject({ status: { kind: 'exited', code: 127 } });
    expect(cmp.divergence).toContain('/processes/0/tasks/0/events/2/status: expected null, got {"kind":"exited","code":127}');
    expect(r.text).toMatch(/clone3\(\{flags=CLONE_VM\|CLONE_VFORK, [^\n]*\) = 1001 <0\.000001>/);
  });
  it('A1: the vfork parent runs before the child exits: the released-by-exit ordering is lost', () => {
    const { r } = run('raw/vfork-shared-memory', 'fork');
    expect(r.normalized.orderings.some((o) => o.reason === 'vfork-released-by-exit')).toBe(false);
  });
});

describe('strategy shared-no-restore (parent returns through the shared stack frame)', () => {
  it('A9: after a vfork() syscall the parent resumes on the child frame and runs the child code', () => {
    const { r, cmp } = run('raw/vfork-shared-memory', 'shared-no-restore');
    expect(cmp.matches).toBe(false);
    expect(r.notes.map((n) => n.kind)).toContain('stack-frame-taken');
    expect(r.normalized.processes[0]?.exit).not.toEqual({ kind: 'exited', code: 0 });
  });
  it('G1: glibc posix_spawn runs its child on a separate stack, so nothing is overwritten', () => {
    const { r, cmp } = run('posix_spawn/exec-enoent', 'shared-no-restore');
    expect(r.notes).toEqual([]);
    expect(cmp).toEqual({ matches: true, divergence: null });
  });
  it('the same run twice gives byte-identical output', () => {
    for (const s of ['linux', 'fork', 'shared-no-restore'] as const) {
      expect(run('python/run-success', s).r.text).toBe(run('python/run-success', s).r.text);
    }
  });
});
