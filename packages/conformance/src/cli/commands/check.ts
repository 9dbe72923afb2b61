// `forkscope check FILE|DIR... [--json] [--junit OUT] [--html DIR] [--fs MANIFEST] [-j N]`: replay
// each capture through the emulated kernel and say whether it conforms.
// Exit status (architecture.md, "CLI contract"): 0 all conform, 1 some diverge, 2 usage or I/O
// error. A capture that cannot be read or parsed (verdict "error") is an input error, so the run
// exits 2 even when others diverge: it is unfinished, and a caller must not read 1 as complete.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command, CommandContext } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { InputError, UsageError, inputErrorOf } from '../io.js';
import { resolvePath } from '../read-capture.js';
import { createProgress } from '../progress.js';
import { terminalOf } from '../terminal.js';
import type { Style } from '../style.js';
import { parseManifestFile } from '../../check/case-info.js';
import type { FsManifestEntry } from '../../check/case-info.js';
import { discoverCaptures } from '../../check/discover.js';
import type { CaptureReport } from '../../check/report.js';
import { summarize } from '../../check/report.js';
import { renderJson } from '../../check/render-json.js';
import { renderJunit } from '../../check/render-junit.js';
import { renderText } from '../../check/render-text.js';
import { parseJobs } from '../../parallel/jobs.js';
import { openPool } from '../../parallel/pool.js';

const HELP = `usage: forkscope check FILE|DIR... [--json] [--junit OUT] [--html DIR] [--fs MANIFEST] [-j N]

Replays each strace capture through the emulated kernel, in the recorded line
order, and checks every result, blocked span, exit and signal against it.
A DIR is searched for capture.strace files with a case.json beside them.

options:
  --json           one JSON object on stdout (captures, verdicts, divergences, summary)
  --junit OUT      also write a JUnit XML report to OUT
  --html DIR       also write an HTML timeline per capture into DIR (DIR/<case id>.html),
                   its divergences drawn in red, and DIR/index.html listing every capture
                   with its verdict and a link to its timeline
  --fs MANIFEST    fs manifest (a JSON array, or a case.json) used for every capture
  -j, --jobs N     check N captures at once in worker threads (0 or auto: one per CPU
                   but one, at least 1; default 1); the output is the same, in the same order
  -q, --quiet      only the summary line (and errors); no progress bar
  -h, --help       this help

exit status: 0 all conform, 1 some diverge, 2 usage or I/O error (a capture that
cannot be read or parsed is an input error: 2, even beside divergences)

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
    // Workers start loading their modules now, while the manifest is read and the captures are
    // found (-j 1 starts nothing). The no-worker notice waits until we know there is a choice.
    const notices: string[] = [];
    const pool = openPool({ jobs: jobs.jobs, notice: (message) => notices.push(message) });
    let reports: CaptureReport[];
    try {
      const fsArg = parsed.values['fs'];
      const fs = typeof fsArg === 'string' ? await readFsManifest(cwd, fsArg) : undefined;
      const found = await discoverCaptures(parsed.positionals.map((p) => resolvePath(cwd, p)));
      if (found.kind === 'io-error') throw new InputError(found.path, found.message);
      if (found.inputs.length === 0) throw new InputError(parsed.positionals.join(' '), 'no capture.strace with a case.json beside it');
      if (found.inputs.length > 1) for (const message of notices) ctx.io.stderr.write(`forkscope: ${message}\n`);
      const progress = createProgress(ctx.io, found.inputs.length, 'check');
      try {
        // The bar moves as each report arrives, in whatever order the workers finish.
        reports = await pool.run(found.inputs, { check: fs !== undefined ? { fs } : {}, onReport: () => progress.tick() });
      } finally {
        progress.done();
      }
    } finally {
      pool.close();
    }
    const terminal = terminalOf(ctx.io);
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

/** `--fs MANIFEST`: a JSON array of entries, or a case.json carrying one. */
async function readFsManifest(cwd: string, given: string): Promise<readonly FsManifestEntry[]> {
  let text: string;
  try {
    text = await readFile(resolvePath(cwd, given), 'utf8');
  } catch (err) {
    throw inputErrorOf(given, err) ?? err;
  }
  const m = parseManifestFile(text);
  if (m.kind === 'invalid') throw new InputError(given, m.message);
  return m.value;
}

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
 * Each report's page name (`htmlNameOf`), made unique in input order: a second capture with
 * the same case id gets `<id>-2.html` instead of overwriting the first, and no capture takes
 * the index page's name.
 */
export function htmlNamesOf(reports: readonly CaptureReport[]): string[] {
  const taken = new Set<string>([INDEX_PAGE]);
  return reports.map((r) => {
    const name = insideDir(htmlNameOf(r));
    const stem = name.slice(0, -'.html'.length);
    let unique = name;
    for (let n = 2; taken.has(unique); n++) unique = `${stem}-${n}.html`;
    taken.add(unique);
    return unique;
  });
}

/** A page path that stays inside DIR whatever a case.json's id says: no empty, `.` or `..` segment. */
function insideDir(name: string): string {
  const segments = name.split('/').filter((s) => s !== '' && s !== '.' && s !== '..');
  const joined = segments.join('/');
  return joined === '.html' || joined === '' ? 'capture.html' : joined;
}

/** The page listing every capture of the run, beside the timelines. */
export const INDEX_PAGE = 'index.html';

/**
 * One timeline per capture, its divergences in red, and DIR/index.html listing every capture
 * with its verdict and a link to its timeline. A capture that could not be checked (verdict
 * error) has already been reported on stderr and gets no timeline, only its row in the index.
 */
async function writeHtmlReports(dir: string, shown: string, reports: readonly CaptureReport[]): Promise<void> {
  // Loaded only for --html: the timeline code and the parser are not needed otherwise.
  const [{ parseText }, { renderReport }, { renderCheckIndex }] = await Promise.all([
    import('@forkscope/tracer'),
    import('../../report/index.js'),
    import('../../report/check-index.js'),
  ]);
  const write = async (name: string, page: string): Promise<void> => {
    const target = join(dir, name);
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, page);
    } catch (err) {
      throw inputErrorOf(shown, err) ?? err;
    }
  };
  const names = htmlNamesOf(reports);
  for (const [i, r] of reports.entries()) {
    if (r.verdict === 'error') continue;
    let text: string;
    try {
      text = await readFile(r.file, 'utf8');
    } catch (err) {
      throw inputErrorOf(r.file, err) ?? err;
    }
    await write(names[i] as string, renderReport(parseText(text, { file: r.file }), { title: r.id ?? r.file, divergences: r.divergences }));
  }
  const entries = reports.map((r, i) => ({
    title: r.id ?? r.file,
    file: r.file,
    verdict: r.verdict,
    events: r.events,
    checked: r.checked,
    effectChecked: r.effectChecked,
    adopted: r.adopted,
    divergences: r.divergences.length,
    page: r.verdict === 'error' ? null : (names[i] as string),
    ...(r.error !== undefined ? { error: r.error } : {}),
  }));
  await write(INDEX_PAGE, renderCheckIndex(entries));
}
