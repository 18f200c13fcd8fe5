//! The test harness: a temporary project that runs the real binary ([`Project`]), what a
//! run produced ([`Outcome`]), a running process ([`Running`]) and a throw-away database on
//! each backend ([`TestDb`]).

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mysql::prelude::Queryable;
use tempfile::TempDir;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_sqlmig");

/// Environment variables that would change what sqlmig does; never passed to it.
const CLEARED_ENV: [&str; 3] = ["DATABASE_URL", "SQLMIG_DIR", "SQLMIG_DIALECT"];

/// How long any one sqlmig run may take before the test gives up on it.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// Run a test body once per backend, as `<name>::sqlite`, `<name>::postgres` and
/// `<name>::mysql`. The body gets `db: TestDb`; a backend whose server is down is skipped.
///
/// ```ignore
/// backend_test!(apply_then_noop, |db| { ... });
/// backend_test!(servers_only, [postgres, mysql], |db| { ... });
/// backend_test!(known_bug_on_sqlite, [sqlite, postgres, mysql], |db| { ... });
/// ```
macro_rules! backend_test {
    ($name:ident, |$db:ident| $body:block) => {
        backend_test!($name, [sqlite, postgres, mysql], |$db| $body);
    };
    ($name:ident, [$($backend:ident $(#[$attr:meta])*),+ $(,)?], |$db:ident| $body:block) => {
        // The body lives beside the module of the same name (functions and modules do not
        // share a namespace), so it sees the imports of the file it is written in.
        fn $name($db: $crate::helpers::TestDb) $body

        mod $name {
            $(
                #[test]
                $(#[$attr])*
                fn $backend() {
                    if let Some(db) = $crate::helpers::TestDb::$backend() {
                        super::$name(db);
                    }
                }
            )+
        }
    };
}

// ---------------------------------------------------------------------------------------
// Migration text
// ---------------------------------------------------------------------------------------

/// A migration that creates table `t` (SQL that runs as written on all three databases) and
/// drops it on the way down.
pub fn create_table(t: &str) -> String {
    format!("-- +up\nCREATE TABLE {t} (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\n-- +down\nDROP TABLE {t};\n")
}

// ---------------------------------------------------------------------------------------
// Project: a temporary folder with migrations, where the binary runs
// ---------------------------------------------------------------------------------------

/// A temporary project folder: `<root>/migrations` holds the migration files and the binary
/// runs with `<root>` as its working directory and `--database <url>` always given.
pub struct Project {
    root: TempDir,
    url: String,
}

impl Project {
    /// A project with an empty `migrations` folder, using `db`.
    pub fn new(db: &TestDb) -> Self {
        Self::with_url(db.url())
    }

    /// A project folder without a `migrations` folder (for `init`).
    pub fn bare(db: &TestDb) -> Self {
        let root = tempfile::Builder::new().prefix("sqlmig-project-").tempdir().expect("create temp project");
        Project { root, url: db.url().to_string() }
    }

    /// A project with an empty `migrations` folder using any database URL.
    pub fn with_url(url: &str) -> Self {
        let root = tempfile::Builder::new().prefix("sqlmig-project-").tempdir().expect("create temp project");
        let p = Project { root, url: url.to_string() };
        std::fs::create_dir(p.migrations()).expect("create migrations folder");
        p
    }

    /// Builder form of [`Project::write`].
    pub fn file(self, name: &str, text: &str) -> Self {
        self.write(name, text);
        self
    }

    /// Write (or overwrite) `migrations/<name>`.
    pub fn write(&self, name: &str, text: &str) -> &Self {
        self.write_bytes(name, text.as_bytes())
    }

    /// Write raw bytes to `migrations/<name>`.
    pub fn write_bytes(&self, name: &str, bytes: &[u8]) -> &Self {
        std::fs::write(self.migrations().join(name), bytes).unwrap_or_else(|e| panic!("write {name}: {e}"));
        self
    }

    /// Delete `migrations/<name>`.
    pub fn remove(&self, name: &str) -> &Self {
        std::fs::remove_file(self.migrations().join(name)).unwrap_or_else(|e| panic!("remove {name}: {e}"));
        self
    }

    /// The project folder (the binary's working directory).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// The migrations folder.
    pub fn migrations(&self) -> PathBuf {
        self.root.path().join("migrations")
    }

    /// The file names in the migrations folder, sorted.
    pub fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.migrations())
            .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.current_dir(self.root()).arg("--database").arg(&self.url).args(args);
        for var in CLEARED_ENV {
            cmd.env_remove(var);
        }
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd
    }

    /// Run `sqlmig --database <url> <args>` to completion.
    pub fn run(&self, args: &[&str]) -> Outcome {
        self.spawn(args).finish()
    }

    /// Start `sqlmig --database <url> <args>` without waiting for it.
    pub fn spawn(&self, args: &[&str]) -> Running {
        let mut child = self.command(args).spawn().unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let readers = vec![
            collect(child.stdout.take().expect("piped stdout"), Arc::clone(&stdout)),
            collect(child.stderr.take().expect("piped stderr"), Arc::clone(&stderr)),
        ];
        Running { child, stdout, stderr, readers, command: format!("sqlmig {}", args.join(" ")) }
    }
}

fn collect(mut stream: impl Read + Send + 'static, into: Arc<Mutex<String>>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => into.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n])),
            }
        }
    })
}

