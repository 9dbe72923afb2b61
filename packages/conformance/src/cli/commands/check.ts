// `forkscope check FILE|DIR... [--json] [--junit OUT] [--html DIR] [--fs MANIFEST] [-j N]`: replay
// each capture through the emulated kernel and say whether it conforms.
// Exit status: 0 all conform, 1 some diverge, 2 usage or I/O error (an
// unreadable or unparseable capture counts as an input error).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseText } from '@forkscope/tracer';
import type { Command, CommandContext } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { InputError, UsageError, inputErrorOf } from '../io.js';
import { resolvePath } from '../read-capture.js';
import { createProgress } from '../progress.js';
import { terminalOf } from '../terminal.js';
import type { Style } from '../style.js';
import { renderReport } from '../../report/index.js';
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

const HELP = `usage: forkscope check FILE|DIR... [--json] [--junit OUT] [--html DIR] [--fs MANIFEST] [-j N]

Replays each strace capture through the emulated kernel, in the recorded line
order, and checks every result, blocked span, exit and signal against it.
A DIR is searched for capture.strace files with a case.json beside them.

options:
  --json           one JSON object on stdout (captures, verdicts, divergences, summary)
  --junit OUT      also write a JUnit XML report to OUT
  --html DIR       also write an HTML timeline per capture into DIR (DIR/<case id>.html),
                   its divergences drawn in red
  --fs MANIFEST    fs manifest (a JSON array, or a case.json) used for every capture
  -j, --jobs N     check N captures at once in worker threads (0 or auto: one per CPU;
                   default 1); the output is the same, in the same order
  -q, --quiet      only the summary line (and errors); no progress bar
  -h, --help       this help

exit status: 0 all conform, 1 some diverge, 2 usage or I/O error

examples:
  forkscope check corpus/
  forkscope check corpus/dash/pipeline/capture.strace --json
  forkscope check /tmp/x.strace --fs corpus/dash/pipeline/case.json --junit check.xml
  forkscope check corpus/dash --html check-html/ -j 0
`;

export const checkCommand: Command = {
  name: 'check',
  summary: 'replay captures through the emulated kernel and report divergences',
  help: HELP,
  async run(args: readonly string[], ctx: CommandContext): Promise<number> {
    const parsed = parseCommandArgs('check', args, {
      json: { type: 'boolean' },
      junit: { type: 'string' },
      html: { type: 'string' },
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
    const inputs = found.inputs;
    const terminal = terminalOf(ctx.io);
    const progress = createProgress(ctx.io, inputs.length, 'check');
    const reports: CaptureReport[] = [];
    try {
      const pool = {
        jobs: jobs.jobs,
        check: fs !== undefined ? { fs } : {},
        notice: (message: string) => {
          progress.clear();
          ctx.io.stderr.write(`forkscope: ${message}\n`);
        },
      };
      if (jobs.jobs <= 1) {
        // One at a time in this thread (what the pool does for -j 1), so the bar moves per capture.
        for (const input of inputs) {
          reports.push(...(await checkCaptures([input], pool)));
          progress.tick();
        }
      } else {
        // The pool answers once, in input order; the bar fills when it does.
        for (const r of await checkCaptures(inputs, pool)) {
          reports.push(r);
          progress.tick();
        }
      }
    } finally {
      progress.done();
    }
    const run = summarize(reports);
    if (parsed.values['json'] === true) ctx.io.stdout.write(renderJson(run));
    else ctx.io.stdout.write(styleText(renderText(run), terminal.out, terminal.quiet));
    const html = parsed.values['html'];
    if (typeof html === 'string') await writeHtmlReports(resolvePath(cwd, html), html, reports);
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

/**
 * The text report as the user sees it: verdict words coloured when stdout is a terminal (a plain
 * style leaves every byte as renderText wrote it), and under --quiet only the summary line.
 */
export function styleText(text: string, out: Style, quiet: boolean): string {
  const lines = text.split('\n');
  if (quiet) {
    // renderText ends with the summary line and a newline.
    const summary = lines[lines.length - 2] ?? '';
    return `${summary}\n`;
  }
  if (!out.enabled) return text;
  return lines.map((line) => styleCaptureLine(line, out)).join('\n');
}

function styleCaptureLine(line: string, out: Style): string {
  // Only capture lines start at column 0 with a verdict word followed by two spaces.
  if (line.startsWith('conforms  ')) return out.verdict('conforms') + line.slice('conforms'.length);
  if (line.startsWith('DIVERGES  ')) return out.verdict('DIVERGES') + line.slice('DIVERGES'.length);
  if (line.startsWith('ERROR     ')) return out.paint('error', 'ERROR') + line.slice('ERROR'.length);
  return line;
}

/** Where a capture's HTML report goes: its case id as a path (`dash/pipeline.html`), else the capture's directory name. */
export function htmlNameOf(report: CaptureReport): string {
  if (report.id !== undefined && report.id !== '') return `${report.id}.html`;
  const dir = dirname(report.file);
  const name = dir.slice(dir.lastIndexOf('/') + 1) || 'capture';
  return `${name}.html`;
}

/**
 * One timeline per capture, its divergences in red. A capture that could not be checked
 * (verdict error) has already been reported on stderr and gets no page.
 */
async function writeHtmlReports(dir: string, shown: string, reports: readonly CaptureReport[]): Promise<void> {
  for (const r of reports) {
    if (r.verdict === 'error') continue;
    const target = join(dir, htmlNameOf(r));
    let text: string;
    try {
      text = await readFile(r.file, 'utf8');
    } catch (err) {
      throw inputErrorOf(r.file, err) ?? err;
    }
    const page = renderReport(parseText(text, { file: r.file }), { title: r.id ?? r.file, divergences: r.divergences });
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, page);
    } catch (err) {
      throw inputErrorOf(shown, err) ?? err;
    }
  }
}
