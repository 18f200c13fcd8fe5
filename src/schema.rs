//! Declarative schema: the whole schema as one plain model, written out as canonical SQL
//! (`sqlmig schema dump`) and compared with another model to produce the migration between
//! them (`sqlmig diff`).
//!
//! The model is built from [`Catalog`], the same fold of parsed statements that translation
//! uses, so the migrations and a `schema.sql` file are read the same way. Everything here is
//! source-dialect SQL: a generated migration goes through the normal translation pipeline to
//! reach each database, so SQLite's ALTERs become table rebuilds there as they would for a
//! migration written by hand.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::{Catalog, ConstraintKind, Definition};
use crate::dialect::Dialect;
use crate::error::{Error, Result};
use crate::format::Direction;
use crate::migration::Migration;
use crate::source::Source;
use crate::sql::Parsed;

/// A column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The name as written.
    pub name: String,
    /// The type, canonical source-dialect SQL (`INTEGER`, `VARCHAR(255)`).
    pub data_type: String,
    /// Whether `NOT NULL` is written.
    pub not_null: bool,
    /// The default expression, if any.
    pub default: Option<String>,
    /// Other column options as written (`GENERATED ...`, `COLLATE ...`), in order.
    pub extra: Vec<String>,
}

/// A named table constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    /// Its name: the written one, or the one PostgreSQL generates.
    pub name: String,
    /// What it is.
    pub kind: ConstraintKind,
    /// The definition without the name (`FOREIGN KEY (a) REFERENCES t (id) ON DELETE CASCADE`).
    pub definition: String,
    /// For a foreign key, the referenced table (lowercase).
    pub references: Option<String>,
}

/// A table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The name (lowercase).
    pub name: String,
    /// Columns in order.
    pub columns: Vec<Column>,
    /// The primary key's columns (lowercase).
    pub primary_key: Vec<String>,
    /// Constraints (primary key included), in declaration order.
    pub constraints: Vec<Constraint>,
}

impl Table {
    fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// Whether a column can hold NULL: not when it is declared NOT NULL or is in the key.
    fn nullable(&self, c: &Column) -> bool {
        !c.not_null && !self.primary_key.iter().any(|k| k.eq_ignore_ascii_case(&c.name))
    }
}

/// An index made by `CREATE INDEX`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// The name (lowercase).
    pub name: String,
    /// Its table (lowercase).
    pub table: String,
    /// The columns it covers (lowercase, plain columns only).
    pub columns: Vec<String>,
    /// The `CREATE INDEX` statement.
    pub sql: String,
}

/// A view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    /// The name (lowercase).
    pub name: String,
    /// The `CREATE VIEW` statement.
    pub sql: String,
    /// The tables and views it reads (lowercase).
    pub reads: Vec<String>,
}

/// A whole schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    /// The dialect its SQL is written in.
    pub dialect: Dialect,
    /// Tables by name (lowercase).
    pub tables: BTreeMap<String, Table>,
    /// Indexes by name (lowercase).
    pub indexes: BTreeMap<String, Index>,
    /// Views by name (lowercase).
    pub views: BTreeMap<String, View>,
    /// Functions by name (lowercase): in the dump, for the triggers that call them.
    pub functions: BTreeMap<String, Definition>,
    /// Triggers by name (lowercase).
    pub triggers: BTreeMap<String, Definition>,
}

/// Spellings of one type that mean the same, mapped to one of them, so that `int` and
/// `INTEGER` compare equal. Applied to the type's leading words.
const SYNONYMS: &[(&str, &str)] = &[
    ("INT", "INTEGER"),
    ("INT4", "INTEGER"),
    ("INT8", "BIGINT"),
    ("INT2", "SMALLINT"),
    ("BOOL", "BOOLEAN"),
    ("FLOAT8", "DOUBLE PRECISION"),
    ("FLOAT4", "REAL"),
    ("CHARACTER VARYING", "VARCHAR"),
    ("DECIMAL", "NUMERIC"),
    ("TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"),
    ("TIMESTAMP WITHOUT TIME ZONE", "TIMESTAMP"),
];

/// The canonical spelling of a type.
pub fn canonical_type(text: &str) -> String {
    let upper = text.trim().to_uppercase();
    for (from, to) in SYNONYMS {
        if let Some(rest) = upper.strip_prefix(from) {
            if rest.is_empty() || rest.starts_with('(') || rest.starts_with(' ') {
                return format!("{to}{rest}");
            }
        }
    }
    upper
}

impl Schema {
    /// The model of what a catalog holds.
    pub fn from_catalog(catalog: &Catalog, dialect: Dialect) -> Schema {
        use sqlparser::ast::ColumnOption as O;
        let mut s = Schema {
            dialect,
            tables: BTreeMap::new(),
            indexes: BTreeMap::new(),
            views: BTreeMap::new(),
            functions: BTreeMap::new(),
            triggers: BTreeMap::new(),
        };
        for t in catalog.tables() {
            let columns = t
                .columns
                .iter()
                .map(|c| {
                    let mut col = Column {
                        name: c.def.name.value.clone(),
                        data_type: canonical_type(&c.def.data_type.to_string()),
                        not_null: false,
                        default: None,
                        extra: Vec::new(),
                    };
                    for o in &c.def.options {
                        match &o.option {
                            O::NotNull => col.not_null = true,
                            O::Null => {}
                            // `DEFAULT NULL` is what a column without a default has.
                            O::Default(sqlparser::ast::Expr::Value(v)) if v.value == sqlparser::ast::Value::Null => {}
                            O::Default(e) => col.default = Some(e.to_string()),
                            // Constraints are kept as table constraints, with their names.
                            O::PrimaryKey(_) | O::Unique(_) | O::ForeignKey(_) | O::Check(_) => {}
                            _ => col.extra.push(o.to_string()),
                        }
                    }
                    col
                })
                .collect();
            let constraints = t
                .constraints
                .iter()
                .map(|c| Constraint {
                    name: c.name.clone(),
                    kind: c.kind,
                    definition: definition(c, dialect),
                    references: c.references.clone(),
                })
                .collect();
            let name = t.name.to_lowercase();
            s.tables.insert(name.clone(), Table { name, columns, primary_key: t.primary_key.clone(), constraints });
        }
        for (name, i) in catalog.indexes() {
            if let Some(stmt) = &i.statement {
                let sql = sqlparser::ast::Statement::CreateIndex((**stmt).clone()).to_string();
                s.indexes.insert(
                    name.to_string(),
                    Index { name: name.to_string(), table: i.table.clone(), columns: i.columns.clone(), sql },
                );
            }
        }
        for (d, reads) in catalog.views() {
            let name = d.name.to_lowercase();
            s.views.insert(name.clone(), View { name, sql: d.sql.clone(), reads: reads.to_vec() });
        }
        for d in catalog.functions() {
            s.functions.insert(d.name.to_lowercase(), d.clone());
        }
        for d in catalog.triggers() {
            s.triggers.insert(d.name.to_lowercase(), d.clone());
        }
        s
    }

