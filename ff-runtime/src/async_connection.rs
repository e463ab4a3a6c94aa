//! The async connection: one type for every backend, on diesel-async, chosen from the URL.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;

use diesel::Connection as _;
use diesel::QueryResult;
use diesel::connection::Instrumentation;
use diesel::query_builder::QueryId;
use diesel::sqlite::SqliteConnection;
use diesel_async::pg::AsyncPgConnection;
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection as _, SimpleAsyncConnection, TransactionManager};
use futures_util::FutureExt;

use crate::config::Config;
use crate::connection::Connection;
use crate::criteria::PortableFragment;
use crate::dialect::Backend;
use crate::echo::{Echo, EchoInstrumentation};
use crate::entity::Entity;
use crate::error::{Error, Result};
use crate::join::{JoinStatement, JoinedRows};
use crate::query::{AggregateQuery, AggregateType};
use crate::raw::{RawRow, Value as RawValue, bind_all};
use crate::rows::{RowOf, RowQuery};
use crate::session::Session;
use crate::url::{DatabaseUrl, mask_password};

/// Runs `body` with `c` bound to the diesel-async connection inside an [`AsyncConnection`].
macro_rules! with_async_connection {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn.driver() {
            $crate::AsyncDriver::Sqlite($c) => $body,
            $crate::AsyncDriver::Postgres($c) => $body,
            #[cfg(feature = "mysql")]
            $crate::AsyncDriver::Mysql($c) => $body,
        }
    };
}
pub(crate) use with_async_connection;

/// A connection to SQLite, PostgreSQL or MySQL/MariaDB for async code (tokio), with the
/// feature `async`. Repositories, queries and the generated finders take it where they take a
/// [`Connection`], and answer with futures:
///
/// ```
/// use ff_runtime::prelude::*;
/// use ff_runtime::{AsyncConnection, AsyncRepository};
///
/// #[derive(Entity, Debug, Clone, PartialEq)]
/// pub struct Tag {
///     pub id: i32,
///     #[ff(unique)]
///     pub name: String,
/// }
///
/// # let file = std::env::temp_dir().join(format!("ff-doc-async-{}.db", std::process::id()));
/// # let url = format!("sqlite://{}", file.display());
/// # Connection::establish(&url)?.create_tables(&[Tag::META])?;
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let mut conn = AsyncConnection::establish(&url).await?;
/// let orm = AsyncRepository::<Tag>::new(&mut conn).insert(&Tag { id: 0, name: "orm".into() }).await?;
/// assert_eq!(Tag::find_one_by_name(&mut conn, "orm").await?, Some(orm));
/// assert_eq!(Tag::query().filter(tag::name.like("o%")).count(&mut conn).await?, 1);
/// # Ok::<(), ff_runtime::Error>(())
/// # })?;
/// # std::fs::remove_file(file).ok();
/// # Ok::<(), ff_runtime::Error>(())
/// ```
///
/// SQLite has no async driver: its connection runs each statement on tokio's blocking thread
/// pool (diesel-async's `SyncConnectionWrapper`). PostgreSQL connections are made without TLS.
pub struct AsyncConnection {
    driver: AsyncDriver,
    /// The URL the connection was made from: migrations, which have no async form, run on a
    /// blocking connection to it beside this one. Never shown.
    url: String,
}

/// SQLite's connection under diesel-async.
pub(crate) type AsyncSqlite = SyncConnectionWrapper<SqliteConnection>;

/// The diesel-async connection inside an [`AsyncConnection`], to run diesel-async's DSL on:
/// `match conn.driver() { AsyncDriver::Postgres(c) => …, … }`.
// A program holds few connections, for long: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum AsyncDriver {
    /// An SQLite database file, on tokio's blocking thread pool.
    Sqlite(AsyncSqlite),
    /// A PostgreSQL server.
    Postgres(AsyncPgConnection),
    /// A MySQL or MariaDB server.
    #[cfg(feature = "mysql")]
    Mysql(diesel_async::AsyncMysqlConnection),
}

