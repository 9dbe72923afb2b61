// readCapture: a capture file to events through the streaming parser, never as one string; the
// events are parseText's, whatever the chunking; I/O failures are messages, not exceptions.
import { appendFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseText } from '@forkscope/tracer';
import { readCapture, readWindows } from '../src/check/read-capture.js';

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

  it('a regular file read twice unchanged has one version; one that grows while it is read is "changed"', async () => {
    const text = await readFile(join(corpus, 'dash/pipeline/capture.strace'), 'utf8');
    let big = '';
    while (big.length < 2.5 * (1 << 20)) big += text;
    const file = join(await mkdtemp(join(tmpdir(), 'fs-read-')), 'growing.strace');
    await writeFile(file, big);
    const first = await readWindows(file, () => () => undefined);
    const second = await readWindows(file, () => () => undefined);
    expect(first).toEqual({ kind: 'done', version: expect.stringMatching(new RegExp(`^${big.length} bytes, modified [0-9.]+$`)) });
    expect(second).toEqual(first);
    let appended = false;
    const third = await readWindows(file, () => () => {
      // A writer appends while the first chunks are parsed (strace still running).
      if (!appended) appendFileSync(file, text);
      appended = true;
    });
    expect(appended).toBe(true);
    expect(third).toEqual({ kind: 'done', version: 'changed' });
  });

  it('a missing file or a directory is an I/O error with the reason', async () => {
    expect(await readCapture(join(tmpdir(), 'no-such-capture-here.strace'))).toEqual({ kind: 'io-error', message: 'no such file or directory' });
    expect(await readCapture(corpus)).toEqual({ kind: 'io-error', message: 'is a directory' });
  });
});
