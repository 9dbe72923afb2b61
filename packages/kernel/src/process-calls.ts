// Identity and process-attribute calls: getpid/gettid/getppid, process groups and sessions
// (setpgid's rules incl. EACCES after exec, D24), set_tid_address, prctl (PDEATHSIG,
// CHILD_SUBREAPER, NAME), umask, chdir/fchdir/getcwd against the filesystem model.
import { PR } from './abi.js';
import type { CallOf } from './calls.js';
import type { Core } from './core.js';
import { done, error, type SyscallResult } from './outcome.js';
import { isValidSignal } from './signals.js';
import type { Task, ThreadGroup } from './task.js';
import { readCString, readPath, writeBytes, writeU32 } from './guest-io.js';

function findGroup(core: Core, t: Task, pid: number): ThreadGroup | undefined {
  if (pid === 0) return t.group;
  const task = core.tasks.get(pid);
  const g = task?.group;
  return g && g.state !== 'reaped' && task !== core.init ? g : undefined;
}

export function sysGetpgid(core: Core, t: Task, call: CallOf<'getpgid'>): SyscallResult {
  const g = findGroup(core, t, call.pid);
  return g ? done(g.pgid) : error('ESRCH');
}

export function sysGetsid(core: Core, t: Task, call: CallOf<'getsid'>): SyscallResult {
  const g = findGroup(core, t, call.pid);
  return g ? done(g.sid) : error('ESRCH');
}

/** setpgid (kernel/sys.c): checks in the kernel's order. */
export function sysSetpgid(core: Core, t: Task, call: CallOf<'setpgid'>): SyscallResult {
  const me = t.group;
  const pid = call.pid === 0 ? me.tgid : call.pid;
  const pgid = call.pgid === 0 ? pid : call.pgid;
  if (pgid < 0) return error('EINVAL');
  const task = core.tasks.get(pid);
  if (!task || task === core.init || task.group.state === 'reaped') return error('ESRCH');
  const p = task.group;
  if (!task.isLeader) return error('EINVAL');
  if (task.parent && task.parent.group === me) {
    if (p.sid !== me.sid) return error('EPERM');
    if (p.execed) return error('EACCES');
  } else if (p !== me) return error('ESRCH');
  if (p.sid === p.tgid) return error('EPERM');
  if (pgid !== pid) {
    let exists = false;
    for (const g of core.groups.values()) if (g.state !== 'reaped' && g.pgid === pgid && g.sid === me.sid) exists = true;
    if (!exists) return error('EPERM');
  }
  p.pgid = pgid;
  core.dirty = true;
  return done(0);
}

export function sysSetsid(core: Core, t: Task): SyscallResult {
  const me = t.group;
  for (const g of core.groups.values()) if (g.state !== 'reaped' && g.pgid === me.tgid) return error('EPERM');
  me.sid = me.tgid;
  me.pgid = me.tgid;
  core.dirty = true;
  return done(me.tgid);
}

export function sysPrctl(core: Core, t: Task, call: CallOf<'prctl'>): SyscallResult {
  switch (call.option) {
    case PR.SET_PDEATHSIG: {
      const sig = Number(call.arg2);
      if (!(sig === 0 || isValidSignal(sig)) || call.arg2 !== BigInt(sig)) return error('EINVAL');
      t.pdeathSig = sig;
      return done(0);
    }
    case PR.GET_PDEATHSIG:
      if (writeU32(core, t, call.arg2, t.pdeathSig) !== undefined) return error('EFAULT');
      return done(0, { value: BigInt(t.pdeathSig) });
    case PR.SET_CHILD_SUBREAPER:
      t.group.subreaper = call.arg2 !== 0n;
      return done(0);
    case PR.GET_CHILD_SUBREAPER: {
      const v = t.group.subreaper ? 1 : 0;
      if (writeU32(core, t, call.arg2, v) !== undefined) return error('EFAULT');
      return done(0, { value: BigInt(v) });
    }
    case PR.SET_NAME: {
      const s = readCString(core, t, call.arg2, 16, 'prctl name');
      // The kernel copies 16 bytes and terminates; a longer name is truncated, not rejected.
      if (!s.ok && s.errno !== 'ENAMETOOLONG') return error(s.errno);
      if (s.ok) t.comm = s.value.slice(0, 15);
      return done(0);
    }
    case PR.GET_NAME: {
      const bytes = new Uint8Array(16);
      for (let i = 0; i < t.comm.length && i < 15; i++) bytes[i] = t.comm.charCodeAt(i) & 0xff;
      if (writeBytes(core, t, call.arg2, bytes) !== undefined) return error('EFAULT');
      return done(0);
    }
    default:
      core.emit({ type: 'unmodeled', tid: t.tid, call: 'prctl', reason: `prctl option ${call.option} is not modelled` });
      return error('ENOSYS');
  }
}

export function sysUmask(core: Core, t: Task, call: CallOf<'umask'>): SyscallResult {
  const old = t.fs.umask;
  t.fs.umask = call.mask & 0o777;
  return done(old);
}

/** Joins a relative path onto the cwd lexically (used only when the filesystem model cannot tell). */
function lexicalJoin(cwd: string, path: string): string {
  const parts = path.startsWith('/') ? [] : cwd.split('/').filter((p) => p !== '');
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return '/' + parts.join('/');
}

function changeDir(core: Core, t: Task, path: string): SyscallResult {
  const fs = core.config.fs;
  const r = fs ? fs.resolveChdir(path, t.fs.cwd, { cred: { uid: t.group.uid, gid: 0 } }) : undefined;
  if (r?.kind === 'error') return error(r.errno);
  if (r?.kind === 'ok') t.fs.cwd = r.path;
  else {
    if (path === '') return error('ENOENT');
    core.emit({ type: 'unmodeled', tid: t.tid, call: 'chdir', reason: `directory ${path} unknown to the filesystem model; success adopted` });
    t.fs.cwd = lexicalJoin(t.fs.cwd, path);
  }
  return done(0);
}

export function sysChdir(core: Core, t: Task, call: CallOf<'chdir'>): SyscallResult {
  const p = readPath(core, t, call.path);
  return p.ok ? changeDir(core, t, p.value) : error(p.errno);
}

export function sysFchdir(core: Core, t: Task, call: CallOf<'fchdir'>): SyscallResult {
  const ofd = t.files.get(call.fd);
  if (!ofd) return error('EBADF');
  if (ofd.file.kind !== 'other' || !ofd.file.label.startsWith('/')) return error('ENOTDIR');
  return changeDir(core, t, ofd.file.label);
}

export function sysGetcwd(core: Core, t: Task, call: CallOf<'getcwd'>): SyscallResult {
  const bytes = new TextEncoder().encode(t.fs.cwd + '\0');
  if (BigInt(bytes.length) > call.size) return error('ERANGE');
  if (call.buf !== 0n && writeBytes(core, t, call.buf, bytes) !== undefined) return error('EFAULT');
  return done(bytes.length, { cwd: t.fs.cwd });
}
