// The first pass's signal lines (signal-lines.ts) and the guest's use of them: when the kernel
// would merge a standard signal into one still pending for a task stopped after a return (A8,
// legacy_queue), a `--- SIG ---` line of its own for the new sending shows the task took the
// pending one first (the kernel's signalTakenBefore); without one it was merged.
import { describe, expect, it } from 'vitest';
import { parseText } from '@forkscope/tracer';
import type { SignalEvent } from '@forkscope/tracer';
import { SIGNALS } from '@forkscope/kernel';
import { ReplayScan, replayCapture } from '../src/replay/replay-capture.js';
import type { ReplayRecord } from '../src/replay/records.js';
import { SignalLinesScan, sendingOf } from '../src/replay/signal-lines.js';

const FORK = 'clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0000000a10)';
const HANDLER = 'rt_sigaction(SIGCHLD, {sa_handler=0x5630b479fdc0, sa_mask=~[RTMIN RT_1], sa_flags=SA_RESTORER, sa_restorer=0x7fb6342a6050}, NULL, 8) = 0';
const USR1_HANDLER = 'rt_sigaction(SIGUSR1, {sa_handler=0x5630b479fdc0, sa_mask=[], sa_flags=SA_RESTORER, sa_restorer=0x7fb6342a6050}, NULL, 8) = 0';

function chld(pid: number, status = '0', code = 'CLD_EXITED'): string {
  return `--- SIGCHLD {si_signo=SIGCHLD, si_code=${code}, si_pid=${pid}, si_uid=0, si_status=${status}, si_utime=0, si_stime=0} ---`;
}

function signalEvents(text: string): SignalEvent[] {
  return parseText(text, { file: 'fixture' }).flatMap((e) => (e.kind === 'signal' ? [e] : []));
}

function replay(lines: readonly string[]) {
  return replayCapture(parseText(`${lines.join('\n')}\n`, { file: 'fixture' }));
}

/** Each signal line's record: its line and the si_pid of the kernel's sending it was matched to (recorded pid). */
function signals(out: ReturnType<typeof replay>) {
  return out.records.flatMap((r: ReplayRecord) =>
    r.kind === 'signal' ? [{ line: r.event.span.line, siPid: r.kernel === null ? null : (out.pids.recorded(r.kernel.pid) ?? r.kernel.pid) }] : [],
  );
}

function sent(out: ReturnType<typeof replay>, signo: number) {
  return out.kernelEvents.flatMap((e) => (e.type === 'signal-sent' && e.info.signo === signo ? [{ siPid: out.pids.recorded(e.info.pid) ?? e.info.pid, queued: e.queued }] : []));
}

/** The rt_sigreturn calls: how each was handled, the pid the kernel's gave back (as recorded) and the recorded one. */
function sigreturns(out: ReturnType<typeof replay>) {
  return out.records.flatMap((r) =>
    r.kind === 'syscall' && r.event.name === 'rt_sigreturn'
      ? [
          {
            handling: r.handling,
            kernel: r.result?.kind === 'done' ? out.pids.recorded(Number(r.result.value)) : r.result?.kind,
            recorded: r.event.outcome.kind === 'value' ? Number(r.event.outcome.value) : null,
          },
        ]
      : [],
  );
}

describe('signal lines: the sending each line shows', () => {
  it('reads receiver, signal, si_code, si_pid and si_status (a killed child\'s by its signal name)', () => {
    const text = [
      `10 ${chld(11)}`,
      `10 ${chld(12, 'SIGTERM', 'CLD_KILLED')}`,
      '10 --- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=13, si_uid=0} ---',
      '10 --- SIGALRM {si_signo=SIGALRM, si_code=SI_KERNEL} ---',
    ].join('\n');
    expect(signalEvents(`${text}\n`).map(sendingOf)).toEqual([
      { receiver: 10, signo: SIGNALS.SIGCHLD, code: 1, pid: 11, status: 0 },
      { receiver: 10, signo: SIGNALS.SIGCHLD, code: 2, pid: 12, status: SIGNALS.SIGTERM },
      { receiver: 10, signo: SIGNALS.SIGUSR1, code: 0, pid: 13, status: 0 },
      { receiver: 10, signo: SIGNALS.SIGALRM, code: 0x80, pid: 0, status: 0 },
    ]);
  });

  it('a line that does not say enough to match a sending (a si_code the kernel never makes, no siginfo) is none', () => {
    const text = ['10 --- SIGALRM {si_signo=SIGALRM, si_code=SI_TIMER, si_timerid=0, si_overrun=0, si_int=0, si_ptr=NULL} ---', '10 --- SIGCHLD ---'].join('\n');
    expect(signalEvents(`${text}\n`).map(sendingOf)).toEqual([null, null]);
  });

  it('counts lines as a multiset; a replay\'s cursor consumes its own copy', () => {
    const events = signalEvents(`10 ${chld(11)}\n10 ${chld(11)}\n10 ${chld(12)}\n`);
    const scan = new SignalLinesScan();
    for (const e of events) scan.add(e);
    const recorded = scan.finish();
    const key = { receiver: 10, signo: SIGNALS.SIGCHLD, code: 1, pid: 11, status: 0 };
    expect(recorded.count(key)).toBe(2);
    expect(recorded.size).toBe(3);
    const ahead = recorded.ahead();
    ahead.passed(events[0] as SignalEvent);
    expect(ahead.count(key)).toBe(1);
    ahead.passed(events[1] as SignalEvent);
    expect(ahead.count(key)).toBe(0);
    expect(recorded.count(key)).toBe(2);
    expect(recorded.ahead().count(key)).toBe(2);
  });

  it('ReplayScan hands them to the replay as a fact', () => {
    const scan = new ReplayScan();
    for (const e of parseText(`10 execve("/bin/sh", ["sh"], 0x7ffe00000000 /* 1 var */) = 0\n10 ${chld(11)}\n`, { file: 'fixture' })) scan.add(e);
    expect(scan.finish().recordedSignals?.count({ receiver: 10, signo: SIGNALS.SIGCHLD, code: 1, pid: 11, status: 0 })).toBe(1);
  });
});

