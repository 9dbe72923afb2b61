// Hand-written fixture lines, one describe per grammar form of strace-format.md, and the 30
// tricky real lines of its section 8. Values are checked through the public helpers.
import { describe, expect, it } from 'vitest';
import {
  argAt,
  flagNames,
  namedArg,
  parseText,
  signalSetOf,
  valueToBigInt,
  valueToString,
  type SyscallEvent,
  type TraceEvent,
} from '../src/index.js';

function clean(text: string): TraceEvent[] {
  const events = parseText(text);
  const diags = events.filter((e) => e.kind === 'diagnostic');
  expect(diags, JSON.stringify(diags)).toEqual([]);
  return events;
}

function calls(text: string): SyscallEvent[] {
  return clean(text).filter((e): e is SyscallEvent => e.kind === 'syscall');
}

function call(text: string): SyscallEvent {
  const cs = calls(text);
  expect(cs).toHaveLength(1);
  return cs[0] as SyscallEvent;
}

describe('fixture lines: prefixes', () => {
  it('-f -o pid column, padded and unpadded', () => {
    expect(call('4082  close(3)                          = 0').pid).toBe(4082);
    expect(call('123456 close(3) = 0').pid).toBe(123456);
  });
  it('[pid N] prefix (no -o) and no prefix at all', () => {
    expect(call('[pid  7678] close(3) = 0').pid).toBe(7678);
    expect(call('close(3) = 0').pid).toBeNull();
  });
  it('-t, -tt, -ttt and --timestamps=…,ns as nanoseconds', () => {
    const t = call('20:13:08 brk(NULL) = 0x1').prefix.time;
    expect([t?.text, t?.ns]).toEqual(['20:13:08', 72788n * 1_000_000_000n]);
    expect(call('7 20:13:08.000553 brk(NULL) = 0x1').prefix.time?.ns).toBe(72788_000_553_000n);
    expect(call('4154  1795723913.943510 brk(NULL) = 0x1').prefix.time?.ns).toBe(1795723913_943510000n);
    expect(call('1795723913.943510123 brk(NULL) = 0x1').prefix.time?.ns).toBe(1795723913_943510123n);
    expect(call('1795723913 brk(NULL) = 0x1').prefix.time?.ns).toBe(1795723913_000000000n);
  });
  it('-r alone and -t with -r', () => {
    const alone = call('     0.000553 brk(NULL) = 0x1');
    expect(alone.prefix.relative?.trim()).toBe('0.000553');
    expect(alone.prefix.time).toBeUndefined();
    const both = call('7904  20:13:08 (+     0.000553) brk(NULL) = 0x55b1aaa14000');
    expect(both.prefix.relative?.trim()).toBe('0.000553');
    expect(both.prefix.time?.text).toBe('20:13:08');
  });
  it('-T durations, -n syscall numbers, -i instruction pointers, -Y comm, --secontext', () => {
    const e = call('7832<procs> 1795723987.963813 [  61] [00007f84511ebbd3] wait4(-1, NULL, 0, NULL) = 7895<procs> <0.000346>');
    expect(e.pid).toBe(7832);
    expect(e.prefix).toMatchObject({ comm: 'procs', scno: 61, ip: '00007f84511ebbd3' });
    expect(e.duration).toBe('0.000346');
    const s = call('15 [unconfined_u:unconfined_r:unconfined_t:s0] close(3) = 0');
    expect(s.prefix.secontext).toBe('unconfined_u:unconfined_r:unconfined_t:s0');
  });
  it('SGR colour codes are stripped', () => {
    const e = call('\x1b[33mclose\x1b[0m(\x1b[35m3\x1b[0m) = \x1b[32m0\x1b[0m');
    expect(e.name).toBe('close');
    expect(e.argsText).toBe('3');
  });
});

