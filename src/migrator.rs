//! The library's front door: a [`Project`] (a migrations folder, loaded) and a [`Migrator`]
//! that runs commands for it against one database, holding the migration lock where a
//! command writes. The CLI is a thin layer over this.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::dialect::Dialect;
use crate::discover::{self, MigrationId};
use crate::driver::{Driver, Value};
use crate::error::{Error, Result};
use crate::exec::{self, Ran, Report};
use crate::ledger::{Ledger, LedgerRow, LedgerState, DEFAULT_TABLE};
use crate::migration::Migration;
use crate::plan::{self, ApplyRequest, Plan, RollbackRequest, StatusEntry, Verification};
use crate::source::Source;

/// A folder of migrations, read and checksummed (parsing happens when needed).
#[derive(Debug, Clone)]
pub struct Project {
    /// The folder.
    pub dir: PathBuf,
    /// The dialect of files without a `-- +dialect` line.
    pub dialect: Dialect,
    /// The migrations, by version.
    pub migrations: Vec<Migration>,
}

impl Project {
    /// Load every migration in `dir`. All problems (bad names, duplicate versions, unreadable
    /// or non-UTF-8 files) are reported together.
    pub fn load(dir: impl AsRef<Path>, dialect: Dialect) -> Result<Self> {
        let dir = dir.as_ref();
        let ids = discover::discover(dir)?;
        let mut errors = Vec::new();
        let mut migrations = Vec::with_capacity(ids.len());
        for loaded in load_all(ids) {
            match loaded {
                Ok(m) => migrations.push(m),
                Err(e) => errors.push(e),
            }
        }
        crate::error::collect(errors)?;
        Ok(Project { dir: dir.to_path_buf(), dialect, migrations })
    }

    /// A project from `(file name, text)` pairs held in memory, e.g. migrations embedded in
    /// a binary with `include_str!`.
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>, dialect: Dialect) -> Result<Self> {
        let mut migrations = Vec::new();
        let mut errors = Vec::new();
        for (name, text) in files {
            match discover::filename(name) {
                Ok((version, version_text, stem)) => {
                    let id =
                        MigrationId { version, version_text: version_text.into(), name: stem.into(), path: PathBuf::from(name) };
                    migrations.push(Migration::from_source(id, Source::new(name, text)));
                }
                Err(reason) => errors.push(Error::input(format!("`{name}` is not a valid migration file name: {reason}"))),
            }
        }
        migrations.sort_by_key(|m: &Migration| m.id.version);
        for pair in migrations.windows(2) {
            if pair[0].id.version == pair[1].id.version {
                errors.push(Error::input(format!(
                    "two migrations have version {}: `{}` and `{}`",
                    pair[0].id.version,
                    pair[0].label(),
                    pair[1].label()
                )));
            }
        }
        crate::error::collect(errors)?;
        Ok(Project { dir: PathBuf::new(), dialect, migrations })
    }

    /// Parse every migration, reporting all malformed files at once.
    pub fn check(&self) -> Result<()> {
        let files: Vec<&Migration> = self.migrations.iter().collect();
        let mut errors = Vec::new();
        crate::migration::parse_each(&files, self.dialect, |_, parsed| errors.extend(parsed.err()));
        crate::error::collect(errors)
    }
}

/// Read and checksum every file, in version order. Every command pays this (a no-op deploy
/// reads a thousand small files), so large folders are read on every core.
fn load_all(ids: Vec<MigrationId>) -> Vec<Result<Migration>> {
    const PER_THREAD: usize = 64;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8).min(ids.len() / PER_THREAD);
    if threads < 2 {
        return ids.into_iter().map(Migration::load).collect();
    }
    let chunk = ids.len().div_ceil(threads);
    let mut ids = ids;
    let mut parts = Vec::with_capacity(threads);
    while ids.len() > chunk {
        let rest = ids.split_off(chunk);
        parts.push(std::mem::replace(&mut ids, rest));
    }
    parts.push(ids);
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || part.into_iter().map(Migration::load).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

/// How `resolve` settles a dirty migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The person finished the migration by hand: mark it applied.
    Applied,
    /// The person undid it by hand: remove it from the ledger.
    RolledBack,
}

