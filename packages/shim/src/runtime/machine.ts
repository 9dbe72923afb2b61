// The model runtime: drives guest programs on the kernel, one system call at a time, through a
// shim that keeps each task's saved context in a frame on the task's stack (runtime/stack.ts).
// The strategy decides what a vfork-family call does and where the suspended parent's context
// comes from when it resumes. Everything the run does is written as strace text.
import {
  Kernel,
  type AddressSpace,
  SIGNALS,
  type KernelEvent,
  type Syscall,
  type SyscallResult,
  type Tid,
  type Vfs,
} from '@forkscope/kernel';
import { ModelError, RanPastNoReturn, type Guest, type GuestGen, type GuestMemory, type Program, type SignalHandler, type Step, type SysResult } from './program.js';
import { loadImage, readFrame, writeFrame } from './stack.js';
import { renderArgs, renderResult, siginfoText, signalText, sigsetText, type Clone3Shown } from './strace-render.js';
import { isVforkCall, type Strategy } from '../strategies/strategy.js';

/** Finds the program an execve starts; null when the path is not a program the models know. */
export type ImageResolver = (path: string, argv: readonly string[]) => Program | null;

export interface MachineOptions {
  readonly strategy: Strategy;
  readonly fs: Vfs;
  readonly argv: readonly string[];
  readonly envp: readonly string[];
  readonly cwd: string;
  readonly images: ImageResolver;
  /** Calls before the run is stopped with a 'step-limit' note (a model that never ends). Default 100000. */
  readonly maxSteps?: number;
}

/** Something the shim noticed that a real run would not show in its trace. */
export interface ShimNote {
  readonly tid: Tid;
  readonly kind: 'stack-frame-taken' | 'stack-frame-clobbered' | 'ran-past-no-return' | 'stuck' | 'step-limit';
  readonly text: string;
}

export interface MachineRun {
  /** strace -f -ttt -T text of the run. */
  readonly text: string;
  readonly notes: readonly ShimNote[];
  readonly invariants: readonly string[];
}

/** One running context: a program's generators (the main program, then signal handlers). */
interface Context {
  readonly owner: Tid;
  readonly gens: GuestGen<number | void>[];
}

interface GuestTask {
  readonly tid: Tid;
  gens: GuestGen<number | void>[];
  /** The next step to issue (null: ask the generator). */
  next: Step | null;
  /** Result to hand the generator when it next runs (null: first run). */
  resume: SysResult | null;
  /** A call the kernel blocked. */
  blocked: { readonly step: Step; readonly head: string; readonly vfork: boolean } | null;
  /** clone3 arguments read from memory before the call, for its strace line. */
  clone3Shown: Clone3Shown | undefined;
  /** The vfork-family call whose parent context was kept aside (strategy 'side'). */
  side: Context | null;
  handlerDepth: number;
  /** The mask the next rt_sigreturn restores (for its strace line). */
  sigreturnMask: bigint;
  /** Results owed to interrupted code, one per running handler. */
  saved: { readonly resume: SysResult | null; readonly next: Step | null }[];
  image: Image;
  guest: TaskGuest;
}

interface Image {
  readonly handlers: Map<bigint, SignalHandler>;
}

const EPOCH_NS = 1_795_726_200_000_000_000n;
/** Virtual CPU time of one system call. */
const CALL_NS = 1_000n;

