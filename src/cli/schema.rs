//! The declarative schema commands: `schema dump`, `diff` and `drift`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{json, Value as Json};

use super::{next_migration_path, plural, update_sum, Context, Output, EXIT_OK};
use crate::dialect::Dialect;
use crate::driver::{self, ConnectOptions, DatabaseUrl, Driver};
use crate::error::{Error, Result};
use crate::ledger::LedgerState;
use crate::migrator::{Migrator, Project};
use crate::plan::ApplyRequest;
use crate::schema::{Generated, Renames, Schema};
use crate::source::Source;
use crate::sumfile;

/// Exit status of `drift` when the database differs from its migrations.
const EXIT_DRIFT: i32 = 3;

const DUMP_HEADER: &str = "-- The schema the migrations produce, written by `sqlmig schema dump`.\n\n";

/// `schema dump`: the schema the migrations produce, or with a database named for the run,
/// that database's schema, as canonical SQL.
pub(super) fn dump(ctx: &Context, out: &mut Output, file: Option<&Path>, live: bool) -> Result<i32> {
    let (schema, header) = if live {
        out.set("database", json!(ctx.url.masked()));
        let Some(mut driver) = ctx.driver(false)? else {
            return Err(Error::input(format!("the database {} does not exist", ctx.url.masked())));
        };
        let header = format!("-- The schema of {}, written by `sqlmig schema dump`.\n\n", ctx.url.masked());
        (Schema::from_database(driver.as_mut(), &ctx.ledger_table, ctx.dialect)?, header)
    } else {
        let project = ctx.project()?;
        (Schema::from_migrations(&project.migrations, project.dialect)?, DUMP_HEADER.to_string())
    };
    let text = format!("{header}{}", schema.render());
    out.set("sql", json!(text));
    match file {
        Some(path) => {
            crate::files::write(path, &text)?;
            out.set("path", json!(path.display().to_string()));
            out.line(format!(
                "wrote {}: {} table{}, {} index{}, {} view{}",
                path.display(),
                schema.tables.len(),
                plural(schema.tables.len()),
                schema.indexes.len(),
                if schema.indexes.len() == 1 { "" } else { "es" },
                schema.views.len(),
                plural(schema.views.len())
            ));
        }
        None => out.result(text.trim_end()),
    }
    Ok(EXIT_OK)
}

/// What `diff` was asked for.
pub(super) struct DiffRequest<'a> {
    pub name: &'a str,
    pub schema_file: &'a Path,
    pub renames: &'a [String],
    pub allow_destructive: bool,
    pub timestamp: bool,
    pub sequential: bool,
}

/// Read a schema file as source text.
fn read_schema_file(path: &Path) -> Result<Source> {
    let bytes = std::fs::read(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::input(format!("the schema file `{}` does not exist", path.display()))
                .with_help("write the desired schema there, or start from `sqlmig schema dump --out schema.sql`")
        } else {
            Error::Io { action: "read", path: path.to_path_buf(), source }
        }
    })?;
    Source::from_bytes(path, bytes).map_err(|loc| Error::syntax(loc, "the file is not valid UTF-8"))
}

/// `diff`: the next migration, from the migrations' schema to the schema file.
pub(super) fn diff(ctx: &Context, out: &mut Output, request: &DiffRequest<'_>) -> Result<i32> {
    let project = ctx.project()?;
    let renames = Renames::parse(request.renames)?;
    let source = read_schema_file(request.schema_file)?;
    let mut desired = Schema::from_source(&source, project.dialect)?;
    let mut current = Schema::from_migrations(&project.migrations, project.dialect)?;
    // The generated ALTERs are PostgreSQL's (the file says so when the project's dialect is
    // another): names are quoted the PostgreSQL way too.
    desired.dialect = Dialect::Postgres;
    current.dialect = Dialect::Postgres;
    let generated = Generated::new(&current, &desired, &renames)?;
    let destructive: Vec<Json> =
        generated.up.iter().filter_map(|s| s.destructive.map(|d| json!({ "rule": d.rule(), "sql": s.sql }))).collect();
    out.set("schema_file", json!(request.schema_file.display().to_string()));
    out.set("up", json!(generated.up.iter().map(|s| s.sql.clone()).collect::<Vec<_>>()));
    out.set("down", json!(generated.down.iter().map(|s| s.sql.clone()).collect::<Vec<_>>()));
    out.set("destructive", Json::Array(destructive.clone()));
    if generated.is_empty() {
        out.set("created", Json::Null);
        out.line(format!("no changes: the migrations already produce the schema in {}", request.schema_file.display()));
        return Ok(EXIT_OK);
    }
    let path = next_migration_path(ctx, request.name, request.timestamp, request.sequential)?;
    let title = format!("{}: generated from {}", request.name, request.schema_file.display());
    crate::files::create_new(&path, &generated.render(&title, request.allow_destructive, project.dialect))?;
    if ctx.dir.join(sumfile::FILE_NAME).exists() {
        update_sum(ctx)?;
    }
    out.set("created", json!(path.display().to_string()));
    out.result(path.display().to_string());
    if !destructive.is_empty() && !request.allow_destructive {
        out.note(format!(
            "note: {} statement{} in {} can lose data, so `sqlmig lint` fails on the file until someone reviews it \
             (add `-- sqlmig:allow RULE`, or generate with --allow-destructive)",
            destructive.len(),
            plural(destructive.len()),
            path.display()
        ));
    }
    Ok(EXIT_OK)
}

