// The raw-syscall corpus programs (tools/capture/programs/raw/): direct fork, vfork, clone and
// clone3 calls, written after the C sources' call sequences.
import { CLONE, MAP_ANONYMOUS, MAP_PRIVATE, MAP_STACK, P_PID, P_PIDFD, PR, PROT_READ, PROT_WRITE, SIGNALS, WAIT } from '@forkscope/kernel';
import type { Guest, GuestGen, Program } from '../runtime/program.js';
import { readFd, execve, exitGroup, exitThread, must, popLocal, pushLocal, sys, vfork, waitpid } from './libc.js';

const SIGCHLD = BigInt(SIGNALS.SIGCHLD);

function* writeLine(text: string): GuestGen<void> {
  const bytes = new TextEncoder().encode(text);
  yield* sys({ name: 'write', fd: 1, buf: bytes, count: BigInt(bytes.length) });
}

/** vfork; the child stores into a global and into the caller's stack frame, then exit(7). */
function* vforkSharedMemory(g: Guest): GuestGen<number> {
  const global = g.data + 0x100n;
  const local = pushLocal(g, 16n);
  g.mem.writeU32(local, 1);
  const r = yield* vfork(function* (c) {
    c.mem.writeU32(global, 42);
    c.mem.writeU32(local, 2);
    return yield* exitThread(7);
  });
  if (r.kind !== 'done') return 1;
  const status = pushLocal(g, 8n);
  yield* waitpid(Number(r.value), status);
  yield* writeLine(`vfork returned a pid; parent reads global=${g.mem.readU32(global)} stack=${g.mem.readU32(local)}\nchild exited ${(g.mem.readU32(status) >> 8) & 0xff}\n`);
  popLocal(g, 8n);
  popLocal(g, 16n);
  return 0;
}

/** vfork; the child's first execve fails (parent still suspended), the second succeeds. */
function* vforkExec(g: Guest): GuestGen<number> {
  const seen = g.data + 0x100n;
  const r = yield* vfork(function* (c) {
    const e = yield* execve('/nonexistent/prog', ['true'], c.envp);
    c.mem.writeU32(seen, e.kind === 'error' ? 2 : 0);
    yield* execve('/bin/true', ['true'], c.envp);
    return yield* exitGroup(127);
  });
  if (r.kind !== 'done') return 1;
  const status = pushLocal(g, 8n);
  yield* waitpid(Number(r.value), status);
  yield* writeLine(`child saw errno ${g.mem.readU32(seen)}\n`);
  return 0;
}

/** A vfork child that SIGTERMs itself: the parent is released by the death. */
function* vforkChildKilled(g: Guest): GuestGen<number> {
  const r = yield* vfork(function* () {
    const self = yield* must({ name: 'getpid' });
    yield* sys({ name: 'kill', pid: Number(self), sig: SIGNALS.SIGTERM });
    return yield* exitGroup(1);
  });
  if (r.kind !== 'done') return 1;
  const status = pushLocal(g, 8n);
  yield* waitpid(Number(r.value), status);
  return 0;
}

/** Legacy clone(CLONE_VM|CLONE_VFORK|SIGCHLD) on a new mmap'd stack. */
function* cloneVforkStack(g: Guest): GuestGen<number> {
  const size = 0x10000n;
  const stack = yield* must({ name: 'mmap', addr: 0n, length: size, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, fd: -1, offset: 0n });
  const shared = g.data + 0x100n;
  const r = yield* sys(
    { name: 'clone', flags: CLONE.VM | CLONE.VFORK | SIGCHLD, stack: stack + size, parent_tid: 0n, child_tid: 0n, tls: 0n },
    {
      body: function* (c) {
        c.mem.writeU32(shared, 42);
        return yield* exitThread(7);
      },
      stack: stack + size,
    },
  );
  if (r.kind !== 'done') return 1;
  const status = pushLocal(g, 8n);
  yield* waitpid(Number(r.value), status);
  yield* writeLine(`parent reads ${g.mem.readU32(shared)}\n`);
  return 0;
}

/** clone3(CLONE_VM|CLONE_VFORK) on a new stack: the child writes parent memory and execs. */
function* clone3VforkStack(g: Guest): GuestGen<number> {
  const size = 0x10000n;
  const stack = yield* must({ name: 'mmap', addr: 0n, length: size, prot: PROT_READ | PROT_WRITE, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, fd: -1, offset: 0n });
  const shared = g.data + 0x100n;
  const r = yield* sys(
    { name: 'clone3', args: { flags: CLONE.VM | CLONE.VFORK, exit_signal: SIGCHLD, stack, stack_size: size }, size: 88n },
    {
      body: function* (c) {
        c.mem.writeU32(shared, 42);
        yield* execve('/bin/true', ['true'], c.envp);
        return yield* exitGroup(127);
      },
      stack: stack + size,
    },
  );
  if (r.kind !== 'done') return 1;
  const status = pushLocal(g, 8n);
  yield* waitpid(Number(r.value), status);
  return 0;
}

