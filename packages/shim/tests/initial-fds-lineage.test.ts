// Inherited fds that only a descendant shows (fd-lineage.ts). Every capture here is hand-written
// fixture lines in strace -f's shapes (pid 1 the root), not a recording; the real captures these
// rules came from are checked end to end in conformance's check-inherited-fds.test.ts.
import { describe, expect, it } from 'vitest';
import { parseText } from '@forkscope/tracer';
import { FD_CALLS_READ_PER_TASK } from '../src/replay/fd-lineage.js';
import { InitialFdsScan, inferInitialFds } from '../src/replay/initial-fds.js';

const text = (...l: string[]) => `${l.join('\n')}\n`;
const lines = (...l: string[]) => parseText(text(...l), { file: 'fixture' });

const EXEC_SH = '1 execve("/bin/sh", ["sh", "-c", "x"], 0x7ffd /* 3 vars */) = 0';
const FORK = (child: number, by = 1) => `${by} clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f1) = ${child}`;
const THREAD = (child: number, by = 1) =>
  `${by} clone(child_stack=0x7f2, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, parent_tid=[${child}], tls=0x7f3, child_tidptr=0x7f4) = ${child}`;
/** dash saving fd 1 for a redirection: the lowest free fd from 10. */
const SAVE_STDOUT = (pid: number, got = 11) => `${pid} fcntl(1, F_DUPFD, 10) = ${got}`;

describe('a descendant shows an fd the root inherited (fixture lines)', () => {
  it('C1 fork copies the table: a child F_DUPFD from 10 getting 11 shows 10 open in the root at start', () => {
    const e = lines(EXEC_SH, FORK(2), '2 openat(AT_FDCWD, "/tmp/f", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3', SAVE_STDOUT(2), '2 close(1) = 0');
    expect(inferInitialFds(e)).toEqual([0, 1, 2, 10]);
  });

  it('a grandchild shows it too, through a child that never touched it', () => {
    const e = lines(EXEC_SH, FORK(2), '2 dup2(1, 5) = 5', FORK(3, 2), SAVE_STDOUT(3));
    expect(inferInitialFds(e)).toEqual([0, 1, 2, 10]);
  });

  it('a child\'s successful dup2 from an fd nothing made shows it inherited (bash -c "exec 7</dev/null; …" then `cat <&7`)', () => {
    const e = lines(EXEC_SH, FORK(2), '2 dup2(7, 0) = 0', '2 close(7) = 0');
    expect(inferInitialFds(e)).toEqual([0, 1, 2, 7]);
  });

  it('C1: an fd the parent made before the fork is the child\'s copy of the parent\'s, not inherited', () => {
    const e = lines(EXEC_SH, '1 openat(AT_FDCWD, "/x", O_RDONLY) = 3', '1 dup2(3, 10) = 10', FORK(2), SAVE_STDOUT(2));
    expect(inferInitialFds(e)).toEqual([0, 1, 2]);
  });

  it('C1: what the parent does after the fork is not in the child\'s copy: its later dup2 onto 10 does not hide the inference', () => {
    const e = lines(EXEC_SH, '1 openat(AT_FDCWD, "/x", O_RDONLY) = 3', FORK(2), '1 dup2(3, 10) = 10', SAVE_STDOUT(2));
    expect(inferInitialFds(e)).toEqual([0, 1, 2, 10]);
  });

  it('an fd an ancestor closed (all fds from 3 up, close_range) and reopened is not inferred in its descendants', () => {
    const e = lines(
      EXEC_SH,
      FORK(2),
      '2 close_range(3, 2147483647, 0) = 0',
      '2 openat(AT_FDCWD, "/x", O_RDONLY) = 3',
      '2 dup2(3, 10) = 10',
      FORK(3, 2),
      SAVE_STDOUT(3),
      '3 fcntl(1, F_DUPFD, 3) = 4',
    );
    expect(inferInitialFds(e)).toEqual([0, 1, 2]);
  });

  it('a failed call infers nothing: a child\'s EBADF close of 0 and EMFILE F_DUPFD leave the default set', () => {
    const e = lines(EXEC_SH, FORK(2), '2 close(0) = -1 EBADF (Bad file descriptor)', '2 fcntl(1, F_DUPFD, 10) = -1 EMFILE (Too many open files)');
    expect(inferInitialFds(e)).toEqual([0, 1, 2]);
  });

  it('a child\'s open returning 0 that nothing on its line of descent closed shows stdin closed at start', () => {
    const e = lines(EXEC_SH, FORK(2), '2 openat(AT_FDCWD, "/dev/null", O_RDONLY) = 0');
    expect(inferInitialFds(e)).toEqual([1, 2]);
  });

  it('the root\'s own evidence wins: its EBADF on 10 after a child showed 10 open', () => {
    const e = lines(EXEC_SH, FORK(2), SAVE_STDOUT(2), '1 fcntl(10, F_GETFD) = -1 EBADF (Bad file descriptor)');
    expect(inferInitialFds(e)).toEqual([0, 1, 2]);
  });
});

