// normalize(events): the capture's process behaviour in the language-neutral form of
// normalized.ts. Reads the task model (who created whom), renumbers every task, keeps
// the lifecycle calls of each task in program order, and records the cross-task orderings
// that Linux guarantees and the recording shows.
import type { SyscallEvent, TraceEvent } from '../events.js';
import { field, flagItems, intValue, positional, signalValue, stringArray, stringValue } from '../tree/arg-values.js';
import { cloneInfo } from '../tree/clone-call.js';
import { buildTaskModel, finalHolder, type Task, type TaskModel } from '../tree/task-model.js';
import type { Value } from '../values.js';
import type {
  KillTarget,
  NormEvent,
  NormEventRef,
  NormExit,
  NormOrdering,
  NormProcess,
  NormResult,
  NormSignal,
  NormTask,
  Normalized,
  TaskRef,
  WaitStatus,
  WaitTarget,
} from './normalized.js';
import { recordedOrder } from './recorded-order.js';
import { decodeWaitStatus } from './wait-status.js';

/**
 * `events` in recorded order: one capture file's (parse/parseText/parseFile), or the -ff files of
 * one run as parseFiles merged them, whose order the cross-file orderings are read from.
 */
export function normalize(events: Iterable<TraceEvent>): Normalized {
  const all = [...events];
  return normalizeModel(buildTaskModel(all), all);
}

export function normalizeModel(model: TaskModel, events: readonly TraceEvent[]): Normalized {
  const ids = numberTasks(model);
  const pidRef = pidResolver(model, ids);
  const refOf = new Map<TraceEvent, NormEventRef>();
  const norm = new Map<Task, NormTask>();

  for (const task of model.tasks) {
    const tid = idOf(ids, task);
    const out: NormEvent[] = [];
    const signals: NormSignal[] = [];
    for (const ev of task.events) {
      const n = normalizeEvent(ev, task, ids, pidRef, signals);
      if (n === null) continue;
      refOf.set(ev, { pid: tid, index: out.length });
      out.push(n);
    }
    norm.set(task, { tid, thread: task.thread, events: out, signals });
  }

  const processes: NormProcess[] = model.processes.map((p) => {
    const creation = p.leader.creation;
    const tasks = p.tasks
      .map((t) => norm.get(t))
      .filter((t): t is NormTask => t !== undefined)
      .sort((a, b) => (a.thread === b.thread ? a.tid - b.tid : a.thread ? 1 : -1));
    return {
      pid: idOf(ids, p.leader),
      parent: p.parent === null ? null : idOf(ids, p.parent.leader),
      createdBy: creation === null ? null : (refOf.get(creation.event) ?? null),
      exit: processExit(p.leader),
      tasks,
    };
  });
  processes.sort((a, b) => a.pid - b.pid);

  const orderings = findOrderings(model, events, refOf);
  return { format: 'forkscope-normalized', version: 1, processes, orderings };
}

function idOf(ids: Map<Task, number>, t: Task): number {
  const id = ids.get(t);
  if (id === undefined) throw new Error('task without a number (bug in numberTasks)');
  return id;
}

/** Root first, then depth first: each task's children in the order it created them. */
function numberTasks(model: TaskModel): Map<Task, number> {
  const ids = new Map<Task, number>();
  const visit = (t: Task): void => {
    ids.set(t, ids.size + 1);
    for (const c of t.children) visit(c);
  };
  for (const t of model.tasks) if (t.creation === null) visit(t);
  return ids;
}

/** Maps a pid or tid as printed to its renumbered id; a process's pid stays with its original leader. */
function pidResolver(model: TaskModel, ids: Map<Task, number>): (raw: bigint) => TaskRef {
  const byTid = new Map<number, number>();
  for (const t of model.tasks) if (t.tid !== null) byTid.set(t.tid, idOf(ids, t));
  for (const p of model.processes) if (p.leader.tid !== null) byTid.set(p.leader.tid, idOf(ids, p.leader));
  return (raw) => byTid.get(Number(raw)) ?? 'external';
}

/** The end of the task that held the process's pid last (following exec-from-thread takeovers). */
function processExit(leader: Task): NormExit | null {
  const end = finalHolder(leader).end;
  if (end === null || end.kind === 'superseded') return null;
  return end.kind === 'exited' ? { kind: 'exited', code: end.code } : { kind: 'killed', signal: end.signal, core: end.core };
}

