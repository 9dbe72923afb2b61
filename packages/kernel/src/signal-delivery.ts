// Signal generation and delivery (kernel/signal.c): prepare_signal's discards and SIGCONT/stop
// interplay, the one-instance rule for standard signals, complete_signal's choice of a thread
// and its fast path for fatal signals, interruption of blocked calls with ERESTART* codes, and
// get_signal's dequeue-and-act at return to user space (handler frames, default actions,
// group stop).
import { defaultAction, SIGNALS, SIGRTMIN, isValidSignal } from './signals.js';
import { CLD, SA } from './abi.js';
import type { Core } from './core.js';
import type { SigInfo, SyscallResult } from './outcome.js';
import { bit, type HandlerFrame, type Task, type ThreadGroup, DEFAULT_ACTION } from './task.js';
import { groupExit } from './exit.js';

const { SIGKILL, SIGSTOP, SIGCONT, SIGCHLD } = SIGNALS;
const STOP_SIGNALS = bit(SIGNALS.SIGSTOP) | bit(SIGNALS.SIGTSTP) | bit(SIGNALS.SIGTTIN) | bit(SIGNALS.SIGTTOU);
/** SIGKILL and SIGSTOP can be neither blocked, caught nor ignored. */
export const UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);

export function makeInfo(signo: number, code: number, pid: number, uid: number, status = 0): SigInfo {
  return { signo, errno: 0, code, pid, uid, status, utime: 0n, stime: 0n };
}

/** sig_task_ignored: SIG_IGN, or SIG_DFL for a signal whose default is to ignore (incl. SIGCONT). */
function ignoredByHandler(task: Task, sig: number): boolean {
  const action = task.sighand.get(sig);
  if (action.handler === 'SIG_IGN') return true;
  if (action.handler !== 'SIG_DFL') return false;
  const d = defaultAction(sig);
  return d === 'ign' || d === 'cont';
}

/** Whether a signal sent now would be discarded at generation time (sig_ignored). */
function discardedAtSend(core: Core, task: Task, sig: number): boolean {
  if (sig === SIGKILL || sig === SIGSTOP) return false;
  // A blocked signal is kept: the handler may change before it is unblocked.
  if ((task.sigmask & bit(sig)) !== 0n) return false;
  // A traced task keeps even an ignored signal: its tracer is shown it (strace prints
  // `--- SIG… ---`), and get_signal then ignores it.
  if (core.config.traced === true) return false;
  return ignoredByHandler(task, sig);
}

/** sig_fatal: the default action terminates the process and nobody catches it. */
function isFatalDefault(task: Task, sig: number): boolean {
  const action = task.sighand.get(sig);
  if (action.handler !== 'SIG_DFL') return false;
  const d = defaultAction(sig);
  return d === 'term' || d === 'core';
}

function wantsSignal(t: Task, sig: number): boolean {
  if (!t.alive) return false;
  if (sig === SIGKILL) return true;
  if ((t.sigmask & bit(sig)) !== 0n) return false;
  return t.state !== 'stopped';
}

/**
 * Generates a signal for a thread (tkill/tgkill) or a process (kill, SIGCHLD). Returns whether it
 * was queued. Group-fatal signals take effect immediately (complete_signal's fast path); others
 * wake or interrupt a chosen thread, and a ready thread takes the signal at once (it is not
 * running guest code while another task is).
 */
export function sendSignal(core: Core, target: Task, scope: 'thread' | 'process', info: SigInfo, from: number | null): boolean {
  const sig = info.signo;
  const group = target.group;
  const toId = scope === 'thread' ? target.tid : group.tgid;
  if (group.state !== 'live' || group.groupExit !== null || (scope === 'thread' && !target.alive)) {
    core.emit({ type: 'signal-sent', from, to: toId, scope, info, queued: false });
    return false;
  }
  if (sig < SIGRTMIN && core.config.signalTakenBefore !== undefined && (scope === 'thread' ? target.pending : group.shared).has(sig)) {
    takeBeforeMerge(core, target, scope, info, core.config.signalTakenBefore);
    if (group.state !== 'live' || group.groupExit !== null || (scope === 'thread' && !target.alive)) {
      // What was taken ended the group (a default action): nothing is left to receive this one.
      core.emit({ type: 'signal-sent', from, to: toId, scope, info, queued: false });
      return false;
    }
  }
  prepareSignal(core, group, sig);
  if (discardedAtSend(core, target, sig)) {
    core.emit({ type: 'signal-sent', from, to: toId, scope, info, queued: false });
    return false;
  }
  const pending = scope === 'thread' ? target.pending : group.shared;
  if (sig < SIGRTMIN && pending.has(sig)) {
    core.emit({ type: 'signal-sent', from, to: toId, scope, info, queued: false });
    return false;
  }
  pending.add(info);
  core.emit({ type: 'signal-sent', from, to: toId, scope, info, queued: true });
  completeSignal(core, target, scope, info);
  return true;
}

