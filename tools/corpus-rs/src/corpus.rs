//! Loading a whole corpus directory and checking that its files agree with
//! each other: the manifest with the case directories, each case.json with its
//! manifest entry and directory, each capture with its case.json, and each
//! expected.json with itself. Every problem is collected; nothing is skipped
//! without a problem saying so.

use crate::capture::{process_end, root_execve, EndLine};
use crate::case_file::ExitStatus;
use crate::case_file::{is_name, CaseFile};
use crate::expected::Expected;
use crate::manifest::{Manifest, ManifestEntry};
use crate::path_text::{is_normal_absolute, resolve};
use crate::problem::{JsonPointer, Problem};
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

pub const MANIFEST_FILE: &str = "manifest.json";
pub const CAPTURE_FILE: &str = "capture.strace";
pub const CASE_FILE: &str = "case.json";
pub const EXPECTED_FILE: &str = "expected.json";
/// The directory of JSON Schemas at the corpus root; never a family.
pub const SCHEMA_DIR: &str = "schema";

/// A loaded corpus: the manifest and every case whose files could be read.
#[derive(Debug, Clone)]
pub struct Corpus {
    pub root: PathBuf,
    pub manifest: Manifest,
    /// In manifest order.
    pub cases: Vec<Case>,
}

/// One case directory.
#[derive(Debug, Clone)]
pub struct Case {
    /// Its manifest entry.
    pub entry: ManifestEntry,
    /// `<corpus root>/<family>/<case>`.
    pub dir: PathBuf,
    pub meta: CaseFile,
    /// The normalized behaviour, when `expected.json` exists.
    pub expected: Option<Expected>,
}

impl Case {
    pub fn id(&self) -> &str {
        &self.entry.id
    }

    pub fn capture_path(&self) -> PathBuf {
        self.dir.join(CAPTURE_FILE)
    }

    /// The capture's bytes (strace -o output, as written).
    pub fn read_capture(&self) -> std::io::Result<Vec<u8>> {
        fs::read(self.capture_path())
    }
}

impl Corpus {
    pub fn case(&self, id: &str) -> Option<&Case> {
        self.cases.iter().find(|c| c.entry.id == id)
    }

    /// Family names in first-seen (manifest) order.
    pub fn families(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in &self.cases {
            if !out.contains(&c.entry.family.as_str()) {
                out.push(&c.entry.family);
            }
        }
        out
    }
}

/// The result of checking a corpus: what could be loaded, and every problem.
#[derive(Debug)]
pub struct Checked {
    /// `None` when the manifest itself could not be read.
    pub corpus: Option<Corpus>,
    pub problems: Vec<Problem>,
}

