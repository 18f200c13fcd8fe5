//! Translation: a statement parsed in its source dialect → the statements that mean the same
//! on the target database, or a refusal saying why that is not possible.
//!
//! Translation is an AST rewrite rendered by sqlparser, and runs only when the source and
//! target dialects differ: on its own dialect a statement runs exactly as written. The rule
//! for refusing is meaning, not syntax: what changes no query result may be adapted with a
//! notice (a partial non-unique index becomes a full index on MySQL); what would change which
//! rows are accepted, stored or returned is refused. `spec/translation.md` is the table of
//! every construct and what it becomes on each database.

mod exprs;
mod idents;
pub mod types;

use std::ops::ControlFlow;

use sqlparser::ast::{
    AlterColumnOperation, AlterIndexOperation, AlterTable, AlterTableOperation, ColumnDef, ColumnOption, ColumnOptionDef,
    CommentObject, ConstraintCharacteristics, ConstraintReferenceMatchKind, CreateTable, DataType, DeferrableInitial, Expr,
    ForeignKeyConstraint, GeneratedAs, Ident, IndexColumn, NullsDistinctOption, ObjectName, ObjectType, ReferentialAction,
    SetExpr, Spanned, Statement, TableConstraint, TableObject, Value, VisitMut,
};
use sqlparser::tokenizer::Token;

use crate::catalog::{self, Catalog, ConstraintKind, Table};
use crate::dialect::Dialect;

/// The result of translating one statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Translated {
    /// Statements to run instead (possibly none, e.g. `CREATE EXTENSION` on SQLite).
    pub sql: Vec<String>,
    /// What was adapted, for the user.
    pub notices: Vec<String>,
}

/// Why a statement cannot be translated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What is wrong.
    pub message: String,
    /// 1-based (line, column) inside the statement text, when known.
    pub position: Option<(usize, usize)>,
    /// What to do instead.
    pub help: String,
}

/// Translation context for one statement.
pub struct Context<'a> {
    /// The dialect the statement is written in.
    pub from: Dialect,
    /// The database it will run on.
    pub to: Dialect,
    /// The schema as built by earlier statements.
    pub catalog: &'a Catalog,
}

fn refuse(message: impl Into<String>, at: Option<sqlparser::tokenizer::Span>) -> Refusal {
    let position = at.filter(|s| s.start.line > 0).map(|s| (s.start.line as usize, s.start.column as usize));
    Refusal { message: message.into(), position, help: String::new() }
}

impl Refusal {
    fn help(mut self, text: impl Into<String>) -> Self {
        self.help = text.into();
        self
    }
}

/// The usual way out of a refusal: a section written for the target.
fn section_help(to: Dialect) -> String {
    format!("write the {to} version in a `-- +up {to}` section (and `-- +down {to}`)")
}

/// MySQL table options for a translated table: 4-byte UTF-8, and a binary collation, so that
/// `=`, `UNIQUE` and `ORDER BY` tell `a` from `A` as PostgreSQL and SQLite do (MySQL's
/// default collations are case- and accent-insensitive).
pub const MYSQL_TABLE_OPTIONS: &str = "DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

/// Translate `stmt` (parsed in `cx.from`) for `cx.to`.
pub fn translate(stmt: &Statement, cx: &Context<'_>) -> Result<Translated, Refusal> {
    let mut out = Translated::default();
    let mut stmt = stmt.clone();
    let mut suffix = "";
    match &mut stmt {
        Statement::CreateExtension(ext) if cx.to != Dialect::Postgres => {
            out.notices.push(format!(
                "`CREATE EXTENSION {}` skipped: {} has no extensions; each use of what it provides is checked where it is used",
                ext.name, cx.to
            ));
            return Ok(out);
        }
        Statement::DropExtension(_) if cx.to != Dialect::Postgres => {
            out.notices.push(format!("`DROP EXTENSION` skipped: {} has no extensions", cx.to));
            return Ok(out);
        }
        Statement::Comment { object_type, object_name, comment, .. } if cx.to != Dialect::Postgres => {
            return comment_on(*object_type, object_name, comment.as_deref(), cx, &mut out).map(|()| out);
        }
        Statement::CreateTable(ct) => {
            create_table(ct, cx, &mut out)?;
            if cx.to == Dialect::Mysql && cx.from != Dialect::Mysql && ct.query.is_none() && ct.like.is_none() {
                suffix = MYSQL_TABLE_OPTIONS;
            }
        }
        Statement::CreateIndex(ci) => create_index(ci, cx, &mut out)?,
        Statement::Drop { object_type: ObjectType::Index, names, table, .. } if cx.to == Dialect::Mysql && table.is_none() => {
            if names.len() != 1 {
                return Err(refuse("MySQL drops one index per statement", None).help("write one `DROP INDEX` per index"));
            }
            match cx.catalog.index_table(&names[0]) {
                Some(t) => *table = Some(ObjectName::from(vec![Ident::new(t)])),
                None => {
                    return Err(refuse(
                        format!(
                            "MySQL's `DROP INDEX` needs the index's table, and no earlier migration creates index `{}`",
                            names[0]
                        ),
                        Some(names[0].span()),
                    )
                    .help("write `DROP INDEX name ON table` in a `-- +up mysql` or `-- +down mysql` section"))
                }
            }
        }
        Statement::Drop { object_type: ObjectType::Table | ObjectType::View, .. } if cx.to != Dialect::Postgres => {
            return drop_relations(&stmt, cx, out);
        }
        Statement::Drop { cascade, object_type, .. } if *cascade && cx.to == Dialect::Sqlite => {
            *cascade = false;
            out.notices.push(format!("`CASCADE` dropped: SQLite has no `DROP {object_type} ... CASCADE`"));
        }
        Statement::AlterIndex { name, operation: AlterIndexOperation::RenameIndex { index_name } }
            if cx.to != Dialect::Postgres =>
        {
            return rename_index(name, index_name, cx, out);
        }
        Statement::AlterTable(at)
            if cx.to == Dialect::Mysql
                && at.operations.iter().any(|o| matches!(o, AlterTableOperation::RenameConstraint { .. })) =>
        {
            return rename_constraint_mysql(at, cx, out);
        }
        Statement::AlterTable(at) => {
            let before = alter_table(at, cx, &mut out)?;
            if at.operations.is_empty() {
                return finish_all(before, cx, out);
            }
            for mut s in before {
                out.sql.push(finish(&mut s, cx, &mut out.notices)?);
            }
        }
        Statement::CreateView(v) if v.or_replace && cx.to == Dialect::Sqlite => {
            // SQLite has no `CREATE OR REPLACE VIEW`: the same in two steps.
            v.or_replace = false;
            let mut drop = drop_statement(ObjectType::View, v.name.clone());
            out.sql.push(finish(&mut drop, cx, &mut out.notices)?);
        }
        Statement::CreateView(v) if v.materialized && cx.to != Dialect::Postgres => {
            return Err(
                refuse(format!("materialized views have no {} equivalent", cx.to), Some(v.name.span())).help(section_help(cx.to))
            );
        }
        Statement::CreateType { .. }
        | Statement::CreateFunction(_)
        | Statement::CreateTrigger(_)
        | Statement::CreateProcedure { .. }
        | Statement::CreateSequence { .. }
        | Statement::CreateDomain(_)
            if cx.to != cx.from =>
        {
            let what = stmt.to_string().split_whitespace().take(2).collect::<Vec<_>>().join(" ");
            return Err(
                refuse(format!("`{what}` cannot be translated from {} to {}", cx.from, cx.to), None).help(section_help(cx.to))
            );
        }
        Statement::Insert(ins) => {
            if cx.to == Dialect::Mysql && ins.returning.is_some() {
                return Err(refuse("`RETURNING` has no MySQL equivalent", None).help(section_help(cx.to)));
            }
            if cx.to == Dialect::Mysql && ins.on.is_some() {
                return Err(refuse(
                    "`ON CONFLICT` has no faithful MySQL equivalent (`INSERT IGNORE` also ignores other errors)",
                    None,
                )
                .help(section_help(cx.to)));
            }
            let after = insert(ins, cx, &mut out)?;
            let main = finish(&mut stmt, cx, &mut out.notices)?;
            out.sql.push(main);
            out.sql.extend(after);
            return Ok(out);
        }
        Statement::Update(u) if u.from.is_some() && cx.to == Dialect::Mysql => {
            return Err(refuse("`UPDATE ... FROM` has no MySQL equivalent (MySQL joins in the UPDATE clause)", None)
                .help(section_help(cx.to)));
        }
        Statement::Delete(d) if d.using.is_some() && cx.to != Dialect::Postgres => {
            return Err(refuse(format!("`DELETE ... USING` has no {} equivalent", cx.to), None)
                .help("write the condition as `WHERE ... IN (SELECT ...)`, which every database runs"));
        }
        _ => {}
    }
    let mut text = finish(&mut stmt, cx, &mut out.notices)?;
    if !suffix.is_empty() {
        text.push(' ');
        text.push_str(suffix);
    }
    out.sql.push(text);
    Ok(out)
}

