//! One document at a time: inline JSON fixtures for manifest.json, case.json
//! and expected.json, parsed with the public API and checked; the rejected
//! ones must be rejected with a reason and, where it can be found, a line.

mod common;

use common::{fixture_case, fixture_entry, fixture_expected};
use corpus_rs::expected::{CallResult, Event, OrderingReason, TaskRef};
use corpus_rs::{parse_json, CaseFile, ExitStatus, Expected, JsonPointer, Manifest, Problem, Promise};
use serde_json::{json, Value};
use std::path::Path;

/// Parses `v` (pretty-printed, so values sit on their own lines) and runs the
/// document's own check; returns every problem as displayed.
fn problems<T: serde::de::DeserializeOwned>(v: &Value, check: impl Fn(&T) -> Vec<(JsonPointer, String)>) -> Vec<String> {
    let file = Path::new("fixture.json");
    let text = serde_json::to_string_pretty(v).unwrap();
    match parse_json::<T>(file, &text) {
        Err(p) => vec![p.to_string()],
        Ok(doc) => check(&doc).into_iter().map(|(ptr, why)| Problem::at_pointer(file, &text, &ptr, why).to_string()).collect(),
    }
}

/// A named change to a fixture document and the problem it must cause.
type Mutation = (&'static str, Box<dyn Fn(&mut Value)>, &'static str);

fn case_problems(v: &Value) -> Vec<String> {
    problems::<CaseFile>(v, |c| c.check())
}

fn manifest_problems(v: &Value) -> Vec<String> {
    problems::<Manifest>(v, |m| m.check())
}

fn expected_problems(v: &Value) -> Vec<String> {
    problems::<Expected>(v, |e| e.check())
}

/// Asserts exactly one problem, containing `why`.
fn assert_one(got: Vec<String>, why: &str) {
    assert!(got.len() == 1 && got[0].contains(why), "expected one problem containing {why:?}, got {got:#?}");
}

#[test]
fn fixture_case_json_loads_into_typed_fields() {
    let text = serde_json::to_string(&fixture_case("fam/one")).unwrap();
    let c: CaseFile = parse_json(Path::new("case.json"), &text).unwrap();
    assert_eq!(c.id, "fam/one");
    assert_eq!(c.case_name(), Some("one"));
    assert_eq!(c.exit_status, ExitStatus::Exited { code: 0 });
    assert_eq!(c.promises, vec![Promise::Vfork, Promise::Execve]);
    assert_eq!(c.fs.len(), 3);
    assert_eq!(c.stdin, None);
    assert!(c.check().is_empty(), "{:?}", c.check());
}

#[test]
fn fixture_case_json_with_unknown_extra_fields_is_accepted() {
    let mut v = fixture_case("fam/one");
    v["addedLater"] = json!({ "anything": [1, 2] });
    v["strace"]["extra"] = json!(true);
    v["fs"][2]["inode"] = json!(1234);
    assert_eq!(case_problems(&v), Vec::<String>::new());
}

#[test]
fn fixture_killed_exit_status_with_core() {
    let mut v = fixture_case("fam/one");
    v["exitStatus"] = json!({ "signal": "SIGSEGV", "coreDumped": true });
    let c: CaseFile = serde_json::from_value(v).unwrap();
    assert_eq!(c.exit_status, ExitStatus::Killed { signal: "SIGSEGV".into(), core_dumped: true });
}

#[test]
fn fixture_case_json_rejections() {
    let cases: Vec<Mutation> = vec![
        ("both code and signal", Box::new(|v| v["exitStatus"] = json!({ "code": 0, "signal": "SIGKILL" })), "both code and signal"),
        ("empty exit status", Box::new(|v| v["exitStatus"] = json!({})), "needs code or signal"),
        ("exit code out of range", Box::new(|v| v["exitStatus"] = json!({ "code": 256 })), "outside 0..255"),
        ("unknown signal", Box::new(|v| v["exitStatus"] = json!({ "signal": "SIGFOO" })), "not a Linux signal name"),
        ("unknown promise", Box::new(|v| v["promises"] = json!(["spawn"])), "unknown variant `spawn`"),
        (
            "missing fs",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("fs");
            }),
            "missing field `fs`",
        ),
        ("wrong type", Box::new(|v| v["argv"] = json!("/w/prog")), "invalid type"),
        ("bad fs mode", Box::new(|v| v["fs"][2]["mode"] = json!("rwx")), "not four octal digits"),
    ];
    for (name, mutate, why) in cases {
        let mut v = fixture_case("fam/one");
        mutate(&mut v);
        let got = case_problems(&v);
        // Parse errors carry serde_json's line: "fixture.json:N: …".
        assert!(got.len() == 1 && got[0].contains(why) && got[0].starts_with("fixture.json:"), "{name}: {got:#?}");
    }
}

