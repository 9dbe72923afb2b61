// The leader strace prints before a line's body (src/strace.c printleader()):
//   pid column | [pid N] , [secontext] , abstime , reltime , [scno] , [ip]
// and Shadow's `HH:MM:SS.nnnnnnnnn [tid N] ` leader. One forward pass; no regular expressions.
import type { Prefix, Timestamp } from './events.js';
import { fastPaths } from './fast-paths.js';
import { isDigit } from './text-scan.js';

/** Shared by every line without leader fields, so plain `-f` lines allocate no prefix object. */
export const EMPTY_PREFIX: Prefix = Object.freeze({});

/** Linux's PID_MAX_LIMIT (2^22): a bare integer above it in the pid column is a -ttt seconds stamp. */
const PID_MAX_LIMIT = 4194304;

export interface LeaderResult {
  pid: number | null;
  prefix: Prefix;
  /** Index of the first character of the body. */
  body: number;
  /** True for Shadow's `[tid N]` leader. */
  shadow: boolean;
}

function readUint(s: string, i: number): number {
  let n = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) break;
    n = n * 10 + (c - 0x30);
    i++;
  }
  return n;
}

function digitsEnd(s: string, i: number): number {
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  return i;
}

function skipSpaces(s: string, i: number): number {
  while (s.charCodeAt(i) === 0x20) i++;
  return i;
}

/** Fraction digits as nanoseconds (`.5` → 500000000, `.123456` → 123456000). */
function fractionNs(s: string, from: number, to: number): bigint {
  let digits = s.slice(from, to);
  if (digits.length > 9) digits = digits.slice(0, 9);
  return digits.length === 0 ? 0n : BigInt(digits.padEnd(9, '0'));
}

/** Nanoseconds of a printed stamp: `HH:MM:SS[.frac]` since midnight, or `SECONDS[.frac]` since the epoch. */
export function timestampNs(text: string): bigint {
  const dot = text.indexOf('.');
  const whole = dot < 0 ? text : text.slice(0, dot);
  const frac = dot < 0 ? 0n : fractionNs(text, dot + 1, text.length);
  let secs: bigint;
  if (whole.length === 8 && whole.charCodeAt(2) === 0x3a) {
    secs = BigInt(readUint(whole, 0) * 3600 + readUint(whole, 3) * 60 + readUint(whole, 6));
  } else {
    secs = BigInt(whole);
  }
  return secs * 1_000_000_000n + frac;
}

/**
 * A Timestamp whose bigint is computed on first read: every line of a -ttt capture has one,
 * and few consumers look at most of them.
 */
export class PrintedTimestamp implements Timestamp {
  #ns: bigint | undefined;
  constructor(readonly text: string) {}

