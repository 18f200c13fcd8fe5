//! The workload benchmark: the `sqlmig` release binary against each database's own shell.
//!
//! Run it with
//!
//! ```sh
//! cargo bench --bench workload
//! ```
//!
//! `cargo bench` builds `sqlmig` in the release profile for it. Every case times whole
//! processes, as a deploy script runs them:
//!
//! 1. `apply` of N generated migrations to an empty database, against the *floor*: the same SQL
//!    run by the database's own shell (`sqlite3`, `psql`, `mariadb`) as one script with one
//!    transaction per migration; and `apply --single-transaction` against the shell running
//!    everything in one transaction (SQLite, PostgreSQL);
//! 2. `apply` with nothing pending, `status` and `verify` on the fully applied database;
//! 3. `rollback --steps 100` against the shell running the same `DROP`s and ledger `DELETE`s;
//! 4. parse + checksum throughput in MB/s: `apply --dry-run` of a several-MB folder of varied
//!    migrations against a SQLite file that does not exist (and, when PostgreSQL answers,
//!    against an empty PostgreSQL database, whose dry run skips SQLite's in-memory rehearsal);
//! 5. cold start: `sqlmig --version`.
//!
//! Each case runs `SQLMIG_BENCH_RUNS` times (default 5) and the tables show medians. sqlmig and
//! floor runs alternate (ABBA order) and each ratio is the median of per-run ratios, so drift on
//! a busy machine hits both sides. CPU time (user + sys) and peak RSS of each child come from GNU
//! `/usr/bin/time` (install it with `apt-get install -y time`). A case whose first sqlmig run
//! takes over 15 s and over 3 times its floor runs once, to keep the benchmark to minutes.
//!
//! Environment: `SQLMIG_BENCH_N` (migrations, default 1000), `SQLMIG_BENCH_RUNS` (default 5),
//! `SQLMIG_BENCH_ONLY` (a comma-separated subset of `sqlite,postgres,mysql,general`),
//! `SQLMIG_BENCH_PARSE_MB` (size of the parse corpus, default 4), `SQLMIG_BENCH_KEEP=1` (keep
//! the generated folders and scripts for profiling by hand). PostgreSQL is expected at
//! 127.0.0.1:5432 (user `postgres`, trust; the admin connection uses the database `test`) and
//! MariaDB/MySQL at 127.0.0.1:3306 (user `root`, no password); each measurement gets a fresh
//! database, and a server that does not answer is skipped with a notice. See `benches/README.md`.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use mysql::prelude::Queryable;

type Result<T, E = String> = std::result::Result<T, E>;

const GNU_TIME: &str = "/usr/bin/time";
const PG_HOST: &str = "127.0.0.1";
const PG_PORT: u16 = 5432;
const PG_USER: &str = "postgres";
const MY_HOST: &str = "127.0.0.1";
const MY_PORT: u16 = 3306;
const MY_USER: &str = "root";
/// How many migrations `rollback` undoes.
const ROLLBACK_STEPS: usize = 100;
/// Runs of the cases that take milliseconds (no-op commands), at least.
const FAST_RUNS: usize = 20;
/// A case whose first sqlmig run takes longer than this many seconds, and this many times its
/// floor (if it has one)...
const SLOW_SECS: f64 = 15.0;
const SLOW_RATIO: f64 = 3.0;
/// ...runs only once: it is far off its target, and more runs would only make the benchmark long.
const SLOW_RUNS: usize = 1;
/// Runs of the cold start.
const COLD_RUNS: usize = 50;

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Db {
    Sqlite,
    Postgres,
    Mysql,
}

impl Db {
    fn title(self) -> &'static str {
        match self {
            Db::Sqlite => "SQLite",
            Db::Postgres => "PostgreSQL",
            Db::Mysql => "MariaDB/MySQL",
        }
    }

    fn shell(self) -> &'static str {
        match self {
            Db::Sqlite => "sqlite3",
            Db::Postgres => "psql",
            Db::Mysql => "mariadb",
        }
    }

    /// The issue's limit for `apply`/`status`/`verify` with nothing to do.
    fn noop_limit(self) -> f64 {
        match self {
            Db::Sqlite => 0.015,
            Db::Postgres | Db::Mysql => 0.020,
        }
    }

    fn is_server(self) -> bool {
        self != Db::Sqlite
    }
}

struct Config {
    n: usize,
    runs: usize,
    parse_mb: f64,
    dbs: Vec<Db>,
    general: bool,
    bin: PathBuf,
}

fn env_number<T: std::str::FromStr>(name: &str, default: T) -> Result<T> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().map_err(|_| format!("{name}={v}: not a number")),
        _ => Ok(default),
    }
}

impl Config {
    fn from_env() -> Result<Self> {
        let n: usize = env_number("SQLMIG_BENCH_N", 1000)?;
        let runs: usize = env_number("SQLMIG_BENCH_RUNS", 5)?;
        let parse_mb: f64 = env_number("SQLMIG_BENCH_PARSE_MB", 4.0)?;
        if n == 0 || runs == 0 || parse_mb.is_nan() || parse_mb <= 0.0 {
            return Err("SQLMIG_BENCH_N, SQLMIG_BENCH_RUNS and SQLMIG_BENCH_PARSE_MB must be above 0".into());
        }
        let (mut dbs, mut general) = (vec![Db::Sqlite, Db::Postgres, Db::Mysql], true);
        if let Ok(only) = std::env::var("SQLMIG_BENCH_ONLY") {
            if !only.trim().is_empty() {
                dbs.clear();
                general = false;
                for word in only.split(',').map(|w| w.trim().to_ascii_lowercase()) {
                    match word.as_str() {
                        "sqlite" => dbs.push(Db::Sqlite),
                        "postgres" | "postgresql" | "pg" => dbs.push(Db::Postgres),
                        "mysql" | "mariadb" => dbs.push(Db::Mysql),
                        "general" => general = true,
                        other => {
                            return Err(format!("SQLMIG_BENCH_ONLY: unknown `{other}` (use sqlite, postgres, mysql, general)"))
                        }
                    }
                }
            }
        }
        Ok(Config { n, runs, parse_mb, dbs, general, bin: sqlmig_binary()? })
    }
}

/// The release binary: Cargo builds it for benchmarks and names it in `CARGO_BIN_EXE_sqlmig`.
/// If it is gone (the bench binary run by hand after a `cargo clean`), build it.
fn sqlmig_binary() -> Result<PathBuf> {
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
            return Err(format!("building sqlmig failed ({status})"));
        }
    }
    Ok(bin)
}

