// `forkscope check` throughput, one thread, against the parser's:
//   parse  — the tracer's streaming scan of the file (parseBatches over a file stream, lazy
//            arguments): the floor any check pays, as check itself streams the file (it used to
//            be parseText() of the whole file into one array, which holds every event and is
//            slower than the streaming check; the issue's ratio is to the scan);
//   check  — `forkscope check FILE --json` in-process (read, parse, replay through the emulated
//            kernel, judge, render): what a user waits for;
//   replay — replayCapture() alone on already-parsed events (where check's extra time goes).
// Measured on B's ≥50 MB real capture (gen-capture.ts) and on the whole corpus (where every
// capture replays to its end), each workload in fresh processes of its own (warmed up there),
// taking turns; median of the processes' medians, per wall
// second and per CPU second (the steadier figure on a shared machine). Events are syscall
// events (a split call counts once), the unit `check --json` reports.
// Targets: check ≥ 40% of parse's events/s and ≥ 1,000,000 events/s. Then `check -j`: the
// built CLI, one process per run (start-up included), -j 1 and -j 2 run pair by pair, on the
// corpus, on many small captures (the corpus copied 8 times into a temporary directory: 480
// captures that all replay to their end) and on substantial work per capture (the bench capture
// twice, linked under two names); wall and CPU seconds (user and system, all threads, and split
// into main thread, check workers and V8's helper threads), the speed-up, and whether the
// --json output and the exit status are identical in every pair.
//
//   node tools/bench/dist/check-bench.js [--runs 5] [--capture FILE] [--cli-runs 5 (0: no -j figures)] [--copies 8] [--big-copies 2] [--jobs-only] [--cli BIN]
import { spawnSync } from 'node:child_process';
import { createReadStream, cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '@forkscope/conformance';
import { replayCapture } from '@forkscope/shim';
import { parseBatches, parseText, type TraceEvent } from '@forkscope/tracer';
import { defaultCapturePath, ensureCapture, repoRoot } from './gen-capture.js';

const corpusDir = join(repoRoot, 'corpus');
/** The CLI the -j figures run: the repository's bin, or `--cli FILE` (a copy of the built packages, out of reach of rebuilds). */
let cli = join(repoRoot, 'packages', 'conformance', 'bin', 'forkscope.mjs');

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

/** The streaming scan check starts from: every event of every file, lazy arguments, nothing kept. */
async function scanAll(files: readonly string[]): Promise<number> {
  let n = 0;
  for (const f of files) {
    for await (const batch of parseBatches(createReadStream(f, { highWaterMark: 1 << 20 }), { file: f })) {
      for (const e of batch) if (e.kind === 'syscall') n++;
    }
  }
  return n;
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

/** A workload the throughput table measures; each is sampled in a process of its own. */
type Workload = 'scan' | 'check' | 'replay';
const WORKLOADS: readonly Workload[] = ['scan', 'check', 'replay'];
/**
 * Per sampling process: untimed runs first, at least WARM_UPS and at least WARM_UP_SECONDS of
 * them (V8 optimizes the hot code on a helper thread whose CPU the samples would otherwise
 * count; a corpus check takes 0.2 s, two of them left it half-compiled), then timed ones.
 */
const WARM_UPS = 2;
const WARM_UP_SECONDS = 3;
const SAMPLES_PER_PROCESS = 3;

/** One run of a workload over an input: what `--sample` times. */
async function runWorkload(w: Workload, input: Input): Promise<Sample> {
  switch (w) {
    case 'scan':
      return timedAsync(async () => void (await scanAll(input.files)));
    case 'check':
      return timedAsync(async () => void (await checkOnce(input.args)));
    case 'replay': {
      // The parsed capture replayCapture takes (hundreds of MB for the bench capture) is made
      // untimed for this run alone and dropped after it.
      const parsed = parseAll(input.files);
      const caseFs = input.files.map((f) => caseOptions(f));
      return timed(() => parsed.forEach((evs, i) => replayCapture(evs, caseFs[i] ?? {})));
    }
    default: {
      const never: never = w;
      throw new Error(`check-bench: unknown workload ${String(never)}`);
    }
  }
}

/**
 * `--sample W INPUT_JSON`: the child side. Runs W over the input untimed to warm up, then
 * SAMPLES_PER_PROCESS times timed, and prints the samples as `SAMPLES <json>`.
 */
async function sampleMode(w: Workload, input: Input): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < WARM_UPS || performance.now() - t0 < WARM_UP_SECONDS * 1000; i++) await runWorkload(w, input);
  const samples: Sample[] = [];
  for (let i = 0; i < SAMPLES_PER_PROCESS; i++) samples.push(await runWorkload(w, input));
  console.log('SAMPLES ' + JSON.stringify(samples));
}

