// The report's timeline model and page, without a browser: lanes, bars, arrows, divergences,
// line order without timestamps, escaping of arbitrary capture text, and the CLI command.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseText } from '@forkscope/tracer';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { hrefOf, renderCheckIndex } from '../src/report/check-index.js';
import { renderReport } from '../src/index.js';
import { buildTimeline } from '../src/report/index.js';
import { parseShadowFiles } from '../src/verify/index.js';
import { escapeHtml, jsonForScript } from '../src/report/escape.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

// posix_spawn's clone3(CLONE_VFORK) from a real -f -ttt -T run (pids from that run).
const SPAWN = `11428 1795726032.864534 execve("./spawn", ["./spawn"], 0x7ffdca569d48 /* 39 vars */) = 0 <0.000985>
11428 1795726032.870191 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7fcaf586a000, stack_size=0x9000}, 88 <unfinished ...>
11429 1795726032.878291 execve("/bin/true", ["true"], 0x7ffc3a0b4a58 /* 39 vars */ <unfinished ...>
11428 1795726032.878956 <... clone3 resumed>) = 11429 <0.008749>
11429 1795726032.879173 <... execve resumed>) = 0 <0.000846>
11428 1795726032.879798 wait4(11429,  <unfinished ...>
11429 1795726032.883104 exit_group(0)   = ?
11429 1795726032.883338 +++ exited with 0 +++
11428 1795726032.883374 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 11429 <0.003565>
11428 1795726032.883412 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=11429, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---
11428 1795726032.904177 exit_group(0)   = ?
11428 1795726032.904456 +++ exited with 0 +++
`;

describe('timeline model', () => {
  it('a lane per task grouped by process, in creation order; the vfork parent blocked from clone3 to resume (A2)', () => {
    const t = buildTimeline(parseText(SPAWN));
    expect(t.unit).toBe('us');
    expect(t.lanes.map((l) => l.tid)).toEqual([11428, 11429]);
    expect(t.groups.map((g) => g.label)).toEqual(['11428 spawn', '11429 true']);
    expect(t.groups.map((g) => g.depth)).toEqual([0, 1]);
    const vfork = t.marks.filter((m) => m.vfork);
    expect(vfork).toHaveLength(1);
    // 1795726032.870191 → .878956: microseconds since the first stamp (.864534).
    expect(vfork[0]!.x0).toBeCloseTo(5657, 3);
    expect(vfork[0]!.x1).toBeCloseTo(14422, 3);
    expect(vfork[0]!.line).toBe(2);
    expect(vfork[0]!.endLine).toBe(4);
  });

  it('arrows: clone to the child, the child exec releasing the vfork parent, exit to the reaping wait4 (A2, E26)', () => {
    const t = buildTimeline(parseText(SPAWN));
    const kinds = t.arrows.map((a) => a.kind).sort();
    expect(kinds).toEqual(['clone', 'reap', 'vfork-release']);
    const release = t.arrows.find((a) => a.kind === 'vfork-release')!;
    // From the child's lane at its execve's completion to the parent's lane at clone3's resume.
    expect(release.fromLane).toBe(1);
    expect(release.toLane).toBe(0);
    expect(release.fromX).toBeCloseTo(14639, 3);
    expect(release.toX).toBeCloseTo(14422, 3);
    const reap = t.arrows.find((a) => a.kind === 'reap')!;
    expect(reap.fromX).toBeCloseTo(18804, 3); // +++ exited
    expect(reap.toX).toBeCloseTo(18840, 3); // wait4 resumed
  });

  it('a vfork child that exits without exec releases its parent at the exit (A1, A3)', () => {
    const text = `100 vfork( <unfinished ...>
101 exit_group(3) = ?
101 +++ exited with 3 +++
100 <... vfork resumed>) = 101
100 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 101
100 +++ exited with 0 +++
`;
    const t = buildTimeline(parseText(text));
    expect(t.unit).toBe('line');
    const release = t.arrows.find((a) => a.kind === 'vfork-release');
    expect(release).toEqual({ kind: 'vfork-release', fromLane: 1, fromX: 3, toLane: 0, toX: 4 });
    expect(t.arrows.find((a) => a.kind === 'reap')).toEqual({ kind: 'reap', fromLane: 1, fromX: 3, toLane: 0, toX: 5 });
  });

  it('without timestamps x is the line number; threads are lanes of their process (C1)', () => {
    const text = `200 clone(child_stack=0x7f00, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, parent_tid=[201], tls=0x7f01, child_tidptr=0x7f02) = 201
201 getpid() = 200
201 exit(0) = ?
201 +++ exited with 0 +++
200 exit_group(0) = ?
200 +++ exited with 0 +++
`;
    const t = buildTimeline(parseText(text));
    expect(t.lanes).toEqual([
      { tid: 200, group: 0, label: '200', thread: false },
      { tid: 201, group: 0, label: 'thread 201', thread: true },
    ]);
    expect(t.marks.filter((m) => m.lane === 1).map((m) => m.x0)).toEqual([2, 3, 4]);
    expect(t.arrows).toEqual([{ kind: 'clone', fromLane: 0, fromX: 1, toLane: 1, toX: 2 }]);
  });

  it('divergences land on the mark whose lines hold them; one on no event is kept as unplaced', () => {
    const d = (line: number) => ({ line, pid: 11428, syscall: 'clone3', expected: 'e', emulated: 'x', rule: 'A2' });
    const t = buildTimeline(parseText(SPAWN), [d(4), d(99)]);
    const hit = t.marks.filter((m) => m.divergence >= 0);
    expect(hit.map((m) => [m.name, m.divergence])).toEqual([['clone3', 0]]);
    expect(t.unplaced).toEqual([1]);
  });

  it('every event is accounted for: marks plus off-lane lines equal the events of a corpus capture', async () => {
    const text = readFileSync(join(ROOT, 'corpus/python/run-success/capture.strace'), 'utf8');
    const events = parseText(text);
    const t = buildTimeline(events);
    expect(t.marks.length + t.offLane).toBe(events.length);
    for (const m of t.marks) expect(m.x1).toBeGreaterThanOrEqual(m.x0);
  });
});