function normalizeEvent(
  ev: TraceEvent,
  task: Task,
  ids: Map<Task, number>,
  pidRef: (raw: bigint) => TaskRef,
  signals: NormSignal[],
): NormEvent | null {
  switch (ev.kind) {
    case 'syscall':
      return normalizeCall(ev, task, ids, pidRef);
    case 'signal':
      signals.push(normalizeSignal(ev.siginfo.length > 0 ? ev.siginfo : [], ev.signal, pidRef));
      return null;
    case 'exited':
      return { kind: 'exited', code: ev.code };
    case 'killed':
      return { kind: 'killed', signal: ev.signal, core: ev.coreDumped };
    case 'superseded':
      return task.end?.kind === 'superseded' ? { kind: 'superseded', by: idOf(ids, task.end.by) } : null;
    case 'stopped':
    case 'attached':
    case 'detached':
    case 'message':
    case 'summary':
    case 'diagnostic':
      return null;
    default: {
      const never: never = ev;
      throw new Error(`unhandled event kind ${(never as TraceEvent).kind}`);
    }
  }
}

function normalizeSignal(siginfo: readonly { name: string | undefined; value: Value }[], signal: string, pidRef: (raw: bigint) => TaskRef): NormSignal {
  const get = (name: string): Value | null => siginfo.find((f) => f.name === name)?.value ?? null;
  const code = get('si_code');
  const pid = intValue(get('si_pid'));
  return {
    signal,
    code: code === null ? null : signalValue(code),
    pid: pid === null ? null : pidRef(pid),
    status: signalValue(get('si_status')),
  };
}

/** 0 or an errno for calls that return 0 on success; null while it never returned. */
function zeroOrErrno(ev: SyscallEvent): 0 | string | null {
  const o = ev.outcome;
  if (o.kind === 'error') return o.errno;
  if (o.kind === 'value') return Number(o.value) === 0 ? 0 : o.text;
  return null;
}

function normalizeCall(ev: SyscallEvent, task: Task, ids: Map<Task, number>, pidRef: (raw: bigint) => TaskRef): NormEvent | null {
  // An interrupted call that the kernel restarts (or Shadow's `<blocked>`, run again later) is
  // the same call again: the repeated one counts.
  if (ev.outcome.kind === 'restart' || (ev.outcome.kind as string) === 'blocked') return null;
  const name = ev.name;
  switch (name) {
    case 'clone':
    case 'clone3':
    case 'fork':
    case 'vfork': {
      const child = task.children.find((c) => c.creation?.event === ev);
      const info = child?.creation?.clone ?? cloneInfo(ev);
      let result: NormResult = null;
      if (child !== undefined) result = idOf(ids, child);
      else if (ev.outcome.kind === 'error') result = ev.outcome.errno;
      const base = { kind: 'clone', call: name, flags: info?.flags ?? [], exitSignal: info?.exitSignal ?? null, result } as const;
      if (name !== 'clone3') return base;
      // clone3's size argument decides several errors (B1-B5), so it is part of the call.
      const size = intValue(positional(ev, 1));
      return size === null ? base : { ...base, size: Number(size) };
    }
    case 'execve':
    case 'execveat': {
      const base = name === 'execveat' ? 1 : 0;
      const argv = stringArray(positional(ev, base + 1));
      return {
        kind: 'exec',
        call: name,
        path: stringValue(positional(ev, base)),
        argv: argv?.items ?? null,
        argvTruncated: argv?.truncated ?? false,
        result: zeroOrErrno(ev),
      };
    }
    case 'exit':
    case 'exit_group': {
      const code = intValue(positional(ev, 0));
      return { kind: 'exit-call', call: name, code: code === null ? null : Number(code) };
    }
    case 'wait4':
      return normalizeWait4(ev, pidRef);
    case 'waitid':
      return normalizeWaitid(ev, pidRef);
    case 'kill': {
      const pid = intValue(positional(ev, 0));
      return { kind: 'kill', call: name, target: killTarget(pid, pidRef), signal: signalValue(positional(ev, 1)), result: zeroOrErrno(ev) };
    }
    case 'tgkill': {
      const tgid = intValue(positional(ev, 0));
      const tid = intValue(positional(ev, 1));
      const target: KillTarget =
        tid === null ? { kind: 'other', text: ev.argsText } : { kind: 'thread', pid: tgid === null ? null : pidRef(tgid), tid: pidRef(tid) };
      return { kind: 'kill', call: name, target, signal: signalValue(positional(ev, 2)), result: zeroOrErrno(ev) };
    }
    case 'tkill': {
      const tid = intValue(positional(ev, 0));
      const target: KillTarget = tid === null ? { kind: 'other', text: ev.argsText } : { kind: 'thread', pid: null, tid: pidRef(tid) };
      return { kind: 'kill', call: name, target, signal: signalValue(positional(ev, 1)), result: zeroOrErrno(ev) };
    }
    default:
      return null;
  }
}