/** The median sample (wall and CPU taken apart) of one fresh process running `w` over the input. */
function sampleInChild(w: Workload, input: Input): Sample {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [self, '--sample', w, JSON.stringify(input)], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  const line = r.stdout.split('\n').find((l) => l.startsWith('SAMPLES '));
  if (r.status !== 0 || line === undefined) throw new Error(`check-bench: the ${w} sampler exited ${r.status}: ${r.stderr.slice(0, 500)}`);
  const xs = JSON.parse(line.slice('SAMPLES '.length)) as Sample[];
  return { wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) };
}

async function throughput(input: Input, runs: number): Promise<Throughput> {
  const events = syscallsOf(parseAll(input.files));
  const check = await checkOnce(input.args);
  if (check.events !== events) throw new Error(`check-bench: check counted ${check.events} events, the parser ${events}`);
  const scanned = await scanAll(input.files);
  if (scanned !== events) throw new Error(`check-bench: the scan counted ${scanned} events, parseText ${events}`);
  // Each workload runs in a fresh process of its own, warmed up there, and the processes take
  // turns: no workload runs on a heap another has shaped. In one process, each ran on what the
  // others left: the same build read 31% (scan and check alternating; the scan ran a fifth
  // faster than in a process of its own, on a young generation the check had grown) or 42%
  // (a replay sample between them), with the order of the samples alone. A user's
  // `forkscope check` is a process of its own.
  const samples: Record<Workload, Sample[]> = { scan: [], check: [], replay: [] };
  for (let r = 0; r < runs; r++) for (const w of WORKLOADS) samples[w].push(sampleInChild(w, input));
  const rate = (xs: Sample[], k: 'wall' | 'cpu'): number => events / median(xs.map((s) => s[k]));
  const mbps = (xs: Sample[]): number => input.bytes / 1e6 / median(xs.map((s) => s.cpu));
  return {
    MB: input.bytes / 1e6,
    events,
    check,
    parse: { eventsPerSecWall: rate(samples.scan, 'wall'), eventsPerSecCpu: rate(samples.scan, 'cpu'), MBpsCpu: mbps(samples.scan) },
    checkRate: { eventsPerSecWall: rate(samples.check, 'wall'), eventsPerSecCpu: rate(samples.check, 'cpu'), MBpsCpu: mbps(samples.check) },
    replayRate: { eventsPerSecCpu: rate(samples.replay, 'cpu') },
    checkToParse: rate(samples.check, 'cpu') / rate(samples.scan, 'cpu'),
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

/** A run of the built CLI: wall seconds, CPU seconds (user + system, every thread), its stdout and exit status. */
interface CliSample {
  readonly wall: number;
  readonly cpu: number;
  readonly user: number;
  readonly system: number;
  /** The main thread's CPU seconds, when /proc shows threads. */
  readonly main: number | null;
  /** The check workers' CPU seconds together (0 under -j 1). */
  readonly workers: number;
  readonly stdout: string;
  readonly status: number | null;
}

/**
 * The child's CPU time, written at exit by a preloaded module (spawnSync reports no resource
 * usage) to the file the environment names, as JSON: user and system seconds of the whole process
 * (getrusage: every thread, exited ones included), and per thread where Linux's /proc shows it —
 * the main thread, each check worker (a worker's preload appends its thread id to FILE.workers),
 * and the rest, V8's helper threads (optimizing compiler, GC) and libuv's. Threads are sampled
 * every 50 ms, since workers have exited by the end (error: ≤ 50 ms per worker). Preloads run in
 * workers too: a worker inherits the process's --import.
 */
const CPU_PRELOAD = `import { appendFileSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
const out = process.env.FORKSCOPE_BENCH_CPU_FILE;
const tidOf = () => { try { return readlinkSync('/proc/thread-self').split('/').pop(); } catch { return null; } };
if (!isMainThread) {
  const tid = tidOf();
  if (tid !== null) appendFileSync(out + '.workers', tid + '\\n');
} else {
  const seen = new Map();
  const sample = () => {
    let tids;
    try { tids = readdirSync('/proc/self/task'); } catch { return; }
    for (const t of tids) {
      try {
        const stat = readFileSync('/proc/self/task/' + t + '/stat', 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        seen.set(t, (Number(f[11]) + Number(f[12])) / 100); // utime + stime, in clock ticks of 1/100 s
      } catch {}
    }
  };
  setInterval(sample, 50).unref();
  const main = tidOf();
  process.on('exit', () => {
    sample();
    const c = process.cpuUsage();
    let workerTids = [];
    try { workerTids = readFileSync(out + '.workers', 'utf8').split('\\n').filter((t) => t !== ''); } catch {}
    writeFileSync(out, JSON.stringify({
      user: c.user / 1e6,
      system: c.system / 1e6,
      main: main !== null && seen.has(main) ? seen.get(main) : null,
      workers: workerTids.map((t) => seen.get(t) ?? 0),
    }));
  });
}
`;

function cliRun(work: string, args: readonly string[], jobs: number): CliSample {
  const cpuFile = join(work, 'cpu.json');
  rmSync(`${cpuFile}.workers`, { force: true });
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', join(work, 'cpu-preload.mjs'), cli, 'check', ...args, '--json', '-j', String(jobs)], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    env: { ...process.env, FORKSCOPE_BENCH_CPU_FILE: cpuFile },
  });
  const wall = (performance.now() - t0) / 1000;
  if (r.error) throw r.error;
  if (r.status !== 0 && r.status !== 1) throw new Error(`check-bench: forkscope check -j ${jobs} exited ${r.status}: ${r.stderr.slice(0, 500)}`);
  const c = JSON.parse(readFileSync(cpuFile, 'utf8')) as { user: number; system: number; main: number | null; workers: number[] };
  return {
    wall,
    cpu: c.user + c.system,
    user: c.user,
    system: c.system,
    main: c.main,
    workers: c.workers.reduce((a, b) => a + b, 0),
    stdout: r.stdout,
    status: r.status,
  };
}

