// The root's inherited fds as its descendants show them. An fd the root never touches may still
// be open in it (a harness leaked it) and only show in a child: dash's child saving fd 1 with
// `fcntl(1, F_DUPFD, 10) = 11` shows 10 open. A descendant's call shows the root's starting state
// of fd N when no recorded call on its line of descent touched N before: its own or its
// ancestors' before the fork that made it (fork copies the table, CLONE_FILES shares it, C5). So
// each task's table is followed as the set of fd numbers its line of descent has touched; a table
// the recording does not show in full turns opaque and tells nothing more.
import type { SyscallEvent, TraceEvent } from '@forkscope/tracer';
import { FD_NEUTRAL_CALLS, fdEffectOf } from './fd-effect.js';
import type { FdEffect } from './fd-effect.js';
import type { Conversion } from './convert.js';

/**
 * How many fd calls of one task other than the root the first pass reads before it gives the
 * task's table up (opaque). A leaked fd shows in a shell's redirection soon after it starts (bash
 * makes about 50 fd calls before its first, python about 160 before its first subprocess); a
 * long-running descendant (tar opening thousands of files) would otherwise make the first pass
 * read all its opens and closes. Counted per pid, the same way by `wants` and
 * `add`, so that a parser asking ahead of `add` skips nothing `add` would use.
 */
export const FD_CALLS_READ_PER_TASK = 256;

const CLONES = new Set(['clone', 'clone3', 'fork', 'vfork']);
/** What `wants` never asks for: calls that change no table, and clones (the caller reads those anyway). */
const NOT_WANTED: ReadonlySet<string> = new Set([...FD_NEUTRAL_CALLS, ...CLONES]);

/** A decision about the root's starting state of one fd, waiting on a task's unseen clone. */
interface Deferred {
  readonly fd: number;
  readonly open: boolean;
  readonly line: number;
}

/** One fd table as the scan follows it: the fd numbers its line of descent touched. */
class FdTable {
  readonly touched: Set<number>;
  /** close_range spans: every fd in them touched. */
  readonly closed: { first: number; last: number }[];
  /** The recording does not show this table in full: every fd counts as touched. */
  opaque = false;
  /** The tasks that use it now. */
  readonly pids = new Set<number>();
  /**
   * Non-null while the tasks' clone has not been seen (a child's lines came before the parent's
   * clone returned): what it showed, to be decided against the parent's table then.
   */
  deferred: Deferred[] | null = null;

  constructor(
    readonly isRoot: boolean,
    touched: ReadonlySet<number> = new Set(),
    closed: readonly { first: number; last: number }[] = [],
  ) {
    this.touched = new Set(touched);
    this.closed = closed.map((r) => ({ ...r }));
  }

  has(fd: number): boolean {
    if (this.opaque || this.touched.has(fd)) return true;
    for (const r of this.closed) if (fd >= r.first && fd <= r.last) return true;
    return false;
  }

  /** A copy for a child made without CLONE_FILES (or a task whose exec unshared it, A14). */
  copy(): FdTable {
    const t = new FdTable(false, this.touched, this.closed);
    t.opaque = this.opaque;
    return t;
  }
}

/**
 * The descendants' part of inferInitialFds, a line at a time. `add` takes every event (it ignores
 * the root's own fd evidence, which InitialFdsScan reads, but follows the root's table); `wants`
 * tells a first pass which calls it may skip unread without changing the result.
 */
export class LineageFdsScan {
  #root: number | undefined;
  readonly #rootTable = new FdTable(true);
  readonly #tables = new Map<number, FdTable>();
  /**
   * Tasks whose calls the scan no longer reads (their table is opaque). Never emptied: a pid
   * reused by a new task stays in it (its new table is then opaque), so that `wants`, which a
   * streaming parser asks ahead of `add`, never skips a call `add` would have used.
   */
  readonly #ignored = new Set<number>();
  /** Per pid other than the root: its fd calls `wants` was asked about, and those `add` took. */
  readonly #asked = new Map<number, number>();
  readonly #taken = new Map<number, number>();
  /** The descendants' decisions, first one per fd, with the line of the call that showed it. */
  readonly #decided = new Map<number, { readonly open: boolean; readonly line: number }>();

