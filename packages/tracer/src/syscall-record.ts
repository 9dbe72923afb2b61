// The concrete SyscallEvent: a plain class whose `args` getter parses `argsText` on first access
// and caches the tree, so scanning a capture never pays for argument trees nobody reads.
import type { Prefix, Span, SyscallEvent, SyscallOutcome, Timestamp } from './events.js';
import type { Arg } from './values.js';
import { parseArgs } from './value-parse.js';

export class SyscallRecord implements SyscallEvent {
  readonly kind = 'syscall' as const;
  // A true private field: invisible to deep-equality checks and to JSON, unlike a cache property.
  #args: readonly Arg[] | undefined;
  // Own properties from the start (undefined until set), in one order: a -T capture gives nearly
  // every call a duration and every split call a splitAt and an end time, and a property added
  // later gives the record another hidden class. With one class for nearly all records, the
  // consumers' property reads (kind, pid, span… of every event) stay fast; with three and the
  // other event kinds they went megamorphic.
  splitAt: number | undefined = undefined;
  endTime: Timestamp | undefined = undefined;
  duration: string | undefined = undefined;
  // `declare`: no own property until set, so a call carries none of these rare ones.
  declare injection?: string;
  declare stack?: string[];
  declare dump?: string[];
  declare pidChangedTo?: number;
  declare vanished?: boolean;

  constructor(
    readonly pid: number | null,
    public span: Span,
    readonly prefix: Prefix,
    readonly name: string,
    readonly argsText: string,
    public outcome: SyscallOutcome,
    readonly split: boolean,
  ) {}

  get args(): readonly Arg[] {
    return (this.#args ??= parseArgs(this.argsText));
  }

  /** JSON form: the fields plus the parsed arguments (bigints are the caller's to encode). */
  toJSON(): object {
    return { ...this, args: this.args };
  }
}