/** clone3 argument errors (B2, B20, B12, B13, B10, B5, B6): no process is created. */
function* clone3Errors(g: Guest): GuestGen<number> {
  const none: Program = function* () {
    return yield* exitGroup(99);
  };
  const child = { body: none, stack: 'inherit' as const };
  const args = pushLocal(g, 96n);
  yield* sys({ name: 'clone3', args, size: 63n }, child);
  yield* sys({ name: 'clone3', args: { flags: 0n, exit_signal: SIGCHLD, stack: 0x7f0000100000n, stack_size: 0n }, size: 88n }, child);
  yield* sys({ name: 'clone3', args: { flags: CLONE.SIGHAND, exit_signal: SIGCHLD }, size: 88n }, child);
  yield* sys({ name: 'clone3', args: { flags: CLONE.THREAD, exit_signal: 0n }, size: 88n }, child);
  yield* sys({ name: 'clone3', args: { flags: 0n, exit_signal: 65n }, size: 88n }, child);
  // 96 bytes whose last 8 (beyond VER2) are not zero: the struct by address.
  g.mem.writeU64(args + 32n, SIGCHLD);
  g.mem.writeU64(args + 88n, 1n << 56n);
  yield* sys({ name: 'clone3', args, size: 96n }, child);
  yield* sys({ name: 'clone3', args: 0n, size: 88n }, child);
  return 0;
}

/** clone3 with exit_signal 0 and SIGUSR1: invisible to plain waits, reaped with __WCLONE/__WALL. */
function* exitSignalWclone(g: Guest): GuestGen<number> {
  yield* must({ name: 'rt_sigprocmask', how: 0, set: { mask: (1n << 9n) | (1n << 16n) }, oldset: 0n, sigsetsize: 8n });
  const status = pushLocal(g, 8n);
  const a = yield* sys({ name: 'clone3', args: { flags: 0n, exit_signal: 0n }, size: 88n }, { body: () => exitThread(5), stack: 'inherit' });
  if (a.kind !== 'done') return 1;
  yield* waitpid(Number(a.value), status);
  yield* waitpid(Number(a.value), status, WAIT.__WCLONE);
  const b = yield* sys({ name: 'clone3', args: { flags: 0n, exit_signal: BigInt(SIGNALS.SIGUSR1) }, size: 88n }, { body: () => exitThread(6), stack: 'inherit' });
  if (b.kind !== 'done') return 1;
  yield* waitpid(-1, status);
  yield* waitpid(Number(b.value), status, WAIT.__WALL);
  return 0;
}

/** fork; the child pauses; the parent SIGKILLs and reaps it. */
function* forkSigkill(g: Guest): GuestGen<number> {
  const r = yield* sys({ name: 'fork' }, {
    body: function* () {
      for (;;) yield* sys({ name: 'pause' });
    },
    stack: 'inherit',
  });
  if (r.kind !== 'done') return 1;
  yield* sys({ name: 'kill', pid: Number(r.value), sig: SIGNALS.SIGKILL });
  const status = pushLocal(g, 8n);
  yield* waitpid(Number(r.value), status);
  return 0;
}

/** PR_SET_CHILD_SUBREAPER: A forks B, B forks C and exits; C is reparented to A (E34). */
function* subreaper(g: Guest): GuestGen<number> {
  yield* must({ name: 'prctl', option: PR.SET_CHILD_SUBREAPER, arg2: 1n });
  const fds = pushLocal(g, 16n);
  yield* must({ name: 'pipe2', pipefd: fds, flags: 0 });
  yield* must({ name: 'pipe2', pipefd: fds + 8n, flags: 0 });
  const [r3, w4, r5, w6] = [g.mem.readU32(fds), g.mem.readU32(fds + 4n), g.mem.readU32(fds + 8n), g.mem.readU32(fds + 12n)];
  const b = yield* sys({ name: 'fork' }, {
    body: function* () {
      yield* sys({ name: 'fork' }, {
        body: function* (c) {
          yield* sys({ name: 'close', fd: w6 });
          // Wait until B is gone: the pipe's last writer closes when B exits.
          yield* readFd(c, r5, 1n);
          yield* sys({ name: 'getppid' });
          yield* sys({ name: 'write', fd: w4, buf: new Uint8Array([0x79]), count: 1n });
          return yield* exitGroup(3);
        },
        stack: 'inherit',
      });
      return yield* exitGroup(0);
    },
    stack: 'inherit',
  });
  if (b.kind !== 'done') return 1;
  yield* sys({ name: 'close', fd: r5 });
  yield* sys({ name: 'close', fd: w6 });
  yield* sys({ name: 'close', fd: w4 });
  const status = pushLocal(g, 8n);
  yield* waitpid(Number(b.value), status);
  yield* readFd(g, r3, 1n);
  yield* waitpid(-1, status);
  return 0;
}

