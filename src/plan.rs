//! Planning: migration files + ledger rows + a request → what to run, or why not.
//!
//! Pure functions: no database, no printing. Every check that can refuse a run (dirty
//! ledger, edited or missing files, out-of-order versions, malformed pending files, a
//! missing down section) happens here, before anything is executed.

use std::collections::HashMap;

use crate::catalog::Catalog;
use crate::checksum;
use crate::dialect::Dialect;
use crate::error::{Error, Result};
use crate::format::Direction;
use crate::ledger::{self, LedgerRow, LedgerState};
use crate::migration::{Migration, ParsedMigration, Script};

/// How an applied migration compares with its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The file is byte-for-byte what was applied (after normalising line endings and BOM).
    Match,
    /// Only comments or whitespace changed.
    Cosmetic,
    /// The statements changed; `sections` lists which (empty when it cannot be told, e.g.
    /// the file no longer parses or the row was written under another checksum scheme).
    Edited {
        /// The sections whose statements differ.
        sections: Vec<Direction>,
        /// Why the sections cannot be told apart, when they cannot.
        note: Option<String>,
    },
    /// The file is gone.
    Missing,
}

/// Compare an applied row with its file.
pub fn check(row: &LedgerRow, migration: Option<&Migration>, default_dialect: Dialect) -> Check {
    let Some(m) = migration else {
        return Check::Missing;
    };
    if m.checksum.matches_hex(&row.checksum) {
        return Check::Match;
    }
    if row.checksum_scheme != checksum::SCHEME {
        return Check::Edited {
            sections: Vec::new(),
            note: Some(format!(
                "recorded under checksum scheme {}, so a cosmetic edit cannot be told from a real one",
                row.checksum_scheme
            )),
        };
    }
    match m.parse(default_dialect) {
        Err(_) => Check::Edited { sections: Vec::new(), note: Some("the file no longer parses".into()) },
        Ok(p) if p.canonical.all.to_hex() == row.canonical_checksum => Check::Cosmetic,
        Ok(p) => {
            let mut sections = Vec::new();
            if p.canonical.up.to_hex() != row.up_checksum {
                sections.push(Direction::Up);
            }
            if p.canonical.down.to_hex() != row.down_checksum {
                sections.push(Direction::Down);
            }
            let note = sections.is_empty().then(|| "the file's dialect or annotations changed".to_string());
            Check::Edited { sections, note }
        }
    }
}

/// The state of one version, as `status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Applied, file unchanged.
    Applied,
    /// Marked applied by a baseline.
    Baseline,
    /// Applied by another migration tool, recorded by `sqlmig import`.
    Imported,
    /// Not applied yet.
    Pending,
    /// Applied, then its statements were edited.
    Edited(Vec<Direction>),
    /// Applied, then comments or whitespace changed.
    CosmeticEdit,
    /// Applied, but the file is gone.
    MissingFile,
    /// Half applied or half rolled back.
    Dirty(LedgerState),
    /// Being applied or rolled back right now by another sqlmig, which holds the lock (a
    /// database without transactional DDL records progress as it goes).
    Running(Direction),
}

impl State {
    /// The name used in output and JSON.
    pub fn name(&self) -> &'static str {
        match self {
            State::Applied => "applied",
            State::Baseline => "baseline",
            State::Imported => "imported",
            State::Pending => "pending",
            State::Edited(_) => "edited",
            State::CosmeticEdit => "cosmetic_edit",
            State::MissingFile => "missing_file",
            State::Dirty(_) => "dirty",
            State::Running(_) => "running",
        }
    }
}

/// One line of `status`.
#[derive(Debug, Clone)]
pub struct StatusEntry {
    /// The version.
    pub version: u64,
    /// `<version>_<name>` as the file names it (or the ledger, when the file is gone).
    pub label: String,
    /// The file, when there is one.
    pub path: Option<std::path::PathBuf>,
    /// The state.
    pub state: State,
    /// The ledger row, when applied.
    pub row: Option<LedgerRow>,
    /// Pending, but older than the newest applied migration.
    pub out_of_order: bool,
    /// A note for people: why it is edited, which statements ran.
    pub note: Option<String>,
}

