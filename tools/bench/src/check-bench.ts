// `forkscope check` throughput, one thread, against the parser's:
//   parse  — read the file and parseText() it: the floor any check pays;
//   check  — `forkscope check FILE --json` in-process (read, parse, replay through the emulated
//            kernel, judge, render): what a user waits for;
//   replay — replayCapture() alone on already-parsed events (where check's extra time goes).
// Measured on B's ≥50 MB real capture (gen-capture.ts) and on the whole corpus (where every
// capture replays to its end), median of several interleaved runs after a warm-up, per wall
// second and per CPU second (the steadier figure on a shared machine). Events are syscall
// events (a split call counts once), the unit `check --json` reports.
// Targets: check ≥ 40% of parse's events/s and ≥ 1,000,000 events/s. Then the whole-corpus
// wall time of the built CLI with -j 1 and -j 2, whose outputs must be identical.
//
//   node tools/bench/dist/check-bench.js [--runs 5] [--capture FILE] [--cli-runs 3]
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { main } from '@forkscope/conformance';
import { replayCapture } from '@forkscope/shim';
import { parseText, type TraceEvent } from '@forkscope/tracer';
import { defaultCapturePath, ensureCapture, repoRoot } from './gen-capture.js';

const corpusDir = join(repoRoot, 'corpus');
const cli = join(repoRoot, 'packages', 'conformance', 'bin', 'forkscope.mjs');

interface Input {
  readonly name: string;
  /** Capture files, with their case.json (if any) beside them. */
  readonly files: readonly string[];
  /** What `check` is given: the files, or the corpus directory. */
  readonly args: readonly string[];
  readonly bytes: number;
}

interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

function timed(fn: () => void): Sample {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

async function timedAsync(fn: () => Promise<void>): Promise<Sample> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1e6 };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function parseAll(files: readonly string[]): TraceEvent[][] {
  return files.map((f) => parseText(readFileSync(f, 'utf8'), { file: f }));
}

function syscallsOf(runs: readonly TraceEvent[][]): number {
  let n = 0;
  for (const events of runs) for (const e of events) if (e.kind === 'syscall') n++;
  return n;
}

interface CheckSummary {
  readonly status: number;
  readonly events: number;
  readonly checked: number;
  readonly effectChecked: number;
  readonly adopted: number;
  readonly verdicts: Record<string, number>;
}

/** `forkscope check ARGS --json`, in this thread, as a user runs it. */
async function checkOnce(args: readonly string[]): Promise<CheckSummary> {
  let out = '';
  const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true }, cwd: repoRoot, isTTY: false };
  const status = await main(['check', ...args, '--json'], io);
  const json = JSON.parse(out) as { captures: { verdict: string; events: number; checked: number; effectChecked: number; adopted: number }[] };
  const s = { status, events: 0, checked: 0, effectChecked: 0, adopted: 0, verdicts: {} as Record<string, number> };
  for (const c of json.captures) {
    s.events += c.events;
    s.checked += c.checked;
    s.effectChecked += c.effectChecked;
    s.adopted += c.adopted;
    s.verdicts[c.verdict] = (s.verdicts[c.verdict] ?? 0) + 1;
  }
  return s;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

interface Throughput {
  readonly MB: number;
  readonly events: number;
  readonly check: CheckSummary;
  readonly parse: { readonly eventsPerSecWall: number; readonly eventsPerSecCpu: number; readonly MBpsCpu: number };
  readonly checkRate: { readonly eventsPerSecWall: number; readonly eventsPerSecCpu: number; readonly MBpsCpu: number };
  readonly replayRate: { readonly eventsPerSecCpu: number };
  /** check events/s ÷ parse events/s, per CPU second. */
  readonly checkToParse: number;
}

