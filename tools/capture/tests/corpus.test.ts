// The committed corpus: every case.json and manifest.json is valid, the
// manifest lists exactly the case directories present, every family is
// there, and every capture still shows what its case promises.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureFacts, captureProblem, keepsPromise, pathsFromCalls, readOnlyOpenPaths } from '../src/index.js';
import type { CaseRecord } from '../src/index.js';
import { corpusRoot, loadValidators } from './support.js';

const FAMILIES = ['posix_spawn', 'python', 'dash', 'rust', 'raw'] as const;
const validators = loadValidators();

function caseDirs(): string[] {
  const dirs: string[] = [];
  for (const family of readdirSync(corpusRoot, { withFileTypes: true })) {
    if (!family.isDirectory() || family.name === 'schema' || family.name.startsWith('.')) continue;
    for (const c of readdirSync(join(corpusRoot, family.name), { withFileTypes: true })) {
      if (c.isDirectory() && !c.name.startsWith('.')) dirs.push(`${family.name}/${c.name}`);
    }
  }
  return dirs.sort();
}

const dirs = caseDirs();
const manifest = JSON.parse(readFileSync(join(corpusRoot, 'manifest.json'), 'utf8')) as {
  cases: { id: string; family: string; path: string; promises: string[] }[];
};

describe('corpus index', () => {
  it('manifest.json validates against manifest.schema.json', () => {
    const ok = validators.manifest(manifest);
    expect(validators.manifest.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('manifest.json lists exactly the case directories present', () => {
    expect(manifest.cases.map((c) => c.path).sort()).toEqual(dirs);
    for (const c of manifest.cases) expect(c.id).toBe(c.path);
  });

  it('no half-written case directory is left behind (.tmp-* / .old-*)', () => {
    const leftovers = readdirSync(corpusRoot, { withFileTypes: true })
      .filter((f) => f.isDirectory() && f.name !== 'schema')
      .flatMap((f) => readdirSync(join(corpusRoot, f.name)).filter((n) => n.startsWith('.tmp-') || n.startsWith('.old-')));
    expect(leftovers).toEqual([]);
  });

  for (const family of FAMILIES) {
    it(`has at least one case of family ${family}`, () => {
      expect(dirs.filter((d) => d.startsWith(`${family}/`)).length).toBeGreaterThan(0);
    });
  }
});

describe.each(dirs)('corpus case %s', (dir) => {
  const caseFile = join(corpusRoot, dir, 'case.json');
  const captureFile = join(corpusRoot, dir, 'capture.strace');

  it('has case.json valid against case.schema.json, with id and family matching its directory', () => {
    expect(existsSync(caseFile)).toBe(true);
    const record = JSON.parse(readFileSync(caseFile, 'utf8')) as CaseRecord;
    const ok = validators.caseRecord(record);
    expect(validators.caseRecord.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(record.id).toBe(dir);
    expect(record.family).toBe(dir.split('/')[0]);
  });

  it('has a non-empty capture whose first line is the root execve of argv[0] and which keeps every promise', () => {
    const record = JSON.parse(readFileSync(caseFile, 'utf8')) as CaseRecord;
    const text = readFileSync(captureFile, 'utf8');
    expect(text.length).toBeGreaterThan(0);
    const facts = captureFacts(text);
    expect(captureProblem(facts, record)).toBeUndefined();
    for (const p of record.promises) expect({ promise: p, kept: keepsPromise(facts, p) }).toEqual({ promise: p, kept: true });
  });

  it('records the root exit status its capture shows and an fs entry for argv[0]', () => {
    const record = JSON.parse(readFileSync(caseFile, 'utf8')) as CaseRecord;
    const facts = captureFacts(readFileSync(captureFile, 'utf8'));
    const root = facts.lines[0]?.pid;
    const end = facts.lines.find((l) => l.pid === root && (l.kind === 'exited' || l.kind === 'killed'));
    if (end?.kind === 'exited') expect(record.exitStatus).toEqual({ code: end.code });
    else if (end?.kind === 'killed') expect(record.exitStatus).toMatchObject({ signal: end.signal });
    else expect.fail('the capture has no exit line for its root process');
    expect(record.fs.map((e) => e.path)).toContain(record.argv[0]);
  });

  it('has an fs entry for every execve/execveat/chdir path its capture names, sorted by path', () => {
    const record = JSON.parse(readFileSync(caseFile, 'utf8')) as CaseRecord;
    const facts = captureFacts(readFileSync(captureFile, 'utf8'));
    const listed = record.fs.map((e) => e.path);
    for (const path of pathsFromCalls(facts.calls, record.cwd)) expect(listed).toContain(path);
    expect(listed).toEqual([...listed].sort());
  });

  it('gives size and content only to files its capture only read, with content exactly size bytes of UTF-8', () => {
    const record = JSON.parse(readFileSync(caseFile, 'utf8')) as CaseRecord;
    const facts = captureFacts(readFileSync(captureFile, 'utf8'));
    const readOnly = new Set(readOnlyOpenPaths(facts.calls, record.cwd, record.cwd));
    for (const e of record.fs) {
      if (e.kind !== 'file' || e.size === undefined) continue;
      expect({ path: e.path, readOnly: readOnly.has(e.path) }).toEqual({ path: e.path, readOnly: true });
      if (e.content !== undefined) expect({ path: e.path, bytes: Buffer.byteLength(e.content, 'utf8') }).toEqual({ path: e.path, bytes: e.size });
    }
  });
});
