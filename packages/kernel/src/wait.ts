// wait4 and waitid (kernel/exit.c do_wait): argument rules (E10–E13), which children are
// eligible (pid / pgid / all / pidfd; __WCLONE, __WALL, __WNOTHREAD: E27, E28), oldest eligible
// child first, exit / stop / continue reports with their exact status words and siginfo
// (E1, E15–E17, E24), WNOWAIT (E21), WNOHANG (E18), ECHILD (E8, E9), blocking until a child
// changes state (E26), and the unconditional infop write of waitid (E19, E20).
import { CLD, P_ALL, P_PGID, P_PID, P_PIDFD, WAIT, WAIT4_VALID, WAITID_VALID } from './abi.js';
import type { CallOf } from './calls.js';
import type { Core } from './core.js';
import { done, error, type BlockedOn, type SigInfo, type SyscallResult } from './outcome.js';
import { SIGNALS } from './signals.js';
import type { Task, ThreadGroup } from './task.js';
import { encodeStatus, exitSiginfoFields, reap } from './exit.js';
import { writeBytes, writeU32 } from './guest-io.js';
import { pidfdTarget } from './pidfd.js';

const { SIGCHLD, SIGCONT } = SIGNALS;
const INT_MIN = -2147483648;
const RUSAGE_SIZE = 144;

/** Which children a wait looks at. */
type Selector =
  | { readonly kind: 'all' }
  | { readonly kind: 'pid'; readonly pid: number }
  | { readonly kind: 'pgid'; readonly pgid: number | 'own' }
  | { readonly kind: 'group'; readonly group: ThreadGroup };

/** What a wait found. */
type Report =
  | { readonly kind: 'exit'; readonly group: ThreadGroup }
  | { readonly kind: 'stop'; readonly group: ThreadGroup; readonly signo: number }
  | { readonly kind: 'continue'; readonly group: ThreadGroup };

const ZERO_INFO: SigInfo = { signo: 0, errno: 0, code: 0, pid: 0, uid: 0, status: 0, utime: 0n, stime: 0n };

function matches(core: Core, waiter: Task, sel: Selector, child: Task): boolean {
  switch (sel.kind) {
    case 'all':
      return true;
    case 'pid':
      return child.group.tgid === sel.pid;
    case 'pgid':
      return child.group.pgid === (sel.pgid === 'own' ? waiter.group.pgid : sel.pgid);
    case 'group':
      return child.group === sel.group;
    default: {
      const never: never = sel;
      throw new Error(`unknown selector ${String(never)}`);
    }
  }
}

/** eligible_child: __WALL takes every child; otherwise __WCLONE selects exactly the non-SIGCHLD ones. */
function eligible(options: number, child: Task): boolean {
  if ((options & WAIT.__WALL) !== 0) return true;
  const cloneChild = child.exitSignal !== SIGCHLD;
  return cloneChild === ((options & WAIT.__WCLONE) !== 0);
}

/**
 * One pass of do_wait over the children of the caller's thread group (or only the caller with
 * __WNOTHREAD): the first reportable child in creation order, 'none' when no eligible child
 * exists (ECHILD), or 'wait' when eligible children exist but none changed state.
 */
function scan(core: Core, waiter: Task, sel: Selector, options: number): Report | 'none' | 'wait' {
  const threads = (options & WAIT.__WNOTHREAD) !== 0 ? [waiter] : waiter.group.threads;
  let any = false;
  for (const thread of threads) {
    for (const child of thread.children) {
      if (!matches(core, waiter, sel, child) || !eligible(options, child)) continue;
      const g = child.group;
      if (g.state === 'zombie' && g.heldByTracer) {
        // A zombie ptracee is visible only to its tracer until collected: a child still, not reportable.
        any = true;
        continue;
      }
      if (g.state === 'zombie') {
        // A zombie counts only for a wait that takes exits (wait_task_zombie; E14).
        if ((options & WAIT.WEXITED) !== 0) return { kind: 'exit', group: g };
        continue;
      }
      if (g.state !== 'live') continue;
      any = true;
      if ((options & WAIT.WSTOPPED) !== 0 && g.stopReport !== null) return { kind: 'stop', group: g, signo: g.stopReport };
      if ((options & WAIT.WCONTINUED) !== 0 && g.continueReport) return { kind: 'continue', group: g };
    }
  }
  return any ? 'wait' : 'none';
}

