//! The ledger: the table in each database recording which migrations ran, with their
//! checksums. This module holds its rows and the SQL that reads and writes them; it does no
//! I/O of its own beyond handing that SQL to a [`Driver`].
//!
//! The table's layout is versioned from the start: `<table>_schema` holds one row with
//! [`LEDGER_SCHEMA_VERSION`], so a later sqlmig can add columns to an older ledger itself.
//!
//! Layout versions:
//! - 1: the first layout.
//! - 2: adds `previous_checksum` and `repaired_at` (NULL unless `sqlmig repair` accepted an
//!   edited file). [`Ledger::ensure`] upgrades a version-1 ledger in place, under the
//!   migration lock; [`Ledger::read`] reads either layout without writing anything.

use crate::checksum;
use crate::dialect::Dialect;
use crate::driver::{DbError, Driver, Value};
use crate::error::{Error, Result};

/// The layout version this sqlmig writes.
pub const LEDGER_SCHEMA_VERSION: i64 = 2;

/// The default ledger table name.
pub const DEFAULT_TABLE: &str = "sqlmig_ledger";

/// Where a migration stands according to the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerState {
    /// Applied completely.
    Applied,
    /// Marked applied without running (an existing schema adopted by sqlmig).
    Baseline,
    /// Applied by another migration tool and recorded by `sqlmig import` (nothing run).
    Imported,
    /// A non-transactional run started and did not finish: the process died.
    Running(crate::format::Direction),
    /// A non-transactional run failed part way.
    Failed(crate::format::Direction),
}

impl LedgerState {
    /// The text stored in the `state` column.
    pub fn as_str(self) -> &'static str {
        use crate::format::Direction::{Down, Up};
        match self {
            LedgerState::Applied => "applied",
            LedgerState::Baseline => "baseline",
            LedgerState::Imported => "imported",
            LedgerState::Running(Up) => "running_up",
            LedgerState::Running(Down) => "running_down",
            LedgerState::Failed(Up) => "failed_up",
            LedgerState::Failed(Down) => "failed_down",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        use crate::format::Direction::{Down, Up};
        Some(match s {
            "applied" => LedgerState::Applied,
            "baseline" => LedgerState::Baseline,
            "imported" => LedgerState::Imported,
            "running_up" => LedgerState::Running(Up),
            "running_down" => LedgerState::Running(Down),
            "failed_up" => LedgerState::Failed(Up),
            "failed_down" => LedgerState::Failed(Down),
            _ => return None,
        })
    }

    /// Whether the migration is half done and needs a person's decision (`sqlmig resolve`).
    pub fn is_dirty(self) -> bool {
        matches!(self, LedgerState::Running(_) | LedgerState::Failed(_))
    }
}

/// One row of the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    /// The migration's version.
    pub version: u64,
    /// Its name when it was applied.
    pub name: String,
    /// Order of application: rollback goes by this, newest first.
    pub seq: i64,
    /// Applied, or half done.
    pub state: LedgerState,
    /// File checksum (hex).
    pub checksum: String,
    /// Canonical checksum of the whole file (hex).
    pub canonical_checksum: String,
    /// Canonical checksum of the up sections (hex).
    pub up_checksum: String,
    /// Canonical checksum of the down sections (hex).
    pub down_checksum: String,
    /// The checksum scheme that computed the checksums.
    pub checksum_scheme: i64,
    /// Statements completed (meaningful for a dirty row).
    pub statements_done: i64,
    /// Statements in the section that ran.
    pub statements_total: i64,
    /// Statements sqlmig could not parse and ran verbatim.
    pub unparsed_statements: i64,
    /// When it was applied, RFC 3339 in UTC.
    pub applied_at: String,
    /// How long it took.
    pub execution_ms: i64,
    /// The sqlmig version that applied it.
    pub sqlmig_version: String,
    /// The file checksum before `sqlmig repair` accepted an edit (layout 2; `None` until then).
    pub previous_checksum: Option<String>,
    /// When `sqlmig repair` last accepted an edit, RFC 3339 in UTC (layout 2).
    pub repaired_at: Option<String>,
}

const COLUMNS: &str = "version, name, seq, state, checksum, canonical_checksum, up_checksum, down_checksum, \
     checksum_scheme, statements_done, statements_total, unparsed_statements, applied_at, execution_ms, sqlmig_version";

