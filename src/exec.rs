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
    let statements = (0..n).map(|index| Step::Statement { index });
    let mut out = Vec::with_capacity(2 * n + 4);
    if unit.transactional || inside {
        if !inside {
            out.push(Step::Control(dialect.begin_sql().into()));
        }
        out.extend(statements);
        out.push(Step::Ledger(match unit.direction {
            Direction::Up => LedgerWrite::Insert(LedgerState::Applied),
            Direction::Down => LedgerWrite::Delete,
        }));
        if !inside {
            out.push(Step::Control("COMMIT".into()));
        }
    } else {
        let running = LedgerState::Running(unit.direction);
        out.push(Step::Ledger(match unit.direction {
            Direction::Up => LedgerWrite::Insert(running),
            Direction::Down => LedgerWrite::Progress(running, 0),
        }));
        for s in statements {
            let Step::Statement { index } = s else { continue };
            out.push(s);
            if index + 1 < n {
                out.push(Step::Ledger(LedgerWrite::Progress(running, index + 1)));
            }
        }
        out.push(Step::Ledger(match unit.direction {
            Direction::Up => LedgerWrite::Progress(LedgerState::Applied, n),
            Direction::Down => LedgerWrite::Delete,
        }));
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

/// The SQL a plan would send, as a script: what `apply --dry-run` prints.
pub fn render(plan: &Plan, migrations: &[Migration], ledger: &Ledger, dialect: crate::dialect::Dialect) -> String {
    let mut out = String::new();
    if plan.single_transaction && !plan.units.is_empty() {
        out.push_str(&format!("-- one transaction for all migrations\n{};\n\n", dialect.begin_sql()));
    }
    for unit in &plan.units {
        let m = &migrations[unit.index];
        out.push_str(&format!("-- {} ({})\n", m.label(), unit.direction.name()));
        for step in steps(unit, dialect, plan.single_transaction) {
            let sql = match step {
                Step::Control(sql) => sql,
                Step::Statement { index } => unit.script.statements[index].sql.clone(),
                Step::Ledger(write) => {
                    let (sql, params) = ledger_sql(ledger, unit, write, 0);
                    with_literals(&sql, &params)
                }
            };
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
}

/// Every translation notice of a plan.
pub fn notices(plan: &Plan) -> Vec<(crate::source::Location, String)> {
    plan.units.iter().flat_map(|u| u.script.notices.iter().cloned()).collect()
}

/// Run a plan. `progress` is told about each migration as it completes.
pub fn execute(driver: &mut dyn Driver, ledger: &Ledger, plan: &Plan, migrations: &[Migration], progress: &mut dyn FnMut(&Ran)) -> Report {
    let mut report = if plan.single_transaction && !plan.units.is_empty() {
        execute_single(driver, ledger, plan, migrations, progress)
    } else {
        execute_each(driver, ledger, plan, migrations, progress)
    };
    report.notices = notices(plan);
    report
}

fn execute_each(driver: &mut dyn Driver, ledger: &Ledger, plan: &Plan, migrations: &[Migration], progress: &mut dyn FnMut(&Ran)) -> Report {
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
fn execute_single(driver: &mut dyn Driver, ledger: &Ledger, plan: &Plan, migrations: &[Migration], progress: &mut dyn FnMut(&Ran)) -> Report {
    let mut report = Report::default();
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

fn run_unit(driver: &mut dyn Driver, ledger: &Ledger, unit: &Unit, m: &Migration, inside: bool) -> Result<Ran> {
    let dialect = driver.dialect();
    let started = Instant::now();
    let elapsed = |s: &Instant| s.elapsed().as_millis() as i64;
    let mut in_transaction = false;
    let mut done = 0usize;
    for step in steps(unit, dialect, inside) {
        let result = match &step {
            Step::Control(sql) => {
                let r = driver.execute(sql).map_err(|e| Error::Database(format!("`{sql}` failed: {e}")));
                if r.is_ok() {
                    in_transaction = sql != "COMMIT";
                }
                r
            }
            Step::Statement { index } => {
                let stmt = &unit.script.statements[*index];
                driver.execute(&stmt.sql).map(|()| done = index + 1).map_err(|e| {
                    let location = m.source.span(stmt.origin.start, stmt.origin.end);
                    Error::Migration {
                        migration: m.label(),
                        direction: unit.direction.name(),
                        location: Some(Box::new(location)),
                        message: e.message,
                        help: None,
                    }
                })
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
            return Err(fail(driver, ledger, unit, m, e, in_transaction, done, elapsed(&started)));
        }
    }
    Ok(Ran { version: unit.row.version, label: m.label(), direction: unit.direction, ms: started.elapsed().as_millis() as u64 })
}

/// Clean up after a failed step and say what state things are in.
#[allow(clippy::too_many_arguments)]
fn fail(driver: &mut dyn Driver, ledger: &Ledger, unit: &Unit, m: &Migration, error: Error, in_transaction: bool, done: usize, ms: i64) -> Error {
    let total = unit.script.statements.len();
    if in_transaction {
        if let Err(e) = driver.execute("ROLLBACK") {
            return Error::Database(format!("{error}; then ROLLBACK failed too: {e}"));
        }
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

    #[test]
    fn literals_replace_placeholders() {
        let sql = with_literals("UPDATE t SET a = $1, b = $2 WHERE c = $10", &[Value::Text("it's".into()), Value::Int(3)]);
        assert_eq!(sql, "UPDATE t SET a = 'it''s', b = 3 WHERE c = $10");
    }
}
