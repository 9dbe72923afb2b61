// Memory system calls wired to memory/AddressSpace: mmap (anonymous or over an open file, whose
// contents are not modelled), munmap, mprotect, brk.
import type { CallOf } from './calls.js';
import type { Core } from './core.js';
import { MAP_ANONYMOUS } from './memory/constants.js';
import { done, error, type SyscallResult } from './outcome.js';
import type { Task } from './task.js';

export function sysMmap(core: Core, t: Task, call: CallOf<'mmap'>): SyscallResult {
  let label = '';
  if ((call.flags & MAP_ANONYMOUS) === 0) {
    const ofd = t.files.get(call.fd);
    if (!ofd) return error('EBADF');
    label = ofd.file.kind === 'other' ? ofd.file.label : `[${ofd.file.kind}]`;
  }
  const r = t.mm.mmap({ addr: call.addr, length: call.length, prot: call.prot, flags: call.flags, offset: call.offset, label });
  return r.ok ? done(r.value) : error(r.errno);
}

export function sysMunmap(core: Core, t: Task, call: CallOf<'munmap'>): SyscallResult {
  const r = t.mm.munmap(call.addr, call.length);
  return r.ok ? done(0) : error(r.errno);
}

export function sysMprotect(core: Core, t: Task, call: CallOf<'mprotect'>): SyscallResult {
  const r = t.mm.mprotect(call.addr, call.length, call.prot);
  return r.ok ? done(0) : error(r.errno);
}

export function sysBrk(core: Core, t: Task, call: CallOf<'brk'>): SyscallResult {
  return done(t.mm.brk(call.addr));
}
