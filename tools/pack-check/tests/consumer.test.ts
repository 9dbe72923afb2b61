// The published packages as their users get them: built, packed with `npm pack`, installed into a
// fresh project outside the workspace with no registry, then used from plain Node ESM, from
// TypeScript (nodenext) and through the installed `forkscope` bin.
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  consumerTsconfig,
  describeResult,
  PUBLISHED_PACKAGES,
  runCommand,
  runConsumerTsc,
  WORKSPACE_ROOT,
  type ConsumerProject,
  type ExportedNames,
} from '../src/index.js';
import { consumerProject } from './setup/consumer.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const CASE_DIR = join(WORKSPACE_ROOT, 'corpus', 'posix_spawn', 'success');
const CAPTURE = join(CASE_DIR, 'capture.strace');

let project: ConsumerProject;

beforeAll(() => {
  project = consumerProject();
});

function exportsOf(name: string): ExportedNames {
  const names = project.exports[name];
  if (names === undefined) throw new Error(`no export list for ${name}`);
  return names;
}

describe('the tarballs', () => {
  it.each(PUBLISHED_PACKAGES)('$name ships dist/ with declarations, its README and package.json, no sources', ({ name }) => {
    const packed = project.packed.find((p) => p.pkg.name === name);
    expect(packed).toBeDefined();
    const files = packed?.files ?? [];
    expect(files).toContain('package.json');
    expect(files).toContain('README.md');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    // Every module has its declarations beside it.
    for (const js of files.filter((f) => f.endsWith('.js'))) {
      if (js.startsWith('dist/')) expect(files, `${name}: ${js} without declarations`).toContain(js.replace(/\.js$/, '.d.ts'));
    }
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('tests/') || f.endsWith('.tsbuildinfo'))).toEqual([]);
  });

  it('the conformance tarball ships the forkscope bin', () => {
    const files = project.packed.find((p) => p.pkg.name === '@forkscope/conformance')?.files ?? [];
    expect(files).toContain('bin/forkscope.mjs');
  });

  it('install offline into a fresh project, with no third-party package', async () => {
    const top = (await readdir(join(project.dir, 'node_modules'))).filter((n) => !n.startsWith('.')).sort();
    expect(top).toEqual(['@forkscope']);
    const scoped = (await readdir(join(project.dir, 'node_modules', '@forkscope'))).sort();
    expect(scoped).toEqual(PUBLISHED_PACKAGES.map((p) => p.name.slice('@forkscope/'.length)).sort());
    const lock = JSON.parse(await readFile(join(project.dir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string }>;
    };
    const installed = Object.keys(lock.packages).filter((k) => k !== '');
    expect(installed.sort()).toEqual(PUBLISHED_PACKAGES.map((p) => `node_modules/${p.name}`).sort());
    // Each one came from its tarball, none from a registry.
    for (const key of installed) expect(lock.packages[key]?.resolved ?? '').toMatch(/^file:.*\.tgz$/);
  });
});

describe('plain Node ESM consumer', () => {
  interface Seen {
    exports: Record<string, string[]>;
    resolved: Record<string, string>;
    parse: { events: number; kinds: Record<string, number>; cloneCalls: number; normalizedEqualsExpected: boolean };
    kernel: {
      sh: number;
      child: number;
      exited: unknown;
      waited: unknown;
      again: unknown;
      eventTypes: string[];
      invariants: string[];
    };
    replay: { records: number; fatal: number };
    check: { status: number; stdout: string; stderr: string };
  }
  let seen: Seen;

  beforeAll(async () => {
    await copyFile(new URL('use-packages.mjs', FIXTURES), join(project.dir, 'use-packages.mjs'));
    const r = await runCommand(process.execPath, ['use-packages.mjs', CASE_DIR], { cwd: project.dir });
    if (r.code !== 0) throw new Error(describeResult(r));
    seen = JSON.parse(r.stdout) as Seen;
  }, 300_000);

  it("imports each package's runtime exports: exactly the value names its index exports", () => {
    for (const { name } of PUBLISHED_PACKAGES) expect(seen.exports[name], name).toEqual(exportsOf(name).values);
  });

  it('resolves every package to its dist/ (the @forkscope/source condition does not reach consumers)', () => {
    for (const { name } of PUBLISHED_PACKAGES) {
      expect(seen.resolved[name], name).toBe(`file://${join(project.dir, 'node_modules', name, 'dist', 'index.js')}`);
    }
  });

  it('parses a real capture and normalizes it to the committed expected.json', () => {
    expect(seen.parse.events).toBeGreaterThan(50);
    expect(seen.parse.kinds['diagnostic'] ?? 0).toBe(0);
    expect(seen.parse.cloneCalls).toBeGreaterThan(0);
    expect(seen.parse.normalizedEqualsExpected).toBe(true);
  });

  it('runs a kernel scenario: spawn, fork, exit_group(7), wait4 reaps with status 0x700, then ECHILD (E8)', () => {
    const { sh, child } = seen.kernel;
    expect(child).toBeGreaterThan(sh);
    expect(seen.kernel.exited).toEqual({ kind: 'gone' });
    expect(seen.kernel.waited).toEqual({ kind: 'done', value: `${child}n`, out: { status: 0x700 } });
    expect(seen.kernel.again).toMatchObject({ kind: 'error', errno: 'ECHILD' });
    expect(seen.kernel.eventTypes).toContain('task-created');
    expect(seen.kernel.eventTypes).toContain('reaped');
    expect(seen.kernel.invariants).toEqual([]);
  });

  it('replays the capture through the shim without a fatal record', () => {
    expect(seen.replay.records).toBeGreaterThan(50);
    expect(seen.replay.fatal).toBe(0);
  });

  it('checks the capture with the conformance API: it conforms', () => {
    expect(seen.check.stderr).toBe('');
    const report = JSON.parse(seen.check.stdout) as { captures: { verdict: string; checked: number }[] };
    expect(report.captures).toHaveLength(1);
    expect(report.captures[0]?.checked).toBeGreaterThan(0);
    expect(report.captures[0]?.verdict).toBe('conforms');
    expect(seen.check.status).toBe(0);
  });
});

