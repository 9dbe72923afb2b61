// Tasks (Linux task_struct: one thread) and thread groups (signal_struct: one process), plus
// the per-task contexts that clone can share or copy: signal handlers (CLONE_SIGHAND),
// filesystem context (CLONE_FS). The address space and the descriptor table are
// memory/AddressSpace and files/FdTable, shared by reference under CLONE_VM / CLONE_FILES
// (their `users` counters are mm_users / the files_struct count).
import type { BlockedOn, SigInfo, SyscallResult, Tid } from './outcome.js';
import type { ExitHow } from './events.js';
import type { Syscall } from './calls.js';
import type { ErrnoName } from './errno.js';
import type { AddressSpace } from './memory/address-space.js';
import type { FdTable } from './files/fd-table.js';
import { defaultRlimits, type Rlimit } from './rlimits.js';
import type { OpenFileDescription } from './files/open-file.js';

/** One signal's action (struct k_sigaction). */
export interface SigAction {
  readonly handler: 'SIG_DFL' | 'SIG_IGN' | bigint;
  readonly flags: bigint;
  readonly mask: bigint;
  readonly restorer: bigint;
}

export const DEFAULT_ACTION: SigAction = Object.freeze({ handler: 'SIG_DFL', flags: 0n, mask: 0n, restorer: 0n });

/** The handler table, shared by every task cloned with CLONE_SIGHAND. */
export class SigHand {
  readonly actions: SigAction[];
  /** Number of tasks referencing this table (checked by checkInvariants). */
  refs = 0;
  constructor(actions?: readonly SigAction[]) {
    this.actions = actions ? actions.slice() : Array.from({ length: 64 }, () => DEFAULT_ACTION);
  }
  get(sig: number): SigAction {
    return this.actions[sig - 1] ?? DEFAULT_ACTION;
  }
  set(sig: number, action: SigAction): void {
    this.actions[sig - 1] = action;
  }
}

/** cwd and umask, shared under CLONE_FS. */
export class FsContext {
  refs = 0;
  constructor(
    public cwd: string,
    public umask: number,
  ) {}
}

/** Pending signals: a set of standard signals plus queued real-time ones, each with its siginfo. */
export class PendingSignals {
  private readonly queue: SigInfo[] = [];
  private bits = 0n;

  get mask(): bigint {
    return this.bits;
  }
  get size(): number {
    return this.queue.length;
  }
  has(sig: number): boolean {
    return (this.bits & bit(sig)) !== 0n;
  }
  add(info: SigInfo): void {
    this.queue.push(info);
    this.bits |= bit(info.signo);
  }
  /** Removes and returns the lowest-numbered pending signal not in `blocked`. */
  take(blocked: bigint): SigInfo | undefined {
    const ready = this.bits & ~blocked;
    if (ready === 0n) return undefined;
    let sig = 1;
    while ((ready & bit(sig)) === 0n) sig++;
    const index = this.queue.findIndex((i) => i.signo === sig);
    const [info] = this.queue.splice(index, 1);
    if (!this.queue.some((i) => i.signo === sig)) this.bits &= ~bit(sig);
    return info;
  }
  /** Drops every instance of the signals in `set`. */
  flush(set: bigint): void {
    if ((this.bits & set) === 0n) return;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const info = this.queue[i];
      if (info && (bit(info.signo) & set) !== 0n) this.queue.splice(i, 1);
    }
    this.bits &= ~set;
  }
  clear(): void {
    this.queue.length = 0;
    this.bits = 0n;
  }
}

export function bit(sig: number): bigint {
  return 1n << BigInt(sig - 1);
}

/** A signal handler the guest must run now (innermost last). Ended by rt_sigreturn. */
export interface HandlerFrame {
  readonly signo: number;
  readonly handler: bigint;
  readonly info: SigInfo;
  readonly flags: bigint;
  /** The mask to restore at rt_sigreturn. */
  readonly savedMask: bigint;
  /**
   * The return register the handler interrupted, which rt_sigreturn restores and returns: the
   * result of the call the task was returning from, or null when the task was not in a call
   * (a signal taken while it ran user code: its registers are not modelled).
   */
  readonly interrupted: { readonly call: string; readonly value: bigint } | { readonly call: string; readonly errno: ErrnoName } | null;
}

/** A blocked system call: what it waits for and how a signal may end the wait. */
export interface BlockState {
  readonly call: Syscall;
  on: BlockedOn;
  /**
   * 'interruptible': a signal ends the wait with `restartErrno`; 'killable': only fatal signals
   * end it (vfork, A6/A7).
   */
  readonly sleep: 'interruptible' | 'killable';
  readonly restartErrno: 'ERESTARTSYS' | 'ERESTARTNOHAND' | 'ERESTART_RESTARTBLOCK' | 'ERESTARTNOINTR';
  /** Order in which tasks blocked, for deterministic wake-up order. */
  readonly seq: number;
  /** Re-attempts the call; returns undefined while it must keep waiting. */
  readonly retry: () => SyscallResult | undefined;
  /** What a signal ends the call with instead of the restart code (a pipe write that made progress). */
  onInterrupt?: () => SyscallResult | undefined;
  /** An open file the call keeps alive while it sleeps (a pipe read or write, F13). */
  holds?: OpenFileDescription;
  /** For checkInvariants: whether the awaited condition holds now (then the call should have ended). */
  ready?: () => boolean;
  /** Runs once when the call ends by any path (completed, interrupted, or its task killed). */
  onEnd?: () => void;
  /** rt_sigsuspend: the mask to restore when the call returns. */
  readonly restoreMask?: bigint;
  /**
   * The call's result is decided when the woken task runs, not when it is woken: `retry` only
   * says whether to wake, and this makes the result (Kernel.completion). do_wait scans the
   * children when the waiter runs, so a child that became reportable in between (an older one)
   * is the one reported; undefined sends the task back to sleep, as do_wait loops.
   */
  resolveOnRun?: () => SyscallResult | undefined;
}

