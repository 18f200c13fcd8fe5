//! The migration lock: concurrent runs, waiting for it, giving up, and a holder that dies.

use std::time::{Duration, Instant};

use pretty_assertions::assert_eq;

use crate::helpers::*;

/// 20 migrations; the first creates `log(n)` and every one inserts its number into it, so
/// a migration that ran twice shows up as a duplicate.
fn logging_project(db: &TestDb) -> Project {
    let p = Project::new(db).file(
        "01_log.sql",
        "-- +up\nCREATE TABLE log (n INTEGER NOT NULL);\nINSERT INTO log (n) VALUES (1);\n-- +down\nDROP TABLE log;\n",
    );
    for n in 2..=20 {
        p.write(
            &format!("{n:02}_m{n}.sql"),
            &format!("-- +up\nINSERT INTO log (n) VALUES ({n});\n-- +down\nDELETE FROM log WHERE n = {n};\n"),
        );
    }
    p
}

/// Start 8 `apply`s at once; all must succeed and every migration must run exactly once.
fn eight_at_once(db: &TestDb, extra: &[&str]) {
    // SQLite's failure is a race that some rounds win: give it several fresh files.
    if db.backend() == Backend::Sqlite {
        for _ in 0..4 {
            eight_at_once_on(&TestDb::sqlite().unwrap(), extra);
        }
    }
    eight_at_once_on(db, extra);
}

fn eight_at_once_on(db: &TestDb, extra: &[&str]) {
    let p = logging_project(db);
    let args: Vec<&str> = extra.iter().copied().chain(["apply"]).collect();
    let running: Vec<Running> = (0..8).map(|_| p.spawn(&args)).collect();
    let outcomes: Vec<Outcome> = running.into_iter().map(Running::finish).collect();
    for out in &outcomes {
        out.success();
    }
    let applied_lines: usize = outcomes.iter().map(|o| o.stdout.lines().filter(|l| l.starts_with("applied ")).count()).sum();
    assert_eq!(applied_lines, 20, "each migration is reported applied by exactly one process");
    assert_eq!(db.ledger().len(), 20);
    assert!(db.ledger().iter().all(|(_, s)| s == "applied"), "{:?}", db.ledger());
    assert_eq!(db.query_i64("SELECT count(*) FROM log"), 20);
    assert_eq!(db.query_i64("SELECT count(DISTINCT n) FROM log"), 20);
}

backend_test!(concurrent_applies_run_each_migration_once, [sqlite, postgres, mysql,], |db| {
    eight_at_once(&db, &[]);
});

backend_test!(concurrent_applies_with_lock_timeout, [sqlite, postgres, mysql,], |db| {
    eight_at_once(&db, &["--lock-timeout", "10"]);
});

