//! sqlx (launchbadge/sqlx): `<version>_<name>.sql` (up only), or `<version>_<name>.up.sql` and
//! `<version>_<name>.down.sql`, and the `_sqlx_migrations` history table.
//!
//! A file whose first line starts with `-- no-transaction` runs outside a transaction; that
//! line becomes `-- +no-transaction` in its section. A history row with `success` false (a
//! migration that failed part way on a database without transactional DDL) is refused.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{file_name_part, files, is_sql, join_split, read_text, shown, version_number, versioned_stem, Split, Tx};
use super::{History, Imported};
use crate::driver::Driver;
use crate::error::{Error, Result};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Simple,
    Up,
    Down,
}

struct File {
    path: PathBuf,
    name: String,
    kind: Kind,
}

pub(crate) fn read(dir: &Path) -> Result<Vec<Imported>> {
    let mut by_version: BTreeMap<u64, (String, Vec<File>)> = BTreeMap::new();
    let mut errors = Vec::new();
    for (file_name, path) in files(dir)? {
        if !is_sql(&file_name) {
            continue;
        }
        let Some((digits, rest)) = versioned_stem(&file_name) else {
            errors.push(
                Error::input(format!("`{}` is not a sqlx migration file name", shown(&path)))
                    .with_help("sqlx names migrations `<version>_<name>.sql`, or `.up.sql` and `.down.sql`"),
            );
            continue;
        };
        let (name, kind) = match (rest.strip_suffix(".up"), rest.strip_suffix(".down")) {
            (Some(n), _) => (n, Kind::Up),
            (_, Some(n)) => (n, Kind::Down),
            _ => (rest, Kind::Simple),
        };
        // sqlx reads the version as a signed 64-bit integer, as sqlmig does.
        let version = match version_number(digits, &path) {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        by_version.entry(version).or_insert_with(|| (digits.to_string(), Vec::new())).1.push(File {
            path,
            name: name.to_string(),
            kind,
        });
    }
    let mut found = Vec::new();
    for (version, (digits, group)) in by_version {
        let pick = |kind: Kind| group.iter().filter(move |f| f.kind == kind);
        let (simple, ups, downs): (Vec<&File>, Vec<&File>, Vec<&File>) =
            (pick(Kind::Simple).collect(), pick(Kind::Up).collect(), pick(Kind::Down).collect());
        let up = match (simple.as_slice(), ups.as_slice(), downs.len()) {
            ([one], [], 0) | ([], [one], 0 | 1) => *one,
            ([], [], _) => {
                errors.push(Error::input(format!("`{}` has no up migration beside it", shown(&downs[0].path))));
                continue;
            }
            _ => {
                let names: Vec<String> = group.iter().map(|f| format!("`{}`", shown(&f.path))).collect();
                errors.push(
                    Error::input(format!("{} all have version {version}", names.join(", ")))
                        .with_help("sqlx takes one `.sql` file, or one `.up.sql` and one `.down.sql`, per version"),
                );
                continue;
            }
        };
        let down = downs.first().copied();
        let (up_text, down_text) = match (read_text(&up.path), down.map(|d| read_text(&d.path)).transpose()) {
            (Ok(u), Ok(d)) => (u, d),
            (u, d) => {
                errors.extend(u.err());
                errors.extend(d.err());
                continue;
            }
        };
        let split = Split {
            up: (&up.path, &up_text, no_transaction(&up_text)),
            down: down.zip(down_text.as_deref()).map(|(d, t)| (d.path.as_path(), t, no_transaction(t))),
        };
        found.push(join_split(split, (version, digits), file_name_part(&up.name), version.to_string()));
    }
    crate::error::collect(errors)?;
    Ok(found)
}

/// sqlx's test: the text starts with `-- no-transaction`.
fn no_transaction(text: &str) -> Tx {
    if text.starts_with("-- no-transaction") {
        Tx::FirstLine
    } else {
        Tx::Default
    }
}

/// sqlx adds a row per applied migration (with `success` false first where DDL is not
/// transactional, set true when it finished) and deletes it on revert.
pub(crate) fn applied(driver: &mut dyn Driver, history: &History, migrations: &[Imported]) -> Result<BTreeSet<u64>> {
    let rows = history.query(driver, "version, success", " ORDER BY version")?;
    let failed: Vec<String> = rows.iter().filter(|r| !super::truthy(&r[1])).map(|r| r[0].as_i64().to_string()).collect();
    if !failed.is_empty() {
        return Err(Error::input(format!(
            "sqlx records version{} {} as failed (`success` is false): the database may hold part of {}",
            if failed.len() == 1 { "" } else { "s" },
            failed.join(", "),
            if failed.len() == 1 { "it" } else { "them" }
        ))
        .with_help("finish or undo the migration by hand and fix its row in `_sqlx_migrations`, then import"));
    }
    super::by_number(history, migrations, rows.iter().map(|r| r[0].as_i64()))
}
