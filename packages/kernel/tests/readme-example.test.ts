// The README's example, run as written (so the documentation cannot drift from the code).
import { expect, it } from 'vitest';
import { Kernel, Vfs, CLONE, SIGNALS } from '../src/index.js';

it('README example: posix_spawn-style clone3 then wait4', () => {
  const fs = new Vfs();
  fs.writeFile('/bin/true', { kind: 'elf' }, { mode: 0o755 });
  const k = new Kernel({ fs, pidBase: 1000 });
  const sh = k.spawn({ path: '/bin/sh', argv: ['sh'] });
  const r = k.syscall(sh, {
    name: 'clone3',
    args: { flags: CLONE.VM | CLONE.VFORK, exit_signal: BigInt(SIGNALS.SIGCHLD), stack: 0x7f0000000000n, stack_size: 0x9000n },
    size: 88n,
  });
  if (r.kind !== 'blocked' || r.on.kind !== 'vfork') throw new Error('expected the vfork wait');
  const child = r.on.child;
  expect(child).toBe(1001);
  expect(k.syscall(child, { name: 'execve', path: '/bin/true', argv: ['true'], envp: [] })).toEqual({ kind: 'done', value: 0n });
  expect(k.completion(sh)).toEqual({ kind: 'done', value: 1001n });
  expect(k.syscall(child, { name: 'exit_group', status: 3 })).toEqual({ kind: 'gone' });
  expect(k.syscall(sh, { name: 'wait4', pid: child, status: 0n, options: 0, rusage: 0n })).toEqual({ kind: 'done', value: 1001n, out: { status: 0x300 } });
  expect(k.checkInvariants()).toEqual([]);
});
