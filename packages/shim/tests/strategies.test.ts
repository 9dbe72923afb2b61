// The three vfork strategies on the same models and the same kernel: what each costs on real
// programs, asserted as specific divergences from the captures (catalogue ids in the names).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MODELS } from '../src/models/registry.js';
import { compareRun, loadCase, runModel } from '../src/runtime/model-run.js';
import { STRATEGY_NAMES, type StrategyName } from '../src/strategies/strategy.js';

const CORPUS = fileURLToPath(new URL('../../../corpus', import.meta.url));
const run = (id: string, s: StrategyName) => {
  const { input, expected } = loadCase(CORPUS, id);
  const r = runModel(input, s);
  return { r, cmp: compareRun(r, expected) };
};
/** The line the program printed to fd 1 containing `marker`. */
const printed = (text: string, marker: string): string | undefined => text.split('\n').find((l) => l.includes('write(1, ') && l.includes(marker));

describe('linux: shared memory, suspension, parent context kept off the stack', () => {
  it('A1/A9: the vfork child writes a global and the caller frame; the parent reads both', () => {
    const { r, cmp } = run('raw/vfork-shared-memory', 'linux');
    expect(cmp.matches).toBe(true);
    expect(printed(r.text, 'parent reads')).toContain('global=42 stack=2');
    expect(r.notes).toEqual([]);
  });
});

describe('fork: CLONE_VM and CLONE_VFORK ignored (Shadow today)', () => {
  it('A1: the child writes its own copy: the parent reads the old global and stack slot', () => {
    const { r } = run('raw/vfork-shared-memory', 'fork');
    expect(printed(r.text, 'parent reads')).toContain('global=0 stack=1');
  });

  it('G1: posix_spawn of a missing program returns 0: args.err never reaches the parent, so glibc does not reap and the program waits for a child it thinks runs', () => {
    const { r, cmp } = run('posix_spawn/exec-enoent', 'fork');
    expect(cmp.divergence).toBe('task 1, call 2: capture has wait4 = 2 (status not asked for), run has wait4 = 2 (exit 127)');
    expect(r.text).toMatch(/clone3\(\{flags=CLONE_VM\|CLONE_VFORK, [^\n]*\) = \d+ <0\.000001>/);
  });

  it("G1: Rust's Command reports a missing program as spawned, then sees it exit 127", () => {
    expect(run('rust/spawn-enoent', 'fork').cmp.divergence).toBe('task 1, call 2: capture has wait4 = 2 (status not asked for), run has wait4 = 2 (exit 127)');
  });

  it('G1: os.posix_spawn of a missing path raises nothing, so the failed child is never reaped', () => {
    expect(run('python/posix-spawn', 'fork').cmp.divergence).toBe('task 1, call 4: capture has wait4 = 3 (status not asked for), run has exit_group(0)');
  });

  it('A2: the vfork parent runs on before the child execs (dash, CPython, glibc)', () => {
    for (const id of ['dash/simple', 'python/run-success', 'posix_spawn/success']) {
      expect(run(id, 'fork').cmp.divergence).toMatch(/^ordering lost: the vfork parent stays suspended until the child execs \(A2\); capture has task 1's (vfork|clone3) = 2 after task 2's execve\(/);
    }
  });

  it('programs that only fork are unaffected', () => {
    for (const id of ['python/os-fork', 'raw/fork-sigkill', 'raw/subreaper', 'dash/pipeline', 'rust/pre-exec']) expect(run(id, 'fork').cmp.matches).toBe(true);
  });
});

describe('shared-no-restore: the parent returns through the frame on the shared stack', () => {
  it('A9: after the vfork syscall the parent resumes on the child frame and runs the child code (raw/vfork-exec exits 127)', () => {
    const { r, cmp } = run('raw/vfork-exec', 'shared-no-restore');
    expect(r.notes[0]).toMatchObject({ kind: 'stack-frame-taken', tid: 1000 });
    expect(cmp.divergence).toMatch(/^process 1 ends: capture exit 0, run exit 127 \[shim: task 1000 resumed on task 1001's frame/);
  });

  it("dash's vfork child calls deeper: the parent's frame is clobbered and it dies of SIGSEGV", () => {
    const { r, cmp } = run('dash/simple', 'shared-no-restore');
    expect(r.notes.map((n) => n.kind)).toEqual(['stack-frame-clobbered', 'ran-past-no-return']);
    expect(cmp.divergence).toMatch(/^process 1 ends: capture exit 0, run killed by SIGSEGV/);
    expect(r.text).toContain('+++ killed by SIGSEGV +++');
  });

  it('G1: glibc posix_spawn (and Rust, CPython close_fds=False on it) runs the child on its own stack: nothing is overwritten', () => {
    for (const id of ['posix_spawn/exec-enoent', 'posix_spawn/two-threads', 'rust/status', 'rust/output', 'raw/clone3-vfork-stack', 'raw/clone-vfork-stack']) {
      const { r, cmp } = run(id, 'shared-no-restore');
      expect(r.notes).toEqual([]);
      expect(cmp).toEqual({ matches: true, divergence: null });
    }
  });
});

describe('determinism', () => {
  it('every model under every strategy gives byte-identical output twice', () => {
    for (const m of MODELS) {
      const { input } = loadCase(CORPUS, m.id);
      for (const s of STRATEGY_NAMES) expect(runModel(input, s).text, `${m.id} ${s}`).toBe(runModel(input, s).text);
    }
  });
});
