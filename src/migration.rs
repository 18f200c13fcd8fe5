//! Migrations: a file → its parsed sections and checksums → the statements to run on one
//! target database.
//!
//! Loading is two-step on purpose: [`Migration::load`] reads the file and hashes it, which is
//! all that checking an applied migration needs; [`Migration::parse`] does the full parse,
//! needed only for migrations about to run or whose file checksum no longer matches.

use std::ops::Range;
use std::path::Path;

use crate::catalog::Catalog;
use crate::checksum::Checksum;
use crate::dialect::Dialect;
use crate::discover::MigrationId;
use crate::error::{Error, Result};
use crate::format::{self, Direction, Item};
use crate::source::{Location, Source};
use crate::split;
use crate::sql::{self, Parsed, Statement};
use crate::translate;

/// A migration file, read and hashed but not yet parsed.
#[derive(Debug, Clone)]
pub struct Migration {
    /// Version, name and path.
    pub id: MigrationId,
    /// The file's text.
    pub source: Source,
    /// Checksum of the normalised file text.
    pub checksum: Checksum,
}

/// One section with its statements.
#[derive(Debug, Clone)]
pub struct ParsedSection {
    /// Up or down.
    pub direction: Direction,
    /// The database it is written for, if only one.
    pub target: Option<Dialect>,
    /// The dialect its statements are written in.
    pub dialect: Dialect,
    /// Whether it runs outside a transaction.
    pub no_transaction: bool,
    /// Whether `${VAR}` in its statements is replaced from the environment when they are
    /// emitted (`-- +envsub`).
    pub envsub: bool,
    /// The marker line.
    pub marker: Range<usize>,
    /// The statements, in order.
    pub statements: Vec<Statement>,
}

/// A fully parsed migration.
#[derive(Debug, Clone)]
pub struct ParsedMigration {
    /// The dialect the file is written in.
    pub dialect: Dialect,
    /// Every section in file order.
    pub sections: Vec<ParsedSection>,
    /// Checksums of the canonical form: whole file, up sections, down sections.
    pub canonical: CanonicalChecksums,
    /// Statements of `-- +envsub` sections that hold a `${` reference and did not parse as
    /// written: they are parsed again once substituted, so they do not count as unparsed.
    pub envsub_unparsed: usize,
}

/// Checksums over the canonical form of a migration's statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CanonicalChecksums {
    /// Everything, including the file's dialect.
    pub all: Checksum,
    /// The up sections.
    pub up: Checksum,
    /// The down sections.
    pub down: Checksum,
}

/// A statement ready to run on a target.
#[derive(Debug, Clone, PartialEq)]
pub struct Emitted {
    /// The SQL text to send (for a rebuild, the statement as written).
    pub sql: String,
    /// The statement it came from, for error positions.
    pub origin: Range<usize>,
    /// On SQLite, an ALTER TABLE that is planned against the live schema when it runs:
    /// natively where SQLite can, else as a table rebuild.
    pub rebuild: Option<crate::rebuild::RebuildSpec>,
    /// For a rebuild merged from consecutive ALTERs: each one's span and how many of the
    /// operations it contributed, so a refusal can point at the ALTER that caused it.
    pub parts: Vec<(Range<usize>, usize)>,
    /// Whether it only reads or changes rows (no DDL), so it never commits implicitly: on
    /// MySQL, a run of such statements shares one transaction with the ledger write after it.
    pub data: bool,
}

impl Emitted {
    /// A statement that runs as it is.
    pub fn sql(sql: String, origin: Range<usize>) -> Self {
        Emitted { sql, origin, rebuild: None, parts: Vec::new(), data: false }
    }

    /// Mark it as changing only data (see [`Emitted::data`]).
    pub fn data(mut self, data: bool) -> Self {
        self.data = data;
        self
    }
}

/// What runs for one direction of a migration on one target.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    /// The statements.
    pub statements: Vec<Emitted>,
    /// Whether it must run outside a transaction.
    pub no_transaction: bool,
    /// How many statements sqlparser did not understand and run verbatim.
    pub unparsed: usize,
    /// Whether every statement only reads or changes rows (no DDL): such a script is atomic in
    /// a transaction even on MySQL, where DDL commits implicitly.
    pub data_only: bool,
    /// What translation adapted, each with the statement it concerns.
    pub notices: Vec<(Location, String)>,
}

