//! The migration file format: a file's text → its sections, each a list of SQL regions.
//!
//! This stage knows markers and annotations (`-- +up`, `-- +down`, `-- +dialect`,
//! `-- +no-transaction`, `-- +envsub`, `-- +begin`/`-- +end`), which are whole lines. It never looks
//! inside SQL: splitting regions into statements is [`crate::split`]'s job. Each production
//! of `grammar/migration.ebnf` has a function of the same name here, marked `grammar: <rule>`.

use std::ops::Range;

use nom::branch::alt;
use nom::bytes::complete::{tag, tag_no_case, take_while, take_while1};
use nom::combinator::{eof, map, opt, value};
use nom::sequence::preceded;
use nom::{IResult, Parser};

use crate::dialect::Dialect;
use crate::error::{Error, Result};
use crate::source::Source;

/// Which way a section migrates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Applies the change.
    Up,
    /// Reverts it.
    Down,
}

impl Direction {
    /// `up` or `down`.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

/// A piece of a section body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// SQL text to be split into statements.
    Sql(Range<usize>),
    /// The inside of a `-- +begin` / `-- +end` block: exactly one statement.
    Block {
        /// The text between the two marker lines.
        body: Range<usize>,
        /// The `-- +begin` line, for errors.
        begin: Range<usize>,
    },
}

/// One `-- +up` or `-- +down` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Up or down.
    pub direction: Direction,
    /// `Some` for a section written for one database only (`-- +up sqlite`).
    pub target: Option<Dialect>,
    /// The marker line.
    pub marker: Range<usize>,
    /// Whether `-- +no-transaction` applies (in the section or the header).
    pub no_transaction: bool,
    /// Whether `-- +envsub` applies (in the section or the header): `${VAR}` in its
    /// statements is replaced by the environment variable's value when they are emitted.
    pub envsub: bool,
    /// The body, in order.
    pub items: Vec<Item>,
}

/// A parsed migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFile {
    /// The dialect named by a `-- +dialect` header line.
    pub dialect: Option<Dialect>,
    /// The sections in file order.
    pub sections: Vec<Section>,
}

/// What a directive line says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Directive<'a> {
    Marker(Direction, Option<&'a str>),
    Dialect(&'a str),
    NoTransaction,
    EnvSub,
    Begin,
    End,
    /// One of our directives followed by text it does not take (`-- +up sqlite mysql`).
    Malformed(String),
    Unknown(&'a str),
}

/// grammar: ws
fn ws(i: &str) -> IResult<&str, &str> {
    take_while(|c| c == ' ' || c == '\t').parse(i)
}

/// grammar: ws1
fn ws1(i: &str) -> IResult<&str, &str> {
    take_while1(|c| c == ' ' || c == '\t').parse(i)
}

/// grammar: word
fn word(i: &str) -> IResult<&str, &str> {
    take_while1(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_').parse(i)
}

/// grammar: dialect_name
///
/// Any run of letters and digits; `format::file` rejects one that is not a dialect.
fn dialect_name(i: &str) -> IResult<&str, &str> {
    take_while1(|c: char| c.is_ascii_alphanumeric()).parse(i)
}

/// grammar: directive_start
fn directive_start(i: &str) -> IResult<&str, ()> {
    value((), (ws, tag("--"), ws, tag("+"))).parse(i)
}

/// grammar: marker
fn marker(i: &str) -> IResult<&str, Directive<'_>> {
    let direction = alt((value(Direction::Up, tag_no_case("up")), value(Direction::Down, tag_no_case("down"))));
    map((direction, opt(preceded(ws1, dialect_name)), ws, eof), |(d, target, _, _)| Directive::Marker(d, target)).parse(i)
}

/// grammar: dialect_directive
fn dialect_directive(i: &str) -> IResult<&str, Directive<'_>> {
    map((tag_no_case("dialect"), ws1, dialect_name, ws, eof), |(_, _, name, _, _)| Directive::Dialect(name)).parse(i)
}

/// grammar: annotation
fn annotation(i: &str) -> IResult<&str, Directive<'_>> {
    let name = alt((
        value(Directive::NoTransaction, tag_no_case("no-transaction")),
        value(Directive::EnvSub, tag_no_case("envsub")),
        value(Directive::Begin, tag_no_case("begin")),
        value(Directive::End, tag_no_case("end")),
    ));
    map((name, ws, eof), |(d, _, _)| d).parse(i)
}

