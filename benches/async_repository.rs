//! ff's async API beside the same work written by hand in diesel-async, on the same connection
//! and schema, in the same run: loading 1, 100 and 10 000 rows (`find_all`) and inserting 1 and
//! 1 000 rows (`insert`, `insert_many`); and what a pool checkout adds to a one-row read.
//!
//! `cargo bench -p ff-tests --features mysql --bench async_repository`, then
//! `python3 benches/report.py` prints the ratios (groups `<backend>/async_*`).

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ff_runtime::{
    AsyncConnection, AsyncPool, AsyncRepository, Backend, Criteria, Entity, Repository,
};
use ff_tests::TestDatabase;
use ff_tests::items::{AsyncItem, by_hand, item};

fn reset(database: &TestDatabase, rows: i32) {
    let mut conn = database.connect();
    let _ = conn.drop_tables(&[AsyncItem::META]);
    conn.create_tables(&[AsyncItem::META]).unwrap();
    let items: Vec<AsyncItem> = (0..rows).map(item).collect();
    Repository::<AsyncItem>::new(&mut conn)
        .insert_many(&items)
        .unwrap();
}

async fn connect(database: &TestDatabase) -> AsyncConnection {
    let mut conn = AsyncConnection::establish(database.url()).await.unwrap();
    if database.backend() == Backend::Postgres {
        // Measure the ORM, not the disk: both sides skip waiting for the WAL flush.
        conn.batch_execute("SET synchronous_commit = off")
            .await
            .unwrap();
    }
    conn
}

fn bench_backend(c: &mut Criterion, backend: Backend) {
    let database = match TestDatabase::create(backend) {
        Ok(database) => database,
        Err(reason) => {
            eprintln!("skipping {backend}: {reason}");
            return;
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut conn = runtime.block_on(connect(&database));

    let mut group = c.benchmark_group(format!("{backend}/async_find_all"));
    for rows in [1, 100, 10_000] {
        reset(&database, rows);
        group.bench_with_input(BenchmarkId::new("ff", rows), &rows, |b, _| {
            b.iter(|| {
                runtime
                    .block_on(AsyncRepository::<AsyncItem>::new(&mut conn).find_all())
                    .unwrap()
            })
        });
        group.bench_with_input(BenchmarkId::new("diesel", rows), &rows, |b, _| {
            b.iter(|| {
                runtime
                    .block_on(async { by_hand::load_all(&mut conn).await })
                    .unwrap()
            })
        });
    }
    group.finish();

    reset(&database, 0);
    let mut group = c.benchmark_group(format!("{backend}/async_insert"));
    let one = item(1);
    group.bench_function(BenchmarkId::new("ff", 1), |b| {
        b.iter(|| {
            runtime
                .block_on(AsyncRepository::<AsyncItem>::new(&mut conn).insert(&one))
                .unwrap()
        })
    });
    group.bench_function(BenchmarkId::new("diesel", 1), |b| {
        b.iter(|| {
            runtime
                .block_on(async { by_hand::insert(&mut conn, &one).await })
                .unwrap()
        })
    });
    let many: Vec<AsyncItem> = (0..1_000).map(item).collect();
    group.bench_function(BenchmarkId::new("ff", 1_000), |b| {
        b.iter_custom(|iterations| {
            timed_on_empty_table(&runtime, &mut conn, iterations, async |conn| {
                AsyncRepository::<AsyncItem>::new(conn)
                    .insert_many(&many)
                    .await
                    .unwrap();
            })
        })
    });
    group.bench_function(BenchmarkId::new("diesel", 1_000), |b| {
        b.iter_custom(|iterations| {
            timed_on_empty_table(&runtime, &mut conn, iterations, async |conn| {
                by_hand::insert_many(conn, &many).await.unwrap();
            })
        })
    });
    group.finish();

    // A one-row read through a pool checkout, beside the same read on a connection held.
    reset(&database, 100);
    let pool = runtime.block_on(AsyncPool::new(database.url(), 4)).unwrap();
    let mut group = c.benchmark_group(format!("{backend}/async_checkout"));
    group.bench_function("pooled", |b| {
        b.iter(|| {
            runtime
                .block_on(async {
                    let mut pooled = pool.get().await?;
                    AsyncRepository::<AsyncItem>::new(&mut pooled)
                        .find(&7)
                        .await
                })
                .unwrap()
        })
    });
    group.bench_function("direct", |b| {
        b.iter(|| {
            runtime
                .block_on(AsyncRepository::<AsyncItem>::new(&mut conn).find(&7))
                .unwrap()
        })
    });
    group.finish();
}

/// Runs `work` `iterations` times, each on an emptied table, and returns the time spent in it.
fn timed_on_empty_table(
    runtime: &tokio::runtime::Runtime,
    conn: &mut AsyncConnection,
    iterations: u64,
    work: impl AsyncFn(&mut AsyncConnection),
) -> Duration {
    runtime.block_on(async {
        let mut spent = Duration::ZERO;
        for _ in 0..iterations {
            AsyncRepository::<AsyncItem>::new(conn)
                .delete_by(Criteria::all())
                .await
                .unwrap();
            let start = Instant::now();
            work(conn).await;
            spent += start.elapsed();
        }
        spent
    })
}

fn benches(c: &mut Criterion) {
    for backend in ff_tests::backends::bench_backends() {
        bench_backend(c, backend);
    }
}

criterion_group! {
    name = async_repository;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(async_repository);
