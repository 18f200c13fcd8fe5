//! Execution: a [`Plan`] → statements sent through a [`Driver`], with the ledger kept true.
//!
//! Each unit becomes a list of [`Step`]s, the same list a dry run prints, so `--dry-run`
//! shows exactly what a real run sends. Two shapes exist:
//! - transactional (SQLite, PostgreSQL): `BEGIN`, the statements, the ledger write,
//!   `COMMIT`; on failure `ROLLBACK` leaves neither schema change nor ledger row.
//! - progress-tracked (MySQL, whose DDL commits implicitly, and `-- +no-transaction`
//!   sections): the ledger row is written first as running, updated after every statement
//!   and finalised at the end, so a failure or a crash leaves a dirty row that says exactly
//!   how far it got, and nothing re-runs silently.

use std::time::Instant;

use crate::driver::{Driver, Value};
use crate::error::{Error, Result};
use crate::format::Direction;
use crate::ledger::{ledger_error, Ledger, LedgerState};
use crate::migration::Migration;
use crate::plan::{Plan, Unit};

/// One thing sent to the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Transaction control.
    Control(String),
    /// The migration's statement number `index` (0-based).
    Statement {
        /// Which statement of the script.
        index: usize,
    },
    /// A ledger write.
    Ledger(LedgerWrite),
}

/// A ledger write, its values filled in at run time (timings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerWrite {
    /// Insert the row with this state.
    Insert(LedgerState),
    /// Record progress: state and statements done.
    Progress(LedgerState, usize),
    /// Remove the row.
    Delete,
}

/// The steps of a unit. `inside` is true when the unit runs inside a transaction that the
/// whole plan shares (`--single-transaction`), so it opens and commits none of its own.
pub fn steps(unit: &Unit, dialect: crate::dialect::Dialect, inside: bool) -> Vec<Step> {
    let n = unit.script.statements.len();
    let mut out = Vec::with_capacity(2 * n + 4);
    if unit.transactional || inside {
        if !inside {
            out.push(Step::Control(dialect.begin_sql().into()));
        }
        out.extend((0..n).map(|index| Step::Statement { index }));
        out.push(Step::Ledger(match unit.direction {
            Direction::Up => LedgerWrite::Insert(LedgerState::Applied),
            Direction::Down => LedgerWrite::Delete,
        }));
        if !inside {
            out.push(Step::Control("COMMIT".into()));
        }
    } else {
        let running = LedgerState::Running(unit.direction);
        let last = match unit.direction {
            Direction::Up => LedgerWrite::Progress(LedgerState::Applied, n),
            Direction::Down => LedgerWrite::Delete,
        };
        out.push(Step::Ledger(match unit.direction {
            Direction::Up => LedgerWrite::Insert(running),
            Direction::Down => LedgerWrite::Progress(running, 0),
        }));
        // A run of data statements (which never commit implicitly) shares one transaction
        // with the ledger write after it: one commit for the run instead of two per
        // statement. A crash or a failure inside it rolls the run back, and the ledger still
        // says exactly which statements before it ran. Not in a `-- +no-transaction`
        // section, which asked for no transaction at all.
        let statements = &unit.script.statements;
        let mut index = 0;
        while index < n {
            let data_run = if unit.script.no_transaction {
                0
            } else {
                statements[index..].iter().take_while(|e| e.data && e.rebuild.is_none()).count()
            };
            if data_run == 0 {
                out.push(Step::Statement { index });
                index += 1;
                if index < n {
                    out.push(Step::Ledger(LedgerWrite::Progress(running, index)));
                }
                continue;
            }
            out.push(Step::Control(dialect.begin_sql().into()));
            out.extend((index..index + data_run).map(|index| Step::Statement { index }));
            index += data_run;
            out.push(Step::Ledger(if index == n { last } else { LedgerWrite::Progress(running, index) }));
            out.push(Step::Control("COMMIT".into()));
            if index == n {
                return out;
            }
        }
        out.push(Step::Ledger(last));
    }
    out
}

