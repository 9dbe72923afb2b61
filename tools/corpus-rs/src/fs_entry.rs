//! The filesystem manifest of a case (`case.json` → `fs`): what each path the
//! capture passed to execve/execveat/chdir (and each `#!` interpreter, each
//! symlink target) was on the capturing machine, so a replay can decide exec
//! and chdir results without guessing. Read through a loose raw form and
//! converted into a tagged type, so a malformed entry gets a precise message.

use crate::path_text::{dirname, is_normal_absolute, resolve};
use serde_derive::Deserialize;
use std::collections::HashSet;
use std::fmt;

/// Permission bits plus setuid/setgid/sticky (`st_mode & 07777`), written in
/// the JSON as exactly four octal digits ("0755").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mode(pub u16);

impl Mode {
    pub fn parse(text: &str) -> Result<Mode, String> {
        if text.len() != 4 || !text.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return Err(format!("mode \"{text}\" is not four octal digits"));
        }
        // Four octal digits are at most 0o7777, which fits.
        Ok(Mode(u16::from_str_radix(text, 8).map_err(|e| e.to_string())?))
    }

    /// Whether any execute bit (owner, group or other) is set.
    pub fn any_exec(self) -> bool {
        self.0 & 0o111 != 0
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04o}", self.0)
    }
}

/// Why a path did not exist (lstat's errno).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbsentErrno {
    Enoent,
    Enotdir,
}

/// How the kernel would treat a regular file given to execve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exec {
    /// Starts with the ELF magic.
    Elf,
    /// Starts with `#!`: the interpreter and its one optional argument (fs/binfmt_script.c).
    Script { interpreter: String, interpreter_arg: Option<String> },
    /// Neither: execve fails with ENOEXEC (the shell may then run it itself).
    None,
}

/// What the capture recorded of a regular file's bytes: for a file in the working directory that
/// the run only read, its size (st_size, which every read of the run saw), and its whole text
/// when the bytes are UTF-8 and at most 65,536 of them. Lets a replay decide read results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileData {
    pub size: u64,
    pub content: Option<String>,
}

/// The most content bytes the capture tool records.
pub const MAX_CONTENT_BYTES: usize = 65_536;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FsKind {
    Absent {
        errno: AbsentErrno,
    },
    Directory {
        mode: Mode,
    },
    File {
        mode: Mode,
        exec: Exec,
        /// None when the capture did not record the file's bytes.
        data: Option<FileData>,
    },
    /// Not followed when described; its target is described as its own entry.
    Symlink {
        mode: Mode,
        target: String,
    },
    /// Device, FIFO, socket.
    Other {
        mode: Mode,
    },
}

/// One entry of the filesystem manifest.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawFsEntry")]
pub struct FsEntry {
    /// Absolute, normalized path.
    pub path: String,
    pub kind: FsKind,
}

/// The entry as written; unknown extra fields are ignored.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFsEntry {
    path: String,
    kind: String,
    mode: Option<String>,
    exec: Option<String>,
    interpreter: Option<String>,
    interpreter_arg: Option<String>,
    target: Option<String>,
    errno: Option<String>,
    size: Option<u64>,
    content: Option<String>,
}

impl TryFrom<RawFsEntry> for FsEntry {
    type Error = String;