/// Combine files and ledger rows into the status of every version, by version.
/// `running_elsewhere`: another sqlmig holds the migration lock, so a row it marks as running
/// is its work in progress, not the trace of a run that died.
pub fn status(
    migrations: &[Migration],
    rows: &[LedgerRow],
    default_dialect: Dialect,
    running_elsewhere: bool,
) -> Vec<StatusEntry> {
    let files: HashMap<u64, &Migration> = migrations.iter().map(|m| (m.id.version, m)).collect();
    let applied: HashMap<u64, &LedgerRow> = rows.iter().map(|r| (r.version, r)).collect();
    let newest_applied = rows.iter().map(|r| r.version).max();
    let mut versions: Vec<u64> = files.keys().chain(applied.keys()).copied().collect();
    versions.sort_unstable();
    versions.dedup();
    versions
        .into_iter()
        .map(|v| {
            let file = files.get(&v).copied();
            let row = applied.get(&v).copied();
            let label = match (file, row) {
                (Some(m), _) => m.label(),
                (None, Some(r)) => label_of(migrations, r),
                (None, None) => v.to_string(),
            };
            let (state, note) = match row {
                None => (State::Pending, None),
                Some(r) => match r.state {
                    LedgerState::Running(d) if running_elsewhere => (State::Running(d), Some(running_note(r))),
                    s if s.is_dirty() => (State::Dirty(s), Some(dirty_note(r))),
                    _ => match check(r, file, default_dialect) {
                        Check::Match if r.state == LedgerState::Baseline => (State::Baseline, None),
                        Check::Match if r.state == LedgerState::Imported => (State::Imported, None),
                        Check::Match => (State::Applied, None),
                        Check::Cosmetic => (State::CosmeticEdit, None),
                        Check::Missing => (State::MissingFile, None),
                        Check::Edited { sections, note } => (State::Edited(sections), note),
                    },
                },
            };
            let out_of_order = row.is_none() && newest_applied.is_some_and(|n| v < n);
            StatusEntry { version: v, label, path: file.map(|m| m.id.path.clone()), state, row: row.cloned(), out_of_order, note }
        })
        .collect()
}

/// How far a run in progress has got.
fn running_note(r: &LedgerRow) -> String {
    format!("another sqlmig is running it: {} of {} statements done", r.statements_done, r.statements_total)
}

/// What a dirty row says about how far its run got.
pub fn dirty_note(r: &LedgerRow) -> String {
    let next = r.statements_done + 1;
    let ran = match r.statements_done {
        0 => "no statement ran".to_string(),
        1 => "statement 1 ran".to_string(),
        n => format!("statements 1 to {n} ran"),
    };
    match r.state {
        LedgerState::Failed(d) => format!("{} failed at statement {next} of {}; {ran}", d.name(), r.statements_total),
        LedgerState::Running(d) => format!(
            "{} was interrupted at statement {next} of {}: {ran}, statement {next} may or may not have run",
            d.name(),
            r.statements_total
        ),
        _ => String::new(),
    }
}

/// The outcome of `verify`.
#[derive(Debug, Clone)]
pub struct Verification {
    /// Every applied migration with a problem, or a cosmetic edit.
    pub findings: Vec<StatusEntry>,
    /// How many applied migrations were checked.
    pub checked: usize,
}

impl Verification {
    /// Whether verification passes (`strict`: cosmetic edits fail too).
    pub fn passed(&self, strict: bool) -> bool {
        self.findings.iter().all(|f| matches!(f.state, State::CosmeticEdit) && !strict)
    }
}

/// Compare every applied migration with its file. A migration another sqlmig is running
/// (see [`status`]) is neither checked nor a finding: its run has not finished.
pub fn verify(migrations: &[Migration], rows: &[LedgerRow], default_dialect: Dialect, running_elsewhere: bool) -> Verification {
    let entries = status(migrations, rows, default_dialect, running_elsewhere);
    let checked = entries.iter().filter(|e| e.row.is_some() && !matches!(e.state, State::Running(_))).count();
    let findings = entries
        .into_iter()
        .filter(|e| !matches!(e.state, State::Applied | State::Baseline | State::Imported | State::Pending | State::Running(_)))
        .collect();
    Verification { findings, checked }
}

/// One line describing a finding, for messages.
pub fn describe(entry: &StatusEntry) -> String {
    let what = match &entry.state {
        State::Edited(sections) if !sections.is_empty() => {
            let names: Vec<&str> = sections.iter().map(|d| d.name()).collect();
            format!("edited after it was applied ({} section changed)", names.join(" and "))
        }
        State::Edited(_) => "edited after it was applied".to_string(),
        State::CosmeticEdit => "comments or whitespace changed after it was applied (cosmetic)".into(),
        State::MissingFile => "applied, but its file is missing".into(),
        State::Dirty(s) => format!("dirty: {}", s.as_str()),
        State::Running(d) => format!("running ({})", d.name()),
        State::Pending => "pending".into(),
        State::Applied => "applied".into(),
        State::Baseline => "baseline".into(),
        State::Imported => "imported".into(),
    };
    let mut line = format!("{}: {what}", entry.label);
    if let Some(note) = &entry.note {
        line.push_str(&format!(" ({note})"));
    }
    line
}

