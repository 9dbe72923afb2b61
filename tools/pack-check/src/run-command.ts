// Runs a child process to completion, collecting its output; never hangs (a deadline kills it).
import { spawn } from 'node:child_process';

export interface CommandResult {
  readonly command: string;
  /** Exit status, or null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The deadline passed and the process was killed. */
  readonly timedOut: boolean;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Generous by default: these are builds and installs, not timed checks. */
  readonly timeoutMs?: number;
}

export function runCommand(file: string, args: readonly string[], options: RunOptions): Promise<CommandResult> {
  const command = [file, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 300_000);
    // A missing executable is an environment problem worth an exception naming it.
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${command} in ${options.cwd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        command,
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      });
    });
  });
}

/** A one-paragraph account of a command that did not do what was expected, for assertion messages. */
export function describeResult(r: CommandResult): string {
  const how = r.timedOut ? 'timed out' : r.signal !== null ? `killed by ${r.signal}` : `exit ${String(r.code)}`;
  return `\`${r.command}\`: ${how}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

/** Throws (with the command's output) unless it exited 0: for setup steps a test cannot go on without. */
export function requireSuccess(r: CommandResult): CommandResult {
  if (r.code !== 0 || r.timedOut) throw new Error(describeResult(r));
  return r;
}

/**
 * The environment for npm and node children: without the npm_* variables the test runner
 * inherits from `npx`, which would point npm at the workspace's configuration.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.toLowerCase().startsWith('npm_')) env[k] = v;
  }
  return { ...env, ...extra };
}
