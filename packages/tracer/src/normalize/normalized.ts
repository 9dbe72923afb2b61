// The normalized form of a capture: its process behaviour in plain JSON, with nothing that
// changes between two runs of the same program (no pids as the kernel handed them out, no
// addresses, no times). Task ids are renumbered: the root task is 1, then depth first over
// the creation tree, each task's children in the order that task created them.
// The JSON Schema beside the corpus (corpus/schema/expected.schema.json) describes the same shape.

/** An errno name as strace prints it (`ENOENT`), or `errno N` for numbers strace cannot name. */
export type ErrnoName = string;

/** A signal name (`SIGCHLD`) or, when strace printed a number, that number. */
export type SignalRef = string | number;

/** A renumbered task id, or `external` for a pid of a task this capture never showed. */
export type TaskRef = number | 'external';

export interface Normalized {
  readonly format: 'forkscope-normalized';
  readonly version: 1;
  /** Processes ordered by renumbered pid. */
  readonly processes: readonly NormProcess[];
  /** Cross-task orderings the recording shows and Linux guarantees, sorted by `call`. */
  readonly orderings: readonly NormOrdering[];
}

export interface NormProcess {
  /** Renumbered pid: the renumbered id of the process's original leader task. */
  readonly pid: number;
  /** Renumbered pid of the parent process; null for a root of the capture. */
  readonly parent: number | null;
  /** The task (leader or thread) whose clone-family call created the process; null for a root. */
  readonly createdBy: NormEventRef | null;
  /** How the whole process ended, from the end of the task holding its pid last; null if never seen. */
  readonly exit: NormExit | null;
  /** The leader first, then its threads (CLONE_THREAD) by id. */
  readonly tasks: readonly NormTask[];
}

export interface NormTask {
  /** Renumbered id; equal to the process's pid for the leader. */
  readonly tid: number;
  readonly thread: boolean;
  /** Lifecycle events of this task, in its program order. */
  readonly events: readonly NormEvent[];
  /** Signals delivered to this task (`--- SIG {…} ---`), in recorded order. Kept apart from
   * `events` because where a signal lands among a task's calls depends on timing. */
  readonly signals: readonly NormSignal[];
}

export type NormExit =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'killed'; readonly signal: string; readonly core: boolean };

/** A position in a task's `events`. `pid` is the task's renumbered id (a tid for threads). */
export interface NormEventRef {
  readonly pid: number;
  readonly index: number;
}

export type CloneCall = 'clone' | 'clone3' | 'fork' | 'vfork';
export type ExecCall = 'execve' | 'execveat';

/** A call's result: a value (a renumbered pid where the call returns one), an errno, or null if it never returned. */
export type NormResult = number | 'external' | ErrnoName | null;

export type WaitTarget =
  | { readonly kind: 'any' }
  | { readonly kind: 'pid'; readonly pid: TaskRef }
  /** The caller's own process group (`wait4(0, …)`, `waitid(P_PGID, 0, …)`). */
  | { readonly kind: 'own-group' }
  | { readonly kind: 'group'; readonly pgid: TaskRef }
  | { readonly kind: 'pidfd'; readonly fd: number }
  /** An argument the kernel rejects or that strace printed in a form not decoded here (kept as text). */
  | { readonly kind: 'other'; readonly text: string };

export type WaitStatus =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'killed'; readonly signal: SignalRef; readonly core: boolean }
  | { readonly kind: 'stopped'; readonly signal: SignalRef }
  | { readonly kind: 'continued' };

export type KillTarget =
  | { readonly kind: 'pid'; readonly pid: TaskRef }
  | { readonly kind: 'own-group' }
  | { readonly kind: 'group'; readonly pgid: TaskRef }
  /** kill(-1, …): every process the caller may signal. */
  | { readonly kind: 'all' }
  /** tgkill/tkill: one thread. */
  | { readonly kind: 'thread'; readonly pid: TaskRef | null; readonly tid: TaskRef }
  | { readonly kind: 'other'; readonly text: string };

export type NormEvent =
  | {
      readonly kind: 'clone';
      readonly call: CloneCall;
      /** CLONE_* names, sorted (fork: none; vfork: CLONE_VFORK and CLONE_VM). */
      readonly flags: readonly string[];
      readonly exitSignal: SignalRef | null;
      /** The created task's renumbered id, or an errno. */
      readonly result: NormResult;
      /** clone3 only: the size argument (64, 80, 88…), which decides several errors (B1–B5). */
      readonly size?: number;
    }
  | {
      readonly kind: 'exec';
      readonly call: ExecCall;
      readonly path: string | null;
      readonly argv: readonly string[] | null;
      /** True when strace cut argv short (`...`). */
      readonly argvTruncated: boolean;
      /** 0 on success, an errno, or null when it never returned. */
      readonly result: 0 | ErrnoName | null;
    }
  | { readonly kind: 'exit-call'; readonly call: 'exit' | 'exit_group'; readonly code: number | null }
  | {
      readonly kind: 'wait';
      readonly call: 'wait4' | 'waitid';
      readonly target: WaitTarget;
      /** W* names, sorted. */
      readonly options: readonly string[];
      /** wait4: the reaped task's id or 0; waitid: 0; or an errno; null if it never returned. */
      readonly result: NormResult;
      /** The task whose state change was reported (wait4's result, waitid's si_pid); null if none. */
      readonly child: TaskRef | null;
      readonly status: WaitStatus | null;
    }
  | {
      readonly kind: 'kill';
      readonly call: 'kill' | 'tgkill' | 'tkill';
      readonly target: KillTarget;
      readonly signal: SignalRef | null;
      readonly result: 0 | ErrnoName | null;
    }
  /** The task's end, as strace reported it (the last event of its list). */
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'killed'; readonly signal: string; readonly core: boolean }
  /** An exec in another thread of the group ended this task; that thread took its pid. */
  | { readonly kind: 'superseded'; readonly by: number };

export interface NormSignal {
  readonly signal: string;
  /** si_code as printed (`CLD_EXITED`, `SI_USER`, `SEGV_MAPERR`), or null. */
  readonly code: string | number | null;
  /** si_pid, renumbered, when the siginfo carries one. */
  readonly pid: TaskRef | null;
  /** si_status (exit code or signal), when present. */
  readonly status: SignalRef | null;
}

export type OrderingReason =
  /** A CLONE_VFORK parent resumed after the child's successful execve (A2, G4). */
  | 'vfork-released-by-exec'
  /** A CLONE_VFORK parent resumed after the child started to exit (A1, A3). */
  | 'vfork-released-by-exit'
  /** A wait call returned after the reported child's exit (E26). */
  | 'wait-after-exit';

export interface NormOrdering {
  readonly kind: 'resumed-after';
  readonly reason: OrderingReason;
  /** The call that blocked. */
  readonly call: NormEventRef;
  /** What had to happen first. */
  readonly after: NormEventRef;
}
