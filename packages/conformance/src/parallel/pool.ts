// Checks a run's captures on up to N worker threads and returns their reports in input order,
// so that `check -j N` prints exactly what `check -j 1` prints. What makes it scale (measured in
// docs/scaling.md):
// - workers (up to one per CPU) are started by openPool before the captures are even
//   discovered, so their module loading (the bulk of a worker's start-up) overlaps the walk;
// - never more workers than captures: extra ones are stopped as soon as the count is known;
// - captures big enough to matter go first (largest first), the rest in input order, each
//   worker taking the next when it finishes one, so a big capture does not start last and
//   leave the other cores idle at the end (dispatchOrder says why not all by size);
// - each report is handed to onReport as it arrives (the progress bar moves per capture);
// - messages are plain objects (structured clone), a task is an index and two paths;
// - the main thread loads neither the replay nor the kernel (check-capture.js and, for a crashed
//   worker's report, crash-report.js are imported only when needed), so it starts the workers
//   sooner and leaves both cores to them.
// A worker that dies, or fails to load, costs the capture it held an "error" verdict and is
// replaced; the run always ends.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CheckOptions } from '../check/check-capture.js';
import type { CaptureInput } from '../check/discover.js';
import type { CaptureReport } from '../check/report.js';
import type { CheckTask } from './messages.js';
import { isWorkerReply } from './messages.js';

export interface PoolOptions {
  /** How many captures at once; 1 checks them one after another in this thread. */
  readonly jobs: number;
  /** The worker entry module (tests substitute one); default: the built check-worker.js beside this module. */
  readonly workerUrl?: URL;
  /** Called once when jobs > 1 but no built worker exists, so the run goes on in this thread. */
  readonly notice?: (message: string) => void;
}

export interface RunOptions {
  readonly check?: CheckOptions;
  /** Each capture's report as soon as it is known (in completion order; `index` is its input position). */
  readonly onReport?: (index: number, report: CaptureReport) => void;
}

/** Workers (or this thread) ready to check one run of captures. */
export interface CheckPool {
  /** Whether captures are checked in worker threads (false: in this thread, one at a time). */
  readonly threaded: boolean;
  /** How many worker threads it has started so far (0 in this thread). */
  workersStarted(): number;
  /** Checks every input; the reports come back in input order. A pool runs once. */
  run(inputs: readonly CaptureInput[], options?: RunOptions): Promise<CaptureReport[]>;
  /** Stops the workers without running (a command that fails before its run calls this). */
  close(): void;
}

/**
 * The built worker beside this module, or null when this module is itself the TypeScript
 * source (Vitest, a source condition): a worker thread would need dist/, which may be stale
 * or missing, so the caller falls back to checking in this thread instead of guessing.
 */
