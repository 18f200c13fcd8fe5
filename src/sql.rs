//! Statements: a splitter range → a statement with its sqlparser AST, or the parser's
//! complaint located in the file.
//!
//! Parsing here serves analysis (canonical checksums, translation, lint). The text that runs
//! on a database is the original statement unless translation must change it.

use std::ops::Range;

use sqlparser::parser::Parser;

use crate::dialect::Dialect;
use crate::source::Source;

/// One SQL statement of a migration.
#[derive(Debug, Clone)]
pub struct Statement {
    /// Its bytes in the source file (no terminator).
    pub span: Range<usize>,
    /// The parsed form.
    pub parsed: Parsed,
}

/// What the parser made of a statement.
#[derive(Debug, Clone)]
pub enum Parsed {
    /// One statement, as sqlparser understands it.
    Ast(Box<sqlparser::ast::Statement>),
    /// A `-- +begin` block that held several statements: kept together, run verbatim.
    Many(Vec<sqlparser::ast::Statement>),
    /// sqlparser could not parse it.
    Error {
        /// The parser's message, without its position suffix.
        message: String,
        /// Where in the file the parser stopped.
        offset: usize,
    },
}

impl Statement {
    /// The statement's text.
    pub fn text<'s>(&self, source: &'s Source) -> &'s str {
        &source.text[self.span.clone()]
    }

    /// Whether sqlparser understood it.
    pub fn is_parsed(&self) -> bool {
        !matches!(self.parsed, Parsed::Error { .. })
    }
}

/// Parse the statement at `span` of `source` in `dialect`.
pub fn parse(source: &Source, span: Range<usize>, dialect: Dialect) -> Statement {
    let text = &source.text[span.clone()];
    let parsed = match Parser::parse_sql(&*dialect.parser_dialect(), text) {
        Ok(mut stmts) if stmts.len() == 1 => Parsed::Ast(Box::new(stmts.remove(0))),
        Ok(stmts) if stmts.is_empty() => Parsed::Error { message: "no statement found".into(), offset: span.start },
        Ok(stmts) => Parsed::Many(stmts),
        Err(e) => {
            let full = e.to_string();
            let full = full.strip_prefix("sql parser error: ").unwrap_or(&full);
            let (message, position) = split_position(full);
            let offset = position.map_or(span.start, |(line, col)| span.start + offset_of(text, line, col));
            Parsed::Error { message: message.to_string(), offset }
        }
    };
    Statement { span, parsed }
}

/// Split sqlparser's " at Line: L, Column: C" suffix off a message.
fn split_position(message: &str) -> (&str, Option<(usize, usize)>) {
    let Some(at) = message.rfind(" at Line: ") else {
        return (message, None);
    };
    let tail = &message[at + " at Line: ".len()..];
    let mut parts = tail.splitn(2, ", Column: ");
    let line = parts.next().and_then(|l| l.trim().parse().ok());
    let col = parts.next().and_then(|c| c.trim().parse().ok());
    match (line, col) {
        (Some(l), Some(c)) => (&message[..at], Some((l, c))),
        _ => (message, None),
    }
}

/// The byte offset of 1-based (line, column) in `text`, columns counted in characters.
pub(crate) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line.max(1) {
        match text[start..].find('\n') {
            Some(p) => start += p + 1,
            None => return text.len(),
        }
    }
    text[start..].char_indices().nth(column.saturating_sub(1)).map_or(text.len(), |(i, _)| start + i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn parses_one_statement() {
        let src = Source::new("a.sql", "xx CREATE TABLE t (id int)");
        let s = parse(&src, 3..src.text.len(), Dialect::Postgres);
        assert!(matches!(s.parsed, Parsed::Ast(_)));
        assert_eq!(s.text(&src), "CREATE TABLE t (id int)");
    }

    #[test]
    fn parse_errors_point_into_the_file() {
        let src = Source::new("a.sql", "-- +up\nCREATE TABLE t (\n  id int,\n  name tetx nonsense\n)");
        let s = parse(&src, 7..src.text.len(), Dialect::Postgres);
        let Parsed::Error { message, offset } = &s.parsed else { panic!("{:?}", s.parsed) };
        assert!(message.starts_with("Expected"), "{message}");
        let loc = src.location(*offset);
        assert_eq!((loc.line, loc.line_text.as_str()), (4, "  name tetx nonsense"));
        assert_eq!(loc.column, 13);
    }

    #[test]
    fn positions() {
        assert_eq!(split_position("Expected: x, found: y at Line: 2, Column: 5"), ("Expected: x, found: y", Some((2, 5))));
        assert_eq!(split_position("recursion limit exceeded"), ("recursion limit exceeded", None));
        assert_eq!(offset_of("ab\ncdé\nf", 2, 3), 5);
        assert_eq!(offset_of("ab", 9, 1), 2);
    }
}