#[test]
fn fixture_case_json_consistency_rejections_point_at_the_value() {
    let mut v = fixture_case("fam/one");
    v["id"] = json!("other/one");
    assert_one(case_problems(&v), "/id: id \"other/one\" is not \"fam/<case>\"");

    let mut v = fixture_case("fam/one");
    v["argv"] = json!(["prog"]);
    assert_one(case_problems(&v), "/argv/0: argv[0] \"prog\" is not an absolute path");

    let mut v = fixture_case("fam/one");
    v["argv"] = json!([]);
    assert_one(case_problems(&v), "argv is empty");

    let mut v = fixture_case("fam/one");
    v["cwd"] = json!("/w/../w");
    assert_one(case_problems(&v), "not absolute and normalized");

    let mut v = fixture_case("fam/one");
    v["strace"]["flags"] = json!(["-ttt"]);
    assert_one(case_problems(&v), "lack -f");

    let mut v = fixture_case("fam/one");
    v["promises"] = json!(["fork", "fork"]);
    assert_one(case_problems(&v), "listed twice");

    let mut v = fixture_case("fam/one");
    v["promises"] = json!([]);
    assert_one(case_problems(&v), "no promises");

    // The dangling symlink is the first fs entry: line 2 of the array's pretty form is
    // below the "fs" key, so the reported line must be the entry's own.
    let mut v = fixture_case("fam/one");
    v["fs"].as_array_mut().unwrap().remove(1);
    let got = case_problems(&v);
    assert_one(got.clone(), "/fs/0: symlink target \"/usr/bin\" has no entry of its own");
    let text = serde_json::to_string_pretty(&v).unwrap();
    let line = text.lines().position(|l| l.contains("\"fs\"")).unwrap() + 2;
    assert!(got[0].starts_with(&format!("fixture.json:{line}: ")), "{got:?} (fs entry at line {line})");

    let mut v = fixture_case("fam/one");
    v["fs"].as_array_mut().unwrap().swap(0, 2);
    let got = case_problems(&v);
    assert!(got.iter().any(|p| p.contains("out of order")), "{got:#?}");
}

#[test]
fn fixture_syntax_error_reports_its_line() {
    let text = "{\n  \"formatVersion\": 1,\n  \"cases\": [\n    {\"id\": \"a/b\",}\n  ]\n}\n";
    let err = parse_json::<Manifest>(Path::new("manifest.json"), text).unwrap_err();
    assert_eq!(err.line, Some(4), "{err}");
    assert!(err.to_string().starts_with("manifest.json:4: "), "{err}");
}

#[test]
fn fixture_manifest_accepted_and_rejected() {
    let good = json!({ "formatVersion": 1, "cases": [fixture_entry("a/x"), fixture_entry("b/y")], "generator": "later" });
    assert_eq!(manifest_problems(&good), Vec::<String>::new());

    let v = json!({ "formatVersion": 2, "cases": [] });
    assert_one(manifest_problems(&v), "formatVersion 2 is not 1");

    let v = json!({ "formatVersion": 1, "cases": [fixture_entry("a/x"), fixture_entry("a/x")] });
    let got = manifest_problems(&v);
    assert!(got.len() == 2 && got[0].contains("id \"a/x\" listed twice") && got[1].contains("path \"a/x\" listed twice"), "{got:#?}");

    let v = json!({ "formatVersion": 1, "cases": [fixture_entry("b/y"), fixture_entry("a/x")] });
    assert_one(manifest_problems(&v), "/cases/1/id: id \"a/x\" is out of order");

    let mut e = fixture_entry("a/x");
    e["path"] = json!("a/../x");
    assert_one(manifest_problems(&json!({ "formatVersion": 1, "cases": [e] })), "differs from id");

    let mut e = fixture_entry("a/x");
    e["family"] = json!("b");
    assert_one(manifest_problems(&json!({ "formatVersion": 1, "cases": [e] })), "is not \"b/<case>\"");

    let e = fixture_entry("a/.hidden");
    assert_one(manifest_problems(&json!({ "formatVersion": 1, "cases": [e] })), "is not \"a/<case>\"");
}

