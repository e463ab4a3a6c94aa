//! One connection type for every backend, chosen from the URL at run time.

use diesel::connection::{
    AnsiTransactionManager, CacheSize, Instrumentation, SimpleConnection, TransactionManager,
};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection as _, ConnectionError, QueryResult};

use crate::config::Config;
use crate::ddl;
use crate::dialect::Backend;
use crate::echo::{Echo, EchoInstrumentation};
use crate::error::{Error, Result};
use crate::schema::TableDef;
use crate::url::DatabaseUrl;

/// Run on every new SQLite connection: foreign keys are off by default in SQLite, and a busy
/// writer is waited for.
pub(crate) const SQLITE_SETUP: &str = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";

/// A connection to SQLite, PostgreSQL or MySQL/MariaDB.
///
/// Each variant holds Diesel's own connection, so Diesel's typed DSL runs on it unchanged:
/// match on the variant, or use [`with_connection!`](crate::with_connection) to write the
/// query once for every backend.
///
/// ```
/// use ff_runtime::Connection;
///
/// let mut conn = Connection::establish("sqlite://:memory:")?;
/// assert_eq!(conn.backend(), ff_runtime::Backend::Sqlite);
/// # Ok::<(), ff_runtime::Error>(())
/// ```
pub enum Connection {
    /// An SQLite database file (or `:memory:`).
    Sqlite(SqliteConnection),
    /// A PostgreSQL server.
    Postgres(PgConnection),
    /// A MySQL or MariaDB server.
    #[cfg(feature = "mysql")]
    Mysql(diesel::mysql::MysqlConnection),
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Connection").field(&self.backend()).finish()
    }
}

