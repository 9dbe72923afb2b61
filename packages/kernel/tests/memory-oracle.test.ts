// Differential test: random mmap(MAP_FIXED…)/munmap/mprotect sequences and one-byte loads and
// stores, applied inside a reserved region of a real Linux process (python probe; loads and
// stores go through read/write on a pipe, so a bad address is EFAULT, not a crash) and to an
// AddressSpace; every result must match. A "fork" op continues in a child, checking that the
// copy keeps the parent's contents and its own writes.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ProbeServer, pythonAvailable } from '../scripts/probe-client.mjs';
import { AddressSpace } from '../src/memory/address-space.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_PRIVATE, MAP_SHARED } from '../src/memory/constants.js';

const probe = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'mm-probe.py');
const runnable = process.platform === 'linux' && process.arch === 'x64' && pythonAvailable();

const PAGES = 32;
const P = 4096n;

type Op =
  | ['map', number, number, number, number]
  | ['unmap', number, number, number]
  | ['protect', number, number, number, number]
  | ['poke', number, number, number]
  | ['peek', number, number]
  | ['fork'];

function model(ops: readonly Op[]): (number | string)[] {
  let as = new AddressSpace();
  const base = 0x7e0000000000n;
  const reserve = as.mmap({ addr: base, length: BigInt(PAGES) * P, prot: 0, flags: MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED });
  if (!reserve.ok) throw new Error('model: could not reserve');
  const at = (page: number, off = 0): bigint => base + BigInt(page) * P + BigInt(off);
  return ops.map((op): number | string => {
    switch (op[0]) {
      case 'map': {
        const r = as.mmap({ addr: at(op[1]), length: BigInt(op[2]) * P, prot: op[3], flags: op[4] });
        return r.ok ? 0 : r.errno;
      }
      case 'unmap': {
        const r = as.munmap(at(op[1], op[3]), BigInt(op[2]) * P);
        return r.ok ? 0 : r.errno;
      }
      case 'protect': {
        const r = as.mprotect(at(op[1], op[4]), BigInt(op[2]) * P, op[3]);
        return r.ok ? 0 : r.errno;
      }
      case 'poke': {
        const r = as.write(at(op[1], op[2]), Uint8Array.of(op[3]));
        return r.ok ? 1 : r.errno;
      }
      case 'peek': {
        const r = as.read(at(op[1], op[2]), 1);
        return r.ok ? (r.value[0] as number) : r.errno;
      }
      case 'fork':
        as = as.fork();
        return 0;
    }
  });
}

const page = fc.nat(PAGES - 1);
const span = fc.record({ page, n: fc.integer({ min: 0, max: 6 }) }).map(({ page: p, n }) => ({ page: p, n: Math.min(n, PAGES - p) }));
const prot = fc.constantFrom(0, 1, 3, 2, 4, 5, 7);
const flags = fc.constantFrom(
  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
  MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
  MAP_ANONYMOUS | MAP_FIXED,
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(span, prot, flags).map(([s, p, f]): Op => ['map', s.page, s.n, p, f]) },
  { weight: 2, arbitrary: fc.tuple(span, fc.constantFrom(0, 0, 0, 8)).map(([s, m]): Op => ['unmap', s.page, s.n, m]) },
  { weight: 2, arbitrary: fc.tuple(span, prot, fc.constantFrom(0, 0, 0, 8)).map(([s, p, m]): Op => ['protect', s.page, s.n, p, m]) },
  { weight: 4, arbitrary: fc.tuple(page, fc.constantFrom(0, 1, 4095), fc.integer({ min: 1, max: 255 })).map(([p, o, v]): Op => ['poke', p, o, v]) },
  { weight: 4, arbitrary: fc.tuple(page, fc.constantFrom(0, 1, 4095)).map(([p, o]): Op => ['peek', p, o]) },
  { weight: 1, arbitrary: fc.constant<Op>(['fork']) },
);

describe('AddressSpace against the running kernel', () => {
  const server = runnable ? new ProbeServer(probe) : null;
  afterAll(() => server?.close());

  it.skipIf(!runnable)('fixed mappings, unmaps, protections, loads, stores and fork give Linux’s results (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 50 }), async (ops) => {
        const real = await (server as ProbeServer).request(ops);
        expect(model(ops)).toEqual(real);
      }),
      { numRuns: 80 },
    );
  }, 300_000);
});
