// What a clone-family call asked for, read from its printed arguments: the flags as
// names, the exit signal and (CLONE_PIDFD) the pidfd it returned. fork and vfork take no
// flags; they are given the flags the kernel applies for them (fork: none; vfork:
// CLONE_VFORK|CLONE_VM), with SIGCHLD as exit signal, so that all four calls compare alike.
import type { SyscallEvent } from '../events.js';
import { boxedInt, field, flagItems, intValue, named, positional, side } from './arg-values.js';

export type CloneCallName = 'clone' | 'clone3' | 'fork' | 'vfork';

export interface CloneInfo {
  readonly call: CloneCallName;
  /** CLONE_* names (and numbers, if strace printed any), sorted; the exit signal is not among them. */
  readonly flags: readonly string[];
  /** `SIGCHLD`, a number when not a known signal, or null for 0 (no signal at exit). */
  readonly exitSignal: string | number | null;
  /** The fd the call returned through CLONE_PIDFD, when it succeeded and strace printed it. */
  readonly pidfd: number | null;
}

export function isCloneCall(name: string): name is CloneCallName {
  return name === 'clone' || name === 'clone3' || name === 'fork' || name === 'vfork';
}

export function cloneInfo(event: SyscallEvent): CloneInfo | null {
  const call = event.name;
  if (!isCloneCall(call)) return null;
  switch (call) {
    case 'fork':
      return { call, flags: [], exitSignal: 'SIGCHLD', pidfd: null };
    case 'vfork':
      return { call, flags: ['CLONE_VFORK', 'CLONE_VM'], exitSignal: 'SIGCHLD', pidfd: null };
    case 'clone': {
      // Legacy clone ORs the exit signal into the low byte of flags: strace prints it as a
      // signal name (or a number) among the CLONE_* names.
      const items = flagItems(named(event, 'flags'));
      const flags: string[] = [];
      let exitSignal: string | number | null = null;
      for (const item of items) {
        if (item.startsWith('CLONE_')) flags.push(item);
        else if (item.startsWith('SIG')) exitSignal = item;
        else {
          const n = parseNumber(item);
          if (n !== null && n < 0x100) exitSignal = n === 0 ? null : n;
          else flags.push(item);
        }
      }
      flags.sort();
      const pidfd = flags.includes('CLONE_PIDFD') ? numberOrNull(boxedInt(named(event, 'parent_tid'))) : null;
      return { call, flags, exitSignal, pidfd };
    }
    case 'clone3': {
      const argsValue = positional(event, 0);
      if (argsValue === null) return { call, flags: [], exitSignal: null, pidfd: null };
      const before = side(argsValue, 'before');
      const after = side(argsValue, 'after');
      const flags = flagItems(field(before, 'flags')).slice().sort();
      const sig = field(before, 'exit_signal');
      let exitSignal: string | number | null = null;
      if (sig !== null) {
        const n = intValue(sig);
        if (n === null) exitSignal = flagItems(sig)[0] ?? null;
        else exitSignal = n === 0n ? null : Number(n);
      }
      const pidfd = flags.includes('CLONE_PIDFD') ? numberOrNull(boxedInt(field(after, 'pidfd'))) : null;
      return { call, flags, exitSignal, pidfd };
    }
    default: {
      const never: never = call;
      throw new Error(`unhandled clone call ${String(never)}`);
    }
  }
}

function numberOrNull(v: bigint | null): number | null {
  return v === null ? null : Number(v);
}

/** Decimal, 0x-hex or 0-octal integer text, or null. */
function parseNumber(text: string): number | null {
  if (text.length === 0) return null;
  try {
    if (text.startsWith('0x') || text.startsWith('0X')) return Number(BigInt(text));
    if (text.length > 1 && text.startsWith('0')) return Number(BigInt('0o' + text.slice(1)));
    return Number(BigInt(text));
  } catch {
    return null;
  }
}
