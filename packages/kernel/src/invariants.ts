// checkInvariants: the consistency of the whole state, as sentences (empty = consistent). Tests
// call it after every step: tables agree with each other, reference counts match their users,
// parents and children point at each other, zombies are really dead, and no task sleeps on a
// condition that already holds or can never fire.
import type { Core } from './core.js';
import type { AddressSpace } from './memory/address-space.js';
import type { FdTable } from './files/fd-table.js';
import type { OpenFileDescription } from './files/open-file.js';
import type { FsContext, SigHand, Task } from './task.js';
import { waitWouldProceed } from './wait.js';

export function checkInvariants(core: Core): string[] {
  const problems: string[] = [];
  const bad = (s: string): void => {
    problems.push(s);
  };
  const mms = new Map<AddressSpace, number>();
  const tables = new Map<FdTable, number>();
  const fss = new Map<FsContext, number>();
  const sighands = new Map<SigHand, number>();
  const count = <K>(m: Map<K, number>, k: K): void => {
    m.set(k, (m.get(k) ?? 0) + 1);
  };

  for (const [tid, t] of core.tasks) {
    if (t.tid !== tid) bad(`task table key ${tid} holds task ${t.tid}`);
    if (!t.group.threads.includes(t)) bad(`task ${tid} is not in its thread group ${t.group.tgid}`);
    if (t.alive) {
      count(mms, t.mm);
      count(tables, t.files);
      count(fss, t.fs);
      count(sighands, t.sighand);
    }
    if (t === core.init) continue;
    const inQueue = core.ready.filter((r) => r === t).length;
    if (t.state === 'ready' && inQueue !== 1) bad(`ready task ${tid} is in the ready queue ${inQueue} times`);
    if (t.state !== 'ready' && inQueue !== 0) bad(`task ${tid} is ${t.state} but in the ready queue`);
    if ((t.state === 'blocked') !== (t.block !== null) && !(t.state === 'stopped' && t.block)) {
      bad(`task ${tid} is ${t.state} with ${t.block ? 'a' : 'no'} blocked call`);
    }
    if (t.state === 'stopped' && !t.group.stopped) bad(`task ${tid} is stopped but its group is not`);
    if (t.alive && t.group.state !== 'live') bad(`live task ${tid} in a ${t.group.state} group`);
    if (t.state === 'blocked' && t.block) checkSleep(core, t, bad);
    if (t.vforkParent && t.vforkParent.alive) {
      const on = t.vforkParent.block?.on;
      if (!(on?.kind === 'vfork' && on.child === t.tid)) bad(`vfork child ${tid}'s parent ${t.vforkParent.tid} is not waiting for it`);
    }
  }
  for (const t of core.ready) if (!core.tasks.has(t.tid) || core.tasks.get(t.tid) !== t) bad(`ready queue holds unknown task ${t.tid}`);

  // Every open file's reference count is its descriptors plus the sleepers holding it.
  const refs = new Map<OpenFileDescription, number>();
  for (const ft of tables.keys()) for (const [, e] of ft.entries()) count(refs, e.ofd);
  for (const t of core.tasks.values()) if (t.block?.holds) count(refs, t.block.holds);
  for (const [ofd, n] of refs) if (ofd.refs !== n) bad(`open file ${ofd.id} has ${ofd.refs} references but ${n} holders`);
  for (const [mm, n] of mms) if (mm.users !== n) bad(`address space ${mm.id} has users=${mm.users} but ${n} live tasks use it`);
  for (const [ft, n] of tables) if (ft.users !== n) bad(`a descriptor table has users=${ft.users} but ${n} live tasks use it`);
  for (const [fs, n] of fss) if (fs.refs !== n) bad(`an fs context has refs=${fs.refs} but ${n} live tasks use it`);
  for (const [sh, n] of sighands) if (sh.refs !== n) bad(`a handler table has refs=${sh.refs} but ${n} live tasks use it`);

  for (const [tgid, g] of core.groups) {
    if (g.tgid !== tgid) bad(`process table key ${tgid} holds process ${g.tgid}`);
    if (g.state === 'reaped') bad(`reaped process ${tgid} is still in the process table`);
    if (g.leader.tid !== tgid) bad(`process ${tgid}'s leader has tid ${g.leader.tid}`);
    const live = g.threads.filter((t) => t.alive).length;
    if (g.state === 'live' && live === 0) bad(`process ${tgid} is live with no live thread`);
    if (g.state === 'zombie' && live > 0) bad(`zombie ${tgid} has ${live} live threads`);
    if (g.state === 'zombie' && !g.heldByTracer && g.leader.parent === core.init) bad(`zombie ${tgid} is a child of init, which reaps at once`);
    if (g.leader === core.init) continue;
    const parent = g.leader.parent;
    if (!parent) bad(`process ${tgid} has no parent`);
    else {
      if (!parent.alive && parent !== core.init) bad(`process ${tgid}'s parent thread ${parent.tid} is dead`);
      const n = parent.children.filter((c) => c === g.leader).length;
      if (n !== 1) bad(`process ${tgid} appears ${n} times among its parent ${parent.tid}'s children`);
    }
  }
  for (const t of core.tasks.values()) {
    for (const c of t.children) {
      if (c.parent !== t) bad(`task ${t.tid} lists child ${c.tid} whose parent is ${c.parent?.tid}`);
      if (!c.isLeader) bad(`task ${t.tid} lists thread ${c.tid} as a child`);
    }
  }
  return problems;
}

/** A sleeper must be waiting for something that has not happened yet and still can. */
function checkSleep(core: Core, t: Task, bad: (s: string) => void): void {
  const on = t.block?.on;
  if (!on) return;
  switch (on.kind) {
    case 'vfork': {
      const child = core.tasks.get(on.child);
      if (!child || !child.alive) bad(`task ${t.tid} waits in vfork for ${on.child}, which is gone`);
      else if (child.vforkParent !== t) bad(`task ${t.tid} waits in vfork for ${on.child}, which already released it`);
      break;
    }
    case 'child':
      if (waitWouldProceed(core, t, on.idtype, on.id, on.options)) bad(`task ${t.tid} waits for a child although its wait can return now`);
      break;
    case 'pipe-read':
    case 'pipe-write':
      // Data, room, EOF or EPIPE: each ends the wait, so none may hold while it sleeps.
      if (t.block?.ready?.()) bad(`task ${t.tid} sleeps in ${on.kind} although the pipe is ready`);
      break;
    case 'sleep':
      if (on.until <= core.now) bad(`task ${t.tid} sleeps until ${on.until} but the clock is ${core.now}`);
      break;
    case 'futex':
      if (on.until !== null && on.until <= core.now) bad(`task ${t.tid}'s futex wait timed out at ${on.until} but it still sleeps`);
      break;
    case 'signal':
      break;
    default: {
      const never: never = on;
      throw new Error(`unknown sleep ${String(never)}`);
    }
  }
}
