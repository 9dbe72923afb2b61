// readCapture: a capture file to events through the streaming parser, never as one string; the
// events are parseText's, whatever the chunking; I/O failures are messages, not exceptions.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseText } from '@forkscope/tracer';
import { readCapture } from '../src/check/read-capture.js';

const corpus = fileURLToPath(new URL('../../../corpus/', import.meta.url));

describe('readCapture', () => {
  it('gives the events parseText gives for a real capture', async () => {
    const file = join(corpus, 'python/communicate/capture.strace');
    const r = await readCapture(file);
    expect(r.kind).toBe('events');
    if (r.kind !== 'events') return;
    expect(r.events).toEqual(parseText(await readFile(file, 'utf8'), { file }));
  });

  it('reads a file of many chunks (lines and split calls cut at chunk edges) to the same events', async () => {
    // Real lines repeated past 1 MiB, so the file is read in several chunks that cut lines.
    const text = await readFile(join(corpus, 'dash/pipeline/capture.strace'), 'utf8');
    let big = '';
    while (big.length < 2.5 * (1 << 20)) big += text;
    const file = join(await mkdtemp(join(tmpdir(), 'fs-read-')), 'big.strace');
    await writeFile(file, big);
    const r = await readCapture(file);
    expect(r.kind).toBe('events');
    if (r.kind !== 'events') return;
    const want = parseText(big, { file });
    expect(r.events.length).toBe(want.length);
    expect(r.events).toEqual(want);
  });

  it('a missing file or a directory is an I/O error with the reason', async () => {
    expect(await readCapture(join(tmpdir(), 'no-such-capture-here.strace'))).toEqual({ kind: 'io-error', message: 'no such file or directory' });
    expect(await readCapture(corpus)).toEqual({ kind: 'io-error', message: 'is a directory' });
  });
});