/// The columns layout 2 added, NULL by default.
const REPAIR_COLUMNS: &str = "previous_checksum, repaired_at";

/// The ledger table and the SQL to work with it in one database.
#[derive(Debug, Clone)]
pub struct Ledger {
    dialect: Dialect,
    table: String,
    /// The table name, quoted and schema-qualified, ready for SQL.
    qualified: String,
    schema_table: String,
    schema_qualified: String,
}

impl Ledger {
    /// The ledger named `table`, in `schema` if given.
    pub fn new(dialect: Dialect, table: &str, schema: Option<&str>) -> Result<Self> {
        validate_identifier(table, "ledger table")?;
        let schema_table = format!("{table}_schema");
        let qualify = |t: &str| match schema {
            Some(s) => format!("{}.{}", dialect.quote_ident(s), dialect.quote_ident(t)),
            None => dialect.quote_ident(t),
        };
        Ok(Ledger {
            dialect,
            qualified: qualify(table),
            schema_qualified: qualify(&schema_table),
            table: table.to_string(),
            schema_table,
        })
    }

    /// The unquoted table name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The statements that create the ledger.
    pub fn create_sql(&self) -> Vec<String> {
        let text = if self.dialect == Dialect::Sqlite { "TEXT" } else { "VARCHAR(64)" };
        vec![
            format!(
                "CREATE TABLE IF NOT EXISTS {} (version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, seq BIGINT NOT NULL, \
                 state VARCHAR(16) NOT NULL, checksum CHAR(64) NOT NULL, canonical_checksum CHAR(64) NOT NULL, \
                 up_checksum CHAR(64) NOT NULL, down_checksum CHAR(64) NOT NULL, checksum_scheme BIGINT NOT NULL, \
                 statements_done BIGINT NOT NULL, statements_total BIGINT NOT NULL, unparsed_statements BIGINT NOT NULL, \
                 applied_at {text} NOT NULL, execution_ms BIGINT NOT NULL, sqlmig_version {text} NOT NULL, \
                 previous_checksum CHAR(64) NULL, repaired_at {text} NULL)",
                self.qualified
            ),
            format!("CREATE TABLE IF NOT EXISTS {} (schema_version BIGINT NOT NULL)", self.schema_qualified),
        ]
    }

    /// Create the ledger if it does not exist, and upgrade an older layout to
    /// [`LEDGER_SCHEMA_VERSION`]. Call with the migration lock held, outside a transaction.
    pub fn ensure(&self, driver: &mut dyn Driver) -> Result<()> {
        if driver.table_exists(&self.table)? {
            let version = self.check_schema_version(driver)?;
            if version < LEDGER_SCHEMA_VERSION {
                self.upgrade(driver, version)?;
            }
            return Ok(());
        }
        for sql in self.create_sql() {
            driver.execute(&sql).map_err(|e| Error::Database(format!("cannot create the ledger table `{}`: {e}", self.table)))?;
        }
        driver.execute_with(
            &format!("INSERT INTO {} (schema_version) VALUES ($1)", self.schema_qualified),
            &[Value::Int(LEDGER_SCHEMA_VERSION)],
        )?;
        Ok(())
    }

    /// The statements that add layout 2's columns: one `ALTER TABLE` where the database
    /// takes several `ADD COLUMN`s at once, so MySQL (whose DDL commits implicitly) never
    /// stops half way.
    pub fn upgrade_sql(&self) -> Vec<String> {
        let text = if self.dialect == Dialect::Sqlite { "TEXT" } else { "VARCHAR(64)" };
        let add = ["ADD COLUMN previous_checksum CHAR(64) NULL".to_string(), format!("ADD COLUMN repaired_at {text} NULL")];
        match self.dialect {
            Dialect::Sqlite => add.iter().map(|a| format!("ALTER TABLE {} {a}", self.qualified)).collect(),
            _ => vec![format!("ALTER TABLE {} {}", self.qualified, add.join(", "))],
        }
    }

    /// Whether the table has layout 2's columns (a probe that changes nothing; it runs
    /// outside any transaction, so its failure aborts none on PostgreSQL).
    fn has_repair_columns(&self, driver: &mut dyn Driver) -> bool {
        driver.query(&format!("SELECT {REPAIR_COLUMNS} FROM {} WHERE 1 = 0", self.qualified), &[]).is_ok()
    }

