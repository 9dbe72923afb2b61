// Reading strace's decoded argument trees as the numbers and strings Linux saw.
// Each reader returns undefined (or an `unknown` list) when the recording does
// not say, so callers can adopt instead of guessing.
import type { Field, Value } from '@forkscope/tracer';
import type { NameTable } from './names.js';

/** Strips what strace adds around a value without changing it: comments and fd decorations. */
export function bare(v: Value): Value {
  let cur = v;
  for (;;) {
    if (cur.kind === 'commented' && cur.value.kind !== 'null') cur = cur.value;
    else if (cur.kind === 'decorated') cur = cur.value;
    else return cur;
  }
}

/** An integer argument (decimal, hex, octal as printed). */
export function intOf(v: Value | undefined): bigint | undefined {
  if (v === undefined) return undefined;
  const b = bare(v);
  if (b.kind === 'int') return b.value;
  if (b.kind === 'null') return 0n;
  return undefined;
}

/** A pointer argument: NULL is 0n, a printed address its value; a decoded pointee has no address here. */
export function ptrOf(v: Value | undefined): bigint | undefined {
  return intOf(v);
}

export interface FlagBits {
  readonly bits: bigint;
  /** Names the table does not know (the caller decides whether that makes the call unconvertible). */
  readonly unknown: readonly string[];
}

/** `A|B|0x10|SIGCHLD` against a name table (and an optional second table, e.g. signals in clone's flags). */
export function flagsOf(
  v: Value | undefined,
  names: NameTable,
  extra?: { get(name: string): bigint | undefined },
): FlagBits | undefined {
  if (v === undefined) return undefined;
  const b = bare(v);
  const unknown: string[] = [];
  let bits = 0n;
  const one = (item: Value): boolean => {
    const x = bare(item);
    if (x.kind === 'int') {
      bits |= x.value;
      return true;
    }
    if (x.kind === 'null') return true;
    if (x.kind === 'ident') {
      const n = names.get(x.name) ?? extra?.get(x.name);
      if (n === undefined) unknown.push(x.name);
      else bits |= n;
      return true;
    }
    if (x.kind === 'expr' && x.op === '<<') {
      const l = intOf(x.left);
      const r = intOf(x.right);
      if (l === undefined || r === undefined) return false;
      bits |= l << r;
      return true;
    }
    return false;
  };
  if (b.kind === 'flags') {
    for (const item of b.items) if (!one(item)) return undefined;
  } else if (!one(b)) {
    return undefined;
  }
  return { bits, unknown };
}

/** A constant that is one name or number (F_GETFD, SIG_BLOCK, P_PID, 3). */
export function constOf(v: Value | undefined, names: NameTable): bigint | undefined {
  const f = flagsOf(v, names);
  if (f === undefined || f.unknown.length > 0) return undefined;
  return f.bits;
}

export interface DecodedString {
  readonly text: string;
  readonly truncated: boolean;
}

export function stringOf(v: Value | undefined): DecodedString | undefined {
  if (v === undefined) return undefined;
  const b = bare(v);
  if (b.kind !== 'string') return undefined;
  // Decoded through a Buffer view of the bytes, not a copy of them.
  const bytes = b.bytes;
  return { text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), truncated: b.truncated };
}

/** An argv-style array of strings; undefined when it is a bare pointer or holds non-strings. */
export function stringArrayOf(v: Value | undefined): { readonly items: readonly string[]; readonly truncated: boolean } | undefined {
  if (v === undefined) return undefined;
  const b = bare(v);
  if (b.kind !== 'array') return undefined;
  const items: string[] = [];
  let truncated = b.truncated;
  for (const item of b.items) {
    const s = stringOf(item);
    if (s === undefined) return undefined;
    items.push(s.text);
    truncated ||= s.truncated;
  }
  return { items, truncated };
}

/**
 * A signal set (`[CHLD USR1]`, `~[KILL STOP]`, `[]`, `~[]`) as a mask with bit
 * n-1 for signal n, over the 64 signals Linux has.
 */
export function sigsetOf(v: Value | undefined, signal: (name: string) => bigint | undefined): bigint | undefined {
  if (v === undefined) return undefined;
  const b = bare(v);
  let names: readonly string[];
  let negated = false;
  if (b.kind === 'bitset') {
    names = b.items;
    negated = b.negated;
  } else if (b.kind === 'array' && !b.truncated) {
    // `[]` and `[PIPE]` read the same as an array or a one-item set.
    const items: string[] = [];
    for (const item of b.items) {
      const x = bare(item);
      if (x.kind === 'ident') items.push(x.name);
      else if (x.kind === 'int') items.push(x.value.toString());
      else return undefined;
    }
    names = items;
  } else {
    return undefined;
  }
  let mask = 0n;
  for (const item of names) {
    let n: bigint | undefined;
    if (item.length > 0 && [...item].every((c) => c >= '0' && c <= '9')) n = BigInt(item);
    else n = signal(item.startsWith('SIG') ? item : `SIG${item}`);
    if (n === undefined || n < 1n || n > 64n) return undefined;
    mask |= 1n << (n - 1n);
  }
  const all = (1n << 64n) - 1n;
  return negated ? all & ~mask : mask;
}

