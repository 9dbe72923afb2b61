// Differential test: random operation sequences on one O_NONBLOCK pipe, applied to a real Linux
// pipe (through a python probe) and to the Pipe model; every result must match, which pins the
// slot ring, merging, PIPE_BUF atomicity, partial writes, EOF/EPIPE and F_SETPIPE_SZ to Linux's.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ProbeServer, pythonAvailable } from '../scripts/probe-client.mjs';
import { O_CLOEXEC, O_RDWR } from '../src/files/constants.js';
import { FdTable } from '../src/files/fd-table.js';
import { OpenFileDescription } from '../src/files/open-file.js';
import { Pipe } from '../src/files/pipe.js';

const scripts = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts');
const probe = join(scripts, 'pipe-probe.py');
const fdProbe = join(scripts, 'fd-probe.py');
const runnable = process.platform === 'linux' && pythonAvailable();

type Op = ['w', number] | ['r', number] | ['s', number] | ['cw'] | ['cr'];

/** What the syscall layer makes of a model result for a non-blocking caller. */
function model(ops: readonly Op[], packet: boolean): (number | string)[] {
  const pipe = new Pipe();
  pipe.openReader();
  pipe.openWriter();
  let readOpen = true;
  let writeOpen = true;
  return ops.map((op): number | string => {
    switch (op[0]) {
      case 'w': {
        if (!writeOpen) return 'EBADF';
        const r = pipe.write(new Uint8Array(op[1]), { packet });
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
  const server = runnable ? new ProbeServer(probe) : null;
  afterAll(() => server?.close());

  it.skipIf(!runnable)('non-blocking reads, writes, size changes and closes give Linux’s results, also in packet mode (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 60 }), fc.boolean(), async (ops, packet) => {
        const real = await (server as ProbeServer).request({ direct: packet, ops });
        expect(model(ops, packet)).toEqual(real);
      }),
      { numRuns: 60 },
    );
  }, 300_000);
});

type FdOp =
  | ['pipe', number]
  | ['dup', number]
  | ['dup2', number, number]
  | ['dup3', number, number, number]
  | ['fcntl', number, number, number]
  | ['close', number]
  | ['cr', number, number, number];

/** The same operations on an FdTable with fds 0..2 taken and RLIMIT_NOFILE 16. */
function fdModel(ops: readonly FdOp[]): { results: unknown[]; table: number[][] } {
  const t = new FdTable({ limit: 16 });
  for (let i = 0; i < 3; i++) t.install(new OpenFileDescription({ kind: 'other', label: 'stdio' }, O_RDWR));
  const res = (r: { ok: true; value: number } | { ok: false; errno: string }): number | string => (r.ok ? r.value : r.errno);
  const results = ops.map((op): unknown => {
    switch (op[0]) {
      case 'pipe': {
        // pipe2 validates flags, then takes both fds or neither.
        if ((op[1] & ~(O_CLOEXEC | 0o4000 | 0o40000)) !== 0) return 'EINVAL';
        const [re, we] = OpenFileDescription.pipe(new Pipe(), op[1]);
        const cloexec = (op[1] & O_CLOEXEC) !== 0;
        const r = t.install(re, { cloexec });
        if (!r.ok) return r.errno;
        const w = t.install(we, { cloexec });
        if (!w.ok) {
          t.close(r.value);
          return w.errno;
        }
        return [r.value, w.value];
      }
      case 'dup':
        return res(t.dup(op[1]));
      case 'dup2':
        return res(t.dup2(op[1], op[2]));
      case 'dup3':
        return res(t.dup3(op[1], op[2], op[3]));
      case 'fcntl':
        return res(t.fcntl(op[1], op[2], op[3]));
      case 'close': {
        const r = t.close(op[1]);
        return r.ok ? 0 : r.errno;
      }
      case 'cr': {
        const r = t.closeRange(op[1], op[2], op[3]);
        return r.ok ? 0 : r.errno;
      }
    }
  });
  const table = t.fds().map((fd) => [fd, t.isCloexec(fd) ? 1 : 0, (t.get(fd) as OpenFileDescription).statusFlags]);
  return { results, table };
}

const fdNum = fc.integer({ min: 3, max: 19 });
const fdOp: fc.Arbitrary<FdOp> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0, O_CLOEXEC, 0o4000, O_CLOEXEC | 0o4000, 0o40000, 0xdead).map((f): FdOp => ['pipe', f]) },
  { weight: 2, arbitrary: fdNum.map((fd): FdOp => ['dup', fd]) },
  { weight: 2, arbitrary: fc.tuple(fdNum, fdNum).map(([a, b]): FdOp => ['dup2', a, b]) },
  { weight: 2, arbitrary: fc.tuple(fdNum, fdNum, fc.constantFrom(0, O_CLOEXEC, 0o4000)).map(([a, b, f]): FdOp => ['dup3', a, b, f]) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fdNum, fc.constantFrom(0, 1, 2, 3, 4, 1030), fc.constantFrom(0, 1, 3, 9, 15, 16, 0o4000, 0o2000, 0o2, 0o4002, 0o40000, 0o20000, 0o1000000, 0o100000))
      .map(([fd, cmd, arg]): FdOp => ['fcntl', fd, cmd, arg]),
  },
  { weight: 2, arbitrary: fdNum.map((fd): FdOp => ['close', fd]) },
  { weight: 1, arbitrary: fc.tuple(fdNum, fdNum, fc.constantFrom(0, 4)).map(([a, b, f]): FdOp => ['cr', a, b, f]) },
);

describe('FdTable against the running kernel', () => {
  const server = runnable ? new ProbeServer(fdProbe) : null;
  afterAll(() => server?.close());

  it.skipIf(!runnable)('dup/dup2/dup3/fcntl/close/close_range/pipe2 give Linux’s results and final table (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fdOp, { minLength: 1, maxLength: 40 }), async (ops) => {
        const real = (await (server as ProbeServer).request(ops)) as { results: unknown[]; table: number[][] };
        const ours = fdModel(ops);
        expect(ours.results).toEqual(real.results);
        expect(ours.table.filter(([fd]) => (fd as number) >= 3)).toEqual(real.table.filter(([fd]) => (fd as number) >= 3));
      }),
      { numRuns: 60 },
    );
  }, 300_000);
});
