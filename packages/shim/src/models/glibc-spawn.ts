// glibc 2.36 posix_spawn/posix_spawnp (sysdeps/unix/sysv/linux/spawni.c): the parent blocks
// every signal, maps a stack for the child, and clone3s with CLONE_VM|CLONE_VFORK. The child
// resets handled signals, applies attributes and file actions, execs, and on failure writes
// errno into `args.err` — a field of a struct on the *parent's* stack — before _exit(127). The
// parent, resumed after the child's exec or exit, reads args.err; a non-zero value means the
// child failed, and the parent reaps it itself.
import {
  F_SETFD,
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_STACK,
  NSIG,
  PROT_READ,
  PROT_WRITE,
  SIG_BLOCK,
  SIG_SETMASK,
  SIGNALS,
  type SigactionStruct,
} from '@forkscope/kernel';
import type { Guest, GuestGen, SysResult } from '../runtime/program.js';
import { blockAllSignals, errnoNumber, execve, execvpe, exitGroup, must, popLocal, pushLocal, restoreSignals, sys } from './libc.js';

export type FileAction =
  | { readonly kind: 'open'; readonly fd: number; readonly path: string; readonly flags: number; readonly mode: number }
  | { readonly kind: 'close'; readonly fd: number }
  | { readonly kind: 'dup2'; readonly fd: number; readonly newfd: number }
  | { readonly kind: 'chdir'; readonly path: string };

export interface SpawnAttrs {
  /** POSIX_SPAWN_SETSIGMASK: the child's mask. */
  readonly sigmask?: bigint;
  /** POSIX_SPAWN_SETSIGDEF: signals reset to SIG_DFL. */
  readonly sigdefault?: readonly number[];
  /** POSIX_SPAWN_SETPGROUP. */
  readonly pgroup?: number;
  /** POSIX_SPAWN_SETSID. */
  readonly setsid?: boolean;
}

export interface SpawnRequest {
  readonly file: string;
  readonly argv: readonly string[];
  readonly envp: readonly string[];
  /** posix_spawnp: search PATH (of the caller's environment) for `file`. */
  readonly usePath: boolean;
  readonly path?: string;
  readonly actions?: readonly FileAction[];
  readonly attrs?: SpawnAttrs;
}

/** struct posix_spawn_args's err field and the saved mask, as laid out on the parent's stack. */
const ARGS_SIZE = 64n;
const ARGS_ERR = 0n;
const ARGS_OLDMASK = 8n;
const SPAWN_ERROR = 127;

/** __spawnix's stack: a pointer per argument plus 32 KiB of slack, page-aligned (0x9000 for short argv). */
function stackSize(argv: readonly string[]): bigint {
  const size = BigInt(argv.length * 8) + 32768n;
  return (size + 4095n) & ~4095n;
}

/** posix_spawn(p): returns 0 and the pid, or an errno number (never sets errno). */
export function* posixSpawn(g: Guest, req: SpawnRequest): GuestGen<{ ec: number; pid: number }> {
  const size = stackSize(req.argv);
  const stack = yield* must({ name: 'mmap', addr: 0n, length: size, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, fd: -1, offset: 0n });
  const args = pushLocal(g, ARGS_SIZE);
  yield* blockAllSignals(args + ARGS_OLDMASK);
  const r = yield* sys(
    { name: 'clone3', args: { flags: CLONE_VM | CLONE_VFORK, exit_signal: BigInt(SIGNALS.SIGCHLD), stack, stack_size: size }, size: 88n },
    { body: (c) => spawnChild(c, args, req), stack: stack + size },
  );
  let ec: number;
  let pid = 0;
  if (r.kind === 'done') {
    pid = Number(r.value);
    // The child's failure reached us through shared memory, if it did at all.
    ec = g.mem.readU32(args + ARGS_ERR);
    if (ec > 0) yield* sys({ name: 'wait4', pid, status: 0n, options: 0, rusage: 0n });
  } else {
    ec = errnoNumber(r);
  }
  yield* must({ name: 'munmap', addr: stack, length: size });
  yield* restoreSignals(g, args + ARGS_OLDMASK);
  popLocal(g, ARGS_SIZE);
  return { ec, pid: ec === 0 ? pid : 0 };
}

