// Descriptor and pipe system calls wired to files/: dup, dup2, dup3, fcntl, close, close_range
// (with CLOSE_RANGE_UNSHARE), pipe/pipe2, read and write on pipes with blocking, O_NONBLOCK
// EAGAIN, EOF, EPIPE with SIGPIPE (F1–F15), openat of opaque files, of the memory character
// devices (/dev/null, /dev/zero, /dev/full: files/char-device.ts), of regular files the fs knows
// (fs/open-regular.ts, files/regular-file.ts: read and write at the description's offset) and,
// with the procfs option, of /proc stat files (proc-stat.ts), whose reads and writes the kernel
// then decides.
import { AT_FDCWD, SI_USER } from './abi.js';
import type { CallOf } from './calls.js';
import type { Core } from './core.js';
import {
  CLOSE_RANGE_UNSHARE,
  O_ACCMODE,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECT,
  O_DIRECTORY,
  O_EXCL,
  O_LARGEFILE,
  O_NOCTTY,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_PATH,
  O_RDONLY,
  O_TRUNC,
} from './files/constants.js';
import { charDeviceAt, charDeviceReadLength, charDeviceWrite } from './files/char-device.js';
import { OpenFileDescription, ProcStatFile, type SpecialFile } from './files/open-file.js';
import type { RegularFile } from './files/regular-file.js';
import { openRegular } from './fs/open-regular.js';
import { PAGE_SIZE } from './memory/constants.js';
import { renderProcStat, resolveProcStat } from './proc-stat.js';
import { Pipe } from './files/pipe.js';
import { done, error, type SyscallResult } from './outcome.js';
import { SIGNALS } from './signals.js';
import type { Task } from './task.js';
import { makeInfo, sendSignal } from './signal-delivery.js';
import { readBytes, readPath, writeBytes } from './guest-io.js';
import { splitPath, type Lookup } from './fs/vfs.js';

/** pipe2's O_NOTIFICATION_PIPE reuses O_EXCL's bit. */
const O_NOTIFICATION_PIPE = O_EXCL;
const PIPE2_FLAGS = O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_NOTIFICATION_PIPE;
/** The most one read or write transfers (INT_MAX rounded down to a page). */
const MAX_RW_COUNT = 0x7ffff000n;

function fromErrno(r: { ok: true; value: number } | { ok: false; errno: import('./errno.js').ErrnoName }): SyscallResult {
  return r.ok ? done(r.value) : error(r.errno);
}

export function sysDup(core: Core, t: Task, call: CallOf<'dup'>): SyscallResult {
  return fromErrno(t.files.dup(call.oldfd));
}

export function sysDup2(core: Core, t: Task, call: CallOf<'dup2'>): SyscallResult {
  const r = t.files.dup2(call.oldfd, call.newfd);
  core.dirty = true;
  return fromErrno(r);
}

export function sysDup3(core: Core, t: Task, call: CallOf<'dup3'>): SyscallResult {
  const r = t.files.dup3(call.oldfd, call.newfd, call.flags);
  core.dirty = true;
  return fromErrno(r);
}

export function sysFcntl(core: Core, t: Task, call: CallOf<'fcntl'>): SyscallResult {
  const r = t.files.fcntl(call.fd, call.cmd, Number(BigInt.asIntN(32, call.arg)), { privileged: t.group.uid === 0 });
  core.dirty = true;
  return fromErrno(r);
}

export function sysClose(core: Core, t: Task, call: CallOf<'close'>): SyscallResult {
  const r = t.files.close(call.fd);
  core.dirty = true;
  return r.ok ? done(0) : error(r.errno);
}

export function sysCloseRange(core: Core, t: Task, call: CallOf<'close_range'>): SyscallResult {
  if ((call.flags & CLOSE_RANGE_UNSHARE) !== 0 && t.files.users > 1 && (call.first >>> 0) <= (call.last >>> 0)) {
    t.files.users--;
    t.files = t.files.fork();
    t.files.users = 1;
  }
  const r = t.files.closeRange(call.first, call.last, call.flags);
  core.dirty = true;
  return r.ok ? done(0) : error(r.errno);
}

