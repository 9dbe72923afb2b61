//! Whole corpus directories built from fixtures: a clean one loads, and each
//! kind of inconsistency between files is reported against the right file.

mod common;

use common::{fixture_case, fixture_corpus, fixture_entry, FIXTURE_CAPTURE};
use corpus_rs::{check_corpus, load_corpus, Problem};
use serde_json::json;
use std::fs;

fn shown(problems: &[Problem]) -> Vec<String> {
    problems.iter().map(|p| p.to_string()).collect()
}

/// Asserts exactly one problem, in a file ending with `file`, containing `why`.
fn assert_one(problems: &[Problem], file: &str, why: &str) {
    assert!(
        problems.len() == 1 && problems[0].file.ends_with(file) && problems[0].to_string().contains(why),
        "expected one problem in {file} containing {why:?}, got {:#?}",
        shown(problems)
    );
}

#[test]
fn fixture_clean_corpus_loads() {
    let dir = fixture_corpus(&["fam/a", "fam/b", "other/c"]);
    let corpus = load_corpus(dir.path()).unwrap_or_else(|p| panic!("{:#?}", shown(&p)));
    assert_eq!(corpus.cases.len(), 3);
    assert_eq!(corpus.families(), vec!["fam", "other"]);
    let c = corpus.case("fam/b").unwrap();
    assert_eq!(c.read_capture().unwrap(), FIXTURE_CAPTURE.as_bytes());
    assert!(c.expected.is_some());
}

#[test]
fn fixture_missing_manifest_gives_no_corpus() {
    let dir = fixture_corpus(&["fam/a"]);
    fs::remove_file(dir.path().join("manifest.json")).unwrap();
    let checked = check_corpus(dir.path());
    assert!(checked.corpus.is_none());
    assert_one(&checked.problems, "manifest.json", "cannot read");
}

#[test]
fn fixture_missing_or_empty_capture() {
    let dir = fixture_corpus(&["fam/a", "fam/b"]);
    fs::remove_file(dir.path().join("fam/a/capture.strace")).unwrap();
    dir.write("fam/b/capture.strace", "");
    let problems = check_corpus(dir.path()).problems;
    let got = shown(&problems);
    assert!(
        got.len() == 2 && got[0].contains("fam/a/capture.strace: cannot read") && got[1].contains("fam/b/capture.strace: capture is empty"),
        "{got:#?}"
    );
}

#[test]
fn fixture_capture_not_starting_with_execve() {
    let dir = fixture_corpus(&["fam/a"]);
    dir.write("fam/a/capture.strace", "100   1795726204.0 brk(NULL) = 0x1\n");
    let problems = check_corpus(dir.path()).problems;
    assert_one(&problems, "capture.strace", "does not start with an execve(");
    assert_eq!(problems[0].line, Some(1));
}

#[test]
fn fixture_capture_of_another_program() {
    let dir = fixture_corpus(&["fam/a"]);
    dir.write("fam/a/capture.strace", FIXTURE_CAPTURE.replacen("execve(\"/w/prog\"", "execve(\"/w/other\"", 1));
    let problems = check_corpus(dir.path()).problems;
    let got = shown(&problems);
    assert!(
        got.len() == 2 && got[0].contains("does not match argv[0] \"/w/prog\"") && got[1].contains("\"/w/other\" has no fs entry"),
        "{got:#?}"
    );
}

#[test]
fn fixture_case_json_disagreeing_with_manifest_and_directory() {
    let dir = fixture_corpus(&["fam/a"]);
    let mut v = fixture_case("fam/zz");
    v["description"] = json!("something else");
    dir.write_json("fam/a/case.json", &v);
    let got = shown(&check_corpus(dir.path()).problems);
    assert!(got.len() == 2, "{got:#?}");
    // serde_json writes keys sorted, so find the line of "id" in what was written.
    let text = fs::read_to_string(dir.path().join("fam/a/case.json")).unwrap();
    let id_line = text.lines().position(|l| l.starts_with("  \"id\"")).unwrap() + 1;
    let want = format!("fam/a/case.json:{id_line}: /id: id \"fam/zz\" differs from the manifest's \"fam/a\"");
    assert!(got[0].contains(&want), "{want} in {got:#?}");
    assert!(got[1].contains("/description: description differs"), "{got:#?}");
}

#[test]
fn fixture_promises_disagreeing_with_manifest() {
    let dir = fixture_corpus(&["fam/a"]);
    let mut v = fixture_case("fam/a");
    v["promises"] = json!(["vfork"]);
    dir.write_json("fam/a/case.json", &v);
    assert_one(&check_corpus(dir.path()).problems, "case.json", "promises differ from the manifest's");
}

