//! `corpus/manifest.json`: the index of every case directory, with the
//! format version a consumer checks before reading anything else.

use crate::case_file::is_name;
use crate::problem::JsonPointer;
use crate::promise::Promise;
use serde_derive::Deserialize;
use std::collections::HashSet;

/// The corpus format this crate reads.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub format_version: u32,
    pub cases: Vec<ManifestEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ManifestEntry {
    /// `<family>/<case>`
    pub id: String,
    pub family: String,
    /// Directory of the case relative to the corpus root (`<family>/<case>`).
    pub path: String,
    pub description: String,
    pub promises: Vec<Promise>,
}

impl Manifest {
    /// Problems inside the manifest alone: format version, id and path shape,
    /// ids sorted (by UTF-16 code units, as the capture tools sort) and unique,
    /// paths unique.
    pub fn check(&self) -> Vec<(JsonPointer, String)> {
        let root = JsonPointer::root();
        let mut out = Vec::new();
        if self.format_version != FORMAT_VERSION {
            out.push((
                root.key("formatVersion"),
                format!("formatVersion {} is not {FORMAT_VERSION}, the version this reader understands", self.format_version),
            ));
        }
        let mut ids = HashSet::new();
        let mut paths = HashSet::new();
        for (i, e) in self.cases.iter().enumerate() {
            let at = root.key("cases").index(i);
            if !ids.insert(e.id.as_str()) {
                out.push((at.key("id"), format!("id \"{}\" listed twice", e.id)));
            }
            if !paths.insert(e.path.as_str()) {
                out.push((at.key("path"), format!("path \"{}\" listed twice", e.path)));
            }
            let shaped =
                e.id.strip_prefix(e.family.as_str())
                    .and_then(|rest| rest.strip_prefix('/'))
                    .is_some_and(|name| is_name(name) && is_name(&e.family));
            if !shaped {
                out.push((at.key("id"), format!("id \"{}\" is not \"{}/<case>\"", e.id, e.family)));
            }
            if i > 0 && self.cases[i - 1].id.encode_utf16().cmp(e.id.encode_utf16()) == std::cmp::Ordering::Greater {
                out.push((at.key("id"), format!("id \"{}\" is out of order (after \"{}\")", e.id, self.cases[i - 1].id)));
            }
            if e.path != e.id {
                out.push((at.key("path"), format!("path \"{}\" differs from id \"{}\"", e.path, e.id)));
            }
        }
        out
    }
}