function killTarget(pid: bigint | null, pidRef: (raw: bigint) => TaskRef): KillTarget {
  if (pid === null) return { kind: 'other', text: '?' };
  if (pid > 0n) return { kind: 'pid', pid: pidRef(pid) };
  if (pid === 0n) return { kind: 'own-group' };
  if (pid === -1n) return { kind: 'all' };
  return { kind: 'group', pgid: pidRef(-pid) };
}

function waitResult(ev: SyscallEvent, pidRef: (raw: bigint) => TaskRef): NormResult {
  const o = ev.outcome;
  if (o.kind === 'error') return o.errno;
  if (o.kind !== 'value') return null;
  return o.value > 0n ? pidRef(o.value) : Number(o.value);
}

function normalizeWait4(ev: SyscallEvent, pidRef: (raw: bigint) => TaskRef): NormEvent {
  const pid = intValue(positional(ev, 0));
  let target: WaitTarget;
  if (pid === null) target = { kind: 'other', text: ev.argsText };
  else if (pid === -1n) target = { kind: 'any' };
  else if (pid === 0n) target = { kind: 'own-group' };
  else if (pid > 0n) target = { kind: 'pid', pid: pidRef(pid) };
  // INT_MIN has no process group to name: the kernel answers ESRCH (E10).
  else if (pid === -2147483648n) target = { kind: 'other', text: pid.toString() };
  else target = { kind: 'group', pgid: pidRef(-pid) };
  const result = waitResult(ev, pidRef);
  const reaped = typeof result === 'number' && result > 0 ? result : result === 'external' ? 'external' : null;
  const statusValue = positional(ev, 1);
  const status: WaitStatus | null = reaped !== null && statusValue !== null ? decodeWaitStatus(statusValue) : null;
  return {
    kind: 'wait',
    call: 'wait4',
    target,
    options: flagItems(positional(ev, 2)).sort(),
    result,
    child: reaped,
    status,
  };
}

function normalizeWaitid(ev: SyscallEvent, pidRef: (raw: bigint) => TaskRef): NormEvent {
  const idtype = flagItems(positional(ev, 0))[0] ?? null;
  const id = intValue(positional(ev, 1));
  let target: WaitTarget;
  if (idtype === 'P_ALL') target = { kind: 'any' };
  else if (idtype === 'P_PID' && id !== null && id > 0n) target = { kind: 'pid', pid: pidRef(id) };
  else if (idtype === 'P_PGID' && id === 0n) target = { kind: 'own-group' };
  else if (idtype === 'P_PGID' && id !== null && id > 0n) target = { kind: 'group', pgid: pidRef(id) };
  else if (idtype === 'P_PIDFD' && id !== null) target = { kind: 'pidfd', fd: Number(id) };
  else target = { kind: 'other', text: `${idtype ?? '?'} ${id?.toString() ?? '?'}` };

  const result = waitResult(ev, pidRef);
  let child: TaskRef | null = null;
  let status: WaitStatus | null = null;
  const info = positional(ev, 2);
  if (result === 0 && info !== null) {
    const siPid = intValue(field(info, 'si_pid'));
    if (siPid !== null && siPid > 0n) {
      child = pidRef(siPid);
      status = siginfoStatus(field(info, 'si_code'), field(info, 'si_status'));
    }
  }
  return {
    kind: 'wait',
    call: 'waitid',
    target,
    options: flagItems(positional(ev, 3)).sort(),
    result,
    child,
    status,
  };
}