describe('CLONE_FILES and calls in flight (fixture lines)', () => {
  it('C5 CLONE_FILES shares the table: a thread\'s dup2 onto 10 is in the root\'s table, so a later child shows nothing', () => {
    const e = lines(EXEC_SH, '1 openat(AT_FDCWD, "/x", O_RDONLY) = 3', THREAD(2), '2 dup2(3, 10) = 10', FORK(3), SAVE_STDOUT(3));
    expect(inferInitialFds(e)).toEqual([0, 1, 2]);
  });

  it('C5 without CLONE_FILES the same dup2 stays in the child\'s copy: a later child of the root shows 10 inherited', () => {
    const e = lines(EXEC_SH, '1 openat(AT_FDCWD, "/x", O_RDONLY) = 3', FORK(2), '2 dup2(3, 10) = 10', FORK(3), SAVE_STDOUT(3));
    expect(inferInitialFds(e)).toEqual([0, 1, 2, 10]);
  });

  it('a thread\'s F_DUPFD in flight across a child\'s fork and F_DUPFD withdraws what the child showed (it may have taken 10 first)', () => {
    const e = lines(
      EXEC_SH,
      '1 openat(AT_FDCWD, "/x", O_RDONLY) = 3',
      THREAD(2),
      '2 fcntl(3, F_DUPFD, 10 <unfinished ...>',
      FORK(3),
      SAVE_STDOUT(3),
      '2 <... fcntl resumed>) = 10',
    );
    expect(inferInitialFds(e)).toEqual([0, 1, 2]);
  });

  it('a child\'s own F_DUPFD printed in two halves still shows 10 open (only other tasks\' calls in flight withdraw)', () => {
    const e = lines(EXEC_SH, FORK(2), '2 fcntl(1, F_DUPFD, 10 <unfinished ...>', '1 getpid() = 1', '2 <... fcntl resumed>) = 11');
    expect(inferInitialFds(e)).toEqual([0, 1, 2, 10]);
  });

  it('A1 a vfork child\'s lines before its vfork returns are decided when it does: 10 shown open', () => {
    const e = lines(
      EXEC_SH,
      '1 vfork( <unfinished ...>',
      SAVE_STDOUT(2),
      '2 execve("/bin/true", ["true"], 0x7ffd /* 3 vars */) = 0',
      '1 <... vfork resumed>) = 2',
    );
    expect(inferInitialFds(e)).toEqual([0, 1, 2, 10]);
  });

  it('…and not shown when the parent had touched 10 before that vfork', () => {
    const e = lines(
      EXEC_SH,
      '1 dup2(1, 10) = 10',
      '1 vfork( <unfinished ...>',
      SAVE_STDOUT(2),
      '1 <... vfork resumed>) = 2',
    );
    expect(inferInitialFds(e)).toEqual([0, 1, 2]);
  });

  it('a task whose clone never shows (another run appended, or attached) tells nothing', () => {
    const e = lines(EXEC_SH, '7 execve("/bin/sh", ["sh"], 0x7ffd /* 3 vars */) = 0', SAVE_STDOUT(7));
    expect(inferInitialFds(e)).toEqual([0, 1, 2]);
  });

  it('a call that may create fds unseen (fds passed with SCM_RIGHTS) stops the inference in that table', () => {
    const e = lines(
      EXEC_SH,
      FORK(2),
      '2 recvmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="x", iov_len=1}], msg_iovlen=1, msg_control=[{cmsg_len=20, cmsg_level=SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=[10]}], msg_controllen=24, msg_flags=0}, 0) = 1',
      SAVE_STDOUT(2),
    );
    expect(inferInitialFds(e)).toEqual([0, 1, 2]);
  });

  it('a dup2 whose target fd cannot be read (not a number) ends the inference in that table', () => {
    const e = lines(EXEC_SH, FORK(2), '2 dup2(1, SOMEFD) = 0', SAVE_STDOUT(2));
    expect(inferInitialFds(e)).toEqual([0, 1, 2]);
  });

  it('a call the scan does not recognise is taken to have created its result: an ioctl returning 10 hides 10', () => {
    const e = lines(EXEC_SH, FORK(2), '2 ioctl(1, _IOC(_IOC_NONE, 0xae, 0x1, 0), 0) = 10', SAVE_STDOUT(2));
    expect(inferInitialFds(e)).toEqual([0, 1, 2]);
  });
});

