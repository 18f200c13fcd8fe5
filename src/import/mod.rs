//! Switching from another migration tool: its folder → sqlmig files, and its history table →
//! the versions it applied, which `sqlmig import` records in the ledger as `imported`.
//!
//! One module per tool reads that tool's files into [`Imported`] values (the sqlmig file's
//! text, ready to write) and reads its history table into the set of versions it applied.
//! Conversion works line by line: the tool's annotation lines become sqlmig markers and
//! every other line is copied byte for byte, so the statements run exactly as before. Each
//! line of the result remembers the line of the tool's file it came from, so a problem
//! found when the result is parsed is reported at the tool's file, line and column.
//!
//! Nothing here writes to a database; [`crate::Migrator::import`] writes the ledger rows.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::dialect::Dialect;
use crate::discover::{self, MigrationId, MAX_VERSION};
use crate::driver::{Driver, Value};
use crate::error::{Error, Result};
use crate::migration::Migration;
use crate::source::{Location, Source};

pub mod dbmate;
pub mod flyway;
pub mod golang_migrate;
pub mod goose;
pub mod sql_migrate;
pub mod sqlx;

/// The migration tools `sqlmig import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    /// pressly/goose: `-- +goose Up` / `-- +goose Down` files, `goose_db_version`.
    Goose,
    /// amacneil/dbmate: `-- migrate:up` / `-- migrate:down` files, `schema_migrations`.
    Dbmate,
    /// rubenv/sql-migrate: `-- +migrate Up` / `-- +migrate Down` files, `gorp_migrations`.
    SqlMigrate,
    /// golang-migrate/migrate: `N_name.up.sql` + `N_name.down.sql`, `schema_migrations`.
    GolangMigrate,
    /// launchbadge/sqlx: `V_name.sql` or `V_name.up.sql` + `.down.sql`, `_sqlx_migrations`.
    Sqlx,
    /// Flyway: `V1__name.sql`, `U1__name.sql`, `flyway_schema_history`.
    Flyway,
}

impl Tool {
    /// Every tool, in the order the CLI lists them.
    pub const ALL: [Tool; 6] = [Tool::Goose, Tool::Dbmate, Tool::SqlMigrate, Tool::GolangMigrate, Tool::Sqlx, Tool::Flyway];

    /// The names `--from` takes.
    pub const NAMES: [&'static str; 6] = ["goose", "dbmate", "sql-migrate", "golang-migrate", "sqlx", "flyway"];

    /// The tool's name, as `--from` takes it.
    pub fn name(self) -> &'static str {
        Self::NAMES[Self::ALL.iter().position(|t| *t == self).expect("every tool is listed")]
    }

