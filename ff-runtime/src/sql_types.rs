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
//! | [`Decimal`] | `DECIMAL(p, s)` (an integer or an 8-byte float) | `NUMERIC(p, s)` | `DECIMAL(p, s)` |
//! | [`Timestamp`] | `TIMESTAMP` (text) | `TIMESTAMP` | `DATETIME(6)` |
//! | [`TimestampUtc`] | `TIMESTAMPTZ` (text with offset) | `TIMESTAMPTZ` | `DATETIME(6)` in UTC |
//!
//! Writing a value outside what the database can hold fails (see [`crate::storage`]); it is
//! never stored as NULL or as another value.
//!
//! Rust's coherence rules keep ff from implementing Diesel's `AsExpression` for these foreign
//! Rust types, so in hand-written Diesel DSL a value of such a column is wrapped in
//! [`bind`]: `product::uid.eq(bind(id))`. Repositories and finders do it for you.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::query_builder::QueryId;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{self as native, HasSqlType, Nullable, SingleValue, SqlType, TypeMetadata};
use diesel::sqlite::{Sqlite, SqliteType};

use crate::storage::{self, POSTGRES_YEARS, SQLITE_YEARS};

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
    /// An exact decimal: `NUMERIC` on PostgreSQL and MySQL; on SQLite a `DECIMAL` column
    /// holding an integer or an 8-byte float, so it compares and sorts as a number.
    Decimal { sqlite: native::Text, pg: native::Numeric, mysql: native::Numeric }
}
portable_sql_type! {
    /// A date and time without time zone: `TIMESTAMP` on PostgreSQL and SQLite, `DATETIME(6)`
    /// on MySQL (whose `TIMESTAMP` type only holds 1970 to 2038).
    Timestamp { sqlite: native::Timestamp, pg: native::Timestamp, mysql: native::Datetime }
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
delegate!(Decimal => native::Numeric, BigDecimal, Pg);

/// Implements `ToSql`/`FromSql` of a date-time type by delegating to a native Diesel type
/// after checking the value against the backend's range (see [`crate::storage`]) and
/// truncating it to microseconds, the precision every backend keeps.
macro_rules! checked_timestamp {
    ($sql:ty => $native:ty, $rust:ty, $backend:ty, $range:expr) => {
        impl ToSql<$sql, $backend> for $rust {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, $backend>) -> serialize::Result {
                let value = storage::check_timestamp(self, $range)?;
                <$rust as ToSql<$native, $backend>>::to_sql(&value, &mut out.reborrow())
            }
        }

        impl FromSql<$sql, $backend> for $rust {
            fn from_sql(value: <$backend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                <$rust as FromSql<$native, $backend>>::from_sql(value)
            }
        }
    };
}

checked_timestamp!(Timestamp => native::Timestamp, NaiveDateTime, Pg, POSTGRES_YEARS);
checked_timestamp!(TimestampUtc => native::Timestamptz, DateTime<Utc>, Pg, POSTGRES_YEARS);

/// Implements `ToSql`/`FromSql` of a date-time type on SQLite: checked and truncated like
/// [`checked_timestamp`], written as text in Diesel's layout (`format`), read by Diesel.
macro_rules! sqlite_timestamp {
    ($sql:ty => $native:ty, $rust:ty, $format:literal) => {
        impl ToSql<$sql, Sqlite> for $rust {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                let value = storage::check_timestamp(self, SQLITE_YEARS)?;
                out.set_value(value.format($format).to_string());
                Ok(IsNull::No)
            }
        }

        impl FromSql<$sql, Sqlite> for $rust {
            fn from_sql(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                <$rust as FromSql<$native, Sqlite>>::from_sql(value)
            }
        }
    };
}

sqlite_timestamp!(Timestamp => native::Timestamp, NaiveDateTime, "%F %T%.f");
sqlite_timestamp!(TimestampUtc => native::TimestamptzSqlite, DateTime<Utc>, "%F %T%.f%:z");

/// SQLite decimals: checked to be a value SQLite keeps exactly (an integer of 64 bits, or 15
/// significant digits), then bound as text, which the column's numeric affinity stores as an
/// integer or a float and compares as a number.
impl ToSql<Decimal, Sqlite> for BigDecimal {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        storage::check_sqlite_decimal(self)?;
        out.set_value(self.to_string());
        Ok(IsNull::No)
    }
}

