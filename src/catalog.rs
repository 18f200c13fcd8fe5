//! The schema model: what tables, columns, constraints and indexes exist, folded one
//! statement at a time through the migrations in order.
//!
//! Translation needs facts a statement does not carry: MySQL's `MODIFY COLUMN` restates the
//! whole column, its `DROP INDEX` names the table, a `REFERENCES t` without columns means the
//! key of `t`, and dropping a column on MySQL must first drop the foreign keys and indexes
//! that PostgreSQL would drop with it. There is one model for every such need. It holds
//! source-dialect AST pieces; nothing here renders SQL.
//!
//! Constraints are known by the names PostgreSQL gives them: the written name, or the one
//! PostgreSQL generates for an unnamed constraint (`users_email_key`, `books_author_id_fkey`,
//! `products_price_check`). Translation to MySQL writes those names out, so a later
//! `DROP CONSTRAINT users_email_key` means the same constraint on every database.

use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;
use std::sync::Arc;

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, CreateIndex, CreateTable, Expr, Ident, ObjectName,
    ObjectType, RenameTableNameKind, Statement, TableConstraint, Visit, Visitor,
};

/// A column as last defined.
#[derive(Debug, Clone)]
pub struct Column {
    /// Its definition (source dialect), kept up to date by ALTERs.
    pub def: ColumnDef,
}

/// What a constraint does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    /// `PRIMARY KEY`.
    PrimaryKey,
    /// `UNIQUE`.
    Unique,
    /// `FOREIGN KEY ... REFERENCES`.
    ForeignKey,
    /// `CHECK (...)`.
    Check,
}

impl ConstraintKind {
    /// The suffix PostgreSQL gives the generated name of such a constraint.
    pub fn suffix(self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey => "pkey",
            ConstraintKind::Unique => "key",
            ConstraintKind::ForeignKey => "fkey",
            ConstraintKind::Check => "check",
        }
    }
}

/// A table constraint, by the name PostgreSQL knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    /// The written name, or the one PostgreSQL generates.
    pub name: String,
    /// What it is.
    pub kind: ConstraintKind,
    /// The columns it is on (lowercase); for a CHECK, the columns its expression mentions.
    pub columns: Vec<String>,
    /// For a foreign key, the table it references (lowercase).
    pub references: Option<String>,
    /// For a foreign key, the referenced columns (lowercase): as written, else the
    /// referenced table's primary key when it was known.
    pub ref_columns: Vec<String>,
    /// The rest of the definition as source-dialect SQL: a foreign key's actions
    /// (` ON DELETE CASCADE`), a check's expression; empty for keys.
    pub detail: String,
}

/// A table.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The name as written.
    pub name: String,
    /// Columns in order.
    pub columns: Vec<Column>,
    /// The primary key's columns (lowercase), inline or declared as a table constraint.
    pub primary_key: Vec<String>,
    /// Named and generated-name constraints, in declaration order.
    pub constraints: Vec<Constraint>,
}

impl Table {
    /// The column named `name` (case-insensitively).
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.def.name.value.eq_ignore_ascii_case(name))
    }

    fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.def.name.value.eq_ignore_ascii_case(name))
    }

    /// The constraint named `name` (case-insensitively).
    pub fn constraint(&self, name: &str) -> Option<&Constraint> {
        self.constraints.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

/// An index made by `CREATE INDEX`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Index {
    /// The table (lowercase).
    pub table: String,
    /// The plain columns it covers (lowercase); expressions are left out.
    pub columns: Vec<String>,
    /// Whether it is `UNIQUE`.
    pub unique: bool,
    /// The statement that made it, kept current by column renames.
    pub statement: Option<Box<sqlparser::ast::CreateIndex>>,
}

/// A view, trigger or function as its `CREATE` statement defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// The name (lowercase).
    pub name: String,
    /// For a trigger, its table (lowercase).
    pub table: Option<String>,
    /// The statement (source dialect), without `OR REPLACE`.
    pub sql: String,
}