// ---------------------------------------------------------------------------------------
// Running: a sqlmig process in flight
// ---------------------------------------------------------------------------------------

/// A sqlmig process started by [`Project::spawn`]. Killed if dropped while running.
pub struct Running {
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
    command: String,
}

/// Which output stream.
#[derive(Debug, Clone, Copy)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl Running {
    /// Wait until `needle` shows up on `stream`, at most `timeout`; whether it did.
    pub fn wait_for(&self, stream: Stream, needle: &str, timeout: Duration) -> bool {
        let buffer = match stream {
            Stream::Stdout => &self.stdout,
            Stream::Stderr => &self.stderr,
        };
        poll(timeout, || buffer.lock().unwrap().contains(needle))
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Kill the process with SIGKILL (no chance to clean up) and reap it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Wait for the process to exit (killing it and failing the test after a minute).
    pub fn finish(mut self) -> Outcome {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for sqlmig") {
                break status;
            }
            if started.elapsed() > RUN_TIMEOUT {
                self.kill();
                panic!(
                    "`{}` still running after {RUN_TIMEOUT:?}; stdout:\n{}\nstderr:\n{}",
                    self.command,
                    self.stdout.lock().unwrap(),
                    self.stderr.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        Outcome {
            command: self.command.clone(),
            code: status.code().unwrap_or(-1),
            stdout: std::mem::take(&mut *self.stdout.lock().unwrap()),
            stderr: std::mem::take(&mut *self.stderr.lock().unwrap()),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.is_running() {
            self.kill();
        }
    }
}

/// Call `f` every 20 ms until it is true or `timeout` passed; whether it became true.
pub fn poll(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    loop {
        if f() {
            return true;
        }
        if started.elapsed() > timeout {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------------------------------
// Outcome: what a finished run produced
// ---------------------------------------------------------------------------------------

/// The exit status and output of a finished sqlmig run. Its assertions print everything on
/// failure.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The command line, for messages.
    pub command: String,
    /// The exit status (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` exited with {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command, self.code, self.stdout, self.stderr
        )
    }
}

impl Outcome {
    /// Assert exit status 0.
    #[track_caller]
    pub fn success(&self) -> &Self {
        self.code(0)
    }

    /// Assert this exit status.
    #[track_caller]
    pub fn code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "unexpected exit status\n{self}");
        self
    }

    /// Assert stdout contains `text`.
    #[track_caller]
    pub fn stdout_has(&self, text: &str) -> &Self {
        assert!(self.stdout.contains(text), "stdout lacks {text:?}\n{self}");
        self
    }

    /// Assert stderr contains `text`.
    #[track_caller]
    pub fn stderr_has(&self, text: &str) -> &Self {
        assert!(self.stderr.contains(text), "stderr lacks {text:?}\n{self}");
        self
    }

    /// Assert stdout does not contain `text`.
    #[track_caller]
    pub fn stdout_lacks(&self, text: &str) -> &Self {
        assert!(!self.stdout.contains(text), "stdout should not contain {text:?}\n{self}");
        self
    }

    /// Assert stderr does not contain `text`.
    #[track_caller]
    pub fn stderr_lacks(&self, text: &str) -> &Self {
        assert!(!self.stderr.contains(text), "stderr should not contain {text:?}\n{self}");
        self
    }

    /// Assert neither stream contains `text`.
    #[track_caller]
    pub fn output_lacks(&self, text: &str) -> &Self {
        self.stdout_lacks(text).stderr_lacks(text)
    }

    /// Assert stderr shows a source snippet with a caret line under it (`  |    ^^^`).
    #[track_caller]
    pub fn stderr_has_caret(&self) -> &Self {
        let caret = self.stderr.lines().any(|l| {
            let t = l.trim_start();
            t.starts_with('|') && t[1..].trim_start().starts_with('^')
        });
        assert!(caret, "stderr has no caret line\n{self}");
        self
    }

    /// Assert stdout has every one of `needles`, in this order.
    #[track_caller]
    pub fn stdout_order(&self, needles: &[&str]) -> &Self {
        let positions: Vec<usize> =
            needles.iter().map(|n| self.stdout.find(n).unwrap_or_else(|| panic!("stdout lacks {n:?}\n{self}"))).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "stdout has {needles:?} out of order\n{self}");
        self
    }

    /// Stdout parsed as exactly one JSON document.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not one JSON document: {e}\n{self}"))
    }

    /// The state column `status` prints for `label` (`applied`, `cosmetic edit`, ...).
    #[track_caller]
    pub fn status_of(&self, label: &str) -> String {
        let line = self
            .stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(label))
            .unwrap_or_else(|| panic!("status lists no {label}\n{self}"));
        line[label.len()..].trim_start().split("  ").next().unwrap_or_default().trim().to_string()
    }
}

