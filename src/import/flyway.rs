//! Flyway: `V<version>__<description>.sql` migrations, `U<version>__<description>.sql` undo
//! migrations, anywhere under the folder, and the `flyway_schema_history` table.
//!
//! Versions: Flyway versions are dotted (`1`, `1.1`, `2.0.3`; `_` means `.` in file names, and
//! trailing zero parts do not count: `1.0` is `1`). sqlmig versions are integers, so each
//! version becomes its parts, each zero-padded to the widest part at that position in the
//! folder, concatenated: `1`, `1.1`, `1.2`, `1.10`, `2` become `100`, `101`, `102`, `110`,
//! `200`. The order is kept; a folder of plain integer versions keeps its numbers. Two files
//! with the same Flyway version (`V1.1__a.sql` and `V1_1__b.sql`) are refused.
//!
//! The undo migration of a version becomes its `-- +down` section. `executeInTransaction=false`
//! in a `<file>.conf` script configuration adds `-- +no-transaction`. Repeatable migrations
//! (`R__<description>.sql`) run again whenever they change; sqlmig has no such thing, so they
//! are refused, as are `${placeholder}`s, which Flyway replaces from its configuration.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{file_name_part, is_sql, join_split, read_text, shown, Split, Tx};
use super::{History, Imported};
use crate::discover::MAX_VERSION;
use crate::driver::{Driver, Value};
use crate::error::{Error, Result};
use crate::source::Source;

/// A Flyway version: its numeric parts, without trailing zero parts.
type Version = Vec<u64>;

/// `1.1`, `1_1`, `01.1.0` → `[1, 1]`; `None` when it is not a version.
fn parse_version(text: &str) -> Option<Version> {
    let mut parts = Vec::new();
    for part in text.split(['.', '_']) {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        parts.push(part.parse::<u64>().ok()?);
    }
    while parts.len() > 1 && parts.last() == Some(&0) {
        parts.pop();
    }
    Some(parts)
}

fn dotted(v: &[u64]) -> String {
    v.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

struct File {
    path: PathBuf,
    version: Version,
    description: String,
    undo: bool,
}

/// Every file under `dir`, by path.
fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    let io = |source| Error::Io { action: "read the folder", path: dir.to_path_buf(), source };
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).map_err(io)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>().map_err(io)?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, found)?;
        } else if path.is_file() {
            found.push(path);
        }
    }
    Ok(())
}

pub(crate) fn read(dir: &Path) -> Result<Vec<Imported>> {
    let mut paths = Vec::new();
    walk(dir, &mut paths)?;
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in &paths {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            errors.push(Error::input(format!("`{}`: the file name is not valid UTF-8", shown(path))));
            continue;
        };
        if !is_sql(name) {
            continue;
        }
        let stem = &name[..name.len() - 4];
        if stem.starts_with("R__") {
            errors.push(
                Error::input(format!("`{}` is a repeatable migration, which sqlmig does not have", shown(path))).with_help(
                    "move its statements into a versioned migration (`V<next>__<name>.sql`) or delete it, then import",
                ),
            );
            continue;
        }
        let parsed = stem.split_once("__").and_then(|(head, description)| {
            let (undo, version) = match head.split_at_checked(1)? {
                ("V", v) => (false, v),
                ("U", v) => (true, v),
                _ => return None,
            };
            Some((undo, parse_version(version)?, description))
        });
        match parsed {
            Some((undo, version, description)) if !description.is_empty() => {
                files.push(File { path: path.clone(), version, description: description.to_string(), undo })
            }
            _ => {
                errors.push(Error::input(format!("`{}` is not a Flyway migration file name", shown(path))).with_help(
                    "Flyway names migrations `V<version>__<description>.sql` (undo: `U...`); callbacks are not imported",
                ))
            }
        }
    }
    crate::error::collect(std::mem::take(&mut errors))?;

    let mut versioned: BTreeMap<Version, &File> = BTreeMap::new();
    let mut undos: BTreeMap<Version, &File> = BTreeMap::new();
    for f in &files {
        let map = if f.undo { &mut undos } else { &mut versioned };
        if let Some(other) = map.insert(f.version.clone(), f) {
            errors.push(
                Error::input(format!(
                    "`{}` and `{}` are both {} version {}",
                    shown(&other.path),
                    shown(&f.path),
                    if f.undo { "the undo of" } else { "" },
                    dotted(&f.version)
                ))
                .with_help("Flyway reads `_` as `.` and ignores trailing `.0`s: give one of them another version"),
            );
        }
    }
    for (v, u) in &undos {
        if !versioned.contains_key(v) {
            errors.push(Error::input(format!("`{}` undoes version {}, which has no migration", shown(&u.path), dotted(v))));
        }
    }
    crate::error::collect(std::mem::take(&mut errors))?;

    let numbering = Numbering::of(versioned.keys());
    let mut found = Vec::new();
    for (version, file) in &versioned {
        let undo = undos.get(version);
        match convert(file, undo.copied(), &numbering) {
            Ok(m) => found.push(m),
            Err(e) => errors.push(e),
        }
    }
    crate::error::collect(errors)?;
    Ok(found)
}