/// The schema built by the migrations so far.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Shared, so that a copy of the catalog (rollback keeps one per migration it translates)
    /// costs a map of names, not every table again; a table is copied when it changes.
    tables: HashMap<String, Arc<Table>>,
    /// Index name (lowercase) → the index.
    indexes: HashMap<String, Index>,
    /// View name (lowercase) → the tables and views its query reads (lowercase).
    views: HashMap<String, Vec<String>>,
    /// View name (lowercase) → its definition.
    view_defs: HashMap<String, Definition>,
    /// Trigger name (lowercase) → its definition.
    triggers: HashMap<String, Definition>,
    /// Function name (lowercase) → its definition (the functions triggers call).
    functions: HashMap<String, Definition>,
}

/// The last part of a possibly schema-qualified name, lowercased for lookups.
pub fn key(name: &ObjectName) -> String {
    name.0.last().and_then(|p| p.as_ident()).map(|i| i.value.to_lowercase()).unwrap_or_default()
}

/// Rename column `old` (lowercase) to `new` wherever an index definition names it.
fn rename_identifiers(def: &mut CreateIndex, old: &str, new: &Ident) {
    let _ = sqlparser::ast::visit_expressions_mut(def, |e| {
        if let Expr::Identifier(id) = e {
            if id.value.to_lowercase() == old {
                *id = new.clone();
            }
        }
        ControlFlow::<()>::Continue(())
    });
}

/// PostgreSQL's longest identifier, in bytes.
const MAX_NAME: usize = 63;

/// `name1_name2_label`, shortened the way PostgreSQL shortens a generated name to 63 bytes:
/// characters come off the longer of the two names first.
fn object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = name2.map_or(0, |_| 1) + label.len() + 1;
    let avail = MAX_NAME.saturating_sub(overhead);
    let mut n1 = name1.len();
    let mut n2 = name2.map_or(0, str::len);
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let clip = |s: &str, mut n: usize| {
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        s[..n].to_string()
    };
    let mut out = clip(name1, n1);
    if let Some(n) = name2 {
        out.push('_');
        out.push_str(&clip(n, n2));
    }
    out.push('_');
    out.push_str(label);
    out
}

/// The name PostgreSQL generates for an unnamed constraint of `table` on `columns`, avoiding
/// the names in `taken` (lowercase) by numbering the suffix as PostgreSQL does
/// (`t_a_key`, `t_a_key1`, ...).
pub fn generated_name(table: &str, kind: ConstraintKind, columns: &[String], taken: &dyn Fn(&str) -> bool) -> String {
    let name2 = match kind {
        ConstraintKind::PrimaryKey => None,
        // A CHECK is named for its column only when its expression mentions exactly one.
        ConstraintKind::Check if columns.len() != 1 => None,
        _ => Some(columns.join("_")),
    };
    let mut pass = 0;
    loop {
        let label = if pass == 0 { kind.suffix().to_string() } else { format!("{}{pass}", kind.suffix()) };
        let name = object_name(table, name2.as_deref(), &label);
        if !taken(&name.to_lowercase()) {
            return name;
        }
        pass += 1;
    }
}

/// The tables and views a query reads (lowercase).
fn relations(query: &sqlparser::ast::Query) -> Vec<String> {
    struct Rels(Vec<String>);
    impl Visitor for Rels {
        type Break = ();
        fn pre_visit_relation(&mut self, r: &ObjectName) -> ControlFlow<()> {
            let k = key(r);
            if !self.0.contains(&k) {
                self.0.push(k);
            }
            ControlFlow::Continue(())
        }
    }
    let mut v = Rels(Vec::new());
    let _ = query.visit(&mut v);
    v.0
}

/// The distinct columns an expression mentions (lowercase), in order of appearance.
pub fn expr_columns(expr: &Expr) -> Vec<String> {
    struct Names(Vec<String>);
    impl Visitor for Names {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            let name = match e {
                Expr::Identifier(i) => Some(&i.value),
                Expr::CompoundIdentifier(parts) => parts.last().map(|i| &i.value),
                _ => None,
            };
            if let Some(n) = name {
                let n = n.to_lowercase();
                if !self.0.contains(&n) {
                    self.0.push(n);
                }
            }
            ControlFlow::Continue(())
        }
    }
    let mut v = Names(Vec::new());
    let _ = expr.visit(&mut v);
    v.0
}

fn ident_names(idents: &[Ident]) -> Vec<String> {
    idents.iter().map(|i| i.value.to_lowercase()).collect()
}

