// The schemas must reject what the format forbids, or "validates" means nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusRoot, loadValidators } from './support.js';

const { caseRecord, manifest } = loadValidators();
const sample = JSON.parse(readFileSync(join(corpusRoot, 'raw', 'vfork-exec', 'case.json'), 'utf8')) as Record<string, unknown>;

describe('case.schema.json', () => {
  it('accepts a real case.json', () => {
    expect(caseRecord(sample)).toBe(true);
  });

  const broken: [string, (r: Record<string, unknown>) => void][] = [
    ['an unknown promise', (r) => (r['promises'] = ['vforkk'])],
    ['a missing fs', (r) => delete r['fs']],
    ['an unknown top-level field', (r) => (r['extra'] = 1)],
    ['a file entry without exec', (r) => (r['fs'] = [{ path: '/x', kind: 'file', mode: '0755' }])],
    ['a script without interpreter', (r) => (r['fs'] = [{ path: '/x', kind: 'file', mode: '0755', exec: 'script' }])],
    ['an absent entry with a mode', (r) => (r['fs'] = [{ path: '/x', kind: 'absent', errno: 'ENOENT', mode: '0755' }])],
    ['a relative fs path', (r) => (r['fs'] = [{ path: 'x', kind: 'directory', mode: '0755' }])],
    ['a relative argv[0]', (r) => (r['argv'] = ['raw', 'x'])],
    ['an exit status with both code and signal', (r) => (r['exitStatus'] = { code: 0, signal: 'SIGKILL' })],
    ['a non-UTC date', (r) => (r['date'] = '2026-11-26 20:00')],
  ];
  for (const [what, mutate] of broken) {
    it(`rejects ${what}`, () => {
      const r = structuredClone(sample);
      mutate(r);
      expect(caseRecord(r)).toBe(false);
    });
  }
});

describe('manifest.schema.json', () => {
  it('rejects a wrong formatVersion and a case without promises', () => {
    expect(manifest({ formatVersion: 1, cases: [] })).toBe(true);
    expect(manifest({ formatVersion: 2, cases: [] })).toBe(false);
    expect(manifest({ formatVersion: 1, cases: [{ id: 'a/b', family: 'a', path: 'a/b', description: '' }] })).toBe(false);
  });
});
