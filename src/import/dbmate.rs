//! dbmate: `<version>_<name>.sql` files with `-- migrate:up` / `-- migrate:down` sections,
//! and the `schema_migrations (version)` history table.
//!
//! `-- migrate:up` → `-- +up`, `-- migrate:down` → `-- +down`; the option
//! `transaction:false` on either adds `-- +no-transaction` to that section.

use std::collections::BTreeSet;
use std::path::Path;

use super::{convert_annotated, file_name_part, read_sql_files, read_text, shown, version_number, versioned_stem, Annotation};
use super::{History, Imported};
use crate::driver::Driver;
use crate::error::{Error, Result};

pub(crate) fn read(dir: &Path) -> Result<Vec<Imported>> {
    read_sql_files(dir, convert)
}

fn convert(path: &Path, file_name: &str) -> Result<Imported> {
    let (digits, name) = versioned_stem(file_name).ok_or_else(|| {
        Error::input(format!("`{}` is not a dbmate migration file name", shown(path)))
            .with_help("dbmate names migrations `<version>_<name>.sql`")
    })?;
    let version = version_number(digits, path)?;
    let text = read_text(path)?;
    let b = convert_annotated(path, &text, "-- migrate:up", classify)?;
    let annotations: Vec<Annotation> = text.lines().filter_map(classify).filter_map(|a| a.ok()).collect();
    let no_transaction = annotations.iter().any(|a| matches!(a, Annotation::Up(true) | Annotation::Down(true)));
    let has_down = annotations.iter().any(|a| matches!(a, Annotation::Down(_)));
    Ok(b.finish((version, digits.to_string()), file_name_part(name), digits.to_string(), no_transaction, has_down))
}

/// `-- migrate:up` or `-- migrate:down`, then options such as `transaction:false`.
fn classify(line: &str) -> Option<std::result::Result<Annotation, String>> {
    let rest = line.strip_prefix("--")?.trim_start().strip_prefix("migrate:")?;
    let mut words = rest.split_whitespace();
    let direction = words.next().unwrap_or("");
    let mut no_transaction = false;
    for option in words {
        match option {
            "transaction:false" => no_transaction = true,
            "transaction:true" => no_transaction = false,
            other => return Some(Err(format!("unknown dbmate option `{other}`"))),
        }
    }
    Some(match direction {
        "up" => Ok(Annotation::Up(no_transaction)),
        "down" => Ok(Annotation::Down(no_transaction)),
        other => Err(format!("unknown dbmate annotation `migrate:{other}`")),
    })
}

/// dbmate adds a row holding the version as its file name spells it on up and deletes it
/// on down.
pub(crate) fn applied(driver: &mut dyn Driver, history: &History, migrations: &[Imported]) -> Result<BTreeSet<u64>> {
    let rows = history.query(driver, "version", " ORDER BY version")?;
    let mut found = BTreeSet::new();
    let mut missing = Vec::new();
    for row in rows {
        let version = row.into_iter().next().map(|v| v.into_string()).unwrap_or_default();
        let version = version.trim();
        // The text as written; a number the files spell with other leading zeros still matches.
        match migrations.iter().find(|m| m.key == version).or_else(|| {
            let n = version.parse::<u64>().ok()?;
            migrations.iter().find(|m| m.version == n)
        }) {
            Some(m) => {
                found.insert(m.version);
            }
            None => missing.push(version.to_string()),
        }
    }
    if !missing.is_empty() {
        return Err(history.unknown_versions(&missing));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_transaction_option() {
        let b = convert_annotated(
            Path::new("20200101000000_a.sql"),
            "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (x);\n\n-- migrate:down\nDROP INDEX i;\n",
            "-- migrate:up",
            classify,
        )
        .unwrap();
        assert_eq!(b.text, "-- +up\n-- +no-transaction\nCREATE INDEX CONCURRENTLY i ON t (x);\n\n-- +down\nDROP INDEX i;\n");
        assert_eq!(b.origins, [(0, 1), (0, 1), (0, 2), (0, 3), (0, 4), (0, 5)]);
        assert!(classify("-- migrate:up transaction:maybe").unwrap().is_err());
        assert_eq!(classify("-- migrations follow"), None);
    }
}
