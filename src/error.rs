//! The one error type of sqlmig, and the exit code each kind of failure maps to.
//!
//! Variants hold data only; wording lives in the `#[error]` attributes and rendering with
//! source snippets in [`crate::diagnostic`]. Exit codes are part of the CLI's contract
//! (spec/cli.md): 1 a migration or the database failed, 2 bad input and nothing was
//! touched, 3 verification failed.

use std::path::PathBuf;

use crate::source::Location;

/// Everything that can go wrong, from reading a file to running a statement.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A malformed migration file: format, splitting or SQL syntax.
    #[error("{message}")]
    Syntax {
        /// Where (boxed to keep `Result<_, Error>` small).
        location: Box<Location>,
        /// What is wrong, lowercase, code in backticks.
        message: String,
        /// What to do about it.
        help: Option<String>,
    },
    /// A statement that cannot be translated faithfully to the target database.
    #[error("{message}")]
    Untranslatable {
        /// The construct that cannot be translated.
        location: Box<Location>,
        /// What cannot be translated, and why.
        message: String,
        /// What to do instead (usually a per-dialect section).
        help: Option<String>,
    },
    /// A file or folder could not be read or written.
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        /// What sqlmig was doing: "read", "create", ...
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Bad input without a position in a file: flags, file names, duplicate versions.
    #[error("{message}")]
    Input {
        /// What is wrong.
        message: String,
        /// What to do about it.
        help: Option<String>,
    },
    /// A database URL that cannot be used. The URL is already masked.
    #[error("invalid database URL `{url}`: {reason}")]
    Url {
        /// The URL with any password replaced by `***`.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The database could not be reached or refused the connection.
    #[error("cannot connect to `{url}`: {message}")]
    Connect {
        /// The URL with any password replaced by `***`.
        url: String,
        /// What failed, in plain words.
        message: String,
    },
    /// A statement of a migration failed on the database.
    #[error("migration {migration} failed ({direction}): {message}")]
    Migration {
        /// `<version>_<name>`.
        migration: String,
        /// `up` or `down`.
        direction: &'static str,
        /// The failing statement's position in the file, when it came from one.
        location: Option<Box<Location>>,
        /// The database's message.
        message: String,
        /// What state the migration was left in and what to do.
        help: Option<String>,
    },
    /// A database operation outside a migration failed (ledger, lock, introspection).
    #[error("database error: {0}")]
    Database(String),
    /// Applied migrations do not match their files, or the ledger is dirty.
    #[error("{message}")]
    Verification {
        /// A summary line.
        message: String,
        /// One line per problem.
        details: Vec<String>,
        /// What to do about it.
        help: Option<String>,
    },
    /// Another sqlmig held the lock for longer than `--lock-timeout`.
    #[error("timed out after {seconds}s waiting for another sqlmig to release the migration lock")]
    LockTimeout {
        /// The timeout that ran out.
        seconds: f64,
    },
    /// Several independent errors, reported together (every malformed file at once).
    #[error("{} errors", .0.len())]
    Many(Vec<Error>),
}

/// The result type of sqlmig.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A syntax error at a location.
    pub fn syntax(location: Location, message: impl Into<String>) -> Self {
        Error::Syntax { location: Box::new(location), message: message.into(), help: None }
    }

    /// Bad input with no position.
    pub fn input(message: impl Into<String>) -> Self {
        Error::Input { message: message.into(), help: None }
    }

    /// Attach or replace the help line of errors that have one.
    pub fn with_help(mut self, text: impl Into<String>) -> Self {
        match &mut self {
            Error::Syntax { help, .. }
            | Error::Untranslatable { help, .. }
            | Error::Input { help, .. }
            | Error::Migration { help, .. }
            | Error::Verification { help, .. } => *help = Some(text.into()),
            _ => {}
        }
        self
    }

    /// The process exit status this error maps to.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Syntax { .. } | Error::Untranslatable { .. } | Error::Io { .. } | Error::Input { .. } | Error::Url { .. } => 2,
            Error::Connect { .. } | Error::Migration { .. } | Error::Database(_) | Error::LockTimeout { .. } => 1,
            Error::Verification { .. } => 3,
            // The most serious cause decides: a failed database beats bad input.
            Error::Many(errors) => errors
                .iter()
                .map(Error::exit_code)
                .min_by_key(|c| match c {
                    1 => 0,
                    3 => 1,
                    _ => 2,
                })
                .unwrap_or(2),
        }
    }

    /// The errors inside, flattened: `Many` yields its members, anything else itself.
    pub fn flatten(&self) -> Vec<&Error> {
        match self {
            Error::Many(errors) => errors.iter().flat_map(Error::flatten).collect(),
            e => vec![e],
        }
    }

    /// A short stable name of the kind of error, for `--format json`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Syntax { .. } => "syntax",
            Error::Untranslatable { .. } => "untranslatable",
            Error::Io { .. } => "io",
            Error::Input { .. } => "input",
            Error::Url { .. } => "url",
            Error::Connect { .. } => "connect",
            Error::Migration { .. } => "migration",
            Error::Database(_) => "database",
            Error::Verification { .. } => "verification",
            Error::LockTimeout { .. } => "lock_timeout",
            Error::Many(_) => "many",
        }
    }

    /// Where in a file the error is, if anywhere.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Syntax { location, .. } | Error::Untranslatable { location, .. } => Some(location),
            Error::Migration { location, .. } => location.as_deref(),
            _ => None,
        }
    }

    /// The help line, if any.
    pub fn help(&self) -> Option<&str> {
        match self {
            Error::Syntax { help, .. }
            | Error::Untranslatable { help, .. }
            | Error::Input { help, .. }
            | Error::Migration { help, .. }
            | Error::Verification { help, .. } => help.as_deref(),
            _ => None,
        }
    }

    /// Detail lines printed under the message.
    pub fn details(&self) -> &[String] {
        match self {
            Error::Verification { details, .. } => details,
            _ => &[],
        }
    }
}

/// Collect errors: `Ok` when there are none, the error itself when there is one.
pub fn collect(mut errors: Vec<Error>) -> Result<()> {
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0)),
        _ => Err(Error::Many(errors)),
    }
}
