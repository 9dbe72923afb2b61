// The replay guest driving the real kernel: with a real corpus capture, and
// with small fixture event lists for the bookkeeping's edge cases.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseText } from '@forkscope/tracer';
import type { TraceEvent } from '@forkscope/tracer';
import { replayCapture } from '../src/replay/replay-capture.js';
import type { SyscallRecord } from '../src/replay/records.js';
import type { FsManifestEntry } from '../src/replay/replay-capture.js';
import { fixtureExited, fixtureSyscall } from './fixtures/events.js';

const corpus = fileURLToPath(new URL('../../../corpus/', import.meta.url));

function corpusCase(id: string): { events: TraceEvent[]; fs: FsManifestEntry[]; cwd: string } {
  const dir = join(corpus, id);
  const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as { fs: FsManifestEntry[]; cwd: string };
  return { events: parseText(readFileSync(join(dir, 'capture.strace'), 'utf8'), { file: 'capture.strace' }), fs: c.fs, cwd: c.cwd };
}

function syscallAt(records: readonly unknown[], name: string, pid: number): SyscallRecord {
  const r = (records as SyscallRecord[]).find((x) => x.kind === 'syscall' && x.event.name === name && x.event.pid === pid);
  if (r === undefined) throw new Error(`no ${name} record for ${pid}`);
  return r;
}

describe('ReplayGuest on posix_spawn/success (real capture)', () => {
  const { events, fs, cwd } = corpusCase('posix_spawn/success');
  const out = replayCapture(events, { fs, cwd });
  const first = events.find((e) => e.kind === 'syscall');
  const root = first?.pid ?? -1;
  const clone = events.find((e) => e.kind === 'syscall' && e.name === 'clone3');
  const child = clone?.kind === 'syscall' && clone.outcome.kind === 'value' ? Number(clone.outcome.value) : -1;

  it('binds the root at its first line and the child through the clone3 result', () => {
    expect(out.records.filter((r) => r.kind === 'fatal')).toEqual([]);
    const rootTid = out.pids.emulated(root);
    const childTid = out.pids.emulated(child);
    expect(rootTid).toBeDefined();
    expect(childTid).toBeDefined();
    expect(childTid).not.toBe(rootTid);
    // the kernel created the child from the root's clone3
    expect(out.kernelEvents).toContainEqual(expect.objectContaining({ type: 'task-created', tid: childTid, creator: rootTid }));
  });

  it('A2 the vfork parent is released by the child execve before its resumed line', () => {
    const r = syscallAt(out.records, 'clone3', root);
    expect(r.handling).toBe('checked');
    expect(r.result).toEqual({ kind: 'done', value: BigInt(out.pids.emulated(child) ?? -1) });
    const released = out.kernelEvents.find((e) => e.type === 'vfork-released');
    expect(released).toMatchObject({ cause: 'exec' });
  });

  it('E26 the parent wait4 completes with the child exit status the recording shows', () => {
    const r = syscallAt(out.records, 'wait4', root);
    expect(r.result).toMatchObject({ kind: 'done', value: BigInt(out.pids.emulated(child) ?? -1), out: { status: 0 } });
    const exit = out.records.find((x) => x.kind === 'exit' && x.event.pid === child);
    expect(exit).toMatchObject({ kernel: { kind: 'exited', code: 0 } });
  });

  it('E33 the recorded SIGCHLD is paired with the one the kernel sent', () => {
    const s = out.records.find((x) => x.kind === 'signal');
    expect(s).toMatchObject({ kind: 'signal', kernel: { signo: 17, code: 1, pid: out.pids.emulated(child), status: 0 } });
  });
});

describe('ReplayGuest bookkeeping (fixture events on the real kernel)', () => {
  it('a child whose first line precedes its parent fork return is bound by the fork result', () => {
    const events: TraceEvent[] = [
      fixtureSyscall({ pid: 50, name: 'getpid', line: 1, result: 50n }),
      fixtureSyscall({ pid: 50, name: 'fork', line: 2, endLine: 4, result: 51n }),
      fixtureSyscall({ pid: 51, name: 'getppid', line: 3, result: 50n }),
      fixtureSyscall({ pid: 51, name: 'exit_group', line: 5, args: [{ name: undefined, value: { kind: 'int', text: '0', value: 0n } }], result: 'unknown' }),
      fixtureExited(51, 6, 0),
      fixtureSyscall({ pid: 50, name: 'exit_group', line: 7, args: [{ name: undefined, value: { kind: 'int', text: '0', value: 0n } }], result: 'unknown' }),
      fixtureExited(50, 8, 0),
    ];
    const out = replayCapture(events);
    expect(out.records.filter((r) => r.kind === 'fatal')).toEqual([]);
    const parent = out.pids.emulated(50);
    const getppid = syscallAt(out.records, 'getppid', 51);
    expect(getppid.result).toEqual({ kind: 'done', value: BigInt(parent ?? -1) });
    const fork = syscallAt(out.records, 'fork', 50);
    expect(fork.result).toEqual({ kind: 'done', value: BigInt(out.pids.emulated(51) ?? -1) });
  });

  it('a pid that appears from nowhere is fatal at its line, and later lines are counted as not replayed', () => {
    const events: TraceEvent[] = [
      fixtureSyscall({ pid: 50, name: 'getpid', line: 1, result: 50n }),
      fixtureSyscall({ pid: 77, name: 'getpid', line: 2, result: 77n }),
      fixtureSyscall({ pid: 50, name: 'getpid', line: 3, result: 50n }),
    ];
    const out = replayCapture(events);
    expect(out.records).toContainEqual({ kind: 'fatal', line: 2, message: expect.stringContaining('77 appears from nowhere') });
    expect(out.records).toContainEqual(expect.objectContaining({ kind: 'skipped', line: 3, what: 'syscall' }));
  });

  it('a call the kernel still blocks at its recorded return is reported blocked, and the replay stops', () => {
    // wait4 for a child that is alive: the recording (a fixture) claims it returned at once
    const events: TraceEvent[] = [
      fixtureSyscall({ pid: 50, name: 'fork', line: 1, result: 51n }),
      fixtureSyscall({
        pid: 50,
        name: 'wait4',
        line: 2,
        args: [
          { name: undefined, value: { kind: 'int', text: '51', value: 51n } },
          { name: undefined, value: { kind: 'null' } },
          { name: undefined, value: { kind: 'int', text: '0', value: 0n } },
          { name: undefined, value: { kind: 'null' } },
        ],
        result: 51n,
      }),
      fixtureSyscall({ pid: 51, name: 'getpid', line: 3, result: 51n }),
    ];
    const out = replayCapture(events);
    const wait = syscallAt(out.records, 'wait4', 50);
    expect(wait.result).toMatchObject({ kind: 'blocked', on: { kind: 'child' } });
    expect(out.records).toContainEqual(expect.objectContaining({ kind: 'skipped', line: 3 }));
  });
});

