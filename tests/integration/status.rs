//! `status`, as text and as JSON.

use pretty_assertions::assert_eq;

use crate::helpers::*;

backend_test!(status_lists_applied_and_pending, |db| {
    let p = Project::new(&db)
        .file("1_a.sql", &create_table("a"))
        .file("2_b.sql", &create_table("b"))
        .file("3_c.sql", &create_table("c"));

    // Nothing applied yet (no ledger at all): everything pending, and nothing is created.
    let out = p.run(&["status"]);
    out.success();
    assert_eq!(["1_a", "2_b", "3_c"].map(|l| out.status_of(l)), ["pending"; 3]);
    assert!(!db.has_table("sqlmig_ledger"), "status created the ledger");

    p.run(&["apply", "--to", "2"]).success();
    let out = p.run(&["status"]);
    out.success().stdout_has("2 applied, 1 pending");
    assert_eq!(["1_a", "2_b", "3_c"].map(|l| out.status_of(l)), ["applied", "applied", "pending"]);

    let doc = p.run(&["status", "--format", "json"]).success().json();
    let states: Vec<&str> =
        doc["migrations"].as_array().expect("migrations array").iter().map(|m| m["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["applied", "applied", "pending"]);
    let labels: Vec<&str> = doc["migrations"].as_array().unwrap().iter().map(|m| m["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["1_a", "2_b", "3_c"]);
    assert_eq!(doc["summary"]["pending"], 1, "{doc:#}");
    assert_eq!(doc["summary"]["applied"], 2, "{doc:#}");
    assert_eq!(doc["ok"], true, "{doc:#}");

    // `--exit-code`: 4 while something is pending, 0 once up to date.
    p.run(&["status", "--exit-code"]).code(4);
    p.run(&["apply"]).success();
    p.run(&["status", "--exit-code"]).success();
});

backend_test!(status_marks_out_of_order_pending, |db| {
    let p = Project::new(&db).file("1_a.sql", &create_table("a")).file("3_c.sql", &create_table("c"));
    p.run(&["apply"]).success();
    p.write("2_b.sql", &create_table("b"));

    let out = p.run(&["status"]);
    out.success();
    assert_eq!(out.status_of("2_b"), "pending (out of order)");
    // A merge brought in an older migration: apply refuses unless asked.
    p.run(&["apply"]).code(3).stderr_has("2_b").stderr_has("--allow-out-of-order");
    assert!(!db.has_table("b"));
    p.run(&["apply", "--allow-out-of-order"]).success().stdout_has("applied 2_b");
    assert_eq!(db.ledger_versions(), [1, 2, 3]);
});
