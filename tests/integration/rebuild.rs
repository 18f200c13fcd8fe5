//! SQLite table rebuilds: the ALTER TABLE forms SQLite cannot run natively, carried out as
//! the documented copy-and-swap, through the binary on real database files with data. Each
//! result is compared with a table created directly in its final shape, through SQLite's
//! own description of it (pragmas, index and trigger definitions, rows), never through the
//! text of its CREATE statement.

use std::path::PathBuf;

use pretty_assertions::assert_eq;
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use crate::helpers::*;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn sqlite_db() -> TestDb {
    TestDb::sqlite().expect("SQLite is always available")
}

fn path(db: &TestDb) -> PathBuf {
    PathBuf::from(db.url().strip_prefix("sqlite://").expect("a SQLite URL"))
}

fn open(db: &TestDb) -> Connection {
    Connection::open(path(db)).expect("open the test database")
}

/// A database created directly by `sql`, to compare a rebuilt one with.
fn direct(sql: &str) -> TestDb {
    let db = sqlite_db();
    db.exec(sql);
    db
}

fn q(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// SQL with blanks and double quotes removed: what SQLite's own rewriting of a definition
/// (renamed columns come back quoted) and a hand-written one have in common.
fn squash(sql: &str) -> String {
    sql.chars().filter(|c| !c.is_whitespace() && *c != '"').collect()
}

fn render(v: ValueRef) -> String {
    match v {
        ValueRef::Null => "NULL".into(),
        ValueRef::Integer(i) => format!("int {i}"),
        ValueRef::Real(f) => format!("real {f:?}"),
        ValueRef::Text(t) => format!("text {:?}", String::from_utf8_lossy(t)),
        ValueRef::Blob(b) => format!("blob {b:02x?}"),
    }
}

/// The first column of every row of a query, as plain text.
fn texts(c: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = c.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    stmt.query_map([], |r| r.get::<_, Option<String>>(0)).unwrap().map(|r| r.unwrap().unwrap_or_default()).collect()
}

/// Every row of a query, each value with its storage class.
fn rows(c: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = c.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let n = stmt.column_count();
    let mut out = Vec::new();
    let mut rs = stmt.query([]).unwrap();
    while let Some(r) = rs.next().unwrap() {
        out.push((0..n).map(|i| render(r.get_ref(i).unwrap())).collect::<Vec<_>>().join(" | "));
    }
    out
}

/// The CHECK expressions of a CREATE TABLE statement, squashed: SQLite has no pragma for
/// them.
fn checks(sql: &str) -> Vec<String> {
    let upper = sql.to_uppercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = upper[from..].find("CHECK") {
        let start = from + p;
        from = start + 5;
        let before_ok = start == 0 || !upper.as_bytes()[start - 1].is_ascii_alphanumeric();
        let rest = sql[from..].trim_start();
        if !before_ok || !rest.starts_with('(') {
            continue;
        }
        let mut depth = 0;
        for (i, ch) in rest.char_indices() {
            match ch {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        out.push(squash(&rest[..=i]));
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    out.sort();
    out
}

/// What SQLite says about one table.
#[derive(Debug, PartialEq)]
struct TableShape {
    name: String,
    /// `PRAGMA table_list`: WITHOUT ROWID and STRICT.
    options: String,
    /// `PRAGMA table_xinfo`, each column with its collation.
    columns: Vec<String>,
    /// `PRAGMA index_list` and `index_xinfo`, and the definition of explicit indexes;
    /// automatic ones are named by what they are.
    indexes: Vec<String>,
    /// `PRAGMA foreign_key_list`, without the constraint numbers.
    foreign_keys: Vec<String>,
    checks: Vec<String>,
    /// The AUTOINCREMENT counter.
    sequence: Option<i64>,
    /// Every row, with its rowid when the table has one.
    rows: Vec<String>,
}

#[derive(Debug, PartialEq)]
struct Shape {
    tables: Vec<TableShape>,
    triggers: Vec<String>,
    views: Vec<String>,
}

fn table_shape(c: &Connection, t: &str) -> TableShape {
    let lit = t.replace('\'', "''");
    let options = rows(c, &format!("SELECT wr, strict FROM pragma_table_list WHERE schema = 'main' AND name = '{lit}'"));
    let columns =
        rows(c, &format!("SELECT cid, name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo('{lit}')"));
    // A column's collation shows in an index on it.
    let names: Vec<String> = c
        .prepare(&format!("SELECT name FROM pragma_table_xinfo('{lit}') ORDER BY cid"))
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    c.execute_batch("BEGIN").unwrap();
    let columns: Vec<String> = columns
        .into_iter()
        .zip(&names)
        .map(|(row, name)| {
            c.execute_batch(&format!("CREATE INDEX sqlmig_probe ON {} ({})", q(t), q(name))).unwrap();
            let coll = rows(c, "SELECT coll FROM pragma_index_xinfo('sqlmig_probe') WHERE cid >= 0");
            c.execute_batch("DROP INDEX sqlmig_probe").unwrap();
            format!("{row} | collate {}", coll.join(""))
        })
        .collect();
    c.execute_batch("ROLLBACK").unwrap();
    let mut indexes = Vec::new();
    let list: Vec<(String, i64, String, i64)> = c
        .prepare(&format!("SELECT name, \"unique\", origin, partial FROM pragma_index_list('{lit}')"))
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (name, unique, origin, partial) in list {
        let cols = rows(
            c,
            &format!("SELECT seqno, cid, name, \"desc\", coll, key FROM pragma_index_xinfo('{}')", name.replace('\'', "''")),
        );
        let sql = texts(c, &format!("SELECT sql FROM sqlite_master WHERE name = '{}'", name.replace('\'', "''")));
        let shown = if origin == "c" { name } else { format!("(automatic {origin})") };
        indexes.push(format!("{shown} unique={unique} partial={partial} [{}] {}", cols.join("; "), squash(&sql.join(""))));
    }
    indexes.sort();
    let mut foreign_keys = rows(
        c,
        &format!("SELECT seq, \"table\", \"from\", \"to\", on_update, on_delete, match FROM pragma_foreign_key_list('{lit}')"),
    );
    foreign_keys.sort();
    let sql: String = c.query_row("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1", [t], |r| r.get(0)).unwrap();
    let has_sequence =
        c.query_row("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'", [], |r| r.get::<_, i64>(0)).unwrap() > 0;
    let sequence =
        if has_sequence { c.query_row("SELECT seq FROM sqlite_sequence WHERE name = ?1", [t], |r| r.get(0)).ok() } else { None };
    let without_rowid = options.first().is_some_and(|o| o.starts_with("int 1"));
    let rows = if without_rowid {
        let order: Vec<String> = (1..=names.len()).map(|i| i.to_string()).collect();
        rows(c, &format!("SELECT * FROM {} ORDER BY {}", q(t), order.join(", ")))
    } else {
        rows(c, &format!("SELECT rowid, * FROM {} ORDER BY rowid", q(t)))
    };
    TableShape {
        name: t.to_string(),
        options: options.join(""),
        columns,
        indexes,
        foreign_keys,
        checks: checks(&sql),
        sequence,
        rows,
    }
}

/// Every user table (not the ledger's), trigger and view.
fn shape(db: &TestDb) -> Shape {
    let c = open(db);
    let tables: Vec<String> = c
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             AND name NOT IN ('sqlmig_ledger', 'sqlmig_ledger_schema') ORDER BY name",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let objects = |kind: &str| -> Vec<String> {
        texts(
            &c,
            &format!("SELECT name || ' on ' || tbl_name || ': ' || sql FROM sqlite_master WHERE type = '{kind}' ORDER BY name"),
        )
        .iter()
        .map(|r| squash(r))
        .collect()
    };
    Shape { tables: tables.iter().map(|t| table_shape(&c, t)).collect(), triggers: objects("trigger"), views: objects("view") }
}

#[track_caller]
fn assert_same(actual: &TestDb, expected: &TestDb) {
    assert_eq!(shape(actual), shape(expected));
}

/// `integrity_check` and `foreign_key_check` clean, and no copy left behind.
#[track_caller]
fn assert_healthy(db: &TestDb) {
    let c = open(db);
    assert_eq!(rows(&c, "PRAGMA integrity_check"), ["text \"ok\""]);
    assert_eq!(rows(&c, "PRAGMA foreign_key_check"), Vec::<String>::new());
    assert_eq!(rows(&c, "SELECT name FROM sqlite_master WHERE name LIKE 'sqlmig_new%'"), Vec::<String>::new());
}

/// `apply` refuses, says `needles`, and leaves the database file byte for byte as it was.
#[track_caller]
fn refused(p: &Project, db: &TestDb, needles: &[&str]) -> Outcome {
    let before = std::fs::read(path(db)).unwrap();
    let out = p.run(&["apply"]);
    out.code(1);
    for n in needles {
        out.stderr_has(n);
    }
    let after = std::fs::read(path(db)).unwrap();
    assert!(before == after, "the refused migration changed the database file\n{out}");
    out
}

/// How many tables a dry run rebuilds.
fn rebuilds(out: &Outcome) -> usize {
    out.stdout.matches("CREATE TABLE \"sqlmig_new_").count()
}

// ---------------------------------------------------------------------------------------
// The schema most tests start from, written for PostgreSQL as users write it
// ---------------------------------------------------------------------------------------

const BASE: &str = "\
-- +up
CREATE TABLE users (
    id SERIAL PRIMARY KEY,
    email VARCHAR(120) NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT 'anon',
    age INTEGER CHECK (age >= 0),
    score NUMERIC(10,2),
    big BIGINT,
    CONSTRAINT users_score_check CHECK (score >= 0)
);
CREATE INDEX users_name_idx ON users (name);
CREATE TABLE posts (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title TEXT NOT NULL
);
CREATE TABLE tags (name VARCHAR(40), label TEXT);
INSERT INTO users (email, name, age, score, big) VALUES
    ('ann@example.org', 'Ann', 31, 1.5, 9007199254740993),
    ('bob@example.org', 'Bob', NULL, 2, 5),
    ('cy@example.org', 'Cy', 40, NULL, -1),
    ('di@example.org', 'Di', NULL, 3.25, 0),
    ('eve@example.org', 'Eve', 22, 0, 7);
DELETE FROM users WHERE id = 5;
INSERT INTO posts (user_id, title) VALUES (1, 'hello'), (2, 'hi'), (1, 'again');
INSERT INTO tags (name, label) VALUES ('a', 'A'), ('b', 'B'), ('c', 'C');
DELETE FROM tags WHERE name = 'b';
-- +down
DROP TABLE tags;
DROP TABLE posts;
DROP TABLE users;
";

/// The values of the base rows, by column (inserted in this order, then user 5 and tag `b`
/// deleted, so there are gaps in the ids, the rowids and the AUTOINCREMENT counter).
fn data(table: &str, column: &str) -> &'static [&'static str] {
    match (table, column) {
        ("users", "id") => &["1", "2", "3", "4", "5"],
        ("users", "email") => {
            &["'ann@example.org'", "'bob@example.org'", "'cy@example.org'", "'di@example.org'", "'eve@example.org'"]
        }
        ("users", "name" | "full_name") => &["'Ann'", "'Bob'", "'Cy'", "'Di'", "'Eve'"],
        ("users", "age") => &["31", "NULL", "40", "NULL", "22"],
        ("users", "score") => &["1.5", "2", "NULL", "3.25", "0"],
        ("users", "big") => &["9007199254740993", "5", "-1", "0", "7"],
        ("posts", "id") => &["1", "2", "3"],
        ("posts", "user_id") => &["1", "2", "1"],
        ("posts", "title") => &["'hello'", "'hi'", "'again'"],
        ("tags", "name") => &["'a'", "'b'", "'c'"],
        ("tags", "label") => &["'A'", "'B'", "'C'"],
        _ => panic!("no data for {table}.{column}"),
    }
}

/// The base schema in SQLite, created directly: what each case changes.
#[derive(Clone, Copy)]
struct Expected {
    users: &'static str,
    users_columns: &'static [&'static str],
    indexes: &'static str,
    posts: &'static str,
    posts_columns: &'static [&'static str],
    tags: &'static str,
}

