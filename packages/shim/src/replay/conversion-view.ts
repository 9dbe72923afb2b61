// The recorded call as convert.ts sees it, with its argument tree parsed for
// that conversion only. A SyscallEvent caches its tree on first access, so a
// capture whose every call was converted kept every tree alive to the end of
// the check: on a 57 MB capture that was 480 MB of the 700 MB heap. Most trees
// are read once, by the conversion; the calls whose trees the checker reads
// again afterwards (KEEP_ARGS) still parse once, through the event's cache.
import { parseArgs, skipString as skipQuoted } from '@forkscope/tracer';
import type { Arg, Prefix, Span, SyscallEvent, SyscallOutcome, Timestamp } from '@forkscope/tracer';

/**
 * Calls whose argument tree is read again after conversion: by the judge (the out-values of
 * wait4, pipe, rt_sigaction…, the vfork flag of clone), the processes check (clone flags, exec
 * paths), the futex-word pass and the starting state (prlimit64), and initial-fds.ts (fcntl's
 * F_DUPFD minimum, pipe's fds). Missing a name here costs a second parse, never a wrong answer.
 */
export const KEEP_ARGS: ReadonlySet<string> = new Set([
  'wait4',
  'waitid',
  'pipe',
  'pipe2',
  'socketpair',
  'prlimit64',
  'getcwd',
  'sigaltstack',
  'rt_sigpending',
  'rt_sigprocmask',
  'rt_sigaction',
  'clone',
  'clone3',
  'fork',
  'vfork',
  'execve',
  'execveat',
  'futex',
  'fcntl',
]);

/** A read-only view of a recorded call whose `args` is parsed afresh on each read and not kept. */
class UncachedArgs implements SyscallEvent {
  readonly kind = 'syscall' as const;
  readonly #e: SyscallEvent;

  constructor(e: SyscallEvent) {
    this.#e = e;
  }

  get args(): readonly Arg[] {
    return parseArgs(this.#e.argsText);
  }
  get pid(): number | null {
    return this.#e.pid;
  }
  get span(): Span {
    return this.#e.span;
  }
  get prefix(): Prefix {
    return this.#e.prefix;
  }
  get name(): string {
    return this.#e.name;
  }
  get argsText(): string {
    return this.#e.argsText;
  }
  get outcome(): SyscallOutcome {
    return this.#e.outcome;
  }
  get split(): boolean {
    return this.#e.split;
  }
  get endTime(): Timestamp | undefined {
    return this.#e.endTime;
  }
  get duration(): string | undefined {
    return this.#e.duration;
  }
  get injection(): string | undefined {
    return this.#e.injection;
  }
  get stack(): readonly string[] | undefined {
    return this.#e.stack;
  }
  get dump(): readonly string[] | undefined {
    return this.#e.dump;
  }
  get pidChangedTo(): number | undefined {
    return this.#e.pidChangedTo;
  }
  get splitAt(): number | undefined {
    return this.#e.splitAt;
  }
  get vanished(): boolean | undefined {
    return this.#e.vanished;
  }
}

/** The event to hand to convert(): itself when its tree is read again later, else an uncached view. */
export function forConversion(event: SyscallEvent): SyscallEvent {
  return KEEP_ARGS.has(event.name) ? event : new UncachedArgs(event);
}

// Reads of the argument text that need no tree. The hottest calls of a big capture are reads
// and writes whose buffers strace prints as long escaped strings, and stats on absolute paths:
// convert needs none of those strings, so it takes the few plain fields it needs from the text
// and parses the tree only when the text has any other shape.

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const MINUS = 0x2d;
const COMMA = 0x2c;
const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;

/** The end of the plain decimal (optionally negative, at most 9 digits: no 32-bit wrap) at `i`, or -1. */
function smallIntEnd(text: string, i: number): number {
  let j = i;
  if (text.charCodeAt(j) === MINUS) j++;
  const start = j;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c < DIGIT_0 || c > DIGIT_9) break;
    j++;
  }
  return j === start || j - start > 9 ? -1 : j;
}

/** The value of the plain decimal smallIntEnd found from `i` to `end`. */
function smallIntValue(text: string, i: number, end: number): number {
  const negative = text.charCodeAt(i) === MINUS;
  let n = 0;
  for (let j = negative ? i + 1 : i; j < end; j++) n = n * 10 + (text.charCodeAt(j) - DIGIT_0);
  return negative ? 0 - n : n; // "-0" is 0, as the tree reads it
}

