// tools/scripts/api-docs.mjs (npm run docs:api): TypeDoc over the four packages runs cleanly and
// documents every name each package's index exports, under that package's own module.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeResult, exportedNames, PUBLISHED_PACKAGES, runCommand, WORKSPACE_ROOT, type CommandResult, type ExportedNames } from '../src/index.js';

interface Reflection {
  name: string;
  children?: Reflection[];
}

let dir: string;
let run: CommandResult;
let model: Reflection;
let exported: Map<string, ExportedNames>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forkscope-api-docs-'));
  // Read just before TypeDoc reads the same sources (they may be edited while tests run).
  exported = exportedNames(PUBLISHED_PACKAGES);
  run = await runCommand(
    process.execPath,
    [join(WORKSPACE_ROOT, 'tools/scripts/api-docs.mjs'), '--out', join(dir, 'html'), '--json', join(dir, 'api.json')],
    { cwd: WORKSPACE_ROOT, timeoutMs: 600_000 },
  );
  if (run.code === 0) model = JSON.parse(await readFile(join(dir, 'api.json'), 'utf8')) as Reflection;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('runs without an error and writes the HTML reference where it was told', async () => {
  expect(run.code, describeResult(run)).toBe(0);
  expect(run.stderr).not.toContain('[error]');
  expect((await stat(join(dir, 'html', 'index.html'))).isFile()).toBe(true);
});

it('has one module per package, named after it', () => {
  expect(run.code, describeResult(run)).toBe(0);
  expect((model.children ?? []).map((m) => m.name).sort()).toEqual(PUBLISHED_PACKAGES.map((p) => p.name).sort());
});

describe.each(PUBLISHED_PACKAGES)('$name', (pkg) => {
  it('documents every exported name, and nothing its index does not export', async () => {
    expect(run.code, describeResult(run)).toBe(0);
    const mod = (model.children ?? []).find((m) => m.name === pkg.name);
    const documented = (mod?.children ?? []).map((c) => c.name).sort();
    const names = exported.get(pkg.name);
    expect(documented).toEqual([...(names?.values ?? []), ...(names?.types ?? [])].sort());
    // The HTML has a page for the module.
    const page = join(dir, 'html', 'modules', `${pkg.name.replace('@', '_').replace('/', '_')}.html`);
    expect((await stat(page)).isFile()).toBe(true);
  });
});

it('rejects an unknown option with exit 2 and its usage', async () => {
  const r = await runCommand(process.execPath, [join(WORKSPACE_ROOT, 'tools/scripts/api-docs.mjs'), '--no-such-option'], {
    cwd: WORKSPACE_ROOT,
  });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('usage:');
});
