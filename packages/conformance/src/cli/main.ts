// The `forkscope` command line: global options, dispatch to one command module, and the
// exit statuses of the CLI contract (0 ok, 1 a finding, 2 usage or I/O error).
import { readFileSync } from 'node:fs';
import type { Command } from './command.js';
import { InputError, UsageError, inputErrorOf, type CliIo } from './io.js';
import { COMMANDS } from './registry.js';

export type { CliIo } from './io.js';

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  // --debug may appear anywhere: it only changes how internal errors are shown.
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const first = args[0];
  try {
    if (first === undefined) throw new UsageError('missing command');
    if (first === '--help' || first === '-h' || first === 'help') {
      const topic = args[1];
      if (topic !== undefined) return await commandNamed(topic).run(['--help'], { io, debug });
      io.stdout.write(topHelp());
      return 0;
    }
    if (first === '--version' || first === '-V') {
      io.stdout.write(`forkscope ${version()}\n`);
      return 0;
    }
    if (first.startsWith('-')) throw new UsageError(`unknown option '${first}'`);
    return await commandNamed(first).run(args.slice(1), { io, debug });
  } catch (err) {
    return reportError(err, io, debug);
  }
}

function commandNamed(name: string): Command {
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd === undefined) throw new UsageError(`unknown command '${name}'`);
  return cmd;
}

function reportError(err: unknown, io: CliIo, debug: boolean): number {
  if (err instanceof UsageError) {
    const hint = err.command === null ? "forkscope --help" : `forkscope ${err.command} --help`;
    io.stderr.write(`forkscope: ${err.message}\nTry '${hint}'.\n`);
    return 2;
  }
  const input = err instanceof InputError ? err : null;
  if (input !== null) {
    io.stderr.write(`forkscope: ${input.file}: ${input.reason}\n`);
    if (debug && input.stack !== undefined) io.stderr.write(input.stack + '\n');
    return 2;
  }
  const fsError = inputErrorOf('(unknown file)', err);
  if (fsError !== null) {
    io.stderr.write(`forkscope: ${(err as Error).message}\n`);
    return 2;
  }
  // A bug: say so in one line; the stack only when asked for.
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`forkscope: internal error: ${message}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug && err instanceof Error && err.stack !== undefined) io.stderr.write(err.stack + '\n');
  return 2;
}

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: forkscope <command> [options]

forkscope emulates how Linux creates and reaps processes and checks the emulation
against real strace captures.

Commands:
${list}

Global options:
  -h, --help          help (also: forkscope <command> --help, forkscope help <command>)
  -V, --version       the version
  --debug             show stack traces of internal errors

Exit status: 0 success, 1 a finding (a line not understood, a divergence), 2 usage or I/O error.

Examples:
  forkscope parse corpus/posix_spawn/success/capture.strace
  forkscope tree corpus/dash/pipeline/capture.strace
  forkscope normalize --write corpus/
`;
}

let cachedVersion: string | null = null;

/** The package version, read from package.json beside src/ and dist/ (both are two levels down). */
function version(): string {
  if (cachedVersion === null) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    cachedVersion = typeof pkg.version === 'string' ? pkg.version : 'unknown';
  }
  return cachedVersion;
}