/// One change `repair` makes to the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepairChange {
    /// Accept the current checksums of an applied migration whose file was edited on purpose.
    Accept {
        /// The version.
        version: u64,
        /// `<version>_<name>`.
        label: String,
        /// Whether the edit is cosmetic (comments, whitespace) only.
        cosmetic: bool,
        /// The file checksum the ledger holds now.
        old_checksum: String,
        /// The file's checksum.
        new_checksum: String,
    },
    /// Remove the row of a migration whose file is gone.
    Remove {
        /// The version.
        version: u64,
        /// `<version>_<name>` as the ledger names it.
        label: String,
        /// The checksum the row holds.
        checksum: String,
    },
}

impl RepairChange {
    /// The version concerned.
    pub fn version(&self) -> u64 {
        match self {
            RepairChange::Accept { version, .. } | RepairChange::Remove { version, .. } => *version,
        }
    }

    /// `<version>_<name>`.
    pub fn label(&self) -> &str {
        match self {
            RepairChange::Accept { label, .. } | RepairChange::Remove { label, .. } => label,
        }
    }
}

/// What [`Migrator::import`] found and wrote.
#[derive(Debug, Clone)]
pub struct ImportRecord {
    /// The versions the other tool applied, by version.
    pub applied: Vec<u64>,
    /// The ledger rows written.
    pub written: Vec<LedgerRow>,
    /// Versions the ledger already recorded with the same checksums, left as they were.
    pub already: Vec<u64>,
}

/// Runs commands for a project against one database.
pub struct Migrator<'a> {
    project: &'a Project,
    driver: &'a mut dyn Driver,
    ledger: Ledger,
    lock_timeout: Option<Duration>,
    on_wait: Box<dyn FnMut() + 'a>,
    /// Whether the ledger table exists, as seen after taking the lock (`None` without it).
    ledger_exists: Option<bool>,
}

impl<'a> Migrator<'a> {
    /// A migrator using the default ledger table.
    pub fn new(project: &'a Project, driver: &'a mut dyn Driver) -> Result<Self> {
        let ledger = Ledger::new(driver.dialect(), DEFAULT_TABLE, driver.schema())?;
        Ok(Migrator { project, driver, ledger, lock_timeout: None, on_wait: Box::new(|| {}), ledger_exists: None })
    }

    /// Use another ledger table name.
    pub fn ledger_table(mut self, table: &str) -> Result<Self> {
        self.ledger = Ledger::new(self.driver.dialect(), table, self.driver.schema())?;
        Ok(self)
    }

    /// Give up waiting for another sqlmig's lock after this long.
    pub fn lock_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// Called once when the lock is taken by another process and this one starts waiting.
    pub fn on_wait(mut self, f: impl FnMut() + 'a) -> Self {
        self.on_wait = Box::new(f);
        self
    }

    /// The database connection.
    pub fn driver(&mut self) -> &mut dyn Driver {
        self.driver
    }

    /// The ledger in use.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The ledger's rows (empty when it does not exist yet; nothing is created).
    pub fn rows(&mut self) -> Result<Vec<LedgerRow>> {
        self.ledger.read(self.driver)
    }

    /// Every migration's state.
    pub fn status(&mut self) -> Result<Vec<StatusEntry>> {
        let (rows, elsewhere) = read_settled(self.driver, &self.ledger)?;
        Ok(plan::status(&self.project.migrations, &rows, self.project.dialect, elsewhere))
    }

    /// Compare applied migrations with their files.
    pub fn verify(&mut self) -> Result<Verification> {
        let (rows, elsewhere) = read_settled(self.driver, &self.ledger)?;
        Ok(plan::verify(&self.project.migrations, &rows, self.project.dialect, elsewhere))
    }

    /// What `apply` would run, without the lock and without writing anything.
    pub fn plan_apply(&mut self, request: &ApplyRequest) -> Result<Plan> {
        let rows = self.rows()?;
        plan::plan_apply(&self.project.migrations, &rows, self.driver.dialect(), self.project.dialect, request)
    }

