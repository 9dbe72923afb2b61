// Capturing one case: fresh work directory, strace run, checks, case.json,
// and an all-or-nothing replacement of corpus/<family>/<case>/.
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CAPTURE_FILE, CASE_ENV, CASE_FILE, CASE_TIMEOUT_MS, STRACE_FLAGS, WORK_DIR } from './config.js';
import type { CaseDefinition, FamilyDefinition } from './cases-file.js';
import type { CaseRecord, ExitStatus } from './case-record.js';
import { buildFsManifest, failedOpenPaths, pathsFromCalls, readOnlyOpenPaths } from './fs-manifest.js';
import { captureFacts, keepsPromise } from './promises.js';
import type { CaptureFacts } from './promises.js';
import { decodeCString, splitTopLevel } from './strace-line.js';
import type { ToolPaths, Versions } from './tools.js';

export class CaseError extends Error {
  constructor(
    readonly caseId: string,
    why: string,
  ) {
    super(`case ${caseId}: ${why}`);
    this.name = 'CaseError';
  }
}

/** Recreates the work directory with the family's fixtures and their exact modes. */
function prepareWorkDir(def: FamilyDefinition): void {
  rmSync(WORK_DIR, { recursive: true, force: true });
  mkdirSync(WORK_DIR, { recursive: true });
  for (const f of def.fixtures) {
    const path = join(WORK_DIR, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
    chmodSync(path, Number.parseInt(f.mode, 8)); // explicit: writeFileSync's mode is filtered by the umask
  }
}

interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs strace on the case in its own process group, killing the group on timeout. */
function runStrace(strace: string, capturePath: string, c: CaseDefinition): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(strace, [...STRACE_FLAGS, '-o', capturePath, ...c.argv], {
      cwd: WORK_DIR,
      env: { ...CASE_ENV },
      stdio: [c.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout can kill strace and every tracee at once
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    if (c.stdin !== undefined && child.stdin !== null) child.stdin.end(c.stdin);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, CASE_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`could not start strace: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) reject(new Error(`timed out after ${CASE_TIMEOUT_MS / 1000} s (process group killed)`));
      else if (!existsSync(capturePath)) reject(new Error(`strace wrote no capture (exit ${String(code ?? signal)}): ${stderr.trim()}`));
      else resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}

/** The root process's exit, from its `+++ exited with N +++` / `+++ killed by SIG… +++` line. */
function rootExit(facts: CaptureFacts, rootPid: number): ExitStatus | undefined {
  for (const l of facts.lines) {
    if (l.pid !== rootPid) continue;
    if (l.kind === 'exited') return { code: l.code };
    if (l.kind === 'killed') return l.coreDumped ? { signal: l.signal, coreDumped: true } : { signal: l.signal };
  }
  return undefined;
}

/** Structural checks every capture must pass; returns the reason it fails, or undefined. */
export function captureProblem(facts: CaptureFacts, c: Pick<CaseDefinition, 'argv' | 'promises'>): string | undefined {
  const first = facts.lines[0];
  if (first === undefined) return 'the capture is empty';
  if (first.kind !== 'call' || first.name !== 'execve') return 'the first line is not the root process’s execve';
  const path = decodeCString(splitTopLevel(first.args)[0] ?? '');
  if (path !== c.argv[0]) return `the first execve runs ${String(path)}, not argv[0] ${String(c.argv[0])}`;
  const broken = c.promises.filter((p) => !keepsPromise(facts, p));
  if (broken.length > 0) return `the capture does not contain the promised ${broken.join(', ')}`;
  return undefined;
}

export interface CaseContext {
  readonly outRoot: string;
  readonly tools: ToolPaths;
  readonly versions: Versions;
  readonly straceVersion: string;
}

/**
 * Captures one case into `<outRoot>/<family>/<id>/`. The directory is written
 * beside the target under a dot-name and renamed into place only when
 * complete; on any failure the previous case directory is left as it was.
 */
export async function captureCase(def: FamilyDefinition, c: CaseDefinition, ctx: CaseContext): Promise<CaseRecord> {
  const id = `${def.family}/${c.id}`;
  const familyDir = join(ctx.outRoot, def.family);
  const finalDir = join(familyDir, c.id);
  const tmpDir = join(familyDir, `.tmp-${c.id}-${process.pid}`);
  const oldDir = join(familyDir, `.old-${c.id}-${process.pid}`);
  mkdirSync(familyDir, { recursive: true });
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir);
  try {
    try {
      prepareWorkDir(def);
    } catch (e) {
      throw new CaseError(id, `could not prepare ${WORK_DIR}: ${(e as Error).message}`);
    }
    const capturePath = join(tmpDir, CAPTURE_FILE);
    const date = new Date().toISOString();
    let run: RunResult;
    try {
      run = await runStrace(ctx.tools.strace, capturePath, c);
    } catch (e) {
      throw new CaseError(id, (e as Error).message);
    }
    const text = readFileSync(capturePath, 'utf8');
    let facts: CaptureFacts;
    let record: CaseRecord;
    try {
      facts = captureFacts(text);
      const problem = captureProblem(facts, c);
      if (problem !== undefined) throw new Error(problem);
      const rootPid = (facts.lines[0] as { pid: number }).pid;
      const exitStatus = rootExit(facts, rootPid);
      if (exitStatus === undefined) throw new Error(`no exit line for the root process ${rootPid}`);
      // Read the filesystem now, while the fixtures are still in place.
      const fs = buildFsManifest(
        pathsFromCalls(facts.calls, WORK_DIR),
        failedOpenPaths(facts.calls, WORK_DIR),
        readOnlyOpenPaths(facts.calls, WORK_DIR, WORK_DIR),
      );
      record = {
        id,
        family: def.family,
        description: c.description,
        argv: c.argv,
        cwd: WORK_DIR,
        env: CASE_ENV,
        ...(c.stdin === undefined ? {} : { stdin: c.stdin }),
        strace: { version: ctx.straceVersion, flags: STRACE_FLAGS },
        versions: ctx.versions,
        date,
        stdout: run.stdout,
        exitStatus,
        promises: c.promises,
        fs,
      };
    } catch (e) {
      const stderr = run.stderr.trim() === '' ? '' : `\n--- program stderr ---\n${run.stderr.trimEnd()}`;
      throw new CaseError(id, `${(e as Error).message}${stderr}`);
    }
    writeFileSync(join(tmpDir, CASE_FILE), `${JSON.stringify(record, null, 2)}\n`);
    replaceDir(tmpDir, finalDir, oldDir);
    return record;
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

/**
 * Puts `tmp` at `target`, keeping the old `target` until the new one is in
 * place. Files other tools keep beside a capture (expected.json…) are carried
 * over unchanged: a stale one must show up as stale, not vanish.
 */
function replaceDir(tmp: string, target: string, old: string): void {
  rmSync(old, { recursive: true, force: true });
  const hadOld = existsSync(target);
  if (hadOld) {
    for (const name of readdirSync(target)) {
      if (name !== CAPTURE_FILE && name !== CASE_FILE) cpSync(join(target, name), join(tmp, name), { recursive: true });
    }
  }
  if (hadOld) renameSync(target, old);
  try {
    renameSync(tmp, target);
  } catch (e) {
    if (hadOld) renameSync(old, target);
    throw e;
  }
  rmSync(old, { recursive: true, force: true });
}
