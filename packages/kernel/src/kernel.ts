// The Kernel: the public face of the model. A caller (a guest program model, or the replay
// guest) creates root processes with spawn(), then issues system calls on behalf of ready
// tasks with syscall(tid, call). Calls return done / error / blocked; a blocked call completes
// later and its result is collected with completion(tid). One task runs at a time; runnable()
// lists the ready tasks in scheduling order, advanceClock() moves virtual time when only
// sleepers remain. Everything observable is in the event stream; checkInvariants() audits the
// state. Guest input never throws: bad arguments are Linux errnos and unknown calls ENOSYS.
// KernelUsageError is thrown only for API misuse (a call for a task that cannot run).
import { WAIT, P_ALL } from './abi.js';
import type { Syscall } from './calls.js';
import { Core, KernelUsageError } from './core.js';
import type { KernelEvent } from './events.js';
import { FdTable } from './files/fd-table.js';
import { O_RDWR } from './files/constants.js';
import { OpenFileDescription } from './files/open-file.js';
import type { Vfs } from './fs/vfs.js';
import { AddressSpace } from './memory/address-space.js';
import { done, error, type BlockedOn, type SigInfo, type SyscallResult, type Tid } from './outcome.js';
import { SIGNALS } from './signals.js';
import { FsContext, SigHand, Task, ThreadGroup, type HandlerFrame } from './task.js';
import { sysClone, sysClone3, sysFork, sysVfork } from './clone.js';
import { sysExecve, sysExecveat } from './exec.js';
import { exitTask, groupExit, notifyParent, reap } from './exit.js';
import { sysWait4, sysWaitid } from './wait.js';
import { deliverSignals, hasDeliverable, interrupt, makeInfo, savedReturn, sendSignal } from './signal-delivery.js';
import {
  sysKill,
  sysPause,
  sysRtSigaction,
  sysRtSigpending,
  sysRtSigprocmask,
  sysRtSigreturn,
  sysRtSigsuspend,
  sysTgkill,
  sysTkill,
} from './signal-calls.js';
import {
  sysChdir,
  sysFchdir,
  sysGetcwd,
  sysGetpgid,
  sysGetsid,
  sysPrctl,
  sysSetpgid,
  sysSetsid,
  sysUmask,
} from './process-calls.js';
import {
  sysClose,
  sysCloseRange,
  sysDup,
  sysDup2,
  sysDup3,
  sysFcntl,
  sysOpenat,
  sysPipe2,
  sysRead,
  sysWrite,
} from './fd-calls.js';
import { sysBrk, sysMmap, sysMprotect, sysMunmap } from './memory-calls.js';
import { sysClockNanosleep, sysNanosleep } from './time-calls.js';
import { sysFutex } from './futex.js';
import { fireTimers, nextTimerDeadline, sysAlarm, sysSetitimer, sysSigaltstack } from './timer-calls.js';
import { sysPidfdOpen, sysPidfdSendSignal } from './pidfd.js';
import { checkInvariants } from './invariants.js';
import { SI_USER } from './abi.js';
import { sysArchPrctl, sysRseq, sysSetRobustList } from './task-state-calls.js';
import { sysGetres } from './cred-calls.js';
import { defaultRlimits, RLIMIT, sysPrlimit64 } from './rlimits.js';
import { sysGetrandom } from './random-calls.js';
import type { RlimitValue } from './calls.js';