    /// The schema that applying every up section of `migrations` in order produces.
    pub fn from_migrations(migrations: &[Migration], dialect: Dialect) -> Result<Schema> {
        let mut catalog = Catalog::default();
        let mut errors = Vec::new();
        for m in migrations {
            match m.parse(dialect) {
                Ok(p) => p.fold(Direction::Up, p.dialect, &mut catalog),
                Err(e) => errors.push(e),
            }
        }
        crate::error::collect(errors)?;
        Ok(Schema::from_catalog(&catalog, dialect))
    }

    /// The schema a file of plain statements (`schema.sql`) declares. A statement sqlparser
    /// cannot read is an error at its position: the schema would silently lack it.
    pub fn from_source(source: &Source, dialect: Dialect) -> Result<Schema> {
        let statements = crate::split::split(&source.text, source.content_start()..source.text.len(), dialect).map_err(|e| {
            Error::syntax(source.location(e.offset), format!("unterminated {}", e.what))
                .with_help("close it before the end of the file")
        })?;
        let mut catalog = Catalog::default();
        let mut errors = Vec::new();
        for raw in statements {
            let stmt = crate::sql::parse(source, raw.start..raw.end, dialect);
            match &stmt.parsed {
                Parsed::Ast(ast)
                    if matches!(
                        **ast,
                        sqlparser::ast::Statement::Insert(_)
                            | sqlparser::ast::Statement::Update(_)
                            | sqlparser::ast::Statement::Delete(_)
                            | sqlparser::ast::Statement::Truncate(_)
                    ) =>
                {
                    errors.push(
                        Error::syntax(
                            source.location(stmt.span.start),
                            "a schema file declares the schema; this statement changes rows",
                        )
                        .with_help("write data changes in a migration (`sqlmig new`)"),
                    )
                }
                Parsed::Ast(ast) => catalog.apply(ast),
                Parsed::Many(all) => all.iter().for_each(|a| catalog.apply(a)),
                Parsed::Error { message, offset } => errors.push(
                    Error::syntax(source.location(*offset), format!("cannot parse this statement: {message}"))
                        .with_help(format!("write the schema in SQL that sqlparser reads as {dialect}")),
                ),
            }
        }
        crate::error::collect(errors)?;
        Ok(Schema::from_catalog(&catalog, dialect))
    }

    /// The schema of a live database, read back as `dialect` SQL: stored definitions on
    /// SQLite (as written, read in `dialect` when they parse so), translated from MySQL's
    /// `SHOW CREATE TABLE`, assembled from the catalog on PostgreSQL (see
    /// [`crate::introspect::ddl`]). Types are what the database keeps, mapped back.
    pub fn from_database(driver: &mut dyn crate::driver::Driver, ledger: &str, dialect: Dialect) -> Result<Schema> {
        use sqlparser::parser::Parser;
        let native = driver.dialect();
        let mut catalog = Catalog::default();
        for text in crate::introspect::ddl(driver, ledger)? {
            let unreadable = |e: &dyn std::fmt::Display| {
                Error::Database(format!(
                    "cannot read back the database's definition `{}`: {e}",
                    text.lines().next().unwrap_or_default()
                ))
            };
            // SQLite keeps statements as they were sent, usually still in the source dialect.
            if native == Dialect::Sqlite {
                if let Ok(stmts) = Parser::parse_sql(&*dialect.parser_dialect(), &text) {
                    stmts.iter().for_each(|s| catalog.apply(s));
                    continue;
                }
            }
            let stmts = Parser::parse_sql(&*native.parser_dialect(), &text).map_err(|e| unreadable(&e))?;
            for mut stmt in stmts {
                let indexes = inline_indexes(&mut stmt);
                for stmt in std::iter::once(stmt).chain(indexes) {
                    if native == dialect {
                        catalog.apply(&stmt);
                        continue;
                    }
                    let cx = crate::translate::Context { from: native, to: dialect, catalog: &catalog };
                    let translated = crate::translate::translate(&stmt, &cx).map_err(|e| unreadable(&e.message))?;
                    for sql in translated.sql {
                        for s in Parser::parse_sql(&*dialect.parser_dialect(), &sql).map_err(|e| unreadable(&e))? {
                            catalog.apply(&s);
                        }
                    }
                }
            }
        }
        let mut schema = Schema::from_catalog(&catalog, dialect);
        // A database cannot tell `id INTEGER NOT NULL PRIMARY KEY` from `id INTEGER PRIMARY KEY`.
        for t in schema.tables.values_mut() {
            let key = t.primary_key.clone();
            for c in t.columns.iter_mut().filter(|c| key.iter().any(|k| k.eq_ignore_ascii_case(&c.name))) {
                c.not_null = false;
            }
        }
        Ok(schema)
    }

