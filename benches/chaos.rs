//! The long reliability harness: the engines of `tests/integration/reliability.rs` at full
//! size, against the release binary.
//!
//! ```sh
//! cargo bench --bench chaos                              # everything (about half an hour)
//! SQLMIG_CHAOS_ONLY=sqlite,fuzz cargo bench --bench chaos  # a subset
//! ```
//!
//! 1. crash safety: `sqlmig apply` killed with SIGKILL at random moments, at least
//!    `SQLMIG_CHAOS_KILLS` (default 200) times per database, each kill checked against a
//!    reference run (schema fingerprint and a digest of every table), dirty MySQL migrations
//!    finished or undone by hand and resolved, every run continued to completion;
//! 2. races: 16 processes mixing apply, rollback, status and verify for
//!    `SQLMIG_CHAOS_RACE_SECS` (default 10) seconds per database;
//! 3. input: every hostile folder of the test suite, a 100 MB migration, one just under the
//!    size limit, one megabyte on a single line and 10,000 migration files, with wall time and
//!    peak RSS (GNU `/usr/bin/time`);
//! 4. fuzzing: `SQLMIG_CHAOS_FUZZ` (default 1,000,000) generated and mutated inputs through the
//!    file parser, the splitter and the translator, for at most `SQLMIG_CHAOS_FUZZ_SECS`
//!    (default 600); crash inputs are written to `target/chaos-crashes/`.
//!
//! `SQLMIG_CHAOS_ONLY` picks parts (`sqlite`, `postgres`, `mysql` for crash safety, `races`,
//! `input`, `fuzz`); `SQLMIG_CHAOS_SEED` replays a run; `SQLMIG_CHAOS_MINUTES` bounds the
//! crash part per database (default 20). Servers as for the tests: PostgreSQL at
//! `SQLMIG_TEST_POSTGRES_URL`, MariaDB/MySQL at `SQLMIG_TEST_MYSQL_URL`. Exit status 1 when
//! anything failed.

#![allow(dead_code, unused_imports, unused_macros)]

#[macro_use]
#[path = "../tests/integration/helpers.rs"]
mod helpers;

#[path = "../tests/integration/reliability.rs"]
mod reliability;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use helpers::{Backend, Project, TestDb, BIN};
use reliability::*;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn wanted(part: &str) -> bool {
    match std::env::var("SQLMIG_CHAOS_ONLY") {
        Ok(only) if !only.trim().is_empty() => only.split(',').any(|p| p.trim() == part),
        _ => true,
    }
}

fn database(backend: Backend) -> Option<TestDb> {
    match backend {
        Backend::Sqlite => TestDb::sqlite(),
        Backend::Postgres => TestDb::postgres(),
        Backend::Mysql => TestDb::mysql(),
    }
}

fn name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
        Backend::Mysql => "mysql",
    }
}

/// A run of the binary under GNU time: (exit code, stdout, stderr, wall, peak RSS in KiB).
struct Measured {
    code: i32,
    stderr: String,
    wall: Duration,
    rss_kib: u64,
}

fn measured(dir: &Path, args: &[&str]) -> Measured {
    let started = Instant::now();
    let out = Command::new("/usr/bin/time")
        .current_dir(dir)
        .args(["-f", "%M"])
        .arg(BIN)
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("GNU time: apt-get install -y time");
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let rss_kib = stderr.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(0);
    Measured { code: out.status.code().unwrap_or(-1), stderr, wall, rss_kib }
}

/// A migration of about `bytes` bytes of multi-row INSERTs, on lines of about 300 bytes.
fn big_migration(path: &Path, bytes: usize, one_line: bool) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "-- +up\nCREATE TABLE big (id INTEGER PRIMARY KEY, v VARCHAR(100) NOT NULL);").unwrap();
    let mut written = 0;
    let mut id = 0;
    while written < bytes {
        let rows: Vec<String> = (0..5)
            .map(|_| {
                id += 1;
                format!("({id}, 'value number {id} of the generated migration')")
            })
            .collect();
        let line = format!("INSERT INTO big (id, v) VALUES {};{}", rows.join(", "), if one_line { " " } else { "\n" });
        f.write_all(line.as_bytes()).unwrap();
        written += line.len();
    }
    writeln!(f, "\n-- +down\nDROP TABLE big;").unwrap();
}

