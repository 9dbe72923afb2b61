#!/usr/bin/env node
// `npm start`: the main job. Builds the CLI (Nx builds the packages it depends on,
// from cache when nothing changed) and runs the replay conformance check over the
// whole corpus: a line per capture, the coverage per family, and the totals.
// Extra arguments go to `forkscope check` (for example `npm start -- --json`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
const build = spawnSync('npx', ['nx', 'run', '@forkscope/conformance:build', '--outputStyle=static'], {
  cwd: root,
  env,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (build.status !== 0) {
  console.error('start: building the forkscope CLI failed (run `npx nx run @forkscope/conformance:build` to see why)');
  process.exit(2);
}
const check = spawnSync(
  process.execPath,
  ['packages/conformance/bin/forkscope.mjs', 'check', 'corpus', ...process.argv.slice(2)],
  { cwd: root, env, stdio: 'inherit' },
);
process.exit(check.status ?? 2);
