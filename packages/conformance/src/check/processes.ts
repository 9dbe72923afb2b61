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
  const recorded = new RecordedLifecycle();
  for (const e of events) recorded.add(e);
  const kernel = new KernelLifecycle();
  for (const k of kernelEvents) kernel.add(k);
  return compareLifecycles(recorded, kernel, pids);
}

/**
 * The recording's side, read a line at a time: only its clone edges, each pid's first lines (a
 * root candidate), and its successful execs; a few facts per task, never the lines. A pid seen
 * again after its exit line starts a new sighting (a reused pid: the next of several runs).
 */
export class RecordedLifecycle {
  /** Every clone-family call that returned a child, in input order. */
  readonly edges: { readonly child: number; readonly creator: number; readonly flags: bigint; readonly line: number }[] = [];
  /** Per pid, per sighting: its first syscall line with a value result, and its first such execve, by input position. */
  readonly sightings = new Map<number, Sighting[]>();
  readonly execs: { readonly pid: number; readonly path: string; readonly line: number }[] = [];
  /** Pids whose exit line came after their last sighting began. */
  readonly #ended = new Set<number>();
  #index = 0;
  /**
   * The last syscall line's pid and its sightings: tasks make calls in runs, so most lines need
   * no map lookup. Forgotten (-1) at that pid's exit line, so a line of #pid is one of the same
   * sighting, and needs no look in #ended either.
   */
  #pid = -1;
  #list: Sighting[] = [];

  add(e: TraceEvent): void {
    const index = this.#index++;
    if ((e.kind === 'exited' || e.kind === 'killed') && e.pid !== null) {
      this.#ended.add(e.pid);
      if (e.pid === this.#pid) this.#pid = -1;
      return;
    }
    if (e.kind !== 'syscall' || e.pid === null || e.outcome.kind !== 'value') return;
    // The name first: the value is a BigInt parsed on first read, and most calls are no clone.
    if (isClone(e) && e.outcome.value > 0n) this.edges.push({ child: Number(e.outcome.value), creator: e.pid, flags: cloneFlags(e), line: e.span.line });
    const exec = isExec(e);
    let seen: Sighting | undefined;
    if (e.pid === this.#pid) {
      // The slow way below left a sighting in #list.
      seen = this.#list[this.#list.length - 1] as Sighting;
    } else {
      let list = this.sightings.get(e.pid);
      if (list === undefined) {
        list = [];
        this.sightings.set(e.pid, list);
      }
      this.#pid = e.pid;
      this.#list = list;
      seen = list[list.length - 1];
      if (seen === undefined || (this.#ended.size !== 0 && this.#ended.delete(e.pid))) {
        seen = { index, line: e.span.line, exec: null };
        list.push(seen);
      }
    }
    if (exec && seen.exec === null) seen.exec = { index, line: e.span.line };
    if (exec && e.outcome.value === 0n) {
      const path = stringOf(argOf(e.args, e.name === 'execveat' ? 1 : 0));
      this.execs.push({ pid: e.pid, path: path === undefined ? '?' : ownCopy(path.text), line: e.span.line });
    }
  }
}

interface Sighting {
  readonly index: number;
  readonly line: number;
  exec: { readonly index: number; readonly line: number } | null;
}

/** Lines [from, to): one run of a capture of several (the whole capture by default). */
export interface LineRange {
  readonly from: number;
  readonly to: number;
}

const WHOLE: LineRange = { from: -Infinity, to: Infinity };

/** The kernel's side, an event at a time: each task's creation and each process's exec paths. */
export class KernelLifecycle {
  readonly created = new Map<number, { readonly thread: boolean; readonly tgid: number; readonly ppid: number }>();
  readonly execs = new Map<number, string[]>();

  add(k: KernelEvent): void {
    if (k.type === 'task-created') this.created.set(k.tid, { thread: k.thread, tgid: k.tgid, ppid: k.ppid });
    else if (k.type === 'exec') {
      const path = ownCopy(k.path);
      const list = this.execs.get(k.tgid);
      if (list === undefined) this.execs.set(k.tgid, [path]);
      else list.push(path);
    }
  }
}

/** The Processes rule over the two sides, through the pid mapping as the replay left it. */
export function compareLifecycles(rec: RecordedLifecycle, kernel: KernelLifecycle, pids: PidMap, range: LineRange = WHOLE): Divergence[] {
  const inRange = (line: number): boolean => line >= range.from && line < range.to;
  const recorded = recordedTasks(rec, inRange);
  const execs = new Map<number, { path: string; line: number; pid: number }[]>();
  for (const x of rec.execs) {
    if (!inRange(x.line)) continue;
    const self = recorded.get(x.pid);
    if (self === undefined) continue;
    const list = execs.get(self.tgid) ?? [];
    list.push(x);
    execs.set(self.tgid, list);
  }

  const out: Divergence[] = [];
  const created = kernel.created;
  const kernelExecs = kernel.execs;
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
 * and even its children's clones can precede the call that created it: each task is resolved
 * through its creator once every clone edge is known, whatever the order.
 */
function recordedTasks(rec: RecordedLifecycle, inRange: (line: number) => boolean): Map<number, RecordedTask> {
  const edges = new Map<number, { creator: number; flags: bigint; line: number }>();
  for (const x of rec.edges) if (inRange(x.line)) edges.set(x.child, x);
  const recorded = new Map<number, RecordedTask>();
  // The root: the first pid with a value result that no clone created; or the root of the next of
  // several runs recorded one after another (such a pid starting with an execve): a child of the
  // capture's parent, outside it. In input order.
  const roots: { pid: number; index: number; line: number }[] = [];
  let first: { pid: number; index: number; line: number } | undefined;
  const execOf = new Map<number, { index: number; line: number }>();
  for (const [pid, list] of rec.sightings) {
    if (edges.has(pid)) continue;
    const here = list.filter((x) => inRange(x.line));
    const head = here[0];
    if (head === undefined) continue;
    if (first === undefined || head.index < first.index) first = { pid, index: head.index, line: head.line };
    const exec = here.find((x) => x.exec !== null && inRange(x.exec.line))?.exec;
    if (exec != null) execOf.set(pid, exec);
  }
  for (const [pid, exec] of execOf) {
    if (pid !== first?.pid) roots.push({ pid, index: exec.index, line: exec.line });
  }
  if (first !== undefined) roots.push(first);
  roots.sort((a, b) => a.index - b.index);
  for (const r of roots) recorded.set(r.pid, { tgid: r.pid, parent: null, thread: false, line: r.line });
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

/**
 * A string that keeps nothing else alive: a path sliced from the parser's input would keep its
 * whole chunk (V8 slices point into their parent). Concatenating then slicing flattens it anew.
 */
function ownCopy(s: string): string {
  return ` ${s}`.slice(1);
}

// Both look at the name's first character before comparing it whole: they run for every call,
// and the parser's name is a fresh string that each comparison reads afresh.
function isExec(e: SyscallEvent): boolean {
  const name = e.name;
  return name.charCodeAt(0) === 0x65 /* e */ && (name === 'execve' || name === 'execveat');
}

function isClone(e: SyscallEvent): boolean {
  const name = e.name;
  switch (name.charCodeAt(0)) {
    case 0x63: // c
      return name === 'clone' || name === 'clone3';
    case 0x66: // f
      return name === 'fork';
    case 0x76: // v
      return name === 'vfork';
    default:
      return false;
  }
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