    /// Whether the schema has nothing in it.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty() && self.indexes.is_empty() && self.views.is_empty() && self.triggers.is_empty()
    }

    fn ident(&self, name: &str) -> String {
        ident(name, self.dialect)
    }

    /// A column as it is declared in `CREATE TABLE` and `ADD COLUMN`.
    fn column_sql(&self, c: &Column) -> String {
        let mut out = format!("{} {}", self.ident(&c.name), c.data_type);
        if let Some(d) = &c.default {
            out.push_str(&format!(" DEFAULT {d}"));
        }
        if c.not_null {
            out.push_str(" NOT NULL");
        }
        for e in &c.extra {
            out.push(' ');
            out.push_str(e);
        }
        out
    }

    fn constraint_sql(&self, c: &Constraint) -> String {
        format!("CONSTRAINT {} {}", self.ident(&c.name), c.definition)
    }

    /// `CREATE TABLE`, leaving out the foreign keys in `skip`. A single-column primary key
    /// with the generated name is written on its column, as people write it (and as SQLite
    /// needs for an `INTEGER PRIMARY KEY` rowid alias).
    fn create_table(&self, t: &Table, skip: &[&str]) -> String {
        let inline_pk = t
            .constraints
            .iter()
            .find(|c| c.kind == ConstraintKind::PrimaryKey && t.primary_key.len() == 1 && c.name == format!("{}_pkey", t.name))
            .map(|c| c.name.as_str());
        let mut lines: Vec<String> = t
            .columns
            .iter()
            .map(|c| {
                let mut line = self.column_sql(c);
                if inline_pk.is_some() && t.primary_key[0].eq_ignore_ascii_case(&c.name) {
                    line.push_str(" PRIMARY KEY");
                }
                line
            })
            .collect();
        for c in &t.constraints {
            if Some(c.name.as_str()) == inline_pk || skip.contains(&c.name.as_str()) {
                continue;
            }
            lines.push(self.constraint_sql(c));
        }
        format!("CREATE TABLE {} (\n    {}\n)", self.ident(&t.name), lines.join(",\n    "))
    }

    /// Tables in an order they can be created in: by name, but each after the tables its
    /// foreign keys reference. Foreign keys that a cycle makes impossible to declare inline
    /// come back as (table, constraint) to add afterwards.
    fn creation_order<'a>(
        &'a self,
        tables: &[&'a Table],
        existing: &BTreeSet<String>,
    ) -> (Vec<&'a Table>, Vec<(String, String)>) {
        let names: BTreeSet<&str> = tables.iter().map(|t| t.name.as_str()).collect();
        let mut done: BTreeSet<String> = existing.clone();
        let mut order = Vec::new();
        let mut deferred = Vec::new();
        let mut todo: Vec<&Table> = tables.to_vec();
        todo.sort_by(|a, b| a.name.cmp(&b.name));
        let waits_for = |t: &Table, done: &BTreeSet<String>| -> Vec<String> {
            t.constraints
                .iter()
                .filter(|c| c.references.as_deref().is_some_and(|r| r != t.name && names.contains(r) && !done.contains(r)))
                .map(|c| c.name.clone())
                .collect()
        };
        while !todo.is_empty() {
            let pos = todo.iter().position(|t| waits_for(t, &done).is_empty()).unwrap_or(0);
            let t = todo.remove(pos);
            for c in waits_for(t, &done) {
                deferred.push((t.name.clone(), c));
            }
            done.insert(t.name.clone());
            order.push(t);
        }
        (order, deferred)
    }

    /// Views in an order they can be created in: by name, each after the views it reads.
    fn view_order<'a>(&'a self, views: &[&'a View]) -> Vec<&'a View> {
        let names: BTreeSet<&str> = views.iter().map(|v| v.name.as_str()).collect();
        let mut done: BTreeSet<&str> = BTreeSet::new();
        let mut todo: Vec<&View> = views.to_vec();
        todo.sort_by(|a, b| a.name.cmp(&b.name));
        let mut order = Vec::new();
        while !todo.is_empty() {
            let pos = todo
                .iter()
                .position(|v| v.reads.iter().all(|r| r == &v.name || !names.contains(r.as_str()) || done.contains(r.as_str())))
                .unwrap_or(0);
            let v = todo.remove(pos);
            done.insert(v.name.as_str());
            order.push(v);
        }
        order
    }

    /// The schema as canonical SQL: the same schema always gives the same text, in an
    /// order that applies to an empty database (tables by name with referenced tables first,
    /// then indexes, views, functions and triggers).
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        let tables: Vec<&Table> = self.tables.values().collect();
        let (order, deferred) = self.creation_order(&tables, &BTreeSet::new());
        for t in order {
            let skip: Vec<&str> = deferred.iter().filter(|(dt, _)| *dt == t.name).map(|(_, c)| c.as_str()).collect();
            out.push(self.create_table(t, &skip));
        }
        for (t, c) in &deferred {
            let c = self.tables[t].constraints.iter().find(|x| &x.name == c).expect("a deferred constraint exists");
            out.push(format!("ALTER TABLE {} ADD {}", self.ident(t), self.constraint_sql(c)));
        }
        let mut indexes: Vec<&Index> = self.indexes.values().collect();
        indexes.sort_by(|a, b| (&a.table, &a.name).cmp(&(&b.table, &b.name)));
        out.extend(indexes.iter().map(|i| i.sql.clone()));
        let views: Vec<&View> = self.views.values().collect();
        out.extend(self.view_order(&views).iter().map(|v| v.sql.clone()));
        out.extend(self.functions.values().map(|f| f.sql.clone()));
        out.extend(self.triggers.values().map(|t| t.sql.clone()));
        let mut text = String::new();
        for stmt in out {
            text.push_str(&stmt);
            text.push_str(";\n\n");
        }
        text.truncate(text.trim_end().len());
        if !text.is_empty() {
            text.push('\n');
        }
        text
    }
}

/// MySQL's plain `KEY name (...)` clauses of a `CREATE TABLE`, taken out as `CREATE INDEX`
/// statements; the index MySQL adds for a foreign key (named like it) is left out.
fn inline_indexes(stmt: &mut sqlparser::ast::Statement) -> Vec<sqlparser::ast::Statement> {
    use sqlparser::ast::{Statement, TableConstraint};
    let Statement::CreateTable(ct) = stmt else { return Vec::new() };
    let foreign: Vec<String> = ct
        .constraints
        .iter()
        .filter_map(|c| match c {
            TableConstraint::ForeignKey(f) => f.name.as_ref().map(|n| n.value.to_lowercase()),
            _ => None,
        })
        .collect();
    // `UNIQUE KEY name (...)` is `CONSTRAINT name UNIQUE (...)`.
    for c in ct.constraints.iter_mut() {
        if let TableConstraint::Unique(u) = c {
            if u.name.is_none() {
                u.name = u.index_name.take();
            }
            u.index_name = None;
            u.index_type_display = sqlparser::ast::KeyOrIndexDisplay::None;
        }
    }
    let mut out = Vec::new();
    let table = ct.name.clone();
    ct.constraints.retain(|c| {
        let TableConstraint::Index(i) = c else { return true };
        let Some(name) = &i.name else { return false };
        if !foreign.contains(&name.value.to_lowercase()) {
            let columns = i.columns.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ");
            let sql = format!("CREATE INDEX {name} ON {table} ({columns})");
            if let Ok(mut s) = sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::MySqlDialect {}, &sql) {
                out.append(&mut s);
            }
        }
        false
    });
    out
}

