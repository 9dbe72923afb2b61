#!/usr/bin/env node
// Writes docs/strategy-matrix.md: every program model under every vfork strategy, compared with
// its corpus capture (the output of `forkscope matrix --markdown`). Run after a build:
//
//   npx tsc -b packages/conformance/tsconfig.lib.json && node tools/scripts/write-strategy-matrix.mjs [--check]
//
// --check  write nothing; exit 1 when the file differs from what the models produce now.
// Exit status: 0 written (or up to date), 1 out of date (--check), 2 usage error or not built.
import { readFile, writeFile, access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const target = `${root}docs/strategy-matrix.md`;
const entry = new URL('../../packages/conformance/dist/cli/main.js', import.meta.url);

const args = process.argv.slice(2);
if (args.some((a) => a !== '--check')) {
  process.stderr.write('usage: node tools/scripts/write-strategy-matrix.mjs [--check]\n');
  process.exit(2);
}
try {
  await access(entry);
} catch {
  process.stderr.write('write-strategy-matrix: not built: run `npx tsc -b packages/conformance/tsconfig.lib.json` first\n');
  process.exit(2);
}
const { main } = await import(entry.href);
let markdown = '';
let errors = '';
const code = await main(['matrix', '--markdown'], {
  stdout: { write: (s) => (markdown += s) },
  stderr: { write: (s) => (errors += s) },
  cwd: root,
  isTTY: false,
});
if (code !== 0) {
  process.stderr.write(errors);
  process.exit(2);
}
if (args.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== markdown) {
    process.stderr.write('docs/strategy-matrix.md is out of date: run node tools/scripts/write-strategy-matrix.mjs\n');
    process.exit(1);
  }
  process.exit(0);
}
await writeFile(target, markdown);
process.stdout.write(`wrote ${target}\n`);
