// The check pool's own behaviour, with stand-in worker modules written to a temp dir (plain .mjs,
// so they run without a build): results in input order whatever finishes first, a dead or
// misbehaving worker is an "error" verdict for the capture it held and never a hang, -j 1 starts
// no worker, and from source (no built worker) the run falls back to this thread with a notice.
import { writeFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { CaptureReport } from '../src/check/report.js';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkCapture } from '../src/check/check-capture.js';
import type { CaptureInput } from '../src/check/discover.js';
import { builtExecArgv, builtWorkerUrl, checkCaptures, dispatchOrder, openPool } from '../src/parallel/pool.js';

const corpus = fileURLToPath(new URL('../../../corpus/', import.meta.url));
const corpusInput = (id: string): CaptureInput => ({ file: join(corpus, id, 'capture.strace'), caseFile: join(corpus, id, 'case.json') });

/**
 * A stand-in worker: answers each task with a report whose `id` is the worker's thread id, after
 * a delay that shrinks with the index (so later captures finish first), and misbehaves on
 * captures whose file name asks for it.
 */
const FAKE_WORKER = `
import { existsSync } from 'node:fs';
import { parentPort, threadId } from 'node:worker_threads';
parentPort.on('message', ({ index, input }) => {
  const f = input.file;
  if (f.includes('exit7')) process.exit(7);
  if (f.includes('throw')) setTimeout(() => { throw new Error('boom in ' + f); }, 0);
  else if (f.includes('garbage')) parentPort.postMessage({ hello: 'world' });
  else if (f.includes('wrong-index')) parentPort.postMessage({ kind: 'report', index: index + 1000, report: {} });
  else if (f.includes('failed')) parentPort.postMessage({ kind: 'failed', index, message: 'checkCapture threw' });
  else if (f.includes('waits')) {
    // Answers only once the test has seen another capture's report (it creates FILE.go then).
    const poll = setInterval(() => {
      if (!existsSync(f + '.go')) return;
      clearInterval(poll);
      parentPort.postMessage({ kind: 'report', index, report: { file: f, id: 'waited', family: 'fake', verdict: 'conforms',
        events: 0, checked: 0, effectChecked: 0, adopted: 0, divergences: [], adoptedReasons: [] } });
    }, 5);
  }
  else if (f.includes('unclonable')) parentPort.postMessage({ kind: 'report', index, report: { f: () => 1 } });
  else setTimeout(() => parentPort.postMessage({ kind: 'report', index, report: {
    file: f, id: 'thread-' + threadId, family: 'fake', verdict: 'conforms', events: index, checked: index,
    effectChecked: 0, adopted: 0, divergences: [], adoptedReasons: [] } }), Math.max(0, 60 - index * 10));
});
`;

let dir = '';
let fake: URL;
let brokenModule: URL;
let crashOnAny: URL;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forkscope-pool-'));
  fake = pathToFileURL(join(dir, 'fake-worker.mjs'));
  await writeFile(fake, FAKE_WORKER);
  brokenModule = pathToFileURL(join(dir, 'broken-worker.mjs'));
  await writeFile(brokenModule, "throw new Error('this worker module does not load');\n");
  crashOnAny = pathToFileURL(join(dir, 'crash-worker.mjs'));
  await writeFile(crashOnAny, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(9));\n");
});

const files = (names: string[]): CaptureInput[] => names.map((n) => ({ file: `/nowhere/${n}.strace` }));