/** One -j setting's medians over the pairs: wall and CPU seconds, CPU split by thread. */
interface JobsRun {
  readonly wall: number;
  /** user + system, every thread. */
  readonly cpu: number;
  readonly user: number;
  readonly system: number;
  /** The main thread (CLI, discovery, rendering; under -j 1 also the check itself). */
  readonly main: number | null;
  /** The check workers together. */
  readonly workers: number;
  /** Everything else: V8's helper threads (optimizing compiler, GC) and libuv's. */
  readonly helpers: number | null;
}

interface JobsFigure {
  readonly captures: number;
  readonly MB: number;
  readonly j1Seconds: number;
  readonly j2Seconds: number;
  /** Median over the pairs of -j 1 wall ÷ -j 2 wall (each pair ran back to back). */
  readonly speedup: number;
  readonly j1CpuSeconds: number;
  readonly j2CpuSeconds: number;
  readonly j1: JobsRun;
  readonly j2: JobsRun;
  readonly identical: boolean;
}

function jobsRun(samples: readonly CliSample[]): JobsRun {
  const mains = samples.map((x) => x.main);
  const known = mains.every((m) => m !== null);
  return {
    wall: median(samples.map((x) => x.wall)),
    cpu: median(samples.map((x) => x.cpu)),
    user: median(samples.map((x) => x.user)),
    system: median(samples.map((x) => x.system)),
    main: known ? median(mains as number[]) : null,
    workers: median(samples.map((x) => x.workers)),
    helpers: known ? median(samples.map((x) => x.cpu - (x.main as number) - x.workers)) : null,
  };
}

/**
 * -j 1 and -j 2 over the same input, pair by pair (-j 1 then -j 2 straight after, so load from
 * others and a rebuild of dist/ between rounds hit both alike), medians of `runs` pairs after a
 * warm-up pair.
 */