    fn try_from(raw: RawFsEntry) -> Result<Self, String> {
        let at = |why: String| format!("fs entry \"{}\": {why}", raw.path);
        let mode = || -> Result<Mode, String> {
            Mode::parse(raw.mode.as_deref().ok_or_else(|| at(format!("kind \"{}\" needs a mode", raw.kind)))?).map_err(at)
        };
        // A field that belongs to another kind means the writer and this reader disagree.
        let forbid = |name: &str, present: bool| -> Result<(), String> {
            if present {
                Err(at(format!("field \"{name}\" does not belong to kind \"{}\"", raw.kind)))
            } else {
                Ok(())
            }
        };
        let kind_is = |k: &str| raw.kind == k;
        forbid("exec", raw.exec.is_some() && !kind_is("file"))?;
        forbid("interpreter", raw.interpreter.is_some() && raw.exec.as_deref() != Some("script"))?;
        forbid("interpreterArg", raw.interpreter_arg.is_some() && raw.exec.as_deref() != Some("script"))?;
        forbid("target", raw.target.is_some() && !kind_is("symlink"))?;
        forbid("errno", raw.errno.is_some() && !kind_is("absent"))?;
        forbid("mode", raw.mode.is_some() && kind_is("absent"))?;
        forbid("size", raw.size.is_some() && !kind_is("file"))?;
        forbid("content", raw.content.is_some() && !kind_is("file"))?;

        let kind = match raw.kind.as_str() {
            "absent" => FsKind::Absent {
                errno: match raw.errno.as_deref() {
                    Some("ENOENT") => AbsentErrno::Enoent,
                    Some("ENOTDIR") => AbsentErrno::Enotdir,
                    Some(other) => return Err(at(format!("errno \"{other}\" is not ENOENT or ENOTDIR"))),
                    None => return Err(at("kind \"absent\" needs an errno".to_string())),
                },
            },
            "directory" => FsKind::Directory { mode: mode()? },
            "other" => FsKind::Other { mode: mode()? },
            "symlink" => match raw.target.as_deref() {
                Some(t) if !t.is_empty() => FsKind::Symlink { mode: mode()?, target: t.to_string() },
                _ => return Err(at("kind \"symlink\" needs a non-empty target".to_string())),
            },
            "file" => {
                let exec = match raw.exec.as_deref() {
                    Some("elf") => Exec::Elf,
                    Some("none") => Exec::None,
                    Some("script") => match raw.interpreter.as_deref() {
                        Some(i) if !i.is_empty() => {
                            if raw.interpreter_arg.as_deref() == Some("") {
                                return Err(at("interpreterArg is empty (omit it instead)".to_string()));
                            }
                            Exec::Script { interpreter: i.to_string(), interpreter_arg: raw.interpreter_arg.clone() }
                        }
                        _ => return Err(at("exec \"script\" needs a non-empty interpreter".to_string())),
                    },
                    Some(other) => return Err(at(format!("exec \"{other}\" is not elf, script or none"))),
                    None => return Err(at("kind \"file\" needs exec".to_string())),
                };
                let data = match (raw.size, raw.content.as_ref()) {
                    (None, None) => None,
                    (None, Some(_)) => return Err(at("content is recorded only with size".to_string())),
                    (Some(size), None) => Some(FileData { size, content: None }),
                    (Some(size), Some(text)) => {
                        // The text is the file's bytes as UTF-8: their count is the size.
                        if text.len() as u64 != size {
                            return Err(at(format!("content is {} bytes of UTF-8 but size is {size}", text.len())));
                        }
                        if text.len() > MAX_CONTENT_BYTES {
                            return Err(at(format!("content is {} bytes, over the {MAX_CONTENT_BYTES} recorded at most", text.len())));
                        }
                        Some(FileData { size, content: Some(text.clone()) })
                    }
                };
                FsKind::File { mode: mode()?, exec, data }
            }
            other => return Err(at(format!("kind \"{other}\" is not absent, directory, file, symlink or other"))),
        };
        Ok(FsEntry { path: raw.path, kind })
    }
}