impl Migration {
    /// Read a migration file and compute its file checksum.
    pub fn load(id: MigrationId) -> Result<Self> {
        let bytes = std::fs::read(&id.path).map_err(|source| Error::Io { action: "read", path: id.path.clone(), source })?;
        let source = Source::from_bytes(&id.path, bytes).map_err(|loc| {
            Error::syntax(loc, "the file is not valid UTF-8")
                .with_help("migration files must be UTF-8 text; is this a binary file?")
        })?;
        Ok(Self::from_source(id, source))
    }

    /// A migration from text already in memory.
    pub fn from_source(id: MigrationId, source: Source) -> Self {
        // Hashed in place: most files have no CR, and the others are hashed piece by piece,
        // so the file is never copied.
        let text = &source.text[source.content_start()..];
        let checksum = if text.as_bytes().contains(&b'\r') {
            Checksum::of_pieces(source.normalized_pieces())
        } else {
            Checksum::of(text.as_bytes())
        };
        Migration { id, source, checksum }
    }

    /// Parse the file: structure, statement splitting and SQL parsing. Statements that
    /// sqlparser rejects are kept (see [`Migration::script`] for when they may run).
    pub fn parse(&self, default_dialect: Dialect) -> Result<ParsedMigration> {
        let file = format::file(&self.source)?;
        let dialect = file.dialect.unwrap_or(default_dialect);
        let mut errors = Vec::new();
        let mut sections = Vec::with_capacity(file.sections.len());
        for section in file.sections {
            // A section for one database is written in that database's own SQL.
            let sdialect = section.target.unwrap_or(dialect);
            let mut statements = Vec::new();
            let errors_before = errors.len();
            for item in &section.items {
                match item {
                    Item::Sql(range) => match split::split(&self.source.text, range.clone(), sdialect) {
                        Ok(raws) => {
                            statements.extend(raws.into_iter().map(|r| sql::parse(&self.source, r.start..r.end, sdialect)))
                        }
                        Err(e) => errors.push(
                            Error::syntax(self.source.location(e.offset), format!("unterminated {}", e.what))
                                .with_help("close it before the end of the section"),
                        ),
                    },
                    Item::Block { body, begin } => match block_statement(&self.source.text, body.clone(), sdialect) {
                        Some(span) => statements.push(sql::parse(&self.source, span, sdialect)),
                        None => errors.push(Error::syntax(self.source.span(begin.start, begin.end), "empty `-- +begin` block")),
                    },
                }
            }
            // A section whose text did not split has already been reported.
            if section.direction == Direction::Up
                && section.target.is_none()
                && statements.is_empty()
                && errors.len() == errors_before
            {
                errors.push(
                    Error::syntax(
                        self.source.span(section.marker.start, section.marker.end),
                        "the `-- +up` section has no statements",
                    )
                    .with_help("a migration must change something; delete the file if it is not needed"),
                );
            }
            sections.push(ParsedSection {
                direction: section.direction,
                target: section.target,
                dialect: sdialect,
                no_transaction: section.no_transaction,
                envsub: section.envsub,
                marker: section.marker,
                statements,
            });
        }
        crate::error::collect(errors)?;
        let canonical = canonical_checksums(&self.source, dialect, &sections);
        let envsub_unparsed = sections
            .iter()
            .filter(|s| s.envsub)
            .flat_map(|s| &s.statements)
            .filter(|st| !st.is_parsed() && st.text(&self.source).contains(ENVSUB_OPEN))
            .count();
        Ok(ParsedMigration { dialect, sections, canonical, envsub_unparsed })
    }

    /// Whether running `direction` on `target` translates from another dialect, told from
    /// the file's structure alone (its sections and dialect lines), without parsing its SQL:
    /// [`ParsedMigration::translates`] for a file that parses, `false` for one that does not.
    pub fn translates(&self, direction: Direction, target: Dialect, default_dialect: Dialect) -> bool {
        let Ok(file) = format::file(&self.source) else {
            return false;
        };
        let dialect = file.dialect.unwrap_or(default_dialect);
        let mut plain = None;
        for s in file.sections.iter().filter(|s| s.direction == direction) {
            match s.target {
                // A section for the target is written in the target's SQL.
                Some(t) if t == target => return false,
                None => plain = Some(dialect),
                Some(_) => {}
            }
        }
        plain.is_some_and(|d| d != target)
    }

