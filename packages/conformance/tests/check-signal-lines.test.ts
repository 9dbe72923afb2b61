// A capture that shows no `--- SIG ---` lines (strace -e signal=none) still has its signals: the
// replay takes a traced task's signals at its SIG line (where strace resumed it), and without such
// lines it must take them at the return of the task's calls instead, or a SIGCHLD handler that ran
// (its rt_sigreturn is recorded) never runs in the kernel and the shell's wait4 results diverge.
// Fixture: a real capture, unedited (fixtures/live-sh-signal-none/README.md says how it was made).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReplayScan } from '@forkscope/shim';
import { parseText } from '@forkscope/tracer';
import { checkCapture } from '../src/index.js';

const fixture = join(import.meta.dirname, 'fixtures', 'live-sh-signal-none', 'capture.strace');
const corpus = join(import.meta.dirname, '..', '..', '..', 'corpus');

async function scanOf(file: string) {
  const scan = new ReplayScan();
  for (const e of parseText(await readFile(file, 'utf8'))) scan.add(e);
  return scan.finish();
}

describe('signals in a capture without --- SIG --- lines', () => {
  it('the first pass tells a capture with signal lines from one without', async () => {
    expect((await scanOf(fixture)).signalLines).toBe(false);
    expect((await scanOf(join(corpus, 'dash/pipeline/capture.strace'))).signalLines).toBe(true);
  });

  it('E33/E26 dash under strace -e signal=none: its SIGCHLD handler runs at a call return, and every wait4 result matches', async () => {
    const text = await readFile(fixture, 'utf8');
    // The handler did run on Linux: its rt_sigreturn is recorded, though no SIG line is.
    expect(text).toContain('rt_sigreturn(');
    expect(text).not.toContain('--- SIG');
    const r = await checkCapture({ file: fixture });
    expect(r.divergences).toEqual([]);
    expect(r.verdict).toBe('conforms');
    // The handler's return is judged against the kernel's frame, not adopted for want of one.
    expect(r.adoptedReasons.some((a) => a.reason.includes('no signal handler frame'))).toBe(false);
  });
});
