// Which of two events the recording shows first. In one strace -o file the line numbers are
// the order strace printed in; across -ff files only timestamps order events, and without
// them the order is unknown (null), so no ordering is claimed.
import { durationNs } from '../duration.js';
import type { TraceEvent } from '../events.js';

export interface RecordedOrder {
  /** Did `call` complete (its last line) after `cause` began (its first line)? null if unknown. */
  completedAfterStart(call: TraceEvent, cause: TraceEvent): boolean | null;
}

export function recordedOrder(events: readonly TraceEvent[]): RecordedOrder {
  const files = new Set<string | undefined>();
  let allTimed = true;
  for (const e of events) {
    files.add(e.span.file);
    if (e.prefix.time === undefined) allTimed = false;
  }
  if (files.size <= 1) {
    return { completedAfterStart: (call, cause) => call.span.endLine > cause.span.line };
  }
  if (allTimed) {
    const end = (e: TraceEvent): bigint | undefined => {
      const start = e.prefix.time?.ns;
      if (e.kind !== 'syscall' || start === undefined) return start;
      if (e.endTime !== undefined) return e.endTime.ns;
      // An unsplit call (the usual case in -ff files) ended its -T duration after it began.
      const d = e.duration === undefined ? null : durationNs(e.duration);
      return d === null ? start : start + d;
    };
    return {
      completedAfterStart: (call, cause) => {
        const a = end(call);
        const b = cause.prefix.time?.ns;
        return a === undefined || b === undefined ? null : a > b;
      },
    };
  }
  return { completedAfterStart: () => null };
}
