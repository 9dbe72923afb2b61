// Renders the emulated run in strace 6.1's -f -ttt -T text, so that the tracer reads a model
// run exactly as it reads a real capture. Only the shapes the models issue are rendered with
// strace's decoding; anything else falls back to plain numbers, which the tracer still parses.
import {
  AT_FDCWD,
  CLD,
  F_DUPFD,
  F_DUPFD_CLOEXEC,
  F_GETFD,
  F_SETFD,
  FD_CLOEXEC,
  FUTEX,
  PR,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NONBLOCK,
  O_TRUNC,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_STACK,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  CLONE,
  errnoMessage,
  P_ALL,
  P_PGID,
  P_PID,
  P_PIDFD,
  signalName,
  WAIT,
  type CloneArgsStruct,
  type PathArg,
  type SigInfo,
  type StringArrayArg,
  type Syscall,
  type SyscallResult,
} from '@forkscope/kernel';

const CLONE_NAMES: readonly (readonly [bigint, string])[] = [
  [CLONE.VM, 'CLONE_VM'],
  [CLONE.FS, 'CLONE_FS'],
  [CLONE.FILES, 'CLONE_FILES'],
  [CLONE.SIGHAND, 'CLONE_SIGHAND'],
  [CLONE.PIDFD, 'CLONE_PIDFD'],
  [CLONE.PTRACE, 'CLONE_PTRACE'],
  [CLONE.VFORK, 'CLONE_VFORK'],
  [CLONE.PARENT, 'CLONE_PARENT'],
  [CLONE.THREAD, 'CLONE_THREAD'],
  [CLONE.NEWNS, 'CLONE_NEWNS'],
  [CLONE.SYSVSEM, 'CLONE_SYSVSEM'],
  [CLONE.SETTLS, 'CLONE_SETTLS'],
  [CLONE.PARENT_SETTID, 'CLONE_PARENT_SETTID'],
  [CLONE.CHILD_CLEARTID, 'CLONE_CHILD_CLEARTID'],
  [CLONE.DETACHED, 'CLONE_DETACHED'],
  [CLONE.UNTRACED, 'CLONE_UNTRACED'],
  [CLONE.CHILD_SETTID, 'CLONE_CHILD_SETTID'],
  [CLONE.CLEAR_SIGHAND, 'CLONE_CLEAR_SIGHAND'],
  [CLONE.INTO_CGROUP, 'CLONE_INTO_CGROUP'],
];

const WAIT_NAMES: readonly (readonly [number, string])[] = [
  [WAIT.WNOHANG, 'WNOHANG'],
  [WAIT.WSTOPPED, 'WSTOPPED'],
  [WAIT.WEXITED, 'WEXITED'],
  [WAIT.WCONTINUED, 'WCONTINUED'],
  [WAIT.WNOWAIT, 'WNOWAIT'],
  [WAIT.__WNOTHREAD, '__WNOTHREAD'],
  [WAIT.__WALL, '__WALL'],
  [WAIT.__WCLONE, '__WCLONE'],
];

const OPEN_NAMES: readonly (readonly [number, string])[] = [
  [O_CREAT, 'O_CREAT'],
  [O_EXCL, 'O_EXCL'],
  [O_TRUNC, 'O_TRUNC'],
  [O_APPEND, 'O_APPEND'],
  [O_NONBLOCK, 'O_NONBLOCK'],
  [O_DIRECTORY, 'O_DIRECTORY'],
  [O_CLOEXEC, 'O_CLOEXEC'],
];

const PROT_NAMES: readonly (readonly [number, string])[] = [
  [PROT_READ, 'PROT_READ'],
  [PROT_WRITE, 'PROT_WRITE'],
  [PROT_EXEC, 'PROT_EXEC'],
];
const MAP_NAMES: readonly (readonly [number, string])[] = [
  [MAP_SHARED, 'MAP_SHARED'],
  [MAP_PRIVATE, 'MAP_PRIVATE'],
  [MAP_FIXED, 'MAP_FIXED'],
  [MAP_ANONYMOUS, 'MAP_ANONYMOUS'],
  [MAP_STACK, 'MAP_STACK'],
];

