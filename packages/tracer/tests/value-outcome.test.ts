// ValueOutcome: a result's bigint made on first read, from the text strace printed.
import { describe, expect, it } from 'vitest';
import { parseText } from '../src/index.js';
import { ValueOutcome } from '../src/value-outcome.js';

describe('ValueOutcome', () => {
  it('reads decimal, hex, octal and negative results exactly, past 2^53 too', () => {
    const cases: [string, bigint][] = [
      ['3', 3n],
      ['0x7f1a2b3c4d5e', 0x7f1a2b3c4d5en],
      ['022', 0o22n],
      ['-1', -1n],
      ['18446744073709551615', 18446744073709551615n],
    ];
    for (const [text, value] of cases) expect(new ValueOutcome(text).value, text).toBe(value);
  });

  it('a copy of an outcome (as a test library makes to compare or print it) reads its value from the text, not a cache it lacks', () => {
    const [e] = parseText('7 read(3, "abc", 3) = 3');
    if (e?.kind !== 'syscall' || e.outcome.kind !== 'value') throw new Error('fixture line is not a value result');
    const getter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(e.outcome), 'value')?.get;
    expect(getter?.call({ ...e.outcome })).toBe(3n);
    // Comparing with toEqual gives a diff, not a TypeError about a private member.
    expect(() => expect(e.outcome).toEqual({ kind: 'value', text: '4', value: 4n })).toThrow(/deeply equal/);
  });
});
