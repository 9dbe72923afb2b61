// Entry points: text, bytes, streams, files and -ff file sets in; TraceEvents out.
import { createReadStream } from 'node:fs';
import { isAscii } from 'node:buffer';
import { basename } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { durationNs } from './duration.js';
import type { TraceEvent } from './events.js';
import { EMPTY_PREFIX, parseLeader } from './prefix-parse.js';
import { TraceParser, type ParseOptions } from './trace-parser.js';
import { ffLineFacts, type FfLineFacts } from './ff-causality.js';

export type { Dialect, ParseOptions, SkipCall } from './trace-parser.js';

export type ParseInput = string | Uint8Array | AsyncIterable<string | Uint8Array> | NodeJS.ReadableStream;

/**
 * Decodes byte chunks to text. strace escapes every non-ASCII byte, so chunks are nearly always
 * ASCII: those take the ascii path (a copy into a one-byte string, ~20x faster than UTF-8
 * decoding in Node 20, and ~1.7x faster than latin1, which gives the same string for ASCII);
 * others go through a UTF-8 decoder that carries split characters over.
 */
class ChunkDecoder {
  private readonly utf8 = new StringDecoder('utf8');
  private utf8Open = false;

  decode(chunk: Uint8Array): string {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (isAscii(buf)) {
      // An ASCII byte cannot complete a pending multi-byte character: flush it (as U+FFFD).
      const head = this.utf8Open ? this.utf8.end() : '';
      this.utf8Open = false;
      return head + buf.toString('ascii');
    }
    this.utf8Open = true;
    return this.utf8.write(buf);
  }

  end(): string {
    return this.utf8Open ? this.utf8.end() : '';
  }
}

/**
 * How much of a byte chunk is decoded at a time. A 1 MiB string lands in V8's large-object space
 * (fresh pages, faulted in per chunk); 64 KiB pieces stay in the young generation, whose pages are
 * reused. Profiles put the 1 MiB decode at 10-20 % of a scan; the pieces cost about half.
 */
const DECODE_WINDOW = 1 << 16;

/** Splits chunks into lines, keeping the unterminated tail for the next chunk. */
class LineSplitter {
  /** The start of a line begun in an earlier piece. */
  private carry = '';
  /** The current piece (always a flat string: lines are sliced from it, never from a concatenation). */
  private text = '';
  private from = 0;
  /** The byte chunk being decoded piece by piece, and where its next piece starts. */
  private bytes: Uint8Array | null = null;
  private byteFrom = 0;
  private readonly decoder = new ChunkDecoder();
  /** Whether the current piece, or the carried start of a line, holds an ESC (a colour code). */
  private pieceEscapes = false;
  private carryEscapes = false;
  /** False when the line `next()` returned last holds no ESC: the parser need not look for colour codes. */
  escapes = false;

  /** Adds a chunk; its complete lines are then read with `next()`. */
  push(chunk: string | Uint8Array): void {
    if (typeof chunk === 'string') {
      this.advance(chunk);
      return;
    }
    this.bytes = chunk;
    this.byteFrom = 0;
    this.nextPiece();
  }

  /** Makes `piece` the current text; what is left of the previous one is carried over. */
  private advance(piece: string): void {
    const rest = this.text.length > this.from ? this.text.slice(this.from) : '';
    if (rest.length > 0) this.carryEscapes ||= this.pieceEscapes;
    this.carry = this.carry.length > 0 ? this.carry + rest : rest;
    this.text = piece;
    this.from = 0;
    // One search per piece instead of one per line.
    this.pieceEscapes = piece.indexOf('\x1b') >= 0;
  }

  /** Decodes the next piece of the byte chunk; false when it is used up. */
  private nextPiece(): boolean {
    const b = this.bytes;
    if (b === null) return false;
    const to = Math.min(b.length, this.byteFrom + DECODE_WINDOW);
    this.advance(this.decoder.decode(b.subarray(this.byteFrom, to)));
    this.byteFrom = to;
    if (to >= b.length) this.bytes = null;
    return true;
  }

  /**
   * Where the line `nextInPlace()` found lies: `lineText.slice(lineFrom, lineTo)`, read in place
   * in the current piece (no string made for it), or the whole of `lineText` for a line begun in
   * an earlier piece.
   */
  lineText = '';
  lineFrom = 0;
  lineTo = 0;

