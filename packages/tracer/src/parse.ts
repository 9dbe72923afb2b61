// Entry points: text, bytes, streams, files and -ff file sets in; TraceEvents out.
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { TraceEvent } from './events.js';
import { EMPTY_PREFIX, parseLeader } from './prefix-parse.js';
import { TraceParser, type ParseOptions } from './trace-parser.js';

export type { Dialect, ParseOptions } from './trace-parser.js';

export type ParseInput = string | Uint8Array | AsyncIterable<string | Uint8Array> | NodeJS.ReadableStream;

/** Splits text into lines, keeping the unterminated tail for the next chunk. */
class LineSplitter {
  private carry = '';
  private readonly decoder = new StringDecoder('utf8');

  /** Calls `each` for every complete line in `chunk`. */
  push(chunk: string | Uint8Array, each: (line: string) => void): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk as Buffer);
    let from = 0;
    let nl = text.indexOf('\n');
    if (nl < 0) {
      this.carry += text;
      return;
    }
    if (this.carry.length > 0) {
      each(this.carry + text.slice(0, nl));
      this.carry = '';
      from = nl + 1;
      nl = text.indexOf('\n', from);
    }
    while (nl >= 0) {
      each(text.slice(from, nl));
      from = nl + 1;
      nl = text.indexOf('\n', from);
    }
    this.carry = text.slice(from);
  }

  end(each: (line: string) => void): void {
    const rest = this.carry + this.decoder.end();
    this.carry = '';
    if (rest.length > 0) each(rest);
  }
}

/** Parses a whole text synchronously (tests, small inputs). Same events as `parse`. */
export function parseText(text: string, options: ParseOptions = {}): TraceEvent[] {
  const p = new TraceParser(options);
  const lines = new LineSplitter();
  const each = (l: string): void => p.line(l);
  lines.push(text, each);
  lines.end(each);
  p.finish();
  return p.take();
}

function isAsyncIterable(x: unknown): x is AsyncIterable<string | Uint8Array> {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x;
}

/**
 * Parses strace (or Shadow) output from text, bytes, an async iterable of chunks or a Node
 * readable stream. Events are yielded as soon as they complete; memory stays flat.
 */
export async function* parse(input: ParseInput, options: ParseOptions = {}): AsyncIterable<TraceEvent> {
  if (typeof input === 'string') {
    yield* parseText(input, options);
    return;
  }
  const p = new TraceParser(options);
  const lines = new LineSplitter();
  const each = (l: string): void => p.line(l);
  if (input instanceof Uint8Array) {
    lines.push(input, each);
  } else if (isAsyncIterable(input)) {
    for await (const chunk of input) {
      lines.push(chunk, each);
      const out = p.take();
      for (let i = 0; i < out.length; i++) yield out[i] as TraceEvent;
    }
  } else {
    throw new TypeError('parse: input must be a string, bytes, an async iterable or a readable stream');
  }
  lines.end(each);
  p.finish();
  yield* p.take();
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

/** One -ff file read line by line, with the timestamp of its next line for merging. */
class FfSource {
  private readonly buffered: string[] = [];
  private head = 0;
  private done = false;
  private readonly iter: AsyncIterator<string | Buffer>;
  private readonly lines = new LineSplitter();
  lineNo = 0;

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
        this.lines.end((l) => this.buffered.push(l));
      } else {
        this.lines.push(r.value, (l) => this.buffered.push(l));
      }
    }
    return this.buffered[this.head] as string;
  }

  take(): string {
    this.lineNo++;
    return this.buffered[this.head++] as string;
  }
}

/**
 * Merges several `-ff` files (`name.<pid>`) into one run. The pid of each line comes from the
 * file name. Lines are interleaved by their timestamps (-t/-tt/-ttt); lines without one (stack
 * frames, dumps) stay with the line above them. Without timestamps the files are read one after
 * the other, and one diagnostic says that the order across files is unknown.
 *
 * Span line numbers are those of each line in its own file; `span.file` names the file.
 */
export async function* parseFiles(paths: readonly string[], options: ParseOptions = {}): AsyncIterable<TraceEvent> {
  const sources: FfSource[] = [];
  for (const path of paths) {
    const pid = pidOfFfName(path);
    if (pid === null) throw new Error(`${path}: not a -ff file name (expected <name>.<pid>)`);
    sources.push(new FfSource(path, pid));
  }
  // One parser for all files, so that a call can join across them (<pid changed to N ...>);
  // each line is fed with its own file name and line number.
  const parser = new TraceParser(options);
  let timed: boolean | null = null;
  const live = [...sources];
  while (live.length > 0) {
    let best = -1;
    let bestNs = 0n;
    for (let i = 0; i < live.length; i++) {
      const src = live[i] as FfSource;
      const line = await src.peek();
      if (line === null) {
        live.splice(i, 1);
        i--;
        continue;
      }
      const t = parseLeader(line).prefix.time;
      if (timed === null) timed = t !== undefined;
      if (!timed) {
        best = i;
        break;
      }
      // A line without a stamp (frame, dump) is taken at once: it belongs to the line above.
      if (t === undefined) {
        best = i;
        break;
      }
      if (best < 0 || t.ns < bestNs) {
        best = i;
        bestNs = t.ns;
      }
    }
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
