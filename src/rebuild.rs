//! SQLite table rebuilds: an `ALTER TABLE` that SQLite cannot run natively → the documented
//! copy-and-swap procedure (sqlite.org, lang_altertable.html, "Making Other Kinds Of Table
//! Schema Changes"), keeping rows, rowids, indexes, triggers, views, foreign keys and the
//! AUTOINCREMENT counter.
//!
//! Planning reads the table's definition from the live database (`sqlite_master`), never a
//! guess, and checks the rows against what the change means on PostgreSQL (SET NOT NULL over
//! NULLs, a UNIQUE the data violates, ...), refusing before anything is written. The caller
//! runs the returned statements inside the migration's transaction, with foreign keys off
//! around that transaction and `PRAGMA foreign_key_check` before its commit.

use std::collections::HashSet;

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, ColumnOptionDef, CreateTable, Expr, Ident, ObjectName,
    Statement, TableConstraint, Value as SqlValue, Visit, Visitor,
};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;

use crate::driver::{Driver, Value};

/// One ALTER TABLE (or several consecutive ones on the same table) to carry out on SQLite.
#[derive(Debug, Clone, PartialEq)]
pub struct RebuildSpec {
    /// The table, as named in the statement.
    pub table: String,
    /// The operations, in order, in SQLite form (types and defaults already translated).
    pub operations: Vec<AlterTableOperation>,
}

/// What to run for a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildPlan {
    /// The statements, in order.
    pub statements: Vec<String>,
    /// Whether this is a copy-and-swap (and so needs foreign keys off and a check after).
    pub rebuilt: bool,
    /// Tables whose foreign keys must be checked afterwards.
    pub check_tables: Vec<String>,
}

fn q(name: &str) -> String {
    crate::dialect::Dialect::Sqlite.quote_ident(name)
}

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// A row of `sqlite_master`.
#[derive(Debug, Clone)]
struct SchemaObject {
    kind: String,
    name: String,
    table: String,
    sql: Option<String>,
}

fn read_schema(driver: &mut dyn Driver) -> Result<Vec<SchemaObject>, String> {
    let rows = driver
        .query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid", &[])
        .map_err(|e| format!("cannot read the schema: {e}"))?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut it = r.into_iter();
            let mut next = || it.next().unwrap_or(Value::Null);
            let kind = next().into_string();
            let name = next().into_string();
            let table = next().into_string();
            let sql = match next() {
                Value::Null => None,
                v => Some(v.into_string()),
            };
            SchemaObject { kind, name, table, sql }
        })
        .collect())
}

fn parse_one(sql: &str) -> Result<Statement, String> {
    let mut stmts = Parser::parse_sql(&SQLiteDialect {}, sql).map_err(|e| e.to_string())?;
    if stmts.len() == 1 {
        Ok(stmts.remove(0))
    } else {
        Err("expected one statement".into())
    }
}

/// Every identifier an expression or statement mentions, lowercased.
fn identifiers<V: Visit>(node: &V) -> HashSet<String> {
    struct Collect(HashSet<String>);
    impl Visitor for Collect {
        type Break = ();
        fn pre_visit_expr(&mut self, expr: &Expr) -> std::ops::ControlFlow<()> {
            match expr {
                Expr::Identifier(i) => {
                    self.0.insert(i.value.to_lowercase());
                }
                Expr::CompoundIdentifier(parts) => {
                    if let Some(last) = parts.last() {
                        self.0.insert(last.value.to_lowercase());
                    }
                }
                _ => {}
            }
            std::ops::ControlFlow::Continue(())
        }
    }
    let mut c = Collect(HashSet::new());
    let _ = node.visit(&mut c);
    c.0
}

/// Whether an object's SQL mentions a word (as a token, case-insensitively). Used to find
/// views and triggers that depend on a column, where a false positive only makes sqlmig
/// refuse with a clear message and a false negative would silently break the object.
fn mentions(sql: &str, word: &str) -> bool {
    let lower = sql.to_lowercase();
    let word = word.to_lowercase();
    let bytes = lower.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    let mut from = 0;
    while let Some(p) = lower[from..].find(&word) {
        let start = from + p;
        let end = start + word.len();
        let before_ok = start == 0 || !is_ident(bytes[start - 1]);
        let after_ok = end >= bytes.len() || !is_ident(bytes[end]);
        if before_ok && after_ok {
            return true;
        }
        from = start + 1;
    }
    false
}

