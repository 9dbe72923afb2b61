// parse() over any chunking equals parseText(); parseFile streams; parseFiles merges -ff files.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseBatches, parseFile, parseFiles, parseText, pidOfFfName, type SyscallEvent, type TraceEvent } from '../src/index.js';
import { plain } from './event-compare.js';

const sample = [
  '4082  1795723913.000001 execve("/usr/bin/dash", ["dash", "-c", "x é"], 0x7fff7ee987b8 /* 35 vars */) = 0',
  '4082  1795723913.000002 vfork( <unfinished ...>',
  '4083  1795723913.000003 execve("/bin/true", ["true"], 0x55 /* 3 vars */) = 0',
  '4083  1795723913.000004 exit_group(0)                     = ?',
  '4083  1795723913.000005 +++ exited with 0 +++',
  '4082  1795723913.000006 <... vfork resumed>)              = 4083',
  '4082  1795723913.000007 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=4083, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---',
  '4082  1795723913.000008 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], WNOHANG, NULL) = 4083',
  '4082  1795723913.000009 exit_group(0)                     = ?',
  '4082  1795723913.000010 +++ exited with 0 +++',
].join('\n');

async function collect(it: AsyncIterable<TraceEvent>): Promise<TraceEvent[]> {
  const out: TraceEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'forkscope-tracer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('streaming input', () => {
  it('parse() gives the same events for every chunking of the bytes, even inside a UTF-8 character', async () => {
    const bytes = Buffer.from(sample + '\n', 'utf8');
    const expected = parseText(sample).map(plain);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(bytes.length), { maxLength: 12 }), async (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let from = 0;
        for (const p of [...points, bytes.length]) {
          chunks.push(bytes.subarray(from, p));
          from = p;
        }
        const got = await collect(parse(Readable.from(chunks)));
        expect(got.map(plain)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('colour codes (strace --color) are stripped wherever the chunks cut the line that holds them', async () => {
    // The splitter looks for ESC once per decoded piece and remembers it for a line carried over
    // into the next chunk; lines after it in a piece without ESC skip the search.
    const coloured = [
      '4082  \x1b[33mclose\x1b[0m(\x1b[35m3\x1b[0m) = \x1b[32m0\x1b[0m',
      '4082  getpid()                         = 4082',
      '4082  \x1b[33mgetppid\x1b[0m() = \x1b[32m1\x1b[0m',
      '4082  close(4)                         = -1 EBADF (Bad file descriptor)',
    ].join('\n');
    const bytes = Buffer.from(coloured + '\n', 'utf8');
    const expected = parseText(coloured).map(plain);
    expect(expected.filter((e) => e['kind'] === 'diagnostic')).toEqual([]);
    expect(expected.map((e) => e['name'])).toEqual(['close', 'getpid', 'getppid', 'close']);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(bytes.length), { maxLength: 6 }), async (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: Uint8Array[] = [];
        let from = 0;
        for (const p of [...points, bytes.length]) {
          chunks.push(bytes.subarray(from, p));
          from = p;
        }
        expect((await collect(parse(Readable.from(chunks)))).map(plain)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('a chunk larger than the 64 KiB decode piece: lines and a UTF-8 character across piece ends are kept whole', async () => {
    // The decoder reads byte chunks in 64 KiB pieces; put a line, and a two-byte character, across
    // each piece boundary of one 200 KiB chunk.
    const lines: string[] = [];
    let size = 0;
    for (let k = 0; size < 200 * 1024; k++) {
      const l = `${1000 + (k % 7)}  write(1, "${'x'.repeat(k % 97)}é${'y'.repeat(k % 13)}", ${k % 500}) = ${k % 500}`;
      lines.push(l);
      size += Buffer.byteLength(l) + 1;
    }
    const text = lines.join('\n') + '\n';
    const bytes = Buffer.from(text, 'utf8');
    const expected = parseText(text).map(plain);
    expect(expected).toHaveLength(lines.length);
    // The shift that puts the first byte of an é last in the first piece, its second byte first in the next.
    const split = 65535 - bytes.lastIndexOf(0xc3, 65535);
    for (const shift of [0, 1, 37, split]) {
      // Shifting the start moves every boundary through different bytes of the lines and the é.
      const got = await collect(parse(Readable.from([Buffer.concat([Buffer.from('\n'.repeat(shift)), bytes])])));
      const moved = expected.map((e) => {
        const span = e['span'] as { line: number; endLine: number };
        return { ...e, span: { line: span.line + shift, endLine: span.endLine + shift } };
      });
      expect(got.map(plain)).toEqual(moved);
    }
    // All-ASCII pieces too (the latin1/ascii path), with a line across each boundary.
    const ascii = text.replaceAll('é', '\\303\\251');
    expect((await collect(parse(Readable.from([Buffer.from(ascii)])))).map(plain)).toEqual(parseText(ascii).map(plain));
  });

  it('parseBatches hands out the events of parse(), in order, in bounded arrays', async () => {
    const lines: string[] = [];
    for (let k = 0; k < 2000; k++) {
      lines.push(`${100 + (k % 3)}  close(${k % 50}) = ${k % 5 === 0 ? '-1 EBADF (Bad file descriptor)' : '0'}`);
    }
    lines.push('100  vfork( <unfinished ...>'); // never resumed: emitted at the end of input
    const text = lines.join('\n');
    const expected = parseText(text).map(plain);
    const sizes: number[] = [];
    const got: TraceEvent[] = [];
    for await (const batch of parseBatches(Readable.from([Buffer.from(text.slice(0, 30000)), Buffer.from(text.slice(30000))]))) {
      expect(batch.length).toBeGreaterThan(0);
      sizes.push(batch.length);
      got.push(...batch);
    }
    expect(got.map(plain)).toEqual(expected);
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(300);
    await expect(async () => {
      for await (const b of parseBatches(42 as unknown as string)) void b;
    }).rejects.toThrow(/parseBatches: input must be/);
  });

  it('accepts strings, bytes and async iterables of strings', async () => {
    const expected = parseText(sample).map(plain);
    expect((await collect(parse(sample))).map(plain)).toEqual(expected);
    expect((await collect(parse(Buffer.from(sample)))).map(plain)).toEqual(expected);
    async function* gen(): AsyncIterable<string> {
      yield sample.slice(0, 100);
      yield sample.slice(100);
    }
    expect((await collect(parse(gen()))).map(plain)).toEqual(expected);
  });

  it('parseFile streams a file and records its name in every span', async () => {
    const file = join(dir, 'capture.strace');
    writeFileSync(file, sample + '\n');
    const events = await collect(parseFile(file));
    expect(events).toHaveLength(parseText(sample).length);
    expect(events.every((e) => e.span.file === file)).toBe(true);
    const vfork = events.find((e): e is SyscallEvent => e.kind === 'syscall' && e.name === 'vfork');
    expect(vfork?.span).toEqual({ file, line: 2, endLine: 6 });
  });

  it('parseFile on a missing file rejects with an error naming the file', async () => {
    await expect(collect(parseFile(join(dir, 'missing.strace')))).rejects.toThrow(/missing\.strace/);
  });
});

describe('parseFiles: -ff captures merged into one run', () => {
  it('takes pids from the file suffix and orders lines by timestamp across files', async () => {
    const a = join(dir, 'run.100');
    const b = join(dir, 'run.101');
    writeFileSync(
      a,
      [
        '1795723913.000001 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 101',
        '1795723913.000004 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 101',
        '1795723913.000005 exit_group(0) = ?',
        '1795723913.000006 +++ exited with 0 +++',
      ].join('\n') + '\n',
    );
    writeFileSync(b, ['1795723913.000002 exit_group(3) = ?', '1795723913.000003 +++ exited with 3 +++'].join('\n') + '\n');
    const events = await collect(parseFiles([a, b]));
    expect(events.filter((e) => e.kind === 'diagnostic')).toEqual([]);
    expect(events.map((e) => [e.pid, e.kind, e.span.file === a ? 'a' : 'b', e.span.line])).toEqual([
      [100, 'syscall', 'a', 1],
      [101, 'syscall', 'b', 1],
      [101, 'exited', 'b', 2],
      [100, 'syscall', 'a', 2],
      [100, 'syscall', 'a', 3],
      [100, 'exited', 'a', 4],
    ]);
  });

  it('orders a blocking call by when it returned (stamp + -T duration), as -f would', async () => {
    const parent = join(dir, 'block.200');
    const kid = join(dir, 'block.201');
    writeFileSync(
      parent,
      [
        '1795723913.000001 vfork() = 201 <0.000100>',
        '1795723913.000200 wait4(201, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 201 <0.000500>',
      ].join('\n') + '\n',
    );
    writeFileSync(kid, ['1795723913.000300 exit_group(0) = ?', '1795723913.000400 +++ exited with 0 +++'].join('\n') + '\n');
    const events = await collect(parseFiles([parent, kid]));
    expect(events.map((e) => (e.kind === 'syscall' ? e.name : e.kind))).toEqual(['vfork', 'exit_group', 'exited', 'wait4']);
  });

  it('joins <pid changed to N ...> with the leader file\'s <... execve resumed> (strace-format.md case 6)', async () => {
    const leader = join(dir, 'exec.7755');
    const thread = join(dir, 'exec.7756');
    writeFileSync(
      leader,
      ['10:00:00.000001 pause() = ?', '10:00:00.000004 +++ superseded by execve in pid 7756 +++', '10:00:00.000005 <... execve resumed>) = 0'].join('\n') + '\n',
    );
    writeFileSync(thread, '10:00:00.000002 execve("/bin/true", ["/bin/true"], 0x7ffdffd5c5a0 /* 35 vars */ <pid changed to 7755 ...>\n');
    const events = await collect(parseFiles([leader, thread]));
    expect(events.filter((e) => e.kind === 'diagnostic')).toEqual([]);
    const exec = events.find((e): e is SyscallEvent => e.kind === 'syscall' && e.name === 'execve');
    expect(exec).toMatchObject({ pid: 7756, pidChangedTo: 7755, split: true, outcome: { kind: 'value', text: '0' } });
  });

  it('without timestamps: files one after another and one diagnostic saying the order is unknown', async () => {
    const a = join(dir, 'plain.5');
    const b = join(dir, 'plain.6');
    writeFileSync(a, 'getpid() = 5\n');
    writeFileSync(b, 'getpid() = 6\n');
    const events = await collect(parseFiles([a, b]));
    const diags = events.filter((e) => e.kind === 'diagnostic');
    expect(diags).toHaveLength(1);
    expect(diags[0]?.reason).toMatch(/order/);
    expect(events.filter((e) => e.kind === 'syscall').map((e) => e.pid)).toEqual([5, 6]);
  });

  it('rejects a file name without a pid suffix', async () => {
    await expect(collect(parseFiles([join(dir, 'nopid')]))).rejects.toThrow(/-ff file name/);
    expect(pidOfFfName('/x/trace.1234')).toBe(1234);
    expect(pidOfFfName('/x/trace.txt')).toBeNull();
  });
});
