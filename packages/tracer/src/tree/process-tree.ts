// processTree(events): the processes of a capture as a tree, with pids as printed —
// processes versus threads, each process's exec chain (failed execs marked), who created
// it and how, and how it ended. For reading a capture; normalize() is the form to compare.
import type { SyscallEvent, TraceEvent } from '../events.js';
import { positional, stringArray, stringValue } from './arg-values.js';
import type { CloneCallName } from './clone-call.js';
import { buildTaskModel, finalHolder, supersededChain, type Process, type Task, type TaskModel } from './task-model.js';

export interface ProcessTree {
  /** Processes no traced task created (normally one: the traced command). */
  readonly roots: readonly TreeProcess[];
  /** Clone results that named a pid still in use (pid reuse is not modelled). */
  readonly anomalies: readonly string[];
}

export type TreeEnd =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'killed'; readonly signal: string; readonly core: boolean }
  /** A thread exec'd and took the pid (this task's own end when it was the leader). */
  | { readonly kind: 'superseded'; readonly byTid: number | null }
  /** The capture shows no end (still running at detach, or the input ended). */
  | { readonly kind: 'unknown' };

export interface TreeCreation {
  readonly call: CloneCallName;
  readonly flags: readonly string[];
  readonly exitSignal: string | number | null;
  /** The task that made the call (the parent's pid, or one of its threads). */
  readonly byTid: number | null;
  /** CLONE_PIDFD: the pidfd the parent received. */
  readonly pidfd: number | null;
  readonly line: number;
}

export interface TreeExec {
  readonly call: 'execve' | 'execveat';
  readonly path: string | null;
  readonly argv: readonly string[] | null;
  /** null when the call never returned in the capture. */
  readonly ok: boolean | null;
  readonly errno: string | null;
  /** The thread that called it, when not the task holding the process's pid. */
  readonly byThread: number | null;
  readonly line: number;
}

export interface TreeThread {
  readonly tid: number | null;
  readonly createdBy: TreeCreation | null;
  readonly end: TreeEnd;
  /** This thread exec'd and took over the process's pid (the leader was superseded). */
  readonly tookOverPid: boolean;
}

export interface TreeProcess {
  readonly pid: number | null;
  /** The parent process's pid; under CLONE_PARENT this is the caller's parent (C14). */
  readonly parentPid: number | null;
  readonly createdBy: TreeCreation | null;
  readonly execs: readonly TreeExec[];
  readonly threads: readonly TreeThread[];
  /** How the process ended: the end of the task holding its pid last. */
  readonly end: TreeEnd;
  readonly children: readonly TreeProcess[];
}

export function processTree(events: Iterable<TraceEvent>): ProcessTree {
  return processTreeOf(buildTaskModel(events));
}

export function processTreeOf(model: TaskModel): ProcessTree {
  const nodes = new Map<Process, { node: TreeProcess; children: TreeProcess[] }>();
  for (const p of model.processes) {
    const children: TreeProcess[] = [];
    const node: TreeProcess = {
      pid: p.leader.tid,
      parentPid: p.parent?.leader.tid ?? null,
      createdBy: creationOf(p.leader),
      execs: p.tasks.flatMap((t) => execsOf(t, p)).sort((a, b) => a.line - b.line),
      threads: p.tasks.filter((t) => t !== p.leader).map((t) => threadOf(t, p)),
      end: finalEnd(p.leader),
      children,
    };
    nodes.set(p, { node, children });
  }
  const roots: TreeProcess[] = [];
  for (const p of model.processes) {
    const entry = nodes.get(p);
    if (entry === undefined) continue;
    const parent = p.parent === null ? undefined : nodes.get(p.parent);
    if (parent === undefined) roots.push(entry.node);
    else parent.children.push(entry.node);
  }
  return { roots, anomalies: model.anomalies };
}

function creationOf(t: Task): TreeCreation | null {
  const c = t.creation;
  if (c === null) return null;
  return { call: c.clone.call, flags: c.clone.flags, exitSignal: c.clone.exitSignal, byTid: c.task.tid, pidfd: c.clone.pidfd, line: c.event.span.endLine };
}

function execsOf(t: Task, p: Process): TreeExec[] {
  const out: TreeExec[] = [];
  for (const ev of t.events) {
    if (ev.kind !== 'syscall' || (ev.name !== 'execve' && ev.name !== 'execveat')) continue;
    out.push(execOf(ev, ev.name, t === p.leader ? null : t.tid));
  }
  return out;
}

function execOf(ev: SyscallEvent, call: 'execve' | 'execveat', byThread: number | null): TreeExec {
  const base = call === 'execveat' ? 1 : 0;
  const o = ev.outcome;
  return {
    call,
    path: stringValue(positional(ev, base)),
    argv: stringArray(positional(ev, base + 1))?.items ?? null,
    ok: o.kind === 'value' ? true : o.kind === 'error' ? false : null,
    errno: o.kind === 'error' ? o.errno : null,
    byThread,
    line: ev.span.line,
  };
}

function endOf(t: Task): TreeEnd {
  const e = t.end;
  if (e === null) return { kind: 'unknown' };
  switch (e.kind) {
    case 'exited':
      return { kind: 'exited', code: e.code };
    case 'killed':
      return { kind: 'killed', signal: e.signal, core: e.core };
    case 'superseded':
      return { kind: 'superseded', byTid: e.by.tid };
    default: {
      const never: never = e;
      throw new Error(`unhandled end ${(never as { kind: string }).kind}`);
    }
  }
}

function finalEnd(leader: Task): TreeEnd {
  return endOf(finalHolder(leader));
}

function threadOf(t: Task, p: Process): TreeThread {
  const tookOverPid = supersededChain(p.leader).includes(t);
  return { tid: t.tid, createdBy: creationOf(t), end: tookOverPid ? finalEnd(p.leader) : endOf(t), tookOverPid };
}
