// The replay guest: one recorded run driven through the emulated kernel, in
// the recording's own line order. Each task's syscalls enter the kernel at the
// line strace printed their entry and are judged at the line it printed their
// return, so the kernel sees every other task's recorded activity in between
// and nothing that comes later. What the kernel said comes back as records for
// the checker (records.ts).
import type { SyscallEvent, TraceEvent } from '@forkscope/tracer';
import type { ExitHow, KernelEvent, SigInfo, Syscall, SyscallResult } from '@forkscope/kernel';
import { signalNumber } from '@forkscope/kernel';
import { convert } from './convert.js';
import { argOf, bare, intOf } from './values.js';
import type { Conversion } from './convert.js';
import { PidMap } from './pid-map.js';
import type { Handling, ReplayRecord, SyscallRecord } from './records.js';
import { StepOrder } from './steps.js';
import type { ReplayStep, Straggler } from './steps.js';
import type { KernelPort } from './kernel-port.js';
import type { RecordedSignals, SignalLinesAhead } from './signal-lines.js';

const CLONE_FAMILY = new Set(['clone', 'clone3', 'fork', 'vfork']);
/** Calls that return the caller's own id. */
const OWN_ID_CALLS = new Set(['getpid', 'gettid', 'set_tid_address']);
/** si_code prefixes of signals a fault raises (arch/x86 traps): no syscall sends them. */
const FAULT_CODES = ['SEGV_', 'BUS_', 'ILL_', 'FPE_', 'TRAP_'];
const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000n;
const PROT_RW = 3;
/** MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED: an image range placed where the recording shows it. */
const MAP_IMAGE = 0x32;
/** Calls whose first argument is the fd they work on. */
const FD_CALLS = new Set(['read', 'write']);

function isCloneFamily(name: string): boolean {
  return name === 'clone' || name === 'clone3' || name === 'fork' || name === 'vfork';
}

function fdArg(call: Syscall): number | undefined {
  return call.name === 'read' || call.name === 'write' ? call.fd : undefined;
}

/** The path an exec or chdir resolves, when the filesystem model decides its result. */
function fsPathOf(call: Syscall): { what: 'exec' | 'chdir'; path: string | null } | null {
  switch (call.name) {
    case 'execve':
      return typeof call.path === 'string' ? { what: 'exec', path: call.path } : null;
    case 'execveat':
      // Relative to a directory fd the model cannot name: treat as not decided by the manifest.
      if (typeof call.path !== 'string') return null;
      return { what: 'exec', path: call.path.startsWith('/') || call.dirfd === -100 ? call.path : null };
    case 'chdir':
      return typeof call.path === 'string' ? { what: 'chdir', path: call.path } : null;
    default:
      return null;
  }
}

/**
 * The key a recorded task is known by: its pid, or 0 for the lines of a single-process trace,
 * which strace prints without one (the schedule admits pid-less lines only when all are).
 */
function pidKey(pid: number | null): number {
  return pid ?? 0;
}

/**
 * Addresses any recorded futex call other than a wake names (any process: addresses are compared
 * as numbers, conservatively), read a line at a time.
 */
export class WaitedFutexWords {
  readonly words = new Set<bigint>();

  add(e: TraceEvent): void {
    if (e.kind !== 'syscall' || e.name !== 'futex') return;
    let args;
    try {
      args = e.args;
    } catch {
      return;
    }
    const op = argOf(args, 1);
    const b = op === undefined ? undefined : bare(op);
    const isWake = b?.kind === 'ident' && (b.name === 'FUTEX_WAKE' || b.name === 'FUTEX_WAKE_PRIVATE');
    const addr = intOf(argOf(args, 0));
    if (!isWake && addr !== undefined) this.words.add(addr);
  }
}

const NO_EVENTS: readonly KernelEvent[] = [];

/** The reason of an `unmodeled` event for the task among these events, or null. */
function unmodelledIn(events: readonly KernelEvent[], tid: number): string | null {
  for (const e of events) if (e.type === 'unmodeled' && e.tid === tid) return e.reason;
  return null;
}

/** Tasks the given task created among these events. */
function createdIn(events: readonly KernelEvent[], creator: number): number[] {
  const out: number[] = [];
  for (const e of events) if (e.type === 'task-created' && e.creator === creator) out.push(e.tid);
  return out;
}

function recordedErrno(event: SyscallEvent, errno: string): boolean {
  return event.outcome.kind === 'error' && event.outcome.errno === errno;
}

