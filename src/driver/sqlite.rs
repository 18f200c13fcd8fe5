//! The SQLite driver, over rusqlite with the bundled SQLite.

use std::path::Path;
use std::time::Duration;

use rusqlite::{params_from_iter, Connection, ErrorCode, OpenFlags};

use super::{DbError, Driver, Value};
use crate::dialect::Dialect;
use crate::error::{Error, Result};

/// A SQLite database.
pub struct SqliteDriver {
    conn: Connection,
    locked: bool,
    /// How long a statement waits for another connection's lock on the file.
    busy_timeout: Duration,
}

/// How long a reader (status, verify) waits for a running apply unless told otherwise.
const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(60);

impl SqliteDriver {
    /// Use an open connection (the library entry point: apply migrations to an application's
    /// own connection).
    pub fn new(conn: Connection) -> Self {
        SqliteDriver { conn, locked: false, busy_timeout: DEFAULT_BUSY_TIMEOUT }
    }

    /// Wait at most this long for another connection's lock on the file (`--lock-timeout`):
    /// a reader behind a running apply gives up when the user said to.
    pub fn set_busy_timeout(&mut self, timeout: Duration) {
        self.busy_timeout = timeout;
        let _ = self.conn.busy_timeout(timeout);
    }

    /// Open the file at `path` (memory when `None`). When `create` is false and the file does
    /// not exist, returns `None` without creating it.
    pub fn open(path: Option<&Path>, create: bool) -> Result<Option<Self>> {
        let conn = match path {
            None => Connection::open_in_memory(),
            Some(p) if !create && !p.exists() => return Ok(None),
            Some(p) => {
                let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                if create {
                    flags |= OpenFlags::SQLITE_OPEN_CREATE;
                    if let Some(parent) = p.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
                        return Err(Error::Connect {
                            url: format!("sqlite://{}", p.display()),
                            message: format!("the folder `{}` does not exist", parent.display()),
                        });
                    }
                }
                Connection::open_with_flags(p, flags)
            }
        };
        let conn = conn.map_err(|e| Error::Connect {
            url: path.map_or("sqlite::memory:".into(), |p| format!("sqlite://{}", p.display())),
            message: e.to_string(),
        })?;
        // Readers (status, verify) wait for a running apply instead of failing at once.
        let _ = conn.busy_timeout(DEFAULT_BUSY_TIMEOUT);
        // Migrations are written for databases that enforce foreign keys; SQLite does only
        // when asked, per connection.
        conn.execute_batch("PRAGMA foreign_keys = ON").map_err(|e| Error::Connect {
            url: path.map_or("sqlite::memory:".into(), |p| format!("sqlite://{}", p.display())),
            message: e.to_string(),
        })?;
        Ok(Some(SqliteDriver::new(conn)))
    }

    /// An in-memory database with the schema (not the rows) of `source`, and its ledger rows:
    /// a scratch copy to rehearse a dry run on.
    pub fn schema_copy(source: Option<&mut (dyn Driver + 'static)>, ledger_table: &str) -> Result<Self> {
        let mut copy = SqliteDriver::open(None, true)?.expect("memory databases always open");
        let fail = |e: DbError| Error::Database(format!("cannot copy the schema for a dry run: {e}"));
        // Without the rows, seed data would reference parents that are not there.
        copy.execute("PRAGMA foreign_keys = OFF").map_err(fail)?;
        let Some(source) = source else { return Ok(copy) };
        let objects = source
            .query("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid", &[])
            .map_err(fail)?;
        for row in objects {
            let sql = row.into_iter().next().map(Value::into_string).unwrap_or_default();
            copy.execute(&sql).map_err(fail)?;
        }
        let copy_rows = |table: &str, copy: &mut SqliteDriver, source: &mut dyn Driver| -> Result<()> {
            if !source.table_exists(table).map_err(fail)? {
                return Ok(());
            }
            let quoted = Dialect::Sqlite.quote_ident(table);
            for row in source.query(&format!("SELECT * FROM {quoted}"), &[]).map_err(fail)? {
                let marks: Vec<String> = (1..=row.len()).map(|i| format!("${i}")).collect();
                copy.execute_with(&format!("INSERT INTO {quoted} VALUES ({})", marks.join(", ")), &row).map_err(fail)?;
            }
            Ok(())
        };
        copy_rows(ledger_table, &mut copy, source)?;
        copy_rows(&format!("{ledger_table}_schema"), &mut copy, source)?;
        Ok(copy)
    }

    /// The connection, for callers that want it back.
    pub fn into_inner(self) -> Connection {
        self.conn
    }

    /// The connection.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

fn db_error(e: rusqlite::Error) -> DbError {
    let busy = matches!(e.sqlite_error_code(), Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked));
    DbError { message: e.to_string(), busy }
}

