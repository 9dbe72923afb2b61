// ParseOptions.skipCall: a skipped call yields no event, and every other event is exactly what a
// full parse gives (same fields, same spans), over every corpus capture, the benchmark captures'
// first lines and hand-written fixture lines for the ways a split call can end.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseText, parseWindows, type SkipCall, type TraceEvent } from '../src/index.js';
import { benchCaptures, captureFiles, corpusDir } from './capture-files.js';
import { plain } from './event-compare.js';

interface Asked {
  readonly pid: number | null;
  readonly name: string;
  readonly line: number;
  readonly endLine: number;
  readonly skipped: boolean;
}

/** Parses `text` with `rule` as skipCall, recording every question and answer. */
function parseSkipping(text: string, rule: SkipCall): { events: TraceEvent[]; asked: Asked[] } {
  const asked: Asked[] = [];
  const events = parseText(text, {
    skipCall: (pid, name, line, endLine) => {
      const skipped = rule(pid, name, line, endLine);
      asked.push({ pid, name, line, endLine, skipped });
      return skipped;
    },
  });
  return { events, asked };
}

/** `parseSkipping` through the streaming parser, the text cut into chunks of `chunk` characters. */
async function streamSkipping(text: string, rule: SkipCall, chunk: number): Promise<{ events: TraceEvent[]; asked: Asked[] }> {
  const asked: Asked[] = [];
  async function* chunks(): AsyncIterable<string> {
    for (let i = 0; i < text.length; i += chunk) yield text.slice(i, i + chunk);
  }
  const events: TraceEvent[] = [];
  const skipCall: SkipCall = (pid, name, line, endLine) => {
    const skipped = rule(pid, name, line, endLine);
    asked.push({ pid, name, line, endLine, skipped });
    return skipped;
  };
  for await (const w of parseWindows(chunks(), { skipCall })) for (const e of w.events) events.push(e);
  return { events, asked };
}

/** The full parse's events less the calls the rule skipped (a call is known by its first line). */
function expectedAfterSkipping(text: string, asked: readonly Asked[]): TraceEvent[] {
  const skipped = new Map<number, Asked>();
  for (const a of asked) if (a.skipped) skipped.set(a.line, a);
  return parseText(text).filter((e) => {
    if (e.kind !== 'syscall') return true;
    const a = skipped.get(e.span.line);
    if (a === undefined) return true;
    // What the parser asked about is what the full parse gives for that call.
    expect({ pid: e.pid, name: e.name, endLine: e.span.endLine }).toEqual({ pid: a.pid, name: a.name, endLine: a.endLine });
    return false;
  });
}

/** Skips two calls in three (by first line), keeping every execve and every call spanning lines. */
const someCalls: SkipCall = (_pid, name, line, endLine) => name !== 'execve' && endLine === line && line % 3 !== 0;
const splitToo: SkipCall = (_pid, _name, line) => line % 2 === 0;

describe('skipCall gives the full parse less the skipped calls', () => {
  const files = captureFiles(corpusDir);
  it('has corpus captures to read', () => {
    expect(files.length).toBeGreaterThanOrEqual(60);
  });
  for (const rule of [
    ['single-line calls, two in three', someCalls],
    ['split calls too, one in two', splitToo],
  ] as const) {
    it(`every corpus capture: ${rule[0]}`, () => {
      let skipped = 0;
      let kept = 0;
      for (const f of files) {
        const text = readFileSync(f, 'utf8');
        const { events, asked } = parseSkipping(text, rule[1]);
        expect(events.map(plain), f).toEqual(expectedAfterSkipping(text, asked).map(plain));
        for (const a of asked) if (a.skipped) skipped++;
        kept += events.filter((e) => e.kind === 'syscall').length;
      }
      expect(skipped).toBeGreaterThan(1000);
      expect(kept).toBeGreaterThan(1000);
    });
  }

  it('streamed in chunks that cut lines (read in place, or joined across chunks): the events and questions of parseText, each call asked about once', async () => {
    let joined = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const rule of [someCalls, splitToo]) {
        const whole = parseSkipping(text, rule);
        const streamed = await streamSkipping(text, rule, 97);
        expect(streamed.events.map(plain), f).toEqual(whole.events.map(plain));
        expect(streamed.events.map(plain), f).toEqual(expectedAfterSkipping(text, streamed.asked).map(plain));
        expect(streamed.asked, f).toEqual(whole.asked);
        const lines = new Set(whole.asked.map((a) => a.line));
        expect(lines.size, f).toBe(whole.asked.length);
      }
      joined += text.split('\n').filter((l) => l.length > 97).length;
    }
    expect(joined).toBeGreaterThan(100);
  });

  it('lines ending in CR and lines with colour codes take the usual way, with the same events', () => {
    const lines = fixture.split('\n');
    const crlf = lines.join('\r\n');
    const coloured = lines.map((l, i) => (i % 2 === 0 ? l.replace(' read(', ' \x1b[1mread\x1b[0m(') : l)).join('\n');
    for (const text of [crlf, coloured]) {
      for (const rule of [someCalls, splitToo]) {
        const { events, asked } = parseSkipping(text, rule);
        expect(events.map(plain)).toEqual(expectedAfterSkipping(text, asked).map(plain));
      }
    }
  });

  const bench = benchCaptures();
  it.runIf(bench.length > 0)('the first 20,000 lines of each benchmark capture (skipped when tmp/bench has none: npm run bench makes them)', () => {
    for (const f of bench) {
      const text = readFileSync(f, 'utf8').split('\n', 20000).join('\n');
      for (const rule of [someCalls, splitToo]) {
        const { events, asked } = parseSkipping(text, rule);
        expect(events.map(plain), f).toEqual(expectedAfterSkipping(text, asked).map(plain));
        expect(asked.some((a) => a.line !== a.endLine && !a.skipped)).toBe(true);
      }
    }
  });
});

