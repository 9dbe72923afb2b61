// The posix_spawn family's test program (tools/capture/programs/posix_spawn/): glibc's
// posix_spawn/posix_spawnp with file actions and attributes, then waitpid.
import { O_CREAT, O_TRUNC, O_WRONLY, SIGNALS, WAIT } from '@forkscope/kernel';
import type { Guest, Program } from '../runtime/program.js';
import { posixSpawn, type SpawnRequest } from './glibc-spawn.js';
import { must, pushLocal, waitpid } from './libc.js';
import { barrierWait, pthreadCreate, pthreadJoin } from './pthread.js';

/** The C test program's pattern: spawn, reap what was spawned, then check no child is left. */
function spawnProgram(requests: (g: Guest) => readonly SpawnRequest[], reap: 'each' | 'any' = 'each'): Program {
  return function* (g) {
    const status = pushLocal(g, 8n);
    const pids: number[] = [];
    for (const req of requests(g)) {
      const { ec, pid } = yield* posixSpawn(g, req);
      if (ec === 0 && reap === 'each') yield* waitpid(pid, status);
      if (ec === 0) pids.push(pid);
    }
    if (reap === 'any') {
      for (;;) {
        const r = yield* waitpid(-1, status);
        if (r.kind === 'error') break;
      }
    } else {
      yield* waitpid(-1, status, WAIT.WNOHANG);
    }
    return 0;
  };
}

const spawn = (file: string, argv: readonly string[], extra: Partial<SpawnRequest> = {}) => (g: Guest): SpawnRequest => ({
  file,
  argv,
  envp: g.envp,
  usePath: false,
  ...extra,
});

export const POSIX_SPAWN_MODELS: { readonly [caseName: string]: Program } = {
  success: spawnProgram((g) => [spawn('/bin/true', ['true'])(g)]),
  'exec-enoent': spawnProgram((g) => [spawn('/nonexistent/missing', ['missing'])(g)]),
  'exec-eacces': spawnProgram((g) => [spawn('./noexec', ['./noexec'])(g)]),
  'exec-noshebang': spawnProgram((g) => [spawn('./noshebang', ['./noshebang'])(g), spawn('./noshebang', ['./noshebang'], { usePath: true })(g)]),
  'file-actions-fail': spawnProgram((g) => [
    // spawn.c cmd_file_actions_fail: addopen(3, "/nonexistent/dir/file", O_RDONLY), then adddup2(57, 1).
    spawn('/bin/true', ['true'], { actions: [{ kind: 'open', fd: 3, path: '/nonexistent/dir/file', flags: 0, mode: 0 }] })(g),
    spawn('/bin/true', ['true'], { actions: [{ kind: 'dup2', fd: 57, newfd: 1 }] })(g),
  ]),
  'spawnp-path': spawnProgram((g) => {
    const path = '/nonexistent:/usr/local/bin:/usr/bin:/bin';
    return [spawn('true', ['true'], { usePath: true, path })(g), spawn('forkscope-no-such-program', ['forkscope-no-such-program'], { usePath: true, path })(g)];
  }),
  'wait-any': spawnProgram(
    (g) => [spawn('/bin/true', ['true'])(g), spawn('/bin/false', ['false'])(g), spawn('/bin/sh', ['sh', '-c', 'exit 3'])(g)],
    'any',
  ),
  'file-actions': spawnProgram((g) => [
    spawn('/bin/sh', ['sh', '-c', 'echo stdout-line; echo stderr-line >&2; cat 2>/dev/null || echo stdin-closed'], {
      actions: [
        { kind: 'open', fd: 1, path: 'out.txt', flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644 },
        { kind: 'dup2', fd: 1, newfd: 2 },
        { kind: 'close', fd: 0 },
        { kind: 'close', fd: 42 },
      ],
    })(g),
  ]),
  'two-threads': function* (g) {
    // A barrier releases both threads into posix_spawn together (A10: each vfork parent is
    // only the calling thread; the other keeps running).
    const barrier = g.data + 0x300n;
    const status = g.data + 0x310n;
    const threads = [];
    for (let i = 0; i < 2; i++) {
      threads.push(
        yield* pthreadCreate(g, function* (t) {
          yield* barrierWait(t, barrier, 2);
          const { ec, pid } = yield* posixSpawn(t, { file: '/bin/true', argv: ['true'], envp: t.envp, usePath: false });
          if (ec === 0) yield* waitpid(pid, status + BigInt(i * 8));
        }),
      );
    }
    for (const t of threads) yield* pthreadJoin(g, t);
    yield* waitpid(-1, status, WAIT.WNOHANG);
    return 0;
  },
  attrs: function* (g) {
    yield* must({ name: 'rt_sigaction', sig: SIGNALS.SIGUSR2, act: { handler: 'SIG_IGN', flags: 0n, mask: 0n }, oldact: 0n, sigsetsize: 8n });
    return yield* spawnProgram((c) => [
      spawn(c.argv[0] ?? '', [c.argv[0] ?? '', 'report'], { attrs: { sigmask: 1n << BigInt(SIGNALS.SIGUSR1 - 1), sigdefault: [SIGNALS.SIGUSR2], pgroup: 0 } })(c),
    ])(g);
  },
};
