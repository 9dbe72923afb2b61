//! What this crate checks of a `capture.strace` itself: that it is not empty
//! and that its first line is the root process's `execve(` (strace -f starts
//! every capture with it), whose path we read so it can be compared with the
//! case's argv. Parsing the rest of the grammar is the job of a harness
//! (forkscope's own parser is packages/tracer); this is a small hand-written scanner.

/// The first line of a capture, read far enough to know the executed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootExecve {
    /// The pid prefix (`strace -f -o`), when present.
    pub pid: Option<u32>,
    /// The path argument, unescaped.
    pub path: Vec<u8>,
    /// strace cut the string at `-s` bytes (printed `"…"...`).
    pub truncated: bool,
}

/// Reads the first line of `capture` as `[PID ]+[TIMESTAMP ]+execve("PATH"`.
/// Errors are one sentence saying what was found instead.
pub fn root_execve(capture: &[u8]) -> Result<RootExecve, String> {
    if capture.is_empty() {
        return Err("capture is empty".to_string());
    }
    let line_end = capture.iter().position(|&b| b == b'\n').unwrap_or(capture.len());
    let line = &capture[..line_end];
    let mut i = 0;
    let mut numbers: Vec<&[u8]> = Vec::new();
    // Leading numeric fields: the pid ("4082  ") and the -ttt time ("1700000000.123456 ").
    loop {
        while line.get(i) == Some(&b' ') {
            i += 1;
        }
        let start = i;
        while matches!(line.get(i), Some(b'0'..=b'9' | b'.')) {
            i += 1;
        }
        if i == start {
            break;
        }
        if line.get(i) != Some(&b' ') || numbers.len() == 2 {
            return Err(format!("first line does not start with an execve( call: {}", show(line)));
        }
        numbers.push(&line[start..i]);
    }
    let rest = &line[i..];
    let Some(args) = rest.strip_prefix(b"execve(") else {
        return Err(format!("first line does not start with an execve( call: {}", show(line)));
    };
    let pid = match numbers.first() {
        Some(n) if !n.contains(&b'.') => Some(
            std::str::from_utf8(n)
                .ok()
                .and_then(|s| s.parse::<u32>().ok())
                .ok_or_else(|| format!("first line: pid {} out of range", show(n)))?,
        ),
        _ => None,
    };
    let (path, truncated) =
        c_string(args).ok_or_else(|| format!("first line: execve path is not a complete string literal: {}", show(line)))?;
    Ok(RootExecve { pid, path, truncated })
}

/// How a process ended, from strace's `+++ exited with N +++` or
/// `+++ killed by SIG [(core dumped) ]+++` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndLine {
    Exited(u8),
    Killed { signal: String, core_dumped: bool },
}

impl std::fmt::Display for EndLine {
    /// `exited with 0`, `killed by SIGKILL (core dumped)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EndLine::Exited(code) => write!(f, "exited with {code}"),
            EndLine::Killed { signal, core_dumped } => write!(f, "killed by {signal}{}", if *core_dumped { " (core dumped)" } else { "" }),
        }
    }
}

/// The last end line (`+++ … +++`) of process `pid` in `capture`, with its
/// 1-based line number. With `pid` `None` (a capture without pid prefixes)
/// every line belongs to the root. `Err` for an end line of that pid that
/// does not read as either form.
pub fn process_end(capture: &[u8], pid: Option<u32>) -> Result<Option<(usize, EndLine)>, (usize, String)> {
    let mut found = None;
    for (i, line) in capture.split(|&b| b == b'\n').enumerate() {
        let (line_pid, body) = split_prefix(line);
        if pid.is_some() && line_pid != pid {
            continue;
        }
        let Some(inner) = body.strip_prefix(b"+++ ").and_then(|b| b.strip_suffix(b" +++")) else { continue };
        let inner = String::from_utf8_lossy(inner);
        let end = if let Some(code) = inner.strip_prefix("exited with ") {
            EndLine::Exited(code.parse::<u8>().map_err(|_| (i + 1, format!("exit code \"{code}\" is not 0..255")))?)
        } else if let Some(rest) = inner.strip_prefix("killed by ") {
            let (signal, core_dumped) = match rest.strip_suffix(" (core dumped)") {
                Some(sig) => (sig, true),
                None => (rest, false),
            };
            EndLine::Killed { signal: signal.to_string(), core_dumped }
        } else if inner.starts_with("superseded by ") {
            continue;
        } else {
            return Err((i + 1, format!("unknown end line \"+++ {inner} +++\"")));
        };
        found = Some((i + 1, end));
    }
    Ok(found)
}

/// Splits `[PID ][TIME ]BODY` into the pid (when the first field is an integer
/// followed by more) and the body.
fn split_prefix(line: &[u8]) -> (Option<u32>, &[u8]) {
    let mut i = 0;
    let mut pid = None;
    for field in 0..2 {
        while line.get(i) == Some(&b' ') {
            i += 1;
        }
        let start = i;
        while matches!(line.get(i), Some(b'0'..=b'9' | b'.')) {
            i += 1;
        }
        if i == start || line.get(i) != Some(&b' ') {
            i = start;
            break;
        }
        let token = &line[start..i];
        if field == 0 && !token.contains(&b'.') {
            pid = std::str::from_utf8(token).ok().and_then(|t| t.parse().ok());
        }
    }
    while line.get(i) == Some(&b' ') {
        i += 1;
    }
    (pid, &line[i..])
}

