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
}

impl SqliteDriver {
    /// Use an open connection (the library entry point: apply migrations to an application's
    /// own connection).
    pub fn new(conn: Connection) -> Self {
        SqliteDriver { conn, locked: false }
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
        let _ = conn.busy_timeout(Duration::from_secs(60));
        Ok(Some(SqliteDriver::new(conn)))
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
    fn lock(&mut self, _key: &str, timeout: Option<Duration>, waiting: &mut dyn FnMut()) -> Result<()> {
        let fail = |e: DbError| Error::Database(format!("cannot lock the database: {e}"));
        self.execute("PRAGMA locking_mode = EXCLUSIVE").map_err(fail)?;
        let _ = self.conn.busy_timeout(Duration::ZERO);
        let mut result = self.execute("BEGIN EXCLUSIVE; COMMIT");
        if matches!(&result, Err(e) if e.busy) {
            waiting();
            // SQLite's busy handler retries with back-off for up to this long.
            let _ = self.conn.busy_timeout(timeout.unwrap_or(Duration::from_secs(365 * 24 * 3600)));
            result = self.execute("BEGIN EXCLUSIVE; COMMIT");
        }
        let _ = self.conn.busy_timeout(Duration::from_secs(60));
        match result {
            Ok(()) => {
                self.locked = true;
                Ok(())
            }
            Err(e) if e.busy => Err(Error::LockTimeout { seconds: timeout.map_or(0.0, |t| t.as_secs_f64()) }),
            Err(e) => Err(fail(e)),
        }
    }

    fn unlock(&mut self, _key: &str) -> Result<(), DbError> {
        if std::mem::take(&mut self.locked) {
            // The mode change takes effect at the next access, which then drops the lock.
            self.execute("PRAGMA locking_mode = NORMAL; SELECT 1 FROM sqlite_master LIMIT 1")?;
        }
        Ok(())
    }
}
