//! The PostgreSQL driver, over the synchronous `postgres` crate.

use std::time::{Duration, Instant};

use postgres::config::SslMode;
use postgres::error::SqlState;
use postgres::types::{ToSql, Type};
use postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::{mask, ConnectOptions, DbError, Driver, Value};
use crate::dialect::Dialect;
use crate::error::{Error, Result};

/// A PostgreSQL database.
pub struct PostgresDriver {
    client: Client,
    schema: Option<String>,
    /// sqlmig's own parameterised statements (ledger writes and reads), prepared once per
    /// connection: preparing each time costs a round trip per ledger write.
    prepared: std::collections::HashMap<String, postgres::Statement>,
}

/// libpq's `sslmode` (default `prefer`) and `sslrootcert`, taken out of the URL: the crate
/// knows only `disable`, `prefer` and `require`, and nothing of certificates. `None` is no TLS.
type TlsSettings = Option<(SslMode, super::tls::Verify, super::tls::Roots)>;

fn tls_settings(url: &url::Url) -> std::result::Result<(url::Url, TlsSettings), String> {
    use super::tls::{Roots, Verify};
    let mut mode = None;
    let mut roots = Roots::default();
    let mut kept = Vec::new();
    for (k, v) in url.query_pairs() {
        match &*k {
            "sslmode" => mode = Some(v.into_owned()),
            "sslrootcert" if v != "system" => roots = Roots(Some(v.into_owned().into())),
            "sslrootcert" => {}
            _ => kept.push((k.into_owned(), v.into_owned())),
        }
    }
    let mut rest = url.clone();
    rest.set_query(None);
    if !kept.is_empty() {
        rest.query_pairs_mut().extend_pairs(kept);
    }
    // As libpq: `require` with a root certificate given checks the chain.
    let checked = if roots.0.is_some() { Verify::Chain } else { Verify::Nothing };
    let settings = match mode.as_deref().unwrap_or("prefer") {
        "disable" => None,
        "allow" | "prefer" => Some((SslMode::Prefer, checked, roots)),
        "require" => Some((SslMode::Require, checked, roots)),
        "verify-ca" => Some((SslMode::Require, Verify::Chain, roots)),
        "verify-full" => Some((SslMode::Require, Verify::Full, roots)),
        other => {
            return Err(format!("unknown sslmode `{other}`: expected disable, allow, prefer, require, verify-ca or verify-full"))
        }
    };
    Ok((rest, settings))
}

/// An error and its causes, `: `-separated (the crate's TLS errors say only "error performing
/// TLS handshake"; the certificate problem is in the source).
fn error_chain(e: &postgres::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

/// Turn a postgres error into plain words, with the server's SQLSTATE where there is one.
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => {
            let mut s = format!("{} (SQLSTATE {})", db.message(), db.code().code());
            if let Some(detail) = db.detail() {
                s.push_str(&format!("; {detail}"));
            }
            if let Some(hint) = db.hint() {
                s.push_str(&format!("; hint: {hint}"));
            }
            s
        }
        None => e.to_string(),
    }
}

fn db_error(e: postgres::Error) -> DbError {
    DbError::new(describe(&e))
}

impl PostgresDriver {
    /// Connect, retrying for `options.wait` while the server does not answer.
    pub fn connect(url: &url::Url, options: &ConnectOptions) -> Result<Self> {
        let masked = mask(url.as_str());
        let (url, tls) = tls_settings(url).map_err(|reason| Error::Url { url: masked.clone(), reason })?;
        // The `postgres` crate reads `postgresql://` and `postgres://` URLs itself, including
        // `connect_timeout`, `application_name` and `options`.
        let mut config: Config =
            url.as_str().parse().map_err(|e: postgres::Error| Error::Url { url: masked.clone(), reason: e.to_string() })?;
        let tls = match tls {
            None => {
                config.ssl_mode(SslMode::Disable);
                None
            }
            Some((mode, verify, roots)) => {
                config.ssl_mode(mode);
                let client = super::tls::client_config(verify, &roots)
                    .map_err(|message| Error::Connect { url: masked.clone(), message })?;
                Some(MakeRustlsConnect::new(client))
            }
        };
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("sqlmig");
        }
        let user = config.get_user().unwrap_or("postgres").to_string();
        let dbname = config.get_dbname().unwrap_or_default().to_string();
        let host = url.host_str().unwrap_or("localhost").to_string();
        let port = url.port().unwrap_or(5432);
        let deadline = options.wait.map(|w| Instant::now() + w);
        let mut client = loop {
            let attempt = match &tls {
                Some(tls) => config.connect(tls.clone()),
                None => config.connect(NoTls),
            };
            match attempt {
                Ok(c) => break c,
                Err(e) => {
                    let chain = error_chain(&e);
                    // A certificate that fails the check fails again: no retry, and say why.
                    if chain.contains("TLS") {
                        return Err(Error::Connect { url: masked, message: format!("TLS with {host}:{port} failed: {chain}") });
                    }
                    let unreachable = e.as_db_error().is_none();
                    let retry = unreachable || e.code() == Some(&SqlState::CANNOT_CONNECT_NOW);
                    if retry && deadline.is_some_and(|d| Instant::now() < d) {
                        std::thread::sleep(Duration::from_millis(250));
                        continue;
                    }
                    let message = match e.code() {
                        Some(c) if *c == SqlState::INVALID_PASSWORD || *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
                            format!("authentication failed for user `{user}`")
                        }
                        Some(c) if *c == SqlState::INVALID_CATALOG_NAME => format!("database `{dbname}` does not exist"),
                        Some(_) => describe(&e),
                        None => format!("server not answering at {host}:{port} ({})", e.to_string().trim()),
                    };
                    return Err(Error::Connect { url: masked, message });
                }
            }
        };
        if let Some(schema) = &options.schema {
            crate::ledger::validate_identifier(schema, "schema")?;
            let quoted = Dialect::Postgres.quote_ident(schema);
            let sql = format!("CREATE SCHEMA IF NOT EXISTS {quoted}; SET search_path TO {quoted}");
            client.batch_execute(&sql).map_err(|e| Error::Connect { url: masked.clone(), message: describe(&e) })?;
        }
        Ok(PostgresDriver { client, schema: options.schema.clone(), prepared: std::collections::HashMap::new() })
    }

    /// The underlying client.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }
}

