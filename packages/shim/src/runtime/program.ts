// What a guest program is to the runtime: a generator that yields one system call at a time
// (a Step) and is resumed with the kernel's answer. Code is JS (it is immutable, like a
// program's text); everything the program keeps in memory lives in its emulated address space,
// reached through the Guest handle.
import type { CloneArgsStruct, Syscall, SyscallResult, Tid } from '@forkscope/kernel';

/** What a finished call hands back to the program: a value or an errno (never blocked). */
export type SysResult = Extract<SyscallResult, { kind: 'done' } | { kind: 'error' }>;

/** How a new task created by a clone-family call starts. */
export interface ChildStart {
  /** The code the child runs: the `pid == 0` branch of the real program. */
  readonly body: Program;
  /**
   * The child's stack pointer: 'inherit' (fork, vfork, clone without a stack: the parent's
   * register value, hence the same stack memory under CLONE_VM) or the top of a new stack.
   */
  readonly stack: 'inherit' | bigint;
}

export interface Step {
  readonly call: Syscall;
  /** Present on clone-family calls: the code the new task runs. */
  readonly child?: ChildStart;
}

export type GuestGen<R = void> = Generator<Step, R, SysResult>;
/** A program's entry point; the number it returns goes to exit_group, as glibc's exit(main()). */
export type Program = (g: Guest) => GuestGen<number | void>;

/** A signal handler's code: called with the signal number, as a C handler is. */
export type SignalHandler = (g: Guest, signo: number) => GuestGen<unknown>;

/** The program's view of its task: its registers and its memory. */
export interface Guest {
  readonly tid: Tid;
  /** Stack pointer register. */
  sp: bigint;
  /** Base of the image's data segment (its globals), set by the loader. */
  readonly data: bigint;
  /** argv and envp the image was started with. */
  readonly argv: readonly string[];
  readonly envp: readonly string[];
  /** Reads and writes of the task's own address space (a fault is a model bug: it throws). */
  readonly mem: GuestMemory;
  /**
   * What a path names, for a shell's PATH lookup. The kernel models no stat(2), so this reads
   * the filesystem model directly (a known gap: the lookup leaves no line in the trace).
   */
  lookup(path: string): 'file' | 'absent' | 'unknown';
  /** Registers a signal handler's code at a code address (the image's text). */
  defineHandler(addr: bigint, handler: SignalHandler): void;
}

export interface GuestMemory {
  readU32(addr: bigint): number;
  writeU32(addr: bigint, value: number): void;
  readU64(addr: bigint): bigint;
  writeU64(addr: bigint, value: bigint): void;
  read(addr: bigint, len: number): Uint8Array;
  write(addr: bigint, bytes: Uint8Array): void;
}

/** Thrown when a program runs past a call that never returns (exit, a successful execve). */
export class RanPastNoReturn extends Error {
  override readonly name = 'RanPastNoReturn';
}

/** A model bug (not a guest error): the runtime reports it with the model's name. */
export class ModelError extends Error {
  override readonly name = 'ModelError';
}

/** Decoded clone3 arguments with the fields glibc sets. */
export type Clone3Args = CloneArgsStruct;
