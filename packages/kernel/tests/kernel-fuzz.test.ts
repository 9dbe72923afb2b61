// Guest input never makes the kernel throw: every system call with wild arguments (huge,
// negative, misaligned, unmapped) returns a value, an errno, or blocks, and the state stays
// consistent.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel, type Syscall, type Tid } from '../src/index.js';
import { bigintJson, standardFs } from './kernel-helpers.js';

const SCRATCH = 0x1000_0000n;
const int = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1, 2, 3, 4, 9, 17, 64, 65, -100, 0x7fffffff, -2147483648, 4096));
const u64 = fc.oneof(
  fc.bigInt({ min: -(1n << 64n), max: 1n << 64n }),
  fc.constantFrom(0n, 1n, 17n, 88n, 4096n, 4097n, 1n << 63n, (1n << 64n) - 1n, -1n),
);
const ptr = fc.oneof(fc.constantFrom(0n, 16n, SCRATCH, SCRATCH + 3n, SCRATCH + 0xfff8n, 0x7ffffffff000n), u64);
const path = fc.oneof(fc.constantFrom('/bin/true', '', '/', '/tmp', '/nonexistent', '/etc/passwd/x', 'x'.repeat(300)), fc.string(), ptr);
const strings = fc.oneof(fc.array(fc.string(), { maxLength: 3 }), ptr);
const timespec = fc.oneof(ptr, fc.record({ sec: u64, nsec: u64 }));
const bytes = fc.oneof(ptr, fc.uint8Array({ maxLength: 64 }));