// dash reaping a two-child pipeline: wait4 returns the older child; the younger one's exit is
// collected before dash's SIG line for the older one's SIGCHLD.
function pipeline(secondLine: boolean): string[] {
  return [
    '10 1.000000 execve("/bin/sh", ["sh"], 0x7ffe00000000 /* 1 var */) = 0 <0.1>',
    `10 1.000100 ${HANDLER} <0.1>`,
    `10 1.000200 ${FORK} = 11 <0.1>`,
    `10 1.000300 ${FORK} = 12 <0.1>`,
    '10 1.000400 wait4(-1,  <unfinished ...>',
    '11 1.000500 exit_group(0) = ?',
    '11 1.000600 +++ exited with 0 +++',
    '10 1.000700 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 11 <0.1>',
    '12 1.000800 exit_group(0) = ?',
    '12 1.000900 +++ exited with 0 +++',
    `10 1.001000 ${chld(11)}`,
    '10 1.001100 rt_sigreturn({mask=[]}) = 11 <0.1>',
    ...(secondLine ? [`10 1.001200 ${chld(12)}`, '10 1.001300 rt_sigreturn({mask=[]}) = 11 <0.1>'] : []),
    '10 1.001400 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 12 <0.1>',
  ];
}

describe('replay: a standard signal merged or not, as the signal lines say (A8)', () => {
  it('the second SIGCHLD has its own line: dash took the first before it was sent, so it was queued and matches that line', () => {
    const out = replay(pipeline(true));
    expect(out.records.filter((r) => r.kind === 'fatal')).toEqual([]);
    expect(sent(out, SIGNALS.SIGCHLD)).toEqual([
      { siPid: 11, queued: true },
      { siPid: 12, queued: true },
    ]);
    expect(signals(out)).toEqual([
      { line: 11, siPid: 11 },
      { line: 13, siPid: 12 },
    ]);
    // Both handler frames saved what the recording shows rt_sigreturn giving back: wait4's 11.
    expect(sigreturns(out)).toEqual([
      { handling: 'checked', kernel: 11, recorded: 11 },
      { handling: 'checked', kernel: 11, recorded: 11 },
    ]);
  });

  it('no line of its own: the second SIGCHLD was merged into the pending one (the sibling capture\'s case)', () => {
    const out = replay(pipeline(false));
    expect(out.records.filter((r) => r.kind === 'fatal')).toEqual([]);
    expect(sent(out, SIGNALS.SIGCHLD)).toEqual([
      { siPid: 11, queued: true },
      { siPid: 12, queued: false },
    ]);
    expect(signals(out)).toEqual([{ line: 11, siPid: 11 }]);
  });

  // The same sender signals twice with the same siginfo: the line for the first sending (queued,
  // not printed yet) does not count as the second one's.
  function twice(lines: number): string[] {
    const usr1 = '--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=11, si_uid=0} ---';
    return [
      '10 1.000000 execve("/bin/sh", ["sh"], 0x7ffe00000000 /* 1 var */) = 0 <0.1>',
      `10 1.000100 ${USR1_HANDLER} <0.1>`,
      `10 1.000200 ${FORK} = 11 <0.1>`,
      '10 1.000300 getpid() = 10 <0.1>',
      '11 1.000400 kill(10, SIGUSR1) = 0 <0.1>',
      '11 1.000500 kill(10, SIGUSR1) = 0 <0.1>',
      ...Array.from({ length: lines }, (_, i) => [`10 1.00060${i} ${usr1}`, `10 1.00070${i} rt_sigreturn({mask=[]}) = 10 <0.1>`]).flat(),
    ];
  }

  it('one line for two identical sendings: merged (the queued first accounts for the line)', () => {
    const out = replay(twice(1));
    expect(out.records.filter((r) => r.kind === 'fatal')).toEqual([]);
    expect(sent(out, SIGNALS.SIGUSR1).map((s) => s.queued)).toEqual([true, false]);
    expect(signals(out)).toEqual([{ line: 7, siPid: 11 }]);
  });

  it('two lines for two identical sendings: the first was taken before the second was sent', () => {
    const out = replay(twice(2));
    expect(out.records.filter((r) => r.kind === 'fatal')).toEqual([]);
    expect(sent(out, SIGNALS.SIGUSR1).map((s) => s.queued)).toEqual([true, true]);
    expect(signals(out)).toEqual([
      { line: 7, siPid: 11 },
      { line: 9, siPid: 11 },
    ]);
    expect(sigreturns(out)).toEqual([
      { handling: 'checked', kernel: 10, recorded: 10 },
      { handling: 'checked', kernel: 10, recorded: 10 },
    ]);
  });
});
