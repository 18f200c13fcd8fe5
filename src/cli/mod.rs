//! The command-line layer: arguments → library calls → text or JSON and an exit code.
//! The only code in sqlmig that prints, reads the environment or picks an exit status
//! (besides `-- +envsub`, which reads the variables a migration names).

mod args;
mod color;
mod config;
mod schema;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{CommandFactory, Parser};
use serde_json::{json, Value as Json};

use self::args::{Cli, Command, Format};
use self::color::{Paint, Style};
use self::config::Settings;
use crate::dialect::Dialect;
use crate::driver::{self, ConnectOptions, DatabaseUrl, Driver};
use crate::error::{Error, Result};
use crate::exec::{self, Ran, Report};
use crate::format::Direction;
use crate::ledger::Ledger;
use crate::migrator::{Migrator, Project, RepairChange, Resolution};
use crate::plan::{self, ApplyRequest, RollbackRequest, State, StatusEntry};
use crate::sumfile::{self, SumFile};

/// Exit status: success, including nothing to do.
pub const EXIT_OK: i32 = 0;
/// Exit status of `status --exit-code` when migrations are pending.
pub const EXIT_PENDING: i32 = 4;

/// Run the CLI with these arguments (the first is the program name); returns the exit status.
pub fn main(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> i32 {
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    // `sqlmig --version` alone is answered without building the argument parser, which is
    // most of the work of a cold start; the text is clap's.
    if let [_, flag] = args.as_slice() {
        if flag == "--version" || flag == "-V" {
            print_stdout(&format!("sqlmig {}", env!("CARGO_PKG_VERSION")));
            return EXIT_OK;
        }
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    let mut out = Output {
        format: cli.global.format,
        quiet: cli.global.quiet,
        doc: serde_json::Map::new(),
        paint_out: Paint::detect(&std::io::stdout()),
        paint_err: Paint::detect(&std::io::stderr()),
    };
    let code = match run(&cli, &mut out) {
        Ok(code) => code,
        Err(e) => {
            out.error(&e);
            e.exit_code()
        }
    };
    out.finish(code);
    code
}

/// Where output goes: lines for people on stdout, or one JSON document at the end.
struct Output {
    format: Format,
    quiet: bool,
    doc: serde_json::Map<String, Json>,
    /// Colour for stdout and stderr: only on a terminal, never with `NO_COLOR`.
    paint_out: Paint,
    paint_err: Paint,
}

impl Output {
    fn json(&self) -> bool {
        self.format == Format::Json
    }

    /// A line for people; dropped in JSON mode and with `--quiet`.
    fn line(&self, text: impl AsRef<str>) {
        if self.format == Format::Text && !self.quiet {
            print_stdout(text.as_ref());
        }
    }

    /// A line that is the point of the command (a dry run's SQL, `new`'s path): printed even
    /// with `--quiet`.
    fn result(&self, text: impl AsRef<str>) {
        if !self.json() {
            print_stdout(text.as_ref());
        }
    }

    fn note(&self, text: impl AsRef<str>) {
        if !self.quiet {
            self.warn(text);
        }
    }

    /// A warning or error on stderr, printed even with `--quiet`: a script must still see
    /// that an applied migration's file is gone.
    fn warn(&self, text: impl AsRef<str>) {
        eprintln!("{}", self.paint_err.diagnostic(text.as_ref()));
    }

    /// A word of a stdout line in a style (plain when stdout is not a terminal).
    fn paint(&self, style: Style, text: &str) -> String {
        self.paint_out.paint(style, text)
    }

    /// A rendered error on stderr.
    fn diagnostic(&self, e: &Error) {
        eprint!("{}", self.paint_err.diagnostic(&crate::diagnostic::render(e)));
    }

    fn set(&mut self, key: &str, value: Json) {
        if self.json() {
            self.doc.insert(key.to_string(), value);
        }
    }

    /// [`Output::set`] for values with a part per migration: built only for JSON output,
    /// where they are printed (building and dropping them was a third of a text `status`).
    fn set_with(&mut self, key: &str, value: impl FnOnce() -> Json) {
        if self.json() {
            self.doc.insert(key.to_string(), value());
        }
    }

    fn error(&mut self, e: &Error) {
        self.diagnostic(e);
        if self.json() {
            self.set("error", error_json(e));
        }
    }

    fn finish(mut self, code: i32) {
        if self.json() {
            self.doc.insert("ok".into(), Json::Bool(code == EXIT_OK));
            self.doc.insert("exit_code".into(), json!(code));
            let text = serde_json::to_string_pretty(&Json::Object(self.doc)).unwrap_or_default();
            print_stdout(&text);
        }
    }
}

/// Print a line; a closed pipe (`sqlmig status | head -1`) ends the process quietly.
fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = writeln!(stdout, "{text}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(EXIT_OK);
        }
    }
}

fn error_json(e: &Error) -> Json {
    if let Error::Many(all) = e {
        return json!({ "kind": "many", "message": e.to_string(), "errors": all.iter().map(error_json).collect::<Vec<_>>() });
    }
    json!({
        "kind": e.kind(),
        "message": e.to_string(),
        "exit_code": e.exit_code(),
        "location": e.location().map(|l| json!({ "path": l.path.display().to_string(), "line": l.line, "column": l.column })),
        "details": e.details(),
        "help": e.help(),
    })
}

/// Settings shared by the commands.
struct Context {
    url: DatabaseUrl,
    dir: PathBuf,
    dialect: Dialect,
    connect: ConnectOptions,
    lock_timeout: Option<Duration>,
    ledger_table: String,
}

fn seconds(value: Option<f64>, flag: &str) -> Result<Option<Duration>> {
    match value {
        None => Ok(None),
        Some(s) if s.is_finite() && s >= 0.0 => Ok(Some(Duration::from_secs_f64(s))),
        Some(s) => Err(Error::input(format!("`--{flag} {s}`: expected a number of seconds, 0 or more"))),
    }
}

impl Context {
    fn new(g: &args::Global, s: &Settings) -> Result<Self> {
        let url = DatabaseUrl::parse(s.database.as_deref().unwrap_or(driver::DEFAULT_URL))?;
        let dialect = s.dialect.parse::<Dialect>().map_err(|e| Error::input(e.to_string()))?;
        crate::ledger::validate_identifier(&s.ledger_table, "ledger table")?;
        match url.dialect() {
            _ if g.schema.is_none() => {}
            Dialect::Postgres => {}
            Dialect::Mysql => {
                return Err(Error::input("`--schema` is for PostgreSQL; on MySQL the database in the URL is the schema"));
            }
            Dialect::Sqlite => return Err(Error::input("`--schema` is for PostgreSQL; a SQLite database has no schemas")),
        }
        let lock_timeout = seconds(s.lock_timeout, "lock-timeout")?;
        Ok(Context {
            url,
            dir: s.dir.clone(),
            dialect,
            connect: ConnectOptions { wait: seconds(g.wait, "wait")?, schema: g.schema.clone(), create: false, lock_timeout },
            lock_timeout,
            ledger_table: s.ledger_table.clone(),
        })
    }

