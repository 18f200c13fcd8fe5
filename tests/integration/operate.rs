//! Running sqlmig in operation: `baseline`, `repair` (and the ledger layout upgrade it needs),
//! the configuration file, `-- +envsub`, colour, completions and the man page, and an
//! application embedding its migrations beside the command line.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use pretty_assertions::assert_eq;

use crate::helpers::*;

/// Environment variables that would change what sqlmig does; never passed to it here.
const CLEARED_ENV: [&str; 7] =
    ["DATABASE_URL", "SQLMIG_DIR", "SQLMIG_DIALECT", "SQLMIG_CONFIG", "SQLMIG_ENV", "NO_COLOR", "TERM"];

fn outcome(args: &[&str], output: std::process::Output) -> Outcome {
    Outcome {
        command: format!("sqlmig {}", args.join(" ")),
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Run the binary in `dir` with exactly `args` (no `--database` added) and `env` on top of
/// a cleaned environment; stdin is not a terminal.
fn sqlmig_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Outcome {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir).args(args);
    for var in CLEARED_ENV {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let output = cmd.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
    outcome(args, output)
}

/// `sqlmig --database <url> <args>` in the project, with `env` set.
fn run_with_env(p: &Project, db: &TestDb, args: &[&str], env: &[(&str, &str)]) -> Outcome {
    let all: Vec<&str> = ["--database", db.url()].into_iter().chain(args.iter().copied()).collect();
    sqlmig_in(p.root(), &all, env)
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Run the binary in a pseudo-terminal (with util-linux `script`), typing `input`. Stdout and
/// stderr both arrive in `stdout`. `None` (after a SKIP line) when `script` is missing.
fn in_terminal(dir: &Path, args: &[&str], env: &[(&str, &str)], input: &str) -> Option<Outcome> {
    if Command::new("script").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_err() {
        eprintln!("SKIP: util-linux `script` is not installed, so no terminal can be faked");
        return None;
    }
    let line: Vec<String> = std::iter::once(BIN).chain(args.iter().copied()).map(shell_quote).collect();
    let mut cmd = Command::new("script");
    cmd.current_dir(dir).args(["-qec", &line.join(" "), "/dev/null"]);
    for var in CLEARED_ENV {
        cmd.env_remove(var);
    }
    cmd.env("TERM", "xterm").envs(env.iter().copied());
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start script");
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin.write_all(input.as_bytes()).expect("type the answers");
    drop(stdin);
    let output = child.wait_with_output().expect("wait for script");
    Some(outcome(args, output))
}

fn ledger_checksum(db: &TestDb, version: i64) -> String {
    db.query_strings(&format!("SELECT checksum FROM sqlmig_ledger WHERE version = {version}")).remove(0).trim().to_string()
}

// ---------------------------------------------------------------------------------------
// baseline
// ---------------------------------------------------------------------------------------

fn three_tables(db: &TestDb) -> Project {
    Project::new(db).file("1_a.sql", &create_table("a")).file("2_b.sql", &create_table("b")).file("3_c.sql", &create_table("c"))
}

backend_test!(baseline_adopts_an_existing_schema, |db| {
    let p = three_tables(&db);
    // The schema of migrations 1 and 2 exists already, made before sqlmig.
    db.exec("CREATE TABLE a (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL)");
    db.exec("CREATE TABLE b (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL)");

    p.run(&["baseline", "2"])
        .success()
        .stdout_order(&["baseline 1_a", "baseline 2_b", "2 migrations up to 2 recorded as baseline"])
        .stdout_lacks("3_c");
    assert_eq!(db.ledger(), vec![(1, "baseline".into()), (2, "baseline".into())]);
    assert_eq!(db.query_i64("SELECT count(*) FROM sqlmig_ledger WHERE statements_done = 0 AND execution_ms = 0"), 2);
    let status = p.run(&["status"]);
    assert_eq!(status.success().status_of("1_a"), "baseline");
    assert_eq!(status.status_of("2_b"), "baseline");
    assert_eq!(status.status_of("3_c"), "pending");
    let doc = p.run(&["status", "--format", "json"]).success().json();
    assert_eq!(doc["migrations"][0]["state"], "baseline", "{doc:#}");
    p.run(&["verify"]).success().stdout_has("verified 2 applied migrations");

    // Only the later migration runs.
    p.run(&["apply"]).success().stdout_has("applied 3_c").stdout_lacks("applied 1_a").stdout_lacks("applied 2_b");
    assert_eq!(db.ledger(), vec![(1, "baseline".into()), (2, "baseline".into()), (3, "applied".into())]);

    // Baselined migrations are checked like applied ones.
    p.write("1_a.sql", &create_table("a").replace("VARCHAR(50)", "VARCHAR(80)"));
    p.run(&["verify"]).code(3).stdout_has("1_a").stdout_has("edited");
    p.write("1_a.sql", &create_table("a"));

    // And they roll back like applied ones: their down sections run.
    p.run(&["rollback", "--to", "0"]).success().stdout_order(&["rolled back 3_c", "rolled back 2_b", "rolled back 1_a"]);
    assert!(!db.has_table("a") && !db.has_table("b"));
});

backend_test!(baseline_refuses_what_the_ledger_already_has, |db| {
    let p = three_tables(&db);
    p.run(&["apply", "--to", "1"]).success();

    p.run(&["baseline", "2"])
        .code(2)
        .stderr_has("cannot baseline at 2: the ledger already records 1_a")
        .stderr_has("nothing was changed");
    p.run(&["baseline", "9"]).code(2).stderr_has("no migration has version 9");
    let doc = p.run(&["baseline", "2", "--format", "json"]).code(2).json();
    assert_eq!(doc["error"]["kind"], "input", "{doc:#}");
    assert_eq!(db.ledger(), vec![(1, "applied".into())]);
});

backend_test!(baseline_holds_the_migration_lock, |db| {
    let p = three_tables(&db);
    db.exec("CREATE TABLE a (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL)");
    let holder = db.hold_lock();
    p.run(&["baseline", "1", "--lock-timeout", "1"]).code(1).stderr_has("timed out after 1s waiting for another sqlmig");
    holder.release();
    p.run(&["baseline", "1", "--lock-timeout", "10"]).success();
    assert_eq!(db.ledger(), vec![(1, "baseline".into())]);
});

#[test]
fn baseline_never_creates_a_database() {
    let db = TestDb::sqlite().unwrap();
    let p = three_tables(&db);
    p.run(&["baseline", "1"]).code(2).stderr_has("does not exist").stderr_has("adopts an existing database");
    assert!(!db.exists());
}

// ---------------------------------------------------------------------------------------
// repair, and the ledger layout upgrade
// ---------------------------------------------------------------------------------------

const B_EDITED: &str = "-- +up\nCREATE TABLE b (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\nCREATE INDEX b_name ON b (name);\n-- +down\nDROP TABLE b;\n";

backend_test!(repair_accepts_edits_and_forgets_missing_files, |db| {
    let p = three_tables(&db);
    p.run(&["apply"]).success();
    let old = ledger_checksum(&db, 2);
    p.write("2_b.sql", B_EDITED).remove("3_c.sql");
    p.run(&["verify"]).code(3);

    // Without a terminal, nothing happens without --yes.
    p.run(&["repair"])
        .code(2)
        .stderr_has("stdin is not a terminal")
        .stderr_has("pass --yes")
        .stdout_has("would accept the current checksum of 2_b")
        .stdout_has("would remove 3_c from the ledger");
    assert_eq!(ledger_checksum(&db, 2), old);
    assert_eq!(db.ledger_versions(), [1, 2, 3]);

    p.run(&["repair", "--yes"])
        .success()
        .stdout_has(&format!("accepted 2_b: checksum {}", &old[..12]))
        .stdout_has("removed 3_c from the ledger (its file is missing)")
        .stdout_has("2 ledger rows repaired");
    assert_eq!(db.ledger_versions(), [1, 2]);
    assert_ne!(ledger_checksum(&db, 2), old);
    let kept = format!(
        "SELECT count(*) FROM sqlmig_ledger WHERE version = 2 AND previous_checksum = '{old}' AND repaired_at IS NOT NULL"
    );
    assert_eq!(db.query_i64(&kept), 1);
    assert_eq!(db.query_i64("SELECT count(*) FROM sqlmig_ledger WHERE version = 1 AND previous_checksum IS NULL"), 1);
    p.run(&["verify", "--strict"]).success();
    assert_eq!(p.run(&["status"]).success().status_of("2_b"), "applied");

    p.run(&["repair"]).success().stdout_has("nothing to repair");
    let doc = p.run(&["repair", "--format", "json"]).success().json();
    assert_eq!(doc["repaired"], serde_json::json!([]), "{doc:#}");
});

backend_test!(repair_reports_in_json, |db| {
    let p = three_tables(&db);
    p.run(&["apply"]).success();
    let old = ledger_checksum(&db, 2);
    p.write("2_b.sql", B_EDITED);
    let doc = p.run(&["repair", "--yes", "--format", "json"]).success().json();
    assert_eq!(doc["command"], "repair");
    let change = &doc["repaired"][0];
    assert_eq!(change["action"], "accept_checksum", "{doc:#}");
    assert_eq!(change["label"], "2_b");
    assert_eq!(change["previous_checksum"], old.as_str());
    assert_eq!(change["cosmetic"], false);
    assert_eq!(doc["declined"], serde_json::json!([]));
});

#[test]
fn repair_asks_at_a_terminal() {
    let db = TestDb::sqlite().unwrap();
    let p = three_tables(&db);
    p.run(&["apply"]).success();
    p.write("2_b.sql", B_EDITED).remove("3_c.sql");
    let Some(out) = in_terminal(p.root(), &["--database", db.url(), "repair"], &[], "y\nn\n") else { return };
    out.success()
        .stdout_has("accept the current checksum of 2_b (edited after it was applied)? [y/N]")
        .stdout_has("remove 3_c from the ledger (its file is missing)? [y/N]")
        .stdout_has("accepted 2_b")
        .stdout_has("left 3_c as it was")
        .stdout_has("1 ledger row repaired");
    assert_eq!(db.ledger_versions(), [1, 2, 3]);
    p.run(&["verify"]).code(3).stdout_has("3_c").stdout_lacks("2_b");
}

/// The layout-1 ledger, as sqlmig 0.1 created it.
fn create_v1_ledger(db: &TestDb) {
    let text = if db.backend() == Backend::Sqlite { "TEXT" } else { "VARCHAR(64)" };
    db.exec(&format!(
        "CREATE TABLE sqlmig_ledger (version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL, seq BIGINT NOT NULL, \
         state VARCHAR(16) NOT NULL, checksum CHAR(64) NOT NULL, canonical_checksum CHAR(64) NOT NULL, \
         up_checksum CHAR(64) NOT NULL, down_checksum CHAR(64) NOT NULL, checksum_scheme BIGINT NOT NULL, \
         statements_done BIGINT NOT NULL, statements_total BIGINT NOT NULL, unparsed_statements BIGINT NOT NULL, \
         applied_at {text} NOT NULL, execution_ms BIGINT NOT NULL, sqlmig_version {text} NOT NULL)"
    ));
    db.exec("CREATE TABLE sqlmig_ledger_schema (schema_version BIGINT NOT NULL)");
    db.exec("INSERT INTO sqlmig_ledger_schema (schema_version) VALUES (1)");
}

/// Record `text` as applied in a layout-1 ledger, with checksums computed by the library.
fn insert_v1_row(db: &TestDb, name: &str, text: &str, seq: i64) {
    let project = sqlmig::Project::from_files([(name, text)], sqlmig::Dialect::Postgres).unwrap();
    let m = &project.migrations[0];
    let row = sqlmig::ledger::new_row(m, &m.parse(sqlmig::Dialect::Postgres).unwrap(), seq);
    db.exec(&format!(
        "INSERT INTO sqlmig_ledger VALUES ({}, '{}', {seq}, 'applied', '{}', '{}', '{}', '{}', {}, 1, 1, 0, \
         '2025-01-01T00:00:00.000Z', 5, '0.1.0')",
        row.version, row.name, row.checksum, row.canonical_checksum, row.up_checksum, row.down_checksum, row.checksum_scheme
    ));
}

fn layout(db: &TestDb) -> i64 {
    db.query_i64("SELECT MAX(schema_version) FROM sqlmig_ledger_schema")
}

backend_test!(a_layout_1_ledger_is_read_as_it_is_and_upgraded_under_the_lock, |db| {
    let p = three_tables(&db);
    db.exec("CREATE TABLE a (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL)");
    create_v1_ledger(&db);
    insert_v1_row(&db, "1_a.sql", &create_table("a"), 1);

    // Reading commands work on the old layout and change nothing.
    assert_eq!(p.run(&["status"]).success().status_of("1_a"), "applied");
    p.run(&["verify"]).success().stdout_has("verified 1 applied migration");
    p.run(&["apply", "--dry-run"]).success().stdout_has("CREATE TABLE b");
    assert_eq!(layout(&db), 1);

    // The next writing command upgrades it in place and keeps its rows.
    p.run(&["apply"]).success().stdout_has("applied 2_b").stdout_has("applied 3_c").stdout_lacks("applied 1_a");
    assert_eq!(layout(&db), 2);
    assert_eq!(db.ledger(), vec![(1, "applied".into()), (2, "applied".into()), (3, "applied".into())]);
    assert_eq!(db.query_i64("SELECT count(*) FROM sqlmig_ledger WHERE previous_checksum IS NULL AND repaired_at IS NULL"), 3);
    assert_eq!(db.query_strings("SELECT applied_at FROM sqlmig_ledger WHERE version = 1"), ["2025-01-01T00:00:00.000Z"]);
    p.run(&["verify"]).success();
    p.run(&["rollback", "--to", "0"]).success();
    assert_eq!(db.ledger(), vec![]);
});

backend_test!(repair_upgrades_a_layout_1_ledger, |db| {
    let p = three_tables(&db);
    db.exec("CREATE TABLE a (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL)");
    create_v1_ledger(&db);
    insert_v1_row(&db, "1_a.sql", &create_table("a"), 1);
    let old = ledger_checksum(&db, 1);
    p.write("1_a.sql", &create_table("a").replace("-- +down", "-- a note\n-- +down"));
    assert_eq!(p.run(&["status"]).success().status_of("1_a"), "cosmetic edit");

    p.run(&["repair", "--yes"]).success().stdout_has("accepted 1_a");
    assert_eq!(layout(&db), 2);
    assert_eq!(db.query_i64(&format!("SELECT count(*) FROM sqlmig_ledger WHERE previous_checksum = '{old}'")), 1);
    p.run(&["verify", "--strict"]).success();
});

// ---------------------------------------------------------------------------------------
// sqlmig.toml
// ---------------------------------------------------------------------------------------

backend_test!(config_file_environment_gives_the_database, |db| {
    let p = Project::bare(&db);
    std::fs::create_dir_all(p.root().join("db/migrations")).unwrap();
    std::fs::write(p.root().join("db/migrations/1_a.sql"), create_table("a")).unwrap();
    std::fs::write(
        p.root().join("sqlmig.toml"),
        "# sqlmig settings\ndir = \"db/migrations\"\nledger_table = \"schema_log\"\n\n[env.test]\ndatabase = \"${SQLMIG_OPERATE_URL}\"\nlock_timeout = 10\n",
    )
    .unwrap();
    let env = [("SQLMIG_OPERATE_URL", db.url())];

    sqlmig_in(p.root(), &["--env", "test", "apply"], &env).success().stdout_has("applied 1_a");
    assert!(db.has_table("a") && db.has_table("schema_log"), "{:?}", db.tables());
    let doc = sqlmig_in(p.root(), &["--env", "test", "status", "--format", "json"], &env).success().json();
    assert_eq!(doc["migrations"][0]["state"], "applied", "{doc:#}");
    assert_eq!(doc["config"], "sqlmig.toml");

    // An unset variable is an error naming it, never an empty URL.
    sqlmig_in(p.root(), &["--env", "test", "status"], &[])
        .code(2)
        .stderr_has("environment variable `SQLMIG_OPERATE_URL` is not set")
        .stderr_has("sqlmig.toml:6:13");
    sqlmig_in(p.root(), &["--env", "prod", "status"], &env).code(2).stderr_has("has no `[env.prod]` section (it has: test)");
});

#[test]
fn config_precedence_is_flag_then_environment_then_file() {
    let p = Project::with_url("sqlite::memory:");
    let root = p.root();
    for dir in ["from_file", "from_env", "from_flag"] {
        std::fs::create_dir(root.join(dir)).unwrap();
        std::fs::write(root.join(dir).join(format!("1_{dir}.sql")), create_table("t")).unwrap();
    }
    std::fs::write(root.join("sqlmig.toml"), "dir = \"from_file\"\ndatabase = \"sqlite://file.db\"\ndialect = \"sqlite\"\n")
        .unwrap();

    let doc = sqlmig_in(root, &["status", "--format", "json"], &[]).success().json();
    assert_eq!(
        (doc["database"].as_str(), doc["migrations"][0]["label"].as_str()),
        (Some("sqlite://file.db"), Some("1_from_file"))
    );

    let env = [("SQLMIG_DIR", "from_env"), ("DATABASE_URL", "sqlite://env.db")];
    let doc = sqlmig_in(root, &["status", "--format", "json"], &env).success().json();
    assert_eq!((doc["database"].as_str(), doc["migrations"][0]["label"].as_str()), (Some("sqlite://env.db"), Some("1_from_env")));

    let doc = sqlmig_in(root, &["status", "--dir", "from_flag", "--database", "sqlite://flag.db", "--format", "json"], &env)
        .success()
        .json();
    assert_eq!(
        (doc["database"].as_str(), doc["migrations"][0]["label"].as_str()),
        (Some("sqlite://flag.db"), Some("1_from_flag"))
    );

    // `--config` names another file; a relative `dir` there is relative to that file.
    std::fs::create_dir(root.join("elsewhere")).unwrap();
    std::fs::write(root.join("elsewhere/other.toml"), "dir = \"../from_env\"\n").unwrap();
    let doc = sqlmig_in(root, &["--config", "elsewhere/other.toml", "status", "--format", "json"], &[]).success().json();
    assert_eq!(doc["migrations"][0]["label"], "1_from_env", "{doc:#}");
    for db in ["file.db", "env.db", "flag.db"] {
        assert!(!root.join(db).exists(), "status created {db}");
    }
}

#[test]
fn config_unknown_keys_are_errors_at_their_line() {
    let p = Project::with_url("sqlite::memory:");
    std::fs::write(p.root().join("sqlmig.toml"), "dir = \"migrations\"\n\n[env.production]\ndatabse = \"x\"\n").unwrap();
    sqlmig_in(p.root(), &["status"], &[])
        .code(2)
        .stderr_has("unknown field `databse`")
        .stderr_has("sqlmig.toml:4:1")
        .stderr_has_caret();
    std::fs::write(p.root().join("sqlmig.toml"), "lock_timeout = \"soon\"\n").unwrap();
    sqlmig_in(p.root(), &["status"], &[]).code(2).stderr_has("sqlmig.toml:1:16");
    std::fs::write(p.root().join("sqlmig.toml"), "[lint]\ndisable = [\"drop-tabel\"]\n").unwrap();
    sqlmig_in(p.root(), &["lint"], &[]).code(2).stderr_has("unknown lint rule `drop-tabel`").stderr_has("sqlmig.toml:2:12");
    sqlmig_in(p.root(), &["--config", "missing.toml", "status"], &[]).code(2).stderr_has("missing.toml");
    std::fs::remove_file(p.root().join("sqlmig.toml")).unwrap();
    sqlmig_in(p.root(), &["--env", "production", "status"], &[]).code(2).stderr_has("needs a configuration file");
}

#[test]
fn config_database_passwords_are_masked() {
    let p = Project::with_url("sqlite::memory:").file("1_a.sql", &create_table("a"));
    std::fs::write(p.root().join("sqlmig.toml"), "database = \"postgres://app:s3cret-pw@127.0.0.1:1/app\"\n").unwrap();
    let out = sqlmig_in(p.root(), &["status", "--format", "json"], &[]);
    out.code(1).stderr_has("postgres://app:***@127.0.0.1:1/app").output_lacks("s3cret-pw");
    // A mistake on the URL's line is shown with the password masked too.
    std::fs::write(p.root().join("sqlmig.toml"), "database = \"postgres://app:s3cret-pw@127.0.0.1:1/app\" oops\n").unwrap();
    sqlmig_in(p.root(), &["status"], &[]).code(2).stderr_has("app:***@").output_lacks("s3cret-pw");
}

#[test]
fn config_turns_lint_rules_off() {
    let p = Project::with_url("sqlite::memory:").file("1_a.sql", &create_table("a")).file(
        "2_drop.sql",
        "-- +up\nDROP TABLE a;\n-- +down\nCREATE TABLE a (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\n",
    );
    sqlmig_in(p.root(), &["lint"], &[]).code(1).stdout_has("[drop-table]");
    std::fs::write(p.root().join("sqlmig.toml"), "[lint]\ndisable = [\"drop-table\"]\n").unwrap();
    sqlmig_in(p.root(), &["lint"], &[]).success().stdout_lacks("drop-table");
    let doc = sqlmig_in(p.root(), &["lint", "--format", "json"], &[]).success().json();
    assert!(doc["findings"].as_array().unwrap().iter().all(|f| f["rule"] != "drop-table"), "{doc:#}");
}

// ---------------------------------------------------------------------------------------
// -- +envsub
// ---------------------------------------------------------------------------------------

const ENVSUB: &str = "-- Tables named per deployment.\n-- +envsub\n-- +up\nCREATE TABLE ${SQLMIG_T_TABLE} (id INTEGER PRIMARY KEY, note VARCHAR(20) DEFAULT '$${kept}');\n-- +down\nDROP TABLE ${SQLMIG_T_TABLE};\n";

backend_test!(envsub_substitutes_variables_after_checksumming, |db| {
    let p = Project::new(&db).file("1_sub.sql", ENVSUB);

    run_with_env(&p, &db, &["apply"], &[])
        .code(2)
        .stderr_has("environment variable `SQLMIG_T_TABLE` is not set")
        .stderr_has("migrations/1_sub.sql:4:14")
        .stderr_has_caret();
    assert!(!db.has_table("sqlmig_ledger"));

    let env = [("SQLMIG_T_TABLE", "tenant_notes")];
    run_with_env(&p, &db, &["apply", "--dry-run"], &env)
        .success()
        .stdout_has("tenant_notes (id INTEGER PRIMARY KEY")
        .stdout_has("'${kept}'")
        .stdout_lacks("SQLMIG_T_TABLE");
    run_with_env(&p, &db, &["apply"], &env).success().stdout_has("applied 1_sub");
    assert!(db.has_table("tenant_notes"), "{:?}", db.tables());
    assert_eq!(db.query_i64("SELECT unparsed_statements FROM sqlmig_ledger"), 0);

    // Another value, or none, is not an edit: the checksum covers the file as written.
    let other = [("SQLMIG_T_TABLE", "other")];
    assert_eq!(run_with_env(&p, &db, &["status"], &other).success().status_of("1_sub"), "applied");
    run_with_env(&p, &db, &["verify", "--strict"], &[]).success();

    run_with_env(&p, &db, &["rollback"], &env).success().stdout_has("rolled back 1_sub");
    assert!(!db.has_table("tenant_notes"));
});

#[test]
fn envsub_is_off_without_the_annotation() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::new(&db).file("1_a.sql", "-- +up\nCREATE TABLE a (note VARCHAR(20) DEFAULT '${NOT_SUBSTITUTED}');\n");
    run_with_env(&p, &db, &["apply", "--dry-run"], &[("NOT_SUBSTITUTED", "x")]).success().stdout_has("'${NOT_SUBSTITUTED}'");
}

// ---------------------------------------------------------------------------------------
// Colour, completions, man page
// ---------------------------------------------------------------------------------------

#[test]
fn colour_only_at_a_terminal_and_never_with_no_color() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::new(&db).file("1_a.sql", &create_table("a")).file("2_b.sql", &create_table("b"));
    let plain = p.run(&["apply", "--to", "1"]);
    plain.success().stdout_has("applied 1_a");
    assert!(!plain.stdout.contains('\x1b') && !plain.stderr.contains('\x1b'), "{plain}");
    let bad = p.run(&["--dialect", "cobol", "status"]);
    assert!(bad.code(2).stderr.starts_with("error: "), "{bad}");

    let args = ["--database", db.url(), "apply"];
    let Some(coloured) = in_terminal(p.root(), &args, &[], "") else { return };
    coloured.success().stdout_has("\x1b[32mapplied\x1b[0m 2_b");
    let Some(error) = in_terminal(p.root(), &["--dialect", "cobol", "status"], &[], "") else { return };
    error.code(2).stdout_has("\x1b[1;31merror:\x1b[0m");
    let Some(no_color) = in_terminal(p.root(), &["--database", db.url(), "status"], &[("NO_COLOR", "1")], "") else { return };
    no_color.success().stdout_has("applied");
    assert!(!no_color.stdout.contains('\x1b'), "{no_color}");
}

#[test]
fn completions_and_man_page() {
    let dir = tempfile::tempdir().unwrap();
    let bash = sqlmig_in(dir.path(), &["completions", "bash"], &[]);
    bash.success().stdout_has("_sqlmig()").stdout_has("baseline").stdout_has("repair").stdout_has("--ledger-table");
    if Command::new("bash").arg("--version").stdout(Stdio::null()).status().is_ok() {
        let script = dir.path().join("sqlmig.bash");
        std::fs::write(&script, &bash.stdout).unwrap();
        let ok = Command::new("bash").arg("-n").arg(&script).status().unwrap();
        assert!(ok.success(), "bash -n rejects the completion script");
    }
    sqlmig_in(dir.path(), &["completions", "zsh"], &[]).success().stdout_has("#compdef sqlmig").stdout_has("baseline");
    sqlmig_in(dir.path(), &["completions", "fish"], &[]).success().stdout_has("complete -c sqlmig").stdout_has("repair");
    sqlmig_in(dir.path(), &["completions", "tcsh"], &[]).code(2);
    sqlmig_in(dir.path(), &["man"], &[]).success().stdout_has(".TH sqlmig").stdout_has("baseline").stdout_has("\\-\\-database");
    // Neither needs a database, a migrations folder or a valid configuration.
    std::fs::write(dir.path().join("sqlmig.toml"), "nonsense = 1\n").unwrap();
    sqlmig_in(dir.path(), &["man"], &[]).success();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "only the files this test wrote");
}