    /// Upgrade a ledger of layout `from` in place, in one transaction where DDL is
    /// transactional. Columns already there are not added again, so a MySQL upgrade that
    /// died between its `ALTER TABLE` and the version update is finished by the next run.
    fn upgrade(&self, driver: &mut dyn Driver, from: i64) -> Result<()> {
        let fail = |e: DbError| {
            Error::Database(format!(
                "cannot upgrade the ledger `{}` from layout {from} to {LEDGER_SCHEMA_VERSION}: {e}",
                self.table
            ))
        };
        let mut statements = Vec::new();
        if from < 2 && !self.has_repair_columns(driver) {
            statements.extend(self.upgrade_sql());
        }
        statements.push(format!("UPDATE {} SET schema_version = {LEDGER_SCHEMA_VERSION}", self.schema_qualified));
        let transactional = self.dialect.transactional_ddl();
        if transactional {
            driver.execute(self.dialect.begin_sql()).map_err(fail)?;
        }
        for sql in &statements {
            if let Err(e) = driver.execute(sql) {
                if transactional {
                    let _ = driver.execute("ROLLBACK");
                }
                return Err(fail(e));
            }
        }
        if transactional {
            driver.execute("COMMIT").map_err(fail)?;
        }
        Ok(())
    }

    /// The layout version of an existing ledger.
    fn check_schema_version(&self, driver: &mut dyn Driver) -> Result<i64> {
        if !driver.table_exists(&self.schema_table)? {
            return Err(Error::Database(format!(
                "table `{}` exists but `{}` does not: this is not a sqlmig ledger",
                self.table, self.schema_table
            )));
        }
        let rows = driver.query(&format!("SELECT MAX(schema_version) FROM {}", self.schema_qualified), &[])?;
        let version = rows.first().and_then(|r| r.first()).map_or(0, Value::as_i64);
        if version > LEDGER_SCHEMA_VERSION {
            return Err(Error::Database(format!(
                "the ledger has layout version {version}, newer than this sqlmig understands ({LEDGER_SCHEMA_VERSION}); upgrade sqlmig"
            )));
        }
        Ok(version)
    }

    /// Every ledger row, by version; empty when the ledger does not exist yet.
    pub fn read(&self, driver: &mut dyn Driver) -> Result<Vec<LedgerRow>> {
        if !driver.table_exists(&self.table)? {
            return Ok(Vec::new());
        }
        self.read_existing(driver)
    }

    /// [`Ledger::read`] when the caller has just seen that the ledger table exists (one
    /// round trip fewer on every command that holds the lock).
    pub fn read_existing(&self, driver: &mut dyn Driver) -> Result<Vec<LedgerRow>> {
        // A layout-1 ledger is read as it is: reading never writes, and the upgrade waits
        // for the next command that takes the lock.
        let columns =
            if self.check_schema_version(driver)? >= 2 { format!("{COLUMNS}, {REPAIR_COLUMNS}") } else { COLUMNS.into() };
        let rows = driver.query(&format!("SELECT {columns} FROM {} ORDER BY version", self.qualified), &[])?;
        rows.into_iter().map(row_from_values).collect()
    }

    /// Insert a row.
    pub fn insert_sql(&self) -> String {
        format!(
            "INSERT INTO {} ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            self.qualified
        )
    }

    /// The parameters of [`Ledger::insert_sql`] for a row.
    pub fn insert_params(row: &LedgerRow) -> Vec<Value> {
        vec![
            Value::Int(row.version as i64),
            Value::Text(row.name.clone()),
            Value::Int(row.seq),
            Value::Text(row.state.as_str().into()),
            Value::Text(row.checksum.clone()),
            Value::Text(row.canonical_checksum.clone()),
            Value::Text(row.up_checksum.clone()),
            Value::Text(row.down_checksum.clone()),
            Value::Int(row.checksum_scheme),
            Value::Int(row.statements_done),
            Value::Int(row.statements_total),
            Value::Int(row.unparsed_statements),
            Value::Text(row.applied_at.clone()),
            Value::Int(row.execution_ms),
            Value::Text(row.sqlmig_version.clone()),
        ]
    }

    /// Set a row's state and progress: `$1` state, `$2` statements done, `$3` statements
    /// total, `$4` execution ms, `$5` version.
    pub fn progress_sql(&self) -> String {
        format!(
            "UPDATE {} SET state = $1, statements_done = $2, statements_total = $3, execution_ms = $4 WHERE version = $5",
            self.qualified
        )
    }

