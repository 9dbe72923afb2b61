// Hand-built fixture events for the normalizer and process-tree tests: small constructors
// for values and events, so a test can spell out a capture line by line without the parser.
import type {
  ExitedEvent,
  KilledEvent,
  SignalEvent,
  SupersededEvent,
  SyscallEvent,
  SyscallOutcome,
  TraceEvent,
} from '../src/events.js';
import type { Arg, Value } from '../src/values.js';

export const int = (n: number | bigint): Value => ({ kind: 'int', text: String(n), value: BigInt(n) });
export const hex = (n: bigint): Value => ({ kind: 'int', text: '0x' + n.toString(16), value: n });
export const str = (s: string): Value => ({ kind: 'string', bytes: new TextEncoder().encode(s), truncated: false });
export const ident = (name: string): Value => ({ kind: 'ident', name });
export const NULL: Value = { kind: 'null' };
export const flags = (...names: string[]): Value =>
  names.length === 1 ? ident(names[0] as string) : { kind: 'flags', items: names.map((n) => (/^[0-9]/.test(n) ? int(Number(n)) : ident(n))) };
export const arr = (...items: Value[]): Value => ({ kind: 'array', items, truncated: false });
export const struct = (fields: Record<string, Value>): Value => ({
  kind: 'struct',
  fields: Object.entries(fields).map(([name, value]) => ({ name, value })),
  truncated: false,
});
export const inout = (before: Value, after: Value): Value => ({ kind: 'inout', before, after });
const call = (name: string, ...args: Value[]): Value => ({ kind: 'call', name, args });
const expr = (op: string, left: Value, right: Value): Value => ({ kind: 'expr', op, left, right });
const envp: Value = { kind: 'commented', value: hex(0x7ffc3a0b4a58n), comment: '35 vars' };

/** `[{WIFEXITED(s) && WEXITSTATUS(s) == N}]` */
export const exitedStatus = (code: number): Value =>
  arr({ kind: 'struct', truncated: false, fields: [{ name: undefined, value: expr('&&', call('WIFEXITED', ident('s')), expr('==', call('WEXITSTATUS', ident('s')), int(code))) }] });
/** `[{WIFSIGNALED(s) && WTERMSIG(s) == SIG[ && WCOREDUMP(s)]}]` */
export const signaledStatus = (sig: string, core = false): Value => {
  let e = expr('&&', call('WIFSIGNALED', ident('s')), expr('==', call('WTERMSIG', ident('s')), ident(sig)));
  if (core) e = expr('&&', e, call('WCOREDUMP', ident('s')));
  return arr({ kind: 'struct', truncated: false, fields: [{ name: undefined, value: e }] });
};
export const stoppedStatus = (sig: string): Value =>
  arr({ kind: 'struct', truncated: false, fields: [{ name: undefined, value: expr('&&', call('WIFSTOPPED', ident('s')), expr('==', call('WSTOPSIG', ident('s')), ident(sig))) }] });

export const ok = (n: number | bigint): SyscallOutcome => ({ kind: 'value', text: String(n), value: BigInt(n) });
export const err = (errno: string): SyscallOutcome => ({ kind: 'error', value: -1n, errno, message: errno });
export const noReturn: SyscallOutcome = { kind: 'unknown' };

const pos = (...values: Value[]): Arg[] => values.map((value) => ({ name: undefined, value }));

/** A growing capture: each helper appends one event and advances the line counter. */
export class FixtureCapture {
  readonly events: TraceEvent[] = [];
  private line = 0;
  private t = 1795726032_000000n;

  private base(pid: number, lines = 1) {
    const line = this.line + 1;
    this.line += lines;
    this.t += 1000n;
    return { pid, span: { line, endLine: line + lines - 1 }, prefix: { time: { text: String(this.t), ns: this.t * 1000n } } };
  }

