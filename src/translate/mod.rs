//! Translation: a statement parsed in its source dialect → the statements that mean the same
//! on the target database, or a refusal saying why that is not possible.
//!
//! Translation is an AST rewrite rendered by sqlparser, and runs only when the source and
//! target dialects differ: on its own dialect a statement runs exactly as written. The rule
//! for refusing is meaning, not syntax: what changes no query result may be adapted with a
//! notice (a partial non-unique index becomes a full index on MySQL); what would change which
//! rows are accepted, stored or returned is refused.

mod exprs;
mod idents;
pub mod types;

use std::ops::ControlFlow;

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, ColumnOptionDef, CommentObject, CreateTable, Expr,
    GeneratedAs, Ident, ObjectName, ObjectType, Spanned, Statement, TableConstraint, VisitMut,
};
use sqlparser::tokenizer::Token;

use crate::catalog::{self, Catalog};
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

/// Translate `stmt` (parsed in `cx.from`) for `cx.to`.
pub fn translate(stmt: &Statement, cx: &Context<'_>) -> Result<Translated, Refusal> {
    let mut out = Translated::default();
    let mut stmt = stmt.clone();
    let section_help = format!("write the {} version in a `-- +up {}` section (and `-- +down {}`)", cx.to, cx.to, cx.to);
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
        Statement::CreateTable(ct) => create_table(ct, cx, &mut out)?,
        Statement::CreateIndex(ci) => {
            if ci.using.is_some() && cx.to != Dialect::Postgres {
                return Err(refuse(
                    format!(
                        "index method `USING {}` has no {} equivalent",
                        ci.using.as_ref().map(|u| u.to_string()).unwrap_or_default(),
                        cx.to
                    ),
                    Some(ci.table_name.span()),
                )
                .help(section_help));
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
                    .help(section_help));
                }
                ci.predicate = None;
                out.notices.push("partial index becomes a full index on MySQL (same results, a larger index)".into());
            }
            if !ci.include.is_empty() && cx.to != Dialect::Postgres {
                ci.include.clear();
                out.notices.push(format!("`INCLUDE` columns dropped: {} has no covering-index clause", cx.to));
            }
            if cx.to == Dialect::Mysql {
                key_lengths(ci, cx, &mut out)?;
            }
        }
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
        Statement::Drop { cascade, object_type, .. } if *cascade && cx.to == Dialect::Sqlite => {
            *cascade = false;
            out.notices.push(format!("`CASCADE` dropped: SQLite has no `DROP {object_type} ... CASCADE`"));
        }
        Statement::AlterTable(at) => alter_table(at, cx, &mut out)?,
        Statement::CreateType { .. }
        | Statement::CreateFunction(_)
        | Statement::CreateTrigger(_)
        | Statement::CreateProcedure { .. }
            if cx.to != cx.from =>
        {
            let what = stmt.to_string().split_whitespace().take(2).collect::<Vec<_>>().join(" ");
            return Err(refuse(format!("`{what}` cannot be translated from {} to {}", cx.from, cx.to), None).help(section_help));
        }
        Statement::Insert(ins) if cx.to == Dialect::Mysql && ins.returning.is_some() => {
            return Err(refuse("`RETURNING` has no MySQL equivalent", None).help(section_help));
        }
        Statement::Insert(ins) if cx.to == Dialect::Mysql && ins.on.is_some() => {
            return Err(refuse(
                "`ON CONFLICT` has no faithful MySQL equivalent (`INSERT IGNORE` also ignores other errors)",
                None,
            )
            .help(section_help));
        }
        _ => {}
    }
    out.notices.extend(exprs::rewrite(&mut stmt, cx)?);
    idents::rewrite(&mut stmt, cx.from, cx.to);
    out.sql.push(stmt.to_string());
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
        ColumnOption::DialectSpecific(tokens) => {
            tokens.iter().any(|t| matches!(t, Token::Word(w) if w.value.eq_ignore_ascii_case("AUTO_INCREMENT") || w.value.eq_ignore_ascii_case("AUTOINCREMENT")))
        }
        ColumnOption::Generated { generation_expr: None, .. } => true,
        ColumnOption::Identity(_) => true,
        _ => false,
    }
}

fn is_primary_key(option: &ColumnOption) -> bool {
    matches!(option, ColumnOption::PrimaryKey(_))
}

