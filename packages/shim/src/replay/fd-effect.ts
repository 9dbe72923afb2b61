// What one recorded call shows about, and does to, its task's fd table, as far as inferring the
// root's starting fds needs: which fds it shows open or free just before it ran, which fd numbers
// it names or changes (after it, their state no longer tells about the start), or that it may
// have changed the table in a way the recording does not show.
import type { SyscallEvent } from '@forkscope/tracer';
import type { Conversion } from './convert.js';
import { leadingFd } from './conversion-view.js';
import { argOf, bare, intOf } from './values.js';

const F_DUPFD = 0;
const F_DUPFD_CLOEXEC = 1030;
const NONE: readonly number[] = [];
const NO_FDS = { fds: NONE, min: 0 };
/** A lowest-free allocation above this many fds says nothing below it (no table is that full; a bound on the work). */
const MAX_REVEALED_BELOW = 65536;

/**
 * Calls that never create, close or replace an fd (using one is not changing the table). A
 * descendant's calls of these kinds are skipped unread by the first pass: they cannot make a
 * number inferred wrongly. execve closes only close-on-exec fds (D13), and an fd inherited from
 * outside the recording survived strace's own exec, so it is not close-on-exec; one that a
 * recorded call made close-on-exec was named by that call (fcntl, open) and is known.
 * Anything not listed is read and, when not recognised, treated as possibly creating its result.
 */
export const FD_NEUTRAL_CALLS: ReadonlySet<string> = new Set([
  'read', 'write', 'pread64', 'pwrite64', 'readv', 'writev', 'preadv', 'pwritev', 'preadv2', 'pwritev2',
  'lseek', '_llseek', 'fstat', 'stat', 'lstat', 'newfstatat', 'fstatat64', 'statx', 'statfs', 'fstatfs',
  'access', 'faccessat', 'faccessat2', 'readlink', 'readlinkat', 'getdents', 'getdents64',
  'getxattr', 'lgetxattr', 'fgetxattr', 'listxattr', 'llistxattr', 'flistxattr',
  'mmap', 'munmap', 'mprotect', 'mremap', 'madvise', 'brk', 'msync', 'mlock', 'munlock',
  'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigsuspend', 'rt_sigtimedwait', 'rt_sigpending', 'sigaltstack',
  'kill', 'tgkill', 'tkill', 'futex', 'wait4', 'waitid', 'nanosleep', 'clock_nanosleep',
  'clock_gettime', 'clock_getres', 'gettimeofday', 'time',
  'getpid', 'getppid', 'gettid', 'getuid', 'geteuid', 'getgid', 'getegid', 'getresuid', 'getresgid', 'getgroups',
  'setuid', 'setgid', 'setresuid', 'setresgid', 'setgroups', 'getpgrp', 'getpgid', 'setpgid', 'getsid', 'setsid',
  'umask', 'uname', 'sysinfo', 'getrandom', 'getrlimit', 'setrlimit', 'prlimit64', 'getrusage', 'times',
  'set_tid_address', 'set_robust_list', 'get_robust_list', 'rseq', 'arch_prctl', 'sched_yield',
  'sched_getaffinity', 'sched_setaffinity', 'getcwd', 'chdir', 'fchdir',
  'mkdir', 'mkdirat', 'rmdir', 'unlink', 'unlinkat', 'rename', 'renameat', 'renameat2', 'link', 'linkat',
  'symlink', 'symlinkat', 'chmod', 'fchmod', 'fchmodat', 'chown', 'fchown', 'lchown', 'fchownat', 'utimensat',
  'truncate', 'ftruncate', 'fsync', 'fdatasync', 'flock', 'fadvise64', 'fallocate',
  'poll', 'ppoll', 'select', 'pselect6', 'epoll_wait', 'epoll_pwait', 'epoll_ctl',
  'sendto', 'sendmsg', 'recvfrom', 'connect', 'bind', 'listen', 'shutdown', 'getsockname', 'getpeername',
  'setsockopt', 'getsockopt', 'sendfile', 'splice', 'tee', 'copy_file_range',
  'alarm', 'setitimer', 'getitimer', 'pause', 'exit', 'exit_group', 'execve', 'execveat',
  'capget', 'capset', 'membarrier', 'getcpu',
]);

