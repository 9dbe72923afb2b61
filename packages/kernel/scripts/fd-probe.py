# Applies descriptor-table operation lists to a process with every fd above 2 closed and
# RLIMIT_NOFILE at 16, for tests/files-oracle.test.ts. Run with --serve: every stdin line is a
# JSON list of operations, answered by one stdout line { results, table }; each list runs in a
# fresh forked child. Operations name fds 3..19 only, so stdin/stdout/stderr survive.
#   ["pipe", flags] → [rfd, wfd]   ["dup", fd]   ["dup2", a, b]   ["dup3", a, b, flags]
#   ["fcntl", fd, cmd, arg]        ["close", fd] ["cr", first, last, flags]
# Results: a number, a pair, or an errno name. table: [fd, F_GETFD, F_GETFL] for each open fd.
import ctypes
import errno
import fcntl
import json
import os
import resource

from probe_serve import serve

libc = ctypes.CDLL(None, use_errno=True)
SYS_dup3 = 292
SYS_close_range = 436
SYS_pipe2 = 293


def sc(*args):
    ret = libc.syscall(*[ctypes.c_long(a) for a in args])
    if ret < 0:
        return errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
    return ret


def run(ops):
    libc.syscall(SYS_close_range, 3, 0xFFFFFFFF, 0)
    resource.setrlimit(resource.RLIMIT_NOFILE, (16, 16))
    results = []
    for op in ops:
        kind = op[0]
        if kind == 'pipe':
            fds = (ctypes.c_int * 2)()
            ret = libc.syscall(ctypes.c_long(SYS_pipe2), fds, ctypes.c_long(op[1]))
            results.append([fds[0], fds[1]] if ret == 0 else errno.errorcode[ctypes.get_errno()])
        elif kind == 'dup':
            results.append(sc(32, op[1]))
        elif kind == 'dup2':
            results.append(sc(33, op[1], op[2]))
        elif kind == 'dup3':
            results.append(sc(SYS_dup3, op[1], op[2], op[3]))
        elif kind == 'fcntl':
            results.append(sc(72, op[1], op[2], op[3]))
        elif kind == 'close':
            results.append(sc(3, op[1]))
        elif kind == 'cr':
            results.append(sc(SYS_close_range, op[1], op[2], op[3]))
    table = []
    for fd in range(0, 32):
        fl = libc.syscall(ctypes.c_long(72), ctypes.c_long(fd), ctypes.c_long(1), ctypes.c_long(0))
        if fl >= 0:
            table.append([fd, fl, libc.syscall(ctypes.c_long(72), ctypes.c_long(fd), ctypes.c_long(3), ctypes.c_long(0))])
    return {'results': results, 'table': table}


if __name__ == '__main__':
    serve(run)
