// The timeline a report draws, computed from trace events: one lane per task grouped by
// process, a mark per event, bars for calls that blocked, arrows for what caused what.
// Plain data (numbers and strings) so that it can be embedded in the page as JSON.
import { formatEvent, processTree, type SyscallEvent, type TraceEvent, type TreeProcess } from '@forkscope/tracer';
import type { ReportDivergence } from './divergence.js';

/** How a mark is drawn; the client keys its colours and shapes on these names. */
export type MarkKind = 'call' | 'clone' | 'exec' | 'exit-call' | 'wait' | 'signal' | 'end' | 'diagnostic';

export interface Lane {
  readonly tid: number | null;
  /** Index into `groups`. */
  readonly group: number;
  readonly label: string;
  readonly thread: boolean;
}

export interface LaneGroup {
  readonly pid: number | null;
  /** Process label: pid and the program it last exec'd. */
  readonly label: string;
  /** Nesting depth in the creation tree (0 for a root). */
  readonly depth: number;
}

export interface Mark {
  readonly lane: number;
  readonly x0: number;
  /** Equal to x0 except for calls that blocked (split in the capture). */
  readonly x1: number;
  readonly kind: MarkKind;
  /** Short label (syscall name, signal, `exit 0`). */
  readonly name: string;
  /** The call failed (an errno) or the task was killed. */
  readonly failed: boolean;
  /** A vfork (CLONE_VFORK) call: its bar is the parent's suspension. */
  readonly vfork: boolean;
  readonly line: number;
  readonly endLine: number;
  /** The input file, when the capture was several files (-ff, Shadow's per-process logs). */
  readonly file?: string;
  /** The recorded line(s), as strace printed them. */
  readonly text: string;
  /** Index into `divergences`, or -1. */
  readonly divergence: number;
}

export type ArrowKind = 'clone' | 'vfork-release' | 'reap';

export interface Arrow {
  readonly kind: ArrowKind;
  readonly fromLane: number;
  readonly fromX: number;
  readonly toLane: number;
  readonly toX: number;
}

export interface Timeline {
  /** `us`: x is microseconds since the first timestamp; `line`: x is the line number. */
  readonly unit: 'us' | 'line';
  readonly groups: readonly LaneGroup[];
  readonly lanes: readonly Lane[];
  /** Sorted by lane, then x0. */
  readonly marks: readonly Mark[];
  readonly arrows: readonly Arrow[];
  readonly divergences: readonly ReportDivergence[];
  /** Divergences whose line is no event of the capture (shown in the list, not on a lane). */
  readonly unplaced: readonly number[];
  /** Events that belong to no task (messages, summaries): counted, listed in the footer. */
  readonly offLane: number;
  readonly minX: number;
  readonly maxX: number;
}

const CLONE_CALLS: ReadonlySet<string> = new Set(['clone', 'clone3', 'fork', 'vfork']);
const EXEC_CALLS: ReadonlySet<string> = new Set(['execve', 'execveat']);
const WAIT_CALLS: ReadonlySet<string> = new Set(['wait4', 'waitid', 'waitpid']);

