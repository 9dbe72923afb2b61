import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/normalize/canonical-json.js';
import { normalize } from '../src/normalize/normalize.js';
import type { NormEvent, Normalized } from '../src/normalize/normalized.js';
import {
  FixtureCapture,
  NULL,
  err,
  exitedStatus,
  flags,
  ident,
  int,
  ok,
  pos,
  signaledStatus,
  stoppedStatus,
  str,
  struct,
  arr,
} from './normalize-fixtures.js';

const task = (n: Normalized, tid: number) => {
  for (const p of n.processes) for (const t of p.tasks) if (t.tid === tid) return t;
  throw new Error(`no task ${tid}`);
};
const kinds = (events: readonly NormEvent[]) => events.map((e) => e.kind);

/** posix_spawn of /bin/true through clone3(CLONE_VM|CLONE_VFORK), reaped with wait4 (G1, G4). */
function spawnFixture(p: number, c: number, childExec: 'ok' | 'enoent' = 'ok') {
  const cap = new FixtureCapture();
  cap.execve(p, '/tmp/forkscope/bin/spawn', ['spawn']);
  const clone = cap.open(p, 'clone3', cap.clone3Args(['CLONE_VM', 'CLONE_VFORK'], ident('SIGCHLD')));
  if (childExec === 'ok') {
    cap.execve(c, '/bin/true', ['true']);
    clone.finish(ok(c));
    const wait = cap.open(p, 'wait4', pos(int(c), exitedStatus(0), int(0), NULL));
    cap.exitGroup(c, 0);
    cap.exited(c, 0);
    wait.finish(ok(c));
  } else {
    cap.execve(c, '/nonexistent', ['true'], err('ENOENT'));
    cap.exitGroup(c, 127);
    cap.exited(c, 127);
    clone.finish(ok(c));
    cap.wait4(p, c, exitedStatus(127), int(0), ok(c));
  }
  cap.sigchld(p, c, 'CLD_EXITED', int(childExec === 'ok' ? 0 : 127));
  cap.exitGroup(p, 0);
  cap.exited(p, 0);
  return cap.events;
}

describe('fixture events: posix_spawn through clone3 vfork', () => {
  it('renumbers pids by creation and keeps each task\'s lifecycle calls (G1)', () => {
    const n = normalize(spawnFixture(4082, 4083));
    expect(n.processes.map((p) => [p.pid, p.parent])).toEqual([[1, null], [2, 1]]);
    expect(n.processes[1]?.createdBy).toEqual({ pid: 1, index: 1 });
    const parent = task(n, 1);
    expect(kinds(parent.events)).toEqual(['exec', 'clone', 'wait', 'exit-call', 'exited']);
    expect(parent.events[1]).toEqual({ kind: 'clone', call: 'clone3', flags: ['CLONE_VFORK', 'CLONE_VM'], exitSignal: 'SIGCHLD', result: 2, size: 88 });
    expect(parent.events[2]).toEqual({
      kind: 'wait',
      call: 'wait4',
      target: { kind: 'pid', pid: 2 },
      options: [],
      result: 2,
      child: 2,
      status: { kind: 'exited', code: 0 },
    });
    expect(parent.signals).toEqual([{ signal: 'SIGCHLD', code: 'CLD_EXITED', pid: 2, status: 0 }]);
    expect(task(n, 2).events[0]).toEqual({ kind: 'exec', call: 'execve', path: '/bin/true', argv: ['true'], argvTruncated: false, result: 0 });
    expect(n.processes[1]?.exit).toEqual({ kind: 'exited', code: 0 });
  });

  it('A2 G4: the vfork parent resumed after the child\'s successful execve; wait after the child\'s exit (E26)', () => {
    const n = normalize(spawnFixture(4082, 4083));
    expect(n.orderings).toEqual([
      { kind: 'resumed-after', reason: 'vfork-released-by-exec', call: { pid: 1, index: 1 }, after: { pid: 2, index: 0 } },
      { kind: 'resumed-after', reason: 'wait-after-exit', call: { pid: 1, index: 2 }, after: { pid: 2, index: 2 } },
    ]);
  });

  it('A3: after a failed execve the parent is released by the child\'s exit, not by the exec', () => {
    const n = normalize(spawnFixture(10, 11, 'enoent'));
    const child = task(n, 2);
    expect(child.events[0]).toMatchObject({ kind: 'exec', result: 'ENOENT' });
    expect(child.events[1]).toEqual({ kind: 'exit-call', call: 'exit_group', code: 127 });
    expect(n.orderings.filter((o) => o.call.pid === 1 && o.call.index === 1)).toEqual([
      { kind: 'resumed-after', reason: 'vfork-released-by-exit', call: { pid: 1, index: 1 }, after: { pid: 2, index: 1 } },
    ]);
  });

  it('claims no ordering the recording does not show (vfork resumed line before the child\'s exec line)', () => {
    const cap = new FixtureCapture();
    const clone = cap.open(1, 'clone3', cap.clone3Args(['CLONE_VM', 'CLONE_VFORK'], ident('SIGCHLD')));
    clone.finish(ok(2));
    cap.execve(2, '/bin/true', ['true']);
    expect(normalize(cap.events).orderings).toEqual([]);
  });

  it('is stable across re-captures: other pids, other addresses, same normalized form', () => {
    const reference = canonicalJson(normalize(spawnFixture(4082, 4083)));
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4_000_000 }), fc.integer({ min: 1, max: 1000 }), (p, d) => {
        expect(canonicalJson(normalize(spawnFixture(p, p + d)))).toBe(reference);
      }),
    );
  });

  it('holds no raw pid, address or timestamp', () => {
    const text = canonicalJson(normalize(spawnFixture(4082, 4083)));
    expect(text).not.toContain('4082');
    expect(text).not.toContain('4083');
    expect(text).not.toContain('0x');
    expect(text).not.toContain('1795726032');
  });
});

