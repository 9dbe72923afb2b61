// A capture of several runs one after another in one file (`strace -A -o FILE` appends; the
// tracer benchmark concatenates runs the same way): once the last root has ended and no clone is
// in flight, a task that starts with an execve is the next run's root. Any other pid that appears
// without a clone that made it is still an error. Hand-written fixture lines.
import { describe, expect, it } from 'vitest';
import { parseText } from '@forkscope/tracer';
import { ReplayScan, replayCapture, startReplay } from '../src/replay/replay-capture.js';

function run(pid: number, t: number, exit: number): string[] {
  return [
    `${pid} ${t}.000000 execve("/bin/true", ["true"], 0x7ffe00000000 /* 1 var */) = 0 <0.1>`,
    `${pid} ${t}.000100 getpid() = ${pid} <0.1>`,
    `${pid} ${t}.000200 exit_group(${exit}) = ?`,
    `${pid} ${t}.000300 +++ exited with ${exit} +++`,
  ];
}

function replay(lines: readonly string[]) {
  return replayCapture(parseText(`${lines.join('\n')}\n`, { file: 'fixture' }));
}

describe('captures of several runs one after another', () => {
  it('a second run starting with execve after the first root ended gets its own root', () => {
    const out = replay([...run(100, 1, 0), ...run(200, 2, 3)]);
    expect(out.records.filter((r) => r.kind === 'fatal')).toEqual([]);
    const a = out.pids.emulated(100);
    const b = out.pids.emulated(200);
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(b).not.toBe(a);
    const exits = out.records.flatMap((r) => (r.kind === 'exit' ? [r.kernel] : []));
    expect(exits).toEqual([
      expect.objectContaining({ kind: 'exited', code: 0 }),
      expect.objectContaining({ kind: 'exited', code: 3 }),
    ]);
  });

  it('a pid that appears while the first root still runs is an error, not a new root', () => {
    const first = run(100, 1, 0);
    const out = replay([first[0] as string, ...run(200, 2, 3), ...first.slice(1)]);
    const fatal = out.records.filter((r) => r.kind === 'fatal');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ line: 2 });
  });

  it('a newcomer whose first call is not execve is an error even after the root ended', () => {
    const out = replay([...run(100, 1, 0), '200 2.000000 getpid() = 200 <0.1>', '200 2.000100 exit_group(0) = ?', '200 2.000200 +++ exited with 0 +++']);
    expect(out.records.filter((r) => r.kind === 'fatal')).toHaveLength(1);
  });

  it('the next run reusing the last run\'s pid (the same program recorded again) gets its own root; the guest says where the run before ended', () => {
    const events = parseText(`${[...run(100, 1, 0), ...run(100, 2, 3)].join('\n')}\n`, { file: 'fixture' });
    const scan = new ReplayScan();
    for (const e of events) scan.add(e);
    const ends: { line: number; mapped: number | undefined }[] = [];
    const started = startReplay({ ...scan.finish(), stragglers: null }, {}, { onRunEnd: (line, pids) => ends.push({ line, mapped: pids.emulated(100) }) });
    if (started.kind !== 'guest') throw new Error(started.message);
    const first = started.guest.pids;
    const out = started.guest.run(events);
    expect(out.records.filter((r) => r.kind === 'fatal')).toEqual([]);
    const exits = out.records.flatMap((r) => (r.kind === 'exit' ? [r.kernel] : []));
    expect(exits).toEqual([expect.objectContaining({ kind: 'exited', code: 0 }), expect.objectContaining({ kind: 'exited', code: 3 })]);
    // Told at the second execve, while 100 still maps to the first root; then 100 is the new root.
    expect(ends).toHaveLength(1);
    expect(ends[0]?.line).toBe(5);
    expect(ends[0]?.mapped).toBeDefined();
    expect(first.emulated(100)).not.toBe(ends[0]?.mapped);
  });

  it('a reaped pid making a call other than execve is still an error', () => {
    const out = replay([...run(100, 1, 0), '100 2.000000 getpid() = 100 <0.1>', '100 2.000100 exit_group(0) = ?', '100 2.000200 +++ exited with 0 +++']);
    expect(out.records.filter((r) => r.kind === 'fatal')).toHaveLength(1);
  });
});