fn column_names_of_constraint(c: &TableConstraint) -> Vec<String> {
    let of_index = |cols: &[sqlparser::ast::IndexColumn]| -> Vec<String> {
        cols.iter().flat_map(|ic| identifiers(&ic.column.expr)).collect()
    };
    match c {
        TableConstraint::Unique(u) => of_index(&u.columns),
        TableConstraint::PrimaryKey(p) => of_index(&p.columns),
        TableConstraint::ForeignKey(f) => f.columns.iter().map(|i| i.value.to_lowercase()).collect(),
        TableConstraint::Check(c) => identifiers(&*c.expr).into_iter().collect(),
        _ => Vec::new(),
    }
}

fn constraint_name(c: &TableConstraint) -> Option<&Ident> {
    match c {
        TableConstraint::Unique(u) => u.name.as_ref(),
        TableConstraint::PrimaryKey(p) => p.name.as_ref(),
        TableConstraint::ForeignKey(f) => f.name.as_ref(),
        TableConstraint::Check(c) => c.name.as_ref(),
        _ => None,
    }
}

/// Whether SQLite's own `ADD COLUMN` can add this column.
fn native_add(def: &ColumnDef) -> bool {
    let mut not_null = false;
    let mut default_ok = true;
    let mut has_default = false;
    for o in &def.options {
        match &o.option {
            ColumnOption::PrimaryKey(_) | ColumnOption::Unique(_) => return false,
            ColumnOption::Generated { generation_expr_mode: Some(sqlparser::ast::GeneratedExpressionMode::Stored), .. } => {
                return false
            }
            ColumnOption::NotNull => not_null = true,
            ColumnOption::Default(e) => {
                has_default = true;
                default_ok = is_constant(e);
                if matches!(e, Expr::Value(v) if matches!(v.value, SqlValue::Null)) {
                    has_default = false;
                }
            }
            _ => {}
        }
    }
    default_ok && (!not_null || has_default)
}

fn is_constant(e: &Expr) -> bool {
    match e {
        Expr::Value(_) => true,
        Expr::UnaryOp { expr, .. } => is_constant(expr),
        Expr::Nested(e) => is_constant(e),
        _ => false,
    }
}

/// Plan the statements for `spec` against the live database.
pub fn plan(driver: &mut dyn Driver, spec: &RebuildSpec) -> Result<RebuildPlan, String> {
    let schema = read_schema(driver)?;
    let Some(table_obj) = schema.iter().find(|o| o.kind == "table" && eq(&o.name, &spec.table)).cloned() else {
        return Err(format!("no such table: {}", spec.table));
    };
    let table = table_obj.name.clone();
    let old_sql = table_obj.sql.clone().unwrap_or_default();
    let Ok(Statement::CreateTable(old)) = parse_one(&old_sql) else {
        return Err(format!("cannot read the definition of table `{table}` to rebuild it: {old_sql}"));
    };

    // Native first: SQLite runs these itself, keeping everything that depends on the table.
    let native = spec.operations.iter().all(|op| match op {
        AlterTableOperation::RenameColumn { .. } | AlterTableOperation::RenameTable { .. } => true,
        AlterTableOperation::AddColumn { column_def, .. } => native_add(column_def),
        AlterTableOperation::DropColumn { column_names, .. } => {
            column_names.iter().all(|c| native_drop_ok(&schema, &old, &table, &c.value))
        }
        _ => false,
    });
    if native {
        let statements = spec.operations.iter().map(|op| format!("ALTER TABLE {} {op}", q(&table))).collect();
        return Ok(RebuildPlan { statements, rebuilt: false, check_tables: Vec::new() });
    }
    rebuild(driver, &schema, &table, old, spec)
}

