import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Errno } from '../src/errno.js';
import { AddressSpace } from '../src/memory/address-space.js';
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_PRIVATE,
  MAP_SHARED,
  PAGE_SIZE,
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
} from '../src/memory/constants.js';

const RW = PROT_READ | PROT_WRITE;
const ANON_PRIVATE = MAP_ANONYMOUS | MAP_PRIVATE;
const ANON_SHARED = MAP_ANONYMOUS | MAP_SHARED;
const P = BigInt(PAGE_SIZE);

function value<T>(r: Errno<T>): T {
  if (!r.ok) throw new Error(`expected success, got ${r.errno}`);
  return r.value;
}

function map(as: AddressSpace, pages: number, flags = ANON_PRIVATE, prot = RW, addr = 0n): bigint {
  return value(as.mmap({ addr, length: BigInt(pages) * P, prot, flags }));
}

const bytes = (...xs: number[]): Uint8Array => Uint8Array.from(xs);

describe('AddressSpace: mappings and contents', () => {
  it('anonymous pages read as zeros until written, and hold what was written across page edges', () => {
    const as = new AddressSpace();
    const a = map(as, 3);
    expect(value(as.read(a, 3 * PAGE_SIZE)).every((b) => b === 0)).toBe(true);
    expect(value(as.read(a, 0))).toEqual(new Uint8Array(0));
    const edge = a + P - 2n;
    expect(as.write(edge, bytes(1, 2, 3, 4)).ok).toBe(true);
    expect(value(as.read(edge, 4))).toEqual(bytes(1, 2, 3, 4));
    expect(value(as.read(a + P, 2))).toEqual(bytes(3, 4));
  });

  it('NULL, unmapped and protection violations are EFAULT values, and a failing write changes nothing', () => {
    const as = new AddressSpace();
    expect(as.read(0n, 1)).toEqual({ ok: false, errno: 'EFAULT' });
    expect(as.write(0n, bytes(1))).toEqual({ ok: false, errno: 'EFAULT' });
    const a = map(as, 2);
    expect(as.read(a + 2n * P - 1n, 2)).toEqual({ ok: false, errno: 'EFAULT' }); // runs off the end
    expect(value(as.mprotect(a + P, P, PROT_READ)) === undefined).toBe(true);
    expect(as.write(a + P - 1n, bytes(9, 9))).toEqual({ ok: false, errno: 'EFAULT' });
    expect(value(as.read(a + P - 1n, 1))).toEqual(bytes(0)); // first byte untouched
    expect(as.mprotect(a, P, PROT_NONE).ok).toBe(true);
    expect(as.read(a, 1)).toEqual({ ok: false, errno: 'EFAULT' });
    expect(as.read(-1n, 1)).toEqual({ ok: false, errno: 'EFAULT' });
  });

  it('places mappings top-down, deterministically, and honours a free hint', () => {
    const one = new AddressSpace();
    const two = new AddressSpace();
    const a1 = map(one, 1);
    const b1 = map(one, 4);
    expect(b1 + 4n * P).toBe(a1); // directly below
    expect([map(two, 1), map(two, 4)]).toEqual([a1, b1]);
    const hint = 0x100000000n;
    expect(map(one, 2, ANON_PRIVATE, RW, hint)).toBe(hint);
    // An occupied hint is not an error: the allocator looks elsewhere.
    const other = map(one, 2, ANON_PRIVATE, RW, hint);
    expect(other).not.toBe(hint);
    expect(other).toBe(b1 - 2n * P);
    // Hints round down to a page and up to mmap_min_addr (round_hint_to_min).
    expect(map(one, 1, ANON_PRIVATE, RW, 0x200000123n)).toBe(0x200000000n);
    expect(map(one, 1, ANON_PRIVATE, RW, 0x1000n)).toBe(0x10000n);
  });

  it('rejects bad mmap arguments with Linux errnos', () => {
    const as = new AddressSpace();
    expect(as.mmap({ addr: 0n, length: 0n, prot: RW, flags: ANON_PRIVATE })).toEqual({ ok: false, errno: 'EINVAL' });
    expect(as.mmap({ addr: 0n, length: P, prot: RW, flags: MAP_ANONYMOUS })).toEqual({ ok: false, errno: 'EINVAL' });
    expect(as.mmap({ addr: 0x10001n, length: P, prot: RW, flags: ANON_PRIVATE | MAP_FIXED })).toEqual({ ok: false, errno: 'EINVAL' });
    expect(as.mmap({ addr: 0n, length: P, prot: RW, flags: ANON_PRIVATE, offset: 12n })).toEqual({ ok: false, errno: 'EINVAL' });
    expect(as.mmap({ addr: 0x1000n, length: P, prot: RW, flags: ANON_PRIVATE | MAP_FIXED })).toEqual({ ok: false, errno: 'EPERM' });
    expect(as.mmap({ addr: 0n, length: 1n << 60n, prot: RW, flags: ANON_PRIVATE })).toEqual({ ok: false, errno: 'ENOMEM' });
  });

  it('MAP_FIXED replaces what was there (fresh zero pages); MAP_FIXED_NOREPLACE refuses with EEXIST', () => {
    const as = new AddressSpace();
    const a = map(as, 4);
    value(as.write(a + P, bytes(7)));
    expect(map(as, 1, ANON_PRIVATE | MAP_FIXED, RW, a + P)).toBe(a + P);
    expect(value(as.read(a + P, 1))).toEqual(bytes(0));
    expect(as.mappings()).toHaveLength(3);
    expect(as.mmap({ addr: a, length: P, prot: RW, flags: ANON_PRIVATE | MAP_FIXED_NOREPLACE })).toEqual({ ok: false, errno: 'EEXIST' });
  });

  it('munmap splits a mapping and keeps both sides’ contents; mprotect over a hole is ENOMEM', () => {
    const as = new AddressSpace();
    const a = map(as, 3);
    value(as.write(a, bytes(1)));
    value(as.write(a + 2n * P, bytes(3)));
    expect(as.munmap(a + P, P).ok).toBe(true);
    expect(as.mappings().map((m) => m.length)).toEqual([P, P]);
    expect(value(as.read(a, 1))).toEqual(bytes(1));
    expect(value(as.read(a + 2n * P, 1))).toEqual(bytes(3));
    expect(as.read(a + P, 1)).toEqual({ ok: false, errno: 'EFAULT' });
    expect(as.mprotect(a, 3n * P, PROT_READ)).toEqual({ ok: false, errno: 'ENOMEM' });
    expect(as.mprotect(a + 1n, P, PROT_READ)).toEqual({ ok: false, errno: 'EINVAL' });
    expect(as.munmap(a + 1n, P)).toEqual({ ok: false, errno: 'EINVAL' });
    expect(as.munmap(a, 0n)).toEqual({ ok: false, errno: 'EINVAL' });
    expect(as.munmap(a + P, P).ok).toBe(true); // unmapping a hole is fine
  });

  it('mprotect over a hole changes the mappings before the hole, then fails with ENOMEM (mm/mprotect.c; the memory oracle found it)', () => {
    const as = new AddressSpace();
    const a = map(as, 3);
    expect(as.munmap(a + P, P).ok).toBe(true);
    // Page 0 becomes PROT_READ before the hole at page 1 is found; page 2 is never reached.
    expect(as.mprotect(a, 3n * P, PROT_READ)).toEqual({ ok: false, errno: 'ENOMEM' });
    expect(as.mappings().map((m) => [m.start - a, m.prot])).toEqual([
      [0n, PROT_READ],
      [2n * P, PROT_READ | PROT_WRITE],
    ]);
    // A hole at the start changes nothing.
    expect(as.mprotect(a + P, 2n * P, PROT_NONE)).toEqual({ ok: false, errno: 'ENOMEM' });
    expect(as.mappings().map((m) => m.prot)).toEqual([PROT_READ, PROT_READ | PROT_WRITE]);
  });

  it('brk grows with zero pages, refuses to overlap a mapping, and shrinking discards contents', () => {
    const start = 0x600000n;
    const as = new AddressSpace({ brkStart: start });
    expect(as.brk(0n)).toBe(start);
    expect(as.brk(start + 100n)).toBe(start + 100n);
    value(as.write(start + 50n, bytes(5)));
    expect(as.brk(start)).toBe(start);
    expect(as.read(start + 50n, 1)).toEqual({ ok: false, errno: 'EFAULT' });
    expect(as.brk(start + 2n * P)).toBe(start + 2n * P);
    expect(value(as.read(start + 50n, 1))).toEqual(bytes(0));
    map(as, 1, ANON_PRIVATE | MAP_FIXED, RW, start + 4n * P);
    expect(as.brk(start + 8n * P)).toBe(start + 2n * P);
  });

  it('reads and writes little-endian integers and C strings', () => {
    const as = new AddressSpace();
    const a = map(as, 2);
    value(as.writeU64(a, (1n << 63n) + 5n));
    expect(value(as.read(a, 8))).toEqual(bytes(5, 0, 0, 0, 0, 0, 0, 0x80));
    expect(value(as.readU64(a))).toBe((1n << 63n) + 5n);
    value(as.writeU32(a + 8n, 0xdeadbeef));
    expect(value(as.readU32(a + 8n))).toBe(0xdeadbeef);
    const s = a + P - 3n;
    value(as.write(s, new TextEncoder().encode('/bin/sh\0')));
    const r = value(as.readCString(s, 4096));
    expect(new TextDecoder().decode(r.bytes)).toBe('/bin/sh');
    expect(r.terminated).toBe(true);
    expect(value(as.readCString(s, 3))).toEqual({ bytes: new TextEncoder().encode('/bi'), terminated: false });
    value(as.write(a + 2n * P - 2n, bytes(65, 66)));
    expect(as.readCString(a + 2n * P - 2n, 100)).toEqual({ ok: false, errno: 'EFAULT' });
  });
});