export interface KernelOptions {
  /** The first pid handed out (init is pid 1). Default 1000. */
  readonly pidBase?: number;
  /** pid_max: pids wrap back to pidBase here. Default 4194304. */
  readonly pidMax?: number;
  /** The uid every process runs as. Default 0 (root, as the corpus was captured). */
  readonly uid?: number;
  /** RLIMIT_CORE > 0: core-default signals report a dumped core (WCOREDUMP, CLD_DUMPED). Default false. */
  readonly coreDumps?: boolean;
  /** The filesystem exec/chdir/openat resolve against; null/absent: outcomes are adopted. */
  readonly fs?: Vfs | null;
  /**
   * 'model' (default): pointer arguments are read from and results written to each task's
   * address space. 'none': callers pass values (replay); writes are skipped.
   */
  readonly memory?: 'model' | 'none';
  /** RLIMIT_NOFILE's soft limit for spawned processes. Default 1024 (overrides `rlimits`). */
  readonly nofile?: number;
  /** The gid every process runs as. Default 0. */
  readonly gid?: number;
  /**
   * Starting resource limits of spawned processes, by RLIMIT_* number; the rest are Linux's
   * boot defaults. Where the program ran they are the environment's (a replay reads them from
   * the capture).
   */
  readonly rlimits?: Readonly<Partial<Record<number, RlimitValue>>>;
  /**
   * Every process runs under an outside tracer that is not its parent, as under `strace -f`
   * (a replay). A process that dies is then a zombie only its tracer sees: its real parent gets
   * the exit signal and can wait for it once the tracer has collected it, which the caller says
   * with tracerCollect (kernel/exit.c: exit_notify notifies the tracer; wait_task_zombie, when
   * the tracer reaps, cascades do_notify_parent to the real parent). strace prints
   * `+++ exited with N +++` when it collects. Default false.
   */
  readonly traced?: boolean;
  /**
   * With `traced`: a task takes its pending signals only when the caller resumes it (`resume`),
   * not at the return of a call. Under ptrace a task stops at
   * each syscall exit and runs get_signal only after the tracer restarts it, so a signal sent
   * between its return line and its `--- SIG ---` line finds the first one still pending (and a
   * standard one is merged into it). A handler frame then saves the task's last call's return.
   * Default false.
   */
  readonly signalsOnResume?: boolean;
  /**
   * With `signalsOnResume`: where between a task's return and its resume get_signal ran, when it
   * matters. Asked when a standard signal `info` is about to be merged into one of its number
   * still pending (one instance: kernel/signal.c legacy_queue, A8) that task `tid` would take at
   * its resume (it is ready, its last call's result taken, the signal not blocked). true: the task
   * ran get_signal before this sending; it takes its pending signals now, exactly as `resume(tid)`
   * would (handler frame, handler mask…), its next `resume` takes nothing, and `info` is then sent
   * as usual (queued, unless still merged or discarded). The kernel asks nothing else and decides
   * nothing itself: the answer is the caller's (a replay reads it from the recording). Absent:
   * always false, the latest point (merged).
   */
  readonly signalTakenBefore?: (tid: Tid, info: SigInfo) => boolean;
  /**
   * openat of /proc/<pid>/stat, /proc/self/stat, /proc/thread-self/stat and
   * /proc/<pid>/task/<tid>/stat gives a file whose reads the kernel synthesizes from its task
   * table (proc-stat.ts), and /proc/<pid>/… of a pid with no task fails with ENOENT. Default false:
   * /proc paths are opaque files, as a replay needs them, since its paths name the recorded
   * pids, not the kernel's.
   */
  readonly procfs?: boolean;
  /**
   * true (default): `events` is the whole log, kept for the kernel's lifetime. false: the kernel
   * keeps only the events `takeEvents()` has not returned yet, so a long run whose reader drains
   * them (or listens with `onEvent`) holds a bounded log. Events and their `seq` are the same
   * either way.
   */
  readonly keepEvents?: boolean;
}

export interface SpawnOptions {
  /** The program the process is running (it is not resolved: spawn never fails). */
  readonly path: string;
  readonly argv?: readonly string[];
  readonly envp?: readonly string[];
  readonly cwd?: string;
  readonly umask?: number;
  /** Open fds 0, 1 and 2 on an opaque terminal. Default true. */
  readonly stdio?: boolean;
  /**
   * 'inherit' (default): the process joins its spawner's process group and session (init's, 1),
   * as a traced child of strace does, so setsid/setpgid(0,0) succeed. 'new': it leads its own.
   */
  readonly session?: 'inherit' | 'new';
}

