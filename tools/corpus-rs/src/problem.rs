//! A problem found in the corpus: where (file, line when known, JSON pointer
//! when the problem is about one value) and why. Problems are values, collected
//! and reported together; loading never panics on bad input.

use std::fmt;
use std::path::{Path, PathBuf};

/// One thing wrong with the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file the problem is in (or the directory, for a missing file).
    pub file: PathBuf,
    /// 1-based line in `file`, when it could be located.
    pub line: Option<usize>,
    /// JSON pointer (RFC 6901) of the offending value inside `file`, if any.
    pub pointer: Option<String>,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl Problem {
    /// A problem about a whole file (missing, unreadable, empty...).
    pub fn in_file(file: &Path, message: impl Into<String>) -> Self {
        Problem { file: file.to_path_buf(), line: None, pointer: None, message: message.into() }
    }

    /// A problem at a known line of a file.
    pub fn at_line(file: &Path, line: usize, message: impl Into<String>) -> Self {
        Problem { file: file.to_path_buf(), line: Some(line), pointer: None, message: message.into() }
    }

    /// A problem about one value of a JSON document; the line is looked up in
    /// `text` (the document's source) so the reader can jump to it.
    pub fn at_pointer(file: &Path, text: &str, pointer: &JsonPointer, message: impl Into<String>) -> Self {
        Problem {
            file: file.to_path_buf(),
            line: crate::json_locate::line_of(text, pointer.segments()),
            pointer: Some(pointer.to_string()),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if let Some(pointer) = &self.pointer {
            // An empty pointer is the whole document; say so rather than print nothing.
            if pointer.is_empty() {
                write!(f, "(document) ")?;
            } else {
                write!(f, "{pointer}: ")?;
            }
        }
        write!(f, "{}", self.message)
    }
}

/// One step of a JSON pointer: an object member or an array element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A path to one value inside a JSON document, built step by step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonPointer(Vec<Segment>);

impl JsonPointer {
    pub fn root() -> Self {
        JsonPointer(Vec::new())
    }

    /// This pointer extended by an object member.
    pub fn key(&self, key: &str) -> Self {
        let mut v = self.0.clone();
        v.push(Segment::Key(key.to_string()));
        JsonPointer(v)
    }

    /// This pointer extended by an array index.
    pub fn index(&self, index: usize) -> Self {
        let mut v = self.0.clone();
        v.push(Segment::Index(index));
        JsonPointer(v)
    }

    pub fn segments(&self) -> &[Segment] {
        &self.0
    }
}

impl fmt::Display for JsonPointer {
    /// RFC 6901 form: `/fs/3/mode`; `~` and `/` in keys escaped as `~0`, `~1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for seg in &self.0 {
            match seg {
                Segment::Key(k) => write!(f, "/{}", k.replace('~', "~0").replace('/', "~1"))?,
                Segment::Index(i) => write!(f, "/{i}")?,
            }
        }
        Ok(())
    }
}
