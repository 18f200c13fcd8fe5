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
///
/// Settings that `sqlmig.toml` can also give (`dir`, `dialect`, `database`, `ledger_table`,
/// `lock_timeout`) are `Option`s without clap defaults: clap fills them from the flag or
/// else the environment variable, so `None` means neither was given and the configuration
/// file, then the built-in default, decides (see `config::resolve`).
#[derive(Debug, Args)]
pub struct Global {
    /// Database URL: sqlite://FILE, sqlite::memory:, postgres://USER:PASS@HOST:PORT/DB,
    /// mysql://USER:PASS@HOST:PORT/DB, or a path ending in .db, .sqlite or .sqlite3
    /// [default: sqlite://sqlmig.db]
    #[arg(short = 'd', long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database: Option<String>,

    /// The migrations folder [default: migrations]
    #[arg(long, env = "SQLMIG_DIR", global = true)]
    pub dir: Option<PathBuf>,

    /// The dialect migrations are written in, unless a file says otherwise with `-- +dialect`
    /// [default: postgres]
    #[arg(long, env = "SQLMIG_DIALECT", global = true)]
    pub dialect: Option<String>,

    /// The configuration file [default: sqlmig.toml in the working directory, if there is one]
    #[arg(long, value_name = "FILE", env = "SQLMIG_CONFIG", global = true)]
    pub config: Option<PathBuf>,

    /// Use the settings of `[env.NAME]` in the configuration file.
    #[arg(long = "env", value_name = "NAME", env = "SQLMIG_ENV", global = true)]
    pub environment: Option<String>,

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

    /// The ledger table's name [default: sqlmig_ledger]
    #[arg(long, value_name = "NAME", global = true)]
    pub ledger_table: Option<String>,

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
    /// Adopt an existing database: record every migration up to VERSION as applied
    /// (`baseline`) without running it.
    Baseline {
        /// The newest migration the database already has.
        #[arg(value_name = "VERSION")]
        upto: u64,
    },
    /// Convert another tool's migrations folder into sqlmig migrations and, when a database
    /// is given, record the migrations that tool applied there (`imported`, not run).
    Import {
        /// The tool that wrote the folder.
        #[arg(long, value_name = "TOOL", value_parser = clap::builder::PossibleValuesParser::new(crate::import::Tool::NAMES))]
        from: String,
        /// The tool's migrations folder.
        #[arg(value_name = "DIR")]
        source: PathBuf,
        /// Convert the files only; do not read the tool's history table even when a database is configured.
        #[arg(long)]
        files_only: bool,
        /// Show what would be written and recorded, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Accept the current checksums of deliberately edited applied migrations, and remove
    /// ledger rows of migrations whose files are gone (asks for each unless --yes).
    Repair {
        /// Make every change without asking (required when stdin is not a terminal).
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Print a shell completion script (e.g. `sqlmig completions bash > /etc/bash_completion.d/sqlmig`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `sqlmig man > sqlmig.1`.
    Man,
    /// The declarative schema: write out the schema the migrations produce.
    Schema {
        /// What to do.
        #[command(subcommand)]
        action: SchemaCommand,
    },
    /// Write the next migration: the difference between the schema the migrations produce and
    /// a schema file, with a down section that reverses it.
    Diff {
        /// What the migration does, e.g. `add_invoices`.
        name: String,
        /// The desired schema: plain CREATE statements in the source dialect.
        #[arg(long, value_name = "FILE", default_value = "schema.sql")]
        schema_file: PathBuf,
        /// A table (OLD:NEW) or column (TABLE.OLD:NEW) renamed rather than dropped and added.
        #[arg(long, value_name = "OLD:NEW")]
        rename: Vec<String>,
        /// Mark drops and type changes with `-- sqlmig:allow` so `lint` passes them.
        #[arg(long)]
        allow_destructive: bool,
        /// Use a UTC timestamp version (YYYYMMDDHHMMSS).
        #[arg(long, conflicts_with = "sequential")]
        timestamp: bool,
        /// Use the next sequential version.
        #[arg(long)]
        sequential: bool,
    },
    /// Compare the live database with the schema its applied migrations produce (exit 3 on
    /// any difference).
    Drift,
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

/// `sqlmig schema` subcommands.
#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Print (or write) the schema the migrations produce as canonical SQL in the source dialect.
    Dump {
        /// Write it to this file instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Dump the live database's schema (`--database`) instead of the migrations'.
        #[arg(long)]
        live: bool,
    },
}
