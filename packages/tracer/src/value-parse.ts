// Recursive-descent parser for strace's argument syntax (src/print_fields.c, util.c) into the
// Value tree. Total: text it does not understand becomes a `raw` value covering exactly that
// argument, never an exception and never a silently dropped token.
//
// Precedence, loosest first:  a => b  |  a or b  |  a || b  |  a && b  |  a == b  |  A|B|C
//                              |  a << b  |  a * b  |  primary with decorations and comments.
import type { Arg, Field, Value } from './values.js';
import { codeAt, integerEndAt, readInteger } from './outcome-parse.js';
import { isDigit, isWordChar, skipComment, skipDecoration, skipString } from './text-scan.js';
import { StringValue } from './string-value.js';
import { decodeEscapes } from './escapes.js';
import { decimalSlice, SMALL_DECIMAL_COUNT, smallDecimalIndex } from './intern.js';

export { decodeEscapes } from './escapes.js';

class Fail {
  constructor(readonly at: number) {}
}

const NULL_VALUE: Value = Object.freeze({ kind: 'null' });

/** The int values 0..999 (fds, sizes, counts on most lines), one shared read-only object each. */
const SMALL_INTS: (Value | undefined)[] = new Array<Value | undefined>(SMALL_DECIMAL_COUNT).fill(undefined);
const UNAVAILABLE_VALUE: Value = Object.freeze({ kind: 'unavailable' });

function isIdentStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

const MAX_DEPTH = 200;

/** Binding strength, loosest first: `a => b`, `a or b`, `||`, `&&`, `==`, flags `|`, `<<`, `*`. */
const PRECEDENCE: Readonly<Record<string, number>> = {
  '=>': 1,
  or: 2,
  '||': 3,
  '&&': 4,
  '==': 5,
  '!=': 5,
  '|': 6,
  '<<': 7,
  '>>': 7,
  '*': 8,
  '+': 8,
};

const FLAGS_PREC = 6;

/**
 * Strings printed longer than this are decoded lazily (a StringValue). Installing its accessor
 * costs about what decoding ~100 characters does, so shorter strings are decoded at once.
 */
const LAZY_MIN_CHARS = 96;

class ValueParser {
  i = 0;
  depth = 0;
  constructor(
    readonly s: string,
    readonly end: number,
  ) {}

  fail(): never {
    throw new Fail(this.i);
  }

  at(text: string): boolean {
    return this.s.startsWith(text, this.i);
  }

  expect(text: string): void {
    if (!this.at(text)) this.fail();
    this.i += text.length;
  }

  /** Top-level or call arguments separated by `, `, up to `end` or a closing `)`. */
  args(closer: number): Arg[] {
    const s = this.s;
    if (this.i >= this.end || codeAt(s, this.i) === closer) return [];
    const depthAtStart = this.depth;
    // Up to four arguments wait in locals and come out in an array of exactly their number: a
    // push onto an empty array reserves 17 slots, which was a tenth of a full parse's garbage.
    let a0: Arg | undefined;
    let a1: Arg | undefined;
    let a2: Arg | undefined;
    let a3: Arg | undefined;
    let more: Arg[] | null = null;
    let n = 0;
    for (;;) {
      const start = this.i;
      let arg: Arg;
      try {
        arg = this.field();
        const c = codeAt(s, this.i);
        if (!(this.i >= this.end || c === closer || (c === 0x2c && codeAt(s, this.i + 1) === 0x20))) this.fail();
      } catch (e) {
        if (!(e instanceof Fail)) throw e;
        // Resynchronise at the next top-level separator; the argument is kept as raw text.
        this.i = start;
        this.depth = depthAtStart;
        const stop = this.skipToSeparator(closer);
        arg = { name: undefined, value: { kind: 'raw', text: s.slice(start, stop) } };
        this.i = stop;
      }
      if (n === 0) a0 = arg;
      else if (n === 1) a1 = arg;
      else if (n === 2) a2 = arg;
      else if (n === 3) a3 = arg;
      else (more ??= [a0, a1, a2, a3] as Arg[]).push(arg);
      n++;
      if (this.i >= this.end || codeAt(s, this.i) === closer) return exactly(n, a0, a1, a2, a3, more);
      this.i += 2; // ", "
      // An unfinished half ends with its separator (`read(0,  <unfinished ...>`).
      if (this.i >= this.end) return exactly(n, a0, a1, a2, a3, more);
    }
  }