export type TaskState = 'ready' | 'blocked' | 'stopped' | 'dead';

export class Task {
  state: TaskState = 'ready';
  block: BlockState | null = null;
  /** The result of a blocked call once it completed, until the caller takes it. */
  completion: SyscallResult | null = null;
  /**
   * The call `completion` belongs to. Until the caller takes the result the task has not run
   * since its wake-up, so it has not returned to user space: signals wait for that return.
   */
  completionCall: string | null = null;
  /** The woken call whose result is made when the task runs (BlockState.resolveOnRun), until then. */
  completionBlock: BlockState | null = null;
  /** Real parent thread (for a thread: copied from its creator). null only for init. */
  parent: Task | null;
  /** Leaders of the processes this thread created (and adopted), in creation order. */
  readonly children: Task[] = [];
  /** Signal sent to the parent when this process ends (meaningful for leaders; -1 for threads). */
  exitSignal: number;
  sigmask = 0n;
  readonly pending = new PendingSignals();
  readonly frames: HandlerFrame[] = [];
  clearChildTid = 0n;
  /** sigaltstack: SS_DISABLE (2) in `flags` when there is none. */
  altstack: { sp: bigint; size: bigint; flags: number } = { sp: 0n, size: 0n, flags: 2 };
  /** rt_sigsuspend's saved mask, restored by the next handler's sigreturn or at return. */
  suspendRestore: bigint | null = null;
  /** With signalsOnResume: the last call that returned to this task, for a later handler frame. */
  lastCall: string | null = null;
  lastResult: SyscallResult | null = null;
  /**
   * With signalsOnResume: get_signal already ran for this stop, before a sending the caller said
   * came after it (KernelOptions.signalTakenBefore), so the next resume takes nothing. Cleared by
   * the task's next call.
   */
  signalsTaken = false;
  /** The parent thread blocked in vfork until this task execs or exits. */
  vforkParent: Task | null = null;
  pdeathSig = 0;
  /** set_robust_list's head (per task; NULL after fork and exec). */
  robustList = 0n;
  /** rseq registration (per task; kept by a fork without CLONE_VM, dropped by exec). */
  rseq: { addr: bigint; len: number; sig: number } | null = null;
  /** arch_prctl FS/GS bases (per task; CLONE_SETTLS sets the child's FS, exec zeroes both). */
  fsBase = 0n;
  gsBase = 0n;
  /** Set once the thread is on its way out (PF_EXITING): it can no longer adopt children. */
  exiting = false;
  /** A FUTEX_WAKE chose this sleeper. */
  futexWoken = false;
  /** How this thread ended (its own exit code before group-exit rules apply). */
  exitHow: ExitHow | null = null;
  comm: string;
  /** The image this task runs (the path exec was given) and its argv/envp. */
  exe = '';
  argv: readonly string[] = [];
  envp: readonly string[] = [];

  constructor(
    public tid: Tid,
    public group: ThreadGroup,
    parent: Task | null,
    exitSignal: number,
    public mm: AddressSpace,
    public files: FdTable,
    public fs: FsContext,
    public sighand: SigHand,
    comm: string,
  ) {
    this.parent = parent;
    this.exitSignal = exitSignal;
    this.comm = comm;
  }

  get isLeader(): boolean {
    return this.group.leader === this;
  }
  get alive(): boolean {
    return this.state !== 'dead';
  }
}

export type GroupState = 'live' | 'zombie' | 'reaped';

export class ThreadGroup {
  state: GroupState = 'live';
  readonly threads: Task[] = [];
  leader!: Task;
  readonly shared = new PendingSignals();
  /** Set by exit_group or a fatal signal: every thread is going down with this status. */
  groupExit: ExitHow | null = null;
  /** The status reported by wait once the process is a zombie. */
  status = 0;
  /**
   * A zombie its tracer has not collected yet (Kernel option `traced`): only the tracer sees
   * it; the real parent is notified, and can reap it, once the tracer has (Kernel.tracerCollect).
   */
  heldByTracer = false;
  exitHow: ExitHow | null = null;
  pgid: number;
  sid: number;
  subreaper = false;
  /** Has exec'd since fork (setpgid by the parent then fails with EACCES, D24). */
  execed = false;
  /** Group stop: 'stopped' after a stop signal took effect until SIGCONT. */
  stopped = false;
  stopSignal = 0;
  /** A stop or continue not yet reported to a waiting parent (WUNTRACED / WCONTINUED). */
  stopReport: number | null = null;
  continueReport = false;
  /** The (real) uid every task of the process runs as. */
  uid: number;
  /** The (real = effective = saved) gid: the model has no set*id calls, so one value per process. */
  gid = 0;
  /** Resource limits (signal_struct->rlim): copied by fork, shared by threads, kept across exec. */
  rlimits: Rlimit[] = defaultRlimits();
  /** ITIMER_REAL (alarm/setitimer), per process: next expiry and reload interval, in ns. */
  realTimer: { deadline: bigint; interval: bigint } | null = null;
  /** tgid as a result value (getpid is the hottest call). */
  readonly tgidValue: bigint;
  constructor(
    public tgid: Tid,
    pgid: number,
    sid: number,
    uid: number,
  ) {
    this.pgid = pgid;
    this.sid = sid;
    this.uid = uid;
    this.tgidValue = BigInt(tgid);
  }
  get liveThreads(): Task[] {
    return this.threads.filter((t) => t.alive);
  }
}

/** One resource limit; RLIM_INFINITY is 2^64-1. */

