//! Connection pools on every backend: a connection the server closed is replaced, one returned
//! inside a transaction is not reused, and 64 tasks sharing a pool of 8 lose no write.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ff_runtime::prelude::*;
use ff_runtime::{AsyncConnection, AsyncDriver, AsyncPool, AsyncRepository, Backend, Pool};
use ff_tests::TestDatabase;
use ff_tests::backends::block_on;
use ff_tests::domain::{Category, Product, store_tables};
use ff_tests::each_backend_database;

/// Creates the store's tables in `database`.
async fn store(database: &TestDatabase) {
    database.connect().create_tables(&store_tables()).unwrap();
}

#[test]
fn the_sync_pool_replaces_a_connection_the_server_closed_and_names_a_bad_url() {
    each_backend_database(|database| {
        database.connect().create_tables(&store_tables()).unwrap();
        let pool = Pool::new(database.url(), 1).unwrap();
        if database.backend() != Backend::Sqlite {
            let mut conn = pool.get().unwrap();
            let before = sync_session_id(&mut conn);
            drop(conn);
            kill_session(database, before);
            let mut conn = pool.get().unwrap();
            assert_ne!(sync_session_id(&mut conn), before, "a new session");
        }
        let mut conn = pool.get().unwrap();
        assert_eq!(Product::query().count(&mut conn).unwrap(), 0);
        let state = pool.state();
        assert_eq!((state.size, state.open), (1, 1));
    });
    let error = Pool::new("postgres://ff:s3cret@127.0.0.1:1/none", 2).unwrap_err();
    assert!(!error.to_string().contains("s3cret"), "{error}");
    assert!(error.to_string().contains("cannot connect to"), "{error}");
}

