// The part of a syscall line after the closing `)`: `<spaces>= retval [extras] [<duration>]`
// (src/syscall.c syscall_exiting_trace). Also Shadow's `= rv` forms.
import type { SyscallOutcome } from './events.js';
import { findCloseParen, isDigit, isWordChar, skipDecoration } from './text-scan.js';
import { decimalSlice, Interner, SMALL_DECIMAL_COUNT, smallDecimalIndex } from './intern.js';
import { fastPaths } from './fast-paths.js';
import { integerOf, ValueOutcome } from './value-outcome.js';

/** errno names and their messages repeat on every failing call. */
const ERRNO_TEXT = new Interner();

export interface OutcomeParse {
  outcome: SyscallOutcome;
  duration: string | undefined;
  injection: string | undefined;
}

/** The one OutcomeParse `parseOutcome` fills in: read it before the next call. */
const RESULT: OutcomeParse = { outcome: { kind: 'unknown' }, duration: undefined, injection: undefined };

const UNKNOWN: SyscallOutcome = Object.freeze({ kind: 'unknown' });
const UNAVAILABLE: SyscallOutcome = Object.freeze({ kind: 'unavailable' });

const SMALL: readonly bigint[] = Array.from({ length: 4096 }, (_, n) => BigInt(n));

/**
 * `s.charCodeAt(j)`, or 0 past the end of `s`. The scanners peek one or two characters ahead
 * and often step off the end of an argument; a read past the end makes TurboFan throw away the
 * optimised parser and compile it again (one recompile per such read site), so the bound is
 * checked here. 0 (NUL) compares unequal to every character the parsers look for, as NaN did.
 */
export function codeAt(s: string, j: number): number {
  return j < s.length ? s.charCodeAt(j) : 0;
}

/** Where the integer `readInteger` last read ends (set on success; saves a tuple per integer). */
export const integerEndAt = { at: 0 };

/** Parses an integer token `-12`, `0x7f..`, `022` at `i`; its end goes to `integerEndAt.at`. */
export function readInteger(s: string, i: number, end: number): bigint | null {
  let j = i;
  const neg = codeAt(s, j) === 0x2d;
  if (neg) j++;
  const start = j;
  let v: bigint;
  if (codeAt(s, j) === 0x30 && (codeAt(s, j + 1) === 0x78 || codeAt(s, j + 1) === 0x58)) {
    j += 2;
    const h = j;
    let n = 0;
    while (j < end) {
      const c = s.charCodeAt(j);
      const d = isDigit(c) ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 87 : c >= 0x41 && c <= 0x46 ? c - 55 : -1;
      if (d < 0) break;
      n = n * 16 + d;
      j++;
    }
    if (j === h) return null;
    // Up to 13 hex digits (52 bits) the Number is exact: no string, one bigint at most.
    if (j - h <= 13) v = n < SMALL.length ? (SMALL[n] as bigint) : BigInt(n);
    else v = BigInt(s.slice(start, j));
  } else {
    while (j < end && isDigit(s.charCodeAt(j))) j++;
    if (j === start) return null;
    if (s.charCodeAt(start) === 0x30 && j - start > 1) {
      // A leading 0 means octal (umask's `022`).
      for (let k = start; k < j; k++) if (s.charCodeAt(k) > 0x37) return null;
      v = BigInt('0o' + s.slice(start + 1, j));
    } else if (j - start < 16) {
      // Small values: shared bigints (fds, sizes, flags); Number is exact below 2^53.
      let n = 0;
      for (let k = start; k < j; k++) n = n * 10 + (s.charCodeAt(k) - 0x30);
      v = n < SMALL.length ? (SMALL[n] as bigint) : BigInt(n);
    } else {
      v = BigInt(s.slice(start, j));
    }
  }
  integerEndAt.at = j;
  return neg ? -v : v;
}

