// The three ways out of an intercepted vfork (docs/strategy-matrix.md shows what each costs).
// A strategy decides two things: what the kernel is asked to do for a CLONE_VFORK call, and
// where the shim finds the suspended parent's saved context when the parent resumes.
import { CLONE, type Syscall } from '@forkscope/kernel';

export const STRATEGY_NAMES = ['linux', 'fork', 'shared-no-restore'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export function isStrategyName(text: string): text is StrategyName {
  return (STRATEGY_NAMES as readonly string[]).includes(text);
}

export interface Strategy {
  readonly name: StrategyName;
  readonly summary: string;
  /** The call the kernel executes for a call the guest issued. */
  kernelCall(call: Syscall): Syscall;
  /**
   * 'side': the parent's context of a vfork-family call is kept outside the shared stack and
   * restored from there; 'stack': the parent returns through the frame left on its stack.
   */
  readonly vforkRestore: 'side' | 'stack';
}

const VM_VFORK = CLONE.VM | CLONE.VFORK;

/** A vfork-family call: the caller is suspended until the child execs or exits (A1–A7). */
export function isVforkCall(call: Syscall): boolean {
  switch (call.name) {
    case 'vfork':
      return true;
    case 'clone':
      return (call.flags & CLONE.VFORK) !== 0n;
    case 'clone3':
      return typeof call.args !== 'bigint' && ((call.args.flags ?? 0n) & CLONE.VFORK) !== 0n;
    default:
      return false;
  }
}

/** Shadow's current behaviour: CLONE_VM and CLONE_VFORK dropped when a new process is made. */
function dropVfork(call: Syscall): Syscall {
  switch (call.name) {
    case 'vfork':
      return { name: 'fork' };
    case 'clone':
      return (call.flags & CLONE.THREAD) !== 0n ? call : { ...call, flags: call.flags & ~VM_VFORK };
    case 'clone3': {
      if (typeof call.args === 'bigint') return call;
      const flags = call.args.flags ?? 0n;
      if ((flags & CLONE.THREAD) !== 0n) return call;
      return { ...call, args: { ...call.args, flags: flags & ~VM_VFORK } };
    }
    default:
      return call;
  }
}

export const STRATEGIES: { readonly [N in StrategyName]: Strategy } = {
  linux: {
    name: 'linux',
    summary: 'shared memory, parent suspended; the parent context is kept off the shared stack and restored (return in the child, long-jump the parent)',
    kernelCall: (call) => call,
    vforkRestore: 'side',
  },
  fork: {
    name: 'fork',
    summary: 'CLONE_VM and CLONE_VFORK ignored for new processes: memory copied on write, parent not suspended (Shadow today)',
    kernelCall: dropVfork,
    vforkRestore: 'side',
  },
  'shared-no-restore': {
    name: 'shared-no-restore',
    summary: 'shared memory and suspension, but the parent returns through the frame left on the shared stack',
    kernelCall: (call) => call,
    vforkRestore: 'stack',
  },
};
