//! Finds the line of a value inside JSON text, given its pointer. serde_json
//! reports lines for syntax and type errors only; the consistency checks run on
//! already-parsed values, so to point a reader at the right line we walk the
//! source text once more. A hand-written forward scanner: every byte is looked
//! at a bounded number of times, containers are skipped by depth counting (no
//! recursion, so deep nesting cannot overflow the stack).

use crate::problem::Segment;

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        if b == b'\n' {
            self.line += 1;
        }
        Some(b)
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    fn expect(&mut self, want: u8) -> Option<()> {
        self.skip_ws();
        (self.bump()? == want).then_some(())
    }

    /// Reads a string literal (the opening quote is next) and returns it decoded.
    fn string(&mut self) -> Option<String> {
        if self.bump()? != b'"' {
            return None;
        }
        let mut out: Vec<u8> = Vec::new();
        let mut pending_high: Option<u16> = None;
        loop {
            let b = self.bump()?;
            match b {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = self.bump()?;
                    let simple = match e {
                        b'"' => Some(b'"'),
                        b'\\' => Some(b'\\'),
                        b'/' => Some(b'/'),
                        b'b' => Some(0x08),
                        b'f' => Some(0x0c),
                        b'n' => Some(b'\n'),
                        b'r' => Some(b'\r'),
                        b't' => Some(b'\t'),
                        b'u' => None,
                        _ => return None,
                    };
                    if let Some(c) = simple {
                        out.push(c);
                        continue;
                    }
                    let mut unit: u16 = 0;
                    for _ in 0..4 {
                        let d = (self.bump()? as char).to_digit(16)?;
                        unit = unit * 16 + d as u16;
                    }
                    let ch = match (pending_high.take(), unit) {
                        (None, 0xD800..=0xDBFF) => {
                            pending_high = Some(unit);
                            continue;
                        }
                        (Some(hi), 0xDC00..=0xDFFF) => char::from_u32(0x10000 + (((hi as u32) - 0xD800) << 10) + ((unit as u32) - 0xDC00))?,
                        (Some(_), _) => return None,
                        (None, u) => char::from_u32(u as u32)?,
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                _ => out.push(b),
            }
        }
    }

    /// Skips one value of any kind. Strings inside containers are skipped
    /// quote-aware so brackets inside them do not count.
    fn skip_value(&mut self) -> Option<()> {
        self.skip_ws();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.bump();
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.bump();
                }
            }
            _ => {
                // number, true, false, null: up to the next delimiter
                while !matches!(self.peek(), None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')) {
                    self.bump();
                }
                Some(())
            }
        }
    }

    /// Positions the scanner at the member `key` of the object that starts here.
    fn enter_key(&mut self, key: &str) -> Option<()> {
        self.expect(b'{')?;
        loop {
            self.skip_ws();
            if self.peek()? == b'}' {
                return None;
            }
            let name = self.string()?;
            self.expect(b':')?;
            if name == key {
                self.skip_ws();
                return Some(());
            }
            self.skip_value()?;
            self.skip_ws();
            match self.bump()? {
                b',' => {}
                _ => return None,
            }
        }
    }

    /// Positions the scanner at element `index` of the array that starts here.
    fn enter_index(&mut self, index: usize) -> Option<()> {
        self.expect(b'[')?;
        for _ in 0..index {
            self.skip_ws();
            if self.peek()? == b']' {
                return None;
            }
            self.skip_value()?;
            self.expect(b',')?;
        }
        self.skip_ws();
        (self.peek()? != b']').then_some(())
    }
}

/// The 1-based line where the value at `path` starts in `text`, or `None` if the
/// text is not well-formed JSON along that path or the path does not exist.
/// If a key occurs twice, the first occurrence is taken.
pub fn line_of(text: &str, path: &[Segment]) -> Option<usize> {
    let mut s = Scanner { bytes: text.as_bytes(), pos: 0, line: 1 };
    s.skip_ws();
    for seg in path {
        match seg {
            Segment::Key(k) => s.enter_key(k)?,
            Segment::Index(i) => s.enter_index(*i)?,
        }
    }
    s.skip_ws();
    Some(s.line)
}

#[cfg(test)]
mod tests {
    use super::line_of;
    use crate::problem::Segment::{Index, Key};

    /// Fixture: a small pretty-printed document with nesting, escapes and brackets inside strings.
    const FIXTURE_DOC: &str =
        "{\n  \"a\": \"x]}{[\",\n  \"b\\u0022q\": [\n    1,\n    {\"c\": [true, null]},\n    \"last\"\n  ],\n  \"d\": {}\n}\n";

    #[test]
    fn finds_members_and_elements_on_their_lines() {
        assert_eq!(line_of(FIXTURE_DOC, &[]), Some(1));
        assert_eq!(line_of(FIXTURE_DOC, &[Key("a".into())]), Some(2));
        assert_eq!(line_of(FIXTURE_DOC, &[Key("b\"q".into())]), Some(3));
        assert_eq!(line_of(FIXTURE_DOC, &[Key("b\"q".into()), Index(0)]), Some(4));
        assert_eq!(line_of(FIXTURE_DOC, &[Key("b\"q".into()), Index(1), Key("c".into()), Index(1)]), Some(5));
        assert_eq!(line_of(FIXTURE_DOC, &[Key("b\"q".into()), Index(2)]), Some(6));
        assert_eq!(line_of(FIXTURE_DOC, &[Key("d".into())]), Some(8));
    }

    #[test]
    fn missing_paths_and_wrong_shapes_give_none() {
        assert_eq!(line_of(FIXTURE_DOC, &[Key("nope".into())]), None);
        assert_eq!(line_of(FIXTURE_DOC, &[Key("b\"q".into()), Index(3)]), None);
        assert_eq!(line_of(FIXTURE_DOC, &[Key("a".into()), Index(0)]), None);
        assert_eq!(line_of(FIXTURE_DOC, &[Key("d".into()), Key("x".into())]), None);
        assert_eq!(line_of("[1, 2", &[Index(5)]), None);
        assert_eq!(line_of("{\"a\": \"unterminated", &[Key("b".into())]), None);
    }

    #[test]
    fn surrogate_pairs_in_keys_are_decoded() {
        let doc = "{\"x\": 0,\n\"\\ud83d\\ude00\": 1}";
        assert_eq!(line_of(doc, &[Key("\u{1F600}".into())]), Some(2));
    }
}