/** Past `,` and the spaces after it at `i` (a split call's halves may join with two), or -1. */
function skipComma(text: string, i: number): number {
  if (text.charCodeAt(i) !== COMMA) return -1;
  let j = i + 1;
  while (text.charCodeAt(j) === SPACE) j++;
  return j;
}

/** Past the string literal at `i` (escapes skipped, not decoded) and a `...` after it, or -1. */
function skipString(text: string, i: number): number {
  if (text.charCodeAt(i) !== QUOTE) return -1;
  // The tracer's scanner for the literal itself: one rule for escaped quotes.
  const j = skipQuoted(text, i, text.length);
  return j >= 0 && text.startsWith('...', j) ? j + 3 : j;
}

/** Past an address (`0x…`) or NULL at `i`, or -1. */
function skipAddress(text: string, i: number): number {
  if (text.startsWith('NULL', i)) return i + 4;
  if (!text.startsWith('0x', i)) return -1;
  let j = i + 2;
  while (j < text.length) {
    const c = text.charCodeAt(j) | 0x20;
    if (!((c >= DIGIT_0 && c <= DIGIT_9) || (c >= 0x61 && c <= 0x66))) break;
    j++;
  }
  return j === i + 2 ? -1 : j;
}

/** The first argument when it is a plain decimal standing alone (`3` or `3, …`), else undefined (an -y decoration, a name…). */
export function leadingFd(argsText: string): number | undefined {
  const end = smallIntEnd(argsText, 0);
  if (end < 0 || (end < argsText.length && argsText.charCodeAt(end) !== COMMA)) return undefined;
  return smallIntValue(argsText, 0, end);
}

export interface FdCount {
  readonly fd: number;
  readonly count: bigint;
}

/** The one FdCount fdBufCount fills in (an object per read and write was a measurable share of the garbage). */
const FD_COUNT: { fd: number; count: bigint } = { fd: 0, count: 0n };

/**
 * read's and write's `FD, BUF, COUNT` taken from the text: fd and count when both are plain
 * decimals and BUF is a string literal (perhaps `...`-truncated), an address or NULL; undefined
 * for any other shape, which the caller parses as a tree. BUF is skipped, never decoded. The
 * result is a shared object, valid until the next call.
 */
export function fdBufCount(argsText: string): FdCount | undefined {
  const fdEnd = smallIntEnd(argsText, 0);
  if (fdEnd < 0) return undefined;
  const buf = skipComma(argsText, fdEnd);
  if (buf < 0) return undefined;
  const bufEnd = argsText.charCodeAt(buf) === QUOTE ? skipString(argsText, buf) : skipAddress(argsText, buf);
  if (bufEnd < 0) return undefined;
  const countAt = skipComma(argsText, bufEnd);
  if (countAt < 0 || countAt === argsText.length) return undefined;
  // Summed as a number while exact (15 digits), so no substring is made for the usual counts.
  let count = 0;
  for (let j = countAt; j < argsText.length; j++) {
    const c = argsText.charCodeAt(j);
    if (c < DIGIT_0 || c > DIGIT_9) return undefined;
    count = count * 10 + (c - DIGIT_0);
  }
  const exact = argsText.length - countAt <= 15;
  FD_COUNT.fd = smallIntValue(argsText, 0, fdEnd);
  FD_COUNT.count = exact ? BigInt(count) : BigInt(argsText.slice(countAt));
  return FD_COUNT;
}

/**
 * For `DIRFD, "PATH", …` (newfstatat, statx, readlinkat…): whether PATH is absolute, read from
 * the text when DIRFD is AT_FDCWD or a plain decimal and PATH's first character is not an escape;
 * undefined otherwise. Also gives the dirfd (-100 for AT_FDCWD).
 */
export function dirfdPath(argsText: string): { readonly dirfd: number; readonly absolute: boolean } | undefined {
  let end: number;
  let dirfd: number;
  if (argsText.startsWith('AT_FDCWD')) {
    end = 8;
    dirfd = -100;
  } else {
    end = smallIntEnd(argsText, 0);
    if (end < 0) return undefined;
    dirfd = smallIntValue(argsText, 0, end);
  }
  const path = skipComma(argsText, end);
  if (path < 0 || argsText.charCodeAt(path) !== QUOTE) return undefined;
  const pathEnd = skipString(argsText, path);
  if (pathEnd < 0 || (pathEnd < argsText.length && argsText.charCodeAt(pathEnd) !== COMMA)) return undefined;
  const first = argsText.charCodeAt(path + 1);
  // An escape may stand for '/' (strace -xx prints every byte as \x..): the tree decides.
  if (first === BACKSLASH) return undefined;
  return { dirfd, absolute: first === SLASH };
}

