// `forkscope run MODEL [--strategy S]` and `run --list`: a program model on the emulated kernel,
// printed as strace -f -ttt -T text with the virtual clock's timestamps.
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { CaseError, findModel, isStrategyName, loadCase, MODELS, runModel, STRATEGY_NAMES, type StrategyName } from '@forkscope/shim';
import type { Command } from '../command.js';
import { InputError, UsageError } from '../io.js';

/** The repository's corpus, beside packages/ (the same depth from src/ and dist/). */
export const DEFAULT_CORPUS = fileURLToPath(new URL('../../../../../corpus', import.meta.url));

/** Takes `--corpus DIR` out of the arguments. */
export function corpusOption(args: readonly string[], cwd: string, command: string): { corpus: string; rest: string[] } {
  const rest: string[] = [];
  let corpus = DEFAULT_CORPUS;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--corpus') {
      const v = args[++i];
      if (v === undefined) throw new UsageError('--corpus needs a directory', command);
      corpus = resolve(cwd, v);
    } else if (a.startsWith('--corpus=')) {
      corpus = resolve(cwd, a.slice('--corpus='.length));
    } else {
      rest.push(a);
    }
  }
  return { corpus, rest };
}

/** CaseError (a case file that cannot be read or used) as the CLI's input error. */
export function asInputError(e: unknown): never {
  if (e instanceof CaseError) {
    const colon = e.message.indexOf(': ');
    throw new InputError(colon > 0 ? e.message.slice(0, colon) : 'corpus', colon > 0 ? e.message.slice(colon + 2) : e.message);
  }
  throw e;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run a program model (named by its corpus case) on the emulated kernel, as strace text',
  help: `usage: forkscope run MODEL [--strategy ${STRATEGY_NAMES.join('|')}] [--corpus DIR]
       forkscope run --list

Runs the model of a corpus case (MODEL is its id, <family>/<case>) on the emulated kernel and
prints the run as strace -f -ttt -T text. Strategies (how the shim gets out of a vfork):
  linux              shared memory, parent suspended, parent context kept off the shared stack
  fork               CLONE_VM and CLONE_VFORK ignored (Shadow today)
  shared-no-restore  shared memory and suspension; the parent returns through its stack frame
What the shim noticed (a parent resumed on its child's frame…) is printed on stderr.
Exit status: 0, or 2 for a usage error or an unreadable case.
`,
  async run(args, ctx) {
    const { corpus, rest } = corpusOption(args, ctx.io.cwd, 'run');
    if (rest.includes('--help')) {
      ctx.io.stdout.write(runCommand.help);
      return 0;
    }
    if (rest.includes('--list')) {
      if (rest.length !== 1) throw new UsageError('--list takes no other argument', 'run');
      for (const m of MODELS) ctx.io.stdout.write(`${m.id}\n`);
      return 0;
    }
    let strategy: StrategyName = 'linux';
    const positionals: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i] ?? '';
      const value = a === '--strategy' ? rest[++i] : a.startsWith('--strategy=') ? a.slice('--strategy='.length) : null;
      if (value !== null) {
        if (value === undefined || !isStrategyName(value)) {
          throw new UsageError(`--strategy must be one of ${STRATEGY_NAMES.join(', ')}`, 'run');
        }
        strategy = value;
      } else if (a.startsWith('-')) {
        throw new UsageError(`unknown option '${a}'`, 'run');
      } else {
        positionals.push(a);
      }
    }
    const id = positionals[0];
    if (id === undefined || positionals.length !== 1) throw new UsageError('run needs exactly one MODEL (see run --list)', 'run');
    if (!findModel(id)) throw new UsageError(`no model named '${id}' (see run --list)`, 'run');
    try {
      const { input } = loadCase(corpus, id);
      const r = runModel(input, strategy);
      // The runtime's own strace rendering: the tracer reads it back (parseText) for every
      // comparison, and unlike a re-format of joined events it keeps split calls interleaved.
      ctx.io.stdout.write(r.text);
      for (const n of r.notes) ctx.io.stderr.write(`shim: ${n.text}\n`);
      return 0;
    } catch (e) {
      return asInputError(e);
    }
  },
};
