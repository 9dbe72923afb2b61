// From a recorded syscall (strace's decoded arguments) to the kernel's typed
// call, or to the reason it cannot or should not be sent. Pids in arguments go
// through the replay's mapping; where strace printed only an address for
// something Linux reads (envp), the kernel gets what the recording tells.
import { parseArgs, plainDecimal } from '@forkscope/tracer';
import type { Field, SyscallEvent, Value } from '@forkscope/tracer';
import type { CloneArgsStruct, SigactionStruct, Syscall } from '@forkscope/kernel';
import { signalNumber } from '@forkscope/kernel';
import {
  AT_NAMES,
  CLONE_FLAG_NAMES,
  CLOSE_RANGE_NAMES,
  FCNTL_CMD_NAMES,
  ARCH_PRCTL_NAMES,
  FD_FLAG_NAMES,
  FUTEX_OP_NAMES,
  GRND_NAMES,
  IDTYPE_NAMES,
  MAP_FLAG_NAMES,
  OPEN_FLAG_NAMES,
  PROT_NAMES,
  PRCTL_OPTION_NAMES,
  RLIMIT_NAMES,
  RSEQ_FLAG_NAMES,
  SA_FLAG_NAMES,
  SIGPROCMASK_HOW_NAMES,
  WAIT_OPTION_NAMES,
} from './names.js';
import type { NameTable } from './names.js';
import { KEEP_ARGS, dirfdPath, fcntlArgs, fdBufCount, leadingFd, mmapArgs, openArgs } from './conversion-view.js';
import {
  argOf,
  bare,
  before,
  constOf,
  fieldOf,
  flagsOf,
  intOf,
  ptrOf,
  rlimitOf,
  sigsetOf,
  stringArrayOf,
  stringOf,
} from './values.js';

/** Signal names to numbers, as a lookup the value readers take. */
export const signalByName = (name: string): bigint | undefined => {
  const n = signalNumber(name);
  return n === undefined ? undefined : BigInt(n);
};
const SIGNALS = { get: signalByName };

/** How a recorded call takes part in the replay. */
export type Conversion =
  /** Sent to the kernel; its result is compared with the recording. */
  | { readonly kind: 'checked'; readonly call: Syscall }
  /**
   * The result is an environment input (an opened file's fd), but the call is sent so that
   * its effect is tracked, and the part of the result the kernel decides (the fd number) is compared.
   */
  | { readonly kind: 'effect'; readonly call: Syscall }
  /**
   * Calls that create fds on objects the kernel does not model (sockets, epoll, eventfd…): the
   * kernel opens opaque files in their place, so the fd numbers are effect-checked like open's.
   * `opens` has one call per fd the syscall returns (two for socketpair).
   */
  | { readonly kind: 'fd-create'; readonly opens: readonly Syscall[]; readonly fdsIn: 'result' | 'array-arg' }
  /** ioctl(FIONBIO): sets or clears O_NONBLOCK on the open file (through F_GETFL/F_SETFL). */
  | { readonly kind: 'nonblock'; readonly fd: number; readonly on: boolean }
  /**
   * The call works on an fd the kernel does not model the contents of: only the fd's validity is
   * checked (`also`: further fds that must be open too, e.g. every fd a poll watched).
   */
  | { readonly kind: 'fd-probe'; readonly fd: number; readonly also?: readonly number[] }
  /** Sent to the kernel for its effect (rt_sigreturn restoring the mask); its value is the environment's. */
  | { readonly kind: 'run-adopted'; readonly call: Syscall; readonly reason: string }
  /** Not sent: the kernel does not model it, or the recording does not tell enough. */
  | { readonly kind: 'adopted'; readonly reason: string };

/** Recorded pid to emulated, for pid arguments; undefined when the recording never bound it. */
export type PidLookup = (recorded: number) => number | undefined;

const adopted = (reason: string): Conversion => ({ kind: 'adopted', reason });
/** A write whose buffer strace did not show as a string: every byte unknown. */
const NO_BYTES = new Uint8Array(0);

/** Syscalls whose first argument is an fd and whose work the kernel does not model beyond the fd table (none has a case in convertDecoded's switch). */
const FD_FIRST = new Set([
  'fstat',
  'lseek',
  'pread64',
  'pwrite64',
  'readv',
  'writev',
  'preadv',
  'pwritev',
  'getdents64',
  'getdents',
  'fstatfs',
  'fadvise64',
  'fsync',
  'fdatasync',
  'ftruncate',
  'flock',
  'fchmod',
  'fchown',
  'fgetxattr',
  'fsetxattr',
  'sendfile',
  'recvfrom',
  'recvmsg',
  'sendto',
  'sendmsg',
  'getsockname',
  'getpeername',
  'getsockopt',
  'setsockopt',
  'shutdown',
  'connect',
  'bind',
  'listen',
  'epoll_ctl',
  'epoll_wait',
]);

/** Calls with a dirfd first and a path second: the fd matters only for a relative path (none has a case in the switch). */
const DIRFD_FIRST = new Set(['newfstatat', 'statx', 'faccessat', 'faccessat2', 'readlinkat', 'mkdirat', 'unlinkat', 'fchmodat', 'fchownat', 'utimensat']);

