// Per-process ITIMER_REAL (alarm, setitimer) on the virtual clock, and sigaltstack. The timer
// belongs to the process: fork does not inherit it (C16), exec keeps it (D16); when it expires
// the process gets SIGALRM (SI_KERNEL), and an interval timer reloads. The alternate signal
// stack is per thread: fork copies it, a CLONE_VM child without CLONE_VFORK loses it (C15), exec
// clears it (D17). Handlers do not switch stacks here (no guest stack is modelled).
import { SI_KERNEL } from './abi.js';
import type { CallOf, ItimervalValue, Ptr, StackValue } from './calls.js';
import type { Core } from './core.js';
import { done, error, type SyscallResult } from './outcome.js';
import { SIGNALS } from './signals.js';
import type { Task, ThreadGroup } from './task.js';
import { readBytes, writeBytes } from './guest-io.js';
import { makeInfo, sendSignal } from './signal-delivery.js';

const NS = 1_000_000_000n;
const US = 1_000n;
const ITIMER_REAL = 0;
const SS_ONSTACK = 1;
const SS_DISABLE = 2;
const SS_AUTODISARM = 1 << 31;
const MINSIGSTKSZ = 2048n;

/** The earliest pending ITIMER_REAL expiry of any live process. */
export function nextTimerDeadline(core: Core): bigint | undefined {
  let next: bigint | undefined;
  for (const g of core.groups.values()) {
    const d = g.state === 'live' ? g.realTimer?.deadline : undefined;
    if (d !== undefined && (next === undefined || d < next)) next = d;
  }
  return next;
}

/** Fires every timer that is due at the current time (in deadline order, then by pid). */
export function fireTimers(core: Core): void {
  const due = [...core.groups.values()]
    .filter((g) => g.state === 'live' && g.realTimer !== null && g.realTimer.deadline <= core.now)
    .sort((a, b) => Number((a.realTimer?.deadline ?? 0n) - (b.realTimer?.deadline ?? 0n)) || a.tgid - b.tgid);
  for (const g of due) {
    const timer = g.realTimer;
    if (!timer) continue;
    if (timer.interval > 0n) {
      while (timer.deadline <= core.now) timer.deadline += timer.interval;
    } else g.realTimer = null;
    sendSignal(core, g.leader, 'process', makeInfo(SIGNALS.SIGALRM, SI_KERNEL, 0, 0), null);
  }
}

function remaining(core: Core, g: ThreadGroup): { interval: bigint; value: bigint } {
  const t = g.realTimer;
  return t ? { interval: t.interval, value: t.deadline - core.now } : { interval: 0n, value: 0n };
}

export function sysAlarm(core: Core, t: Task, call: CallOf<'alarm'>): SyscallResult {
  const old = remaining(core, t.group);
  // alarm rounds the remaining time to the nearest second, and never reports 0 for a live timer.
  let secs = old.value / NS;
  const rest = old.value % NS;
  if ((secs === 0n && rest > 0n) || rest >= NS / 2n) secs++;
  const seconds = BigInt(call.seconds >>> 0);
  t.group.realTimer = seconds === 0n ? null : { deadline: core.now + seconds * NS, interval: 0n };
  return done(secs, { itimer: old });
}

function readItimerval(core: Core, t: Task, arg: Ptr | ItimervalValue): { ok: true; value: ItimervalValue } | { ok: false; errno: 'EFAULT' | 'EINVAL' } {
  if (typeof arg !== 'bigint') return { ok: true, value: arg };
  const r = readBytes(core, t, arg, 32, 'itimerval');
  if (!r.ok) return { ok: false, errno: 'EFAULT' };
  const v = new DataView(r.value.buffer, r.value.byteOffset, 32);
  return {
    ok: true,
    value: { interval: { sec: v.getBigInt64(0, true), usec: v.getBigInt64(8, true) }, value: { sec: v.getBigInt64(16, true), usec: v.getBigInt64(24, true) } },
  };
}

function encodeItimerval(r: { interval: bigint; value: bigint }): Uint8Array {
  const bytes = new Uint8Array(32);
  const v = new DataView(bytes.buffer);
  v.setBigInt64(0, r.interval / NS, true);
  v.setBigInt64(8, (r.interval % NS) / US, true);
  v.setBigInt64(16, r.value / NS, true);
  v.setBigInt64(24, (r.value % NS) / US, true);
  return bytes;
}

export function sysSetitimer(core: Core, t: Task, call: CallOf<'setitimer'>): SyscallResult {
  if (call.which !== ITIMER_REAL) {
    if (call.which === 1 || call.which === 2) {
      core.emit({ type: 'unmodeled', tid: t.tid, call: 'setitimer', reason: 'CPU-time interval timers are not modelled' });
      return error('ENOSYS');
    }
    return error('EINVAL');
  }
  const old = remaining(core, t.group);
  if (call.value !== 0n) {
    const nv = readItimerval(core, t, call.value);
    if (!nv.ok) return error(nv.errno);
    const { interval, value } = nv.value;
    for (const tv of [interval, value]) if (tv.sec < 0n || tv.usec < 0n || tv.usec >= 1_000_000n) return error('EINVAL');
    const valueNs = value.sec * NS + value.usec * US;
    const intervalNs = interval.sec * NS + interval.usec * US;
    t.group.realTimer = valueNs === 0n ? null : { deadline: core.now + valueNs, interval: intervalNs };
  }
  if (call.ovalue !== 0n && writeBytes(core, t, call.ovalue, encodeItimerval(old)) !== undefined) return error('EFAULT');
  return done(0, { itimer: old });
}

function readStack(core: Core, t: Task, arg: Ptr | StackValue): { ok: true; value: StackValue } | { ok: false } {
  if (typeof arg !== 'bigint') return { ok: true, value: arg };
  const r = readBytes(core, t, arg, 24, 'stack_t');
  if (!r.ok) return { ok: false };
  const v = new DataView(r.value.buffer, r.value.byteOffset, 24);
  return { ok: true, value: { sp: v.getBigUint64(0, true), flags: v.getInt32(8, true), size: v.getBigUint64(16, true) } };
}

export function sysSigaltstack(core: Core, t: Task, call: CallOf<'sigaltstack'>): SyscallResult {
  const onStack = t.frames.length > 0 && t.altstack.flags !== SS_DISABLE && t.frames.some((f) => (f.flags & 0x08000000n) !== 0n);
  const old = { sp: t.altstack.sp, size: t.altstack.size, flags: onStack ? SS_ONSTACK : t.altstack.flags };
  if (call.ss !== 0n) {
    const ss = readStack(core, t, call.ss);
    if (!ss.ok) return error('EFAULT');
    if (onStack) return error('EPERM');
    const mode = ss.value.flags & ~SS_AUTODISARM;
    if (mode !== 0 && mode !== SS_DISABLE && mode !== SS_ONSTACK) return error('EINVAL');
    if (mode === SS_DISABLE) t.altstack = { sp: 0n, size: 0n, flags: SS_DISABLE };
    else {
      if (ss.value.size < MINSIGSTKSZ) return error('ENOMEM');
      t.altstack = { sp: ss.value.sp, size: ss.value.size, flags: ss.value.flags & SS_AUTODISARM };
    }
  }
  if (call.old_ss !== 0n) {
    const bytes = new Uint8Array(24);
    const v = new DataView(bytes.buffer);
    v.setBigUint64(0, old.sp, true);
    v.setInt32(8, old.flags, true);
    v.setBigUint64(16, old.size, true);
    if (writeBytes(core, t, call.old_ss, bytes) !== undefined) return error('EFAULT');
  }
  return done(0, { altstack: old });
}
