// Checks another emulator's trace against a corpus expectation (expected.json): both are put
// in normalized form and compared. A Shadow log cannot show everything strace shows, so for
// that dialect what it cannot show is taken out of the comparison and listed as unchecked,
// never counted as conforming.
import { diffNormalized, type NormDifference, type NormEvent, type NormProcess, type NormTask, type Normalized } from '@forkscope/tracer';
import type { ShadowMode } from './shadow-log.js';

export type TraceDialect = { readonly kind: 'strace' } | { readonly kind: 'shadow'; readonly mode: ShadowMode };

/** A kind of fact the trace's dialect cannot show, how many of them the expectation holds, and why. */
export interface Unchecked {
  readonly what: UncheckedWhat;
  readonly count: number;
  readonly why: string;
}

export type UncheckedWhat =
  | 'signal deliveries'
  | 'process ends'
  | 'cross-task orderings'
  | 'exec paths and argv'
  | 'wait statuses'
  | 'clone3 flags and exit signal'
  | 'results of natively run calls'
  | 'root program exec';

export interface VerifyResult {
  readonly conforms: boolean;
  readonly differences: readonly NormDifference[];
  readonly unchecked: readonly Unchecked[];
  /** How many values of the expectation were compared. */
  readonly checked: number;
  /** The expectation as compared (what the dialect cannot show taken out): difference paths point into it. */
  readonly compared: Normalized;
}

const WHY: Record<UncheckedWhat, string> = {
  'signal deliveries': 'Shadow logs no signal lines (--- SIG… ---)',
  'process ends': 'Shadow logs no +++ exited / killed +++ lines',
  'cross-task orderings': 'Shadow logs no <unfinished ...>/resumed halves, so when a blocked call resumed is not recorded',
  'exec paths and argv': 'printed as <pointer> (deterministic mode) or in a form that is not a string',
  'wait statuses': 'the status or siginfo pointer is not dereferenced in the log (which child, how it ended)',
  'clone3 flags and exit signal': 'the clone_args struct is not dereferenced in the log',
  'results of natively run calls': 'Shadow logged <native> with no ^^^ result line',
  'root program exec': 'Shadow starts each configured program itself, so its log begins after that execve',
};

export function verifyNormalized(expected: Normalized, actual: Normalized, dialect: TraceDialect): VerifyResult {
  if (dialect.kind === 'strace') {
    const differences = diffNormalized(expected, actual);
    return { conforms: differences.length === 0, differences, unchecked: [], checked: leaves(expected), compared: expected };
  }
  const counts = new Map<UncheckedWhat, number>();
  const skip = (what: UncheckedWhat, n = 1): void => {
    if (n > 0) counts.set(what, (counts.get(what) ?? 0) + n);
  };
  skip('cross-task orderings', expected.orderings.length);
  const actualByPid = new Map(actual.processes.map((p) => [p.pid, p]));
  const taskOf = (n: Normalized, tid: number): NormTask | undefined => {
    for (const p of n.processes) for (const t of p.tasks) if (t.tid === tid) return t;
    return undefined;
  };
  // The roots' own execve is Shadow's doing, not the program's: absent from a log that starts
  // after it. Those tasks' events then start one later, and references into them shift.
  const startsAfterExec = new Set<number>();
  for (const p of expected.processes) {
    const first = p.tasks[0]?.events[0];
    if (p.createdBy !== null || first?.kind !== 'exec' || first.result !== 0) continue;
    if (taskOf(actual, p.pid)?.events[0]?.kind !== 'exec') startsAfterExec.add(p.pid);
  }
  const projectProcess = (p: NormProcess): NormProcess => {
    if (p.exit !== null) skip('process ends');
    const other = actualByPid.get(p.pid);
    const createdBy = p.createdBy !== null && startsAfterExec.has(p.createdBy.pid) ? { ...p.createdBy, index: p.createdBy.index - 1 } : p.createdBy;
    return {
      ...p,
      createdBy,
      exit: null,
      tasks: p.tasks.map((t) => {
        const theirs = other?.tasks.find((o) => o.tid === t.tid);
        if (!startsAfterExec.has(t.tid) || t.thread) return projectTask(t, theirs, skip);
        skip('root program exec');
        return projectTask({ ...t, events: t.events.slice(1) }, theirs, skip);
      }),
    };
  };
  const shownExpected: Normalized = { ...expected, orderings: [], processes: expected.processes.map(projectProcess) };
  // The actual side loses the same things (it has none of them, but a hand-edited log might).
  const shownActual: Normalized = {
    ...actual,
    orderings: [],
    processes: actual.processes.map((p) => ({
      ...p,
      exit: null,
      tasks: p.tasks.map((t) => ({ ...t, signals: [], events: t.events.filter((e) => !isEnd(e)) })),
    })),
  };
  const differences = diffNormalized(shownExpected, shownActual);
  const unchecked = [...counts].map(([what, count]) => ({ what, count, why: WHY[what] }));
  return { conforms: differences.length === 0, differences, unchecked, checked: leaves(shownExpected), compared: shownExpected };
}

