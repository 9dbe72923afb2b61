// Judging the replay: each record the guest produced, against the recorded
// line, under the rule it belongs to. Counting goes with judging so that every
// syscall event lands in exactly one of checked / effect-checked / adopted.
import type { ExitHow, SigInfo, SyscallResult } from '@forkscope/kernel';
import { signalName } from '@forkscope/kernel';
import type { PidMap, ReplayRecord, SyscallRecord } from '@forkscope/shim';
import { argOf, bare, fieldOf, flagsOf, intOf, rlimitOf, signalByName, sigsetOf, stringOf, waitStatusOf } from '@forkscope/shim';
import { plainDecimal } from '@forkscope/tracer';
import type { SyscallEvent, SyscallOutcome, Value } from '@forkscope/tracer';
import type { AdoptedReason, Divergence, Rule } from './report.js';

export interface Judgement {
  readonly events: number;
  readonly checked: number;
  readonly effectChecked: number;
  readonly adopted: number;
  readonly adoptedReasons: readonly AdoptedReason[];
  readonly divergences: readonly Divergence[];
  /** The first fatal record's message, with its line. */
  readonly fatal?: string;
}

/** Calls whose return value is a pid or tid, compared through the mapping. */
const PID_RESULTS = new Set(['clone', 'clone3', 'fork', 'vfork', 'wait4', 'getpid', 'gettid', 'getppid', 'getpgid', 'getpgrp', 'getsid', 'setsid', 'set_tid_address']);

/** Effect-checked calls whose value is a newly allocated fd (the lowest free one, if the kernel agrees). */
const FD_RESULTS = new Set([
  'open',
  'openat',
  'creat',
  'epoll_create',
  'epoll_create1',
  'eventfd',
  'eventfd2',
  'memfd_create',
  'timerfd_create',
  'signalfd',
  'signalfd4',
  'inotify_init',
  'inotify_init1',
  'socket',
  'accept',
  'accept4',
]);

/** si_code names strace prints, to Linux's numbers. */
const SI_CODES: ReadonlyMap<string, number> = new Map([
  ['CLD_EXITED', 1],
  ['CLD_KILLED', 2],
  ['CLD_DUMPED', 3],
  ['CLD_TRAPPED', 4],
  ['CLD_STOPPED', 5],
  ['CLD_CONTINUED', 6],
  ['SI_USER', 0],
  ['SI_KERNEL', 0x80],
  ['SI_QUEUE', -1],
  ['SI_TIMER', -2],
  ['SI_MESGQ', -3],
  ['SI_ASYNCIO', -4],
  ['SI_SIGIO', -5],
  ['SI_TKILL', -6],
]);

export function judge(records: readonly ReplayRecord[], pids: PidMap): Judgement {
  const tally = new JudgeTally();
  for (const r of records) tally.add(r, pids);
  return tally.result();
}

/**
 * Judging a record at a time, as the replay makes them (through the pid mapping as it stands
 * then): only the counts, the adopted reasons and the divergences are kept, never the records.
 */
export class JudgeTally {
  #events = 0;
  #checked = 0;
  #effectChecked = 0;
  #adopted = 0;
  /** Per reason, its count in a box: one map lookup per adopted call (a get and a set before). */
  readonly #reasons = new Map<string, { count: number }>();
  readonly #divergences: Divergence[] = [];
  #fatal: string | undefined;

