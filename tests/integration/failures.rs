//! A migration whose statement fails on the database: rolled back whole where DDL is
//! transactional (SQLite, PostgreSQL), left dirty in the ledger where it is not (MySQL), and
//! settled by hand with `resolve`.

use pretty_assertions::assert_eq;

use crate::helpers::*;

/// Three statements, the third of which fails on every database (line 4, column 1).
const FAILING: &str = "-- +up\nCREATE TABLE x1 (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\nCREATE TABLE x2 (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\nINSERT INTO nosuch (id) VALUES (1);\n-- +down\nDROP TABLE x2;\nDROP TABLE x1;\n";

/// `FAILING` with the third statement fixed.
const FIXED: &str = "-- +up\nCREATE TABLE x1 (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\nCREATE TABLE x2 (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\nINSERT INTO x1 (id, name) VALUES (1, 'fixed');\n-- +down\nDROP TABLE x2;\nDROP TABLE x1;\n";

fn failing_project(db: &TestDb) -> Project {
    Project::new(db).file("1_a.sql", &create_table("a")).file("2_fail.sql", FAILING).file("3_c.sql", &create_table("c"))
}

/// Apply the failing project and check what every backend reports the same way.
fn apply_and_fail(p: &Project) -> Outcome {
    let out = p.run(&["apply"]);
    out.code(1)
        .stdout_has("applied 1_a")
        .stdout_lacks("3_c")
        .stderr_has("2_fail")
        .stderr_has("migrations/2_fail.sql:4:1")
        .stderr_has("INSERT INTO nosuch (id) VALUES (1)")
        .stderr_has_caret();
    // The first line carries the database's own message, which names the missing table.
    let first = out.stderr.lines().next().unwrap_or_default();
    assert!(first.starts_with("error: migration 2_fail failed (up): ") && first.contains("nosuch"), "{out}");
    out
}

backend_test!(failed_migration_leaves_no_trace, [sqlite, postgres], |db| {
    let p = failing_project(&db);
    apply_and_fail(&p).stderr_has("rolled back");

    assert!(!db.has_table("x1") && !db.has_table("x2"), "statements 1-2 of the failed migration remain: {:?}", db.tables());
    assert!(db.has_table("a") && !db.has_table("c"));
    assert_eq!(db.ledger(), vec![(1, "applied".into())]);
    assert_eq!(p.run(&["status"]).success().status_of("2_fail"), "pending");

    // Fix the file and go on.
    p.write("2_fail.sql", FIXED);
    p.run(&["apply"]).success().stdout_order(&["applied 2_fail", "applied 3_c"]);
    assert_eq!(db.ledger_versions(), [1, 2, 3]);
    assert_eq!(db.query_i64("SELECT count(*) FROM x1"), 1);
});

backend_test!(failed_migration_is_dirty_without_transactional_ddl, [mysql], |db| {
    let p = failing_project(&db);
    apply_and_fail(&p).stderr_has("2 of 3 statements").stderr_has("sqlmig resolve 2");

    // MySQL committed statements 1-2 and the ledger says exactly that.
    assert!(db.has_table("x1") && db.has_table("x2"));
    assert_eq!(db.ledger(), vec![(1, "applied".into()), (2, "failed_up".into())]);
    assert_eq!(db.query_i64("SELECT statements_done FROM sqlmig_ledger WHERE version = 2"), 2);

    let out = p.run(&["status"]);
    out.success().stdout_has("failed_up").stdout_has("statement 3 of 3").stdout_has("statements 1 to 2 ran");
    assert_eq!(out.status_of("2_fail"), "dirty");
    let doc = p.run(&["status", "--format", "json"]).success().json();
    let m = &doc["migrations"][1];
    assert_eq!((m["state"].as_str(), m["dirty_state"].as_str()), (Some("dirty"), Some("failed_up")), "{doc:#}");
    assert_eq!((m["statements_done"].as_i64(), m["statements_total"].as_i64()), (Some(2), Some(3)), "{doc:#}");

    // Nothing runs over a dirty ledger, in either direction, even with the file fixed.
    p.write("2_fail.sql", FIXED);
    p.run(&["apply"]).code(3).stderr_has("half-applied").stderr_has("2_fail");
    p.run(&["rollback"]).code(3).stderr_has("half-applied");
    assert!(!db.has_table("c"));
    assert!(db.has_table("a"), "rollback ran despite the dirty ledger");
    assert_eq!(db.ledger(), vec![(1, "applied".into()), (2, "failed_up".into())]);
});