fn params(values: &[Value]) -> Vec<Box<dyn ToSql + Sync>> {
    values
        .iter()
        .map(|v| -> Box<dyn ToSql + Sync> {
            match v {
                Value::Null => Box::new(Option::<String>::None),
                Value::Int(i) => Box::new(*i),
                Value::Text(t) => Box::new(t.clone()),
            }
        })
        .collect()
}

fn column(row: &postgres::Row, i: usize) -> Value {
    let ty = row.columns()[i].type_();
    let v = if *ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i).ok().flatten().map(Value::Int)
    } else if *ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i).ok().flatten().map(|x| Value::Int(x.into()))
    } else if *ty == Type::INT2 {
        row.try_get::<_, Option<i16>>(i).ok().flatten().map(|x| Value::Int(x.into()))
    } else if *ty == Type::BOOL {
        row.try_get::<_, Option<bool>>(i).ok().flatten().map(|x| Value::Int(x.into()))
    } else {
        row.try_get::<_, Option<String>>(i).ok().flatten().map(Value::Text)
    };
    v.unwrap_or(Value::Null)
}

impl PostgresDriver {
    fn prepare(&mut self, sql: &str) -> Result<postgres::Statement, DbError> {
        if let Some(stmt) = self.prepared.get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.client.prepare(sql).map_err(db_error)?;
        self.prepared.insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }
}

impl Driver for PostgresDriver {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str) -> Result<(), DbError> {
        self.client.batch_execute(sql).map_err(db_error)
    }

    fn execute_with(&mut self, sql: &str, values: &[Value]) -> Result<u64, DbError> {
        let boxed = params(values);
        let refs: Vec<&(dyn ToSql + Sync)> = boxed.iter().map(|b| b.as_ref()).collect();
        let stmt = self.prepare(sql)?;
        self.client.execute(&stmt, &refs).map_err(db_error)
    }

    fn query(&mut self, sql: &str, values: &[Value]) -> Result<Vec<Vec<Value>>, DbError> {
        let boxed = params(values);
        let refs: Vec<&(dyn ToSql + Sync)> = boxed.iter().map(|b| b.as_ref()).collect();
        let stmt = self.prepare(sql)?;
        let rows = self.client.query(&stmt, &refs).map_err(db_error)?;
        Ok(rows.iter().map(|r| (0..r.len()).map(|i| column(r, i)).collect()).collect())
    }

    /// From `pg_catalog`: `information_schema.tables` checks privileges row by row and takes
    /// milliseconds in a schema of a thousand tables, on every command.
    fn table_exists(&mut self, table: &str) -> Result<bool, DbError> {
        let rows = self.query(
            "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
            &[Value::Text(table.into())],
        )?;
        Ok(!rows.is_empty())
    }

    /// A session-level advisory lock, polled with `pg_try_advisory_lock` outside any
    /// transaction: a waiter inside a transaction would block the holder's
    /// `CREATE INDEX CONCURRENTLY`, which waits for every open transaction.
    fn lock(&mut self, key: &str, timeout: Option<Duration>, waiting: &mut dyn FnMut()) -> Result<()> {
        let id = lock_id(self.schema.as_deref().unwrap_or("public"), key);
        let started = Instant::now();
        let mut told = false;
        loop {
            let got =
                self.client.query_one("SELECT pg_try_advisory_lock($1)", &[&id]).map_err(|e| Error::Database(describe(&e)))?;
            if got.get::<_, bool>(0) {
                return Ok(());
            }
            if !told {
                waiting();
                told = true;
            }
            if let Some(t) = timeout {
                if started.elapsed() >= t {
                    return Err(Error::LockTimeout { seconds: t.as_secs_f64() });
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn unlock(&mut self, key: &str) -> Result<(), DbError> {
        let id = lock_id(self.schema.as_deref().unwrap_or("public"), key);
        self.client.execute("SELECT pg_advisory_unlock($1)", &[&id]).map(drop).map_err(db_error)
    }

    /// A `bigint` advisory lock shows in `pg_locks` as its high and low 32 bits.
    fn lock_in_use(&mut self, key: &str) -> Result<bool> {
        let id = lock_id(self.schema.as_deref().unwrap_or("public"), key);
        let sql = "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 \
                   AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
                   AND classid::bigint = ($1::bigint >> 32) & 4294967295 AND objid::bigint = $1::bigint & 4294967295)";
        let row = self.client.query_one(sql, &[&id]).map_err(|e| Error::Database(describe(&e)))?;
        Ok(row.get::<_, bool>(0))
    }

    fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }
}

/// The advisory lock key: a stable hash of the ledger's schema and table, so two projects
/// with different ledgers in one database do not block each other.
pub(crate) fn lock_id(schema: &str, table: &str) -> i64 {
    let hash = blake3::hash(format!("sqlmig:{schema}.{table}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&hash.as_bytes()[..8]);
    i64::from_le_bytes(bytes)
}