/// Translate one column definition. `pk_elsewhere` says a table constraint makes this column
/// the whole primary key.
fn column_def(col: &mut ColumnDef, cx: &Context<'_>, pk_elsewhere: bool, out: &mut Translated) -> Result<(), Refusal> {
    let mapped = types::map(&col.data_type, cx.from, cx.to).map_err(|m| {
        refuse(format!("column `{}`: {m}", col.name.value), Some(col.name.span))
            .help(format!("use a portable type, or write the {} version in a `-- +up {}` section", cx.to, cx.to))
    })?;
    if let Some(n) = &mapped.notice {
        out.notices.push(format!("column `{}`: {n}", col.name.value));
    }
    let auto = mapped.serial || col.options.iter().any(|o| is_auto_increment(&o.option));
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
        if mapped.serial && !col.options.iter().any(|o| matches!(o.option, ColumnOption::NotNull)) && cx.to != Dialect::Sqlite {
            col.options.insert(0, ColumnOptionDef { name: None, option: ColumnOption::NotNull });
        }
        // SQLite requires `INTEGER PRIMARY KEY AUTOINCREMENT`, in that order.
        let position = col.options.iter().position(|o| is_primary_key(&o.option)).map_or(col.options.len(), |p| p + 1);
        col.options.insert(position, ColumnOptionDef { name: None, option: auto_increment(cx.to) });
    }
    if cx.to == Dialect::Mysql {
        for o in &col.options {
            if matches!(o.option, ColumnOption::Unique(_) | ColumnOption::PrimaryKey(_))
                && types::mysql_needs_key_length(&col.data_type)
            {
                return Err(refuse(
                    format!("column `{}`: MySQL cannot make a `{}` column unique or a key without a prefix length, which would change what is unique", col.name.value, col.data_type),
                    Some(col.name.span),
                )
                .help("declare it `VARCHAR(n)`"));
            }
        }
        // `DEFAULT CURRENT_TIMESTAMP` must carry the column's fractional precision on MySQL.
        if let sqlparser::ast::DataType::Datetime(Some(p)) = col.data_type {
            for o in &mut col.options {
                if let ColumnOption::Default(e) = &mut o.option {
                    exprs::current_timestamp_precision(e, p);
                }
            }
        }
    }
    Ok(())
}

fn create_table(ct: &mut CreateTable, cx: &Context<'_>, out: &mut Translated) -> Result<(), Refusal> {
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
            col.options.insert(
                0,
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
                },
            );
            moved_inline = Some(col.name.value.to_lowercase());
        }
        column_def(col, cx, pk_elsewhere, out)?;
    }
    if moved_inline.is_some() {
        ct.constraints.retain(|c| !matches!(c, TableConstraint::PrimaryKey(pk) if pk.columns.len() == 1));
    }
    if cx.to == Dialect::Mysql {
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
    if ct.strict && cx.to != Dialect::Sqlite {
        return Err(
            refuse("`STRICT` tables are SQLite's own", Some(ct.name.span())).help("drop `STRICT` or use a per-dialect section")
        );
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
                        mapped, name.value
                    ),
                    Some(name.span),
                )
                .help("declare the column `VARCHAR(n)`"));
            }
            // A prefix index finds the same rows; MySQL rechecks the full value.
            let name = name.clone();
            ic.column.expr = exprs::key_prefix(name, 255);
            out.notices.push("TEXT column indexed by its first 255 characters on MySQL (same results)".into());
        }
    }
    Ok(())
}