// ---------------------------------------------------------------------------------------
// An application with embedded migrations and the command line on one database
// ---------------------------------------------------------------------------------------

const USERS: &str =
    "-- +up\nCREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(100) NOT NULL);\n-- +down\nDROP TABLE users;\n";
const SEED: &str = "-- +up\nINSERT INTO users (id, email) VALUES (1, 'ada@example.com');\n-- +down\nDELETE FROM users;\n";
const POSTS: &str =
    "-- +up\nCREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id));\n-- +down\nDROP TABLE posts;\n";

/// What an application does at start-up: apply its compiled-in migrations.
fn apply_embedded(db: &TestDb, files: &[(&str, &str)]) -> Vec<String> {
    let project = sqlmig::Project::from_files(files.iter().copied(), sqlmig::Dialect::Postgres).unwrap();
    let url = sqlmig::driver::DatabaseUrl::parse(db.url()).unwrap();
    let options = sqlmig::driver::ConnectOptions { create: true, ..Default::default() };
    let mut driver = sqlmig::driver::open(&url, &options).unwrap().expect("a database");
    let mut migrator = sqlmig::Migrator::new(&project, driver.as_mut()).unwrap();
    let report = migrator.apply(&sqlmig::ApplyRequest::default(), &mut |_| {}).unwrap();
    assert!(report.failure.is_none(), "{:?}", report.failure);
    report.ran.into_iter().map(|r| r.label).collect()
}