/// Which migrations to apply.
#[derive(Debug, Clone, Default)]
pub struct ApplyRequest {
    /// Stop after this version.
    pub to: Option<u64>,
    /// Apply at most this many.
    pub steps: Option<usize>,
    /// Allow applying a migration older than the newest applied one.
    pub allow_out_of_order: bool,
    /// Run every migration in one transaction: all or nothing.
    pub single_transaction: bool,
}

/// Which migrations to roll back.
#[derive(Debug, Clone, Default)]
pub struct RollbackRequest {
    /// Roll back every migration newer than this version.
    pub to: Option<u64>,
    /// Roll back this many (default 1).
    pub steps: Option<usize>,
}

/// One migration to run in one direction.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Index into the migrations given to the planner.
    pub index: usize,
    /// Up or down.
    pub direction: Direction,
    /// What to run.
    pub script: Script,
    /// Whether it runs in one transaction with its ledger write.
    pub transactional: bool,
    /// The ledger row to write (up) or the row being removed (down).
    pub row: LedgerRow,
}

/// What a command will run, in order.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The units.
    pub units: Vec<Unit>,
    /// Whether all units run in one transaction.
    pub single_transaction: bool,
    /// Things the user should know that do not stop the run (applied migrations whose files
    /// are gone).
    pub warnings: Vec<String>,
}

/// `<version>_<name>` as the file spells it, or from the ledger when the file is gone.
fn label_of(migrations: &[Migration], row: &LedgerRow) -> String {
    migrations
        .iter()
        .find(|m| m.id.version == row.version)
        .map_or_else(|| format!("{}_{}", row.version, row.name), Migration::label)
}

fn refuse_dirty(migrations: &[Migration], rows: &[LedgerRow]) -> Result<()> {
    let dirty: Vec<&LedgerRow> = rows.iter().filter(|r| r.state.is_dirty()).collect();
    if dirty.is_empty() {
        return Ok(());
    }
    Err(Error::Verification {
        message: "the ledger has a half-applied migration; nothing was run".into(),
        details: dirty
            .iter()
            .map(|r| format!("{}: {}", label_of(migrations, r), dirty_note(r)))
            .collect(),
        help: Some(format!(
            "check the database, finish or undo the statements by hand, then run `sqlmig resolve {} --applied` or `--rolled-back`",
            dirty[0].version
        )),
    })
}

fn refuse_edited(migrations: &[Migration], rows: &[LedgerRow], default_dialect: Dialect) -> Result<()> {
    // The common case, every applied file unchanged, is told from the checksums alone,
    // without building a status entry per migration.
    let files: HashMap<u64, &Migration> = migrations.iter().map(|m| (m.id.version, m)).collect();
    if rows.iter().all(|r| files.get(&r.version).is_none_or(|m| m.checksum.matches_hex(&r.checksum))) {
        return Ok(());
    }
    let v = verify(migrations, rows, default_dialect, false);
    let edited: Vec<String> = v.findings.iter().filter(|f| matches!(f.state, State::Edited(_))).map(describe).collect();
    if edited.is_empty() {
        return Ok(());
    }
    Err(Error::Verification {
        message: "applied migrations were edited; nothing was run".into(),
        details: edited,
        help: Some("restore the original files (see `git log`) and put the change in a new migration".into()),
    })
}

fn parsed(m: &Migration, default_dialect: Dialect) -> Result<ParsedMigration> {
    m.parse(default_dialect)
}

/// Whether a script runs in one transaction with its ledger write: always where DDL is
/// transactional, and on MySQL when it changes only data.
fn transactional(target: Dialect, script: &Script) -> bool {
    !script.no_transaction && (target.transactional_ddl() || script.data_only)
}

/// Applied migrations whose files are gone: reported, never a reason to stop.
fn missing_files(migrations: &[Migration], rows: &[LedgerRow]) -> Vec<String> {
    let versions: std::collections::HashSet<u64> = migrations.iter().map(|m| m.id.version).collect();
    rows.iter()
        .filter(|r| !versions.contains(&r.version))
        .map(|r| format!("{}_{} is applied but its file is missing; restore it from version control", r.version, r.name))
        .collect()
}

