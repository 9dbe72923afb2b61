import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '@forkscope/tracer';
import { CaptureChanged, REORDER_SLACK, StepOrder, StragglerScan, buildSchedule, mayStraggle } from '../src/replay/steps.js';
import type { ReplayStep } from '../src/replay/steps.js';
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

describe('StepOrder: the schedule a window at a time', () => {
  // Two tasks: 1 waits in one wait4 across the whole run (a shell under its pipeline), 2 makes
  // one-line calls, and a signal shares a line with the call it interrupts. Events arrive as the
  // parser hands them over: the wait4 only at its resumed line, far past the reorder window.
  const n = REORDER_SLACK * 3;
  const wait = fixtureSyscall({ pid: 1, name: 'wait4', line: 2, endLine: n + 3, result: 2n });
  const events: TraceEvent[] = [fixtureSyscall({ pid: 1, name: 'execve', line: 1 })];
  for (let line = 3; line <= n; line++) events.push(fixtureSyscall({ pid: 2, name: 'getpid', line, result: 2n }));
  const late = fixtureSyscall({ pid: 2, name: 'read', line: n + 1, endLine: n + 2 });
  const tie = fixtureSignal(2, n + 2, 'SIGCHLD');
  events.push(tie, late, fixtureExited(2, n + 2, 0), wait, fixtureExited(1, n + 4, 0));
  const shown = (steps: readonly ReplayStep[]) => steps.map((x) => `${x.kind}@${x.line}:${x.event.kind}`);

  /** Feeds `size` events per window; settledBefore is the wait4's line until it has arrived, as the parser says. */
  function windowed(order: StepOrder, size: number): ReplayStep[] {
    const out: ReplayStep[] = [];
    for (let i = 0; i < events.length; i += size) {
      const batch = events.slice(i, i + size);
      for (const e of batch) order.add(e);
      const waitIn = events.indexOf(wait) < i + size;
      order.release(waitIn ? Infinity : wait.span.line, (step) => out.push(step));
    }
    order.release(Infinity, (step) => out.push(step));
    return out;
  }

  it('with the stragglers a first pass found, hands out the whole-capture schedule, holding only the slack', () => {
    const scan = new StragglerScan();
    for (const e of events) scan.add(e);
    expect(scan.stragglers.map((s) => s.event)).toEqual([wait]);
    const order = new StepOrder(false, scan.stragglers);
    let most = 0;
    const out: ReplayStep[] = [];
    for (let i = 0; i < events.length; i += 100) {
      for (const e of events.slice(i, i + 100)) order.add(e);
      order.release(wait.span.line, (step) => out.push(step));
      most = Math.max(most, events.slice(0, i + 100).length - out.length);
    }
    order.release(Infinity, (step) => out.push(step));
    expect(shown(out)).toEqual(shown(buildSchedule(events).steps));
    // Held at most the slack window (and a window's worth), not the run behind the open wait4.
    expect(most).toBeLessThan(REORDER_SLACK + 200);
  });

  it('without them, the same order whatever the window size (the open call holds everything back)', () => {
    for (const size of [1, 7, 5000]) expect(shown(windowed(new StepOrder(false, null), size))).toEqual(shown(buildSchedule(events).steps));
  });

  it('a straggler missing from the first pass is a bug it reports, not a silent reordering', () => {
    const order = new StepOrder(false, []);
    for (const e of events.slice(0, -2)) order.add(e);
    order.release(wait.span.line, () => undefined);
    order.add(wait);
    expect(() => order.release(Infinity, () => undefined)).toThrow(/reorder buffer: a step at line 2 after line/);
  });

  it('a second reading that differs from the first (a file still being written) is CaptureChanged', () => {
    const scan = new StragglerScan();
    for (const e of events) scan.add(e);
    const order = new StepOrder(false, scan.stragglers);
    const changed = events.map((e) => (e === wait ? fixtureSyscall({ pid: 1, name: 'wait4', line: 5, endLine: n + 3 }) : e));
    expect(() => {
      for (const e of changed) order.add(e);
      order.release(Infinity, () => undefined);
    }).toThrow(CaptureChanged);
  });

  it('a call the first pass read that comes back with other lines is CaptureChanged at once', () => {
    const scan = new StragglerScan();
    for (const e of events) scan.add(e);
    const order = new StepOrder(false, scan.stragglers);
    const changed = events.map((e) => (e === wait ? fixtureSyscall({ pid: 1, name: 'wait4', line: 2, endLine: n + 1 }) : e));
    expect(() => {
      for (const e of changed) order.add(e);
    }).toThrow(CaptureChanged);
  });

  it('a call open longer than the slack but read before the window passes it is no straggler, and is placed once', () => {
    // The first pass keeps every call spanning more than the slack (mayStraggle), whether or not it
    // arrives behind the window: one that does not is read again in time and still placed once.
    const long = fixtureSyscall({ pid: 7, name: 'read', line: 3, endLine: REORDER_SLACK + 10 });
    const lines: TraceEvent[] = [long];
    for (let l = REORDER_SLACK + 11; l < REORDER_SLACK + 20; l++) lines.push(fixtureSyscall({ pid: 8, name: 'getpid', line: l, endLine: l }));
    expect(mayStraggle(long.span.line, long.span.endLine)).toBe(true);
    const scan = new StragglerScan();
    for (const e of lines) scan.add(e);
    expect(scan.stragglers.map((s) => s.event)).toEqual([long]);
    const order = new StepOrder(false, scan.stragglers);
    const out: ReplayStep[] = [];
    for (const e of lines) order.add(e);
    order.release(Infinity, (step) => out.push(step));
    expect(out.map((s) => [s.kind, s.line])).toEqual([['enter', 3], ['exit', REORDER_SLACK + 10], ...lines.slice(1).map((e) => ['call', e.span.line])]);
  });
});
