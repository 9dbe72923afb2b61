// `forkscope run MODEL [--strategy S] [--html OUT]` and `run --list`: a program model on the emulated kernel,
// printed as strace -f -ttt -T text with the virtual clock's timestamps.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { InputError, UsageError, inputErrorOf } from '../io.js';

/** The repository's corpus, beside packages/ (the same depth from src/ and dist/). */
export const DEFAULT_CORPUS = fileURLToPath(new URL('../../../../../corpus', import.meta.url));

/** The corpus a `--corpus` value names, resolved against the working directory. */
export function corpusDir(value: unknown, cwd: string): string {
  return typeof value === 'string' ? resolve(cwd, value) : DEFAULT_CORPUS;
}

/**
 * The shim (models, strategies, the emulated kernel behind them), loaded when a command that
 * needs it runs: every command module is loaded at start-up, and `check -j N`'s main thread
 * should not pay for the shim it never uses.
 */
export type Shim = typeof import('@forkscope/shim');
export const loadShim = (): Promise<Shim> => import('@forkscope/shim');

/** CaseError (a case file that cannot be read or used) as the CLI's input error. */
export function asInputError(e: unknown, shim: Shim): never {
  if (e instanceof shim.CaseError) {
    const colon = e.message.indexOf(': ');
    throw new InputError(colon > 0 ? e.message.slice(0, colon) : 'corpus', colon > 0 ? e.message.slice(colon + 2) : e.message);
  }
  throw e;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run a program model (named by its corpus case) on the emulated kernel, as strace text',
  help: `Usage: forkscope run MODEL [--strategy linux|fork|shared-no-restore] [--corpus DIR] [--html OUT]
       forkscope run --list

Runs the program model of a corpus case (MODEL is the case id, <family>/<case>) on the
emulated kernel and prints the run as strace -f -ttt -T text, with the virtual clock's
timestamps. The strategy says how the shim gets out of an intercepted vfork:
  linux              shared memory, parent suspended; the parent's saved context is kept off
                     the shared stack and restored (what Linux itself guarantees)
  fork               CLONE_VM and CLONE_VFORK ignored: memory copied, parent not suspended
  shared-no-restore  shared memory and suspension, but the parent returns through the frame
                     the shim left on the shared stack
What the shim noticed (a parent resumed on its child's frame…) goes to stderr.

Options:
  --list              the models, one case id per line
  --strategy NAME     linux (default), fork or shared-no-restore
  --corpus DIR        the corpus to read the case from (default: the repository's corpus/)
  --html OUT          also write the run as an HTML timeline to OUT (see forkscope report)
  -h, --help          this help

Exit status: 0, or 2 on a usage error, an unreadable case or an unwritable --html OUT.

Examples:
  forkscope run --list
  forkscope run posix_spawn/exec-enoent
  forkscope run python/run-success --strategy shared-no-restore
  forkscope run posix_spawn/success --html spawn-run.html
`,
  async run(args, ctx) {
    const shim = await loadShim();
    const { MODELS, STRATEGY_NAMES, findModel, isStrategyName, loadCase, runModel } = shim;
    const { values, positionals, help } = parseCommandArgs('run', args, {
      list: { type: 'boolean' },
      strategy: { type: 'string' },
      corpus: { type: 'string' },
      html: { type: 'string' },
    });
    if (help) {
      ctx.io.stdout.write(runCommand.help);
      return 0;
    }
    if (values.list === true) {
      if (positionals.length > 0 || values.strategy !== undefined) throw new UsageError('--list takes no MODEL or --strategy', 'run');
      for (const m of MODELS) ctx.io.stdout.write(`${m.id}\n`);
      return 0;
    }
    const strategy = values.strategy ?? 'linux';
    if (typeof strategy !== 'string' || !isStrategyName(strategy)) {
      throw new UsageError(`--strategy must be one of ${STRATEGY_NAMES.join(', ')}`, 'run');
    }
    const html = values.html;
    if (html !== undefined && (typeof html !== 'string' || html === '')) throw new UsageError('--html needs a file name', 'run');
    const id = positionals[0];
    if (id === undefined || positionals.length !== 1) throw new UsageError('run needs exactly one MODEL (see run --list)', 'run');
    if (!findModel(id)) throw new UsageError(`no model named '${id}' (see run --list)`, 'run');
    let r: ReturnType<typeof runModel>;
    try {
      const { input } = loadCase(corpusDir(values.corpus, ctx.io.cwd), id);
      r = runModel(input, strategy);
    } catch (e) {
      return asInputError(e, shim);
    }
    // The runtime's own strace rendering: the tracer reads it back (parseText) for every
    // comparison, and unlike a re-format of joined events it keeps split calls interleaved.
    ctx.io.stdout.write(r.text);
    for (const n of r.notes) ctx.io.stderr.write(`shim: ${n.text}\n`);
    if (typeof html === 'string') {
      const { renderReport } = await import('../../report/index.js');
      const page = renderReport(r.events, { title: `${id} (emulated, strategy ${strategy})` });
      try {
        await writeFile(resolve(ctx.io.cwd, html), page);
      } catch (err) {
        throw inputErrorOf(html, err) ?? err;
      }
    }
    return 0;
  },
};
