// The Processes rule: the kernel's tree, thread membership and exec chains
// against the recording. The recording and the kernel's log come from a real
// replay; the "wrong kernel" cases are that log edited (fixtures).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KernelEvent } from '@forkscope/kernel';
import { PidMap, replayCapture } from '@forkscope/shim';
import type { FsManifestEntry } from '@forkscope/shim';
import { parseText } from '@forkscope/tracer';
import { checkProcesses } from '../src/check/processes.js';

const dir = fileURLToPath(new URL('../../../corpus/posix_spawn/success/', import.meta.url));
const events = parseText(readFileSync(join(dir, 'capture.strace'), 'utf8'), { file: 'capture.strace' });
const info = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { fs: FsManifestEntry[]; cwd: string };
const out = replayCapture(events, { fs: info.fs, cwd: info.cwd });
const clone = events.find((e) => e.kind === 'syscall' && e.name === 'clone3');
const childRec = clone?.kind === 'syscall' && clone.outcome.kind === 'value' ? Number(clone.outcome.value) : -1;
const childTid = out.pids.emulated(childRec) ?? -1;

function edited(f: (e: KernelEvent) => KernelEvent | null): KernelEvent[] {
  return out.kernelEvents.flatMap((e) => {
    const x = f(e);
    return x === null ? [] : [x];
  });
}

describe('Processes rule', () => {
  it('the real replay agrees with the recording', () => {
    expect(checkProcesses(events, out.kernelEvents, out.pids)).toEqual([]);
  });

  it('C10 a child the kernel made a thread is a process divergence at the clone line', () => {
    const k = edited((e) => (e.type === 'task-created' && e.tid === childTid ? { ...e, thread: true } : e));
    const d = checkProcesses(events, k, out.pids);
    expect(d).toContainEqual(expect.objectContaining({ rule: 'process', line: clone?.span.line, pid: childRec, emulated: 'a thread' }));
  });

  it('C14 a child the kernel gave another parent is a process divergence', () => {
    const k = edited((e) => (e.type === 'task-created' && e.tid === childTid ? { ...e, ppid: 1 } : e));
    const d = checkProcesses(events, k, out.pids);
    expect(d).toContainEqual(expect.objectContaining({ rule: 'process', expected: expect.stringContaining("parent is") }));
  });

  it('D19 a missing or different exec in the chain is a process divergence at the execve line', () => {
    const dropped = edited((e) => (e.type === 'exec' && e.tgid === childTid ? null : e));
    const d = checkProcesses(events, dropped, out.pids);
    const execLine = events.find((e) => e.kind === 'syscall' && e.name === 'execve' && e.pid === childRec)?.span.line;
    expect(d).toContainEqual(expect.objectContaining({ rule: 'process', line: execLine, syscall: 'execve', emulated: 'no such exec' }));
    const renamed = edited((e) => (e.type === 'exec' && e.tgid === childTid ? { ...e, path: '/bin/false' } : e));
    expect(checkProcesses(events, renamed, out.pids)).toContainEqual(expect.objectContaining({ rule: 'process', emulated: 'exec of /bin/false' }));
  });
});

