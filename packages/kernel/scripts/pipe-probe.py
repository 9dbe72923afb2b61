# Applies a JSON list of operations (stdin) to one real O_NONBLOCK pipe and prints a JSON list of
# results, for tests/files-oracle.test.ts. Operations: ["w", n] write n bytes; ["r", n] read up to
# n bytes; ["s", size] F_SETPIPE_SZ; ["cw"] close the write end; ["cr"] close the read end.
# Results: a byte count, "EOF", or an errno name.
import errno
import fcntl
import json
import os
import signal
import sys

F_SETPIPE_SZ = 1031
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
# argv[1] == "direct": packet mode (pipe2 O_DIRECT).
direct = len(sys.argv) > 1 and sys.argv[1] == 'direct'
r, w = os.pipe2(os.O_NONBLOCK | (os.O_DIRECT if direct else 0))
out = []
for op in json.load(sys.stdin):
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
print(json.dumps(out))
