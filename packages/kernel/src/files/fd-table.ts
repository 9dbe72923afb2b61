// FdTable: a process's (files_struct's) descriptor table. Each entry points at an
// OpenFileDescription and carries the per-descriptor FD_CLOEXEC flag.
//
// API (fds are numbers; every failure is an Errno value, in the kernel's check order):
//   new FdTable({ limit? })                limit = RLIMIT_NOFILE soft limit (default 1024)
//   install(ofd, { cloexec?, minFd? }) → Errno<number>   lowest free fd ≥ minFd; EMFILE at the limit
//   get(fd) / lookup(fd) → description or EBADF;  isCloexec(fd)
//   close(fd), dup(fd), dup2(old, new), dup3(old, new, flags), fcntl(fd, cmd, arg)
//   closeRange(first, last, flags)   CLOSE_RANGE_CLOEXEC marks instead of closing. CLOSE_RANGE_UNSHARE
//     is accepted and otherwise ignored here: unsharing means the caller replaces a shared table
//     by table.fork() before calling (the table cannot know who else holds it).
//   closeOnExec() → closed fds, ascending (D13);  closeAll() (exit)
//   fork() → a copy whose entries share the same descriptions (C5/C6)
//   fds() → open fds ascending;  entries() → [fd, { ofd, cloexec }] ascending
// `users` is a counter for the caller's CLONE_FILES sharing; not used internally.
import { fail, ok } from '../errno.js';
import type { Errno } from '../errno.js';
import {
  CLOSE_RANGE_CLOEXEC,
  CLOSE_RANGE_UNSHARE,
  DEFAULT_NOFILE,
  FD_CLOEXEC,
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_GETFD,
  F_GETFL,
  F_GETPIPE_SZ,
  F_SETFD,
  F_SETFL,
  F_SETPIPE_SZ,
  O_CLOEXEC,
} from './constants.js';
import type { OpenFileDescription } from './open-file.js';

export interface FdEntry {
  readonly ofd: OpenFileDescription;
  cloexec: boolean;
}

/** Linux passes fd numbers as unsigned int: a negative int becomes huge. */
const U32 = 2 ** 32;
const asUnsigned = (fd: number): number => (fd < 0 ? fd + U32 : fd);

export class FdTable {
  /** RLIMIT_NOFILE soft limit: new fds must be below it. */
  limit: number;
  /** For the caller's CLONE_FILES accounting; not used internally. */
  users = 1;
  private readonly table = new Map<number, FdEntry>();

  constructor(options: { limit?: number } = {}) {
    this.limit = options.limit ?? DEFAULT_NOFILE;
  }

  get(fd: number): OpenFileDescription | undefined {
    return this.table.get(fd)?.ofd;
  }

  lookup(fd: number): Errno<OpenFileDescription> {
    const e = this.table.get(fd);
    return e ? ok(e.ofd) : fail('EBADF');
  }

  isCloexec(fd: number): boolean | undefined {
    return this.table.get(fd)?.cloexec;
  }

  fds(): number[] {
    return [...this.table.keys()].sort((a, b) => a - b);
  }

  entries(): [number, FdEntry][] {
    return this.fds().map((fd) => [fd, this.table.get(fd) as FdEntry]);
  }

  get size(): number {
    return this.table.size;
  }

  /** Installs a description at the lowest free fd ≥ minFd (retaining it). */
  install(ofd: OpenFileDescription, options: { cloexec?: boolean; minFd?: number } = {}): Errno<number> {
    const fd = this.lowestFree(options.minFd ?? 0);
    if (fd >= this.limit) return fail('EMFILE');
    ofd.retain();
    this.table.set(fd, { ofd, cloexec: options.cloexec ?? false });
    return ok(fd);
  }

  close(fd: number): Errno<void> {
    const e = this.table.get(fd);
    if (!e) return fail('EBADF');
    this.table.delete(fd);
    e.ofd.release();
    return ok(undefined);
  }

  dup(fd: number): Errno<number> {
    const e = this.table.get(fd);
    if (!e) return fail('EBADF');
    return this.install(e.ofd);
  }

