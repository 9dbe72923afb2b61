// forkscope run: a model on the emulated kernel as strace text.
import { parseText, normalize, canonicalJson } from '@forkscope/tracer';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const run = (argv: string[]) => runCli(argv);

const CORPUS = fileURLToPath(new URL('../../../corpus', import.meta.url));

describe('forkscope run', () => {
  it('--list names corpus cases, one per line, and includes every family', async () => {
    const r = await run(['run', '--list']);
    expect(r.code).toBe(0);
    const ids = r.stdout.trim().split('\n');
    expect(ids.length).toBeGreaterThanOrEqual(30);
    for (const f of ['raw/', 'posix_spawn/', 'python/', 'dash/', 'rust/']) expect(ids.some((id) => id.startsWith(f))).toBe(true);
    const manifest = JSON.parse(readFileSync(`${CORPUS}/manifest.json`, 'utf8')) as { cases: { id: string }[] };
    for (const id of ids) expect(manifest.cases.map((c) => c.id)).toContain(id);
  });

  it('prints strace text that normalizes to the case expectation (G1, posix_spawn of a missing program)', async () => {
    const r = await run(['run', 'posix_spawn/exec-enoent']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('execve("/nonexistent/missing", ["missing"]');
    expect(r.stdout).toMatch(/^\d+ +\d+\.\d{6} clone3\(\{flags=CLONE_VM\|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x[0-9a-f]+, stack_size=0x9000\}, 88 <unfinished \.\.\.>$/m);
    const expected = readFileSync(`${CORPUS}/posix_spawn/exec-enoent/expected.json`, 'utf8');
    expect(canonicalJson(normalize(parseText(r.stdout)))).toBe(canonicalJson(JSON.parse(expected)));
  });

  it('timestamps come from the virtual clock and never go backwards; two runs are byte-identical', async () => {
    const a = await run(['run', 'dash/two-commands', '--strategy', 'fork']);
    const b = await run(['run', 'dash/two-commands', '--strategy=fork']);
    expect(a.stdout).toBe(b.stdout);
    const times = a.stdout.trim().split('\n').map((l) => Number(l.split(/ +/)[1]));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1] ?? 0);
  });

  it('A9: shared-no-restore reports on stderr that the vfork parent resumed on the child frame', async () => {
    const r = await run(['run', 'raw/vfork-shared-memory', '--strategy', 'shared-no-restore']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("resumed on task 1001's frame");
    expect(r.stdout).toContain('+++ killed by SIGSEGV +++');
  });

  it('usage errors exit 2 with a reason', async () => {
    expect((await run(['run'])).code).toBe(2);
    const bad = await run(['run', 'raw/vfork-exec', '--strategy', 'clone']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--strategy must be one of linux, fork, shared-no-restore');
    const unknown = await run(['run', 'raw/no-such-model']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no model named 'raw/no-such-model'");
  });

  it('a corpus directory without the case is an input error (exit 2), not a crash', async () => {
    const r = await run(['run', 'raw/vfork-exec', '--corpus', '/nonexistent-corpus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent-corpus/raw/vfork-exec/case.json');
  });
});
