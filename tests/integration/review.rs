//! The CI and review features, through the binary: the sum file (`sum`, `verify --offline`),
//! `lint` and every one of its rules, `test` (up, down, up on a scratch database), the deploy
//! gates (`status --exit-code`, out-of-order and missing migrations), the demo project's own CI
//! run, and the executable lint specification `spec/lint.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::helpers::*;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// The database URL of projects whose commands must never open a database (`sum`,
/// `verify --offline`, `lint`): a file inside the project that must never appear.
const NEVER_OPENED: &str = "sqlite://never-opened.db";

/// A project for commands that need no database.
fn offline_project() -> Project {
    Project::with_url(NEVER_OPENED)
}

#[track_caller]
fn assert_no_database_opened(p: &Project) {
    assert!(!p.root().join("never-opened.db").exists(), "a command that needs no database created one");
}

/// Run the binary in the project without `--database` (and without `DATABASE_URL`), as a CI
/// job does: `test` then uses a temporary SQLite file.
fn run_without_database(p: &Project, args: &[&str]) -> Outcome {
    let out = Command::new(BIN)
        .current_dir(p.root())
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("SQLMIG_DIR")
        .env_remove("SQLMIG_DIALECT")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"));
    Outcome {
        command: format!("sqlmig {}", args.join(" ")),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Copy the demo project's migrations (and its committed sum file) into `p`; returns the
/// migration labels, in order.
fn copy_demo(p: &Project) -> Vec<String> {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut labels = Vec::new();
    for entry in std::fs::read_dir(&demo).expect("read the demo migrations") {
        let path = entry.expect("demo entry").path();
        if path.is_file() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            p.write_bytes(&name, &std::fs::read(&path).expect("read a demo file"));
            if let Some(label) = name.strip_suffix(".sql") {
                labels.push(label.to_string());
            }
        }
    }
    labels.sort();
    assert!(!labels.is_empty(), "the demo project has no migrations");
    labels
}

fn sum_text(p: &Project) -> String {
    std::fs::read_to_string(p.migrations().join("sqlmig.sum")).expect("read sqlmig.sum")
}

/// The first line of `text` starting with `prefix`.
#[track_caller]
fn line_starting(text: &str, prefix: &str) -> String {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starts with {prefix:?} in\n{text}"))
        .to_string()
}

/// `verify --offline` fails (exit 3) naming `file`, saying what happened and what to run.
#[track_caller]
fn offline_verify_fails_naming(p: &Project, file: &str, what: &str) {
    let out = p.run(&["verify", "--offline"]);
    out.code(3).stderr_has(file).stderr_has(what).stderr_has("`sqlmig sum`");
    assert!(out.stdout.contains(file), "the problem is not on stdout\n{out}");
}

fn migration(up: &str, down: &str) -> String {
    format!("-- +up\n{up}\n-- +down\n{down}\n")
}

// ---------------------------------------------------------------------------------------
// The sum file
// ---------------------------------------------------------------------------------------

#[test]
fn sum_writes_the_file_and_offline_verify_passes_on_a_clean_folder() {
    let p = offline_project().file("0001_a.sql", &create_table("a")).file("0002_b.sql", &create_table("b"));

    // Without a sum file `--offline` has nothing to compare with, and says what to run.
    p.run(&["verify", "--offline"]).code(2).stderr_has("sqlmig.sum").stderr_has("sqlmig sum");

    p.run(&["sum"]).success().stdout_has("migrations/sqlmig.sum lists 2 migrations");
    let text = sum_text(&p);
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("0001_a.sql ") && lines[1].starts_with("0002_b.sql "), "{text}");
    assert!(lines[2].starts_with("total "), "{text}");

    p.run(&["verify", "--offline"]).success().stdout_has("matches sqlmig.sum");
    let doc = p.run(&["verify", "--offline", "--format", "json"]).success().json();
    assert_eq!(doc["sum_file"], serde_json::json!({"present": true, "problems": []}), "{doc:#}");

    // `sum` is deterministic, and other files in the folder are not migrations.
    p.write("README.md", "# migrations\n");
    p.run(&["sum"]).success();
    assert_eq!(sum_text(&p), text);

    // A checkout with CRLF line ends (git autocrlf) is the same migration, and a sum file
    // with CRLF line ends is the same sum file.
    p.write("0001_a.sql", &create_table("a").replace('\n', "\r\n"));
    p.write("sqlmig.sum", &text.replace('\n', "\r\n"));
    p.run(&["verify", "--offline"]).success();
    assert_no_database_opened(&p);
}

#[test]
fn sum_file_catches_edited_deleted_and_added_migrations() {
    let p = offline_project().file("0001_a.sql", &create_table("a")).file("0002_b.sql", &create_table("b"));
    p.run(&["sum"]).success();

    // Edited.
    p.write("0001_a.sql", &create_table("a").replace("VARCHAR(50)", "VARCHAR(80)"));
    offline_verify_fails_naming(&p, "0001_a.sql", "edited");
    p.write("0001_a.sql", &create_table("a"));
    p.run(&["verify", "--offline"]).success();

    // Deleted.
    p.remove("0002_b.sql");
    offline_verify_fails_naming(&p, "0002_b.sql", "gone");
    p.write("0002_b.sql", &create_table("b"));

    // Added without `sqlmig sum`.
    p.write("0003_c.sql", &create_table("c"));
    offline_verify_fails_naming(&p, "0003_c.sql", "not listed");
    let out = p.run(&["verify", "--offline", "--format", "json"]);
    let doc = out.code(3).json();
    assert_eq!(doc["ok"], false, "{doc:#}");
    let problems = doc["sum_file"]["problems"].as_array().expect("problems array");
    assert!(problems.len() == 1 && problems[0].as_str().unwrap().contains("0003_c.sql"), "{doc:#}");

    // All three at once are all reported.
    p.write("0001_a.sql", &create_table("a").replace("VARCHAR(50)", "VARCHAR(80)"));
    p.remove("0002_b.sql");
    p.run(&["verify", "--offline"])
        .code(3)
        .stderr_has("3 problems")
        .stderr_has("0001_a.sql")
        .stderr_has("0002_b.sql")
        .stderr_has("0003_c.sql");

    // An intended change is recorded by `sqlmig sum`.
    p.run(&["sum"]).success();
    p.run(&["verify", "--offline"]).success();
    assert_no_database_opened(&p);
}

/// Two branches each add a migration and run `sqlmig sum`; returns the project (holding
/// both migrations, as after the merge) and the three sum files: base, branch x, branch y.
fn two_branches() -> (Project, String, String, String) {
    let p = offline_project().file("0001_a.sql", &create_table("a"));
    p.run(&["sum"]).success();
    let base = sum_text(&p);
    p.write("0002_x.sql", &create_table("x"));
    p.run(&["sum"]).success();
    let x = sum_text(&p);
    p.remove("0002_x.sql");
    p.write("0003_y.sql", &create_table("y"));
    p.run(&["sum"]).success();
    let y = sum_text(&p);
    p.write("0002_x.sql", &create_table("x"));
    (p, base, x, y)
}

