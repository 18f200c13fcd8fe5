//! The SQLite table rebuild benchmark (see benches/README.md).
fn main() {}
