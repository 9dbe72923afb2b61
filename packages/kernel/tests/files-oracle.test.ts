// Differential test: random operation sequences on one O_NONBLOCK pipe, applied to a real Linux
// pipe (through a python probe) and to the Pipe model; every result must match, which pins the
// slot ring, merging, PIPE_BUF atomicity, partial writes, EOF/EPIPE and F_SETPIPE_SZ to Linux's.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Pipe } from '../src/files/pipe.js';

const probe = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'pipe-probe.py');
// The system interpreter directly: version-manager shims can add seconds per start.
const pythonBin = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const runnable = process.platform === 'linux' && spawnSync(pythonBin, ['-c', 'print(1)']).status === 0;

type Op = ['w', number] | ['r', number] | ['s', number] | ['cw'] | ['cr'];

/** What the syscall layer makes of a model result for a non-blocking caller. */
function model(ops: readonly Op[]): (number | string)[] {
  const pipe = new Pipe();
  pipe.openReader();
  pipe.openWriter();
  let readOpen = true;
  let writeOpen = true;
  return ops.map((op): number | string => {
    switch (op[0]) {
      case 'w': {
        if (!writeOpen) return 'EBADF';
        const r = pipe.write(new Uint8Array(op[1]));
        if (r.kind === 'wrote') return r.n;
        if (r.kind === 'epipe') return 'EPIPE';
        return r.wrote > 0 ? r.wrote : 'EAGAIN';
      }
      case 'r': {
        if (!readOpen) return 'EBADF';
        const r = pipe.read(op[1]);
        if (r.kind === 'data') return r.bytes.length;
        return r.kind === 'eof' ? 'EOF' : 'EAGAIN';
      }
      case 's': {
        if (!writeOpen) return 'EBADF';
        const r = pipe.setSize(op[1], { privileged: process.getuid?.() === 0 });
        return r.ok ? r.value : r.errno;
      }
      case 'cw':
        if (!writeOpen) return 'EBADF';
        writeOpen = false;
        pipe.closeWriter();
        return 0;
      case 'cr':
        if (!readOpen) return 'EBADF';
        readOpen = false;
        pipe.closeReader();
        return 0;
    }
  });
}

const size = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 4000, max: 4200 }), fc.integer({ min: 1, max: 140_000 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: size.map((n): Op => ['w', n]) },
  { weight: 5, arbitrary: size.map((n): Op => ['r', n]) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 4096, 5000, 8192, 65_536, 65_537, 200_000).map((n): Op => ['s', n]) },
  { weight: 1, arbitrary: fc.constantFrom<Op>(['cw'], ['cr']) },
);

describe('Pipe against the running kernel', () => {
  it.skipIf(!runnable)('non-blocking reads, writes, size changes and closes give Linux’s results (property)', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
        const r = spawnSync(pythonBin, [probe], { input: JSON.stringify(ops), encoding: 'utf8', timeout: 30_000 });
        expect(r.status, r.stderr).toBe(0);
        expect(model(ops)).toEqual(JSON.parse(r.stdout));
      }),
      { numRuns: 40 },
    );
  }, 180_000);
});
