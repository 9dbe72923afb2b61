import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, normalize, parseText } from '@forkscope/tracer';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { runCli } from './helpers/cli.js';

const run = (argv: string[], cwd = process.cwd()) => runCli(argv, { cwd });

// Fixture lines: a real strace -f -ttt -T run of a posix_spawn program (pids from that run).
const FIXTURE = `11428 1795726032.864534 execve("./spawn", ["./spawn"], 0x7ffdca569d48 /* 39 vars */) = 0 <0.000985>
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

function fixtureDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'forkscope-cli-'));
  writeFileSync(join(dir, 'spawn.strace'), FIXTURE);
  writeFileSync(join(dir, 'bad.strace'), FIXTURE + 'this is not strace output\n');
  return dir;
}

describe('forkscope: help, version, usage errors', () => {
  it('--help lists every command with examples, exit 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const name of ['parse', 'tree', 'normalize']) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(r.stdout).toContain('Examples:');
    expect(r.stderr).toBe('');
  });

  it.each(['parse', 'tree', 'normalize'])('%s --help has a usage line and examples', async (name) => {
    const r = await run([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(`Usage: forkscope ${name} `)).toBe(true);
    expect(r.stdout).toContain('Examples:');
    expect((await run(['help', name])).stdout).toBe(r.stdout);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `forkscope ${pkg.version}\n`, stderr: '' });
  });

  it('no command, an unknown command or an unknown option is a usage error (exit 2)', async () => {
    for (const argv of [[], ['frobnicate'], ['--frob'], ['parse', '--frob', 'x'], ['tree'], ['tree', '--json'], ['normalize'], ['parse', '--dialect', 'ltrace', 'x']]) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^forkscope: .+\nTry 'forkscope( [a-z]+)? --help'\.\n$/);
    }
  });
});

describe('forkscope: I/O errors', () => {
  it('a missing file is one clear line and exit 2, for every command', async () => {
    const dir = fixtureDir();
    for (const cmd of ['parse', 'tree', 'normalize']) {
      const r = await run([cmd, 'missing.strace'], dir);
      expect(r).toEqual({ code: 2, stdout: '', stderr: 'forkscope: missing.strace: no such file or directory\n' });
    }
  });

  it('a directory given as FILE is an I/O error', async () => {
    const dir = fixtureDir();
    expect(await run(['tree', '.'], dir)).toEqual({ code: 2, stdout: '', stderr: 'forkscope: .: is a directory\n' });
  });

  it('an internal error is one line without a stack trace, unless --debug', async () => {
    const dir = fixtureDir();
    const failing = async (argv: string[]) => {
      let stderr = '';
      const code = await main(argv, {
        stdout: { write: () => { throw new Error('stdout went away'); } },
        stderr: { write: (s: string) => (stderr += s) },
        cwd: dir,
        isTTY: false,
      });
      return { code, stderr };
    };
    const plain = await failing(['tree', 'spawn.strace']);
    expect(plain).toEqual({ code: 2, stderr: 'forkscope: internal error: stdout went away (run with --debug for details)\n' });
    const debug = await failing(['tree', 'spawn.strace', '--debug']);
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(/^forkscope: internal error: stdout went away\nError: stdout went away\n\s+at /);
  });
});

describe('forkscope parse (fixture lines)', () => {
  it('summarises a file whose lines are all understood: exit 0', async () => {
    const dir = fixtureDir();
    const r = await run(['parse', 'spawn.strace'], dir);
    expect(r).toEqual({ code: 0, stdout: 'spawn.strace: 12 lines, 9 events, 0 diagnostics\n', stderr: '' });
  });

  it('reports a line it does not understand as FILE:LINE on stderr: exit 1', async () => {
    const dir = fixtureDir();
    const r = await run(['parse', 'bad.strace'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('bad.strace: 13 lines, 9 events, 1 diagnostic\n');
    expect(r.stderr).toMatch(/^bad\.strace:13: .+\n$/);
  });

  it('--ndjson prints one JSON event per line, arguments parsed and bigints as strings', async () => {
    const dir = fixtureDir();
    const r = await run(['parse', '--ndjson', 'spawn.strace'], dir);
    expect(r.code).toBe(0);
    const events = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    // Split calls are one event each: 12 lines, 9 events.
    expect(events.map((e) => e.kind)).toEqual(['syscall', 'syscall', 'syscall', 'syscall', 'syscall', 'exited', 'syscall', 'signal', 'syscall', 'exited'].filter((_, i) => i !== 4));
    const clone = events.find((e) => e.name === 'clone3') as { outcome: { value: string }; args: unknown[] } | undefined;
    expect(clone?.outcome.value).toBe('11429');
    expect(JSON.stringify(clone?.args)).toContain('CLONE_VFORK');
    const exec = events.find((e) => e.name === 'execve' && e.pid === 11429) as { args: { value: { kind: string; bytes?: unknown } }[] } | undefined;
    expect(exec?.args[0]?.value).toEqual({ kind: 'string', bytes: '/bin/true', truncated: false });
  });
});

// The same run as FIXTURE, as strace -ff writes it: one file per process, no pid column.
const FF_PARENT = `1795726032.864534 execve("./spawn", ["./spawn"], 0x7ffdca569d48 /* 39 vars */) = 0 <0.000985>
1795726032.870191 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7fcaf586a000, stack_size=0x9000}, 88) = 11429 <0.008749>
1795726032.879798 wait4(11429, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 11429 <0.003565>
1795726032.883412 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=11429, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---
1795726032.904177 exit_group(0)   = ?
1795726032.904456 +++ exited with 0 +++
`;
const FF_CHILD = `1795726032.878291 execve("/bin/true", ["true"], 0x7ffc3a0b4a58 /* 39 vars */) = 0 <0.000846>
1795726032.883104 exit_group(0)   = ?
1795726032.883338 +++ exited with 0 +++
`;

describe('forkscope with -ff files (fixture lines)', () => {
  it('reads several name.<pid> files as one run', async () => {
    const dir = fixtureDir();
    writeFileSync(join(dir, 'run.11428'), FF_PARENT);
    writeFileSync(join(dir, 'run.11429'), FF_CHILD);
    const p = await run(['parse', 'run.11428', 'run.11429'], dir);
    expect(p).toEqual({ code: 0, stdout: 'run.11428: 6 lines, 6 events, 0 diagnostics\nrun.11429: 3 lines, 3 events, 0 diagnostics\n', stderr: '' });
    const nd = await run(['parse', '--ndjson', 'run.11428', 'run.11429'], dir);
    const pids = nd.stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as { pid: number }).pid);
    // Merged by when each call returned (stamp + -T duration), where a -f capture prints the result:
    // clone3 returns at …878940, the child's execve at …879137, its exit at …883104/…883338, and the
    // parent's wait4, stamped at entry (…879798), returns only at …883363, after the child has exited.
    expect(pids).toEqual([11428, 11428, 11429, 11429, 11429, 11428, 11428, 11428, 11428]);
  });

  it('normalizes the -ff files of a run exactly as the same run recorded with -f', async () => {
    const dir = fixtureDir();
    writeFileSync(join(dir, 'run.11428'), FF_PARENT);
    writeFileSync(join(dir, 'run.11429'), FF_CHILD);
    const ff = await run(['normalize', 'run.11428', 'run.11429'], dir);
    expect(ff.code).toBe(0);
    expect(ff.stdout).toBe((await run(['normalize', 'spawn.strace'], dir)).stdout);
    // Including the orderings, which -ff files only show through timestamps and -T durations.
    expect((JSON.parse(ff.stdout) as { orderings: unknown[] }).orderings).toHaveLength(2);
  });

  it('refuses several files whose names do not end in .<pid>', async () => {
    const dir = fixtureDir();
    expect(await run(['parse', 'spawn.strace', 'bad.strace'], dir)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'forkscope: spawn.strace: several files are read as one -ff run, so each name must end in .<pid>\n',
    });
  });
});

describe('forkscope tree and normalize (fixture lines)', () => {
  it('tree draws the vfork child under its parent; --json gives the same tree as data', async () => {
    const dir = fixtureDir();
    const r = await run(['tree', 'spawn.strace'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      ['11428 exited 0', '│  execve "./spawn" ["./spawn"]', '└─ 11429 clone3(CLONE_VFORK|CLONE_VM|SIGCHLD) → exited 0', '      execve "/bin/true" ["true"]', ''].join('\n'),
    );
    const j = await run(['tree', '--json', 'spawn.strace'], dir);
    const tree = JSON.parse(j.stdout) as { roots: { pid: number; children: { pid: number; parentPid: number }[] }[] };
    expect(tree.roots.map((p) => p.pid)).toEqual([11428]);
    expect(tree.roots[0]?.children.map((c) => [c.pid, c.parentPid])).toEqual([[11429, 11428]]);
  });

  it('normalize prints the canonical normalized JSON of the capture', async () => {
    const dir = fixtureDir();
    const r = await run(['normalize', 'spawn.strace'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(canonicalJson(normalize(parseText(FIXTURE))));
    const n = JSON.parse(r.stdout) as { processes: { pid: number; parent: number | null }[] };
    expect(n.processes.map((p) => [p.pid, p.parent])).toEqual([[1, null], [2, 1]]);
  });

  it('normalize --write DIR writes expected.json beside every capture.strace, then finds them unchanged', async () => {
    const dir = fixtureDir();
    for (const c of ['fam/a', 'fam/b']) {
      mkdirSync(join(dir, 'corpus', c), { recursive: true });
      writeFileSync(join(dir, 'corpus', c, 'capture.strace'), FIXTURE);
    }
    const first = await run(['normalize', '--write', 'corpus'], dir);
    expect(first).toEqual({ code: 0, stdout: 'wrote corpus/fam/a/expected.json\nwrote corpus/fam/b/expected.json\n', stderr: '' });
    expect(readFileSync(join(dir, 'corpus/fam/a/expected.json'), 'utf8')).toBe(canonicalJson(normalize(parseText(FIXTURE))));
    const second = await run(['normalize', '--write', 'corpus'], dir);
    expect(second.stdout).toBe('unchanged corpus/fam/a/expected.json\nunchanged corpus/fam/b/expected.json\n');
    expect((await run(['normalize', '--write', 'nowhere'], dir)).code).toBe(2);
    expect((await run(['normalize', '--write', 'corpus', 'x.strace'], dir)).code).toBe(2);
  });
});

describe('forkscope on the corpus', () => {
  const corpus = new URL('../../../corpus/', import.meta.url).pathname;
  const manifestPath = join(corpus, 'manifest.json');
  it('corpus/manifest.json exists and lists cases', () => {
    expect(existsSync(manifestPath)).toBe(true);
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { cases: unknown[] };
    expect(manifest.cases.length).toBeGreaterThan(0);
  });
  const cases = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as { cases: { id: string; path: string }[] }).cases : [];
  it.each(cases.map((c) => [c.id, c.path] as const))('%s: parse exits 0, tree shows its root process', async (_id, path) => {
    const file = join(path, 'capture.strace');
    const p = await run(['parse', file], corpus);
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    const t = await run(['tree', file], corpus);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^\d+ (exited \d+|killed by SIG[A-Z0-9]+)/);
  });
});
