// Signal system calls: kill / tkill / tgkill, rt_sigaction (shared under CLONE_SIGHAND; SIG_IGN
// discards pending instances), rt_sigprocmask (SIGKILL/SIGSTOP never blocked), rt_sigpending,
// rt_sigreturn (ends a handler frame), pause and rt_sigsuspend.
import { SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK, SI_TKILL, SI_USER } from './abi.js';
import type { CallOf, SigactionStruct } from './calls.js';
import type { Core } from './core.js';
import { done, error, type SyscallResult } from './outcome.js';
import { defaultAction, isValidSignal, SIGNALS } from './signals.js';
import { bit, type SigAction, type Task, type ThreadGroup } from './task.js';
import { makeInfo, sendSignal, UNBLOCKABLE, validSignal } from './signal-delivery.js';
import { readBytes, readSigset, writeBytes, writeU64 } from './guest-io.js';
import { groupExit } from './exit.js';

const SIGSET_SIZE = 8n;

/** The processes kill(pid) addresses: one, a process group, or all but init and the caller. */
function killTargets(core: Core, t: Task, pid: number): ThreadGroup[] {
  const out: ThreadGroup[] = [];
  if (pid > 0) {
    const task = core.tasks.get(pid);
    if (task && task !== core.init && task.group.state !== 'reaped') out.push(task.group);
    return out;
  }
  for (const g of core.groups.values()) {
    if (g.state === 'reaped') continue;
    if (g === core.init.group) continue;
    if (pid === -1 ? g !== t.group : g.pgid === (pid === 0 ? t.group.pgid : -pid)) out.push(g);
  }
  return out;
}

export function sysKill(core: Core, t: Task, call: CallOf<'kill'>): SyscallResult {
  if (!validSignal(call.sig)) return error('EINVAL');
  if (call.pid === -2147483648) return error('ESRCH');
  const targets = killTargets(core, t, call.pid);
  if (targets.length === 0) return error('ESRCH');
  if (call.sig === 0) return done(0);
  for (const g of targets) {
    const target = core.tasks.get(call.pid)?.group === g && call.pid > 0 ? (core.tasks.get(call.pid) as Task) : g.leader;
    sendSignal(core, target, 'process', makeInfo(call.sig, SI_USER, t.group.tgid, t.group.uid), t.tid);
  }
  return done(0);
}

function threadSignal(core: Core, t: Task, target: Task | undefined, sig: number): SyscallResult {
  if (!target || !target.alive) return error('ESRCH');
  if (sig === 0) return done(0);
  sendSignal(core, target, 'thread', makeInfo(sig, SI_TKILL, t.group.tgid, t.group.uid), t.tid);
  return done(0);
}

export function sysTkill(core: Core, t: Task, call: CallOf<'tkill'>): SyscallResult {
  if (call.tid <= 0 || !validSignal(call.sig)) return error('EINVAL');
  const target = core.tasks.get(call.tid);
  return threadSignal(core, t, target === core.init ? undefined : target, call.sig);
}

export function sysTgkill(core: Core, t: Task, call: CallOf<'tgkill'>): SyscallResult {
  if (call.tgid <= 0 || call.tid <= 0 || !validSignal(call.sig)) return error('EINVAL');
  const target = core.tasks.get(call.tid);
  return threadSignal(core, t, target && target.group.tgid === call.tgid && target !== core.init ? target : undefined, call.sig);
}

function toStruct(a: SigAction): SigactionStruct {
  return { handler: a.handler, flags: a.flags, mask: a.mask, restorer: a.restorer };
}

function encodeSigaction(a: SigAction): Uint8Array {
  const bytes = new Uint8Array(32);
  const v = new DataView(bytes.buffer);
  const handler = a.handler === 'SIG_DFL' ? 0n : a.handler === 'SIG_IGN' ? 1n : a.handler;
  v.setBigUint64(0, handler, true);
  v.setBigUint64(8, a.flags, true);
  v.setBigUint64(16, a.restorer, true);
  v.setBigUint64(24, a.mask, true);
  return bytes;
}

