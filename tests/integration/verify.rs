//! Applied migrations that changed afterwards: `verify`, and `apply`/`status` facing them.

use pretty_assertions::assert_eq;

use crate::helpers::*;

const B_ORIGINAL: &str = "-- +up\nCREATE TABLE b (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\nCREATE INDEX b_name ON b (name);\n-- +down\nDROP TABLE b;\n";

/// `B_ORIGINAL` with only comments, whitespace and keyword case changed.
const B_COSMETIC: &str = "-- Table b, reformatted.\n-- +up\ncreate table b (\n    id integer primary key,  -- the key\n    name varchar(50) not null\n);\n\ncreate index b_name on b (name);\n\n-- +down\ndrop table b;\n";

/// `B_ORIGINAL` with a real change in the up section.
const B_EDITED: &str = "-- +up\nCREATE TABLE b (id INTEGER PRIMARY KEY, name VARCHAR(80) NOT NULL);\nCREATE INDEX b_name ON b (name);\n-- +down\nDROP TABLE b;\n";

fn applied_project(db: &TestDb) -> Project {
    let p = Project::new(db).file("1_a.sql", &create_table("a")).file("2_b.sql", B_ORIGINAL);
    p.run(&["apply"]).success();
    p.run(&["verify"]).success().stdout_has("verified 2 applied migrations");
    p
}

backend_test!(edited_migration_fails_verify_and_blocks_apply, |db| {
    let p = applied_project(&db);
    p.write("2_b.sql", B_EDITED).write("3_c.sql", &create_table("c"));

    p.run(&["verify"])
        .code(3)
        .stderr_has("migrations/2_b.sql")
        .stdout_has("2_b")
        .stdout_has("up section changed")
        .output_lacks("1_a");
    p.run(&["verify", "--strict"]).code(3).stderr_has("migrations/2_b.sql");
    assert_eq!(p.run(&["status"]).success().status_of("2_b"), "edited");

    p.run(&["apply"]).code(3).stderr_has("2_b").stderr_has("nothing was run").stdout_lacks("applied");
    assert!(!db.has_table("c"), "apply ran a pending migration despite an edited one");
    assert_eq!(db.ledger_versions(), [1, 2]);

    // Restoring the file clears it, and apply goes on.
    p.write("2_b.sql", B_ORIGINAL);
    p.run(&["verify"]).success();
    p.run(&["apply"]).success().stdout_has("applied 3_c");
});

backend_test!(cosmetic_edit_passes_verify_unless_strict, |db| {
    let p = applied_project(&db);
    p.write("2_b.sql", B_COSMETIC).write("3_c.sql", &create_table("c"));

    p.run(&["verify"]).success().stdout_has("2_b").stdout_has("cosmetic");
    p.run(&["verify", "--strict"]).code(3).stderr_has("migrations/2_b.sql");
    assert_eq!(p.run(&["status"]).success().status_of("2_b"), "cosmetic edit");
    let doc = p.run(&["status", "--format", "json"]).success().json();
    assert_eq!(doc["migrations"][1]["state"], "cosmetic_edit", "{doc:#}");

    // A cosmetic edit does not stand in the way of new migrations.
    p.run(&["apply"]).success().stdout_has("applied 3_c");
    assert_eq!(db.ledger_versions(), [1, 2, 3]);
});

backend_test!(down_section_edit_is_reported_and_blocks_its_rollback, |db| {
    let p = applied_project(&db);
    p.write("2_b.sql", &B_ORIGINAL.replace("DROP TABLE b;", "DROP TABLE b;\nDROP TABLE a;"));

    p.run(&["verify"]).code(3).stdout_has("down section changed");
    p.run(&["rollback"]).code(3).stderr_has("down section changed");
    assert_eq!(db.ledger_versions(), [1, 2]);
    assert!(db.has_table("a") && db.has_table("b"));
});

backend_test!(missing_file_fails_verify, |db| {
    let p = applied_project(&db);
    p.remove("2_b.sql");

    p.run(&["verify"]).code(3).stderr_has("2_b").stdout_has("missing");
    let out = p.run(&["status"]);
    out.success();
    assert_eq!(out.status_of("2_b"), "missing file");
    assert_eq!(out.status_of("1_a"), "applied");
    p.run(&["rollback"]).code(2).stderr_has("2_b").stderr_has("file is missing");
    assert_eq!(db.ledger_versions(), [1, 2]);
});