describe('fixture lines: results', () => {
  it('decimal, hex, octal, fd-decorated and errors', () => {
    expect(call('x() = 0x7f70bfd9b000').outcome).toMatchObject({ kind: 'value', value: 0x7f70bfd9b000n });
    expect(call('umask(022) = 077').outcome).toMatchObject({ kind: 'value', value: 0o77n, text: '077' });
    expect(call('openat(AT_FDCWD, "/x", O_RDONLY) = 3</etc/x>').outcome).toMatchObject({ value: 3n, decoration: '/etc/x' });
    expect(call('open("/n", O_RDONLY) = -1 ENOENT (No such file or directory)').outcome).toEqual({
      kind: 'error',
      value: -1n,
      errno: 'ENOENT',
      message: 'No such file or directory',
    });
  });
  it('result extras, injection notes and restarts', () => {
    const p = call('poll([{fd=8, events=POLLIN}], 1, 100) = 1 ([{fd=8, revents=POLLIN}])');
    expect(p.outcome).toMatchObject({ kind: 'value', extra: '[{fd=8, revents=POLLIN}]' });
    expect(call('select(4, [3], NULL, NULL, NULL) = 1 (in [3])').outcome).toMatchObject({ extra: 'in [3]' });
    expect(call('nanosleep({tv_sec=1, tv_nsec=0}, NULL) = 0 (DELAYED)').injection).toBe('DELAYED');
    expect(call('pause() = ? ERESTARTNOHAND (To be restarted if no handler)').outcome).toEqual({
      kind: 'restart',
      errno: 'ERESTARTNOHAND',
      message: 'To be restarted if no handler',
    });
  });
  it('a result beyond 2^53 stays exact', () => {
    expect(call('lseek(3, -16, SEEK_END) = 0xfffffffffffffff0').outcome).toMatchObject({ value: 0xfffffffffffffff0n });
  });
});

describe('fixture lines: resumed forms', () => {
  it('joins unfinished and resumed halves, keeping both line numbers and both timestamps', () => {
    const cs = calls(
      [
        '4082  1795723913.000001 wait4(-1,  <unfinished ...>',
        '4083  1795723913.000002 exit_group(0) = ?',
        '4082  1795723913.000003 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 4083',
      ].join('\n'),
    );
    expect(cs.map((c) => c.name)).toEqual(['exit_group', 'wait4']);
    const w = cs[1] as SyscallEvent;
    expect(w.prefix.time?.text).toBe('1795723913.000001');
    expect(w.endTime?.text).toBe('1795723913.000003');
    expect(w.span).toEqual({ line: 1, endLine: 3 });
    expect(w.splitAt).toBe('-1, '.length);
  });
  it('span covers both halves and argsText joins them', () => {
    const cs = calls('4082  wait4(-1,  <unfinished ...>\n4083  exit_group(0) = ?\n4082  <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 4083');
    const w = cs.find((c) => c.name === 'wait4') as SyscallEvent;
    expect(w.span).toEqual({ line: 1, endLine: 3 });
    expect(w.split).toBe(true);
    expect(w.argsText).toBe('-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL');
    expect(w.args).toHaveLength(4);
  });
  it('pre-5.0 `resumed> ` with a space', () => {
    const e = calls('3619  futex(0x1, FUTEX_WAIT, 0, NULL <unfinished ...>\n3619  <... futex resumed> )             = ? <unavailable>')[0];
    expect(e?.argsText).toBe('0x1, FUTEX_WAIT, 0, NULL');
    expect(e?.outcome).toEqual({ kind: 'unavailable' });
  });
  it('an unfinished call never resumed becomes an event at the end of the input', () => {
    const e = call('7624  waitid(P_PIDFD, 6,  <unfinished ...>');
    expect(e.outcome).toEqual({ kind: 'unfinished', reason: 'end-of-input' });
    expect(e.argsText).toBe('P_PIDFD, 6, ');
  });
  it('a resumed line without its unfinished half yields the call and a diagnostic with its line', () => {
    const events = parseText('1 close(3) = 0\n7624  <... read resumed>"x", 1) = 1');
    expect(events.find((e) => e.kind === 'diagnostic')).toMatchObject({ span: { line: 2 }, pid: 7624 });
    expect(events.find((e) => e.kind === 'syscall' && e.name === 'read')).toMatchObject({ argsText: '"x", 1' });
  });
  it('-k frames and -e write= dumps attach to the call above them', () => {
    const e = call(
      [
        '20417 write(1, "hello world, thi", 16) = 16',
        ' | 00000  68 65 6c 6c 6f 20 77 6f  72 6c 64 2c 20 74 68 69  hello world, thi |',
        ' > /usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x10) [0xf8350]',
      ].join('\n'),
    );
    expect(e.dump).toHaveLength(1);
    expect(e.stack).toEqual(['/usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x10) [0xf8350]']);
  });
  it('-k frames printed after the exit line still belong to exit_group', () => {
    const events = clean('20417 exit_group(0) = ?\n20417 +++ exited with 0 +++\n > /usr/bin/true(+0x0) [0x23f1]');
    expect(events.map((e) => e.kind)).toEqual(['syscall', 'exited']);
    expect((events[0] as SyscallEvent).stack).toEqual(['/usr/bin/true(+0x0) [0x23f1]']);
  });
});

