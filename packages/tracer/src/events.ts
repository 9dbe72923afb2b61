// The events a capture is made of: a tagged union, one member per kind of line
// (a split syscall's `<unfinished ...>` and `resumed>` halves become one event).
import type { Arg } from './values.js';

/** Where an event came from in its input: 1-based line numbers, the file when known. */
export interface Span {
  readonly file?: string;
  /** The first line of the event (a split syscall's `<unfinished ...>` line). */
  readonly line: number;
  /** The last line (a split syscall's `resumed>` line); equal to `line` otherwise. */
  readonly endLine: number;
}

/** A timestamp as printed (-t, -tt, -ttt, --timestamps=…,ns) and as nanoseconds. */
export interface Timestamp {
  readonly text: string;
  /** Nanoseconds since the epoch (-ttt) or since midnight (-t, -tt). */
  readonly ns: bigint;
}

/** What strace printed before the body of a line. */
export interface Prefix {
  readonly time?: Timestamp;
  /** -r: time since the previous line, as printed. */
  readonly relative?: string;
  /** -n: syscall number; null when printed as unavailable. */
  readonly scno?: number | null;
  /** -i: instruction pointer as hex text; null when unavailable. */
  readonly ip?: string | null;
  /** -Y / --secontext annotations. */
  readonly comm?: string;
  readonly secontext?: string;
}

interface Base {
  /** The traced task's id as printed; null where strace printed no pid (a single-process trace). */
  readonly pid: number | null;
  readonly span: Span;
  readonly prefix: Prefix;
}

export type SyscallOutcome =
  /** `= 3`, `= 0x7f..`, `= 022`, `= 3</path>`, `= 0x1 (flags FD_CLOEXEC)`. */
  | {
      readonly kind: 'value';
      readonly text: string;
      readonly value: bigint;
      readonly decoration?: string;
      readonly extra?: string;
    }
  /** `= -1 ENOENT (No such file or directory)`; `errno` is the name, or `errno N` for unknown numbers. */
  | { readonly kind: 'error'; readonly value: bigint; readonly errno: string; readonly message: string }
  /** `= ? ERESTARTSYS (To be restarted if SA_RESTART is set)` and its kin. */
  | { readonly kind: 'restart'; readonly errno: string; readonly message: string }
  /** `= ?`: exit, exit_group, killed mid-call, superseded by execve. */
  | { readonly kind: 'unknown' }
  /** `= ? <unavailable>`. */
  | { readonly kind: 'unavailable' }
  /** Never completed in this capture: the task died, strace detached, or the input ended. */
  | { readonly kind: 'unfinished'; readonly reason: 'detached' | 'pid-changed' | 'end-of-input' | 'superseded' }
  /** Shadow dialect: `<native>`, the call ran natively and no `^^^` line reported its result. */
  | { readonly kind: 'native' }
  /** Shadow dialect: `<blocked>`, the call blocked and Shadow will run it again later. */
  | { readonly kind: 'blocked' };

export interface SyscallEvent extends Base {
  readonly kind: 'syscall';
  readonly name: string;
  /** The argument text exactly as printed (both halves joined for a split call). */
  readonly argsText: string;
  /** Parsed on first access, so that plain scanning stays fast. */
  readonly args: readonly Arg[];
  readonly outcome: SyscallOutcome;
  /** True when strace printed the call in two halves (it blocked or was interleaved). */
  readonly split: boolean;
  /** Timestamp of the resumed half, when split and timestamped. */
  readonly endTime?: Timestamp;
  /** -T duration as printed, without the angle brackets. */
  readonly duration?: string;
  /** (INJECTED…) / (DELAYED) notes after the result. */
  readonly injection?: string;
  /** `-k` frames printed under the call. */
  readonly stack?: readonly string[];
  /** `-e read=/write=` hex dump lines printed under the call. */
  readonly dump?: readonly string[];
  /** `<pid changed to N ...>` (-ff): the task whose id the caller took. */
  readonly pidChangedTo?: number;
  /**
   * For a split call: how many characters of `argsText` came from the `<unfinished ...>` line
   * (the rest came from the `resumed>` line). Lets the formatter print both halves again.
   */
  readonly splitAt?: number;
  /** The `name(args <unfinished ...>) = ?` form: the task vanished while the call was blocked. */
  readonly vanished?: boolean;
}

export interface SignalEvent extends Base {
  readonly kind: 'signal';
  readonly signal: string;
  /** The siginfo as a parsed struct (`si_signo`, `si_code`, `si_pid`, `si_status` …), or null for `{}`-less forms. */
  readonly siginfo: readonly Arg[];
  readonly siginfoText: string;
  /** `-k` frames strace printed under the signal line (where the task was when it arrived). */
  readonly stack?: readonly string[];
}

export interface ExitedEvent extends Base {
  readonly kind: 'exited';
  readonly code: number;
}

export interface KilledEvent extends Base {
  readonly kind: 'killed';
  readonly signal: string;
  readonly coreDumped: boolean;
}

export interface SupersededEvent extends Base {
  readonly kind: 'superseded';
  /** The thread whose execve took over this (leader) pid. */
  readonly byPid: number;
}

export interface StoppedEvent extends Base {
  readonly kind: 'stopped';
  readonly signal: string;
}

export interface AttachedEvent extends Base {
  readonly kind: 'attached';
  readonly threads?: number;
}

export interface DetachedEvent extends Base {
  readonly kind: 'detached';
}

/** A row of the `-c`/`-C` summary table. */
export interface SummaryRow {
  readonly percentTime: number;
  readonly seconds: number;
  readonly usecsPerCall: number;
  readonly calls: number;
  readonly errors: number;
  readonly syscall: string;
}

export interface SummaryEvent extends Base {
  readonly kind: 'summary';
  readonly rows: readonly SummaryRow[];
  readonly total: SummaryRow | null;
}

/** Text strace prints that is not about a traced task: --tips, personality notes, -P resolution. */
export interface MessageEvent extends Base {
  readonly kind: 'message';
  readonly text: string;
}

/** A line, or part of one, that the parser did not understand. Never dropped silently. */
export interface DiagnosticEvent extends Base {
  readonly kind: 'diagnostic';
  readonly text: string;
  readonly reason: string;
}

export type TraceEvent =
  | SyscallEvent
  | SignalEvent
  | ExitedEvent
  | KilledEvent
  | SupersededEvent
  | StoppedEvent
  | AttachedEvent
  | DetachedEvent
  | SummaryEvent
  | MessageEvent
  | DiagnosticEvent;

export type TraceEventKind = TraceEvent['kind'];