export type TaskStateView = 'ready' | 'blocked' | 'stopped' | 'exited' | 'zombie';

/** A read-only snapshot of one task. */
export interface TaskView {
  readonly tid: Tid;
  readonly tgid: Tid;
  readonly ppid: Tid;
  readonly state: TaskStateView;
  readonly blockedOn: BlockedOn | null;
  readonly blockedCall: string | null;
  readonly exe: string;
  readonly argv: readonly string[];
  readonly envp: readonly string[];
  readonly comm: string;
  readonly pgid: number;
  readonly sid: number;
  readonly sigmask: bigint;
  /** Pending for this thread or its process. */
  readonly pending: bigint;
  readonly exitSignal: number;
  readonly cwd: string;
  readonly umask: number;
  readonly fds: readonly number[];
  readonly frames: readonly HandlerFrame[];
  /** Identity of the task's address space (shared under CLONE_VM, replaced by exec). */
  readonly addressSpace: number;
  /** set_robust_list's head (0n: none). */
  readonly robustList: bigint;
}

/** A read-only snapshot of one process (thread group). */
export interface ProcessView {
  readonly tgid: Tid;
  readonly state: 'live' | 'zombie';
  readonly ppid: Tid;
  readonly threads: readonly Tid[];
  /** The wait status once a zombie. */
  readonly status: number | null;
  readonly stopped: boolean;
  readonly pgid: number;
  readonly sid: number;
  readonly subreaper: boolean;
  readonly children: readonly Tid[];
}

const INIT_PID = 1;

export class Kernel {
  private readonly core: Core;

  constructor(options: KernelOptions = {}) {
    const pidBase = options.pidBase ?? 1000;
    const pidMax = options.pidMax ?? 4194304;
    if (!Number.isInteger(pidBase) || pidBase <= INIT_PID || pidBase >= pidMax) {
      throw new KernelUsageError(`pidBase must be an integer in (1, pidMax); got ${pidBase}`);
    }
    this.core = new Core({
      pidBase,
      pidMax,
      uid: options.uid ?? 0,
      coreDumps: options.coreDumps ?? false,
      fs: options.fs ?? null,
      memory: options.memory ?? 'model',
      traced: options.traced ?? false,
      signalsOnResume: options.signalsOnResume ?? false,
      signalTakenBefore: options.signalTakenBefore,
      procfs: options.procfs ?? false,
      keepEvents: options.keepEvents ?? true,
    });
    const rlimits = defaultRlimits();
    for (const [k, v] of Object.entries(options.rlimits ?? {})) {
      const i = Number(k);
      if (v === undefined) continue;
      if (!Number.isInteger(i) || rlimits[i] === undefined || v.cur > v.max) throw new KernelUsageError(`rlimits: bad limit ${k}`);
      rlimits[i] = { cur: v.cur, max: v.max };
    }
    const nofile = rlimits[RLIMIT.NOFILE];
    if (options.nofile !== undefined && nofile !== undefined) nofile.cur = BigInt(options.nofile);
    this.rlimits = rlimits;
    this.gid = options.gid ?? 0;
    this.core.init = this.makeInit();
  }

  private readonly rlimits: readonly { readonly cur: bigint; readonly max: bigint }[];
  private readonly gid: number;

  /** init (pid 1): not driven by the caller; it adopts orphans and reaps them at once. */
  private makeInit(): Task {
    const core = this.core;
    const group = new ThreadGroup(INIT_PID, INIT_PID, INIT_PID, 0);
    const fs = new FsContext('/', 0o022);
    fs.refs++;
    const sighand = new SigHand();
    sighand.refs++;
    const init = new Task(INIT_PID, group, null, 0, new AddressSpace({ id: core.newObjectId() }), new FdTable(), fs, sighand, 'init');
    init.exe = '/sbin/init';
    group.leader = init;
    group.threads.push(init);
    core.tasks.set(INIT_PID, init);
    core.groups.set(INIT_PID, group);
    // Sleeping in wait() forever; its children are reaped as they die (exit.ts notifyParent).
    init.state = 'blocked';
    init.block = {
      call: { name: 'wait4', pid: -1, status: 0n, options: WAIT.__WALL, rusage: 0n },
      on: { kind: 'child', idtype: P_ALL, id: 0, options: WAIT.WEXITED | WAIT.__WALL },
      sleep: 'killable',
      restartErrno: 'ERESTARTSYS',
      seq: -1,
      retry: () => undefined,
    };
    return init;
  }

