import { describe, expect, it } from 'vitest';
import { decodeCString, joinCalls, scanCapture, scanStraceLine, splitTopLevel, StraceScanError } from '../src/index.js';

describe('scanStraceLine', () => {
  it('reads a complete call with -ttt and -T', () => {
    const l = scanStraceLine('4082  1795723987.963813 execve("/bin/true", ["true"], 0x7ffd /* 3 vars */) = 0 <0.000806>', 1);
    expect(l).toEqual({ kind: 'call', pid: 4082, name: 'execve', args: '"/bin/true", ["true"], 0x7ffd /* 3 vars */', retval: '0' });
  });

  it('does not end a call at a ")" or " = " inside a string', () => {
    const l = scanStraceLine('7 1.5 write(1, "a) = 3 (\\"x\\")\\n", 14) = 14 <0.000010>', 3);
    expect(l).toMatchObject({ kind: 'call', name: 'write', args: '1, "a) = 3 (\\"x\\")\\n", 14', retval: '14' });
  });

  it('keeps the error return, not the errno text', () => {
    const l = scanStraceLine('9 1.0 execve("/x", ["x"], 0x1 /* 0 vars */) = -1 ENOENT (No such file or directory) <0.1>', 1);
    expect(l).toMatchObject({ kind: 'call', retval: '-1' });
  });

  it('reads wait4 status expressions that contain ")" and "=="', () => {
    const l = scanStraceLine('5 2.0 wait4(6, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], 0, NULL) = 6 <0.0001>', 1);
    expect(l).toMatchObject({ kind: 'call', name: 'wait4', retval: '6' });
  });

  it('classifies unfinished, resumed, signal and exit lines', () => {
    expect(scanStraceLine('10 1.0 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD}, 88 <unfinished ...>', 1)).toEqual({
      kind: 'unfinished',
      pid: 10,
      name: 'clone3',
      args: '{flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD}, 88',
    });
    expect(scanStraceLine('10 1.1 <... clone3 resumed>) = 11 <0.0007>', 2)).toEqual({ kind: 'resumed', pid: 10, name: 'clone3', tail: ') = 11 <0.0007>' });
    expect(scanStraceLine('10 1.2 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---', 3)).toMatchObject({ kind: 'signal', pid: 10 });
    expect(scanStraceLine('11 1.3 +++ exited with 127 +++', 4)).toEqual({ kind: 'exited', pid: 11, code: 127 });
    expect(scanStraceLine('12 1.4 +++ killed by SIGSEGV (core dumped) +++', 5)).toEqual({ kind: 'killed', pid: 12, signal: 'SIGSEGV', coreDumped: true });
    expect(scanStraceLine('13 1.5 +++ superseded by execve in pid 14 +++', 6)).toEqual({ kind: 'superseded', pid: 13, byPid: 14 });
  });

  it('names the line of a line it cannot read', () => {
    expect(() => scanStraceLine('strace: Process 7 attached', 12)).toThrow(StraceScanError);
    expect(() => scanStraceLine('strace: Process 7 attached', 12)).toThrow(/line 12/);
    expect(() => scanStraceLine('7 1.0 read(3, "abc", 3', 4)).toThrow(/line 4: call "read" neither closes nor is unfinished/);
    expect(() => scanStraceLine('7 read(3) = 0', 5)).toThrow(/timestamp/);
  });
});

describe('joinCalls', () => {
  it('joins unfinished and resumed halves per pid, in start order', () => {
    const text = [
      '1 1.0 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f, stack_size=0x9000}, 88 <unfinished ...>',
      '2 1.1 execve("/bin/true", ["true"], 0x1 /* 3 vars */ <unfinished ...>',
      '1 1.2 <... clone3 resumed>) = 2 <0.0006>',
      '2 1.3 <... execve resumed>) = 0 <0.0007>',
      '1 1.4 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD <unfinished ...>',
      '1 1.5 <... clone resumed>, child_tidptr=0x7f) = 3',
      '',
    ].join('\n');
    const calls = joinCalls(scanCapture(text));
    expect(calls.map((c) => [c.pid, c.name, c.retval, c.line])).toEqual([
      [1, 'clone3', '2', 1],
      [2, 'execve', '0', 2],
      [1, 'clone', '3', 5],
    ]);
    expect(calls[2]?.args).toBe('child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD , child_tidptr=0x7f');
  });

  it('treats "resumed> <unfinished ...>) = ?" as a call that never returned', () => {
    const calls = joinCalls(scanCapture('4 1.0 pause( <unfinished ...>\n4 1.1 <... pause resumed> <unfinished ...>) = ?\n'));
    expect(calls).toEqual([{ pid: 4, name: 'pause', args: '', retval: '?', line: 1 }]);
  });

  it('rejects a resumed line without its unfinished half', () => {
    expect(() => joinCalls(scanCapture('4 1.0 <... wait4 resumed>) = 5\n'))).toThrow(/line 1: "wait4" resumed without an unfinished call/);
  });
});

describe('splitTopLevel and decodeCString', () => {
  it('splits only at top-level commas', () => {
    expect(splitTopLevel('"a,b", [1, 2], {x=1, y=[3, 4]}, f(5, 6)')).toEqual(['"a,b"', '[1, 2]', '{x=1, y=[3, 4]}', 'f(5, 6)']);
    expect(splitTopLevel('')).toEqual([]);
  });

  it('decodes strace escapes and refuses truncated or non-string tokens', () => {
    expect(decodeCString('"/tmp/a b\\"c\\\\d\\n\\t\\0"')).toBe('/tmp/a b"c\\d\n\t\0');
    expect(decodeCString('"\\303\\251"')).toBe('é');
    expect(decodeCString('"abc"...')).toBeUndefined();
    expect(decodeCString('NULL')).toBeUndefined();
  });
});
