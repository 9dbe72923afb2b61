// Rust std::process::Command (library/std/src/sys/unix/process/process_unix.rs) on glibc 2.36,
// as guest code. spawn() takes the posix_spawn path (posix_spawnp: std always lets the C library
// search PATH) unless something only the fork path can do is asked for: pre_exec closures, or a
// PATH set on the Command. The fork path reports the child's failure over a CLOEXEC channel as
// 4 big-endian errno bytes plus "NOEX", then _exit(1).
import { O_CLOEXEC, O_RDONLY, SIGNALS } from '@forkscope/kernel';
import type { Guest, GuestGen, Program } from '../runtime/program.js';
import { posixSpawn, type FileAction, type SpawnRequest } from './glibc-spawn.js';
import { errnoNumber, execvpe, exitGroup, fork, must, popLocal, pushLocal, readFd, sys, waitpid } from './libc.js';

const SA_RESTORER = 0x04000000n;
const SA_RESTART = 0x10000000n;
const SA_ONSTACK = 0x08000000n;
const SA_SIGINFO = 0x4n;
const RESTORER = 0x7f0000002050n;
/** std's stack-overflow handler (sys::unix::stack_overflow). */
const OVERFLOW_HANDLER = 0x55b90124db30n;

/** std's runtime init: SIGPIPE ignored; SIGSEGV/SIGBUS handlers for stack-overflow reports. */
function* rustStartup(g: Guest): GuestGen<void> {
  g.defineHandler(OVERFLOW_HANDLER, function* () {
    // A fault that is not a guard-page hit: the handler restores SIG_DFL and returns to refault.
  });
  const pipeBit = 1n << BigInt(SIGNALS.SIGPIPE - 1);
  yield* must({ name: 'rt_sigaction', sig: SIGNALS.SIGPIPE, act: { handler: 'SIG_IGN', flags: SA_RESTORER | SA_RESTART, mask: pipeBit, restorer: RESTORER }, oldact: 0n, sigsetsize: 8n });
  for (const sig of [SIGNALS.SIGSEGV, SIGNALS.SIGBUS]) {
    yield* must({ name: 'rt_sigaction', sig, act: { handler: OVERFLOW_HANDLER, flags: SA_RESTORER | SA_ONSTACK | SA_SIGINFO, mask: 0n, restorer: RESTORER }, oldact: 0n, sigsetsize: 8n });
  }
}

function* pipe(g: Guest): GuestGen<[number, number]> {
  const fds = pushLocal(g, 8n);
  yield* must({ name: 'pipe2', pipefd: fds, flags: O_CLOEXEC });
  const pair: [number, number] = [g.mem.readU32(fds), g.mem.readU32(fds + 4n)];
  popLocal(g, 8n);
  return pair;
}

type Stdio = 'inherit' | 'piped' | 'null';

interface CommandSpec {
  readonly program: string;
  readonly args?: readonly string[];
  readonly stdin?: Stdio;
  readonly stdout?: Stdio;
  readonly stderr?: Stdio;
  readonly env?: readonly string[];
  readonly cwd?: string;
  readonly processGroup?: number;
  /** A PATH set on the Command: std cannot hand it to posix_spawnp, so it forks. */
  readonly path?: string;
  /** pre_exec closures: each returns null or an errno number. */
  readonly preExec?: readonly ((g: Guest) => GuestGen<number | null>)[];
}

interface Child {
  readonly pid: number;
  readonly stdin: number;
  readonly stdout: number;
  readonly stderr: number;
}

