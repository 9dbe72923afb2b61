// The human summary: a line per capture, the divergences under it, then the
// per-family coverage (checked + effect-checked events over all events).
import type { CaptureReport, CheckRun } from './report.js';
import { familyCoverage } from './report.js';

/** How many divergences to print per capture before summarising the rest. */
const SHOWN_DIVERGENCES = 10;

export function renderText(run: CheckRun): string {
  const lines: string[] = [];
  for (const c of run.captures) {
    lines.push(captureLine(c));
    if (c.verdict === 'error' && c.error !== undefined) lines.push(`  error: ${c.error}`);
    for (const d of c.divergences.slice(0, SHOWN_DIVERGENCES)) {
      lines.push(`  ${c.file}:${d.line}: [${d.rule}] pid ${d.pid ?? '?'} ${d.syscall}`);
      lines.push(`    recorded: ${d.expected}`);
      lines.push(`    kernel:   ${d.emulated}`);
    }
    if (c.divergences.length > SHOWN_DIVERGENCES) {
      lines.push(`  … and ${c.divergences.length - SHOWN_DIVERGENCES} more divergences`);
    }
  }
  const cov = familyCoverage(run.captures);
  if (cov.length > 0) {
    lines.push('');
    lines.push('coverage (checked + effect-checked events):');
    for (const f of cov) {
      lines.push(`  ${f.family}: ${f.percent.toFixed(1)}% (${f.covered}/${f.events})`);
      const top = f.topAdopted.slice(0, 3).map((r) => `${r.count} ${r.reason}`);
      if (top.length > 0) lines.push(`    most adopted: ${top.join('; ')}`);
    }
  }
  const s = run.summary;
  lines.push('');
  lines.push(`${s.conforms} conform, ${s.diverges} diverge, ${s.error} error`);
  return `${lines.join('\n')}\n`;
}

function captureLine(c: CaptureReport): string {
  const name = c.id ?? c.file;
  const counts = `${c.events} events: ${c.checked} checked, ${c.effectChecked} effect-checked, ${c.adopted} adopted`;
  switch (c.verdict) {
    case 'conforms':
      return `conforms  ${name} (${counts})`;
    case 'diverges':
      return `DIVERGES  ${name} (${counts}; ${c.divergences.length} divergences)`;
    case 'error':
      return `ERROR     ${name}`;
    default: {
      const never: never = c.verdict;
      throw new Error(`unknown verdict ${String(never)}`);
    }
  }
}
