// Fresh captures of corpus/dash/pipeline (made by tools/capture during the live test's runs, kept
// unedited as fixtures) whose outcome hung on timing: which of dash's exited children wait4(-1)
// reaps, and which SIGCHLD dash is handed. Each is a case where the replay once diverged and Linux
// was right.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCapture } from '../src/index.js';

const fixtures = join(import.meta.dirname, 'fixtures');

async function check(name: string) {
  const dir = join(fixtures, name);
  return checkCapture({ file: join(dir, 'capture.strace'), caseFile: join(dir, 'case.json') });
}

describe('live dash pipeline captures that raced', () => {
  it('E26: both children exited before the woken dash ran: wait4(-1) reaps the older one, then the younger', async () => {
    // Lines 639-641: the younger child's exit is collected first and wakes dash, the older one's
    // follows, then wait4 returns the older pid (do_wait scans in the waiter's own context).
    const r = await check('live-dash-pipeline-wait-order');
    expect(r.divergences).toEqual([]);
    expect(r.verdict).toBe('conforms');
  });

  it('A8 SIGCHLD coalescing under ptrace: a SIGCHLD sent after wait4 returned but before dash took the pending one (its --- SIG --- line) is merged into it', async () => {
    // Lines 645-663: wait4 returns 1636 at 645, 1637's exit is collected at 647, the SIGCHLD for
    // 1636 is printed at 648; the one for 1637 was merged into it (kernel/signal.c legacy_queue),
    // so the SIGCHLD at 663 names 1638.
    const r = await check('live-dash-pipeline-sigchld');
    expect(r.divergences).toEqual([]);
    expect(r.verdict).toBe('conforms');
  });

  it('A8 SIGCHLD not merged: dash took the pending SIGCHLD before the next child\'s was sent, though strace printed it after; the second SIGCHLD\'s own --- SIG --- line says so', async () => {
    // Lines 700-709: wait4 returns at 700, the second child's exit is collected at 702, the first
    // SIGCHLD is printed at 703 and a second one, for the second child, at 709: on Linux the first
    // was dequeued before line 702's SIGCHLD was sent. Same script, same program as the test above;
    // only the recording tells the two apart: the second sending has a SIG line of its own here,
    // none there (the replay's signal-lines.ts, the kernel's signalTakenBefore).
    const r = await check('live-dash-pipeline-sigchld-early');
    expect(r.divergences).toEqual([]);
    expect(r.verdict).toBe('conforms');
  });
});
