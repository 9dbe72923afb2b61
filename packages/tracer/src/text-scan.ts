// Low-level scanners over strace text. Each takes the index of an opening token and returns the
// index just past its end, or -1 when the token is not closed before `end`. No regular
// expressions: every scanner is a single forward pass, so nothing can backtrack.

const BACKSLASH = 0x5c;
const QUOTE = 0x22;

/** True for the characters an identifier or number may end with: `[0-9A-Za-z_]`. */
export function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** `s[i]` is `"`: the index after the closing quote (escapes skipped), or -1. */
export function skipString(s: string, i: number, end: number): number {
  let j = i + 1;
  for (;;) {
    const q = s.indexOf('"', j);
    if (q < 0 || q >= end) return -1;
    // The quote is escaped when an odd number of backslashes precede it.
    let k = q - 1;
    while (k > i && s.charCodeAt(k) === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** `s[i..]` is `/*`: the index after the closing `*\/`, or -1. */
export function skipComment(s: string, i: number, end: number): number {
  const c = s.indexOf('*/', i + 2);
  return c < 0 || c + 2 > end ? -1 : c + 2;
}

/**
 * `s[i]` is the `<` of an fd/pid decoration (`3</etc/passwd>`, `0</dev/null<char 1:3>>`,
 * `6<UNIX-STREAM:[1->2,@"x"]>`): the index after its matching `>`, or -1. Inside, `<`/`>` in
 * paths are escaped as octal by strace, `->` only occurs inside `[...]`, and quoted names may
 * hold anything, so brackets and quotes are tracked.
 */
export function skipDecoration(s: string, i: number, end: number): number {
  let nest = 0;
  let brackets = 0;
  for (let j = i; j < end; j++) {
    const c = s.charCodeAt(j);
    if (c === BACKSLASH) {
      j++;
    } else if (c === QUOTE) {
      const q = skipString(s, j, end);
      if (q < 0) return -1;
      j = q - 1;
    } else if (c === 0x5b /* [ */) {
      brackets++;
    } else if (c === 0x5d /* ] */) {
      if (brackets > 0) brackets--;
    } else if (c === 0x3c /* < */) {
      nest++;
    } else if (c === 0x3e /* > */ && brackets === 0) {
      nest--;
      if (nest === 0) return j + 1;
    }
  }
  return -1;
}

/** `<` at `i` starts a decoration when it follows a word character and is not a `<<` shift. */
export function startsDecoration(s: string, i: number): boolean {
  return i > 0 && isWordChar(s.charCodeAt(i - 1)) && s.charCodeAt(i + 1) !== 0x3c;
}

/** The markers that end an incomplete call; what follows them (if anything) is the outcome. */
export type CallMarker = 'unfinished' | 'detached' | 'pid-changed';

export interface CallEnd {
  /** Index of the closing `)` or of the marker's `<`. */
  at: number;
  /** Index just past the `)` or the marker. */
  next: number;
  marker: CallMarker | null;
  /** For `<pid changed to N ...>`. */
  newPid: number;
}

/** The one CallEnd `findCallEnd` fills in: read it before the next call (saves an object per line). */
const END: CallEnd = { at: 0, next: 0, marker: null, newPid: 0 };

function callEnd(at: number, next: number, marker: CallMarker | null, newPid = 0): CallEnd {
  END.at = at;
  END.next = next;
  END.marker = marker;
  END.newPid = newPid;
  return END;
}

/**
 * `findCallEnd` into a fresh object, leaving the shared one as it was: for a line read out of
 * turn while the current line's CallEnd is still in use.
 */
export function findCallEndApart(s: string, i: number, end: number): CallEnd | null {
  const { at, next, marker, newPid } = END;
  const r = findCallEnd(s, i, end);
  const out = r === null ? null : { at: r.at, next: r.next, marker: r.marker, newPid: r.newPid };
  callEnd(at, next, marker, newPid);
  return out;
}

/**
 * A run of characters `findCallEnd` can step over: all but `"()[]{}/<`. Sticky, one character
 * class, nothing after it: it matches the longest run in one linear pass and cannot backtrack.
 * V8 runs it ~25 % faster than a charCodeAt loop with a table (measured on -f capture lines).
 */
const PLAIN_RUN = /[^"()[\]{}/<]*/y;

const UNFINISHED = '<unfinished ...>';
const DETACHED = '<detached ...>';
const PID_CHANGED = '<pid changed to ';

/**
 * Scans argument text from `i` for the `)` that closes the call at depth zero, or for one of the
 * markers `<unfinished ...>`, `<detached ...>`, `<pid changed to N ...>`. Strings, comments and
 * decorations are skipped as whole tokens, so `) =` or `(` inside them never count.
 * Returns null when neither is found (an open line: stderr splice or a truncated file).
 * The result is a shared object, valid until the next call.
 */
export function findCallEnd(s: string, i: number, end: number): CallEnd | null {
  let depth = 0;
  for (let j = i; j < end; j++) {
    // Most characters mean nothing to the scanner: skip them in one native pass.
    PLAIN_RUN.lastIndex = j;
    PLAIN_RUN.test(s);
    j = PLAIN_RUN.lastIndex;
    if (j >= end) break;
    const c = s.charCodeAt(j);
    switch (c) {
      case QUOTE: {
        const q = skipString(s, j, end);
        if (q < 0) return null;
        j = q - 1;
        break;
      }
      case 0x28: // (
      case 0x5b: // [
      case 0x7b: // {
        depth++;
        break;
      case 0x29: // )
        if (depth === 0) return callEnd(j, j + 1, null);
        depth--;
        break;
      case 0x5d: // ]
      case 0x7d: // }
        depth--;
        break;
      case 0x2f: // /
        if (s.charCodeAt(j + 1) === 0x2a) {
          const e = skipComment(s, j, end);
          if (e < 0) return null;
          j = e - 1;
        }
        break;
      case 0x3c: {
        // <
        if (startsDecoration(s, j)) {
          const e = skipDecoration(s, j, end);
          if (e < 0) return null;
          j = e - 1;
        } else if (s.startsWith(UNFINISHED, j)) {
          return callEnd(j, j + UNFINISHED.length, 'unfinished');
        } else if (s.startsWith(DETACHED, j)) {
          return callEnd(j, j + DETACHED.length, 'detached');
        } else if (s.startsWith(PID_CHANGED, j)) {
          let k = j + PID_CHANGED.length;
          let n = 0;
          const start = k;
          while (k < end && isDigit(s.charCodeAt(k))) n = n * 10 + (s.charCodeAt(k++) - 0x30);
          if (k === start || !s.startsWith(' ...>', k)) return null;
          return callEnd(j, k + 5, 'pid-changed', n);
        }
        break;
      }
      default:
        break;
    }
  }
  return null;
}

/**
 * From `i` (just after an opening `(`), the index of the matching `)` with strings and nested
 * brackets skipped; -1 if unclosed. Used for result extras such as `([{fd=8, revents=POLLIN}])`.
 */
export function findCloseParen(s: string, i: number, end: number): number {
  let depth = 0;
  for (let j = i; j < end; j++) {
    const c = s.charCodeAt(j);
    if (c === QUOTE) {
      const q = skipString(s, j, end);
      if (q < 0) return -1;
      j = q - 1;
    } else if (c === 0x28 || c === 0x5b || c === 0x7b) {
      depth++;
    } else if (c === 0x29 && depth === 0) {
      return j;
    } else if (c === 0x29 || c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return -1;
}

/** Removes SGR colour sequences (`ESC [ digits/; m`) that strace >= 7 --color prints. */
export function stripSgr(line: string): string {
  let out = '';
  let from = 0;
  let i = line.indexOf('\x1b');
  while (i >= 0) {
    let j = i + 1;
    if (line.charCodeAt(j) === 0x5b) {
      j++;
      while (j < line.length) {
        const c = line.charCodeAt(j);
        if (isDigit(c) || c === 0x3b) j++;
        else break;
      }
      if (line.charCodeAt(j) === 0x6d /* m */) {
        out += line.slice(from, i);
        from = j + 1;
      }
    }
    i = line.indexOf('\x1b', i + 1);
  }
  return from === 0 ? line : out + line.slice(from);
}
