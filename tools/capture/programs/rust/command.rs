//! Rust std::process::Command cases for the forkscope corpus.
//!
//! Run as `command CASE`. Each case drives one path through std's Unix spawn code
//! (`library/std/src/sys/pal/unix/process/process_unix.rs`): std prefers glibc's
//! posix_spawnp (clone3 with CLONE_VM|CLONE_VFORK) and falls back to fork + exec when it
//! cannot express the request that way (pre_exec closures, or a changed PATH with a bare
//! program name). Each case prints what the parent observed: exit statuses, signals, errno
//! names, captured bytes. Nothing printed depends on pids or timing.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::mem::ManuallyDrop;
use std::os::unix::io::FromRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, ChildStdin, Command, ExitCode, ExitStatus, Stdio};

/// Names for the errnos these cases can meet; numbers are the x86_64 Linux values.
fn errno_name(code: i32) -> String {
    let name = match code {
        1 => "EPERM",
        2 => "ENOENT",
        7 => "E2BIG",
        8 => "ENOEXEC",
        13 => "EACCES",
        20 => "ENOTDIR",
        22 => "EINVAL",
        _ => return format!("errno {code}"),
    };
    name.to_string()
}

fn describe_error(err: &io::Error) -> String {
    match err.raw_os_error() {
        Some(code) => format!("error {} kind={:?}", errno_name(code), err.kind()),
        None => format!("error kind={:?}", err.kind()),
    }
}

fn describe_status(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited {code}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        (None, None) => "neither exited nor signalled".to_string(),
    }
}

fn report(label: &str, result: io::Result<ExitStatus>) {
    match result {
        Ok(status) => println!("{label}: {}", describe_status(status)),
        Err(err) => println!("{label}: {}", describe_error(&err)),
    }
}

fn case_status() -> io::Result<()> {
    report("true", Command::new("/bin/true").status());
    report("false", Command::new("/bin/false").status());
    Ok(())
}

fn case_output() -> io::Result<()> {
    let out = Command::new("/bin/sh")
        .args(["-c", "echo out-line; echo err-line >&2; exit 3"])
        .output()?;
    println!("status: {}", describe_status(out.status));
    println!("stdout: {:?}", String::from_utf8_lossy(&out.stdout));
    println!("stderr: {:?}", String::from_utf8_lossy(&out.stderr));
    Ok(())
}

fn case_spawn_enoent() -> io::Result<()> {
    // glibc's posix_spawn reports the child's exec failure as its return value, so spawn()
    // itself fails; no child is left to reap.
    report("absolute", Command::new("/nonexistent/forkscope-prog").status());
    // A bare name goes to posix_spawnp, whose child tries every PATH directory.
    report("bare name", Command::new("forkscope-no-such-program").status());
    // The fixture exists without any execute bit.
    report("not executable", Command::new("./not-executable").status());
    Ok(())
}

fn case_path_search() -> io::Result<()> {
    // Inherited PATH: std hands the bare name to posix_spawnp, which searches PATH in the child
    // (clone3 vfork), missing in /usr/local/bin before finding /usr/bin/true.
    report("inherited PATH", Command::new("true").status());
    // A PATH set on the Command with a bare name: posix_spawnp would search the parent's PATH,
    // so std falls back to fork and the child's execvp walks the new PATH.
    report(
        "own PATH",
        Command::new("true").env("PATH", "/nonexistent:/usr/bin:/bin").status(),
    );
    Ok(())
}

fn case_current_dir_good() -> io::Result<()> {
    std::fs::create_dir("sub")?;
    let out = Command::new("/bin/pwd").current_dir("sub").output()?;
    println!("status: {}", describe_status(out.status));
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.trim_end().rsplit('/').next().unwrap_or("");
    println!("pwd ends with: {last:?}");
    Ok(())
}

fn case_current_dir_bad() -> io::Result<()> {
    // posix_spawn_file_actions_addchdir_np: the chdir fails in the vfork child and the
    // error comes back as posix_spawn's result.
    report("missing dir", Command::new("/bin/true").current_dir("no-such-dir").status());
    Ok(())
}

fn case_pre_exec() -> io::Result<()> {
    // A pre_exec closure runs arbitrary code in the child, so std must fork (glibc fork) and
    // report exec errors through its CLOEXEC pipe.
    let mut ok = Command::new("/bin/echo");
    ok.arg("after pre_exec");
    unsafe {
        ok.pre_exec(|| {
            // A raw write(2) on fd 1: no locks or buffers inherited from the parent.
            let mut out = ManuallyDrop::new(File::from_raw_fd(1));
            out.write_all(b"pre_exec ran in the child\n")
        });
    }
    io::stdout().flush()?;
    report("pre_exec ok", ok.status());

    let mut failing = Command::new("/bin/echo");
    failing.arg("never printed");
    unsafe {
        failing.pre_exec(|| Err(io::Error::from_raw_os_error(1)));
    }
    report("pre_exec failing", failing.status());
    Ok(())
}