    /// `<version>_<name>`.
    pub fn label(&self) -> String {
        self.id.to_string()
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.id.path
    }
}

/// Parse `migrations` on every core, handing each result to `each` in order (with its
/// index in `migrations`). Workers run at most a few files ahead of `each`, so only a handful
/// of parsed migrations exist at a time however long the list is: a run keeps what it emits,
/// never every file's syntax tree.
pub fn parse_each(migrations: &[&Migration], default_dialect: Dialect, mut each: impl FnMut(usize, Result<ParsedMigration>)) {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8).min(migrations.len());
    if threads <= 1 {
        for (k, m) in migrations.iter().enumerate() {
            each(k, m.parse(default_dialect));
        }
        return;
    }
    let window = 4 * threads;
    let next = AtomicUsize::new(0);
    let wanted = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // Set when `each` returns or unwinds, so no worker waits for a consumer that is gone
    // (`.1`: only when unwinding).
    struct Stop<'a>(&'a AtomicBool, bool);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            if !self.1 || std::thread::panicking() {
                self.0.store(true, Ordering::Relaxed);
            }
        }
    }
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel::<(usize, Result<ParsedMigration>)>();
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, wanted, stop) = (&next, &wanted, &stop);
            scope.spawn(move || {
                // A worker that panics stops the others too, so none waits for a file that will
                // never be handed out; the scope then passes the panic on.
                let _stop = Stop(stop, true);
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(m) = migrations.get(k) else { break };
                    while k >= wanted.load(Ordering::Acquire) + window {
                        if stop.load(Ordering::Relaxed) {
                            return;
                        }
                        std::thread::sleep(std::time::Duration::from_micros(100));
                    }
                    if stop.load(Ordering::Relaxed) || tx.send((k, m.parse(default_dialect))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let _stop = Stop(&stop, false);
        let mut ahead = std::collections::HashMap::new();
        let mut want = 0;
        for (k, result) in rx {
            ahead.insert(k, result);
            while let Some(result) = ahead.remove(&want) {
                each(want, result);
                want += 1;
                wanted.store(want, Ordering::Release);
            }
        }
    });
}

/// The statement inside a `-- +begin` block: its text trimmed, without a final `;`; `None`
/// when the block holds nothing but comments.
fn block_statement(text: &str, body: Range<usize>, dialect: Dialect) -> Option<Range<usize>> {
    let inner = &text[body.clone()];
    if split::canonical_text(inner, dialect).trim_matches(|c: char| c == ';' || c.is_whitespace()).is_empty() {
        return None;
    }
    let start = body.start + (inner.len() - inner.trim_start().len());
    let mut trimmed = inner.trim();
    if let Some(t) = trimmed.strip_suffix(';') {
        trimmed = t.trim_end();
    }
    (!trimmed.is_empty()).then(|| start..start + trimmed.len())
}

impl ParsedMigration {
    /// The section that serves `direction` on `target`: one written for that database, else
    /// the plain one.
    pub fn section(&self, direction: Direction, target: Dialect) -> Option<&ParsedSection> {
        let mut plain = None;
        for s in &self.sections {
            if s.direction == direction {
                match s.target {
                    Some(t) if t == target => return Some(s),
                    None => plain = Some(s),
                    Some(_) => {}
                }
            }
        }
        plain
    }

    /// Whether running `direction` on `target` translates from another dialect.
    pub fn translates(&self, direction: Direction, target: Dialect) -> bool {
        self.section(direction, target).is_some_and(|s| s.dialect != target)
    }

    /// Fold the statements of the section that serves `direction` on `target` into `catalog`.
    pub fn fold(&self, direction: Direction, target: Dialect, catalog: &mut Catalog) {
        for stmt in self.section(direction, target).map(|s| s.statements.as_slice()).unwrap_or_default() {
            if let Parsed::Ast(ast) = &stmt.parsed {
                catalog.apply(ast);
            }
        }
    }

    /// What runs for `direction` on `target`, or `None` when the file has no such section.
    ///
    /// On the dialect it is written in, a statement runs exactly as written. Elsewhere it is
    /// translated, using (and updating) `catalog`, the schema the earlier migrations built.
    /// One that sqlparser could not parse runs verbatim only on the database family it was
    /// written for; anywhere else it is an error, because it cannot be checked or translated.
    pub fn script(
        &self,
        source: &Source,
        direction: Direction,
        target: Dialect,
        catalog: &mut Catalog,
    ) -> Result<Option<Script>> {
        self.script_in(source, direction, target, Some(catalog))
    }

