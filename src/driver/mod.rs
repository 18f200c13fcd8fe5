//! Database access: URLs, connections and the small [`Driver`] trait every backend implements.
//!
//! A driver runs SQL text and reads rows; it makes no decisions. What to run, in what
//! order and inside which transaction is decided by [`crate::plan`] and [`crate::exec`],
//! so all three databases behave the same wherever they can.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::dialect::Dialect;
use crate::error::{Error, Result};

pub mod mysql;
pub mod postgres;
pub mod sqlite;
pub mod tls;

pub use self::sqlite::SqliteDriver;

/// A value bound to a parameter or read from a row. The ledger needs no other types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A 64-bit integer.
    Int(i64),
    /// Text.
    Text(String),
}

impl Value {
    /// The integer, or 0 for anything else (the ledger's integer columns are NOT NULL).
    pub fn as_i64(&self) -> i64 {
        match self {
            Value::Int(i) => *i,
            Value::Text(t) => t.trim().parse().unwrap_or(0),
            Value::Null => 0,
        }
    }

    /// The text, or an empty string for NULL.
    pub fn into_string(self) -> String {
        match self {
            Value::Text(t) => t,
            Value::Int(i) => i.to_string(),
            Value::Null => String::new(),
        }
    }

    /// The value as a SQL literal, for showing a statement in a dry run.
    pub fn to_literal(&self) -> String {
        match self {
            Value::Null => "NULL".into(),
            Value::Int(i) => i.to_string(),
            Value::Text(t) => format!("'{}'", t.replace('\'', "''")),
        }
    }
}

/// An error reported by the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbError {
    /// The database's message, with its error code where it has one.
    pub message: String,
    /// Whether the error means "another connection holds the lock" (SQLite's busy).
    pub busy: bool,
}

impl DbError {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        DbError { message: message.into(), busy: false }
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DbError {}

impl From<DbError> for Error {
    fn from(e: DbError) -> Self {
        Error::Database(e.message)
    }
}

/// A connection to one database.
pub trait Driver {
    /// The database's dialect.
    fn dialect(&self) -> Dialect;

    /// Run one statement (or a script of statements) that takes no parameters.
    fn execute(&mut self, sql: &str) -> Result<(), DbError>;

    /// Run one statement with bound parameters, written with `$1`, `$2`, ... placeholders
    /// whatever the dialect; returns the number of rows affected.
    fn execute_with(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError>;

    /// Run a query with `$n` placeholders and return every row.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, DbError>;

    /// Whether a table exists in the schema sqlmig works in.
    fn table_exists(&mut self, table: &str) -> Result<bool, DbError>;

    /// Take the database-wide migration lock named `key`, waiting at most `timeout`
    /// (forever when `None`). `waiting` is called once if the lock is not free at once.
    /// Waiting must not hold a transaction open.
    fn lock(&mut self, key: &str, timeout: Option<Duration>, waiting: &mut dyn FnMut()) -> Result<()>;

    /// Release the lock taken by [`Driver::lock`].
    fn unlock(&mut self, key: &str) -> Result<(), DbError>;

    /// Whether another session holds the lock named `key` now (without waiting for it).
    /// Only databases whose runs leave `running` rows while they work need to answer.
    fn lock_in_use(&mut self, _key: &str) -> Result<bool> {
        Ok(false)
    }

    /// The schema (PostgreSQL) or database (MySQL) sqlmig works in, if the dialect has one.
    fn schema(&self) -> Option<&str> {
        None
    }
}

/// Rewrite `$1`-style placeholders into `?` (SQLite takes `?N`, MySQL only `?`). Only used on
/// sqlmig's own ledger statements, which never contain `$` anywhere else.
pub(crate) fn question_marks(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
            while chars.peek().is_some_and(char::is_ascii_digit) {
                chars.next();
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A parsed database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file, or memory when `path` is `None`.
    Sqlite {
        /// The file.
        path: Option<PathBuf>,
    },
    /// A PostgreSQL server.
    Postgres(url::Url),
    /// A MySQL or MariaDB server.
    Mysql(url::Url),
}

/// The database used when none is given.
pub const DEFAULT_URL: &str = "sqlite://sqlmig.db";

impl DatabaseUrl {
    /// Parse a URL: `sqlite:///abs.db`, `sqlite://rel.db`, `sqlite::memory:`, a bare path
    /// ending in `.db`, `.sqlite` or `.sqlite3`, `postgres://` / `postgresql://`, or
    /// `mysql://` / `mariadb://`.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |reason: &str| Error::Url { url: mask(text), reason: reason.to_string() };
        let lower = text.to_ascii_lowercase();
        if lower == "sqlite::memory:" || lower == "sqlite://:memory:" || lower == ":memory:" {
            return Ok(DatabaseUrl::Sqlite { path: None });
        }
        if let Some(rest) = text.strip_prefix("sqlite://").or_else(|| text.strip_prefix("sqlite:")) {
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(bad("no file path after `sqlite://`"));
            }
            return Ok(DatabaseUrl::Sqlite { path: Some(PathBuf::from(path)) });
        }
        if let Some((scheme, _)) = text.split_once("://") {
            let dialect = match scheme.to_ascii_lowercase().as_str() {
                "postgres" | "postgresql" => Dialect::Postgres,
                "mysql" | "mariadb" => Dialect::Mysql,
                _ => return Err(bad(&format!("unsupported scheme `{scheme}` (use sqlite://, postgres:// or mysql://)"))),
            };
            let url = url::Url::parse(text).map_err(|e| bad(&e.to_string()))?;
            if url.host_str().is_none_or(str::is_empty) {
                return Err(bad("no host"));
            }
            if url.path().trim_start_matches('/').is_empty() {
                return Err(bad("no database name (add `/DBNAME` after the host)"));
            }
            return Ok(if dialect == Dialect::Postgres { DatabaseUrl::Postgres(url) } else { DatabaseUrl::Mysql(url) });
        }
        if [".db", ".sqlite", ".sqlite3"].iter().any(|ext| lower.ends_with(ext)) {
            return Ok(DatabaseUrl::Sqlite { path: Some(PathBuf::from(text)) });
        }
        Err(bad("not a database URL (expected sqlite://FILE, postgres://..., mysql://... or a path ending in .db, .sqlite or .sqlite3)"))
    }