#[test]
fn sum_file_merged_from_two_branches_fails_verification() {
    let (p, base, x, y) = two_branches();
    let header = line_starting(&base, "#");
    let a = line_starting(&base, "0001_a.sql ");
    let (x_line, x_total) = (line_starting(&x, "0002_x.sql "), line_starting(&x, "total "));
    let (y_line, y_total) = (line_starting(&y, "0003_y.sql "), line_starting(&y, "total "));
    let write = |lines: &[&String]| {
        p.write("sqlmig.sum", &(lines.iter().map(|l| l.as_str()).collect::<Vec<_>>().join("\n") + "\n"));
    };

    // A union merge kept every line of both sides: both new lines and both total lines.
    write(&[&header, &a, &x_line, &y_line, &x_total, &y_total]);
    let out = p.run(&["verify", "--offline"]);
    assert!(matches!(out.code, 2 | 3), "expected exit 2 or 3\n{out}");
    out.stderr_has("sqlmig.sum").stderr_has("total").stderr_has("`sqlmig sum`");

    // Resolved by hand: both new lines, one side's total.
    write(&[&header, &a, &x_line, &y_line, &x_total]);
    p.run(&["verify", "--offline"]).code(3).stderr_has("the `total` line does not match").stderr_has("`sqlmig sum`");

    // Each side's tail kept whole, one after the other: a line after the total.
    write(&[&header, &a, &x_line, &x_total, &y_line, &y_total]);
    let out = p.run(&["verify", "--offline"]);
    assert!(matches!(out.code, 2 | 3), "expected exit 2 or 3\n{out}");
    out.stderr_has("sqlmig.sum:5").stderr_has("0003_y.sql").stderr_has("`sqlmig sum`");

    // The fix, once both migrations are reviewed: `sqlmig sum` over the merged folder.
    p.run(&["sum"]).success();
    p.run(&["verify", "--offline"]).success();
}

#[test]
fn sum_file_with_git_conflict_markers_is_a_clear_error() {
    let (p, base, x, y) = two_branches();
    let text = [
        line_starting(&base, "#"),
        line_starting(&base, "0001_a.sql "),
        "<<<<<<< HEAD".to_string(),
        line_starting(&x, "0002_x.sql "),
        line_starting(&x, "total "),
        "=======".to_string(),
        line_starting(&y, "0003_y.sql "),
        line_starting(&y, "total "),
        ">>>>>>> add-y".to_string(),
    ]
    .join("\n");
    p.write("sqlmig.sum", &(text + "\n"));

    p.run(&["verify", "--offline"])
        .code(2)
        .stderr_has("migrations/sqlmig.sum:3")
        .stderr_has("<<<<<<< HEAD")
        .stderr_has("merge conflict")
        .stderr_has("`sqlmig sum`");
    let out = p.run(&["verify", "--offline", "--format", "json"]);
    let doc = out.code(2).json();
    assert_eq!(doc["error"]["kind"], "input", "{doc:#}");
    assert!(doc["error"]["message"].as_str().unwrap().contains("sqlmig.sum:3"), "{doc:#}");
    // `verify` against a database reads the sum file too, and stops the same way.
    p.run(&["verify"]).code(2).stderr_has("merge conflict");

    p.run(&["sum"]).success();
    p.run(&["verify", "--offline"]).success();
}

#[test]
fn two_branches_adding_the_same_version_is_an_error_naming_both_files() {
    let p = offline_project().file("0001_a.sql", &create_table("a"));
    p.write("0002_x.sql", &create_table("x")).write("0002_y.sql", &create_table("y"));
    p.run(&["verify", "--offline"]).code(2).stderr_has("0002_x").stderr_has("0002_y");
    p.run(&["sum"]).code(2).stderr_has("0002_x").stderr_has("0002_y");
}

#[test]
fn init_creates_the_sum_file_and_new_keeps_it_current() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::bare(&db);
    p.run(&["init"]).success();
    assert_eq!(p.files(), ["0001_create_example.sql", "sqlmig.sum"]);
    p.run(&["verify", "--offline"]).success();

    p.run(&["new", "add_email"]).success();
    assert_eq!(p.files(), ["0001_create_example.sql", "0002_add_email.sql", "sqlmig.sum"]);
    assert!(sum_text(&p).contains("0002_add_email.sql "), "{}", sum_text(&p));
    p.run(&["verify", "--offline"]).success();

    // Writing the new migration changes it after `new` recorded it: `sqlmig sum` again.
    p.write(
        "0002_add_email.sql",
        &migration("ALTER TABLE example ADD COLUMN email TEXT;", "ALTER TABLE example DROP COLUMN email;"),
    );
    offline_verify_fails_naming(&p, "0002_add_email.sql", "edited");
    p.run(&["sum"]).success();
    p.run(&["verify", "--offline"]).success();
    assert!(!db.exists(), "init, new, sum and verify --offline touched the database");

    // A folder without a sum file does not get one from `new`.
    let q = offline_project().file("0001_a.sql", &create_table("a"));
    q.run(&["new", "b"]).success();
    assert_eq!(q.files(), ["0001_a.sql", "0002_b.sql"]);
}

#[test]
fn new_does_not_record_an_edited_migration_in_the_sum_file() {
    let p = offline_project().file("0001_a.sql", &create_table("a"));
    p.run(&["sum"]).success();
    p.write("0001_a.sql", &create_table("a").replace("VARCHAR(50)", "VARCHAR(80)"));
    offline_verify_fails_naming(&p, "0001_a.sql", "edited");
    // Starting the next migration must not make the edit disappear from `verify --offline`.
    p.run(&["new", "b"]).success();
    offline_verify_fails_naming(&p, "0001_a.sql", "edited");
}

const B_EDITED: &str = "-- +up\nCREATE TABLE b (id INTEGER PRIMARY KEY, name VARCHAR(80) NOT NULL);\n-- +down\nDROP TABLE b;\n";

backend_test!(verify_with_a_database_checks_the_ledger_and_the_sum_file, |db| {
    let p = Project::new(&db).file("1_a.sql", &create_table("a")).file("2_b.sql", &create_table("b"));
    p.run(&["sum"]).success();
    p.run(&["apply"]).success();
    p.run(&["verify"]).success().stdout_has("verified 2 applied migrations and sqlmig.sum");

    // A pending file the sum does not list: the ledger knows nothing of it, the sum file does.
    p.write("3_c.sql", &create_table("c"));
    p.run(&["verify"]).code(3).stderr_has("3_c.sql").stderr_has("`sqlmig sum`");
    p.run(&["sum"]).success();
    p.run(&["verify"]).success();

    // An applied migration edited, and `sqlmig sum` rerun over it: the sum file is content,
    // the ledger is not.
    p.write("2_b.sql", B_EDITED);
    p.run(&["sum"]).success();
    p.run(&["verify", "--offline"]).success();
    p.run(&["verify"]).code(3).stderr_has("2_b.sql").stdout_has("up section changed");

    // Both kinds of problem at once: both reported.
    p.write("4_d.sql", &create_table("d"));
    let out = p.run(&["verify", "--format", "json"]);
    out.code(3).stderr_has("2_b").stderr_has("4_d.sql");
    let doc = out.json();
    assert_eq!(doc["checked"], 2, "{doc:#}");
    let problems = doc["sum_file"]["problems"].as_array().expect("sum problems");
    assert!(problems.len() == 1 && problems[0].as_str().unwrap().contains("4_d.sql"), "{doc:#}");
    let findings = doc["findings"].as_array().expect("findings");
    assert!(findings.len() == 1 && findings[0]["label"] == "2_b" && findings[0]["state"] == "edited", "{doc:#}");
});

