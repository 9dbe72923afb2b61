//! The process-creation calls a case promises its capture contains
//! (corpus/README.md, "promises"). A closed set: a name this crate does not
//! know is reported, so a consumer learns that the format grew.

use serde_derive::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
pub enum Promise {
    /// clone3 with CLONE_VM|CLONE_VFORK (glibc >= 2.34 posix_spawn, Rust Command).
    #[serde(rename = "clone3-vfork")]
    Clone3Vfork,
    /// Legacy clone with CLONE_VM|CLONE_VFORK.
    #[serde(rename = "clone-vfork")]
    CloneVfork,
    /// The vfork system call itself.
    #[serde(rename = "vfork")]
    Vfork,
    /// fork, or clone/clone3 without CLONE_VM and CLONE_THREAD.
    #[serde(rename = "fork")]
    Fork,
    /// clone/clone3 with CLONE_THREAD.
    #[serde(rename = "thread")]
    Thread,
    /// Any clone3 call.
    #[serde(rename = "clone3")]
    Clone3,
    /// An execve besides the root process's own.
    #[serde(rename = "execve")]
    Execve,
    /// No process creation at all (e.g. argument-error cases).
    #[serde(rename = "none")]
    None,
}

impl Promise {
    pub const ALL: [Promise; 8] = [
        Promise::Clone3Vfork,
        Promise::CloneVfork,
        Promise::Vfork,
        Promise::Fork,
        Promise::Thread,
        Promise::Clone3,
        Promise::Execve,
        Promise::None,
    ];

    /// The name used in the JSON files.
    pub fn as_str(self) -> &'static str {
        match self {
            Promise::Clone3Vfork => "clone3-vfork",
            Promise::CloneVfork => "clone-vfork",
            Promise::Vfork => "vfork",
            Promise::Fork => "fork",
            Promise::Thread => "thread",
            Promise::Clone3 => "clone3",
            Promise::Execve => "execve",
            Promise::None => "none",
        }
    }
}

impl fmt::Display for Promise {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Problems with a list of promises as a whole: empty or repeated. (`none`
/// means no other task ever appeared, so it may go with `clone3` for a case
/// whose clone3 calls all fail.)
pub fn check_promises(promises: &[Promise]) -> Vec<String> {
    let mut out = Vec::new();
    if promises.is_empty() {
        out.push("no promises (use \"none\" for a case that creates no process)".to_string());
    }
    for (i, p) in promises.iter().enumerate() {
        if promises[..i].contains(p) {
            out.push(format!("promise \"{p}\" listed twice"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_json() {
        for p in Promise::ALL {
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
            let back: Promise = serde_json::from_str(&json).unwrap();
            assert_eq!(back, p);
        }
    }

    #[test]
    fn fixture_unknown_promise_is_rejected() {
        let err = serde_json::from_str::<Promise>("\"posix_spawn\"").unwrap_err();
        assert!(err.to_string().contains("unknown variant"), "{err}");
    }

    #[test]
    fn list_checks() {
        assert!(check_promises(&[Promise::Clone3Vfork, Promise::Execve]).is_empty());
        assert!(check_promises(&[Promise::None]).is_empty());
        assert_eq!(check_promises(&[]).len(), 1);
        assert_eq!(check_promises(&[Promise::Fork, Promise::Fork]), vec!["promise \"fork\" listed twice"]);
        assert!(check_promises(&[Promise::Clone3, Promise::None]).is_empty());
    }
}
