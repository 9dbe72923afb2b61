// A dialect writer for tests: prints trace events (a capture, or an emulated run printed as
// strace) as Shadow's strace logs, one file per process, so that `verify` can be tested on our
// own runs in that dialect. The tracer has no Shadow formatter; this is a small one.
// It keeps what Shadow's writer keeps (a line per completed call, `<blocked>` when a call
// blocks, `-N (ENAME)` errors, `<native>` for calls that never returned), drops what Shadow
// never prints (signals, +++ lines), and in deterministic mode hides every pointer, buffer,
// array and struct as `<pointer>`. Argument text stays strace's (our reader reads both).
import { basename } from 'node:path';
import { ERRNO_NAMES, processTree, type SyscallEvent, type TraceEvent, type TreeProcess } from '@forkscope/tracer';
import type { ShadowMode } from './shadow-log.js';

export interface ShadowWriteOptions {
  readonly mode: ShadowMode;
  /** Shadow's first virtual pid (its hosts start at 1000); pids are renumbered from it in creation order. */
  readonly firstPid?: number;
}

/** File name (`<procname>.<pid>.strace`) → file text. */
export function formatShadowLogs(events: readonly TraceEvent[], options: ShadowWriteOptions): Map<string, string> {
  const tree = processTree(events);
  // Shadow hands out virtual pids and tids; renumber in creation order so the files look like its own.
  const virtual = new Map<number, number>();
  let next = options.firstPid ?? 1000;
  const fileOfTid = new Map<number, string>();
  const visit = (p: TreeProcess, program: string): void => {
    if (p.pid === null) return;
    const own = p.execs.find((e) => e.ok === true)?.path;
    const name = own !== undefined && own !== null && p.createdBy === null ? basename(own) : program;
    virtual.set(p.pid, next++);
    for (const t of p.threads) if (t.tid !== null) virtual.set(t.tid, next++);
    const file = `${name}.${virtual.get(p.pid)}.strace`;
    fileOfTid.set(p.pid, file);
    for (const t of p.threads) if (t.tid !== null) fileOfTid.set(t.tid, file);
    const after = p.execs.filter((e) => e.ok === true).at(-1)?.path;
    for (const c of p.children) visit(c, after === undefined || after === null ? name : basename(after));
  };
  for (const r of tree.roots) visit(r, 'program');
  const vid = (raw: bigint | number): string => {
    const n = Number(raw);
    return String(virtual.get(n) ?? n);
  };

  let t0: bigint | null = null;
  for (const e of events) if (e.prefix.time !== undefined && (t0 === null || e.prefix.time.ns < t0)) t0 = e.prefix.time.ns;
  const at = (ns: bigint | undefined, line: number): bigint => (ns !== undefined && t0 !== null ? ns - t0 : BigInt(line) * 1000n);

  const lines = new Map<string, { ns: bigint; order: number; text: string }[]>();
  let order = 0;
  const emit = (file: string, ns: bigint, text: string): void => {
    let list = lines.get(file);
    if (list === undefined) lines.set(file, (list = []));
    list.push({ ns, order: order++, text });
  };
  for (const ev of events) {
    if (ev.kind !== 'syscall' || ev.pid === null) continue;
    const file = fileOfTid.get(ev.pid);
    if (file === undefined) continue;
    const args = shadowArgs(ev, options.mode, vid);
    const lead = (ns: bigint): string => `${simTime(ns)} [tid ${vid(ev.pid as number)}] ${ev.name}(${args}) = `;
    const start = at(ev.prefix.time?.ns, ev.span.line);
    if (ev.split || ev.outcome.kind === 'unfinished' || ev.outcome.kind === 'restart') emit(file, start, lead(start) + '<blocked>');
    if (ev.outcome.kind === 'unfinished' || ev.outcome.kind === 'restart') continue;
    const end = ev.split ? at(ev.endTime?.ns, ev.span.endLine) : start;
    const result = shadowResult(ev, vid);
    // Deterministic mode hides pointer results too (brk, mmap).
    emit(file, end, lead(end) + (options.mode === 'deterministic' && result.startsWith('0x') ? '<pointer>' : result));
  }
  const out = new Map<string, string>();
  for (const [file, list] of lines) {
    list.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : a.order - b.order));
    out.set(file, list.map((l) => l.text + '\n').join(''));
  }
  return out;
}

