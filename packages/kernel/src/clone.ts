// Process and thread creation (kernel/fork.c): fork, vfork, clone and clone3, with every check
// in the kernel's own order and its errno (section B): copy_clone_args_from_user,
// clone3_args_valid, kernel_clone, copy_process. Then the copy itself: what is shared or
// copied per flag (section C), the parent/child links, CLONE_PARENT_SETTID / CHILD_SETTID /
// CHILD_CLEARTID / PIDFD, and the CLONE_VFORK wait (section A).
import {
  CLONE,
  CLONE_ARGS_SIZE_VER0,
  CLONE_ARGS_SIZE_VER2,
  CLONE_LEGACY_FLAGS,
  CLONE_NAMESPACE_FLAGS,
  MAX_PID_NS_LEVEL,
  PAGE_SIZE,
} from './abi.js';
import type { CallOf, CloneArgsStruct, Syscall } from './calls.js';
import type { Core } from './core.js';
import { fail, ok, type Errno } from './errno.js';
import { TASK_SIZE } from './memory/constants.js';
import { done, error, type SyscallResult } from './outcome.js';
import { isValidSignal, SIGNALS } from './signals.js';
import { DEFAULT_ACTION, FsContext, SigHand, Task, ThreadGroup } from './task.js';
import { readBytes, writeU32 } from './guest-io.js';
import { createPidfd } from './pidfd.js';

/** The kernel's struct kernel_clone_args, after decoding. */
interface CloneRequest {
  readonly flags: bigint;
  readonly pidfd: bigint;
  readonly childTid: bigint;
  readonly parentTid: bigint;
  readonly exitSignal: number;
  readonly tls: bigint;
  readonly setTid: readonly number[];
  readonly cgroup: bigint;
}

const INT_MAX = 0x7fffffffn;

export function sysFork(core: Core, t: Task, call: Syscall): SyscallResult {
  return kernelClone(core, t, call, {
    flags: 0n, pidfd: 0n, childTid: 0n, parentTid: 0n, exitSignal: SIGNALS.SIGCHLD, tls: 0n, setTid: [], cgroup: 0n,
  });
}

export function sysVfork(core: Core, t: Task, call: Syscall): SyscallResult {
  return kernelClone(core, t, call, {
    flags: CLONE.VFORK | CLONE.VM, pidfd: 0n, childTid: 0n, parentTid: 0n, exitSignal: SIGNALS.SIGCHLD, tls: 0n, setTid: [], cgroup: 0n,
  });
}

/** Legacy clone: only the lower 32 bits count (B30); the low byte is the exit signal; pidfd shares parent_tid. */
export function sysClone(core: Core, t: Task, call: CallOf<'clone'>): SyscallResult {
  const flags32 = BigInt.asUintN(64, call.flags) & CLONE_LEGACY_FLAGS;
  return kernelClone(core, t, call, {
    flags: flags32 & ~CLONE.CSIGNAL,
    pidfd: call.parent_tid,
    childTid: call.child_tid,
    parentTid: call.parent_tid,
    exitSignal: Number(flags32 & CLONE.CSIGNAL),
    tls: call.tls,
    setTid: [],
    cgroup: 0n,
  });
}

export function sysClone3(core: Core, t: Task, call: CallOf<'clone3'>): SyscallResult {
  const r = cloneArgsFromUser(core, t, call.args, call.size);
  if (!r.ok) return error(r.errno);
  const a = r.value;
  if (!clone3ArgsValid(a.struct)) return error('EINVAL');
  return kernelClone(core, t, call, a.request);
}

interface Clone3Decoded {
  readonly struct: Required<Omit<CloneArgsStruct, 'set_tid'>> & { readonly set_tid: bigint | readonly number[] };
  readonly request: CloneRequest;
}

