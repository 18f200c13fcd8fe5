//! `rollback` and `redo`.

use pretty_assertions::assert_eq;

use crate::helpers::*;

fn four_tables(db: &TestDb) -> Project {
    let p = Project::new(db);
    for v in 1..=4 {
        p.write(&format!("{v}_t{v}.sql"), &create_table(&format!("t{v}")));
    }
    p
}

fn user_tables(db: &TestDb) -> Vec<String> {
    db.tables().into_iter().filter(|t| !t.starts_with("sqlmig_")).collect()
}

backend_test!(rollback_one_step_steps_and_to, |db| {
    let p = four_tables(&db);
    p.run(&["apply"]).success();

    p.run(&["rollback"]).success().stdout_has("rolled back 4_t4").stdout_lacks("3_t3");
    assert_eq!(db.ledger_versions(), [1, 2, 3]);
    assert_eq!(user_tables(&db), ["t1", "t2", "t3"]);

    p.run(&["rollback", "--steps", "2"]).success().stdout_order(&["rolled back 3_t3", "rolled back 2_t2"]);
    assert_eq!(db.ledger_versions(), [1]);
    assert_eq!(user_tables(&db), ["t1"]);

    p.run(&["apply"]).success();
    p.run(&["rollback", "--to", "1"]).success().stdout_order(&["rolled back 4_t4", "rolled back 3_t3", "rolled back 2_t2"]);
    assert_eq!(db.ledger_versions(), [1]);
    assert_eq!(user_tables(&db), ["t1"]);

    p.run(&["rollback", "--to", "0"]).success().stdout_has("rolled back 1_t1");
    assert_eq!(db.ledger(), Vec::new());
    assert_eq!(user_tables(&db), Vec::<String>::new());
    p.run(&["rollback"]).success().stdout_has("nothing to roll back");
});

backend_test!(rollback_follows_order_of_application, |db| {
    let p = Project::new(&db).file("1_t1.sql", &create_table("t1")).file("3_t3.sql", &create_table("t3"));
    p.run(&["apply"]).success();
    p.write("2_t2.sql", &create_table("t2"));
    p.run(&["apply", "--allow-out-of-order"]).success().stdout_has("applied 2_t2");

    // 2 was applied last, so it is the first to go, although 3 is the higher version.
    p.run(&["rollback"]).success().stdout_has("rolled back 2_t2").stdout_lacks("3_t3");
    assert_eq!(db.ledger_versions(), [1, 3]);
    assert!(!db.has_table("t2") && db.has_table("t3"));

    p.run(&["rollback"]).success().stdout_has("rolled back 3_t3");
    assert_eq!(db.ledger_versions(), [1]);
});

backend_test!(rollback_dry_run_changes_nothing, |db| {
    let p = four_tables(&db);
    p.run(&["apply"]).success();
    p.run(&["rollback", "--steps", "2", "--dry-run"])
        .success()
        .stdout_order(&["DROP TABLE t4", "DROP TABLE t3"])
        .stdout_lacks("DROP TABLE t2");
    assert_eq!(db.ledger_versions(), [1, 2, 3, 4]);
    assert_eq!(user_tables(&db), ["t1", "t2", "t3", "t4"]);
});

backend_test!(rollback_without_down_section_refuses, |db| {
    let p = Project::new(&db)
        .file("1_t1.sql", &create_table("t1"))
        .file("2_t2.sql", "-- +up\nCREATE TABLE t2 (id INTEGER PRIMARY KEY);\n");
    p.run(&["apply"]).success();
    p.run(&["rollback", "--steps", "2"]).code(2).stderr_has("2_t2").stderr_has("no `-- +down` section");
    // Nothing was rolled back, not even 1, which could have been.
    assert_eq!(db.ledger_versions(), [1, 2]);
    assert!(db.has_table("t1") && db.has_table("t2"));
});

backend_test!(redo_rolls_back_and_reapplies_newest, |db| {
    let p = Project::new(&db)
        .file("1_t.sql", &create_table("t"))
        .file("2_seed.sql", "-- +up\nCREATE TABLE s (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\nINSERT INTO s (id, name) VALUES (1, 'seeded');\n-- +down\nDROP TABLE s;\n");
    p.run(&["apply"]).success();
    db.exec("INSERT INTO s (id, name) VALUES (2, 'by hand')");
    db.exec("INSERT INTO t (id, name) VALUES (1, 'kept')");

    p.run(&["redo"]).success().stdout_order(&["rolled back 2_seed", "applied 2_seed"]).stdout_lacks("1_t");
    assert_eq!(db.query_strings("SELECT name FROM s ORDER BY id"), ["seeded"], "the up section's data is back, and only it");
    assert_eq!(db.query_i64("SELECT count(*) FROM t"), 1, "the older migration was left alone");
    assert_eq!(db.ledger(), vec![(1, "applied".into()), (2, "applied".into())]);

    // The usual reason to redo: the newest migration's up section was edited. Redo runs the
    // new text and records it, so the edit no longer counts as one.
    p.write(
        "2_seed.sql",
        "-- +up\nCREATE TABLE s (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\nINSERT INTO s (id, name) VALUES (1, 'reseeded');\n-- +down\nDROP TABLE s;\n",
    );
    p.run(&["verify"]).code(3);
    p.run(&["redo"]).success();
    assert_eq!(db.query_strings("SELECT name FROM s ORDER BY id"), ["reseeded"]);
    p.run(&["verify"]).success();
});
