// Per-task state libc sets up before main: the futex robust-list head (kernel/futex/syscalls.c),
// the rseq area (kernel/rseq.c) and the FS/GS bases (arch/x86/kernel/process_64.c). The kernel
// runs no guest code, so the values are only kept and reported back; what is modelled is who
// owns them: fork clears the robust list, a fork without CLONE_VM keeps rseq, CLONE_SETTLS sets
// the child's FS base, exec drops all three (see clone.ts and exec.ts).
import type { CallOf } from './calls.js';
import type { Core } from './core.js';
import { done, error, type SyscallResult } from './outcome.js';
import type { Task } from './task.js';
import { writeU64 } from './guest-io.js';

/** sizeof(struct robust_list_head) on x86_64. */
export const ROBUST_LIST_HEAD_SIZE = 24n;
/** The rseq ABI's original struct size and alignment (ORIG_RSEQ_SIZE, __alignof__(struct rseq)). */
export const ORIG_RSEQ_SIZE = 32;
/** offsetof(struct rseq, end): the smallest extended registration. */
const RSEQ_MIN_EXTENDED = 28;
export const RSEQ_FLAG_UNREGISTER = 1;
/** TASK_SIZE_MAX with 4-level paging: the first address user space may not use. */
export const TASK_SIZE_MAX = 0x7ffffffff000n;

export const ARCH = {
  SET_GS: 0x1001,
  SET_FS: 0x1002,
  GET_FS: 0x1003,
  GET_GS: 0x1004,
} as const;

/** set_robust_list: the only check is the head's size; the address is not looked at until exit. */
export function sysSetRobustList(t: Task, call: CallOf<'set_robust_list'>): SyscallResult {
  if (call.len !== ROBUST_LIST_HEAD_SIZE) return error('EINVAL');
  t.robustList = call.head;
  return done(0);
}

function accessOk(addr: bigint, len: bigint): boolean {
  return addr >= 0n && len >= 0n && addr + len <= TASK_SIZE_MAX;
}

/** rseq (kernel/rseq.c sys_rseq): unregister, re-register (EBUSY or a mismatch), register; in that order. */
export function sysRseq(t: Task, call: CallOf<'rseq'>): SyscallResult {
  const cur = t.rseq;
  const len = call.rseq_len >>> 0;
  const sig = call.sig >>> 0;
  if ((call.flags & RSEQ_FLAG_UNREGISTER) !== 0) {
    if ((call.flags & ~RSEQ_FLAG_UNREGISTER) !== 0) return error('EINVAL');
    if (cur === null || cur.addr !== call.rseq) return error('EINVAL');
    if (len !== cur.len) return error('EINVAL');
    if (sig !== cur.sig) return error('EPERM');
    t.rseq = null;
    return done(0);
  }
  if (call.flags !== 0) return error('EINVAL');
  if (cur !== null) {
    if (cur.addr !== call.rseq || cur.len !== len) return error('EINVAL');
    if (cur.sig !== sig) return error('EPERM');
    return error('EBUSY');
  }
  const aligned = call.rseq % BigInt(ORIG_RSEQ_SIZE) === 0n;
  if (len < ORIG_RSEQ_SIZE || !aligned || (len !== ORIG_RSEQ_SIZE && len < RSEQ_MIN_EXTENDED)) return error('EINVAL');
  if (!accessOk(call.rseq, BigInt(len))) return error('EFAULT');
  t.rseq = { addr: call.rseq, len, sig };
  return done(0);
}

/** Codes Linux accepts that this model does not implement (CPUID faulting, XSTATE, vDSO mapping, LAM, shadow stacks). */
function unmodelledArchCode(code: number): boolean {
  return (
    (code >= 0x1011 && code <= 0x1012) ||
    (code >= 0x1021 && code <= 0x1026) ||
    (code >= 0x2001 && code <= 0x2003) ||
    (code >= 0x4001 && code <= 0x4004) ||
    (code >= 0x5001 && code <= 0x5005)
  );
}

/** arch_prctl (do_arch_prctl_64): the FS/GS base of the calling thread. */
export function sysArchPrctl(core: Core, t: Task, call: CallOf<'arch_prctl'>): SyscallResult {
  switch (call.code) {
    case ARCH.SET_FS:
    case ARCH.SET_GS: {
      // A base at or above TASK_SIZE_MAX would point into the kernel.
      if (BigInt.asUintN(64, call.addr) >= TASK_SIZE_MAX) return error('EPERM');
      if (call.code === ARCH.SET_FS) t.fsBase = call.addr;
      else t.gsBase = call.addr;
      return done(0);
    }
    case ARCH.GET_FS:
    case ARCH.GET_GS: {
      const base = call.code === ARCH.GET_FS ? t.fsBase : t.gsBase;
      if (writeU64(core, t, call.addr, base) !== undefined) return error('EFAULT');
      return done(0, { value: base });
    }
    default:
      if (unmodelledArchCode(call.code)) {
        core.emit({ type: 'unmodeled', tid: t.tid, call: 'arch_prctl', reason: `arch_prctl code 0x${call.code.toString(16)} is not modelled` });
        return error('ENOSYS');
      }
      return error('EINVAL');
  }
}
