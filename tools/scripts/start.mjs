#!/usr/bin/env node
// `npm start`: the main job. Until the conformance runner exists it prints the
// corpus summary (cases per family, lines per capture) from corpus/manifest.json.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const manifestPath = join(root, 'corpus', 'manifest.json');
if (!existsSync(manifestPath)) {
  console.error(`${manifestPath}: no corpus manifest; run npm run capture`);
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const byFamily = new Map();
for (const c of manifest.cases) {
  const lines = readFileSync(join(root, 'corpus', c.path, 'capture.strace'), 'utf8').split('\n').length - 1;
  const list = byFamily.get(c.family) ?? [];
  list.push({ id: c.id, lines });
  byFamily.set(c.family, list);
}
for (const [family, cases] of byFamily) {
  console.log(`${family}: ${cases.length} cases`);
  for (const c of cases) console.log(`  ${c.id}  ${c.lines} lines`);
}
console.log(`${manifest.cases.length} cases in ${byFamily.size} families`);
