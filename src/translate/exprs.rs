//! Expressions: functions, casts, operators and literals that are spelled differently, or
//! mean something else, on the target.

use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, CastKind, DataType, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments,
    Ident, ObjectName, Spanned, Statement, Value, VisitorMut,
};

use super::{refuse, types, Context, Refusal};
use crate::dialect::Dialect;

/// A function call expression.
fn call(name: &str, args: Vec<Expr>) -> Expr {
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

/// Give `CURRENT_TIMESTAMP` the fractional precision `p` (MySQL wants it to match the column).
pub fn current_timestamp_precision(e: &mut Expr, p: u64) {
    if let Expr::Function(f) = e {
        if f.name.to_string().eq_ignore_ascii_case("CURRENT_TIMESTAMP") && matches!(f.args, FunctionArguments::None) {
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

/// The type a MySQL `CAST` can produce for a column type.
fn mysql_cast_type(dt: &DataType) -> DataType {
    use DataType as T;
    match dt {
        T::SmallInt(_) | T::Int(_) | T::Integer(_) | T::BigInt(_) | T::TinyInt(_) | T::Boolean | T::Bool => T::Signed,
        T::Text | T::Varchar(_) | T::Char(_) => T::Char(None),
        T::Datetime(p) => T::Datetime(*p),
        other => other.clone(),
    }
}

struct Exprs<'a, 'c> {
    cx: &'a Context<'c>,
    notices: Vec<String>,
}

impl VisitorMut for Exprs<'_, '_> {
    type Break = Refusal;

    fn post_visit_value(&mut self, value: &mut sqlparser::ast::ValueWithSpan) -> ControlFlow<Self::Break> {
        let to = self.cx.to;
        match &mut value.value {
            Value::EscapedStringLiteral(s) if to != Dialect::Postgres => {
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
            Expr::Function(f) if from == Dialect::Postgres && to != Dialect::Postgres => {
                let name = function_name(f);
                match name.as_str() {
                    "now" | "transaction_timestamp" | "statement_timestamp" | "localtimestamp" if no_args(f) => {
                        *expr = call("CURRENT_TIMESTAMP", Vec::new());
                    }
                    "gen_random_uuid" | "uuid_generate_v4" if no_args(f) => {
                        *expr = match to {
                            Dialect::Mysql => Expr::Nested(Box::new(call("UUID", Vec::new()))),
                            _ => parse_expr(SQLITE_UUID_V4, Dialect::Sqlite),
                        };
                    }
                    "clock_timestamp" | "timeofday" | "age" | "date_trunc" | "to_char" | "to_timestamp" | "array_agg"
                    | "string_to_array" | "unnest" | "generate_series" | "regexp_replace" | "jsonb_build_object"
                    | "json_build_object" | "jsonb_agg" | "nextval" | "currval" | "setval" | "pg_advisory_lock" => {
                        return ControlFlow::Break(
                            refuse(format!("function `{name}()` has no faithful {to} equivalent"), here)
                                .help(format!("write the {to} version in a `-- +up {to}` section")),
                        );
                    }
                    _ => {}
                }
            }
            Expr::Cast { kind, data_type, .. } if from != to => {
                let mapped = match types::map(data_type, from, to) {
                    Ok(m) => m.data_type,
                    Err(m) => return ControlFlow::Break(refuse(format!("cast: {m}"), here)),
                };
                *data_type = if to == Dialect::Mysql { mysql_cast_type(&mapped) } else { mapped };
                if matches!(kind, CastKind::DoubleColon) && to != Dialect::Postgres {
                    *kind = CastKind::Cast;
                }
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
                self.notices.push(format!(
                    "`ILIKE` becomes `LIKE`, which is case-insensitive on {to} ({})",
                    if to == Dialect::Sqlite { "for ASCII letters only" } else { "under the column's default collation" }
                ));
                *expr = Expr::Like {
                    negated: *negated,
                    any: *any,
                    expr: e.clone(),
                    pattern: pattern.clone(),
                    escape_char: escape_char.clone(),
                };
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
