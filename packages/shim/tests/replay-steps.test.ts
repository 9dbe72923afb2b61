import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '@forkscope/tracer';
import { buildSchedule } from '../src/replay/steps.js';
import { fixtureExited, fixtureSignal, fixtureSyscall } from './fixtures/events.js';

describe('buildSchedule (fixture events)', () => {
  it('cuts a split call into entry and exit steps placed at their own lines', () => {
    // fixture shaped after a dash capture: the parent's clone is split by the child's first line
    const clone = fixtureSyscall({ pid: 10, name: 'clone', line: 2, endLine: 4, result: 11n });
    const childFirst = fixtureSyscall({ pid: 11, name: 'set_robust_list', line: 3 });
    const exec = fixtureSyscall({ pid: 10, name: 'execve', line: 1 });
    const exited = fixtureExited(11, 5, 0);
    const s = buildSchedule([exec, clone, childFirst, exited]);
    expect(s.steps.map((x) => `${x.kind}@${x.line}`)).toEqual(['call@1', 'enter@2', 'call@3', 'exit@4', 'exited@5']);
    expect(s.unusable).toEqual([]);
  });

  it('orders by line whatever order the events come in', () => {
    const a = fixtureSyscall({ pid: 1, name: 'wait4', line: 3, endLine: 9 });
    const b = fixtureSignal(1, 10, 'SIGCHLD');
    const c = fixtureSyscall({ pid: 2, name: 'exit_group', line: 5, result: 'unknown' });
    const s = buildSchedule([b, a, c]);
    expect(s.steps.map((x) => `${x.kind}@${x.line}`)).toEqual(['enter@3', 'call@5', 'exit@9', 'signal@10']);
  });

  it('when it must sort, keeps the input order of steps on one line (a signal and the call it interrupts, say)', () => {
    const late = fixtureSyscall({ pid: 1, name: 'wait4', line: 2, endLine: 6 });
    const first = fixtureSyscall({ pid: 2, name: 'getpid', line: 4 });
    const same = fixtureSignal(3, 4, 'SIGCHLD');
    const s = buildSchedule([late, first, same]);
    expect(s.steps.map((x) => `${x.kind}@${x.line}:${x.event.pid}`)).toEqual(['enter@2:1', 'call@4:2', 'signal@4:3', 'exit@6:1']);
    expect(buildSchedule([late, same, first]).steps.map((x) => `${x.kind}@${x.line}:${x.event.pid}`)).toEqual(['enter@2:1', 'signal@4:3', 'call@4:2', 'exit@6:1']);
  });

  it('keeps diagnostics and pid-less lines as unusable, never drops them', () => {
    const diag: TraceEvent = {
      kind: 'diagnostic',
      pid: 1,
      span: { line: 2, endLine: 2 },
      prefix: {},
      text: 'garbage',
      reason: 'no syscall name',
    };
    const noPid: TraceEvent = { ...fixtureSyscall({ pid: 1, name: 'getpid', line: 3 }), pid: null };
    const s = buildSchedule([fixtureSyscall({ pid: 1, name: 'execve', line: 1 }), diag, noPid]);
    expect(s.steps).toHaveLength(1);
    expect(s.unusable.map((u) => u.event.span.line)).toEqual([2, 3]);
    expect(s.unusable[0]?.reason).toContain('no syscall name');
  });
});