/**
 * Calls that hand out the lowest free fd (from 0, or F_DUPFD's minimum): the result was free and
 * every fd below it, from the minimum, was open. Others that create fds are read but only their
 * result is taken as touched.
 */
const LOWEST_FREE = new Set([
  'open', 'openat', 'openat2', 'creat', 'dup', 'epoll_create', 'epoll_create1', 'eventfd', 'eventfd2', 'socket',
  'memfd_create', 'accept', 'accept4', 'inotify_init', 'inotify_init1', 'timerfd_create', 'pidfd_open',
]);
/** Calls that create two fds, written to an array argument, each the lowest free in turn. */
const PAIR = new Set(['pipe', 'pipe2', 'socketpair']);
/** Calls that may create fds the recording does not show as numbers the scan can read. */
const UNSEEN_FDS = new Set(['io_uring_setup', 'io_uring_enter', 'seccomp', 'bpf']);

/** A revelation: fd `fd` was open (`open`) or free just before the call. */
export interface Reveal {
  readonly fd: number;
  readonly open: boolean;
}

export type FdEffect =
  /** Nothing about the table. */
  | { readonly kind: 'none' }
  /**
   * What the call shows (`reveals`, in the order the kernel decided them) and every fd number it
   * names or changes (`touched`, and `closed` for a close_range's span).
   */
  | {
      readonly kind: 'known';
      readonly reveals: readonly Reveal[];
      readonly touched: readonly number[];
      readonly closed?: { readonly first: number; readonly last: number };
    }
  /** The call may have changed the table in a way the recording does not show (which fd, or whether). */
  | { readonly kind: 'unknowable'; readonly why: string };

const NO_EFFECT: FdEffect = { kind: 'none' };

/**
 * A call's effect, for a task whose table the scan follows. A failed call reveals nothing: only
 * the fds it names are touched (a close that fails EINTR has still released its fd).
 * `c`: the call's conversion when the caller has one (the root's calls); without it the few
 * arguments needed are read here, and a call that uses an fd without creating or closing one
 * (an ioctl) shows nothing. `below: false` leaves out what a lowest-free allocation shows below
 * its result (the root's own calls: InitialFdsScan reads those, and they change nothing).
 */
export function fdEffectOf(e: SyscallEvent, c: Conversion | undefined, below = true): FdEffect {
  const outcome = e.outcome;
  switch (outcome.kind) {
    case 'value':
      break;
    case 'error':
    case 'restart':
      return named(c !== undefined ? fromConversion(e, c) : fromArgs(e));
    case 'unknown':
    case 'unfinished':
    case 'unavailable':
    case 'native':
    case 'blocked':
      // The call may have run and created or closed fds; its result does not say which.
      return { kind: 'unknowable', why: `${e.name} without a result` };
    default: {
      const never: never = outcome;
      throw new Error(`unknown outcome ${(never as { kind: string }).kind}`);
    }
  }
  if (UNSEEN_FDS.has(e.name)) return { kind: 'unknowable', why: `${e.name} may create fds` };
  if ((e.name === 'recvmsg' || e.name === 'recvmmsg') && e.argsText.includes('SCM_RIGHTS')) {
    return { kind: 'unknowable', why: 'fds received with SCM_RIGHTS' };
  }
  const args = c !== undefined ? fromConversion(e, c) : fromArgs(e);
  if (args === UNDECODED) return { kind: 'unknowable', why: `${e.name} arguments not decoded` };
  if (args.closed !== undefined) return { kind: 'known', reveals: [], touched: NONE, closed: args.closed };
  const reveals: Reveal[] = [];
  const touched: number[] = [];
  for (const fd of args.uses) {
    if (fd < 0) continue;
    reveals.push({ fd, open: true });
    touched.push(fd);
  }
  const created = lowestFree(e, args);
  for (const fd of created.fds) {
    reveals.push({ fd, open: false });
    touched.push(fd);
    if (!below || fd - created.min > MAX_REVEALED_BELOW) continue;
    for (let b = created.min; b < fd; b++) {
      reveals.push({ fd: b, open: true });
      touched.push(b);
    }
  }
  if (args.target !== undefined && args.target >= 0) touched.push(args.target);
  if (!RECOGNISED.has(e.name)) {
    // Not a call known to create fds, nor known not to: its result may be one.
    const v = outcome.value;
    if (v >= 0n && v < 0x80000000n) touched.push(Number(v));
  }
  return touched.length === 0 ? NO_EFFECT : { kind: 'known', reveals, touched };
}