/// A constraint's definition without its name, as canonical SQL.
fn definition(c: &crate::catalog::Constraint, dialect: Dialect) -> String {
    let cols = |cols: &[String]| cols.iter().map(|c| ident(c, dialect)).collect::<Vec<_>>().join(", ");
    match c.kind {
        ConstraintKind::PrimaryKey => format!("PRIMARY KEY ({})", cols(&c.columns)),
        ConstraintKind::Unique => format!("UNIQUE ({})", cols(&c.columns)),
        ConstraintKind::Check => format!("CHECK ({})", c.detail),
        ConstraintKind::ForeignKey => {
            let table = c.references.as_deref().unwrap_or_default();
            let refs = if c.ref_columns.is_empty() { String::new() } else { format!(" ({})", cols(&c.ref_columns)) };
            format!("FOREIGN KEY ({}) REFERENCES {}{refs}{}", cols(&c.columns), ident(table, dialect), c.detail)
        }
    }
}

/// Words that cannot be a bare identifier in some database; quoted when they are names.
const RESERVED: &[&str] = &[
    "all",
    "and",
    "as",
    "asc",
    "between",
    "by",
    "case",
    "check",
    "column",
    "constraint",
    "create",
    "default",
    "delete",
    "desc",
    "distinct",
    "drop",
    "else",
    "end",
    "except",
    "exists",
    "false",
    "for",
    "foreign",
    "from",
    "group",
    "having",
    "in",
    "index",
    "insert",
    "into",
    "is",
    "join",
    "key",
    "like",
    "limit",
    "not",
    "null",
    "of",
    "on",
    "or",
    "order",
    "primary",
    "references",
    "select",
    "set",
    "table",
    "then",
    "to",
    "true",
    "union",
    "unique",
    "update",
    "user",
    "using",
    "values",
    "when",
    "where",
    "with",
];

/// A name as SQL: bare when it is a plain lowercase word, else quoted.
pub fn ident(name: &str, dialect: Dialect) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RESERVED.contains(&name);
    if plain {
        name.to_string()
    } else {
        dialect.quote_ident(name)
    }
}

/// Renames the person says happened (`--rename old:new`), which a diff cannot tell from a
/// drop and an add.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renames {
    /// Tables: (old name, new name), lowercase.
    pub tables: Vec<(String, String)>,
    /// Columns: (table's new name, old column, new column), lowercase.
    pub columns: Vec<(String, String, String)>,
}

impl Renames {
    /// Parse `old:new` (a table) or `table.old:new` / `table.old:table.new` (a column; the
    /// table by its new name).
    pub fn parse(specs: &[String]) -> Result<Renames> {
        let mut r = Renames::default();
        for spec in specs {
            let bad = || Error::input(format!("`--rename {spec}`: expected OLD:NEW for a table or TABLE.OLD:NEW for a column"));
            let (old, new) = spec.split_once(':').ok_or_else(bad)?;
            let (old, new) = (old.trim().to_lowercase(), new.trim().to_lowercase());
            match old.split_once('.') {
                Some((table, column)) => {
                    let new = match new.split_once('.') {
                        Some((t, c)) if t == table => c.to_string(),
                        Some(_) => return Err(bad()),
                        None => new,
                    };
                    if table.is_empty() || column.is_empty() || new.is_empty() {
                        return Err(bad());
                    }
                    r.columns.push((table.to_string(), column.to_string(), new));
                }
                None => {
                    if old.is_empty() || new.is_empty() || new.contains('.') {
                        return Err(bad());
                    }
                    r.tables.push((old, new));
                }
            }
        }
        Ok(r)
    }

    /// The renames that undo these.
    fn inverse(&self) -> Renames {
        let old_table = |t: &str| self.tables.iter().find(|(_, n)| n == t).map_or(t.to_string(), |(o, _)| o.clone());
        Renames {
            tables: self.tables.iter().map(|(o, n)| (n.clone(), o.clone())).collect(),
            columns: self.columns.iter().map(|(t, o, n)| (old_table(t), n.clone(), o.clone())).collect(),
        }
    }
}

/// The lint rule a destructive step trips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destructive {
    /// `DROP TABLE`.
    DropTable,
    /// `DROP COLUMN`.
    DropColumn,
    /// A column type change, which can lose values.
    TypeChange,
}

impl Destructive {
    /// The lint rule's id, for `-- sqlmig:allow`.
    pub fn rule(self) -> &'static str {
        match self {
            Destructive::DropTable => crate::lint::DROP_TABLE.id,
            Destructive::DropColumn => crate::lint::DROP_COLUMN.id,
            Destructive::TypeChange => crate::lint::NARROWING_TYPE.id,
        }
    }
}

/// One statement of a generated migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The statement (source dialect, no terminator).
    pub sql: String,
    /// A note for the reviewer, written above it.
    pub comment: Option<String>,
    /// Whether it loses data.
    pub destructive: Option<Destructive>,
}

fn step(sql: String) -> Step {
    Step { sql, comment: None, destructive: None }
}

