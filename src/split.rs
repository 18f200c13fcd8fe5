//! The splitting stage: turns the text of one migration section into statement byte ranges.
//!
//! Input is a section's text plus the byte range to scan; output is the list of statements in
//! that range as absolute byte offsets, ready to be executed one at a time. The splitter only
//! *lexes*: it knows just enough about quotes, comments, dollar quotes, MySQL `DELIMITER`
//! commands and `BEGIN ... END` bodies to tell a real terminator from a `;` that is part of a
//! statement, and it never interprets SQL beyond that.
//!
//! [`canonical_text`] reuses the same lexer to produce a comment- and whitespace-insensitive
//! form of a statement, so that checksums ignore cosmetic edits.
//!
//! The scan is a single O(n) pass over bytes. All syntax it recognises is ASCII and every
//! non-ASCII byte belongs to a word, quote or comment token, so token boundaries always fall on
//! UTF-8 character boundaries.

use crate::dialect::Dialect;

use std::fmt;
use std::ops::Range;

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// A statement found by the splitter: absolute byte offsets into the text given to [`split`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawStatement {
    /// The first byte of the statement's first token.
    pub start: usize,
    /// Just past its last token (the terminator excluded).
    pub end: usize,
}

/// What was left open at the end of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unterminated {
    /// `'...`
    SingleQuote,
    /// `"...`
    DoubleQuote,
    /// `` `... ``
    Backtick,
    /// `[...` (SQLite)
    Bracket,
    /// `$tag$...` (PostgreSQL)
    DollarQuote {
        /// The tag between the dollars, possibly empty.
        tag: String,
    },
    /// `/* ...`
    BlockComment,
    /// A trigger, procedure, function or event whose `BEGIN` has no matching `END`.
    Body,
}

impl fmt::Display for Unterminated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unterminated::SingleQuote => f.write_str("string literal"),
            Unterminated::DoubleQuote => f.write_str("quoted identifier"),
            Unterminated::Backtick => f.write_str("backtick-quoted identifier"),
            Unterminated::Bracket => f.write_str("bracket-quoted identifier"),
            Unterminated::DollarQuote { tag } => write!(f, "dollar-quoted string `${tag}$`"),
            Unterminated::BlockComment => f.write_str("block comment"),
            Unterminated::Body => f.write_str("BEGIN ... END body"),
        }
    }
}

/// A construct that was still open when the input ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    /// What was left open.
    pub what: Unterminated,
    /// Absolute byte offset where the unterminated construct opened.
    pub offset: usize,
}

/// Split `text[range]` into statements. Offsets in results/errors are absolute (into `text`).
///
/// A statement spans from the first byte of its first token to the end of its last token, so
/// surrounding whitespace, comments and the terminator are excluded; regions holding nothing
/// but whitespace, comments and terminators yield no statement.
///
/// The range should lie on character boundaries; to keep this function panic-free an end past
/// `text.len()` is clamped and a bound inside a UTF-8 character is moved inwards to the nearest
/// boundary.
pub fn split(text: &str, range: Range<usize>, dialect: Dialect) -> Result<Vec<RawStatement>, SplitError> {
    let range = clamp_to_char_boundaries(text, range);
    // Cutting the input at the range end lets the lexer treat "end of slice" as "end of range".
    let bytes = &text.as_bytes()[..range.end];
    let mut lexer = Lexer::new(bytes, range.start, dialect);
    let mut statements = Vec::new();
    let mut open: Option<OpenStatement> = None;

    while let Some(token) = lexer.next_token() {
        if let Some(what) = token.unterminated(bytes) {
            return Err(SplitError { what, offset: token.start });
        }
        if token.is_trivia() {
            continue;
        }
        let significant = Significant::of(&token, bytes);
        match open.as_mut() {
            Some(statement) => {
                statement.body.observe(significant);
                if dialect == Dialect::Postgres {
                    statement.parens.observe(significant);
                }
                if token.kind == TokenKind::Terminator && !statement.body.is_open() && statement.parens.0 == 0 {
                    statements.push(statement.raw());
                    open = None;
                } else {
                    statement.end = token.end;
                }
            }
            // A terminator with nothing before it: an empty statement.
            None if token.kind == TokenKind::Terminator => {}
            None if lexer.try_delimiter_command(&token) => {}
            None => {
                // Under a custom MySQL delimiter the client only looks for the delimiter, so
                // BEGIN/END counting would only get in the way.
                let mut statement = OpenStatement::new(&token, lexer.delimiter.is_none());
                statement.body.observe(significant);
                if dialect == Dialect::Postgres {
                    statement.parens.observe(significant);
                }
                open = Some(statement);
            }
        }
    }

    if let Some(mut statement) = open {
        statement.body.finish();
        if statement.body.is_open() {
            return Err(SplitError { what: Unterminated::Body, offset: statement.start });
        }
        statements.push(statement.raw());
    }
    Ok(statements)
}