const EXPECTED: Expected = Expected {
    users: "id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(120) NOT NULL UNIQUE, name TEXT NOT NULL DEFAULT 'anon', \
            age INTEGER CHECK (age >= 0), score NUMERIC(10,2), big BIGINT, CONSTRAINT users_score_check CHECK (score >= 0)",
    users_columns: &["id", "email", "name", "age", "score", "big"],
    indexes: "CREATE INDEX users_name_idx ON users (name);",
    posts: "id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, title TEXT NOT NULL",
    posts_columns: &["id", "user_id", "title"],
    tags: "name VARCHAR(40), label TEXT",
};

impl Expected {
    fn sql(&self) -> String {
        let insert = |table: &str, columns: &[&str], n: usize| {
            let values: Vec<String> = (0..n)
                .map(|i| format!("({})", columns.iter().map(|c| data(table, c)[i]).collect::<Vec<_>>().join(", ")))
                .collect();
            format!("INSERT INTO {table} ({}) VALUES {};\n", columns.join(", "), values.join(", "))
        };
        format!(
            "CREATE TABLE users ({});\n{}\nCREATE TABLE posts ({});\nCREATE TABLE tags ({});\n{}DELETE FROM users WHERE id = 5;\n{}{}DELETE FROM tags WHERE name = 'b';\n",
            self.users,
            self.indexes,
            self.posts,
            self.tags,
            insert("users", self.users_columns, 5),
            insert("posts", self.posts_columns, 3),
            insert("tags", &["name", "label"], 3),
        )
    }
}

/// One ALTER TABLE form: the migration, what the schema must look like after it, and whether
/// its down section brings back the original table, data included.
struct Case {
    name: &'static str,
    up: &'static str,
    down: &'static str,
    expected: Expected,
    /// Tables the dry run shows rebuilt (0: SQLite runs it natively).
    rebuilds: usize,
    restores: bool,
}

fn run_case(case: &Case) {
    let db = sqlite_db();
    let p = Project::new(&db)
        .file("1_base.sql", BASE)
        .file("2_change.sql", &format!("-- +up\n{}\n-- +down\n{}\n", case.up, case.down));
    p.run(&["apply", "--steps", "1"]).success();
    let original = shape(&db);

    let dry = p.run(&["apply", "--dry-run"]);
    dry.success();
    assert_eq!(rebuilds(&dry), case.rebuilds, "{}: rebuilds in the dry run\n{dry}", case.name);
    if case.rebuilds == 0 {
        dry.stdout_has("ALTER TABLE");
    }

    p.run(&["apply"]).success();
    assert_healthy(&db);
    let expected = direct(&case.expected.sql());
    assert_eq!(shape(&db), shape(&expected), "{}: after the up section", case.name);

    p.run(&["rollback"]).success();
    assert_healthy(&db);
    if case.restores {
        assert_eq!(shape(&db), original, "{}: after the down section", case.name);
    }
}

// ---------------------------------------------------------------------------------------
// Each ALTER form
// ---------------------------------------------------------------------------------------

#[test]
fn the_base_schema_is_what_the_cases_start_from() {
    let db = sqlite_db();
    Project::new(&db).file("1_base.sql", BASE).run(&["apply"]).success();
    assert_same(&db, &direct(&EXPECTED.sql()));
}

#[test]
fn alter_column_type() {
    run_case(&Case {
        name: "type",
        up: "ALTER TABLE users ALTER COLUMN age TYPE BIGINT;\nALTER TABLE users ALTER COLUMN name TYPE VARCHAR(60);\n\
             ALTER TABLE users ALTER COLUMN score TYPE TEXT;",
        down: "ALTER TABLE users ALTER COLUMN age TYPE INTEGER;\nALTER TABLE users ALTER COLUMN name TYPE TEXT;\n\
               ALTER TABLE users ALTER COLUMN score TYPE NUMERIC(10,2);",
        expected: Expected {
            users: "id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(120) NOT NULL UNIQUE, name VARCHAR(60) NOT NULL DEFAULT 'anon', \
                    age BIGINT CHECK (age >= 0), score TEXT, big BIGINT, CONSTRAINT users_score_check CHECK (score >= 0)",
            ..EXPECTED
        },
        rebuilds: 1,
        restores: true,
    });
}

#[test]
fn alter_column_type_of_the_integer_primary_key_keeps_the_rowid_alias() {
    // INTEGER PRIMARY KEY is SQLite's 64-bit rowid already: `TYPE BIGINT` keeps it, and with
    // it AUTOINCREMENT and the foreign keys that reference it.
    run_case(&Case {
        name: "type of id",
        up: "ALTER TABLE users ALTER COLUMN id TYPE BIGINT;",
        down: "ALTER TABLE users ALTER COLUMN id TYPE INTEGER;",
        expected: EXPECTED,
        rebuilds: 1,
        restores: true,
    });
}

#[test]
fn set_not_null() {
    run_case(&Case {
        name: "set not null",
        up: "ALTER TABLE users ALTER COLUMN big SET NOT NULL;",
        down: "ALTER TABLE users ALTER COLUMN big DROP NOT NULL;",
        expected: Expected {
            users: "id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(120) NOT NULL UNIQUE, name TEXT NOT NULL DEFAULT 'anon', \
                    age INTEGER CHECK (age >= 0), score NUMERIC(10,2), big BIGINT NOT NULL, CONSTRAINT users_score_check CHECK (score >= 0)",
            ..EXPECTED
        },
        rebuilds: 1,
        restores: true,
    });
}

#[test]
fn drop_not_null() {
    run_case(&Case {
        name: "drop not null",
        up: "ALTER TABLE users ALTER COLUMN name DROP NOT NULL;",
        down: "ALTER TABLE users ALTER COLUMN name SET NOT NULL;",
        expected: Expected {
            users: "id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(120) NOT NULL UNIQUE, name TEXT DEFAULT 'anon', \
                    age INTEGER CHECK (age >= 0), score NUMERIC(10,2), big BIGINT, CONSTRAINT users_score_check CHECK (score >= 0)",
            ..EXPECTED
        },
        rebuilds: 1,
        restores: true,
    });
}