/** Calls whose fd effects fdEffectOf reads in full. */
const RECOGNISED = new Set([...LOWEST_FREE, ...PAIR, 'fcntl', 'dup2', 'dup3', 'close', 'close_range', 'recvmsg', 'recvmmsg']);

/** The fds a call names, as fdEffectOf needs them. */
interface FdArgs {
  /** Fds it needs open. */
  readonly uses: readonly number[];
  /** The fd a close, dup2 or dup3 closes or replaces. */
  readonly target?: number;
  /** F_DUPFD's minimum. */
  readonly dupMin?: number;
  /** close_range's span. */
  readonly closed?: { readonly first: number; readonly last: number };
}

/** A close, dup2, dup3 or close_range whose fds could not be read: which fd it changed is unknown. */
const UNDECODED: FdArgs = { uses: NONE };
const NO_ARGS: FdArgs = { uses: NONE };
const NOT_CONVERTED: Conversion = { kind: 'adopted', reason: 'read by fd-effect.ts from the text' };

function fromConversion(e: SyscallEvent, c: Conversion): FdArgs {
  if (e.name === 'close_range') {
    return (c.kind === 'checked' || c.kind === 'effect') && c.call.name === 'close_range' ? { uses: NONE, closed: { first: c.call.first, last: c.call.last } } : UNDECODED;
  }
  const target = e.name === 'dup2' || e.name === 'dup3' || e.name === 'close' ? targetFd(e, c) : undefined;
  const uses = usedFds(c);
  if (e.name !== 'fcntl') return target !== undefined ? { uses, target } : uses.length === 0 ? NO_ARGS : { uses };
  return { uses, ...minOf(dupfdMin(e, c)) };
}

/**
 * The same from the call's text, for a descendant's call (no conversion: the first pass reads
 * thousands, and convert is built for the replay's every call).
 */
function fromArgs(e: SyscallEvent): FdArgs {
  switch (e.name) {
    case 'close': {
      const fd = firstFd(e);
      return fd === undefined ? UNDECODED : { uses: [fd], target: fd };
    }
    case 'dup': {
      const fd = firstFd(e);
      return fd === undefined ? NO_ARGS : { uses: [fd] };
    }
    case 'dup2':
    case 'dup3': {
      const oldfd = firstFd(e);
      const newfd = intArg(e, 1);
      if (newfd === undefined) return UNDECODED;
      return { uses: oldfd === undefined ? NONE : [oldfd], target: newfd };
    }
    case 'fcntl': {
      const fd = firstFd(e);
      return { uses: fd === undefined ? NONE : [fd], ...minOf(dupfdMin(e, NOT_CONVERTED)) };
    }
    case 'close_range': {
      const first = intArg(e, 0);
      const last = intOf(argOf(e.args, 1));
      return first === undefined || last === undefined ? UNDECODED : { uses: NONE, closed: { first, last: Number(BigInt.asUintN(32, last)) } };
    }
    default:
      return NO_ARGS;
  }
}

function firstFd(e: SyscallEvent): number | undefined {
  return leadingFd(e.argsText) ?? intArg(e, 0);
}

function intArg(e: SyscallEvent, index: number): number | undefined {
  const v = intOf(argOf(e.args, index));
  return v === undefined || v < -0x80000000n || v > 0xffffffffn ? undefined : Number(v);
}