/** copy_clone_args_from_user: size (B1–B4), zero tail (B5), set_tid shape (B21), exit_signal (B10), cgroup size (B23). */
function cloneArgsFromUser(core: Core, t: Task, args: bigint | CloneArgsStruct, size: bigint): Errno<Clone3Decoded> {
  if (size > PAGE_SIZE) return fail('E2BIG');
  if (size < CLONE_ARGS_SIZE_VER0) return fail('EINVAL');
  let s: CloneArgsStruct;
  if (typeof args === 'bigint') {
    const bytes = readBytes(core, t, args, Number(size), 'clone_args');
    if (!bytes.ok) return bytes;
    for (let i = 88; i < bytes.value.length; i++) if (bytes.value[i] !== 0) return fail('E2BIG');
    const padded = new Uint8Array(88);
    padded.set(bytes.value.subarray(0, 88));
    const v = new DataView(padded.buffer);
    const u = (o: number): bigint => v.getBigUint64(o, true);
    s = {
      flags: u(0), pidfd: u(8), child_tid: u(16), parent_tid: u(24), exit_signal: u(32), stack: u(40),
      stack_size: u(48), tls: u(56), set_tid: u(64), set_tid_size: u(72), cgroup: u(80),
    };
  } else {
    // Fields past `size` are not part of the call: the kernel zero-fills them. All are u64.
    const within = (end: bigint): boolean => size >= end;
    const u = (v: bigint | undefined): bigint => BigInt.asUintN(64, v ?? 0n);
    const setTid = within(72n) ? args.set_tid : 0n;
    s = {
      flags: u(args.flags), pidfd: u(args.pidfd), child_tid: u(args.child_tid), parent_tid: u(args.parent_tid),
      exit_signal: u(args.exit_signal), stack: u(args.stack), stack_size: u(args.stack_size), tls: u(args.tls),
      set_tid: typeof setTid === 'bigint' ? u(setTid) : setTid,
      set_tid_size: within(80n) ? u(args.set_tid_size) : 0n,
      cgroup: within(88n) ? u(args.cgroup) : 0n,
    };
  }
  const setTidIn = s.set_tid ?? 0n;
  const setTidSize = s.set_tid_size ?? 0n;
  const setTidPresent = typeof setTidIn === 'bigint' ? setTidIn !== 0n : true;
  if (setTidSize > BigInt(MAX_PID_NS_LEVEL)) return fail('EINVAL');
  if (!setTidPresent && setTidSize > 0n) return fail('EINVAL');
  if (setTidPresent && setTidSize === 0n) return fail('EINVAL');
  const exitSignal = s.exit_signal ?? 0n;
  if ((exitSignal & ~CLONE.CSIGNAL) !== 0n || !(exitSignal === 0n || isValidSignal(Number(exitSignal)))) return fail('EINVAL');
  const flags = s.flags ?? 0n;
  const cgroup = s.cgroup ?? 0n;
  if ((flags & CLONE.INTO_CGROUP) !== 0n && (cgroup > INT_MAX || size < CLONE_ARGS_SIZE_VER2)) return fail('EINVAL');
  let setTid: number[] = [];
  if (setTidPresent) {
    if (typeof setTidIn !== 'bigint') setTid = setTidIn.slice(0, Number(setTidSize));
    else {
      const raw = readBytes(core, t, setTidIn, Number(setTidSize) * 4, 'set_tid');
      if (!raw.ok) return raw;
      const v = new DataView(raw.value.buffer, raw.value.byteOffset);
      for (let i = 0; i < Number(setTidSize); i++) setTid.push(v.getInt32(i * 4, true));
    }
  }
  const struct = {
    flags, pidfd: s.pidfd ?? 0n, child_tid: s.child_tid ?? 0n, parent_tid: s.parent_tid ?? 0n, exit_signal: exitSignal,
    stack: s.stack ?? 0n, stack_size: s.stack_size ?? 0n, tls: s.tls ?? 0n, set_tid: setTidIn, set_tid_size: setTidSize, cgroup,
  };
  return ok({
    struct,
    request: {
      flags, pidfd: struct.pidfd, childTid: struct.child_tid, parentTid: struct.parent_tid,
      exitSignal: Number(exitSignal), tls: struct.tls, setTid, cgroup,
    },
  });
}

