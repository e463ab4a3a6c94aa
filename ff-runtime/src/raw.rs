//! Raw SQL with bound parameters, mapping rows to entities by column name.

mod scan;

use std::fmt::Write as _;
use std::marker::PhantomData;

use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use diesel::QueryableByName;
use diesel::backend::Backend;
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{self as native, Nullable};
use diesel::sqlite::Sqlite;

use crate::dialect::Backend as Dialect;
use crate::entity::Entity;
use crate::error::{Error, Result, query_error};
use crate::session::Session;
use crate::sql_types;

use scan::{Syntax, is_word_byte, scan};

/// A value bound to a `?` placeholder of a [`RawQuery`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A boolean.
    Bool(bool),
    /// A 16-bit integer.
    SmallInt(i16),
    /// A 32-bit integer.
    Int(i32),
    /// A 64-bit integer.
    BigInt(i64),
    /// A 32-bit float.
    Float(f32),
    /// A 64-bit float.
    Double(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Binary(Vec<u8>),
    /// A date.
    Date(NaiveDate),
    /// A time of day.
    Time(NaiveTime),
    /// A date and time without time zone.
    Timestamp(NaiveDateTime),
    /// An instant in UTC.
    TimestampUtc(DateTime<Utc>),
    /// A UUID, stored as ff stores UUID columns.
    Uuid(uuid::Uuid),
    /// A JSON document.
    Json(serde_json::Value),
    /// An exact decimal.
    Decimal(BigDecimal),
}

macro_rules! value_from {
    ($($rust:ty => $variant:ident),* $(,)?) => {$(
        impl From<$rust> for Value {
            fn from(value: $rust) -> Value {
                Value::$variant(value)
            }
        }
    )*};
}

value_from! {
    bool => Bool, i16 => SmallInt, i32 => Int, i64 => BigInt, f32 => Float, f64 => Double,
    String => Text, Vec<u8> => Binary, NaiveDate => Date, NaiveTime => Time,
    NaiveDateTime => Timestamp, DateTime<Utc> => TimestampUtc, uuid::Uuid => Uuid,
    serde_json::Value => Json, BigDecimal => Decimal,
}

impl From<&str> for Value {
    fn from(value: &str) -> Value {
        Value::Text(value.to_owned())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Value {
        value.map_or(Value::Null, Into::into)
    }
}

/// An SQL statement written by hand, its `?` placeholders bound to values in order, whose
/// rows are read into entities `E` by column name: select every column of the entity's table
/// (`SELECT product.* …`). For what the query builder and Diesel's DSL do not cover.
///
/// Write `?` for each parameter on every backend; on PostgreSQL they become `$1`, `$2`, …
/// A `?` inside a string literal, a quoted name or a comment, as the database reads them, is
/// not a placeholder. Before anything is sent, the SQL is checked: one statement (a trailing
/// `;` is fine, else [`Error::SeveralStatements`]), every string, quoted name and comment
/// closed ([`Error::UnterminatedSql`]), and one bound value per `?`
/// ([`Error::PlaceholderCount`]).
///
/// ```
/// use ff_runtime::prelude::*;
///
/// #[derive(Entity, Debug, Clone)]
/// pub struct City {
///     pub id: i32,
///     pub name: String,
///     pub population: i64,
/// }
///
/// let mut conn = Connection::establish(":memory:")?;
/// conn.create_tables(&[City::META])?;
/// Repository::<City>::new(&mut conn).insert_many(&[
///     City { id: 0, name: "Lyon".into(), population: 522_000 },
///     City { id: 0, name: "Nice".into(), population: 342_000 },
/// ])?;
/// let big: Vec<City> = RawQuery::new("SELECT * FROM city WHERE population > ? AND name <> ?")
///     .bind(400_000_i64)
///     .bind("Paris")
///     .load(&mut conn)?;
/// assert_eq!(big.len(), 1);
/// assert_eq!(big[0].name, "Lyon");
/// # Ok::<(), ff_runtime::Error>(())
/// ```
pub struct RawQuery<E> {
    sql: String,
    values: Vec<Value>,
    _entity: PhantomData<fn() -> E>,
}

impl<E> RawQuery<E> {
    /// A statement with `?` placeholders.
    pub fn new(sql: impl Into<String>) -> Self {
        RawQuery {
            sql: sql.into(),
            values: Vec::new(),
            _entity: PhantomData,
        }
    }

    /// Binds the next `?` to `value`.
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.values.push(value.into());
        self
    }