  get ns(): bigint {
    return (this.#ns ??= timestampNs(this.text));
  }

  toJSON(): object {
    return { text: this.text, ns: this.ns };
  }
}

/**
 * Reads an absolute timestamp at `i` (`HH:MM:SS[.frac]` or `SECONDS[.frac]` with at least nine
 * integer digits) followed by one space. Returns the timestamp and the index after the space.
 */
function readAbsTime(s: string, i: number): { time: Timestamp; next: number } | null {
  const d = digitsEnd(s, i);
  if (d === i) return null;
  let e: number;
  if (s.charCodeAt(d) === 0x3a /* : */ && d - i === 2) {
    if (s.charCodeAt(d + 3) !== 0x3a || digitsEnd(s, d + 1) !== d + 3 || digitsEnd(s, d + 4) !== d + 6) return null;
    e = d + 6;
  } else if (d - i >= 9) {
    e = d; // seconds since the epoch; fewer digits would be a pid or a -r value
  } else {
    return null;
  }
  if (s.charCodeAt(e) === 0x2e) {
    const f = digitsEnd(s, e + 1);
    if (f === e + 1) return null;
    e = f;
  }
  if (s.charCodeAt(e) !== 0x20) return null;
  return { time: new PrintedTimestamp(s.slice(i, e)), next: e + 1 };
}

/** `-r` alone: `%6ld.frac ` (leading spaces). Returns [text, next] or null. */
function readRelative(s: string, i: number): [string, number] | null {
  const a = skipSpaces(s, i);
  const d = digitsEnd(s, a);
  if (d === a || s.charCodeAt(d) !== 0x2e) return null;
  const f = digitsEnd(s, d + 1);
  if (f === d + 1 || s.charCodeAt(f) !== 0x20) return null;
  return [s.slice(i, f), f + 1];
}

/** Classifies a bracketed leader field `[...]` by its content. */
function bracketKind(s: string, open: number, close: number): 'scno' | 'ip' | 'secontext' | 'tid' | null {
  if (s.startsWith('tid ', open + 1)) return 'tid';
  let digits = 0;
  let hex = 0;
  let qmarks = 0;
  let spaces = 0;
  for (let j = open + 1; j < close; j++) {
    const c = s.charCodeAt(j);
    if (isDigit(c)) digits++;
    else if ((c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)) hex++;
    else if (c === 0x3f) qmarks++;
    else if (c === 0x20) spaces++;
    else return 'secontext';
  }
  const len = close - open - 1;
  if (len === 0) return 'secontext';
  if (qmarks > 0) return qmarks + spaces === len ? (qmarks >= 8 ? 'ip' : 'scno') : 'secontext';
  if (hex === 0 && spaces + digits === len && len <= 7) return 'scno';
  if (spaces === 0 && (len === 16 || len === 8)) return 'ip';
  return 'secontext';
}

/** The one LeaderResult `parseLeader` fills in (an object per line was a measurable share of the
 * scan's garbage): read it, or copy it, before the next call. */
const LEADER: LeaderResult = { pid: null, prefix: EMPTY_PREFIX, body: 0, shadow: false };

/**
 * The leader nearly every line has: an optional `-f` pid column, an optional absolute stamp
 * (-t/-tt/-ttt), then a body that cannot start another leader field (not a digit, space, `[`
 * or `(`). For those lines `parseLeaderGeneral` would reach the same result by trying every
 * field in turn; here one pass reads them. The line is `s` from `from` to `to` (a line read in
 * place in a larger text, or the whole of `s`). Fills LEADER (`body` an index into `s`; the
 * prefix only when `withPrefix`: a caller that skips the line has no use for it) and returns
 * true, or returns false (nothing changed) for anything else.
 */
function fastLeader(s: string, from: number, to: number, withPrefix: boolean): boolean {
  let i = from;
  let pid: number | null = null;
  let c = charAt(s, i, to);
  if (isDigit(c)) {
    let n = 0;
    do {
      n = n * 10 + (c - 0x30);
      c = charAt(s, ++i, to);
    } while (isDigit(c));
    if (c === 0x20 && i - from <= 7 && n <= PID_MAX_LIMIT) {
      pid = n;
      while (c === 0x20) c = charAt(s, ++i, to);
    } else if (c === 0x3c) {
      return false; // -Y: `7832<procs> `
    } else {
      // Not a pid column: a stamp of a single-process trace starts the line.
      i = from;
      c = charAt(s, from, to);
    }
  }
  let prefix = EMPTY_PREFIX;
  if (isDigit(c)) {
    const start = i;
    let d = i + 1;
    while (isDigit(charAt(s, d, to))) d++;
    let e: number;
    if (d - start === 2 && charAt(s, d, to) === 0x3a) {
      // HH:MM:SS
      if (charAt(s, d + 3, to) !== 0x3a || digitsEndBefore(s, d + 1, to) !== d + 3 || digitsEndBefore(s, d + 4, to) !== d + 6) return false;
      e = d + 6;
    } else if (d - start >= 9) {
      e = d;
    } else {
      return false;
    }
    if (charAt(s, e, to) === 0x2e) {
      const f = digitsEndBefore(s, e + 1, to);
      if (f === e + 1) return false;
      e = f;
    }
    if (charAt(s, e, to) !== 0x20) return false;
    i = e + 1;
    c = charAt(s, i, to);
    if (withPrefix) prefix = { time: new PrintedTimestamp(s.slice(start, e)) };
  }
  // A body that could be read as a further leader field (-r, [scno], [ip], [tid], `(+` after the
  // stamp) or that is empty goes the general way.
  if (isDigit(c) || c === 0x20 || c === 0x5b || c === 0x28 || i >= to) return false;
  LEADER.pid = pid;
  LEADER.prefix = prefix;
  LEADER.body = i;
  LEADER.shadow = false;
  return true;
}

/**
 * The character code at `i`, or -1 at or past `to`: like the NaN charCodeAt gives past the end of
 * a string, it equals no character (and stays a small integer, which NaN, a heap number, is not).
 */
function charAt(s: string, i: number, to: number): number {
  return i < to ? s.charCodeAt(i) : -1;
}

function digitsEndBefore(s: string, i: number, to: number): number {
  while (i < to && isDigit(s.charCodeAt(i))) i++;
  return i;
}

/**
 * For a line `s.slice(from, to)` read in place: its leader when it has the common form (see
 * fastLeader), without the prefix (LEADER.prefix is EMPTY_PREFIX), else null. For a caller that
 * needs the pid and where the body starts, not the stamp. The result is the shared object,
 * valid until the next call.
 */
export function commonLeaderAt(s: string, from: number, to: number): LeaderResult | null {
  return fastLeader(s, from, to, false) ? LEADER : null;
}

/**
 * The leader of `s` when it has the common form `fastLeader` reads (what `parseLeader` would give),
 * else null. The result is the shared object, valid until the next call.
 */
export function parseCommonLeader(s: string): LeaderResult | null {
  return fastLeader(s, 0, s.length, true) ? LEADER : null;
}

/**
 * Parses the leader of `s` (colour codes already stripped). Never fails: unknown text is body.
 * The result is a shared object, valid until the next call.
 */
export function parseLeader(s: string): LeaderResult {
  if (fastPaths.enabled && fastLeader(s, 0, s.length, true)) return LEADER;
  return parseLeaderGeneral(s);
}

/**
 * `parseLeader` into a fresh object, leaving the shared one as it was: for a line read out of turn
 * (an unfinished half read at its resumed line) while the current line's leader is still in use.
 */
export function parseLeaderApart(s: string): LeaderResult {
  const { pid, prefix, body, shadow } = LEADER;
  const r = parseLeader(s);
  const out: LeaderResult = { pid: r.pid, prefix: r.prefix, body: r.body, shadow: r.shadow };
  LEADER.pid = pid;
  LEADER.prefix = prefix;
  LEADER.body = body;
  LEADER.shadow = shadow;
  return out;
}

/** `parseLeader` without its fast path: every leader field tried in turn. */
export function parseLeaderGeneral(s: string): LeaderResult {
  let i = 0;
  let pid: number | null = null;
  let comm: string | undefined;
  let secontext: string | undefined;
  let time: Timestamp | undefined;
  let relative: string | undefined;
  let scno: number | null | undefined;
  let ip: string | null | undefined;
  let shadow = false;

  const c0 = s.charCodeAt(0);
  if (isDigit(c0)) {
    const d = digitsEnd(s, 0);
    const after = s.charCodeAt(d);
    if (after === 0x3c /* < */) {
      // -Y: "7832<procs> "
      const close = s.indexOf('> ', d);
      if (close > d) {
        pid = readUint(s, 0);
        comm = s.slice(d + 1, close);
        i = close + 2;
      }
    } else if (after === 0x20 && d <= 7 && readUint(s, 0) <= PID_MAX_LIMIT) {
      pid = readUint(s, 0);
      i = skipSpaces(s, d);
      // "%-5u " pads short pids; a relative -r value would follow right after the padding.
    }
  } else if (c0 === 0x5b && s.startsWith('[pid ', 0)) {
    const a = skipSpaces(s, 5);
    const d = digitsEnd(s, a);
    if (d > a) {
      let e = d;
      let c: string | undefined;
      if (s.charCodeAt(e) === 0x3c) {
        const close = s.indexOf('>', e);
        if (close > e) {
          c = s.slice(e + 1, close);
          e = close + 1;
        }
      }
      if (s.startsWith('] ', e)) {
        pid = readUint(s, a);
        comm = c;
        i = e + 2;
      }
    }
  }

  // Bracketed secontext (before the time), then times, then [scno] and [ip].
  if (s.charCodeAt(i) === 0x5b) {
    const close = s.indexOf(']', i);
    if (close > i && s.charCodeAt(close + 1) === 0x20 && bracketKind(s, i, close) === 'secontext') {
      secontext = s.slice(i + 1, close);
      i = close + 2;
    }
  }
  if (isDigit(s.charCodeAt(i))) {
    const t = readAbsTime(s, i);
    if (t) {
      time = t.time;
      i = t.next;
    }
  }
  if (time && s.startsWith('(+', i)) {
    const close = s.indexOf(') ', i);
    if (close > i) {
      relative = s.slice(i + 2, close);
      i = close + 2;
    }
  } else if (!time) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || isDigit(c)) {
      const r = readRelative(s, i);
      if (r) {
        relative = r[0];
        i = r[1];
      }
    }
  }
  while (s.charCodeAt(i) === 0x5b) {
    const close = s.indexOf(']', i);
    if (close < 0 || s.charCodeAt(close + 1) !== 0x20) break;
    const kind = bracketKind(s, i, close);
    if (kind === 'tid' && time && pid === null && scno === undefined) {
      const a = skipSpaces(s, i + 5);
      const d = digitsEnd(s, a);
      if (d === a || d !== close) break;
      pid = readUint(s, a);
      shadow = true;
      i = close + 2;
      break;
    } else if (kind === 'scno' && scno === undefined && ip === undefined) {
      const a = skipSpaces(s, i + 1);
      scno = isDigit(s.charCodeAt(a)) ? readUint(s, a) : null;
    } else if (kind === 'ip' && ip === undefined) {
      ip = s.charCodeAt(i + 1) === 0x3f ? null : s.slice(i + 1, close);
    } else {
      break;
    }
    i = close + 2;
  }

  let prefix = EMPTY_PREFIX;
  if (
    time !== undefined ||
    relative !== undefined ||
    scno !== undefined ||
    ip !== undefined ||
    comm !== undefined ||
    secontext !== undefined
  ) {
    const p: { -readonly [K in keyof Prefix]: Prefix[K] } = {};
    if (time !== undefined) p.time = time;
    if (relative !== undefined) p.relative = relative;
    if (scno !== undefined) p.scno = scno;
    if (ip !== undefined) p.ip = ip;
    if (comm !== undefined) p.comm = comm;
    if (secontext !== undefined) p.secontext = secontext;
    prefix = p;
  }
  LEADER.pid = pid;
  LEADER.prefix = prefix;
  LEADER.body = i;
  LEADER.shadow = shadow;
  return LEADER;
}
