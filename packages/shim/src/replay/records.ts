// What the replay guest reports for each recorded line it replayed: the
// kernel's side of the story, next to the recorded event. Judging the two is
// the checker's job (@forkscope/conformance), not the guest's.
import type { ExitedEvent, KilledEvent, SignalEvent, SyscallEvent } from '@forkscope/tracer';
import type { ExitHow, SigInfo, SyscallResult } from '@forkscope/kernel';

/** How the guest handled a recorded syscall (see convert.ts). */
export type Handling = 'checked' | 'effect' | 'fd-probe' | 'run-adopted' | 'adopted';

export interface SyscallRecord {
  readonly kind: 'syscall';
  readonly event: SyscallEvent;
  /** The emulated task that made the call. */
  readonly tid: number;
  readonly handling: Handling;
  /** Why it was adopted (handling 'adopted' or 'run-adopted'). */
  readonly reason?: string;
  /**
   * The kernel's final answer at the point the recording shows the call returning:
   * done / error / gone, or `blocked` when the kernel still holds the call there.
   * Absent when the call was not sent.
   */
  readonly result?: SyscallResult;
  /** Whether the kernel blocked the call when it was entered (a vfork parent must be). */
  readonly enteredBlocked?: boolean;
  /** fd-probe: whether the kernel holds the fd open when the call was entered. */
  readonly fdOpen?: boolean;
  readonly fd?: number;
  /** fd-probe: further fds that had to be open too (a poll's set). */
  readonly alsoFds?: readonly number[];
}

export interface ExitRecord {
  readonly kind: 'exit';
  readonly event: ExitedEvent | KilledEvent;
  readonly tid: number;
  /** How the kernel ended this task, or null if it has not ended it. */
  readonly kernel: ExitHow | null;
}

export interface SignalRecord {
  readonly kind: 'signal';
  readonly event: SignalEvent;
  readonly tid: number;
  /** The oldest signal of that number the kernel sent to this task (or its process) not yet matched, or null. */
  readonly kernel: SigInfo | null;
  /**
   * Set when the signal came from outside the modelled processes (a fault, a sender the recording
   * does not show): the guest sent it into the kernel at this line, so its effect is replayed, and
   * says why here; there is nothing to compare its siginfo with.
   */
  readonly injected?: string;
}

/** A recorded line the guest could not replay at all; the capture's verdict is "error". */
export interface FatalRecord {
  readonly kind: 'fatal';
  readonly line: number;
  readonly message: string;
}

/** Lines the guest skipped with a reason (stopped tasks, superseded notes): counted, never silent. */
export interface SkippedRecord {
  readonly kind: 'skipped';
  readonly line: number;
  readonly pid: number | null;
  readonly what: string;
  readonly reason: string;
}

export type ReplayRecord = SyscallRecord | ExitRecord | SignalRecord | FatalRecord | SkippedRecord;
