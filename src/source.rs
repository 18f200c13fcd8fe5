//! Migration source text and positions in it.
//!
//! A [`Source`] is one file's text exactly as read (a BOM and CRLF line ends included), so
//! byte offsets from every later stage point into it. [`Location`] is the resolved,
//! owned form of an offset (file, line, column and the line's text) that errors carry, so
//! they stay `'static` and can be rendered without the source at hand.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The UTF-8 byte order mark, which editors on Windows like to add.
pub const BOM: &str = "\u{feff}";

/// One migration file's text.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as given (relative to the working directory when it was relative).
    pub path: PathBuf,
    /// The file's text, unmodified.
    pub text: String,
    /// Where lines start, built on the first [`Source::location`]: every statement of a file
    /// is located, and scanning from the start of the file each time made loading a file of
    /// many statements quadratic (minutes for a few MB).
    index: OnceLock<LineIndex>,
}

/// Line starts and character counts of a text, so an offset resolves in O(log n).
#[derive(Debug, Clone)]
struct LineIndex {
    /// The length of the text it was built for (a guard: `text` is a public field).
    len: usize,
    /// The offset of every line's first byte.
    line_starts: Vec<usize>,
    /// `chars[k]`: characters before byte `k * CHUNK`.
    chars: Vec<usize>,
}

/// Bytes between character-count checkpoints.
const CHUNK: usize = 256;

/// Lines longer than this are shown as an excerpt in a [`Location`]: copying a whole
/// multi-megabyte line into every statement's location would be quadratic too.
const LONG_LINE: usize = 64 * 1024;

/// How much of a long line a [`Location`] keeps.
const EXCERPT: usize = 240;

fn is_char_start(b: u8) -> bool {
    b & 0xC0 != 0x80
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(bytes.iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| i + 1));
        let mut chars = Vec::with_capacity(bytes.len() / CHUNK + 1);
        let mut count = 0;
        for chunk in bytes.chunks(CHUNK) {
            chars.push(count);
            count += chunk.iter().filter(|&&b| is_char_start(b)).count();
        }
        chars.push(count);
        LineIndex { len: text.len(), line_starts, chars }
    }

    /// Characters in `text[..offset]` (`offset` on a character boundary).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let k = offset / CHUNK;
        self.chars[k] + text.as_bytes()[k * CHUNK..offset].iter().filter(|&&b| is_char_start(b)).count()
    }
}

impl Source {
    /// Wrap text that did not come from disk (tests, embedded migrations).
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        Source { path: path.into(), text: text.into(), index: OnceLock::new() }
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
                loc.line_text = visible(String::from_utf8_lossy(&bytes[start..end]).trim_end_matches('\r'));
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
        let index = self.index.get_or_init(|| LineIndex::new(&self.text));
        if index.len != self.text.len() {
            return locate(&self.path, &self.text, offset.min(self.text.len()));
        }
        locate_indexed(&self.path, &self.text, index, offset.min(self.text.len()))
    }

    /// Resolve a byte range: the location of its start, underlining up to its end on that line.
    pub fn span(&self, start: usize, end: usize) -> Location {
        let mut loc = self.location(start);
        let start = start.min(self.text.len());
        let end = end.clamp(start, self.text.len());
        // The underline stops at the end of the line: searched only as far as `end`, so
        // locating every statement of a file that is one long line stays linear.
        let end = self.text.as_bytes()[start..end].iter().position(|&b| b == b'\n').map_or(end, |p| start + p);
        loc.len = self.text.get(start..end).map_or(1, |s| s.trim_end_matches('\r').chars().count().max(1));
        loc
    }

    /// The text with the BOM removed and CRLF line ends turned into LF: what checksums cover,
    /// so a file that only changed line endings on checkout is not an edited migration.
    pub fn normalized(&self) -> String {
        self.text[self.content_start()..].replace("\r\n", "\n")
    }

    /// [`Source::normalized`] as borrowed pieces, in order: hashing them one after another
    /// hashes the normalised text without copying the file.
    pub fn normalized_pieces(&self) -> impl Iterator<Item = &str> {
        let text = &self.text[self.content_start()..];
        let mut lines = text.split("\r\n").peekable();
        std::iter::from_fn(move || {
            let piece = lines.next()?;
            Some((piece, lines.peek().is_some()))
        })
        .flat_map(|(piece, more)| [piece, if more { "\n" } else { "" }])
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
    let line_text = visible(text[start..line_end].trim_end_matches('\r').trim_start_matches('\u{feff}'));
    Location { path: path.to_path_buf(), line, column, line_text, len: 1 }
}

