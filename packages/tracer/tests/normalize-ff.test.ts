// normalize() of -ff files: the orderings across files are read from parseFiles' causal merge,
// not from the stamps (microseconds, -T rounded), which can put a wait's return before the
// child's `+++ exited`. Fixture lines are hand-written -ff files of one run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normalize } from '../src/normalize/normalize.js';
import type { Normalized } from '../src/normalize/normalized.js';
import { parseFiles } from '../src/parse.js';
import type { TraceEvent } from '../src/events.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** Writes each pid's lines as `<dir>/run.<pid>` and normalizes them as one -ff run (files in the order given). */
async function normalizeFf(files: readonly (readonly [number, readonly string[]])[]): Promise<{ n: Normalized; order: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'forkscope-normalize-ff-'));
  made.push(dir);
  const paths = files.map(([pid, lines]) => {
    const path = join(dir, `run.${pid}`);
    writeFileSync(path, lines.join('\n') + '\n');
    return path;
  });
  const events: TraceEvent[] = [];
  for await (const e of parseFiles(paths)) events.push(e);
  const order = events.map((e) => `${e.pid} ${e.kind === 'syscall' ? e.name : e.kind}`);
  return { n: normalize(events), order };
}

describe('normalize: -ff orderings from the merge order', () => {
  it('E26: a wait whose stamp + rounded -T is 1 µs before the child\'s `+++ exited` still returned after that exit', async () => {
    const { n, order } = await normalizeFf([
      [5100, [
        '1795723913.100000 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f1200000a10) = 5101 <0.000080>',
        // Returns at .100090 + 0.000210 = .100300 by its stamp and duration.
        '1795723913.100090 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 5101 <0.000210>',
        '1795723913.100320 exit_group(0) = ?',
        '1795723913.100400 +++ exited with 0 +++',
      ]],
      [5101, ['1795723913.100050 getpid() = 5101 <0.000004>', '1795723913.100299 exit_group(3) = ?', '1795723913.100301 +++ exited with 3 +++']],
    ]);
    // The merge holds the wait until the child's exit is merged ...
    expect(order.indexOf('5101 exited')).toBeLessThan(order.indexOf('5100 wait4'));
    // ... and normalize reads the ordering from there: wait4 (pid 1, index 1) after pid 2's `+++ exited` (index 1).
    expect(n.orderings).toEqual([{ kind: 'resumed-after', reason: 'wait-after-exit', call: { pid: 1, index: 1 }, after: { pid: 2, index: 1 } }]);
  });

  it('A2: a vfork parent released inside its child\'s execve (merged before it, as it returned first) resumed after the exec began', async () => {
    const { n, order } = await normalizeFf([
      [5200, [
        // Returns at .200400, while the child's execve (entered .200100) runs until .200600.
        '1795723913.200000 vfork() = 5201 <0.000400>',
        '1795723913.200410 wait4(5201, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 5201 <0.000400>',
        '1795723913.200820 exit_group(0) = ?',
        '1795723913.200900 +++ exited with 0 +++',
      ]],
      [5201, [
        '1795723913.200100 execve("/bin/true", ["true"], 0x7ffd00000000 /* 1 var */) = 0 <0.000500>',
        '1795723913.200700 exit_group(0) = ?',
        '1795723913.200750 +++ exited with 0 +++',
      ]],
    ]);
    expect(order.slice(0, 2)).toEqual(['5200 vfork', '5201 execve']);
    expect(n.orderings).toEqual([
      { kind: 'resumed-after', reason: 'vfork-released-by-exec', call: { pid: 1, index: 0 }, after: { pid: 2, index: 0 } },
      { kind: 'resumed-after', reason: 'wait-after-exit', call: { pid: 1, index: 1 }, after: { pid: 2, index: 2 } },
    ]);
  });

  it('a line the parser did not understand does not make timed files count as untimed', async () => {
    const { n, order } = await normalizeFf([
      [5300, [
        '1795723913.300000 fork() = 5301 <0.000050>',
        '1795723913.300060 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 1}], 0, NULL) = 5301 <0.000100>',
        '1795723913.300200 exit_group(0) = ?',
        '1795723913.300300 +++ exited with 0 +++',
      ]],
      [5301, ['1795723913.300080 this is not a strace line', '1795723913.300150 exit_group(1) = ?', '1795723913.300155 +++ exited with 1 +++']],
    ]);
    expect(order).toContain('5301 diagnostic');
    expect(n.orderings).toEqual([{ kind: 'resumed-after', reason: 'wait-after-exit', call: { pid: 1, index: 1 }, after: { pid: 2, index: 1 } }]);
  });

  it('files without stamps were read one after another: no ordering across them is claimed', async () => {
    const { n, order } = await normalizeFf([
      [5401, ['exit_group(0) = ?', '+++ exited with 0 +++']],
      [5400, ['fork() = 5401', 'wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 5401', 'exit_group(0) = ?', '+++ exited with 0 +++']],
    ]);
    // The child's file is read first, so its exit comes before the parent's wait; that is the
    // order the files were given in, not one recorded.
    expect(order).toContain('null diagnostic');
    expect(n.processes.map((p) => p.exit)).toEqual([
      { kind: 'exited', code: 0 },
      { kind: 'exited', code: 0 },
    ]);
    expect(n.orderings).toEqual([]);
  });
});
