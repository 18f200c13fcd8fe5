//! Migrations compiled into the application and applied at start-up.
//!
//! `cargo run --example embedded` applies the demo project in `migrations/` to an in-memory
//! SQLite database, with the same ledger, checksums and lock as `sqlmig apply`. An
//! application with many migrations would generate this list in its `build.rs` with
//! `sqlmig::embedded::generate` (see the README, "Embedding migrations in an application").

use sqlmig::driver::SqliteDriver;
use sqlmig::{ApplyRequest, Dialect, Migrator, Project};

/// The files, by name and text, compiled into the binary.
static MIGRATIONS: &[(&str, &str)] = &[
    ("0001_create_users.sql", include_str!("../migrations/0001_create_users.sql")),
    ("0002_create_projects.sql", include_str!("../migrations/0002_create_projects.sql")),
    ("0003_create_tasks.sql", include_str!("../migrations/0003_create_tasks.sql")),
    ("0004_seed_demo_data.sql", include_str!("../migrations/0004_seed_demo_data.sql")),
    ("0005_open_tasks_view.sql", include_str!("../migrations/0005_open_tasks_view.sql")),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let project = Project::from_files(MIGRATIONS.iter().copied(), Dialect::Postgres)?;
    let mut driver = SqliteDriver::new(rusqlite::Connection::open_in_memory()?);
    let mut migrator = Migrator::new(&project, &mut driver)?;

    let report = migrator.apply(&ApplyRequest::default(), &mut |ran| println!("applied {} ({} ms)", ran.label, ran.ms))?;
    if let Some(error) = report.failure {
        eprint!("{}", sqlmig::diagnostic::render(&error));
        std::process::exit(1);
    }
    // What `sqlmig verify` checks: every applied migration matches the embedded text.
    let verification = migrator.verify()?;
    assert!(verification.passed(true), "{:?}", verification.findings);
    println!("verified {} applied migrations", verification.checked);
    // A second start-up finds nothing to do.
    assert!(migrator.apply(&ApplyRequest::default(), &mut |_| {})?.ran.is_empty());
    drop(migrator);

    let conn = driver.into_inner();
    let open: i64 = conn.query_row("SELECT count(*) FROM open_tasks", [], |r| r.get(0))?;
    println!("{open} open tasks in the demo data");
    Ok(())
}
