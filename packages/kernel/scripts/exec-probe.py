# Runs execv(path, [path]) — or chdir(path) — for each path of a request, each in a forked child,
# for tests/fs-oracle.test.ts. Run with --serve: every stdin line is a request
# {"cwd": dir, "ids": [uid, gid] | null, "mode": "exec" | "chdir", "paths": [...]}, answered by
# one stdout line with a JSON list: "ok" when the call succeeded (for exec: the image ran and the
# close-on-exec status pipe closed), or the errno name it failed with. With ids, each child drops
# to that uid/gid without supplementary groups first (the caller must be root). Python's os.execv
# calls execve directly (no shell fallback on ENOEXEC).
import errno
import os

from probe_serve import serve


def attempt(path, request):
    r, w = os.pipe()  # both ends close-on-exec (Python's default)
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            ids = request['ids']
            if ids is not None:
                os.setgroups([])
                os.setgid(ids[1])
                os.setuid(ids[0])
            os.chdir(request['cwd'])
            null = os.open('/dev/null', os.O_RDWR)
            os.dup2(null, 1)
            os.dup2(null, 2)
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
    return data.decode() or 'ok'


def chdir_all(request):
    # serve() already runs each request in its own child: drop privileges once, then try each path.
    ids = request['ids']
    if ids is not None:
        os.setgroups([])
        os.setgid(ids[1])
        os.setuid(ids[0])
    out = []
    for path in request['paths']:
        os.chdir(request['cwd'])
        try:
            os.chdir(path)
            out.append('ok')
        except OSError as e:
            out.append(errno.errorcode.get(e.errno, str(e.errno)))
    return out


def run(request):
    if request['mode'] == 'chdir':
        return chdir_all(request)
    return [attempt(path, request) for path in request['paths']]


if __name__ == '__main__':
    serve(run)
