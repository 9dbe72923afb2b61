//! `corpus/<family>/<case>/case.json`: how the case was run and what it did
//! (argv, environment, tool versions, stdout, exit status), the promises its
//! capture keeps, and the filesystem manifest. Unknown extra fields are
//! ignored so the format can grow.

use crate::fs_entry::{check_fs_manifest, FsEntry};
use crate::path_text::is_normal_absolute;
use crate::problem::JsonPointer;
use crate::promise::{check_promises, Promise};
use crate::signal::signal_number;
use serde_derive::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseFile {
    /// `<family>/<case>`, the same as its directory below the corpus root.
    pub id: String,
    pub family: String,
    pub description: String,
    /// The traced root program's argv; `argv[0]` is what strace executed.
    pub argv: Vec<String>,
    /// Working directory of the root process (absolute).
    pub cwd: String,
    /// The root process's whole environment.
    pub env: BTreeMap<String, String>,
    /// Text fed to the program's standard input, if any.
    #[serde(default)]
    pub stdin: Option<String>,
    pub strace: StraceInfo,
    pub versions: Versions,
    /// When the capture was made (UTC, ISO 8601).
    pub date: String,
    /// The traced program's own standard output.
    pub stdout: String,
    pub exit_status: ExitStatus,
    pub promises: Vec<Promise>,
    pub fs: Vec<FsEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct StraceInfo {
    pub version: String,
    /// The options before `-o FILE`, e.g. `["-f", "-ttt", "-T", "-s", "256"]`.
    pub flags: Vec<String>,
}

/// Versions of the software that shaped the capture.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Versions {
    /// `uname -r`
    pub kernel: String,
    pub glibc: String,
    pub python: String,
    pub dash: String,
    pub rustc: String,
    pub gcc: String,
}

/// How the traced root process ended, as its parent (strace) saw it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawExitStatus")]
pub enum ExitStatus {
    /// exit(code): 0..=255.
    Exited { code: u8 },
    /// Killed by a signal (its name, e.g. "SIGKILL"; validated), maybe with a core dump.
    Killed { signal: String, core_dumped: bool },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawExitStatus {
    code: Option<i64>,
    signal: Option<String>,
    core_dumped: Option<bool>,
}

impl TryFrom<RawExitStatus> for ExitStatus {
    type Error = String;

    fn try_from(raw: RawExitStatus) -> Result<Self, String> {
        match (raw.code, raw.signal) {
            (Some(code), None) => {
                if raw.core_dumped.is_some() {
                    return Err("exitStatus: coreDumped goes with signal, not code".to_string());
                }
                let code = u8::try_from(code).map_err(|_| format!("exitStatus: code {code} is outside 0..255"))?;
                Ok(ExitStatus::Exited { code })
            }
            (None, Some(signal)) => {
                if signal_number(&signal).is_none() {
                    return Err(format!("exitStatus: \"{signal}\" is not a Linux signal name"));
                }
                Ok(ExitStatus::Killed { signal, core_dumped: raw.core_dumped.unwrap_or(false) })
            }
            (Some(_), Some(_)) => Err("exitStatus: has both code and signal".to_string()),
            (None, None) => Err("exitStatus: needs code or signal".to_string()),
        }
    }
}

impl std::fmt::Display for ExitStatus {
    /// `exited with 0`, `killed by SIGSEGV (core dumped)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExitStatus::Exited { code } => write!(f, "exited with {code}"),
            ExitStatus::Killed { signal, core_dumped } => {
                write!(f, "killed by {signal}{}", if *core_dumped { " (core dumped)" } else { "" })
            }
        }
    }
}

impl CaseFile {
    /// The case's own name: the part of the id after `<family>/`.
    pub fn case_name(&self) -> Option<&str> {
        self.id.strip_prefix(&self.family)?.strip_prefix('/')
    }

    /// Problems inside this one file (not needing the manifest or the capture),
    /// each with the pointer of the value it is about.
    pub fn check(&self) -> Vec<(JsonPointer, String)> {
        let root = JsonPointer::root();
        let mut out = Vec::new();
        match self.case_name() {
            Some(name) if is_name(name) && is_name(&self.family) => {}
            _ => out.push((root.key("id"), format!("id \"{}\" is not \"{}/<case>\"", self.id, self.family))),
        }
        match self.argv.first() {
            None => out.push((root.key("argv"), "argv is empty (argv[0] names the traced program)".to_string())),
            Some(a0) if !a0.starts_with('/') => out.push((root.key("argv").index(0), format!("argv[0] \"{a0}\" is not an absolute path"))),
            Some(_) => {}
        }
        if self.description.is_empty() {
            out.push((root.key("description"), "description is empty".to_string()));
        }
        if self.strace.version.is_empty() {
            out.push((root.key("strace").key("version"), "strace version is empty".to_string()));
        }
        if !is_normal_absolute(&self.cwd) {
            out.push((root.key("cwd"), format!("cwd \"{}\" is not absolute and normalized", self.cwd)));
        }
        if self.strace.flags.is_empty() {
            out.push((root.key("strace").key("flags"), "no strace flags recorded".to_string()));
        } else if !self.strace.flags.iter().any(|f| f == "-f") {
            // Without -f the children are not in the capture at all.
            out.push((root.key("strace").key("flags"), "strace flags lack -f (children would be untraced)".to_string()));
        }
        for why in check_promises(&self.promises) {
            out.push((root.key("promises"), why));
        }
        for (i, why) in check_fs_manifest(&self.fs) {
            out.push((root.key("fs").index(i), why));
        }
        out
    }
}

/// A family or case name as the schema allows it: `[A-Za-z0-9_][A-Za-z0-9_.-]*`
/// (so never empty, `.` or `..`, and never containing a slash).
pub(crate) fn is_name(s: &str) -> bool {
    let mut bytes = s.bytes();
    match bytes.next() {
        Some(b) if b.is_ascii_alphanumeric() || b == b'_' => {}
        _ => return false,
    }
    bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}
