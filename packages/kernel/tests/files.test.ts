import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Errno } from '../src/errno.js';
import {
  CLOSE_RANGE_CLOEXEC,
  CLOSE_RANGE_UNSHARE,
  FD_CLOEXEC,
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_GETFD,
  F_GETFL,
  F_GETPIPE_SZ,
  F_SETFD,
  F_SETFL,
  F_SETPIPE_SZ,
  O_APPEND,
  O_CLOEXEC,
  O_DIRECT,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
  PIPE_BUF,
} from '../src/files/constants.js';
import { FdTable } from '../src/files/fd-table.js';
import { OpenFileDescription } from '../src/files/open-file.js';
import { Pipe, roundPipeSize } from '../src/files/pipe.js';
import { WaitQueue } from '../src/files/wait-queue.js';

function value<T>(r: Errno<T>): T {
  if (!r.ok) throw new Error(`expected success, got ${r.errno}`);
  return r.value;
}

/** pipe2(flags) at the table level: returns [readFd, writeFd] and the pipe. */
function pipe2(table: FdTable, flags = 0): { r: number; w: number; pipe: Pipe } {
  const pipe = new Pipe();
  const [re, we] = OpenFileDescription.pipe(pipe, flags);
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const r = value(table.install(re, { cloexec }));
  const w = value(table.install(we, { cloexec }));
  return { r, w, pipe };
}

const fill = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

