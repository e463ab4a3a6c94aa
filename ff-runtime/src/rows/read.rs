//! Reading rows of an entity back from ff's own statements, on every backend.

use diesel::QueryResult;
use diesel::deserialize::FromSqlRow;
use diesel::expression::QueryMetadata;
use diesel::pg::{Pg, PgConnection};
use diesel::query_builder::{Query, QueryId};
use diesel::query_dsl::{CompatibleType, RunQueryDsl};
use diesel::sqlite::{Sqlite, SqliteConnection};

use crate::connection::Connection;
use crate::criteria::PortableFragment;

/// Declares [`RowQuery`] for the connections ff was built with.
macro_rules! row_query {
    ($($connection:ty),*) => {
        /// A statement that returns rows of SQL type `ST` and runs on every backend ff was
        /// built with.
        pub trait RowQuery<ST>:
            Query<SqlType = ST> + QueryId + PortableFragment $(+ RunQueryDsl<$connection>)*
        {
        }

        impl<Q, ST> RowQuery<ST> for Q where
            Q: Query<SqlType = ST> + QueryId + PortableFragment $(+ RunQueryDsl<$connection>)*
        {
        }
    };
}

#[cfg(not(feature = "mysql"))]
row_query!(SqliteConnection, PgConnection);
#[cfg(feature = "mysql")]
row_query!(
    SqliteConnection,
    PgConnection,
    diesel::mysql::MysqlConnection
);

/// The SQL types of an entity's columns, whose rows read back into `E` on every backend ff was
/// built with: proven once per entity, where the derive names the types, so that reading is
/// one generic function rather than a query type-checked per entity. Not public API.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "the columns of `{E}` cannot be read back on every database",
    label = "a field of `{E}` has a type that cannot be read from its column",
    note = "see the error that names the field's type: it cannot be stored in a column"
)]
pub trait RowOf<E>: Sized + 'static {
    /// The rows `query` returns.
    fn read<Q: RowQuery<Self>>(query: Q, conn: &mut Connection) -> QueryResult<Vec<E>>;

    /// The rows `query` returns, on an async connection.
    #[cfg(feature = "async")]
    fn read_async<'q, Q: RowQuery<Self> + Send + 'q>(
        query: Q,
        conn: &'q mut crate::AsyncConnection,
    ) -> impl std::future::Future<Output = QueryResult<Vec<E>>> + Send + 'q;
}

/// Implements [`RowOf`] given the bounds of each backend.
macro_rules! row_of {
    ($($backend:ty),*) => {
        impl<E, ST> RowOf<E> for ST
        where
            ST: 'static $(+ CompatibleType<E, $backend, SqlType = ST>)*,
            E: Send + 'static $(+ FromSqlRow<ST, $backend>)*,
            $($backend: QueryMetadata<ST>,)*
        {
            fn read<Q: RowQuery<Self>>(query: Q, conn: &mut Connection) -> QueryResult<Vec<E>> {
                crate::with_connection!(conn, |c| query.load::<E>(c))
            }

            #[cfg(feature = "async")]
            async fn read_async<'q, Q: RowQuery<Self> + Send + 'q>(
                query: Q,
                conn: &'q mut crate::AsyncConnection,
            ) -> QueryResult<Vec<E>> {
                crate::async_connection::with_async_connection!(conn, |c| {
                    diesel_async::RunQueryDsl::load::<E>(query, c).await
                })
            }
        }
    };
}

#[cfg(not(feature = "mysql"))]
row_of!(Sqlite, Pg);
#[cfg(feature = "mysql")]
row_of!(Sqlite, Pg, diesel::mysql::Mysql);
