// The `forkscope` command line: global options, dispatch to one command module, and the
// exit statuses of the CLI contract (0 ok, 1 a finding, 2 usage or I/O error). Every error a
// command throws, including commands added later, is reported here as one line.
import { readFileSync } from 'node:fs';
import type { Command } from './command.js';
import { InputError, UsageError, inputErrorOf, type CliIo } from './io.js';
import { COMMANDS } from './registry.js';
import { dropWritesWhenClosed } from './closed-pipe.js';
import { terminalFor, withTerminal, type Terminal, type TerminalIo } from './terminal.js';

export type { CliIo } from './io.js';
export type { Env, TerminalIo } from './terminal.js';

/** Options main takes anywhere before `--`: they change how output looks, not what a command does. */
interface GlobalOptions {
  readonly debug: boolean;
  readonly quiet: boolean;
  readonly rest: string[];
}

function globalOptions(argv: readonly string[]): GlobalOptions {
  let debug = false;
  let quiet = false;
  const rest: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') break; // what follows is the command's, even if it looks like ours
    if (a === '--debug') debug = true;
    else if (a === '--quiet' || a === '-q') quiet = true;
    else rest.push(a);
  }
  rest.push(...argv.slice(i));
  return { debug, quiet, rest };
}

export async function main(argv: readonly string[], given: TerminalIo): Promise<number> {
  const { debug, quiet, rest: args } = globalOptions(argv);
  const stderr = dropWritesWhenClosed(given.stderr, 'stderr', () => {});
  const stdout = dropWritesWhenClosed(given.stdout, 'stdout', (line) => stderr.write(line + '\n'));
  const io: TerminalIo = { ...given, stdout, stderr };
  const terminal = terminalFor(io, { quiet });
  const cmdIo = withTerminal(io, terminal);
  const ctx = { io: cmdIo, debug };
  const first = args[0];
  try {
    if (first === undefined) throw new UsageError(`missing command (${commandList()})`);
    if (first === '--help' || first === '-h' || first === 'help') {
      const topic = args[1];
      io.stdout.write(topic === undefined ? topHelp() : commandNamed(topic).help);
      return 0;
    }
    if (first === '--version' || first === '-V') {
      io.stdout.write(`forkscope ${version()}\n`);
      return 0;
    }
    if (first.startsWith('-')) throw new UsageError(`unknown option '${first}'`);
    const cmd = commandNamed(first);
    const cmdArgs = args.slice(1);
    // --help is answered here for every command, so no command can forget it.
    if (asksForHelp(cmdArgs)) {
      io.stdout.write(cmd.help);
      return 0;
    }
    return await cmd.run(cmdArgs, ctx);
  } catch (err) {
    return reportError(err, io, terminal, debug);
  }
}

function asksForHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

function commandList(): string {
  return `commands: ${COMMANDS.map((c) => c.name).join(', ')}`;
}

function commandNamed(name: string): Command {
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd !== undefined) return cmd;
  const near = nearestCommand(name);
  throw new UsageError(`unknown command '${name}'${near === null ? '' : `; did you mean '${near}'?`} (${commandList()})`);
}

/** The command a typo most likely meant: at most two edits away, and closer than the rest. */
function nearestCommand(name: string): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const c of COMMANDS) {
    const d = editDistance(name.toLowerCase(), c.name);
    if (d < bestDistance) {
      best = c.name;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, two rows; names are short. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost));
    }
    prev = row;
  }
  return prev[b.length] as number;
}

/** A message as one line: its lines joined, so that an error is always exactly one line. */
function oneLine(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
}

function reportError(err: unknown, io: CliIo, terminal: Terminal, debug: boolean): number {
  const red = (s: string): string => terminal.err.paint('error', s);
  const say = (message: string): void => {
    io.stderr.write(`forkscope: ${red(oneLine(message))}\n`);
  };
  if (err instanceof UsageError) {
    const hint = err.command === null ? 'forkscope --help' : `forkscope ${err.command} --help`;
    say(err.message);
    io.stderr.write(terminal.err.paint('dim', `Try '${hint}'.`) + '\n');
    return 2;
  }
  if (err instanceof InputError) {
    say(`${err.file}: ${err.reason}`);
    if (debug && err.stack !== undefined) io.stderr.write(err.stack + '\n');
    return 2;
  }
  if (inputErrorOf('(unknown file)', err) !== null) {
    // An fs error a command did not attribute to a file: Node's message names the path.
    say((err as Error).message);
    if (debug && (err as Error).stack !== undefined) io.stderr.write((err as Error).stack + '\n');
    return 2;
  }
  // A bug: say so in one line (its first), the stack only when asked for.
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split('\n').find((l) => l.trim() !== '')?.trim() ?? (err instanceof Error ? err.name : 'unknown');
  say(`internal error: ${first}${debug ? '' : ' (run with --debug for details)'}`);
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

Global options (anywhere before --):
  -h, --help          help (also: forkscope <command> --help, forkscope help <command>)
  -V, --version       the version
  -q, --quiet         print only errors and the result (no progress, no per-file chatter)
  --debug             show stack traces of internal errors

Environment:
  NO_COLOR            when set and not empty, never colour (https://no-color.org)
  TERM=dumb           never colour

Output is coloured only on a terminal. Progress bars are drawn on stderr, only when it
is a terminal.

Exit status: 0 success, 1 a finding (a line not understood, a divergence), 2 usage or I/O error.

Examples:
  forkscope parse corpus/posix_spawn/success/capture.strace
  forkscope tree corpus/dash/pipeline/capture.strace
  forkscope check corpus/
  forkscope normalize --write corpus/ --quiet
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
