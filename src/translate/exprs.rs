//! Expressions: functions, casts, operators and literals that are spelled differently, or
//! mean something else, on the target.
//!
//! Functions are translated from a list of those known to mean the same (or mapped to what
//! does); any other function is refused, since a function of the same name may compute
//! something else on another database (MySQL's `LENGTH` counts bytes, PostgreSQL's
//! characters).

use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, CastKind, DataType, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments,
    Ident, ObjectName, Spanned, Statement, Value, VisitorMut,
};

use super::{refuse, types, Context, Refusal};
use crate::dialect::Dialect;

/// A function call expression.
pub(crate) fn call(name: &str, args: Vec<Expr>) -> Expr {
    let args = if args.is_empty() && name.eq_ignore_ascii_case("CURRENT_TIMESTAMP") {
        FunctionArguments::None
    } else {
        FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args.into_iter().map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e))).collect(),
            clauses: Vec::new(),
        })
    };
    Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new(name)]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args,
        filter: None,
        null_treatment: None,
        over: None,
        within_group: Vec::new(),
    })
}

/// A MySQL index key part `column(n)`: an index on the first `n` characters.
pub fn key_prefix(mut column: Ident, n: u64) -> Expr {
    column.quote_style = Some('`');
    let Expr::Function(mut f) = call("x", vec![Expr::value(Value::Number(n.to_string(), false))]) else { unreachable!() };
    f.name = ObjectName::from(vec![column]);
    Expr::Function(f)
}

/// The spellings of "the current timestamp" (PostgreSQL's and MySQL's).
const NOW: [&str; 6] =
    ["now", "current_timestamp", "transaction_timestamp", "statement_timestamp", "localtimestamp", "localtime"];

/// Whether a call means "the current timestamp".
pub(crate) fn is_now(f: &Function) -> bool {
    NOW[..5].contains(&function_name(f).as_str())
}

/// Give a "current timestamp" default the fractional precision `p` (MySQL wants it to match
/// the column).
pub fn current_timestamp_precision(e: &mut Expr, p: u64) {
    if let Expr::Function(f) = e {
        if is_now(f) && no_args(f) {
            *e = call("CURRENT_TIMESTAMP", vec![Expr::value(Value::Number(p.to_string(), false))]);
        }
    }
}

/// SQLite has no UUID function: build a random version-4 UUID in its canonical text form.
const SQLITE_UUID_V4: &str = "(lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || \
substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || \
substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))))";

fn parse_expr(sql: &str, dialect: Dialect) -> Expr {
    sqlparser::parser::Parser::new(&*dialect.parser_dialect())
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .unwrap_or_else(|_| Expr::value(Value::Null))
}

fn function_name(f: &Function) -> String {
    f.name.to_string().to_ascii_lowercase()
}

fn no_args(f: &Function) -> bool {
    match &f.args {
        FunctionArguments::None => true,
        FunctionArguments::List(l) => l.args.is_empty(),
        FunctionArguments::Subquery(_) => false,
    }
}