export function builtWorkerUrl(): URL | null {
  if (!import.meta.url.endsWith('.js')) return null;
  const url = new URL('./check-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : null;
}

/**
 * A pool for `jobs` captures at once. With jobs > 1 its workers start loading now, so call it
 * before the (slower) work of finding the captures; `run` then uses at most as many as there are
 * captures.
 */
export function openPool(options: PoolOptions): CheckPool {
  if (options.jobs <= 1) return inThreadPool();
  const url = options.workerUrl ?? builtWorkerUrl();
  if (url === null) {
    options.notice?.(`--jobs ${options.jobs}: no built worker (running from source); checking in one thread`);
    return inThreadPool();
  }
  return workerPool(url, options.jobs);
}

/** openPool and run in one call (the pool's workers start when the inputs are already known). */
export async function checkCaptures(inputs: readonly CaptureInput[], options: PoolOptions & RunOptions): Promise<CaptureReport[]> {
  // One capture gains nothing from a thread of its own: check it here, as -j 1 does.
  const pool = inputs.length <= 1 ? inThreadPool() : openPool(options);
  return pool.run(inputs, options);
}

function inThreadPool(): CheckPool {
  return {
    threaded: false,
    workersStarted: () => 0,
    async run(inputs, options = {}) {
      // Loaded on first use: under -j N the main thread never needs the replay and the kernel.
      const { checkCapture } = await import('../check/check-capture.js');
      const reports: CaptureReport[] = [];
      for (const [index, input] of inputs.entries()) {
        const report = await checkCapture(input, options.check ?? {});
        reports.push(report);
        options.onReport?.(index, report);
      }
      return reports;
    },
    close() {},
  };
}

/** A worker thread and the capture it is working on. */
interface Slot {
  readonly worker: Worker;
  /** The input position it is checking, if any. */
  held: number | null;
  /** Why the worker is going away, when something went wrong (its 'exit' reports the capture it held). */
  why: string | null;
  /** It has exited (before the run, a worker whose module did not load). */
  exited: boolean;
  /** It works for the run (not one stopped because there were fewer captures than workers). */
  inRun: boolean;
}

/** One run's progress: which capture is next, what has come back, who is still working. */
interface RunState {
  readonly inputs: readonly CaptureInput[];
  readonly order: readonly number[];
  readonly check: CheckOptions;
  readonly results: (CaptureReport | undefined)[];
  readonly onReport: ((index: number, report: CaptureReport) => void) | undefined;
  readonly resolve: (reports: CaptureReport[]) => void;
  next: number;
  live: number;
  /** Crash reports still being built (crash-report.js loads on first use). */
  pending: number;
}

function workerPool(url: URL, jobs: number): CheckPool {
  const slots: Slot[] = [];
  let state: RunState | null = null;
  let used = false;

  const settle = (s: RunState, index: number, report: CaptureReport): void => {
    s.results[index] = report;
    s.onReport?.(index, report);
  };
  const giveNext = (s: RunState, slot: Slot): void => {
    if (s.next >= s.order.length) {
      slot.held = null;
      void slot.worker.terminate();
      return;
    }
    const index = s.order[s.next++] as number;
    slot.held = index;
    const task: CheckTask = { index, input: s.inputs[index] as CaptureInput, options: s.check };
    slot.worker.postMessage(task);
  };
  const finishIfDone = (s: RunState): void => {
    if (s.live > 0 || s.pending > 0) return;
    // Every index was either answered or turned into a crash report when its worker exited.
    if (s.results.every((r) => r !== undefined)) s.resolve(s.results as CaptureReport[]);
    else void crashReports(s.inputs, s.results, 'not checked: the worker pool stopped early (a bug)').then(s.resolve);
  };
  const settleCrash = (s: RunState, index: number, why: string): void => {
    s.pending++;
    void import('./crash-report.js').then(({ crashReport }) => {
      s.pending--;
      settle(s, index, crashReport(s.inputs[index] as CaptureInput, why));
      finishIfDone(s);
    });
  };
  const enlist = (s: RunState, slot: Slot): void => {
    slot.inRun = true;
    s.live++;
    giveNext(s, slot);
  };

  // Listeners go on at once: a worker whose module does not load may exit before the run starts.
  const execArgv = builtExecArgv(process.execArgv);
  const spawn = (): Slot => {
    const slot: Slot = { worker: startWorker(url, execArgv), held: null, why: null, exited: false, inRun: false };
    slots.push(slot);
    const { worker } = slot;
    worker.on('message', (m: unknown) => {
      const s = state;
      if (s === null || !isWorkerReply(m) || m.index !== slot.held) {
        slot.why = 'the check worker sent an unexpected message';
        void worker.terminate();
        return;
      }
      slot.held = null;
      if (m.kind === 'report') settle(s, m.index, m.report);
      else settleCrash(s, m.index, `internal error in the check worker: ${m.message}`);
      giveNext(s, slot);
    });
    worker.on('messageerror', (err) => {
      slot.why = `the check worker's reply could not be read: ${err.message}`;
      void worker.terminate();
    });
    // 'error' (an uncaught exception, a module that does not load) is always followed by 'exit'.
    worker.on('error', (err) => {
      slot.why = `the check worker crashed: ${err.message}`;
    });
    worker.on('exit', (code) => {
      slot.exited = true;
      const s = state;
      if (s === null || !slot.inRun) return; // before the run: replaced when it starts
      s.live--;
      if (slot.held !== null) {
        const held = slot.held;
        slot.held = null;
        settleCrash(s, held, slot.why ?? `the check worker exited (code ${code}) before reporting`);
        if (s.next < s.order.length) enlist(s, spawn());
      }
      finishIfDone(s);
    });
    return slot;
  };

  // Before the captures are counted, start no more than the CPUs can load at once: `-j 64` on
  // three captures must not create 64 isolates first. run() starts the rest it needs.
  for (let i = 0; i < Math.min(jobs, availableParallelism()); i++) spawn();

  return {
    threaded: true,
    workersStarted: () => slots.length,
    async run(inputs, options = {}) {
      if (used) throw new Error('a check pool runs once');
      used = true;
      const width = Math.min(jobs, inputs.length);
      const order = await dispatchOrder(inputs, width);
      const ready = slots.filter((slot) => !slot.exited);
      for (const slot of ready.splice(width)) void slot.worker.terminate();
      if (inputs.length === 0) return [];
      return new Promise<CaptureReport[]>((resolve) => {
        const s: RunState = {
          inputs,
          order,
          check: options.check ?? {},
          results: new Array<CaptureReport | undefined>(inputs.length),
          onReport: options.onReport,
          resolve,
          next: 0,
          live: 0,
          pending: 0,
        };
        state = s;
        // A worker that died while loading is replaced here; if its module cannot load, the
        // replacement dies holding a capture, which then gets the error verdict.
        while (ready.length < width) ready.push(spawn());
        for (const slot of ready) enlist(s, slot);
      });
    },
    close() {
      used = true;
      for (const slot of slots) if (!slot.exited) void slot.worker.terminate();
    },
  };
}

/** The export condition that sends `@forkscope/*` imports to their TypeScript sources. */
const SOURCE_CONDITION = '@forkscope/source';

/**
 * The process's Node options for a worker without the source condition, or undefined when it
 * was not given (the worker then inherits them as they are). A worker inherits them, and a
 * process started with `--conditions @forkscope/source` (Vitest is) would make the built
 * worker import the packages' .ts sources, which Node cannot run: the worker is built code and
 * loads the built packages.
 */
export function builtExecArgv(execArgv: readonly string[]): string[] | undefined {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i] as string;
    if ((a === '--conditions' || a === '-C') && execArgv[i + 1] === SOURCE_CONDITION) {
      i++;
      continue;
    }
    if (a === `--conditions=${SOURCE_CONDITION}` || a === `-C=${SOURCE_CONDITION}`) continue;
    kept.push(a);
  }
  return kept.length === execArgv.length ? undefined : kept;
}

