//! The SQLite table rebuild benchmark: `sqlmig apply` of a migration that rebuilds a large
//! table, against the same rebuild written by hand and run by the `sqlite3` shell.
//!
//! ```sh
//! cargo bench --bench rebuild
//! ```
//!
//! A template database holds table `parent` (`SQLMIG_BENCH_ROWS` rows, default 1,000,000; six
//! columns, an index on `name`) and table `child` (a tenth as many rows, a foreign key to
//! `parent` with ON DELETE CASCADE, indexed), created by `sqlmig apply` of a first migration
//! and filled with `INSERT ... SELECT` from a recursive CTE. Each run copies it twice, then
//! times, as whole processes:
//!
//! - **sqlmig**: `sqlmig apply` of `ALTER TABLE parent ALTER COLUMN c SET NOT NULL;
//!   ALTER TABLE parent ALTER COLUMN c TYPE BIGINT;` (one rebuild, with its NOT NULL check);
//! - **sqlite3**: the documented procedure by hand on the other copy: foreign keys off, `BEGIN`,
//!   `CREATE TABLE parent_new`, `INSERT ... SELECT`, `DROP TABLE parent`, `ALTER TABLE ...
//!   RENAME`, `CREATE INDEX`, `COMMIT`;
//! - **same engine**: that script run by this benchmark's own executable in a child process,
//!   through rusqlite with the bundled SQLite that sqlmig uses, since the system's `sqlite3`
//!   shell is usually another SQLite version, faster or slower for reasons that are not
//!   sqlmig's.
//!
//! Runs rotate the order of the three so drift on a busy machine hits every side; the table
//! shows medians and each ratio is the median of per-run ratios (target: at most 1.2). Peak RSS and CPU of
//! each process come from GNU `/usr/bin/time` (`apt-get install -y time`); sqlmig's peak RSS
//! is also measured on a table a tenth the size, to show that it does not grow with the table.
//!
//! Environment: `SQLMIG_BENCH_ROWS` (default 1000000), `SQLMIG_BENCH_RUNS` (default 5),
//! `SQLMIG_BENCH_DIR` (scratch folder, default the system temp dir; needs about 6 times the
//! database size free).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

type Result<T, E = String> = std::result::Result<T, E>;

const GNU_TIME: &str = "/usr/bin/time";

const SCHEMA: &str = "\
-- +up
CREATE TABLE parent (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    c INTEGER,
    score REAL,
    created TEXT,
    note TEXT
);
CREATE INDEX parent_name ON parent (name);
CREATE TABLE child (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE,
    what TEXT
);
CREATE INDEX child_parent ON child (parent_id);
-- +down
DROP TABLE child;
DROP TABLE parent;
";

const REBUILD: &str = "\
-- +up
ALTER TABLE parent ALTER COLUMN c SET NOT NULL;
ALTER TABLE parent ALTER COLUMN c TYPE BIGINT;
";