/** pipe2(O_CLOEXEC) + fork + execve: EOF means the exec worked, 4 bytes carry its errno. */
function* cloexecStatusPipe(g: Guest): GuestGen<number> {
  const fds = pushLocal(g, 8n);
  const status = pushLocal(g, 8n);
  for (const path of ['/bin/true', '/nonexistent/prog']) {
    yield* must({ name: 'pipe2', pipefd: fds, flags: 0o2000000 });
    const rd = g.mem.readU32(fds);
    const wr = g.mem.readU32(fds + 4n);
    const r = yield* sys({ name: 'fork' }, {
      body: function* () {
        const e = yield* execve(path, [path], []);
        const errno = new Uint8Array([e.kind === 'error' ? 2 : 0, 0, 0, 0]);
        yield* sys({ name: 'write', fd: wr, buf: errno, count: 4n });
        return yield* exitGroup(127);
      },
      stack: 'inherit',
    });
    if (r.kind !== 'done') return 1;
    yield* sys({ name: 'close', fd: wr });
    yield* readFd(g, rd, 4n);
    yield* waitpid(Number(r.value), status);
    yield* sys({ name: 'close', fd: rd });
  }
  return 0;
}

/** clone3(CLONE_PIDFD): waitid(P_PIDFD) reaps the child; a second waitid is ECHILD (C18). */
function* clonePidfd(g: Guest): GuestGen<number> {
  const pidfd = pushLocal(g, 8n);
  const r = yield* sys({ name: 'clone3', args: { flags: CLONE.PIDFD, pidfd, exit_signal: SIGCHLD }, size: 88n }, { body: () => exitThread(9), stack: 'inherit' });
  if (r.kind !== 'done') return 1;
  const fd = r.out?.pidfd ?? g.mem.readU32(pidfd);
  const info = pushLocal(g, 128n);
  yield* sys({ name: 'waitid', idtype: P_PIDFD, id: fd, infop: info, options: WAIT.WEXITED, rusage: 0n });
  yield* sys({ name: 'waitid', idtype: P_PIDFD, id: fd, infop: info, options: WAIT.WEXITED, rusage: 0n });
  return 0;
}

/** waitid(WEXITED|WNOWAIT) leaves the zombie; waitid(WEXITED) reaps it; then ECHILD (E21). */
function* waitidWnowait(g: Guest): GuestGen<number> {
  const r = yield* sys({ name: 'fork' }, { body: () => exitGroup(42), stack: 'inherit' });
  if (r.kind !== 'done') return 1;
  const pid = Number(r.value);
  const info = pushLocal(g, 128n);
  yield* sys({ name: 'waitid', idtype: P_PID, id: pid, infop: info, options: WAIT.WEXITED | WAIT.WNOWAIT, rusage: 0n });
  yield* sys({ name: 'waitid', idtype: P_PID, id: pid, infop: info, options: WAIT.WEXITED, rusage: 0n });
  yield* sys({ name: 'waitid', idtype: P_PID, id: pid, infop: info, options: WAIT.WEXITED, rusage: 0n });
  return 0;
}

export const RAW_MODELS: { readonly [caseName: string]: Program } = {
  'vfork-shared-memory': vforkSharedMemory,
  'vfork-exec': vforkExec,
  'vfork-child-killed': vforkChildKilled,
  'clone-vfork-stack': cloneVforkStack,
  'clone3-vfork-stack': clone3VforkStack,
  'clone3-errors': clone3Errors,
  'exit-signal-wclone': exitSignalWclone,
  'fork-sigkill': forkSigkill,
  subreaper,
  'cloexec-exec-status-pipe': cloexecStatusPipe,
  'clone-pidfd': clonePidfd,
  'waitid-wnowait': waitidWnowait,
};