describe('fixture lines: non-call lines', () => {
  it('signals with siginfo, stopped, exited, killed with core dump', () => {
    const ev = clean(
      [
        '7624  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=4083, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---',
        '7669  --- stopped by SIGSTOP ---',
        '4083  +++ exited with 42 +++',
        '7668  +++ killed by SIGSEGV (core dumped) +++',
        '7667  +++ killed by SIGKILL +++',
      ].join('\n'),
    );
    expect(ev[0]).toMatchObject({ kind: 'signal', signal: 'SIGCHLD', pid: 7624 });
    const sig = ev[0] as Extract<TraceEvent, { kind: 'signal' }>;
    expect(valueToBigInt(sig.siginfo.find((f) => f.name === 'si_pid')?.value)).toBe(4083n);
    expect(ev[1]).toMatchObject({ kind: 'stopped', signal: 'SIGSTOP' });
    expect(ev[2]).toMatchObject({ kind: 'exited', code: 42 });
    expect(ev[3]).toMatchObject({ kind: 'killed', signal: 'SIGSEGV', coreDumped: true });
    expect(ev[4]).toMatchObject({ kind: 'killed', signal: 'SIGKILL', coreDumped: false });
  });
  it('attached / detached messages and other stderr notes', () => {
    const ev = clean('strace: Process 7724 attached\nstrace: Process 9 attached with 3 threads\nstrace: Process 7724 detached\n[ Process PID=5 runs in 32 bit mode. ]');
    expect(ev.map((e) => e.kind)).toEqual(['attached', 'attached', 'detached', 'message']);
    expect(ev[1]).toMatchObject({ pid: 9, threads: 3 });
  });
  it('-c summary table becomes one summary event', () => {
    const ev = clean(
      [
        '% time     seconds  usecs/call     calls    errors syscall',
        '------ ----------- ----------- --------- --------- ----------------',
        ' 34.75    0.000212         212         1           munmap',
        ' 10.66    0.000065          32         2         1 openat',
        '------ ----------- ----------- --------- --------- ----------------',
        '100.00    0.000610          19        31         2 total',
      ].join('\n'),
    );
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({
      kind: 'summary',
      rows: [
        { syscall: 'munmap', calls: 1, errors: 0, seconds: 0.000212 },
        { syscall: 'openat', calls: 2, errors: 1 },
      ],
      total: { syscall: 'total', calls: 31, percentTime: 100 },
      span: { line: 1, endLine: 6 },
    });
  });
  it('--tips art becomes message events', () => {
    const art = [
      '  ______________________________________________         ____',
      ' /                                              \\       /    \\',
      ' | It is possible to specify -r and -t options  |      |-. .-.|',
      ' \\______________________________________________/        |   [',
      '                                                         [  ]',
      'close(1) = 0',
    ];
    const ev = clean(art.join('\n'));
    expect(ev.map((e) => e.kind)).toEqual(['message', 'message', 'message', 'message', 'message', 'syscall']);
  });
  it('no line is dropped: garbage yields a diagnostic with its line number', () => {
    const ev = parseText('close(3) = 0\nthis is not strace\n@@@\nclose(4) = 0');
    const d = ev.filter((e) => e.kind === 'diagnostic');
    expect(d.map((e) => e.span.line)).toEqual([2, 3]);
    expect(d[0]).toMatchObject({ text: 'this is not strace' });
  });
});

