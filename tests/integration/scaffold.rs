//! `init` and `new`: creating migration files.

use pretty_assertions::assert_eq;

use crate::helpers::*;

/// The path `new`/`init` printed, checked to be one line naming an existing file.
#[track_caller]
fn printed_path(p: &Project, out: &Outcome) -> String {
    let path = out.stdout.trim().to_string();
    assert_eq!(out.stdout.trim().lines().count(), 1, "{out}");
    assert!(p.root().join(&path).is_file(), "printed path {path:?} is not a file\n{out}");
    path
}

#[test]
fn init_creates_an_example_that_applies() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::bare(&db);

    let out = p.run(&["init"]);
    out.success();
    assert_eq!(printed_path(&p, &out), "migrations/0001_create_example.sql");
    assert_eq!(p.files(), ["0001_create_example.sql", "sqlmig.sum"]);
    assert!(!db.exists(), "init touched the database");

    p.run(&["apply"]).success().stdout_has("applied 0001_create_example");
    assert!(db.has_table("example"));
    p.run(&["rollback"]).success();
    assert!(!db.has_table("example"));

    // A second init refuses and leaves the folder alone.
    p.run(&["init"]).code(2).stderr_has("already holds");
    assert_eq!(p.files(), ["0001_create_example.sql", "sqlmig.sum"]);
}

#[test]
fn new_continues_the_sequence() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::bare(&db);
    p.run(&["init"]).success();

    let out = p.run(&["new", "add_email"]);
    out.success();
    assert_eq!(printed_path(&p, &out), "migrations/0002_add_email.sql");
    let text = std::fs::read_to_string(p.migrations().join("0002_add_email.sql")).unwrap();
    assert!(text.contains("-- +up") && text.contains("-- +down"), "{text}");

    // The name is made file-name safe; `--quiet` still prints the path, the command's point.
    let out = p.run(&["--quiet", "new", "Add users' Name"]);
    assert_eq!(printed_path(&p, &out), "migrations/0003_add_users_name.sql");
    assert!(!db.exists());
}

#[test]
fn new_follows_the_versioning_scheme_in_use() {
    let db = TestDb::sqlite().unwrap();
    let is_timestamp = |path: &str| {
        let stem = path.trim_start_matches("migrations/");
        let digits: String = stem.chars().take_while(char::is_ascii_digit).collect();
        digits.len() == 14 && stem[14..].starts_with('_') && digits.starts_with("20")
    };

    // After a 14-digit version: a timestamp, later than the newest.
    let p = Project::new(&db).file("20240101120000_first.sql", &create_table("a"));
    let path = printed_path(&p, &p.run(&["new", "second"]));
    assert!(is_timestamp(&path) && path.ends_with("_second.sql"), "{path}");
    assert!(path["migrations/".len()..][..14] > *"20240101120000", "{path}");

    // `--sequential` overrides: the next number after the newest.
    let p = Project::new(&db).file("20240101120000_first.sql", &create_table("a"));
    let path = printed_path(&p, &p.run(&["new", "--sequential", "second"]));
    assert_eq!(path, "migrations/20240101120001_second.sql");

    // `--timestamp` overrides in a sequential folder.
    let p = Project::new(&db).file("0001_first.sql", &create_table("a"));
    let path = printed_path(&p, &p.run(&["new", "--timestamp", "second"]));
    assert!(is_timestamp(&path) && path.ends_with("_second.sql"), "{path}");

    // The two flags together make no sense.
    p.run(&["new", "--timestamp", "--sequential", "third"]).code(2);

    // Whatever the scheme, the new files sort after the old ones and apply in order.
    let p = Project::new(&db).file("0001_first.sql", &create_table("a"));
    p.run(&["new", "--timestamp", "second"]).success();
    let names = p.files();
    assert_eq!(names.len(), 2);
    p.write(&names[1], &create_table("b"));
    p.run(&["apply"]).success().stdout_order(&["applied 0001_first", "_second"]);
}

#[test]
fn new_without_folder_creates_it() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::bare(&db);
    let out = p.run(&["new", "first"]);
    assert_eq!(printed_path(&p, &out), "migrations/0001_first.sql");
    p.run(&["new", "!!!"]).code(2);
}