/** `HH:MM:SS.nnnnnnnnn`, Shadow's simulated-time stamp. */
export function simTime(ns: bigint): string {
  const s = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  const two = (n: bigint): string => n.toString().padStart(2, '0');
  return `${two(s / 3600n)}:${two((s / 60n) % 60n)}:${two(s % 60n)}.${frac}`;
}

const CLONE_CALLS: ReadonlySet<string> = new Set(['clone', 'clone3', 'fork', 'vfork']);
const PID_ARG_CALLS: ReadonlySet<string> = new Set(['wait4', 'waitpid', 'kill']);

function shadowResult(ev: SyscallEvent, vid: (n: bigint) => string): string {
  const o = ev.outcome;
  switch (o.kind) {
    case 'value':
      // Calls that return a pid return Shadow's virtual one.
      if ((CLONE_CALLS.has(ev.name) || ev.name === 'wait4' || ev.name === 'waitpid' || ev.name === 'getpid') && o.value > 0n) return vid(o.value);
      return o.text;
    case 'error': {
      const n = (ERRNO_NAMES as readonly string[]).indexOf(o.errno);
      return n > 0 ? `-${n} (${o.errno})` : `${o.value} (${o.errno})`;
    }
    case 'unknown':
    case 'unavailable':
    case 'native':
      return '<native>';
    case 'blocked':
    case 'restart':
    case 'unfinished':
      return '<blocked>';
    default: {
      const never: never = o;
      return never;
    }
  }
}

/** The call's arguments in the mode's form; pids in pid positions become virtual pids. */
function shadowArgs(ev: SyscallEvent, mode: ShadowMode, vid: (n: bigint) => string): string {
  const parts = splitTopLevel(virtualSiPid(ev.argsText, vid));
  return parts
    .map((p, i) => {
      const a = p.trim();
      const pidPosition = (i === 0 && PID_ARG_CALLS.has(ev.name)) || (i === 1 && ev.name === 'waitid' && (parts[0]?.trim() === 'P_PID' || parts[0]?.trim() === 'P_PGID'));
      if (pidPosition && /^-?\d{1,10}$/.test(a)) {
        const n = BigInt(a);
        return n > 0n ? vid(n) : a;
      }
      const pointerish = a.startsWith('"') || a.startsWith('[') || a.startsWith('{') || (a.startsWith('0x') && a !== '0x0') || a === 'NULL';
      if (mode === 'deterministic') return pointerish ? '<pointer>' : a;
      // Standard mode: a dereferenced pointer prints its value and then its address.
      if (a.startsWith('"') || a.startsWith('[')) return `${a} (0x7ffc0000${(1000 + i).toString(16)})`;
      if (a === 'NULL') return '0x0 <null>';
      return a;
    })
    .join(', ');
}

/** Splits an argument list at commas outside strings, brackets, braces and parentheses. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b || c === 0x28) depth++;
    else if (c === 0x5d || c === 0x7d || c === 0x29) depth--;
    else if (c === 0x2c && depth === 0) {
      out.push(s.slice(from, i));
      from = i + 1;
    }
  }
  if (s.trim() !== '') out.push(s.slice(from));
  return out;
}

/** waitid's `si_pid=N` names a task: print Shadow's virtual id. */
function virtualSiPid(s: string, vid: (n: bigint) => string): string {
  const key = 'si_pid=';
  let out = '';
  let from = 0;
  for (let at = s.indexOf(key); at >= 0; at = s.indexOf(key, at + 1)) {
    let j = at + key.length;
    while (j < s.length && j - at < 20 && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x39) j++;
    if (j === at + key.length) continue;
    out += s.slice(from, at + key.length) + vid(BigInt(s.slice(at + key.length, j)));
    from = j;
  }
  return out + s.slice(from);
}