    /// Runs the statement and reads every row into an `E`: a `Result` on a
    /// [`Connection`](crate::Connection), a future of one on an `AsyncConnection` (see
    /// [`Session`]).
    pub fn load<'q, S: Session>(self, conn: &'q mut S) -> S::Answer<'q, Vec<E>>
    where
        E: Entity + RawRow,
    {
        S::answer(async move {
            let sql = checked_sql(&self.sql, self.values.len(), conn.backend())?;
            conn.raw_load::<E>(sql, self.values)
                .await
                .map_err(query_error::<E>)
        })
    }

    /// Runs a statement that returns no rows; returns the number of rows it affected. Errors
    /// are told apart as for `E`'s table (a unique violation is [`Error::UniqueViolation`]).
    pub fn execute<'q, S: Session>(self, conn: &'q mut S) -> S::Answer<'q, usize>
    where
        E: Entity,
    {
        S::answer(async move {
            let sql = checked_sql(&self.sql, self.values.len(), conn.backend())?;
            conn.raw_execute(sql, self.values)
                .await
                .map_err(query_error::<E>)
        })
    }
}

/// An entity read by column name on every backend ff was built with (generated by
/// `#[derive(Entity)]`).
#[cfg(not(feature = "mysql"))]
pub trait RawRow: QueryableByName<Sqlite> + QueryableByName<Pg> + 'static {}
#[cfg(not(feature = "mysql"))]
impl<E> RawRow for E where E: QueryableByName<Sqlite> + QueryableByName<Pg> + 'static {}

/// An entity read by column name on every backend ff was built with (generated by
/// `#[derive(Entity)]`).
#[cfg(feature = "mysql")]
pub trait RawRow:
    QueryableByName<Sqlite> + QueryableByName<Pg> + QueryableByName<diesel::mysql::Mysql> + 'static
{
}
#[cfg(feature = "mysql")]
impl<E> RawRow for E where
    E: QueryableByName<Sqlite>
        + QueryableByName<Pg>
        + QueryableByName<diesel::mysql::Mysql>
        + 'static
{
}

/// A backend every [`Value`] can be bound on.
pub(crate) trait BindValue: Backend + Sized {
    fn bind_value(
        query: BoxedSqlQuery<'static, Self, SqlQuery>,
        value: Value,
    ) -> BoxedSqlQuery<'static, Self, SqlQuery>;
}

/// `query` with `values` bound to its placeholders, in order.
pub(crate) fn bind_all<DB: BindValue>(
    mut query: BoxedSqlQuery<'static, DB, SqlQuery>,
    values: Vec<Value>,
) -> BoxedSqlQuery<'static, DB, SqlQuery> {
    for value in values {
        query = DB::bind_value(query, value);
    }
    query
}

macro_rules! bind_value {
    ($backend:ty) => {
        impl BindValue for $backend {
            fn bind_value(
                query: BoxedSqlQuery<'static, Self, SqlQuery>,
                value: Value,
            ) -> BoxedSqlQuery<'static, Self, SqlQuery> {
                match value {
                    Value::Null => query.bind::<Nullable<native::Text>, Option<String>>(None),
                    Value::Bool(v) => query.bind::<native::Bool, _>(v),
                    Value::SmallInt(v) => query.bind::<native::SmallInt, _>(v),
                    Value::Int(v) => query.bind::<native::Integer, _>(v),
                    Value::BigInt(v) => query.bind::<native::BigInt, _>(v),
                    Value::Float(v) => query.bind::<native::Float, _>(v),
                    Value::Double(v) => query.bind::<native::Double, _>(v),
                    Value::Text(v) => query.bind::<native::Text, _>(v),
                    Value::Binary(v) => query.bind::<native::Binary, _>(v),
                    Value::Date(v) => query.bind::<native::Date, _>(v),
                    Value::Time(v) => query.bind::<native::Time, _>(v),
                    Value::Timestamp(v) => query.bind::<sql_types::Timestamp, _>(v),
                    Value::TimestampUtc(v) => query.bind::<sql_types::TimestampUtc, _>(v),
                    Value::Uuid(v) => query.bind::<sql_types::Uuid, _>(v),
                    Value::Json(v) => query.bind::<sql_types::Json, _>(v),
                    Value::Decimal(v) => query.bind::<sql_types::Decimal, _>(v),
                }
            }
        }
    };
}

bind_value!(Sqlite);
bind_value!(Pg);
#[cfg(feature = "mysql")]
bind_value!(diesel::mysql::Mysql);