#[test]
fn fixture_expected_json_loads_and_is_consistent() {
    let e: Expected = serde_json::from_value(fixture_expected()).unwrap();
    assert_eq!(e.check(), vec![]);
    assert_eq!(e.processes.len(), 2);
    assert_eq!(e.processes[1].parent, Some(1));
    assert!(matches!(e.event(e.orderings[0].call), Some(Event::Clone { result: Some(CallResult::Value(2)), .. })));
    assert_eq!(e.orderings[1].reason, OrderingReason::WaitAfterExit);
    assert_eq!(e.processes[0].tasks[0].signals[0].pid, Some(TaskRef::Task(2)));
    assert_eq!(e.unknown_kinds(), 0);
}

#[test]
fn fixture_expected_json_c14_clone_parent_from_the_root_leaves_no_parent_in_the_capture() {
    // C14: under CLONE_PARENT the child's parent is the caller's parent; from the traced root that is strace, outside the capture.
    let mut v = fixture_expected();
    v["processes"][1]["parent"] = Value::Null;
    v["processes"][0]["tasks"][0]["events"][1]["flags"] = json!(["CLONE_PARENT", "CLONE_VFORK", "CLONE_VM"]);
    assert_eq!(expected_problems(&v), Vec::<String>::new());
}

#[test]
fn fixture_expected_json_with_a_newer_event_kind_is_read_and_counted() {
    let mut v = fixture_expected();
    v["processes"][1]["tasks"][0]["events"].as_array_mut().unwrap().push(json!({ "kind": "ptrace-stop", "x": 1 }));
    v["futureTopLevel"] = json!([]);
    // New fields inside known shapes are ignored too.
    v["processes"][0]["tasks"][0]["events"][1]["stackSize"] = json!(8192);
    v["processes"][0]["tasks"][0]["events"][2]["target"]["note"] = json!("x");
    v["orderings"][0]["certainty"] = json!("recorded");
    let e: Expected = serde_json::from_value(v).unwrap();
    assert_eq!(e.check(), vec![]);
    assert_eq!(e.unknown_kinds(), 1);
}

#[test]
fn fixture_expected_json_rejections() {
    let cases: Vec<Mutation> = vec![
        ("wrong format", Box::new(|v| v["format"] = json!("other")), "/format: format \"other\""),
        ("newer version", Box::new(|v| v["version"] = json!(2)), "/version: version 2"),
        (
            "clone result names no task",
            Box::new(|v| v["processes"][0]["tasks"][0]["events"][1]["result"] = json!(7)),
            "/processes/0/tasks/0/events/1/result: result names task 7",
        ),
        ("wait child names no task", Box::new(|v| v["processes"][0]["tasks"][0]["events"][2]["child"] = json!(9)), "child names task 9"),
        (
            "kill target names no task",
            Box::new(|v| v["processes"][0]["tasks"][0]["events"][3]["target"]["pid"] = json!(3)),
            "target names task 3",
        ),
        (
            "si_pid names no task",
            Box::new(|v| v["processes"][0]["tasks"][0]["signals"][0]["pid"] = json!(5)),
            "/processes/0/tasks/0/signals/0/pid: si_pid names task 5",
        ),
        (
            "ordering index past the end",
            Box::new(|v| v["orderings"][0]["after"]["index"] = json!(9)),
            "/orderings/0/after: names no event (task 2 index 9)",
        ),
        (
            "ordering task that does not exist",
            Box::new(|v| v["orderings"][1]["call"]["pid"] = json!(4)),
            "/orderings/1/call: names no event",
        ),
        (
            "A2: vfork released by an event that is not an exec",
            Box::new(|v| v["orderings"][0]["after"]["index"] = json!(1)),
            "vfork-released-by-exec: after is exit_group",
        ),
        (
            "A2: vfork released by another task's event",
            Box::new(|v| v["orderings"][0]["after"] = json!({ "pid": 1, "index": 4 })),
            "after is in task 1, not the vfork child 2",
        ),
        (
            "E26: wait ordering for another child",
            Box::new(|v| v["processes"][0]["tasks"][0]["events"][2]["child"] = json!(1)),
            "the ended task 2 is not in the reported child's process",
        ),
        (
            "A1-A3: vfork ordering from a non-vfork clone",
            Box::new(|v| v["processes"][0]["tasks"][0]["events"][1]["flags"] = json!([])),
            "call is not a successful CLONE_VFORK clone",
        ),
        (
            "E26: wait ordering after a non-exit",
            Box::new(|v| v["orderings"][1]["after"]["index"] = json!(1)),
            "wait-after-exit: after is exit_group",
        ),
        (
            "createdBy not a clone",
            Box::new(|v| v["processes"][1]["createdBy"]["index"] = json!(2)),
            "/processes/1/createdBy: createdBy is not a clone returning 2",
        ),
        ("parent missing", Box::new(|v| v["processes"][1]["parent"] = json!(8)), "parent 8 is not a process"),
        (
            "root with createdBy",
            Box::new(|v| v["processes"][0]["createdBy"] = json!({ "pid": 1, "index": 0 })),
            "/processes/0/createdBy: createdBy is not a clone returning 1: execve = 0",
        ),
        (
            "child without a parent, not by CLONE_PARENT",
            Box::new(|v| v["processes"][1]["parent"] = Value::Null),
            "/processes/1/parent: a created process has no parent, and its clone lacks CLONE_PARENT",
        ),
        (
            "child without createdBy",
            Box::new(|v| v["processes"][1]["createdBy"] = Value::Null),
            "/processes/1/createdBy: a child process (with a parent) lacks createdBy",
        ),
        (
            "leader marked thread",
            Box::new(|v| v["processes"][1]["tasks"][0]["thread"] = json!(true)),
            "first task of process 2 is not its leader",
        ),
        (
            "processes out of order",
            Box::new(|v| v["processes"].as_array_mut().unwrap().swap(0, 1)),
            "pid 1 is not above the previous process's 2",
        ),
        (
            "result neither number nor errno",
            Box::new(|v| v["processes"][0]["tasks"][0]["events"][1]["result"] = json!("two")),
            "is not a number, \"external\" or an errno name",
        ),
        (
            "task reference of the wrong type",
            Box::new(|v| v["processes"][0]["tasks"][0]["events"][2]["child"] = json!(-2)),
            "not a positive 32-bit number",
        ),
    ];
    for (name, mutate, why) in cases {
        let mut v = fixture_expected();
        mutate(&mut v);
        let got = expected_problems(&v);
        assert!(got.iter().any(|p| p.contains(why)), "{name}: wanted {why:?}, got {got:#?}");
    }
}

