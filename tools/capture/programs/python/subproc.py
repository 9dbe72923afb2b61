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


def case_kill():
    # Popen returns only after the error pipe hits EOF, i.e. after the child's exec, so the
    # SIGKILL lands on sleep itself, never on the half-made child.
    proc = subprocess.Popen(["/bin/sleep", "30"])
    proc.kill()
    say("returncode", proc.wait())


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
}


def main(argv):
    if len(argv) != 2 or argv[1] not in CASES:
        print(f"usage: {argv[0]} {'|'.join(CASES)}", file=sys.stderr)
        return 2
    CASES[argv[1]]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