/// The statements that turn schema `from` into schema `to`, in an order that runs: views,
/// indexes and constraints that go are dropped first, then tables, columns and
/// constraints change, then indexes and views are made.
pub fn diff(from: &Schema, to: &Schema, renames: &Renames) -> Result<Vec<Step>> {
    let d = to.dialect;
    let q = |n: &str| ident(n, d);
    let mut from = from.clone();
    let mut steps: Vec<Step> = Vec::new();
    let mut late: Vec<Step> = Vec::new();

    // Check the renames against the schemas before changing anything.
    for (old, new) in &renames.tables {
        if !from.tables.contains_key(old) {
            return Err(Error::input(format!("`--rename {old}:{new}`: the migrations have no table `{old}`")));
        }
        if !to.tables.contains_key(new) || from.tables.contains_key(new) {
            return Err(Error::input(format!("`--rename {old}:{new}`: `{new}` must be a table of the schema file only")));
        }
    }
    let renamed_table = |t: &str| renames.tables.iter().find(|(o, _)| o == t).map_or(t.to_string(), |(_, n)| n.clone());
    for (table, old, new) in &renames.columns {
        let old_table = renames.tables.iter().find(|(_, n)| n == table).map_or(table.clone(), |(o, _)| o.clone());
        let fine = from.tables.get(&old_table).is_some_and(|t| t.column(old).is_some() && t.column(new).is_none())
            && to.tables.get(table).is_some_and(|t| t.column(new).is_some() && t.column(old).is_none());
        if !fine {
            return Err(Error::input(format!(
                "`--rename {table}.{old}:{new}`: the migrations' table `{table}` must have column `{old}` and not `{new}`, \
                 and the schema file's the other way round"
            )));
        }
    }

    // Views that read a table whose columns change, or that is renamed or dropped, are
    // dropped first and made again at the end: databases refuse such changes under a view.
    let mut touched: BTreeSet<String> = BTreeSet::new();
    for (name, t) in &from.tables {
        let new_name = renamed_table(name);
        match to.tables.get(&new_name) {
            Some(n) if new_name == *name && columns_same(t, n) => {}
            _ => {
                touched.insert(name.clone());
            }
        }
    }
    let mut stale_views: BTreeSet<String> = BTreeSet::new();
    for (name, v) in &from.views {
        if to.views.get(name).is_none_or(|n| n.sql != v.sql) {
            stale_views.insert(name.clone());
        }
    }
    loop {
        let more: Vec<String> = from
            .views
            .values()
            .filter(|v| !stale_views.contains(&v.name))
            .filter(|v| v.reads.iter().any(|r| touched.contains(r) || stale_views.contains(r)))
            .map(|v| v.name.clone())
            .collect();
        if more.is_empty() {
            break;
        }
        stale_views.extend(more);
    }
    // Dependents first.
    let drop_views: Vec<&View> = {
        let list: Vec<&View> = stale_views.iter().map(|n| &from.views[n]).collect();
        let mut order = from.view_order(&list);
        order.reverse();
        order
    };
    for v in drop_views {
        steps.push(step(format!("DROP VIEW {}", q(&v.name))));
    }

    // Renames, applied to `from` so the rest compares like with like.
    let mut renamed_steps = Vec::new();
    let renamed: BTreeSet<String> =
        renames.tables.iter().map(|(_, n)| n.clone()).chain(renames.columns.iter().map(|(t, _, _)| t.clone())).collect();
    for (old, new) in &renames.tables {
        renamed_steps.push(step(format!("ALTER TABLE {} RENAME TO {}", q(old), q(new))));
        let mut t = from.tables.remove(old).expect("checked above");
        t.name = new.clone();
        from.tables.insert(new.clone(), t);
        for t in from.tables.values_mut() {
            for c in t.constraints.iter_mut().filter(|c| c.references.as_deref() == Some(old.as_str())) {
                c.references = Some(new.clone());
                let (from_ref, to_ref) = (format!("REFERENCES {}", q(old)), format!("REFERENCES {}", q(new)));
                if let Some(at) = c.definition.find(&from_ref).filter(|at| {
                    let rest = &c.definition[at + from_ref.len()..];
                    rest.is_empty() || rest.starts_with(' ')
                }) {
                    c.definition.replace_range(at..at + from_ref.len(), &to_ref);
                }
            }
        }
        for i in from.indexes.values_mut().filter(|i| &i.table == old) {
            i.table = new.clone();
        }
    }
    for (table, old, new) in &renames.columns {
        renamed_steps.push(step(format!("ALTER TABLE {} RENAME COLUMN {} TO {}", q(table), q(old), q(new))));
        let t = from.tables.get_mut(table).expect("checked above");
        for c in t.columns.iter_mut().filter(|c| c.name.eq_ignore_ascii_case(old)) {
            c.name = new.clone();
        }
        let rename = |cols: &mut Vec<String>| cols.iter_mut().filter(|c| *c == old).for_each(|c| *c = new.clone());
        rename(&mut t.primary_key);
        for i in from.indexes.values_mut().filter(|i| &i.table == table) {
            rename(&mut i.columns);
        }
    }

    // Indexes that go or change.
    let dropped_tables: BTreeSet<&String> = from.tables.keys().filter(|n| !to.tables.contains_key(*n)).collect();
    // An index of a renamed table or column still says the old names: the database renames
    // them inside it, so it is compared by what it covers.
    let index_kept = |o: &Index, n: &Index| {
        o.table == n.table
            && (o.sql == n.sql || (renamed.contains(&o.table) && o.columns == n.columns && index_shape(o) == index_shape(n)))
    };
    for (name, i) in &from.indexes {
        if !to.indexes.get(name).is_some_and(|n| index_kept(i, n)) && !dropped_tables.contains(&i.table) {
            steps.push(step(format!("DROP INDEX {}", q(name))));
        }
    }
    // Constraints that go or change, foreign keys first (a key they use may go too). They
    // are dropped before tables are renamed, under the names they have then.
    let old_name = |t: &str| renames.tables.iter().find(|(_, n)| n == t).map_or(t.to_string(), |(o, _)| o.clone());
    let mut drops: Vec<(String, &Constraint)> = Vec::new();
    let mut renamed_keys: BTreeSet<String> = BTreeSet::new();
    for (name, t) in &from.tables {
        let Some(n) = to.tables.get(name) else { continue };
        for c in &t.constraints {
            if n.constraints.iter().any(|x| x.name.eq_ignore_ascii_case(&c.name) && x.definition == c.definition) {
                continue;
            }
            // The same primary key under another name (a renamed table's `_pkey`) is
            // renamed, not made again: dropping it would take the rows' NOT NULL along.
            let same_key = n.constraints.iter().find(|x| x.kind == ConstraintKind::PrimaryKey && x.definition == c.definition);
            match same_key {
                Some(x) if c.kind == ConstraintKind::PrimaryKey => {
                    let sql = format!("ALTER TABLE {} RENAME CONSTRAINT {} TO {}", q(&old_name(name)), q(&c.name), q(&x.name));
                    steps.push(step(sql));
                    renamed_keys.insert(name.clone());
                }
                _ => drops.push((name.clone(), c)),
            }
        }
    }
    // A primary key cannot be dropped under the foreign keys that reference it: they are
    // dropped too, and made again once the new key is there.
    let rekeyed: Vec<String> =
        drops.iter().filter(|(_, c)| c.kind == ConstraintKind::PrimaryKey).map(|(t, _)| t.clone()).collect();
    let mut readd: BTreeSet<(String, String)> = BTreeSet::new();
    for (name, t) in &from.tables {
        let Some(n) = to.tables.get(name) else { continue };
        for c in &t.constraints {
            let refers = c.references.as_deref().is_some_and(|r| rekeyed.iter().any(|k| k == r));
            if refers
                && !drops.iter().any(|(dt, d)| dt == name && d.name == c.name)
                && n.constraints.iter().any(|x| x.name == c.name)
            {
                drops.push((name.clone(), c));
                readd.insert((name.clone(), c.name.clone()));
            }
        }
    }
    drops.sort_by_key(|(_, c)| c.kind != ConstraintKind::ForeignKey);
    let old_column = |table: &str, column: &str| {
        renames.columns.iter().find(|(t, _, n)| t == table && n == column).map_or(column.to_string(), |(_, o, _)| o.clone())
    };
    for (table, c) in drops {
        let old_table = old_name(&table);
        steps.push(step(format!("ALTER TABLE {} DROP CONSTRAINT {}", q(&old_table), q(&c.name))));
        if c.kind != ConstraintKind::PrimaryKey {
            continue;
        }
        // PostgreSQL leaves the key's columns NOT NULL (and the others follow it): give
        // back the nullability the schema file declares.
        for column in &from.tables[&table].primary_key {
            let declared = to.tables[&table].column(column).map(|c| c.not_null);
            if declared == Some(false) {
                steps.push(step(format!(
                    "ALTER TABLE {} ALTER COLUMN {} DROP NOT NULL",
                    q(&old_table),
                    q(&old_column(&table, column))
                )));
            }
        }
    }
    // Foreign keys of surviving tables into tables that go were dropped just above; the
    // tables go with the ones that reference them first.
    let going: Vec<&Table> = from.tables.values().filter(|t| !to.tables.contains_key(&t.name)).collect();
    let added: Vec<&String> = to.tables.keys().filter(|n| !from.tables.contains_key(*n)).collect();
    let (mut drop_order, _) = from.creation_order(&going, &BTreeSet::new());
    drop_order.reverse();
    for t in drop_order {
        let mut s = step(format!("DROP TABLE {}", q(&t.name)));
        s.destructive = Some(Destructive::DropTable);
        if !added.is_empty() {
            let list: Vec<String> = added.iter().map(|a| format!("`{}:{a}`", t.name)).collect();
            s.comment = Some(format!(
                "`{}` is dropped and {} created: if this is a rename, generate again with --rename {}",
                t.name,
                added.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", "),
                list.join(" or ")
            ));
        }
        steps.push(s);
    }
    steps.extend(renamed_steps);

    // New tables, referenced ones first; foreign keys a cycle prevents come after.
    let new_tables: Vec<&Table> = to.tables.values().filter(|t| !from.tables.contains_key(&t.name)).collect();
    let existing: BTreeSet<String> = from.tables.keys().filter(|n| to.tables.contains_key(*n)).cloned().collect();
    let (order, deferred) = to.creation_order(&new_tables, &existing);
    for t in order {
        let skip: Vec<&str> = deferred.iter().filter(|(dt, _)| *dt == t.name).map(|(_, c)| c.as_str()).collect();
        steps.push(step(to.create_table(t, &skip)));
    }
    for (t, c) in &deferred {
        let c = to.tables[t].constraints.iter().find(|x| &x.name == c).expect("a deferred constraint exists");
        late.push(step(format!("ALTER TABLE {} ADD {}", q(t), to.constraint_sql(c))));
    }

    // Columns of the tables in both.
    let mut add_constraints = Vec::new();
    for (name, n) in &to.tables {
        let Some(t) = from.tables.get(name) else { continue };
        let dropped: Vec<&Column> = t.columns.iter().filter(|c| n.column(&c.name).is_none()).collect();
        let new_columns: Vec<&Column> = n.columns.iter().filter(|c| t.column(&c.name).is_none()).collect();
        for c in &new_columns {
            steps.push(step(format!("ALTER TABLE {} ADD COLUMN {}", q(name), to.column_sql(c))));
        }
        for c in &n.columns {
            let Some(old) = t.column(&c.name) else { continue };
            let col = format!("ALTER TABLE {} ALTER COLUMN {}", q(name), q(&c.name));
            if old.data_type != c.data_type {
                let mut s = step(format!("{col} TYPE {}", c.data_type));
                s.destructive = Some(Destructive::TypeChange);
                s.comment = Some(format!("{}.{}: {} becomes {}", name, c.name, old.data_type, c.data_type));
                steps.push(s);
            }
            if old.default != c.default {
                steps.push(step(match &c.default {
                    Some(d) => format!("{col} SET DEFAULT {d}"),
                    None => format!("{col} DROP DEFAULT"),
                }));
            }
            if t.nullable(old) != n.nullable(c) && !n.primary_key.iter().any(|k| k.eq_ignore_ascii_case(&c.name)) {
                steps.push(step(if n.nullable(c) { format!("{col} DROP NOT NULL") } else { format!("{col} SET NOT NULL") }));
            }
            if old.extra != c.extra {
                return Err(Error::input(format!(
                    "column {name}.{}: its options change from `{}` to `{}`, which `sqlmig diff` cannot write as an ALTER",
                    c.name,
                    old.extra.join(" "),
                    c.extra.join(" ")
                ))
                .with_help("write this change as a migration by hand (`sqlmig new`), then run `sqlmig diff` again"));
            }
        }
        for c in dropped {
            let mut s = step(format!("ALTER TABLE {} DROP COLUMN {}", q(name), q(&c.name)));
            s.destructive = Some(Destructive::DropColumn);
            if !new_columns.is_empty() {
                s.comment = Some(format!(
                    "`{name}.{}` is dropped and {} added: if this is a rename, generate again with --rename {name}.{}:NEW",
                    c.name,
                    new_columns.iter().map(|c| format!("`{}`", c.name)).collect::<Vec<_>>().join(", "),
                    c.name
                ));
            }
            steps.push(s);
        }
        for c in &n.constraints {
            let kept = t.constraints.iter().any(|x| x.name.eq_ignore_ascii_case(&c.name) && x.definition == c.definition)
                || (c.kind == ConstraintKind::PrimaryKey && renamed_keys.contains(name));
            if !kept || readd.contains(&(name.clone(), c.name.clone())) {
                add_constraints.push((
                    c.kind == ConstraintKind::ForeignKey,
                    format!("ALTER TABLE {} ADD {}", q(name), to.constraint_sql(c)),
                ));
            }
        }
    }
    add_constraints.sort_by_key(|(fk, _)| *fk);
    steps.extend(add_constraints.into_iter().map(|(_, s)| step(s)));
    steps.extend(late);

    // Indexes that are new or changed.
    for (name, i) in &to.indexes {
        if !from.indexes.get(name).is_some_and(|o| index_kept(o, i)) {
            steps.push(step(i.sql.clone()));
        }
    }
    // Views that are new, changed, or were dropped for a change under them.
    let make: Vec<&View> =
        to.views.values().filter(|v| !from.views.contains_key(&v.name) || stale_views.contains(&v.name)).collect();
    for v in to.view_order(&make) {
        steps.push(step(v.sql.clone()));
    }
    Ok(steps)
}

