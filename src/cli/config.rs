//! The configuration file, `sqlmig.toml`, and how its settings merge with flags and
//! environment variables.
//!
//! Precedence, highest first: a flag, its environment variable (clap merges these two), the
//! `[env.NAME]` section chosen with `--env NAME`, the file's top level, the built-in default.
//! The file is `--config FILE` (or `SQLMIG_CONFIG`), else `sqlmig.toml` in the working
//! directory when there is one. `${VAR}` in its string values is replaced from the
//! environment; an unset variable is an error naming it. Unknown keys are errors at their
//! line and column, so a typo never silently falls back to a default.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::args::Global;
use crate::error::{Error, Result};
use crate::source::Source;

/// The file looked for in the working directory.
pub const FILE_NAME: &str = "sqlmig.toml";

/// Settings every command uses, merged from flags, the environment and the file.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The database URL; `None` means the built-in default.
    pub database: Option<String>,
    /// Whether the database was named for this run (flag, `DATABASE_URL` or the chosen
    /// `[env.NAME]`), rather than by the file's top level or the default: `sqlmig test`
    /// then uses it instead of a scratch file.
    pub database_chosen: bool,
    /// The migrations folder.
    pub dir: PathBuf,
    /// The default dialect of migration files.
    pub dialect: String,
    /// The ledger table.
    pub ledger_table: String,
    /// `--lock-timeout` in seconds.
    pub lock_timeout: Option<f64>,
    /// Lint rule ids turned off by `[lint] disable`.
    pub lint_disable: Vec<String>,
    /// The configuration file read, if any.
    pub config_file: Option<PathBuf>,
}

/// Keys of the file's top level.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    dir: Option<Spanned<String>>,
    dialect: Option<Spanned<String>>,
    database: Option<Spanned<String>>,
    ledger_table: Option<Spanned<String>>,
    lock_timeout: Option<Spanned<f64>>,
    lint: Option<LintConfig>,
    #[serde(default)]
    env: BTreeMap<String, Spanned<EnvConfig>>,
}

/// Keys of an `[env.NAME]` section.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnvConfig {
    dir: Option<Spanned<String>>,
    dialect: Option<Spanned<String>>,
    database: Option<Spanned<String>>,
    ledger_table: Option<Spanned<String>>,
    lock_timeout: Option<Spanned<f64>>,
}

/// Keys of `[lint]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LintConfig {
    #[serde(default)]
    disable: Vec<Spanned<String>>,
}

/// A read configuration file: its text (for error positions) and its keys.
struct Loaded {
    source: Source,
    config: FileConfig,
}

impl Loaded {
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> Error {
        located(&self.source, span, message)
    }

    /// A string value with `${VAR}` replaced from the environment.
    fn expand(&self, value: &Spanned<String>) -> Result<String> {
        let lookup = |name: &str| match std::env::var(name) {
            Ok(v) => Some(Ok(v)),
            Err(std::env::VarError::NotPresent) => None,
            Err(std::env::VarError::NotUnicode(_)) => Some(Err("is not valid UTF-8".to_string())),
        };
        crate::migration::envsub(value.get_ref(), &lookup).map_err(|(offset, message, _)| {
            // The value's span covers its quotes; the reference sits just inside them
            // (exactly so for basic strings without escapes, the usual case).
            let start = (value.span().start + 1 + offset).min(value.span().end);
            self.error(start..value.span().end, message)
                .with_help("set the variable, or write the value itself in the file; `$${` is a literal `${`")
        })
    }
}

/// An error at a span of the file, with any password in the quoted line masked.
fn located(source: &Source, span: Range<usize>, message: impl Into<String>) -> Error {
    let mut location = source.span(span.start, span.end);
    location.line_text = crate::driver::mask(&location.line_text);
    Error::syntax(location, crate::driver::mask(&message.into()))
}

fn read(path: &Path) -> Result<Loaded> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io { action: "read", path: path.to_path_buf(), source })?;
    let source =
        Source::from_bytes(path, bytes).map_err(|loc| Error::syntax(loc, "the configuration file is not valid UTF-8"))?;
    let text = &source.text[source.content_start()..];
    match toml::from_str::<FileConfig>(text) {
        Ok(config) => Ok(Loaded { config, source: Source::new(path, text) }),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim_end().to_string();
            let e = located(&Source::new(path, text), span, message.clone());
            Err(if message.starts_with("unknown field") {
                e.with_help("sqlmig.toml takes dir, dialect, database, ledger_table, lock_timeout, [lint] disable = [...] and [env.NAME] sections")
            } else {
                e
            })
        }
    }
}