/** Consumes a report (unless WNOWAIT) and describes it as a status word and a siginfo. */
function take(core: Core, waiter: Task, report: Report, options: number): { pid: number; status: number; info: SigInfo } {
  const g = report.group;
  const consume = (options & WAIT.WNOWAIT) === 0;
  const base = { signo: SIGCHLD, errno: 0, pid: g.tgid, uid: g.uid, utime: 0n, stime: 0n };
  switch (report.kind) {
    case 'exit': {
      const how = g.exitHow ?? { kind: 'exited', code: 0 };
      const { code, status } = exitSiginfoFields(how);
      if (consume) reap(core, g, waiter);
      return { pid: g.tgid, status: encodeStatus(how), info: { ...base, code, status } };
    }
    case 'stop':
      if (consume) g.stopReport = null;
      return { pid: g.tgid, status: (report.signo << 8) | 0x7f, info: { ...base, code: CLD.STOPPED, status: report.signo } };
    case 'continue':
      if (consume) g.continueReport = false;
      return { pid: g.tgid, status: 0xffff, info: { ...base, code: CLD.CONTINUED, status: SIGCONT } };
    default: {
      const never: never = report;
      throw new Error(`unknown report ${String(never)}`);
    }
  }
}

/** True when a blocked wait of these parameters could return now (used by checkInvariants). */
export function waitWouldProceed(core: Core, waiter: Task, idtype: number, id: number, options: number): boolean {
  const sel = selectorFor(core, waiter, idtype, id);
  if (sel === undefined) return true;
  return scan(core, waiter, sel, options) !== 'wait';
}

function selectorFor(core: Core, waiter: Task, idtype: number, id: number): Selector | undefined {
  switch (idtype) {
    case P_ALL:
      return { kind: 'all' };
    case P_PID:
      return { kind: 'pid', pid: id };
    case P_PGID:
      return { kind: 'pgid', pgid: id === 0 ? 'own' : id };
    case P_PIDFD: {
      const g = pidfdTarget(core, waiter, id);
      return g.ok ? { kind: 'group', group: g.value } : undefined;
    }
    default:
      return undefined;
  }
}

export function sysWait4(core: Core, t: Task, call: CallOf<'wait4'>): SyscallResult {
  const options = call.options | 0;
  if ((options & ~WAIT4_VALID) !== 0) return error('EINVAL');
  if (call.pid === INT_MIN) return error('ESRCH');
  let idtype: number;
  let id: number;
  if (call.pid === -1) [idtype, id] = [P_ALL, 0];
  else if (call.pid < 0) [idtype, id] = [P_PGID, -call.pid];
  else if (call.pid === 0) [idtype, id] = [P_PGID, 0];
  else [idtype, id] = [P_PID, call.pid];
  const opts = options | WAIT.WEXITED;
  const sel = selectorFor(core, t, idtype, id) ?? { kind: 'all' };
  const attempt = (): SyscallResult | undefined => {
    const r = scan(core, t, sel, opts);
    if (r === 'none') return error('ECHILD');
    if (r === 'wait') return (opts & WAIT.WNOHANG) !== 0 ? done(0) : undefined;
    const got = take(core, t, r, opts);
    // The child is reaped even when the status pointer is bad (E38).
    if (call.status !== 0n && writeU32(core, t, call.status, got.status) !== undefined) return error('EFAULT');
    // struct rusage: CPU times are not modelled, so it is written as zeros (E37).
    if (call.rusage !== 0n && writeBytes(core, t, call.rusage, new Uint8Array(RUSAGE_SIZE)) !== undefined) return error('EFAULT');
    return done(got.pid, { status: got.status });
  };
  const first = attempt();
  if (first !== undefined) return first;
  return blockWait(core, t, call, { kind: 'child', idtype, id, options: opts }, () => scan(core, t, sel, opts), attempt);
}