fn index_columns(columns: &[sqlparser::ast::IndexColumn]) -> Vec<String> {
    columns
        .iter()
        .filter_map(|c| match &c.column.expr {
            Expr::Identifier(i) => Some(i.value.to_lowercase()),
            _ => None,
        })
        .collect()
}

/// A table constraint's kind, columns and written name; `None` for the kinds not modelled
/// (MySQL's inline `INDEX`/`FULLTEXT` clauses).
pub fn describe(c: &TableConstraint) -> Option<(ConstraintKind, Vec<String>, Option<&Ident>)> {
    Some(match c {
        TableConstraint::PrimaryKey(p) => (ConstraintKind::PrimaryKey, index_columns(&p.columns), p.name.as_ref()),
        TableConstraint::Unique(u) => (ConstraintKind::Unique, index_columns(&u.columns), u.name.as_ref()),
        TableConstraint::ForeignKey(f) => (ConstraintKind::ForeignKey, ident_names(&f.columns), f.name.as_ref()),
        TableConstraint::Check(c) => (ConstraintKind::Check, expr_columns(&c.expr), c.name.as_ref()),
        _ => return None,
    })
}

/// A foreign key's referenced columns (lowercase) and actions as SQL.
fn foreign_key_detail(f: &sqlparser::ast::ForeignKeyConstraint) -> (Vec<String>, String) {
    let mut actions = String::new();
    if let Some(a) = &f.on_delete {
        actions.push_str(&format!(" ON DELETE {a}"));
    }
    if let Some(a) = &f.on_update {
        actions.push_str(&format!(" ON UPDATE {a}"));
    }
    (ident_names(&f.referred_columns), actions)
}

/// The referenced columns and detail text of a constraint written as a column option.
fn option_detail(o: &ColumnOption) -> (Vec<String>, String) {
    match o {
        ColumnOption::ForeignKey(f) => foreign_key_detail(f),
        ColumnOption::Check(c) => (Vec::new(), c.expr.to_string()),
        _ => (Vec::new(), String::new()),
    }
}

/// The referenced columns and detail text of a table constraint.
fn constraint_detail(c: &TableConstraint) -> (Vec<String>, String) {
    match c {
        TableConstraint::ForeignKey(f) => foreign_key_detail(f),
        TableConstraint::Check(c) => (Vec::new(), c.expr.to_string()),
        _ => (Vec::new(), String::new()),
    }
}

/// The table a foreign key constraint or option references (lowercase).
fn referenced(c: Option<&sqlparser::ast::ForeignKeyConstraint>) -> Option<String> {
    c.map(|f| key(&f.foreign_table))
}

/// A column option's constraint kind, columns and written name, for the options that are
/// constraints.
pub fn describe_option(
    column: &str,
    o: &sqlparser::ast::ColumnOptionDef,
) -> Option<(ConstraintKind, Vec<String>, Option<Ident>)> {
    let col = vec![column.to_lowercase()];
    let (kind, columns, inner) = match &o.option {
        ColumnOption::PrimaryKey(p) => (ConstraintKind::PrimaryKey, col, p.name.clone()),
        ColumnOption::Unique(u) => (ConstraintKind::Unique, col, u.name.clone()),
        ColumnOption::ForeignKey(f) => (ConstraintKind::ForeignKey, col, f.name.clone()),
        ColumnOption::Check(c) => (ConstraintKind::Check, expr_columns(&c.expr), c.name.clone()),
        _ => return None,
    };
    Some((kind, columns, o.name.clone().or(inner)))
}

impl Table {
    /// The names already used in this table, and the relation names of the catalog (a
    /// unique constraint's index shares their namespace on PostgreSQL).
    /// Record a constraint, generating PostgreSQL's name when it has none. Returns the name.
    pub(crate) fn add_constraint(
        &mut self,
        kind: ConstraintKind,
        columns: Vec<String>,
        name: Option<&Ident>,
        references: Option<String>,
        catalog_names: &dyn Fn(&str) -> bool,
    ) -> String {
        let name = match name {
            Some(n) => n.value.clone(),
            // Checked in place: copying every name in the schema per constraint was quadratic.
            None => generated_name(&self.name, kind, &columns, &|n| {
                catalog_names(n) || self.constraints.iter().any(|c| c.name.eq_ignore_ascii_case(n))
            }),
        };
        if kind == ConstraintKind::PrimaryKey {
            self.primary_key = columns.clone();
        }
        self.constraints.push(Constraint {
            name: name.clone(),
            kind,
            columns,
            references,
            ref_columns: Vec::new(),
            detail: String::new(),
        });
        name
    }

