// glibc 2.36's process-creation building blocks, as guest code: the system calls each wrapper
// issues, in order, with the state the real code keeps in memory kept in emulated memory.
import { CLONE, SIG_BLOCK, SIG_SETMASK, SIGNALS, WAIT, type Syscall } from '@forkscope/kernel';
import { RanPastNoReturn, type ChildStart, type Guest, type GuestGen, type Program, type SysResult } from '../runtime/program.js';

/** Issues one system call and returns its result. */
export function* sys(call: Syscall, child?: ChildStart): GuestGen<SysResult> {
  return yield child === undefined ? { call } : { call, child };
}

/** The value of a successful call; a model bug if it failed. */
export function* must(call: Syscall, child?: ChildStart): GuestGen<bigint> {
  const r = yield* sys(call, child);
  if (r.kind !== 'done') throw new Error(`${call.name} failed with ${r.errno} where the program expects success`);
  return r.value;
}

/** _exit(2): exit_group; never returns. */
export function* exitGroup(status: number): GuestGen<never> {
  yield { call: { name: 'exit_group', status } };
  throw new RanPastNoReturn('_exit');
}

/** The raw exit(2) of one thread; never returns. */
export function* exitThread(status: number): GuestGen<never> {
  yield { call: { name: 'exit', status } };
  throw new RanPastNoReturn('exit');
}

/** Reserves `bytes` of the caller's stack (a C local), zero-filled; returns its address. */
export function pushLocal(g: Guest, bytes: bigint): bigint {
  g.sp -= (bytes + 15n) & ~15n;
  g.mem.write(g.sp, new Uint8Array(Number(bytes)));
  return g.sp;
}

export function popLocal(g: Guest, bytes: bigint): void {
  g.sp += (bytes + 15n) & ~15n;
}

/** glibc fork(): clone(CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD) with the thread's tid word. */
export function* fork(g: Guest, child: Program): GuestGen<SysResult> {
  const tidWord = g.data + 0x10n;
  return yield* sys(
    { name: 'clone', flags: CLONE.CHILD_CLEARTID | CLONE.CHILD_SETTID | BigInt(SIGNALS.SIGCHLD), stack: 0n, parent_tid: 0n, child_tid: tidWord, tls: 0n },
    { body: child, stack: 'inherit' },
  );
}

/** The vfork(2) system call: the child runs on the caller's stack with the caller's registers. */
export function* vfork(child: Program): GuestGen<SysResult> {
  return yield* sys({ name: 'vfork' }, { body: child, stack: 'inherit' });
}

/** waitpid(pid, status, options) = wait4(pid, status, options, NULL). */
export function* waitpid(pid: number, status: bigint, options = 0): GuestGen<SysResult> {
  return yield* sys({ name: 'wait4', pid, status, options, rusage: 0n });
}

export function* execve(path: string, argv: readonly string[], envp: readonly string[]): GuestGen<SysResult> {
  return yield* sys({ name: 'execve', path, argv, envp });
}

/** An errno name → number, for values programs store in memory (only those the models use). */
export const ERRNO_NUMBERS: { readonly [name: string]: number } = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, E2BIG: 7, ENOEXEC: 8, EBADF: 9, ECHILD: 10, EAGAIN: 11,
  ENOMEM: 12, EACCES: 13, EFAULT: 14, EEXIST: 17, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, EMFILE: 24, ENAMETOOLONG: 36,
  ELOOP: 40,
};

export function errnoNumber(r: SysResult): number {
  if (r.kind === 'done') return 0;
  const n = ERRNO_NUMBERS[r.errno];
  if (n === undefined) throw new Error(`errno ${r.errno} has no number in the models' table`);
  return n;
}

export function errnoNameOf(n: number): string {
  for (const [name, v] of Object.entries(ERRNO_NUMBERS)) if (v === n) return name;
  return `errno ${n}`;
}

/** The PATH value of an environment, glibc's default when unset. */
export function pathOf(envp: readonly string[]): string {
  const e = envp.find((s) => s.startsWith('PATH='));
  return e === undefined ? '/bin:/usr/bin' : e.slice(5);
}

/**
 * __execvpe_common without the ENOEXEC fallback (glibc 2.36's posix_spawnp and Rust's path):
 * a name with a slash is exec'd as is; otherwise each PATH entry is tried, EACCES remembered,
 * ENOENT/ENOTDIR/ESTALE… skipped, anything else ends the search. Returns the failure.
 */
export function* execvpe(file: string, argv: readonly string[], envp: readonly string[], path = pathOf(envp)): GuestGen<SysResult> {
  if (file.includes('/')) return yield* execve(file, argv, envp);
  let sawEacces = false;
  let last: SysResult = { kind: 'error', errno: 'ENOENT' };
  for (const dir of path.split(':')) {
    const full = `${dir === '' ? '.' : dir}/${file}`;
    const r = yield* execve(full, argv, envp);
    last = r;
    if (r.kind !== 'error') return r;
    if (r.errno === 'EACCES') sawEacces = true;
    else if (r.errno !== 'ENOENT' && r.errno !== 'ENOTDIR' && r.errno !== 'ESTALE' && r.errno !== 'ENODEV' && r.errno !== 'ETIMEDOUT') return r;
  }
  return sawEacces ? { kind: 'error', errno: 'EACCES' } : last;
}

/** __libc_signal_block_all / __libc_signal_restore_set. */
export function* blockAllSignals(oldset: bigint): GuestGen<void> {
  yield* must({ name: 'rt_sigprocmask', how: SIG_BLOCK, set: { mask: ~0n & ((1n << 64n) - 1n) }, oldset, sigsetsize: 8n });
}

export function* restoreSignals(g: Guest, oldset: bigint): GuestGen<void> {
  yield* must({ name: 'rt_sigprocmask', how: SIG_SETMASK, set: { mask: g.mem.readU64(oldset) }, oldset: 0n, sigsetsize: 8n });
}

export { WAIT };

/** read(2) into a buffer on the caller's stack; the result carries the bytes in `out.data`. */
export function* readFd(g: Guest, fd: number, count: bigint): GuestGen<SysResult> {
  const buf = pushLocal(g, count);
  const r = yield* sys({ name: 'read', fd, buf, count });
  popLocal(g, count);
  return r;
}
