//! Migration files sqlmig must refuse before touching the database: malformed text, bad
//! file names, statements it cannot parse outside their own dialect.

use pretty_assertions::assert_eq;

use crate::helpers::*;

/// A malformed `3_bad.sql`, with the `line:col` its error must point at.
struct Malformed {
    what: &'static str,
    bytes: &'static [u8],
    at: &'static str,
    message: &'static str,
}

const MALFORMED: &[Malformed] = &[
    Malformed {
        what: "unterminated string",
        bytes: b"-- +up\nCREATE TABLE bad (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\nINSERT INTO bad (id, name) VALUES (1, 'oops);\n-- +down\nDROP TABLE bad;\n",
        at: "3:39",
        message: "unterminated",
    },
    Malformed {
        what: "down before up",
        bytes: b"-- +down\nDROP TABLE bad;\n-- +up\nCREATE TABLE bad (id INTEGER PRIMARY KEY);\n",
        at: "1:1",
        message: "`-- +down` before `-- +up`",
    },
    Malformed {
        what: "SQL before up",
        bytes: b"-- A comment is fine here.\nCREATE TABLE bad (id INTEGER PRIMARY KEY);\n-- +up\nCREATE TABLE bad2 (id INTEGER PRIMARY KEY);\n",
        at: "2:1",
        message: "before the first `-- +up`",
    },
    Malformed {
        what: "unknown annotation",
        bytes: b"-- +up\nCREATE TABLE bad (id INTEGER PRIMARY KEY);\n-- +dwon\nDROP TABLE bad;\n",
        at: "3:1",
        message: "unknown annotation `-- +dwon`",
    },
    Malformed {
        what: "invalid UTF-8",
        bytes: b"-- +up\nCREATE TABLE bad (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\nINSERT INTO bad (id, name) VALUES (1, 'caf\xe9');\n",
        at: "3:43",
        message: "not valid UTF-8",
    },
];

/// Two valid pending migrations, then the malformed one.
fn project_with(db: &TestDb, bad: &Malformed) -> Project {
    let p = Project::new(db).file("1_a.sql", &create_table("a")).file("2_b.sql", &create_table("b"));
    p.write_bytes("3_bad.sql", bad.bytes);
    p
}

backend_test!(malformed_file_stops_everything, |db| {
    for bad in MALFORMED {
        let p = project_with(&db, bad);
        let out = p.run(&["apply"]);
        let location = format!("migrations/3_bad.sql:{}", bad.at);
        out.code(2).stderr_has(&location).stderr_has(bad.message).stderr_has_caret().stdout_lacks("applied");
        let user_tables: Vec<String> = db.tables().into_iter().filter(|t| !t.starts_with("sqlmig_")).collect();
        assert_eq!(user_tables, Vec::<String>::new(), "{}: the valid pending migrations ran\n{out}", bad.what);
        assert_eq!(db.ledger(), Vec::new(), "{}", bad.what);
        // A dry run refuses the same way.
        p.run(&["apply", "--dry-run"]).code(2).stderr_has(&location);
    }
});

backend_test!(malformed_file_leaves_database_untouched, [sqlite, postgres, mysql,], |db| {
    for bad in MALFORMED {
        let p = project_with(&db, bad);
        p.run(&["apply"]).code(2);
        if db.backend() == Backend::Sqlite {
            assert!(!db.exists(), "{}: the SQLite file was created", bad.what);
        }
        assert_eq!(db.tables(), Vec::<String>::new(), "{}: tables were created", bad.what);
    }
});

#[test]
fn unterminated_string_is_reported_once() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::new(&db).file("1_a.sql", "-- +up\nINSERT INTO a (id, name) VALUES (1, 'oops);\n");
    let out = p.run(&["apply"]);
    out.code(2).stderr_has("1_a.sql:2:37").stderr_has("unterminated").stderr_lacks("has no statements");
    assert_eq!(out.stderr.matches("error:").count(), 1, "{out}");
}