fn input_part(failures: &mut Vec<String>) {
    println!("\n## Hostile and large input (release binary)\n");
    // The hostile folders of the test suite, on SQLite.
    let db = TestDb::sqlite().unwrap();
    let mut refused = 0;
    for case in hostile_cases() {
        let p = Project::new(&db);
        for (n, bytes) in &case.files {
            p.write_bytes(n, bytes);
        }
        let out = p.run(&["apply"]);
        let located = case.at.is_none_or(|at| out.stderr.contains(&format!("migrations/{}:{at}", case.files[0].0)));
        if out.code == 2 && out.stderr.contains(case.message) && located && !db.exists() {
            refused += 1;
        } else {
            failures.push(format!("input: {}: {out}", case.what));
        }
    }
    println!("| case | result | wall | peak RSS |\n| --- | --- | --- | --- |");
    println!("| {} hostile folders (bad UTF-8, binary, NUL, UTF-16, unterminated constructs, markers, names, ...) | {refused} refused with exit 2, located, nothing created | | |", hostile_cases().len());

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let url = |db: &str| format!("sqlite://{}", root.join(db).display());
    let row = |what: &str, m: &Measured, result: &str| {
        println!("| {what} | {result} (exit {}) | {:.2?} | {} MiB |", m.code, m.wall, m.rss_kib / 1024);
    };

    // 100 MB: refused by its size before it is read.
    let m100 = root.join("m100");
    std::fs::create_dir(&m100).unwrap();
    big_migration(&m100.join("0001_big.sql"), 100 * 1024 * 1024, false);
    let m = measured(root, &["--dir", "m100", "-d", &url("a.db"), "apply"]);
    let ok = m.code == 2 && m.stderr.contains("more than the 16 MiB") && !root.join("a.db").exists();
    row("a 100 MB migration: `apply`", &m, if ok { "refused: over the 16 MiB limit" } else { "UNEXPECTED" });
    if !ok || m.rss_kib > 64 * 1024 {
        failures.push(format!("100 MB migration: exit {}, {} KiB\n{}", m.code, m.rss_kib, m.stderr));
    }
    std::fs::remove_dir_all(&m100).unwrap();

    // Just under the limit: applies.
    let m16 = root.join("m16");
    std::fs::create_dir(&m16).unwrap();
    big_migration(&m16.join("0001_big.sql"), 16 * 1024 * 1024 - 64 * 1024, false);
    let m = measured(root, &["--dir", "m16", "-d", &url("b.db"), "apply"]);
    row("a 16 MiB migration (55,000 INSERTs): `apply`", &m, if m.code == 0 { "applied" } else { "FAILED" });
    if m.code != 0 {
        failures.push(format!("16 MiB migration: {}", m.stderr));
    }
    let m = measured(root, &["--dir", "m16", "-d", &url("b.db"), "status"]);
    row("the same: `status`", &m, if m.code == 0 { "ok" } else { "FAILED" });
    std::fs::remove_dir_all(&m16).unwrap();

    // One megabyte on one line.
    let m1 = root.join("m1");
    std::fs::create_dir(&m1).unwrap();
    big_migration(&m1.join("0001_line.sql"), 1024 * 1024, true);
    let m = measured(root, &["--dir", "m1", "-d", &url("c.db"), "apply"]);
    row("1 MB of INSERTs on one line: `apply`", &m, if m.code == 0 { "applied" } else { "FAILED" });
    if m.code != 0 {
        failures.push(format!("one-line migration: {}", m.stderr));
    }

    // 10,000 files.
    let many = root.join("many");
    std::fs::create_dir(&many).unwrap();
    for v in 1..=10_000 {
        std::fs::write(
            many.join(format!("{v:05}_m{v}.sql")),
            format!("-- +up\nCREATE TABLE t{v} (id INTEGER PRIMARY KEY);\n-- +down\nDROP TABLE t{v};\n"),
        )
        .unwrap();
    }
    for (what, args) in [
        ("10,000 migration files: `status`, none applied", vec!["status"]),
        ("10,000 migration files: `apply`", vec!["apply"]),
        ("10,000 migration files: `status`, all applied", vec!["status"]),
        ("10,000 migration files: `verify`", vec!["verify"]),
        ("10,000 migration files: `apply`, nothing to do", vec!["apply"]),
    ] {
        let mut full = vec!["--dir", "many", "-d"];
        let u = url("many.db");
        full.push(&u);
        full.extend(args);
        let m = measured(root, &full);
        row(what, &m, if m.code == 0 { "ok" } else { "FAILED" });
        if m.code != 0 {
            failures.push(format!("{what}: {}", m.stderr));
        }
    }
}