describe('timeline of a Shadow log', () => {
  const dir = fileURLToPath(new URL('./fixtures/shadow/vfork-exec-standard/', import.meta.url));
  const files = ['raw.1000.strace', 'raw.1001.strace'].map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));

  it('a call logged <blocked> and then again is one blocked span; times are simulated nanoseconds as microseconds', () => {
    const t = buildTimeline(parseShadowFiles(files).events);
    expect(t.unit).toBe('us');
    expect(t.lanes.map((l) => l.tid)).toEqual([1000, 1001]);
    const wait = t.marks.filter((m) => m.name === 'wait4');
    expect(wait).toHaveLength(1);
    expect([wait[0]!.x0, wait[0]!.x1]).toEqual([3200, 4000]);
    expect(wait[0]!.text.split('\n')).toEqual([
      '1000  00:00:00.003200000 wait4(1001, 0x7ffe7f1c2b4c, 0, 0x0 <null>) = <blocked>',
      '1000  00:00:00.004000000 wait4(1001, 0x7ffe7f1c2b4c, 0, 0x0 <null>) = 1001',
    ]);
    // Several files: each mark names its own.
    expect(wait[0]!.file).toBe('raw.1000.strace');
    expect(t.marks.find((m) => m.name === 'execve')!.file).toBe('raw.1001.strace');
    // No resume time for the vfork parent and no exit lines: no release or reap arrows are made up.
    expect(t.arrows.map((a) => a.kind)).toEqual(['clone']);
  });

  it('forkscope report reads Shadow logs (dialect detected)', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fs-report-')), 'shadow.html');
    const { code, stderr } = await runCli(['report', join(dir, 'raw.1000.strace'), join(dir, 'raw.1001.strace'), '--html', out], { cwd: ROOT });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(readFileSync(out, 'utf8')).toContain('"name":"wait4"');
  });
});

