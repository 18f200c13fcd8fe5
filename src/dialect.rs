//! The three SQL dialects sqlmig reads and writes, and what each database can do.
//!
//! Every "does this database support X" question is answered here, so the rest of the
//! code asks a capability (`transactional_ddl`) instead of comparing dialects.

use std::fmt;
use std::str::FromStr;

/// A SQL dialect: the language a migration is written in, or the database it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// SQLite 3, through the bundled library.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    Mysql,
}

impl Dialect {
    /// Every dialect, in a stable order.
    pub const ALL: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql];

    /// The lowercase name used in files (`-- +dialect postgres`), flags and output.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
        }
    }

    /// The sqlparser dialect that reads this language.
    pub fn parser_dialect(self) -> Box<dyn sqlparser::dialect::Dialect> {
        match self {
            Dialect::Sqlite => Box::new(sqlparser::dialect::SQLiteDialect {}),
            Dialect::Postgres => Box::new(sqlparser::dialect::PostgreSqlDialect {}),
            Dialect::Mysql => Box::new(sqlparser::dialect::MySqlDialect {}),
        }
    }

    /// Whether DDL takes part in transactions. MySQL commits implicitly before and after
    /// most DDL, so a failed migration there can be left half done.
    pub fn transactional_ddl(self) -> bool {
        !matches!(self, Dialect::Mysql)
    }

    /// Why a statement cannot run inside a transaction on this database, if it cannot.
    /// `canonical` is the statement's comment-free, whitespace-folded text
    /// ([`crate::split::canonical_text`]). Knowing this up front turns a deploy that would
    /// fail half way into an error before anything runs.
    pub fn outside_transaction_only(self, canonical: &str) -> Option<&'static str> {
        let upper = canonical.to_ascii_uppercase();
        let words: Vec<&str> =
            upper.split(|c: char| c.is_whitespace() || c == '(' || c == ';').filter(|w| !w.is_empty()).take(6).collect();
        let starts = |prefix: &[&str]| words.len() >= prefix.len() && words.iter().zip(prefix).all(|(w, p)| w == p);
        match self {
            Dialect::Postgres => {
                if (starts(&["CREATE", "INDEX"])
                    || starts(&["CREATE", "UNIQUE", "INDEX"])
                    || starts(&["DROP", "INDEX"])
                    || starts(&["REINDEX"]))
                    && words.contains(&"CONCURRENTLY")
                {
                    Some("`CONCURRENTLY` index operations cannot run inside a transaction")
                } else if starts(&["VACUUM"]) {
                    Some("`VACUUM` cannot run inside a transaction")
                } else if starts(&["CREATE", "DATABASE"]) || starts(&["DROP", "DATABASE"]) {
                    Some("`CREATE DATABASE` and `DROP DATABASE` cannot run inside a transaction")
                } else if starts(&["ALTER", "SYSTEM"]) {
                    Some("`ALTER SYSTEM` cannot run inside a transaction")
                } else if starts(&["CREATE", "TABLESPACE"]) || starts(&["DROP", "TABLESPACE"]) {
                    Some("tablespace commands cannot run inside a transaction")
                } else {
                    None
                }
            }
            Dialect::Sqlite => {
                if starts(&["VACUUM"]) {
                    Some("`VACUUM` cannot run inside a transaction")
                } else if words.first().is_some_and(|w| w.starts_with("PRAGMA")) && upper.contains("JOURNAL_MODE") {
                    Some("`PRAGMA journal_mode` cannot change inside a transaction")
                } else {
                    None
                }
            }
            Dialect::Mysql => None,
        }
    }

    /// The statement that opens a transaction.
    pub fn begin_sql(self) -> &'static str {
        match self {
            Dialect::Mysql => "START TRANSACTION",
            // IMMEDIATE takes SQLite's write lock up front, so a migration never fails half
            // way with SQLITE_BUSY when another connection wrote in between.
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        }
    }

    /// Quote an identifier for this dialect, doubling any embedded quote character.
    pub fn quote_ident(self, ident: &str) -> String {
        let q = match self {
            Dialect::Mysql => '`',
            Dialect::Sqlite | Dialect::Postgres => '"',
        };
        let mut out = String::with_capacity(ident.len() + 2);
        out.push(q);
        for c in ident.chars() {
            if c == q {
                out.push(q);
            }
            out.push(c);
        }
        out.push(q);
        out
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for a dialect name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownDialect(pub String);

impl fmt::Display for UnknownDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown dialect `{}` (expected one of: sqlite, postgres, mysql)", self.0)
    }
}

impl std::error::Error for UnknownDialect {}

impl FromStr for Dialect {
    type Err = UnknownDialect;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "sqlite" | "sqlite3" => Ok(Dialect::Sqlite),
            "postgres" | "postgresql" | "pg" => Ok(Dialect::Postgres),
            "mysql" | "mariadb" => Ok(Dialect::Mysql),
            _ => Err(UnknownDialect(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn names_round_trip_and_aliases_parse() {
        for d in Dialect::ALL {
            assert_eq!(d.name().parse::<Dialect>(), Ok(d));
        }
        assert_eq!("MariaDB".parse::<Dialect>(), Ok(Dialect::Mysql));
        assert_eq!("postgresql".parse::<Dialect>(), Ok(Dialect::Postgres));
        assert!("oracle".parse::<Dialect>().is_err());
    }

    #[test]
    fn statements_that_refuse_transactions() {
        let pg = Dialect::Postgres;
        assert!(pg.outside_transaction_only("CREATE INDEX CONCURRENTLY i ON t (a)").is_some());
        assert!(pg.outside_transaction_only("create unique index concurrently if not exists i on t(a)").is_some());
        assert!(pg.outside_transaction_only("DROP INDEX CONCURRENTLY i").is_some());
        assert!(pg.outside_transaction_only("VACUUM ANALYZE t").is_some());
        assert!(pg.outside_transaction_only("CREATE INDEX i ON t (a)").is_none());
        assert!(pg.outside_transaction_only("INSERT INTO t VALUES ('VACUUM')").is_none());
        assert!(Dialect::Sqlite.outside_transaction_only("PRAGMA journal_mode = WAL").is_some());
        assert!(Dialect::Sqlite.outside_transaction_only("PRAGMA foreign_keys = ON").is_none());
    }

    #[test]
    fn quoting_doubles_embedded_quotes() {
        assert_eq!(Dialect::Postgres.quote_ident(r#"a"b"#), r#""a""b""#);
        assert_eq!(Dialect::Mysql.quote_ident("a`b"), "`a``b`");
    }
}
