//! Finding migrations: a folder → the sorted list of migration files in it.
//!
//! Enforces the file name grammar (`<version>_<name>.sql`) and version uniqueness. It reads
//! directory entries only, never file contents.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A migration's identity, from its file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationId {
    /// The numeric version that orders migrations.
    pub version: u64,
    /// The version as written in the file name (`0001`), for display.
    pub version_text: String,
    /// The descriptive part of the name (`create_users`).
    pub name: String,
    /// The file's path.
    pub path: PathBuf,
}

impl fmt::Display for MigrationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.version_text, self.name)
    }
}

/// The largest version the ledger can store (its column is a signed 64-bit integer).
pub const MAX_VERSION: u64 = i64::MAX as u64;

/// The largest migration file sqlmig reads. A file is parsed whole and its statements kept
/// in memory, which takes about 60 times its size for `INSERT`-dense files: 16 MiB stays
/// under a gigabyte, and a bigger file is refused with a clear error instead of exhausting
/// the memory of a deploy container.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// grammar: filename
///
/// Parse `<version>_<name>.sql`. `Err` says why a `.sql` name does not fit.
pub fn filename(file_name: &str) -> std::result::Result<(u64, &str, &str), String> {
    let stem = match file_name.len().checked_sub(4) {
        Some(cut) if file_name.is_char_boundary(cut) && file_name[cut..].eq_ignore_ascii_case(".sql") => &file_name[..cut],
        _ => return Err("the name does not end in `.sql`".into()),
    };
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err("the name must start with a version number".into());
    }
    let (version_text, rest) = stem.split_at(digits);
    let Some(name) = rest.strip_prefix('_') else {
        return Err("the version must be followed by `_` and a name".into());
    };
    if name.is_empty() {
        return Err("the name after the version is empty".into());
    }
    if let Some(c) = name.chars().find(|c| c.is_control() || *c == '/' || *c == '\\') {
        return Err(format!("the name contains the character {c:?}"));
    }
    match version_text.parse::<u64>() {
        Ok(v) if v <= MAX_VERSION => Ok((v, version_text, name)),
        _ => Err(format!("the version is larger than {MAX_VERSION}")),
    }
}

/// List the migrations in `dir`, sorted by version.
///
/// Files whose names do not end in `.sql` (a README, `.gitkeep`, the sum file) are ignored.
/// A `.sql` file with a malformed name, two files with one version, or a symbolic link that
/// leads out of the folder is an error; all such problems are reported at once.
pub fn discover(dir: &Path) -> Result<Vec<MigrationId>> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        action: "read the migrations folder",
        path: dir.to_path_buf(),
        source,
    })?;
    let canonical_dir = dir.canonicalize().map_err(|source| Error::Io {
        action: "read the migrations folder",
        path: dir.to_path_buf(),
        source,
    })?;
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|source| Error::Io { action: "read the migrations folder", path: dir.to_path_buf(), source })?;
        let path = entry.path();
        let Some(file_name) = path.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
            errors.push(Error::input(format!("`{}`: the file name is not valid UTF-8", shown(&path))));
            continue;
        };
        if !file_name.to_ascii_lowercase().ends_with(".sql") {
            continue;
        }
        let file_type = entry.file_type().map_err(|source| Error::Io { action: "read", path: path.clone(), source })?;
        if file_type.is_symlink() {
            match path.canonicalize() {
                // A link to something inside that is not a file is refused below, as such.
                Ok(target) if target.starts_with(&canonical_dir) => {}
                Ok(target) => {
                    errors.push(
                        Error::input(format!(
                            "`{}` is a symbolic link to `{}`, outside the migrations folder",
                            shown(&path),
                            shown(&target)
                        ))
                        .with_help("copy the migration into the folder instead of linking to it"),
                    );
                    continue;
                }
                Err(_) => {
                    errors.push(Error::input(format!("`{}` is a broken symbolic link", shown(&path))));
                    continue;
                }
            }
        } else if file_type.is_dir() {
            continue;
        }
        match filename(&file_name) {
            Ok((version, version_text, name)) => {
                if let Err(e) = readable(&path) {
                    errors.push(e);
                    continue;
                }
                found.push(MigrationId { version, version_text: version_text.to_string(), name: name.to_string(), path })
            }
            Err(reason) => {
                errors.push(Error::input(format!("`{}` is not a valid migration file name: {reason}", shown(&path))).with_help(
                    "name migrations `<version>_<name>.sql`, e.g. `0001_create_users.sql` or `20261122093000_create_users.sql`",
                ))
            }
        }
    }
    found.sort_by(|a, b| a.version.cmp(&b.version).then_with(|| a.path.cmp(&b.path)));
    for pair in found.windows(2) {
        if pair[0].version == pair[1].version {
            errors.push(
                Error::input(format!(
                    "two migrations have version {}: `{}` and `{}`",
                    pair[1].version,
                    shown(&pair[0].path),
                    shown(&pair[1].path)
                ))
                .with_help("give one of them the next free version"),
            );
        }
    }
    crate::error::collect(errors)?;
    Ok(found)
}