  /** Index of the next `, ` (or `closer`) at depth zero from `this.i`, skipping strings and decorations. */
  skipToSeparator(closer: number): number {
    const s = this.s;
    let depth = 0;
    for (let j = this.i; j < this.end; j++) {
      const c = codeAt(s, j);
      if (c === 0x22) {
        const e = skipString(s, j, this.end);
        if (e < 0) return this.end;
        j = e - 1;
      } else if (c === 0x2f && codeAt(s, j + 1) === 0x2a) {
        const e = skipComment(s, j, this.end);
        if (e < 0) return this.end;
        j = e - 1;
      } else if (c === 0x28 || c === 0x5b || c === 0x7b) depth++;
      else if (depth === 0 && (c === closer || (c === 0x2c && codeAt(s, j + 1) === 0x20))) return j;
      else if (c === 0x29 || c === 0x5d || c === 0x7d) depth--;
    }
    return this.end;
  }

  /** `name=value` or a positional value. */
  field(): Field {
    const s = this.s;
    const start = this.i;
    if (isIdentStart(codeAt(s, start))) {
      let j = start + 1;
      while (j < this.end && isWordChar(codeAt(s, j))) j++;
      if (codeAt(s, j) === 0x3d && codeAt(s, j + 1) !== 0x3d && codeAt(s, j + 1) !== 0x3e) {
        this.i = j + 1;
        return { name: s.slice(start, j), value: this.value() };
      }
    }
    return { name: undefined, value: this.value() };
  }

  value(): Value {
    // Deeper than any real strace output: give up (the argument becomes raw) rather than
    // overflow the stack on hostile input.
    if (++this.depth > MAX_DEPTH) this.fail();
    const v = this.expression(0);
    this.depth--;
    return v;
  }

  /**
   * Precedence climbing over the binary forms. Most values are a single operand followed by
   * `,` or a closer, which the first `operator()` check answers without any string compare.
   */
  expression(minPrec: number): Value {
    const s = this.s;
    let left: Value;
    /** The items of the flags/alt value that `left` is, while this loop is still extending it. */
    let nary: Value[] | null = null;
    let naryOp: string | null = null;
    if (codeAt(s, this.i) === 0x7c && codeAt(s, this.i + 1) !== 0x7c && minPrec <= FLAGS_PREC) {
      // strace 6.1 -X raw prints statx's mask as `|0x800` (an empty first member).
      this.i++;
      nary = [this.expression(FLAGS_PREC + 1)];
      naryOp = '|';
      left = { kind: 'flags', items: nary };
    } else {
      left = this.postfix();
    }
    for (;;) {
      const op = this.operator();
      if (op === null) return left;
      const prec = PRECEDENCE[op] as number;
      if (prec < minPrec) return left;
      this.i += this.opLength;
      const right = this.expression(prec + 1);
      if (op === '|' || op === 'or') {
        if (naryOp === op && nary !== null) {
          nary.push(right);
          continue;
        }
        nary = [left, right];
        naryOp = op;
        left = op === '|' ? { kind: 'flags', items: nary } : { kind: 'alt', options: nary };
      } else {
        left = op === '=>' ? { kind: 'inout', before: left, after: right } : { kind: 'expr', op, left, right };
        nary = null;
        naryOp = null;
      }
    }
  }

  /** Length of the operator `operator()` last found. */
  opLength = 0;

