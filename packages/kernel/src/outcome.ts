// What a system call returns: done with a value, an errno, or blocked on an inspectable
// condition. A blocked call later completes (Kernel.completion) with done/error, or is
// interrupted by a signal with one of Linux's ERESTART* codes or EINTR.
import type { ErrnoName } from './errno.js';
import type { SigactionStruct } from './calls.js';

export type Tid = number;

/** siginfo_t fields as the kernel core fills them (SIGCHLD and waitid's infop). */
export interface SigInfo {
  readonly signo: number;
  readonly errno: number;
  readonly code: number;
  /** Sender or child pid (0 when not applicable). */
  readonly pid: number;
  readonly uid: number;
  /** SIGCHLD/waitid: exit code or signal number. */
  readonly status: number;
  readonly utime: bigint;
  readonly stime: bigint;
}

/** Values Linux wrote to guest memory for this call, decoded (also written when an address was given). */
export interface SyscallOut {
  /** wait4's *wstatus (written only when a child was reported). */
  readonly status?: number;
  /** waitid's infop contents (zero-filled when nothing was reported, E18/E19). */
  readonly siginfo?: SigInfo;
  /** pipe/pipe2's two descriptors. */
  readonly fds?: readonly [number, number];
  /** clone/clone3 CLONE_PIDFD: the new pidfd. */
  readonly pidfd?: number;
  /** rt_sigaction's previous action. */
  readonly oldact?: SigactionStruct;
  /** rt_sigprocmask's previous mask, rt_sigpending's set. */
  readonly sigset?: bigint;
  /** read's bytes. */
  readonly data?: Uint8Array;
  /** getcwd's path. */
  readonly cwd?: string;
  /** sigaltstack's previous stack. */
  readonly altstack?: { readonly sp: bigint; readonly flags: number; readonly size: bigint };
  /** setitimer's previous timer, alarm's remaining seconds (as `value`). */
  readonly itimer?: { readonly interval: bigint; readonly value: bigint };
  /** prlimit64's previous limit. */
  readonly rlimit?: { readonly cur: bigint; readonly max: bigint };
  /** getresuid/getresgid: real, effective, saved. */
  readonly ids?: readonly [number, number, number];
  /** prctl(PR_GET_*)'s value written through arg2; arch_prctl(ARCH_GET_FS/GS)'s base. */
  readonly value?: bigint;
}

/** Why a call is blocked. Each names what must happen for it to wake. */
export type BlockedOn =
  /** A CLONE_VFORK parent: until `child` execs successfully or exits (A1–A7). */
  | { readonly kind: 'vfork'; readonly child: Tid }
  /** wait4/waitid: until an eligible child changes state, or no eligible child remains. */
  | { readonly kind: 'child'; readonly idtype: number; readonly id: number; readonly options: number }
  /** read on an empty pipe with writers. */
  | { readonly kind: 'pipe-read'; readonly pipe: number; readonly fd: number }
  /** write on a full pipe with readers. */
  | { readonly kind: 'pipe-write'; readonly pipe: number; readonly fd: number; readonly written: number }
  /** nanosleep / clock_nanosleep: until virtual time `until` (ns). */
  | { readonly kind: 'sleep'; readonly until: bigint }
  /** futex FUTEX_WAIT on a word of an address space, optionally with a deadline. */
  | { readonly kind: 'futex'; readonly space: number; readonly addr: bigint; readonly until: bigint | null }
  /** pause / rt_sigsuspend: until a signal is delivered. */
  | { readonly kind: 'signal' };

export type BlockedKind = BlockedOn['kind'];

export type SyscallResult =
  | { readonly kind: 'done'; readonly value: bigint; readonly out?: SyscallOut }
  | {
      readonly kind: 'error';
      /** As strace shows it: ERESTART* when a signal interrupted the call, else the errno. */
      readonly errno: ErrnoName;
      readonly out?: SyscallOut;
      /**
       * Present for interrupted calls: true when Linux restarts the call after the signal (the
       * guest re-issues it), false when the program sees EINTR.
       */
      readonly restarts?: boolean;
    }
  | { readonly kind: 'blocked'; readonly on: BlockedOn }
  /**
   * The calling task no longer returns to user space: it exited (exit, exit_group, a fatal
   * signal, or a sibling's exec/exit_group killed it) or, for a successful execve, it now
   * runs the new image (value 0 is reported through `done`, not here).
   */
  | { readonly kind: 'gone' };

/** Results are read-only: one shared `done` result per small value (fds, counts) spares an object and a BigInt per call. */
const SHARED_DONE: (SyscallResult | undefined)[] = [];
const SHARED_DONE_LIMIT = 1 << 16;

export function done(value: bigint | number, out?: SyscallOut): SyscallResult {
  if (out === undefined && typeof value === 'number' && value >= 0 && value < SHARED_DONE_LIMIT && Number.isInteger(value)) {
    return (SHARED_DONE[value] ??= { kind: 'done', value: BigInt(value) });
  }
  const v = typeof value === 'bigint' ? value : BigInt(value);
  return out === undefined ? { kind: 'done', value: v } : { kind: 'done', value: v, out };
}

export function error(errno: ErrnoName, out?: SyscallOut): SyscallResult {
  return out === undefined ? { kind: 'error', errno } : { kind: 'error', errno, out };
}

export function blocked(on: BlockedOn): SyscallResult {
  return { kind: 'blocked', on };
}
