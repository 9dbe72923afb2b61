// `forkscope matrix [--json|--markdown]`: every modelled corpus case under every strategy, each
// cell a match or the first divergence in one line. --markdown is docs/strategy-matrix.md.
import type { Comparison } from '@forkscope/shim';
import type { Command } from '../command.js';
import { UsageError } from '../io.js';
import { parseCommandArgs } from '../args.js';
import { asInputError, corpusDir, loadShim, type Shim } from './run.js';

export interface MatrixRow {
  readonly id: string;
  readonly results: { readonly [strategy: string]: Comparison };
}

export function buildMatrix(corpus: string, shim: Shim): MatrixRow[] {
  const { MODELS, STRATEGY_NAMES, compareRun, loadCase, runModel } = shim;
  return MODELS.map((m) => {
    const { input, expected } = loadCase(corpus, m.id);
    const results: { [strategy: string]: Comparison } = {};
    for (const s of STRATEGY_NAMES) results[s] = compareRun(runModel(input, s), expected);
    return { id: m.id, results };
  });
}

function cell(c: Comparison | undefined): string {
  if (!c) return '';
  if (c.matches) return 'matches';
  return (c.divergence ?? '').replaceAll('|', '\\|');
}

/** The matrix as the Markdown document docs/strategy-matrix.md. */
export function matrixMarkdown(rows: readonly MatrixRow[], shim: Shim): string {
  const { STRATEGIES, STRATEGY_NAMES } = shim;
  const lines = [
    '# The vfork question: strategies × real programs',
    '',
    'Written by `node tools/scripts/write-strategy-matrix.mjs` (the output of `forkscope matrix --markdown`);',
    'a test fails when this file and the models disagree. Each row is a corpus case whose program is',
    'modelled in `packages/shim/src/models/`; each cell says whether the model run under that strategy',
    "has the normalized form of the case's real capture (`expected.json`), or names the first divergence",
    '(a JSON pointer into the normalized form, with what the shim noticed in brackets).',
    '',
    '## Strategies',
    '',
    ...STRATEGY_NAMES.map((s) => `- \`${s}\`: ${STRATEGIES[s].summary}.`),
    '',
    '## How a model run works',
    '',
    '- A model (`packages/shim/src/models/`) is the call sequence of the real program, written after its',
    "  source (glibc 2.36, CPython 3.11, dash 0.5.12, Rust std): a generator yielding one system call at a",
    "  time to the shim, which hands it to the kernel. What the program keeps in memory (glibc's",
    "  `args.err`, CPython's child data, dash's variables) is in the task's emulated address space.",
    "- On every call the shim stores the caller's saved context in a frame just below its stack pointer",
    '  and returns through it, as a real interposing shim does. A vfork child runs on the same stack',
    "  with the same stack pointer: its own calls and C frames land on the parent's saved frame.",
    '- The strategy decides what the kernel is asked for (`fork` drops CLONE_VM and CLONE_VFORK) and',
    "  where the parent's context comes from when its vfork returns (`linux`: a copy kept off the shared",
    '  stack; `shared-no-restore`: the frame on the stack, whatever the child left there).',
    '',
    '## Reading it',
    '',
    '- `linux` is the reference: a cell that diverges there is a gap in the kernel model or the',
    '  corpus (named, with its reason, in the skipped tests of `packages/shim/tests/models-linux.test.ts`).',
    '- `fork` keeps every program that only forks, and breaks every vfork user twice over: the parent',
    '  runs on before the child execs (the A1/A2 orderings are lost), and whatever the child stores in',
    "  the parent's memory lands in a copy. For glibc's posix_spawn that store is `args.err`: a failed",
    '  exec looks like a successful spawn, glibc never reaps the child, and the program gets a pid',
    "  instead of an error (Rust's `Command` then waits for it and sees exit status 127).",
    '- `shared-no-restore` keeps every program whose vfork child runs on a stack of its own (glibc',
    "  posix_spawn's mmap'd stack, `clone`/`clone3` with a stack) and breaks every caller of the `vfork`",
    "  syscall (CPython's `_posixsubprocess`, dash): the child's calls overwrite the frame the shim saved",
    "  the parent's context in, so the parent either dies (SIGSEGV) or resumes on the child's frame and",
    "  runs the child's code.",
    '',
    '## Totals',
    '',
    '| strategy | matches | diverges |',
    '|---|---|---|',
    ...STRATEGY_NAMES.map((s) => {
      const n = rows.filter((r) => r.results[s]?.matches === true).length;
      return `| \`${s}\` | ${n} | ${rows.length - n} |`;
    }),
    '',
    '## Cases',
    '',
    `| case | ${STRATEGY_NAMES.map((s) => `\`${s}\``).join(' | ')} |`,
    `|---|${STRATEGY_NAMES.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| \`${r.id}\` | ${STRATEGY_NAMES.map((s) => cell(r.results[s])).join(' | ')} |`),
    '',
  ];
  return lines.join('\n');
}

export const matrixCommand: Command = {
  name: 'matrix',
  summary: 'strategies x modelled corpus cases: each cell a match or the first divergence',
  help: `Usage: forkscope matrix [--json | --markdown] [--corpus DIR]

Runs every program model under every vfork strategy (linux, fork, shared-no-restore) and
compares each run with its corpus capture through the normalized form. Each cell is a
match or the first divergence in one line.

Options:
  --json              {"strategies":[…],"cases":[{"id","results":{"<strategy>":{"matches","divergence"}}}]}
  --markdown          the document docs/strategy-matrix.md
  --corpus DIR        the corpus to read the cases from (default: the repository's corpus/)
  -h, --help          this help

Exit status: 0, or 2 on a usage error or an unreadable case.

Examples:
  forkscope matrix
  forkscope matrix --json > matrix.json
  forkscope matrix --markdown > docs/strategy-matrix.md
`,
  async run(args, ctx) {
    const { values, positionals, help } = parseCommandArgs('matrix', args, {
      json: { type: 'boolean' },
      markdown: { type: 'boolean' },
      corpus: { type: 'string' },
    });
    if (help) {
      ctx.io.stdout.write(matrixCommand.help);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0] ?? ''}'`, 'matrix');
    if (values.json === true && values.markdown === true) throw new UsageError('--json and --markdown exclude each other', 'matrix');
    const shim = await loadShim();
    const { STRATEGY_NAMES } = shim;
    let rows: MatrixRow[];
    try {
      rows = buildMatrix(corpusDir(values.corpus, ctx.io.cwd), shim);
    } catch (e) {
      return asInputError(e, shim);
    }
    if (values.json === true) {
      ctx.io.stdout.write(JSON.stringify({ strategies: STRATEGY_NAMES, cases: rows }, null, 2) + '\n');
    } else if (values.markdown === true) {
      ctx.io.stdout.write(matrixMarkdown(rows, shim));
    } else {
      const width = Math.max(...rows.map((r) => r.id.length));
      for (const r of rows) {
        ctx.io.stdout.write(`${r.id.padEnd(width)}  ${STRATEGY_NAMES.map((s) => `${s}: ${r.results[s]?.matches ? 'ok' : 'DIVERGES'}`).join('  ')}\n`);
      }
    }
    return 0;
  },
};