fn main() -> ExitCode {
    let seed = seed();
    let kills = env_usize("SQLMIG_CHAOS_KILLS", 200);
    let minutes = env_usize("SQLMIG_CHAOS_MINUTES", 20);
    let race_secs = env_usize("SQLMIG_CHAOS_RACE_SECS", 10);
    let fuzz_cases = env_usize("SQLMIG_CHAOS_FUZZ", 1_000_000);
    let fuzz_secs = env_usize("SQLMIG_CHAOS_FUZZ_SECS", 600);
    println!("# sqlmig chaos harness\n\nbinary {BIN}, seed {seed} (replay with SQLMIG_CHAOS_SEED={seed})");
    let started = Instant::now();
    let mut failures: Vec<String> = Vec::new();
    let mut table = Vec::new();

    println!("\n## Crash safety: SIGKILL during `apply`\n");
    for backend in [Backend::Sqlite, Backend::Postgres, Backend::Mysql] {
        if !wanted(name(backend)) {
            continue;
        }
        let (Some(db), Some(reference)) = (database(backend), database(backend)) else {
            println!("SKIPPED {}: server not reachable", name(backend));
            continue;
        };
        let report = crash_chaos(&db, &reference, ChaosScale::FULL, kills, Duration::from_secs(60 * minutes as u64), seed);
        println!("{}\n", report.summary());
        if report.kills < kills {
            failures.push(format!("{}: only {} kills of {kills} within the time limit", name(backend), report.kills));
        }
        failures.extend(report.failures.iter().map(|f| format!("crash {}: {f}", name(backend))));
        table.push(format!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            name(backend),
            report.kills,
            report.cycles,
            report.states.len(),
            report.finished_by_hand + report.undone_by_hand,
            report.committed_unreported,
            report.failures.len()
        ));
    }
    if !table.is_empty() {
        println!("| database | kills | runs to completion | distinct states | dirty, resolved by hand | killed between commit and output | failures |");
        println!("| --- | --- | --- | --- | --- | --- | --- |");
        for row in &table {
            println!("{row}");
        }
    }

    if wanted("races") {
        println!("\n## Races: 16 processes, {race_secs} s per database\n");
        for backend in [Backend::Sqlite, Backend::Postgres, Backend::Mysql] {
            let Some(db) = database(backend) else {
                println!("SKIPPED {}: server not reachable", name(backend));
                continue;
            };
            let report = race(&db, Duration::from_secs(race_secs as u64), 16, 2.0, seed);
            println!("{}\n", report.summary());
            failures.extend(report.failures.iter().map(|f| format!("races {}: {f}", name(backend))));
        }
    }

    if wanted("input") {
        input_part(&mut failures);
    }

    if wanted("fuzz") {
        println!("\n## Fuzzing\n");
        let crash_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/chaos-crashes");
        let report = fuzz(fuzz_cases, Duration::from_secs(fuzz_secs as u64), seed, Some(&crash_dir));
        println!("{}", report.summary());
        if !report.failures.is_empty() {
            println!("crash inputs written to {}", crash_dir.display());
        }
        failures.extend(report.failures.iter().map(|(what, input)| format!("fuzz: {what}: {input:?}")));
    }

    println!("\n## Result\n\n{} failures in {:.0?} (seed {seed})", failures.len(), started.elapsed());
    for f in &failures {
        println!("- {f}");
    }
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