    /// The table where the tool records what it applied (its default name).
    pub fn history_table(self) -> &'static str {
        match self {
            Tool::Goose => "goose_db_version",
            Tool::Dbmate | Tool::GolangMigrate => "schema_migrations",
            Tool::SqlMigrate => "gorp_migrations",
            Tool::Sqlx => "_sqlx_migrations",
            Tool::Flyway => "flyway_schema_history",
        }
    }

    /// Read the tool's migrations folder and convert every migration in it, by version.
    /// All problems are reported together.
    pub fn read(self, dir: &Path) -> Result<Vec<Imported>> {
        if !dir.is_dir() {
            return Err(Error::input(format!("the {} migrations folder `{}` does not exist", self.name(), dir.display())));
        }
        let mut found = match self {
            Tool::Goose => goose::read(dir)?,
            Tool::Dbmate => dbmate::read(dir)?,
            Tool::SqlMigrate => sql_migrate::read(dir)?,
            Tool::GolangMigrate => golang_migrate::read(dir)?,
            Tool::Sqlx => sqlx::read(dir)?,
            Tool::Flyway => flyway::read(dir)?,
        };
        if found.is_empty() {
            return Err(Error::input(format!("`{}` holds no {} migrations", dir.display(), self.name()))
                .with_help(format!("{}; is `--from` the tool that wrote this folder?", self.naming())));
        }
        found.sort_by(|a, b| a.version.cmp(&b.version).then_with(|| a.sources.cmp(&b.sources)));
        let mut errors = Vec::new();
        for pair in found.windows(2) {
            if pair[0].version == pair[1].version {
                errors.push(
                    Error::input(format!(
                        "`{}` and `{}` both become version {}",
                        shown(&pair[0].sources[0]),
                        shown(&pair[1].sources[0]),
                        pair[0].version
                    ))
                    .with_help("give one of them another version in the tool's folder first; nothing was imported"),
                );
            }
        }
        crate::error::collect(errors)?;
        Ok(found)
    }

    /// How the tool names its files, for messages.
    fn naming(self) -> &'static str {
        match self {
            Tool::Goose => "goose names migrations `<version>_<name>.sql` with a `-- +goose Up` line",
            Tool::Dbmate => "dbmate names migrations `<version>_<name>.sql` with a `-- migrate:up` line",
            Tool::SqlMigrate => "sql-migrate reads every `.sql` file, with a `-- +migrate Up` line",
            Tool::GolangMigrate => "golang-migrate names migrations `<version>_<name>.up.sql` and `<version>_<name>.down.sql`",
            Tool::Sqlx => "sqlx names migrations `<version>_<name>.sql`, or `.up.sql` and `.down.sql`",
            Tool::Flyway => "flyway names migrations `V<version>__<name>.sql` and undo migrations `U<version>__<name>.sql`",
        }
    }

    /// The versions (sqlmig's numbers) the tool's history table in `driver`'s database says
    /// were applied, among `migrations` (what [`Tool::read`] returned). A history that
    /// records a failed or half-done migration, or one whose file is not in the folder, is
    /// refused: importing it would record as applied what may not be.
    pub fn applied(self, driver: &mut dyn Driver, migrations: &[Imported]) -> Result<BTreeSet<u64>> {
        let table = self.history_table();
        if !driver.table_exists(table)? {
            return Err(Error::input(format!(
                "the database has no `{table}` table, where {} records the migrations it applied",
                self.name()
            ))
            .with_help("use the database the tool migrated, or convert the files only (`sqlmig import --files-only`)"));
        }
        let history = History { tool: self, table: qualified(driver, table) };
        match self {
            Tool::Goose => goose::applied(driver, &history, migrations),
            Tool::Dbmate => dbmate::applied(driver, &history, migrations),
            Tool::SqlMigrate => sql_migrate::applied(driver, &history, migrations),
            Tool::GolangMigrate => golang_migrate::applied(driver, &history, migrations),
            Tool::Sqlx => sqlx::applied(driver, &history, migrations),
            Tool::Flyway => flyway::applied(driver, &history, migrations),
        }
    }
}

impl FromStr for Tool {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Tool::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| Error::input(format!("unknown migration tool `{s}` (expected one of: {})", Tool::NAMES.join(", "))))
    }
}

/// One migration of another tool, converted to a sqlmig file.
#[derive(Debug, Clone)]
pub struct Imported {
    /// sqlmig's version number.
    pub version: u64,
    /// The version as the file name spells it.
    pub version_text: String,
    /// The name part of the file name.
    pub name: String,
    /// What the tool's history table calls it: the version as the tool writes it, or (for
    /// sql-migrate) the file name.
    pub key: String,
    /// The sqlmig file's text.
    pub text: String,
    /// The tool's files it came from (the up file first).
    pub sources: Vec<PathBuf>,
    /// Whether some section runs outside a transaction.
    pub no_transaction: bool,
    /// Whether it has a down section.
    pub has_down: bool,
    /// For each line of `text`: the index in `sources` and 1-based line it came from.
    origins: Vec<(usize, usize)>,
}

impl Imported {
    /// The sqlmig file name, `<version>_<name>.sql`.
    pub fn file_name(&self) -> String {
        format!("{}_{}.sql", self.version_text, self.name)
    }

    /// `<version>_<name>`.
    pub fn label(&self) -> String {
        format!("{}_{}", self.version_text, self.name)
    }

    /// The migration as sqlmig sees it once written to `dir`.
    pub fn migration(&self, dir: &Path) -> Migration {
        let path = dir.join(self.file_name());
        let id = MigrationId {
            version: self.version,
            version_text: self.version_text.clone(),
            name: self.name.clone(),
            path: path.clone(),
        };
        Migration::from_source(id, Source::new(path, self.text.clone()))
    }

