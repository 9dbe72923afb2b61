// `forkscope check -j N` end to end, through the BUILT CLI: worker threads load dist/ (Node 20
// cannot run TypeScript), so this file builds the package first and drives bin/forkscope.mjs.
// The contract: -j changes nothing a script can see — stdout (--json and human), stderr, the
// JUnit file and the exit status are byte-identical to -j 1.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const corpus = join(root, 'corpus');
const bin = join(root, 'packages/conformance/bin/forkscope.mjs');

interface Outcome {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function forkscope(args: string[]): Promise<Outcome> {
  try {
    const r = await run(process.execPath, [bin, ...args], { cwd: root, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } });
    return { status: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { status: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

beforeAll(async () => {
  // The same build `npm run build` does for this package (and the packages it imports).
  try {
    await run('npx', ['tsc', '-b', 'packages/conformance/tsconfig.lib.json'], { cwd: root, maxBuffer: 16 << 20 });
  } catch (err) {
    const out = (err as { stdout?: string }).stdout ?? '';
    throw new Error(`the build these tests need failed:\n${out.split('\n').slice(0, 20).join('\n')}`);
  }
}, 300_000);

describe('forkscope check -j N (built CLI, worker threads)', () => {
  it('the whole corpus: --json and human output, stderr and exit status are identical for -j 1 and -j 2', async () => {
    const [j1, j2] = await Promise.all([forkscope(['check', 'corpus/', '--json', '-j', '1']), forkscope(['check', 'corpus/', '--json', '-j', '2'])]);
    expect(j1.status).toBe(0);
    expect(j2).toEqual(j1);
    const captures = (JSON.parse(j1.stdout) as { captures: { verdict: string }[] }).captures;
    expect(captures.length).toBeGreaterThan(10);
    const [h1, h2] = await Promise.all([forkscope(['check', 'corpus/', '-j', '1']), forkscope(['check', 'corpus/', '--jobs', '2'])]);
    expect(h1.stdout).toMatch(/\d+ conform, 0 diverge, 0 error\n$/);
    expect(h2).toEqual(h1);
    // Nothing on stderr: the built CLI really used its workers, no fallback notice.
    expect(h2.stderr).toBe('');
  }, 300_000);

  it('a run with conforming, diverging and uncheckable captures: same output, JUnit file and exit 2 with -j 1 and -j 3', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forkscope-jobs-'));
    for (const id of ['dash/pipeline', 'dash/trap', 'posix_spawn/exec-enoent', 'python/communicate']) {
      await cp(join(corpus, id), join(dir, id), { recursive: true });
    }
    // A wrong exit status: a divergence (rule exit).
    await cp(join(corpus, 'dash/simple'), join(dir, 'dash/simple-wrong-exit'), { recursive: true });
    const wrongExit = join(dir, 'dash/simple-wrong-exit/capture.strace');
    const text = await readFile(wrongExit, 'utf8');
    const at = text.lastIndexOf('+++ exited with 0 +++');
    expect(at).toBeGreaterThan(0);
    await writeFile(wrongExit, `${text.slice(0, at)}+++ exited with 3 +++${text.slice(at + '+++ exited with 0 +++'.length)}`);
    // Cut in the middle: an error verdict.
    await cp(join(corpus, 'dash/exec'), join(dir, 'dash/truncated'), { recursive: true });
    const cut = join(dir, 'dash/truncated/capture.strace');
    const whole = await readFile(cut, 'utf8');
    await writeFile(cut, whole.slice(0, Math.floor(whole.length / 2)));

    const j1 = await forkscope(['check', dir, '-j', '1', '--junit', join(dir, 'j1.xml')]);
    const j3 = await forkscope(['check', dir, '-j', '3', '--junit', join(dir, 'j3.xml')]);
    expect(j1.status).toBe(2);
    expect(j1.stdout).toMatch(/conform, 1 diverge, 1 error\n$/);
    expect(j1.stderr).toContain('truncated');
    expect(j3).toEqual(j1);
    expect(await readFile(join(dir, 'j3.xml'), 'utf8')).toBe(await readFile(join(dir, 'j1.xml'), 'utf8'));
    const [a, b] = await Promise.all([forkscope(['check', dir, '--json']), forkscope(['check', dir, '--json', '-j', 'auto'])]);
    expect(b).toEqual(a);
  }, 300_000);

  it('a V8 flag on the node command line (not allowed in a worker\'s own options) does not stop -j', async () => {
    const args = ['--max-inlined-bytecode-size-cumulative=200', bin, 'check', 'corpus/dash', '--json'];
    const run1 = await run(process.execPath, [...args, '-j', '1'], { cwd: root, maxBuffer: 64 << 20 });
    const run2 = await run(process.execPath, [...args, '-j', '2'], { cwd: root, maxBuffer: 64 << 20 });
    expect(run2.stderr).toBe('');
    expect(run2.stdout).toBe(run1.stdout);
  }, 300_000);

  it('a bad -j value is a usage error (exit 2) naming it', async () => {
    const r = await forkscope(['check', 'corpus/', '-j', 'many']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("--jobs 'many' is not a count");
  });

  it('the bar on a terminal stderr moves once per capture as the workers report (the built main, in-process, -j 2)', async () => {
    // The built CLI imported here, so its pool finds the built worker beside it and uses threads.
    const built = (await import(pathToFileURL(join(root, 'packages/conformance/dist/cli/main.js')).href)) as typeof import('../src/cli/main.js');
    const dir = await mkdtemp(join(tmpdir(), 'forkscope-jobs-progress-'));
    const ids = ['dash/pipeline', 'dash/trap', 'posix_spawn/exec-enoent', 'python/communicate', 'rust/status'];
    for (const id of ids) await cp(join(corpus, id), join(dir, id), { recursive: true });
    const writes: string[] = [];
    let stdout = '';
    const code = await built.main(['check', dir, '-j', '2'], {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => writes.push(t), isTTY: true, columns: 80 },
      cwd: root,
      isTTY: false,
      env: {},
    });
    expect(code, writes.join('')).toBe(0);
    expect(stdout).toMatch(/5 conform, 0 diverge, 0 error\n$/);
    // One redraw per report, counting up, each its own write; then the line is erased.
    const counts = writes.map((w) => / (\d+)\/5$/.exec(w)?.[1]).filter((c) => c !== undefined);
    expect(counts).toEqual(['1', '2', '3', '4', '5']);
    expect(writes.at(-1)).toMatch(/^\r +\r$/);
    expect(writes.join('')).not.toContain('no built worker');
  }, 300_000);
});