fn ledger_sql(ledger: &Ledger, unit: &Unit, write: LedgerWrite, elapsed_ms: i64) -> (String, Vec<Value>) {
    match write {
        LedgerWrite::Insert(state) => {
            let mut row = unit.row.clone();
            row.state = state;
            row.execution_ms = elapsed_ms;
            row.applied_at = crate::ledger::now_utc();
            (ledger.insert_sql(), Ledger::insert_params(&row))
        }
        LedgerWrite::Progress(state, done) => (
            ledger.progress_sql(),
            vec![
                Value::Text(state.as_str().into()),
                Value::Int(done as i64),
                Value::Int(unit.script.statements.len() as i64),
                Value::Int(elapsed_ms),
                Value::Int(unit.row.version as i64),
            ],
        ),
        LedgerWrite::Delete => (ledger.delete_sql(), vec![Value::Int(unit.row.version as i64)]),
    }
}

/// Substitute `$n` placeholders with literals, for display.
fn with_literals(sql: &str, params: &[Value]) -> String {
    let mut out = String::with_capacity(sql.len() + 64);
    let mut rest = sql;
    while let Some(p) = rest.find('$') {
        out.push_str(&rest[..p]);
        let digits = rest[p + 1..].bytes().take_while(u8::is_ascii_digit).count();
        match rest[p + 1..p + 1 + digits].parse::<usize>().ok().and_then(|n| params.get(n.wrapping_sub(1))) {
            Some(v) => out.push_str(&v.to_literal()),
            None => out.push_str(&rest[p..p + 1 + digits]),
        }
        rest = &rest[p + 1 + digits..];
    }
    out.push_str(rest);
    out
}

/// The statements a unit sends, in order, with the ledger's values written in.
fn unit_sql(unit: &Unit, ledger: &Ledger, dialect: crate::dialect::Dialect, inside: bool) -> Vec<String> {
    steps(unit, dialect, inside)
        .into_iter()
        .map(|step| match step {
            Step::Control(sql) => sql,
            Step::Statement { index } => unit.script.statements[index].sql.clone(),
            Step::Ledger(write) => {
                let (sql, params) = ledger_sql(ledger, unit, write, 0);
                with_literals(&sql, &params)
            }
        })
        .collect()
}

/// The SQL a plan would send, as a script: what `apply --dry-run` prints.
pub fn render(plan: &Plan, migrations: &[Migration], ledger: &Ledger, dialect: crate::dialect::Dialect) -> String {
    let mut out = String::new();
    if plan.single_transaction && !plan.units.is_empty() {
        out.push_str(&format!("-- one transaction for all migrations\n{};\n\n", dialect.begin_sql()));
    }
    for unit in &plan.units {
        let m = &migrations[unit.index];
        out.push_str(&format!("-- {} ({})\n", m.label(), unit.direction.name()));
        for sql in unit_sql(unit, ledger, dialect, plan.single_transaction) {
            out.push_str(&sql);
            out.push_str(";\n");
        }
        out.push('\n');
    }
    if plan.single_transaction && !plan.units.is_empty() {
        out.push_str("COMMIT;\n");
    }
    out
}

/// A driver that runs everything on a scratch database and keeps the text of every write:
/// how a dry run shows SQL that is only planned while running, such as SQLite rebuilds.
struct Recorder<'a> {
    inner: &'a mut dyn Driver,
    log: Vec<String>,
}

impl Driver for Recorder<'_> {
    fn dialect(&self) -> crate::dialect::Dialect {
        self.inner.dialect()
    }

    fn execute(&mut self, sql: &str) -> Result<(), crate::driver::DbError> {
        self.log.push(sql.to_string());
        // The scratch copy keeps foreign keys off (it has no rows for them to find); the
        // real run switches them around a rebuild, so the script shows that, but the copy
        // must not follow.
        if sql.starts_with("PRAGMA foreign_keys") {
            return Ok(());
        }
        self.inner.execute(sql)
    }

    fn execute_with(&mut self, sql: &str, params: &[Value]) -> Result<u64, crate::driver::DbError> {
        self.log.push(with_literals(sql, params));
        self.inner.execute_with(sql, params)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, crate::driver::DbError> {
        // sqlmig's own connections enforce foreign keys; answer as the real run would see it.
        if sql == "PRAGMA foreign_keys" {
            return Ok(vec![vec![Value::Int(1)]]);
        }
        // The scratch copy has the schema but not the rows, so rows referencing existing
        // data would look orphaned: the real run checks foreign keys, the rehearsal cannot.
        if sql.starts_with("PRAGMA foreign_key_check") {
            return Ok(Vec::new());
        }
        self.inner.query(sql, params)
    }

    fn table_exists(&mut self, table: &str) -> Result<bool, crate::driver::DbError> {
        self.inner.table_exists(table)
    }

    fn lock(&mut self, key: &str, timeout: Option<std::time::Duration>, waiting: &mut dyn FnMut()) -> Result<()> {
        self.inner.lock(key, timeout, waiting)
    }

    fn unlock(&mut self, key: &str) -> Result<(), crate::driver::DbError> {
        self.inner.unlock(key)
    }
}