impl std::fmt::Debug for AsyncConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("AsyncConnection")
            .field(&Session::backend(self))
            .finish()
    }
}

impl AsyncConnection {
    /// Connects to the database at `url`, as [`Connection::establish`] does, from inside a
    /// tokio runtime. Errors name the URL with its password masked and say why.
    pub async fn establish(url: &str) -> Result<AsyncConnection> {
        let parsed = DatabaseUrl::parse(url)?;
        let failed = |error: diesel::ConnectionError| Error::Connection {
            url: parsed.masked(),
            reason: parsed.scrub(error.to_string().trim()),
        };
        let driver = match parsed.backend() {
            Backend::Sqlite => {
                let url = url.to_owned();
                let opened = tokio::task::spawn_blocking(move || Connection::establish(&url))
                    .await
                    .map_err(|error| Error::Connection {
                        url: parsed.masked(),
                        reason: error.to_string(),
                    })??;
                let Connection::Sqlite(conn) = opened else {
                    unreachable!("an SQLite URL opens an SQLite connection")
                };
                AsyncDriver::Sqlite(SyncConnectionWrapper::new(conn))
            }
            Backend::Postgres => AsyncPgConnection::establish(parsed.driver_url())
                .await
                .map(AsyncDriver::Postgres)
                .map_err(failed)?,
            #[cfg(feature = "mysql")]
            Backend::Mysql => diesel_async::AsyncMysqlConnection::establish(parsed.driver_url())
                .await
                .map(AsyncDriver::Mysql)
                .map_err(failed)?,
            #[cfg(not(feature = "mysql"))]
            Backend::Mysql => {
                return Err(Error::BackendNotCompiled {
                    url: parsed.masked(),
                    backend: "MySQL/MariaDB",
                    feature: "mysql",
                });
            }
        };
        Ok(AsyncConnection {
            driver,
            url: url.to_owned(),
        })
    }

    /// The diesel-async connection inside, to run diesel-async's DSL on.
    pub fn driver(&mut self) -> &mut AsyncDriver {
        &mut self.driver
    }

    /// Runs `work` on a blocking connection to this database, on tokio's blocking thread pool:
    /// for SQLite this very connection, for a server a new one to the same URL (which does not
    /// see this connection's open transaction).
    pub(crate) async fn blocking<T, E>(
        &mut self,
        work: impl FnOnce(&mut Connection) -> std::result::Result<T, E> + Send + 'static,
    ) -> std::result::Result<T, E>
    where
        T: Send + 'static,
        E: From<Error> + Send + 'static,
    {
        if let AsyncDriver::Sqlite(wrapper) = &mut self.driver {
            let outcome = wrapper.spawn_blocking(move |inner| {
                let placeholder = SqliteConnection::establish(":memory:")
                    .map_err(|error| diesel::result::Error::QueryBuilderError(error.into()))?;
                let mut conn = Connection::Sqlite(std::mem::replace(inner, placeholder));
                let outcome = work(&mut conn);
                let Connection::Sqlite(own) = conn else {
                    unreachable!("the connection stays an SQLite connection")
                };
                *inner = own;
                Ok(outcome)
            });
            return outcome.await.map_err(Error::from)?;
        }
        let url = self.url.clone();
        let outcome = tokio::task::spawn_blocking(move || {
            let mut conn = Connection::establish(&url)?;
            work(&mut conn)
        });
        outcome.await.map_err(|error| Error::Connection {
            url: mask_password(&self.url),
            reason: error.to_string(),
        })?
    }

    /// Connects as the settings say ([`Config::load`]), like [`Connection::from_env`].
    pub async fn from_env() -> Result<AsyncConnection> {
        AsyncConnection::from_config(&Config::load()?).await
    }

    /// Connects as `config` says: to its URL, with its `echo` and `statement_cache`.
    pub async fn from_config(config: &Config) -> Result<AsyncConnection> {
        let mut connection = AsyncConnection::establish(config.database_url()?).await?;
        connection.set_echo(config.echo.value);
        connection.set_statement_cache(config.statement_cache.value);
        Ok(connection)
    }

