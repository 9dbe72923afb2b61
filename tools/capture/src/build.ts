// Building a family's programs into BIN_DIR.
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN_DIR } from './config.js';
import type { BuildStep, FamilyDefinition } from './cases-file.js';
import type { ToolPaths } from './tools.js';

export class BuildError extends Error {
  override readonly name = 'BuildError';
}

function commandFor(step: BuildStep, source: string, output: string, tools: ToolPaths): readonly string[] | undefined {
  switch (step.lang) {
    case 'c':
      return [tools.gcc, ...step.flags, '-o', output, source];
    case 'rust':
      return [tools.rustc, '-O', '--edition', '2021', ...step.flags, '-o', output, source];
    case 'copy':
      return undefined;
    default: {
      const never: never = step.lang;
      throw new Error(`unhandled build language ${String(never)}`);
    }
  }
}

/** Builds every step of a family; throws BuildError naming the family, source and compiler output. */
export function buildFamily(def: FamilyDefinition, tools: ToolPaths, log: (line: string) => void): void {
  mkdirSync(BIN_DIR, { recursive: true });
  for (const step of def.build) {
    const source = join(def.dir, step.source);
    const output = join(BIN_DIR, step.output);
    const cmd = commandFor(step, source, output, tools);
    if (cmd === undefined) {
      try {
        copyFileSync(source, output);
        chmodSync(output, 0o755);
      } catch (e) {
        throw new BuildError(`${def.family}: copying ${source} failed: ${(e as Error).message}`);
      }
      continue;
    }
    log(`build ${def.family}: ${cmd.join(' ')}`);
    const r = spawnSync(cmd[0] as string, cmd.slice(1), { encoding: 'utf8' });
    if (r.error !== undefined || r.status !== 0) {
      const why = r.error?.message ?? `exit status ${String(r.status ?? r.signal)}`;
      throw new BuildError(`${def.family}: building ${step.source} failed (${why})\n${r.stderr}`);
    }
    if (r.stderr.trim() !== '') log(r.stderr.trimEnd());
  }
}
