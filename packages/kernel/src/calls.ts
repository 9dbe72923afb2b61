// The system calls the kernel understands, as a typed tagged union (x86_64 names and argument
// order). Where Linux reads guest memory, an argument is either a guest address (`bigint`, 0n =
// NULL) that the kernel reads from the task's address space, or the decoded contents themselves
// (for callers such as the replay guest that have strace's decoded values but no memory).
// Where Linux writes guest memory (wait4's status, waitid's infop, pipe2's fds…), the argument
// is an address; the kernel writes it if it is non-NULL and also returns the decoded value in
// the result's `out` record.

import type { ErrnoName } from './errno.js';

/** A guest virtual address; 0n is NULL. */
export type Ptr = bigint;

/** struct clone_args, decoded; omitted fields are 0. */
export interface CloneArgsStruct {
  readonly flags?: bigint;
  readonly pidfd?: Ptr;
  readonly child_tid?: Ptr;
  readonly parent_tid?: Ptr;
  readonly exit_signal?: bigint;
  readonly stack?: Ptr;
  readonly stack_size?: bigint;
  readonly tls?: bigint;
  /** The set_tid array's address, or its contents. */
  readonly set_tid?: Ptr | readonly number[];
  readonly set_tid_size?: bigint;
  readonly cgroup?: bigint;
}

/** struct sigaction, decoded. */
export interface SigactionStruct {
  readonly handler: 'SIG_DFL' | 'SIG_IGN' | Ptr;
  readonly flags: bigint;
  /** Signal mask: bit (n-1) for signal n. */
  readonly mask: bigint;
  readonly restorer?: Ptr;
}

/** A signal set given by value (bit n-1 = signal n). */
export interface SigsetValue {
  readonly mask: bigint;
}

/** struct timespec by value. */
export interface TimespecValue {
  readonly sec: bigint;
  readonly nsec: bigint;
}

/** stack_t by value (sigaltstack). */
export interface StackValue {
  readonly sp: Ptr;
  readonly flags: number;
  readonly size: bigint;
}

/** struct itimerval by value, in seconds and microseconds. */
export interface ItimervalValue {
  readonly interval: { readonly sec: bigint; readonly usec: bigint };
  readonly value: { readonly sec: bigint; readonly usec: bigint };
}

/** struct rlimit64 by value; RLIM64_INFINITY is 2^64-1. */
export interface RlimitValue {
  readonly cur: bigint;
  readonly max: bigint;
}

/** A path given by value or by address of a NUL-terminated string. */
export type PathArg = string | Ptr;
/** An argv/envp array by value, by address of a NULL-terminated pointer array, or NULL (0n). */
export type StringArrayArg = readonly string[] | Ptr;

