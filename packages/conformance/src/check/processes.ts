// The Processes check: after the replay, the kernel's process tree, thread
// membership and exec chains must be the recording's. The recorded side is
// derived from the capture's clone-family and execve lines; the kernel's from
// its event log, through the pid mapping.
import type { KernelEvent } from '@forkscope/kernel';
import type { PidMap } from '@forkscope/shim';
import { argOf, flagsOf, stringOf } from '@forkscope/shim';
import type { SyscallEvent, TraceEvent, Value } from '@forkscope/tracer';
import type { Divergence } from './report.js';

const CLONE_THREAD = 0x10000n;
const CLONE_PARENT = 0x8000n;
const CLONE_NAMES = new Map<string, bigint>([
  ['CLONE_THREAD', CLONE_THREAD],
  ['CLONE_PARENT', CLONE_PARENT],
]);

interface RecordedTask {
  /** The recorded process (thread group) id. */
  tgid: number;
  /** The recorded parent process, null for the root (its parent is strace, outside the recording). */
  parent: number | null;
  thread: boolean;
  /** The line that created it. */
  line: number;
}

export function checkProcesses(events: readonly TraceEvent[], kernelEvents: readonly KernelEvent[], pids: PidMap): Divergence[] {
  const recorded = recordedTasks(events);
  const execs = new Map<number, { path: string; line: number; pid: number }[]>();
  for (const e of events) {
    if (e.kind !== 'syscall' || e.pid === null || e.outcome.kind !== 'value') continue;
    if (isExec(e) && e.outcome.value === 0n) {
      const self = recorded.get(e.pid);
      if (self === undefined) continue;
      const path = stringOf(argOf(e.args, e.name === 'execveat' ? 1 : 0));
      const list = execs.get(self.tgid) ?? [];
      list.push({ path: path?.text ?? '?', line: e.span.line, pid: e.pid });
      execs.set(self.tgid, list);
    }
  }

  const out: Divergence[] = [];
  const created = new Map<number, Extract<KernelEvent, { type: 'task-created' }>>();
  const kernelExecs = new Map<number, string[]>();
  for (const k of kernelEvents) {
    if (k.type === 'task-created') created.set(k.tid, k);
    else if (k.type === 'exec') {
      const list = kernelExecs.get(k.tgid);
      if (list === undefined) kernelExecs.set(k.tgid, [k.path]);
      else list.push(k.path);
    }
  }
  for (const [pid, task] of recorded) {
    if (task.parent === null) continue;
    const tid = pids.emulated(pid);
    if (tid === undefined) continue; // never replayed (the replay stopped earlier): nothing to compare
    const k = created.get(tid);
    const say = (expected: string, emulated: string): void => {
      out.push({ line: task.line, pid, syscall: 'clone', expected, emulated, rule: 'process' });
    };
    if (k === undefined) {
      say(`creates task ${pid}`, 'no task created');
      continue;
    }
    if (k.thread !== task.thread) say(task.thread ? `${pid} is a thread of ${task.tgid}` : `${pid} is a new process`, k.thread ? 'a thread' : 'a new process');
    const tgid = pids.emulated(task.tgid);
    if (tgid !== undefined && k.tgid !== tgid) say(`${pid} belongs to process ${task.tgid}`, `it belongs to ${pids.recorded(k.tgid) ?? k.tgid}`);
    const parent = task.parent === null ? undefined : pids.emulated(task.parent);
    if (parent !== undefined && k.ppid !== parent) say(`${pid}'s parent is ${task.parent}`, `its parent is ${pids.recorded(k.ppid) ?? k.ppid}`);
  }
  for (const [tgidRec, chain] of execs) {
    const tgid = pids.emulated(tgidRec);
    if (tgid === undefined) continue;
    const kernel = kernelExecs.get(tgid) ?? [];
    chain.forEach((x, i) => {
      const kp = kernel[i];
      if (kp === undefined) {
        out.push({ line: x.line, pid: x.pid, syscall: 'execve', expected: `exec #${i + 1} of ${tgidRec}: ${x.path}`, emulated: 'no such exec', rule: 'process' });
      } else if (!samePath(x.path, kp)) {
        out.push({ line: x.line, pid: x.pid, syscall: 'execve', expected: `exec #${i + 1} of ${tgidRec}: ${x.path}`, emulated: `exec of ${kp}`, rule: 'process' });
      }
    });
  }
  return out;
}

