//! A pool of [`Connection`]s for threaded programs, on r2d2.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use crate::config::Config;
use crate::connection::Connection;
use crate::dialect::Backend;
use crate::echo::Echo;
use crate::error::{Error, Result};
use crate::url::DatabaseUrl;

/// How long [`Pool::get`] waits for a free connection unless told otherwise.
pub const DEFAULT_CHECKOUT_TIMEOUT: Duration = Duration::from_secs(30);

/// A pool of connections to one database, shared by threads: each [`get`](Pool::get) hands
/// out a connection that goes back to the pool when dropped. A connection is checked with a
/// trivial query before it is handed out, so one the server closed is replaced; one dropped
/// inside a transaction is closed rather than reused. SQLite files are opened in WAL mode, so
/// readers and a writer work side by side.
///
/// ```
/// use ff_runtime::prelude::*;
/// use ff_runtime::Pool;
///
/// #[derive(Entity, Debug, Clone, PartialEq)]
/// pub struct Tag {
///     pub id: i32,
///     pub name: String,
/// }
///
/// # let file = std::env::temp_dir().join(format!("ff-doc-pool-{}.db", std::process::id()));
/// # let url = format!("sqlite://{}", file.display());
/// let pool = Pool::new(&url, 4)?;
/// pool.get()?.create_tables(&[Tag::META])?;
/// std::thread::scope(|threads| {
///     for n in 0..4 {
///         let pool = &pool;
///         threads.spawn(move || {
///             let mut conn = pool.get()?;
///             Repository::<Tag>::new(&mut conn).insert(&Tag { id: 0, name: format!("t{n}") })
///         });
///     }
/// });
/// assert_eq!(Tag::query().count(&mut pool.get()?)?, 4);
/// # std::fs::remove_file(&file).ok();
/// # Ok::<(), ff_runtime::Error>(())
/// ```
#[derive(Clone)]
pub struct Pool {
    inner: r2d2::Pool<Manager>,
    /// Opens a connection outside the pool, to tell why the pool has none.
    opener: Manager,
    url: String,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("url", &self.url)
            .field("size", &self.inner.max_size())
            .finish()
    }
}

impl Pool {
    /// A pool of at most `size` connections to `url`. One connection is made at once, so a
    /// bad URL or a server that is down is reported here; the others as they are needed.
    pub fn new(url: &str, size: u32) -> Result<Pool> {
        Pool::with_timeout(url, size, DEFAULT_CHECKOUT_TIMEOUT, Echo::Off)
    }

    /// A pool as the settings say ([`Config::load`]): `DATABASE_URL`, and `pool_size`,
    /// `connect_timeout` (seconds, also the checkout timeout) and `echo` of `ff.toml`.
    pub fn from_env() -> Result<Pool> {
        Pool::from_config(&Config::load()?)
    }

    /// A pool as `config` says: its URL, `pool_size`, `connect_timeout`, `echo` and
    /// `statement_cache`.
    pub fn from_config(config: &Config) -> Result<Pool> {
        let manager = Manager {
            url: config.database_url()?.to_owned(),
            echo: config.echo.value,
            statement_cache: config.statement_cache.value,
        };
        let timeout = Duration::from_secs(config.connect_timeout.value);
        Pool::with_manager(manager, config.pool_size.value, timeout)
    }

    /// A pool of at most `size` connections to `url`, whose [`get`](Pool::get) waits at most
    /// `checkout_timeout` for a free connection, each connection echoing as `echo` says.
    pub fn with_timeout(
        url: &str,
        size: u32,
        checkout_timeout: Duration,
        echo: Echo,
    ) -> Result<Pool> {
        let manager = Manager {
            url: url.to_owned(),
            echo,
            statement_cache: true,
        };
        Pool::with_manager(manager, size, checkout_timeout)
    }

    /// A pool of at most `size` connections that `manager` opens.
    fn with_manager(manager: Manager, size: u32, checkout_timeout: Duration) -> Result<Pool> {
        let url = DatabaseUrl::parse(&manager.url)?.masked();
        let first = manager.open()?;
        let opener = manager.clone();
        let inner = r2d2::Pool::builder()
            .max_size(size.max(1))
            .min_idle(Some(0))
            .connection_timeout(checkout_timeout)
            .error_handler(Box::new(r2d2::NopErrorHandler))
            .build_unchecked(manager);
        drop(first);
        Ok(Pool { inner, opener, url })
    }

    /// A connection from the pool, waiting for one to be free at most the checkout timeout.
    pub fn get(&self) -> Result<PooledConnection> {
        match self.inner.get() {
            Ok(conn) => Ok(PooledConnection(conn)),
            // r2d2 keeps the last connection error; give it when that is why none came.
            Err(timeout) => Err(match self.opener.open() {
                Err(cause) => cause,
                Ok(_) => Error::PoolTimeout {
                    url: self.url.clone(),
                    size: self.inner.max_size(),
                    reason: timeout.to_string(),
                },
            }),
        }
    }

    /// How many connections the pool holds, and how many of them are idle.
    pub fn state(&self) -> PoolState {
        let state = self.inner.state();
        PoolState {
            size: self.inner.max_size(),
            open: state.connections,
            idle: state.idle_connections,
        }
    }
}

/// What a pool holds right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolState {
    /// The most connections the pool opens.
    pub size: u32,
    /// The connections open now.
    pub open: u32,
    /// The open connections nobody has checked out.
    pub idle: u32,
}

/// A [`Connection`] checked out of a [`Pool`], back in the pool when dropped. It derefs to
/// the connection, and repositories, queries and finders take it directly.
pub struct PooledConnection(r2d2::PooledConnection<Manager>);

impl Deref for PooledConnection {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        &self.0
    }
}

impl DerefMut for PooledConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        &mut self.0
    }
}

impl std::fmt::Debug for PooledConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("PooledConnection").field(&*self.0).finish()
    }
}

crate::session::pooled_session!(PooledConnection => Connection);

/// Opens and checks the connections of a [`Pool`].
#[doc(hidden)]
#[derive(Clone)]
pub struct Manager {
    url: String,
    echo: Echo,
    statement_cache: bool,
}

impl Manager {
    fn open(&self) -> Result<Connection> {
        let mut conn = Connection::establish(&self.url)?;
        if conn.backend() == Backend::Sqlite && !is_memory(&self.url) {
            conn.batch_execute(SQLITE_WAL)?;
        }
        conn.set_echo(self.echo);
        conn.set_statement_cache(self.statement_cache);
        Ok(conn)
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Connection;
    type Error = Error;

    fn connect(&self) -> Result<Connection> {
        self.open()
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<()> {
        conn.batch_execute("SELECT 1")
    }

    fn has_broken(&self, conn: &mut Connection) -> bool {
        conn.is_in_transaction()
    }
}

/// Lets readers and one writer of an SQLite file work at the same time.
pub(crate) const SQLITE_WAL: &str = "PRAGMA journal_mode = WAL";

/// Whether an SQLite URL names an in-memory database, which has no journal to change.
pub(crate) fn is_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}
