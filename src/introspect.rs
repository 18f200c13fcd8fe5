//! Reading a live schema back as a fingerprint: sorted, normalised lines describing tables,
//! columns, keys, indexes, views and triggers, the same shape for every database.
//!
//! Fingerprints are compared, not parsed: `sqlmig test` checks that a down section returns
//! the schema to what it was, by comparing the fingerprints before up and after down.

use crate::dialect::Dialect;
use crate::driver::{Driver, Value};
use crate::error::{Error, Result};

fn text(v: &Value) -> String {
    v.clone().into_string()
}

fn rows(driver: &mut dyn Driver, sql: &str, params: &[Value]) -> Result<Vec<Vec<String>>> {
    let rows = driver.query(sql, params).map_err(|e| Error::Database(format!("cannot read the schema: {e}")))?;
    Ok(rows.into_iter().map(|r| r.iter().map(text).collect()).collect())
}

/// The schema's fingerprint, leaving out sqlmig's own tables (`ledger` and `ledger_schema`).
pub fn fingerprint(driver: &mut dyn Driver, ledger: &str) -> Result<Vec<String>> {
    let skip = |name: &str| name.eq_ignore_ascii_case(ledger) || name.eq_ignore_ascii_case(&format!("{ledger}_schema"));
    let mut out = match driver.dialect() {
        Dialect::Sqlite => sqlite(driver)?,
        Dialect::Postgres => postgres(driver)?,
        Dialect::Mysql => mysql(driver)?,
    };
    out.retain(|line| {
        let object = line.split_whitespace().nth(1).unwrap_or_default();
        let table = object.split('.').next().unwrap_or_default();
        !skip(table)
    });
    out.sort();
    out.dedup();
    Ok(out)
}

fn sqlite(driver: &mut dyn Driver) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let objects = rows(
        driver,
        "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
        &[],
    )?;
    for o in &objects {
        let (kind, name, table, sql) = (&o[0], &o[1], &o[2], &o[3]);
        match kind.as_str() {
            "table" => {
                out.push(format!("table {name}"));
                let quoted = Dialect::Sqlite.quote_ident(name);
                for c in rows(
                    driver,
                    &format!(
                        "SELECT name, type, \"notnull\", coalesce(dflt_value, ''), pk, hidden FROM pragma_table_xinfo({})",
                        sql_string(name)
                    ),
                    &[],
                )? {
                    let _ = &quoted;
                    out.push(format!(
                        "column {name}.{} type={} notnull={} default={} pk={}{}",
                        c[0],
                        c[1].to_lowercase(),
                        c[2],
                        c[3],
                        c[4],
                        if c[5] != "0" { " generated" } else { "" }
                    ));
                }
                for fk in rows(
                    driver,
                    &format!(
                        "SELECT \"table\", \"from\", coalesce(\"to\", ''), on_update, on_delete FROM pragma_foreign_key_list({})",
                        sql_string(name)
                    ),
                    &[],
                )? {
                    out.push(format!(
                        "foreign_key {name}.{} -> {}.{} on_update={} on_delete={}",
                        fk[1],
                        fk[0],
                        fk[2],
                        fk[3].to_lowercase(),
                        fk[4].to_lowercase()
                    ));
                }
                for ix in rows(
                    driver,
                    &format!("SELECT name, \"unique\", origin, partial FROM pragma_index_list({})", sql_string(name)),
                    &[],
                )? {
                    let cols: Vec<String> = rows(
                        driver,
                        &format!("SELECT coalesce(name, '<expr>') FROM pragma_index_info({}) ORDER BY seqno", sql_string(&ix[0])),
                        &[],
                    )?
                    .into_iter()
                    .map(|r| r[0].clone())
                    .collect();
                    // Automatic indexes are named after their table and a counter; describe them
                    // by what they cover instead.
                    let label = if ix[2] == "c" { ix[0].clone() } else { format!("({})", ix[2]) };
                    out.push(format!("index {name}.{label} columns=({}) unique={} partial={}", cols.join(","), ix[1], ix[3]));
                }
                if sql.to_uppercase().contains("CHECK") {
                    out.push(format!("check {name} present"));
                }
            }
            "view" => out.push(format!("view {name}")),
            "trigger" => out.push(format!("trigger {table}.{name}")),
            _ => {}
        }
    }
    Ok(out)
}

fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn postgres(driver: &mut dyn Driver) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for t in
        rows(driver, "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = current_schema()", &[])?
    {
        out.push(format!("{} {}", if t[1] == "VIEW" { "view" } else { "table" }, t[0]));
    }
    for c in rows(
        driver,
        "SELECT table_name, column_name, CASE WHEN data_type = 'USER-DEFINED' THEN udt_name ELSE data_type END, is_nullable, \
         coalesce(column_default, ''), coalesce(character_maximum_length::text, ''), coalesce(numeric_precision::text, ''), \
         coalesce(numeric_scale::text, ''), is_identity FROM information_schema.columns WHERE table_schema = current_schema()",
        &[],
    )? {
        out.push(format!(
            "column {}.{} type={}({},{},{}) nullable={} default={} identity={}",
            c[0], c[1], c[2], c[5], c[6], c[7], c[3], c[4], c[8]
        ));
    }
    for k in rows(
        driver,
        "SELECT tc.table_name, tc.constraint_type, tc.constraint_name, string_agg(kcu.column_name, ',' ORDER BY kcu.ordinal_position) \
         FROM information_schema.table_constraints tc LEFT JOIN information_schema.key_column_usage kcu \
         ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema AND kcu.table_name = tc.table_name \
         WHERE tc.table_schema = current_schema() AND tc.constraint_type <> 'CHECK' GROUP BY 1, 2, 3",
        &[],
    )? {
        out.push(format!("constraint {}.{} {} ({})", k[0], k[2], k[1].to_lowercase(), k[3]));
    }
    for k in rows(
        driver,
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint \
         WHERE connamespace = current_schema()::regnamespace AND contype = 'c'",
        &[],
    )? {
        out.push(format!("check {}.{} {}", k[0], k[1], k[2]));
    }
    for i in rows(driver, "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()", &[])? {
        out.push(format!("index {}.{} {}", i[0], i[1], i[2]));
    }
    for t in rows(
        driver,
        "SELECT event_object_table, trigger_name FROM information_schema.triggers WHERE trigger_schema = current_schema()",
        &[],
    )? {
        out.push(format!("trigger {}.{}", t[0], t[1]));
    }
    Ok(out)
}

fn mysql(driver: &mut dyn Driver) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for t in rows(driver, "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = DATABASE()", &[])? {
        out.push(format!("{} {}", if t[1] == "VIEW" { "view" } else { "table" }, t[0]));
    }
    for c in rows(
        driver,
        "SELECT table_name, column_name, column_type, is_nullable, coalesce(column_default, ''), extra \
         FROM information_schema.columns WHERE table_schema = DATABASE()",
        &[],
    )? {
        out.push(format!("column {}.{} type={} nullable={} default={} extra={}", c[0], c[1], c[2], c[3], c[4], c[5]));
    }
    for i in rows(
        driver,
        "SELECT table_name, index_name, non_unique, group_concat(column_name ORDER BY seq_in_index) \
         FROM information_schema.statistics WHERE table_schema = DATABASE() GROUP BY table_name, index_name, non_unique",
        &[],
    )? {
        out.push(format!("index {}.{} unique={} columns=({})", i[0], i[1], if i[2] == "0" { 1 } else { 0 }, i[3]));
    }
    for k in rows(
        driver,
        "SELECT k.table_name, k.constraint_name, group_concat(k.column_name ORDER BY k.ordinal_position), k.referenced_table_name, \
         group_concat(k.referenced_column_name ORDER BY k.ordinal_position), r.update_rule, r.delete_rule \
         FROM information_schema.key_column_usage k JOIN information_schema.referential_constraints r \
         ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name \
         WHERE k.table_schema = DATABASE() AND k.referenced_table_name IS NOT NULL GROUP BY 1, 2, 4, 6, 7",
        &[],
    )? {
        out.push(format!("foreign_key {}.{} ({}) -> {}({}) on_update={} on_delete={}", k[0], k[1], k[2], k[3], k[4], k[5], k[6]));
    }
    for c in rows(
        driver,
        "SELECT table_name, constraint_name, check_clause FROM information_schema.check_constraints WHERE constraint_schema = DATABASE()",
        &[],
    )
    .unwrap_or_default()
    {
        out.push(format!("check {}.{} {}", c[0], c[1], c[2]));
    }
    for t in rows(
        driver,
        "SELECT event_object_table, trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE()",
        &[],
    )? {
        out.push(format!("trigger {}.{}", t[0], t[1]));
    }
    Ok(out)
}

/// A readable diff of two fingerprints: `- ` lines only in `before`, `+ ` lines only in `after`.
pub fn diff(before: &[String], after: &[String]) -> Vec<String> {
    let mut out: Vec<String> = before.iter().filter(|l| !after.contains(l)).map(|l| format!("- {l}")).collect();
    out.extend(after.iter().filter(|l| !before.contains(l)).map(|l| format!("+ {l}")));
    out
}

