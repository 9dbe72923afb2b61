// RegularFile: the data of a regular file (what Linux keeps in the inode and its page cache),
// shared by every open description of the file, each with its own offset. The kernel knows the
// bytes when the fs manifest recorded them or when it made them itself (a file created empty or
// truncated by O_TRUNC, then written through the kernel); otherwise it may know only the size,
// or nothing, and says so rather than guessing.
//
// Semantics (mm/filemap.c filemap_read, mm/filemap.c generic_perform_write via
// generic_file_write_iter, fs/read_write.c):
//   read at offset: min(count, size - offset) bytes; 0 at or past the end (EOF), offset unchanged
//     by the file (the description advances its own offset by what was read).
//   write: at the description's offset, or at the end with O_APPEND (generic_write_checks sets
//     the position to i_size first); a write past the end leaves a hole that reads as zeros.
//   truncate to 0 (O_TRUNC on open, do_truncate).
//
// API:
//   RegularFile.known(bytes) / RegularFile.sized(size) / RegularFile.unknown()
//   size (number | null), known (bytes known), bytes() / prefix(n) (copies, or null)
//   read(offset, count) → { kind:'data', bytes } | { kind:'count', n } | { kind:'unknown' }
//   write(offset, append, data, count) → the offset after the write (data may be shorter than
//     count: the rest is unknown, and so the content becomes unknown; the size stays known)
//   truncate(), forget()

/** What a read of a regular file gives. */
export type RegularRead =
  /** The bytes read (empty at EOF). */
  | { readonly kind: 'data'; readonly bytes: Uint8Array }
  /** The size is known but not the bytes: how many a read gives. */
  | { readonly kind: 'count'; readonly n: number }
  /** Neither: the read is not modelled. */
  | { readonly kind: 'unknown' };

export class RegularFile {
  private constructor(
    /** The content, length = the used part of `buffer`; null when unknown. */
    private buffer: Uint8Array | null,
    private length: number | null,
  ) {}

  /** A file whose bytes are known (a copy is kept). */
  static known(bytes: Uint8Array): RegularFile {
    return new RegularFile(bytes.slice(), bytes.length);
  }

  /** A file of known size whose bytes are not known. */
  static sized(size: number): RegularFile {
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`RegularFile.sized: bad size ${size}`);
    return new RegularFile(null, size);
  }

  /** A file the model knows nothing of beyond its existence. */
  static unknown(): RegularFile {
    return new RegularFile(null, null);
  }

  /** i_size, or null when unknown. */
  get size(): number | null {
    return this.length;
  }

  /** Whether every byte is known. */
  get known(): boolean {
    return this.buffer !== null;
  }

  /** A copy of the content, or null when it is not known. */
  bytes(): Uint8Array | null {
    return this.buffer === null || this.length === null ? null : this.buffer.slice(0, this.length);
  }

  /** The first `n` bytes (all of a shorter file), or null when the content is not known. */
  prefix(n: number): Uint8Array | null {
    return this.buffer === null || this.length === null ? null : this.buffer.slice(0, Math.min(n, this.length));
  }

  /** read(2)/pread at `offset` of up to `count` bytes (count already clamped to MAX_RW_COUNT). */
  read(offset: bigint, count: number): RegularRead {
    if (this.length === null) return { kind: 'unknown' };
    // filemap_read: nothing at or beyond i_size, else what is left of the file.
    const left = offset >= BigInt(this.length) ? 0 : this.length - Number(offset);
    const n = Math.min(count, left);
    if (this.buffer === null) return n === 0 ? { kind: 'data', bytes: new Uint8Array(0) } : { kind: 'count', n };
    const start = Number(offset);
    return { kind: 'data', bytes: this.buffer.slice(start, start + n) };
  }

  /**
   * write(2) of `count` bytes whose first `data.length` are known, at `offset` or, with `append`,
   * at the end. Returns the offset after it. With append and an unknown size the position is
   * unknown too: the file then becomes unknown and null is returned.
   */
  write(offset: bigint, append: boolean, data: Uint8Array, count: number): bigint | null {
    if (append && this.length === null) {
      this.forget();
      return null;
    }
    const pos = append ? (this.length as number) : Number(offset);
    if (count === 0) return BigInt(pos);
    const end = pos + count;
    if (this.buffer !== null && data.length >= count) {
      if (end > this.buffer.length) {
        // Grow geometrically: appends of a line at a time stay linear overall.
        const grown = new Uint8Array(Math.max(end, this.buffer.length * 2, 64));
        grown.set(this.buffer.subarray(0, this.length as number));
        this.buffer = grown;
      }
      // A hole between the old end and pos reads as zeros (the new buffer's, or zeroed here).
      if (this.length !== null && pos > this.length) this.buffer.fill(0, this.length, pos);
      this.buffer.set(data.subarray(0, count), pos);
    } else {
      this.buffer = null;
    }
    if (this.length !== null) this.length = Math.max(this.length, end);
    return BigInt(end);
  }

  /** Truncation to 0 bytes (O_TRUNC): the content is known again, empty. */
  truncate(): void {
    this.buffer = new Uint8Array(0);
    this.length = 0;
  }

  /** Changed where the kernel cannot see: nothing is known any more. */
  forget(): void {
    this.buffer = null;
    this.length = null;
  }
}
