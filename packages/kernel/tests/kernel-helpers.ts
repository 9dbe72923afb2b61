// Shared scaffolding for the kernel scenario tests: a booted kernel, calls that check every
// invariant after each step, and small accessors for results.
import { expect } from 'vitest';
import { Kernel, SIGNALS, Vfs, type KernelOptions, type Syscall, type SyscallResult, type Tid } from '../src/index.js';

export interface Booted {
  readonly k: Kernel;
  /** The root process's pid. */
  readonly root: Tid;
}

export function boot(options: KernelOptions = {}, path = '/bin/sh'): Booted {
  const k = new Kernel(options);
  const root = k.spawn({ path, argv: [path] });
  expect(k.checkInvariants()).toEqual([]);
  return { k, root };
}

/** One call, then the invariants. */
export function call(k: Kernel, tid: Tid, c: Syscall): SyscallResult {
  const r = k.syscall(tid, c);
  expect(k.checkInvariants()).toEqual([]);
  return r;
}

/** The value of a call that must succeed at once. */
export function ok(k: Kernel, tid: Tid, c: Syscall): number {
  const r = call(k, tid, c);
  if (r.kind !== 'done') throw new Error(`${c.name} by ${tid}: expected done, got ${JSON.stringify(r, bigintJson)}`);
  return Number(r.value);
}

/** The errno of a call that must fail at once. */
export function errno(k: Kernel, tid: Tid, c: Syscall): string {
  const r = call(k, tid, c);
  if (r.kind !== 'error') throw new Error(`${c.name} by ${tid}: expected an error, got ${JSON.stringify(r, bigintJson)}`);
  return r.errno;
}

export function bigintJson(_key: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}

export function fork(k: Kernel, tid: Tid): Tid {
  return ok(k, tid, { name: 'fork' });
}

export function exit(k: Kernel, tid: Tid, status: number): void {
  expect(call(k, tid, { name: 'exit_group', status }).kind).toBe('gone');
}

export function wait4(k: Kernel, tid: Tid, pid: number, options = 0): SyscallResult {
  return call(k, tid, { name: 'wait4', pid, status: 0n, options, rusage: 0n });
}

export function waitid(k: Kernel, tid: Tid, idtype: number, id: number, options: number): SyscallResult {
  return call(k, tid, { name: 'waitid', idtype, id, infop: 0n, options, rusage: 0n });
}

/** Maps a fresh anonymous read/write page in a task and returns its address. */
export function page(k: Kernel, tid: Tid): bigint {
  const r = call(k, tid, { name: 'mmap', addr: 0n, length: 4096n, prot: 3, flags: 0x22, fd: -1, offset: 0n });
  if (r.kind !== 'done') throw new Error('mmap failed');
  return r.value;
}

export function sigaction(k: Kernel, tid: Tid, sig: number, handler: 'SIG_DFL' | 'SIG_IGN' | bigint, flags = 0n, mask = 0n): SyscallResult {
  return call(k, tid, { name: 'rt_sigaction', sig, act: { handler, flags, mask }, oldact: 0n, sigsetsize: 8n });
}

/**
 * dash reaping a two-child pipeline under strace: with a SIGCHLD handler at `handler`, the root
 * forks two children and blocks in wait4(-1); the older exits and is collected (wait4 returns it,
 * its SIGCHLD pending), then the younger exits and is collected before the root's resume. `first`
 * is wait4's completion.
 */
export function reapedPipeline(k: Kernel, root: Tid, handler: bigint): { older: Tid; younger: Tid; first: SyscallResult | undefined } {
  sigaction(k, root, SIGNALS.SIGCHLD, handler, 0n);
  const older = fork(k, root);
  const younger = fork(k, root);
  expect(call(k, root, { name: 'wait4', pid: -1, status: 0n, options: 0, rusage: 0n }).kind).toBe('blocked');
  exit(k, older, 0);
  expect(k.tracerCollect(older)).toBe(true);
  const first = k.completion(root);
  exit(k, younger, 0);
  expect(k.tracerCollect(younger)).toBe(true);
  return { older, younger, first };
}

export function sigmask(k: Kernel, tid: Tid, how: number, mask: bigint): SyscallResult {
  return call(k, tid, { name: 'rt_sigprocmask', how, set: { mask }, oldset: 0n, sigsetsize: 8n });
}

export function bitOf(sig: number): bigint {
  return 1n << BigInt(sig - 1);
}

/** A small filesystem: ELF programs in /bin, a text file, a device, a temp directory. */
export function standardFs(): Vfs {
  const vfs = new Vfs();
  for (const p of ['/bin/true', '/bin/sh', '/bin/sleep', '/bin/cat', '/usr/bin/env', '/usr/bin/python3']) {
    vfs.writeFile(p, { kind: 'elf' }, { mode: 0o755 });
  }
  vfs.writeFile('/etc/passwd', { kind: 'text' }, { mode: 0o644 });
  vfs.mknod('/dev/null', { mode: 0o666 });
  vfs.mkdir('/tmp', { mode: 0o1777 });
  return vfs;
}

/** Starts a relative sleep; the task blocks until the clock passes it. */
export function sleep(k: Kernel, tid: Tid, ms: number): void {
  const r = call(k, tid, { name: 'nanosleep', req: { sec: BigInt(Math.floor(ms / 1000)), nsec: BigInt((ms % 1000) * 1_000_000) }, rem: 0n });
  expect(r.kind).toBe('blocked');
}

export function ms(n: number): bigint {
  return BigInt(n) * 1_000_000n;
}

/** Runs the clock until `tid`'s blocked call completes; returns its result. */
export function runUntilDone(k: Kernel, tid: Tid): SyscallResult {
  for (let i = 0; i < 1000; i++) {
    const r = k.completion(tid);
    if (r !== undefined) {
      expect(k.checkInvariants()).toEqual([]);
      return r;
    }
    if (!k.advanceClock()) throw new Error(`task ${tid} never completes`);
  }
  throw new Error('clock ran away');
}

export function execve(k: Kernel, tid: Tid, path: string, argv: readonly string[] = [path]): SyscallResult {
  return call(k, tid, { name: 'execve', path, argv, envp: [] });
}
