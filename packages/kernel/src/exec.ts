// execve / execveat (fs/exec.c): argument reading and limits (D8, D9), resolution through the
// filesystem model (D3–D7, D10, D21, D22), then the point of no return: other threads are
// killed and a non-leader takes the leader's tid (de_thread, D19, A15), a shared descriptor
// table is unshared before close-on-exec runs (A14, D13), the old address space is released
// (clear_child_tid, then the vfork parent: A2, A3), caught signals reset while ignored ones and
// the mask and pending set stay (D15), and exit_signal becomes SIGCHLD (D18).
import { AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, MAX_ARG_STRLEN } from './abi.js';
import type { CallOf, PathArg, StringArrayArg } from './calls.js';
import type { Core } from './core.js';
import type { ErrnoName } from './errno.js';
import { interpreterArgv, type ExecResolution } from './fs/exec-resolution.js';
import { AddressSpace } from './memory/address-space.js';
import type { FdTable } from './files/fd-table.js';
import { O_PATH, O_RDONLY } from './files/constants.js';
import { done, error, type SyscallResult } from './outcome.js';
import { SIGNALS } from './signals.js';
import { DEFAULT_ACTION, SigHand, type Task } from './task.js';
import { exitTask, mmRelease } from './exit.js';
import { readPath, readStringArray } from './guest-io.js';

/** bprm_stack_limits with the default 8 MiB RLIMIT_STACK: a quarter of it, at least ARG_MAX. */
const STACK_LIMIT = 8n * 1024n * 1024n;
const ARGS_LIMIT = STACK_LIMIT / 4n;

export function sysExecve(core: Core, t: Task, call: CallOf<'execve'>): SyscallResult {
  return doExec(core, t, call.name, AT_FDCWD, call.path, call.argv, call.envp, 0, call.ifUnknown);
}

export function sysExecveat(core: Core, t: Task, call: CallOf<'execveat'>): SyscallResult {
  return doExec(core, t, call.name, call.dirfd, call.path, call.argv, call.envp, call.flags, call.ifUnknown);
}

function basename(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  const i = trimmed.lastIndexOf('/');
  return i >= 0 ? trimmed.slice(i + 1) : trimmed;
}

/** The path an open descriptor was opened by, when the kernel knows it (openat's label). */
function fdPath(t: Task, fd: number): string | undefined {
  const ofd = t.files.get(fd);
  if (!ofd) return undefined;
  return ofd.file.kind === 'other' && ofd.file.label.startsWith('/') ? ofd.file.label : '';
}

function doExec(
  core: Core,
  t: Task,
  name: 'execve' | 'execveat',
  dirfd: number,
  pathArg: PathArg,
  argvArg: StringArrayArg,
  envpArg: StringArrayArg,
  flags: number,
  ifUnknown: 'success' | ErrnoName | undefined,
): SyscallResult {
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) !== 0) return error('EINVAL');
  const pathR = readPath(core, t, pathArg);
  if (!pathR.ok) return failed(core, t, '', pathR.errno);
  let path = pathR.value;
  // execveat's base directory (D22, D23).
  let cwd = t.fs.cwd;
  let displayPath = path;
  if (path === '' && (flags & AT_EMPTY_PATH) !== 0) {
    const p = dirfd === AT_FDCWD ? t.fs.cwd : fdPath(t, dirfd);
    if (p === undefined) return failed(core, t, path, 'EBADF');
    if (p === '') {
      core.emit({ type: 'unmodeled', tid: t.tid, call: name, reason: `fd ${dirfd} has no known path` });
      return failed(core, t, path, 'ENOSYS');
    }
    path = p;
    displayPath = `/dev/fd/${dirfd}`;
  } else if (!path.startsWith('/') && dirfd !== AT_FDCWD) {
    const p = fdPath(t, dirfd);
    if (p === undefined) return failed(core, t, path, 'EBADF');
    if (p === '') {
      core.emit({ type: 'unmodeled', tid: t.tid, call: name, reason: `fd ${dirfd} has no known path` });
      return failed(core, t, path, 'ENOSYS');
    }
    cwd = p;
  }
  // getname: an empty path is ENOENT whatever the filesystem (D3).
  if (path === '') return failed(core, t, displayPath, 'ENOENT');
  const fs = core.config.fs;
  const resolution: ExecResolution = fs
    ? fs.resolveExec(path, cwd, { cred: { uid: t.group.uid, gid: 0 }, follow: (flags & AT_SYMLINK_NOFOLLOW) === 0 })
    : { kind: 'unknown', path };
  if (resolution.kind === 'error') return failed(core, t, displayPath, resolution.errno);
  // deny_write_access: a file some process has open for writing cannot be executed (D11).
  if (resolution.kind === 'ok' && openForWriting(core, [resolution.image, ...resolution.scripts.map((s) => s.path)])) {
    return failed(core, t, displayPath, 'ETXTBSY');
  }
  const argv = readStringArray(core, t, argvArg, MAX_ARG_STRLEN, Number(ARGS_LIMIT));
  if (!argv.ok) return failed(core, t, displayPath, argv.errno);
  const envp = readStringArray(core, t, envpArg, MAX_ARG_STRLEN, Number(ARGS_LIMIT));
  if (!envp.ok) return failed(core, t, displayPath, envp.errno);
  // Per-string and total limits (D9): each string with its NUL, plus the pointer array.
  let total = BigInt(Math.max(argv.value.length, 1) + envp.value.length) * 8n;
  for (const s of [...argv.value, ...envp.value, displayPath]) {
    const len = Buffer.byteLength(s, 'latin1') + 1;
    if (len > MAX_ARG_STRLEN) return failed(core, t, displayPath, 'E2BIG');
    total += BigInt(len);
  }
  if (total > ARGS_LIMIT) return failed(core, t, displayPath, 'E2BIG');
  let adopted = false;
  let finalArgv: string[];
  let interpreters: string[] = [];
  if (resolution.kind === 'unknown') {
    const outcome = ifUnknown ?? 'success';
    if (outcome !== 'success') {
      core.emit({ type: 'unmodeled', tid: t.tid, call: name, reason: `outcome of exec ${path} adopted: ${outcome}` });
      return failed(core, t, displayPath, outcome);
    }
    adopted = true;
    finalArgv = argv.value.length === 0 ? [''] : argv.value;
  } else {
    finalArgv = interpreterArgv(resolution, argv.value.length === 0 ? [] : argv.value);
    interpreters = resolution.scripts.map((s) => s.interpreter);
  }
  commitExec(core, t, displayPath, finalArgv, envp.value, interpreters, adopted);
  return done(0);
}