/**
 * Under signalsOnResume a task takes its signals at its resume, the latest point get_signal can
 * run, so a standard signal sent between its return and its resume merges into the pending one.
 * Where Linux ran get_signal earlier (the caller knows: KernelOptions.signalTakenBefore) the task
 * that would take the pending signal takes it now, as resume would, before this one is sent;
 * its next resume then takes nothing.
 */
function takeBeforeMerge(core: Core, target: Task, scope: 'thread' | 'process', info: SigInfo, decide: (tid: number, info: SigInfo) => boolean): void {
  if (core.config.signalsOnResume !== true) return;
  const sig = info.signo;
  const threads = scope === 'thread' ? [target] : target.group.threads;
  for (const t of threads) {
    // Only a task whose get_signal would take this very signal first (not blocked, no lower one ready).
    if (!awaitingResume(core, t) || peekDeliverable(t) !== sig || !decide(t.tid, info)) continue;
    t.signalsTaken = true;
    deliverSignals(core, t, savedReturn(t.lastCall ?? '', t.lastResult), true);
    return;
  }
}

/**
 * A task stopped after a return whose get_signal has not run yet: ready, its blocked call's
 * result taken, not the caller, not resumed early since its last call.
 */
function awaitingResume(core: Core, t: Task): boolean {
  return t.alive && t.state === 'ready' && t.completion === null && core.current !== t && !t.signalsTaken;
}

/** prepare_signal: a stop signal cancels pending SIGCONT; SIGCONT cancels stops and resumes. */
function prepareSignal(core: Core, group: ThreadGroup, sig: number): void {
  if ((bit(sig) & STOP_SIGNALS) !== 0n) {
    group.shared.flush(bit(SIGCONT));
    for (const t of group.threads) t.pending.flush(bit(SIGCONT));
  } else if (sig === SIGCONT) {
    group.shared.flush(STOP_SIGNALS);
    for (const t of group.threads) t.pending.flush(STOP_SIGNALS);
    if (group.stopped) {
      group.stopped = false;
      group.stopReport = null;
      group.continueReport = true;
      for (const t of group.threads) {
        if (t.state !== 'stopped') continue;
        if (t.block) t.state = 'blocked';
        else core.makeReady(t);
      }
      core.emit({ type: 'continued', tgid: group.tgid });
      notifyParentCldstop(core, group, CLD.CONTINUED, SIGCONT);
    }
  }
}

function completeSignal(core: Core, target: Task, scope: 'thread' | 'process', info: SigInfo): void {
  const sig = info.signo;
  const group = target.group;
  let chosen: Task | undefined;
  if (wantsSignal(target, sig)) chosen = target;
  else if (scope === 'process') {
    const threads = group.threads;
    const start = threads.indexOf(target);
    for (let i = 1; i <= threads.length && !chosen; i++) {
      const t = threads[(start + i) % threads.length];
      if (t && wantsSignal(t, sig)) chosen = t;
    }
  }
  if (!chosen) return;
  if (sig === SIGKILL || (isFatalDefault(chosen, sig) && (chosen.sigmask & bit(sig)) === 0n)) {
    // The whole group dies now; the signal is consumed by the exit, and the siginfo it was
    // sent with is what the dying thread takes (strace prints it before `+++ killed by`).
    group.shared.flush(bit(sig));
    for (const t of group.threads) t.pending.flush(bit(sig));
    const core_ = defaultAction(sig) === 'core' && core.config.coreDumps;
    core.emit({ type: 'signal-delivered', tid: chosen.tid, signo: sig, action: core_ ? 'core' : 'terminate', info });
    groupExit(core, group, { kind: 'killed', signo: sig, core: core_ });
    return;
  }
  signalWakeUp(core, chosen);
}

