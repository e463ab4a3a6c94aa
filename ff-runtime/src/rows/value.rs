//! Values bound as parameters of ff's own statements, on whichever backend runs them.
//!
//! A row's fields have different Rust types; the statements that write or look up rows take
//! them as `&dyn Value`, so one generic statement serves every entity. Whether a field type can
//! be bound on each backend is proven once per type, not once per entity and query.

use diesel::QueryResult;
use diesel::backend::Backend;
use diesel::pg::Pg;
use diesel::query_builder::AstPass;
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Binary, HasSqlType, Text};
use diesel::sqlite::Sqlite;

use crate::entity::FieldType;

/// A value that can be bound as a parameter on every backend ff was built with. Implemented
/// for every [`FieldType`], and for `&str` and `&[u8]` (what finders take). Not public API.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored in a column",
    label = "unsupported field type",
    note = "supported: i16, i32, i64, f32, f64, bool, String, Vec<u8>, chrono::{{NaiveDate, NaiveTime, NaiveDateTime, DateTime<Utc>}}, uuid::Uuid, serde_json::Value, bigdecimal::BigDecimal, Option<T> of these, and enums with #[derive(DbEnum)]"
)]
pub trait Value: Sync {
    /// Binds the value on SQLite.
    fn bind_sqlite<'b>(&'b self, out: &mut AstPass<'_, 'b, Sqlite>) -> QueryResult<()>;
    /// Binds the value on PostgreSQL.
    fn bind_pg<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()>;
    /// Binds the value on MySQL/MariaDB.
    #[cfg(feature = "mysql")]
    fn bind_mysql<'b>(&'b self, out: &mut AstPass<'_, 'b, diesel::mysql::Mysql>)
    -> QueryResult<()>;
}

/// Implements [`Value`] for `$rust` bound as `$sql`, given the bounds that make it bindable.
macro_rules! bind_as {
    ($sql:ty) => {
        fn bind_sqlite<'b>(&'b self, out: &mut AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
            out.push_bind_param::<$sql, Self>(self)
        }

        fn bind_pg<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
            out.push_bind_param::<$sql, Self>(self)
        }

        #[cfg(feature = "mysql")]
        fn bind_mysql<'b>(
            &'b self,
            out: &mut AstPass<'_, 'b, diesel::mysql::Mysql>,
        ) -> QueryResult<()> {
            out.push_bind_param::<$sql, Self>(self)
        }
    };
}

#[cfg(not(feature = "mysql"))]
impl<T> Value for T
where
    T: FieldType + ToSql<T::SqlType, Sqlite> + ToSql<T::SqlType, Pg> + Sync,
    Sqlite: HasSqlType<T::SqlType>,
    Pg: HasSqlType<T::SqlType>,
{
    bind_as!(T::SqlType);
}

#[cfg(feature = "mysql")]
impl<T> Value for T
where
    T: FieldType + ToSql<T::SqlType, Sqlite> + ToSql<T::SqlType, Pg> + Sync,
    T: ToSql<T::SqlType, diesel::mysql::Mysql>,
    Sqlite: HasSqlType<T::SqlType>,
    Pg: HasSqlType<T::SqlType>,
    diesel::mysql::Mysql: HasSqlType<T::SqlType>,
{
    bind_as!(T::SqlType);
}

impl Value for &str {
    bind_as!(Text);
}

impl Value for &[u8] {
    bind_as!(Binary);
}

/// A backend ff's own statements render on: how it binds a [`Value`] and what it needs
/// that the SQL standard leaves open.
pub trait RowBackend: Backend + HasSqlType<BigInt> {
    /// Binds `value` as the next parameter.
    fn bind<'b>(value: &'b dyn Value, out: &mut AstPass<'_, 'b, Self>) -> QueryResult<()>;
    /// The LIMIT that stands for "no limit" before an OFFSET, where one is required.
    const NO_LIMIT: Option<&'static str>;
}

impl RowBackend for Sqlite {
    fn bind<'b>(value: &'b dyn Value, out: &mut AstPass<'_, 'b, Self>) -> QueryResult<()> {
        value.bind_sqlite(out)
    }
    const NO_LIMIT: Option<&'static str> = Some("-1");
}

impl RowBackend for Pg {
    fn bind<'b>(value: &'b dyn Value, out: &mut AstPass<'_, 'b, Self>) -> QueryResult<()> {
        value.bind_pg(out)
    }
    const NO_LIMIT: Option<&'static str> = None;
}

#[cfg(feature = "mysql")]
impl RowBackend for diesel::mysql::Mysql {
    fn bind<'b>(value: &'b dyn Value, out: &mut AstPass<'_, 'b, Self>) -> QueryResult<()> {
        value.bind_mysql(out)
    }
    const NO_LIMIT: Option<&'static str> = Some("18446744073709551615");
}
