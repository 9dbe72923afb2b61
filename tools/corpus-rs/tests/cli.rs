//! The `corpus-rs` binary: summary and exit status on the real corpus, on a
//! broken fixture corpus, and on bad usage.

mod common;

use serde_json::Value;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corpus-rs")).args(args).output().expect("run corpus-rs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_real_corpus_exits_zero_with_a_summary() {
    let root = common::real_corpus();
    let out = run(&["check", root.to_str().unwrap()]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "stdout:\n{stdout}\nstderr:\n{stderr}");
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(root.join("manifest.json")).unwrap()).unwrap();
    let n = manifest["cases"].as_array().unwrap().len();
    assert!(stdout.contains(&format!(": {n} of {n} listed cases loaded")), "{stdout}");
    assert!(stdout.ends_with("0 problem(s)\n"), "{stdout}");
    assert_eq!(stderr, "");
}

#[test]
fn check_broken_fixture_corpus_exits_one_and_names_file_and_line() {
    let dir = common::fixture_corpus(&["fam/a", "fam/b"]);
    dir.write("fam/b/capture.strace", "200 1.5 clone3({flags=CLONE_VM}, 88) = 201\n");
    let out = run(&["check", dir.path().to_str().unwrap()]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "stdout:\n{stdout}\nstderr:\n{stderr}");
    let want = format!("{}:1: first line does not start with an execve( call", dir.path().join("fam/b/capture.strace").display());
    assert!(stderr.contains(&want), "{want} in {stderr}");
    assert!(stdout.contains("2 of 2 listed cases loaded (fam 2); 2 with expected.json"), "{stdout}");
    assert!(stdout.ends_with("1 problem(s)\n"), "{stdout}");
}

#[test]
fn check_missing_corpus_exits_one() {
    let dir = common::TempDir::new("empty");
    let out = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("manifest.json: cannot read"), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("manifest unreadable"));
}

#[test]
fn usage_errors_exit_two_and_help_exits_zero() {
    for args in [&[][..], &["check"][..], &["verify", "x"][..], &["check", "a", "b"][..], &["check", "--bogus"][..]] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).starts_with("usage: corpus-rs check"), "{args:?}");
    }
    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("Exit status"));
}

#[test]
fn check_warns_about_expected_json_kinds_it_does_not_know_but_passes() {
    let dir = common::fixture_corpus(&["fam/a"]);
    let mut e = common::fixture_expected();
    e["processes"][1]["tasks"][0]["events"]
        .as_array_mut()
        .unwrap()
        .insert(1, serde_json::json!({ "kind": "prctl", "option": "PR_SET_NAME" }));
    // The orderings into task 2 shift with the inserted event.
    e["orderings"][1]["after"]["index"] = serde_json::json!(3);
    dir.write_json("fam/a/expected.json", &e);
    let out = run(&["check", dir.path().to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("warning: 1 expected.json events/orderings of kinds this reader does not know (not checked)"), "{stdout}");
}