function jobsFigure(work: string, args: readonly string[], captures: number, bytes: number, runs: number): JobsFigure {
  cliRun(work, args, 1);
  cliRun(work, args, 2);
  const one: CliSample[] = [];
  const two: CliSample[] = [];
  let identical = true;
  for (let r = 0; r < runs; r++) {
    const a = cliRun(work, args, 1);
    const b = cliRun(work, args, 2);
    one.push(a);
    two.push(b);
    if (a.stdout !== b.stdout || a.status !== b.status) identical = false;
  }
  const j1 = jobsRun(one);
  const j2 = jobsRun(two);
  return {
    captures,
    MB: bytes / 1e6,
    j1Seconds: j1.wall,
    j2Seconds: j2.wall,
    speedup: median(one.map((a, i) => a.wall / (two[i] as CliSample).wall)),
    j1CpuSeconds: j1.cpu,
    j2CpuSeconds: j2.cpu,
    j1,
    j2,
    identical,
  };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The one-thread throughput table (parse, check, replay) on the big capture and the corpus; fills `figures`. */
async function throughputSection(
  given: string | undefined,
  files: readonly string[],
  runs: number,
  figures: Record<string, Throughput>,
  targets: { readonly checkToParseAtLeast: number; readonly checkEventsPerSecAtLeast: number },
): Promise<{ checkToParse: boolean; eventsPerSec: boolean }> {
  let capture = given;
  capture ??= ensureCapture({ out: defaultCapturePath, bytes: 50e6 });
  const inputs: Input[] = [
    { name: 'capture', files: [capture], args: [capture], bytes: statSync(capture).size },
    { name: 'corpus', files, args: [corpusDir], bytes: files.reduce((n, f) => n + statSync(f).size, 0) },
  ];
  console.log(`check throughput, one thread, median of ${runs} processes per workload, taking turns, each warmed up (≥ ${WARM_UPS} runs, ≥ ${WARM_UP_SECONDS} s) then the median of ${SAMPLES_PER_PROCESS} runs (${availableParallelism()} CPUs, load ${loadavg()[0]?.toFixed(1)})`);
  console.log('input     MB      events    scan ev/s (cpu)   scan MB/s  check ev/s (cpu)  check MB/s  check/scan   replay ev/s   checked+effect  verdicts');
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
  // The issue sets the targets on the ≥50 MB capture; the corpus (60 small captures, where each
  // capture's set-up weighs) is shown beside it.
  const big = figures['capture'] as Throughput;
  const met = { checkToParse: big.checkToParse >= targets.checkToParseAtLeast, eventsPerSec: big.checkRate.eventsPerSecCpu >= targets.checkEventsPerSecAtLeast };
  const corpusRatio = figures['corpus']?.checkToParse;
  console.log(
    `targets (the ${big.MB.toFixed(1)} MB capture): check ≥ 40% of the scan: ${met.checkToParse ? 'met' : 'MISSED'} (${(big.checkToParse * 100).toFixed(0)}%` +
      `${corpusRatio !== undefined ? `; corpus ${(corpusRatio * 100).toFixed(0)}%` : ''}); ` +
      `check ≥ 1,000,000 events/s: ${met.eventsPerSec ? 'met' : 'MISSED'} (${fmt(big.checkRate.eventsPerSecCpu)})`,
  );
  const fastestParse = Math.max(...Object.values(figures).map((t) => t.parse.eventsPerSecCpu));
  if (fastestParse < targets.checkEventsPerSecAtLeast) {
    // check parses first, so it cannot beat the parser: say which of the two limits the rate.
    console.log(`note: the scan alone reaches ${fmt(fastestParse)} events/s here, below the check target before any replay`);
  }
  const cap = figures['capture'];
  if (cap !== undefined && cap.check.adopted > cap.events / 2) {
    console.log(`note: on the capture ${fmt(cap.check.adopted)} of ${fmt(cap.events)} events are adopted (the replay stops at a divergence), so its check rate is mostly parse; the corpus row replays every event`);
  }

  return met;
}

async function run(argv: readonly string[]): Promise<void> {
  if (argv[0] === '--sample') {
    const w = argv[1] as Workload;
    if (!WORKLOADS.includes(w) || argv[2] === undefined) throw new Error(`check-bench: --sample ${WORKLOADS.join('|')} INPUT_JSON`);
    await sampleMode(w, JSON.parse(argv[2]) as Input);
    return;
  }
  let runs = 5;
  let cliRuns = 5;
  let copies = 8;
  let bigCopies = 2;
  let jobsOnly = false;
  let capture: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') runs = Number(argv[++i]);
    else if (argv[i] === '--cli-runs') cliRuns = Number(argv[++i]);
    else if (argv[i] === '--copies') copies = Number(argv[++i]);
    else if (argv[i] === '--big-copies') bigCopies = Number(argv[++i]);
    else if (argv[i] === '--jobs-only') jobsOnly = true;
    else if (argv[i] === '--capture') capture = argv[++i];
    else if (argv[i] === '--cli') cli = argv[++i] as string;
    else throw new Error(`check-bench: unknown argument ${argv[i]}`);
  }
  const files = corpusFiles();
  const figures: Record<string, Throughput> = {};
  const targets = { checkToParseAtLeast: 0.4, checkEventsPerSecAtLeast: 1_000_000 };
  let met: { checkToParse: boolean; eventsPerSec: boolean } | null = null;
  if (!jobsOnly) met = await throughputSection(capture, files, runs, figures, targets);
  if (cliRuns <= 0) {
    // `--cli-runs 0`: the throughput figures alone.
    console.log('RESULT ' + JSON.stringify({ runs, throughput: figures, targets, met, corpusCli: null, jobs: {} }));
    return;
  }
  // check -j through the built CLI: the corpus, the corpus copied `copies` times, and the bench
  // capture `bigCopies` times (substantial work per capture: what a worker pool exists for).
  const work = mkdtempSync(join(tmpdir(), 'forkscope-check-bench-'));
  try {
    writeFileSync(join(work, 'cpu-preload.mjs'), CPU_PRELOAD);
    const copiesDir = join(work, 'corpus-copies');
    for (let i = 1; i <= copies; i++) cpSync(corpusDir, join(copiesDir, `copy-${i}`), { recursive: true });
    const bigCapture = capture ?? ensureCapture({ out: defaultCapturePath, bytes: 50e6 });
    // Links, not copies: the capture is read, never written, and 55 MB copies would only fill /tmp.
    const bigFiles: string[] = [];
    for (let i = 1; i <= bigCopies; i++) {
      const link = join(work, `capture-${i}.strace`);
      symlinkSync(bigCapture, link);
      bigFiles.push(link);
    }
    const corpusBytes = files.reduce((n, f) => n + statSync(f).size, 0);
    console.log(
      `check -j through the built CLI (one process per run, start-up included), median of ${cliRuns} -j 1/-j 2 pairs after a warm-up pair ` +
        `(${availableParallelism()} CPUs, load ${loadavg()[0]?.toFixed(1)}); speed-up is the median of the pairs' -j 1/-j 2 wall ratios; ` +
        'cpu is user+system of every thread, split into the main thread, the check workers and the rest (V8 compiler and GC threads, libuv)',
    );
    console.log('workload            captures       MB  -j 1 wall  -j 2 wall  speed-up   -j 1 cpu (user+sys)   main+helpers    -j 2 cpu (user+sys)   main+workers+helpers  identical');
    const jobs: Record<string, JobsFigure> = {};
    const secs = (n: number | null): string => (n === null ? '?' : n.toFixed(2));
    for (const [name, args, captures, bytes] of [
      ['corpus', [corpusDir], files.length, corpusBytes],
      [`corpus x${copies}`, [copiesDir], files.length * copies, corpusBytes * copies],
      [`capture x${bigCopies}`, bigFiles, bigCopies, statSync(bigCapture).size * bigCopies],
    ] as const) {
      const f = jobsFigure(work, args, captures, bytes, cliRuns);
      jobs[name] = f;
      console.log(
        [
          name.padEnd(18),
          String(f.captures).padStart(9),
          f.MB.toFixed(1).padStart(8),
          `${f.j1Seconds.toFixed(2)} s`.padStart(10),
          `${f.j2Seconds.toFixed(2)} s`.padStart(10),
          `${f.speedup.toFixed(2)}×`.padStart(9),
          `${secs(f.j1.cpu)} s (${secs(f.j1.user)}+${secs(f.j1.system)})`.padStart(22),
          `${secs(f.j1.main)}+${secs(f.j1.helpers)}`.padStart(14),
          `${secs(f.j2.cpu)} s (${secs(f.j2.user)}+${secs(f.j2.system)})`.padStart(22),
          `${secs(f.j2.main)}+${secs(f.j2.workers)}+${secs(f.j2.helpers)}`.padStart(22),
          (f.identical ? 'yes' : 'NO').padStart(10),
        ].join(' '),
      );
      if (!f.identical) process.exitCode = 1;
    }
    const c = jobs['corpus'] as JobsFigure;
    const corpusCli = { captures: c.captures, j1Seconds: c.j1Seconds, j2Seconds: c.j2Seconds, speedup: c.speedup, identical: c.identical, cpus: availableParallelism(), load1: loadavg()[0] };
    console.log('RESULT ' + JSON.stringify({ runs, throughput: figures, targets, met, corpusCli, jobs }));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await run(process.argv.slice(2));