// ---------------------------------------------------------------------------------------------
// Running and timing processes
// ---------------------------------------------------------------------------------------------

/// One finished process: wall and CPU seconds, peak resident memory in KiB.
#[derive(Debug, Clone, Copy)]
struct Sample {
    wall: f64,
    user: f64,
    sys: f64,
    rss_kib: u64,
}

impl Sample {
    fn cpu(&self) -> f64 {
        self.user + self.sys
    }
}

/// A command line, with an optional file for standard input.
#[derive(Debug, Clone)]
struct Cmd {
    program: OsString,
    args: Vec<OsString>,
    stdin: Option<PathBuf>,
}

impl Cmd {
    fn new(program: impl Into<OsString>) -> Self {
        Cmd { program: program.into(), args: Vec::new(), stdin: None }
    }

    fn arg(mut self, a: impl Into<OsString>) -> Self {
        self.args.push(a.into());
        self
    }

    fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, a: I) -> Self {
        self.args.extend(a.into_iter().map(Into::into));
        self
    }

    fn stdin(mut self, path: &Path) -> Self {
        self.stdin = Some(path.to_path_buf());
        self
    }

    fn describe(&self) -> String {
        let mut s = self.program.to_string_lossy().into_owned();
        for a in &self.args {
            s.push(' ');
            s.push_str(&a.to_string_lossy());
        }
        if let Some(p) = &self.stdin {
            s.push_str(&format!(" < {}", p.display()));
        }
        s
    }
}

/// Runs commands, under GNU time when CPU time and peak RSS are wanted. Wall time is always
/// measured here with a monotonic clock: GNU time prints only centiseconds. Starting
/// `/usr/bin/time` adds about a millisecond to the wall time of a wrapped run, the same on both
/// sides of a ratio and negligible for runs of seconds; cases that take milliseconds take
/// their wall time from separate bare runs ([`Timer::bare`]).
struct Timer {
    scratch: PathBuf,
}

impl Timer {
    fn new(scratch: &Path) -> Result<Self> {
        if !Path::new(GNU_TIME).exists() {
            return Err(format!(
                "{GNU_TIME} (GNU time) is missing; it reports each child's CPU time and peak memory. \
                 Install it with `apt-get install -y time` (Debian/Ubuntu) or `dnf install time`"
            ));
        }
        Ok(Timer { scratch: scratch.to_path_buf() })
    }

    fn spawn_plain(&self, cmd: &Cmd, time_file: Option<&Path>) -> Result<(Duration, std::process::ExitStatus)> {
        let err_path = self.scratch.join("stderr.txt");
        let mut command = match time_file {
            Some(tf) => {
                let mut c = Command::new(GNU_TIME);
                c.arg("-f").arg("%U %S %M").arg("-o").arg(tf).arg(&cmd.program);
                c
            }
            None => Command::new(&cmd.program),
        };
        command.args(&cmd.args).stdout(Stdio::null());
        command.stderr(File::create(&err_path).map_err(|e| format!("{}: {e}", err_path.display()))?);
        command.stdin(match &cmd.stdin {
            Some(p) => Stdio::from(File::open(p).map_err(|e| format!("{}: {e}", p.display()))?),
            None => Stdio::null(),
        });
        let started = Instant::now();
        let status = command.status().map_err(|e| format!("cannot start `{}`: {e}", cmd.describe()))?;
        let wall = started.elapsed();
        if !status.success() {
            let stderr = fs::read_to_string(&err_path).unwrap_or_default();
            let tail: Vec<&str> = stderr.lines().rev().take(8).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(format!("`{}` failed ({status}):\n{}", cmd.describe(), tail.join("\n")));
        }
        Ok((wall, status))
    }

    /// Wall time only, without GNU time in between (cold start).
    fn bare(&self, cmd: &Cmd) -> Result<f64> {
        Ok(self.spawn_plain(cmd, None)?.0.as_secs_f64())
    }

    /// Wall time, CPU time and peak RSS.
    fn run(&self, cmd: &Cmd) -> Result<Sample> {
        let time_file = self.scratch.join("time.txt");
        let (wall, _) = self.spawn_plain(cmd, Some(&time_file))?;
        let report = fs::read_to_string(&time_file).map_err(|e| format!("{}: {e}", time_file.display()))?;
        // With a failing child GNU time writes a line before the numbers; take the last one.
        let line = report.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
        let fields: Vec<&str> = line.split_whitespace().collect();
        let bad = || format!("cannot read GNU time's report `{}`", report.trim());
        if fields.len() != 3 {
            return Err(bad());
        }
        let user: f64 = fields[0].parse().map_err(|_| bad())?;
        let sys: f64 = fields[1].parse().map_err(|_| bad())?;
        let rss_kib: u64 = fields[2].parse().map_err(|_| bad())?;
        Ok(Sample { wall: wall.as_secs_f64(), user, sys, rss_kib })
    }
}

fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v[mid]
    } else {
        (v[mid - 1] + v[mid]) / 2.0
    }
}

/// Medians of a series of samples of one side of a case.
#[derive(Debug, Clone, Copy)]
struct Stats {
    wall: f64,
    cpu: f64,
    rss_kib: u64,
}

fn stats(samples: &[Sample]) -> Stats {
    let walls: Vec<f64> = samples.iter().map(|s| s.wall).collect();
    let cpus: Vec<f64> = samples.iter().map(Sample::cpu).collect();
    Stats { wall: median(&walls), cpu: median(&cpus), rss_kib: samples.iter().map(|s| s.rss_kib).max().unwrap_or(0) }
}

// ---------------------------------------------------------------------------------------------
// Results and the table
// ---------------------------------------------------------------------------------------------

/// A limit from the issue.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// sqlmig wall ≤ this × floor wall (median of per-pair ratios).
    Ratio(f64),
    /// sqlmig CPU ≤ this many seconds.
    Cpu(f64),
    /// sqlmig wall ≤ this many seconds.
    Wall(f64),
    /// Peak RSS ≤ this many MiB.
    RssMib(f64),
    /// Throughput ≥ this many MB/s (`Row::throughput`).
    MbPerSec(f64),
}

struct Row {
    case: String,
    sqlmig: Stats,
    floor: Option<Stats>,
    ratio: Option<f64>,
    throughput: Option<f64>,
    targets: Vec<Target>,
}

impl Row {
    fn new(case: impl Into<String>, sqlmig: &[Sample]) -> Self {
        Row { case: case.into(), sqlmig: stats(sqlmig), floor: None, ratio: None, throughput: None, targets: Vec::new() }
    }

