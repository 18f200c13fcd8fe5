//! The declarative schema: `schema dump`, `diff` and `drift`, judged by the schemas the
//! databases end up with (introspected), not by the SQL text.

use pretty_assertions::assert_eq;

use crate::helpers::{Backend, Project, TestDb};

/// The demo project's migrations (the repository's `migrations` folder).
fn demo(p: &Project) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".sql") {
            p.write(&name, &std::fs::read_to_string(entry.path()).unwrap());
        }
    }
}

/// The schema of a database, introspected (sqlmig's ledger left out).
fn fingerprint(db: &TestDb) -> Vec<String> {
    let url = sqlmig::driver::DatabaseUrl::parse(db.url()).unwrap();
    let options = sqlmig::driver::ConnectOptions { create: true, ..Default::default() };
    let mut driver = sqlmig::driver::open(&url, &options).unwrap().unwrap();
    sqlmig::introspect::fingerprint(driver.as_mut(), "sqlmig_ledger").unwrap()
}

/// The schema `schema.sql` makes on an empty database of `db`'s kind, applied as a migration.
fn schema_applied_to_empty(db: &TestDb, schema: &str) -> Vec<String> {
    let empty = crate::reliability::twin(db).expect("the backend answered a moment ago");
    let p = Project::new(&empty);
    p.write("0001_schema.sql", &format!("-- +up\n{schema}"));
    p.run(&["apply"]).success();
    fingerprint(&empty)
}

fn write_schema(p: &Project, text: &str) {
    std::fs::write(p.root().join("schema.sql"), text).unwrap();
}

/// The demo schema, changed in every way `diff` covers: a new table with foreign keys, a
/// dropped column, new (one with a foreign key to its own table), widened, defaulted and
/// now-nullable columns, constraints dropped, changed and added to existing tables, indexes
/// dropped, changed and added, a changed view and a new one.
const CHANGED: &str = "
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email VARCHAR(320) NOT NULL,
    display_name TEXT,
    is_admin BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    timezone VARCHAR(64) NOT NULL DEFAULT 'UTC',
    manager_id INTEGER REFERENCES users (id),
    CONSTRAINT users_email_key UNIQUE (email)
);
CREATE INDEX users_created_at_idx ON users (created_at, id);

CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    owner_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name VARCHAR(120) NOT NULL,
    budget NUMERIC(12, 2) CHECK (budget > 0),
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT projects_owner_name_key UNIQUE (owner_id, name)
);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    assignee_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    title VARCHAR(200) NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'doing', 'done')),
    priority SMALLINT NOT NULL DEFAULT 2,
    due_date DATE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT tasks_title_key UNIQUE (project_id, title),
    CONSTRAINT tasks_priority_check CHECK (priority BETWEEN 1 AND 5)
);
CREATE INDEX tasks_project_idx ON tasks (project_id, status);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES users (id),
    body TEXT NOT NULL,
    CONSTRAINT comments_body_check CHECK (body <> '')
);
CREATE INDEX comments_task_idx ON comments (task_id);

CREATE VIEW open_tasks AS
SELECT t.id, t.title, t.status, p.name AS project
FROM tasks t JOIN projects p ON p.id = t.project_id
WHERE t.status <> 'done';

CREATE VIEW admins AS SELECT id, email FROM users WHERE is_admin;
";

backend_test!(diff_output_makes_the_database_equal_to_the_schema_file, |db| {
    let p = Project::new(&db);
    demo(&p);
    p.run(&["apply"]).success();
    let before = fingerprint(&db);
    write_schema(&p, CHANGED);
    let out = p.run(&["diff", "reshape", "--allow-destructive"]);
    out.success().stdout_has("0006_reshape.sql");
    let text = std::fs::read_to_string(p.migrations().join("0006_reshape.sql")).unwrap();
    assert!(text.contains("DROP COLUMN description"), "{text}");
    p.run(&["apply"]).success();
    assert_eq!(fingerprint(&db), schema_applied_to_empty(&db, CHANGED), "{text}");
    // The migrations now produce the schema file.
    p.run(&["diff", "again"]).success().stdout_has("no changes");
    // The down section reverses it.
    p.run(&["rollback"]).success();
    assert_eq!(fingerprint(&db), before, "{text}");
});