// ---------------------------------------------------------------------------------------
// TestDb: a throw-away database on one backend
// ---------------------------------------------------------------------------------------

/// The three databases sqlmig supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, a file in a temporary folder.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    Mysql,
}

impl Backend {
    fn env_var(self) -> &'static str {
        match self {
            Backend::Postgres => "SQLMIG_TEST_POSTGRES_URL",
            Backend::Mysql => "SQLMIG_TEST_MYSQL_URL",
            Backend::Sqlite => "",
        }
    }

    fn default_url(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres://postgres@127.0.0.1:5432/test",
            Backend::Mysql => "mysql://root@127.0.0.1:3306/test",
            Backend::Sqlite => "",
        }
    }

    fn server_name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }

    /// The admin URL from the environment, or the default.
    pub fn admin_url(self) -> String {
        std::env::var(self.env_var()).ok().filter(|s| !s.is_empty()).unwrap_or_else(|| self.default_url().to_string())
    }
}

/// A database for one test: created empty, dropped (or deleted) when the value is dropped.
pub struct TestDb {
    backend: Backend,
    url: String,
    name: String,
    admin: String,
    /// The SQLite file's folder, removed on drop.
    _dir: Option<TempDir>,
    path: Option<PathBuf>,
    /// MySQL users created for this test, dropped with it.
    users: std::cell::RefCell<Vec<String>>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn test_name() -> String {
    std::thread::current().name().unwrap_or("unnamed").to_string()
}

/// A database name unique to this test, process and call: `sqlmig_t_<16 hex digits>`.
fn unique_name() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    let seed = format!("{}|{}|{}|{nanos}", test_name(), std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    // FNV-1a: stable and dependency-free.
    let hash = seed.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("sqlmig_t_{hash:016x}")
}

/// The URL with any password replaced by `***`, for messages.
fn masked(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Replace the database (path) of a server URL.
fn with_database(url: &str, db: &str) -> String {
    let mut u = url::Url::parse(url).unwrap_or_else(|e| panic!("bad test URL {}: {e}", masked(url)));
    u.set_path(&format!("/{db}"));
    u.to_string()
}

fn pg_connect(url: &str) -> Result<postgres::Client, String> {
    let mut config: postgres::Config = url.parse().map_err(|e: postgres::Error| e.to_string())?;
    config.connect_timeout(Duration::from_secs(5));
    config.connect(postgres::NoTls).map_err(|e| e.to_string())
}

fn my_connect(url: &str) -> Result<mysql::Conn, String> {
    let opts = mysql::Opts::from_url(url).map_err(|e| e.to_string())?;
    let opts = mysql::OptsBuilder::from_opts(opts).tcp_connect_timeout(Some(Duration::from_secs(5)));
    mysql::Conn::new(opts).map_err(|e| e.to_string())
}

/// Whether the backend's server answers, asked once per test process.
fn reachable(backend: Backend) -> bool {
    static POSTGRES: OnceLock<bool> = OnceLock::new();
    static MYSQL: OnceLock<bool> = OnceLock::new();
    let admin = backend.admin_url();
    match backend {
        Backend::Sqlite => true,
        Backend::Postgres => *POSTGRES.get_or_init(|| pg_connect(&admin).is_ok()),
        Backend::Mysql => *MYSQL.get_or_init(|| my_connect(&admin).is_ok()),
    }
}

/// Skip (or, with `SQLMIG_REQUIRE_SERVERS=1`, fail) a test whose server is down. The line
/// goes straight to the process's stderr so the test harness does not swallow it.
fn skip(backend: Backend) {
    let message = format!("SKIP {}: {} not reachable at {}", test_name(), backend.server_name(), masked(&backend.admin_url()));
    if std::env::var("SQLMIG_REQUIRE_SERVERS").is_ok_and(|v| v == "1") {
        panic!("{message}");
    }
    let _ = writeln!(std::io::stderr(), "{message}");
}

impl TestDb {
    /// A SQLite database file (not created yet) in a fresh temporary folder.
    pub fn sqlite() -> Option<Self> {
        let dir = tempfile::Builder::new().prefix("sqlmig-db-").tempdir().expect("temp dir");
        let path = dir.path().join("test.db");
        Some(TestDb {
            backend: Backend::Sqlite,
            url: format!("sqlite://{}", path.display()),
            name: "test.db".into(),
            admin: String::new(),
            _dir: Some(dir),
            path: Some(path),
            users: Default::default(),
        })
    }

    /// A fresh database on the PostgreSQL server, or `None` (after a SKIP line) when the
    /// server does not answer.
    pub fn postgres() -> Option<Self> {
        Self::server(Backend::Postgres)
    }

    /// A fresh database on the MySQL/MariaDB server, or `None` when it does not answer.
    pub fn mysql() -> Option<Self> {
        Self::server(Backend::Mysql)
    }

    fn server(backend: Backend) -> Option<Self> {
        if !reachable(backend) {
            skip(backend);
            return None;
        }
        let admin = backend.admin_url();
        let name = unique_name();
        match backend {
            Backend::Postgres => {
                let mut c = pg_connect(&admin).expect("connect to postgres");
                c.batch_execute(&format!("CREATE DATABASE \"{name}\"")).expect("create database");
            }
            Backend::Mysql => {
                let mut c = my_connect(&admin).expect("connect to mysql");
                c.query_drop(format!("CREATE DATABASE `{name}`")).expect("create database");
            }
            Backend::Sqlite => unreachable!(),
        }
        Some(TestDb {
            backend,
            url: with_database(&admin, &name),
            name,
            admin,
            _dir: None,
            path: None,
            users: Default::default(),
        })
    }

    /// Which backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL sqlmig is given.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database name (`test.db` for SQLite).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the database exists: for SQLite whether the file does; servers' always do.
    pub fn exists(&self) -> bool {
        self.path.as_ref().is_none_or(|p| p.exists())
    }

    /// A URL to this database's server with other credentials, port or database: for
    /// connection failure tests. `password` is put in the URL as given (encode it yourself).
    pub fn server_url(&self, user: Option<&str>, password: Option<&str>, port: Option<u16>, database: &str) -> String {
        let base = url::Url::parse(&self.admin).expect("admin URL");
        let user = user.unwrap_or(base.username());
        let auth = match password {
            Some(p) => format!("{user}:{p}@"),
            None => format!("{user}@"),
        };
        let host = base.host_str().unwrap_or("127.0.0.1");
        let port = port.or(base.port()).unwrap_or(if self.backend == Backend::Postgres { 5432 } else { 3306 });
        format!("{}://{auth}{host}:{port}/{database}", base.scheme())
    }

    /// The host of the server (servers only).
    pub fn host(&self) -> String {
        url::Url::parse(&self.admin).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default()
    }

    /// MySQL: create a user with `password` who may use this test's databases (and see that
    /// others do not exist); dropped with the database.
    pub fn create_mysql_user(&self, password: &str) -> String {
        assert_eq!(self.backend, Backend::Mysql);
        let user = format!("sqlmig_u_{}", &self.name["sqlmig_t_".len()..][..12]);
        let mut c = my_connect(&self.admin).expect("connect to mysql");
        let quoted = password.replace('\\', "\\\\").replace('\'', "''");
        c.query_drop(format!("CREATE USER '{user}'@'%' IDENTIFIED BY '{quoted}'")).expect("create user");
        self.users.borrow_mut().push(user.clone());
        c.query_drop(format!("GRANT ALL PRIVILEGES ON `sqlmig\\_t\\_%`.* TO '{user}'@'%'")).expect("grant");
        user
    }

    fn sqlite_conn(&self, create: bool) -> Option<rusqlite::Connection> {
        let path = self.path.as_ref()?;
        if !create && !path.exists() {
            return None;
        }
        let c = rusqlite::Connection::open(path).expect("open sqlite");
        c.busy_timeout(Duration::from_secs(10)).expect("busy timeout");
        Some(c)
    }

    fn pg(&self) -> postgres::Client {
        pg_connect(&self.url).unwrap_or_else(|e| panic!("connect to test database: {e}"))
    }

    fn my(&self) -> mysql::Conn {
        my_connect(&self.url).unwrap_or_else(|e| panic!("connect to test database: {e}"))
    }

    /// Run SQL (one or more statements without results).
    #[track_caller]
    pub fn exec(&self, sql: &str) {
        match self.backend {
            Backend::Sqlite => self.sqlite_conn(true).unwrap().execute_batch(sql).unwrap_or_else(|e| panic!("{sql}: {e}")),
            Backend::Postgres => self.pg().batch_execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}")),
            Backend::Mysql => self.my().query_drop(sql).unwrap_or_else(|e| panic!("{sql}: {e}")),
        }
    }

    /// The first column of the first row of a query, as an integer.
    #[track_caller]
    pub fn query_i64(&self, sql: &str) -> i64 {
        self.query_strings(sql).first().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("`{sql}` returned no integer"))
    }

