// The root's inherited descriptors, as far as the recording tells. strace's
// child inherits whatever its parent had open (a shell or harness may leak fds
// beyond 0–2, or run with stdin closed); the recording shows it only through
// the root's own calls: an fd used successfully before any call created it
// was inherited, a use that fails with EBADF or a creation that returns it
// means it was not open. The replay opens the same set in the root before its
// first line, so fd numbers agree from the start.
import type { SyscallEvent, TraceEvent } from '@forkscope/tracer';
import { convert } from './convert.js';
import type { Conversion } from './convert.js';
import { argOf, bare, intOf } from './values.js';

const F_DUPFD = 0;
const F_DUPFD_CLOEXEC = 1030;
const NONE: readonly number[] = [];
const NO_FDS = { fds: NONE, min: 0 };

/** The fds open in the root before its first recorded line. */
export function inferInitialFds(events: readonly TraceEvent[]): readonly number[] {
  const scan = new InitialFdsScan();
  for (const e of events) scan.add(e);
  return scan.finish();
}

/**
 * inferInitialFds a line at a time (a capture streamed, not held): it keeps only the fd numbers
 * it has learnt about, never the lines.
 */
export class InitialFdsScan {
  /** The root: the pid of the first syscall line that has one (undefined before it, null in a trace without pids). */
  #root: number | undefined;
  readonly #known = new Set<number>();
  readonly #open = new Set<number>([0, 1, 2]);

  add(e: TraceEvent): void {
    if (e.kind !== 'syscall' || e.pid === null) return;
    this.#root ??= e.pid;
    // Through later execs too: inherited fds are not close-on-exec, and fds the root made itself are known.
    if (e.pid !== this.#root) return;
    const known = this.#known;
    const open = this.#open;
    const failedBadf = e.outcome.kind === 'error' && e.outcome.errno === 'EBADF';
    // Pids are not looked at here (the fds a call names do not depend on them).
    // 'transient': nothing reads the tree again, so it is not kept on the event.
    const c = convert(e, identity, 'transient');
    for (const fd of usedFds(c)) {
      if (fd < 0 || known.has(fd)) continue;
      known.add(fd);
      if (failedBadf) open.delete(fd);
      else open.add(fd);
    }
    const created = createdFds(e);
    for (const fd of created.fds) {
      // A call that hands out fd N found it free: if nothing before closed it, it was never open…
      if (!known.has(fd)) open.delete(fd);
      known.add(fd);
      // …and, allocating the lowest free fd, found every fd below it (from its minimum) taken.
      for (let below = created.min; below < fd; below++) {
        if (known.has(below)) continue;
        known.add(below);
        open.add(below);
      }
    }
    if (e.name === 'close' || e.name === 'dup2' || e.name === 'dup3') {
      const target = targetFd(e, c);
      if (target !== undefined) known.add(target);
    }
  }

  finish(): readonly number[] {
    if (this.#root === undefined) return [0, 1, 2];
    return [...this.#open].sort((a, b) => a - b);
  }
}

function identity(pid: number): number {
  return pid;
}

function usedFds(c: Conversion): readonly number[] {
  switch (c.kind) {
    case 'fd-probe':
    case 'nonblock':
      return [c.fd];
    case 'checked':
    case 'effect':
    case 'run-adopted': {
      const call = c.call;
      switch (call.name) {
        case 'read':
        case 'write':
        case 'close':
        case 'fcntl':
        case 'fchdir':
          return [call.fd];
        case 'dup':
        case 'dup2':
        case 'dup3':
          return [call.oldfd];
        case 'mmap':
          return (call.flags & 0x20) === 0 ? [call.fd] : NONE;
        default:
          return NONE;
      }
    }
    default:
      return NONE;
  }
}

/** The fd a close, dup2 or dup3 names last: from its conversion when it has one (no second parse). */
function targetFd(e: SyscallEvent, c: Conversion): number | undefined {
  if (c.kind === 'checked' || c.kind === 'effect' || c.kind === 'run-adopted') {
    const call = c.call;
    if (call.name === 'close') return call.fd;
    if (call.name === 'dup2' || call.name === 'dup3') return call.newfd;
  }
  const v = intOf(argOf(e.args, e.name === 'close' ? 0 : 1));
  return v === undefined ? undefined : Number(v);
}

/** The fds a call handed out, lowest free first from `min`. */
function createdFds(e: SyscallEvent): { readonly fds: readonly number[]; readonly min: number } {
  const none = NO_FDS;
  if (e.outcome.kind !== 'value') return none;
  const value = Number(e.outcome.value);
  switch (e.name) {
    case 'open':
    case 'openat':
    case 'creat':
    case 'dup':
    case 'epoll_create1':
    case 'eventfd2':
    case 'socket':
    case 'memfd_create':
    case 'accept4':
    case 'accept':
      return { fds: [value], min: 0 };
    case 'fcntl': {
      const cmd = bare(argOf(e.args, 1) ?? { kind: 'null' });
      const n = cmd.kind === 'ident' ? (cmd.name === 'F_DUPFD' ? F_DUPFD : cmd.name === 'F_DUPFD_CLOEXEC' ? F_DUPFD_CLOEXEC : -1) : -1;
      const min = intOf(argOf(e.args, 2));
      return (n === F_DUPFD || n === F_DUPFD_CLOEXEC) && min !== undefined ? { fds: [value], min: Number(min) } : none;
    }
    case 'pipe':
    case 'pipe2':
    case 'socketpair': {
      const arr = bare(argOf(e.args, e.name === 'socketpair' ? 3 : 0) ?? { kind: 'null' });
      if (arr.kind !== 'array') return none;
      const fds = arr.items.flatMap((i) => {
        const v = intOf(i);
        return v === undefined ? [] : [Number(v)];
      });
      return { fds, min: 0 };
    }
    default:
      return none;
  }
}