/// What a rehearsal sent for one migration (or for all of them, in one transaction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rehearsed {
    /// `<version>_<name> (up)`, or `None` for a single-transaction run.
    pub header: Option<String>,
    /// Every statement sent, in order.
    pub statements: Vec<String>,
}

/// Run a plan on a scratch database holding the target's schema, and return the SQL it
/// sent, per migration: the dry run for targets whose SQL is planned while running.
pub fn rehearse_units(
    scratch: &mut dyn Driver,
    ledger: &Ledger,
    plan: &Plan,
    migrations: &[Migration],
) -> Result<Vec<Rehearsed>> {
    ledger.ensure(scratch)?;
    let chunks: Vec<Plan> = if plan.single_transaction {
        vec![plan.clone()]
    } else {
        plan.units.iter().map(|u| Plan { units: vec![u.clone()], single_transaction: false, warnings: Vec::new() }).collect()
    };
    // Units after the last rebuild need no rehearsal: what they send is known without
    // running them, and no later plan reads the schema they leave.
    let rehearsed = match plan.units.iter().rposition(has_rebuild) {
        _ if plan.single_transaction => chunks.len(),
        Some(last) => last + 1,
        None => 0,
    };
    let mut out = Vec::new();
    for chunk in chunks.iter().skip(rehearsed) {
        let unit = &chunk.units[0];
        let statements = unit_sql(unit, ledger, scratch.dialect(), false);
        out.push(Rehearsed {
            header: Some(format!("{} ({})", migrations[unit.index].label(), unit.direction.name())),
            statements,
        });
    }
    let mut out_rehearsed = Vec::new();
    for chunk in chunks.into_iter().take(rehearsed) {
        let mut rec = Recorder { inner: &mut *scratch, log: Vec::new() };
        let report = execute(&mut rec, ledger, &chunk, migrations, &mut |_| {});
        let header = (chunk.units.len() == 1)
            .then(|| format!("{} ({})", migrations[chunk.units[0].index].label(), chunk.units[0].direction.name()));
        out_rehearsed.push(Rehearsed { header, statements: rec.log });
        if let Some(e) = report.failure {
            return Err(e);
        }
    }
    out_rehearsed.extend(out);
    Ok(out_rehearsed)
}

/// [`rehearse_units`], as a script.
pub fn rehearse(scratch: &mut dyn Driver, ledger: &Ledger, plan: &Plan, migrations: &[Migration]) -> Result<String> {
    let mut out = String::new();
    for unit in rehearse_units(scratch, ledger, plan, migrations)? {
        if let Some(h) = unit.header {
            out.push_str(&format!("-- {h}\n"));
        }
        for s in unit.statements {
            out.push_str(&s);
            out.push_str(";\n");
        }
        out.push('\n');
    }
    Ok(out)
}

/// A migration that ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    /// The version.
    pub version: u64,
    /// `<version>_<name>`.
    pub label: String,
    /// Up or down.
    pub direction: Direction,
    /// Wall time in milliseconds.
    pub ms: u64,
}

/// What a run did: the migrations that completed, and the error that stopped it, if any.
#[derive(Debug, Default)]
pub struct Report {
    /// Completed migrations, in order.
    pub ran: Vec<Ran>,
    /// The failure that stopped the run; earlier migrations stay applied.
    pub failure: Option<Error>,
    /// What translation adapted in the planned migrations (location, message).
    pub notices: Vec<(crate::source::Location, String)>,
    /// What the plan warned about (see [`Plan::warnings`]).
    pub warnings: Vec<String>,
}

