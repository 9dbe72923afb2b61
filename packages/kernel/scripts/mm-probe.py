# Applies memory operation lists inside a 32-page region reserved per request (PROT_NONE, private
# anonymous), for tests/memory-oracle.test.ts. Run with --serve: every stdin line is a JSON list
# of operations, answered by one stdout line with the JSON list of results; each list runs in a
# fresh forked child. Pages are numbered from the region's start.
#   ["map", page, npages, prot, flags]        mmap(MAP_FIXED… at that page) → 0 or errno
#   ["unmap", page, npages, misalign]         munmap → 0 or errno
#   ["protect", page, npages, prot, misalign] mprotect → 0 or errno
#   ["poke", page, offset, value]             store one byte via read(2) from a pipe → 1 or EFAULT
#   ["peek", page, offset]                    load one byte via write(2) to a pipe → value or EFAULT
#   ["fork"]                                  the rest runs in a child, which reports the results
import ctypes
import errno
import os

from probe_serve import serve

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
PAGE = 4096
PAGES = 32


def sc(*args):
    ret = libc.syscall(*[ctypes.c_long(a) for a in args])
    return ret if ret >= 0 else -ctypes.get_errno()


def err(ret):
    return errno.errorcode.get(-ret, str(-ret))


def run(ops):
    base = sc(9, 0, PAGES * PAGE, 0, 0x22, -1, 0)
    r, w = os.pipe()
    results = []
    for op in ops:
        kind = op[0]
        if kind == 'map':
            addr = base + op[1] * PAGE
            ret = sc(9, addr, op[2] * PAGE, op[3], op[4], -1, 0)
            results.append(0 if ret == addr else err(ret) if ret < 0 else 'MOVED')
        elif kind == 'unmap':
            ret = sc(11, base + op[1] * PAGE + op[3], op[2] * PAGE)
            results.append(0 if ret == 0 else err(ret))
        elif kind == 'protect':
            ret = sc(10, base + op[1] * PAGE + op[4], op[2] * PAGE, op[3])
            results.append(0 if ret == 0 else err(ret))
        elif kind == 'poke':
            os.write(w, bytes([op[3]]))
            ret = sc(0, r, base + op[1] * PAGE + op[2], 1)
            if ret < 0:
                os.read(r, 1)
                results.append(err(ret))
            else:
                results.append(ret)
        elif kind == 'peek':
            ret = sc(1, w, base + op[1] * PAGE + op[2], 1)
            results.append(os.read(r, 1)[0] if ret == 1 else err(ret))
        elif kind == 'fork':
            pid = os.fork()
            if pid != 0:
                os.waitpid(pid, 0)
                return None  # the child reports
            results.append(0)
    return results


if __name__ == '__main__':
    serve(run)