    /// What `rollback` would run.
    pub fn plan_rollback(&mut self, request: &RollbackRequest) -> Result<Plan> {
        let rows = self.rows()?;
        plan::plan_rollback(&self.project.migrations, &rows, self.driver.dialect(), self.project.dialect, request)
    }

    /// The SQL a plan sends, as `--dry-run` prints it.
    pub fn render(&self, plan: &Plan) -> String {
        exec::render(plan, &self.project.migrations, &self.ledger, self.driver.dialect())
    }

    /// Apply pending migrations.
    pub fn apply(&mut self, request: &ApplyRequest, progress: &mut dyn FnMut(&Ran)) -> Result<Report> {
        self.locked(|m| {
            let rows = m.read_locked()?;
            let plan = plan::plan_apply(&m.project.migrations, &rows, m.driver.dialect(), m.project.dialect, request)?;
            m.run(&plan, progress)
        })
    }

    /// Run a plan: the ledger is created only now, when there is something to record, so
    /// a refused or empty run leaves the database as it was.
    fn run(&mut self, plan: &Plan, progress: &mut dyn FnMut(&Ran)) -> Result<Report> {
        if !plan.units.is_empty() {
            ensure_ledger(self.driver, &self.ledger)?;
        }
        Ok(exec::execute(self.driver, &self.ledger, plan, &self.project.migrations, progress))
    }

    /// Roll back applied migrations, newest application first.
    pub fn rollback(&mut self, request: &RollbackRequest, progress: &mut dyn FnMut(&Ran)) -> Result<Report> {
        self.locked(|m| {
            let rows = m.read_locked()?;
            let plan = plan::plan_rollback(&m.project.migrations, &rows, m.driver.dialect(), m.project.dialect, request)?;
            m.run(&plan, progress)
        })
    }

    /// Roll back the newest migration and apply it again. Both halves are planned before
    /// anything runs. The newest migration's up section may have been edited (the usual
    /// reason to redo); its down section must be as applied.
    pub fn redo(&mut self, progress: &mut dyn FnMut(&Ran)) -> Result<Report> {
        self.locked(|m| {
            let rows = m.read_locked()?;
            let target = m.driver.dialect();
            let migrations = &m.project.migrations;
            let down =
                plan::plan_rollback(migrations, &rows, target, m.project.dialect, &RollbackRequest { to: None, steps: Some(1) })?;
            let Some(unit) = down.units.first() else {
                return Err(Error::input("nothing to redo: no migration is applied"));
            };
            let version = unit.row.version;
            let remaining: Vec<LedgerRow> = rows.iter().filter(|r| r.version != version).cloned().collect();
            let up_request = ApplyRequest { to: Some(version), allow_out_of_order: true, ..ApplyRequest::default() };
            let mut up = plan::plan_apply(migrations, &remaining, target, m.project.dialect, &up_request)?;
            up.units.retain(|u| u.row.version == version);
            let mut plan = down;
            plan.units.extend(up.units);
            m.run(&plan, progress)
        })
    }

    /// Settle a dirty migration after the person fixed the database by hand.
    pub fn resolve(&mut self, version: u64, resolution: Resolution) -> Result<LedgerRow> {
        self.locked(|m| {
            let rows = m.read_locked()?;
            let Some(row) = rows.into_iter().find(|r| r.version == version) else {
                return Err(Error::input(format!("version {version} is not in the ledger")));
            };
            if !row.state.is_dirty() {
                return Err(Error::input(format!(
                    "{}_{} is not dirty (it is {}): nothing to resolve",
                    row.version,
                    row.name,
                    row.state.as_str()
                )));
            }
            match resolution {
                Resolution::RolledBack => {
                    m.driver.execute_with(&m.ledger.delete_sql(), &[Value::Int(version as i64)])?;
                }
                Resolution::Applied => {
                    let params = [
                        Value::Text(LedgerState::Applied.as_str().into()),
                        Value::Int(row.statements_total),
                        Value::Int(row.statements_total),
                        Value::Int(row.execution_ms),
                        Value::Int(version as i64),
                    ];
                    m.driver.execute_with(&m.ledger.progress_sql(), &params)?;
                }
            }
            Ok(row)
        })
    }

