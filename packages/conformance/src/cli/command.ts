// One CLI command: its name, its help text and what it does. Each lives in commands/ and is
// listed once in registry.ts; main.ts knows nothing command-specific.
import type { CliIo } from './io.js';

export interface CommandContext {
  readonly io: CliIo;
  /** Print stack traces for internal errors. */
  readonly debug: boolean;
}

export interface Command {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** Full help: usage line, options, examples. */
  readonly help: string;
  /** Runs with the arguments after the command name; returns the exit status. */
  run(args: readonly string[], ctx: CommandContext): Promise<number>;
}
