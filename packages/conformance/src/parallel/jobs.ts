// `-j N` / `--jobs N`: how many captures `check` works on at once.
import { availableParallelism } from 'node:os';

export type Jobs = { readonly kind: 'ok'; readonly jobs: number } | { readonly kind: 'invalid'; readonly message: string };

/** Beyond this a typo (`-j 1000`) would start a thousand threads; nobody has that many cores. */
const MAX_JOBS = 256;

/**
 * What `-j auto` (or `-j 0`) means on `cpus` CPUs: one check per CPU but one, at least 1.
 * Every checking thread is a V8 isolate whose optimizing compiler and garbage collector run on
 * V8's helper threads beside it: under `-j 1` they take ~40% of the process's CPU, about half a
 * core (docs/scaling.md), so one isolate per CPU leaves no core for them and every check waits
 * longer for its optimized code. On 2 CPUs this is 1: there `-j 2` was measured slower than
 * `-j 1` on every workload (the second isolate repeats the whole compile).
 */
export function autoJobs(cpus: number): number {
  return Math.max(1, cpus - 1);
}

/**
 * The option's value: absent → 1; `0` or `auto` → autoJobs of the CPUs this process may use;
 * otherwise a decimal count from 1 to 256, taken as given. Scanned by hand so `1e2`, `0x4`, ` 2`
 * and `2.0` are refused.
 */
export function parseJobs(value: string | undefined, cpus: number = availableParallelism()): Jobs {
  if (value === undefined) return { kind: 'ok', jobs: 1 };
  if (value === 'auto') return { kind: 'ok', jobs: autoJobs(cpus) };
  if (value.length === 0 || value.length > 3) return invalid(value);
  let n = 0;
  for (const ch of value) {
    if (ch < '0' || ch > '9') return invalid(value);
    n = n * 10 + (ch.charCodeAt(0) - 48);
  }
  if (n === 0) return { kind: 'ok', jobs: autoJobs(cpus) };
  if (n > MAX_JOBS) return invalid(value);
  return { kind: 'ok', jobs: n };
}

function invalid(value: string): Jobs {
  return { kind: 'invalid', message: `--jobs '${value}' is not a count from 0 to ${MAX_JOBS} or 'auto'` };
}
