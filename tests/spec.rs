//! The executable specification: golden files under `spec/` (see spec/README.md).
//!
//! Every case is a directory holding an input and the expected output. Each becomes its own
//! named test (`format_ok::crlf_and_bom/input.sql`). A mismatch fails with a line diff;
//! `SQLMIG_BLESS=1 cargo test --test spec` rewrites the expected files instead, after which
//! every changed file must be read and checked by hand: that review is the point.
//!
//! A last test checks that `grammar/migration.ebnf` mirrors the `/// grammar: <rule>`
//! functions of `src/` one to one.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use datatest_stable::Utf8Path;
use sqlmig::discover::MigrationId;
use sqlmig::format::Direction;
use sqlmig::migration::{Migration, ParsedMigration};
use sqlmig::source::Source;
use sqlmig::sql::Parsed;
use sqlmig::Dialect;

/// The path every case's migration is given, so that outputs do not depend on the case's
/// location in `spec/`.
const CASE_PATH: &str = "migrations/0001_case.sql";

/// The dialect a file is parsed with when it has no `-- +dialect` header.
const DEFAULT_DIALECT: Dialect = Dialect::Postgres;

/// The line between statements in `statements.txt` and `script.txt`.
const SEPARATOR: &str = "-- ----";

// ---------------------------------------------------------------------------------------------
// Failures that read well
// ---------------------------------------------------------------------------------------------

/// A test failure whose `Debug` form (what datatest-stable prints) is the message itself, so
/// diffs keep their line breaks instead of turning into one escaped string.
struct Failure(String);

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

fn fail<T>(message: impl Into<String>) -> datatest_stable::Result<T> {
    Err(Box::new(Failure(message.into())))
}

fn blessing() -> bool {
    std::env::var_os("SQLMIG_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Compare `actual` with the golden file `expected`, or rewrite it when blessing.
fn check_golden(expected: &Path, actual: &str) -> datatest_stable::Result<()> {
    if blessing() {
        let unchanged = std::fs::read(expected).is_ok_and(|old| old == actual.as_bytes());
        if !unchanged {
            std::fs::write(expected, actual).map_err(|e| Failure(format!("cannot write {}: {e}", expected.display())))?;
        }
        return Ok(());
    }
    let wanted = match std::fs::read(expected) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            return fail(format!(
                "cannot read {}: {e}\n\
                 run `SQLMIG_BLESS=1 cargo test --test spec` to create it, then review it.\n\
                 actual output:\n{actual}",
                expected.display()
            ))
        }
    };
    if wanted == actual {
        return Ok(());
    }
    fail(format!(
        "{} does not match (- expected, + actual):\n{}\n\
         if the new output is right, run `SQLMIG_BLESS=1 cargo test --test spec` and review the change",
        expected.display(),
        diff(&wanted, actual)
    ))
}

/// A unified-style line diff of `old` → `new`, whole files (they are small).
fn diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let mut out = String::new();
    let mut line = |sign: char, text: &str| {
        let shown = text.strip_suffix('\n').unwrap_or(text);
        let shown = shown.replace('\r', "\\r");
        let _ = writeln!(out, "{sign}{shown}{}", if text.ends_with('\n') { "" } else { "  (no newline at end)" });
    };
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            line(' ', a[i]);
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            line('-', a[i]);
            i += 1;
        } else {
            line('+', b[j]);
            j += 1;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the areas
// ---------------------------------------------------------------------------------------------

fn case_dir(input: &Utf8Path) -> PathBuf {
    input.parent().map_or_else(PathBuf::new, |p| p.as_std_path().to_path_buf())
}

fn read_text(path: &Path) -> datatest_stable::Result<String> {
    std::fs::read_to_string(path).or_else(|e| fail(format!("cannot read {}: {e}", path.display())))
}

/// An optional one-word file of a case (`dialect.txt`, `target.txt`), trimmed.
fn read_option(path: &Path) -> datatest_stable::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text.trim().to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => fail(format!("cannot read {}: {e}", path.display())),
    }
}

fn parse_dialect(word: &str, file: &Path) -> datatest_stable::Result<Dialect> {
    word.parse::<Dialect>().or_else(|e| fail(format!("{}: {e}", file.display())))
}