describe('check pool', () => {
  it('reports in input order although later captures finish first, using several workers', async () => {
    const inputs = files(['a', 'b', 'c', 'd', 'e', 'f']);
    const reports = await checkCaptures(inputs, { jobs: 3, workerUrl: fake });
    expect(reports.map((r) => r.file)).toEqual(inputs.map((i) => i.file));
    expect(reports.map((r) => r.events)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(new Set(reports.map((r) => r.id)).size).toBe(3);
  });

  it('never starts more workers than captures', async () => {
    const reports = await checkCaptures(files(['a', 'b']), { jobs: 8, workerUrl: fake });
    expect(new Set(reports.map((r) => r.id)).size).toBe(2);
  });

  it('a worker that exits or throws gives its capture an error verdict; the others are still checked, in order', async () => {
    const inputs = [
      { file: join(corpus, 'dash/pipeline/exit7.strace'), caseFile: join(corpus, 'dash/pipeline/case.json') },
      ...files(['a', 'throw', 'b', 'c', 'd']),
    ];
    const reports = await checkCaptures(inputs, { jobs: 2, workerUrl: fake });
    expect(reports.map((r) => r.file)).toEqual(inputs.map((i) => i.file));
    expect(reports.map((r) => r.verdict)).toEqual(['error', 'conforms', 'error', 'conforms', 'conforms', 'conforms']);
    // The crashed capture keeps its case's id and family, so the per-family summary still counts it.
    expect(reports[0]).toMatchObject({ id: 'dash/pipeline', family: 'dash', events: 0, divergences: [] });
    expect(reports[0]?.error).toBe(`${inputs[0]?.file}: the check worker exited (code 7) before reporting`);
    expect(reports[2]?.error).toContain('the check worker crashed: boom in /nowhere/throw.strace');
  });

  it('a worker that answers nonsense, the wrong capture, an uncloneable report or a failure: error verdicts, no hang', async () => {
    const inputs = files(['garbage', 'a', 'wrong-index', 'failed', 'unclonable', 'b']);
    const reports = await checkCaptures(inputs, { jobs: 2, workerUrl: fake });
    expect(reports.map((r) => r.verdict)).toEqual(['error', 'conforms', 'error', 'error', 'error', 'conforms']);
    expect(reports[0]?.error).toContain('unexpected message');
    expect(reports[2]?.error).toContain('unexpected message');
    expect(reports[3]?.error).toContain('internal error in the check worker: checkCapture threw');
    expect(reports[4]?.error).toMatch(/could not be cloned|crashed/);
  });

  it('a worker module that does not load makes every capture an error, and the run ends', async () => {
    const inputs = files(['a', 'b', 'c']);
    const reports = await checkCaptures(inputs, { jobs: 2, workerUrl: brokenModule });
    expect(reports.map((r) => r.verdict)).toEqual(['error', 'error', 'error']);
    for (const r of reports) expect(r.error).toContain('this worker module does not load');
  });

  it('workers that die on every capture are replaced until every capture has a verdict', async () => {
    const inputs = files(['a', 'b', 'c', 'd', 'e']);
    const reports = await checkCaptures(inputs, { jobs: 2, workerUrl: crashOnAny });
    expect(reports.map((r) => r.error)).toEqual(inputs.map((i) => `${i.file}: the check worker exited (code 9) before reporting`));
    expect(reports.map((r) => r.family)).toEqual(['other', 'other', 'other', 'other', 'other']);
  });

  it('-j 1 checks in this thread and never starts a worker (the crashing worker is not used)', async () => {
    const inputs = [corpusInput('dash/pipeline'), corpusInput('posix_spawn/exec-enoent')];
    const reports = await checkCaptures(inputs, { jobs: 1, workerUrl: crashOnAny });
    expect(reports.map((r) => r.verdict)).toEqual(['conforms', 'conforms']);
    expect(reports[0]).toEqual(await checkCapture(inputs[0] as CaptureInput));
  });

  it('from source there is no built worker: -j 2 says so once and checks in this thread, same reports as -j 1', async () => {
    expect(builtWorkerUrl()).toBeNull();
    const inputs = [corpusInput('dash/pipeline'), corpusInput('dash/trap'), corpusInput('posix_spawn/exec-enoent')];
    const notices: string[] = [];
    const two = await checkCaptures(inputs, { jobs: 2, notice: (m) => notices.push(m) });
    expect(notices).toEqual(['--jobs 2: no built worker (running from source); checking in one thread']);
    expect(two).toEqual(await checkCaptures(inputs, { jobs: 1, notice: (m) => notices.push(m) }));
    expect(notices).toHaveLength(1);
  });

  it('hands each report to onReport as it arrives (the progress bar moves per capture), before the run ends', async () => {
    // The first capture's worker answers only after onReport has seen another capture's report:
    // a pool that reported all at once at the end would never finish.
    const waits = join(dir, `waits-${Date.now()}.strace`);
    const inputs = [{ file: waits }, ...files(['a', 'b', 'c'])];
    const seen: number[] = [];
    let ended = false;
    const reports = await checkCaptures(inputs, {
      jobs: 2,
      workerUrl: fake,
      onReport: (index, report) => {
        expect(ended).toBe(false);
        expect(report.file).toBe(inputs[index]?.file);
        seen.push(index);
        if (index !== 0) writeFileSync(`${waits}.go`, '');
      },
    });
    ended = true;
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    expect(seen[0]).not.toBe(0);
    expect(reports.map((r) => r.file)).toEqual(inputs.map((i) => i.file));
    expect(reports[0]?.id).toBe('waited');
  });

  it('gives out the captures big enough to hold up the end first, largest first; the rest keep input order', async () => {
    const sizes = [10, 5000, 20, 3000, 20, 40];
    const inputs: CaptureInput[] = [];
    for (const [i, size] of sizes.entries()) {
      const file = join(dir, `sized-${i}.strace`);
      await writeFile(file, 'x'.repeat(size));
      inputs.push({ file });
    }
    inputs.push({ file: join(dir, 'missing.strace') });
    // 8090 bytes over 2 workers: above 1011 bytes a capture is big.
    expect(await dispatchOrder(inputs, 2)).toEqual([1, 3, 0, 2, 4, 5, 6]);
    // Over 8 workers the share is smaller (252 bytes), the same two are big.
    expect(await dispatchOrder(inputs, 8)).toEqual([1, 3, 0, 2, 4, 5, 6]);
    // One worker: nothing is big enough to reorder.
    expect(await dispatchOrder(inputs, 1)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // Many captures of similar sizes (like the corpus): none is big, input order.
    const similar: CaptureInput[] = [];
    for (let i = 0; i < 10; i++) {
      const file = join(dir, `similar-${i}.strace`);
      await writeFile(file, 'x'.repeat(30 - i));
      similar.push({ file });
    }
    expect(await dispatchOrder(similar, 2)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Few captures over few workers: each is a large share, so largest first.
    expect(await dispatchOrder([inputs[0], inputs[2], inputs[5]] as CaptureInput[], 2)).toEqual([2, 1, 0]);
    // The order work is given out in changes nothing in what comes back.
    const reports = await checkCaptures(inputs, { jobs: 2, workerUrl: fake });
    expect(reports.map((r) => r.file)).toEqual(inputs.map((i) => i.file));
  });

  it('a pool opened before the captures are known starts at most one worker per CPU, uses no more workers than captures, and runs once', async () => {
    const pool = openPool({ jobs: 64, workerUrl: fake });
    expect(pool.threaded).toBe(true);
    expect(pool.workersStarted()).toBe(Math.min(64, availableParallelism()));
    const reports = await pool.run(files(['a', 'b']));
    expect(pool.workersStarted()).toBe(Math.min(64, availableParallelism()));
    expect(reports.map((r) => r.verdict)).toEqual(['conforms', 'conforms']);
    expect(new Set(reports.map((r) => r.id)).size).toBe(2);
    await expect(pool.run(files(['c']))).rejects.toThrow('a check pool runs once');
  });

  it('a run with more captures than CPUs and -j above the CPU count starts the remaining workers when it starts', async () => {
    const n = availableParallelism() + 2;
    const pool = openPool({ jobs: n, workerUrl: fake });
    const reports = await pool.run(files(Array.from({ length: n }, (_, i) => `w${i}`)));
    expect(pool.workersStarted()).toBe(n);
    expect(new Set(reports.map((r) => r.id)).size).toBeGreaterThan(1);
    expect(reports.map((r) => r.verdict)).toEqual(Array.from({ length: n }, () => 'conforms'));
  });

  it('a pool whose workers failed to load before the run still gives every capture an error verdict', async () => {
    const pool = openPool({ jobs: 2, workerUrl: brokenModule });
    await new Promise((r) => setTimeout(r, 300)); // let both workers die before the run starts
    const reports: CaptureReport[] = await pool.run(files(['a', 'b', 'c']));
    expect(reports.map((r) => r.verdict)).toEqual(['error', 'error', 'error']);
    for (const r of reports) expect(r.error).toContain('this worker module does not load');
  });

  it('a pool closed without a run stops its workers; a single capture is checked in this thread', async () => {
    openPool({ jobs: 3, workerUrl: fake }).close();
    const one = [corpusInput('posix_spawn/exec-enoent')];
    const reports = await checkCaptures(one, { jobs: 2, workerUrl: crashOnAny });
    expect(reports.map((r) => r.verdict)).toEqual(['conforms']);
  });

  it('workers get the Node options of the process without the source condition (they run built code)', () => {
    expect(builtExecArgv(['--conditions', '@forkscope/source', '--conditions', 'node', '-C', '@forkscope/source', '--conditions=@forkscope/source', '--max-old-space-size=512'])).toEqual([
      '--conditions',
      'node',
      '--max-old-space-size=512',
    ]);
    // Nothing to take out: undefined, so the worker inherits the options as Node passes them (V8 flags included).
    expect(builtExecArgv(['--conditions', 'development', '--max-inlined-bytecode-size-cumulative=200'])).toBeUndefined();
  });
});