    /// Adopt a database whose schema already exists: record every migration up to and
    /// including `version` as `baseline` (checksums of the files, nothing run), so `apply`
    /// runs only later ones. Refused when any of them, or a later one, is in the ledger
    /// already. Returns the rows written.
    pub fn baseline(&mut self, version: u64) -> Result<Vec<LedgerRow>> {
        let migrations = &self.project.migrations;
        if !migrations.iter().any(|m| m.id.version == version) {
            return Err(Error::input(format!("no migration has version {version}")).with_help(
                "baseline at the version of the newest migration the database already has; `sqlmig status` lists them",
            ));
        }
        // Parse before taking the lock: a malformed file stops it with nothing touched.
        let mut parsed = Vec::new();
        let mut errors = Vec::new();
        for m in migrations.iter().filter(|m| m.id.version <= version) {
            match m.parse(self.project.dialect) {
                Ok(p) => parsed.push((m, p)),
                Err(e) => errors.push(e),
            }
        }
        crate::error::collect(errors)?;
        self.locked(|m| {
            let rows = m.read_locked()?;
            let label = |r: &LedgerRow| {
                m.project
                    .migrations
                    .iter()
                    .find(|x| x.id.version == r.version)
                    .map_or_else(|| format!("{}_{}", r.version, r.name), Migration::label)
            };
            let taken: Vec<String> = rows.iter().filter(|r| r.version <= version).map(label).collect();
            if !taken.is_empty() {
                return Err(Error::input(format!(
                    "cannot baseline at {version}: the ledger already records {}; nothing was changed",
                    taken.join(", ")
                ))
                .with_help("baseline adopts a database sqlmig has not managed yet; a ledger that has rows is past that"));
            }
            let newer: Vec<String> = rows.iter().filter(|r| r.version > version).map(label).collect();
            if !newer.is_empty() {
                return Err(Error::input(format!(
                    "cannot baseline at {version}: the ledger already records later migrations ({}); nothing was changed",
                    newer.join(", ")
                )));
            }
            let first_seq = rows.iter().map(|r| r.seq).max().unwrap_or(0) + 1;
            let new_rows: Vec<LedgerRow> = (first_seq..)
                .zip(&parsed)
                .map(|(seq, (mig, p))| LedgerRow {
                    state: LedgerState::Baseline,
                    unparsed_statements: 0,
                    ..crate::ledger::new_row(mig, p, seq)
                })
                .collect();
            ensure_ledger(m.driver, &m.ledger)?;
            let sql = m.ledger.insert_sql();
            m.in_transaction(|driver| {
                new_rows.iter().try_for_each(|row| driver.execute_with(&sql, &Ledger::insert_params(row)).map(drop))
            })?;
            Ok(new_rows)
        })
    }

    /// Which of `versions` the ledger already records with their files' checksums (an
    /// earlier import of the same folder), without the lock and without writing anything.
    /// A version it records otherwise (another checksum, or dirty) is an error: the ledger
    /// and the other tool disagree about what ran.
    pub fn import_check(&mut self, versions: &[u64]) -> Result<Vec<u64>> {
        let rows = self.rows()?;
        import_conflicts(&self.project.migrations, &rows, versions)
    }

