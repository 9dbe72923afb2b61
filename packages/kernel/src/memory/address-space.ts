// AddressSpace: one process's (mm_struct's) mappings and page contents.
//
// API (addresses and lengths are bigint, as the guest sees them; errors are Errno values):
//   new AddressSpace({ id?, mmapBase?, brkStart? })
//   mmap({ addr, length, prot, flags, offset?, label? }) → Errno<bigint>     start address
//   munmap(addr, length) → Errno<void>;  mprotect(addr, length, prot) → Errno<void>
//   brk(addr) → bigint  (Linux's brk never fails: it returns the unchanged break instead)
//   read(addr, len) → Errno<Uint8Array>;  write(addr, bytes) → Errno<void>
//     EFAULT for NULL, unmapped bytes, a PROT_NONE page, or a write to a page without PROT_WRITE
//     (x86_64: PROT_WRITE or PROT_EXEC alone still allow reads); a failing write changes nothing.
//   readU32/readU64/writeU32/writeU64 (little-endian), readCString(addr, max)
//   fork() → a copy-on-write child; MAP_SHARED mappings stay shared with it (C3).
//   mappings() → the current mapping list, sorted by start; storeStats() → pages per store layer.
// CLONE_VM sharing is the caller's: hand the same AddressSpace object to both tasks (C4); `users`
// is a counter the caller may keep for mm_users (C11: CLEARTID writes only while it is > 1).
//
// Layout is deterministic: mmap without a usable hint places mappings top-down from mmapBase,
// the highest free gap first, like Linux's default allocator but without randomisation.
import { fail, ok } from '../errno.js';
import type { Errno } from '../errno.js';
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_TYPE,
  PAGE_SHIFT,
  PAGE_SIZE,
  PROT_EXEC,
  PROT_GROWSDOWN,
  PROT_GROWSUP,
  PROT_READ,
  PROT_WRITE,
  TASK_SIZE,
} from './constants.js';
import { PrivateLayer, SharedStore } from './page-store.js';

/** vm.mmap_min_addr's default: nothing is mapped below 64 KiB, so NULL and near-NULL fault. */
export const MMAP_MIN_ADDR = 0x10000n;
export const DEFAULT_MMAP_BASE = 0x7f0000000000n;
export const DEFAULT_BRK_START = 0x555555560000n;

const PAGE = BigInt(PAGE_SIZE);
const SHIFT = BigInt(PAGE_SHIFT);
const TASK_PAGES = Number(TASK_SIZE >> SHIFT);
const MIN_PAGE = Number(MMAP_MIN_ADDR >> SHIFT);

/** A mapping as callers see it. */
export interface Mapping {
  readonly start: bigint;
  readonly length: bigint;
  readonly prot: number;
  /** MAP_SHARED (writes visible to every sharer, kept across fork) vs MAP_PRIVATE (copy-on-write). */
  readonly shared: boolean;
  readonly anonymous: boolean;
  /** What it maps, for diagnostics: a file name, "[heap]", "[stack]"… */
  readonly label: string;
}

export interface MmapRequest {
  /** Hint, or the exact address with MAP_FIXED / MAP_FIXED_NOREPLACE. */
  readonly addr: bigint;
  readonly length: bigint;
  readonly prot: number;
  readonly flags: number;
  /** File offset; must be page-aligned. Contents of file mappings are not modelled (they read as zeros). */
  readonly offset?: bigint;
  readonly label?: string;
}

type Store = SharedStore | PrivateLayer;

/** Internal: a run of pages [start, start + pages) backed by store pages from `storeBase`. */
interface Vma {
  start: number;
  pages: number;
  prot: number;
  readonly anonymous: boolean;
  readonly label: string;
  store: Store;
  storeBase: number;
}

let nextId = 1;

export class AddressSpace {
  /** Identifies this space in blocked conditions and events; pass a kernel-local id for determinism. */
  readonly id: number;
  /** For the caller's mm_users accounting (CLONE_VM sharers); not used internally. */
  users = 1;
  readonly mmapBase: bigint;
  private readonly vmas: Vma[] = [];
  private brkStart: bigint;
  private brkCurrent: bigint;

  constructor(options: { id?: number; mmapBase?: bigint; brkStart?: bigint } = {}) {
    this.id = options.id ?? nextId++;
    this.mmapBase = options.mmapBase ?? DEFAULT_MMAP_BASE;
    if (this.mmapBase % PAGE !== 0n || this.mmapBase > TASK_SIZE) {
      throw new RangeError(`AddressSpace: mmapBase ${hex(this.mmapBase)} is not a page-aligned user address`);
    }
    this.brkStart = options.brkStart ?? DEFAULT_BRK_START;
    this.brkCurrent = this.brkStart;
  }

