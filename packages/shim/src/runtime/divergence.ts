// The first difference between a model run and its capture, in words: which process and call,
// what the capture has and what the run has. Process behaviour is looked at before orderings,
// because a changed call explains a changed ordering but not the other way round.
import { describeDifference, diffNormalized, type NormEvent, type NormEventRef, type NormOrdering, type Normalized } from '@forkscope/tracer';

function eventLabel(e: NormEvent | undefined): string {
  if (!e) return 'nothing';
  switch (e.kind) {
    case 'clone':
      return `${e.call} = ${JSON.stringify(e.result)}`;
    case 'exec':
      return `${e.call}(${e.path ?? '?'}) = ${JSON.stringify(e.result)}`;
    case 'exit-call':
      return `${e.call}(${e.code ?? '?'})`;
    case 'wait':
      // A wait that reaped without asking for the status (glibc's own waitpid(pid, NULL)) says so.
      return `${e.call} = ${JSON.stringify(e.result)}${e.status ? ` (${statusText(e.status)})` : typeof e.result === 'number' && e.result > 0 ? ' (status not asked for)' : ''}`;
    case 'kill':
      return `${e.call}(${e.signal ?? '?'}) = ${JSON.stringify(e.result)}`;
    case 'exited':
      return `exited ${e.code}`;
    case 'killed':
      return `killed by ${e.signal}`;
    case 'superseded':
      return `superseded by task ${e.by}`;
    default: {
      const never: never = e;
      return JSON.stringify(never);
    }
  }
}

function statusText(s: NonNullable<Extract<NormEvent, { kind: 'wait' }>['status']>): string {
  switch (s.kind) {
    case 'exited':
      return `exit ${s.code}`;
    case 'killed':
      return `killed by ${String(s.signal)}`;
    case 'stopped':
      return `stopped by ${String(s.signal)}`;
    case 'continued':
      return 'continued';
    default: {
      const never: never = s;
      return JSON.stringify(never);
    }
  }
}

function eventAt(n: Normalized, ref: NormEventRef): NormEvent | undefined {
  for (const p of n.processes) for (const t of p.tasks) if (t.tid === ref.pid) return t.events[ref.index];
  return undefined;
}

const REASON: { readonly [r in NormOrdering['reason']]: string } = {
  'vfork-released-by-exec': 'the vfork parent stays suspended until the child execs (A2)',
  'vfork-released-by-exit': 'the vfork parent stays suspended until the child exits (A1)',
  'wait-after-exit': 'the wait returns only after the child exited (E26)',
};

function orderingText(n: Normalized, o: NormOrdering): string {
  return `task ${o.call.pid}'s ${eventLabel(eventAt(n, o.call))} after task ${o.after.pid}'s ${eventLabel(eventAt(n, o.after))}`;
}

/** One line; null when the two forms are equal. */
export function describeDivergence(expected: Normalized, actual: Normalized): string | null {
  const diffs = diffNormalized(expected, actual, 200);
  if (diffs.length === 0) return null;
  const processDiff = diffs.find((d) => d.path.startsWith('/processes/'));
  if (processDiff) {
    const seg = processDiff.path.split('/');
    // /processes/P/tasks/T/events/E/…
    const p = Number(seg[2]);
    const proc = expected.processes[p] ?? actual.processes[p];
    if (seg[3] === 'tasks' && seg[5] === 'events') {
      const t = Number(seg[4]);
      const e = Number(seg[6]);
      const task = proc?.tasks[t];
      const exp = expected.processes[p]?.tasks[t]?.events[e];
      const act = actual.processes[p]?.tasks[t]?.events[e];
      const same = eventLabel(exp) === eventLabel(act);
      const field = same ? ` (${describeDifference({ ...processDiff, path: '/' + seg.slice(7).join('/') })})` : '';
      return `task ${task?.tid ?? '?'}, call ${e}: capture has ${eventLabel(exp)}, run has ${eventLabel(act)}${field}`;
    }
    if (seg[3] === 'exit') {
      const show = (x: unknown): string => {
        if (x === null || x === undefined) return 'no end';
        const v = x as { kind: string; code?: number; signal?: string };
        return v.kind === 'exited' ? `exit ${v.code ?? '?'}` : `killed by ${v.signal ?? '?'}`;
      };
      return `process ${proc?.pid ?? '?'} ends: capture ${show(expected.processes[p]?.exit)}, run ${show(actual.processes[p]?.exit)}`;
    }
    return `process ${proc?.pid ?? '?'}: ${describeDifference(processDiff)}`;
  }
  const key = (o: NormOrdering): string => JSON.stringify(o);
  const have = new Set(actual.orderings.map(key));
  const lost = expected.orderings.find((o) => !have.has(key(o)));
  if (lost) return `ordering lost: ${REASON[lost.reason]}; capture has ${orderingText(expected, lost)}`;
  const want = new Set(expected.orderings.map(key));
  const extra = actual.orderings.find((o) => !want.has(key(o)));
  if (extra) return `extra ordering: ${orderingText(actual, extra)}`;
  const first = diffs[0];
  return first ? describeDifference(first) : null;
}
