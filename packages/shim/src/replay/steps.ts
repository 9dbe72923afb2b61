// The replay schedule: a capture's events cut into the points in time where
// strace saw them. A syscall printed whole is one step; a split syscall
// (`<unfinished ...>` … `<... resumed>`) is an entry step at its first line and
// an exit step at its last, because the kernel entered it at the first and
// returned at the last, and anything recorded in between happened while it was
// in the kernel. Steps are ordered by the line they happened on, so the
// recording, and nothing else, decides the order in which tasks run.
import type {
  ExitedEvent,
  KilledEvent,
  SignalEvent,
  StoppedEvent,
  SupersededEvent,
  SyscallEvent,
  TraceEvent,
} from '@forkscope/tracer';

export type ReplayStep =
  /** A syscall strace printed on one line: entered and returned with no other task's line between. */
  | { readonly kind: 'call'; readonly line: number; readonly event: SyscallEvent }
  /** The first half of a split syscall. */
  | { readonly kind: 'enter'; readonly line: number; readonly event: SyscallEvent }
  /** The `resumed>` half of a split syscall (or the line that ends a call that never completed). */
  | { readonly kind: 'exit'; readonly line: number; readonly event: SyscallEvent }
  | { readonly kind: 'signal'; readonly line: number; readonly event: SignalEvent }
  | { readonly kind: 'exited'; readonly line: number; readonly event: ExitedEvent }
  | { readonly kind: 'killed'; readonly line: number; readonly event: KilledEvent }
  | { readonly kind: 'superseded'; readonly line: number; readonly event: SupersededEvent }
  | { readonly kind: 'stopped'; readonly line: number; readonly event: StoppedEvent };

/** An event the schedule cannot use, with why; the checker reports these, never drops them. */
export interface UnusableEvent {
  readonly event: TraceEvent;
  readonly reason: string;
}

export interface Schedule {
  readonly steps: readonly ReplayStep[];
  /** Diagnostics (lines the parser did not understand) and events without a pid. */
  readonly unusable: readonly UnusableEvent[];
  /** Lines that are not about a task (messages, attach/detach notes, summaries): counted, not replayed. */
  readonly notes: readonly TraceEvent[];
}

/** Cuts events into steps ordered by line; ties keep the input order (entry before exit of one event). */
export function buildSchedule(events: readonly TraceEvent[]): Schedule {
  const steps: ReplayStep[] = [];
  const unusable: UnusableEvent[] = [];
  const notes: TraceEvent[] = [];
  // A trace of a single process (no -f) prints no pids at all; a pid missing on some lines only is bad input.
  let taskEvents = 0;
  let withPid = 0;
  for (const event of events) {
    if (!isTaskEvent(event)) continue;
    taskEvents++;
    if (event.pid !== null) withPid++;
  }
  const singleProcess = taskEvents > 0 && withPid === 0;
  // Events arrive in the order their last line was read, so steps are nearly in line order
  // already: checked as they are made, and sorted only if not.
  let sorted = true;
  let last = -Infinity;
  const push = (step: ReplayStep): void => {
    if (step.line < last) sorted = false;
    else last = step.line;
    steps.push(step);
  };
  for (const event of events) {
    if (event.kind === 'diagnostic') {
      unusable.push({ event, reason: `not understood: ${event.reason}` });
      continue;
    }
    if (isTaskEvent(event) && event.pid === null && !singleProcess) {
      unusable.push({ event, reason: 'no pid on this line while other lines have one' });
      continue;
    }
    switch (event.kind) {
      case 'syscall':
        if (event.split) {
          push({ kind: 'enter', line: event.span.line, event });
          push({ kind: 'exit', line: event.span.endLine, event });
        } else {
          push({ kind: 'call', line: event.span.line, event });
        }
        break;
      case 'signal':
        push({ kind: 'signal', line: event.span.line, event });
        break;
      case 'exited':
        push({ kind: 'exited', line: event.span.line, event });
        break;
      case 'killed':
        push({ kind: 'killed', line: event.span.line, event });
        break;
      case 'superseded':
        push({ kind: 'superseded', line: event.span.line, event });
        break;
      case 'stopped':
        push({ kind: 'stopped', line: event.span.line, event });
        break;
      case 'attached':
      case 'detached':
      case 'summary':
      case 'message':
        notes.push(event);
        break;
      default: {
        const never: never = event;
        throw new Error(`unhandled event kind ${(never as TraceEvent).kind}`);
      }
    }
  }
  // Array.prototype.sort is stable (ECMAScript 2019): equal lines keep the order they were pushed in.
  if (!sorted) steps.sort(byLine);
  return { steps, unusable, notes };
}

function byLine(a: ReplayStep, b: ReplayStep): number {
  return a.line - b.line;
}

function isTaskEvent(event: TraceEvent): boolean {
  switch (event.kind) {
    case 'syscall':
    case 'signal':
    case 'exited':
    case 'killed':
    case 'superseded':
    case 'stopped':
      return true;
    default:
      return false;
  }
}
