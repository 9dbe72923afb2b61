// Pipe: the buffer behind pipe(2)/pipe2(2), modelled as Linux's ring of page-sized slots
// (fs/pipe.c), so capacity, merging of small writes, PIPE_BUF atomicity and partial writes come
// out as Linux's do: a pipe is "full" when all slots are occupied, even if the last one has room.
//
// API:
//   new Pipe({ id?, capacity? })            capacity in bytes, default 65536 (16 slots)
//   read(n) → { kind:'data', bytes } | { kind:'eof' } | { kind:'would-block' }
//     (packet boundaries come from the slots an O_DIRECT writer made; the reader's flags do not matter)
//   skip(n) → { kind:'data', n } | eof | would-block: read(n) that consumes the same bytes without copying them
//   write(bytes, { packet?, continuation?, count? }) → { kind:'wrote', n } | { kind:'epipe' } | { kind:'would-block', wrote }
//     count: the write's length when only its first bytes.length bytes are known (a replay sees at
//     most strace's -s bytes); the rest are unknown and read back as zeros. Slots holding only
//     unknown bytes carry no page, so a replay's pipe traffic costs counts, not copies.
//     packet: the writing description has O_DIRECT (checked per call, as F_SETFL may change it).
//     The caller turns would-block into blocking (O_NONBLOCK clear) or EAGAIN/partial count, and
//     epipe into EPIPE + SIGPIPE (or into the partial count + SIGPIPE when an earlier part of the
//     same call was written, F7). When resuming a blocked write, pass the unwritten rest with
//     continuation: true (Linux merges into the last slot only at the start of a call).
//   setSize(bytes, { privileged? }) → Errno<number>   F_SETPIPE_SZ: rounded size, EBUSY, EPERM, EINVAL
//   capacity, buffered (FIONREAD), full (every slot occupied), readers, writers
//   openReader/openWriter/closeReader/closeWriter: reference counts of open file descriptions.
//   readable / writable: WaitQueues notified when a blocked reader / writer should re-check.
//   canRead() / canWrite(n): the conditions a blocked read / write of n bytes waits for.
import { fail, ok } from '../errno.js';
import type { Errno } from '../errno.js';
import { PIPE_BUF, PIPE_MAX_SIZE } from './constants.js';
import { WaitQueue } from './wait-queue.js';

const PAGE_SIZE = 4096;
export const DEFAULT_PIPE_CAPACITY = 16 * PAGE_SIZE;

export type PipeReadResult =
  | { readonly kind: 'data'; readonly bytes: Uint8Array }
  | { readonly kind: 'eof' }
  | { readonly kind: 'would-block' };

export type PipeSkipResult =
  | { readonly kind: 'data'; readonly n: number }
  | { readonly kind: 'eof' }
  | { readonly kind: 'would-block' };

export type PipeWriteResult =
  | { readonly kind: 'wrote'; readonly n: number }
  | { readonly kind: 'epipe' }
  | { readonly kind: 'would-block'; readonly wrote: number };

interface Slot {
  /** The slot's bytes up to its last known one; null while none is known (unknown bytes read as zeros). */
  page: Uint8Array | null;
  offset: number;
  len: number;
  /** Written by an O_DIRECT writer: never merged into, and read one whole packet at a time. */
  readonly packet: boolean;
}

let nextId = 1;

export class Pipe {
  readonly id: number;
  /** Open read-side / write-side file descriptions (not fds: dup'd fds share one description). */
  readers = 0;
  writers = 0;
  readonly readable = new WaitQueue();
  readonly writable = new WaitQueue();
  private slots: Slot[] = [];
  private maxSlots: number;

  constructor(options: { id?: number; capacity?: number } = {}) {
    this.id = options.id ?? nextId++;
    const capacity = options.capacity ?? DEFAULT_PIPE_CAPACITY;
    const rounded = roundPipeSize(capacity);
    if (rounded === 0 || rounded !== capacity) throw new RangeError(`Pipe: capacity ${capacity} is not a power-of-two number of pages`);
    this.maxSlots = rounded / PAGE_SIZE;
  }