    /// Record migrations another tool applied (`sqlmig import`): holding the lock, ask
    /// `applied` which versions the tool applied (it reads the tool's history table), check
    /// the ledger, run `before_write` (the CLI writes the files there; if it fails nothing
    /// is recorded), then write a row in state `imported` per version, with the checksums of
    /// the files, nothing run. Versions the ledger already records with the same checksums
    /// are left as they are; any other row for one of them refuses the whole import.
    pub fn import(
        &mut self,
        applied: impl FnOnce(&mut dyn Driver) -> Result<Vec<u64>>,
        before_write: impl FnOnce() -> Result<()>,
    ) -> Result<ImportRecord> {
        self.locked(|m| {
            let applied = applied(m.driver)?;
            let mut parsed = Vec::new();
            let mut errors = Vec::new();
            for v in &applied {
                let Some(mig) = m.project.migrations.iter().find(|x| x.id.version == *v) else {
                    return Err(Error::input(format!("no migration has version {v}")));
                };
                match mig.parse(m.project.dialect) {
                    Ok(p) => parsed.push((mig, p)),
                    Err(e) => errors.push(e),
                }
            }
            crate::error::collect(errors)?;
            let rows = m.ledger.read(m.driver)?;
            let already = import_conflicts(&m.project.migrations, &rows, &applied)?;
            before_write()?;
            let first_seq = rows.iter().map(|r| r.seq).max().unwrap_or(0) + 1;
            let written: Vec<LedgerRow> = (first_seq..)
                .zip(parsed.iter().filter(|(mig, _)| !already.contains(&mig.id.version)))
                .map(|(seq, (mig, p))| LedgerRow {
                    state: LedgerState::Imported,
                    unparsed_statements: 0,
                    ..crate::ledger::new_row(mig, p, seq)
                })
                .collect();
            if !written.is_empty() {
                ensure_ledger(m.driver, &m.ledger)?;
                let sql = m.ledger.insert_sql();
                m.in_transaction(|driver| {
                    written.iter().try_for_each(|row| driver.execute_with(&sql, &Ledger::insert_params(row)).map(drop))
                })?;
            }
            Ok(ImportRecord { applied, written, already })
        })
    }

    /// What `repair` would change: accept the checksums of applied migrations whose files
    /// were edited, and remove the rows of migrations whose files are gone. Dirty rows are
    /// left to [`Migrator::resolve`]. Reads only; a file that does not parse is an error.
    pub fn repair_changes(&mut self) -> Result<Vec<RepairChange>> {
        let rows = self.rows()?;
        let mut changes = Vec::new();
        let mut errors = Vec::new();
        for row in rows.iter().filter(|r| !r.state.is_dirty()) {
            match self.project.migrations.iter().find(|m| m.id.version == row.version) {
                None => changes.push(RepairChange::Remove {
                    version: row.version,
                    label: format!("{}_{}", row.version, row.name),
                    checksum: row.checksum.clone(),
                }),
                Some(m) if m.checksum.to_hex() != row.checksum => {
                    if let Err(e) = m.parse(self.project.dialect) {
                        errors.push(e);
                        continue;
                    }
                    let cosmetic = plan::check(row, Some(m), self.project.dialect) == plan::Check::Cosmetic;
                    changes.push(RepairChange::Accept {
                        version: row.version,
                        label: m.label(),
                        cosmetic,
                        old_checksum: row.checksum.clone(),
                        new_checksum: m.checksum.to_hex(),
                    });
                }
                Some(_) => {}
            }
        }
        crate::error::collect(errors)?;
        Ok(changes)
    }

    /// Make the changes [`Migrator::repair_changes`] listed (those the person approved),
    /// holding the lock, in one transaction where the database allows. The ledger is
    /// upgraded to layout 2 first if it is older. Each change is checked against the ledger
    /// and the files again: if either moved since, nothing is changed.
    pub fn repair(&mut self, approved: &[RepairChange]) -> Result<()> {
        if approved.is_empty() {
            return Ok(());
        }
        self.locked(|m| {
            let now = m.repair_changes()?;
            if let Some(stale) = approved.iter().find(|c| !now.contains(c)) {
                return Err(Error::input(format!(
                    "the ledger or the file of {} changed since the repair was planned; nothing was changed",
                    stale.label()
                ))
                .with_help("run `sqlmig repair` again"));
            }
            ensure_ledger(m.driver, &m.ledger)?;
            let at = crate::ledger::now_utc();
            let mut statements = Vec::new();
            for change in approved {
                match change {
                    RepairChange::Accept { version, old_checksum, .. } => {
                        let mig = m.project.migrations.iter().find(|x| x.id.version == *version).expect("checked above");
                        let p = mig.parse(m.project.dialect)?;
                        statements.push((
                            m.ledger.repair_sql(),
                            vec![
                                Value::Text(mig.checksum.to_hex()),
                                Value::Text(p.canonical.all.to_hex()),
                                Value::Text(p.canonical.up.to_hex()),
                                Value::Text(p.canonical.down.to_hex()),
                                Value::Int(crate::checksum::SCHEME),
                                Value::Text(old_checksum.clone()),
                                Value::Text(at.clone()),
                                Value::Int(*version as i64),
                                Value::Text(old_checksum.clone()),
                            ],
                        ));
                    }
                    RepairChange::Remove { version, .. } => {
                        statements.push((m.ledger.delete_sql(), vec![Value::Int(*version as i64)]));
                    }
                }
            }
            m.in_transaction(|driver| statements.iter().try_for_each(|(sql, params)| driver.execute_with(sql, params).map(drop)))
        })
    }

