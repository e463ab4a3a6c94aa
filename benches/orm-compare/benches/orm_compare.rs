//! ff's async API beside SeaORM, SQLx and hand-written diesel-async doing the same work on the
//! same table and rows, in the same database and run: loading 1, 100 and 10 000 rows and
//! inserting 1 and 1 000 rows, on PostgreSQL and MySQL/MariaDB (the cases of
//! benches/async_repository.rs).
//!
//! `cargo bench` in benches/orm-compare (see its README), then
//! `python3 benches/report.py benches/orm-compare/target/criterion` prints the ratios.

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ff_runtime::{AsyncConnection, AsyncRepository, Backend, Criteria, Entity};
use ff_tests::TestDatabase;
use ff_tests::items::{AsyncItem, by_hand, item};
use sea_orm::{ActiveModelTrait as _, ConnectOptions, DatabaseConnection, EntityTrait as _};
use sqlx::{Connection as _, MySqlConnection, PgConnection};
use tokio::runtime::Runtime;

/// The same table as a SQLx user reads it.
#[derive(sqlx::FromRow, Debug)]
pub struct SqlxItem {
    pub id: i32,
    pub name: String,
    pub description: Option<String>,
    pub price: f64,
    pub is_active: bool,
    pub stock: i32,
}

/// The same table as a SeaORM entity.
mod sea_item {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "async_item")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub name: String,
        pub description: Option<String>,
        pub price: f64,
        pub is_active: bool,
        pub stock: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A SQLx connection to either server.
enum SqlxConn {
    Postgres(PgConnection),
    Mysql(MySqlConnection),
}

/// Runs `$body` with `$c` bound to the connection of the matching driver.
macro_rules! on_sqlx {
    ($conn:expr, |$c:ident| $body:expr, mysql: |$m:ident| $mysql:expr) => {
        match $conn {
            SqlxConn::Postgres($c) => $body,
            SqlxConn::Mysql($m) => $mysql,
        }
    };
    ($conn:expr, |$c:ident| $body:expr) => {
        on_sqlx!($conn, |$c| $body, mysql: |$c| $body)
    };
}

// SQLx's statements; it takes only `&'static str` as SQL text.
const SELECT_ALL: &str = "SELECT id, name, description, price, is_active, stock FROM async_item";
const INSERT_RETURNING: &str = "INSERT INTO async_item (name, description, price, is_active, stock) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id, name, description, price, is_active, stock";
const INSERT_MYSQL: &str =
    "INSERT INTO async_item (name, description, price, is_active, stock) VALUES (?, ?, ?, ?, ?)";
const SELECT_ONE_MYSQL: &str =
    "SELECT id, name, description, price, is_active, stock FROM async_item WHERE id = ?";
const INSERT_MANY: &str = "INSERT INTO async_item (name, description, price, is_active, stock) ";

/// One connection per library, all to the same database.
struct Libraries {
    ff: AsyncConnection,
    sqlx: SqlxConn,
    /// SeaORM always goes through its pool: one connection, kept open.
    sea: DatabaseConnection,
}

impl Libraries {
    async fn connect(database: &TestDatabase) -> Libraries {
        let url = database.url();
        let sqlx = match database.backend() {
            Backend::Postgres => SqlxConn::Postgres(PgConnection::connect(url).await.unwrap()),
            _ => SqlxConn::Mysql(MySqlConnection::connect(url).await.unwrap()),
        };
        // Like the connections held by the others: no `SELECT 1` check on each checkout.
        let mut options = ConnectOptions::new(url);
        options
            .max_connections(1)
            .min_connections(1)
            .test_before_acquire(false)
            .sqlx_logging(false);
        Libraries {
            ff: AsyncConnection::establish(url).await.unwrap(),
            sqlx,
            sea: sea_orm::Database::connect(options).await.unwrap(),
        }
    }
}

