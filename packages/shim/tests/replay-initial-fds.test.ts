// What the recording tells about the root's inherited fds (real line shapes).
import { describe, expect, it } from 'vitest';
import { parseText } from '@forkscope/tracer';
import type { SyscallEvent } from '@forkscope/tracer';
import { convert } from '../src/replay/convert.js';
import { InitialFdsScan, inferInitialFds } from '../src/replay/initial-fds.js';

const lines = (...l: string[]) => parseText(`${l.join('\n')}\n`, { file: 'fixture' });

describe('inferInitialFds', () => {
  it('is 0, 1, 2 when the root only uses those', () => {
    const e = lines('1 execve("/bin/x", ["x"], 0x7ffd /* 3 vars */) = 0', '1 write(1, "hi\\n", 3) = 3', '1 openat(AT_FDCWD, "/etc/x", O_RDONLY) = 3');
    expect(inferInitialFds(e)).toEqual([0, 1, 2]);
  });

  it('an fd the root duplicates from F_DUPFD 10 up to 11 shows 10 was inherited (a harness leak)', () => {
    const e = lines('1 execve("/bin/sh", ["sh"], 0x7ffd /* 3 vars */) = 0', '1 fcntl(2, F_DUPFD, 10) = 11');
    expect(inferInitialFds(e)).toEqual([0, 1, 2, 10]);
  });

  it('an fd used successfully before any call made it was inherited; one that fails EBADF was not', () => {
    const e = lines('1 execve("/bin/sh", ["sh"], 0x7ffd /* 3 vars */) = 0', '1 fcntl(255, F_GETFD) = 0', '1 close(7) = -1 EBADF (Bad file descriptor)');
    expect(inferInitialFds(e)).toEqual([0, 1, 2, 255]);
  });

  it('an open returning 0 shows stdin was closed at start', () => {
    const e = lines('1 execve("/bin/x", ["x"], 0x7ffd /* 3 vars */) = 0', '1 openat(AT_FDCWD, "/dev/null", O_RDONLY) = 0');
    expect(inferInitialFds(e)).toEqual([1, 2]);
  });

  it('fds the root closed and reopened itself say nothing about the start', () => {
    const e = lines('1 execve("/bin/x", ["x"], 0x7ffd /* 3 vars */) = 0', '1 close(0) = 0', '1 openat(AT_FDCWD, "/dev/null", O_RDONLY) = 0');
    expect(inferInitialFds(e)).toEqual([0, 1, 2]);
  });
});

describe('InitialFdsScan', () => {
  it("fed a line at a time, reads only the root's lines: a child's use of fd 5 says nothing of the root's start", () => {
    const e = lines(
      '1 execve("/bin/sh", ["sh"], 0x7ffd /* 3 vars */) = 0',
      '1 write(9, "hi\\n", 3) = 3',
      '2 read(5, "x", 1) = 1',
      '1 kill(2, SIGTERM) = 0',
    );
    const scan = new InitialFdsScan();
    for (const x of e) scan.add(x);
    expect(scan.finish()).toEqual([0, 1, 2, 9]);
  });
});
