// Symbolic names strace prints for argument bits and constants, to the numbers
// Linux uses (x86_64). Only what the replay converts; an unknown name is
// reported by the caller, never guessed.
import { CLONE, P_ALL, P_PGID, P_PID, P_PIDFD, SA, SIG_BLOCK, SIG_SETMASK, SIG_UNBLOCK, WAIT } from '@forkscope/kernel';

export type NameTable = ReadonlyMap<string, bigint>;

function table(entries: Readonly<Record<string, number | bigint>>): NameTable {
  return new Map(Object.entries(entries).map(([k, v]) => [k, BigInt(v)]));
}

/** A table of the kernel's own ABI constants (one source of the numbers), under strace's prefixed names. */
function prefixed(prefix: string, entries: Readonly<Record<string, number | bigint>>, skip: readonly string[] = []): NameTable {
  return new Map(
    Object.entries(entries)
      .filter(([k]) => !skip.includes(k))
      .map(([k, v]) => [`${prefix}${k}`, BigInt(v)]),
  );
}

/** The kernel's clone flags under the names strace prints (CLONE_VM …); CSIGNAL is a mask, not a flag. */
export const CLONE_FLAG_NAMES: NameTable = prefixed('CLONE_', CLONE, ['CSIGNAL']);

export const WAIT_OPTION_NAMES: NameTable = table(WAIT);

export const IDTYPE_NAMES: NameTable = table({ P_ALL, P_PID, P_PGID, P_PIDFD });

/** open(2) flags as strace prints them on x86_64 (O_LARGEFILE is 0100000 there). */
export const OPEN_FLAG_NAMES: NameTable = table({
  O_RDONLY: 0,
  O_WRONLY: 0o1,
  O_RDWR: 0o2,
  O_ACCMODE: 0o3,
  O_CREAT: 0o100,
  O_EXCL: 0o200,
  O_NOCTTY: 0o400,
  O_TRUNC: 0o1000,
  O_APPEND: 0o2000,
  O_NONBLOCK: 0o4000,
  O_NDELAY: 0o4000,
  O_DSYNC: 0o10000,
  O_ASYNC: 0o20000,
  O_DIRECT: 0o40000,
  O_LARGEFILE: 0o100000,
  O_DIRECTORY: 0o200000,
  O_NOFOLLOW: 0o400000,
  O_NOATIME: 0o1000000,
  O_CLOEXEC: 0o2000000,
  O_SYNC: 0o4010000,
  O_PATH: 0o10000000,
  O_TMPFILE: 0o20200000,
});

export const FCNTL_CMD_NAMES: NameTable = table({
  F_DUPFD: 0,
  F_GETFD: 1,
  F_SETFD: 2,
  F_GETFL: 3,
  F_SETFL: 4,
  F_DUPFD_CLOEXEC: 1030,
  F_SETPIPE_SZ: 1031,
  F_GETPIPE_SZ: 1032,
});

export const FD_FLAG_NAMES: NameTable = table({ FD_CLOEXEC: 1 });

export const SIGPROCMASK_HOW_NAMES: NameTable = table({ SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK });

export const SA_FLAG_NAMES: NameTable = prefixed('SA_', SA);

export const PROT_NAMES: NameTable = table({ PROT_NONE: 0, PROT_READ: 1, PROT_WRITE: 2, PROT_EXEC: 4, PROT_SEM: 8, PROT_GROWSDOWN: 0x01000000, PROT_GROWSUP: 0x02000000 });

export const MAP_FLAG_NAMES: NameTable = table({
  MAP_SHARED: 0x01,
  MAP_PRIVATE: 0x02,
  MAP_SHARED_VALIDATE: 0x03,
  MAP_FIXED: 0x10,
  MAP_ANONYMOUS: 0x20,
  MAP_32BIT: 0x40,
  MAP_GROWSDOWN: 0x100,
  MAP_DENYWRITE: 0x800,
  MAP_EXECUTABLE: 0x1000,
  MAP_LOCKED: 0x2000,
  MAP_NORESERVE: 0x4000,
  MAP_POPULATE: 0x8000,
  MAP_NONBLOCK: 0x10000,
  MAP_STACK: 0x20000,
  MAP_HUGETLB: 0x40000,
  MAP_SYNC: 0x80000,
  MAP_FIXED_NOREPLACE: 0x100000,
});

export const AT_NAMES: NameTable = table({
  AT_FDCWD: -100,
  AT_SYMLINK_NOFOLLOW: 0x100,
  AT_REMOVEDIR: 0x200,
  AT_SYMLINK_FOLLOW: 0x400,
  AT_NO_AUTOMOUNT: 0x800,
  AT_EMPTY_PATH: 0x1000,
  AT_STATX_SYNC_AS_STAT: 0,
});

export const CLOSE_RANGE_NAMES: NameTable = table({ CLOSE_RANGE_UNSHARE: 2, CLOSE_RANGE_CLOEXEC: 4 });

export const PRCTL_OPTION_NAMES: NameTable = table({
  PR_SET_PDEATHSIG: 1,
  PR_GET_PDEATHSIG: 2,
  PR_SET_NAME: 15,
  PR_GET_NAME: 16,
  PR_SET_CHILD_SUBREAPER: 36,
  PR_GET_CHILD_SUBREAPER: 37,
});

export const RLIMIT_NAMES: NameTable = table({
  RLIMIT_CPU: 0,
  RLIMIT_FSIZE: 1,
  RLIMIT_DATA: 2,
  RLIMIT_STACK: 3,
  RLIMIT_CORE: 4,
  RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6,
  RLIMIT_NOFILE: 7,
  RLIMIT_MEMLOCK: 8,
  RLIMIT_AS: 9,
  RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11,
  RLIMIT_MSGQUEUE: 12,
  RLIMIT_NICE: 13,
  RLIMIT_RTPRIO: 14,
  RLIMIT_RTTIME: 15,
});

export const ARCH_PRCTL_NAMES: NameTable = table({
  ARCH_SET_GS: 0x1001,
  ARCH_SET_FS: 0x1002,
  ARCH_GET_FS: 0x1003,
  ARCH_GET_GS: 0x1004,
});

export const GRND_NAMES: NameTable = table({ GRND_NONBLOCK: 1, GRND_RANDOM: 2, GRND_INSECURE: 4 });

export const RSEQ_FLAG_NAMES: NameTable = table({ RSEQ_FLAG_UNREGISTER: 1 });

/** futex ops the replay sends (only FUTEX_WAKE needs no guest memory) and the flags strace prints with them. */
export const FUTEX_OP_NAMES: NameTable = table({ FUTEX_WAKE: 1, FUTEX_WAKE_PRIVATE: 129 });
