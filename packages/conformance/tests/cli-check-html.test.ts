// `forkscope check --html DIR`, `run --html OUT`, and check's terminal manners (--quiet, verdict
// colour only on a terminal, text unchanged off one).
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const corpus = fileURLToPath(new URL('../../../corpus/', import.meta.url));

const cli = (argv: string[], cwd: string, tty = false) => runCli(argv, { cwd, out: tty });

/** A copy of a corpus case (capture and case.json) under dir/<id>, the capture changed by `edit`. */
async function copyCase(dir: string, id: string, edit: (lines: string[]) => string[] = (l) => l): Promise<string> {
  const to = join(dir, id);
  await mkdir(to, { recursive: true });
  await copyFile(join(corpus, id, 'case.json'), join(to, 'case.json'));
  const lines = (await readFile(join(corpus, id, 'capture.strace'), 'utf8')).split('\n');
  await writeFile(join(to, 'capture.strace'), edit(lines).join('\n'));
  return to;
}

/** A2: the vfork parent's clone3 resumes before its child's execve (the line moved up). */
function resumeEarly(lines: string[]): string[] {
  const resumed = lines.findIndex((l) => l.includes('<... clone3 resumed>'));
  const exec = lines.findIndex((l) => l.includes('execve("/bin/true"'));
  if (resumed < 0 || exec < 0 || exec > resumed) throw new Error('posix_spawn/success changed shape');
  const m = [...lines];
  const [moved] = m.splice(resumed, 1);
  m.splice(exec, 0, moved as string);
  return m;
}

describe('forkscope check --html DIR', () => {
  it('A2 writes a timeline per capture; the diverging one carries its divergence rows in red, the conforming one none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'check-html-'));
    await copyCase(join(dir, 'in'), 'posix_spawn/success', resumeEarly);
    await copyCase(join(dir, 'in'), 'posix_spawn/exec-enoent');
    const r = await cli(['check', 'in', '--html', 'out'], dir);
    expect(r.code).toBe(1); // unchanged: some diverge
    const bad = await readFile(join(dir, 'out/posix_spawn/success.html'), 'utf8');
    const good = await readFile(join(dir, 'out/posix_spawn/exec-enoent.html'), 'utf8');
    for (const page of [bad, good]) {
      expect(page.startsWith('<!doctype html>') || page.startsWith('<!DOCTYPE html>')).toBe(true);
      expect(page).toContain('<svg'); // the lanes are drawn in the page's SVG
    }
    expect(bad).toContain('<section id="divergences">');
    expect(bad).toMatch(/class="bad">\d+ divergences?</);
    expect(good).not.toContain('<section id="divergences">');
  });

  it('a capture that cannot be checked gets no page, and the exit status stays 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'check-html-err-'));
    await copyCase(join(dir, 'in'), 'posix_spawn/success', () => ['this is not strace']);
    const r = await cli(['check', 'in', '--html', 'out'], dir);
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, 'out/posix_spawn/success.html'))).toBe(false);
  });
});

