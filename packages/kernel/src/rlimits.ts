// Resource limits (kernel/sys.c prlimit64/do_prlimit). Linux keeps them per process (signal_struct):
// fork copies them, threads share them, exec keeps them. Their starting values are the
// environment's (a shell's ulimit, systemd); the defaults below are the kernel's own
// (include/asm-generic/resource.h INIT_RLIMITS) and a caller may override them per kernel.
import type { CallOf, RlimitValue } from './calls.js';
import type { Core } from './core.js';
import { done, error, type SyscallResult } from './outcome.js';
import type { Task } from './task.js';
import { readBytes, writeBytes } from './guest-io.js';

/** One resource limit (struct rlimit64); RLIM_INFINITY is 2^64-1. */
export interface Rlimit {
  cur: bigint;
  max: bigint;
}

export const RLIM_INFINITY = (1n << 64n) - 1n;
export const RLIMIT = {
  CPU: 0, FSIZE: 1, DATA: 2, STACK: 3, CORE: 4, RSS: 5, NPROC: 6, NOFILE: 7,
  MEMLOCK: 8, AS: 9, LOCKS: 10, SIGPENDING: 11, MSGQUEUE: 12, NICE: 13, RTPRIO: 14, RTTIME: 15,
} as const;
export const RLIM_NLIMITS = 16;
/** fs.nr_open's default: RLIMIT_NOFILE's hard limit may not exceed it. */
export const NR_OPEN = 1024n * 1024n;

/** INIT_RLIMITS; NPROC and SIGPENDING are sized at boot from memory: the values of a small machine. */
export function defaultRlimits(): Rlimit[] {
  const inf = RLIM_INFINITY;
  const r = (cur: bigint, max: bigint): Rlimit => ({ cur, max });
  return [
    r(inf, inf), // CPU
    r(inf, inf), // FSIZE
    r(inf, inf), // DATA
    r(8n * 1024n * 1024n, inf), // STACK: _STK_LIM
    r(0n, inf), // CORE
    r(inf, inf), // RSS
    r(63_000n, 63_000n), // NPROC: max_threads / 2
    r(1024n, 4096n), // NOFILE: INR_OPEN_CUR, INR_OPEN_MAX
    r(8n * 1024n * 1024n, 8n * 1024n * 1024n), // MEMLOCK: MLOCK_LIMIT
    r(inf, inf), // AS
    r(inf, inf), // LOCKS
    r(63_000n, 63_000n), // SIGPENDING
    r(819_200n, 819_200n), // MSGQUEUE: MQ_BYTES_MAX
    r(0n, 0n), // NICE
    r(0n, 0n), // RTPRIO
    r(inf, inf), // RTTIME
  ];
}

function readRlimit(core: Core, t: Task, arg: bigint | RlimitValue): { ok: true; value: RlimitValue } | { ok: false; errno: 'EFAULT' } {
  if (typeof arg !== 'bigint') return { ok: true, value: arg };
  const b = readBytes(core, t, arg, 16, 'prlimit64 new_limit');
  if (!b.ok) return { ok: false, errno: 'EFAULT' };
  const v = new DataView(b.value.buffer, b.value.byteOffset, 16);
  return { ok: true, value: { cur: v.getBigUint64(0, true), max: v.getBigUint64(8, true) } };
}

/** Sets a process's RLIMIT_NOFILE on the descriptor tables its threads use (the table checks it at allocation). */
function applyNofile(t: Task, cur: bigint): void {
  const limit = cur > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(cur);
  for (const th of t.group.threads) if (th.alive) th.files.limit = limit;
}

/** prlimit64: in the kernel's order — copy in, find the task, permission, resource, new ≤ max rules, copy out. */
export function sysPrlimit64(core: Core, t: Task, call: CallOf<'prlimit64'>): SyscallResult {
  let next: RlimitValue | undefined;
  if (call.new_limit !== 0n) {
    const r = readRlimit(core, t, call.new_limit);
    if (!r.ok) return error(r.errno);
    next = r.value;
  }
  const target = call.pid === 0 ? t : core.tasks.get(call.pid);
  // Every modelled process runs as the same uid (or as root): check_prlimit_permission passes.
  if (target === undefined || target.group.state === 'reaped') return error('ESRCH');
  const resource = call.resource >>> 0;
  if (resource >= RLIM_NLIMITS) return error('EINVAL');
  if (next !== undefined) {
    if (next.cur > next.max) return error('EINVAL');
    if (resource === RLIMIT.NOFILE && next.max > NR_OPEN) return error('EPERM');
  }
  const limits = target.group.rlimits;
  const cur = limits[resource];
  if (cur === undefined) throw new Error(`process ${target.group.tgid} has no rlimit ${resource}`);
  // Raising the hard limit needs CAP_SYS_RESOURCE, which only root has here.
  if (next !== undefined && next.max > cur.max && t.group.uid !== 0) return error('EPERM');
  const old = { cur: cur.cur, max: cur.max };
  if (next !== undefined) {
    limits[resource] = { cur: next.cur, max: next.max };
    if (resource === RLIMIT.NOFILE) applyNofile(target, next.cur);
  }
  if (call.old_limit === 0n) return done(0);
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, old.cur, true);
  v.setBigUint64(8, old.max, true);
  // Linux sets the new limit before copying the old one out: a fault leaves the new limit in place.
  if (writeBytes(core, t, call.old_limit, b) !== undefined) return error('EFAULT');
  return done(0, { rlimit: old });
}
