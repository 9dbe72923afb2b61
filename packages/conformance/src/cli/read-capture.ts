// Reading captures for commands: paths resolved against the CLI's cwd, fs errors turned into
// `forkscope: FILE: why`, and several -ff files read as one run.
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { parseFile, parseFiles, pidOfFfName, type TraceEvent } from '@forkscope/tracer';
import { InputError, inputErrorOf } from './io.js';

export type Dialect = 'auto' | 'strace' | 'shadow';

export function resolvePath(cwd: string, file: string): string {
  return isAbsolute(file) ? file : resolve(cwd, file);
}

/** Fails with an InputError unless `path` is a readable regular file. */
export async function checkReadable(shown: string, path: string): Promise<void> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new InputError(shown, 'is a directory');
  } catch (err) {
    throw inputErrorOf(shown, err) ?? err;
  }
}

export interface Capture {
  readonly events: TraceEvent[];
  /** The name to show for a span's file (the path as the user typed it). */
  readonly nameOf: (spanFile: string | undefined) => string;
}

/**
 * All events of the given capture files, in recorded order. Several files are one `-ff` run
 * (names `<name>.<pid>`), merged by the tracer.
 */
export async function readCapture(cwd: string, shown: readonly string[], dialect: Dialect = 'auto'): Promise<Capture> {
  const paths = shown.map((f) => resolvePath(cwd, f));
  const names = new Map<string, string>();
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i] as string;
    const name = shown[i] as string;
    names.set(path, name);
    await checkReadable(name, path);
    if (paths.length > 1 && pidOfFfName(path) === null) {
      throw new InputError(name, 'several files are read as one -ff run, so each name must end in .<pid>');
    }
  }
  const events: TraceEvent[] = [];
  const source = paths.length === 1 ? parseFile(paths[0] as string, { dialect }) : parseFiles(paths, { dialect });
  try {
    for await (const ev of source) events.push(ev);
  } catch (err) {
    throw inputErrorOf(shown.join(', '), err) ?? err;
  }
  const fallback = shown[0] ?? '-';
  return { events, nameOf: (f) => (f === undefined ? fallback : (names.get(f) ?? f)) };
}

/** `file:line: reason` for each diagnostic event. */
export function diagnosticLines(capture: Capture): string[] {
  const out: string[] = [];
  for (const ev of capture.events) if (ev.kind === 'diagnostic') out.push(`${capture.nameOf(ev.span.file)}:${ev.span.line}: ${ev.reason}`);
  return out;
}