    /// Accept a file's current checksums (`sqlmig repair`): `$1` checksum, `$2` canonical,
    /// `$3` up, `$4` down, `$5` checksum scheme, `$6` previous checksum, `$7` repaired at,
    /// `$8` version, `$9` the checksum the row must still have. Needs layout 2.
    pub fn repair_sql(&self) -> String {
        format!(
            "UPDATE {} SET checksum = $1, canonical_checksum = $2, up_checksum = $3, down_checksum = $4, \
             checksum_scheme = $5, previous_checksum = $6, repaired_at = $7 WHERE version = $8 AND checksum = $9",
            self.qualified
        )
    }

    /// Delete a row: `$1` version.
    pub fn delete_sql(&self) -> String {
        format!("DELETE FROM {} WHERE version = $1", self.qualified)
    }
}

fn row_from_values(values: Vec<Value>) -> Result<LedgerRow> {
    let mut it = values.into_iter();
    let mut next = || it.next().unwrap_or(Value::Null);
    let version = next().as_i64();
    let name = next().into_string();
    let seq = next().as_i64();
    let state_text = next().into_string();
    let state = LedgerState::parse(&state_text)
        .ok_or_else(|| Error::Database(format!("ledger row for version {version} has an unknown state `{state_text}`")))?;
    Ok(LedgerRow {
        version: u64::try_from(version).unwrap_or(0),
        name,
        seq,
        state,
        checksum: next().into_string().trim().to_string(),
        canonical_checksum: next().into_string().trim().to_string(),
        up_checksum: next().into_string().trim().to_string(),
        down_checksum: next().into_string().trim().to_string(),
        checksum_scheme: next().as_i64(),
        statements_done: next().as_i64(),
        statements_total: next().as_i64(),
        unparsed_statements: next().as_i64(),
        applied_at: next().into_string(),
        execution_ms: next().as_i64(),
        sqlmig_version: next().into_string(),
        previous_checksum: optional(next()),
        repaired_at: optional(next()),
    })
}

fn optional(v: Value) -> Option<String> {
    match v {
        Value::Null => None,
        v => Some(v.into_string().trim().to_string()),
    }
}

/// Accept only names that need no quoting anywhere, so no flag or config value can inject SQL.
pub fn validate_identifier(name: &str, what: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 54
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::input(format!("`{name}` is not a valid {what} name"))
            .with_help("use letters, digits and `_`, starting with a letter, at most 54 characters"))
    }
}

/// The current time as RFC 3339 UTC with milliseconds, e.g. `2026-11-22T09:30:00.123Z`.
pub fn now_utc() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = now.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z", rem / 3600, rem % 3600 / 60, rem % 60, now.subsec_millis())
}

/// A fresh row for a migration that is about to be (or has been) applied.
pub fn new_row(migration: &crate::migration::Migration, parsed: &crate::migration::ParsedMigration, seq: i64) -> LedgerRow {
    LedgerRow {
        version: migration.id.version,
        name: migration.id.name.clone(),
        seq,
        state: LedgerState::Applied,
        checksum: migration.checksum.to_hex(),
        canonical_checksum: parsed.canonical.all.to_hex(),
        up_checksum: parsed.canonical.up.to_hex(),
        down_checksum: parsed.canonical.down.to_hex(),
        checksum_scheme: checksum::SCHEME,
        statements_done: 0,
        statements_total: 0,
        unparsed_statements: parsed.unparsed_count() as i64,
        applied_at: now_utc(),
        execution_ms: 0,
        sqlmig_version: env!("CARGO_PKG_VERSION").to_string(),
        previous_checksum: None,
        repaired_at: None,
    }
}

/// Turn a driver error on a ledger statement into an error that says so.
pub fn ledger_error(e: DbError) -> Error {
    Error::Database(format!("cannot update the ledger: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_format() {
        let t = now_utc();
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.starts_with("20") && t.ends_with('Z'));
    }

    #[test]
    fn identifiers_are_validated() {
        assert!(validate_identifier("sqlmig_ledger", "t").is_ok());
        assert!(validate_identifier("x; DROP TABLE y", "t").is_err());
        assert!(validate_identifier("", "t").is_err());
    }
}