/** Makes a thread notice its pending signals: a ready one takes them now, an interruptible sleeper is interrupted. */
export function signalWakeUp(core: Core, t: Task): void {
  if (t.state === 'ready') {
    if (core.current !== t) deliverSignals(core, t);
  } else if (t.state === 'blocked' && t.block && t.block.sleep === 'interruptible' && core.current !== t && hasDeliverable(t)) {
    interrupt(core, t);
  }
}

export function hasDeliverable(t: Task): boolean {
  return ((t.pending.mask | t.group.shared.mask) & ~t.sigmask) !== 0n;
}

/** The next signal get_signal would take, without taking it. */
function peekDeliverable(t: Task): number | undefined {
  const ready = (t.pending.mask | t.group.shared.mask) & ~t.sigmask;
  if (ready === 0n) return undefined;
  let sig = 1;
  while ((ready & bit(sig)) === 0n) sig++;
  return sig;
}

/** The next signal get_signal would take stops the group by its default action. */
function defaultStopNext(t: Task): boolean {
  const sig = peekDeliverable(t);
  return sig !== undefined && (bit(sig) & STOP_SIGNALS) !== 0n && t.sighand.get(sig).handler === 'SIG_DFL';
}

/**
 * Ends an interruptible wait because a signal arrived. Like Linux, the call re-checks its
 * condition first (a wait4 woken by the very SIGCHLD whose child it reaps returns the pid);
 * otherwise it returns its ERESTART* code, and whether the call restarts depends on the
 * disposition of the signal that will be taken.
 */
export function interrupt(core: Core, t: Task): void {
  const block = t.block;
  if (!block) return;
  const woken = core.retryAs(t);
  const retried = woken ?? block.onInterrupt?.();
  if (t.block !== block) return;
  let result: SyscallResult;
  if (retried !== undefined) result = retried;
  else {
    const sig = peekDeliverable(t);
    const action = sig === undefined ? DEFAULT_ACTION : t.sighand.get(sig);
    const handler = typeof action.handler === 'bigint';
    let restarts: boolean;
    switch (block.restartErrno) {
      case 'ERESTARTSYS':
        restarts = !handler || (action.flags & SA.RESTART) !== 0n;
        break;
      case 'ERESTARTNOHAND':
      case 'ERESTART_RESTARTBLOCK':
        restarts = !handler;
        break;
      case 'ERESTARTNOINTR':
        restarts = true;
        break;
      default: {
        const never: never = block.restartErrno;
        throw new Error(`unknown restart code ${String(never)}`);
      }
    }
    result = { kind: 'error', errno: block.restartErrno, restarts };
  }
  core.finish(t, result, woken !== undefined);
  deliverSignals(core, t, savedReturn(block.call.name, result));
}

/**
 * get_signal at return to user space: takes pending unblocked signals lowest first; ignored ones
 * vanish, the first caught one becomes a handler frame (one per return: the rest wait for its
 * rt_sigreturn), default actions stop, continue or kill.
 */
/** x86_64 numbers of the calls that can be restarted after a handler (regs->ax = orig_ax). */
const SYSCALL_NR: Readonly<Record<string, number>> = {
  read: 0, write: 1, pause: 34, nanosleep: 35, clone: 56, fork: 57, vfork: 58, wait4: 61,
  rt_sigsuspend: 130, futex: 202, clock_nanosleep: 230, waitid: 247, clone3: 435,
};

/**
 * The return register a handler frame saves (arch/x86/kernel/signal.c handle_signal): the call's
 * value or -errno; for a call being restarted, ERESTARTSYS without SA_RESTART and the NOHAND
 * kinds become -EINTR, the rest put the call's number back for the re-executed syscall.
 */
export function savedReturn(call: string, result: SyscallResult | null | undefined): HandlerFrame['interrupted'] {
  if (result === null || result === undefined) return null;
  if (result.kind === 'done') return { call, value: result.value };
  if (result.kind !== 'error') return null;
  if (result.restarts === undefined) return { call, errno: result.errno };
  if (!result.restarts) return { call, errno: 'EINTR' };
  const nr = SYSCALL_NR[call];
  return nr === undefined ? null : { call, value: BigInt(nr) };
}