/// SQLite's `DROP COLUMN` refuses a column that is a key, unique, indexed, in a constraint, or
/// used by a generated column, trigger or view.
fn native_drop_ok(schema: &[SchemaObject], old: &CreateTable, table: &str, column: &str) -> bool {
    let col = column.to_lowercase();
    let Some(def) = old.columns.iter().find(|c| eq(&c.name.value, column)) else { return true };
    if def.options.iter().any(|o| {
        matches!(
            o.option,
            ColumnOption::PrimaryKey(_) | ColumnOption::Unique(_) | ColumnOption::ForeignKey(_) | ColumnOption::Check(_)
        )
    }) {
        return false;
    }
    if old.constraints.iter().any(|c| column_names_of_constraint(c).contains(&col)) {
        return false;
    }
    if old.columns.iter().any(|c| {
        c.options.iter().any(|o| match &o.option {
            ColumnOption::Check(ck) => identifiers(&*ck.expr).contains(&col),
            ColumnOption::Generated { generation_expr: Some(e), .. } => identifiers(e).contains(&col),
            _ => false,
        })
    }) {
        return false;
    }
    !schema.iter().any(|o| {
        o.sql.as_deref().is_some_and(|sql| {
            (o.kind == "index" && eq(&o.table, table) && mentions(sql, column))
                || (matches!(o.kind.as_str(), "view" | "trigger") && mentions(sql, table) && mentions(sql, column))
        })
    })
}

fn count(driver: &mut dyn Driver, sql: &str) -> Result<i64, String> {
    let rows = driver.query(sql, &[]).map_err(|e| e.to_string())?;
    Ok(rows.first().and_then(|r| r.first()).map_or(0, Value::as_i64))
}

fn not_null_option() -> ColumnOptionDef {
    ColumnOptionDef { name: None, option: ColumnOption::NotNull }
}