#[test]
fn fixture_expected_task_ids_must_be_exactly_one_to_n() {
    // Renumber task 2 to 5 everywhere: every reference is consistent, but ids skip 2..4.
    let text = serde_json::to_string(&fixture_expected())
        .unwrap()
        .replace("\"pid\":2", "\"pid\":5")
        .replace("\"tid\":2", "\"tid\":5")
        .replace("\"result\":2", "\"result\":5")
        .replace("\"child\":2", "\"child\":5");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_one(expected_problems(&v), "task ids are not exactly 1..=2 (found 5)");
}

/// Problems of `expected` against `case`, displayed with their pointers.
fn against_case(expected: &Value, case: &Value) -> Vec<String> {
    let e: Expected = serde_json::from_value(expected.clone()).unwrap();
    let c: CaseFile = serde_json::from_value(case.clone()).unwrap();
    e.check_against(&c).into_iter().map(|(ptr, why)| format!("{ptr}: {why}")).collect()
}

#[test]
fn fixture_expected_json_agrees_with_its_case_json() {
    assert_eq!(against_case(&fixture_expected(), &fixture_case("fam/one")), Vec::<String>::new());

    let mut c = fixture_case("fam/one");
    c["argv"] = json!(["/w/prog", "other"]);
    assert_one(against_case(&fixture_expected(), &c), "/processes/0/tasks/0/events/0/argv: root exec argv");
    // A truncated argv cannot be compared, and is not.
    let mut e = fixture_expected();
    e["processes"][0]["tasks"][0]["events"][0]["argvTruncated"] = json!(true);
    assert_eq!(against_case(&e, &c), Vec::<String>::new());

    let mut c = fixture_case("fam/one");
    c["argv"] = json!(["/w/other", "arg"]);
    let got = against_case(&fixture_expected(), &c);
    assert!(got.len() == 2 && got[0].contains("/events/0/path: root exec path"), "{got:#?}");

    let mut c = fixture_case("fam/one");
    c["exitStatus"] = json!({ "code": 3 });
    assert_one(
        against_case(&fixture_expected(), &c),
        "/processes/0/exit: the root exited with 0, but case.json's exitStatus says exited with 3",
    );

    let mut e = fixture_expected();
    e["processes"][0]["exit"] = Value::Null;
    assert_one(against_case(&e, &fixture_case("fam/one")), "the root never ended, but");

    let mut e = fixture_expected();
    e["processes"][0]["tasks"][0]["events"][0]["result"] = json!("ENOENT");
    assert_one(against_case(&e, &fixture_case("fam/one")), "the root's first event is execve = ENOENT, not its successful exec");

    let mut e = fixture_expected();
    e["processes"][0]["tasks"][0]["events"].as_array_mut().unwrap().remove(0);
    assert_one(against_case(&e, &fixture_case("fam/one")), "the root's first event is vfork = 2");

    let mut e = fixture_expected();
    e["processes"].as_array_mut().unwrap().remove(0);
    assert_one(against_case(&e, &fixture_case("fam/one")), "no process 1");
}