async function throughput(input: Input, runs: number): Promise<Throughput> {
  const parsed = parseAll(input.files);
  const events = syscallsOf(parsed);
  const check = await checkOnce(input.args); // also the warm-up of check
  if (check.events !== events) throw new Error(`check-bench: check counted ${check.events} events, the parser ${events}`);
  parseAll(input.files); // warm-up of parse
  const caseFs = input.files.map((f) => caseOptions(f));
  const samples = { parse: [] as Sample[], check: [] as Sample[], replay: [] as Sample[] };
  for (let r = 0; r < runs; r++) {
    gc();
    samples.parse.push(timed(() => void parseAll(input.files)));
    gc();
    samples.check.push(await timedAsync(async () => void (await checkOnce(input.args))));
    gc();
    samples.replay.push(timed(() => parsed.forEach((evs, i) => replayCapture(evs, caseFs[i] ?? {}))));
  }
  const rate = (xs: Sample[], k: 'wall' | 'cpu'): number => events / median(xs.map((s) => s[k]));
  const mbps = (xs: Sample[]): number => input.bytes / 1e6 / median(xs.map((s) => s.cpu));
  return {
    MB: input.bytes / 1e6,
    events,
    check,
    parse: { eventsPerSecWall: rate(samples.parse, 'wall'), eventsPerSecCpu: rate(samples.parse, 'cpu'), MBpsCpu: mbps(samples.parse) },
    checkRate: { eventsPerSecWall: rate(samples.check, 'wall'), eventsPerSecCpu: rate(samples.check, 'cpu'), MBpsCpu: mbps(samples.check) },
    replayRate: { eventsPerSecCpu: rate(samples.replay, 'cpu') },
    checkToParse: rate(samples.check, 'cpu') / rate(samples.parse, 'cpu'),
  };
}

/** The replay options check would use for this capture: its case.json's fs manifest and cwd. */
function caseOptions(file: string): { fs?: never[]; cwd?: string } {
  try {
    const c = JSON.parse(readFileSync(join(file, '..', 'case.json'), 'utf8')) as { fs?: never[]; cwd?: string };
    return { ...(c.fs !== undefined ? { fs: c.fs } : {}), ...(c.cwd !== undefined ? { cwd: c.cwd } : {}) };
  } catch {
    return {};
  }
}

function corpusFiles(): string[] {
  const manifest = JSON.parse(readFileSync(join(corpusDir, 'manifest.json'), 'utf8')) as { cases: { path: string }[] };
  return manifest.cases.map((c) => join(corpusDir, c.path, 'capture.strace'));
}