  #adopt(reason: string): void {
    this.#adopted++;
    const box = this.#reasons.get(reason);
    if (box !== undefined) box.count++;
    else this.#reasons.set(reason, { count: 1 });
  }

  #diverge(line: number, pid: number | null, syscall: string, expected: string, emulated: string, rule: Rule): void {
    this.#divergences.push({ line, pid, syscall, expected, emulated, rule });
  }

  add(r: ReplayRecord, pids: PidMap): void {
    switch (r.kind) {
      case 'fatal':
        this.#fatal ??= r.line > 0 ? `line ${r.line}: ${r.message}` : r.message;
        break;
      case 'skipped':
        if (r.what === 'syscall') {
          this.#events++;
          this.#adopt(r.reason);
        }
        break;
      case 'exit': {
        const e = r.event;
        const expected = e.kind === 'exited' ? `exited with ${e.code}` : `killed by ${e.signal}${e.coreDumped ? ' (core dumped)' : ''}`;
        const got = r.kernel === null ? 'task still alive' : describeExit(r.kernel);
        const same =
          r.kernel !== null &&
          (e.kind === 'exited'
            ? r.kernel.kind === 'exited' && r.kernel.code === e.code
            : r.kernel.kind === 'killed' && signalName(r.kernel.signo) === e.signal && r.kernel.core === e.coreDumped);
        if (!same) this.#diverge(e.span.line, e.pid, e.kind, expected, got, 'exit');
        break;
      }
      case 'signal': {
        const e = r.event;
        const expected = `${e.signal} ${e.siginfoText}`;
        if (r.injected !== undefined) break; // from outside the modelled processes: replayed, nothing to compare
        if (r.kernel === null) {
          this.#diverge(e.span.line, e.pid, 'signal', expected, `no ${e.signal} sent to this task`, 'signal');
          break;
        }
        const mismatch = siginfoMismatch(e.siginfo, r.kernel, pids);
        if (mismatch !== null) this.#diverge(e.span.line, e.pid, 'signal', expected, `${describeSiginfo(r.kernel, pids)} (${mismatch})`, 'signal');
        break;
      }
      case 'syscall': {
        this.#events++;
        const outcome = r.event.outcome;
        switch (r.handling) {
          case 'adopted':
          case 'run-adopted':
            this.#adopt(r.reason ?? 'adopted');
            break;
          case 'fd-probe': {
            if (outcome.kind === 'unknown' || outcome.kind === 'unfinished') {
              // The call never returned (killed, input ended): the recording does not say whether the fd was valid.
              this.#adopt('result not recorded (unavailable, unfinished, native or blocked)');
              break;
            }
            this.#effectChecked++;
            const recordedEbadf = outcome.kind === 'error' && outcome.errno === 'EBADF';
            if (r.fdOpen === false && !recordedEbadf) {
              const fds = [r.fd, ...(r.alsoFds ?? [])];
              const what = fds.length === 1 ? `fd ${r.fd} is not open (EBADF)` : `fds ${fds.join(', ')} are not all open`;
              this.#diverge(r.event.span.line, r.event.pid, r.event.name, describeOutcome(outcome), what, 'fd-closed');
            } else if (r.fdOpen === true && recordedEbadf) {
              this.#diverge(r.event.span.line, r.event.pid, r.event.name, describeOutcome(outcome), `fd ${r.fd} is open`, 'errno');
            }
            break;
          }
          case 'checked':
          case 'effect': {
            if (outcome.kind === 'unavailable' || outcome.kind === 'unfinished' || outcome.kind === 'native' || outcome.kind === 'blocked') {
              this.#adopt('result not recorded (unavailable, unfinished, native or blocked)');
              break;
            }
            if (r.handling === 'checked') this.#checked++;
            else this.#effectChecked++;
            const d = judgeCall(r, pids);
            if (d !== null) this.#divergences.push(d);
            break;
          }
          default: {
            const never: never = r.handling;
            throw new Error(`unknown handling ${String(never)}`);
          }
        }
        break;
      }
      default: {
        const never: never = r;
        throw new Error(`unknown record ${(never as ReplayRecord).kind}`);
      }
    }
  }

  /** Whether a fatal record has come (the replay stopped). */
  get fatal(): boolean {
    return this.#fatal !== undefined;
  }

  result(): Judgement {
    const adoptedReasons = [...this.#reasons.entries()]
      .map(([reason, box]) => ({ reason, count: box.count }))
      .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));
    const fatal = this.#fatal;
    return {
      events: this.#events,
      checked: this.#checked,
      effectChecked: this.#effectChecked,
      adopted: this.#adopted,
      adoptedReasons,
      divergences: this.#divergences,
      ...(fatal !== undefined ? { fatal } : {}),
    };
  }
}

/** A divergence at a call's return line. (A function, not a closure per judged call: this runs for most records.) */
function divergenceAt(e: SyscallEvent, expected: string, emulated: string, rule: Rule): Divergence {
  return { line: e.span.endLine, pid: e.pid, syscall: e.name, expected, emulated, rule };
}