  syscall(pid: number, name: string, args: Arg[], outcome: SyscallOutcome, opts: { lines?: number } = {}): SyscallEvent {
    const ev: SyscallEvent = { ...this.base(pid, opts.lines ?? 1), kind: 'syscall', name, argsText: '…', args, outcome, split: (opts.lines ?? 1) > 1 };
    this.events.push(ev);
    return ev;
  }
  /** Skips lines (other tasks' lines printed in between a split call). */
  skip(n: number): this {
    this.line += n;
    return this;
  }
  /** Reserves a split call's first line now; `finish` appends it with its resumed line later. */
  open(pid: number, name: string, args: Arg[]) {
    const line = ++this.line;
    return {
      finish: (outcome: SyscallOutcome): SyscallEvent => {
        const ev: SyscallEvent = {
          pid,
          span: { line, endLine: ++this.line },
          prefix: { time: { text: '', ns: (this.t += 1000n) * 1000n } },
          kind: 'syscall',
          name,
          argsText: '…',
          args,
          outcome,
          split: true,
        };
        this.events.push(ev);
        return ev;
      },
    };
  }

  execve(pid: number, path: string, argv: string[], outcome: SyscallOutcome = ok(0)) {
    return this.syscall(pid, 'execve', pos(str(path), arr(...argv.map(str)), envp), outcome);
  }
  fork(pid: number, child: number) {
    return this.syscall(pid, 'clone', [
      { name: 'child_stack', value: NULL },
      { name: 'flags', value: flags('CLONE_CHILD_CLEARTID', 'CLONE_CHILD_SETTID', 'SIGCHLD') },
      { name: 'child_tidptr', value: hex(0x7fcaf5685a10n) },
    ], ok(child));
  }
  cloneFlags(pid: number, child: number, names: string[]) {
    return this.syscall(pid, 'clone', [{ name: 'child_stack', value: NULL }, { name: 'flags', value: flags(...names) }], ok(child));
  }
  clone3Args(names: string[], exitSignal: Value, after?: Value): Arg[] {
    const before = struct({ flags: flags(...names), exit_signal: exitSignal, stack: hex(0x7fcaf586a000n), stack_size: hex(0x9000n) });
    return pos(after === undefined ? before : inout(before, after), int(88));
  }
  exitGroup(pid: number, code: number) {
    return this.syscall(pid, 'exit_group', pos(int(code)), noReturn);
  }
  wait4(pid: number, target: number, status: Value, options: Value, outcome: SyscallOutcome) {
    return this.syscall(pid, 'wait4', pos(int(target), status, options, NULL), outcome);
  }
  kill(pid: number, target: number, sig: string, outcome: SyscallOutcome = ok(0)) {
    return this.syscall(pid, 'kill', pos(int(target), ident(sig)), outcome);
  }
  exited(pid: number, code: number): ExitedEvent {
    const ev: ExitedEvent = { ...this.base(pid), kind: 'exited', code };
    this.events.push(ev);
    return ev;
  }
  killed(pid: number, signal: string, coreDumped = false): KilledEvent {
    const ev: KilledEvent = { ...this.base(pid), kind: 'killed', signal, coreDumped };
    this.events.push(ev);
    return ev;
  }
  superseded(pid: number, byPid: number): SupersededEvent {
    const ev: SupersededEvent = { ...this.base(pid), kind: 'superseded', byPid };
    this.events.push(ev);
    return ev;
  }
  sigchld(pid: number, child: number, code: string, status: Value): SignalEvent {
    const siginfo: Arg[] = [
      { name: 'si_signo', value: ident('SIGCHLD') },
      { name: 'si_code', value: ident(code) },
      { name: 'si_pid', value: int(child) },
      { name: 'si_uid', value: int(0) },
      { name: 'si_status', value: status },
      { name: 'si_utime', value: int(0) },
      { name: 'si_stime', value: int(0) },
    ];
    const ev: SignalEvent = { ...this.base(pid), kind: 'signal', signal: 'SIGCHLD', siginfo, siginfoText: '…' };
    this.events.push(ev);
    return ev;
  }
}

export { pos };