/// An index statement without the words that name things, so an index carried along by a
/// rename compares equal to the one the schema file declares.
fn index_shape(i: &Index) -> (bool, usize, bool) {
    let upper = i.sql.to_uppercase();
    (upper.starts_with("CREATE UNIQUE"), i.columns.len(), upper.contains(" WHERE "))
}

fn columns_same(a: &Table, b: &Table) -> bool {
    a.columns.len() == b.columns.len()
        && a.columns.iter().all(|c| b.column(&c.name).is_some_and(|n| n.data_type == c.data_type && n.not_null == c.not_null))
}

/// A generated migration: up steps turn `from` into `to`, down steps turn it back.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The up section's statements.
    pub up: Vec<Step>,
    /// The down section's statements.
    pub down: Vec<Step>,
}

impl Generated {
    /// Diff both ways.
    pub fn new(from: &Schema, to: &Schema, renames: &Renames) -> Result<Generated> {
        Ok(Generated { up: diff(from, to, renames)?, down: diff(to, from, &renames.inverse())? })
    }

    /// Whether there is nothing to change.
    pub fn is_empty(&self) -> bool {
        self.up.is_empty()
    }

    /// The migration file's text. Destructive up statements get a `-- sqlmig:allow` line
    /// only when `allow_destructive`; otherwise `sqlmig lint` fails on them until a person
    /// has looked.
    pub fn render(&self, title: &str, allow_destructive: bool, dialect: Dialect) -> String {
        let mut text = format!("-- {title}\n-- Generated by `sqlmig diff`; review before applying.\n");
        if dialect != Dialect::Postgres {
            // The ALTERs are PostgreSQL's; translation takes them to the project's database.
            text.push_str("-- +dialect postgres\n");
        }
        text.push_str("-- +up\n");
        write_steps(&mut text, &self.up, allow_destructive);
        text.push_str("\n-- +down\n");
        write_steps(&mut text, &self.down, false);
        text
    }
}

