// The judge on fixture records (what a kernel could answer), for the
// directions a conforming kernel never shows in the corpus.
import { describe, expect, it } from 'vitest';
import { PidMap } from '@forkscope/shim';
import type { SyscallRecord } from '@forkscope/shim';
import { parseText } from '@forkscope/tracer';
import type { SyscallEvent } from '@forkscope/tracer';
import { judge } from '../src/check/judge.js';

function line(text: string): SyscallEvent {
  const [e] = parseText(`${text}\n`, { file: 'fixture' });
  if (e?.kind !== 'syscall') throw new Error(text);
  return e;
}

const pids = new PidMap();
pids.bind(9871, 1000);
pids.bind(9912, 1001);
const vfork = line('9871  1795725968.238403 vfork() = 9912 <0.006635>');
const clone3 = line('16206 1795726203.718663 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f0f121eb000, stack_size=0x9000}, 88) = 9912 <0.008377>');
const fork = line('9865  1795725967.160220 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f1862918a10) = 9912 <0.000413>');
const record = (event: SyscallEvent, enteredBlocked: boolean): SyscallRecord => ({
  kind: 'syscall',
  event,
  tid: 1000,
  handling: 'checked',
  result: { kind: 'done', value: 1001n },
  enteredBlocked,
});

describe('judge: blocking in the kernel direction (fixture records)', () => {
  it('A1 a kernel that returns from vfork at once (a fork-like strategy) diverges under blocking', () => {
    for (const e of [vfork, clone3]) {
      const j = judge([record(e, false)], pids);
      expect(j.divergences).toEqual([expect.objectContaining({ rule: 'blocking', syscall: e.name, emulated: 'the kernel returned at once' })]);
    }
  });

  it('A2 a vfork the kernel blocked, then completed by the recorded return line, conforms', () => {
    expect(judge([record(vfork, true), record(clone3, true)], pids).divergences).toEqual([]);
    expect(judge([record(vfork, true)], pids).checked).toBe(1);
  });

  it('a fork is not expected to block', () => {
    expect(judge([record(fork, false)], pids).divergences).toEqual([]);
  });

  it('a pid result is compared through the mapping', () => {
    const wrong: SyscallRecord = { ...record(fork, false), result: { kind: 'done', value: 1000n } };
    expect(judge([wrong], pids).divergences).toEqual([expect.objectContaining({ rule: 'result', expected: '= 9912', emulated: '= 1000 (recorded pid 9871)' })]);
  });
});

describe('judge: recorded values in every notation strace prints', () => {
  const done = (event: SyscallEvent, value: bigint): SyscallRecord => ({ kind: 'syscall', event, tid: 1000, handling: 'checked', result: { kind: 'done', value } });
  it.each([
    ['1000 read(3, "", 32) = 0', 0n, 1n],
    ['1000 write(1, "abc", 3) = 3', 3n, 4n],
    ['1000 fcntl(1, F_GETFL) = 0x8002 (flags O_RDWR|O_LARGEFILE)', 0x8002n, 0x8003n],
    ['1000 umask(022) = 022', 0o22n, 22n],
    ['1000 lseek(3, 0, SEEK_END) = 9007199254740993', 9007199254740993n, 9007199254740992n],
    ['1000 read(3, "", 32) = 123456789012345', 123456789012345n, 123456789012346n],
  ])('%s: the kernel agrees with the value printed, and only with it', (text, same, other) => {
    const e = line(text);
    expect(judge([done(e, same)], pids).divergences).toEqual([]);
    expect(judge([done(e, other)], pids).divergences).toEqual([expect.objectContaining({ rule: 'result', emulated: `= ${other}` })]);
  });

  it('a pid result printed in decimal still goes through the mapping, and 0 is compared as it stands', () => {
    const e = line('9871 getpid() = 9871');
    expect(judge([done(e, 1000n)], pids).divergences).toEqual([]);
    expect(judge([done(e, 9871n)], pids).divergences).toHaveLength(1);
    const wait = line('9871 wait4(-1, NULL, WNOHANG, NULL) = 0');
    expect(judge([done(wait, 0n)], pids).divergences).toEqual([]);
    expect(judge([done(wait, 1000n)], pids).divergences).toHaveLength(1);
  });
});