#[test]
fn every_malformed_file_is_reported_at_once() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::new(&db);
    // (A file that is not UTF-8 is refused while loading, before the others are parsed.)
    let text_cases: Vec<&Malformed> = MALFORMED.iter().filter(|m| std::str::from_utf8(m.bytes).is_ok()).collect();
    for (i, bad) in text_cases.iter().enumerate() {
        p.write_bytes(&format!("{}_bad.sql", i + 1), bad.bytes);
    }
    let out = p.run(&["apply"]);
    out.code(2).stderr_has_caret();
    for (i, bad) in text_cases.iter().enumerate() {
        out.stderr_has(&format!("migrations/{}_bad.sql:{}", i + 1, bad.at)).stderr_has(bad.message);
    }
    assert!(!db.has_table("bad"));
}

#[test]
fn bad_file_names_are_refused_and_other_files_ignored() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::new(&db)
        .file("1_a.sql", &create_table("a"))
        .file("01_b.sql", &create_table("b"))
        .file("abc.sql", &create_table("c"))
        .file("README.md", "# Migrations\n")
        .file(".gitkeep", "");

    let out = p.run(&["apply"]);
    out.code(2)
        .stderr_has("abc.sql")
        .stderr_has("version number")
        .stderr_has("1_a.sql")
        .stderr_has("01_b.sql")
        .stderr_has("two migrations have version 1");
    out.output_lacks("README.md").output_lacks(".gitkeep");
    assert!(!db.exists(), "the database was created although the folder is invalid");
    p.run(&["status"]).code(2).stderr_has("abc.sql");

    // With the names fixed, README.md and .gitkeep are still there and ignored.
    p.remove("abc.sql").remove("01_b.sql").write("2_b.sql", &create_table("b"));
    p.run(&["apply"]).success().stdout_order(&["applied 1_a", "applied 2_b"]);
    assert_eq!(db.ledger_versions(), [1, 2]);
    assert!(p.run(&["status"]).success().stdout.lines().all(|l| !l.contains("README")));
}

#[test]
fn missing_migrations_folder_is_input_error() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::bare(&db);
    p.run(&["apply"]).code(2).stderr_has("does not exist").stderr_has("sqlmig init");
    assert!(!db.exists());
}

/// `REINDEX` is valid SQLite that sqlparser 0.63 does not parse.
const UNPARSED: &str = "CREATE TABLE docs (id INTEGER PRIMARY KEY, body VARCHAR(50) NOT NULL);\nREINDEX;\n";

#[test]
fn unparsable_statement_runs_verbatim_in_its_own_dialect() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::new(&db).file("1_docs.sql", &format!("-- +dialect sqlite\n-- +up\n{UNPARSED}-- +down\nDROP TABLE docs;\n"));

    p.run(&["apply"]).success().stdout_has("applied 1_docs");
    assert!(db.has_table("docs"));
    p.run(&["status"]).success().stdout_has("unparsed");
    let doc = p.run(&["status", "--format", "json"]).success().json();
    assert_eq!(doc["migrations"][0]["unparsed_statements"], 1, "{doc:#}");
    p.run(&["verify"]).success();
}

#[test]
fn unparsable_statement_in_another_dialect_is_refused() {
    let db = TestDb::sqlite().unwrap();
    // The same statements, in a file written for PostgreSQL (the default dialect).
    let p = Project::new(&db)
        .file("1_ok.sql", &create_table("ok"))
        .file("2_docs.sql", &format!("-- +up\n{UNPARSED}-- +down\nDROP TABLE docs;\n"));

    p.run(&["apply"])
        .code(2)
        .stderr_has("migrations/2_docs.sql:3:1")
        .stderr_has("cannot parse")
        .stderr_has_caret()
        .stdout_lacks("applied");
    assert!(!db.has_table("docs") && !db.has_table("ok"));
}
