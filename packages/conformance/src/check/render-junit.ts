// `check --junit OUT`: one testsuite per family, one testcase per capture; a
// divergence is a failure, an uncheckable capture an error.
import type { CaptureReport, CheckRun } from './report.js';

export function renderJunit(run: CheckRun): string {
  const families = new Map<string, CaptureReport[]>();
  for (const c of run.captures) {
    const list = families.get(c.family) ?? [];
    list.push(c);
    families.set(c.family, list);
  }
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const s = run.summary;
  out.push(
    `<testsuites name="forkscope check" tests="${run.captures.length}" failures="${s.diverges}" errors="${s.error}">`,
  );
  for (const [family, list] of [...families.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const failures = list.filter((c) => c.verdict === 'diverges').length;
    const errors = list.filter((c) => c.verdict === 'error').length;
    out.push(
      `  <testsuite name="${xml(family)}" tests="${list.length}" failures="${failures}" errors="${errors}">`,
    );
    for (const c of list) {
      const counts = `events=${c.events} checked=${c.checked} effectChecked=${c.effectChecked} adopted=${c.adopted}`;
      out.push(`    <testcase classname="${xml(family)}" name="${xml(c.id ?? c.file)}" file="${xml(c.file)}">`);
      switch (c.verdict) {
        case 'conforms':
          break;
        case 'diverges': {
          const first = c.divergences[0];
          const message = first ? `${first.rule} at line ${first.line}: ${first.syscall}` : 'diverges';
          const body = c.divergences
            .map((d) => `${c.file}:${d.line}: [${d.rule}] pid ${d.pid ?? '?'} ${d.syscall}: recorded ${d.expected}; kernel ${d.emulated}`)
            .join('\n');
          out.push(`      <failure message="${xml(message)}" type="divergence">${xml(body)}</failure>`);
          break;
        }
        case 'error':
          out.push(`      <error message="${xml(c.error ?? 'error')}" type="error"/>`);
          break;
        default: {
          const never: never = c.verdict;
          throw new Error(`unknown verdict ${String(never)}`);
        }
      }
      out.push(`      <system-out>${xml(counts)}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

/** Escapes text for XML attributes and content; drops characters XML 1.0 cannot carry. */
export function xml(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '&') out += '&amp;';
    else if (ch === '<') out += '&lt;';
    else if (ch === '>') out += '&gt;';
    else if (ch === '"') out += '&quot;';
    else if (ch === "'") out += '&apos;';
    else if (code < 0x20 && ch !== '\n' && ch !== '\t' && ch !== '\r') out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}