  /** Creates a root process (a child of init) already running `path`. */
  spawn(options: SpawnOptions): Tid {
    const core = this.core;
    const pid = core.allocPid();
    if (pid === undefined) throw new KernelUsageError('no free pid for spawn');
    const own = options.session === 'new';
    const group = new ThreadGroup(pid, own ? pid : core.init.group.pgid, own ? pid : core.init.group.sid, core.config.uid);
    const fs = new FsContext(options.cwd ?? '/', options.umask ?? 0o022);
    fs.refs++;
    const sighand = new SigHand();
    sighand.refs++;
    group.gid = this.gid;
    group.rlimits = this.rlimits.map((r) => ({ cur: r.cur, max: r.max }));
    const nofile = this.rlimits[RLIMIT.NOFILE]?.cur ?? 1024n;
    const files = new FdTable({ limit: nofile > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(nofile) });
    if (options.stdio ?? true) {
      const tty = new OpenFileDescription({ kind: 'other', label: '/dev/pts/0' }, O_RDWR);
      for (let fd = 0; fd < 3; fd++) files.install(tty);
    }
    const comm = (options.path.split('/').pop() ?? options.path).slice(0, 15);
    const task = new Task(pid, group, core.init, SIGNALS.SIGCHLD, new AddressSpace({ id: core.newObjectId() }), files, fs, sighand, comm);
    task.exe = options.path;
    task.argv = options.argv ?? [options.path];
    task.envp = options.envp ?? [];
    group.leader = task;
    group.threads.push(task);
    core.tasks.set(pid, task);
    core.groups.set(pid, group);
    core.init.children.push(task);
    core.emit({ type: 'task-created', tid: pid, tgid: pid, ppid: INIT_PID, creator: null, thread: false, flags: 0n, exitSignal: SIGNALS.SIGCHLD });
    core.makeReady(task);
    return pid;
  }

  /** Executes one system call for a ready task. */
  syscall(tid: Tid, call: Syscall): SyscallResult {
    const core = this.core;
    const task = core.tasks.get(tid);
    if (!task || task === core.init) throw new KernelUsageError(`no task ${tid}`);
    if (task.state !== 'ready') throw new KernelUsageError(`task ${tid} cannot make a call: it is ${task.state}`);
    const onResume = core.config.signalsOnResume === true;
    task.signalsTaken = false;
    if (task.suspendRestore !== null) {
      // Back in user space after rt_sigsuspend without a handler (e.g. stopped and continued).
      task.sigmask = task.suspendRestore;
      task.suspendRestore = null;
    }
    core.current = task;
    let result: SyscallResult;
    try {
      result = this.dispatch(task, call);
    } finally {
      core.current = null;
    }
    if (result.kind === 'blocked' && task.block?.sleep === 'interruptible' && hasDeliverable(task)) {
      // A signal was already pending: the wait ends before it starts.
      interrupt(core, task);
      result = task.completion ?? result;
      task.completion = null;
      task.completionCall = null;
    }
    if (core.dirty) this.settle();
    const returned = result.kind === 'done' || result.kind === 'error';
    if (onResume) {
      // Nothing is taken at this return (nor was at this call's entry: get_signal runs only on the
      // way back to user space); resume() takes the signals, and its handler frame saves this return.
      if (returned) {
        task.lastCall = call.name;
        task.lastResult = result;
      }
    } else if (task.state === 'ready' && returned && (task.pending.size > 0 || task.group.shared.size > 0)) {
      deliverSignals(core, task, savedReturn(call.name, result));
      if (core.dirty) this.settle();
    }
    if (task.state === 'ready') core.rotate(task);
    return result;
  }

