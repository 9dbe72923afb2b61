// Runs the capture script for real: two cases afresh into a temporary corpus,
// a failing case that must leave its old directory alone, and a missing tool.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureFacts, captureProblem, findExecutable, keepsPromise } from '../src/index.js';
import type { CaseRecord } from '../src/index.js';
import { loadValidators, runCaptureScript, straceUnavailable } from './support.js';

const unavailable = straceUnavailable();
if (unavailable !== undefined) console.warn(`capture live tests skipped: ${unavailable}`);
const liveIt = unavailable === undefined ? it : it.skip;
const skipNote = unavailable === undefined ? '' : ` (skipped: ${unavailable})`;

const scratch = mkdtempSync(join(tmpdir(), 'forkscope-capture-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const caseDirsUnder = (root: string): string[] =>
  existsSync(root)
    ? readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .flatMap((d) => readdirSync(join(root, d.name)).map((c) => `${d.name}/${c}`))
        .sort()
    : [];

describe('capture script, live', () => {
  liveIt(`captures posix_spawn/success and raw/vfork-exec afresh with the corpus's structure${skipNote}`, () => {
    const out = join(scratch, 'fresh');
    const run = runCaptureScript(['--case', 'posix_spawn/success', '--case', 'raw/vfork-exec', '--out', out]);
    expect(run.stderr).not.toMatch(/FAILED|internal error/);
    expect(run.status).toBe(0);
    expect(caseDirsUnder(out)).toEqual(['posix_spawn/success', 'raw/vfork-exec']);
    const validators = loadValidators();
    for (const id of ['posix_spawn/success', 'raw/vfork-exec']) {
      const record = JSON.parse(readFileSync(join(out, id, 'case.json'), 'utf8')) as CaseRecord;
      expect(validators.caseRecord(record), JSON.stringify(validators.caseRecord.errors)).toBe(true);
      const facts = captureFacts(readFileSync(join(out, id, 'capture.strace'), 'utf8'));
      expect(captureProblem(facts, record)).toBeUndefined();
      for (const p of record.promises) expect(keepsPromise(facts, p)).toBe(true);
      expect(record.exitStatus).toEqual({ code: 0 });
    }
    const vforkExec = JSON.parse(readFileSync(join(out, 'raw/vfork-exec/case.json'), 'utf8')) as CaseRecord;
    expect(vforkExec.stdout).toContain('seen in shared memory: ENOENT');
    expect(vforkExec.fs).toContainEqual({ path: '/nonexistent/prog', kind: 'absent', errno: 'ENOENT' });
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { cases: { id: string }[] };
    expect(validators.manifest(manifest)).toBe(true);
    expect(manifest.cases.map((c) => c.id)).toEqual(['posix_spawn/success', 'raw/vfork-exec']);
  });

  liveIt(`a failed case is named, exits 1, and leaves the previous case directory intact; other files beside a capture are kept${skipNote}`, () => {
    const programs = join(scratch, 'programs');
    mkdirSync(join(programs, 't'), { recursive: true });
    writeFileSync(
      join(programs, 't', 'cases.json'),
      JSON.stringify({
        family: 't',
        cases: [
          { id: 'ok', description: 'true, no process creation', argv: ['/bin/true'], promises: ['none'] },
          { id: 'bad', description: 'true cannot keep a fork promise', argv: ['/bin/true'], promises: ['fork'] },
        ],
      }),
    );
    const out = join(scratch, 'failing');
    const oldRecord = { id: 't/bad', family: 't', description: 'the previous capture', promises: ['fork'] };
    mkdirSync(join(out, 't', 'bad'), { recursive: true });
    writeFileSync(join(out, 't', 'bad', 'case.json'), JSON.stringify(oldRecord));
    writeFileSync(join(out, 't', 'bad', 'capture.strace'), 'old capture\n');

    // A file another tool keeps beside a capture survives a successful re-capture.
    mkdirSync(join(out, 't', 'ok'), { recursive: true });
    writeFileSync(join(out, 't', 'ok', 'case.json'), '{}');
    writeFileSync(join(out, 't', 'ok', 'expected.json'), '{"kept":true}\n');

    const run = runCaptureScript(['--programs', programs, '--out', out]);
    expect(run.status).toBe(1);
    expect(readFileSync(join(out, 't', 'ok', 'expected.json'), 'utf8')).toBe('{"kept":true}\n');
    expect(JSON.parse(readFileSync(join(out, 't', 'ok', 'case.json'), 'utf8'))).toMatchObject({ id: 't/ok', exitStatus: { code: 0 } });
    expect(run.stderr).toContain('FAILED case t/bad: the capture does not contain the promised fork');
    expect(JSON.parse(readFileSync(join(out, 't', 'bad', 'case.json'), 'utf8'))).toEqual(oldRecord);
    expect(readFileSync(join(out, 't', 'bad', 'capture.strace'), 'utf8')).toBe('old capture\n');
    expect(readdirSync(join(out, 't')).sort()).toEqual(['bad', 'ok']); // no .tmp-/.old- leftovers
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { cases: { id: string }[] };
    expect(manifest.cases.map((c) => c.id)).toEqual(['t/bad', 't/ok']);
  });
});

describe('capture script, environment and usage errors', () => {
  it('stops with one clear line naming strace when it is not on PATH, and writes no case', () => {
    const bin = join(scratch, 'bin-without-strace');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['gcc', 'rustc']) {
      const real = findExecutable(tool, process.env['PATH'] ?? '');
      if (real !== undefined) symlinkSync(real, join(bin, tool));
    }
    const out = join(scratch, 'no-strace');
    const run = runCaptureScript(['--family', 'raw', '--out', out], bin);
    expect(run.status).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^capture: required tool "strace" not found on PATH/);
    expect(caseDirsUnder(out)).toEqual([]);
  });

  it('rejects an unknown family or case with exit status 2', () => {
    const out = join(scratch, 'usage');
    const family = runCaptureScript(['--family', 'no-such-family', '--out', out]);
    expect(family.status).toBe(2);
    expect(family.stderr).toMatch(/unknown family "no-such-family"/);
    const oneCase = runCaptureScript(['--case', 'raw/no-such-case', '--out', out]);
    expect(oneCase.status).toBe(2);
    expect(oneCase.stderr).toMatch(/unknown case "raw\/no-such-case"/);
    expect(runCaptureScript(['--bogus']).status).toBe(2);
    const moRoot = join(scratch, 'manifest-only');
    mkdirSync(join(moRoot, 'f', 'c'), { recursive: true });
    writeFileSync(join(moRoot, 'f', 'c', 'case.json'), JSON.stringify({ id: 'f/c', family: 'f', description: 'd', promises: ['none'] }));
    const manifestOnly = runCaptureScript(['--manifest-only', '--out', moRoot]);
    expect(manifestOnly.status).toBe(0);
    expect(manifestOnly.stdout).toMatch(/^manifest: 1 cases in /);
    expect(JSON.parse(readFileSync(join(moRoot, 'manifest.json'), 'utf8'))).toMatchObject({ cases: [{ id: 'f/c' }] });
    const help = runCaptureScript(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--family F');
    expect(caseDirsUnder(out)).toEqual([]);
  });
});