function bitNames(value: number, names: readonly (readonly [number, string])[], zero: string): string {
  const parts: string[] = [];
  let rest = value;
  for (const [bit, name] of names) {
    if ((rest & bit) !== 0) {
      parts.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0) parts.push(`0x${rest.toString(16)}`);
  return parts.length === 0 ? zero : parts.join('|');
}

/** A signal set as strace prints it: `[CHLD USR1]`, or `~[…]` for the complement when shorter. */
export function sigsetText(mask: bigint): string {
  const all = (1n << 64n) - 1n;
  const names = (m: bigint): string[] => {
    const out: string[] = [];
    for (let s = 1; s <= 64; s++) if ((m >> BigInt(s - 1)) & 1n) out.push(signalText(s).replace(/^SIG/, ''));
    return out;
  };
  const set = names(mask & all);
  const complement = names(~mask & all);
  return complement.length < set.length ? `~[${complement.join(' ')}]` : `[${set.join(' ')}]`;
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

function ptr(v: bigint): string {
  return v === 0n ? 'NULL' : hex(v);
}

export function signalText(signo: number): string {
  return signalName(signo) ?? String(signo);
}

function cloneFlags(flags: bigint, withSignal: boolean): string {
  const parts: string[] = [];
  let rest = flags & ~CLONE.CSIGNAL;
  for (const [bit, name] of CLONE_NAMES) {
    if ((rest & bit) !== 0n) {
      parts.push(name);
      rest &= ~bit;
    }
  }
  if (rest !== 0n) parts.push(hex(rest));
  const sig = Number(flags & CLONE.CSIGNAL);
  if (withSignal && sig !== 0) parts.push(signalText(sig));
  return parts.length === 0 ? '0' : parts.join('|');
}

function waitOptions(options: number): string {
  const parts: string[] = [];
  let rest = options >>> 0;
  for (const [bit, name] of WAIT_NAMES) {
    if ((rest & bit) >>> 0 !== 0) {
      parts.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest !== 0) parts.push(`0x${rest.toString(16)}`);
  return parts.length === 0 ? '0' : parts.join('|');
}

/** A C string as strace prints it: printable ASCII as is, the usual escapes, other bytes in octal. */
function quoteBytes(bytes: Uint8Array): string {
  let out = '"';
  for (const c of bytes) {
    if (c === 0x22 || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c >= 0x7f) out += `\\${c.toString(8)}`;
    else out += String.fromCharCode(c);
  }
  return `${out}"`;
}

function quote(text: string): string {
  return quoteBytes(new TextEncoder().encode(text));
}

/** strace -s 256: at most 256 bytes of a buffer, then `...`. */
const STRING_LIMIT = 256;

function bytesText(bytes: Uint8Array): string {
  return quoteBytes(bytes.subarray(0, STRING_LIMIT)) + (bytes.length > STRING_LIMIT ? '...' : '');
}

function pathText(p: PathArg): string {
  return typeof p === 'string' ? quote(p) : hex(p);
}

function argvText(a: StringArrayArg): string {
  if (typeof a === 'bigint') return ptr(a);
  return `[${a.map(quote).join(', ')}]`;
}

function envpText(a: StringArrayArg): string {
  if (typeof a === 'bigint') return ptr(a);
  return `0x7ffc00000000 /* ${a.length} vars */`;
}

/** A wait status as strace decodes it. */
export function statusText(status: number): string {
  const sig = status & 0x7f;
  if (sig === 0) return `[{WIFEXITED(s) && WEXITSTATUS(s) == ${(status >> 8) & 0xff}}]`;
  if (sig === 0x7f) return `[{WIFSTOPPED(s) && WSTOPSIG(s) == ${signalText((status >> 8) & 0xff)}}]`;
  const core = (status & 0x80) !== 0 ? ' && WCOREDUMP(s)' : '';
  return `[{WIFSIGNALED(s) && WTERMSIG(s) == ${signalText(sig)}${core}}]`;
}

const CLD_NAMES: { readonly [code: number]: string } = {
  [CLD.EXITED]: 'CLD_EXITED',
  [CLD.KILLED]: 'CLD_KILLED',
  [CLD.DUMPED]: 'CLD_DUMPED',
  [CLD.TRAPPED]: 'CLD_TRAPPED',
  [CLD.STOPPED]: 'CLD_STOPPED',
  [CLD.CONTINUED]: 'CLD_CONTINUED',
};

const SI_NAMES: { readonly [code: number]: string } = { 0: 'SI_USER', 128: 'SI_KERNEL', [-6]: 'SI_TKILL', [-1]: 'SI_QUEUE' };

/** A siginfo as strace prints it in `--- SIG {…} ---` lines and waitid's infop. */
export function siginfoText(info: SigInfo): string {
  const name = signalText(info.signo);
  if (info.signo === 17 && CLD_NAMES[info.code] !== undefined) {
    const status = info.code === CLD.EXITED ? String(info.status) : signalText(info.status);
    return `{si_signo=${name}, si_code=${CLD_NAMES[info.code]}, si_pid=${info.pid}, si_uid=${info.uid}, si_status=${status}, si_utime=${info.utime}, si_stime=${info.stime}}`;
  }
  const code = SI_NAMES[info.code] ?? String(info.code);
  return `{si_signo=${name}, si_code=${code}, si_pid=${info.pid}, si_uid=${info.uid}}`;
}

/** clone_args read from guest memory for display (strace decodes what it can read). */
export interface Clone3Shown {
  readonly args: CloneArgsStruct;
  /** Bytes beyond struct clone_args VER2, when the size says there are some. */
  readonly trailing?: Uint8Array;
}

function clone3Text(args: CloneArgsStruct | bigint, shown?: Clone3Shown): string {
  if (typeof args === 'bigint' && shown) {
    const base = clone3Text(shown.args).slice(0, -1);
    if (!shown.trailing || shown.trailing.length === 0) return `${base}}`;
    let bytes = '';
    for (const b of shown.trailing) bytes += `\\x${b.toString(16).padStart(2, '0')}`;
    return `${base}, /* bytes 88..${87 + shown.trailing.length} */ "${bytes}"}`;
  }
  if (typeof args === 'bigint') return ptr(args);
  const parts = [`flags=${cloneFlags(args.flags ?? 0n, false)}`];
  if ((args.pidfd ?? 0n) !== 0n) parts.push(`pidfd=${hex(args.pidfd ?? 0n)}`);
  if ((args.child_tid ?? 0n) !== 0n) parts.push(`child_tid=${hex(args.child_tid ?? 0n)}`);
  if ((args.parent_tid ?? 0n) !== 0n) parts.push(`parent_tid=${hex(args.parent_tid ?? 0n)}`);
  const sig = Number(args.exit_signal ?? 0n);
  parts.push(`exit_signal=${sig === 0 ? '0' : signalText(sig)}`);
  parts.push(`stack=${ptr(args.stack ?? 0n)}`, `stack_size=${(args.stack_size ?? 0n) === 0n ? '0' : hex(args.stack_size ?? 0n)}`);
  if ((args.tls ?? 0n) !== 0n) parts.push(`tls=${hex(args.tls ?? 0n)}`);
  return `{${parts.join(', ')}}`;
}

function idtypeText(idtype: number): string {
  switch (idtype) {
    case P_ALL:
      return 'P_ALL';
    case P_PID:
      return 'P_PID';
    case P_PGID:
      return 'P_PGID';
    case P_PIDFD:
      return 'P_PIDFD';
    default:
      return String(idtype);
  }
}

/** A rendered call: argument text before and after the point where a blocked call splits. */
export interface RenderedCall {
  readonly head: string;
  readonly tail: string;
}

type Finished = Extract<SyscallResult, { kind: 'done' } | { kind: 'error' }> | null;

/** The argument text of `call` given its result (null while it has none yet). */
export function renderArgs(call: Syscall, result: Finished, clone3?: Clone3Shown): RenderedCall {
  const out = result?.out;
  const one = (head: string): RenderedCall => ({ head, tail: '' });
  switch (call.name) {
    case 'execve':
      return one(`${pathText(call.path)}, ${argvText(call.argv)}, ${envpText(call.envp)}`);
    case 'fork':
    case 'vfork':
    case 'getpid':
    case 'gettid':
    case 'getppid':
    case 'getpgrp':
    case 'setsid':
    case 'pause':
      return one('');
    case 'clone':
      return one(
        `child_stack=${ptr(call.stack)}, flags=${cloneFlags(call.flags, true)}` +
          ((call.flags & CLONE.CHILD_SETTID) !== 0n || (call.flags & CLONE.CHILD_CLEARTID) !== 0n ? `, child_tidptr=${ptr(call.child_tid)}` : ''),
      );
    case 'clone3': {
      const pidfd = out?.pidfd !== undefined ? ` => {pidfd=[${out.pidfd}]}` : '';
      return one(`${clone3Text(call.args, clone3)}${pidfd}, ${call.size}`);
    }
    case 'exit':
    case 'exit_group':
      return one(String(call.status));
    case 'wait4': {
      const status = out?.status !== undefined && call.status !== 0n ? statusText(out.status) : ptr(call.status);
      return { head: `${call.pid}, `, tail: `${status}, ${waitOptions(call.options)}, ${ptr(call.rusage)}` };
    }
    case 'waitid': {
      const info = out?.siginfo !== undefined && result?.kind === 'done' && out.siginfo.signo !== 0 ? siginfoText(out.siginfo) : ptr(call.infop);
      return { head: `${idtypeText(call.idtype)}, ${call.id}, `, tail: `${info}, ${waitOptions(call.options)}, ${ptr(call.rusage)}` };
    }
    case 'kill':
      return one(`${call.pid}, ${signalText(call.sig)}`);
    case 'tgkill':
      return one(`${call.tgid}, ${call.tid}, ${signalText(call.sig)}`);
    case 'tkill':
      return one(`${call.tid}, ${signalText(call.sig)}`);
    case 'rt_sigreturn':
      return one('{mask=[]}');
    case 'read': {
      const data = out?.data !== undefined ? bytesText(out.data) : hex(call.buf);
      return { head: `${call.fd}, `, tail: `${data}, ${call.count}` };
    }
    case 'write': {
      const data = typeof call.buf === 'bigint' ? hex(call.buf) : bytesText(call.buf);
      return one(`${call.fd}, ${data}, ${call.count}`);
    }
    case 'pipe2':
    case 'pipe': {
      const fds = out?.fds !== undefined ? `[${out.fds[0]}, ${out.fds[1]}]` : ptr(call.pipefd);
      return one(call.name === 'pipe2' ? `${fds}, ${call.flags === 0 ? '0' : 'O_CLOEXEC'}` : fds);
    }
    case 'dup2':
      return one(`${call.oldfd}, ${call.newfd}`);
    case 'close':
      return one(String(call.fd));
    case 'chdir':
      return one(pathText(call.path));
    case 'setpgid':
      return one(`${call.pid}, ${call.pgid}`);
    case 'prctl':
      return one(`${PR_NAMES[call.option] ?? call.option}, ${call.arg2}`);
    case 'openat': {
      const mode = (call.flags & O_CREAT) !== 0 ? `, 0${call.mode.toString(8)}` : '';
      return one(`${call.dirfd === AT_FDCWD ? 'AT_FDCWD' : call.dirfd}, ${pathText(call.path)}, ${openFlags(call.flags)}${mode}`);
    }
    case 'fcntl':
      switch (call.cmd) {
        case F_GETFD:
          return one(`${call.fd}, F_GETFD`);
        case F_SETFD:
          return one(`${call.fd}, F_SETFD, ${call.arg === BigInt(FD_CLOEXEC) ? 'FD_CLOEXEC' : call.arg}`);
        case F_DUPFD:
          return one(`${call.fd}, F_DUPFD, ${call.arg}`);
        case F_DUPFD_CLOEXEC:
          return one(`${call.fd}, F_DUPFD_CLOEXEC, ${call.arg}`);
        default:
          return one(`${call.fd}, ${call.cmd}, ${call.arg}`);
      }
    case 'close_range':
      return one(`${call.first}, ${call.last >>> 0}, ${call.flags}`);
    case 'getcwd':
      return one(`${out?.cwd !== undefined ? quote(out.cwd) : ptr(call.buf)}, ${call.size}`);
    case 'rt_sigsuspend':
      return one(`${typeof call.mask === 'bigint' ? ptr(call.mask) : sigsetText(call.mask.mask)}, ${call.sigsetsize}`);
    case 'dup':
      return one(String(call.oldfd));
    case 'futex': {
      const cmd = call.op & ~(FUTEX.PRIVATE_FLAG | FUTEX.CLOCK_REALTIME);
      const name = (cmd === FUTEX.WAIT ? 'FUTEX_WAIT' : cmd === FUTEX.WAKE ? 'FUTEX_WAKE' : String(cmd)) + ((call.op & FUTEX.PRIVATE_FLAG) !== 0 ? '_PRIVATE' : '');
      const clock = (call.op & FUTEX.CLOCK_REALTIME) !== 0 ? '|FUTEX_CLOCK_REALTIME' : '';
      return cmd === FUTEX.WAIT
        ? { head: `${hex(call.uaddr)}, ${name}${clock}, ${call.val}, `, tail: typeof call.timeout === 'bigint' ? ptr(call.timeout) : `{tv_sec=${call.timeout.sec}, tv_nsec=${call.timeout.nsec}}` }
        : one(`${hex(call.uaddr)}, ${name}${clock}, ${call.val}`);
    }
    case 'set_tid_address':
      return one(hex(call.tidptr));
    case 'brk':
      return one(ptr(call.addr));
    case 'mprotect':
      return one(`${hex(call.addr)}, ${call.length}, ${bitNames(call.prot, PROT_NAMES, 'PROT_NONE')}`);
    case 'dup3':
      return one(`${call.oldfd}, ${call.newfd}, ${call.flags === 0 ? '0' : 'O_CLOEXEC'}`);
    case 'mmap':
      return one(`${ptr(call.addr)}, ${call.length}, ${bitNames(call.prot, PROT_NAMES, 'PROT_NONE')}, ${bitNames(call.flags, MAP_NAMES, '0')}, ${call.fd}, ${call.offset}`);
    case 'munmap':
      return one(`${hex(call.addr)}, ${call.length}`);
    case 'rt_sigprocmask': {
      const how = ['SIG_BLOCK', 'SIG_UNBLOCK', 'SIG_SETMASK'][call.how] ?? String(call.how);
      const set = typeof call.set === 'bigint' ? ptr(call.set) : sigsetText(call.set.mask);
      const old = call.oldset !== 0n && out?.sigset !== undefined ? sigsetText(out.sigset) : ptr(call.oldset);
      return one(`${how}, ${set}, ${old}, ${call.sigsetsize}`);
    }
    case 'rt_sigaction': {
      const act = typeof call.act === 'bigint' ? ptr(call.act) : `{sa_handler=${typeof call.act.handler === 'string' ? call.act.handler : hex(call.act.handler)}, sa_mask=[], sa_flags=${hex(call.act.flags)}}`;
      return one(`${signalText(call.sig)}, ${act}, ${ptr(call.oldact)}, ${call.sigsetsize}`);
    }
    default:
      return one('');
  }
}

const PR_NAMES: { readonly [option: number]: string } = {
  [PR.SET_PDEATHSIG]: 'PR_SET_PDEATHSIG',
  [PR.GET_PDEATHSIG]: 'PR_GET_PDEATHSIG',
  [PR.SET_NAME]: 'PR_SET_NAME',
  [PR.GET_NAME]: 'PR_GET_NAME',
  [PR.SET_CHILD_SUBREAPER]: 'PR_SET_CHILD_SUBREAPER',
  [PR.GET_CHILD_SUBREAPER]: 'PR_GET_CHILD_SUBREAPER',
};

const RESTART_TEXT: { readonly [errno: string]: string } = {
  ERESTARTSYS: 'To be restarted if SA_RESTART is set',
  ERESTARTNOINTR: 'To be restarted',
  ERESTARTNOHAND: 'To be restarted if no handler',
  ERESTART_RESTARTBLOCK: 'Interrupted by signal',
};

function openFlags(flags: number): string {
  const access = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'][flags & 3] ?? 'O_RDONLY';
  const rest = bitNames(flags & ~3, OPEN_NAMES, '');
  return rest === '' ? access : `${access}|${rest}`;
}

/** `= 3`, `= 0x7f…` (mmap), `= -1 ENOENT (…)`, `= ?` for a call that did not return. */
export function renderResult(result: SyscallResult, call?: Syscall): string {
  switch (result.kind) {
    case 'done':
      return call?.name === 'mmap' || call?.name === 'brk' ? `= ${hex(result.value)}` : `= ${result.value}`;
    case 'error':
      if (result.errno.startsWith('ERESTART')) return `= ? ${result.errno} (${RESTART_TEXT[result.errno] ?? 'To be restarted'})`;
      return `= -1 ${result.errno} (${errnoMessage(result.errno)})`;
    case 'gone':
      return '= ?';
    case 'blocked':
      throw new Error('renderResult: a blocked call has no result yet');
    default: {
      const never: never = result;
      throw new Error(`renderResult: ${JSON.stringify(never)}`);
    }
  }
}
