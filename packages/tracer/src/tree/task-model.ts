// The tasks of a capture and who made whom: one pass over the events that attributes
// every event to a task, links each clone-family result to the task it created, groups
// threads (CLONE_THREAD) into their process and follows an exec from a non-leader thread
// (the thread takes the leader's pid). Both the process tree and the normalizer read it.
import type { SyscallEvent, TraceEvent } from '../events.js';
import { cloneInfo, type CloneInfo } from './clone-call.js';

export type TaskEnd =
  | { readonly kind: 'exited'; readonly code: number; readonly event: TraceEvent }
  | { readonly kind: 'killed'; readonly signal: string; readonly core: boolean; readonly event: TraceEvent }
  /** Exec from another thread of the group: that thread took this task's pid. */
  | { readonly kind: 'superseded'; readonly by: Task; readonly event: TraceEvent };

export interface Creation {
  readonly task: Task;
  readonly event: SyscallEvent;
  readonly clone: CloneInfo;
}

export interface Task {
  /** The id strace printed (pid of a leader, tid of a thread); null for a trace without a pid column. */
  readonly tid: number | null;
  /** Order of first appearance, 0-based. */
  readonly seen: number;
  creation: Creation | null;
  /** Created with CLONE_THREAD: a member of its creator's process. */
  thread: boolean;
  process: Process | null;
  /** The events printed for this task, in recorded order. */
  readonly events: TraceEvent[];
  end: TaskEnd | null;
  /** Tasks this one created, in the order its calls returned (program order of the task). */
  readonly children: Task[];
}

export interface Process {
  /** The task whose pid is the process id (the thread-group leader at creation). */
  readonly leader: Task;
  /** The leader first, then the threads in creation order. */
  readonly tasks: Task[];
  /** The parent process: the creator's, or the creator's parent under CLONE_PARENT. */
  parent: Process | null;
}

export interface TaskModel {
  /** Every task, in order of first appearance. */
  readonly tasks: readonly Task[];
  /**
   * Every process, in creation-tree pre-order: a root, then depth first the processes made by
   * each of its tasks in that task's program order. Unlike the global order of clone results,
   * this order does not change when tasks race between re-captures.
   */
  readonly processes: readonly Process[];
  /** Events that belong to no task: messages, summaries, diagnostics. */
  readonly unattributed: readonly TraceEvent[];
  /** Clone results that named a pid already in use by a live task (pid reuse is not modelled). */
  readonly anomalies: readonly string[];
}

/** Builds the task model of a capture's events (in recorded order). */
export function buildTaskModel(events: Iterable<TraceEvent>): TaskModel {
  const tasks: Task[] = [];
  const current = new Map<number | null, Task>();
  const unattributed: TraceEvent[] = [];
  const anomalies: string[] = [];

  const newTask = (tid: number | null): Task => {
    const t: Task = { tid, seen: tasks.length, creation: null, thread: false, process: null, events: [], end: null, children: [] };
    tasks.push(t);
    current.set(tid, t);
    return t;
  };
  const taskOf = (tid: number | null): Task => current.get(tid) ?? newTask(tid);

  for (const ev of events) {
    switch (ev.kind) {
      case 'message':
      case 'summary':
      case 'diagnostic':
        unattributed.push(ev);
        continue;
      case 'syscall':
      case 'signal':
      case 'exited':
      case 'killed':
      case 'superseded':
      case 'stopped':
      case 'attached':
      case 'detached':
        break;
      default: {
        const never: never = ev;
        throw new Error(`unhandled event kind ${(never as TraceEvent).kind}`);
      }
    }
    const task = taskOf(ev.pid);
    task.events.push(ev);
    switch (ev.kind) {
      case 'exited':
        task.end = { kind: 'exited', code: ev.code, event: ev };
        break;
      case 'killed':
        task.end = { kind: 'killed', signal: ev.signal, core: ev.coreDumped, event: ev };
        break;
      case 'superseded': {
        // The exec'ing thread now answers to the leader's pid: later lines under that pid are its.
        const by = taskOf(ev.byPid);
        if (by === task || supersededChain(by).includes(task)) {
          anomalies.push(`line ${ev.span.line}: pid ${ev.pid ?? '?'} superseded by ${ev.byPid}, which it already took over`);
          break;
        }
        task.end = { kind: 'superseded', by, event: ev };
        current.set(ev.pid, by);
        break;
      }
      case 'syscall': {
        const clone = cloneInfo(ev);
        if (clone === null || ev.outcome.kind !== 'value' || ev.outcome.value <= 0n) break;
        const childTid = Number(ev.outcome.value);
        let child = current.get(childTid);
        // A child's first lines often precede its parent's clone result: adopt that task.
        // (It may even have exited already: a vfork child that failed to exec.)
        if (child !== undefined && (child.creation !== null || isAncestorOrSelf(child, task))) {
          if (child.end === null) anomalies.push(`pid ${childTid} returned by ${clone.call} at line ${ev.span.endLine} is still in use`);
          child = undefined;
        }
        if (child === undefined) child = newTask(childTid);
        child.creation = { task, event: ev, clone };
        child.thread = clone.flags.includes('CLONE_THREAD');
        task.children.push(child);
        break;
      }
      default:
        break;
    }
  }

  // Processes: creators first (a child's creator is always seen before its creation is
  // complete, but may be seen after the child's own first line), so walk the creation tree.
  const processes: Process[] = [];
  const assign = (t: Task): void => {
    const creator = t.creation?.task ?? null;
    if (t.thread && creator !== null && creator.process !== null) {
      t.process = creator.process;
      creator.process.tasks.push(t);
    } else {
      const p: Process = { leader: t, tasks: [t], parent: null };
      if (creator !== null && creator.process !== null) {
        const flags = t.creation?.clone.flags ?? [];
        p.parent = flags.includes('CLONE_PARENT') ? creator.process.parent : creator.process;
      }
      t.process = p;
      processes.push(p);
    }
    for (const c of t.children) assign(c);
  };
  for (const t of tasks) if (t.creation === null) assign(t);
  return { tasks, processes, unattributed, anomalies };
}

/** Is `candidate` the task `of` or one of its creators? (Adopting it would make a cycle.) */
function isAncestorOrSelf(candidate: Task, of: Task): boolean {
  for (let t: Task | undefined = of; t !== undefined; t = t.creation?.task) if (t === candidate) return true;
  return false;
}

/**
 * The tasks that took over `t`'s pid in turn, by exec from a thread: `t`'s successor, its
 * successor's, and so on. Never cyclic (buildTaskModel refuses a takeover that would loop).
 */
export function supersededChain(t: Task): Task[] {
  const chain: Task[] = [];
  for (let cur = t; cur.end?.kind === 'superseded'; ) {
    cur = cur.end.by;
    chain.push(cur);
  }
  return chain;
}

/** The task that holds `leader`'s pid last. */
export function finalHolder(leader: Task): Task {
  return supersededChain(leader).at(-1) ?? leader;
}