fn write_steps(text: &mut String, steps: &[Step], allow_destructive: bool) {
    for s in steps {
        if let Some(c) = &s.comment {
            text.push_str(&format!("-- {c}\n"));
        }
        if let (Some(d), true) = (s.destructive, allow_destructive) {
            text.push_str(&format!("-- sqlmig:allow {} (generated with --allow-destructive)\n", d.rule()));
        }
        text.push_str(&s.sql);
        text.push_str(";\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn schema(sql: &str) -> Schema {
        Schema::from_source(&Source::new("schema.sql", sql), Dialect::Postgres).unwrap()
    }

    fn up(from: &str, to: &str) -> Vec<String> {
        diff(&schema(from), &schema(to), &Renames::default()).unwrap().into_iter().map(|s| s.sql).collect()
    }

    #[test]
    fn render_is_canonical_and_round_trips() {
        let s = schema(
            "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a ON DELETE CASCADE, n varchar(10) NOT NULL DEFAULT 'x' UNIQUE);
             CREATE TABLE a (id serial PRIMARY KEY, v int CHECK (v > 0));
             CREATE INDEX b_n ON b (n) WHERE n <> '';
             CREATE VIEW w AS SELECT * FROM v; CREATE VIEW v AS SELECT id FROM a;",
        );
        let text = s.render();
        assert_eq!(
            text,
            "CREATE TABLE a (\n    id SERIAL PRIMARY KEY,\n    v INTEGER,\n    CONSTRAINT a_v_check CHECK (v > 0)\n);\n\n\
             CREATE TABLE b (\n    id INTEGER PRIMARY KEY,\n    a_id INTEGER,\n    n VARCHAR(10) DEFAULT 'x' NOT NULL,\n    \
             CONSTRAINT b_a_id_fkey FOREIGN KEY (a_id) REFERENCES a (id) ON DELETE CASCADE,\n    CONSTRAINT b_n_key UNIQUE (n)\n);\n\n\
             CREATE INDEX b_n ON b(n) WHERE n <> '';\n\n\
             CREATE VIEW v AS SELECT id FROM a;\n\nCREATE VIEW w AS SELECT * FROM v;\n"
        );
        assert_eq!(schema(&text), s);
        assert!(diff(&s, &schema(&text), &Renames::default()).unwrap().is_empty());
    }

    #[test]
    fn functions_and_triggers_are_dumped_after_the_tables() {
        let s = schema(
            "CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch(); \
             CREATE TABLE t (id int PRIMARY KEY, at timestamp); \
             CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.at = now(); RETURN NEW; END $$;",
        );
        let text = s.render();
        let (table, function, trigger) = (
            text.find("CREATE TABLE t").unwrap(),
            text.find("CREATE FUNCTION touch").unwrap(),
            text.find("CREATE TRIGGER").unwrap(),
        );
        assert!(table < function && function < trigger, "{text}");
        assert_eq!(schema(&text), s);
    }

    #[test]
    fn foreign_key_cycles_are_added_after_the_tables() {
        let s = schema("CREATE TABLE a (id int PRIMARY KEY, b_id int REFERENCES b); CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);");
        let text = s.render();
        assert!(text.contains("ALTER TABLE a ADD CONSTRAINT a_b_id_fkey FOREIGN KEY (b_id) REFERENCES b (id)"), "{text}");
        assert_eq!(schema(&text), s);
    }

    #[test]
    fn columns_constraints_and_indexes() {
        let from = "CREATE TABLE t (id int PRIMARY KEY, a int, b text NOT NULL, c int DEFAULT 1); CREATE INDEX t_a ON t (a);";
        let to =
            "CREATE TABLE t (id int PRIMARY KEY, a bigint NOT NULL, b text, c int, d int UNIQUE); CREATE INDEX t_b ON t (b);";
        assert_eq!(
            up(from, to),
            [
                "DROP INDEX t_a",
                "ALTER TABLE t ADD COLUMN d INTEGER",
                "ALTER TABLE t ALTER COLUMN a TYPE BIGINT",
                "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
                "ALTER TABLE t ALTER COLUMN b DROP NOT NULL",
                "ALTER TABLE t ALTER COLUMN c DROP DEFAULT",
                "ALTER TABLE t ADD CONSTRAINT t_d_key UNIQUE (d)",
                "CREATE INDEX t_b ON t(b)",
            ]
        );
        assert_eq!(
            up(to, from),
            [
                "DROP INDEX t_b",
                "ALTER TABLE t DROP CONSTRAINT t_d_key",
                "ALTER TABLE t ALTER COLUMN a TYPE INTEGER",
                "ALTER TABLE t ALTER COLUMN a DROP NOT NULL",
                "ALTER TABLE t ALTER COLUMN b SET NOT NULL",
                "ALTER TABLE t ALTER COLUMN c SET DEFAULT 1",
                "ALTER TABLE t DROP COLUMN d",
                "CREATE INDEX t_a ON t(a)",
            ]
        );
    }

    #[test]
    fn tables_come_and_go_in_dependency_order() {
        let from = "CREATE TABLE u (id int PRIMARY KEY); CREATE TABLE p (id int PRIMARY KEY, u_id int REFERENCES u);";
        let to = "CREATE TABLE x (id int PRIMARY KEY, y_id int REFERENCES y); CREATE TABLE y (id int PRIMARY KEY);";
        let steps = up(from, to);
        assert_eq!(steps[..2], ["DROP TABLE p", "DROP TABLE u"]);
        assert!(steps[2].starts_with("CREATE TABLE y") && steps[3].starts_with("CREATE TABLE x"), "{steps:?}");
    }

    #[test]
    fn renames_only_when_told() {
        let from = "CREATE TABLE t (id int PRIMARY KEY, name text); CREATE VIEW v AS SELECT name FROM t;";
        let to = "CREATE TABLE t (id int PRIMARY KEY, full_name text); CREATE VIEW v AS SELECT full_name FROM t;";
        let plain = diff(&schema(from), &schema(to), &Renames::default()).unwrap();
        let drop = plain.iter().find(|s| s.sql == "ALTER TABLE t DROP COLUMN name").unwrap();
        assert_eq!(drop.destructive, Some(Destructive::DropColumn));
        assert!(drop.comment.as_deref().unwrap().contains("--rename t.name:NEW"));
        let renames = Renames::parse(&["t.name:full_name".to_string()]).unwrap();
        let g = Generated::new(&schema(from), &schema(to), &renames).unwrap();
        let sql = |steps: &[Step]| steps.iter().map(|s| s.sql.clone()).collect::<Vec<_>>();
        assert_eq!(
            sql(&g.up),
            ["DROP VIEW v", "ALTER TABLE t RENAME COLUMN name TO full_name", "CREATE VIEW v AS SELECT full_name FROM t"]
        );
        assert_eq!(
            sql(&g.down),
            ["DROP VIEW v", "ALTER TABLE t RENAME COLUMN full_name TO name", "CREATE VIEW v AS SELECT name FROM t"]
        );
        let tables = Renames::parse(&["t:people".to_string()]).unwrap();
        let people = "CREATE TABLE people (id int PRIMARY KEY, name text); CREATE VIEW v AS SELECT name FROM people;";
        let g = Generated::new(&schema(from), &schema(people), &tables).unwrap();
        assert_eq!(
            sql(&g.up),
            [
                "DROP VIEW v",
                "ALTER TABLE t RENAME CONSTRAINT t_pkey TO people_pkey",
                "ALTER TABLE t RENAME TO people",
                "CREATE VIEW v AS SELECT name FROM people"
            ]
        );
        assert!(Renames::parse(&["nocolon".to_string()]).is_err());
    }

    #[test]
    fn a_changed_index_is_made_again() {
        let from = "CREATE TABLE t (a int, b int); CREATE INDEX t_a ON t (a) WHERE b > 0;";
        let to = "CREATE TABLE t (a int, b int); CREATE INDEX t_a ON t (a) WHERE b > 1;";
        assert_eq!(up(from, to), ["DROP INDEX t_a", "CREATE INDEX t_a ON t(a) WHERE b > 1"]);
    }

    #[test]
    fn a_new_primary_key_takes_the_foreign_keys_along() {
        let from = "CREATE TABLE a (id int PRIMARY KEY, k int NOT NULL); CREATE TABLE b (a_id int REFERENCES a (id));";
        let to =
            "CREATE TABLE a (id int UNIQUE, k int NOT NULL, PRIMARY KEY (id, k)); CREATE TABLE b (a_id int REFERENCES a (id));";
        assert_eq!(
            up(from, to),
            [
                "ALTER TABLE b DROP CONSTRAINT b_a_id_fkey",
                "ALTER TABLE a DROP CONSTRAINT a_pkey",
                "ALTER TABLE a ALTER COLUMN id DROP NOT NULL",
                "ALTER TABLE a ADD CONSTRAINT a_id_key UNIQUE (id)",
                "ALTER TABLE a ADD CONSTRAINT a_pkey PRIMARY KEY (id, k)",
                "ALTER TABLE b ADD CONSTRAINT b_a_id_fkey FOREIGN KEY (a_id) REFERENCES a (id)",
            ]
        );
    }

    #[test]
    fn destructive_steps_are_marked_only_when_allowed() {
        let g = Generated::new(&schema("CREATE TABLE t (id int PRIMARY KEY);"), &schema(""), &Renames::default()).unwrap();
        let strict = g.render("drop t", false, Dialect::Postgres);
        assert!(!strict.contains("sqlmig:allow") && strict.contains("DROP TABLE t;"), "{strict}");
        let allowed = g.render("drop t", true, Dialect::Postgres);
        assert!(allowed.contains("-- sqlmig:allow drop-table"), "{allowed}");
        assert!(allowed.contains("-- +down\nCREATE TABLE t ("), "{allowed}");
    }

    #[test]
    fn synonyms_compare_equal() {
        assert!(up(
            "CREATE TABLE t (a int, b bool, c character varying(5), d int8)",
            "CREATE TABLE t (a INTEGER, b boolean, c varchar(5), d bigint)"
        )
        .is_empty());
    }

    #[test]
    fn unparsable_schema_is_located() {
        let e = Schema::from_source(&Source::new("schema.sql", "CREATE TABLE t (a int);\nCREATE TABLE (;\n"), Dialect::Postgres)
            .unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(e.location().unwrap().line, 2);
    }
}