/// grammar: directive_line
///
/// `None` for an ordinary line (SQL or a plain comment). A line that starts like a directive
/// (`-- +word`) but is none of ours is `Unknown`, so a typo such as `-- +dwon` is an error
/// instead of a comment that silently drops the down section.
fn directive_line(line: &str) -> Option<Directive<'_>> {
    let (rest, ()) = directive_start(line).ok()?;
    if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None; // `-- +1`, `-- ++`: an ordinary comment
    }
    if let Ok((_, d)) = alt((marker, dialect_directive, annotation)).parse(rest) {
        return Some(d);
    }
    let (_, name) = word(rest).ok()?;
    let lower = name.to_ascii_lowercase();
    let known = ["up", "down", "dialect", "no-transaction", "envsub", "begin", "end"];
    if let Some(k) = known.iter().find(|k| lower == **k || lower.strip_prefix(**k).is_some_and(|r| r.starts_with('-'))) {
        return Some(Directive::Malformed((*k).to_string()));
    }
    Some(Directive::Unknown(name))
}

/// What a well-formed line of a known directive looks like.
fn directive_usage(name: &str) -> &'static str {
    match name {
        "up" => "`-- +up` or `-- +up DIALECT`",
        "down" => "`-- +down` or `-- +down DIALECT`",
        "dialect" => "`-- +dialect DIALECT` with one of sqlite, postgres, mysql",
        "no-transaction" => "`-- +no-transaction` alone on its line",
        "envsub" => "`-- +envsub` alone on its line",
        "begin" => "`-- +begin` alone on its line",
        _ => "`-- +end` alone on its line",
    }
}

/// A line of the file: its content range (no line ending) and the range including it.
struct Line {
    content: Range<usize>,
    full: Range<usize>,
}

fn lines(text: &str, start: usize) -> impl Iterator<Item = Line> + '_ {
    let mut pos = start;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let end = text[pos..].find('\n').map_or(text.len(), |p| pos + p);
        let full_end = if end < text.len() { end + 1 } else { end };
        let content_end = if text[pos..end].ends_with('\r') { end - 1 } else { end };
        let line = Line { content: pos..content_end, full: pos..full_end };
        pos = full_end;
        Some(line)
    })
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with("--")
}

