//! sql-migrate (rubenv/sql-migrate): `.sql` files with `-- +migrate Up` / `-- +migrate Down`
//! sections, and the `gorp_migrations (id, applied_at)` history table, whose `id` is the
//! file name.
//!
//! `Up`/`Down` → `-- +up`/`-- +down` (the option `notransaction` adds `-- +no-transaction`
//! to that section), `StatementBegin`/`StatementEnd` → `-- +begin`/`-- +end`.
//! sql-migrate accepts any file name and orders by a leading number when there is one;
//! sqlmig needs that number as the version, so a file without one, or two files with the
//! same one, is refused.

use std::collections::BTreeSet;
use std::path::Path;

use super::{convert_annotated, file_name_part, leading_digits, read_sql_files, read_text, shown, version_number, Annotation};
use super::{History, Imported};
use crate::driver::Driver;
use crate::error::{Error, Result};

pub(crate) fn read(dir: &Path) -> Result<Vec<Imported>> {
    read_sql_files(dir, convert)
}

fn convert(path: &Path, file_name: &str) -> Result<Imported> {
    let stem = &file_name[..file_name.len() - 4];
    let (digits, rest) = leading_digits(stem);
    if digits.is_empty() {
        return Err(Error::input(format!(
            "`{}` has no version number: sql-migrate orders it by name, sqlmig by a leading number",
            shown(path)
        ))
        .with_help("rename the tool's files to start with their order (`1_init.sql`, `2_users.sql`, ...) in the tool's folder and in `gorp_migrations.id`, then import"));
    }
    let version = version_number(digits, path)?;
    let name = rest.trim_start_matches(['_', '-', '.', ' ']);
    let text = read_text(path)?;
    let b = convert_annotated(path, &text, "-- +migrate Up", classify)?;
    let annotations: Vec<Annotation> = text.lines().filter_map(classify).filter_map(|a| a.ok()).collect();
    let no_transaction = annotations.iter().any(|a| matches!(a, Annotation::Up(true) | Annotation::Down(true)));
    let has_down = annotations.iter().any(|a| matches!(a, Annotation::Down(_)));
    Ok(b.finish((version, digits.to_string()), file_name_part(name), file_name.to_string(), no_transaction, has_down))
}

/// `-- +migrate` and a command, as sql-migrate reads them (case-sensitive).
fn classify(line: &str) -> Option<std::result::Result<Annotation, String>> {
    let rest = line.strip_prefix("--")?.trim_start().strip_prefix("+migrate")?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    let options_ok = |options: &[&str]| options.iter().all(|o| *o == "notransaction");
    Some(match words.as_slice() {
        ["Up", options @ ..] if options_ok(options) => Ok(Annotation::Up(!options.is_empty())),
        ["Down", options @ ..] if options_ok(options) => Ok(Annotation::Down(!options.is_empty())),
        ["StatementBegin"] => Ok(Annotation::Begin),
        ["StatementEnd"] => Ok(Annotation::End),
        _ => Err(format!("unknown sql-migrate annotation `{}`", line.trim())),
    })
}

/// sql-migrate adds a row whose `id` is the file name on up and deletes it on down.
pub(crate) fn applied(driver: &mut dyn Driver, history: &History, migrations: &[Imported]) -> Result<BTreeSet<u64>> {
    let rows = history.query(driver, "id", " ORDER BY id")?;
    let mut found = BTreeSet::new();
    let mut missing = Vec::new();
    for row in rows {
        let id = row.into_iter().next().map(|v| v.into_string()).unwrap_or_default();
        match migrations.iter().find(|m| m.key == id) {
            Some(m) => {
                found.insert(m.version);
            }
            None => missing.push(format!("`{id}`")),
        }
    }
    if !missing.is_empty() {
        return Err(history.unknown(&missing.join(", ")));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_and_options() {
        let b = convert_annotated(
            Path::new("1_a.sql"),
            "-- +migrate Up notransaction\n-- +migrate StatementBegin\nSELECT 1;\n-- +migrate StatementEnd\n-- +migrate Down\nSELECT 2;\n",
            "-- +migrate Up",
            classify,
        )
        .unwrap();
        assert_eq!(b.text, "-- +up\n-- +no-transaction\n-- +begin\nSELECT 1;\n-- +end\n-- +down\nSELECT 2;\n");
        assert!(classify("-- +migrate up").unwrap().is_err(), "sql-migrate's commands are case-sensitive");
    }
}
