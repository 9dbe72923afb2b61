// The recorded call as convert.ts sees it, with its argument tree parsed for
// that conversion only. A SyscallEvent caches its tree on first access, so a
// capture whose every call was converted kept every tree alive to the end of
// the check: on a 57 MB capture that was 480 MB of the 700 MB heap. Most trees
// are read once, by the conversion; the calls whose trees the checker reads
// again afterwards (KEEP_ARGS) still parse once, through the event's cache.
import { parseArgs } from '@forkscope/tracer';
import type { Arg, Prefix, Span, SyscallEvent, SyscallOutcome, Timestamp } from '@forkscope/tracer';

/**
 * Calls whose argument tree is read again after conversion: by the judge (the out-values of
 * wait4, pipe, rt_sigaction…, the vfork flag of clone), the processes check (clone flags, exec
 * paths), the futex-word pass and the starting state (prlimit64), and initial-fds.ts (fcntl's
 * F_DUPFD minimum, pipe's fds). Missing a name here costs a second parse, never a wrong answer.
 */
export const KEEP_ARGS: ReadonlySet<string> = new Set([
  'wait4',
  'waitid',
  'pipe',
  'pipe2',
  'socketpair',
  'prlimit64',
  'getcwd',
  'sigaltstack',
  'rt_sigpending',
  'rt_sigprocmask',
  'rt_sigaction',
  'clone',
  'clone3',
  'fork',
  'vfork',
  'execve',
  'execveat',
  'futex',
  'fcntl',
]);

/** A read-only view of a recorded call whose `args` is parsed afresh on each read and not kept. */
class UncachedArgs implements SyscallEvent {
  readonly kind = 'syscall' as const;
  readonly #e: SyscallEvent;

  constructor(e: SyscallEvent) {
    this.#e = e;
  }

  get args(): readonly Arg[] {
    return parseArgs(this.#e.argsText);
  }
  get pid(): number | null {
    return this.#e.pid;
  }
  get span(): Span {
    return this.#e.span;
  }
  get prefix(): Prefix {
    return this.#e.prefix;
  }
  get name(): string {
    return this.#e.name;
  }
  get argsText(): string {
    return this.#e.argsText;
  }
  get outcome(): SyscallOutcome {
    return this.#e.outcome;
  }
  get split(): boolean {
    return this.#e.split;
  }
  get endTime(): Timestamp | undefined {
    return this.#e.endTime;
  }
  get duration(): string | undefined {
    return this.#e.duration;
  }
  get injection(): string | undefined {
    return this.#e.injection;
  }
  get stack(): readonly string[] | undefined {
    return this.#e.stack;
  }
  get dump(): readonly string[] | undefined {
    return this.#e.dump;
  }
  get pidChangedTo(): number | undefined {
    return this.#e.pidChangedTo;
  }
  get splitAt(): number | undefined {
    return this.#e.splitAt;
  }
  get vanished(): boolean | undefined {
    return this.#e.vanished;
  }
}

/** The event to hand to convert(): itself when its tree is read again later, else an uncached view. */
export function forConversion(event: SyscallEvent): SyscallEvent {
  return KEEP_ARGS.has(event.name) ? event : new UncachedArgs(event);
}