backend_test!(dump_applied_to_an_empty_database_equals_the_migrations, |db| {
    let p = Project::new(&db);
    demo(&p);
    p.run(&["apply"]).success();
    p.run(&["schema", "dump", "--out", "schema.sql"]).success().stdout_has("3 tables, 3 indexes, 1 view");
    let dump = std::fs::read_to_string(p.root().join("schema.sql")).unwrap();
    assert_eq!(schema_applied_to_empty(&db, &dump), fingerprint(&db), "{dump}");
    // Deterministic, and the round trip has nothing to do.
    let again = p.run(&["schema", "dump"]);
    again.success();
    assert_eq!(again.stdout, dump);
    p.run(&["diff", "nothing"]).success().stdout_has("no changes");
    assert_eq!(p.files().iter().filter(|f| f.ends_with(".sql")).count(), 5);
});

backend_test!(renames_keep_their_data, |db| {
    let p = Project::new(&db);
    p.write(
        "0001_people.sql",
        "-- +up\nCREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\n\
         CREATE INDEX people_name_idx ON people (name);\n\
         INSERT INTO people (id, name) VALUES (1, 'Ada');\n-- +down\nDROP TABLE people;\n",
    );
    p.run(&["apply"]).success();
    let schema = "CREATE TABLE persons (id INTEGER PRIMARY KEY, full_name VARCHAR(50) NOT NULL);\n\
                  CREATE INDEX people_name_idx ON persons (full_name);\n";
    write_schema(&p, schema);
    // Without --rename it is a drop and a create, which says so and fails lint.
    p.run(&["diff", "guess"]).success().stderr_has("can lose data");
    let guessed = std::fs::read_to_string(p.migrations().join("0002_guess.sql")).unwrap();
    assert!(guessed.contains("if this is a rename, generate again with --rename `people:persons`"), "{guessed}");
    p.run(&["lint"]).code(1).stdout_has("drop-table");
    p.remove("0002_guess.sql");

    p.run(&["diff", "rename", "--rename", "people:persons", "--rename", "persons.name:full_name"]).success();
    let text = std::fs::read_to_string(p.migrations().join("0002_rename.sql")).unwrap();
    assert!(text.contains("ALTER TABLE people RENAME TO persons") && !text.contains("DROP TABLE"), "{text}");
    p.run(&["apply"]).success();
    assert_eq!(db.query_strings("SELECT full_name FROM persons"), ["Ada"]);
    assert_eq!(fingerprint(&db), schema_applied_to_empty(&db, schema), "{text}");
    p.run(&["rollback"]).success();
    assert_eq!(db.query_strings("SELECT name FROM people"), ["Ada"]);
});

#[test]
fn destructive_steps_fail_lint_unless_allowed() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::new(&db);
    p.write(
        "0001_t.sql",
        "-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY, a VARCHAR(20), b TEXT);\nCREATE TABLE gone (id INTEGER PRIMARY KEY);\n\
         -- +down\nDROP TABLE gone;\nDROP TABLE t;\n",
    );
    write_schema(&p, "CREATE TABLE t (id INTEGER PRIMARY KEY, a VARCHAR(10));");
    p.run(&["diff", "shrink"]).success().stderr_has("3 statements");
    let out = p.run(&["lint"]);
    out.code(1).stdout_has("drop-table").stdout_has("drop-column").stdout_has("narrowing-type-change");
    p.remove("0002_shrink.sql");
    p.run(&["diff", "shrink", "--allow-destructive"]).success().stderr_lacks("can lose data");
    let text = std::fs::read_to_string(p.migrations().join("0002_shrink.sql")).unwrap();
    assert!(text.contains("-- sqlmig:allow drop-table"), "{text}");
    p.run(&["lint"]).success().stdout_lacks("error[");
}

