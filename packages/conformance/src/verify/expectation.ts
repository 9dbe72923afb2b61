// Reading a corpus expectation (expected.json, corpus/schema/expected.schema.json): enough
// shape checking that a wrong file is a clear error, not a crash inside the comparison.
import { readFile } from 'node:fs/promises';
import type { Normalized } from '@forkscope/tracer';

export type ExpectationRead = { readonly ok: true; readonly value: Normalized } | { readonly ok: false; readonly reason: string };

export async function readExpectation(path: string): Promise<ExpectationRead> {
  return parseExpectation(await readFile(path, 'utf8'));
}

export function parseExpectation(text: string): ExpectationRead {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON (${(err as Error).message})` };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { ok: false, reason: 'not a JSON object' };
  const o = json as Record<string, unknown>;
  if (o.format !== 'forkscope-normalized') return { ok: false, reason: 'not a forkscope expectation ("format" is not "forkscope-normalized")' };
  if (o.version !== 1) return { ok: false, reason: `expectation version ${JSON.stringify(o.version)} is not supported (this forkscope reads version 1)` };
  if (!Array.isArray(o.processes) || !Array.isArray(o.orderings)) return { ok: false, reason: '"processes" and "orderings" must be arrays' };
  for (const [i, p] of o.processes.entries()) {
    const proc = p as Record<string, unknown> | null;
    if (proc === null || typeof proc !== 'object' || typeof proc.pid !== 'number' || !Array.isArray(proc.tasks)) {
      return { ok: false, reason: `processes[${i}] needs a numeric "pid" and a "tasks" array` };
    }
    for (const [j, t] of proc.tasks.entries()) {
      const task = t as Record<string, unknown> | null;
      if (task === null || typeof task !== 'object' || !Array.isArray(task.events) || !Array.isArray(task.signals)) {
        return { ok: false, reason: `processes[${i}].tasks[${j}] needs "events" and "signals" arrays` };
      }
    }
  }
  return { ok: true, value: json as Normalized };
}