#[test]
fn verify_falls_back_to_the_sum_file_when_the_server_is_unreachable() {
    for url in ["postgres://postgres@127.0.0.1:1/sqlmig_nowhere", "mysql://root@127.0.0.1:1/sqlmig_nowhere"] {
        let p = Project::with_url(url).file("1_a.sql", &create_table("a")).file("2_b.sql", &create_table("b"));
        // No sum file to fall back on: the connection error stands.
        p.run(&["verify"]).code(1).stderr_has("127.0.0.1:1");

        p.run(&["sum"]).success();
        let out = p.run(&["verify"]);
        out.success().stderr_has("notice:").stderr_has("127.0.0.1:1").stderr_has("checking sqlmig.sum only");
        out.stdout_has("no database checked");
        let doc = p.run(&["verify", "--format", "json"]).success().json();
        assert_eq!((doc["ok"].as_bool(), doc["sum_file"]["present"].as_bool()), (Some(true), Some(true)), "{doc:#}");

        // The fallback still fails on what the sum file catches.
        p.write("1_a.sql", &create_table("a").replace("VARCHAR(50)", "VARCHAR(80)"));
        p.run(&["verify"]).code(3).stderr_has("checking sqlmig.sum only").stderr_has("1_a.sql");
        // `--offline` does not try the server at all.
        p.run(&["verify", "--offline"]).code(3).stderr_lacks("notice").stderr_has("1_a.sql");
    }
}

// ---------------------------------------------------------------------------------------
// lint: running it and reading its findings
// ---------------------------------------------------------------------------------------

/// One finding of `lint --format json`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Finding {
    rule: String,
    severity: String,
    path: String,
    line: u64,
    column: u64,
    message: String,
}

/// The findings of a `lint --format json` document, checking every field's type.
#[track_caller]
fn findings(doc: &Value) -> Vec<Finding> {
    let list = doc["findings"].as_array().unwrap_or_else(|| panic!("no findings array: {doc:#}"));
    list.iter()
        .map(|f| {
            let text = |k: &str| f[k].as_str().unwrap_or_else(|| panic!("finding without string `{k}`: {f:#}")).to_string();
            let number = |k: &str| f[k].as_u64().unwrap_or_else(|| panic!("finding without number `{k}`: {f:#}"));
            let finding = Finding {
                rule: text("rule"),
                severity: text("severity"),
                path: text("path"),
                line: number("line"),
                column: number("column"),
                message: text("message"),
            };
            assert!(matches!(finding.severity.as_str(), "error" | "warning"), "{f:#}");
            assert!(finding.line >= 1 && finding.column >= 1 && !finding.message.is_empty(), "{f:#}");
            finding
        })
        .collect()
}

/// A lint run: migrations `0001_example.sql`, `0002_example.sql`, ... holding `files`, linted
/// with `--format json --target <target>`.
struct Linted {
    outcome: Outcome,
    doc: Value,
    findings: Vec<Finding>,
    /// The path findings in the last file carry.
    last: String,
}

impl Linted {
    /// The rules reported in the last file.
    fn rules_in_last(&self) -> Vec<&str> {
        self.findings.iter().filter(|f| f.path == self.last).map(|f| f.rule.as_str()).collect()
    }
}

#[track_caller]
fn lint(files: &[&str], target: &str) -> Linted {
    let p = offline_project();
    for (i, text) in files.iter().enumerate() {
        p.write(&format!("{:04}_example.sql", i + 1), text);
    }
    let outcome = p.run(&["lint", "--format", "json", "--target", target]);
    let doc = outcome.json();
    assert!(matches!(outcome.code, 0 | 1), "lint could not check these migrations\n{outcome}");
    assert_eq!(doc["exit_code"], outcome.code, "{outcome}");
    assert_eq!(doc["command"], "lint", "{outcome}");
    let findings = findings(&doc);
    let errors = findings.iter().any(|f| f.severity == "error");
    assert_eq!(outcome.code, i32::from(errors), "exit 1 exactly when an error-level finding remains\n{outcome}");
    assert_no_database_opened(&p);
    Linted { outcome, doc, findings, last: format!("migrations/{:04}_example.sql", files.len()) }
}

/// Tables for the lint cases: `users`, `customers` and `orders`.
const BASE: &str = "-- +up
CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(255) NOT NULL, name TEXT, age BIGINT, score INTEGER);
CREATE TABLE customers (id INTEGER PRIMARY KEY);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, total NUMERIC(12, 2));
-- +down
DROP TABLE orders;
DROP TABLE customers;
DROP TABLE users;
";

/// One lint case: a migrations folder (the last file is the one under test), the `--target`,
/// and whether `rule` must be reported in the last file.
struct LintCase {
    rule: &'static str,
    fires: bool,
    target: &'static str,
    files: &'static [&'static str],
}