    /// The dialect of the database.
    pub fn dialect(&self) -> Dialect {
        match self {
            DatabaseUrl::Sqlite { .. } => Dialect::Sqlite,
            DatabaseUrl::Postgres(_) => Dialect::Postgres,
            DatabaseUrl::Mysql(_) => Dialect::Mysql,
        }
    }

    /// The URL for display, with any password replaced by `***`.
    pub fn masked(&self) -> String {
        match self {
            DatabaseUrl::Sqlite { path: None } => "sqlite::memory:".into(),
            DatabaseUrl::Sqlite { path: Some(p) } => format!("sqlite://{}", p.display()),
            DatabaseUrl::Postgres(u) | DatabaseUrl::Mysql(u) => mask(u.as_str()),
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Replace the password of a URL-like string with `***`, also when the URL does not parse.
///
/// The user name runs from `://` to the first `:`, and the password from there to the last
/// `@`. A well-formed URL percent-encodes `/`, `?`, `#` and `@` in a password, but people
/// paste passwords as they are (`postgres://app:pa/ss@db/app`), and taking the authority to
/// end at the first `/` then showed the rest of the password. When the query holds an `@`
/// too, a little more than the password is hidden: showing less of a strange URL beats
/// showing a secret.
pub fn mask(text: &str) -> String {
    let Some(scheme_end) = text.find("://") else {
        return text.to_string();
    };
    let rest = &text[scheme_end + 3..];
    let Some(colon) = rest.find(':') else {
        return text.to_string();
    };
    let user = &rest[..colon];
    if user.contains(['/', '?', '#', '@']) {
        return text.to_string(); // `host:port/...` or `user@host:port`: no password
    }
    match rest.rfind('@') {
        Some(at) if at > colon => format!("{}{user}:***{}", &text[..scheme_end + 3], &rest[at..]),
        _ => text.to_string(),
    }
}

/// How to connect.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// Keep retrying an unreachable server for this long.
    pub wait: Option<Duration>,
    /// PostgreSQL schema to work in (ledger and unqualified names).
    pub schema: Option<String>,
    /// Whether a missing SQLite file may be created. When `false` and the file does not
    /// exist, [`open`] returns `None`: there is nothing applied, and nothing is written.
    pub create: bool,
    /// How long SQLite waits for another process's lock on the file before a read gives up
    /// (`--lock-timeout`; 60 s when `None`). Servers' locks are waited for by [`Driver::lock`].
    pub lock_timeout: Option<Duration>,
}

/// Connect to the database at `url`.
pub fn open(url: &DatabaseUrl, options: &ConnectOptions) -> Result<Option<Box<dyn Driver>>> {
    match url {
        DatabaseUrl::Sqlite { path } => {
            let driver = SqliteDriver::open(path.as_deref(), options.create)?.map(|mut d| {
                if let Some(t) = options.lock_timeout {
                    d.set_busy_timeout(t);
                }
                d
            });
            Ok(driver.map(|d| Box::new(d) as Box<dyn Driver>))
        }
        DatabaseUrl::Postgres(u) => Ok(Some(Box::new(postgres::PostgresDriver::connect(u, options)?))),
        DatabaseUrl::Mysql(u) => Ok(Some(Box::new(mysql::MysqlDriver::connect(u, options)?))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn sqlite_urls() {
        let p = |s: &str| DatabaseUrl::parse(s).unwrap();
        assert_eq!(p("sqlite:///abs/x.db"), DatabaseUrl::Sqlite { path: Some("/abs/x.db".into()) });
        assert_eq!(p("sqlite://rel/x.db"), DatabaseUrl::Sqlite { path: Some("rel/x.db".into()) });
        assert_eq!(p("sqlite::memory:"), DatabaseUrl::Sqlite { path: None });
        assert_eq!(p("data/app.sqlite3"), DatabaseUrl::Sqlite { path: Some("data/app.sqlite3".into()) });
        assert!(DatabaseUrl::parse("app.txt").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn server_urls_are_validated_and_masked() {
        let u = DatabaseUrl::parse("postgres://bob:s3cret@db.example:5432/app").unwrap();
        assert_eq!(u.dialect(), Dialect::Postgres);
        assert_eq!(u.masked(), "postgres://bob:***@db.example:5432/app");
        assert_eq!(DatabaseUrl::parse("mariadb://root@h/db").unwrap().dialect(), Dialect::Mysql);
        let e = DatabaseUrl::parse("mysql://u:hunter2@h").unwrap_err().to_string();
        assert!(e.contains("no database name") && !e.contains("hunter2"), "{e}");
        let e = DatabaseUrl::parse("oracle://u:hunter2@h/x").unwrap_err().to_string();
        assert!(e.contains("unsupported scheme") && !e.contains("hunter2"), "{e}");
    }

    #[test]
    fn masking_without_parsing() {
        assert_eq!(mask("postgres://a:b@c/d?x=1"), "postgres://a:***@c/d?x=1");
        assert_eq!(mask("postgres://a@c/d"), "postgres://a@c/d");
        assert_eq!(mask("postgres://a:p@ss@c/d"), "postgres://a:***@c/d");
        assert_eq!(mask("x.db"), "x.db");
        assert_eq!(mask("postgres://h:5432/d"), "postgres://h:5432/d");
        assert_eq!(mask("postgres://u@h:5432/d?x=a:b@c"), "postgres://u@h:5432/d?x=a:b@c");
    }

    /// Regression: a password holding `/`, `?`, `#` or `@` unencoded was shown in full or in
    /// part, in errors about the URL and in every message naming the database.
    #[test]
    fn masking_passwords_with_delimiters() {
        for password in ["Zq/ss", "12/Zq", "Zq?ss", "Zq#ss", "Zq@ss/w@rd", "a:b/c?Zq#e@f", "Zq/", "@Zq"] {
            for url in [format!("postgres://bob:{password}@db.example:5432/app"), format!("mysql://bob:{password}@h/db?x=1")] {
                let masked = mask(&url);
                assert!(!masked.contains("Zq") && masked.contains("bob:***@"), "{url} -> {masked}");
                if let Ok(parsed) = DatabaseUrl::parse(&url) {
                    assert!(!parsed.masked().contains("Zq"), "{url} -> {}", parsed.masked());
                }
                if let Err(e) = DatabaseUrl::parse(&url) {
                    assert!(!e.to_string().contains("Zq"), "{url} -> {e}");
                }
            }
        }
        assert_eq!(mask("postgres://bob:pa/ss@h:5432/app"), "postgres://bob:***@h:5432/app");
    }

    #[test]
    fn placeholders() {
        assert_eq!(question_marks("a = $1 AND b = $12"), "a = ? AND b = ?");
    }
}
