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
  const recorded = new Map<number, RecordedTask>();
  const execs = new Map<number, { path: string; line: number; pid: number }[]>();
  // Every pid a recorded clone returned: a child's lines may come before its clone returns.
  const cloned = new Set<number>();
  for (const e of events) {
    if (e.kind === 'syscall' && e.outcome.kind === 'value' && e.outcome.value > 0n && isClone(e)) cloned.add(Number(e.outcome.value));
  }
  for (const e of events) {
    if (e.kind !== 'syscall' || e.pid === null || e.outcome.kind !== 'value') continue;
    // The root; or the root of the next of several runs recorded one after another (a pid no
    // clone created, starting with an execve): a child of the capture's parent, outside it.
    const newRoot = recorded.size === 0 || (isExec(e) && !recorded.has(e.pid) && !cloned.has(e.pid));
    if (newRoot && !recorded.has(e.pid)) recorded.set(e.pid, { tgid: e.pid, parent: null, thread: false, line: e.span.line });
    const self = recorded.get(e.pid);
    if (isClone(e) && e.outcome.value > 0n && self !== undefined) {
      const flags = cloneFlags(e);
      const thread = (flags & CLONE_THREAD) !== 0n;
      const creatorProcess = recorded.get(self.tgid) ?? self;
      const parent = (flags & CLONE_PARENT) !== 0n || thread ? creatorProcess.parent : self.tgid;
      const child = Number(e.outcome.value);
      recorded.set(child, { tgid: thread ? self.tgid : child, parent, thread, line: e.span.line });
    }
    if ((e.name === 'execve' || e.name === 'execveat') && e.outcome.value === 0n && self !== undefined) {
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
