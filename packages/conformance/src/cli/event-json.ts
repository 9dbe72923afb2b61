// One trace event as a JSON line: every field, syscall arguments parsed, bigints as decimal
// strings (they may exceed 2^53), string bytes as UTF-8 text when they are valid UTF-8 and as
// {"hex": …} otherwise, so that nothing is lost or silently replaced.
import type { TraceEvent } from '@forkscope/tracer';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function eventJson(ev: TraceEvent): string {
  const plain = ev.kind === 'syscall' ? { ...ev, args: ev.args } : ev;
  return JSON.stringify(plain, replacer);
}

function replacer(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  // A Buffer has its own toJSON, already applied to `value`: look at the holder's original.
  const original = (this as Record<string, unknown>)[key];
  if (original instanceof Uint8Array) {
    try {
      return utf8.decode(original);
    } catch {
      return { hex: Buffer.from(original).toString('hex') };
    }
  }
  return value;
}