    /// The first column of every row of a query, as text.
    #[track_caller]
    pub fn query_strings(&self, sql: &str) -> Vec<String> {
        match self.backend {
            Backend::Sqlite => {
                let Some(c) = self.sqlite_conn(false) else { return Vec::new() };
                let mut stmt = c.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
                let rows = stmt
                    .query_map([], |r| {
                        Ok(match r.get_ref(0)? {
                            rusqlite::types::ValueRef::Integer(i) => i.to_string(),
                            rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                            other => format!("{other:?}"),
                        })
                    })
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                rows.map(|r| r.unwrap()).collect()
            }
            Backend::Postgres => {
                let rows = self.pg().query(sql, &[]).unwrap_or_else(|e| panic!("{sql}: {e}"));
                rows.iter()
                    .map(|r| {
                        let ty = r.columns()[0].type_().clone();
                        match ty {
                            postgres::types::Type::INT8 => r.get::<_, i64>(0).to_string(),
                            postgres::types::Type::INT4 => r.get::<_, i32>(0).to_string(),
                            postgres::types::Type::INT2 => r.get::<_, i16>(0).to_string(),
                            _ => r.get::<_, String>(0),
                        }
                    })
                    .collect()
            }
            Backend::Mysql => {
                let rows: Vec<mysql::Row> = self.my().query(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
                rows.into_iter()
                    .map(|mut r| match r.take::<mysql::Value, _>(0).unwrap_or(mysql::Value::NULL) {
                        mysql::Value::Bytes(b) => String::from_utf8_lossy(&b).into_owned(),
                        mysql::Value::Int(i) => i.to_string(),
                        mysql::Value::UInt(u) => u.to_string(),
                        other => other.as_sql(true),
                    })
                    .collect()
            }
        }
    }

    /// The user tables, sorted (the ledger tables included).
    pub fn tables(&self) -> Vec<String> {
        let sql = match self.backend {
            Backend::Sqlite => {
                if !self.exists() {
                    return Vec::new();
                }
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            }
            Backend::Mysql => {
                "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY 1"
            }
        };
        self.query_strings(sql)
    }

    /// Whether table `t` exists.
    pub fn has_table(&self, t: &str) -> bool {
        self.tables().iter().any(|x| x == t)
    }

    /// The ledger's rows as (version, state), by version; empty when there is no ledger.
    pub fn ledger(&self) -> Vec<(i64, String)> {
        if !self.has_table("sqlmig_ledger") {
            return Vec::new();
        }
        let versions = self.query_strings("SELECT version FROM sqlmig_ledger ORDER BY version");
        let states = self.query_strings("SELECT state FROM sqlmig_ledger ORDER BY version");
        versions.into_iter().map(|v| v.parse().expect("integer version")).zip(states).collect()
    }

    /// Just the versions in the ledger.
    pub fn ledger_versions(&self) -> Vec<i64> {
        self.ledger().into_iter().map(|(v, _)| v).collect()
    }

    /// The header line that makes a migration written in this database's own SQL, for
    /// migrations holding [`TestDb::slow_sql`] (MySQL's `SLEEP` has no PostgreSQL spelling).
    pub fn own_dialect(&self) -> &'static str {
        match self.backend {
            Backend::Mysql => "-- +dialect mysql\n",
            _ => "",
        }
    }

