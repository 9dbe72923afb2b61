// The streaming state machine: physical lines in, TraceEvents out. Holds only what strace
// itself keeps open: one unfinished call per task, one line cut by a stderr message, the last
// completed call (so `-k` frames and `-e write=` dumps printed under it can still attach), and a
// summary table being read. Memory is flat in the length of the input.
//
// Events come out in the order they complete: a split call is emitted at its `resumed>` line,
// with `span.line` pointing back at its `<unfinished ...>` line.
import type {
  DiagnosticEvent,
  Prefix,
  SignalEvent,
  Span,
  SummaryEvent,
  SummaryRow,
  SyscallOutcome,
  Timestamp,
  TraceEvent,
} from './events.js';
import { EMPTY_PREFIX, commonLeaderAt, parseCommonLeader, parseLeader, parseLeaderApart, PrintedTimestamp, type LeaderResult } from './prefix-parse.js';
import { fastPaths } from './fast-paths.js';
import { parseOutcome } from './outcome-parse.js';
import { isSummaryHeader, isSummarySeparator, parseSummaryRow } from './summary-table.js';
import { SyscallRecord } from './syscall-record.js';
import { ValueOutcome } from './value-outcome.js';
import { findCallEnd, findCallEndApart, isDigit, isWordChar, skipString, stripSgr, type CallEnd } from './text-scan.js';
import { decodeEscapes, parseValue } from './value-parse.js';
import { errnoName } from './errno.js';
import { Interner } from './intern.js';

/** Syscall names: a few dozen distinct ones over millions of lines. */
const NAMES = new Interner();
/**
 * The names skipLineAt asks skipCall about, every one looked up: most of those calls are skipped,
 * so the name goes no further than the consumer's lookup of it.
 */
const SKIP_NAMES = new Interner(9, true);

export type Dialect = 'auto' | 'strace' | 'shadow';

export interface ParseOptions {
  /** Recorded in every event's span. */
  readonly file?: string;
  /** `auto` (default) accepts both strace and Shadow lines, telling them apart per line. */
  readonly dialect?: Dialect;
  /**
   * Calls the consumer has no use for (a first pass that wants a few kinds of call). Asked once per
   * call on the common line shapes, when the call is complete (its line, or the `resumed>` line of
   * a split one), with its task, its name and the lines it spans: true skips it, and it yields no
   * event for the cost of reading its leader and name. Other lines and calls are parsed as usual.
   * Lines printed under a skipped call (-k frames, -e read=/write= dumps) have no call to go with
   * and come out as diagnostics: a consumer that skips should leave judging the input to a full parse.
   */
  readonly skipCall?: SkipCall;
}

/** See ParseOptions.skipCall. */
export type SkipCall = (pid: number | null, name: string, line: number, endLine: number) => boolean;

/** An `<unfinished ...>` half waiting for its `resumed>` line. */
interface Pending {
  file: string | undefined;
  pid: number | null;
  name: string;
  argsText: string;
  line: number;
  /** The half's last line: after `line` when a stderr message cut it and the next line completed it. */
  halfEnd: number;
  prefix: Prefix;
  stack?: string[];
  dump?: string[];
  pidChangedTo?: number;
  /** With skipCall: the whole `<unfinished ...>` line, not read beyond its name until the call is kept. */
  raw: string | undefined;
  /** Its texts (raw, argsText, the prefix's) are still slices of the input: see `unpin`. */
  pinned: boolean;
}

/**
 * How many lines an unfinished half's texts may stay slices of the input (keeping the piece of
 * input they were read from alive) before they are copied. Most halves resume a few lines later:
 * those are never copied, and no half keeps more than this many lines' input alive.
 */
const PIN_LINES = 256;

/** A line cut short by a message strace wrote to stderr; completed by the next physical line. */
interface OpenLine {
  leader: LeaderResult;
  text: string;
  line: number;
}

interface SummaryState {
  line: number;
  rows: SummaryRow[];
}

const RESUMED = ' resumed>';
const UNFINISHED_TAIL = ' <unfinished ...>';
const FRAME = ' > ';
const UNFINISHED_VANISHED = ') = ?';

function unfinished(reason: 'detached' | 'pid-changed' | 'end-of-input' | 'superseded'): SyscallOutcome {
  return { kind: 'unfinished', reason };
}

