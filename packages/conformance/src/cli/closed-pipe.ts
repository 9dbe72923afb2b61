// A reader that goes away early (`forkscope parse --ndjson x | head`) closes the pipe. Node then
// reports EPIPE as an 'error' event on the stream, which, unhandled, kills the process with a
// stack trace. A C tool would die of SIGPIPE without a word; we do the same minus the dying:
// writes to a closed pipe are dropped, and the command finishes normally.
import type { TerminalStream } from './terminal.js';

/** The part of a Node stream this needs; fakes in tests have no `on` and are left as they are. */
interface Emitting {
  on(event: 'error', listener: (err: unknown) => void): unknown;
}

const closed = new WeakSet<object>();
const watched = new WeakSet<object>();

function isEmitting(stream: object): stream is Emitting {
  return typeof (stream as Partial<Emitting>).on === 'function';
}

/**
 * `stream` with writes dropped once its reader is gone. Other asynchronous write errors are
 * reported once, as one line on `report`.
 */
export function dropWritesWhenClosed(stream: TerminalStream, name: string, report: (line: string) => void): TerminalStream {
  if (!isEmitting(stream)) return stream;
  if (!watched.has(stream)) {
    watched.add(stream);
    stream.on('error', (err: unknown) => {
      const first = !closed.has(stream);
      closed.add(stream);
      const code = (err as { code?: unknown } | null)?.code;
      if (first && code !== 'EPIPE' && code !== 'ERR_STREAM_DESTROYED') {
        report(`forkscope: ${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }
  return {
    write: (text: string) => (closed.has(stream) ? false : stream.write(text)),
    isTTY: stream.isTTY,
    columns: stream.columns,
  };
}