/** Whether any live descriptor table holds one of `paths` open for writing. */
function openForWriting(core: Core, paths: readonly string[]): boolean {
  const seen = new Set<FdTable>();
  for (const task of core.tasks.values()) {
    if (!task.alive || seen.has(task.files)) continue;
    seen.add(task.files);
    for (const [, entry] of task.files.entries()) {
      const f = entry.ofd.file;
      if (f.kind === 'other' && paths.includes(f.label) && entry.ofd.accessMode !== O_RDONLY && (entry.ofd.statusFlags & O_PATH) === 0) return true;
    }
  }
  return false;
}

function failed(core: Core, t: Task, path: string, errno: ErrnoName): SyscallResult {
  core.emit({ type: 'exec-failed', tid: t.tid, path, errno });
  return error(errno);
}

/** Everything after the point of no return (begin_new_exec). */
function commitExec(core: Core, t: Task, path: string, argv: string[], envp: string[], interpreters: string[], adopted: boolean): void {
  const group = t.group;
  const formerTid = t.tid;
  // de_thread: every other thread dies (a vfork waiter among them too: the wait is killable).
  for (const other of group.threads) if (other !== t && other.alive) other.exiting = true;
  for (const other of [...group.threads]) {
    if (other !== t && other.alive) exitTask(core, other, { kind: 'killed', signo: SIGNALS.SIGKILL, core: false });
  }
  if (!t.isLeader) {
    // The exec'ing thread becomes the leader and takes over its tid and its place as a child.
    const old = group.leader;
    core.tasks.delete(old.tid);
    core.tasks.delete(t.tid);
    group.threads.splice(group.threads.indexOf(old), 1);
    t.tid = old.tid;
    core.tasks.set(t.tid, t);
    t.parent = old.parent;
    const siblings = old.parent?.children;
    if (siblings) {
      const i = siblings.indexOf(old);
      if (i >= 0) siblings[i] = t;
    }
    for (const c of old.children.splice(0)) {
      c.parent = t;
      t.children.push(c);
    }
    group.leader = t;
  }
  // unshare_files: a table shared with another process is copied before close-on-exec (A14).
  if (t.files.users > 1) {
    t.files.users--;
    t.files = t.files.fork();
    t.files.users = 1;
  }
  const old = t.mm;
  mmRelease(core, t, old, 'exec');
  old.users--;
  t.mm = new AddressSpace({ id: core.newObjectId() });
  t.files.closeOnExec();
  if (t.sighand.refs > 1) {
    t.sighand.refs--;
    t.sighand = new SigHand(t.sighand.actions);
    t.sighand.refs = 1;
  }
  // flush_signal_handlers: caught → default, ignored stays ignored (D15); every action loses its
  // flags, mask and restorer.
  for (let sig = 1; sig <= 64; sig++) {
    const a = t.sighand.get(sig);
    t.sighand.set(sig, a.handler === 'SIG_IGN' ? { handler: 'SIG_IGN', flags: 0n, mask: 0n, restorer: 0n } : DEFAULT_ACTION);
  }
  t.frames.length = 0;
  t.altstack = { sp: 0n, size: 0n, flags: 2 };
  // futex_exec_release drops the robust list, rseq_execve the rseq area, start_thread the FS/GS bases;
  // resource limits belong to the process and stay.
  t.robustList = 0n;
  t.rseq = null;
  t.fsBase = 0n;
  t.gsBase = 0n;
  t.exitSignal = SIGNALS.SIGCHLD;
  group.execed = true;
  t.comm = basename(path).slice(0, 15);
  t.exe = path;
  t.argv = argv;
  t.envp = envp;
  core.emit({ type: 'exec', tid: t.tid, tgid: group.tgid, formerTid, path, argv, interpreters, adopted });
  core.dirty = true;
}
