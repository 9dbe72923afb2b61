// What a command may touch of the outside world, so that main() runs in-process in tests,
// and the two kinds of failure the contract gives exit status 2.

export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Relative FILE arguments are resolved against this directory. */
  readonly cwd: string;
  /** Whether stdout is a terminal (commands may colour or summarise for people). */
  readonly isTTY: boolean;
}

/** Bad command line: unknown command or option, missing argument. Printed with a usage hint. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose usage to point at, or null for the top level. */
    readonly command: string | null = null,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An input that could not be read or used: printed as one line `forkscope: FILE: why`. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'InputError';
  }
}

const IO_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  EMFILE: 'too many open files',
  ELOOP: 'too many levels of symbolic links',
};

/** An fs error as an InputError naming the file, or null when `err` is not an fs error. */
export function inputErrorOf(file: string, err: unknown): InputError | null {
  if (err instanceof InputError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return null;
  return new InputError(file, IO_REASONS[code] ?? `${code.toLowerCase()} (${(err as Error).message})`);
}