/// [`locate`] with a [`LineIndex`]: a binary search for the line and a bounded count of
/// characters for the column.
fn locate_indexed(path: &Path, text: &str, index: &LineIndex, mut offset: usize) -> Location {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line = index.line_starts.partition_point(|&s| s <= offset);
    let start = index.line_starts[line - 1];
    let mut column = index.chars_before(text, offset) - index.chars_before(text, start) + 1;
    if start == 0 && text.starts_with(BOM) && offset >= BOM.len() {
        column -= 1; // the BOM is invisible in every editor
    }
    let line_end = index.line_starts.get(line).map_or(text.len(), |next| next - 1);
    let mut line_text = text[start..line_end].trim_end_matches('\r').trim_start_matches('\u{feff}');
    let mut cut = "";
    if line_text.len() > LONG_LINE {
        let mut end = EXCERPT;
        while !line_text.is_char_boundary(end) {
            end -= 1;
        }
        line_text = &line_text[..end];
        cut = " …";
    }
    Location { path: path.to_path_buf(), line, column, line_text: format!("{}{cut}", visible(line_text)), len: 1 }
}

/// A line as it may be shown on a terminal: control characters (but tabs) become visible
/// symbols of one column each, so a file cannot send escape sequences to the terminal or CI
/// log that shows its error (`\x1b[2J` clearing it, a CR overwriting the line), and the
/// caret under the line stays aligned.
pub fn visible(line: &str) -> String {
    if !line.chars().any(|c| c.is_control() && c != '\t') {
        return line.to_string();
    }
    line.chars()
        .map(|c| match c {
            '\t' => c,
            '\0'..='\x1f' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            '\x7f' => '\u{2421}',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
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
        assert_eq!(s.normalized_pieces().collect::<String>(), s.normalized());
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
    /// The indexed lookup agrees with a scan from the start of the file on every offset, with
    /// a BOM, CRLF, a lone CR, multi-byte characters and offsets inside them.
    #[test]
    fn indexed_locations_match_a_plain_scan() {
        let mut text = String::from("\u{feff}-- +up\r\nSELECT 'é€日';\n\n\tx\ry\n");
        for i in 0..600 {
            text.push_str(&format!("INSERT INTO t VALUES ({i}, 'ü{i}');{}", if i % 7 == 0 { "\r\n" } else { " " }));
        }
        let s = Source::new("a.sql", text.clone());
        for offset in (0..=text.len() + 2).step_by(3) {
            assert_eq!(s.location(offset), locate(Path::new("a.sql"), &text, offset.min(text.len())), "offset {offset}");
        }
    }

    /// Regression: locating every statement of a file scanned the file from its start each
    /// time, so `apply` of a 4 MB migration took 14 s and of a 20 MB one six minutes.
    #[test]
    fn locating_many_statements_is_fast() {
        let text = "INSERT INTO t (id, v) VALUES (1, 'some value');\n".repeat(100_000);
        let one_line = text.replace('\n', " ");
        for text in [text, one_line] {
            let s = Source::new("big.sql", text);
            let started = std::time::Instant::now();
            let mut last = Location { path: PathBuf::new(), line: 0, column: 0, line_text: String::new(), len: 0 };
            for offset in (0..s.text.len()).step_by(48) {
                last = s.span(offset, offset + 40);
            }
            assert!(last.line_text.len() <= EXCERPT + 4, "a long line is kept as an excerpt");
            assert!(started.elapsed() < std::time::Duration::from_secs(10), "took {:?}", started.elapsed());
        }
    }

    /// Regression: the line shown under an error was printed as it is, so a migration could
    /// send escape sequences to the terminal or CI log showing it.
    #[test]
    fn shown_lines_have_no_control_characters() {
        let s = Source::new("a.sql", "-- +up\nSELECT \x1b[2J\0\u{9b}x\rY\x7f\tz;\r\n");
        let l = s.location(14);
        assert_eq!(l.line_text, "SELECT \u{241b}[2J\u{2400}\u{fffd}x\u{240d}Y\u{2421}\tz;");
        assert_eq!(l.column, 8);
        let err = Source::from_bytes(Path::new("b.sql"), b"ab\x1b]0;title\x07\xff\n".to_vec()).unwrap_err();
        assert!(!err.line_text.chars().any(|c| c.is_control()), "{:?}", err.line_text);
    }
}