/** clone3_args_valid and clone3_stack_valid (B7–B9, B11, B14, B20). */
function clone3ArgsValid(a: Clone3Decoded['struct']): boolean {
  const f = a.flags;
  if ((f & ~(CLONE_LEGACY_FLAGS | CLONE.CLEAR_SIGHAND | CLONE.INTO_CGROUP)) !== 0n) return false;
  if ((f & (CLONE.DETACHED | (CLONE.CSIGNAL & ~CLONE.NEWTIME))) !== 0n) return false;
  if ((f & (CLONE.SIGHAND | CLONE.CLEAR_SIGHAND)) === (CLONE.SIGHAND | CLONE.CLEAR_SIGHAND)) return false;
  if ((f & (CLONE.THREAD | CLONE.PARENT)) !== 0n && a.exit_signal !== 0n) return false;
  if (a.stack === 0n) return a.stack_size === 0n;
  if (a.stack_size === 0n) return false;
  // access_ok(stack, stack_size)
  return a.stack_size <= TASK_SIZE && a.stack <= TASK_SIZE - a.stack_size;
}

function has(flags: bigint, f: bigint): boolean {
  return (flags & f) !== 0n;
}

/** kernel_clone + copy_process. */
function kernelClone(core: Core, t: Task, call: Syscall, a: CloneRequest): SyscallResult {
  const f = a.flags;
  if (has(f, CLONE.PIDFD) && has(f, CLONE.PARENT_SETTID) && a.pidfd === a.parentTid) return error('EINVAL');
  // copy_process, in its order.
  if (has(f, CLONE.NEWNS) && has(f, CLONE.FS)) return error('EINVAL');
  if (has(f, CLONE.NEWUSER) && has(f, CLONE.FS)) return error('EINVAL');
  if (has(f, CLONE.THREAD) && !has(f, CLONE.SIGHAND)) return error('EINVAL');
  if (has(f, CLONE.SIGHAND) && !has(f, CLONE.VM)) return error('EINVAL');
  if (has(f, CLONE.THREAD) && has(f, CLONE.NEWUSER | CLONE.NEWPID)) return error('EINVAL');
  // CLONE_PIDFD|CLONE_THREAD is allowed since 6.9 (B27); the pinned kernel is 6.18.
  if (has(f, CLONE.PIDFD) && has(f, CLONE.DETACHED)) return error('EINVAL');
  const ns = f & CLONE_NAMESPACE_FLAGS;
  if (ns !== 0n) {
    // copy_namespaces: the capability check comes before NEWIPC|SYSVSEM (B17, B33).
    if (core.config.uid !== 0 && !has(ns, CLONE.NEWUSER)) return error('EPERM');
    if (has(f, CLONE.NEWIPC) && has(f, CLONE.SYSVSEM)) return error('EINVAL');
    core.emit({ type: 'unmodeled', tid: t.tid, call: call.name, reason: `namespace flags 0x${ns.toString(16)} are not modelled` });
    return error('ENOSYS');
  }
  if (has(f, CLONE.INTO_CGROUP)) {
    const ofd = t.files.get(Number(a.cgroup));
    const label = ofd?.file.kind === 'other' ? ofd.file.label : '';
    if (!label.startsWith('/sys/fs/cgroup')) return error('EBADF');
    core.emit({ type: 'unmodeled', tid: t.tid, call: call.name, reason: 'CLONE_INTO_CGROUP is not modelled' });
    return error('ENOSYS');
  }
  // x86_64 copy_thread → ARCH_SET_FS: a non-canonical TLS base is EPERM (B31).
  if (has(f, CLONE.SETTLS) && BigInt.asUintN(64, a.tls) >= TASK_SIZE) return error('EPERM');

  let pid: number;
  if (a.setTid.length > 0) {
    // alloc_pid with set_tid (B22): one level (no pid namespaces), range, privilege, in use.
    if (a.setTid.length > 1) return error('EINVAL');
    const want = a.setTid[0] ?? 0;
    if (want < 1 || want >= core.config.pidMax) return error('EINVAL');
    if (core.config.uid !== 0) return error('EPERM');
    if (!core.isPidFree(want)) return error('EEXIST');
    pid = want;
  } else {
    const next = core.allocPid();
    if (next === undefined) return error('EAGAIN');
    pid = next;
  }

  // Resources: shared by reference or copied.
  const files = has(f, CLONE.FILES) ? t.files : t.files.fork();
  let pidfd: number | undefined;
  const thread = has(f, CLONE.THREAD);
  const group = thread ? t.group : new ThreadGroup(pid, t.group.pgid, t.group.sid, t.group.uid);
  if (has(f, CLONE.PIDFD)) {
    // The child's copy of the table is taken first so that it does not get the pidfd; a failure
    // here must drop that copy's references again.
    const fd = createPidfd(t, group);
    if (!fd.ok) {
      if (files !== t.files) files.closeAll();
      return error(fd.errno);
    }
    if (writeU32(core, t, a.pidfd, fd.value) !== undefined) {
      t.files.close(fd.value);
      if (files !== t.files) files.closeAll();
      return error('EFAULT');
    }
    pidfd = fd.value;
  }
  if (files === t.files) files.users++;
  const mm = has(f, CLONE.VM) ? t.mm : t.mm.fork({ id: core.newObjectId() });
  if (mm === t.mm) mm.users++;
  const fs = has(f, CLONE.FS) ? t.fs : new FsContext(t.fs.cwd, t.fs.umask);
  fs.refs++;
  let sighand: SigHand;
  if (has(f, CLONE.SIGHAND)) sighand = t.sighand;
  else {
    sighand = new SigHand(t.sighand.actions);
    if (has(f, CLONE.CLEAR_SIGHAND)) {
      for (let sig = 1; sig <= 64; sig++) if (sighand.get(sig).handler !== 'SIG_IGN') sighand.set(sig, DEFAULT_ACTION);
    }
  }
  sighand.refs++;

  const inheritParent = has(f, CLONE.PARENT | CLONE.THREAD);
  const parent = inheritParent ? t.parent : t;
  const exitSignal = thread ? -1 : has(f, CLONE.PARENT) ? t.group.leader.exitSignal : a.exitSignal;
  const child = new Task(pid, group, parent, exitSignal, mm, files, fs, sighand, t.comm);
  child.sigmask = t.sigmask;
  // A CLONE_VM child that does not stop its parent runs on another stack: no altstack (C15).
  child.altstack = (f & (CLONE.VM | CLONE.VFORK)) === CLONE.VM ? { sp: 0n, size: 0n, flags: 2 } : { ...t.altstack };
  // copy_process: no robust list in the child; rseq_fork keeps the registration only without
  // CLONE_VM (a new thread registers its own); copy_thread gives the FS base of CLONE_SETTLS.
  child.robustList = 0n;
  child.rseq = has(f, CLONE.VM) || t.rseq === null ? null : { ...t.rseq };
  child.fsBase = has(f, CLONE.SETTLS) ? a.tls : t.fsBase;
  child.gsBase = t.gsBase;
  if (!thread) {
    group.gid = t.group.gid;
    group.rlimits = t.group.rlimits.map((r) => ({ cur: r.cur, max: r.max }));
  }
  child.exe = t.exe;
  child.argv = t.argv;
  child.envp = t.envp;
  group.threads.push(child);
  if (!thread) {
    group.leader = child;
    core.groups.set(pid, group);
    parent?.children.push(child);
  }
  core.tasks.set(pid, child);
  if (has(f, CLONE.CHILD_CLEARTID)) child.clearChildTid = a.childTid;
  // Both writes ignore faults: past the point of no return (B29). The parent's lands first (C13).
  if (has(f, CLONE.PARENT_SETTID)) writeU32(core, t, a.parentTid, pid);
  if (has(f, CLONE.CHILD_SETTID)) writeU32(core, child, a.childTid, pid);

  core.emit({
    type: 'task-created', tid: pid, tgid: group.tgid, ppid: parent ? parent.group.tgid : 0, creator: t.tid, thread,
    flags: f, exitSignal,
  });
  core.makeReady(child);
  core.dirty = true;
  const out = pidfd === undefined ? undefined : { pidfd };
  if (has(f, CLONE.VFORK)) {
    child.vforkParent = t;
    // Killable but not interruptible: other signals wait until the child lets go (A6, A7).
    return core.block(t, call, { kind: 'vfork', child: pid }, 'killable', 'ERESTARTNOINTR', () =>
      child.vforkParent === t ? undefined : done(pid, out),
    );
  }
  return done(pid, out);
}