/// A path for a message: control characters in a file name made visible, so a name cannot
/// send escape sequences to the terminal showing the error.
fn shown(path: &Path) -> String {
    crate::source::visible(&path.display().to_string())
}

/// Refuse what reading as a migration would hang on (a FIFO, a device) or run out of memory
/// with (a file over [`MAX_FILE_BYTES`]). Follows symbolic links, which were checked above.
fn readable(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Io { action: "read", path: path.to_path_buf(), source })?;
    if !meta.is_file() {
        return Err(Error::input(format!("`{}` is not a regular file", shown(path)))
            .with_help("a migration is a text file; remove or rename this entry"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::input(format!(
            "`{}` is {:.1} MiB, more than the {} MiB sqlmig reads in one migration",
            shown(path),
            meta.len() as f64 / (1024.0 * 1024.0),
            MAX_FILE_BYTES / (1024 * 1024)
        ))
        .with_help(
            "split it into several migrations, or load bulk data with the database's own loader \
             (COPY, LOAD DATA, sqlite3 .import) from a migration that runs it",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn file_names() {
        assert_eq!(filename("0001_create_users.sql"), Ok((1, "0001", "create_users")));
        assert_eq!(filename("20261122093000_a-b.c.sql"), Ok((20261122093000, "20261122093000", "a-b.c")));
        assert!(filename("create.sql").unwrap_err().contains("version number"));
        assert!(filename("0001.sql").unwrap_err().contains("followed by `_`"));
        assert!(filename("0001_.sql").unwrap_err().contains("empty"));
        assert!(filename("99999999999999999999_x.sql").unwrap_err().contains("larger"));
    }

    #[test]
    fn discovery_sorts_numerically_and_rejects_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["10_c.sql", "9_b.sql", "README.md", ".gitkeep"] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        let ids = discover(dir.path()).unwrap();
        assert_eq!(ids.iter().map(|m| m.version).collect::<Vec<_>>(), vec![9, 10]);
        std::fs::write(dir.path().join("009_dup.sql"), "").unwrap();
        let err = discover(dir.path()).unwrap_err().to_string();
        assert!(err.contains("009_dup.sql") && err.contains("9_b.sql"), "{err}");
    }

    /// Regression: a FIFO named like a migration made every command hang reading it.
    #[cfg(unix)]
    #[test]
    fn special_files_and_oversized_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("1_ok.sql"), "-- +up\nSELECT 1;\n").unwrap();
        let fifo = dir.path().join("2_pipe.sql");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
        let big = std::fs::File::create(dir.path().join("3_big.sql")).unwrap();
        big.set_len(MAX_FILE_BYTES + 1).unwrap();
        let err = crate::diagnostic::render(&discover(dir.path()).unwrap_err());
        assert!(err.contains("3_big.sql` is 16.0 MiB, more than the 16 MiB"), "{err}");
        assert!(!made || err.contains("2_pipe.sql` is not a regular file"), "{err}");
        assert!(!err.contains("1_ok.sql"), "{err}");
    }

    /// A link to a folder inside the migrations folder was reported as leading outside it.
    #[cfg(unix)]
    #[test]
    fn links_inside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("1_real.sql"), "-- +up\nSELECT 1;\n").unwrap();
        std::os::unix::fs::symlink("1_real.sql", dir.path().join("2_link.sql")).unwrap();
        assert_eq!(discover(dir.path()).unwrap().len(), 2);
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::os::unix::fs::symlink("sub", dir.path().join("3_dir.sql")).unwrap();
        let err = discover(dir.path()).unwrap_err().to_string();
        assert!(err.contains("3_dir.sql` is not a regular file") && !err.contains("outside"), "{err}");
    }
}