describe('pipes (section F)', () => {
  it('F1 PIPE-BASIC: bytes come back exactly, also through many slots', () => {
    const t = new FdTable();
    const { pipe } = pipe2(t);
    const data = fill(10_000);
    expect(pipe.write(data)).toEqual({ kind: 'wrote', n: 10_000 });
    expect(pipe.buffered).toBe(10_000);
    const got = pipe.read(20_000);
    expect(got.kind).toBe('data');
    expect(got.kind === 'data' && Buffer.from(got.bytes).equals(data)).toBe(true);
    expect(pipe.read(1)).toEqual({ kind: 'would-block' });
  });

  it('F2 PIPE-ENDS-ACCESSMODE: F_GETFL is O_RDONLY / O_WRONLY and the wrong direction is refused', () => {
    const t = new FdTable();
    const { r, w } = pipe2(t);
    expect(value(t.fcntl(r, F_GETFL))).toBe(O_RDONLY);
    expect(value(t.fcntl(w, F_GETFL))).toBe(O_WRONLY);
    const re = value(t.lookup(r));
    const we = value(t.lookup(w));
    expect([re.canRead, re.canWrite, we.canRead, we.canWrite]).toEqual([true, false, false, true]);
  });

  it('F3 PIPE-EOF: 26 bytes then 0; every blocked reader is woken when the last writer closes', () => {
    const t = new FdTable();
    const { r, w, pipe } = pipe2(t);
    const woken: string[] = [];
    for (const who of ['a', 'b', 'c']) pipe.readable.subscribe(() => woken.push(who));
    expect(pipe.read(100)).toEqual({ kind: 'would-block' });
    expect(pipe.canRead()).toBe(false);
    pipe.write(fill(26));
    expect(woken).toEqual(['a', 'b', 'c']);
    woken.length = 0;
    value(t.close(w));
    expect(woken).toEqual(['a', 'b', 'c']);
    const first = pipe.read(100);
    expect(first.kind === 'data' && first.bytes.length).toBe(26);
    expect(pipe.read(100)).toEqual({ kind: 'eof' });
    expect(pipe.canRead()).toBe(true);
    value(t.close(r));
    expect(pipe.readers).toBe(0);
  });

  it('F4 PIPE-EOF-NEEDS-ALL-WRITERS: a write end inherited by a fork child delays EOF until it closes', () => {
    const parent = new FdTable();
    const { w, pipe } = pipe2(parent);
    const child = parent.fork();
    expect(pipe.writers).toBe(1); // one description, two references
    expect(value(parent.lookup(w)).refs).toBe(2);
    value(parent.close(w));
    expect(pipe.read(1)).toEqual({ kind: 'would-block' });
    let woken = 0;
    pipe.readable.subscribe(() => woken++);
    child.closeAll(); // the child exits
    expect(woken).toBe(1);
    expect(pipe.read(1)).toEqual({ kind: 'eof' });
  });

  it('F5 PIPE-EPIPE-SIGPIPE: with the read end closed a write is epipe, also for O_NONBLOCK writers', () => {
    const t = new FdTable();
    const { r, w, pipe } = pipe2(t, O_NONBLOCK);
    value(t.close(r));
    expect(value(t.lookup(w)).nonblocking).toBe(true);
    expect(pipe.write(fill(1))).toEqual({ kind: 'epipe' });
    expect(pipe.write(fill(100_000))).toEqual({ kind: 'epipe' });
  });

  it('F6 PIPE-BLOCKED-WRITE-EPIPE: a writer blocked on a full pipe is woken by the reader closing and gets epipe', () => {
    const t = new FdTable();
    const { r, pipe } = pipe2(t);
    expect(pipe.write(fill(65_536))).toEqual({ kind: 'wrote', n: 65_536 });
    expect(pipe.write(fill(10))).toEqual({ kind: 'would-block', wrote: 0 });
    expect(pipe.canWrite(10)).toBe(false);
    let woken = 0;
    pipe.writable.subscribe(() => woken++);
    value(t.close(r));
    expect(woken).toBe(1);
    expect(pipe.canWrite(10)).toBe(true);
    expect(pipe.write(fill(10), { continuation: true })).toEqual({ kind: 'epipe' });
  });

  it('F7 PIPE-PARTIAL-WRITE-THEN-EPIPE: a 2×capacity write stops at 65536, then the resumed rest is epipe', () => {
    const t = new FdTable();
    const { r, pipe } = pipe2(t);
    const data = fill(2 * 65_536);
    const first = pipe.write(data);
    expect(first).toEqual({ kind: 'would-block', wrote: 65_536 });
    value(t.close(r));
    expect(pipe.write(data.subarray(65_536), { continuation: true })).toEqual({ kind: 'epipe' });
  });

  it('F8 PIPE-NONBLOCK: empty with writer → would-block; no writer → eof; full → nothing written; big write into empty → capacity', () => {
    const t = new FdTable();
    const { w, pipe } = pipe2(t, O_NONBLOCK);
    expect(pipe.read(10)).toEqual({ kind: 'would-block' });
    expect(pipe.write(fill(100_000))).toEqual({ kind: 'would-block', wrote: 65_536 });
    expect(pipe.buffered).toBe(65_536); // FIONREAD = capacity
    expect(pipe.write(fill(1))).toEqual({ kind: 'would-block', wrote: 0 });
    pipe.read(65_536);
    value(t.close(w));
    expect(pipe.read(10)).toEqual({ kind: 'eof' });
  });

  it('F8 a full pipe stays full until a whole page slot drains (Linux counts slots, not bytes)', () => {
    const pipe = new Pipe();
    pipe.openReader();
    pipe.openWriter();
    expect(pipe.write(fill(65_536))).toEqual({ kind: 'wrote', n: 65_536 });
    pipe.read(1);
    expect(pipe.write(fill(1))).toEqual({ kind: 'would-block', wrote: 0 });
    pipe.read(4095);
    expect(pipe.occupiedSlots).toBe(15);
    expect(pipe.write(fill(1))).toEqual({ kind: 'wrote', n: 1 });
  });

  it('small writes merge into the last slot; O_DIRECT (packet) writes do not', () => {
    const pipe = new Pipe();
    pipe.openReader();
    pipe.openWriter();
    for (let i = 0; i < 4096; i++) pipe.write(fill(1, i));
    expect(pipe.occupiedSlots).toBe(1);
    pipe.read(4096);
    pipe.write(fill(3), { packet: true });
    pipe.write(fill(5), { packet: true });
    expect(pipe.occupiedSlots).toBe(2);
    // Packet boundaries belong to the slots, whatever the reader's flags.
    const first = pipe.read(100);
    expect(first.kind === 'data' && first.bytes.length).toBe(3);
    const second = pipe.read(2); // the rest of a packet is dropped
    expect(second.kind === 'data' && second.bytes.length).toBe(2);
    expect(pipe.buffered).toBe(0);
  });

  it('merging takes the sub-page remainder first (probed on Linux 6.18: 10 + 5000 bytes fit two slots)', () => {
    const pipe = new Pipe({ capacity: 8192 });
    pipe.openReader();
    pipe.openWriter();
    pipe.write(fill(10));
    expect(pipe.write(fill(5000))).toEqual({ kind: 'wrote', n: 5000 });
    expect(pipe.write(fill(100))).toEqual({ kind: 'would-block', wrote: 0 });
    const all = pipe.read(10_000);
    expect(all.kind === 'data' && all.bytes.length).toBe(5010);
  });

  it('F9 PIPE-SHARED-FILE-FLAGS: F_SETFL in a fork child changes the shared description', () => {
    const parent = new FdTable();
    const { w } = pipe2(parent, O_NONBLOCK);
    const child = parent.fork();
    const flags = value(child.fcntl(w, F_GETFL));
    value(child.fcntl(w, F_SETFL, flags & ~O_NONBLOCK));
    expect(value(parent.fcntl(w, F_GETFL)) & O_NONBLOCK).toBe(0);
    // F_SETFL cannot change the access mode.
    value(parent.fcntl(w, F_SETFL, O_RDWR | O_APPEND));
    expect(value(parent.fcntl(w, F_GETFL))).toBe(O_WRONLY | O_APPEND);
  });

  it('F10 PIPE2-FLAGS: O_CLOEXEC marks both fds, O_NONBLOCK and O_DIRECT show in F_GETFL', () => {
    const t = new FdTable();
    const { r, w } = pipe2(t, O_CLOEXEC | O_NONBLOCK | O_DIRECT);
    expect(value(t.fcntl(r, F_GETFD))).toBe(FD_CLOEXEC);
    expect(value(t.fcntl(w, F_GETFD))).toBe(FD_CLOEXEC);
    expect(value(t.fcntl(w, F_GETFL))).toBe(O_WRONLY | O_NONBLOCK | O_DIRECT);
    expect(value(t.fcntl(r, F_GETFL))).toBe(O_RDONLY | O_NONBLOCK); // create_pipe_files: O_DIRECT on the write end only
    expect(value(t.fcntl(r, F_GETFL)) & O_CLOEXEC).toBe(0); // O_CLOEXEC is per fd, not a status flag
  });

  it('F11 PIPE-ERRORS: pipes can be made up to RLIMIT_NOFILE, then EMFILE', () => {
    const t = new FdTable({ limit: 9 });
    for (let i = 0; i < 3; i++) value(t.install(new OpenFileDescription({ kind: 'other', label: 'tty' }, O_RDWR)));
    pipe2(t);
    pipe2(t);
    pipe2(t); // fds 3..8
    const pipe = new Pipe();
    const [re] = OpenFileDescription.pipe(pipe, 0);
    expect(t.install(re)).toEqual({ ok: false, errno: 'EMFILE' });
    expect(pipe.readers).toBe(0); // a refused description does not hold the pipe open
  });

  it('F12 PIPE-ZERO-LEN: zero-length read and write return 0 at once', () => {
    const pipe = new Pipe();
    pipe.openReader();
    pipe.openWriter();
    expect(pipe.read(0)).toEqual({ kind: 'data', bytes: new Uint8Array(0) });
    pipe.write(fill(65_536));
    expect(pipe.write(new Uint8Array(0))).toEqual({ kind: 'wrote', n: 0 });
    pipe.closeReader();
    expect(pipe.write(new Uint8Array(0))).toEqual({ kind: 'wrote', n: 0 });
  });

  it('F13 PIPE-CLOSE-DURING-READ: an in-flight read keeps the description, so a later write still succeeds', () => {
    const t = new FdTable();
    const { r, pipe } = pipe2(t);
    const inFlight = value(t.lookup(r));
    inFlight.retain(); // the blocked read's reference
    value(t.close(r));
    expect(t.lookup(r)).toEqual({ ok: false, errno: 'EBADF' });
    expect(pipe.readers).toBe(1);
    expect(pipe.write(fill(5))).toEqual({ kind: 'wrote', n: 5 });
    const got = pipe.read(5);
    expect(got.kind === 'data' && got.bytes.length).toBe(5);
    expect(inFlight.release()).toBe(true);
    expect(pipe.readers).toBe(0);
  });

  it('F14 PIPE-MULTI-WRITER: writes of at most PIPE_BUF bytes are never split or interleaved (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ who: fc.nat(3), len: fc.integer({ min: 1, max: PIPE_BUF }), read: fc.nat(9000) }), { maxLength: 80 }),
        (ops) => {
          const pipe = new Pipe();
          pipe.openReader();
          pipe.openWriter();
          const expected: number[] = [];
          const got: number[] = [];
          for (const op of ops) {
            const chunk = new Uint8Array(op.len).fill(op.who + 1);
            const res = pipe.write(chunk);
            if (res.kind === 'wrote') expected.push(...chunk);
            else expect(res).toEqual({ kind: 'would-block', wrote: 0 }); // atomic: all or nothing
            const r = pipe.read(op.read);
            if (r.kind === 'data') got.push(...r.bytes);
          }
          const rest = pipe.read(1 << 20);
          if (rest.kind === 'data') got.push(...rest.bytes);
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('F1/F14 a write that knows only its first bytes behaves as the full write; unknown bytes read as zeros (property)', () => {
    // Two pipes take the same operations: one is given every byte, the other only a known
    // prefix of each write (the rest unknown, as a replay has it) and is drained by skip().
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            len: fc.integer({ min: 1, max: 9000 }),
            known: fc.nat(9000),
            packet: fc.boolean(),
            read: fc.nat(12_000),
            skip: fc.boolean(),
          }),
          { maxLength: 30 },
        ),
        (ops) => {
          const full = new Pipe();
          const lean = new Pipe();
          for (const p of [full, lean]) {
            p.openReader();
            p.openWriter();
          }
          let seed = 0;
          for (const op of ops) {
            const data = new Uint8Array(op.len).fill(++seed & 0xff);
            const known = Math.min(op.known, op.len);
            const expectedBytes = new Uint8Array(op.len);
            expectedBytes.set(data.subarray(0, known));
            const a = full.write(expectedBytes, { packet: op.packet });
            const b = lean.write(data.subarray(0, known), { packet: op.packet, count: op.len });
            expect(b).toEqual(a);
            expect(lean.occupiedSlots).toBe(full.occupiedSlots);
            expect(lean.buffered).toBe(full.buffered);
            const ra = full.read(op.read);
            if (op.skip) {
              const rb = lean.skip(op.read);
              expect(rb).toEqual(ra.kind === 'data' ? { kind: 'data', n: ra.bytes.length } : ra);
            } else {
              expect(lean.read(op.read)).toEqual(ra);
            }
          }
          expect(lean.read(1 << 20)).toEqual(full.read(1 << 20));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a count below the bytes given is a caller bug', () => {
    const pipe = new Pipe();
    pipe.openReader();
    expect(() => pipe.write(fill(10), { count: 5 })).toThrow(RangeError);
  });

  it('F15 PIPE-SIZE: F_SETPIPE_SZ rounds up, is seen through both ends, and refuses to drop data', () => {
    const t = new FdTable();
    const { r, w, pipe } = pipe2(t);
    expect(value(t.fcntl(r, F_GETPIPE_SZ))).toBe(65_536);
    expect(value(t.fcntl(w, F_SETPIPE_SZ, 0))).toBe(4096);
    expect(value(t.fcntl(r, F_GETPIPE_SZ))).toBe(4096);
    expect(value(t.fcntl(w, F_SETPIPE_SZ, 5000))).toBe(8192);
    expect(value(t.fcntl(w, F_SETPIPE_SZ, 65_537))).toBe(131_072);
    pipe.write(fill(3 * 4096));
    expect(t.fcntl(w, F_SETPIPE_SZ, 8192)).toEqual({ ok: false, errno: 'EBUSY' });
    expect(t.fcntl(w, F_SETPIPE_SZ, 2 * 1048576)).toEqual({ ok: false, errno: 'EPERM' });
    expect(value(t.fcntl(w, F_SETPIPE_SZ, 2 * 1048576, { privileged: true }))).toBe(2 * 1048576);
    expect(t.fcntl(w, F_SETPIPE_SZ, 2 ** 31 + 1, { privileged: true })).toEqual({ ok: false, errno: 'EINVAL' });
    const other = value(t.install(new OpenFileDescription({ kind: 'other', label: 'file' }, O_RDONLY)));
    expect(t.fcntl(other, F_GETPIPE_SZ)).toEqual({ ok: false, errno: 'EBADF' });
    expect([roundPipeSize(1), roundPipeSize(4097), roundPipeSize(2 ** 31), roundPipeSize(2 ** 31 + 1)]).toEqual([4096, 8192, 2 ** 31, 0]);
  });
});