impl Connection {
    /// Connects to the database at `url`: `sqlite://path` (or a plain path, or
    /// `sqlite://:memory:`), `postgres://…` or `mysql://…`.
    ///
    /// Errors name the URL with its password masked and say why the connection failed.
    pub fn establish(url: &str) -> Result<Connection> {
        let url = DatabaseUrl::parse(url)?;
        let failed = |error: ConnectionError| Error::Connection {
            url: url.masked(),
            // The driver may echo the URL or the password.
            reason: url.scrub(error.to_string().trim()),
        };
        let connection = match url.backend() {
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(url.driver_url()).map_err(failed)?;
                conn.batch_execute(SQLITE_SETUP)?;
                Connection::Sqlite(conn)
            }
            Backend::Postgres => {
                Connection::Postgres(PgConnection::establish(url.driver_url()).map_err(failed)?)
            }
            #[cfg(feature = "mysql")]
            Backend::Mysql => Connection::Mysql(
                diesel::mysql::MysqlConnection::establish(url.driver_url()).map_err(failed)?,
            ),
            #[cfg(not(feature = "mysql"))]
            Backend::Mysql => {
                return Err(Error::BackendNotCompiled {
                    url: url.masked(),
                    backend: "MySQL/MariaDB",
                    feature: "mysql",
                });
            }
        };
        Ok(connection)
    }

    /// Connects as the settings say ([`Config::load`]): to `DATABASE_URL` from the environment,
    /// else from the nearest `.env` file, else to `url` of the `[database]` section of the
    /// nearest `ff.toml`; with that section's `echo` and `statement_cache`.
    pub fn from_env() -> Result<Connection> {
        Connection::from_config(&Config::load()?)
    }

    /// Connects as `config` says: to its URL, with its `echo` and `statement_cache`.
    pub fn from_config(config: &Config) -> Result<Connection> {
        let mut connection = Connection::establish(config.database_url()?)?;
        connection.set_echo(config.echo.value);
        connection.set_statement_cache(config.statement_cache.value);
        Ok(connection)
    }

    /// The backend this connection talks to.
    pub fn backend(&self) -> Backend {
        match self {
            Connection::Sqlite(_) => Backend::Sqlite,
            Connection::Postgres(_) => Backend::Postgres,
            #[cfg(feature = "mysql")]
            Connection::Mysql(_) => Backend::Mysql,
        }
    }

    /// Runs SQL statements separated by semicolons, without parameters (schema changes, set-up).
    pub fn batch_execute(&mut self, sql: &str) -> Result<()> {
        crate::with_connection!(self, |c| c.batch_execute(sql))?;
        Ok(())
    }

    /// Creates the tables of these entities (their `META`), parents before children, with
    /// their indexes and constraints, in one transaction where the database allows it.
    pub fn create_tables(&mut self, tables: &[&TableDef]) -> Result<()> {
        crate::dialect::check_indexes(self.backend(), tables.iter().copied())?;
        let statements = ddl::create_statements(self.backend().dialect(), tables);
        let statements = self.adapt_to_server(statements)?;
        self.execute_all(&statements)
    }

    /// Rendered statements adapted to the server they run on: MySQL and MariaDB tables get the
    /// server's binary collation without trailing-space padding (see
    /// [`no_pad_collation`](crate::dialect::no_pad_collation)).
    pub fn adapt_to_server(&mut self, statements: Vec<String>) -> Result<Vec<String>> {
        match self {
            #[cfg(feature = "mysql")]
            Connection::Mysql(conn) => {
                let collation = crate::dialect::server_collation(conn)?;
                Ok(statements
                    .iter()
                    .map(|sql| crate::dialect::with_collation(sql, collation))
                    .collect())
            }
            _ => Ok(statements),
        }
    }

    /// Drops the tables of these entities, children before parents.
    pub fn drop_tables(&mut self, tables: &[&TableDef]) -> Result<()> {
        let statements = ddl::drop_statements(self.backend().dialect(), tables);
        self.execute_all(&statements)
    }

    fn execute_all(&mut self, statements: &[String]) -> Result<()> {
        self.transaction(|conn| {
            statements
                .iter()
                .try_for_each(|statement| conn.batch_execute(statement))
        })
    }

    /// Runs `work` in a transaction: committed when it returns `Ok`, rolled back when it
    /// returns `Err` or panics (the panic then goes on). Nested calls use savepoints.
    ///
    /// ```
    /// use ff_runtime::Connection;
    ///
    /// let mut conn = Connection::establish(":memory:")?;
    /// conn.batch_execute("CREATE TABLE t (x INTEGER)")?;
    /// let outcome: Result<(), ff_runtime::Error> = conn.transaction(|conn| {
    ///     conn.batch_execute("INSERT INTO t VALUES (1)")?;
    ///     Err(ff_runtime::Error::NotFound { table: "t".into() })
    /// });
    /// assert!(outcome.is_err()); // the insert was rolled back
    /// # Ok::<(), ff_runtime::Error>(())
    /// ```
    pub fn transaction<T, E>(
        &mut self,
        work: impl FnOnce(&mut Connection) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<Error>,
    {
        self.begin_transaction().map_err(Error::from)?;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(self))) {
            Ok(Ok(value)) => {
                self.commit_transaction().map_err(Error::from)?;
                Ok(value)
            }
            Ok(Err(error)) => {
                self.rollback_transaction().map_err(Error::from)?;
                Err(error)
            }
            Err(panic) => {
                // The panic is what the caller must see; a failed rollback adds nothing to it.
                let _ = self.rollback_transaction();
                std::panic::resume_unwind(panic)
            }
        }
    }

    /// Begins a transaction, or a savepoint inside one.
    pub(crate) fn begin_transaction(&mut self) -> QueryResult<()> {
        match self {
            Connection::Sqlite(c) => begin_sqlite_transaction(c),
            _ => crate::with_connection!(self, |c| AnsiTransactionManager::begin_transaction(c)),
        }
    }

    /// Commits the innermost transaction (releases its savepoint).
    pub(crate) fn commit_transaction(&mut self) -> QueryResult<()> {
        crate::with_connection!(self, |c| AnsiTransactionManager::commit_transaction(c))
    }

    /// Rolls the innermost transaction back (to its savepoint).
    pub(crate) fn rollback_transaction(&mut self) -> QueryResult<()> {
        crate::with_connection!(self, |c| AnsiTransactionManager::rollback_transaction(c))
    }

    /// Whether a transaction is open, or its state is broken: a pool does not reuse such a
    /// connection.
    pub(crate) fn is_in_transaction(&mut self) -> bool {
        crate::with_connection!(self, |c| {
            AnsiTransactionManager::transaction_manager_status_mut(c)
                .transaction_depth()
                .map_or(true, |depth| depth.is_some())
        })
    }

    /// MySQL's `LAST_INSERT_ID()`: the first key generated by the last INSERT.
    pub(crate) fn mysql_last_insert_id(&mut self) -> QueryResult<i64> {
        #[cfg(feature = "mysql")]
        if let Connection::Mysql(c) = self {
            use diesel::RunQueryDsl;
            let id = diesel::select(crate::__private::last_insert_id()).get_result::<u64>(c)?;
            return i64::try_from(id).map_err(|_| diesel::result::Error::NotFound);
        }
        unreachable!("only MySQL reads inserted rows back by key")
    }

    /// Sends Diesel's instrumentation events of this connection (every statement, with its
    /// SQL, and every transaction step) to `instrumentation`, e.g. to log or count queries.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use ff_runtime::Connection;
    /// use ff_runtime::diesel::connection::InstrumentationEvent;
    ///
    /// let mut conn = Connection::establish(":memory:")?;
    /// let statements = Arc::new(Mutex::new(Vec::new()));
    /// let log = Arc::clone(&statements);
    /// conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
    ///     if let InstrumentationEvent::StartQuery { query, .. } = event {
    ///         log.lock().unwrap().push(query.to_string());
    ///     }
    /// });
    /// conn.batch_execute("CREATE TABLE t (x INTEGER)")?;
    /// assert_eq!(statements.lock().unwrap().len(), 1);
    /// # Ok::<(), ff_runtime::Error>(())
    /// ```
    pub fn set_instrumentation(&mut self, instrumentation: impl Instrumentation) {
        crate::with_connection!(self, |c| c.set_instrumentation(instrumentation))
    }

    /// Logs the statements this connection runs through `tracing`, at DEBUG under the target
    /// [`ff::sql`](crate::ECHO_TARGET): each with its SQL, `duration_us`, `ok` and, when it
    /// failed, `error`; with [`Echo::WithBinds`] also its `binds`. The connection URL is never
    /// logged. This replaces any [`set_instrumentation`](Connection::set_instrumentation).
    ///
    /// ```
    /// use ff_runtime::{Connection, Echo};
    ///
    /// let mut conn = Connection::establish(":memory:")?;
    /// conn.set_echo(Echo::Statements); // seen by any tracing subscriber, e.g. tracing-subscriber
    /// conn.batch_execute("CREATE TABLE t (x INTEGER)")?;
    /// conn.set_echo(Echo::Off);
    /// # Ok::<(), ff_runtime::Error>(())
    /// ```
    pub fn set_echo(&mut self, echo: Echo) {
        self.set_instrumentation(EchoInstrumentation::new(echo));
    }

    /// Keeps each statement prepared on the server for reuse (`true`, the default), or prepares
    /// it anew each time it runs (`false`). Turn the cache off behind PgBouncer in transaction
    /// mode (before 1.21), where a statement prepared on one server connection is unknown to
    /// the next: PostgreSQL then gets each statement as an unnamed one, prepared and run in one
    /// round trip.
    ///
    /// ```
    /// let mut conn = ff_runtime::Connection::establish(":memory:")?;
    /// conn.set_statement_cache(false);
    /// # Ok::<(), ff_runtime::Error>(())
    /// ```
    pub fn set_statement_cache(&mut self, enabled: bool) {
        let size = cache_size(enabled);
        crate::with_connection!(self, |c| c.set_prepared_statement_cache_size(size))
    }
}

/// Diesel's cache size for a statement cache that is on or off.
pub(crate) fn cache_size(enabled: bool) -> CacheSize {
    if enabled {
        CacheSize::Unbounded
    } else {
        CacheSize::Disabled
    }
}

/// The database URL in effect: `DATABASE_URL` from the environment, else from the nearest
/// `.env` file, else `url` of the `[database]` section of the nearest `ff.toml`.
pub fn database_url() -> Result<String> {
    Config::load()?.database_url().map(str::to_owned)
}

/// Begins a transaction on SQLite, or a savepoint inside one. The outermost transaction is
/// `BEGIN IMMEDIATE`: it takes the write lock at once, so two connections that each read and
/// then write wait for each other (within the busy timeout) instead of one failing with
/// "database is locked" when neither can upgrade its read lock.
pub(crate) fn begin_sqlite_transaction(conn: &mut SqliteConnection) -> QueryResult<()> {
    let depth = AnsiTransactionManager::transaction_manager_status_mut(conn).transaction_depth()?;
    match depth {
        None => AnsiTransactionManager::begin_transaction_sql(conn, "BEGIN IMMEDIATE"),
        Some(_) => AnsiTransactionManager::begin_transaction(conn),
    }
}