  /** The operator at the cursor (its length in `opLength`), or null. */
  operator(): string | null {
    const s = this.s;
    const c = codeAt(s, this.i);
    this.opLength = 4;
    switch (c) {
      case 0x20: {
        const d = codeAt(s, this.i + 1);
        if (d === 0x3d && this.at(' => ')) return '=>';
        if (d === 0x6f && this.at(' or ')) return 'or';
        if (d === 0x7c) {
          if (this.at(' || ')) return '||';
          this.opLength = 3; // Shadow's bitflags print `A | B`
          return this.at(' | ') ? '|' : null;
        }
        if (d === 0x26 && this.at(' && ')) return '&&';
        if (d === 0x3d && this.at(' == ')) return '==';
        if (d === 0x21 && this.at(' != ')) return '!=';
        return null;
      }
      case 0x7c: // |
        this.opLength = 1;
        return codeAt(s, this.i + 1) === 0x7c ? null : '|';
      case 0x3c: // <
        this.opLength = 2;
        return codeAt(s, this.i + 1) === 0x3c ? '<<' : null;
      case 0x3e: // >
        this.opLength = 2;
        return codeAt(s, this.i + 1) === 0x3e ? '>>' : null;
      case 0x2a: // *
        this.opLength = 1;
        return codeAt(s, this.i + 1) === 0x2f ? null : '*';
      case 0x2b: // +
        this.opLength = 1;
        return '+';
      default:
        return null;
    }
  }

  postfix(): Value {
    let v = this.primary();
    const s = this.s;
    for (;;) {
      const c = codeAt(s, this.i);
      if (c === 0x3c && codeAt(s, this.i + 1) !== 0x3c && (v.kind === 'int' || v.kind === 'ident')) {
        const e = skipDecoration(s, this.i, this.end);
        if (e < 0) this.fail();
        const decoration = s.slice(this.i + 1, e - 1);
        this.i = e;
        let deleted = false;
        if (this.at('(deleted)')) {
          deleted = true;
          this.i += 9;
        }
        v = { kind: 'decorated', value: v, decoration, deleted };
      } else if (c === 0x20 && codeAt(s, this.i + 1) === 0x2f && codeAt(s, this.i + 2) === 0x2a) {
        v = { kind: 'commented', value: v, comment: this.comment(this.i + 1) };
      } else if (c === 0x20 && this.shadowNote()) {
        // Shadow's notes after a value: `0x0 <null>`, `{…} (0x7ffd…)` (the pointer it read from).
        const close = codeAt(s, this.i + 1) === 0x3c ? 0x3e : 0x29;
        const e = s.indexOf(String.fromCharCode(close), this.i + 2);
        v = { kind: 'commented', value: v, comment: s.slice(this.i + 2, e) };
        this.i = e + 1;
      } else {
        return v;
      }
    }
  }

  /** At ` <word>` or ` (0xHEX)`: a note Shadow prints after a value (never strace). */
  shadowNote(): boolean {
    const s = this.s;
    const open = codeAt(s, this.i + 1);
    if (open === 0x3c) {
      let j = this.i + 2;
      while (j < this.end && (isWordChar(codeAt(s, j)) || codeAt(s, j) === 0x2d)) j++;
      return j > this.i + 2 && codeAt(s, j) === 0x3e;
    }
    if (open === 0x28 && s.startsWith('0x', this.i + 2)) {
      let j = this.i + 4;
      while (j < this.end && isWordChar(codeAt(s, j))) j++;
      return j > this.i + 4 && codeAt(s, j) === 0x29;
    }
    return false;
  }

  /** Reads `/* text *\/` at `at`; returns the trimmed text. */
  comment(at: number): string {
    const e = skipComment(this.s, at, this.end);
    if (e < 0) this.fail();
    this.i = e;
    return this.s.slice(at + 2, e - 2).trim();
  }