/// The same rebuild, by hand.
const BY_HAND: &str = "\
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE parent_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL, c BIGINT NOT NULL, score REAL, created TEXT, note TEXT);
INSERT INTO parent_new (id, name, c, score, created, note) SELECT id, name, c, score, created, note FROM parent;
DROP TABLE parent;
ALTER TABLE parent_new RENAME TO parent;
CREATE INDEX parent_name ON parent (name);
COMMIT;
";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The release binary: Cargo builds it for benchmarks and names it in `CARGO_BIN_EXE_sqlmig`.
fn sqlmig_bin() -> Result<PathBuf> {
    let bin = option_env!("CARGO_BIN_EXE_sqlmig")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/sqlmig"));
    if !bin.exists() {
        eprintln!("{} is missing: running `cargo build --release --bin sqlmig` first", bin.display());
        let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args(["build", "--release", "--bin", "sqlmig"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() || !bin.exists() {
            return Err(format!("could not build {}", bin.display()));
        }
    }
    Ok(bin)
}

/// What one process cost.
#[derive(Debug, Clone, Copy)]
struct Cost {
    wall: f64,
    cpu: f64,
    rss_kb: u64,
}

/// Run a command to completion under GNU time; its stdin from `input` when given.
fn measure(cmd: Command, input: Option<&Path>, scratch: &Path) -> Result<Cost> {
    let report = scratch.join("time.txt");
    let program = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
    let mut timed = Command::new(GNU_TIME);
    timed.arg("-f").arg("%M %U %S").arg("-o").arg(&report).arg(program).args(args);
    if let Some(dir) = cmd.get_current_dir() {
        timed.current_dir(dir);
    }
    timed.stdout(Stdio::null()).stderr(Stdio::piped());
    timed.stdin(match input {
        Some(p) => Stdio::from(fs::File::open(p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => Stdio::null(),
    });
    let started = Instant::now();
    let out = timed.output().map_err(|e| format!("cannot run {GNU_TIME}: {e} (apt-get install -y time)"))?;
    let wall = started.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!("{:?} failed: {}", cmd, String::from_utf8_lossy(&out.stderr)));
    }
    let text = fs::read_to_string(&report).map_err(|e| e.to_string())?;
    let f: Vec<&str> = text.split_whitespace().collect();
    let num = |i: usize| f.get(i).and_then(|s| s.parse::<f64>().ok()).ok_or(format!("bad time report: {text}"));
    Ok(Cost { wall, cpu: num(1)? + num(2)?, rss_kb: num(0)? as u64 })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// A project folder whose database `bench.db` has the schema applied and `rows` rows.
fn template(sqlmig: &Path, dir: &Path, rows: usize) -> Result<PathBuf> {
    fs::create_dir_all(dir.join("migrations")).map_err(|e| e.to_string())?;
    fs::write(dir.join("migrations/1_schema.sql"), SCHEMA).map_err(|e| e.to_string())?;
    let db = dir.join("bench.db");
    let _ = fs::remove_file(&db);
    let out = Command::new(sqlmig)
        .current_dir(dir)
        .args(["-q", "--database", "sqlite://bench.db", "apply"])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("sqlmig apply of the schema failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let c = rusqlite::Connection::open(&db).map_err(|e| e.to_string())?;
    c.execute_batch(&format!(
        "BEGIN;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
         INSERT INTO parent (id, name, c, score, created, note)
           SELECT i, 'name ' || ((i * 7919) % {rows}), i % 1000, i * 0.25, '2024-01-01 12:00:00',
                  CASE WHEN i % 3 = 0 THEN NULL ELSE 'a note of some length for row ' || i END FROM n;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {children})
         INSERT INTO child (id, parent_id, what) SELECT i, 1 + (i * 13) % {rows}, 'child ' || i FROM n;
         COMMIT;
         VACUUM;",
        children = (rows / 10).max(1)
    ))
    .map_err(|e| e.to_string())?;
    fs::write(dir.join("migrations/2_rebuild.sql"), REBUILD).map_err(|e| e.to_string())?;
    fs::write(dir.join("by_hand.sql"), BY_HAND).map_err(|e| e.to_string())?;
    Ok(db)
}

/// A fresh copy of the template: a project folder for sqlmig, or just a file for the shell.
fn fresh(template_dir: &Path, to: &Path) -> Result<PathBuf> {
    let _ = fs::remove_dir_all(to);
    fs::create_dir_all(to.join("migrations")).map_err(|e| e.to_string())?;
    for f in ["migrations/1_schema.sql", "migrations/2_rebuild.sql", "bench.db"] {
        fs::copy(template_dir.join(f), to.join(f)).map_err(|e| format!("copy {f}: {e}"))?;
    }
    Ok(to.join("bench.db"))
}

fn sqlmig_apply(sqlmig: &Path, dir: &Path) -> Command {
    let mut cmd = Command::new(sqlmig);
    cmd.current_dir(dir).args(["-q", "--database", "sqlite://bench.db", "apply"]);
    cmd
}

fn sqlite3(db: &Path) -> Command {
    let mut cmd = Command::new("sqlite3");
    cmd.arg(db);
    cmd
}

/// This executable, running a script on a database with the bundled SQLite.
fn same_engine(db: &Path, script: &Path) -> Result<Command> {
    let mut cmd = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
    cmd.arg(RUN_SCRIPT).arg(db).arg(script);
    Ok(cmd)
}

const RUN_SCRIPT: &str = "--run-script";

/// The child side of [`same_engine`].
fn run_script(db: &str, script: &str) -> Result<()> {
    let sql = fs::read_to_string(script).map_err(|e| format!("{script}: {e}"))?;
    let c = rusqlite::Connection::open(db).map_err(|e| e.to_string())?;
    c.execute_batch(&sql).map_err(|e| e.to_string())
}

/// What both sides must end with: the table's definition as SQLite sees it and its rows.
fn result(db: &Path) -> Result<String> {
    let c = rusqlite::Connection::open(db).map_err(|e| e.to_string())?;
    let q = |sql: &str| -> Result<String> {
        let mut stmt = c.prepare(sql).map_err(|e| e.to_string())?;
        let n = stmt.column_count();
        let rows: Vec<String> = stmt
            .query_map([], |r| Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|")))
            .map_err(|e| e.to_string())?
            .map(|r| r.unwrap())
            .collect();
        Ok(rows.join("\n"))
    };
    Ok([
        q("SELECT name, type, \"notnull\", pk FROM pragma_table_info('parent')")?,
        q("SELECT name FROM pragma_index_list('parent')")?,
        q("SELECT count(*), sum(c), total(score), count(note) FROM parent")?,
        q("SELECT count(*) FROM child")?,
        q("PRAGMA integrity_check")?,
        q("PRAGMA foreign_key_check")?,
    ]
    .join("\n"))
}

struct Side {
    runs: Vec<Cost>,
}

impl Side {
    fn wall(&self) -> f64 {
        median(self.runs.iter().map(|c| c.wall).collect())
    }
    fn cpu(&self) -> f64 {
        median(self.runs.iter().map(|c| c.cpu).collect())
    }
    fn rss_mb(&self) -> f64 {
        median(self.runs.iter().map(|c| c.rss_kb as f64 / 1024.0).collect())
    }
}

fn run() -> Result<()> {
    let rows = env_usize("SQLMIG_BENCH_ROWS", 1_000_000);
    let runs = env_usize("SQLMIG_BENCH_RUNS", 5).max(1);
    if !Path::new(GNU_TIME).exists() {
        return Err(format!("{GNU_TIME} is missing: apt-get install -y time"));
    }
    Command::new("sqlite3").arg("--version").output().map_err(|e| format!("the sqlite3 shell is missing: {e}"))?;
    let sqlmig = sqlmig_bin()?;
    let base = std::env::var_os("SQLMIG_BENCH_DIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let scratch = base.join(format!("sqlmig-bench-rebuild-{}", std::process::id()));
    fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let result_of = (|| -> Result<()> {
        let small_rows = (rows / 10).max(1);
        eprintln!("building the templates ({rows} and {small_rows} rows) in {}", scratch.display());
        let big_dir = scratch.join("template");
        let big = template(&sqlmig, &big_dir, rows)?;
        let small_dir = scratch.join("template-small");
        template(&sqlmig, &small_dir, small_rows)?;
        let size_mb = fs::metadata(&big).map_err(|e| e.to_string())?.len() as f64 / 1e6;

        let a_dir = scratch.join("a");
        let b_dir = scratch.join("b");
        let c_dir = scratch.join("c");
        let hand = big_dir.join("by_hand.sql");
        let mut ours = Side { runs: Vec::new() };
        let mut shell = Side { runs: Vec::new() };
        let mut engine = Side { runs: Vec::new() };
        let (mut ratios, mut engine_ratios) = (Vec::new(), Vec::new());
        for i in 0..runs {
            let a = fresh(&big_dir, &a_dir)?;
            let b = fresh(&big_dir, &b_dir)?;
            let c = fresh(&big_dir, &c_dir)?;
            let mut costs: [Option<Cost>; 3] = [None; 3];
            // Rotate who goes first, so a slow phase of the machine is shared.
            for k in 0..3 {
                let side = (i + k) % 3;
                costs[side] = Some(match side {
                    0 => measure(sqlmig_apply(&sqlmig, &a_dir), None, &scratch)?,
                    1 => measure(sqlite3(&b), Some(&hand), &scratch)?,
                    _ => measure(same_engine(&c, &hand)?, None, &scratch)?,
                });
            }
            let [Some(x), Some(y), Some(z)] = costs else { unreachable!() };
            if i == 0 {
                let (ra, rb, rc) = (result(&a)?, result(&b)?, result(&c)?);
                if ra != rb || ra != rc {
                    return Err(format!("the rebuilds differ:\n--- sqlmig\n{ra}\n--- sqlite3\n{rb}\n--- same engine\n{rc}"));
                }
            }
            eprintln!("run {}: sqlmig {:.2} s, sqlite3 {:.2} s, same engine {:.2} s", i + 1, x.wall, y.wall, z.wall);
            ratios.push(x.wall / y.wall);
            engine_ratios.push(x.wall / z.wall);
            ours.runs.push(x);
            shell.runs.push(y);
            engine.runs.push(z);
        }
        let mut small = Side { runs: Vec::new() };
        for _ in 0..runs.min(3) {
            fresh(&small_dir, &a_dir)?;
            small.runs.push(measure(sqlmig_apply(&sqlmig, &a_dir), None, &scratch)?);
        }
        let ratio = median(ratios);
        let engine_ratio = median(engine_ratios);
        let shell_version = Command::new("sqlite3")
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).split_whitespace().next().unwrap_or("?").to_string())
            .unwrap_or_default();
        println!();
        println!(
            "SQLite table rebuild: {rows} rows in `parent` ({size_mb:.0} MB file), {} in `child`, median of {runs} runs",
            (rows / 10).max(1)
        );
        println!();
        println!("| rows | what | wall | CPU | peak RSS |");
        println!("| ---: | --- | ---: | ---: | ---: |");
        println!(
            "| {rows} | `sqlmig apply` (bundled SQLite {}) | {:.2} s | {:.2} s | {:.1} MB |",
            rusqlite::version(),
            ours.wall(),
            ours.cpu(),
            ours.rss_mb()
        );
        println!(
            "| {rows} | by hand, `sqlite3` shell {shell_version} | {:.2} s | {:.2} s | {:.1} MB |",
            shell.wall(),
            shell.cpu(),
            shell.rss_mb()
        );
        println!(
            "| {rows} | by hand, same script, bundled SQLite {} | {:.2} s | {:.2} s | {:.1} MB |",
            rusqlite::version(),
            engine.wall(),
            engine.cpu(),
            engine.rss_mb()
        );
        println!("| {small_rows} | `sqlmig apply` | {:.2} s | {:.2} s | {:.1} MB |", small.wall(), small.cpu(), small.rss_mb());
        println!();
        let verdict = |r: f64| if r <= 1.2 { "✓" } else { "✗" };
        println!(
            "sqlmig / by hand with the sqlite3 shell (median of per-run ratios): {ratio:.2}x (target ≤ 1.2x) {}",
            verdict(ratio)
        );
        println!(
            "sqlmig / by hand with the same SQLite (median of per-run ratios): {engine_ratio:.2}x (target ≤ 1.2x) {}",
            verdict(engine_ratio)
        );
        println!("sqlmig peak RSS: {:.1} MB at {rows} rows, {:.1} MB at {small_rows} rows", ours.rss_mb(), small.rss_mb());
        Ok(())
    })();
    let _ = fs::remove_dir_all(&scratch);
    result_of
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(RUN_SCRIPT) {
        return match run_script(args.get(2).map_or("", String::as_str), args.get(3).map_or("", String::as_str)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        };
    }
    // `cargo bench` passes `--bench`; a filter argument is ignored.
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rebuild benchmark: {e}");
            ExitCode::FAILURE
        }
    }
}
