// `forkscope check FILE|DIR... [--json] [--junit OUT] [--fs MANIFEST] [-j N]`: replay
// each capture through the emulated kernel and say whether it conforms.
// Exit status: 0 all conform, 1 some diverge, 2 usage or I/O error (an
// unreadable or unparseable capture counts as an input error).
import { readFile, writeFile } from 'node:fs/promises';
import type { Command, CommandContext } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { InputError, UsageError, inputErrorOf } from '../io.js';
import { resolvePath } from '../read-capture.js';
import { parseManifestFile } from '../../check/case-info.js';
import type { FsManifestEntry } from '../../check/case-info.js';
import { discoverCaptures } from '../../check/discover.js';
import type { CaptureReport } from '../../check/report.js';
import { summarize } from '../../check/report.js';
import { renderJson } from '../../check/render-json.js';
import { renderJunit } from '../../check/render-junit.js';
import { renderText } from '../../check/render-text.js';
import { parseJobs } from '../../parallel/jobs.js';
import { checkCaptures } from '../../parallel/pool.js';

const HELP = `usage: forkscope check FILE|DIR... [--json] [--junit OUT] [--fs MANIFEST] [-j N]

Replays each strace capture through the emulated kernel, in the recorded line
order, and checks every result, blocked span, exit and signal against it.
A DIR is searched for capture.strace files with a case.json beside them.

options:
  --json           one JSON object on stdout (captures, verdicts, divergences, summary)
  --junit OUT      also write a JUnit XML report to OUT
  --fs MANIFEST    fs manifest (a JSON array, or a case.json) used for every capture
  -j, --jobs N     check N captures at once in worker threads (0 or auto: one per CPU;
                   default 1); the output is the same, in the same order
  -h, --help       this help

exit status: 0 all conform, 1 some diverge, 2 usage or I/O error

examples:
  forkscope check corpus/
  forkscope check corpus/dash/pipeline/capture.strace --json
  forkscope check /tmp/x.strace --fs corpus/dash/pipeline/case.json --junit check.xml
`;

export const checkCommand: Command = {
  name: 'check',
  summary: 'replay captures through the emulated kernel and report divergences',
  help: HELP,
  async run(args: readonly string[], ctx: CommandContext): Promise<number> {
    const parsed = parseCommandArgs('check', args, {
      json: { type: 'boolean' },
      junit: { type: 'string' },
      fs: { type: 'string' },
      jobs: { type: 'string', short: 'j' },
    });
    if (parsed.help) {
      ctx.io.stdout.write(HELP);
      return 0;
    }
    if (parsed.positionals.length === 0) throw new UsageError('check needs at least one FILE or DIR', 'check');
    const jobsArg = parsed.values['jobs'];
    const jobs = parseJobs(typeof jobsArg === 'string' ? jobsArg : undefined);
    if (jobs.kind === 'invalid') throw new UsageError(jobs.message, 'check');
    const cwd = ctx.io.cwd;
    let fs: readonly FsManifestEntry[] | undefined;
    const fsArg = parsed.values['fs'];
    if (typeof fsArg === 'string') {
      let text: string;
      try {
        text = await readFile(resolvePath(cwd, fsArg), 'utf8');
      } catch (err) {
        throw inputErrorOf(fsArg, err) ?? err;
      }
      const m = parseManifestFile(text);
      if (m.kind === 'invalid') throw new InputError(fsArg, m.message);
      fs = m.value;
    }
    const found = await discoverCaptures(parsed.positionals.map((p) => resolvePath(cwd, p)));
    if (found.kind === 'io-error') throw new InputError(found.path, found.message);
    if (found.inputs.length === 0) throw new InputError(parsed.positionals.join(' '), 'no capture.strace with a case.json beside it');
    const reports: CaptureReport[] = await checkCaptures(found.inputs, {
      jobs: jobs.jobs,
      check: fs !== undefined ? { fs } : {},
      notice: (message) => ctx.io.stderr.write(`forkscope: ${message}\n`),
    });
    const run = summarize(reports);
    ctx.io.stdout.write(parsed.values['json'] === true ? renderJson(run) : renderText(run));
    const junit = parsed.values['junit'];
    if (typeof junit === 'string') {
      try {
        await writeFile(resolvePath(cwd, junit), renderJunit(run));
      } catch (err) {
        throw inputErrorOf(junit, err) ?? err;
      }
    }
    for (const r of reports) if (r.verdict === 'error') ctx.io.stderr.write(`forkscope: ${r.error ?? r.file}\n`);
    if (run.summary.error > 0) return 2;
    return run.summary.diverges > 0 ? 1 : 0;
  },
};