/// Rewrite the expressions and names of a statement for the target, and render it.
fn finish(stmt: &mut Statement, cx: &Context<'_>, notices: &mut Vec<String>) -> Result<String, Refusal> {
    notices.extend(exprs::rewrite(stmt, cx)?);
    idents::rewrite(stmt, cx.from, cx.to);
    Ok(stmt.to_string())
}

/// [`finish`] several statements into `out`.
fn finish_all(stmts: Vec<Statement>, cx: &Context<'_>, mut out: Translated) -> Result<Translated, Refusal> {
    for mut s in stmts {
        out.sql.push(finish(&mut s, cx, &mut out.notices)?);
    }
    Ok(out)
}

/// Fold an identifier written in `from` the way that dialect reads it (PostgreSQL lowercases
/// unquoted names), dropping its quotes: the name itself, for use on another database.
pub fn fold_ident(ident: &mut Ident, from: Dialect) {
    if ident.quote_style.is_none() && from == Dialect::Postgres {
        ident.value = ident.value.to_lowercase();
    }
    ident.quote_style = None;
}

/// `ALTER INDEX old RENAME TO new`: MySQL renames it through its table; SQLite cannot rename
/// an index, so it is dropped and created again under the new name, as the migrations so far
/// define it (an index from elsewhere is refused: its definition is not known here).
fn rename_index(old: &ObjectName, new: &ObjectName, cx: &Context<'_>, mut out: Translated) -> Result<Translated, Refusal> {
    let Some(index) = cx.catalog.index(old) else {
        return Err(refuse(
            format!(
                "{} cannot rename index `{old}`: no earlier migration creates it, so its table and definition are unknown",
                cx.to
            ),
            Some(old.span()),
        )
        .help(section_help(cx.to)));
    };
    match cx.to {
        Dialect::Mysql => {
            let (mut old, mut new) = (old.clone(), new.clone());
            let mut table = ObjectName::from(vec![Ident::new(&index.table)]);
            idents::rewrite_object_name(&mut old, cx.from, cx.to);
            idents::rewrite_object_name(&mut new, cx.from, cx.to);
            idents::rewrite_object_name(&mut table, Dialect::Mysql, cx.to);
            let last = |n: &ObjectName| n.0.last().map(ToString::to_string).unwrap_or_default();
            out.sql.push(format!("ALTER TABLE {table} RENAME INDEX {} TO {}", last(&old), last(&new)));
            Ok(out)
        }
        _ => {
            let Some(definition) = &index.statement else {
                return Err(
                    refuse(format!("SQLite cannot rename index `{old}` in place"), Some(old.span())).help(section_help(cx.to))
                );
            };
            let mut create = definition.as_ref().clone();
            create.name = Some(new.clone());
            create.table_name = ObjectName::from(vec![Ident::new(&index.table)]);
            out.notices.push(format!("SQLite cannot rename an index: `{old}` is dropped and created again as `{new}`"));
            let mut drop = drop_statement(ObjectType::Index, old.clone());
            out.sql.push(finish(&mut drop, cx, &mut out.notices)?);
            let created = translate(&Statement::CreateIndex(create), cx)?;
            out.sql.extend(created.sql);
            out.notices.extend(created.notices);
            Ok(out)
        }
    }
}

/// `ALTER TABLE t RENAME CONSTRAINT a TO b` on MySQL, by what the schema model says `a` is: a
/// UNIQUE constraint is an index there; every primary key is named `PRIMARY`; a foreign key or
/// CHECK cannot be renamed in place, and restating it needs a definition the model lacks.
fn rename_constraint_mysql(at: &AlterTable, cx: &Context<'_>, mut out: Translated) -> Result<Translated, Refusal> {
    let [AlterTableOperation::RenameConstraint { old_name, new_name }] = at.operations.as_slice() else {
        return Err(refuse("`RENAME CONSTRAINT` must be the only operation of its `ALTER TABLE`", Some(at.name.span())));
    };
    let kind = cx.catalog.table(&at.name).and_then(|t| t.constraint(&old_name.value)).map(|c| c.kind);
    match kind {
        Some(ConstraintKind::Unique) => {
            let (mut table, mut old, mut new) = (at.name.clone(), old_name.clone(), new_name.clone());
            idents::rewrite_object_name(&mut table, cx.from, cx.to);
            idents::rewrite_ident(&mut old, cx.from, cx.to);
            idents::rewrite_ident(&mut new, cx.from, cx.to);
            out.sql.push(format!("ALTER TABLE {table} RENAME INDEX {old} TO {new}"));
        }
        Some(ConstraintKind::PrimaryKey) => {
            out.notices.push(format!("`RENAME CONSTRAINT {old_name}` skipped: MySQL names every primary key `PRIMARY`"));
        }
        Some(kind) => {
            let what = if kind == ConstraintKind::Check { "a CHECK constraint" } else { "a foreign key" };
            return Err(refuse(format!("MySQL cannot rename {what} (`{old_name}`) in place"), Some(old_name.span))
                .help("drop it and add it again under the new name (`DROP CONSTRAINT`, then `ADD CONSTRAINT`)"));
        }
        None => {
            return Err(refuse(
                format!("no earlier migration creates constraint `{old_name}`, so its kind on MySQL is unknown"),
                Some(old_name.span),
            )
            .help(section_help(cx.to)))
        }
    }
    Ok(out)
}

/// `ALTER TABLE name <operations>`.
fn alter_statement(name: ObjectName, operations: Vec<AlterTableOperation>) -> Statement {
    Statement::AlterTable(AlterTable {
        name,
        if_exists: false,
        only: false,
        operations,
        location: None,
        on_cluster: None,
        table_type: None,
        end_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
    })
}

/// `DROP <kind> IF EXISTS name`.
fn drop_statement(object_type: ObjectType, name: ObjectName) -> Statement {
    Statement::Drop {
        object_type,
        if_exists: true,
        names: vec![name],
        cascade: false,
        restrict: false,
        purge: false,
        temporary: false,
        table: None,
    }
}

fn object_name(name: &str) -> ObjectName {
    ObjectName::from(vec![Ident::new(name)])
}

/// The `AUTO_INCREMENT` / `AUTOINCREMENT` column option.
fn auto_increment(to: Dialect) -> ColumnOption {
    match to {
        Dialect::Mysql => ColumnOption::DialectSpecific(vec![Token::make_keyword("AUTO_INCREMENT")]),
        Dialect::Sqlite => ColumnOption::DialectSpecific(vec![Token::make_keyword("AUTOINCREMENT")]),
        Dialect::Postgres => ColumnOption::Generated {
            generated_as: GeneratedAs::ByDefault,
            sequence_options: Some(Vec::new()),
            generation_expr: None,
            generation_expr_mode: None,
            generated_keyword: true,
        },
    }
}

/// Whether a column option makes the column auto-increment in its source dialect.
fn is_auto_increment(option: &ColumnOption) -> bool {
    match option {
        ColumnOption::DialectSpecific(tokens) => tokens.iter().any(|t| {
            matches!(t, Token::Word(w) if w.value.eq_ignore_ascii_case("AUTO_INCREMENT") || w.value.eq_ignore_ascii_case("AUTOINCREMENT"))
        }),
        ColumnOption::Generated { generation_expr: None, .. } => true,
        ColumnOption::Identity(_) => true,
        _ => false,
    }
}

fn is_primary_key(option: &ColumnOption) -> bool {
    matches!(option, ColumnOption::PrimaryKey(_))
}