/// The statement's text with comments removed and every run of whitespace outside quoted
/// strings/identifiers folded to one space, trimmed; used for a checksum that ignores cosmetic
/// edits.
///
/// MySQL `/*! ... */` (and MariaDB `/*M! ... */`) executable comments are kept verbatim because
/// they are code. Never fails: an unterminated construct just runs to the end of the text.
pub fn canonical_text(stmt: &str, dialect: Dialect) -> String {
    let bytes = stmt.as_bytes();
    let mut lexer = Lexer::new(bytes, 0, dialect);
    let mut out = Vec::with_capacity(bytes.len());
    let mut separated = false;

    while let Some(token) = lexer.next_token() {
        if token.is_trivia() {
            // A dropped comment still separates its neighbours: `1-/**/-1` must not become
            // `1--1`, which would start a line comment.
            separated = true;
            continue;
        }
        if separated && !out.is_empty() {
            if dialect == Dialect::Mysql {
                spread_minus_run(&mut out);
            }
            out.push(b' ');
        }
        separated = false;
        out.extend_from_slice(token.text(bytes));
    }

    if dialect == Dialect::Mysql {
        spread_minus_run(&mut out);
    }
    // Tokens are cut at ASCII bytes only, so the bytes are always valid UTF-8; the lossy
    // fallback just guarantees that a lexer bug could never turn into a panic.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// MySQL reads `--` as a comment before whitespace, a control character or the end of the
/// text, and as two minus signs elsewhere (`1--1`). Minus signs that end the canonical text,
/// or that a space (standing for a dropped comment) follows, are written apart (`- -`), so the
/// canonical text never turns them into a comment: `SELECT 5--/* c */3` would otherwise read
/// `SELECT 5-- 3`.
fn spread_minus_run(out: &mut Vec<u8>) {
    let run = out.iter().rev().take_while(|&&b| b == b'-').count();
    if run >= 2 {
        out.truncate(out.len() - run);
        for i in 0..run {
            if i > 0 {
                out.push(b' ');
            }
            out.push(b'-');
        }
    }
}

/// Shrinks `range` to lie within `text` and on character boundaries.
fn clamp_to_char_boundaries(text: &str, range: Range<usize>) -> Range<usize> {
    let mut end = range.end.min(text.len());
    // Offset 0 is always a boundary, so this stops.
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut start = range.start.min(end);
    // `end` is a boundary, so this stops at or before it.
    while !text.is_char_boundary(start) {
        start += 1;
    }
    start..end
}

// ---------------------------------------------------------------------------------------------
// Statement assembly
// ---------------------------------------------------------------------------------------------

/// The statement currently being collected.
struct OpenStatement {
    /// Start of its first token.
    start: usize,
    /// End of its last token so far (trailing trivia and the terminator are not included).
    end: usize,
    body: BodyTracker,
    parens: ParenDepth,
}

/// Open parentheses. psql does not end a statement at a `;` inside parentheses, which is
/// how a rule with several actions, `DO ALSO (INSERT ...; INSERT ...)`, stays whole.
#[derive(Debug, Default)]
struct ParenDepth(usize);

impl ParenDepth {
    fn observe(&mut self, token: Significant<'_>) {
        match token {
            Significant::Punct(b'(') => self.0 += 1,
            Significant::Punct(b')') => self.0 = self.0.saturating_sub(1),
            _ => {}
        }
    }
}

impl OpenStatement {
    fn new(first: &Token, track_bodies: bool) -> Self {
        OpenStatement { start: first.start, end: first.end, body: BodyTracker::new(track_bodies), parens: ParenDepth::default() }
    }

    fn raw(&self) -> RawStatement {
        RawStatement { start: self.start, end: self.end }
    }
}

/// What the body tracker needs to know about a non-trivia token.
#[derive(Debug, Clone, Copy)]
enum Significant<'a> {
    Word(&'a [u8]),
    /// A quoted string or identifier (the DEFINER user may be quoted).
    Quoted,
    Punct(u8),
    /// A MySQL `/*! ... */` comment. Code, but opaque to the header matcher, which looks
    /// through it so that mysqldump's `CREATE /*!50017 DEFINER=... */ TRIGGER` is recognised.
    Executable,
    /// Terminators.
    Other,
}

impl<'a> Significant<'a> {
    fn of(token: &Token, bytes: &'a [u8]) -> Self {
        match token.kind {
            TokenKind::Word => Significant::Word(token.text(bytes)),
            TokenKind::Quoted(_) => Significant::Quoted,
            TokenKind::Punct => token.text(bytes).first().map_or(Significant::Other, |&b| Significant::Punct(b)),
            TokenKind::ExecutableComment => Significant::Executable,
            _ => Significant::Other,
        }
    }

    fn is_word(self, keyword: &str) -> bool {
        matches!(self, Significant::Word(w) if w.eq_ignore_ascii_case(keyword.as_bytes()))
    }

    fn is_any_word(self, keywords: &[&str]) -> bool {
        keywords.iter().any(|k| self.is_word(k))
    }
}

/// Where a statement's header has got to while deciding whether it defines a routine, trigger
/// or event whose `BEGIN ... END` body may contain `;`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Header {
    /// Nothing seen yet; a body statement must start with CREATE.
    Start,
    /// After CREATE and any modifiers: another modifier or the object kind comes next.
    Modifiers,
    /// After OR: REPLACE comes next.
    Or,
    /// After DEFINER: `=` comes next.
    DefinerEquals,
    /// After `DEFINER =`: the user comes next.
    DefinerUser,
    /// After the user: `@host`, CURRENT_USER's `()` or the next modifier.
    AfterUser,
    /// After `user@`: the host comes next.
    DefinerHost,
    /// After `CURRENT_USER(`: `)` comes next.
    CurrentUserParen,
    /// A trigger, procedure, function or event: BEGIN/CASE ... END are counted.
    Body,
    /// Anything else: `;` always ends the statement.
    Plain,
}

impl Header {
    fn after(self, token: Significant<'_>) -> Header {
        use Significant::{Punct, Quoted, Word};
        match (self, token) {
            (header, Significant::Executable) => header,
            (Header::Start, t) if t.is_word("CREATE") => Header::Modifiers,
            (Header::Modifiers, t) if t.is_word("OR") => Header::Or,
            (Header::Or, t) if t.is_word("REPLACE") => Header::Modifiers,
            (Header::Modifiers, t) if t.is_any_word(&["TEMP", "TEMPORARY"]) => Header::Modifiers,
            (Header::Modifiers, t) if t.is_word("DEFINER") => Header::DefinerEquals,
            (Header::Modifiers, t) if t.is_any_word(&["TRIGGER", "PROCEDURE", "FUNCTION", "EVENT"]) => Header::Body,
            (Header::DefinerEquals, Punct(b'=')) => Header::DefinerUser,
            (Header::DefinerUser, Word(_) | Quoted) => Header::AfterUser,
            (Header::AfterUser, Punct(b'@')) => Header::DefinerHost,
            (Header::AfterUser, Punct(b'(')) => Header::CurrentUserParen,
            (Header::AfterUser, t) => Header::Modifiers.after(t),
            (Header::DefinerHost, Word(_) | Quoted) => Header::Modifiers,
            (Header::CurrentUserParen, Punct(b')')) => Header::Modifiers,
            _ => Header::Plain,
        }
    }
}

/// Follows BEGIN/CASE ... END nesting in body statements so that `;` inside a body does not
/// end the statement.
#[derive(Debug)]
struct BodyTracker {
    header: Header,
    depth: usize,
    /// An END was just seen. Whether it closes a level depends on the next token: MySQL's
    /// `END IF`/`END LOOP`/... close constructs that were never counted.
    pending_end: bool,
}

impl BodyTracker {
    fn new(enabled: bool) -> Self {
        BodyTracker { header: if enabled { Header::Start } else { Header::Plain }, depth: 0, pending_end: false }
    }

    fn observe(&mut self, token: Significant<'_>) {
        match self.header {
            Header::Plain => {}
            Header::Body => self.count(token),
            header => self.header = header.after(token),
        }
    }

    fn count(&mut self, token: Significant<'_>) {
        if std::mem::take(&mut self.pending_end) {
            if token.is_any_word(&["IF", "LOOP", "WHILE", "REPEAT"]) {
                return;
            }
            self.close_level();
            if token.is_word("CASE") {
                // `END CASE` closes the CASE level; this CASE opens nothing.
                return;
            }
        }
        if token.is_any_word(&["BEGIN", "CASE"]) {
            self.depth += 1;
        } else if token.is_word("END") {
            self.pending_end = true;
        }
    }

    fn close_level(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Resolves a trailing END at the end of the input.
    fn finish(&mut self) {
        if std::mem::take(&mut self.pending_end) {
            self.close_level();
        }
    }

    /// Whether the scan is inside a body, where a terminator does not end the statement.
    fn is_open(&self) -> bool {
        self.depth > 0
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------

/// The quoting construct of a [`TokenKind::Quoted`] token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    /// `'...'`, including Postgres `E'...'`.
    Single,
    Double,
    Backtick,
    Bracket,
    /// `$tag$ ... $tag$`; `opener_len` is the length of `$tag$`.
    Dollar {
        opener_len: usize,
    },
}

impl Quote {
    /// The closing byte, and whether doubling it is an escape rather than a close.
    fn closer(self) -> (u8, bool) {
        match self {
            Quote::Single => (b'\'', true),
            Quote::Double => (b'"', true),
            Quote::Backtick => (b'`', true),
            Quote::Bracket => (b']', false),
            // Never asked: dollar quotes close on their whole opener, which
            // `Lexer::dollar_quoted` matches itself.
            Quote::Dollar { .. } => (b'$', false),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    Whitespace,
    LineComment,
    BlockComment,
    /// MySQL `/*! ... */` or MariaDB `/*M! ... */`: a comment to other servers, code to MySQL.
    ExecutableComment,
    /// An identifier, keyword, number or parameter: a maximal run of identifier bytes.
    Word,
    Quoted(Quote),
    /// Any other single (ASCII) byte.
    Punct,
    /// `;`, or the custom MySQL delimiter while one is active.
    Terminator,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: TokenKind,
    start: usize,
    end: usize,
    /// False when a quote or block comment ran into the end of the input.
    closed: bool,
}

impl Token {
    fn new(kind: TokenKind, start: usize, end: usize) -> Self {
        Token { kind, start, end, closed: true }
    }

    fn text<'a>(&self, bytes: &'a [u8]) -> &'a [u8] {
        bytes.get(self.start..self.end).unwrap_or_default()
    }

    /// Whitespace and comments that carry no code.
    fn is_trivia(&self) -> bool {
        matches!(self.kind, TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment)
    }

    /// What this token left open, if it ran into the end of the input.
    fn unterminated(&self, bytes: &[u8]) -> Option<Unterminated> {
        if self.closed {
            return None;
        }
        Some(match self.kind {
            TokenKind::Quoted(Quote::Single) => Unterminated::SingleQuote,
            TokenKind::Quoted(Quote::Double) => Unterminated::DoubleQuote,
            TokenKind::Quoted(Quote::Backtick) => Unterminated::Backtick,
            TokenKind::Quoted(Quote::Bracket) => Unterminated::Bracket,
            TokenKind::Quoted(Quote::Dollar { opener_len }) => {
                let tag = bytes.get(self.start + 1..self.start + opener_len - 1).unwrap_or_default();
                Unterminated::DollarQuote { tag: String::from_utf8_lossy(tag).into_owned() }
            }
            TokenKind::BlockComment | TokenKind::ExecutableComment => Unterminated::BlockComment,
            _ => return None,
        })
    }
}

/// Splits bytes into tokens for one dialect. Never fails: a quote or comment that runs into the
/// end of the input becomes a token with `closed == false`.
struct Lexer<'a> {
    /// The input, cut at the end of the scanned range.
    bytes: &'a [u8],
    pos: usize,
    dialect: Dialect,
    /// The custom MySQL delimiter (a slice of `bytes`); `None` means `;`.
    delimiter: Option<&'a [u8]>,
}

impl<'a> Lexer<'a> {
    fn new(bytes: &'a [u8], pos: usize, dialect: Dialect) -> Self {
        Lexer { bytes, pos, dialect, delimiter: None }
    }