#[test]
fn set_and_drop_default() {
    run_case(&Case {
        name: "defaults",
        up: "ALTER TABLE users ALTER COLUMN score SET DEFAULT 0;\nALTER TABLE users ALTER COLUMN name DROP DEFAULT;",
        down: "ALTER TABLE users ALTER COLUMN score DROP DEFAULT;\nALTER TABLE users ALTER COLUMN name SET DEFAULT 'anon';",
        expected: Expected {
            users: "id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(120) NOT NULL UNIQUE, name TEXT NOT NULL, \
                    age INTEGER CHECK (age >= 0), score NUMERIC(10,2) DEFAULT 0, big BIGINT, CONSTRAINT users_score_check CHECK (score >= 0)",
            ..EXPECTED
        },
        rebuilds: 1,
        restores: true,
    });
}

#[test]
fn set_default_to_an_expression() {
    run_case(&Case {
        name: "default expression",
        up: "ALTER TABLE users ALTER COLUMN name SET DEFAULT upper('anon');",
        down: "ALTER TABLE users ALTER COLUMN name SET DEFAULT 'anon';",
        expected: Expected {
            users: "id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(120) NOT NULL UNIQUE, name TEXT NOT NULL DEFAULT (upper('anon')), \
                    age INTEGER CHECK (age >= 0), score NUMERIC(10,2), big BIGINT, CONSTRAINT users_score_check CHECK (score >= 0)",
            ..EXPECTED
        },
        rebuilds: 1,
        restores: true,
    });
}

#[test]
fn add_unique_constraint() {
    run_case(&Case {
        name: "unique",
        up: "ALTER TABLE users ADD CONSTRAINT users_name_key UNIQUE (name);",
        down: "ALTER TABLE users DROP CONSTRAINT users_name_key;",
        expected: Expected { users: concat_users(", CONSTRAINT users_name_key UNIQUE (name)"), ..EXPECTED },
        rebuilds: 1,
        restores: true,
    });
}

/// The base users definition with something appended.
fn concat_users(tail: &str) -> &'static str {
    Box::leak(format!("{}{tail}", EXPECTED.users).into_boxed_str())
}

#[test]
fn add_check_constraint_and_drop_it_by_its_postgres_name() {
    // Unnamed, it is `users_age_check1` on PostgreSQL: the column's own CHECK has the name
    // without a number.
    run_case(&Case {
        name: "check",
        up: "ALTER TABLE users ADD CHECK (age < 150);",
        down: "ALTER TABLE users DROP CONSTRAINT users_age_check1;",
        expected: Expected { users: concat_users(", CHECK (age < 150)"), ..EXPECTED },
        rebuilds: 1,
        restores: true,
    });
}

#[test]
fn add_foreign_key_constraint() {
    // A self-reference, added with the column it constrains: one rebuild for both.
    run_case(&Case {
        name: "foreign key",
        up: "ALTER TABLE users ADD COLUMN referrer_id INTEGER;\n\
             ALTER TABLE users ADD CONSTRAINT users_referrer_fk FOREIGN KEY (referrer_id) REFERENCES users (id) ON DELETE SET NULL;",
        down: "ALTER TABLE users DROP CONSTRAINT users_referrer_fk;\nALTER TABLE users DROP COLUMN referrer_id;",
        expected: Expected {
            users: "id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(120) NOT NULL UNIQUE, name TEXT NOT NULL DEFAULT 'anon', \
                    age INTEGER CHECK (age >= 0), score NUMERIC(10,2), big BIGINT, referrer_id INTEGER, \
                    CONSTRAINT users_score_check CHECK (score >= 0), \
                    CONSTRAINT users_referrer_fk FOREIGN KEY (referrer_id) REFERENCES users (id) ON DELETE SET NULL",
            ..EXPECTED
        },
        rebuilds: 1,
        restores: true,
    });
}

#[test]
fn add_primary_key_makes_its_columns_not_null_and_keeps_rowids() {
    run_case(&Case {
        name: "primary key",
        up: "ALTER TABLE tags ADD PRIMARY KEY (name);",
        down: "ALTER TABLE tags DROP CONSTRAINT tags_pkey;\nALTER TABLE tags ALTER COLUMN name DROP NOT NULL;",
        expected: Expected { tags: "name VARCHAR(40) NOT NULL, label TEXT, PRIMARY KEY (name)", ..EXPECTED },
        rebuilds: 1,
        restores: true,
    });
}

#[test]
fn drop_constraints_by_name_and_by_postgres_default_name() {
    run_case(&Case {
        name: "drop constraint",
        up: "ALTER TABLE users DROP CONSTRAINT users_age_check;\nALTER TABLE users DROP CONSTRAINT users_score_check;\n\
             ALTER TABLE users DROP CONSTRAINT users_email_key;",
        down: "ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age >= 0);\n\
               ALTER TABLE users ADD CONSTRAINT users_score_check CHECK (score >= 0);\n\
               ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
        expected: Expected {
            users: "id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(120) NOT NULL, name TEXT NOT NULL DEFAULT 'anon', \
                    age INTEGER, score NUMERIC(10,2), big BIGINT",
            ..EXPECTED
        },
        rebuilds: 1,
        restores: true,
    });
}

#[test]
fn drop_indexed_column_drops_its_index() {
    run_case(&Case {
        name: "drop indexed column",
        up: "ALTER TABLE users DROP COLUMN name;",
        down: "ALTER TABLE users ADD COLUMN name TEXT NOT NULL DEFAULT 'anon';\nCREATE INDEX users_name_idx ON users (name);",
        expected: Expected {
            users: "id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(120) NOT NULL UNIQUE, \
                    age INTEGER CHECK (age >= 0), score NUMERIC(10,2), big BIGINT, CONSTRAINT users_score_check CHECK (score >= 0)",
            users_columns: &["id", "email", "age", "score", "big"],
            indexes: "",
            ..EXPECTED
        },
        rebuilds: 1,
        restores: false,
    });
}

#[test]
fn drop_unique_column() {
    run_case(&Case {
        name: "drop unique column",
        up: "ALTER TABLE users DROP COLUMN email;",
        down: "ALTER TABLE users ADD COLUMN email VARCHAR(120) UNIQUE;",
        expected: Expected {
            users: "id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL DEFAULT 'anon', \
                    age INTEGER CHECK (age >= 0), score NUMERIC(10,2), big BIGINT, CONSTRAINT users_score_check CHECK (score >= 0)",
            users_columns: &["id", "name", "age", "score", "big"],
            ..EXPECTED
        },
        rebuilds: 1,
        restores: false,
    });
}

#[test]
fn drop_column_of_a_foreign_key() {
    run_case(&Case {
        name: "drop foreign key column",
        up: "ALTER TABLE posts DROP COLUMN user_id;",
        down: "ALTER TABLE posts ADD COLUMN user_id INTEGER REFERENCES users (id) ON DELETE CASCADE;",
        expected: Expected {
            posts: "id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL",
            posts_columns: &["id", "title"],
            ..EXPECTED
        },
        rebuilds: 1,
        restores: false,
    });
}

#[test]
fn drop_column_used_by_a_check_drops_the_check() {
    run_case(&Case {
        name: "drop checked column",
        up: "ALTER TABLE users DROP COLUMN score;",
        down: "ALTER TABLE users ADD COLUMN score NUMERIC(10,2);",
        expected: Expected {
            users:
                "id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(120) NOT NULL UNIQUE, name TEXT NOT NULL DEFAULT 'anon', \
                    age INTEGER CHECK (age >= 0), big BIGINT",
            users_columns: &["id", "email", "name", "age", "big"],
            ..EXPECTED
        },
        rebuilds: 1,
        restores: false,
    });
}

#[test]
fn drop_plain_column_stays_native() {
    run_case(&Case {
        name: "drop plain column",
        up: "ALTER TABLE users DROP COLUMN big;",
        down: "ALTER TABLE users ADD COLUMN big BIGINT;",
        expected: Expected {
            users:
                "id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(120) NOT NULL UNIQUE, name TEXT NOT NULL DEFAULT 'anon', \
                    age INTEGER CHECK (age >= 0), score NUMERIC(10,2), CONSTRAINT users_score_check CHECK (score >= 0)",
            users_columns: &["id", "email", "name", "age", "score"],
            ..EXPECTED
        },
        rebuilds: 0,
        restores: false,
    });
}

#[test]
fn add_plain_column_stays_native() {
    run_case(&Case {
        name: "add plain column",
        up: "ALTER TABLE users ADD COLUMN nickname VARCHAR(30) DEFAULT 'none';",
        down: "ALTER TABLE users DROP COLUMN nickname;",
        expected: Expected {
            users:
                "id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(120) NOT NULL UNIQUE, name TEXT NOT NULL DEFAULT 'anon', \
                    age INTEGER CHECK (age >= 0), score NUMERIC(10,2), big BIGINT, nickname VARCHAR(30) DEFAULT 'none', \
                    CONSTRAINT users_score_check CHECK (score >= 0)",
            ..EXPECTED
        },
        rebuilds: 0,
        restores: true,
    });
}

#[test]
fn rename_column_stays_native() {
    run_case(&Case {
        name: "rename",
        up: "ALTER TABLE users RENAME COLUMN name TO full_name;",
        down: "ALTER TABLE users RENAME COLUMN full_name TO name;",
        expected: Expected {
            users: "id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(120) NOT NULL UNIQUE, full_name TEXT NOT NULL DEFAULT 'anon', \
                    age INTEGER CHECK (age >= 0), score NUMERIC(10,2), big BIGINT, CONSTRAINT users_score_check CHECK (score >= 0)",
            users_columns: &["id", "email", "full_name", "age", "score", "big"],
            indexes: "CREATE INDEX users_name_idx ON users (full_name);",
            ..EXPECTED
        },
        rebuilds: 0,
        restores: true,
    });
}

