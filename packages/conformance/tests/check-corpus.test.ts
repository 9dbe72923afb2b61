// The corpus conformance tests live in one file per family (check-corpus-<family>.test.ts, see
// helpers/corpus-cases.ts) so that Vitest's --shard spreads them; this file checks that the
// split covers the whole manifest: every family has its file and every case a family.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MANIFEST, manifestCases } from './helpers/corpus-cases.js';

const testsDir = fileURLToPath(new URL('.', import.meta.url));

describe('corpus conformance: the per-family split', () => {
  it('corpus/manifest.json exists and lists cases', () => {
    expect(existsSync(MANIFEST), `${MANIFEST} is missing`).toBe(true);
    expect(manifestCases().length).toBeGreaterThan(0);
  });

  it('every family of the manifest has its test file, and no file names a family the manifest lacks', () => {
    const families = [...new Set(manifestCases().map((c) => c.family))].sort();
    const files = readdirSync(testsDir)
      .filter((f) => f.startsWith('check-corpus-') && f.endsWith('.test.ts'))
      .map((f) => f.slice('check-corpus-'.length, -'.test.ts'.length))
      .sort();
    expect(files).toEqual(families);
  });
});
