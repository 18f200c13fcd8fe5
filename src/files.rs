//! Creating the files sqlmig writes into a project (migrations, the sum file, the folder).
//!
//! Migrations are code that runs with a database's privileges, so what sqlmig creates is never
//! writable by others, whatever the process's umask: files are created `0644` and folders
//! `0755`, and the umask can only take permissions away. Existing files keep their mode.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Permission bits of a file sqlmig creates (before the umask).
#[cfg(unix)]
const FILE_MODE: u32 = 0o644;
/// Permission bits of a folder sqlmig creates (before the umask).
#[cfg(unix)]
const DIR_MODE: u32 = 0o755;

fn options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options
}

fn write_all(path: &Path, file: std::io::Result<std::fs::File>, action: &'static str, text: &str) -> Result<()> {
    let mut file = file.map_err(|source| Error::Io { action, path: path.to_path_buf(), source })?;
    file.write_all(text.as_bytes()).map_err(|source| Error::Io { action: "write", path: path.to_path_buf(), source })
}

/// Create `path` with `text`; an existing file is an error, never overwritten.
pub fn create_new(path: &Path, text: &str) -> Result<()> {
    write_all(path, options().create_new(true).open(path), "create", text)
}

/// Write `text` to `path`, creating it or replacing what it held.
pub fn write(path: &Path, text: &str) -> Result<()> {
    write_all(path, options().create(true).truncate(true).open(path), "write", text)
}

/// Create a folder and its missing parents.
pub fn create_dir_all(path: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(path).map_err(|source| Error::Io { action: "create", path: path.to_path_buf(), source })
}