const fn fires(rule: &'static str, files: &'static [&'static str]) -> LintCase {
    LintCase { rule, fires: true, target: "postgres", files }
}

const fn quiet(rule: &'static str, files: &'static [&'static str]) -> LintCase {
    LintCase { rule, fires: false, target: "postgres", files }
}

const fn on(target: &'static str, case: LintCase) -> LintCase {
    LintCase { target, ..case }
}

/// At least one case each way for every rule of `sqlmig lint` (`lint_spec_examples_hold`
/// checks that this table and spec/lint.md name the same rules).
const LINT_CASES: &[LintCase] = &[
    fires("drop-table", &[BASE, "-- +up\nDROP TABLE orders;\n-- +down\n-- not restored\n"]),
    fires("drop-table", &[BASE, "-- +up\nDROP TABLE IF EXISTS orders;\n-- +down\n-- not restored\n"]),
    // A DROP TABLE in the down section is what down sections are for.
    quiet("drop-table", &["-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY);\n-- +down\nDROP TABLE t;\n"]),
    quiet("drop-table", &[BASE, "-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY);\nDROP VIEW IF EXISTS v;\n-- +down\nDROP TABLE t;\n"]),
    fires("drop-column", &[BASE, "-- +up\nALTER TABLE users DROP COLUMN name;\n-- +down\nALTER TABLE users ADD COLUMN name TEXT;\n"]),
    quiet(
        "drop-column",
        &[BASE, "-- +up\nALTER TABLE users ADD COLUMN nickname TEXT;\n-- +down\nALTER TABLE users DROP COLUMN nickname;\n"],
    ),
    fires("truncate", &[BASE, "-- +up\nTRUNCATE orders;\n-- +down\n-- not restored\n"]),
    fires("truncate", &[BASE, "-- +up\nTRUNCATE TABLE orders, customers;\n-- +down\n-- not restored\n"]),
    quiet("truncate", &[BASE, "-- +up\nDELETE FROM orders WHERE total IS NULL;\n-- +down\n-- not restored\n"]),
    fires("unbounded-write", &[BASE, "-- +up\nUPDATE users SET score = 0;\n-- +down\n-- not restored\n"]),
    fires("unbounded-write", &[BASE, "-- +up\nDELETE FROM orders;\n-- +down\n-- not restored\n"]),
    quiet(
        "unbounded-write",
        &[BASE, "-- +up\nUPDATE users SET score = 0 WHERE true;\nDELETE FROM orders WHERE id = 1;\n-- +down\n-- not restored\n"],
    ),
    fires(
        "not-null-without-default",
        &[BASE, "-- +up\nALTER TABLE users ADD COLUMN locale VARCHAR(10) NOT NULL;\n-- +down\nALTER TABLE users DROP COLUMN locale;\n"],
    ),
    quiet(
        "not-null-without-default",
        &[
            BASE,
            "-- +up\nALTER TABLE users ADD COLUMN locale VARCHAR(10) NOT NULL DEFAULT 'en';\n-- +down\nALTER TABLE users DROP COLUMN locale;\n",
        ],
    ),
    quiet(
        "not-null-without-default",
        &[BASE, "-- +up\nALTER TABLE users ADD COLUMN locale VARCHAR(10);\n-- +down\nALTER TABLE users DROP COLUMN locale;\n"],
    ),
    // A table the same migration creates has no rows yet.
    quiet(
        "not-null-without-default",
        &["-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY);\nALTER TABLE t ADD COLUMN n INTEGER NOT NULL;\n-- +down\nDROP TABLE t;\n"],
    ),
    fires("narrowing-type-change", &[BASE, "-- +up\nALTER TABLE users ALTER COLUMN age TYPE INTEGER;\n-- +down\n-- kept\n"]),
    fires("narrowing-type-change", &[BASE, "-- +up\nALTER TABLE users ALTER COLUMN email TYPE VARCHAR(100);\n-- +down\n-- kept\n"]),
    fires("narrowing-type-change", &[BASE, "-- +up\nALTER TABLE users ALTER COLUMN name TYPE INTEGER;\n-- +down\n-- kept\n"]),
    quiet("narrowing-type-change", &[BASE, "-- +up\nALTER TABLE users ALTER COLUMN score TYPE BIGINT;\n-- +down\n-- kept\n"]),
    quiet("narrowing-type-change", &[BASE, "-- +up\nALTER TABLE users ALTER COLUMN email TYPE VARCHAR(320);\n-- +down\n-- kept\n"]),
    quiet("narrowing-type-change", &[BASE, "-- +up\nALTER TABLE users ALTER COLUMN email TYPE TEXT;\n-- +down\n-- kept\n"]),
    fires("index-not-concurrent", &[BASE, "-- +up\nCREATE INDEX users_email_idx ON users (email);\n-- +down\nDROP INDEX users_email_idx;\n"]),
    quiet(
        "index-not-concurrent",
        &[
            BASE,
            "-- +up\n-- +no-transaction\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n-- +down\nDROP INDEX users_email_idx;\n",
        ],
    ),
    quiet(
        "index-not-concurrent",
        &["-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER);\nCREATE INDEX t_n_idx ON t (n);\n-- +down\nDROP TABLE t;\n"],
    ),
    // The rule is about PostgreSQL: a file written for SQLite is not concerned.
    on(
        "sqlite",
        quiet(
            "index-not-concurrent",
            &[BASE, "-- +dialect sqlite\n-- +up\nCREATE INDEX users_email_idx ON users (email);\n-- +down\nDROP INDEX users_email_idx;\n"],
        ),
    ),
    fires(
        "constraint-not-valid",
        &[
            BASE,
            "-- +up\nALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\n-- +down\nALTER TABLE orders DROP CONSTRAINT orders_customer_fk;\n",
        ],
    ),
    fires(
        "constraint-not-valid",
        &[
            BASE,
            "-- +up\nALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);\n-- +down\nALTER TABLE orders DROP CONSTRAINT orders_total_check;\n",
        ],
    ),
    quiet(
        "constraint-not-valid",
        &[
            BASE,
            "-- +up\nALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\n-- +down\nALTER TABLE orders DROP CONSTRAINT orders_customer_fk;\n",
        ],
    ),
    fires(
        "concurrent-in-transaction",
        &[BASE, "-- +up\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n-- +down\nDROP INDEX users_email_idx;\n"],
    ),
    quiet(
        "concurrent-in-transaction",
        &[
            BASE,
            "-- +up\n-- +no-transaction\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n-- +down\nDROP INDEX users_email_idx;\n",
        ],
    ),
    // `-- +no-transaction` in the header applies to every section.
    quiet(
        "concurrent-in-transaction",
        &[
            BASE,
            "-- +no-transaction\n-- +up\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n-- +down\nDROP INDEX users_email_idx;\n",
        ],
    ),
    fires(
        "rename",
        &[BASE, "-- +up\nALTER TABLE users RENAME COLUMN name TO full_name;\n-- +down\nALTER TABLE users RENAME COLUMN full_name TO name;\n"],
    ),
    fires("rename", &[BASE, "-- +up\nALTER TABLE customers RENAME TO clients;\n-- +down\nALTER TABLE clients RENAME TO customers;\n"]),
    quiet(
        "rename",
        &[
            BASE,
            "-- +up\nALTER TABLE users ADD COLUMN full_name TEXT;\nUPDATE users SET full_name = name WHERE full_name IS NULL;\n-- +down\nALTER TABLE users DROP COLUMN full_name;\n",
        ],
    ),
    fires("missing-down", &["-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY);\n"]),
    quiet("missing-down", &["-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY);\n-- +down\nDROP TABLE t;\n"]),
    // A down section for one database is a down section.
    on("sqlite", quiet("missing-down", &["-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY);\n-- +down sqlite\nDROP TABLE t;\n"])),
    fires(
        "down-incomplete",
        &["-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY);\nCREATE TABLE u (id INTEGER PRIMARY KEY);\n-- +down\nDROP TABLE u;\n"],
    ),
    fires(
        "down-incomplete",
        &["-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY);\nCREATE VIEW tv AS SELECT id FROM t;\n-- +down\nDROP TABLE t;\n"],
    ),
    quiet(
        "down-incomplete",
        &["-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY);\nCREATE VIEW tv AS SELECT id FROM t;\n-- +down\nDROP VIEW tv;\nDROP TABLE t;\n"],
    ),
    fires("unparsed-statement", &[BASE, "-- +up\nREINDEX TABLE users;\n-- +down\n-- nothing to undo\n"]),
    quiet("unparsed-statement", &[BASE, "-- +up postgres\nREINDEX TABLE users;\n-- +down\n-- nothing to undo\n"]),
    quiet("unparsed-statement", &[BASE, "-- +up\nANALYZE users;\n-- +down\n-- nothing to undo\n"]),
    on(
        "mysql",
        fires(
            "untranslatable",
            &["-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY, email VARCHAR(100), deleted_at TIMESTAMP);\nCREATE UNIQUE INDEX t_live_email ON t (email) WHERE deleted_at IS NULL;\n-- +down\nDROP TABLE t;\n"],
        ),
    ),
    on("mysql", fires("untranslatable", &["-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY, tags TEXT[]);\n-- +down\nDROP TABLE t;\n"])),
    // The same partial unique index is fine where it runs as written...
    quiet(
        "untranslatable",
        &["-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY, email VARCHAR(100), deleted_at TIMESTAMP);\nCREATE UNIQUE INDEX t_live_email ON t (email) WHERE deleted_at IS NULL;\n-- +down\nDROP TABLE t;\n"],
    ),
    // ... and on MySQL when the file has MySQL's own version.
    on(
        "mysql",
        quiet(
            "untranslatable",
            &["-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY, email VARCHAR(100), deleted_at TIMESTAMP);\nCREATE UNIQUE INDEX t_live_email ON t (email) WHERE deleted_at IS NULL;\n-- +up mysql\nCREATE TABLE t (id INTEGER PRIMARY KEY, email VARCHAR(100), deleted_at DATETIME NULL);\n-- +down\nDROP TABLE t;\n"],
        ),
    ),
    // A partial index that is not UNIQUE only speeds queries up: adapted with a notice.
    on(
        "mysql",
        quiet(
            "untranslatable",
            &["-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY, done BOOLEAN NOT NULL);\nCREATE INDEX t_open ON t (id) WHERE NOT done;\n-- +down\nDROP TABLE t;\n"],
        ),
    ),
];

/// Run every case of `rule` from [`LINT_CASES`]; there must be at least one each way.
fn check_rule(rule: &str) {
    let cases: Vec<&LintCase> = LINT_CASES.iter().filter(|c| c.rule == rule).collect();
    assert!(cases.iter().any(|c| c.fires) && cases.iter().any(|c| !c.fires), "{rule} needs a case each way");
    for case in cases {
        let linted = lint(case.files, case.target);
        let rules = linted.rules_in_last();
        if case.fires {
            assert!(rules.contains(&rule), "{rule} should fire on {:?}\n{}", case.files.last(), linted.outcome);
        } else {
            assert!(!rules.contains(&rule), "{rule} should not fire on {:?}\n{}", case.files.last(), linted.outcome);
        }
    }
}

#[test]
fn lint_rule_drop_table() {
    check_rule("drop-table");
}

#[test]
fn lint_rule_drop_column() {
    check_rule("drop-column");
}

#[test]
fn lint_rule_truncate() {
    check_rule("truncate");
}

#[test]
fn lint_rule_unbounded_write() {
    check_rule("unbounded-write");
}

#[test]
fn lint_rule_not_null_without_default() {
    check_rule("not-null-without-default");
}

#[test]
fn lint_rule_narrowing_type_change() {
    check_rule("narrowing-type-change");
}

#[test]
fn lint_rule_index_not_concurrent() {
    check_rule("index-not-concurrent");
}

#[test]
fn lint_rule_constraint_not_valid() {
    check_rule("constraint-not-valid");
}

#[test]
fn lint_rule_concurrent_in_transaction() {
    check_rule("concurrent-in-transaction");
}

#[test]
fn lint_rule_rename() {
    check_rule("rename");
}

#[test]
fn lint_rule_missing_down() {
    check_rule("missing-down");
}

#[test]
fn lint_rule_down_incomplete() {
    check_rule("down-incomplete");
}

#[test]
fn lint_rule_unparsed_statement() {
    check_rule("unparsed-statement");
}

#[test]
fn lint_rule_untranslatable() {
    check_rule("untranslatable");
}

/// `(rule, line)` of every finding in the last file.
fn located(linted: &Linted) -> Vec<(String, u64)> {
    linted.findings.iter().filter(|f| f.path == linted.last).map(|f| (f.rule.clone(), f.line)).collect()
}

#[test]
fn allow_comment_silences_exactly_one_rule_for_exactly_one_statement() {
    // One rule, one statement: the next statement and another rule's comment do not count.
    let cleanup = "-- +up
-- sqlmig:allow drop-table orders were archived in release 4.2
DROP TABLE orders;
DROP TABLE customers;
-- sqlmig:allow truncate a comment for another rule
DROP TABLE users;
-- +down
-- not restored
";
    let linted = lint(&[BASE, cleanup], "postgres");
    assert_eq!(located(&linted), [("drop-table".to_string(), 4), ("drop-table".to_string(), 6)], "{}", linted.outcome);

    // One statement breaking two rules: allowing one leaves the other.
    let two_rules = "-- +up
-- sqlmig:allow drop-column the code stopped reading name in 4.2
ALTER TABLE users DROP COLUMN name, ADD COLUMN locale VARCHAR(10) NOT NULL;
ALTER TABLE users DROP COLUMN age;
-- sqlmig:allow drop-column score is unused
-- (other comment lines and blank lines may sit between)

ALTER TABLE users DROP COLUMN score;
-- +down
-- not restored
";
    let linted = lint(&[BASE, two_rules], "postgres");
    assert_eq!(
        located(&linted),
        [("not-null-without-default".to_string(), 3), ("drop-column".to_string(), 4)],
        "{}",
        linted.outcome
    );

    // `missing-down` is reported at `-- +up`: its allow comment goes on the line before.
    let linted = lint(&["-- sqlmig:allow missing-down seed data is never rolled back\n-- +up\nSELECT 1;\n"], "postgres");
    assert!(linted.findings.is_empty(), "{}", linted.outcome);
}

#[test]
fn lint_exits_1_on_errors_and_0_with_only_warnings() {
    let p = offline_project().file("0001_base.sql", BASE).file(
        "0002_change.sql",
        "-- +up\nCREATE INDEX users_email_idx ON users (email);\nDROP TABLE orders;\n-- +down\nDROP INDEX users_email_idx;\n",
    );
    p.run(&["lint", "--target", "postgres"])
        .code(1)
        .stdout_has("migrations/0002_change.sql:3:1: error[drop-table]: drops table orders")
        .stdout_has("migrations/0002_change.sql:2:1: warning[index-not-concurrent]")
        .stdout_has("= why: ")
        .stdout_has("= instead: ")
        .stdout_has("2 migrations checked: 1 error, 1 warning");

    p.write(
        "0002_change.sql",
        "-- +up\nCREATE INDEX users_email_idx ON users (email);\n-- sqlmig:allow drop-table archived\nDROP TABLE orders;\n-- +down\nDROP INDEX users_email_idx;\n",
    );
    p.run(&["lint", "--target", "postgres"])
        .success()
        .stdout_has("warning[index-not-concurrent]")
        .stdout_lacks("drop-table")
        .stdout_has("0 errors, 1 warning");
    // `--quiet` keeps only errors: a warning-only run prints nothing.
    let out = p.run(&["--quiet", "lint", "--target", "postgres"]);
    assert_eq!(out.success().stdout, "", "{out}");

    p.remove("0002_change.sql");
    p.run(&["lint", "--target", "postgres"]).success().stdout_has("1 migration checked: 0 errors, 0 warnings");

    // A migration that does not parse is an input error, as for every command.
    p.write("0002_bad.sql", "-- +up\nCREATE TABLE 'oops;\n");
    p.run(&["lint"]).code(2).stderr_has("0002_bad.sql");
    // So is a target that is not a database.
    p.remove("0002_bad.sql");
    p.run(&["lint", "--target", "oracle"]).code(2).stderr_has("oracle");
    assert_no_database_opened(&p);
}

const CHANGE: &str = "-- +up
UPDATE users SET score = 0;
  ALTER TABLE users RENAME COLUMN name TO full_name;
-- +down
ALTER TABLE users RENAME COLUMN full_name TO name;
";

#[test]
fn lint_json_is_one_document_with_located_findings() {
    let linted = lint(&[BASE, CHANGE], "postgres");
    let doc = &linted.doc;
    assert_eq!((doc["ok"].as_bool(), doc["exit_code"].as_i64()), (Some(false), Some(1)), "{doc:#}");
    let path = "migrations/0002_example.sql".to_string();
    let want = |rule: &str, severity: &str, line, column, message: &str| Finding {
        rule: rule.into(),
        severity: severity.into(),
        path: path.clone(),
        line,
        column,
        message: message.into(),
    };
    assert_eq!(
        linted.findings,
        [
            want("unbounded-write", "error", 2, 1, "UPDATE without WHERE"),
            want("rename", "warning", 3, 3, "renames column name of users to full_name"),
        ]
    );
    for f in doc["findings"].as_array().unwrap() {
        assert!(f["explanation"].as_str().is_some_and(|s| !s.is_empty()), "{f:#}");
        assert!(f["alternative"].as_str().is_some_and(|s| !s.is_empty()), "{f:#}");
    }
    // Nothing but the document on stdout; no findings repeated on stderr.
    linted.outcome.stderr_lacks("unbounded-write");
}

#[test]
fn lint_github_format_prints_workflow_annotations() {
    let p = offline_project().file("0001_base.sql", BASE).file("0002_change.sql", CHANGE);
    let out = p.run(&["lint", "--target", "postgres", "--format", "github"]);
    out.code(1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "one line per finding and nothing else\n{out}");
    let error = lines[0];
    assert!(error.starts_with("::error file=migrations/0002_change.sql,line=2,col=1,title="), "{out}");
    let (properties, message) = error.split_once("::").map(|(_, rest)| rest.split_once("::").unwrap()).unwrap();
    assert!(properties.contains("unbounded-write"), "the title names the rule\n{out}");
    assert!(message.starts_with("UPDATE without WHERE"), "{out}");
    assert!(lines[1].starts_with("::warning file=migrations/0002_change.sql,line=3,col=3,title="), "{out}");
    assert!(lines[1].contains("rename::"), "{out}");
}

#[test]
fn lint_target_mysql_reports_untranslatable_constructs() {
    let accounts = "-- +up
CREATE TABLE accounts (id INTEGER PRIMARY KEY, email VARCHAR(255) NOT NULL, deleted_at TIMESTAMP, tags TEXT[]);
CREATE UNIQUE INDEX accounts_live_email ON accounts (email) WHERE deleted_at IS NULL;
-- +down
DROP TABLE accounts;
";
    let linted = lint(&[accounts], "mysql");
    let found: Vec<(&str, u64, &str)> = linted.findings.iter().map(|f| (f.rule.as_str(), f.line, f.message.as_str())).collect();
    assert_eq!(found.len(), 2, "{}", linted.outcome);
    assert!(found.iter().all(|(rule, _, message)| *rule == "untranslatable" && message.starts_with("mysql:")), "{found:?}");
    assert!(found.iter().any(|(_, line, m)| *line == 2 && m.contains("array")), "{found:?}");
    assert!(found.iter().any(|(_, line, m)| *line == 3 && m.contains("partial UNIQUE index")), "{found:?}");
    // The column points at the construct, not at the statement.
    let array = linted.findings.iter().find(|f| f.line == 2).unwrap();
    let column = accounts.lines().nth(1).unwrap().find("tags").unwrap() as u64 + 1;
    assert_eq!(array.column, column, "{array:?}");

    // Several targets: each is checked and named.
    let linted = lint(&[accounts], "sqlite,postgres,mysql");
    let targets: BTreeSet<&str> = linted.findings.iter().map(|f| f.message.split(':').next().unwrap()).collect();
    assert_eq!(targets, BTreeSet::from(["mysql", "sqlite"]), "{}", linted.outcome);
    // PostgreSQL runs it as written.
    let linted = lint(&[accounts], "postgres");
    assert!(linted.findings.is_empty(), "{}", linted.outcome);
}

// Bugs found while writing these tests: each test states what should happen.

#[test]
fn allow_untranslatable_covers_a_multi_line_statement() {
    let file = "-- +up
-- sqlmig:allow untranslatable this project does not run accounts.tags on MySQL yet
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    tags TEXT[]
);
-- +down
DROP TABLE accounts;
";
    let linted = lint(&[file], "mysql");
    assert!(linted.findings.is_empty(), "{}", linted.outcome);
}

#[test]
fn allow_comment_covers_only_the_next_statement_on_a_shared_line() {
    let file = "-- +up\n-- sqlmig:allow drop-table orders were archived\nDROP TABLE orders; DROP TABLE customers;\n-- +down\n-- not restored\n";
    let linted = lint(&[BASE, file], "postgres");
    assert_eq!(located(&linted), [("drop-table".to_string(), 3)], "{}", linted.outcome);
    assert!(linted.findings[0].message.contains("customers"), "{}", linted.outcome);
}

#[test]
fn per_database_up_sections_are_linted() {
    let file = "-- +up
ALTER TABLE users ADD COLUMN nickname TEXT;
-- +up postgres
ALTER TABLE users ADD COLUMN nickname TEXT;
TRUNCATE orders;
-- +down
ALTER TABLE users DROP COLUMN nickname;
";
    let linted = lint(&[BASE, file], "postgres");
    assert!(linted.rules_in_last().contains(&"truncate"), "{}", linted.outcome);
}

#[test]
fn down_incomplete_covers_indexes_on_existing_tables() {
    let file = "-- +up\nALTER TABLE users ADD COLUMN nickname TEXT;\nCREATE INDEX users_nickname_idx ON users (nickname);\n-- +down\nALTER TABLE users DROP COLUMN nickname;\n";
    let linted = lint(&[BASE, file], "sqlite");
    assert!(linted.rules_in_last().contains(&"down-incomplete"), "{}", linted.outcome);
}

#[test]
fn narrowing_covers_numeric_precision_and_timestamp_to_date() {
    let narrower = "-- +up\nALTER TABLE orders ALTER COLUMN total TYPE NUMERIC(6, 2);\n-- +down\n-- kept\n";
    let linted = lint(&[BASE, narrower], "postgres");
    assert!(linted.rules_in_last().contains(&"narrowing-type-change"), "{}", linted.outcome);
    let base = BASE.replace("score INTEGER", "seen_at TIMESTAMP");
    let to_date = "-- +up\nALTER TABLE users ALTER COLUMN seen_at TYPE DATE;\n-- +down\n-- kept\n";
    let linted = lint(&[base.as_str(), to_date], "postgres");
    assert!(linted.rules_in_last().contains(&"narrowing-type-change"), "{}", linted.outcome);
}

#[test]
fn concurrent_index_in_a_transaction_is_reported_once() {
    let file = "-- +up\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n-- +down\nDROP INDEX users_email_idx;\n";
    let linted = lint(&[BASE, file], "postgres");
    assert_eq!(linted.rules_in_last(), ["concurrent-in-transaction"], "{}", linted.outcome);
}

// ---------------------------------------------------------------------------------------
// test: up, down, up on a scratch database
// ---------------------------------------------------------------------------------------

backend_test!(test_passes_on_the_demo_project, |db| {
    let p = Project::new(&db);
    let labels = copy_demo(&p);
    let out = p.run(&["test", "--format", "json"]);
    let doc = out.success().json();
    assert_eq!(doc["command"], "test", "{doc:#}");
    let results = doc["migrations"].as_array().expect("migrations array");
    let got: Vec<(&str, bool)> = results.iter().map(|m| (m["label"].as_str().unwrap(), m["ok"] == true)).collect();
    let want: Vec<(&str, bool)> = labels.iter().map(|l| (l.as_str(), true)).collect();
    assert_eq!(got, want, "{out}");
});

#[test]
fn test_defaults_to_a_temporary_sqlite_file() {
    let p = offline_project();
    let labels = copy_demo(&p);
    let out = run_without_database(&p, &["test"]);
    out.success();
    for label in &labels {
        out.stdout_has(&format!("ok   {label}"));
    }
    let last = out.stdout.lines().last().unwrap_or_default();
    let scratch = last
        .split_once(" passed up, down, up on sqlite://")
        .map(|(_, path)| path.to_string())
        .unwrap_or_else(|| panic!("no summary naming the scratch database\n{out}"));
    assert!(!Path::new(&scratch).exists(), "the scratch database {scratch} was left behind");
    assert!(!p.root().join("sqlmig.db").exists(), "test used the default database");
}

const T_TABLE: &str = "-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\n-- +down\nDROP TABLE t;\n";

/// Adds a column and an index; the down section drops the column and forgets the index.
const FORGETS_INDEX: &str = "-- +up
ALTER TABLE t ADD COLUMN note VARCHAR(50);
CREATE INDEX t_name_idx ON t (name);
-- +down
ALTER TABLE t DROP COLUMN note;
";

backend_test!(test_fails_when_a_down_section_forgets_an_index, |db| {
    let p = Project::new(&db).file("1_t.sql", T_TABLE).file("2_idx.sql", FORGETS_INDEX);
    let out = p.run(&["test"]);
    out.code(1).stdout_has("ok   1_t").stdout_has("FAIL 2_idx").stderr_has("failed the up/down/up test");
    let diff = out.stdout.lines().find(|l| l.trim_start().starts_with("+ index") && l.contains("t_name_idx"));
    assert!(diff.is_some(), "no diff line naming the index\n{out}");
    out.stdout_lacks("passed up, down, up");
});

// The same failure with a migration after it: `test` stops at the failure and reports it.
backend_test!(test_reports_a_failure_followed_by_more_migrations, [sqlite, postgres, mysql], |db| {
    let p = Project::new(&db).file("1_t.sql", T_TABLE).file("2_idx.sql", FORGETS_INDEX).file("3_u.sql", &create_table("u"));
    let out = p.run(&["test", "--format", "json"]);
    out.code(1).stderr_has("failed the up/down/up test").stderr_lacks("sqlmig resolve");
    let doc = out.json();
    let migrations = doc["migrations"].as_array().expect("migrations array");
    let labels: Vec<&str> = migrations.iter().map(|m| m["label"].as_str().unwrap()).collect();
    assert_eq!(labels[..2], ["1_t", "2_idx"], "{doc:#}");
    assert_eq!(doc["migrations"][1]["ok"], false, "{doc:#}");
});

#[test]
fn test_json_reports_each_migration() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::new(&db)
        .file("1_t.sql", T_TABLE)
        .file("2_log.sql", "-- +up\nCREATE TABLE log (id INTEGER PRIMARY KEY);\n")
        .file("3_idx.sql", FORGETS_INDEX);
    let out = p.run(&["test", "--format", "json"]);
    let doc = out.code(1).json();
    assert_eq!((doc["command"].as_str(), doc["ok"].as_bool(), doc["exit_code"].as_i64()), (Some("test"), Some(false), Some(1)));
    assert_eq!(doc["database"], db.url(), "{doc:#}");
    let m = doc["migrations"].as_array().expect("migrations array");
    assert_eq!(m.len(), 3, "{doc:#}");
    assert_eq!(m[0], serde_json::json!({"label": "1_t", "ok": true, "reversible": true, "problems": []}));
    assert_eq!(m[1], serde_json::json!({"label": "2_log", "ok": true, "reversible": false, "problems": []}));
    assert_eq!(
        (m[2]["label"].as_str(), m[2]["ok"].as_bool(), m[2]["reversible"].as_bool()),
        (Some("3_idx"), Some(false), Some(true))
    );
    let problems: Vec<&str> = m[2]["problems"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert!(problems.iter().any(|p| p.contains("+ index") && p.contains("t_name_idx")), "{doc:#}");
}

backend_test!(test_refuses_a_database_that_is_not_empty, |db| {
    db.exec("CREATE TABLE keep (id INTEGER PRIMARY KEY)");
    db.exec("INSERT INTO keep (id) VALUES (7)");
    let p = Project::new(&db).file("1_a.sql", &create_table("a"));
    p.run(&["test"]).code(2).stderr_has("not empty").stderr_has("--database");
    assert_eq!(db.tables(), ["keep"], "test touched a database it refused");
    assert_eq!(db.query_i64("SELECT count(*) FROM keep"), 1);

    // A database with a ledger is not a scratch database either, even with no tables.
    db.exec("DROP TABLE keep");
    let q = Project::new(&db).file("1_noop.sql", "-- +up\nSELECT 1;\n-- +down\nSELECT 1;\n");
    q.run(&["apply"]).success();
    let doc = q.run(&["test", "--format", "json"]).code(2).json();
    assert_eq!(doc["error"]["kind"], "input", "{doc:#}");
    assert_eq!(db.ledger_versions(), [1]);
});

// ---------------------------------------------------------------------------------------
// Deploy gates
// ---------------------------------------------------------------------------------------

backend_test!(status_exit_code_gates_a_deploy, |db| {
    let p = Project::new(&db).file("1_a.sql", &create_table("a")).file("2_b.sql", &create_table("b"));
    p.run(&["status", "--exit-code"]).code(4);
    assert!(!db.has_table("sqlmig_ledger"), "status created the ledger");
    p.run(&["apply", "--to", "1"]).success();
    let doc = p.run(&["status", "--exit-code", "--format", "json"]).code(4).json();
    assert_eq!((doc["ok"].as_bool(), doc["exit_code"].as_i64()), (Some(false), Some(4)), "{doc:#}");
    assert_eq!(doc["summary"]["pending"], 1, "{doc:#}");
    p.run(&["apply"]).success();
    p.run(&["status", "--exit-code"]).success();

    // A comment-only edit does not stop a deploy.
    p.write("2_b.sql", &format!("-- Table b.\n{}", create_table("b")));
    p.run(&["status", "--exit-code"]).success();

    // A real edit of an applied migration: 3, even with something pending too.
    p.write("2_b.sql", B_EDITED).write("3_c.sql", &create_table("c"));
    p.run(&["status", "--exit-code"]).code(3);
    let doc = p.run(&["status", "--exit-code", "--format", "json"]).code(3).json();
    assert_eq!(doc["exit_code"], 3, "{doc:#}");
    // Without `--exit-code` status reports and succeeds.
    assert_eq!(p.run(&["status"]).success().status_of("2_b"), "edited");
});

backend_test!(out_of_order_pending_migration_is_refused_until_allowed, |db| {
    let p = Project::new(&db).file("1_a.sql", &create_table("a")).file("3_c.sql", &create_table("c"));
    p.run(&["apply"]).success();
    // A merge brings in version 2, older than the newest applied one.
    p.write("2_b.sql", &create_table("b"));

    p.run(&["apply"])
        .code(3)
        .stderr_has("2_b")
        .stderr_has("older than the newest applied")
        .stderr_has("--allow-out-of-order")
        .stdout_lacks("applied 2_b");
    assert!(!db.has_table("b"));
    assert_eq!(db.ledger_versions(), [1, 3]);

    let out = p.run(&["status"]);
    assert_eq!(out.success().status_of("2_b"), "pending (out of order)");
    let doc = p.run(&["status", "--format", "json"]).success().json();
    let flags: Vec<(&str, bool)> = doc["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["label"].as_str().unwrap(), m["out_of_order"].as_bool().unwrap()))
        .collect();
    assert_eq!(flags, [("1_a", false), ("2_b", true), ("3_c", false)]);
    p.run(&["status", "--exit-code"]).code(4);

    p.run(&["apply", "--allow-out-of-order"]).success().stdout_has("applied 2_b");
    assert_eq!(db.ledger_versions(), [1, 2, 3]);
    p.run(&["status", "--exit-code"]).success();
});

backend_test!(missing_applied_file_is_reported_and_apply_says_so, |db| {
    let p = Project::new(&db).file("1_a.sql", &create_table("a")).file("2_b.sql", &create_table("b"));
    p.run(&["apply"]).success();
    p.remove("2_b.sql").write("3_c.sql", &create_table("c"));

    let out = p.run(&["status"]);
    assert_eq!(out.success().status_of("2_b"), "missing file");
    out.stdout_has("file is missing");
    p.run(&["status", "--exit-code"]).code(3);
    let doc = p.run(&["status", "--format", "json"]).success().json();
    assert_eq!((doc["migrations"][1]["state"].as_str(), doc["migrations"][1]["path"].is_null()), (Some("missing_file"), true));
    assert_eq!(doc["summary"]["missing"], 1, "{doc:#}");
    p.run(&["verify"]).code(3).stderr_has("2_b").stdout_has("missing");

    // apply goes on with the new migration, and says what it passed over.
    let out = p.run(&["apply"]);
    out.success().stdout_has("applied 3_c");
    assert!(out.stderr.contains("2_b") && out.stderr.contains("missing"), "apply said nothing of the missing file\n{out}");
    assert!(db.has_table("c"));
    assert_eq!(db.ledger_versions(), [1, 2, 3]);
    // Also when there is nothing left to apply, and in JSON mode (on stderr, for people).
    let out = p.run(&["apply", "--format", "json"]);
    out.success().stderr_has("2_b");
    out.json(); // And with `--quiet`, which scripts use.
    p.run(&["apply", "--quiet"]).success().stderr_has("2_b is applied but its file is missing");
});

#[test]
fn missing_applied_file_is_mentioned_by_a_dry_run() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::new(&db).file("1_a.sql", &create_table("a")).file("2_b.sql", &create_table("b"));
    p.run(&["apply"]).success();
    p.remove("2_b.sql").write("3_c.sql", &create_table("c"));
    let out = p.run(&["apply", "--dry-run"]);
    out.success().stdout_has("3_c");
    assert!(out.stderr.contains("2_b") && out.stderr.contains("missing"), "the dry run hides the missing file\n{out}");
}

// ---------------------------------------------------------------------------------------
// The demo project's own CI run
// ---------------------------------------------------------------------------------------

#[test]
fn demo_project_passes_its_own_ci_run() {
    let p = offline_project();
    copy_demo(&p);
    assert!(p.migrations().join("sqlmig.sum").is_file(), "the demo project has no committed sqlmig.sum");
    run_without_database(&p, &["verify", "--offline"]).success().stdout_has("matches sqlmig.sum");
    run_without_database(&p, &["lint"]).success().stdout_has("0 errors");
    run_without_database(&p, &["lint", "--target", "sqlite,postgres,mysql"]).success().stdout_has("0 errors");
    run_without_database(&p, &["test"]).success().stdout_has("passed up, down, up");
    assert!(!p.root().join("sqlmig.db").exists(), "the CI run created the default database");
}

// ---------------------------------------------------------------------------------------
// spec/lint.md is executable
// ---------------------------------------------------------------------------------------

/// A rule as spec/lint.md documents it.
#[derive(Debug, Default)]
struct SpecRule {
    severity: String,
    /// The prose under the heading, whitespace folded.
    prose: String,
}

/// An example block of spec/lint.md.
#[derive(Debug)]
struct SpecExample {
    /// Line of the opening fence.
    line: usize,
    rule: String,
    triggers: bool,
    target: String,
    files: Vec<String>,
}

fn fold_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parse spec/lint.md as its section "How this file is tested" describes.
fn parse_lint_spec(text: &str) -> (BTreeMap<String, SpecRule>, Vec<SpecExample>) {
    let mut rules: BTreeMap<String, SpecRule> = BTreeMap::new();
    let mut examples = Vec::new();
    let mut current: Option<String> = None;
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let n = i + 1;
        if let Some(info) = line.strip_prefix("```") {
            let mut body = String::new();
            for (_, l) in lines.by_ref() {
                if l.starts_with("```") {
                    break;
                }
                body.push_str(l);
                body.push('\n');
            }
            let mut words = info.split_whitespace();
            if words.next() != Some("sql") {
                continue;
            }
            let attrs: BTreeMap<&str, &str> = words.filter_map(|w| w.split_once('=')).collect();
            let (triggers, rule) = match (attrs.get("triggers"), attrs.get("passes")) {
                (Some(r), None) => (true, *r),
                (None, Some(r)) => (false, *r),
                _ => panic!("spec/lint.md:{n}: an example block says `triggers=RULE` or `passes=RULE`: {line}"),
            };
            assert_eq!(current.as_deref(), Some(rule), "spec/lint.md:{n}: the example is not under its rule's heading");
            let files = body.split("-- next migration\n").map(str::to_string).collect();
            let target = attrs.get("target").unwrap_or(&"postgres").to_string();
            examples.push(SpecExample { line: n, rule: rule.to_string(), triggers, target, files });
        } else if let Some(heading) = line.strip_prefix("### `") {
            let id = heading.strip_suffix('`').unwrap_or_else(|| panic!("spec/lint.md:{n}: a rule heading is ### `id`"));
            assert!(!rules.contains_key(id), "spec/lint.md:{n}: {id} documented twice");
            rules.insert(id.to_string(), SpecRule::default());
            current = Some(id.to_string());
        } else if line.starts_with('#') {
            current = None;
        } else if let Some(rule) = current.as_ref().and_then(|id| rules.get_mut(id)) {
            if let Some(severity) = line.strip_prefix("**Severity:** ") {
                rule.severity = severity.trim().to_string();
            } else {
                rule.prose.push_str(line);
                rule.prose.push(' ');
            }
        }
    }
    for rule in rules.values_mut() {
        rule.prose = fold_whitespace(&rule.prose);
    }
    (rules, examples)
}