    fn next_token(&mut self) -> Option<Token> {
        let start = self.pos;
        let first = *self.bytes.get(start)?;
        let token = self.scan(start, first);
        self.pos = token.end;
        Some(token)
    }

    fn scan(&self, start: usize, first: u8) -> Token {
        let dialect = self.dialect;
        let second = self.bytes.get(start + 1).copied();
        // The mysql client looks for its delimiter before anything else outside quotes.
        if let Some(delimiter) = self.delimiter_at(start) {
            return Token::new(TokenKind::Terminator, start, start + delimiter.len());
        }
        match first {
            b if is_space(b) => Token::new(TokenKind::Whitespace, start, self.skip_while(start, is_space)),
            b';' if self.delimiter.is_none() => Token::new(TokenKind::Terminator, start, start + 1),
            b'\'' => self.quoted(start, 1, Quote::Single, dialect == Dialect::Mysql),
            b'"' => self.quoted(start, 1, Quote::Double, dialect == Dialect::Mysql),
            b'`' if dialect != Dialect::Postgres => self.quoted(start, 1, Quote::Backtick, false),
            b'[' if dialect == Dialect::Sqlite => self.quoted(start, 1, Quote::Bracket, false),
            b'e' | b'E' if dialect == Dialect::Postgres && second == Some(b'\'') => self.quoted(start, 2, Quote::Single, true),
            b'$' if dialect == Dialect::Postgres => match self.dollar_opener_len(start) {
                Some(opener_len) => self.dollar_quoted(start, opener_len),
                // `$1` and friends: positional parameters are words.
                None => self.word(start),
            },
            b'-' if second == Some(b'-') && self.dash_dash_is_comment(start) => self.line_comment(start),
            b'#' if dialect == Dialect::Mysql => self.line_comment(start),
            b'/' if second == Some(b'*') => self.block_comment(start),
            b if is_ident_byte(b) => self.word(start),
            _ => Token::new(TokenKind::Punct, start, start + 1),
        }
    }

    /// The custom delimiter, if one is active and occurs at `at`.
    fn delimiter_at(&self, at: usize) -> Option<&'a [u8]> {
        let delimiter = self.delimiter?;
        self.starts_with_at(at, delimiter).then_some(delimiter)
    }

    fn skip_while(&self, from: usize, keep: impl Fn(u8) -> bool) -> usize {
        self.bytes
            .get(from..)
            .and_then(|rest| rest.iter().position(|&b| !keep(b)))
            .map_or(self.bytes.len(), |offset| from + offset)
    }

    /// A maximal run of identifier bytes starting at `start` (whose byte is known to belong to
    /// the word). Stops early at a custom delimiter: `END$$` must end at `$$`.
    fn word(&self, start: usize) -> Token {
        let mut end = start + 1;
        while let Some(&b) = self.bytes.get(end) {
            if !is_ident_byte(b) || self.delimiter_at(end).is_some() {
                break;
            }
            end += 1;
        }
        Token::new(TokenKind::Word, start, end)
    }

    /// MySQL needs whitespace or a control character after `--` (so `1--1` is arithmetic); the
    /// other dialects treat every `--` as a comment.
    fn dash_dash_is_comment(&self, start: usize) -> bool {
        if self.dialect != Dialect::Mysql {
            return true;
        }
        match self.bytes.get(start + 2) {
            None => true,
            Some(&b) => b <= b' ' || b == 0x7f,
        }
    }

    /// A line comment runs up to (not including) the newline.
    fn line_comment(&self, start: usize) -> Token {
        Token::new(TokenKind::LineComment, start, self.skip_while(start, |b| b != b'\n'))
    }

