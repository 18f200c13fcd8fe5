//! The sum file, `sqlmig.sum` in the migrations folder: every migration's file checksum (the
//! same one the ledger stores) and a last line over the whole list.
//!
//! It lets CI verify migrations with no database at hand, and because the last line covers
//! every line before it, two branches that each add a migration conflict in git instead of
//! merging silently into two migrations with the same version.

use std::path::{Path, PathBuf};

use crate::checksum::Checksum;
use crate::error::{Error, Result};
use crate::migration::Migration;

/// The file's name inside the migrations folder.
pub const FILE_NAME: &str = "sqlmig.sum";

const HEADER: &str = "# sqlmig.sum: the checksum of every migration in this folder. `sqlmig sum` rewrites it; commit it.";

/// A parsed sum file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumFile {
    /// `(file name, checksum hex)` in file order.
    pub entries: Vec<(String, String)>,
    /// The checksum over the entries, as written in the file.
    pub total: String,
}

fn file_name(m: &Migration) -> String {
    m.id.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| format!("{}.sql", m.label()))
}

fn total_of(entries: &[(String, String)]) -> String {
    let mut text = String::new();
    for (name, sum) in entries {
        text.push_str(&format!("{name} {sum}\n"));
    }
    Checksum::of(text.as_bytes()).to_hex()
}

impl SumFile {
    /// The sum file for these migrations.
    pub fn of(migrations: &[Migration]) -> Self {
        let entries: Vec<(String, String)> = migrations.iter().map(|m| (file_name(m), m.checksum.to_hex())).collect();
        let total = total_of(&entries);
        SumFile { entries, total }
    }

    /// This sum file plus entries for migrations it does not list yet; existing entries keep
    /// their recorded checksums.
    pub fn with_added(&self, migrations: &[Migration]) -> Self {
        let mut entries = self.entries.clone();
        for m in migrations {
            let name = file_name(m);
            if !entries.iter().any(|(n, _)| *n == name) {
                entries.push((name, m.checksum.to_hex()));
            }
        }
        let total = total_of(&entries);
        SumFile { entries, total }
    }

    /// The file's text.
    pub fn render(&self) -> String {
        let mut out = format!("{HEADER}\n");
        for (name, sum) in &self.entries {
            out.push_str(&format!("{name} {sum}\n"));
        }
        out.push_str(&format!("total {}\n", self.total));
        out
    }

    /// Parse a sum file's text.
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let mut entries = Vec::new();
        let mut total = None;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || {
                Error::input(format!("{}:{}: not a sum file line: `{line}`", path.display(), i + 1))
                    .with_help("resolve any merge conflict by running `sqlmig sum`, then review the migrations")
            };
            let (name, sum) = line.rsplit_once(' ').ok_or_else(bad)?;
            if sum.parse::<Checksum>().is_err() {
                return Err(bad());
            }
            if name == "total" {
                total = Some(sum.to_string());
            } else if total.is_some() {
                return Err(bad());
            } else {
                entries.push((name.trim().to_string(), sum.to_string()));
            }
        }
        let total = total.ok_or_else(|| {
            Error::input(format!("{}: the `total` line is missing", path.display()))
                .with_help("run `sqlmig sum` to rewrite the file")
        })?;
        Ok(SumFile { entries, total })
    }

    /// Read the sum file of a folder, if it has one.
    pub fn read(dir: &Path) -> Result<Option<Self>> {
        let path = dir.join(FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&path, &text).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(Error::Io { action: "read", path, source }),
        }
    }

    /// Write the sum file of a folder.
    pub fn write(&self, dir: &Path) -> Result<PathBuf> {
        let path = dir.join(FILE_NAME);
        crate::files::write(&path, &self.render())?;
        Ok(path)
    }
}

/// One difference between a folder and its sum file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SumProblem {
    /// The file changed since the sum was written.
    Edited(String),
    /// The sum lists a file that is gone.
    Deleted(String),
    /// A migration the sum does not list.
    Added(String),
    /// The `total` line does not match the lines above it (edited by hand, or a merge).
    Total,
}

impl std::fmt::Display for SumProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SumProblem::Edited(n) => write!(f, "{n}: edited since `sqlmig sum` recorded it"),
            SumProblem::Deleted(n) => write!(f, "{n}: listed in {FILE_NAME} but the file is gone"),
            SumProblem::Added(n) => write!(f, "{n}: not listed in {FILE_NAME} (added by hand, or by another branch)"),
            SumProblem::Total => write!(f, "{FILE_NAME}: the `total` line does not match the lines above it"),
        }
    }
}

/// Compare a folder's migrations with its sum file.
pub fn compare(sum: &SumFile, migrations: &[Migration]) -> Vec<SumProblem> {
    let mut problems = Vec::new();
    if total_of(&sum.entries) != sum.total {
        problems.push(SumProblem::Total);
    }
    let current = SumFile::of(migrations);
    for (name, hex) in &sum.entries {
        match current.entries.iter().find(|(n, _)| n == name) {
            None => problems.push(SumProblem::Deleted(name.clone())),
            Some((_, now)) if now != hex => problems.push(SumProblem::Edited(name.clone())),
            Some(_) => {}
        }
    }
    for (name, _) in &current.entries {
        if !sum.entries.iter().any(|(n, _)| n == name) {
            problems.push(SumProblem::Added(name.clone()));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::MigrationId;
    use crate::source::Source;
    use pretty_assertions::assert_eq;

    fn m(name: &str, text: &str) -> Migration {
        let (version, v, n) = crate::discover::filename(name).unwrap();
        let id = MigrationId { version, version_text: v.into(), name: n.into(), path: PathBuf::from(name) };
        Migration::from_source(id, Source::new(name, text))
    }

    #[test]
    fn round_trip_and_problems() {
        let ms = vec![m("1_a.sql", "-- +up\nSELECT 1;\n"), m("2_b.sql", "-- +up\nSELECT 2;\n")];
        let sum = SumFile::of(&ms);
        let parsed = SumFile::parse(Path::new("sqlmig.sum"), &sum.render()).unwrap();
        assert_eq!(parsed, sum);
        assert!(compare(&parsed, &ms).is_empty());

        let changed = vec![m("1_a.sql", "-- +up\nSELECT 10;\n"), m("3_c.sql", "-- +up\nSELECT 3;\n")];
        assert_eq!(
            compare(&parsed, &changed),
            vec![
                SumProblem::Edited("1_a.sql".into()),
                SumProblem::Deleted("2_b.sql".into()),
                SumProblem::Added("3_c.sql".into())
            ]
        );
        let mut tampered = parsed.clone();
        tampered.entries.pop();
        assert_eq!(compare(&tampered, &ms[..1]), vec![SumProblem::Total]);
    }

    #[test]
    fn merge_conflict_markers_are_an_error() {
        let text = "<<<<<<< HEAD\n1_a.sql abc\n=======\n";
        assert!(SumFile::parse(Path::new("sqlmig.sum"), text).is_err());
    }
}
