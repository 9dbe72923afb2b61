//! `corpus-rs check <corpus dir>`: loads and checks a corpus, prints a summary
//! on stdout and every problem on stderr. Exit status: 0 clean, 1 problems
//! found, 2 usage error.

use corpus_rs::{check_corpus, Checked};
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: corpus-rs check <corpus dir>

Loads <corpus dir>/manifest.json, every case.json and expected.json, and checks
that they agree with each other and with the captures. Prints a summary, and
each problem as FILE[:LINE]: [POINTER: ]WHY on stderr.

Exit status: 0 no problems, 1 problems found, 2 usage error.

example: corpus-rs check ../../corpus";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["-h" | "--help"] | ["check", "-h" | "--help"] => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        ["check", dir] if !dir.starts_with('-') => report(&check_corpus(Path::new(dir)), dir),
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn report(checked: &Checked, dir: &str) -> ExitCode {
    for p in &checked.problems {
        eprintln!("{p}");
    }
    match &checked.corpus {
        None => println!("corpus {dir}: manifest unreadable"),
        Some(corpus) => {
            let families: Vec<String> = corpus
                .families()
                .into_iter()
                .map(|f| format!("{f} {}", corpus.cases.iter().filter(|c| c.entry.family == f).count()))
                .collect();
            let with_expected = corpus.cases.iter().filter(|c| c.expected.is_some()).count();
            let unknown: usize = corpus.cases.iter().filter_map(|c| c.expected.as_ref()).map(|e| e.unknown_kinds()).sum();
            println!(
                "corpus {dir}: {} of {} listed cases loaded ({}); {with_expected} with expected.json",
                corpus.cases.len(),
                corpus.manifest.cases.len(),
                families.join(", ")
            );
            if unknown > 0 {
                println!("warning: {unknown} expected.json events/orderings of kinds this reader does not know (not checked)");
            }
        }
    }
    println!("{} problem(s)", checked.problems.len());
    if checked.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
