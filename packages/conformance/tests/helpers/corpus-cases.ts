// The corpus conformance tests, one test file per family (tests/check-corpus-<family>.test.ts),
// so that Vitest's --shard, which splits by file, spreads the corpus over machines. Each file
// calls corpusFamilyConforms with its family; check-corpus.test.ts checks that every family in
// the manifest has its file, so a new family cannot go unchecked.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkCapture } from '../../src/check/check-capture.js';
import type { CaptureReport } from '../../src/check/report.js';

export const CORPUS = fileURLToPath(new URL('../../../../corpus/', import.meta.url));
export const MANIFEST = join(CORPUS, 'manifest.json');

export interface ManifestCase {
  readonly id: string;
  readonly family: string;
  readonly path: string;
}

export function manifestCases(): ManifestCase[] {
  if (!existsSync(MANIFEST)) return [];
  return (JSON.parse(readFileSync(MANIFEST, 'utf8')) as { cases: ManifestCase[] }).cases;
}

/**
 * Cases the checker shows diverging because the kernel lacks a behaviour (not a checker
 * problem): skipped with the gap named, and listed in the report to the kernel's owner.
 */
const KERNEL_GAPS: Record<string, string> = {};

function explain(r: CaptureReport): string {
  if (r.verdict === 'error') return `error: ${r.error}`;
  return r.divergences
    .slice(0, 5)
    .map((d) => `line ${d.line} [${d.rule}] pid ${d.pid} ${d.syscall}: recorded ${d.expected}; kernel ${d.emulated}`)
    .join('\n');
}

/** A test per case of `family`: its capture, replayed with its case.json, conforms and every event is accounted for. */
export function corpusFamilyConforms(family: string): void {
  const cases = manifestCases().filter((c) => c.family === family);
  describe(`corpus conformance: ${family}`, () => {
    it(`corpus/manifest.json lists ${family} cases`, () => {
      expect(cases.length, `no ${family} case in ${MANIFEST}`).toBeGreaterThan(0);
    });
    for (const c of cases) {
      const gap = KERNEL_GAPS[c.id];
      if (gap !== undefined) {
        it.skip(`${c.id} (skipped: ${gap})`, () => {});
        continue;
      }
      it(c.id, async () => {
        const dir = join(CORPUS, c.path);
        const report = await checkCapture({ file: join(dir, 'capture.strace'), caseFile: join(dir, 'case.json') });
        expect(report.verdict, explain(report)).toBe('conforms');
        expect(report.events).toBe(report.checked + report.effectChecked + report.adopted);
      });
    }
  });
}