/// grammar: file
///
/// Parse a migration file's structure. All problems found are reported, not just the first.
pub fn file(source: &Source) -> Result<MigrationFile> {
    let text = &source.text;
    // NUL is valid UTF-8, but no SQL text holds it: it is a binary file, or UTF-16 (a NUL
    // after every ASCII character), which would otherwise be reported as SQL before the first
    // marker, or (unparsed, in its own dialect) be sent to the server.
    if let Some(at) = text.find('\0') {
        return Err(Error::syntax(source.location(at), "NUL character in the file")
            .with_help("migration files are UTF-8 text; is this a binary file, or saved as UTF-16? Save it as UTF-8"));
    }
    let mut errors = Vec::new();
    let mut dialect: Option<(Dialect, usize)> = None;
    let mut header_no_tx = false;
    let mut header_envsub = false;
    let mut sections: Vec<Section> = Vec::new();
    let mut open_block: Option<(Range<usize>, usize)> = None; // an open block's `-- +begin` line and where its body starts
    let mut sql_start: Option<usize> = None; // start of the pending SQL region
    let mut in_header_sql: Option<usize> = None;

    let flush = |sections: &mut Vec<Section>, sql_start: &mut Option<usize>, end: usize| {
        if let (Some(start), Some(section)) = (sql_start.take(), sections.last_mut()) {
            if start < end {
                section.items.push(Item::Sql(start..end));
            }
        }
    };

    for line in lines(text, source.content_start()) {
        let content = &text[line.content.clone()];
        let directive = directive_line(content);
        if let Some((begin, body_start)) = &open_block {
            match directive {
                Some(Directive::End) => {
                    let body = *body_start..line.full.start;
                    if let Some(section) = sections.last_mut() {
                        section.items.push(Item::Block { body, begin: begin.clone() });
                    }
                    open_block = None;
                }
                Some(Directive::Begin) => errors.push(
                    Error::syntax(source.span(line.content.start, line.content.end), "`-- +begin` inside a `-- +begin` block")
                        .with_help(format!(
                            "close the block opened at line {} with `-- +end` first",
                            source.location(begin.start).line
                        )),
                ),
                Some(Directive::Marker(..)) => {
                    errors.push(
                        Error::syntax(source.span(begin.start, begin.end), "unterminated `-- +begin` block")
                            .with_help("end the block with a `-- +end` line before the next section marker"),
                    );
                    open_block = None;
                    // Handle the marker below as usual.
                }
                _ => continue,
            }
            if open_block.is_some() || !matches!(directive, Some(Directive::Marker(..))) {
                continue;
            }
        }
        let Some(directive) = directive else {
            if sections.is_empty() {
                if !is_blank_or_comment(content) && in_header_sql.is_none() {
                    in_header_sql = Some(line.content.start + (content.len() - content.trim_start().len()));
                }
            } else if sql_start.is_none() {
                sql_start = Some(line.full.start);
            }
            continue;
        };
        let span = || source.span(line.content.start, line.content.end);
        flush(&mut sections, &mut sql_start, line.full.start);
        // A malformed marker still opens its section, so the lines after it are not
        // reported again as misplaced SQL.
        let directive = match directive {
            Directive::Malformed(name) => {
                errors.push(
                    Error::syntax(span(), format!("malformed `-- +{name}` line"))
                        .with_help(format!("write {}; for a plain comment drop the `+`", directive_usage(&name))),
                );
                match name.as_str() {
                    "up" => Directive::Marker(Direction::Up, Some("")),
                    "down" => Directive::Marker(Direction::Down, Some("")),
                    _ => continue,
                }
            }
            d => d,
        };
        match directive {
            Directive::Marker(direction, target) => {
                let mut valid = true;
                let target = match target.map(str::parse::<Dialect>) {
                    None => None,
                    Some(Ok(d)) => Some(d),
                    Some(Err(e)) => {
                        if target != Some("") {
                            errors.push(Error::syntax(span(), e.to_string()));
                        }
                        valid = false;
                        None
                    }
                };
                if !valid {
                    // Already reported; comparing it with other sections would only add noise.
                } else if let Some(prev) = sections.iter().find(|s| s.direction == direction && s.target == target) {
                    errors.push(Error::syntax(span(), format!("repeated `-- +{}{}` section", direction.name(), target.map(|t| format!(" {t}")).unwrap_or_default()))
                        .with_help(format!("the first one is at line {}; a file has one section of each kind", source.location(prev.marker.start).line)));
                } else if direction == Direction::Down && !sections.iter().any(|s| s.direction == Direction::Up) {
                    errors.push(Error::syntax(span(), "`-- +down` before `-- +up`").with_help("put the up section first"));
                }
                sections.push(Section {
                    direction,
                    target,
                    marker: line.content.clone(),
                    no_transaction: header_no_tx,
                    envsub: header_envsub,
                    items: Vec::new(),
                });
            }
            Directive::Dialect(name) => {
                if !sections.is_empty() {
                    errors.push(Error::syntax(span(), "`-- +dialect` inside a section").with_help("put `-- +dialect` in the header, before `-- +up`"));
                } else if let Some((_, at)) = dialect {
                    errors.push(Error::syntax(span(), "repeated `-- +dialect`").with_help(format!("the first one is at line {}", source.location(at).line)));
                } else {
                    match name.parse::<Dialect>() {
                        Ok(d) => dialect = Some((d, line.content.start)),
                        Err(e) => errors.push(Error::syntax(span(), e.to_string())),
                    }
                }
            }
            Directive::NoTransaction => match sections.last_mut() {
                Some(section) => section.no_transaction = true,
                None => header_no_tx = true,
            },
            Directive::EnvSub => match sections.last_mut() {
                Some(section) => section.envsub = true,
                None => header_envsub = true,
            },
            Directive::Begin => {
                if sections.is_empty() {
                    errors.push(Error::syntax(span(), "`-- +begin` before `-- +up`").with_help("blocks belong in a section"));
                }
                open_block = Some((line.content.clone(), line.full.end));
            }
            Directive::End => errors.push(Error::syntax(span(), "`-- +end` without `-- +begin`")),
            Directive::Malformed(_) => {}
            Directive::Unknown(name) => errors.push(
                Error::syntax(span(), format!("unknown annotation `-- +{name}`"))
                    .with_help("sqlmig knows `-- +up`, `-- +down`, `-- +dialect NAME`, `-- +no-transaction`, `-- +envsub`, `-- +begin` and `-- +end`; for a plain comment drop the `+`"),
            ),
        }
    }
    flush(&mut sections, &mut sql_start, text.len());
    if let Some((begin, _)) = open_block {
        errors.push(
            Error::syntax(source.span(begin.start, begin.end), "unterminated `-- +begin` block")
                .with_help("end the block with a `-- +end` line"),
        );
    }
    if let Some(at) = in_header_sql {
        let end = text[at..].find('\n').map_or(text.len(), |p| at + p);
        errors.push(
            Error::syntax(source.span(at, end), "SQL before the first `-- +up` marker")
                .with_help("statements belong in a section: add a line `-- +up` above them"),
        );
    } else if !sections.iter().any(|s| s.direction == Direction::Up) {
        errors.push(
            Error::syntax(source.location(source.content_start()), "no `-- +up` section")
                .with_help("a migration file needs a line `-- +up` followed by its statements"),
        );
    }
    crate::error::collect(errors)?;
    Ok(MigrationFile { dialect: dialect.map(|(d, _)| d), sections })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn parse(text: &str) -> Result<MigrationFile> {
        file(&Source::new("m.sql", text))
    }

    fn err(text: &str) -> String {
        crate::diagnostic::render(&parse(text).unwrap_err())
    }

    #[test]
    fn sections_and_annotations() {
        let text = "-- header\n-- +dialect sqlite\n-- +up\nCREATE TABLE a (x int);\n  --  +down  \n-- +no-transaction\nDROP TABLE a;\n-- +up mysql\nSELECT 1;\n";
        let f = parse(text).unwrap();
        assert_eq!(f.dialect, Some(Dialect::Sqlite));
        assert_eq!(f.sections.len(), 3);
        assert_eq!(f.sections[0].items, vec![Item::Sql(36..60)]);
        assert_eq!(&text[36..60], "CREATE TABLE a (x int);\n");
        assert!(!f.sections[0].no_transaction && f.sections[1].no_transaction);
        assert_eq!((f.sections[1].direction, f.sections[2].target), (Direction::Down, Some(Dialect::Mysql)));
    }

    #[test]
    fn envsub_in_the_header_or_a_section() {
        let f = parse("-- +envsub\n-- +up\nSELECT 1;\n-- +down\nSELECT 2;\n").unwrap();
        assert!(f.sections.iter().all(|s| s.envsub));
        let f = parse("-- +up\nSELECT 1;\n-- +down\n-- +EnvSub\nSELECT 2;\n").unwrap();
        assert!(!f.sections[0].envsub && f.sections[1].envsub);
        assert!(err("-- +up\n-- +envsub please\nSELECT 1;\n").contains("malformed `-- +envsub` line"));
        assert!(err("-- +up\n-- +envsubst\nSELECT 1;\n").contains("`-- +envsub`"));
    }

    #[test]
    fn blocks_are_kept_whole() {
        let text = "-- +up\nSELECT 1;\n-- +begin\nA; B;\n-- +end\nSELECT 2;\n";
        let f = parse(text).unwrap();
        let items = &f.sections[0].items;
        assert_eq!(items.len(), 3);
        let Item::Block { body, .. } = &items[1] else { panic!("{items:?}") };
        assert_eq!(&text[body.clone()], "A; B;\n");
    }

    #[test]
    fn crlf_and_bom() {
        let f = parse("\u{feff}-- +up\r\nSELECT 1;\r\n-- +down\r\n").unwrap();
        assert_eq!(f.sections.len(), 2);
    }

    #[test]
    fn plain_comments_that_look_like_markers_are_comments() {
        assert!(parse("-- +up\n-- +1 for this\nSELECT 1;\n").is_ok());
    }

    #[test]
    fn structural_errors() {
        assert!(err("SELECT 1;\n-- +up\n").contains("SQL before the first `-- +up`"));
        assert!(err("-- just a comment\n").contains("no `-- +up` section"));
        assert!(err("").contains("no `-- +up` section"));
        assert!(err("-- +down\n-- +up\n").contains("`-- +down` before `-- +up`"));
        let e = err("-- +up\nSELECT 1;\n-- +up\n");
        assert!(e.contains("repeated `-- +up` section") && e.contains("m.sql:3:1") && e.contains("line 1"), "{e}");
        assert!(err("-- +up\n-- +dwon\n").contains("unknown annotation `-- +dwon`"));
        assert!(err("-- +up postgresql9\n").contains("unknown dialect"));
        assert!(err("-- +up\n-- +begin\nSELECT 1;\n").contains("unterminated `-- +begin` block"));
        assert!(err("-- +up\n-- +begin\n-- +down\n").contains("unterminated `-- +begin` block"));
        assert!(err("-- +up\n-- +end\n").contains("`-- +end` without `-- +begin`"));
        assert!(err("-- +up\n-- +dialect mysql\n").contains("`-- +dialect` inside a section"));
        let e = err("-- +up sqlite mysql\nSELECT 1;\n");
        assert!(e.contains("malformed `-- +up` line") && !e.contains("SQL before"), "{e}");
        let e = err("-- +up\nSELECT 1;\n-- +up oracle\nSELECT 2;\n");
        assert!(e.contains("unknown dialect") && !e.contains("repeated"), "{e}");
        assert!(err("-- +up\nSELECT 1;\n-- +down --\n").contains("malformed `-- +down` line"));
        assert!(err("-- +down sqlite\n-- +up\nSELECT 1;\n").contains("`-- +down` before `-- +up`"));
    }

    /// Regression: a file holding NUL characters (binary, or saved as UTF-16) was reported
    /// as SQL before the first marker, or its statement was sent to PostgreSQL, which failed
    /// with "error encoding message to server".
    #[test]
    fn nul_characters_are_refused() {
        let e = err("-- +up\nSELECT \0;\n");
        assert!(e.contains("NUL character in the file") && e.contains("m.sql:2:8"), "{e}");
        let utf16: String = "-- +up\nSELECT 1;\n".chars().flat_map(|c| [c, '\0']).collect();
        assert!(err(&utf16).contains("UTF-16"), "{}", err(&utf16));
    }
}