class TaskGuest implements Guest {
  private stackPointer: bigint;
  readonly mem: GuestMemory;
  constructor(
    readonly tid: Tid,
    private readonly kernel: Kernel,
    /** The task whose code runs now: a model touching another task's registers or memory is a bug. */
    private readonly running: () => Tid | null,
    readonly data: bigint,
    sp: bigint,
    readonly argv: readonly string[],
    readonly envp: readonly string[],
    private readonly image: Image,
    private readonly fs: Vfs,
  ) {
    this.stackPointer = sp;
    const space = () => {
      this.assertRunning();
      return kernel.memory(tid);
    };
    const must = <T>(r: { ok: true; value: T } | { ok: false; errno: string }, what: string, addr: bigint): T => {
      if (!r.ok) throw new ModelError(`task ${tid}: ${what} at 0x${addr.toString(16)} faults (${r.errno})`);
      return r.value;
    };
    this.mem = {
      readU32: (a) => must(space().readU32(a), 'readU32', a),
      writeU32: (a, v) => must(space().writeU32(a, v), 'writeU32', a),
      readU64: (a) => must(space().readU64(a), 'readU64', a),
      writeU64: (a, v) => must(space().writeU64(a, v), 'writeU64', a),
      read: (a, n) => must(space().read(a, n), 'read', a),
      write: (a, b) => must(space().write(a, b), 'write', a),
    };
  }
  get sp(): bigint {
    return this.stackPointer;
  }
  set sp(value: bigint) {
    this.assertRunning();
    this.stackPointer = value;
  }
  private assertRunning(): void {
    const now = this.running();
    if (now !== null && now !== this.tid) {
      throw new ModelError(`task ${now}'s code used task ${this.tid}'s registers or memory (a child body must use its own Guest)`);
    }
  }
  lookup(path: string): 'file' | 'absent' | 'unknown' {
    const cwd = this.kernel.task(this.tid)?.cwd ?? '/';
    const r = this.fs.lookup(path, cwd);
    if (r.kind === 'unknown') return 'unknown';
    return r.kind === 'found' && r.node.kind === 'file' ? 'file' : 'absent';
  }
  defineHandler(addr: bigint, handler: SignalHandler): void {
    this.image.handlers.set(addr, handler);
  }
}

export class Machine {
  readonly kernel: Kernel;
  private readonly tasks = new Map<Tid, GuestTask>();
  private readonly contexts = new Map<bigint, Context>();
  /** Which task created each task (for the thread a SIGCHLD is reported on). */
  private readonly creators = new Map<Tid, Tid>();
  private nextContext = 1n;
  private readonly lines: string[] = [];
  private readonly notes: ShimNote[] = [];
  private readonly pendingEvents: KernelEvent[] = [];
  private readonly options: MachineOptions;
  /** The task whose program code is running (null: the shim itself). */
  private current: Tid | null = null;

  constructor(options: MachineOptions) {
    this.options = options;
    // A model's paths name its own (emulated) pids, so /proc stat files can be synthesized.
    this.kernel = new Kernel({ fs: options.fs, procfs: true });
    this.kernel.onEvent((e) => this.pendingEvents.push(e));
  }

  run(main: Program): MachineRun {
    const k = this.kernel;
    const { argv, envp, cwd } = this.options;
    const path = argv[0] ?? '/';
    const root = k.spawn({ path, argv, envp: [...envp], cwd });
    this.pendingEvents.length = 0;
    // strace's first line: the root's own execve, which happened before the model's code.
    this.line(root, `execve(${renderArgs({ name: 'execve', path, argv, envp }, null).head}) = 0 <0.000001>`);
    this.startImage(root, main, argv, envp);
    const limit = this.options.maxSteps ?? 100_000;
    let steps = 0;
    for (;;) {
      const tid = k.next();
      if (tid === undefined) {
        if (k.advanceClock()) {
          this.flushEvents();
          continue;
        }
        break;
      }
      if (++steps > limit) {
        this.notes.push({ tid, kind: 'step-limit', text: `stopped after ${limit} steps` });
        break;
      }
      this.step(tid);
      this.flushEvents();
    }
    for (const t of this.tasks.values()) {
      const view = k.task(t.tid);
      if (view && view.state === 'blocked') {
        this.notes.push({ tid: t.tid, kind: 'stuck', text: `task ${t.tid} never returned from ${view.blockedCall ?? 'a call'}` });
      }
    }
    return { text: this.lines.join('\n') + '\n', notes: this.notes, invariants: k.checkInvariants() };
  }