fn case_id() -> MigrationId {
    MigrationId { version: 1, version_text: "0001".into(), name: "case".into(), path: PathBuf::from(CASE_PATH) }
}

fn migration(text: String) -> Migration {
    Migration::from_source(case_id(), Source::new(CASE_PATH, text))
}

/// Statement text on one line: backslash, CR, LF, tab and other control characters escaped
/// the way Rust writes them, so the dump is unambiguous.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || c == '\u{feff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// `L:C` of a byte offset, 1-based, columns in characters (as in diagnostics).
fn line_col(source: &Source, offset: usize) -> String {
    let loc = source.location(offset);
    format!("{}:{}", loc.line, loc.column)
}

/// Statements separated by [`SEPARATOR`] lines; one per `texts` item.
fn separated<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, text) in texts.into_iter().enumerate() {
        if i > 0 {
            out.push_str(SEPARATOR);
            out.push('\n');
        }
        out.push_str(text);
        out.push('\n');
    }
    if out.is_empty() {
        out.push_str("-- (no statements)\n");
    }
    out
}

// ---------------------------------------------------------------------------------------------
// spec/format/ok: what the library makes of a valid file
// ---------------------------------------------------------------------------------------------

/// The text dump of a parsed migration that `parsed.txt` holds.
fn dump(m: &Migration, parsed: &ParsedMigration) -> String {
    let source = &m.source;
    let mut out = String::new();
    let from = match sqlmig::format::file(source) {
        Ok(f) if f.dialect.is_some() => "header",
        _ => "default",
    };
    let _ = writeln!(out, "dialect {} ({from})", parsed.dialect);
    for section in &parsed.sections {
        out.push_str("section ");
        out.push_str(section.direction.name());
        if let Some(target) = section.target {
            let _ = write!(out, " {target}");
        }
        if section.no_transaction {
            out.push_str(" no-transaction");
        }
        out.push('\n');
        for stmt in &section.statements {
            let at = line_col(source, stmt.span.start);
            let how = match &stmt.parsed {
                Parsed::Ast(_) => "parsed".to_string(),
                Parsed::Many(asts) => format!("parsed({})", asts.len()),
                Parsed::Error { .. } => "unparsed".to_string(),
            };
            let _ = writeln!(out, "  stmt {at} {how}: {}", one_line(stmt.text(source)));
            if let Parsed::Error { message, offset } = &stmt.parsed {
                let _ = writeln!(out, "    parser: {} at {}", one_line(message), line_col(source, *offset));
            }
        }
    }
    let _ = writeln!(out, "checksum {}", m.checksum);
    let _ = writeln!(out, "canonical {}", parsed.canonical.all);
    let _ = writeln!(out, "up {}", parsed.canonical.up);
    let _ = writeln!(out, "down {}", parsed.canonical.down);
    out
}

fn format_ok(path: &Utf8Path, text: String) -> datatest_stable::Result<()> {
    let m = migration(text);
    let parsed = match m.parse(DEFAULT_DIALECT) {
        Ok(p) => p,
        Err(e) => return fail(format!("expected the file to parse, got:\n{}", sqlmig::diagnostic::render(&e))),
    };
    check_golden(&case_dir(path).join("parsed.txt"), &dump(&m, &parsed))
}

// ---------------------------------------------------------------------------------------------
// spec/format/err: the diagnostics for invalid files
// ---------------------------------------------------------------------------------------------

fn format_err(path: &Utf8Path) -> datatest_stable::Result<()> {
    // Through `Migration::load`, as the tool reads files, so invalid UTF-8 is reported the
    // way users see it. The case's own path is then replaced by the fixed one.
    let id = MigrationId { path: path.as_std_path().to_path_buf(), ..case_id() };
    let result = Migration::load(id).and_then(|m| m.parse(DEFAULT_DIALECT).map(|p| (m, p)));
    let err = match result {
        Ok((m, p)) => return fail(format!("expected an error, but the file parses:\n{}", dump(&m, &p))),
        Err(e) => e,
    };
    let rendered = sqlmig::diagnostic::render(&err).replace(path.as_str(), CASE_PATH);
    check_golden(&case_dir(path).join("error.txt"), &rendered)
}