  primary(): Value {
    const s = this.s;
    const c = codeAt(s, this.i);
    if (c === 0x22) return this.string(false);
    if (c === 0x40 && codeAt(s, this.i + 1) === 0x22) {
      this.i++;
      return this.string(true);
    }
    if (c === 0x7b) return this.struct();
    if (c === 0x5b) return this.array();
    if (c === 0x7e && codeAt(s, this.i + 1) === 0x5b) {
      this.i++;
      return this.bitset(true);
    }
    if (c === 0x2f && codeAt(s, this.i + 1) === 0x2a) {
      // A bare comment stands for a value strace chose not to print (`[/* 25 vars */]`), or
      // labels the value after it (`/* bytes 88..95 */ "\x00…"` in an oversized struct).
      const comment = this.comment(this.i);
      const n = codeAt(s, this.i + 1);
      if (codeAt(s, this.i) === 0x20 && this.i + 1 < this.end && n !== 0x2c && n !== 0x7d && n !== 0x5d) {
        this.i++;
        if (++this.depth > MAX_DEPTH) this.fail();
        const labelled = this.postfix();
        this.depth--;
        return { kind: 'commented', value: labelled, comment };
      }
      return { kind: 'commented', value: NULL_VALUE, comment };
    }
    if (isDigit(c) || (c === 0x2d && isDigit(codeAt(s, this.i + 1)))) {
      const value = readInteger(s, this.i, this.end);
      const e = integerEndAt.at;
      if (value === null || isWordChar(codeAt(s, e)) || codeAt(s, e) === 0x2e) this.fail();
      // Fds, sizes and counts 0..999 share one value (and its text) each instead of a copy per value.
      const text = decimalSlice(s, this.i, e);
      this.i = e;
      const n = smallDecimalIndex(text);
      if (n >= 0) return (SMALL_INTS[n] ??= { kind: 'int', text, value });
      return { kind: 'int', text, value };
    }
    if (c === 0x3f && this.at('???')) {
      this.i += 3;
      return UNAVAILABLE_VALUE;
    }
    if (c === 0x26 || isIdentStart(c)) {
      const start = this.i;
      let j = start + 1;
      while (j < this.end && isWordChar(codeAt(s, j))) j++;
      const name = s.slice(start, j);
      this.i = j;
      if (codeAt(s, j) === 0x28) {
        this.i++;
        const args = this.args(0x29).map((a) => (a.name === undefined ? a.value : this.named(a)));
        this.expect(')');
        return { kind: 'call', name, args };
      }
      if (name === 'NULL') return NULL_VALUE;
      return { kind: 'ident', name };
    }
    if (c === 0x28) {
      // Parenthesised group (Shadow's `(0x7ff…)`, arithmetic).
      this.i++;
      const inner = this.value();
      this.expect(')');
      return inner;
    }
    if (c === 0x3c) {
      // `<... resuming interrupted read ...>`, Shadow's `<pointer>`: kept verbatim.
      const e = s.indexOf('>', this.i);
      if (e < 0 || e >= this.end) this.fail();
      const text = s.slice(this.i, e + 1);
      this.i = e + 1;
      return { kind: 'raw', text };
    }
    return this.fail();
  }

  /** A `name=value` inside a call's parentheses: kept as an inout-free raw-named expression. */
  named(a: Arg): Value {
    return { kind: 'expr', op: '=', left: { kind: 'ident', name: a.name ?? '' }, right: a.value };
  }

  string(abstract: boolean): Value {
    const s = this.s;
    const e = skipString(s, this.i, this.end);
    if (e < 0) this.fail();
    const from = this.i + 1;
    this.i = e;
    let truncated = false;
    if (this.at('...')) {
      truncated = true;
      this.i += 3;
    }
    if (e - 1 - from > LAZY_MIN_CHARS) {
      // Decoded on first read of `bytes` (most never are: a read's buffer, a path nobody replays).
      return new StringValue(s, from, e - 1, truncated, abstract);
    }
    const bytes = decodeEscapes(s, from, e - 1);
    return abstract ? { kind: 'string', bytes, truncated, abstract } : { kind: 'string', bytes, truncated };
  }

