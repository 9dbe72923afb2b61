// The kernel's state and the bookkeeping every syscall module shares: the task and process
// tables, pid allocation, the virtual clock, the ready queue (one task runs at a time, in a
// defined order), blocking and wake-up, and the event log.
import type { BlockedOn, SigInfo, SyscallResult, Tid } from './outcome.js';
import type { KernelEvent, KernelEventBody } from './events.js';
import type { Syscall } from './calls.js';
import type { Vfs } from './fs/vfs.js';
import { Task, ThreadGroup, type BlockState } from './task.js';

/** Thrown for misuse of the Kernel API by its caller (a bug in the caller, never guest input). */
export class KernelUsageError extends Error {
  override readonly name = 'KernelUsageError';
}

export interface CoreConfig {
  readonly pidBase: number;
  readonly pidMax: number;
  readonly uid: number;
  readonly coreDumps: boolean;
  /** The filesystem exec and chdir resolve against; null: every outcome is adopted. */
  readonly fs: Vfs | null;
  /** 'model': guest memory is read and written; 'none': the caller passes values (replay), writes are skipped. */
  readonly memory: 'model' | 'none';
  /** Every process runs under an outside tracer (strace -f): see KernelOptions.traced. */
  readonly traced?: boolean;
  /** Tasks take their signals when the caller resumes them: see KernelOptions.signalsOnResume. */
  readonly signalsOnResume?: boolean;
  /** Whether a task took its pending signals before a sending that would merge: see KernelOptions.signalTakenBefore. */
  readonly signalTakenBefore?: ((tid: Tid, info: SigInfo) => boolean) | undefined;
  /** /proc stat files are synthesized from the task table: see KernelOptions.procfs. */
  readonly procfs?: boolean;
  /** Every event stays in `events` for the kernel's lifetime: see KernelOptions.keepEvents. Default true. */
  readonly keepEvents?: boolean;
}

export class Core {
  readonly tasks = new Map<Tid, Task>();
  readonly groups = new Map<Tid, ThreadGroup>();
  /** The event log; with keepEvents false, only the events takeEvents has not returned yet. */
  events: KernelEvent[] = [];
  /** With keepEvents: the index in `events` of the first event takeEvents has not returned. */
  private taken = 0;
  readonly listeners = new Set<(e: KernelEvent) => void>();
  /** Ready tasks in scheduling order. */
  readonly ready: Task[] = [];
  now = 0n;
  private nextPid: number;
  private seq = 0;
  private blockSeq = 0;
  private objectIds = 1;
  /** Set when state changed in a way that may let a blocked call proceed. */
  dirty = false;
  private waking = false;
  init!: Task;
  /** The task whose system call is being executed (signals to it wait for its return). */
  current: Task | null = null;

  constructor(readonly config: CoreConfig) {
    this.nextPid = config.pidBase;
  }

  /** Kernel-local ids for address spaces and pipes, so that runs are reproducible. */
  newObjectId(): number {
    return this.objectIds++;
  }

  /** Stamps and logs an event. `body` must be a fresh object literal: it becomes the event. */
  emit(body: KernelEventBody): void {
    // Stamped in place rather than copied: a spread of the ~20 body shapes is a megamorphic
    // clone, several microseconds each, and emit runs for every blocked, woken and unmodelled call.
    const event = body as KernelEventBody & { seq: number; time: bigint };
    event.seq = this.seq++;
    event.time = this.now;
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
  }

  /** Events emitted so far (the next event's seq). */
  get eventCount(): number {
    return this.seq;
  }

  /** The events emitted since the previous call; without keepEvents the log then forgets them. */
  takeEvents(): KernelEvent[] {
    if (this.config.keepEvents === false) {
      const out = this.events;
      this.events = [];
      return out;
    }
    const out = this.events.slice(this.taken);
    this.taken = this.events.length;
    return out;
  }

  /** alloc_pid: the next free pid at or after the cursor, wrapping at pid_max back to the base. */
  allocPid(): number | undefined {
    const { pidBase, pidMax } = this.config;
    for (let tries = 0; tries < pidMax - pidBase; tries++) {
      const pid = this.nextPid;
      this.nextPid = pid + 1 >= pidMax ? pidBase : pid + 1;
      if (!this.tasks.has(pid) && !this.groups.has(pid) && !this.pgidInUse(pid)) return pid;
    }
    return undefined;
  }

  /** A pid still names a process group or session while any member remains. */
  pgidInUse(pid: number): boolean {
    for (const g of this.groups.values()) {
      if (g.state !== 'reaped' && (g.pgid === pid || g.sid === pid)) return true;
    }
    return false;
  }

  isPidFree(pid: number): boolean {
    return !this.tasks.has(pid) && !this.groups.has(pid) && !this.pgidInUse(pid);
  }

  makeReady(task: Task): void {
    task.state = 'ready';
    if (!this.ready.includes(task)) this.ready.push(task);
  }