export function deliverSignals(core: Core, t: Task, returning: HandlerFrame['interrupted'] = null, resumed = false): void {
  // Under a tracer that resumes tasks itself, get_signal waits for the resume (Kernel.resume).
  if (core.config.signalsOnResume === true && !resumed) return;
  // A task woken from a blocked call has not run yet: get_signal happens on its way back to user
  // space, when its result is taken (Kernel.completion). Until then a standard signal sent again
  // finds the first still pending and is dropped (two children exiting before the woken parent
  // runs give it one SIGCHLD). A default stop is still acted on at once: the task stops without
  // running user code, and the parent's WUNTRACED wait must see it.
  if (t.completion !== null && !defaultStopNext(t)) return;
  while (t.alive && t.state !== 'stopped' && t.state !== 'blocked') {
    if (!hasDeliverable(t)) break;
    const info = t.pending.take(t.sigmask) ?? t.group.shared.take(t.sigmask);
    if (!info) break;
    const sig = info.signo;
    const action = t.sighand.get(sig);
    if (action.handler === 'SIG_IGN') {
      core.emit({ type: 'signal-delivered', tid: t.tid, signo: sig, action: 'ignore', info });
      continue;
    }
    if (typeof action.handler === 'bigint') {
      const savedMask = t.suspendRestore ?? t.sigmask;
      t.suspendRestore = null;
      t.frames.push({ signo: sig, handler: action.handler, info, flags: action.flags, savedMask, interrupted: returning });
      let mask = t.sigmask | action.mask;
      if ((action.flags & SA.NODEFER) === 0n) mask |= bit(sig);
      t.sigmask = mask & ~UNBLOCKABLE;
      if ((action.flags & SA.RESETHAND) !== 0n) t.sighand.set(sig, DEFAULT_ACTION);
      core.emit({ type: 'signal-delivered', tid: t.tid, signo: sig, action: 'handler', info });
      break;
    }
    const d = defaultAction(sig);
    switch (d) {
      case 'ign':
        core.emit({ type: 'signal-delivered', tid: t.tid, signo: sig, action: 'ignore', info });
        continue;
      case 'cont':
        core.emit({ type: 'signal-delivered', tid: t.tid, signo: sig, action: 'continue', info });
        continue;
      case 'stop':
        core.emit({ type: 'signal-delivered', tid: t.tid, signo: sig, action: 'stop', info });
        groupStop(core, t.group, sig);
        return;
      case 'term':
      case 'core': {
        const dumped = d === 'core' && core.config.coreDumps;
        core.emit({ type: 'signal-delivered', tid: t.tid, signo: sig, action: dumped ? 'core' : 'terminate', info });
        groupExit(core, t.group, { kind: 'killed', signo: sig, core: dumped });
        return;
      }
      default: {
        const never: never = d;
        throw new Error(`unknown default action ${String(never)}`);
      }
    }
  }
  if (t.suspendRestore !== null && t.state === 'ready') {
    // rt_sigsuspend returned without running a handler: its temporary mask ends now.
    t.sigmask = t.suspendRestore;
    t.suspendRestore = null;
  }
}

/** do_signal_stop: every thread stops; interruptible sleepers are interrupted (their calls restart). */
function groupStop(core: Core, group: ThreadGroup, sig: number): void {
  group.stopped = true;
  group.stopSignal = sig;
  group.stopReport = sig;
  group.continueReport = false;
  for (const t of group.threads) {
    if (!t.alive) continue;
    if (t.state === 'ready') {
      core.unready(t);
      t.state = 'stopped';
    } else if (t.state === 'blocked' && t.block && t.block.sleep === 'interruptible') {
      const block = t.block;
      const woken = core.retryAs(t);
      const retried = woken ?? block.onInterrupt?.();
      if (t.block === block) core.finish(t, retried ?? { kind: 'error', errno: block.restartErrno, restarts: true }, woken !== undefined);
    }
  }
  core.emit({ type: 'stopped', tgid: group.tgid, signo: sig });
  notifyParentCldstop(core, group, CLD.STOPPED, sig);
}

/** do_notify_parent_cldstop: SIGCHLD for a stop or continue unless the parent set SA_NOCLDSTOP. */
function notifyParentCldstop(core: Core, group: ThreadGroup, code: number, status: number): void {
  const parent = group.leader.parent;
  core.dirty = true;
  if (!parent || parent === core.init) return;
  const action = parent.sighand.get(SIGCHLD);
  if (action.handler === 'SIG_IGN' || (action.flags & SA.NOCLDSTOP) !== 0n) return;
  sendSignal(core, parent, 'process', makeInfo(SIGCHLD, code, group.tgid, group.uid, status), group.tgid);
}

export function validSignal(sig: number): boolean {
  return sig === 0 || isValidSignal(sig);
}
