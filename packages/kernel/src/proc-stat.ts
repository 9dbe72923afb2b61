// /proc/<pid>/stat, /proc/self/stat, /proc/thread-self/stat and /proc/<pid>/task/<tid>/stat,
// synthesized from the task table as fs/proc/array.c do_task_stat prints them: 52 fields on one
// line, "pid (comm) state" and then decimal numbers separated by single spaces, ending in "\n".
//
// Fields the kernel models carry their values: pid (1), comm (2), state (3), ppid (4), pgrp (5),
// session (6), num_threads (20), rsslim (25: RLIMIT_RSS), pending/blocked/ignored/caught signals
// (31–34, the first 31 signals only, as Linux prints them), wchan (35: 0 running, 1 otherwise — Linux
// prints no address there any more), exit_signal (38) and exit_code (52, a zombie's wait status).
// The fixed values of a task that never changed them are printed as Linux does: tty_nr 0 and
// tpgid -1 (no controlling terminal is modelled), priority 20, nice 0, rt_priority 0, policy 0
// (SCHED_OTHER). Documented limit: everything the model does not keep is 0 — flags, fault counts,
// CPU times, starttime, vsize, rss, code/stack/data/arg/env addresses, processor, delay and guest
// times. So the line has Linux's shape and its identity fields, not its accounting.
//
// API: resolveProcStat(core, caller, names) → what openat does with a canonical path (its components);
//      renderProcStat(core, tid) → the line, or null once the task is gone (read gives ESRCH).
import type { Core } from './core.js';
import type { ErrnoName } from './errno.js';
import { RLIMIT, RLIM_INFINITY } from './rlimits.js';
import { bit, type Task } from './task.js';

/** What a /proc path means to the model. */
export type ProcPath =
  /** A stat file of this task. */
  | { readonly kind: 'stat'; readonly tid: number }
  /** Names a task that does not exist (proc_pid_lookup fails). */
  | { readonly kind: 'error'; readonly errno: ErrnoName }
  /** Outside what the model synthesizes: the caller treats it as before (opaque). */
  | { readonly kind: 'other' };

const OTHER: ProcPath = { kind: 'other' };

/** Decimal digits only, no sign or leading zero (proc_pid_lookup's name_to_int rejects them). */
function pidOf(name: string | undefined): number | null {
  if (name === undefined || name.length === 0 || name.length > 10 || name[0] === '0') return null;
  let n = 0;
  for (const c of name) {
    if (c < '0' || c > '9') return null;
    n = n * 10 + (c.charCodeAt(0) - 48);
  }
  return n;
}

/** A task /proc can still show: alive, or a zombie leader not yet reaped (release_task unhashes the rest). */
function visible(core: Core, tid: number): Task | null {
  const t = core.tasks.get(tid);
  if (t === undefined || t === core.init) return null;
  if (t.alive) return t;
  return t.isLeader && t.group.state === 'zombie' ? t : null;
}

/** `path` is canonical and absolute, and `names` its components (names[0] === 'proc'). */
export function resolveProcStat(core: Core, caller: Task, names: readonly string[]): ProcPath {
  if (names[0] !== 'proc' || names.length < 2) return OTHER;
  let rest: readonly string[];
  let group: number;
  if (names[1] === 'thread-self') {
    // /proc/thread-self is a symlink to <tgid>/task/<tid>.
    group = caller.group.tgid;
    rest = ['task', String(caller.tid), ...names.slice(2)];
  } else {
    const pid = names[1] === 'self' ? caller.group.tgid : pidOf(names[1]);
    if (pid === null) return OTHER;
    group = pid;
    rest = names.slice(2);
  }
  const top = visible(core, group);
  if (top === null) return { kind: 'error', errno: 'ENOENT' };
  if (rest.length === 1 && rest[0] === 'stat') return { kind: 'stat', tid: top.tid };
  if (rest[0] === 'task' && rest.length >= 2) {
    const tid = pidOf(rest[1]);
    if (tid === null) return rest[1] === undefined ? OTHER : { kind: 'error', errno: 'ENOENT' };
    const thread = visible(core, tid);
    if (thread === null || thread.group !== top.group) return { kind: 'error', errno: 'ENOENT' };
    if (rest.length === 3 && rest[2] === 'stat') return { kind: 'stat', tid };
  }
  return OTHER;
}

/** fs/proc/array.c task_state_array: the letter for this task now. */
function stateLetter(t: Task): string {
  switch (t.state) {
    case 'ready':
      return 'R';
    case 'blocked':
      // TASK_KILLABLE includes TASK_UNINTERRUPTIBLE, which /proc shows as D.
      return t.block?.sleep === 'killable' ? 'D' : 'S';
    case 'stopped':
      return 'T';
    case 'dead':
      return 'Z';
    default: {
      const never: never = t.state;
      throw new Error(`unknown task state ${String(never)}`);
    }
  }
}

/** The first 31 signals of a set, as do_task_stat masks them (& 0x7fffffff). */
const low31 = (set: bigint): bigint => set & 0x7fffffffn;

/** The stat line of `tid`, or null when the task is gone (proc_single_show's get_pid_task fails: ESRCH). */
export function renderProcStat(core: Core, tid: number): string | null {
  const t = visible(core, tid);
  if (t === null) return null;
  const g = t.group;
  let ignored = 0n;
  let caught = 0n;
  for (let sig = 1; sig <= 64; sig++) {
    const h = t.sighand.get(sig).handler;
    if (h === 'SIG_IGN') ignored |= bit(sig);
    else if (typeof h === 'bigint') caught |= bit(sig);
  }
  const zombie = t.state === 'dead';
  const rss = g.rlimits[RLIMIT.RSS]?.cur ?? RLIM_INFINITY;
  const fields: (number | bigint)[] = [
    t.parent ? t.parent.group.tgid : 0, // 4 ppid
    g.pgid, // 5 pgrp
    g.sid, // 6 session
    0, // 7 tty_nr
    -1, // 8 tpgid
    0, // 9 flags
    0, 0, 0, 0, // 10–13 minflt cminflt majflt cmajflt
    0, 0, 0, 0, // 14–17 utime stime cutime cstime
    20, // 18 priority (prio - MAX_RT_PRIO for nice 0)
    0, // 19 nice
    // 20 num_threads: a zombie still counts its leader (signal->nr_threads drops at release).
    zombie ? 1 : g.liveThreads.length,
    0, // 21 itrealvalue (always 0 since 2.6.17)
    0, // 22 starttime
    0, // 23 vsize
    0, // 24 rss
    rss, // 25 rsslim
    0, 0, 0, 0, 0, // 26–30 startcode endcode startstack kstkesp kstkeip
    low31(t.pending.mask), // 31 signal
    low31(t.sigmask), // 32 blocked
    low31(ignored), // 33 sigignore
    low31(caught), // 34 sigcatch
    t.state === 'ready' ? 0 : 1, // 35 wchan: only whether the task is off the CPU (asleep, stopped, dead)
    0, 0, // 36–37 nswap cnswap
    t.exitSignal, // 38 exit_signal
    0, // 39 processor
    0, // 40 rt_priority
    0, // 41 policy
    0, 0, 0, // 42–44 delayacct_blkio_ticks guest_time cguest_time
    0, 0, 0, 0, 0, 0, 0, // 45–51 start_data end_data start_brk arg_start arg_end env_start env_end
    zombie ? g.status : 0, // 52 exit_code
  ];
  return `${t.tid} (${t.comm}) ${stateLetter(t)} ${fields.join(' ')}\n`;
}