/// Every translation notice of a plan.
pub fn notices(plan: &Plan) -> Vec<(crate::source::Location, String)> {
    plan.units.iter().flat_map(|u| u.script.notices.iter().cloned()).collect()
}

/// Run a plan. `progress` is told about each migration as it completes.
pub fn execute(
    driver: &mut dyn Driver,
    ledger: &Ledger,
    plan: &Plan,
    migrations: &[Migration],
    progress: &mut dyn FnMut(&Ran),
) -> Report {
    let mut report = if plan.single_transaction && !plan.units.is_empty() {
        execute_single(driver, ledger, plan, migrations, progress)
    } else {
        execute_each(driver, ledger, plan, migrations, progress)
    };
    report.notices = notices(plan);
    report.warnings = plan.warnings.clone();
    report
}

fn execute_each(
    driver: &mut dyn Driver,
    ledger: &Ledger,
    plan: &Plan,
    migrations: &[Migration],
    progress: &mut dyn FnMut(&Ran),
) -> Report {
    let mut report = Report::default();
    for unit in &plan.units {
        match run_unit(driver, ledger, unit, &migrations[unit.index], false) {
            Ok(ran) => {
                progress(&ran);
                report.ran.push(ran);
            }
            Err(e) => {
                report.failure = Some(e);
                break;
            }
        }
    }
    report
}

/// `--single-transaction`: every unit inside one transaction; any failure rolls back all of
/// them, so the report lists nothing as applied.
fn execute_single(
    driver: &mut dyn Driver,
    ledger: &Ledger,
    plan: &Plan,
    migrations: &[Migration],
    progress: &mut dyn FnMut(&Ran),
) -> Report {
    let mut report = Report::default();
    let rebuilds = driver.dialect() == crate::dialect::Dialect::Sqlite && plan.units.iter().any(has_rebuild);
    let fk_was_on = match rebuilds.then(|| foreign_keys_off(driver)).transpose() {
        Ok(on) => on.unwrap_or(false),
        Err(e) => {
            report.failure = Some(e);
            return report;
        }
    };
    let mut report = execute_single_inner(driver, ledger, plan, migrations, progress, report);
    if fk_was_on {
        if let Err(e) = driver.execute("PRAGMA foreign_keys = ON") {
            report.failure.get_or_insert(Error::Database(format!("cannot turn foreign keys back on: {e}")));
        }
    }
    report
}

fn execute_single_inner(
    driver: &mut dyn Driver,
    ledger: &Ledger,
    plan: &Plan,
    migrations: &[Migration],
    progress: &mut dyn FnMut(&Ran),
    mut report: Report,
) -> Report {
    let begin = driver.dialect().begin_sql();
    if let Err(e) = driver.execute(begin) {
        report.failure = Some(Error::Database(format!("`{begin}` failed: {e}")));
        return report;
    }
    let mut ran = Vec::new();
    for unit in &plan.units {
        let m = &migrations[unit.index];
        match run_unit(driver, ledger, unit, m, true) {
            Ok(r) => ran.push(r),
            Err(e) => {
                report.failure = Some(match driver.execute("ROLLBACK") {
                    Ok(()) => e.with_help(format!(
                        "the whole run was rolled back: none of the {} migrations is applied; fix {} and run the command again",
                        plan.units.len(),
                        m.path().display()
                    )),
                    Err(r) => Error::Database(format!("{e}; then ROLLBACK failed too: {r}")),
                });
                return report;
            }
        }
    }
    if let Err(e) = driver.execute("COMMIT") {
        report.failure = Some(Error::Database(format!("COMMIT failed, nothing was applied: {e}")));
        return report;
    }
    for r in &ran {
        progress(r);
    }
    report.ran = ran;
    report
}

/// Whether a unit holds a SQLite table rebuild, which needs foreign keys off around its
/// transaction (the pragma is a no-op inside one).
fn has_rebuild(unit: &Unit) -> bool {
    unit.script.statements.iter().any(|e| e.rebuild.is_some())
}