function isEnd(e: NormEvent): boolean {
  return e.kind === 'exited' || e.kind === 'killed' || e.kind === 'superseded';
}

/** The expected task as far as a Shadow log can show it, given the task the log has at that place. */
function projectTask(t: NormTask, actual: NormTask | undefined, skip: (what: UncheckedWhat, n?: number) => void): NormTask {
  skip('signal deliveries', t.signals.length);
  const kept = t.events.filter((e) => {
    if (!isEnd(e)) return true;
    // A task's end is counted once per process (process ends); a thread's own end here.
    if (t.thread) skip('process ends');
    return false;
  });
  const theirs = actual?.events.filter((e) => !isEnd(e)) ?? [];
  return { ...t, signals: [], events: kept.map((e, i) => projectEvent(e, theirs[i], skip)) };
}

/** Fields the log printed in a form it cannot compare become what the log has (null). */
function projectEvent(e: NormEvent, a: NormEvent | undefined, skip: (what: UncheckedWhat, n?: number) => void): NormEvent {
  if (a === undefined || a.kind !== e.kind) return e;
  switch (e.kind) {
    case 'exec': {
      if (a.kind !== 'exec' || a.call !== e.call) return e;
      let out: NormEvent = e;
      if ((a.path === null && e.path !== null) || (a.argv === null && e.argv !== null)) {
        skip('exec paths and argv');
        out = { ...e, path: a.path === null ? null : e.path, argv: a.argv === null ? null : e.argv, argvTruncated: a.argv === null ? a.argvTruncated : e.argvTruncated };
      }
      if (a.result === null && e.result !== null) {
        skip('results of natively run calls');
        out = { ...out, result: null };
      }
      return out;
    }
    case 'wait': {
      if (a.kind !== 'wait' || a.call !== e.call) return e;
      let out: NormEvent = e;
      if ((a.status === null && e.status !== null) || (a.child === null && e.child !== null && a.result !== null)) {
        skip('wait statuses');
        out = { ...out, status: a.status === null ? null : e.status, child: a.child === null ? null : e.child };
      }
      if (a.result === null && e.result !== null) {
        skip('results of natively run calls');
        out = { ...out, result: null, child: a.child };
      }
      return out;
    }
    case 'clone': {
      if (a.kind !== 'clone' || a.call !== e.call) return e;
      let out: NormEvent = e;
      // A hidden clone_args struct reads as no flags; the reader marks a thread (logged in its
      // creator's file) as CLONE_THREAD alone, which no real clone3 passes (it needs CLONE_SIGHAND).
      const hidden = a.flags.length === 0 || (a.flags.length === 1 && a.flags[0] === 'CLONE_THREAD');
      if (e.call === 'clone3' && hidden && a.exitSignal === null && (e.flags.join() !== a.flags.join() || e.exitSignal !== null)) {
        skip('clone3 flags and exit signal');
        out = { ...out, flags: a.flags, exitSignal: null };
      }
      if (a.result === null && e.result !== null) {
        skip('results of natively run calls');
        out = { ...out, result: null };
      }
      return out;
    }
    case 'kill': {
      if (a.kind !== 'kill' || a.result !== null || e.result === null) return e;
      skip('results of natively run calls');
      return { ...e, result: null };
    }
    case 'exit-call':
    case 'exited':
    case 'killed':
    case 'superseded':
      return e;
    default: {
      const never: never = e;
      return never;
    }
  }
}

/** Number of scalar values in a JSON value (what "N values checked" counts). */
function leaves(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + leaves(x), 0);
  if (v !== null && typeof v === 'object') return Object.values(v).reduce((n: number, x) => n + leaves(x), 0);
  return 1;
}
