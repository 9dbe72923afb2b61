// Credential reads (kernel/sys.c). The model has one uid and one gid per process, real =
// effective = saved (no set*id calls, no set-user-ID exec: D26), inherited by fork and kept by exec.
import type { CallOf } from './calls.js';
import type { Core } from './core.js';
import { done, error, type SyscallResult } from './outcome.js';
import type { Task } from './task.js';
import { writeU32 } from './guest-io.js';

/** getresuid/getresgid: three put_user()s in order; the first fault is EFAULT (earlier writes stay). */
export function sysGetres(core: Core, t: Task, call: CallOf<'getresuid'> | CallOf<'getresgid'>): SyscallResult {
  const id = call.name === 'getresuid' ? t.group.uid : t.group.gid;
  const addrs = call.name === 'getresuid' ? [call.ruid, call.euid, call.suid] : [call.rgid, call.egid, call.sgid];
  for (const addr of addrs) if (writeU32(core, t, addr, id) !== undefined) return error('EFAULT');
  return done(0, { ids: [id, id, id] });
}