/// Whether a column assigns its own values when none is given: `SERIAL`, an identity,
/// `AUTO_INCREMENT`, or SQLite's `INTEGER PRIMARY KEY` (an alias of the rowid).
fn assigns_keys(table: &Table, def: &ColumnDef, from: Dialect) -> bool {
    let serial = matches!(&def.data_type, DataType::Custom(n, _) if n.to_string().to_ascii_lowercase().contains("serial"));
    let rowid = from == Dialect::Sqlite
        && def.data_type == DataType::Integer(None)
        && table.primary_key.len() == 1
        && table.primary_key[0].eq_ignore_ascii_case(&def.name.value);
    serial || rowid || def.options.iter().any(|o| is_auto_increment(&o.option))
}

fn primary_key_option() -> ColumnOptionDef {
    ColumnOptionDef {
        name: None,
        option: ColumnOption::PrimaryKey(sqlparser::ast::PrimaryKeyConstraint {
            name: None,
            index_name: None,
            index_type: None,
            columns: Vec::new(),
            include: Vec::new(),
            index_options: Vec::new(),
            characteristics: None,
        }),
    }
}

/// Translate one column definition. `pk_elsewhere` says a table constraint makes this column
/// the whole primary key.
fn column_def(col: &mut ColumnDef, cx: &Context<'_>, pk_elsewhere: bool, out: &mut Translated) -> Result<(), Refusal> {
    let source_type = col.data_type.clone();
    let mapped = types::map(&col.data_type, cx.from, cx.to).map_err(|m| {
        refuse(format!("column `{}`: {m}", col.name.value), Some(col.name.span))
            .help(format!("use a portable type, or write the {} version in a `-- +up {}` section", cx.to, cx.to))
    })?;
    if let Some(n) = &mapped.notice {
        out.notices.push(format!("column `{}`: {n}", col.name.value));
    }
    let auto = mapped.serial || col.options.iter().any(|o| is_auto_increment(&o.option));
    let always = col
        .options
        .iter()
        .any(|o| matches!(o.option, ColumnOption::Generated { generated_as: GeneratedAs::Always, generation_expr: None, .. }));
    if always && cx.to != Dialect::Postgres {
        out.notices.push(format!(
            "column `{}`: `GENERATED ALWAYS AS IDENTITY` becomes {}, which also accepts keys given explicitly (PostgreSQL rejects them)",
            col.name.value,
            if cx.to == Dialect::Mysql { "AUTO_INCREMENT" } else { "AUTOINCREMENT" }
        ));
    }
    col.data_type = mapped.data_type;
    col.options.retain(|o| !is_auto_increment(&o.option));
    if let Some(c) = mapped.collation {
        col.options.push(ColumnOptionDef { name: None, option: ColumnOption::Collation(types::collation(c)) });
    }
    if auto {
        let inline_pk = col.options.iter().any(|o| is_primary_key(&o.option));
        if !inline_pk && !pk_elsewhere && cx.to != Dialect::Postgres {
            return Err(refuse(
                format!(
                    "column `{}` auto-increments but is not the table's primary key; {} auto-increments only a primary key",
                    col.name.value, cx.to
                ),
                Some(col.name.span),
            )
            .help("make it the primary key, or use a per-dialect section"));
        }
        if cx.to == Dialect::Sqlite {
            // SQLite auto-increments only `INTEGER PRIMARY KEY`, which holds 64 bits.
            col.data_type = DataType::Integer(None);
        }
        if mapped.serial && !col.options.iter().any(|o| matches!(o.option, ColumnOption::NotNull)) && cx.to != Dialect::Sqlite {
            col.options.insert(0, ColumnOptionDef { name: None, option: ColumnOption::NotNull });
        }
        // SQLite requires `INTEGER PRIMARY KEY AUTOINCREMENT`, in that order.
        let position = col.options.iter().position(|o| is_primary_key(&o.option)).map_or(col.options.len(), |p| p + 1);
        col.options.insert(position, ColumnOptionDef { name: None, option: auto_increment(cx.to) });
    }
    // SQLite stores any text in a JSON column: a CHECK keeps out what PostgreSQL and MySQL reject.
    if cx.to == Dialect::Sqlite && types::is_json(&source_type) {
        let expr = exprs::call("json_valid", vec![Expr::Identifier(col.name.clone())]);
        col.options.push(ColumnOptionDef {
            name: None,
            option: ColumnOption::Check(sqlparser::ast::CheckConstraint {
                name: None,
                expr: Box::new(expr),
                no_inherit: false,
                enforced: None,
            }),
        });
    }
    for o in &mut col.options {
        match &mut o.option {
            ColumnOption::Default(e) => default_value(e, &col.data_type, cx),
            ColumnOption::Unique(u) if u.nulls_distinct == NullsDistinctOption::NotDistinct && cx.to != Dialect::Postgres => {
                return Err(refuse(format!("`UNIQUE NULLS NOT DISTINCT` has no {} equivalent", cx.to), Some(col.name.span)));
            }
            ColumnOption::ForeignKey(f) => foreign_key(f, cx, col.name.span)?,
            ColumnOption::Unique(u) => characteristics(u.characteristics.as_mut(), false, cx, col.name.span)?,
            ColumnOption::PrimaryKey(p) => characteristics(p.characteristics.as_mut(), false, cx, col.name.span)?,
            _ => {}
        }
    }
    if cx.to == Dialect::Mysql {
        for o in &col.options {
            if matches!(o.option, ColumnOption::Unique(_) | ColumnOption::PrimaryKey(_))
                && types::mysql_needs_key_length(&col.data_type)
            {
                return Err(refuse(
                    format!(
                        "column `{}`: MySQL cannot make a `{}` column unique or a key without a prefix length, which would change what is unique",
                        col.name.value, source_type
                    ),
                    Some(col.name.span),
                )
                .help("declare it `VARCHAR(n)`"));
            }
        }
    }
    Ok(())
}

/// Write a column default the way the target accepts it: SQLite and MySQL take a bare
/// literal or `CURRENT_TIMESTAMP`, anything else in parentheses; MySQL takes no bare literal
/// on a TEXT, BLOB or JSON column, and wants `CURRENT_TIMESTAMP` with the column's precision.
fn default_value(e: &mut Expr, column_type: &DataType, cx: &Context<'_>) {
    if cx.to == Dialect::Postgres {
        if *column_type == DataType::Boolean {
            exprs::boolean_literal(e);
        }
        return;
    }
    if cx.to == Dialect::Mysql {
        if let DataType::Datetime(Some(p)) = column_type {
            exprs::current_timestamp_precision(e, *p);
        }
    }
    let literal = match e {
        Expr::Value(_) => true,
        Expr::UnaryOp { expr, .. } => matches!(**expr, Expr::Value(_)),
        _ => false,
    };
    let now = matches!(e, Expr::Function(f) if exprs::is_now(f));
    let bare = match cx.to {
        Dialect::Mysql => (literal && !types::mysql_needs_key_length(column_type)) || now,
        _ => {
            literal
                || now
                || matches!(e, Expr::Function(f) if f.name.to_string().eq_ignore_ascii_case("CURRENT_DATE") || f.name.to_string().eq_ignore_ascii_case("CURRENT_TIME"))
        }
    };
    if !bare && !matches!(e, Expr::Nested(_)) {
        *e = Expr::Nested(Box::new(std::mem::replace(e, Expr::value(Value::Null))));
    }
}

/// Check a foreign key's clauses for the target, and fill in the referenced columns MySQL
/// needs written out.
fn foreign_key(f: &mut ForeignKeyConstraint, cx: &Context<'_>, at: sqlparser::tokenizer::Span) -> Result<(), Refusal> {
    characteristics(f.characteristics.as_mut(), true, cx, at)?;
    if cx.to == Dialect::Postgres {
        return Ok(());
    }
    if matches!(f.match_kind, Some(ConstraintReferenceMatchKind::Full | ConstraintReferenceMatchKind::Partial)) {
        return Err(refuse(
            format!("`MATCH FULL` has no {} equivalent: a row with some of the key's columns NULL would be accepted", cx.to),
            Some(at),
        )
        .help(section_help(cx.to)));
    }
    if cx.to == Dialect::Mysql {
        for action in [&f.on_delete, &f.on_update].into_iter().flatten() {
            if *action == ReferentialAction::SetDefault {
                return Err(
                    refuse("MySQL (InnoDB) rejects `SET DEFAULT` as a foreign key action", Some(at)).help(section_help(cx.to))
                );
            }
        }
        if f.referred_columns.is_empty() {
            let key = cx.catalog.table(&f.foreign_table).map(|t| &t.primary_key).filter(|pk| !pk.is_empty());
            let Some(pk) = key else {
                let message = format!(
                    "MySQL needs the columns `REFERENCES {}` means, and no earlier migration gives that table a primary key",
                    f.foreign_table
                );
                return Err(refuse(message, Some(at)).help("name the referenced columns: `REFERENCES table (column)`"));
            };
            f.referred_columns = pk.iter().map(|c| Ident::new(c.as_str())).collect();
        }
    }
    Ok(())
}

