// parseFiles: where -ff stamps (microseconds) and -T durations (rounded) cannot order two files,
// causality does. Fixtures are hand-written -ff file sets in tests/fixtures/ff-merge/<case>/.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFiles } from '../src/index.js';
import type { TraceEvent } from '../src/events.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'ff-merge');

function filesOf(name: string): string[] {
  const dir = join(FIXTURES, name);
  return readdirSync(dir)
    .filter((f) => f.startsWith('run.'))
    .sort()
    .map((f) => join(dir, f));
}

/** Each event as `pid what` (a call's name, or the event kind), in merged order. */
async function merged(name: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of parseFiles(filesOf(name))) out.push(`${e.pid} ${label(e)}`);
  return out;
}

function label(e: TraceEvent): string {
  return e.kind === 'syscall' ? e.name : e.kind;
}

describe('parseFiles: causal order where -ff timing cannot decide', () => {
  it('E15/C2: a wait4 returning child C comes after C\'s exit although stamp + rounded -T says earlier', async () => {
    // wait4 returns at .100090 + 0.000210 = .100300; the child's exit_group is stamped .100299 and
    // its `+++ exited` (no duration) .100301. By time alone the wait would sit between them.
    expect(await merged('wait4-rounded')).toEqual([
      '4101 getpid',
      '4100 clone',
      '4101 exit_group',
      '4101 exited',
      '4100 wait4',
      '4100 signal',
      '4100 exit_group',
      '4100 exited',
    ]);
  });

  it('E16: a waitid whose siginfo reports CLD_KILLED for si_pid C comes after C\'s `+++ killed`', async () => {
    expect(await merged('waitid-killed')).toEqual([
      '4201 pause',
      '4200 kill',
      '4201 killed',
      '4200 waitid',
      '4200 exit_group',
      '4200 exited',
    ]);
  });

  it('E17: a wait4 reporting a stopped child is not held for its exit; the later reaping wait4 is', async () => {
    expect(await merged('wait4-stopped')).toEqual([
      '4301 pause',
      '4300 kill',
      '4301 signal',
      '4301 stopped',
      '4300 wait4', // WIFSTOPPED at .300050, long before the child dies
      '4300 kill',
      '4301 killed', // .300091; the reaping wait4 returned at .300090 by its -T
      '4300 wait4',
    ]);
  });

  it('a held wait is released when the child\'s file ends without an exit line (capture cut short)', async () => {
    expect(await merged('child-truncated')).toEqual(['4601 getpid', '4601 write', '4600 wait4', '4600 exit_group', '4600 exited']);
  });

  it('C1: a child\'s first line is placed no earlier than the entry of the vfork that returned it', async () => {
    // The child's exit_group is stamped .400008, before the vfork's entry (.400010): it moves to
    // .400010, after the unrelated pid 4402's line at .400009.
    expect(await merged('clone-entry')).toEqual([
      '4402 getppid',
      '4401 exit_group',
      '4401 exited',
      '4400 vfork',
      '4400 exit_group',
      '4400 exited',
    ]);
  });

  it('two waits holding each other (no kernel produces this) still give every line, in file order, and end', async () => {
    const got = await merged('mutual-wait');
    expect(got).toHaveLength(4);
    expect(got.filter((l) => l.startsWith('4500 '))).toEqual(['4500 wait4', '4500 exited']);
    expect(got.filter((l) => l.startsWith('4501 '))).toEqual(['4501 wait4', '4501 exited']);
  });
});