describe('Processes rule on several runs recorded one after another', () => {
  // Two runs in one capture, as a concatenated benchmark capture has them: the second root (5)
  // appears with an execve that no clone created. Real line shapes; the kernel's log is a fixture.
  const twoRuns = parseText(
    [
      '1 execve("/bin/sh", ["sh", "-c", "a"], 0x7ffd /* 3 vars */) = 0',
      '1 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f1) = 2',
      '2 execve("/bin/a", ["a"], 0x7ffd /* 3 vars */) = 0',
      '2 exit_group(0) = ?',
      '2 +++ exited with 0 +++',
      '1 exit_group(0) = ?',
      '1 +++ exited with 0 +++',
      '5 execve("/bin/sh", ["sh", "-c", "b"], 0x7ffd /* 3 vars */) = 0',
      '5 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f1) = 6',
      '6 execve("/bin/b", ["b"], 0x7ffd /* 3 vars */) = 0',
      '6 exit_group(0) = ?',
      '6 +++ exited with 0 +++',
      '5 exit_group(0) = ?',
      '5 +++ exited with 0 +++',
      '',
    ].join('\n'),
    { file: 'two-runs.strace' },
  );
  const pids = new PidMap();
  for (const [rec, emu] of [[1, 1001], [2, 1002], [5, 1003], [6, 1004]] as const) pids.bind(rec, emu);
  let seq = 0;
  const created = (tid: number, ppid: number, creator: number | null): KernelEvent =>
    ({ type: 'task-created', tid, tgid: tid, ppid, creator, thread: false, flags: 0n, exitSignal: 17, seq: seq++, time: 0n }) as KernelEvent;
  const exec = (tid: number, path: string): KernelEvent =>
    ({ type: 'exec', tid, tgid: tid, formerTid: tid, path, argv: [path], interpreters: [], adopted: false, seq: seq++, time: 0n }) as KernelEvent;
  const agreeing = [created(1001, 1, null), exec(1001, '/bin/sh'), created(1002, 1001, 1001), exec(1002, '/bin/a'), created(1003, 1, null), exec(1003, '/bin/sh'), created(1004, 1003, 1003), exec(1004, '/bin/b')];

  it('agrees when the kernel ran both runs as recorded', () => {
    expect(checkProcesses(twoRuns, agreeing, pids)).toEqual([]);
  });

  it("C14 checks the second run's tree too: its child under the first run's root is a divergence", () => {
    const k = agreeing.map((e) => (e.type === 'task-created' && e.tid === 1004 ? { ...e, ppid: 1001 } : e));
    expect(checkProcesses(twoRuns, k, pids)).toContainEqual(expect.objectContaining({ rule: 'process', pid: 6, line: 9, expected: "6's parent is 5" }));
  });

  it("D19 checks the second root's exec chain", () => {
    const k = agreeing.filter((e) => !(e.type === 'exec' && e.tgid === 1003));
    expect(checkProcesses(twoRuns, k, pids)).toContainEqual(expect.objectContaining({ rule: 'process', pid: 5, line: 8, emulated: 'no such exec' }));
  });
});

describe('Processes rule when a child completes calls before its creator’s clone returns', () => {
  // A vfork child (2) execs a script that execs its interpreter, and clones a grandchild (3), all
  // printed before its parent's `<... vfork resumed>`: events come in completion order, so the
  // child's lines precede the call that made it (as in the benchmark's pyenv runs). Fixture lines.
  const early = parseText(
    [
      '1 execve("/bin/sh", ["sh"], 0x7ffd /* 3 vars */) = 0',
      '1 vfork( <unfinished ...>',
      '2 execve("/bin/script", ["script"], 0x7ffd /* 3 vars */) = 0',
      '2 execve("/bin/bash", ["bash", "/bin/script"], 0x7ffd /* 3 vars */) = 0',
      '2 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f1) = 3',
      '1 <... vfork resumed>) = 2',
      '3 exit_group(0) = ?',
      '3 +++ exited with 0 +++',
      '2 exit_group(0) = ?',
      '2 +++ exited with 0 +++',
      '1 exit_group(0) = ?',
      '1 +++ exited with 0 +++',
      '',
    ].join('\n'),
    { file: 'early-child.strace' },
  );
  const pids = new PidMap();
  for (const [rec, emu] of [[1, 1001], [2, 1002], [3, 1003]] as const) pids.bind(rec, emu);
  let seq = 0;
  const created = (tid: number, ppid: number, creator: number | null): KernelEvent =>
    ({ type: 'task-created', tid, tgid: tid, ppid, creator, thread: false, flags: 0n, exitSignal: 17, seq: seq++, time: 0n }) as KernelEvent;
  const exec = (tid: number, path: string): KernelEvent =>
    ({ type: 'exec', tid, tgid: tid, formerTid: tid, path, argv: [path], interpreters: [], adopted: false, seq: seq++, time: 0n }) as KernelEvent;
  const agreeing = [created(1001, 1, null), exec(1001, '/bin/sh'), created(1002, 1001, 1001), exec(1002, '/bin/script'), exec(1002, '/bin/bash'), created(1003, 1002, 1002)];

  it('agrees when the kernel did what the recording shows', () => {
    expect(checkProcesses(early, agreeing, pids)).toEqual([]);
  });

  it('D19 the whole exec chain of the early child is compared, from its first exec', () => {
    const k = agreeing.filter((e) => !(e.type === 'exec' && e.path === '/bin/script'));
    expect(checkProcesses(early, k, pids)).toContainEqual(
      expect.objectContaining({ rule: 'process', pid: 2, line: 3, expected: 'exec #1 of 2: /bin/script', emulated: 'exec of /bin/bash' }),
    );
  });

  it("C14 the grandchild, cloned before its creator's own clone returned, is checked too", () => {
    const k = agreeing.map((e) => (e.type === 'task-created' && e.tid === 1003 ? { ...e, ppid: 1001 } : e));
    expect(checkProcesses(early, k, pids)).toContainEqual(expect.objectContaining({ rule: 'process', pid: 3, expected: "3's parent is 2" }));
  });
});
