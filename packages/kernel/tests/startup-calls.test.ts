// The calls glibc's start-up and ld.so make before main (credentials, robust list, rseq, TLS base,
// resource limits, getrandom): Linux's argument checks and which task or process owns the state
// across fork, thread creation and exec. Sources: kernel/sys.c, kernel/futex/syscalls.c,
// kernel/rseq.c, arch/x86/kernel/process_64.c, drivers/char/random.c.
import { describe, expect, it } from 'vitest';
import { ARCH, CLONE, GRND, RLIMIT, RLIM_INFINITY, SA, SIGNALS } from '../src/index.js';
import { boot, call, errno, execve, exit, fork, ok, page, sigaction } from './kernel-helpers.js';

const THREAD = CLONE.VM | CLONE.FS | CLONE.FILES | CLONE.SIGHAND | CLONE.THREAD | CLONE.SYSVSEM;

describe('credentials', () => {
  it('getuid/geteuid/getgid/getegid report the configured ids; fork and exec keep them', () => {
    const { k, root } = boot({ uid: 1000, gid: 100 });
    expect(ok(k, root, { name: 'getuid' })).toBe(1000);
    expect(ok(k, root, { name: 'geteuid' })).toBe(1000);
    expect(ok(k, root, { name: 'getgid' })).toBe(100);
    expect(ok(k, root, { name: 'getegid' })).toBe(100);
    const child = fork(k, root);
    execve(k, child, '/bin/true');
    expect(ok(k, child, { name: 'geteuid' })).toBe(1000);
    expect(ok(k, child, { name: 'getegid' })).toBe(100);
  });

  it('getresuid writes real, effective and saved ids; a NULL pointer is EFAULT', () => {
    const { k, root } = boot({ uid: 7, gid: 8 });
    const p = page(k, root);
    const r = call(k, root, { name: 'getresuid', ruid: p, euid: p + 4n, suid: p + 8n });
    expect(r).toEqual({ kind: 'done', value: 0n, out: { ids: [7, 7, 7] } });
    expect(k.memory(root)?.readU32(p + 4n)).toEqual({ ok: true, value: 7 });
    expect(ok(k, root, { name: 'getresgid', rgid: p, egid: p + 4n, sgid: p + 8n })).toBe(0);
    expect(errno(k, root, { name: 'getresgid', rgid: p, egid: 0n, sgid: p })).toBe('EFAULT');
  });
});

describe('set_robust_list (per task)', () => {
  it('accepts only sizeof(struct robust_list_head) = 24 as the length', () => {
    const { k, root } = boot();
    expect(errno(k, root, { name: 'set_robust_list', head: 0x1000n, len: 16n })).toBe('EINVAL');
    expect(errno(k, root, { name: 'set_robust_list', head: 0x1000n, len: 25n })).toBe('EINVAL');
    // The head is not looked at until the task exits: any address is accepted.
    expect(ok(k, root, { name: 'set_robust_list', head: 0xdead0n, len: 24n })).toBe(0);
    expect(k.task(root)).toBeDefined();
  });

  it('a forked child starts without one; exec drops the caller\'s', () => {
    const { k, root } = boot();
    ok(k, root, { name: 'set_robust_list', head: 0x5000n, len: 24n });
    const child = fork(k, root);
    expect(robustOf(k, child)).toBe(0n);
    expect(robustOf(k, root)).toBe(0x5000n);
    execve(k, root, '/bin/true');
    expect(robustOf(k, root)).toBe(0n);
  });
});