// Unit-test fixture lines (hand-written, in the -f -ttt -T form).
const fixture = [
  '101 1795727915.100000 wait4(-1,  <unfinished ...>',
  '102 1795727915.100001 read(0, "abc", 3) = 3 <0.000010>',
  '102 1795727915.100002 exit_group(0)   = ?',
  '102 1795727915.100003 +++ exited with 0 +++',
  '101 1795727915.100004 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 102 <0.000100>',
  '101 1795727915.100005 read(3, "x", 1 <unfinished ...>',
  '103 1795727915.100006 execve("/bin/true", ["true"], 0x7ffe /* 1 var */ <unfinished ...>',
  '101 1795727915.100007 +++ superseded by execve in pid 103 +++',
  '101 1795727915.100008 <... execve resumed>) = 0 <0.000200>',
  '101 1795727915.100009 close(4 <unfinished ...>',
].join('\n');

describe('skipCall on split calls (fixture lines)', () => {
  it('asks about a split call once, at its resumed line, and a kept one has its whole arguments', () => {
    const { events, asked } = parseSkipping(fixture, () => false);
    expect(events.map(plain)).toEqual(parseText(fixture).map(plain));
    expect(asked.find((a) => a.name === 'wait4')).toEqual({ pid: 101, name: 'wait4', line: 1, endLine: 5, skipped: false });
    const wait = events.find((e) => e.kind === 'syscall' && e.name === 'wait4');
    expect(wait?.kind === 'syscall' ? wait.argsText : null).toBe('-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL');
  });

  it('a skipped split call leaves no event; halves that never resume (superseded, end of input) come out whole', () => {
    const { events, asked } = parseSkipping(fixture, (_p, name) => name === 'wait4');
    expect(events.some((e) => e.kind === 'syscall' && e.name === 'wait4')).toBe(false);
    expect(events.map(plain)).toEqual(expectedAfterSkipping(fixture, asked).map(plain));
    const ends = events.flatMap((e) => (e.kind === 'syscall' && e.outcome.kind === 'unfinished' ? [[e.name, e.argsText, e.outcome.reason]] : []));
    expect(ends).toEqual([
      ['read', '3, "x", 1', 'superseded'],
      ['close', '4', 'end-of-input'],
    ]);
  });

  it('halves open for hundreds of lines (their texts copied out of the input meanwhile) come out as a full parse gives them', async () => {
    // Each half opens, then another task prints 700 lines, then it resumes: a copy is made while it is open.
    const lines = ['100 1795727915.000001 execve("/bin/sh", ["sh"], 0x7ffc /* 1 var */) = 0 <0.000100>'];
    lines.push('100 1795727915.000002 wait4(-1,  <unfinished ...>', '101 1795727915.000003 read(0, "abc\\"", 4 <unfinished ...>');
    for (let i = 0; i < 700; i++) lines.push(`102 1795727915.${String(100000 + i)} getpid() = 102 <0.000001>`);
    lines.push('101 1795727915.200000 <... read resumed>) = 4 <0.100000>');
    lines.push('100 1795727915.200001 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 101 <0.200000>');
    lines.push('100 1795727915.200002 exit_group(0) = ?', '100 1795727915.200003 +++ exited with 0 +++', '');
    const text = lines.join('\n');
    const keepSplit: SkipCall = (_pid, _name, line, endLine) => line === endLine;
    for (const rule of [keepSplit, () => false, someCalls]) {
      const { events, asked } = await streamSkipping(text, rule, 1000);
      expect(events.map(plain)).toEqual(expectedAfterSkipping(text, asked).map(plain));
    }
    const full = parseText(text).filter((e) => e.kind === 'syscall' && e.split);
    expect(full.map((e) => (e.kind === 'syscall' ? [e.name, e.argsText, e.prefix.time?.text] : []))).toEqual([
      ['read', '0, "abc\\"", 4', '1795727915.000003'],
      ['wait4', '-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL', '1795727915.000002'],
    ]);
  });

  it('a second unfinished half of one task is read in full, with the diagnostic a full parse gives', () => {
    const text = ['7 1.000000 read(0, "a", 1 <unfinished ...>', '7 1.000001 write(1, "b", 1 <unfinished ...>', '7 1.000002 <... write resumed>) = 1 <0.1>'].join('\n');
    const { events } = parseSkipping(text, () => false);
    expect(events.map(plain)).toEqual(parseText(text).map(plain));
    expect(events.some((e) => e.kind === 'diagnostic')).toBe(true);
  });
});
