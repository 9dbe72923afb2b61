// A capture file to events without ever holding its text as one string: the
// bytes go to the tracer's streaming parser a chunk at a time, and its windows
// of events to the caller (which may keep them or not). A regular file
// is read synchronously (from the page cache a read takes microseconds, while
// an asynchronous one waits for a thread-pool turn; on a corpus of small files
// those waits were a third of the wall time); anything else (a pipe, a
// terminal) is streamed.
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { parseWindows } from '@forkscope/tracer';
import type { EventWindow, SkipCall, TraceEvent } from '@forkscope/tracer';
import { ioMessage } from './discover.js';

export type CaptureRead =
  | { readonly kind: 'events'; readonly events: TraceEvent[] }
  /** The file could not be opened or read (the message says why, without the path). */
  | { readonly kind: 'io-error'; readonly message: string }
  /** The parser threw: a bug in it, reported as such. */
  | { readonly kind: 'parse-error'; readonly message: string };

/** Largest chunk read at once: enough to amortise a read, small enough to stay out of the way of memory. */
const MAX_CHUNK = 1 << 20;
const MIN_CHUNK = 1 << 16;

export async function readCapture(file: string): Promise<CaptureRead> {
  const events: TraceEvent[] = [];
  const r = await readWindows(file, () => (w) => {
    for (const e of w.events) events.push(e);
  });
  return r.kind === 'done' ? { kind: 'events', events } : r;
}

export type WindowsRead =
  /**
   * `version`: a regular file's size and modification time when it was opened, or "changed" when
   * they were different by the time it was read to its end (a file still being written); null
   * for a pipe or a terminal. Two readings of one version read the same text.
   */
  | { readonly kind: 'done'; readonly version: string | null }
  | Exclude<CaptureRead, { kind: 'events' }>;

/** What a reading asks the parser beyond the file: calls it may skip (see the tracer's ParseOptions.skipCall). */
export interface ReadOptions {
  readonly skipCall?: SkipCall;
}

/**
 * Streams a capture file's windows of events (the tracer's parseWindows) to a visitor; nothing
 * is kept here. `visitorFor` picks it once the input is open, knowing whether it is a regular
 * file (one that can be read again; a pipe or a terminal cannot, nor be reopened safely).
 */
export async function readWindows(
  file: string,
  visitorFor: (regular: boolean) => (w: EventWindow) => void,
  options: ReadOptions = {},
): Promise<WindowsRead> {
  let fd: number;
  let regular: boolean;
  let size: number;
  let version: string | null = null;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    return { kind: 'io-error', message: ioMessage(err) };
  }
  try {
    const st = fstatSync(fd);
    regular = st.isFile();
    size = st.size;
    if (regular) version = versionOf(st);
    if (st.isDirectory()) {
      closeSync(fd);
      return { kind: 'io-error', message: ioMessage({ code: 'EISDIR' }) };
    }
  } catch (err) {
    closeSync(fd);
    return { kind: 'io-error', message: ioMessage(err) };
  }
  const visit = visitorFor(regular);
  // An I/O error ends the input early; it is reported instead of whatever was parsed.
  let ioError: unknown;
  let open = true;
  const close = (): void => {
    if (open) closeSync(fd);
    open = false;
  };
  async function* fromFile(): AsyncGenerator<Uint8Array> {
    const chunk = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, size + 1));
    // Two buffers, used in turn: a fresh 1 MiB buffer per chunk cost more CPU than the reads
    // themselves (fresh pages faulted in, then touched again by the decoder; 55 MB read in ~190 ms
    // of CPU against ~40 ms reusing one). The parser keeps no more than the last chunk it was
    // given (it decodes it in pieces, all before it asks for the next), so the one before it is free.
    let buf = Buffer.allocUnsafe(chunk);
    let other = Buffer.allocUnsafe(chunk);
    try {
      for (;;) {
        [buf, other] = [other, buf];
        const n = readSync(fd, buf, 0, chunk, null);
        if (n === 0) {
          if (versionOf(fstatSync(fd)) !== version) version = 'changed';
          return;
        }
        yield n === chunk ? buf : buf.subarray(0, n);
      }
    } catch (err) {
      ioError = err;
    } finally {
      close();
    }
  }
  // The stream owns the fd from here (it closes it at its end, or when destroyed).
  const stream = regular ? null : createReadStream('', { fd, highWaterMark: MAX_CHUNK });
  if (stream !== null) open = false;
  async function* fromStream(): AsyncGenerator<Uint8Array> {
    try {
      for await (const c of stream ?? []) yield c as Buffer;
    } catch (err) {
      ioError = err;
    }
  }
  try {
    const parseOptions = options.skipCall !== undefined ? { file, skipCall: options.skipCall } : { file };
    for await (const w of parseWindows(regular ? fromFile() : fromStream(), parseOptions)) visit(w);
  } catch (err) {
    if (ioError === undefined) return { kind: 'parse-error', message: err instanceof Error ? err.message : String(err) };
  } finally {
    // Left open only when the parser (or the visitor) threw mid-file.
    close();
    stream?.destroy();
  }
  if (ioError !== undefined) return { kind: 'io-error', message: ioMessage(ioError) };
  return { kind: 'done', version };
}

function versionOf(st: { readonly size: number; readonly mtimeMs: number }): string {
  return `${st.size} bytes, modified ${st.mtimeMs}`;
}
