//! The MySQL and MariaDB driver, over the `mysql` crate.

use std::time::{Duration, Instant};

use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder, SslOpts};

use super::{mask, question_marks, ConnectOptions, DbError, Driver, Value};
use crate::dialect::Dialect;
use crate::error::{Error, Result};

/// A MySQL or MariaDB database.
pub struct MysqlDriver {
    conn: Conn,
    database: String,
}

/// MySQL's `ssl-mode` (`DISABLED`, the default here, `REQUIRED`, `VERIFY_CA`,
/// `VERIFY_IDENTITY`; any case, `-` or `_`) and `ssl-ca` (a PEM file of trusted roots; else
/// the Mozilla roots), taken out of the URL. `PREFERRED` is refused: falling back to plain text
/// on request of whoever answers protects nothing, so ask for TLS or do not.
fn ssl_settings(url: &url::Url) -> std::result::Result<(url::Url, Option<SslOpts>), String> {
    let mut mode = None;
    let mut ca = None;
    let mut kept = Vec::new();
    for (k, v) in url.query_pairs() {
        match k.replace('_', "-").to_ascii_lowercase().as_str() {
            "ssl-mode" | "sslmode" => mode = Some(v.replace('-', "_").to_ascii_uppercase()),
            "ssl-ca" | "sslrootcert" => ca = Some(std::path::PathBuf::from(v.into_owned())),
            _ => kept.push((k.into_owned(), v.into_owned())),
        }
    }
    let mut rest = url.clone();
    rest.set_query(None);
    if !kept.is_empty() {
        rest.query_pairs_mut().extend_pairs(kept);
    }
    let ssl = SslOpts::default().with_root_cert_path(ca);
    let ssl = match mode.as_deref().unwrap_or("DISABLED") {
        "DISABLED" | "DISABLE" => None,
        "REQUIRED" | "REQUIRE" => Some(ssl.with_danger_accept_invalid_certs(true).with_danger_skip_domain_validation(true)),
        "VERIFY_CA" => Some(ssl.with_danger_skip_domain_validation(true)),
        "VERIFY_IDENTITY" | "VERIFY_FULL" => Some(ssl),
        other => {
            return Err(format!("unsupported ssl-mode `{other}`: expected DISABLED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY"))
        }
    };
    Ok((rest, ssl))
}

fn describe(e: &mysql::Error) -> String {
    match e {
        mysql::Error::MySqlError(m) => format!("{} (error {}, SQLSTATE {})", m.message, m.code, m.state),
        other => other.to_string(),
    }
}

fn db_error(e: mysql::Error) -> DbError {
    DbError::new(describe(&e))
}

impl MysqlDriver {
    /// Connect, retrying for `options.wait` while the server does not answer.
    pub fn connect(url: &url::Url, options: &ConnectOptions) -> Result<Self> {
        let masked = mask(url.as_str());
        let (url, ssl) = ssl_settings(url).map_err(|reason| Error::Url { url: masked.clone(), reason })?;
        // The crate only knows `mysql://`; `mariadb://` means the same server protocol.
        let text = match url.scheme() {
            "mysql" => url.as_str().to_string(),
            _ => format!("mysql{}", &url.as_str()[url.scheme().len()..]),
        };
        let opts = Opts::from_url(&text).map_err(|e| Error::Url { url: masked.clone(), reason: e.to_string() })?;
        let opts = Opts::from(OptsBuilder::from_opts(opts).ssl_opts(ssl));
        let user = opts.get_user().unwrap_or("root").to_string();
        let database = opts.get_db_name().unwrap_or_default().to_string();
        let host = opts.get_ip_or_hostname().to_string();
        let port = opts.get_tcp_port();
        let opts = OptsBuilder::from_opts(opts).tcp_connect_timeout(Some(Duration::from_secs(10)));
        let deadline = options.wait.map(|w| Instant::now() + w);
        let conn = loop {
            match Conn::new(opts.clone()) {
                Ok(c) => break c,
                Err(e) => {
                    if matches!(e, mysql::Error::DriverError(mysql::DriverError::TlsNotSupported)) {
                        let message = format!("{host}:{port} does not offer TLS, which `ssl-mode` asks for");
                        return Err(Error::Connect { url: masked, message });
                    }
                    if let mysql::Error::TlsError(tls) = &e {
                        return Err(Error::Connect { url: masked, message: format!("TLS with {host}:{port} failed: {tls}") });
                    }
                    let server_error = matches!(e, mysql::Error::MySqlError(_));
                    if !server_error && deadline.is_some_and(|d| Instant::now() < d) {
                        std::thread::sleep(Duration::from_millis(250));
                        continue;
                    }
                    let message = match &e {
                        // 1045: wrong password; 1698: no such user (or no password login for it).
                        mysql::Error::MySqlError(m) if m.code == 1045 || m.code == 1698 => {
                            format!("authentication failed for user `{user}`")
                        }
                        mysql::Error::MySqlError(m) if m.code == 1044 => {
                            format!("user `{user}` may not use database `{database}`")
                        }
                        mysql::Error::MySqlError(m) if m.code == 1049 => format!("database `{database}` does not exist"),
                        mysql::Error::MySqlError(_) => describe(&e),
                        other => format!("server not answering at {host}:{port} ({other})"),
                    };
                    return Err(Error::Connect { url: masked, message });
                }
            }
        };
        Ok(MysqlDriver { conn, database })
    }

