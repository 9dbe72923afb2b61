// When a pipe reader takes its data. Linux copies in the reader's own context (fs/pipe.c
// pipe_read: it sleeps until the pipe is readable, then copies what is buffered when it runs), so
// a reader woken by one write may find a second write's bytes too. Plain reads keep the
// catalogue's behaviour (F1, F3, F8); a read with `whenCountBuffered` (the replay's scheduling
// hint: the recording shows it got `count` bytes) takes them once that many are there.
import { describe, expect, it } from 'vitest';
import { SIGNALS, type Kernel, type Tid } from '../src/index.js';
import { boot, call, exit, fork, ok, sigaction } from './kernel-helpers.js';

const F_SETFL = 4;
const O_NONBLOCK = 0o4000;

function pipe(k: Kernel, tid: Tid): [number, number] {
  // Guest memory is off, as in the replay: the fds come back in `out`.
  const r = call(k, tid, { name: 'pipe2', pipefd: 0x10000n, flags: 0 });
  if (r.kind !== 'done' || !r.out?.fds) throw new Error('pipe2 failed');
  return [r.out.fds[0], r.out.fds[1]];
}

const bytes = (n: number, v: number) => new Uint8Array(n).fill(v);

function write(k: Kernel, tid: Tid, fd: number, data: Uint8Array) {
  return call(k, tid, { name: 'write', fd, buf: data, count: BigInt(data.length) });
}

/** A reader (the root) and a writer (its fork child) on one pipe. */
function pair(): { k: Kernel; reader: Tid; writer: Tid; r: number; w: number } {
  const { k, root } = boot({ memory: 'none' });
  const [r, w] = pipe(k, root);
  const writer = fork(k, root);
  ok(k, writer, { name: 'close', fd: r });
  ok(k, root, { name: 'close', fd: w });
  return { k, reader: root, writer, r, w };
}

describe('pipe read timing (fs/pipe.c pipe_read copies when the reader runs)', () => {
  it('F1/F3 a plain blocked read is woken by the first write and gets just that write', () => {
    const { k, reader, writer, r } = pair();
    expect(call(k, reader, { name: 'read', fd: r, buf: 0n, count: 32768n }).kind).toBe('blocked');
    write(k, writer, 4, bytes(10240, 1));
    write(k, writer, 4, bytes(10240, 2));
    expect(k.completion(reader)).toMatchObject({ kind: 'done', value: 10240n });
  });

  it('F1 with whenCountBuffered the reader takes its bytes only once all are buffered (gzip read 24576 after two tar writes)', () => {
    const { k, reader, writer, r } = pair();
    const res = call(k, reader, { name: 'read', fd: r, buf: 0n, count: 20480n, whenCountBuffered: true });
    expect(res.kind).toBe('blocked');
    write(k, writer, 4, bytes(10240, 1));
    expect(k.task(reader)?.state).toBe('blocked');
    write(k, writer, 4, bytes(10240, 2));
    const got = k.completion(reader);
    expect(got).toMatchObject({ kind: 'done', value: 20480n });
    if (got?.kind === 'done') expect(got.out?.data).toEqual(new Uint8Array([...bytes(10240, 1), ...bytes(10240, 2)]));
    expect(k.checkInvariants()).toEqual([]);
  });

  it('F1 with whenCountBuffered a read that finds some bytes at entry still waits for its count, then leaves the rest', () => {
    const { k, reader, writer, r } = pair();
    write(k, writer, 4, bytes(4096, 1));
    expect(call(k, reader, { name: 'read', fd: r, buf: 0n, count: 8192n, whenCountBuffered: true }).kind).toBe('blocked');
    write(k, writer, 4, bytes(10240, 2));
    expect(k.completion(reader)).toMatchObject({ kind: 'done', value: 8192n });
    // 4096 + 10240 - 8192 left for the next read, which finds them at once.
    expect(call(k, reader, { name: 'read', fd: r, buf: 0n, count: 65536n })).toMatchObject({ kind: 'done', value: 6144n });
  });

  it('F3 EOF ends the wait with what is buffered, fewer than the count (a replay then sees the mismatch)', () => {
    const { k, reader, writer, r } = pair();
    expect(call(k, reader, { name: 'read', fd: r, buf: 0n, count: 8192n, whenCountBuffered: true }).kind).toBe('blocked');
    write(k, writer, 4, bytes(100, 1));
    expect(k.task(reader)?.state).toBe('blocked');
    ok(k, writer, { name: 'close', fd: 4 });
    expect(k.completion(reader)).toMatchObject({ kind: 'done', value: 100n });
  });

  it('F15 a full pipe ends the wait whatever the count (no more bytes can come before the reader runs)', () => {
    const { k, reader, writer, r } = pair();
    // Asks for more than the 64 KiB capacity: the writer blocks on the full pipe, the reader runs.
    expect(call(k, reader, { name: 'read', fd: r, buf: 0n, count: 70000n, whenCountBuffered: true }).kind).toBe('blocked');
    expect(write(k, writer, 4, bytes(65536 + 4096, 1)).kind).toBe('blocked');
    expect(k.completion(reader)).toMatchObject({ kind: 'done', value: 65536n });
    expect(k.completion(writer)).toMatchObject({ kind: 'done', value: 65536n + 4096n });
  });

  it('F8 an O_NONBLOCK reader ignores the hint: EAGAIN on an empty pipe, what is there otherwise', () => {
    const { k, reader, writer, r } = pair();
    ok(k, reader, { name: 'fcntl', fd: r, cmd: F_SETFL, arg: BigInt(O_NONBLOCK) });
    expect(call(k, reader, { name: 'read', fd: r, buf: 0n, count: 100n, whenCountBuffered: true })).toEqual({ kind: 'error', errno: 'EAGAIN' });
    write(k, writer, 4, bytes(10, 1));
    expect(call(k, reader, { name: 'read', fd: r, buf: 0n, count: 100n, whenCountBuffered: true })).toMatchObject({ kind: 'done', value: 10n });
  });

  it('a signal finds a waiting reader with bytes buffered: the read returns them instead of restarting', () => {
    const { k, reader, writer, r } = pair();
    sigaction(k, reader, SIGNALS.SIGUSR1, 0x401000n);
    expect(call(k, reader, { name: 'read', fd: r, buf: 0n, count: 8192n, whenCountBuffered: true }).kind).toBe('blocked');
    write(k, writer, 4, bytes(300, 1));
    ok(k, writer, { name: 'kill', pid: reader, sig: SIGNALS.SIGUSR1 });
    expect(k.completion(reader)).toMatchObject({ kind: 'done', value: 300n });
  });
});

