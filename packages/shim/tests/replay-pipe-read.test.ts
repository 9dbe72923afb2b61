// Pipe reads replayed through the kernel, with hand-written fixture lines shaped like the tracer
// benchmark's tar | gzip run: a reader whose entry and return are printed apart got the bytes of
// several writes (Linux copies when the reader runs, fs/pipe.c pipe_read), so the kernel must
// not hand it only the first write's bytes at the wake-up.
import { describe, expect, it } from 'vitest';
import { parseText } from '@forkscope/tracer';
import { replayCapture } from '../src/replay/replay-capture.js';
import type { SyscallRecord } from '../src/replay/records.js';

const HEAD = [
  '100 1.000000 execve("/bin/sh", ["sh"], 0x7ffe00000000 /* 1 var */) = 0 <0.000100>',
  '100 1.000100 pipe2([3, 4], 0) = 0 <0.000010>',
  '100 1.000200 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0000000a10) = 101 <0.000100>',
  '101 1.000300 close(3) = 0 <0.000010>',
  '100 1.000400 close(4) = 0 <0.000010>',
];

function replay(lines: readonly string[]) {
  const out = replayCapture(parseText(`${lines.join('\n')}\n`, { file: 'fixture' }));
  const reads = out.records.filter((r): r is SyscallRecord => r.kind === 'syscall' && r.event.name === 'read');
  const fatal = out.records.filter((r) => r.kind === 'fatal');
  return { reads, fatal };
}

describe('replayed pipe reads (F1, F3)', () => {
  it('a reader printed apart gets the bytes of the two writes between its entry and its return', () => {
    const { reads, fatal } = replay([
      ...HEAD,
      '100 1.000500 read(3,  <unfinished ...>',
      '101 1.000600 write(4, "a"..., 10240) = 10240 <0.000010>',
      '101 1.000700 write(4, "b"..., 10240) = 10240 <0.000010>',
      '100 1.000800 <... read resumed>"a"..., 32768) = 20480 <0.000300>',
      '101 1.000900 write(4, "c"..., 4096) = 4096 <0.000010>',
      '100 1.001000 read(3, "c"..., 32768) = 4096 <0.000010>',
      '101 1.001100 exit_group(0) = ?',
      '101 1.001200 +++ exited with 0 +++',
      '100 1.001300 read(3, "", 32768) = 0 <0.000010>',
    ]);
    expect(fatal).toEqual([]);
    expect(reads.map((r) => [r.event.span.line, r.handling, r.result])).toEqual([
      [6, 'effect', expect.objectContaining({ kind: 'done', value: 20480n })],
      [11, 'effect', expect.objectContaining({ kind: 'done', value: 4096n })],
      [14, 'checked', expect.objectContaining({ kind: 'done', value: 0n })],
    ]);
  });

  it('a reader that entered with some bytes buffered may still return more (it copied after later writes)', () => {
    const { reads, fatal } = replay([
      ...HEAD,
      '101 1.000500 write(4, "a"..., 4096) = 4096 <0.000010>',
      '100 1.000600 read(3,  <unfinished ...>',
      '101 1.000700 write(4, "b"..., 10240) = 10240 <0.000010>',
      '100 1.000800 <... read resumed>"a"..., 32768) = 14336 <0.000300>',
    ]);
    expect(fatal).toEqual([]);
    expect(reads[0]?.result).toMatchObject({ kind: 'done', value: 14336n });
  });

  it('a recorded read of more bytes than were ever written is not accepted: the kernel still holds the reader', () => {
    const { reads, fatal } = replay([
      ...HEAD,
      '100 1.000500 read(3,  <unfinished ...>',
      '101 1.000600 write(4, "a"..., 10240) = 10240 <0.000010>',
      '100 1.000800 <... read resumed>"a"..., 32768) = 20480 <0.000300>',
    ]);
    expect(reads[0]?.result).toMatchObject({ kind: 'blocked', on: { kind: 'pipe-read' } });
    expect(fatal).toEqual([]);
  });

  it('a read printed in one line takes what is there at once: fewer bytes than recorded is a different result', () => {
    const { reads } = replay([
      ...HEAD,
      '101 1.000500 write(4, "a"..., 100) = 100 <0.000010>',
      '100 1.000600 read(3, "a"..., 32768) = 200 <0.000010>',
    ]);
    expect(reads[0]?.result).toMatchObject({ kind: 'done', value: 100n });
  });
});