describe('fixture lines: values', () => {
  it('strings with every escape, truncation and -x/-xx', () => {
    const e = call('write(3, "quote\\" back\\\\slash tab\\t nl\\n cr\\r bell\\7 nul\\0 8\\09 hi\\377\\200 end\\0", 55) = 55');
    const bytes = (argAt(e, 1) as { bytes: Uint8Array }).bytes;
    expect(Buffer.from(bytes).toString('latin1')).toBe('quote" back\\slash tab\t nl\n cr\r bell\x07 nul\x00 8\x009 hi\xff\x80 end\x00');
    const t = call('read(3, "01234567890123456789012345678901"..., 40) = 40');
    expect(argAt(t, 1)).toMatchObject({ kind: 'string', truncated: true });
    expect(valueToString(argAt(call('write(1, "\\x68\\x69\\x0a", 3) = 3'), 1))).toBe('hi\n');
  });
  it('flags, -X verbose comments inside flags, named arguments', () => {
    const e = call('clone(child_stack=NULL, flags=0x1200000 /* CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID */|17 /* SIGCHLD */, child_tidptr=0x7fc149744a10) = 15970');
    expect(flagNames(namedArg(e, 'flags'))).toEqual(['CLONE_CHILD_CLEARTID', 'CLONE_CHILD_SETTID', 'SIGCHLD']);
    expect(namedArg(e, 'child_stack')).toEqual({ kind: 'null' });
    const o = call('openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3');
    expect(flagNames(argAt(o, 2))).toEqual(['O_RDONLY', 'O_CLOEXEC']);
  });
  it('bitsets and their complements', () => {
    const e = call('rt_sigprocmask(SIG_SETMASK, [], ~[KILL STOP RTMIN RT_1], 8) = 0');
    expect(signalSetOf(argAt(e, 1))).toEqual({ negated: false, signals: [] });
    expect(signalSetOf(argAt(e, 2))).toEqual({ negated: true, signals: ['SIGKILL', 'SIGSTOP', 'SIGRTMIN', 'SIGRT_1'] });
    expect(signalSetOf(argAt(call('rt_sigprocmask(SIG_BLOCK, [CHLD], [], 8) = 0'), 1))).toEqual({ negated: false, signals: ['SIGCHLD'] });
  });
  it('indexed array elements and 64-bit integers', () => {
    const e = call('prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=18446744073709551615 /* RLIM64_INFINITY */}) = 0');
    const st = argAt(e, 3);
    expect(st?.kind).toBe('struct');
    const max = st?.kind === 'struct' ? st.fields[1]?.value : undefined;
    expect(valueToBigInt(max)).toBe(18446744073709551615n);
    const ix = call('sched_getaffinity(0, 8, [0 1]) = 8');
    expect(argAt(ix, 2)).toEqual({ kind: 'bitset', items: ['0', '1'], negated: false });
    const arr = call('ppoll([{fd=3, events=POLLIN}], 1, NULL, [[1]=SIGINT], 8) = 1');
    expect(argAt(arr, 3)).toMatchObject({ kind: 'array', items: [{ kind: 'indexed', index: { kind: 'int', text: '1' } }] });
  });
  it('fd decorations: nested, escaped, (deleted), socket', () => {
    const d = call('dup2(3<pipe:[7478]>, 0</dev/null<char 1:3>>) = 0</dev/null<char 1:3>>');
    expect(argAt(d, 1)).toEqual({ kind: 'decorated', value: { kind: 'int', text: '0', value: 0n }, decoration: '/dev/null<char 1:3>', deleted: false });
    const s = call('accept4(6<UNIX-STREAM:[12387,@"strace-abstract"]>, {sa_family=AF_UNIX}, [110 => 2], SOCK_CLOEXEC) = 8<UNIX-STREAM:[12389->12388,@"strace-abstract"]>');
    expect(valueToBigInt(argAt(s, 0))).toBe(6n);
    expect(argAt(s, 2)).toMatchObject({ kind: 'array', items: [{ kind: 'inout' }] });
    expect(s.outcome).toMatchObject({ decoration: 'UNIX-STREAM:[12389->12388,@"strace-abstract"]' });
  });
  it('-X raw forms and unknown values never throw', () => {
    const e = call('statx(-100, "/nonexistent", |0x800, 0x2, 0x7ffcadf2bf30) = -1 ENOENT (No such file or directory)');
    expect(argAt(e, 2)).toMatchObject({ kind: 'flags' });
    const weird = call('ioctl(1, TCGETS, {c_iflag=?!?}) = 0');
    expect(argAt(weird, 2)).toMatchObject({ kind: 'raw', text: '{c_iflag=?!?}' });
  });
});