/** A failed call's fds: named, so no longer telling about the start, but nothing revealed. */
function named(args: FdArgs): FdEffect {
  if (args === UNDECODED) return { kind: 'unknowable', why: 'arguments not decoded' };
  const touched = args.uses.filter((fd) => fd >= 0);
  if (args.target !== undefined && args.target >= 0) touched.push(args.target);
  return touched.length === 0 ? NO_EFFECT : { kind: 'known', reveals: [], touched };
}

/** The fds a call handed out, each the lowest free from `min`. */
function lowestFree(e: SyscallEvent, args: FdArgs): { readonly fds: readonly number[]; readonly min: number } {
  if (e.outcome.kind !== 'value') return NO_FDS;
  const value = Number(e.outcome.value);
  if (LOWEST_FREE.has(e.name)) return { fds: [value], min: 0 };
  if (e.name === 'fcntl') return args.dupMin !== undefined ? { fds: [value], min: args.dupMin } : NO_FDS;
  return PAIR.has(e.name) ? { fds: pairOf(e), min: 0 } : NO_FDS;
}

/** The fds a call uses (it needs them open), from its conversion. */
export function usedFds(c: Conversion): readonly number[] {
  switch (c.kind) {
    case 'fd-probe':
    case 'nonblock':
      return [c.fd];
    case 'checked':
    case 'effect':
    case 'run-adopted': {
      const call = c.call;
      switch (call.name) {
        case 'read':
        case 'write':
        case 'close':
        case 'fcntl':
        case 'fchdir':
          return [call.fd];
        case 'dup':
        case 'dup2':
        case 'dup3':
          return [call.oldfd];
        case 'mmap':
          return (call.flags & 0x20) === 0 ? [call.fd] : NONE;
        default:
          return NONE;
      }
    }
    default:
      return NONE;
  }
}

/** The fd a close, dup2 or dup3 names last: from its conversion when it has one (no second parse). */
export function targetFd(e: SyscallEvent, c: Conversion): number | undefined {
  if (c.kind === 'checked' || c.kind === 'effect' || c.kind === 'run-adopted') {
    const call = c.call;
    if (call.name === 'close') return call.fd;
    if (call.name === 'dup2' || call.name === 'dup3') return call.newfd;
  }
  const v = intOf(argOf(e.args, e.name === 'close' ? 0 : 1));
  return v === undefined ? undefined : Number(v);
}

/** The fds a call handed out, lowest free first from `min` (InitialFdsScan's reading of the root's calls). */
export function createdFds(e: SyscallEvent, c: Conversion): { readonly fds: readonly number[]; readonly min: number } {
  if (e.outcome.kind !== 'value') return NO_FDS;
  return lowestFree(e, e.name === 'fcntl' ? { uses: NONE, ...minOf(dupfdMin(e, c)) } : NO_ARGS);
}

function minOf(min: number | undefined): { dupMin?: number } {
  return min === undefined ? {} : { dupMin: min };
}

/** F_DUPFD's (or F_DUPFD_CLOEXEC's) minimum, from the conversion when it has one. */
function dupfdMin(e: SyscallEvent, c: Conversion): number | undefined {
  if ((c.kind === 'checked' || c.kind === 'effect') && c.call.name === 'fcntl') {
    const cmd = c.call.cmd;
    return cmd === F_DUPFD || cmd === F_DUPFD_CLOEXEC ? Number(c.call.arg) : undefined;
  }
  const cmd = bare(argOf(e.args, 1) ?? { kind: 'null' });
  const dup = cmd.kind === 'ident' && (cmd.name === 'F_DUPFD' || cmd.name === 'F_DUPFD_CLOEXEC');
  return dup ? intArg(e, 2) : undefined;
}

/** pipe's, pipe2's and socketpair's two fds, from their array argument. */
function pairOf(e: SyscallEvent): readonly number[] {
  const arr = bare(argOf(e.args, e.name === 'socketpair' ? 3 : 0) ?? { kind: 'null' });
  if (arr.kind !== 'array') return NONE;
  return arr.items.flatMap((i) => {
    const v = intOf(i);
    return v === undefined ? [] : [Number(v)];
  });
}
