//! ff's repository beside the same work written by hand in Diesel, on the same connection and
//! schema, in the same run: loading 1, 100 and 10 000 rows (`find_all`, `find_by`) and inserting
//! 1 and 10 000 rows (`insert`, `insert_many`).
//!
//! `cargo bench -p ff-tests --features mysql --bench repository`, then
//! `python3 benches/report.py` prints the table of ratios in `docs/performance.md`.
//! PostgreSQL and MySQL are measured when their servers answer (see `ff_tests::backends`).

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ff_runtime::prelude::*;
use ff_runtime::{Backend, Repository};
use ff_tests::TestDatabase;

/// The entity ff maps.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct BenchItem {
    pub id: i32,
    #[ff(length = 100)]
    pub name: String,
    pub description: Option<String>,
    pub price: f64,
    pub is_active: bool,
    pub stock: i32,
}

// The same table, mapped by hand the way a Diesel user writes it.
diesel::table! {
    #[sql_name = "bench_item"]
    hand_item (id) {
        id -> Integer,
        name -> Text,
        description -> Nullable<Text>,
        price -> Double,
        is_active -> Bool,
        stock -> Integer,
    }
}

#[cfg(feature = "mysql")]
diesel::define_sql_function! {
    /// MySQL's key of the last inserted row, as a Diesel user declares it.
    fn last_insert_id() -> diesel::sql_types::Unsigned<diesel::sql_types::BigInt>;
}

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = hand_item)]
pub struct HandItem {
    pub id: i32,
    pub name: String,
    pub description: Option<String>,
    pub price: f64,
    pub is_active: bool,
    pub stock: i32,
}

#[derive(Insertable)]
#[diesel(table_name = hand_item)]
pub struct NewHandItem<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub price: f64,
    pub is_active: bool,
    pub stock: i32,
}

fn item(i: i32) -> BenchItem {
    BenchItem {
        id: 0,
        name: format!("item {i}"),
        description: (i % 2 == 0).then(|| format!("description of item {i}")),
        price: f64::from(i) * 1.5,
        is_active: i % 3 != 0,
        stock: i,
    }
}

fn new_hand_item(item: &BenchItem) -> NewHandItem<'_> {
    NewHandItem {
        name: &item.name,
        description: item.description.as_deref(),
        price: item.price,
        is_active: item.is_active,
        stock: item.stock,
    }
}

/// Rows per hand-written INSERT: Diesel leaves chunking to the user.
fn hand_chunk(backend: Backend) -> usize {
    backend.dialect().max_bind_params() / 5
}

fn reset(conn: &mut Connection, rows: i32) {
    let _ = conn.drop_tables(&[BenchItem::META]);
    conn.create_tables(&[BenchItem::META]).unwrap();
    let items: Vec<BenchItem> = (0..rows).map(item).collect();
    Repository::<BenchItem>::new(conn)
        .insert_many(&items)
        .unwrap();
}

fn bench_backend(c: &mut Criterion, backend: Backend) {
    let database = match TestDatabase::create(backend) {
        Ok(database) => database,
        Err(reason) => {
            eprintln!("skipping {backend}: {reason}");
            return;
        }
    };
    let mut conn = database.connect();
    if backend == Backend::Postgres {
        // Measure the ORM, not the disk: both sides skip waiting for the WAL flush.
        conn.batch_execute("SET synchronous_commit = off").unwrap();
    }

    let mut group = c.benchmark_group(format!("{backend}/find_all"));
    for rows in [1, 100, 10_000] {
        reset(&mut conn, rows);
        group.bench_with_input(BenchmarkId::new("ff", rows), &rows, |b, _| {
            b.iter(|| Repository::<BenchItem>::new(&mut conn).find_all().unwrap())
        });
        group.bench_with_input(BenchmarkId::new("diesel", rows), &rows, |b, _| {
            b.iter(|| {
                with_connection!(&mut conn, |c| hand_item::table
                    .select(HandItem::as_select())
                    .load::<HandItem>(c))
                .unwrap()
            })
        });
    }
    group.finish();

    reset(&mut conn, 10_000);
    let mut group = c.benchmark_group(format!("{backend}/find_by"));
    for rows in [1, 100, 10_000] {
        group.bench_with_input(BenchmarkId::new("ff", rows), &rows, |b, &rows| {
            b.iter(|| {
                Repository::<BenchItem>::new(&mut conn)
                    .find_by(bench_item::stock.lt(rows), OrderBy::none(), None, None)
                    .unwrap()
            })
        });
        group.bench_with_input(BenchmarkId::new("diesel", rows), &rows, |b, &rows| {
            b.iter(|| {
                with_connection!(&mut conn, |c| hand_item::table
                    .filter(hand_item::stock.lt(rows))
                    .select(HandItem::as_select())
                    .load::<HandItem>(c))
                .unwrap()
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group(format!("{backend}/insert"));
    let one = item(1);
    group.bench_function(BenchmarkId::new("ff", 1), |b| {
        b.iter(|| {
            Repository::<BenchItem>::new(&mut conn)
                .insert(&one)
                .unwrap()
        })
    });
    group.bench_function(BenchmarkId::new("diesel", 1), |b| {
        b.iter(|| {
            with_connection!(
                &mut conn,
                |c| diesel::insert_into(hand_item::table)
                    .values(&new_hand_item(&one))
                    .returning(HandItem::as_returning())
                    .get_result::<HandItem>(c),
                mysql: |c| {
                    diesel::insert_into(hand_item::table).values(&new_hand_item(&one)).execute(c).unwrap();
                    let id = diesel::select(last_insert_id()).get_result::<u64>(c).unwrap();
                    hand_item::table
                        .find(id as i32)
                        .select(HandItem::as_select())
                        .first::<HandItem>(c)
                }
            )
            .unwrap()
        })
    });
    let many: Vec<BenchItem> = (0..10_000).map(item).collect();
    let chunk = hand_chunk(backend);
    // Each batch goes into an emptied table, so neither side pays for the other's rows.
    group.bench_function(BenchmarkId::new("ff", 10_000), |b| {
        b.iter_custom(|iterations| {
            timed_on_empty_table(&mut conn, iterations, |conn| {
                Repository::<BenchItem>::new(conn)
                    .insert_many(&many)
                    .unwrap();
            })
        })
    });
    group.bench_function(BenchmarkId::new("diesel", 10_000), |b| {
        b.iter_custom(|iterations| {
            timed_on_empty_table(&mut conn, iterations, |conn| {
                with_connection!(conn, |c| c.transaction(|c| {
                    let mut inserted = 0;
                    for rows in many.chunks(chunk) {
                        let rows: Vec<NewHandItem> = rows.iter().map(new_hand_item).collect();
                        inserted += diesel::insert_into(hand_item::table)
                            .values(&rows)
                            .execute(c)?;
                    }
                    QueryResult::Ok(inserted)
                }))
                .unwrap();
            })
        })
    });
    group.finish();
}

/// Runs `work` `iterations` times, each on an emptied table, and returns the time spent in it.
fn timed_on_empty_table(
    conn: &mut Connection,
    iterations: u64,
    mut work: impl FnMut(&mut Connection),
) -> Duration {
    let mut spent = Duration::ZERO;
    for _ in 0..iterations {
        Repository::<BenchItem>::new(conn)
            .delete_by(Criteria::all())
            .unwrap();
        let start = Instant::now();
        work(conn);
        spent += start.elapsed();
    }
    spent
}

fn benches(c: &mut Criterion) {
    for backend in ff_tests::backends::bench_backends() {
        bench_backend(c, backend);
    }
}

criterion_group! {
    name = repository;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(repository);
