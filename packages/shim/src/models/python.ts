// CPython 3.11's subprocess (Lib/subprocess.py _execute_child) over _posixsubprocess.fork_exec
// (Modules/_posixsubprocess.c), and os.fork / os.posix_spawn, as guest code. The values the C
// child reads (the descriptors it wires, whether to chdir or setsid) are a struct on the parent's
// stack, read by the vfork child through the shared memory.
import { F_GETFD, F_SETFD, O_CLOEXEC, SIG_BLOCK, SIG_SETMASK, SIGNALS, WAIT } from '@forkscope/kernel';
import type { Guest, GuestGen, Program, SysResult } from '../runtime/program.js';
import { posixSpawn } from './glibc-spawn.js';
import { errnoNumber, execve, exitGroup, fork, must, pathOf, popLocal, pushLocal, readFd, sys, vfork, waitpid } from './libc.js';

export interface PopenSpec {
  readonly args: readonly string[];
  readonly stdin?: 'pipe';
  readonly stdout?: 'pipe';
  readonly stderr?: 'pipe';
  readonly cwd?: string;
  /** Default true, as subprocess. */
  readonly closeFds?: boolean;
  readonly passFds?: readonly number[];
  readonly startNewSession?: boolean;
  /** A preexec_fn: Python code in the child forces fork() instead of vfork(). */
  readonly preexec?: (g: Guest) => GuestGen<void>;
}

/** The child data struct: one 32-bit slot per field. */
const CD = { p2cread: 0n, p2cwrite: 4n, c2pread: 8n, c2pwrite: 12n, errread: 16n, errwrite: 20n, errpipeRead: 24n, errpipeWrite: 28n, size: 32n } as const;
/** Signals CPython has handlers for at startup (SIGINT) and ignores (SIGPIPE, SIGXFSZ). */
const SIGINT_HANDLER = 0x678ec0n;
const RESTORER = 0x7f0000002050n;
const SA_RESTORER = 0x04000000n;
const SA_ONSTACK = 0x08000000n;
const ALL_BUT_INTERNAL = ((1n << 64n) - 1n) & ~(3n << 31n);

/** Interpreter start-up: the signal dispositions every CPython process has. */
export function* pythonStartup(g: Guest): GuestGen<void> {
  g.defineHandler(SIGINT_HANDLER, function* () {
    // signal_handler → trip_signal: marks the signal tripped; nothing else before Python code runs.
    g.mem.writeU32(g.data + 0x200n, 1);
  });
  const act = (handler: 'SIG_IGN' | bigint) => ({ handler, flags: SA_RESTORER | SA_ONSTACK, mask: 0n, restorer: RESTORER });
  yield* must({ name: 'rt_sigaction', sig: SIGNALS.SIGPIPE, act: act('SIG_IGN'), oldact: 0n, sigsetsize: 8n });
  yield* must({ name: 'rt_sigaction', sig: SIGNALS.SIGXFSZ, act: act('SIG_IGN'), oldact: 0n, sigsetsize: 8n });
  yield* must({ name: 'rt_sigaction', sig: SIGNALS.SIGINT, act: act(SIGINT_HANDLER), oldact: 0n, sigsetsize: 8n });
}

function* pipe(g: Guest): GuestGen<[number, number]> {
  const fds = pushLocal(g, 8n);
  yield* must({ name: 'pipe2', pipefd: fds, flags: O_CLOEXEC });
  const pair: [number, number] = [g.mem.readU32(fds), g.mem.readU32(fds + 4n)];
  popLocal(g, 8n);
  return pair;
}

/** A running Popen: the child pid and the parent's ends of the pipes. */
export interface Popen {
  readonly pid: number;
  readonly stdin: number;
  readonly stdout: number;
  readonly stderr: number;
  /** The error pipe's message when the child failed before or at exec (the exception raised). */
  readonly error: string | null;
}