function judgeCall(r: SyscallRecord, pids: PidMap): Divergence | null {
  const e = r.event;
  const outcome = e.outcome;
  const result = r.result;
  if (result === undefined) return divergenceAt(e, describeOutcome(outcome), 'not sent to the kernel', 'result');
  if (result.kind === 'blocked') {
    if (outcome.kind === 'unknown') return null; // never returned in the recording either (killed or superseded)
    return divergenceAt(e, `returns ${describeOutcome(outcome)} here`, `still blocked (${result.on.kind})`, 'blocking');
  }
  if (r.enteredBlocked === false && outcome.kind === 'value' && isVforkCall(e) && outcome.value > 0n) {
    // The other direction (A1/A2): Linux always suspends a vfork parent until the child execs or exits.
    return divergenceAt(e, `${e.name} blocks until the child execs or exits`, 'the kernel returned at once', 'blocking');
  }
  switch (outcome.kind) {
    case 'unknown':
      if (result.kind === 'gone') return null;
      return divergenceAt(e, 'never returns (= ?)', describeResult(result, pids, e.name), 'result');
    case 'restart':
    case 'error': {
      if (result.kind === 'error' && result.errno === outcome.errno) return null;
      return divergenceAt(e, describeOutcome(outcome), describeResult(result, pids, e.name), 'errno');
    }
    case 'value': {
      if (result.kind === 'error') {
        return divergenceAt(e, describeOutcome(outcome), describeResult(result, pids, e.name), result.errno === 'EBADF' ? 'fd-closed' : 'errno');
      }
      if (result.kind === 'gone') return divergenceAt(e, describeOutcome(outcome), 'the task never returns', 'result');
      if (!valuesAgree(e.name, outcome, result.value, pids)) {
        const rule: Rule = r.handling === 'effect' && FD_RESULTS.has(e.name) ? 'fd-lowest-free' : 'result';
        return divergenceAt(e, describeOutcome(outcome), describeResult(result, pids, e.name), rule);
      }
      const outMismatch = outMismatchOf(e, result, pids);
      return outMismatch === null ? null : divergenceAt(e, outMismatch.expected, outMismatch.emulated, e.name === 'socketpair' ? 'fd-lowest-free' : 'result');
    }
    case 'unavailable':
    case 'unfinished':
    case 'native':
    case 'blocked':
      return null;
    default: {
      const never: never = outcome;
      throw new Error(`unknown outcome ${(never as SyscallOutcome).kind}`);
    }
  }
}

const SS_FLAG_NAMES: ReadonlyMap<string, bigint> = new Map([
  ['SS_ONSTACK', 1n],
  ['SS_DISABLE', 2n],
  ['SS_AUTODISARM', 1n << 31n],
]);

const CLONE_VFORK_NAMES: ReadonlyMap<string, bigint> = new Map([['CLONE_VFORK', 0x4000n]]);

/** vfork, or a clone/clone3 with CLONE_VFORK (other flag names do not matter here). */
function isVforkCall(e: SyscallEvent): boolean {
  if (e.name === 'vfork') return true;
  let flags: Value | undefined;
  if (e.name === 'clone') flags = argOf(e.args, 1, 'flags');
  else if (e.name === 'clone3') {
    const s = argOf(e.args, 0);
    const b = s === undefined ? undefined : bare(s);
    flags = fieldOf(b?.kind === 'inout' ? b.before : s, 'flags');
  } else return false;
  return ((flagsOf(flags, CLONE_VFORK_NAMES)?.bits ?? 0n) & 0x4000n) !== 0n;
}


/** A pid result agrees when the kernel returned the task the recorded pid is bound to, or both lie outside the recording. */
function valuesAgree(name: string, outcome: Extract<SyscallOutcome, { kind: 'value' }>, kernel: bigint, pids: PidMap): boolean {
  const plain = plainDecimal(outcome.text);
  // Compared as it stands (not a pid to map): a double below 2^53 equals the BigInt's Number exactly when the values are equal.
  if (plain !== undefined && (plain === 0 || (name !== 'rt_sigreturn' && !PID_RESULTS.has(name)))) return Number(kernel) === plain;
  const recorded = outcome.value;
  if (name === 'rt_sigreturn' && recorded > 0n && recorded !== kernel) {
    // The restored register of an interrupted wait4/fork…: a pid when that call returned one.
    const mapped = pids.emulated(Number(recorded));
    return mapped !== undefined && BigInt(mapped) === kernel;
  }
  if (!PID_RESULTS.has(name) || recorded <= 0n) return recorded === kernel;
  const mapped = pids.emulated(Number(recorded));
  if (mapped !== undefined) return BigInt(mapped) === kernel;
  return kernel > 0n && pids.recorded(Number(kernel)) === undefined;
}

