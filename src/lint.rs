//! Lint: static checks of migrations for what reviewers miss. Each rule has an id, a
//! severity, a one-paragraph explanation and the safer alternative (spec/lint.md).
//!
//! Rules look at parsed statements and at the schema model built by the earlier migrations,
//! so "an existing table" means one an earlier migration created. A comment
//! `-- sqlmig:allow RULE_ID reason` on the line before a statement silences that rule for it.

use sqlparser::ast::{AlterColumnOperation, AlterTableOperation, ColumnOption, DataType, ObjectType, Statement, TableConstraint};

use crate::catalog::Catalog;
use crate::dialect::Dialect;
use crate::format::Direction;
use crate::migration::{Migration, ParsedMigration};
use crate::source::Location;
use crate::sql::Parsed;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth a look.
    Warning,
    /// Fails `sqlmig lint`.
    Error,
}

impl Severity {
    /// `warning` or `error`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A lint rule.
#[derive(Debug)]
pub struct Rule {
    /// The id used in output and in `-- sqlmig:allow`.
    pub id: &'static str,
    /// How serious.
    pub severity: Severity,
    /// Why it matters.
    pub explanation: &'static str,
    /// What to do instead.
    pub alternative: &'static str,
}

macro_rules! rules {
    ($($name:ident = $id:literal, $sev:ident, $why:literal, $instead:literal;)*) => {
        $(
            #[doc = $why]
            pub const $name: Rule = Rule { id: $id, severity: Severity::$sev, explanation: $why, alternative: $instead };
        )*
        /// Every rule.
        pub const RULES: &[&Rule] = &[$(&$name),*];
    };
}

rules! {
    DROP_TABLE = "drop-table", Error,
        "Dropping a table deletes its rows for good, and code still deployed may still read it.",
        "Stop using the table in code first, release, then drop it in a later migration (and allow it with `-- sqlmig:allow drop-table`).";
    DROP_COLUMN = "drop-column", Error,
        "Dropping a column deletes its values for good, and code still deployed may still select or insert it.",
        "Stop using the column in code first, release, then drop it in a later migration.";
    TRUNCATE = "truncate", Error,
        "TRUNCATE deletes every row of the table.",
        "Delete the rows you mean with a WHERE clause, or allow it if emptying the table is the point.";
    UNBOUNDED_WRITE = "unbounded-write", Error,
        "An UPDATE or DELETE without WHERE changes every row of the table, which is rarely what a migration means.",
        "Add a WHERE clause; `WHERE true` states that every row is meant.";
    NOT_NULL_WITHOUT_DEFAULT = "not-null-without-default", Error,
        "Adding a NOT NULL column without a default to an existing table fails on every database as soon as the table has rows.",
        "Add the column nullable, backfill it, then SET NOT NULL; or give it a DEFAULT.";
    NARROWING_TYPE = "narrowing-type-change", Error,
        "Changing a column to a narrower or different kind of type fails or truncates when existing values do not fit.",
        "Add a new column, backfill it with an explicit conversion, switch the code over, then drop the old column.";
    INDEX_NOT_CONCURRENT = "index-not-concurrent", Warning,
        "On PostgreSQL, CREATE INDEX on an existing table blocks writes to it until the index is built.",
        "Use CREATE INDEX CONCURRENTLY in a section marked `-- +no-transaction`.";
    CONSTRAINT_NOT_VALID = "constraint-not-valid", Warning,
        "On PostgreSQL, adding a FOREIGN KEY or CHECK to an existing table scans it while holding a lock that blocks writes.",
        "Add the constraint with NOT VALID, then VALIDATE CONSTRAINT in a later migration.";
    CONCURRENT_IN_TRANSACTION = "concurrent-in-transaction", Error,
        "CREATE/DROP INDEX CONCURRENTLY cannot run inside a transaction; the migration would fail half way through a deploy.",
        "Mark the section `-- +no-transaction`.";
    RENAME = "rename", Warning,
        "Renaming a table or column breaks the code that still uses the old name during a rolling deploy.",
        "Add the new name, write to both, switch readers, then drop the old one; or deploy code and schema together knowingly.";
    MISSING_DOWN = "missing-down", Warning,
        "A migration without a down section cannot be rolled back.",
        "Write a `-- +down` section that undoes the up section; `sqlmig test` proves it does.";
    DOWN_INCOMPLETE = "down-incomplete", Warning,
        "The down section does not drop something the up section creates, so rolling back leaves it behind.",
        "Drop every table, index and view the up section creates; `sqlmig test` checks the result.";
    UNPARSED = "unparsed-statement", Warning,
        "sqlmig could not parse this statement: it runs verbatim on its own database and cannot be translated or checked.",
        "Write it in a form sqlparser understands, or keep it in a per-dialect section.";
    UNTRANSLATABLE = "untranslatable", Error,
        "This statement cannot be translated faithfully to a target database, so applying the migration there would fail.",
        "Write that target's version in a per-dialect section (`-- +up mysql`).";
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule.
    pub rule: &'static Rule,
    /// Where.
    pub location: Location,
    /// What, specifically.
    pub message: String,
}

/// Whether a `-- sqlmig:allow RULE` comment sits on the lines just above `offset`.
fn allowed(text: &str, offset: usize, rule: &str) -> bool {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    // The comment is for the statement that starts its line, not for one after it.
    if !before[line_start..].trim().is_empty() {
        return false;
    }
    let lines = before[..line_start].lines().rev();
    for line in lines {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let Some(comment) = t.strip_prefix("--") else { return false };
        let mut words = comment.split_whitespace();
        if words.next() == Some("sqlmig:allow") && words.next() == Some(rule) {
            return true;
        }
    }
    false
}

fn is_narrowing(from: &DataType, to: &DataType) -> bool {
    use sqlparser::ast::ExactNumberInfo as N;
    use DataType as T;
    // Exact numbers: fewer integer digits or fewer decimals lose values.
    let digits = |i: &N| match i {
        N::None => None,
        N::Precision(p) => Some((*p as i64, 0)),
        N::PrecisionAndScale(p, s) => Some((*p as i64, *s)),
    };
    if let (T::Numeric(a) | T::Decimal(a), T::Numeric(b) | T::Decimal(b)) = (from, to) {
        return match (digits(a), digits(b)) {
            (None, Some(_)) => true,
            (Some((pa, sa)), Some((pb, sb))) => pb - sb < pa - sa || sb < sa,
            _ => false,
        };
    }
    if matches!(from, T::Timestamp(..) | T::Datetime(_)) && matches!(to, T::Date) {
        return true; // the time of day is dropped
    }
    let rank = |t: &DataType| -> Option<(u8, u64)> {
        Some(match t {
            T::SmallInt(_) | T::Int2(_) => (0, 2),
            T::Int(_) | T::Integer(_) | T::Int4(_) => (0, 4),
            T::BigInt(_) | T::Int8(_) => (0, 8),
            T::Varchar(Some(sqlparser::ast::CharacterLength::IntegerLength { length, .. }))
            | T::Char(Some(sqlparser::ast::CharacterLength::IntegerLength { length, .. })) => (1, *length),
            T::Text | T::Varchar(None) => (1, u64::MAX),
            T::Real => (2, 4),
            T::DoublePrecision | T::Double(_) | T::Float8 => (2, 8),
            T::Numeric(_) | T::Decimal(_) => (3, 0),
            T::Date | T::Timestamp(..) | T::Datetime(_) => (4, 0),
            T::Boolean | T::Bool => (5, 0),
            _ => return None,
        })
    };
    match (rank(from), rank(to)) {
        (Some((fk, fs)), Some((tk, ts))) if fk == tk => ts < fs,
        // Text to anything else parses text; numbers to booleans and so on can fail.
        (Some((fk, _)), Some((tk, _))) => fk != tk && tk != 1,
        _ => false,
    }
}

struct Linter<'a> {
    findings: Vec<Finding>,
    migration: &'a Migration,
}