#[test]
fn fixture_unreadable_case_json_is_reported_and_the_case_left_out() {
    let dir = fixture_corpus(&["fam/a", "fam/b"]);
    dir.write("fam/a/case.json", "{\n  \"id\": \"fam/a\",\n  oops\n}\n");
    let checked = check_corpus(dir.path());
    assert_one(&checked.problems, "fam/a/case.json", "case.json:3:");
    let corpus = checked.corpus.unwrap();
    assert_eq!(corpus.cases.iter().map(|c| c.id()).collect::<Vec<_>>(), vec!["fam/b"]);
}

#[test]
fn fixture_manifest_naming_a_missing_directory() {
    let dir = fixture_corpus(&["fam/a"]);
    let entries = json!([fixture_entry("fam/a"), fixture_entry("fam/gone")]);
    dir.write_json("manifest.json", &json!({ "formatVersion": 1, "cases": entries }));
    assert_one(&check_corpus(dir.path()).problems, "manifest.json", "/cases/1/path: case directory");
}

#[test]
fn fixture_manifest_path_escaping_the_corpus_is_not_followed() {
    let dir = fixture_corpus(&["fam/a"]);
    let mut e = fixture_entry("fam/a");
    e["path"] = json!("../fam");
    dir.write_json("manifest.json", &json!({ "formatVersion": 1, "cases": [e] }));
    let problems = check_corpus(dir.path()).problems;
    let got = shown(&problems);
    // The path is reported (differs from id; not <family>/<case>) and the case dir is then unlisted.
    assert!(got.iter().any(|p| p.contains("path \"../fam\" is not <family>/<case>")), "{got:#?}");
    assert!(got.iter().any(|p| p.contains("fam/a is not listed")), "{got:#?}");
}

#[test]
fn fixture_unlisted_case_directory() {
    let dir = fixture_corpus(&["fam/a"]);
    dir.write("fam/stray/capture.strace", FIXTURE_CAPTURE);
    dir.write("schema/case.schema.json", "{}");
    dir.write("fam/notes/README", "not a case");
    assert_one(&check_corpus(dir.path()).problems, "manifest.json", "fam/stray is not listed");
}

#[test]
fn fixture_broken_expected_json_is_reported_with_its_line() {
    let dir = fixture_corpus(&["fam/a"]);
    let mut v = common::fixture_expected();
    v["orderings"][0]["after"]["index"] = json!(7);
    dir.write_json("fam/a/expected.json", &v);
    let checked = check_corpus(dir.path());
    assert_one(&checked.problems, "fam/a/expected.json", "/orderings/0/after: names no event (task 2 index 7)");
    let text = fs::read_to_string(dir.path().join("fam/a/expected.json")).unwrap();
    let after_line = text.lines().enumerate().filter(|(_, l)| l.contains("\"after\"")).map(|(i, _)| i + 1).next().unwrap();
    assert_eq!(checked.problems[0].line, Some(after_line));
}

#[test]
fn fixture_expected_json_is_optional() {
    let dir = fixture_corpus(&["fam/a"]);
    fs::remove_file(dir.path().join("fam/a/expected.json")).unwrap();
    let corpus = load_corpus(dir.path()).unwrap_or_else(|p| panic!("{:#?}", shown(&p)));
    assert!(corpus.cases[0].expected.is_none());
}

#[test]
fn fixture_exit_status_disagreeing_with_the_capture() {
    let dir = fixture_corpus(&["fam/a", "fam/b"]);
    let mut v = fixture_case("fam/a");
    v["exitStatus"] = json!({ "signal": "SIGKILL" });
    dir.write_json("fam/a/case.json", &v);
    dir.write("fam/b/capture.strace", FIXTURE_CAPTURE.replace("100   1795726204.057500 +++ exited with 0 +++\n", ""));
    let problems = check_corpus(dir.path()).problems;
    let got = shown(&problems);
    assert_eq!(got.len(), 3, "{got:#?}");
    assert!(
        got[0].contains("fam/a/capture.strace:6: the root process exited with 0, but the exitStatus of")
            && got[0].ends_with("says killed by SIGKILL"),
        "{got:#?}"
    );
    // expected.json (normalized from the same capture) disagrees with case.json too.
    assert!(
        got[1].contains("fam/a/expected.json:")
            && got[1].contains("/processes/0/exit: the root exited with 0, but case.json's exitStatus says killed by SIGKILL"),
        "{got:#?}"
    );
    // The child's end line (pid 101) does not count for the root.
    assert!(got[2].contains("fam/b/capture.strace: no \"+++ exited/killed +++\" line for the root process"), "{got:#?}");
}