/// A scratch database of the same kind as the live one, removed when dropped.
struct Scratch {
    url: DatabaseUrl,
    options: ConnectOptions,
    /// How to remove it, run on the live connection's server: a statement, or nothing for
    /// an in-memory SQLite database.
    cleanup: Option<String>,
    admin: Option<Box<dyn Driver>>,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let (Some(sql), Some(admin)) = (&self.cleanup, self.admin.as_mut()) {
            let _ = admin.execute(sql);
        }
    }
}

/// A unique scratch name: the process id and the time.
fn scratch_name() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    format!("sqlmig_drift_{}_{}", std::process::id(), nanos % 1_000_000_000)
}

/// Make a scratch database next to the live one: in memory for SQLite, a schema in the
/// same database for PostgreSQL, a database on the same server for MySQL.
fn scratch(ctx: &Context) -> Result<Scratch> {
    let name = scratch_name();
    match &ctx.url {
        DatabaseUrl::Sqlite { .. } => Ok(Scratch {
            url: DatabaseUrl::Sqlite { path: None },
            options: ConnectOptions { create: true, ..ConnectOptions::default() },
            cleanup: None,
            admin: None,
        }),
        DatabaseUrl::Postgres(_) => {
            let admin = driver::open(&ctx.url, &ctx.connect)?;
            let quoted = Dialect::Postgres.quote_ident(&name);
            Ok(Scratch {
                url: ctx.url.clone(),
                options: ConnectOptions { schema: Some(name), create: true, ..ctx.connect.clone() },
                cleanup: Some(format!("DROP SCHEMA IF EXISTS {quoted} CASCADE")),
                admin,
            })
        }
        DatabaseUrl::Mysql(u) => {
            let mut admin = driver::open(&ctx.url, &ctx.connect)?.expect("server connections always open");
            let quoted = Dialect::Mysql.quote_ident(&name);
            admin
                .execute(&format!("CREATE DATABASE {quoted}"))
                .map_err(|e| Error::Database(format!("cannot create a scratch database to compare with: {e}")))?;
            let mut url = u.clone();
            url.set_path(&format!("/{name}"));
            Ok(Scratch {
                url: DatabaseUrl::Mysql(url),
                options: ctx.connect.clone(),
                cleanup: Some(format!("DROP DATABASE IF EXISTS {quoted}")),
                admin: Some(admin),
            })
        }
    }
}

/// One difference between the expected and the live schema.
struct Difference {
    /// `table`, `column`, `index`, ...
    kind: String,
    /// `table.column`, ...
    object: String,
    /// What the migrations make, if anything.
    expected: Option<String>,
    /// What the database has, if anything.
    found: Option<String>,
}

/// Fingerprint lines grouped by the object they describe (their first two words), compared.
fn differences(expected: &[String], found: &[String]) -> Vec<Difference> {
    type Groups = BTreeMap<(String, String), Vec<String>>;
    let group = |lines: &[String]| -> Groups {
        let mut groups = Groups::new();
        for line in lines {
            let mut words = line.splitn(3, ' ');
            let kind = words.next().unwrap_or_default().to_string();
            let object = words.next().unwrap_or_default().to_string();
            groups.entry((kind, object)).or_default().push(words.next().unwrap_or_default().to_string());
        }
        groups.values_mut().for_each(|v| v.sort());
        groups
    };
    let (mut e, mut f) = (group(expected), group(found));
    let keys: BTreeSet<(String, String)> = e.keys().chain(f.keys()).cloned().collect();
    let mut out = Vec::new();
    for key in keys {
        let (a, b) = (e.remove(&key).unwrap_or_default(), f.remove(&key).unwrap_or_default());
        if a == b {
            continue;
        }
        let join = |v: Vec<String>| (!v.is_empty()).then(|| v.join("; "));
        out.push(Difference { kind: key.0, object: key.1, expected: join(a), found: join(b) });
    }
    out
}

/// The PostgreSQL schema a connection works in; `None` on the other databases.
fn current_schema(driver: &mut dyn Driver) -> Result<Option<String>> {
    if driver.dialect() != Dialect::Postgres {
        return Ok(None);
    }
    let rows =
        driver.query("SELECT current_schema()", &[]).map_err(|e| Error::Database(format!("cannot read the schema: {e}")))?;
    Ok(rows.into_iter().next().and_then(|r| r.into_iter().next()).map(crate::driver::Value::into_string))
}