/// Plan `apply`. All pending files are parsed first: one malformed file stops the run
/// before anything touches the database.
pub fn plan_apply(
    migrations: &[Migration],
    rows: &[LedgerRow],
    target: Dialect,
    default_dialect: Dialect,
    request: &ApplyRequest,
) -> Result<Plan> {
    refuse_dirty(migrations, rows)?;
    refuse_edited(migrations, rows, default_dialect)?;
    let applied: HashMap<u64, &LedgerRow> = rows.iter().map(|r| (r.version, r)).collect();
    let newest = rows.iter().map(|r| r.version).max();
    let mut pending: Vec<usize> = migrations
        .iter()
        .enumerate()
        .filter(|(_, m)| !applied.contains_key(&m.id.version) && request.to.is_none_or(|to| m.id.version <= to))
        .map(|(i, _)| i)
        .collect();
    if let Some(steps) = request.steps {
        pending.truncate(steps);
    }
    if !request.allow_out_of_order {
        if let Some(newest) = newest {
            let late: Vec<String> =
                pending.iter().map(|&i| &migrations[i]).filter(|m| m.id.version < newest).map(Migration::label).collect();
            if !late.is_empty() {
                return Err(Error::Verification {
                    message: format!("pending migrations are older than the newest applied one ({newest}); nothing was run"),
                    details: late,
                    help: Some(
                        "this usually follows a merge: renumber them after the newest, or pass `--allow-out-of-order`".into(),
                    ),
                });
            }
        }
    }
    let first_seq = rows.iter().map(|r| r.seq).max().unwrap_or(0) + 1;
    let mut errors = Vec::new();
    let mut units = Vec::new();
    // The schema model is needed only when a pending migration translates, which the files'
    // structure tells before any SQL is parsed. Then every migration up to the last pending
    // one is folded into it in order (the applied ones too: they built the schema). Each
    // file is parsed once, on every core, and its syntax tree dropped as soon as its SQL is
    // emitted: a long run holds its scripts, not every file's syntax tree.
    let translating = pending.iter().any(|&i| migrations[i].translates(Direction::Up, target, default_dialect));
    let mut is_pending = vec![false; migrations.len()];
    pending.iter().for_each(|&i| is_pending[i] = true);
    let work: Vec<usize> = match (translating, pending.last()) {
        (true, Some(&last)) => (0..=last).collect(),
        _ => pending.clone(),
    };
    let files: Vec<&Migration> = work.iter().map(|&i| &migrations[i]).collect();
    let mut catalog = translating.then(Catalog::default);
    let mut seqs = first_seq..;
    crate::migration::parse_each(&files, default_dialect, |k, parsed| {
        let (i, m) = (work[k], files[k]);
        if !is_pending[i] {
            // Files that do not parse are skipped: their own run reports them.
            if let (Ok(p), Some(catalog)) = (&parsed, catalog.as_mut()) {
                p.fold(Direction::Up, target, catalog);
            }
            return;
        }
        let next_seq = seqs.next().unwrap_or_default();
        let result = parsed.and_then(|p| {
            let script = p.script_in(&m.source, Direction::Up, target, catalog.as_mut())?.ok_or_else(|| {
                Error::input(format!("{} has no `-- +up` section for {target}", m.label()))
                    .with_help(format!("add a plain `-- +up` section or a `-- +up {target}` one"))
            })?;
            let mut row = ledger::new_row(m, &p, next_seq);
            row.statements_total = script.statements.len() as i64;
            Ok(Unit { index: i, direction: Direction::Up, transactional: transactional(target, &script), script, row })
        });
        match result {
            Ok(unit) => units.push(unit),
            Err(e) => errors.push(e),
        }
    });
    crate::error::collect(errors)?;
    if request.single_transaction {
        if !target.transactional_ddl() {
            return Err(Error::input(format!(
                "`--single-transaction` is not possible on {target}: it commits DDL implicitly, so one transaction cannot hold several migrations"
            ))
            .with_help("apply without `--single-transaction`; sqlmig tracks each statement so a failure is reported precisely"));
        }
        if let Some(u) = units.iter().find(|u| u.script.no_transaction) {
            return Err(Error::input(format!(
                "`--single-transaction` cannot include {}: it has a `-- +no-transaction` section",
                migrations[u.index].label()
            ))
            .with_help(format!(
                "apply up to the migration before it with `--single-transaction`, then apply {} on its own",
                migrations[u.index].label()
            )));
        }
    }
    let warnings = missing_files(migrations, rows);
    Ok(Plan { units, single_transaction: request.single_transaction, warnings })
}