    /// Add the floor; the ratio is the median of per-run ratios (run i of sqlmig against run i
    /// of the floor, taken back to back).
    fn floor(mut self, sqlmig: &[Sample], floor: &[Sample]) -> Self {
        let ratios: Vec<f64> = sqlmig.iter().zip(floor).map(|(s, f)| s.wall / f.wall).collect();
        self.floor = Some(stats(floor));
        self.ratio = Some(median(&ratios));
        self
    }

    fn target(mut self, t: Target) -> Self {
        self.targets.push(t);
        self
    }

    /// Each target with ✓ or ✗.
    fn verdicts(&self) -> Vec<(String, bool)> {
        self.targets
            .iter()
            .map(|t| match *t {
                Target::Ratio(x) => (format!("≤{x:.2}x"), self.ratio.is_some_and(|r| r <= x)),
                Target::Cpu(x) => (format!("CPU ≤{}", secs(x)), self.sqlmig.cpu <= x),
                Target::Wall(x) => (format!("≤{}", secs(x)), self.sqlmig.wall <= x),
                Target::RssMib(x) => (format!("RSS ≤{x:.0} MiB"), (self.sqlmig.rss_kib as f64) <= x * 1024.0),
                Target::MbPerSec(x) => {
                    let got = self.throughput.unwrap_or(0.0);
                    (format!("≥{x:.0} MB/s (got {got:.1})"), got >= x)
                }
            })
            .collect()
    }
}

/// Seconds for people: `1.23 s`, `15.2 ms`, `850 µs`.
fn secs(s: f64) -> String {
    if s.is_nan() {
        "—".into()
    } else if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 0.001 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

/// CPU seconds: GNU time reports centiseconds, so below 10 ms there is nothing to tell.
fn cpu(s: f64) -> String {
    if s < 0.005 {
        "<10 ms".into()
    } else {
        secs(s)
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Characters as a terminal shows them (the table has ✓, ✗, ≤ and µ).
fn width(s: &str) -> usize {
    s.chars().count()
}

fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(s))));
    out
}

fn print_table(title: &str, rows: &[Row], notes: &[String]) -> bool {
    let header = ["case", "sqlmig wall", "floor wall", "ratio", "sqlmig CPU", "peak RSS", "target"];
    let mut cells: Vec<[String; 7]> = Vec::new();
    let mut all_ok = true;
    for r in rows {
        let verdicts = r.verdicts();
        all_ok &= verdicts.iter().all(|(_, ok)| *ok);
        let mut target =
            verdicts.iter().map(|(t, ok)| format!("{t} {}", if *ok { "✓" } else { "✗" })).collect::<Vec<_>>().join(", ");
        if let (Some(x), true) = (r.throughput, target.is_empty()) {
            target = format!("{x:.1} MB/s (no target)");
        }
        cells.push([
            r.case.clone(),
            secs(r.sqlmig.wall),
            r.floor.map_or("—".into(), |f| secs(f.wall)),
            r.ratio.map_or("—".into(), |x| format!("{x:.2}x")),
            cpu(r.sqlmig.cpu),
            mib(r.sqlmig.rss_kib),
            if target.is_empty() { "—".into() } else { target },
        ]);
    }
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(c));
        }
    }
    let line = |cols: &[String]| {
        let mut s = String::from("|");
        for (c, w) in cols.iter().zip(&widths) {
            let _ = write!(s, " {} |", pad(c, *w));
        }
        s
    };
    println!();
    println!("## {title}");
    println!();
    println!("{}", line(&header.map(String::from)));
    println!("|{}|", widths.iter().map(|w| "-".repeat(w + 2)).collect::<Vec<_>>().join("|"));
    for row in &cells {
        println!("{}", line(row));
    }
    for n in notes {
        println!("- {n}");
    }
    all_ok
}

// ---------------------------------------------------------------------------------------------
// The workload and the floor scripts
// ---------------------------------------------------------------------------------------------

/// The `-- +up` statements of workload migration `i`.
fn up_statements(i: usize, db: Db) -> [String; 4] {
    // MySQL cannot index `text` without a key length.
    let name_type = if db == Db::Mysql { "varchar(100)" } else { "text" };
    [
        format!("CREATE TABLE t_{i} (id integer primary key, name {name_type} not null, created_at timestamp)"),
        format!("CREATE INDEX t_{i}_name_idx ON t_{i} (name)"),
        format!("INSERT INTO t_{i} (id, name, created_at) VALUES (1, 'a', '2026-01-01 00:00:00')"),
        format!("INSERT INTO t_{i} (id, name, created_at) VALUES (2, 'b', '2026-01-01 00:00:00')"),
    ]
}

fn down_statement(i: usize) -> String {
    format!("DROP TABLE t_{i}")
}

/// Write N migration files into `dir`.
fn write_workload(dir: &Path, n: usize, db: Db) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let digits = n.to_string().len().max(4);
    for i in 1..=n {
        let mut text = String::from("-- +up\n");
        for s in up_statements(i, db) {
            text.push_str(&s);
            text.push_str(";\n");
        }
        text.push_str(&format!("-- +down\n{};\n", down_statement(i)));
        let path = dir.join(format!("{i:0digits$}_create_t_{i}.sql"));
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// Everything the shell runs before the migrations: on SQLite the exclusive locking mode that
/// sqlmig holds for its whole run (its migration lock), which spares SQLite from deleting and
/// re-creating the rollback journal at every commit. Without it the floor is ~20x slower and
/// the ratio would say nothing about sqlmig.
fn floor_prelude(db: Db) -> &'static str {
    match db {
        Db::Sqlite => "PRAGMA locking_mode = EXCLUSIVE;\n",
        Db::Postgres => "",
        Db::Mysql => "",
    }
}

fn begin(db: Db) -> &'static str {
    match db {
        Db::Mysql => "START TRANSACTION;\n",
        Db::Sqlite | Db::Postgres => "BEGIN;\n",
    }
}

/// The floor of `apply`: each migration's statements, in one transaction per migration, or all
/// of them in one transaction.
fn floor_apply_script(n: usize, db: Db, single: bool) -> String {
    let mut s = String::from(floor_prelude(db));
    if single {
        s.push_str(begin(db));
    }
    for i in 1..=n {
        if !single {
            s.push_str(begin(db));
        }
        for stmt in up_statements(i, db) {
            s.push_str(&stmt);
            s.push_str(";\n");
        }
        if !single {
            s.push_str("COMMIT;\n");
        }
    }
    if single {
        s.push_str("COMMIT;\n");
    }
    s
}