    /// Parse the converted text as sqlmig will; problems are reported at the tool's file.
    pub fn check(&self, dialect: Dialect) -> Result<()> {
        let migration = self.migration(Path::new(""));
        migration.parse(dialect).map(drop).map_err(|e| self.relocate(e))
    }

    /// Point an error's location at the tool's file and line the text came from.
    fn relocate(&self, e: Error) -> Error {
        match e {
            Error::Many(all) => Error::Many(all.into_iter().map(|e| self.relocate(e)).collect()),
            Error::Syntax { mut location, message, help } => {
                self.move_location(&mut location);
                Error::Syntax { location, message, help }
            }
            Error::Untranslatable { mut location, message, help } => {
                self.move_location(&mut location);
                Error::Untranslatable { location, message, help }
            }
            other => other,
        }
    }

    fn move_location(&self, location: &mut Location) {
        if let Some(&(source, line)) = location.line.checked_sub(1).and_then(|i| self.origins.get(i)) {
            location.path = self.sources[source].clone();
            location.line = line;
        }
    }
}

/// Builds a converted file line by line, remembering where each line came from.
#[derive(Debug, Default)]
struct Builder {
    text: String,
    origins: Vec<(usize, usize)>,
    sources: Vec<PathBuf>,
}

impl Builder {
    /// Start reading another of the tool's files; its lines are then `(index, line)`.
    fn source(&mut self, path: &Path) -> usize {
        self.sources.push(path.to_path_buf());
        self.sources.len() - 1
    }

    /// A line copied from the tool's file, with its own line ending.
    fn copy(&mut self, line: &Line<'_>, source: usize) {
        self.text.push_str(line.text);
        self.text.push_str(line.ending);
        self.origins.push((source, line.number));
        if line.ending.is_empty() {
            // The file's last line had no line ending; whatever follows starts a new line.
            self.text.push('\n');
        }
    }

    /// A sqlmig directive, standing for line `number` of the tool's file.
    fn directive(&mut self, text: &str, source: usize, number: usize) {
        self.end_line();
        self.text.push_str(text);
        self.text.push('\n');
        self.origins.push((source, number));
    }

    /// A directive that replaces a line of the tool's file, keeping that line's ending.
    fn replace(&mut self, line: &Line<'_>, text: &str, source: usize) {
        self.text.push_str(text);
        self.text.push_str(if line.ending.is_empty() { "\n" } else { line.ending });
        self.origins.push((source, line.number));
    }

    fn end_line(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    fn finish(self, version: (u64, String), name: String, key: String, no_transaction: bool, has_down: bool) -> Imported {
        Imported {
            version: version.0,
            version_text: version.1,
            name,
            key,
            text: self.text,
            sources: self.sources,
            no_transaction,
            has_down,
            origins: self.origins,
        }
    }
}

/// One line of a file: its text without the line ending, the ending (`\n`, `\r\n` or
/// nothing on a last line without one), and its 1-based number.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    text: &'a str,
    ending: &'a str,
    number: usize,
    /// Its byte offset in the file.
    start: usize,
}

fn lines(text: &str) -> impl Iterator<Item = Line<'_>> {
    let mut start = 0;
    text.split_inclusive('\n').enumerate().map(move |(i, raw)| {
        let body = raw.strip_suffix('\n').unwrap_or(raw);
        let text = body.strip_suffix('\r').unwrap_or(body);
        let line = Line { text, ending: &raw[text.len()..], number: i + 1, start };
        start += raw.len();
        line
    })
}

/// Read one of the tool's files: UTF-8 text (a non-UTF-8 byte is reported at its line and
/// column), without a byte order mark, which belongs to no statement.
fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { action: "read", path: path.to_path_buf(), source })?;
    if bytes.len() as u64 > discover::MAX_FILE_BYTES {
        return Err(Error::input(format!("`{}` is larger than {} MiB", shown(path), discover::MAX_FILE_BYTES >> 20)));
    }
    let source = Source::from_bytes(path, bytes).map_err(|loc| Error::syntax(loc, "the file is not valid UTF-8"))?;
    Ok(source.text.strip_prefix('\u{feff}').unwrap_or(&source.text).to_string())
}