describe('forkscope check --html DIR: the index page', () => {
  /** The index's rows as [verdict, link target or null, shown name], from the table body. */
  function rows(index: string): [string, string | null, string][] {
    const body = index.slice(index.indexOf('<tbody>'), index.indexOf('</tbody>'));
    return body
      .split('<tr>')
      .slice(1)
      .map((row) => {
        const verdict = /<td class="v-(\w+)">/.exec(row)?.[1] ?? '?';
        const link = /<a href="([^"]*)">([^<]*)<\/a>/.exec(row);
        const name = link?.[2] ?? /<\/td><td>([^<]*)<\/td>/.exec(row)?.[1] ?? '?';
        return [verdict, link?.[1] ?? null, name];
      });
  }

  it('lists every capture with its verdict in input order; each checked one links to its existing timeline, the uncheckable one shows its error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'check-index-'));
    await copyCase(join(dir, 'in'), 'posix_spawn/success', resumeEarly);
    await copyCase(join(dir, 'in'), 'posix_spawn/exec-enoent');
    await copyCase(join(dir, 'in'), 'dash/pipeline', () => ['this is not strace']);
    const r = await cli(['check', 'in', '--html', 'out'], dir);
    expect(r.code).toBe(2);
    const index = await readFile(join(dir, 'out/index.html'), 'utf8');
    expect(index.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(index).toContain('<b>3</b> captures: <b>1</b> conform, <b>1</b> diverge, <b>1</b> error');
    expect(rows(index)).toEqual([
      ['error', null, 'dash/pipeline'],
      ['conforms', 'posix_spawn/exec-enoent.html', 'posix_spawn/exec-enoent'],
      ['diverges', 'posix_spawn/success.html', 'posix_spawn/success'],
    ]);
    for (const [, href] of rows(index)) if (href !== null) expect(existsSync(join(dir, 'out', href))).toBe(true);
    expect(index).toMatch(/<td class="error" colspan="5">[^<]*dash\/pipeline\/capture\.strace[^<]*not strace output/);
    // Self-contained: no script, nothing fetched, only the relative links to the timelines.
    expect(index).not.toContain('<script');
    expect(index).not.toMatch(/\bsrc\s*=/);
    expect([...index.matchAll(/href="([^"]*)"/g)].map((m) => m[1])).toEqual(['posix_spawn/exec-enoent.html', 'posix_spawn/success.html']);
  });

  it('case ids are escaped in the page and cannot leave DIR; two captures with one id get two pages', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'check-index-evil-'));
    await copyCase(join(dir, 'in/a'), 'posix_spawn/exec-enoent');
    await copyCase(join(dir, 'in/b'), 'posix_spawn/exec-enoent');
    const evil = join(dir, 'in/c');
    await copyCase(evil, 'posix_spawn/exec-enoent');
    const caseFile = join(evil, 'posix_spawn/exec-enoent/case.json');
    const info = JSON.parse(await readFile(caseFile, 'utf8')) as { id: string };
    info.id = '../../<b>x&y</b>';
    await writeFile(caseFile, JSON.stringify(info));
    const r = await cli(['check', 'in', '--html', 'out'], dir);
    expect(r.code).toBe(0);
    const index = await readFile(join(dir, 'out/index.html'), 'utf8');
    expect(rows(index).map(([, href]) => href)).toEqual(['posix_spawn/exec-enoent.html', 'posix_spawn/exec-enoent-2.html', '%3Cb%3Ex%26y%3C/b%3E.html']);
    expect(existsSync(join(dir, 'out/posix_spawn/exec-enoent-2.html'))).toBe(true);
    expect(existsSync(join(dir, 'out/<b>x&y</b>.html'))).toBe(true);
    expect(index).not.toContain('<b>x');
    expect(index).toContain('../../&lt;b&gt;x&amp;y&lt;/b&gt;');
  });
});

describe('forkscope check on and off a terminal', () => {
  it('--quiet prints only the summary line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'check-quiet-'));
    await copyCase(dir, 'posix_spawn/exec-enoent');
    expect(await cli(['--quiet', 'check', 'posix_spawn'], dir)).toEqual({ code: 0, stdout: '1 conform, 0 diverge, 0 error\n', stderr: '' });
  });

  it('colours the verdict words only on a terminal; the bytes are otherwise those of the plain text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'check-tty-'));
    await copyCase(dir, 'posix_spawn/exec-enoent');
    const plain = await cli(['check', 'posix_spawn'], dir);
    expect(plain.stdout).toMatch(/^conforms {2}posix_spawn\/exec-enoent \(/);
    expect(plain.stdout).not.toContain('\u001b[');
    const tty = await cli(['check', 'posix_spawn'], dir, true);
    expect(tty.stdout).toContain('\u001b[32mconforms\u001b[39m  posix_spawn/exec-enoent (');
    // Only the escape sequences differ.
    expect(tty.stdout.replace(/\u001b\[[0-9;]*m/g, '')).toBe(plain.stdout);
  });
});

describe('forkscope check progress', () => {
  it('draws a bar on a terminal stderr, one step per capture, and erases it before exiting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'check-progress-'));
    await copyCase(dir, 'posix_spawn/exec-enoent');
    await copyCase(dir, 'posix_spawn/success');
    const { code, stderr } = await runCli(['check', 'posix_spawn'], { cwd: dir, err: true, columns: 80 });
    expect(code).toBe(0);
    expect(stderr).toContain('check [');
    expect(stderr).toContain(' 1/2');
    expect(stderr).toContain(' 2/2');
    // The last thing written blanks the line and returns to its start.
    expect(stderr).toMatch(/\r +\r$/);
  });
});

describe('forkscope run --html OUT', () => {
  it('writes the emulated run as a timeline (a lane per task, the clone3 child among them)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'run-html-'));
    const r = await cli(['run', 'posix_spawn/success', '--html', 'spawn.html'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('clone3(');
    const page = await readFile(join(dir, 'spawn.html'), 'utf8');
    expect(page).toContain('posix_spawn/success (emulated, strategy linux)');
    expect(page).toMatch(/<b>2<\/b> processes/);
    expect(page).not.toContain('<section id="divergences">');
  });

  it('an unwritable OUT is an I/O error (exit 2) naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'run-html-bad-'));
    const r = await cli(['run', 'posix_spawn/success', '--html', 'no/such/dir/x.html'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no/such/dir/x.html');
  });
});
