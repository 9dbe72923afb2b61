// OpenFileDescription: Linux's `struct file` — what fds point at. Descriptors made by dup,
// fcntl(F_DUPFD) or fork share one description, hence its offset and status flags (C6, F9).
//
// API:
//   OpenFileDescription.pipe(pipe, flags, { idRead?, idWrite? }) → [readEnd, writeEnd]  (pipe2's flags:
//     O_NONBLOCK on both ends, O_DIRECT on the write end only; the ends are O_RDONLY and O_WRONLY, F2)
//   new OpenFileDescription({ kind:'pidfd', pid }, O_RDWR)          (C18)
//   new OpenFileDescription({ kind:'other', label }, flags)          (anything not modelled further)
//   new OpenFileDescription({ kind:'other', label, special }, flags) (a file whose contents the
//     kernel decides: a memory character device, char-device.ts; a synthesized /proc file)
//   new OpenFileDescription({ kind:'other', label, regular }, flags) (a regular file whose data
//     the fs knows, regular-file.ts: reads and writes go through `offset`)
//   file, offset (bigint), statusFlags (F_GETFL), accessMode, nonblocking, canRead, canWrite
//   setStatusFlags(arg)   F_SETFL: only O_APPEND|O_NONBLOCK|O_ASYNC|O_DIRECT|O_NOATIME change
//   retain() / release() → true when the last reference went away (a pipe end then closes).
//   A pipe end counts as open from its first retain() (FdTable.install does that).
// References are held by fd-table entries and by in-flight operations (a read blocked on a pipe
// keeps its file alive even if another thread closes the fd, F13).
import { O_ACCMODE, O_DIRECT, O_NONBLOCK, O_PATH, O_RDONLY, O_RDWR, O_WRONLY, SETFL_MASK } from './constants.js';
import type { CharDevice } from './char-device.js';
import type { Pipe } from './pipe.js';
import type { RegularFile } from './regular-file.js';

/**
 * What the kernel knows of an 'other' file beyond its label. Without it the file is opaque: reads
 * are not modelled (ENOSYS, reported as unmodeled) and writes take every byte.
 */
export type SpecialFile =
  | { readonly kind: 'char-device'; readonly device: CharDevice }
  /** /proc/<pid>/stat (or .../task/<tid>/stat) of task `tid`: see proc-stat.ts. */
  | { readonly kind: 'proc-stat'; readonly file: ProcStatFile };

/**
 * An open /proc stat file. Its text is made at the first read (seq_read calls the show function
 * then) and later reads go on through that same text until EOF, as a seq_file's buffer does.
 */
export class ProcStatFile {
  snapshot: Uint8Array | null = null;
  constructor(readonly tid: number) {}
}

export type FileObject =
  | { readonly kind: 'pipe'; readonly pipe: Pipe; readonly end: 'read' | 'write' }
  | { readonly kind: 'pidfd'; readonly pid: number }
  | {
      readonly kind: 'other';
      readonly label: string;
      readonly special?: SpecialFile;
      /** A regular file's data (shared with the fs node and every description of it). */
      readonly regular?: RegularFile;
    };

export type AccessMode = typeof O_RDONLY | typeof O_WRONLY | typeof O_RDWR;

let nextId = 1;

export class OpenFileDescription {
  readonly id: number;
  offset = 0n;
  private flags: number;
  private references = 0;
  private closed = false;

  constructor(
    readonly file: FileObject,
    statusFlags: number,
    options: { id?: number } = {},
  ) {
    this.id = options.id ?? nextId++;
    this.flags = statusFlags;
  }

  /** The two descriptions pipe2 creates; `flags` may carry O_NONBLOCK and O_DIRECT. */
  static pipe(pipe: Pipe, flags: number, options: { idRead?: number; idWrite?: number } = {}): [OpenFileDescription, OpenFileDescription] {
    // fs/pipe.c create_pipe_files: only the write end keeps O_DIRECT (packet mode is a writer's
    // property; a reader still takes one packet per read because the slots are marked).
    const r = new OpenFileDescription({ kind: 'pipe', pipe, end: 'read' }, O_RDONLY | (flags & O_NONBLOCK), { id: options.idRead });
    const w = new OpenFileDescription({ kind: 'pipe', pipe, end: 'write' }, O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)), {
      id: options.idWrite,
    });
    return [r, w];
  }

  /** F_GETFL's value. */
  get statusFlags(): number {
    return this.flags;
  }

  get accessMode(): AccessMode {
    return (this.flags & O_ACCMODE) as AccessMode;
  }

  get nonblocking(): boolean {
    return (this.flags & O_NONBLOCK) !== 0;
  }

  /** Packet mode (O_DIRECT) on a pipe end. */
  get packet(): boolean {
    return (this.flags & O_DIRECT) !== 0;
  }

  /** read(2) allowed (otherwise EBADF, F2). */
  get canRead(): boolean {
    if (this.flags & O_PATH) return false;
    const mode = this.flags & O_ACCMODE;
    return mode === O_RDONLY || mode === O_RDWR;
  }

  /** write(2) allowed (otherwise EBADF, F2). */
  get canWrite(): boolean {
    if (this.flags & O_PATH) return false;
    const mode = this.flags & O_ACCMODE;
    return mode === O_WRONLY || mode === O_RDWR;
  }

  /** F_SETFL: the access mode and creation flags are kept; only SETFL_MASK bits change. */
  setStatusFlags(arg: number): void {
    this.flags = (this.flags & ~SETFL_MASK) | (arg & SETFL_MASK);
    // A reader or writer that switched to O_NONBLOCK must re-check rather than keep sleeping.
    if (this.file.kind === 'pipe') {
      this.file.pipe.readable.notify();
      this.file.pipe.writable.notify();
    }
  }

  get refs(): number {
    return this.references;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  retain(): void {
    if (this.closed) throw new Error(`OpenFileDescription ${this.id}: retain after final release`);
    // The first reference opens the pipe end, so a description that was never installed does
    // not hold a pipe open.
    if (this.references === 0 && this.file.kind === 'pipe') {
      if (this.file.end === 'read') this.file.pipe.openReader();
      else this.file.pipe.openWriter();
    }
    this.references++;
  }

  /** Drops one reference; on the last, closes the underlying object. Returns true then. */
  release(): boolean {
    if (this.references <= 0) throw new Error(`OpenFileDescription ${this.id}: release without reference`);
    this.references--;
    if (this.references > 0) return false;
    this.closed = true;
    const f = this.file;
    switch (f.kind) {
      case 'pipe':
        if (f.end === 'read') f.pipe.closeReader();
        else f.pipe.closeWriter();
        break;
      case 'pidfd':
      case 'other':
        break;
      default: {
        const never: never = f;
        throw new Error(`unknown file kind ${JSON.stringify(never)}`);
      }
    }
    return true;
  }
}