/// Turn SQLite's foreign key enforcement off if it is on; returns whether it was.
fn foreign_keys_off(driver: &mut dyn Driver) -> Result<bool> {
    let on =
        driver.query("PRAGMA foreign_keys", &[])?.first().and_then(|r| r.first()).map_or(0, crate::driver::Value::as_i64) == 1;
    if on {
        driver.execute("PRAGMA foreign_keys = OFF")?;
    }
    Ok(on)
}

/// `PRAGMA foreign_key_check` on the tables a rebuild touched: a violation aborts the
/// migration, naming the table, as the foreign key would have on PostgreSQL.
fn check_foreign_keys(driver: &mut dyn Driver, tables: &[String]) -> Result<(), String> {
    for t in tables {
        let rows = driver
            .query(&format!("PRAGMA foreign_key_check({})", crate::dialect::Dialect::Sqlite.quote_ident(t)), &[])
            .map_err(|e| e.message)?;
        if let Some(first) = rows.first() {
            let parent = first.get(2).cloned().map(crate::driver::Value::into_string).unwrap_or_default();
            let mut rowids: Vec<i64> = rows.iter().map(|r| r.get(1).map_or(0, crate::driver::Value::as_i64)).collect();
            rowids.sort_unstable();
            rowids.dedup();
            return Err(format!(
                "{} row{} of table `{t}` violate a foreign key to `{parent}` (first at rowid {})",
                rowids.len(),
                if rowids.len() == 1 { "" } else { "s" },
                rowids[0]
            ));
        }
    }
    Ok(())
}

/// Which ALTER of a merged rebuild its planning refused: the first whose operations, planned
/// with the ones before it, are refused too (planning only reads, and nothing of the rebuild
/// has run yet), else the last.
fn culprit(
    driver: &mut dyn Driver,
    stmt: &crate::migration::Emitted,
    spec: &crate::rebuild::RebuildSpec,
) -> std::ops::Range<usize> {
    let mut upto = 0;
    for (span, count) in stmt.parts.iter().take(stmt.parts.len().saturating_sub(1)) {
        upto += count;
        let prefix = crate::rebuild::RebuildSpec { table: spec.table.clone(), operations: spec.operations[..upto].to_vec() };
        if crate::rebuild::plan(driver, &prefix).is_err() {
            return span.clone();
        }
    }
    stmt.parts.last().map_or_else(|| stmt.origin.clone(), |(span, _)| span.clone())
}

/// Run one planned rebuild statement; returns the tables whose foreign keys to check.
fn run_rebuild(driver: &mut dyn Driver, plan: crate::rebuild::RebuildPlan, in_transaction: bool) -> Result<Vec<String>, String> {
    // Outside a migration transaction (`-- +no-transaction`), a rebuild still gets its own:
    // half a copy-and-swap would lose the table.
    let own = plan.rebuilt && !in_transaction;
    if own {
        driver.execute("BEGIN IMMEDIATE").map_err(|e| e.message)?;
    }
    let result = (|| {
        for sql in &plan.statements {
            driver.execute(sql).map_err(|e| format!("{} (while running `{sql}`)", e.message))?;
        }
        if own {
            check_foreign_keys(driver, &plan.check_tables)?;
        }
        Ok(())
    })();
    if own {
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        driver.execute(end).map_err(|e| e.message)?;
        return result.map(|()| Vec::new());
    }
    result.map(|()| if plan.rebuilt { plan.check_tables } else { Vec::new() })
}

fn run_unit(driver: &mut dyn Driver, ledger: &Ledger, unit: &Unit, m: &Migration, inside: bool) -> Result<Ran> {
    let fk_was_on = if has_rebuild(unit) && !inside && driver.dialect() == crate::dialect::Dialect::Sqlite {
        foreign_keys_off(driver)?
    } else {
        false
    };
    let result = run_steps(driver, ledger, unit, m, inside);
    if fk_was_on {
        if let Err(e) = driver.execute("PRAGMA foreign_keys = ON") {
            return Err(Error::Database(format!("cannot turn foreign keys back on: {e}")));
        }
    }
    result
}