    /// A statement that keeps the database busy for a while (seconds on servers; long
    /// enough on SQLite that a test can kill the process in the middle).
    pub fn slow_sql(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => {
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 500000000) SELECT count(*) FROM c"
            }
            Backend::Postgres => "SELECT pg_sleep(2)",
            Backend::Mysql => "SELECT SLEEP(2)",
        }
    }

    /// Take sqlmig's migration lock from outside, as another sqlmig would. Released when the
    /// holder is dropped.
    pub fn hold_lock(&self) -> LockHolder {
        match self.backend {
            Backend::Sqlite => {
                let c = self.sqlite_conn(true).unwrap();
                c.execute_batch("BEGIN EXCLUSIVE").expect("BEGIN EXCLUSIVE");
                LockHolder::Sqlite(c)
            }
            Backend::Mysql => {
                let mut c = self.my();
                let name = format!("sqlmig:{}.sqlmig_ledger", self.name);
                let got: Option<i64> = c.exec_first("SELECT GET_LOCK(?, 0)", (name,)).expect("GET_LOCK");
                assert_eq!(got, Some(1), "GET_LOCK");
                LockHolder::Mysql(c)
            }
            Backend::Postgres => {
                // sqlmig's advisory lock key is private to the crate: hold it the way another
                // sqlmig would, with a migration that sleeps, and end that session on release.
                let project = Project::with_url(&self.url).file("1_hold.sql", "-- +up\nSELECT pg_sleep(600);\n");
                let running = project.spawn(&["apply"]);
                let admin = self.admin.clone();
                let name = self.name.clone();
                let held = poll(Duration::from_secs(20), || {
                    let sql = "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database \
                               WHERE l.locktype = 'advisory' AND l.granted AND d.datname = $1";
                    pg_connect(&admin)
                        .ok()
                        .and_then(|mut c| c.query_one(sql, &[&name]).ok())
                        .is_some_and(|r| r.get::<_, i64>(0) > 0)
                });
                assert!(held, "the lock-holding sqlmig did not take the lock");
                LockHolder::Postgres { running, _project: project, admin, name }
            }
        }
    }
}