  mappings(): Mapping[] {
    return this.vmas.map((v) => ({
      start: BigInt(v.start) << SHIFT,
      length: BigInt(v.pages) << SHIFT,
      prot: v.prot,
      shared: v.store.kind === 'shared',
      anonymous: v.anonymous,
      label: v.label,
    }));
  }

  /** The mapping containing addr, if any. */
  mappingAt(addr: bigint): Mapping | undefined {
    if (addr < 0n || addr >= TASK_SIZE) return undefined;
    const i = this.indexOf(Number(addr >> SHIFT));
    if (i < 0) return undefined;
    return this.mappings()[i];
  }

  // ---- mmap family -------------------------------------------------------------------------

  mmap(req: MmapRequest): Errno<bigint> {
    const { addr, length, prot, flags } = req;
    const offset = req.offset ?? 0n;
    if (offset % PAGE !== 0n) return fail('EINVAL');
    if (length <= 0n) return fail('EINVAL');
    const type = flags & MAP_TYPE;
    if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return fail('EINVAL');
    if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP)) !== 0) return fail('EINVAL');
    const pagesBig = (length + PAGE - 1n) >> SHIFT;
    if (pagesBig > BigInt(TASK_PAGES)) return fail('ENOMEM');
    const pages = Number(pagesBig);
    const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;

    let start: number;
    if (fixed) {
      if (addr % PAGE !== 0n) return fail('EINVAL');
      if (addr < 0n || addr + (pagesBig << SHIFT) > TASK_SIZE) return fail('ENOMEM');
      if (addr < MMAP_MIN_ADDR) return fail('EPERM');
      start = Number(addr >> SHIFT);
      if ((flags & MAP_FIXED_NOREPLACE) !== 0) {
        if (this.overlaps(start, start + pages)) return fail('EEXIST');
      }
      this.unmapPages(start, start + pages);
    } else {
      const hinted = this.hintFits(addr, pages);
      const found = hinted ?? this.findGap(pages);
      if (found === undefined) return fail('ENOMEM');
      start = found;
    }
    const shared = type !== MAP_PRIVATE;
    const vma: Vma = {
      start,
      pages,
      prot,
      anonymous: (flags & MAP_ANONYMOUS) !== 0,
      label: req.label ?? ((flags & MAP_ANONYMOUS) !== 0 ? '[anon]' : '[file]'),
      store: shared ? new SharedStore() : PrivateLayer.create(),
      storeBase: 0,
    };
    this.insert(vma);
    return ok(BigInt(start) << SHIFT);
  }

  munmap(addr: bigint, length: bigint): Errno<void> {
    if (addr % PAGE !== 0n || length <= 0n) return fail('EINVAL');
    const end = addr + ((length + PAGE - 1n) & ~(PAGE - 1n));
    if (addr < 0n || end > TASK_SIZE) return fail('EINVAL');
    this.unmapPages(Number(addr >> SHIFT), Number(end >> SHIFT));
    return ok(undefined);
  }

  mprotect(addr: bigint, length: bigint, prot: number): Errno<void> {
    if (addr % PAGE !== 0n) return fail('EINVAL');
    if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP)) !== 0) return fail('EINVAL');
    if ((prot & PROT_GROWSDOWN) !== 0 && (prot & PROT_GROWSUP) !== 0) return fail('EINVAL');
    if (length < 0n) return fail('EINVAL');
    if (length === 0n) return ok(undefined);
    const end = addr + ((length + PAGE - 1n) & ~(PAGE - 1n));
    if (end > TASK_SIZE || addr < 0n) return fail('ENOMEM');
    const from = Number(addr >> SHIFT);
    const to = Number(end >> SHIFT);
    // mm/mprotect.c: the mappings from `addr` up to the first hole change before the hole is
    // found, then the call fails with ENOMEM (a hole at `addr` itself changes nothing).
    const mappedTo = this.mappedRunEnd(from, to);
    if (mappedTo > from) {
      this.split(from);
      this.split(mappedTo);
      for (const v of this.vmas) if (v.start >= from && v.start < mappedTo) v.prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
    }
    return mappedTo === to ? ok(undefined) : fail('ENOMEM');
  }

  /** The program break: set by exec via resetBrk, moved by brk(2). */
  get brkValue(): bigint {
    return this.brkCurrent;
  }

  /** exec: the new image's break starts at `start` (page-aligned end of its data segment). */
  resetBrk(start: bigint): void {
    this.brkStart = start;
    this.brkCurrent = start;
  }

  /** brk(2): returns the new break, or the old one when the request is refused (Linux never fails brk). */
  brk(requested: bigint): bigint {
    if (requested < this.brkStart || requested >= TASK_SIZE) return this.brkCurrent;
    const oldTop = pageUp(this.brkCurrent);
    const newTop = pageUp(requested);
    if (newTop === oldTop) {
      this.brkCurrent = requested;
      return requested;
    }
    if (newTop < oldTop) {
      this.unmapPages(Number(newTop >> SHIFT), Number(oldTop >> SHIFT));
      this.brkCurrent = requested;
      return requested;
    }
    const from = Number(oldTop >> SHIFT);
    const to = Number(newTop >> SHIFT);
    if (this.overlaps(from, to)) return this.brkCurrent;
    this.insert({
      start: from,
      pages: to - from,
      prot: PROT_READ | PROT_WRITE,
      anonymous: true,
      label: '[heap]',
      store: PrivateLayer.create(),
      storeBase: 0,
    });
    this.brkCurrent = requested;
    return requested;
  }

  // ---- data access -------------------------------------------------------------------------

  read(addr: bigint, len: number): Errno<Uint8Array> {
    if (!Number.isInteger(len) || len < 0) throw new RangeError(`AddressSpace.read: bad length ${len}`);
    const out = new Uint8Array(len);
    if (len === 0) return ok(out);
    if (!this.accessible(addr, len, PROT_READ)) return fail('EFAULT');
    let done = 0;
    while (done < len) {
      const a = addr + BigInt(done);
      const page = Number(a >> SHIFT);
      const within = Number(a & (PAGE - 1n));
      const n = Math.min(len - done, PAGE_SIZE - within);
      const vma = this.vmas[this.indexOf(page)] as Vma;
      const bytes = vma.store.peek(vma.storeBase + page - vma.start);
      if (bytes) out.set(bytes.subarray(within, within + n), done);
      done += n;
    }
    return ok(out);
  }

  write(addr: bigint, data: Uint8Array): Errno<void> {
    const len = data.length;
    if (len === 0) return ok(undefined);
    if (!this.accessible(addr, len, PROT_WRITE)) return fail('EFAULT');
    let done = 0;
    while (done < len) {
      const a = addr + BigInt(done);
      const page = Number(a >> SHIFT);
      const within = Number(a & (PAGE - 1n));
      const n = Math.min(len - done, PAGE_SIZE - within);
      const vma = this.vmas[this.indexOf(page)] as Vma;
      vma.store.own(vma.storeBase + page - vma.start).set(data.subarray(done, done + n), within);
      done += n;
    }
    return ok(undefined);
  }

  readU32(addr: bigint): Errno<number> {
    const r = this.read(addr, 4);
    if (!r.ok) return r;
    return ok(new DataView(r.value.buffer).getUint32(0, true));
  }

  readU64(addr: bigint): Errno<bigint> {
    const r = this.read(addr, 8);
    if (!r.ok) return r;
    return ok(new DataView(r.value.buffer).getBigUint64(0, true));
  }

  writeU32(addr: bigint, value: number): Errno<void> {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    return this.write(addr, b);
  }

  writeU64(addr: bigint, value: bigint): Errno<void> {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
    return this.write(addr, b);
  }

  /**
   * Reads a NUL-terminated string of at most `max` bytes (NUL excluded). `terminated` is false
   * when no NUL was found within max bytes — the caller picks the errno (ENAMETOOLONG, E2BIG…).
   */
  readCString(addr: bigint, max: number): Errno<{ bytes: Uint8Array; terminated: boolean }> {
    const chunks: Uint8Array[] = [];
    let total = 0;
    let a = addr;
    while (total < max + 1) {
      const within = Number(((a % PAGE) + PAGE) % PAGE);
      const n = Math.min(PAGE_SIZE - within, max + 1 - total);
      const r = this.read(a, n);
      if (!r.ok) return r;
      const nul = r.value.indexOf(0);
      if (nul >= 0) {
        chunks.push(r.value.subarray(0, nul));
        return ok({ bytes: concat(chunks, total + nul), terminated: true });
      }
      chunks.push(r.value);
      total += n;
      a += BigInt(n);
    }
    return ok({ bytes: concat(chunks, total).subarray(0, max), terminated: false });
  }

  // ---- fork --------------------------------------------------------------------------------

  /**
   * A child address space for fork without CLONE_VM. Private mappings become copy-on-write in
   * both spaces; shared mappings keep the same store. Cost is per mapping, never per page.
   */
  fork(options: { id?: number } = {}): AddressSpace {
    const child = new AddressSpace({ id: options.id ?? nextId++, mmapBase: this.mmapBase, brkStart: this.brkStart });
    child.brkCurrent = this.brkCurrent;
    // Pieces of one original mapping share a store; they must all move to the same new layer.
    const replaced = new Map<PrivateLayer, [PrivateLayer, PrivateLayer]>();
    for (const v of this.vmas) {
      let store: Store = v.store;
      if (v.store.kind === 'private') {
        let pair = replaced.get(v.store);
        if (!pair) {
          pair = v.store.fork();
          replaced.set(v.store, pair);
        }
        v.store = pair[0];
        store = pair[1];
      }
      child.vmas.push({ ...v, store });
    }
    return child;
  }

  /**
   * Per mapping: pages allocated in its own (top) store layer and the copy-on-write chain depth.
   * For tests and benchmarks: shows that fork copied nothing and that a write copied one page.
   */
  storeStats(): { start: bigint; populated: number; depth: number }[] {
    return this.vmas.map((v) => ({
      start: BigInt(v.start) << SHIFT,
      populated: v.store.populated,
      depth: v.store.kind === 'private' ? v.store.depth : 1,
    }));
  }

  // ---- internals ---------------------------------------------------------------------------

  /** Index of the vma containing page, or -1. Binary search over the sorted list. */
  private indexOf(page: number): number {
    let lo = 0;
    let hi = this.vmas.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.vmas[mid] as Vma;
      if (page < v.start) hi = mid - 1;
      else if (page >= v.start + v.pages) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  private accessible(addr: bigint, len: number, need: number): boolean {
    if (addr < 0n) return false;
    const end = addr + BigInt(len);
    if (end > TASK_SIZE) return false;
    let page = Number(addr >> SHIFT);
    const last = Number((end - 1n) >> SHIFT);
    while (page <= last) {
      const i = this.indexOf(page);
      if (i < 0) return false;
      const v = this.vmas[i] as Vma;
      // x86_64 page tables cannot express write-only or exec-only: any of PROT_READ, PROT_WRITE or
      // PROT_EXEC makes a page readable (vma_is_accessible); writing needs PROT_WRITE.
      const allowed = need === PROT_READ ? v.prot & (PROT_READ | PROT_WRITE | PROT_EXEC) : v.prot & need;
      if (allowed === 0) return false;
      page = v.start + v.pages;
    }
    return true;
  }

  private overlaps(from: number, to: number): boolean {
    return this.vmas.some((v) => v.start < to && v.start + v.pages > from);
  }

  /** The end of the run of mapped pages that starts at `from` (at most `to`; `from` if unmapped). */
  private mappedRunEnd(from: number, to: number): number {
    let page = from;
    while (page < to) {
      const i = this.indexOf(page);
      if (i < 0) return page;
      const v = this.vmas[i] as Vma;
      page = v.start + v.pages;
    }
    return to;
  }

  /** mm/mmap.c round_hint_to_min: a hint is rounded down to a page, and up to mmap_min_addr. */
  private hintFits(addr: bigint, pages: number): number | undefined {
    if (addr <= 0n) return undefined;
    let start = addr >> SHIFT;
    if (start === 0n) return undefined;
    if (start < BigInt(MIN_PAGE)) start = BigInt(MIN_PAGE);
    if (start + BigInt(pages) > BigInt(TASK_PAGES)) return undefined;
    const s = Number(start);
    return this.overlaps(s, s + pages) ? undefined : s;
  }

  /** Highest gap below mmapBase that holds `pages` pages (top-down allocation). */
  private findGap(pages: number): number | undefined {
    let ceiling = Number(this.mmapBase >> SHIFT);
    for (let i = this.vmas.length - 1; i >= 0; i--) {
      const v = this.vmas[i] as Vma;
      if (v.start >= ceiling) continue;
      const end = v.start + v.pages;
      if (end <= ceiling && ceiling - Math.max(end, MIN_PAGE) >= pages) return ceiling - pages;
      ceiling = v.start;
    }
    return ceiling - MIN_PAGE >= pages ? ceiling - pages : undefined;
  }

  /** Splits the vma that straddles `page` so that a boundary falls exactly at `page`. */
  private split(page: number): void {
    const i = this.indexOf(page);
    if (i < 0) return;
    const v = this.vmas[i] as Vma;
    if (v.start === page) return;
    const head = page - v.start;
    const tail: Vma = { ...v, start: page, pages: v.pages - head, storeBase: v.storeBase + head };
    v.pages = head;
    this.vmas.splice(i + 1, 0, tail);
  }

  private unmapPages(from: number, to: number): void {
    this.split(from);
    this.split(to);
    for (let i = this.vmas.length - 1; i >= 0; i--) {
      const v = this.vmas[i] as Vma;
      if (v.start >= from && v.start < to) this.vmas.splice(i, 1);
    }
  }

  private insert(vma: Vma): void {
    let i = 0;
    while (i < this.vmas.length && (this.vmas[i] as Vma).start < vma.start) i++;
    this.vmas.splice(i, 0, vma);
  }
}

function pageUp(a: bigint): bigint {
  return (a + PAGE - 1n) & ~(PAGE - 1n);
}

function hex(a: bigint): string {
  return `0x${a.toString(16)}`;
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    const n = Math.min(c.length, total - at);
    out.set(c.subarray(0, n), at);
    at += n;
  }
  return out;
}