/// The plain files in `dir` (not its subfolders), by name.
fn files(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let io = |source| Error::Io { action: "read the folder", path: dir.to_path_buf(), source };
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
            return Err(Error::input(format!("`{}`: the file name is not valid UTF-8", shown(&path))));
        };
        found.push((name, path));
    }
    found.sort();
    Ok(found)
}

fn shown(path: &Path) -> String {
    crate::source::visible(&path.display().to_string())
}

/// `.sql`, in any case.
fn is_sql(name: &str) -> bool {
    name.len() > 4 && name.is_char_boundary(name.len() - 4) && name[name.len() - 4..].eq_ignore_ascii_case(".sql")
}

/// Convert every `.sql` file in `dir` with `convert(path, file name)`, reporting every file
/// that fails together.
fn read_sql_files(dir: &Path, convert: fn(&Path, &str) -> Result<Imported>) -> Result<Vec<Imported>> {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for (name, path) in files(dir)? {
        if !is_sql(&name) {
            continue;
        }
        match convert(&path, &name) {
            Ok(m) => found.push(m),
            Err(e) => errors.push(e),
        }
    }
    crate::error::collect(errors)?;
    Ok(found)
}

/// A `.sql` file named `<digits>_<rest>.sql`: the digits and the rest; `None` otherwise.
fn versioned_stem(file_name: &str) -> Option<(&str, &str)> {
    let (digits, rest) = leading_digits(&file_name[..file_name.len() - 4]);
    rest.strip_prefix('_').filter(|_| !digits.is_empty()).map(|rest| (digits, rest))
}

/// The leading decimal digits of `s` and the rest.
fn leading_digits(s: &str) -> (&str, &str) {
    s.split_at(s.bytes().take_while(u8::is_ascii_digit).count())
}

/// A version number as sqlmig stores it, from the tool's digits.
fn version_number(digits: &str, path: &Path) -> Result<u64> {
    match digits.parse::<u64>() {
        Ok(v) if v <= MAX_VERSION => Ok(v),
        _ => Err(Error::input(format!("`{}`: the version {digits} is larger than {MAX_VERSION}", shown(path)))),
    }
}

/// A name that fits sqlmig's file name grammar: the tool's name with control characters and
/// path separators replaced by `_`; empty names become `migration`.
fn file_name_part(name: &str) -> String {
    let cleaned: String = name.chars().map(|c| if c.is_control() || c == '/' || c == '\\' { '_' } else { c }).collect();
    if cleaned.is_empty() {
        "migration".into()
    } else {
        cleaned
    }
}

/// How one file of a split migration says it runs outside a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tx {
    /// It does not: it runs in a transaction.
    Default,
    /// Its first line is the tool's annotation; it becomes `-- +no-transaction`.
    FirstLine,
    /// A configuration file beside it says so; `-- +no-transaction` is added.
    Configured,
}

/// A migration given as separate up and down files (golang-migrate, sqlx, flyway): an
/// `-- +up` section holding the up file, then a `-- +down` section holding the down file.
struct Split<'a> {
    up: (&'a Path, &'a str, Tx),
    down: Option<(&'a Path, &'a str, Tx)>,
}

fn join_split(split: Split<'_>, version: (u64, String), name: String, key: String) -> Imported {
    let mut b = Builder::default();
    let mut no_transaction = false;
    let parts = [Some((split.up, "-- +up")), split.down.map(|d| (d, "-- +down"))];
    for ((path, text, tx), marker) in parts.into_iter().flatten() {
        let source = b.source(path);
        b.directive(marker, source, 1);
        no_transaction |= tx != Tx::Default;
        if tx == Tx::Configured {
            b.directive("-- +no-transaction", source, 1);
        }
        for line in lines(text) {
            if line.number == 1 && tx == Tx::FirstLine {
                b.replace(&line, "-- +no-transaction", source);
            } else {
                b.copy(&line, source);
            }
        }
    }
    let has_down = split.down.is_some();
    b.finish(version, name, key, no_transaction, has_down)
}

/// What an annotation line of a single-file tool (goose, dbmate, sql-migrate) means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Annotation {
    /// The up section starts; `true`: it runs outside a transaction.
    Up(bool),
    /// The down section starts; `true`: it runs outside a transaction.
    Down(bool),
    /// A statement that must not be split starts.
    Begin,
    /// It ends.
    End,
    /// The whole migration runs outside a transaction (goose).
    NoTransaction,
    /// Environment variable substitution is turned on or off for the lines that follow (goose).
    Envsub(bool),
}