  unready(task: Task): void {
    const i = this.ready.indexOf(task);
    if (i >= 0) this.ready.splice(i, 1);
  }

  /** Round robin: a task that made a call and can still run goes to the back of the queue. */
  rotate(task: Task): void {
    if (this.ready[this.ready.length - 1] === task) return;
    const i = this.ready.indexOf(task);
    if (i >= 0 && i !== this.ready.length - 1) {
      this.ready.splice(i, 1);
      this.ready.push(task);
    }
  }

  /** Puts `task` to sleep in `call` until `retry` yields a result. */
  block(
    task: Task,
    call: Syscall,
    on: BlockedOn,
    sleep: BlockState['sleep'],
    restartErrno: BlockState['restartErrno'],
    retry: () => SyscallResult | undefined,
    restoreMask?: bigint,
  ): SyscallResult {
    const state: BlockState =
      restoreMask === undefined
        ? { call, on, sleep, restartErrno, seq: this.blockSeq++, retry }
        : { call, on, sleep, restartErrno, seq: this.blockSeq++, retry, restoreMask };
    task.block = state;
    task.state = 'blocked';
    this.unready(task);
    this.emit({ type: 'blocked', tid: task.tid, call: call.name, on });
    return { kind: 'blocked', on };
  }

  /** A woken call whose result turned out not to be there when its task ran: it sleeps again. */
  reblock(task: Task, block: BlockState): void {
    task.block = block;
    task.state = 'blocked';
    this.unready(task);
    this.emit({ type: 'blocked', tid: task.tid, call: block.call.name, on: block.on });
  }

  /**
   * Ends a blocked call with `result` (the task becomes ready, or stays stopped if its group is
   * stopped). The caller collects the result with Kernel.completion.
   */
  finish(task: Task, result: SyscallResult, woken = false): void {
    const block = task.block;
    if (!block) throw new Error(`finish: task ${task.tid} is not blocked`);
    task.block = null;
    block.onEnd?.();
    // rt_sigsuspend: the handler runs with the temporary mask and sigreturn restores the old one.
    if (block.restoreMask !== undefined) task.suspendRestore = block.restoreMask;
    task.completion = result;
    task.completionCall = block.call.name;
    // A wake-up whose result is made when the task runs is reported then (Kernel.completion).
    if (woken && block.resolveOnRun !== undefined) task.completionBlock = block;
    else this.emit({ type: 'woken', tid: task.tid, call: block.call.name, result });
    if (task.group.stopped) task.state = 'stopped';
    else this.makeReady(task);
    this.dirty = true;
  }

  /**
   * Re-attempts `task`'s blocked call with it as the current task: signals it raises on itself
   * (SIGPIPE) wait for the call to finish instead of interrupting it.
   */
  retryAs(task: Task): SyscallResult | undefined {
    const block = task.block;
    return block === null ? undefined : this.runAs(task, block.retry);
  }

  /** Runs part of `task`'s call with it as the current task (see retryAs). */
  runAs(task: Task, part: () => SyscallResult | undefined): SyscallResult | undefined {
    const saved = this.current;
    this.current = task;
    try {
      return part();
    } finally {
      this.current = saved;
    }
  }

  /** Blocked tasks in the order they blocked. */
  blockedTasks(): Task[] {
    const out: Task[] = [];
    for (const t of this.tasks.values()) if (t.state === 'blocked' && t.block) out.push(t);
    // In blocking order. Usually a handful: sorted in place by insertion, as Array.prototype.sort
    // allocates a work copy and this runs after nearly every call that changed state.
    if (out.length > 16) out.sort((a, b) => (a.block?.seq ?? 0) - (b.block?.seq ?? 0));
    else {
      for (let i = 1; i < out.length; i++) {
        const t = out[i] as Task;
        const seq = t.block?.seq ?? 0;
        let j = i - 1;
        for (; j >= 0 && ((out[j] as Task).block?.seq ?? 0) > seq; j--) out[j + 1] = out[j] as Task;
        out[j + 1] = t;
      }
    }
    return out;
  }

  /**
   * Re-attempts every blocked call after a state change, in blocking order, until nothing more
   * can proceed. Each call's retry decides (pipe data, child state, vfork release…).
   */
  wakeWaiters(onFinish: (task: Task, call: string, result: SyscallResult) => void): void {
    if (this.waking) return;
    this.waking = true;
    try {
      while (this.dirty) {
        this.dirty = false;
        for (const task of this.blockedTasks()) {
          const block = task.block;
          if (task.state !== 'blocked' || !block) continue;
          const result = this.retryAs(task);
          // The retry itself may have ended the task (a fatal SIGPIPE): then its result is moot.
          if (result !== undefined && task.block === block && task.state === 'blocked') {
            this.finish(task, result, true);
            onFinish(task, block.call.name, result);
          }
        }
      }
    } finally {
      this.waking = false;
    }
  }
}