const CLONE_VM = 0x100n;
const CLONE_VFORK = 0x4000n;
/** glibc's internal signals (SIGCANCEL, SIGSETXID): set to SIG_IGN without asking. */
const SIGCANCEL = 32;
const SIGSETXID = 33;
const SA_RESTORER = 0x04000000n;
/** __restore_rt in libc's text. */
export const RESTORER = 0x7f0000002050n;

/** __spawni_child, on its own stack; `args` points into the parent's stack. */
function* spawnChild(g: Guest, args: bigint, req: SpawnRequest): GuestGen<never> {
  const attrs = req.attrs ?? {};
  // No handler may stay installed: the child shares the parent's memory. hset is the mask the
  // parent blocked (everything), so every signal is looked at; 2.36 resets all but SIG_IGN.
  const sa = pushLocal(g, 32n);
  const q = yield* sys({ name: 'rt_sigprocmask', how: SIG_BLOCK, set: 0n, oldset: sa, sigsetsize: 8n });
  const hset = q.kind === 'done' ? (q.out?.sigset ?? 0n) : 0n;
  for (let sig = 1; sig < NSIG; sig++) {
    let act: SigactionStruct;
    if (attrs.sigdefault?.includes(sig)) {
      act = { handler: 'SIG_DFL', flags: SA_RESTORER, mask: 0n, restorer: RESTORER };
    } else if ((hset >> BigInt(sig - 1)) & 1n) {
      if (sig === SIGCANCEL || sig === SIGSETXID) {
        act = { handler: 'SIG_IGN', flags: SA_RESTORER, mask: 0n, restorer: RESTORER };
      } else {
        const old = yield* sys({ name: 'rt_sigaction', sig, act: 0n, oldact: sa, sigsetsize: 8n });
        if (old.kind === 'done' && old.out?.oldact?.handler === 'SIG_IGN') continue;
        act = { handler: 'SIG_DFL', flags: SA_RESTORER, mask: 0n, restorer: RESTORER };
      }
    } else {
      continue;
    }
    yield* sys({ name: 'rt_sigaction', sig, act, oldact: 0n, sigsetsize: 8n });
  }
  let failed: SysResult | null = null;
  if (attrs.setsid) {
    const r = yield* sys({ name: 'setsid' });
    if (r.kind === 'error') failed = r;
  }
  if (!failed && attrs.pgroup !== undefined) {
    const r = yield* sys({ name: 'setpgid', pid: 0, pgid: attrs.pgroup });
    if (r.kind === 'error') failed = r;
  }
  for (const a of failed ? [] : (req.actions ?? [])) {
    const r = yield* fileAction(a);
    if (r) {
      failed = r;
      break;
    }
  }
  if (!failed) {
    const mask = attrs.sigmask ?? g.mem.readU64(args + ARGS_OLDMASK);
    yield* sys({ name: 'rt_sigprocmask', how: SIG_SETMASK, set: { mask }, oldset: 0n, sigsetsize: 8n });
    failed = req.usePath ? yield* execvpe(req.file, req.argv, req.envp, req.path) : yield* execve(req.file, req.argv, req.envp);
  }
  // args->err = errno: a store into the parent's stack frame.
  g.mem.writeU32(args + ARGS_ERR, errnoNumber(failed));
  return yield* exitGroup(SPAWN_ERROR);
}

