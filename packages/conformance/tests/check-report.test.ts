import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCaseInfo, parseManifestFile } from '../src/check/case-info.js';
import { discoverCaptures } from '../src/check/discover.js';
import type { CaptureReport } from '../src/check/report.js';
import { familyCoverage, summarize } from '../src/check/report.js';
import { renderJson } from '../src/check/render-json.js';
import { renderJunit, xml } from '../src/check/render-junit.js';
import { renderText } from '../src/check/render-text.js';

// Fixture reports (not produced by a replay) for the renderers.
const conforming: CaptureReport = {
  file: 'corpus/dash/a/capture.strace',
  id: 'dash/a',
  family: 'dash',
  verdict: 'conforms',
  events: 10,
  checked: 7,
  effectChecked: 2,
  adopted: 1,
  divergences: [],
  adoptedReasons: [{ reason: 'futex', count: 1 }],
};
const diverging: CaptureReport = {
  ...conforming,
  file: 'corpus/dash/b/capture.strace',
  id: 'dash/b',
  verdict: 'diverges',
  divergences: [{ line: 12, pid: 40, syscall: 'wait4', expected: '= 41', emulated: 'still blocked (child)', rule: 'blocking' }],
};
const { id: _unused, ...anonymous } = conforming;
const broken: CaptureReport = { ...anonymous, file: 'x.txt', family: 'other', verdict: 'error', events: 0, checked: 0, effectChecked: 0, adopted: 0, error: 'x.txt:1: not strace output' };

describe('check reports', () => {
  it('summarizes verdicts and coverage per family, leaving errors out of coverage', () => {
    const run = summarize([conforming, diverging, broken]);
    expect(run.summary).toEqual({ conforms: 1, diverges: 1, error: 1 });
    expect(familyCoverage(run.captures)).toEqual([
      { family: 'dash', events: 20, covered: 18, percent: 90, topAdopted: [{ reason: 'futex', count: 2 }] },
    ]);
  });

  it('--json keeps the contract fields', () => {
    const out = JSON.parse(renderJson(summarize([diverging])));
    expect(Object.keys(out.captures[0]).slice(0, 8)).toEqual(['file', 'verdict', 'events', 'checked', 'effectChecked', 'adopted', 'divergences', 'id']);
    expect(out.captures[0].divergences[0]).toEqual({ line: 12, pid: 40, syscall: 'wait4', expected: '= 41', emulated: 'still blocked (child)', rule: 'blocking' });
    expect(out.summary).toEqual({ conforms: 0, diverges: 1, error: 0 });
  });

  it('the text summary shows the recorded line, the kernel and the rule', () => {
    const text = renderText(summarize([conforming, diverging, broken]));
    expect(text).toContain('conforms  dash/a');
    expect(text).toContain('corpus/dash/b/capture.strace:12: [blocking] pid 40 wait4');
    expect(text).toContain('kernel:   still blocked (child)');
    expect(text).toContain('error: x.txt:1: not strace output');
    expect(text).toContain('dash: 90.0% (18/20)');
    expect(text).toContain('most adopted: 2 futex');
    expect(text.trimEnd().endsWith('1 conform, 1 diverge, 1 error')).toBe(true);
  });

  it('JUnit: a failure per diverging capture, an error per broken one, escaped', () => {
    const x = renderJunit(summarize([conforming, diverging, broken]));
    expect(x).toContain('<testsuites name="forkscope check" tests="3" failures="1" errors="1">');
    expect(x).toContain('<failure message="blocking at line 12: wait4" type="divergence">');
    expect(x).toContain('<error message="x.txt:1: not strace output" type="error"/>');
    expect(xml('a<b & "c"\u0001')).toBe('a&lt;b &amp; &quot;c&quot;\\x01');
  });
});

describe('case.json and --fs manifests', () => {
  it('reads id, family, cwd and fs entries', () => {
    const r = parseCaseInfo(JSON.stringify({ id: 'dash/a', family: 'dash', cwd: '/w', fs: [{ path: '/bin/true', kind: 'file', mode: '0755', exec: 'elf' }] }));
    expect(r).toEqual({ kind: 'ok', value: { id: 'dash/a', family: 'dash', cwd: '/w', fs: [{ path: '/bin/true', kind: 'file', mode: '0755', exec: 'elf' }] } });
  });

  it('rejects malformed entries with their position', () => {
    expect(parseCaseInfo('{')).toMatchObject({ kind: 'invalid' });
    expect(parseCaseInfo(JSON.stringify({ fs: [{ path: '/x', kind: 'weird' }] }))).toMatchObject({ kind: 'invalid', message: expect.stringContaining('fs[0].kind') });
    expect(parseManifestFile(JSON.stringify([{ path: '/x', kind: 'file', exec: 'zip' }]))).toMatchObject({ kind: 'invalid', message: expect.stringContaining('fs[0].exec') });
    expect(parseManifestFile(JSON.stringify({ fs: [{ path: '/x', kind: 'absent' }] }))).toEqual({ kind: 'ok', value: [{ path: '/x', kind: 'absent' }] });
  });
});

describe('discovering captures', () => {
  it('finds capture.strace files with a case.json beside them, sorted; a file is taken as given', async () => {
    const root = await mkdtemp(join(tmpdir(), 'fs-check-'));
    for (const [dir, withCase] of [['b/two', true], ['a/one', true], ['a/lonely', false]] as const) {
      await mkdir(join(root, dir), { recursive: true });
      await writeFile(join(root, dir, 'capture.strace'), '');
      if (withCase) await writeFile(join(root, dir, 'case.json'), '{}');
    }
    const found = await discoverCaptures([root, join(root, 'a/lonely/capture.strace')]);
    expect(found.kind).toBe('ok');
    if (found.kind !== 'ok') return;
    expect(found.inputs.map((i) => i.file.slice(root.length + 1))).toEqual(['a/one/capture.strace', 'b/two/capture.strace', 'a/lonely/capture.strace']);
    expect(found.inputs[2]?.caseFile).toBeUndefined();
    expect(await discoverCaptures([join(root, 'missing')])).toMatchObject({ kind: 'io-error', message: 'no such file or directory' });
  });
});