  private now(): string {
    const ns = EPOCH_NS + this.kernel.now();
    const us = ns / 1000n;
    return `${us / 1_000_000n}.${(us % 1_000_000n).toString().padStart(6, '0')}`;
  }

  private line(tid: Tid, body: string): void {
    this.lines.push(`${String(tid).padEnd(5)} ${this.now()} ${body}`);
  }

  private startImage(tid: Tid, program: Program, argv: readonly string[], envp: readonly string[]): void {
    const mm = this.kernel.memory(tid);
    const { data, sp } = loadImage(mm);
    const image: Image = { handlers: new Map() };
    const guest = new TaskGuest(tid, this.kernel, () => this.current, data, sp, argv, envp, image, this.options.fs);
    this.tasks.set(tid, { tid, gens: [program(guest)], next: null, resume: null, blocked: null, side: null, clone3Shown: undefined, handlerDepth: 0, sigreturnMask: 0n, saved: [], image, guest });
  }

  private startChild(parent: GuestTask, child: Tid, step: Step): void {
    const start = step.child;
    if (!start) throw new ModelError(`task ${parent.tid}: ${step.call.name} made task ${child} but the model gave no child code`);
    const p = parent.guest;
    const sp = start.stack === 'inherit' ? p.sp : start.stack;
    const guest = new TaskGuest(child, this.kernel, () => this.current, p.data, sp, p.argv, p.envp, parent.image, this.options.fs);
    this.tasks.set(child, { tid: child, gens: [start.body(guest)], next: null, resume: null, blocked: null, side: null, clone3Shown: undefined, handlerDepth: 0, sigreturnMask: 0n, saved: [], image: parent.image, guest });
  }

  /** Runs the task until it issues one kernel call (or ends). */
  private step(tid: Tid): void {
    const t = this.tasks.get(tid);
    if (!t) throw new ModelError(`the kernel runs task ${tid}, which no model started`);
    if (t.blocked) {
      const r = this.kernel.completion(tid);
      // A wait whose child was taken by another thread before it ran sleeps again (do_wait loops).
      if (r === undefined && this.kernel.blockedOn(tid) !== null) return;
      if (r === undefined) throw new ModelError(`task ${tid} is ready but its ${t.blocked.step.call.name} has no result`);
      const blocked = t.blocked;
      t.blocked = null;
      this.finish(t, blocked.step, r, blocked.vfork, true);
      return;
    }
    const step = t.next ?? this.advance(t);
    if (!step) return;
    t.next = null;
    this.issue(t, step);
  }

  /** Resumes the task's innermost generator with its last result; returns the step it yields. */
  private advance(t: GuestTask): Step | null {
    for (;;) {
      const gen = t.gens[t.gens.length - 1];
      if (!gen) throw new ModelError(`task ${t.tid} has no code to run`);
      let r: IteratorResult<Step, number | void>;
      this.current = t.tid;
      try {
        r = t.resume === null ? gen.next(undefined as unknown as SysResult) : gen.next(t.resume);
      } catch (e) {
        this.current = null;
        if (e instanceof RanPastNoReturn) {
          this.notes.push({ tid: t.tid, kind: 'ran-past-no-return', text: `task ${t.tid} ran past ${e.message}: it executes whatever follows (SIGSEGV)` });
          t.resume = null;
          this.fault(t);
          return null;
        }
        throw e;
      }
      this.current = null;
      t.resume = null;
      if (!r.done) return r.value;
      if (t.gens.length > 1) {
        // A signal handler returned: its restorer calls rt_sigreturn.
        t.gens.pop();
        return { call: { name: 'rt_sigreturn' } };
      }
      // main returned: glibc's __libc_start_main calls exit(status).
      return { call: { name: 'exit_group', status: typeof r.value === 'number' ? r.value : 0 } };
    }
  }