    fn project(&self) -> Result<Project> {
        if !self.dir.is_dir() {
            return Err(Error::input(format!("the migrations folder `{}` does not exist", self.dir.display()))
                .with_help("run `sqlmig init` to create it, or point `--dir` at your migrations"));
        }
        Project::load(&self.dir, self.dialect)
    }

    /// Connect; with `create` false a missing SQLite file is `None` (nothing applied) and is
    /// not created, so read-only commands and dry runs leave no trace.
    fn driver(&self, create: bool) -> Result<Option<Box<dyn Driver>>> {
        let options = ConnectOptions { create, ..self.connect.clone() };
        driver::open(&self.url, &options)
    }

    fn migrator<'a>(&self, project: &'a Project, driver: &'a mut dyn Driver, out: &'a Output) -> Result<Migrator<'a>> {
        let timeout = self.lock_timeout;
        Ok(Migrator::new(project, driver)?.ledger_table(&self.ledger_table)?.lock_timeout(timeout).on_wait(move || {
            out.note(match timeout {
                Some(t) => format!("waiting for another sqlmig to release the migration lock (up to {}s)...", t.as_secs_f64()),
                None => "waiting for another sqlmig to release the migration lock...".to_string(),
            });
        }))
    }

    fn ledger(&self) -> Result<Ledger> {
        Ledger::new(self.url.dialect(), &self.ledger_table, self.connect.schema.as_deref())
    }
}

fn run(cli: &Cli, out: &mut Output) -> Result<i32> {
    // Generated from the clap definition; they need no settings and no database.
    match &cli.command {
        Command::Completions { shell } => return completions(*shell),
        Command::Man => return man(),
        _ => {}
    }
    if let (Command::Diff { .. }, Some(s)) = (&cli.command, &cli.global.schema) {
        return Err(Error::input(format!("`--schema {s}` names a PostgreSQL schema, which `diff` does not use"))
            .with_help(format!("give the schema file with `--schema-file {s}`")));
    }
    let settings = config::resolve(&cli.global)?;
    let ctx = Context::new(&cli.global, &settings)?;
    out.set("command", json!(command_name(&cli.command)));
    if let Some(file) = &settings.config_file {
        out.set("config", json!(file.display().to_string()));
    }
    if !matches!(
        cli.command,
        Command::Init
            | Command::New { .. }
            | Command::Translate { .. }
            | Command::Sum
            | Command::Test
            | Command::Lint { .. }
            | Command::Import { .. }
            | Command::Schema { .. }
            | Command::Diff { .. }
    ) {
        out.set("database", json!(ctx.url.masked()));
    }
    match &cli.command {
        Command::Init => init(&ctx, out),
        Command::New { name, timestamp, sequential } => new(&ctx, out, name, *timestamp, *sequential),
        Command::Apply { to, steps, dry_run, allow_out_of_order, single_transaction } => {
            let request = ApplyRequest {
                to: *to,
                steps: *steps,
                allow_out_of_order: *allow_out_of_order,
                single_transaction: *single_transaction,
            };
            apply(&ctx, out, &request, *dry_run)
        }
        Command::Rollback { steps, to, dry_run } => rollback(&ctx, out, &RollbackRequest { to: *to, steps: *steps }, *dry_run),
        Command::Redo => redo(&ctx, out),
        Command::Status { exit_code } => status(&ctx, out, *exit_code),
        Command::Verify { strict, offline } => verify(&ctx, out, *strict, *offline),
        Command::Sum => sum(&ctx, out),
        Command::Lint { target } => lint(&ctx, out, target, &settings.lint_disable),
        Command::Test => test(&ctx, out, settings.database_chosen),
        Command::Baseline { upto } => baseline(&ctx, out, *upto),
        Command::Repair { yes } => repair(&ctx, out, *yes),
        Command::Import { from, source, files_only, dry_run } => {
            import(&ctx, out, from, source, !*files_only && settings.database.is_some(), *dry_run)
        }
        Command::Completions { .. } | Command::Man => unreachable!("handled above"),
        Command::Translate { file, from, to } => translate(&ctx, out, file, from.as_deref(), to),
        Command::Schema { action: args::SchemaCommand::Dump { out: file, live } } => {
            schema::dump(&ctx, out, file.as_deref(), *live)
        }
        Command::Diff { name, schema_file, rename, allow_destructive, timestamp, sequential } => {
            let request = schema::DiffRequest {
                name,
                schema_file,
                renames: rename,
                allow_destructive: *allow_destructive,
                timestamp: *timestamp,
                sequential: *sequential,
            };
            schema::diff(&ctx, out, &request)
        }
        Command::Drift => schema::drift(&ctx, out),
        Command::Resolve { migration: version, applied, rolled_back } => {
            let resolution = if *applied {
                Resolution::Applied
            } else if *rolled_back {
                Resolution::RolledBack
            } else {
                return Err(Error::input("say what you did: `--applied` or `--rolled-back`"));
            };
            resolve(&ctx, out, *version, resolution)
        }
    }
}

fn command_name(c: &Command) -> &'static str {
    match c {
        Command::Init => "init",
        Command::New { .. } => "new",
        Command::Apply { .. } => "apply",
        Command::Rollback { .. } => "rollback",
        Command::Redo => "redo",
        Command::Status { .. } => "status",
        Command::Verify { .. } => "verify",
        Command::Sum => "sum",
        Command::Lint { .. } => "lint",
        Command::Test => "test",
        Command::Resolve { .. } => "resolve",
        Command::Translate { .. } => "translate",
        Command::Baseline { .. } => "baseline",
        Command::Repair { .. } => "repair",
        Command::Import { .. } => "import",
        Command::Completions { .. } => "completions",
        Command::Man => "man",
        Command::Schema { .. } => "schema",
        Command::Diff { .. } => "diff",
        Command::Drift => "drift",
    }
}

const EXAMPLE_MIGRATION: &str = "\
-- The first migration. Each file has an `-- +up` section that applies the change and
-- an optional `-- +down` section that reverts it. Write PostgreSQL-flavoured SQL.
-- +up
CREATE TABLE example (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);

-- +down
DROP TABLE example;
";

fn init(ctx: &Context, out: &mut Output) -> Result<i32> {
    crate::files::create_dir_all(&ctx.dir)?;
    let existing = crate::discover::discover(&ctx.dir)?;
    if !existing.is_empty() {
        return Err(Error::input(format!(
            "`{}` already holds {} migrations; nothing was created",
            ctx.dir.display(),
            existing.len()
        ))
        .with_help("use `sqlmig new NAME` to add one"));
    }
    let path = ctx.dir.join("0001_create_example.sql");
    crate::files::create_new(&path, EXAMPLE_MIGRATION)?;
    update_sum(ctx)?;
    out.set("created", json!(path.display().to_string()));
    out.result(path.display().to_string());
    Ok(EXIT_OK)
}

/// A file-name-safe form of a migration name: lowercase words joined by `_`.
fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            s.extend(c.to_lowercase());
        } else if !s.ends_with('_') && !s.is_empty() && (c.is_whitespace() || matches!(c, '_' | '-' | '.')) {
            s.push('_');
        }
    }
    s.trim_end_matches('_').to_string()
}

/// A timestamp version has 14 digits (YYYYMMDDHHMMSS); shorter ones are sequential.
const TIMESTAMP_DIGITS: usize = 14;

