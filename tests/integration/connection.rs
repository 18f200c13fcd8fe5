//! Servers that cannot be used: wrong port, refused credentials, missing database. Each is
//! exit 1 with a plain message, and the password given never shows up in the output.

use crate::helpers::*;

/// A distinctive password, and how it is written in a URL.
const PASSWORD: &str = "Sup3rS3cret!";
const PASSWORD_IN_URL: &str = "Sup3rS3cret%21";

/// A user and password (as written in a URL) the server accepts. MySQL: a user created with
/// `PASSWORD`. PostgreSQL: the admin user, with the admin URL's password if it has one, else
/// `PASSWORD` (the test server trusts local connections and ignores it).
fn login(db: &TestDb) -> (String, String) {
    match db.backend() {
        Backend::Mysql => (db.create_mysql_user(PASSWORD), PASSWORD_IN_URL.into()),
        _ => {
            let admin = url::Url::parse(&db.backend().admin_url()).unwrap();
            (admin.username().to_string(), admin.password().unwrap_or(PASSWORD_IN_URL).to_string())
        }
    }
}

/// Assert the password is nowhere in the output, in any spelling.
#[track_caller]
fn no_password(out: &Outcome, password_in_url: &str) {
    out.output_lacks(password_in_url).output_lacks(PASSWORD).output_lacks("Sup3rS3cret");
}

/// Run a few commands against `url`; each must fail with exit 1 saying `message`, in text and
/// in JSON, without the password.
#[track_caller]
fn refused(url: &str, password_in_url: &str, message: &str) {
    let p = Project::with_url(url).file("1_a.sql", &create_table("a"));
    for args in [&["apply"][..], &["status"], &["verify"], &["apply", "--format", "json"]] {
        let out = p.run(args);
        out.code(1).stderr_has(message);
        no_password(&out, password_in_url);
        if args.contains(&"json") {
            let doc = out.json();
            assert_eq!(doc["error"]["kind"], "connect", "{doc:#}");
            assert!(doc["error"]["message"].as_str().unwrap_or_default().contains(message), "{doc:#}");
            assert!(doc["database"].as_str().is_some_and(|d| d.contains(":***@")), "{doc:#}");
        }
    }
}

backend_test!(wrong_port, [postgres, mysql], |db| {
    let (user, password) = login(&db);
    // Port 1 (tcpmux) is closed on any machine that runs these tests.
    let url = db.server_url(Some(&user), Some(&password), Some(1), db.name());
    refused(&url, &password, &format!("server not answering at {}:1", db.host()));
});

backend_test!(wrong_password, [postgres, mysql], |db| {
    let user = match db.backend() {
        Backend::Mysql => db.create_mysql_user("c0rrect-h0rse-battery"),
        // The test PostgreSQL trusts local connections and checks no password: a role that
        // does not exist is what it refuses.
        _ => "sqlmig_no_such_user".to_string(),
    };
    let url = db.server_url(Some(&user), Some(PASSWORD_IN_URL), None, db.name());
    refused(&url, PASSWORD_IN_URL, &format!("authentication failed for user `{user}`"));
});

backend_test!(unknown_user, [postgres, mysql,], |db| {
    let url = db.server_url(Some("sqlmig_no_such_user"), Some(PASSWORD_IN_URL), None, db.name());
    refused(&url, PASSWORD_IN_URL, "authentication failed for user `sqlmig_no_such_user`");
});

backend_test!(missing_database, [postgres, mysql], |db| {
    let (user, password) = login(&db);
    let missing = format!("{}_missing", db.name());
    let url = db.server_url(Some(&user), Some(&password), None, &missing);
    refused(&url, &password, &format!("database `{missing}` does not exist"));
});

backend_test!(password_is_masked_on_success, [postgres, mysql], |db| {
    let (user, password) = login(&db);
    let url = db.server_url(Some(&user), Some(&password), None, db.name());
    let p = Project::with_url(&url).file("1_a.sql", &create_table("a"));

    let out = p.run(&["apply"]);
    out.success().stdout_has(&format!("{user}:***@"));
    no_password(&out, &password);
    for args in [&["status"][..], &["status", "--format", "json"], &["apply", "--dry-run"], &["verify", "--format", "json"]] {
        let out = p.run(args);
        out.success();
        no_password(&out, &password);
    }
    assert_eq!(db.ledger_versions(), [1]);
});

/// `url` with `param` added to its query.
fn with_param(url: &str, param: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{param}")
}

backend_test!(postgres_tls_modes, [postgres], |db| {
    if db.query_strings("SHOW ssl") != ["on"] {
        eprintln!("SKIP postgres_tls_modes: the PostgreSQL server has ssl = off");
        return;
    }
    let cert = db.query_strings("SHOW ssl_cert_file").remove(0);
    let cert = std::path::Path::new(&db.query_strings("SHOW data_directory")[0]).join(&cert);
    let migration = "-- +up\nCREATE TABLE conn (ssl BOOLEAN);\n\
                     INSERT INTO conn SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();\n-- +down\nDROP TABLE conn;\n";
    for (param, encrypted) in [("sslmode=require", "true"), ("sslmode=disable", "false"), ("", "true")] {
        let url = if param.is_empty() { db.url().to_string() } else { with_param(db.url(), param) };
        let p = Project::with_url(&url).file("1_conn.sql", migration);
        p.run(&["apply"]).success();
        assert_eq!(db.query_strings("SELECT ssl::text FROM conn"), [encrypted], "{param}");
        p.run(&["rollback"]).success();
    }

    // The server's certificate, trusted as a root: the chain passes, the host name does not
    // (it was issued for the machine's name, not 127.0.0.1).
    if cert.is_file() {
        let root = format!("sslrootcert={}", cert.display());
        let p =
            Project::with_url(&with_param(db.url(), &format!("sslmode=verify-ca&{root}"))).file("1_a.sql", &create_table("a"));
        p.run(&["apply"]).success();
        let full = with_param(db.url(), &format!("sslmode=verify-full&{root}"));
        Project::with_url(&full).run(&["status"]).code(1).stderr_has("TLS with").stderr_has("not valid for name");
    }
    // A certificate no public root signed.
    let out = Project::with_url(&with_param(db.url(), "sslmode=verify-full")).run(&["status"]);
    out.code(1).stderr_has("TLS with").stderr_has("UnknownIssuer");
    let out = Project::with_url(&with_param(db.url(), "sslmode=require&sslrootcert=/nonexistent/root.pem")).run(&["status"]);
    out.code(1).stderr_has("cannot read CA certificates from `/nonexistent/root.pem`");
    Project::with_url(&with_param(db.url(), "sslmode=bogus")).run(&["status"]).code(2).stderr_has("unknown sslmode `bogus`");
});

backend_test!(mysql_tls_modes, [mysql], |db| {
    let p = Project::with_url(&with_param(db.url(), "ssl-mode=REQUIRED")).file("1_a.sql", &create_table("a"));
    let out = p.run(&["apply"]);
    if db.query_strings("SELECT @@have_ssl") == ["YES"] {
        out.success();
    } else {
        out.code(1).stderr_has("does not offer TLS, which `ssl-mode` asks for");
        assert!(!db.has_table("a"));
    }
    let out = Project::with_url(&with_param(db.url(), "ssl-mode=PREFERRED")).run(&["status"]);
    out.code(2).stderr_has("unsupported ssl-mode `PREFERRED`");
});