    /// Run ledger writes in one transaction (the ledger's tables take part in transactions
    /// on every database); roll back if one fails.
    fn in_transaction(&mut self, f: impl FnOnce(&mut dyn Driver) -> Result<(), crate::driver::DbError>) -> Result<()> {
        let dialect = self.driver.dialect();
        self.driver.execute(dialect.begin_sql()).map_err(crate::ledger::ledger_error)?;
        match f(self.driver) {
            Ok(()) => self.driver.execute("COMMIT").map_err(crate::ledger::ledger_error),
            Err(e) => {
                let _ = self.driver.execute("ROLLBACK");
                Err(crate::ledger::ledger_error(e))
            }
        }
    }

    /// The ledger's rows, read under the lock: whether the table exists was seen when the
    /// lock was taken, and is not asked again.
    fn read_locked(&mut self) -> Result<Vec<LedgerRow>> {
        match self.ledger_exists {
            Some(false) => Ok(Vec::new()),
            Some(true) => self.ledger.read_existing(self.driver),
            None => self.ledger.read(self.driver),
        }
    }

    /// Run `f` holding the migration lock. The lock is released whatever `f` returns.
    fn locked<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let key = self.ledger.table().to_string();
        self.driver.lock(&key, self.lock_timeout, &mut *self.on_wait)?;
        let result = finish_interrupted_creation(self.driver, &self.ledger).and_then(|exists| {
            self.ledger_exists = Some(exists);
            f(self)
        });
        self.ledger_exists = None;
        let unlocked = self.driver.unlock(&key);
        let value = result?;
        unlocked?;
        Ok(value)
    }
}

/// The ledger's rows, and whether its `running` rows are another sqlmig's work in progress
/// (it holds the migration lock) rather than the trace of a run that died. The lock is asked
/// only when there is such a row, so the usual status costs no extra round trip.
pub fn read_settled(driver: &mut dyn Driver, ledger: &Ledger) -> Result<(Vec<LedgerRow>, bool)> {
    let running = |rows: &[LedgerRow]| rows.iter().any(|r| matches!(r.state, LedgerState::Running(_)));
    let rows = ledger.read(driver)?;
    if !running(&rows) {
        return Ok((rows, false));
    }
    if driver.lock_in_use(ledger.table())? {
        return Ok((rows, true));
    }
    // The lock is free: the run either finished after the rows were read, or died. Read
    // again; a row still running now is dead, as no run can start while it is there
    // (apply and rollback refuse a dirty ledger).
    Ok((ledger.read(driver)?, false))
}

/// The ledger's tables, schema-qualified and quoted: (ledger, layout table).
fn ledger_names(driver: &dyn Driver, ledger: &Ledger) -> (String, String) {
    let dialect = driver.dialect();
    let qualify = |t: &str| match driver.schema() {
        Some(s) => format!("{}.{}", dialect.quote_ident(s), dialect.quote_ident(t)),
        None => dialect.quote_ident(t),
    };
    (qualify(ledger.table()), qualify(&format!("{}_schema", ledger.table())))
}

fn count(driver: &mut dyn Driver, table: &str) -> Result<i64> {
    Ok(driver.query(&format!("SELECT COUNT(*) FROM {table}"), &[])?.first().and_then(|r| r.first()).map_or(0, Value::as_i64))
}

