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
                Dialect::Sqlite => Mapped {
                    collation: Some("NOCASE"),
                    notice: Some("CITEXT becomes TEXT COLLATE NOCASE, which ignores the case of ASCII letters only".into()),
                    ..Mapped::plain(T::Text)
                },
                Dialect::Mysql => Mapped {
                    collation: Some("utf8mb4_unicode_ci"),
                    notice: Some(
                        "CITEXT becomes LONGTEXT under utf8mb4_unicode_ci, which ignores accents as well as case".into(),
                    ),
                    ..Mapped::plain(T::LongText)
                },
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

        // Integers. SQLite stores every integer in up to 64 bits, whatever the declared type.
        (
            T::Int2(_) | T::SmallInt(_) | T::Int(_) | T::Int4(_) | T::Integer(_) | T::Int8(_) | T::BigInt(_) | T::TinyInt(_) | T::MediumInt(_),
            Dialect::Postgres | Dialect::Mysql,
        ) if from == Dialect::Sqlite => T::BigInt(None),
        (T::Int2(_) | T::SmallInt(_), _) => T::SmallInt(None),
        (T::Int(_) | T::Int4(_) | T::Integer(_), _) => T::Integer(None),
        (T::Int8(_) | T::BigInt(_), _) => T::BigInt(None),
        (T::TinyInt(Some(1)), Dialect::Postgres) => T::Boolean,
        (T::TinyInt(_), Dialect::Postgres) => T::SmallInt(None),
        (T::MediumInt(_), Dialect::Postgres) => T::Integer(None),
        (T::TinyInt(_) | T::MediumInt(_), Dialect::Sqlite) => T::Integer(None),

        // Booleans: MySQL's BOOLEAN is TINYINT(1) and takes TRUE/FALSE; SQLite stores 1/0.
        (T::Bool | T::Boolean, _) => T::Boolean,

        // Text. MySQL's TEXT holds 64 KiB; PostgreSQL's and SQLite's are unbounded.
        (T::Text | T::TinyText | T::MediumText | T::LongText, Dialect::Mysql) if from != Dialect::Mysql => T::LongText,
        (T::Text | T::TinyText | T::MediumText | T::LongText, _) => T::Text,
        (T::Varchar(len) | T::CharacterVarying(len) | T::CharVarying(len) | T::Nvarchar(len), Dialect::Mysql) => match len {
            Some(_) => T::Varchar(*len),
            // PostgreSQL's unbounded VARCHAR is TEXT.
            None => T::LongText,
        },
        (T::Varchar(len) | T::CharacterVarying(len) | T::CharVarying(len) | T::Nvarchar(len), _) => T::Varchar(*len),
        (T::Char(len) | T::Character(len), _) => {
            let notice = (from == Dialect::Postgres)
                .then(|| format!("`{dt}` values shorter than the length are not padded with spaces on {to}, as PostgreSQL pads them"));
            return Ok(Mapped { notice, ..Mapped::plain(T::Char(*len)) });
        }
        (T::Uuid, Dialect::Mysql | Dialect::Sqlite) => {
            let ty = if to == Dialect::Mysql { T::Char(Some(CharacterLength::IntegerLength { length: 36, unit: None })) } else { T::Text };
            let notice = format!("UUID becomes {ty}: values compare as text, so write them in the canonical lowercase form PostgreSQL returns");
            return Ok(Mapped { notice: Some(notice), ..Mapped::plain(ty) });
        }
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
        (T::Numeric(info) | T::Decimal(info) | T::Dec(info), Dialect::Sqlite) => {
            return Ok(Mapped {
                notice: Some(format!(
                    "SQLite stores {dt} as an integer or a 64-bit float: exact to 15 significant digits, and not rounded to its scale"
                )),
                ..Mapped::plain(T::Numeric(*info))
            })
        }
        (T::Numeric(info) | T::Decimal(info) | T::Dec(info), _) => T::Numeric(*info),

        // Floating point: single (4-byte) or double (8-byte) precision, as the source means it.
        (T::Real | T::Float4 | T::Float(_) | T::DoublePrecision | T::Double(_) | T::Float8 | T::Float64, _) => {
            match float_width(dt, from)? {
                4 => match to {
                    Dialect::Mysql => T::Float(ExactNumberInfo::None),
                    _ => T::Real,
                },
                _ => match to {
                    Dialect::Mysql => T::Double(ExactNumberInfo::None),
                    Dialect::Sqlite => T::Real,
                    Dialect::Postgres => T::DoublePrecision,
                },
            }
        }

        // Dates and times. PostgreSQL keeps microseconds by default; MySQL keeps none unless told.
        (T::Date, _) => T::Date,
        (T::Time(_, TimezoneInfo::Tz | TimezoneInfo::WithTimeZone), _) => {
            return Err(format!("`{dt}` (a time of day with a time zone) has no {to} equivalent"));
        }
        (T::Timestamp(p, tz), Dialect::Mysql) => {
            let notice = matches!(tz, TimezoneInfo::Tz | TimezoneInfo::WithTimeZone)
                .then(|| "TIMESTAMPTZ becomes DATETIME(6): MySQL keeps no time zone, so store UTC".to_string());
            return Ok(Mapped { notice, ..Mapped::plain(T::Datetime(Some(p.unwrap_or(6)))) });
        }
        (T::Timestamp(p, tz), Dialect::Sqlite) => {
            let notice = matches!(tz, TimezoneInfo::Tz | TimezoneInfo::WithTimeZone)
                .then(|| "TIMESTAMPTZ becomes TIMESTAMP: SQLite keeps no time zone and compares timestamps as text, so store UTC".to_string());
            return Ok(Mapped { notice, ..Mapped::plain(T::Timestamp(*p, TimezoneInfo::None)) });
        }
        (T::Datetime(p), Dialect::Sqlite) => T::Timestamp(*p, TimezoneInfo::None),
        (T::Datetime(p), Dialect::Mysql) => T::Datetime(Some(p.unwrap_or(6))),
        // MySQL's DATETIME keeps whole seconds unless told; SQLite's keeps what it is given.
        (T::Datetime(p), Dialect::Postgres) => T::Timestamp(if from == Dialect::Mysql { Some(p.unwrap_or(0)) } else { *p }, TimezoneInfo::None),
        (T::Timestamp(p, tz), Dialect::Postgres) if from == Dialect::Mysql => {
            let _ = tz;
            T::Timestamp(Some(p.unwrap_or(0)), TimezoneInfo::None)
        }
        (T::Timestamp(p, tz), Dialect::Postgres) => T::Timestamp(*p, *tz),
        (T::Time(p, _), Dialect::Mysql) => T::Time(Some(p.unwrap_or(6)), TimezoneInfo::None),
        (T::Time(p, _), Dialect::Postgres) if from == Dialect::Mysql => T::Time(Some(p.unwrap_or(0)), TimezoneInfo::None),
        (T::Time(p, _), _) => T::Time(*p, TimezoneInfo::None),

        // Documents and bytes.
        (T::JSON | T::JSONB, Dialect::Mysql) => {
            return Ok(Mapped {
                notice: Some(format!(
                    "{dt} becomes MySQL's JSON: the same documents, but their text may come back with other spacing and key order"
                )),
                ..Mapped::plain(T::JSON)
            })
        }
        (T::JSON, Dialect::Sqlite) => T::Text,
        (T::JSONB, Dialect::Sqlite) => {
            return Ok(Mapped {
                notice: Some("JSONB becomes TEXT checked by json_valid(): SQLite returns a document as written, not normalised as JSONB is".into()),
                ..Mapped::plain(T::Text)
            })
        }
        (T::JSON, Dialect::Postgres) if from == Dialect::Mysql => T::JSONB,
        (T::JSON, Dialect::Postgres) => T::JSON,
        (T::JSONB, Dialect::Postgres) => T::JSONB,
        (T::Bytea | T::Blob(_) | T::TinyBlob | T::MediumBlob | T::LongBlob | T::Binary(_) | T::Varbinary(_), Dialect::Mysql) => {
            T::LongBlob
        }
        (T::Bytea | T::Blob(_) | T::TinyBlob | T::MediumBlob | T::LongBlob | T::Binary(_) | T::Varbinary(_), Dialect::Sqlite) => {
            T::Blob(None)
        }
        (T::Bytea | T::Blob(_) | T::TinyBlob | T::MediumBlob | T::LongBlob | T::Binary(_) | T::Varbinary(_), Dialect::Postgres) => {
            T::Bytea
        }
        (T::Enum(..) | T::Set(_), Dialect::Mysql) => dt.clone(),
        _ => return Err(format!("type `{dt}` has no mapping from {from} to {to}")),
    };
    Ok(Mapped::plain(mapped))
}