export function buildTimeline(events: readonly TraceEvent[], divergences: readonly ReportDivergence[] = []): Timeline {
  const timed = events.some((e) => e.prefix.time !== undefined);
  let t0: bigint | null = null;
  if (timed) for (const e of events) if (e.prefix.time !== undefined && (t0 === null || e.prefix.time.ns < t0)) t0 = e.prefix.time.ns;
  // Microseconds as a float: exact for any capture shorter than ~285 years.
  const xOf = (ns: bigint | undefined, line: number): number =>
    timed ? (ns === undefined || t0 === null ? NaN : Number(ns - t0) / 1000) : line;

  const { groups, lanes, laneOfTid } = layoutLanes(events);
  const noPidLane = (): number => {
    let i = lanes.findIndex((l) => l.tid === null);
    if (i < 0) {
      groups.push({ pid: null, label: '(no pid)', depth: 0 });
      lanes.push({ tid: null, group: groups.length - 1, label: '(no pid)', thread: false });
      i = lanes.length - 1;
    }
    return i;
  };

  const byLine = new Map<number, number[]>();
  divergences.forEach((d, i) => {
    const list = byLine.get(d.line);
    if (list === undefined) byLine.set(d.line, [i]);
    else list.push(i);
  });
  const placed = new Set<number>();

  const files = new Set<string | undefined>();
  for (const ev of events) files.add(ev.span.file);
  const multiFile = files.size > 1;
  const marks: Mark[] = [];
  const markOf = new Map<TraceEvent, Mark>();
  const blocked = new Map<number, { name: string; mark: Mark; event: TraceEvent }>();
  let offLane = 0;
  let lastX = 0;
  for (const ev of events) {
    const kind = markKind(ev);
    if (kind === null) {
      offLane++;
      continue;
    }
    const lane = ev.pid === null ? noPidLane() : (laneOfTid.get(ev.pid) ?? noPidLane());
    let x0 = xOf(ev.prefix.time?.ns, ev.span.line);
    // A line without a stamp (rare: a diagnostic) sits where the previous one did.
    if (Number.isNaN(x0)) x0 = lastX;
    let x1 = x0;
    if (ev.kind === 'syscall' && ev.split) {
      const end = xOf(ev.endTime?.ns, ev.span.endLine);
      if (!Number.isNaN(end)) x1 = Math.max(x0, end);
    }
    lastX = x0;
    let divergence = -1;
    if (byLine.size > 0) {
      // An event's own lines are its first and last (the lines between belong to other tasks).
      const own = ev.span.endLine === ev.span.line ? [ev.span.line] : [ev.span.line, ev.span.endLine];
      for (const l of own) {
        for (const i of byLine.get(l) ?? []) {
          const d = divergences[i] as ReportDivergence;
          if (d.pid !== null && ev.pid !== null && d.pid !== ev.pid) continue;
          placed.add(i);
          if (divergence < 0) divergence = i;
        }
      }
    }
    let mark: Mark = {
      ...(ev.span.file !== undefined && multiFile ? { file: ev.span.file } : {}),
      lane,
      x0,
      x1,
      kind,
      name: markName(ev),
      failed: (ev.kind === 'syscall' && ev.outcome.kind === 'error') || ev.kind === 'killed',
      vfork: ev.kind === 'syscall' && isVforkCall(ev),
      line: ev.span.line,
      endLine: ev.span.endLine,
      text: formatEvent(ev).join('\n'),
      divergence,
    };
    // Shadow logs a call that blocks as `= <blocked>`, then the call again when it completes:
    // the two lines are one blocked span, like strace's unfinished/resumed halves.
    if (ev.kind === 'syscall' && ev.pid !== null) {
      const held = blocked.get(ev.pid);
      if (held !== undefined) {
        blocked.delete(ev.pid);
        if (held.name === ev.name && ev.outcome.kind !== 'blocked') {
          mark = { ...mark, x0: held.mark.x0, line: held.mark.line, text: held.mark.text + '\n' + mark.text, divergence: mark.divergence >= 0 ? mark.divergence : held.mark.divergence };
          markOf.set(held.event, mark);
        } else {
          marks.push(held.mark);
        }
      }
      if (ev.outcome.kind === 'blocked') {
        blocked.set(ev.pid, { name: ev.name, mark, event: ev });
        markOf.set(ev, mark);
        continue;
      }
    }
    marks.push(mark);
    markOf.set(ev, mark);
  }
  for (const held of blocked.values()) marks.push(held.mark);
  const unplaced: number[] = [];
  for (let i = 0; i < divergences.length; i++) if (!placed.has(i)) unplaced.push(i);

  const arrows = buildArrows(events, markOf, laneOfTid);
  marks.sort((a, b) => a.lane - b.lane || a.x0 - b.x0 || a.line - b.line);
  let minX = Infinity;
  let maxX = -Infinity;
  for (const m of marks) {
    minX = Math.min(minX, m.x0);
    maxX = Math.max(maxX, m.x1);
  }
  if (marks.length === 0) {
    minX = 0;
    maxX = 1;
  }
  return { unit: timed ? 'us' : 'line', groups, lanes, marks, arrows, divergences, unplaced, offLane, minX, maxX };
}

function markKind(ev: TraceEvent): MarkKind | null {
  switch (ev.kind) {
    case 'syscall':
      if (CLONE_CALLS.has(ev.name)) return 'clone';
      if (EXEC_CALLS.has(ev.name)) return 'exec';
      if (ev.name === 'exit' || ev.name === 'exit_group') return 'exit-call';
      if (WAIT_CALLS.has(ev.name)) return 'wait';
      return 'call';
    case 'signal':
    case 'stopped':
      return 'signal';
    case 'exited':
    case 'killed':
    case 'superseded':
      return 'end';
    case 'diagnostic':
      return 'diagnostic';
    case 'attached':
    case 'detached':
    case 'summary':
    case 'message':
      return null;
    default: {
      const never: never = ev;
      return never;
    }
  }
}

function markName(ev: TraceEvent): string {
  switch (ev.kind) {
    case 'syscall':
      return ev.name;
    case 'signal':
    case 'stopped':
      return ev.signal;
    case 'exited':
      return `exit ${ev.code}`;
    case 'killed':
      return `killed ${ev.signal}`;
    case 'superseded':
      return `superseded by ${ev.byPid}`;
    case 'diagnostic':
      return 'not understood';
    default:
      return ev.kind;
  }
}

function isVforkCall(ev: SyscallEvent): boolean {
  if (ev.name === 'vfork') return true;
  // clone/clone3 with CLONE_VFORK (posix_spawn's clone3 path, A2).
  return (ev.name === 'clone' || ev.name === 'clone3') && ev.argsText.includes('CLONE_VFORK');
}

