// `forkscope verify --expect expected.json TRACE...`: does another emulator's trace (a strace
// capture, or Shadow's strace logs) behave as the corpus case did on Linux?
import { describeDifference, normalize, type Normalized } from '@forkscope/tracer';
import { readExpectation } from '../../verify/expectation.js';
import { readTrace } from '../../verify/read-trace.js';
import { verifyNormalized, type TraceDialect, type VerifyResult } from '../../verify/verify-trace.js';
import { parseCommandArgs } from '../args.js';
import type { Command, CommandContext } from '../command.js';
import { InputError, UsageError, inputErrorOf } from '../io.js';
import { checkReadable, resolvePath } from '../read-capture.js';
import { dialectOf } from './report.js';

export const verifyCommand: Command = {
  name: 'verify',
  summary: "check another emulator's trace (strace, or Shadow's strace logs) against a corpus expectation",
  help: `Usage: forkscope verify --expect EXPECTED TRACE... [--dialect auto|strace|shadow] [--json]

Runs the comparison a corpus case promises: the trace is put in normalized form (tasks
renumbered by creation, their clone/exec/exit/wait/kill calls and results, signals,
process ends, the orderings Linux guarantees) and compared with EXPECTED, a corpus
case's expected.json. Use it on a trace of the case's program run under your emulator.

TRACE is a strace capture (-f, or the -ff files name.<pid> of one run), or Shadow's
strace logs (experimental.strace_logging_mode standard or deterministic): give every
<procname>.<pid>.strace file of the host; they are merged by simulated time. Shadow's
logs have no signal lines, no +++ lines and no unfinished/resumed halves, and the
deterministic mode hides every pointer: what the log cannot show is listed as
unchecked (with why), never counted as conforming. The dialect is detected from the
first line unless --dialect says.

Options:
  --expect FILE       the corpus expectation (corpus/<family>/<case>/expected.json)
  --dialect D         auto (default), strace or shadow
  --json              the result as JSON ({conforms, differences, unchecked, checked, ...})
  -h, --help          this help

Exit status: 0 the trace conforms (in what it can show), 1 it diverges or has lines
not understood (reported as FILE:LINE: why), 2 a usage or I/O error.

Examples:
  forkscope verify --expect corpus/raw/vfork-exec/expected.json shadow.data/hosts/host/*.strace
  forkscope verify --expect corpus/dash/pipeline/expected.json my-emulator.strace
`,
  async run(args: readonly string[], ctx: CommandContext): Promise<number> {
    const { values, positionals, help } = parseCommandArgs('verify', args, {
      expect: { type: 'string' },
      dialect: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (help) {
      ctx.io.stdout.write(verifyCommand.help);
      return 0;
    }
    const expectPath = values.expect;
    if (typeof expectPath !== 'string' || expectPath === '') throw new UsageError('verify needs --expect EXPECTED', 'verify');
    if (positionals.length === 0) throw new UsageError('verify needs a TRACE', 'verify');
    const dialect = dialectOf(values.dialect, 'verify');

    const expectedFile = resolvePath(ctx.io.cwd, expectPath);
    await checkReadable(expectPath, expectedFile);
    const expected = await readExpectation(expectedFile).catch((err: unknown) => {
      throw inputErrorOf(expectPath, err) ?? err;
    });
    if (!expected.ok) throw new InputError(expectPath, expected.reason);

    const trace = await readTrace(ctx.io.cwd, positionals, dialect);
    const problems = trace.problems;
    const traceDialect = trace.dialect;
    const result = verifyNormalized(expected.value, normalize(trace.events), traceDialect);
    const ok = result.conforms && problems.length === 0;
    if (values.json === true) {
      const dialectJson = traceDialect.kind === 'shadow' ? { dialect: 'shadow', mode: traceDialect.mode } : { dialect: 'strace' };
      const { compared: _compared, ...shown } = result;
      ctx.io.stdout.write(JSON.stringify({ expect: expectPath, traces: positionals, ...dialectJson, ...shown, notUnderstood: problems }, null, 2) + '\n');
    } else {
      ctx.io.stdout.write(renderText(expectPath, positionals, traceDialect, result));
    }
    for (const p of problems) ctx.io.stderr.write(p + '\n');
    return ok ? 0 : 1;
  },
};

function renderText(expect: string, traces: readonly string[], dialect: TraceDialect, r: VerifyResult): string {
  const what =
    dialect.kind === 'shadow'
      ? `Shadow strace log${traces.length === 1 ? '' : 's'} (${dialect.mode} mode, ${traces.length} file${traces.length === 1 ? '' : 's'})`
      : `strace capture${traces.length === 1 ? '' : ` (${traces.length} -ff files)`}`;
  let out = `verify ${what} against ${expect}\n`;
  if (r.conforms) {
    const scope = r.unchecked.length > 0 ? ' in what this trace can show' : '';
    out += `conforms${scope}: ${r.checked} expected value${r.checked === 1 ? '' : 's'} compared, no difference\n`;
  } else {
    out += `diverges: ${r.differences.length} difference${r.differences.length === 1 ? '' : 's'} (${r.checked} expected values compared)\n`;
    for (const d of r.differences) {
      const where = locate(r.compared, d.path);
      out += `  ${describeDifference(d)}${where === null ? '' : `  [${where}]`}\n`;
    }
  }
  if (r.unchecked.length > 0) {
    out += `unchecked (the trace's dialect cannot show them; not counted as conforming):\n`;
    for (const u of r.unchecked) out += `  ${u.count} ${u.what}: ${u.why}\n`;
  }
  return out;
}

/**
 * For a path into processes/…/events/…: which task and which call it is. Task ids are the
 * expectation's (creation order); calls are counted among those compared.
 */
function locate(doc: Normalized, path: string): string | null {
  const parts = path.split('/');
  if (parts[1] !== 'processes') return null;
  const proc = doc.processes[Number(parts[2])];
  if (proc === undefined) return null;
  if (parts[3] !== 'tasks') return `process ${proc.pid}`;
  const task = proc.tasks[Number(parts[4])];
  if (task === undefined) return `process ${proc.pid}`;
  const who = task.thread ? `thread ${task.tid} of process ${proc.pid}` : `process ${proc.pid}`;
  if (parts[5] !== 'events') return who;
  const k = Number(parts[6]);
  const ev = task.events[k];
  if (ev === undefined) return `${who}, after its last expected call`;
  const what = 'call' in ev ? ev.call : ev.kind;
  return `${who}, call ${k + 1}: ${what}`;
}
