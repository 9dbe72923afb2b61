// libc-level building blocks outside the corpus programs, on a small filesystem: system(3).
import { Vfs } from '@forkscope/kernel';
import { describe, expect, it } from 'vitest';
import { system } from '../src/models/glibc-spawn.js';
import { resolveImage } from '../src/models/registry.js';
import { Machine } from '../src/runtime/machine.js';
import type { Program } from '../src/runtime/program.js';
import { STRATEGIES, type StrategyName } from '../src/strategies/strategy.js';
import { sys } from '../src/models/libc.js';

function runSystem(strategy: StrategyName, line: string, withShell: boolean): { status: number; text: string } {
  const vfs = new Vfs();
  if (withShell) vfs.writeFile('/bin/sh', { kind: 'elf' }, { mode: 0o755 });
  else vfs.markAbsent('/bin/sh');
  let status = -2;
  const main: Program = function* (g) {
    status = yield* system(g, line);
    // Record what system() returned where a test can see it: in the program's output.
    const bytes = new TextEncoder().encode(`status ${status}\n`);
    yield* sys({ name: 'write', fd: 1, buf: bytes, count: BigInt(bytes.length) });
    return 0;
  };
  const m = new Machine({ strategy: STRATEGIES[strategy], fs: vfs, argv: ['/bin/prog'], envp: ['PATH=/bin'], cwd: '/', images: resolveImage });
  const run = m.run(main);
  expect(run.invariants).toEqual([]);
  return { status, text: run.text };
}

describe('glibc system(3)', () => {
  it('G1: SIGINT/SIGQUIT ignored and SIGCHLD blocked around a posix_spawn of sh -c, then waitpid: the wait status', () => {
    const { status, text } = runSystem('linux', 'exit 3', true);
    expect(status).toBe(3 << 8);
    const calls = text.split('\n').map((l) => l.replace(/^\d+ +\S+ /, ''));
    const at = (prefix: string) => calls.findIndex((c) => c.startsWith(prefix));
    expect(at('rt_sigaction(SIGINT, {sa_handler=SIG_IGN')).toBeGreaterThan(0);
    expect(at('rt_sigprocmask(SIG_BLOCK, [CHLD]')).toBeGreaterThan(at('rt_sigaction(SIGINT, {sa_handler=SIG_IGN'));
    expect(at('clone3({flags=CLONE_VM|CLONE_VFORK')).toBeGreaterThan(at('rt_sigprocmask(SIG_BLOCK, [CHLD]'));
    expect(text).toContain('execve("/bin/sh", ["sh", "-c", "exit 3"]');
  });

  it('a shell that cannot be spawned is 127 << 8, and under fork the same status arrives by another road', () => {
    expect(runSystem('linux', 'exit 3', false).status).toBe(127 << 8);
    const viaFork = runSystem('fork', 'exit 3', false);
    // posix_spawn "succeeds" (args.err is lost), so system() waits and reads the child's _exit(127).
    expect(viaFork.status).toBe(127 << 8);
    expect(viaFork.text).toMatch(/<\.\.\. wait4 resumed>\[\{WIFEXITED\(s\) && WEXITSTATUS\(s\) == 127\}\], 0, NULL\) = \d+/);
    // The child's SIGCHLD, blocked by system(), is delivered once the old mask is back.
    expect(viaFork.text.indexOf('--- SIGCHLD')).toBeGreaterThan(viaFork.text.lastIndexOf('rt_sigprocmask(SIG_SETMASK, []'));
  });
});