fn rebuild(
    driver: &mut dyn Driver,
    schema: &[SchemaObject],
    table: &str,
    old: CreateTable,
    spec: &RebuildSpec,
) -> Result<RebuildPlan, String> {
    let mut new = old.clone();
    let old_columns: Vec<String> = old.columns.iter().map(|c| c.name.value.clone()).collect();
    let mut dropped: Vec<String> = Vec::new();
    let mut renamed: Vec<(String, String)> = Vec::new();
    let mut checks: Vec<String> = Vec::new(); // SQL producing a count that must be 0, with its message
    let mut messages: Vec<String> = Vec::new();
    let qt = q(table);

    let find = |new: &CreateTable, name: &str| new.columns.iter().position(|c| eq(&c.name.value, name));
    for op in &spec.operations {
        match op {
            AlterTableOperation::AddColumn { column_def, if_not_exists, .. } => {
                if find(&new, &column_def.name.value).is_some() {
                    if *if_not_exists {
                        continue;
                    }
                    return Err(format!("column `{}` of table `{table}` already exists", column_def.name.value));
                }
                let has_default = column_def.options.iter().any(|o| matches!(o.option, ColumnOption::Default(_)));
                let not_null =
                    column_def.options.iter().any(|o| matches!(o.option, ColumnOption::NotNull | ColumnOption::PrimaryKey(_)));
                if not_null && !has_default {
                    let rows = count(driver, &format!("SELECT count(*) FROM {qt}"))?;
                    if rows > 0 {
                        return Err(format!(
                            "cannot add NOT NULL column `{}` without a default: table `{table}` has {rows} rows, which would hold NULL",
                            column_def.name.value
                        ));
                    }
                }
                new.columns.push(column_def.clone());
            }
            AlterTableOperation::DropColumn { column_names, if_exists, .. } => {
                for name in column_names {
                    let Some(i) = find(&new, &name.value) else {
                        if *if_exists {
                            continue;
                        }
                        return Err(format!("column `{}` of table `{table}` does not exist", name.value));
                    };
                    let col = name.value.to_lowercase();
                    // What PostgreSQL would refuse without CASCADE.
                    for o in schema {
                        let Some(sql) = &o.sql else { continue };
                        if matches!(o.kind.as_str(), "view" | "trigger") && mentions(sql, table) && mentions(sql, &name.value) {
                            return Err(format!(
                                "cannot drop column `{}` of `{table}`: {} `{}` uses it",
                                name.value, o.kind, o.name
                            ));
                        }
                        if o.kind == "table" && !eq(&o.name, table) {
                            if let Ok(Statement::CreateTable(other)) = parse_one(sql) {
                                if references_column(&other, table, &name.value) {
                                    return Err(format!(
                                        "cannot drop column `{}` of `{table}`: a foreign key of table `{}` references it",
                                        name.value, o.name
                                    ));
                                }
                            }
                        }
                    }
                    new.columns.remove(i);
                    // Constraints that use the column go with it, as on PostgreSQL.
                    new.constraints.retain(|c| !column_names_of_constraint(c).contains(&col));
                    for c in &mut new.columns {
                        c.options.retain(|o| match &o.option {
                            ColumnOption::Check(ck) => !identifiers(&*ck.expr).contains(&col),
                            _ => true,
                        });
                    }
                    dropped.push(col);
                }
            }
            AlterTableOperation::RenameColumn { old_column_name, new_column_name } => {
                let Some(i) = find(&new, &old_column_name.value) else {
                    return Err(format!("column `{}` of table `{table}` does not exist", old_column_name.value));
                };
                new.columns[i].name = new_column_name.clone();
                renamed.push((old_column_name.value.clone(), new_column_name.value.clone()));
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let Some(i) = find(&new, &column_name.value) else {
                    return Err(format!("column `{}` of table `{table}` does not exist", column_name.value));
                };
                let existed = old_columns.iter().any(|c| eq(c, &column_name.value));
                if matches!(op, AlterColumnOperation::SetNotNull) && existed {
                    checks.push(format!("SELECT count(*) FROM {qt} WHERE {} IS NULL", q(&column_name.value)));
                    messages.push(format!("cannot set NOT NULL on `{table}.{}`: {{n}} rows hold NULL", column_name.value));
                }
                if let AlterColumnOperation::SetDataType { using: Some(_), .. } = op {
                    return Err("`USING` conversions are not supported on SQLite; the copy converts by column affinity".into());
                }
                crate::catalog::alter_column(&mut new.columns[i], op);
            }
            AlterTableOperation::AddConstraint { constraint, .. } => {
                match constraint {
                    TableConstraint::Unique(u) => {
                        let cols: Vec<String> = u.columns.iter().map(|c| c.column.expr.to_string()).collect();
                        let list = cols.join(", ");
                        let not_null = cols.iter().map(|c| format!("{c} IS NOT NULL")).collect::<Vec<_>>().join(" AND ");
                        checks.push(format!(
                            "SELECT count(*) FROM (SELECT 1 FROM {qt} WHERE {not_null} GROUP BY {list} HAVING count(*) > 1)"
                        ));
                        let dup = driver
                            .query(
                                &format!("SELECT {list} FROM {qt} WHERE {not_null} GROUP BY {list} HAVING count(*) > 1 LIMIT 1"),
                                &[],
                            )
                            .ok()
                            .and_then(|r| r.into_iter().next())
                            .map(|r| r.into_iter().map(|v| v.to_literal()).collect::<Vec<_>>().join(", "))
                            .unwrap_or_default();
                        messages.push(format!("cannot add UNIQUE ({list}) to `{table}`: the value ({dup}) is duplicated"));
                    }
                    TableConstraint::PrimaryKey(p) => {
                        let cols: Vec<String> = p.columns.iter().map(|c| c.column.expr.to_string()).collect();
                        let list = cols.join(", ");
                        let any_null = cols.iter().map(|c| format!("{c} IS NULL")).collect::<Vec<_>>().join(" OR ");
                        checks.push(format!("SELECT count(*) FROM {qt} WHERE {any_null}"));
                        messages.push(format!("cannot add PRIMARY KEY ({list}) to `{table}`: {{n}} rows hold NULL in it"));
                        checks.push(format!("SELECT count(*) FROM (SELECT 1 FROM {qt} GROUP BY {list} HAVING count(*) > 1)"));
                        messages.push(format!("cannot add PRIMARY KEY ({list}) to `{table}`: {{n}} values are duplicated"));
                        // A primary key's columns are NOT NULL, as on PostgreSQL.
                        for c in &mut new.columns {
                            if cols.iter().any(|k| eq(k.trim_matches(|ch| ch == '"' || ch == '`'), &c.name.value))
                                && !c.options.iter().any(|o| matches!(o.option, ColumnOption::NotNull))
                            {
                                c.options.push(not_null_option());
                            }
                        }
                        if new.constraints.iter().any(|c| matches!(c, TableConstraint::PrimaryKey(_)))
                            || new
                                .columns
                                .iter()
                                .any(|c| c.options.iter().any(|o| matches!(o.option, ColumnOption::PrimaryKey(_))))
                        {
                            return Err(format!("table `{table}` already has a primary key"));
                        }
                    }
                    TableConstraint::Check(c) => {
                        checks.push(format!("SELECT count(*) FROM {qt} WHERE NOT ({})", c.expr));
                        messages.push(format!("cannot add CHECK ({}) to `{table}`: {{n}} rows fail it", c.expr));
                    }
                    _ => {}
                }
                new.constraints.push(constraint.clone());
            }
            AlterTableOperation::DropConstraint { name, if_exists, .. } => {
                let before = new.constraints.len();
                new.constraints.retain(|c| !constraint_name(c).is_some_and(|n| eq(&n.value, &name.value)));
                let mut found = new.constraints.len() != before;
                for c in &mut new.columns {
                    let n = c.options.len();
                    c.options.retain(|o| !o.name.as_ref().is_some_and(|n| eq(&n.value, &name.value)));
                    found |= c.options.len() != n;
                }
                if !found && !*if_exists {
                    return Err(format!("table `{table}` has no constraint named `{}`", name.value));
                }
            }
            other => return Err(format!("SQLite cannot run `ALTER TABLE ... {other}`")),
        }
    }

    for (sql, message) in checks.iter().zip(&messages) {
        let n = count(driver, sql)?;
        if n > 0 {
            return Err(message.replace("{n}", &n.to_string()));
        }
    }

    // The copy: every column that survives, under its new name, from its old name.
    let mut targets = Vec::new();
    let mut sources = Vec::new();
    for c in &new.columns {
        let old_name = renamed.iter().rev().find(|(_, n)| eq(n, &c.name.value)).map_or(c.name.value.clone(), |(o, _)| o.clone());
        if old_columns.iter().any(|o| eq(o, &old_name)) && !generated(c) {
            targets.push(q(&c.name.value));
            sources.push(q(&old_name));
        }
    }
    // Keep rowids where the table has no INTEGER PRIMARY KEY to hold them.
    if !old.without_rowid && !has_integer_primary_key(&old) {
        targets.insert(0, "rowid".into());
        sources.insert(0, "rowid".into());
    }

    let temp = format!("sqlmig_new_{table}");
    new.name = ObjectName::from(vec![Ident::with_quote('"', temp.clone())]);
    let mut statements = vec!["PRAGMA legacy_alter_table = ON".to_string()];
    let views: Vec<&SchemaObject> = schema.iter().filter(|o| o.kind == "view" && o.sql.is_some()).collect();
    for v in &views {
        statements.push(format!("DROP VIEW {}", q(&v.name)));
    }
    statements.push(new.to_string());
    statements.push(format!("INSERT INTO {} ({}) SELECT {} FROM {qt}", q(&temp), targets.join(", "), sources.join(", ")));
    let seq = autoincrement_seq(driver, &old, table)?;
    statements.push(format!("DROP TABLE {qt}"));
    statements.push(format!("ALTER TABLE {} RENAME TO {qt}", q(&temp)));
    for o in schema.iter().filter(|o| eq(&o.table, table) && matches!(o.kind.as_str(), "index" | "trigger")) {
        let Some(sql) = &o.sql else { continue }; // automatic indexes come back with their constraints
        if o.kind == "index" && dropped.iter().any(|d| mentions(sql, d)) {
            continue; // an index on a dropped column goes with it, as on PostgreSQL
        }
        let mut sql = sql.clone();
        for (from, to) in &renamed {
            sql = rename_word(&sql, from, to);
        }
        statements.push(sql);
    }
    for v in &views {
        statements.push(v.sql.clone().unwrap_or_default());
    }
    if let Some(seq) = seq {
        // Dropping the table forgot its counter; the copy set it to the highest id copied,
        // which is lower than the old one when the newest rows had been deleted.
        let name = table.replace('\'', "''");
        statements.push(format!("UPDATE sqlite_sequence SET seq = max(seq, {seq}) WHERE name = '{name}'"));
        statements.push(format!(
            "INSERT INTO sqlite_sequence (name, seq) SELECT '{name}', {seq} WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = '{name}')"
        ));
    }
    statements.push("PRAGMA legacy_alter_table = OFF".to_string());

    let mut check_tables = vec![table.to_string()];
    for o in schema.iter().filter(|o| o.kind == "table" && !eq(&o.name, table)) {
        if o.sql.as_deref().is_some_and(|s| mentions(s, table)) {
            check_tables.push(o.name.clone());
        }
    }
    Ok(RebuildPlan { statements, rebuilt: true, check_tables })
}

