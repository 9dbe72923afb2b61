// The part of the kernel the replay guest drives, in one place, so the guest
// reads as replay logic and the kernel's API is met here only.
import type { KernelEvent, SigInfo, Syscall, SyscallResult } from '@forkscope/kernel';

export interface KernelPort {
  /** Creates the root task the recording's first line belongs to (it is about to execve), with these fds open. */
  spawnRoot(fds: readonly number[]): number;
  syscall(tid: number, call: Syscall): SyscallResult;
  /** The result of the call a task was blocked in, once it completed; `blocked` or undefined while it has not. */
  completion(tid: number): SyscallResult | undefined;
  /** Whether the task's fd table holds the fd open (asked without changing anything). */
  fdOpen(tid: number, fd: number): boolean;
  tgidOf(tid: number): number;
  /** Sends a signal from outside the modelled processes (SI_USER from pid 0) to the task's process. */
  inject(tid: number, signo: number): void;
  /**
   * Whether the filesystem model decides an exec or chdir of this path for this task: 'known',
   * 'unknown' (not in the fs manifest) or 'no-fs' (the capture has no manifest).
   */
  fsKnows(tid: number, what: 'exec' | 'chdir', path: string): 'known' | 'unknown' | 'no-fs';
  /**
   * A key for the task's address space: its process and how many execs it has done (threads share
   * it, exec replaces it). A CLONE_VM child of another process gets its own key: close enough for brk.
   */
  addressSpaceOf(tid: number): string;
  /** Whether the task is running a signal handler the kernel delivered (so rt_sigreturn has a frame to pop). */
  inHandler(tid: number): boolean;
  /** Whether any byte of [addr, addr + length) is mapped in the task's address space. */
  anyMapped(tid: number, addr: bigint, length: bigint): boolean;
  /** The call whose return register the innermost handler frame saved (rt_sigreturn returns it), or null. */
  sigreturnCall(tid: number): string | null;
  /** Whether the task can make a call now ('ready'), or why not; undefined for an unknown tid. */
  state(tid: number): 'ready' | 'blocked' | 'stopped' | 'exited' | 'zombie' | undefined;
  /** strace collected the task's exit (its `+++ exited`/`+++ killed` line): the parent is told now. */
  collect(tid: number): void;
  /** The task runs again after its last return (its `--- SIG ---` line): it takes its pending signals now. */
  resume(tid: number): void;
  /**
   * While tasks take their signals at their `--- SIG ---` lines: `decide` is asked when a standard
   * signal would merge into one of its number that a stopped task has not taken yet; true says
   * the task took that one before this sending, and it takes it now (KernelOptions.signalTakenBefore).
   */
  askBeforeMerge(decide: (tid: number, info: SigInfo) => boolean): void;
  /**
   * The kernel's event log so far (append-only); with the adapter's `keepEvents: false`, only the
   * events takeEvents has not returned yet.
   */
  events(): readonly KernelEvent[];
  /** The events since the previous takeEvents, in order (with `keepEvents: false` the kernel then forgets them). */
  takeEvents(): readonly KernelEvent[];
  /** How many events the kernel has emitted so far (the next event's seq). */
  eventCount(): number;
}
