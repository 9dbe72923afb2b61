// Exit (kernel/exit.c): do_exit for one thread, do_group_exit, the process becoming a zombie
// when its last thread is gone (delay_group_leader), do_notify_parent with its SIGCHLD /
// exit_signal and auto-reap rules, forget_original_parent (reparenting to a live sibling
// thread, a subreaper or init, PR_SET_PDEATHSIG), mm_release (CLONE_CHILD_CLEARTID futex wake,
// then the vfork parent's release), and reaping.
import { SIGNALS, isValidSignal } from './signals.js';
import { CLD, SA, SI_USER } from './abi.js';
import type { Core } from './core.js';
import type { ExitHow } from './events.js';
import type { AddressSpace } from './memory/address-space.js';
import type { Task, ThreadGroup } from './task.js';
import { makeInfo, sendSignal } from './signal-delivery.js';
import { futexWake } from './futex.js';

const { SIGCHLD } = SIGNALS;

/** The wait status word: `(code & 0xff) << 8`, or the signal with 0x80 for a core dump (E1). */
export function encodeStatus(how: ExitHow): number {
  return how.kind === 'exited' ? (how.code & 0xff) << 8 : how.signo | (how.core ? 0x80 : 0);
}

/** The SIGCHLD/waitid view of an exit: si_code and si_status (E15, E16, E33). */
export function exitSiginfoFields(how: ExitHow): { code: number; status: number } {
  if (how.kind === 'exited') return { code: CLD.EXITED, status: how.code & 0xff };
  return { code: how.core ? CLD.DUMPED : CLD.KILLED, status: how.signo };
}

/**
 * mm_release: when a task stops using an address space (exit, or exec replacing it). The
 * CLONE_CHILD_CLEARTID word is zeroed and woken only while another task still uses the space
 * (C11), and that happens before the vfork parent is released (A17).
 */
export function mmRelease(core: Core, t: Task, mm: AddressSpace, cause: 'exec' | 'exit'): void {
  if (t.clearChildTid !== 0n) {
    const addr = t.clearChildTid;
    t.clearChildTid = 0n;
    if (mm.users > 1) {
      // A fault here is ignored, as put_user's result is in Linux.
      if (core.config.memory === 'model') mm.writeU32(addr, 0);
      futexWake(core, mm, addr, 1);
    }
  }
  releaseVforkParent(core, t, cause);
}

/** complete_vfork_done: one-shot; a parent that already died has nothing to release. */
export function releaseVforkParent(core: Core, child: Task, cause: 'exec' | 'exit'): void {
  const parent = child.vforkParent;
  if (!parent) return;
  child.vforkParent = null;
  if (parent.alive) core.emit({ type: 'vfork-released', parent: parent.tid, child: child.tid, cause });
  core.dirty = true;
}

/** do_group_exit: every thread of the group ends with `how`; `initiator` (if any) goes last. */
export function groupExit(core: Core, group: ThreadGroup, how: ExitHow, initiator?: Task): void {
  if (group.groupExit !== null) {
    if (initiator) exitTask(core, initiator, group.groupExit);
    return;
  }
  group.groupExit = how;
  for (const t of group.threads) if (t.alive) t.exiting = true;
  for (const t of [...group.threads]) if (t.alive && t !== initiator) exitTask(core, t, how);
  if (initiator) exitTask(core, initiator, how);
}

/** do_exit for one thread. */
export function exitTask(core: Core, t: Task, how: ExitHow): void {
  if (!t.alive) return;
  const group = t.group;
  t.exiting = true;
  const block = t.block;
  t.block = null;
  block?.onEnd?.();
  t.completion = null;
  t.completionCall = null;
  t.frames.length = 0;
  core.unready(t);
  t.state = 'dead';
  t.exitHow = how;
  core.emit({ type: 'task-exit', tid: t.tid, tgid: group.tgid, how, group: group.groupExit !== null });
  const lastThread = !group.threads.some((th) => th.alive);
  // synchronize_group_exit: without a group exit, the last thread's code is the process's.
  if (lastThread && group.groupExit === null) group.exitHow = how;

  mmRelease(core, t, t.mm, 'exit');
  t.mm.users--;
  t.files.users--;
  if (t.files.users === 0) t.files.closeAll();
  t.fs.refs--;
  t.sighand.refs--;

  forgetOriginalParent(core, t);
  if (!t.isLeader) {
    // A non-leader thread is released at once (it is never waited for).
    core.tasks.delete(t.tid);
    const i = group.threads.indexOf(t);
    if (i >= 0) group.threads.splice(i, 1);
  }
  if (lastThread) processDied(core, group);
  core.dirty = true;
}

