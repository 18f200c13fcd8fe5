//! `--format json`: one parseable document on stdout, on success and on failure.

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::helpers::*;

/// Check what every failure document has: `ok: false`, the exit code, and an `error` object
/// with `kind`, `message` and `location`.
#[track_caller]
fn failure<'a>(doc: &'a Value, code: i32, kind: &str) -> &'a Value {
    assert_eq!(doc["ok"], false, "{doc:#}");
    assert_eq!(doc["exit_code"], code, "{doc:#}");
    let error = &doc["error"];
    assert_eq!(error["kind"], kind, "{doc:#}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{doc:#}");
    assert!(error.get("location").is_some(), "error has no `location` key: {doc:#}");
    error
}

backend_test!(json_apply_success_and_migration_failure, |db| {
    let p = Project::new(&db)
        .file("1_a.sql", &create_table("a"))
        .file("2_fail.sql", "-- +up\nCREATE TABLE x (id INTEGER PRIMARY KEY);\nINSERT INTO nosuch (id) VALUES (1);\n");

    let out = p.run(&["apply", "--to", "1", "--format", "json"]);
    out.success().stderr_lacks("applied");
    let doc = out.json();
    assert_eq!((doc["ok"].as_bool(), doc["command"].as_str()), (Some(true), Some("apply")), "{doc:#}");
    let applied: Vec<&str> =
        doc["applied"].as_array().expect("applied array").iter().map(|r| r["label"].as_str().unwrap()).collect();
    assert_eq!(applied, ["1_a"]);

    let out = p.run(&["apply", "--format", "json"]);
    out.code(1);
    let doc = out.json();
    let error = failure(&doc, 1, "migration");
    assert!(error["message"].as_str().unwrap().contains("2_fail"), "{doc:#}");
    let loc = &error["location"];
    assert!(loc["path"].as_str().is_some_and(|p| p.ends_with("2_fail.sql")), "{doc:#}");
    assert_eq!((loc["line"].as_i64(), loc["column"].as_i64()), (Some(3), Some(1)), "{doc:#}");
    // The JSON document is the only thing on stdout; people still get the error on stderr.
    out.stderr_has("2_fail.sql:3:1");
});

backend_test!(json_verify_and_status_with_an_edited_migration, |db| {
    let p = Project::new(&db).file("1_a.sql", &create_table("a")).file("2_b.sql", &create_table("b"));
    p.run(&["apply"]).success();

    let doc = p.run(&["verify", "--format", "json"]).success().json();
    assert_eq!((doc["ok"].as_bool(), doc["checked"].as_i64()), (Some(true), Some(2)), "{doc:#}");
    assert_eq!(doc["findings"], serde_json::json!([]), "{doc:#}");

    p.write("2_b.sql", &create_table("b").replace("VARCHAR(50)", "VARCHAR(99)"));
    let out = p.run(&["verify", "--format", "json"]);
    out.code(3);
    let doc = out.json();
    failure(&doc, 3, "verification");
    assert_eq!(doc["findings"][0]["label"], "2_b", "{doc:#}");
    assert_eq!(doc["findings"][0]["state"], "edited", "{doc:#}");
    assert_eq!(doc["findings"][0]["edited_sections"], serde_json::json!(["up"]), "{doc:#}");

    let doc = p.run(&["status", "--format", "json"]).success().json();
    assert_eq!(doc["summary"]["edited"], 1, "{doc:#}");
    assert_eq!(doc["migrations"][1]["state"], "edited", "{doc:#}");

    let out = p.run(&["apply", "--format", "json"]);
    out.code(3);
    failure(&out.json(), 3, "verification");
});

#[test]
fn json_syntax_error_has_location() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::new(&db).file("1_a.sql", "-- +up\nCREATE TABLE a (id INTEGER PRIMARY KEY);\n-- +dwon\nDROP TABLE a;\n");
    let out = p.run(&["apply", "--format", "json"]);
    out.code(2);
    let doc = out.json();
    let loc = &failure(&doc, 2, "syntax")["location"];
    assert_eq!((loc["line"].as_i64(), loc["column"].as_i64()), (Some(3), Some(1)), "{doc:#}");
    assert_eq!(db.ledger(), Vec::new());
}

#[test]
fn json_input_error_outside_any_file() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::new(&db).file("abc.sql", "-- +up\nSELECT 1;\n");
    let out = p.run(&["status", "--format", "json"]);
    out.code(2);
    let doc = out.json();
    let error = failure(&doc, 2, "input");
    assert!(error["message"].as_str().unwrap().contains("abc.sql"), "{doc:#}");
    assert_eq!(error["location"], Value::Null, "{doc:#}");
}

#[test]
fn json_several_errors_are_listed() {
    let db = TestDb::sqlite().unwrap();
    let p = Project::new(&db)
        .file("1_a.sql", "-- +up\nCREATE TABLE a (id INTEGER PRIMARY KEY);\n-- +dwon\n")
        .file("2_b.sql", "-- +down\nDROP TABLE b;\n-- +up\nCREATE TABLE b (id INTEGER PRIMARY KEY);\n");
    let out = p.run(&["apply", "--format", "json"]);
    out.code(2);
    let doc = out.json();
    // spec/cli.md: several errors are `{kind: "many", message, errors: [...]}`.
    assert_eq!((doc["ok"].as_bool(), doc["exit_code"].as_i64()), (Some(false), Some(2)), "{doc:#}");
    assert_eq!(doc["error"]["kind"], "many", "{doc:#}");
    let errors = doc["error"]["errors"].as_array().expect("errors array");
    let places: Vec<(String, i64)> = errors
        .iter()
        .map(|e| {
            (e["location"]["path"].as_str().unwrap_or_default().to_string(), e["location"]["line"].as_i64().unwrap_or_default())
        })
        .collect();
    assert_eq!(places, [("migrations/1_a.sql".to_string(), 3), ("migrations/2_b.sql".to_string(), 1)], "{doc:#}");
    assert!(errors.iter().all(|e| e["kind"] == "syntax"), "{doc:#}");
}
