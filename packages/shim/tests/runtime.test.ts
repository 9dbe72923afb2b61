// The model runtime: shim frames on emulated stacks, the strategies' effect on a vfork, the
// strace text it writes (read back by the tracer without a diagnostic), and its guards.
import { fileURLToPath } from 'node:url';
import { AddressSpace, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE, Vfs } from '@forkscope/kernel';
import { parseText } from '@forkscope/tracer';
import { describe, expect, it } from 'vitest';
import { exitGroup, exitThread, pushLocal, sys, vfork, waitpid } from '../src/models/libc.js';
import { MODELS } from '../src/models/registry.js';
import { Machine } from '../src/runtime/machine.js';
import { CaseError, loadCase, runModel } from '../src/runtime/model-run.js';
import type { Program } from '../src/runtime/program.js';
import { readFrame, writeFrame } from '../src/runtime/stack.js';
import { isVforkCall, STRATEGIES, STRATEGY_NAMES, type StrategyName } from '../src/strategies/strategy.js';
import { renderArgs, siginfoText, sigsetText, statusText } from '../src/runtime/strace-render.js';

const CORPUS = fileURLToPath(new URL('../../../corpus', import.meta.url));

function fs(): Vfs {
  const v = new Vfs();
  v.writeFile('/bin/true', { kind: 'elf' }, { mode: 0o755 });
  v.mkdir('/work');
  return v;
}

function machine(strategy: StrategyName): Machine {
  return new Machine({
    strategy: STRATEGIES[strategy],
    fs: fs(),
    argv: ['/bin/prog'],
    envp: ['PATH=/bin'],
    cwd: '/work',
    images: (path) =>
      path === '/bin/true'
        ? function* () {
            return 0;
          }
        : null,
  });
}

describe('shim frames on the stack', () => {
  it('a frame written below the stack pointer reads back; overwritten bytes make it unreadable', () => {
    const mm = new AddressSpace({ id: 1 });
    const m = mm.mmap({ addr: 0n, length: 0x2000n, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS });
    if (!m.ok) throw new Error('mmap');
    const sp = m.value + 0x2000n;
    writeFrame(mm, sp, { tid: 7, context: 42n, sp });
    expect(readFrame(mm, sp)).toEqual({ tid: 7, context: 42n, sp });
    mm.write(sp - 32n, new Uint8Array(8));
    expect(readFrame(mm, sp)).toBeNull();
  });
});

/** vfork; the child pushes a C frame (a call deeper) and exits; the parent waits. */
const deeperChild: Program = function* (g) {
  const status = pushLocal(g, 8n);
  const r = yield* vfork(function* (c) {
    pushLocal(c, 64n);
    return yield* exitThread(3);
  });
  if (r.kind === 'done') yield* waitpid(Number(r.value), status);
  return 0;
};

/** vfork; the child execs at the very stack depth of the parent's vfork (its frame lands on the parent's). */
const sameDepthChild: Program = function* () {
  const r = yield* vfork(function* () {
    yield* sys({ name: 'execve', path: '/bin/true', argv: ['true'], envp: [] });
    return yield* exitGroup(5);
  });
  return r.kind === 'done' ? 0 : 1;
};

describe('strategies on a vfork', () => {
  it('A1: linux restores the parent from its side copy: no note, the parent exits 0', () => {
    const run = machine('linux').run(deeperChild);
    expect(run.notes).toEqual([]);
    expect(run.text).toContain('+++ exited with 0 +++');
    expect(run.invariants).toEqual([]);
  });

  it('shared-no-restore: a child that calls deeper clobbers the frame: SIGSEGV', () => {
    const run = machine('shared-no-restore').run(deeperChild);
    expect(run.notes.map((n) => n.kind)).toEqual(['stack-frame-clobbered', 'ran-past-no-return']);
    expect(run.text).toMatch(/^1000 +\S+ \+\+\+ killed by SIGSEGV \+\+\+$/m);
  });

  it("A2/shared-no-restore: a child whose execve frame lands on the parent's makes the parent run the child's code", () => {
    const run = machine('shared-no-restore').run(sameDepthChild);
    expect(run.notes[0]).toMatchObject({ kind: 'stack-frame-taken', tid: 1000 });
    // The parent resumes after the child's execve, in the child's failure path: exit_group(5).
    expect(run.text).toMatch(/^1000 +\S+ exit_group\(5\) = \?$/m);
    expect(run.text).toMatch(/^1001 +\S+ exit_group\(0\) = \?$/m);
  });

  it('fork: the kernel is asked for fork; the trace shows the vfork the program made, unblocked', () => {
    const run = machine('fork').run(deeperChild);
    expect(run.text).toMatch(/^1000 +\S+ vfork\(\) = 1001 <0\.000001>$/m);
    expect(run.notes).toEqual([]);
  });

  it('kernelCall rewrites only process-creating vfork calls', () => {
    const fork = STRATEGIES.fork;
    expect(fork.kernelCall({ name: 'vfork' })).toEqual({ name: 'fork' });
    expect(fork.kernelCall({ name: 'clone3', args: { flags: 0x4100n, exit_signal: 17n }, size: 88n })).toEqual({ name: 'clone3', args: { flags: 0n, exit_signal: 17n }, size: 88n });
    const thread = { name: 'clone3' as const, args: { flags: 0x10d00n | 0x4000n }, size: 88n };
    expect(fork.kernelCall(thread)).toBe(thread);
    expect(isVforkCall({ name: 'clone', flags: 0x4111n, stack: 0n, parent_tid: 0n, child_tid: 0n, tls: 0n })).toBe(true);
    expect(isVforkCall({ name: 'fork' })).toBe(false);
  });
});