#[test]
fn add_not_null_column_with_a_non_constant_default() {
    run_case(&Case {
        name: "add column, expression default",
        up: "ALTER TABLE users ADD COLUMN slug TEXT NOT NULL DEFAULT lower('ANON');",
        down: "ALTER TABLE users DROP COLUMN slug;",
        expected: Expected {
            users:
                "id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(120) NOT NULL UNIQUE, name TEXT NOT NULL DEFAULT 'anon', \
                    age INTEGER CHECK (age >= 0), score NUMERIC(10,2), big BIGINT, slug TEXT NOT NULL DEFAULT (lower('ANON')), \
                    CONSTRAINT users_score_check CHECK (score >= 0)",
            ..EXPECTED
        },
        rebuilds: 1,
        restores: true,
    });
}

#[test]
fn add_not_null_column_without_default_to_an_empty_table() {
    // PostgreSQL allows it on an empty table; SQLite's ADD COLUMN never does.
    let db = sqlite_db();
    let p = Project::new(&db)
        .file("1_t.sql", "-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY);\n")
        .file("2_c.sql", "-- +up\nALTER TABLE t ADD COLUMN c TEXT NOT NULL;\n");
    p.run(&["apply"]).success();
    assert_healthy(&db);
    assert_same(&db, &direct("CREATE TABLE t (id INTEGER PRIMARY KEY, c TEXT NOT NULL);"));
}

#[test]
fn add_unique_column() {
    run_case(&Case {
        name: "add unique column",
        up: "ALTER TABLE users ADD COLUMN code VARCHAR(10) UNIQUE;",
        down: "ALTER TABLE users DROP COLUMN code;",
        expected: Expected {
            users:
                "id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(120) NOT NULL UNIQUE, name TEXT NOT NULL DEFAULT 'anon', \
                    age INTEGER CHECK (age >= 0), score NUMERIC(10,2), big BIGINT, code VARCHAR(10) UNIQUE, \
                    CONSTRAINT users_score_check CHECK (score >= 0)",
            ..EXPECTED
        },
        rebuilds: 1,
        restores: true,
    });
}

#[test]
fn add_primary_key_column_numbers_the_rows_by_rowid() {
    run_case(&Case {
        name: "add primary key column",
        up: "ALTER TABLE tags ADD COLUMN id SERIAL PRIMARY KEY;",
        down: "ALTER TABLE tags DROP COLUMN id;",
        expected: Expected { tags: "name VARCHAR(40), label TEXT, id INTEGER PRIMARY KEY AUTOINCREMENT", ..EXPECTED },
        rebuilds: 1,
        restores: true,
    });
}

// ---------------------------------------------------------------------------------------
// Several changes, dry runs, translation
// ---------------------------------------------------------------------------------------

const MANY: &str = "\
-- +up
ALTER TABLE users ALTER COLUMN big SET NOT NULL;
ALTER TABLE users ALTER COLUMN age TYPE BIGINT;
ALTER TABLE users ALTER COLUMN score SET DEFAULT 0;
ALTER TABLE users ADD CONSTRAINT users_name_key UNIQUE (name);
ALTER TABLE users ADD COLUMN joined TEXT NOT NULL DEFAULT '2024-01-01';
ALTER TABLE users DROP CONSTRAINT users_score_check;
-- +down
ALTER TABLE users ADD CONSTRAINT users_score_check CHECK (score >= 0);
ALTER TABLE users DROP COLUMN joined;
ALTER TABLE users DROP CONSTRAINT users_name_key;
ALTER TABLE users ALTER COLUMN score DROP DEFAULT;
ALTER TABLE users ALTER COLUMN age TYPE INTEGER;
ALTER TABLE users ALTER COLUMN big DROP NOT NULL;
";

#[test]
fn consecutive_alters_on_one_table_are_one_rebuild() {
    let db = sqlite_db();
    let p = Project::new(&db).file("1_base.sql", BASE).file("2_many.sql", MANY);
    p.run(&["apply", "--steps", "1"]).success();
    let original = shape(&db);

    let dry = p.run(&["apply", "--dry-run"]);
    dry.success();
    assert_eq!(rebuilds(&dry), 1, "{dry}");
    assert_eq!(dry.stdout.matches("INSERT INTO \"sqlmig_new_users\"").count(), 1, "{dry}");

    p.run(&["apply"]).success();
    assert_healthy(&db);
    let expected = Expected {
        users: "id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(120) NOT NULL UNIQUE, name TEXT NOT NULL DEFAULT 'anon', \
                age BIGINT CHECK (age >= 0), score NUMERIC(10,2) DEFAULT 0, big BIGINT NOT NULL, \
                joined TEXT NOT NULL DEFAULT '2024-01-01', CONSTRAINT users_name_key UNIQUE (name)",
        ..EXPECTED
    };
    assert_same(&db, &direct(&expected.sql()));

    // The table keeps working with what depends on it.
    let c = open(&db);
    c.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    c.execute("INSERT INTO users (email, name, big) VALUES ('new@example.org', 'New', 1)", []).unwrap();
    assert_eq!(c.last_insert_rowid(), 6, "AUTOINCREMENT does not reuse the deleted id 5");
    assert!(c.execute("INSERT INTO posts (user_id, title) VALUES (77, 'orphan')", []).is_err(), "posts' foreign key holds");
    c.execute("DELETE FROM users WHERE id = 1", []).unwrap();
    assert_eq!(rows(&c, "SELECT title FROM posts ORDER BY id"), ["text \"hi\""], "ON DELETE CASCADE from posts");
    drop(c);

    // The down section brings back the original shape (and data, but for what was changed
    // above).
    let db2 = sqlite_db();
    let p2 = Project::new(&db2).file("1_base.sql", BASE).file("2_many.sql", MANY);
    p2.run(&["apply"]).success();
    p2.run(&["rollback"]).success();
    assert_healthy(&db2);
    assert_eq!(shape(&db2), original);
}

#[test]
fn alters_on_different_tables_are_separate_rebuilds() {
    let db = sqlite_db();
    let p = Project::new(&db).file("1_base.sql", BASE).file(
        "2_mixed.sql",
        "-- +up\nALTER TABLE users ALTER COLUMN big SET NOT NULL;\nALTER TABLE posts ALTER COLUMN title DROP NOT NULL;\n\
         ALTER TABLE users ALTER COLUMN name DROP DEFAULT;\n",
    );
    p.run(&["apply", "--steps", "1"]).success();
    let dry = p.run(&["apply", "--dry-run"]);
    dry.success();
    let order: Vec<&str> =
        dry.stdout.lines().filter_map(|l| l.strip_prefix("CREATE TABLE \"sqlmig_new_")).map(|l| &l[..5]).collect();
    assert_eq!(order, ["users", "posts", "users"], "{dry}");
    p.run(&["apply"]).success();
    assert_healthy(&db);
}

#[test]
fn dry_run_prints_exactly_what_apply_runs() {
    let db = sqlite_db();
    let p = Project::new(&db).file("1_base.sql", BASE).file("2_many.sql", MANY);
    p.run(&["apply", "--steps", "1"]).success();

    let dry = p.run(&["apply", "--dry-run"]);
    dry.success().stdout_order(&[
        "BEGIN IMMEDIATE",
        "PRAGMA legacy_alter_table = ON",
        "CREATE TABLE \"sqlmig_new_users\"",
        "INSERT INTO \"sqlmig_new_users\"",
        "DELETE FROM sqlite_sequence WHERE name = 'sqlmig_new_users'",
        "INSERT INTO sqlite_sequence (name, seq) SELECT 'sqlmig_new_users', seq FROM sqlite_sequence WHERE name = 'users'",
        "DROP TABLE \"users\"",
        "ALTER TABLE \"sqlmig_new_users\" RENAME TO \"users\"",
        "CREATE INDEX users_name_idx",
        "PRAGMA legacy_alter_table = OFF",
        "INSERT INTO \"sqlmig_ledger\"",
        "COMMIT",
    ]);

    // The printed script, run by hand on a copy of the database, does what apply does. It
    // turns foreign keys off before `BEGIN` as the real run does: with them on,
    // `DROP TABLE "users"` would cascade into posts.
    dry.stdout_order(&["PRAGMA foreign_keys = OFF", "BEGIN IMMEDIATE", "COMMIT", "PRAGMA foreign_keys = ON"]);
    let copy = sqlite_db();
    std::fs::copy(path(&db), path(&copy)).unwrap();
    let c = open(&copy);
    c.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    c.execute_batch(&dry.stdout).unwrap_or_else(|e| panic!("the dry run's SQL does not run: {e}\n{dry}"));
    drop(c);
    p.run(&["apply"]).success();
    assert_eq!(shape(&copy), shape(&db));

    // `translate` shows the same rebuild.
    let tr = p.run(&["translate", "--to", "sqlite", "migrations/2_many.sql"]);
    tr.success();
    let up = tr.stdout.split("-- +down").next().unwrap();
    let printed: Vec<&str> = dry
        .stdout
        .lines()
        .filter(|l| {
            !l.starts_with("--") && !l.is_empty() && !l.contains("sqlmig_ledger") && *l != "BEGIN IMMEDIATE;" && *l != "COMMIT;"
        })
        .collect();
    let translated: Vec<&str> = up.lines().filter(|l| !l.starts_with("--") && !l.is_empty()).collect();
    assert_eq!(translated, printed);
}

