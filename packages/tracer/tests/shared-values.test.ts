// The parser shares read-only objects between lines (results that recur, `-1 ERRNO` outcomes,
// int values 0..999) and builds argument lists of exactly their length. Sharing must never let
// one line's result, message or value show up on another line.
import { describe, expect, it } from 'vitest';
import { parseArgs, parseText, type SyscallEvent, type Value } from '../src/index.js';

function calls(text: string): SyscallEvent[] {
  return parseText(text).filter((e): e is SyscallEvent => e.kind === 'syscall');
}

/** The outcome as plain data (a value result computes its bigint on first read, on its prototype). */
function outcomeData(e: SyscallEvent | undefined): Record<string, unknown> | undefined {
  if (e === undefined) return undefined;
  const o = e.outcome;
  return { ...o, ...('value' in o ? { value: o.value } : {}) };
}

describe('outcomes shared between lines', () => {
  it('errors with one errno keep each line its own message and value', () => {
    const [a, b, c, d] = calls(
      [
        '1001 openat(AT_FDCWD, "/a", O_RDONLY) = -1 ENOENT (No such file or directory)',
        '1001 openat(AT_FDCWD, "/b", O_RDONLY) = -1 ENOENT (Not what strace prints)',
        '1001 openat(AT_FDCWD, "/c", O_RDONLY) = -2 ENOENT (No such file or directory)',
        '1001 openat(AT_FDCWD, "/d", O_RDONLY) = -1 ENOENT (No such file or directory)',
      ].join('\n'),
    );
    expect(a?.outcome).toEqual({ kind: 'error', value: -1n, errno: 'ENOENT', message: 'No such file or directory' });
    expect(b?.outcome).toEqual({ kind: 'error', value: -1n, errno: 'ENOENT', message: 'Not what strace prints' });
    expect(c?.outcome).toEqual({ kind: 'error', value: -2n, errno: 'ENOENT', message: 'No such file or directory' });
    expect(d?.outcome).toEqual(a?.outcome);
  });

  it('errors of many distinct names each keep their own (the error table is bounded, not confused)', () => {
    const names = Array.from({ length: 600 }, (_, k) => `EX${k}`);
    const text = [...names, ...names].map((n) => `7 close(3) = -1 ${n} (m${n})`).join('\n');
    const got = calls(text).map((e) => (e.outcome.kind === 'error' ? `${e.outcome.errno}/${e.outcome.message}` : e.outcome.kind));
    expect(got).toEqual([...names, ...names].map((n) => `${n}/m${n}`));
  });

  it('many distinct large results, each seen twice, keep their own text and exact value', () => {
    const results = Array.from({ length: 3000 }, (_, k) => (k % 3 === 0 ? `0x${(0x7f0000000000 + k * 4096).toString(16)}` : String(1000 + k * 7919)));
    const lines = results.map((r, k) => `1002 read(3, "", ${k}) = ${r}`);
    const evs = calls([...lines, ...lines].join('\n'));
    expect(evs).toHaveLength(6000);
    evs.forEach((e, idx) => {
      const r = results[idx % 3000] as string;
      expect(e.outcome.kind).toBe('value');
      if (e.outcome.kind !== 'value') return;
      expect(e.outcome.text).toBe(r);
      expect(e.outcome.value).toBe(BigInt(r));
    });
  });

  it('a result with a decoration or an extra is never a shared plain one', () => {
    const [a, b, c] = calls(
      ['1 fcntl(3, F_GETFL) = 0x8002', '1 fcntl(3, F_GETFL) = 0x8002 (flags O_RDWR|O_LARGEFILE)', '1 fcntl(3, F_GETFL) = 0x8002'].join('\n'),
    );
    expect(outcomeData(b)).toEqual({ kind: 'value', text: '0x8002', value: 0x8002n, extra: 'flags O_RDWR|O_LARGEFILE' });
    expect(outcomeData(a)).toEqual({ kind: 'value', text: '0x8002', value: 0x8002n });
    expect(outcomeData(c)).toEqual({ kind: 'value', text: '0x8002', value: 0x8002n });
  });
});

describe('argument lists', () => {
  it('lists of 1 to 9 arguments hold exactly their arguments, in order', () => {
    for (let n = 1; n <= 9; n++) {
      const texts = Array.from({ length: n }, (_, k) => (k % 2 === 0 ? String(k * 1001) : `F${k}|G${k}`));
      const args = parseArgs(texts.join(', '));
      expect(args).toHaveLength(n);
      args.forEach((a, k) => {
        expect(a.name).toBeUndefined();
        if (k % 2 === 0) expect(a.value).toEqual({ kind: 'int', text: String(k * 1001), value: BigInt(k * 1001) });
        else expect(a.value).toEqual({ kind: 'flags', items: [{ kind: 'ident', name: `F${k}` }, { kind: 'ident', name: `G${k}` }] });
      });
    }
  });

  it('nested call arguments and a bad argument among five keep their places', () => {
    const args = parseArgs('makedev(0x1, 0x3), 0, 1, ???, {st_mode=S_IFREG|0644, st_size=5, ...}, %%bad');
    expect(args.map((a) => a.value.kind)).toEqual(['call', 'int', 'int', 'unavailable', 'struct', 'raw']);
    const call = args[0]?.value as Extract<Value, { kind: 'call' }>;
    expect(call.args).toEqual([
      { kind: 'int', text: '0x1', value: 1n },
      { kind: 'int', text: '0x3', value: 3n },
    ]);
  });

  it('shared small int values read the same on every line and as fresh values', () => {
    const [a, b] = calls(['1 close(3) = 0', '2 dup2(3, 1) = 1'].join('\n'));
    expect(a?.args).toEqual([{ name: undefined, value: { kind: 'int', text: '3', value: 3n } }]);
    expect(b?.args).toEqual([
      { name: undefined, value: { kind: 'int', text: '3', value: 3n } },
      { name: undefined, value: { kind: 'int', text: '1', value: 1n } },
    ]);
    expect(JSON.stringify(b?.args, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).toBe(
      '[{"value":{"kind":"int","text":"3","value":"3n"}},{"value":{"kind":"int","text":"1","value":"1n"}}]',
    );
  });
});