/// Deferred constraints are checked at commit: MySQL checks every row at once, and SQLite
/// defers only foreign keys.
fn characteristics(
    c: Option<&mut ConstraintCharacteristics>,
    foreign_key: bool,
    cx: &Context<'_>,
    at: sqlparser::tokenizer::Span,
) -> Result<(), Refusal> {
    let Some(c) = c else { return Ok(()) };
    if cx.to == Dialect::Postgres {
        return Ok(());
    }
    let deferred = c.initially == Some(DeferrableInitial::Deferred);
    let deferrable = c.deferrable == Some(true);
    if (deferred || deferrable) && (cx.to == Dialect::Mysql || !foreign_key) {
        return Err(refuse(
            format!(
                "a {} constraint has no {} equivalent: checked row by row, it would reject rows PostgreSQL accepts before the commit",
                if deferred { "deferred" } else { "deferrable" },
                cx.to
            ),
            Some(at),
        )
        .help(section_help(cx.to)));
    }
    if c.enforced == Some(false) {
        return Err(
            refuse(format!("`NOT ENFORCED` constraints have no {} equivalent", cx.to), Some(at)).help(section_help(cx.to))
        );
    }
    if cx.to == Dialect::Mysql {
        // `NOT DEFERRABLE` and `INITIALLY IMMEDIATE` say what MySQL does anyway.
        c.deferrable = None;
        c.initially = None;
    }
    Ok(())
}

fn create_table(ct: &mut CreateTable, cx: &Context<'_>, out: &mut Translated) -> Result<(), Refusal> {
    if cx.to != Dialect::Postgres {
        if ct.inherits.is_some() || ct.partition_of.is_some() || ct.partition_by.is_some() {
            return Err(refuse(format!("table inheritance and partitioning have no {} equivalent", cx.to), Some(ct.name.span()))
                .help(section_help(cx.to)));
        }
        if ct.unlogged {
            ct.unlogged = false;
            out.notices.push(format!("`UNLOGGED` dropped: {} has no unlogged tables (same results, crash-safe)", cx.to));
        }
    }
    if cx.to != Dialect::Postgres {
        if let Some(c) = ct.constraints.iter().find(|c| matches!(c, TableConstraint::Exclude(_))) {
            return Err(refuse(
                format!("`EXCLUDE` constraints have no {} equivalent: the rows they keep out would be accepted", cx.to),
                Some(c.span()).filter(|s| s.start.line > 0).or(Some(ct.name.span())),
            )
            .help(section_help(cx.to)));
        }
    }
    if ct.strict && cx.to != Dialect::Sqlite {
        return Err(
            refuse("`STRICT` tables are SQLite's own", Some(ct.name.span())).help("drop `STRICT` or use a per-dialect section")
        );
    }
    // The table as the source database defines it: its key, and its constraints' names.
    let model = Table::from_create(ct, &|n| cx.catalog.has_relation(n));
    if ct.without_rowid && cx.to != Dialect::Sqlite {
        ct.without_rowid = false;
        out.notices.push("`WITHOUT ROWID` dropped: a storage choice of SQLite's (same results)".into());
    }
    // SQLite assigns an `INTEGER PRIMARY KEY` (an alias of the rowid) when none is given.
    if cx.from == Dialect::Sqlite && cx.to != Dialect::Sqlite && !ct.without_rowid {
        for col in &mut ct.columns {
            if assigns_keys(&model, col, cx.from) && !col.options.iter().any(|o| is_auto_increment(&o.option)) {
                col.options.push(ColumnOptionDef { name: None, option: auto_increment(Dialect::Sqlite) });
                out.notices.push(format!(
                    "column `{}`: SQLite's `INTEGER PRIMARY KEY` assigns a key when none is given, so it becomes an auto-incrementing BIGINT",
                    col.name.value
                ));
            }
        }
    }
    // A single-column PRIMARY KEY constraint on an auto-increment column moves inline: SQLite
    // auto-increments only `INTEGER PRIMARY KEY` declared on the column.
    let single_pk: Option<String> = ct.constraints.iter().find_map(|c| match c {
        TableConstraint::PrimaryKey(pk) if pk.columns.len() == 1 => match &pk.columns[0].column.expr {
            Expr::Identifier(i) => Some(i.value.to_lowercase()),
            _ => None,
        },
        _ => None,
    });
    let mut moved_inline = None;
    for col in &mut ct.columns {
        let pk_elsewhere = single_pk.as_deref() == Some(col.name.value.to_lowercase().as_str());
        let serial_like = matches!(types::map(&col.data_type, cx.from, cx.to), Ok(m) if m.serial)
            || col.options.iter().any(|o| is_auto_increment(&o.option));
        if pk_elsewhere && serial_like && cx.to == Dialect::Sqlite {
            col.options.insert(0, primary_key_option());
            moved_inline = Some(col.name.value.to_lowercase());
        }
        column_def(col, cx, pk_elsewhere, out)?;
    }
    if moved_inline.is_some() {
        ct.constraints.retain(|c| !matches!(c, TableConstraint::PrimaryKey(pk) if pk.columns.len() == 1));
    }
    for c in &mut ct.constraints {
        let at = ct.name.span();
        match c {
            TableConstraint::ForeignKey(f) => foreign_key(f, cx, at)?,
            TableConstraint::Unique(u) => {
                if u.nulls_distinct == NullsDistinctOption::NotDistinct && cx.to != Dialect::Postgres {
                    return Err(refuse(format!("`UNIQUE NULLS NOT DISTINCT` has no {} equivalent", cx.to), Some(at)));
                }
                characteristics(u.characteristics.as_mut(), false, cx, at)?;
            }
            TableConstraint::PrimaryKey(p) => characteristics(p.characteristics.as_mut(), false, cx, at)?,
            _ => {}
        }
    }
    if cx.to == Dialect::Sqlite && cx.from != Dialect::Sqlite {
        primary_key_not_null(ct, &model);
    }
    if cx.to == Dialect::Mysql {
        hoist_constraints(ct, &model);
        for c in &ct.constraints {
            let cols = match c {
                TableConstraint::Unique(u) => &u.columns,
                TableConstraint::PrimaryKey(p) => &p.columns,
                _ => continue,
            };
            for ic in cols {
                if let Expr::Identifier(name) = &ic.column.expr {
                    if let Some(col) = ct.columns.iter().find(|c| c.name.value.eq_ignore_ascii_case(&name.value)) {
                        if types::mysql_needs_key_length(&col.data_type) {
                            return Err(refuse(
                                format!(
                                    "column `{}`: MySQL cannot make a `{}` column part of a unique key without a prefix length",
                                    name.value, col.data_type
                                ),
                                Some(name.span),
                            )
                            .help("declare it `VARCHAR(n)`"));
                        }
                    }
                }
            }
        }
    }
    if cx.from == Dialect::Mysql
        && cx.to != Dialect::Mysql
        && !matches!(ct.table_options, sqlparser::ast::CreateTableOptions::None)
    {
        ct.table_options = sqlparser::ast::CreateTableOptions::None;
        out.notices.push(format!("MySQL table options (ENGINE, CHARSET, ...) dropped: they have no meaning on {}", cx.to));
    }
    Ok(())
}

/// SQLite lets a primary key column hold NULL unless it is the rowid: say `NOT NULL`, as the
/// other databases imply it.
fn primary_key_not_null(ct: &mut CreateTable, model: &Table) {
    for col in &mut ct.columns {
        let inline = col.options.iter().any(|o| is_primary_key(&o.option));
        let in_key = inline || model.primary_key.iter().any(|c| c.eq_ignore_ascii_case(&col.name.value));
        let rowid = col.data_type == DataType::Integer(None) && model.primary_key.len() == 1;
        if in_key && !rowid && !col.options.iter().any(|o| matches!(o.option, ColumnOption::NotNull)) {
            let at = col.options.iter().position(|o| is_primary_key(&o.option)).unwrap_or(col.options.len());
            col.options.insert(at, ColumnOptionDef { name: None, option: ColumnOption::NotNull });
        }
    }
}

