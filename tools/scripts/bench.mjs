#!/usr/bin/env node
// `npm run bench`: builds the benchmark project (and the packages it measures),
// runs every tools/bench/dist/*-bench.js one after another on an otherwise idle
// process, shows their tables, and writes what each printed, with the machine it ran
// on, to bench/results.json. Each bench prints its own medians and ratios; a bench
// that also prints a last line `RESULT <json>` has that object stored as its figures.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const only = process.argv.slice(2);
const build = spawnSync('npx', ['tsc', '-b', 'tools/bench/tsconfig.lib.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('bench: the build failed');
  process.exit(2);
}
const dist = join(root, 'tools', 'bench', 'dist');
const benches = readdirSync(dist)
  .filter((f) => f.endsWith('-bench.js'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();
const results = [];
let failed = 0;
for (const file of benches) {
  console.log(`\n== ${file} ==`);
  const run = spawnSync(process.execPath, ['--expose-gc', join(dist, file)], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = (run.stdout ?? '').split('\n');
  const resultLine = lines.find((l) => l.startsWith('RESULT '));
  process.stdout.write(lines.filter((l) => !l.startsWith('RESULT ')).join('\n'));
  if (run.status !== 0) failed += 1;
  results.push({
    bench: file.replace(/\.js$/, ''),
    status: run.status,
    figures: resultLine ? JSON.parse(resultLine.slice('RESULT '.length)) : null,
    output: lines.filter((l) => !l.startsWith('RESULT ')).join('\n'),
  });
}
mkdirSync(join(root, 'bench'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'results.json'),
  JSON.stringify(
    { date: new Date().toISOString(), node: process.version, cpus: cpus().length, memory: totalmem(), results },
    null,
    2,
  ) + '\n',
);
console.log(`\nbench: ${benches.length} benchmarks, ${failed} failed; results in bench/results.json`);
process.exit(failed === 0 ? 0 : 1);