/// Problems with a whole manifest, each with the index of the entry it is
/// about: paths absolute and normal, sorted (by UTF-16 code units, the order
/// the capture tools sort in) and unique, and closed — every symlink's target
/// and every absolute script interpreter has its own entry.
pub fn check_fs_manifest(entries: &[FsEntry]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let present: HashSet<&str> = entries.iter().map(|e| e.path.as_str()).collect();
    for (i, e) in entries.iter().enumerate() {
        if !is_normal_absolute(&e.path) {
            out.push((i, format!("path \"{}\" is not absolute and normalized", e.path)));
        }
        if i > 0 {
            let prev = &entries[i - 1].path;
            match prev.encode_utf16().cmp(e.path.encode_utf16()) {
                std::cmp::Ordering::Less => {}
                std::cmp::Ordering::Equal => out.push((i, format!("path \"{}\" listed twice", e.path))),
                std::cmp::Ordering::Greater => out.push((i, format!("path \"{}\" is out of order (after \"{prev}\")", e.path))),
            }
        }
        match &e.kind {
            FsKind::Symlink { target, .. } => {
                let resolved = resolve(dirname(&e.path), target);
                if !present.contains(resolved.as_str()) {
                    out.push((i, format!("symlink target \"{resolved}\" has no entry of its own")));
                }
            }
            FsKind::File { exec: Exec::Script { interpreter, .. }, .. } if interpreter.starts_with('/') => {
                let resolved = resolve("/", interpreter);
                if !present.contains(resolved.as_str()) {
                    out.push((i, format!("script interpreter \"{resolved}\" has no entry of its own")));
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<FsEntry, String> {
        serde_json::from_str::<FsEntry>(json).map_err(|e| e.to_string())
    }

    #[test]
    fn fixture_each_kind_parses() {
        assert_eq!(
            parse(r#"{"path":"/bin/true","kind":"file","mode":"0755","exec":"elf"}"#).unwrap().kind,
            FsKind::File { mode: Mode(0o755), exec: Exec::Elf, data: None }
        );
        assert_eq!(
            parse(r#"{"path":"/w/in.txt","kind":"file","mode":"0644","exec":"none","size":6,"content":"h\u00e9\u00e9\n"}"#).unwrap().kind,
            FsKind::File { mode: Mode(0o644), exec: Exec::None, data: Some(FileData { size: 6, content: Some("h\u{e9}\u{e9}\n".into()) }) }
        );
        assert_eq!(
            parse(r#"{"path":"/w/big.bin","kind":"file","mode":"0644","exec":"none","size":1000000}"#).unwrap().kind,
            FsKind::File { mode: Mode(0o644), exec: Exec::None, data: Some(FileData { size: 1_000_000, content: None }) }
        );
        assert_eq!(
            parse(r#"{"path":"/w/s","kind":"file","mode":"0700","exec":"script","interpreter":"/usr/bin/env","interpreterArg":"python3"}"#)
                .unwrap()
                .kind,
            FsKind::File {
                mode: Mode(0o700),
                exec: Exec::Script { interpreter: "/usr/bin/env".into(), interpreter_arg: Some("python3".into()) },
                data: None
            }
        );
        assert_eq!(
            parse(r#"{"path":"/nope","kind":"absent","errno":"ENOENT"}"#).unwrap().kind,
            FsKind::Absent { errno: AbsentErrno::Enoent }
        );
        assert_eq!(
            parse(r#"{"path":"/bin","kind":"symlink","mode":"0777","target":"usr/bin","futureField":1}"#).unwrap().kind,
            FsKind::Symlink { mode: Mode(0o777), target: "usr/bin".into() }
        );
        assert_eq!(parse(r#"{"path":"/tmp","kind":"directory","mode":"1777"}"#).unwrap().kind, FsKind::Directory { mode: Mode(0o1777) });
    }

    #[test]
    fn fixture_malformed_entries_are_rejected_with_the_reason() {
        let cases = [
            (r#"{"path":"/x","kind":"file","mode":"755","exec":"elf"}"#, "not four octal digits"),
            (r#"{"path":"/x","kind":"file","mode":"0758","exec":"elf"}"#, "not four octal digits"),
            (r#"{"path":"/x","kind":"file","exec":"elf"}"#, "needs a mode"),
            (r#"{"path":"/x","kind":"file","mode":"0755"}"#, "needs exec"),
            (r#"{"path":"/x","kind":"file","mode":"0755","exec":"script"}"#, "needs a non-empty interpreter"),
            (r#"{"path":"/x","kind":"file","mode":"0755","exec":"pe"}"#, "is not elf, script or none"),
            (r#"{"path":"/x","kind":"fifo","mode":"0755"}"#, "is not absent"),
            (r#"{"path":"/x","kind":"absent"}"#, "needs an errno"),
            (r#"{"path":"/x","kind":"absent","errno":"EACCES"}"#, "not ENOENT or ENOTDIR"),
            (r#"{"path":"/x","kind":"absent","errno":"ENOENT","mode":"0755"}"#, "\"mode\" does not belong"),
            (r#"{"path":"/x","kind":"directory","mode":"0755","target":"/y"}"#, "\"target\" does not belong"),
            (r#"{"path":"/x","kind":"file","mode":"0755","exec":"elf","interpreter":"/bin/sh"}"#, "\"interpreter\" does not belong"),
            (r#"{"path":"/x","kind":"symlink","mode":"0777"}"#, "needs a non-empty target"),
            (r#"{"kind":"directory","mode":"0755"}"#, "missing field `path`"),
            (r#"{"path":"/x","kind":"file","mode":"0644","exec":"none","content":"a"}"#, "content is recorded only with size"),
            (
                r#"{"path":"/x","kind":"file","mode":"0644","exec":"none","size":2,"content":"\u00e9\u00e9"}"#,
                "4 bytes of UTF-8 but size is 2",
            ),
            (r#"{"path":"/x","kind":"directory","mode":"0755","size":4}"#, "\"size\" does not belong"),
            (r#"{"path":"/x","kind":"symlink","mode":"0777","target":"y","content":""}"#, "\"content\" does not belong"),
            (r#"{"path":"/x","kind":"file","mode":"0644","exec":"none","size":-1}"#, "invalid value"),
        ];
        for (json, why) in cases {
            let err = parse(json).expect_err(json);
            assert!(err.contains(why), "{json}: got {err}");
        }
    }

    fn entry(path: &str, kind: FsKind) -> FsEntry {
        FsEntry { path: path.into(), kind }
    }

    #[test]
    fn fixture_manifest_order_uniqueness_and_closure() {
        let dir = FsKind::Directory { mode: Mode(0o755) };
        let elf = FsKind::File { mode: Mode(0o755), exec: Exec::Elf, data: None };
        let good = vec![
            entry("/bin", FsKind::Symlink { mode: Mode(0o777), target: "usr/bin".into() }),
            entry("/tmp/forkscope/work", dir.clone()),
            entry(
                "/tmp/forkscope/work/s",
                FsKind::File { mode: Mode(0o755), exec: Exec::Script { interpreter: "/bin/sh".into(), interpreter_arg: None }, data: None },
            ),
            entry("/usr/bin", dir.clone()),
        ];
        // "/bin/sh" is missing: the interpreter is not described.
        assert_eq!(check_fs_manifest(&good), vec![(2, "script interpreter \"/bin/sh\" has no entry of its own".to_string())]);
        let mut closed = good.clone();
        closed.insert(1, entry("/bin/sh", elf.clone()));
        assert_eq!(check_fs_manifest(&closed), vec![]);

        let unsorted = vec![entry("/usr", dir.clone()), entry("/bin", dir.clone())];
        assert_eq!(check_fs_manifest(&unsorted)[0].0, 1);
        let twice = vec![entry("/usr", dir.clone()), entry("/usr", dir.clone())];
        assert!(check_fs_manifest(&twice)[0].1.contains("listed twice"));
        let relative = vec![entry("usr/bin", dir.clone())];
        assert!(check_fs_manifest(&relative)[0].1.contains("not absolute"));
        let dangling = vec![entry("/lib", FsKind::Symlink { mode: Mode(0o777), target: "usr/lib".into() })];
        assert_eq!(check_fs_manifest(&dangling), vec![(0, "symlink target \"/usr/lib\" has no entry of its own".to_string())]);
    }
}