fn new(ctx: &Context, out: &mut Output, name: &str, timestamp: bool, sequential: bool) -> Result<i32> {
    let path = next_migration_path(ctx, name, timestamp, sequential)?;
    let text = format!("-- {name}\n-- +up\n\n\n-- +down\n\n");
    crate::files::create_new(&path, &text)?;
    if ctx.dir.join(sumfile::FILE_NAME).exists() {
        update_sum(ctx)?;
    }
    out.set("created", json!(path.display().to_string()));
    out.result(path.display().to_string());
    Ok(EXIT_OK)
}

/// The path of the next migration file named for `name`: the next sequential version, or a
/// timestamp when asked or when the newest migration has one. Creates the folder if needed.
fn next_migration_path(ctx: &Context, name: &str, timestamp: bool, sequential: bool) -> Result<PathBuf> {
    let slug = slug(name);
    if slug.is_empty() {
        return Err(Error::input(format!("`{name}` has no letters or digits to name a migration with")));
    }
    if !ctx.dir.is_dir() {
        crate::files::create_dir_all(&ctx.dir)?;
    }
    let existing = crate::discover::discover(&ctx.dir)?;
    let last = existing.last();
    let use_timestamp = timestamp || (!sequential && last.is_some_and(|m| m.version_text.len() >= TIMESTAMP_DIGITS));
    let version_text = if use_timestamp {
        let now = crate::ledger::now_utc();
        let mut stamp: String = now.chars().filter(char::is_ascii_digit).take(TIMESTAMP_DIGITS).collect();
        if let Some(last) = last {
            // Two `new`s in one second, or a clock behind the newest file: still ascending.
            if stamp.parse::<u64>().unwrap_or(0) <= last.version {
                stamp = (last.version + 1).to_string();
            }
        }
        stamp
    } else {
        let next = last.map_or(1, |m| m.version + 1);
        let width = last.map_or(4, |m| m.version_text.len());
        format!("{next:0width$}")
    };
    Ok(ctx.dir.join(format!("{version_text}_{slug}.sql")))
}

fn ran_json(r: &Ran) -> Json {
    json!({ "version": r.version, "label": r.label, "direction": r.direction.name(), "ms": r.ms })
}

/// Translation notices go to stderr (they are not results) and into the JSON document.
fn print_notices(out: &mut Output, notices: &[(crate::source::Location, String)]) {
    for (loc, message) in notices {
        out.note(format!("notice: {loc}: {message}"));
    }
    out.set(
        "notices",
        Json::Array(
            notices
                .iter()
                .map(|(l, m)| json!({"path": l.path.display().to_string(), "line": l.line, "column": l.column, "message": m}))
                .collect(),
        ),
    );
}

/// Print a report's summary and turn a failure into the command's error.
fn finish_report(out: &mut Output, report: Report, key: &str) -> Result<i32> {
    print_notices(out, &report.notices);
    for w in &report.warnings {
        out.warn(format!("warning: {w}"));
    }
    out.set("warnings", json!(report.warnings));
    out.set_with(key, || Json::Array(report.ran.iter().map(ran_json).collect()));
    match report.failure {
        Some(e) => Err(e),
        None => Ok(EXIT_OK),
    }
}

fn progress_printer(out: &Output) -> impl FnMut(&Ran) + '_ {
    move |r: &Ran| {
        let verb =
            if r.direction == Direction::Up { out.paint(Style::Good, "applied") } else { out.paint(Style::Warn, "rolled back") };
        out.line(format!("{verb} {} ({} ms)", r.label, r.ms));
    }
}

fn dry_run(ctx: &Context, out: &mut Output, project: &Project, plan: &plan::Plan) -> Result<i32> {
    let ledger = ctx.ledger()?;
    print_notices(out, &exec::notices(plan));
    for w in &plan.warnings {
        out.warn(format!("warning: {w}"));
    }
    let sql = if ctx.url.dialect() == Dialect::Sqlite {
        // SQLite rebuilds are planned from the live schema while running: rehearse the run on
        // an in-memory copy of the schema to show exactly what would be sent.
        let mut live = ctx.driver(false)?;
        let mut scratch = crate::driver::SqliteDriver::schema_copy(live.as_deref_mut(), &ctx.ledger_table)?;
        exec::rehearse(&mut scratch, &ledger, plan, &project.migrations)?
    } else {
        exec::render(plan, &project.migrations, &ledger, ctx.url.dialect())
    };
    out.set("dry_run", json!(true));
    out.set("sql", json!(sql));
    out.set(
        "migrations",
        Json::Array(
            plan.units
                .iter()
                .map(|u| json!({"label": project.migrations[u.index].label(), "direction": u.direction.name()}))
                .collect(),
        ),
    );
    if plan.units.is_empty() {
        out.line("nothing to run");
    } else {
        out.result(sql.trim_end());
    }
    Ok(EXIT_OK)
}

