//! Running one piece of Diesel code on whichever backend a [`Connection`](crate::Connection)
//! holds.

/// Runs `body` with `c` bound to the concrete Diesel connection inside a
/// [`Connection`](crate::Connection). The body is compiled once per backend, so Diesel's typed
/// DSL is checked against each of them.
///
/// ```
/// use ff_runtime::{Connection, with_connection};
/// use ff_runtime::diesel::{RunQueryDsl, sql_query};
///
/// let mut conn = Connection::establish(":memory:")?;
/// let rows = with_connection!(&mut conn, |c| sql_query("CREATE TABLE t (x INTEGER)").execute(c))?;
/// assert_eq!(rows, 0);
/// # Ok::<(), ff_runtime::Error>(())
/// ```
#[cfg(feature = "mysql")]
#[macro_export]
macro_rules! with_connection {
    ($conn:expr, |$c:ident| $body:expr) => {
        $crate::with_connection!($conn, |$c| $body, mysql: |$c| $body)
    };
    ($conn:expr, |$c:ident| $body:expr, mysql: |$m:ident| $mysql_body:expr) => {
        match $conn {
            $crate::Connection::Sqlite($c) => $body,
            $crate::Connection::Postgres($c) => $body,
            $crate::Connection::Mysql($m) => $mysql_body,
        }
    };
}

/// Runs `body` with `c` bound to the concrete Diesel connection inside a
/// [`Connection`](crate::Connection). The body is compiled once per backend, so Diesel's typed
/// DSL is checked against each of them.
///
/// ```
/// use ff_runtime::{Connection, with_connection};
/// use ff_runtime::diesel::{RunQueryDsl, sql_query};
///
/// let mut conn = Connection::establish(":memory:")?;
/// let rows = with_connection!(&mut conn, |c| sql_query("CREATE TABLE t (x INTEGER)").execute(c))?;
/// assert_eq!(rows, 0);
/// # Ok::<(), ff_runtime::Error>(())
/// ```
#[cfg(not(feature = "mysql"))]
#[macro_export]
macro_rules! with_connection {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::Connection::Sqlite($c) => $body,
            $crate::Connection::Postgres($c) => $body,
        }
    };
    ($conn:expr, |$c:ident| $body:expr, mysql: |$m:ident| $mysql_body:expr) => {
        match $conn {
            $crate::Connection::Sqlite($c) => $body,
            $crate::Connection::Postgres($c) => $body,
        }
    };
}

/// Invokes `$rows!([sync connections], [async connections])` with the Diesel connection types
/// of the backends (and, with the `async` feature, the diesel-async ones) ff is built with:
/// how rows that load on every connection are implemented once.
macro_rules! for_each_connection_set {
    ($rows:ident) => {
        #[cfg(all(not(feature = "mysql"), not(feature = "async")))]
        $rows!([diesel::SqliteConnection, diesel::PgConnection], []);
        #[cfg(all(feature = "mysql", not(feature = "async")))]
        $rows!(
            [
                diesel::SqliteConnection,
                diesel::PgConnection,
                diesel::MysqlConnection
            ],
            []
        );
        #[cfg(all(not(feature = "mysql"), feature = "async"))]
        $rows!(
            [diesel::SqliteConnection, diesel::PgConnection],
            [
                crate::async_connection::AsyncSqlite,
                diesel_async::AsyncPgConnection
            ]
        );
        #[cfg(all(feature = "mysql", feature = "async"))]
        $rows!(
            [
                diesel::SqliteConnection,
                diesel::PgConnection,
                diesel::MysqlConnection
            ],
            [
                crate::async_connection::AsyncSqlite,
                diesel_async::AsyncPgConnection,
                diesel_async::AsyncMysqlConnection
            ]
        );
    };
}
pub(crate) use for_each_connection_set;