// Module-level, not closures in convertDecoded: it runs once per recorded call.
const unmapped = (what: string): Conversion => adopted(`${what} is a pid outside the recording`);
const undecodable = (what: string): Conversion => adopted(`${what} not decoded in the recording`);
const checked = (call: Syscall): Conversion => ({ kind: 'checked', call });

/** The recording's arguments could not be decoded (thrown by event.args, caught by convert). */
class UndecodedArguments extends Error {}

/**
 * Where convert takes a call's argument tree from: the event's own cached `args` ('cached'), or,
 * for a call whose tree nothing reads after the conversion (not in KEEP_ARGS), a parse of its
 * text that is not kept ('transient'; see conversion-view.ts for why the cache matters).
 */
export type TreeSource = 'cached' | 'transient';

/** What convert needs to know about a call name, worked out once per distinct name. */
interface CallName {
  /**
   * The name as an internalized string: the parser hands every line a fresh copy, which each
   * `case` of a string switch and each Set lookup must compare character by character; this one
   * compares by identity with the literals (and with the kernel's own switch, as a call's name).
   */
  readonly name: string;
  readonly fdFirst: boolean;
  readonly dirfdFirst: boolean;
  readonly keepArgs: boolean;
}

const CALL_NAMES = new Map<string, CallName>();
/** Distinct names remembered at most (a capture of garbage names must not grow the table without bound). */
const MAX_CALL_NAMES = 4096;

function callName(name: string): CallName {
  const known = CALL_NAMES.get(name);
  if (known !== undefined) return known;
  // Property keys are internalized strings (a syscall name is never an array index).
  const internal = Object.keys({ [name]: 0 })[0] ?? name;
  const info: CallName = { name: internal, fdFirst: FD_FIRST.has(name), dirfdFirst: DIRFD_FIRST.has(name), keepArgs: KEEP_ARGS.has(name) };
  if (CALL_NAMES.size < MAX_CALL_NAMES) CALL_NAMES.set(internal, info);
  return info;
}

export function convert(event: SyscallEvent, pids: PidLookup, tree: TreeSource = 'cached'): Conversion {
  const info = callName(event.name);
  if (info.name.startsWith('syscall_')) return adopted('unknown syscall number');
  try {
    return convertDecoded(event, info, pids, tree === 'cached' || info.keepArgs);
  } catch (err) {
    if (err instanceof UndecodedArguments) return adopted(`arguments not decoded: ${err.message}`);
    throw err;
  }
}

/**
 * The recorded call's arguments, decoded on first use: a call adopted by its name alone (a third
 * of a big capture's calls: xattrs, statx…) never has its argument text parsed. One object for
 * every call (`for`), rather than closures over the tree or an object per call: convert runs for
 * every recorded call, one at a time (nothing it calls converts another).
 */
class LazyArgs {
  #args: readonly Field[] | undefined;
  #event: SyscallEvent | undefined;
  /** The tree is the event's own `args` (kept with the event); else parsed from the text and dropped after. */
  #cached = false;

  /** Starts on another call: its arguments, not yet decoded. */
  for(event: SyscallEvent, cached: boolean): this {
    this.#event = event;
    this.#cached = cached;
    this.#args = undefined;
    return this;
  }

