// Where two normalized forms differ, as a list of JSON paths with both values: what a
// comparison of an emulated run with its corpus expectation reports. Differences are listed
// in document order; arrays are compared index by index (their order is meaningful), and a
// length difference is one entry naming the first extra or missing item.
import type { Normalized } from './normalized.js';

export interface NormDifference {
  /** JSON Pointer (RFC 6901) into both documents, e.g. `/processes/1/tasks/0/events/2/result`. */
  readonly path: string;
  /** The value in the expected form; undefined when it has nothing there. */
  readonly expected: unknown;
  /** The value in the actual form; undefined when it has nothing there. */
  readonly actual: unknown;
}

/** Every difference between `expected` and `actual`, up to `limit` of them. */
export function diffNormalized(expected: Normalized, actual: Normalized, limit = 100): NormDifference[] {
  const out: NormDifference[] = [];
  diffValue(expected, actual, '', out, limit);
  return out;
}

/** One line per difference: `path: expected X, got Y`. */
export function describeDifference(d: NormDifference): string {
  const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));
  return `${d.path || '/'}: expected ${show(d.expected)}, got ${show(d.actual)}`;
}

function diffValue(a: unknown, b: unknown, path: string, out: NormDifference[], limit: number): void {
  if (out.length >= limit) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) diffValue(a[i], b[i], `${path}/${i}`, out, limit);
    if (a.length !== b.length && out.length < limit) out.push({ path: `${path}/${n}`, expected: a[n], actual: b[n] });
    return;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) diffValue(a[k], b[k], `${path}/${escapePointer(k)}`, out, limit);
    return;
  }
  if (a !== b) out.push({ path, expected: a, actual: b });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function escapePointer(key: string): string {
  return key.split('~').join('~0').split('/').join('~1');
}