    /// The backend this connection talks to.
    pub fn backend(&self) -> Backend {
        Session::backend(self)
    }

    /// Runs SQL statements separated by semicolons, without parameters.
    pub async fn batch_execute(&mut self, sql: &str) -> Result<()> {
        with_async_connection!(self, |c| c.batch_execute(sql).await)?;
        Ok(())
    }

    /// Runs `work` in a transaction: committed when it returns `Ok`, rolled back when it
    /// returns `Err` or panics (the panic then goes on). Nested calls use savepoints.
    ///
    /// ```
    /// # use ff_runtime::{AsyncConnection, Error};
    /// # async fn example(conn: &mut AsyncConnection) -> Result<(), Error> {
    /// let outcome: Result<(), Error> = conn
    ///     .transaction(async |conn| {
    ///         conn.batch_execute("INSERT INTO t VALUES (1)").await?;
    ///         Err(Error::NotFound { table: "t".into() })
    ///     })
    ///     .await;
    /// assert!(outcome.is_err()); // the insert was rolled back
    /// # Ok(())
    /// # }
    /// ```
    pub async fn transaction<T, E>(
        &mut self,
        work: impl AsyncFnOnce(&mut AsyncConnection) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<Error>,
    {
        Session::begin(self).await.map_err(Error::from)?;
        match AssertUnwindSafe(work(self)).catch_unwind().await {
            Ok(Ok(value)) => {
                Session::commit(self).await.map_err(Error::from)?;
                Ok(value)
            }
            Ok(Err(error)) => {
                Session::rollback(self).await.map_err(Error::from)?;
                Err(error)
            }
            Err(panic) => {
                // The panic is what the caller must see; a failed rollback adds nothing to it.
                let _ = Session::rollback(self).await;
                std::panic::resume_unwind(panic)
            }
        }
    }

    /// Sends Diesel's instrumentation events of this connection to `instrumentation`, like
    /// [`Connection::set_instrumentation`].
    pub fn set_instrumentation(&mut self, instrumentation: impl Instrumentation) {
        with_async_connection!(self, |c| c.set_instrumentation(instrumentation))
    }

    /// Logs the statements this connection runs through `tracing`, like
    /// [`Connection::set_echo`].
    pub fn set_echo(&mut self, echo: Echo) {
        self.set_instrumentation(EchoInstrumentation::new(echo));
    }

    /// Keeps each statement prepared on the server for reuse (`true`, the default), or prepares
    /// it anew each time it runs (`false`), like [`Connection::set_statement_cache`].
    /// On PostgreSQL the statement is still prepared under a name before it runs, in a round
    /// trip of its own, so this is not enough for PgBouncer in transaction mode before 1.21.
    pub fn set_statement_cache(&mut self, enabled: bool) {
        let size = crate::connection::cache_size(enabled);
        with_async_connection!(self, |c| c.set_prepared_statement_cache_size(size))
    }

    /// Whether the connection is inside a transaction, or left one broken: a pool does not
    /// hand such a connection out again.
    pub(crate) fn is_in_transaction(&mut self) -> bool {
        with_async_connection!(self, |c| in_transaction(c))
    }
}

/// Whether `c` has a transaction open or its transaction state is broken.
fn in_transaction<C: diesel_async::AsyncConnection>(c: &mut C) -> bool {
    C::TransactionManager::is_broken_transaction_manager(c)
}

async fn begin<C: diesel_async::AsyncConnection>(c: &mut C) -> QueryResult<()> {
    C::TransactionManager::begin_transaction(c).await
}

async fn commit<C: diesel_async::AsyncConnection>(c: &mut C) -> QueryResult<()> {
    C::TransactionManager::commit_transaction(c).await
}

async fn rollback<C: diesel_async::AsyncConnection>(c: &mut C) -> QueryResult<()> {
    C::TransactionManager::rollback_transaction(c).await
}

impl Session for AsyncConnection {
    type Answer<'q, T: Send + 'q> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'q>>;

