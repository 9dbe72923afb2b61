// Where a parent hears of its children's exits in a replay. Under strace -f every process is
// ptraced: exit_notify tells the tracer, and the real parent gets its SIGCHLD (and can reap) only
// when strace collects the exit — the `+++ exited` line (kernel/exit.c wait_task_zombie). With the
// kernel's `traced` option and the replay collecting at those lines, two children that both exit
// before their woken parent runs give it one SIGCHLD, as in the tracer benchmark's shell loop.
import { describe, expect, it } from 'vitest';
import { parseText } from '@forkscope/tracer';
import { replayCapture } from '../src/replay/replay-capture.js';
import type { ReplayRecord } from '../src/replay/records.js';

const FORK = 'clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0000000a10)';
const HANDLER = 'rt_sigaction(SIGCHLD, {sa_handler=0x5630b479fdc0, sa_mask=~[RTMIN RT_1], sa_flags=SA_RESTORER, sa_restorer=0x7fb6342a6050}, NULL, 8) = 0';

function signals(records: readonly ReplayRecord[]) {
  return records.flatMap((r) => (r.kind === 'signal' ? [{ line: r.event.span.line, siPid: r.kernel?.pid ?? null }] : []));
}

describe('replayed exits are notified when strace collects them (E33)', () => {
  it('two children collected before the woken parent runs: one SIGCHLD, from the first', () => {
    const lines = [
      '10 1.000000 execve("/bin/sh", ["sh"], 0x7ffe00000000 /* 1 var */) = 0 <0.1>',
      `10 1.000100 ${HANDLER} <0.1>`,
      `10 1.000200 ${FORK} = 11 <0.1>`,
      `10 1.000300 ${FORK} = 12 <0.1>`,
      '10 1.000400 wait4(-1,  <unfinished ...>',
      '11 1.000500 exit_group(0) = ?',
      '12 1.000600 exit_group(0) = ?',
      '11 1.000700 +++ exited with 0 +++',
      '12 1.000800 +++ exited with 0 +++',
      '10 1.000900 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 11 <0.1>',
      '10 1.001000 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=11, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---',
      '10 1.001100 rt_sigreturn({mask=[]}) = 11 <0.1>',
      '10 1.001200 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 12 <0.1>',
    ];
    const out = replayCapture(parseText(`${lines.join('\n')}\n`, { file: 'fixture' }));
    expect(out.records.filter((r) => r.kind === 'fatal')).toEqual([]);
    const first = out.pids.emulated(11);
    expect(signals(out.records)).toEqual([{ line: 11, siPid: first }]);
    // No second SIGCHLD was queued: 12's was collected while 11's was still pending.
    const sent = out.kernelEvents.filter((e) => e.type === 'signal-sent' && e.info.signo === 17);
    expect(sent.map((e) => e.type === 'signal-sent' && e.queued)).toEqual([true, false]);
    const waits = out.records.flatMap((r) => (r.kind === 'syscall' && r.event.name === 'wait4' ? [r.result] : []));
    expect(waits).toEqual([
      expect.objectContaining({ kind: 'done', value: BigInt(first ?? -1) }),
      expect.objectContaining({ kind: 'done', value: BigInt(out.pids.emulated(12) ?? -1) }),
    ]);
  });

  // The replay calls the kernel's tracerCollect at `+++ exited` lines, the adapter sets `traced`,
  // and only queued signals match `--- SIG ---` lines.
  it('a child whose exit_group comes before the parent runs but whose +++ line comes after gives a second SIGCHLD', () => {
    const lines = [
      '10 1.000000 execve("/bin/sh", ["sh"], 0x7ffe00000000 /* 1 var */) = 0 <0.1>',
      `10 1.000100 ${HANDLER} <0.1>`,
      `10 1.000200 ${FORK} = 11 <0.1>`,
      `10 1.000300 ${FORK} = 12 <0.1>`,
      '10 1.000400 wait4(-1,  <unfinished ...>',
      '11 1.000500 exit_group(0) = ?',
      '12 1.000600 exit_group(0) = ?',
      '11 1.000700 +++ exited with 0 +++',
      '10 1.000800 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 11 <0.1>',
      '10 1.000900 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=11, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---',
      '10 1.001000 rt_sigreturn({mask=[]}) = 11 <0.1>',
      '10 1.001100 wait4(-1,  <unfinished ...>',
      '12 1.001200 +++ exited with 0 +++',
      '10 1.001300 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 12 <0.1>',
      '10 1.001400 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=12, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---',
      '10 1.001500 rt_sigreturn({mask=[]}) = 12 <0.1>',
    ];
    const out = replayCapture(parseText(`${lines.join('\n')}\n`, { file: 'fixture' }));
    expect(out.records.filter((r) => r.kind === 'fatal')).toEqual([]);
    expect(signals(out.records)).toEqual([
      { line: 10, siPid: out.pids.emulated(11) },
      { line: 15, siPid: out.pids.emulated(12) },
    ]);
    const sent = out.kernelEvents.filter((e) => e.type === 'signal-sent' && e.info.signo === 17);
    expect(sent.map((e) => e.type === 'signal-sent' && e.queued)).toEqual([true, true]);
    // Both handlers ran in the kernel: each rt_sigreturn restores its wait4's result.
    const returns = out.records.flatMap((r) => (r.kind === 'syscall' && r.event.name === 'rt_sigreturn' ? [[r.handling, r.result]] : []));
    expect(returns).toEqual([
      ['checked', expect.objectContaining({ kind: 'done', value: BigInt(out.pids.emulated(11) ?? -1) })],
      ['checked', expect.objectContaining({ kind: 'done', value: BigInt(out.pids.emulated(12) ?? -1) })],
    ]);
  });
});
