//! goose (pressly/goose): `<version>_<name>.sql` files with `-- +goose Up` / `-- +goose Down`
//! sections, and the `goose_db_version` history table.
//!
//! Annotations (case-insensitive, as goose reads them) map to sqlmig markers:
//! `Up`/`Down` → `-- +up`/`-- +down`, `StatementBegin`/`StatementEnd` → `-- +begin`/`-- +end`,
//! `NO TRANSACTION` → `-- +no-transaction` in every section (goose runs the whole migration
//! outside a transaction), and `ENVSUB ON`/`OFF` → `-- +envsub` in each section that had
//! substitution on. Go migrations (`<version>_<name>.go`) hold code, not SQL, and are refused.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{
    convert_annotated, file_name_part, files, is_sql, leading_digits, read_text, shown, version_number, versioned_stem,
    Annotation,
};
use super::{History, Imported};
use crate::driver::Driver;
use crate::error::{Error, Result};

pub(crate) fn read(dir: &Path) -> Result<Vec<Imported>> {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for (name, path) in files(dir)? {
        let (digits, rest) = leading_digits(&name);
        if name.to_ascii_lowercase().ends_with(".go") {
            if !digits.is_empty() && rest.starts_with('_') && !name.ends_with("_test.go") {
                errors.push(
                    Error::input(format!("`{}` is a Go migration, which sqlmig cannot import", shown(&path)))
                        .with_help("rewrite it as a `.sql` migration in the goose folder (or apply it by hand), then import"),
                );
            }
            continue;
        }
        if !is_sql(&name) {
            continue;
        }
        match convert(&path, &name) {
            Ok(m) => found.push(m),
            Err(e) => errors.push(e),
        }
    }
    crate::error::collect(errors)?;
    Ok(found)
}

fn convert(path: &Path, file_name: &str) -> Result<Imported> {
    let (digits, name) = versioned_stem(file_name).ok_or_else(|| {
        Error::input(format!("`{}` is not a goose migration file name", shown(path)))
            .with_help("goose names migrations `<version>_<name>.sql`")
    })?;
    let version = version_number(digits, path)?;
    if version == 0 {
        return Err(Error::input(format!("`{}`: goose versions start at 1", shown(path))));
    }
    let text = read_text(path)?;
    let b = convert_annotated(path, &text, "-- +goose Up", classify)?;
    let no_transaction = text.lines().any(|l| classify(l) == Some(Ok(Annotation::NoTransaction)));
    let has_down = text.lines().any(|l| matches!(classify(l), Some(Ok(Annotation::Down(_)))));
    Ok(b.finish((version, digits.to_string()), file_name_part(name), version.to_string(), no_transaction, has_down))
}

/// goose's annotation lines: `--`, blanks, `+goose`, a blank, the annotation.
fn classify(line: &str) -> Option<std::result::Result<Annotation, String>> {
    let rest = line.strip_prefix("--")?.trim_start().strip_prefix("+goose")?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let words: Vec<String> = rest.split_whitespace().map(str::to_ascii_uppercase).collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    Some(match words.as_slice() {
        ["UP"] => Ok(Annotation::Up(false)),
        ["DOWN"] => Ok(Annotation::Down(false)),
        ["STATEMENTBEGIN"] => Ok(Annotation::Begin),
        ["STATEMENTEND"] => Ok(Annotation::End),
        ["NO", "TRANSACTION"] => Ok(Annotation::NoTransaction),
        ["ENVSUB", "ON"] => Ok(Annotation::Envsub(true)),
        ["ENVSUB", "OFF"] => Ok(Annotation::Envsub(false)),
        _ => Err(format!("unknown goose annotation `{}`", line.trim())),
    })
}