/** Popen(args, …): returns when the child exec'd, or with the child's error (already reaped). */
export function* popen(g: Guest, spec: PopenSpec): GuestGen<Popen> {
  const [p2cread, p2cwrite] = spec.stdin === 'pipe' ? yield* pipe(g) : [-1, -1];
  const [c2pread, c2pwrite] = spec.stdout === 'pipe' ? yield* pipe(g) : [-1, -1];
  const [errread, errwrite] = spec.stderr === 'pipe' ? yield* pipe(g) : [-1, -1];
  const [errpipeRead, errpipeWrite] = yield* pipe(g);
  const exe = spec.args[0] ?? '';
  const execList = exe.includes('/') ? [exe] : pathOf(g.envp).split(':').map((d) => `${d}/${exe}`);
  // do_fork_exec's arguments, on the parent's stack.
  const cd = pushLocal(g, CD.size);
  for (const [k, v] of [
    [CD.p2cread, p2cread],
    [CD.p2cwrite, p2cwrite],
    [CD.c2pread, c2pread],
    [CD.c2pwrite, c2pwrite],
    [CD.errread, errread],
    [CD.errwrite, errwrite],
    [CD.errpipeRead, errpipeRead],
    [CD.errpipeWrite, errpipeWrite],
  ] as const) {
    g.mem.writeU32(cd + k, v >>> 0);
  }
  const oldmask = pushLocal(g, 8n);
  const useVfork = spec.preexec === undefined;
  let r: SysResult;
  const child: Program = (c) => childExec(c, cd, spec, execList);
  if (useVfork) {
    // Block every signal so that no Python handler runs in the vfork child.
    yield* must({ name: 'rt_sigprocmask', how: SIG_BLOCK, set: { mask: ALL_BUT_INTERNAL }, oldset: oldmask, sigsetsize: 8n });
    r = yield* vfork(child);
    yield* must({ name: 'rt_sigprocmask', how: SIG_SETMASK, set: { mask: g.mem.readU64(oldmask) }, oldset: 0n, sigsetsize: 8n });
  } else {
    r = yield* fork(g, child);
  }
  popLocal(g, 8n);
  popLocal(g, CD.size);
  yield* sys({ name: 'close', fd: errpipeWrite });
  // _close_pipe_fds: an ExitStack, so in reverse order of registration.
  for (const fd of [errwrite, c2pwrite, p2cread]) if (fd !== -1) yield* sys({ name: 'close', fd });
  if (r.kind !== 'done') throw new Error(`fork_exec failed: ${r.errno}`);
  const pid = Number(r.value);
  let message = '';
  for (;;) {
    const part = yield* readFd(g, errpipeRead, 50000n);
    if (part.kind !== 'done' || part.value === 0n) break;
    message += new TextDecoder().decode(part.out?.data ?? new Uint8Array());
  }
  yield* sys({ name: 'close', fd: errpipeRead });
  if (message !== '') {
    const status = pushLocal(g, 8n);
    yield* waitpid(pid, status);
    popLocal(g, 8n);
    for (const fd of [p2cwrite, c2pread, errread]) if (fd !== -1) yield* sys({ name: 'close', fd });
    return { pid, stdin: -1, stdout: -1, stderr: -1, error: message };
  }
  return { pid, stdin: p2cwrite, stdout: c2pread, stderr: errread, error: null };
}

