// `forkscope normalize FILE` prints a capture's language-neutral expectation;
// `forkscope normalize --write DIR` writes expected.json beside every DIR/**/capture.strace.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { canonicalJson, normalize } from '@forkscope/tracer';
import { parseCommandArgs } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { InputError, UsageError, inputErrorOf } from '../io.js';
import { createProgress } from '../progress.js';
import { diagnosticLines, readCapture, resolvePath } from '../read-capture.js';
import { terminalOf } from '../terminal.js';

/** The capture file name a corpus case directory holds, and the expectation written beside it. */
export const CAPTURE_NAME = 'capture.strace';
export const EXPECTED_NAME = 'expected.json';

export const normalizeCommand: Command = {
  name: 'normalize',
  summary: "a capture's language-neutral expectation as JSON (or write expected.json for a corpus)",
  help: `Usage: forkscope normalize FILE...
       forkscope normalize --write DIR

Prints the capture's process behaviour in a form that is the same for every re-capture
of the same program: tasks renumbered by creation (root 1, then depth first in each
task's creation order), per task its clone/exec/exit/wait/kill calls and its end,
signals delivered, and the cross-task orderings Linux guarantees (a vfork parent resumes
after the child's exec or exit; a wait returns after the child's exit). No raw pids,
addresses or times. The shape is described by corpus/schema/expected.schema.json.
Several files given together are the -ff files of one run (name.<pid>).

Options:
  --write DIR         write ${EXPECTED_NAME} beside every ${CAPTURE_NAME} under DIR, one line each
                      (with --quiet only the files written, not those unchanged)
  -h, --help          this help

Exit status: 0, or 2 on a usage or I/O error. Lines the parser did not understand are
reported on stderr as FILE:LINE: why (the expectation then covers the rest).

Examples:
  forkscope normalize corpus/posix_spawn/success/capture.strace
  forkscope normalize --write corpus/
`,
  async run(args: readonly string[], ctx: CommandContext): Promise<number> {
    const { values, positionals, help } = parseCommandArgs('normalize', args, { write: { type: 'string' } });
    if (help) {
      ctx.io.stdout.write(normalizeCommand.help);
      return 0;
    }
    if (typeof values.write === 'string') {
      if (positionals.length > 0) throw new UsageError('normalize --write DIR takes no FILE', 'normalize');
      return writeAll(values.write, ctx);
    }
    if (positionals.length === 0) throw new UsageError('normalize needs a FILE (or --write DIR)', 'normalize');
    const capture = await readCapture(ctx.io.cwd, positionals);
    ctx.io.stdout.write(canonicalJson(normalize(capture.events)));
    for (const d of diagnosticLines(capture)) ctx.io.stderr.write(d + '\n');
    return 0;
  },
};

async function writeAll(dir: string, ctx: CommandContext): Promise<number> {
  const root = resolvePath(ctx.io.cwd, dir);
  const captures = await findCaptures(dir, root);
  if (captures.length === 0) throw new InputError(dir, `no ${CAPTURE_NAME} found under it`);
  const { quiet, out, err } = terminalOf(ctx.io);
  const progress = createProgress(ctx.io, captures.length, 'normalize');
  // A line on the bar's terminal erases the bar first (the next tick redraws it); stdout
  // redirected elsewhere leaves the bar alone.
  const say = (stream: 'stdout' | 'stderr', line: string): void => {
    if (stream === 'stderr' || ctx.io.isTTY) progress.clear();
    ctx.io[stream].write(line + '\n');
  };
  try {
    for (const path of captures) {
      const shown = relative(ctx.io.cwd, path) || path;
      const capture = await readCapture(ctx.io.cwd, [path]);
      const text = canonicalJson(normalize(capture.events));
      const target = join(path, '..', EXPECTED_NAME);
      const old = await readFile(target, 'utf8').catch(() => null);
      if (old === text) {
        if (!quiet) say('stdout', `${out.verdict('unchanged')} ${relative(ctx.io.cwd, target)}`);
      } else {
        await writeFile(target, text).catch((e: unknown) => {
          throw inputErrorOf(relative(ctx.io.cwd, target), e) ?? e;
        });
        say('stdout', `${out.verdict('wrote')} ${relative(ctx.io.cwd, target)}`);
      }
      for (const d of diagnosticLines(capture)) say('stderr', err.paint('warn', d.replace(path, shown)));
      progress.tick();
    }
  } finally {
    progress.done();
  }
  return 0;
}

/** Every capture file under `root` (depth-limited, symlinks not followed), sorted. */
async function findCaptures(shown: string, root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (err) {
      throw inputErrorOf(d === root ? shown : d, err) ?? err;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory() && depth < 6) await walk(p, depth + 1);
      else if (e.isFile() && e.name === CAPTURE_NAME) found.push(p);
    }
  };
  await walk(root, 0);
  return found.sort();
}