export function sysPipe2(core: Core, t: Task, call: CallOf<'pipe'> | CallOf<'pipe2'>): SyscallResult {
  const flags = call.name === 'pipe2' ? call.flags : 0;
  if ((flags & ~PIPE2_FLAGS) !== 0) return error('EINVAL');
  const pipe = new Pipe({ id: core.newObjectId() });
  const [r, w] = OpenFileDescription.pipe(pipe, flags);
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const rfd = t.files.install(r, { cloexec });
  if (!rfd.ok) return error(rfd.errno);
  const wfd = t.files.install(w, { cloexec });
  if (!wfd.ok) {
    t.files.close(rfd.value);
    return error(wfd.errno);
  }
  const bytes = new Uint8Array(8);
  const v = new DataView(bytes.buffer);
  v.setInt32(0, rfd.value, true);
  v.setInt32(4, wfd.value, true);
  if (writeBytes(core, t, call.pipefd, bytes) !== undefined) {
    t.files.close(rfd.value);
    t.files.close(wfd.value);
    return error('EFAULT');
  }
  return done(0, { fds: [rfd.value, wfd.value] });
}

/** Built once: a replay reads regular files (opaque here) on nearly every other call. */
const READ_UNMODELED = {
  other: 'read from a other file is not modelled',
  pidfd: 'read from a pidfd file is not modelled',
} as const;

export function sysRead(core: Core, t: Task, call: CallOf<'read'>): SyscallResult {
  const ofd = t.files.get(call.fd);
  if (!ofd || !ofd.canRead) return error('EBADF');
  const count = call.count < 0n ? 0 : Number(call.count > MAX_RW_COUNT ? MAX_RW_COUNT : call.count);
  const file = ofd.file;
  if (file.kind === 'other' && file.special !== undefined) return readSpecial(core, t, ofd, file.special, call.buf, count);
  if (file.kind === 'other' && file.regular !== undefined) return readRegular(core, t, ofd, file.regular, call.buf, count);
  if (file.kind !== 'pipe') {
    core.emit({ type: 'unmodeled', tid: t.tid, call: 'read', reason: READ_UNMODELED[file.kind] });
    return error('ENOSYS');
  }
  if (count === 0) return done(0);
  const pipe = file.pipe;
  // A replay's reader runs once the bytes the recording shows it got are there (see calls.ts);
  // a full pipe or EOF ends the wait whatever the count, as no more can come.
  const scheduled = call.whenCountBuffered === true && !ofd.nonblocking;
  // The first attempt makes no closures (nor their context): most reads do not block, and this runs for every one.
  const first = !scheduled || pipeReadRuns(pipe, count, scheduled) ? pipeReadAttempt(core, t, ofd, pipe, call, count) : undefined;
  return first ?? blockPipeRead(core, t, ofd, pipe, call, count, scheduled);
}

/** Whether a pipe read can go ahead now (see sysRead for a scheduled one). */
function pipeReadRuns(pipe: Pipe, count: number, scheduled: boolean): boolean {
  return scheduled ? pipe.buffered >= count || pipe.full || pipe.writers === 0 : pipe.canRead();
}

/** Puts a pipe read that cannot go ahead yet to sleep. */
function blockPipeRead(
  core: Core,
  t: Task,
  ofd: OpenFileDescription,
  pipe: Pipe,
  call: CallOf<'read'>,
  count: number,
  scheduled: boolean,
): SyscallResult {
  const runs = (): boolean => pipeReadRuns(pipe, count, scheduled);
  const attempt = (): SyscallResult | undefined => pipeReadAttempt(core, t, ofd, pipe, call, count);
  // The blocked read keeps the file open even if its fd is closed meanwhile (F13).
  ofd.retain();
  const state = core.block(t, call, { kind: 'pipe-read', pipe: pipe.id, fd: call.fd }, 'interruptible', 'ERESTARTSYS', () =>
    runs() ? attempt() : undefined,
  );
  if (t.block) {
    t.block.onEnd = () => releaseHeld(core, ofd);
    t.block.holds = ofd;
    t.block.ready = runs;
    // A signal finds a reader that has data waiting already woken: pipe_read's wait condition is
    // checked before the pending signal, so it returns what is there rather than restarting.
    if (scheduled) t.block.onInterrupt = () => (pipe.buffered > 0 ? attempt() : undefined);
  }
  return state;
}

/** One try of a pipe read: its result, or undefined when it must wait. */
function pipeReadAttempt(core: Core, t: Task, ofd: OpenFileDescription, pipe: Pipe, call: CallOf<'read'>, count: number): SyscallResult | undefined {
  const countOnly = call.countOnly === true && core.config.memory === 'none';
  const r = countOnly ? pipe.skip(count) : pipe.read(count, { packet: ofd.packet });
  switch (r.kind) {
    case 'data':
      core.dirty = true;
      if ('n' in r) return done(r.n);
      if (core.config.memory === 'model' && writeBytes(core, t, call.buf, r.bytes) !== undefined) return error('EFAULT');
      return done(r.bytes.length, { data: r.bytes });
    case 'eof':
      return done(0);
    case 'would-block':
      return ofd.nonblocking ? error('EAGAIN') : undefined;
    default: {
      const never: never = r;
      throw new Error(`unknown pipe read result ${String(never)}`);
    }
  }
}