impl Checked {
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Loads the corpus and insists it is clean: the start of a harness.
pub fn load_corpus(root: &Path) -> Result<Corpus, Vec<Problem>> {
    let checked = check_corpus(root);
    match checked.corpus {
        Some(corpus) if checked.problems.is_empty() => Ok(corpus),
        _ => Err(checked.problems),
    }
}

/// Parses one JSON document, turning a syntax or shape error into a problem
/// at the line serde_json reports.
pub fn parse_json<T: DeserializeOwned>(file: &Path, text: &str) -> Result<T, Problem> {
    serde_json::from_str(text).map_err(|e| {
        // serde_json's message ends in " at line L column C"; keep only the reason.
        let full = e.to_string();
        let reason = match full.rfind(" at line ") {
            Some(i) if e.line() > 0 => full[..i].to_string(),
            _ => full,
        };
        if e.line() > 0 {
            Problem::at_line(file, e.line(), format!("{reason} (column {})", e.column()))
        } else {
            Problem::in_file(file, reason)
        }
    })
}

/// Reads a file as UTF-8 text, or says why not.
fn read_text(file: &Path) -> Result<String, Problem> {
    let bytes = fs::read(file).map_err(|e| Problem::in_file(file, format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Problem::in_file(file, format!("not UTF-8 (byte {})", e.utf8_error().valid_up_to())))
}

/// Loads everything it can from `root` and reports every inconsistency.
pub fn check_corpus(root: &Path) -> Checked {
    let mut problems = Vec::new();
    let manifest_path = root.join(MANIFEST_FILE);
    let manifest_text = match read_text(&manifest_path) {
        Ok(t) => t,
        Err(p) => return Checked { corpus: None, problems: vec![p] },
    };
    let manifest: Manifest = match parse_json(&manifest_path, &manifest_text) {
        Ok(m) => m,
        Err(p) => return Checked { corpus: None, problems: vec![p] },
    };
    for (ptr, why) in manifest.check() {
        problems.push(Problem::at_pointer(&manifest_path, &manifest_text, &ptr, why));
    }

    let mut cases = Vec::new();
    let mut listed: HashSet<PathBuf> = HashSet::new();
    for (i, entry) in manifest.cases.iter().enumerate() {
        let ptr = JsonPointer::root().key("cases").index(i);
        // Only a two-component relative path of plain names may be joined to the root.
        let mut parts = entry.path.split('/');
        let (Some(family), Some(name), None) = (parts.next(), parts.next(), parts.next()) else {
            problems.push(not_family_case(&manifest_path, &manifest_text, &ptr, &entry.path));
            continue;
        };
        if !is_name(family) || !is_name(name) || family == SCHEMA_DIR {
            problems.push(not_family_case(&manifest_path, &manifest_text, &ptr, &entry.path));
            continue;
        }
        let dir = root.join(family).join(name);
        listed.insert(dir.clone());
        if !dir.is_dir() {
            problems.push(Problem::at_pointer(
                &manifest_path,
                &manifest_text,
                &ptr.key("path"),
                format!("case directory {} does not exist", dir.display()),
            ));
            continue;
        }
        if let Some(case) = load_case(entry, &dir, &mut problems) {
            cases.push(case);
        }
    }
    problems.extend(unlisted_case_dirs(root, &listed, &manifest_path));
    Checked { corpus: Some(Corpus { root: root.to_path_buf(), manifest, cases }), problems }
}

fn not_family_case(manifest_path: &Path, manifest_text: &str, entry: &JsonPointer, path: &str) -> Problem {
    Problem::at_pointer(manifest_path, manifest_text, &entry.key("path"), format!("path \"{path}\" is not <family>/<case>"))
}

/// Loads and checks one case directory against its manifest entry. Returns the
/// case when its case.json could be read (even if other checks failed), so a
/// report can still show it; the problems say what is wrong.
fn load_case(entry: &ManifestEntry, dir: &Path, problems: &mut Vec<Problem>) -> Option<Case> {
    let case_path = dir.join(CASE_FILE);
    let capture_path = dir.join(CAPTURE_FILE);
    let text = match read_text(&case_path) {
        Ok(t) => t,
        Err(p) => {
            problems.push(p);
            return None;
        }
    };
    let meta: CaseFile = match parse_json(&case_path, &text) {
        Ok(m) => m,
        Err(p) => {
            problems.push(p);
            return None;
        }
    };
    let at = |ptr: JsonPointer, why: String| Problem::at_pointer(&case_path, &text, &ptr, why);
    let root = JsonPointer::root();
    for (ptr, why) in meta.check() {
        problems.push(at(ptr, why));
    }
    if meta.id != entry.id {
        problems.push(at(root.key("id"), format!("id \"{}\" differs from the manifest's \"{}\"", meta.id, entry.id)));
    }
    if meta.family != entry.family {
        problems.push(at(root.key("family"), format!("family \"{}\" differs from the manifest's \"{}\"", meta.family, entry.family)));
    }
    if meta.description != entry.description {
        problems.push(at(root.key("description"), "description differs from the manifest's".to_string()));
    }
    if meta.promises != entry.promises {
        problems.push(at(root.key("promises"), "promises differ from the manifest's".to_string()));
    }
    check_capture(&meta, &capture_path, &case_path, &text, problems);

    let expected_path = dir.join(EXPECTED_FILE);
    let expected = if expected_path.exists() { load_expected(&expected_path, &meta, problems) } else { None };
    Some(Case { entry: entry.clone(), dir: dir.to_path_buf(), meta, expected })
}

/// The capture exists, is not empty, starts with the root's execve of argv[0]
/// (absolute, so strace did no PATH search), that path is
/// described in the fs manifest, and the root's end line (`+++ exited with N
/// +++`) agrees with the case's exitStatus.
fn check_capture(meta: &CaseFile, capture_path: &Path, case_path: &Path, case_text: &str, problems: &mut Vec<Problem>) {
    let bytes = match fs::read(capture_path) {
        Ok(b) => b,
        Err(e) => {
            problems.push(Problem::in_file(capture_path, format!("cannot read: {e}")));
            return;
        }
    };
    let head = match root_execve(&bytes) {
        Ok(h) => h,
        Err(why) => {
            problems.push(if bytes.is_empty() { Problem::in_file(capture_path, why) } else { Problem::at_line(capture_path, 1, why) });
            return;
        }
    };
    match process_end(&bytes, head.pid) {
        Err((line, why)) => problems.push(Problem::at_line(capture_path, line, why)),
        Ok(None) => problems.push(Problem::in_file(capture_path, "no \"+++ exited/killed +++\" line for the root process")),
        Ok(Some((line, end))) => {
            let agrees = match (&end, &meta.exit_status) {
                (EndLine::Exited(a), ExitStatus::Exited { code: b }) => a == b,
                (EndLine::Killed { signal: a, core_dumped: ca }, ExitStatus::Killed { signal: b, core_dumped: cb }) => a == b && ca == cb,
                _ => false,
            };
            if !agrees {
                problems.push(Problem::at_line(
                    capture_path,
                    line,
                    format!("the root process {}, but the exitStatus of {} says {}", end, case_path.display(), meta.exit_status),
                ));
            }
        }
    }
    let Some(argv0) = meta.argv.first() else { return };
    let Ok(path) = String::from_utf8(head.path) else {
        problems.push(Problem::at_line(capture_path, 1, "execve path is not UTF-8"));
        return;
    };
    if head.truncated {
        problems.push(Problem::at_line(capture_path, 1, "execve path truncated by strace -s; cannot compare with argv[0]"));
        return;
    }
    if path != *argv0 {
        problems.push(Problem::at_line(
            capture_path,
            1,
            format!("root execve path \"{path}\" does not match argv[0] \"{argv0}\" of {}", case_path.display()),
        ));
    }
    if is_normal_absolute(&meta.cwd) {
        let resolved = resolve(&meta.cwd, &path);
        if !meta.fs.iter().any(|e| e.path == resolved) {
            problems.push(Problem::at_pointer(
                case_path,
                case_text,
                &JsonPointer::root().key("fs"),
                format!("the root execve path \"{resolved}\" has no fs entry"),
            ));
        }
    }
}

/// Loads expected.json, checks it on its own and against its case.json.
fn load_expected(path: &Path, meta: &CaseFile, problems: &mut Vec<Problem>) -> Option<Expected> {
    let text = match read_text(path) {
        Ok(t) => t,
        Err(p) => {
            problems.push(p);
            return None;
        }
    };
    let expected: Expected = match parse_json(path, &text) {
        Ok(e) => e,
        Err(p) => {
            problems.push(p);
            return None;
        }
    };
    for (ptr, why) in expected.check().into_iter().chain(expected.check_against(meta)) {
        problems.push(Problem::at_pointer(path, &text, &ptr, why));
    }
    Some(expected)
}

/// Case directories on disk (any `<family>/<case>/` holding a case.json or a
/// capture) that the manifest does not list: a manifest that forgot a case
/// would make every consumer skip it silently.
fn unlisted_case_dirs(root: &Path, listed: &HashSet<PathBuf>, manifest_path: &Path) -> Vec<Problem> {
    let mut found = Vec::new();
    let subdirs = |dir: &Path| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = match fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .map(|e| e.path())
                .collect(),
            Err(_) => Vec::new(),
        };
        v.sort();
        v
    };
    for family in subdirs(root) {
        if family.file_name().is_some_and(|n| n == SCHEMA_DIR) {
            continue;
        }
        for case in subdirs(&family) {
            let looks_like_case = case.join(CASE_FILE).exists() || case.join(CAPTURE_FILE).exists();
            if looks_like_case && !listed.contains(&case) {
                found.push(Problem::in_file(manifest_path, format!("case directory {} is not listed", case.display())));
            }
        }
    }
    found
}