  /**
   * With `signalsOnResume`: the task is back from its last return on its way to user space (the
   * recording's `--- SIG ---` line: strace prints it at the signal-delivery stop, right after
   * get_signal took the signal) and takes its pending signals now; a handler frame saves the
   * return of its last call. Nothing happens for a task that is not
   * ready, or whose blocked call's result has not been taken, or that took its signals for this
   * stop already (before a sending, see `signalTakenBefore`).
   */
  resume(tid: Tid): void {
    const core = this.core;
    const task = core.tasks.get(tid);
    if (core.config.signalsOnResume !== true || !task) return;
    if (task.signalsTaken) {
      task.signalsTaken = false;
      return;
    }
    if (task.state !== 'ready' || task.completion !== null) return;
    if (!hasDeliverable(task) && task.suspendRestore === null) return;
    deliverSignals(core, task, savedReturn(task.lastCall ?? '', task.lastResult), true);
    if (core.dirty) this.settle();
  }

  /** Lets blocked calls whose condition now holds complete, then delivers their signals. */
  private settle(): void {
    this.core.wakeWaiters(this.deliverAfterWake);
  }

  /** One closure for every settle (it runs after most calls that change state). */
  private readonly deliverAfterWake = (t: Task, name: string, result: SyscallResult): void => {
    // Under signalsOnResume nothing is delivered here (deliverSignals would return at once): no saved return is built.
    if (this.core.config.signalsOnResume !== true) deliverSignals(this.core, t, savedReturn(name, result));
  };