describe('AddressSpace: fork', () => {
  it('C3 FORK-PRIVATE-MEMORY: private writes after fork are not seen by the other side; shared ones are', () => {
    const parent = new AddressSpace();
    const priv = map(parent, 1);
    const shared = map(parent, 1, ANON_SHARED);
    value(parent.write(priv, bytes(1)));
    const child = parent.fork();
    expect(value(child.read(priv, 1))).toEqual(bytes(1));
    value(child.write(priv, bytes(2)));
    value(parent.write(priv + 1n, bytes(3)));
    expect(value(parent.read(priv, 2))).toEqual(bytes(1, 3));
    expect(value(child.read(priv, 2))).toEqual(bytes(2, 0));
    value(child.write(shared, bytes(42)));
    expect(value(parent.read(shared, 1))).toEqual(bytes(42));
    value(parent.write(shared + 1n, bytes(43)));
    expect(value(child.read(shared, 2))).toEqual(bytes(42, 43));
    expect(child.mappings()).toEqual(parent.mappings());
  });

  it('C3 nested fork chain keeps counters separate: grandchild 2, child 1, parent 0', () => {
    const parent = new AddressSpace();
    const counter = map(parent, 1);
    const child = parent.fork();
    value(child.writeU32(counter, 1));
    const grandchild = child.fork();
    value(grandchild.writeU32(counter, 2));
    expect([parent, child, grandchild].map((s) => value(s.readU32(counter)))).toEqual([0, 1, 2]);
  });

  it('C3 a MAP_SHARED mapping stays shared across a fork of a fork and after munmap in one of them', () => {
    const a = new AddressSpace();
    const s = map(a, 2, ANON_SHARED);
    const b = a.fork();
    const c = b.fork();
    value(c.write(s + P, bytes(9)));
    expect(value(a.read(s + P, 1))).toEqual(bytes(9));
    value(b.munmap(s, P));
    value(a.write(s + P, bytes(10)));
    expect(value(b.read(s + P, 1))).toEqual(bytes(10));
  });

  it('fork does not copy pages: 1 GiB mapped with pages populated forks into empty copy-on-write layers', () => {
    const parent = new AddressSpace();
    const gib = map(parent, 262_144);
    for (let i = 0; i < 2_000; i++) value(parent.writeU32(gib + BigInt(i * 131) * P, i + 1));
    const child = parent.fork();
    // The child sees the parent's data through the frozen layer…
    expect(value(child.readU32(gib + 131n * 1_999n * P))).toBe(2_000);
    // …and writing one page copies only that page.
    value(child.writeU32(gib, 77));
    expect(value(parent.readU32(gib))).toBe(1);
    const stats = child.storeStats();
    expect(stats).toEqual([{ start: gib, populated: 1, depth: 2 }]);
  });

  it('a parent that writes between many forks keeps a short chain and every child its own snapshot', () => {
    const parent = new AddressSpace();
    const a = map(parent, 4);
    const children: AddressSpace[] = [];
    for (let i = 1; i <= 100; i++) {
      value(parent.writeU32(a + BigInt(i % 4) * P, i));
      children.push(parent.fork());
    }
    expect(parent.storeStats()[0]?.depth).toBeLessThanOrEqual(18);
    children.forEach((child, k) => {
      const i = k + 1;
      expect(value(child.readU32(a + BigInt(i % 4) * P))).toBe(i);
      if (i > 1) expect(value(child.readU32(a + BigInt((i - 1) % 4) * P))).toBe(i - 1);
    });
    value(children[0]!.writeU32(a + P, 999));
    expect(value(parent.readU32(a + P))).toBe(97);
  });

  it('pieces of one split mapping stay consistent across fork', () => {
    const parent = new AddressSpace();
    const a = map(parent, 4);
    value(parent.mprotect(a + P, P, PROT_READ)); // three pieces over one store
    value(parent.write(a + 3n * P, bytes(1)));
    const child = parent.fork();
    value(parent.write(a + 3n * P, bytes(2)));
    value(child.write(a, bytes(3)));
    expect(value(child.read(a + 3n * P, 1))).toEqual(bytes(1));
    expect(value(parent.read(a, 1))).toEqual(bytes(0));
    expect(child.write(a + P, bytes(1))).toEqual({ ok: false, errno: 'EFAULT' });
  });

  it('random writes and forks match a byte-copy reference model (property)', () => {
    const PRIV = 6;
    const SHARED = 2;
    type Op = { kind: 'write'; space: number; page: number; at: number; v: number } | { kind: 'fork'; space: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        kind: fc.constant('write' as const),
        space: fc.nat(7),
        page: fc.nat(PRIV + SHARED - 1),
        at: fc.nat(PAGE_SIZE - 1),
        v: fc.integer({ min: 1, max: 255 }),
      }),
      fc.record({ kind: fc.constant('fork' as const), space: fc.nat(7) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const root = new AddressSpace();
        const priv = map(root, PRIV);
        const shared = map(root, SHARED, ANON_SHARED);
        const spaces = [root];
        const refs = [new Uint8Array(PRIV * PAGE_SIZE)];
        const sharedRef = new Uint8Array(SHARED * PAGE_SIZE);
        for (const o of ops) {
          const i = o.space % spaces.length;
          const space = spaces[i] as AddressSpace;
          if (o.kind === 'fork') {
            spaces.push(space.fork());
            refs.push((refs[i] as Uint8Array).slice());
            continue;
          }
          if (o.page < PRIV) {
            value(space.write(priv + BigInt(o.page) * P + BigInt(o.at), bytes(o.v)));
            (refs[i] as Uint8Array)[o.page * PAGE_SIZE + o.at] = o.v;
          } else {
            const off = (o.page - PRIV) * PAGE_SIZE + o.at;
            value(space.write(shared + BigInt(off), bytes(o.v)));
            sharedRef[off] = o.v;
          }
        }
        spaces.forEach((s, i) => {
          // Buffer.equals: toEqual on 24 KiB arrays is needlessly slow.
          expect(Buffer.from(value(s.read(priv, PRIV * PAGE_SIZE))).equals(refs[i] as Uint8Array), `space ${i} private`).toBe(true);
          expect(Buffer.from(value(s.read(shared, SHARED * PAGE_SIZE))).equals(sharedRef), `space ${i} shared`).toBe(true);
        });
      }),
      { numRuns: 60 },
    );
  });
});