describe('TypeScript consumer (module/moduleResolution nodenext, no custom conditions)', () => {
  it('type-checks a program using each package, and an import of every exported name, against dist/ declarations', async () => {
    await copyFile(new URL('use-packages.ts', FIXTURES), join(project.dir, 'use-packages.ts'));
    // Every name each index exports, imported by name: a name missing from the shipped
    // declarations is a type error here. One module per package: some names (errnoName) are
    // exported by two packages.
    const nameFiles: string[] = [];
    for (const { name, dir } of PUBLISHED_PACKAGES) {
      const all = [...exportsOf(name).values, ...exportsOf(name).types].sort();
      const file = `all-names-${dir}.ts`;
      await writeFile(join(project.dir, file), `export type { ${all.join(', ')} } from '${name}';\n`);
      nameFiles.push(file);
    }
    await writeFile(join(project.dir, 'tsconfig.json'), consumerTsconfig(['use-packages.ts', ...nameFiles]));
    const r = await runConsumerTsc(project.dir, 'tsconfig.json', ['--listFiles']);
    // --listFiles output is long; the message keeps only tsc's diagnostics.
    const diagnostics = r.stdout.split('\n').filter((l) => !l.startsWith('/')).join('\n');
    expect(r.code, `${diagnostics}\n${r.stderr}`).toBe(0);
    const listed = r.stdout.split('\n').filter((l) => l.includes('/node_modules/@forkscope/'));
    for (const { name } of PUBLISHED_PACKAGES) {
      expect(listed).toContain(join(project.dir, 'node_modules', name, 'dist', 'index.d.ts'));
    }
    expect(listed.filter((l) => l.includes('/src/'))).toEqual([]);
  });

  it('rejects a misuse, so the check above is not vacuous', async () => {
    await writeFile(
      join(project.dir, 'misuse.ts'),
      "import { Kernel } from '@forkscope/kernel';\nnew Kernel().syscall(1, { name: 'no_such_call' });\n",
    );
    await writeFile(join(project.dir, 'tsconfig.misuse.json'), consumerTsconfig(['misuse.ts']));
    const r = await runConsumerTsc(project.dir, 'tsconfig.misuse.json');
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('misuse.ts');
  });
});

describe('the installed forkscope bin', () => {
  const bin = () => join(project.dir, 'node_modules', '.bin', 'forkscope');

  it('--version prints the package version', async () => {
    const r = await runCommand(bin(), ['--version'], { cwd: project.dir });
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout.trim()).toBe('forkscope 0.1.0');
  });

  it('parse summarises a corpus capture with no diagnostics', async () => {
    const r = await runCommand(bin(), ['parse', CAPTURE], { cwd: project.dir });
    expect(r.code, describeResult(r)).toBe(0);
    expect(r.stdout).toMatch(/^.*capture\.strace: \d+ lines, \d+ events, 0 diagnostics\n$/);
  });

  it('check --json reports the corpus case as conforming, exit 0', async () => {
    const r = await runCommand(bin(), ['check', CASE_DIR, '--json'], { cwd: project.dir });
    expect(r.code, describeResult(r)).toBe(0);
    const report = JSON.parse(r.stdout) as { captures: { verdict: string; id?: string }[] };
    expect(report.captures.map((c) => c.verdict)).toEqual(['conforms']);
  });

  it('a missing file is one `forkscope: FILE: why` line and exit 2', async () => {
    const missing = join(project.dir, 'no-such.strace');
    const r = await runCommand(bin(), ['parse', missing], { cwd: project.dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`forkscope: ${missing}:`);
  });
});