/**
 * What the guest keeps per emulated task between its lines: one map lookup per step, where a map
 * per fact (the call in flight, the last call returned) cost several per call.
 */
interface TaskSlot {
  /** The call entered whose return line has not come yet. */
  inFlight: InFlight | null;
  /** When that call was entered, among all calls (the input's end finishes the open ones in this order). */
  enteredAt: number;
  /** The name of the last recorded call that returned. */
  lastReturned: string | null;
}

interface InFlight {
  readonly event: SyscallEvent;
  readonly conversion: Conversion;
  /** The kernel's answer at entry; a `blocked` one is re-read at the exit line. */
  readonly result?: SyscallResult;
  readonly fdOpen?: boolean;
}

export interface ReplayOutcome {
  /** Every record, in the order made; empty when the guest handed them to `onRecord` instead. */
  readonly records: readonly ReplayRecord[];
  readonly pids: PidMap;
  /** Lines the schedule could not use (not understood, no pid): the checker turns these into an error verdict. */
  readonly unusable: readonly { readonly line: number; readonly reason: string }[];
  /** What the kernel's log still holds: everything it did, unless it was made to forget (KernelAdapter keepEvents). */
  readonly kernelEvents: readonly KernelEvent[];
}

/** What the replay must know before its first line, from a pass over the whole capture (replay-capture.ts). */
export interface ReplayFacts {
  /** Calls (by first line) whose result the kernel starts from rather than decides (see starting-state.ts). */
  readonly inputs: ReadonlyMap<number, string>;
  /** The fds the root inherited (see initial-fds.ts). */
  readonly initialFds: readonly number[];
  /** Futex words some recorded call waits on (WaitedFutexWords). */
  readonly waitedWords: ReadonlySet<bigint>;
  /** No task line has a pid (PidPresence). */
  readonly singleProcess: boolean;
  /**
   * Events that arrive behind the reorder window (StragglerScan over the same events): with them
   * the guest holds only a window of steps. Null without a first pass (then an open call holds
   * back every step after it).
   */
  readonly stragglers: readonly Straggler[] | null;
  /**
   * The recording's `--- SIG ---` lines by receiver and siginfo (signal-lines.ts): a sending with a
   * line of its own was not merged into the signal pending before it. Absent or null: no first
   * pass read them (every standard signal sent before its task's SIG line then merges).
   */
  readonly recordedSignals?: RecordedSignals | null;
}

export interface ReplaySinks {
  /** Receives each record as it is made (then the outcome's `records` stays empty): nothing is kept. */
  readonly onRecord?: (record: ReplayRecord, pids: PidMap) => void;
  /** Receives each kernel event, in order, as the guest reads it. */
  readonly onKernelEvent?: (event: KernelEvent) => void;
  /**
   * The next of several runs recorded one after another starts at this line: told before its
   * root is bound, while the pid map still maps the run that ended (its pids may be reused next).
   */
  readonly onRunEnd?: (nextRootLine: number, pids: PidMap) => void;
}

export class ReplayGuest {
  readonly pids = new PidMap();
  readonly #port: KernelPort;
  readonly #records: ReplayRecord[] = [];
  readonly #onRecord: ((record: ReplayRecord, pids: PidMap) => void) | null;
  readonly #onKernelEvent: ((event: KernelEvent) => void) | null;
  readonly #onRunEnd: ((nextRootLine: number, pids: PidMap) => void) | null;
  readonly #order: StepOrder;
  readonly #tasks = new Map<number, TaskSlot>();
  /** Calls entered so far (TaskSlot.enteredAt). */
  #entered = 0;
  /** From the kernel events read so far: how each task ended, and the signals sent (matched to `--- SIG ---` lines once). */
  readonly #exits = new Map<number, ExitHow>();
  /** Sent and not yet matched, oldest first (a matched one is removed). */
  readonly #signals: { to: number; scope: 'thread' | 'process'; info: SigInfo }[] = [];
  /** How many of the kernel's events the guest has read. */
  #seen = 0;
  /** Per address space: recorded break minus the kernel's (see #brk). */
  readonly #brkShift = new Map<string, bigint>();
  #root: number | null = null;
  /** The fds the root inherited (see initial-fds.ts). */
  readonly #initialFds: readonly number[];
  #halted: string | null = null;
  /** Futex words some recorded call waits on: the replay does not send waits, so wakes on them are adopted. */
  readonly #waitedWords: ReadonlySet<bigint>;

