// The replay schedule: a capture's events cut into the points in time where
// strace saw them. A syscall printed whole is one step; a split syscall
// (`<unfinished ...>` … `<... resumed>`) is an entry step at its first line and
// an exit step at its last, because the kernel entered it at the first and
// returned at the last, and anything recorded in between happened while it was
// in the kernel. Steps are ordered by the line they happened on, so the
// recording, and nothing else, decides the order in which tasks run. StepOrder
// does the ordering a window of events at a time (a capture streamed, not held).
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
  // A trace of a single process (no -f) prints no pids at all; a pid missing on some lines only is bad input.
  const pids = new PidPresence();
  for (const event of events) pids.add(event);
  const notes: TraceEvent[] = [];
  const order = new StepOrder(pids.singleProcess, null, notes);
  for (const event of events) order.add(event);
  const steps: ReplayStep[] = [];
  order.release(Infinity, (step) => steps.push(step));
  return { steps, unusable: order.unusable, notes };
}

/** Whether a capture is a single-process trace (no task line has a pid), read a line at a time. */
export class PidPresence {
  #taskEvents = 0;
  #withPid = 0;

  add(event: TraceEvent): void {
    if (!isTaskEvent(event)) return;
    this.#taskEvents++;
    if (event.pid !== null) this.#withPid++;
  }

  get singleProcess(): boolean {
    return this.#taskEvents > 0 && this.#withPid === 0;
  }
}

/**
 * How far behind the newest line an event may start and still be ordered by the window alone:
 * the reorder buffer holds about this many lines. A call open longer (a shell's wait4 across its
 * whole pipeline) is a straggler, known from a first pass (StragglerScan) and placed from there.
 * Smaller keeps fewer events alive in the buffer (at 1024 enough of them outlived V8's young
 * generation to cost the check ~10% more CPU on the bench capture) and makes more stragglers,
 * which are few: 320 in a 549 MB capture.
 */
export const REORDER_SLACK = 256;

/**
 * Whether an event spanning these lines may arrive behind the reorder window. Events arrive in
 * the order of their last line, so the newest line seen before one is below its own last line:
 * an event that starts more than the slack before its own last line is the only kind that can.
 * A first pass needs no more than the two lines to find them (a parser skipping calls can ask).
 */
export function mayStraggle(line: number, endLine: number): boolean {
  return line < endLine - REORDER_SLACK;
}

/** An event a first pass found that may arrive behind the reorder window (see mayStraggle). */
export interface Straggler {
  readonly event: TraceEvent;
}

/**
 * The stragglers of a capture, read a line at a time (a first pass over a file that is then
 * parsed again). The pass may leave out events that cannot straggle, never one that can.
 */
export class StragglerScan {
  readonly stragglers: Straggler[] = [];

  add(event: TraceEvent): void {
    if (isTaskEvent(event) && mayStraggle(event.span.line, event.span.endLine)) this.stragglers.push({ event });
  }
}

/**
 * A step with its event's arrival index, which breaks ties between steps on one line. (Two events
 * never start on one line; a straggler, queued before it arrives, has index -1.)
 */
type QueuedStep = ReplayStep & { readonly seq: number };

/**
 * The reorder buffer between the parser and the replay. Events arrive in the order their last
 * line was read; steps are handed out in line order (ties in arrival order, entry before exit),
 * each once no later event can bring a step before it: below the parser's `settledBefore`, or
 * more than REORDER_SLACK lines behind the newest line seen, stragglers excepted (they are known
 * in advance and queued by their own lines). So it holds a few thousand lines' steps, not the capture.
 */
export class StepOrder {
  /** Diagnostics and events without a pid, in input order: the checker reports these. */
  readonly unusable: UnusableEvent[] = [];
  readonly #singleProcess: boolean;
  readonly #notes: TraceEvent[] | null;
  /** Stragglers by first line; #nextStraggler is the first not queued yet. Null: no first pass. */
  readonly #stragglers: readonly Straggler[] | null;
  /** The stragglers not read again yet, by first line (no two events start on one line). */
  readonly #byLine = new Map<number, TraceEvent>();
  #nextStraggler = 0;
  /**
   * Queued steps, in order: the first #count slots. The array never shrinks (slots past #count
   * are cleared, so they keep no event alive): setting a shorter length gave its backing store
   * back, and the next pushes grew a new one, a copy per window of events.
   */
  readonly #held: (QueuedStep | undefined)[] = [];
  #count = 0;
  #seq = 0;
  #newest = -Infinity;
  /** The line of the last step handed out: a step arriving before it is a bug (checked). */
  #released = -Infinity;

  /**
   * `stragglers`: from a StragglerScan over the same events; null without a first pass (then
   * only the parser's settledBefore releases steps, and an open call holds back everything
   * after it: right for a capture held whole, one window). `notes`, if given, receives the
   * lines that are not about a task.
   */
  constructor(singleProcess: boolean, stragglers: readonly Straggler[] | null, notes: TraceEvent[] | null = null) {
    this.#singleProcess = singleProcess;
    this.#notes = notes;
    this.#stragglers = stragglers === null ? null : [...stragglers].sort((a, b) => a.event.span.line - b.event.span.line);
    for (const s of stragglers ?? []) this.#byLine.set(s.event.span.line, s.event);
  }

