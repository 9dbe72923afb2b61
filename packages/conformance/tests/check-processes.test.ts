// The Processes rule: the kernel's tree, thread membership and exec chains
// against the recording. The recording and the kernel's log come from a real
// replay; the "wrong kernel" cases are that log edited (fixtures).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KernelEvent } from '@forkscope/kernel';
import { replayCapture } from '@forkscope/shim';
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