export function sysWrite(core: Core, t: Task, call: CallOf<'write'>): SyscallResult {
  const ofd = t.files.get(call.fd);
  if (!ofd || !ofd.canWrite) return error('EBADF');
  let bytes: Uint8Array;
  // rw_verify_area: a count beyond MAX_RW_COUNT is clamped.
  const count = call.count < 0n ? 0 : Number(call.count > MAX_RW_COUNT ? MAX_RW_COUNT : call.count);
  const special = ofd.file.kind === 'other' ? ofd.file.special : undefined;
  if (special !== undefined) {
    switch (special.kind) {
      case 'char-device':
        // write_null/write_full never look at the buffer: a bad address still succeeds (or ENOSPC).
        return fromErrno(charDeviceWrite(special.device, count));
      case 'proc-stat':
        // No write method: vfs_write refuses a file without FMODE_CAN_WRITE.
        return error('EINVAL');
      default: {
        const never: never = special;
        throw new Error(`unknown special file ${JSON.stringify(never)}`);
      }
    }
  }
  // By value, the caller may know fewer bytes than `count` (a replay has strace's -s bytes): the
  // rest are unknown, written as a length only.
  if (typeof call.buf !== 'bigint') bytes = call.buf.length > count ? call.buf.subarray(0, count) : call.buf;
  else if (count === 0) bytes = new Uint8Array(0);
  else {
    const r = readBytes(core, t, call.buf, count, 'write buffer');
    if (!r.ok) return error(r.errno);
    bytes = r.value;
  }
  const file = ofd.file;
  if (file.kind === 'other' && file.regular !== undefined) {
    // A regular file takes every byte, at the offset or, with O_APPEND, at its end (regular-file.ts).
    const end = file.regular.write(ofd.offset, (ofd.statusFlags & O_APPEND) !== 0, bytes, count);
    if (end !== null) ofd.offset = end;
    return done(count);
  }
  if (file.kind !== 'pipe') {
    // Opaque files (a terminal, a log) take every byte.
    return done(count);
  }
  if (count === 0) return done(0);
  // One object for the call's attempts, not closures: most writes go through at once.
  const w = new PipeWrite(core, t, ofd, file.pipe, bytes, count);
  const first = w.attempt(false);
  if (first !== undefined) return first;
  ofd.retain();
  const state = core.block(t, call, { kind: 'pipe-write', pipe: w.pipe.id, fd: call.fd, written: w.written }, 'interruptible', 'ERESTARTSYS', () =>
    w.attempt(true),
  );
  if (t.block) {
    // A signal after part of the data went in returns the count, not a restart (pipe_write).
    t.block.onInterrupt = () => (w.written === 0 ? undefined : done(w.written));
    t.block.onEnd = () => releaseHeld(core, ofd);
    t.block.holds = ofd;
    t.block.ready = () => w.pipe.canWrite(count - w.written);
  }
  return state;
}

/** A write to a pipe across its attempts (a full pipe makes it wait and go on where it stopped). */
class PipeWrite {
  /** Bytes of the call's count written so far. */
  written = 0;

  constructor(
    readonly core: Core,
    readonly t: Task,
    readonly ofd: OpenFileDescription,
    readonly pipe: Pipe,
    /** The bytes the caller knows (perhaps fewer than count: the rest are written as unknown). */
    readonly bytes: Uint8Array,
    readonly count: number,
  ) {}

  /** One try: the call's result, or undefined when it must wait for room. */
  attempt(continuation: boolean): SyscallResult | undefined {
    const { bytes, ofd } = this;
    const known = this.written === 0 ? bytes : bytes.subarray(Math.min(this.written, bytes.length));
    const r = this.pipe.write(known, { packet: ofd.packet, continuation, count: this.count - this.written });
    switch (r.kind) {
      case 'wrote':
        this.written += r.n;
        this.core.dirty = true;
        return done(this.written);
      case 'epipe': {
        // SIGPIPE is raised even when part of this call was written (F7).
        const t = this.t;
        sendSignal(this.core, t, 'thread', makeInfo(SIGNALS.SIGPIPE, SI_USER, t.group.tgid, t.group.uid), t.tid);
        return this.written > 0 ? done(this.written) : error('EPIPE');
      }
      case 'would-block':
        this.written += r.wrote;
        if (r.wrote > 0) this.core.dirty = true;
        if (ofd.nonblocking) return this.written > 0 ? done(this.written) : error('EAGAIN');
        return undefined;
      default: {
        const never: never = r;
        throw new Error(`unknown pipe write result ${String(never)}`);
      }
    }
  }
}