describe('page', () => {
  it('is one file with no external reference: no src=, href= or url( to anything but in-page ids', () => {
    const html = renderReport(parseText(SPAWN), { title: 't' });
    expect(html).not.toMatch(/\bsrc\s*=/i);
    expect(html).not.toMatch(/\bhref\s*=/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    for (const m of html.matchAll(/url\(([^)]*)\)/g)) expect(m[1]).toMatch(/^#/);
  });

  it('capture text cannot close the data block or inject markup (arbitrary bytes in arguments)', () => {
    const evil = `300 write(1, "</script><script>alert(1)</script>\\n<!--", 40) = 40\n300 +++ exited with 0 +++\n`;
    const html = renderReport(parseText(evil), { title: '<img onerror=x> & "q"' });
    expect(html.split('</script>')).toHaveLength(3); // the JSON block and the client script, nothing more
    expect(html).not.toContain('<img onerror');
    expect(html).toContain('&lt;img onerror=x&gt; &amp; &quot;q&quot;');
    const json = /<script type="application\/json" id="timeline-data">([^]*?)<\/script>/.exec(html)![1]!;
    const data = JSON.parse(json) as { marks: { text: string }[] };
    expect(data.marks[0]!.text).toContain('"</script><script>alert(1)</script>\\n<!--"');
  });

  it('escapeHtml and jsonForScript round-trip what they escape', () => {
    expect(escapeHtml(`<a href='x'>&"</a>`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;');
    const v = { s: '</script>\u2028\u2029&<!--' };
    const j = jsonForScript(v);
    expect(j).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(j)).toEqual(v);
  });
});

describe('forkscope report', () => {
  const run = (argv: string[]) => runCli(argv, { cwd: ROOT });

  it('writes the page for a corpus capture', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fs-report-')), 'r.html');
    const r = await run(['report', 'corpus/raw/vfork-exec/capture.strace', '--html', out]);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<h1>capture.strace</h1>');
    expect(html).toContain('"vfork":true');
  });

  it('usage errors exit 2: no --html, no FILE, bad dialect; a missing file names the file', async () => {
    expect((await run(['report', 'corpus/raw/vfork-exec/capture.strace'])).code).toBe(2);
    expect((await run(['report', '--html', '/tmp/x.html'])).code).toBe(2);
    const bad = await run(['report', 'corpus/raw/vfork-exec/capture.strace', '--html', '/tmp/x.html', '--dialect', 'ltrace']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--dialect must be auto, strace or shadow');
    const missing = await run(['report', 'nope.strace', '--html', '/tmp/x.html']);
    expect(missing).toMatchObject({ code: 2, stderr: 'forkscope: nope.strace: no such file or directory\n' });
    const unwritable = await run(['report', 'corpus/raw/vfork-exec/capture.strace', '--html', '/nonexistent-dir/r.html']);
    expect(unwritable).toMatchObject({ code: 2, stderr: 'forkscope: /nonexistent-dir/r.html: no such file or directory\n' });
  });
});

describe('check --html index page (renderCheckIndex)', () => {
  const base = { events: 10, checked: 6, effectChecked: 3, adopted: 1, divergences: 0 };

  it('escapes every name, path and error, and percent-encodes each link segment', () => {
    const html = renderCheckIndex([
      { ...base, title: 'fam/"a"<b>', file: '/x/<script>alert(1)</script>/capture.strace', verdict: 'conforms', page: 'fam/a?b#c "d".html' },
      { ...base, title: 'fam/bad', file: '/x/bad', verdict: 'error', page: null, error: '/x/bad:3: not understood: <img src=x onerror=y>' },
    ]);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>"a"');
    expect(html).toContain('<a href="fam/a%3Fb%23c%20%22d%22.html">fam/&quot;a&quot;&lt;b&gt;</a>');
    expect(html).toContain('&lt;img src=x onerror=y&gt;');
    expect(html).toContain('<b>2</b> captures: <b>1</b> conform, <b>0</b> diverge, <b>1</b> error');
    // The error row has no link; the only link is the checked capture's.
    expect([...html.matchAll(/href="/g)]).toHaveLength(1);
    expect(hrefOf('a/b c/d.html')).toBe('a/b%20c/d.html');
  });
});

