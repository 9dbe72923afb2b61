// strace's C-style string escapes decoded to bytes (src/util.c string_quote prints them).
import { isDigit } from './text-scan.js';

/** Byte values of the single-letter escapes strace (and Shadow's Rust escape_default) print. */
const ESCAPE_BYTE = new Int16Array(128).fill(-1);
for (const [ch, byte] of [
  ['n', 10], ['t', 9], ['r', 13], ['v', 11], ['f', 12], ['"', 34], ['\\', 92], ["'", 39], ['a', 7], ['b', 8], ['e', 27],
] as const) {
  ESCAPE_BYTE[ch.charCodeAt(0)] = byte;
}

function hexDigit(d: number): number {
  return isDigit(d) ? d - 0x30 : d >= 0x61 && d <= 0x66 ? d - 87 : d >= 0x41 && d <= 0x46 ? d - 55 : -1;
}

/** Decodes strace's C-style escapes (`\n`, `\377`, `\x7f`) into bytes; other characters as UTF-8. */
export function decodeEscapes(s: string, from: number, to: number): Uint8Array {
  // An escape never yields more bytes than its text has characters; a non-ASCII character (only in
  // text given as a JS string) yields at most three bytes per UTF-16 unit.
  return decodeInto(s, from, to, false) ?? (decodeInto(s, from, to, true) as Uint8Array);
}

/** Where strings are decoded before being copied out at their exact length (one allocation each). */
let scratch = new Uint8Array(4096);

/** One decoding pass; without `wide` room it gives up (null) at the first non-ASCII character. */
function decodeInto(s: string, from: number, to: number, wide: boolean): Uint8Array | null {
  const room = wide ? (to - from) * 3 : to - from;
  // Huge strings get their own buffer, so that the shared one stays small.
  if (room > SCRATCH_MAX) return decodeWith(new Uint8Array(room), s, from, to, wide);
  if (scratch.length < room) scratch = new Uint8Array(Math.max(room, scratch.length * 2));
  return decodeWith(scratch, s, from, to, wide);
}

const SCRATCH_MAX = 1 << 20;

function decodeWith(out: Uint8Array, s: string, from: number, to: number, wide: boolean): Uint8Array | null {
  let n = 0;
  for (let k = from; k < to; k++) {
    const c = s.charCodeAt(k);
    if (c !== 0x5c) {
      if (c < 0x80) {
        out[n++] = c;
      } else if (!wide) {
        return null;
      } else {
        const cp = s.codePointAt(k) ?? c;
        if (cp > 0xffff) k++;
        n += new TextEncoder().encodeInto(String.fromCodePoint(cp), out.subarray(n)).written;
      }
      continue;
    }
    const d = s.charCodeAt(k + 1);
    if (d >= 0x30 && d <= 0x37) {
      // Octal: one to three digits (strace prints the shortest form unless a digit follows).
      let v = 0;
      let len = 0;
      while (len < 3 && k + 1 < to) {
        const o = s.charCodeAt(k + 1);
        if (o < 0x30 || o > 0x37) break;
        v = v * 8 + (o - 0x30);
        k++;
        len++;
      }
      out[n++] = v & 0xff;
    } else if (d === 0x78 /* x */ && k + 2 < to && hexDigit(s.charCodeAt(k + 2)) >= 0) {
      let v = hexDigit(s.charCodeAt(k + 2));
      k += 2;
      const h2 = k + 1 < to ? hexDigit(s.charCodeAt(k + 1)) : -1;
      if (h2 >= 0) {
        v = v * 16 + h2;
        k++;
      }
      out[n++] = v;
    } else if (d < 128 && k + 1 < to && (ESCAPE_BYTE[d] as number) >= 0) {
      out[n++] = ESCAPE_BYTE[d] as number;
      k++;
    } else {
      out[n++] = 0x5c; // an unknown escape is kept as written
    }
  }
  return copyOut(out, n);
}

/**
 * V8 keeps a typed array of up to 64 bytes inside its object; a longer one gets its own backing
 * store outside the heap, which costs several times the copy (measured: ~500 ns for 90 bytes
 * against ~60 ns for 32). Longer results are therefore views into a shared pool, as Node's
 * Buffer.allocUnsafe does: a kept string pins at most one pool.
 */
const ON_HEAP_MAX = 64;
const POOL_SIZE = 8192;
/** Results up to this size come from the pool; larger ones are rare and get their own array. */
const POOLED_MAX = POOL_SIZE >> 1;
let pool = new ArrayBuffer(POOL_SIZE);
let poolUsed = 0;

function copyOut(from: Uint8Array, n: number): Uint8Array {
  if (n <= ON_HEAP_MAX || n > POOLED_MAX) return from.slice(0, n);
  if (POOL_SIZE - poolUsed < n) {
    pool = new ArrayBuffer(POOL_SIZE);
    poolUsed = 0;
  }
  const view = new Uint8Array(pool, poolUsed, n);
  for (let k = 0; k < n; k++) view[k] = from[k] as number;
  poolUsed += n;
  return view;
}

