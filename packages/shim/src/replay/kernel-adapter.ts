// KernelPort over @forkscope/kernel's Kernel, set up for replay: guest memory
// off (the replay passes decoded values), the filesystem from the case's fs
// manifest (or none: exec and chdir outcomes adopted by the kernel).
import { Kernel } from '@forkscope/kernel';
import type { KernelEvent, Syscall, SyscallResult, Vfs } from '@forkscope/kernel';
import type { KernelPort } from './kernel-port.js';

export interface KernelAdapterOptions {
  readonly fs: Vfs | null;
  /** The directory the capture ran in. */
  readonly cwd?: string;
}

export class KernelAdapter implements KernelPort {
  readonly kernel: Kernel;
  readonly #cwd: string;
  readonly #fs: Vfs | null;

  constructor(options: KernelAdapterOptions) {
    this.kernel = new Kernel({ fs: options.fs, memory: 'none' });
    this.#fs = options.fs;
    this.#cwd = options.cwd ?? '/';
  }

  spawnRoot(): number {
    // Before its first execve the traced root is strace's own fork child; its image does not matter.
    return this.kernel.spawn({ path: 'strace', argv: ['strace'], cwd: this.#cwd });
  }

  syscall(tid: number, call: Syscall): SyscallResult {
    return this.kernel.syscall(tid, call);
  }

  completion(tid: number): SyscallResult | undefined {
    const view = this.kernel.task(tid);
    if (view !== undefined && view.state === 'blocked' && view.blockedOn !== null) {
      return { kind: 'blocked', on: view.blockedOn };
    }
    return this.kernel.completion(tid);
  }

  fdOpen(tid: number, fd: number): boolean {
    return this.kernel.task(tid)?.fds.includes(fd) ?? false;
  }

  inHandler(tid: number): boolean {
    return this.kernel.signalFrames(tid).length > 0;
  }

  addressSpaceOf(tid: number): string {
    const tgid = this.tgidOf(tid);
    let execs = 0;
    for (const e of this.kernel.events) if (e.type === 'exec' && e.tgid === tgid) execs++;
    return `${tgid}:${execs}`;
  }

  fsKnows(tid: number, what: 'exec' | 'chdir', path: string): 'known' | 'unknown' | 'no-fs' {
    if (this.#fs === null) return 'no-fs';
    const cwd = this.kernel.task(tid)?.cwd ?? this.#cwd;
    const r = what === 'exec' ? this.#fs.resolveExec(path, cwd) : this.#fs.resolveChdir(path, cwd);
    return r.kind === 'unknown' ? 'unknown' : 'known';
  }

  tgidOf(tid: number): number {
    return this.kernel.task(tid)?.tgid ?? tid;
  }

  state(tid: number): 'ready' | 'blocked' | 'stopped' | 'exited' | 'zombie' | undefined {
    return this.kernel.task(tid)?.state;
  }

  events(): readonly KernelEvent[] {
    return this.kernel.events;
  }
}