#[test]
fn bad_input_is_located_and_writes_nothing() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::new(&db).file("0001_t.sql", "-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY);\n-- +down\nDROP TABLE t;\n");
    write_schema(&p, "CREATE TABLE t (id INTEGER PRIMARY KEY);\nCREATE TABLE u (id INTEGER PRIMARY KEY,, x);\n");
    p.run(&["diff", "broken"]).code(2).stderr_has("schema.sql:2:");
    write_schema(&p, "CREATE TABLE t2 (id INTEGER PRIMARY KEY);\n");
    p.run(&["diff", "r", "--rename", "nope:t2"]).code(2).stderr_has("no table `nope`");
    p.run(&["diff", "r", "--rename", "bad"]).code(2).stderr_has("OLD:NEW");
    p.run(&["diff", "r", "--schema-file", "missing.sql"]).code(2).stderr_has("does not exist");
    p.run(&["diff", "r", "--schema", "schema.sql"]).code(2).stderr_has("--schema-file schema.sql");
    assert_eq!(p.files(), ["0001_t.sql"]);
    assert!(!db.exists(), "diff needs no database");
}

/// Change a column's type by hand, as someone might in production.
fn change_type_by_hand(db: &TestDb) {
    match db.backend() {
        Backend::Postgres => db.exec("ALTER TABLE tasks ALTER COLUMN priority TYPE INTEGER"),
        Backend::Mysql => db.exec("ALTER TABLE tasks MODIFY COLUMN priority INTEGER NOT NULL DEFAULT 2"),
        Backend::Sqlite => {
            // SQLite cannot change a type in place: edit the stored definition.
            db.exec(
                "PRAGMA writable_schema = ON; \
                 UPDATE sqlite_master SET sql = replace(sql, 'priority SMALLINT', 'priority BIGINT') WHERE name = 'tasks'; \
                 PRAGMA writable_schema = OFF;",
            )
        }
    }
}

backend_test!(drift_reports_hand_made_changes, |db| {
    let p = Project::new(&db);
    demo(&p);
    p.run(&["apply"]).success();
    p.run(&["drift"]).success().stdout_has("no drift");
    db.exec("CREATE INDEX tasks_title_idx ON tasks (title)");
    let out = p.run(&["drift"]);
    out.code(3).stdout_has("tasks_title_idx").stdout_has("not made by the migrations");
    let json = p.run(&["drift", "--format", "json"]).json();
    assert_eq!(json["exit_code"], 3);
    assert_eq!(json["differences"].as_array().unwrap().len(), 1, "{json}");
    db.exec(
        "DROP INDEX tasks_title_idx".replace("idx", if db.backend() == Backend::Mysql { "idx ON tasks" } else { "idx" }).as_str(),
    );
    p.run(&["drift"]).success();
    change_type_by_hand(&db);
    p.run(&["drift"]).code(3).stdout_has("column tasks.priority");
    // Only applied migrations count: a pending one is not drift.
    p.write("0006_more.sql", "-- +up\nCREATE TABLE more (id INTEGER PRIMARY KEY);\n-- +down\nDROP TABLE more;\n");
    p.run(&["drift"]).code(3).stdout_lacks("more");
});