  /** Calls (by first line) whose result the kernel starts from rather than decides (see starting-state.ts). */
  readonly #inputs: ReadonlyMap<number, string>;

  /** The signal lines not reached yet (null without a first pass, or without signal lines). */
  readonly #signalLines: SignalLinesAhead | null;
  /** No task line has a pid: signal lines are keyed 0 for the receiver (ReplayFacts.singleProcess). */
  readonly #singleProcess: boolean;

  /** The pid mapping as convert.ts asks for it (one closure for the whole run). */
  readonly #lookup = (recorded: number): number | undefined => this.pids.emulated(recorded);

  constructor(port: KernelPort, facts: ReplayFacts, sinks: ReplaySinks = {}) {
    this.#port = port;
    this.#inputs = facts.inputs;
    this.#initialFds = facts.initialFds;
    this.#waitedWords = facts.waitedWords;
    this.#order = new StepOrder(facts.singleProcess, facts.stragglers);
    this.#onRecord = sinks.onRecord ?? null;
    this.#onKernelEvent = sinks.onKernelEvent ?? null;
    this.#onRunEnd = sinks.onRunEnd ?? null;
    this.#singleProcess = facts.singleProcess;
    const recorded = facts.recordedSignals ?? null;
    this.#signalLines = recorded === null || recorded.size === 0 ? null : recorded.ahead();
    if (this.#signalLines !== null) port.askBeforeMerge(this.#signalTakenBefore);
  }

  /**
   * Asked by the kernel before it merges `info` into a signal of its number pending for `tid`,
   * which the task would take at its next `--- SIG ---` line (A8: one instance of a standard
   * signal). Under ptrace get_signal runs somewhere between the task's return line and that SIG
   * line; the kernel assumes the latest point. If a line not reached yet shows this very sending
   * taken by this task (same signal, si_code, si_pid, si_status), and no sending already queued
   * for it accounts for that line, Linux did not merge it: the task had taken the pending one first.
   */
  readonly #signalTakenBefore = (tid: number, info: SigInfo): boolean => {
    const lines = this.#signalLines;
    if (lines === null) return false;
    const receiver = this.#singleProcess ? 0 : this.pids.recorded(tid);
    const pid = info.pid === 0 ? 0 : this.pids.recorded(info.pid);
    if (receiver === undefined || pid === undefined) return false;
    let ahead = lines.count({ receiver, signo: info.signo, code: info.code, pid, status: info.status });
    if (ahead === 0) return false;
    const tgid = this.#port.tgidOf(tid);
    for (const s of this.#signals) {
      const q = s.info;
      if ((s.to === tid || s.to === tgid) && q.signo === info.signo && q.code === info.code && q.pid === info.pid && q.status === info.status) ahead--;
    }
    return ahead > 0;
  };

  /** Replays every event (one window); never throws on bad input (that becomes fatal or skipped records). */
  run(events: readonly TraceEvent[]): ReplayOutcome {
    this.feed(events, Infinity);
    return this.end();
  }

  /**
   * The next events as the parser handed them over, and the line before which no later event
   * starts (the tracer's EventWindow): every step before it is replayed now.
   */
  feed(events: readonly TraceEvent[], settledBefore: number): void {
    for (const e of events) this.#order.add(e);
    this.#order.release(settledBefore, this.#visit);
  }

  /** The input has ended: replays what is held and closes the calls still in flight. */
  end(): ReplayOutcome {
    this.#order.release(Infinity, this.#visit);
    // Calls still in flight at the end: the input ended inside them (judged as they stand), or the
    // replay stopped before their return line (counted as not replayed).
    const open: [number, TaskSlot, InFlight][] = [];
    for (const [tid, slot] of this.#tasks) if (slot.inFlight !== null) open.push([tid, slot, slot.inFlight]);
    open.sort((a, b) => a[1].enteredAt - b[1].enteredAt);
    for (const [tid, slot, f] of open) {
      if (this.#halted === null) this.#finish(slot, tid, f);
      else {
        this.#record({
          kind: 'skipped',
          line: f.event.span.line,
          pid: f.event.pid,
          what: 'syscall',
          reason: `not replayed: replay stopped (${this.#halted})`,
        });
      }
    }
    for (const [, slot] of open) slot.inFlight = null;
    this.#drain();
    return {
      records: this.#records,
      pids: this.pids,
      unusable: this.#order.unusable.map((u) => ({ line: u.event.span.line, reason: u.reason })),
      kernelEvents: this.#port.events(),
    };
  }