/// MySQL ignores a `REFERENCES` written on a column (MySQL before 9.0) and rejects a named
/// constraint there (MariaDB): every UNIQUE, FOREIGN KEY and CHECK becomes a table constraint,
/// named as PostgreSQL names it, so a later `DROP CONSTRAINT` finds it.
fn hoist_constraints(ct: &mut CreateTable, model: &Table) {
    let mut names = model.constraints.iter().map(|c| c.name.clone());
    let mut hoisted = Vec::new();
    for col in &mut ct.columns {
        let column = col.name.clone();
        let mut kept = Vec::with_capacity(col.options.len());
        for o in std::mem::take(&mut col.options) {
            if catalog::describe_option(&column.value, &o).is_none() {
                kept.push(o);
                continue;
            }
            let name = names.next().map(Ident::new);
            match hoist_option(&o.option, &column, name) {
                Some(c) => hoisted.push(c),
                None => kept.push(o),
            }
        }
        col.options = kept;
    }
    for c in &mut ct.constraints {
        let Some((kind, _, written)) = catalog::describe(c) else { continue };
        let name = names.next();
        if written.is_some() || kind == ConstraintKind::PrimaryKey {
            continue;
        }
        let name = name.map(Ident::new);
        match c {
            TableConstraint::Unique(u) => u.name = name,
            TableConstraint::ForeignKey(f) => f.name = name,
            TableConstraint::Check(k) => k.name = name,
            _ => {}
        }
    }
    hoisted.append(&mut ct.constraints);
    ct.constraints = hoisted;
}

/// A column's UNIQUE, REFERENCES or CHECK option as a named table constraint; `None` for an
/// option that stays on the column (PRIMARY KEY).
fn hoist_option(option: &ColumnOption, column: &Ident, name: Option<Ident>) -> Option<TableConstraint> {
    Some(match option {
        ColumnOption::Unique(u) => {
            let mut u = u.clone();
            u.name = name;
            u.columns = vec![IndexColumn::from(column.clone())];
            TableConstraint::Unique(u)
        }
        ColumnOption::ForeignKey(f) => {
            let mut f = f.clone();
            f.name = name;
            f.columns = vec![column.clone()];
            TableConstraint::ForeignKey(f)
        }
        ColumnOption::Check(c) => {
            let mut c = c.clone();
            c.name = name;
            TableConstraint::Check(c)
        }
        _ => return None,
    })
}

fn create_index(ci: &mut sqlparser::ast::CreateIndex, cx: &Context<'_>, out: &mut Translated) -> Result<(), Refusal> {
    if ci.using.is_some() && cx.to != Dialect::Postgres {
        return Err(refuse(
            format!(
                "index method `USING {}` has no {} equivalent",
                ci.using.as_ref().map(|u| u.to_string()).unwrap_or_default(),
                cx.to
            ),
            Some(ci.table_name.span()),
        )
        .help(section_help(cx.to)));
    }
    if ci.concurrently && cx.to != Dialect::Postgres {
        ci.concurrently = false;
        out.notices.push(format!("`CONCURRENTLY` dropped: {} has no concurrent index builds", cx.to));
    }
    if ci.predicate.is_some() && cx.to == Dialect::Mysql {
        if ci.unique {
            return Err(refuse(
                "a partial UNIQUE index has no MySQL equivalent: without its WHERE it would reject rows it allows",
                ci.predicate.as_ref().map(Spanned::span),
            )
            .help(section_help(cx.to)));
        }
        ci.predicate = None;
        out.notices.push("partial index becomes a full index on MySQL (same results, a larger index)".into());
    }
    if !ci.include.is_empty() && cx.to != Dialect::Postgres {
        ci.include.clear();
        out.notices.push(format!("`INCLUDE` columns dropped: {} has no covering-index clause", cx.to));
    }
    if ci.nulls_distinct == Some(false) && cx.to != Dialect::Postgres {
        return Err(refuse(format!("`NULLS NOT DISTINCT` has no {} equivalent", cx.to), Some(ci.table_name.span())));
    }
    if cx.to == Dialect::Mysql {
        if let Some(ic) = ci.columns.iter().find(|c| !matches!(c.column.expr, Expr::Identifier(_))) {
            return Err(refuse(
                "an index on an expression has no MariaDB equivalent (MySQL 8 writes it `((expression))`)",
                Some(ic.column.expr.span()),
            )
            .help(section_help(cx.to)));
        }
        key_lengths(ci, cx, out)?;
    }
    Ok(())
}

/// MySQL indexes a TEXT column only by a prefix: fine for a plain index, which only speeds
/// lookups, but a unique one would compare prefixes only.
fn key_lengths(ci: &mut sqlparser::ast::CreateIndex, cx: &Context<'_>, out: &mut Translated) -> Result<(), Refusal> {
    let Some(table) = cx.catalog.table(&ci.table_name) else { return Ok(()) };
    for ic in &mut ci.columns {
        let Expr::Identifier(name) = &ic.column.expr else { continue };
        let Some(col) = table.column(&name.value) else { continue };
        let mapped =
            types::map(&col.def.data_type, cx.from, cx.to).map(|m| m.data_type).unwrap_or_else(|_| col.def.data_type.clone());
        if types::mysql_needs_key_length(&mapped) {
            if ci.unique {
                return Err(refuse(
                    format!(
                        "MySQL can only index `{}` column `{}` by a prefix, so a unique index would compare prefixes only",
                        col.def.data_type, name.value
                    ),
                    Some(name.span),
                )
                .help("declare the column `VARCHAR(n)`"));
            }
            // A prefix index finds the same rows; MySQL rechecks the full value.
            let name = name.clone();
            out.notices.push(format!(
                "{} column `{}` indexed by its first 255 characters on MySQL (same results)",
                col.def.data_type, name.value
            ));
            ic.column.expr = exprs::key_prefix(name, 255);
        }
    }
    Ok(())
}

/// `DROP TABLE` and `DROP VIEW` on SQLite and MySQL: one table per statement on SQLite, and
/// what PostgreSQL's `CASCADE` also drops (views that read the table, other tables' foreign
/// keys to it) dropped first, since neither database does it.
fn drop_relations(stmt: &Statement, cx: &Context<'_>, mut out: Translated) -> Result<Translated, Refusal> {
    let Statement::Drop { object_type, if_exists, names, cascade, .. } = stmt else { unreachable!() };
    let dropped: Vec<String> = names.iter().map(catalog::key).collect();
    let mut before = Vec::new();
    if *cascade {
        let mut views: Vec<String> = Vec::new();
        for d in &dropped {
            for v in cx.catalog.dependent_views(d) {
                if !views.contains(&v) && !dropped.contains(&v) {
                    out.notices
                        .push(format!("`CASCADE`: view `{v}` reads `{d}`, so it is dropped first, as PostgreSQL drops it"));
                    views.push(v);
                }
            }
        }
        before.extend(views.into_iter().map(|v| drop_statement(ObjectType::View, object_name(&v))));
        for d in &dropped {
            for (table, fk) in cx.catalog.referencing_foreign_keys(d) {
                if dropped.contains(&table) {
                    continue;
                }
                if cx.to == Dialect::Sqlite {
                    return Err(refuse(
                        format!("`CASCADE` would drop foreign key `{fk}` of `{table}`, which references `{d}`; SQLite cannot drop it in place"),
                        Some(names[0].span()),
                    )
                    .help(format!("drop it first with `ALTER TABLE {table} DROP CONSTRAINT {fk}` (a table rebuild on SQLite)")));
                }
                out.notices.push(format!("`CASCADE`: foreign key `{fk}` of `{table}` references `{d}`, so it is dropped first"));
                let op = AlterTableOperation::DropForeignKey { name: Ident::new(fk), drop_behavior: None };
                before.push(alter_statement(object_name(&table), vec![op]));
            }
        }
    }
    let one = |names: Vec<ObjectName>| Statement::Drop {
        object_type: *object_type,
        if_exists: *if_exists,
        names,
        cascade: false,
        restrict: false,
        purge: false,
        temporary: false,
        table: None,
    };
    if cx.to == Dialect::Sqlite {
        before.extend(names.iter().map(|n| one(vec![n.clone()])));
    } else {
        before.push(one(names.clone()));
    }
    finish_all(before, cx, out)
}

