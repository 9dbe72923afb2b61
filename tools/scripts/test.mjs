#!/usr/bin/env node
// `npm test`: type-checks and tests every project through Nx, then totals the
// Vitest JSON reports of all projects into the one closing line CI reads:
// "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const projectDirs = ['packages', 'tools'].flatMap((group) =>
  readdirSync(join(root, group), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(root, group, d.name)),
);
const reportOf = (dir) => join(dir, 'reports', 'vitest.json');
for (const dir of projectDirs) rmSync(reportOf(dir), { force: true });

const nxEnv = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
// A workspace whose TypeScript project references lag behind its package dependencies builds in
// CI (where Nx does not stop for it) but not for a user running `npm start`: fail here instead.
const sync = spawnSync('npx', ['nx', 'sync:check'], { cwd: root, stdio: 'inherit', env: nxEnv });
if (sync.status !== 0) {
  console.error('the workspace is out of sync: run `npx nx sync` and commit the result');
  console.log('0 passed, 1 failed, 0 skipped');
  process.exit(1);
}

const nx = spawnSync(
  'npx',
  ['nx', 'run-many', '-t', 'typecheck', 'test', '--outputStyle=static', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: nxEnv },
);

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of projectDirs.map(reportOf).filter((f) => existsSync(f))) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  // A suite that failed to load counts as a failure even though it ran no test.
  for (const suite of report.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) failed += 1;
  }
}
const status = nx.status ?? 1;
if (status !== 0 && failed === 0) {
  // Type errors or a project whose tests never ran: still a red run with a count.
  failed += 1;
  console.error('nx run-many failed outside the test reports (type errors or a task that did not run)');
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status === 0 && failed === 0 ? 0 : 1);