describe('what the first pass may skip (fixture lines)', () => {
  /** A child that makes `n` fd calls (open then close of 3), then saves fd 1. */
  function busyChild(n: number): string {
    const calls = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? '2 openat(AT_FDCWD, "/x", O_RDONLY) = 3' : '2 close(3) = 0'));
    return text(EXEC_SH, FORK(2), ...calls, SAVE_STDOUT(2), '2 read(0, "", 1) = 0');
  }

  /** The scan over `t`, with `wants` asked for every call before `add` sees any (the worst lag a parser can have). */
  function skipping(t: string): { fds: readonly number[]; skipped: string[] } {
    const scan = new InitialFdsScan();
    const first = parseText(t)[0];
    if (first === undefined) throw new Error('no lines');
    scan.add(first);
    const skipped: string[] = [];
    const kept = parseText(t, {
      skipCall: (pid, name, line) => {
        const skip = pid !== 1 && !['clone', 'clone3', 'fork', 'vfork', 'execve'].includes(name) && !scan.wants(pid, name);
        if (skip) skipped.push(`${line} ${name}`);
        return skip;
      },
    });
    for (const e of kept) if (e.span.line !== first.span.line) scan.add(e);
    return { fds: scan.finish(), skipped };
  }

  it('skips a descendant\'s calls that cannot change its table (read) and keeps its fd calls', () => {
    const r = skipping(busyChild(4));
    expect(r.skipped).toEqual(['8 read']);
    expect(r.fds).toEqual([0, 1, 2, 10]);
  });

  it(`stops reading a descendant after ${FD_CALLS_READ_PER_TASK} fd calls: what it shows later is not used, skipping or not`, () => {
    const t = busyChild(FD_CALLS_READ_PER_TASK);
    const all = new InitialFdsScan();
    for (const e of parseText(t)) all.add(e);
    expect(all.finish()).toEqual([0, 1, 2]);
    const r = skipping(t);
    expect(r.fds).toEqual([0, 1, 2]);
    expect(r.skipped).toContain(`${FD_CALLS_READ_PER_TASK + 3} fcntl`);
    // One call fewer and the F_DUPFD is read.
    expect(inferInitialFds(parseText(busyChild(FD_CALLS_READ_PER_TASK - 1)))).toEqual([0, 1, 2, 10]);
  });
});
