// What the check pool and its worker threads say to each other. Both sides are plain data
// (structured clone): a task names a capture by its position in the run's input order, and the
// reply carries the same index, so results are reported in input order whatever finishes first.
import type { CheckOptions } from '../check/check-capture.js';
import type { CaptureInput } from '../check/discover.js';
import type { CaptureReport } from '../check/report.js';

export interface CheckTask {
  readonly index: number;
  readonly input: CaptureInput;
  readonly options: CheckOptions;
}

export type WorkerReply =
  /** The capture was checked (any verdict, including "error" for bad input). */
  | { readonly kind: 'report'; readonly index: number; readonly report: CaptureReport }
  /** checkCapture itself threw: a bug, reported as that capture's error verdict. */
  | { readonly kind: 'failed'; readonly index: number; readonly message: string };

/** A reply as the pool receives it: anything else from a worker is a protocol bug. */
export function isWorkerReply(m: unknown): m is WorkerReply {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as { kind?: unknown; index?: unknown; report?: unknown; message?: unknown };
  if (typeof r.index !== 'number') return false;
  if (r.kind === 'report') return typeof r.report === 'object' && r.report !== null;
  if (r.kind === 'failed') return typeof r.message === 'string';
  return false;
}