    fn answer<'q, T: Send + 'q>(
        work: impl Future<Output = Result<T>> + Send + 'q,
    ) -> Self::Answer<'q, T> {
        Box::pin(work)
    }

    fn backend(&self) -> Backend {
        match self.driver {
            AsyncDriver::Sqlite(_) => Backend::Sqlite,
            AsyncDriver::Postgres(_) => Backend::Postgres,
            #[cfg(feature = "mysql")]
            AsyncDriver::Mysql(_) => Backend::Mysql,
        }
    }

    fn read<'q, E: Entity, Q: RowQuery<E::SqlRow> + Send + 'q>(
        &'q mut self,
        query: Q,
    ) -> impl Future<Output = QueryResult<Vec<E>>> + Send + 'q {
        E::SqlRow::read_async(query, self)
    }

    async fn execute<'q, S: PortableFragment + QueryId + Send + 'q>(
        &'q mut self,
        statement: S,
    ) -> QueryResult<usize> {
        with_async_connection!(self, |c| diesel_async::RunQueryDsl::execute(statement, c)
            .await)
    }

    async fn begin(&mut self) -> QueryResult<()> {
        match &mut self.driver {
            AsyncDriver::Sqlite(c) => {
                c.spawn_blocking(crate::connection::begin_sqlite_transaction)
                    .await
            }
            _ => with_async_connection!(self, |c| begin(c).await),
        }
    }

    async fn commit(&mut self) -> QueryResult<()> {
        with_async_connection!(self, |c| commit(c).await)
    }

    async fn rollback(&mut self) -> QueryResult<()> {
        with_async_connection!(self, |c| rollback(c).await)
    }

    fn aggregate<'q, T: 'q, ST: AggregateType<U> + 'q, U: Send + 'q>(
        &'q mut self,
        query: AggregateQuery<'q, T, ST>,
    ) -> impl Future<Output = QueryResult<U>> + Send + 'q {
        ST::load_async(query, self)
    }

    async fn last_insert_id(&mut self) -> QueryResult<i64> {
        #[cfg(feature = "mysql")]
        if let AsyncDriver::Mysql(c) = &mut self.driver {
            let id = diesel_async::RunQueryDsl::get_result::<u64>(
                diesel::select(crate::__private::last_insert_id()),
                c,
            )
            .await?;
            return i64::try_from(id).map_err(|_| diesel::result::Error::NotFound);
        }
        unreachable!("only MySQL reads inserted rows back by key")
    }

    fn joined<'q, ST: 'q, U: JoinedRows<ST> + Send + 'q>(
        &'q mut self,
        statement: JoinStatement<'q, 'q, ST>,
    ) -> impl Future<Output = QueryResult<Vec<U>>> + Send + 'q {
        U::load_async(statement, self)
    }

    fn grouped<'q, ST: crate::group::LoadRows<U> + 'q, U: Send + 'q>(
        &'q mut self,
        statement: crate::group::Statement<'q, ST>,
    ) -> impl Future<Output = QueryResult<Vec<U>>> + Send + 'q {
        ST::load_rows_async(statement, self)
    }

    async fn raw_load<E: RawRow + Send>(
        &mut self,
        sql: String,
        values: Vec<RawValue>,
    ) -> QueryResult<Vec<E>> {
        with_async_connection!(self, |c| {
            let query = bind_all(diesel::sql_query(sql).into_boxed(), values);
            diesel_async::RunQueryDsl::load::<E>(query, c).await
        })
    }

    async fn raw_execute(&mut self, sql: String, values: Vec<RawValue>) -> QueryResult<usize> {
        with_async_connection!(self, |c| {
            let query = bind_all(diesel::sql_query(sql).into_boxed(), values);
            diesel_async::RunQueryDsl::execute(query, c).await
        })
    }
}
