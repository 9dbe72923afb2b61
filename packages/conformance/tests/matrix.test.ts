// forkscope matrix: strategies × modelled corpus cases, and docs/strategy-matrix.md kept in step.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const run = (argv: string[]) => runCli(argv);

interface MatrixJson {
  strategies: string[];
  cases: { id: string; results: { [s: string]: { matches: boolean; divergence: string | null } } }[];
}

const DOC = fileURLToPath(new URL('../../../docs/strategy-matrix.md', import.meta.url));
/** Cases whose `linux` run cannot match, each for a kernel or corpus gap named in the shim tests. */
const LINUX_GAPS: string[] = [];

let json: MatrixJson;
let markdown: string;

beforeAll(async () => {
  const j = await run(['matrix', '--json']);
  expect(j.code).toBe(0);
  json = JSON.parse(j.stdout) as MatrixJson;
  const m = await run(['matrix', '--markdown']);
  expect(m.code).toBe(0);
  markdown = m.stdout;
}, 120_000);

describe('forkscope matrix', () => {
  it('--json has the contract shape: every listed model, every strategy, a match or a one-line divergence', async () => {
    expect(json.strategies).toEqual(['linux', 'fork', 'shared-no-restore']);
    const list = (await run(['run', '--list'])).stdout.trim().split('\n');
    expect(json.cases.map((c) => c.id)).toEqual(list);
    for (const c of json.cases) {
      expect(Object.keys(c.results)).toEqual(json.strategies);
      for (const r of Object.values(c.results)) {
        if (r.matches) expect(r.divergence).toBeNull();
        else {
          expect(typeof r.divergence).toBe('string');
          expect(r.divergence).not.toContain('\n');
        }
      }
    }
  });

  it('under linux every model matches its capture except the known kernel/corpus gaps', () => {
    const diverging = json.cases.filter((c) => c.results['linux']?.matches !== true).map((c) => c.id);
    expect(diverging).toEqual(LINUX_GAPS);
  });

  it('fork breaks every vfork user and no fork-only program; shared-no-restore breaks vfork() callers but not posix_spawn', () => {
    const cell = (id: string, s: string) => json.cases.find((c) => c.id === id)?.results[s];
    expect(cell('posix_spawn/exec-enoent', 'fork')?.divergence).toContain('run has wait4 = 2 (exit 127)');
    expect(cell('python/os-fork', 'fork')?.matches).toBe(true);
    expect(cell('dash/pipeline', 'fork')?.matches).toBe(true);
    expect(cell('posix_spawn/exec-enoent', 'shared-no-restore')?.matches).toBe(true);
    expect(cell('python/run-success', 'shared-no-restore')?.divergence).toContain('killed by SIGSEGV');
  });

  it('docs/strategy-matrix.md is what `matrix --markdown` prints now (regenerate: node tools/scripts/write-strategy-matrix.mjs)', () => {
    expect(readFileSync(DOC, 'utf8')).toBe(markdown);
  });

  it('the markdown table has a row per case and totals that add up', () => {
    const rows = markdown.split('\n').filter((l) => l.startsWith('| `') && l.split('|').length === 6);
    expect(rows).toHaveLength(json.cases.length);
    for (const s of json.strategies) {
      const n = json.cases.filter((c) => c.results[s]?.matches).length;
      expect(markdown).toContain(`| \`${s}\` | ${n} | ${json.cases.length - n} |`);
    }
  });

  it('usage errors exit 2', async () => {
    expect((await run(['matrix', '--csv'])).code).toBe(2);
    expect((await run(['matrix', '--json', '--markdown'])).code).toBe(2);
    const missing = await run(['matrix', '--corpus', '/nonexistent-corpus']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('/nonexistent-corpus/');
  });
});