/** read(2) of a file whose contents the kernel decides (a memory device, a /proc stat file). */
function readSpecial(core: Core, t: Task, ofd: OpenFileDescription, special: SpecialFile, buf: bigint, count: number): SyscallResult {
  switch (special.kind) {
    case 'char-device': {
      const n = charDeviceReadLength(special.device, count);
      if (n === 0) return done(0);
      if (core.config.memory !== 'model') return done(n, { data: new Uint8Array(n) });
      // read_iter_zero clears the buffer a page at a time and returns what it cleared before a
      // fault (EFAULT if nothing); chunks end at page boundaries so a fault stops at the same byte.
      let cleared = 0;
      while (cleared < n) {
        const at = buf + BigInt(cleared);
        const chunk = Math.min(n - cleared, PAGE_SIZE - Number(at % BigInt(PAGE_SIZE)));
        if (writeBytes(core, t, at, new Uint8Array(chunk)) !== undefined) break;
        cleared += chunk;
      }
      if (cleared === 0) return error('EFAULT');
      return done(cleared, { data: new Uint8Array(cleared) });
    }
    case 'proc-stat': {
      const f = special.file;
      if (f.snapshot === null || ofd.offset === 0n) {
        const text = renderProcStat(core, f.tid);
        if (text === null) return error('ESRCH');
        f.snapshot = new TextEncoder().encode(text);
      }
      const start = ofd.offset > BigInt(f.snapshot.length) ? f.snapshot.length : Number(ofd.offset);
      return readBytesAt(core, t, ofd, buf, f.snapshot.slice(start, Math.min(f.snapshot.length, start + count)));
    }
    default: {
      const never: never = special;
      throw new Error(`unknown special file ${JSON.stringify(never)}`);
    }
  }
}

const REGULAR_UNKNOWN = 'read from a regular file whose content is not known';

/** read(2) of a regular file at the description's offset, which it advances (files/regular-file.ts); EOF is 0. */
function readRegular(core: Core, t: Task, ofd: OpenFileDescription, file: RegularFile, buf: bigint, count: number): SyscallResult {
  const r = file.read(ofd.offset, count);
  switch (r.kind) {
    case 'unknown':
      core.emit({ type: 'unmodeled', tid: t.tid, call: 'read', reason: REGULAR_UNKNOWN });
      return error('ENOSYS');
    case 'count':
      // The size is known, the bytes not: a replay (memory none) takes the count; a model cannot.
      if (core.config.memory === 'model') {
        core.emit({ type: 'unmodeled', tid: t.tid, call: 'read', reason: REGULAR_UNKNOWN });
        return error('ENOSYS');
      }
      ofd.offset += BigInt(r.n);
      return done(r.n);
    case 'data':
      return readBytesAt(core, t, ofd, buf, r.bytes);
    default: {
      const never: never = r;
      throw new Error(`unknown regular file read ${JSON.stringify(never)}`);
    }
  }
}

/** A read that got these bytes from the description's offset: copied out (guest memory modelled), offset advanced; none is EOF. */
function readBytesAt(core: Core, t: Task, ofd: OpenFileDescription, buf: bigint, bytes: Uint8Array): SyscallResult {
  if (bytes.length === 0) return done(0);
  if (core.config.memory === 'model' && writeBytes(core, t, buf, bytes) !== undefined) return error('EFAULT');
  ofd.offset += BigInt(bytes.length);
  return done(bytes.length, { data: bytes });
}

/** Drops the reference a blocked read or write held on its file (F13); closing may wake others. */
function releaseHeld(core: Core, ofd: OpenFileDescription): void {
  ofd.release();
  core.dirty = true;
}