/// `sql` as `backend` is sent it, once checked to hold one statement, no unterminated string,
/// quoted name or comment, and one `?` placeholder per bound value (of which there are
/// `bound`). PostgreSQL numbers its placeholders: `$1`, `$2`, …
fn checked_sql(sql: &str, bound: usize, backend: Dialect) -> Result<String> {
    let scan = scan(sql, Syntax::of(backend)).map_err(|open| Error::UnterminatedSql {
        sql: sql.to_owned(),
        what: open.what,
        at: open.at,
    })?;
    if scan.several_statements {
        return Err(Error::SeveralStatements {
            sql: sql.to_owned(),
        });
    }
    if scan.placeholders.len() != bound {
        return Err(Error::PlaceholderCount {
            sql: sql.to_owned(),
            placeholders: scan.placeholders.len(),
            bound,
        });
    }
    Ok(match backend {
        Dialect::Postgres => numbered(sql, &scan.placeholders),
        Dialect::Sqlite | Dialect::Mysql => sql.to_owned(),
    })
}

/// `sql` with the `?` at each of the byte offsets `placeholders` written `$1`, `$2`, … A space
/// keeps a number apart from a word it touches: `LIMIT?` is `LIMIT $1`, not the name `LIMIT$1`.
fn numbered(sql: &str, placeholders: &[usize]) -> String {
    let touches_word = |byte: Option<&u8>| byte.is_some_and(|&b| is_word_byte(b));
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 3 * placeholders.len());
    let mut copied = 0;
    for (index, &at) in placeholders.iter().enumerate() {
        out.push_str(&sql[copied..at]);
        let before = if touches_word(at.checked_sub(1).and_then(|i| bytes.get(i))) {
            " "
        } else {
            ""
        };
        let after = if touches_word(bytes.get(at + 1)) {
            " "
        } else {
            ""
        };
        let _ = write!(out, "{before}${}{after}", index + 1);
        copied = at + 1;
    }
    out.push_str(&sql[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_on_postgres_outside_quotes_only() {
        let sql = "SELECT * FROM t WHERE a = ? AND b = '?' AND \"c?\" = ? -- d?";
        assert_eq!(
            checked_sql(sql, 2, Dialect::Postgres).unwrap(),
            "SELECT * FROM t WHERE a = $1 AND b = '?' AND \"c?\" = $2 -- d?"
        );
        assert_eq!(checked_sql(sql, 2, Dialect::Sqlite).unwrap(), sql);
        assert_eq!(checked_sql(sql, 2, Dialect::Mysql).unwrap(), sql);
    }

    #[test]
    fn a_numbered_placeholder_is_kept_apart_from_the_word_it_touches() {
        assert_eq!(
            checked_sql("SELECT ?x FROM t LIMIT?", 2, Dialect::Postgres).unwrap(),
            "SELECT $1 x FROM t LIMIT $2"
        );
        assert_eq!(
            checked_sql("SELECT (?),?+1", 2, Dialect::Postgres).unwrap(),
            "SELECT ($1),$2+1"
        );
    }

    #[test]
    fn a_bind_count_other_than_the_placeholder_count_is_refused() {
        let sql = "UPDATE t SET a = ? WHERE b = ? AND c <> '?'";
        for backend in Dialect::ALL {
            for bound in [1, 3] {
                let error = checked_sql(sql, bound, backend).unwrap_err();
                assert!(
                    matches!(error, Error::PlaceholderCount { placeholders: 2, bound: b, .. } if b == bound),
                    "{error:?}"
                );
            }
        }
        let message = checked_sql(sql, 1, Dialect::Sqlite)
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "the SQL has 2 `?` placeholders but 1 value was bound: bind one value per `?` \
             (a `?` inside a string, a quoted name or a comment is not a placeholder) in \
             `UPDATE t SET a = ? WHERE b = ? AND c <> '?'`"
        );
    }

    #[test]
    fn a_second_statement_is_refused_and_a_trailing_semicolon_is_not() {
        for backend in Dialect::ALL {
            let error = checked_sql("UPDATE t SET a = 1; DROP TABLE t", 0, backend).unwrap_err();
            assert_eq!(
                error.to_string(),
                "raw SQL runs one statement at a time: split `UPDATE t SET a = 1; DROP TABLE t` \
                 into separate queries, one per statement"
            );
            assert!(checked_sql("UPDATE t SET a = ?; -- done\n", 1, backend).is_ok());
        }
    }

    #[test]
    fn an_unterminated_literal_is_refused_with_where_it_opens() {
        let error = checked_sql("SELECT 'abc", 0, Dialect::Postgres).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the SQL has an unterminated string literal `'…'` (opened at byte 7): close it in \
             `SELECT 'abc`"
        );
    }
}