/** ` | 00000  68 65 …  text |`: the hex dump strace prints under a call for -e read=/write=. */
function isHexDump(line: string): boolean {
  if (!line.startsWith(' | ')) return false;
  for (let i = 3; i < 8; i++) {
    const c = line.charCodeAt(i);
    if (!(isDigit(c) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return line.charCodeAt(8) === 0x20;
}

export class TraceParser {
  private file: string | undefined;
  private readonly dialect: Dialect;
  private out: TraceEvent[] = [];
  private lineNo = 0;
  private readonly pending = new Map<number | null, Pending>();
  private held: SyscallRecord | null = null;
  /** A signal line, held like `held` because -k prints frames under it too. */
  private heldSignal: (SignalEvent & { stack?: string[] }) | null = null;
  /** Exit lines printed after `held` whose frames may still follow. */
  private afterHeld: TraceEvent[] = [];
  /**
   * The last `= ?` call (exit, exit_group, killed mid-call) of each task: strace -k prints its
   * frames after the task's `+++ exited +++` line, possibly many lines later.
   */
  private readonly lastExitCall = new Map<number | null, SyscallRecord>();
  private exitFrames: SyscallRecord | null = null;
  /** Where `-k` frames / dumps go when the last line was an unfinished call. */
  private lastPending: Pending | null = null;
  private open: OpenLine | null = null;
  private summary: SummaryState | null = null;
  private tips = false;
  /** Set by the first Shadow call line: only those can leave a `<native>` call for a `^^^` line. */
  private shadowSeen = false;
  /** Leaders that printed `+++ superseded by execve +++`: their `<... execve resumed>` is expected. */
  private readonly superseded = new Set<number | null>();
  private readonly skipCall: SkipCall | undefined;
  /** Lines fed, counted to copy the texts of long-open halves every PIN_LINES lines (see unpin). */
  private fed = 0;

  constructor(options: ParseOptions = {}) {
    this.file = options.file;
    this.dialect = options.dialect ?? 'auto';
    this.skipCall = options.skipCall;
  }

  /** Events completed so far; the internal buffer is handed over and reset. */
  take(): TraceEvent[] {
    const out = this.out;
    if (out.length === 0) return [];
    this.out = [];
    return out;
  }

  /** How many events `take()` would hand over. */
  get pendingCount(): number {
    return this.out.length;
  }

  /** True when `take()` has events to hand over. */
  get ready(): boolean {
    return this.out.length > 0;
  }

  get linesRead(): number {
    return this.lineNo;
  }

  /**
   * The lowest line an event not yet handed over can start on: an unfinished call waiting for
   * its resumed line, a call held for `-k` frames, a line cut by a stderr message, a summary
   * table being read. Every later event's `span.line` is at least this, so a consumer that
   * orders events by their first line (the replay's schedule) can act now on all lines before it.
   */
  get settledBefore(): number {
    let low = this.lineNo + 1;
    for (const p of this.pending.values()) if (p.line < low) low = p.line;
    if (this.held !== null && this.held.span.line < low) low = this.held.span.line;
    if (this.heldSignal !== null && this.heldSignal.span.line < low) low = this.heldSignal.span.line;
    for (const e of this.afterHeld) if (e.span.line < low) low = e.span.line;
    if (this.open !== null && this.open.line < low) low = this.open.line;
    if (this.summary !== null && this.summary.line < low) low = this.summary.line;
    return low;
  }

  private span(line: number, endLine = line, file = this.file): Span {
    return file === undefined ? { line, endLine } : { file, line, endLine };
  }

  private diagnostic(text: string, reason: string, line: number, pid: number | null = null): void {
    const d: DiagnosticEvent = { kind: 'diagnostic', pid, span: this.span(line), prefix: EMPTY_PREFIX, text, reason };
    this.out.push(d);
  }

  private flushHeld(): void {
    if (this.heldSignal !== null) {
      this.out.push(this.heldSignal);
      this.heldSignal = null;
    }
    if (this.held !== null) {
      // (Most outcomes are a ValueOutcome: one class check spares a load across many shapes.)
      const o = this.held.outcome;
      if (!(o instanceof ValueOutcome) && o.kind === 'unknown') this.lastExitCall.set(this.held.pid, this.held);
      this.out.push(this.held);
      this.held = null;
      if (this.afterHeld.length > 0) {
        for (const e of this.afterHeld) this.out.push(e);
        this.afterHeld = [];
      }
    }
  }

  /**
   * Feeds one physical line (without its newline). `pidOverride` supplies the pid of lines that
   * print none (the `name.<pid>` files of -ff).
   */
  line(raw: string, pidOverride: number | null = null): void {
    this.lineAt(raw, this.lineNo + 1, this.file, pidOverride);
  }

  /** `line()` for a line known to hold no ESC, so no colour codes to strip (the streaming splitter knows). */
  lineWithoutEscapes(raw: string): void {
    this.countLine();
    const lineNo = ++this.lineNo;
    const text = raw.length > 0 && raw.charCodeAt(raw.length - 1) === 0x0d ? raw.slice(0, -1) : raw;
    this.handle(text, lineNo, null);
  }

  /** Feeds a line with its own file and line number (merging several -ff files into one run). */
  lineAt(raw: string, lineNo: number, file: string | undefined, pidOverride: number | null): void {
    this.countLine();
    this.lineNo = lineNo;
    this.file = file;
    const text = raw.indexOf('\x1b') >= 0 ? stripSgr(raw) : raw;
    const trimmedEnd = text.length > 0 && text.charCodeAt(text.length - 1) === 0x0d ? text.slice(0, -1) : text;
    this.handle(trimmedEnd, lineNo, pidOverride);
  }

  private handle(text: string, lineNo: number, pidOverride: number | null): void {
    if (
      fastPaths.enabled &&
      !this.tips &&
      this.summary === null &&
      this.open === null &&
      !this.shadowSeen &&
      this.dialect !== 'shadow' &&
      this.commonLine(text, lineNo, pidOverride)
    ) {
      return;
    }
    if (this.tips) {
      this.flushHeld();
      this.message(text, lineNo, null);
      const t = text.trimEnd();
      if (t.endsWith('[  ]')) this.tips = false;
      return;
    }
    if (this.summary !== null) {
      if (isSummarySeparator(text)) return;
      const row = parseSummaryRow(text);
      if (row !== null) {
        if (row.syscall === 'total') this.endSummary(row, lineNo);
        else this.summary.rows.push(row);
        return;
      }
      this.endSummary(null, lineNo - 1);
    }
    if (this.open !== null && text.startsWith('strace: ')) {
      // More stderr messages before the cut line goes on (two tasks attached at once).
      this.straceMessage(text, lineNo);
      return;
    }
    if (this.open !== null) {
      const open = this.open;
      this.open = null;
      if (this.continueOpen(open, text, lineNo)) return;
      this.diagnostic(open.text, 'line cut short and not completed by the next line', open.line, open.leader.pid);
    }
    if (text.length === 0) return; // strace never prints an empty line; a blank line carries nothing
    const c0 = text.charCodeAt(0);
    if (c0 === 0x20) {
      // Lines under a call: -k frames and -e read=/write= dumps; --tips art; -r alone.
      if (text.startsWith(FRAME)) return this.attach(text, 'stack', lineNo);
      if (isHexDump(text)) return this.attach(text, 'dump', lineNo);
      if (text.startsWith('  ____')) {
        this.flushHeld();
        this.tips = true;
        this.message(text, lineNo, null);
        return;
      }
    }
    if (this.shadowSeen && this.held !== null && this.held.outcome.kind === 'native' && text.includes('] ^^^ = ')) {
      if (this.shadowResult(text, lineNo, pidOverride)) return;
    }
    const leader = parseLeader(text);
    if (leader.pid === null && pidOverride !== null) leader.pid = pidOverride;
    if (this.held !== null && text.charCodeAt(leader.body) === 0x2b && leader.pid === this.held.pid && text.startsWith('+++ ', leader.body)) {
      // strace prints `+++ exited +++` before the -k frames of the task's last call: keep the
      // call open for them and queue the exit line behind it.
      const out = this.out;
      this.out = this.afterHeld;
      this.exit(text, leader, lineNo);
      this.out = out;
      return;
    }
    this.flushHeld();
    this.lastPending = null;
    this.exitFrames = null;
    if (leader.shadow ? this.dialect === 'strace' : this.dialect === 'shadow' && !isSummaryHeader(text)) {
      this.diagnostic(text, `not a ${this.dialect === 'strace' ? 'strace' : 'Shadow'} line (dialect is ${this.dialect})`, lineNo, leader.pid);
      return;
    }
    this.body(text, leader, lineNo);
  }

  /**
   * The fast path for the lines nearly every capture is made of: a common leader (pid column,
   * stamp) and then `name(` or `<... name resumed>`. Takes exactly the steps `handle`, `body` and
   * `call` would take for such a line, without their checks for the other kinds of line (which the
   * caller has ruled out: no --tips art, summary table, cut line or Shadow input is open).
   * Returns false, having changed nothing, for any other line.
   */
  private commonLine(text: string, lineNo: number, pidOverride: number | null): boolean {
    const leader = parseCommonLeader(text);
    if (leader === null) return false;
    const b = leader.body;
    const c = text.charCodeAt(b);
    if (c === 0x3c /* < */) {
      if (!text.startsWith('<... ', b)) return false;
      if (leader.pid === null) leader.pid = pidOverride;
      this.flushHeld();
      this.lastPending = null;
      this.exitFrames = null;
      if (this.skipCall !== undefined && this.skipResumed(text, text.length, leader.pid, b + 5, lineNo)) return true;
      this.resumed(text, leader, lineNo, lineNo);
      return true;
    }
    // A lower-case name then `(`: not `strace: `, not a `+++`/`---` line, no `#` in the name.
    if (!((c >= 0x61 && c <= 0x7a) || c === 0x5f)) return false;
    let i = b + 1;
    while (isWordChar(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== 0x28) return false;
    if (leader.pid === null) leader.pid = pidOverride;
    this.flushHeld();
    this.lastPending = null;
    this.exitFrames = null;
    const name = NAMES.slice(text, b, i);
    if (this.skipCall !== undefined && this.skipped(text, 0, text.length, leader.pid, lineNo, name)) return true;
    this.callLine(text, leader, lineNo, name, i + 1);
    return true;
  }

  /**
   * With skipCall, for a call line on the fast path (`s` from `from` to `to`): true when the line
   * needs no further reading, either because the call is skipped or because it is an
   * `<unfinished ...>` half, which is filed unread (whether it is wanted is asked at its
   * `resumed>` line). Lines that end in another marker (`<detached ...>`, `<pid changed to N ...>`)
   * and a second half of a task that has one open take the usual way.
   */
  private skipped(s: string, from: number, to: number, pid: number | null, lineNo: number, name: string): boolean {
    if (!endsWithMarker(s, from, to)) return (this.skipCall as SkipCall)(pid, name, lineNo, lineNo);
    if (!s.startsWith(UNFINISHED_TAIL, to - UNFINISHED_TAIL.length) || to - from < UNFINISHED_TAIL.length || this.pending.has(pid)) return false;
    const raw = from === 0 && to === s.length ? s : s.slice(from, to);
    this.openHalf(pid, pid, name, '', lineNo, lineNo, EMPTY_PREFIX, raw);
    return true;
  }

  /**
   * Files an `<unfinished ...>` half under `key` (its task's pid, or the pid a `<pid changed to N
   * ...>` names) as the task's open call; its texts are still slices of the input (see unpin).
   */
  private openHalf(key: number | null, pid: number | null, name: string, argsText: string, line: number, halfEnd: number, prefix: Prefix, raw: string | undefined): Pending {
    const p: Pending = { file: this.file, pid, name, argsText, line, halfEnd, prefix, raw, pinned: true };
    this.pending.set(key, p);
    this.lastPending = p;
    return p;
  }

  /**
   * With skipCall, for a `resumed>` line (ending at `to`, its name at `nameAt`): true when it
   * completes an unread half of the same task and the call is skipped.
   */
  private skipResumed(s: string, to: number, pid: number | null, nameAt: number, lineNo: number): boolean {
    const own = this.pending.get(pid);
    if (own === undefined || own.raw === undefined) return false;
    const name = own.name;
    const markerAt = nameAt + name.length;
    if (markerAt + RESUMED.length > to || !s.startsWith(name, nameAt) || !s.startsWith(RESUMED, markerAt) || endsWithMarker(s, markerAt, to)) return false;
    if (!(this.skipCall as SkipCall)(pid, name, own.line, lineNo)) return false;
    this.pending.delete(pid);
    return true;
  }

  /** Whether the parser was given a skipCall (and may take lines through skipLineAt). */
  get skipping(): boolean {
    return this.skipCall !== undefined;
  }

  /**
   * With skipCall, the next line, `s` from `from` to `to` (no newline, no colour codes), read in
   * place when it is a call or `resumed>` line of the common shape: true when this took the line,
   * with exactly the steps `commonLine` would take. A skipped call (and an unfinished half, filed
   * unread) costs no string for the line nor a prefix for its stamp; a kept one is then read from
   * a string of its own. False, having changed nothing, for any other line: the caller feeds it
   * as usual (`lineWithoutEscapes`). Most lines of a first pass end here.
   */
  skipLineAt(s: string, from: number, to: number): boolean {
    if (
      this.skipCall === undefined ||
      !fastPaths.enabled ||
      this.tips ||
      this.summary !== null ||
      this.open !== null ||
      this.shadowSeen ||
      this.dialect === 'shadow' ||
      // A CR before the newline: the usual way trims it.
      (to > from && s.charCodeAt(to - 1) === 0x0d)
    ) {
      return false;
    }
    const leader = commonLeaderAt(s, from, to);
    if (leader === null) return false;
    const b = leader.body;
    const c = s.charCodeAt(b);
    // The shapes commonLine takes: `<... ` or a lower-case name then `(`.
    let nameEnd = -1;
    if (c === 0x3c /* < */) {
      if (b + 5 > to || !s.startsWith('<... ', b)) return false;
    } else {
      if (!((c >= 0x61 && c <= 0x7a) || c === 0x5f)) return false;
      nameEnd = b + 1;
      while (nameEnd < to && isWordChar(s.charCodeAt(nameEnd))) nameEnd++;
      if (nameEnd >= to || s.charCodeAt(nameEnd) !== 0x28) return false;
    }
    const pid = leader.pid;
    this.countLine();
    const lineNo = ++this.lineNo;
    this.flushHeld();
    this.lastPending = null;
    this.exitFrames = null;
    if (nameEnd < 0) {
      if (this.skipResumed(s, to, pid, b + 5, lineNo)) return true;
      const text = s.slice(from, to);
      this.resumed(text, parseCommonLeader(text) as LeaderResult, lineNo, lineNo);
      return true;
    }
    const name = SKIP_NAMES.slice(s, b, nameEnd);
    if (this.skipped(s, from, to, pid, lineNo, name)) return true;
    const text = s.slice(from, to);
    this.callLine(text, parseCommonLeader(text) as LeaderResult, lineNo, name, nameEnd - from + 1);
    return true;
  }

  /** The rest of a call line on the fast path, from its arguments on (`argsStart`, past the `(`). */
  private callLine(text: string, leader: LeaderResult, lineNo: number, name: string, argsStart: number): void {
    const end = findCallEnd(text, argsStart, text.length);
    if (end === null) this.cut(text, leader, lineNo);
    else this.finishCall(text, leader, lineNo, lineNo, name, argsStart, end, null);
  }

  /** Counts a line fed; every PIN_LINES lines, copies the long-open halves' texts (unpin). */
  private countLine(): void {
    if (++this.fed % PIN_LINES === 0) this.unpin();
  }

  /**
   * Copies the texts of the halves still open that are slices of the input. A slice keeps the
   * whole piece of input it was read from alive (V8 slices share their parent string), so a half
   * open for long would pin it; copying every half at once cost a copy of nearly every
   * `<unfinished ...>` line, though most resume a few lines later. Called every PIN_LINES lines:
   * a half is copied once it has been open that long, at most.
   */
  private unpin(): void {
    for (const p of this.pending.values()) {
      if (!p.pinned) continue;
      p.pinned = false;
      if (p.raw !== undefined) p.raw = detach(p.raw);
      p.argsText = detach(p.argsText);
      p.prefix = detachPrefix(p.prefix);
    }
  }

  /** Reads the arguments and prefix of a half filed unread, now that the call is kept. */
  private materialize(p: Pending): void {
    const raw = p.raw;
    if (raw === undefined) return;
    p.raw = undefined;
    // The line being read now may hold the shared leader and CallEnd objects: read this one apart.
    const leader = parseLeaderApart(raw);
    const argsStart = leader.body + p.name.length + 1;
    const end = findCallEndApart(raw, argsStart, raw.length);
    // The line ends in the marker (skipped() checked), so findCallEnd finds it there.
    const at = end !== null && end.marker === 'unfinished' ? end.at : raw.length - UNFINISHED_TAIL.length + 1;
    p.argsText = raw.slice(argsStart, argsEndAt(raw, argsStart, at));
    p.prefix = leader.prefix;
  }

  private body(text: string, leader: LeaderResult, lineNo: number): void {
    const b = leader.body;
    const c = text.charCodeAt(b);
    switch (c) {
      case 0x3c: // <
        if (text.startsWith('<... ', b)) return this.resumed(text, leader, lineNo, lineNo);
        break;
      case 0x2d: // -
        if (text.startsWith('--- ', b)) return this.signal(text, leader, lineNo);
        break;
      case 0x2b: // +
        if (text.startsWith('+++ ', b)) return this.exit(text, leader, lineNo);
        break;
      case 0x73: // s
        if (text.startsWith('strace: ', b)) return this.straceMessage(text.slice(b), lineNo);
        break;
      case 0x25: // %
        if (isSummaryHeader(text.slice(b))) {
          this.summary = { line: lineNo, rows: [] };
          return;
        }
        break;
      case 0x5b: // [
        if (text.startsWith('[ Process PID=', b)) return this.message(text.slice(b), lineNo, leader.pid);
        break;
      case 0x52: // R
        if (text.startsWith('Requested path ', b)) return this.message(text.slice(b), lineNo, leader.pid);
        break;
      case 0x53: // S
        if (text.startsWith('System call usage summary', b)) return this.message(text.slice(b), lineNo, leader.pid);
        break;
      default:
        break;
    }
    if (isWordChar(c)) return this.call(text, leader, lineNo, lineNo);
    this.diagnostic(text, 'not a strace line', lineNo, leader.pid);
  }

  private message(text: string, lineNo: number, pid: number | null): void {
    this.out.push({ kind: 'message', pid, span: this.span(lineNo), prefix: EMPTY_PREFIX, text });
  }

  /** `strace: Process N attached [with M threads]`, `strace: Process N detached`, other notes. */
  private straceMessage(msg: string, lineNo: number): void {
    const P = 'strace: Process ';
    if (msg.startsWith(P)) {
      let i = P.length;
      let pid = 0;
      const start = i;
      while (isDigit(msg.charCodeAt(i))) pid = pid * 10 + (msg.charCodeAt(i++) - 0x30);
      if (i > start) {
        const rest = msg.slice(i);
        if (rest === ' attached') {
          this.out.push({ kind: 'attached', pid, span: this.span(lineNo), prefix: EMPTY_PREFIX });
          return;
        }
        if (rest === ' detached') {
          this.out.push({ kind: 'detached', pid, span: this.span(lineNo), prefix: EMPTY_PREFIX });
          return;
        }
        if (rest.startsWith(' attached with ') && rest.endsWith(' threads')) {
          const n = Number(rest.slice(15, -8));
          if (Number.isInteger(n)) {
            this.out.push({ kind: 'attached', pid, span: this.span(lineNo), prefix: EMPTY_PREFIX, threads: n });
            return;
          }
        }
      }
    }
    this.message(msg, lineNo, null);
  }

  private attach(text: string, what: 'stack' | 'dump', lineNo: number): void {
    if (what === 'stack' && this.heldSignal !== null) {
      (this.heldSignal.stack ??= []).push(text.slice(FRAME.length));
      return;
    }
    const target = this.held ?? this.lastPending ?? this.exitFrames;
    if (target === null) {
      this.diagnostic(text, what === 'stack' ? 'stack frame with no call above it' : 'hex dump with no call above it', lineNo);
      return;
    }
    const list = (target[what] ??= []);
    list.push(what === 'stack' ? text.slice(FRAME.length) : text);
  }

  /** Reads `name(` at the body and everything after it. */
  private call(text: string, leader: LeaderResult, line: number, endLine: number): void {
    const b = leader.body;
    let i = b;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (isWordChar(c) || c === 0x23 /* # */) i++;
      else break;
    }
    if (text.charCodeAt(i) !== 0x28) {
      if (leader.shadow && text.startsWith('^^^ = ', b)) {
        this.diagnostic(text, 'Shadow ^^^ result with no native call above it', line, leader.pid);
      } else {
        this.diagnostic(text, 'not a strace line', line, leader.pid);
      }
      return;
    }
    const name = NAMES.slice(text, b, i);
    const argsStart = i + 1;
    const end = findCallEnd(text, argsStart, text.length);
    if (end === null) return this.cut(text, leader, line);
    this.finishCall(text, leader, line, endLine, name, argsStart, end, null);
  }

  /**
   * Common tail of a call line and of a resumed line: `end` is where the argument text stops.
   * `pending` is the joined unfinished half for a resumed line.
   */
  private finishCall(
    text: string,
    leader: LeaderResult,
    line: number,
    endLine: number,
    name: string,
    argsStart: number,
    end: CallEnd,
    joined: Pending | null | 'orphan',
  ): void {
    const pid = leader.pid;
    if (leader.shadow) this.shadowSeen = true;
    if (end.marker === null) {
      const r = parseOutcome(text, end.next, text.length, leader.shadow);
      if (typeof r === 'string') {
        this.diagnostic(text, r, endLine, pid);
        if (joined !== null && joined !== 'orphan') this.pending.set(joined.pid, joined);
        return;
      }
      const rec = this.record(leader, line, endLine, name, text.slice(argsStart, end.at), r.outcome, joined);
      if (r.duration !== undefined) rec.duration = r.duration;
      if (r.injection !== undefined) rec.injection = r.injection;
      this.held = rec;
      return;
    }
    // The argument text stops one space before the marker (`exit_group(0 <unfinished ...>`).
    const argsText = text.slice(argsStart, argsEndAt(text, argsStart, end.at));
    const rest = text.slice(end.next);
    if (end.marker === 'unfinished') {
      if (rest === UNFINISHED_VANISHED) {
        // The task died or was superseded while blocked: strace closes the line itself.
        const rec = this.record(leader, line, endLine, name, argsText, { kind: 'unknown' }, joined);
        rec.vanished = true;
        this.held = rec;
        return;
      }
      if (rest.length !== 0) return this.diagnostic(text, 'unexpected text after <unfinished ...>', endLine, pid);
      if (joined !== null) {
        return this.diagnostic(text, 'resumed call is unfinished again without a result', endLine, pid);
      }
      const prev = this.pending.get(pid);
      if (prev !== undefined) {
        this.pending.delete(pid);
        this.materialize(prev);
        this.diagnostic(`${prev.name}(${prev.argsText}`, 'unfinished call replaced by a new call of the same task', prev.line, pid);
        this.emitUnfinished(prev, 'end-of-input');
      }
      this.openHalf(pid, pid, name, argsText, line, endLine, leader.prefix, undefined);
      return;
    }
    if (rest.length !== 0) return this.diagnostic(text, `unexpected text after <${end.marker} ...>`, endLine, pid);
    if (end.marker === 'detached') {
      this.held = this.record(leader, line, endLine, name, argsText, unfinished('detached'), joined);
      return;
    }
    // <pid changed to N ...> (-ff): the call completes in N's file, after its superseded line.
    this.openHalf(end.newPid, pid, name, argsText, line, endLine, leader.prefix, undefined).pidChangedTo = end.newPid;
  }

  private record(
    leader: LeaderResult,
    line: number,
    endLine: number,
    name: string,
    argsText: string,
    outcome: SyscallOutcome,
    joined: Pending | null | 'orphan',
  ): SyscallRecord {
    if (joined === null || joined === 'orphan') {
      return new SyscallRecord(leader.pid, this.span(line, endLine), leader.prefix, name, argsText, outcome, joined === 'orphan');
    }
    const rec = new SyscallRecord(
      joined.pid ?? leader.pid,
      this.span(joined.line, endLine, joined.file),
      joined.prefix,
      name,
      joined.argsText + argsText,
      outcome,
      true,
    );
    rec.splitAt = joined.argsText.length;
    if (leader.pid !== null && joined.pid !== null && leader.pid !== joined.pid) joined.pidChangedTo = leader.pid;
    const endTime: Timestamp | undefined = leader.prefix.time;
    if (endTime !== undefined) rec.endTime = endTime;
    if (joined.stack) rec.stack = joined.stack;
    if (joined.dump) rec.dump = joined.dump;
    if (joined.pidChangedTo !== undefined) rec.pidChangedTo = joined.pidChangedTo;
    return rec;
  }

  /** `<... name resumed>rest`: joins the unfinished half of the same task. */
  private resumed(text: string, leader: LeaderResult, line: number, endLine: number): void {
    const b = leader.body + 5;
    const r = text.indexOf(RESUMED, b);
    if (r < 0) return this.diagnostic(text, 'malformed <... resumed> marker', endLine, leader.pid);
    const name = NAMES.slice(text, b, r);
    let argsStart = r + RESUMED.length;
    // Before strace 5.0 the marker was followed by a space: `<... select resumed> )`.
    if (text.charCodeAt(argsStart) === 0x20 && !text.startsWith(' =>', argsStart) && !text.startsWith(' <unfinished', argsStart)) {
      argsStart++;
    }
    const end = findCallEnd(text, argsStart, text.length);
    if (end === null) return this.cut(text, leader, line);
    const pid = leader.pid;
    const own = this.pending.get(pid);
    if (own !== undefined && own.name === name) {
      // The usual case: the task's own half, filed under its pid.
      this.pending.delete(pid);
      this.materialize(own);
      this.finishCall(text, leader, line, endLine, name, argsStart, end, own);
      return;
    }
    // `[pid N]` disappears from stderr output when one tracee is left: match by name instead.
    // After `+++ superseded by execve +++` the leader resumes the exec'ing thread's execve.
    const execByThread = name === 'execve' && this.superseded.has(pid);
    let found: Pending | undefined;
    let count = 0;
    for (const q of this.pending.values()) {
      // A half printed without a pid (stderr, one tracee alive) belongs to whoever resumes it.
      if (q.name === name && (pid === null || q.pid === null || q.pidChangedTo === pid || execByThread)) {
        found = q;
        count++;
      }
    }
    const p = count === 1 ? found : undefined;
    if (p === undefined) {
      if (!(this.superseded.has(pid) && name === 'execve')) {
        this.diagnostic(text, `<... ${name} resumed> without its unfinished half`, endLine, pid);
      }
      this.finishCall(text, leader, endLine, endLine, name, argsStart, end, 'orphan');
      return;
    }
    for (const [k, v] of this.pending) {
      if (v === p) {
        this.pending.delete(k);
        break;
      }
    }
    this.materialize(p);
    this.finishCall(text, leader, line, endLine, name, argsStart, end, p);
  }

  /** A call line with no closing parenthesis: a stderr message spliced in, or a cut file. */
  private cut(text: string, leader: LeaderResult, line: number): void {
    const m = text.lastIndexOf('strace: ');
    if (m > leader.body) {
      this.open = { leader: { ...leader }, text: text.slice(0, m), line };
      this.straceMessage(text.slice(m), line);
      return;
    }
    const output = tracedOutputAtEnd(text, leader.body);
    if (output !== null) {
      // Without -o, the tracee's own stderr lands inside strace's open `write(2, "…", n` line.
      this.open = { leader: { ...leader }, text: text.slice(0, text.length - output.length), line };
      this.message(output, line, leader.pid);
      return;
    }
    this.diagnostic(text, 'call line without a closing parenthesis or <unfinished ...>', line, leader.pid);
  }

  /** Where the exit-time -k frames of a task's last call go once its `+++ exited +++` line is read. */
  private exitFramesTarget(pid: number | null): SyscallRecord | null {
    const r = this.lastExitCall.get(pid) ?? null;
    this.lastExitCall.delete(pid);
    return r;
  }

  /** Completes a cut line with the next physical line; false if the two do not make a line. */
  private continueOpen(open: OpenLine, next: string, lineNo: number): boolean {
    const text = open.text + next;
    const b = open.leader.body;
    let end: CallEnd | null;
    if (text.startsWith('<... ', b)) {
      const r = text.indexOf(RESUMED, b);
      end = r < 0 ? null : findCallEnd(text, r + RESUMED.length, text.length);
      if (end === null) return false;
      this.resumed(text, open.leader, open.line, lineNo);
      return true;
    }
    const paren = text.indexOf('(', b);
    end = paren < 0 ? null : findCallEnd(text, paren + 1, text.length);
    if (end === null) return false;
    this.call(text, open.leader, open.line, lineNo);
    // call() used open.line for both ends when complete; fix the end line of what it produced.
    if (this.held !== null && this.held.span.line === open.line && this.held.span.endLine === open.line) {
      this.held.span = this.span(open.line, lineNo);
    }
    return true;
  }

  private signal(text: string, leader: LeaderResult, lineNo: number): void {
    const pid = leader.pid;
    const b = leader.body + 4;
    if (!text.endsWith(' ---')) return this.diagnostic(text, 'signal line without closing ---', lineNo, pid);
    const inner = text.slice(b, text.length - 4);
    if (inner.startsWith('stopped by ')) {
      this.out.push({ kind: 'stopped', pid, span: this.span(lineNo), prefix: leader.prefix, signal: inner.slice(11) });
      return;
    }
    const sp = inner.indexOf(' ');
    const signal = sp < 0 ? inner : inner.slice(0, sp);
    const siginfoText = sp < 0 ? '' : inner.slice(sp + 1);
    if (signal.length === 0) return this.diagnostic(text, 'signal line without a signal name', lineNo, pid);
    let siginfo: SignalEvent['siginfo'] = [];
    if (siginfoText.length > 0) {
      const v = parseValue(siginfoText);
      siginfo = v.kind === 'struct' ? v.fields : [{ name: undefined, value: v }];
    }
    this.heldSignal = { kind: 'signal', pid, span: this.span(lineNo), prefix: leader.prefix, signal, siginfo, siginfoText };
  }

  private exit(text: string, leader: LeaderResult, lineNo: number): void {
    const pid = leader.pid;
    if (!text.endsWith(' +++')) return this.diagnostic(text, 'exit line without closing +++', lineNo, pid);
    const inner = text.slice(leader.body + 4, text.length - 4);
    const span = this.span(lineNo);
    const prefix = leader.prefix;
    if (inner.startsWith('exited with ')) {
      const n = inner.slice(12);
      if (/^\d{1,3}$/.test(n)) {
        this.out.push({ kind: 'exited', pid, span, prefix, code: Number(n) });
        this.exitFrames = this.exitFramesTarget(pid);
        return;
      }
    } else if (inner.startsWith('killed by ')) {
      let sig = inner.slice(10);
      const core = sig.endsWith(' (core dumped)');
      if (core) sig = sig.slice(0, -14);
      if (sig.length > 0 && !sig.includes(' ')) {
        this.out.push({ kind: 'killed', pid, span, prefix, signal: sig, coreDumped: core });
        this.exitFrames = this.exitFramesTarget(pid);
        return;
      }
    } else if (inner.startsWith('superseded by execve in pid ')) {
      const n = inner.slice(28);
      if (/^\d{1,10}$/.test(n)) {
        const byPid = Number(n);
        this.supersede(pid, byPid, lineNo);
        this.out.push({ kind: 'superseded', pid, span, prefix, byPid });
        return;
      }
    }
    this.diagnostic(text, 'unknown +++ line', lineNo, pid);
  }

  /** The exec'ing thread's pending execve now resumes under the leader's pid. */
  private supersede(leader: number | null, byPid: number, lineNo: number): void {
    this.superseded.add(leader);
    const own = this.pending.get(leader);
    if (own !== undefined && own.pidChangedTo !== leader) {
      this.pending.delete(leader);
      this.emitUnfinished(own, 'superseded', lineNo);
    }
    const exec = this.pending.get(byPid);
    if (exec !== undefined && leader !== byPid) {
      this.pending.delete(byPid);
      exec.pidChangedTo = leader ?? undefined;
      if (exec.pidChangedTo === undefined) delete exec.pidChangedTo;
      this.pending.set(leader, exec);
    }
  }

  private emitUnfinished(p: Pending, reason: 'end-of-input' | 'superseded' | 'pid-changed', endLine = p.halfEnd): void {
    this.materialize(p);
    const rec = new SyscallRecord(p.pid, this.span(p.line, endLine, p.file), p.prefix, p.name, p.argsText, unfinished(reason), false);
    if (p.stack) rec.stack = p.stack;
    if (p.dump) rec.dump = p.dump;
    if (p.pidChangedTo !== undefined) rec.pidChangedTo = p.pidChangedTo;
    this.out.push(rec);
  }

  /** Shadow's `HH:MM:SS.n [tid N] ^^^ = SyscallReg { as_i64: V, … }` completes a `<native>` call. */
  private shadowResult(text: string, lineNo: number, pidOverride: number | null): boolean {
    const held = this.held as SyscallRecord;
    const leader = parseLeader(text);
    if (leader.pid === null) leader.pid = pidOverride;
    if (!leader.shadow || leader.pid !== held.pid || !text.startsWith('^^^ = ', leader.body)) return false;
    const key = 'as_i64: ';
    const k = text.indexOf(key, leader.body);
    if (k < 0) return false;
    let j = k + key.length;
    const start = j;
    if (text.charCodeAt(j) === 0x2d) j++;
    while (isDigit(text.charCodeAt(j))) j++;
    if (j === start) return false;
    const value = BigInt(text.slice(start, j));
    // Raw register: -4095..-1 is a negated errno, as the kernel returns it.
    held.outcome =
      value < 0n && value >= -4095n
        ? { kind: 'error', value, errno: errnoName(Number(-value)), message: '' }
        : { kind: 'value', text: text.slice(start, j), value };
    held.span = this.span(held.span.line, lineNo, held.span.file);
    this.flushHeld();
    return true;
  }

  private endSummary(total: SummaryRow | null, endLine: number): void {
    const s = this.summary as SummaryState;
    this.summary = null;
    const ev: SummaryEvent = { kind: 'summary', pid: null, span: this.span(s.line, endLine), prefix: EMPTY_PREFIX, rows: s.rows, total };
    this.flushHeld();
    this.out.push(ev);
  }

  /** End of input: everything still open is emitted, nothing is dropped. */
  finish(): void {
    if (this.open !== null) {
      this.diagnostic(this.open.text, 'line cut short at the end of the input', this.open.line, this.open.leader.pid);
      this.open = null;
    }
    if (this.summary !== null) this.endSummary(null, this.lineNo);
    this.flushHeld();
    const left = [...this.pending.values()].sort((a, b) => a.line - b.line);
    this.pending.clear();
    for (const p of left) this.emitUnfinished(p, p.pidChangedTo !== undefined ? 'pid-changed' : 'end-of-input');
  }
}


/**
 * If `text` is `write(fd, "data\n", n` followed by data without its newline, returns that
 * trailing copy of the data (the tracee's output, printed into strace's open line); else null.
 */
function tracedOutputAtEnd(text: string, body: number): string | null {
  if (!text.startsWith('write(', body)) return null;
  const comma = text.indexOf(', "', body);
  if (comma < 0) return null;
  const q = comma + 2;
  const e = skipString(text, q, text.length);
  if (e < 0 || text.startsWith('...', e)) return null;
  const bytes = decodeEscapes(text, q + 1, e - 1);
  if (bytes.length < 2 || bytes[bytes.length - 1] !== 0x0a || bytes.indexOf(0x0a) !== bytes.length - 1) return null;
  const output = new TextDecoder().decode(bytes.subarray(0, bytes.length - 1));
  if (!text.endsWith(output) || text.length - output.length <= e) return null;
  return output;
}

/**
 * A copy of `s` that does not keep the chunk it was sliced from alive: V8 slices share their
 * parent string, so a call left unfinished would otherwise pin a whole 1 MiB chunk. Slicing a
 * concatenation makes V8 flatten it into a fresh string first.
 */
/** Where the argument text before a marker at `at` ends: strace puts one space before the marker. */
function argsEndAt(text: string, argsStart: number, at: number): number {
  return text.charCodeAt(at - 1) === 0x20 && at - 1 >= argsStart ? at - 1 : at;
}

/** Whether the line `s.slice(from, to)` ends in a marker such as `<unfinished ...>` (` ...>`), not in a result or a `-T` time. */
function endsWithMarker(s: string, from: number, to: number): boolean {
  return to - from >= 5 && s.charCodeAt(to - 1) === 0x3e && s.startsWith(' ...>', to - 5);
}

function detach(s: string): string {
  return (s + ' ').slice(0, -1);
}

function detachPrefix(p: Prefix): Prefix {
  if (p.time === undefined && p.comm === undefined) return p;
  const out: { -readonly [K in keyof Prefix]: Prefix[K] } = { ...p };
  if (p.time !== undefined) out.time = new PrintedTimestamp(detach(p.time.text));
  if (p.comm !== undefined) out.comm = detach(p.comm);
  return out;
}
