// Checks a run's captures on up to N worker threads and returns their reports in input order,
// so that `check -j N` prints exactly what `check -j 1` prints. Each worker takes the next
// capture when it finishes one (captures differ a lot in size, so a fixed split would idle).
// A worker that dies, or fails to load, costs the capture it held an "error" verdict and is
// replaced; the run always ends.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CheckOptions } from '../check/check-capture.js';
import { checkCapture } from '../check/check-capture.js';
import type { CaptureInput } from '../check/discover.js';
import type { CaptureReport } from '../check/report.js';
import { crashReport } from './crash-report.js';
import type { CheckTask } from './messages.js';
import { isWorkerReply } from './messages.js';

export interface PoolOptions {
  /** How many captures at once; 1 checks them one after another in this thread. */
  readonly jobs: number;
  readonly check?: CheckOptions;
  /** The worker entry module (tests substitute one); default: the built check-worker.js beside this module. */
  readonly workerUrl?: URL;
  /** Called once when jobs > 1 but no built worker exists, so the run goes on in this thread. */
  readonly notice?: (message: string) => void;
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

export async function checkCaptures(inputs: readonly CaptureInput[], options: PoolOptions): Promise<CaptureReport[]> {
  const check = options.check ?? {};
  if (options.jobs <= 1 || inputs.length <= 1) return checkInThread(inputs, check);
  const url = options.workerUrl ?? builtWorkerUrl();
  if (url === null) {
    options.notice?.(`--jobs ${options.jobs}: no built worker (running from source); checking in one thread`);
    return checkInThread(inputs, check);
  }
  return checkInWorkers(inputs, check, url, Math.min(options.jobs, inputs.length));
}

async function checkInThread(inputs: readonly CaptureInput[], check: CheckOptions): Promise<CaptureReport[]> {
  const reports: CaptureReport[] = [];
  for (const input of inputs) reports.push(await checkCapture(input, check));
  return reports;
}

function checkInWorkers(inputs: readonly CaptureInput[], check: CheckOptions, url: URL, width: number): Promise<CaptureReport[]> {
  const results = new Array<CaptureReport | undefined>(inputs.length);
  let next = 0;
  let live = 0;
  return new Promise((resolve) => {
    const finishIfDone = (): void => {
      if (live > 0) return;
      // Every index was either answered or turned into a crash report when its worker exited.
      resolve(results.map((r, i) => r ?? crashReport(inputs[i] as CaptureInput, 'not checked: the worker pool stopped early (a bug)')));
    };

    const start = (): void => {
      live++;
      const worker = new Worker(url);
      let held: number | null = null;
      let why: string | null = null;

      const giveNext = (): void => {
        if (next >= inputs.length) {
          held = null;
          void worker.terminate();
          return;
        }
        held = next++;
        const task: CheckTask = { index: held, input: inputs[held] as CaptureInput, options: check };
        worker.postMessage(task);
      };

      worker.on('message', (m: unknown) => {
        if (!isWorkerReply(m) || m.index !== held) {
          why = 'the check worker sent an unexpected message';
          void worker.terminate();
          return;
        }
        results[m.index] = m.kind === 'report' ? m.report : crashReport(inputs[m.index] as CaptureInput, `internal error in the check worker: ${m.message}`);
        giveNext();
      });
      worker.on('messageerror', (err) => {
        why = `the check worker's reply could not be read: ${err.message}`;
        void worker.terminate();
      });
      // 'error' (an uncaught exception, a module that does not load) is always followed by 'exit'.
      worker.on('error', (err) => {
        why = `the check worker crashed: ${err.message}`;
      });
      worker.on('exit', (code) => {
        live--;
        if (held !== null) {
          results[held] = crashReport(inputs[held] as CaptureInput, why ?? `the check worker exited (code ${code}) before reporting`);
          held = null;
          if (next < inputs.length) start();
        }
        finishIfDone();
      });

      giveNext();
    };

    for (let i = 0; i < width; i++) start();
  });
}