  /** Finds the next complete line (see lineText); false when the chunk is used up. */
  nextInPlace(): boolean {
    let nl = this.text.indexOf('\n', this.from);
    while (nl < 0) {
      if (!this.nextPiece()) return false;
      nl = this.text.indexOf('\n', this.from);
    }
    this.escapes = this.pieceEscapes;
    if (this.carry.length > 0) {
      const line = this.carry + this.text.slice(this.from, nl);
      this.carry = '';
      this.escapes ||= this.carryEscapes;
      this.carryEscapes = false;
      this.lineText = line;
      this.lineFrom = 0;
      this.lineTo = line.length;
    } else {
      this.lineText = this.text;
      this.lineFrom = this.from;
      this.lineTo = nl;
    }
    this.from = nl + 1;
    return true;
  }

  /** The line `nextInPlace()` found, as a string of its own. */
  get line(): string {
    const t = this.lineText;
    return this.lineFrom === 0 && this.lineTo === t.length ? t : t.slice(this.lineFrom, this.lineTo);
  }

  /** The next complete line (without its newline), or null when the chunk is used up. */
  next(): string | null {
    return this.nextInPlace() ? this.line : null;
  }

  /** At the end of input: the unterminated last line, if any. */
  end(): string | null {
    // next() returned null, so every piece of the last chunk has been decoded.
    const rest = this.carry + this.text.slice(this.from) + this.decoder.end();
    this.escapes = true;
    this.carry = '';
    this.carryEscapes = false;
    this.text = '';
    this.from = 0;
    return rest.length > 0 ? rest : null;
  }
}

/**
 * Feeds the line `lines.nextInPlace()` found. A call the parser's skipCall skips is read in place
 * (skipLineAt), with no string made for the line; every other line is fed as a string.
 */
function feedLine(p: TraceParser, lines: LineSplitter): void {
  if (lines.escapes) {
    p.line(lines.line);
    return;
  }
  if (p.skipping && p.skipLineAt(lines.lineText, lines.lineFrom, lines.lineTo)) return;
  p.lineWithoutEscapes(lines.line);
}

/** Parses a whole text synchronously (tests, small inputs). Same events as `parse`. */
export function parseText(text: string, options: ParseOptions = {}): TraceEvent[] {
  const p = new TraceParser(options);
  const lines = new LineSplitter();
  lines.push(text);
  while (lines.nextInPlace()) feedLine(p, lines);
  const last = lines.end();
  if (last !== null) p.line(last);
  p.finish();
  return p.take();
}

function isAsyncIterable(x: unknown): x is AsyncIterable<string | Uint8Array> {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x;
}

/** How many events `parse()` buffers before handing them out: enough to amortise the chunk
 * reads, few enough that events die young in the garbage collector's nursery. */
const BATCH = 256;

/**
 * The async iterator behind `parseBatches()`: events in arrays of about BATCH, one promise per
 * array. A hand-written object rather than an async generator (fewer promises per step).
 */
class BatchStream implements AsyncIterableIterator<TraceEvent[]> {
  private finished = false;
  private readonly parser: TraceParser;
  private readonly lines = new LineSplitter();
  private readonly source: AsyncIterator<string | Uint8Array>;