export type Syscall =
  // identity
  | { readonly name: 'getpid' }
  | { readonly name: 'gettid' }
  | { readonly name: 'getppid' }
  | { readonly name: 'getpgid'; readonly pid: number }
  | { readonly name: 'getpgrp' }
  | { readonly name: 'getsid'; readonly pid: number }
  | { readonly name: 'setpgid'; readonly pid: number; readonly pgid: number }
  | { readonly name: 'setsid' }
  | { readonly name: 'set_tid_address'; readonly tidptr: Ptr }
  | { readonly name: 'prctl'; readonly option: number; readonly arg2: bigint; readonly arg3?: bigint; readonly arg4?: bigint; readonly arg5?: bigint }
  // credentials (one uid and gid per process: no set*id calls are modelled)
  | { readonly name: 'getuid' }
  | { readonly name: 'geteuid' }
  | { readonly name: 'getgid' }
  | { readonly name: 'getegid' }
  | { readonly name: 'getresuid'; readonly ruid: Ptr; readonly euid: Ptr; readonly suid: Ptr }
  | { readonly name: 'getresgid'; readonly rgid: Ptr; readonly egid: Ptr; readonly sgid: Ptr }
  // per-task state libc sets up at start (futex robust list, rseq, TLS base)
  | { readonly name: 'set_robust_list'; readonly head: Ptr; readonly len: bigint }
  | { readonly name: 'rseq'; readonly rseq: Ptr; readonly rseq_len: number; readonly flags: number; readonly sig: number }
  | { readonly name: 'arch_prctl'; readonly code: number; readonly addr: bigint }
  // resource limits and randomness
  | {
      readonly name: 'prlimit64';
      readonly pid: number;
      readonly resource: number;
      /** The new limit by address or value; 0n = only read. */
      readonly new_limit: Ptr | RlimitValue;
      readonly old_limit: Ptr;
    }
  | { readonly name: 'getrandom'; readonly buf: Ptr; readonly buflen: bigint; readonly flags: number }
  // creation
  | { readonly name: 'fork' }
  | { readonly name: 'vfork' }
  | {
      readonly name: 'clone';
      /** The raw flags register: only its lower 32 bits matter (B30). */
      readonly flags: bigint;
      readonly stack: Ptr;
      readonly parent_tid: Ptr;
      readonly child_tid: Ptr;
      readonly tls: bigint;
    }
  | { readonly name: 'clone3'; readonly args: Ptr | CloneArgsStruct; readonly size: bigint }
  // exec
  | {
      readonly name: 'execve';
      readonly path: PathArg;
      readonly argv: StringArrayArg;
      readonly envp: StringArrayArg;
      /** When the filesystem model cannot tell (an unlisted path): the outcome to adopt. Default 'success'. */
      readonly ifUnknown?: 'success' | ErrnoName;
    }
  | {
      readonly name: 'execveat';
      readonly dirfd: number;
      readonly path: PathArg;
      readonly argv: StringArrayArg;
      readonly envp: StringArrayArg;
      readonly flags: number;
      readonly ifUnknown?: 'success' | ErrnoName;
    }
  // exit and wait
  | { readonly name: 'exit'; readonly status: number }
  | { readonly name: 'exit_group'; readonly status: number }
  | { readonly name: 'wait4'; readonly pid: number; readonly status: Ptr; readonly options: number; readonly rusage: Ptr }
  | {
      readonly name: 'waitid';
      readonly idtype: number;
      readonly id: number;
      readonly infop: Ptr;
      readonly options: number;
      readonly rusage: Ptr;
    }
  // signals
  | { readonly name: 'kill'; readonly pid: number; readonly sig: number }
  | { readonly name: 'tkill'; readonly tid: number; readonly sig: number }
  | { readonly name: 'tgkill'; readonly tgid: number; readonly tid: number; readonly sig: number }
  | {
      readonly name: 'rt_sigaction';
      readonly sig: number;
      readonly act: Ptr | SigactionStruct;
      readonly oldact: Ptr;
      readonly sigsetsize: bigint;
    }
  | {
      readonly name: 'rt_sigprocmask';
      readonly how: number;
      readonly set: Ptr | SigsetValue;
      readonly oldset: Ptr;
      readonly sigsetsize: bigint;
    }
  | { readonly name: 'rt_sigpending'; readonly set: Ptr; readonly sigsetsize: bigint }
  /** Ends the innermost signal handler the task is running (restores its mask). */
  | { readonly name: 'rt_sigreturn' }
  | { readonly name: 'pause' }
  | { readonly name: 'rt_sigsuspend'; readonly mask: Ptr | SigsetValue; readonly sigsetsize: bigint }
  /** sigaltstack(2): `ss` 0n queries only. */
  | { readonly name: 'sigaltstack'; readonly ss: Ptr | StackValue; readonly old_ss: Ptr }
  | { readonly name: 'alarm'; readonly seconds: number }
  | { readonly name: 'setitimer'; readonly which: number; readonly value: Ptr | ItimervalValue; readonly ovalue: Ptr }
  | { readonly name: 'pidfd_send_signal'; readonly pidfd: number; readonly sig: number; readonly info: Ptr; readonly flags: number }
  | { readonly name: 'pidfd_open'; readonly pid: number; readonly flags: number }
  // descriptors and pipes
  | { readonly name: 'dup'; readonly oldfd: number }
  | { readonly name: 'dup2'; readonly oldfd: number; readonly newfd: number }
  | { readonly name: 'dup3'; readonly oldfd: number; readonly newfd: number; readonly flags: number }
  | { readonly name: 'fcntl'; readonly fd: number; readonly cmd: number; readonly arg: bigint }
  | { readonly name: 'close'; readonly fd: number }
  | { readonly name: 'close_range'; readonly first: number; readonly last: number; readonly flags: number }
  | { readonly name: 'pipe'; readonly pipefd: Ptr }
  | { readonly name: 'pipe2'; readonly pipefd: Ptr; readonly flags: number }
  /** read(2): with buf = 0n the data is only returned in `out.data` (callers without memory). */
  | {
      readonly name: 'read';
      readonly fd: number;
      readonly buf: Ptr;
      readonly count: bigint;
      /**
       * Replay scheduling, not an argument of the ABI: a blocking read of a pipe takes its data
       * only once `count` bytes are buffered (or the pipe is full, or at EOF), sleeping until
       * then. Linux copies in the reader's own context when it runs (fs/pipe.c pipe_read), after
       * its entry and after any wake-up, so what it gets depends on when it ran, which only a
       * recording knows: a replay that saw the reader get `count` bytes (its entry and return
       * printed apart, other tasks running between) passes that count with this set.
       */
      readonly whenCountBuffered?: boolean;
      /**
       * Only the count is wanted (a replay, which has no guest memory and compares return values):
       * with `memory: 'none'` the bytes are consumed without being copied and `out.data` is absent.
       */
      readonly countOnly?: boolean;
    }
  /**
   * write(2): the bytes by address (read from guest memory) or by value. By value, a buffer shorter
   * than `count` gives the first bytes only: the call still writes `count`, the rest unknown (a
   * pipe reads them back as zeros).
   */
  | { readonly name: 'write'; readonly fd: number; readonly buf: Ptr | Uint8Array; readonly count: bigint }
  /**
   * openat(2) of a file outside the modelled process machinery (a log file, /dev/null…): the
   * kernel allocates the lowest free descriptor for an opaque open file; O_CLOEXEC is honoured.
   */
  | { readonly name: 'openat'; readonly dirfd: number; readonly path: PathArg; readonly flags: number; readonly mode: number }
  // memory
  | { readonly name: 'mmap'; readonly addr: Ptr; readonly length: bigint; readonly prot: number; readonly flags: number; readonly fd: number; readonly offset: bigint }
  | { readonly name: 'munmap'; readonly addr: Ptr; readonly length: bigint }
  | { readonly name: 'mprotect'; readonly addr: Ptr; readonly length: bigint; readonly prot: number }
  | { readonly name: 'brk'; readonly addr: Ptr }
  // fs context
  | { readonly name: 'umask'; readonly mask: number }
  | { readonly name: 'chdir'; readonly path: PathArg }
  | { readonly name: 'fchdir'; readonly fd: number }
  | { readonly name: 'getcwd'; readonly buf: Ptr; readonly size: bigint }
  // time and futexes
  | { readonly name: 'nanosleep'; readonly req: Ptr | TimespecValue; readonly rem: Ptr }
  | {
      readonly name: 'clock_nanosleep';
      readonly clockid: number;
      readonly flags: number;
      readonly req: Ptr | TimespecValue;
      readonly rem: Ptr;
    }
  | {
      readonly name: 'futex';
      readonly uaddr: Ptr;
      readonly op: number;
      readonly val: number;
      /** FUTEX_WAIT's relative timeout, by address or value; 0n = none. */
      readonly timeout: Ptr | TimespecValue;
    }
  /** Any other system call: ENOSYS, reported as unmodeled in the event stream. */
  | { readonly name: 'unknown'; readonly syscall: string };

export type SyscallName = Syscall['name'];
/** The call shape for one syscall name. */
export type CallOf<N extends SyscallName> = Extract<Syscall, { readonly name: N }>;
