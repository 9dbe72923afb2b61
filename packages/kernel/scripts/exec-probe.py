# Runs execv(path, [path]) (or chdir(path), see below) for each path read as a JSON list from stdin, each in a forked child
# with the cwd given as argv[1], and prints a JSON list: "ok" when the exec succeeded (the image
# ran and the status pipe closed on exec), or the errno name execv failed with. Used by
# tests/fs-oracle.test.ts to compare the Vfs model with the running kernel. Python's os.execv calls
# execve directly (no shell fallback on ENOEXEC).
import errno
import json
import os
import sys

cwd = sys.argv[1]
# Optional argv[2]: "uid:gid" to switch to (from root) in each child, with no supplementary groups.
ids = [int(x) for x in sys.argv[2].split(':')] if len(sys.argv) > 2 and sys.argv[2] != '-' else None
# Optional argv[3] == "chdir": chdir(path) instead of execv, "ok" when it succeeded.
chdir_mode = len(sys.argv) > 3 and sys.argv[3] == 'chdir'
results = []
for path in json.load(sys.stdin):
    r, w = os.pipe()  # both ends close-on-exec (Python's default)
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            if ids is not None:
                os.setgroups([])
                os.setgid(ids[1])
                os.setuid(ids[0])
            os.chdir(cwd)
            null = os.open('/dev/null', os.O_RDWR)
            os.dup2(null, 1)
            os.dup2(null, 2)
            if chdir_mode:
                os.chdir(path)
                os._exit(0)
            os.execv(path, [path])
        except OSError as e:
            os.write(w, errno.errorcode.get(e.errno, str(e.errno)).encode())
        except BaseException as e:  # noqa: BLE001 - report, never hang the parent
            os.write(w, ('PYERR ' + repr(e)).encode())
        os._exit(127)
    os.close(w)
    data = b''
    while True:
        chunk = os.read(r, 256)
        if not chunk:
            break
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    results.append(data.decode() or 'ok')
print(json.dumps(results))
