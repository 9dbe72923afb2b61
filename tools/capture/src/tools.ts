// The external tools a capture needs, found before anything is built or run,
// and the versions recorded in every case.json.
import { accessSync, constants, statSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CASE_PATH } from './config.js';

/**
 * Build-side tools come from the caller's PATH; the interpreters the traced
 * programs run come from the fixed case PATH, since that is what they use.
 */
export const REQUIRED_TOOLS = [
  { name: 'strace', searchPath: 'caller' },
  { name: 'gcc', searchPath: 'caller' },
  { name: 'rustc', searchPath: 'caller' },
  { name: 'python3', searchPath: 'case' },
  { name: 'dash', searchPath: 'case' },
] as const;
export type ToolName = (typeof REQUIRED_TOOLS)[number]['name'];
export type ToolPaths = Readonly<Record<ToolName, string>>;

export class MissingToolError extends Error {
  constructor(
    readonly tool: string,
    searched: string,
  ) {
    super(`required tool "${tool}" not found on PATH (${searched}); install it and run the capture again`);
    this.name = 'MissingToolError';
  }
}

/** Like which(1): the first executable regular file named `name` on `pathList`. */
export function findExecutable(name: string, pathList: string): string | undefined {
  for (const dir of pathList.split(':')) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** Finds every required tool or throws MissingToolError for the first one missing. */
export function findTools(callerPath: string): ToolPaths {
  const found: Partial<Record<ToolName, string>> = {};
  for (const tool of REQUIRED_TOOLS) {
    const pathList = tool.searchPath === 'caller' ? callerPath : CASE_PATH;
    const where = findExecutable(tool.name, pathList);
    if (where === undefined) throw new MissingToolError(tool.name, pathList);
    found[tool.name] = where;
  }
  return found as ToolPaths;
}

export interface Versions {
  readonly kernel: string;
  readonly glibc: string;
  readonly python: string;
  readonly dash: string;
  readonly rustc: string;
  readonly gcc: string;
}

function firstLine(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) {
    throw new Error(`could not run "${[cmd, ...args].join(' ')}" to read a version: ${r.error?.message ?? `exit status ${String(r.status)}`}`);
  }
  const text = (r.stdout.trim() === '' ? r.stderr : r.stdout).trim();
  return text.split('\n')[0] ?? '';
}

/** strace's version number ("6.1") from `strace -V`. */
export function straceVersion(strace: string): string {
  const line = firstLine(strace, ['-V']); // "strace -- version 6.1"
  const marker = 'version ';
  const at = line.indexOf(marker);
  return at < 0 ? line : line.slice(at + marker.length).trim();
}

/** The versions of everything that shaped a capture. */
export function readVersions(tools: ToolPaths): Versions {
  // dash has no --version; ask the package manager, and say so when it cannot answer.
  const dpkg = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'dash'], { encoding: 'utf8' });
  const dash = dpkg.status === 0 && dpkg.stdout.trim() !== '' ? `dash ${dpkg.stdout.trim()}` : 'unknown (dpkg-query could not tell)';
  return {
    kernel: release(),
    glibc: firstLine('getconf', ['GNU_LIBC_VERSION']),
    python: firstLine(tools.python3, ['--version']),
    dash,
    rustc: firstLine(tools.rustc, ['--version']),
    gcc: firstLine(tools.gcc, ['--version']),
  };
}
