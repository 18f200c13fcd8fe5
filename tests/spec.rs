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
// spec/translate: one migration, translated for every database, run there and introspected
// ---------------------------------------------------------------------------------------------

/// The file name the migration of a translate case is given when it runs.
const TRANSLATE_FILE: &str = "0001_case.sql";

/// The scripts for one target, rendered as `<target>.sql` holds them: the up statements, then
/// the down statements, each ending in `;`, with the notices of a statement right after it.
fn render_scripts(source: &Source, up: &sqlmig::migration::Script, down: Option<&sqlmig::migration::Script>) -> String {
    let mut out = String::from("-- up\n");
    render_script(source, up, &mut out);
    match down {
        Some(down) => {
            out.push_str("-- down\n");
            render_script(source, down, &mut out);
        }
        None => out.push_str("-- (no down section)\n"),
    }
    out
}

fn render_script(source: &Source, script: &sqlmig::migration::Script, out: &mut String) {
    // (position of the source statement, statements before notices, text)
    let mut lines: Vec<((usize, usize), u8, String)> = Vec::new();
    for e in &script.statements {
        let loc = source.location(e.origin.start);
        let text = if e.rebuild.is_some() {
            format!("-- sqlite table rebuild, planned when it runs:\n{};", e.sql)
        } else {
            format!("{};", e.sql)
        };
        lines.push(((loc.line, loc.column), 0, text));
    }
    for (loc, notice) in &script.notices {
        lines.push(((loc.line, loc.column), 1, format!("-- notice: {}:{}: {notice}", loc.line, loc.column)));
    }
    lines.sort_by_key(|(at, kind, _)| (*at, *kind));
    if lines.is_empty() {
        out.push_str("-- (no statements)\n");
    }
    for (_, _, text) in lines {
        out.push_str(&text);
        out.push('\n');
    }
}

/// What `target` runs for a case, up then down, the way `apply` and `rollback` plan it: the
/// up script against the schema of no earlier migration, the down script against the schema
/// with this migration applied.
fn translated(m: &Migration, parsed: &ParsedMigration, target: Dialect) -> Result<String, String> {
    let render = |e: sqlmig::Error| sqlmig::diagnostic::render(&e);
    let mut catalog = sqlmig::catalog::Catalog::default();
    let Some(up) = parsed.script(&m.source, Direction::Up, target, &mut catalog).map_err(render)? else {
        return Err(format!("no up section for {target}\n"));
    };
    let mut catalog = sqlmig::catalog::Catalog::default();
    parsed.fold(Direction::Up, target, &mut catalog);
    let down = parsed.script(&m.source, Direction::Down, target, &mut catalog).map_err(render)?;
    Ok(render_scripts(&m.source, &up, down.as_ref()))
}