#[test]
fn a_rename_in_the_same_statement_as_a_rebuild_renames_what_depends_on_the_column() {
    // MySQL puts several changes in one statement. The rename runs natively first, so
    // SQLite itself renames the column in the index, the view, the trigger and the foreign
    // key of another table that use it.
    let db = sqlite_db();
    let p = Project::new(&db)
        .file(
            "1_base.sql",
            "-- +dialect sqlite\n-- +up\n\
             CREATE TABLE users (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT, big INTEGER);\n\
             CREATE INDEX users_code_name ON users (code, name);\n\
             CREATE TABLE badges (user_code TEXT REFERENCES users (code), what TEXT);\n\
             CREATE TABLE log (msg TEXT);\n\
             CREATE VIEW codes AS SELECT id, code FROM users;\n\
             CREATE TRIGGER users_code AFTER UPDATE OF code ON users BEGIN INSERT INTO log (msg) VALUES (new.code); END;\n\
             INSERT INTO users VALUES (1, 'a', 'Ann', 1), (2, 'b', 'Bob', 2);\n\
             INSERT INTO badges VALUES ('a', 'gold');\n",
        )
        .file(
            "2_change.sql",
            "-- +dialect mysql\n-- +up\nALTER TABLE users RENAME COLUMN code TO handle, MODIFY COLUMN big BIGINT NOT NULL;\n",
        );
    p.run(&["apply", "--steps", "1"]).success();
    let dry = p.run(&["apply", "--dry-run"]);
    dry.success().stdout_order(&["ALTER TABLE \"users\" RENAME COLUMN \"code\" TO \"handle\"", "sqlmig_new_users"]);
    p.run(&["apply"]).success();
    assert_healthy(&db);
    let expected = direct(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, handle TEXT NOT NULL UNIQUE, name TEXT, big BIGINT NOT NULL);\n\
         CREATE INDEX users_code_name ON users (handle, name);\n\
         CREATE TABLE badges (user_code TEXT REFERENCES users (handle), what TEXT);\n\
         CREATE TABLE log (msg TEXT);\n\
         CREATE VIEW codes AS SELECT id, handle FROM users;\n\
         CREATE TRIGGER users_code AFTER UPDATE OF handle ON users BEGIN INSERT INTO log (msg) VALUES (new.handle); END;\n\
         INSERT INTO users VALUES (1, 'a', 'Ann', 1), (2, 'b', 'Bob', 2);\n\
         INSERT INTO badges VALUES ('a', 'gold');\n",
    );
    assert_same(&db, &expected);
    let c = open(&db);
    c.execute_batch("UPDATE users SET handle = 'z' WHERE id = 2").unwrap();
    assert_eq!(rows(&c, "SELECT msg FROM log"), ["text \"z\""]);
    assert_eq!(rows(&c, "SELECT handle FROM codes ORDER BY id"), ["text \"a\"", "text \"z\""]);
    assert!(c.execute_batch("UPDATE users SET handle = 'y' WHERE id = 1").is_err(), "badges' foreign key follows the rename");
}

// ---------------------------------------------------------------------------------------
// Everything a table can have
// ---------------------------------------------------------------------------------------

/// A table with every kind of object around it, in SQLite's own dialect (STRICT, WITHOUT
/// ROWID, generated columns, collations and expression indexes are SQLite features), and an
/// odd name. `{note}` is the definition of column `note`, `{v}` that of `kv.v` and
/// `{value}` that of `measurements.value`.
const OBJECTS: &str = r#"
CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL COLLATE NOCASE UNIQUE);
CREATE TABLE "odd ""member"" table" (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  team_id INTEGER REFERENCES teams (id) ON DELETE CASCADE,
  mentor_id INTEGER REFERENCES "odd ""member"" table" (id) ON DELETE SET NULL,
  handle TEXT NOT NULL COLLATE NOCASE,
  first TEXT,
  last TEXT,
  full TEXT GENERATED ALWAYS AS (first || ' ' || last) VIRTUAL,
  initials TEXT AS (substr(first, 1, 1) || substr(last, 1, 1)) STORED,
  points INTEGER DEFAULT 0 CHECK (points >= 0),
  {note},
  CONSTRAINT handle_length CHECK (length(handle) BETWEEN 2 AND 20)
);
CREATE UNIQUE INDEX member_handle ON "odd ""member"" table" (handle);
CREATE INDEX member_team_points ON "odd ""member"" table" (team_id, points DESC) WHERE note IS NULL;
CREATE INDEX member_last ON "odd ""member"" table" (lower(last));
CREATE TABLE awards (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES "odd ""member"" table" (id) ON DELETE CASCADE, what TEXT);
CREATE TABLE log (at INTEGER, what TEXT);
CREATE TRIGGER member_points AFTER UPDATE OF points ON "odd ""member"" table"
BEGIN
  INSERT INTO log (at, what) VALUES (new.id, 'points ' || new.points);
END;
CREATE TRIGGER award_given AFTER INSERT ON awards
BEGIN
  UPDATE "odd ""member"" table" SET points = points + 10 WHERE id = new.member_id;
END;
CREATE VIEW leaderboard AS SELECT m.handle, m.full, m.points, t.name AS team FROM "odd ""member"" table" AS m JOIN teams AS t ON t.id = m.team_id;
CREATE TABLE kv (k TEXT PRIMARY KEY, {v}) WITHOUT ROWID;
CREATE TABLE measurements (id INTEGER PRIMARY KEY, sensor TEXT NOT NULL, {value}, raw BLOB) STRICT;
INSERT INTO teams VALUES (1, 'Red'), (2, 'Blue');
INSERT INTO "odd ""member"" table" (team_id, mentor_id, handle, first, last, points, note) VALUES
  (1, NULL, 'ann', 'Ann', 'Lee', 5, NULL),
  (1, 1, 'bob', 'Bob', 'Ray', 0, 'new'),
  (2, 1, 'cy', 'Cy', 'Ng', 12, NULL),
  (2, 3, 'dee', 'Dee', 'Ode', 1, NULL);
DELETE FROM "odd ""member"" table" WHERE id = 4;
INSERT INTO awards (member_id, what) VALUES (1, 'gold'), (3, 'silver');
INSERT INTO kv VALUES ('b', 'two  '), ('a', 'one');
INSERT INTO measurements VALUES (1, 's1', 1.5, x'00ff10'), (2, 's2', 2.0, NULL), (3, 's1', NULL, x'');
"#;

fn objects(note: &str, v: &str, value: &str) -> String {
    OBJECTS.replace("{note}", note).replace("{v}", v).replace("{value}", value)
}

#[test]
fn a_rebuild_keeps_everything_around_the_table() {
    let db = sqlite_db();
    let p = Project::new(&db)
        .file(
            "1_objects.sql",
            &format!("-- +dialect sqlite\n-- +up\n{}", objects("note TEXT", "v TEXT COLLATE RTRIM", "value REAL")),
        )
        .file(
            "2_change.sql",
            "-- +up\n\
             ALTER TABLE \"odd \"\"member\"\" table\" ALTER COLUMN note SET DEFAULT 'n/a';\n\
             ALTER TABLE kv ALTER COLUMN v SET NOT NULL;\n\
             ALTER TABLE measurements ALTER COLUMN value SET DEFAULT 0;\n\
             -- +down\n\
             ALTER TABLE measurements ALTER COLUMN value DROP DEFAULT;\n\
             ALTER TABLE kv ALTER COLUMN v DROP NOT NULL;\n\
             ALTER TABLE \"odd \"\"member\"\" table\" ALTER COLUMN note DROP DEFAULT;\n",
        );
    p.run(&["apply", "--steps", "1"]).success();
    let original = shape(&db);
    assert_same(&db, &direct(&objects("note TEXT", "v TEXT COLLATE RTRIM", "value REAL")));

    let dry = p.run(&["apply", "--dry-run"]);
    dry.success();
    assert_eq!(rebuilds(&dry), 3, "{dry}");
    p.run(&["apply"]).success();
    assert_healthy(&db);
    let expected = direct(&objects("note TEXT DEFAULT 'n/a'", "v TEXT COLLATE RTRIM NOT NULL", "value REAL DEFAULT 0"));
    assert_same(&db, &expected);

    // What depends on the tables works as it did, on both sides of each foreign key.
    for d in [&db, &expected] {
        let c = open(d);
        c.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        c.execute_batch("INSERT INTO awards (member_id, what) VALUES (2, 'bronze')").unwrap(); // trigger on another table
        c.execute_batch(
            "INSERT INTO \"odd \"\"member\"\" table\" (team_id, handle, first, last) VALUES (2, 'eve', 'Eve', 'Sun')",
        )
        .unwrap();
        assert!(
            c.execute_batch("INSERT INTO \"odd \"\"member\"\" table\" (handle) VALUES ('ANN')").is_err(),
            "unique under NOCASE"
        );
        assert!(c.execute_batch("INSERT INTO \"odd \"\"member\"\" table\" (handle) VALUES ('x')").is_err(), "CHECK");
        assert!(c.execute_batch("INSERT INTO measurements (id, sensor, value) VALUES (9, 's', 'abc')").is_err(), "STRICT");
        c.execute_batch("DELETE FROM \"odd \"\"member\"\" table\" WHERE id = 1").unwrap(); // self reference: SET NULL
        c.execute_batch("DELETE FROM teams WHERE id = 2").unwrap(); // cascades to members, then awards
    }
    assert_same(&db, &expected);
    let c = open(&db);
    assert_eq!(
        rows(&c, "SELECT id, mentor_id, full, initials, points FROM \"odd \"\"member\"\" table\""),
        ["int 2 | NULL | text \"Bob Ray\" | text \"BR\" | int 10"]
    );
    assert_eq!(
        rows(&c, "SELECT at, what FROM log ORDER BY rowid"),
        ["int 1 | text \"points 15\"", "int 3 | text \"points 22\"", "int 2 | text \"points 10\""]
    );
    drop(c);

    p.run(&["rollback"]).success();
    assert_healthy(&db);
    let rolled_back = shape(&db);
    let expected_back = direct(&objects("note TEXT", "v TEXT COLLATE RTRIM", "value REAL"));
    open(&expected_back)
        .execute_batch(
            "PRAGMA foreign_keys = ON; INSERT INTO awards (member_id, what) VALUES (2, 'bronze');\
             INSERT INTO \"odd \"\"member\"\" table\" (team_id, handle, first, last) VALUES (2, 'eve', 'Eve', 'Sun');\
             DELETE FROM \"odd \"\"member\"\" table\" WHERE id = 1; DELETE FROM teams WHERE id = 2;",
        )
        .unwrap();
    assert_eq!(rolled_back, shape(&expected_back));
    assert_ne!(rolled_back, original, "the rows changed in between");
}