backend_test!(failed_data_migration_leaves_no_trace, |db| {
    // Data statements run in a transaction on every database, MySQL included.
    let p = Project::new(&db)
        .file("1_a.sql", &create_table("a"))
        .file("2_rows.sql", "-- +up\nINSERT INTO a (id, name) VALUES (1, 'one');\nUPDATE a SET name = 'uno' WHERE id = 1;\nINSERT INTO nosuch (id) VALUES (1);\n-- +down\nDELETE FROM a;\n");
    p.run(&["apply"]).code(1).stderr_has("migrations/2_rows.sql:4:1").stdout_has("applied 1_a");
    assert_eq!(db.query_i64("SELECT count(*) FROM a"), 0);
    assert_eq!(db.ledger(), vec![(1, "applied".into())]);
    assert_eq!(p.run(&["status"]).success().status_of("2_rows"), "pending");
});

backend_test!(data_statements_after_ddl_commit_together, [mysql], |db| {
    // The INSERTs after the DDL share one transaction with the ledger write: the failing
    // second one takes the first with it, and the ledger says exactly which statements ran.
    let p = Project::new(&db).file(
        "1_d.sql",
        "-- +up\nCREATE TABLE d1 (id INTEGER PRIMARY KEY);\nINSERT INTO d1 (id) VALUES (1);\nINSERT INTO d1 (id) VALUES (1);\n-- +down\nDROP TABLE d1;\n",
    );
    p.run(&["apply", "--dry-run"])
        .success()
        .stdout_has("statements_done = 1, statements_total = 3, execution_ms = 0 WHERE version = 1;\nSTART TRANSACTION;\nINSERT INTO d1 (id) VALUES (1);\nINSERT INTO d1 (id) VALUES (1);\nUPDATE `sqlmig_ledger` SET state = 'applied', statements_done = 3, statements_total = 3, execution_ms = 0 WHERE version = 1;\nCOMMIT;");
    p.run(&["apply"]).code(1).stderr_has("migrations/1_d.sql:4:1").stderr_has("1 of 3 statements");
    assert!(db.has_table("d1"));
    assert_eq!(db.query_i64("SELECT count(*) FROM d1"), 0);
    assert_eq!(db.ledger(), vec![(1, "failed_up".into())]);
    assert_eq!(db.query_i64("SELECT statements_done FROM sqlmig_ledger WHERE version = 1"), 1);
    p.run(&["status"]).success().stdout_has("statement 1 ran");
});

/// Leave migration 2 dirty on MySQL, as above.
fn dirty_project(db: &TestDb) -> Project {
    let p = failing_project(db);
    p.run(&["apply"]).code(1);
    assert_eq!(db.ledger(), vec![(1, "applied".into()), (2, "failed_up".into())]);
    p
}

backend_test!(resolve_rolled_back_lets_apply_go_on, [mysql], |db| {
    let p = dirty_project(&db);
    // The person undoes statements 1-2 by hand, fixes the file and says so.
    db.exec("DROP TABLE x2");
    db.exec("DROP TABLE x1");
    p.write("2_fail.sql", FIXED);
    p.run(&["resolve", "2", "--rolled-back"]).success().stdout_has("2_fail");
    assert_eq!(db.ledger(), vec![(1, "applied".into())]);

    p.run(&["apply"]).success().stdout_order(&["applied 2_fail", "applied 3_c"]);
    assert_eq!(db.ledger(), vec![(1, "applied".into()), (2, "applied".into()), (3, "applied".into())]);
    assert_eq!(db.query_i64("SELECT count(*) FROM x1"), 1);
});

backend_test!(resolve_applied_marks_it_applied, [mysql], |db| {
    let p = dirty_project(&db);
    // The person finishes the migration by hand instead.
    db.exec("CREATE TABLE nosuch (id INTEGER PRIMARY KEY)");
    db.exec("INSERT INTO nosuch (id) VALUES (1)");
    p.run(&["resolve", "2", "--applied"]).success();
    assert_eq!(db.ledger(), vec![(1, "applied".into()), (2, "applied".into())]);
    assert_eq!(p.run(&["status"]).success().status_of("2_fail"), "applied");

    p.run(&["apply"]).success().stdout_has("applied 3_c");
    // Resolving something that is not dirty is refused.
    p.run(&["resolve", "2", "--applied"]).code(2).stderr_has("not dirty");
});