/// `$1` → `?1`: SQLite's numbered parameters.
fn numbered(sql: &str) -> String {
    sql.replace('$', "?")
}

fn to_sql(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Int(i) => rusqlite::types::Value::Integer(*i),
        Value::Text(t) => rusqlite::types::Value::Text(t.clone()),
    }
}

impl Driver for SqliteDriver {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.conn.execute_batch(sql).map_err(db_error)
    }

    fn execute_with(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let mut stmt = self.conn.prepare_cached(&numbered(sql)).map_err(db_error)?;
        stmt.execute(params_from_iter(params.iter().map(to_sql))).map(|n| n as u64).map_err(db_error)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, DbError> {
        let mut stmt = self.conn.prepare_cached(&numbered(sql)).map_err(db_error)?;
        let width = stmt.column_count();
        let mut rows = stmt.query(params_from_iter(params.iter().map(to_sql))).map_err(db_error)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db_error)? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(match row.get_ref(i).map_err(db_error)? {
                    rusqlite::types::ValueRef::Null => Value::Null,
                    rusqlite::types::ValueRef::Integer(i) => Value::Int(i),
                    rusqlite::types::ValueRef::Real(f) => Value::Text(f.to_string()),
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                        Value::Text(String::from_utf8_lossy(t).into_owned())
                    }
                });
            }
            out.push(values);
        }
        Ok(out)
    }

    fn table_exists(&mut self, table: &str) -> Result<bool, DbError> {
        let rows = self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1", &[Value::Text(table.into())])?;
        Ok(!rows.is_empty())
    }

    /// SQLite has no advisory locks. Exclusive locking mode keeps the file lock from the first
    /// write until `unlock`, across the many transactions of a run, so a second sqlmig (or any
    /// other writer) waits for the whole run, not just for one migration. The operating
    /// system drops the lock if the process dies.
    ///
    /// Waiting happens in normal locking mode, polling with `BEGIN EXCLUSIVE`: a waiter in
    /// exclusive mode would keep the shared lock its failed attempt took, and several such
    /// waiters would block each other after the holder is gone.
    fn lock(&mut self, _key: &str, timeout: Option<Duration>, waiting: &mut dyn FnMut()) -> Result<()> {
        let fail = |e: DbError| Error::Database(format!("cannot lock the database: {e}"));
        let _ = self.conn.busy_timeout(Duration::ZERO);
        let started = std::time::Instant::now();
        let mut pause = Duration::from_millis(5);
        let mut told = false;
        let result = loop {
            match self.execute("BEGIN EXCLUSIVE") {
                Ok(()) => {
                    // Entering exclusive mode inside the transaction keeps the lock after it.
                    break self.execute("PRAGMA locking_mode = EXCLUSIVE; COMMIT").map_err(fail);
                }
                Err(e) if e.busy => {
                    if !told {
                        waiting();
                        told = true;
                    }
                    if timeout.is_some_and(|t| started.elapsed() >= t) {
                        break Err(Error::LockTimeout { seconds: timeout.map_or(0.0, |t| t.as_secs_f64()) });
                    }
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(100));
                }
                Err(e) => break Err(fail(e)),
            }
        };
        let _ = self.conn.busy_timeout(self.busy_timeout);
        self.locked = result.is_ok();
        result
    }

    fn unlock(&mut self, _key: &str) -> Result<(), DbError> {
        if std::mem::take(&mut self.locked) {
            // The mode change takes effect at the next access, which then drops the lock.
            self.execute("PRAGMA locking_mode = NORMAL; SELECT 1 FROM sqlite_master LIMIT 1")?;
        }
        Ok(())
    }
}