fn apply(ctx: &Context, out: &mut Output, request: &ApplyRequest, is_dry_run: bool) -> Result<i32> {
    let project = ctx.project()?;
    if is_dry_run {
        let rows = match ctx.driver(false)? {
            Some(mut d) => ctx.ledger()?.read(d.as_mut())?,
            None => Vec::new(),
        };
        let plan = plan::plan_apply(&project.migrations, &rows, ctx.url.dialect(), project.dialect, request)?;
        return dry_run(ctx, out, &project, &plan);
    }
    // A SQLite file that does not exist yet must not outlive a run that was refused: bad
    // input leaves no trace, not even an empty database. (Planning happens under the lock,
    // after opening; nothing is written before it succeeds.)
    let created = match &ctx.url {
        DatabaseUrl::Sqlite { path: Some(p) } if !p.exists() => Some(ScratchFile(p.clone())),
        _ => None,
    };
    let mut driver = ctx.driver(true)?.expect("a database is created when asked to");
    let result = {
        let out_ref: &Output = out;
        ctx.migrator(&project, driver.as_mut(), out_ref).and_then(|mut m| m.apply(request, &mut progress_printer(out_ref)))
    };
    drop(driver);
    let report = match result {
        Ok(report) => {
            // The database now holds something: keep it.
            std::mem::forget(created);
            report
        }
        Err(e) => return Err(e), // `created` is dropped: the file sqlmig made goes away
    };
    let count = report.ran.len();
    if report.failure.is_none() {
        let applied = project.migrations.len();
        if count == 0 {
            out.line(format!("nothing to apply: {} is up to date ({applied} migration{})", ctx.url, plural(applied)));
        } else {
            out.line(format!("{count} migration{} applied to {}", plural(count), ctx.url));
        }
    }
    finish_report(out, report, "applied")
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn rollback(ctx: &Context, out: &mut Output, request: &RollbackRequest, is_dry_run: bool) -> Result<i32> {
    let project = ctx.project()?;
    if is_dry_run {
        let rows = match ctx.driver(false)? {
            Some(mut d) => ctx.ledger()?.read(d.as_mut())?,
            None => Vec::new(),
        };
        let plan = plan::plan_rollback(&project.migrations, &rows, ctx.url.dialect(), project.dialect, request)?;
        return dry_run(ctx, out, &project, &plan);
    }
    let Some(mut driver) = ctx.driver(false)? else {
        out.line(format!("nothing to roll back: {} does not exist", ctx.url));
        out.set("rolled_back", json!([]));
        return Ok(EXIT_OK);
    };
    let report = {
        let out_ref: &Output = out;
        let mut migrator = ctx.migrator(&project, driver.as_mut(), out_ref)?;
        migrator.rollback(request, &mut progress_printer(out_ref))?
    };
    if report.failure.is_none() {
        let n = report.ran.len();
        if n == 0 {
            out.line("nothing to roll back: no migration is applied");
        } else {
            out.line(format!("{n} migration{} rolled back on {}", plural(n), ctx.url));
        }
    }
    finish_report(out, report, "rolled_back")
}

fn redo(ctx: &Context, out: &mut Output) -> Result<i32> {
    let project = ctx.project()?;
    let Some(mut driver) = ctx.driver(false)? else {
        return Err(Error::input(format!("nothing to redo: {} does not exist", ctx.url)));
    };
    let report = {
        let out_ref: &Output = out;
        let mut migrator = ctx.migrator(&project, driver.as_mut(), out_ref)?;
        migrator.redo(&mut progress_printer(out_ref))?
    };
    finish_report(out, report, "ran")
}

fn status_json(e: &StatusEntry) -> Json {
    let sections: Vec<&str> = match &e.state {
        State::Edited(s) => s.iter().map(|d| d.name()).collect(),
        _ => Vec::new(),
    };
    json!({
        "version": e.version,
        "label": e.label,
        "path": e.path.as_ref().map(|p| p.display().to_string()),
        "state": e.state.name(),
        "edited_sections": sections,
        "dirty_state": match &e.state { State::Dirty(s) => Some(s.as_str()), _ => None },
        "out_of_order": e.out_of_order,
        "applied_at": e.row.as_ref().map(|r| r.applied_at.clone()),
        "execution_ms": e.row.as_ref().map(|r| r.execution_ms),
        "statements_done": e.row.as_ref().filter(|r| r.state.is_dirty()).map(|r| r.statements_done),
        "statements_total": e.row.as_ref().filter(|r| r.state.is_dirty()).map(|r| r.statements_total),
        "unparsed_statements": e.row.as_ref().map(|r| r.unparsed_statements),
        "repaired_at": e.row.as_ref().and_then(|r| r.repaired_at.clone()),
        "note": e.note,
    })
}

/// Read the ledger without creating anything, and whether another sqlmig is running the
/// migrations its `running` rows name (see [`crate::migrator::read_settled`]).
fn read_rows(ctx: &Context) -> Result<(Vec<crate::ledger::LedgerRow>, bool)> {
    match ctx.driver(false)? {
        Some(mut d) => crate::migrator::read_settled(d.as_mut(), &ctx.ledger()?),
        None => Ok((Vec::new(), false)),
    }
}

fn status(ctx: &Context, out: &mut Output, exit_code: bool) -> Result<i32> {
    let project = ctx.project()?;
    let (rows, elsewhere) = read_rows(ctx)?;
    let entries = plan::status(&project.migrations, &rows, project.dialect, elsewhere);
    let count = |f: &dyn Fn(&State) -> bool| entries.iter().filter(|e| f(&e.state)).count();
    // For `--exit-code`, a migration another sqlmig is running is not done yet: pending.
    let pending = count(&|s| matches!(s, State::Pending | State::Running(_)));
    let problems = count(&|s| matches!(s, State::Edited(_) | State::MissingFile | State::Dirty(_)));
    out.set_with("migrations", || Json::Array(entries.iter().map(status_json).collect()));
    out.set(
        "summary",
        json!({
            "total": entries.len(),
            "applied": count(&|s| {
                matches!(s, State::Applied | State::Baseline | State::Imported | State::CosmeticEdit | State::Edited(_))
            }),
            "pending": pending,
            "edited": count(&|s| matches!(s, State::Edited(_))),
            "missing": count(&|s| matches!(s, State::MissingFile)),
            "dirty": count(&|s| matches!(s, State::Dirty(_))),
            "running": count(&|s| matches!(s, State::Running(_))),
        }),
    );
    if !out.json() && !out.quiet {
        let width = entries.iter().map(|e| e.label.len()).max().unwrap_or(0).max(9);
        print_stdout(&format!("{:<width$}  {:<13}  {}", "MIGRATION", "STATE", "APPLIED AT"));
        for e in &entries {
            let mut state = e.state.name().replace('_', " ");
            if e.out_of_order {
                state.push_str(" (out of order)");
            }
            let at = e.row.as_ref().map_or(String::new(), |r| r.applied_at.clone());
            let padding = " ".repeat(13usize.saturating_sub(state.chars().count()));
            let style = match e.state {
                State::Applied => Style::Good,
                State::Baseline | State::Imported => Style::Info,
                State::Pending | State::CosmeticEdit | State::Running(_) => Style::Warn,
                State::Edited(_) | State::MissingFile | State::Dirty(_) => Style::Bad,
            };
            let mut line = format!("{:<width$}  {}{padding}  {at}", e.label, out.paint(style, &state));
            if let Some(r) = e.row.as_ref().filter(|r| r.unparsed_statements > 0) {
                line.push_str(&format!(
                    "  [{} unparsed statement{} ran verbatim]",
                    r.unparsed_statements,
                    plural(r.unparsed_statements as usize)
                ));
            }
            print_stdout(line.trim_end());
            if !matches!(e.state, State::Applied | State::Baseline | State::Imported | State::Pending) {
                print_stdout(&format!("    {}", plan::describe(e)));
            }
        }
        print_stdout(&format!("{} applied, {pending} pending ({})", entries.len() - pending, ctx.url));
    }
    if exit_code {
        if problems > 0 {
            return Ok(3);
        }
        if pending > 0 {
            return Ok(EXIT_PENDING);
        }
    }
    Ok(EXIT_OK)
}

fn sum(ctx: &Context, out: &mut Output) -> Result<i32> {
    let project = ctx.project()?;
    let path = SumFile::of(&project.migrations).write(&ctx.dir)?;
    out.set("written", json!(path.display().to_string()));
    out.line(format!("{} lists {} migration{}", path.display(), project.migrations.len(), plural(project.migrations.len())));
    Ok(EXIT_OK)
}

/// Keep the sum file in step after `init` and `new`: add the new files only, so an edit to
/// an existing migration is still caught by `verify --offline`.
fn update_sum(ctx: &Context) -> Result<()> {
    let project = Project::load(&ctx.dir, ctx.dialect)?;
    let sum = match SumFile::read(&ctx.dir)? {
        Some(existing) => existing.with_added(&project.migrations),
        None => SumFile::of(&project.migrations),
    };
    sum.write(&ctx.dir).map(drop)
}

fn verify(ctx: &Context, out: &mut Output, strict: bool, offline: bool) -> Result<i32> {
    let project = ctx.project()?;
    let sum = SumFile::read(&ctx.dir)?;
    let sum_problems: Vec<String> = sum
        .as_ref()
        .map(|s| sumfile::compare(s, &project.migrations))
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect();
    out.set("sum_file", json!({ "present": sum.is_some(), "problems": sum_problems }));
    let rows = if offline {
        if sum.is_none() {
            return Err(Error::input(format!("`--offline` needs {}, and `{}` has none", sumfile::FILE_NAME, ctx.dir.display()))
                .with_help("run `sqlmig sum` and commit the file"));
        }
        None
    } else {
        match read_rows(ctx) {
            Ok(rows) => Some(rows),
            // CI often cannot reach the database; the sum file still says whether the folder
            // is what was reviewed.
            Err(e @ Error::Connect { .. }) if sum.is_some() => {
                out.note(format!("notice: {e}; checking {} only", sumfile::FILE_NAME));
                None
            }
            Err(e) => return Err(e),
        }
    };
    for p in &sum_problems {
        out.line(p);
    }
    let mut failing: Vec<String> = sum_problems.clone();
    let mut checked = 0;
    let with_database = rows.is_some();
    out.set("database_checked", json!(with_database));
    if let Some(rows) = rows {
        let (rows, elsewhere) = rows;
        let v = plan::verify(&project.migrations, &rows, project.dialect, elsewhere);
        checked = v.checked;
        out.set("checked", json!(v.checked));
        out.set_with("findings", || Json::Array(v.findings.iter().map(status_json).collect()));
        for f in &v.findings {
            out.line(plan::describe(f));
        }
        failing.extend(v.findings.iter().filter(|f| strict || !matches!(f.state, State::CosmeticEdit)).map(|f| {
            f.path.as_ref().map_or_else(|| f.label.clone(), |p| format!("{}: {}", p.display(), f.state.name().replace('_', " ")))
        }));
    }
    if failing.is_empty() {
        let what = match (sum.is_some(), !with_database) {
            (true, true) => format!("the folder matches {} (no database checked)", sumfile::FILE_NAME),
            (true, false) => {
                format!("verified {checked} applied migration{} and {}: all match", plural(checked), sumfile::FILE_NAME)
            }
            (false, _) => format!("verified {checked} applied migration{}: all match their files", plural(checked)),
        };
        out.line(what);
        return Ok(EXIT_OK);
    }
    let help = if sum_problems.is_empty() {
        "restore edited files from version control and put changes in new migrations; restore missing files".to_string()
    } else {
        format!(
            "restore the files, or if the change is intended (a new migration, a fix before it was applied anywhere), run `sqlmig sum` and commit {}",
            sumfile::FILE_NAME
        )
    };
    Err(Error::Verification {
        message: format!("verification failed: {} problem{}", failing.len(), plural(failing.len())),
        details: failing,
        help: Some(help),
    })
}

fn lint(ctx: &Context, out: &mut Output, targets: &[String], disabled: &[String]) -> Result<i32> {
    let project = ctx.project()?;
    let mut dialects = Vec::new();
    for t in targets {
        dialects.push(t.parse::<Dialect>().map_err(|e| Error::input(e.to_string()))?);
    }
    if dialects.is_empty() {
        dialects.push(ctx.url.dialect());
    }
    let (mut findings, errors) = crate::lint::lint(&project.migrations, project.dialect, &dialects);
    crate::error::collect(errors)?;
    // `[lint] disable` in sqlmig.toml.
    findings.retain(|f| !disabled.iter().any(|id| id == f.rule.id));
    let errors = findings.iter().filter(|f| f.rule.severity == crate::lint::Severity::Error).count();
    out.set(
        "findings",
        Json::Array(
            findings
                .iter()
                .map(|f| {
                    json!({
                        "rule": f.rule.id,
                        "severity": f.rule.severity.name(),
                        "path": f.location.path.display().to_string(),
                        "line": f.location.line,
                        "column": f.location.column,
                        "message": f.message,
                        "explanation": f.rule.explanation,
                        "alternative": f.rule.alternative,
                    })
                })
                .collect(),
        ),
    );
    for f in &findings {
        match out.format {
            Format::Github => {
                let level = if f.rule.severity == crate::lint::Severity::Error { "error" } else { "warning" };
                // Workflow commands end at a newline; `%0A` is their escaped newline.
                let message = escape_data(&format!("{}. {}", f.message, f.rule.alternative));
                print_stdout(&format!(
                    "::{level} file={},line={},col={},title=sqlmig {}::{message}",
                    escape_property(&f.location.path.display().to_string()),
                    f.location.line,
                    f.location.column,
                    f.rule.id
                ));
            }
            Format::Text => {
                if !out.quiet || f.rule.severity == crate::lint::Severity::Error {
                    print_stdout(&format!("{}: {}[{}]: {}", f.location, f.rule.severity.name(), f.rule.id, f.message));
                    print_stdout(&format!("  = why: {}", f.rule.explanation));
                    print_stdout(&format!("  = instead: {}", f.rule.alternative));
                }
            }
            Format::Json => {}
        }
    }
    let warnings = findings.len() - errors;
    out.line(format!(
        "{} migration{} checked: {errors} error{}, {warnings} warning{}",
        project.migrations.len(),
        plural(project.migrations.len()),
        plural(errors),
        plural(warnings)
    ));
    Ok(if errors > 0 { 1 } else { EXIT_OK })
}

/// GitHub workflow command data: `%`, CR and LF escaped.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// GitHub workflow command property values: also `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A temporary SQLite file that is removed when dropped.
struct ScratchFile(PathBuf);

impl Drop for ScratchFile {
    fn drop(&mut self) {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

fn test(ctx: &Context, out: &mut Output, database_given: bool) -> Result<i32> {
    let project = ctx.project()?;
    project.check()?;
    let (url, _scratch) = if database_given {
        (ctx.url.clone(), None)
    } else {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let path = std::env::temp_dir().join(format!("sqlmig-test-{}-{nanos}.db", std::process::id()));
        (DatabaseUrl::Sqlite { path: Some(path.clone()) }, Some(ScratchFile(path)))
    };
    out.set("database", json!(url.masked()));
    let options = ConnectOptions { create: true, ..ctx.connect.clone() };
    let mut driver = driver::open(&url, &options)?.expect("a database is created when asked to");
    let ledger = ctx.ledger_table.as_str();
    let start = crate::introspect::fingerprint(driver.as_mut(), ledger)?;
    if !start.is_empty()
        || !crate::ledger::Ledger::new(url.dialect(), ledger, ctx.connect.schema.as_deref())?.read(driver.as_mut())?.is_empty()
    {
        return Err(Error::input(format!("`sqlmig test` needs an empty scratch database, and {url} is not empty"))
            .with_help("point `--database` at a new, empty database: the test applies and rolls back every migration"));
    }
    let mut results = Vec::new();
    let mut failures = 0;
    let mut migrator = Migrator::new(&project, driver.as_mut())?.ledger_table(ledger)?;
    let one_up = ApplyRequest { steps: Some(1), allow_out_of_order: true, ..ApplyRequest::default() };
    let one_down = RollbackRequest { to: None, steps: Some(1) };
    for m in &project.migrations {
        let mut problems: Vec<String> = Vec::new();
        let before = schema_of(&mut migrator, ledger)?;
        let report = migrator.apply(&one_up, &mut |_| {})?;
        if let Some(e) = report.failure {
            out.line(format!("FAIL {}: up failed", m.label()));
            failures += 1;
            results.push(json!({"label": m.label(), "ok": false, "problems": [format!("up failed: {e}")]}));
            out.diagnostic(&e);
            break;
        }
        let after_up = schema_of(&mut migrator, ledger)?;
        let has_down = m.parse(project.dialect)?.section(Direction::Down, url.dialect()).is_some();
        if !has_down {
            out.line(format!("ok   {} (no down section: not reversible)", m.label()));
            results.push(json!({"label": m.label(), "ok": true, "reversible": false, "problems": []}));
            continue;
        }
        let report = migrator.rollback(&one_down, &mut |_| {})?;
        if let Some(e) = report.failure {
            problems.push(format!("down failed: {}", e));
        } else {
            let after_down = schema_of(&mut migrator, ledger)?;
            let d = crate::introspect::diff(&before, &after_down);
            if !d.is_empty() {
                problems.push("down did not restore the schema as it was before up:".into());
                problems.extend(d.into_iter().map(|l| format!("  {l}")));
            }
            let report = migrator.apply(&one_up, &mut |_| {})?;
            if let Some(e) = report.failure {
                problems.push(format!("up failed the second time: {e}"));
            } else {
                let again = schema_of(&mut migrator, ledger)?;
                let d = crate::introspect::diff(&after_up, &again);
                if !d.is_empty() {
                    problems.push("up after down did not produce the same schema as the first up:".into());
                    problems.extend(d.into_iter().map(|l| format!("  {l}")));
                }
            }
        }
        if problems.is_empty() {
            out.line(format!("ok   {}", m.label()));
        } else {
            failures += 1;
            out.line(format!("FAIL {}", m.label()));
            for p in &problems {
                out.line(format!("     {p}"));
            }
        }
        let ok = problems.is_empty();
        results.push(json!({"label": m.label(), "ok": ok, "reversible": true, "problems": problems}));
        if !ok {
            break; // the next migrations would build on a schema this one did not leave
        }
    }
    out.set("migrations", Json::Array(results));
    if failures > 0 {
        out.warn(format!(
            "error: {failures} migration{} failed the up/down/up test; make each down section undo exactly what its up section does",
            plural(failures)
        ));
        return Ok(1);
    }
    out.line(format!("{} migration{} passed up, down, up on {url}", project.migrations.len(), plural(project.migrations.len())));
    Ok(EXIT_OK)
}

fn schema_of(migrator: &mut Migrator<'_>, ledger: &str) -> Result<Vec<String>> {
    crate::introspect::fingerprint(migrator.driver(), ledger)
}

/// `translate`: the file's up and down scripts for another database. The schema model comes
/// from the migrations before it in its folder, as a dry run without a database would build
/// it; SQLite rebuilds are rehearsed on an in-memory database built by those migrations.
fn translate(ctx: &Context, out: &mut Output, file: &Path, from: Option<&str>, to: &str) -> Result<i32> {
    let to: Dialect = to.parse().map_err(|e: crate::dialect::UnknownDialect| Error::input(e.to_string()))?;
    let from: Dialect = match from {
        Some(f) => f.parse().map_err(|e: crate::dialect::UnknownDialect| Error::input(e.to_string()))?,
        None => ctx.dialect,
    };
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
    let (version, version_text, stem) = match crate::discover::filename(&name) {
        Ok((v, t, s)) => (v, t.to_string(), s.to_string()),
        Err(_) => (u64::MAX >> 1, "0".to_string(), name.trim_end_matches(".sql").to_string()),
    };
    let id = crate::discover::MigrationId { version, version_text, name: stem, path: file.to_path_buf() };
    let target = crate::migration::Migration::load(id)?;
    // Earlier migrations of the same folder build the schema this one applies to.
    let folder = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let earlier: Vec<crate::migration::Migration> = match Project::load(folder, from) {
        Ok(p) => p.migrations.into_iter().filter(|m| m.id.version < version).collect(),
        Err(_) => Vec::new(),
    };
    let mut migrations = earlier;
    migrations.push(target);
    let index = migrations.len() - 1;
    let project = Project { dir: folder.to_path_buf(), dialect: from, migrations };
    let up = plan::plan_apply(
        &project.migrations,
        &[],
        to,
        from,
        &ApplyRequest { allow_out_of_order: true, ..ApplyRequest::default() },
    )?;
    let ledger = Ledger::new(to, &ctx.ledger_table, None)?;
    let mut notices: Vec<_> = up.units.iter().filter(|u| u.index == index).flat_map(|u| u.script.notices.clone()).collect();
    let parsed = project.migrations[index].parse(from)?;
    let mut sections: Vec<(Direction, Vec<String>)> = Vec::new();
    if to == Dialect::Sqlite {
        // SQLite rebuilds are planned from a live schema: rehearse on an in-memory database
        // built by the earlier migrations, then this one's up, then its down.
        let mut scratch = crate::driver::SqliteDriver::schema_copy(None, &ctx.ledger_table)?;
        ledger.ensure(&mut scratch)?;
        let before = plan::Plan {
            units: up.units.iter().filter(|u| u.index != index).cloned().collect(),
            single_transaction: false,
            warnings: Vec::new(),
        };
        if let Some(e) = exec::execute(&mut scratch, &ledger, &before, &project.migrations, &mut |_| {}).failure {
            return Err(e);
        }
        let only = plan::Plan {
            units: up.units.iter().filter(|u| u.index == index).cloned().collect(),
            single_transaction: false,
            warnings: Vec::new(),
        };
        sections.push((
            Direction::Up,
            rehearsed_statements(exec::rehearse_units(&mut scratch, &ledger, &only, &project.migrations)?),
        ));
        let rows = ledger.read(&mut scratch)?;
        let down = plan::plan_rollback(&project.migrations, &rows, to, from, &RollbackRequest { to: None, steps: Some(1) });
        if let Ok(down) = down {
            notices.extend(exec::notices(&down));
            sections.push((
                Direction::Down,
                rehearsed_statements(exec::rehearse_units(&mut scratch, &ledger, &down, &project.migrations)?),
            ));
        }
    } else {
        let ups = up.units.iter().find(|u| u.index == index).map(|u| u.script.statements.iter().map(|e| e.sql.clone()).collect());
        sections.push((Direction::Up, ups.unwrap_or_default()));
        let mut catalog = crate::catalog::Catalog::default();
        for m in &project.migrations {
            if let Ok(p) = m.parse(from) {
                p.fold(Direction::Up, to, &mut catalog);
            }
        }
        if let Some(script) = parsed.script(&project.migrations[index].source, Direction::Down, to, &mut catalog)? {
            notices.extend(script.notices);
            sections.push((Direction::Down, script.statements.into_iter().map(|e| e.sql).collect()));
        }
    }
    let mut text = String::new();
    for (direction, statements) in sections {
        text.push_str(&format!("-- +{}\n", direction.name()));
        for s in statements {
            text.push_str(&s);
            text.push_str(";\n");
        }
        text.push('\n');
    }
    print_notices(out, &notices);
    out.set("from", json!(from.name()));
    out.set("to", json!(to.name()));
    out.set("sql", json!(text));
    out.result(text.trim_end());
    Ok(EXIT_OK)
}

/// The statements a rehearsal sent, without transaction control and ledger writes.
fn rehearsed_statements(units: Vec<exec::Rehearsed>) -> Vec<String> {
    units
        .into_iter()
        .flat_map(|u| u.statements)
        .filter(|s| !matches!(s.as_str(), "BEGIN IMMEDIATE" | "COMMIT") && !s.contains("sqlmig_ledger"))
        .collect()
}

fn completions(shell: clap_complete::Shell) -> Result<i32> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "sqlmig", &mut buf);
    print_stdout(String::from_utf8_lossy(&buf).trim_end());
    Ok(EXIT_OK)
}

fn man() -> Result<i32> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf).map_err(|source| Error::Io {
        action: "write",
        path: PathBuf::from("<stdout>"),
        source,
    })?;
    print_stdout(String::from_utf8_lossy(&buf).trim_end());
    Ok(EXIT_OK)
}