/// Plan `rollback`: applied migrations, newest application first.
pub fn plan_rollback(
    migrations: &[Migration],
    rows: &[LedgerRow],
    target: Dialect,
    default_dialect: Dialect,
    request: &RollbackRequest,
) -> Result<Plan> {
    refuse_dirty(migrations, rows)?;
    let mut applied: Vec<&LedgerRow> = rows.iter().collect();
    applied.sort_by_key(|r| std::cmp::Reverse(r.seq));
    let chosen: Vec<&LedgerRow> = match (request.to, request.steps) {
        (Some(to), steps) => applied.into_iter().filter(|r| r.version > to).take(steps.unwrap_or(usize::MAX)).collect(),
        (None, steps) => applied.into_iter().take(steps.unwrap_or(1)).collect(),
    };
    let index: HashMap<u64, usize> = migrations.iter().enumerate().map(|(i, m)| (m.id.version, i)).collect();
    let mut errors = Vec::new();
    let mut candidates: Vec<(&LedgerRow, usize, ParsedMigration)> = Vec::new();
    for row in chosen {
        let Some(&i) = index.get(&row.version) else {
            errors.push(
                Error::input(format!("cannot roll back {}_{}: its file is missing", row.version, row.name))
                    .with_help("restore the file from version control; sqlmig needs its down section"),
            );
            continue;
        };
        let m = &migrations[i];
        if let Check::Edited { sections, .. } = check(row, Some(m), default_dialect) {
            if sections.is_empty() || sections.contains(&Direction::Down) {
                errors.push(Error::Verification {
                    message: format!("cannot roll back {}: its down section changed since it was applied", m.label()),
                    details: Vec::new(),
                    help: Some("restore the file as it was applied; the edited down section may not undo what ran".into()),
                });
                continue;
            }
        }
        match parsed(m, default_dialect) {
            Ok(p) => candidates.push((row, i, p)),
            Err(e) => errors.push(e),
        }
    }
    // A down section that translates sees the schema as it is with its migration applied.
    // Fold the migrations once, in order, emitting each such section from a copy of the
    // schema at its migration: folding from the start for each one would parse every file
    // again per rolled-back migration, and keeping a copy per migration took hundreds of MB.
    let needed: std::collections::BTreeSet<usize> =
        candidates.iter().filter(|(_, _, p)| p.translates(Direction::Down, target)).map(|(_, i, _)| *i).collect();
    let mut translated: HashMap<usize, Result<Option<Script>>> = HashMap::new();
    if let Some(&last) = needed.iter().next_back() {
        let parsed_at: HashMap<usize, &ParsedMigration> = candidates.iter().map(|(_, i, p)| (*i, p)).collect();
        let mut catalog = Catalog::default();
        let files: Vec<&Migration> = migrations[..=last].iter().collect();
        crate::migration::parse_each(&files, default_dialect, |i, parsed| {
            // Files that do not parse are skipped: their own run reports them.
            if let Ok(p) = parsed {
                p.fold(Direction::Up, target, &mut catalog);
            }
            if let (true, Some(p)) = (needed.contains(&i), parsed_at.get(&i)) {
                // The copy takes the down section's own changes, and is dropped right away.
                let mut copy = catalog.clone();
                translated.insert(i, p.script(&migrations[i].source, Direction::Down, target, &mut copy));
            }
        });
    }
    let mut units = Vec::new();
    for (row, i, p) in candidates {
        let m = &migrations[i];
        let script = match translated.remove(&i) {
            Some(script) => script,
            None => p.script(&m.source, Direction::Down, target, &mut Catalog::default()),
        };
        let result = script.and_then(|script| {
            let script = script.ok_or_else(|| {
                Error::input(format!("{} has no `-- +down` section, so it cannot be rolled back", m.label()))
                    .with_help("add a `-- +down` section that undoes the up section; nothing was rolled back")
            })?;
            let mut row = row.clone();
            row.statements_total = script.statements.len() as i64;
            Ok(Unit { index: i, direction: Direction::Down, transactional: transactional(target, &script), script, row })
        });
        match result {
            Ok(unit) => units.push(unit),
            Err(e) => errors.push(e),
        }
    }
    crate::error::collect(errors)?;
    Ok(Plan { units, single_transaction: false, warnings: Vec::new() })
}