/// Create the ledger if it does not exist (then upgrade it as [`Ledger::ensure`] does).
///
/// Creating it takes two tables and a row. They are created in one transaction where DDL is
/// transactional, and the layout table (with its row) before the ledger table: MySQL commits
/// each `CREATE TABLE`, and a process killed after creating the ledger table but before its
/// layout table left a ledger that every later command refused as "not a sqlmig ledger".
/// Killed in between now, it leaves a layout table alone, which readers take for no ledger
/// at all, and the next run creates the rest.
fn ensure_ledger(driver: &mut dyn Driver, ledger: &Ledger) -> Result<()> {
    if driver.table_exists(ledger.table())? {
        return ledger.ensure(driver);
    }
    let dialect = driver.dialect();
    let (_, layout) = ledger_names(driver, ledger);
    let create = ledger.create_sql();
    let (create_ledger, create_layout) = (&create[0], &create[1]);
    let fail = |e: crate::driver::DbError| Error::Database(format!("cannot create the ledger table `{}`: {e}", ledger.table()));
    let transactional = dialect.transactional_ddl();
    if transactional {
        driver.execute(dialect.begin_sql()).map_err(fail)?;
    }
    let result = (|| -> Result<()> {
        driver.execute(create_layout).map_err(fail)?;
        if count(driver, &layout)? == 0 {
            driver
                .execute_with(
                    &format!("INSERT INTO {layout} (schema_version) VALUES ($1)"),
                    &[Value::Int(crate::ledger::LEDGER_SCHEMA_VERSION)],
                )
                .map_err(fail)?;
        }
        driver.execute(create_ledger).map_err(fail)
    })();
    if transactional {
        match &result {
            Ok(()) => driver.execute("COMMIT").map_err(fail)?,
            Err(_) => {
                let _ = driver.execute("ROLLBACK");
            }
        }
    }
    result?;
    ledger.ensure(driver)
}

/// Complete a ledger whose creation a killed process cut short (before [`ensure_ledger`]
/// ordered it, MySQL could be left with the ledger table and no layout table, or a layout
/// table without its row), so the commands that hold the lock can read it again. Only an
/// empty ledger table with sqlmig's columns is completed; anything else is left for
/// [`Ledger::read`] to report. Returns whether the ledger table exists.
fn finish_interrupted_creation(driver: &mut dyn Driver, ledger: &Ledger) -> Result<bool> {
    let layout_table = format!("{}_schema", ledger.table());
    if !driver.table_exists(ledger.table())? {
        return Ok(false);
    }
    let (table, layout) = ledger_names(driver, ledger);
    let has_layout = driver.table_exists(&layout_table)?;
    if has_layout && count(driver, &layout)? > 0 {
        return Ok(true);
    }
    let probe = format!("SELECT version, name, seq, state, checksum, previous_checksum, repaired_at FROM {table} WHERE 1 = 0");
    if driver.query(&probe, &[]).is_err() {
        return Ok(true);
    }
    if !has_layout {
        if count(driver, &table)? > 0 {
            return Ok(true);
        }
        driver.execute(&ledger.create_sql()[1])?;
    }
    driver.execute_with(
        &format!("INSERT INTO {layout} (schema_version) VALUES ($1)"),
        &[Value::Int(crate::ledger::LEDGER_SCHEMA_VERSION)],
    )?;
    Ok(true)
}

/// The versions among `versions` that `rows` already record as their files are; an error
/// naming every version recorded differently.
fn import_conflicts(migrations: &[Migration], rows: &[LedgerRow], versions: &[u64]) -> Result<Vec<u64>> {
    let mut already = Vec::new();
    let mut conflicts = Vec::new();
    for v in versions {
        let Some(row) = rows.iter().find(|r| r.version == *v) else { continue };
        let file = migrations.iter().find(|m| m.id.version == *v);
        match file {
            Some(m) if !row.state.is_dirty() && m.checksum.to_hex() == row.checksum => already.push(*v),
            _ => conflicts.push(format!(
                "{}_{} ({}{})",
                row.version,
                row.name,
                row.state.as_str(),
                if row.state.is_dirty() { "" } else { ", with another checksum" }
            )),
        }
    }
    if !conflicts.is_empty() {
        return Err(Error::input(format!(
            "the ledger already records {} differently; nothing was imported",
            conflicts.join(", ")
        ))
        .with_help("sqlmig already manages this database: `sqlmig status` shows what it recorded"));
    }
    Ok(already)
}