export interface OpenArgs {
  /** -100 for AT_FDCWD (and for open/creat, which have no dirfd). */
  readonly dirfd: number;
  readonly path: string;
  readonly flags: number;
  readonly mode: number;
}

const AT_FDCWD_TEXT = 'AT_FDCWD';
const PIPE = 0x7c;

/** Where the last namesAt or numberAt that succeeded ended (read by its caller at once). */
let readEnd = 0;

/** `NAME|NAME…` at `i`, each a name the table knows: their bits (readEnd after the last), or undefined. */
function namesAt(text: string, i: number, names: ReadonlyMap<string, bigint>): bigint | undefined {
  let bits = 0n;
  let j = i;
  for (;;) {
    const start = j;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      if (!((c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= DIGIT_0 && c <= DIGIT_9))) break;
      j++;
    }
    const first = text.charCodeAt(start);
    if (j === start || (first >= DIGIT_0 && first <= DIGIT_9)) return undefined;
    const bit = names.get(text.slice(start, j));
    if (bit === undefined) return undefined;
    bits |= bit;
    if (text.charCodeAt(j) !== PIPE) break;
    j++;
  }
  readEnd = j;
  return bits;
}

/**
 * An unsigned number at `i` as strace prints sizes, offsets and addresses: decimal (no leading
 * zero but `0` itself, at most 15 digits) or `0x` and at most 13 hex digits, so that it is exact
 * as a double. Its value (readEnd after it), or undefined for anything else (octal, longer…).
 */
function numberAt(text: string, i: number): bigint | undefined {
  let n = 0;
  let j = i;
  if (text.startsWith('0x', i)) {
    j += 2;
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j) | 0x20;
      if (c >= DIGIT_0 && c <= DIGIT_9) n = n * 16 + (c - DIGIT_0);
      else if (c >= 0x61 && c <= 0x66) n = n * 16 + (c - 0x57);
      else break;
    }
    if (j === i + 2 || j - i - 2 > 13) return undefined;
  } else {
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c < DIGIT_0 || c > DIGIT_9) break;
      n = n * 10 + (c - DIGIT_0);
    }
    if (j === i || j - i > 15 || (text.charCodeAt(i) === DIGIT_0 && j - i > 1)) return undefined;
  }
  // A word character right after the number makes it something else (`0x10ull`, `12abc`).
  const after = text.charCodeAt(j);
  if ((after >= 0x41 && after <= 0x5a) || (after >= 0x61 && after <= 0x7a) || after === 0x5f || after === 0x2e) return undefined;
  readEnd = j;
  return BigInt(n);
}

export interface FcntlArgs {
  readonly fd: number;
  readonly cmd: number;
  readonly arg: bigint;
}

/**
 * fcntl's `FD, CMD[, ARG]` from the text, for the commands convert sends: FD a plain decimal, CMD
 * a name the table knows; F_SETFD and F_SETFL take names (`FD_CLOEXEC`, `O_RDWR|O_NONBLOCK`),
 * F_DUPFD and F_DUPFD_CLOEXEC a plain decimal, any other command no argument. Undefined for any
 * other shape (a struct, a number where names go…), which the caller parses as a tree.
 */
export function fcntlArgs(
  argsText: string,
  cmdNames: ReadonlyMap<string, bigint>,
  fdFlagNames: ReadonlyMap<string, bigint>,
  openFlagNames: ReadonlyMap<string, bigint>,
): FcntlArgs | undefined {
  const fdEnd = smallIntEnd(argsText, 0);
  if (fdEnd < 0) return undefined;
  const at = skipComma(argsText, fdEnd);
  if (at < 0) return undefined;
  const cmd = namesAt(argsText, at, cmdNames);
  if (cmd === undefined) return undefined;
  let i = readEnd;
  const fd = smallIntValue(argsText, 0, fdEnd);
  let arg: bigint | undefined = 0n;
  if (cmd === 2n || cmd === 4n || cmd === 0n || cmd === 1030n || cmd === 1031n) {
    i = skipComma(argsText, i);
    if (i < 0) return undefined;
    if (cmd === 2n || cmd === 4n) arg = namesAt(argsText, i, cmd === 2n ? fdFlagNames : openFlagNames);
    else {
      const end = smallIntEnd(argsText, i);
      arg = end < 0 || argsText.charCodeAt(i) === MINUS ? undefined : BigInt(smallIntValue(argsText, i, end));
      readEnd = end;
    }
    if (arg === undefined) return undefined;
    i = readEnd;
  }
  return i === argsText.length ? { fd, cmd: Number(cmd), arg } : undefined;
}