  /** dup2: same fd → that fd if open (EBADF otherwise); else dup3 without flags. */
  dup2(oldfd: number, newfd: number): Errno<number> {
    if (oldfd === newfd) return this.table.has(oldfd) ? ok(newfd) : fail('EBADF');
    return this.dup3(oldfd, newfd, 0);
  }

  /** dup3 (fs/file.c ksys_dup3): flags, same fd, newfd limit, then oldfd — in that order. */
  dup3(oldfd: number, newfd: number, flags: number): Errno<number> {
    if ((flags & ~O_CLOEXEC) !== 0) return fail('EINVAL');
    if (oldfd === newfd) return fail('EINVAL');
    if (asUnsigned(newfd) >= this.limit) return fail('EBADF');
    const e = this.table.get(oldfd);
    if (!e) return fail('EBADF');
    e.ofd.retain();
    const previous = this.table.get(newfd);
    this.table.set(newfd, { ofd: e.ofd, cloexec: (flags & O_CLOEXEC) !== 0 });
    // The replaced description is released after the new one is in place, as do_dup2 does.
    previous?.ofd.release();
    return ok(newfd);
  }

  /**
   * fcntl for descriptor-table and file-status commands. F_SETPIPE_SZ's `privileged` stands for
   * CAP_SYS_RESOURCE. Unknown commands → EINVAL, as Linux.
   */
  fcntl(fd: number, cmd: number, arg = 0, options: { privileged?: boolean } = {}): Errno<number> {
    const e = this.table.get(fd);
    if (!e) return fail('EBADF');
    switch (cmd) {
      case F_DUPFD:
      case F_DUPFD_CLOEXEC: {
        const from = asUnsigned(arg);
        if (from >= this.limit) return fail('EINVAL');
        return this.install(e.ofd, { minFd: from, cloexec: cmd === F_DUPFD_CLOEXEC });
      }
      case F_GETFD:
        return ok(e.cloexec ? FD_CLOEXEC : 0);
      case F_SETFD:
        e.cloexec = (arg & FD_CLOEXEC) !== 0;
        return ok(0);
      case F_GETFL:
        return ok(e.ofd.statusFlags);
      case F_SETFL:
        e.ofd.setStatusFlags(arg);
        return ok(0);
      case F_SETPIPE_SZ:
      case F_GETPIPE_SZ: {
        const f = e.ofd.file;
        if (f.kind !== 'pipe') return fail('EBADF');
        return cmd === F_GETPIPE_SZ ? ok(f.pipe.capacity) : f.pipe.setSize(arg, options);
      }
      default:
        return fail('EINVAL');
    }
  }

  /** close_range(2): first > last → EINVAL; unknown flags → EINVAL; last may exceed every open fd. */
  closeRange(first: number, last: number, flags: number): Errno<void> {
    if ((flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) !== 0) return fail('EINVAL');
    const lo = asUnsigned(first);
    const hi = asUnsigned(last);
    if (lo > hi) return fail('EINVAL');
    for (const fd of this.fds()) {
      if (fd < lo || fd > hi) continue;
      if (flags & CLOSE_RANGE_CLOEXEC) (this.table.get(fd) as FdEntry).cloexec = true;
      else this.close(fd);
    }
    return ok(undefined);
  }

  /** execve: closes every FD_CLOEXEC descriptor; returns the fds closed, ascending. */
  closeOnExec(): number[] {
    const closed: number[] = [];
    for (const [fd, e] of this.entries()) {
      if (!e.cloexec) continue;
      this.close(fd);
      closed.push(fd);
    }
    return closed;
  }

  /** exit: closes everything. */
  closeAll(): void {
    for (const fd of this.fds()) this.close(fd);
  }

  /** fork without CLONE_FILES: same descriptions (shared offsets/flags), own cloexec flags. */
  fork(): FdTable {
    const child = new FdTable({ limit: this.limit });
    for (const [fd, e] of this.entries()) {
      e.ofd.retain();
      child.table.set(fd, { ofd: e.ofd, cloexec: e.cloexec });
    }
    return child;
  }

  private lowestFree(from: number): number {
    let fd = from;
    while (this.table.has(fd)) fd++;
    return fd;
  }
}
