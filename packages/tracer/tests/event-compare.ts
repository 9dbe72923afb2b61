// Test helper: events as plain data for deep equality, optionally without their spans
// (format prints a split call's two halves next to each other, so line numbers move).
import type { Timestamp, TraceEvent } from '../src/index.js';

/** Lazily computed fields (timestamps' ns, results' bigint) become own data properties. */
function stamp(t: Timestamp | undefined): Timestamp | undefined {
  return t === undefined ? undefined : { text: t.text, ns: t.ns };
}

export function plain(e: TraceEvent): Record<string, unknown> {
  const o: Record<string, unknown> = { ...e };
  if (e.prefix.time !== undefined) o['prefix'] = { ...e.prefix, time: stamp(e.prefix.time) };
  if (e.kind === 'syscall') {
    o['outcome'] = { ...e.outcome, ...('value' in e.outcome ? { value: e.outcome.value } : {}) };
    if (e.endTime !== undefined) o['endTime'] = stamp(e.endTime);
  }
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

export function withoutSpans(events: readonly TraceEvent[]): Record<string, unknown>[] {
  return events.map((e) => {
    const o = plain(e);
    delete o['span'];
    return o;
  });
}