/** What Linux wrote through pointer arguments, where the recording decoded it. */
function outMismatchOf(e: SyscallEvent, result: Extract<SyscallResult, { kind: 'done' }>, pids: PidMap): { expected: string; emulated: string } | null {
  const out = result.out;
  // Each case reads the tree itself: most calls judged here (reads, writes) have no out-values,
  // and their trees (long buffer strings) would be parsed for nothing.
  switch (e.name) {
    case 'wait4': {
      if (result.value <= 0n) return null;
      const status = waitStatusOf(argOf(e.args, 1), signalByName);
      if (status === undefined) return null;
      if (out?.status !== status) {
        return { expected: `status 0x${status.toString(16)}`, emulated: out?.status === undefined ? 'no status' : `status 0x${out.status.toString(16)}` };
      }
      return null;
    }
    case 'waitid': {
      const infop = argOf(e.args, 2);
      if (infop === undefined || out?.siginfo === undefined) return null;
      const bareInfo = bare(infop);
      if (bareInfo.kind !== 'struct') return null;
      const mismatch = siginfoMismatch(bareInfo.fields, out.siginfo, pids);
      return mismatch === null ? null : { expected: 'infop as recorded', emulated: `${describeSiginfo(out.siginfo, pids)} (${mismatch})` };
    }
    case 'pipe':
    case 'pipe2':
    case 'socketpair': {
      const v = argOf(e.args, e.name === 'socketpair' ? 3 : 0);
      const b = v === undefined ? undefined : bare(v);
      if (b === undefined || b.kind !== 'array' || b.items.length !== 2) return null;
      const rec = b.items.map((i) => intOf(i));
      if (rec.some((x) => x === undefined)) return null;
      const got = out?.fds;
      if (got === undefined || BigInt(got[0]) !== rec[0] || BigInt(got[1]) !== rec[1]) {
        return { expected: `fds [${rec.join(', ')}]`, emulated: got === undefined ? 'no fds' : `fds [${got.join(', ')}]` };
      }
      return null;
    }
    case 'prlimit64': {
      // The old limit Linux copied out, where strace decoded it.
      const rec = rlimitOf(argOf(e.args, 3));
      if (rec === undefined) return null;
      const got = out?.rlimit;
      const show = (r: { cur: bigint; max: bigint }): string => `old limit {cur ${r.cur}, max ${r.max}}`;
      if (got === undefined) return { expected: show(rec), emulated: 'no old limit' };
      return got.cur === rec.cur && got.max === rec.max ? null : { expected: show(rec), emulated: show(got) };
    }
    case 'getcwd': {
      const rec = stringOf(argOf(e.args, 0));
      if (rec === undefined || rec.truncated || out?.cwd === undefined) return null;
      return rec.text === out.cwd ? null : { expected: `cwd ${rec.text}`, emulated: `cwd ${out.cwd}` };
    }
    case 'sigaltstack': {
      const old = argOf(e.args, 1);
      const sp = intOf(fieldOf(old, 'ss_sp'));
      const size = intOf(fieldOf(old, 'ss_size'));
      const flagsValue = fieldOf(old, 'ss_flags');
      if (sp === undefined || size === undefined || flagsValue === undefined || out?.altstack === undefined) return null;
      const flags = flagsOf(flagsValue, SS_FLAG_NAMES);
      const k = out.altstack;
      if (k.sp !== sp || k.size !== size || (flags !== undefined && flags.unknown.length === 0 && BigInt(k.flags) !== flags.bits)) {
        return {
          expected: `old stack {sp=0x${sp.toString(16)}, flags=${flags?.bits ?? '?'}, size=${size}}`,
          emulated: `old stack {sp=0x${k.sp.toString(16)}, flags=${k.flags}, size=${k.size}}`,
        };
      }
      return null;
    }
    case 'rt_sigpending': {
      const rec = sigsetOf(argOf(e.args, 0), signalByName);
      if (rec === undefined || out?.sigset === undefined) return null;
      return rec === out.sigset ? null : { expected: `pending 0x${rec.toString(16)}`, emulated: `pending 0x${out.sigset.toString(16)}` };
    }
    case 'rt_sigprocmask': {
      const rec = sigsetOf(argOf(e.args, 2), signalByName);
      if (rec === undefined || out?.sigset === undefined) return null;
      return rec === out.sigset ? null : { expected: `old mask 0x${rec.toString(16)}`, emulated: `old mask 0x${out.sigset.toString(16)}` };
    }
    case 'rt_sigaction': {
      const old = argOf(e.args, 2);
      const handler = fieldOf(old, 'sa_handler');
      if (handler === undefined || out?.oldact === undefined) return null;
      const h = bare(handler);
      const recHandler = h.kind === 'ident' ? h.name : h.kind === 'int' ? h.value : undefined;
      if (recHandler === undefined) return null;
      if (recHandler !== out.oldact.handler) {
        return { expected: `old handler ${String(recHandler)}`, emulated: `old handler ${String(out.oldact.handler)}` };
      }
      const mask = sigsetOf(fieldOf(old, 'sa_mask'), signalByName);
      if (mask !== undefined && mask !== out.oldact.mask) {
        return { expected: `old sa_mask 0x${mask.toString(16)}`, emulated: `old sa_mask 0x${out.oldact.mask.toString(16)}` };
      }
      return null;
    }
    default:
      return null;
  }
}

