// glibc 2.36 threads as guest code: pthread_create (a mapped stack, clone3 with the thread
// flags, CLONE_PARENT_SETTID/CLONE_CHILD_CLEARTID on the thread's tid word, signals blocked
// around the clone), pthread_join (futex wait until the kernel clears the tid word at the
// thread's exit), and a two-party barrier on a futex word in shared memory.
import { CLONE, FUTEX, MAP_ANONYMOUS, MAP_PRIVATE, MAP_STACK, PROT_READ, PROT_WRITE, SIG_BLOCK, SIG_SETMASK } from '@forkscope/kernel';
import type { Guest, GuestGen, Program } from '../runtime/program.js';
import { exitThread, must, popLocal, pushLocal, sys } from './libc.js';

const THREAD_FLAGS =
  CLONE.VM | CLONE.FS | CLONE.FILES | CLONE.SIGHAND | CLONE.THREAD | CLONE.SYSVSEM | CLONE.SETTLS | CLONE.PARENT_SETTID | CLONE.CHILD_CLEARTID;
const STACK_SIZE = 0x80_0000n;
/** struct pthread sits at the top of the thread's stack mapping; its tid word is in it. */
const PD_SIZE = 0x100n;

export interface PthreadHandle {
  /** The address of struct pthread's tid (the CLONE_CHILD_CLEARTID word). */
  readonly tidWord: bigint;
}

/** pthread_create(&t, NULL, start, arg): the thread runs `start` then exit(0). */
export function* pthreadCreate(g: Guest, start: (t: Guest) => GuestGen<void>): GuestGen<PthreadHandle> {
  const base = yield* must({ name: 'mmap', addr: 0n, length: STACK_SIZE, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, fd: -1, offset: 0n });
  const pd = base + STACK_SIZE - PD_SIZE;
  const tidWord = pd + 0x10n;
  const old = pushLocal(g, 8n);
  yield* must({ name: 'rt_sigprocmask', how: SIG_BLOCK, set: { mask: (1n << 64n) - 1n }, oldset: old, sigsetsize: 8n });
  const body: Program = function* (t) {
    // start_thread: restore the creator's mask, run the function, exit the thread only.
    yield* sys({ name: 'rt_sigprocmask', how: SIG_SETMASK, set: { mask: 0n }, oldset: 0n, sigsetsize: 8n });
    yield* start(t);
    return yield* exitThread(0);
  };
  yield* must(
    { name: 'clone3', args: { flags: THREAD_FLAGS, child_tid: tidWord, parent_tid: tidWord, exit_signal: 0n, stack: base, stack_size: STACK_SIZE - PD_SIZE, tls: pd }, size: 88n },
    { body, stack: pd },
  );
  yield* must({ name: 'rt_sigprocmask', how: SIG_SETMASK, set: { mask: g.mem.readU64(old) }, oldset: 0n, sigsetsize: 8n });
  popLocal(g, 8n);
  return { tidWord };
}

/** pthread_join: sleep on the tid word until the exiting thread's CLONE_CHILD_CLEARTID zeroes it. */
export function* pthreadJoin(g: Guest, t: PthreadHandle): GuestGen<void> {
  for (;;) {
    const tid = g.mem.readU32(t.tidWord);
    if (tid === 0) return;
    yield* sys({ name: 'futex', uaddr: t.tidWord, op: FUTEX.WAIT | FUTEX.CLOCK_REALTIME, val: tid, timeout: 0n });
  }
}

/** pthread_barrier_wait for two parties on a word of shared memory: the last one wakes the rest. */
export function* barrierWait(g: Guest, word: bigint, parties: number): GuestGen<void> {
  const arrived = g.mem.readU32(word) + 1;
  g.mem.writeU32(word, arrived);
  if (arrived >= parties) {
    yield* sys({ name: 'futex', uaddr: word, op: FUTEX.WAKE | FUTEX.PRIVATE_FLAG, val: 0x7fffffff, timeout: 0n });
    return;
  }
  while (g.mem.readU32(word) < parties) {
    yield* sys({ name: 'futex', uaddr: word, op: FUTEX.WAIT | FUTEX.PRIVATE_FLAG, val: arrived, timeout: 0n });
  }
}