/// sqlmig's migration lock, held by the test (see [`TestDb::hold_lock`]).
pub enum LockHolder {
    /// An open `BEGIN EXCLUSIVE` transaction.
    Sqlite(rusqlite::Connection),
    /// A session holding `GET_LOCK`.
    Mysql(mysql::Conn),
    /// A sqlmig process asleep in a migration while holding the advisory lock.
    Postgres {
        /// The process.
        running: Running,
        /// Its project folder.
        _project: Project,
        /// Admin URL, to end its session.
        admin: String,
        /// The database.
        name: String,
    },
}

impl LockHolder {
    /// Release the lock.
    pub fn release(self) {
        drop(self);
    }
}

impl Drop for LockHolder {
    fn drop(&mut self) {
        match self {
            LockHolder::Sqlite(c) => {
                let _ = c.execute_batch("COMMIT");
            }
            LockHolder::Mysql(c) => {
                let _ = c.query_drop("DO RELEASE_LOCK(CONCAT('sqlmig:', DATABASE(), '.sqlmig_ledger'))");
            }
            LockHolder::Postgres { running, admin, name, .. } => {
                running.kill();
                // The server would finish the sleep before noticing the client is gone.
                if let Ok(mut c) = pg_connect(admin) {
                    let _ = c.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                         WHERE datname = $1 AND query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()",
                        &[&*name],
                    );
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self.backend {
            Backend::Sqlite => {}
            Backend::Postgres => {
                if let Ok(mut c) = pg_connect(&self.admin) {
                    let _ = c.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                        &[&self.name],
                    );
                    if let Err(e) = c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{}\"", self.name)) {
                        let _ = writeln!(std::io::stderr(), "warning: could not drop database {}: {e}", self.name);
                    }
                }
            }
            Backend::Mysql => {
                if let Ok(mut c) = my_connect(&self.admin) {
                    let ids: Vec<u64> = c
                        .exec(
                            "SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()",
                            (&self.name,),
                        )
                        .unwrap_or_default();
                    for id in ids {
                        let _ = c.query_drop(format!("KILL {id}"));
                    }
                    for user in self.users.borrow().iter() {
                        let _ = c.query_drop(format!("DROP USER IF EXISTS '{user}'@'%'"));
                    }
                    if let Err(e) = c.query_drop(format!("DROP DATABASE IF EXISTS `{}`", self.name)) {
                        let _ = writeln!(std::io::stderr(), "warning: could not drop database {}: {e}", self.name);
                    }
                }
            }
        }
    }
}
