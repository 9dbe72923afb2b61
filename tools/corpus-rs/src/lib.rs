//! Reads the forkscope corpus — real strace captures of programs that create
//! processes, with their metadata — into typed Rust values, and checks that
//! its files agree with each other. The start of a Rust test harness for a
//! syscall emulator: load the corpus, then for each case replay
//! `case.capture_path()` and compare with `case.expected`.
//!
//! ```no_run
//! let corpus = corpus_rs::load_corpus(std::path::Path::new("corpus")).unwrap_or_else(|problems| {
//!     for p in &problems { eprintln!("{p}"); }
//!     std::process::exit(1);
//! });
//! for case in &corpus.cases {
//!     println!("{} ({} fs entries)", case.id(), case.meta.fs.len());
//! }
//! ```
//!
//! The format is documented in corpus/README.md and corpus/schema/*.json;
//! unknown extra fields are ignored so it can grow.

pub mod capture;
pub mod case_file;
pub mod corpus;
pub mod expected;
pub mod fs_entry;
pub mod json_locate;
pub mod manifest;
pub mod path_text;
pub mod problem;
pub mod promise;
pub mod signal;

pub use capture::{root_execve, RootExecve};
pub use case_file::{CaseFile, ExitStatus, StraceInfo, Versions};
pub use corpus::{check_corpus, load_corpus, parse_json, Case, Checked, Corpus};
pub use expected::Expected;
pub use fs_entry::{AbsentErrno, Exec, FileData, FsEntry, FsKind, Mode, MAX_CONTENT_BYTES};
pub use manifest::{Manifest, ManifestEntry, FORMAT_VERSION};
pub use problem::{JsonPointer, Problem};
pub use promise::Promise;

/// Compiles the Rust examples of README.md as doctests, so the harness example stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