/** A struct's field by name (for `{flags=…, exit_signal=…}`). */
export function fieldOf(v: Value | undefined, name: string): Value | undefined {
  if (v === undefined) return undefined;
  const b = bare(v);
  if (b.kind !== 'struct') return undefined;
  return b.fields.find((f) => f.name === name)?.value;
}

/** The value before ` => ` for in/out arguments (clone3's struct, `[110 => 2]`), else the value itself. */
export function before(v: Value | undefined): Value | undefined {
  if (v === undefined) return undefined;
  const b = bare(v);
  return b.kind === 'inout' ? b.before : v;
}

/** The value after ` => `, else the value itself. */
export function after(v: Value | undefined): Value | undefined {
  if (v === undefined) return undefined;
  const b = bare(v);
  return b.kind === 'inout' ? b.after : v;
}

/** The argument at a position, or by name (`flags=` in clone), whichever the line has. */
export function argOf(args: readonly Field[], index: number, name?: string): Value | undefined {
  if (name !== undefined) {
    const named = args.find((a) => a.name === name);
    if (named !== undefined) return named.value;
    if (args.some((a) => a.name !== undefined)) return undefined;
  }
  return args[index]?.value;
}

/** `[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]` and kin, as the raw wait status Linux wrote. */
export function waitStatusOf(v: Value | undefined, signal: (name: string) => bigint | undefined): number | undefined {
  if (v === undefined) return undefined;
  let b = bare(v);
  if (b.kind === 'array' && b.items.length === 1 && b.items[0] !== undefined) b = bare(b.items[0]);
  if (b.kind === 'struct' && b.fields.length === 1 && b.fields[0] !== undefined) b = bare(b.fields[0].value);
  if (b.kind === 'int') return Number(b.value);
  const facts = new Map<string, Value | true>();
  collectStatusFacts(b, facts);
  const sig = (x: Value | true | undefined): number | undefined => {
    if (x === undefined || x === true) return undefined;
    const y = bare(x);
    if (y.kind === 'int') return Number(y.value);
    if (y.kind === 'ident') {
      const n = signal(y.name);
      return n === undefined ? undefined : Number(n);
    }
    return undefined;
  };
  if (facts.has('WIFEXITED')) {
    const code = sig(facts.get('WEXITSTATUS'));
    return code === undefined ? undefined : (code & 0xff) << 8;
  }
  if (facts.has('WIFSIGNALED')) {
    const s = sig(facts.get('WTERMSIG'));
    return s === undefined ? undefined : s | (facts.has('WCOREDUMP') ? 0x80 : 0);
  }
  if (facts.has('WIFSTOPPED')) {
    const s = sig(facts.get('WSTOPSIG'));
    return s === undefined ? undefined : (s << 8) | 0x7f;
  }
  if (facts.has('WIFCONTINUED')) return 0xffff;
  return undefined;
}

// In-order walk, so `A && B == 0` reads the same whichever way the parser grouped it.
function collectStatusFacts(v: Value, facts: Map<string, Value | true>): void {
  const seq: (Value | '==')[] = [];
  const walk = (x: Value): void => {
    const b = bare(x);
    if (b.kind === 'expr') {
      walk(b.left);
      if (b.op === '==') seq.push('==');
      walk(b.right);
    } else {
      seq.push(b);
    }
  };
  walk(v);
  for (let i = 0; i < seq.length; i++) {
    const item = seq[i];
    if (item === undefined || item === '==' || item.kind !== 'call') continue;
    const next = seq[i + 1];
    const value = seq[i + 2];
    if (next === '==' && value !== undefined && value !== '==') facts.set(item.name, value);
    else facts.set(item.name, true);
  }
}

const RLIM64_INFINITY = (1n << 64n) - 1n;

/** One rlim_cur/rlim_max value: a number, strace's `8192*1024` product, or RLIM64_INFINITY. */
function rlimNumberOf(v: Value | undefined): bigint | undefined {
  if (v === undefined) return undefined;
  const b = bare(v);
  if (b.kind === 'ident') return b.name === 'RLIM64_INFINITY' || b.name === 'RLIM_INFINITY' ? RLIM64_INFINITY : undefined;
  if (b.kind === 'expr' && b.op === '*') {
    const l = rlimNumberOf(b.left);
    const r = rlimNumberOf(b.right);
    return l === undefined || r === undefined ? undefined : l * r;
  }
  return intOf(b);
}

/** A decoded struct rlimit64 (`{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}`), or undefined if it is not one. */
export function rlimitOf(v: Value | undefined): { readonly cur: bigint; readonly max: bigint } | undefined {
  if (v === undefined || bare(v).kind !== 'struct') return undefined;
  const cur = rlimNumberOf(fieldOf(v, 'rlim_cur'));
  const max = rlimNumberOf(fieldOf(v, 'rlim_max'));
  return cur === undefined || max === undefined ? undefined : { cur, max };
}