fn sea_active(item: &AsyncItem) -> sea_item::ActiveModel {
    use sea_orm::ActiveValue::{NotSet, Set};
    sea_item::ActiveModel {
        id: NotSet,
        name: Set(item.name.clone()),
        description: Set(item.description.clone()),
        price: Set(item.price),
        is_active: Set(item.is_active),
        stock: Set(item.stock),
    }
}

fn reset(database: &TestDatabase, rows: i32) {
    let mut conn = database.connect();
    let _ = conn.drop_tables(&[AsyncItem::META]);
    conn.create_tables(&[AsyncItem::META]).unwrap();
    let items: Vec<AsyncItem> = (0..rows).map(item).collect();
    ff_runtime::Repository::<AsyncItem>::new(&mut conn)
        .insert_many(&items)
        .unwrap();
}

/// Measure the ORMs, not the disk: on PostgreSQL every connection skips waiting for the WAL
/// flush (set on the database before any of them connects).
fn skip_wal_flush(database: &TestDatabase) {
    if database.backend() == Backend::Postgres {
        let name = database.url().rsplit('/').next().unwrap();
        database
            .connect()
            .batch_execute(&format!(
                "ALTER DATABASE \"{name}\" SET synchronous_commit = off"
            ))
            .unwrap();
    }
}