fn convert(file: &File, undo: Option<&File>, numbering: &Numbering) -> Result<Imported> {
    let (number, text) = numbering.number(&file.version).ok_or_else(|| {
        Error::input(format!("Flyway version {} has too many digits to fit a sqlmig version", dotted(&file.version)))
            .with_help(format!("sqlmig versions go up to {MAX_VERSION}"))
    })?;
    let up_text = read_text(&file.path)?;
    let down_text = undo.map(|u| read_text(&u.path)).transpose()?;
    let mut errors = Vec::new();
    for (path, text) in [Some((&file.path, &up_text)), undo.map(|u| &u.path).zip(down_text.as_ref())].into_iter().flatten() {
        if let Some(at) = text.find("${") {
            let source = Source::new(path, text.as_str());
            errors.push(
                Error::syntax(source.span(at, at + 2), "Flyway replaces `${...}` placeholders; sqlmig cannot know their values")
                    .with_help("write the value in the file, or use an environment variable with `-- +envsub`"),
            );
        }
    }
    crate::error::collect(errors)?;
    let split = Split {
        up: (&file.path, &up_text, transaction(&file.path)?),
        down: match (undo, down_text.as_deref()) {
            (Some(u), Some(t)) => Some((&u.path, t, transaction(&u.path)?)),
            _ => None,
        },
    };
    Ok(join_split(split, (number, text), file_name_part(&file.description), dotted(&file.version)))
}

/// What a script configuration (`V1__a.sql.conf`) says about transactions. Only the keys
/// that change nothing sqlmig would do differently are accepted besides.
fn transaction(script: &Path) -> Result<Tx> {
    let mut conf = script.as_os_str().to_owned();
    conf.push(".conf");
    let conf = PathBuf::from(conf);
    if !conf.is_file() {
        return Ok(Tx::Default);
    }
    let text = read_text(&conf)?;
    let mut tx = Tx::Default;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').map(|(k, v)| (k.trim(), v.trim())).unwrap_or((line, ""));
        match (key, value.to_ascii_lowercase().as_str()) {
            ("executeInTransaction", "false") => tx = Tx::Configured,
            ("executeInTransaction", "true") => tx = Tx::Default,
            ("encoding", "utf-8" | "utf8") => {}
            _ => {
                let source = Source::new(&conf, text.as_str());
                let start: usize = text.split_inclusive('\n').take(i).map(str::len).sum();
                return Err(Error::syntax(source.location(start), format!("script configuration `{line}` is not imported"))
                    .with_help("sqlmig imports `executeInTransaction` (and UTF-8 `encoding`) only"));
            }
        }
    }
    Ok(tx)
}

