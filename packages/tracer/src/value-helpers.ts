// Small accessors over the Value tree for the code that consumes events (kernel replay,
// normalizer, tree). Each unwraps comments and fd decorations, which never change a value.
import type { SyscallEvent } from './events.js';
import type { Value } from './values.js';

/** Strips `/* comment *\/` and `<decoration>` wrappers. */
export function unwrap(v: Value): Value {
  let cur = v;
  while ((cur.kind === 'commented' && cur.value.kind !== 'null') || cur.kind === 'decorated') cur = cur.value;
  return cur;
}

/** The i-th top-level argument's value (0-based), or undefined. */
export function argAt(event: SyscallEvent, i: number): Value | undefined {
  return event.args[i]?.value;
}

/** The value of the top-level argument printed as `name=value` (clone's `flags=`, -N output). */
export function namedArg(event: SyscallEvent, name: string): Value | undefined {
  for (const a of event.args) if (a.name === name) return a.value;
  return undefined;
}

/** The value inside a struct by field name (`{flags=…, exit_signal=…}`), or undefined. */
export function fieldOf(v: Value | undefined, name: string): Value | undefined {
  if (v === undefined) return undefined;
  const u = unwrap(v);
  const s = u.kind === 'inout' ? unwrap(u.before) : u;
  if (s.kind !== 'struct') return undefined;
  for (const f of s.fields) if (f.name === name) return f.value;
  return undefined;
}

/**
 * An integer value exactly: ints, `NULL` (0), the comment-wrapped and decorated forms, the first
 * element of `[5]` (an int pointer strace dereferenced) and `a => b` (the value after the call).
 * Undefined for anything else (a symbolic name, a string).
 */
export function valueToBigInt(v: Value | undefined): bigint | undefined {
  if (v === undefined) return undefined;
  const u = unwrap(v);
  switch (u.kind) {
    case 'int':
      return u.value;
    case 'null':
      return 0n;
    case 'inout':
      return valueToBigInt(u.after);
    case 'array':
      return u.items.length === 1 ? valueToBigInt(u.items[0]) : undefined;
    case 'commented':
      return undefined; // a bare comment: strace printed no value
    default:
      return undefined;
  }
}

const utf8 = new TextDecoder('utf-8');

/** A string value as JS text (bytes decoded as UTF-8, invalid bytes as U+FFFD); undefined if not a string. */
export function valueToString(v: Value | undefined): string | undefined {
  if (v === undefined) return undefined;
  const u = unwrap(v);
  return u.kind === 'string' ? utf8.decode(u.bytes) : undefined;
}

/** The raw bytes of a string value. */
export function valueToBytes(v: Value | undefined): Uint8Array | undefined {
  if (v === undefined) return undefined;
  const u = unwrap(v);
  return u.kind === 'string' ? u.bytes : undefined;
}

/**
 * The symbolic names in a flags value: `CLONE_VM|CLONE_VFORK|SIGCHLD` → the three names;
 * a single identifier → [it]; -X verbose `0x11 /* CLONE_VM|… *\/` → the names in the comment.
 * Numeric members (`0644`) are left out; `0` gives [].
 */
export function flagNames(v: Value | undefined): string[] {
  if (v === undefined) return [];
  const out: string[] = [];
  const visit = (x: Value): void => {
    switch (x.kind) {
      case 'ident':
        out.push(x.name);
        break;
      case 'flags':
        for (const i of x.items) visit(i);
        break;
      case 'commented':
        if (x.value.kind === 'int' && isNameList(x.comment)) out.push(...x.comment.split('|'));
        else visit(x.value);
        break;
      case 'decorated':
        visit(x.value);
        break;
      default:
        break;
    }
  };
  visit(v);
  return out;
}

function isNameList(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x7c || (c >= 0x61 && c <= 0x7a);
    if (!ok) return false;
  }
  return true;
}

/** A signal set: which signals are named, and whether the set is their complement (`~[...]`). */
export interface SignalSet {
  readonly negated: boolean;
  /** Names with the `SIG` prefix (`[USR2 TERM]` → SIGUSR2, SIGTERM); numbers stay as digits. */
  readonly signals: readonly string[];
}

/** Reads `[USR1 TERM]`, `~[KILL STOP]`, `[]`, `[CHLD]` as a signal set; undefined otherwise. */
export function signalSetOf(v: Value | undefined): SignalSet | undefined {
  if (v === undefined) return undefined;
  const u = unwrap(v);
  const name = (s: string): string => (s.startsWith('SIG') || (s.charCodeAt(0) >= 0x30 && s.charCodeAt(0) <= 0x39) ? s : 'SIG' + s);
  if (u.kind === 'bitset') return { negated: u.negated, signals: u.items.map(name) };
  if (u.kind === 'array') {
    const signals: string[] = [];
    for (const i of u.items) {
      const x = unwrap(i);
      if (x.kind === 'ident') signals.push(name(x.name));
      else if (x.kind === 'int') signals.push(x.text);
      else return undefined;
    }
    return { negated: false, signals };
  }
  return undefined;
}

/**
 * A result's text (`outcome.text`) when strace printed it as a plain decimal: no sign, no leading
 * zero but `0` itself, at most 15 digits (exact as a double); else undefined. Most results are, and
 * this costs less than the outcome's `value`, a BigInt parsed from the text on first read.
 */
export function plainDecimal(text: string): number | undefined {
  const len = text.length;
  if (len === 0 || len > 15 || (len > 1 && text.charCodeAt(0) === 0x30)) return undefined;
  let n = 0;
  for (let i = 0; i < len; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n;
}