fn generated(c: &ColumnDef) -> bool {
    c.options.iter().any(|o| matches!(o.option, ColumnOption::Generated { generation_expr: Some(_), .. }))
}

fn has_integer_primary_key(t: &CreateTable) -> bool {
    let integer_pk = |c: &ColumnDef| {
        c.data_type.to_string().eq_ignore_ascii_case("INTEGER")
            && c.options.iter().any(|o| matches!(o.option, ColumnOption::PrimaryKey(_)))
    };
    if t.columns.iter().any(integer_pk) {
        return true;
    }
    t.constraints.iter().any(|c| match c {
        TableConstraint::PrimaryKey(p) if p.columns.len() == 1 => {
            let name = p.columns[0].column.expr.to_string();
            t.columns.iter().any(|c| {
                eq(&c.name.value, name.trim_matches(|ch| ch == '"' || ch == '`'))
                    && c.data_type.to_string().eq_ignore_ascii_case("INTEGER")
            })
        }
        _ => false,
    })
}

fn autoincrement_seq(driver: &mut dyn Driver, old: &CreateTable, table: &str) -> Result<Option<i64>, String> {
    let auto = old.columns.iter().any(|c| {
        c.options.iter().any(|o| matches!(&o.option, ColumnOption::DialectSpecific(t) if t.iter().any(|t| t.to_string().eq_ignore_ascii_case("AUTOINCREMENT"))))
    });
    if !auto {
        return Ok(None);
    }
    let rows = driver
        .query("SELECT seq FROM sqlite_sequence WHERE name = $1", &[Value::Text(table.to_string())])
        .map_err(|e| e.to_string())?;
    Ok(rows.first().and_then(|r| r.first()).map(Value::as_i64))
}