/// Translate the operations of an `ALTER TABLE`; returns statements to run before it.
fn alter_table(at: &mut AlterTable, cx: &Context<'_>, out: &mut Translated) -> Result<Vec<Statement>, Refusal> {
    // The schema as each operation finds it: the catalog, with the earlier operations applied.
    let mut model = cx.catalog.clone();
    let mut ops = Vec::with_capacity(at.operations.len());
    for op in std::mem::take(&mut at.operations) {
        let original = op.clone();
        let table = model.table(&at.name).cloned();
        let names = model.relation_names();
        match op {
            AlterTableOperation::AddColumn { column_keyword, if_not_exists, mut column_def, column_position } => {
                let pk_elsewhere = false;
                self::column_def(&mut column_def, cx, pk_elsewhere, out)?;
                let mut extra = Vec::new();
                if cx.to == Dialect::Mysql {
                    // Named as PostgreSQL names them, as in CREATE TABLE.
                    let mut scratch = table.clone().unwrap_or_else(|| Table { name: catalog::key(&at.name), ..Table::default() });
                    let column = column_def.name.clone();
                    let mut kept = Vec::new();
                    for o in std::mem::take(&mut column_def.options) {
                        let Some((kind, columns, written)) = catalog::describe_option(&column.value, &o) else {
                            kept.push(o);
                            continue;
                        };
                        let name = scratch.add_constraint(kind, columns, written.as_ref(), None, &|n| names.contains(n));
                        match hoist_option(&o.option, &column, Some(Ident::new(name))) {
                            Some(c) => extra.push(AlterTableOperation::AddConstraint { constraint: c, not_valid: false }),
                            None => kept.push(o),
                        }
                    }
                    column_def.options = kept;
                }
                ops.push(AlterTableOperation::AddColumn { column_keyword, if_not_exists, column_def, column_position });
                ops.extend(extra);
            }
            AlterTableOperation::AddConstraint {
                constraint:
                    c
                    @ (TableConstraint::Exclude(_) | TableConstraint::PrimaryKeyUsingIndex(_) | TableConstraint::UniqueUsingIndex(_)),
                ..
            } if cx.to != Dialect::Postgres => {
                return Err(refuse(format!("constraint `{c}` has no {} equivalent", cx.to), Some(at.name.span()))
                    .help(section_help(cx.to)));
            }
            AlterTableOperation::AlterColumn { column_name, op } if cx.to == Dialect::Sqlite => {
                return Err(refuse(format!("SQLite cannot `ALTER COLUMN {} {}` in place", column_name.value, op), Some(column_name.span))
                    .help("sqlmig rebuilds the table on SQLite (spec/rebuild); write the rebuild in a `-- +up sqlite` section if it cannot"));
            }
            AlterTableOperation::AddConstraint { constraint, .. } if cx.to == Dialect::Sqlite => {
                return Err(refuse(format!("SQLite cannot add constraint `{constraint}` to an existing table"), None)
                    .help("sqlmig rebuilds the table on SQLite (spec/rebuild); write the rebuild in a `-- +up sqlite` section if it cannot"));
            }
            AlterTableOperation::DropConstraint { name, .. } if cx.to == Dialect::Sqlite => {
                return Err(refuse(
                    format!("SQLite cannot drop constraint `{}` from an existing table", name.value),
                    Some(name.span),
                )
                .help("sqlmig rebuilds the table on SQLite (spec/rebuild); write the rebuild in a `-- +up sqlite` section if it cannot"));
            }
            AlterTableOperation::AlterColumn { column_name, op } if cx.to == Dialect::Mysql => {
                let native = match &op {
                    AlterColumnOperation::DropDefault => true,
                    AlterColumnOperation::SetDefault { value } => {
                        let column_type = table.as_ref().and_then(|t| t.column(&column_name.value)).map(|c| &c.def.data_type);
                        matches!(value, Expr::Value(_))
                            && column_type.is_some_and(|t| {
                                types::map(t, cx.from, cx.to).is_ok_and(|m| !types::mysql_needs_key_length(&m.data_type))
                            })
                    }
                    _ => false,
                };
                if native {
                    ops.push(AlterTableOperation::AlterColumn { column_name, op });
                } else {
                    // MySQL restates the whole column: take it from the schema model.
                    let notices = matches!(op, AlterColumnOperation::SetDataType { .. });
                    ops.push(modify_column(table.as_ref(), &column_name, Some(&op), cx, notices.then_some(&mut *out))?);
                }
            }
            AlterTableOperation::AlterColumn {
                column_name,
                op: AlterColumnOperation::SetDataType { data_type, using, had_set },
            } => {
                let mapped = types::map(&data_type, cx.from, cx.to)
                    .map_err(|m| refuse(format!("column `{}`: {m}", column_name.value), Some(column_name.span)))?;
                if using.is_some() && cx.to != Dialect::Postgres {
                    return Err(refuse("`USING` conversions have no equivalent here", Some(column_name.span)));
                }
                if let Some(n) = mapped.notice {
                    out.notices.push(format!("column `{}`: {n}", column_name.value));
                }
                ops.push(AlterTableOperation::AlterColumn {
                    column_name,
                    op: AlterColumnOperation::SetDataType { data_type: mapped.data_type, using, had_set },
                });
            }
            AlterTableOperation::AddConstraint { mut constraint, not_valid } if cx.to == Dialect::Mysql => {
                let at_span = at.name.span();
                match &mut constraint {
                    TableConstraint::ForeignKey(f) => foreign_key(f, cx, at_span)?,
                    TableConstraint::Unique(u) => characteristics(u.characteristics.as_mut(), false, cx, at_span)?,
                    _ => {}
                }
                if let (Some(mut scratch), Some((kind, _, None))) = (table.clone(), catalog::describe(&constraint)) {
                    if kind != ConstraintKind::PrimaryKey {
                        let name = scratch.add_table_constraint(&constraint, &|n| names.contains(n)).map(Ident::new);
                        match &mut constraint {
                            TableConstraint::Unique(u) => u.name = name,
                            TableConstraint::ForeignKey(f) => f.name = name,
                            TableConstraint::Check(k) => k.name = name,
                            _ => {}
                        }
                    }
                }
                if let (TableConstraint::Unique(u), Some(t)) = (&constraint, &table) {
                    for ic in &u.columns {
                        let Expr::Identifier(name) = &ic.column.expr else { continue };
                        let Some(col) = t.column(&name.value) else { continue };
                        if types::map(&col.def.data_type, cx.from, cx.to)
                            .is_ok_and(|m| types::mysql_needs_key_length(&m.data_type))
                        {
                            return Err(refuse(
                                format!(
                                    "column `{}`: MySQL cannot make a TEXT column part of a unique key without a prefix length",
                                    name.value
                                ),
                                Some(name.span),
                            )
                            .help("declare it `VARCHAR(n)`"));
                        }
                    }
                }
                if not_valid {
                    out.notices.push("`NOT VALID` dropped: MySQL checks the existing rows too".into());
                }
                ops.push(AlterTableOperation::AddConstraint { constraint, not_valid: false });
            }
            AlterTableOperation::DropConstraint { name, if_exists, drop_behavior } if cx.to == Dialect::Mysql => {
                let kind = table.as_ref().and_then(|t| t.constraint(&name.value)).map(|c| c.kind);
                if drop_behavior.is_some() {
                    out.notices.push(format!(
                        "`{}` dropped: MySQL has no dependent constraints to consider",
                        drop_behavior.unwrap_or(sqlparser::ast::DropBehavior::Cascade)
                    ));
                }
                ops.push(match kind {
                    Some(ConstraintKind::PrimaryKey) => AlterTableOperation::DropPrimaryKey { drop_behavior: None },
                    Some(ConstraintKind::ForeignKey) if !if_exists => {
                        AlterTableOperation::DropForeignKey { name, drop_behavior: None }
                    }
                    Some(ConstraintKind::Unique) if !if_exists => AlterTableOperation::DropIndex { name },
                    _ => AlterTableOperation::DropConstraint { name, if_exists, drop_behavior: None },
                });
            }
            AlterTableOperation::DropColumn { has_column_keyword, column_names, if_exists, drop_behavior }
                if cx.to == Dialect::Mysql =>
            {
                // PostgreSQL drops the constraints and indexes that involve the column with it;
                // MySQL refuses while a foreign key uses it, and narrows multi-column indexes.
                if let Some(t) = &table {
                    let dropped: Vec<String> = column_names.iter().map(|c| c.value.to_lowercase()).collect();
                    let involved = |cols: &[String]| cols.iter().any(|c| dropped.contains(c));
                    for c in t.constraints.iter().filter(|c| involved(&c.columns)) {
                        let name = Ident::new(c.name.as_str());
                        ops.push(match c.kind {
                            ConstraintKind::ForeignKey => AlterTableOperation::DropForeignKey { name, drop_behavior: None },
                            ConstraintKind::Unique => AlterTableOperation::DropIndex { name },
                            ConstraintKind::Check => {
                                AlterTableOperation::DropConstraint { name, if_exists: false, drop_behavior: None }
                            }
                            ConstraintKind::PrimaryKey => AlterTableOperation::DropPrimaryKey { drop_behavior: None },
                        });
                    }
                    for (index, i) in model.indexes_of(&t.name) {
                        if involved(&i.columns) {
                            ops.push(AlterTableOperation::DropIndex { name: Ident::new(index) });
                        }
                    }
                }
                if drop_behavior.is_some() {
                    out.notices.push("`CASCADE` dropped: MySQL drops no dependent objects".into());
                }
                ops.push(AlterTableOperation::DropColumn { has_column_keyword, column_names, if_exists, drop_behavior: None });
            }
            other if cx.to == Dialect::Mysql && !mysql_alter_operation(&other) => {
                return Err(refuse(format!("`ALTER TABLE ... {other}` has no MySQL equivalent"), Some(at.name.span()))
                    .help(section_help(cx.to)));
            }
            other => ops.push(other),
        }
        model.apply(&alter_statement(at.name.clone(), vec![original]));
    }
    at.operations = ops;
    if cx.to != Dialect::Postgres {
        at.only = false;
    }
    Ok(Vec::new())
}

