// The shell grammar the corpus's scripts use, parsed by a hand-written scanner (no regular
// expressions): lists with `;` and `&`, and-or lists, pipelines, subshells, simple commands with
// assignments and redirections, and words made of literals, quotes, `$name`, `$?`, `$!`, `$$`,
// `$1`, `$(…)` and `$((…))`. Anything else is a ShellSyntaxError naming the offset.

export type WordPart =
  | { readonly kind: 'lit'; readonly text: string }
  | { readonly kind: 'var'; readonly name: string }
  | { readonly kind: 'cmdsub'; readonly list: List }
  | { readonly kind: 'arith'; readonly expr: string };

export interface Word {
  readonly parts: readonly WordPart[];
}

export interface Redir {
  readonly fd: number;
  readonly op: '<' | '>' | '>>' | '>&' | '<&';
  readonly target: Word;
}

export type Command =
  | {
      readonly kind: 'simple';
      readonly assigns: readonly { readonly name: string; readonly value: Word }[];
      readonly words: readonly Word[];
      readonly redirs: readonly Redir[];
    }
  | { readonly kind: 'subshell'; readonly list: List; readonly redirs: readonly Redir[] };

export interface Pipeline {
  readonly commands: readonly Command[];
}

export interface AndOr {
  readonly first: Pipeline;
  readonly rest: readonly { readonly op: '&&' | '||'; readonly pipeline: Pipeline }[];
}

export interface List {
  readonly items: readonly { readonly andOr: AndOr; readonly background: boolean }[];
}

export class ShellSyntaxError extends Error {
  override readonly name = 'ShellSyntaxError';
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isNameChar = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || isDigit(c);
const isBlank = (c: string): boolean => c === ' ' || c === '\t';
/** Characters that end an unquoted word. */
const isMeta = (c: string): boolean => isBlank(c) || c === '\n' || c === ';' || c === '&' || c === '|' || c === '(' || c === ')' || c === '<' || c === '>';

export function parseScript(script: string): List {
  const p = new Parser(script);
  const list = p.list();
  p.skipBlanks();
  if (!p.atEnd()) p.fail(`unexpected '${p.peek()}'`);
  return list;
}

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  atEnd(): boolean {
    return this.pos >= this.src.length;
  }
  peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }
  fail(why: string): never {
    throw new ShellSyntaxError(`sh: offset ${this.pos} of ${JSON.stringify(this.src)}: ${why}`);
  }
  skipBlanks(): void {
    while (isBlank(this.peek())) this.pos++;
  }

  /** list: and-or items separated by `;`, `&` or newlines, up to `)` or the end. */
  list(): List {
    const items: { andOr: AndOr; background: boolean }[] = [];
    for (;;) {
      this.skipBlanks();
      while (this.peek() === '\n' || this.peek() === ';') {
        this.pos++;
        this.skipBlanks();
      }
      if (this.atEnd() || this.peek() === ')') return { items };
      const andOr = this.andOr();
      this.skipBlanks();
      let background = false;
      if (this.peek() === '&' && this.peek(1) !== '&') {
        this.pos++;
        background = true;
      } else if (this.peek() === ';' || this.peek() === '\n') {
        this.pos++;
      }
      items.push({ andOr, background });
    }
  }

  private andOr(): AndOr {
    const first = this.pipeline();
    const rest: { op: '&&' | '||'; pipeline: Pipeline }[] = [];
    for (;;) {
      this.skipBlanks();
      const two = this.peek() + this.peek(1);
      if (two !== '&&' && two !== '||') return { first, rest };
      this.pos += 2;
      rest.push({ op: two, pipeline: this.pipeline() });
    }
  }

  private pipeline(): Pipeline {
    const commands = [this.command()];
    for (;;) {
      this.skipBlanks();
      if (this.peek() !== '|' || this.peek(1) === '|') return { commands };
      this.pos++;
      commands.push(this.command());
    }
  }

  private command(): Command {
    this.skipBlanks();
    if (this.peek() === '(') {
      this.pos++;
      const list = this.list();
      if (this.peek() !== ')') this.fail("missing ')'");
      this.pos++;
      return { kind: 'subshell', list, redirs: this.redirections() };
    }
    const assigns: { name: string; value: Word }[] = [];
    const words: Word[] = [];
    const redirs: Redir[] = [];
    for (;;) {
      this.skipBlanks();
      const c = this.peek();
      if (c === '' || c === ';' || c === '&' || c === '|' || c === ')' || c === '\n' || c === '(') break;
      const redir = this.redirection();
      if (redir) {
        redirs.push(redir);
        continue;
      }
      const assign = words.length === 0 ? this.assignment() : null;
      if (assign) {
        assigns.push(assign);
        continue;
      }
      words.push(this.word());
    }
    if (words.length === 0 && assigns.length === 0 && redirs.length === 0) this.fail('empty command');
    return { kind: 'simple', assigns, words, redirs };
  }

  private redirections(): Redir[] {
    const out: Redir[] = [];
    for (;;) {
      this.skipBlanks();
      const r = this.redirection();
      if (!r) return out;
      out.push(r);
    }
  }

  /** `[n]<`, `[n]>`, `[n]>>`, `[n]>&`, `[n]<&` followed by a word; null when none starts here. */
  private redirection(): Redir | null {
    const start = this.pos;
    let digits = '';
    while (isDigit(this.peek())) digits += this.src[this.pos++];
    const c = this.peek();
    if (c !== '<' && c !== '>') {
      this.pos = start;
      return null;
    }
    this.pos++;
    let op: Redir['op'] = c;
    if (c === '>' && this.peek() === '>') {
      this.pos++;
      op = '>>';
    } else if (this.peek() === '&') {
      this.pos++;
      op = c === '>' ? '>&' : '<&';
    }
    this.skipBlanks();
    const fd = digits === '' ? (c === '<' ? 0 : 1) : Number(digits);
    return { fd, op, target: this.word() };
  }

  private assignment(): { name: string; value: Word } | null {
    let i = this.pos;
    if (!isNameChar(this.src[i] ?? '') || isDigit(this.src[i] ?? '')) return null;
    while (isNameChar(this.src[i] ?? '')) i++;
    if (this.src[i] !== '=') return null;
    const name = this.src.slice(this.pos, i);
    this.pos = i + 1;
    return { name, value: this.word(true) };
  }

  /** One word: adjacent literal, quoted and expansion parts. */
  private word(allowEmpty = false): Word {
    const parts: WordPart[] = [];
    const lit = (text: string): void => {
      const last = parts[parts.length - 1];
      if (last?.kind === 'lit') parts[parts.length - 1] = { kind: 'lit', text: last.text + text };
      else parts.push({ kind: 'lit', text });
    };
    for (;;) {
      const c = this.peek();
      if (c === '' || isMeta(c)) break;
      if (c === "'") {
        const end = this.src.indexOf("'", this.pos + 1);
        if (end < 0) this.fail('unterminated single quote');
        lit(this.src.slice(this.pos + 1, end));
        this.pos = end + 1;
        if (parts.length === 0) parts.push({ kind: 'lit', text: '' });
      } else if (c === '"') {
        this.pos++;
        let any = false;
        while (this.peek() !== '"') {
          if (this.atEnd()) this.fail('unterminated double quote');
          any = true;
          if (this.peek() === '$') parts.push(this.dollar());
          else if (this.peek() === '\\' && '"\\$`'.includes(this.peek(1))) {
            lit(this.peek(1));
            this.pos += 2;
          } else {
            lit(this.src[this.pos++] ?? '');
          }
        }
        this.pos++;
        if (!any) lit('');
      } else if (c === '$') {
        parts.push(this.dollar());
      } else if (c === '\\') {
        lit(this.peek(1));
        this.pos += 2;
      } else {
        lit(c);
        this.pos++;
      }
    }
    if (parts.length === 0 && !allowEmpty) this.fail('expected a word');
    return { parts };
  }

  private dollar(): WordPart {
    this.pos++;
    const c = this.peek();
    if (c === '(' && this.peek(1) === '(') {
      const end = this.src.indexOf('))', this.pos + 2);
      if (end < 0) this.fail('unterminated $((');
      const expr = this.src.slice(this.pos + 2, end);
      this.pos = end + 2;
      return { kind: 'arith', expr };
    }
    if (c === '(') {
      this.pos++;
      const list = this.list();
      if (this.peek() !== ')') this.fail("missing ')' of $(");
      this.pos++;
      return { kind: 'cmdsub', list };
    }
    if (c === '?' || c === '!' || c === '$' || c === '#' || isDigit(c)) {
      this.pos++;
      return { kind: 'var', name: c };
    }
    let name = '';
    while (isNameChar(this.peek()) && !(name === '' && isDigit(this.peek()))) name += this.src[this.pos++];
    if (name === '') return { kind: 'lit', text: '$' };
    return { kind: 'var', name };
  }
}