describe('ReplayGuest on an exec from a non-leader thread (real capture, tests/fixtures/exec-from-thread.c)', () => {
  const text = readFileSync(fileURLToPath(new URL('./fixtures/exec-from-thread.strace', import.meta.url)), 'utf8');
  const events = parseText(text, { file: 'exec-from-thread.strace' });
  const out = replayCapture(events);
  const sup = events.find((e) => e.kind === 'superseded');
  const leader = sup?.pid ?? -1;
  const thread = sup?.kind === 'superseded' ? sup.byPid : -1;

  it('D19 the thread takes over the leader tid: the kernel exec comes from the thread, under the leader tid', () => {
    expect(out.records.filter((r) => r.kind === 'fatal')).toEqual([]);
    const leaderTid = out.pids.emulated(leader);
    const exec = out.kernelEvents.filter((e) => e.type === 'exec').at(-1);
    expect(exec).toMatchObject({ type: 'exec', tid: leaderTid, tgid: leaderTid });
    expect(exec?.type === 'exec' ? exec.formerTid : -1).not.toBe(leaderTid);
    // the thread's own pid is released once its execve returned under the leader's
    expect(out.pids.has(thread)).toBe(false);
  });

  it('D19 the leader pause never returns, and the process exits with the new image status', () => {
    const pause = syscallAt(out.records, 'pause', leader);
    expect(pause.event.outcome.kind).toBe('unknown');
    const exit = out.records.filter((r) => r.kind === 'exit').at(-1);
    expect(exit).toMatchObject({ kind: 'exit', kernel: { kind: 'exited', code: 0 } });
  });
});

describe('ReplayGuest on a child killed by a fault (real capture, tests/fixtures/segv.c)', () => {
  const text = readFileSync(fileURLToPath(new URL('./fixtures/segv.strace', import.meta.url)), 'utf8');
  const events = parseText(text, { file: 'segv.strace' });
  const out = replayCapture(events);
  const killed = events.find((e) => e.kind === 'killed');
  const child = killed?.pid ?? -1;

  it('E25 the fault is injected at its line: the kernel kills the child and its parent reaps WTERMSIG SIGSEGV', () => {
    expect(out.records.filter((r) => r.kind === 'fatal')).toEqual([]);
    const sig = out.records.find((r) => r.kind === 'signal' && r.event.signal === 'SIGSEGV');
    expect(sig).toMatchObject({ kind: 'signal', injected: expect.stringContaining('SEGV_MAPERR') });
    expect(out.records.find((r) => r.kind === 'exit' && r.event.pid === child)).toMatchObject({ kernel: { kind: 'killed', signo: 11 } });
    const root = events.find((e) => e.kind === 'syscall')?.pid ?? -1;
    expect(syscallAt(out.records, 'wait4', root).result).toMatchObject({ kind: 'done', out: { status: 11 } });
  });

  it('E33 the parent SIGCHLD is the kernel one: CLD_KILLED with the signal as status', () => {
    const chld = out.records.find((r) => r.kind === 'signal' && r.event.signal === 'SIGCHLD');
    expect(chld).toMatchObject({ kernel: { signo: 17, code: 2, status: 11 } });
  });
});

describe('ReplayGuest on a single-process trace without pids (real capture: strace -o … /bin/true)', () => {
  const text = readFileSync(fileURLToPath(new URL('./fixtures/single-process.strace', import.meta.url)), 'utf8');
  const events = parseText(text, { file: 'single-process.strace' });
  const out = replayCapture(events);

  it('replays every line as the one task, and learns its pid from set_tid_address', () => {
    expect(out.unusable).toEqual([]);
    expect(out.records.filter((r) => r.kind === 'fatal' || r.kind === 'skipped')).toEqual([]);
    const sta = events.find((e) => e.kind === 'syscall' && e.name === 'set_tid_address');
    const own = sta?.kind === 'syscall' && sta.outcome.kind === 'value' ? Number(sta.outcome.value) : -1;
    expect(out.pids.emulated(own)).toBe(out.pids.emulated(0));
    expect(out.records.find((r) => r.kind === 'exit')).toMatchObject({ kernel: { kind: 'exited', code: 0 } });
  });
});
