// The argument parser peeks past the token it just read; at the very end of the text that peek
// is answered by codeAt (0) instead of a read past the string. The values must not change.
import { describe, expect, it } from 'vitest';
import { codeAt, readInteger } from '../src/outcome-parse.js';
import { parseArgs, parseValue } from '../src/value-parse.js';

describe('reads at the end of an argument text', () => {
  it('codeAt answers the character code inside the string and 0 past its end', () => {
    expect(codeAt('0x', 0)).toBe(0x30);
    expect(codeAt('0x', 1)).toBe(0x78);
    expect(codeAt('0x', 2)).toBe(0);
    expect(codeAt('', 0)).toBe(0);
  });

  it('readInteger reads a lone 0 and a -0 that end the text (the 0x lookahead is past the end)', () => {
    expect(readInteger('0', 0, 1)).toBe(0n);
    expect(readInteger('-0', 0, 2)).toBe(0n);
    expect(readInteger('7', 0, 1)).toBe(7n);
    expect(readInteger('0x', 0, 2)).toBeNull(); // no hex digits
  });

  it('the last argument is an integer, an identifier, a decorated fd or a name=value', () => {
    expect(parseArgs('3, 0')).toEqual([
      { name: undefined, value: { kind: 'int', text: '3', value: 3n } },
      { name: undefined, value: { kind: 'int', text: '0', value: 0n } },
    ]);
    expect(parseArgs('AT_FDCWD, O_RDONLY')[1]).toEqual({ name: undefined, value: { kind: 'ident', name: 'O_RDONLY' } });
    expect(parseArgs('NULL')).toEqual([{ name: undefined, value: { kind: 'null' } }]);
    expect(parseArgs('3</dev/null>')[0]?.value).toEqual({
      kind: 'decorated',
      value: { kind: 'int', text: '3', value: 3n },
      decoration: '/dev/null',
      deleted: false,
    });
    expect(parseArgs('flags=0')).toEqual([{ name: 'flags', value: { kind: 'int', text: '0', value: 0n } }]);
    expect(parseArgs('O_RDONLY|O_CLOEXEC')[0]?.value).toEqual({
      kind: 'flags',
      items: [
        { kind: 'ident', name: 'O_RDONLY' },
        { kind: 'ident', name: 'O_CLOEXEC' },
      ],
    });
  });

  it('text cut off right after an opener or an operator stays raw, never a throw', () => {
    expect(parseArgs('f(')).toEqual([{ name: undefined, value: { kind: 'raw', text: 'f(' } }]);
    expect(parseArgs('[1')).toEqual([{ name: undefined, value: { kind: 'raw', text: '[1' } }]);
    expect(parseArgs('1 <<')).toEqual([{ name: undefined, value: { kind: 'raw', text: '1 <<' } }]);
    expect(parseValue('{a=')).toEqual({ kind: 'raw', text: '{a=' });
  });
});