  /** The argument at a position, or by name (clone's `flags=`). */
  at(i: number, name?: string): Value | undefined {
    if (this.#args === undefined) {
      const event = this.#event as SyscallEvent;
      try {
        this.#args = this.#cached ? event.args : parseArgs(event.argsText);
      } catch (err) {
        throw new UndecodedArguments(err instanceof Error ? err.message : String(err));
      }
    }
    return argOf(this.#args, i, name);
  }

  /** An int argument as the 32-bit value the kernel sees. */
  int(i: number, name?: string): number | undefined {
    const v = intOf(this.at(i, name));
    return v === undefined ? undefined : Number(BigInt.asIntN(32, v));
  }
}

/** A recorded pid argument through the mapping: 0 and -1 as they are, a negative one as a group. */
function mapPid(pids: PidLookup, recorded: number | undefined): number | undefined {
  if (recorded === undefined) return undefined;
  if (recorded === 0 || recorded === -1) return recorded;
  if (recorded < -1) {
    const g = pids(-recorded);
    return g === undefined ? undefined : -g;
  }
  return pids(recorded);
}

const ARGS = new LazyArgs();

function convertDecoded(event: SyscallEvent, info: CallName, pids: PidLookup, cachedTree: boolean): Conversion {
  const arg = ARGS.for(event, cachedTree);
  const name = info.name;

  // Tested before the switch, which compares the name with each case in turn: the fd-first and
  // dirfd-first calls (fstat, getdents64, newfstatat, statx…) are many and have no case.
  if (info.fdFirst) {
    const fd = leadingFd(event.argsText) ?? arg.int(0);
    return fd === undefined ? undecodable('fd') : { kind: 'fd-probe', fd };
  }
  if (info.dirfdFirst) {
    const plain = dirfdPath(event.argsText);
    if (plain !== undefined) {
      return plain.dirfd !== -100 && !plain.absolute ? { kind: 'fd-probe', fd: plain.dirfd } : adoptedOnPath(name);
    }
    const dirfd = constOf(arg.at(0), AT_NAMES) ?? intOf(arg.at(0));
    const path = stringOf(arg.at(1));
    // An absolute path ignores dirfd; AT_FDCWD names no descriptor.
    if (dirfd !== undefined && dirfd !== -100n && path !== undefined && !path.text.startsWith('/')) {
      return { kind: 'fd-probe', fd: Number(BigInt.asIntN(32, dirfd)) };
    }
    return adoptedOnPath(name);
  }
  switch (name) {
    // The calls a big capture makes most, first.
    case 'read': {
      // The buffer (the data read) is not needed: fd and count from the text when it allows.
      const plain = fdBufCount(event.argsText);
      const fd = plain?.fd ?? arg.int(0);
      const count = plain?.count ?? intOf(arg.at(2));
      if (fd === undefined || count === undefined) return undecodable('read arguments');
      const outcome = event.outcome;
      const plainGot = outcome.kind === 'value' ? plainDecimal(outcome.text) : undefined;
      const got = outcome.kind !== 'value' ? undefined : plainGot !== undefined ? BigInt(plainGot) : outcome.value;
      if (got !== undefined && got > 0n && got <= count) {
        // How many bytes a pipe read gets is timing: Linux copies when the reader runs
        // (fs/pipe.c pipe_read), and other tasks may write in between. The kernel is asked for
        // exactly the recorded count (effect-checked: it still decides that this much was there).
        // A read printed in one line ran with no other task in between: it takes what is there
        // at once, and waits only on an empty pipe. One printed apart (unfinished, then resumed)
        // may have copied at any point before its return: the kernel takes the bytes once they
        // are all buffered.
        const split = event.span.endLine !== event.span.line;
        const call: Syscall = split
          ? { name: 'read', fd, buf: 0n, count: got, whenCountBuffered: true, countOnly: true }
          : { name: 'read', fd, buf: 0n, count: got, countOnly: true };
        return { kind: 'effect', call };
      }
      return checked({ name: 'read', fd, buf: 0n, count, countOnly: true });
    }
    case 'write': {
      const plain = fdBufCount(event.argsText);
      const fd = plain?.fd ?? arg.int(0);
      const count = plain?.count ?? intOf(arg.at(2));
      if (fd === undefined || count === undefined) return undecodable('write arguments');
      // The kernel writes `count` bytes, all unknown: the replay reads pipes by count only
      // (countOnly above), so what strace showed of the data is never read back, and neither
      // decoded nor stored.
      return checked({ name: 'write', fd, buf: NO_BYTES, count });
    }
    case 'close': {
      const fd = leadingFd(event.argsText) ?? arg.int(0);
      return fd === undefined ? undecodable('fd') : checked({ name: 'close', fd });
    }
    case 'open':
    case 'openat':
    case 'creat': {
      if (event.outcome.kind !== 'value') return adopted('a failed open is decided by the environment');
      // The usual shape (AT_FDCWD, a plain path, known flags) from the text: no tree, no path decoding.
      const plain = name === 'creat' ? undefined : openArgs(event.argsText, name === 'openat', OPEN_FLAG_NAMES);
      if (plain !== undefined) {
        return { kind: 'effect', call: { name: 'openat', dirfd: plain.dirfd, path: plain.path, flags: plain.flags, mode: plain.mode } };
      }
      const off = name === 'openat' ? 1 : 0;
      const dirfd = name === 'openat' ? (constOf(arg.at(0), AT_NAMES) ?? intOf(arg.at(0))) : -100n;
      const path = stringOf(arg.at(off));
      const flags = name === 'creat' ? { bits: 0o1101n, unknown: [] } : flagsOf(arg.at(off + 1), OPEN_FLAG_NAMES);
      if (dirfd === undefined || path === undefined || flags === undefined || flags.unknown.length > 0) return undecodable('open arguments');
      const mode = intOf(arg.at(off + 2)) ?? 0n;
      return { kind: 'effect', call: { name: 'openat', dirfd: Number(dirfd), path: path.text, flags: Number(flags.bits), mode: Number(mode) } };
    }
    case 'getpid':
    case 'gettid':
    case 'getppid':
    case 'getpgrp':
    case 'setsid':
    case 'fork':
    case 'vfork':
      return checked({ name: name });
    case 'getuid':
    case 'geteuid':
    case 'getgid':
    case 'getegid':
      // The ids are the environment's; the replay's kernel runs as root (uid = gid = 0), as the corpus was captured.
      return checked({ name: name });
    case 'set_robust_list': {
      const head = ptrOf(arg.at(0));
      const len = intOf(arg.at(1));
      return head === undefined || len === undefined ? undecodable('set_robust_list arguments') : checked({ name: 'set_robust_list', head, len });
    }
    case 'rseq': {
      const area = ptrOf(arg.at(0));
      const len = intOf(arg.at(1));
      const flags = constOf(arg.at(2), RSEQ_FLAG_NAMES);
      const sig = intOf(arg.at(3));
      if (area === undefined || len === undefined || flags === undefined || sig === undefined) return undecodable('rseq arguments');
      return checked({ name: 'rseq', rseq: area, rseq_len: Number(BigInt.asUintN(32, len)), flags: Number(flags), sig: Number(BigInt.asUintN(32, sig)) });
    }
    case 'arch_prctl': {
      const code = constOf(arg.at(0), ARCH_PRCTL_NAMES) ?? intOf(arg.at(0));
      if (code === undefined) return undecodable('arch_prctl code');
      // GET_FS/GET_GS write through the address; strace shows the value read, not the address.
      const addr = code === 0x1003n || code === 0x1004n ? (ptrOf(arg.at(1)) ?? OUT_SCRATCH) : ptrOf(arg.at(1));
      return addr === undefined ? undecodable('arch_prctl address') : checked({ name: 'arch_prctl', code: Number(code), addr });
    }
    case 'prlimit64': {
      const pid = mapPid(pids, arg.int(0));
      if (pid === undefined) return unmapped('pid');
      const resource = constOf(arg.at(1), RLIMIT_NAMES) ?? intOf(arg.at(1));
      if (resource === undefined) return undecodable('prlimit64 resource');
      const newArg = arg.at(2);
      const next = rlimitOf(newArg) ?? ptrOf(newArg);
      if (next === undefined) return undecodable('prlimit64 new limit');
      // A decoded old limit was written to memory the replay does not have: any non-NULL address will do.
      const oldArg = arg.at(3);
      const old = oldArg !== undefined && bare(oldArg).kind === 'struct' ? OUT_SCRATCH : ptrOf(oldArg);
      if (old === undefined) return undecodable('prlimit64 old limit');
      return checked({ name: 'prlimit64', pid, resource: Number(BigInt.asUintN(32, resource)), new_limit: next, old_limit: old });
    }
    case 'getrandom': {
      // The bytes are the environment's (not compared); the count and the flag checks are the kernel's.
      const bufArg = arg.at(0);
      const buf = bufArg !== undefined && bare(bufArg).kind === 'string' ? OUT_SCRATCH : ptrOf(bufArg);
      const buflen = intOf(arg.at(1));
      const flags = flagsOf(arg.at(2), GRND_NAMES);
      if (buf === undefined || buflen === undefined || flags === undefined || flags.unknown.length > 0) return undecodable('getrandom arguments');
      return checked({ name: 'getrandom', buf, buflen, flags: Number(flags.bits) });
    }
    case 'getpgid':
    case 'getsid': {
      const pid = mapPid(pids, arg.int(0));
      if (pid === undefined) return unmapped('pid');
      return checked({ name: name, pid });
    }
    case 'setpgid': {
      const pid = mapPid(pids, arg.int(0));
      const pgid = mapPid(pids, arg.int(1));
      if (pid === undefined || pgid === undefined) return unmapped('pid or pgid');
      return checked({ name: 'setpgid', pid, pgid });
    }
    case 'set_tid_address': {
      const tidptr = ptrOf(arg.at(0));
      return tidptr === undefined ? undecodable('tidptr') : checked({ name: 'set_tid_address', tidptr });
    }
    case 'prctl': {
      const option = constOf(arg.at(0), PRCTL_OPTION_NAMES);
      if (option === undefined) return adopted('prctl option not modelled');
      if (option === 15n || option === 16n) return adopted('PR_SET_NAME/PR_GET_NAME read or write a name in memory');
      const arg2 = option === 1n ? (flagsOf(arg.at(1), new Map(), SIGNALS)?.bits ?? undefined) : intOf(arg.at(1));
      if (arg2 === undefined) return undecodable('prctl arg2');
      return checked({ name: 'prctl', option: Number(option), arg2 });
    }
    case 'clone': {
      const flags = flagsOf(arg.at(1, 'flags'), CLONE_FLAG_NAMES, SIGNALS);
      if (flags === undefined || flags.unknown.length > 0) return undecodable('clone flags');
      return checked({
        name: 'clone',
        flags: flags.bits,
        stack: ptrOf(arg.at(0, 'child_stack')) ?? 0n,
        // strace prints the tid pointers' targets once written; Linux ignores a bad
        // parent_tid/child_tid write (B29), so an undecoded one is passed as NULL.
        parent_tid: ptrOf(arg.at(2, 'parent_tid')) ?? 0n,
        child_tid: ptrOf(arg.at(3, 'child_tidptr')) ?? 0n,
        tls: intOf(arg.at(4, 'tls')) ?? 0n,
      });
    }
    case 'clone3': {
      const struct = before(arg.at(0));
      const size = intOf(arg.at(1));
      if (struct === undefined || size === undefined) return undecodable('clone3 arguments');
      const s = bare(struct);
      if (s.kind === 'null' || s.kind === 'int') return checked({ name: 'clone3', args: intOf(s) ?? 0n, size });
      if (s.kind !== 'struct') return undecodable('clone_args');
      // A struct bigger than the kernel's: strace prints the extra bytes as a comment and a string.
      if (s.fields.some((f) => f.name === undefined)) {
        return adopted('clone_args bytes beyond the known struct cannot be passed to the kernel');
      }
      const cloneArgs = cloneArgsOf(struct);
      if (typeof cloneArgs === 'string') return undecodable(cloneArgs);
      return checked({ name: 'clone3', args: cloneArgs, size });
    }
    case 'execve':
    case 'execveat': {
      const off = name === 'execveat' ? 1 : 0;
      const path = stringOf(arg.at(off));
      if (path === undefined) return undecodable('exec path');
      if (path.truncated) return adopted('exec path truncated in the recording');
      const argvValue = arg.at(off + 1);
      const argvArray = stringArrayOf(argvValue);
      const argvPtr = argvArray === undefined ? ptrOf(argvValue) : undefined;
      if (argvArray === undefined && argvPtr !== 0n) return undecodable('argv');
      // envp is printed as an address with a count; its strings only matter for E2BIG, which the recording shows did not happen.
      const argv = argvArray?.items ?? 0n;
      if (name === 'execve') return checked({ name: 'execve', path: path.text, argv, envp: [] });
      const dirfd = constOf(arg.at(0), AT_NAMES) ?? intOf(arg.at(0));
      const flags = flagsOf(arg.at(4), AT_NAMES);
      if (dirfd === undefined || flags === undefined || flags.unknown.length > 0) return undecodable('execveat dirfd or flags');
      return checked({ name: 'execveat', dirfd: Number(dirfd), path: path.text, argv, envp: [], flags: Number(flags.bits) });
    }
    case 'exit':
    case 'exit_group': {
      const status = arg.int(0);
      return status === undefined ? undecodable('exit status') : checked({ name: name, status });
    }
    case 'wait4': {
      const pid = mapPid(pids, arg.int(0));
      const options = flagsOf(arg.at(2), WAIT_OPTION_NAMES);
      if (options === undefined || options.unknown.length > 0) return undecodable('wait4 options');
      if (pid === undefined) return unmapped('wait4 pid');
      // The status is compared from the kernel's decoded `out`, so no guest memory is needed.
      return checked({ name: 'wait4', pid, status: 0n, options: Number(options.bits), rusage: 0n });
    }
    case 'waitid': {
      const idtype = constOf(arg.at(0), IDTYPE_NAMES);
      const rawId = arg.int(1);
      const options = flagsOf(arg.at(3), WAIT_OPTION_NAMES);
      if (idtype === undefined || rawId === undefined || options === undefined || options.unknown.length > 0) {
        return undecodable('waitid arguments');
      }
      let id = rawId;
      if (idtype === 1n || idtype === 2n) {
        const m = rawId > 0 ? pids(rawId) : rawId;
        if (m === undefined) return unmapped('waitid id');
        id = m;
      }
      return checked({ name: 'waitid', idtype: Number(idtype), id, infop: 0n, options: Number(options.bits), rusage: 0n });
    }
    case 'kill': {
      const pid = mapPid(pids, arg.int(0));
      const sig = signalArg(arg.at(1));
      if (sig === undefined) return undecodable('signal');
      if (pid === undefined) return unmapped('kill target');
      return checked({ name: 'kill', pid, sig });
    }
    case 'tkill': {
      const tid = mapPid(pids, arg.int(0));
      const sig = signalArg(arg.at(1));
      if (sig === undefined) return undecodable('signal');
      if (tid === undefined) return unmapped('tkill target');
      return checked({ name: 'tkill', tid, sig });
    }
    case 'tgkill': {
      const tgid = mapPid(pids, arg.int(0));
      const tid = mapPid(pids, arg.int(1));
      const sig = signalArg(arg.at(2));
      if (sig === undefined) return undecodable('signal');
      if (tgid === undefined || tid === undefined) return unmapped('tgkill target');
      return checked({ name: 'tgkill', tgid, tid, sig });
    }
    case 'rt_sigaction': {
      const sig = signalArg(arg.at(0));
      const size = intOf(arg.at(3));
      if (sig === undefined || size === undefined) return undecodable('rt_sigaction signal or size');
      const actValue = arg.at(1);
      let act: bigint | SigactionStruct;
      const actPtr = ptrOf(actValue);
      if (actPtr !== undefined) act = actPtr;
      else {
        const s = sigactionOf(actValue);
        if (s === undefined) return undecodable('sigaction');
        act = s;
      }
      // oldact is compared from the kernel's decoded `out`.
      return checked({ name: 'rt_sigaction', sig, act, oldact: 0n, sigsetsize: size });
    }
    case 'rt_sigprocmask': {
      const how = constOf(arg.at(0), SIGPROCMASK_HOW_NAMES);
      const size = intOf(arg.at(3));
      const setValue = arg.at(1);
      const setPtr = ptrOf(setValue);
      const mask = setPtr === undefined ? sigsetOf(setValue, signalByName) : undefined;
      if (how === undefined || size === undefined || (setPtr === undefined && mask === undefined)) {
        return undecodable('rt_sigprocmask arguments');
      }
      const set = setPtr ?? { mask: mask ?? 0n };
      return checked({ name: 'rt_sigprocmask', how: Number(how), set, oldset: 0n, sigsetsize: size });
    }
    case 'rt_sigreturn':
      return { kind: 'run-adopted', call: { name: 'rt_sigreturn' }, reason: "rt_sigreturn returns the interrupted register, which the kernel does not know for a signal taken outside a call" };
    case 'pause':
      return checked({ name: 'pause' });
    case 'sigaltstack': {
      const ssValue = arg.at(0);
      const ssPtr = ptrOf(ssValue);
      let ss: bigint | { sp: bigint; flags: number; size: bigint };
      if (ssPtr !== undefined) ss = ssPtr;
      else {
        const sp = ptrOf(fieldOf(ssValue, 'ss_sp'));
        const flags = flagsOf(fieldOf(ssValue, 'ss_flags'), SS_FLAG_NAMES);
        const size = intOf(fieldOf(ssValue, 'ss_size'));
        if (sp === undefined || flags === undefined || flags.unknown.length > 0 || size === undefined) return undecodable('stack_t');
        ss = { sp, flags: Number(flags.bits), size };
      }
      // The old stack is compared from the kernel's decoded `out`.
      return checked({ name: 'sigaltstack', ss, old_ss: 0n });
    }
    case 'rt_sigsuspend': {
      const mask = sigsetOf(arg.at(0), signalByName);
      const size = intOf(arg.at(1));
      if (mask === undefined || size === undefined) return undecodable('rt_sigsuspend mask');
      return checked({ name: 'rt_sigsuspend', mask: { mask }, sigsetsize: size });
    }
    case 'rt_sigpending': {
      const size = intOf(arg.at(1));
      // The pending set is compared from the kernel's decoded `out`.
      return size === undefined ? undecodable('rt_sigpending size') : checked({ name: 'rt_sigpending', set: 0n, sigsetsize: size });
    }
    case 'dup': {
      const oldfd = arg.int(0);
      return oldfd === undefined ? undecodable('fd') : checked({ name: 'dup', oldfd });
    }
    case 'dup2': {
      const oldfd = arg.int(0);
      const newfd = arg.int(1);
      return oldfd === undefined || newfd === undefined ? undecodable('fds') : checked({ name: 'dup2', oldfd, newfd });
    }
    case 'dup3': {
      const oldfd = arg.int(0);
      const newfd = arg.int(1);
      const flags = flagsOf(arg.at(2), OPEN_FLAG_NAMES);
      if (oldfd === undefined || newfd === undefined || flags === undefined || flags.unknown.length > 0) return undecodable('dup3 arguments');
      return checked({ name: 'dup3', oldfd, newfd, flags: Number(flags.bits) });
    }
    case 'fcntl': {
      const plain = fcntlArgs(event.argsText, FCNTL_CMD_NAMES, FD_FLAG_NAMES, OPEN_FLAG_NAMES);
      if (plain !== undefined) return checked({ name: 'fcntl', fd: plain.fd, cmd: plain.cmd, arg: plain.arg });
      const fd = arg.int(0);
      const cmd = constOf(arg.at(1), FCNTL_CMD_NAMES);
      if (fd === undefined) return undecodable('fd');
      if (cmd === undefined) return { kind: 'fd-probe', fd };
      let value = 0n;
      if (cmd === 2n) value = flagsOf(arg.at(2), FD_FLAG_NAMES)?.bits ?? -1n;
      else if (cmd === 4n) value = flagsOf(arg.at(2), OPEN_FLAG_NAMES)?.bits ?? -1n;
      else if (cmd === 0n || cmd === 1030n || cmd === 1031n) value = intOf(arg.at(2)) ?? -1n;
      if (value < 0n) return undecodable('fcntl argument');
      return checked({ name: 'fcntl', fd, cmd: Number(cmd), arg: value });
    }
    case 'close_range': {
      const first = intOf(arg.at(0));
      const last = intOf(arg.at(1));
      const flags = flagsOf(arg.at(2), CLOSE_RANGE_NAMES);
      if (first === undefined || last === undefined || flags === undefined || flags.unknown.length > 0) return undecodable('close_range arguments');
      // The range is unsigned: ~0U is printed as 4294967295.
      return checked({ name: 'close_range', first: Number(first), last: Number(BigInt.asUintN(32, last)), flags: Number(flags.bits) });
    }
    case 'pipe':
    case 'pipe2': {
      const flags = name === 'pipe2' ? flagsOf(arg.at(1), OPEN_FLAG_NAMES) : { bits: 0n, unknown: [] };
      if (flags === undefined || flags.unknown.length > 0) return undecodable('pipe2 flags');
      // The fds are compared from the kernel's decoded `out`; PIPE_FDS_SCRATCH marks "no guest memory".
      return checked(
        name === 'pipe' ? { name: 'pipe', pipefd: PIPE_FDS_SCRATCH } : { name: 'pipe2', pipefd: PIPE_FDS_SCRATCH, flags: Number(flags.bits) },
      );
    }
    case 'epoll_create':
    case 'epoll_create1':
    case 'eventfd':
    case 'eventfd2':
    case 'memfd_create':
    case 'timerfd_create':
    case 'signalfd':
    case 'signalfd4':
    case 'inotify_init':
    case 'inotify_init1':
    case 'socket':
    case 'accept':
    case 'accept4': {
      if (event.outcome.kind !== 'value') return adopted(`a failed ${name} is decided by the environment`);
      const flagsAt = FD_CREATE_FLAGS[name];
      const cloexec = flagsAt !== undefined && hasCloexec(arg.at(flagsAt));
      return { kind: 'fd-create', opens: [opaqueOpen(name, cloexec)], fdsIn: 'result' };
    }
    case 'socketpair': {
      if (event.outcome.kind !== 'value') return adopted('a failed socketpair is decided by the environment');
      const cloexec = hasCloexec(arg.at(1));
      return { kind: 'fd-create', opens: [opaqueOpen('socketpair', cloexec), opaqueOpen('socketpair', cloexec)], fdsIn: 'array-arg' };
    }
    case 'ioctl': {
      const fd = arg.int(0);
      const req = bare(arg.at(1) ?? { kind: 'null' });
      if (fd !== undefined && req.kind === 'ident' && req.name === 'FIONBIO') {
        const v = bare(arg.at(2) ?? { kind: 'null' });
        const on = v.kind === 'array' && v.items.length === 1 ? intOf(v.items[0]) : undefined;
        if (on !== undefined) return { kind: 'nonblock', fd, on: on !== 0n };
      }
      return fd === undefined ? undecodable('fd') : { kind: 'fd-probe', fd };
    }
    case 'umask': {
      const mask = intOf(arg.at(0));
      return mask === undefined ? undecodable('mask') : checked({ name: 'umask', mask: Number(mask) });
    }
    case 'chdir': {
      const path = stringOf(arg.at(0));
      return path === undefined || path.truncated ? undecodable('path') : checked({ name: 'chdir', path: path.text });
    }
    case 'fchdir': {
      const fd = arg.int(0);
      return fd === undefined ? undecodable('fd') : checked({ name: 'fchdir', fd });
    }
    case 'poll':
    case 'ppoll': {
      // Readiness is the environment's; that every watched fd is open is the kernel's (a closed one
      // would come back as POLLNVAL, so a result without it says they all were).
      if (event.outcome.kind !== 'value' || (event.outcome.extra ?? '').includes('POLLNVAL')) return adopted('poll readiness is an environment input');
      const list = bare(arg.at(0) ?? { kind: 'null' });
      if (list.kind !== 'array' || list.truncated) return undecodable('pollfd array');
      const fds: number[] = [];
      for (const item of list.items) {
        const fd = intOf(fieldOf(item, 'fd'));
        if (fd === undefined) return undecodable('pollfd');
        if (fd >= 0n) fds.push(Number(fd));
      }
      const [first, ...rest] = fds;
      return first === undefined ? adopted('poll without fds is a sleep') : { kind: 'fd-probe', fd: first, also: rest };
    }
    case 'nanosleep':
    case 'clock_nanosleep':
      return adopted('time is an environment input: the replay does not advance the clock');
    case 'futex': {
      // FUTEX_WAKE reads no memory: how many it wakes is the kernel's count of sleepers on the word.
      const op = constOf(arg.at(1), FUTEX_OP_NAMES);
      const uaddr = ptrOf(arg.at(0));
      const val = arg.int(2);
      if (op !== undefined && uaddr !== undefined && val !== undefined) return checked({ name: 'futex', uaddr, op: Number(op), val, timeout: 0n });
      return adopted('futex words live in guest memory the replay does not have');
    }
    case 'mmap': {
      // Where a mapping lands is the environment's choice (ASLR); the replay maps it where Linux
      // did, so that later munmap/mprotect calls and file mappings (the fd must be open) are checked.
      if (event.outcome.kind !== 'value') return adopted('a failed mmap is decided by the environment');
      const plain = mmapArgs(event.argsText, PROT_NAMES, MAP_FLAG_NAMES);
      if (plain !== undefined) {
        const fixed = (plain.flags & ~MAP_FIXED_NOREPLACE) | MAP_FIXED;
        return {
          kind: 'effect',
          call: { name: 'mmap', addr: event.outcome.value, length: plain.length, prot: plain.prot, flags: Number(fixed), fd: plain.fd, offset: plain.offset },
        };
      }
      const length = intOf(arg.at(1));
      const prot = flagsOf(arg.at(2), PROT_NAMES);
      const flags = flagsOf(arg.at(3), MAP_FLAG_NAMES);
      const fd = arg.int(4);
      const offset = intOf(arg.at(5));
      if (length === undefined || prot === undefined || flags === undefined || fd === undefined || offset === undefined) return undecodable('mmap arguments');
      if (prot.unknown.length > 0 || flags.unknown.length > 0) return undecodable('mmap flags');
      const fixed = (flags.bits & ~MAP_FIXED_NOREPLACE) | MAP_FIXED;
      return {
        kind: 'effect',
        call: { name: 'mmap', addr: event.outcome.value, length, prot: Number(prot.bits), flags: Number(fixed), fd, offset },
      };
    }
    case 'munmap': {
      const addr = ptrOf(arg.at(0));
      const length = intOf(arg.at(1));
      return addr === undefined || length === undefined ? undecodable('munmap arguments') : checked({ name: 'munmap', addr, length });
    }
    case 'mprotect': {
      const addr = ptrOf(arg.at(0));
      const length = intOf(arg.at(1));
      const prot = flagsOf(arg.at(2), PROT_NAMES);
      if (addr === undefined || length === undefined || prot === undefined || prot.unknown.length > 0) return undecodable('mprotect arguments');
      return checked({ name: 'mprotect', addr, length, prot: Number(prot.bits) });
    }
    case 'getcwd': {
      const size = intOf(arg.at(1));
      return size === undefined ? undecodable('getcwd size') : checked({ name: 'getcwd', buf: 0n, size });
    }
    case 'brk': {
      // The base is placed by exec (ASLR); the guest shifts the addresses by the offset between the
      // recorded and the kernel's base, so the break's movement is what gets checked.
      const addr = ptrOf(arg.at(0));
      return addr === undefined ? undecodable('brk address') : { kind: 'effect', call: { name: 'brk', addr } };
    }
    case 'mremap':
    case 'madvise':
      return adopted('the address-space layout is an environment input');
    default:
      break;
  }
  return notModelled(name);
}

/** One shared (immutable) conversion per call name for the frequent adoptions by name: no string built per call. */
function byName(make: (name: string) => Conversion): (name: string) => Conversion {
  const cache = new Map<string, Conversion>();
  return (name) => {
    let c = cache.get(name);
    if (c === undefined) {
      c = make(name);
      cache.set(name, c);
    }
    return c;
  };
}
const adoptedOnPath = byName((name) => adopted(`${name} on a path: the file system is an environment input`));
const notModelled = byName((name) => adopted(`${name} is not modelled by the kernel`));

const SS_FLAG_NAMES: NameTable = new Map([
  ['SS_ONSTACK', 1n],
  ['SS_DISABLE', 2n],
  ['SS_AUTODISARM', 1n << 31n],
]);
const MAP_FIXED = 0x10n;
const MAP_FIXED_NOREPLACE = 0x100000n;

/** Where each fd-creating call takes its flags (the one that may hold *_CLOEXEC). */
const FD_CREATE_FLAGS: Record<string, number> = {
  epoll_create1: 0,
  eventfd2: 1,
  memfd_create: 1,
  timerfd_create: 1,
  signalfd4: 3,
  inotify_init1: 0,
  socket: 1,
  accept4: 3,
};

/** EPOLL_CLOEXEC, EFD_CLOEXEC, SOCK_CLOEXEC, MFD_CLOEXEC… all are O_CLOEXEC's bit, whatever their prefix. */
function hasCloexec(v: Value | undefined): boolean {
  if (v === undefined) return false;
  const b = bare(v);
  const items = b.kind === 'flags' ? b.items : [b];
  return items.some((i) => {
    const x = bare(i);
    return x.kind === 'ident' && x.name.endsWith('_CLOEXEC');
  });
}

function opaqueOpen(what: string, cloexec: boolean): Syscall {
  return { name: 'openat', dirfd: -100, path: `/forkscope-replay/anon:${what}`, flags: 0o2 | (cloexec ? 0o2000000 : 0), mode: 0 };
}

/**
 * pipe/pipe2 write two ints to guest memory; the replay has none, so it passes
 * this address and reads the fds from the kernel's decoded `out`. The guest
 * maps it on demand (see ReplayGuest).
 */
export const PIPE_FDS_SCRATCH = 0x10000n;
/** Where a call's decoded out-parameter (an old rlimit, random bytes) is said to go: the kernel only needs a non-NULL address. */
const OUT_SCRATCH = PIPE_FDS_SCRATCH;

function signalArg(v: Value | undefined): number | undefined {
  const b = v === undefined ? undefined : bare(v);
  if (b === undefined) return undefined;
  if (b.kind === 'int') return Number(b.value);
  if (b.kind === 'ident') return signalNumber(b.name);
  return undefined;
}

function sigactionOf(v: Value | undefined): SigactionStruct | undefined {
  const handlerValue = fieldOf(v, 'sa_handler');
  if (handlerValue === undefined) return undefined;
  const hb = bare(handlerValue);
  let handler: SigactionStruct['handler'];
  if (hb.kind === 'ident' && (hb.name === 'SIG_DFL' || hb.name === 'SIG_IGN')) handler = hb.name;
  else if (hb.kind === 'int') handler = hb.value;
  else return undefined;
  const flags = flagsOf(fieldOf(v, 'sa_flags'), SA_FLAG_NAMES);
  const mask = sigsetOf(fieldOf(v, 'sa_mask'), signalByName);
  if (flags === undefined || flags.unknown.length > 0 || mask === undefined) return undefined;
  const restorer = ptrOf(fieldOf(v, 'sa_restorer'));
  return restorer === undefined ? { handler, flags: flags.bits, mask } : { handler, flags: flags.bits, mask, restorer };
}

function cloneArgsOf(struct: Value): CloneArgsStruct | string {
  const num = (name: string, table?: NameTable): bigint | undefined | 'bad' => {
    const v = fieldOf(struct, name);
    if (v === undefined) return undefined;
    if (table !== undefined) {
      const f = flagsOf(v, table, SIGNALS);
      return f === undefined || f.unknown.length > 0 ? 'bad' : f.bits;
    }
    return intOf(v) ?? 'bad';
  };
  const fields: Record<string, bigint> = {};
  for (const [name, table] of [
    ['flags', CLONE_FLAG_NAMES],
    ['exit_signal', new Map<string, bigint>()],
    ['pidfd', undefined],
    ['child_tid', undefined],
    ['parent_tid', undefined],
    ['stack', undefined],
    ['stack_size', undefined],
    ['tls', undefined],
    ['set_tid_size', undefined],
    ['cgroup', undefined],
  ] as const) {
    const n = num(name, table);
    if (n === 'bad') {
      // Pointers strace printed as decoded targets (parent_tid=[7670]) carry no address; Linux ignores bad tid writes (B29).
      if (name === 'parent_tid' || name === 'child_tid') continue;
      return `clone_args.${name}`;
    }
    if (n !== undefined) fields[name] = n;
  }
  const setTid = fieldOf(struct, 'set_tid');
  let set_tid: bigint | readonly number[] | undefined;
  if (setTid !== undefined) {
    const b = bare(setTid);
    if (b.kind === 'array') {
      const items = b.items.map((i) => intOf(i));
      if (items.some((i) => i === undefined)) return 'clone_args.set_tid';
      set_tid = items.map((i) => Number(i));
    } else {
      const p = intOf(b);
      if (p === undefined) return 'clone_args.set_tid';
      set_tid = p;
    }
  }
  return { ...fields, ...(set_tid !== undefined ? { set_tid } : {}) };
}
