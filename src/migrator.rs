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
        for id in ids {
            match Migration::load(id) {
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
        crate::error::collect(self.migrations.iter().filter_map(|m| m.parse(self.dialect).err()).collect())
    }
}

/// How `resolve` settles a dirty migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The person finished the migration by hand: mark it applied.
    Applied,
    /// The person undid it by hand: remove it from the ledger.
    RolledBack,
}

/// Runs commands for a project against one database.
pub struct Migrator<'a> {
    project: &'a Project,
    driver: &'a mut dyn Driver,
    ledger: Ledger,
    lock_timeout: Option<Duration>,
    on_wait: Box<dyn FnMut() + 'a>,
}

impl<'a> Migrator<'a> {
    /// A migrator using the default ledger table.
    pub fn new(project: &'a Project, driver: &'a mut dyn Driver) -> Result<Self> {
        let ledger = Ledger::new(driver.dialect(), DEFAULT_TABLE, driver.schema())?;
        Ok(Migrator { project, driver, ledger, lock_timeout: None, on_wait: Box::new(|| {}) })
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
        let rows = self.rows()?;
        Ok(plan::status(&self.project.migrations, &rows, self.project.dialect))
    }

    /// Compare applied migrations with their files.
    pub fn verify(&mut self) -> Result<Verification> {
        let rows = self.rows()?;
        Ok(plan::verify(&self.project.migrations, &rows, self.project.dialect))
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
            let rows = m.ledger.read(m.driver)?;
            let plan = plan::plan_apply(&m.project.migrations, &rows, m.driver.dialect(), m.project.dialect, request)?;
            m.run(&plan, progress)
        })
    }

    /// Run a plan: the ledger is created only now, when there is something to record, so
    /// a refused or empty run leaves the database as it was.
    fn run(&mut self, plan: &Plan, progress: &mut dyn FnMut(&Ran)) -> Result<Report> {
        if !plan.units.is_empty() {
            self.ledger.ensure(self.driver)?;
        }
        Ok(exec::execute(self.driver, &self.ledger, plan, &self.project.migrations, progress))
    }

    /// Roll back applied migrations, newest application first.
    pub fn rollback(&mut self, request: &RollbackRequest, progress: &mut dyn FnMut(&Ran)) -> Result<Report> {
        self.locked(|m| {
            let rows = m.ledger.read(m.driver)?;
            let plan = plan::plan_rollback(&m.project.migrations, &rows, m.driver.dialect(), m.project.dialect, request)?;
            m.run(&plan, progress)
        })
    }

    /// Roll back the newest migration and apply it again. Both halves are planned before
    /// anything runs. The newest migration's up section may have been edited (the usual
    /// reason to redo); its down section must be as applied.
    pub fn redo(&mut self, progress: &mut dyn FnMut(&Ran)) -> Result<Report> {
        self.locked(|m| {
            let rows = m.ledger.read(m.driver)?;
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
            let rows = m.ledger.read(m.driver)?;
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

    /// Run `f` holding the migration lock. The lock is released whatever `f` returns.
    fn locked<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let key = self.ledger.table().to_string();
        self.driver.lock(&key, self.lock_timeout, &mut *self.on_wait)?;
        let result = f(self);
        let unlocked = self.driver.unlock(&key);
        let value = result?;
        unlocked?;
        Ok(value)
    }
}