describe('fixture events: vfork released by exit (A1)', () => {
  it('points at the child\'s exit_group entry, which strace prints before the parent resumes', () => {
    const cap = new FixtureCapture();
    const vfork = cap.open(500, 'vfork', []);
    cap.exitGroup(501, 3);
    vfork.finish(ok(501));
    cap.exited(501, 3); // strace reports the exit after the parent already resumed
    cap.wait4(500, 501, exitedStatus(3), int(0), ok(501));
    const n = normalize(cap.events);
    expect(task(n, 1).events[0]).toEqual({ kind: 'clone', call: 'vfork', flags: ['CLONE_VFORK', 'CLONE_VM'], exitSignal: 'SIGCHLD', result: 2 });
    expect(n.orderings).toEqual([
      { kind: 'resumed-after', reason: 'vfork-released-by-exit', call: { pid: 1, index: 0 }, after: { pid: 2, index: 0 } },
      { kind: 'resumed-after', reason: 'wait-after-exit', call: { pid: 1, index: 1 }, after: { pid: 2, index: 1 } },
    ]);
  });
});

describe('fixture events: numbering', () => {
  it('numbers depth first by creator, so racing siblings keep their numbers', () => {
    // Root forks A then B; A forks A1. Whether A1's clone result is printed before or
    // after B's, A1 is 3 and B is 4.
    const build = (a1First: boolean) => {
      const cap = new FixtureCapture();
      cap.fork(100, 200);
      if (a1First) {
        cap.fork(200, 201);
        cap.fork(100, 300);
      } else {
        cap.fork(100, 300);
        cap.fork(200, 201);
      }
      return normalize(cap.events);
    };
    for (const n of [build(true), build(false)]) {
      expect(n.processes.map((p) => [p.pid, p.parent])).toEqual([[1, null], [2, 1], [3, 2], [4, 1]]);
    }
  });

  it('adopts a child whose lines come before its parent\'s clone result', () => {
    const cap = new FixtureCapture();
    const clone = cap.open(7, 'clone', [{ name: 'flags', value: flags('CLONE_CHILD_SETTID', 'SIGCHLD') }]);
    cap.exitGroup(9, 0);
    clone.finish(ok(9));
    const n = normalize(cap.events);
    expect(n.processes.map((p) => p.pid)).toEqual([1, 2]);
    expect(task(n, 2).events).toEqual([{ kind: 'exit-call', call: 'exit_group', code: 0 }]);
  });
});