/** End of an integer token at `i` (`-12`, `0x7f`, `022`), or -1 if there is none. */
export function integerEnd(s: string, i: number, end: number): number {
  let j = i;
  if (codeAt(s, j) === 0x2d) j++;
  const start = j;
  if (codeAt(s, j) === 0x30 && (codeAt(s, j + 1) === 0x78 || codeAt(s, j + 1) === 0x58)) {
    j += 2;
    const h = j;
    while (j < end) {
      const c = s.charCodeAt(j);
      if (isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)) j++;
      else break;
    }
    return j === h ? -1 : j;
  }
  while (j < end && isDigit(s.charCodeAt(j))) j++;
  if (j === start) return -1;
  if (s.charCodeAt(start) === 0x30) for (let k = start + 1; k < j; k++) if (s.charCodeAt(k) > 0x37) return -1;
  return j;
}

function isErrnoStart(c: number): boolean {
  return c >= 0x41 && c <= 0x5a; // ENOENT, ERESTARTSYS …
}

/**
 * One ValueOutcome per small decimal result (`= 0`, `= 3`, `= 832`), shared by every call that
 * returned it: a result object per line was a measurable share of the scan's garbage. Outcomes
 * are read-only, and one without a decoration or extra holds nothing but its text.
 */
const SMALL_VALUES: (ValueOutcome | undefined)[] = new Array<ValueOutcome | undefined>(SMALL_DECIMAL_COUNT).fill(undefined);

/** Bits of the direct-mapped cache of 4- and 5-digit results (sizes such as 4096 or 32768 repeat). */
const VALUE_BITS = 10;
const MID_VALUES: (ValueOutcome | undefined)[] = new Array<ValueOutcome | undefined>(1 << VALUE_BITS).fill(undefined);
/** The number each MID_VALUES slot holds (-1: none). */
const MID_KEYS = new Int32Array(1 << VALUE_BITS).fill(-1);

/**
 * The ValueOutcome of the result token `s[from, to)`: shared for 0..999 and for a 4- or
 * 5-digit decimal that recurs (its slot's last one), else a new one. Longer results (addresses,
 * 64-bit values) seldom recur and are not looked up.
 */
function valueOutcomeAt(s: string, from: number, to: number): ValueOutcome {
  const len = to - from;
  if (len <= 3) {
    const text = decimalSlice(s, from, to);
    const n = smallDecimalIndex(text);
    if (n >= 0) return (SMALL_VALUES[n] ??= new ValueOutcome(text));
    return new ValueOutcome(text);
  }
  if (len > 5 || s.charCodeAt(from) === 0x30) return new ValueOutcome(s.slice(from, to));
  let n = 0;
  for (let k = from; k < to; k++) {
    const d = s.charCodeAt(k) - 0x30;
    if (d < 0 || d > 9) return new ValueOutcome(s.slice(from, to));
    n = n * 10 + d;
  }
  // Decimal without a leading zero: the number alone identifies the text.
  const slot = n & ((1 << VALUE_BITS) - 1);
  if (MID_KEYS[slot] === n) return MID_VALUES[slot] as ValueOutcome;
  const o = new ValueOutcome(s.slice(from, to));
  MID_KEYS[slot] = n;
  MID_VALUES[slot] = o;
  return o;
}

function valueOutcome(text: string): ValueOutcome {
  return valueOutcomeAt(text, 0, text.length);
}

/** `= -1 ENOENT (…)` outcomes, one per errno name and message: failing calls repeat a few errors. */
const MINUS_ONE_ERRORS = new Map<string, SyscallOutcome & { readonly kind: 'error' }>();

/** The error outcome for result `s[from, to)` with this errno and message (shared for `-1`). */
function errorOutcome(s: string, from: number, to: number, errno: string, message: string): SyscallOutcome {
  if (to - from !== 2 || s.charCodeAt(from + 1) !== 0x31) {
    return { kind: 'error', value: integerOf(s.slice(from, to)), errno, message };
  }
  const cached = MINUS_ONE_ERRORS.get(errno);
  if (cached !== undefined && cached.message === message) return cached;
  // Bounded: input with endless distinct names must not grow the table.
  if (MINUS_ONE_ERRORS.size >= 256) MINUS_ONE_ERRORS.clear();
  const o = { kind: 'error', value: -1n, errno, message } as const;
  MINUS_ONE_ERRORS.set(errno, o);
  return o;
}

