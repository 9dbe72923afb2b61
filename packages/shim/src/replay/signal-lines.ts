// The recording's `--- SIG ---` lines, counted by the first pass: per receiving pid, the signal
// and the siginfo fields that tell one sending from another (si_code, si_pid, si_status). A
// multiset: lines are few (one per signal taken), and the replay asks only how many of a kind
// lie ahead. It needs that when the kernel would merge a standard signal into one still pending
// (legacy_queue, A8): a line of its own for the new sending shows that the task took the
// pending one before it was sent, though strace printed that later (KernelOptions.signalTakenBefore).
import type { SignalEvent, TraceEvent, Value } from '@forkscope/tracer';
import { CLD, SI_KERNEL, SI_QUEUE, SI_TKILL, SI_USER, signalNumber } from '@forkscope/kernel';
import { bare } from './values.js';

/** si_code names strace prints for the codes the kernel generates; any other makes a line no sending matches. */
const SI_CODES: ReadonlyMap<string, number> = new Map([
  ['CLD_EXITED', CLD.EXITED],
  ['CLD_KILLED', CLD.KILLED],
  ['CLD_DUMPED', CLD.DUMPED],
  ['CLD_TRAPPED', CLD.TRAPPED],
  ['CLD_STOPPED', CLD.STOPPED],
  ['CLD_CONTINUED', CLD.CONTINUED],
  ['SI_USER', SI_USER],
  ['SI_KERNEL', SI_KERNEL],
  ['SI_TKILL', SI_TKILL],
  ['SI_QUEUE', SI_QUEUE],
]);

/** The fields of one sending, with pids as the recording names them. */
export interface SendingKey {
  /** The task that took it (the line's pid; 0 for a pid-less single-process trace). */
  readonly receiver: number;
  readonly signo: number;
  readonly code: number;
  /** si_pid: the sender's recorded pid (0 from the kernel itself, and when strace prints none, as for SI_KERNEL). */
  readonly pid: number;
  /** si_status: the exit code or signal of a SIGCHLD; 0 when strace prints none (other signals carry 0). */
  readonly status: number;
}

function keyText(k: SendingKey): string {
  return `${k.receiver} ${k.signo} ${k.code} ${k.pid} ${k.status}`;
}

/**
 * A siginfo field as a number: an integer, or a name from `names` (si_code's, or a signal's for
 * the si_status of a killed child); undefined otherwise.
 */
function numberOf(v: Value, names: ((name: string) => number | undefined) | null): number | undefined {
  const b = bare(v);
  if (b.kind === 'int') return Number(b.value);
  return b.kind === 'ident' && names !== null ? names(b.name) : undefined;
}

const codeNamed = (name: string): number | undefined => SI_CODES.get(name);

/**
 * The line's sending, or null when the line does not say enough to match one (no siginfo, a
 * si_code the kernel never generates, a field printed in a form not read here).
 */
export function sendingOf(e: SignalEvent): SendingKey | null {
  const signo = signalNumber(e.signal);
  if (signo === undefined) return null;
  let code: number | undefined;
  let pid: number | undefined = 0;
  let status: number | undefined = 0;
  for (const f of e.siginfo) {
    switch (f.name) {
      case 'si_code':
        code = numberOf(f.value, codeNamed);
        break;
      case 'si_pid':
        pid = numberOf(f.value, null);
        break;
      case 'si_status':
        status = numberOf(f.value, signalNumber);
        break;
      default:
        break;
    }
  }
  if (code === undefined || pid === undefined || status === undefined) return null;
  return { receiver: e.pid ?? 0, signo, code, pid, status };
}

/** The first pass's part: counts every signal line (signal lines are never skipped, only calls are). */
export class SignalLinesScan {
  readonly #counts = new Map<string, number>();

  add(e: TraceEvent): void {
    if (e.kind !== 'signal') return;
    const key = sendingOf(e);
    if (key === null) return;
    const text = keyText(key);
    this.#counts.set(text, (this.#counts.get(text) ?? 0) + 1);
  }

  finish(): RecordedSignals {
    return new RecordedSignals(this.#counts);
  }
}

/** The recorded signal lines by sending (immutable: a replay reads them through its own SignalLinesAhead). */
export class RecordedSignals {
  readonly #counts: ReadonlyMap<string, number>;

  constructor(counts: ReadonlyMap<string, number>) {
    this.#counts = counts;
  }

  /** How many lines show this sending. */
  count(key: SendingKey): number {
    return this.#counts.get(keyText(key)) ?? 0;
  }

  /** How many lines were counted. */
  get size(): number {
    let n = 0;
    for (const c of this.#counts.values()) n += c;
    return n;
  }

  /** A cursor for one replay: the lines it has not reached yet. */
  ahead(): SignalLinesAhead {
    return new SignalLinesAhead(new Map(this.#counts));
  }
}

/** The signal lines a replay has not reached yet, by sending. */
export class SignalLinesAhead {
  readonly #counts: Map<string, number>;

  constructor(counts: Map<string, number>) {
    this.#counts = counts;
  }

  /** The replay reached this line: its sending is accounted for. */
  passed(e: SignalEvent): void {
    const key = sendingOf(e);
    if (key === null) return;
    const text = keyText(key);
    const n = this.#counts.get(text);
    if (n === undefined) return;
    if (n <= 1) this.#counts.delete(text);
    else this.#counts.set(text, n - 1);
  }

  /** How many lines not reached yet show this sending. */
  count(key: SendingKey): number {
    return this.#counts.get(keyText(key)) ?? 0;
  }
}