/** $((…)) for integer literals and variables joined by + - * / % (left to right, * / % first). */
export function evalArith(expr: string, lookup: (name: string) => string): number {
  const tokens: (number | string)[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] ?? '';
    if (isBlank(c)) {
      i++;
    } else if (isDigit(c)) {
      let n = '';
      while (isDigit(expr[i] ?? '')) n += expr[i++];
      tokens.push(Number(n));
    } else if (isNameChar(c)) {
      let n = '';
      while (isNameChar(expr[i] ?? '')) n += expr[i++];
      tokens.push(Number(lookup(n)) || 0);
    } else if ('+-*/%'.includes(c)) {
      tokens.push(c);
      i++;
    } else {
      throw new ShellSyntaxError(`sh: arithmetic: unexpected '${c}' in ${JSON.stringify(expr)}`);
    }
  }
  const term = (): number => {
    let v = Number(tokens.shift() ?? 0);
    while (tokens[0] === '*' || tokens[0] === '/' || tokens[0] === '%') {
      const op = tokens.shift();
      const r = Number(tokens.shift() ?? 0);
      if ((op === '/' || op === '%') && r === 0) throw new ShellSyntaxError('sh: arithmetic: division by zero');
      v = op === '*' ? v * r : op === '/' ? Math.trunc(v / r) : v % r;
    }
    return v;
  };
  let v = term();
  while (tokens[0] === '+' || tokens[0] === '-') {
    const op = tokens.shift();
    const r = term();
    v = op === '+' ? v + r : v - r;
  }
  return v;
}
