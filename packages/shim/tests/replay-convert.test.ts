// Real strace lines (from the corpus captures) converted to the kernel's typed calls.
import { describe, expect, it } from 'vitest';
import { parseText } from '@forkscope/tracer';
import type { SyscallEvent } from '@forkscope/tracer';
import { convert } from '../src/replay/convert.js';

function line(text: string): SyscallEvent {
  const [e] = parseText(`${text}\n`, { file: 'fixture' });
  if (e?.kind !== 'syscall') throw new Error(`not a syscall line: ${text}`);
  return e;
}

const noPids = (): number | undefined => undefined;
const pids = (map: Record<number, number>) => (p: number) => map[p];

describe('convert (real lines)', () => {
  it('G1 clone3 of posix_spawn: the struct by value, flags and exit signal as numbers', () => {
    const c = convert(
      line('16206 1795726203.718663 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f0f121eb000, stack_size=0x9000}, 88) = 16207 <0.008377>'),
      noPids,
    );
    expect(c).toEqual({
      kind: 'checked',
      call: { name: 'clone3', args: { flags: 0x4100n, exit_signal: 17n, stack: 0x7f0f121eb000n, stack_size: 0x9000n }, size: 88n },
    });
  });

  it('G2 glibc fork: legacy clone flags carry the exit signal in the low byte', () => {
    const c = convert(
      line('9865  1795725967.160220 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f1862918a10) = 9866 <0.000413>'),
      noPids,
    );
    expect(c).toEqual({ kind: 'checked', call: { name: 'clone', flags: 0x1200011n, stack: 0n, parent_tid: 0n, child_tid: 0x7f1862918a10n, tls: 0n } });
  });

  it('wait4 takes its pid through the mapping, and is adopted when the pid was never bound', () => {
    const l = line('16206 1795726203.727570 wait4(16207, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 16207 <0.003481>');
    expect(convert(l, pids({ 16207: 1001 }))).toEqual({ kind: 'checked', call: { name: 'wait4', pid: 1001, status: 0n, options: 0, rusage: 0n } });
    expect(convert(l, noPids)).toMatchObject({ kind: 'adopted', reason: expect.stringContaining('outside the recording') });
    const any = line('4082  wait4(-1, 0x7ffc57652d9c, WNOHANG, NULL) = -1 ECHILD (No child processes)');
    expect(convert(any, noPids)).toMatchObject({ kind: 'checked', call: { pid: -1, options: 1 } });
  });

  it('execve passes path and argv; envp printed as an address becomes empty', () => {
    const c = convert(line('16207 1795726203.726503 execve("/bin/true", ["true"], 0x7ffc19b5c160 /* 3 vars */) = 0 <0.000610>'), noPids);
    expect(c).toEqual({ kind: 'checked', call: { name: 'execve', path: '/bin/true', argv: ['true'], envp: [] } });
  });

  it('signal masks and sigactions are decoded, negated sets over 64 signals', () => {
    const mask = convert(line('16206 1795726203.718600 rt_sigprocmask(SIG_BLOCK, ~[], [], 8) = 0 <0.000029>'), noPids);
    expect(mask).toEqual({ kind: 'checked', call: { name: 'rt_sigprocmask', how: 0, set: { mask: (1n << 64n) - 1n }, oldset: 0n, sigsetsize: 8n } });
    const act = convert(
      line('9865  1795725967.158793 rt_sigaction(SIGCHLD, {sa_handler=0x5633dbbc6dc0, sa_mask=~[RTMIN RT_1], sa_flags=SA_RESTORER, sa_restorer=0x7f1862957050}, NULL, 8) = 0'),
      noPids,
    );
    const all = (1n << 64n) - 1n;
    expect(act).toEqual({
      kind: 'checked',
      call: {
        name: 'rt_sigaction',
        sig: 17,
        act: { handler: 0x5633dbbc6dc0n, flags: 0x04000000n, mask: all & ~((1n << 31n) | (1n << 32n)), restorer: 0x7f1862957050n },
        oldact: 0n,
        sigsetsize: 8n,
      },
    });
  });

  it('successful opens are effect-checked, failed ones adopted', () => {
    expect(convert(line('16206 1795726203.715733 openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3 <0.000030>'), noPids)).toEqual({
      kind: 'effect',
      call: { name: 'openat', dirfd: -100, path: '/etc/ld.so.cache', flags: 0o2000000, mode: 0 },
    });
    expect(convert(line('9867  openat(AT_FDCWD, "/usr/lib/locale/locale-archive", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)'), noPids)).toMatchObject({
      kind: 'adopted',
    });
  });

  it('fd-creating calls open opaque files, honouring their CLOEXEC flag', () => {
    const c = convert(line('10595 1795726787.099127 epoll_create1(EPOLL_CLOEXEC) = 3 <0.000087>'), noPids);
    expect(c).toMatchObject({ kind: 'fd-create', fdsIn: 'result', opens: [{ name: 'openat', flags: 0o2000002 }] });
  });

  it('calls on an fd the kernel does not model are fd probes; on a path they are adopted', () => {
    expect(convert(line('9865  newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=34547, ...}, AT_EMPTY_PATH) = 0'), noPids)).toEqual({ kind: 'fd-probe', fd: 3 });
    expect(convert(line('9865  newfstatat(AT_FDCWD, "/tmp/ecap", {st_mode=S_IFDIR|0755, st_size=4096, ...}, 0) = 0'), noPids)).toMatchObject({ kind: 'adopted' });
    expect(convert(line('11113 1795726797.511520 ioctl(4, FIONBIO, [1]) = 0 <0.000053>'), noPids)).toEqual({ kind: 'nonblock', fd: 4, on: true });
  });

  it('poll probes every watched fd unless the result reports POLLNVAL', () => {
    const l = line('11113 1795726797.511787 poll([{fd=4, events=POLLIN}, {fd=6, events=POLLIN}], 2, -1) = 1 ([{fd=4, revents=POLLIN}]) <0.006668>');
    expect(convert(l, noPids)).toEqual({ kind: 'fd-probe', fd: 4, also: [6] });
    const nval = line('1 poll([{fd=9, events=POLLIN}], 1, 0) = 1 ([{fd=9, revents=POLLNVAL}])');
    expect(convert(nval, noPids)).toMatchObject({ kind: 'adopted' });
  });

  it('mmap is effect-checked at the recorded address; sleeps and futex waits are adopted with a reason', () => {
    expect(convert(line('9865  mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f1862b06000'), noPids)).toEqual({
      kind: 'effect',
      call: { name: 'mmap', addr: 0x7f1862b06000n, length: 8192n, prot: 3, flags: 0x32, fd: -1, offset: 0n },
    });
    // A wake needs no guest memory (the kernel counts the sleepers): checked; a wait reads the word: adopted.
    expect(convert(line('9867  futex(0x7f95ce41da4c, FUTEX_WAKE_PRIVATE, 2147483647) = 0'), noPids)).toMatchObject({ kind: 'checked' });
    expect(convert(line('9867  futex(0x7f95ce41da4c, FUTEX_WAIT_PRIVATE, 2, NULL) = 0'), noPids)).toMatchObject({ kind: 'adopted', reason: expect.stringContaining('futex') });
  });

  it('B5 a clone_args bigger than the struct (extra bytes printed) is adopted, not misread', () => {
    const c = convert(
      line('17545 1795726253.224509 clone3({flags=0, exit_signal=SIGCHLD, stack=NULL, stack_size=0, /* bytes 88..95 */ "\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01"}, 96) = -1 E2BIG (Argument list too long)'),
      noPids,
    );
    expect(c).toMatchObject({ kind: 'adopted', reason: expect.stringContaining('beyond the known struct') });
  });
});