fn run_steps(driver: &mut dyn Driver, ledger: &Ledger, unit: &Unit, m: &Migration, inside: bool) -> Result<Ran> {
    let dialect = driver.dialect();
    let started = Instant::now();
    let elapsed = |s: &Instant| s.elapsed().as_millis() as i64;
    let mut in_transaction = false;
    let mut done = 0usize;
    // Statements done when the open transaction began: what stays if it rolls back.
    let mut done_at_begin = 0usize;
    let mut fk_tables: Vec<String> = Vec::new();
    for step in steps(unit, dialect, inside) {
        let failed = |stmt: &crate::migration::Emitted, message: String| Error::Migration {
            migration: m.label(),
            direction: unit.direction.name(),
            location: Some(Box::new(m.source.span(stmt.origin.start, stmt.origin.end))),
            message,
            help: None,
        };
        let result = match &step {
            Step::Control(sql) if sql == "COMMIT" && !fk_tables.is_empty() => {
                let checked = check_foreign_keys(driver, &fk_tables).map_err(|msg| {
                    let stmt = unit.script.statements.iter().find(|e| e.rebuild.is_some()).unwrap_or(&unit.script.statements[0]);
                    failed(stmt, msg)
                });
                checked.and_then(|()| {
                    let r = driver.execute(sql).map_err(|e| Error::Database(format!("`{sql}` failed: {e}")));
                    in_transaction &= r.is_err();
                    r
                })
            }
            Step::Control(sql) => {
                let r = driver.execute(sql).map_err(|e| Error::Database(format!("`{sql}` failed: {e}")));
                if r.is_ok() {
                    in_transaction = sql != "COMMIT";
                    done_at_begin = done;
                }
                r
            }
            Step::Statement { index } => {
                let stmt = &unit.script.statements[*index];
                match &stmt.rebuild {
                    Some(spec) => match crate::rebuild::plan(driver, spec) {
                        Ok(plan) => run_rebuild(driver, plan, in_transaction || inside)
                            .map(|tables| {
                                fk_tables.extend(tables);
                                done = index + 1;
                            })
                            .map_err(|msg| failed(stmt, msg)),
                        Err(msg) => {
                            let origin = culprit(driver, stmt, spec);
                            let location = Some(Box::new(m.source.span(origin.start, origin.end)));
                            let direction = unit.direction.name();
                            Err(Error::Migration { migration: m.label(), direction, location, message: msg, help: None })
                        }
                    },
                    None => driver.execute(&stmt.sql).map(|()| done = index + 1).map_err(|e| failed(stmt, e.message)),
                }
            }
            Step::Ledger(write) => {
                let (sql, params) = ledger_sql(ledger, unit, *write, elapsed(&started));
                driver.execute_with(&sql, &params).map(drop).map_err(ledger_error)
            }
        };
        if let Err(e) = result {
            if inside {
                return Err(e); // the caller rolls back the shared transaction
            }
            let committed = if in_transaction { done_at_begin } else { done };
            return Err(fail(driver, ledger, unit, m, e, in_transaction, committed, elapsed(&started)));
        }
    }
    if inside && !fk_tables.is_empty() {
        // One transaction for the whole run: check now, while the migration is known.
        if let Err(msg) = check_foreign_keys(driver, &fk_tables) {
            let stmt = unit.script.statements.iter().find(|e| e.rebuild.is_some()).unwrap_or(&unit.script.statements[0]);
            return Err(Error::Migration {
                migration: m.label(),
                direction: unit.direction.name(),
                location: Some(Box::new(m.source.span(stmt.origin.start, stmt.origin.end))),
                message: msg,
                help: None,
            });
        }
    }
    Ok(Ran { version: unit.row.version, label: m.label(), direction: unit.direction, ms: started.elapsed().as_millis() as u64 })
}