// ---------------------------------------------------------------------------------------------
// spec/split: statement splitting, per dialect
// ---------------------------------------------------------------------------------------------

fn split(path: &Utf8Path, text: String) -> datatest_stable::Result<()> {
    let dir = case_dir(path);
    let dialect_file = dir.join("dialect.txt");
    let dialect = match read_option(&dialect_file)? {
        Some(word) => parse_dialect(&word, &dialect_file)?,
        None => DEFAULT_DIALECT,
    };
    let actual = match sqlmig::split::split(&text, 0..text.len(), dialect) {
        Ok(statements) => separated(statements.iter().map(|s| &text[s.start..s.end])),
        Err(e) => {
            let source = Source::new(CASE_PATH, text.as_str());
            format!("error: unterminated {} at {}\n", e.what, line_col(&source, e.offset))
        }
    };
    check_golden(&dir.join("statements.txt"), &actual)
}

// ---------------------------------------------------------------------------------------------
// spec/checksum: which edits count as cosmetic
// ---------------------------------------------------------------------------------------------

fn checksum(path: &Utf8Path) -> datatest_stable::Result<()> {
    let dir = case_dir(path);
    let load = |name: &str| -> datatest_stable::Result<(Migration, ParsedMigration)> {
        let m = migration(read_text(&dir.join(name))?);
        match m.parse(DEFAULT_DIALECT) {
            Ok(p) => Ok((m, p)),
            Err(e) => fail(format!("{name} does not parse:\n{}", sqlmig::diagnostic::render(&e))),
        }
    };
    let (a, pa) = load("a.sql")?;
    let (b, pb) = load("b.sql")?;
    let verdict = if a.checksum == b.checksum {
        "identical".to_string()
    } else if pa.canonical.all == pb.canonical.all {
        "cosmetic".to_string()
    } else {
        let mut parts = vec!["edited"];
        if pa.canonical.up != pb.canonical.up {
            parts.push("up");
        }
        if pa.canonical.down != pb.canonical.down {
            parts.push("down");
        }
        if parts.len() == 1 {
            // Only the whole-file canonical checksum differs: the dialect changed.
            parts.push("dialect");
        }
        parts.join(" ")
    };
    check_golden(&dir.join("expected.txt"), &format!("{verdict}\n"))
}

// ---------------------------------------------------------------------------------------------
// spec/script: what runs on a target database
// ---------------------------------------------------------------------------------------------

fn script(path: &Utf8Path, text: String) -> datatest_stable::Result<()> {
    let dir = case_dir(path);
    let target_file = dir.join("target.txt");
    let Some(target) = read_option(&target_file)? else {
        return fail(format!("{} is missing: write the target dialect, optionally followed by `down`", target_file.display()));
    };
    let mut words = target.split_whitespace();
    let dialect = parse_dialect(words.next().unwrap_or_default(), &target_file)?;
    let direction = match words.next() {
        None | Some("up") => Direction::Up,
        Some("down") => Direction::Down,
        Some(other) => return fail(format!("{}: expected `up` or `down`, found `{other}`", target_file.display())),
    };

    let m = migration(text);
    let parsed = match m.parse(DEFAULT_DIALECT) {
        Ok(p) => p,
        Err(e) => return fail(format!("expected the file to parse, got:\n{}", sqlmig::diagnostic::render(&e))),
    };
    let actual = match parsed.script(&m.source, direction, dialect, &mut sqlmig::catalog::Catalog::default()) {
        Ok(None) => format!("no {} section for {dialect}\n", direction.name()),
        Ok(Some(script)) => {
            let mut out = String::new();
            let _ = writeln!(out, "direction {}", direction.name());
            let _ = writeln!(out, "target {dialect}");
            let _ = writeln!(out, "no-transaction {}", script.no_transaction);
            let _ = writeln!(out, "unparsed {}", script.unparsed);
            out.push_str(SEPARATOR);
            out.push('\n');
            out.push_str(&separated(script.statements.iter().map(|s| s.sql.as_str())));
            out
        }
        Err(e) => sqlmig::diagnostic::render(&e),
    };
    check_golden(&dir.join("script.txt"), &actual)
}

