//! Identifiers: case folding and quoting for the target.
//!
//! PostgreSQL folds unquoted names to lower case, so an unquoted `Users` there *is* `users`;
//! the translation writes the folded name. A name is quoted on the target only when it must
//! be: it is not a plain identifier there, or it is one of the target's reserved words.
//! Function names are left alone: quoting a built-in function's name breaks it on MySQL.

use std::collections::HashSet;
use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Ident, ObjectName, Statement, VisitMut, VisitorMut};

use crate::dialect::Dialect;

const MYSQL_RESERVED: &str = "ACCESSIBLE ADD ALL ALTER ANALYZE AND AS ASC ASENSITIVE BEFORE BETWEEN BIGINT BINARY BLOB BOTH BY CALL \
CASCADE CASE CHANGE CHAR CHARACTER CHECK COLLATE COLUMN CONDITION CONSTRAINT CONTINUE CONVERT CREATE CROSS CUBE CUME_DIST \
CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER CURSOR DATABASE DATABASES DAY_HOUR DAY_MICROSECOND DAY_MINUTE DAY_SECOND \
DEC DECIMAL DECLARE DEFAULT DELAYED DELETE DENSE_RANK DESC DESCRIBE DETERMINISTIC DISTINCT DISTINCTROW DIV DOUBLE DROP DUAL EACH \
ELSE ELSEIF EMPTY ENCLOSED ESCAPED EXCEPT EXISTS EXIT EXPLAIN FALSE FETCH FIRST_VALUE FLOAT FLOAT4 FLOAT8 FOR FORCE FOREIGN FROM \
FULLTEXT FUNCTION GENERATED GET GRANT GROUP GROUPING GROUPS HAVING HIGH_PRIORITY HOUR_MICROSECOND HOUR_MINUTE HOUR_SECOND IF \
IGNORE IN INDEX INFILE INNER INOUT INSENSITIVE INSERT INT INT1 INT2 INT3 INT4 INT8 INTEGER INTERSECT INTERVAL INTO IS ITERATE \
JOIN JSON_TABLE KEY KEYS KILL LAG LAST_VALUE LATERAL LEAD LEADING LEAVE LEFT LIKE LIMIT LINEAR LINES LOAD LOCALTIME \
LOCALTIMESTAMP LOCK LONG LONGBLOB LONGTEXT LOOP LOW_PRIORITY MATCH MAXVALUE MEDIUMBLOB MEDIUMINT MEDIUMTEXT MIDDLEINT \
MINUTE_MICROSECOND MINUTE_SECOND MOD MODIFIES NATURAL NOT NO_WRITE_TO_BINLOG NTH_VALUE NTILE NULL NUMERIC OF OFFSET ON OPTIMIZE \
OPTION OPTIONALLY OR ORDER OUT OUTER OUTFILE OVER PARTITION PERCENT_RANK PRECISION PRIMARY PROCEDURE PURGE RANGE RANK READ \
READS READ_WRITE REAL RECURSIVE REFERENCES REGEXP RELEASE RENAME REPEAT REPLACE REQUIRE RESIGNAL RESTRICT RETURN RETURNING \
REVOKE RIGHT RLIKE ROW ROWS ROW_NUMBER SCHEMA SCHEMAS SECOND_MICROSECOND SELECT SENSITIVE SEPARATOR SET SHOW SIGNAL SMALLINT \
SPATIAL SPECIFIC SQL SQLEXCEPTION SQLSTATE SQLWARNING SQL_BIG_RESULT SQL_CALC_FOUND_ROWS SQL_SMALL_RESULT SSL STARTING STORED \
STRAIGHT_JOIN SYSTEM TABLE TERMINATED THEN TINYBLOB TINYINT TINYTEXT TO TRAILING TRIGGER TRUE UNDO UNION UNIQUE UNLOCK \
UNSIGNED UPDATE USAGE USE USING UTC_DATE UTC_TIME UTC_TIMESTAMP VALUES VARBINARY VARCHAR VARCHARACTER VARYING VIRTUAL WHEN \
WHERE WHILE WINDOW WITH WRITE XOR YEAR_MONTH ZEROFILL";

const POSTGRES_RESERVED: &str = "ALL ANALYSE ANALYZE AND ANY ARRAY AS ASC ASYMMETRIC AUTHORIZATION BINARY BOTH CASE CAST CHECK \
COLLATE COLLATION COLUMN CONCURRENTLY CONSTRAINT CREATE CROSS CURRENT_CATALOG CURRENT_DATE CURRENT_ROLE CURRENT_SCHEMA \
CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DEFAULT DEFERRABLE DESC DISTINCT DO ELSE END EXCEPT FALSE FETCH FOR FOREIGN FREEZE \
FROM FULL GRANT GROUP HAVING ILIKE IN INITIALLY INNER INTERSECT INTO IS ISNULL JOIN LATERAL LEADING LEFT LIKE LIMIT LOCALTIME \
LOCALTIMESTAMP NATURAL NOT NOTNULL NULL OFFSET ON ONLY OR ORDER OUTER OVERLAPS PLACING PRIMARY REFERENCES RETURNING RIGHT \
SELECT SESSION_USER SIMILAR SOME SYMMETRIC SYSTEM_USER TABLE TABLESAMPLE THEN TO TRAILING TRUE UNION UNIQUE USER USING \
VARIADIC VERBOSE WHEN WHERE WINDOW WITH";