fn baseline(ctx: &Context, out: &mut Output, version: u64) -> Result<i32> {
    let project = ctx.project()?;
    // Baseline adopts a database that exists; it never creates an empty SQLite file.
    let Some(mut driver) = ctx.driver(false)? else {
        return Err(Error::input(format!("{} does not exist: `sqlmig baseline` adopts an existing database", ctx.url))
            .with_help("on a new database, run `sqlmig apply` instead"));
    };
    let rows = {
        let out_ref: &Output = out;
        let mut migrator = ctx.migrator(&project, driver.as_mut(), out_ref)?;
        migrator.baseline(version)?
    };
    let label = |v: u64| project.migrations.iter().find(|m| m.id.version == v).map_or_else(|| v.to_string(), |m| m.label());
    out.set("baseline", Json::Array(rows.iter().map(|r| json!({ "version": r.version, "label": label(r.version) })).collect()));
    for r in &rows {
        out.line(format!("{} {}", out.paint(Style::Info, "baseline"), label(r.version)));
    }
    out.line(format!(
        "{} migration{} up to {version} recorded as baseline on {} (not run); `sqlmig apply` runs the later ones",
        rows.len(),
        plural(rows.len()),
        ctx.url
    ));
    Ok(EXIT_OK)
}

/// `sqlmig import`: convert the tool's folder, read its history when a database is given,
/// then write the files and the ledger rows, all or nothing.
fn import(ctx: &Context, out: &mut Output, tool: &str, source: &Path, use_database: bool, is_dry_run: bool) -> Result<i32> {
    use crate::import::{self, Tool};
    let tool: Tool = tool.parse()?;
    if source.is_dir() && ctx.dir.is_dir() && source.canonicalize().ok() == ctx.dir.canonicalize().ok() {
        return Err(Error::input(format!(
            "`{}` is both the {} folder and sqlmig's migrations folder",
            source.display(),
            tool.name()
        ))
        .with_help("import into another folder with `--dir`, e.g. `--dir migrations`, and remove the tool's folder afterwards"));
    }
    let migrations = tool.read(source)?;
    crate::error::collect(migrations.iter().filter_map(|m| m.check(ctx.dialect).err()).collect())?;
    let placements = import::place(&migrations, &ctx.dir)?;

    let mut driver = if use_database {
        out.set("database", json!(ctx.url.masked()));
        Some(ctx.driver(false)?.ok_or_else(|| {
            Error::input(format!("{} does not exist: there is no {} history to read", ctx.url, tool.name()))
                .with_help("point `--database` at the database the tool migrated, or pass `--files-only`")
        })?)
    } else {
        None
    };
    // The project as it will be: the folder's files and the new ones.
    let mut project = if ctx.dir.is_dir() {
        Project::load(&ctx.dir, ctx.dialect)?
    } else {
        Project { dir: ctx.dir.clone(), dialect: ctx.dialect, migrations: Vec::new() }
    };
    project.migrations.extend(migrations.iter().zip(&placements).filter(|(_, p)| !p.exists).map(|(m, _)| m.migration(&ctx.dir)));
    project.migrations.sort_by_key(|m| m.id.version);

    let mut written: Vec<PathBuf> = Vec::new();
    let created_dir = !ctx.dir.exists();
    let (applied, recorded, already): (BTreeSet<u64>, Vec<u64>, Vec<u64>) = match driver.as_mut() {
        None => {
            if !is_dry_run {
                create_folder(&ctx.dir)?;
                written = import::write(&migrations, &placements)?;
            }
            Default::default()
        }
        Some(d) if is_dry_run => {
            let applied = tool.applied(d.as_mut(), &migrations)?;
            let versions: Vec<u64> = applied.iter().copied().collect();
            let out_ref: &Output = out;
            let already = ctx.migrator(&project, d.as_mut(), out_ref)?.import_check(&versions)?;
            let recorded = versions.into_iter().filter(|v| !already.contains(v)).collect();
            (applied, recorded, already)
        }
        Some(d) => {
            let result = {
                let out_ref: &Output = out;
                let mut migrator = ctx.migrator(&project, d.as_mut(), out_ref)?;
                migrator.import(
                    |driver| Ok(tool.applied(driver, &migrations)?.into_iter().collect()),
                    || {
                        create_folder(&ctx.dir)?;
                        written = import::write(&migrations, &placements)?;
                        Ok(())
                    },
                )
            };
            match result {
                Ok(r) => (r.applied.into_iter().collect(), r.written.iter().map(|row| row.version).collect(), r.already),
                Err(e) => {
                    import::remove(&written);
                    if created_dir {
                        let _ = std::fs::remove_dir(&ctx.dir);
                    }
                    return Err(e);
                }
            }
        }
    };
    let target = ctx.url.dialect();
    if driver.is_some() && target != ctx.dialect {
        // The tool sent each file to this database as it is; sqlmig reads files in the
        // project's dialect and translates them.
        out.note(format!(
            "notice: {} ran these files on {} as they are; sqlmig reads them as {} SQL and translates them. \
             If they are written in {}'s own SQL, set `dialect = \"{}\"` in sqlmig.toml (or pass `--dialect {}`)",
            tool.name(),
            target.name(),
            ctx.dialect.name(),
            target.name(),
            target.name(),
            target.name()
        ));
    }
    if !written.is_empty() && ctx.dir.join(sumfile::FILE_NAME).exists() {
        update_sum(ctx)?;
    }

    let verb = if is_dry_run { "would write" } else { "wrote" };
    for (m, p) in migrations.iter().zip(&placements) {
        let from: Vec<String> = m.sources.iter().map(|s| s.display().to_string()).collect();
        let what = if p.exists { out.paint(Style::Info, "unchanged") } else { out.paint(Style::Good, verb) };
        out.line(format!("{what} {} (from {})", p.path.display(), from.join(" + ")));
    }
    let label = |v: &u64| migrations.iter().find(|m| m.version == *v).map_or_else(|| v.to_string(), |m| m.label());
    for v in &recorded {
        let what = if is_dry_run { "would record" } else { "imported" };
        out.line(format!("{} {} (applied by {})", out.paint(Style::Info, what), label(v), tool.name()));
    }
    for v in &already {
        out.line(format!("{} {} (already in the ledger)", out.paint(Style::Info, "unchanged"), label(v)));
    }
    out.set("dry_run", json!(is_dry_run));
    out.set("from", json!(tool.name()));
    out.set("source", json!(source.display().to_string()));
    out.set("dir", json!(ctx.dir.display().to_string()));
    out.set("history_read", json!(driver.is_some()));
    out.set(
        "migrations",
        Json::Array(
            migrations
                .iter()
                .zip(&placements)
                .map(|(m, p)| {
                    json!({
                        "version": m.version,
                        "label": m.label(),
                        "path": p.path.display().to_string(),
                        "sources": m.sources.iter().map(|s| s.display().to_string()).collect::<Vec<_>>(),
                        "file": if p.exists { "unchanged" } else if is_dry_run { "would_write" } else { "written" },
                        "no_transaction": m.no_transaction,
                        "has_down": m.has_down,
                        "applied": applied.contains(&m.version),
                    })
                })
                .collect(),
        ),
    );
    let versions_json = |vs: &[u64]| Json::Array(vs.iter().map(|v| json!({ "version": v, "label": label(v) })).collect());
    out.set("imported", versions_json(&recorded));
    out.set("already_recorded", versions_json(&already));
    let new_files = placements.iter().filter(|p| !p.exists).count();
    let mut summary = format!(
        "{} {} migration{} converted into `{}` ({new_files} new file{})",
        migrations.len(),
        tool.name(),
        plural(migrations.len()),
        ctx.dir.display(),
        plural(new_files)
    );
    if driver.is_some() {
        summary.push_str(&format!(
            "; {} recorded as imported on {} (not run), `sqlmig apply` runs the other {}",
            recorded.len() + already.len(),
            ctx.url,
            migrations.len() - applied.len()
        ));
    }
    if is_dry_run {
        summary = format!("dry run, nothing changed: {summary}");
    }
    out.line(summary);
    Ok(EXIT_OK)
}