describe('rseq (per task)', () => {
  const AREA = 0x7f0000001000n;
  const SIG = 0x53053053;
  it('registers once; again with the same area is EBUSY, with another area or length EINVAL, another signature EPERM', () => {
    const { k, root } = boot();
    expect(ok(k, root, { name: 'rseq', rseq: AREA, rseq_len: 32, flags: 0, sig: SIG })).toBe(0);
    expect(errno(k, root, { name: 'rseq', rseq: AREA, rseq_len: 32, flags: 0, sig: SIG })).toBe('EBUSY');
    expect(errno(k, root, { name: 'rseq', rseq: AREA + 32n, rseq_len: 32, flags: 0, sig: SIG })).toBe('EINVAL');
    expect(errno(k, root, { name: 'rseq', rseq: AREA, rseq_len: 64, flags: 0, sig: SIG })).toBe('EINVAL');
    expect(errno(k, root, { name: 'rseq', rseq: AREA, rseq_len: 32, flags: 0, sig: 1 })).toBe('EPERM');
  });

  it('checks length, alignment, flags and the address range of a new registration', () => {
    const { k, root } = boot();
    expect(errno(k, root, { name: 'rseq', rseq: AREA, rseq_len: 16, flags: 0, sig: SIG })).toBe('EINVAL');
    expect(errno(k, root, { name: 'rseq', rseq: AREA + 8n, rseq_len: 32, flags: 0, sig: SIG })).toBe('EINVAL');
    expect(errno(k, root, { name: 'rseq', rseq: AREA, rseq_len: 32, flags: 2, sig: SIG })).toBe('EINVAL');
    expect(errno(k, root, { name: 'rseq', rseq: 0x7ffffffff000n, rseq_len: 32, flags: 0, sig: SIG })).toBe('EFAULT');
    // Unregistering what is not registered.
    expect(errno(k, root, { name: 'rseq', rseq: AREA, rseq_len: 32, flags: 1, sig: SIG })).toBe('EINVAL');
  });

  it('unregister needs the same area, length and signature', () => {
    const { k, root } = boot();
    ok(k, root, { name: 'rseq', rseq: AREA, rseq_len: 32, flags: 0, sig: SIG });
    expect(errno(k, root, { name: 'rseq', rseq: AREA, rseq_len: 32, flags: 1, sig: SIG + 1 })).toBe('EPERM');
    expect(ok(k, root, { name: 'rseq', rseq: AREA, rseq_len: 32, flags: 1, sig: SIG })).toBe(0);
    expect(ok(k, root, { name: 'rseq', rseq: AREA, rseq_len: 32, flags: 0, sig: SIG })).toBe(0);
  });

  it('fork keeps the registration (the area is copied with the memory); a CLONE_VM thread and exec drop it', () => {
    const { k, root } = boot();
    ok(k, root, { name: 'rseq', rseq: AREA, rseq_len: 32, flags: 0, sig: SIG });
    const child = fork(k, root);
    expect(errno(k, child, { name: 'rseq', rseq: AREA, rseq_len: 32, flags: 0, sig: SIG })).toBe('EBUSY');
    const thread = ok(k, root, { name: 'clone', flags: THREAD, stack: 0x7f0000100000n, parent_tid: 0n, child_tid: 0n, tls: 0n });
    expect(ok(k, thread, { name: 'rseq', rseq: AREA + 64n, rseq_len: 32, flags: 0, sig: SIG })).toBe(0);
    execve(k, child, '/bin/true');
    expect(ok(k, child, { name: 'rseq', rseq: AREA, rseq_len: 32, flags: 0, sig: SIG })).toBe(0);
  });
});