fn alter_table(at: &mut sqlparser::ast::AlterTable, cx: &Context<'_>, out: &mut Translated) -> Result<(), Refusal> {
    let table = cx.catalog.table(&at.name).cloned();
    let mut ops = Vec::with_capacity(at.operations.len());
    for op in std::mem::take(&mut at.operations) {
        match op {
            AlterTableOperation::AddColumn { column_keyword, if_not_exists, mut column_def, column_position } => {
                self::column_def(&mut column_def, cx, false, out)?;
                ops.push(AlterTableOperation::AddColumn { column_keyword, if_not_exists, column_def, column_position });
            }
            AlterTableOperation::AlterColumn { column_name, op } if cx.to == Dialect::Sqlite => {
                return Err(refuse(format!("SQLite cannot `ALTER COLUMN {} {}` in place", column_name.value, op), Some(column_name.span))
                    .help("write the table rebuild in a `-- +up sqlite` section: create the new table, copy the rows, drop the old one and rename"));
            }
            AlterTableOperation::AddConstraint { constraint, .. } if cx.to == Dialect::Sqlite => {
                return Err(refuse(format!("SQLite cannot add constraint `{constraint}` to an existing table"), None)
                    .help("write the table rebuild in a `-- +up sqlite` section"));
            }
            AlterTableOperation::DropConstraint { name, .. } if cx.to == Dialect::Sqlite => {
                return Err(refuse(
                    format!("SQLite cannot drop constraint `{}` from an existing table", name.value),
                    Some(name.span),
                )
                .help("write the table rebuild in a `-- +up sqlite` section"));
            }
            AlterTableOperation::AlterColumn { column_name, op }
                if cx.to == Dialect::Mysql
                    && matches!(
                        op,
                        AlterColumnOperation::SetDataType { .. }
                            | AlterColumnOperation::SetNotNull
                            | AlterColumnOperation::DropNotNull
                    ) =>
            {
                // MySQL restates the whole column: take it from the schema model.
                let Some(col) = table.as_ref().and_then(|t| t.column(&column_name.value)) else {
                    return Err(refuse(
                        format!(
                            "MySQL's `MODIFY COLUMN` restates the whole column, and no earlier migration defines `{}`",
                            column_name.value
                        ),
                        Some(column_name.span),
                    )
                    .help("write `ALTER TABLE ... MODIFY COLUMN` with the full definition in a `-- +up mysql` section"));
                };
                let mut def = col.def.clone();
                catalog::alter_column(&mut def, &op);
                self::column_def(&mut def, cx, false, out)?;
                // An inline PRIMARY KEY or UNIQUE would be declared a second time.
                def.options.retain(|o| !matches!(o.option, ColumnOption::PrimaryKey(_) | ColumnOption::Unique(_)));
                let options = def.options.into_iter().map(|o| o.option).collect();
                ops.push(AlterTableOperation::ModifyColumn {
                    col_name: def.name,
                    data_type: def.data_type,
                    options,
                    column_position: None,
                });
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
                ops.push(AlterTableOperation::AlterColumn {
                    column_name,
                    op: AlterColumnOperation::SetDataType { data_type: mapped.data_type, using, had_set },
                });
            }
            other => ops.push(other),
        }
    }
    at.operations = ops;
    Ok(())
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
            let column = parts[parts.len() - 1].as_ident().map(|i| i.value.clone()).unwrap_or_default();
            let Some(col) = cx.catalog.table(&table_name).and_then(|t| t.column(&column)) else {
                return Err(refuse(
                    format!("a MySQL column comment restates the whole column, and no earlier migration defines `{name}`"),
                    Some(name.span()),
                )
                .help("write `ALTER TABLE ... MODIFY COLUMN ... COMMENT '...'` in a `-- +up mysql` section"));
            };
            let mut def = col.def.clone();
            column_def(&mut def, cx, false, out)?;
            def.options.retain(|o| {
                !matches!(o.option, ColumnOption::PrimaryKey(_) | ColumnOption::Unique(_) | ColumnOption::Comment(_))
            });
            let mut stmt = Statement::AlterTable(sqlparser::ast::AlterTable {
                name: table_name,
                if_exists: false,
                only: false,
                operations: vec![AlterTableOperation::ModifyColumn {
                    col_name: def.name,
                    data_type: def.data_type,
                    options: def.options.into_iter().map(|o| o.option).collect(),
                    column_position: None,
                }],
                location: None,
                on_cluster: None,
                table_type: None,
                end_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
            });
            out.notices.extend(exprs::rewrite(&mut stmt, cx)?);
            idents::rewrite(&mut stmt, cx.from, cx.to);
            out.sql.push(format!("{stmt} COMMENT '{text}'"));
            Ok(())
        }
        other => {
            out.notices.push(format!("`COMMENT ON {other}` skipped: MySQL keeps comments only on tables and columns"));
            Ok(())
        }
    }
}

/// Run a `VisitorMut` over a statement.
pub(crate) fn visit<V: sqlparser::ast::VisitorMut<Break = Refusal>>(stmt: &mut Statement, v: &mut V) -> Result<(), Refusal> {
    match stmt.visit(v) {
        ControlFlow::Break(r) => Err(r),
        ControlFlow::Continue(()) => Ok(()),
    }
}
