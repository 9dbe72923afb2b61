// Shared scaffolding for the kernel scenario tests: a booted kernel, calls that check every
// invariant after each step, and small accessors for results.
import { expect } from 'vitest';
import { Kernel, type KernelOptions, type Syscall, type SyscallResult, type Tid } from '../src/index.js';

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

export function sigmask(k: Kernel, tid: Tid, how: number, mask: bigint): SyscallResult {
  return call(k, tid, { name: 'rt_sigprocmask', how, set: { mask }, oldset: 0n, sigsetsize: 8n });
}

export function bitOf(sig: number): bigint {
  return 1n << BigInt(sig - 1);
}