#[test]
fn pools_take_their_size_timeout_and_url_from_ff_toml() {
    each_backend_database(|database| {
        let dir = ff_tests::backends::scratch_dir().join(format!(
            "pool-config-{}-{}",
            database.backend(),
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("ff.toml"),
            format!(
                "[database]\nurl = \"{}\"\npool_size = 3\nconnect_timeout = 1\n",
                database.url()
            ),
        )
        .unwrap();
        let config = ff_runtime::Config::load_from(&dir).unwrap();
        let pool = Pool::from_config(&config).unwrap();
        assert_eq!(pool.state().size, 3);
        let held: Vec<_> = (0..3).map(|_| pool.get().unwrap()).collect();
        let asked = Instant::now();
        assert!(matches!(
            pool.get(),
            Err(Error::PoolTimeout { size: 3, .. })
        ));
        assert!(
            asked.elapsed() >= Duration::from_millis(900),
            "waited connect_timeout"
        );
        drop(held);
        let size = block_on(async {
            let pool = AsyncPool::from_config(&config).await.unwrap();
            pool.state().size
        });
        assert_eq!(size, 3);
        std::fs::remove_dir_all(&dir).ok();
    });
}

#[test]
fn a_checkout_that_waits_too_long_says_how_big_the_pool_is_and_what_to_change() {
    each_backend_database(|database| {
        let pool = Pool::with_timeout(
            database.url(),
            1,
            Duration::from_millis(200),
            ff_runtime::Echo::Off,
        )
        .unwrap();
        let _held = pool.get().unwrap();
        let error = pool.get().unwrap_err();
        assert!(
            matches!(error, Error::PoolTimeout { size: 1, .. }),
            "{error}"
        );
        assert!(error.to_string().contains("raise the pool size"), "{error}");
        block_on(async {
            let pool = AsyncPool::with_timeout(
                database.url(),
                1,
                Duration::from_millis(200),
                ff_runtime::Echo::Off,
            )
            .await
            .unwrap();
            let _held = pool.get().await.unwrap();
            let error = pool.get().await.unwrap_err();
            assert!(
                matches!(error, Error::PoolTimeout { size: 1, .. }),
                "{error}"
            );
        });
    });
}

#[test]
fn the_async_pool_replaces_a_connection_the_server_closed() {
    each_backend_database(|database| {
        if database.backend() == Backend::Sqlite {
            return; // no server to close it
        }
        block_on(async {
            store(database).await;
            let pool = AsyncPool::new(database.url(), 1).await.unwrap();
            let mut conn = pool.get().await.unwrap();
            let id = server_session_id(&mut conn).await;
            drop(conn);
            kill_session(database, id);
            let mut conn = pool.get().await.unwrap();
            assert_ne!(server_session_id(&mut conn).await, id, "a new session");
            assert_eq!(Product::query().count(&mut conn).await.unwrap(), 0);
        })
    });
}

#[test]
fn a_pooled_connection_dropped_inside_a_transaction_is_not_reused() {
    each_backend_database(|database| {
        block_on(async {
            let pool = AsyncPool::new(database.url(), 1).await.unwrap();
            store(database).await;
            {
                let mut conn = pool.get().await.unwrap();
                ff_runtime_begin(&mut conn).await;
                AsyncRepository::<Product>::new(&mut conn)
                    .insert(&Product::new("Open", 1.0, "OPEN", None))
                    .await
                    .unwrap();
                // Dropped with the transaction open, as a cancelled request would.
            }
            let mut conn = pool.get().await.unwrap();
            assert_eq!(Product::query().count(&mut conn).await.unwrap(), 0);
            AsyncRepository::<Product>::new(&mut conn)
                .insert(&Product::new("Next", 1.0, "NEXT", None))
                .await
                .unwrap();
            drop(conn);
            let mut sync = database.connect();
            assert_eq!(Product::query().count(&mut sync).unwrap(), 1);
        })
    });
}

/// Opens a transaction and leaves it open, as a request cancelled inside one does.
async fn ff_runtime_begin(conn: &mut AsyncConnection) {
    let started = conn.transaction(async |conn| {
        AsyncRepository::<Category>::new(conn)
            .count(Criteria::all())
            .await?;
        std::future::pending::<Result<()>>().await
    });
    // Poll it until it waits forever, then drop it: the transaction stays open.
    let _ = tokio::time::timeout(std::time::Duration::from_millis(200), started).await;
}

/// The server's id for this connection's session.
async fn server_session_id(conn: &mut AsyncConnection) -> i64 {
    use ff_runtime::diesel::dsl::sql;
    use ff_runtime::diesel::sql_types::BigInt;
    use ff_runtime::diesel_async::RunQueryDsl;
    match conn.driver() {
        AsyncDriver::Postgres(c) => {
            let query = diesel::select(sql::<BigInt>("CAST(pg_backend_pid() AS BIGINT)"));
            RunQueryDsl::get_result(query, c).await
        }
        AsyncDriver::Mysql(c) => {
            let query = diesel::select(sql::<BigInt>("CAST(CONNECTION_ID() AS SIGNED)"));
            RunQueryDsl::get_result(query, c).await
        }
        AsyncDriver::Sqlite(_) => unreachable!("SQLite has no server session"),
    }
    .unwrap()
}

/// Ends session `id` from another connection, as a server restart or an admin would.
fn kill_session(database: &TestDatabase, id: i64) {
    let mut admin = database.connect();
    let sql = match database.backend() {
        Backend::Postgres => format!("SELECT pg_terminate_backend({id})"),
        _ => format!("KILL {id}"),
    };
    admin.batch_execute(&sql).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
}

/// The server's id for this pooled connection's session.
fn sync_session_id(conn: &mut Connection) -> i64 {
    use ff_runtime::diesel::RunQueryDsl;
    use ff_runtime::diesel::dsl::sql;
    use ff_runtime::diesel::sql_types::BigInt;
    match conn {
        Connection::Postgres(c) => {
            diesel::select(sql::<BigInt>("CAST(pg_backend_pid() AS BIGINT)")).get_result(c)
        }
        Connection::Mysql(c) => {
            diesel::select(sql::<BigInt>("CAST(CONNECTION_ID() AS SIGNED)")).get_result(c)
        }
        Connection::Sqlite(_) => unreachable!("SQLite has no server session"),
    }
    .unwrap()
}

/// A row of running totals per task of the load test.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Tally {
    pub id: i32,
    #[ff(unique)]
    pub task: i32,
    pub total: i64,
    pub writes: i32,
}

/// A row written by one task of the load test.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: i64,
    #[ff(index)]
    pub task: i32,
    pub amount: i64,
    #[ff(length = 40)]
    pub note: String,
}

const TASKS: i32 = 64;
const OPERATIONS: i32 = 200;
const POOL_SIZE: u32 = 8;

/// What operation `op` of task `task` writes: large values of both signs, whose sums Rust
/// computes exactly in `i64`.
fn amount(task: i32, op: i32) -> i64 {
    let magnitude = i64::from(task * 1000 + op) * 1_000_000_007;
    if op % 2 == 0 { magnitude } else { -magnitude }
}

