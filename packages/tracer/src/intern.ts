// Interned copies of the strings that repeat on nearly every line (syscall names, errno names and
// messages, small results): one string each instead of a slice per line, which would pin the chunk
// it came from and was a measurable share of the scan's garbage. Texts under 13 characters are
// plain slices: V8 copies those, and the copy is cheaper than the lookup.

/** Longer texts are not worth a table slot. */
const MAX_INTERNED = 48;

/** V8's shortest sliced string (SlicedString::kMinLength): shorter slices are fresh copies. */
const MIN_SHARED_SLICE = 13;

/** A direct-mapped cache: a slot holds the last text that hashed to it. */
export class Interner {
  private readonly slots: (string | undefined)[];
  private readonly mask: number;
  /** Texts shorter than this are plain slices (see `slice`). */
  private readonly minLength: number;

  /**
   * `everyLength`: look short texts up too, for a caller that hands them to lookups in Maps and
   * Sets (the one string per text carries its hash from the first lookup on; a fresh copy is
   * hashed again by each) and keeps none (so the copy buys nothing).
   */
  constructor(bits = 9, everyLength = false) {
    this.slots = new Array<string | undefined>(1 << bits).fill(undefined);
    this.mask = (1 << bits) - 1;
    this.minLength = everyLength ? 1 : MIN_SHARED_SLICE;
  }

  /** `s.slice(from, to)`, the same string as the last time these characters were asked for. */
  slice(s: string, from: number, to: number): string {
    const len = to - from;
    if (len <= 0) return '';
    if (len > MAX_INTERNED) return s.slice(from, to);
    // V8 copies a slice shorter than 13 characters (it pins nothing), and the copy costs less
    // than the lookup (measured: ~8 % of a scan of short lines).
    if (len < this.minLength) return s.slice(from, to);
    let h = len;
    // A few characters are enough to tell the repeating texts apart; the compare below is exact.
    h = (h * 31 + s.charCodeAt(from)) | 0;
    h = (h * 31 + s.charCodeAt(to - 1)) | 0;
    h = (h * 31 + s.charCodeAt(from + (len >> 1))) | 0;
    if (len > 2) h = (h * 31 + s.charCodeAt(from + 1)) | 0;
    const slot = (h ^ (h >>> 9)) & this.mask;
    const cached = this.slots[slot];
    if (cached !== undefined && cached.length === len && s.startsWith(cached, from)) return cached;
    // A fresh flat string: a plain slice of 13+ characters would share (and pin) the whole chunk.
    const copy = len < MIN_SHARED_SLICE ? s.slice(from, to) : (s.slice(from, to) + ' ').slice(0, -1);
    this.slots[slot] = copy;
    return copy;
  }
}

/** How many small decimals are shared: "0".."999". */
export const SMALL_DECIMAL_COUNT = 1000;

/** Decimal strings "0".."999": results, fds and sizes printed on most lines. */
const SMALL_DECIMALS: readonly string[] = Array.from({ length: SMALL_DECIMAL_COUNT }, (_, n) => String(n));

/** n when `text` is the shared string for n (as `decimalSlice` hands out), else -1. */
export function smallDecimalIndex(text: string): number {
  const len = text.length;
  if (len < 1 || len > 3) return -1;
  let n = 0;
  for (let k = 0; k < len; k++) {
    const d = text.charCodeAt(k) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return SMALL_DECIMALS[n] === text ? n : -1;
}

/**
 * `s.slice(from, to)` for a decimal integer token, shared for 0..999 (no leading zero, no sign);
 * any other token is sliced as usual.
 */
export function decimalSlice(s: string, from: number, to: number): string {
  const len = to - from;
  if (len < 1 || len > 3) return s.slice(from, to);
  let n = 0;
  for (let k = from; k < to; k++) {
    const d = s.charCodeAt(k) - 0x30;
    if (d < 0 || d > 9) return s.slice(from, to);
    n = n * 10 + d;
  }
  if (len > 1 && s.charCodeAt(from) === 0x30) return s.slice(from, to);
  return SMALL_DECIMALS[n] as string;
}
