// open(2)/fcntl(2)/pipe2(2)/close_range(2) constants, x86_64 values
// (include/uapi/asm-generic/fcntl.h, linux/fcntl.h, linux/close_range.h, linux/limits.h).

export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_ACCMODE = 0o3;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_ASYNC = 0o20000;
export const O_DIRECT = 0o40000;
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;

/** Status flags F_SETFL may change (fs/fcntl.c SETFL_MASK); the rest of the argument is ignored. */
export const SETFL_MASK = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_DUPFD_CLOEXEC = 1030;
export const F_SETPIPE_SZ = 1031;
export const F_GETPIPE_SZ = 1032;

export const FD_CLOEXEC = 1;

export const CLOSE_RANGE_UNSHARE = 1 << 1;
export const CLOSE_RANGE_CLOEXEC = 1 << 2;

/** Largest write guaranteed atomic on a pipe. */
export const PIPE_BUF = 4096;
/** Default RLIMIT_NOFILE soft limit. */
export const DEFAULT_NOFILE = 1024;
/** fs.nr_open: the hard ceiling on any descriptor number (F_DUPFD/dup2 beyond it → EBADF/EINVAL). */
export const NR_OPEN = 1048576;
/** /proc/sys/fs/pipe-max-size default. */
export const PIPE_MAX_SIZE = 1048576;