/// The floor of `rollback --steps K`: the down statements and the ledger deletes, newest
/// first, one transaction per migration.
fn floor_rollback_script(n: usize, steps: usize, db: Db) -> String {
    let mut s = String::from(floor_prelude(db));
    for i in (n + 1 - steps..=n).rev() {
        s.push_str(begin(db));
        s.push_str(&format!("{};\nDELETE FROM sqlmig_ledger WHERE version = {i};\nCOMMIT;\n", down_statement(i)));
    }
    s
}

/// The floor of the no-op commands: connect and read the ledger, as any of them must.
const LEDGER_QUERY: &str = "SELECT * FROM sqlmig_ledger ORDER BY version";

// ---------------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------------

/// A database created for one measurement.
struct Database {
    /// What to pass to `sqlmig -d`.
    url: String,
    /// The database name (server) or file (SQLite).
    name: String,
}

/// Creates and drops databases, and builds the shell's command line.
struct Backend {
    db: Db,
    dir: PathBuf,
    pg: Option<postgres::Client>,
    my: Option<mysql::Conn>,
    created: Vec<String>,
}

impl Backend {
    /// Connect the admin connection, or say why the server cannot be used.
    fn connect(db: Db, dir: &Path) -> Result<Self> {
        let mut b = Backend { db, dir: dir.to_path_buf(), pg: None, my: None, created: Vec::new() };
        match db {
            Db::Sqlite => {}
            Db::Postgres => {
                let conn = format!("host={PG_HOST} port={PG_PORT} user={PG_USER} dbname=test connect_timeout=3");
                b.pg = Some(postgres::Client::connect(&conn, postgres::NoTls).map_err(|e| format!("{PG_HOST}:{PG_PORT}: {e}"))?);
            }
            Db::Mysql => {
                let opts = mysql::OptsBuilder::new()
                    .ip_or_hostname(Some(MY_HOST))
                    .tcp_port(MY_PORT)
                    .user(Some(MY_USER))
                    .tcp_connect_timeout(Some(Duration::from_secs(3)));
                b.my = Some(mysql::Conn::new(opts).map_err(|e| format!("{MY_HOST}:{MY_PORT}: {e}"))?);
            }
        }
        let tool = db.shell();
        let found = Command::new(tool).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
        if !found.is_ok_and(|s| s.success()) {
            return Err(format!("the `{tool}` shell is not installed (it runs the floor)"));
        }
        Ok(b)
    }

    /// A new, empty database.
    fn fresh(&mut self) -> Result<Database> {
        // Unique within the process, whichever backend asks.
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let name = format!("sqlmig_bench_{}_{n}", std::process::id());
        match self.db {
            Db::Sqlite => {
                let path = self.dir.join(format!("{name}.db"));
                let _ = fs::remove_file(&path);
                let url = format!("sqlite://{}", path.display());
                self.created.push(path.display().to_string());
                Ok(Database { url, name: path.display().to_string() })
            }
            Db::Postgres => {
                let pg = self.pg.as_mut().expect("connected");
                pg.batch_execute(&format!("CREATE DATABASE {name}")).map_err(|e| format!("CREATE DATABASE {name}: {e}"))?;
                self.created.push(name.clone());
                Ok(Database { url: format!("postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"), name })
            }
            Db::Mysql => {
                let my = self.my.as_mut().expect("connected");
                my.query_drop(format!("CREATE DATABASE {name}")).map_err(|e| format!("CREATE DATABASE {name}: {e}"))?;
                self.created.push(name.clone());
                Ok(Database { url: format!("mysql://{MY_USER}@{MY_HOST}:{MY_PORT}/{name}"), name })
            }
        }
    }

    fn drop_db(&mut self, t: &Database) {
        self.drop_name(&t.name.clone());
    }

    fn drop_name(&mut self, name: &str) {
        let result = match self.db {
            Db::Sqlite => {
                let _ = fs::remove_file(format!("{name}-journal"));
                fs::remove_file(name).map_err(|e| e.to_string())
            }
            Db::Postgres => {
                let pg = self.pg.as_mut().expect("connected");
                pg.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).map_err(|e| e.to_string())
            }
            Db::Mysql => {
                let my = self.my.as_mut().expect("connected");
                my.query_drop(format!("DROP DATABASE IF EXISTS {name}")).map_err(|e| e.to_string())
            }
        };
        if let Err(e) = result {
            eprintln!("  (could not drop {name}: {e})");
        }
        self.created.retain(|c| c != name);
    }

    /// The shell running a script file in database `t`.
    fn shell_script(&self, t: &Database, script: &Path) -> Cmd {
        match self.db {
            Db::Sqlite => Cmd::new("sqlite3").arg("-bail").arg(&t.name).stdin(script),
            Db::Postgres => Cmd::new("psql").args(psql_args(&t.name)).arg("-f").arg(script),
            Db::Mysql => Cmd::new("mariadb").args(mariadb_args(&t.name)).stdin(script),
        }
    }

    /// The shell running one SQL command in database `t`.
    fn shell_command(&self, t: &Database, sql: &str) -> Cmd {
        match self.db {
            Db::Sqlite => Cmd::new("sqlite3").arg("-bail").arg(&t.name).arg(sql),
            Db::Postgres => Cmd::new("psql").args(psql_args(&t.name)).arg("-c").arg(sql),
            Db::Mysql => Cmd::new("mariadb").args(mariadb_args(&t.name)).arg("-e").arg(sql),
        }
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        for name in std::mem::take(&mut self.created) {
            self.drop_name(&name);
        }
    }
}

fn psql_args(db: &str) -> Vec<String> {
    // -X: no ~/.psqlrc; -q: quiet; stop at the first error.
    ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", PG_HOST, "-p", &PG_PORT.to_string(), "-U", PG_USER, "-d", db]
        .map(String::from)
        .to_vec()
}

fn mariadb_args(db: &str) -> Vec<String> {
    // TCP like sqlmig, not the socket; --batch: no tables or history.
    ["--no-defaults", "--batch", "-h", MY_HOST, "-P", &MY_PORT.to_string(), "-u", MY_USER, db].map(String::from).to_vec()
}

// ---------------------------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------------------------

struct Bench {
    cfg: Config,
    timer: Timer,
    work: PathBuf,
}

impl Bench {
    fn sqlmig(&self, dir: &Path, url: &str) -> Cmd {
        Cmd::new(&self.cfg.bin).arg("--dir").arg(dir).arg("-d").arg(url)
    }

    /// Time one run of `a` and one of `b`, back to back. The order alternates with the run
    /// number `r` (ABBA: a b, b a, b a, a b, ...) so that drift on a busy machine hits both.
    fn pair(&self, r: usize, a: &Cmd, b: &Cmd) -> Result<(Sample, Sample)> {
        if r % 4 == 0 || r % 4 == 3 {
            let x = self.timer.run(a)?;
            Ok((x, self.timer.run(b)?))
        } else {
            let y = self.timer.run(b)?;
            Ok((self.timer.run(a)?, y))
        }
    }