#[test]
fn fixture_expected_json_keeps_the_promises_of_its_case() {
    let e: Expected = serde_json::from_value(fixture_expected()).unwrap();
    // The fixture: a vfork (CLONE_VFORK|CLONE_VM) whose child execs /bin/true.
    let kept: Vec<Promise> = Promise::ALL.into_iter().filter(|p| e.keeps(*p)).collect();
    assert_eq!(kept, vec![Promise::Vfork, Promise::Execve]);

    for (promises, missing) in [
        (json!(["clone3-vfork"]), "clone3-vfork"),
        (json!(["vfork", "fork"]), "fork"),
        (json!(["none"]), "none"),
        (json!(["thread"]), "thread"),
    ] {
        let mut c = fixture_case("fam/one");
        c["promises"] = promises;
        assert_one(
            against_case(&fixture_expected(), &c),
            &format!("/processes: case.json promises \"{missing}\" but no such call is here"),
        );
    }

    // Without the child's exec only the root's own exec is left, which does not count.
    let mut v = fixture_expected();
    v["processes"][1]["tasks"][0]["events"].as_array_mut().unwrap().remove(0);
    let e: Expected = serde_json::from_value(v).unwrap();
    assert!(!e.keeps(Promise::Execve));
}

#[test]
fn fixture_promise_meanings_on_clone_flags() {
    // One clone event of each shape in the root task, and which promises each keeps.
    let shapes = [
        (
            json!({ "kind": "clone", "call": "clone3", "flags": ["CLONE_VFORK", "CLONE_VM"], "exitSignal": "SIGCHLD", "result": "EINVAL", "size": 88 }),
            vec![Promise::Clone3Vfork, Promise::Clone3],
        ),
        (
            json!({ "kind": "clone", "call": "clone", "flags": ["CLONE_VFORK", "CLONE_VM"], "exitSignal": "SIGCHLD", "result": "EAGAIN" }),
            vec![Promise::CloneVfork],
        ),
        (
            json!({ "kind": "clone", "call": "clone", "flags": ["CLONE_CHILD_SETTID"], "exitSignal": "SIGCHLD", "result": "ENOMEM" }),
            vec![Promise::Fork],
        ),
        (json!({ "kind": "clone", "call": "fork", "flags": [], "exitSignal": "SIGCHLD", "result": "EAGAIN" }), vec![Promise::Fork]),
        (
            json!({ "kind": "clone", "call": "clone3", "flags": ["CLONE_SIGHAND", "CLONE_THREAD", "CLONE_VM"], "exitSignal": null, "result": "EINVAL" }),
            vec![Promise::Thread, Promise::Clone3],
        ),
    ];
    for (event, want) in shapes {
        let mut v = fixture_expected();
        v["processes"] = json!([v["processes"][0].clone()]);
        v["orderings"] = json!([]);
        // Keep only the root's exec, then the failed clone under test: no other task ever appears.
        v["processes"][0]["tasks"][0]["events"] = json!([v["processes"][0]["tasks"][0]["events"][0].clone(), event.clone()]);
        v["processes"][0]["tasks"][0]["signals"] = json!([]);
        let e: Expected = serde_json::from_value(v).unwrap();
        assert_eq!(e.check(), vec![], "{event}");
        let mut want = want;
        want.push(Promise::None);
        let kept: Vec<Promise> = Promise::ALL.into_iter().filter(|p| e.keeps(*p)).collect();
        want.sort_by_key(|p| Promise::ALL.iter().position(|q| q == p));
        assert_eq!(kept, want, "{event}");
    }
}