/** waitid's report: si_code says what happened, si_status the code or the signal (E15–E17). */
function siginfoStatus(code: Value | null, status: Value | null): WaitStatus | null {
  const c = code === null ? null : signalValue(code);
  const s = status === null ? null : signalValue(status);
  if (s === null) return null;
  switch (c) {
    case 'CLD_EXITED':
      return typeof s === 'number' ? { kind: 'exited', code: s } : null;
    case 'CLD_KILLED':
      return { kind: 'killed', signal: s, core: false };
    case 'CLD_DUMPED':
      return { kind: 'killed', signal: s, core: true };
    case 'CLD_STOPPED':
    case 'CLD_TRAPPED':
      return { kind: 'stopped', signal: s };
    case 'CLD_CONTINUED':
      return { kind: 'continued' };
    default:
      return null;
  }
}

function findOrderings(model: TaskModel, events: readonly TraceEvent[], refOf: Map<TraceEvent, NormEventRef>): NormOrdering[] {
  const order = recordedOrder(events);
  const out: NormOrdering[] = [];
  const push = (reason: NormOrdering['reason'], call: TraceEvent, after: TraceEvent): void => {
    const c = refOf.get(call);
    const a = refOf.get(after);
    // Only what the recording shows: the blocked call completed after the cause began.
    if (c === undefined || a === undefined || order.completedAfterStart(call, after) !== true) return;
    out.push({ kind: 'resumed-after', reason, call: c, after: a });
  };

  for (const task of model.tasks) {
    const creation = task.creation;
    if (creation !== null && creation.clone.flags.includes('CLONE_VFORK')) {
      // The parent is released when the child's mm is released: a successful exec or the
      // start of its exit (A1–A3). Strace prints the exit call's entry before the release.
      const cause = task.events.find(
        (e) =>
          e.kind === 'syscall' &&
          (((e.name === 'execve' || e.name === 'execveat') && e.outcome.kind === 'value') || e.name === 'exit' || e.name === 'exit_group'),
      );
      if (cause !== undefined && cause.kind === 'syscall') {
        push(cause.name.startsWith('exec') ? 'vfork-released-by-exec' : 'vfork-released-by-exit', creation.event, cause);
      }
    }
  }

  const leaderByTid = new Map<number, Task>();
  for (const p of model.processes) if (p.leader.tid !== null) leaderByTid.set(p.leader.tid, p.leader);
  for (const task of model.tasks) {
    for (const ev of task.events) {
      if (ev.kind !== 'syscall' || (ev.name !== 'wait4' && ev.name !== 'waitid') || ev.outcome.kind !== 'value') continue;
      const reaped = waitReportedPid(ev);
      if (reaped === null) continue;
      const leader = leaderByTid.get(reaped);
      const end = leader === undefined ? undefined : finalHolder(leader).end;
      if (end === undefined || end === null || end.kind === 'superseded') continue;
      push('wait-after-exit', ev, end.event);
    }
  }
  out.sort((a, b) => a.call.pid - b.call.pid || a.call.index - b.call.index || a.after.pid - b.after.pid || a.after.index - b.after.index);
  return out;
}

/** The pid a successful wait call reported as exited or killed (not stopped/continued). */
function waitReportedPid(ev: SyscallEvent): number | null {
  if (ev.outcome.kind !== 'value') return null;
  if (ev.name === 'wait4') {
    if (ev.outcome.value <= 0n) return null;
    const st = positional(ev, 1);
    const status = st === null ? null : decodeWaitStatus(st);
    if (status !== null) return status.kind === 'exited' || status.kind === 'killed' ? Number(ev.outcome.value) : null;
    // No status printed (a NULL pointer): without WUNTRACED/WCONTINUED only a death is reported.
    const options = flagItems(positional(ev, 2));
    return options.some((o) => o === 'WUNTRACED' || o === 'WSTOPPED' || o === 'WCONTINUED') ? null : Number(ev.outcome.value);
  }
  const info = positional(ev, 2);
  if (info === null) return null;
  const pid = intValue(field(info, 'si_pid'));
  const code = flagItems(field(info, 'si_code'))[0];
  if (pid === null || pid <= 0n) return null;
  return code === 'CLD_EXITED' || code === 'CLD_KILLED' || code === 'CLD_DUMPED' ? Number(pid) : null;
}