  private issue(t: GuestTask, step: Step): void {
    const k = this.kernel;
    k.advanceTo(k.now() + CALL_NS);
    this.flushEvents();
    const vfork = isVforkCall(step.call);
    // The shim's entry: save the caller's context in a frame on its stack.
    const ctx: Context = { owner: t.tid, gens: [...t.gens] };
    const id = this.nextContext++;
    this.contexts.set(id, ctx);
    writeFrame(k.memory(t.tid), t.guest.sp, { tid: t.tid, context: id, sp: t.guest.sp });
    if (vfork && this.options.strategy.vforkRestore === 'side') t.side = ctx;
    t.clone3Shown = step.call.name === 'clone3' ? readCloneArgs(k.memory(t.tid), step.call.args, step.call.size) : undefined;
    if (step.call.name === 'rt_sigreturn') {
      const frames = k.signalFrames(t.tid);
      t.sigreturnMask = frames[frames.length - 1]?.savedMask ?? 0n;
    }
    const kcall = this.options.strategy.kernelCall(step.call);
    const r = k.syscall(t.tid, kcall);
    if (step.call.name === 'rt_sigreturn' && t.handlerDepth > 0) t.handlerDepth--;
    const child = this.createdChild(kcall, r);
    if (child !== null) this.startChild(t, child, step);
    if (r.kind === 'blocked') {
      const head = `${step.call.name}(${renderArgs(step.call, null, t.clone3Shown).head}`;
      // Events raised while entering (a vfork child's creation) come after the unfinished line.
      this.line(t.tid, `${head} <unfinished ...>`);
      t.blocked = { step, head, vfork };
      return;
    }
    this.finish(t, step, r, vfork, false);
  }

  /** The task a clone-family call created: its result, or the child a vfork parent waits for. */
  private createdChild(kcall: Syscall, r: SyscallResult): Tid | null {
    if (kcall.name !== 'fork' && kcall.name !== 'vfork' && kcall.name !== 'clone' && kcall.name !== 'clone3') return null;
    if (r.kind === 'done') return Number(r.value);
    if (r.kind === 'blocked' && r.on.kind === 'vfork') return r.on.child;
    return null;
  }

  /** A call's result reached the task: print it, restore the task's context, run handlers. */
  private finish(t: GuestTask, step: Step, r: SyscallResult, vfork: boolean, resumed: boolean): void {
    const call = step.call;
    // rt_sigreturn hands back what the interrupted code was owed; strace prints that value.
    const owed = call.name === 'rt_sigreturn' && r.kind === 'done' ? t.saved.pop() : undefined;
    const owedResult = owed?.resume ? visible(owed.resume) : null;
    const shown: SyscallResult = owedResult ?? r;
    const args = call.name === 'rt_sigreturn' ? { head: `{mask=${sigsetText(t.sigreturnMask)}}`, tail: '' } : renderArgs(call, r.kind === 'done' || r.kind === 'error' ? r : null, t.clone3Shown);
    const result = renderResult(shown, call);
    const body = resumed ? `<... ${call.name} resumed>${args.tail}) ${result}` : `${call.name}(${args.head}${args.tail}) ${result}`;
    const noReturn = r.kind === 'gone' || (call.name === 'execve' && r.kind === 'done');
    this.line(t.tid, noReturn ? body : `${body} <0.000001>`);
    const view = this.kernel.task(t.tid);
    if (r.kind === 'gone' || !view || view.state === 'exited' || view.state === 'zombie') {
      // It ended during the call (a fatal signal it sent itself lands before the return).
      this.tasks.delete(t.tid);
      return;
    }
    if (r.kind === 'blocked') throw new Error('finish: still blocked');
    if ((call.name === 'execve' || call.name === 'execveat') && r.kind === 'done') {
      const argv = typeof call.argv === 'bigint' ? [] : call.argv;
      const envp = typeof call.envp === 'bigint' ? [] : call.envp;
      const program = this.options.images(view.exe, argv);
      if (!program) throw new ModelError(`execve of ${view.exe}: no model of that program`);
      // The old image's generators are dropped, not closed: a vfork parent that returns through
      // this task's frame (shared-no-restore) still runs that code, which is the parent's too.
      this.startImage(t.tid, program, argv, envp);
      return;
    }
    if (r.kind === 'error' && r.restarts === true) {
      // Linux restarts the call after the handler: the task issues it again.
      t.next = step;
      this.enterHandlers(t);
      return;
    }
    this.restoreContext(t, vfork);
    if (call.name === 'rt_sigreturn') {
      t.resume = owedResult;
      t.next = owed?.next ?? null;
    } else {
      t.resume = visible(r);
    }
    this.enterHandlers(t);
  }

