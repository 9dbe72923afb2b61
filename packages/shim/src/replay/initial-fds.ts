// The root's inherited descriptors, as far as the recording tells. strace's
// child inherits whatever its parent had open (a shell or harness may leak fds
// beyond 0–2, or run with stdin closed); the recording shows it through the
// root's own calls: an fd used successfully before any call created it was
// inherited, a use that fails with EBADF or a creation that returns it means
// it was not open. An fd the root never touches shows only in a descendant
// (fd-lineage.ts); the root's own evidence wins where both speak. The replay
// opens the same set in the root before its first line, so fd numbers agree
// from the start.
import type { TraceEvent } from '@forkscope/tracer';
import { convert } from './convert.js';
import { createdFds, targetFd, usedFds } from './fd-effect.js';
import { LineageFdsScan } from './fd-lineage.js';

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
  /** The fds whose starting state the root's own calls showed (a use, or an allocation's result or what lay below it). */
  readonly #shown = new Set<number>();
  readonly #open = new Set<number>([0, 1, 2]);
  readonly #lineage = new LineageFdsScan();

  /**
   * Whether the scan needs this call of a task other than the root (whose calls it reads all): a
   * first pass may skip the others unread and get the same result.
   */
  wants(pid: number | null, name: string): boolean {
    return this.#lineage.wants(pid, name);
  }

  add(e: TraceEvent): void {
    if (e.kind !== 'syscall' || e.pid === null) {
      this.#lineage.add(e);
      return;
    }
    this.#root ??= e.pid;
    // Through later execs too: inherited fds are not close-on-exec, and fds the root made itself are known.
    if (e.pid !== this.#root) {
      this.#lineage.add(e);
      return;
    }
    const known = this.#known;
    const open = this.#open;
    const failedBadf = e.outcome.kind === 'error' && e.outcome.errno === 'EBADF';
    // Pids are not looked at here (the fds a call names do not depend on them).
    // 'transient': nothing reads the tree again, so it is not kept on the event.
    const c = convert(e, identity, 'transient');
    this.#lineage.add(e, c);
    for (const fd of usedFds(c)) {
      if (fd < 0 || known.has(fd)) continue;
      known.add(fd);
      this.#shown.add(fd);
      if (failedBadf) open.delete(fd);
      else open.add(fd);
    }
    const created = createdFds(e, c);
    for (const fd of created.fds) {
      // A call that hands out fd N found it free: if nothing before closed it, it was never open…
      if (!known.has(fd)) {
        open.delete(fd);
        this.#shown.add(fd);
      }
      known.add(fd);
      // …and, allocating the lowest free fd, found every fd below it (from its minimum) taken.
      for (let below = created.min; below < fd; below++) {
        if (known.has(below)) continue;
        known.add(below);
        this.#shown.add(below);
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
    const open = new Set(this.#open);
    for (const [fd, wasOpen] of this.#lineage.finish()) {
      if (this.#shown.has(fd)) continue;
      if (wasOpen) open.add(fd);
      else open.delete(fd);
    }
    return [...open].sort((a, b) => a - b);
  }
}

function identity(pid: number): number {
  return pid;
}