/// Reads what [`ToSql`] wrote, and the exact text earlier versions of ff stored.
impl FromSql<Decimal, Sqlite> for BigDecimal {
    fn from_sql(mut value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        match value.value_type() {
            Some(SqliteType::Long) => Ok(BigDecimal::from(value.read_long())),
            Some(SqliteType::Double) => Ok(storage::decimal_from_real(value.read_double())?),
            _ => {
                let text = value.read_text();
                BigDecimal::from_str(text)
                    .map_err(|error| format!("`{text}` is not a valid decimal: {error}").into())
            }
        }
    }
}

#[cfg(feature = "mysql")]
mod mysql {
    use super::*;
    use crate::storage::MYSQL_YEARS;
    use diesel::mysql::Mysql;

    as_text!(Uuid, uuid::Uuid, Mysql, hyphenated);
    delegate!(Json => native::Json, serde_json::Value, Mysql);
    delegate!(Decimal => native::Numeric, BigDecimal, Mysql);
    checked_timestamp!(Timestamp => native::Datetime, NaiveDateTime, Mysql, MYSQL_YEARS);

    impl ToSql<TimestampUtc, Mysql> for DateTime<Utc> {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Mysql>) -> serialize::Result {
            let naive = storage::check_timestamp(&self.naive_utc(), MYSQL_YEARS)?;
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

/// A value of an `IN (…)` list made by [`in_list`].
#[derive(Debug, Clone, Copy)]
pub struct InValue<T>(pub T);

impl<ST, T> diesel::expression::AsExpression<ST> for InValue<T>
where
    ST: SqlType + diesel::expression::TypedExpressionType,
{
    type Expression = diesel::internal::derives::as_expression::Bound<ST, Self>;
    fn as_expression(self) -> Self::Expression {
        diesel::internal::derives::as_expression::Bound::new(self)
    }
}

impl<ST, T, DB> ToSql<ST, DB> for InValue<T>
where
    DB: Backend,
    T: ToSql<ST, DB> + std::fmt::Debug,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.0.to_sql(out)
    }
}

/// Values for Diesel's `eq_any` (`IN (…)`) on a column of any type: what [`bind`] is to one
/// value. Needed for the columns whose SQL type is one of this module's.
///
/// ```
/// use ff_runtime::prelude::*;
/// use ff_runtime::in_list;
///
/// #[derive(Entity, Debug, Clone, PartialEq)]
/// pub struct Ticket {
///     #[ff(primary_key)]
///     pub code: uuid::Uuid,
///     #[ff(precision = 8, scale = 2)]
///     pub price: bigdecimal::BigDecimal,
/// }
///
/// let mut conn = Connection::establish(":memory:")?;
/// conn.create_tables(&[Ticket::META])?;
/// let codes = [uuid::Uuid::new_v4(), uuid::Uuid::new_v4()];
/// let cheap = Ticket::query()
///     .filter(ticket::code.eq_any(in_list(codes)))
///     .filter(ticket::price.eq_any(in_list([bigdecimal::BigDecimal::from(5)])))
///     .load(&mut conn)?;
/// assert!(cheap.is_empty());
/// # Ok::<(), ff_runtime::Error>(())
/// ```
pub fn in_list<T>(values: impl IntoIterator<Item = T>) -> Vec<InValue<T>> {
    values.into_iter().map(InValue).collect()
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

/// A timestamp plus or minus an interval is a timestamp, as for Diesel's own `Timestamp`.
impl native::ops::Add for Timestamp {
    type Rhs = native::Interval;
    type Output = Timestamp;
}

impl native::ops::Sub for Timestamp {
    type Rhs = native::Interval;
    type Output = Timestamp;
}

/// SUM and AVG of decimal columns are decimals (on SQLite, computed in floating point).
impl native::Foldable for Decimal {
    type Sum = Nullable<Decimal>;
    type Avg = Nullable<Decimal>;
}

/// MIN and MAX of timestamps (on SQLite, text always written with the same layout and a
/// four-digit year, so text order is time order) and of decimals (numbers on every backend).
impl native::SqlOrd for TimestampUtc {}
impl native::SqlOrd for Timestamp {}
impl native::SqlOrd for Decimal {}