// ---------------------------------------------------------------------------------------------
// grammar/migration.ebnf mirrors the `/// grammar: <rule>` functions
// ---------------------------------------------------------------------------------------------

/// A production of the EBNF file.
struct Production {
    /// The line it starts on.
    line: usize,
    /// `Some("format")` when a `(* fn format::name *)` comment marks it as having a function.
    function_module: Option<String>,
    /// The meta-identifiers its definition uses.
    uses: Vec<String>,
}

/// Reads ISO EBNF: `name = definition ;` rules, `(* comments *)`, `'...'`/`"..."` terminals
/// and `? ... ?` special sequences. A comment `(* fn module::name *)` just before a rule
/// marks it as mirrored by the function `name` of `src/module.rs`.
fn read_ebnf(text: &str) -> Result<BTreeMap<String, Production>, String> {
    let mut rules: BTreeMap<String, Production> = BTreeMap::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut line = 1;
    let mut marker: Option<(String, String)> = None; // (module, name) of the last fn comment
    let mut current: Option<(String, Production)> = None; // the rule being read
    let mut pending_name: Option<(String, usize)> = None; // an identifier at rule start
    let ident_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '(' && chars.get(i + 1) == Some(&'*') {
            let start = i + 2;
            let mut j = start;
            while j + 1 < chars.len() && !(chars[j] == '*' && chars[j + 1] == ')') {
                j += 1;
            }
            if j + 1 >= chars.len() {
                return Err(format!("line {line}: unterminated comment"));
            }
            let body: String = chars[start..j].iter().collect();
            line += body.matches('\n').count();
            let body = body.trim();
            if let Some(rest) = body.strip_prefix("fn ") {
                let target = rest.split_whitespace().next().unwrap_or_default();
                let Some((module, name)) = target.split_once("::") else {
                    return Err(format!("line {line}: `(* fn {target} *)` should read `(* fn module::rule *)`"));
                };
                if current.is_some() {
                    return Err(format!("line {line}: `(* fn {target} *)` inside a rule; put it just before the rule"));
                }
                marker = Some((module.trim().to_string(), name.trim().to_string()));
            }
            i = j + 2;
        } else if c == '\'' || c == '"' || c == '?' {
            let close = chars[i + 1..].iter().position(|&d| d == c || d == '\n');
            match close {
                Some(p) if chars[i + 1 + p] == c => i += p + 2,
                _ => return Err(format!("line {line}: unterminated {c}...{c}")),
            }
            if current.is_none() {
                return Err(format!("line {line}: a terminal outside a rule"));
            }
        } else if ident_char(c) {
            let start = i;
            while i < chars.len() && ident_char(chars[i]) {
                i += 1;
            }
            let ident: String = chars[start..i].iter().collect();
            if ident.starts_with(|d: char| d.is_ascii_digit()) {
                continue; // a repetition count, as in `3 * digit`
            }
            match (&mut current, &pending_name) {
                (Some((_, rule)), _) => rule.uses.push(ident),
                (None, None) => pending_name = Some((ident, line)),
                (None, Some((name, _))) => return Err(format!("line {line}: `{name} {ident}`: expected `=`")),
            }
        } else if c == '=' && current.is_none() {
            let Some((name, at)) = pending_name.take() else {
                return Err(format!("line {line}: `=` without a rule name"));
            };
            let function_module = match marker.take() {
                Some((module, fname)) if fname == name => Some(module),
                Some((module, fname)) => {
                    return Err(format!(
                        "line {at}: rule `{name}` is marked `(* fn {module}::{fname} *)`; \
                         the function and the rule must have the same name"
                    ))
                }
                None => None,
            };
            current = Some((name, Production { line: at, function_module, uses: Vec::new() }));
            i += 1;
        } else if c == ';' && current.is_some() {
            if let Some((name, rule)) = current.take() {
                if let Some(first) = rules.get(&name) {
                    return Err(format!("line {}: rule `{name}` is defined twice (first at line {})", rule.line, first.line));
                }
                rules.insert(name, rule);
            }
            i += 1;
        } else if current.is_some() {
            i += 1; // | , [ ] { } ( ) - * and friends
        } else {
            return Err(format!("line {line}: unexpected `{c}` outside a rule"));
        }
    }
    if let Some((name, rule)) = current {
        return Err(format!("line {}: rule `{name}` has no closing `;`", rule.line));
    }
    if let Some((name, at)) = pending_name {
        return Err(format!("line {at}: `{name}` is not followed by `=`"));
    }
    if let Some((module, name)) = marker {
        return Err(format!("`(* fn {module}::{name} *)` is not followed by a rule"));
    }
    Ok(rules)
}