/// Clean up after a failed step and say what state things are in. `done`: the statements
/// that ran and stay committed.
#[allow(clippy::too_many_arguments)]
fn fail(
    driver: &mut dyn Driver,
    ledger: &Ledger,
    unit: &Unit,
    m: &Migration,
    error: Error,
    in_transaction: bool,
    done: usize,
    ms: i64,
) -> Error {
    let total = unit.script.statements.len();
    if in_transaction {
        if let Err(e) = driver.execute("ROLLBACK") {
            return Error::Database(format!("{error}; then ROLLBACK failed too: {e}"));
        }
    }
    if in_transaction && unit.transactional {
        return error.with_help(format!(
            "the migration was rolled back: neither its changes nor a ledger row remain; fix {} and run the command again",
            m.path().display()
        ));
    }
    let state = LedgerState::Failed(unit.direction);
    let (sql, params) = ledger_sql(ledger, unit, LedgerWrite::Progress(state, done), ms);
    if let Err(e) = driver.execute_with(&sql, &params) {
        return Error::Database(format!("{error}; then recording the failure in the ledger failed: {e}"));
    }
    error.with_help(format!(
        "{done} of {total} statements of {} ran and were committed before the failure; the ledger marks it dirty. \
         Finish or undo them by hand, then run `sqlmig resolve {} --applied` or `--rolled-back`",
        unit.direction.name(),
        m.id.version_text
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn unit(data: &[bool], direction: Direction, no_transaction: bool) -> Unit {
        let statements = data.iter().map(|&d| crate::migration::Emitted::sql("S".into(), 0..1).data(d)).collect();
        let script = crate::migration::Script { statements, no_transaction, unparsed: 0, data_only: false, notices: Vec::new() };
        let row = crate::ledger::LedgerRow {
            version: 1,
            name: "m".into(),
            seq: 1,
            state: LedgerState::Applied,
            checksum: String::new(),
            canonical_checksum: String::new(),
            up_checksum: String::new(),
            down_checksum: String::new(),
            checksum_scheme: 1,
            statements_done: 0,
            statements_total: 0,
            unparsed_statements: 0,
            applied_at: String::new(),
            execution_ms: 0,
            sqlmig_version: String::new(),
            previous_checksum: None,
            repaired_at: None,
        };
        Unit { index: 0, direction, script, transactional: false, row }
    }

    /// Steps as short names: `B`/`C` begin and commit, `S0`.. statements, `I`/`P1`../`A`/`D`
    /// ledger insert, progress, applied, delete.
    fn shape(unit: &Unit) -> String {
        let names: Vec<String> = steps(unit, crate::dialect::Dialect::Mysql, false)
            .into_iter()
            .map(|s| match s {
                Step::Control(sql) if sql == "COMMIT" => "C".into(),
                Step::Control(_) => "B".into(),
                Step::Statement { index } => format!("S{index}"),
                Step::Ledger(LedgerWrite::Insert(_)) => "I".into(),
                Step::Ledger(LedgerWrite::Progress(LedgerState::Applied, _)) => "A".into(),
                Step::Ledger(LedgerWrite::Progress(_, n)) => format!("P{n}"),
                Step::Ledger(LedgerWrite::Delete) => "D".into(),
            })
            .collect();
        names.join(" ")
    }

    #[test]
    fn data_runs_share_a_transaction_with_the_next_ledger_write() {
        // DDL, DDL, data, data: the data and the final write commit together.
        assert_eq!(shape(&unit(&[false, false, true, true], Direction::Up, false)), "I S0 P1 S1 P2 B S2 S3 A C");
        // Data first, then DDL.
        assert_eq!(shape(&unit(&[true, false], Direction::Up, false)), "I B S0 P1 C S1 A");
        assert_eq!(shape(&unit(&[false, true, false], Direction::Up, false)), "I S0 P1 B S1 P2 C S2 A");
        assert_eq!(shape(&unit(&[false, true], Direction::Down, false)), "P0 S0 P1 B S1 D C");
        // Only DDL, or a `-- +no-transaction` section: a ledger write after every statement.
        assert_eq!(shape(&unit(&[false, false], Direction::Up, false)), "I S0 P1 S1 A");
        assert_eq!(shape(&unit(&[false, true, true], Direction::Up, true)), "I S0 P1 S1 P2 S2 A");
    }

    #[test]
    fn literals_replace_placeholders() {
        let sql = with_literals("UPDATE t SET a = $1, b = $2 WHERE c = $10", &[Value::Text("it's".into()), Value::Int(3)]);
        assert_eq!(sql, "UPDATE t SET a = 'it''s', b = 3 WHERE c = $10");
    }
}
