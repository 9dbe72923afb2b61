// parseWindows: the events of parseBatches, each batch with the line before which the input is
// settled. The replay orders events by their first line and acts on every line before
// `settledBefore`, so the one property that matters is that no later event starts earlier.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBatches, parseWindows, type EventWindow, type TraceEvent } from '../src/index.js';

const corpusDir = join(import.meta.dirname, '..', '..', '..', 'corpus');

async function windowsOf(text: string, chunk = 4096): Promise<EventWindow[]> {
  async function* chunks(): AsyncIterable<string> {
    for (let i = 0; i < text.length; i += chunk) yield text.slice(i, i + chunk);
  }
  const out: EventWindow[] = [];
  for await (const w of parseWindows(chunks())) out.push(w);
  return out;
}

/** Every window's settledBefore is no later than the first line of any event handed out after it. */
function violations(windows: readonly EventWindow[]): string[] {
  const bad: string[] = [];
  let lowestLater = Infinity;
  for (let i = windows.length - 1; i >= 0; i--) {
    const w = windows[i] as EventWindow;
    if (w.settledBefore > lowestLater) bad.push(`window ${i}: settledBefore ${w.settledBefore} but a later event starts on line ${lowestLater}`);
    for (const e of w.events) if (e.span.line < lowestLater) lowestLater = e.span.line;
  }
  return bad;
}

// Fixture lines (hand-written): pid 100 blocks in wait4 on line 2 while pid 101 prints 600 lines.
function blockedWaitFixture(): string {
  const lines = ['100 execve("/bin/sh", ["sh"], 0x7ffc /* 1 var */) = 0', '100 wait4(-1,  <unfinished ...>'];
  for (let i = 0; i < 600; i++) lines.push(`101 getpid() = 101`);
  lines.push('101 exit_group(0) = ?', '101 +++ exited with 0 +++');
  lines.push('100 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 101');
  lines.push('100 exit_group(0) = ?', '100 +++ exited with 0 +++', '');
  return lines.join('\n');
}

describe('parseWindows', () => {
  it('hands out the same events, in the same batches, as parseBatches', async () => {
    const text = blockedWaitFixture();
    const batches: TraceEvent[][] = [];
    for await (const b of parseBatches(text)) batches.push(b);
    const windows = await windowsOf(text, text.length);
    expect(windows.map((w) => w.events)).toEqual(batches);
  });

  it('holds the settled line at an unfinished call until its resumed line is read', async () => {
    const windows = await windowsOf(blockedWaitFixture());
    expect(violations(windows)).toEqual([]);
    // The batches made while wait4 is blocked (600 getpid lines: more than one batch) stop at its line.
    const whileBlocked = windows.filter((w) => w.events.every((e) => e.pid === 101));
    expect(whileBlocked.length).toBeGreaterThan(0);
    for (const w of whileBlocked) expect(w.settledBefore).toBe(2);
    expect(windows.at(-1)?.settledBefore).toBe(Infinity);
  });

  it('never lets a later event start before a window\'s settled line, on any corpus capture or chunk size', async () => {
    const manifest = join(corpusDir, 'manifest.json');
    expect(existsSync(manifest)).toBe(true);
    const cases = (JSON.parse(readFileSync(manifest, 'utf8')) as { cases: { id: string; path: string }[] }).cases;
    expect(cases.length).toBeGreaterThan(0);
    let advanced = 0;
    for (const c of cases) {
      const text = readFileSync(join(corpusDir, c.path, 'capture.strace'), 'utf8');
      for (const chunk of [257, 65536]) {
        const windows = await windowsOf(text, chunk);
        expect(violations(windows), `${c.id}, chunks of ${chunk}`).toEqual([]);
        if (windows.length > 1) advanced++;
      }
    }
    // Small captures fit in one batch; some corpus captures span several.
    expect(advanced).toBeGreaterThan(0);
  });
});
