// A strict JSON reader that remembers the line of every value, so that an
// error in a hand-edited cases.json can name its file and line. Recursive
// descent over the RFC 8259 grammar; JSON.parse decodes each scalar token.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonPath = readonly (string | number)[];

export class JsonSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    why: string,
  ) {
    super(`line ${line}, column ${column}: ${why}`);
    this.name = 'JsonSyntaxError';
  }
}

export interface LocatedJson {
  readonly value: JsonValue;
  /** The 1-based line where the value at `path` starts (the nearest existing ancestor if absent). */
  lineOf(path: JsonPath): number;
}

const keyOf = (path: JsonPath): string => JSON.stringify(path);

export function parseLocatedJson(text: string): LocatedJson {
  const lines = new Map<string, number>();
  let pos = 0;
  let line = 1;
  let lineStart = 0;

  const fail = (why: string): never => {
    throw new JsonSyntaxError(line, pos - lineStart + 1, why);
  };
  const skipSpace = (): void => {
    for (;;) {
      const c = text[pos];
      if (c === '\n') {
        pos += 1;
        line += 1;
        lineStart = pos;
      } else if (c === ' ' || c === '\t' || c === '\r') pos += 1;
      else return;
    }
  };
  const expect = (c: string): void => {
    if (text[pos] !== c) fail(`expected ${JSON.stringify(c)}, found ${text[pos] === undefined ? 'end of file' : JSON.stringify(text[pos])}`);
    pos += 1;
  };
  const scanString = (): string => {
    const start = pos;
    pos += 1;
    while (pos < text.length && text[pos] !== '"') {
      const c = text[pos] as string;
      if (c === '\n' || c < ' ') fail('control character or line break inside a string');
      pos += c === '\\' ? 2 : 1;
    }
    if (pos >= text.length) fail('unterminated string');
    pos += 1;
    try {
      return JSON.parse(text.slice(start, pos)) as string;
    } catch {
      return fail('invalid escape in string');
    }
  };
  const scanScalar = (): JsonValue => {
    const start = pos;
    while (pos < text.length && !' \t\r\n,]}:'.includes(text[pos] as string)) pos += 1;
    const token = text.slice(start, pos);
    if (token === '') fail(`unexpected ${text[pos] === undefined ? 'end of file' : JSON.stringify(text[pos])}`);
    try {
      const v = JSON.parse(token) as unknown;
      if (typeof v === 'string' || (v !== null && typeof v === 'object')) fail(`invalid token ${JSON.stringify(token)}`);
      return v as JsonValue;
    } catch (e) {
      if (e instanceof JsonSyntaxError) throw e;
      return fail(`invalid token ${JSON.stringify(token)}`);
    }
  };
  const value = (path: (string | number)[]): JsonValue => {
    skipSpace();
    lines.set(keyOf(path), line);
    const c = text[pos];
    if (c === '{') {
      pos += 1;
      const obj: { [key: string]: JsonValue } = {};
      skipSpace();
      if (text[pos] === '}') {
        pos += 1;
        return obj;
      }
      for (;;) {
        skipSpace();
        if (text[pos] !== '"') fail('expected a property name in double quotes');
        const key = scanString();
        if (Object.hasOwn(obj, key)) fail(`duplicate property ${JSON.stringify(key)}`);
        skipSpace();
        expect(':');
        obj[key] = value([...path, key]);
        skipSpace();
        if (text[pos] === ',') {
          pos += 1;
          continue;
        }
        expect('}');
        return obj;
      }
    }
    if (c === '[') {
      pos += 1;
      const arr: JsonValue[] = [];
      skipSpace();
      if (text[pos] === ']') {
        pos += 1;
        return arr;
      }
      for (;;) {
        arr.push(value([...path, arr.length]));
        skipSpace();
        if (text[pos] === ',') {
          pos += 1;
          continue;
        }
        expect(']');
        return arr;
      }
    }
    if (c === '"') return scanString();
    return scanScalar();
  };

  const root = value([]);
  skipSpace();
  if (pos < text.length) fail('unexpected text after the JSON value');
  return {
    value: root,
    lineOf(path: JsonPath): number {
      for (let n = path.length; n >= 0; n -= 1) {
        const found = lines.get(keyOf(path.slice(0, n)));
        if (found !== undefined) return found;
      }
      return 1;
    },
  };
}