    /// [`ParsedMigration::script`], with the schema model left out (`None`) where nothing
    /// reads it: when no migration of the run translates, only folding would use it, and
    /// folding every table of a long run cost more than emitting its SQL.
    pub fn script_in(
        &self,
        source: &Source,
        direction: Direction,
        target: Dialect,
        catalog: Option<&mut Catalog>,
    ) -> Result<Option<Script>> {
        let Some(section) = self.section(direction, target) else {
            return Ok(None);
        };
        let folding = catalog.is_some();
        let mut unused = Catalog::default();
        let catalog = catalog.unwrap_or(&mut unused);
        let mut errors = Vec::new();
        let mut statements = Vec::with_capacity(section.statements.len());
        let mut notices = Vec::new();
        let mut unparsed = 0;
        let mut data_only = true;
        for stmt in &section.statements {
            // `-- +envsub`: the statement as it will run, with `${VAR}` replaced, parsed again
            // in a copy of the file where it stands in place of the original, so positions
            // before it stay exact. The checksums were computed from the file as written.
            let substituted;
            let (source, stmt) = match section.envsub.then(|| substitute_statement(source, stmt, section.dialect)).flatten() {
                None => (source, stmt),
                Some(Err(e)) => {
                    errors.push(e);
                    continue;
                }
                Some(Ok(pair)) => {
                    substituted = pair;
                    (&substituted.0, &substituted.1)
                }
            };
            let data = matches!(&stmt.parsed, Parsed::Ast(ast) if is_data_statement(ast));
            data_only &= data;
            // SQLite runs few ALTER TABLE forms itself; the rest become a table rebuild,
            // whatever dialect the statement is written in.
            if target == Dialect::Sqlite {
                if let Parsed::Ast(ast) = &stmt.parsed {
                    if crate::rebuild::needs_plan(ast).is_some() {
                        match crate::rebuild::to_sqlite(ast, section.dialect, catalog) {
                            Ok(spec) => push_rebuild(&mut statements, stmt, source, spec),
                            Err(r) => errors.push(untranslatable(source, stmt, target, r)),
                        }
                        if folding {
                            catalog.apply(ast);
                        }
                        continue;
                    }
                }
            }
            if section.dialect != target {
                if let Parsed::Ast(ast) = &stmt.parsed {
                    let cx = translate::Context { from: section.dialect, to: target, catalog };
                    match translate::translate(ast, &cx) {
                        Ok(t) => {
                            let location = source.span(stmt.span.start, stmt.span.end);
                            notices.extend(t.notices.into_iter().map(|n| (location.clone(), n)));
                            statements.extend(t.sql.into_iter().map(|sql| Emitted::sql(sql, stmt.span.clone()).data(data)));
                        }
                        Err(r) => errors.push(untranslatable(source, stmt, target, r)),
                    }
                    if folding {
                        catalog.apply(ast);
                    }
                    continue;
                }
            }
            if let (true, Parsed::Ast(ast)) = (folding, &stmt.parsed) {
                catalog.apply(ast);
            }
            if let Parsed::Error { message, offset } = &stmt.parsed {
                if section.dialect != target {
                    errors.push(
                        Error::syntax(
                            source.location(*offset),
                            format!("cannot parse this {} statement: {message}", section.dialect),
                        )
                        .with_help(format!(
                            "sqlmig runs a statement it cannot parse only on the database it is written for; \
                                 put the {target} version in a `-- +{} {target}` section",
                            direction.name()
                        )),
                    );
                    continue;
                }
                unparsed += 1;
            }
            if !section.no_transaction {
                let canonical = split::canonical_text(stmt.text(source), section.dialect);
                if let Some(why) = target.outside_transaction_only(&canonical) {
                    errors.push(
                        Error::syntax(source.span(stmt.span.start, stmt.span.end), format!("{why} on {target}"))
                            .with_help(format!("add a line `-- +no-transaction` to this `-- +{}` section", direction.name())),
                    );
                }
            }
            statements.push(Emitted::sql(stmt.text(source).to_string(), stmt.span.clone()).data(data));
        }
        crate::error::collect(errors)?;
        Ok(Some(Script { statements, no_transaction: section.no_transaction, unparsed, data_only, notices }))
    }