#[test]
fn the_autoincrement_counter_survives_when_the_newest_rows_were_deleted() {
    let db = sqlite_db();
    let p = Project::new(&db)
        .file(
            "1_t.sql",
            "-- +up\nCREATE TABLE t (id SERIAL PRIMARY KEY, a TEXT);\nINSERT INTO t (a) VALUES ('x'), ('y'), ('z');\nDELETE FROM t WHERE id > 1;\n",
        )
        .file("2_c.sql", "-- +up\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\n");
    p.run(&["apply"]).success();
    let c = open(&db);
    assert_eq!(rows(&c, "SELECT seq FROM sqlite_sequence WHERE name = 't'"), ["int 3"]);
    c.execute("INSERT INTO t (a) VALUES ('w')", []).unwrap();
    assert_eq!(c.last_insert_rowid(), 4);
}

#[test]
fn rowids_are_kept_where_no_integer_primary_key_holds_them() {
    let db = sqlite_db();
    let p = Project::new(&db)
        .file(
            "1_t.sql",
            "-- +dialect sqlite\n-- +up\nCREATE TABLE t (a TEXT, b INT PRIMARY KEY);\n\
             INSERT INTO t (rowid, a, b) VALUES (10, 'x', 1), (-3, 'y', 2), (9000000000, 'z', 3);\n",
        )
        .file("2_c.sql", "-- +up\nALTER TABLE t ALTER COLUMN a TYPE VARCHAR(10);\nALTER TABLE t DROP CONSTRAINT t_pkey;\n");
    p.run(&["apply"]).success();
    assert_healthy(&db);
    assert_same(
        &db,
        &direct("CREATE TABLE t (a VARCHAR(10), b INT);\nINSERT INTO t (rowid, a, b) VALUES (10, 'x', 1), (-3, 'y', 2), (9000000000, 'z', 3);"),
    );
}

#[test]
fn values_are_copied_byte_for_byte() {
    // Every storage class in a column without affinity, large integers, reals that are not
    // round in decimal, text with NUL and invalid UTF-8 blobs.
    let db = sqlite_db();
    let p = Project::new(&db)
        .file(
            "1_t.sql",
            "-- +dialect sqlite\n-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY, anything, n NUMERIC, r REAL, s TEXT, b BLOB);\n\
             INSERT INTO t VALUES (1, 1, '007', 0.1, 'a''b', x'ff00fe'), (2, 9223372036854775807, 1e308, -0.0, char(0, 65), x''),\n\
             (3, 'text', ' 12 ', 1.0000000000000002, '', NULL), (4, x'c3', NULL, 3, '12', 12), (5, 2.5, '1e3', NULL, 'é', 'x');\n",
        )
        .file("2_c.sql", "-- +up\nALTER TABLE t ADD COLUMN extra INTEGER NOT NULL DEFAULT 0 CHECK (extra >= 0);\n");
    p.run(&["apply", "--steps", "1"]).success();
    let before = rows(&open(&db), "SELECT id, anything, n, r, s, b FROM t ORDER BY id");
    let dry = p.run(&["apply", "--dry-run"]);
    assert_eq!(rebuilds(&dry), 0, "CHECK on ADD COLUMN is native since SQLite 3.37\n{dry}");
    let db2 = sqlite_db();
    let p2 = Project::new(&db2).file("1_t.sql", &std::fs::read_to_string(p.migrations().join("1_t.sql")).unwrap()).file(
        "2_c.sql",
        "-- +up\nALTER TABLE t ALTER COLUMN s SET NOT NULL;\nALTER TABLE t ALTER COLUMN anything SET DEFAULT 1;\n",
    );
    p2.run(&["apply"]).success();
    assert_healthy(&db2);
    assert_eq!(rows(&open(&db2), "SELECT id, anything, n, r, s, b FROM t ORDER BY id"), before);
}

#[test]
fn strict_type_change_converts_when_every_value_fits() {
    let db = sqlite_db();
    let p = Project::new(&db)
        .file(
            "1_t.sql",
            "-- +dialect sqlite\n-- +up\nCREATE TABLE m (id INTEGER PRIMARY KEY, code TEXT, qty ANY) STRICT;\n\
             INSERT INTO m VALUES (1, '12', 1), (2, NULL, 2), (3, '-7', 3.0);\n",
        )
        .file("2_c.sql", "-- +up\nALTER TABLE m ALTER COLUMN code TYPE BIGINT;\nALTER TABLE m ALTER COLUMN qty TYPE INTEGER;\n");
    p.run(&["apply"]).success();
    assert_healthy(&db);
    assert_same(
        &db,
        &direct("CREATE TABLE m (id INTEGER PRIMARY KEY, code INTEGER, qty INTEGER) STRICT;\nINSERT INTO m VALUES (1, 12, 1), (2, NULL, 2), (3, -7, 3);"),
    );
}

#[test]
fn odd_table_and_column_names() {
    let db = sqlite_db();
    let p = Project::new(&db)
        .file(
            "1_t.sql",
            "-- +up\nCREATE TABLE \"Order Items\" (\"Item Id\" SERIAL PRIMARY KEY, \"it's\" TEXT, \"select\" INTEGER);\n\
             CREATE INDEX \"Order Items idx\" ON \"Order Items\" (\"select\");\n\
             INSERT INTO \"Order Items\" (\"it's\", \"select\") VALUES ('a', 1), ('b', 2);\n",
        )
        .file(
            "2_c.sql",
            "-- +up\nALTER TABLE \"Order Items\" ALTER COLUMN \"it's\" SET NOT NULL;\n\
             ALTER TABLE \"Order Items\" ADD CONSTRAINT \"odd \"\"name\" UNIQUE (\"select\");\n\
             -- +down\nALTER TABLE \"Order Items\" DROP CONSTRAINT \"odd \"\"name\";\n\
             ALTER TABLE \"Order Items\" ALTER COLUMN \"it's\" DROP NOT NULL;\n",
        );
    p.run(&["apply", "--steps", "1"]).success();
    let original = shape(&db);
    p.run(&["apply"]).success();
    assert_healthy(&db);
    assert_same(
        &db,
        &direct(
            "CREATE TABLE \"Order Items\" (\"Item Id\" INTEGER PRIMARY KEY AUTOINCREMENT, \"it's\" TEXT NOT NULL, \"select\" INTEGER, UNIQUE (\"select\"));\n\
             CREATE INDEX \"Order Items idx\" ON \"Order Items\" (\"select\");\n\
             INSERT INTO \"Order Items\" (\"it's\", \"select\") VALUES ('a', 1), ('b', 2);",
        ),
    );
    p.run(&["rollback"]).success();
    assert_eq!(shape(&db), original);
}

// ---------------------------------------------------------------------------------------
// Refusals: the database stays byte for byte as it was
// ---------------------------------------------------------------------------------------

fn base_then(change: &str) -> (TestDb, Project) {
    let db = sqlite_db();
    let p = Project::new(&db).file("1_base.sql", BASE);
    p.run(&["apply"]).success();
    p.write("2_change.sql", &format!("-- +up\n{change}\n"));
    (db, p)
}

