//! Data types: one table of what each source type becomes on each target, and why not when
//! it cannot.

use sqlparser::ast::{CharacterLength, DataType, ExactNumberInfo, ObjectName, TimezoneInfo};

use crate::dialect::Dialect;

/// What a source type becomes on a target.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    /// The target type.
    pub data_type: DataType,
    /// A collation the column needs to keep its meaning (CITEXT's case-insensitivity).
    pub collation: Option<&'static str>,
    /// The source type was an auto-incrementing one (`SERIAL`).
    pub serial: bool,
    /// A note for the user when the mapping adapts something that changes no result.
    pub notice: Option<String>,
}

impl Mapped {
    fn plain(data_type: DataType) -> Self {
        Mapped { data_type, collation: None, serial: false, notice: None }
    }
}

fn custom_name(dt: &DataType) -> Option<String> {
    match dt {
        DataType::Custom(name, _) => Some(name.to_string().to_ascii_lowercase()),
        _ => None,
    }
}

/// Map `dt`, written in `from`, to `to`. `Err` says why it has no faithful equivalent.
pub fn map(dt: &DataType, from: Dialect, to: Dialect) -> Result<Mapped, String> {
    use DataType as T;
    if from == to {
        return Ok(Mapped::plain(dt.clone()));
    }
    let name = custom_name(dt);
    // Auto-incrementing pseudo-types first: they become a column option, not just a type.
    match name.as_deref() {
        Some("serial" | "serial4") => return Ok(Mapped { serial: true, ..Mapped::plain(int_for(to, false)) }),
        Some("bigserial" | "serial8") => return Ok(Mapped { serial: true, ..Mapped::plain(int_for(to, true)) }),
        Some("smallserial" | "serial2") => return Ok(Mapped { serial: true, ..Mapped::plain(T::SmallInt(None)) }),
        Some("citext") => {
            return Ok(match to {
                Dialect::Sqlite => Mapped { collation: Some("NOCASE"), ..Mapped::plain(T::Text) },
                Dialect::Mysql => Mapped { collation: Some("utf8mb4_unicode_ci"), ..Mapped::plain(T::Text) },
                Dialect::Postgres => Mapped::plain(dt.clone()),
            })
        }
        Some(other) if to != Dialect::Postgres || from != Dialect::Postgres => {
            return Err(format!("type `{other}` has no {to} equivalent"));
        }
        _ => {}
    }
    let mapped = match (dt, to) {
        (T::Array(_), _) => return Err(format!("array type `{dt}` has no {to} equivalent")),
        (T::Interval { .. }, _) => return Err(format!("`INTERVAL` columns have no {to} equivalent")),
        (T::Enum(..) | T::Set(_), Dialect::Sqlite | Dialect::Postgres) => {
            return Err(format!("`{dt}` has no {to} equivalent; use a CHECK constraint"));
        }
        (T::TsVector | T::TsQuery, _) => return Err(format!("full-text type `{dt}` has no {to} equivalent")),
        (T::GeometricType(_) | T::Regclass | T::Bit(_) | T::BitVarying(_) | T::VarBit(_), _) => {
            return Err(format!("type `{dt}` has no {to} equivalent"));
        }
        (
            T::TinyIntUnsigned(_)
            | T::SmallIntUnsigned(_)
            | T::MediumIntUnsigned(_)
            | T::IntUnsigned(_)
            | T::IntegerUnsigned(_)
            | T::BigIntUnsigned(_)
            | T::DecimalUnsigned(_)
            | T::DoubleUnsigned(_)
            | T::FloatUnsigned(_),
            Dialect::Postgres | Dialect::Sqlite,
        ) => return Err(format!("unsigned type `{dt}` has no {to} equivalent; use a signed type with a CHECK constraint")),

        // Integers.
        (T::Int2(_) | T::SmallInt(_), _) => T::SmallInt(None),
        (T::Int(_) | T::Int4(_) | T::Integer(_), Dialect::Sqlite) => T::Integer(None),
        (T::Int(_) | T::Int4(_) | T::Integer(_), _) => T::Integer(None),
        (T::Int8(_) | T::BigInt(_), _) => T::BigInt(None),
        (T::TinyInt(Some(1)), Dialect::Postgres) => T::Boolean,
        (T::TinyInt(_) | T::MediumInt(_), Dialect::Postgres) => T::SmallInt(None),
        (T::TinyInt(_) | T::MediumInt(_), Dialect::Sqlite) => T::Integer(None),

        // Booleans: MySQL's BOOLEAN is TINYINT(1) and takes TRUE/FALSE; SQLite stores 1/0.
        (T::Bool | T::Boolean, _) => T::Boolean,

        // Text.
        (T::Text | T::TinyText | T::MediumText | T::LongText, _) => T::Text,
        (T::Varchar(len) | T::CharacterVarying(len) | T::CharVarying(len) | T::Nvarchar(len), Dialect::Mysql) => match len {
            Some(_) => T::Varchar(*len),
            // PostgreSQL's unbounded VARCHAR is TEXT.
            None => T::Text,
        },
        (T::Varchar(len) | T::CharacterVarying(len) | T::CharVarying(len) | T::Nvarchar(len), _) => T::Varchar(*len),
        (T::Char(len) | T::Character(len), _) => T::Char(*len),
        (T::Uuid, Dialect::Mysql) => T::Char(Some(CharacterLength::IntegerLength { length: 36, unit: None })),
        (T::Uuid, Dialect::Sqlite) => T::Text,
        (T::Uuid, Dialect::Postgres) => T::Uuid,

        // Exact numbers.
        (T::Numeric(info) | T::Decimal(info) | T::Dec(info), Dialect::Mysql) => match info {
            ExactNumberInfo::None => {
                return Ok(Mapped {
                    notice: Some("unbounded NUMERIC becomes DECIMAL(65, 30), MySQL's widest".into()),
                    ..Mapped::plain(T::Decimal(ExactNumberInfo::PrecisionAndScale(65, 30)))
                })
            }
            _ => T::Decimal(*info),
        },
        (T::Numeric(info) | T::Decimal(info) | T::Dec(info), _) => T::Numeric(*info),

        // Floating point.
        (T::Real | T::Float4, Dialect::Mysql) => T::Float(ExactNumberInfo::None),
        (T::Real | T::Float4, _) => T::Real,
        (T::Float(_), Dialect::Postgres) => T::DoublePrecision,
        (T::DoublePrecision | T::Double(_) | T::Float8 | T::Float64, Dialect::Mysql) => T::Double(ExactNumberInfo::None),
        (T::DoublePrecision | T::Double(_) | T::Float8 | T::Float64, Dialect::Sqlite) => T::Real,
        (T::DoublePrecision | T::Double(_) | T::Float8 | T::Float64, Dialect::Postgres) => T::DoublePrecision,

        // Dates and times. PostgreSQL keeps microseconds by default; MySQL keeps none unless told.
        (T::Date, _) => T::Date,
        (T::Timestamp(p, tz), Dialect::Mysql) => {
            let notice = matches!(tz, TimezoneInfo::Tz | TimezoneInfo::WithTimeZone)
                .then(|| "TIMESTAMPTZ becomes DATETIME(6): MySQL keeps no time zone, so store UTC".to_string());
            return Ok(Mapped { notice, ..Mapped::plain(T::Datetime(Some(p.unwrap_or(6)))) });
        }
        (T::Timestamp(p, _) | T::Datetime(p), Dialect::Sqlite) => T::Timestamp(*p, TimezoneInfo::None),
        (T::Datetime(p), Dialect::Postgres) => T::Timestamp(*p, TimezoneInfo::None),
        (T::Timestamp(p, tz), Dialect::Postgres) => T::Timestamp(*p, *tz),
        (T::Time(p, _), Dialect::Mysql) => T::Time(Some(p.unwrap_or(6)), TimezoneInfo::None),
        (T::Time(p, _), _) => T::Time(*p, TimezoneInfo::None),

        // Documents and bytes.
        (T::JSON | T::JSONB, Dialect::Mysql) => T::JSON,
        (T::JSON | T::JSONB, Dialect::Sqlite) => T::Text,
        (T::JSON, Dialect::Postgres) => T::JSONB,
        (T::JSONB, Dialect::Postgres) => T::JSONB,
        (T::Bytea | T::Blob(_) | T::TinyBlob | T::MediumBlob | T::LongBlob | T::Binary(_) | T::Varbinary(_), Dialect::Mysql) => {
            T::LongBlob
        }
        (T::Bytea | T::Blob(_) | T::TinyBlob | T::MediumBlob | T::LongBlob | T::Binary(_) | T::Varbinary(_), Dialect::Sqlite) => {
            T::Blob(None)
        }
        (
            T::Bytea | T::Blob(_) | T::TinyBlob | T::MediumBlob | T::LongBlob | T::Binary(_) | T::Varbinary(_),
            Dialect::Postgres,
        ) => T::Bytea,
        (T::Enum(..) | T::Set(_), Dialect::Mysql) => dt.clone(),
        _ => return Err(format!("type `{dt}` has no mapping from {from} to {to}")),
    };
    Ok(Mapped::plain(mapped))
}

