// The process-creation calls a case promises its capture contains, and the
// check that a capture keeps those promises. Shared by the capture script
// (a case that no longer exercises what it claims fails at capture time) and
// by the corpus tests.
import { joinCalls, scanCapture, splitTopLevel } from './strace-line.js';
import type { JoinedCall, StraceLine } from './strace-line.js';

export const PROMISES = ['clone3-vfork', 'clone-vfork', 'vfork', 'fork', 'thread', 'clone3', 'execve', 'none'] as const;
export type CapturePromise = (typeof PROMISES)[number];

export function isPromise(value: unknown): value is CapturePromise {
  return typeof value === 'string' && (PROMISES as readonly string[]).includes(value);
}

// Clone flag bits by the names strace prints (include/uapi/linux/sched.h).
const CLONE_VM = 0x100n;
const CLONE_VFORK = 0x4000n;
const CLONE_THREAD = 0x10000n;
const NAMED_FLAGS: ReadonlyMap<string, bigint> = new Map([
  ['CLONE_NEWTIME', 0x80n],
  ['CLONE_VM', CLONE_VM],
  ['CLONE_FS', 0x200n],
  ['CLONE_FILES', 0x400n],
  ['CLONE_SIGHAND', 0x800n],
  ['CLONE_PIDFD', 0x1000n],
  ['CLONE_PTRACE', 0x2000n],
  ['CLONE_VFORK', CLONE_VFORK],
  ['CLONE_PARENT', 0x8000n],
  ['CLONE_THREAD', CLONE_THREAD],
  ['CLONE_NEWNS', 0x20000n],
  ['CLONE_SYSVSEM', 0x40000n],
  ['CLONE_SETTLS', 0x80000n],
  ['CLONE_PARENT_SETTID', 0x100000n],
  ['CLONE_CHILD_CLEARTID', 0x200000n],
  ['CLONE_DETACHED', 0x400000n],
  ['CLONE_UNTRACED', 0x800000n],
  ['CLONE_CHILD_SETTID', 0x1000000n],
  ['CLONE_NEWCGROUP', 0x2000000n],
  ['CLONE_NEWUTS', 0x4000000n],
  ['CLONE_NEWIPC', 0x8000000n],
  ['CLONE_NEWUSER', 0x10000000n],
  ['CLONE_NEWPID', 0x20000000n],
  ['CLONE_NEWNET', 0x40000000n],
  ['CLONE_IO', 0x80000000n],
  ['CLONE_CLEAR_SIGHAND', 0x100000000n],
  ['CLONE_INTO_CGROUP', 0x200000000n],
]);

/** The bits of a strace flags value such as `CLONE_VM|CLONE_VFORK|SIGCHLD` or `0x4100` that we know. */
export function decodeCloneFlags(text: string): bigint {
  let bits = 0n;
  for (const raw of text.split('|')) {
    const token = raw.trim();
    const named = NAMED_FLAGS.get(token);
    if (named !== undefined) bits |= named;
    else if (token.startsWith('0x')) {
      try {
        bits |= BigInt(token);
      } catch {
        // not a number after all: a flag name we do not need
      }
    }
  }
  return bits;
}

/** The value of `flags=` among top-level fields of an argument list or struct body. */
function fieldValue(fields: readonly string[], name: string): string | undefined {
  const prefix = `${name}=`;
  for (const f of fields) if (f.startsWith(prefix)) return f.slice(prefix.length);
  return undefined;
}

/** Clone flags of a clone/clone3 call, or undefined when strace did not decode them (e.g. `clone3(NULL, 88)`). */
export function cloneFlagsOf(call: JoinedCall): bigint | undefined {
  const args = splitTopLevel(call.args);
  if (call.name === 'clone') {
    const v = fieldValue(args, 'flags');
    return v === undefined ? undefined : decodeCloneFlags(v);
  }
  if (call.name === 'clone3') {
    const first = args[0];
    if (first === undefined || !first.startsWith('{')) return undefined;
    // `{flags=…, …}` possibly followed by ` => {parent_tid=[…]}` on return.
    const close = matchingBrace(first);
    if (close < 0) return undefined;
    const v = fieldValue(splitTopLevel(first.slice(1, close)), 'flags');
    return v === undefined ? undefined : decodeCloneFlags(v);
  }
  return undefined;
}

function matchingBrace(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"') {
      i += 1;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    } else if (c === '{' || c === '[' || c === '(') depth += 1;
    else if (c === '}' || c === ']' || c === ')') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function has(bits: bigint | undefined, flag: bigint): boolean {
  return bits !== undefined && (bits & flag) === flag;
}

/** Does this call keep promise `p`? (`execve` and `none` are whole-capture properties.) */
function callKeeps(call: JoinedCall, p: Exclude<CapturePromise, 'execve' | 'none'>): boolean {
  const flags = cloneFlagsOf(call);
  switch (p) {
    case 'clone3-vfork':
      return call.name === 'clone3' && has(flags, CLONE_VM) && has(flags, CLONE_VFORK);
    case 'clone-vfork':
      return call.name === 'clone' && has(flags, CLONE_VM) && has(flags, CLONE_VFORK);
    case 'vfork':
      return call.name === 'vfork';
    case 'fork':
      return (
        call.name === 'fork' ||
        ((call.name === 'clone' || call.name === 'clone3') && flags !== undefined && !has(flags, CLONE_VM) && !has(flags, CLONE_THREAD))
      );
    case 'thread':
      return (call.name === 'clone' || call.name === 'clone3') && has(flags, CLONE_THREAD);
    case 'clone3':
      return call.name === 'clone3';
    default: {
      const never: never = p;
      throw new Error(`unhandled promise ${String(never)}`);
    }
  }
}

/** What one capture shows, for promise checking. */
export interface CaptureFacts {
  readonly lines: readonly StraceLine[];
  readonly calls: readonly JoinedCall[];
  readonly pids: ReadonlySet<number>;
}

export function captureFacts(text: string): CaptureFacts {
  const lines = scanCapture(text);
  return { lines, calls: joinCalls(lines), pids: new Set(lines.map((l) => l.pid)) };
}

/** Does the capture keep promise `p`? */
export function keepsPromise(facts: CaptureFacts, p: CapturePromise): boolean {
  switch (p) {
    case 'execve': {
      // An execve (or execveat) other than the root process's very first call.
      const first = facts.calls[0];
      return facts.calls.some((c) => c !== first && (c.name === 'execve' || c.name === 'execveat'));
    }
    case 'none':
      // No other process or thread ever appeared; failed creation attempts are fine.
      return facts.pids.size === 1;
    default:
      return facts.calls.some((c) => callKeeps(c, p));
  }
}

/** The promises a capture breaks (empty when it keeps them all). */
export function brokenPromises(text: string, promises: readonly CapturePromise[]): CapturePromise[] {
  const facts = captureFacts(text);
  return promises.filter((p) => !keepsPromise(facts, p));
}
