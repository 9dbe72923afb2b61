//! Shared helpers for the integration tests: temporary corpus directories
//! built from inline fixtures.
#![allow(dead_code)] // each test file uses a different subset

use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The real corpus at the repository root.
pub fn real_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus")
}

/// A directory under the system temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!("corpus-rs-{}-{}-{tag}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let p = self.0.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, contents).unwrap();
    }

    pub fn write_json(&self, rel: &str, v: &Value) {
        self.write(rel, format!("{}\n", serde_json::to_string_pretty(v).unwrap()));
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Fixture: a well-formed case.json for `id` whose program is /w/prog (an ELF
/// reached through the symlink /w/link is not needed: argv[0] is the file).
pub fn fixture_case(id: &str) -> Value {
    let (family, _) = id.split_once('/').unwrap();
    json!({
        "id": id,
        "family": family,
        "description": format!("fixture case {id}"),
        "argv": ["/w/prog", "arg"],
        "cwd": "/w",
        "env": { "PATH": "/usr/bin:/bin" },
        "strace": { "version": "6.1", "flags": ["-f", "-ttt", "-T", "-s", "256"] },
        "versions": { "kernel": "6.1.0", "glibc": "glibc 2.36", "python": "Python 3.11.2", "dash": "dash 0.5.12-2", "rustc": "rustc 1.95.0", "gcc": "gcc 12.2.0" },
        "date": "2026-11-26T20:50:04.034Z",
        "stdout": "ok\n",
        "exitStatus": { "code": 0 },
        "promises": ["vfork", "execve"],
        "fs": [
            { "path": "/bin", "kind": "symlink", "mode": "0777", "target": "usr/bin" },
            { "path": "/usr/bin", "kind": "directory", "mode": "0755" },
            { "path": "/w/prog", "kind": "file", "mode": "0755", "exec": "elf" }
        ]
    })
}

/// Fixture: the manifest entry that goes with `fixture_case(id)`.
pub fn fixture_entry(id: &str) -> Value {
    let case = fixture_case(id);
    json!({ "id": id, "family": case["family"], "path": id, "description": case["description"], "promises": case["promises"] })
}

/// Fixture: a short capture of /w/prog (vfork, the child execs /bin/true; both exit 0).
pub const FIXTURE_CAPTURE: &str = "100   1795726204.055288 execve(\"/w/prog\", [\"/w/prog\", \"arg\"], 0x7fff6aea39f0 /* 1 var */) = 0 <0.001187>\n100   1795726204.057044 vfork() = 101 <0.000139>\n101   1795726204.057100 execve(\"/bin/true\", [\"true\"], 0x7fff6aea39f0 /* 1 var */) = 0 <0.000200>\n101   1795726204.057300 +++ exited with 0 +++\n100   1795726204.057400 exit_group(0) = ?\n100   1795726204.057500 +++ exited with 0 +++\n";

/// Fixture: a normalized expected.json for the capture above — process 1
/// (exec'd as the case's argv) vforks 2, which execs and exits; 1 reaps it. Both orderings Linux
/// guarantees are present.
pub fn fixture_expected() -> Value {
    json!({
        "format": "forkscope-normalized",
        "version": 1,
        "processes": [
            {
                "pid": 1, "parent": null, "createdBy": null,
                "exit": { "kind": "exited", "code": 0 },
                "tasks": [ { "tid": 1, "thread": false, "signals": [
                        { "signal": "SIGCHLD", "code": "CLD_EXITED", "pid": 2, "status": 0 }
                    ], "events": [
                    { "kind": "exec", "call": "execve", "path": "/w/prog", "argv": ["/w/prog", "arg"], "argvTruncated": false, "result": 0 },
                    { "kind": "clone", "call": "vfork", "flags": ["CLONE_VFORK", "CLONE_VM"], "exitSignal": "SIGCHLD", "result": 2 },
                    { "kind": "wait", "call": "wait4", "target": { "kind": "pid", "pid": 2 }, "options": [], "result": 2, "child": 2,
                      "status": { "kind": "exited", "code": 0 } },
                    { "kind": "kill", "call": "kill", "target": { "kind": "pid", "pid": "external" }, "signal": "SIGTERM", "result": "ESRCH" },
                    { "kind": "exit-call", "call": "exit_group", "code": 0 },
                    { "kind": "exited", "code": 0 }
                ] } ]
            },
            {
                "pid": 2, "parent": 1, "createdBy": { "pid": 1, "index": 1 },
                "exit": { "kind": "exited", "code": 0 },
                "tasks": [ { "tid": 2, "thread": false, "signals": [], "events": [
                    { "kind": "exec", "call": "execve", "path": "/bin/true", "argv": ["true"], "argvTruncated": false, "result": 0 },
                    { "kind": "exit-call", "call": "exit_group", "code": 0 },
                    { "kind": "exited", "code": 0 }
                ] } ]
            }
        ],
        "orderings": [
            { "kind": "resumed-after", "reason": "vfork-released-by-exec", "call": { "pid": 1, "index": 1 }, "after": { "pid": 2, "index": 0 } },
            { "kind": "resumed-after", "reason": "wait-after-exit", "call": { "pid": 1, "index": 2 }, "after": { "pid": 2, "index": 2 } }
        ]
    })
}

/// Writes a whole well-formed fixture corpus with the given case ids (sorted).
pub fn fixture_corpus(ids: &[&str]) -> TempDir {
    let dir = TempDir::new("corpus");
    let entries: Vec<Value> = ids.iter().map(|id| fixture_entry(id)).collect();
    dir.write_json("manifest.json", &json!({ "formatVersion": 1, "cases": entries }));
    for id in ids {
        dir.write_json(&format!("{id}/case.json"), &fixture_case(id));
        dir.write(&format!("{id}/capture.strace"), FIXTURE_CAPTURE);
        dir.write_json(&format!("{id}/expected.json"), &fixture_expected());
    }
    dir
}
