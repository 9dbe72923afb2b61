import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanCorpus, writeManifest } from '../src/index.js';

const root = mkdtempSync(join(tmpdir(), 'forkscope-manifest-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function addCase(family: string, name: string, record: object): void {
  mkdirSync(join(root, family, name), { recursive: true });
  writeFileSync(join(root, family, name, 'case.json'), JSON.stringify(record));
}

describe('manifest.json rebuild', () => {
  it('merges every family present, sorted, skipping schema/ and dot-directories', () => {
    addCase('raw', 'b', { id: 'raw/b', family: 'raw', description: 'B', promises: ['fork'] });
    addCase('dash', 'a', { id: 'dash/a', family: 'dash', description: 'A', promises: ['vfork', 'execve'] });
    mkdirSync(join(root, 'schema'), { recursive: true });
    mkdirSync(join(root, 'raw', '.tmp-c-1'), { recursive: true });
    const m = writeManifest(root);
    expect(m).toEqual({
      formatVersion: 1,
      cases: [
        { id: 'dash/a', family: 'dash', path: 'dash/a', description: 'A', promises: ['vfork', 'execve'] },
        { id: 'raw/b', family: 'raw', path: 'raw/b', description: 'B', promises: ['fork'] },
      ],
    });
    expect(JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'))).toEqual(m);
  });

  it('refuses a case directory without case.json, or whose id does not match its place', () => {
    mkdirSync(join(root, 'raw', 'empty'), { recursive: true });
    expect(() => scanCorpus(root)).toThrow(/raw\/empty\/case.json: case directory without case.json/);
    rmSync(join(root, 'raw', 'empty'), { recursive: true });
    addCase('raw', 'moved', { id: 'raw/original', family: 'raw', description: '', promises: [] });
    expect(() => scanCorpus(root)).toThrow(/do not match the directory "raw\/moved"/);
  });
});