describe('arch_prctl (per task FS/GS base)', () => {
  it('ARCH_SET_FS then ARCH_GET_FS reads it back; a base at TASK_SIZE_MAX is EPERM; an unknown code EINVAL', () => {
    const { k, root } = boot();
    const p = page(k, root);
    expect(ok(k, root, { name: 'arch_prctl', code: ARCH.SET_FS, addr: 0x7f1234567740n })).toBe(0);
    expect(call(k, root, { name: 'arch_prctl', code: ARCH.GET_FS, addr: p })).toEqual({ kind: 'done', value: 0n, out: { value: 0x7f1234567740n } });
    expect(k.memory(root)?.readU64(p)).toEqual({ ok: true, value: 0x7f1234567740n });
    expect(errno(k, root, { name: 'arch_prctl', code: ARCH.SET_FS, addr: 0x7ffffffff000n })).toBe('EPERM');
    expect(errno(k, root, { name: 'arch_prctl', code: ARCH.GET_GS, addr: 0n })).toBe('EFAULT');
    expect(errno(k, root, { name: 'arch_prctl', code: 0x9999, addr: 0n })).toBe('EINVAL');
  });

  it('fork inherits the base, CLONE_SETTLS sets the child\'s, exec zeroes it', () => {
    const { k, root } = boot();
    ok(k, root, { name: 'arch_prctl', code: ARCH.SET_FS, addr: 0x1000n });
    const child = fork(k, root);
    const thread = ok(k, root, { name: 'clone', flags: THREAD | CLONE.SETTLS, stack: 0x7f0000100000n, parent_tid: 0n, child_tid: 0n, tls: 0x2000n });
    // The child has its own copy of memory: each reads into a page of its own.
    const fsOf = (tid: number): unknown => call(k, tid, { name: 'arch_prctl', code: ARCH.GET_FS, addr: page(k, tid) });
    expect(fsOf(child)).toMatchObject({ out: { value: 0x1000n } });
    expect(fsOf(thread)).toMatchObject({ out: { value: 0x2000n } });
    execve(k, root, '/bin/true');
    expect(call(k, root, { name: 'arch_prctl', code: ARCH.GET_FS, addr: 0n })).toEqual({ kind: 'error', errno: 'EFAULT' });
    const q = page(k, root);
    expect(call(k, root, { name: 'arch_prctl', code: ARCH.GET_FS, addr: q })).toMatchObject({ out: { value: 0n } });
  });
});

describe('prlimit64 (per process)', () => {
  const STACK = RLIMIT.STACK;
  it("reads Linux's boot defaults, or the configured starting limits", () => {
    const { k, root } = boot();
    expect(call(k, root, { name: 'prlimit64', pid: 0, resource: STACK, new_limit: 0n, old_limit: page(k, root) })).toMatchObject({
      out: { rlimit: { cur: 8n << 20n, max: RLIM_INFINITY } },
    });
    const b = boot({ rlimits: { [RLIMIT.NOFILE]: { cur: 20000n, max: 20000n } } });
    expect(call(b.k, b.root, { name: 'prlimit64', pid: 0, resource: RLIMIT.NOFILE, new_limit: 0n, old_limit: page(b.k, b.root) })).toMatchObject({
      out: { rlimit: { cur: 20000n, max: 20000n } },
    });
  });

  it('argument errors in the kernel\'s order: ESRCH before EINVAL resource, cur > max EINVAL, NOFILE max above nr_open EPERM', () => {
    const { k, root } = boot();
    expect(errno(k, root, { name: 'prlimit64', pid: 424242, resource: 99, new_limit: 0n, old_limit: 0n })).toBe('ESRCH');
    expect(errno(k, root, { name: 'prlimit64', pid: 0, resource: 16, new_limit: 0n, old_limit: 0n })).toBe('EINVAL');
    expect(errno(k, root, { name: 'prlimit64', pid: 0, resource: STACK, new_limit: { cur: 2n, max: 1n }, old_limit: 0n })).toBe('EINVAL');
    expect(errno(k, root, { name: 'prlimit64', pid: 0, resource: RLIMIT.NOFILE, new_limit: { cur: 1n, max: (1n << 20n) + 1n }, old_limit: 0n })).toBe('EPERM');
  });

  it('only root raises a hard limit; lowering is free', () => {
    const { k, root } = boot({ uid: 1000 });
    expect(ok(k, root, { name: 'prlimit64', pid: 0, resource: RLIMIT.NOFILE, new_limit: { cur: 100n, max: 200n }, old_limit: 0n })).toBe(0);
    expect(errno(k, root, { name: 'prlimit64', pid: 0, resource: RLIMIT.NOFILE, new_limit: { cur: 100n, max: 300n }, old_limit: 0n })).toBe('EPERM');
  });

  it('limits belong to the process: inherited by fork, kept by exec, set for another pid; RLIMIT_NOFILE bounds new fds', () => {
    const { k, root } = boot();
    ok(k, root, { name: 'prlimit64', pid: 0, resource: RLIMIT.NOFILE, new_limit: { cur: 4n, max: 4096n }, old_limit: 0n });
    const child = fork(k, root);
    execve(k, child, '/bin/true');
    const p = page(k, child);
    expect(call(k, child, { name: 'prlimit64', pid: 0, resource: RLIMIT.NOFILE, new_limit: 0n, old_limit: p })).toMatchObject({ out: { rlimit: { cur: 4n } } });
    // fds 0-2 are open: one more fits under 4, the next is EMFILE.
    expect(ok(k, child, { name: 'dup', oldfd: 0 })).toBe(3);
    expect(errno(k, child, { name: 'dup', oldfd: 0 })).toBe('EMFILE');
    // The parent sets the child's limit (prlimit's pid argument); the old value comes back.
    expect(call(k, root, { name: 'prlimit64', pid: child, resource: RLIMIT.NOFILE, new_limit: { cur: 8n, max: 4096n }, old_limit: page(k, root) })).toMatchObject({
      out: { rlimit: { cur: 4n, max: 4096n } },
    });
    expect(ok(k, child, { name: 'dup', oldfd: 0 })).toBe(4);
  });
});