describe('FdTable', () => {
  const other = (label = 'f'): OpenFileDescription => new OpenFileDescription({ kind: 'other', label }, O_RDWR);

  it('allocates the lowest free descriptor', () => {
    const t = new FdTable();
    expect([0, 1, 2].map(() => value(t.install(other())))).toEqual([0, 1, 2]);
    value(t.close(1));
    expect(value(t.install(other()))).toBe(1);
    expect(value(t.install(other(), { minFd: 10 }))).toBe(10);
    expect(t.fds()).toEqual([0, 1, 2, 10]);
    expect(t.close(5)).toEqual({ ok: false, errno: 'EBADF' });
    expect(t.close(-1)).toEqual({ ok: false, errno: 'EBADF' });
  });

  it('dup/dup2/dup3 share the description, clear or set FD_CLOEXEC, and check in Linux order', () => {
    const t = new FdTable({ limit: 64 });
    const fd = value(t.install(other(), { cloexec: true }));
    const d = value(t.dup(fd));
    expect(t.get(d)).toBe(t.get(fd));
    expect(t.isCloexec(d)).toBe(false);
    expect(value(t.dup2(fd, fd))).toBe(fd);
    expect(t.dup2(7, 7)).toEqual({ ok: false, errno: 'EBADF' });
    expect(t.dup3(fd, fd, 0)).toEqual({ ok: false, errno: 'EINVAL' });
    expect(t.dup3(fd, 5, O_NONBLOCK)).toEqual({ ok: false, errno: 'EINVAL' });
    expect(t.dup3(9, 9, O_NONBLOCK)).toEqual({ ok: false, errno: 'EINVAL' }); // flags before fds
    expect(t.dup3(fd, 64, 0)).toEqual({ ok: false, errno: 'EBADF' });
    expect(t.dup2(fd, -1)).toEqual({ ok: false, errno: 'EBADF' });
    expect(t.dup3(40, 5, 0)).toEqual({ ok: false, errno: 'EBADF' });
    expect(value(t.dup3(fd, 5, O_CLOEXEC))).toBe(5);
    expect(t.isCloexec(5)).toBe(true);
    expect(value(t.lookup(fd)).refs).toBe(3);
  });

  it('dup2 over an open fd releases what it pointed to (a pipe write end: EOF)', () => {
    const t = new FdTable();
    const { r, w, pipe } = pipe2(t);
    value(t.dup2(r, w));
    expect(pipe.writers).toBe(0);
    expect(pipe.read(1)).toEqual({ kind: 'eof' });
    expect(value(t.lookup(r)).refs).toBe(2);
  });

  it('fcntl: F_DUPFD/F_DUPFD_CLOEXEC from a minimum, F_GETFD/F_SETFD, EINVAL for unknown commands', () => {
    const t = new FdTable({ limit: 16 });
    const fd = value(t.install(other()));
    expect(value(t.fcntl(fd, F_DUPFD, 5))).toBe(5);
    expect(value(t.fcntl(fd, F_DUPFD, 5))).toBe(6);
    expect(value(t.fcntl(fd, F_DUPFD_CLOEXEC, 3))).toBe(3);
    expect(value(t.fcntl(3, F_GETFD))).toBe(FD_CLOEXEC);
    value(t.fcntl(3, F_SETFD, 0));
    expect(value(t.fcntl(3, F_GETFD))).toBe(0);
    value(t.fcntl(3, F_SETFD, FD_CLOEXEC | 0x10));
    expect(t.isCloexec(3)).toBe(true);
    expect(t.fcntl(fd, F_DUPFD, 16)).toEqual({ ok: false, errno: 'EINVAL' });
    expect(t.fcntl(fd, F_DUPFD, -1)).toEqual({ ok: false, errno: 'EINVAL' });
    expect(t.fcntl(fd, 9999)).toEqual({ ok: false, errno: 'EINVAL' });
    expect(t.fcntl(99, F_GETFD)).toEqual({ ok: false, errno: 'EBADF' });
    for (let i = 0; i < 16; i++) if (t.get(i) === undefined) value(t.install(other()));
    expect(t.fcntl(fd, F_DUPFD, 0)).toEqual({ ok: false, errno: 'EMFILE' });
    expect(t.dup(fd)).toEqual({ ok: false, errno: 'EMFILE' });
  });

  it('close_range closes or marks a range; CLOSE_RANGE_UNSHARE is accepted; bad arguments are EINVAL', () => {
    const t = new FdTable();
    for (let i = 0; i < 8; i++) value(t.install(other()));
    value(t.closeRange(5, 0xffffffff, 0));
    expect(t.fds()).toEqual([0, 1, 2, 3, 4]);
    value(t.closeRange(1, 2, CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE));
    expect(t.fds().map((fd) => t.isCloexec(fd))).toEqual([false, true, true, false, false]);
    expect(t.closeRange(3, 2, 0)).toEqual({ ok: false, errno: 'EINVAL' });
    expect(t.closeRange(0, 1, 0x80)).toEqual({ ok: false, errno: 'EINVAL' });
    expect(t.closeRange(0, -1, 0).ok).toBe(true); // ~0U as a negative int: everything
    expect(t.size).toBe(0);
  });

  it('D13 EXEC-CLOEXEC: exec closes exactly the FD_CLOEXEC descriptors', () => {
    const t = new FdTable();
    const plain = value(t.install(other()));
    const { r, w, pipe } = pipe2(t, O_CLOEXEC);
    const marked = value(t.install(other(), { cloexec: true }));
    expect(t.closeOnExec()).toEqual([r, w, marked]);
    expect(t.fds()).toEqual([plain]);
    expect(t.fcntl(r, F_GETFL)).toEqual({ ok: false, errno: 'EBADF' });
    expect([pipe.readers, pipe.writers]).toEqual([0, 0]);
  });

  it('C5 CLONE_FILES-SHARES-TABLE: a shared table sees the close; a forked copy does not', () => {
    const parent = new FdTable();
    const fd = value(parent.install(other()));
    const sharedChild = parent; // CLONE_FILES: the same table object
    const copiedChild = parent.fork();
    value(copiedChild.close(fd));
    expect(parent.lookup(fd).ok).toBe(true);
    value(sharedChild.close(fd));
    expect(parent.lookup(fd)).toEqual({ ok: false, errno: 'EBADF' });
  });

  it('C6 FORK-SHARES-OPEN-FILE-DESCRIPTION: the offset is shared between parent and fork children', () => {
    const parent = new FdTable();
    const fd = value(parent.install(other('data')));
    const child = parent.fork();
    value(child.lookup(fd)).offset = 1024n;
    expect(value(parent.lookup(fd)).offset).toBe(1024n);
    const second = parent.fork();
    value(second.lookup(fd)).offset += 1n;
    expect(value(parent.lookup(fd)).offset).toBe(1025n);
    expect(value(parent.lookup(fd)).refs).toBe(3);
  });

  it('C18 a pidfd description is O_RDWR', () => {
    const t = new FdTable();
    const fd = value(t.install(new OpenFileDescription({ kind: 'pidfd', pid: 42 }, O_RDWR), { cloexec: true }));
    expect(value(t.fcntl(fd, F_GETFL)) & 3).toBe(O_RDWR);
    expect(value(t.fcntl(fd, F_GETFD))).toBe(FD_CLOEXEC);
  });

  it('reference counts and pipe end counts stay exact under random table operations (property)', () => {
    type Op =
      | { k: 'pipe'; t: number }
      | { k: 'dup'; t: number; fd: number }
      | { k: 'dup2'; t: number; a: number; b: number }
      | { k: 'close'; t: number; fd: number }
      | { k: 'fork'; t: number }
      | { k: 'exec'; t: number }
      | { k: 'exit'; t: number }
      | { k: 'cr'; t: number; a: number; b: number; cloexec: boolean };
    const fd = fc.nat(12);
    const t = fc.nat(5);
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ k: fc.constant('pipe' as const), t }),
      fc.record({ k: fc.constant('dup' as const), t, fd }),
      fc.record({ k: fc.constant('dup2' as const), t, a: fd, b: fd }),
      fc.record({ k: fc.constant('close' as const), t, fd }),
      fc.record({ k: fc.constant('fork' as const), t }),
      fc.record({ k: fc.constant('exec' as const), t }),
      fc.record({ k: fc.constant('exit' as const), t }),
      fc.record({ k: fc.constant('cr' as const), t, a: fd, b: fd, cloexec: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const tables = [new FdTable({ limit: 12 })];
        const pipes: Pipe[] = [];
        let n = 0;
        for (const o of ops) {
          const table = tables[o.t % tables.length] as FdTable;
          switch (o.k) {
            case 'pipe': {
              const pipe = new Pipe();
              const [re, we] = OpenFileDescription.pipe(pipe, (n++ & 1) === 0 ? O_CLOEXEC : 0);
              if (table.install(re).ok) table.install(we);
              pipes.push(pipe);
              break;
            }
            case 'dup':
              table.dup(o.fd);
              break;
            case 'dup2':
              table.dup2(o.a, o.b);
              break;
            case 'close':
              table.close(o.fd);
              break;
            case 'fork':
              tables.push(table.fork());
              break;
            case 'exec':
              table.closeOnExec();
              break;
            case 'exit':
              table.closeAll();
              break;
            case 'cr':
              table.closeRange(o.a, o.b, o.cloexec ? CLOSE_RANGE_CLOEXEC : 0);
              break;
          }
        }
        // Each description's refs = the table entries naming it; each pipe's counts = live ends.
        const refs = new Map<OpenFileDescription, number>();
        for (const table of tables) for (const [, e] of table.entries()) refs.set(e.ofd, (refs.get(e.ofd) ?? 0) + 1);
        for (const [ofd, count] of refs) expect(ofd.refs).toBe(count);
        for (const pipe of pipes) {
          const ends = [...refs.keys()].filter((o) => o.file.kind === 'pipe' && o.file.pipe === pipe);
          expect(pipe.readers).toBe(ends.filter((o) => o.file.kind === 'pipe' && o.file.end === 'read').length);
          expect(pipe.writers).toBe(ends.filter((o) => o.file.kind === 'pipe' && o.file.end === 'write').length);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('WaitQueue', () => {
  it('notifies current subscribers in order, once each, and forgets unsubscribed ones', () => {
    const q = new WaitQueue();
    const log: string[] = [];
    const offA = q.subscribe(() => log.push('a'));
    // A waker that unsubscribes another during delivery does not disturb this round.
    let offC: () => void = () => undefined;
    q.subscribe(() => {
      log.push('b');
      offC();
    });
    offC = q.subscribe(() => log.push('c'));
    q.notify();
    expect(log).toEqual(['a', 'b', 'c']);
    offA();
    log.length = 0;
    q.notify();
    expect(log).toEqual(['b']);
    expect(q.size).toBe(1);
  });
});
