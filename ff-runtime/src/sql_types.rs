//! SQL types whose storage differs between databases.
//!
//! Diesel gives a column one SQL type for every backend; these types let one column be a native
//! `UUID`/`JSONB`/`NUMERIC`/`TIMESTAMPTZ` on PostgreSQL and a documented, exactly round-tripping
//! storage elsewhere:
//!
//! | type | SQLite | PostgreSQL | MySQL/MariaDB |
//! | --- | --- | --- | --- |
//! | [`Uuid`] | `TEXT`, hyphenated lower case | `UUID` | `CHAR(36)`, hyphenated lower case |
//! | [`Json`] | `TEXT` | `JSONB` | `JSON` |
//! | [`Decimal`] | `TEXT`, exact digits | `NUMERIC(p, s)` | `DECIMAL(p, s)` |
//! | [`TimestampUtc`] | `TIMESTAMPTZ` (text with offset) | `TIMESTAMPTZ` | `DATETIME(6)` in UTC |
//!
//! Rust's coherence rules keep ff from implementing Diesel's `AsExpression` for these foreign
//! Rust types, so in hand-written Diesel DSL a value of such a column is wrapped in
//! [`bind`]: `product::uid.eq(bind(id))`. Repositories and finders do it for you.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::query_builder::QueryId;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{self as native, HasSqlType, Nullable, SingleValue, SqlType, TypeMetadata};
use diesel::sqlite::Sqlite;

/// Declares an ff SQL type whose metadata is that of a native Diesel type on each backend.
macro_rules! portable_sql_type {
    ($(#[$doc:meta])* $name:ident { sqlite: $sqlite:ty, pg: $pg:ty, mysql: $mysql:ty }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl SqlType for $name {
            type IsNull = diesel::sql_types::is_nullable::NotNull;
        }

        impl SingleValue for $name {}

        impl QueryId for $name {
            type QueryId = $name;
            const HAS_STATIC_QUERY_ID: bool = true;
        }

        impl HasSqlType<$name> for Sqlite {
            fn metadata(lookup: &mut ()) -> <Sqlite as TypeMetadata>::TypeMetadata {
                <Sqlite as HasSqlType<$sqlite>>::metadata(lookup)
            }
        }

        impl HasSqlType<$name> for Pg {
            fn metadata(lookup: &mut Self::MetadataLookup) -> <Pg as TypeMetadata>::TypeMetadata {
                <Pg as HasSqlType<$pg>>::metadata(lookup)
            }
        }

        #[cfg(feature = "mysql")]
        impl HasSqlType<$name> for diesel::mysql::Mysql {
            fn metadata(lookup: &mut ()) -> <diesel::mysql::Mysql as TypeMetadata>::TypeMetadata {
                <diesel::mysql::Mysql as HasSqlType<$mysql>>::metadata(lookup)
            }
        }
    };
}

/// Implements `ToSql`/`FromSql` of an ff SQL type by delegating to a native Diesel type.
macro_rules! delegate {
    ($sql:ty => $native:ty, $rust:ty, $backend:ty) => {
        impl ToSql<$sql, $backend> for $rust {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, $backend>) -> serialize::Result {
                <$rust as ToSql<$native, $backend>>::to_sql(self, out)
            }
        }

        impl FromSql<$sql, $backend> for $rust {
            fn from_sql(value: <$backend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                <$rust as FromSql<$native, $backend>>::from_sql(value)
            }
        }
    };
}

/// Implements `ToSql`/`FromSql` of an ff SQL type through the text form of the Rust value.
macro_rules! as_text {
    ($sql:ty, $rust:ty, $backend:ty, $to_text:expr) => {
        impl ToSql<$sql, $backend> for $rust {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, $backend>) -> serialize::Result {
                out.write_text($to_text(self))
            }
        }

        impl FromSql<$sql, $backend> for $rust {
            fn from_sql(value: <$backend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<native::Text, $backend>>::from_sql(value)?;
                <$rust>::from_str(&text).map_err(|error| {
                    format!("`{text}` is not a valid {}: {error}", stringify!($rust)).into()
                })
            }
        }
    };
}

/// Writes a value's text form as a bind parameter.
trait WriteText {
    fn write_text(&mut self, text: String) -> serialize::Result;
}

impl WriteText for Output<'_, '_, Sqlite> {
    fn write_text(&mut self, text: String) -> serialize::Result {
        self.set_value(text);
        Ok(IsNull::No)
    }
}

#[cfg(feature = "mysql")]
impl WriteText for Output<'_, '_, diesel::mysql::Mysql> {
    fn write_text(&mut self, text: String) -> serialize::Result {
        std::io::Write::write_all(self, text.as_bytes())?;
        Ok(IsNull::No)
    }
}