/// Merge the flags and environment (already in `g`) with the configuration file.
pub fn resolve(g: &Global) -> Result<Settings> {
    let path = match g.config.as_ref().filter(|p| !p.as_os_str().is_empty()) {
        Some(p) => Some(p.clone()),
        None => Some(PathBuf::from(FILE_NAME)).filter(|p| p.is_file()),
    };
    let loaded = path.as_deref().map(read).transpose()?;
    let env = match (g.environment.as_ref().filter(|e| !e.is_empty()), &loaded) {
        (None, _) => None,
        (Some(name), None) => {
            return Err(Error::input(format!("`--env {name}` needs a configuration file, and there is no {FILE_NAME} here"))
                .with_help(format!("create {FILE_NAME} with an `[env.{name}]` section, or name one with `--config FILE`")))
        }
        (Some(name), Some(l)) => match l.config.env.get(name) {
            Some(section) => Some(section.get_ref()),
            None => {
                let known: Vec<&str> = l.config.env.keys().map(String::as_str).collect();
                return Err(Error::input(format!(
                    "{} has no `[env.{name}]` section{}",
                    l.source.path.display(),
                    if known.is_empty() { String::new() } else { format!(" (it has: {})", known.join(", ")) }
                )));
            }
        },
    };
    let given = |flag: &Option<String>| flag.clone().filter(|s| !s.is_empty());
    // The chosen environment's value, else the top level's, expanded.
    let from_file = |pick: &dyn Fn(&EnvConfig) -> Option<&Spanned<String>>,
                     top: &dyn Fn(&FileConfig) -> Option<&Spanned<String>>|
     -> Result<(Option<String>, bool)> {
        let Some(l) = &loaded else { return Ok((None, false)) };
        if let Some(v) = env.and_then(pick) {
            return Ok((Some(l.expand(v)?), true));
        }
        match top(&l.config) {
            Some(v) => Ok((Some(l.expand(v)?), false)),
            None => Ok((None, false)),
        }
    };
    let base = path.as_deref().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();

    let (database, database_chosen) = match given(&g.database) {
        Some(d) => (Some(d), true),
        None => from_file(&|e| e.database.as_ref(), &|f| f.database.as_ref())?,
    };
    let dir = match g.dir.clone().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => d,
        // A relative folder in the file is relative to the file's own folder.
        None => {
            from_file(&|e| e.dir.as_ref(), &|f| f.dir.as_ref())?.0.map_or_else(|| PathBuf::from("migrations"), |d| base.join(d))
        }
    };
    let dialect = match given(&g.dialect) {
        Some(d) => d,
        None => from_file(&|e| e.dialect.as_ref(), &|f| f.dialect.as_ref())?.0.unwrap_or_else(|| "postgres".into()),
    };
    let ledger_table = match given(&g.ledger_table) {
        Some(t) => t,
        None => from_file(&|e| e.ledger_table.as_ref(), &|f| f.ledger_table.as_ref())?
            .0
            .unwrap_or_else(|| crate::ledger::DEFAULT_TABLE.into()),
    };
    let lock_timeout = g.lock_timeout.or_else(|| {
        let l = loaded.as_ref()?;
        env.and_then(|e| e.lock_timeout.as_ref()).or(l.config.lock_timeout.as_ref()).map(|v| *v.get_ref())
    });
    let mut lint_disable = Vec::new();
    if let Some(l) = &loaded {
        for rule in l.config.lint.iter().flat_map(|lint| &lint.disable) {
            if !crate::lint::RULES.iter().any(|r| r.id == rule.get_ref()) {
                let ids: Vec<&str> = crate::lint::RULES.iter().map(|r| r.id).collect();
                return Err(l
                    .error(rule.span(), format!("unknown lint rule `{}`", rule.get_ref()))
                    .with_help(format!("the rules are: {}", ids.join(", "))));
            }
            lint_disable.push(rule.get_ref().clone());
        }
    }
    Ok(Settings {
        database,
        database_chosen,
        dir,
        dialect,
        ledger_table,
        lock_timeout,
        lint_disable,
        config_file: loaded.map(|l| l.source.path),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> std::result::Result<FileConfig, String> {
        toml::from_str::<FileConfig>(text).map_err(|e| {
            let source = Source::new("sqlmig.toml", text);
            crate::diagnostic::render(&located(&source, e.span().unwrap_or(0..0), e.message()))
        })
    }

    #[test]
    fn every_key() {
        let c = parse(
            "dir = \"db/migrations\"\ndialect = \"mysql\"\ndatabase = \"sqlite://x.db\"\nledger_table = \"l\"\nlock_timeout = 5\n\
             [lint]\ndisable = [\"drop-table\"]\n[env.production]\ndatabase = \"${DATABASE_URL}\"\nlock_timeout = 0.5\n",
        )
        .unwrap();
        assert_eq!(c.lock_timeout.map(|t| *t.get_ref()), Some(5.0));
        assert_eq!(c.env["production"].get_ref().database.as_ref().map(|d| d.get_ref().as_str()), Some("${DATABASE_URL}"));
        assert_eq!(c.lint.unwrap().disable[0].get_ref(), "drop-table");
    }

    #[test]
    fn unknown_keys_are_located() {
        let err = parse("dir = \"m\"\n\n[env.staging]\ndatabse = \"x\"\n").unwrap_err();
        assert!(err.contains("unknown field `databse`"), "{err}");
        assert!(err.contains("sqlmig.toml:4:1"), "{err}");
        let err = parse("colour = true\n").unwrap_err();
        assert!(err.contains("unknown field `colour`") && err.contains("sqlmig.toml:1:1"), "{err}");
    }

    #[test]
    fn passwords_in_quoted_lines_are_masked() {
        let err = parse("database = \"postgres://u:hunter2@h/db\"\nlock_timeout = \"soon\"\n").unwrap_err();
        assert!(err.contains("sqlmig.toml:2:"), "{err}");
        let err = parse("database = \"postgres://u:hunter2@h/db\" junk\n").unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
    }
}
