// Long string arguments are decoded on first read of `bytes`; to every reader they must look
// exactly like the eager `{ kind: 'string', bytes, truncated, abstract? }` object.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseValue, type Value } from '../src/index.js';
import { decodeEscapes } from '../src/escapes.js';
import { StringValue } from '../src/string-value.js';

const LONG = 'x'.repeat(120); // past the eager-decoding length

function quoted(body: string, suffix = ''): string {
  return `"${body}"${suffix}`;
}

describe('lazily decoded string values', () => {
  it('a long string is a StringValue, a short one a plain object; both decode the same bytes', () => {
    const body = `${LONG}\\n\\0\\377\\x7f`;
    const long = parseValue(quoted(body, '...'));
    const short = parseValue(quoted('ab\\n\\0\\377\\x7f', '...'));
    expect(long).toBeInstanceOf(StringValue);
    expect(short).not.toBeInstanceOf(StringValue);
    expect(long).toEqual({ kind: 'string', bytes: new Uint8Array([...new Array<number>(120).fill(0x78), 10, 0, 0xff, 0x7f]), truncated: true });
    expect(short).toEqual({ kind: 'string', bytes: new Uint8Array([0x61, 0x62, 10, 0, 0xff, 0x7f]), truncated: true });
  });

  it('has the eager shape: own enumerable keys in the same order, JSON, spread and equality', () => {
    const body = `${LONG}\\t"`.replace('"', '\\"');
    const lazy = parseValue(quoted(body)) as Extract<Value, { kind: 'string' }>;
    const eager = { kind: 'string', bytes: decodeEscapes(body, 0, body.length), truncated: false };
    expect(Object.keys(lazy)).toEqual(['kind', 'bytes', 'truncated']);
    expect(JSON.stringify(lazy)).toBe(JSON.stringify(eager));
    expect({ ...lazy }).toEqual(eager);
    expect(lazy).toEqual(eager);
    expect(eager).toEqual(lazy);
    // A different byte must make them unequal (equality really reads the lazy bytes).
    const other = { ...eager, bytes: Uint8Array.from(eager.bytes, (b, i) => (i === 0 ? b ^ 1 : b)) };
    expect(lazy).not.toEqual(other);
  });

  it('keeps `abstract` (@"…" sun_path) as an own key after truncated', () => {
    const v = parseValue(`@${quoted(LONG)}`);
    expect(Object.keys(v)).toEqual(['kind', 'bytes', 'truncated', 'abstract']);
    expect(v).toEqual({ kind: 'string', bytes: new TextEncoder().encode(LONG), truncated: false, abstract: true });
  });

  it('decodes once and hands out the same array on every read', () => {
    const v = parseValue(quoted(LONG)) as Extract<Value, { kind: 'string' }>;
    expect(v.bytes).toBe(v.bytes);
    expect(Object.isFrozen(v)).toBe(false);
    expect(() => {
      (v as { bytes: Uint8Array }).bytes = new Uint8Array();
    }).toThrow(TypeError); // no setter: readonly as its type says
  });

  it('decodes every escape as the eager decoder does, at any length (property)', () => {
    const piece = fc.oneof(
      fc.constantFrom('\\n', '\\t', '\\0', '\\1', '\\12', '\\377', '\\x0', '\\xff', '\\\\', '\\"', '\\e', '\\q', 'é', 'a', ' '),
      fc.string({ maxLength: 4 }).filter((s) => !s.includes('"') && !s.includes('\\')),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 80 }), (parts) => {
        const body = parts.join('');
        const v = parseValue(quoted(body));
        if (v.kind !== 'string') return; // text the value grammar does not take is raw, elsewhere tested
        expect([...v.bytes]).toEqual([...decodeEscapes(body, 0, body.length)]);
      }),
    );
  });

  it('pooled results (65 bytes to 4 KiB) stay independent across pool refills', () => {
    // Enough strings of varied sizes to fill several 8 KiB pools; each must keep its own bytes.
    const made: { bytes: Uint8Array; fill: number }[] = [];
    for (let i = 0; i < 200; i++) {
      const len = 65 + ((i * 397) % 4000);
      const fill = i % 256;
      const text = ('\\x' + fill.toString(16).padStart(2, '0')).repeat(len);
      made.push({ bytes: decodeEscapes(text, 0, text.length), fill });
    }
    made[0]?.bytes.fill(0xaa); // writing into one view must not reach its pool neighbours
    for (const [i, m] of made.entries()) {
      if (i === 0) continue;
      expect(m.bytes.length).toBe(65 + ((i * 397) % 4000));
      expect(m.bytes.every((b) => b === m.fill)).toBe(true);
    }
  });
});