/// The plain argument expressions of a call.
fn args(f: &Function) -> Vec<Expr> {
    match &f.args {
        FunctionArguments::List(l) => l
            .args
            .iter()
            .filter_map(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Functions that mean the same on every database, with the same arguments.
const PORTABLE: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "coalesce",
    "nullif",
    "abs",
    "lower",
    "upper",
    "replace",
    "round",
    "current_date",
    "row_number",
    "rank",
    "dense_rank",
];

/// The type a MySQL `CAST` can produce for a column type.
fn mysql_cast_type(dt: &DataType) -> DataType {
    use DataType as T;
    match dt {
        T::SmallInt(_) | T::Int(_) | T::Integer(_) | T::BigInt(_) | T::TinyInt(_) | T::Boolean | T::Bool => T::Signed,
        T::Text | T::LongText | T::Varchar(_) | T::Char(_) => T::Char(None),
        T::Datetime(p) => T::Datetime(*p),
        dt if types::is_bytes(dt) => T::Binary(None),
        other => other.clone(),
    }
}

fn is_integer_type(dt: &DataType) -> bool {
    use DataType as T;
    matches!(dt, T::SmallInt(_) | T::Int(_) | T::Integer(_) | T::BigInt(_) | T::Int2(_) | T::Int4(_) | T::Int8(_))
}

/// The bytes a PostgreSQL `bytea` text literal stands for: the hex format `\x0a1b`, or text
/// without backslashes (the escape format's escapes are refused).
fn bytea_text(s: &str) -> Option<Vec<u8>> {
    if let Some(hex) = s.strip_prefix("\\x") {
        let digits: Vec<char> = hex.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() % 2 != 0 {
            return None;
        }
        return digits.chunks(2).map(|p| u8::from_str_radix(&p.iter().collect::<String>(), 16).ok()).collect();
    }
    (!s.contains('\\')).then(|| s.as_bytes().to_vec())
}

/// The bytes of the digits of an `X'..'` literal; `None` unless they are an even number of
/// ASCII hex digits (the parser keeps whatever stood between the quotes, UTF-8 included).
fn hex_bytes(digits: &str) -> Option<Vec<u8>> {
    let d = digits.as_bytes();
    if d.len() % 2 != 0 || !d.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    d.chunks(2).map(|p| std::str::from_utf8(p).ok().and_then(|p| u8::from_str_radix(p, 16).ok())).collect()
}

/// A byte string literal for `to`: `X'..'` on SQLite and MySQL, `'\x..'::bytea` on PostgreSQL.
fn bytes_expr(bytes: &[u8], to: Dialect) -> Expr {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    match to {
        Dialect::Postgres => Expr::Cast {
            kind: CastKind::DoubleColon,
            expr: Box::new(Expr::value(Value::SingleQuotedString(format!("\\x{hex}")))),
            data_type: DataType::Bytea,
            format: None,
        },
        _ => Expr::value(Value::HexStringLiteral(hex)),
    }
}

/// A text literal written into a byte column: the bytes it stands for in the source dialect,
/// written as a byte literal of the target.
pub(crate) fn bytes_literal(e: &mut Expr, cx: &Context<'_>) -> Result<(), Refusal> {
    let Expr::Value(v) = e else { return Ok(()) };
    let text = match &v.value {
        Value::SingleQuotedString(s) | Value::EscapedStringLiteral(s) | Value::DoubleQuotedString(s) => s.clone(),
        _ => return Ok(()),
    };
    let bytes = if cx.from == Dialect::Postgres {
        bytea_text(&text).ok_or_else(|| {
            refuse("a `bytea` literal in the escape format (backslashes) is not translated", Some(v.span))
                .help("write the bytes in the hex format, `'\\x0a1b'`")
        })?
    } else {
        text.into_bytes()
    };
    *e = bytes_expr(&bytes, cx.to);
    Ok(())
}

/// MySQL's and SQLite's boolean literals `1` and `0` as `TRUE` and `FALSE`.
pub(crate) fn boolean_literal(e: &mut Expr) {
    if let Expr::Value(v) = e {
        if let Value::Number(n, _) = &v.value {
            match n.as_str() {
                "0" => v.value = Value::Boolean(false),
                "1" => v.value = Value::Boolean(true),
                _ => {}
            }
        }
    }
}

struct Exprs<'a, 'c> {
    cx: &'a Context<'c>,
    notices: Vec<String>,
}

impl Exprs<'_, '_> {
    /// A function call on the target, or why not.
    fn function(&mut self, f: &Function, here: Option<sqlparser::tokenizer::Span>) -> Result<Option<Expr>, Refusal> {
        let (from, to) = (self.cx.from, self.cx.to);
        let name = function_name(f);
        let unknown = || {
            refuse(format!("function `{name}()` is not known to mean the same on {to}"), here)
                .help(format!("write the {to} version in a `-- +up {to}` section"))
        };
        // A MySQL key prefix `column`(n), made by the index translation: not a call.
        let key_prefix = f.name.0.len() == 1 && f.name.0[0].as_ident().is_some_and(|i| i.quote_style == Some('`'));
        if key_prefix && to == Dialect::Mysql && from != Dialect::Mysql {
            return Ok(None);
        }
        if f.name.0.len() != 1 || f.over.is_some() && !PORTABLE.contains(&name.as_str()) {
            return Err(unknown());
        }
        let a = args(f);
        if to == Dialect::Sqlite && (name == "upper" || name == "lower") {
            self.notices.push(format!("SQLite's {name}() changes the case of ASCII letters only"));
        }
        Ok(Some(match name.as_str() {
            _ if PORTABLE.contains(&name.as_str()) => return Ok(None),
            n if NOW.contains(&n) => {
                // PostgreSQL's now() has microseconds: so has MySQL's CURRENT_TIMESTAMP(6).
                // MySQL's NOW(6) is CURRENT_TIMESTAMP(6); SQLite's has whole seconds only.
                match to {
                    Dialect::Sqlite => call("CURRENT_TIMESTAMP", Vec::new()),
                    _ if !a.is_empty() => call("CURRENT_TIMESTAMP", a),
                    Dialect::Mysql => call("CURRENT_TIMESTAMP", vec![Expr::value(Value::Number("6".into(), false))]),
                    Dialect::Postgres => call("CURRENT_TIMESTAMP", Vec::new()),
                }
            }
            "json_valid" if to == Dialect::Sqlite && a.len() == 1 => return Ok(None),
            "current_time" => return Ok(None),
            "curdate" if from == Dialect::Mysql && a.is_empty() => call("CURRENT_DATE", Vec::new()),
            "gen_random_uuid" | "uuid_generate_v4" | "uuid" if a.is_empty() => match to {
                Dialect::Mysql => Expr::Nested(Box::new(call("UUID", Vec::new()))),
                Dialect::Sqlite => parse_expr(SQLITE_UUID_V4, Dialect::Sqlite),
                Dialect::Postgres => call("gen_random_uuid", Vec::new()),
            },
            "ifnull" if a.len() == 2 => call("COALESCE", a),
            "datetime"
                if from == Dialect::Sqlite
                    && a.len() == 1
                    && matches!(&a[0], Expr::Value(v) if v.value == Value::SingleQuotedString("now".into())) =>
            {
                call("CURRENT_TIMESTAMP", Vec::new())
            }
            // Characters, not bytes: MySQL's LENGTH counts bytes.
            "length" if from == Dialect::Mysql => {
                return Err(refuse("MySQL's `LENGTH()` counts bytes", here)
                    .help("write `CHAR_LENGTH()` or `OCTET_LENGTH()`, which every database has"));
            }
            "length" | "char_length" | "character_length" if a.len() == 1 => match to {
                Dialect::Mysql => call("CHAR_LENGTH", a),
                _ => call("length", a),
            },
            "octet_length" if a.len() == 1 => match to {
                Dialect::Sqlite => call(
                    "length",
                    vec![Expr::Cast {
                        kind: CastKind::Cast,
                        expr: Box::new(a[0].clone()),
                        data_type: DataType::Blob(None),
                        format: None,
                    }],
                ),
                _ => call("OCTET_LENGTH", a),
            },
            // PostgreSQL's and SQLite's concat() skip NULLs; MySQL's CONCAT() returns NULL.
            "concat" if !a.is_empty() => match to {
                Dialect::Mysql => {
                    let mut with_sep = vec![Expr::value(Value::SingleQuotedString(String::new()))];
                    with_sep.extend(a);
                    call("CONCAT_WS", with_sep)
                }
                _ => return Ok(None),
            },
            "substr" | "substring" if (2..=3).contains(&a.len()) => return Ok(None),
            _ => return Err(unknown()),
        }))
    }
}

impl VisitorMut for Exprs<'_, '_> {
    type Break = Refusal;

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<Self::Break> {
        // `'\x00ff'::bytea` is bytes; a blob cast elsewhere would keep the text's characters.
        if let Expr::Cast { expr: inner, data_type, .. } = expr {
            if types::is_bytes(data_type) && self.cx.from != self.cx.to && matches!(**inner, Expr::Value(_)) {
                let mut literal = (**inner).clone();
                if let Err(r) = bytes_literal(&mut literal, self.cx) {
                    return ControlFlow::Break(r);
                }
                if !matches!(literal, Expr::Value(ref v) if matches!(v.value, Value::SingleQuotedString(_))) {
                    *expr = literal;
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_value(&mut self, value: &mut sqlparser::ast::ValueWithSpan) -> ControlFlow<Self::Break> {
        let to = self.cx.to;
        match &mut value.value {
            Value::EscapedStringLiteral(s) | Value::DollarQuotedString(sqlparser::ast::DollarQuotedString { value: s, .. })
                if to != Dialect::Postgres =>
            {
                value.value = Value::SingleQuotedString(std::mem::take(s));
            }
            _ => {}
        }
        // MySQL reads backslashes in strings as escapes; everyone else takes them literally.
        if to == Dialect::Mysql && self.cx.from != Dialect::Mysql {
            if let Value::SingleQuotedString(s) = &mut value.value {
                if s.contains('\\') {
                    *s = s.replace('\\', "\\\\");
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<Self::Break> {
        let (from, to) = (self.cx.from, self.cx.to);
        let here = Some(expr.span());
        match expr {
            Expr::Function(f) if from != to => match self.function(f, here) {
                Ok(Some(e)) => *expr = e,
                Ok(None) => {}
                Err(r) => return ControlFlow::Break(r),
            },
            Expr::Value(v) if to == Dialect::Postgres && matches!(v.value, Value::HexStringLiteral(_)) => {
                // X'..' is a bit string on PostgreSQL.
                let Value::HexStringLiteral(h) = &v.value else { unreachable!() };
                match hex_bytes(h) {
                    Some(b) => *expr = bytes_expr(&b, to),
                    None => return ControlFlow::Break(refuse("a malformed hex literal", here)),
                }
            }
            Expr::Nested(inner) if matches!(**inner, Expr::Nested(_)) => {
                let inner = std::mem::replace(inner.as_mut(), Expr::value(Value::Null));
                *expr = inner;
            }
            Expr::TypedString(ts) if to == Dialect::Sqlite => {
                // SQLite keeps dates and times as text: `DATE '2024-01-01'` is the text.
                *expr = Expr::Value(ts.value.clone());
            }
            Expr::Cast { kind, data_type, expr: inner, .. } if from != to => {
                let mapped = match types::map(data_type, from, to) {
                    Ok(m) => m.data_type,
                    Err(m) => return ControlFlow::Break(refuse(format!("cast: {m}"), here)),
                };
                // PostgreSQL rounds a number cast to an integer; SQLite truncates it.
                if to == Dialect::Sqlite && from == Dialect::Postgres && is_integer_type(data_type) {
                    let literal_int = matches!(&**inner, Expr::Value(v) if matches!(&v.value, Value::Number(n, _) if !n.contains(['.', 'e', 'E'])));
                    if !literal_int {
                        let e = std::mem::replace(inner.as_mut(), Expr::value(Value::Null));
                        **inner = call("round", vec![e]);
                    }
                }
                *data_type = if to == Dialect::Mysql { mysql_cast_type(&mapped) } else { mapped };
                if matches!(kind, CastKind::DoubleColon) && to != Dialect::Postgres {
                    *kind = CastKind::Cast;
                }
            }
            Expr::BinaryOp { op: BinaryOperator::StringConcat, .. } if from == Dialect::Mysql => {
                return ControlFlow::Break(
                    refuse("`||` is OR or concatenation depending on MySQL's sql_mode", here).help("write `CONCAT(...)` or `OR`"),
                );
            }
            Expr::BinaryOp { op: BinaryOperator::StringConcat, left, right } if to == Dialect::Mysql => {
                // `||` is logical OR on MySQL.
                let (l, r) = (
                    std::mem::replace(left.as_mut(), Expr::value(Value::Null)),
                    std::mem::replace(right.as_mut(), Expr::value(Value::Null)),
                );
                *expr = call("CONCAT", vec![l, r]);
            }
            Expr::BinaryOp { op, .. }
                if from == Dialect::Postgres
                    && to != Dialect::Postgres
                    && matches!(
                        op,
                        BinaryOperator::AtArrow
                            | BinaryOperator::ArrowAt
                            | BinaryOperator::HashArrow
                            | BinaryOperator::HashLongArrow
                            | BinaryOperator::Arrow
                            | BinaryOperator::LongArrow
                            | BinaryOperator::Question
                            | BinaryOperator::QuestionAnd
                            | BinaryOperator::QuestionPipe
                            | BinaryOperator::PGRegexMatch
                            | BinaryOperator::PGRegexIMatch
                            | BinaryOperator::PGRegexNotMatch
                            | BinaryOperator::PGRegexNotIMatch
                    ) =>
            {
                return ControlFlow::Break(refuse(format!("operator `{op}` has no {to} equivalent"), here));
            }
            Expr::ILike { negated, expr: e, pattern, escape_char, any } if to != Dialect::Postgres => {
                // MySQL compares translated tables' text case-sensitively (utf8mb4_bin), so
                // both sides are lowercased; SQLite's LIKE ignores the case of ASCII letters.
                let (e, pattern) = if to == Dialect::Mysql {
                    (Box::new(call("LOWER", vec![(**e).clone()])), Box::new(call("LOWER", vec![(**pattern).clone()])))
                } else {
                    self.notices
                        .push("`ILIKE` becomes `LIKE`, which SQLite matches ignoring the case of ASCII letters only".into());
                    (e.clone(), pattern.clone())
                };
                *expr = Expr::Like { negated: *negated, any: *any, expr: e, pattern, escape_char: escape_char.clone() };
                return self.post_visit_expr(expr);
            }
            Expr::Like { pattern, escape_char, .. }
                if to == Dialect::Sqlite && from != Dialect::Sqlite && escape_char.is_none() =>
            {
                // PostgreSQL and MySQL escape LIKE patterns with a backslash unless told
                // otherwise; SQLite has no escape character unless told.
                let plain =
                    matches!(&**pattern, Expr::Value(v) if matches!(&v.value, Value::SingleQuotedString(s) if !s.contains('\\')));
                if !plain {
                    *escape_char = Some(Box::new(Expr::value(Value::SingleQuotedString("\\".into()))));
                }
            }
            Expr::Extract { .. } if to == Dialect::Sqlite => {
                return ControlFlow::Break(
                    refuse("`EXTRACT` has no SQLite equivalent", here)
                        .help("write the SQLite version (strftime) in a `-- +up sqlite` section"),
                );
            }
            Expr::Array(_) | Expr::AnyOp { .. } | Expr::AllOp { .. } if to != Dialect::Postgres => {
                return ControlFlow::Break(refuse(format!("arrays have no {to} equivalent"), here));
            }
            Expr::Interval(_) if to == Dialect::Sqlite || from != to => {
                return ControlFlow::Break(
                    refuse(format!("interval arithmetic is written differently on {to}"), here)
                        .help(format!("write the {to} version in a `-- +up {to}` section")),
                );
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

/// Rewrite every expression of a statement for the target; returns notices of what was adapted.
pub fn rewrite(stmt: &mut Statement, cx: &Context<'_>) -> Result<Vec<String>, Refusal> {
    let mut v = Exprs { cx, notices: Vec::new() };
    super::visit(stmt, &mut v)?;
    Ok(v.notices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn expr(sql: &str, from: Dialect, to: Dialect) -> String {
        let catalog = crate::catalog::Catalog::default();
        let cx = Context { from, to, catalog: &catalog };
        let mut stmt = sqlparser::parser::Parser::parse_sql(&*from.parser_dialect(), &format!("SELECT {sql}")).unwrap().remove(0);
        match rewrite(&mut stmt, &cx) {
            Ok(_) => stmt.to_string().strip_prefix("SELECT ").unwrap_or_default().to_string(),
            Err(r) => format!("error: {}", r.message),
        }
    }

    #[test]
    fn hex_literals_to_postgres() {
        use Dialect::*;
        assert_eq!(expr("X'0aFF'", Sqlite, Postgres), "'\\x0aff'::BYTEA");
        for bad in ["X'abc'", "X'céafe'", "X'zz'", "X'é'"] {
            assert_eq!(expr(bad, Sqlite, Postgres), "error: a malformed hex literal", "{bad}");
        }
    }

    #[test]
    fn functions_by_meaning() {
        use Dialect::*;
        assert_eq!(expr("now()", Postgres, Sqlite), "CURRENT_TIMESTAMP");
        assert_eq!(expr("now()", Postgres, Mysql), "CURRENT_TIMESTAMP(6)");
        assert_eq!(expr("length(name)", Postgres, Mysql), "CHAR_LENGTH(name)");
        assert_eq!(expr("char_length(name)", Postgres, Sqlite), "length(name)");
        assert_eq!(expr("concat(a, b)", Postgres, Mysql), "CONCAT_WS('', a, b)");
        assert_eq!(expr("coalesce(a, 1)", Postgres, Mysql), "coalesce(a, 1)");
        assert_eq!(expr("IFNULL(a, 1)", Mysql, Postgres), "COALESCE(a, 1)");
        assert_eq!(expr("NOW(6)", Mysql, Postgres), "CURRENT_TIMESTAMP(6)");
        assert!(expr("LENGTH(a)", Mysql, Postgres).starts_with("error: MySQL's `LENGTH()` counts bytes"));
        assert!(expr("date_trunc('day', t)", Postgres, Mysql).starts_with("error: function `date_trunc()` is not known"));
        assert!(expr("my_schema.f(1)", Postgres, Sqlite).starts_with("error: function"));
    }

    #[test]
    fn literals_and_casts() {
        use Dialect::*;
        assert_eq!(expr("'\\x00ff'::bytea", Postgres, Sqlite), "X'00ff'");
        assert_eq!(expr("'\\x00ff'::bytea", Postgres, Mysql), "X'00ff'");
        assert_eq!(expr("X'00ff'", Sqlite, Postgres), "'\\x00ff'::BYTEA");
        assert!(expr("'a\\000'::bytea", Postgres, Sqlite).starts_with("error: a `bytea` literal in the escape format"));
        assert_eq!(expr("'a\\b'", Postgres, Mysql), "'a\\\\b'");
        assert_eq!(expr("$$it's$$", Postgres, Sqlite), "'it''s'");
        assert_eq!(expr("x::int", Postgres, Sqlite), "CAST(round(x) AS INTEGER)");
        assert_eq!(expr("'1'::int", Postgres, Mysql), "CAST('1' AS SIGNED)");
        assert_eq!(expr("DATE '2024-01-01'", Postgres, Sqlite), "'2024-01-01'");
        assert_eq!(expr("a LIKE 'x\\_%'", Postgres, Sqlite), "a LIKE 'x\\_%' ESCAPE '\\'");
        assert_eq!(expr("a LIKE 'x%'", Postgres, Sqlite), "a LIKE 'x%'");
        assert_eq!(expr("a ILIKE 'x%'", Postgres, Mysql), "LOWER(a) LIKE LOWER('x%')");
    }
}