/** One file action; returns the failure that aborts the spawn, or null. */
function* fileAction(a: FileAction): GuestGen<SysResult | null> {
  switch (a.kind) {
    case 'close': {
      // glibc ignores EBADF from a close action (the fd was valid to name, just not open).
      const r = yield* sys({ name: 'close', fd: a.fd });
      return r.kind === 'error' && r.errno !== 'EBADF' ? r : null;
    }
    case 'open': {
      const r = yield* sys({ name: 'openat', dirfd: -100, path: a.path, flags: a.flags, mode: a.mode });
      if (r.kind === 'error') return r;
      const fd = Number(r.value);
      if (fd !== a.fd) {
        const d = yield* sys({ name: 'dup2', oldfd: fd, newfd: a.fd });
        if (d.kind === 'error') return d;
        yield* sys({ name: 'close', fd });
      }
      return null;
    }
    case 'dup2': {
      if (a.fd === a.newfd) {
        const r = yield* sys({ name: 'fcntl', fd: a.fd, cmd: F_SETFD, arg: 0n });
        return r.kind === 'error' ? r : null;
      }
      const r = yield* sys({ name: 'dup2', oldfd: a.fd, newfd: a.newfd });
      return r.kind === 'error' ? r : null;
    }
    case 'chdir': {
      const r = yield* sys({ name: 'chdir', path: a.path });
      return r.kind === 'error' ? r : null;
    }
    default: {
      const never: never = a;
      throw new Error(`file action ${JSON.stringify(never)}`);
    }
  }
}

/**
 * system(3) (sysdeps/posix/system.c): SIGINT and SIGQUIT ignored and SIGCHLD blocked in the
 * caller for the duration; posix_spawn of `sh -c LINE` with the two signals reset to default and
 * the caller's old mask; waitpid; everything restored. Returns the wait status, or 127 << 8 when
 * the shell could not be spawned.
 */
export function* system(g: Guest, line: string): GuestGen<number> {
  const saved = pushLocal(g, 64n);
  const ignore: SigactionStruct = { handler: 'SIG_IGN', flags: SA_RESTORER, mask: 0n, restorer: RESTORER };
  const intr = yield* sys({ name: 'rt_sigaction', sig: SIGNALS.SIGINT, act: ignore, oldact: saved, sigsetsize: 8n });
  const quit = yield* sys({ name: 'rt_sigaction', sig: SIGNALS.SIGQUIT, act: ignore, oldact: saved + 32n, sigsetsize: 8n });
  const oldIntr = intr.kind === 'done' ? intr.out?.oldact : undefined;
  const oldQuit = quit.kind === 'done' ? quit.out?.oldact : undefined;
  const omask = pushLocal(g, 8n);
  yield* sys({ name: 'rt_sigprocmask', how: SIG_BLOCK, set: { mask: 1n << BigInt(SIGNALS.SIGCHLD - 1) }, oldset: omask, sigsetsize: 8n });
  const sigdefault = [
    ...(oldIntr?.handler !== 'SIG_IGN' ? [SIGNALS.SIGINT] : []),
    ...(oldQuit?.handler !== 'SIG_IGN' ? [SIGNALS.SIGQUIT] : []),
  ];
  const { ec, pid } = yield* posixSpawn(g, {
    file: '/bin/sh',
    argv: ['sh', '-c', line],
    envp: g.envp,
    usePath: false,
    attrs: { sigmask: g.mem.readU64(omask), sigdefault },
  });
  let status = 127 << 8;
  if (ec === 0) {
    const st = pushLocal(g, 8n);
    const w = yield* sys({ name: 'wait4', pid, status: st, options: 0, rusage: 0n });
    status = w.kind === 'done' ? g.mem.readU32(st) : -1;
    popLocal(g, 8n);
  }
  if (oldIntr) yield* sys({ name: 'rt_sigaction', sig: SIGNALS.SIGINT, act: oldIntr, oldact: 0n, sigsetsize: 8n });
  if (oldQuit) yield* sys({ name: 'rt_sigaction', sig: SIGNALS.SIGQUIT, act: oldQuit, oldact: 0n, sigsetsize: 8n });
  yield* sys({ name: 'rt_sigprocmask', how: SIG_SETMASK, set: { mask: g.mem.readU64(omask) }, oldset: 0n, sigsetsize: 8n });
  popLocal(g, 8n);
  popLocal(g, 64n);
  return status;
}
