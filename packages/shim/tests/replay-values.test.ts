import { describe, expect, it } from 'vitest';
import type { Value } from '@forkscope/tracer';
import { CLONE_FLAG_NAMES, OPEN_FLAG_NAMES } from '../src/replay/names.js';
import { constOf, flagsOf, sigsetOf, stringArrayOf, stringOf, waitStatusOf } from '../src/replay/values.js';

// Hand-built value trees (fixtures) shaped like the tracer's parse of real lines.
const int = (value: bigint): Value => ({ kind: 'int', text: String(value), value });
const id = (name: string): Value => ({ kind: 'ident', name });
const str = (s: string, truncated = false): Value => ({ kind: 'string', bytes: new TextEncoder().encode(s), truncated });
const call = (name: string): Value => ({ kind: 'call', name, args: [id('s')] });
const expr = (op: string, left: Value, right: Value): Value => ({ kind: 'expr', op, left, right });
const sigs: Record<string, bigint> = { SIGCHLD: 17n, SIGKILL: 9n, SIGSTOP: 19n, SIGSEGV: 11n, SIGRTMIN: 32n, SIGRT_1: 33n, SIGUSR1: 10n };
const signal = (n: string): bigint | undefined => sigs[n];

describe('argument readers (fixture value trees)', () => {
  it('reads clone flags with the exit signal in the low byte', () => {
    const flags: Value = { kind: 'flags', items: [id('CLONE_CHILD_CLEARTID'), id('CLONE_CHILD_SETTID'), id('SIGCHLD')] };
    const f = flagsOf(flags, CLONE_FLAG_NAMES, { get: signal });
    expect(f).toEqual({ bits: 0x1200000n | 17n, unknown: [] });
  });

  it('reports unknown flag names instead of dropping them', () => {
    const f = flagsOf({ kind: 'flags', items: [id('O_RDONLY'), id('O_WEIRD')] }, OPEN_FLAG_NAMES);
    expect(f?.unknown).toEqual(['O_WEIRD']);
    expect(constOf(id('O_WEIRD'), OPEN_FLAG_NAMES)).toBeUndefined();
  });

  it('reads -X verbose flags: numbers with comments', () => {
    const v: Value = {
      kind: 'flags',
      items: [
        { kind: 'commented', value: int(0x1200000n), comment: 'CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID' },
        { kind: 'commented', value: int(17n), comment: 'SIGCHLD' },
      ],
    };
    expect(flagsOf(v, CLONE_FLAG_NAMES)?.bits).toBe(0x1200011n);
  });

  it('reads signal sets, negated ones over 64 signals', () => {
    expect(sigsetOf({ kind: 'bitset', items: ['CHLD'], negated: false }, signal)).toBe(1n << 16n);
    const all = (1n << 64n) - 1n;
    expect(sigsetOf({ kind: 'bitset', items: ['RTMIN', 'RT_1'], negated: true }, signal)).toBe(all & ~((1n << 31n) | (1n << 32n)));
    expect(sigsetOf({ kind: 'bitset', items: [], negated: true }, signal)).toBe(all);
    expect(sigsetOf({ kind: 'bitset', items: ['NOPE'], negated: false }, signal)).toBeUndefined();
  });

  it('decodes a string from exactly its own bytes when they are a window into a larger buffer', () => {
    // The tracer's decoded strings may share one pool: only the value's window is the text.
    const pool = new TextEncoder().encode('xx/usr/share/doc/é\u00ffyy');
    const bytes = pool.subarray(2, pool.length - 2);
    expect(stringOf({ kind: 'string', bytes, truncated: true })).toEqual({ text: '/usr/share/doc/é\u00ff', truncated: true });
    // Invalid UTF-8 (a lone continuation byte) reads as U+FFFD, not as a neighbour's bytes.
    expect(stringOf({ kind: 'string', bytes: new Uint8Array([0x61, 0x80, 0x62]), truncated: false })?.text).toBe('a\ufffdb');
  });

  it('reads argv arrays and marks truncation', () => {
    expect(stringArrayOf({ kind: 'array', items: [str('dash'), str('-c')], truncated: false })).toEqual({ items: ['dash', '-c'], truncated: false });
    expect(stringArrayOf({ kind: 'array', items: [str('x')], truncated: true })?.truncated).toBe(true);
    expect(stringArrayOf(int(0x7ffdn))).toBeUndefined();
  });

  it('E1 decodes wait statuses whichever way the && / == were grouped', () => {
    const exited = (code: bigint): Value => ({
      kind: 'array',
      items: [{ kind: 'struct', fields: [{ name: undefined, value: expr('&&', call('WIFEXITED'), expr('==', call('WEXITSTATUS'), int(code))) }], truncated: false }],
      truncated: false,
    });
    expect(waitStatusOf(exited(3n), signal)).toBe(0x300);
    const leftGrouped: Value = expr('==', expr('&&', call('WIFEXITED'), call('WEXITSTATUS')), int(1n));
    expect(waitStatusOf(leftGrouped, signal)).toBe(0x100);
    const killedCore = expr('&&', expr('&&', call('WIFSIGNALED'), expr('==', call('WTERMSIG'), id('SIGSEGV'))), call('WCOREDUMP'));
    expect(waitStatusOf(killedCore, signal)).toBe(11 | 0x80);
    const stopped = expr('&&', call('WIFSTOPPED'), expr('==', call('WSTOPSIG'), id('SIGSTOP')));
    expect(waitStatusOf(stopped, signal)).toBe((19 << 8) | 0x7f);
  });
});