portable_sql_type! {
    /// A UUID: `UUID` on PostgreSQL, hyphenated text elsewhere.
    Uuid { sqlite: native::Text, pg: native::Uuid, mysql: native::Text }
}
portable_sql_type! {
    /// A JSON document: `JSONB` on PostgreSQL, `JSON` on MySQL, text on SQLite.
    Json { sqlite: native::Json, pg: native::Jsonb, mysql: native::Json }
}
portable_sql_type! {
    /// An exact decimal: `NUMERIC` on PostgreSQL and MySQL, text on SQLite.
    Decimal { sqlite: native::Text, pg: native::Numeric, mysql: native::Numeric }
}
portable_sql_type! {
    /// An instant in UTC: `TIMESTAMPTZ` on PostgreSQL and SQLite, `DATETIME(6)` on MySQL.
    TimestampUtc { sqlite: native::TimestamptzSqlite, pg: native::Timestamptz, mysql: native::Datetime }
}

fn hyphenated(uuid: &uuid::Uuid) -> String {
    uuid.hyphenated().to_string()
}

as_text!(Uuid, uuid::Uuid, Sqlite, hyphenated);
delegate!(Uuid => native::Uuid, uuid::Uuid, Pg);
delegate!(Json => native::Json, serde_json::Value, Sqlite);
delegate!(Json => native::Jsonb, serde_json::Value, Pg);
as_text!(Decimal, BigDecimal, Sqlite, BigDecimal::to_string);
delegate!(Decimal => native::Numeric, BigDecimal, Pg);
delegate!(TimestampUtc => native::TimestamptzSqlite, DateTime<Utc>, Sqlite);
delegate!(TimestampUtc => native::Timestamptz, DateTime<Utc>, Pg);

#[cfg(feature = "mysql")]
mod mysql {
    use super::*;
    use chrono::NaiveDateTime;
    use diesel::mysql::Mysql;

    as_text!(Uuid, uuid::Uuid, Mysql, hyphenated);
    delegate!(Json => native::Json, serde_json::Value, Mysql);
    delegate!(Decimal => native::Numeric, BigDecimal, Mysql);

    impl ToSql<TimestampUtc, Mysql> for DateTime<Utc> {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Mysql>) -> serialize::Result {
            let naive = self.naive_utc();
            <NaiveDateTime as ToSql<native::Datetime, Mysql>>::to_sql(&naive, &mut out.reborrow())
        }
    }

    impl FromSql<TimestampUtc, Mysql> for DateTime<Utc> {
        fn from_sql(value: <Mysql as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
            let naive = <NaiveDateTime as FromSql<native::Datetime, Mysql>>::from_sql(value)?;
            Ok(naive.and_utc())
        }
    }
}

/// A value bound as a parameter of SQL type `ST`, inferred from where it is used.
///
/// Works for every column type; needed in hand-written Diesel DSL for the columns whose SQL type
/// is one of this module's (UUID, JSON, decimal, UTC timestamp).
///
/// ```
/// use ff_runtime::prelude::*;
/// use ff_runtime::bind;
///
/// #[derive(Entity, Debug, Clone, PartialEq)]
/// pub struct Session {
///     #[ff(primary_key)]
///     pub token: uuid::Uuid,
///     pub user: String,
/// }
///
/// let mut conn = Connection::establish(":memory:")?;
/// conn.create_tables(&[Session::META])?;
/// let token = uuid::Uuid::new_v4();
/// Repository::<Session>::new(&mut conn).insert(&Session { token, user: "ada".into() })?;
/// let found = Repository::<Session>::new(&mut conn).find_by(
///     session::token.eq(bind(token)),
///     OrderBy::none(),
///     None,
///     None,
/// )?;
/// assert_eq!(found.len(), 1);
/// # Ok::<(), ff_runtime::Error>(())
/// ```
pub fn bind<ST, T>(value: T) -> diesel::internal::derives::as_expression::Bound<ST, T> {
    diesel::internal::derives::as_expression::Bound::new(value)
}

/// Arithmetic on decimal columns (exact on PostgreSQL and MySQL; SQLite computes in floating
/// point on the text it stores).
macro_rules! decimal_arithmetic {
    ($($op:ident),*) => {$(
        impl native::ops::$op for Decimal {
            type Rhs = Decimal;
            type Output = Decimal;
        }
    )*};
}

decimal_arithmetic!(Add, Sub, Mul, Div);

/// SUM and AVG of decimal columns are decimals (on SQLite, computed in floating point).
impl native::Foldable for Decimal {
    type Sum = Nullable<Decimal>;
    type Avg = Nullable<Decimal>;
}

/// MIN and MAX of UTC timestamps (on SQLite, text always written in UTC with the same layout,
/// so text order is time order). Decimals have none: SQLite stores them as text, whose order is
/// not numeric.
impl native::SqlOrd for TimestampUtc {}