#[test]
fn set_not_null_over_nulls_is_refused_saying_how_many_rows() {
    let (db, p) = base_then("ALTER TABLE users ALTER COLUMN big SET NOT NULL;\nALTER TABLE users ALTER COLUMN age SET NOT NULL;");
    // The two statements are one rebuild; the error points at the one refused.
    refused(&p, &db, &["cannot set NOT NULL on `users.age`: it is NULL in 2 rows", "2_change.sql:3:1"]);

    // In the middle of a longer group, too.
    p.write(
        "2_change.sql",
        "-- +up\nALTER TABLE users ALTER COLUMN big SET NOT NULL;\nALTER TABLE users ALTER COLUMN age SET NOT NULL;\n\
         ALTER TABLE users ADD COLUMN note TEXT;\n",
    );
    refused(&p, &db, &["it is NULL in 2 rows", "2_change.sql:3:1"]);
}

#[test]
fn add_not_null_column_without_default_is_refused_on_a_table_with_rows() {
    let (db, p) = base_then("ALTER TABLE users ADD COLUMN city TEXT NOT NULL;");
    refused(&p, &db, &["cannot add column `city` NOT NULL to `users` without a default: it would be NULL in 4 rows"]);
}

#[test]
fn unique_over_duplicates_is_refused_naming_the_value_under_the_columns_collation() {
    let db = sqlite_db();
    let p = Project::new(&db).file(
        "1_t.sql",
        "-- +dialect sqlite\n-- +up\nCREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT COLLATE NOCASE, code TEXT);\n\
         INSERT INTO t (name, code) VALUES ('Ann', 'a'), ('ANN', 'A'), ('Bob', NULL), (NULL, NULL);\n",
    );
    p.run(&["apply"]).success();
    // 'a' and 'A' differ under the column's BINARY collation: fine.
    p.write(
        "2_code.sql",
        "-- +up\nALTER TABLE t ADD CONSTRAINT t_code_key UNIQUE (code);\n-- +down\nALTER TABLE t DROP CONSTRAINT t_code_key;\n",
    );
    p.run(&["apply"]).success();
    p.write("3_name.sql", "-- +up\nALTER TABLE t ADD UNIQUE (name);\n");
    let out = refused(&p, &db, &["cannot add UNIQUE (name) to `t`: the value (", "is duplicated (2 rows)"]);
    assert!(out.stderr.to_lowercase().contains("('ann')"), "{out}");
}

#[test]
fn primary_key_over_duplicates_or_nulls_is_refused() {
    let (db, p) = base_then("INSERT INTO tags (name, label) VALUES ('a', 'again');");
    p.run(&["apply"]).success();
    p.write("3_pk.sql", "-- +up\nALTER TABLE tags ADD PRIMARY KEY (name);\n");
    refused(&p, &db, &["cannot add PRIMARY KEY (name) to `tags`: the value ('a') is duplicated (2 rows)"]);
    p.remove("3_pk.sql");
    p.write(
        "3_null.sql",
        "-- +up\nDELETE FROM tags WHERE label = 'again';\nINSERT INTO tags (name, label) VALUES (NULL, 'none');\n",
    );
    p.run(&["apply"]).success();
    p.write("4_pk.sql", "-- +up\nALTER TABLE tags ADD PRIMARY KEY (name);\n");
    refused(&p, &db, &["cannot add PRIMARY KEY (name) to `tags`: it is NULL in 1 row"]);
}

#[test]
fn check_that_rows_fail_is_refused() {
    let (db, p) = base_then("ALTER TABLE users ADD CONSTRAINT users_adult CHECK (age >= 35);");
    refused(&p, &db, &["cannot add CHECK (age >= 35) to `users`: it fails for 1 row"]);
}

#[test]
fn foreign_key_with_orphans_is_refused() {
    let (db, p) = base_then(
        "ALTER TABLE tags ADD COLUMN owner_id INTEGER DEFAULT 9;\n\
         ALTER TABLE tags ADD CONSTRAINT tags_owner_fk FOREIGN KEY (owner_id) REFERENCES users (id);",
    );
    refused(&p, &db, &["cannot add FOREIGN KEY (owner_id) REFERENCES users to `tags`: the referenced row of `users` is missing for 2 rows (first: (9))"]);
    // A column with a REFERENCES clause and a default is checked the same way.
    p.write("2_change.sql", "-- +up\nALTER TABLE posts ADD COLUMN editor_id INTEGER DEFAULT 5 REFERENCES users (id);\n");
    refused(&p, &db, &["the referenced row of `users` is missing for 3 rows (first: (5))"]);
}

#[test]
fn strict_type_change_that_some_rows_cannot_take_is_refused() {
    let db = sqlite_db();
    let p = Project::new(&db).file(
        "1_t.sql",
        "-- +dialect sqlite\n-- +up\nCREATE TABLE m (id INTEGER PRIMARY KEY, code TEXT) STRICT;\n\
         INSERT INTO m VALUES (1, '12'), (2, 'abc'), (3, NULL), (4, '1.5');\n",
    );
    p.run(&["apply"]).success();
    p.write("2_c.sql", "-- +up\nALTER TABLE m ALTER COLUMN code TYPE INTEGER;\n");
    refused(&p, &db, &["cannot change the type of `m.code` to INTEGER in STRICT table `m`: the value is not INTEGER in 2 rows (first: ('abc'))"]);
    p.write("2_c.sql", "-- +up\nALTER TABLE m ALTER COLUMN code TYPE NUMERIC(10, 2);\n");
    refused(&p, &db, &["a STRICT table's columns are INT, INTEGER, REAL, TEXT, BLOB or ANY"]);
}

#[test]
fn drop_column_that_a_view_trigger_foreign_key_or_generated_column_uses_is_refused() {
    let db = sqlite_db();
    let p = Project::new(&db).file("1_base.sql", BASE).file(
        "2_objects.sql",
        "-- +dialect sqlite\n-- +up\n\
         CREATE VIEW adults AS SELECT email, name FROM users WHERE age >= 18;\n\
         CREATE TRIGGER posts_title AFTER INSERT ON posts BEGIN UPDATE users SET big = big + 1 WHERE rowid = new.user_id; END;\n\
         CREATE TABLE people (first TEXT, last TEXT, full TEXT AS (first || ' ' || last));\n",
    );
    p.run(&["apply"]).success();
    for (change, message) in [
        ("ALTER TABLE users DROP COLUMN age;", "cannot drop column `age` of `users`: view `adults` uses it"),
        ("ALTER TABLE users DROP COLUMN big;", "cannot drop column `big` of `users`: trigger `posts_title` uses it"),
        ("ALTER TABLE users DROP COLUMN id;", "cannot drop column `id` of `users`: a foreign key of table `posts` uses it"),
        ("ALTER TABLE people DROP COLUMN last;", "cannot drop column `last` of `people`: generated column `full` uses it"),
    ] {
        p.write("3_drop.sql", &format!("-- +up\n{change}\n"));
        refused(&p, &db, &[message]);
    }
}

#[test]
fn dropping_a_key_another_table_references_is_refused() {
    let db = sqlite_db();
    let p = Project::new(&db).file(
        "1_t.sql",
        "-- +up\nCREATE TABLE a (id INTEGER PRIMARY KEY, code TEXT CONSTRAINT a_code_key UNIQUE);\n\
         CREATE TABLE b (code TEXT REFERENCES a (code));\nINSERT INTO a VALUES (1, 'x');\nINSERT INTO b VALUES ('x');\n",
    );
    p.run(&["apply"]).success();
    p.write("2_c.sql", "-- +up\nALTER TABLE a DROP CONSTRAINT a_code_key;\n");
    refused(&p, &db, &["a foreign key of table `b` references (code), which would no longer be a primary key or unique"]);
}

#[test]
fn unknown_columns_and_constraints_are_refused() {
    let (db, p) = base_then("ALTER TABLE users ALTER COLUMN nope SET NOT NULL;");
    refused(&p, &db, &["column `nope` of table `users` does not exist"]);
    p.write("2_change.sql", "-- +up\nALTER TABLE users DROP CONSTRAINT nope;\n");
    refused(&p, &db, &["table `users` has no constraint named `nope`"]);
    p.write("2_change.sql", "-- +up\nALTER TABLE users ADD PRIMARY KEY (email);\n");
    refused(&p, &db, &["table `users` already has a primary key"]);
}

#[test]
fn a_failure_after_a_rebuild_rolls_the_rebuild_back() {
    let (db, p) = base_then("ALTER TABLE users ALTER COLUMN big SET NOT NULL;\nINSERT INTO nowhere VALUES (1);");
    refused(&p, &db, &["no such table: nowhere"]);
}

#[test]
fn dropping_a_column_a_self_reference_uses_or_the_last_column_is_refused() {
    let db = sqlite_db();
    let p = Project::new(&db).file(
        "1_t.sql",
        "-- +up\nCREATE TABLE tree (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES tree (id), name TEXT);\n\
         CREATE TABLE single (only_one TEXT);\nINSERT INTO tree VALUES (1, NULL, 'root'), (2, 1, 'leaf');\n",
    );
    p.run(&["apply"]).success();
    p.write("2_c.sql", "-- +up\nALTER TABLE tree DROP COLUMN id;\n");
    refused(&p, &db, &["cannot drop column `id` of `tree`: a foreign key of `tree` itself uses it"]);
    p.write("2_c.sql", "-- +up\nALTER TABLE single DROP COLUMN only_one;\n");
    refused(&p, &db, &["cannot drop column `only_one` of `single`: it is the only column, and SQLite tables need one"]);
    // Dropping the referencing column takes its foreign key along.
    p.write("2_c.sql", "-- +up\nALTER TABLE tree DROP COLUMN parent_id;\n");
    p.run(&["apply"]).success();
    assert_healthy(&db);
    assert_same(
        &db,
        &direct("CREATE TABLE tree (id INTEGER PRIMARY KEY, name TEXT);\nCREATE TABLE single (only_one TEXT);\nINSERT INTO tree VALUES (1, 'root'), (2, 'leaf');"),
    );
}

