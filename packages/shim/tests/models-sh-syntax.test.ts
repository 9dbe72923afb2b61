// The dash model's parser: the corpus scripts' structure, clear errors for bad input, and no
// other exception on arbitrary text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evalArith, parseScript, ShellSyntaxError, type Command } from '../src/models/sh-syntax.js';

const simple = (c: Command | undefined) => (c?.kind === 'simple' ? c : undefined);

describe('sh parser', () => {
  it('a pipeline of three commands, each with its words', () => {
    const l = parseScript('/bin/echo hello | /usr/bin/tr a-z A-Z | /bin/cat');
    const cmds = l.items[0]?.andOr.first.commands ?? [];
    expect(cmds).toHaveLength(3);
    expect(simple(cmds[1])?.words.map((w) => w.parts)).toEqual([[{ kind: 'lit', text: '/usr/bin/tr' }], [{ kind: 'lit', text: 'a-z' }], [{ kind: 'lit', text: 'A-Z' }]]);
  });

  it('background, wait $! and a double-quoted $?', () => {
    const l = parseScript('/bin/false & wait $!; echo "background status $?"');
    expect(l.items.map((i) => i.background)).toEqual([true, false, false]);
    expect(simple(l.items[1]?.andOr.first.commands[0])?.words[1]?.parts).toEqual([{ kind: 'var', name: '!' }]);
    expect(simple(l.items[2]?.andOr.first.commands[0])?.words[1]?.parts).toEqual([
      { kind: 'lit', text: 'background status ' },
      { kind: 'var', name: '?' },
    ]);
  });

  it('redirections: <, > with 2>&1, >>, >&2 and >&"$1"', () => {
    const l = parseScript('/bin/cat < input.txt > out.txt 2>&1; echo x >> out.txt; echo e >&2; echo p >&"$1"');
    const r0 = simple(l.items[0]?.andOr.first.commands[0])?.redirs ?? [];
    expect(r0.map((r) => [r.fd, r.op])).toEqual([
      [0, '<'],
      [1, '>'],
      [2, '>&'],
    ]);
    expect(simple(l.items[1]?.andOr.first.commands[0])?.redirs[0]?.op).toBe('>>');
    expect(simple(l.items[3]?.andOr.first.commands[0])?.redirs[0]?.target.parts).toEqual([{ kind: 'var', name: '1' }]);
  });

  it('subshells, || and &&, assignments with command substitution, arithmetic', () => {
    expect(parseScript('(cd /; /bin/pwd); /bin/pwd').items[0]?.andOr.first.commands[0]?.kind).toBe('subshell');
    const or = parseScript('cat 2>/dev/null || echo stdin-closed').items[0]?.andOr;
    expect(or?.rest.map((r) => r.op)).toEqual(['||']);
    const a = simple(parseScript('x=$(/bin/echo inner); echo "got $x"').items[0]?.andOr.first.commands[0]);
    expect(a?.assigns[0]?.name).toBe('x');
    expect(a?.assigns[0]?.value.parts[0]?.kind).toBe('cmdsub');
    expect(simple(parseScript('echo shell:$((6 * 7))').items[0]?.andOr.first.commands[0])?.words[1]?.parts[1]).toEqual({ kind: 'arith', expr: '6 * 7' });
    expect(evalArith('6 * 7', () => '')).toBe(42);
    expect(evalArith('1 + 2 * 3 - x', (n) => (n === 'x' ? '4' : ''))).toBe(3);
  });

  it('bad input is a ShellSyntaxError naming the offset', () => {
    expect(() => parseScript("echo 'open")).toThrow(ShellSyntaxError);
    expect(() => parseScript("echo 'open")).toThrow(/offset \d+ .*unterminated single quote/);
    expect(() => parseScript('(echo x')).toThrow(/missing '\)'/);
    expect(() => parseScript('echo x )')).toThrow(/unexpected '\)'/);
    expect(() => evalArith('1 / 0', () => '')).toThrow(/division by zero/);
  });

  it('arbitrary text either parses or raises ShellSyntaxError (never another exception, never hangs)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ' ', ';', '&', '|', '(', ')', '<', '>', "'", '"', '$', '1', '=', '\\', '\n') }), (text) => {
        try {
          parseScript(text);
        } catch (e) {
          if (!(e instanceof ShellSyntaxError)) throw e;
        }
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});