backend_test!(live_dump_reads_the_database_back, |db| {
    let p = Project::new(&db);
    demo(&p);
    p.run(&["apply"]).success();
    db.exec("CREATE INDEX tasks_title_idx ON tasks (title)");
    let out = p.run(&["schema", "dump", "--live", "--out", "live.sql"]);
    out.success().stdout_has("3 tables, 4 indexes, 1 view");
    let live = std::fs::read_to_string(p.root().join("live.sql")).unwrap();
    assert!(live.contains("CREATE INDEX tasks_title_idx ON tasks(title)") && !live.contains("sqlmig_ledger"), "{live}");
    // Read back, it makes the same schema on an empty database of the same kind. PostgreSQL
    // stores a CHECK as its own deparsed expression (`status IN (...)` becomes `= ANY
    // (ARRAY[...])`), and deparses that form differently again: there, checks are compared
    // by table and name.
    let names_only = |lines: Vec<String>| -> Vec<String> {
        lines
            .into_iter()
            .map(|l| {
                if db.backend() == Backend::Postgres && l.starts_with("check ") {
                    l.splitn(3, ' ').take(2).collect::<Vec<_>>().join(" ")
                } else {
                    l
                }
            })
            .collect()
    };
    assert_eq!(names_only(schema_applied_to_empty(&db, &live)), names_only(fingerprint(&db)), "{live}");
});

#[test]
fn diff_from_no_migrations_passes_sqlmig_test() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::new(&db);
    write_schema(&p, CHANGED);
    let json = p.run(&["diff", "initial", "--format", "json"]).json();
    assert_eq!(json["created"], "migrations/0001_initial.sql");
    assert_eq!(json["destructive"].as_array().unwrap().len(), 0, "{json}");
    assert!(json["up"][0].as_str().unwrap().starts_with("CREATE TABLE users"), "referenced tables first: {json}");
    // Down drops views first and referenced tables last (their indexes go with them).
    assert_eq!(json["down"][0], "DROP VIEW open_tasks", "{json}");
    assert_eq!(json["down"].as_array().unwrap().last().unwrap(), "DROP TABLE users", "{json}");
    // Up, down, up again on a scratch database: the down section undoes the up section.
    p.run(&["test"]).success().stdout_has("1 migration passed");
    p.run(&["lint"]).success();
    write_schema(&p, "CREATE TABLE t (id INTEGER PRIMARY KEY);\nINSERT INTO t VALUES (1);\n");
    p.run(&["diff", "data"]).code(2).stderr_has("schema.sql:2:1").stderr_has("changes rows");
}

backend_test!(a_new_primary_key_keeps_the_foreign_keys_that_use_it, |db| {
    let p = Project::new(&db);
    p.write(
        "0001_ab.sql",
        "-- +up\nCREATE TABLE a (id INTEGER PRIMARY KEY, k INTEGER NOT NULL);\n\
         CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));\n\
         INSERT INTO a VALUES (1, 10);\nINSERT INTO b VALUES (1, 1);\n-- +down\nDROP TABLE b;\nDROP TABLE a;\n",
    );
    p.run(&["apply"]).success();
    let before = fingerprint(&db);
    let schema = "CREATE TABLE a (id INTEGER NOT NULL UNIQUE, k INTEGER NOT NULL, PRIMARY KEY (id, k));\n\
                  CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));\n";
    write_schema(&p, schema);
    p.run(&["diff", "rekey"]).success();
    let text = std::fs::read_to_string(p.migrations().join("0002_rekey.sql")).unwrap();
    p.run(&["apply"]).success();
    assert_eq!(fingerprint(&db), schema_applied_to_empty(&db, schema), "{text}");
    assert_eq!(db.query_i64("SELECT count(*) FROM b JOIN a ON a.id = b.a_id"), 1);
    p.run(&["rollback"]).success();
    // Made again by a SQLite rebuild, a primary key's column is NOT NULL in so many words, as
    // PostgreSQL makes it; `pragma table_info` tells that from the implicit form, which for an
    // INTEGER PRIMARY KEY (the rowid) means the same.
    let key_nulls = |lines: Vec<String>| -> Vec<String> {
        lines.into_iter().map(|l| if l.ends_with(" pk=1") { l.replace("notnull=1", "notnull=0") } else { l }).collect()
    };
    if db.backend() == Backend::Sqlite {
        assert_eq!(key_nulls(fingerprint(&db)), key_nulls(before), "{text}");
    } else {
        assert_eq!(fingerprint(&db), before, "{text}");
    }
});
