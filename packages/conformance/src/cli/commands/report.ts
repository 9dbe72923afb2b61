// `forkscope report FILE... --html OUT`: a capture as a self-contained HTML timeline.
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { renderReport } from '../../report/index.js';
import { parseCommandArgs } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { UsageError, inputErrorOf } from '../io.js';
import { readTrace } from '../../verify/read-trace.js';
import { resolvePath, type Dialect } from '../read-capture.js';

export const reportCommand: Command = {
  name: 'report',
  summary: 'a capture as one self-contained HTML timeline (lanes, vfork bars, clone and wake-up arrows)',
  help: `Usage: forkscope report FILE... --html OUT [--title TEXT] [--dialect auto|strace|shadow]

Writes one HTML file (no network needed to view it) that draws the capture as a timeline:
a lane per task grouped by process, a mark per syscall, bars for calls that blocked (the
vfork parent's suspension hatched in orange), arrows from each clone to its child, from a
vfork child's exec or exit to its parent's resume, and from a child's exit to the wait
that reaped it. Hover a mark for its line; wheel to zoom, drag to pan. Times come from
the capture's timestamps (-t/-tt/-ttt), or line order when it has none.
Several files given together are the -ff files of one run (name.<pid>), or Shadow's
per-process strace logs (<procname>.<pid>.strace, drawn in simulated time).

Options:
  --html OUT          the HTML file to write (required)
  --title TEXT        the page title (default: the first FILE's name)
  --dialect D         auto (default), strace or shadow
  -h, --help          this help

Exit status: 0, or 2 on a usage or I/O error. Lines the parser did not understand are
drawn in the timeline and reported on stderr as FILE:LINE: why.

Examples:
  forkscope report corpus/raw/vfork-exec/capture.strace --html vfork-exec.html
`,
  async run(args: readonly string[], ctx: CommandContext): Promise<number> {
    const { values, positionals, help } = parseCommandArgs('report', args, {
      html: { type: 'string' },
      title: { type: 'string' },
      dialect: { type: 'string' },
    });
    if (help) {
      ctx.io.stdout.write(reportCommand.help);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError('report needs a FILE', 'report');
    const out = values.html;
    if (typeof out !== 'string' || out === '') throw new UsageError('report needs --html OUT', 'report');
    const dialect = dialectOf(values.dialect, 'report');
    const trace = await readTrace(ctx.io.cwd, positionals, dialect);
    const title = typeof values.title === 'string' ? values.title : basename(positionals[0] as string);
    const html = renderReport(trace.events, { title });
    try {
      await writeFile(resolvePath(ctx.io.cwd, out), html);
    } catch (err) {
      throw inputErrorOf(out, err) ?? err;
    }
    for (const d of trace.problems) ctx.io.stderr.write(d + '\n');
    return 0;
  },
};

export function dialectOf(value: unknown, command: string): Dialect {
  if (value === undefined) return 'auto';
  if (value === 'auto' || value === 'strace' || value === 'shadow') return value;
  throw new UsageError(`--dialect must be auto, strace or shadow (got '${String(value)}')`, command);
}