export function sysOpenat(core: Core, t: Task, call: CallOf<'openat'>): SyscallResult {
  const p = readPath(core, t, call.path);
  if (!p.ok) return error(p.errno);
  let path = p.value;
  if (path === '') return error('ENOENT');
  if (!path.startsWith('/')) {
    let base = t.fs.cwd;
    if (call.dirfd !== AT_FDCWD) {
      const ofd = t.files.get(call.dirfd);
      if (!ofd) return error('EBADF');
      if (ofd.file.kind !== 'other' || !ofd.file.label.startsWith('/')) return error('ENOTDIR');
      base = ofd.file.label;
    }
    path = base === '/' ? `/${path}` : `${base}/${path}`;
  }
  // Lexically canonical: what a path names when no symlink is known on the way (fs manifests
  // record paths that way; /proc and /dev are not symlinks on Linux). Only a path with `dev/` in
  // it can name a device (a `dev` component with one after it), and only one with `proc` a procfs
  // file: the many other opens of a replay skip splitting and joining theirs.
  const procfs = core.config.procfs === true;
  const names = path.includes('dev/') || (procfs && path.includes('proc')) ? canonicalNames(path) : null;
  const creating = (call.flags & O_CREAT) !== 0;
  const exclusive = creating && (call.flags & O_EXCL) !== 0;
  let special: SpecialFile | undefined;
  if (procfs && names !== null && names[0] === 'proc') {
    const r = resolveProcStat(core, t, names);
    if (r.kind === 'error') return error(r.errno);
    if (r.kind === 'stat') {
      // A 0444 regular file of procfs: EEXIST for O_CREAT|O_EXCL, ENOTDIR for O_DIRECTORY,
      // EACCES for writing unless root (who may open it, and then fails to write: EINVAL).
      if (exclusive) return error('EEXIST');
      if ((call.flags & O_DIRECTORY) !== 0) return error('ENOTDIR');
      if ((call.flags & O_ACCMODE) !== O_RDONLY && t.group.uid !== 0) return error('EACCES');
      special = { kind: 'proc-stat', file: new ProcStatFile(r.tid) };
    }
  }
  const fs = core.config.fs;
  let devicePath: string | null = names === null ? null : `/${names.join('/')}`;
  const cred = { uid: t.group.uid, gid: 0 };
  let found: Lookup | undefined;
  if (special === undefined && fs) {
    const r = fs.lookup(path, t.fs.cwd, { cred });
    found = r;
    if (r.kind === 'error' && !creating) return error(r.errno);
    // A node the fs knows is a device only where it is a non-regular, non-directory node
    // ('other', as the manifest records character devices); unknown paths are taken to be where
    // every Linux system has them (devtmpfs), which is all a manifest of exec'd paths can say.
    if (r.kind === 'found') devicePath = r.node.kind === 'other' ? r.path : null;
    else if (r.kind === 'error') devicePath = null;
  }
  const device = special === undefined && devicePath !== null ? charDeviceAt(devicePath) : null;
  if (device !== null) {
    if (exclusive) return error('EEXIST');
    if ((call.flags & O_DIRECTORY) !== 0) return error('ENOTDIR');
    special = { kind: 'char-device', device };
  }
  // A regular file the fs knows (or, in a model run, one this open creates): reads and writes
  // go to its data (fs/open-regular.ts says what the open itself does to it).
  let regular: RegularFile | undefined;
  if (special === undefined && fs && found !== undefined) {
    const request = { path, flags: call.flags, mode: call.mode & ~t.fs.umask, cred, tracksWrites: core.config.memory === 'model' };
    const opened = openRegular(fs, found, request);
    if (opened.kind === 'error') return error(opened.errno);
    if (opened.kind === 'file') regular = opened.file;
  }
  const file =
    special !== undefined
      ? { kind: 'other' as const, label: path, special }
      : regular !== undefined
        ? { kind: 'other' as const, label: path, regular }
        : { kind: 'other' as const, label: path };
  const ofd = new OpenFileDescription(file, openFileFlags(call.flags));
  const fd = t.files.install(ofd, { cloexec: (call.flags & O_CLOEXEC) !== 0 });
  return fd.ok ? done(fd.value) : error(fd.errno);
}

/** Components of an absolute path with "." and ".." applied lexically ("/.." is "/"). */
function canonicalNames(path: string): string[] {
  const out: string[] = [];
  for (const name of splitPath(path)) {
    if (name === '.') continue;
    if (name === '..') out.pop();
    else out.push(name);
  }
  return out;
}

/**
 * The status flags an open gives its file (what F_GETFL reports), as fs/open.c builds them: on a
 * 64-bit kernel open/openat/openat2/creat add O_LARGEFILE (force_o_largefile()) before
 * build_open_flags, which drops O_CLOEXEC (an fd flag), keeps only O_DIRECTORY|O_NOFOLLOW|O_PATH
 * for an O_PATH open, and do_dentry_open then clears the open-time-only O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC.
 */
export function openFileFlags(flags: number): number {
  let f = (flags | O_LARGEFILE) & ~O_CLOEXEC;
  if ((f & O_PATH) !== 0) f &= O_DIRECTORY | O_NOFOLLOW | O_PATH;
  return f & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC);
}