/// How Flyway versions become sqlmig versions: each part zero-padded to the widest part at
/// its position, concatenated.
struct Numbering {
    widths: Vec<usize>,
}

impl Numbering {
    fn of<'a>(versions: impl Iterator<Item = &'a Version>) -> Self {
        let mut widths: Vec<usize> = Vec::new();
        for v in versions {
            for (i, part) in v.iter().enumerate() {
                let w = part.to_string().len();
                match widths.get_mut(i) {
                    Some(x) => *x = (*x).max(w),
                    None => widths.push(w),
                }
            }
        }
        Numbering { widths }
    }

    /// The number and its digits, or `None` when it does not fit.
    fn number(&self, v: &Version) -> Option<(u64, String)> {
        if self.widths.len() == 1 {
            // Plain integer versions keep their numbers.
            return Some((v[0], v[0].to_string())).filter(|(n, _)| *n <= MAX_VERSION);
        }
        let mut digits = String::new();
        for (i, width) in self.widths.iter().enumerate() {
            let part = v.get(i).copied().unwrap_or(0);
            digits.push_str(&format!("{part:0width$}"));
        }
        let n = digits.parse::<u64>().ok().filter(|n| *n <= MAX_VERSION)?;
        Some((n, digits))
    }
}

/// Flyway adds a row per migration it ran, in `installed_rank` order: `type` `SQL` (and
/// other versioned kinds) with `success`, `BASELINE` for `flyway baseline` (every version up
/// to it counts as applied), `UNDO_SQL` for an undo, `DELETE` when a row was removed with
/// `flyway repair`. Rows without a version (the schema marker, repeatables) say nothing of
/// versions. A version whose newest row failed is refused.
pub(crate) fn applied(driver: &mut dyn Driver, history: &History, migrations: &[Imported]) -> Result<BTreeSet<u64>> {
    let rows = history.query(driver, "version, type, success", " ORDER BY installed_rank")?;
    let files: Vec<(Version, u64)> = migrations.iter().filter_map(|m| Some((parse_version(&m.key)?, m.version))).collect();
    // Version → applied (true), failed (false); absent: not applied.
    let mut state: BTreeMap<Version, bool> = BTreeMap::new();
    let mut baseline: Option<Version> = None;
    let mut missing = Vec::new();
    for row in rows {
        let mut it = row.into_iter();
        let mut next = || it.next().unwrap_or(Value::Null);
        let (version, kind, success) = (next(), next(), next());
        let version_text = version.into_string();
        let Some(version) = parse_version(version_text.trim()) else { continue };
        let success = super::truthy(&success);
        match kind.into_string().trim().to_ascii_uppercase().as_str() {
            "BASELINE" => {
                if success {
                    baseline = Some(version);
                }
            }
            "UNDO_SQL" | "UNDO_JDBC" | "UNDO_SCRIPT" | "DELETE" => {
                if success {
                    state.remove(&version);
                } else {
                    state.insert(version, false);
                }
            }
            _ => {
                state.insert(version, success);
            }
        }
    }
    let failed: Vec<String> = state.iter().filter(|(_, ok)| !**ok).map(|(v, _)| dotted(v)).collect();
    if !failed.is_empty() {
        return Err(Error::input(format!(
            "Flyway records version{} {} as failed: the database may hold part of {}",
            if failed.len() == 1 { "" } else { "s" },
            failed.join(", "),
            if failed.len() == 1 { "it" } else { "them" }
        ))
        .with_help("finish or undo it by hand and run `flyway repair`, then import"));
    }
    let mut found = BTreeSet::new();
    for v in state.keys() {
        match files.iter().find(|(fv, _)| fv == v) {
            Some((_, n)) => {
                found.insert(*n);
            }
            None => missing.push(dotted(v)),
        }
    }
    if let Some(b) = &baseline {
        found.extend(files.iter().filter(|(fv, _)| fv <= b).map(|(_, n)| *n));
    }
    if !missing.is_empty() {
        return Err(history.unknown_versions(&missing));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::super::Tool;
    use super::*;

    #[test]
    fn versions_are_dotted_and_trailing_zeros_do_not_count() {
        assert_eq!(parse_version("1"), Some(vec![1]));
        assert_eq!(parse_version("1_1"), parse_version("1.1"));
        assert_eq!(parse_version("2.0.0"), Some(vec![2]));
        assert_eq!(parse_version("1..2"), None);
        assert_eq!(parse_version("1a"), None);
    }

    /// A folder of 1, 1.1, 2, 3 and a history written the way Flyway writes it.
    fn history(rows: &[&str]) -> BTreeSet<u64> {
        let dir = tempfile::tempdir().unwrap();
        for v in ["1", "1.1", "2", "3"] {
            std::fs::write(dir.path().join(format!("V{v}__m.sql")), "SELECT 1;\n").unwrap();
        }
        let migrations = read(dir.path()).unwrap();
        let mut driver = crate::driver::SqliteDriver::new(rusqlite::Connection::open_in_memory().unwrap());
        driver
            .execute(
                "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, version VARCHAR(50), \
                 description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL, script VARCHAR(1000) NOT NULL, checksum INT, \
                 installed_by VARCHAR(100) NOT NULL, installed_on TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')), \
                 execution_time INT NOT NULL, success BOOLEAN NOT NULL)",
            )
            .unwrap();
        for (rank, row) in rows.iter().enumerate() {
            let (version, kind, success) = {
                let mut parts = row.split(' ');
                (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap())
            };
            let version = if version == "-" { "NULL".to_string() } else { format!("'{version}'") };
            driver
                .execute(&format!(
                    "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, installed_by, \
                     execution_time, success) VALUES ({rank}, {version}, 'm', '{kind}', 's', 'me', 1, {success})"
                ))
                .unwrap();
        }
        Tool::Flyway.applied(&mut driver, &migrations).unwrap()
    }

    #[test]
    fn history_rows_are_read_as_flyway_means_them() {
        // Versions 1, 1.1, 2, 3 are numbered 10, 11, 20, 30.
        assert_eq!(history(&["- SCHEMA 1", "1 SQL 1", "1.1 SQL 1", "- SQL 1"]), BTreeSet::from([10, 11]));
        // A baseline covers every version up to it; later ones count as they ran.
        assert_eq!(history(&["1.1 BASELINE 1", "2 SQL 1"]), BTreeSet::from([10, 11, 20]));
        // An undo takes a version back out, and a rerun puts it back.
        assert_eq!(history(&["1 SQL 1", "2 SQL 1", "2 UNDO_SQL 1"]), BTreeSet::from([10]));
        assert_eq!(history(&["1 SQL 1", "1 UNDO_SQL 1", "1 SQL 1"]), BTreeSet::from([10]));
        // `1.0` is version 1.
        assert_eq!(history(&["1.0 SQL 1"]), BTreeSet::from([10]));
    }

    #[test]
    fn numbering_keeps_order_and_plain_integers() {
        let vs: Vec<Version> = ["1", "1.1", "1.2", "1.10", "2"].iter().map(|v| parse_version(v).unwrap()).collect();
        let n = Numbering::of(vs.iter());
        let numbers: Vec<u64> = vs.iter().map(|v| n.number(v).unwrap().0).collect();
        assert_eq!(numbers, [100, 101, 102, 110, 200]);
        assert_eq!(n.number(&vs[0]).unwrap().1, "100");
        let plain: Vec<Version> = ["1", "2", "10"].iter().map(|v| parse_version(v).unwrap()).collect();
        let n = Numbering::of(plain.iter());
        assert_eq!(plain.iter().map(|v| n.number(v).unwrap().0).collect::<Vec<_>>(), [1, 2, 10]);
        let huge = [vec![1, 0, 0], vec![99_999_999_999, 99_999_999_999]];
        assert!(Numbering::of(huge.iter()).number(&huge[1]).is_none());
    }
}