  /** The shim's exit path: find the saved context to return through. */
  private restoreContext(t: GuestTask, vfork: boolean): void {
    if (vfork && t.side) {
      t.gens = t.side.gens;
      t.side = null;
      return;
    }
    const frame = readFrame(this.kernel.memory(t.tid), t.guest.sp);
    const ctx = frame ? this.contexts.get(frame.context) : undefined;
    if (!frame || !ctx) {
      this.notes.push({ tid: t.tid, kind: 'stack-frame-clobbered', text: `task ${t.tid} returns through a shim frame that was overwritten: no saved context left (SIGSEGV)` });
      t.gens = [crash()];
      return;
    }
    if (ctx.owner !== t.tid) {
      this.notes.push({ tid: t.tid, kind: 'stack-frame-taken', text: `task ${t.tid} resumed on task ${ctx.owner}'s frame: it now runs the child's code` });
    }
    t.gens = ctx.gens;
  }

  /**
   * A synchronous fault (force_sig_info): SIGSEGV cannot stay blocked or ignored, so the kernel
   * resets it to SIG_DFL and unblocks it before sending. The kernel API has no forced signal;
   * the same two steps are issued directly (they are the kernel's, so they are not traced).
   */
  private fault(t: GuestTask): void {
    const k = this.kernel;
    const sig = SIGNALS.SIGSEGV;
    const pending = this.pendingEvents.length;
    k.syscall(t.tid, { name: 'rt_sigaction', sig, act: { handler: 'SIG_DFL', flags: 0n, mask: 0n }, oldact: 0n, sigsetsize: 8n });
    if (k.task(t.tid)?.state === 'ready') {
      k.syscall(t.tid, { name: 'rt_sigprocmask', how: 1, set: { mask: 1n << BigInt(sig - 1) }, oldset: 0n, sigsetsize: 8n });
    }
    this.pendingEvents.length = pending;
    k.signalProcess(k.task(t.tid)?.tgid ?? t.tid, sig);
    this.flushEvents();
    const after = k.task(t.tid);
    if (after && after.state !== 'exited' && after.state !== 'zombie') throw new ModelError(`task ${t.tid} survived its SIGSEGV`);
    this.tasks.delete(t.tid);
  }

  /**
   * Signal handlers the kernel set up for this task run as nested programs; the interrupted
   * code gets its own result back only after rt_sigreturn.
   */
  private enterHandlers(t: GuestTask): void {
    const frames = this.kernel.signalFrames(t.tid);
    while (t.handlerDepth < frames.length) {
      const frame = frames[t.handlerDepth];
      t.handlerDepth++;
      if (!frame) break;
      const handler = typeof frame.handler === 'bigint' ? t.image.handlers.get(frame.handler) : undefined;
      if (!handler) throw new ModelError(`task ${t.tid}: signal ${frame.signo} runs handler ${String(frame.handler)}, which the program never defined`);
      t.saved.push({ resume: t.resume, next: t.next });
      t.resume = null;
      t.next = null;
      t.gens = [...t.gens, handlerProgram(handler, frame.signo)(t.guest)];
    }
  }

