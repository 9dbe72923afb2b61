// The kernel's event stream: everything observable that happened, in order, with the virtual
// time. Replay checkers compare it with a capture; tests assert on it.
import type { BlockedOn, SigInfo, SyscallResult, Tid } from './outcome.js';

/** How a task or process ended. */
export type ExitHow =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'killed'; readonly signo: number; readonly core: boolean };

/** What happened to a signal when the task took it. */
export type SignalDisposition = 'handler' | 'ignore' | 'terminate' | 'core' | 'stop' | 'continue';

export type KernelEventBody =
  | {
      readonly type: 'task-created';
      readonly tid: Tid;
      readonly tgid: Tid;
      /** The real parent's thread-group id (for a thread: its process's parent). */
      readonly ppid: Tid;
      /** The task that called clone/fork; null for spawn(). */
      readonly creator: Tid | null;
      readonly thread: boolean;
      readonly flags: bigint;
      readonly exitSignal: number;
    }
  | {
      readonly type: 'exec';
      readonly tid: Tid;
      readonly tgid: Tid;
      /** The tid the exec'ing thread had before taking over the leader's (D19). */
      readonly formerTid: Tid;
      readonly path: string;
      readonly argv: readonly string[];
      /** For `#!` scripts, the interpreter chain actually loaded (outermost first). */
      readonly interpreters: readonly string[];
      /** True when the filesystem model could not tell and the outcome was adopted. */
      readonly adopted: boolean;
    }
  | { readonly type: 'exec-failed'; readonly tid: Tid; readonly path: string; readonly errno: string }
  /** One thread ended. `group` is true when it ended as part of a group exit. */
  | { readonly type: 'task-exit'; readonly tid: Tid; readonly tgid: Tid; readonly how: ExitHow; readonly group: boolean }
  /** The whole process is now a zombie (or was auto-reaped: `reaped` true). */
  | { readonly type: 'process-exit'; readonly tgid: Tid; readonly status: number; readonly how: ExitHow; readonly autoReaped: boolean }
  | { readonly type: 'reaped'; readonly tgid: Tid; readonly by: Tid | null }
  | { readonly type: 'reparented'; readonly tgid: Tid; readonly from: Tid; readonly to: Tid }
  | {
      readonly type: 'signal-sent';
      readonly from: Tid | null;
      /** A tid for a thread-directed signal, a tgid for a process-directed one. */
      readonly to: Tid;
      readonly scope: 'thread' | 'process';
      readonly info: SigInfo;
      /** False when the signal was discarded (ignored, or a duplicate standard signal). */
      readonly queued: boolean;
    }
  | {
      readonly type: 'signal-delivered';
      readonly tid: Tid;
      readonly signo: number;
      readonly action: SignalDisposition;
      readonly info: SigInfo;
    }
  | { readonly type: 'stopped'; readonly tgid: Tid; readonly signo: number }
  | { readonly type: 'continued'; readonly tgid: Tid }
  | { readonly type: 'blocked'; readonly tid: Tid; readonly call: string; readonly on: BlockedOn }
  | { readonly type: 'woken'; readonly tid: Tid; readonly call: string; readonly result: SyscallResult }
  | { readonly type: 'vfork-released'; readonly parent: Tid; readonly child: Tid; readonly cause: 'exec' | 'exit' }
  /** FUTEX_WAKE (or CLONE_CHILD_CLEARTID at exit/exec) chose `woken` sleepers. */
  | { readonly type: 'futex-wake'; readonly space: number; readonly addr: bigint; readonly woken: readonly Tid[] }
  | { readonly type: 'clock'; readonly now: bigint }
  | { readonly type: 'unmodeled'; readonly tid: Tid; readonly call: string; readonly reason: string };

export type KernelEvent = KernelEventBody & { readonly seq: number; readonly time: bigint };
export type KernelEventType = KernelEventBody['type'];
