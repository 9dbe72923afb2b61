// `forkscope check` through the command module: the fs manifest drives exec
// results (checked with one, adopted without), --fs overrides it, and the
// exit statuses follow the contract.
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../src/cli/commands/check.js';
import { runCli, runCommand } from './helpers/cli.js';

const corpus = fileURLToPath(new URL('../../../corpus/', import.meta.url));
const enoent = join(corpus, 'posix_spawn/exec-enoent/capture.strace');

const run = (args: string[]) => runCommand(checkCommand, args);

async function manifest(entries: unknown): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'fs-manifest-')), 'fs.json');
  await writeFile(path, JSON.stringify(entries));
  return path;
}

describe('forkscope check', () => {
  it('D3 with the case fs manifest the failed execve is checked and conforms (exit 0)', async () => {
    const r = await run([enoent, '--json']);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout).captures[0];
    expect(c.verdict).toBe('conforms');
    expect(c.adoptedReasons.map((x: { reason: string }) => x.reason).join('\n')).not.toMatch(/exec result adopted/);
  });

  it('without a case.json the exec results are adopted and counted as such, and the capture still checks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fs-nocase-'));
    const lone = join(dir, 'x.strace');
    await writeFile(lone, await readFile(enoent, 'utf8'));
    const r = await run([lone, '--json']);
    const c = JSON.parse(r.stdout).captures[0];
    expect(c.verdict).toBe('conforms');
    const reasons = c.adoptedReasons.map((x: { reason: string }) => x.reason);
    expect(reasons).toContain('exec result adopted: the capture has no fs manifest');
    expect(c.checked).toBeGreaterThan(0);
  });

  it('--fs claiming the missing program exists turns the recorded ENOENT into an errno divergence (exit 1)', async () => {
    const fs = await manifest([
      { path: '/nonexistent', kind: 'directory', mode: '0755' },
      { path: '/nonexistent/missing', kind: 'file', mode: '0755', exec: 'elf' },
      { path: '/tmp/forkscope/bin/spawn', kind: 'file', mode: '0755', exec: 'elf' },
    ]);
    const r = await run([enoent, '--fs', fs, '--json']);
    expect(r.code).toBe(1);
    const c = JSON.parse(r.stdout).captures[0];
    expect(c.verdict).toBe('diverges');
    expect(c.divergences[0]).toMatchObject({ syscall: 'execve', rule: 'errno', expected: expect.stringContaining('ENOENT') });
  });

  it('a malformed --fs manifest is a usage-level input error', async () => {
    const fs = await manifest([{ path: '/x', kind: 'teapot' }]);
    await expect(run([enoent, '--fs', fs])).rejects.toThrow(/fs\[0\]\.kind/);
  });

  it('a manifest the kernel rejects (a symlink without a target) makes the capture an error naming the entry', async () => {
    const fs = await manifest([{ path: '/nonexistent/missing', kind: 'symlink', target: 42 }]);
    await expect(run([enoent, '--fs', fs])).rejects.toThrow(/fs\[0\]\.target/);
    const fs2 = await manifest([{ path: 'relative/path', kind: 'file', mode: '0755', exec: 'elf' }]);
    const r = await run([enoent, '--fs', fs2, '--json']);
    const c = JSON.parse(r.stdout).captures[0];
    expect(r.code).toBe(2);
    expect(c.verdict).toBe('error');
    expect(c.error).toMatch(/invalid fs manifest/);
  });

  it('--help documents the options and exit statuses', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--junit OUT');
    expect(r.stdout).toContain('exit status: 0 all conform, 1 some diverge, 2 usage or I/O error');
  });
});

describe('forkscope check through main()', () => {
  it('is registered: a corpus directory checks with exit 0 and a usage error exits 2', async () => {
    const ok = await runCli(['check', join(corpus, 'posix_spawn')]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/conforms {2}posix_spawn\/success/);
    const usage = await runCli(['check']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('at least one FILE or DIR');
  });
});

describe('check exit statuses (CLI contract: 0 all conform, 1 some diverge, 2 usage or I/O error)', () => {
  /** A run directory holding copies of corpus cases; `exitCode` rewrites the last exit line, `cut` halves the capture. */
  async function runDir(cases: { id: string; exitCode?: number; cut?: boolean }[]): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'check-exit-'));
    for (const [i, c] of cases.entries()) {
      const to = join(dir, `${i}`, c.id);
      await mkdir(to, { recursive: true });
      await copyFile(join(corpus, c.id, 'case.json'), join(to, 'case.json'));
      let text = await readFile(join(corpus, c.id, 'capture.strace'), 'utf8');
      if (c.exitCode !== undefined) {
        const at = text.lastIndexOf('+++ exited with 0 +++');
        text = `${text.slice(0, at)}+++ exited with ${c.exitCode} +++${text.slice(at + '+++ exited with 0 +++'.length)}`;
      }
      if (c.cut === true) text = text.slice(0, Math.floor(text.length / 2));
      await writeFile(join(to, 'capture.strace'), text);
    }
    return dir;
  }

  it('all conform: 0', async () => {
    const r = await runCli(['check', await runDir([{ id: 'dash/simple' }, { id: 'dash/pipeline' }])]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 conform, 0 diverge, 0 error\n$/);
  });

  it('some diverge, none uncheckable: 1', async () => {
    const r = await runCli(['check', await runDir([{ id: 'dash/simple', exitCode: 3 }, { id: 'dash/pipeline' }])]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/1 conform, 1 diverge, 0 error\n$/);
    expect(r.stderr).toBe('');
  });

  it('a capture that cannot be checked (cut short) is an input error: 2, even beside a divergence, named on stderr', async () => {
    const dir = await runDir([{ id: 'dash/simple', exitCode: 3 }, { id: 'dash/exec', cut: true }, { id: 'dash/pipeline' }]);
    const r = await runCli(['check', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/1 conform, 1 diverge, 1 error\n$/);
    expect(r.stderr).toMatch(/^forkscope: \S+dash\/exec\/capture\.strace:\d+: truncated capture/);
  });

  it('a path that does not exist, or a directory without captures: 2 and one line naming it', async () => {
    const missing = await runCli(['check', '/nonexistent/forkscope-captures']);
    expect(missing).toEqual({ code: 2, stdout: '', stderr: 'forkscope: /nonexistent/forkscope-captures: no such file or directory\n' });
    const empty = await mkdtemp(join(tmpdir(), 'check-empty-'));
    const none = await runCli(['check', empty]);
    expect(none).toEqual({ code: 2, stdout: '', stderr: `forkscope: ${empty}: no capture.strace with a case.json beside it\n` });
  });
});