    /// `/* ... */`, nesting in Postgres only.
    fn block_comment(&self, start: usize) -> Token {
        let rest = self.bytes.get(start..).unwrap_or_default();
        let executable = self.dialect == Dialect::Mysql && (rest.starts_with(b"/*!") || rest.starts_with(b"/*M!"));
        let kind = if executable { TokenKind::ExecutableComment } else { TokenKind::BlockComment };
        let nests = self.dialect == Dialect::Postgres;
        let mut depth = 1usize;
        let mut i = start + 2;
        while let Some(pair) = self.bytes.get(i..i + 2) {
            match pair {
                b"*/" => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        return Token::new(kind, start, i);
                    }
                }
                b"/*" if nests => {
                    depth += 1;
                    i += 2;
                }
                _ => i += 1,
            }
        }
        self.unclosed(kind, start)
    }

    /// A quoted string or identifier whose opener is `open_len` bytes long (2 for `E'`).
    /// `backslash` makes `\x` an escape, as in MySQL strings and Postgres E-strings.
    fn quoted(&self, start: usize, open_len: usize, quote: Quote, backslash: bool) -> Token {
        let (close, doubled_escapes) = quote.closer();
        let mut i = start + open_len;
        while let Some(&b) = self.bytes.get(i) {
            if b == b'\\' && backslash {
                i += 2;
            } else if b == close {
                if doubled_escapes && self.bytes.get(i + 1) == Some(&close) {
                    i += 2;
                } else {
                    return Token::new(TokenKind::Quoted(quote), start, i + 1);
                }
            } else {
                i += 1;
            }
        }
        self.unclosed(TokenKind::Quoted(quote), start)
    }

    /// The length of the `$tag$` opener at `start`, if there is one. The tag is empty or an
    /// identifier that does not start with a digit (so `$1` is a parameter, not a quote). The
    /// caller only asks at a token start, so the `$` never follows an identifier byte.
    fn dollar_opener_len(&self, start: usize) -> Option<usize> {
        let after_dollar = self.bytes.get(start + 1..)?;
        match after_dollar.first() {
            Some(&b) if b == b'$' || is_tag_start(b) => {}
            _ => return None,
        }
        let tag_len = after_dollar.iter().position(|&b| !is_tag_byte(b)).unwrap_or(after_dollar.len());
        (after_dollar.get(tag_len) == Some(&b'$')).then_some(tag_len + 2)
    }

    /// A dollar-quoted string: everything up to the next occurrence of the same `$tag$`.
    fn dollar_quoted(&self, start: usize, opener_len: usize) -> Token {
        let kind = TokenKind::Quoted(Quote::Dollar { opener_len });
        let opener = self.bytes.get(start..start + opener_len).unwrap_or_default();
        let mut i = start + opener_len;
        while let Some(offset) = self.bytes.get(i..).and_then(|rest| rest.iter().position(|&b| b == b'$')) {
            let at = i + offset;
            if self.starts_with_at(at, opener) {
                return Token::new(kind, start, at + opener_len);
            }
            i = at + 1;
        }
        self.unclosed(kind, start)
    }

    fn starts_with_at(&self, at: usize, needle: &[u8]) -> bool {
        self.bytes.get(at..).is_some_and(|rest| rest.starts_with(needle))
    }

    /// A token that runs to the end of the input because its closer never came.
    fn unclosed(&self, kind: TokenKind, start: usize) -> Token {
        Token { kind, start, end: self.bytes.len(), closed: false }
    }

    /// Handles the mysql client's `DELIMITER xyz` command if `first` (the first token of a
    /// statement) starts one: the rest of the line, trimmed, becomes the terminator (`;`
    /// restores the default) and the scan resumes after the line. Returns whether it did.
    fn try_delimiter_command(&mut self, first: &Token) -> bool {
        if self.dialect != Dialect::Mysql
            || first.kind != TokenKind::Word
            || !first.text(self.bytes).eq_ignore_ascii_case(b"DELIMITER")
        {
            return false;
        }
        // A bare `DELIMITER` (or one followed by a newline) is left to the server to reject.
        if !matches!(self.bytes.get(first.end), Some(b' ' | b'\t')) {
            return false;
        }
        let line_end = self.skip_while(first.end, |b| b != b'\n');
        let argument = self.bytes.get(first.end..line_end).unwrap_or_default().trim_ascii();
        if argument.is_empty() {
            return false;
        }
        self.delimiter = (argument != b";").then_some(argument);
        self.pos = line_end;
        true
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Identifier bytes in every dialect. Non-ASCII bytes count as identifier bytes, which keeps
/// multibyte characters inside one token.
fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

fn is_tag_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_tag_byte(b: u8) -> bool {
    is_tag_start(b) || b.is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use Dialect::{Mysql, Postgres, Sqlite};

    const ALL: [Dialect; 3] = [Sqlite, Postgres, Mysql];

    /// The statement texts `split` finds in the whole of `sql`.
    fn texts(sql: &str, dialect: Dialect) -> Vec<&str> {
        match split(sql, 0..sql.len(), dialect) {
            Ok(statements) => statements.iter().map(|s| &sql[s.start..s.end]).collect(),
            Err(e) => panic!("{dialect:?}: unexpected {e:?} splitting {sql:?}"),
        }
    }

    /// The statement texts, asserting that every dialect agrees on them.
    fn texts_all(sql: &str) -> Vec<&str> {
        let expected = texts(sql, Sqlite);
        for dialect in [Postgres, Mysql] {
            assert_eq!(texts(sql, dialect), expected, "{dialect:?} differs on {sql:?}");
        }
        expected
    }

    fn error(sql: &str, dialect: Dialect) -> SplitError {
        match split(sql, 0..sql.len(), dialect) {
            Ok(statements) => panic!("{dialect:?}: expected an error, got {statements:?}"),
            Err(e) => e,
        }
    }

    fn unterminated(what: Unterminated, offset: usize) -> SplitError {
        SplitError { what, offset }
    }

    const NONE: [&str; 0] = [];

    // --- statement boundaries -----------------------------------------------------------------

    #[test]
    fn postgres_keeps_semicolons_inside_parentheses() {
        let text = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1;";
        assert_eq!(
            texts(text, Dialect::Postgres),
            vec!["CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))", "SELECT 1"]
        );
    }

    #[test]
    fn splits_on_semicolons() {
        assert_eq!(texts_all("SELECT 1; SELECT 2;"), ["SELECT 1", "SELECT 2"]);
    }

    #[test]
    fn final_statement_needs_no_terminator() {
        assert_eq!(texts_all("SELECT 1;\nSELECT 2\n"), ["SELECT 1", "SELECT 2"]);
        assert_eq!(texts_all("SELECT 1"), ["SELECT 1"]);
    }

    #[test]
    fn empty_statements_are_ignored() {
        assert_eq!(texts_all(";;; SELECT 1;; ;\n;"), ["SELECT 1"]);
        assert_eq!(texts_all(""), NONE);
        assert_eq!(texts_all(" \n\t "), NONE);
    }

    #[test]
    fn leading_and_trailing_comments_and_whitespace_are_excluded() {
        let sql = "  -- lead\n /* block */ SELECT 1 /* trail */ -- x\n ;\n";
        let start = sql.find("SELECT").expect("present");
        for dialect in ALL {
            assert_eq!(split(sql, 0..sql.len(), dialect), Ok(vec![RawStatement { start, end: start + "SELECT 1".len() }]));
        }
    }

    #[test]
    fn comment_only_regions_yield_nothing() {
        assert_eq!(texts_all("-- a\n/* b; */ ;; \n -- c"), NONE);
        assert_eq!(texts("# only a comment\n;", Mysql), NONE);
    }

    #[test]
    fn comments_inside_a_statement_are_kept() {
        assert_eq!(texts_all("SELECT /* a */ 1 -- b\n + 2; SELECT 3"), ["SELECT /* a */ 1 -- b\n + 2", "SELECT 3"]);
    }

    #[test]
    fn range_offsets_are_absolute() {
        let text = "DROP TABLE x; SELECT 1; SELECT 2; DROP TABLE y;";
        let start = text.find("SELECT 1").expect("present");
        let second = text.find("SELECT 2").expect("present");
        let end = text.find("DROP TABLE y").expect("present");
        for dialect in ALL {
            assert_eq!(
                split(text, start..end, dialect),
                Ok(vec![RawStatement { start, end: start + 8 }, RawStatement { start: second, end: second + 8 },])
            );
        }
    }

    #[test]
    fn range_ignores_text_outside_it() {
        // The unclosed quote before the range and the one after it are never seen.
        let text = "'open; SELECT 1; SELECT 'x";
        let start = text.find("SELECT 1").expect("present");
        let end = text.rfind('\'').expect("present");
        for dialect in ALL {
            let found = split(text, start..end, dialect).expect("splits");
            let found: Vec<&str> = found.iter().map(|s| &text[s.start..s.end]).collect();
            assert_eq!(found, ["SELECT 1", "SELECT"]);
        }
    }

    #[test]
    fn error_offsets_are_absolute() {
        let text = "junk; SELECT 1; SELECT 'x";
        let start = text.find("SELECT 1").expect("present");
        let quote = text.find('\'').expect("present");
        for dialect in ALL {
            assert_eq!(split(text, start..text.len(), dialect), Err(unterminated(Unterminated::SingleQuote, quote)));
        }
    }

    #[test]
    fn out_of_bounds_and_mid_character_ranges_are_clamped() {
        for dialect in ALL {
            assert_eq!(split("SELECT 1", 0..100, dialect), Ok(vec![RawStatement { start: 0, end: 8 }]));
            assert_eq!(split("SELECT 1", Range { start: 5, end: 2 }, dialect), Ok(vec![]));
            assert_eq!(split("é", 1..2, dialect), Ok(vec![]));
            // Byte 2 is inside `é`, so the range starts at the `;` (byte 3).
            assert_eq!(split("aé;b", 2..5, dialect), Ok(vec![RawStatement { start: 4, end: 5 }]));
        }
    }

    // --- quotes and comments, all dialects ----------------------------------------------------

    #[test]
    fn semicolon_in_single_quotes_with_doubled_escape() {
        assert_eq!(
            texts_all("SELECT 'a;b'; SELECT 'it''s; ok'; SELECT ''';'"),
            ["SELECT 'a;b'", "SELECT 'it''s; ok'", "SELECT ''';'"]
        );
    }

    #[test]
    fn semicolon_in_double_quotes_with_doubled_escape() {
        assert_eq!(texts_all(r#"SELECT "a;b", "x"";y" FROM t; SELECT 2"#), [r#"SELECT "a;b", "x"";y" FROM t"#, "SELECT 2"]);
    }

    #[test]
    fn semicolon_in_line_comment() {
        assert_eq!(texts_all("SELECT 1 -- no; split\n, 2; SELECT 3"), ["SELECT 1 -- no; split\n, 2", "SELECT 3"]);
    }

    #[test]
    fn semicolon_in_block_comment() {
        assert_eq!(texts_all("SELECT /* ; */ 1; SELECT 2 /* ;\n; */"), ["SELECT /* ; */ 1", "SELECT 2"]);
    }

    #[test]
    fn block_comments_nest_only_in_postgres() {
        let sql = "SELECT /* a /* b */ 1; SELECT 2 */ 3; SELECT 4";
        assert_eq!(texts(sql, Postgres), ["SELECT /* a /* b */ 1; SELECT 2 */ 3", "SELECT 4"]);
        for dialect in [Sqlite, Mysql] {
            assert_eq!(texts(sql, dialect), ["SELECT /* a /* b */ 1", "SELECT 2 */ 3", "SELECT 4"]);
        }
    }

    #[test]
    fn backslash_is_ordinary_in_sqlite_and_postgres_strings() {
        let sql = r"SELECT 'C:\'; SELECT 2";
        for dialect in [Sqlite, Postgres] {
            assert_eq!(texts(sql, dialect), [r"SELECT 'C:\'", "SELECT 2"]);
        }
        assert_eq!(error(sql, Mysql), unterminated(Unterminated::SingleQuote, 7));
    }

    #[test]
    fn multibyte_utf8_in_strings_identifiers_and_words() {
        let sql = "SELECT 'héllo; wörld', \"naïve;col\" FROM tàble; SELECT ünïcode_列 FROM t;日本;語";
        assert_eq!(texts_all(sql), ["SELECT 'héllo; wörld', \"naïve;col\" FROM tàble", "SELECT ünïcode_列 FROM t", "日本", "語"]);
    }

    // --- Postgres -----------------------------------------------------------------------------

    #[test]
    fn postgres_e_strings_take_backslash_escapes() {
        assert_eq!(
            texts(r"SELECT E'it\'s; fine'; SELECT e'\\'; SELECT 3", Postgres),
            [r"SELECT E'it\'s; fine'", r"SELECT e'\\'", "SELECT 3"]
        );
        // Elsewhere `E` is just a word in front of an ordinary string.
        assert_eq!(texts(r"SELECT E'a\'; SELECT 2", Sqlite), [r"SELECT E'a\'", "SELECT 2"]);
    }

    #[test]
    fn postgres_e_must_be_a_whole_word() {
        // `some` + `e'...'` is not an E-string: the word is `somee`, then a plain string.
        assert_eq!(texts(r"SELECT somee'\'; SELECT 2", Postgres), [r"SELECT somee'\'", "SELECT 2"]);
    }

    #[test]
    fn postgres_dollar_quotes_without_tag() {
        let sql = "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql; SELECT 2";
        assert_eq!(
            texts(sql, Postgres),
            ["CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql", "SELECT 2"]
        );
    }

    #[test]
    fn postgres_dollar_quotes_with_tag() {
        let sql = "DO $body$ BEGIN PERFORM '$$;'; END $body$; SELECT 2";
        assert_eq!(texts(sql, Postgres), ["DO $body$ BEGIN PERFORM '$$;'; END $body$", "SELECT 2"]);
        assert_eq!(texts("SELECT $_x1$;$_x1$; SELECT $é$ ; $é$", Postgres), ["SELECT $_x1$;$_x1$", "SELECT $é$ ; $é$"]);
    }

    #[test]
    fn postgres_other_tag_inside_dollar_quote_does_not_close() {
        assert_eq!(
            texts("SELECT $b$ x $a$ ; $a$ ; $$ ; $b$; SELECT 2", Postgres),
            ["SELECT $b$ x $a$ ; $a$ ; $$ ; $b$", "SELECT 2"]
        );
    }

    #[test]
    fn postgres_parameters_and_identifier_dollars_are_not_quotes() {
        assert_eq!(
            texts("SELECT $1; SELECT $2, a$b$c; SELECT a$$ ; SELECT $1$; SELECT 5", Postgres),
            ["SELECT $1", "SELECT $2, a$b$c", "SELECT a$$", "SELECT $1$", "SELECT 5"]
        );
    }

    #[test]
    fn dollar_quotes_are_postgres_only() {
        for dialect in [Sqlite, Mysql] {
            assert_eq!(texts("SELECT $$a;b$$", dialect), ["SELECT $$a", "b$$"]);
        }
    }

    #[test]
    fn backticks_and_brackets_are_ordinary_in_postgres() {
        assert_eq!(texts("SELECT `a;b`, [c;d]", Postgres), ["SELECT `a", "b`, [c", "d]"]);
    }

    // --- SQLite -------------------------------------------------------------------------------

    #[test]
    fn sqlite_backtick_and_bracket_identifiers() {
        assert_eq!(texts("SELECT `a;``b`, [c;d] FROM t; SELECT 2", Sqlite), ["SELECT `a;``b`, [c;d] FROM t", "SELECT 2"]);
        // Brackets have no escape: the first `]` closes.
        assert_eq!(texts("SELECT [a]];b]", Sqlite), ["SELECT [a]]", "b]"]);
    }

    #[test]
    fn brackets_are_ordinary_in_mysql() {
        assert_eq!(texts("SELECT [a;b] FROM t; SELECT 2", Mysql), ["SELECT [a", "b] FROM t", "SELECT 2"]);
    }

    // --- MySQL --------------------------------------------------------------------------------

    #[test]
    fn mysql_strings_take_backslash_escapes() {
        assert_eq!(
            texts(r#"SELECT 'it\'s;', 'a\\'; SELECT "say \"hi\";"; SELECT 3"#, Mysql),
            [r"SELECT 'it\'s;', 'a\\'", r#"SELECT "say \"hi\";""#, "SELECT 3"]
        );
    }

    #[test]
    fn mysql_backtick_identifiers() {
        assert_eq!(texts("SELECT `a;``b` FROM t; SELECT 2", Mysql), ["SELECT `a;``b` FROM t", "SELECT 2"]);
    }

    #[test]
    fn mysql_hash_comments() {
        let sql = "SELECT 1 # no; split\n; SELECT 2";
        assert_eq!(texts(sql, Mysql), ["SELECT 1", "SELECT 2"]);
        assert_eq!(texts(sql, Postgres), ["SELECT 1 # no", "split", "SELECT 2"]);
    }

    #[test]
    fn mysql_double_dash_needs_whitespace_or_control_after_it() {
        assert_eq!(texts("SELECT 1--1; SELECT 2", Mysql), ["SELECT 1--1", "SELECT 2"]);
        for dialect in [Sqlite, Postgres] {
            assert_eq!(texts("SELECT 1--1; SELECT 2", dialect), ["SELECT 1"]);
        }
        assert_eq!(
            texts("SELECT 1 --\tx;\n; SELECT 2 --\n; SELECT 3 --\x01;\n; SELECT 4 --", Mysql),
            ["SELECT 1", "SELECT 2", "SELECT 3", "SELECT 4"]
        );
    }

    #[test]
    fn mysql_executable_comments_are_code() {
        assert_eq!(
            texts("/*!40101 SET NAMES utf8 */;\n/*M!100100 SET x=1 */;\n/* plain */;", Mysql),
            ["/*!40101 SET NAMES utf8 */", "/*M!100100 SET x=1 */"]
        );
        assert_eq!(texts("/*!40101 SET NAMES utf8 */;", Postgres), NONE);
    }

    // --- BEGIN ... END bodies -----------------------------------------------------------------

    #[test]
    fn sqlite_trigger_with_case() {
        let trigger = "CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); \
                       UPDATE c SET x = CASE WHEN 1 THEN 2 ELSE 3 END; END";
        let sql = format!("{trigger};\nSELECT 1;");
        assert_eq!(texts_all(&sql), [trigger, "SELECT 1"]);
    }

    #[test]
    fn sqlite_temp_triggers_lowercase_and_comments_in_header() {
        for trigger in [
            "create temp trigger t after insert on a begin select 1; select 2; end",
            "CREATE TEMPORARY TRIGGER IF NOT EXISTS t AFTER INSERT ON a BEGIN SELECT 1; END",
            "CREATE /* c */ TRIGGER -- d\n t AFTER INSERT ON a BEGIN SELECT 1; END",
        ] {
            let sql = format!("{trigger}; SELECT 3");
            assert_eq!(texts(&sql, Sqlite), [trigger, "SELECT 3"]);
        }
    }

    #[test]
    fn mysql_procedure_with_end_if_and_end_while() {
        let procedure = "CREATE PROCEDURE p() BEGIN IF x THEN SELECT 1; END IF; \
                         WHILE y DO SELECT 2; END WHILE; END";
        let sql = format!("{procedure};\nSELECT 3");
        assert_eq!(texts(&sql, Mysql), [procedure, "SELECT 3"]);
    }

    #[test]
    fn mysql_procedure_with_loop_repeat_case_and_nested_blocks() {
        let procedure = "CREATE PROCEDURE p()\nBEGIN\n\
                         \x20 l: LOOP LEAVE l; END LOOP l;\n\
                         \x20 REPEAT SET x = x + 1; UNTIL x > 3 END REPEAT;\n\
                         \x20 CASE x WHEN 1 THEN SELECT 1; ELSE BEGIN SELECT 2; END; END CASE;\n\
                         \x20 IF a THEN SELECT 3; ELSEIF b THEN SELECT 4; END /* c */ IF;\n\
                         END";
        let sql = format!("{procedure};\nSELECT 5;");
        assert_eq!(texts(&sql, Mysql), [procedure, "SELECT 5"]);
    }

    #[test]
    fn mysql_definer_clauses() {
        for routine in [
            "CREATE DEFINER=`root`@`localhost` PROCEDURE p() BEGIN SELECT 1; END",
            "CREATE DEFINER = 'a'@'%' TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN SET NEW.a = 1; END",
            "CREATE DEFINER=root@localhost FUNCTION f() RETURNS INT BEGIN RETURN 1; END",
            "CREATE DEFINER=CURRENT_USER FUNCTION f() RETURNS INT BEGIN RETURN 1; END",
            "CREATE DEFINER = CURRENT_USER() EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; END",
            "create or replace definer=`u`@`h` procedure p() begin select 1; end",
        ] {
            let sql = format!("{routine}; SELECT 2");
            assert_eq!(texts(&sql, Mysql), [routine, "SELECT 2"], "{routine}");
        }
    }

    #[test]
    fn mysql_header_looks_through_executable_comments() {
        let trigger = "CREATE /*!50017 DEFINER=`root`@`localhost`*/ TRIGGER t BEFORE INSERT ON a \
                       FOR EACH ROW BEGIN SET NEW.x = 1; END";
        assert_eq!(texts(&format!("{trigger}; SELECT 2"), Mysql), [trigger, "SELECT 2"]);
    }

    #[test]
    fn postgres_begin_atomic_bodies() {
        for function in [
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END",
            "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC \
             INSERT INTO t VALUES (CASE WHEN true THEN 1 END); END",
        ] {
            let sql = format!("{function};\nSELECT 3");
            assert_eq!(texts(&sql, Postgres), [function, "SELECT 3"]);
        }
    }

    #[test]
    fn body_statements_without_begin_end_at_their_semicolon() {
        assert_eq!(
            texts("CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW EXECUTE FUNCTION f(); SELECT 2", Postgres),
            ["CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW EXECUTE FUNCTION f()", "SELECT 2"]
        );
        assert_eq!(
            texts(
                "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql \
                 RETURN CASE WHEN x > 0 THEN 1 ELSE 0 END; SELECT 2",
                Postgres
            ),
            [
                "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql \
                 RETURN CASE WHEN x > 0 THEN 1 ELSE 0 END",
                "SELECT 2"
            ]
        );
        assert_eq!(
            texts("CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.x = 1; SELECT 2", Mysql),
            ["CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.x = 1", "SELECT 2"]
        );
    }

    #[test]
    fn begin_and_case_outside_body_statements_do_not_count() {
        assert_eq!(
            texts_all("BEGIN; SELECT CASE WHEN 1 THEN 2 END; CREATE TABLE t (a int); COMMIT;"),
            ["BEGIN", "SELECT CASE WHEN 1 THEN 2 END", "CREATE TABLE t (a int)", "COMMIT"]
        );
        assert_eq!(
            texts("CREATE DEFINER=x VIEW v AS SELECT 1 AS begin; SELECT 2", Mysql),
            ["CREATE DEFINER=x VIEW v AS SELECT 1 AS begin", "SELECT 2"]
        );
    }

    #[test]
    fn only_whole_unquoted_words_count_in_bodies() {
        let sqlite = "CREATE TRIGGER t AFTER UPDATE ON a BEGIN UPDATE b SET end_date = 1, \
                      legend = 'END', \"end\" = 2, beginning = 3, [end] = 4, `case` = 5, \
                      caseload = 6 /* END */; -- END\n END";
        assert_eq!(texts(&format!("{sqlite}; SELECT 1"), Sqlite), [sqlite, "SELECT 1"]);
        let mysql = "CREATE PROCEDURE p() BEGIN UPDATE b SET end_date = 1, `end` = 2, \
                     legend = \"END\", x = 'end' # END\n; END";
        assert_eq!(texts(&format!("{mysql}; SELECT 1"), Mysql), [mysql, "SELECT 1"]);
        let postgres = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC \
                        UPDATE b SET \"end\" = 1, end_date = $$END$$, legend = E'END'; END";
        assert_eq!(texts(&format!("{postgres}; SELECT 1"), Postgres), [postgres, "SELECT 1"]);
    }

    #[test]
    fn unterminated_bodies_report_the_statement_start() {
        for dialect in ALL {
            assert_eq!(
                error("SELECT 1;\n  CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; SELECT 2;", dialect),
                unterminated(Unterminated::Body, 12)
            );
            assert_eq!(
                error("CREATE TRIGGER t BEGIN SELECT CASE WHEN 1 THEN 2; END", dialect),
                unterminated(Unterminated::Body, 0)
            );
        }
        assert_eq!(error("CREATE PROCEDURE p() BEGIN IF x THEN SELECT 1; END IF;", Mysql), unterminated(Unterminated::Body, 0));
    }

    #[test]
    fn body_closed_by_final_end_without_terminator() {
        assert_eq!(
            texts_all("CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END"),
            ["CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END"]
        );
    }

    // --- MySQL DELIMITER ----------------------------------------------------------------------

    #[test]
    fn delimiter_switches_and_restores() {
        let sql = "DELIMITER $$\n\
                   CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND$$\n\
                   DELIMITER ;\n\
                   SELECT 2;\n";
        assert_eq!(texts(sql, Mysql), ["CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND", "SELECT 2"]);
    }

    #[test]
    fn delimiter_variants() {
        assert_eq!(texts("delimiter //\nSELECT 1; SELECT 2 //\nSELECT '//' //", Mysql), ["SELECT 1; SELECT 2", "SELECT '//'"]);
        // mysqldump style, with trailing blanks on the DELIMITER line.
        assert_eq!(
            texts("DELIMITER ;;  \r\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END ;;\nDELIMITER ;\nSELECT 1;", Mysql),
            ["CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.x = 1; END", "SELECT 1"]
        );
        assert_eq!(texts("DELIMITER §\nSELECT 1; SELECT 2§\nDELIMITER ;\nSELECT 3;", Mysql), ["SELECT 1; SELECT 2", "SELECT 3"]);
    }

    #[test]
    fn delimiter_after_comments_at_statement_start() {
        assert_eq!(
            texts("SELECT 1; -- switch\n/* now */ DELIMITER $$\nSELECT 2; SELECT 3$$", Mysql),
            ["SELECT 1", "SELECT 2; SELECT 3"]
        );
    }

    #[test]
    fn custom_delimiter_turns_off_body_counting() {
        assert_eq!(
            texts("DELIMITER $$\nCREATE PROCEDURE p() BEGIN$$ SELECT 1$$", Mysql),
            ["CREATE PROCEDURE p() BEGIN", "SELECT 1"]
        );
    }

    #[test]
    fn delimiter_inside_quotes_and_comments_is_ignored() {
        assert_eq!(
            texts("DELIMITER $$\nSELECT '$$', \"$$\", `$$` /* $$ */ -- $$\n, 1$$", Mysql),
            ["SELECT '$$', \"$$\", `$$` /* $$ */ -- $$\n, 1"]
        );
    }

    #[test]
    fn delimiter_only_counts_at_statement_start() {
        assert_eq!(
            texts("SELECT 1\nDELIMITER $$\n; SELECT delimiter FROM t;", Mysql),
            ["SELECT 1\nDELIMITER $$", "SELECT delimiter FROM t"]
        );
    }

    #[test]
    fn delimiter_without_argument_is_an_ordinary_statement() {
        assert_eq!(texts("DELIMITER\nSELECT 1; DELIMITER   \n;", Mysql), ["DELIMITER\nSELECT 1", "DELIMITER"]);
    }

    #[test]
    fn delimiter_is_mysql_only() {
        let sql = "DELIMITER $$\nSELECT 1$$;";
        assert_eq!(texts(sql, Postgres), ["DELIMITER $$\nSELECT 1$$"]);
        assert_eq!(texts(sql, Sqlite), ["DELIMITER $$\nSELECT 1$$"]);
        assert_eq!(texts(sql, Mysql), ["SELECT 1", ";"]);
    }

    // --- unterminated constructs --------------------------------------------------------------

    #[test]
    fn unterminated_quotes() {
        for dialect in ALL {
            assert_eq!(error("SELECT 1; SELECT 'abc", dialect), unterminated(Unterminated::SingleQuote, 17));
            assert_eq!(error("SELECT \"abc", dialect), unterminated(Unterminated::DoubleQuote, 7));
        }
        for dialect in [Sqlite, Mysql] {
            assert_eq!(error("SELECT `ab``c", dialect), unterminated(Unterminated::Backtick, 7));
        }
        assert_eq!(error("SELECT [abc", Sqlite), unterminated(Unterminated::Bracket, 7));
        assert_eq!(error(r"SELECT E'abc\'", Postgres), unterminated(Unterminated::SingleQuote, 7));
    }

    #[test]
    fn unterminated_dollar_quotes() {
        assert_eq!(
            error("SELECT 1; SELECT $fn$ body $f$", Postgres),
            unterminated(Unterminated::DollarQuote { tag: "fn".to_owned() }, 17)
        );
        assert_eq!(error("SELECT $$ body", Postgres), unterminated(Unterminated::DollarQuote { tag: String::new() }, 7));
    }

    #[test]
    fn unterminated_block_comments() {
        for dialect in ALL {
            assert_eq!(error("SELECT 1 /* abc", dialect), unterminated(Unterminated::BlockComment, 9));
        }
        let nested = "/* a /* b */ SELECT 1";
        assert_eq!(error(nested, Postgres), unterminated(Unterminated::BlockComment, 0));
        assert_eq!(texts(nested, Sqlite), ["SELECT 1"]);
        assert_eq!(error("/*!40101 SET x", Mysql), unterminated(Unterminated::BlockComment, 0));
    }

    #[test]
    fn unterminated_display() {
        let cases = [
            (Unterminated::SingleQuote, "string literal"),
            (Unterminated::DoubleQuote, "quoted identifier"),
            (Unterminated::Backtick, "backtick-quoted identifier"),
            (Unterminated::Bracket, "bracket-quoted identifier"),
            (Unterminated::DollarQuote { tag: "body".to_owned() }, "dollar-quoted string `$body$`"),
            (Unterminated::DollarQuote { tag: String::new() }, "dollar-quoted string `$$`"),
            (Unterminated::BlockComment, "block comment"),
            (Unterminated::Body, "BEGIN ... END body"),
        ];
        for (what, expected) in cases {
            assert_eq!(what.to_string(), expected);
        }
    }

    // --- canonical_text -----------------------------------------------------------------------

    #[test]
    fn canonical_text_drops_comments_and_folds_whitespace() {
        for dialect in ALL {
            assert_eq!(canonical_text("CREATE  TABLE a -- note\n( id int /* x */ )", dialect), "CREATE TABLE a ( id int )");
            assert_eq!(canonical_text("\r\n\tSELECT\r\n  1 ,\t2 -- end", dialect), "SELECT 1 , 2");
            assert_eq!(canonical_text(" \n\t ", dialect), "");
            assert_eq!(canonical_text("-- only\n/* comments */", dialect), "");
        }
    }

    #[test]
    fn canonical_text_keeps_quoted_text_verbatim() {
        for dialect in ALL {
            assert_eq!(canonical_text("SELECT  'a  b',\t\"c \n d\"  FROM t", dialect), "SELECT 'a  b', \"c \n d\" FROM t");
        }
        assert_eq!(canonical_text("SELECT  $$ a   b $$ ,  $t$ -- x $t$", Postgres), "SELECT $$ a   b $$ , $t$ -- x $t$");
        assert_eq!(canonical_text(r"SELECT 'it\'s   -- x'  ,  `a  b`", Mysql), r"SELECT 'it\'s   -- x' , `a  b`");
        assert_eq!(canonical_text("SELECT [a  b]  ,  `c  d`", Sqlite), "SELECT [a  b] , `c  d`");
    }

    #[test]
    fn canonical_text_follows_dialect_comment_rules() {
        assert_eq!(canonical_text("SELECT /* a /* b */ c */ 1", Postgres), "SELECT 1");
        assert_eq!(canonical_text("SELECT /* a /* b */ c */ 1", Sqlite), "SELECT c */ 1");
        assert_eq!(canonical_text("SELECT 1 # c\n", Mysql), "SELECT 1");
        assert_eq!(canonical_text("SELECT 1 # c\n", Postgres), "SELECT 1 # c");
        assert_eq!(canonical_text("SELECT 1--1", Mysql), "SELECT 1--1");
        assert_eq!(canonical_text("SELECT 1--1", Sqlite), "SELECT 1");
    }

    #[test]
    fn canonical_text_keeps_mysql_executable_comments() {
        assert_eq!(
            canonical_text("SELECT /*!50000 SQL_NO_CACHE */  1 /*M!100100 , 2*/ /* x */", Mysql),
            "SELECT /*!50000 SQL_NO_CACHE */ 1 /*M!100100 , 2*/"
        );
        assert_eq!(canonical_text("SELECT /*!50000 SQL_NO_CACHE */  1", Postgres), "SELECT 1");
    }

    #[test]
    fn canonical_text_keeps_tokens_apart_where_a_comment_was() {
        assert_eq!(canonical_text("SELECT 1-/**/-1", Postgres), "SELECT 1- -1");
        assert_eq!(canonical_text("SELECT a/*x*/b", Sqlite), "SELECT a b");
    }

    #[test]
    fn canonical_text_runs_unterminated_constructs_to_the_end() {
        for dialect in ALL {
            assert_eq!(canonical_text("SELECT  'abc   def", dialect), "SELECT 'abc   def");
            assert_eq!(canonical_text("SELECT  1 /* never closed", dialect), "SELECT 1");
        }
        assert_eq!(canonical_text("SELECT  $x$  a  ", Postgres), "SELECT $x$  a  ");
    }

    #[test]
    fn canonical_text_ignores_cosmetic_edits() {
        let original = "CREATE TABLE t (\n  id int, -- key\n  name text\n)";
        let edited = "/* reformatted */ CREATE   TABLE t (  id int,\t/* k */ name text\n\n)  -- done";
        for dialect in ALL {
            assert_eq!(canonical_text(original, dialect), "CREATE TABLE t ( id int, name text )");
            assert_eq!(canonical_text(edited, dialect), canonical_text(original, dialect));
        }
    }

    // --- robustness ---------------------------------------------------------------------------

    /// Deterministic xorshift64 so the property test needs no extra crates.
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
    }

    /// Fragments that open a quote or comment: most random inputs containing one end in an
    /// unterminated error, so they are drawn at a varying rate.
    #[rustfmt::skip]
    const OPENERS: &[&str] = &["'", "\"", "`", "[", "$$", "$a$", "/*", "/*!", "E'", "\\"];

    /// Other tricky fragments: closers, words that steer body counting and DELIMITER handling,
    /// multibyte characters, and balanced constructs holding terminators.
    #[rustfmt::skip]
    const PIECES: &[&str] = &[
        "$", ";", "-", "/", "*", "#", "\n", " ", "\t", "a", "B", "E", "e", "]", "(", ")", "=",
        "@", "1", "é", "€", "日", "*/", "--", "BEGIN", "END", "CASE", "IF", "LOOP", "end_date",
        "CREATE TRIGGER t ", "CREATE PROCEDURE ", "CREATE DEFINER=`u`@`h` FUNCTION ",
        "BEGIN ATOMIC ", "END IF", "END;", "DELIMITER ", "DELIMITER $$\n", "DELIMITER ;\n",
        "DELIMITER //\n", "//", "; ", ";\n", "SELECT 1", "x", "'q;'", "\"i;\"", "`b`", "[c;]",
        "$$ ; $$", "/* ; */", "-- ;\n", "# ;\n",
    ];

    fn random_sql(rng: &mut XorShift) -> String {
        let len = rng.below(60);
        // One input in three has no openers at all; the rest have few or many.
        let opener_one_in = [usize::MAX, 20, 3][rng.below(3)];
        (0..len)
            .map(
                |_| {
                    if rng.below(opener_one_in) == 0 {
                        OPENERS[rng.below(OPENERS.len())]
                    } else {
                        PIECES[rng.below(PIECES.len())]
                    }
                },
            )
            .collect()
    }

    /// A range that often is the whole text and otherwise has arbitrary (possibly invalid)
    /// bounds, which `split` must clamp.
    fn random_range(rng: &mut XorShift, len: usize) -> Range<usize> {
        if rng.below(3) > 0 {
            0..len
        } else {
            rng.below(len + 3)..rng.below(len + 3)
        }
    }

    fn check_invariants(sql: &str, range: Range<usize>, dialect: Dialect) {
        let lo = range.start;
        let hi = range.end.min(sql.len());
        match split(sql, range, dialect) {
            Ok(statements) => {
                let mut previous_end = lo;
                for s in &statements {
                    let context = format!("{dialect:?} {s:?} in {sql:?} [{lo}..{hi}]");
                    assert!(previous_end <= s.start && s.start < s.end && s.end <= hi, "{context}");
                    assert!(sql.is_char_boundary(s.start) && sql.is_char_boundary(s.end), "{context}");
                    let text = &sql[s.start..s.end];
                    assert_eq!(text.trim(), text, "{context}");
                    previous_end = s.end;
                    let _ = canonical_text(text, dialect);
                }
            }
            Err(e) => {
                assert!(
                    lo <= e.offset && e.offset < hi && sql.is_char_boundary(e.offset),
                    "{dialect:?} {e:?} in {sql:?} [{lo}..{hi}]"
                );
                let _ = e.what.to_string();
            }
        }
        let _ = canonical_text(sql, dialect);
    }

    #[test]
    fn random_inputs_never_break_invariants() {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..4000 {
            let sql = random_sql(&mut rng);
            for dialect in ALL {
                let range = random_range(&mut rng, sql.len());
                check_invariants(&sql, range, dialect);
            }
        }
    }

    #[test]
    fn large_inputs_split_in_linear_time() {
        // Shapes that a naive rescanning implementation would handle quadratically.
        let many = "SELECT 1;".repeat(50_000);
        assert_eq!(texts(&many, Postgres).len(), 50_000);
        let dollars = format!("SELECT $tag$ {} $tag$", "$ta".repeat(100_000));
        assert_eq!(texts(&dollars, Postgres).len(), 1);
        let delimited = format!("DELIMITER $$\n{}", "END$ END$$".repeat(50_000));
        assert_eq!(texts(&delimited, Mysql).len(), 50_000);
        let comments = format!("SELECT 1 {}", "/*".repeat(100_000));
        assert!(split(&comments, 0..comments.len(), Postgres).is_err());
    }

    /// Regression (found by fuzzing): on MySQL `--x` is two minus signs, and the space that
    /// replaced a comment after them made the canonical text of `SELECT 5--/* c */3` read
    /// `SELECT 5-- 3`, a comment; `SELECT 1 ----` (two minus signs, then a comment) became
    /// `SELECT 1 --`, a comment too. The canonical form changed the statement's meaning and
    /// was not stable when computed again.
    #[test]
    fn mysql_canonical_text_keeps_double_minus_a_minus() {
        for text in ["SELECT 5--/* c */3", "---- +up\nSELECT 1", "SELECT 1--#x\n+ 2", "----", "-----", "SELECT 1 ----", "-\0-"] {
            let once = canonical_text(text, Mysql);
            assert_eq!(canonical_text(&once, Mysql), once, "{text:?}");
            assert!(!once.contains("--"), "{text:?} -> {once:?}");
        }
        assert_eq!(canonical_text("SELECT 5--/* c */3", Mysql), "SELECT 5- - 3");
        assert_eq!(canonical_text("SELECT 5--3", Mysql), "SELECT 5--3");
        assert_eq!(canonical_text("SELECT 1 ----", Mysql), "SELECT 1 - -");
        assert_eq!(canonical_text("SELECT 1 -----x", Mysql), "SELECT 1 -----x");
        assert_eq!(canonical_text("SELECT 5 - /* c */ -3", Mysql), "SELECT 5 - -3");
        // Elsewhere `--` is always a comment.
        assert_eq!(canonical_text("SELECT 5-- c\n-3", Postgres), "SELECT 5 -3");
    }
}