fn references_column(other: &CreateTable, table: &str, column: &str) -> bool {
    let refs = |t: &ObjectName, cols: &[Ident]| {
        crate::catalog::key(t) == table.to_lowercase() && (cols.is_empty() || cols.iter().any(|c| eq(&c.value, column)))
    };
    other.constraints.iter().any(|c| matches!(c, TableConstraint::ForeignKey(f) if refs(&f.foreign_table, &f.referred_columns)))
        || other.columns.iter().any(|c| {
            c.options
                .iter()
                .any(|o| matches!(&o.option, ColumnOption::ForeignKey(f) if refs(&f.foreign_table, &f.referred_columns)))
        })
}

/// Replace a whole word (identifier) in SQL text, case-insensitively, keeping quotes.
fn rename_word(sql: &str, from: &str, to: &str) -> String {
    let lower = sql.to_lowercase();
    let from_l = from.to_lowercase();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    while let Some(p) = lower[i..].find(&from_l) {
        let start = i + p;
        let end = start + from_l.len();
        let ok = (start == 0 || !is_ident(bytes[start - 1])) && (end >= bytes.len() || !is_ident(bytes[end]));
        out.push_str(&sql[i..start]);
        out.push_str(if ok { to } else { &sql[start..end] });
        i = end;
    }
    out.push_str(&sql[i..]);
    out
}

