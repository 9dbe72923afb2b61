// What the kernel must start from that only the environment knew: the credentials the capture
// ran with, its starting resource limits and the directory it started in. The recording shows them through the first call
// that reads each one; that call is then an input (sent for its effect, counted as adopted), and
// every later read is checked against a kernel that started from it. Nothing is invented: a
// resource the capture never reads before setting it keeps no seed, and its reads are adopted.
import type { SyscallEvent, TraceEvent } from '@forkscope/tracer';
import { RLIMIT_NAMES } from './names.js';
import { argOf, constOf, intOf, rlimitOf, stringOf } from './values.js';

export interface StartingState {
  /** The uid and gid every recorded process ran as (0 unless the capture says otherwise). */
  readonly uid: number;
  readonly gid: number;
  /** Starting limits by RLIMIT_* number, for the resources the capture reads before setting. */
  readonly rlimits: Readonly<Record<number, { readonly cur: bigint; readonly max: bigint }>>;
  /**
   * The directory the capture started in, when a getcwd shows it before any recorded process on
   * its line of descent changed directory; undefined when the capture never shows it (or the
   * caller already knows it).
   */
  readonly cwd?: string;
  /** Calls (by first line) whose result is the environment's, not the kernel's: sent, but adopted with this reason. */
  readonly inputs: ReadonlyMap<number, string>;
}

export function inferStartingState(events: readonly TraceEvent[], known: { readonly cwd?: string } = {}): StartingState {
  const scan = new StartingStateScan(known);
  for (const e of events) scan.add(e);
  return scan.finish();
}

/**
 * inferStartingState a line at a time (a capture streamed, not held): it keeps the first reading
 * of each fact and, for the starting directory, only the lines that can bear on it (clones,
 * execs, directory changes, getcwds), which come a few per process. `finish` decides.
 */
export class StartingStateScan {
  readonly #known: { readonly cwd?: string };
  /** si_uid of the first SIGCHLD that shows one: it decides the uid whatever comes before it. */
  #cldUid: number | undefined;
  #getuid: { readonly line: number; readonly value: number } | undefined;
  #getgid: { readonly line: number; readonly value: number } | undefined;
  readonly #rlimits: Record<number, { cur: bigint; max: bigint }> = {};
  readonly #decided = new Set<number>();
  readonly #rlimitInputs = new Map<number, string>();
  /** What startingCwd reads of the clones, execs, directory changes and getcwds, in input order. */
  readonly #cwdFacts: CwdFact[] = [];
  /** The pid of the first syscall line: the root. */
  #root: number | undefined;

  constructor(known: { readonly cwd?: string } = {}) {
    this.#known = known;
  }

