// The CLI run in-process, as the tests drive it: main(argv, io) with stdout and stderr collected,
// and where needed a terminal on either stream, a width and an environment. One harness for
// every CLI test file, so that they all see the CLI the same way.
import type { Command } from '../../src/cli/command.js';
import { main } from '../../src/cli/main.js';
import type { Env } from '../../src/cli/terminal.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Every write to stderr, in order (to see how a progress bar redraws). */
  readonly stderrWrites: readonly string[];
}

export interface CliWhere {
  /** Relative paths are resolved against this; default: the test process's cwd. */
  readonly cwd?: string;
  /** stdout is a terminal (the contract's io.isTTY). */
  readonly out?: boolean;
  /** stderr is a terminal (progress bar, colour on stderr). */
  readonly err?: boolean;
  /** Terminal width of both streams; default: none given (the CLI assumes 80). */
  readonly columns?: number;
  /** The environment main reads (NO_COLOR, TERM); default: empty, so the test's own does not leak in. */
  readonly env?: Env;
}

/** Streams that collect what is written, with the terminal properties asked for. */
function collectors(where: CliWhere): {
  readonly io: Parameters<typeof main>[1];
  readonly result: (code: number) => CliRun;
} {
  let stdout = '';
  const stderrWrites: string[] = [];
  const columns = where.columns !== undefined ? { columns: where.columns } : {};
  const io = {
    stdout: { write: (s: string) => (stdout += s), isTTY: where.out === true, ...columns },
    stderr: { write: (s: string) => stderrWrites.push(s), isTTY: where.err === true, ...columns },
    cwd: where.cwd ?? process.cwd(),
    isTTY: where.out === true,
    env: where.env ?? {},
  };
  // stderrWrites is not enumerable, so `toEqual({ code, stdout, stderr })` compares what a user sees.
  const result = (code: number): CliRun => Object.defineProperty({ code, stdout, stderr: stderrWrites.join('') }, 'stderrWrites', { value: stderrWrites, enumerable: false }) as CliRun;
  return { io, result };
}

/** `forkscope ARGV...` through main(): its exit status and everything it wrote. */
export async function runCli(argv: readonly string[], where: CliWhere = {}): Promise<CliRun> {
  const { io, result } = collectors(where);
  return result(await main(argv, io));
}

/** One command module run directly (no global options, no error mapping: what it throws propagates). */
export async function runCommand(command: Command, args: readonly string[], where: CliWhere = {}): Promise<CliRun> {
  const { io, result } = collectors(where);
  return result(await command.run(args, { io, debug: false }));
}