fn case_env_clear() -> io::Result<()> {
    let out = Command::new("/usr/bin/env")
        .env_clear()
        .env("FORKSCOPE_ONLY", "one")
        .output()?;
    println!("status: {}", describe_status(out.status));
    println!("environment: {:?}", String::from_utf8_lossy(&out.stdout));
    Ok(())
}

fn case_piped_stdin() -> io::Result<()> {
    let mut child = Command::new("/bin/cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("stdin was piped");
    stdin.write_all(b"line one\nline two\n")?;
    drop(stdin); // EOF for cat
    let mut echoed = Vec::new();
    child.stdout.take().expect("stdout was piped").read_to_end(&mut echoed)?;
    println!("status: {}", describe_status(child.wait()?));
    println!("echoed: {:?}", String::from_utf8_lossy(&echoed));
    Ok(())
}

/// Spawns `/bin/sh` that prints "ready" and then blocks reading its piped stdin, waits for
/// that line, then for the shell to be asleep (in that read): a SIGKILL sent afterwards never
/// lands inside execve (the vfork-style parent resumes once exec releases the old memory) nor
/// between the shell's write and read, so the trace is the same on every run.
fn spawn_blocked_shell(command: &mut Command) -> io::Result<(Child, ChildStdin)> {
    let mut child = command
        .args(["-c", "echo ready; read line"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let stdin = child.stdin.take().expect("stdin was piped");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout was piped")).read_line(&mut line)?;
    println!("child said: {line:?}");
    println!("child asleep before kill: {}", wait_until_sleeping(child.id())?);
    Ok((child, stdin))
}

/// The fields of /proc/<pid>/stat after the parenthesised comm (which may hold spaces):
/// state, ppid, pgrp, ...
fn stat_fields_of(pid: u32) -> io::Result<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after_comm = stat
        .rfind(')')
        .map(|i| &stat[i + 1..])
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no comm in stat"))?;
    Ok(after_comm.split_whitespace().map(str::to_string).collect())
}

/// Polls until the task is in interruptible sleep (state S), for at most about five seconds.
fn wait_until_sleeping(pid: u32) -> io::Result<bool> {
    for _ in 0..5000 {
        if stat_fields_of(pid)?.first().map(String::as_str) == Some("S") {
            return Ok(true);
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    Ok(false)
}

fn case_kill() -> io::Result<()> {
    let (mut child, stdin) = spawn_blocked_shell(&mut Command::new("/bin/sh"))?;
    child.kill()?;
    println!("status: {}", describe_status(child.wait()?));
    drop(stdin);
    Ok(())
}

/// Field 5 of /proc/<pid>/stat: the process group.
fn process_group_of(pid: u32) -> io::Result<u32> {
    stat_fields_of(pid)?
        .get(2)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no pgrp in stat"))
}

fn case_process_group() -> io::Result<()> {
    // process_group(0) becomes POSIX_SPAWN_SETPGROUP: the child calls setpgid(0, 0) before exec.
    let (mut child, stdin) = spawn_blocked_shell(Command::new("/bin/sh").process_group(0))?;
    let child_group = process_group_of(child.id())?;
    let own_group = process_group_of(std::process::id())?;
    println!("child leads its own group: {}", child_group == child.id());
    println!("child group differs from parent's: {}", child_group != own_group);
    child.kill()?;
    println!("status: {}", describe_status(child.wait()?));
    drop(stdin);
    Ok(())
}

fn case_exec() -> io::Result<()> {
    println!("before exec");
    io::stdout().flush()?;
    // exec() returns only on failure.
    let err = Command::new("/bin/echo").arg("replaced by exec").exec();
    Err(err)
}

fn case_stdio_null() -> io::Result<()> {
    let out = Command::new("/bin/cat").stdin(Stdio::null()).output()?;
    println!("status: {}", describe_status(out.status));
    println!("stdout bytes: {}", out.stdout.len());
    Ok(())
}

fn main() -> ExitCode {
    let cases: [(&str, fn() -> io::Result<()>); 13] = [
        ("status", case_status),
        ("output", case_output),
        ("spawn-enoent", case_spawn_enoent),
        ("path-search", case_path_search),
        ("current-dir-good", case_current_dir_good),
        ("current-dir-bad", case_current_dir_bad),
        ("pre-exec", case_pre_exec),
        ("env-clear", case_env_clear),
        ("piped-stdin", case_piped_stdin),
        ("kill", case_kill),
        ("process-group", case_process_group),
        ("exec", case_exec),
        ("stdio-null", case_stdio_null),
    ];
    let args: Vec<String> = std::env::args().collect();
    let chosen = args.get(1).and_then(|name| cases.iter().find(|(id, _)| id == name));
    let Some((_, run)) = chosen.filter(|_| args.len() == 2) else {
        let names: Vec<&str> = cases.iter().map(|(id, _)| *id).collect();
        eprintln!("usage: command {}", names.join("|"));
        return ExitCode::from(2);
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            println!("unexpected: {}", describe_error(&err));
            ExitCode::FAILURE
        }
    }
}