/** The pid a clone-family call returned, or null when it failed or never returned. */
function createdTid(ev: SyscallEvent): number | null {
  if (!CLONE_CALLS.has(ev.name) || ev.outcome.kind !== 'value' || ev.outcome.value <= 0n) return null;
  return Number(ev.outcome.value);
}

/** The child a wait call reaped: wait4's result, waitid's si_pid. */
function reapedTid(ev: SyscallEvent): number | null {
  if (!WAIT_CALLS.has(ev.name) || ev.outcome.kind !== 'value') return null;
  if (ev.name !== 'waitid') return ev.outcome.value > 0n ? Number(ev.outcome.value) : null;
  const at = ev.argsText.indexOf('si_pid=');
  if (at < 0) return null;
  let i = at + 7;
  let n = 0;
  let digits = 0;
  for (; i < ev.argsText.length && digits < 10; i++, digits++) {
    const c = ev.argsText.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
  }
  return digits > 0 && n > 0 ? n : null;
}

/** Lanes in creation order: each process's leader, then its threads, then its children. */
function layoutLanes(events: readonly TraceEvent[]): { groups: LaneGroup[]; lanes: Lane[]; laneOfTid: Map<number, number> } {
  const groups: LaneGroup[] = [];
  const lanes: Lane[] = [];
  const laneOfTid = new Map<number, number>();
  const addLane = (tid: number, group: number, thread: boolean): void => {
    if (laneOfTid.has(tid)) return;
    laneOfTid.set(tid, lanes.length);
    lanes.push({ tid, group, label: thread ? `thread ${tid}` : `${tid}`, thread });
  };
  const visit = (p: TreeProcess, depth: number): void => {
    const last = p.execs.filter((e) => e.ok === true).at(-1);
    const program = last?.path ?? null;
    const name = program === null ? '' : ` ${program.slice(program.lastIndexOf('/') + 1)}`;
    groups.push({ pid: p.pid, label: `${p.pid ?? '?'}${name}`, depth });
    const g = groups.length - 1;
    if (p.pid !== null) addLane(p.pid, g, false);
    for (const t of p.threads) if (t.tid !== null) addLane(t.tid, g, true);
    for (const c of p.children) visit(c, depth + 1);
  };
  for (const root of processTree(events).roots) visit(root, 0);
  // Tasks the tree did not place (a trace attached mid-run): their own group each, in order of appearance.
  for (const ev of events) {
    if (ev.pid === null || laneOfTid.has(ev.pid) || markKind(ev) === null) continue;
    groups.push({ pid: ev.pid, label: `${ev.pid}`, depth: 0 });
    addLane(ev.pid, groups.length - 1, false);
  }
  return { groups, lanes, laneOfTid };
}

function buildArrows(events: readonly TraceEvent[], markOf: ReadonlyMap<TraceEvent, Mark>, laneOfTid: ReadonlyMap<number, number>): Arrow[] {
  const arrows: Arrow[] = [];
  const firstOf = new Map<number, Mark>();
  const releaseOf = new Map<number, Mark>();
  const endOf = new Map<number, Mark>();
  for (const ev of events) {
    const mk = markOf.get(ev);
    if (mk === undefined || ev.pid === null) continue;
    if (!firstOf.has(ev.pid)) firstOf.set(ev.pid, mk);
    const isRelease =
      (ev.kind === 'syscall' && EXEC_CALLS.has(ev.name) && ev.outcome.kind === 'value') || ev.kind === 'exited' || ev.kind === 'killed';
    if (isRelease && !releaseOf.has(ev.pid)) releaseOf.set(ev.pid, mk);
    if (ev.kind === 'exited' || ev.kind === 'killed') endOf.set(ev.pid, mk);
  }
  for (const ev of events) {
    if (ev.kind !== 'syscall' || ev.pid === null) continue;
    const mk = markOf.get(ev);
    const from = laneOfTid.get(ev.pid);
    if (mk === undefined || from === undefined) continue;
    const child = createdTid(ev);
    if (child !== null) {
      const to = laneOfTid.get(child);
      const first = firstOf.get(child);
      if (to !== undefined) arrows.push({ kind: 'clone', fromLane: from, fromX: mk.x0, toLane: to, toX: first?.x0 ?? mk.x0 });
      const release = releaseOf.get(child);
      // Only where the parent is shown blocked (strace's split vfork): a Shadow log has no resume time.
      if (mk.vfork && mk.x1 > mk.x0 && to !== undefined && release !== undefined) {
        // The child's exec (its end time: when the kernel let the parent go) or its exit wakes the parent.
        arrows.push({ kind: 'vfork-release', fromLane: to, fromX: release.x1, toLane: from, toX: mk.x1 });
      }
    }
    const reaped = reapedTid(ev);
    if (reaped !== null) {
      const end = endOf.get(reaped);
      const to = laneOfTid.get(reaped);
      if (end !== undefined && to !== undefined) arrows.push({ kind: 'reap', fromLane: to, fromX: end.x0, toLane: from, toX: mk.x1 });
    }
  }
  return arrows;
}