#[test]
fn sixty_four_tasks_sharing_a_pool_of_eight_lose_no_write() {
    each_backend_database(|database| {
        database
            .connect()
            .create_tables(&[Tally::META, Entry::META])
            .unwrap();
        block_on(async {
            let pool = AsyncPool::new(database.url(), POOL_SIZE).await.unwrap();
            let checkouts = Arc::new(Checkouts {
                pool: pool.clone(),
                waited: AtomicU64::new(0),
                longest: AtomicU64::new(0),
            });
            let started = Instant::now();
            let tasks: Vec<_> = (0..TASKS)
                .map(|task| {
                    let checkouts = checkouts.clone();
                    tokio::spawn(async move { load_task(task, &checkouts).await })
                })
                .collect();
            let all = futures_join(tasks);
            for outcome in tokio::time::timeout(Duration::from_secs(300), all)
                .await
                .expect("the load test finishes within 5 minutes")
            {
                outcome.expect("the task ran").expect("no operation failed");
            }
            let elapsed = started.elapsed();

            // Every write is there: per task, the rows, their sum and the running total.
            let mut conn = pool.get().await.unwrap();
            let inserts_per_task = (0..OPERATIONS).filter(|op| op % 4 < 2).count() as i64;
            assert_eq!(
                Entry::query().count(&mut conn).await.unwrap(),
                inserts_per_task * i64::from(TASKS)
            );
            for task in 0..TASKS {
                let expected: i64 = (0..OPERATIONS)
                    .filter(|op| op % 4 < 2)
                    .map(|op| amount(task, op))
                    .sum();
                let rows = Entry::find_by_task(&mut conn, task).await.unwrap();
                assert_eq!(rows.len() as i64, inserts_per_task, "task {task}");
                assert_eq!(rows.iter().map(|e| e.amount).sum::<i64>(), expected);
                let tally = Tally::find_one_by_task(&mut conn, task)
                    .await
                    .unwrap()
                    .expect("the task's tally");
                let updates = (0..OPERATIONS).filter(|op| op % 4 == 2);
                let total: i64 = updates.clone().map(|op| amount(task, op)).sum();
                assert_eq!(
                    (tally.writes, tally.total),
                    (updates.count() as i32, total),
                    "task {task}"
                );
            }
            let count = u64::from((TASKS * (OPERATIONS + 1)) as u32);
            eprintln!(
                "{}: {} tasks x {} operations through a pool of {}: {:.1?}; waiting for a connection: {} us on average, {} us at most",
                database.backend(),
                TASKS,
                OPERATIONS,
                POOL_SIZE,
                elapsed,
                checkouts.waited.load(Ordering::Relaxed) / count,
                checkouts.longest.load(Ordering::Relaxed)
            );
        })
    });
}

/// Awaits every task, in order.
async fn futures_join<T>(
    tasks: Vec<tokio::task::JoinHandle<T>>,
) -> Vec<Result<T, tokio::task::JoinError>> {
    let mut outcomes = Vec::with_capacity(tasks.len());
    for task in tasks {
        outcomes.push(task.await);
    }
    outcomes
}

/// A pool shared by the tasks of the load test, timing how long each checkout waits.
struct Checkouts {
    pool: AsyncPool,
    /// Microseconds spent waiting, all checkouts together.
    waited: AtomicU64,
    /// The longest wait, in microseconds.
    longest: AtomicU64,
}

impl Checkouts {
    async fn get(&self) -> Result<ff_runtime::AsyncPooledConnection> {
        let asked = Instant::now();
        let conn = self.pool.get().await?;
        let micros = asked.elapsed().as_micros() as u64;
        self.waited.fetch_add(micros, Ordering::Relaxed);
        self.longest.fetch_max(micros, Ordering::Relaxed);
        Ok(conn)
    }
}

/// One task of the load test: its tally, then `OPERATIONS` mixed reads and writes, each on a
/// connection checked out for it.
async fn load_task(task: i32, checkouts: &Checkouts) -> Result<()> {
    let mut conn = checkouts.get().await?;
    let mut tally = AsyncRepository::<Tally>::new(&mut conn)
        .insert(&Tally {
            id: 0,
            task,
            total: 0,
            writes: 0,
        })
        .await?;
    drop(conn);
    let mut inserted = 0i64;
    for op in 0..OPERATIONS {
        let mut conn = checkouts.get().await?;
        match op % 4 {
            0 | 1 => {
                AsyncRepository::<Entry>::new(&mut conn)
                    .insert(&Entry {
                        id: 0,
                        task,
                        amount: amount(task, op),
                        note: format!("tâche {task} · {op}"),
                    })
                    .await?;
                inserted += 1;
            }
            2 => {
                tally.total += amount(task, op);
                tally.writes += 1;
                AsyncRepository::<Tally>::new(&mut conn)
                    .update(&tally)
                    .await?;
            }
            _ => {
                let seen = Entry::query()
                    .filter(entry::task.eq(task))
                    .count(&mut *conn)
                    .await?;
                assert_eq!(seen, inserted, "task {task} reads its own writes");
                let other = (task + 1) % TASKS;
                Entry::find_by_task(&mut *conn, other).await?;
            }
        }
    }
    Ok(())
}
