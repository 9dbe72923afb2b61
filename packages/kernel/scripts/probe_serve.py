# The --serve loop shared by the probe scripts: every stdin line is a JSON request, handled in a
# fresh forked child (so per-request process state — fds, mappings, limits — starts clean) that
# writes one JSON line to stdout. The parent waits for the child before reading the next request.
import json
import os
import sys


def serve(run):
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                try:
                    reply = run(request)
                except BaseException as e:  # noqa: BLE001 - a reply is owed whatever happens
                    reply = {'probeError': repr(e)}
                if reply is not None:
                    sys.stdout.write(json.dumps(reply) + '\n')
                    sys.stdout.flush()
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
