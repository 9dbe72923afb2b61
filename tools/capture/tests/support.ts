// Shared helpers for the capture tests: paths, the JSON Schema validators,
// whether strace can trace here, and running the capture script.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';

export const captureRoot = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = join(captureRoot, '..', '..');
export const corpusRoot = join(repoRoot, 'corpus');
export const schemaDir = join(corpusRoot, 'schema');

/** ISO 8601 UTC timestamp as written by Date.prototype.toISOString. */
function isIsoUtc(s: string): boolean {
  if (s.length !== 24 || !s.endsWith('Z')) return false;
  return new Date(s).toISOString() === s;
}

export interface Validators {
  readonly caseRecord: ValidateFunction;
  readonly manifest: ValidateFunction;
}

export function loadValidators(): Validators {
  // ajv is CommonJS: under nodenext the default import is module.exports, whose .default is the class.
  // strictTuples off: argv uses prefixItems for argv[0] only, which is valid 2020-12.
  const ajv = new Ajv2020.default({ allErrors: true, strict: true, strictTuples: false });
  ajv.addFormat('date-time', { type: 'string', validate: isIsoUtc });
  const load = (name: string): ValidateFunction => ajv.compile(JSON.parse(readFileSync(join(schemaDir, name), 'utf8')) as object);
  return { caseRecord: load('case.schema.json'), manifest: load('manifest.schema.json') };
}

/** Can strace trace a child here (ptrace allowed, strace installed)? The reason when not. */
export function straceUnavailable(): string | undefined {
  const r = spawnSync('strace', ['-f', '-o', '/dev/null', '/bin/true'], { encoding: 'utf8' });
  if (r.error !== undefined) return `strace cannot be run: ${r.error.message}`;
  if (r.status !== 0) return `strace -f /bin/true fails here (ptrace not permitted?): ${r.stderr.trim()}`;
  return undefined;
}

let built = false;
/** Compiles src/ to dist/ once per test file, as `npm run capture` does. */
export function buildScript(): void {
  if (built) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.lib.json'], { cwd: captureRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsc -b tsconfig.lib.json failed:\n${r.stdout}${r.stderr}`);
  built = true;
}

export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs dist/main.js with `args`, optionally with a different PATH. */
export function runCaptureScript(args: readonly string[], path?: string): ScriptRun {
  buildScript();
  const env = { ...process.env };
  if (path !== undefined) env['PATH'] = path;
  const r = spawnSync(process.execPath, [join(captureRoot, 'dist', 'main.js'), ...args], { encoding: 'utf8', env, timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
