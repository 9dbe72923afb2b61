// Property tests: random system-call sequences over a few tasks never throw, keep every
// invariant after every step, and the same inputs give the same event stream.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLONE, Kernel, KernelUsageError, type Syscall, type Tid } from '../src/index.js';
import { bigintJson, standardFs } from './kernel-helpers.js';

const SCRATCH = 0x1000_0000n;
const FLAG_CHOICES = [
  0n,
  CLONE.VM,
  CLONE.VFORK,
  CLONE.VM | CLONE.VFORK,
  CLONE.FILES,
  CLONE.FS,
  CLONE.SIGHAND | CLONE.VM,
  CLONE.THREAD | CLONE.SIGHAND | CLONE.VM,
  CLONE.PARENT,
  CLONE.CHILD_CLEARTID | CLONE.CHILD_SETTID,
  CLONE.PARENT_SETTID,
  CLONE.PIDFD,
  CLONE.CLEAR_SIGHAND,
  CLONE.NEWPID,
  CLONE.DETACHED,
  CLONE.SETTLS,
  1n << 40n,
];

/** A call template: the pid-like arguments are indexes into the tasks created so far. */
type Step =
  | { readonly kind: 'call'; readonly who: number; readonly make: (pids: readonly Tid[]) => Syscall }
  | { readonly kind: 'clock' };

const pidArg = fc.oneof(fc.constantFrom(-1, 0, 1, -2147483648, 99999), fc.nat({ max: 20 }).map((i) => ({ index: i })));
const resolvePid = (p: number | { index: number }, pids: readonly Tid[]): number =>
  typeof p === 'number' ? p : pids.length === 0 ? 1 : (pids[p.index % pids.length] as number);

type Make = (pids: readonly Tid[]) => Syscall;
const creation: fc.Arbitrary<Make> = fc.oneof(
  fc.constant(() => ({ name: 'fork' }) as Syscall),
  fc.constant(() => ({ name: 'vfork' }) as Syscall),
  fc.constant(() => ({ name: 'getppid' }) as Syscall),
  fc.constant(() => ({ name: 'setsid' }) as Syscall),
  fc.constant(() => ({ name: 'pause' }) as Syscall),
  fc.constant(() => ({ name: 'rt_sigreturn' }) as Syscall),
  fc.tuple(fc.subarray(FLAG_CHOICES), fc.integer({ min: 0, max: 70 })).map(([fs, sig]) => () => ({
    name: 'clone', flags: fs.reduce((a, b) => a | b, 0n) | BigInt(sig), stack: 0x7000_0000n, parent_tid: SCRATCH, child_tid: SCRATCH + 8n, tls: 0n,
  }) as Syscall),
  fc.tuple(fc.subarray(FLAG_CHOICES), fc.constantFrom(0n, 17n, 10n, 65n), fc.constantFrom(63n, 64n, 88n, 4097n)).map(([fs, sig, size]) => () => ({
    name: 'clone3', args: { flags: fs.reduce((a, b) => a | b, 0n), exit_signal: sig, pidfd: SCRATCH + 16n, child_tid: SCRATCH + 8n, parent_tid: SCRATCH }, size,
  }) as Syscall),
);
const others: fc.Arbitrary<Make> = fc.oneof(
  fc.integer({ min: -1, max: 300 }).map((status) => () => ({ name: 'exit', status }) as Syscall),
  fc.integer({ min: 0, max: 255 }).map((status) => () => ({ name: 'exit_group', status }) as Syscall),
  fc.tuple(pidArg, fc.constantFrom(0, 1, 2, 8, 0x40000000, 0x80000000 | 1, -1, 4)).map(([p, options]) => (pids: readonly Tid[]) => ({
    name: 'wait4', pid: resolvePid(p, pids), status: SCRATCH + 24n, options, rusage: 0n,
  }) as Syscall),
  fc.tuple(fc.constantFrom(0, 1, 2, 3, 9), pidArg, fc.constantFrom(4, 5, 2, 8, 4 | 0x01000000, 0, 4 | 1)).map(([idtype, p, options]) => (pids: readonly Tid[]) => ({
    name: 'waitid', idtype, id: resolvePid(p, pids), infop: SCRATCH + 64n, options, rusage: 0n,
  }) as Syscall),
  fc.tuple(pidArg, fc.integer({ min: -1, max: 66 })).map(([p, sig]) => (pids: readonly Tid[]) => ({ name: 'kill', pid: resolvePid(p, pids), sig }) as Syscall),
  fc.tuple(pidArg, fc.integer({ min: 0, max: 64 })).map(([p, sig]) => (pids: readonly Tid[]) => ({ name: 'tkill', tid: resolvePid(p, pids), sig }) as Syscall),
  fc.tuple(fc.integer({ min: 0, max: 65 }), fc.constantFrom<'SIG_DFL' | 'SIG_IGN' | bigint>('SIG_DFL', 'SIG_IGN', 0x40_1000n), fc.constantFrom(0n, 0x2n, 0x10000000n, 0x80000000n)).map(
    ([sig, handler, flags]) => () => ({ name: 'rt_sigaction', sig, act: { handler, flags, mask: 0n }, oldact: 0n, sigsetsize: 8n }) as Syscall,
  ),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })).map(([how, mask]) => () => ({
    name: 'rt_sigprocmask', how, set: { mask }, oldset: 0n, sigsetsize: 8n,
  }) as Syscall),
  fc.constantFrom(0, 0o4000, 0o2000000).map((flags) => () => ({ name: 'pipe2', pipefd: SCRATCH + 32n, flags }) as Syscall),
  fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 70000 })).map(([fd, n]) => () => ({ name: 'write', fd, buf: new Uint8Array(n), count: BigInt(n) }) as Syscall),
  fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 5000 })).map(([fd, n]) => () => ({ name: 'read', fd, buf: SCRATCH + 4096n, count: BigInt(n) }) as Syscall),
  fc.integer({ min: -1, max: 12 }).map((fd) => () => ({ name: 'close', fd }) as Syscall),
  fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 })).map(([a, b]) => () => ({ name: 'dup2', oldfd: a, newfd: b }) as Syscall),
  fc.integer({ min: 0, max: 2000 }).map((ms) => () => ({ name: 'nanosleep', req: { sec: 0n, nsec: BigInt(ms % 1000) * 1_000_000n }, rem: 0n }) as Syscall),
  fc.constantFrom('/bin/true', '/bin/sh', '/nonexistent', '/tmp').map((path) => () => ({ name: 'execve', path, argv: [path], envp: [] }) as Syscall),
  fc.tuple(pidArg, pidArg).map(([a, b]) => (pids: readonly Tid[]) => ({ name: 'setpgid', pid: resolvePid(a, pids), pgid: resolvePid(b, pids) }) as Syscall),
  fc.constantFrom(0, 1).map((op) => () => ({ name: 'futex', uaddr: SCRATCH + 8n, op, val: 0, timeout: 0n }) as Syscall),
  fc.tuple(fc.constantFrom(1, 36), fc.bigInt({ min: 0n, max: 70n })).map(([option, arg2]) => () => ({ name: 'prctl', option, arg2 }) as Syscall),
  fc.integer({ min: 0, max: 3 }).map((seconds) => () => ({ name: 'alarm', seconds }) as Syscall),
  fc.tuple(fc.integer({ min: -1, max: 3 }), fc.bigInt({ min: 0n, max: 3n })).map(([which, sec]) => () => ({
    name: 'setitimer', which, value: { interval: { sec: 0n, usec: sec * 1000n }, value: { sec, usec: 0n } }, ovalue: 0n,
  }) as Syscall),
  fc.constantFrom(0, 2, 5).map((flags) => () => ({ name: 'sigaltstack', ss: { sp: SCRATCH, flags, size: 0x4000n }, old_ss: 0n }) as Syscall),
);
const callArb: fc.Arbitrary<Make> = fc.oneof({ weight: 1, arbitrary: creation }, { weight: 3, arbitrary: others });

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.tuple(fc.nat(), callArb).map(([who, make]) => {
      // Counterexamples print the call (pid arguments shown against sample pids 300, 301…).
      const label = `call by #${who}: ${JSON.stringify(make([300, 301, 302, 303]), bigintJson)}`;
      return { kind: 'call' as const, who, make: Object.assign(make, { [fc.toStringMethod]: () => label }) };
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'clock' as const }) },
);