  private dispatch(t: Task, call: Syscall): SyscallResult {
    const core = this.core;
    // The calls a replay makes most come first: a string switch tests its cases in order, and a
    // name the caller did not write as a literal makes each test a full string comparison.
    switch (call.name) {
      case 'read':
        return sysRead(core, t, call);
      case 'write':
        return sysWrite(core, t, call);
      case 'openat':
        return sysOpenat(core, t, call);
      case 'close':
        return sysClose(core, t, call);
      case 'fcntl':
        return sysFcntl(core, t, call);
      case 'getpid':
        return { kind: 'done', value: t.group.tgidValue };
      case 'gettid':
        return done(t.tid);
      case 'getppid':
        return done(t.parent ? t.parent.group.tgid : 0);
      case 'getpgid':
        return sysGetpgid(core, t, call);
      case 'getpgrp':
        return done(t.group.pgid);
      case 'getsid':
        return sysGetsid(core, t, call);
      case 'setpgid':
        return sysSetpgid(core, t, call);
      case 'setsid':
        return sysSetsid(core, t);
      case 'set_tid_address':
        t.clearChildTid = call.tidptr;
        return done(t.tid);
      case 'prctl':
        return sysPrctl(core, t, call);
      case 'getuid':
      case 'geteuid':
        return done(t.group.uid);
      case 'getgid':
      case 'getegid':
        return done(t.group.gid);
      case 'getresuid':
      case 'getresgid':
        return sysGetres(core, t, call);
      case 'set_robust_list':
        return sysSetRobustList(t, call);
      case 'rseq':
        return sysRseq(t, call);
      case 'arch_prctl':
        return sysArchPrctl(core, t, call);
      case 'prlimit64':
        return sysPrlimit64(core, t, call);
      case 'getrandom':
        return sysGetrandom(core, t, call);
      case 'fork':
        return sysFork(core, t, call);
      case 'vfork':
        return sysVfork(core, t, call);
      case 'clone':
        return sysClone(core, t, call);
      case 'clone3':
        return sysClone3(core, t, call);
      case 'execve':
        return sysExecve(core, t, call);
      case 'execveat':
        return sysExecveat(core, t, call);
      case 'exit':
        exitTask(core, t, { kind: 'exited', code: call.status & 0xff });
        return { kind: 'gone' };
      case 'exit_group':
        groupExit(core, t.group, { kind: 'exited', code: call.status & 0xff }, t);
        return { kind: 'gone' };
      case 'wait4':
        return sysWait4(core, t, call);
      case 'waitid':
        return sysWaitid(core, t, call);
      case 'kill':
        return sysKill(core, t, call);
      case 'tkill':
        return sysTkill(core, t, call);
      case 'tgkill':
        return sysTgkill(core, t, call);
      case 'rt_sigaction':
        return sysRtSigaction(core, t, call);
      case 'rt_sigprocmask':
        return sysRtSigprocmask(core, t, call);
      case 'rt_sigpending':
        return sysRtSigpending(core, t, call);
      case 'rt_sigreturn':
        return sysRtSigreturn(core, t);
      case 'pause':
        return sysPause(core, t, call);
      case 'rt_sigsuspend':
        return sysRtSigsuspend(core, t, call);
      case 'sigaltstack':
        return sysSigaltstack(core, t, call);
      case 'alarm':
        return sysAlarm(core, t, call);
      case 'setitimer':
        return sysSetitimer(core, t, call);
      case 'pidfd_send_signal':
        return sysPidfdSendSignal(core, t, call);
      case 'pidfd_open':
        return sysPidfdOpen(core, t, call);
      case 'dup':
        return sysDup(core, t, call);
      case 'dup2':
        return sysDup2(core, t, call);
      case 'dup3':
        return sysDup3(core, t, call);
      case 'close_range':
        return sysCloseRange(core, t, call);
      case 'pipe':
      case 'pipe2':
        return sysPipe2(core, t, call);
      case 'mmap':
        return sysMmap(core, t, call);
      case 'munmap':
        return sysMunmap(core, t, call);
      case 'mprotect':
        return sysMprotect(core, t, call);
      case 'brk':
        return sysBrk(core, t, call);
      case 'umask':
        return sysUmask(core, t, call);
      case 'chdir':
        return sysChdir(core, t, call);
      case 'fchdir':
        return sysFchdir(core, t, call);
      case 'getcwd':
        return sysGetcwd(core, t, call);
      case 'nanosleep':
        return sysNanosleep(core, t, call);
      case 'clock_nanosleep':
        return sysClockNanosleep(core, t, call);
      case 'futex':
        return sysFutex(core, t, call);
      case 'unknown':
        core.emit({ type: 'unmodeled', tid: t.tid, call: call.syscall, reason: 'system call not modelled' });
        return error('ENOSYS');
      default: {
        const never: never = call;
        throw new Error(`unhandled syscall ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * The result of a call that blocked, once it completed (taken: a second call returns
   * undefined); undefined while still blocked; `gone` if the task no longer exists.
   */
  completion(tid: Tid): SyscallResult | undefined {
    const task = this.core.tasks.get(tid);
    if (!task || !task.alive) return { kind: 'gone' };
    let r = task.completion;
    if (r === null) return undefined;
    // A wait woken in a group that stopped since has not run: it decides when it is continued.
    if (task.completionBlock !== null && task.state !== 'ready') return undefined;
    const call = task.completionCall;
    task.completion = null;
    task.completionCall = null;
    const block = task.completionBlock;
    if (block !== null && block.resolveOnRun !== undefined) {
      task.completionBlock = null;
      const decided = this.core.runAs(task, block.resolveOnRun);
      if (decided === undefined) {
        this.core.reblock(task, block);
        return undefined;
      }
      r = decided;
      this.core.emit({ type: 'woken', tid: task.tid, call: block.call.name, result: r });
    }
    // The task runs now and returns to user space: it takes the signals that arrived since it
    // was woken (exit_to_user_mode → get_signal), with this call's result as the saved return.
    if (this.core.config.signalsOnResume === true) {
      task.lastCall = call;
      task.lastResult = r;
    } else if (task.state === 'ready' && (task.pending.size > 0 || task.group.shared.size > 0 || task.suspendRestore !== null)) {
      deliverSignals(this.core, task, savedReturn(call ?? '', r));
      if (this.core.dirty) this.settle();
    }
    return r;
  }

  /**
   * With `traced`: the tracer collects the process's exit (strace's `+++ exited`/`+++ killed`
   * line), so its real parent is notified now (exit signal, wait). Returns false when `tgid`
   * names no zombie waiting for its tracer (still alive, already collected, or unknown).
   */
  tracerCollect(tgid: Tid): boolean {
    const group = this.core.groups.get(tgid);
    if (!group || group.state !== 'zombie' || !group.heldByTracer) return false;
    group.heldByTracer = false;
    if (notifyParent(this.core, group.leader, group.leader.exitSignal)) reap(this.core, group, null);
    if (this.core.dirty) this.settle();
    return true;
  }

  /** Signal handlers the task must run now, innermost last (each ended by rt_sigreturn). */
  signalFrames(tid: Tid): readonly HandlerFrame[] {
    return this.core.tasks.get(tid)?.frames ?? [];
  }

  /**
   * A signal from outside the modelled processes (a terminal, a supervisor): SI_USER from pid 0,
   * to a process. Returns false when no such live process exists.
   */
  signalProcess(tgid: Tid, sig: number): boolean {
    const task = this.core.tasks.get(tgid);
    if (!task || task === this.core.init || task.group.state !== 'live') return false;
    sendSignal(this.core, task, 'process', makeInfo(sig, SI_USER, 0, 0), null);
    this.settle();
    return true;
  }

  /** Ready tasks in scheduling order (round robin: a task moves to the back after each call). */
  runnable(): Tid[] {
    return this.core.ready.map((t) => t.tid);
  }

  /** The task the scheduler runs next, if any is ready. */
  next(): Tid | undefined {
    return this.core.ready[0]?.tid;
  }

  /** Virtual time in nanoseconds. */
  now(): bigint {
    return this.core.now;
  }

  /**
   * Moves virtual time to the earliest sleep or futex deadline and wakes what is due. Returns
   * false when no deadline exists (nothing more will happen without a call).
   */
  advanceClock(): boolean {
    let next: bigint | undefined;
    for (const t of this.core.blockedTasks()) {
      const on = t.block?.on;
      const until = on?.kind === 'sleep' ? on.until : on?.kind === 'futex' ? on.until : null;
      if (until !== null && until !== undefined && (next === undefined || until < next)) next = until;
    }
    const timer = nextTimerDeadline(this.core);
    if (timer !== undefined && (next === undefined || timer < next)) next = timer;
    if (next === undefined) return false;
    this.advanceTo(next);
    return true;
  }

  /** Moves virtual time forward to `ns` (never backwards) and wakes what is due. */
  advanceTo(ns: bigint): void {
    // Timers that expire on the way fire in order, each at its own time.
    for (let t = nextTimerDeadline(this.core); t !== undefined && t <= ns; t = nextTimerDeadline(this.core)) {
      this.moveClock(t);
      fireTimers(this.core);
      this.core.dirty = true;
      this.settle();
    }
    this.moveClock(ns);
    this.core.dirty = true;
    this.settle();
  }

  private moveClock(ns: bigint): void {
    if (ns > this.core.now) {
      this.core.now = ns;
      this.core.emit({ type: 'clock', now: ns });
    }
  }

  /**
   * The event log: every event so far, or with `keepEvents: false` those `takeEvents()` has not
   * returned yet. The array may be replaced by the next takeEvents: read it again after one.
   */
  get events(): readonly KernelEvent[] {
    return this.core.events;
  }

  /** How many events the kernel has emitted (the next event's `seq`), whether or not it keeps them. */
  get eventCount(): number {
    return this.core.eventCount;
  }

  /**
   * The events emitted since the previous takeEvents (or since the kernel was made), in order.
   * With `keepEvents: false` the kernel forgets them; with the default the log keeps them and
   * this is a cursor over it.
   */
  takeEvents(): readonly KernelEvent[] {
    return this.core.takeEvents();
  }

  /** Subscribes to events as they happen; returns the unsubscribe function. */
  onEvent(listener: (event: KernelEvent) => void): () => void {
    this.core.listeners.add(listener);
    return () => this.core.listeners.delete(listener);
  }

  /** Every violated invariant, as a sentence; empty when the state is consistent. */
  checkInvariants(): string[] {
    return checkInvariants(this.core);
  }

  /** task(tid).state without building the view (O(1): a replay asks before nearly every call). */
  taskState(tid: Tid): TaskStateView | undefined {
    const t = this.core.tasks.get(tid);
    if (!t || t === this.core.init) return undefined;
    return stateView(t);
  }

  /** task(tid).tgid without building the view. */
  tgidOf(tid: Tid): Tid | undefined {
    const t = this.core.tasks.get(tid);
    return !t || t === this.core.init ? undefined : t.group.tgid;
  }

  /** task(tid).blockedOn without building the view: what a blocked task waits for, else null. */
  blockedOn(tid: Tid): BlockedOn | null {
    const t = this.core.tasks.get(tid);
    return !t || t === this.core.init ? null : (t.block?.on ?? null);
  }

  task(tid: Tid): TaskView | undefined {
    const t = this.core.tasks.get(tid);
    if (!t || t === this.core.init) return undefined;
    const state = stateView(t);
    return {
      tid: t.tid,
      tgid: t.group.tgid,
      ppid: t.parent ? t.parent.group.tgid : 0,
      state,
      blockedOn: t.block?.on ?? null,
      blockedCall: t.block?.call.name ?? null,
      exe: t.exe,
      argv: t.argv,
      envp: t.envp,
      comm: t.comm,
      pgid: t.group.pgid,
      sid: t.group.sid,
      sigmask: t.sigmask,
      pending: t.pending.mask | t.group.shared.mask,
      exitSignal: t.exitSignal,
      cwd: t.fs.cwd,
      umask: t.fs.umask,
      fds: t.alive ? t.files.fds() : [],
      frames: [...t.frames],
      addressSpace: t.mm.id,
      robustList: t.robustList,
    };
  }

  process(tgid: Tid): ProcessView | undefined {
    const g = this.core.groups.get(tgid);
    if (!g || tgid === INIT_PID || g.state === 'reaped') return undefined;
    return {
      tgid: g.tgid,
      state: g.state,
      ppid: g.leader.parent ? g.leader.parent.group.tgid : 0,
      threads: g.threads.filter((t) => t.alive).map((t) => t.tid),
      status: g.state === 'zombie' ? g.status : null,
      stopped: g.stopped,
      pgid: g.pgid,
      sid: g.sid,
      subreaper: g.subreaper,
      children: g.threads.flatMap((t) => t.children.map((c) => c.group.tgid)),
    };
  }

  /** Live tasks (not init), in tid order. */
  tids(): Tid[] {
    return [...this.core.tasks.values()].filter((t) => t !== this.core.init && t.alive).map((t) => t.tid).sort((a, b) => a - b);
  }

  /** A task's address space (guest programs keep their state in it). */
  memory(tid: Tid): AddressSpace {
    const t = this.core.tasks.get(tid);
    if (!t || !t.alive) throw new KernelUsageError(`no live task ${tid}`);
    return t.mm;
  }

  /** A task's descriptor table (read-only use: inspection by tests and checkers). */
  files(tid: Tid): FdTable {
    const t = this.core.tasks.get(tid);
    if (!t || !t.alive) throw new KernelUsageError(`no live task ${tid}`);
    return t.files;
  }
}

export { KernelUsageError };

/** A task's state as views show it: a dead task is a zombie while its process waits to be reaped. */
function stateView(t: Task): TaskStateView {
  if (t.state === 'dead') return t.group.state === 'zombie' ? 'zombie' : 'exited';
  return t.state;
}