describe('pipe traffic by count (the replay knows lengths and strace\'s first bytes only)', () => {
  it('F1 a write by value shorter than count writes count; the unknown rest reads back as zeros', () => {
    const { k, reader, writer, r, w } = pair();
    expect(call(k, writer, { name: 'write', fd: w, buf: new Uint8Array([1, 2, 3]), count: 5000n })).toEqual({ kind: 'done', value: 5000n });
    const got = call(k, reader, { name: 'read', fd: r, buf: 0n, count: 8192n });
    const expected = new Uint8Array(5000);
    expected.set([1, 2, 3]);
    expect(got).toEqual({ kind: 'done', value: 5000n, out: { data: expected } });
  });

  it('F8 unknown bytes still fill slots: 16 one-page writes of no known bytes make the pipe full', () => {
    const { k, writer, reader, r, w } = pair();
    ok(k, writer, { name: 'fcntl', fd: w, cmd: F_SETFL, arg: BigInt(O_NONBLOCK) });
    for (let i = 0; i < 16; i++) expect(call(k, writer, { name: 'write', fd: w, buf: new Uint8Array(0), count: 4096n }).kind).toBe('done');
    expect(call(k, writer, { name: 'write', fd: w, buf: new Uint8Array(0), count: 1n })).toEqual({ kind: 'error', errno: 'EAGAIN' });
    // A count-only read consumes like a read and returns no data.
    expect(call(k, reader, { name: 'read', fd: r, buf: 0n, count: 4096n, countOnly: true })).toEqual({ kind: 'done', value: 4096n });
    expect(call(k, writer, { name: 'write', fd: w, buf: new Uint8Array(0), count: 1n })).toEqual({ kind: 'done', value: 1n });
  });
});

describe('O(1) task queries agree with the task view', () => {
  it('taskState / tgidOf / blockedOn for a ready, a blocked and a zombie task, and unknown tids', () => {
    const { k, reader, writer, r } = pair();
    const agree = (tid: Tid): void => {
      const view = k.task(tid);
      expect(k.taskState(tid)).toBe(view?.state);
      expect(k.tgidOf(tid)).toBe(view?.tgid);
      expect(k.blockedOn(tid)).toEqual(view?.blockedOn ?? null);
    };
    agree(reader);
    expect(call(k, reader, { name: 'read', fd: r, buf: 0n, count: 10n }).kind).toBe('blocked');
    expect(k.taskState(reader)).toBe('blocked');
    expect(k.blockedOn(reader)).not.toBeNull();
    agree(reader);
    exit(k, writer, 0);
    expect(k.taskState(writer)).toBe('zombie');
    agree(writer);
    agree(1);
    expect(k.taskState(99_999)).toBeUndefined();
    expect(k.tgidOf(99_999)).toBeUndefined();
    expect(k.blockedOn(99_999)).toBeNull();
  });
});