/// Convert a file whose sections are marked by annotation lines. `classify` says whether a
/// line is one of the tool's annotations: `None` for any other line, `Some(Err)` for one
/// it does not understand. `marker` is the tool's up annotation, for messages.
fn convert_annotated(
    path: &Path,
    text: &str,
    marker: &str,
    classify: impl Fn(&str) -> Option<std::result::Result<Annotation, String>>,
) -> Result<Builder> {
    let source_text = Source::new(path, text);
    let all: Vec<Line<'_>> = lines(text).collect();
    let mut errors = Vec::new();
    let kinds: Vec<Option<Annotation>> = all
        .iter()
        .map(|l| match classify(l.text) {
            None => None,
            Some(Ok(a)) => Some(a),
            Some(Err(message)) => {
                errors.push(Error::syntax(source_text.span(l.start, l.start + l.text.len()), message));
                None
            }
        })
        .collect();
    crate::error::collect(errors)?;
    if !kinds.iter().any(|k| matches!(k, Some(Annotation::Up(_)))) {
        return Err(Error::input(format!("`{}` has no `{marker}` line", shown(path)))
            .with_help(format!("every migration needs `{marker}` before its statements")));
    }

    // Section numbers: 0 is the header, each marker starts the next.
    let mut section = 0;
    let sections: Vec<usize> = kinds
        .iter()
        .map(|k| {
            if matches!(k, Some(Annotation::Up(_) | Annotation::Down(_))) {
                section += 1;
            }
            section
        })
        .collect();

    // A no-transaction annotation covers the whole migration; sqlmig's covers the section it
    // is in (or the file, in the header): repeat it in the other sections.
    let no_tx_sections: BTreeSet<usize> =
        kinds.iter().zip(&sections).filter(|(k, _)| **k == Some(Annotation::NoTransaction)).map(|(_, s)| *s).collect();
    let file_no_tx = !no_tx_sections.is_empty() && !no_tx_sections.contains(&0);

    // Substitution is on from an `on` line to the next `off`, across sections; sqlmig turns
    // it on for whole sections. A section gets `-- +envsub` when any of its lines was
    // substituted, and then no line of it that was not may hold a `${`.
    let mut envsub = false;
    let mut substituted = vec![false; all.len()];
    for (i, k) in kinds.iter().enumerate() {
        match k {
            Some(Annotation::Envsub(on)) => envsub = *on,
            None => substituted[i] = envsub,
            _ => {}
        }
    }
    let mut envsub_sections = BTreeSet::new();
    for (i, on) in substituted.iter().enumerate() {
        if *on && sections[i] > 0 {
            envsub_sections.insert(sections[i]);
        }
    }
    let mut errors = Vec::new();
    for (i, l) in all.iter().enumerate() {
        if kinds[i].is_some() || !envsub_sections.contains(&sections[i]) {
            continue;
        }
        if substituted[i] {
            if let Some((at, len)) = unsupported_reference(l.text) {
                errors.push(
                    Error::syntax(
                        source_text.span(l.start + at, l.start + at + len),
                        "this variable reference has no sqlmig form",
                    )
                    .with_help("sqlmig substitutes `${NAME}` only: write the reference that way, or the value itself"),
                );
            }
        } else if let Some(at) = l.text.find("${") {
            errors.push(
                Error::syntax(
                    source_text.span(l.start + at, l.start + at + 2),
                    "`${` outside the tool's substitution, in a section where sqlmig substitutes",
                )
                .with_help("sqlmig substitutes in whole sections: write it `$${` to keep it literal"),
            );
        }
    }
    crate::error::collect(errors)?;

    let mut b = Builder::default();
    let src = b.source(path);
    for (i, l) in all.iter().enumerate() {
        match kinds[i] {
            None => b.copy(l, src),
            Some(Annotation::Up(no_tx) | Annotation::Down(no_tx)) => {
                b.replace(l, if matches!(kinds[i], Some(Annotation::Up(_))) { "-- +up" } else { "-- +down" }, src);
                if no_tx || (file_no_tx && !no_tx_sections.contains(&sections[i])) {
                    b.directive("-- +no-transaction", src, l.number);
                }
                if envsub_sections.contains(&sections[i]) {
                    b.directive("-- +envsub", src, l.number);
                }
            }
            Some(Annotation::Begin) => b.replace(l, "-- +begin", src),
            Some(Annotation::End) => b.replace(l, "-- +end", src),
            Some(Annotation::NoTransaction) => b.replace(l, "-- +no-transaction", src),
            // Said by `-- +envsub` after the markers of the sections concerned.
            Some(Annotation::Envsub(_)) => {}
        }
    }
    Ok(b)
}