    /// Run a case: `body(r)` sets up run `r`, times one pair and cleans up. A case whose first
    /// sqlmig run takes longer than [`SLOW_SECS`] and [`SLOW_RATIO`] times its floor runs
    /// [`SLOW_RUNS`] times, which bounds the benchmark's time when something is pathological.
    fn repeat(&self, mut body: impl FnMut(usize) -> Result<(Sample, Sample)>) -> Result<(Vec<Sample>, Vec<Sample>)> {
        let (mut s, mut f) = (Vec::new(), Vec::new());
        let mut runs = self.cfg.runs;
        let mut r = 0;
        while r < runs {
            let (a, b) = body(r)?;
            if r == 0 && a.wall > SLOW_SECS && a.wall > SLOW_RATIO * b.wall {
                runs = runs.min(SLOW_RUNS);
            }
            s.push(a);
            f.push(b);
            r += 1;
        }
        Ok((s, f))
    }

    /// The case's name, saying so when it ran fewer times than asked.
    fn label(&self, case: String, samples: &[Sample]) -> String {
        if samples.len() == 1 && self.cfg.runs > 1 {
            format!("{case} (ran once)")
        } else if samples.len() < self.cfg.runs {
            format!("{case} ({} runs)", samples.len())
        } else {
            case
        }
    }

    /// Time each command once per run, rotating which goes first, so drift hits them all. A
    /// command whose first run takes longer than [`SLOW_SECS`] runs [`SLOW_RUNS`] times.
    fn series(&self, runs: usize, cmds: &[Cmd]) -> Result<Vec<Vec<Sample>>> {
        let mut out: Vec<Vec<Sample>> = vec![Vec::new(); cmds.len()];
        let mut limits = vec![runs; cmds.len()];
        for r in 0..runs {
            for k in 0..cmds.len() {
                let i = (r + k) % cmds.len();
                if out[i].len() >= limits[i] {
                    continue;
                }
                let sample = self.timer.run(&cmds[i])?;
                if out[i].is_empty() && sample.wall > SLOW_SECS {
                    limits[i] = limits[i].min(SLOW_RUNS);
                }
                out[i].push(sample);
            }
        }
        Ok(out)
    }

    /// A case that takes milliseconds: wall times from `fast` bare runs of each side (pairs
    /// alternating as in [`Bench::pair`]), CPU and peak RSS from `runs` runs under GNU time.
    fn fast_row(&self, case: String, fast: usize, a: &Cmd, b: &Cmd) -> Result<Row> {
        let (mut wa, mut wb) = (Vec::new(), Vec::new());
        for r in 0..fast {
            if r % 4 == 0 || r % 4 == 3 {
                wa.push(self.timer.bare(a)?);
                wb.push(self.timer.bare(b)?);
            } else {
                wb.push(self.timer.bare(b)?);
                wa.push(self.timer.bare(a)?);
            }
        }
        let (mut s, mut f) = (Vec::new(), Vec::new());
        for r in 0..self.cfg.runs {
            let (x, y) = self.pair(r, a, b)?;
            s.push(x);
            f.push(y);
        }
        let mut row = Row::new(case, &s).floor(&s, &f);
        row.sqlmig.wall = median(&wa);
        if let Some(floor) = row.floor.as_mut() {
            floor.wall = median(&wb);
        }
        let ratios: Vec<f64> = wa.iter().zip(&wb).map(|(x, y)| x / y).collect();
        row.ratio = Some(median(&ratios));
        Ok(row)
    }

    fn write_script(&self, name: &str, text: &str) -> Result<PathBuf> {
        let path = self.work.join(name);
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(path)
    }

