// Every corpus case must conform: its capture replayed through the emulated
// kernel, with its case.json's fs manifest, gives no divergence and no error.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCapture } from '../src/check/check-capture.js';
import type { CaptureReport } from '../src/check/report.js';

const corpus = fileURLToPath(new URL('../../../corpus/', import.meta.url));
const manifestPath = join(corpus, 'manifest.json');

interface ManifestCase {
  id: string;
  family: string;
  path: string;
}

function loadCases(): ManifestCase[] {
  if (!existsSync(manifestPath)) return [];
  const json = JSON.parse(readFileSync(manifestPath, 'utf8')) as { cases: ManifestCase[] };
  return json.cases;
}

function explain(r: CaptureReport): string {
  if (r.verdict === 'error') return `error: ${r.error}`;
  return r.divergences
    .slice(0, 5)
    .map((d) => `line ${d.line} [${d.rule}] pid ${d.pid} ${d.syscall}: recorded ${d.expected}; kernel ${d.emulated}`)
    .join('\n');
}

/**
 * Cases the checker shows diverging because the kernel lacks a behaviour (not a checker
 * problem): skipped with the gap named, and listed in the report to the kernel's owner.
 */
const KERNEL_GAPS: Record<string, string> = {};

describe('corpus conformance', () => {
  it('corpus/manifest.json exists and lists cases', () => {
    expect(existsSync(manifestPath), `${manifestPath} is missing`).toBe(true);
    expect(loadCases().length).toBeGreaterThan(0);
  });

  for (const c of loadCases()) {
    const gap = KERNEL_GAPS[c.id];
    if (gap !== undefined) {
      it.skip(`${c.id} (skipped: ${gap})`, () => {});
      continue;
    }
    it(c.id, async () => {
      const dir = join(corpus, c.path);
      const report = await checkCapture({ file: join(dir, 'capture.strace'), caseFile: join(dir, 'case.json') });
      expect(report.verdict, explain(report)).toBe('conforms');
      expect(report.events).toBe(report.checked + report.effectChecked + report.adopted);
    });
  }
});
