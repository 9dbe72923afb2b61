// pidfds (CLONE_PIDFD, pidfd_open, waitid P_PIDFD, pidfd_send_signal): an open file that
// refers to a process. The description remembers the process object itself, so a reaped
// process is told apart from a later process that reuses its pid (C18).
import { fail, ok, type Errno } from './errno.js';
import { O_NONBLOCK, O_RDWR } from './files/constants.js';
import { OpenFileDescription } from './files/open-file.js';
import type { CallOf } from './calls.js';
import type { Core } from './core.js';
import { done, error, type SyscallResult } from './outcome.js';
import type { Task, ThreadGroup } from './task.js';
import { makeInfo, sendSignal, validSignal } from './signal-delivery.js';
import { SI_USER } from './abi.js';

const targets = new WeakMap<OpenFileDescription, ThreadGroup>();

/** Installs a pidfd for `group` in `t`'s table (lowest free fd; FD_CLOEXEC, O_RDWR: C18). */
export function createPidfd(t: Task, group: ThreadGroup, flags = 0): Errno<number> {
  const ofd = new OpenFileDescription({ kind: 'pidfd', pid: group.tgid }, O_RDWR | (flags & O_NONBLOCK));
  targets.set(ofd, group);
  return t.files.install(ofd, { cloexec: true });
}

/** The process a pidfd refers to: EBADF for a closed fd or one that is not a pidfd. */
export function pidfdTarget(core: Core, t: Task, fd: number): Errno<ThreadGroup> {
  const ofd = t.files.get(fd);
  if (!ofd || ofd.file.kind !== 'pidfd') return fail('EBADF');
  const g = targets.get(ofd) ?? core.groups.get(ofd.file.pid);
  return g ? ok(g) : fail('ESRCH');
}

export function sysPidfdOpen(core: Core, t: Task, call: CallOf<'pidfd_open'>): SyscallResult {
  if ((call.flags & ~O_NONBLOCK) !== 0 || call.pid <= 0) return error('EINVAL');
  const g = core.groups.get(call.pid);
  if (!g || g.state === 'reaped') return error('ESRCH');
  const fd = createPidfd(t, g, call.flags);
  return fd.ok ? done(fd.value) : error(fd.errno);
}

export function sysPidfdSendSignal(core: Core, t: Task, call: CallOf<'pidfd_send_signal'>): SyscallResult {
  if (call.flags !== 0) return error('EINVAL');
  const g = pidfdTarget(core, t, call.pidfd);
  if (!g.ok) return error(g.errno);
  if (!validSignal(call.sig)) return error('EINVAL');
  // A zombie still accepts signal 0 and real signals (they are discarded); a reaped one is gone.
  if (g.value.state === 'reaped') return error('ESRCH');
  if (call.sig === 0) return done(0);
  sendSignal(core, g.value.leader, 'process', makeInfo(call.sig, SI_USER, t.group.tgid, t.group.uid), t.tid);
  return done(0);
}