export interface MmapArgs {
  readonly length: bigint;
  readonly prot: number;
  readonly flags: bigint;
  readonly fd: number;
  readonly offset: bigint;
}

/**
 * mmap's `ADDR, LENGTH, PROT, FLAGS, FD, OFFSET` from the text: ADDR NULL or an address (not
 * used), LENGTH and OFFSET numbers (numberAt), PROT and FLAGS names the tables know, FD a plain
 * decimal. Undefined for any other shape, which the caller parses as a tree.
 */
export function mmapArgs(argsText: string, protNames: ReadonlyMap<string, bigint>, flagNames: ReadonlyMap<string, bigint>): MmapArgs | undefined {
  let i = skipAddress(argsText, 0);
  if (i < 0 || (i = skipComma(argsText, i)) < 0) return undefined;
  const length = numberAt(argsText, i);
  if (length === undefined || (i = skipComma(argsText, readEnd)) < 0) return undefined;
  const prot = namesAt(argsText, i, protNames);
  if (prot === undefined || (i = skipComma(argsText, readEnd)) < 0) return undefined;
  const flags = namesAt(argsText, i, flagNames);
  if (flags === undefined || (i = skipComma(argsText, readEnd)) < 0) return undefined;
  const fdEnd = smallIntEnd(argsText, i);
  if (fdEnd < 0) return undefined;
  const fd = smallIntValue(argsText, i, fdEnd);
  if ((i = skipComma(argsText, fdEnd)) < 0) return undefined;
  const offset = numberAt(argsText, i);
  if (offset === undefined || readEnd !== argsText.length) return undefined;
  return { length, prot: Number(prot), flags, fd, offset };
}

/**
 * openat's `DIRFD, "PATH", FLAGS[, MODE]` (or open's, without DIRFD) taken from the text: DIRFD
 * AT_FDCWD or a plain decimal, PATH printable ASCII with no escape (so its characters are its
 * bytes) and not `...`-truncated, FLAGS names the table knows joined by `|`, MODE an octal number
 * as strace prints it (`0644`, `0`). Undefined for any other shape, which the caller parses as a tree.
 */
export function openArgs(argsText: string, withDirfd: boolean, flagNames: ReadonlyMap<string, bigint>): OpenArgs | undefined {
  let dirfd = -100;
  let at = 0;
  if (withDirfd) {
    let end: number;
    if (argsText.startsWith(AT_FDCWD_TEXT)) end = AT_FDCWD_TEXT.length;
    else {
      end = smallIntEnd(argsText, 0);
      if (end < 0) return undefined;
      dirfd = smallIntValue(argsText, 0, end);
    }
    at = skipComma(argsText, end);
    if (at < 0) return undefined;
  }
  if (argsText.charCodeAt(at) !== QUOTE) return undefined;
  const pathEnd = argsText.indexOf('"', at + 1);
  if (pathEnd < 0) return undefined;
  for (let j = at + 1; j < pathEnd; j++) {
    const c = argsText.charCodeAt(j);
    if (c < SPACE || c > 0x7e || c === BACKSLASH) return undefined;
  }
  // A copy, not a slice: the kernel keeps an open file's path, and a slice would keep the parser's whole input piece alive.
  const path = `${argsText.slice(at + 1, pathEnd)} `.slice(0, -1);
  let i = skipComma(argsText, pathEnd + 1);
  if (i < 0) return undefined;
  const bits = namesAt(argsText, i, flagNames);
  if (bits === undefined) return undefined;
  i = readEnd;
  if (i === argsText.length) return { dirfd, path, flags: Number(bits), mode: 0 };
  i = skipComma(argsText, i);
  // MODE: `0` or `0` and octal digits, ending the text.
  if (i < 0 || argsText.charCodeAt(i) !== DIGIT_0) return undefined;
  let mode = 0;
  for (let j = i + 1; j < argsText.length; j++) {
    const c = argsText.charCodeAt(j);
    if (c < DIGIT_0 || c > 0x37 || j - i > 8) return undefined;
    mode = mode * 8 + (c - DIGIT_0);
  }
  return { dirfd, path, flags: Number(bits), mode };
}