    /// How many statements sqlparser could not parse, in all sections. Statements of
    /// `-- +envsub` sections that hold `${` are parsed again after substitution, and are not
    /// counted here.
    pub fn unparsed_count(&self) -> usize {
        self.sections.iter().flat_map(|s| &s.statements).filter(|s| !s.is_parsed()).count() - self.envsub_unparsed
    }
}

/// How an `-- +envsub` reference is written: `${NAME}`, NAME being ASCII letters, digits and
/// `_`, not starting with a digit. `$${` stands for a literal `${`.
const ENVSUB_OPEN: &str = "${";

/// Replace every `${NAME}` in `text` with `lookup(NAME)`. On failure: the byte offset in
/// `text` of the reference and what is wrong. An unset variable is an error, never an empty
/// string.
pub fn envsub(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<std::result::Result<String, String>>,
) -> std::result::Result<String, (usize, String, String)> {
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    while let Some(p) = text[rest..].find(ENVSUB_OPEN).map(|p| rest + p) {
        if text[..p].ends_with('$') {
            // `$${`: a literal `${`.
            out.push_str(&text[rest..p - 1]);
            out.push_str(ENVSUB_OPEN);
            rest = p + ENVSUB_OPEN.len();
            continue;
        }
        out.push_str(&text[rest..p]);
        let after = &text[p + ENVSUB_OPEN.len()..];
        let name_len = after.find('}').filter(|&n| {
            let name = &after[..n];
            !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        let Some(n) = name_len else {
            return Err((
                p,
                "malformed `${...}` reference".into(),
                "write `${NAME}` with letters, digits and `_` (`-- +envsub` is on for this section); `$${` is a literal `${`"
                    .into(),
            ));
        };
        let name = &after[..n];
        match lookup(name) {
            Some(Ok(value)) => out.push_str(&value),
            Some(Err(why)) => {
                return Err((p, format!("environment variable `{name}` {why}"), "set it to valid UTF-8 text".into()))
            }
            None => {
                return Err((
                    p,
                    format!("environment variable `{name}` is not set"),
                    format!(
                    "set `{name}` before running sqlmig: `-- +envsub` never substitutes an empty string for a missing variable"
                ),
                ))
            }
        }
        rest = p + ENVSUB_OPEN.len() + n + 1;
    }
    out.push_str(&text[rest..]);
    Ok(out)
}

/// A variable from the process environment, for [`envsub`].
fn from_environment(name: &str) -> Option<std::result::Result<String, String>> {
    match std::env::var(name) {
        Ok(v) => Some(Ok(v)),
        Err(std::env::VarError::NotPresent) => None,
        Err(std::env::VarError::NotUnicode(_)) => Some(Err("is not valid UTF-8".into())),
    }
}

/// An `-- +envsub` statement with its references replaced: a copy of the file with the
/// substituted statement in place of the original, and the statement parsed there. `None`
/// when the statement has no reference.
fn substitute_statement(source: &Source, stmt: &Statement, dialect: Dialect) -> Option<Result<(Source, Statement)>> {
    let text = stmt.text(source);
    if !text.contains(ENVSUB_OPEN) {
        return None;
    }
    Some(match envsub(text, &from_environment) {
        Err((offset, message, help)) => {
            let at = stmt.span.start + offset;
            let end = text[offset..].find('}').map_or(at + ENVSUB_OPEN.len(), |p| at + p + 1);
            Err(Error::syntax(source.span(at, end), message).with_help(help))
        }
        Ok(replaced) => {
            let start = stmt.span.start;
            let full = format!("{}{replaced}{}", &source.text[..start], &source.text[stmt.span.end..]);
            let copy = Source::new(source.path.clone(), full);
            let parsed = sql::parse(&copy, start..start + replaced.len(), dialect);
            Ok((copy, parsed))
        }
    })
}

/// The error for a statement the translator refused.
fn untranslatable(source: &Source, stmt: &Statement, target: Dialect, r: translate::Refusal) -> Error {
    let text = stmt.text(source);
    let at = r.position.map_or(stmt.span.start, |(l, c)| stmt.span.start + crate::sql::offset_of(text, l, c));
    let end = text[at - stmt.span.start..].find('\n').map_or(stmt.span.end, |p| at + p);
    let e = Error::Untranslatable {
        location: Box::new(source.span(at, end)),
        message: format!("cannot translate to {target}: {}", r.message),
        help: None,
    };
    if r.help.is_empty() {
        e
    } else {
        e.with_help(r.help)
    }
}

/// Add a rebuild, merged into the previous one when that one rebuilds the same table: one
/// copy of the table instead of one per statement.
fn push_rebuild(statements: &mut Vec<Emitted>, stmt: &Statement, source: &Source, spec: crate::rebuild::RebuildSpec) {
    if let Some(prev) = statements.last_mut() {
        if let Some(prev_spec) = prev.rebuild.as_mut().filter(|p| p.table.eq_ignore_ascii_case(&spec.table)) {
            prev.parts.push((stmt.span.clone(), spec.operations.len()));
            prev_spec.operations.extend(spec.operations);
            prev.sql = format!("{};\n{}", prev.sql, stmt.text(source));
            return;
        }
    }
    let parts = vec![(stmt.span.clone(), spec.operations.len())];
    let emitted =
        Emitted { sql: stmt.text(source).to_string(), origin: stmt.span.clone(), rebuild: Some(spec), parts, data: false };
    statements.push(emitted);
}

/// Whether a statement only reads or writes rows, so it can never commit implicitly.
fn is_data_statement(stmt: &sqlparser::ast::Statement) -> bool {
    use sqlparser::ast::Statement as S;
    matches!(stmt, S::Insert(_) | S::Update(_) | S::Delete(_) | S::Query(_))
}

/// The canonical form of a section: its marker and annotations, then one line per statement,
/// sqlparser's rendering where it parsed and the comment-free, whitespace-folded text where
/// it did not. Part of checksum scheme 1: do not change without a new scheme.
fn canonical_section(source: &Source, section: &ParsedSection, out: &mut String) {
    out.push('+');
    out.push_str(section.direction.name());
    if let Some(t) = section.target {
        out.push(' ');
        out.push_str(t.name());
    }
    if section.no_transaction {
        out.push_str(" no-transaction");
    }
    // No file had `-- +envsub` before scheme 1 was fixed, so adding it changes no
    // existing checksum; turning it on or off is a real edit (it changes what runs).
    if section.envsub {
        out.push_str(" envsub");
    }
    out.push('\n');
    for stmt in &section.statements {
        match &stmt.parsed {
            Parsed::Ast(ast) => out.push_str(&ast.to_string()),
            Parsed::Many(asts) => {
                for (i, ast) in asts.iter().enumerate() {
                    if i > 0 {
                        out.push_str(";\n");
                    }
                    out.push_str(&ast.to_string());
                }
            }
            Parsed::Error { .. } => out.push_str(&split::canonical_text(stmt.text(source), section.dialect)),
        }
        out.push_str(";\n");
    }
}

fn canonical_checksums(source: &Source, dialect: Dialect, sections: &[ParsedSection]) -> CanonicalChecksums {
    let mut up = String::new();
    let mut down = String::new();
    let mut all = format!("+dialect {dialect}\n");
    for s in sections {
        let mut text = String::new();
        canonical_section(source, s, &mut text);
        all.push_str(&text);
        match s.direction {
            Direction::Up => up.push_str(&text),
            Direction::Down => down.push_str(&text),
        }
    }
    CanonicalChecksums { all: Checksum::of(all.as_bytes()), up: Checksum::of(up.as_bytes()), down: Checksum::of(down.as_bytes()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use std::path::PathBuf;

    fn migration(text: &str) -> Migration {
        let id = MigrationId { version: 1, version_text: "0001".into(), name: "t".into(), path: PathBuf::from("0001_t.sql") };
        Migration::from_source(id, Source::new("0001_t.sql", text))
    }

    #[test]
    fn cosmetic_edits_keep_canonical_checksums() {
        let a = migration("-- +up\ncreate table t (id int);\n-- +down\ndrop table t;\n");
        let b = migration("-- a comment\n-- +up\r\nCREATE TABLE t (\n  id INT -- key\n);\n\n-- +down\nDROP TABLE t;\n");
        assert_ne!(a.checksum, b.checksum);
        assert_eq!(a.parse(Dialect::Postgres).unwrap().canonical, b.parse(Dialect::Postgres).unwrap().canonical);
    }

    #[test]
    fn real_edits_change_the_right_section() {
        let a = migration("-- +up\nCREATE TABLE t (id int);\n-- +down\nDROP TABLE t;\n").parse(Dialect::Postgres).unwrap();
        let b = migration("-- +up\nCREATE TABLE t (id bigint);\n-- +down\nDROP TABLE t;\n").parse(Dialect::Postgres).unwrap();
        assert_ne!(a.canonical.up, b.canonical.up);
        assert_eq!(a.canonical.down, b.canonical.down);
    }

    #[test]
    fn line_endings_and_bom_do_not_change_the_file_checksum() {
        assert_eq!(migration("-- +up\nSELECT 1;\n").checksum, migration("\u{feff}-- +up\r\nSELECT 1;\r\n").checksum);
    }

    #[test]
    fn unparsed_statements_run_only_on_their_own_dialect() {
        let m = migration("-- +up\nCREATE TABLE t (id int);\nFROBNICATE THE DATABASE;\n");
        let p = m.parse(Dialect::Postgres).unwrap();
        let script = p.script(&m.source, Direction::Up, Dialect::Postgres, &mut Catalog::default()).unwrap().unwrap();
        assert_eq!(script.unparsed, 1);
        assert_eq!(script.statements[1].sql, "FROBNICATE THE DATABASE");
        let err =
            crate::diagnostic::render(&p.script(&m.source, Direction::Up, Dialect::Sqlite, &mut Catalog::default()).unwrap_err());
        assert!(err.contains("0001_t.sql:3:1") && err.contains("cannot parse this postgres statement"), "{err}");
    }

    #[test]
    fn dialect_sections_win_over_plain_ones() {
        let m = migration("-- +up\nSELECT 1;\n-- +up sqlite\nSELECT 2;\n-- +down\nSELECT 3;\n");
        let p = m.parse(Dialect::Postgres).unwrap();
        let sql = |d, t| p.script(&m.source, d, t, &mut Catalog::default()).unwrap().map(|s| s.statements[0].sql.clone());
        assert_eq!(sql(Direction::Up, Dialect::Sqlite).as_deref(), Some("SELECT 2"));
        assert_eq!(sql(Direction::Up, Dialect::Mysql).as_deref(), Some("SELECT 1"));
        assert_eq!(sql(Direction::Down, Dialect::Sqlite).as_deref(), Some("SELECT 3"));
    }

    #[test]
    fn split_errors_are_not_also_empty_sections() {
        let err = crate::diagnostic::render(
            &migration("-- +up\nINSERT INTO t VALUES ('ok');\nINSERT INTO t VALUES ('oops);\n")
                .parse(Dialect::Postgres)
                .unwrap_err(),
        );
        assert!(err.contains("unterminated string") && !err.contains("no statements"), "{err}");
        let err = crate::diagnostic::render(
            &migration("-- +up\nSELECT 1;\n-- +begin\n-- just a comment\n-- +end\n").parse(Dialect::Postgres).unwrap_err(),
        );
        assert!(err.contains("empty `-- +begin` block"), "{err}");
    }

    #[test]
    fn envsub_replaces_references_when_statements_are_emitted() {
        let lookup = |name: &str| (name == "ROLE").then(|| Ok("app_reader".to_string()));
        assert_eq!(envsub("GRANT SELECT ON t TO ${ROLE}", &lookup).unwrap(), "GRANT SELECT ON t TO app_reader");
        assert_eq!(envsub("SELECT '$${ROLE}', '$x', '${ROLE}'", &lookup).unwrap(), "SELECT '${ROLE}', '$x', 'app_reader'");
        let (at, message, _) = envsub("SELECT 1, ${NOPE}", &lookup).unwrap_err();
        assert_eq!((at, message.as_str()), (10, "environment variable `NOPE` is not set"));
        for bad in ["${}", "${1A}", "${A B}", "${A"] {
            assert!(envsub(bad, &lookup).unwrap_err().1.contains("malformed"), "{bad}");
        }

        std::env::set_var("SQLMIG_UNIT_ENVSUB_TABLE", "tenant_a");
        let text = "-- +envsub\n-- +up\nCREATE TABLE ${SQLMIG_UNIT_ENVSUB_TABLE} (id SERIAL PRIMARY KEY);\n";
        let m = migration(text);
        let p = m.parse(Dialect::Postgres).unwrap();
        assert_eq!(p.unparsed_count(), 0);
        let script = p.script(&m.source, Direction::Up, Dialect::Sqlite, &mut Catalog::default()).unwrap().unwrap();
        // Substituted, then parsed and translated like any statement.
        assert_eq!(script.statements[0].sql, "CREATE TABLE tenant_a (id INTEGER PRIMARY KEY AUTOINCREMENT)");
        // The checksums cover the file as written.
        std::env::set_var("SQLMIG_UNIT_ENVSUB_TABLE", "tenant_b");
        assert_eq!(migration(text).parse(Dialect::Postgres).unwrap().canonical, p.canonical);

        let m = migration("-- +up\n-- +envsub\nCREATE TABLE ${SQLMIG_UNIT_ENVSUB_UNSET} (id int);\n");
        let err =
            m.parse(Dialect::Postgres).unwrap().script(&m.source, Direction::Up, Dialect::Postgres, &mut Catalog::default());
        let err = crate::diagnostic::render(&err.unwrap_err());
        assert!(err.contains("0001_t.sql:3:14") && err.contains("`SQLMIG_UNIT_ENVSUB_UNSET` is not set"), "{err}");
    }

    #[test]
    fn envsub_changes_the_canonical_form() {
        let plain = migration("-- +up\nSELECT 1;\n").parse(Dialect::Postgres).unwrap();
        let sub = migration("-- +envsub\n-- +up\nSELECT 1;\n").parse(Dialect::Postgres).unwrap();
        assert_ne!(plain.canonical.all, sub.canonical.all);
    }

    #[test]
    fn parse_each_hands_out_results_in_order() {
        let files: Vec<Migration> = (0..40)
            .map(|i| {
                let body = if i % 7 == 3 {
                    "-- +up\n-- nothing\n".to_string()
                } else {
                    format!("-- +up\nCREATE TABLE t{i} (id int);\n")
                };
                migration(&body)
            })
            .collect();
        let refs: Vec<&Migration> = files.iter().collect();
        let mut seen = Vec::new();
        parse_each(&refs, Dialect::Postgres, |k, parsed| seen.push((k, parsed.map(|p| p.canonical.all))));
        let expected: Vec<_> =
            files.iter().enumerate().map(|(k, m)| (k, m.parse(Dialect::Postgres).map(|p| p.canonical.all))).collect();
        assert_eq!(seen.len(), expected.len());
        for ((k, a), (j, b)) in seen.iter().zip(&expected) {
            assert_eq!(k, j);
            assert_eq!(a.as_ref().ok(), b.as_ref().ok(), "migration {k}");
            assert_eq!(a.is_err(), b.is_err(), "migration {k}");
        }
    }

    #[test]
    fn translation_is_told_from_the_structure() {
        let plain = migration("-- +up\nSELECT 1;\n");
        assert!(plain.translates(Direction::Up, Dialect::Sqlite, Dialect::Postgres));
        assert!(!plain.translates(Direction::Up, Dialect::Postgres, Dialect::Postgres));
        assert!(!plain.translates(Direction::Down, Dialect::Sqlite, Dialect::Postgres));
        let own = migration("-- +dialect sqlite\n-- +up\nSELECT 1;\n-- +up mysql\nSELECT 2;\n");
        assert!(!own.translates(Direction::Up, Dialect::Sqlite, Dialect::Postgres));
        assert!(!own.translates(Direction::Up, Dialect::Mysql, Dialect::Postgres));
        assert!(own.translates(Direction::Up, Dialect::Postgres, Dialect::Postgres));
        for (m, target) in [(&plain, Dialect::Sqlite), (&own, Dialect::Mysql), (&own, Dialect::Postgres)] {
            let parsed = m.parse(Dialect::Postgres).unwrap();
            assert_eq!(m.translates(Direction::Up, target, Dialect::Postgres), parsed.translates(Direction::Up, target));
        }
    }

    #[test]
    fn empty_up_sections_are_errors() {
        let err = crate::diagnostic::render(&migration("-- +up\n-- nothing\n").parse(Dialect::Postgres).unwrap_err());
        assert!(err.contains("has no statements"), "{err}");
    }
}
