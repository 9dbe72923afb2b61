// Which of two events the recording shows first. In one strace -o file the line numbers are
// the order strace printed in. Events of several -ff files are taken in the order given, which
// is parseFiles' merge. With timestamps that merge is causal where the stamps cannot decide (a
// wait that reported a child's exit comes after that exit, although its stamp + rounded -T can
// be a microsecond earlier), so a later place in it is shown. An earlier place is not "before":
// the merge places a -ff line at its return, and a call can return while the cause, a longer
// call, is still running (a vfork parent is released inside its child's execve, A2); there the
// call's return time (stamp + -T) is compared with the cause's entry stamp. Without timestamps
// the files were read one after the other: the order across files is unknown (null).
import { durationNs } from '../duration.js';
import type { TraceEvent } from '../events.js';

export interface RecordedOrder {
  /** Did `call` complete (its last line) after `cause` began (its first line)? null if unknown. */
  completedAfterStart(call: TraceEvent, cause: TraceEvent): boolean | null;
}

export function recordedOrder(events: readonly TraceEvent[]): RecordedOrder {
  const file = events[0]?.span.file;
  let severalFiles = false;
  let allTimed = true;
  for (const e of events) {
    if (e.span.file !== file) severalFiles = true;
    // A diagnostic has no prefix even when its line had a stamp: it says nothing about timing.
    if (e.prefix.time === undefined && e.kind !== 'diagnostic') allTimed = false;
  }
  if (!severalFiles) {
    return { completedAfterStart: (call, cause) => call.span.endLine > cause.span.line };
  }
  if (!allTimed) return { completedAfterStart: () => null };
  const position = new Map<TraceEvent, number>();
  for (let i = 0; i < events.length; i++) position.set(events[i] as TraceEvent, i);
  return {
    completedAfterStart: (call, cause) => {
      const a = position.get(call);
      const b = position.get(cause);
      if (a === undefined || b === undefined) return null;
      if (a > b) return true;
      const end = returnNs(call);
      const start = cause.prefix.time?.ns;
      return end === undefined || start === undefined ? null : end > start;
    },
  };
}

/** When a -ff event completed: its stamp, plus its -T duration for a call (printed whole, stamped at entry). */
function returnNs(e: TraceEvent): bigint | undefined {
  const start = e.prefix.time?.ns;
  if (e.kind !== 'syscall' || start === undefined) return start;
  if (e.endTime !== undefined) return e.endTime.ns;
  const d = e.duration === undefined ? null : durationNs(e.duration);
  return d === null ? start : start + d;
}
