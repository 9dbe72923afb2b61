// Linux x86_64 ABI constants the kernel core interprets: clone flags, wait options and id types,
// siginfo codes, sigaction flags, prctl options, futex ops. Values from include/uapi/linux/*.h.
// Errno and signal numbers live in errno.ts / signals.ts (generated from the headers).

export const CLONE = {
  CSIGNAL: 0xffn,
  NEWTIME: 0x80n,
  VM: 0x100n,
  FS: 0x200n,
  FILES: 0x400n,
  SIGHAND: 0x800n,
  PIDFD: 0x1000n,
  PTRACE: 0x2000n,
  VFORK: 0x4000n,
  PARENT: 0x8000n,
  THREAD: 0x10000n,
  NEWNS: 0x20000n,
  SYSVSEM: 0x40000n,
  SETTLS: 0x80000n,
  PARENT_SETTID: 0x100000n,
  CHILD_CLEARTID: 0x200000n,
  DETACHED: 0x400000n,
  UNTRACED: 0x800000n,
  CHILD_SETTID: 0x1000000n,
  NEWCGROUP: 0x2000000n,
  NEWUTS: 0x4000000n,
  NEWIPC: 0x8000000n,
  NEWUSER: 0x10000000n,
  NEWPID: 0x20000000n,
  NEWNET: 0x40000000n,
  IO: 0x80000000n,
  CLEAR_SIGHAND: 0x100000000n,
  INTO_CGROUP: 0x200000000n,
} as const;

/** Flags that create a namespace; the core does not model namespaces (see README "Limits"). */
export const CLONE_NAMESPACE_FLAGS =
  CLONE.NEWNS | CLONE.NEWCGROUP | CLONE.NEWUTS | CLONE.NEWIPC | CLONE.NEWUSER | CLONE.NEWPID | CLONE.NEWNET | CLONE.NEWTIME;

/** Every flag bit legacy clone(2) knows (kernel CLONE_LEGACY_FLAGS). */
export const CLONE_LEGACY_FLAGS = 0xffffffffn;

/** Sizes of struct clone_args: VER0 ends at tls, VER1 adds set_tid/set_tid_size, VER2 adds cgroup. */
export const CLONE_ARGS_SIZE_VER0 = 64n;
export const CLONE_ARGS_SIZE_VER1 = 80n;
export const CLONE_ARGS_SIZE_VER2 = 88n;
export const PAGE_SIZE = 4096n;
/** MAX_PID_NS_LEVEL: the longest set_tid array clone3 accepts. */
export const MAX_PID_NS_LEVEL = 32;

export const WAIT = {
  WNOHANG: 0x1,
  WUNTRACED: 0x2,
  WSTOPPED: 0x2,
  WEXITED: 0x4,
  WCONTINUED: 0x8,
  WNOWAIT: 0x01000000,
  __WNOTHREAD: 0x20000000,
  __WALL: 0x40000000,
  __WCLONE: 0x80000000,
} as const;

/** Options wait4 accepts (kernel_wait4). */
export const WAIT4_VALID =
  WAIT.WNOHANG | WAIT.WUNTRACED | WAIT.WCONTINUED | WAIT.__WNOTHREAD | WAIT.__WCLONE | WAIT.__WALL;
/** Options waitid accepts (kernel_waitid_prepare). */
export const WAITID_VALID =
  WAIT.WNOHANG | WAIT.WEXITED | WAIT.WSTOPPED | WAIT.WCONTINUED | WAIT.WNOWAIT |
  WAIT.__WNOTHREAD | WAIT.__WCLONE | WAIT.__WALL;

export const P_ALL = 0;
export const P_PID = 1;
export const P_PGID = 2;
export const P_PIDFD = 3;

/** si_code values for SIGCHLD (and waitid's infop). */
export const CLD = {
  EXITED: 1,
  KILLED: 2,
  DUMPED: 3,
  TRAPPED: 4,
  STOPPED: 5,
  CONTINUED: 6,
} as const;
export type CldCode = (typeof CLD)[keyof typeof CLD];

/** Generic si_code values for signals sent by a task. */
export const SI_USER = 0;
export const SI_KERNEL = 0x80;
export const SI_TKILL = -6;
export const SI_QUEUE = -1;

export const SA = {
  NOCLDSTOP: 0x1n,
  NOCLDWAIT: 0x2n,
  SIGINFO: 0x4n,
  RESTORER: 0x04000000n,
  ONSTACK: 0x08000000n,
  RESTART: 0x10000000n,
  NODEFER: 0x40000000n,
  RESETHAND: 0x80000000n,
} as const;

export const SIG_BLOCK = 0;
export const SIG_UNBLOCK = 1;
export const SIG_SETMASK = 2;

export const PR = {
  SET_PDEATHSIG: 1,
  GET_PDEATHSIG: 2,
  SET_NAME: 15,
  GET_NAME: 16,
  SET_CHILD_SUBREAPER: 36,
  GET_CHILD_SUBREAPER: 37,
} as const;

export const FUTEX = {
  WAIT: 0,
  WAKE: 1,
  PRIVATE_FLAG: 128,
  CLOCK_REALTIME: 256,
} as const;

export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_EMPTY_PATH = 0x1000;

/** exec argument limits (fs/exec.c, include/uapi/linux/binfmts.h). */
export const MAX_ARG_STRLEN = 32 * 4096;
export const ARG_MAX = 32 * 4096;

export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;
export const TIMER_ABSTIME = 1;
