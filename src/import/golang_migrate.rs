//! golang-migrate: `<version>_<name>.up.sql` and `<version>_<name>.down.sql` files, and the
//! `schema_migrations (version, dirty)` history table, which holds one row: the newest
//! version applied. Every migration up to it is applied.
//!
//! The up file becomes the `-- +up` section and the down file (optional) the `-- +down`
//! section; the files have no annotations. A dirty version (a migration that failed part
//! way) is refused until it is settled with `migrate force`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{file_name_part, files, is_sql, join_split, read_text, shown, version_number, versioned_stem, Split, Tx};
use super::{History, Imported};
use crate::driver::Driver;
use crate::error::{Error, Result};

#[derive(Default)]
struct Pair {
    up: Option<(PathBuf, String)>,
    down: Option<(PathBuf, String)>,
}

pub(crate) fn read(dir: &Path) -> Result<Vec<Imported>> {
    let mut pairs: BTreeMap<u64, (String, Pair)> = BTreeMap::new();
    let mut errors = Vec::new();
    for (file_name, path) in files(dir)? {
        if !is_sql(&file_name) {
            continue;
        }
        let parsed = versioned_stem(&file_name).and_then(|(digits, rest)| {
            let kind = rest.strip_suffix(".up").map(|n| (n, true)).or_else(|| rest.strip_suffix(".down").map(|n| (n, false)));
            kind.map(|(name, is_up)| (digits, name, is_up))
        });
        let Some((digits, name, is_up)) = parsed else {
            errors.push(
                Error::input(format!("`{}` is not a golang-migrate migration file name", shown(&path)))
                    .with_help("golang-migrate names migrations `<version>_<name>.up.sql` and `<version>_<name>.down.sql`"),
            );
            continue;
        };
        let version = match version_number(digits, &path) {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let (_, pair) = pairs.entry(version).or_insert_with(|| (digits.to_string(), Pair::default()));
        let slot = if is_up { &mut pair.up } else { &mut pair.down };
        if let Some((other, _)) = slot {
            errors.push(Error::input(format!(
                "`{}` and `{}` are both the {} migration of version {version}",
                shown(other),
                shown(&path),
                if is_up { "up" } else { "down" }
            )));
            continue;
        }
        *slot = Some((path, name.to_string()));
    }
    let mut found = Vec::new();
    for (version, (digits, pair)) in pairs {
        let Some((up_path, name)) = pair.up else {
            let down = pair.down.map(|(p, _)| shown(&p)).unwrap_or_default();
            errors.push(Error::input(format!("`{down}` has no up migration beside it")));
            continue;
        };
        let texts = (read_text(&up_path), pair.down.as_ref().map(|(p, _)| read_text(p)).transpose());
        let (up_text, down_text) = match texts {
            (Ok(u), Ok(d)) => (u, d),
            (u, d) => {
                errors.extend(u.err());
                errors.extend(d.err());
                continue;
            }
        };
        let down = pair.down.as_ref().zip(down_text.as_deref()).map(|((p, _), t)| (p.as_path(), t, Tx::Default));
        let split = Split { up: (&up_path, &up_text, Tx::Default), down };
        found.push(join_split(split, (version, digits), file_name_part(&name), version.to_string()));
    }
    crate::error::collect(errors)?;
    Ok(found)
}

/// One row: the newest version applied, and whether it failed part way (`dirty`). golang-
/// migrate writes -1 when every migration was rolled back.
pub(crate) fn applied(driver: &mut dyn Driver, history: &History, migrations: &[Imported]) -> Result<BTreeSet<u64>> {
    let rows = history.query(driver, "version, dirty", "")?;
    if rows.len() > 1 {
        return Err(Error::input(format!(
            "golang-migrate's `schema_migrations` holds {} rows; golang-migrate keeps one",
            rows.len()
        ))
        .with_help("is this dbmate's table? then import with `--from dbmate`"));
    }
    let Some(row) = rows.into_iter().next() else {
        return Ok(BTreeSet::new());
    };
    let version = row[0].as_i64();
    if super::truthy(&row[1]) {
        return Err(Error::input(format!(
            "golang-migrate marks version {version} dirty: it failed part way, and the database may hold some of it"
        ))
        .with_help(format!(
            "finish or undo it by hand, record that with `migrate force {version}` (or the version before it), then import"
        )));
    }
    if version < 0 {
        return Ok(BTreeSet::new());
    }
    super::by_number(history, migrations, [version])?;
    Ok(migrations.iter().map(|m| m.version).filter(|v| *v <= version as u64).collect())
}