/**
 * Puts a wait to sleep until some child is reportable (or none is left). The report is taken
 * when the waiter runs: do_wait scans the children in its own context after the wake-up, so if
 * two children exit before a woken parent runs, it reaps the older one (the first in its
 * children list), whichever woke it (E26).
 */
function blockWait(
  core: Core,
  t: Task,
  call: CallOf<'wait4'> | CallOf<'waitid'>,
  on: Extract<BlockedOn, { kind: 'child' }>,
  probe: () => Report | 'none' | 'wait',
  attempt: () => SyscallResult | undefined,
): SyscallResult {
  // The wake-up's own result is a placeholder: resolveOnRun replaces it when the task runs.
  const state = core.block(t, call, on, 'interruptible', 'ERESTARTSYS', () => (probe() === 'wait' ? undefined : WOKEN));
  if (t.block) t.block.resolveOnRun = attempt;
  return state;
}

const WOKEN: SyscallResult = { kind: 'done', value: 0n };

export function sysWaitid(core: Core, t: Task, call: CallOf<'waitid'>): SyscallResult {
  const options = call.options | 0;
  // The kernel writes infop even on failure (E19).
  const finish = (r: { errno?: 'EINVAL' | 'ECHILD' | 'EBADF'; info: SigInfo }): SyscallResult => {
    if (call.infop !== 0n && writeBytes(core, t, call.infop, encodeSiginfo(r.info)) !== undefined) return error('EFAULT');
    if (r.errno) return error(r.errno, { siginfo: r.info });
    // Returns 0, not the pid, even with a NULL infop (E20).
    return done(0, { siginfo: r.info });
  };
  if ((options & ~WAITID_VALID) !== 0) return finish({ errno: 'EINVAL', info: ZERO_INFO });
  if ((options & (WAIT.WEXITED | WAIT.WSTOPPED | WAIT.WCONTINUED)) === 0) return finish({ errno: 'EINVAL', info: ZERO_INFO });
  let sel: Selector;
  let opts = options;
  switch (call.idtype) {
    case P_ALL:
      sel = { kind: 'all' };
      break;
    case P_PID:
      if (call.id <= 0) return finish({ errno: 'EINVAL', info: ZERO_INFO });
      sel = { kind: 'pid', pid: call.id };
      break;
    case P_PGID:
      if (call.id < 0) return finish({ errno: 'EINVAL', info: ZERO_INFO });
      sel = { kind: 'pgid', pgid: call.id === 0 ? t.group.pgid : call.id };
      break;
    case P_PIDFD: {
      if (call.id < 0) return finish({ errno: 'EINVAL', info: ZERO_INFO });
      const g = pidfdTarget(core, t, call.id);
      if (!g.ok) return finish({ errno: 'EBADF', info: ZERO_INFO });
      sel = { kind: 'group', group: g.value };
      const ofd = t.files.get(call.id);
      if (ofd?.nonblocking) opts |= WAIT.WNOHANG;
      break;
    }
    default:
      return finish({ errno: 'EINVAL', info: ZERO_INFO });
  }
  const attempt = (): SyscallResult | undefined => {
    const r = scan(core, t, sel, opts);
    if (r === 'none') return finish({ errno: 'ECHILD', info: ZERO_INFO });
    if (r === 'wait') return (opts & WAIT.WNOHANG) !== 0 ? finish({ info: ZERO_INFO }) : undefined;
    return finish({ info: take(core, t, r, opts).info });
  };
  const first = attempt();
  if (first !== undefined) return first;
  return blockWait(core, t, call, { kind: 'child', idtype: call.idtype, id: call.id, options: opts }, () => scan(core, t, sel, opts), attempt);
}

/** The fields of siginfo_t waitid writes, at their x86_64 offsets (128 bytes in all). */
export function encodeSiginfo(info: SigInfo): Uint8Array {
  const bytes = new Uint8Array(128);
  const v = new DataView(bytes.buffer);
  v.setInt32(0, info.signo, true);
  v.setInt32(4, info.errno, true);
  v.setInt32(8, info.code, true);
  v.setInt32(16, info.pid, true);
  v.setUint32(20, info.uid, true);
  v.setInt32(24, info.status, true);
  v.setBigInt64(32, info.utime, true);
  v.setBigInt64(40, info.stime, true);
  return bytes;
}
