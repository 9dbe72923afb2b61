// futex(2) FUTEX_WAIT / FUTEX_WAKE on a 32-bit word of an address space, enough for
// CLONE_CHILD_CLEARTID (C11) and thread joins. Sleepers are woken in the order they slept.
import { FUTEX } from './abi.js';
import type { CallOf } from './calls.js';
import type { Core } from './core.js';
import type { AddressSpace } from './memory/address-space.js';
import { done, error, type SyscallResult } from './outcome.js';
import type { Task } from './task.js';
import { readTimespec } from './guest-io.js';

/** Wakes up to `count` tasks sleeping on (mm, addr); returns how many. */
export function futexWake(core: Core, mm: AddressSpace, addr: bigint, count: number): number {
  const woken: number[] = [];
  for (const t of core.blockedTasks()) {
    if (woken.length >= count) break;
    const on = t.block?.on;
    if (on?.kind === 'futex' && on.space === mm.id && on.addr === addr && !t.futexWoken) {
      t.futexWoken = true;
      woken.push(t.tid);
    }
  }
  core.emit({ type: 'futex-wake', space: mm.id, addr, woken });
  if (woken.length > 0) core.dirty = true;
  return woken.length;
}

export function sysFutex(core: Core, t: Task, call: CallOf<'futex'>): SyscallResult {
  const cmd = call.op & ~(FUTEX.PRIVATE_FLAG | FUTEX.CLOCK_REALTIME);
  if ((call.uaddr & 3n) !== 0n) return error('EINVAL');
  switch (cmd) {
    case FUTEX.WAKE:
      return done(futexWake(core, t.mm, call.uaddr, call.val));
    case FUTEX.WAIT: {
      if (core.config.memory === 'model') {
        const word = t.mm.readU32(call.uaddr);
        if (!word.ok) return error(word.errno);
        if ((word.value | 0) !== (call.val | 0)) return error('EAGAIN');
      }
      let until: bigint | null = null;
      if (call.timeout !== 0n) {
        const ts = readTimespec(core, t, call.timeout);
        if (!ts.ok) return error(ts.errno);
        if (ts.value.sec < 0n || ts.value.nsec < 0n || ts.value.nsec >= 1_000_000_000n) return error('EINVAL');
        until = core.now + ts.value.sec * 1_000_000_000n + ts.value.nsec;
      }
      t.futexWoken = false;
      const deadline = until;
      return core.block(t, call, { kind: 'futex', space: t.mm.id, addr: call.uaddr, until: deadline }, 'interruptible', 'ERESTARTSYS', () => {
        if (t.futexWoken) {
          t.futexWoken = false;
          return done(0);
        }
        if (deadline !== null && core.now >= deadline) return error('ETIMEDOUT');
        return undefined;
      });
    }
    default:
      core.emit({ type: 'unmodeled', tid: t.tid, call: 'futex', reason: `futex op ${call.op} is not modelled` });
      return error('ENOSYS');
  }
}