  /** Kernel events since the last call, as strace's `---` and `+++` lines. */
  private flushEvents(): void {
    const events = this.pendingEvents.splice(0);
    for (const e of events) {
      switch (e.type) {
        case 'task-created':
          if (e.creator !== null) this.creators.set(e.tid, e.creator);
          break;
        case 'signal-delivered':
          if (e.signo !== SIGNALS.SIGKILL) this.line(e.tid, `--- ${signalText(e.signo)} ${siginfoText(e.info)} ---`);
          break;
        case 'signal-sent':
          this.ignoredSignal(e);
          break;
        case 'task-exit': {
          const t = this.tasks.get(e.tid);
          if (t?.blocked) this.line(e.tid, `<... ${t.blocked.step.call.name} resumed>) = ?`);
          this.tasks.delete(e.tid);
          if (e.how.kind === 'exited') this.line(e.tid, `+++ exited with ${e.how.code} +++`);
          else this.line(e.tid, `+++ killed by ${signalText(e.how.signo)}${e.how.core ? ' (core dumped)' : ''} +++`);
          break;
        }
        default:
          break;
      }
    }
  }

  /**
   * Under ptrace Linux never discards a signal at generation (sig_ignored is false for a traced
   * task), so strace reports even an ignored SIGCHLD. The kernel models an untraced process and
   * drops it; the runtime prints the line strace would have printed.
   */
  private ignoredSignal(e: Extract<KernelEvent, { type: 'signal-sent' }>): void {
    if (e.queued || e.info.signo === SIGNALS.SIGKILL) return;
    const target = this.kernel.task(e.to);
    if (!target || target.state === 'exited' || target.state === 'zombie') return;
    const bit = 1n << BigInt(e.info.signo - 1);
    if ((target.pending & bit) !== 0n) return; // a duplicate of a pending standard signal
    const proc = this.kernel.process(target.tgid);
    let tid = e.to;
    if (e.scope === 'process' && proc) {
      // A child's SIGCHLD goes to its parent *thread* (the one that created it) when that thread
      // still belongs to the process: complete_signal tries the addressed task first.
      const creator = e.info.signo === SIGNALS.SIGCHLD ? this.creators.get(e.info.pid) : undefined;
      const creatorView = creator === undefined ? undefined : this.kernel.task(creator);
      tid = creator !== undefined && creatorView?.tgid === target.tgid && creatorView.state !== 'exited' ? creator : (proc.threads[0] ?? e.to);
    }
    this.line(tid, `--- ${signalText(e.info.signo)} ${siginfoText(e.info)} ---`);
  }
}

/** struct clone_args at `args` as strace shows it: decoded when the size covers VER0 and it is readable. */
function readCloneArgs(mm: AddressSpace, args: bigint | object, size: bigint): Clone3Shown | undefined {
  if (typeof args !== 'bigint' || args === 0n || size < 64n || size > 4096n) return undefined;
  const r = mm.read(args, Number(size));
  if (!r.ok) return undefined;
  const v = new DataView(r.value.buffer, r.value.byteOffset, r.value.byteLength);
  const u = (off: number): bigint => (off + 8 <= r.value.length ? v.getBigUint64(off, true) : 0n);
  return {
    args: { flags: u(0), pidfd: u(8), child_tid: u(16), parent_tid: u(24), exit_signal: u(32), stack: u(40), stack_size: u(48), tls: u(56) },
    trailing: r.value.length > 88 ? r.value.slice(88) : undefined,
  };
}

/** What the program sees: a call a handler interrupted without restart fails with EINTR. */
function visible(r: SysResult): SysResult {
  if (r.kind === 'error' && r.restarts === false && r.errno.startsWith('ERESTART')) return { kind: 'error', errno: 'EINTR' };
  return r;
}

function handlerProgram(handler: SignalHandler, signo: number): Program {
  return function* (g) {
    yield* handler(g, signo);
  };
}

/** What a task returning through garbage runs: it faults at once. */
function* crash(): GuestGen<number | void> {
  throw new RanPastNoReturn('a clobbered stack frame');
}