fn bench_backend(c: &mut Criterion, backend: Backend) {
    let database = match TestDatabase::create(backend) {
        Ok(database) => database,
        Err(reason) => {
            eprintln!("skipping {backend}: {reason}");
            return;
        }
    };
    skip_wal_flush(&database);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut libs = runtime.block_on(Libraries::connect(&database));

    let mut group = c.benchmark_group(format!("{backend}/orm_find_all"));
    for rows in [1, 100, 10_000] {
        reset(&database, rows);
        group.bench_with_input(BenchmarkId::new("ff", rows), &rows, |b, _| {
            b.iter(|| {
                runtime
                    .block_on(AsyncRepository::<AsyncItem>::new(&mut libs.ff).find_all())
                    .unwrap()
            })
        });
        group.bench_with_input(BenchmarkId::new("diesel", rows), &rows, |b, _| {
            b.iter(|| {
                runtime
                    .block_on(async { by_hand::load_all(&mut libs.ff).await })
                    .unwrap()
            })
        });
        group.bench_with_input(BenchmarkId::new("sqlx", rows), &rows, |b, _| {
            b.iter(|| {
                runtime
                    .block_on(async {
                        on_sqlx!(&mut libs.sqlx, |c| sqlx::query_as::<_, SqlxItem>(
                            SELECT_ALL
                        )
                        .fetch_all(c)
                        .await)
                    })
                    .unwrap()
            })
        });
        group.bench_with_input(BenchmarkId::new("seaorm", rows), &rows, |b, _| {
            b.iter(|| {
                runtime
                    .block_on(sea_item::Entity::find().all(&libs.sea))
                    .unwrap()
            })
        });
    }
    group.finish();

    reset(&database, 0);
    let mut group = c.benchmark_group(format!("{backend}/orm_insert"));
    let one = item(1);
    group.bench_function(BenchmarkId::new("ff", 1), |b| {
        b.iter(|| {
            runtime
                .block_on(AsyncRepository::<AsyncItem>::new(&mut libs.ff).insert(&one))
                .unwrap()
        })
    });
    group.bench_function(BenchmarkId::new("diesel", 1), |b| {
        b.iter(|| {
            runtime
                .block_on(async { by_hand::insert(&mut libs.ff, &one).await })
                .unwrap()
        })
    });
    // Like ff and SeaORM, return the stored row: RETURNING on PostgreSQL; on MySQL the INSERT,
    // then the row read back by the key the server reports with the INSERT's result.
    group.bench_function(BenchmarkId::new("sqlx", 1), |b| {
        b.iter(|| {
            runtime
                .block_on(async {
                    on_sqlx!(
                        &mut libs.sqlx,
                        |c| sqlx::query_as::<_, SqlxItem>(INSERT_RETURNING)
                            .bind(&one.name)
                            .bind(&one.description)
                            .bind(one.price)
                            .bind(one.is_active)
                            .bind(one.stock)
                            .fetch_one(c)
                            .await,
                        mysql: |c| {
                            let done = sqlx::query(INSERT_MYSQL)
                            .bind(&one.name)
                            .bind(&one.description)
                            .bind(one.price)
                            .bind(one.is_active)
                            .bind(one.stock)
                            .execute(&mut *c)
                            .await?;
                            sqlx::query_as::<_, SqlxItem>(SELECT_ONE_MYSQL)
                                .bind(done.last_insert_id() as i32)
                                .fetch_one(c)
                                .await
                        }
                    )
                })
                .unwrap()
        })
    });
    group.bench_function(BenchmarkId::new("seaorm", 1), |b| {
        b.iter(|| {
            runtime
                .block_on(sea_active(&one).insert(&libs.sea))
                .unwrap()
        })
    });

    let many: Vec<AsyncItem> = (0..1_000).map(item).collect();
    group.bench_function(BenchmarkId::new("ff", 1_000), |b| {
        b.iter_custom(|iterations| {
            timed_on_empty_table(&runtime, &mut libs, iterations, async |libs| {
                AsyncRepository::<AsyncItem>::new(&mut libs.ff)
                    .insert_many(&many)
                    .await
                    .unwrap();
            })
        })
    });
    group.bench_function(BenchmarkId::new("diesel", 1_000), |b| {
        b.iter_custom(|iterations| {
            timed_on_empty_table(&runtime, &mut libs, iterations, async |libs| {
                by_hand::insert_many(&mut libs.ff, &many).await.unwrap();
            })
        })
    });
    group.bench_function(BenchmarkId::new("sqlx", 1_000), |b| {
        b.iter_custom(|iterations| {
            timed_on_empty_table(&runtime, &mut libs, iterations, async |libs| {
                on_sqlx!(&mut libs.sqlx, |c| {
                    let mut insert = sqlx::QueryBuilder::new(INSERT_MANY);
                    insert.push_values(&many, |mut row, item| {
                        row.push_bind(&item.name)
                            .push_bind(&item.description)
                            .push_bind(item.price)
                            .push_bind(item.is_active)
                            .push_bind(item.stock);
                    });
                    insert
                        .build()
                        .execute(c)
                        .await
                        .map(|done| done.rows_affected())
                })
                .unwrap();
            })
        })
    });
    group.bench_function(BenchmarkId::new("seaorm", 1_000), |b| {
        b.iter_custom(|iterations| {
            timed_on_empty_table(&runtime, &mut libs, iterations, async |libs| {
                sea_item::Entity::insert_many(many.iter().map(sea_active))
                    .exec_without_returning(&libs.sea)
                    .await
                    .unwrap();
            })
        })
    });
    group.finish();
}

/// Runs `work` `iterations` times, each on an emptied table, and returns the time spent in it.
fn timed_on_empty_table(
    runtime: &Runtime,
    libs: &mut Libraries,
    iterations: u64,
    work: impl AsyncFn(&mut Libraries),
) -> Duration {
    runtime.block_on(async {
        let mut spent = Duration::ZERO;
        for _ in 0..iterations {
            AsyncRepository::<AsyncItem>::new(&mut libs.ff)
                .delete_by(Criteria::all())
                .await
                .unwrap();
            let start = Instant::now();
            work(libs).await;
            spent += start.elapsed();
        }
        spent
    })
}

fn benches(c: &mut Criterion) {
    for backend in [Backend::Postgres, Backend::Mysql] {
        bench_backend(c, backend);
    }
}

criterion_group! {
    name = orm_compare;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(orm_compare);
