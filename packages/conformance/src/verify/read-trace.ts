// Reading a trace given on the command line in either dialect: strace captures (one file or
// -ff files) through the CLI's capture reader, Shadow logs through the Shadow reader. The
// dialect is taken from the first line unless the user chose one.
import { open } from 'node:fs/promises';
import type { TraceEvent } from '@forkscope/tracer';
import { inputErrorOf } from '../cli/io.js';
import { checkReadable, diagnosticLines, readCapture, resolvePath, type Dialect } from '../cli/read-capture.js';
import { isShadowLine, readShadowFiles } from './shadow-log.js';
import type { TraceDialect } from './verify-trace.js';

export interface Trace {
  readonly events: TraceEvent[];
  readonly dialect: TraceDialect;
  /** Lines not understood and problems with the files, as `FILE:LINE: why`. */
  readonly problems: readonly string[];
}

export async function readTrace(cwd: string, shown: readonly string[], dialect: Dialect): Promise<Trace> {
  const paths = shown.map((p) => resolvePath(cwd, p));
  for (let i = 0; i < paths.length; i++) await checkReadable(shown[i] as string, paths[i] as string);
  const chosen = dialect !== 'auto' ? dialect : (await firstLineIsShadow(paths[0] as string, shown[0] as string)) ? 'shadow' : 'strace';
  if (chosen === 'strace') {
    const capture = await readCapture(cwd, shown, 'strace');
    return { events: capture.events, dialect: { kind: 'strace' }, problems: diagnosticLines(capture) };
  }
  const log = await readShadowFiles(paths, shown).catch((err: unknown) => {
    throw inputErrorOf(shown.join(', '), err) ?? err;
  });
  const problems = [...log.problems];
  for (const ev of log.events) if (ev.kind === 'diagnostic') problems.push(`${ev.span.file ?? shown[0]}:${ev.span.line}: ${ev.reason}`);
  return { events: log.events, dialect: { kind: 'shadow', mode: log.mode }, problems };
}

async function firstLineIsShadow(path: string, shown: string): Promise<boolean> {
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(512);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      const text = buf.subarray(0, bytesRead).toString('latin1');
      const nl = text.indexOf('\n');
      return isShadowLine(nl < 0 ? text : text.slice(0, nl));
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw inputErrorOf(shown, err) ?? err;
  }
}