const call: fc.Arbitrary<Syscall> = fc.oneof(
  fc.constantFrom<Syscall>({ name: 'getpid' }, { name: 'gettid' }, { name: 'getppid' }, { name: 'getpgrp' }, { name: 'setsid' }, { name: 'fork' }, { name: 'vfork' }, { name: 'rt_sigreturn' }, { name: 'pause' }),
  fc.record({ name: fc.constant('getpgid' as const), pid: int }),
  fc.record({ name: fc.constant('getsid' as const), pid: int }),
  fc.record({ name: fc.constant('setpgid' as const), pid: int, pgid: int }),
  fc.record({ name: fc.constant('set_tid_address' as const), tidptr: ptr }),
  fc.record({ name: fc.constant('prctl' as const), option: int, arg2: u64 }),
  fc.record({ name: fc.constant('clone' as const), flags: u64, stack: ptr, parent_tid: ptr, child_tid: ptr, tls: u64 }),
  fc.record({
    name: fc.constant('clone3' as const),
    args: fc.oneof(ptr, fc.record({ flags: u64, pidfd: ptr, child_tid: ptr, parent_tid: ptr, exit_signal: u64, stack: ptr, stack_size: u64, tls: u64, set_tid: fc.oneof(ptr, fc.array(int, { maxLength: 3 })), set_tid_size: u64, cgroup: u64 }, { requiredKeys: [] })),
    size: u64,
  }),
  fc.record({ name: fc.constant('execve' as const), path, argv: strings, envp: strings }),
  fc.record({ name: fc.constant('execveat' as const), dirfd: int, path, argv: strings, envp: strings, flags: int }),
  fc.record({ name: fc.constant('exit' as const), status: int }),
  fc.record({ name: fc.constant('exit_group' as const), status: int }),
  fc.record({ name: fc.constant('wait4' as const), pid: int, status: ptr, options: int, rusage: ptr }),
  fc.record({ name: fc.constant('waitid' as const), idtype: int, id: int, infop: ptr, options: int, rusage: ptr }),
  fc.record({ name: fc.constant('kill' as const), pid: int, sig: int }),
  fc.record({ name: fc.constant('tkill' as const), tid: int, sig: int }),
  fc.record({ name: fc.constant('tgkill' as const), tgid: int, tid: int, sig: int }),
  fc.record({
    name: fc.constant('rt_sigaction' as const),
    sig: int,
    act: fc.oneof(ptr, fc.record({ handler: fc.oneof(fc.constantFrom<'SIG_DFL' | 'SIG_IGN'>('SIG_DFL', 'SIG_IGN'), u64), flags: u64, mask: u64 })),
    oldact: ptr,
    sigsetsize: u64,
  }),
  fc.record({ name: fc.constant('rt_sigprocmask' as const), how: int, set: fc.oneof(ptr, fc.record({ mask: u64 })), oldset: ptr, sigsetsize: u64 }),
  fc.record({ name: fc.constant('rt_sigpending' as const), set: ptr, sigsetsize: u64 }),
  fc.record({ name: fc.constant('rt_sigsuspend' as const), mask: fc.oneof(ptr, fc.record({ mask: u64 })), sigsetsize: u64 }),
  fc.record({ name: fc.constant('pidfd_send_signal' as const), pidfd: int, sig: int, info: ptr, flags: int }),
  fc.record({ name: fc.constant('pidfd_open' as const), pid: int, flags: int }),
  fc.record({ name: fc.constant('dup' as const), oldfd: int }),
  fc.record({ name: fc.constant('dup2' as const), oldfd: int, newfd: int }),
  fc.record({ name: fc.constant('dup3' as const), oldfd: int, newfd: int, flags: int }),
  fc.record({ name: fc.constant('fcntl' as const), fd: int, cmd: int, arg: u64 }),
  fc.record({ name: fc.constant('close' as const), fd: int }),
  fc.record({ name: fc.constant('close_range' as const), first: int, last: int, flags: int }),
  fc.record({ name: fc.constant('pipe' as const), pipefd: ptr }),
  fc.record({ name: fc.constant('pipe2' as const), pipefd: ptr, flags: int }),
  fc.record({ name: fc.constant('read' as const), fd: int, buf: ptr, count: u64 }),
  fc.record({ name: fc.constant('write' as const), fd: int, buf: bytes, count: u64 }),
  fc.record({ name: fc.constant('openat' as const), dirfd: int, path, flags: int, mode: int }),
  fc.record({ name: fc.constant('mmap' as const), addr: ptr, length: u64, prot: int, flags: int, fd: int, offset: u64 }),
  fc.record({ name: fc.constant('munmap' as const), addr: ptr, length: u64 }),
  fc.record({ name: fc.constant('mprotect' as const), addr: ptr, length: u64, prot: int }),
  fc.record({ name: fc.constant('brk' as const), addr: ptr }),
  fc.record({ name: fc.constant('umask' as const), mask: int }),
  fc.record({ name: fc.constant('chdir' as const), path }),
  fc.record({ name: fc.constant('fchdir' as const), fd: int }),
  fc.record({ name: fc.constant('getcwd' as const), buf: ptr, size: u64 }),
  fc.record({ name: fc.constant('nanosleep' as const), req: timespec, rem: ptr }),
  fc.record({ name: fc.constant('clock_nanosleep' as const), clockid: int, flags: int, req: timespec, rem: ptr }),
  fc.record({ name: fc.constant('futex' as const), uaddr: ptr, op: int, val: int, timeout: timespec }),
  fc.record({ name: fc.constant('sigaltstack' as const), ss: fc.oneof(ptr, fc.record({ sp: ptr, flags: int, size: u64 })), old_ss: ptr }),
  fc.record({ name: fc.constant('alarm' as const), seconds: int }),
  fc.record({
    name: fc.constant('setitimer' as const),
    which: int,
    value: fc.oneof(ptr, fc.record({ interval: fc.record({ sec: u64, usec: u64 }), value: fc.record({ sec: u64, usec: u64 }) })),
    ovalue: ptr,
  }),
  fc.record({ name: fc.constant('unknown' as const), syscall: fc.string() }),
) as fc.Arbitrary<Syscall>;

describe('kernel fuzz', () => {
  it('wild arguments never throw and keep every invariant', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), call), { minLength: 1, maxLength: 40 }), fc.constantFrom<'model' | 'none'>('model', 'none'), (steps, memory) => {
        const k = new Kernel({ fs: standardFs(), memory });
        const root = k.spawn({ path: '/bin/sh' });
        k.memory(root).mmap({ addr: SCRATCH, length: 0x10000n, prot: 3, flags: 0x32 });
        for (const [who, c] of steps) {
          let ready = k.runnable();
          if (ready.length === 0 && k.advanceClock()) ready = k.runnable();
          if (ready.length === 0) break;
          const tid = ready[who % ready.length] as Tid;
          const r = k.syscall(tid, c);
          expect(['done', 'error', 'blocked', 'gone'], JSON.stringify(c, bigintJson)).toContain(r.kind);
          const problems = k.checkInvariants();
          if (problems.length > 0) throw new Error(`after ${JSON.stringify(c, bigintJson)}: ${problems.join('; ')}`);
        }
      }),
      { numRuns: 400 },
    );
  });
});