/** Wall seconds of the built CLI over the corpus with -j N; its stdout, to compare verdicts. */
function cliRun(jobs: number): { wall: number; stdout: string; status: number | null } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'check', corpusDir, '--json', '-j', String(jobs)], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const wall = (performance.now() - t0) / 1000;
  if (r.error) throw r.error;
  return { wall, stdout: r.stdout, status: r.status };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function run(argv: readonly string[]): Promise<void> {
  let runs = 5;
  let cliRuns = 3;
  let capture: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') runs = Number(argv[++i]);
    else if (argv[i] === '--cli-runs') cliRuns = Number(argv[++i]);
    else if (argv[i] === '--capture') capture = argv[++i];
    else throw new Error(`check-bench: unknown argument ${argv[i]}`);
  }
  capture ??= ensureCapture({ out: defaultCapturePath, bytes: 50e6 });
  const files = corpusFiles();
  const inputs: Input[] = [
    { name: 'capture', files: [capture], args: [capture], bytes: statSync(capture).size },
    { name: 'corpus', files, args: [corpusDir], bytes: files.reduce((n, f) => n + statSync(f).size, 0) },
  ];
  console.log(`check throughput, one thread, median of ${runs} interleaved runs after a warm-up (${availableParallelism()} CPUs, load ${loadavg()[0]?.toFixed(1)})`);
  console.log('input     MB      events   parse ev/s (cpu)  parse MB/s  check ev/s (cpu)  check MB/s  check/parse  replay ev/s   checked+effect  verdicts');
  const figures: Record<string, Throughput> = {};
  for (const input of inputs) {
    const t = await throughput(input, runs);
    figures[input.name] = t;
    const covered = t.check.checked + t.check.effectChecked;
    console.log(
      [
        input.name.padEnd(7),
        t.MB.toFixed(1).padStart(6),
        fmt(t.events).padStart(10),
        fmt(t.parse.eventsPerSecCpu).padStart(17),
        t.parse.MBpsCpu.toFixed(1).padStart(11),
        fmt(t.checkRate.eventsPerSecCpu).padStart(17),
        t.checkRate.MBpsCpu.toFixed(1).padStart(11),
        `${(t.checkToParse * 100).toFixed(0)}%`.padStart(12),
        fmt(t.replayRate.eventsPerSecCpu).padStart(12),
        `${fmt(covered)} (${((covered / t.events) * 100).toFixed(1)}%)`.padStart(16),
        ' ' + JSON.stringify(t.check.verdicts),
      ].join(' '),
    );
  }
  const worst = Math.min(...Object.values(figures).map((t) => t.checkRate.eventsPerSecCpu));
  const worstRatio = Math.min(...Object.values(figures).map((t) => t.checkToParse));
  const targets = { checkToParseAtLeast: 0.4, checkEventsPerSecAtLeast: 1_000_000 };
  const met = { checkToParse: worstRatio >= targets.checkToParseAtLeast, eventsPerSec: worst >= targets.checkEventsPerSecAtLeast };
  console.log(
    `targets: check ≥ 40% of parse: ${met.checkToParse ? 'met' : 'MISSED'} (worst ${(worstRatio * 100).toFixed(0)}%); ` +
      `check ≥ 1,000,000 events/s: ${met.eventsPerSec ? 'met' : 'MISSED'} (worst ${fmt(worst)})`,
  );
  const fastestParse = Math.max(...Object.values(figures).map((t) => t.parse.eventsPerSecCpu));
  if (fastestParse < targets.checkEventsPerSecAtLeast) {
    // check parses first, so it cannot beat the parser: say which of the two limits the rate.
    console.log(`note: parsing alone reaches ${fmt(fastestParse)} events/s here, below the check target before any replay`);
  }
  const cap = figures['capture'];
  if (cap !== undefined && cap.check.adopted > cap.events / 2) {
    console.log(`note: on the capture ${fmt(cap.check.adopted)} of ${fmt(cap.events)} events are adopted (the replay stops at a divergence), so its check rate is mostly parse; the corpus row replays every event`);
  }

  // Whole corpus through the built CLI, one process per run (startup included), -j 1 vs -j 2.
  const wall: Record<'j1' | 'j2', number[]> = { j1: [], j2: [] };
  // Compared pair by pair: -j 1 then -j 2 straight after, so a rebuild of dist/ between rounds
  // (others commit while the benchmark runs) is not mistaken for a -j difference.
  let identical = true;
  for (let r = 0; r < cliRuns; r++) {
    const one = cliRun(1);
    const two = cliRun(2);
    for (const [j, res] of [[1, one], [2, two]] as const) {
      if (res.status !== 0 && res.status !== 1) throw new Error(`check-bench: forkscope check -j ${j} exited ${res.status}`);
    }
    wall.j1.push(one.wall);
    wall.j2.push(two.wall);
    if (one.stdout !== two.stdout || one.status !== two.status) identical = false;
  }
  const j1 = median(wall.j1);
  const j2 = median(wall.j2);
  console.log(`whole corpus (${files.length} captures), built CLI, median of ${cliRuns} runs: -j 1 ${j1.toFixed(2)} s, -j 2 ${j2.toFixed(2)} s (speed-up ${(j1 / j2).toFixed(2)}×); --json output identical: ${identical ? 'yes' : 'NO'}`);
  if (!identical) process.exitCode = 1;
  console.log('RESULT ' + JSON.stringify({ runs, throughput: figures, targets, met, corpusCli: { captures: files.length, j1Seconds: j1, j2Seconds: j2, speedup: j1 / j2, identical, cpus: availableParallelism(), load1: loadavg()[0] } }));
}

await run(process.argv.slice(2));