fn translate(path: &Utf8Path, text: String) -> datatest_stable::Result<()> {
    let dir = case_dir(path);
    let case = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let from_file = dir.join("from.txt");
    let from = match read_option(&from_file)? {
        Some(word) => parse_dialect(&word, &from_file)?,
        None => DEFAULT_DIALECT,
    };
    let targets_file = dir.join("targets.txt");
    let targets: Vec<Dialect> = match read_option(&targets_file)? {
        Some(words) => words.split_whitespace().map(|w| parse_dialect(w, &targets_file)).collect::<Result<_, _>>()?,
        None => Dialect::ALL.to_vec(),
    };
    let m = migration(text.clone());
    let parsed = match m.parse(from) {
        Ok(p) => p,
        Err(e) => return fail(format!("expected the file to parse, got:\n{}", sqlmig::diagnostic::render(&e))),
    };

    let mut problems = Vec::new();
    let mut runnable = Vec::new();
    for target in Dialect::ALL {
        let sql = dir.join(format!("{target}.sql"));
        let error = dir.join(format!("{target}.error.txt"));
        let schema = dir.join(format!("{target}.schema.txt"));
        if !targets.contains(&target) {
            for stale in [&sql, &error, &schema] {
                stale_file(stale, &mut problems);
            }
            continue;
        }
        let (golden, actual, stale) = match translated(&m, &parsed, target) {
            Ok(scripts) => {
                runnable.push(target);
                (sql, scripts, vec![error])
            }
            Err(rendered) => (error, rendered, vec![sql, schema]),
        };
        if let Err(e) = check_golden(&golden, &actual) {
            problems.push(format!("{e:?}"));
        }
        for f in &stale {
            stale_file(f, &mut problems);
        }
    }

    for target in runnable {
        match run_case(&case, &text, from, target) {
            Ok(None) => {}
            Ok(Some(dump)) => {
                if let Err(e) = check_golden(&dir.join(format!("{target}.schema.txt")), &dump) {
                    problems.push(format!("{e:?}"));
                }
            }
            Err(e) => problems.push(format!("{target}: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        fail(problems.join("\n\n"))
    }
}

/// An expected file that should not be there (the target refuses, or is not covered): removed
/// when blessing, a failure otherwise.
fn stale_file(path: &Path, problems: &mut Vec<String>) {
    if !path.exists() {
        return;
    }
    if blessing() {
        if let Err(e) = std::fs::remove_file(path) {
            problems.push(format!("cannot remove {}: {e}", path.display()));
        }
    } else {
        problems.push(format!("{} should not exist for this case (run with SQLMIG_BLESS=1 to remove it)", path.display()));
    }
}

/// Apply the case on a fresh database of `target` through the library (ledger and all), dump
/// the schema and rows, roll it back and check that nothing but the ledger is left. `None`
/// when the server does not answer (and `SQLMIG_REQUIRE_SERVERS` is not set).
fn run_case(case: &str, text: &str, from: Dialect, target: Dialect) -> Result<Option<String>, String> {
    let Some(mut db) = TestDb::create(target)? else {
        let message = format!("SKIP translate::{case}: {target} not reachable");
        if std::env::var("SQLMIG_REQUIRE_SERVERS").is_ok_and(|v| v == "1") {
            return Err(message);
        }
        eprintln!("{message}");
        return Ok(None);
    };
    let project = sqlmig::Project::from_files([(TRANSLATE_FILE, text)], from).map_err(|e| sqlmig::diagnostic::render(&e))?;
    let run = |db: &mut TestDb, up: bool| -> Result<(), String> {
        let report = db.with_driver(|driver| -> sqlmig::Result<sqlmig::exec::Report> {
            let mut migrator = sqlmig::Migrator::new(&project, driver)?;
            if up {
                migrator.apply(&sqlmig::plan::ApplyRequest::default(), &mut |_| {})
            } else {
                migrator.rollback(&sqlmig::plan::RollbackRequest::default(), &mut |_| {})
            }
        })?;
        match report.map_err(|e| sqlmig::diagnostic::render(&e))?.failure {
            Some(e) => Err(format!("{} failed:\n{}", if up { "apply" } else { "rollback" }, sqlmig::diagnostic::render(&e))),
            None => Ok(()),
        }
    };
    run(&mut db, true)?;
    let after_up = db.dump()?;
    run(&mut db, false)?;
    let after_down = db.dump()?;
    if !after_down.is_empty() {
        return Err(format!("the down script left this behind:\n{after_down}"));
    }
    Ok(Some(after_up))
}

/// The URL of the admin database of a server, from the environment or the default.
fn admin_url(target: Dialect) -> String {
    let (var, default) = match target {
        Dialect::Postgres => ("SQLMIG_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"),
        _ => ("SQLMIG_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
    };
    std::env::var(var).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| default.to_string())
}

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let mut u = url::Url::parse(url).expect("a valid server URL");
    u.set_path(&format!("/{name}"));
    u.to_string()
}

fn pg_connect(url: &str) -> Result<postgres::Client, String> {
    let mut config: postgres::Config = url.parse().map_err(|e: postgres::Error| e.to_string())?;
    config.connect_timeout(std::time::Duration::from_secs(5));
    config.connect(postgres::NoTls).map_err(|e| e.to_string())
}

fn my_connect(url: &str) -> Result<mysql::Conn, String> {
    let opts = mysql::Opts::from_url(url).map_err(|e| e.to_string())?;
    let opts = mysql::OptsBuilder::from_opts(opts).tcp_connect_timeout(Some(std::time::Duration::from_secs(5)));
    mysql::Conn::new(opts).map_err(|e| e.to_string())
}

/// Whether a server answers, asked once per process.
fn reachable(target: Dialect) -> bool {
    static POSTGRES: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    static MYSQL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    match target {
        Dialect::Sqlite => true,
        Dialect::Postgres => *POSTGRES.get_or_init(|| pg_connect(&admin_url(target)).is_ok()),
        Dialect::Mysql => *MYSQL.get_or_init(|| my_connect(&admin_url(target)).is_ok()),
    }
}

/// A fresh database for one case: in memory for SQLite, a uniquely named one on a server
/// (dropped when done).
struct TestDb {
    target: Dialect,
    /// SQLite: the driver holding the in-memory database between runs.
    sqlite: Option<Box<sqlmig::driver::SqliteDriver>>,
    /// Servers: the database's name and URL.
    name: String,
    url: String,
}

impl TestDb {
    fn create(target: Dialect) -> Result<Option<TestDb>, String> {
        use mysql::prelude::Queryable;
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        if target == Dialect::Sqlite {
            let conn = rusqlite::Connection::open_in_memory().map_err(|e| e.to_string())?;
            let sqlite = Some(Box::new(sqlmig::driver::SqliteDriver::new(conn)));
            return Ok(Some(TestDb { target, sqlite, name: String::new(), url: String::new() }));
        }
        if !reachable(target) {
            return Ok(None);
        }
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("sqlmig_tr_{}_{n}", std::process::id());
        let admin = admin_url(target);
        match target {
            Dialect::Postgres => {
                pg_connect(&admin)?.batch_execute(&format!("CREATE DATABASE \"{name}\"")).map_err(|e| e.to_string())?
            }
            _ => my_connect(&admin)?.query_drop(format!("CREATE DATABASE `{name}`")).map_err(|e| e.to_string())?,
        }
        Ok(Some(TestDb { target, sqlite: None, url: with_database(&admin, &name), name }))
    }

    /// Run `f` with a library driver for the database: SQLite's own, which holds the
    /// in-memory database, or a new connection to the server's.
    fn with_driver<R>(&mut self, f: impl FnOnce(&mut dyn sqlmig::driver::Driver) -> R) -> Result<R, String> {
        match self.target {
            Dialect::Sqlite => Ok(f(&mut **self.sqlite.as_mut().ok_or("no SQLite driver")?)),
            _ => {
                let url = sqlmig::driver::DatabaseUrl::parse(&self.url).map_err(|e| sqlmig::diagnostic::render(&e))?;
                let driver = sqlmig::driver::open(&url, &Default::default()).map_err(|e| sqlmig::diagnostic::render(&e))?;
                let mut driver = driver.ok_or_else(|| "no database".to_string())?;
                Ok(f(&mut *driver))
            }
        }
    }

    /// Schema and rows, ledger left out; empty when there is nothing.
    fn dump(&mut self) -> Result<String, String> {
        let out = match self.target {
            Dialect::Sqlite => {
                sqlite_dump(self.sqlite.as_ref().ok_or("no SQLite driver")?.connection()).map_err(|e| e.to_string())?
            }
            Dialect::Postgres => pg_dump(&mut pg_connect(&self.url)?).map_err(|e| e.to_string())?,
            Dialect::Mysql => my_dump(&mut my_connect(&self.url)?).map_err(|e| e.to_string())?,
        };
        // Server databases have a unique name per run; views and defaults may mention it.
        let out = if self.name.is_empty() { out } else { out.replace(&self.name, "<db>") };
        Ok(mask_now(&out))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        use mysql::prelude::Queryable;
        let admin = admin_url(self.target);
        match self.target {
            Dialect::Sqlite => {}
            Dialect::Postgres => {
                if let Ok(mut c) = pg_connect(&admin) {
                    let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name));
                }
            }
            Dialect::Mysql => {
                if let Ok(mut c) = my_connect(&admin) {
                    let _ = c.query_drop(format!("DROP DATABASE IF EXISTS `{}`", self.name));
                }
            }
        }
    }
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01 (the proleptic Gregorian calendar).
fn civil_date(days: i64) -> String {
    // Howard Hinnant's days_from_civil, inverted.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Replace the timestamps of around now (defaults such as `now()` put them in rows) with
/// `<now>`, so dumps do not change from run to run.
fn mask_now(text: &str) -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let mut out = text.to_string();
    for day in [-1, 0, 1] {
        let date = civil_date(secs.div_euclid(86_400) + day);
        let mut masked = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(at) = rest.find(&date) {
            masked.push_str(&rest[..at]);
            let tail = &rest[at..];
            let len = tail.find(|c: char| !(c.is_ascii_digit() || ":.T+- ".contains(c))).unwrap_or(tail.len());
            let len = tail[..len].trim_end().len();
            masked.push_str("<now>");
            rest = &tail[len..];
        }
        masked.push_str(rest);
        out = masked;
    }
    out
}

/// Tables sqlmig keeps for itself.
fn is_ledger(table: &str) -> bool {
    table.starts_with("sqlmig_ledger")
}

/// A string value as a dump shows it: single-quoted, quotes doubled, control characters and
/// backslashes escaped as in `one_line`.
fn quoted(text: &str) -> String {
    format!("'{}'", one_line(text).replace('\'', "''"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `rows <name>` and one sorted line per row.
fn dump_rows(out: &mut String, name: &str, mut rows: Vec<String>) {
    rows.sort();
    let _ = writeln!(out, "rows {name} ({})", rows.len());
    for r in rows {
        let _ = writeln!(out, "  {r}");
    }
}

fn sqlite_dump(c: &rusqlite::Connection) -> rusqlite::Result<String> {
    let mut out = String::new();
    let mut objects: Vec<(String, String, String)> = Vec::new();
    {
        let mut stmt =
            c.prepare("SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")?;
        for row in stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))? {
            let (kind, name, sql): (String, String, String) = row?;
            if !name.starts_with("sqlite_") && !is_ledger(&name) {
                objects.push((kind, name, sql));
            }
        }
    }
    for (kind, name, sql) in &objects {
        let _ = writeln!(out, "{kind} {name}");
        // What only the table's own SQL says: collations and CHECK constraints.
        let mut collations = BTreeMap::new();
        let mut checks = Vec::new();
        if let Ok(stmts) = sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::SQLiteDialect {}, sql) {
            if let Some(sqlparser::ast::Statement::CreateTable(ct)) = stmts.first() {
                for col in &ct.columns {
                    for o in &col.options {
                        match &o.option {
                            sqlparser::ast::ColumnOption::Collation(n) => {
                                collations.insert(col.name.value.clone(), n.to_string());
                            }
                            sqlparser::ast::ColumnOption::Check(ck) => {
                                checks.push(format!("{} (column {})", ck.expr, col.name.value))
                            }
                            _ => {}
                        }
                    }
                }
                for tc in &ct.constraints {
                    if let sqlparser::ast::TableConstraint::Check(ck) = tc {
                        match &ck.name {
                            Some(n) => checks.push(format!("{} (constraint {n})", ck.expr)),
                            None => checks.push(ck.expr.to_string()),
                        }
                    }
                }
            }
        }
        let mut stmt = c.prepare("SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1)")?;
        let columns: Vec<(String, String, bool, Option<String>, i64, i64)> = stmt
            .query_map([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
            .collect::<Result<_, _>>()?;
        for (col, ty, notnull, default, pk, hidden) in columns {
            let mut line = format!("  column {col}");
            if !ty.is_empty() {
                let _ = write!(line, " {ty}");
            }
            if notnull {
                line.push_str(" not null");
            }
            if let Some(d) = default {
                let _ = write!(line, " default {d}");
            }
            if pk > 0 {
                let _ = write!(line, " pk {pk}");
            }
            if hidden > 0 {
                let _ = write!(line, " hidden {hidden}");
            }
            if let Some(coll) = collations.get(&col) {
                let _ = write!(line, " collate {coll}");
            }
            let _ = writeln!(out, "{line}");
        }
        if kind != "table" {
            continue;
        }
        if sql.to_ascii_uppercase().contains("AUTOINCREMENT") {
            let _ = writeln!(out, "  autoincrement");
        }
        for ck in checks {
            let _ = writeln!(out, "  check {ck}");
        }
        let mut stmt = c.prepare("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1) ORDER BY name")?;
        let indexes: Vec<(String, bool, String, bool)> =
            stmt.query_map([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<Result<_, _>>()?;
        for (index, unique, origin, partial) in indexes {
            let mut stmt = c.prepare(
                "SELECT coalesce(name, '<expression>'), \"desc\" FROM pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno",
            )?;
            let cols: Vec<String> = stmt
                .query_map([&index], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))?
                .map(|r| r.map(|(n, desc)| if desc { format!("{n} DESC") } else { n }))
                .collect::<Result<_, _>>()?;
            let cols = cols.join(", ");
            match origin.as_str() {
                "pk" => {
                    let _ = writeln!(out, "  primary key ({cols})");
                }
                "u" => {
                    let _ = writeln!(out, "  unique ({cols})");
                }
                _ => {
                    let mut line = format!("  index {index} {}({cols})", if unique { "unique " } else { "" });
                    if partial {
                        let isql: String =
                            c.query_row("SELECT sql FROM sqlite_master WHERE name = ?1", [&index], |r| r.get(0))?;
                        let at = isql.to_ascii_uppercase().rfind(" WHERE ").unwrap_or(0);
                        let _ = write!(line, " where {}", isql[at..].trim_start()[5..].trim());
                    }
                    let _ = writeln!(out, "{line}");
                }
            }
        }
        let mut stmt = c.prepare("SELECT id, \"table\", \"from\", coalesce(\"to\", '?'), on_update, on_delete FROM pragma_foreign_key_list(?1) ORDER BY id, seq")?;
        let fks: Vec<(i64, String, String, String, String, String)> = stmt
            .query_map([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
            .collect::<Result<_, _>>()?;
        // id -> (parent table, child columns, parent columns, on update, on delete)
        type ForeignKey = (String, Vec<String>, Vec<String>, String, String);
        let mut grouped: BTreeMap<i64, ForeignKey> = BTreeMap::new();
        for (id, table, from, to, upd, del) in fks {
            let e = grouped.entry(id).or_insert_with(|| (table, Vec::new(), Vec::new(), upd, del));
            e.1.push(from);
            e.2.push(to);
        }
        let mut fk_lines: Vec<String> = grouped
            .into_values()
            .map(|(t, from, to, upd, del)| {
                format!("  foreign key ({}) references {t} ({}) on update {upd} on delete {del}", from.join(", "), to.join(", "))
            })
            .collect();
        fk_lines.sort();
        for l in fk_lines {
            let _ = writeln!(out, "{l}");
        }
    }
    for (_, name, _) in &objects {
        let mut stmt = c.prepare(&format!("SELECT * FROM {}", Dialect::Sqlite.quote_ident(name)))?;
        let names: Vec<String> = stmt.column_names().map(str::to_string).collect();
        let rows = stmt
            .query_map([], |r| {
                let mut parts = Vec::new();
                for (i, n) in names.iter().enumerate() {
                    let v = match r.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => "NULL".to_string(),
                        rusqlite::types::ValueRef::Integer(i) => i.to_string(),
                        rusqlite::types::ValueRef::Real(f) => format!("{f:?}"),
                        rusqlite::types::ValueRef::Text(t) => quoted(&String::from_utf8_lossy(t)),
                        rusqlite::types::ValueRef::Blob(b) => format!("x'{}'", hex(b)),
                    };
                    parts.push(format!("{n}={v}"));
                }
                Ok(parts.join(", "))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        dump_rows(&mut out, name, rows);
    }
    Ok(out)
}

fn pg_dump(c: &mut postgres::Client) -> Result<String, postgres::Error> {
    let mut out = String::new();
    for r in c.query("SELECT extname::text FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1", &[])? {
        let _ = writeln!(out, "extension {}", r.get::<_, String>(0));
    }
    let types = "SELECT t.typname::text, t.typtype::text, \
                 (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) \
                 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
                 WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') ORDER BY 1";
    for r in c.query(types, &[])? {
        let _ = writeln!(
            out,
            "type {} ({}) {}",
            r.get::<_, String>(0),
            r.get::<_, String>(1),
            r.get::<_, Option<String>>(2).unwrap_or_default()
        );
    }
    let objects = "SELECT c.oid, c.relname::text, c.relkind::text, obj_description(c.oid, 'pg_class') \
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                   WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') ORDER BY c.relname";
    let objects: Vec<(u32, String, String, Option<String>)> =
        c.query(objects, &[])?.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect();
    let objects: Vec<_> = objects.into_iter().filter(|o| !is_ledger(&o.1)).collect();
    for (oid, name, kind, comment) in &objects {
        let word = match kind.as_str() {
            "v" => "view",
            "m" => "materialized view",
            "S" => "sequence",
            _ => "table",
        };
        let _ = writeln!(out, "{word} {name}");
        if kind == "S" {
            continue;
        }
        if let Some(comment) = comment {
            let _ = writeln!(out, "  comment {}", quoted(comment));
        }
        let columns = "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), \
                       a.attidentity::text, a.attgenerated::text, col_description(a.attrelid, a.attnum), \
                       (SELECT co.collname::text FROM pg_collation co WHERE co.oid = a.attcollation AND co.collname <> 'default') \
                       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                       WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
        for r in c.query(columns, &[oid])? {
            let mut line = format!("  column {} {}", r.get::<_, String>(0), r.get::<_, String>(1));
            if r.get::<_, bool>(2) {
                line.push_str(" not null");
            }
            let generated = r.get::<_, String>(5);
            if let Some(d) = r.get::<_, Option<String>>(3) {
                if generated.is_empty() {
                    let _ = write!(line, " default {d}");
                } else {
                    let _ = write!(line, " generated always as ({d}) stored");
                }
            }
            match r.get::<_, String>(4).as_str() {
                "a" => line.push_str(" identity always"),
                "d" => line.push_str(" identity by default"),
                _ => {}
            }
            if let Some(coll) = r.get::<_, Option<String>>(7) {
                let _ = write!(line, " collate {coll}");
            }
            if let Some(comment) = r.get::<_, Option<String>>(6) {
                let _ = write!(line, " comment {}", quoted(&comment));
            }
            let _ = writeln!(out, "{line}");
        }
        if kind == "v" || kind == "m" {
            let def: String = c.query_one("SELECT pg_get_viewdef($1::oid)", &[oid])?.get(0);
            let _ = writeln!(out, "  definition {}", def.split_whitespace().collect::<Vec<_>>().join(" "));
            continue;
        }
        for r in c.query(
            "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = $1 ORDER BY conname",
            &[oid],
        )? {
            let _ = writeln!(out, "  constraint {} {}", r.get::<_, String>(0), r.get::<_, String>(1));
        }
        let indexes =
            "SELECT ic.relname::text, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid \
                       WHERE i.indrelid = $1 ORDER BY ic.relname";
        for r in c.query(indexes, &[oid])? {
            let def = r.get::<_, String>(1).replace("public.", "");
            let _ = writeln!(out, "  index {} {}", r.get::<_, String>(0), def);
        }
    }
    for (_, name, kind, _) in &objects {
        if kind == "S" {
            continue;
        }
        let sql = format!("SELECT row_to_json(x)::text FROM public.{} x", Dialect::Postgres.quote_ident(name));
        let rows = c.query(&sql, &[])?.iter().map(|r| r.get::<_, String>(0)).collect();
        dump_rows(&mut out, name, rows);
    }
    Ok(out)
}

/// Rows of a MySQL query in the text protocol: every value as text, `None` for NULL.
fn my_query(c: &mut mysql::Conn, sql: &str) -> Result<Vec<Vec<Option<String>>>, mysql::Error> {
    use mysql::prelude::Queryable;
    let rows: Vec<mysql::Row> = c.query(sql)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            r.unwrap()
                .into_iter()
                .map(|v| match v {
                    mysql::Value::NULL => None,
                    mysql::Value::Bytes(b) => Some(String::from_utf8_lossy(&b).into_owned()),
                    other => Some(other.as_sql(true)),
                })
                .collect()
        })
        .collect())
}

/// A MySQL value as a dump shows it: numbers bare, binary strings in hex, the rest quoted.
fn my_value(col: &mysql::Column, v: mysql::Value) -> String {
    use mysql::consts::ColumnType as T;
    match v {
        mysql::Value::NULL => "NULL".to_string(),
        mysql::Value::Bytes(b) if col.column_type().is_numeric_type() => String::from_utf8_lossy(&b).into_owned(),
        // Character set 63 is `binary`: on string and blob types, bytes rather than text.
        mysql::Value::Bytes(b)
            if col.character_set() == 63
                && matches!(
                    col.column_type(),
                    T::MYSQL_TYPE_BLOB
                        | T::MYSQL_TYPE_LONG_BLOB
                        | T::MYSQL_TYPE_MEDIUM_BLOB
                        | T::MYSQL_TYPE_TINY_BLOB
                        | T::MYSQL_TYPE_STRING
                        | T::MYSQL_TYPE_VAR_STRING
                ) =>
        {
            format!("x'{}'", hex(&b))
        }
        mysql::Value::Bytes(b) => quoted(&String::from_utf8_lossy(&b)),
        other => other.as_sql(true),
    }
}

fn my_literal(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

fn my_dump(c: &mut mysql::Conn) -> Result<String, mysql::Error> {
    use mysql::prelude::Queryable;
    let mut out = String::new();
    let tables = my_query(c, "SELECT TABLE_NAME, TABLE_TYPE, TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME")?;
    let mut tables: Vec<(String, String, String)> = tables
        .into_iter()
        .map(|r| (r[0].clone().unwrap_or_default(), r[1].clone().unwrap_or_default(), r[2].clone().unwrap_or_default()))
        .filter(|t| !is_ledger(&t.0))
        .collect();
    // Byte order, as SQLite and PostgreSQL sort names (MySQL's information_schema would not).
    tables.sort();
    for (name, kind, comment) in &tables {
        let view = kind == "VIEW";
        let _ = writeln!(out, "{} {name}", if view { "view" } else { "table" });
        let lit = my_literal(name);
        if !view && !comment.is_empty() {
            let _ = writeln!(out, "  comment {}", quoted(comment));
        }
        let columns = format!(
            "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, COLUMN_COMMENT, COLLATION_NAME, GENERATION_EXPRESSION \
             FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {lit} ORDER BY ORDINAL_POSITION"
        );
        for r in my_query(c, &columns)? {
            let get = |i: usize| r[i].clone().unwrap_or_default();
            let mut line = format!("  column {} {}", get(0), get(1));
            if get(2) == "NO" {
                line.push_str(" not null");
            }
            if let Some(d) = &r[3] {
                let _ = write!(line, " default {d}");
            }
            if !get(4).is_empty() {
                let _ = write!(line, " {}", get(4).to_lowercase());
            }
            if !get(7).is_empty() {
                let _ = write!(line, " as ({})", get(7));
            }
            if !get(6).is_empty() {
                let _ = write!(line, " collate {}", get(6));
            }
            if !get(5).is_empty() {
                let _ = write!(line, " comment {}", quoted(&get(5)));
            }
            let _ = writeln!(out, "{line}");
        }
        if view {
            let def = my_query(
                c,
                &format!(
                    "SELECT VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {lit}"
                ),
            )?;
            let def = def.first().and_then(|r| r[0].clone()).unwrap_or_default();
            let _ = writeln!(out, "  definition {def}");
            continue;
        }
        let indexes = format!(
            "SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, COLLATION FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {lit} ORDER BY INDEX_NAME, SEQ_IN_INDEX"
        );
        let mut grouped: BTreeMap<String, (bool, Vec<String>)> = BTreeMap::new();
        for r in my_query(c, &indexes)? {
            let get = |i: usize| r[i].clone().unwrap_or_default();
            let e = grouped.entry(get(0)).or_insert_with(|| (get(1) == "0", Vec::new()));
            let mut col = get(2);
            if let Some(n) = &r[3] {
                let _ = write!(col, "({n})");
            }
            if get(4) == "D" {
                col.push_str(" DESC");
            }
            e.1.push(col);
        }
        for (index, (unique, cols)) in grouped {
            let _ = writeln!(out, "  index {index} {}({})", if unique { "unique " } else { "" }, cols.join(", "));
        }
        let fks = format!(
            "SELECT rc.CONSTRAINT_NAME, rc.REFERENCED_TABLE_NAME, rc.UPDATE_RULE, rc.DELETE_RULE, \
             GROUP_CONCAT(k.COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR ', '), \
             GROUP_CONCAT(k.REFERENCED_COLUMN_NAME ORDER BY k.ORDINAL_POSITION SEPARATOR ', ') \
             FROM information_schema.REFERENTIAL_CONSTRAINTS rc JOIN information_schema.KEY_COLUMN_USAGE k \
             ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND k.TABLE_NAME = rc.TABLE_NAME AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME \
             WHERE rc.CONSTRAINT_SCHEMA = DATABASE() AND rc.TABLE_NAME = {lit} \
             GROUP BY rc.CONSTRAINT_NAME, rc.REFERENCED_TABLE_NAME, rc.UPDATE_RULE, rc.DELETE_RULE ORDER BY rc.CONSTRAINT_NAME"
        );
        for r in my_query(c, &fks)? {
            let get = |i: usize| r[i].clone().unwrap_or_default();
            let _ = writeln!(
                out,
                "  foreign key {} ({}) references {} ({}) on update {} on delete {}",
                get(0),
                get(4),
                get(1),
                get(5),
                get(2),
                get(3)
            );
        }
        // MariaDB's CHECK_CONSTRAINTS names the table (MySQL's does not).
        let checks = format!(
            "SELECT CONSTRAINT_NAME, LEVEL, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS \
             WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = {lit} ORDER BY CONSTRAINT_NAME"
        );
        for r in my_query(c, &checks)? {
            let get = |i: usize| r[i].clone().unwrap_or_default();
            let _ = writeln!(out, "  check {} ({}) {}", get(0), get(1).to_lowercase(), get(2));
        }
    }
    for (name, _, _) in &tables {
        let result: Vec<mysql::Row> = c.query(format!("SELECT * FROM {}", Dialect::Mysql.quote_ident(name)))?;
        let rows = result
            .into_iter()
            .map(|row| {
                let columns = row.columns();
                let mut parts = Vec::new();
                for (i, v) in row.unwrap().into_iter().enumerate() {
                    let col = &columns[i];
                    let text = my_value(col, v);
                    parts.push(format!("{}={text}", col.name_str()));
                }
                parts.join(", ")
            })
            .collect();
        dump_rows(&mut out, name, rows);
    }
    Ok(out)
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
    { test = translate, root = "spec/translate", pattern = r"input\.sql$" },
    { test = grammar_mirrors_src, root = "grammar", pattern = r"migration\.ebnf$" },
}