describe('fixture events: threads', () => {
  const threadFlags = ['CLONE_VM', 'CLONE_FS', 'CLONE_FILES', 'CLONE_SIGHAND', 'CLONE_THREAD', 'CLONE_SYSVSEM', 'CLONE_SETTLS', 'CLONE_PARENT_SETTID', 'CLONE_CHILD_CLEARTID'];

  it('G3: a CLONE_THREAD task is listed under its process, with exit_signal 0 as null', () => {
    const cap = new FixtureCapture();
    cap.syscall(50, 'clone3', cap.clone3Args(threadFlags, int(0), struct({ parent_tid: arr(int(51)) })), ok(51));
    cap.syscall(51, 'exit', pos(int(0)), { kind: 'unknown' });
    cap.exited(51, 0);
    cap.exitGroup(50, 0);
    cap.exited(50, 0);
    const n = normalize(cap.events);
    expect(n.processes).toHaveLength(1);
    expect(n.processes[0]?.tasks.map((t) => [t.tid, t.thread])).toEqual([[1, false], [2, true]]);
    expect(task(n, 1).events[0]).toMatchObject({ kind: 'clone', exitSignal: null, result: 2 });
    expect(task(n, 2).events).toEqual([{ kind: 'exit-call', call: 'exit', code: 0 }, { kind: 'exited', code: 0 }]);
  });

  it('D19: exec from a non-leader thread supersedes the leader; the thread carries on as the process', () => {
    const cap = new FixtureCapture();
    cap.fork(7000, 7673);
    cap.syscall(7673, 'clone3', cap.clone3Args(threadFlags, int(0), struct({ parent_tid: arr(int(7674)) })), ok(7674));
    const exec = cap.open(7674, 'execve', pos(str('/bin/true'), arr(str('/bin/true')), NULL));
    cap.superseded(7673, 7674);
    exec.finish(ok(0));
    cap.exitGroup(7673, 0); // printed under the leader's pid: the thread now owns it
    cap.exited(7673, 0);
    cap.wait4(7000, 7673, exitedStatus(0), int(0), ok(7673));
    const n = normalize(cap.events);
    const proc = n.processes.find((p) => p.pid === 2);
    expect(proc?.tasks.map((t) => t.tid)).toEqual([2, 3]);
    expect(kinds(task(n, 2).events)).toEqual(['clone', 'superseded']);
    expect(task(n, 2).events[1]).toEqual({ kind: 'superseded', by: 3 });
    expect(kinds(task(n, 3).events)).toEqual(['exec', 'exit-call', 'exited']);
    expect(proc?.exit).toEqual({ kind: 'exited', code: 0 });
    // The wait reaped the process (pid 2); it returned after the exec'ing thread's exit.
    expect(task(n, 1).events[1]).toMatchObject({ kind: 'wait', result: 2, child: 2 });
    expect(n.orderings).toContainEqual({ kind: 'resumed-after', reason: 'wait-after-exit', call: { pid: 1, index: 1 }, after: { pid: 3, index: 2 } });
  });
});

describe('fixture events: CLONE_PARENT (C14)', () => {
  it('makes the new process a child of the caller\'s parent', () => {
    const cap = new FixtureCapture();
    cap.fork(1, 2);
    cap.cloneFlags(2, 3, ['CLONE_PARENT', 'SIGCHLD']);
    const n = normalize(cap.events);
    expect(n.processes.map((p) => [p.pid, p.parent])).toEqual([[1, null], [2, 1], [3, 1]]);
    expect(n.processes[2]?.createdBy).toEqual({ pid: 2, index: 0 });
    expect(task(n, 2).events[0]).toEqual({ kind: 'clone', call: 'clone', flags: ['CLONE_PARENT'], exitSignal: 'SIGCHLD', result: 3 });
  });
});

