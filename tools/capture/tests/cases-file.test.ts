import { describe, expect, it } from 'vitest';
import { CasesFileError, parseFamilyDefinition, parseLocatedJson } from '../src/index.js';

const parse = (text: string) => parseFamilyDefinition('x/cases.json', 'x', text);

describe('cases.json reader', () => {
  it('reads a valid definition with defaults', () => {
    const def = parse(`{
  "family": "f",
  "build": [{ "lang": "c", "source": "a.c", "output": "a" }],
  "cases": [{ "id": "one", "description": "d", "argv": ["/tmp/forkscope/bin/a"], "promises": ["fork", "execve"] }]
}`);
    expect(def.build).toEqual([{ lang: 'c', source: 'a.c', output: 'a', flags: [] }]);
    expect(def.fixtures).toEqual([]);
    expect(def.cases[0]).toEqual({ id: 'one', description: 'd', argv: ['/tmp/forkscope/bin/a'], stdin: undefined, promises: ['fork', 'execve'] });
  });

  it('names file and line of an unknown promise', () => {
    const text = `{
  "family": "f",
  "cases": [
    { "id": "one", "description": "d", "argv": ["/bin/true"],
      "promises": ["fork",
                   "vforkk"] }
  ]
}`;
    expect(() => parse(text)).toThrow(CasesFileError);
    expect(() => parse(text)).toThrow('x/cases.json:6: cases[0].promises[1]: unknown promise "vforkk"');
  });

  it('names the line of a JSON syntax error', () => {
    expect(() => parse('{\n  "family": "f",\n  "cases": [,]\n}')).toThrow(/^x\/cases.json:3: invalid JSON/);
  });

  it('rejects a relative argv[0], duplicate ids, bad modes, unsafe paths and unknown properties', () => {
    const one = (c: string) => `{"family":"f","cases":[${c}]}`;
    expect(() => parse(one('{"id":"a","description":"d","argv":["true"],"promises":["none"]}'))).toThrow(/argv\[0\] must be an absolute path/);
    expect(() =>
      parse(one('{"id":"a","description":"d","argv":["/t"],"promises":["none"]},{"id":"a","description":"d","argv":["/t"],"promises":["none"]}')),
    ).toThrow(/duplicate case id "a"/);
    expect(() => parse('{"family":"f","fixtures":[{"path":"x","mode":"755","content":""}],"cases":[]}')).toThrow(/fixtures\[0\]\.mode/);
    expect(() => parse('{"family":"f","fixtures":[{"path":"../x","mode":"0755","content":""}],"cases":[]}')).toThrow(/fixtures\[0\]\.path/);
    expect(() => parse(one('{"id":"a","description":"d","argv":["/t"],"promises":["none"],"stdn":"x"}'))).toThrow(/cases\[0\]\.stdn: unknown property/);
    expect(() => parse(one('{"id":"../a","description":"d","argv":["/t"],"promises":["none"]}'))).toThrow(/cases\[0\]\.id/);
    expect(() => parse(one('{"id":"a","description":"d","argv":["/t"],"promises":[]}'))).toThrow(/at least one promise/);
  });
});

describe('parseLocatedJson', () => {
  it('parses like JSON.parse and knows the line of each value', () => {
    const text = '{\n "a": [1,\n  {"b": "x\\ny"}],\n "c": null\n}';
    const located = parseLocatedJson(text);
    expect(located.value).toEqual(JSON.parse(text));
    expect(located.lineOf(['a', 1, 'b'])).toBe(3);
    expect(located.lineOf(['c'])).toBe(4);
    expect(located.lineOf(['missing', 'deeper'])).toBe(1);
  });

  it('rejects trailing commas, duplicate keys, bad tokens and trailing text with a line', () => {
    expect(() => parseLocatedJson('[1,\n]')).toThrow(/line 2/);
    expect(() => parseLocatedJson('{"a":1,\n"a":2}')).toThrow(/line 2.*duplicate property "a"/);
    expect(() => parseLocatedJson('[tru]')).toThrow(/invalid token "tru"/);
    expect(() => parseLocatedJson('{} x')).toThrow(/unexpected text/);
  });
});
