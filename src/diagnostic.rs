//! Rendering errors the way a compiler does: message, `--> file:line:col`, the line and a
//! caret under the offending text, then help.

use std::fmt::Write;

use crate::error::Error;

/// Render an error (all of them, for `Error::Many`) as text for a terminal.
pub fn render(error: &Error) -> String {
    let mut out = String::new();
    for (i, e) in error.flatten().into_iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_one(e, &mut out);
    }
    out
}

fn render_one(error: &Error, out: &mut String) {
    // Messages can quote the input (sqlparser quotes the token it stopped at, string literals
    // included), so every line is made visible like the source line below it.
    let _ = writeln!(out, "error: {}", shown(&error.to_string()));
    if let Some(loc) = error.location() {
        let number = loc.line.to_string();
        let pad = " ".repeat(number.len());
        let _ = writeln!(out, "{pad}--> {loc}");
        let _ = writeln!(out, "{pad} |");
        // Tabs would misalign the caret: show them as single spaces.
        let text = loc.line_text.replace('\t', " ");
        let _ = writeln!(out, "{number} | {text}");
        let caret_at = " ".repeat(loc.column.saturating_sub(1));
        let _ = writeln!(out, "{pad} | {caret_at}{}", "^".repeat(loc.len.max(1)));
    }
    for line in error.details() {
        let _ = writeln!(out, "  {}", shown(line));
    }
    if let Some(help) = error.help() {
        let _ = writeln!(out, "  = help: {}", shown(help));
    }
}

/// Text with its control characters made visible, line by line.
fn shown(text: &str) -> String {
    text.split('\n').map(crate::source::visible).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use pretty_assertions::assert_eq;

    #[test]
    fn renders_location_snippet_and_help() {
        let src = Source::new("migrations/0003_tags.sql", "-- +up\nCREATE TABLE t (\n\ttags TEXT[] NOT NULL\n);\n");
        let at = src.text.find("TEXT[]").unwrap();
        let err = Error::syntax(src.span(at, at + 6), "array type `TEXT[]` has no SQLite equivalent")
            .with_help("store the array as JSON in a `TEXT` column");
        assert_eq!(
            render(&err),
            "error: array type `TEXT[]` has no SQLite equivalent\n \
             --> migrations/0003_tags.sql:3:7\n  |\n3 |  tags TEXT[] NOT NULL\n  |       ^^^^^^\n  \
             = help: store the array as JSON in a `TEXT` column\n"
        );
    }
}
