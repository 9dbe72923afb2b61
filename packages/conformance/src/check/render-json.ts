// `check --json`: one object, the contract's fields first.
import type { CheckRun } from './report.js';
import { familyCoverage } from './report.js';

export function renderJson(run: CheckRun): string {
  const out = {
    captures: run.captures.map((c) => ({
      file: c.file,
      verdict: c.verdict,
      events: c.events,
      checked: c.checked,
      effectChecked: c.effectChecked,
      adopted: c.adopted,
      divergences: c.divergences.map((d) => ({
        line: d.line,
        pid: d.pid,
        syscall: d.syscall,
        expected: d.expected,
        emulated: d.emulated,
        rule: d.rule,
      })),
      ...(c.id !== undefined ? { id: c.id } : {}),
      family: c.family,
      adoptedReasons: c.adoptedReasons,
      ...(c.error !== undefined ? { error: c.error } : {}),
    })),
    summary: run.summary,
    families: familyCoverage(run.captures),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
