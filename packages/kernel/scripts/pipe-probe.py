# Applies operation lists to one real O_NONBLOCK pipe each, for tests/files-oracle.test.ts.
# Run with --serve: every stdin line is a request {"direct": bool, "ops": [...]}, answered by one
# stdout line with the JSON list of results; each request runs in a fresh forked child.
# Operations: ["w", n] write n bytes; ["r", n] read up to n bytes; ["s", size] F_SETPIPE_SZ;
# ["cw"] close the write end; ["cr"] close the read end. direct: pipe2(O_DIRECT) (packet mode).
# Results: a byte count, "EOF", or an errno name.
import errno
import fcntl
import json
import os
import signal

from probe_serve import serve

F_SETPIPE_SZ = 1031


def run(request):
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    r, w = os.pipe2(os.O_NONBLOCK | (os.O_DIRECT if request['direct'] else 0))
    out = []
    for op in request['ops']:
        try:
            if op[0] == 'w':
                out.append(os.write(w, b'x' * op[1]))
            elif op[0] == 'r':
                data = os.read(r, op[1])
                out.append(len(data) if data or op[1] == 0 else 'EOF')
            elif op[0] == 's':
                out.append(fcntl.fcntl(w, F_SETPIPE_SZ, op[1]))
            elif op[0] == 'cw':
                os.close(w)
                out.append(0)
            elif op[0] == 'cr':
                os.close(r)
                out.append(0)
        except OSError as e:
            out.append(errno.errorcode.get(e.errno, str(e.errno)))
    return out


if __name__ == '__main__':
    serve(run)
