// The value helpers other packages read arguments with.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  argAt,
  errnoName,
  plainDecimal,
  fieldOf,
  flagNames,
  namedArg,
  parseText,
  parseValue,
  signalSetOf,
  unwrap,
  valueToBigInt,
  valueToBytes,
  valueToString,
  type SyscallEvent,
} from '../src/index.js';

function call(line: string): SyscallEvent {
  const [e] = parseText(line);
  if (e?.kind !== 'syscall') throw new Error(`not a call: ${line}`);
  return e;
}

describe('value helpers', () => {
  it('valueToBigInt reads ints through comments, decorations, in/out and one-element pointers', () => {
    expect(valueToBigInt(parseValue('0x7fff7ee987b8 /* 35 vars */'))).toBe(0x7fff7ee987b8n);
    expect(valueToBigInt(parseValue('3</etc/passwd>'))).toBe(3n);
    expect(valueToBigInt(parseValue('[110 => 2]'))).toBe(2n);
    expect(valueToBigInt(parseValue('[7674]'))).toBe(7674n);
    expect(valueToBigInt(parseValue('NULL'))).toBe(0n);
    expect(valueToBigInt(parseValue('-1'))).toBe(-1n);
    expect(valueToBigInt(parseValue('0644'))).toBe(0o644n);
    expect(valueToBigInt(parseValue('AT_FDCWD'))).toBeUndefined();
    expect(valueToBigInt(parseValue('"3"'))).toBeUndefined();
    expect(valueToBigInt(undefined)).toBeUndefined();
  });

  it('valueToString decodes UTF-8 and valueToBytes keeps the raw bytes', () => {
    const v = parseValue('"caf\\303\\251\\n"');
    expect(valueToString(v)).toBe('café\n');
    expect([...(valueToBytes(v) ?? [])]).toEqual([0x63, 0x61, 0x66, 0xc3, 0xa9, 0x0a]);
    expect(valueToString(parseValue('42'))).toBeUndefined();
  });

  it('fieldOf reads struct fields, also on the entry side of an in/out struct', () => {
    const e = call('7624  clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f, stack_size=0x9000} => {parent_tid=[7670]}, 88) = 7670');
    expect(flagNames(fieldOf(argAt(e, 0), 'flags'))).toEqual(['CLONE_VM', 'CLONE_VFORK']);
    expect(fieldOf(argAt(e, 0), 'exit_signal')).toEqual({ kind: 'ident', name: 'SIGCHLD' });
    expect(valueToBigInt(fieldOf(argAt(e, 0), 'stack_size'))).toBe(0x9000n);
    expect(fieldOf(argAt(e, 1), 'flags')).toBeUndefined();
  });

  it('namedArg finds top-level name=value arguments (clone, -N)', () => {
    const e = call('clone(child_stack=NULL, flags=CLONE_VM|CLONE_VFORK|SIGCHLD, child_tidptr=0x7f) = 5');
    expect(flagNames(namedArg(e, 'flags'))).toEqual(['CLONE_VM', 'CLONE_VFORK', 'SIGCHLD']);
    expect(namedArg(e, 'tls')).toBeUndefined();
    expect(argAt(e, 5)).toBeUndefined();
  });

  it('flagNames leaves numbers out and reads -X verbose comments', () => {
    expect(flagNames(parseValue('S_IFREG|0644'))).toEqual(['S_IFREG']);
    expect(flagNames(parseValue('0'))).toEqual([]);
    expect(flagNames(parseValue('0x80000 /* O_RDONLY|O_CLOEXEC */'))).toEqual(['O_RDONLY', 'O_CLOEXEC']);
  });

  it('signalSetOf gives SIG names and the complement flag', () => {
    expect(signalSetOf(parseValue('~[]'))).toEqual({ negated: true, signals: [] });
    expect(signalSetOf(parseValue('[USR1 RT_1 33]'))).toEqual({ negated: false, signals: ['SIGUSR1', 'SIGRT_1', '33'] });
    expect(signalSetOf(parseValue('"x"'))).toBeUndefined();
  });

  it('unwrap strips comments and decorations but keeps a bare comment', () => {
    expect(unwrap(parseValue('3</x> /* y */'))).toEqual({ kind: 'int', text: '3', value: 3n });
    expect(unwrap(parseValue('/* 25 vars */'))).toMatchObject({ kind: 'commented', comment: '25 vars' });
  });

  it('integers are exact in decimal, hex (any number of digits) and octal, up to 2^64 and negative', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }), fc.nat(3), (v, zeros) => {
        const mag = v < 0n ? -v : v;
        const sign = v < 0n ? '-' : '';
        expect(valueToBigInt(parseValue(sign + mag.toString()))).toBe(v);
        expect(valueToBigInt(parseValue(sign + '0x' + '0'.repeat(zeros) + mag.toString(16)))).toBe(v);
        if (mag > 0n) expect(valueToBigInt(parseValue(sign + '0' + mag.toString(8)))).toBe(v);
      }),
      { numRuns: 1000 },
    );
  });

  it('errnoName names Linux errnos and spells unknown ones as strace does', () => {
    expect(errnoName(2)).toBe('ENOENT');
    expect(errnoName(10)).toBe('ECHILD');
    expect(errnoName(512)).toBe('ERESTARTSYS');
    expect(errnoName(4000)).toBe('errno 4000');
  });
});

describe('plainDecimal', () => {
  it('reads a result strace printed as a plain decimal; octal, hex, signed and long ones are left to the BigInt', () => {
    expect([plainDecimal('0'), plainDecimal('832'), plainDecimal('999999999999999')]).toEqual([0, 832, 999999999999999]);
    for (const text of ['', '022', '0x10', '-1', '1000000000000000', '12a', '1e3']) expect(plainDecimal(text), text).toBeUndefined();
  });

  it('agrees with the BigInt of every decimal up to 15 digits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 999_999_999_999_999n }), (n) => {
        expect(plainDecimal(n.toString())).toBe(Number(n));
      }),
    );
  });
});