    fn run_database(&self, db: Db) -> Result<bool> {
        let started = Instant::now();
        let n = self.cfg.n;
        let runs = self.cfg.runs;
        let mut backend = match Backend::connect(db, &self.work) {
            Ok(b) => b,
            Err(e) => {
                println!();
                println!("## {}", db.title());
                println!();
                println!("SKIPPED: {} is not reachable or usable: {e}", db.title());
                return Ok(true);
            }
        };
        eprintln!("[{}] generating {n} migrations and the floor scripts", db.title());
        let dir = self.work.join(format!("migrations_{}", db.shell()));
        write_workload(&dir, n, db)?;
        let per_migration = self.write_script(&format!("floor_apply_{}.sql", db.shell()), &floor_apply_script(n, db, false))?;
        let steps = ROLLBACK_STEPS.min(n);
        let rollback = self.write_script(&format!("floor_rollback_{}.sql", db.shell()), &floor_rollback_script(n, steps, db))?;

        let cpu_limit = 0.2 * n as f64 / 1000.0;
        let mut rows = Vec::new();
        let mut notes = Vec::new();

        // 1. apply to an empty database, one transaction per migration. The sqlmig databases of
        // the last two runs are kept: they serve the no-op and rollback cases.
        eprintln!("[{}] apply {n}: {runs} runs each of sqlmig and {}", db.title(), db.shell());
        let mut kept: Vec<Database> = Vec::new();
        let (s, f) = self.repeat(|r| {
            let (x, y) = (backend.fresh()?, backend.fresh()?);
            let pair = self.pair(r, &self.sqlmig(&dir, &x.url).arg("apply"), &backend.shell_script(&y, &per_migration))?;
            backend.drop_db(&y);
            kept.push(x);
            if kept.len() > 2 {
                let old = kept.remove(0);
                backend.drop_db(&old);
            }
            Ok(pair)
        })?;
        let mut row =
            Row::new(self.label(format!("apply {n}, one tx per migration"), &s), &s).floor(&s, &f).target(Target::Ratio(1.05));
        if db.is_server() {
            row = row.target(Target::Cpu(cpu_limit));
        }
        rows.push(row.target(Target::RssMib(10.0)));

        // 1b. --single-transaction, where DDL is transactional.
        if db != Db::Mysql {
            eprintln!("[{}] apply {n} --single-transaction: {runs} runs each", db.title());
            let single = self.write_script(&format!("floor_single_{}.sql", db.shell()), &floor_apply_script(n, db, true))?;
            let (s, f) = self.repeat(|r| {
                let (x, y) = (backend.fresh()?, backend.fresh()?);
                let sqlmig = self.sqlmig(&dir, &x.url).args(["apply", "--single-transaction"]);
                let pair = self.pair(r, &sqlmig, &backend.shell_script(&y, &single))?;
                backend.drop_db(&x);
                backend.drop_db(&y);
                Ok(pair)
            })?;
            let mut row =
                Row::new(self.label(format!("apply {n} --single-transaction"), &s), &s).floor(&s, &f).target(Target::Ratio(1.2));
            if db.is_server() {
                row = row.target(Target::Cpu(cpu_limit));
            }
            rows.push(row.target(Target::RssMib(10.0)));
        } else {
            notes.push("no --single-transaction row: MySQL/MariaDB commit DDL implicitly, so sqlmig refuses it there".into());
        }

        // 2. Nothing pending: apply, status, verify against the shell reading the ledger.
        let fast = FAST_RUNS.max(runs);
        eprintln!("[{}] no-op apply, status, verify: {fast} runs each", db.title());
        let full = kept.first().ok_or("no applied database kept")?;
        let read_ledger = backend.shell_command(full, LEDGER_QUERY);
        for command in ["apply", "status", "verify"] {
            let cmd = self.sqlmig(&dir, &full.url).arg(command);
            let case = if command == "apply" { "apply, nothing pending".to_string() } else { format!("{command}, {n} applied") };
            let row = self.fast_row(case, fast, &cmd, &read_ledger)?;
            rows.push(row.target(Target::Wall(db.noop_limit())).target(Target::RssMib(10.0)));
        }

        // 3. rollback --steps 100 on one kept database, the floor's DROPs and DELETEs on the
        // other; both are re-applied (untimed) after each run.
        eprintln!("[{}] rollback --steps {steps}: {runs} runs each", db.title());
        if kept.len() < 2 {
            let extra = backend.fresh()?;
            self.timer.run(&self.sqlmig(&dir, &extra.url).arg("apply"))?;
            kept.push(extra);
        }
        let sqlmig = self.sqlmig(&dir, &kept[0].url).args(["rollback", "--steps", &steps.to_string()]);
        let floor = backend.shell_script(&kept[1], &rollback);
        let (s, f) = self.repeat(|r| {
            let pair = self.pair(r, &sqlmig, &floor)?;
            for k in &kept {
                self.timer.run(&self.sqlmig(&dir, &k.url).arg("apply"))?;
            }
            Ok(pair)
        })?;
        rows.push(
            Row::new(self.label(format!("rollback --steps {steps}"), &s), &s)
                .floor(&s, &f)
                .target(Target::Ratio(1.5))
                .target(Target::RssMib(10.0)),
        );
        for t in std::mem::take(&mut kept) {
            backend.drop_db(&t);
        }

        notes.push(format!(
            "floor: the same SQL through `{}` as one script{}",
            db.shell(),
            match db {
                Db::Sqlite => " with `PRAGMA locking_mode = EXCLUSIVE` first, as sqlmig holds it (its migration lock); the system sqlite3 is not the SQLite bundled in sqlmig",
                Db::Postgres => ", over TCP",
                Db::Mysql => ", over TCP",
            }
        ));
        notes.push("no-op rows: the floor is the shell connecting and reading the ledger (`SELECT * FROM sqlmig_ledger ORDER BY version`)".into());
        notes.push("rollback floor: `DROP TABLE` + `DELETE FROM sqlmig_ledger WHERE version = k`, one transaction per migration, newest first".into());
        if db == Db::Mysql {
            notes.push(
                "MySQL needs a key length to index `text`: these migrations (and the floor) use `name varchar(100) not null`"
                    .into(),
            );
        }
        if db.is_server() {
            notes.push(format!(
                "CPU target: sqlmig's own CPU (user+sys) ≤ 0.2 s per 1000 migrations = {} here; the server's CPU is not counted",
                secs(cpu_limit)
            ));
        } else {
            notes.push("no CPU target on SQLite: the database engine runs inside the sqlmig process".into());
        }
        notes.push(format!(
            "ratios: median of per-run ratios; peak RSS: the largest of all runs; CPU in 10 ms steps (GNU time); {runs} runs (no-op rows: {fast} bare runs for wall time); took {:.0} s",
            started.elapsed().as_secs_f64()
        ));
        Ok(print_table(&format!("{} — N = {n}", db.title()), &rows, &notes))
    }

    /// Cold start and parse throughput: no database involved.
    fn run_general(&self) -> Result<bool> {
        let started = Instant::now();
        let mut rows = Vec::new();
        let mut notes = Vec::new();

        eprintln!("[general] cold start: {COLD_RUNS} runs of `sqlmig --version` and of `true`");
        let version = Cmd::new(&self.cfg.bin).arg("--version");
        let row = self.fast_row("cold start: sqlmig --version".into(), COLD_RUNS, &version, &Cmd::new("true"))?;
        rows.push(row.target(Target::Wall(0.002)).target(Target::RssMib(10.0)));
        notes.push(format!(
            "cold start and no-op rows: wall from {COLD_RUNS} (cold start) or {} (no-op) bare runs, CPU and RSS from runs under GNU time; the cold-start floor is spawning `true`",
            FAST_RUNS.max(self.cfg.runs)
        ));

        let corpus = self.work.join("corpus");
        let (bytes, files) = write_corpus(&corpus, (self.cfg.parse_mb * 1e6) as usize)?;
        let mb = bytes as f64 / 1e6;
        eprintln!("[general] parse + checksum: {files} files, {mb:.1} MB, {} runs", self.cfg.runs);
        let missing = self.work.join("never_created.db");
        let url = format!("sqlite://{}", missing.display());
        let mut cases = vec![
            (
                format!("parse+checksum {mb:.1} MB: apply --dry-run, SQLite"),
                self.sqlmig(&corpus, &url).args(["apply", "--dry-run"]),
            ),
            (format!("checksum only {mb:.1} MB: status, SQLite"), self.sqlmig(&corpus, &url).arg("status")),
        ];
        // A dry run for PostgreSQL renders the statements without the in-memory rehearsal a
        // SQLite dry run does: closer to parsing and checksumming alone. It needs the server
        // (an empty database: nothing applied).
        let pg = match Backend::connect(Db::Postgres, &self.work) {
            Ok(mut b) => {
                let empty = b.fresh()?;
                cases.insert(
                    1,
                    (
                        format!("parse+checksum {mb:.1} MB: apply --dry-run, PostgreSQL"),
                        self.sqlmig(&corpus, &empty.url).args(["apply", "--dry-run"]),
                    ),
                );
                Some(b)
            }
            Err(e) => {
                notes.push(format!("no PostgreSQL dry-run row: {e}"));
                None
            }
        };
        let cmds: Vec<Cmd> = cases.iter().map(|(_, c)| c.clone()).collect();
        let samples = self.series(self.cfg.runs, &cmds)?;
        if missing.exists() {
            return Err(format!("`apply --dry-run` created {}", missing.display()));
        }
        for ((case, _), s) in cases.into_iter().zip(samples) {
            let mut row = Row::new(self.label(case.clone(), &s), &s);
            row.throughput = Some(mb / row.sqlmig.wall);
            rows.push(if case.contains("dry-run") { row.target(Target::MbPerSec(50.0)) } else { row });
        }
        drop(pg); // drops the empty database
        notes.push(format!(
            "parse: {files} generated migrations in the PostgreSQL dialect (wide tables, CHECK/UNIQUE/FK constraints, partial indexes, multi-row inserts, CTE views, ALTERs, line and block comments, PL/pgSQL trigger functions with dollar-quoted bodies in `-- +up postgres` sections); MB/s = folder bytes / wall"
        ));
        notes.push(
            "the SQLite dry run goes to a file that does not exist; it parses, checksums and translates every file, then rehearses the run on an in-memory schema copy to print the exact SQL".into(),
        );
        notes.push(
            "no RSS target on the parse rows: the folder alone is several MB, and the 10 MiB limit is for the workload".into(),
        );
        notes.push(format!("CPU: GNU time counts in 10 ms steps; took {:.0} s", started.elapsed().as_secs_f64()));
        Ok(print_table("No database: cold start and parsing", &rows, &notes))
    }
}