backend_test!(an_application_and_the_command_line_share_the_ledger, |db| {
    // The application ships migrations 1 and 2 and applies them at start-up.
    assert_eq!(apply_embedded(&db, &[("0001_users.sql", USERS), ("0002_seed.sql", SEED)]), ["0001_users", "0002_seed"]);

    // The command line, with the same files and a third, sees them as applied and unedited.
    let p = Project::new(&db).file("0001_users.sql", USERS).file("0002_seed.sql", SEED).file("0003_posts.sql", POSTS);
    p.run(&["verify", "--strict"]).success().stdout_has("verified 2 applied migrations");
    p.run(&["apply"]).success().stdout_has("applied 0003_posts").stdout_lacks("applied 0001_users");
    p.run(&["verify", "--strict"]).success().stdout_has("verified 3 applied migrations");

    // A newer release of the application finds nothing left to do.
    assert!(apply_embedded(&db, &[("0001_users.sql", USERS), ("0002_seed.sql", SEED), ("0003_posts.sql", POSTS)]).is_empty());

    // The generated list for a build script names every file of the folder.
    let generated = sqlmig::embedded::source(p.migrations()).unwrap();
    for name in ["0001_users.sql", "0002_seed.sql", "0003_posts.sql"] {
        assert!(generated.contains(&format!("(\"{name}\", include_str!(")), "{generated}");
    }
});