const SQLITE_KEYWORDS: &str = "ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH AUTOINCREMENT BEFORE BEGIN \
BETWEEN BY CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME \
CURRENT_TIMESTAMP DATABASE DEFAULT DEFERRABLE DEFERRED DELETE DESC DETACH DISTINCT DO DROP EACH ELSE END ESCAPE EXCEPT EXCLUDE \
EXCLUSIVE EXISTS EXPLAIN FAIL FILTER FIRST FOLLOWING FOR FOREIGN FROM FULL GENERATED GLOB GROUP GROUPS HAVING IF IGNORE \
IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD INTERSECT INTO IS ISNULL JOIN KEY LAST LEFT LIKE LIMIT MATCH \
MATERIALIZED NATURAL NO NOT NOTHING NOTNULL NULL NULLS OF OFFSET ON OR ORDER OTHERS OUTER OVER PARTITION PLAN PRAGMA \
PRECEDING PRIMARY QUERY RAISE RANGE RECURSIVE REFERENCES REGEXP REINDEX RELEASE RENAME REPLACE RESTRICT RETURNING RIGHT \
ROLLBACK ROW ROWS SAVEPOINT SELECT SET TABLE TEMP TEMPORARY THEN TIES TO TRANSACTION TRIGGER UNBOUNDED UNION UNIQUE UPDATE \
USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH WITHOUT";

fn reserved(to: Dialect, word: &str) -> bool {
    // Sets built on first use: scanning the word lists for every identifier was the largest
    // part of translating a long run.
    static SETS: std::sync::OnceLock<[HashSet<&'static str>; 3]> = std::sync::OnceLock::new();
    let sets = SETS
        .get_or_init(|| [MYSQL_RESERVED, POSTGRES_RESERVED, SQLITE_KEYWORDS].map(|list| list.split_ascii_whitespace().collect()));
    let set = match to {
        Dialect::Mysql => &sets[0],
        Dialect::Postgres => &sets[1],
        Dialect::Sqlite => &sets[2],
    };
    set.contains(word.to_ascii_uppercase().as_str())
}

/// Whether `name` can be written unquoted on `to` and mean itself.
fn plain(name: &str, to: Dialect) -> bool {
    let mut chars = name.chars();
    let lower_only = to == Dialect::Postgres;
    let ok_first = |c: char| c == '_' || if lower_only { c.is_ascii_lowercase() } else { c.is_ascii_alphabetic() };
    let ok_rest =
        |c: char| c == '_' || c.is_ascii_digit() || if lower_only { c.is_ascii_lowercase() } else { c.is_ascii_alphabetic() };
    chars.next().is_some_and(ok_first) && chars.all(ok_rest) && !reserved(to, name)
}

/// Fold and quote one identifier for the target.
pub fn rewrite_ident(ident: &mut Ident, from: Dialect, to: Dialect) {
    let quoted = ident.quote_style.is_some();
    if !quoted && (from == Dialect::Postgres || to == Dialect::Postgres) {
        ident.value = ident.value.to_lowercase();
    }
    ident.quote_style = if plain(&ident.value, to) { None } else { Some(if to == Dialect::Mysql { '`' } else { '"' }) };
}

/// Fold and quote every part of a name.
pub fn rewrite_object_name(name: &mut ObjectName, from: Dialect, to: Dialect) {
    for part in &mut name.0 {
        if let sqlparser::ast::ObjectNamePart::Identifier(i) = part {
            rewrite_ident(i, from, to);
        }
    }
}

struct Idents {
    from: Dialect,
    to: Dialect,
    /// Function names found on the way down, left as written.
    skip: HashSet<*const Ident>,
}

impl VisitorMut for Idents {
    type Break = super::Refusal;

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<Self::Break> {
        if let Expr::Function(f) = expr {
            for part in &f.name.0 {
                if let Some(i) = part.as_ident() {
                    self.skip.insert(i as *const Ident);
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_ident(&mut self, ident: &mut Ident) -> ControlFlow<Self::Break> {
        if !self.skip.contains(&(ident as *const Ident)) {
            rewrite_ident(ident, self.from, self.to);
        }
        ControlFlow::Continue(())
    }
}

/// Fold and quote every identifier of a statement.
pub fn rewrite(stmt: &mut Statement, from: Dialect, to: Dialect) {
    let mut v = Idents { from, to, skip: HashSet::new() };
    let _ = stmt.visit(&mut v);
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn render(name: &str, quote: Option<char>, from: Dialect, to: Dialect) -> String {
        let mut i = Ident { value: name.into(), quote_style: quote, span: sqlparser::tokenizer::Span::empty() };
        rewrite_ident(&mut i, from, to);
        i.to_string()
    }

    #[test]
    fn folding_and_quoting() {
        use Dialect::*;
        assert_eq!(render("Users", None, Postgres, Mysql), "users");
        assert_eq!(render("Users", Some('"'), Postgres, Mysql), "Users");
        assert_eq!(render("key", None, Postgres, Mysql), "`key`");
        assert_eq!(render("order", Some('"'), Postgres, Sqlite), "\"order\"");
        assert_eq!(render("first name", Some('"'), Postgres, Mysql), "`first name`");
        assert_eq!(render("Users", Some('`'), Mysql, Postgres), "\"Users\"");
        assert_eq!(render("Users", None, Mysql, Postgres), "users");
        assert_eq!(render("user", None, Mysql, Postgres), "\"user\"");
    }
}
