// Bad input gives verdict "error" with a clear message naming file and line,
// never an exception, and the other captures of the run are still checked.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../src/cli/commands/check.js';

const corpus = fileURLToPath(new URL('../../../corpus/', import.meta.url));
const good = join(corpus, 'posix_spawn/success/capture.strace');

async function run(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, cwd: process.cwd(), isTTY: false };
  const status = await checkCommand.run(args, { io, debug: false });
  return { status, stdout, stderr };
}

async function scratch(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fs-bad-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('check on bad input', () => {
  it('a file that is not strace output is an error, and the good capture is still checked', async () => {
    const junk = await scratch('notes.txt', 'hello world\nthis is not a trace\n');
    const r = await run([junk, good, '--json']);
    expect(r.status).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out.captures).toHaveLength(2);
    expect(out.captures[0].verdict).toBe('error');
    expect(out.captures[0].error).toContain(`${junk}:1: not strace output`);
    expect(out.captures[1].verdict).not.toBe('error');
    expect(out.captures[1].events).toBeGreaterThan(0);
    expect(r.stderr).toContain('not strace output');
  });

  it('a truncated capture is an error naming where it was cut', async () => {
    const text = await readFile(good, 'utf8');
    const lines = text.split('\n');
    const cut = await scratch('cut.strace', lines.slice(0, 100).join('\n') + '\n');
    const r = await run([cut, '--json']);
    expect(r.status).toBe(2);
    const c = JSON.parse(r.stdout).captures[0];
    expect(c.verdict).toBe('error');
    expect(c.error).toMatch(/truncated capture/);
  });

  it('a pid that appears from nowhere is an error with its line', async () => {
    const lines = (await readFile(good, 'utf8')).split('\n');
    const at = 20;
    const stamp = lines[at]?.split(' ')[1] ?? '0';
    lines.splice(at, 0, `99999 ${stamp} getpid()        = 99999 <0.000010>`, `99999 ${stamp} +++ exited with 0 +++`);
    const bad = await scratch('nowhere.strace', lines.join('\n'));
    const r = await run([bad, '--json']);
    const c = JSON.parse(r.stdout).captures[0];
    expect(c.verdict).toBe('error');
    expect(c.error).toContain(`line ${at + 1}`);
    expect(c.error).toContain('99999 appears from nowhere');
  });

  it('usage and I/O errors exit 2', async () => {
    await expect(run([])).rejects.toThrow(/at least one FILE or DIR/);
    await expect(run([join(tmpdir(), 'no-such-capture.strace')])).rejects.toThrow(/no such file or directory/);
  });

  it('--junit writes a report beside the text summary', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'fs-junit-')), 'check.xml');
    const r = await run([good, '--junit', out]);
    expect(r.stdout).toMatch(/posix_spawn\/success|capture\.strace/);
    const xmlText = await readFile(out, 'utf8');
    expect(xmlText).toContain('<testsuite name="posix_spawn"');
  });
});