/** child_exec, a function called in the child: its frame is below the caller's stack pointer. */
function* childExec(g: Guest, cd: bigint, spec: PopenSpec, execList: readonly string[]): GuestGen<never> {
  pushLocal(g, 0x100n);
  const fd = (k: bigint): number => g.mem.readU32(cd + k) | 0;
  const errpipeWrite = fd(CD.errpipeWrite);
  let failure: { errno: number; noexec: boolean } | null = null;
  for (const keep of spec.passFds ?? []) {
    yield* sys({ name: 'fcntl', fd: keep, cmd: F_GETFD, arg: 0n });
    yield* sys({ name: 'fcntl', fd: keep, cmd: F_SETFD, arg: 0n });
  }
  for (const k of [CD.p2cwrite, CD.c2pread, CD.errread, CD.errpipeRead]) if (fd(k) !== -1) yield* sys({ name: 'close', fd: fd(k) });
  for (const [k, target] of [
    [CD.p2cread, 0],
    [CD.c2pwrite, 1],
    [CD.errwrite, 2],
  ] as const) {
    const from = fd(k);
    if (from === -1) continue;
    if (from === target) yield* sys({ name: 'fcntl', fd: from, cmd: F_SETFD, arg: 0n });
    else yield* sys({ name: 'dup2', oldfd: from, newfd: target });
  }
  if (spec.cwd !== undefined) {
    const r = yield* sys({ name: 'chdir', path: spec.cwd });
    if (r.kind === 'error') failure = { errno: errnoNumber(r), noexec: true };
  }
  if (!failure) {
    // restore_signals, then reset_signal_handlers and the saved mask.
    for (const sig of [SIGNALS.SIGPIPE, SIGNALS.SIGXFSZ]) {
      yield* sys({ name: 'rt_sigaction', sig, act: { handler: 'SIG_DFL', flags: SA_RESTORER | SA_ONSTACK, mask: 0n, restorer: RESTORER }, oldact: g.sp, sigsetsize: 8n });
    }
    if (spec.startNewSession) {
      const s = yield* sys({ name: 'setsid' });
      if (s.kind === 'error') failure = { errno: errnoNumber(s), noexec: true };
    }
  }
  if (!failure) {
    yield* sys({ name: 'rt_sigaction', sig: SIGNALS.SIGINT, act: { handler: 'SIG_DFL', flags: SA_RESTORER, mask: 0n, restorer: RESTORER }, oldact: 0n, sigsetsize: 8n });
    yield* sys({ name: 'rt_sigprocmask', how: SIG_SETMASK, set: { mask: 0n }, oldset: 0n, sigsetsize: 8n });
    if (spec.preexec) yield* spec.preexec(g);
    if (spec.closeFds !== false) {
      // _close_open_fds: close_range over the gaps between the fds to keep.
      const keep = [errpipeWrite, ...(spec.passFds ?? [])].sort((a, b) => a - b);
      let from = 3;
      for (const k of keep) {
        if (k > from) yield* sys({ name: 'close_range', first: from, last: k - 1, flags: 0 });
        from = Math.max(from, k + 1);
      }
      yield* sys({ name: 'close_range', first: from, last: 0x7fffffff, flags: 0 });
    }
    let saved = 0;
    for (const path of execList) {
      const e = yield* execve(path, spec.args, g.envp);
      const n = errnoNumber(e);
      if (n !== 2 && n !== 20 && saved === 0) saved = n;
      if (saved === 0) saved = n;
    }
    failure = { errno: saved, noexec: false };
  }
  // The OSError protocol on the error pipe, written in pieces as the C code does.
  for (const piece of ['OSError:', failure.errno.toString(16), ':', failure.noexec ? 'noexec' : '']) {
    if (piece === '') continue;
    const bytes = new TextEncoder().encode(piece);
    yield* sys({ name: 'write', fd: errpipeWrite, buf: bytes, count: BigInt(bytes.length) });
  }
  return yield* exitGroup(255);
}

/** Reads a descriptor to EOF (what communicate() does for one pipe), returning the text. */
export function* readAll(g: Guest, fd: number): GuestGen<string> {
  let text = '';
  for (;;) {
    const r = yield* readFd(g, fd, 4096n);
    if (r.kind !== 'done' || r.value === 0n) return text;
    text += new TextDecoder().decode(r.out?.data ?? new Uint8Array());
  }
}

function* wait(g: Guest, p: Popen): GuestGen<void> {
  const status = pushLocal(g, 8n);
  yield* waitpid(p.pid, status);
  popLocal(g, 8n);
}

/** subprocess.run(args, …): Popen, communicate (read each pipe to EOF), wait. */
function* run(g: Guest, spec: PopenSpec): GuestGen<void> {
  const p = yield* popen(g, spec);
  if (p.error !== null) return;
  // The kernel has no poll(2): the pipes are drained one after the other (see the report).
  if (p.stdout !== -1) yield* readAll(g, p.stdout);
  if (p.stderr !== -1) yield* readAll(g, p.stderr);
  for (const fd of [p.stdout, p.stderr]) if (fd !== -1) yield* sys({ name: 'close', fd });
  yield* wait(g, p);
}

function main(body: (g: Guest) => GuestGen<void>): Program {
  return function* (g) {
    yield* pythonStartup(g);
    yield* body(g);
    return 0;
  };
}

function* write(fd: number, text: string): GuestGen<void> {
  const bytes = new TextEncoder().encode(text);
  yield* sys({ name: 'write', fd, buf: bytes, count: BigInt(bytes.length) });
}