  struct(): Value {
    this.i++; // {
    const fields: Field[] = [];
    let truncated = false;
    const s = this.s;
    if (codeAt(s, this.i) !== 0x7d) {
      for (;;) {
        if (this.at('...')) {
          truncated = true;
          this.i += 3;
          break;
        }
        fields.push(this.field());
        if (!this.at(', ')) break;
        this.i += 2;
      }
    }
    this.expect('}');
    return { kind: 'struct', fields, truncated };
  }

  array(): Value {
    this.i++; // [
    const s = this.s;
    const items: Value[] = [];
    let truncated = false;
    if (codeAt(s, this.i) === 0x5d) {
      this.i++;
      return { kind: 'array', items, truncated };
    }
    const first = this.element();
    if (codeAt(s, this.i) === 0x20 && !this.at(' ...')) {
      // Space-separated: a signal or cpu set.
      this.i -= 0; // keep position; bitset() re-reads from here
      return this.bitsetFrom([bitsetItem(first, this)], false);
    }
    items.push(first);
    for (;;) {
      if (this.at(', ')) {
        this.i += 2;
        if (this.at('...')) {
          truncated = true;
          this.i += 3;
          break;
        }
        items.push(this.element());
      } else if (this.at('...')) {
        truncated = true;
        this.i += 3;
        break;
      } else {
        break;
      }
    }
    this.expect(']');
    return { kind: 'array', items, truncated };
  }

  /** An array element: a value, or `[i]=v`. */
  element(): Value {
    if (this.at('...')) {
      // `[...]`: nothing printed but the ellipsis.
      return { kind: 'raw', text: '...' };
    }
    const v = this.value();
    if (v.kind === 'array' && v.items.length === 1 && codeAt(this.s, this.i) === 0x3d) {
      this.i++;
      const index = v.items[0] as Value;
      return { kind: 'indexed', index, value: this.value() };
    }
    return v;
  }

  bitset(negated: boolean): Value {
    this.i++; // [
    if (codeAt(this.s, this.i) === 0x5d) {
      this.i++;
      return { kind: 'bitset', items: [], negated };
    }
    return this.bitsetFrom([bitsetItem(this.postfix(), this)], negated);
  }

  bitsetFrom(items: string[], negated: boolean): Value {
    while (codeAt(this.s, this.i) === 0x20) {
      this.i++;
      if (this.at('...')) {
        this.i += 3;
        items.push('...');
        continue;
      }
      items.push(bitsetItem(this.postfix(), this));
    }
    this.expect(']');
    return { kind: 'bitset', items, negated };
  }
}

/** The first `n` arguments as an array of length `n` (`more` holds them all when n > 4). */
function exactly(n: number, a0: Arg | undefined, a1: Arg | undefined, a2: Arg | undefined, a3: Arg | undefined, more: Arg[] | null): Arg[] {
  switch (n) {
    case 1:
      return [a0 as Arg];
    case 2:
      return [a0 as Arg, a1 as Arg];
    case 3:
      return [a0 as Arg, a1 as Arg, a2 as Arg];
    case 4:
      return [a0 as Arg, a1 as Arg, a2 as Arg, a3 as Arg];
    default:
      return more as Arg[];
  }
}

/** A bitset member's name: the identifier, the number, or under -X verbose the name in the comment. */
function bitsetItem(v: Value, p: ValueParser): string {
  switch (v.kind) {
    case 'ident':
      return v.name;
    case 'int':
      return v.text;
    case 'commented':
      return v.comment;
    default:
      return p.fail();
  }
}

/** Parses a call's argument text (`argsText`) into its top-level arguments. Never throws. */
export function parseArgs(text: string): Arg[] {
  const p = new ValueParser(text, text.length);
  const args = p.args(-1);
  return args;
}

/** Parses one value (a siginfo struct, a result extra). Text it cannot read becomes `raw`. */
export function parseValue(text: string): Value {
  const p = new ValueParser(text, text.length);
  try {
    const v = p.value();
    if (p.i === text.length) return v;
  } catch (e) {
    if (!(e instanceof Fail)) throw e;
  }
  return { kind: 'raw', text };
}
