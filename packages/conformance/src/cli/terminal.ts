// What the CLI knows about where its output goes: colour per stream, --quiet, whether stderr is
// a terminal that a progress bar may redraw. Decided once by main and carried on the io object
// commands receive, so every command (and the progress bar) behaves the same.
import type { CliIo } from './io.js';
import { createStyle, PLAIN, type Style } from './style.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** A stream as the CLI may see it: process.stdout/stderr have isTTY and columns, fakes may not. */
export interface TerminalStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}

/** The io main accepts: CliIo, plus (optionally) the environment, which defaults to process.env. */
export interface TerminalIo extends CliIo {
  readonly stdout: TerminalStream;
  readonly stderr: TerminalStream;
  readonly env?: Env | undefined;
}

export interface Terminal {
  /** --quiet: nothing but errors and the final result. */
  readonly quiet: boolean;
  /** Styles for what goes to stdout and to stderr (each stream is a terminal or not on its own). */
  readonly out: Style;
  readonly err: Style;
  /** A progress bar may be drawn on stderr: it is a terminal and --quiet was not given. */
  readonly progress: boolean;
  /** Width of stderr, for the progress bar. */
  readonly stderrColumns: number;
}

/**
 * Whether to colour a stream: only a terminal, never with NO_COLOR (any non-empty value,
 * no-color.org), never on TERM=dumb. FORCE_COLOR is deliberately not read: Nx sets
 * FORCE_COLOR=true for every task it runs, which would put escape bytes into piped output
 * and into every test run through nx.
 */
export function colourWanted(isTTY: boolean, env: Env): boolean {
  const noColor = env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return isTTY;
}

export function terminalFor(io: TerminalIo, options: { readonly quiet: boolean }): Terminal {
  const env = io.env ?? process.env;
  const stderrIsTTY = io.stderr.isTTY === true;
  const columns = io.stderr.columns;
  return {
    quiet: options.quiet,
    // io.isTTY is the contract's "stdout is a terminal"; stderr is asked on its own.
    out: colourWanted(io.isTTY, env) ? createStyle(true) : PLAIN,
    err: colourWanted(stderrIsTTY, env) ? createStyle(true) : PLAIN,
    progress: stderrIsTTY && !options.quiet,
    stderrColumns: typeof columns === 'number' && columns > 0 ? columns : 80,
  };
}

const TERMINAL = Symbol('forkscope.terminal');
type Carrying = CliIo & { readonly [TERMINAL]?: Terminal };

/** A copy of `io` for commands, carrying its Terminal (read back with terminalOf). */
export function withTerminal(io: CliIo, terminal: Terminal): CliIo {
  const carrying: Carrying = { ...io, [TERMINAL]: terminal };
  return carrying;
}

/**
 * The Terminal main decided for this io; for an io that did not come through main (a command
 * run directly, as some tests do) one is derived from the io itself, without --quiet.
 */
export function terminalOf(io: CliIo): Terminal {
  return (io as Carrying)[TERMINAL] ?? terminalFor(io, { quiet: false });
}
