// Compiles a README's runnable example with the workspace's TypeScript inside the consumer
// project (so it imports the installed packages) and runs it with Node from the repository
// root (examples may read corpus/ files).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { consumerTsconfig, runConsumerTsc } from './consumer-project.js';
import { findExample } from './readme-example.js';
import { runCommand, type CommandResult } from './run-command.js';
import { WORKSPACE_ROOT } from './workspace.js';

export type ExampleRun =
  | { readonly kind: 'missing' }
  | { readonly kind: 'unclosed'; readonly line: number }
  | { readonly kind: 'compile-failed'; readonly line: number; readonly result: CommandResult }
  | { readonly kind: 'run-failed'; readonly line: number; readonly result: CommandResult }
  | { readonly kind: 'ran'; readonly line: number; readonly result: CommandResult };

/** `label` names the generated files (letters, digits, dashes). */
export async function runReadmeExample(readmePath: string, label: string, consumerDir: string): Promise<ExampleRun> {
  const found = findExample(await readFile(readmePath, 'utf8'));
  if (found.kind !== 'found') return found;
  const source = `readme-${label}.ts`;
  await writeFile(join(consumerDir, source), found.code);
  const tsconfig = `tsconfig.readme-${label}.json`;
  await writeFile(join(consumerDir, tsconfig), consumerTsconfig([source], 'readme-out'));
  const compiled = await runConsumerTsc(consumerDir, tsconfig);
  if (compiled.code !== 0) return { kind: 'compile-failed', line: found.line, result: compiled };
  const ran = await runCommand(process.execPath, [join(consumerDir, 'readme-out', `readme-${label}.js`)], {
    cwd: WORKSPACE_ROOT,
    timeoutMs: 120_000,
  });
  return { kind: ran.code === 0 && !ran.timedOut ? 'ran' : 'run-failed', line: found.line, result: ran };
}