/**
 * The results nearly every line ends with, read in one pass: `= N`, `= 0x…`, `= -1 ERRNO (msg)`,
 * `= ?`, each optionally followed by a -T duration ` <0.000012>` and nothing else. Fills RESULT
 * exactly as the general parser would and returns true; returns false for any other text
 * (decorations, extras, injections, restarts, `<unavailable>`, errors), which the general parser
 * then reads or reports.
 */
function fastOutcome(s: string, i: number, end: number): boolean {
  let j = i;
  while (j < end && s.charCodeAt(j) === 0x20) j++;
  if (s.charCodeAt(j) !== 0x3d || s.charCodeAt(j + 1) !== 0x20) return false;
  j += 2;
  let outcome: SyscallOutcome;
  const c = s.charCodeAt(j);
  if (c === 0x3f /* ? */) {
    outcome = UNKNOWN;
    j++;
  } else {
    const numEnd = integerEnd(s, j, end);
    if (numEnd < 0) return false;
    const numStart = j;
    j = numEnd;
    if (c === 0x2d && s.charCodeAt(j) === 0x20 && isErrnoStart(s.charCodeAt(j + 1))) {
      let k = j + 2;
      while (k < end && isWordChar(s.charCodeAt(k))) k++;
      if (s.charCodeAt(k) !== 0x20 || s.charCodeAt(k + 1) !== 0x28) return false;
      const close = findCloseParen(s, k + 2, end);
      // A second ` (…)` (an injection note, or an extra the general parser rejects) goes its way.
      if (close < 0 || (s.charCodeAt(close + 1) === 0x20 && s.charCodeAt(close + 2) === 0x28)) return false;
      const errno = ERRNO_TEXT.slice(s, j + 1, k);
      const message = ERRNO_TEXT.slice(s, k + 2, close);
      outcome = errorOutcome(s, numStart, numEnd, errno, message);
      j = close + 1;
    } else {
      outcome = valueOutcomeAt(s, numStart, numEnd);
    }
  }
  let duration: string | undefined;
  if (j !== end) {
    // Only ` <digits.digits>` may follow, up to the end of the line.
    if (s.charCodeAt(j) !== 0x20 || s.charCodeAt(j + 1) !== 0x3c || s.charCodeAt(end - 1) !== 0x3e || j + 2 > end - 1) return false;
    for (let k = j + 2; k < end - 1; k++) {
      const d = s.charCodeAt(k);
      if (!isDigit(d) && d !== 0x2e) return false;
    }
    duration = s.slice(j + 2, end - 1);
  }
  RESULT.outcome = outcome;
  RESULT.duration = duration;
  RESULT.injection = undefined;
  return true;
}

/**
 * Parses from `i` (just after the `)`). Returns a reason string when the text is not a result,
 * else a shared object valid until the next call.
 * `shadow` selects Shadow's `-2 (ENOENT)`, `<native>`, `<blocked>` forms.
 */
export function parseOutcome(s: string, i: number, end: number, shadow: boolean): OutcomeParse | string {
  if (!shadow && fastPaths.enabled && fastOutcome(s, i, end)) return RESULT;
  return parseOutcomeGeneral(s, i, end, shadow);
}