function siginfoMismatch(fields: readonly { name: string | undefined; value: Value }[], info: SigInfo, pids: PidMap): string | null {
  const field = (name: string): Value | undefined => fields.find((f) => f.name === name)?.value;
  const code = field('si_code');
  if (code !== undefined) {
    const b = bare(code);
    const n = b.kind === 'ident' ? SI_CODES.get(b.name) : b.kind === 'int' ? Number(b.value) : undefined;
    if (n !== undefined && n !== info.code) return `si_code ${info.code}`;
  }
  const pid = intOf(field('si_pid'));
  if (pid !== undefined) {
    const mapped = pid === 0n ? 0 : pids.emulated(Number(pid));
    const agrees = mapped !== undefined ? mapped === info.pid : info.pid !== 0 && pids.recorded(info.pid) === undefined;
    if (!agrees) return `si_pid ${info.pid}`;
  }
  const status = field('si_status');
  if (status !== undefined) {
    const b = bare(status);
    const n = b.kind === 'ident' ? Number(signalByName(b.name) ?? -1n) : b.kind === 'int' ? Number(b.value) : undefined;
    if (n !== undefined && n !== info.status) return `si_status ${info.status}`;
  }
  return null;
}

function describeSiginfo(info: SigInfo, pids: PidMap): string {
  const rec = pids.recorded(info.pid);
  return `{si_signo=${signalName(info.signo) ?? info.signo}, si_code=${info.code}, si_pid=${info.pid}${rec !== undefined ? ` (recorded ${rec})` : ''}, si_status=${info.status}}`;
}

function describeExit(how: ExitHow): string {
  return how.kind === 'exited' ? `exited with ${how.code}` : `killed by ${signalName(how.signo) ?? how.signo}${how.core ? ' (core dumped)' : ''}`;
}

export function describeOutcome(o: SyscallOutcome): string {
  switch (o.kind) {
    case 'value':
      return `= ${o.text}`;
    case 'error':
      return `= -1 ${o.errno}`;
    case 'restart':
      return `= ? ${o.errno}`;
    case 'unknown':
      return '= ?';
    case 'unavailable':
      return '= ? <unavailable>';
    case 'unfinished':
      return `unfinished (${o.reason})`;
    case 'native':
      return '= <native>';
    case 'blocked':
      return '= <blocked>';
    default: {
      const never: never = o;
      throw new Error(`unknown outcome ${(never as SyscallOutcome).kind}`);
    }
  }
}

function describeResult(r: SyscallResult, pids: PidMap, name: string): string {
  switch (r.kind) {
    case 'done': {
      if (PID_RESULTS.has(name) && r.value > 0n) {
        const rec = pids.recorded(Number(r.value));
        return `= ${r.value}${rec !== undefined ? ` (recorded pid ${rec})` : ' (a task the recording does not show)'}`;
      }
      return `= ${r.value}`;
    }
    case 'error':
      return `= -1 ${r.errno}`;
    case 'blocked':
      return `blocked (${r.on.kind})`;
    case 'gone':
      return 'never returns';
    default: {
      const never: never = r;
      throw new Error(`unknown result ${(never as SyscallResult).kind}`);
    }
  }
}

