// @forkscope/kernel's public API, by name.

// The kernel and its call/result/event vocabulary.
export { Kernel, KernelUsageError } from './kernel.js';
export type { KernelOptions, ProcessView, SpawnOptions, TaskStateView, TaskView } from './kernel.js';
export type {
  CallOf,
  CloneArgsStruct,
  ItimervalValue,
  PathArg,
  RlimitValue,
  Ptr,
  SigactionStruct,
  SigsetValue,
  StackValue,
  StringArrayArg,
  Syscall,
  SyscallName,
  TimespecValue,
} from './calls.js';
export type { BlockedKind, BlockedOn, SigInfo, SyscallOut, SyscallResult, Tid } from './outcome.js';
export type { ExitHow, KernelEvent, KernelEventBody, KernelEventType, SignalDisposition } from './events.js';
export type { HandlerFrame } from './task.js';
export {
  AT_EMPTY_PATH,
  AT_FDCWD,
  AT_SYMLINK_NOFOLLOW,
  CLD,
  CLONE,
  CLONE_ARGS_SIZE_VER0,
  CLONE_ARGS_SIZE_VER1,
  CLONE_ARGS_SIZE_VER2,
  FUTEX,
  P_ALL,
  P_PGID,
  P_PID,
  P_PIDFD,
  PR,
  SA,
  SI_KERNEL,
  SI_QUEUE,
  SI_TKILL,
  SI_USER,
  SIG_BLOCK,
  SIG_SETMASK,
  SIG_UNBLOCK,
  WAIT,
} from './abi.js';
export type { CldCode } from './abi.js';
export { RLIMIT, RLIM_INFINITY, RLIM_NLIMITS } from './rlimits.js';
export { ARCH, ORIG_RSEQ_SIZE, ROBUST_LIST_HEAD_SIZE } from './task-state-calls.js';
export { GRND } from './random-calls.js';
export { encodeStatus } from './exit.js';

// Tables generated from the Linux headers.
export {
  ERRNO,
  ERRNO_ALIASES,
  ERRNO_TABLE,
  errnoMessage,
  errnoName,
  errnoNumber,
  isErrnoName,
  parseErrnoName,
} from './errno.js';
export type { ErrnoAlias, ErrnoInfo, ErrnoName, Errno } from './errno.js';
export {
  defaultAction,
  isValidSignal,
  NSIG,
  SIGNAL_ALIASES,
  SIGNAL_TABLE,
  SIGNALS,
  SIGRTMAX,
  SIGRTMIN,
  signalInfo,
  signalName,
  signalNumber,
} from './signals.js';
export type { DefaultAction, SignalInfo, SignalName, StandardSignalName } from './signals.js';

// Resources the kernel is built from (usable on their own).
export * from './memory/index.js';
export * from './files/index.js';
export * from './fs/index.js';