/**
 * A worker with the given options. Node refuses an explicit list holding options a worker may
 * not have (V8 flags such as --max-inlined-bytecode-size-cumulative are per process); the worker
 * then inherits the process's options instead, as it would by default.
 */
function startWorker(url: URL, execArgv: string[] | undefined): Worker {
  if (execArgv === undefined) return new Worker(url);
  try {
    return new Worker(url, { execArgv });
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    return new Worker(url);
  }
}

/** The reports, with `why` as the error of every capture that has none. */
async function crashReports(inputs: readonly CaptureInput[], results: readonly (CaptureReport | undefined)[], why: string): Promise<CaptureReport[]> {
  const { crashReport } = await import('./crash-report.js');
  return results.map((r, i) => r ?? crashReport(inputs[i] as CaptureInput, why));
}

/**
 * The order captures are given out in: the big ones first, largest first, then the rest in
 * input order. "Big" is more than a quarter of one worker's fair share of the bytes: such a
 * capture started last would leave the other workers idle at the end. The rest keep input
 * order because a directory walk keeps a family's captures together, and a worker checking
 * similar captures in a row keeps V8's type feedback stable: ordering the whole corpus by size
 * (mixing families) cost 15-20% more CPU under -j 2 (docs/scaling.md). Unreadable files count
 * as size 0; their worker reports them like any other.
 */
export async function dispatchOrder(inputs: readonly CaptureInput[], width: number): Promise<number[]> {
  const sizes = await Promise.all(
    inputs.map(async (input) => {
      try {
        return (await stat(input.file)).size;
      } catch {
        return 0;
      }
    }),
  );
  const positions = inputs.map((_, i) => i);
  if (width <= 1) return positions; // one worker: no end to balance
  const total = sizes.reduce((a, b) => a + b, 0);
  const big = total / (4 * width);
  const first = positions.filter((i) => (sizes[i] as number) > big).sort((a, b) => (sizes[b] as number) - (sizes[a] as number) || a - b);
  const rest = positions.filter((i) => (sizes[i] as number) <= big);
  return [...first, ...rest];
}
