//! Migrations compiled into an application, applied at start-up with the same ledger,
//! checksums and lock as the `sqlmig` command.
//!
//! Rust cannot list a folder at compile time without a build script, so the application's
//! `build.rs` calls [`generate`], which writes a Rust file holding one `include_str!` per
//! migration; the application includes that file and hands it to
//! [`Project::from_files`](crate::Project::from_files):
//!
//! ```no_run
//! // build.rs, in `fn main()`:
//! println!("cargo:rerun-if-changed=migrations");
//! let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("migrations.rs");
//! sqlmig::embedded::generate("migrations", &out).unwrap();
//! ```
//!
//! ```ignore
//! // src/main.rs
//! static MIGRATIONS: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/migrations.rs"));
//!
//! let project = sqlmig::Project::from_files(MIGRATIONS.iter().copied(), sqlmig::Dialect::Postgres)?;
//! let mut driver = sqlmig::driver::open(&url, &Default::default())?.expect("a server database");
//! let mut migrator = sqlmig::Migrator::new(&project, driver.as_mut())?;
//! let report = migrator.apply(&sqlmig::ApplyRequest::default(), &mut |_| {})?;
//! ```
//!
//! The file names and texts are the files' own, so the ledger rows an application writes are
//! exactly the ones `sqlmig apply` would write: the command line can check (`sqlmig verify`),
//! apply or roll back the same database.

use std::path::Path;

use crate::error::{Error, Result};

/// The Rust source of a `&[(&str, &str)]` expression: `(file name, include_str!(path))` for
/// every migration in `dir`, in version order. Paths are made absolute so the generated file
/// can be included from anywhere. The folder is checked as `sqlmig` checks it (names,
/// duplicate versions).
pub fn source(dir: impl AsRef<Path>) -> Result<String> {
    let dir = dir.as_ref();
    let ids = crate::discover::discover(dir)?;
    let mut out = String::from("&[\n");
    for id in ids {
        let path =
            std::fs::canonicalize(&id.path).map_err(|source| Error::Io { action: "read", path: id.path.clone(), source })?;
        let name = id.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        out.push_str(&format!("    ({name:?}, include_str!({:?})),\n", path.display().to_string()));
    }
    out.push(']');
    out.push('\n');
    Ok(out)
}

/// Write [`source`] for `dir` to `out`, for an application's build script. The file is
/// rewritten only when its content changes, so unchanged migrations trigger no rebuild.
pub fn generate(dir: impl AsRef<Path>, out: impl AsRef<Path>) -> Result<()> {
    let out = out.as_ref();
    let text = source(dir)?;
    if std::fs::read_to_string(out).is_ok_and(|old| old == text) {
        return Ok(());
    }
    crate::files::write(out, &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_migration_with_include_str() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("0002_b.sql"), "-- +up\nSELECT 2;\n").unwrap();
        std::fs::write(dir.path().join("0001_a.sql"), "-- +up\nSELECT 1;\n").unwrap();
        std::fs::write(dir.path().join("README.md"), "not a migration").unwrap();
        let text = source(dir.path()).unwrap();
        let a = text.find("(\"0001_a.sql\", include_str!(").unwrap();
        let b = text.find("(\"0002_b.sql\", include_str!(").unwrap();
        assert!(a < b, "{text}");
        assert!(!text.contains("README"), "{text}");
        let out = dir.path().join("out.rs");
        generate(dir.path(), &out).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
    }
}