    /// The table as `CREATE TABLE` defines it, with every constraint named.
    pub fn from_create(ct: &CreateTable, catalog_names: &dyn Fn(&str) -> bool) -> Table {
        let mut t = Table {
            name: key(&ct.name),
            columns: ct.columns.iter().map(|c| Column { def: c.clone() }).collect(),
            ..Table::default()
        };
        // PostgreSQL names column constraints first, then table constraints, in order.
        for col in &ct.columns {
            for o in &col.options {
                if let Some((kind, columns, name)) = describe_option(&col.name.value, o) {
                    let references = referenced(match &o.option {
                        ColumnOption::ForeignKey(f) => Some(f),
                        _ => None,
                    });
                    t.add_constraint(kind, columns, name.as_ref(), references, catalog_names);
                    t.set_detail(option_detail(&o.option));
                }
            }
        }
        for c in &ct.constraints {
            t.add_table_constraint(c, catalog_names);
        }
        t
    }
}

impl Table {
    /// Record a table constraint (the kinds that are modelled). Returns its name.
    pub(crate) fn add_table_constraint(&mut self, c: &TableConstraint, catalog_names: &dyn Fn(&str) -> bool) -> Option<String> {
        let (kind, columns, name) = describe(c)?;
        let references = referenced(match c {
            TableConstraint::ForeignKey(f) => Some(f),
            _ => None,
        });
        let name = self.add_constraint(kind, columns, name, references, catalog_names);
        self.set_detail(constraint_detail(c));
        Some(name)
    }

    /// Give the constraint added last its referenced columns and detail.
    fn set_detail(&mut self, (ref_columns, detail): (Vec<String>, String)) {
        if let Some(c) = self.constraints.last_mut() {
            c.ref_columns = ref_columns;
            c.detail = detail;
        }
    }
}

impl Catalog {
    /// Fill in the referenced columns of `table`'s foreign keys written without them
    /// (`REFERENCES users`): the referenced table's primary key.
    fn resolve_references(&mut self, table: &str) {
        let Some(t) = self.tables.get(table) else { return };
        let fill: Vec<(usize, Vec<String>)> = t
            .constraints
            .iter()
            .enumerate()
            .filter(|(_, c)| c.kind == ConstraintKind::ForeignKey && c.ref_columns.is_empty())
            .filter_map(|(i, c)| {
                let target = c.references.as_deref()?;
                let pk = if target == table { &t.primary_key } else { &self.tables.get(target)?.primary_key };
                Some((i, pk.clone()))
            })
            .collect();
        if fill.is_empty() {
            return;
        }
        if let Some(t) = self.tables.get_mut(table) {
            let t = Arc::make_mut(t);
            for (i, pk) in fill {
                t.constraints[i].ref_columns = pk;
            }
        }
    }