/// How many bytes a floating-point type has in its source dialect: PostgreSQL's `REAL` and
/// `FLOAT(1..24)` and MySQL's `FLOAT` are single precision; SQLite's `REAL` and MySQL's
/// `REAL` are double precision.
fn float_width(dt: &DataType, from: Dialect) -> Result<u8, String> {
    use DataType as T;
    Ok(match dt {
        T::Float4 => 4,
        T::Real if from == Dialect::Postgres => 4,
        T::Float(ExactNumberInfo::Precision(p)) if *p <= 24 => 4,
        T::Float(ExactNumberInfo::Precision(_)) => 8,
        T::Float(ExactNumberInfo::None) if from == Dialect::Mysql => 4,
        T::Float(ExactNumberInfo::PrecisionAndScale(..)) | T::Double(ExactNumberInfo::PrecisionAndScale(..)) => {
            return Err(format!(
                "`{dt}` rounds what it stores to a number of decimals; no other database has such a floating-point type"
            ))
        }
        _ => 8,
    })
}

/// Whether a type holds JSON documents.
pub fn is_json(dt: &DataType) -> bool {
    matches!(dt, DataType::JSON | DataType::JSONB)
}

/// Whether a type holds bytes.
pub fn is_bytes(dt: &DataType) -> bool {
    use DataType as T;
    matches!(dt, T::Bytea | T::Blob(_) | T::TinyBlob | T::MediumBlob | T::LongBlob | T::Binary(_) | T::Varbinary(_))
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
            ("TEXT", "TEXT", "LONGTEXT"),
            ("VARCHAR", "VARCHAR", "LONGTEXT"),
            ("REAL", "REAL", "FLOAT"),
            ("FLOAT", "REAL", "DOUBLE"),
            ("FLOAT(10)", "REAL", "FLOAT"),
            ("TIME", "TIME", "TIME(6)"),
        ];
        for (src, sqlite, mysql) in rows {
            assert_eq!((src, to(src, Dialect::Sqlite), to(src, Dialect::Mysql)), (src, sqlite.to_string(), mysql.to_string()));
        }
        assert!(to("TEXT[]", Dialect::Sqlite).starts_with("error: array type"));
        assert!(to("INTERVAL", Dialect::Mysql).starts_with("error: `INTERVAL`"));
        assert!(to("inet", Dialect::Mysql).starts_with("error: type `inet`"));
        assert!(to("TIMETZ", Dialect::Sqlite).contains("a time of day with a time zone"));
    }

    #[test]
    fn other_sources() {
        let ty = |sql: &str, from: Dialect| {
            let stmt =
                sqlparser::parser::Parser::parse_sql(&*from.parser_dialect(), &format!("CREATE TABLE t (c {sql})")).unwrap();
            let sqlparser::ast::Statement::CreateTable(ct) = &stmt[0] else { unreachable!() };
            let dt = ct.columns[0].data_type.clone();
            (
                map(&dt, from, Dialect::Postgres).unwrap().data_type.to_string(),
                map(&dt, from, Dialect::Mysql).map(|m| m.data_type.to_string()),
            )
        };
        // SQLite keeps 64-bit integers and doubles whatever the declared type says.
        assert_eq!(ty("INT", Dialect::Sqlite), ("BIGINT".to_string(), Ok("BIGINT".to_string())));
        assert_eq!(ty("REAL", Dialect::Sqlite), ("DOUBLE PRECISION".to_string(), Ok("DOUBLE".to_string())));
        // MySQL's FLOAT is single precision, its DATETIME keeps whole seconds.
        assert_eq!(ty("FLOAT", Dialect::Mysql).0, "REAL");
        assert_eq!(ty("DATETIME", Dialect::Mysql).0, "TIMESTAMP(0)");
    }
}