/** The last thread is gone: the process is a zombie until its parent reaps it (or auto-reaped). */
function processDied(core: Core, group: ThreadGroup): void {
  const how = group.groupExit ?? group.exitHow ?? { kind: 'exited', code: 0 };
  group.exitHow = how;
  group.status = encodeStatus(how);
  group.state = 'zombie';
  group.stopped = false;
  const leader = group.leader;
  const autoReap = willAutoReap(core, leader, leader.exitSignal);
  core.emit({ type: 'process-exit', tgid: group.tgid, status: group.status, how, autoReaped: autoReap });
  if (core.config.traced === true) {
    // The tracer is told first; the parent hears of it when the tracer collects (Kernel.tracerCollect).
    group.heldByTracer = true;
    core.dirty = true;
    return;
  }
  if (notifyParent(core, leader, leader.exitSignal)) reap(core, group, null);
}

function willAutoReap(core: Core, leader: Task, sig: number): boolean {
  const parent = leader.parent;
  if (!parent || parent === core.init) return true;
  const psig = parent.sighand.get(SIGCHLD);
  return sig === SIGCHLD && (psig.handler === 'SIG_IGN' || (psig.flags & SA.NOCLDWAIT) !== 0n);
}

/**
 * do_notify_parent: sends the exit signal with the child's siginfo and wakes the parent's
 * waiters. Returns true when the child must be reaped at once: SIGCHLD ignored or SA_NOCLDWAIT
 * (E30, E31; only for exit_signal SIGCHLD, E32), or the parent is init (E35).
 */
export function notifyParent(core: Core, leader: Task, exitSignal: number): boolean {
  const group = leader.group;
  const parent = leader.parent;
  core.dirty = true;
  if (!parent || parent === core.init) return true;
  let sig = exitSignal;
  let autoReap = false;
  const psig = parent.sighand.get(SIGCHLD);
  if (sig === SIGCHLD && (psig.handler === 'SIG_IGN' || (psig.flags & SA.NOCLDWAIT) !== 0n)) {
    autoReap = true;
    if (psig.handler === 'SIG_IGN') sig = 0;
  }
  if (sig > 0 && isValidSignal(sig)) {
    const { code, status } = exitSiginfoFields(group.exitHow ?? { kind: 'exited', code: 0 });
    sendSignal(core, parent, 'process', makeInfo(sig, code, group.tgid, group.uid, status), group.tgid);
  }
  return autoReap;
}

/** release_task for a zombie process: its pid is free again. */
export function reap(core: Core, group: ThreadGroup, by: Task | null): void {
  group.state = 'reaped';
  const leader = group.leader;
  const parent = leader.parent;
  if (parent) {
    const i = parent.children.indexOf(leader);
    if (i >= 0) parent.children.splice(i, 1);
  }
  for (const t of group.threads) if (core.tasks.get(t.tid) === t) core.tasks.delete(t.tid);
  core.groups.delete(group.tgid);
  core.emit({ type: 'reaped', tgid: group.tgid, by: by ? by.tid : leader.parent === core.init ? core.init.tid : null });
  core.dirty = true;
}

/** find_new_reaper: a live sibling thread, else the nearest subreaper ancestor, else init. */
function findNewReaper(core: Core, father: Task): Task {
  const sibling = father.group.threads.find((t) => t !== father && t.alive && !t.exiting);
  if (sibling) return sibling;
  for (let p = father.group.leader.parent; p && p !== core.init; p = p.group.leader.parent) {
    if (!p.group.subreaper) continue;
    const thread = p.group.threads.find((t) => t.alive && !t.exiting);
    if (thread) return thread;
  }
  return core.init;
}

/** forget_original_parent: the exiting thread's children move to a new reaper. */
function forgetOriginalParent(core: Core, father: Task): void {
  if (father.children.length === 0) return;
  const reaper = findNewReaper(core, father);
  const kids = father.children.splice(0);
  for (const child of kids) {
    for (const t of child.group.threads) {
      t.parent = reaper;
      if (t.alive && t.pdeathSig !== 0) {
        sendSignal(core, t, 'process', makeInfo(t.pdeathSig, SI_USER, father.group.tgid, father.group.uid), father.tid);
      }
    }
    reaper.children.push(child);
    core.emit({ type: 'reparented', tgid: child.group.tgid, from: father.tid, to: reaper.tid });
    if (reaper.group !== father.group) {
      // reparent_leader: a new parent process only understands SIGCHLD (E34).
      child.exitSignal = SIGCHLD;
      if (child.group.state === 'zombie' && !child.group.heldByTracer && notifyParent(core, child, SIGCHLD)) reap(core, child.group, null);
    }
  }
}