fn create_folder(dir: &Path) -> Result<()> {
    crate::files::create_dir_all(dir)
}

/// What a repair change does, for the question, the report and `--format json`.
fn repair_json(c: &RepairChange) -> Json {
    match c {
        RepairChange::Accept { version, label, cosmetic, old_checksum, new_checksum } => json!({
            "version": version, "label": label, "action": "accept_checksum", "cosmetic": cosmetic,
            "previous_checksum": old_checksum, "checksum": new_checksum,
        }),
        RepairChange::Remove { version, label, checksum } => json!({
            "version": version, "label": label, "action": "remove", "previous_checksum": checksum, "checksum": null,
        }),
    }
}

fn short(checksum: &str) -> &str {
    checksum.get(..12).unwrap_or(checksum)
}

fn repair_question(c: &RepairChange) -> String {
    match c {
        RepairChange::Accept { label, cosmetic, .. } => format!(
            "accept the current checksum of {label} ({} after it was applied)?",
            if *cosmetic { "comments or whitespace changed" } else { "edited" }
        ),
        RepairChange::Remove { label, .. } => format!("remove {label} from the ledger (its file is missing)?"),
    }
}

fn repair_done(c: &RepairChange) -> String {
    match c {
        RepairChange::Accept { label, old_checksum, new_checksum, .. } => {
            format!(
                "accepted {label}: checksum {} -> {} (the old one is kept as previous_checksum)",
                short(old_checksum),
                short(new_checksum)
            )
        }
        RepairChange::Remove { label, .. } => format!("removed {label} from the ledger (its file is missing)"),
    }
}