/** Command::spawn: Ok(child) or Err(errno). */
function* spawn(g: Guest, spec: CommandSpec): GuestGen<{ child: Child } | { errno: number }> {
  const argv = [spec.program, ...(spec.args ?? [])];
  const envp = spec.env ?? g.envp;
  // Stdio::setup_io: null opens /dev/null, piped makes a pipe (the child's end is dup2'd).
  const ends: { theirs: number; ours: number }[] = [];
  for (const [which, fdNo] of [
    [spec.stdin, 0],
    [spec.stdout, 1],
    [spec.stderr, 2],
  ] as const) {
    if (which === 'null') {
      const fd = yield* must({ name: 'openat', dirfd: -100, path: '/dev/null', flags: (fdNo === 0 ? O_RDONLY : 1) | O_CLOEXEC, mode: 0 });
      ends[fdNo] = { theirs: Number(fd), ours: -1 };
    } else if (which === 'piped') {
      const [r, w] = yield* pipe(g);
      ends[fdNo] = fdNo === 0 ? { theirs: r, ours: w } : { theirs: w, ours: r };
    }
  }
  const dup2s: FileAction[] = [];
  for (let fd = 0; fd < 3; fd++) {
    const e = ends[fd];
    if (e) dup2s.push({ kind: 'dup2', fd: e.theirs, newfd: fd });
  }
  let pid: number;
  if (spec.preExec === undefined && spec.path === undefined) {
    const req: SpawnRequest = {
      file: spec.program,
      argv,
      envp,
      usePath: true,
      actions: [...(spec.cwd !== undefined ? [{ kind: 'chdir' as const, path: spec.cwd }] : []), ...dup2s],
      attrs: { sigmask: 0n, ...(spec.processGroup !== undefined ? { pgroup: spec.processGroup } : {}) },
    };
    const { ec, pid: p } = yield* posixSpawn(g, req);
    for (const e of ends) if (e && e.theirs !== -1) yield* sys({ name: 'close', fd: e.theirs });
    if (ec !== 0) return { errno: ec };
    pid = p;
  } else {
    const [input, output] = yield* pipe(g);
    const f = yield* fork(g, (c) => doExec(c, spec, argv, envp, dup2s, output));
    if (f.kind !== 'done') return { errno: errnoNumber(f) };
    pid = Number(f.value);
    yield* sys({ name: 'close', fd: output });
    for (const e of ends) if (e && e.theirs !== -1) yield* sys({ name: 'close', fd: e.theirs });
    const report = yield* readFd(g, input, 8n);
    yield* sys({ name: 'close', fd: input });
    const data = report.kind === 'done' ? (report.out?.data ?? new Uint8Array()) : new Uint8Array();
    if (data.length === 8) {
      const status = pushLocal(g, 8n);
      yield* waitpid(pid, status);
      popLocal(g, 8n);
      return { errno: new DataView(data.buffer, data.byteOffset, 4).getUint32(0, false) };
    }
  }
  return { child: { pid, stdin: ends[0]?.ours ?? -1, stdout: ends[1]?.ours ?? -1, stderr: ends[2]?.ours ?? -1 } };
}

/** The fork path's child: stdio, pre_exec closures, execvp; failures go over the channel. */
function* doExec(
  g: Guest,
  spec: CommandSpec,
  argv: readonly string[],
  envp: readonly string[],
  dup2s: readonly FileAction[],
  output: number,
): GuestGen<never> {
  let errno = 0;
  for (const a of dup2s) {
    if (a.kind !== 'dup2') continue;
    const r = yield* sys({ name: 'dup2', oldfd: a.fd, newfd: a.newfd });
    if (r.kind === 'error') errno = errnoNumber(r);
  }
  for (const closure of spec.preExec ?? []) {
    if (errno !== 0) break;
    errno = (yield* closure(g)) ?? 0;
  }
  if (errno === 0) {
    const r = yield* execvpe(spec.program, argv, envp, spec.path);
    errno = errnoNumber(r);
  }
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setUint32(0, errno, false);
  bytes.set([0x4e, 0x4f, 0x45, 0x58], 4);
  yield* sys({ name: 'write', fd: output, buf: bytes, count: 8n });
  return yield* exitGroup(1);
}

function* drain(g: Guest, fd: number): GuestGen<void> {
  if (fd === -1) return;
  for (;;) {
    const r = yield* readFd(g, fd, 32n);
    if (r.kind !== 'done' || r.value === 0n) break;
  }
  yield* sys({ name: 'close', fd });
}

function* wait(g: Guest, child: Child): GuestGen<void> {
  const status = pushLocal(g, 8n);
  yield* waitpid(child.pid, status);
  popLocal(g, 8n);
}

/** Command::status: spawn, then wait. */
function* status(g: Guest, spec: CommandSpec): GuestGen<void> {
  const s = yield* spawn(g, spec);
  if ('child' in s) yield* wait(g, s.child);
}

/** Command::output: stdin null, stdout and stderr piped and drained (no poll(2): one after the other), wait. */
function* output(g: Guest, spec: CommandSpec): GuestGen<void> {
  const s = yield* spawn(g, { ...spec, stdin: spec.stdin ?? 'null', stdout: 'piped', stderr: 'piped' });
  if (!('child' in s)) return;
  yield* drain(g, s.child.stdout);
  yield* drain(g, s.child.stderr);
  yield* wait(g, s.child);
}