impl Linter<'_> {
    fn report(&mut self, rule: &'static Rule, offset: usize, end: usize, message: String) {
        let text = &self.migration.source.text;
        if allowed(text, offset, rule.id) {
            return;
        }
        self.findings.push(Finding { rule, location: self.migration.source.span(offset, end), message });
    }
}

/// Lint every migration of a project, in order. `targets` are the databases the project must
/// run on (for `untranslatable`).
pub fn lint(migrations: &[Migration], default_dialect: Dialect, targets: &[Dialect]) -> (Vec<Finding>, Vec<crate::Error>) {
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    let mut catalog = Catalog::default();
    for m in migrations {
        let parsed = match m.parse(default_dialect) {
            Ok(p) => p,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let mut l = Linter { findings: Vec::new(), migration: m };
        check_migration(&mut l, &parsed, &catalog);
        for &t in targets {
            let mut c = catalog.clone();
            for d in [Direction::Up, Direction::Down] {
                if let Err(e) = parsed.script(&m.source, d, t, &mut c) {
                    for e in e.flatten() {
                        // A statement that needs `-- +no-transaction` has its own rule.
                        if matches!(e, crate::Error::Syntax { message, .. } if message.contains("inside a transaction")) {
                            continue;
                        }
                        if let Some(loc) = e.location() {
                            let at = statement_start(&parsed, offset_of_location(&m.source.text, loc));
                            if !allowed(&m.source.text, at, UNTRANSLATABLE.id) {
                                l.findings.push(Finding {
                                    rule: &UNTRANSLATABLE,
                                    location: loc.clone(),
                                    message: format!("{t}: {e}"),
                                });
                            }
                        }
                    }
                }
            }
        }
        parsed.fold(Direction::Up, default_dialect, &mut catalog);
        findings.extend(l.findings);
    }
    (findings, errors)
}

/// The start of the statement holding `offset` (the allow comment sits above it).
fn statement_start(parsed: &ParsedMigration, offset: usize) -> usize {
    parsed
        .sections
        .iter()
        .flat_map(|s| &s.statements)
        .find(|s| s.span.start <= offset && offset <= s.span.end)
        .map_or(offset, |s| s.span.start)
}

fn offset_of_location(text: &str, loc: &Location) -> usize {
    let line_start = text.split_inclusive('\n').take(loc.line.saturating_sub(1)).map(str::len).sum::<usize>();
    line_start + text[line_start..].chars().take(loc.column.saturating_sub(1)).map(char::len_utf8).sum::<usize>()
}

fn check_migration(l: &mut Linter<'_>, parsed: &ParsedMigration, before: &Catalog) {
    let has_down = parsed.sections.iter().any(|s| s.direction == Direction::Down);
    if !has_down {
        if let Some(up) = parsed.sections.iter().find(|s| s.direction == Direction::Up) {
            l.report(&MISSING_DOWN, up.marker.start, up.marker.end, "this migration has no `-- +down` section".into());
        }
    }
    // Every up section is checked: one written for a single database runs there just the same.
    for up in parsed.sections.iter().filter(|s| s.direction == Direction::Up) {
        let down = parsed
            .sections
            .iter()
            .find(|s| s.direction == Direction::Down && s.target == up.target)
            .or_else(|| parsed.sections.iter().find(|s| s.direction == Direction::Down && s.target.is_none()));
        check_section(l, up, down, before);
    }
}

fn check_section(
    l: &mut Linter<'_>,
    up: &crate::migration::ParsedSection,
    down: Option<&crate::migration::ParsedSection>,
    before: &Catalog,
) {
    let dialect = up.dialect;
    let mut created: Vec<String> = Vec::new();
    for stmt in &up.statements {
        let (start, end) = (stmt.span.start, stmt.span.end);
        let ast = match &stmt.parsed {
            Parsed::Ast(a) => a.as_ref(),
            Parsed::Many(_) => continue,
            Parsed::Error { message, .. } => {
                // In a section for one database it runs on that database only, as intended.
                if up.target.is_none() {
                    l.report(&UNPARSED, start, end, format!("sqlparser: {message}"));
                }
                continue;
            }
        };
        let existing =
            |name: &sqlparser::ast::ObjectName| before.table(name).is_some() && !created.contains(&crate::catalog::key(name));
        match ast {
            Statement::CreateTable(ct) => created.push(crate::catalog::key(&ct.name)),
            Statement::Drop { object_type: ObjectType::Table, names, .. } => {
                let list: Vec<String> = names.iter().map(ToString::to_string).collect();
                l.report(&DROP_TABLE, start, end, format!("drops table {}", list.join(", ")));
            }
            Statement::Truncate(t) => {
                let list: Vec<String> = t.table_names.iter().map(|n| n.name.to_string()).collect();
                l.report(&TRUNCATE, start, end, format!("empties {}", list.join(", ")));
            }
            Statement::Delete(d) if d.selection.is_none() => {
                l.report(&UNBOUNDED_WRITE, start, end, "DELETE without WHERE".into())
            }
            Statement::Update(u) if u.selection.is_none() => {
                l.report(&UNBOUNDED_WRITE, start, end, "UPDATE without WHERE".into())
            }
            Statement::CreateIndex(ci) => {
                if dialect == Dialect::Postgres && existing(&ci.table_name) && !ci.concurrently {
                    l.report(
                        &INDEX_NOT_CONCURRENT,
                        start,
                        end,
                        format!("index on existing table {} built without CONCURRENTLY", ci.table_name),
                    );
                }
                if ci.concurrently && !up.no_transaction {
                    l.report(
                        &CONCURRENT_IN_TRANSACTION,
                        start,
                        end,
                        "CREATE INDEX CONCURRENTLY in a section without `-- +no-transaction`".into(),
                    );
                }
            }
            Statement::AlterTable(at) => {
                let table = before.table(&at.name);
                for op in &at.operations {
                    match op {
                        AlterTableOperation::DropColumn { column_names, .. } => {
                            let list: Vec<String> = column_names.iter().map(|c| c.value.clone()).collect();
                            l.report(&DROP_COLUMN, start, end, format!("drops column {} of {}", list.join(", "), at.name));
                        }
                        AlterTableOperation::AddColumn { column_def, .. } if existing(&at.name) => {
                            let not_null = column_def.options.iter().any(|o| matches!(o.option, ColumnOption::NotNull));
                            let default = column_def.options.iter().any(|o| matches!(o.option, ColumnOption::Default(_)));
                            if not_null && !default {
                                l.report(
                                    &NOT_NULL_WITHOUT_DEFAULT,
                                    start,
                                    end,
                                    format!("adds NOT NULL column {} to {} without a default", column_def.name, at.name),
                                );
                            }
                        }
                        AlterTableOperation::AlterColumn {
                            column_name,
                            op: AlterColumnOperation::SetDataType { data_type, .. },
                        } => {
                            if let Some(old) = table.and_then(|t| t.column(&column_name.value)) {
                                if is_narrowing(&old.def.data_type, data_type) {
                                    l.report(
                                        &NARROWING_TYPE,
                                        start,
                                        end,
                                        format!(
                                            "changes {}.{} from {} to {}",
                                            at.name, column_name, old.def.data_type, data_type
                                        ),
                                    );
                                }
                            }
                        }
                        AlterTableOperation::AddConstraint { constraint, not_valid }
                            if dialect == Dialect::Postgres
                                && existing(&at.name)
                                && matches!(constraint, TableConstraint::ForeignKey(_) | TableConstraint::Check(_))
                                && !not_valid =>
                        {
                            l.report(
                                &CONSTRAINT_NOT_VALID,
                                start,
                                end,
                                format!("adds `{constraint}` to existing table {} without NOT VALID", at.name),
                            );
                        }
                        AlterTableOperation::RenameColumn { old_column_name, new_column_name } => {
                            l.report(
                                &RENAME,
                                start,
                                end,
                                format!("renames column {old_column_name} of {} to {new_column_name}", at.name),
                            );
                        }
                        AlterTableOperation::RenameTable { .. } => {
                            l.report(&RENAME, start, end, format!("renames table {}", at.name))
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    // Objects the up section creates that the down section never mentions dropping.
    if let Some(down) = down {
        let drops: Vec<String> = down
            .statements
            .iter()
            .filter_map(|s| match &s.parsed {
                Parsed::Ast(a) => match a.as_ref() {
                    Statement::Drop { names, .. } => Some(names.iter().map(crate::catalog::key).collect::<Vec<_>>()),
                    _ => None,
                },
                _ => None,
            })
            .flatten()
            .collect();
        let down_unparsed = down.statements.iter().any(|s| !s.is_parsed());
        for stmt in &up.statements {
            let Parsed::Ast(a) = &stmt.parsed else { continue };
            let (name, table) = match a.as_ref() {
                Statement::CreateTable(ct) => (crate::catalog::key(&ct.name), None),
                Statement::CreateView(v) => (crate::catalog::key(&v.name), None),
                Statement::CreateIndex(ci) => match &ci.name {
                    Some(n) => (crate::catalog::key(n), Some(crate::catalog::key(&ci.table_name))),
                    None => continue,
                },
                _ => continue,
            };
            // Dropping an index's table drops the index.
            let dropped = drops.contains(&name) || table.is_some_and(|t| drops.contains(&t));
            if !down_unparsed && !dropped {
                l.report(
                    &DOWN_INCOMPLETE,
                    stmt.span.start,
                    stmt.span.end,
                    format!("`{name}` is created by up but not dropped by down"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_comments_apply_to_the_next_statement_only() {
        let text = "-- +up\n-- sqlmig:allow drop-table it is empty\nDROP TABLE a;\nDROP TABLE b;\n";
        let a = text.find("DROP TABLE a").unwrap();
        let b = text.find("DROP TABLE b").unwrap();
        assert!(allowed(text, a, "drop-table"));
        assert!(!allowed(text, a, "truncate"));
        assert!(!allowed(text, b, "drop-table"));
        let same_line = "-- +up\n-- sqlmig:allow drop-table x\nDROP TABLE a; DROP TABLE b;\n";
        assert!(allowed(same_line, same_line.find("DROP TABLE a").unwrap(), "drop-table"));
        assert!(!allowed(same_line, same_line.find("DROP TABLE b").unwrap(), "drop-table"));
    }

    #[test]
    fn narrowing() {
        use sqlparser::ast::{CharacterLength, DataType as T};
        let vc = |n| T::Varchar(Some(CharacterLength::IntegerLength { length: n, unit: None }));
        assert!(is_narrowing(&T::BigInt(None), &T::Integer(None)));
        assert!(is_narrowing(&vc(255), &vc(50)));
        assert!(is_narrowing(&T::Text, &T::Integer(None)));
        assert!(!is_narrowing(&T::Integer(None), &T::BigInt(None)));
        assert!(!is_narrowing(&vc(50), &T::Text));
        assert!(!is_narrowing(&T::Integer(None), &T::Text));
        use sqlparser::ast::ExactNumberInfo as N;
        assert!(is_narrowing(&T::Numeric(N::PrecisionAndScale(12, 2)), &T::Numeric(N::PrecisionAndScale(6, 2))));
        assert!(!is_narrowing(&T::Numeric(N::PrecisionAndScale(6, 2)), &T::Numeric(N::PrecisionAndScale(12, 2))));
        assert!(is_narrowing(&T::Timestamp(None, sqlparser::ast::TimezoneInfo::None), &T::Date));
    }
}