// ---------------------------------------------------------------------------------------------
// The parse corpus
// ---------------------------------------------------------------------------------------------

/// A small deterministic generator, so every run parses the same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "account",
    "invoice",
    "customer",
    "order",
    "shipment",
    "product",
    "warehouse",
    "payment",
    "ledger",
    "session",
    "audit",
    "region",
    "supplier",
    "contract",
    "ticket",
    "comment",
    "tag",
    "review",
    "coupon",
    "refund",
];

/// Column types; every NOT NULL one has a default, so seed rows and `ADD COLUMN` work.
const COLUMN_TYPES: &[&str] = &[
    "BIGINT NOT NULL DEFAULT 0",
    "INTEGER",
    "SMALLINT NOT NULL DEFAULT 1",
    "VARCHAR(255) NOT NULL DEFAULT ''",
    "VARCHAR(64)",
    "TEXT",
    "NUMERIC(12, 2) NOT NULL DEFAULT 0.00",
    "BOOLEAN NOT NULL DEFAULT FALSE",
    "DATE",
    "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP",
    "TIMESTAMP WITH TIME ZONE",
    "CHAR(3) NOT NULL DEFAULT 'EUR'",
    "DOUBLE PRECISION",
    "UUID",
    "JSONB",
];

/// A wide table with constraints, indexes and comments. Every table has the columns the seed
/// rows, views and data fixes below use.
fn create_table(rng: &mut Rng, table: &str, out: &mut String) {
    let _ = writeln!(out, "-- The {table} table: one row per {}.", rng.pick(WORDS));
    let _ = writeln!(out, "/* Owned by the {} team.\n   Reviewed in change {}. */", rng.pick(WORDS), 1000 + rng.below(9000));
    let _ = writeln!(out, "CREATE TABLE {table} (");
    let _ = writeln!(out, "    id BIGINT PRIMARY KEY,");
    let _ = writeln!(out, "    parent_id BIGINT REFERENCES {table} (id) ON DELETE CASCADE,");
    let _ = writeln!(out, "    code VARCHAR(32) NOT NULL,");
    let _ = writeln!(out, "    label TEXT NOT NULL, -- shown to people");
    let _ = writeln!(out, "    price NUMERIC(12, 2) NOT NULL DEFAULT 0 CHECK (price >= 0),");
    let _ = writeln!(out, "    active BOOLEAN NOT NULL DEFAULT TRUE,");
    for c in 0..15 + rng.below(25) {
        let word = rng.pick(WORDS);
        let ty = rng.pick(COLUMN_TYPES);
        let comment = if rng.below(4) == 0 { format!(" -- {} of the {word}", rng.pick(WORDS)) } else { String::new() };
        let _ = writeln!(out, "    {word}_{c} {ty},{comment}");
    }
    let _ = writeln!(out, "    status VARCHAR(16) NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'active', 'closed')),");
    let _ = writeln!(out, "    amount NUMERIC(14, 4) CHECK (amount IS NULL OR amount >= 0),");
    let _ = writeln!(out, "    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,");
    let _ = writeln!(out, "    updated_at TIMESTAMP,");
    let _ = writeln!(out, "    deleted_at TIMESTAMP,");
    let _ = writeln!(out, "    CONSTRAINT {table}_code_key UNIQUE (code, parent_id)");
    let _ = writeln!(out, ");\n");
    let _ = writeln!(out, "CREATE INDEX {table}_status_idx ON {table} (status, parent_id);");
    let _ = writeln!(out, "CREATE UNIQUE INDEX {table}_live_idx ON {table} (code) WHERE deleted_at IS NULL;");
    let _ = writeln!(out, "COMMENT ON TABLE {table} IS 'The {table} records; see the wiki''s page on {}.';\n", rng.pick(WORDS));
}

/// A multi-row insert of `rows` seed rows.
fn insert_rows(rng: &mut Rng, table: &str, rows: usize, out: &mut String) {
    let _ = writeln!(out, "-- Seed data for {table}.");
    let _ = writeln!(out, "INSERT INTO {table} (id, code, label, price, active, status, amount, created_at) VALUES");
    for r in 0..rows {
        let sep = if r + 1 == rows { ";" } else { "," };
        let _ = writeln!(
            out,
            "    ({}, '{}-{r:05}', 'The {}''s {} {}', {}.{:02}, {}, '{}', {}, '2026-{:02}-{:02} {:02}:{:02}:00'){sep}",
            r + 1,
            rng.pick(WORDS)[..3].to_ascii_uppercase(),
            rng.pick(WORDS),
            rng.pick(WORDS),
            rng.pick(WORDS),
            rng.below(10_000),
            rng.below(100),
            if rng.below(2) == 0 { "TRUE" } else { "FALSE" },
            ["new", "active", "closed"][rng.below(3)],
            rng.below(100_000),
            1 + rng.below(12),
            1 + rng.below(28),
            rng.below(24),
            rng.below(60),
        );
    }
    out.push('\n');
}