/** `parseOutcome` without its fast path: every result form. */
export function parseOutcomeGeneral(s: string, i: number, end: number, shadow: boolean): OutcomeParse | string {
  let j = i;
  while (j < end && s.charCodeAt(j) === 0x20) j++;
  if (j === i && !shadow) {
    // strace always prints at least one space before `=`; tolerate none only if `=` follows.
  }
  if (s.charCodeAt(j) !== 0x3d || s.charCodeAt(j + 1) !== 0x20) return 'expected " = " after the arguments';
  j += 2;
  let outcome: SyscallOutcome;
  let duration: string | undefined;
  let injection: string | undefined;

  if (s.charCodeAt(j) === 0x3f /* ? */) {
    j++;
    outcome = UNKNOWN;
    if (s.startsWith(' <unavailable>', j)) {
      outcome = UNAVAILABLE;
      j += 14;
    } else if (s.charCodeAt(j) === 0x20 && isErrnoStart(s.charCodeAt(j + 1))) {
      let k = j + 1;
      while (k < end && isWordChar(s.charCodeAt(k))) k++;
      const errno = s.slice(j + 1, k);
      let message = '';
      if (s.startsWith(' (', k)) {
        const close = findCloseParen(s, k + 2, end);
        if (close < 0) return 'unclosed message after ' + errno;
        message = s.slice(k + 2, close);
        k = close + 1;
      }
      outcome = { kind: 'restart', errno, message };
      j = k;
    }
  } else if (shadow && s.startsWith('<native>', j)) {
    outcome = { kind: 'native' };
    j += 8;
  } else if (shadow && s.startsWith('<blocked>', j)) {
    outcome = { kind: 'blocked' };
    j += 9;
  } else {
    const numEnd = integerEnd(s, j, end);
    if (numEnd < 0) return 'result is not a number';
    const text = decimalSlice(s, j, numEnd);
    const negative = s.charCodeAt(j) === 0x2d;
    j = numEnd;
    let decoration: string | undefined;
    if (s.charCodeAt(j) === 0x3c && s.charCodeAt(j + 1) !== 0x3c) {
      const e = skipDecoration(s, j, end);
      if (e < 0) return 'unclosed <...> after the result';
      decoration = s.slice(j + 1, e - 1);
      j = e;
    }
    let errno: string | undefined;
    let message = '';
    let extra: string | undefined;
    if (negative && s.charCodeAt(j) === 0x20 && isErrnoStart(s.charCodeAt(j + 1))) {
      let k = j + 1;
      while (k < end && isWordChar(s.charCodeAt(k))) k++;
      errno = ERRNO_TEXT.slice(s, j + 1, k);
      j = k;
      if (s.startsWith(' (', j)) {
        const close = findCloseParen(s, j + 2, end);
        if (close < 0) return 'unclosed message after ' + errno;
        message = ERRNO_TEXT.slice(s, j + 2, close);
        j = close + 1;
      }
    } else if (negative && s.startsWith(' (', j)) {
      // `-1 (errno 4000)` for numbers strace has no name for; Shadow's `-2 (ENOENT)`.
      const close = findCloseParen(s, j + 2, end);
      if (close < 0) return 'unclosed (...) after the result';
      const inner = s.slice(j + 2, close);
      if (inner.startsWith('errno ') || (shadow && isErrnoStart(inner.charCodeAt(0)))) {
        errno = inner;
        j = close + 1;
      }
    }
    // Extras, injection notes: ` (...)` groups in any number.
    while (s.startsWith(' (', j)) {
      const close = findCloseParen(s, j + 2, end);
      if (close < 0) return 'unclosed (...) after the result';
      const inner = s.slice(j + 2, close);
      if (inner.startsWith('INJECTED') || inner === 'DELAYED') injection = inner;
      else if (extra === undefined && injection === undefined) extra = inner;
      else return 'unexpected text after the result';
      j = close + 1;
    }
    if (errno !== undefined) {
      outcome = { kind: 'error', value: text === '-1' ? -1n : integerOf(text), errno, message };
      if (extra !== undefined) return 'unexpected text after the error';
    } else {
      if (decoration === undefined && extra === undefined) {
        outcome = valueOutcome(text);
      } else {
        const o = new ValueOutcome(text);
        if (decoration !== undefined) o.decoration = decoration;
        if (extra !== undefined) o.extra = extra;
        outcome = o;
      }
    }
  }
  if (outcome.kind !== 'value' && outcome.kind !== 'error') {
    while (s.startsWith(' (', j)) {
      const close = findCloseParen(s, j + 2, end);
      if (close < 0) return 'unclosed (...) after the result';
      const inner = s.slice(j + 2, close);
      if (!(inner.startsWith('INJECTED') || inner === 'DELAYED')) return 'unexpected text after the result';
      injection = inner;
      j = close + 1;
    }
  }
  if (s.startsWith(' <', j)) {
    const close = s.indexOf('>', j + 2);
    if (close < 0 || close !== end - 1) return 'unexpected text after the result';
    duration = s.slice(j + 2, close);
    for (let k = j + 2; k < close; k++) {
      const c = s.charCodeAt(k);
      if (!isDigit(c) && c !== 0x2e) return 'duration is not a number';
    }
    j = close + 1;
  }
  if (j !== end) return 'unexpected text after the result';
  RESULT.outcome = outcome;
  RESULT.duration = duration;
  RESULT.injection = injection;
  return RESULT;
}
