#!/usr/bin/env node
// The `forkscope` executable: runs the compiled CLI (dist/), or says how to build it.
import { access } from 'node:fs/promises';

const entry = new URL('../dist/cli/main.js', import.meta.url);
try {
  await access(entry);
} catch {
  process.stderr.write('forkscope: not built yet: run `npm run build` at the repository root (or `npx tsc -b packages/conformance/tsconfig.lib.json`)\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  isTTY: Boolean(process.stdout.isTTY),
});