/// A variable reference the tool substitutes that sqlmig's `${NAME}` does not cover:
/// `$NAME`, or `${NAME` followed by anything but `}` (defaults, alternatives). Returns its
/// byte offset in the line and length.
fn unsupported_reference(line: &str) -> Option<(usize, usize)> {
    let bytes = line.as_bytes();
    let name_len = |from: usize| {
        let n = bytes[from..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
        if n > 0 && !bytes[from].is_ascii_digit() {
            n
        } else {
            0
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && i + 1 < bytes.len() {
            if bytes[i + 1] == b'{' {
                let n = name_len(i + 2);
                if n > 0 && bytes.get(i + 2 + n) != Some(&b'}') {
                    let end = line[i..].find('}').map_or(line.len(), |e| i + e + 1);
                    return Some((i, end - i));
                }
            } else {
                let n = name_len(i + 1);
                // `$tag$` opens a dollar-quoted string on PostgreSQL; it is not a variable.
                if n > 0 && bytes.get(i + 1 + n) != Some(&b'$') {
                    return Some((i, n + 1));
                }
            }
        }
        i += 1;
    }
    None
}

/// A history table, ready to be queried.
pub(crate) struct History {
    tool: Tool,
    /// The table name, quoted (and schema-qualified where the driver works in a schema).
    table: String,
}

impl History {
    fn query(&self, driver: &mut dyn Driver, columns: &str, order: &str) -> Result<Vec<Vec<Value>>> {
        let sql = format!("SELECT {columns} FROM {}{order}", self.table);
        driver.query(&sql, &[]).map_err(|e| {
            Error::Database(format!(
                "cannot read {}'s history table `{}`: {e} (is it the table {} creates?)",
                self.tool.name(),
                self.tool.history_table(),
                self.tool.name()
            ))
        })
    }

    fn unknown(&self, what: &str) -> Error {
        Error::input(format!(
            "{}'s history table `{}` records {what}, which is not in the folder; nothing was imported",
            self.tool.name(),
            self.tool.history_table()
        ))
        .with_help("import the folder the database was migrated from (restore the missing file first)")
    }

    /// [`History::unknown`] for versions the folder lacks.
    fn unknown_versions(&self, missing: &[String]) -> Error {
        self.unknown(&format!("version{} {}", if missing.len() == 1 { "" } else { "s" }, missing.join(", ")))
    }
}

fn qualified(driver: &dyn Driver, table: &str) -> String {
    let dialect = driver.dialect();
    match driver.schema() {
        Some(s) => format!("{}.{}", dialect.quote_ident(s), dialect.quote_ident(table)),
        None => dialect.quote_ident(table),
    }
}

/// A boolean column as the three databases return it: an integer, or text on MySQL.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Int(i) => *i != 0,
        Value::Text(t) => matches!(t.trim().to_ascii_lowercase().as_str(), "1" | "t" | "true" | "y" | "yes"),
        Value::Null => false,
    }
}

/// Versions the tool names by number (goose, golang-migrate, sqlx): the matching
/// migrations, or an error naming the ones with no file.
fn by_number(history: &History, migrations: &[Imported], applied: impl IntoIterator<Item = i64>) -> Result<BTreeSet<u64>> {
    let known: BTreeMap<u64, &Imported> = migrations.iter().map(|m| (m.version, m)).collect();
    let mut found = BTreeSet::new();
    let mut missing = Vec::new();
    for v in applied {
        match u64::try_from(v).ok().filter(|v| known.contains_key(v)) {
            Some(v) => {
                found.insert(v);
            }
            None => missing.push(v.to_string()),
        }
    }
    if !missing.is_empty() {
        return Err(history.unknown_versions(&missing));
    }
    Ok(found)
}

