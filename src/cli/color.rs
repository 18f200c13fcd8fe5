//! Colour for people at a terminal: only when the stream is a terminal, never with
//! `NO_COLOR` set (https://no-color.org) or `TERM=dumb`. Otherwise output is byte for byte
//! what it is without this module.

use std::io::IsTerminal;

/// What a coloured word means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Done as asked: `applied`.
    Good,
    /// Worth a look: `pending`, `rolled back`, `warning:`.
    Warn,
    /// Wrong: `error:`, `edited`, `dirty`.
    Bad,
    /// For information: `baseline`, `notice:`.
    Info,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Good => "\x1b[32m",
            Style::Warn => "\x1b[33m",
            Style::Bad => "\x1b[1;31m",
            Style::Info => "\x1b[36m",
        }
    }
}

const RESET: &str = "\x1b[0m";

/// Whether one output stream gets colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paint(bool);

impl Paint {
    /// Colour for `stream` when it is a terminal and neither `NO_COLOR` (any non-empty value)
    /// nor `TERM=dumb` is set.
    pub fn detect(stream: &impl IsTerminal) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        Paint(!no_color && !dumb && stream.is_terminal())
    }

    /// `text` in `style`, or `text` itself without colour.
    pub fn paint(self, style: Style, text: &str) -> String {
        if self.0 && !text.is_empty() {
            format!("{}{text}{RESET}", style.code())
        } else {
            text.to_string()
        }
    }

    /// A rendered diagnostic (or a note) with its leading `error:`, `warning:` and `notice:`
    /// words coloured, on every line that starts with one.
    pub fn diagnostic(self, text: &str) -> String {
        if !self.0 {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len() + 32);
        for line in text.split_inclusive('\n') {
            let styled = [("error:", Style::Bad), ("warning:", Style::Warn), ("notice:", Style::Info)]
                .into_iter()
                .find(|(word, _)| line.starts_with(word));
            match styled {
                Some((word, style)) => {
                    out.push_str(&self.paint(style, word));
                    out.push_str(&line[word.len()..]);
                }
                None => out.push_str(line),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_without_a_terminal() {
        let text = "error: bad\n --> a.sql:1:1\nwarning: w\n";
        assert_eq!(Paint(false).diagnostic(text), text);
        assert_eq!(Paint(false).paint(Style::Good, "applied"), "applied");
    }

    #[test]
    fn coloured_on_a_terminal() {
        assert_eq!(Paint(true).paint(Style::Good, "applied"), "\x1b[32mapplied\x1b[0m");
        let text = Paint(true).diagnostic("error: bad\n = help: x\nnotice: n\n");
        assert_eq!(text, "\x1b[1;31merror:\x1b[0m bad\n = help: x\n\x1b[36mnotice:\x1b[0m n\n");
    }
}
