// Section G of the catalogue: the call sequences glibc issues, as the kernel sees them.
import { describe, expect, it } from 'vitest';
import { CLONE, SIGNALS, WAIT, type Kernel, type Tid } from '../src/index.js';
import { boot, call, exit, ok, page, standardFs, wait4 } from './kernel-helpers.js';

const SIGCHLD_N = BigInt(SIGNALS.SIGCHLD);

/** glibc's __spawni: clone3(CLONE_VM|CLONE_VFORK) on an mmap'd stack; returns the child. */
function spawnClone3(k: Kernel, parent: Tid): Tid {
  const stack = ok(k, parent, { name: 'mmap', addr: 0n, length: 0x9000n, prot: 3, flags: 0x20022, fd: -1, offset: 0n });
  const r = call(k, parent, {
    name: 'clone3',
    args: { flags: CLONE.VM | CLONE.VFORK, exit_signal: SIGCHLD_N, stack: BigInt(stack), stack_size: 0x9000n },
    size: 88n,
  });
  if (r.kind !== 'blocked' || r.on.kind !== 'vfork') throw new Error('clone3 did not wait for the child');
  return r.on.child;
}

describe('G. libc-level patterns', () => {
  it('G1 POSIX_SPAWN-VIA-CLONE3-VFORK (failing exec: ENOENT reported, child reaped)', () => {
    const { k, root } = boot({ fs: standardFs() });
    const errSlot = page(k, root);
    const child = spawnClone3(k, root);
    expect(call(k, child, { name: 'execve', path: '/nonexistent', argv: ['x'], envp: [] })).toEqual({ kind: 'error', errno: 'ENOENT' });
    // The child stores errno in the parent's memory (shared), then _exit(127).
    k.memory(child).writeU32(errSlot, 2);
    exit(k, child, 127);
    expect(k.completion(root)).toEqual({ kind: 'done', value: BigInt(child) });
    expect(k.memory(root).readU32(errSlot)).toEqual({ ok: true, value: 2 });
    expect(wait4(k, root, child)).toMatchObject({ out: { status: 127 << 8 } });
    expect(wait4(k, root, -1, WAIT.WNOHANG)).toEqual({ kind: 'error', errno: 'ECHILD' });
  });

  it('G1 POSIX_SPAWN-VIA-CLONE3-VFORK (successful exec)', () => {
    const { k, root } = boot({ fs: standardFs() });
    const child = spawnClone3(k, root);
    expect(call(k, child, { name: 'execve', path: '/bin/true', argv: ['true'], envp: [] }).kind).toBe('done');
    expect(k.completion(root)).toEqual({ kind: 'done', value: BigInt(child) });
    exit(k, child, 0);
    expect(wait4(k, root, child)).toMatchObject({ out: { status: 0 } });
  });

  it('G2 GLIBC-FORK (clone with CHILD_CLEARTID|CHILD_SETTID, and the vfork syscall)', () => {
    const { k, root } = boot();
    const tidWord = page(k, root);
    const child = ok(k, root, {
      name: 'clone',
      flags: CLONE.CHILD_CLEARTID | CLONE.CHILD_SETTID | SIGCHLD_N,
      stack: 0n,
      parent_tid: 0n,
      child_tid: tidWord,
      tls: 0n,
    });
    expect(k.memory(child).readU32(tidWord)).toEqual({ ok: true, value: child });
    expect(k.memory(root).readU32(tidWord)).toEqual({ ok: true, value: 0 });
    exit(k, child, 0);
    expect(wait4(k, root, child).kind).toBe('done');
    const v = call(k, root, { name: 'vfork' });
    expect(v).toMatchObject({ kind: 'blocked', on: { kind: 'vfork' } });
  });

  it('G3 GLIBC-PTHREAD_CREATE', () => {
    const { k, root } = boot();
    const pd = page(k, root);
    const flags =
      CLONE.VM | CLONE.FS | CLONE.FILES | CLONE.SIGHAND | CLONE.THREAD | CLONE.SYSVSEM | CLONE.SETTLS | CLONE.PARENT_SETTID | CLONE.CHILD_CLEARTID;
    const t = ok(k, root, {
      name: 'clone3',
      args: { flags, child_tid: pd, parent_tid: pd, exit_signal: 0n, stack: 0x7000_0000n, stack_size: 0x80_0000n, tls: 0x7f00_0000_0000n },
      size: 88n,
    });
    expect(k.memory(root).readU32(pd)).toEqual({ ok: true, value: t });
    expect(ok(k, t, { name: 'getpid' })).toBe(root);
    // pthread_join: futex wait on the tid word; the thread ends with exit (not exit_group).
    expect(call(k, root, { name: 'futex', uaddr: pd, op: 0, val: t, timeout: 0n }).kind).toBe('blocked');
    expect(call(k, t, { name: 'exit', status: 0 }).kind).toBe('gone');
    expect(k.completion(root)).toEqual({ kind: 'done', value: 0n });
    expect(k.memory(root).readU32(pd)).toEqual({ ok: true, value: 0 });
    expect(k.process(root)?.state).toBe('live');
  });

  it('G4 SPAWN-ORDERING (the parent resumes strictly after the child exec)', () => {
    const { k, root } = boot({ fs: standardFs() });
    const child = spawnClone3(k, root);
    call(k, child, { name: 'execve', path: '/bin/true', argv: ['true'], envp: [] });
    const idx = (pred: (e: (typeof k.events)[number]) => boolean) => k.events.findIndex(pred);
    const exec = idx((e) => e.type === 'exec' && e.tid === child);
    const resumed = idx((e) => e.type === 'woken' && e.tid === root);
    expect(exec).toBeGreaterThan(-1);
    expect(resumed).toBeGreaterThan(exec);
    expect(wait4(k, root, child, WAIT.WNOHANG)).toEqual({ kind: 'done', value: 0n });
  });
});