  constructor(input: AsyncIterable<string | Uint8Array>, options: ParseOptions) {
    this.parser = new TraceParser(options);
    this.source = input[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<TraceEvent[]> {
    return this;
  }

  async return(): Promise<IteratorResult<TraceEvent[]>> {
    this.finished = true;
    await this.source.return?.();
    return { value: undefined, done: true };
  }

  /** See EventWindow.settledBefore: read after a batch is handed out. */
  get settledBefore(): number {
    return this.finished && !this.parser.ready ? Infinity : this.parser.settledBefore;
  }

  /** Reads lines (and chunks when needed) until a batch is ready or the input ends. */
  async next(): Promise<IteratorResult<TraceEvent[]>> {
    const p = this.parser;
    for (;;) {
      const lines = this.lines;
      while (lines.nextInPlace()) {
        feedLine(p, lines);
        if (p.pendingCount >= BATCH) break;
      }
      if (p.ready && (p.pendingCount >= BATCH || this.finished)) break;
      if (this.finished) return { value: undefined, done: true };
      const r = await this.source.next();
      if (r.done) {
        this.finished = true;
        const last = this.lines.end();
        if (last !== null) p.line(last);
        p.finish();
        if (!p.ready) return { value: undefined, done: true };
        break;
      }
      this.lines.push(r.value);
      if (p.ready && p.pendingCount >= BATCH) break;
    }
    return { value: p.take(), done: false };
  }
}

/** A batch of events and how far the input is settled (see `parseWindows`). */
export interface EventWindow {
  readonly events: TraceEvent[];
  /**
   * Every event in a later window starts on this line or after it (`span.line`); Infinity once
   * the input has ended. Lines before it will see no new event.
   */
  readonly settledBefore: number;
}

class WindowStream implements AsyncIterableIterator<EventWindow> {
  private readonly batches: BatchStream;

  constructor(input: AsyncIterable<string | Uint8Array>, options: ParseOptions) {
    this.batches = new BatchStream(input, options);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<EventWindow> {
    return this;
  }

  async next(): Promise<IteratorResult<EventWindow>> {
    const r = await this.batches.next();
    if (r.done === true) return { value: undefined, done: true };
    return { value: { events: r.value, settledBefore: this.batches.settledBefore }, done: false };
  }

  async return(): Promise<IteratorResult<EventWindow>> {
    await this.batches.return();
    return { value: undefined, done: true };
  }
}

/**
 * The async iterator behind `parse()`: one event per step, served from the current batch, so a
 * step that needs no new batch costs one resolved promise.
 */
class EventStream implements AsyncIterableIterator<TraceEvent> {
  private buffer: TraceEvent[] = [];
  private index = 0;
  private readonly batches: BatchStream;

  constructor(input: AsyncIterable<string | Uint8Array>, options: ParseOptions) {
    this.batches = new BatchStream(input, options);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<TraceEvent> {
    return this;
  }

  next(): Promise<IteratorResult<TraceEvent>> {
    if (this.index < this.buffer.length) {
      return Promise.resolve({ value: this.buffer[this.index++] as TraceEvent, done: false });
    }
    return this.refill();
  }

  async return(): Promise<IteratorResult<TraceEvent>> {
    this.buffer = [];
    this.index = 0;
    await this.batches.return();
    return { value: undefined, done: true };
  }

  private async refill(): Promise<IteratorResult<TraceEvent>> {
    const r = await this.batches.next();
    if (r.done === true) return { value: undefined, done: true };
    this.buffer = r.value;
    this.index = 1;
    return { value: this.buffer[0] as TraceEvent, done: false };
  }
}

function inputIterable(input: ParseInput, caller: string): AsyncIterable<string | Uint8Array> {
  if (typeof input === 'string' || input instanceof Uint8Array) return oneChunk(input);
  if (!isAsyncIterable(input)) {
    throw new TypeError(`${caller}: input must be a string, bytes, an async iterable or a readable stream`);
  }
  return input;
}

/**
 * Parses strace (or Shadow) output from text, bytes, an async iterable of chunks or a Node
 * readable stream. Events are handed out as they complete, in small batches; memory stays flat.
 */
export function parse(input: ParseInput, options: ParseOptions = {}): AsyncIterable<TraceEvent> {
  return new EventStream(inputIterable(input, 'parse'), options);
}

/**
 * The same events as `parse()`, in the same order, handed out as arrays of a few hundred: for
 * consumers that scan millions of events, one `await` per array instead of one per event (a
 * `for await` step costs about as much as scanning a short line). Each array is the caller's.
 */
export function parseBatches(input: ParseInput, options: ParseOptions = {}): AsyncIterable<TraceEvent[]> {
  return new BatchStream(inputIterable(input, 'parseBatches'), options);
}

/**
 * The events of `parseBatches()`, each batch with the line before which the input is settled:
 * events come out when their last line is read, so a call left `<unfinished ...>` comes out
 * after the events of the lines printed while it was blocked. A consumer that needs events in
 * order of their first line (a replay) can order everything before `settledBefore` and act on
 * it, holding back only the few events around calls still open, instead of the whole capture.
 */
export function parseWindows(input: ParseInput, options: ParseOptions = {}): AsyncIterable<EventWindow> {
  return new WindowStream(inputIterable(input, 'parseWindows'), options);
}

async function* oneChunk(chunk: string | Uint8Array): AsyncIterable<string | Uint8Array> {
  yield chunk;
}

/** Streams a capture file in 1 MiB chunks; spans carry the file name. */
export function parseFile(path: string, options: ParseOptions = {}): AsyncIterable<TraceEvent> {
  return parse(createReadStream(path, { highWaterMark: 1 << 20 }), { ...options, file: options.file ?? path });
}

/** The pid in a -ff file name `prefix.<pid>`, or null. */
export function pidOfFfName(path: string): number | null {
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  if (dot < 0 || dot === name.length - 1) return null;
  const digits = name.slice(dot + 1);
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return null;
  }
  return Number(digits);
}

/** The -T duration at the end of a line (`… = 0 <0.000123>`) in nanoseconds, or null when it has none. */
function durationOrNull(line: string): bigint | null {
  if (line.charCodeAt(line.length - 1) !== 0x3e) return null;
  const open = line.lastIndexOf(' <');
  return open < 0 ? null : durationNs(line.slice(open + 2, line.length - 1));
}

/** What the merge needs of a file's next line, worked out once per line. */
interface FfHead {
  /** No stamp (-t/-tt/-ttt) on the line. */
  readonly unstamped: boolean;
  /** When the call returned: stamp + -T duration, in ns (0 when unstamped). */
  readonly key: bigint;
  /** The stamp: when the call was entered, in ns (0 when unstamped). */
  readonly entry: bigint;
  /** The line has a -T duration, so `key` is meant as its return time. */
  readonly timedReturn: boolean;
  readonly facts: FfLineFacts;
}

/** One -ff file read line by line, with what the merge needs of its next line. */
class FfSource {
  private readonly buffered: string[] = [];
  private head = 0;
  private done = false;
  private readonly iter: AsyncIterator<string | Buffer>;
  private readonly lines = new LineSplitter();
  private headInfo: FfHead | null = null;
  lineNo = 0;
  /** A line of this file was merged already (its process is known to exist). */
  started = false;
  /** Its `+++ exited`/`+++ killed` line was merged, or the file ended: a wait may report it. */
  gone = false;

  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    this.iter = createReadStream(path, { highWaterMark: 1 << 20 })[Symbol.asyncIterator]();
  }

  /** The next line without consuming it; null at the end. */
  async peek(): Promise<string | null> {
    while (this.head >= this.buffered.length) {
      if (this.done) return null;
      this.buffered.length = 0;
      this.head = 0;
      const r = await this.iter.next();
      if (r.done) {
        this.done = true;
        const last = this.lines.end();
        if (last !== null) this.buffered.push(last);
      } else {
        this.lines.push(r.value);
        for (let l = this.lines.next(); l !== null; l = this.lines.next()) this.buffered.push(l);
      }
    }
    return this.buffered[this.head] as string;
  }

  /** The merge facts of the line `peek()` returned. */
  headOf(line: string): FfHead {
    if (this.headInfo === null) {
      const leader = parseLeader(line);
      const entry = leader.prefix.time?.ns;
      const body = leader.body;
      // A -ff file prints a blocking call as one line stamped at its entry; with -T, entry plus
      // duration is when it returned, which is where a -f capture would have put its result.
      const duration = durationOrNull(line);
      this.headInfo = {
        unstamped: entry === undefined,
        key: entry === undefined ? 0n : entry + (duration ?? 0n),
        entry: entry ?? 0n,
        timedReturn: duration !== null,
        facts: ffLineFacts(line, body),
      };
    }
    return this.headInfo;
  }

  take(): string {
    this.lineNo++;
    if (this.headInfo?.facts.exits === true) this.gone = true;
    this.headInfo = null;
    this.started = true;
    return this.buffered[this.head++] as string;
  }
}

/**
 * Merges several `-ff` files (`name.<pid>`) into one run. The pid of each line comes from the
 * file name. Lines are interleaved by the time their call returned — the stamp (-t/-tt/-ttt)
 * plus the -T duration when printed — as a -f capture orders results; lines without a stamp
 * (stack frames, dumps) stay with the line above them. Without timestamps the files are read one after
 * the other, and one diagnostic says that the order across files is unknown.
 *
 * Where microsecond stamps and rounded durations cannot decide, causality does (ff-causality.ts):
 * a wait placed at its return time (-T) that reported child C's exit is held until C's file has
 * merged its `+++ exited/killed` line (or ended); C's first line is placed no earlier than the
 * entry stamp of the clone/fork/vfork that returned C, when that call heads its file. Only file
 * heads are looked at (one line of look-ahead per file); lines of one file keep their order; if
 * every head is held (input no kernel could produce) the earliest is taken anyway.
 *
 * Span line numbers are those of each line in its own file; `span.file` names the file.
 */
export async function* parseFiles(paths: readonly string[], options: ParseOptions = {}): AsyncIterable<TraceEvent> {
  const sources: FfSource[] = [];
  const byPid = new Map<number, FfSource>();
  for (const path of paths) {
    const pid = pidOfFfName(path);
    if (pid === null) throw new Error(`${path}: not a -ff file name (expected <name>.<pid>)`);
    const src = new FfSource(path, pid);
    sources.push(src);
    byPid.set(pid, src);
  }
  // One parser for all files, so that a call can join across them (<pid changed to N ...>);
  // each line is fed with its own file name and line number.
  const parser = new TraceParser(options);
  let timed: boolean | null = null;
  const live = [...sources];
  const heads: FfHead[] = [];
  while (live.length > 0) {
    let best = -1;
    heads.length = 0;
    for (let i = 0; i < live.length; i++) {
      const src = live[i] as FfSource;
      const line = await src.peek();
      if (line === null) {
        src.gone = true;
        live.splice(i, 1);
        i--;
        continue;
      }
      const h = src.headOf(line);
      heads.push(h);
      if (timed === null) timed = !h.unstamped;
      // Untimed files go one after another; a line without a stamp (frame, dump) is taken at
      // once: it belongs to the line above.
      if (!timed || h.unstamped) {
        best = i;
        break;
      }
    }
    if (best < 0) best = pickTimed(live, heads, byPid);
    if (best < 0) break;
    const src = live[best] as FfSource;
    const text = src.take();
    parser.lineAt(text, src.lineNo, src.path, src.pid);
    yield* parser.take();
  }
  parser.finish();
  const rest = parser.take();
  if (timed === false && sources.length > 1) {
    rest.unshift({
      kind: 'diagnostic',
      pid: null,
      span: { file: (sources[1] as FfSource).path, line: 1, endLine: 1 },
      prefix: EMPTY_PREFIX,
      text: '',
      reason: 'files have no timestamps: the order of events across files is unknown (files read one after another)',
    });
  }
  yield* rest;
}

/**
 * The live file whose head goes next: the earliest (causal) time among heads that may go; if
 * none may go, the earliest of all. -1 when there are no heads.
 */
function pickTimed(live: readonly FfSource[], heads: readonly FfHead[], byPid: ReadonlyMap<number, FfSource>): number {
  let best = -1;
  let bestNs = 0n;
  let any = -1;
  let anyNs = 0n;
  for (let i = 0; i < live.length; i++) {
    const src = live[i] as FfSource;
    const h = heads[i] as FfHead;
    if (any < 0 || h.key < anyNs) {
      any = i;
      anyNs = h.key;
    }
    if (waitsForExit(h, src, byPid)) continue;
    const key = src.started ? h.key : notBeforeCreation(h.key, src.pid, live, heads);
    if (best < 0 || key < bestNs) {
      best = i;
      bestNs = key;
    }
  }
  return best >= 0 ? best : any;
}

/**
 * A wait placed at its return time (-T) that reported child C's exit, while C's file has not yet
 * merged its exit: the return time is rounded, but the kernel let the wait see C only after
 * strace saw C exit. Without -T the line stands at its entry stamp, where timing does decide.
 */
function waitsForExit(h: FfHead, src: FfSource, byPid: ReadonlyMap<number, FfSource>): boolean {
  const reaps = h.facts.reaps;
  if (reaps === null || reaps === src.pid || !h.timedReturn) return false;
  const child = byPid.get(reaps);
  return child !== undefined && !child.gone;
}

/** A new process's first line cannot precede the entry of the clone/fork/vfork (a file head) that made it. */
function notBeforeCreation(key: bigint, pid: number, live: readonly FfSource[], heads: readonly FfHead[]): bigint {
  let k = key;
  for (let j = 0; j < live.length; j++) {
    const h = heads[j];
    if (h !== undefined && h.facts.creates === pid && live[j]?.pid !== pid && h.entry > k) k = h.entry;
  }
  return k;
}