/// What an import does in the migrations folder.
#[derive(Debug, Clone)]
pub struct Placement {
    /// The file each migration becomes.
    pub path: PathBuf,
    /// The file is there already, with the same text (an earlier import): left as it is.
    pub exists: bool,
}

/// Where each migration goes in `dir`, refusing (all problems at once) to overwrite a file
/// with other text or to give a version a second file.
pub fn place(migrations: &[Imported], dir: &Path) -> Result<Vec<Placement>> {
    let existing = if dir.is_dir() { discover::discover(dir)? } else { Vec::new() };
    let mut errors = Vec::new();
    let mut placements = Vec::new();
    for m in migrations {
        let path = dir.join(m.file_name());
        let exists = match std::fs::read(&path) {
            Ok(bytes) if bytes == m.text.as_bytes() => true,
            Ok(_) => {
                errors.push(
                    Error::input(format!("`{}` exists with other text; nothing was imported", shown(&path)))
                        .with_help("import into an empty migrations folder (`--dir`), or move the file away"),
                );
                false
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
            Err(source) => return Err(Error::Io { action: "read", path, source }),
        };
        if let Some(other) = existing.iter().find(|e| e.version == m.version && e.path != path) {
            errors.push(
                Error::input(format!(
                    "version {} of `{}` is taken by `{}`; nothing was imported",
                    m.version,
                    shown(&m.sources[0]),
                    shown(&other.path)
                ))
                .with_help("import into an empty migrations folder (`--dir`)"),
            );
        }
        placements.push(Placement { path, exists });
    }
    crate::error::collect(errors)?;
    Ok(placements)
}

/// Write the files that are not there yet. All or nothing: if one cannot be written, those
/// written before it are removed again. Returns the files written.
pub fn write(migrations: &[Imported], placements: &[Placement]) -> Result<Vec<PathBuf>> {
    let mut written: Vec<PathBuf> = Vec::new();
    for (m, p) in migrations.iter().zip(placements).filter(|(_, p)| !p.exists) {
        if let Err(e) = crate::files::create_new(&p.path, &m.text) {
            if !matches!(&e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists) {
                let _ = std::fs::remove_file(&p.path);
            }
            remove(&written);
            return Err(e);
        }
        written.push(p.path.clone());
    }
    Ok(written)
}

/// Remove files an import wrote, when a later step failed.
pub fn remove(paths: &[PathBuf]) {
    for p in paths {
        let _ = std::fs::remove_file(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_endings() {
        let all: Vec<(&str, &str, usize, usize)> = lines("a\r\nb\n\nc").map(|l| (l.text, l.ending, l.number, l.start)).collect();
        assert_eq!(all, [("a", "\r\n", 1, 0), ("b", "\n", 2, 3), ("", "\n", 3, 5), ("c", "", 4, 6)]);
    }

    #[test]
    fn references_sqlmig_cannot_substitute_are_found() {
        assert_eq!(unsupported_reference("SELECT '${A}', $1, $$x$$"), None);
        assert_eq!(unsupported_reference("SELECT $body$ x $body$"), None);
        assert_eq!(unsupported_reference("SELECT '$HOME'"), Some((8, 5)));
        assert_eq!(unsupported_reference("SELECT '${A:-x}'"), Some((8, 7)));
    }

    #[test]
    fn tool_names_round_trip() {
        for t in Tool::ALL {
            assert_eq!(t.name().parse::<Tool>().unwrap(), t);
        }
        assert!("liquibase".parse::<Tool>().is_err());
    }

    #[test]
    fn split_files_are_joined_with_markers() {
        let m = join_split(
            Split {
                up: (Path::new("1_a.up.sql"), "-- no-transaction\nCREATE INDEX i ON t (x);", Tx::FirstLine),
                down: Some((Path::new("1_a.down.sql"), "DROP INDEX i;\r\n", Tx::Default)),
            },
            (1, "1".into()),
            "a".into(),
            "1".into(),
        );
        assert_eq!(m.text, "-- +up\n-- +no-transaction\nCREATE INDEX i ON t (x);\n-- +down\nDROP INDEX i;\r\n");
        assert!(m.no_transaction && m.has_down);
        assert_eq!(m.origins, [(0, 1), (0, 1), (0, 2), (1, 1), (1, 1)]);
    }
}
