// Start-up calls (real corpus lines) to the kernel's typed calls, and what the replay takes
// from the capture as the environment's starting state (uid, gid, resource limits).
import { describe, expect, it } from 'vitest';
import { parseText } from '@forkscope/tracer';
import type { SyscallEvent } from '@forkscope/tracer';
import { convert } from '../src/replay/convert.js';
import { inferStartingState } from '../src/replay/starting-state.js';
import { replayCapture } from '../src/replay/replay-capture.js';

function line(text: string): SyscallEvent {
  const [e] = parseText(`${text}\n`, { file: 'fixture' });
  if (e?.kind !== 'syscall') throw new Error(`not a syscall line: ${text}`);
  return e;
}
const noPids = (): number | undefined => undefined;

describe('convert: start-up calls', () => {
  it('set_robust_list, rseq and arch_prctl(ARCH_SET_FS) are checked with their arguments', () => {
    expect(convert(line('16206 1795726203.717310 set_robust_list(0x7f0f12006a20, 24) = 0 <0.000020>'), noPids)).toEqual({
      kind: 'checked',
      call: { name: 'set_robust_list', head: 0x7f0f12006a20n, len: 24n },
    });
    expect(convert(line('1 1.0 rseq(0x7f0f120070e0, 0x20, 0, 0x53053053) = 0 <0.1>'), noPids)).toEqual({
      kind: 'checked',
      call: { name: 'rseq', rseq: 0x7f0f120070e0n, rseq_len: 32, flags: 0, sig: 0x53053053 },
    });
    expect(convert(line('1 1.0 arch_prctl(ARCH_SET_FS, 0x7f0f12006740) = 0 <0.1>'), noPids)).toEqual({
      kind: 'checked',
      call: { name: 'arch_prctl', code: 0x1002, addr: 0x7f0f12006740n },
    });
  });

  it("prlimit64: strace's 8192*1024 and RLIM64_INFINITY decoded; a decoded old limit gets a non-NULL address", () => {
    const c = convert(line('16206 1795726203.718046 prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0 <0.000023>'), noPids);
    expect(c).toMatchObject({ kind: 'checked', call: { name: 'prlimit64', pid: 0, resource: 3, new_limit: 0n } });
    expect(c.kind === 'checked' && c.call.name === 'prlimit64' && c.call.old_limit !== 0n).toBe(true);
    const set = convert(line('1 1.0 prlimit64(0, RLIMIT_NOFILE, {rlim_cur=1024, rlim_max=4096}, NULL) = 0 <0.1>'), noPids);
    expect(set).toEqual({ kind: 'checked', call: { name: 'prlimit64', pid: 0, resource: 7, new_limit: { cur: 1024n, max: 4096n }, old_limit: 0n } });
  });

  it('getrandom: the count and flags are checked, the bytes are not; FUTEX_WAKE is checked, FUTEX_WAIT adopted', () => {
    expect(convert(line('1 1.0 getrandom("\\xfd\\xdc\\xe7\\x5a\\xa5\\xa0\\xc3\\xd6", 8, GRND_NONBLOCK) = 8 <0.1>'), noPids)).toMatchObject({
      kind: 'checked',
      call: { name: 'getrandom', buflen: 8n, flags: 1 },
    });
    expect(convert(line('1 1.0 futex(0x558a9862f204, FUTEX_WAKE_PRIVATE, 2147483647) = 1 <0.1>'), noPids)).toEqual({
      kind: 'checked',
      call: { name: 'futex', uaddr: 0x558a9862f204n, op: 129, val: 2147483647, timeout: 0n },
    });
    expect(convert(line('1 1.0 futex(0x7fc8b7a70990, FUTEX_WAIT_PRIVATE, 0, NULL) = 0 <0.1>'), noPids)).toMatchObject({ kind: 'adopted' });
  });
});

describe('starting state from the capture', () => {
  const capture = [
    '10 1.0 execve("/bin/sh", ["sh"], 0x7ffd802108a8 /* 3 vars */) = 0 <0.1>',
    '10 1.1 getgid() = 50 <0.1>',
    '10 1.2 getegid() = 50 <0.1>',
    '10 1.3 geteuid() = 1000 <0.1>',
    '10 1.4 prlimit64(0, RLIMIT_NOFILE, NULL, {rlim_cur=20000, rlim_max=20000}) = 0 <0.1>',
    '10 1.5 prlimit64(0, RLIMIT_NOFILE, NULL, {rlim_cur=20000, rlim_max=20000}) = 0 <0.1>',
    '10 1.6 prlimit64(0, RLIMIT_CORE, {rlim_cur=0, rlim_max=0}, NULL) = 0 <0.1>',
    '10 1.7 prlimit64(0, RLIMIT_CORE, NULL, {rlim_cur=0, rlim_max=0}) = 0 <0.1>',
    '10 1.8 exit_group(0) = ?',
    '10 1.9 +++ exited with 0 +++',
  ].join('\n');
  const events = parseText(capture, { file: 'start.strace' });

  it('the first reading of each is the input; a resource set before it is read has no seed', () => {
    const s = inferStartingState(events);
    expect(s).toMatchObject({ uid: 1000, gid: 50, rlimits: { 7: { cur: 20000n, max: 20000n } } });
    expect(s.rlimits[4]).toBeUndefined();
    const lines = [...s.inputs.keys()].sort((a, b) => a - b);
    // getgid (2), geteuid (4), the first NOFILE reading (5), the CORE reading with no seed (8).
    expect(lines).toEqual([2, 4, 5, 8]);
  });

  it('replayed: later readings are checked against the seeded kernel', () => {
    const { records } = replayCapture(events);
    const byLine = new Map(records.flatMap((r) => (r.kind === 'syscall' ? [[r.event.span.line, r] as const] : [])));
    expect(byLine.get(3)).toMatchObject({ handling: 'checked', result: { kind: 'done', value: 50n } });
    expect(byLine.get(5)).toMatchObject({ handling: 'run-adopted' });
    expect(byLine.get(6)).toMatchObject({ handling: 'checked', result: { kind: 'done', value: 0n, out: { rlimit: { cur: 20000n, max: 20000n } } } });
    expect(byLine.get(7)).toMatchObject({ handling: 'checked', result: { kind: 'done', value: 0n } });
  });
});