  add(event: TraceEvent): void {
    const seq = this.#seq++;
    if (event.span.endLine > this.#newest) this.#newest = event.span.endLine;
    const byLine = this.#byLine;
    if (byLine.size > 0 && isTaskEvent(event)) {
      const known = byLine.get(event.span.line);
      if (known !== undefined) {
        // Queued from the first pass: the same event, read again.
        if (known.kind !== event.kind || known.span.endLine !== event.span.endLine) {
          throw new CaptureChanged(`line ${event.span.line}: the capture changed between its two readings`);
        }
        byLine.delete(event.span.line);
        return;
      }
    }
    this.#queue(event, seq);
  }

  /** Hands out, in order, every step before `settledBefore` or behind the slack window. */
  release(settledBefore: number, visit: (step: ReplayStep) => void): void {
    const stragglers = this.#stragglers;
    const bound = stragglers === null ? settledBefore : Math.max(settledBefore, this.#newest - REORDER_SLACK);
    for (; stragglers !== null && this.#nextStraggler < stragglers.length; this.#nextStraggler++) {
      const s = stragglers[this.#nextStraggler] as Straggler;
      if (s.event.span.line >= bound) break;
      this.#queue(s.event, -1);
    }
    if (settledBefore === Infinity && this.#byLine.size > 0) {
      // The input has ended and a call the first pass read was not read again.
      const line = this.#byLine.keys().next().value as number;
      throw new CaptureChanged(`line ${line}: the capture changed between its two readings`);
    }
    const held = this.#held;
    const count = this.#count;
    let n = 0;
    for (; n < count; n++) {
      const step = held[n] as QueuedStep;
      if (step.line >= bound) break;
      if (step.line < this.#released) throw new Error(`reorder buffer: a step at line ${step.line} after line ${this.#released}`);
      this.#released = step.line;
      visit(step);
    }
    // The handed-out steps leave in place (no new array), and nothing keeps their events alive.
    // (A plain loop: copyWithin is several times slower on an array of objects.)
    if (n > 0) {
      const end = this.#count;
      const left = end - n;
      for (let i = 0; i < left; i++) held[i] = held[i + n];
      for (let i = left; i < end; i++) held[i] = undefined;
      this.#count = left;
    }
  }

  #queue(event: TraceEvent, seq: number): void {
    if (event.kind === 'diagnostic') {
      this.unusable.push({ event, reason: `not understood: ${event.reason}` });
      return;
    }
    if (isTaskEvent(event) && event.pid === null && !this.#singleProcess) {
      this.unusable.push({ event, reason: 'no pid on this line while other lines have one' });
      return;
    }
    switch (event.kind) {
      case 'syscall':
        if (event.split) {
          this.#push({ kind: 'enter', line: event.span.line, event, seq });
          this.#push({ kind: 'exit', line: event.span.endLine, event, seq });
        } else {
          this.#push({ kind: 'call', line: event.span.line, event, seq });
        }
        break;
      case 'signal':
        this.#push({ kind: 'signal', line: event.span.line, event, seq });
        break;
      case 'exited':
        this.#push({ kind: 'exited', line: event.span.line, event, seq });
        break;
      case 'killed':
        this.#push({ kind: 'killed', line: event.span.line, event, seq });
        break;
      case 'superseded':
        this.#push({ kind: 'superseded', line: event.span.line, event, seq });
        break;
      case 'stopped':
        this.#push({ kind: 'stopped', line: event.span.line, event, seq });
        break;
      case 'attached':
      case 'detached':
      case 'summary':
      case 'message':
        this.#notes?.push(event);
        break;
      default: {
        const never: never = event;
        throw new Error(`unhandled event kind ${(never as TraceEvent).kind}`);
      }
    }
  }

  /** Queues a step in order. Most come in order; a split call's entry comes after the lines printed while it was open. */
  #push(step: QueuedStep): void {
    const held = this.#held;
    const count = this.#count;
    this.#count = count + 1;
    const last = count > 0 ? held[count - 1] : undefined;
    if (last === undefined || byLineThenSeq(last, step) <= 0) {
      held[count] = step;
      return;
    }
    // The first held step after it (ties keep arrival order): a binary search, then the steps
    // after it move up one (splice made an array per insertion for the steps it removed: none).
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (byLineThenSeq(held[mid] as QueuedStep, step) > 0) hi = mid;
      else lo = mid + 1;
    }
    for (let i = count; i > lo; i--) held[i] = held[i - 1];
    held[lo] = step;
  }
}

/** The input was not the same when it was read a second time (a file still being written, say). */
export class CaptureChanged extends Error {}

function byLineThenSeq(a: QueuedStep, b: QueuedStep): number {
  return a.line - b.line || a.seq - b.seq;
}

export function isTaskEvent(event: TraceEvent): boolean {
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