export const PYTHON_MODELS: { readonly [caseName: string]: Program } = {
  'run-success': main(function* (g) {
    yield* run(g, { args: ['/bin/true'] });
    yield* run(g, { args: ['/bin/false'] });
  }),
  enoent: main(function* (g) {
    yield* run(g, { args: ['forkscope-no-such-program'] });
    yield* run(g, { args: ['/nonexistent/forkscope-prog'] });
  }),
  'cwd-bad': main((g) => run(g, { args: ['/bin/pwd'], cwd: 'no-such-dir' })),
  'cwd-good': main((g) => run(g, { args: ['/bin/pwd'], cwd: 'sub', stdout: 'pipe' })),
  shell: main((g) => run(g, { args: ['/bin/sh', '-c', 'echo shell:$((6 * 7)); exit 3'], stdout: 'pipe' })),
  'capture-output': main((g) => run(g, { args: ['/bin/sh', '-c', 'echo out-line; echo err-line >&2; exit 4'], stdout: 'pipe', stderr: 'pipe' })),
  communicate: main(function* (g) {
    const p = yield* popen(g, { args: ['/bin/cat'], stdin: 'pipe', stdout: 'pipe' });
    yield* write(p.stdin, 'first line\nsecond line\n');
    yield* sys({ name: 'close', fd: p.stdin });
    yield* readAll(g, p.stdout);
    yield* sys({ name: 'close', fd: p.stdout });
    yield* wait(g, p);
  }),
  kill: main(function* (g) {
    const p = yield* popen(g, { args: ['/bin/sh', '-c', 'echo ready; read line'], stdin: 'pipe', stdout: 'pipe' });
    // readline(): the "ready" line.
    yield* readFd(g, p.stdout, 8192n);
    // Popen.kill → send_signal polls first (waitpid WNOHANG) so as never to signal a reaped pid.
    const status = pushLocal(g, 8n);
    yield* waitpid(p.pid, status, WAIT.WNOHANG);
    yield* sys({ name: 'kill', pid: p.pid, sig: SIGNALS.SIGKILL });
    yield* waitpid(p.pid, status);
    popLocal(g, 8n);
  }),
  'os-fork': main(function* (g) {
    const [r, w] = yield* pipe(g);
    const f = yield* fork(g, function* () {
      yield* write(w, 'child says hi\n');
      return yield* exitGroup(7);
    });
    if (f.kind !== 'done') return;
    yield* sys({ name: 'close', fd: w });
    yield* readAll(g, r);
    const status = pushLocal(g, 8n);
    yield* waitpid(Number(f.value), status);
  }),
  'pass-fds': main(function* (g) {
    const [r, w] = yield* pipe(g);
    const p = yield* popen(g, { args: ['/bin/sh', '-c', 'echo through-passed-fd >&"$1"', 'sh', String(w)], passFds: [w] });
    yield* sys({ name: 'close', fd: w });
    yield* readAll(g, r);
    yield* wait(g, p);
  }),
  'preexec-fn': main((g) =>
    run(g, {
      args: ['/bin/sh', '-c', 'echo "mark=$FORKSCOPE_MARK"'],
      stdout: 'pipe',
      // os.environ['FORKSCOPE_MARK'] = …: putenv in the child, no system call.
      preexec: function* () {},
    }),
  ),
  'posix-spawn': main(function* (g) {
    const status = pushLocal(g, 8n);
    const ok = yield* posixSpawn(g, { file: '/bin/sh', argv: ['sh', '-c', 'exit 5'], envp: g.envp, usePath: false });
    if (ok.ec === 0) yield* waitpid(ok.pid, status);
    yield* posixSpawn(g, { file: '/nonexistent/forkscope-prog', argv: ['x'], envp: g.envp, usePath: false });
  }),
  'new-session': main((g) =>
    run(g, {
      args: ['/bin/sh', '-c', 'read -r pid comm state ppid pgrp sid rest < /proc/$$/stat; [ "$sid" = "$$" ] && echo leads-own-session'],
      stdout: 'pipe',
      startNewSession: true,
    }),
  ),
  'close-fds-false': main(function* (g) {
    // A path with a directory and close_fds=False: Lib/subprocess.py's _posix_spawn path.
    const status = pushLocal(g, 8n);
    const s = yield* posixSpawn(g, { file: '/bin/sh', argv: ['/bin/sh', '-c', 'exit 2'], envp: g.envp, usePath: false });
    if (s.ec === 0) yield* waitpid(s.pid, status);
    // A bare name keeps _posixsubprocess (and vfork): the child walks PATH.
    yield* run(g, { args: ['true'], closeFds: false });
  }),
};