/// A PL/pgSQL trigger function with a dollar-quoted body, and its trigger.
fn pg_function(rng: &mut Rng, table: &str, out: &mut String) {
    let _ = writeln!(
        out,
        "CREATE OR REPLACE FUNCTION {table}_touch() RETURNS trigger AS $body$
BEGIN
    -- Keep updated_at current; reject edits to a closed {word}; it's final.
    IF OLD.status = 'closed' AND NEW.status = 'closed' THEN
        RAISE EXCEPTION 'row % of {table} is closed; it''s read-only', OLD.id;
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END;
$body$ LANGUAGE plpgsql;

CREATE TRIGGER {table}_touch_trg BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_touch();
",
        word = rng.pick(WORDS)
    );
}

/// A view with a CTE, a join to an earlier migration's table, aggregates and CASE.
fn view(rng: &mut Rng, table: &str, other: &str, out: &mut String) {
    let _ = writeln!(
        out,
        "-- Totals per parent, with the newest activity first.
CREATE VIEW {table}_summary AS
WITH recent AS (
    SELECT parent_id, status, amount, created_at
    FROM {table}
    WHERE deleted_at IS NULL AND created_at > '2026-01-01'
)
SELECT r.parent_id,
       COUNT(*) AS total,
       SUM(CASE WHEN r.status = 'active' THEN r.amount ELSE 0 END) AS active_amount,
       MAX(r.created_at) AS newest,
       o.label AS parent_label
FROM recent r
LEFT JOIN {other} o ON o.id = r.parent_id
GROUP BY r.parent_id, o.label
HAVING COUNT(*) > {}
ORDER BY newest DESC;
",
        rng.below(5)
    );
}

/// Schema changes and data fixes.
fn alter_and_fix(rng: &mut Rng, table: &str, out: &mut String) {
    for c in 0..3 + rng.below(5) {
        let _ = writeln!(out, "ALTER TABLE {table} ADD COLUMN extra_{c} {};", rng.pick(COLUMN_TYPES));
    }
    let _ = writeln!(
        out,
        "CREATE TABLE {table}_archive (id BIGINT PRIMARY KEY, status VARCHAR(16) NOT NULL, amount NUMERIC(14, 4));"
    );
    let _ = writeln!(
        out,
        "UPDATE {table} SET status = 'closed', amount = COALESCE(amount, 0) * 1.2 WHERE status = 'active' AND created_at < '2025-01-01';"
    );
    let _ = writeln!(
        out,
        "DELETE FROM {table} WHERE deleted_at IS NOT NULL AND id IN (SELECT id FROM {table} WHERE status = 'new');"
    );
    let _ = writeln!(
        out,
        "INSERT INTO {table}_archive (id, status, amount) SELECT id, status, amount FROM {table} WHERE status = 'closed';\n"
    );
}

/// Write migrations into `dir` until they hold at least `target` bytes; returns bytes and files.
/// They are valid as a sequence: a SQLite dry run rehearses them on an in-memory database.
fn write_corpus(dir: &Path, target: usize) -> Result<(usize, usize)> {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut bytes, mut i) = (0, 0);
    let mut previous: Option<String> = None;
    while bytes < target {
        i += 1;
        let table = format!("{}_{i}", rng.pick(WORDS));
        let other = previous.replace(table.clone()).unwrap_or_else(|| table.clone());
        let mut text = format!("-- Migration {i}: generated for the parse benchmark.\n-- +up\n");
        let mut ddl = String::new();
        create_table(&mut rng, &table, &mut ddl);
        text.push_str(&ddl);
        let mut down = String::new();
        match i % 5 {
            0 => {
                let rows = 80 + rng.below(120);
                insert_rows(&mut rng, &table, rows, &mut text);
            }
            1 => {
                view(&mut rng, &table, &other, &mut text);
                let _ = writeln!(down, "DROP VIEW {table}_summary;");
            }
            2 => {
                alter_and_fix(&mut rng, &table, &mut text);
                let _ = writeln!(down, "DROP TABLE {table}_archive;");
            }
            3 => {
                let rows = 20 + rng.below(40);
                insert_rows(&mut rng, &table, rows, &mut text);
                // The trigger exists only on PostgreSQL; other databases use the plain sections.
                text.push_str("-- +up postgres\n");
                text.push_str(&ddl);
                let _ = writeln!(text, "ALTER TABLE {table} ADD CONSTRAINT {table}_amount_chk CHECK (amount < 1000000);");
                pg_function(&mut rng, &table, &mut text);
                let _ = write!(
                    text,
                    "-- +down postgres\nDROP TRIGGER {table}_touch_trg ON {table};\nDROP FUNCTION {table}_touch();\n"
                );
                let _ = writeln!(text, "DROP TABLE {table};");
            }
            _ => {
                view(&mut rng, &table, &other, &mut text);
                alter_and_fix(&mut rng, &table, &mut text);
                let _ = writeln!(down, "DROP VIEW {table}_summary;\nDROP TABLE {table}_archive;");
            }
        }
        let _ = write!(text, "-- +down\n{down}DROP TABLE {table};\n");
        let path = dir.join(format!("{i:05}_{table}.sql"));
        bytes += text.len();
        fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok((bytes, i))
}

// ---------------------------------------------------------------------------------------------

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; this harness takes no arguments.
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        // Targets missed are the benchmark's finding, not its failure.
        Ok(false) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("workload benchmark failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<bool> {
    let cfg = Config::from_env()?;
    let tmp = tempfile::Builder::new().prefix("sqlmig-bench-").tempdir().map_err(|e| e.to_string())?;
    let work = tmp.path().to_path_buf();
    let timer = Timer::new(&work)?;
    let version = Command::new(&cfg.bin).arg("--version").output().map_err(|e| e.to_string())?;
    println!("# sqlmig workload benchmark");
    println!();
    println!(
        "{} ({}), N = {} migrations, {} runs per case, medians; {} cores",
        String::from_utf8_lossy(&version.stdout).trim(),
        cfg.bin.display(),
        cfg.n,
        cfg.runs,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let keep = std::env::var_os("SQLMIG_BENCH_KEEP").is_some_and(|v| !v.is_empty() && v != "0");
    let bench = Bench { cfg, timer, work };
    let started = Instant::now();
    let mut all_ok = true;
    for db in bench.cfg.dbs.clone() {
        all_ok &= bench.run_database(db)?;
    }
    if bench.cfg.general {
        all_ok &= bench.run_general()?;
    }
    println!();
    println!(
        "{} in {:.0} s",
        if all_ok { "every target met" } else { "some targets missed (✗)" },
        started.elapsed().as_secs_f64()
    );
    if keep {
        // The generated migration folders and floor scripts, for profiling by hand.
        println!("kept the generated files in {}", tmp.keep().display());
    }
    Ok(all_ok)
}