/// Ask a yes/no question on stderr and read the answer from `input`; anything but `y` or
/// `yes` (or the end of input) is no.
fn confirm(question: &str, input: &mut dyn BufRead) -> bool {
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if input.read_line(&mut answer).unwrap_or(0) == 0 {
        eprintln!();
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

fn repair(ctx: &Context, out: &mut Output, yes: bool) -> Result<i32> {
    let project = ctx.project()?;
    let Some(mut driver) = ctx.driver(false)? else {
        out.set("repaired", json!([]));
        out.line(format!("nothing to repair: {} does not exist", ctx.url));
        return Ok(EXIT_OK);
    };
    let out_ref: &Output = out;
    let mut migrator = ctx.migrator(&project, driver.as_mut(), out_ref)?;
    let changes = migrator.repair_changes()?;
    if changes.is_empty() {
        drop(migrator);
        out.set("repaired", json!([]));
        out.line("nothing to repair: every applied migration matches its file");
        return Ok(EXIT_OK);
    }
    let approved: Vec<RepairChange> = if yes {
        changes.clone()
    } else if std::io::stdin().is_terminal() {
        let mut stdin = std::io::stdin().lock();
        changes.iter().filter(|c| confirm(&repair_question(c), &mut stdin)).cloned().collect()
    } else {
        drop(migrator);
        out.set("pending_changes", Json::Array(changes.iter().map(repair_json).collect()));
        for c in &changes {
            out.line(format!("would {}", repair_question(c).trim_end_matches('?')));
        }
        return Err(Error::input(format!(
            "`sqlmig repair` would change {} ledger row{} and stdin is not a terminal to confirm; pass --yes",
            changes.len(),
            plural(changes.len())
        ))
        .with_help("run it in a terminal to decide one change at a time, or pass --yes to make every change listed"));
    };
    migrator.repair(&approved)?;
    drop(migrator);
    let declined: Vec<&RepairChange> = changes.iter().filter(|c| !approved.contains(c)).collect();
    out.set("repaired", Json::Array(approved.iter().map(repair_json).collect()));
    out.set("declined", Json::Array(declined.iter().map(|c| repair_json(c)).collect()));
    for c in &approved {
        out.line(repair_done(c));
    }
    for c in &declined {
        out.line(format!("left {} as it was", c.label()));
    }
    out.line(format!("{} ledger row{} repaired on {}", approved.len(), plural(approved.len()), ctx.url));
    Ok(EXIT_OK)
}

fn resolve(ctx: &Context, out: &mut Output, version: u64, resolution: Resolution) -> Result<i32> {
    let project = ctx.project()?;
    let Some(mut driver) = ctx.driver(false)? else {
        return Err(Error::input(format!("{} does not exist", ctx.url)));
    };
    let row = {
        let out_ref: &Output = out;
        let mut migrator = ctx.migrator(&project, driver.as_mut(), out_ref)?;
        migrator.resolve(version, resolution)?
    };
    let what = match resolution {
        Resolution::Applied => "marked applied",
        Resolution::RolledBack => "removed from the ledger (rolled back)",
    };
    out.set("resolved", json!({ "version": row.version, "name": row.name, "resolution": what }));
    out.line(format!("{}_{}: {what}", row.version, row.name));
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn confirm_takes_yes_only() {
        let mut yes: &[u8] = b"y\n";
        assert!(confirm("q?", &mut yes));
        let mut long_yes: &[u8] = b" YES \n";
        assert!(confirm("q?", &mut long_yes));
        for answer in [&b"\n"[..], b"n\n", b"maybe\n", b""] {
            let mut input = answer;
            assert!(!confirm("q?", &mut input), "{answer:?}");
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Add users' email"), "add_users_email");
        assert_eq!(slug("  create--table  "), "create_table");
        assert_eq!(slug("!!!"), "");
    }
}