  get capacity(): number {
    return this.maxSlots * PAGE_SIZE;
  }

  /** Bytes waiting to be read (FIONREAD). */
  get buffered(): number {
    let n = 0;
    for (const s of this.slots) n += s.len;
    return n;
  }

  /** Occupied slots; at most capacity / 4096. */
  get occupiedSlots(): number {
    return this.slots.length;
  }

  /** A blocked read may proceed: data is buffered, or no writer is left (EOF). */
  canRead(): boolean {
    return this.slots.length > 0 || this.writers === 0;
  }

  /** Every slot is occupied: no write can add anything until a reader takes some. */
  get full(): boolean {
    return this.slots.length >= this.maxSlots;
  }

  /** A blocked write of `n` more bytes may make progress (or fail with EPIPE). */
  canWrite(n: number): boolean {
    if (this.readers === 0) return true;
    if (this.slots.length < this.maxSlots) return true;
    const chars = n & (PAGE_SIZE - 1);
    return n <= PIPE_BUF && chars !== 0 && this.mergeRoom() >= chars;
  }

  openReader(): void {
    this.readers++;
  }

  openWriter(): void {
    this.writers++;
  }

  /** The last reader leaving makes blocked writers fail with EPIPE. */
  closeReader(): void {
    if (this.readers <= 0) throw new Error(`Pipe ${this.id}: closeReader with no readers`);
    this.readers--;
    if (this.readers === 0) this.writable.notify();
  }

  /** The last writer leaving makes blocked readers see EOF (F3, F4). */
  closeWriter(): void {
    if (this.writers <= 0) throw new Error(`Pipe ${this.id}: closeWriter with no writers`);
    this.writers--;
    if (this.writers === 0) this.readable.notify();
  }

