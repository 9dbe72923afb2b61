// `-j N` / `--jobs N`: how many captures `check` works on at once.
import { availableParallelism } from 'node:os';

export type Jobs = { readonly kind: 'ok'; readonly jobs: number } | { readonly kind: 'invalid'; readonly message: string };

/** Beyond this a typo (`-j 1000`) would start a thousand threads; nobody has that many cores. */
const MAX_JOBS = 256;

/**
 * The option's value: absent → 1; `0` or `auto` → one per CPU the process may use; otherwise a
 * decimal count from 1 to 256. Scanned by hand so `1e2`, `0x4`, ` 2` and `2.0` are refused.
 */
export function parseJobs(value: string | undefined): Jobs {
  if (value === undefined) return { kind: 'ok', jobs: 1 };
  if (value === 'auto') return { kind: 'ok', jobs: availableParallelism() };
  if (value.length === 0 || value.length > 3) return invalid(value);
  let n = 0;
  for (const ch of value) {
    if (ch < '0' || ch > '9') return invalid(value);
    n = n * 10 + (ch.charCodeAt(0) - 48);
  }
  if (n === 0) return { kind: 'ok', jobs: availableParallelism() };
  if (n > MAX_JOBS) return invalid(value);
  return { kind: 'ok', jobs: n };
}

function invalid(value: string): Jobs {
  return { kind: 'invalid', message: `--jobs '${value}' is not a count from 0 to ${MAX_JOBS} or 'auto'` };
}