  add(e: TraceEvent): void {
    if (e.kind === 'signal') {
      if (this.#cldUid !== undefined) return;
      const code = e.siginfo.find((f) => f.name === 'si_code')?.value;
      if (code?.kind !== 'ident' || !code.name.startsWith('CLD_')) return;
      const n = intOf(e.siginfo.find((f) => f.name === 'si_uid')?.value);
      if (n !== undefined) this.#cldUid = Number(n);
      return;
    }
    if (e.kind !== 'syscall') return;
    this.#root ??= e.pid ?? 0;
    if (this.#known.cwd === undefined) {
      const fact = cwdFactOf(e);
      if (fact !== null) this.#cwdFacts.push(fact);
    }
    if (e.outcome.kind !== 'value') return;
    switch (e.name) {
      case 'getuid':
      case 'geteuid':
        this.#getuid ??= { line: e.span.line, value: Number(e.outcome.value) };
        break;
      case 'getgid':
      case 'getegid':
        this.#getgid ??= { line: e.span.line, value: Number(e.outcome.value) };
        break;
      case 'prlimit64': {
        let args;
        try {
          args = e.args;
        } catch {
          break;
        }
        const resource = constOf(argOf(args, 1), RLIMIT_NAMES);
        if (resource === undefined) break;
        const r = Number(resource);
        const setsOne = intOf(argOf(args, 2)) !== 0n;
        const old = rlimitOf(argOf(args, 3));
        if (!this.#decided.has(r)) {
          this.#decided.add(r);
          // The first sight of a resource decides: a read seeds it, a set first leaves it unknown.
          if (!setsOne && old !== undefined) {
            this.#rlimits[r] = old;
            this.#rlimitInputs.set(e.span.line, 'the starting resource limit is an environment input (the kernel starts from this reading)');
            break;
          }
        }
        if (this.#rlimits[r] === undefined && old !== undefined) this.#rlimitInputs.set(e.span.line, 'the starting resource limit is not shown by the capture');
        break;
      }
      default:
        break;
    }
  }

  finish(): StartingState {
    const inputs = new Map<number, string>();
    // A SIGCHLD's si_uid is the recorded child's real uid: the uid is then known without adopting a
    // getuid. (Other signals may come from outside the recording, from another user.)
    let uid = this.#cldUid;
    if (uid === undefined && this.#getuid !== undefined) {
      uid = this.#getuid.value;
      inputs.set(this.#getuid.line, 'the uid the capture ran as is an environment input (the kernel starts from this reading)');
    }
    if (this.#getgid !== undefined) inputs.set(this.#getgid.line, 'the gid the capture ran as is an environment input (the kernel starts from this reading)');
    for (const [line, why] of this.#rlimitInputs) inputs.set(line, why);
    const cwd = this.#known.cwd === undefined ? startingCwd(this.#root, this.#cwdFacts, inputs) : undefined;
    return { uid: uid ?? 0, gid: this.#getgid?.value ?? 0, rlimits: this.#rlimits, inputs, ...(cwd !== undefined ? { cwd } : {}) };
  }
}

const CLONES = new Set(['clone', 'clone3', 'fork', 'vfork']);
const CHANGES_CWD = new Set(['chdir', 'fchdir']);

/** A line as startingCwd needs it: a few numbers, no event (which would keep its input chunk alive). */
type CwdFact =
  | { readonly kind: 'execve'; readonly pid: number }
  | { readonly kind: 'moved'; readonly pid: number }
  | { readonly kind: 'clone'; readonly pid: number; readonly child: number; readonly sharesFs: boolean }
  /** A getcwd that returned; `path` when it shows a whole absolute path. */
  | { readonly kind: 'getcwd'; readonly pid: number; readonly line: number; readonly path: string | null };

function cwdFactOf(e: SyscallEvent): CwdFact | null {
  const pid = e.pid ?? 0;
  if (e.name === 'execve') return { kind: 'execve', pid };
  // A failed chdir changes nothing; one still in flight may have changed it.
  if (CHANGES_CWD.has(e.name)) return e.outcome.kind !== 'error' ? { kind: 'moved', pid } : null;
  if (CLONES.has(e.name)) {
    if (e.outcome.kind !== 'value' || e.outcome.value <= 0n) return null;
    return { kind: 'clone', pid, child: Number(e.outcome.value), sharesFs: e.argsText.includes('CLONE_FS') };
  }
  if (e.name !== 'getcwd' || e.outcome.kind !== 'value') return null;
  let path;
  try {
    path = stringOf(argOf(e.args, 0));
  } catch {
    path = undefined;
  }
  const whole = path !== undefined && !path.truncated && path.text.startsWith('/') ? ownCopy(path.text) : null;
  return { kind: 'getcwd', pid, line: e.span.line, path: whole };
}

/**
 * A string that keeps nothing else alive: a substring of the parser's input would keep its
 * whole chunk (V8 slices point into their parent). Concatenating then slicing flattens it anew.
 */
function ownCopy(s: string): string {
  return ` ${s}`.slice(1);
}

/**
 * The first getcwd that can only show the starting directory: made by the root or a process
 * whose clone the recording shows, none of which (on its line of descent, before the clone) has
 * changed directory. A later root (a process no clone creates that starts with an execve: the
 * next of several runs recorded one after another) counts as starting there too, as the kernel
 * starts every root in one directory. That getcwd becomes an input; the kernel starts from what
 * it read. A process of unknown descent, or a chdir/fchdir on the way (shared with CLONE_FS
 * children), makes its readings tell nothing about the start.
 */
function startingCwd(root: number | undefined, facts: readonly CwdFact[], inputs: Map<number, string>): string | undefined {
  /** Per process of known descent: its fs context (shared by CLONE_FS), and whether it may have moved. */
  const fsOf = new Map<number, { moved: boolean }>();
  /** Every pid a recorded clone creates (a child's lines may come before its clone returns). */
  const cloned = new Set<number>();
  for (const f of facts) if (f.kind === 'clone') cloned.add(f.child);
  // The root, and any later process that starts with an execve and no clone (the next of runs
  // recorded one after another), start where the capture started.
  if (root !== undefined) fsOf.set(root, { moved: false });
  for (const f of facts) {
    const pid = f.pid;
    if (f.kind === 'execve' && !fsOf.has(pid) && !cloned.has(pid)) fsOf.set(pid, { moved: false });
    const fs = fsOf.get(pid);
    switch (f.kind) {
      case 'execve':
        break;
      case 'moved':
        if (fs !== undefined) fs.moved = true;
        else fsOf.set(pid, { moved: true });
        break;
      case 'clone':
        // A child's lines may come before its clone returns: it is then of unknown descent.
        if (fs !== undefined && !fsOf.has(f.child)) fsOf.set(f.child, f.sharesFs ? fs : { moved: fs.moved });
        break;
      case 'getcwd':
        if (fs === undefined || fs.moved || f.path === null) break;
        inputs.set(f.line, 'the directory the capture started in is an environment input (the kernel starts from this reading)');
        return f.path;
      default: {
        const never: never = f;
        throw new Error(`unknown fact ${(never as CwdFact).kind}`);
      }
    }
  }
  return undefined;
}