/// goose adds a row per up (`is_applied` true) and, in older versions, per down (false);
/// newer versions delete the row on down. The newest row of a version decides. Version 0 is
/// the row goose writes when it creates the table.
pub(crate) fn applied(driver: &mut dyn Driver, history: &History, migrations: &[Imported]) -> Result<BTreeSet<u64>> {
    let rows = history.query(driver, "version_id, is_applied", " ORDER BY id")?;
    let mut latest: BTreeMap<i64, bool> = BTreeMap::new();
    for row in rows {
        latest.insert(row[0].as_i64(), super::truthy(&row[1]));
    }
    let versions = latest.into_iter().filter(|(v, applied)| *applied && *v != 0).map(|(v, _)| v);
    super::by_number(history, migrations, versions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converted(text: &str) -> String {
        let b = convert_annotated(Path::new("1_a.sql"), text, "-- +goose Up", classify).unwrap();
        b.text
    }

    #[test]
    fn annotations_become_markers_and_sql_is_kept() {
        let text = "-- a comment\n-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n-- +goose StatementEnd\n\n-- +goose Down\nDROP FUNCTION f;";
        assert_eq!(
            converted(text),
            "-- a comment\n-- +up\n-- +begin\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n-- +end\n\n-- +down\nDROP FUNCTION f;\n"
        );
        assert_eq!(converted("-- +goose up\r\nSELECT 1;\r\n"), "-- +up\r\nSELECT 1;\r\n");
    }

    #[test]
    fn no_transaction_covers_every_section() {
        assert_eq!(
            converted("-- +goose Up\n-- +goose NO TRANSACTION\nSELECT 1;\n-- +goose Down\nSELECT 2;\n"),
            "-- +up\n-- +no-transaction\nSELECT 1;\n-- +down\n-- +no-transaction\nSELECT 2;\n"
        );
        assert_eq!(converted("-- +goose NO TRANSACTION\n-- +goose Up\nSELECT 1;\n"), "-- +no-transaction\n-- +up\nSELECT 1;\n");
    }

    #[test]
    fn envsub_follows_the_sections_it_covered() {
        assert_eq!(
            converted("-- +goose Up\n-- +goose ENVSUB ON\nSELECT '${A}';\n-- +goose Down\nSELECT '${B}';\n"),
            "-- +up\n-- +envsub\nSELECT '${A}';\n-- +down\n-- +envsub\nSELECT '${B}';\n"
        );
        assert_eq!(
            converted("-- +goose Up\nSELECT 1;\n-- +goose Down\n-- +goose ENVSUB ON\nSELECT '${B}';\n-- +goose ENVSUB OFF\n"),
            "-- +up\nSELECT 1;\n-- +down\n-- +envsub\nSELECT '${B}';\n"
        );
        let err = convert_annotated(
            Path::new("1_a.sql"),
            "-- +goose Up\n-- +goose ENVSUB ON\nSELECT '$A';\n",
            "-- +goose Up",
            classify,
        )
        .unwrap_err();
        assert_eq!(err.location().map(|l| (l.line, l.column)), Some((3, 9)), "{err}");
        let err = convert_annotated(
            Path::new("1_a.sql"),
            "-- +goose Up\n-- +goose ENVSUB ON\nSELECT 1;\n-- +goose ENVSUB OFF\nSELECT '${X}';\n",
            "-- +goose Up",
            classify,
        )
        .unwrap_err();
        assert_eq!(err.location().map(|l| l.line), Some(5), "{err}");
    }

    #[test]
    fn unknown_annotations_and_missing_up_are_refused() {
        let err = convert_annotated(Path::new("1_a.sql"), "-- +goose Upp\nSELECT 1;\n", "-- +goose Up", classify).unwrap_err();
        assert!(err.to_string().contains("unknown goose annotation"), "{err}");
        let err = convert_annotated(Path::new("1_a.sql"), "SELECT 1;\n", "-- +goose Up", classify).unwrap_err();
        assert!(err.to_string().contains("no `-- +goose Up` line"), "{err}");
        // A comment that merely mentions goose is SQL text.
        assert_eq!(classify("-- +gooseberry"), None);
    }
}
