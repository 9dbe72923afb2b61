// `forkscope parse FILE... [--ndjson] [--dialect auto|strace|shadow]`: a summary per file,
// or the events as NDJSON; a diagnostic line on stderr for every line not understood.
import type { TraceEvent } from '@forkscope/tracer';
import { parseCommandArgs } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { UsageError } from '../io.js';
import { diagnosticLines, readCapture, type Dialect } from '../read-capture.js';
import { eventJson } from '../event-json.js';
import { terminalOf } from '../terminal.js';
import type { Style } from '../style.js';

const DIALECTS: readonly Dialect[] = ['auto', 'strace', 'shadow'];

export const parseCommand: Command = {
  name: 'parse',
  summary: 'parse strace captures: a summary per file, or the events as NDJSON',
  help: `Usage: forkscope parse FILE... [--ndjson] [--dialect auto|strace|shadow]

Parses strace output (-f -o style, with any of -t/-tt/-ttt/-T/-y/-yy/-Y/-n/-i/-k) or a
Shadow strace log. Several files given together are the -ff files of one run (name.<pid>),
merged into one stream.

Prints one line per file: lines, events and diagnostics. Every line the parser did not
understand is reported on stderr as FILE:LINE: why.

Options:
  --ndjson            print the events as one JSON object per line instead of the summary
  --dialect D         auto (default), strace or shadow
  -h, --help          this help

Exit status: 0 every line understood, 1 some were not, 2 usage or I/O error.

Examples:
  forkscope parse corpus/posix_spawn/success/capture.strace
  forkscope parse --ndjson trace.txt | jq -c 'select(.name == "execve")'
  forkscope parse run.1234 run.1235 run.1236
`,
  async run(args: readonly string[], ctx: CommandContext): Promise<number> {
    const { values, positionals, help } = parseCommandArgs('parse', args, {
      ndjson: { type: 'boolean' },
      dialect: { type: 'string' },
    });
    if (help) {
      ctx.io.stdout.write(parseCommand.help);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError('parse needs at least one FILE', 'parse');
    const dialect = (values.dialect ?? 'auto') as string;
    if (!DIALECTS.includes(dialect as Dialect)) throw new UsageError(`--dialect must be one of ${DIALECTS.join(', ')} (got '${dialect}')`, 'parse');

    const capture = await readCapture(ctx.io.cwd, positionals, dialect as Dialect);
    const diagnostics = diagnosticLines(capture);
    const { out, err } = terminalOf(ctx.io);
    if (values.ndjson === true) {
      for (const ev of capture.events) ctx.io.stdout.write(eventJson(ev) + '\n');
    } else {
      for (const name of positionals) ctx.io.stdout.write(summaryLine(name, capture.events.filter((e) => capture.nameOf(e.span.file) === name), out) + '\n');
    }
    for (const d of diagnostics) ctx.io.stderr.write(err.paint('warn', d) + '\n');
    return diagnostics.length === 0 ? 0 : 1;
  },
};

function summaryLine(name: string, events: readonly TraceEvent[], style: Style): string {
  let lines = 0;
  let diagnostics = 0;
  for (const e of events) {
    if (e.span.endLine > lines) lines = e.span.endLine;
    if (e.kind === 'diagnostic') diagnostics++;
  }
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${name}: ${plural(lines, 'line')}, ${plural(events.length - diagnostics, 'event')}, ${diagnostics === 0 ? plural(0, 'diagnostic') : style.paint('warn', plural(diagnostics, 'diagnostic'))}`;
}
