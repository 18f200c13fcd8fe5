//! The schema model: what tables, columns and indexes exist, folded one statement at a time
//! through the migrations in order.
//!
//! Translation needs facts a statement does not carry: MySQL's `MODIFY COLUMN` restates the
//! whole column, and its `DROP INDEX` names the table. There is one model for every such need.
//! It holds source-dialect AST pieces; nothing here renders SQL.

use std::collections::HashMap;

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnDef, ColumnOption, ObjectName, ObjectType, RenameTableNameKind, Statement,
};

/// A column as last defined.
#[derive(Debug, Clone)]
pub struct Column {
    /// Its definition (source dialect), kept up to date by ALTERs.
    pub def: ColumnDef,
}

/// A table.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The name as written.
    pub name: String,
    /// Columns in order.
    pub columns: Vec<Column>,
}

impl Table {
    /// The column named `name` (case-insensitively).
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.def.name.value.eq_ignore_ascii_case(name))
    }

    fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.def.name.value.eq_ignore_ascii_case(name))
    }
}

/// The schema built by the migrations so far.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    tables: HashMap<String, Table>,
    /// Index name → table name (both lowercase).
    indexes: HashMap<String, String>,
}

/// The last part of a possibly schema-qualified name, lowercased for lookups.
pub fn key(name: &ObjectName) -> String {
    name.0.last().and_then(|p| p.as_ident()).map(|i| i.value.to_lowercase()).unwrap_or_default()
}

impl Catalog {
    /// The table named `name`.
    pub fn table(&self, name: &ObjectName) -> Option<&Table> {
        self.tables.get(&key(name))
    }

    /// The table an index belongs to.
    pub fn index_table(&self, index: &ObjectName) -> Option<&str> {
        self.indexes.get(&key(index)).map(String::as_str)
    }

    /// Fold one statement into the model. Statements that do not change the schema, and
    /// forms it does not model, are ignored.
    pub fn apply(&mut self, stmt: &Statement) {
        match stmt {
            Statement::CreateTable(ct) => {
                let table =
                    Table { name: key(&ct.name), columns: ct.columns.iter().map(|c| Column { def: c.clone() }).collect() };
                self.tables.insert(key(&ct.name), table);
            }
            Statement::CreateIndex(ci) => {
                if let Some(name) = &ci.name {
                    self.indexes.insert(key(name), key(&ci.table_name));
                }
            }
            Statement::Drop { object_type, names, .. } => {
                for n in names {
                    match object_type {
                        ObjectType::Table => {
                            let t = key(n);
                            self.tables.remove(&t);
                            self.indexes.retain(|_, table| *table != t);
                        }
                        ObjectType::Index => {
                            self.indexes.remove(&key(n));
                        }
                        _ => {}
                    }
                }
            }
            Statement::AlterTable(at) => self.alter(&key(&at.name), &at.operations),
            _ => {}
        }
    }

    fn alter(&mut self, table: &str, operations: &[AlterTableOperation]) {
        for op in operations {
            let Some(t) = self.tables.get_mut(table) else { return };
            match op {
                AlterTableOperation::AddColumn { column_def, .. } => t.columns.push(Column { def: column_def.clone() }),
                AlterTableOperation::DropColumn { column_names, .. } => {
                    t.columns.retain(|c| !column_names.iter().any(|n| n.value.eq_ignore_ascii_case(&c.def.name.value)));
                }
                AlterTableOperation::RenameColumn { old_column_name, new_column_name } => {
                    if let Some(c) = t.column_mut(&old_column_name.value) {
                        c.def.name = new_column_name.clone();
                    }
                }
                AlterTableOperation::RenameTable { table_name } => {
                    let new = match table_name {
                        RenameTableNameKind::As(n) | RenameTableNameKind::To(n) => key(n),
                    };
                    if let Some(mut t) = self.tables.remove(table) {
                        t.name = new.clone();
                        self.tables.insert(new.clone(), t);
                        for v in self.indexes.values_mut() {
                            if v == table {
                                *v = new.clone();
                            }
                        }
                    }
                    return;
                }
                AlterTableOperation::AlterColumn { column_name, op } => {
                    if let Some(c) = t.column_mut(&column_name.value) {
                        alter_column(&mut c.def, op);
                    }
                }
                _ => {}
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