#[test]
fn definitions_come_back_exactly_as_sqlite_has_them() {
    // Type names sqlparser cannot read, a hexadecimal default, comments and line breaks,
    // conflict clauses, deferrable foreign keys, WITHOUT ROWID and STRICT together.
    let tables = "\
CREATE TABLE p (k TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE t (
  id INTEGER PRIMARY KEY ON CONFLICT REPLACE, -- the key
  a UNSIGNED BIG INT DEFAULT 0x10,
  b DECIMAL(10,  5) NOT NULL ON CONFLICT IGNORE DEFAULT -1.5,
  c /* no type */,
  d \"weird type\" COLLATE RTRIM,
  e TEXT REFERENCES p (k) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED,
  f BLOB DEFAULT x'00ff'{g}
);
CREATE TABLE w (k TEXT NOT NULL, n INT, PRIMARY KEY (k DESC)) WITHOUT ROWID, STRICT;
INSERT INTO p VALUES ('x');
INSERT INTO t (id, c, d, e) VALUES (1, 'c', 'd  ', 'x'), (2, 2, NULL, NULL);
INSERT INTO w VALUES ('a', 1), ('b', NULL);
";
    let db = sqlite_db();
    let p = Project::new(&db).file("1_t.sql", &format!("-- +dialect sqlite\n-- +up\n{}", tables.replace("{g}", ""))).file(
        "2_c.sql",
        "-- +up\nALTER TABLE t ADD COLUMN g TEXT NOT NULL DEFAULT upper('g');\nALTER TABLE w ALTER COLUMN n SET DEFAULT 0;\n",
    );
    p.run(&["apply"]).success();
    assert_healthy(&db);
    let expected = tables.replace("{g}", ",\n  g TEXT NOT NULL DEFAULT (upper('g'))").replace("n INT,", "n INT DEFAULT 0,");
    assert_same(&db, &direct(&expected));
    let c = open(&db);
    c.execute_batch("INSERT INTO t (id, b) VALUES (3, NULL)").unwrap(); // ON CONFLICT IGNORE
    assert_eq!(rows(&c, "SELECT typeof(a), a, b FROM t WHERE id = 1"), ["text \"integer\" | int 16 | real -1.5"]);
    assert_eq!(rows(&c, "SELECT count(*) FROM t"), ["int 2"]);
}

#[test]
fn mysql_change_modify_and_drop_key_forms() {
    let db = sqlite_db();
    let p = Project::new(&db)
        .file(
            "1_t.sql",
            "-- +dialect mysql\n-- +up\nCREATE TABLE p (id INT PRIMARY KEY);\n\
             CREATE TABLE t (id INT NOT NULL, n INT, pid INT, PRIMARY KEY (id), CONSTRAINT t_p FOREIGN KEY (pid) REFERENCES p (id));\n\
             INSERT INTO p VALUES (1);\nINSERT INTO t VALUES (1, 1, 1), (2, NULL, NULL);\n",
        )
        .file(
            "2_c.sql",
            "-- +dialect mysql\n-- +up\nALTER TABLE t CHANGE COLUMN n amount BIGINT DEFAULT 0;\n\
             ALTER TABLE t DROP FOREIGN KEY t_p;\nALTER TABLE t DROP PRIMARY KEY;\n",
        );
    p.run(&["apply"]).success();
    assert_healthy(&db);
    assert_same(
        &db,
        &direct(
            "CREATE TABLE p (id INTEGER PRIMARY KEY);\nCREATE TABLE t (id INTEGER NOT NULL, amount BIGINT DEFAULT 0, pid INTEGER);\n\
             INSERT INTO p VALUES (1);\nINSERT INTO t VALUES (1, 1, 1), (2, NULL, NULL);",
        ),
    );
}

#[test]
fn rename_and_validate_constraint_and_if_exists_forms() {
    let (db, p) = base_then(
        "ALTER TABLE users RENAME CONSTRAINT users_score_check TO score_not_negative;\n\
         ALTER TABLE users VALIDATE CONSTRAINT score_not_negative;\n\
         ALTER TABLE users DROP COLUMN IF EXISTS nothing_here;\n\
         ALTER TABLE users ADD COLUMN IF NOT EXISTS email TEXT;\n\
         ALTER TABLE users DROP CONSTRAINT IF EXISTS nothing_either;\n\
         ALTER TABLE users RENAME CONSTRAINT users_email_key TO email_unique;",
    );
    p.run(&["apply"]).success();
    assert_healthy(&db);
    assert_same(&db, &direct(&EXPECTED.sql()));
    let sql = open(&db).query_row("SELECT sql FROM sqlite_master WHERE name = 'users'", [], |r| r.get::<_, String>(0)).unwrap();
    assert!(sql.contains("CONSTRAINT \"score_not_negative\" CHECK (score >= 0)"), "{sql}");
    assert!(sql.contains("CONSTRAINT \"email_unique\" UNIQUE"), "{sql}");
    p.write(
        "3_c.sql",
        "-- +up\nALTER TABLE users DROP CONSTRAINT email_unique;\nALTER TABLE users DROP CONSTRAINT score_not_negative;\n",
    );
    p.run(&["apply"]).success();
    assert_eq!(
        checks(
            &open(&db).query_row("SELECT sql FROM sqlite_master WHERE name = 'users'", [], |r| r.get::<_, String>(0)).unwrap()
        ),
        ["(age>=0)"]
    );
}

#[test]
fn strict_tables_take_postgres_types_by_affinity() {
    let db = sqlite_db();
    let p = Project::new(&db)
        .file("1_t.sql", "-- +dialect sqlite\n-- +up\nCREATE TABLE s (id INTEGER PRIMARY KEY, v TEXT, n INT) STRICT;\nINSERT INTO s VALUES (1, 'x', 2);\n")
        .file(
            "2_c.sql",
            "-- +up\nALTER TABLE s ADD COLUMN w VARCHAR(10) DEFAULT 'q';\nALTER TABLE s ADD COLUMN r DOUBLE PRECISION;\n\
             ALTER TABLE s ALTER COLUMN n TYPE BIGINT;\nALTER TABLE s ALTER COLUMN v TYPE VARCHAR(20);\n",
        );
    p.run(&["apply"]).success();
    assert_healthy(&db);
    assert_same(
        &db,
        &direct("CREATE TABLE s (id INTEGER PRIMARY KEY, v TEXT, n INTEGER, w TEXT DEFAULT 'q', r REAL) STRICT;\nINSERT INTO s (id, v, n) VALUES (1, 'x', 2);"),
    );
    p.write("3_c.sql", "-- +up\nALTER TABLE s ADD COLUMN d DATE;\n");
    refused(&p, &db, &["a STRICT table's columns are INT, INTEGER, REAL, TEXT, BLOB or ANY; `DATE` is none of them"]);
}

#[test]
fn rebuilds_in_a_no_transaction_section_and_in_one_transaction_for_all() {
    let db = sqlite_db();
    let p = Project::new(&db)
        .file("1_base.sql", BASE)
        .file("2_many.sql", MANY)
        .file("3_nt.sql", "-- +up\n-- +no-transaction\nALTER TABLE posts ALTER COLUMN title DROP NOT NULL;\n");
    p.run(&["apply", "--single-transaction", "--to", "2"]).success();
    p.run(&["apply"]).success();
    assert_healthy(&db);
    let expected = Expected {
        users: "id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(120) NOT NULL UNIQUE, name TEXT NOT NULL DEFAULT 'anon', \
                age BIGINT CHECK (age >= 0), score NUMERIC(10,2) DEFAULT 0, big BIGINT NOT NULL, \
                joined TEXT NOT NULL DEFAULT '2024-01-01', CONSTRAINT users_name_key UNIQUE (name)",
        posts:
            "id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, title TEXT",
        ..EXPECTED
    };
    assert_same(&db, &direct(&expected.sql()));
    // Foreign keys are back on for what follows in the same run.
    p.write("4_orphan.sql", "-- +up\nINSERT INTO posts (user_id, title) VALUES (99, 'orphan');\n");
    p.run(&["apply"]).code(1).stderr_has("FOREIGN KEY constraint failed");
}

#[test]
fn virtual_tables_are_not_rebuilt() {
    let (db, p) = base_then("SELECT 1;");
    p.run(&["apply"]).success();
    p.write("3_v.sql", "-- +dialect sqlite\n-- +up\nCREATE VIRTUAL TABLE docs USING fts5(title, body);\n");
    p.run(&["apply"]).success();
    p.write("4_c.sql", "-- +up\nALTER TABLE docs ADD COLUMN extra TEXT NOT NULL DEFAULT lower('X');\n");
    refused(&p, &db, &["`docs` is a virtual table: SQLite cannot change its columns or constraints"]);
}