/**
 * The recorded tasks: the root(s) and every child a clone-family call returned, with its process
 * and parent. Events come in completion order, so a child's own lines (a vfork child's execve)
 * and even its children's clones can precede the call that created it: the clone edges are read
 * first and each task is resolved through its creator afterwards, whatever the order.
 */
function recordedTasks(events: readonly TraceEvent[]): Map<number, RecordedTask> {
  const edges = new Map<number, { creator: number; flags: bigint; line: number }>();
  for (const e of events) {
    if (e.kind === 'syscall' && e.pid !== null && e.outcome.kind === 'value' && e.outcome.value > 0n && isClone(e)) {
      edges.set(Number(e.outcome.value), { creator: e.pid, flags: cloneFlags(e), line: e.span.line });
    }
  }
  const recorded = new Map<number, RecordedTask>();
  // The root; or the root of the next of several runs recorded one after another (a pid no
  // clone created, starting with an execve): a child of the capture's parent, outside it.
  for (const e of events) {
    if (e.kind !== 'syscall' || e.pid === null || e.outcome.kind !== 'value' || edges.has(e.pid) || recorded.has(e.pid)) continue;
    if (recorded.size === 0 || isExec(e)) recorded.set(e.pid, { tgid: e.pid, parent: null, thread: false, line: e.span.line });
  }
  const resolving = new Set<number>();
  const resolve = (pid: number): RecordedTask | undefined => {
    const known = recorded.get(pid);
    if (known !== undefined) return known;
    const edge = edges.get(pid);
    // No creator in the recording, or a cycle (pids reused in a loop): not a task this check knows.
    if (edge === undefined || resolving.has(pid)) return undefined;
    resolving.add(pid);
    const creator = resolve(edge.creator);
    resolving.delete(pid);
    if (creator === undefined) return undefined;
    const thread = (edge.flags & CLONE_THREAD) !== 0n;
    const creatorProcess = recorded.get(creator.tgid) ?? creator;
    const parent = (edge.flags & CLONE_PARENT) !== 0n || thread ? creatorProcess.parent : creator.tgid;
    const task: RecordedTask = { tgid: thread ? creator.tgid : pid, parent, thread, line: edge.line };
    recorded.set(pid, task);
    return task;
  };
  for (const pid of edges.keys()) resolve(pid);
  return recorded;
}

function isExec(e: SyscallEvent): boolean {
  return e.name === 'execve' || e.name === 'execveat';
}

function isClone(e: SyscallEvent): boolean {
  return e.name === 'clone' || e.name === 'clone3' || e.name === 'fork' || e.name === 'vfork';
}

function cloneFlags(e: SyscallEvent): bigint {
  let v: Value | undefined;
  if (e.name === 'clone') v = argOf(e.args, 1, 'flags');
  else if (e.name === 'clone3') {
    const s = argOf(e.args, 0);
    const b = s?.kind === 'inout' ? s.before : s;
    v = b?.kind === 'struct' ? b.fields.find((f) => f.name === 'flags')?.value : undefined;
  }
  // Only the two bits this check needs; other names are irrelevant here.
  return flagsOf(v, CLONE_NAMES)?.bits ?? 0n;
}

/** The kernel may report the path resolved against the cwd; the recording shows it as passed. */
function samePath(recorded: string, kernel: string): boolean {
  if (recorded === kernel) return true;
  const rel = recorded.startsWith('./') ? recorded.slice(2) : recorded;
  return !recorded.startsWith('/') && kernel.endsWith(`/${rel}`);
}
