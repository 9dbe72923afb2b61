//! Bad input must give a problem, never a panic: the hand-written scanners
//! (capture head and end lines, JSON pointer → line) and the typed parsers run
//! on many pseudo-random inputs made from the characters that matter to them.
//! A fixed-seed xorshift generator keeps the inputs the same on every run.

use corpus_rs::capture::{c_string, process_end, root_execve};
use corpus_rs::json_locate::line_of;
use corpus_rs::problem::Segment;
use corpus_rs::{parse_json, CaseFile, Expected, Manifest};
use std::path::Path;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A string of up to `max` pieces drawn from `alphabet`.
    fn text(&mut self, alphabet: &[&str], max: usize) -> String {
        let n = self.below(max + 1);
        (0..n).map(|_| alphabet[self.below(alphabet.len())]).collect()
    }
}

const STRACE_PIECES: &[&str] = &[
    "1",
    "23",
    " ",
    "  ",
    ".",
    "execve(",
    "\"",
    "\\",
    "\\x4",
    "\\377",
    "\\400",
    "/bin/x",
    "...",
    "+++ ",
    " +++",
    "exited with ",
    "killed by ",
    "SIGKILL",
    " (core dumped)",
    "superseded by ",
    "\n",
    "999999999999",
    "é",
];

const JSON_PIECES: &[&str] =
    &["{", "}", "[", "]", "\"", "\\", "\\u", "d83d", "dc00", ":", ",", " ", "\n", "a", "0", "true", "null", "\"a\"", "\"fs\"", "-1e9"];

#[test]
fn capture_scanners_never_panic() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for _ in 0..5000 {
        let text = rng.text(STRACE_PIECES, 24);
        let bytes = text.as_bytes();
        let _ = root_execve(bytes);
        let _ = c_string(bytes);
        let _ = process_end(bytes, None);
        let _ = process_end(bytes, Some(1));
        let _ = process_end(bytes, Some(23));
    }
}

#[test]
fn json_line_lookup_never_panics_and_stays_in_the_text() {
    let mut rng = XorShift(0xD1B5_4A32_D192_ED03);
    let paths: [&[Segment]; 4] = [
        &[],
        &[Segment::Key("a".into())],
        &[Segment::Index(1), Segment::Key("fs".into())],
        &[Segment::Key("\u{1F600}".into()), Segment::Index(0)],
    ];
    for _ in 0..5000 {
        let text = rng.text(JSON_PIECES, 30);
        let lines = text.matches('\n').count() + 1;
        for p in paths {
            if let Some(line) = line_of(&text, p) {
                assert!((1..=lines).contains(&line), "line {line} of {lines} in {text:?}");
            }
        }
    }
}

#[test]
fn typed_parsers_turn_garbage_into_problems() {
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let file = Path::new("garbage.json");
    for _ in 0..3000 {
        let text = rng.text(JSON_PIECES, 30);
        for result in [
            parse_json::<Manifest>(file, &text).err(),
            parse_json::<CaseFile>(file, &text).err(),
            parse_json::<Expected>(file, &text).err(),
        ]
        .into_iter()
        .flatten()
        {
            assert!(result.to_string().starts_with("garbage.json"), "{result}");
        }
    }
}