export function sysRtSigaction(core: Core, t: Task, call: CallOf<'rt_sigaction'>): SyscallResult {
  if (call.sigsetsize !== SIGSET_SIZE) return error('EINVAL');
  const sig = call.sig;
  const setting = call.act !== 0n;
  if (!isValidSignal(sig) || (setting && (sig === SIGNALS.SIGKILL || sig === SIGNALS.SIGSTOP))) return error('EINVAL');
  let next: SigAction | undefined;
  if (typeof call.act !== 'bigint') {
    const h = call.act.handler;
    next = {
      handler: typeof h === 'bigint' ? BigInt.asUintN(64, h) : h,
      flags: BigInt.asUintN(64, call.act.flags),
      mask: BigInt.asUintN(64, call.act.mask),
      restorer: BigInt.asUintN(64, call.act.restorer ?? 0n),
    };
  } else if (call.act !== 0n) {
    const raw = readBytes(core, t, call.act, 32, 'sigaction');
    if (!raw.ok) return error(raw.errno);
    const v = new DataView(raw.value.buffer, raw.value.byteOffset, 32);
    const h = v.getBigUint64(0, true);
    next = { handler: h === 0n ? 'SIG_DFL' : h === 1n ? 'SIG_IGN' : h, flags: v.getBigUint64(8, true), restorer: v.getBigUint64(16, true), mask: v.getBigUint64(24, true) };
  }
  const old = t.sighand.get(sig);
  if (call.oldact !== 0n && writeBytes(core, t, call.oldact, encodeSigaction(old)) !== undefined) return error('EFAULT');
  if (next) {
    const action: SigAction = { ...next, mask: next.mask & ~UNBLOCKABLE };
    t.sighand.set(sig, action);
    // POSIX: setting an ignoring action discards the signal wherever it is pending, blocked or not.
    const d = defaultAction(sig);
    if (action.handler === 'SIG_IGN' || (action.handler === 'SIG_DFL' && (d === 'ign' || d === 'cont'))) {
      for (const task of core.tasks.values()) {
        if (task.sighand !== t.sighand) continue;
        task.pending.flush(bit(sig));
        task.group.shared.flush(bit(sig));
      }
    }
    core.dirty = true;
  }
  return done(0, { oldact: toStruct(old) });
}

export function sysRtSigprocmask(core: Core, t: Task, call: CallOf<'rt_sigprocmask'>): SyscallResult {
  if (call.sigsetsize !== SIGSET_SIZE) return error('EINVAL');
  const old = t.sigmask;
  if (call.set !== 0n) {
    const set = readSigset(core, t, call.set);
    if (!set.ok) return error(set.errno);
    let mask: bigint;
    switch (call.how) {
      case SIG_BLOCK:
        mask = old | set.value;
        break;
      case SIG_UNBLOCK:
        mask = old & ~set.value;
        break;
      case SIG_SETMASK:
        mask = set.value;
        break;
      default:
        return error('EINVAL');
    }
    t.sigmask = mask & ~UNBLOCKABLE;
  }
  if (call.oldset !== 0n && writeU64(core, t, call.oldset, old) !== undefined) return error('EFAULT');
  return done(0, { sigset: old });
}

export function sysRtSigpending(core: Core, t: Task, call: CallOf<'rt_sigpending'>): SyscallResult {
  if (call.sigsetsize > SIGSET_SIZE) return error('EINVAL');
  const set = (t.pending.mask | t.group.shared.mask) & t.sigmask;
  if (call.set !== 0n && writeU64(core, t, call.set, set) !== undefined) return error('EFAULT');
  return done(0, { sigset: set });
}

export function sysRtSigreturn(core: Core, t: Task): SyscallResult {
  const frame = t.frames.pop();
  if (!frame) {
    // No signal frame to return through: Linux kills the task with SIGSEGV.
    groupExit(core, t.group, { kind: 'killed', signo: SIGNALS.SIGSEGV, core: core.config.coreDumps }, t);
    return { kind: 'gone' };
  }
  t.sigmask = frame.savedMask & ~UNBLOCKABLE;
  // The restored return register; a frame taken outside a call has none modelled (0).
  const r = frame.interrupted;
  if (r === null) return done(0);
  return 'errno' in r ? error(r.errno) : done(r.value);
}

export function sysPause(core: Core, t: Task, call: CallOf<'pause'>): SyscallResult {
  return core.block(t, call, { kind: 'signal' }, 'interruptible', 'ERESTARTNOHAND', () => undefined);
}

export function sysRtSigsuspend(core: Core, t: Task, call: CallOf<'rt_sigsuspend'>): SyscallResult {
  if (call.sigsetsize !== SIGSET_SIZE) return error('EINVAL');
  const mask = readSigset(core, t, call.mask);
  if (!mask.ok) return error(mask.errno);
  const saved = t.sigmask;
  t.sigmask = mask.value & ~UNBLOCKABLE;
  return core.block(t, call, { kind: 'signal' }, 'interruptible', 'ERESTARTNOHAND', () => undefined, saved);
}