// strace-format.md section 8, in order.
describe('fixture lines: tricky cases of strace-format.md section 8', () => {
  it('1. unfinished after an argument separator (two spaces)', () => {
    const e = call('7624  clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=20000000},  <unfinished ...>\n7624  <... clock_nanosleep resumed>NULL) = 0');
    expect(e.argsText).toBe('CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=20000000}, NULL');
    expect(e.args).toHaveLength(4);
  });
  it('2. resume starting with a comma', () => {
    const e = call('7624  clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>\n7624  <... clone resumed>, child_tidptr=0x7fcd45f78a10) = 7669');
    expect(e.args.map((a) => a.name)).toEqual(['child_stack', 'flags', 'child_tidptr']);
    expect(e.outcome).toMatchObject({ value: 7669n });
  });
  it('3. resume starting with an out-value', () => {
    const e = call('7673  clone3({flags=CLONE_VM, exit_signal=0, stack=0x7f0, stack_size=0x7fff80} <unfinished ...>\n7673  <... clone3 resumed> => {parent_tid=[7674]}, 88) = 7674');
    expect(argAt(e, 0)).toMatchObject({ kind: 'inout', before: { kind: 'struct' }, after: { kind: 'struct' } });
  });
  it('4. resumed-then-unfinished on one line', () => {
    const e = call('7673  nanosleep({tv_sec=9, tv_nsec=0},  <unfinished ...>\n7673  <... nanosleep resumed> <unfinished ...>) = ?');
    expect(e).toMatchObject({ outcome: { kind: 'unknown' }, vanished: true, split: true, span: { line: 1, endLine: 2 } });
  });
  it('5. exec from a non-leader thread: the leader resumes the thread\'s execve', () => {
    const ev = clean(
      [
        '7673  pause( <unfinished ...>',
        '7674  execve("/bin/true", ["/bin/true"], 0x7fff36f6a8a0 /* 35 vars */ <unfinished ...>',
        '7673  <... pause resumed>)              = ?',
        '7673  +++ superseded by execve in pid 7674 +++',
        '7673  <... execve resumed>)             = 0',
      ].join('\n'),
    );
    expect(ev.map((e) => e.kind)).toEqual(['syscall', 'superseded', 'syscall']);
    expect(ev[1]).toMatchObject({ pid: 7673, byPid: 7674 });
    expect(ev[2]).toMatchObject({ name: 'execve', pid: 7674, pidChangedTo: 7673, span: { line: 2, endLine: 5 }, outcome: { kind: 'value' } });
  });
  it('6. -ff: <pid changed to N ...>', () => {
    const e = call('execve("/bin/true", ["/bin/true"], 0x7ffdffd5c5a0 /* 35 vars */ <pid changed to 7755 ...>');
    expect(e).toMatchObject({ pidChangedTo: 7755, outcome: { kind: 'unfinished', reason: 'pid-changed' } });
  });
  it('7. stderr message spliced into an open line, completed on the next physical line', () => {
    const ev = clean('clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLDstrace: Process 7733 attached\n, child_tidptr=0x7f0d78311a10) = 7733');
    expect(ev.map((e) => e.kind)).toEqual(['attached', 'syscall']);
    expect(ev[1]).toMatchObject({ span: { line: 1, endLine: 2 }, outcome: { value: 7733n } });
    const u = clean('clone(child_stack=NULL, flags=SIGCHLDstrace: Process 7724 attached\n <unfinished ...>\n[pid  7678] <... clone resumed>, child_tidptr=0x7f) = 7724');
    expect(u[1]).toMatchObject({ kind: 'syscall', pid: 7678, argsText: 'child_stack=NULL, flags=SIGCHLD, child_tidptr=0x7f', span: { line: 1, endLine: 3 } });
  });
  it('7b. several stderr messages before the cut line goes on', () => {
    const ev = clean('wait4(-1, strace: Process 2074 attached\nstrace: Process 2075 attached\n <unfinished ...>\n[pid  2073] <... wait4 resumed>NULL, 0, NULL) = 2074');
    expect(ev.map((e) => e.kind)).toEqual(['attached', 'attached', 'syscall']);
    expect(ev[2]).toMatchObject({ pid: 2073, argsText: '-1, NULL, 0, NULL', span: { line: 1, endLine: 4 } });
  });
  it('8. the [pid N] prefix disappears when one tracee is left', () => {
    const e = call('[pid  7678] wait4(-1,  <unfinished ...>\n<... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 7724');
    expect(e.pid).toBe(7678);
  });
  it('9. -Y/-n/-i prefix stack on a resumed line', () => {
    const e = call(
      '7832<procs> 1795723987.960000 [  61] [00007f84511ebbd3] wait4(-1,  <unfinished ...>\n7832<procs> 1795723987.963813 [  61] [00007f84511ebbd3] <... wait4 resumed>[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}], WSTOPPED, NULL) = 7895<procs> <0.000346>',
    );
    expect(e.endTime?.text).toBe('1795723987.963813');
    expect(e.duration).toBe('0.000346');
  });
  it('10. unavailable fields', () => {
    const [k] = clean('7893<procs> 1795723987.961032 [  34] [????????????????] +++ killed by SIGKILL +++');
    expect(k).toMatchObject({ kind: 'killed', prefix: { ip: null, scno: 34 } });
  });
  it('11. -t with -r', () => {
    expect(call('7904  20:13:08 (+     0.000553) brk(NULL) = 0x55b1aaa14000').prefix.relative).toBe('     0.000553');
  });
  it('12. `)` and `==` inside arguments', () => {
    const e = call('7624  wait4(-1,  <unfinished ...>\n7624  <... wait4 resumed>[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}], 0, NULL) = 7668');
    expect(argAt(e, 1)).toMatchObject({ kind: 'array', items: [{ kind: 'struct', fields: [{ value: { kind: 'expr', op: '&&' } }] }] });
    expect(e.outcome).toMatchObject({ value: 7668n });
  });
  it('13. in/out values', () => {
    const e = call('accept4(6, {sa_family=AF_UNIX}, [110 => 2], SOCK_CLOEXEC) = 8');
    expect(valueToBigInt(argAt(e, 2))).toBe(2n);
  });
  it('14. nested decorations', () => {
    const e = call('4156  dup2(3<pipe:[7478]>, 0</dev/null<char 1:3>> <unfinished ...>\n4156  <... dup2 resumed>) = 0</dev/null<char 1:3>>');
    expect(e.argsText).toBe('3<pipe:[7478]>, 0</dev/null<char 1:3>>');
  });
  it('15. escaped fd path with (deleted)', () => {
    const e = call('write(4<a\\74b\\76c \\"q\\".txt>(deleted), "y", 1) = 1 <0.000055>');
    expect(argAt(e, 0)).toMatchObject({ kind: 'decorated', deleted: true, decoration: 'a\\74b\\76c \\"q\\".txt' });
    expect(valueToString(argAt(e, 1))).toBe('y');
  });
  it('16. socket decorations', () => {
    expect(valueToBigInt(argAt(call('listen(6<TCPv6:[[::1]:42485]>, 128) = 0'), 0))).toBe(6n);
  });
  it('17. decorated return with -T', () => {
    const e = call('openat(AT_FDCWD</tmp/stracefmt-cases>, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache> <0.000013>');
    expect(e.outcome).toMatchObject({ value: 3n, decoration: '/etc/ld.so.cache' });
    expect(e.duration).toBe('0.000013');
    expect(argAt(e, 0)).toMatchObject({ kind: 'decorated', value: { kind: 'ident', name: 'AT_FDCWD' } });
  });
  it('18. result extras and injection', () => {
    expect(call('fcntl(4, F_GETFL) = 0x8002 (flags O_RDWR|O_LARGEFILE)').outcome).toMatchObject({ extra: 'flags O_RDWR|O_LARGEFILE' });
    expect(call('umask(022) = 077 (INJECTED)').injection).toBe('INJECTED');
    const g = call('geteuid() = -1 (errno 4000) (INJECTED)');
    expect(g.outcome).toMatchObject({ kind: 'error', errno: 'errno 4000' });
    expect(g.injection).toBe('INJECTED');
  });
  it('19. pseudo-returns', () => {
    expect(call('read(4, 0x7ffcaa36f8c8, 8) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)').outcome.kind).toBe('restart');
    expect(call('3619  futex(0x1, FUTEX_WAIT, 0, NULL) = ? <unavailable>').outcome.kind).toBe('unavailable');
  });
  it('20. restart_syscall', () => {
    const e = call('17003 restart_syscall(<... resuming interrupted clock_nanosleep ...>) = 0');
    expect(e.name).toBe('restart_syscall');
    expect(e.outcome).toMatchObject({ value: 0n });
  });
  it('21. -X verbose comment inside a flag OR', () => {
    const e = call('clone(child_stack=NULL, flags=0x1200000 /* CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID */|17 /* SIGCHLD */, child_tidptr=0x7fc149744a10) = 15970');
    expect(namedArg(e, 'flags')).toMatchObject({ kind: 'flags', items: [{ kind: 'commented' }, { kind: 'commented', comment: 'SIGCHLD' }] });
  });
  it('22. comments as values', () => {
    const e = call('execve("/bin/sh", ["sh"], 0x7fff7ee987b8 /* 35 vars */) = 0');
    expect(argAt(e, 2)).toMatchObject({ kind: 'commented', comment: '35 vars' });
    expect(argAt(call('execve("/bin/sh", ["sh"], [/* 25 vars */]) = 0'), 2)).toMatchObject({ kind: 'array', items: [{ kind: 'commented', value: { kind: 'null' } }] });
  });
  it('23. string escapes and truncation', () => {
    const e = call('write(3, "a\\0009", 3) = 3');
    expect([...((argAt(e, 1) as { bytes: Uint8Array }).bytes)]).toEqual([0x61, 0, 0x39]);
  });
  it('24. bitsets including -X verbose numbers', () => {
    const e = call('rt_sigprocmask(0 /* SIG_BLOCK */, [12 /* USR2 */ 15 /* TERM */], [], 8) = 0');
    expect(signalSetOf(argAt(e, 1))).toEqual({ negated: false, signals: ['SIGUSR2', 'SIGTERM'] });
  });
  it('25. call-like values and arithmetic', () => {
    const e = call('bind(3, {sa_family=AF_INET6, sin6_port=htons(0), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0');
    expect(argAt(e, 1)).toMatchObject({ kind: 'struct', fields: [{}, { value: { kind: 'call', name: 'htons' } }, {}, { name: undefined, value: { kind: 'call', name: 'inet_pton' } }, {}] });
    const r = call('prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0');
    expect(argAt(r, 3)).toMatchObject({ fields: [{ value: { kind: 'expr', op: '*' } }, { value: { kind: 'ident' } }] });
  });
  it('26. interleaved -k and hex dump lines', () => {
    const e = call('1 write(1, "hi", 2) = 2\n > /usr/lib/x86_64-linux-gnu/libc.so.6(__write+0x10) [0xf8350]\n | 00000  68 69                                            hi               |');
    expect(e.stack).toHaveLength(1);
    expect(e.dump).toHaveLength(1);
  });
  it('27. killed mid-call', () => {
    const ev = clean('7667  pause( <unfinished ...>\n7667  <... pause resumed>)              = ?\n7667  +++ killed by SIGKILL +++');
    expect(ev.map((e) => e.kind)).toEqual(['syscall', 'killed']);
    expect(ev[0]).toMatchObject({ outcome: { kind: 'unknown' }, split: true });
  });
  it('28. detach mid-call', () => {
    const ev = clean('restart_syscall(<... resuming interrupted read ...>strace: Process 17031 detached\n <detached ...>');
    expect(ev.map((e) => e.kind)).toEqual(['detached', 'syscall']);
    expect(ev[1]).toMatchObject({ outcome: { kind: 'unfinished', reason: 'detached' }, span: { line: 1, endLine: 2 } });
  });
  it('29. 64-bit values beyond 2^53', () => {
    const e = call('prlimit64(0, RLIMIT_NOFILE, NULL, {rlim_cur=1024, rlim_max=18446744073709551615}) = 0');
    const s = argAt(e, 3);
    expect(s?.kind === 'struct' ? valueToBigInt(s.fields[1]?.value) : undefined).toBe(2n ** 64n - 1n);
  });
  it('30. unknown syscall', () => {
    const e = call('syscall_0xbad(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)');
    expect(e.name).toBe('syscall_0xbad');
    expect(e.args).toHaveLength(6);
  });
});