/// Whether MySQL runs an `ALTER TABLE` operation as written (once translated): the rest are
/// refused before anything runs rather than failing half-way through a migration.
fn mysql_alter_operation(op: &AlterTableOperation) -> bool {
    use AlterTableOperation as O;
    matches!(
        op,
        O::AddColumn { .. }
            | O::DropColumn { .. }
            | O::RenameColumn { .. }
            | O::RenameTable { .. }
            | O::AlterColumn { .. }
            | O::AddConstraint { .. }
            | O::DropConstraint { .. }
            | O::DropPrimaryKey { .. }
            | O::DropForeignKey { .. }
            | O::DropIndex { .. }
            | O::ModifyColumn { .. }
            | O::ChangeColumn { .. }
            | O::AutoIncrement { .. }
            | O::Algorithm { .. }
            | O::Lock { .. }
    )
}

/// MySQL's `MODIFY COLUMN`: the whole column as the schema model has it, with `op` applied.
/// Constraints stay where they are (they are table constraints on MySQL); the comment is
/// restated, or MySQL would drop it. `out` receives the notices of a new type, if given.
fn modify_column(
    table: Option<&Table>,
    column_name: &Ident,
    op: Option<&AlterColumnOperation>,
    cx: &Context<'_>,
    out: Option<&mut Translated>,
) -> Result<AlterTableOperation, Refusal> {
    let Some(col) = table.and_then(|t| t.column(&column_name.value)) else {
        return Err(refuse(
            format!(
                "MySQL's `MODIFY COLUMN` restates the whole column, and no earlier migration defines `{}`",
                column_name.value
            ),
            Some(column_name.span),
        )
        .help("write `ALTER TABLE ... MODIFY COLUMN` with the full definition in a `-- +up mysql` section"));
    };
    let table = table.expect("the column came from it");
    let mut def = col.def.clone();
    if let Some(op) = op {
        catalog::alter_column(&mut def, op);
    }
    let pk_elsewhere = table.primary_key.len() == 1 && table.primary_key[0].eq_ignore_ascii_case(&def.name.value);
    let mut scratch = Translated::default();
    column_def(&mut def, cx, pk_elsewhere, &mut scratch)?;
    if let Some(out) = out {
        out.notices.extend(scratch.notices);
    }
    def.options.retain(|o| catalog::describe_option(&def.name.value, o).is_none());
    let options = def
        .options
        .into_iter()
        .map(|o| match o.option {
            ColumnOption::Comment(c) => ColumnOption::Comment(c.replace('\\', "\\\\")),
            other => other,
        })
        .collect();
    Ok(AlterTableOperation::ModifyColumn { col_name: def.name, data_type: def.data_type, options, column_position: None })
}

fn comment_on(
    object_type: CommentObject,
    name: &ObjectName,
    comment: Option<&str>,
    cx: &Context<'_>,
    out: &mut Translated,
) -> Result<(), Refusal> {
    if cx.to == Dialect::Sqlite {
        out.notices.push("`COMMENT ON` skipped: SQLite keeps no comments".into());
        return Ok(());
    }
    let text = comment.unwrap_or("").replace('\\', "\\\\").replace('\'', "''");
    match object_type {
        CommentObject::Table => {
            let mut table = name.clone();
            idents::rewrite_object_name(&mut table, cx.from, cx.to);
            out.sql.push(format!("ALTER TABLE {table} COMMENT = '{text}'"));
            Ok(())
        }
        CommentObject::Column if name.0.len() >= 2 => {
            let parts = &name.0;
            let table_name = ObjectName(parts[..parts.len() - 1].to_vec());
            let column = parts[parts.len() - 1].as_ident().cloned().unwrap_or_else(|| Ident::new(""));
            let table = cx.catalog.table(&table_name);
            if table.and_then(|t| t.column(&column.value)).is_none() {
                return Err(refuse(
                    format!("a MySQL column comment restates the whole column, and no earlier migration defines `{name}`"),
                    Some(name.span()),
                )
                .help("write `ALTER TABLE ... MODIFY COLUMN ... COMMENT '...'` in a `-- +up mysql` section"));
            }
            let mut op = modify_column(table, &column, None, cx, None)?;
            if let AlterTableOperation::ModifyColumn { options, .. } = &mut op {
                options.retain(|o| !matches!(o, ColumnOption::Comment(_)));
            }
            let mut stmt = alter_statement(table_name, vec![op]);
            let sql = finish(&mut stmt, cx, &mut out.notices)?;
            out.sql.push(format!("{sql} COMMENT '{text}'"));
            Ok(())
        }
        other => {
            out.notices.push(format!("`COMMENT ON {other}` skipped: MySQL keeps comments only on tables and columns"));
            Ok(())
        }
    }
}

/// Seed rows: byte strings written as text literals, and, on PostgreSQL, the identity
/// sequence moved past keys given explicitly, as MySQL and SQLite move their counters.
/// Returns statements to run after the INSERT.
fn insert(ins: &mut sqlparser::ast::Insert, cx: &Context<'_>, out: &mut Translated) -> Result<Vec<String>, Refusal> {
    let TableObject::TableName(name) = &ins.table else { return Ok(Vec::new()) };
    let Some(table) = cx.catalog.table(name) else { return Ok(Vec::new()) };
    let columns: Vec<String> = if ins.columns.is_empty() {
        table.columns.iter().map(|c| c.def.name.value.to_lowercase()).collect()
    } else {
        ins.columns.iter().map(catalog::key).collect()
    };
    let defs: Vec<Option<&ColumnDef>> = columns.iter().map(|c| table.column(c).map(|c| &c.def)).collect();
    if let Some(SetExpr::Values(values)) = ins.source.as_mut().map(|q| q.body.as_mut()) {
        for row in &mut values.rows {
            for (e, def) in row.iter_mut().zip(&defs) {
                if def.is_some_and(|d| types::is_bytes(&d.data_type)) {
                    exprs::bytes_literal(e, cx)?;
                }
                // MySQL and SQLite write booleans as 1 and 0, which PostgreSQL's BOOLEAN rejects.
                let boolean =
                    def.is_some_and(|d| types::map(&d.data_type, cx.from, cx.to).is_ok_and(|m| m.data_type == DataType::Boolean));
                if boolean && cx.to == Dialect::Postgres {
                    exprs::boolean_literal(e);
                }
            }
        }
    }
    let mut after = Vec::new();
    if cx.to == Dialect::Postgres {
        for def in defs.iter().flatten() {
            if assigns_keys(table, def, cx.from) {
                let mut t = name.clone();
                idents::rewrite_object_name(&mut t, cx.from, cx.to);
                let mut c = def.name.clone();
                idents::rewrite_ident(&mut c, cx.from, cx.to);
                let table_text = t.to_string().replace('\'', "''");
                let seq = format!("pg_get_serial_sequence('{table_text}', '{}')", c.value.replace('\'', "''"));
                after.push(format!(
                    "SELECT setval({seq}, max({c})) FROM {t} HAVING max({c}) >= COALESCE(pg_sequence_last_value({seq}::regclass), 0)"
                ));
                out.notices.push(format!(
                    "the identity of `{}.{}` is moved past the keys given here, as {} moves its counter",
                    table.name, def.name.value, cx.from
                ));
            }
        }
    }
    Ok(after)
}