describe('guards', () => {
  it("a child body that touches its parent's memory is a ModelError, not a silent write", () => {
    const bad: Program = function* (g) {
      yield* vfork(function* () {
        pushLocal(g, 8n);
        return yield* exitGroup(0);
      });
      return 0;
    };
    expect(() => machine('linux').run(bad)).toThrow(/task 1001's code used task 1000's registers or memory/);
  });

  it('an exec of a program no model describes is a ModelError naming the path', () => {
    const prog: Program = function* () {
      yield* sys({ name: 'execve', path: '/bin/true', argv: ['true'], envp: [] });
      return 0;
    };
    const m = new Machine({ strategy: STRATEGIES.linux, fs: fs(), argv: ['/bin/prog'], envp: [], cwd: '/', images: () => null });
    expect(() => m.run(prog)).toThrow(/execve of \/bin\/true: no model of that program/);
  });
});

describe('strace text', () => {
  it('statuses, siginfo and signal sets are decoded as strace prints them', () => {
    expect(statusText(7 << 8)).toBe('[{WIFEXITED(s) && WEXITSTATUS(s) == 7}]');
    expect(statusText(9)).toBe('[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]');
    expect(statusText(0x8b)).toBe('[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}]');
    expect(siginfoText({ signo: 17, errno: 0, code: 2, pid: 5, uid: 0, status: 9, utime: 0n, stime: 0n })).toBe(
      '{si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=5, si_uid=0, si_status=SIGKILL, si_utime=0, si_stime=0}',
    );
    expect(sigsetText(0n)).toBe('[]');
    expect(sigsetText((1n << 9n) | (1n << 16n))).toBe('[USR1 CHLD]');
    expect(renderArgs({ name: 'clone', flags: 0x1200011n, stack: 0n, parent_tid: 0n, child_tid: 0x10n, tls: 0n }, null).head).toBe(
      'child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x10',
    );
  });

  it('every model run under every strategy is read back by the tracer without a diagnostic', () => {
    for (const m of MODELS) {
      const { input } = loadCase(CORPUS, m.id);
      for (const s of STRATEGY_NAMES) {
        const events = parseText(runModel(input, s).text);
        const bad = events.filter((e) => e.kind === 'diagnostic');
        expect(bad.map((e) => (e.kind === 'diagnostic' ? `${e.span.line}: ${e.reason}: ${e.text}` : '')), `${m.id} ${s}`).toEqual([]);
      }
    }
  });

  it('every model run leaves the kernel consistent (checkInvariants) under every strategy', () => {
    for (const m of MODELS) {
      const { input } = loadCase(CORPUS, m.id);
      for (const s of STRATEGY_NAMES) expect(runModel(input, s).invariants, `${m.id} ${s}`).toEqual([]);
    }
  });
});

describe('case input errors', () => {
  it('a bad fs manifest in case.json is a CaseError naming the case, not a crash', () => {
    const { input } = loadCase(CORPUS, 'raw/vfork-exec');
    const bad = { ...input, fs: [{ path: 'relative/path', kind: 'file' } as never] };
    expect(() => runModel(bad, 'linux')).toThrow(CaseError);
    expect(() => runModel(bad, 'linux')).toThrow(/raw\/vfork-exec\/case\.json fs/);
  });
});