  /** `options.packet` is accepted for compatibility and ignored: each slot knows if it is a packet. */
  read(n: number, options: { packet?: boolean } = {}): PipeReadResult {
    void options;
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Pipe.read: bad length ${n}`);
    if (n === 0) return { kind: 'data', bytes: new Uint8Array(0) }; // F12: before any state check
    if (this.slots.length === 0) return this.writers === 0 ? { kind: 'eof' } : { kind: 'would-block' };
    const out = new Uint8Array(Math.min(n, this.buffered));
    const got = this.take(n, out);
    return { kind: 'data', bytes: out.subarray(0, got) };
  }

  /** What read(n) would do, without copying the bytes out: for callers that need only the count. */
  skip(n: number): PipeSkipResult {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Pipe.skip: bad length ${n}`);
    if (n === 0) return { kind: 'data', n: 0 };
    if (this.slots.length === 0) return this.writers === 0 ? { kind: 'eof' } : { kind: 'would-block' };
    return { kind: 'data', n: this.take(n, undefined) };
  }

  /** Consumes up to n bytes from the front slots (copying them into `out` if given); returns how many. */
  private take(n: number, out: Uint8Array | undefined): number {
    let got = 0;
    while (got < n && this.slots.length > 0) {
      const slot = this.slots[0] as Slot;
      const take = Math.min(slot.len, n - got);
      // Bytes past the page (or in a page-less slot) read as zeros, which `out` already holds.
      if (out !== undefined && slot.page !== null) out.set(slot.page.subarray(slot.offset, slot.offset + take), got);
      got += take;
      slot.offset += take;
      slot.len -= take;
      // A packet buffer ends the read, and what did not fit is dropped (pipe_read).
      if (slot.packet) slot.len = 0;
      if (slot.len === 0) this.slots.shift();
      if (slot.packet) break;
    }
    this.writable.notify();
    return got;
  }

  write(bytes: Uint8Array, options: { packet?: boolean; continuation?: boolean; count?: number } = {}): PipeWriteResult {
    const total = options.count ?? bytes.length;
    if (!Number.isInteger(total) || total < bytes.length) throw new RangeError(`Pipe.write: count ${total} below the ${bytes.length} bytes given`);
    // A null write succeeds before anything else is looked at, even with no reader (F12).
    if (total === 0) return { kind: 'wrote', n: 0 };
    if (this.readers === 0) return { kind: 'epipe' };
    let wrote = 0;
    // Linux first tries to append the sub-page remainder (the *first* total % 4096 bytes) to the
    // last slot; a write of at most PIPE_BUF bytes is therefore either merged whole or needs one
    // free slot — never split (atomicity).
    const chars = total & (PAGE_SIZE - 1);
    if (!options.continuation && chars !== 0 && this.mergeRoom() >= chars) {
      const last = this.slots[this.slots.length - 1] as Slot;
      fill(last, bytes, 0, chars);
      last.len += chars;
      wrote = chars;
    }
    while (wrote < total && this.slots.length < this.maxSlots) {
      const n = Math.min(PAGE_SIZE, total - wrote);
      const slot: Slot = { page: null, offset: 0, len: 0, packet: options.packet ?? false };
      fill(slot, bytes, wrote, n);
      slot.len = n;
      this.slots.push(slot);
      wrote += n;
    }
    if (wrote > 0) this.readable.notify();
    return wrote === total ? { kind: 'wrote', n: wrote } : { kind: 'would-block', wrote };
  }

  /**
   * F_SETPIPE_SZ (fs/pipe.c pipe_set_size): the size rounds up to a power-of-two number of pages
   * (0 → one page); growing beyond pipe-max-size needs privilege (EPERM); shrinking below the
   * occupied slots is EBUSY; above 2^31 is EINVAL. Returns the new capacity in bytes.
   */
  setSize(requested: number, options: { privileged?: boolean; maxSize?: number } = {}): Errno<number> {
    const arg = requested >>> 0; // the kernel takes an unsigned int
    const size = roundPipeSize(arg);
    if (size === 0) return fail('EINVAL');
    const slots = size / PAGE_SIZE;
    if (slots > this.maxSlots && size > (options.maxSize ?? PIPE_MAX_SIZE) && !options.privileged) return fail('EPERM');
    if (slots < this.slots.length) return fail('EBUSY');
    this.maxSlots = slots;
    this.writable.notify();
    return ok(this.capacity);
  }

  private mergeRoom(): number {
    const last = this.slots[this.slots.length - 1];
    if (!last || last.packet) return 0;
    return PAGE_SIZE - (last.offset + last.len);
  }
}

/**
 * Appends bytes [from, from + n) of a write to `slot` (before its len grows by n). Only the
 * known part (below bytes.length) is copied, and a page is made only when some is: a page's
 * bytes past offset + len were never written, so unknown bytes there already read as zeros.
 * The page holds only up to its last known byte (doubling as more comes, up to PAGE_SIZE):
 * a replay knows a few dozen bytes per write, and a small array stays on V8's heap where a
 * 4 KiB one gets a backing store of its own.
 */
function fill(slot: Slot, bytes: Uint8Array, from: number, n: number): void {
  const known = Math.min(n, bytes.length - from);
  if (known <= 0) return;
  const at = slot.offset + slot.len;
  const end = at + known;
  if (slot.page === null || slot.page.length < end) {
    const grown = new Uint8Array(Math.min(PAGE_SIZE, Math.max(end, 2 * (slot.page?.length ?? 0))));
    if (slot.page !== null) grown.set(slot.page);
    slot.page = grown;
  }
  slot.page.set(bytes.subarray(from, from + known), at);
}

/** fs/pipe.c round_pipe_size: 0 when too large, else at least a page and a power of two. */
export function roundPipeSize(size: number): number {
  if (size > 2 ** 31) return 0;
  if (size < PAGE_SIZE) return PAGE_SIZE;
  let p = PAGE_SIZE;
  while (p < size) p *= 2;
  return p;
}
