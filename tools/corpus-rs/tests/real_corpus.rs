//! The real corpus at the repository root (`../../corpus`): it must load with
//! no problem at all, and what was loaded must agree with the raw files.

mod common;

use corpus_rs::{load_corpus, FsKind};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;

fn corpus() -> corpus_rs::Corpus {
    let root = common::real_corpus();
    load_corpus(&root).unwrap_or_else(|problems| {
        let list: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        panic!("{} problem(s) in {}:\n{}", list.len(), root.display(), list.join("\n"))
    })
}

#[test]
fn real_corpus_loads_without_problems() {
    let c = corpus();
    assert!(!c.cases.is_empty(), "the corpus lists no cases");
    assert_eq!(c.cases.len(), c.manifest.cases.len());
}

#[test]
fn real_corpus_cases_match_the_directories_on_disk() {
    // Independently of the library: every <family>/<case>/case.json on disk, by directory name.
    let root = common::real_corpus();
    let mut on_disk = BTreeSet::new();
    for family in fs::read_dir(&root).unwrap().filter_map(Result::ok).filter(|e| e.path().is_dir()) {
        for case in fs::read_dir(family.path()).unwrap().filter_map(Result::ok) {
            if case.path().join("case.json").is_file() {
                on_disk.insert(format!("{}/{}", family.file_name().to_string_lossy(), case.file_name().to_string_lossy()));
            }
        }
    }
    let loaded: BTreeSet<String> = corpus().cases.iter().map(|c| c.id().to_string()).collect();
    assert_eq!(loaded, on_disk);
}

#[test]
fn real_corpus_typed_fields_agree_with_the_raw_json() {
    let mut with_content = 0;
    for case in corpus().cases {
        let raw: Value = serde_json::from_str(&fs::read_to_string(case.dir.join("case.json")).unwrap()).unwrap();
        let id = case.id();
        assert_eq!(raw["argv"].as_array().map(Vec::len), Some(case.meta.argv.len()), "{id}");
        assert_eq!(raw["fs"].as_array().map(Vec::len), Some(case.meta.fs.len()), "{id}");
        let promises: Vec<&str> = case.meta.promises.iter().map(|p| p.as_str()).collect();
        let raw_promises: Vec<&str> = raw["promises"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        assert_eq!(promises, raw_promises, "{id}");
        for (entry, raw_entry) in case.meta.fs.iter().zip(raw["fs"].as_array().unwrap()) {
            assert_eq!(Some(entry.path.as_str()), raw_entry["path"].as_str(), "{id}");
            if let FsKind::File { mode, .. } | FsKind::Directory { mode } | FsKind::Symlink { mode, .. } | FsKind::Other { mode } =
                &entry.kind
            {
                assert_eq!(Some(mode.to_string().as_str()), raw_entry["mode"].as_str(), "{id} {}", entry.path);
            }
            // A regular file's recorded bytes: the size, and the text when there is one.
            let data = match &entry.kind {
                FsKind::File { data, .. } => data.as_ref(),
                _ => None,
            };
            assert_eq!(data.map(|d| d.size), raw_entry["size"].as_u64(), "{id} {}", entry.path);
            assert_eq!(data.and_then(|d| d.content.as_deref()), raw_entry["content"].as_str(), "{id} {}", entry.path);
            if data.is_some_and(|d| d.content.is_some()) {
                with_content += 1;
            }
        }
        // The capture's first line names the program of argv[0] (checked by the library too;
        // here through the public helper, on the raw bytes).
        let head = corpus_rs::root_execve(&case.read_capture().unwrap()).unwrap();
        assert_eq!(head.path, case.meta.argv[0].as_bytes(), "{id}");
        assert!(head.pid.is_some(), "{id}: strace -f -o captures carry a pid prefix");
    }
    // dash/redirection reads a file of its working directory, recorded whole.
    assert!(with_content > 0, "no case records a file's content");
}