/** Runs the steps; returns the event stream as text. Throws on a violated invariant. */
function run(steps: readonly Step[], memory: 'model' | 'none'): string {
  const k = new Kernel({ fs: standardFs(), memory, pidBase: 300 });
  const pids: Tid[] = [];
  const spawn = (): void => {
    const root = k.spawn({ path: '/bin/sh' });
    k.memory(root).mmap({ addr: SCRATCH, length: 0x10000n, prot: 3, flags: 0x32 });
  };
  k.onEvent((e) => {
    if (e.type === 'task-created') pids.push(e.tid);
  });
  spawn();
  spawn();
  for (const step of steps) {
    if (step.kind === 'clock') {
      k.advanceClock();
    } else {
      const ready = k.runnable();
      if (ready.length === 0) {
        if (!k.advanceClock()) {
          // Everything sleeps with no deadline: a signal from outside unsticks (or ends) someone.
          const live = k.tids();
          if (live.length === 0) spawn();
          else k.signalProcess(live[step.who % live.length] as Tid, step.who % 2 === 0 ? 18 : 9);
        }
        const problems = k.checkInvariants();
        if (problems.length > 0) throw new Error(`invariants after an outside signal: ${problems.join('; ')}`);
        continue;
      }
      const tid = ready[step.who % ready.length] as Tid;
      const call = step.make(pids);
      try {
        k.syscall(tid, call);
      } catch (e) {
        if (e instanceof KernelUsageError) throw new Error(`usage error for a ready task: ${e.message}`);
        throw e;
      }
      for (const t of k.tids()) k.completion(t);
    }
    const problems = k.checkInvariants();
    if (problems.length > 0) throw new Error(`invariants after ${JSON.stringify(step.kind)}: ${problems.join('; ')}`);
  }
  return JSON.stringify(k.events, bigintJson);
}

describe('kernel properties', () => {
  it('random syscall sequences never throw and keep every invariant (memory modelled)', () => {
    fc.assert(fc.property(fc.array(stepArb, { minLength: 20, maxLength: 100 }), (steps) => {
      run(steps, 'model');
    }), { numRuns: 300 });
  });

  it('random syscall sequences never throw and keep every invariant (memory: none)', () => {
    fc.assert(fc.property(fc.array(stepArb, { minLength: 20, maxLength: 100 }), (steps) => {
      run(steps, 'none');
    }), { numRuns: 150 });
  });

  it('determinism: the same inputs give the same event stream', () => {
    fc.assert(fc.property(fc.array(stepArb, { minLength: 20, maxLength: 60 }), (steps) => {
      expect(run(steps, 'model')).toBe(run(steps, 'model'));
    }), { numRuns: 50 });
  });
});
