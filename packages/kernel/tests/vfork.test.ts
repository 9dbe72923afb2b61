// Section A of the catalogue: vfork / CLONE_VFORK ordering.
import { describe, expect, it } from 'vitest';
import { CLONE, SIGNALS, SIG_BLOCK, type Tid } from '../src/index.js';
import {
  bitOf,
  boot,
  call,
  errno,
  execve,
  exit,
  fork,
  ms,
  ok,
  page,
  runUntilDone,
  sigaction,
  sigmask,
  sleep,
  standardFs,
  wait4,
} from './kernel-helpers.js';
import type { Kernel } from '../src/index.js';

const { SIGCHLD, SIGKILL, SIGTERM, SIGUSR1, SIGSTOP } = SIGNALS;

/** vforks and returns the child's pid; the parent must be blocked on it. */
function vfork(k: Kernel, parent: Tid): Tid {
  const r = call(k, parent, { name: 'vfork' });
  if (r.kind !== 'blocked' || r.on.kind !== 'vfork') throw new Error(`vfork did not block: ${r.kind}`);
  return r.on.child;
}

describe('A. vfork / CLONE_VFORK ordering', () => {
  it('A1 VFORK-EXIT-RELEASES', () => {
    const { k, root } = boot();
    const child = vfork(k, root);
    expect(k.runnable()).toEqual([child]);
    sleep(k, child, 300);
    expect(runUntilDone(k, child)).toEqual({ kind: 'done', value: 0n });
    expect(k.completion(root)).toBeUndefined();
    exit(k, child, 118);
    expect(k.completion(root)).toEqual({ kind: 'done', value: BigInt(child) });
    expect(k.now()).toBeGreaterThanOrEqual(ms(300));
    expect(wait4(k, root, child)).toMatchObject({ kind: 'done', out: { status: 118 << 8 } });
  });

  it('A2 VFORK-EXEC-RELEASES', () => {
    const { k, root } = boot({ fs: standardFs() });
    const child = vfork(k, root);
    sleep(k, child, 100);
    runUntilDone(k, child);
    expect(execve(k, child, '/bin/sleep')).toEqual({ kind: 'done', value: 0n });
    // Released by the successful exec, at D, long before the program's own exit.
    expect(k.completion(root)).toEqual({ kind: 'done', value: BigInt(child) });
    expect(k.now()).toBe(ms(100));
    sleep(k, child, 100);
    runUntilDone(k, child);
    exit(k, child, 7);
    expect(wait4(k, root, child)).toMatchObject({ kind: 'done', out: { status: 7 << 8 } });
    // The release happens inside execve (exec_mmap), before the exec is complete.
    const kinds = k.events.filter((e) => e.type === 'exec' || e.type === 'vfork-released').map((e) => e.type);
    expect(kinds).toEqual(['vfork-released', 'exec']);
  });

  it('A3 VFORK-FAILED-EXEC-DOES-NOT-RELEASE', () => {
    const { k, root } = boot({ fs: standardFs() });
    const global = page(k, root);
    const child = vfork(k, root);
    expect(call(k, child, { name: 'execve', path: '/nonexistent', argv: ['x'], envp: [] })).toEqual({ kind: 'error', errno: 'ENOENT' });
    expect(k.completion(root)).toBeUndefined();
    sleep(k, child, 300);
    runUntilDone(k, child);
    expect(k.completion(root)).toBeUndefined();
    // The child writes 100+errno into memory it shares with the parent, then _exit(errno).
    expect(k.memory(child).writeU32(global, 102).ok).toBe(true);
    exit(k, child, 2);
    expect(k.completion(root)).toEqual({ kind: 'done', value: BigInt(child) });
    expect(k.now()).toBeGreaterThanOrEqual(ms(300));
    expect(k.memory(root).readU32(global)).toEqual({ ok: true, value: 102 });
    expect(wait4(k, root, child)).toMatchObject({ out: { status: 2 << 8 } });
  });

  it('A4 VFORK-COMPLETION-ONE-SHOT', () => {
    const { k, root } = boot({ fs: standardFs() });
    const c1 = vfork(k, root);
    execve(k, c1, '/bin/sleep');
    expect(k.completion(root)).toEqual({ kind: 'done', value: BigInt(c1) });
    const c2 = vfork(k, root);
    sleep(k, c2, 500);
    // Child #1 (exec'd, still running) exits first: it must not release the second wait.
    exit(k, c1, 11);
    expect(k.completion(root)).toBeUndefined();
    runUntilDone(k, c2);
    exit(k, c2, 22);
    expect(k.completion(root)).toEqual({ kind: 'done', value: BigInt(c2) });
    expect(k.now()).toBeGreaterThanOrEqual(ms(500));
    expect(wait4(k, root, c1)).toMatchObject({ out: { status: 11 << 8 } });
    expect(wait4(k, root, c2)).toMatchObject({ out: { status: 22 << 8 } });
  });

  it('A5 VFORK-CHILD-KILLED-RELEASES', () => {
    const { k, root } = boot();
    const helper = k.spawn({ path: '/bin/kill' });
    const child = vfork(k, root);
    expect(call(k, child, { name: 'pause' }).kind).toBe('blocked');
    ok(k, helper, { name: 'kill', pid: child, sig: SIGKILL });
    expect(k.completion(root)).toEqual({ kind: 'done', value: BigInt(child) });
    expect(wait4(k, root, child)).toMatchObject({ out: { status: SIGKILL } });
  });

  it('A6 VFORK-PARENT-KILLABLE (SIGKILL and default SIGTERM)', () => {
    for (const sig of [SIGKILL, SIGTERM]) {
      const { k, root } = boot();
      const helper = k.spawn({ path: '/bin/kill' });
      const child = vfork(k, root);
      sleep(k, child, 2000);
      ok(k, helper, { name: 'kill', pid: root, sig });
      // Dead at once, and reaped by init (its parent).
      expect(k.task(root)).toBeUndefined();
      expect(k.completion(root)).toEqual({ kind: 'gone' });
      expect(k.events.some((e) => e.type === 'reaped' && e.tgid === root && e.by === 1)).toBe(true);
      // The child keeps running, adopted by init.
      expect(k.task(child)?.state).toBe('blocked');
      expect(k.task(child)?.ppid).toBe(1);
      const exitEvent = k.events.find((e) => e.type === 'process-exit' && e.tgid === root);
      expect(exitEvent).toMatchObject({ status: sig });
      runUntilDone(k, child);
      exit(k, child, 0);
      expect(k.checkInvariants()).toEqual([]);
    }
  });

  it('A7 VFORK-PARENT-NONFATAL-SIGNAL-DEFERRED', () => {
    const { k, root } = boot();
    const helper = k.spawn({ path: '/bin/kill' });
    sigaction(k, root, SIGUSR1, 0x401000n);
    const child = vfork(k, root);
    sleep(k, child, 1000);
    k.advanceTo(ms(200));
    ok(k, helper, { name: 'kill', pid: root, sig: SIGUSR1 });
    // No EINTR, no early return; the handler has not run.
    expect(k.task(root)?.state).toBe('blocked');
    expect(k.signalFrames(root)).toHaveLength(0);
    runUntilDone(k, child);
    exit(k, child, 0);
    expect(k.completion(root)).toEqual({ kind: 'done', value: BigInt(child) });
    expect(k.now()).toBe(ms(1000));
    expect(k.signalFrames(root).map((f) => f.signo)).toEqual([SIGUSR1]);
  });

  it('A7 VFORK-PARENT-NONFATAL-SIGNAL-DEFERRED (SIGSTOP stops only after release)', () => {
    const { k, root } = boot();
    const helper = k.spawn({ path: '/bin/kill' });
    const child = vfork(k, root);
    sleep(k, child, 1000);
    ok(k, helper, { name: 'kill', pid: root, sig: SIGSTOP });
    expect(k.process(root)?.stopped).toBe(false);
    runUntilDone(k, child);
    exit(k, child, 0);
    expect(k.process(root)?.stopped).toBe(true);
    expect(k.task(root)?.state).toBe('stopped');
  });

  it('A8 VFORK-SIGCHLD-DELIVERED-AFTER', () => {
    const { k, root } = boot();
    sigaction(k, root, SIGCHLD, 0x401000n);
    const c1 = fork(k, root);
    sleep(k, c1, 50);
    const c2 = vfork(k, root);
    sleep(k, c2, 100);
    runUntilDone(k, c1);
    exit(k, c1, 0);
    runUntilDone(k, c2);
    exit(k, c2, 0);
    expect(k.completion(root)).toEqual({ kind: 'done', value: BigInt(c2) });
    expect(k.signalFrames(root).map((f) => f.signo)).toContain(SIGCHLD);
    // The handler ran at vfork's return: sigreturn restores its value, the child's pid.
    expect(ok(k, root, { name: 'rt_sigreturn' })).toBe(c2);
    expect(wait4(k, root, c1).kind).toBe('done');
    expect(wait4(k, root, c2).kind).toBe('done');
  });

  it('A9 VFORK-SHARES-MEMORY', () => {
    const { k, root } = boot();
    const global = page(k, root);
    const child = vfork(k, root);
    expect(ok(k, child, { name: 'getppid' })).toBe(root);
    expect(ok(k, child, { name: 'getpid' })).toBe(child);
    expect(k.memory(child).writeU32(global, 0xabcd).ok).toBe(true);
    exit(k, child, 0);
    expect(k.completion(root)).toEqual({ kind: 'done', value: BigInt(child) });
    expect(k.memory(root).readU32(global)).toEqual({ ok: true, value: 0xabcd });
  });

  it('A10 VFORK-ONLY-CALLING-THREAD-SUSPENDED', () => {
    const { k, root } = boot();
    const flags = CLONE.VM | CLONE.FS | CLONE.FILES | CLONE.SIGHAND | CLONE.THREAD | CLONE.SYSVSEM;
    const sibling = ok(k, root, { name: 'clone', flags, stack: 0x7000_0000n, parent_tid: 0n, child_tid: 0n, tls: 0n });
    const child = vfork(k, root);
    expect(k.runnable()).toEqual(expect.arrayContaining([sibling, child]));
    for (let i = 0; i < 3; i++) expect(ok(k, sibling, { name: 'gettid' })).toBe(sibling);
    sleep(k, child, 300);
    runUntilDone(k, child);
    exit(k, child, 0);
    expect(k.completion(root)?.kind).toBe('done');
  });

  it('A11 VFORK-INHERITS-ATTRS', () => {
    const { k, root } = boot();
    ok(k, root, { name: 'umask', mask: 0o077 });
    ok(k, root, { name: 'chdir', path: '/tmp' });
    const child = vfork(k, root);
    expect(ok(k, child, { name: 'umask', mask: 0o077 })).toBe(0o077);
    const cwd = call(k, child, { name: 'getcwd', buf: 0n, size: 4096n });
    expect(cwd).toMatchObject({ kind: 'done', out: { cwd: '/tmp' } });
    exit(k, child, 0);
  });

  it('A12 VFORK-PENDING-NOT-INHERITED (vfork and fork)', () => {
    for (const how of ['vfork', 'fork'] as const) {
      const { k, root } = boot();
      sigmask(k, root, SIG_BLOCK, bitOf(SIGUSR1));
      ok(k, root, { name: 'kill', pid: root, sig: SIGUSR1 });
      expect(k.task(root)?.pending).toBe(bitOf(SIGUSR1));
      const child = how === 'vfork' ? vfork(k, root) : fork(k, root);
      const pending = call(k, child, { name: 'rt_sigpending', set: 0n, sigsetsize: 8n });
      expect(pending).toMatchObject({ kind: 'done', out: { sigset: 0n } });
      expect(k.task(child)?.sigmask).toBe(bitOf(SIGUSR1));
      exit(k, child, 0);
    }
  });

  it('A13 CLONE_VFORK-WITHOUT-VM (clone3 and legacy clone)', () => {
    for (const legacy of [false, true]) {
      const { k, root } = boot();
      const global = page(k, root);
      const r = legacy
        ? call(k, root, { name: 'clone', flags: CLONE.VFORK | BigInt(SIGCHLD), stack: 0n, parent_tid: 0n, child_tid: 0n, tls: 0n })
        : call(k, root, { name: 'clone3', args: { flags: CLONE.VFORK, exit_signal: BigInt(SIGCHLD) }, size: 88n });
      if (r.kind !== 'blocked' || r.on.kind !== 'vfork') throw new Error('expected a vfork wait');
      const child = r.on.child;
      sleep(k, child, 300);
      runUntilDone(k, child);
      expect(k.memory(child).writeU32(global, 7).ok).toBe(true);
      exit(k, child, 0);
      expect(k.completion(root)).toEqual({ kind: 'done', value: BigInt(child) });
      expect(k.now()).toBe(ms(300));
      expect(k.memory(root).readU32(global)).toEqual({ ok: true, value: 0 });
    }
  });

  it('A14 VFORK+FILES-EXEC-UNSHARES-FDTABLE', () => {
    const { k, root } = boot({ fs: standardFs() });
    const fd = ok(k, root, { name: 'openat', dirfd: -100, path: '/etc/passwd', flags: 0o2000000, mode: 0 });
    const r = call(k, root, { name: 'clone', flags: BigInt(SIGCHLD) | CLONE.VFORK | CLONE.FILES, stack: 0n, parent_tid: 0n, child_tid: 0n, tls: 0n });
    if (r.kind !== 'blocked' || r.on.kind !== 'vfork') throw new Error('expected a vfork wait');
    const child = r.on.child;
    expect(k.files(child)).toBe(k.files(root));
    expect(execve(k, child, '/bin/true').kind).toBe('done');
    expect(k.completion(root)?.kind).toBe('done');
    expect(k.task(child)?.fds).not.toContain(fd);
    expect(ok(k, root, { name: 'fcntl', fd, cmd: 1, arg: 0n })).toBe(1);
    exit(k, child, 0);
    expect(wait4(k, root, child)).toMatchObject({ out: { status: 0 } });
  });

  it('A15 VFORK+THREAD-EXEC-ANNIHILATES', () => {
    const { k, root } = boot({ fs: standardFs() });
    const child = fork(k, root);
    const flags = CLONE.FILES | CLONE.FS | CLONE.SIGHAND | CLONE.THREAD | CLONE.VM | CLONE.VFORK;
    const r = call(k, child, { name: 'clone', flags, stack: 0x7000_0000n, parent_tid: 0n, child_tid: 0n, tls: 0n });
    if (r.kind !== 'blocked' || r.on.kind !== 'vfork') throw new Error('expected a vfork wait');
    const thread = r.on.child;
    expect(execve(k, thread, '/bin/true').kind).toBe('done');
    // The exec'ing thread took over the process's pid; the original thread never returns.
    expect(k.task(child)?.exe).toBe('/bin/true');
    expect(k.task(child)?.state).toBe('ready');
    expect(k.task(thread)).toBeUndefined();
    exit(k, child, 0);
    expect(wait4(k, root, child)).toMatchObject({ kind: 'done', out: { status: 0 } });
  });

  it.skip('A16 VFORK-PTRACE-EVENTS (skipped: ptrace is not modelled)', () => {});

  it('A17 VFORK-CLEARTID-BEFORE-RELEASE', () => {
    const { k, root } = boot();
    const word = page(k, root);
    const threadFlags = CLONE.VM | CLONE.FS | CLONE.FILES | CLONE.SIGHAND | CLONE.THREAD;
    const waiter = ok(k, root, { name: 'clone', flags: threadFlags, stack: 0x7000_0000n, parent_tid: 0n, child_tid: 0n, tls: 0n });
    const flags = CLONE.VM | CLONE.VFORK | CLONE.CHILD_CLEARTID | CLONE.CHILD_SETTID | BigInt(SIGCHLD);
    const r = call(k, root, { name: 'clone', flags, stack: 0x7100_0000n, parent_tid: 0n, child_tid: word, tls: 0n });
    if (r.kind !== 'blocked' || r.on.kind !== 'vfork') throw new Error('expected a vfork wait');
    const child = r.on.child;
    expect(k.memory(root).readU32(word)).toEqual({ ok: true, value: child });
    expect(call(k, waiter, { name: 'futex', uaddr: word, op: 0, val: child, timeout: 0n }).kind).toBe('blocked');
    exit(k, child, 0);
    expect(k.memory(root).readU32(word)).toEqual({ ok: true, value: 0 });
    expect(k.completion(waiter)).toEqual({ kind: 'done', value: 0n });
    const order = k.events.filter((e) => e.type === 'futex-wake' || e.type === 'vfork-released');
    expect(order).toMatchObject([{ type: 'futex-wake', addr: word, woken: [waiter] }, { type: 'vfork-released', child }]);
    expect(errno(k, waiter, { name: 'futex', uaddr: word, op: 0, val: 5, timeout: 0n })).toBe('EAGAIN');
  });
});
