// KernelPort over @forkscope/kernel's Kernel, set up for replay: guest memory
// off (the replay passes decoded values), the filesystem from the case's fs
// manifest (or none: exec and chdir outcomes adopted by the kernel).
import { Kernel } from '@forkscope/kernel';
import type { KernelEvent, SigInfo, Syscall, SyscallResult, Vfs } from '@forkscope/kernel';
import type { KernelPort } from './kernel-port.js';

export interface KernelAdapterOptions {
  readonly fs: Vfs | null;
  /** The directory the capture ran in. */
  readonly cwd?: string;
  /** RLIMIT_CORE > 0 where the capture ran (a `(core dumped)` in the recording says so). */
  readonly coreDumps?: boolean;
  /** Credentials and starting resource limits the capture shows (starting-state.ts). */
  readonly uid?: number;
  readonly gid?: number;
  readonly rlimits?: Readonly<Record<number, { readonly cur: bigint; readonly max: bigint }>>;
  /** KernelOptions.keepEvents: false keeps only the events takeEvents has not returned (bounded memory). Default true. */
  readonly keepEvents?: boolean;
  /**
   * KernelOptions.signalsOnResume (default true): tasks take their signals where strace resumed
   * them, at their `--- SIG ---` lines. False for a capture that shows none (strace -e signal=none):
   * the tasks then take them at the return of their calls.
   */
  readonly signalsOnResume?: boolean;
}

export class KernelAdapter implements KernelPort {
  readonly kernel: Kernel;
  readonly #cwd: string;
  readonly #fs: Vfs | null;
  /** Execs done per process so far (kept from the kernel's events as they happen, not by rescanning its log). */
  readonly #execs = new Map<number, number>();
  /** Asked before a merge (askBeforeMerge); set by the guest once it exists, after the kernel. */
  #beforeMerge: ((tid: number, info: SigInfo) => boolean) | null = null;

  constructor(options: KernelAdapterOptions) {
    this.kernel = new Kernel({
      fs: options.fs,
      memory: 'none',
      coreDumps: options.coreDumps ?? false,
      uid: options.uid ?? 0,
      gid: options.gid ?? 0,
      rlimits: options.rlimits ?? {},
      // Every recorded process ran under strace -f: parents hear of exits when strace collects them.
      traced: true,
      // …and take their signals when strace resumes them from a syscall-exit stop, which their next line shows.
      signalsOnResume: options.signalsOnResume ?? true,
      // …and where strace's lines show a task took a signal before strace printed it, it takes it there.
      signalTakenBefore: (tid, info) => this.#beforeMerge !== null && this.#beforeMerge(tid, info),
      keepEvents: options.keepEvents ?? true,
    });
    this.#fs = options.fs;
    this.#cwd = options.cwd ?? '/';
    this.kernel.onEvent((e) => {
      if (e.type === 'exec') this.#execs.set(e.tgid, (this.#execs.get(e.tgid) ?? 0) + 1);
    });
  }

  spawnRoot(fds: readonly number[]): number {
    // Before its first execve the traced root is strace's own fork child; its image does not matter.
    const tid = this.kernel.spawn({ path: 'strace', argv: ['strace'], cwd: this.#cwd });
    const wanted = new Set(fds);
    for (const fd of [0, 1, 2]) if (!wanted.has(fd)) this.#setup(tid, { name: 'close', fd });
    for (const fd of [...wanted].filter((f) => f > 2).sort((a, b) => a - b)) {
      const opened = this.#setup(tid, { name: 'openat', dirfd: -100, path: '/forkscope-replay/inherited', flags: 0o2, mode: 0 });
      if (opened.kind !== 'done' || Number(opened.value) === fd) continue;
      this.#setup(tid, { name: 'dup2', oldfd: Number(opened.value), newfd: fd });
      this.#setup(tid, { name: 'close', fd: Number(opened.value) });
    }
    return tid;
  }

  /** A call made to set the root up as the recording implies; a failure is a bug here, not in the input. */
  #setup(tid: number, call: Syscall): SyscallResult {
    const r = this.kernel.syscall(tid, call);
    if (r.kind !== 'done') throw new Error(`setting up the root's inherited fds: ${call.name} gave ${r.kind === 'error' ? r.errno : r.kind}`);
    return r;
  }

  syscall(tid: number, call: Syscall): SyscallResult {
    return this.kernel.syscall(tid, call);
  }

  collect(tid: number): void {
    this.kernel.tracerCollect(tid);
  }

  resume(tid: number): void {
    this.kernel.resume(tid);
  }

  askBeforeMerge(decide: (tid: number, info: SigInfo) => boolean): void {
    this.#beforeMerge = decide;
  }

  completion(tid: number): SyscallResult | undefined {
    const on = this.kernel.taskState(tid) === 'blocked' ? this.kernel.blockedOn(tid) : null;
    if (on !== null) return { kind: 'blocked', on };
    return this.kernel.completion(tid);
  }

  fdOpen(tid: number, fd: number): boolean {
    const state = this.kernel.taskState(tid);
    // A live task's table is asked directly (the task's view would build its sorted fd list).
    if (state === 'ready' || state === 'blocked' || state === 'stopped') return this.kernel.files(tid).get(fd) !== undefined;
    return false;
  }

  inHandler(tid: number): boolean {
    return this.kernel.signalFrames(tid).length > 0;
  }

  anyMapped(tid: number, addr: bigint, length: bigint): boolean {
    const maps = this.kernel.memory(tid)?.mappings() ?? [];
    return maps.some((m) => m.start < addr + length && addr < m.start + m.length);
  }

  sigreturnCall(tid: number): string | null {
    const frames = this.kernel.signalFrames(tid);
    return frames[frames.length - 1]?.interrupted?.call ?? null;
  }

  addressSpaceOf(tid: number): string {
    const tgid = this.tgidOf(tid);
    return `${tgid}:${this.#execs.get(tgid) ?? 0}`;
  }

  fsKnows(tid: number, what: 'exec' | 'chdir', path: string): 'known' | 'unknown' | 'no-fs' {
    if (this.#fs === null) return 'no-fs';
    const cwd = this.kernel.task(tid)?.cwd ?? this.#cwd;
    const r = what === 'exec' ? this.#fs.resolveExec(path, cwd) : this.#fs.resolveChdir(path, cwd);
    return r.kind === 'unknown' ? 'unknown' : 'known';
  }

  inject(tid: number, signo: number): void {
    this.kernel.signalProcess(this.tgidOf(tid), signo);
  }

  tgidOf(tid: number): number {
    return this.kernel.tgidOf(tid) ?? tid;
  }

  state(tid: number): 'ready' | 'blocked' | 'stopped' | 'exited' | 'zombie' | undefined {
    // O(1), not the task's view (its sorted fd list and frame copies): asked before nearly every call.
    return this.kernel.taskState(tid);
  }

  events(): readonly KernelEvent[] {
    return this.kernel.events;
  }

  takeEvents(): readonly KernelEvent[] {
    return this.kernel.takeEvents();
  }

  eventCount(): number {
    return this.kernel.eventCount;
  }
}