/// Bring an ALTER TABLE written in `from` into SQLite form (types, defaults, constraints),
/// reusing the translator on small statements of the same meaning.
pub fn to_sqlite(
    stmt: &Statement,
    from: crate::dialect::Dialect,
    catalog: &crate::catalog::Catalog,
) -> Result<RebuildSpec, crate::translate::Refusal> {
    use crate::dialect::Dialect;
    use crate::translate::{translate, Context};
    let Statement::AlterTable(at) = stmt else { unreachable!("to_sqlite is called on ALTER TABLE statements only") };
    let table = at.name.0.last().and_then(|p| p.as_ident()).map(|i| i.value.clone()).unwrap_or_default();
    let table =
        if from == Dialect::Postgres && at.name.0.last().and_then(|p| p.as_ident()).is_some_and(|i| i.quote_style.is_none()) {
            table.to_lowercase()
        } else {
            table
        };
    if from == Dialect::Sqlite {
        return Ok(RebuildSpec { table, operations: at.operations.clone() });
    }
    let cx = Context { from, to: Dialect::Sqlite, catalog };
    // Translate `CREATE TABLE x (<pieces>)` and read the pieces back in SQLite form.
    let via_table =
        |columns: Vec<ColumnDef>, constraints: Vec<TableConstraint>| -> Result<CreateTable, crate::translate::Refusal> {
            let probe = Statement::CreateTable(
                sqlparser::ast::helpers::stmt_create_table::CreateTableBuilder::new(ObjectName::from(vec![Ident::new("x")]))
                    .columns(columns)
                    .constraints(constraints)
                    .build(),
            );
            let out = translate(&probe, &cx)?;
            match out.sql.first().map(|s| parse_one(s)) {
                Some(Ok(Statement::CreateTable(ct))) => Ok(ct),
                _ => Err(crate::translate::Refusal {
                    message: "internal: translated column did not parse".into(),
                    position: None,
                    help: String::new(),
                }),
            }
        };
    let placeholder = || ColumnDef {
        name: Ident::new("sqlmig_placeholder"),
        data_type: sqlparser::ast::DataType::Integer(None),
        options: Vec::new(),
    };
    let mut operations = Vec::new();
    for op in &at.operations {
        let op = match op.clone() {
            AlterTableOperation::AddColumn { column_keyword, if_not_exists, column_def, column_position } => {
                let ct = via_table(vec![column_def], Vec::new())?;
                AlterTableOperation::AddColumn {
                    column_keyword,
                    if_not_exists,
                    column_def: ct.columns[0].clone(),
                    column_position,
                }
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let mut column_name = column_name;
                crate::translate::fold_ident(&mut column_name, from);
                let op = match op {
                    AlterColumnOperation::SetDataType { data_type, using, had_set } => {
                        let col = ColumnDef { data_type, ..placeholder() };
                        let ct = via_table(vec![col], Vec::new())?;
                        AlterColumnOperation::SetDataType { data_type: ct.columns[0].data_type.clone(), using, had_set }
                    }
                    AlterColumnOperation::SetDefault { value } => {
                        let col = ColumnDef {
                            options: vec![ColumnOptionDef { name: None, option: ColumnOption::Default(value) }],
                            ..placeholder()
                        };
                        let ct = via_table(vec![col], Vec::new())?;
                        let value = ct.columns[0].options.iter().find_map(|o| match &o.option {
                            ColumnOption::Default(e) => Some(e.clone()),
                            _ => None,
                        });
                        AlterColumnOperation::SetDefault { value: value.unwrap_or(Expr::value(SqlValue::Null)) }
                    }
                    other => other,
                };
                AlterTableOperation::AlterColumn { column_name, op }
            }
            AlterTableOperation::AddConstraint { constraint, not_valid } => {
                let ct = via_table(vec![placeholder()], vec![constraint])?;
                AlterTableOperation::AddConstraint { constraint: ct.constraints[0].clone(), not_valid }
            }
            AlterTableOperation::DropColumn { has_column_keyword, mut column_names, if_exists, drop_behavior } => {
                for c in &mut column_names {
                    crate::translate::fold_ident(c, from);
                }
                AlterTableOperation::DropColumn { has_column_keyword, column_names, if_exists, drop_behavior }
            }
            AlterTableOperation::DropConstraint { mut name, if_exists, drop_behavior } => {
                crate::translate::fold_ident(&mut name, from);
                AlterTableOperation::DropConstraint { name, if_exists, drop_behavior }
            }
            AlterTableOperation::RenameColumn { mut old_column_name, mut new_column_name } => {
                crate::translate::fold_ident(&mut old_column_name, from);
                crate::translate::fold_ident(&mut new_column_name, from);
                AlterTableOperation::RenameColumn { old_column_name, new_column_name }
            }
            other => other,
        };
        operations.push(op);
    }
    Ok(RebuildSpec { table, operations })
}

/// Whether a statement on SQLite must go through [`plan`] (rather than run as is): an
/// `ALTER TABLE` with anything but renames.
pub fn needs_plan(stmt: &Statement) -> Option<(&ObjectName, &[AlterTableOperation])> {
    match stmt {
        Statement::AlterTable(at)
            if !at
                .operations
                .iter()
                .all(|op| matches!(op, AlterTableOperation::RenameTable { .. } | AlterTableOperation::RenameColumn { .. })) =>
        {
            Some((&at.name, &at.operations))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn words() {
        assert!(mentions("CREATE VIEW v AS SELECT a, b FROM t", "b"));
        assert!(!mentions("CREATE VIEW v AS SELECT ab FROM t", "b"));
        assert_eq!(rename_word("CREATE INDEX i ON t (a, ab, \"a\")", "a", "z"), "CREATE INDEX i ON t (z, ab, \"z\")");
    }
}
