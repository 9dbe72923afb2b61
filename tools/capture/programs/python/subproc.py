"""Python subprocess cases for the forkscope corpus.

Run as `/usr/bin/python3 subproc.py CASE`. Each case exercises one process-creation path of
CPython 3.11 (`Lib/subprocess.py`, `Modules/_posixsubprocess.c`) and prints a short summary of
what the parent observed: return codes, exception class and errno name, captured bytes.
Nothing printed depends on pids, fd numbers chosen by the kernel, or timing.
"""

import errno
import os
import subprocess
import sys
import time


def say(*parts):
    print(*parts, flush=True)


def describe_oserror(exc):
    # errno names, not numbers or messages: stable across locales and readable in case.json.
    name = errno.errorcode.get(exc.errno, str(exc.errno))
    return f"{type(exc).__name__} {name} filename={exc.filename!r}"


def case_run_success():
    # Default path: close_fds=True and no preexec_fn, so _posixsubprocess may use vfork.
    done = subprocess.run(["/bin/true"])
    say("returncode", done.returncode)
    done = subprocess.run(["/bin/false"])
    say("returncode", done.returncode)


def case_enoent():
    # A bare name is searched along PATH by the child: one failed execve per directory, then the
    # last error travels back through the CLOEXEC error pipe as "OSError:<hex errno>:".
    try:
        subprocess.run(["forkscope-no-such-program"])
        say("unexpected success")
    except OSError as exc:
        say("bare name:", describe_oserror(exc))
    # An absolute path: exactly one failed execve.
    try:
        subprocess.run(["/nonexistent/forkscope-prog"])
        say("unexpected success")
    except OSError as exc:
        say("absolute:", describe_oserror(exc))


def case_capture_output():
    done = subprocess.run(
        ["/bin/sh", "-c", "echo out-line; echo err-line >&2; exit 4"], capture_output=True
    )
    say("returncode", done.returncode)
    say("stdout", repr(done.stdout))
    say("stderr", repr(done.stderr))


def case_cwd_good():
    os.mkdir("sub")
    done = subprocess.run(["/bin/pwd"], cwd="sub", stdout=subprocess.PIPE)
    # Print only the last component: the absolute work dir is fixed, but keep the summary short.
    say("returncode", done.returncode)
    say("pwd ends with", repr(os.path.basename(done.stdout.strip()).decode()))


def case_cwd_bad():
    # The child's chdir fails before exec; the error pipe carries "noexec" so the parent
    # reports the cwd as the failing filename.
    try:
        subprocess.run(["/bin/true"], cwd="no-such-dir")
        say("unexpected success")
    except OSError as exc:
        say(describe_oserror(exc))


def case_preexec_fn():
    # preexec_fn runs Python code in the child, so _posixsubprocess must use fork, not vfork.
    def in_child():
        os.environ["FORKSCOPE_MARK"] = "set-by-preexec"

    done = subprocess.run(
        ["/bin/sh", "-c", 'echo "mark=$FORKSCOPE_MARK"'],
        preexec_fn=in_child,
        stdout=subprocess.PIPE,
    )
    say("returncode", done.returncode)
    say("stdout", repr(done.stdout))


def case_pass_fds():
    # The write end of a pipe survives close_fds because it is listed in pass_fds; the child
    # writes to it by number and the parent reads the line back.
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        ["/bin/sh", "-c", 'echo through-passed-fd >&"$1"', "sh", str(write_end)],
        pass_fds=(write_end,),
    )
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        data = reader.read()
    say("returncode", proc.wait())
    say("read", repr(data))


def case_communicate():
    proc = subprocess.Popen(["/bin/cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out, _ = proc.communicate(b"line one\nline two\n")
    say("returncode", proc.returncode)
    say("stdout", repr(out))


def wait_until_sleeping(pid):
    """Polls /proc/<pid>/stat until the task is in interruptible sleep (state S)."""
    for _ in range(5000):
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rpartition(")")[2].split()[0]
        if state == "S":
            return True
        time.sleep(0.001)
    return False


def case_kill():
    # The child says "ready" and then blocks reading a stdin pipe that never gets data. The
    # parent reads that line and then waits for the child to be asleep (in that read) before
    # it kills: otherwise the SIGKILL may land while the child is still inside execve (the
    # vfork parent resumes as soon as exec has released the old memory) or between its write
    # and its read, and the trace would differ from run to run.
    proc = subprocess.Popen(
        ["/bin/sh", "-c", "echo ready; read line"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    say("child said", repr(proc.stdout.readline()))
    say("child asleep before kill", wait_until_sleeping(proc.pid))
    proc.kill()
    say("returncode", proc.wait())
    proc.stdin.close()
    proc.stdout.close()


def case_shell():
    done = subprocess.run("echo shell:$((6 * 7)); exit 3", shell=True, stdout=subprocess.PIPE)
    say("returncode", done.returncode)
    say("stdout", repr(done.stdout))


def case_posix_spawn():
    pid = os.posix_spawn("/bin/sh", ["sh", "-c", "exit 5"], {"PATH": "/usr/bin:/bin"})
    _, status = os.waitpid(pid, 0)
    say("exit status", os.waitstatus_to_exitcode(status))
    try:
        os.posix_spawn("/nonexistent/forkscope-prog", ["x"], {})
        say("unexpected success")
    except OSError as exc:
        say("absent:", describe_oserror(exc))


def case_os_fork():
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        os.write(write_end, b"hello from child")
        os._exit(7)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        data = reader.read()
    _, status = os.waitpid(pid, 0)
    say("read", repr(data))
    say("exit status", os.waitstatus_to_exitcode(status))


def case_close_fds_false():
    # With close_fds=False and nothing else the child must do, Lib/subprocess.py hands an
    # executable that has a directory part to os.posix_spawn (glibc: clone3 vfork); a bare
    # name still goes through _posixsubprocess and the vfork syscall.
    done = subprocess.run(["/bin/sh", "-c", "exit 2"], close_fds=False)
    say("with directory: returncode", done.returncode)
    done = subprocess.run(["true"], close_fds=False)
    say("bare name: returncode", done.returncode)


def case_new_session():
    # start_new_session=True: the vfork child calls setsid() before exec, so the shell is a
    # session leader and its session id is its own pid.
    done = subprocess.run(
        [
            "/bin/sh",
            "-c",
            'read -r pid comm state ppid pgrp sid rest < /proc/$$/stat; '
            '[ "$sid" = "$$" ] && echo leads-own-session',
        ],
        start_new_session=True,
        stdout=subprocess.PIPE,
    )
    say("returncode", done.returncode)
    say("stdout", repr(done.stdout))


CASES = {
    "run-success": case_run_success,
    "enoent": case_enoent,
    "capture-output": case_capture_output,
    "cwd-good": case_cwd_good,
    "cwd-bad": case_cwd_bad,
    "preexec-fn": case_preexec_fn,
    "pass-fds": case_pass_fds,
    "communicate": case_communicate,
    "kill": case_kill,
    "shell": case_shell,
    "posix-spawn": case_posix_spawn,
    "os-fork": case_os_fork,
    "close-fds-false": case_close_fds_false,
    "new-session": case_new_session,
}


def main(argv):
    if len(argv) != 2 or argv[1] not in CASES:
        print(f"usage: {argv[0]} {'|'.join(CASES)}", file=sys.stderr)
        return 2
    CASES[argv[1]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