  /** Whether `add` may use this call of a task other than the root (the caller asks only then). */
  wants(pid: number | null, name: string): boolean {
    // The pid first: a number is cheaper to look up than a name (a fresh string on every line).
    if (pid !== null && pid !== this.#root && this.#ignored.has(pid)) return false;
    // The commonest calls of all, compared before the set is hashed.
    if (name === 'read' || name === 'write' || name === 'newfstatat' || NOT_WANTED.has(name)) return false;
    if (pid === null || pid === this.#root) return true;
    return count(this.#asked, pid) <= FD_CALLS_READ_PER_TASK;
  }

  /** `conversion`: the event's, when the caller has made it (the root's calls). */
  add(e: TraceEvent, conversion?: Conversion): void {
    if (e.pid === null) return;
    if (e.kind === 'exited' || e.kind === 'killed') {
      this.#leave(e.pid);
      return;
    }
    if (e.kind !== 'syscall') return;
    if (this.#root === undefined) {
      this.#root = e.pid;
      this.#join(e.pid, this.#rootTable);
    }
    if (CLONES.has(e.name)) {
      this.#clone(e);
      return;
    }
    const pid = e.pid;
    const isRoot = pid === this.#root;
    if (!isRoot && this.#ignored.has(pid)) return;
    if (FD_NEUTRAL_CALLS.has(e.name)) {
      if (e.name === 'execve' && e.outcome.kind === 'value') this.#unshare(pid);
      return;
    }
    const table = this.#tables.get(pid) ?? this.#unknownDescent(pid);
    if (table.opaque) return;
    if (!isRoot && count(this.#taken, pid) > FD_CALLS_READ_PER_TASK) {
      // Even a thread sharing the root's table: `wants` cannot know whose table a task uses.
      this.#giveUp(table);
      return;
    }
    // A descendant's call is read from its text (fdEffectOf), not converted.
    const effect = fdEffectOf(e, conversion, !isRoot);
    // The root's own calls show its starting fds to InitialFdsScan; here they only touch its table.
    this.#apply(table, effect, e, isRoot);
  }

  /** The descendants' decisions: fd → open at the root's start (true) or free. */
  finish(): ReadonlyMap<number, boolean> {
    const out = new Map<number, boolean>();
    for (const [fd, d] of this.#decided) out.set(fd, d.open);
    return out;
  }

  #apply(table: FdTable, effect: FdEffect, e: SyscallEvent, isRoot: boolean): void {
    switch (effect.kind) {
      case 'none':
        return;
      case 'unknowable':
        this.#giveUp(table);
        return;
      case 'known':
        break;
      default: {
        const never: never = effect;
        throw new Error(`unknown effect ${(never as FdEffect).kind}`);
      }
    }
    // A call printed in two halves was in flight between them: another task's call printed in
    // between may have run after this one changed the table. What that showed is withdrawn
    // (before this call's own decisions, which come from its last line).
    if (e.split) this.#withdraw(effect.touched, effect.closed, e.span.line);
    if (!isRoot) {
      for (const r of effect.reveals) {
        if (!table.has(r.fd)) this.#reveal(table, r.fd, r.open, e.span.endLine);
        table.touched.add(r.fd);
      }
    }
    for (const fd of effect.touched) table.touched.add(fd);
    if (effect.closed !== undefined) table.closed.push({ ...effect.closed });
  }

  #reveal(table: FdTable, fd: number, open: boolean, line: number): void {
    if (table.deferred !== null) table.deferred.push({ fd, open, line });
    else this.#decide(fd, open, line);
  }

  #decide(fd: number, open: boolean, line: number): void {
    if (!this.#decided.has(fd)) this.#decided.set(fd, { open, line });
  }

  /** Withdraws descendants' decisions about these fds made from lines after `since`. */
  #withdraw(fds: Iterable<number>, closed: { readonly first: number; readonly last: number } | undefined, since: number): void {
    for (const fd of fds) {
      const d = this.#decided.get(fd);
      if (d !== undefined && d.line > since) this.#decided.delete(fd);
    }
    if (closed === undefined) return;
    for (const [fd, d] of this.#decided) if (fd >= closed.first && fd <= closed.last && d.line > since) this.#decided.delete(fd);
  }

  #clone(e: SyscallEvent): void {
    if (e.outcome.kind !== 'value' || e.outcome.value <= 0n) return;
    const parentPid = e.pid as number;
    const parent = this.#tables.get(parentPid) ?? this.#unknownDescent(parentPid);
    const pid = Number(e.outcome.value);
    const shares = e.argsText.includes('CLONE_FILES');
    if (e.argsText.includes('CLONE_PIDFD')) this.#pidfd(parent, e.argsText);
    const seen = this.#tables.get(pid);
    if (seen !== undefined && seen.deferred !== null) {
      this.#settle(seen, parent, shares, e.span.line);
      return;
    }
    if (seen !== undefined) this.#leave(pid);
    let table: FdTable;
    if (this.#ignored.has(pid) || parent.deferred !== null || parent.opaque) {
      // A reused pid the scan stopped reading, or a parent of unknown descent: nothing to follow.
      table = new FdTable(false);
      table.opaque = true;
      this.#ignored.add(pid);
    } else if (shares && parent.isRoot) {
      table = parent;
    } else if (shares) {
      // A shared non-root table: tasks running at once touch it in an order the lines may not
      // show, and the budget would cut a second task's calls. Given up.
      this.#giveUp(parent);
      table = parent;
    } else {
      table = parent.copy();
    }
    this.#join(pid, table);
  }

  /**
   * A child whose lines came before its clone: its decisions are made now against the parent's
   * table (which may have been touched since the fork: that can only withdraw a decision).
   */
  #settle(child: FdTable, parent: FdTable, shares: boolean, cloneLine: number): void {
    const deferred = child.deferred ?? [];
    child.deferred = null;
    if (parent.deferred !== null || parent.opaque || child.opaque || (shares && !parent.isRoot)) {
      if (shares) this.#giveUp(parent);
      this.#giveUp(child);
      return;
    }
    if (shares) {
      // Its calls changed the parent's table since the clone began; what others showed since is withdrawn.
      this.#withdraw(child.touched, undefined, cloneLine);
      for (const r of child.closed) this.#withdraw([], r, cloneLine);
    }
    for (const d of deferred) if (!parent.has(d.fd)) this.#decide(d.fd, d.open, d.line);
    if (shares) {
      for (const fd of child.touched) parent.touched.add(fd);
      for (const r of child.closed) parent.closed.push(r);
      for (const p of [...child.pids]) this.#join(p, parent);
      return;
    }
    for (const fd of parent.touched) child.touched.add(fd);
    for (const r of parent.closed) child.closed.push({ ...r });
  }

  /**
   * A table for a task whose clone has not been seen (or never will be): its decisions wait for
   * it. Opaque for a pid the scan stopped reading (a reused one: some of its calls went unread).
   */
  #unknownDescent(pid: number): FdTable {
    const table = new FdTable(false);
    table.deferred = [];
    if (this.#ignored.has(pid)) this.#giveUp(table);
    this.#join(pid, table);
    return table;
  }

  /** CLONE_PIDFD: the parent gets a pidfd (clone3's `pidfd=[N]`, clone's `parent_tid=[N]`). */
  #pidfd(parent: FdTable, argsText: string): void {
    const fd = bracketedAfter(argsText, 'pidfd=[') ?? bracketedAfter(argsText, 'parent_tid=[');
    if (fd === undefined) this.#giveUp(parent);
    else parent.touched.add(fd);
  }

  /** execve unshares a table shared by CLONE_FILES (A14): the task goes on with its own copy. */
  #unshare(pid: number): void {
    const table = this.#tables.get(pid);
    if (table === undefined || table.pids.size < 2 || table.deferred !== null || pid === this.#root) return;
    this.#join(pid, table.copy());
  }

  #join(pid: number, table: FdTable): void {
    this.#tables.get(pid)?.pids.delete(pid);
    this.#tables.set(pid, table);
    table.pids.add(pid);
    if (table.opaque && pid !== this.#root) this.#ignored.add(pid);
  }

  #leave(pid: number): void {
    this.#tables.get(pid)?.pids.delete(pid);
    this.#tables.delete(pid);
  }

  #giveUp(table: FdTable): void {
    table.opaque = true;
    table.deferred = table.deferred === null ? null : [];
    for (const pid of table.pids) if (pid !== this.#root) this.#ignored.add(pid);
  }
}

/** Counts one more for `pid`; returns the new count. */
function count(counts: Map<number, number>, pid: number): number {
  const n = (counts.get(pid) ?? 0) + 1;
  counts.set(pid, n);
  return n;
}

/** The decimal number right after `marker`, if the text has one there. */
function bracketedAfter(text: string, marker: string): number | undefined {
  const at = text.indexOf(marker);
  if (at < 0) return undefined;
  let i = at + marker.length;
  let n = 0;
  const start = i;
  while (i < text.length && i - start < 10) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
    i++;
  }
  return i > start && text.charCodeAt(i) === 0x5d ? n : undefined;
}
