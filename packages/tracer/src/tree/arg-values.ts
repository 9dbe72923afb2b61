// Small readers over the argument value trees, for the lifecycle calls the tree and the
// normalizer look at. They accept every shape the value grammar can give a field
// (a decorated fd, a commented -X verbose value, an in/out pair) and return null rather
// than guess when the shape is not what the call prints.
import type { SyscallEvent } from '../events.js';
import type { Value } from '../values.js';

/** The value itself, with -y/-Y decorations and -X verbose comments peeled off. */
export function bare(v: Value): Value {
  let cur = v;
  for (;;) {
    if (cur.kind === 'decorated') cur = cur.value;
    else if (cur.kind === 'commented' && cur.value.kind !== 'null') cur = cur.value;
    else return cur;
  }
}

/** The positional argument `i` (0-based), or null when the call printed fewer. */
export function positional(event: SyscallEvent, i: number): Value | null {
  return event.args[i]?.value ?? null;
}

/** A top-level `name=value` argument (clone's `flags=`), or null. */
export function named(event: SyscallEvent, name: string): Value | null {
  for (const a of event.args) if (a.name === name) return a.value;
  return null;
}

/** A struct's field by name, or null. */
export function field(v: Value, name: string): Value | null {
  const s = bare(v);
  if (s.kind !== 'struct') return null;
  for (const f of s.fields) if (f.name === name) return f.value;
  return null;
}

/** For `before => after` values, the side asked for; other values are both sides at once. */
export function side(v: Value, which: 'before' | 'after'): Value {
  const b = bare(v);
  return b.kind === 'inout' ? bare(b[which]) : b;
}

/** An integer value as bigint, or null when it is not a plain integer. */
export function intValue(v: Value | null): bigint | null {
  if (v === null) return null;
  const b = bare(v);
  return b.kind === 'int' ? b.value : null;
}

/** The first integer inside `[N]` (an out-parameter such as clone3's `pidfd=[6]`), or a plain integer. */
export function boxedInt(v: Value | null): bigint | null {
  if (v === null) return null;
  const b = bare(v);
  if (b.kind === 'array') {
    const first = b.items[0];
    return first === undefined ? null : intValue(first);
  }
  return intValue(b);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** A string value decoded as UTF-8 (invalid bytes become U+FFFD), or null. */
export function stringValue(v: Value | null): string | null {
  if (v === null) return null;
  const b = bare(v);
  return b.kind === 'string' ? utf8.decode(b.bytes) : null;
}

/** An argv-style array of strings; null for NULL or a shape that is not an array of strings. */
export function stringArray(v: Value | null): { items: string[]; truncated: boolean } | null {
  if (v === null) return null;
  const b = bare(v);
  if (b.kind !== 'array') return null;
  const items: string[] = [];
  for (const item of b.items) {
    const s = stringValue(item);
    if (s === null) return null;
    items.push(s);
  }
  return { items, truncated: b.truncated };
}

/**
 * The names and numbers OR-ed together in a flags value (`CLONE_VM|CLONE_VFORK|SIGCHLD`,
 * a single `WNOHANG`, `0`), as printed: names as themselves, numbers as their text.
 * A plain `0` yields no items, since it means "no flags".
 */
export function flagItems(v: Value | null): string[] {
  if (v === null) return [];
  const b = bare(v);
  switch (b.kind) {
    case 'flags':
      return b.items.flatMap((i) => flagItems(i));
    case 'ident':
      return [b.name];
    case 'int':
      return b.value === 0n ? [] : [b.text];
    default:
      return [];
  }
}

/** A signal argument (`SIGKILL`, `0`, `9`): the name, or the number when printed as one. */
export function signalValue(v: Value | null): string | number | null {
  if (v === null) return null;
  const b = bare(v);
  if (b.kind === 'ident') return b.name;
  if (b.kind === 'int') return Number(b.value);
  return null;
}

/**
 * Every identifier and integer inside a value, depth first, in print order. Used to read
 * wait-status expressions (`[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]`) without depending on
 * how the grammar nests the `&&`/`==`: the decoding only needs the words and the numbers.
 */
export function tokens(v: Value): (string | bigint)[] {
  const out: (string | bigint)[] = [];
  const walk = (x: Value): void => {
    switch (x.kind) {
      case 'int':
        out.push(x.value);
        return;
      case 'ident':
        out.push(x.name);
        return;
      case 'string':
      case 'null':
      case 'unavailable':
      case 'bitset':
        return;
      case 'flags':
      case 'array':
        x.items.forEach(walk);
        return;
      case 'struct':
        x.fields.forEach((f) => walk(f.value));
        return;
      case 'indexed':
        walk(x.index);
        walk(x.value);
        return;
      case 'inout':
        walk(x.after);
        return;
      case 'alt':
        x.options.forEach(walk);
        return;
      case 'call':
        out.push(x.name);
        x.args.forEach(walk);
        return;
      case 'expr':
        walk(x.left);
        walk(x.right);
        return;
      case 'commented':
        walk(x.value);
        return;
      case 'decorated':
        walk(x.value);
        return;
      case 'raw':
        out.push(...rawTokens(x.text));
        return;
      default: {
        const never: never = x;
        throw new Error(`unhandled value kind ${(never as Value).kind}`);
      }
    }
  };
  walk(v);
  return out;
}

/** Words and decimal numbers of a text, by a single forward scan (no regular expressions). */
export function rawTokens(text: string): (string | bigint)[] {
  const out: (string | bigint)[] = [];
  let i = 0;
  const isWord = (c: string): boolean => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c === '_';
  const isDigit = (c: string): boolean => c >= '0' && c <= '9';
  while (i < text.length) {
    const c = text[i] as string;
    if (isWord(c)) {
      const start = i;
      while (i < text.length && (isWord(text[i] as string) || isDigit(text[i] as string))) i++;
      out.push(text.slice(start, i));
    } else if (isDigit(c)) {
      const start = i;
      while (i < text.length && isDigit(text[i] as string)) i++;
      out.push(BigInt(text.slice(start, i)));
    } else i++;
  }
  return out;
}