describe('fixture events: wait and kill forms', () => {
  it('E25: killed with core, stopped (E24), ECHILD (E8) and a pid outside the capture (E9)', () => {
    const cap = new FixtureCapture();
    cap.fork(1, 2);
    cap.killed(2, 'SIGSEGV', true);
    cap.wait4(1, -1, signaledStatus('SIGSEGV', true), int(0), ok(2));
    cap.fork(1, 3);
    cap.wait4(1, 3, stoppedStatus('SIGSTOP'), ident('WSTOPPED'), ok(3));
    cap.wait4(1, -1, NULL, ident('WNOHANG'), err('ECHILD'));
    cap.wait4(1, 999999, NULL, int(0), err('ECHILD'));
    cap.wait4(1, -7, NULL, flags('WNOHANG', '__WALL'), ok(0));
    const ev = task(normalize(cap.events), 1).events;
    expect(ev[1]).toMatchObject({ target: { kind: 'any' }, result: 2, status: { kind: 'killed', signal: 'SIGSEGV', core: true } });
    expect(ev[3]).toMatchObject({ options: ['WSTOPPED'], result: 3, status: { kind: 'stopped', signal: 'SIGSTOP' } });
    expect(ev[4]).toMatchObject({ options: ['WNOHANG'], result: 'ECHILD', child: null, status: null });
    expect(ev[5]).toMatchObject({ target: { kind: 'pid', pid: 'external' }, result: 'ECHILD' });
    expect(ev[6]).toMatchObject({ target: { kind: 'group', pgid: 'external' }, options: ['WNOHANG', '__WALL'], result: 0, child: null });
  });

  it('E15 E16: waitid reports the child and its status through siginfo', () => {
    const cap = new FixtureCapture();
    cap.fork(1, 2);
    cap.fork(1, 3);
    const info = (pid: number, code: string, status: number | string) =>
      struct({ si_signo: ident('SIGCHLD'), si_code: ident(code), si_pid: int(pid), si_status: typeof status === 'number' ? int(status) : ident(status) });
    cap.syscall(1, 'waitid', pos(ident('P_PID'), int(2), info(2, 'CLD_EXITED', 42), ident('WEXITED'), NULL), ok(0));
    cap.syscall(1, 'waitid', pos(ident('P_PIDFD'), int(6), info(3, 'CLD_DUMPED', 'SIGABRT'), ident('WEXITED'), NULL), ok(0));
    const ev = task(normalize(cap.events), 1).events;
    expect(ev[2]).toEqual({
      kind: 'wait',
      call: 'waitid',
      target: { kind: 'pid', pid: 2 },
      options: ['WEXITED'],
      result: 0,
      child: 2,
      status: { kind: 'exited', code: 42 },
    });
    expect(ev[3]).toMatchObject({ target: { kind: 'pidfd', fd: 6 }, child: 3, status: { kind: 'killed', signal: 'SIGABRT', core: true } });
  });

  it('kill and tgkill targets are renumbered; kill(0)/kill(-1) keep their meaning', () => {
    const cap = new FixtureCapture();
    cap.fork(1, 2);
    cap.kill(1, 2, 'SIGKILL');
    cap.kill(1, 0, 'SIGTERM');
    cap.kill(1, -1, 'SIGTERM', err('EPERM'));
    cap.kill(1, 999999, 'SIGTERM', err('ESRCH'));
    cap.syscall(2, 'tgkill', pos(int(2), int(2), ident('SIGSTOP')), ok(0));
    const n = normalize(cap.events);
    expect(task(n, 1).events.slice(1)).toEqual([
      { kind: 'kill', call: 'kill', target: { kind: 'pid', pid: 2 }, signal: 'SIGKILL', result: 0 },
      { kind: 'kill', call: 'kill', target: { kind: 'own-group' }, signal: 'SIGTERM', result: 0 },
      { kind: 'kill', call: 'kill', target: { kind: 'all' }, signal: 'SIGTERM', result: 'EPERM' },
      { kind: 'kill', call: 'kill', target: { kind: 'pid', pid: 'external' }, signal: 'SIGTERM', result: 'ESRCH' },
    ]);
    expect(task(n, 2).events).toEqual([{ kind: 'kill', call: 'tgkill', target: { kind: 'thread', pid: 2, tid: 2 }, signal: 'SIGSTOP', result: 0 }]);
  });

  it('drops an interrupted call the kernel restarts, keeping the restarted one', () => {
    const cap = new FixtureCapture();
    cap.fork(1, 2);
    cap.wait4(1, 2, NULL, int(0), { kind: 'restart', errno: 'ERESTARTSYS', message: 'To be restarted if SA_RESTART is set' });
    cap.wait4(1, 2, exitedStatus(0), int(0), ok(2));
    expect(kinds(task(normalize(cap.events), 1).events)).toEqual(['clone', 'wait']);
  });

  it('a clone that failed keeps its errno and creates nothing (B12)', () => {
    const cap = new FixtureCapture();
    cap.syscall(1, 'clone3', cap.clone3Args(['CLONE_SIGHAND'], ident('SIGCHLD')), err('EINVAL'));
    const n = normalize(cap.events);
    expect(n.processes).toHaveLength(1);
    expect(task(n, 1).events[0]).toEqual({ kind: 'clone', call: 'clone3', flags: ['CLONE_SIGHAND'], exitSignal: 'SIGCHLD', result: 'EINVAL', size: 88 });
  });
});

describe('fixture events: impossible captures stay finite', () => {
  it('a clone that returns its caller\'s own pid, or an ancestor\'s, makes a new task instead of a cycle', () => {
    const cap = new FixtureCapture();
    cap.fork(10, 10);
    cap.fork(10, 11);
    cap.fork(11, 10);
    const n = normalize(cap.events);
    // After each such result the pid names the newest task, so later lines go to it.
    expect(n.processes.map((p) => [p.pid, p.parent])).toEqual([[1, null], [2, 1], [3, 2], [4, 3]]);
  });

  it('a takeover that would loop (each task superseded by the other) is refused', () => {
    const cap = new FixtureCapture();
    cap.superseded(20, 21);
    cap.superseded(21, 20);
    cap.exited(20, 0);
    const n = normalize(cap.events);
    expect(n.processes.length).toBeGreaterThan(0);
    expect(JSON.stringify(n)).toContain('"superseded"');
  });
});

describe('canonical JSON', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }, 1] })).toBe('{\n  "a": [\n    {\n      "c": 3,\n      "d": 2\n    },\n    1\n  ],\n  "b": 1\n}\n');
  });
});