/// The live schema as `CREATE` statements in the database's own dialect, for `schema dump`
/// of a database: stored definitions where the database keeps them (SQLite's
/// `sqlite_master`, MySQL's `SHOW CREATE TABLE`), assembled from the catalog on PostgreSQL.
/// sqlmig's own tables are left out; so are triggers and functions on the servers.
pub fn ddl(driver: &mut dyn Driver, ledger: &str) -> Result<Vec<String>> {
    let own = |name: &str| name.eq_ignore_ascii_case(ledger) || name.eq_ignore_ascii_case(&format!("{ledger}_schema"));
    match driver.dialect() {
        Dialect::Sqlite => Ok(rows(
            driver,
            "SELECT tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
            &[],
        )?
        .into_iter()
        .filter(|r| !own(&r[0]))
        .map(|r| r[1].clone())
        .collect()),
        Dialect::Mysql => {
            let mut out = Vec::new();
            let tables = rows(
                driver,
                "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' \
                 ORDER BY table_name",
                &[],
            )?;
            for t in tables.iter().filter(|t| !own(&t[0])) {
                let created = rows(driver, &format!("SHOW CREATE TABLE {}", Dialect::Mysql.quote_ident(&t[0])), &[])?;
                out.extend(created.into_iter().filter_map(|r| r.get(1).cloned()));
            }
            let db =
                rows(driver, "SELECT DATABASE()", &[])?.into_iter().next().and_then(|r| r.into_iter().next()).unwrap_or_default();
            for v in rows(
                driver,
                "SELECT table_name, view_definition FROM information_schema.views WHERE table_schema = DATABASE() ORDER BY table_name",
                &[],
            )? {
                // MySQL qualifies every name with the database: drop it, the dump is portable.
                let body = v[1].replace(&format!("{}.", Dialect::Mysql.quote_ident(&db)), "");
                out.push(format!("CREATE VIEW {} AS {body}", Dialect::Mysql.quote_ident(&v[0])));
            }
            Ok(out)
        }
        Dialect::Postgres => postgres_ddl(driver, &own),
    }
}

/// A PostgreSQL default as written: a string literal without the cast PostgreSQL adds
/// (`'todo'::character varying` is `'todo'`).
fn plain_default(text: &str) -> &str {
    if let Some(rest) = text.strip_prefix('\'') {
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().is_some_and(|(_, n)| *n == '\'') {
                    chars.next();
                    continue;
                }
                let end = i + 2;
                return if text[end..].starts_with("::") { &text[..end] } else { text };
            }
        }
    }
    text
}

fn postgres_ddl(driver: &mut dyn Driver, own: &dyn Fn(&str) -> bool) -> Result<Vec<String>> {
    let q = |s: &str| crate::schema::ident(s, Dialect::Postgres);
    let mut out = Vec::new();
    let tables = rows(
        driver,
        "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') \
         ORDER BY c.relname",
        &[],
    )?;
    for t in tables.iter().map(|r| r[0].clone()).filter(|t| !own(t)) {
        let table = sql_string(&format!("{}.{}", q_schema(driver)?, Dialect::Postgres.quote_ident(&t)));
        let mut lines = Vec::new();
        for c in rows(
            driver,
            &format!(
                "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull::text, \
                 coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity::text \
                 FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                 WHERE a.attrelid = {table}::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"
            ),
            &[],
        )? {
            let (mut ty, mut default) = (c[1].clone(), plain_default(&c[3]).to_string());
            // A serial column is an integer whose default draws from its own sequence.
            if default.starts_with("nextval(") {
                if let Some(serial) = match ty.as_str() {
                    "integer" => Some("serial"),
                    "bigint" => Some("bigserial"),
                    "smallint" => Some("smallserial"),
                    _ => None,
                } {
                    ty = serial.to_string();
                    default.clear();
                }
            }
            let mut line = format!("{} {ty}", q(&c[0]));
            if !default.is_empty() {
                line.push_str(&format!(" DEFAULT {default}"));
            }
            if c[2] == "true" {
                line.push_str(" NOT NULL");
            }
            match c[4].as_str() {
                "a" => line.push_str(" GENERATED ALWAYS AS IDENTITY"),
                "d" => line.push_str(" GENERATED BY DEFAULT AS IDENTITY"),
                _ => {}
            }
            lines.push(line);
        }
        // Keys first, then the rest, each by name: a stable order.
        for k in rows(
            driver,
            &format!(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = {table}::regclass \
                 AND contype IN ('p', 'u', 'f', 'c') ORDER BY contype = 'p' DESC, conname"
            ),
            &[],
        )? {
            lines.push(format!("CONSTRAINT {} {}", q(&k[0]), k[1]));
        }
        out.push(format!("CREATE TABLE {} (\n    {}\n)", q(&t), lines.join(",\n    ")));
    }
    let schema = q_schema(driver)?;
    for i in rows(
        driver,
        "SELECT i.tablename, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() AND NOT EXISTS \
         (SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass) \
         ORDER BY i.indexname",
        &[],
    )? {
        if !own(&i[0]) {
            out.push(i[1].replace(&format!(" ON {schema}."), " ON ").replace(" USING btree ", " "));
        }
    }
    for v in rows(driver, "SELECT viewname, definition FROM pg_views WHERE schemaname = current_schema() ORDER BY viewname", &[])?
    {
        out.push(format!("CREATE VIEW {} AS {}", q(&v[0]), v[1].trim().trim_end_matches(';')));
    }
    Ok(out)
}

/// The current PostgreSQL schema, quoted as `pg_indexes` writes it.
fn q_schema(driver: &mut dyn Driver) -> Result<String> {
    Ok(rows(driver, "SELECT quote_ident(current_schema())", &[])?
        .into_iter()
        .next()
        .and_then(|r| r.into_iter().next())
        .unwrap_or_default())
}