  readonly #visit = (step: ReplayStep): void => {
    if (this.#halted !== null) this.#skipAfterHalt(step);
    else this.#step(step);
  };

  #record(r: ReplayRecord): void {
    if (this.#onRecord !== null) this.#onRecord(r, this.pids);
    else this.#records.push(r);
  }

  #step(step: ReplayStep): void {
    switch (step.kind) {
      case 'call':
      case 'enter': {
        const tid = this.#taskOf(pidKey(step.event.pid), step.line, step.event.name);
        if (tid === null) return;
        let slot = this.#tasks.get(tid);
        if (slot === undefined) {
          slot = { inFlight: null, enteredAt: 0, lastReturned: null };
          this.#tasks.set(tid, slot);
        }
        if (slot.inFlight !== null) {
          this.#fatal(step.line, `pid ${step.event.pid} enters ${step.event.name} while its previous call has not returned`);
          return;
        }
        this.#enter(slot, tid, step.event);
        if (step.kind === 'call' && this.#halted === null) this.#exit(slot, tid, step.event, step.line);
        return;
      }
      case 'exit': {
        const tid = this.pids.emulated(pidKey(step.event.pid));
        if (tid === undefined) {
          this.#fatal(step.line, `resumed line for pid ${step.event.pid} whose call was never entered`);
          return;
        }
        this.#exit(this.#tasks.get(tid), tid, step.event, step.line);
        return;
      }
      case 'exited':
      case 'killed': {
        const tid = this.#known(pidKey(step.event.pid), step.line);
        if (tid === null) return;
        // strace prints this line as it collects the exit: only now is the real parent notified.
        this.#port.collect(tid);
        this.#drain();
        this.#record({ kind: 'exit', event: step.event, tid, kernel: this.#exits.get(tid) ?? null });
        // Nothing asks about this task's end or last call again: a long capture keeps no per-task leftovers.
        this.#exits.delete(tid);
        const slot = this.#tasks.get(tid);
        if (slot !== undefined) {
          slot.lastReturned = null;
          if (slot.inFlight === null) this.#tasks.delete(tid);
        }
        return;
      }
      case 'signal': {
        const tid = this.#known(pidKey(step.event.pid), step.line);
        if (tid === null) return;
        const signo = signalNumber(step.event.signal);
        this.#signalLines?.passed(step.event);
        // strace prints the line at the signal-delivery stop, after get_signal took the signal.
        this.#port.resume(tid);
        this.#drain();
        const tgid = this.#port.tgidOf(tid);
        const at = this.#signals.findIndex(
          (s) => s.info.signo === signo && ((s.scope === 'thread' && s.to === tid) || (s.scope === 'process' && s.to === tgid)),
        );
        const match = at < 0 ? undefined : this.#signals[at];
        if (match !== undefined) {
          this.#signals.splice(at, 1);
          this.#record({ kind: 'signal', event: step.event, tid, kernel: match.info });
          return;
        }
        const outside = signo === undefined ? null : this.#fromOutside(step.event);
        if (outside !== null && signo !== undefined && this.#port.state(tid) !== undefined) {
          this.#port.inject(tid, signo);
          this.#drain();
          this.#record({ kind: 'signal', event: step.event, tid, kernel: null, injected: outside });
          return;
        }
        this.#record({ kind: 'signal', event: step.event, tid, kernel: null });
        return;
      }
      case 'superseded':
        // D19: a non-leader thread's execve (already performed by the kernel at its entry line)
        // killed the leader and took over its tid; the recording goes on under the leader's pid,
        // which stays bound to the same emulated tid. The exec'ing thread's own pid is released
        // when its execve returns (see #exit).
        return;
      case 'stopped':
        this.#record({ kind: 'skipped', line: step.line, pid: step.event.pid, what: 'stopped', reason: 'group stop is not replayed' });
        return;
      default: {
        const never: never = step;
        throw new Error(`unknown step ${(never as ReplayStep).kind}`);
      }
    }
  }

  /**
   * Why a recorded signal the kernel did not send comes from outside the modelled processes, or
   * null if it should have come from them: a fault (the kernel runs no instructions) or a sender
   * pid the recording never shows.
   */
  #fromOutside(event: Extract<ReplayStep, { kind: 'signal' }>['event']): string | null {
    const field = (name: string) => event.siginfo.find((f) => f.name === name)?.value;
    const code = field('si_code');
    if (code?.kind === 'ident' && FAULT_CODES.some((p) => code.name.startsWith(p))) return `a fault (${code.name})`;
    if (code?.kind === 'ident' && code.name === 'SI_KERNEL') return 'sent by the kernel itself (SI_KERNEL)';
    const pid = field('si_pid');
    if ((code?.kind === 'ident' && (code.name === 'SI_USER' || code.name === 'SI_QUEUE' || code.name === 'SI_TKILL')) && pid?.kind === 'int') {
      const sender = Number(pid.value);
      if (sender === 0 || !this.pids.has(sender)) return `sent by pid ${sender}, outside the recording`;
    }
    return null;
  }

  /** The emulated task of a recorded pid: the root on first sight, else a child of a clone in flight. */
  #taskOf(pid: number, line: number, call?: string): number | null {
    const known = this.pids.emulated(pid);
    if (known !== undefined) {
      // The next run reusing a pid of the last one (the same program recorded again): its task
      // was reaped, which no run of its own can show making a call (a clone would rebind it first).
      if (call !== 'execve' || this.#port.state(known) !== undefined || !this.#nextRunMayStart()) return known;
      return this.#nextRun(pid, line);
    }
    if (this.#root === null) return this.#newRoot(pid);
    const claim = this.pids.claim(pid);
    if (claim.kind === 'unknown') {
      // The next of several runs recorded one after another (a concatenated capture): the last
      // root has ended, nothing is being cloned, and the newcomer starts with an execve.
      if (call === 'execve' && this.#nextRunMayStart()) return this.#nextRun(pid, line);
      this.#fatal(line, claim.reason);
      return null;
    }
    return claim.emulated;
  }

  /** Whether the last root has ended and nothing is being cloned: a new root may be the next run. */
  #nextRunMayStart(): boolean {
    if (this.#root === null) return true;
    const last = this.#port.state(this.#root);
    return this.pids.pending().length === 0 && (last === undefined || last === 'exited' || last === 'zombie');
  }

  /** Ends the run recorded so far at `line` and starts the next from `pid` (its old binding, if any, is the last run's). */
  #nextRun(pid: number, line: number): number {
    this.#onRunEnd?.(line, this.pids);
    this.pids.release(pid);
    return this.#newRoot(pid);
  }

  #newRoot(pid: number): number {
    const root = this.#port.spawnRoot(this.#initialFds);
    this.#root = root;
    this.pids.bind(pid, root);
    return root;
  }

  #known(pid: number, line: number): number | null {
    const tid = this.pids.emulated(pid);
    if (tid !== undefined) return tid;
    // A task whose only lines are its exit (a child that never made a traced call) is still a child of a clone in flight.
    return this.#taskOf(pid, line);
  }

  /** Sets the task's call in flight. */
  #begin(slot: TaskSlot, f: InFlight): void {
    slot.inFlight = f;
    slot.enteredAt = this.#entered++;
  }

  #enter(slot: TaskSlot, tid: number, event: SyscallEvent): void {
    // The tree is parsed for the conversion only, unless something reads it again (conversion-view.ts).
    const converted = convert(event, this.#lookup, 'transient');
    const input = converted.kind === 'checked' ? this.#inputs.get(event.span.line) : undefined;
    // An environment input is still sent: later calls are checked against the state it leaves.
    let conversion: Conversion =
      input !== undefined && converted.kind === 'checked' ? { kind: 'run-adopted', call: converted.call, reason: input } : converted;
    if (conversion.kind === 'run-adopted' && conversion.call.name === 'rt_sigreturn') {
      // Checked when the kernel ran the handler at the return of the call the recording shows just
      // before it (then it knows the register sigreturn restores); a handler the replay's timing
      // moved to another return point keeps the recorded value.
      const interrupted = this.#port.sigreturnCall(tid);
      if (interrupted !== null && interrupted === slot.lastReturned) conversion = { kind: 'checked', call: conversion.call };
    }
    if (conversion.kind === 'checked' && conversion.call.name === 'futex' && this.#waitedWords.has(conversion.call.uaddr)) {
      conversion = { kind: 'adopted', reason: 'futex wake of a word a recorded call waits on (waits need guest memory)' };
    }
    switch (conversion.kind) {
      case 'adopted':
        this.#begin(slot, { event, conversion });
        return;
      case 'fd-probe':
        this.#begin(slot, {
          event,
          conversion,
          fdOpen: [conversion.fd, ...(conversion.also ?? [])].every((fd) => this.#port.fdOpen(tid, fd)),
        });
        this.#drain();
        return;
      case 'fd-create':
      case 'nonblock': {
        if (this.#port.state(tid) !== 'ready') {
          this.#fatal(event.span.line, `pid ${event.pid} makes a call while the kernel holds it ${this.#port.state(tid) ?? 'unknown'}`);
          return;
        }
        this.#begin(slot, { event, conversion, result: this.#composite(tid, conversion) });
        this.#drain();
        return;
      }
      case 'checked':
      case 'effect':
      case 'run-adopted': {
        const state = this.#port.state(tid);
        if (state === 'exited' || state === 'zombie') {
          // The recording shows a task the kernel has already ended making a call.
          this.#begin(slot, { event, conversion, result: { kind: 'gone' } });
          return;
        }
        if (state !== 'ready') {
          this.#fatal(event.span.line, `pid ${event.pid} makes a call while the kernel holds it ${state ?? 'unknown'}`);
          return;
        }
        const call = conversion.call;
        const inFlight =
          this.#notForTheKernel(tid, event, call) ??
          (call.name === 'brk' ? this.#brk(tid, event, call.addr) : this.#sendCall(tid, event, conversion, call));
        this.#begin(slot, inFlight);
        return;
      }
      default: {
        const never: never = conversion;
        throw new Error(`unknown conversion ${(never as Conversion).kind}`);
      }
    }
  }

  /**
   * Calls the kernel must not decide as they stand: an rt_sigreturn with no handler frame (the
   * kernel would kill the task), and exec/chdir results the fs manifest cannot decide.
   */
  #notForTheKernel(tid: number, event: SyscallEvent, call: Syscall): InFlight | null {
    if (call.name === 'rt_sigreturn' && !this.#port.inHandler(tid)) {
      // The recording shows the handler ran, so the kernel did not deliver the signal where Linux did.
      return { event, conversion: { kind: 'adopted', reason: 'rt_sigreturn: the kernel has no signal handler frame for this task' } };
    }
    const fsPath = fsPathOf(call);
    if (fsPath === null) return null;
    const knows = fsPath.path === null ? 'unknown' : this.#port.fsKnows(tid, fsPath.what, fsPath.path);
    if (knows === 'known') return null;
    const why = knows === 'no-fs' ? 'the capture has no fs manifest' : `${fsPath.path ?? 'a path relative to a directory fd'} is not in the fs manifest`;
    const reason = `${fsPath.what} result adopted: ${why}`;
    // A failed exec or chdir changes nothing (and the kernel, unable to tell, would succeed): not sent.
    if (event.outcome.kind !== 'value') return { event, conversion: { kind: 'adopted', reason } };
    const result = this.#port.syscall(tid, call);
    this.#drain();
    return { event, conversion: { kind: 'run-adopted', call, reason }, result };
  }

  /** Sends a call; reads back what it created (clone children) or why the kernel could not judge it. */
  #sendCall(tid: number, event: SyscallEvent, conversion: Conversion, call: Syscall): InFlight {
    // The call's name, not the event's: convert names it with the literal, compared by identity.
    const clone = isCloneFamily(call.name);
    if (clone && event.outcome.kind === 'value') {
      // A recorded pid reused after its first owner was reaped.
      const recordedChild = Number(event.outcome.value);
      if (this.pids.has(recordedChild)) this.pids.release(recordedChild);
    }
    this.#drain();
    const result = this.#port.syscall(tid, call);
    // The events this call caused: what it created, or that the kernel does not model it.
    const caused = this.#drain();
    if (call.name === 'mprotect' && result.kind === 'error' && result.errno === 'ENOMEM' && event.outcome.kind === 'value') {
      // The range belongs to the image exec loaded (ELF segments of the program and its interpreter),
      // which Linux mapped without a recorded call, where ASLR chose. As with mmap's address, the
      // placement is the environment's: the replay maps the range there (read-write, as the data
      // segment holding RELRO is) and the kernel then decides the call and tracks the protection.
      // Only a range the kernel has nothing mapped in: a partial overlap stays adopted.
      if (this.#port.anyMapped(tid, call.addr, call.length)) {
        return { event, conversion: { kind: 'adopted', reason: "mprotect of a range partly mapped by exec (not in the recording)" } };
      }
      const placed = this.#port.syscall(tid, { name: 'mmap', addr: call.addr, length: call.length, prot: PROT_RW, flags: MAP_IMAGE, fd: -1, offset: 0n });
      if (placed.kind !== 'done') {
        return { event, conversion: { kind: 'adopted', reason: "mprotect of a range the exec'd image mapped (not in the recording)" } };
      }
      const again = this.#port.syscall(tid, call);
      this.#drain();
      return { event, conversion: { kind: 'effect', call }, result: again };
    }
    const unmodelled = unmodelledIn(caused, tid);
    if (result.kind === 'error' && result.errno === 'ENOSYS' && unmodelled !== null && !recordedErrno(event, 'ENOSYS')) {
      // The kernel does not model this call on this object (read of a regular file…): what it can
      // still check is that the fd is open (it was: the kernel got past the fd lookup).
      const fd = FD_CALLS.has(event.name) ? fdArg(call) : undefined;
      return fd !== undefined
        ? { event, conversion: { kind: 'fd-probe', fd }, fdOpen: true }
        : { event, conversion: { kind: 'adopted', reason: `kernel: ${unmodelled}` } };
    }
    if (clone) {
      const recordedChild = event.outcome.kind === 'value' ? Number(event.outcome.value) : null;
      for (const child of createdIn(caused, tid)) {
        this.pids.addPending({ callerPid: event.pid ?? -1, event, emulatedChild: child, recordedChild });
      }
    }
    return { event, conversion, result };
  }

  #exit(slot: TaskSlot | undefined, tid: number, event: SyscallEvent, line: number): void {
    const f = slot === undefined ? null : slot.inFlight;
    if (slot === undefined || f === null || f.event !== event) {
      this.#fatal(line, `pid ${event.pid} returns from ${event.name} it never entered`);
      return;
    }
    slot.inFlight = null;
    if (event.pid === null && OWN_ID_CALLS.has(event.name) && event.outcome.kind === 'value' && event.outcome.value > 0n) {
      // A single-process trace prints no pid; the task's own id calls tell it, so bind it too.
      const own = Number(event.outcome.value);
      if (!this.pids.has(own)) this.pids.bind(own, tid);
    }
    const record = this.#finish(slot, tid, f);
    if (event.pidChangedTo !== undefined && event.pid !== null) this.pids.release(event.pid);
    if (record.result?.kind === 'blocked' && event.outcome.kind !== 'unknown' && event.outcome.kind !== 'unfinished') {
      // The kernel still holds a task the recording shows running on: nothing it does later can be compared.
      this.#halted = `pid ${event.pid} ${event.name} at line ${line} is still blocked in the kernel`;
    }
  }

  /**
   * brk: the first query after an exec learns the offset between where Linux put the break and
   * where the kernel did (an environment input, adopted); later calls move the kernel's break by
   * the same amounts and must land where the recording says, shifted by that offset.
   */
  #brk(tid: number, event: SyscallEvent, addr: bigint): InFlight {
    const space = this.#port.addressSpaceOf(tid);
    const shift = this.#brkShift.get(space);
    const recorded = event.outcome.kind === 'value' ? event.outcome.value : undefined;
    if (shift === undefined) {
      const base = this.#port.syscall(tid, { name: 'brk', addr: 0n });
      this.#drain();
      if (recorded !== undefined && addr === 0n && base.kind === 'done') {
        // Where the heap starts is the environment's (ASLR), as an mmap's address is: the kernel's
        // answer to the query is taken as the base (effect-checked: every later brk of this
        // address space is then checked against it, shifted).
        const learnt = recorded - base.value;
        this.#brkShift.set(space, learnt);
        return { event, conversion: { kind: 'effect', call: { name: 'brk', addr } }, result: { kind: 'done', value: base.value + learnt } };
      }
      return { event, conversion: { kind: 'adopted', reason: 'the first brk after exec: the base is placed by exec (ASLR)' } };
    }
    const result = this.#port.syscall(tid, { name: 'brk', addr: addr === 0n ? 0n : addr - shift });
    this.#drain();
    const shifted: SyscallResult = result.kind === 'done' ? { kind: 'done', value: result.value + shift } : result;
    return { event, conversion: { kind: 'effect', call: { name: 'brk', addr } }, result: shifted };
  }

  /** Calls the kernel takes as several of its own (see convert.ts): one result in the recorded call's shape. */
  #composite(tid: number, c: Extract<Conversion, { kind: 'fd-create' | 'nonblock' }>): SyscallResult {
    if (c.kind === 'nonblock') {
      const got = this.#port.syscall(tid, { name: 'fcntl', fd: c.fd, cmd: F_GETFL, arg: 0n });
      if (got.kind !== 'done') return got;
      const flags = c.on ? got.value | O_NONBLOCK : got.value & ~O_NONBLOCK;
      const set = this.#port.syscall(tid, { name: 'fcntl', fd: c.fd, cmd: F_SETFL, arg: flags });
      return set.kind === 'done' ? { kind: 'done', value: 0n } : set;
    }
    const fds: number[] = [];
    for (const call of c.opens) {
      const r = this.#port.syscall(tid, call);
      if (r.kind !== 'done') return r;
      fds.push(Number(r.value));
    }
    if (c.fdsIn === 'result') return { kind: 'done', value: BigInt(fds[0] ?? -1) };
    return { kind: 'done', value: 0n, out: { fds: [fds[0] ?? -1, fds[1] ?? -1] } };
  }

  #finish(slot: TaskSlot, tid: number, f: InFlight): SyscallRecord {
    const { event, conversion } = f;
    let result = f.result;
    if (result?.kind === 'blocked') result = this.#port.completion(tid) ?? result;
    if (event.outcome.kind === 'unknown' && result !== undefined) {
      const state = this.#port.state(tid);
      // The recording shows the task never returning from this call; the kernel ended it too
      // (killed during an execve the kernel completed at entry, say): neither returned to user space.
      if (state === undefined || state === 'exited' || state === 'zombie') result = { kind: 'gone' };
    }
    // (Only a clone-family call can have a pending child: most calls skip the name lookup.)
    if (this.pids.pending().length > 0 && CLONE_FAMILY.has(event.name)) this.pids.settle(event);
    // One object literal of one shape for every record (no spreads): this runs once per syscall event.
    let handling: Handling;
    let reason: string | undefined;
    let fd: number | undefined;
    let alsoFds: readonly number[] | undefined;
    switch (conversion.kind) {
      case 'adopted':
        handling = 'adopted';
        reason = conversion.reason;
        result = undefined;
        break;
      case 'fd-probe':
        handling = 'fd-probe';
        fd = conversion.fd;
        if (conversion.also !== undefined && conversion.also.length > 0) alsoFds = conversion.also;
        result = undefined;
        break;
      case 'run-adopted':
        handling = 'run-adopted';
        reason = conversion.reason;
        break;
      case 'checked':
      case 'effect':
        handling = conversion.kind;
        break;
      case 'fd-create':
      case 'nonblock':
        handling = 'effect';
        break;
      default: {
        const never: never = conversion;
        throw new Error(`unknown conversion ${(never as Conversion).kind}`);
      }
    }
    const record: SyscallRecord = {
      kind: 'syscall',
      event,
      tid,
      handling,
      reason,
      result,
      enteredBlocked: f.result === undefined ? undefined : f.result.kind === 'blocked',
      fdOpen: f.fdOpen,
      fd,
      alsoFds,
    };
    this.#record(record);
    slot.lastReturned = event.name;
    return record;
  }

  /** Reads the kernel events not seen yet (a kernel made with keepEvents false then forgets them); returns them. */
  #drain(): readonly KernelEvent[] {
    if (this.#port.eventCount() === this.#seen) return NO_EVENTS;
    const fresh = this.#port.takeEvents();
    this.#seen += fresh.length;
    const sink = this.#onKernelEvent;
    for (const e of fresh) {
      this.#note(e);
      if (sink !== null) sink(e);
    }
    return fresh;
  }

  #note(e: KernelEvent): void {
    if (e.type === 'task-exit') this.#exits.set(e.tid, e.how);
    else if (e.type === 'signal-sent' && e.queued) this.#signals.push({ to: e.to, scope: e.scope, info: e.info });
  }

  #fatal(line: number, message: string): void {
    this.#record({ kind: 'fatal', line, message });
    this.#halted = message;
  }

  #skipAfterHalt(step: ReplayStep): void {
    if (step.kind === 'exit' || (step.kind !== 'call' && step.kind !== 'enter')) return;
    this.#record({
      kind: 'skipped',
      line: step.line,
      pid: step.event.pid,
      what: 'syscall',
      reason: `not replayed: replay stopped (${this.#halted ?? ''})`,
    });
  }
}