/** Reads /proc/<pid>/stat as the test program does (its first 32 bytes, synthesized by the kernel). */
function* readProcStat(g: Guest, pid: number): GuestGen<void> {
  const fd = yield* sys({ name: 'openat', dirfd: -100, path: `/proc/${pid}/stat`, flags: O_RDONLY | O_CLOEXEC, mode: 0 });
  if (fd.kind !== 'done') return;
  yield* readFd(g, Number(fd.value), 32n);
  yield* sys({ name: 'close', fd: Number(fd.value) });
}

function* killAfterReady(g: Guest, spec: CommandSpec): GuestGen<void> {
  const s = yield* spawn(g, { ...spec, program: '/bin/sh', args: ['-c', 'echo ready; read line'], stdin: 'piped', stdout: 'piped' });
  if (!('child' in s)) return;
  yield* readFd(g, s.child.stdout, 8192n);
  yield* sys({ name: 'close', fd: s.child.stdout });
  yield* readProcStat(g, s.child.pid);
  yield* sys({ name: 'kill', pid: s.child.pid, sig: SIGNALS.SIGKILL });
  yield* wait(g, s.child);
}

function main(body: (g: Guest) => GuestGen<void>): Program {
  return function* (g) {
    yield* rustStartup(g);
    yield* body(g);
    return 0;
  };
}

function* writeText(fd: number, text: string): GuestGen<number | null> {
  const bytes = new TextEncoder().encode(text);
  const r = yield* sys({ name: 'write', fd, buf: bytes, count: BigInt(bytes.length) });
  return r.kind === 'error' ? errnoNumber(r) : null;
}

export const RUST_MODELS: { readonly [caseName: string]: Program } = {
  status: main(function* (g) {
    yield* status(g, { program: '/bin/true' });
    yield* status(g, { program: '/bin/false' });
  }),
  'spawn-enoent': main(function* (g) {
    yield* status(g, { program: '/nonexistent/forkscope-prog' });
    yield* status(g, { program: 'forkscope-no-such-program' });
    yield* status(g, { program: './not-executable' });
  }),
  'current-dir-bad': main((g) => status(g, { program: '/bin/pwd', cwd: 'no-such-dir' })),
  'current-dir-good': main((g) => output(g, { program: '/bin/pwd', cwd: 'sub' })),
  'env-clear': main((g) => output(g, { program: '/usr/bin/env', env: ['FORKSCOPE_ONLY=1'] })),
  exec: main(function* (g) {
    // CommandExt::exec: the fork path's child half run in the caller; execvp replaces it.
    yield* execvpe('/bin/echo', ['/bin/echo', 'replaced by exec'], g.envp);
    yield* exitGroup(1);
  }),
  output: main((g) => output(g, { program: '/bin/sh', args: ['-c', 'echo out-line; echo err-line >&2; exit 3'] })),
  'stdio-null': main((g) => output(g, { program: '/bin/cat', stdin: 'null' })),
  'piped-stdin': main(function* (g) {
    const s = yield* spawn(g, { program: '/bin/cat', stdin: 'piped', stdout: 'piped' });
    if (!('child' in s)) return;
    yield* writeText(s.child.stdin, 'line one\nline two\n');
    yield* sys({ name: 'close', fd: s.child.stdin });
    yield* drain(g, s.child.stdout);
    yield* wait(g, s.child);
  }),
  'path-search': main(function* (g) {
    yield* status(g, { program: 'true' });
    yield* status(g, { program: 'true', path: '/nonexistent:/usr/bin' });
  }),
  'pre-exec': main(function* (g) {
    yield* status(g, { program: '/bin/echo', args: ['after pre_exec'], preExec: [() => writeText(1, 'pre_exec ran in the child\n')] });
    yield* status(g, {
      program: '/bin/echo',
      args: ['never'],
      preExec: [
        function* () {
          return 1; // Err(io::Error::from_raw_os_error(EPERM))
        },
      ],
    });
  }),
  kill: main((g) => killAfterReady(g, { program: '/bin/sh' })),
  'process-group': main((g) => killAfterReady(g, { program: '/bin/sh', processGroup: 0 })),
};