describe('starting state: the directory the capture started in', () => {
  const cwdOf = (lines: readonly string[], known: { cwd?: string } = {}) => {
    const s = inferStartingState(parseText(`${lines.join('\n')}\n`, { file: 'cwd.strace' }), known);
    return { cwd: s.cwd, inputs: [...s.inputs.keys()] };
  };
  const FORK = 'clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0000000a10)';

  it("the root's first getcwd shows it (python's getcwd(\"/work/main\", 1024) = 11): only that first reading is the input", () => {
    expect(cwdOf(['7 1.0 getcwd("/work/main", 1024) = 11 <0.1>', '7 1.1 getcwd("/work/main", 1024) = 11 <0.1>'])).toEqual({
      cwd: '/work/main',
      inputs: [1],
    });
  });

  it("a sibling's chdir does not hide it; a child of known descent that has not moved shows it", () => {
    expect(
      cwdOf([
        `7 1.0 ${FORK} = 8 <0.1>`,
        '8 1.1 chdir("/tmp") = 0 <0.1>',
        `7 1.2 ${FORK} = 9 <0.1>`,
        '9 1.3 getcwd("/srv", 1024) = 5 <0.1>',
      ]),
    ).toEqual({ cwd: '/srv', inputs: [4] });
  });

  it('a chdir on the way, a CLONE_FS sharer moving, or a process of unknown descent tell nothing', () => {
    expect(cwdOf(['7 1.0 chdir("/tmp") = 0 <0.1>', '7 1.1 getcwd("/tmp", 1024) = 5 <0.1>']).cwd).toBeUndefined();
    expect(cwdOf([`7 1.0 ${FORK} = 8 <0.1>`, '8 1.1 fchdir(3) = 0 <0.1>', '8 1.2 getcwd("/x", 1024) = 3 <0.1>']).cwd).toBeUndefined();
    expect(
      cwdOf([
        '7 1.0 clone(child_stack=0x7f0000001000, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM) = 8 <0.1>',
        '8 1.1 chdir("/tmp") = 0 <0.1>',
        '7 1.2 getcwd("/tmp", 1024) = 5 <0.1>',
      ]).cwd,
    ).toBeUndefined();
    expect(cwdOf(['7 1.0 getpid() = 7 <0.1>', '12 1.1 getcwd("/y", 1024) = 3 <0.1>']).cwd).toBeUndefined();
    // A failed chdir changed nothing.
    expect(cwdOf(['7 1.0 chdir("/nope") = -1 ENOENT (No such file or directory) <0.1>', '7 1.1 getcwd("/a", 1024) = 3 <0.1>']).cwd).toBe('/a');
  });

  it('a directory the caller already knows (case.json cwd) is not read from the capture', () => {
    expect(cwdOf(['7 1.0 getcwd("/work/main", 1024) = 11 <0.1>'], { cwd: '/work/main' })).toEqual({ cwd: undefined, inputs: [] });
  });
});

describe('starting state: the directory, in a capture of several runs one after another', () => {
  it('a later root (no clone creates it, it starts with an execve) shows the starting directory too', () => {
    const lines = [
      '7 1.0 execve("/bin/sh", ["sh"], 0x7ffe00000000 /* 1 var */) = 0 <0.1>',
      '7 1.1 chdir("/tmp") = 0 <0.1>',
      '7 1.2 exit_group(0) = ?',
      '7 1.3 +++ exited with 0 +++',
      '20 2.0 execve("/bin/sh", ["sh"], 0x7ffe00000000 /* 1 var */) = 0 <0.1>',
      '20 2.1 getcwd("/work/main", 1024) = 11 <0.1>',
    ];
    const s = inferStartingState(parseText(`${lines.join('\n')}\n`, { file: 'runs.strace' }));
    expect(s.cwd).toBe('/work/main');
    expect([...s.inputs.keys()]).toEqual([6]);
  });

  it('a vfork child whose execve comes before its clone3 returns is not a root: it inherits a moved directory', () => {
    const lines = [
      '7 1.0 chdir("/tmp") = 0 <0.1>',
      '7 1.1 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f0000000000, stack_size=0x9000}, 88 <unfinished ...>',
      '8 1.2 execve("/bin/pwd", ["pwd"], 0x7ffe00000000 /* 1 var */) = 0 <0.1>',
      '7 1.3 <... clone3 resumed>) = 8 <0.1>',
      '8 1.4 getcwd("/tmp", 1024) = 5 <0.1>',
    ];
    expect(inferStartingState(parseText(`${lines.join('\n')}\n`, { file: 'vfork.strace' })).cwd).toBeUndefined();
  });
});