describe('convert: pipe reads (fs/pipe.c pipe_read copies when the reader runs)', () => {
  /** Parses several lines (an unfinished call and its resumed line) and returns the syscall events. */
  function calls(text: string): SyscallEvent[] {
    return parseText(`${text}\n`, { file: 'fixture' }).filter((e): e is SyscallEvent => e.kind === 'syscall');
  }

  it('F1 a read printed apart (unfinished, resumed) asks for the recorded count, taken once that much is buffered', () => {
    const read = calls(
      [
        '1003 1795727916.517370 read(0,  <unfinished ...>',
        '1002 1795727916.517453 write(1, "\\0"..., 10240) = 10240 <0.000016>',
        '1003 1795727916.517503 <... read resumed>"\\0"..., 32768) = 24576 <0.000123>',
      ].join('\n'),
    ).find((e) => e.name === 'read');
    expect(read?.span).toMatchObject({ line: 1, endLine: 3 });
    expect(convert(read as SyscallEvent, noPids)).toEqual({
      kind: 'effect',
      call: { name: 'read', fd: 0, buf: 0n, count: 24576n, whenCountBuffered: true, countOnly: true },
    });
  });

  it('F1 a read printed in one line asks for the recorded count and takes what is there at once', () => {
    const c = convert(line('1003 1795727916.518424 read(0, "\\0"..., 32768) = 2048 <0.000015>'), noPids);
    expect(c).toEqual({ kind: 'effect', call: { name: 'read', fd: 0, buf: 0n, count: 2048n, countOnly: true } });
  });

  it('F3/F8 EOF and EAGAIN reads keep their requested count and are checked', () => {
    expect(convert(line('16924 1795727653.817433 read(6, "", 32) = 0 <0.000014>'), noPids)).toEqual({
      kind: 'checked',
      call: { name: 'read', fd: 6, buf: 0n, count: 32n, countOnly: true },
    });
    expect(convert(line('16924 1795727653.815988 read(4, 0x563b3f30ffd8, 32) = -1 EAGAIN (Resource temporarily unavailable) <0.000015>'), noPids)).toEqual({
      kind: 'checked',
      call: { name: 'read', fd: 4, buf: 0n, count: 32n, countOnly: true },
    });
  });

  it('F1 a write passes the full count and no bytes (pipes are read back by count only; no count-sized buffer)', () => {
    const c = convert(line('1002 1795727916.517453 write(1, "ab"..., 10240) = 10240 <0.000016>'), noPids);
    expect(c).toEqual({ kind: 'checked', call: { name: 'write', fd: 1, buf: new Uint8Array(0), count: 10240n } });
    const hidden = convert(line('1002 write(1, 0x7ffd0000, 100) = 100'), noPids);
    expect(hidden).toMatchObject({ kind: 'checked', call: { name: 'write', fd: 1, count: 100n } });
    expect(hidden.kind === 'checked' && hidden.call.name === 'write' && hidden.call.buf).toEqual(new Uint8Array(0));
  });

  it('a call adopted by its name alone never decodes its arguments', () => {
    const e = line('7 lgetxattr("/usr/bin/tar", "security.selinux", 0x7ffd0000, 255) = -1 ENODATA (No data available)');
    const untouched = Object.create(e, {
      args: {
        get() {
          throw new Error('arguments read');
        },
      },
    }) as SyscallEvent;
    expect(convert(untouched, noPids)).toEqual({ kind: 'adopted', reason: 'lgetxattr is not modelled by the kernel' });
  });

  it('a recorded result above the requested count (impossible on Linux) is sent as requested, so the kernel disagrees', () => {
    expect(convert(line('7 read(0, "abc", 2) = 3'), noPids)).toEqual({ kind: 'checked', call: { name: 'read', fd: 0, buf: 0n, count: 2n, countOnly: true } });
  });
});