#[test]
fn lint_spec_examples_hold() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/lint.md");
    let text = std::fs::read_to_string(&path).expect("read spec/lint.md");
    let (rules, examples) = parse_lint_spec(&text);
    assert!(!rules.is_empty(), "spec/lint.md documents no rules");

    let mut failures = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut triggered: BTreeSet<String> = BTreeSet::new();
    // What `lint --format json` says of each rule, to compare with the prose.
    let mut texts: BTreeMap<String, (String, String)> = BTreeMap::new();
    for ex in &examples {
        let files: Vec<&str> = ex.files.iter().map(String::as_str).collect();
        let linted = lint(&files, &ex.target);
        for f in linted.doc["findings"].as_array().unwrap() {
            let rule = f["rule"].as_str().unwrap().to_string();
            let explanation = fold_whitespace(f["explanation"].as_str().unwrap_or_default());
            let alternative = fold_whitespace(f["alternative"].as_str().unwrap_or_default());
            texts.insert(rule.clone(), (explanation, alternative));
            seen.insert(rule);
        }
        let in_last: Vec<&Finding> = linted.findings.iter().filter(|f| f.path == linted.last).collect();
        let severity = &rules[&ex.rule].severity;
        if ex.triggers {
            if in_last.iter().any(|f| f.rule == ex.rule && &f.severity == severity) {
                triggered.insert(ex.rule.clone());
            } else {
                failures.push(format!(
                    "spec/lint.md:{}: `triggers={}` example did not report {} ({severity}):\n{}",
                    ex.line, ex.rule, ex.rule, linted.outcome
                ));
            }
        } else if !in_last.is_empty() {
            failures.push(format!(
                "spec/lint.md:{}: `passes={}` example is not clean: {:?}",
                ex.line,
                ex.rule,
                in_last.iter().map(|f| format!("{}:{} {}", f.line, f.rule, f.message)).collect::<Vec<_>>()
            ));
        }
    }

    for (id, rule) in &rules {
        if !matches!(rule.severity.as_str(), "error" | "warning") {
            failures.push(format!("{id}: no `**Severity:** error|warning` line"));
        }
        for kind in [true, false] {
            if !examples.iter().any(|e| &e.rule == id && e.triggers == kind) {
                failures.push(format!("{id}: no `{}={id}` example", if kind { "triggers" } else { "passes" }));
            }
        }
        match texts.get(id) {
            Some((explanation, alternative)) => {
                for (what, wanted) in [("explanation", explanation), ("alternative", alternative)] {
                    if !rule.prose.contains(wanted.as_str()) {
                        failures.push(format!("{id}: the prose lacks the rule's {what}, word for word: {wanted:?}"));
                    }
                }
            }
            None => failures.push(format!("{id}: never reported, so its text could not be checked")),
        }
    }
    // Every rule sqlmig reports is documented, and every documented rule is real.
    let documented: BTreeSet<String> = rules.keys().cloned().collect();
    let undocumented: Vec<&String> = seen.difference(&documented).collect();
    if !undocumented.is_empty() {
        failures.push(format!("rules sqlmig reports that spec/lint.md does not document: {undocumented:?}"));
    }
    let tested: BTreeSet<String> = LINT_CASES.iter().map(|c| c.rule.to_string()).collect();
    if tested != documented {
        failures.push(format!(
            "LINT_CASES and spec/lint.md must cover the same rules: only tested {:?}, only documented {:?}",
            tested.difference(&documented).collect::<Vec<_>>(),
            documented.difference(&tested).collect::<Vec<_>>()
        ));
    }
    let never: Vec<&String> = documented.difference(&triggered).collect();
    if !never.is_empty() {
        failures.push(format!("documented rules no example of theirs reported: {never:?}"));
    }
    assert!(failures.is_empty(), "spec/lint.md does not hold:\n\n{}", failures.join("\n\n"));
}