/// The integer type for an auto-incrementing column. SQLite auto-increments only an
/// `INTEGER PRIMARY KEY`, which is 64-bit anyway.
fn int_for(to: Dialect, big: bool) -> DataType {
    match (to, big) {
        (Dialect::Sqlite, _) => DataType::Integer(None),
        (_, true) => DataType::BigInt(None),
        (_, false) => DataType::Integer(None),
    }
}

/// Whether a type is one MySQL cannot index or make unique without a prefix length.
pub fn mysql_needs_key_length(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Text
            | DataType::TinyText
            | DataType::MediumText
            | DataType::LongText
            | DataType::Blob(_)
            | DataType::LongBlob
            | DataType::MediumBlob
            | DataType::TinyBlob
            | DataType::Bytea
            | DataType::JSON
            | DataType::JSONB
    ) || custom_name(dt).as_deref() == Some("citext")
        || matches!(dt, DataType::Varchar(None) | DataType::CharacterVarying(None))
}

/// A collation as an object name.
pub fn collation(name: &str) -> ObjectName {
    ObjectName::from(vec![sqlparser::ast::Ident::new(name)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn pg_type(sql: &str) -> DataType {
        let stmt =
            sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::PostgreSqlDialect {}, &format!("CREATE TABLE t (c {sql})"))
                .unwrap();
        match &stmt[0] {
            sqlparser::ast::Statement::CreateTable(ct) => ct.columns[0].data_type.clone(),
            _ => unreachable!(),
        }
    }

    fn to(sql: &str, target: Dialect) -> String {
        match map(&pg_type(sql), Dialect::Postgres, target) {
            Ok(m) => m.data_type.to_string(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn postgres_types_on_other_databases() {
        let rows = [
            ("TIMESTAMPTZ", "TIMESTAMP", "DATETIME(6)"),
            ("TIMESTAMP(3)", "TIMESTAMP(3)", "DATETIME(3)"),
            ("UUID", "TEXT", "CHAR(36)"),
            ("JSONB", "TEXT", "JSON"),
            ("BYTEA", "BLOB", "LONGBLOB"),
            ("DOUBLE PRECISION", "REAL", "DOUBLE"),
            ("NUMERIC(10,2)", "NUMERIC(10,2)", "DECIMAL(10,2)"),
            ("VARCHAR(20)", "VARCHAR(20)", "VARCHAR(20)"),
            ("BOOLEAN", "BOOLEAN", "BOOLEAN"),
            ("SERIAL", "INTEGER", "INTEGER"),
            ("BIGSERIAL", "INTEGER", "BIGINT"),
        ];
        for (src, sqlite, mysql) in rows {
            assert_eq!((src, to(src, Dialect::Sqlite), to(src, Dialect::Mysql)), (src, sqlite.to_string(), mysql.to_string()));
        }
        assert!(to("TEXT[]", Dialect::Sqlite).starts_with("error: array type"));
        assert!(to("INTERVAL", Dialect::Mysql).starts_with("error: `INTERVAL`"));
        assert!(to("inet", Dialect::Mysql).starts_with("error: type `inet`"));
    }
}