/// `drift`: replay the applied migrations on a scratch database of the same kind, and
/// compare its schema with the live one.
pub(super) fn drift(ctx: &Context, out: &mut Output) -> Result<i32> {
    let project = ctx.project()?;
    let Some(mut live) = ctx.driver(false)? else {
        return Err(Error::input(format!("the database {} does not exist", ctx.url.masked())));
    };
    let ledger = ctx.ledger()?;
    let rows = ledger.read(live.as_mut())?;
    if let Some(dirty) = rows.iter().find(|r| !matches!(r.state, LedgerState::Applied | LedgerState::Baseline)) {
        return Err(Error::input(format!(
            "migration {}_{} is {}: the schema it leaves is unknown",
            dirty.version,
            dirty.name,
            dirty.state.as_str()
        ))
        .with_help("settle it with `sqlmig resolve` first"));
    }
    let mut applied = Vec::new();
    for r in &rows {
        match project.migrations.iter().find(|m| m.id.version == r.version) {
            Some(m) => applied.push(m.clone()),
            None => {
                return Err(Error::input(format!(
                    "applied migration {}_{} has no file in {}",
                    r.version,
                    r.name,
                    ctx.dir.display()
                ))
                .with_help("restore the file; `sqlmig verify` lists what is missing"))
            }
        }
    }
    let expected_project = Project { dir: project.dir.clone(), dialect: project.dialect, migrations: applied };
    let found = crate::introspect::fingerprint(live.as_mut(), &ctx.ledger_table)?;
    let live_schema = current_schema(live.as_mut())?;
    drop(live);
    let scratch = scratch(ctx)?;
    let expected = {
        let mut driver = driver::open(&scratch.url, &scratch.options)?.expect("a scratch database is created when asked to");
        let mut migrator = Migrator::new(&expected_project, driver.as_mut())?.ledger_table(&ctx.ledger_table)?;
        let request = ApplyRequest { allow_out_of_order: true, ..ApplyRequest::default() };
        if let Some(e) = migrator.apply(&request, &mut |_| {})?.failure {
            return Err(Error::Database(format!("cannot replay the applied migrations on a scratch database: {e}")));
        }
        let lines = crate::introspect::fingerprint(migrator.driver(), &ctx.ledger_table)?;
        // PostgreSQL writes index definitions schema-qualified: compare them without it.
        match (current_schema(migrator.driver())?, &live_schema) {
            (Some(scratch), Some(live)) => {
                lines.into_iter().map(|l| l.replace(&format!(" {scratch}."), &format!(" {live}."))).collect()
            }
            _ => lines,
        }
    };
    drop(scratch);
    let diffs = differences(&expected, &found);
    out.set(
        "differences",
        Json::Array(
            diffs
                .iter()
                .map(|d| json!({ "kind": d.kind, "object": d.object, "expected": d.expected, "found": d.found }))
                .collect(),
        ),
    );
    out.set("applied", json!(expected_project.migrations.len()));
    if diffs.is_empty() {
        let n = expected_project.migrations.len();
        out.line(format!(
            "no drift: {} matches the schema its {n} applied migration{} {}",
            ctx.url.masked(),
            plural(n),
            if n == 1 { "produces" } else { "produce" }
        ));
        return Ok(EXIT_OK);
    }
    for d in &diffs {
        let line = match (&d.expected, &d.found) {
            (None, Some(f)) => format!("+ {} {}: in the database, not made by the migrations: {f}", d.kind, d.object),
            (Some(e), None) => format!("- {} {}: made by the migrations, missing from the database: {e}", d.kind, d.object),
            (Some(e), Some(f)) => format!("~ {} {}: the migrations make {e}; the database has {f}", d.kind, d.object),
            (None, None) => continue,
        };
        out.result(line);
    }
    out.note(format!(
        "error: {} difference{} between {} and the schema its applied migrations produce",
        diffs.len(),
        plural(diffs.len()),
        ctx.url.masked()
    ));
    Ok(EXIT_DRIFT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_grouped_by_object() {
        let lines = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let expected = lines(&["table t", "column t.a type=int nullable=YES", "index t.t_a columns=(a)"]);
        let found = lines(&["table t", "column t.a type=text nullable=YES", "index t.t_b columns=(b)"]);
        let d: Vec<(String, String, Option<String>, Option<String>)> =
            differences(&expected, &found).into_iter().map(|d| (d.kind, d.object, d.expected, d.found)).collect();
        assert_eq!(
            d,
            [
                ("column".into(), "t.a".into(), Some("type=int nullable=YES".into()), Some("type=text nullable=YES".into())),
                ("index".into(), "t.t_a".into(), Some("columns=(a)".into()), None),
                ("index".into(), "t.t_b".into(), None, Some("columns=(b)".into())),
            ]
        );
        assert!(differences(&expected, &expected).is_empty());
    }
}
