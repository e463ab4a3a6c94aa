//! A pool of [`AsyncConnection`]s for tokio services, on deadpool.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use deadpool::managed::{self, Metrics, PoolError, RecycleError, RecycleResult};

use crate::async_connection::AsyncConnection;
use crate::config::Config;
use crate::dialect::Backend;
use crate::echo::Echo;
use crate::error::{Error, Result};
use crate::pool::{DEFAULT_CHECKOUT_TIMEOUT, PoolState, SQLITE_WAL, is_memory};
use crate::url::DatabaseUrl;

/// A pool of async connections to one database, shared by tasks: each
/// [`get`](AsyncPool::get) hands out a connection that goes back to the pool when dropped.
/// A connection is checked with a trivial query before it is handed out again, so one the
/// server closed is replaced; one dropped inside a transaction (a cancelled request) is closed
/// rather than reused. SQLite files are opened in WAL mode. Cloning the pool shares it.
///
/// ```
/// use ff_runtime::prelude::*;
/// use ff_runtime::AsyncPool;
///
/// #[derive(Entity, Debug, Clone, PartialEq)]
/// pub struct Tag {
///     pub id: i32,
///     pub name: String,
/// }
///
/// # let file = std::env::temp_dir().join(format!("ff-doc-async-pool-{}.db", std::process::id()));
/// # let url = format!("sqlite://{}", file.display());
/// # Connection::establish(&url)?.create_tables(&[Tag::META])?;
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let pool = AsyncPool::new(&url, 4).await?;
/// let tasks: Vec<_> = (0..4)
///     .map(|n| {
///         let pool = pool.clone();
///         tokio::spawn(async move {
///             let mut conn = pool.get().await?;
///             Repository::<Tag, _>::new(&mut *conn).insert(&Tag { id: 0, name: format!("t{n}") }).await
///         })
///     })
///     .collect();
/// for task in tasks {
///     task.await.unwrap()?;
/// }
/// assert_eq!(Tag::query().count(&mut pool.get().await?).await?, 4);
/// # Ok::<(), ff_runtime::Error>(())
/// # })?;
/// # std::fs::remove_file(&file).ok();
/// # Ok::<(), ff_runtime::Error>(())
/// ```
#[derive(Clone)]
pub struct AsyncPool {
    inner: managed::Pool<Manager>,
    url: String,
}

impl std::fmt::Debug for AsyncPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncPool")
            .field("url", &self.url)
            .field("size", &self.inner.status().max_size)
            .finish()
    }
}

impl AsyncPool {
    /// A pool of at most `size` connections to `url`. One connection is made at once, so a
    /// bad URL or a server that is down is reported here; the others as they are needed.
    pub async fn new(url: &str, size: u32) -> Result<AsyncPool> {
        AsyncPool::with_timeout(url, size, DEFAULT_CHECKOUT_TIMEOUT, Echo::Off).await
    }

    /// A pool as the settings say ([`Config::load`]): `DATABASE_URL`, and `pool_size`,
    /// `connect_timeout` (seconds, also the checkout timeout) and `echo` of `ff.toml`.
    pub async fn from_env() -> Result<AsyncPool> {
        AsyncPool::from_config(&Config::load()?).await
    }

    /// A pool as `config` says: its URL, `pool_size`, `connect_timeout`, `echo` and
    /// `statement_cache`.
    pub async fn from_config(config: &Config) -> Result<AsyncPool> {
        let manager = Manager {
            url: config.database_url()?.to_owned(),
            echo: config.echo.value,
            statement_cache: config.statement_cache.value,
        };
        let timeout = Duration::from_secs(config.connect_timeout.value);
        AsyncPool::with_manager(manager, config.pool_size.value, timeout).await
    }

    /// A pool of at most `size` connections to `url`, whose [`get`](AsyncPool::get) waits at
    /// most `checkout_timeout` for a free connection, each connection echoing as `echo` says.
    pub async fn with_timeout(
        url: &str,
        size: u32,
        checkout_timeout: Duration,
        echo: Echo,
    ) -> Result<AsyncPool> {
        let manager = Manager {
            url: url.to_owned(),
            echo,
            statement_cache: true,
        };
        AsyncPool::with_manager(manager, size, checkout_timeout).await
    }

    /// A pool of at most `size` connections that `manager` opens.
    async fn with_manager(
        manager: Manager,
        size: u32,
        checkout_timeout: Duration,
    ) -> Result<AsyncPool> {
        let url = DatabaseUrl::parse(&manager.url)?.masked();
        let first = manager.open().await?;
        let inner = managed::Pool::builder(manager)
            .max_size(size.max(1) as usize)
            .wait_timeout(Some(checkout_timeout))
            .create_timeout(Some(checkout_timeout))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .expect("a pool with a runtime and a size builds");
        drop(first);
        Ok(AsyncPool { inner, url })
    }

    /// A connection from the pool, waiting for one to be free at most the checkout timeout.
    pub async fn get(&self) -> Result<AsyncPooledConnection> {
        match self.inner.get().await {
            Ok(conn) => Ok(AsyncPooledConnection(conn)),
            Err(PoolError::Backend(error)) => Err(error),
            Err(other) => Err(Error::PoolTimeout {
                url: self.url.clone(),
                size: self.inner.status().max_size as u32,
                reason: other.to_string(),
            }),
        }
    }

    /// How many connections the pool holds, and how many of them are idle.
    pub fn state(&self) -> PoolState {
        let status = self.inner.status();
        PoolState {
            size: status.max_size as u32,
            open: status.size as u32,
            idle: status.available as u32,
        }
    }
}

/// An [`AsyncConnection`] checked out of an [`AsyncPool`], back in the pool when dropped. It
/// derefs to the connection, and repositories, queries and finders take it directly.
pub struct AsyncPooledConnection(managed::Object<Manager>);

impl Deref for AsyncPooledConnection {
    type Target = AsyncConnection;

    fn deref(&self) -> &AsyncConnection {
        &self.0
    }
}

impl DerefMut for AsyncPooledConnection {
    fn deref_mut(&mut self) -> &mut AsyncConnection {
        &mut self.0
    }
}

impl std::fmt::Debug for AsyncPooledConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("AsyncPooledConnection")
            .field(&*self.0)
            .finish()
    }
}

crate::session::pooled_session!(AsyncPooledConnection => AsyncConnection);

/// Opens and checks the connections of an [`AsyncPool`].
#[doc(hidden)]
pub struct Manager {
    url: String,
    echo: Echo,
    statement_cache: bool,
}

impl Manager {
    async fn open(&self) -> Result<AsyncConnection> {
        let mut conn = AsyncConnection::establish(&self.url).await?;
        if conn.backend() == Backend::Sqlite && !is_memory(&self.url) {
            conn.batch_execute(SQLITE_WAL).await?;
        }
        conn.set_echo(self.echo);
        conn.set_statement_cache(self.statement_cache);
        Ok(conn)
    }
}

impl managed::Manager for Manager {
    type Type = AsyncConnection;
    type Error = Error;

    async fn create(&self) -> Result<AsyncConnection> {
        self.open().await
    }

    async fn recycle(&self, conn: &mut AsyncConnection, _: &Metrics) -> RecycleResult<Error> {
        if conn.is_in_transaction() {
            return Err(RecycleError::message(
                "the connection was returned inside a transaction",
            ));
        }
        conn.batch_execute("SELECT 1")
            .await
            .map_err(RecycleError::Backend)
    }
}
