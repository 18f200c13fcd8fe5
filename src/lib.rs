//! sqlmig applies plain SQL migration files to SQLite, PostgreSQL and MySQL/MariaDB, and
//! records each one in a checksummed ledger so edits to applied migrations are caught.
//!
//! The pipeline, one module per stage:
//! `discover` (folder → files) → `format` (file → sections) → `split` (section →
//! statements) → `sql` (statement → AST) → `migration` (sections → checksums and scripts)
//! → `plan` (scripts + ledger → what to run) → `exec` (plan → database, ledger kept true).
//! Only `driver` talks to databases; nothing outside the CLI prints or exits.
//!
//! # Example
//!
//! Apply a project's migrations to an application's own SQLite connection:
//!
//! ```
//! use sqlmig::{Dialect, Migrator, Project, ApplyRequest};
//! use sqlmig::driver::SqliteDriver;
//!
//! let project = Project::from_files([
//!     ("0001_users.sql", "-- +up\nCREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n-- +down\nDROP TABLE users;\n"),
//!     ("0002_seed.sql", "-- +up\nINSERT INTO users (email) VALUES ('ada@example.com');\n-- +down\nDELETE FROM users;\n"),
//! ], Dialect::Postgres)?;
//!
//! let mut driver = SqliteDriver::new(rusqlite::Connection::open_in_memory()?);
//! let mut migrator = Migrator::new(&project, &mut driver)?;
//!
//! let pending = migrator.plan_apply(&ApplyRequest::default())?;
//! assert_eq!(pending.units.len(), 2);
//!
//! let report = migrator.apply(&ApplyRequest::default(), &mut |ran| println!("applied {}", ran.label))?;
//! assert!(report.failure.is_none());
//! assert_eq!(report.ran.len(), 2);
//!
//! // A second run finds nothing to do.
//! assert!(migrator.apply(&ApplyRequest::default(), &mut |_| {})?.ran.is_empty());
//! drop(migrator);
//!
//! let conn = driver.into_inner();
//! let n: i64 = conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
//! assert_eq!(n, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod catalog;
pub mod checksum;
pub mod diagnostic;
pub mod dialect;
pub mod discover;
pub mod driver;
pub mod embedded;
pub mod error;
pub mod exec;
pub mod files;
pub mod format;
pub mod import;
pub mod introspect;
pub mod ledger;
pub mod lint;
pub mod migration;
pub mod migrator;
pub mod plan;
pub mod rebuild;
pub mod schema;
pub mod source;
pub mod split;
pub mod sql;
pub mod sumfile;
pub mod translate;

#[cfg(feature = "cli")]
pub mod cli;

pub use dialect::Dialect;
pub use error::{Error, Result};
pub use migrator::{Migrator, Project, RepairChange, Resolution};
pub use plan::{ApplyRequest, RollbackRequest};