/// Decodes strace's quoted string at the start of `s`: `\\ \" \n \t \r \f \v`,
/// octal `\NNN` and hex `\xHH` escapes. Returns the bytes and whether a `...`
/// truncation marker follows the closing quote.
pub fn c_string(s: &[u8]) -> Option<(Vec<u8>, bool)> {
    if s.first() != Some(&b'"') {
        return None;
    }
    let mut out = Vec::new();
    let mut i = 1;
    loop {
        let b = *s.get(i)?;
        i += 1;
        match b {
            b'"' => return Some((out, s[i..].starts_with(b"..."))),
            b'\\' => {
                let e = *s.get(i)?;
                i += 1;
                match e {
                    b'\\' | b'"' | b'\'' => out.push(e),
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'f' => out.push(0x0c),
                    b'v' => out.push(0x0b),
                    b'0'..=b'7' => {
                        let mut v = u32::from(e - b'0');
                        for _ in 0..2 {
                            match s.get(i) {
                                Some(d @ b'0'..=b'7') => {
                                    v = v * 8 + u32::from(d - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push(u8::try_from(v).ok()?);
                    }
                    b'x' => {
                        let hi = (*s.get(i)? as char).to_digit(16)?;
                        let lo = (*s.get(i + 1)? as char).to_digit(16)?;
                        i += 2;
                        out.push((hi * 16 + lo) as u8);
                    }
                    _ => return None,
                }
            }
            _ => out.push(b),
        }
    }
}

/// A line for an error message: lossy UTF-8, cut to a readable length.
fn show(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut cut: String = text.chars().take(120).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    format!("\"{cut}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixture_strace_f_ttt_first_line() {
        let line = b"4082  1700000000.123456 execve(\"/tmp/forkscope/bin/spawn\", [\"/tmp/forkscope/bin/spawn\", \"success\"], 0x7ffd /* 3 vars */) = 0 <0.000321>\n4082  1700000000.1 brk(NULL) = 0x1\n";
        let r = root_execve(line).unwrap();
        assert_eq!(r.pid, Some(4082));
        assert_eq!(r.path, b"/tmp/forkscope/bin/spawn");
        assert!(!r.truncated);
    }

    #[test]
    fn fixture_without_pid_or_time_and_with_escapes() {
        let r = root_execve(b"execve(\"/w/a\\\"b\\\\c\\nd\\303\\251\\x41\"..., [], []) = 0").unwrap();
        assert_eq!(r.pid, None);
        assert_eq!(r.path, b"/w/a\"b\\c\nd\xc3\xa9A");
        assert!(r.truncated);
        let t = root_execve(b"1700000000.123456 execve(\"/bin/true\", [\"true\"], []) = 0").unwrap();
        assert_eq!(t.pid, None);
        assert_eq!(t.path, b"/bin/true");
    }

    /// Fixture: two processes, the child killed, the root exiting last.
    const FIXTURE_ENDS: &[u8] = b"10 1.0 execve(\"/p\", [], []) = 0\n11 1.1 +++ killed by SIGKILL (core dumped) +++\n10 1.2 exit_group(3) = ?\n10 1.3 +++ exited with 3 +++\n";

    #[test]
    fn fixture_end_lines_per_process() {
        assert_eq!(process_end(FIXTURE_ENDS, Some(10)), Ok(Some((4, EndLine::Exited(3)))));
        assert_eq!(process_end(FIXTURE_ENDS, Some(11)), Ok(Some((2, EndLine::Killed { signal: "SIGKILL".into(), core_dumped: true }))));
        assert_eq!(process_end(FIXTURE_ENDS, Some(12)), Ok(None));
        // Without pid prefixes every line is the root's.
        assert_eq!(
            process_end(b"execve(\"/p\", [], []) = 0\n+++ killed by SIGTERM +++\n", None),
            Ok(Some((2, EndLine::Killed { signal: "SIGTERM".into(), core_dumped: false })))
        );
        assert_eq!(process_end(b"10 1.0 +++ exited with 300 +++\n", Some(10)), Err((1, "exit code \"300\" is not 0..255".into())));
        assert!(process_end(b"10 1.0 +++ vanished +++\n", Some(10)).unwrap_err().1.contains("unknown end line"));
        assert_eq!(process_end(b"10 1.0 +++ superseded by execve in pid 11 +++\n", Some(10)), Ok(None));
    }

    #[test]
    fn fixture_bad_first_lines_are_rejected() {
        let bad: [(&[u8], &str); 6] = [
            (b"", "empty"),
            (b"4082  1700000000.123456 brk(NULL) = 0x55\n4082 execve(\"/x\") = 0\n", "does not start with an execve("),
            (b"4082  1700000000.123456 execveat(AT_FDCWD, \"/x\", [], [], 0) = 0", "does not start with an execve("),
            (b"1 2 3 execve(\"/x\", [], []) = 0", "does not start with an execve("),
            (b"4082 execve(/x, [], []) = 0", "not a complete string literal"),
            (b"4082 execve(\"/x", "not a complete string literal"),
        ];
        for (text, why) in bad {
            let err = root_execve(text).expect_err(&String::from_utf8_lossy(text));
            assert!(err.contains(why), "{err}");
        }
    }
}
