//! The command line, as clap types. Only this file knows flag names.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Plain-SQL migrations for SQLite, PostgreSQL and MySQL/MariaDB.
#[derive(Debug, Parser)]
#[command(name = "sqlmig", version, about, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: Global,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted before or after the command.
#[derive(Debug, Args)]
pub struct Global {
    /// Database URL: sqlite://FILE, sqlite::memory:, postgres://USER:PASS@HOST:PORT/DB,
    /// mysql://USER:PASS@HOST:PORT/DB, or a path ending in .db, .sqlite or .sqlite3
    /// [default: sqlite://sqlmig.db]
    #[arg(short = 'd', long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database: Option<String>,

    /// The migrations folder.
    #[arg(long, env = "SQLMIG_DIR", default_value = "migrations", global = true)]
    pub dir: PathBuf,

    /// The dialect migrations are written in, unless a file says otherwise with `-- +dialect`.
    #[arg(long, env = "SQLMIG_DIALECT", default_value = "postgres", global = true)]
    pub dialect: String,

    /// Output format.
    #[arg(long, value_enum, default_value = "text", global = true)]
    pub format: Format,

    /// Give up after waiting this many seconds for another sqlmig's lock.
    #[arg(long, value_name = "SECONDS", global = true)]
    pub lock_timeout: Option<f64>,

    /// Keep retrying the connection for up to this many seconds while the server does not answer.
    #[arg(long, value_name = "SECONDS", global = true)]
    pub wait: Option<f64>,

    /// PostgreSQL schema for the ledger and unqualified names (created if missing).
    #[arg(long, value_name = "NAME", global = true)]
    pub schema: Option<String>,

    /// The ledger table's name.
    #[arg(long, value_name = "NAME", default_value = "sqlmig_ledger", global = true)]
    pub ledger_table: String,

    /// Print only errors (and the output a command exists for, such as `new`'s path).
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// One JSON document on stdout (see spec/cli.md).
    Json,
    /// GitHub Actions annotations (`lint`; other commands print text).
    Github,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the migrations folder with a first example migration.
    Init,
    /// Create the next migration file with an up/down skeleton and print its path.
    New {
        /// What the migration does, e.g. `add_users_email`.
        name: String,
        /// Use a UTC timestamp version (YYYYMMDDHHMMSS).
        #[arg(long, conflicts_with = "sequential")]
        timestamp: bool,
        /// Use the next sequential version.
        #[arg(long)]
        sequential: bool,
    },
    /// Apply pending migrations in version order.
    Apply {
        /// Apply up to and including this version.
        #[arg(long, value_name = "VERSION")]
        to: Option<u64>,
        /// Apply at most this many migrations.
        #[arg(long, value_name = "N")]
        steps: Option<usize>,
        /// Print the SQL that would run and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Apply pending migrations older than the newest applied one.
        #[arg(long)]
        allow_out_of_order: bool,
        /// Apply all pending migrations in one transaction: all or nothing (SQLite, PostgreSQL).
        #[arg(long)]
        single_transaction: bool,
    },
    /// Roll back applied migrations, newest application first (default: one).
    Rollback {
        /// Roll back this many migrations.
        #[arg(long, value_name = "N", conflicts_with = "to")]
        steps: Option<usize>,
        /// Roll back every migration newer than this version.
        #[arg(long, value_name = "VERSION")]
        to: Option<u64>,
        /// Print the SQL that would run and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Roll back the newest migration and apply it again.
    Redo,
    /// Show every migration with its state.
    Status {
        /// Exit with 4 when migrations are pending (and 3 when applied ones were edited).
        #[arg(long)]
        exit_code: bool,
    },
    /// Check applied migrations against their files (exit 3 on edits or missing files).
    Verify {
        /// Fail on cosmetic edits (comments, whitespace) too.
        #[arg(long)]
        strict: bool,
        /// Check the folder against its sum file only, without a database.
        #[arg(long)]
        offline: bool,
    },
    /// Write the migrations folder's sum file, `sqlmig.sum`, for offline verification.
    Sum,
    /// Check migrations for destructive, locking and unportable statements (exit 1 on errors).
    Lint {
        /// Databases the migrations must translate to (default: the `--database` one).
        #[arg(long, value_name = "DIALECT", value_delimiter = ',')]
        target: Vec<String>,
    },
    /// Prove every down section: up, down, up again for each migration on a scratch database
    /// (a temporary SQLite file, or the empty database given with `--database`).
    Test,
    /// Print a migration file translated for another database (sections kept, notices on stderr).
    Translate {
        /// The migration file.
        file: std::path::PathBuf,
        /// The dialect it is written in (default: its `-- +dialect` line, else `--dialect`).
        #[arg(long, value_name = "DIALECT")]
        from: Option<String>,
        /// The database to translate for.
        #[arg(long, value_name = "DIALECT")]
        to: String,
    },
    /// Settle a migration left dirty by a failure: say what you did by hand.
    Resolve {
        /// The dirty migration's version.
        #[arg(value_name = "VERSION")]
        migration: u64,
        /// You finished its remaining statements: mark it applied.
        #[arg(long, conflicts_with = "rolled_back", required_unless_present = "rolled_back")]
        applied: bool,
        /// You undid the statements that ran: remove it from the ledger.
        #[arg(long)]
        rolled_back: bool,
    },
}