backend_test!(waits_for_the_lock_and_says_so, [sqlite, postgres, mysql,], |db| {
    let p = Project::new(&db).file("1_a.sql", &create_table("a"));
    let holder = db.hold_lock();
    let mut waiting = p.spawn(&["apply"]);
    assert!(
        waiting.wait_for(Stream::Stderr, "waiting for another sqlmig to release the migration lock", Duration::from_secs(10)),
        "no waiting message"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert!(waiting.is_running(), "sqlmig stopped waiting while the lock was held");
    // SQLite's exclusive lock keeps readers out too, so only the servers can be looked at.
    if db.backend() != Backend::Sqlite {
        assert!(!db.has_table("a"));
    }

    holder.release();
    waiting.finish().success().stdout_has("applied 1_a");
    assert_eq!(db.ledger(), vec![(1, "applied".into())]);
});

backend_test!(lock_timeout_gives_up, |db| {
    let p = Project::new(&db).file("1_a.sql", &create_table("a"));
    let holder = db.hold_lock();
    let started = Instant::now();
    let out = p.run(&["apply", "--lock-timeout", "1"]);
    let elapsed = started.elapsed();
    out.code(1).stderr_has("waiting").stderr_has("timed out after 1s waiting for another sqlmig to release the migration lock");
    assert!(elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(10), "gave up after {elapsed:?}");
    drop(holder);
    assert!(!db.has_table("a"));

    // `--format json` says the same.
    let holder = db.hold_lock();
    let out = p.run(&["apply", "--lock-timeout", "0.5", "--format", "json"]);
    out.code(1);
    assert_eq!(out.json()["error"]["kind"], "lock_timeout");
    drop(holder);

    p.run(&["apply", "--lock-timeout", "5"]).success();
});

/// A migration that takes a while; killed in the middle, it must leave nothing behind.
fn slow_project(db: &TestDb, slow_up: &str) -> Project {
    Project::new(db)
        .file("1_log.sql", "-- +up\nCREATE TABLE log (n INTEGER NOT NULL);\n-- +down\nDROP TABLE log;\n")
        .file("2_slow.sql", slow_up)
        .file("3_after.sql", "-- +up\nINSERT INTO log (n) VALUES (3);\n-- +down\nDELETE FROM log WHERE n = 3;\n")
}

/// Start `apply` and kill it (SIGKILL) while it runs migration 2.
fn kill_during_migration_2(p: &Project) {
    let mut victim = p.spawn(&["apply"]);
    assert!(victim.wait_for(Stream::Stdout, "applied 1_log", Duration::from_secs(20)), "migration 1 did not finish");
    std::thread::sleep(Duration::from_millis(300));
    assert!(victim.is_running(), "the slow migration was not slow");
    victim.kill();
}

backend_test!(lock_dies_with_its_holder, |db| {
    // Data statements only, so even MySQL runs it in a transaction.
    let p = slow_project(
        &db,
        &format!(
            "{}-- +up\nINSERT INTO log (n) VALUES (2);\n{};\n-- +down\nDELETE FROM log WHERE n = 2;\n",
            db.own_dialect(),
            db.slow_sql()
        ),
    );
    kill_during_migration_2(&p);

    // Nothing of the killed migration remains, and the next run (once the server has noticed
    // the dead client) takes the lock and does all of it, once. Migration 2, never applied,
    // may be changed: drop its slow statement.
    p.write("2_slow.sql", "-- +up\nINSERT INTO log (n) VALUES (2);\n-- +down\nDELETE FROM log WHERE n = 2;\n");
    let out = p.run(&["apply", "--lock-timeout", "10"]);
    out.success().stdout_order(&["applied 2_slow", "applied 3_after"]).stderr_lacks("timed out");
    assert_eq!(db.ledger_versions(), [1, 2, 3]);
    assert_eq!(db.query_strings("SELECT n FROM log ORDER BY n"), ["2", "3"]);
});

backend_test!(killed_ddl_migration_is_dirty, [mysql], |db| {
    // MySQL commits DDL as it goes: the ledger must say the run died after statement 1.
    let p = slow_project(
        &db,
        &format!(
            "{}-- +up\nCREATE TABLE k1 (id INTEGER PRIMARY KEY);\n{};\nCREATE TABLE k2 (id INTEGER PRIMARY KEY);\n-- +down\nDROP TABLE k2;\nDROP TABLE k1;\n",
            db.own_dialect(),
            db.slow_sql()
        ),
    );
    kill_during_migration_2(&p);

    // The lock is free again once the server notices (no timeout), but the next apply refuses
    // to guess what the dead run did.
    p.run(&["apply", "--lock-timeout", "10"]).code(3).stderr_has("half-applied").stderr_has("2_slow").stderr_lacks("timed out");
    assert_eq!(db.ledger(), vec![(1, "applied".into()), (2, "running_up".into())]);
    assert!(db.has_table("k1") && !db.has_table("k2"), "{:?}", db.tables());
    let out = p.run(&["status"]);
    assert_eq!(out.success().status_of("2_slow"), "dirty");
    out.stdout_has("running_up").stdout_has("statement 1 ran");
});

backend_test!(status_and_verify_see_a_migration_in_progress, [postgres, mysql], |db| {
    // Progress-tracked (MySQL DDL, `-- +no-transaction` on PostgreSQL): the row says
    // `running_up` while it works. Another sqlmig holds the lock, so that is not a dead run.
    let header = match db.own_dialect() {
        "" => "-- +no-transaction\n".to_string(),
        own => own.to_string(),
    };
    let p = slow_project(
        &db,
        &format!(
            "{header}-- +up\nCREATE TABLE k1 (id INTEGER PRIMARY KEY);\n{};\n-- +down\nDROP TABLE k1;\n",
            db.slow_sql().replace("(2)", "(4)")
        ),
    );
    let running = p.spawn(&["apply"]);
    assert!(running.wait_for(Stream::Stdout, "applied 1_log", Duration::from_secs(20)), "migration 1 did not finish");
    assert!(poll(Duration::from_secs(10), || db.ledger().contains(&(2, "running_up".into()))), "{:?}", db.ledger());

    let out = p.run(&["status", "--format", "json"]);
    out.success();
    let json = out.json();
    let entry = json["migrations"].as_array().unwrap().iter().find(|m| m["version"] == 2).unwrap().clone();
    assert_eq!(entry["state"], "running", "{json:#}");
    assert_eq!(json["summary"]["running"], 1);
    assert_eq!(json["summary"]["dirty"], 0);
    p.run(&["status"]).success().stdout_has("another sqlmig is running it");
    p.run(&["status", "--exit-code"]).code(4);
    p.run(&["verify"]).success().stdout_has("verified 1 applied migration");

    running.finish().success();
    p.run(&["verify"]).success().stdout_has("verified 3 applied migrations");
});

backend_test!(a_dead_run_is_still_dirty, [mysql], |db| {
    // The same `running_up` row with nobody holding the lock is the trace of a dead run.
    let p = Project::new(&db).file("1_a.sql", &create_table("a"));
    p.run(&["apply"]).success();
    db.exec("UPDATE sqlmig_ledger SET state = 'running_up'");
    p.run(&["verify"]).code(3).stdout_has("dirty");
    assert_eq!(p.run(&["status", "--format", "json"]).json()["summary"]["dirty"], 1);
});

backend_test!(sqlite_readers_wait_no_longer_than_the_lock_timeout, [sqlite], |db| {
    let p = Project::new(&db).file("1_a.sql", &create_table("a"));
    p.run(&["apply"]).success();
    let holder = db.hold_lock();
    for command in ["status", "verify"] {
        let started = Instant::now();
        let out = p.run(&[command, "--lock-timeout", "1"]);
        let elapsed = started.elapsed();
        assert_ne!(out.code, 0, "{out}");
        out.stderr_has("locked");
        assert!(
            elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(10),
            "`{command}` gave up after {elapsed:?}"
        );
    }
    drop(holder);
    p.run(&["status", "--lock-timeout", "1"]).success();
});

#[test]
fn schema_flag_is_refused_where_there_are_no_schemas() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::new(&db).file("1_a.sql", &create_table("a"));
    p.run(&["status", "--schema", "app"]).code(2).stderr_has("a SQLite database has no schemas").stderr_lacks("MySQL");
}