    /// The underlying connection.
    pub fn conn(&mut self) -> &mut Conn {
        &mut self.conn
    }

    /// The name of the lock: per database and ledger table, at most 64 characters.
    fn lock_name(&self, key: &str) -> String {
        let name = format!("sqlmig:{}.{key}", self.database);
        if name.len() <= 64 {
            name
        } else {
            format!("sqlmig:{}", &blake3::hash(name.as_bytes()).to_hex()[..32])
        }
    }
}

fn params(values: &[Value]) -> mysql::Params {
    if values.is_empty() {
        return mysql::Params::Empty;
    }
    mysql::Params::Positional(
        values
            .iter()
            .map(|v| match v {
                Value::Null => mysql::Value::NULL,
                Value::Int(i) => mysql::Value::Int(*i),
                Value::Text(t) => mysql::Value::Bytes(t.clone().into_bytes()),
            })
            .collect(),
    )
}

fn value(v: mysql::Value) -> Value {
    match v {
        mysql::Value::NULL => Value::Null,
        mysql::Value::Int(i) => Value::Int(i),
        mysql::Value::UInt(u) => Value::Int(i64::try_from(u).unwrap_or(i64::MAX)),
        mysql::Value::Bytes(b) => Value::Text(String::from_utf8_lossy(&b).into_owned()),
        other => Value::Text(other.as_sql(true)),
    }
}

impl Driver for MysqlDriver {
    fn dialect(&self) -> Dialect {
        Dialect::Mysql
    }

    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.conn.query_drop(sql).map_err(db_error)
    }

    fn execute_with(&mut self, sql: &str, values: &[Value]) -> Result<u64, DbError> {
        self.conn.exec_drop(question_marks(sql), params(values)).map_err(db_error)?;
        Ok(self.conn.affected_rows())
    }

    fn query(&mut self, sql: &str, values: &[Value]) -> Result<Vec<Vec<Value>>, DbError> {
        let rows: Vec<mysql::Row> = self.conn.exec(question_marks(sql), params(values)).map_err(db_error)?;
        Ok(rows.into_iter().map(|r| r.unwrap().into_iter().map(value).collect()).collect())
    }

    fn table_exists(&mut self, table: &str) -> Result<bool, DbError> {
        let rows = self.query(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = $1",
            &[Value::Text(table.into())],
        )?;
        Ok(!rows.is_empty())
    }

    /// `GET_LOCK` is held by the session, not a transaction, and released when the
    /// connection dies. It is polled one second at a time so the timeout is ours.
    fn lock(&mut self, key: &str, timeout: Option<Duration>, waiting: &mut dyn FnMut()) -> Result<()> {
        let name = self.lock_name(key);
        let started = Instant::now();
        let mut wait_secs = 0;
        loop {
            let got: Option<Option<i64>> =
                self.conn.exec_first("SELECT GET_LOCK(?, ?)", (&name, wait_secs)).map_err(|e| Error::Database(describe(&e)))?;
            if got.flatten() == Some(1) {
                return Ok(());
            }
            if wait_secs == 0 {
                waiting();
                wait_secs = 1;
            }
            if let Some(t) = timeout {
                if started.elapsed() >= t {
                    return Err(Error::LockTimeout { seconds: t.as_secs_f64() });
                }
            }
        }
    }

    fn unlock(&mut self, key: &str) -> Result<(), DbError> {
        let name = self.lock_name(key);
        self.conn.exec_drop("SELECT RELEASE_LOCK(?)", (name,)).map_err(db_error)
    }

    fn lock_in_use(&mut self, key: &str) -> Result<bool> {
        let name = self.lock_name(key);
        let holder: Option<Option<u64>> =
            self.conn.exec_first("SELECT IS_USED_LOCK(?)", (&name,)).map_err(|e| Error::Database(describe(&e)))?;
        Ok(holder.flatten().is_some())
    }

    fn schema(&self) -> Option<&str> {
        None
    }
}
