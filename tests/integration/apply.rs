//! `apply`: order, `--to`, `--steps`, `--dry-run`.

use pretty_assertions::assert_eq;

use crate::helpers::*;

/// Versions 1, 2 and 10, where 10 needs the table 2 creates: lexical order (1, 10, 2)
/// would fail.
fn numeric_order_project(db: &TestDb) -> Project {
    Project::new(db)
        .file("1_a.sql", &create_table("a"))
        .file("2_b.sql", &create_table("b"))
        .file("10_c.sql", "-- +up\nCREATE INDEX b_name ON b (name);\nCREATE TABLE c (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\n-- +down\nDROP TABLE c;\n")
}

backend_test!(applies_in_version_order_then_nothing, |db| {
    let p = numeric_order_project(&db);

    p.run(&["apply"]).success().stdout_order(&["applied 1_a", "applied 2_b", "applied 10_c"]).stdout_has("3 migrations applied");
    for t in ["a", "b", "c", "sqlmig_ledger"] {
        assert!(db.has_table(t), "table {t} missing: {:?}", db.tables());
    }
    assert_eq!(db.ledger(), vec![(1, "applied".into()), (2, "applied".into()), (10, "applied".into())]);
    // The ledger records the order of application.
    assert_eq!(db.query_strings("SELECT version FROM sqlmig_ledger ORDER BY seq"), ["1", "2", "10"]);

    p.run(&["apply"]).success().stdout_has("nothing to apply").stdout_lacks("applied 1_a");
    assert_eq!(db.ledger().len(), 3);
});

backend_test!(apply_to_and_steps, |db| {
    let p = Project::new(&db);
    for (file, table) in [("1_a.sql", "a"), ("2_b.sql", "b"), ("3_c.sql", "c"), ("4_d.sql", "d")] {
        p.write(file, &create_table(table));
    }

    p.run(&["apply", "--steps", "1"]).success().stdout_has("applied 1_a").stdout_lacks("2_b");
    assert_eq!(db.ledger_versions(), [1]);
    assert!(db.has_table("a") && !db.has_table("b"));

    p.run(&["apply", "--to", "3"]).success().stdout_order(&["applied 2_b", "applied 3_c"]).stdout_lacks("4_d");
    assert_eq!(db.ledger_versions(), [1, 2, 3]);
    assert!(!db.has_table("d"));

    p.run(&["apply", "--to", "3"]).success().stdout_has("nothing to apply");
    p.run(&["apply", "--steps", "5"]).success().stdout_has("applied 4_d");
    assert_eq!(db.ledger_versions(), [1, 2, 3, 4]);
});

backend_test!(dry_run_prints_sql_and_changes_nothing, |db| {
    let p = Project::new(&db)
        .file("1_a.sql", &create_table("a"))
        .file("2_seed.sql", "-- +up\nINSERT INTO a (id, name) VALUES (7, 'seven');\n-- +down\nDELETE FROM a;\n");

    let out = p.run(&["apply", "--dry-run"]);
    out.success()
        .stdout_order(&[
            "CREATE TABLE a (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL)",
            "INSERT INTO a (id, name) VALUES (7, 'seven')",
        ])
        .stdout_has("sqlmig_ledger")
        .stdout_lacks("applied 1_a");
    let ledger_inserts = out.stdout.lines().filter(|l| l.starts_with("INSERT INTO") && l.contains("sqlmig_ledger")).count();
    assert_eq!(ledger_inserts, 2, "one ledger INSERT per migration\n{out}");
    if db.backend() == Backend::Sqlite {
        assert!(!db.exists(), "a dry run created the SQLite file");
    }
    assert_eq!(db.tables(), Vec::<String>::new(), "a dry run created tables");

    // Against a database that is partly migrated: only what is pending, still no change.
    p.run(&["apply", "--steps", "1"]).success();
    p.run(&["apply", "--dry-run"])
        .success()
        .stdout_has("INSERT INTO a (id, name) VALUES (7, 'seven')")
        .stdout_lacks("CREATE TABLE a");
    assert_eq!(db.ledger_versions(), [1]);
    assert_eq!(db.query_i64("SELECT count(*) FROM a"), 0);
});
