// `forkscope tree FILE [--json]`: the process tree of a capture.
import { processTree, renderTree } from '@forkscope/tracer';
import { parseCommandArgs } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { UsageError } from '../io.js';
import { diagnosticLines, readCapture } from '../read-capture.js';
import { terminalOf } from '../terminal.js';

export const treeCommand: Command = {
  name: 'tree',
  summary: 'the process tree of a capture: processes, threads, exec chains, exit status',
  help: `Usage: forkscope tree FILE... [--json]

Shows which process created which (fork, vfork, clone, clone3 with their flags), the
threads of each process (CLONE_THREAD), the exec chain of each process with failed execs
marked, an exec from a non-leader thread taking the leader's pid, CLONE_PARENT children
under the caller's parent, and how each process ended (exit code, or killing signal).
Several files given together are the -ff files of one run (name.<pid>).

Options:
  --json              the tree as JSON ({"roots": [...], "anomalies": [...]})
  -h, --help          this help

Exit status: 0, or 2 on a usage or I/O error. Lines the parser did not understand are
reported on stderr as FILE:LINE: why.

Examples:
  forkscope tree corpus/dash/pipeline/capture.strace
  forkscope tree --json trace.txt
`,
  async run(args: readonly string[], ctx: CommandContext): Promise<number> {
    const { values, positionals, help } = parseCommandArgs('tree', args, { json: { type: 'boolean' } });
    if (help) {
      ctx.io.stdout.write(treeCommand.help);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError('tree needs a FILE', 'tree');
    const capture = await readCapture(ctx.io.cwd, positionals);
    const tree = processTree(capture.events);
    ctx.io.stdout.write(values.json === true ? JSON.stringify(tree, null, 2) + '\n' : renderTree(tree));
    const { err } = terminalOf(ctx.io);
    for (const d of diagnosticLines(capture)) ctx.io.stderr.write(err.paint('warn', d) + '\n');
    return 0;
  },
};
