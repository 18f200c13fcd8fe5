//! Migration source text and positions in it.
//!
//! A [`Source`] is one file's text exactly as read (a BOM and CRLF line ends included), so
//! byte offsets from every later stage point into it. [`Location`] is the resolved,
//! owned form of an offset (file, line, column and the line's text) that errors carry, so
//! they stay `'static` and can be rendered without the source at hand.

use std::fmt;
use std::path::{Path, PathBuf};

/// The UTF-8 byte order mark, which editors on Windows like to add.
pub const BOM: &str = "\u{feff}";

/// One migration file's text.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as given (relative to the working directory when it was relative).
    pub path: PathBuf,
    /// The file's text, unmodified.
    pub text: String,
}

impl Source {
    /// Wrap text that did not come from disk (tests, embedded migrations).
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        Source { path: path.into(), text: text.into() }
    }

    /// Turn raw bytes into a source, reporting invalid UTF-8 at its line and column.
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Self, Location> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Source::new(path, text)),
            Err(e) => {
                let bad = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                // Everything before `bad` is valid UTF-8, so positions up to it are exact.
                let prefix = std::str::from_utf8(&bytes[..bad]).unwrap_or_default();
                let mut loc = locate(path, prefix, bad);
                let start = line_start(prefix, bad);
                let end = bytes[bad..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| bad + p);
                loc.line_text = String::from_utf8_lossy(&bytes[start..end]).trim_end_matches('\r').to_string();
                Err(loc)
            }
        }
    }

    /// The offset where content starts: just past a leading BOM.
    pub fn content_start(&self) -> usize {
        if self.text.starts_with(BOM) {
            BOM.len()
        } else {
            0
        }
    }

    /// Resolve a byte offset into a location (1-based line and column, columns in characters).
    pub fn location(&self, offset: usize) -> Location {
        locate(&self.path, &self.text, offset.min(self.text.len()))
    }

    /// Resolve a byte range: the location of its start, underlining up to its end on that line.
    pub fn span(&self, start: usize, end: usize) -> Location {
        let mut loc = self.location(start);
        let end = end.clamp(start, self.text.len());
        let line_end = self.text[start..].find('\n').map_or(self.text.len(), |p| start + p);
        let end = end.min(line_end);
        loc.len = self.text.get(start..end).map_or(1, |s| s.trim_end_matches('\r').chars().count().max(1));
        loc
    }

    /// The text with the BOM removed and CRLF line ends turned into LF: what checksums cover,
    /// so a file that only changed line endings on checkout is not an edited migration.
    pub fn normalized(&self) -> String {
        self.text[self.content_start()..].replace("\r\n", "\n")
    }
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |p| p + 1)
}

fn locate(path: &Path, text: &str, mut offset: usize) -> Location {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let start = line_start(text, offset);
    let line = text[..start].bytes().filter(|&b| b == b'\n').count() + 1;
    let mut column = text[start..offset].chars().count() + 1;
    if start == 0 && text.starts_with(BOM) && offset >= BOM.len() {
        column -= 1; // the BOM is invisible in every editor
    }
    let line_end = text[start..].find('\n').map_or(text.len(), |p| start + p);
    let line_text = text[start..line_end].trim_end_matches('\r').trim_start_matches('\u{feff}').to_string();
    Location { path: path.to_path_buf(), line, column, line_text, len: 1 }
}

/// A resolved position in a file, owned so errors can carry it anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// The text of that line, without its line ending.
    pub line_text: String,
    /// How many characters to underline, at least 1.
    pub len: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn locations_are_one_based_and_count_characters() {
        let s = Source::new("a.sql", "ab\ncé d\r\nx");
        let l = s.location(7);
        assert_eq!((l.line, l.column, l.line_text.as_str()), (2, 4, "cé d"));
        assert_eq!(s.location(0).column, 1);
        assert_eq!(s.location(s.text.len()).line, 3);
    }

    #[test]
    fn bom_is_not_a_column() {
        let s = Source::new("a.sql", "\u{feff}select");
        assert_eq!(s.location(3).column, 1);
        assert_eq!(s.location(3).line_text, "select");
    }

    #[test]
    fn normalization_strips_bom_and_crlf_only() {
        let s = Source::new("a.sql", "\u{feff}a\r\nb\rc\n");
        assert_eq!(s.normalized(), "a\nb\rc\n");
    }

    #[test]
    fn invalid_utf8_is_located() {
        let err = Source::from_bytes(Path::new("b.sql"), b"ok\nab\xffcd\n".to_vec()).unwrap_err();
        assert_eq!((err.line, err.column), (2, 3));
        assert_eq!(err.line_text, "ab\u{fffd}cd");
    }

    #[test]
    fn span_underlines_within_one_line() {
        let s = Source::new("a.sql", "select 'abc\nxyz'");
        let l = s.span(7, 16);
        assert_eq!((l.column, l.len), (8, 4));
    }
}