describe('getrandom', () => {
  it('returns the length asked for (the CRNG of a booted system is ready); bad flags are EINVAL', () => {
    const { k, root } = boot();
    const p = page(k, root);
    expect(ok(k, root, { name: 'getrandom', buf: p, buflen: 8n, flags: GRND.NONBLOCK })).toBe(8);
    expect(ok(k, root, { name: 'getrandom', buf: p, buflen: 0n, flags: 0 })).toBe(0);
    expect(errno(k, root, { name: 'getrandom', buf: p, buflen: 8n, flags: 8 })).toBe('EINVAL');
    expect(errno(k, root, { name: 'getrandom', buf: p, buflen: 8n, flags: GRND.INSECURE | GRND.RANDOM })).toBe('EINVAL');
    expect(errno(k, root, { name: 'getrandom', buf: 0n, buflen: 8n, flags: 0 })).toBe('EFAULT');
  });

  it('a buffer that runs into an unmapped page is a short read, as copy_to_iter stops there', () => {
    const { k, root } = boot();
    const p = page(k, root);
    expect(ok(k, root, { name: 'getrandom', buf: p + 4000n, buflen: 200n, flags: 0 })).toBe(96);
  });
});

function robustOf(k: ReturnType<typeof boot>['k'], tid: number): bigint | undefined {
  return k.task(tid)?.robustList;
}

describe('rt_sigreturn restores the interrupted return register (arch/x86/kernel/signal.c)', () => {
  it("a handler run at wait4's return gives back wait4's value; pause's EINTR; a restarted wait4 its call number", () => {
    const { k, root } = boot();
    const HANDLER = 0x401000n;
    sigaction(k, root, SIGNALS.SIGCHLD, HANDLER);
    const child = fork(k, root);
    expect(call(k, root, { name: 'wait4', pid: child, status: 0n, options: 0, rusage: 0n }).kind).toBe('blocked');
    exit(k, child, 0);
    expect(k.completion(root)).toMatchObject({ kind: 'done', value: BigInt(child) });
    expect(call(k, root, { name: 'rt_sigreturn' })).toEqual({ kind: 'done', value: BigInt(child) });

    sigaction(k, root, SIGNALS.SIGUSR1, HANDLER);
    expect(call(k, root, { name: 'pause' }).kind).toBe('blocked');
    k.signalProcess(root, SIGNALS.SIGUSR1);
    expect(k.completion(root)).toMatchObject({ kind: 'error', errno: 'ERESTARTNOHAND', restarts: false });
    expect(call(k, root, { name: 'rt_sigreturn' })).toEqual({ kind: 'error', errno: 'EINTR' });

    // SA_RESTART: the register holds wait4's number (61) for the re-executed syscall instruction.
    sigaction(k, root, SIGNALS.SIGUSR1, HANDLER, SA.RESTART);
    const child2 = fork(k, root);
    expect(call(k, root, { name: 'wait4', pid: child2, status: 0n, options: 0, rusage: 0n }).kind).toBe('blocked');
    k.signalProcess(root, SIGNALS.SIGUSR1);
    expect(k.completion(root)).toMatchObject({ kind: 'error', errno: 'ERESTARTSYS', restarts: true });
    expect(call(k, root, { name: 'rt_sigreturn' })).toEqual({ kind: 'done', value: 61n });
  });
});