    /// Every table, by name.
    pub fn tables(&self) -> Vec<&Table> {
        let mut out: Vec<&Table> = self.tables.values().map(|t| t.as_ref()).collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// Every index made by `CREATE INDEX`, by name (lowercase).
    pub fn indexes(&self) -> Vec<(&str, &Index)> {
        let mut out: Vec<(&str, &Index)> = self.indexes.iter().map(|(n, i)| (n.as_str(), i)).collect();
        out.sort_by_key(|(n, _)| *n);
        out
    }

    /// Every view: its definition and the relations it reads, by name (lowercase).
    pub fn views(&self) -> Vec<(&Definition, &[String])> {
        let mut out: Vec<(&str, &Definition, &[String])> = self
            .view_defs
            .iter()
            .map(|(n, d)| (n.as_str(), d, self.views.get(n).map(Vec::as_slice).unwrap_or_default()))
            .collect();
        out.sort_by_key(|(n, _, _)| *n);
        out.into_iter().map(|(_, d, r)| (d, r)).collect()
    }

    /// Every trigger, by name (lowercase).
    pub fn triggers(&self) -> Vec<&Definition> {
        let mut out: Vec<(&String, &Definition)> = self.triggers.iter().collect();
        out.sort_by_key(|(n, _)| *n);
        out.into_iter().map(|(_, d)| d).collect()
    }

    /// Every function, by name (lowercase).
    pub fn functions(&self) -> Vec<&Definition> {
        let mut out: Vec<(&String, &Definition)> = self.functions.iter().collect();
        out.sort_by_key(|(n, _)| *n);
        out.into_iter().map(|(_, d)| d).collect()
    }

    /// The table named `name`.
    pub fn table(&self, name: &ObjectName) -> Option<&Table> {
        self.tables.get(&key(name)).map(|t| &**t)
    }

    /// The table an index belongs to.
    pub fn index_table(&self, index: &ObjectName) -> Option<&str> {
        self.indexes.get(&key(index)).map(|i| i.table.as_str())
    }

    /// An index made by `CREATE INDEX`.
    pub fn index(&self, name: &ObjectName) -> Option<&Index> {
        self.indexes.get(&key(name))
    }

    /// The indexes (made by `CREATE INDEX`) of a table, by name.
    pub fn indexes_of(&self, table: &str) -> Vec<(&str, &Index)> {
        let mut out: Vec<(&str, &Index)> =
            self.indexes.iter().filter(|(_, i)| i.table.eq_ignore_ascii_case(table)).map(|(n, i)| (n.as_str(), i)).collect();
        out.sort_by_key(|(n, _)| *n);
        out
    }

    /// The views whose queries read `relation`, directly or through other views, in the
    /// order they can be dropped (dependents first).
    pub fn dependent_views(&self, relation: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut todo = vec![relation.to_lowercase()];
        while let Some(r) = todo.pop() {
            let mut direct: Vec<&String> = self.views.iter().filter(|(_, reads)| reads.contains(&r)).map(|(v, _)| v).collect();
            direct.sort();
            for v in direct {
                out.retain(|o| o != v);
                out.insert(0, v.clone());
                todo.push(v.clone());
            }
        }
        out
    }

    /// The foreign keys of other tables that reference `table`: (table, constraint name).
    pub fn referencing_foreign_keys(&self, table: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .tables
            .values()
            .filter(|t| !t.name.eq_ignore_ascii_case(table))
            .flat_map(|t| {
                t.constraints
                    .iter()
                    .filter(|c| c.references.as_deref().is_some_and(|r| r.eq_ignore_ascii_case(table)))
                    .map(|c| (t.name.clone(), c.name.clone()))
            })
            .collect();
        out.sort();
        out
    }

    /// Every relation name PostgreSQL would see: tables and indexes (lowercase), for
    /// generating names that do not collide.
    pub fn relation_names(&self) -> HashSet<String> {
        self.tables.keys().chain(self.indexes.keys()).chain(self.views.keys()).cloned().collect()
    }

    /// Whether a table, index or view has this name (lowercase): [`Catalog::relation_names`]
    /// without copying every name, which made folding N tables quadratic.
    pub fn has_relation(&self, name: &str) -> bool {
        self.tables.contains_key(name) || self.indexes.contains_key(name) || self.views.contains_key(name)
    }

    /// Fold one statement into the model. Statements that do not change the schema, and
    /// forms it does not model, are ignored.
    pub fn apply(&mut self, stmt: &Statement) {
        match stmt {
            Statement::CreateTable(ct) => {
                let table = Table::from_create(ct, &|n| self.has_relation(n));
                let name = key(&ct.name);
                self.tables.insert(name.clone(), Arc::new(table));
                // Its own foreign keys, and those written earlier that reference it.
                let waiting: Vec<String> = self
                    .tables
                    .values()
                    .filter(|t| {
                        t.name == name
                            || t.constraints.iter().any(|c| c.ref_columns.is_empty() && c.references.as_deref() == Some(&name))
                    })
                    .map(|t| t.name.to_lowercase())
                    .collect();
                for t in waiting {
                    self.resolve_references(&t);
                }
            }
            Statement::CreateIndex(ci) => {
                if let Some(name) = &ci.name {
                    let mut statement = ci.clone();
                    statement.if_not_exists = false;
                    statement.concurrently = false;
                    let index = Index {
                        table: key(&ci.table_name),
                        columns: index_columns(&ci.columns),
                        unique: ci.unique,
                        statement: Some(Box::new(statement)),
                    };
                    self.indexes.insert(key(name), index);
                }
            }
            Statement::AlterIndex { name, operation: sqlparser::ast::AlterIndexOperation::RenameIndex { index_name } } => {
                if let Some(mut index) = self.indexes.remove(&key(name)) {
                    if let Some(s) = &mut index.statement {
                        s.name = Some(index_name.clone());
                    }
                    self.indexes.insert(key(index_name), index);
                }
            }
            Statement::CreateTrigger(ct) => {
                let mut def = ct.clone();
                def.or_replace = false;
                let sql = Statement::CreateTrigger(def).to_string();
                let d = Definition { name: key(&ct.name), table: Some(key(&ct.table_name)), sql };
                self.triggers.insert(key(&ct.name), d);
            }
            Statement::DropTrigger(dt) => {
                self.triggers.remove(&key(&dt.trigger_name));
            }
            Statement::CreateFunction(cf) => {
                let mut def = cf.clone();
                def.or_replace = false;
                let sql = Statement::CreateFunction(def).to_string();
                self.functions.insert(key(&cf.name), Definition { name: key(&cf.name), table: None, sql });
            }
            Statement::DropFunction(df) => {
                for f in &df.func_desc {
                    self.functions.remove(&key(&f.name));
                }
            }
            Statement::Drop { object_type, names, .. } => {
                for n in names {
                    match object_type {
                        ObjectType::Table => {
                            let t = key(n);
                            self.tables.remove(&t);
                            self.indexes.retain(|_, i| i.table != t);
                            self.triggers.retain(|_, d| d.table.as_deref() != Some(t.as_str()));
                        }
                        ObjectType::Index => {
                            self.indexes.remove(&key(n));
                        }
                        ObjectType::View => {
                            self.views.remove(&key(n));
                            self.view_defs.remove(&key(n));
                        }
                        _ => {}
                    }
                }
            }
            Statement::AlterTable(at) => self.alter(&key(&at.name), &at.operations),
            Statement::CreateView(v) => {
                self.views.insert(key(&v.name), relations(&v.query));
                let mut def = v.clone();
                def.or_replace = false;
                def.if_not_exists = false;
                let sql = Statement::CreateView(def).to_string();
                self.view_defs.insert(key(&v.name), Definition { name: key(&v.name), table: None, sql });
            }
            _ => {}
        }
    }

    fn alter(&mut self, table: &str, operations: &[AlterTableOperation]) {
        for op in operations {
            // Taken out of the map while it changes, so the other relations' names can be
            // looked up in place instead of copied (the table's own name stays taken).
            let Some(t) = self.tables.remove(table) else { return };
            let mut t = Arc::unwrap_or_clone(t);
            let mut resolve = false;
            let names = |n: &str| n == table || self.has_relation(n);
            match op {
                AlterTableOperation::AddColumn { column_def, .. } => {
                    t.columns.push(Column { def: column_def.clone() });
                    for o in &column_def.options {
                        if let Some((kind, columns, name)) = describe_option(&column_def.name.value, o) {
                            let references = referenced(match &o.option {
                                ColumnOption::ForeignKey(f) => Some(f),
                                _ => None,
                            });
                            t.add_constraint(kind, columns, name.as_ref(), references, &names);
                            t.set_detail(option_detail(&o.option));
                        }
                    }
                }
                AlterTableOperation::DropColumn { column_names, .. } => {
                    let dropped: Vec<String> = ident_names(column_names);
                    t.columns.retain(|c| !dropped.contains(&c.def.name.value.to_lowercase()));
                    // PostgreSQL drops the indexes and table constraints that involve a column
                    // with it.
                    t.constraints.retain(|c| !c.columns.iter().any(|col| dropped.contains(col)));
                    if t.primary_key.iter().any(|c| dropped.contains(c)) {
                        t.primary_key.clear();
                    }
                    self.indexes.retain(|_, i| i.table != table || !i.columns.iter().any(|c| dropped.contains(c)));
                }
                AlterTableOperation::RenameColumn { old_column_name, new_column_name } => {
                    let (old, new) = (old_column_name.value.to_lowercase(), new_column_name.value.to_lowercase());
                    if let Some(c) = t.column_mut(&old_column_name.value) {
                        c.def.name = new_column_name.clone();
                    }
                    let rename = |cols: &mut Vec<String>| cols.iter_mut().filter(|c| **c == old).for_each(|c| *c = new.clone());
                    rename(&mut t.primary_key);
                    t.constraints.iter_mut().for_each(|c| rename(&mut c.columns));
                    for i in self.indexes.values_mut().filter(|i| i.table == table) {
                        rename(&mut i.columns);
                        if let Some(d) = i.statement.as_mut() {
                            rename_identifiers(d, &old, new_column_name);
                        }
                    }
                }
                AlterTableOperation::RenameTable { table_name } => {
                    let new = match table_name {
                        RenameTableNameKind::As(n) | RenameTableNameKind::To(n) => key(n),
                    };
                    t.name = new.clone();
                    self.tables.insert(new.clone(), Arc::new(t));
                    for i in self.indexes.values_mut() {
                        if i.table == table {
                            i.table = new.clone();
                            if let Some(s) = &mut i.statement {
                                s.table_name = ObjectName::from(vec![Ident::new(new.clone())]);
                            }
                        }
                    }
                    for t in self.tables.values_mut() {
                        if t.constraints.iter().any(|c| c.references.as_deref() == Some(table)) {
                            let t = Arc::make_mut(t);
                            for c in t.constraints.iter_mut().filter(|c| c.references.as_deref() == Some(table)) {
                                c.references = Some(new.clone());
                            }
                        }
                    }
                    for d in self.triggers.values_mut().filter(|d| d.table.as_deref() == Some(table)) {
                        d.table = Some(new.clone());
                    }
                    return;
                }
                AlterTableOperation::AlterColumn { column_name, op } => {
                    if let Some(c) = t.column_mut(&column_name.value) {
                        alter_column(&mut c.def, op);
                    }
                }
                AlterTableOperation::AddConstraint { constraint, .. } => {
                    t.add_table_constraint(constraint, &names);
                    resolve = true;
                }
                AlterTableOperation::RenameConstraint { old_name, new_name } => {
                    if let Some(c) = t.constraints.iter_mut().find(|c| c.name.eq_ignore_ascii_case(&old_name.value)) {
                        c.name = new_name.value.clone();
                    }
                }
                AlterTableOperation::DropConstraint { name, .. } => {
                    if t.constraint(&name.value).is_some_and(|c| c.kind == ConstraintKind::PrimaryKey) {
                        t.primary_key.clear();
                    }
                    t.constraints.retain(|c| !c.name.eq_ignore_ascii_case(&name.value));
                }
                _ => {}
            }
            self.tables.insert(table.to_string(), Arc::new(t));
            if resolve {
                // With the table back in place: it may reference itself.
                self.resolve_references(table);
            }
        }
    }
}

/// Apply an `ALTER COLUMN` operation to a column definition.
pub fn alter_column(def: &mut ColumnDef, op: &AlterColumnOperation) {
    let options = &mut def.options;
    match op {
        AlterColumnOperation::SetNotNull => {
            options.retain(|o| !matches!(o.option, ColumnOption::Null | ColumnOption::NotNull));
            options.push(sqlparser::ast::ColumnOptionDef { name: None, option: ColumnOption::NotNull });
        }
        AlterColumnOperation::DropNotNull => options.retain(|o| !matches!(o.option, ColumnOption::NotNull)),
        AlterColumnOperation::SetDefault { value } => {
            options.retain(|o| !matches!(o.option, ColumnOption::Default(_)));
            options.push(sqlparser::ast::ColumnOptionDef { name: None, option: ColumnOption::Default(value.clone()) });
        }
        AlterColumnOperation::DropDefault => options.retain(|o| !matches!(o.option, ColumnOption::Default(_))),
        AlterColumnOperation::SetDataType { data_type, .. } => def.data_type = data_type.clone(),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn catalog(sql: &str) -> Catalog {
        let mut c = Catalog::default();
        for stmt in sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::PostgreSqlDialect {}, sql).unwrap() {
            c.apply(&stmt);
        }
        c
    }

    fn names(c: &Catalog, table: &str) -> Vec<String> {
        c.tables[table].constraints.iter().map(|c| c.name.clone()).collect()
    }

    #[test]
    fn unnamed_constraints_get_postgres_names() {
        let c = catalog(
            "CREATE TABLE books (id int PRIMARY KEY, a int REFERENCES x, b int CHECK (b > 0), c int UNIQUE, \
             d int, UNIQUE (c, d), CHECK (b < d), CHECK (d > 0), CHECK (d < 9), CONSTRAINT mine UNIQUE (a))",
        );
        assert_eq!(
            names(&c, "books"),
            [
                "books_pkey",
                "books_a_fkey",
                "books_b_check",
                "books_c_key",
                "books_c_d_key",
                "books_check",
                "books_d_check",
                "books_d_check1",
                "mine"
            ]
        );
        assert_eq!(c.tables["books"].primary_key, ["id"]);
    }

    #[test]
    fn long_names_are_shortened_like_postgres() {
        let table = "a".repeat(40);
        let column = "b".repeat(40);
        let name = generated_name(&table, ConstraintKind::Unique, &[column], &|_| false);
        assert_eq!(name.len(), 63);
        assert_eq!(name, format!("{}_{}_key", "a".repeat(29), "b".repeat(29)));
    }

    #[test]
    fn alters_keep_constraints_and_indexes_current() {
        let c = catalog(
            "CREATE TABLE t (id int PRIMARY KEY, a int, b int); CREATE INDEX t_ab ON t (a, b); CREATE INDEX t_id ON t (id); \
             ALTER TABLE t ADD UNIQUE (a); ALTER TABLE t ADD COLUMN c int REFERENCES u (id); ALTER TABLE t ADD CHECK (b > 0); \
             ALTER TABLE t DROP CONSTRAINT t_b_check; ALTER TABLE t DROP COLUMN a; ALTER TABLE t RENAME COLUMN c TO d",
        );
        assert_eq!(names(&c, "t"), ["t_pkey", "t_c_fkey"]);
        assert_eq!(c.tables["t"].constraints[1].columns, ["d"]);
        assert_eq!(c.indexes_of("t").iter().map(|(n, _)| *n).collect::<Vec<_>>(), ["t_id"]);
        assert_eq!(c.referencing_foreign_keys("u"), [("t".to_string(), "t_c_fkey".to_string())]);
    }

    #[test]
    fn definitions_are_kept_for_the_declarative_schema() {
        let c = catalog(
            "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a ON DELETE CASCADE, n int CHECK (n > 0)); \
             CREATE TABLE a (id int PRIMARY KEY, name text); CREATE INDEX a_name ON a (name); \
             ALTER TABLE a RENAME COLUMN name TO full_name; ALTER TABLE a RENAME CONSTRAINT a_pkey TO a_key_renamed; \
             CREATE OR REPLACE VIEW v AS SELECT id FROM a; CREATE VIEW w AS SELECT 1; DROP VIEW w; \
             CREATE INDEX old_name ON b (n); ALTER INDEX old_name RENAME TO b_n",
        );
        let fk = &c.tables["b"].constraints[1];
        // `REFERENCES a` without columns means a's key, known once `a` exists.
        assert_eq!((fk.ref_columns.as_slice(), fk.detail.as_str()), (&["id".to_string()][..], " ON DELETE CASCADE"));
        assert_eq!(c.tables["b"].constraints[2].detail, "n > 0");
        assert_eq!(names(&c, "a"), ["a_key_renamed"]);
        let indexes: Vec<String> = c.indexes().iter().map(|(_, i)| i.statement.as_ref().unwrap().to_string()).collect();
        assert_eq!(indexes, ["CREATE INDEX a_name ON a(full_name)", "CREATE INDEX b_n ON b(n)"]);
        let views: Vec<_> = c.views().iter().map(|(d, reads)| (d.sql.clone(), reads.to_vec())).collect();
        assert_eq!(views, [("CREATE VIEW v AS SELECT id FROM a".to_string(), vec!["a".to_string()])]);
    }

    #[test]
    fn views_depend_on_what_they_read() {
        let c = catalog(
            "CREATE VIEW a AS SELECT * FROM t; CREATE VIEW b AS SELECT * FROM a JOIN u ON true; CREATE VIEW c AS SELECT 1",
        );
        assert_eq!(c.dependent_views("t"), ["b", "a"]);
        assert_eq!(c.dependent_views("u"), ["b"]);
    }
}