describe('fixture lines: Shadow dialect (strace-format.md section 5)', () => {
  it('reads [tid N] lines, errors, native and blocked results', () => {
    const ev = calls(
      [
        '00:00:01.000000000 [tid 1000] openat(-100, "/etc/hosts", 0) = -2 (ENOENT)',
        '00:00:01.000000001 [tid 1000] read(3, <pointer>, 10) = <blocked>',
        '00:00:01.000000002 [tid 1000] getpid() = <native>',
        '00:00:01.000000002 [tid 1000] ^^^ = SyscallReg { as_i64: 1000, as_u64: 1000, as_ptr: 0x3e8 }',
        '00:00:01.000000003 [tid 1000] brk(0x0 <null>) = <native>',
      ].join('\n'),
    );
    expect(ev.map((e) => [e.pid, e.name, e.outcome.kind])).toEqual([
      [1000, 'openat', 'error'],
      [1000, 'read', 'blocked'],
      [1000, 'getpid', 'value'],
      [1000, 'brk', 'native'],
    ]);
    expect(ev[0]?.outcome).toMatchObject({ errno: 'ENOENT', value: -2n });
    expect(ev[2]?.outcome).toMatchObject({ value: 1000n });
    expect(ev[2]?.span).toEqual({ line: 3, endLine: 4 });
    expect(ev[0]?.prefix.time?.ns).toBe(1_000_000_000n);
  });
  it('reads Shadow\'s argument notes: `0x0 <null>`, pointers read from, `<pointer>`, bitflags with spaces', () => {
    const [e] = calls('00:00:01.000000005 [tid 1000] rt_sigaction(17, 0x0 <null>, 5 (0x7ffd1234), <pointer>, O_RDONLY | O_CLOEXEC) = 0');
    expect(argAt(e as SyscallEvent, 1)).toEqual({ kind: 'commented', value: { kind: 'int', text: '0x0', value: 0n }, comment: 'null' });
    expect(argAt(e as SyscallEvent, 2)).toMatchObject({ kind: 'commented', comment: '0x7ffd1234' });
    expect(argAt(e as SyscallEvent, 3)).toEqual({ kind: 'raw', text: '<pointer>' });
    expect(flagNames(argAt(e as SyscallEvent, 4))).toEqual(['O_RDONLY', 'O_CLOEXEC']);
  });
  it('dialect strace rejects Shadow lines and dialect shadow rejects strace lines, with diagnostics', () => {
    const shadowLine = '00:00:01.000000000 [tid 1000] getpid() = 1000';
    expect(parseText(shadowLine, { dialect: 'strace' })[0]?.kind).toBe('diagnostic');
    expect(parseText('1 getpid() = 1', { dialect: 'shadow' })[0]?.kind).toBe('diagnostic');
    expect(parseText(shadowLine, { dialect: 'shadow' })[0]?.kind).toBe('syscall');
  });
});