/// Run a `VisitorMut` over a statement.
pub(crate) fn visit<V: sqlparser::ast::VisitorMut<Break = Refusal>>(stmt: &mut Statement, v: &mut V) -> Result<(), Refusal> {
    match stmt.visit(v) {
        ControlFlow::Break(r) => Err(r),
        ControlFlow::Continue(()) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    /// Translate each statement of `sql` (PostgreSQL) for `to`, folding them into one catalog.
    fn run(sql: &str, to: Dialect) -> Vec<String> {
        run_from(sql, Dialect::Postgres, to)
    }

    fn run_from(sql: &str, from: Dialect, to: Dialect) -> Vec<String> {
        let mut catalog = Catalog::default();
        let mut lines = Vec::new();
        for stmt in sqlparser::parser::Parser::parse_sql(&*from.parser_dialect(), sql).unwrap() {
            match translate(&stmt, &Context { from, to, catalog: &catalog }) {
                Ok(t) => {
                    lines.extend(t.sql);
                    lines.extend(t.notices.into_iter().map(|n| format!("-- {n}")));
                }
                Err(r) => lines.push(format!("error: {}", r.message)),
            }
            catalog.apply(&stmt);
        }
        lines
    }

    #[test]
    fn mysql_constraints_become_named_table_constraints() {
        let out = run(
            "CREATE TABLE t (id int PRIMARY KEY); \
             CREATE TABLE b (id int PRIMARY KEY, a int REFERENCES t ON DELETE CASCADE, c int UNIQUE CHECK (c > 0), UNIQUE (a, c))",
            Dialect::Mysql,
        );
        assert_eq!(
            out[1],
            "CREATE TABLE b (id INTEGER PRIMARY KEY, a INTEGER, c INTEGER, \
             CONSTRAINT b_a_fkey FOREIGN KEY (a) REFERENCES t(id) ON DELETE CASCADE, CONSTRAINT b_c_key UNIQUE (c), \
             CONSTRAINT b_c_check CHECK (c > 0), CONSTRAINT b_a_c_key UNIQUE (a, c)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
        );
        let out = run("CREATE TABLE b (a int REFERENCES nowhere)", Dialect::Mysql);
        assert!(out[0].starts_with("error: MySQL needs the columns `REFERENCES nowhere` means"), "{out:?}");
    }

    #[test]
    fn mysql_drop_column_drops_what_postgres_drops_with_it() {
        let out = run(
            "CREATE TABLE t (id int PRIMARY KEY, a int REFERENCES t (id), b int, UNIQUE (a, b), CHECK (a < b)); \
             CREATE INDEX t_b_a ON t (b, a); CREATE INDEX t_b ON t (b); ALTER TABLE t DROP COLUMN a",
            Dialect::Mysql,
        );
        assert_eq!(
            out.last().unwrap(),
            "ALTER TABLE t DROP FOREIGN KEY t_a_fkey, DROP INDEX t_a_b_key, DROP CONSTRAINT t_check, DROP INDEX t_b_a, DROP COLUMN a"
        );
    }

    #[test]
    fn mysql_alter_constraints_by_kind() {
        let out = run(
            "CREATE TABLE t (id int PRIMARY KEY, a int); ALTER TABLE t ADD UNIQUE (a); ALTER TABLE t ADD CHECK (a > 0); \
             ALTER TABLE t DROP CONSTRAINT t_a_key; ALTER TABLE t DROP CONSTRAINT t_a_check; ALTER TABLE t DROP CONSTRAINT t_pkey",
            Dialect::Mysql,
        );
        assert_eq!(
            out[1..],
            [
                "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a)",
                "ALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a > 0)",
                "ALTER TABLE t DROP INDEX t_a_key",
                "ALTER TABLE t DROP CONSTRAINT t_a_check",
                "ALTER TABLE t DROP PRIMARY KEY",
            ]
        );
    }

    #[test]
    fn mysql_renamed_primary_key_is_a_model_change_only() {
        let out = run(
            "CREATE TABLE t (id int PRIMARY KEY); ALTER TABLE t RENAME CONSTRAINT t_pkey TO u_pkey; \
             ALTER TABLE t DROP CONSTRAINT u_pkey",
            Dialect::Mysql,
        );
        // The rename emits nothing but a notice; the model knows the key by its new name.
        assert_eq!(
            out[1..],
            ["-- `RENAME CONSTRAINT t_pkey` skipped: MySQL names every primary key `PRIMARY`", "ALTER TABLE t DROP PRIMARY KEY",]
        );
    }

    #[test]
    fn sqlite_keys_are_not_null_and_defaults_parenthesised() {
        let out = run(
            "CREATE TABLE t (code text PRIMARY KEY, n int DEFAULT (1 + 1), m int DEFAULT -1, d date DEFAULT CURRENT_DATE)",
            Dialect::Sqlite,
        );
        assert_eq!(out[0], "CREATE TABLE t (code TEXT NOT NULL PRIMARY KEY, n INTEGER DEFAULT (1 + 1), m INTEGER DEFAULT -1, d DATE DEFAULT CURRENT_DATE)");
        let out = run("CREATE TABLE t (a text, b int, PRIMARY KEY (a, b))", Dialect::Sqlite);
        assert_eq!(out[0], "CREATE TABLE t (a TEXT NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (a, b))");
    }

    #[test]
    fn sqlite_rowid_keys_assign_keys_elsewhere() {
        let out = run_from(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, n INT); INSERT INTO t (id, n) VALUES (7, 1)",
            Dialect::Sqlite,
            Dialect::Postgres,
        );
        assert_eq!(out[0], "CREATE TABLE t (id BIGINT PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, n BIGINT)");
        assert_eq!(out[2], "INSERT INTO t (id, n) VALUES (7, 1)",);
        assert!(out[3].starts_with("SELECT setval(pg_get_serial_sequence('t', 'id'), max(id)) FROM t HAVING"), "{out:?}");
    }

    #[test]
    fn mysql_indexes_text_by_a_prefix() {
        let out =
            run("CREATE TABLE t (a text, b text); CREATE INDEX t_a ON t (a); CREATE UNIQUE INDEX t_b ON t (b)", Dialect::Mysql);
        assert_eq!(
            out[1..3],
            ["CREATE INDEX t_a ON t(`a`(255))", "-- TEXT column `a` indexed by its first 255 characters on MySQL (same results)"]
        );
        assert!(out[3].starts_with("error: MySQL can only index `TEXT` column `b` by a prefix"), "{out:?}");
    }

    #[test]
    fn drops_on_sqlite_and_mysql() {
        let sql = "CREATE TABLE a (id int PRIMARY KEY); CREATE VIEW v AS SELECT id FROM a; DROP TABLE IF EXISTS a, b CASCADE";
        assert_eq!(
            run(sql, Dialect::Sqlite)[2..5],
            ["DROP VIEW IF EXISTS v", "DROP TABLE IF EXISTS a", "DROP TABLE IF EXISTS b"]
        );
        assert_eq!(run(sql, Dialect::Mysql)[2..4], ["DROP VIEW IF EXISTS v", "DROP TABLE IF EXISTS a, b"]);
    }
}