/// `(module, rule)` for every `/// grammar: <rule>` doc line in `src/`, with where it is.
fn grammar_functions(dir: &Path) -> datatest_stable::Result<BTreeMap<(String, String), String>> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).or_else(|e| fail(format!("cannot read {}: {e}", dir.display())))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let module = path
                .strip_prefix("src")
                .unwrap_or(&path)
                .with_extension("")
                .to_string_lossy()
                .replace(std::path::MAIN_SEPARATOR, "::");
            let module = module.strip_suffix("::mod").unwrap_or(&module).to_string();
            for (n, line) in read_text(&path)?.lines().enumerate() {
                if let Some(rule) = line.trim().strip_prefix("/// grammar:") {
                    let at = format!("{}:{}", path.display(), n + 1);
                    found.insert((module.clone(), rule.trim().to_string()), at);
                }
            }
        }
    }
    Ok(found)
}

/// The start symbols: what a migration file and a migration file name are.
const START_RULES: [&str; 2] = ["file", "filename"];

fn grammar_mirrors_src(path: &Utf8Path, text: String) -> datatest_stable::Result<()> {
    let rules = read_ebnf(&text).or_else(|e| fail(format!("{path}: {e}")))?;
    let functions = grammar_functions(Path::new("src"))?;
    let mut problems = Vec::new();

    for ((module, rule), at) in &functions {
        match rules.get(rule) {
            None => problems.push(format!("{at}: `/// grammar: {rule}` has no rule `{rule}` in {path}")),
            Some(p) if p.function_module.as_deref() != Some(module.as_str()) => {
                problems.push(format!("{path}:{}: rule `{rule}` mirrors {at}; mark it with `(* fn {module}::{rule} *)`", p.line))
            }
            Some(_) => {}
        }
    }
    for (name, p) in &rules {
        if let Some(module) = &p.function_module {
            if !functions.contains_key(&(module.clone(), name.clone())) {
                problems.push(format!(
                    "{path}:{}: rule `{name}` is marked `(* fn {module}::{name} *)` but src/{}.rs \
                     has no function with `/// grammar: {name}`",
                    p.line,
                    module.replace("::", "/")
                ));
            }
        }
        for used in &p.uses {
            if !rules.contains_key(used) {
                problems.push(format!("{path}:{}: rule `{name}` uses `{used}`, which is not defined", p.line));
            }
        }
    }
    // Every rule is used, from a start symbol or from a rule that mirrors a function (such
    // a rule is part of the grammar by definition, as `word` is).
    let mut reached: BTreeSet<&str> = BTreeSet::new();
    let mut todo: Vec<&str> = START_RULES.to_vec();
    todo.extend(rules.iter().filter(|(_, p)| p.function_module.is_some()).map(|(name, _)| name.as_str()));
    while let Some(name) = todo.pop() {
        if reached.insert(name) {
            if let Some(p) = rules.get(name) {
                todo.extend(p.uses.iter().map(String::as_str));
            }
        }
    }
    for (name, p) in &rules {
        if !reached.contains(name.as_str()) {
            problems.push(format!("{path}:{}: rule `{name}` is not used by `file`, `filename` or a function's rule", p.line));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        fail(problems.join("\n"))
    }
}

datatest_stable::harness! {
    { test = format_ok, root = "spec/format/ok", pattern = r"input\.sql$" },
    { test = format_err, root = "spec/format/err", pattern = r"input\.sql$" },
    { test = split, root = "spec/split", pattern = r"input\.sql$" },
    { test = checksum, root = "spec/checksum", pattern = r"(^|/)a\.sql$" },
    { test = script, root = "spec/script", pattern = r"input\.sql$" },
    { test = grammar_mirrors_src, root = "grammar", pattern = r"migration\.ebnf$" },
}
