//! Grouped aggregates and annotations beside the same work written by hand in Diesel, on the
//! same connection and tables, in the same run: the ten clients with the highest sales total
//! over 10 000 sales (`GROUP BY` + `ORDER BY SUM(..) DESC` + `LIMIT`), and every client with
//! its total (ff's correlated subquery against Diesel's `LEFT JOIN` + `GROUP BY`).
//!
//! `cargo bench -p ff-tests --features mysql --bench grouping`, then
//! `python3 benches/report.py` prints the ratios.

use std::time::Duration;

use bigdecimal::BigDecimal;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ff_runtime::prelude::*;
use ff_runtime::{Backend, Repository};
use ff_tests::TestDatabase;
use ff_tests::sales::{Client, Sale, sale, sales_tables};

const CLIENTS: i32 = 1_000;
const SALES: usize = 10_000;

// The same tables, mapped by hand the way a Diesel user writes them.
diesel::table! {
    #[sql_name = "client"]
    hand_client (id) {
        id -> Integer,
        name -> Text,
        country -> Nullable<Text>,
    }
}

diesel::table! {
    #[sql_name = "sale"]
    hand_sale (id) {
        id -> BigInt,
        client_id -> Integer,
        total -> Numeric,
        discount -> Nullable<Numeric>,
        coupon -> Nullable<Text>,
    }
}

diesel::joinable!(hand_sale -> hand_client (client_id));
diesel::allow_tables_to_appear_in_same_query!(hand_client, hand_sale);

#[derive(Queryable, Selectable, Debug)]
#[diesel(table_name = hand_client)]
pub struct HandClient {
    pub id: i32,
    pub name: String,
    pub country: Option<String>,
}

fn seed(conn: &mut Connection) {
    conn.create_tables(&sales_tables()).unwrap();
    let clients: Vec<Client> = (0..CLIENTS)
        .map(|i| Client {
            id: 0,
            name: format!("client {i}"),
            country: (i % 3 != 0).then(|| "FR".to_owned()),
        })
        .collect();
    Repository::<Client>::new(conn)
        .insert_many(&clients)
        .unwrap();
    let mut state = 7u64;
    let sales: Vec<Sale> = (0..SALES)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let draw = state >> 33;
            Sale {
                id: 0,
                client_id: 1 + (draw % CLIENTS as u64) as i32,
                total: BigDecimal::new(((draw >> 10) % 1_000_000).into(), 2),
                discount: None,
                coupon: None,
            }
        })
        .collect();
    Repository::<Sale>::new(conn).insert_many(&sales).unwrap();
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
    seed(&mut conn);

    let ff_top = |conn: &mut Connection| -> Vec<(i32, Option<BigDecimal>)> {
        Sale::query()
            .group_by(sale::client_id)
            .select((sale::client_id, sum(sale::total)))
            .order_by(sum(sale::total).desc())
            .order_by(sale::client_id.asc())
            .limit(10)
            .load(conn)
            .unwrap()
    };
    let diesel_top = |conn: &mut Connection| -> Vec<(i32, Option<BigDecimal>)> {
        with_connection!(conn, |c| hand_sale::table
            .group_by(hand_sale::client_id)
            .select((hand_sale::client_id, diesel::dsl::sum(hand_sale::total)))
            .order_by((
                diesel::dsl::sum(hand_sale::total).desc(),
                hand_sale::client_id.asc(),
            ))
            .limit(10)
            .load(c))
        .unwrap()
    };
    // Both find the same clients (Diesel's sum on SQLite is a float, so compare the keys).
    let keys = |rows: Vec<(i32, Option<BigDecimal>)>| -> Vec<i32> {
        rows.into_iter().map(|(id, _)| id).collect()
    };
    assert_eq!(keys(ff_top(&mut conn)), keys(diesel_top(&mut conn)));

    let mut group = c.benchmark_group(format!("{backend}/top_10_by_total"));
    group.bench_function(BenchmarkId::new("ff", SALES), |b| {
        b.iter(|| ff_top(&mut conn))
    });
    group.bench_function(BenchmarkId::new("diesel", SALES), |b| {
        b.iter(|| diesel_top(&mut conn))
    });
    group.finish();

    let ff_annotate = |conn: &mut Connection| -> Vec<(Client, Option<BigDecimal>)> {
        Client::query()
            .annotate::<Sale, _>(sum(sale::total))
            .load(conn)
            .unwrap()
    };
    let diesel_join = |conn: &mut Connection| -> Vec<(HandClient, Option<BigDecimal>)> {
        with_connection!(conn, |c| hand_client::table
            .left_join(hand_sale::table)
            .group_by(hand_client::id)
            .select((
                HandClient::as_select(),
                diesel::dsl::sum(hand_sale::total.nullable()),
            ))
            .load(c))
        .unwrap()
    };
    assert_eq!(ff_annotate(&mut conn).len(), diesel_join(&mut conn).len());

    let mut group = c.benchmark_group(format!("{backend}/annotate_total"));
    group.bench_function(BenchmarkId::new("ff", CLIENTS), |b| {
        b.iter(|| ff_annotate(&mut conn))
    });
    group.bench_function(BenchmarkId::new("diesel", CLIENTS), |b| {
        b.iter(|| diesel_join(&mut conn))
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    for backend in ff_tests::backends::bench_backends() {
        bench_backend(c, backend);
    }
}

criterion_group! {
    name = grouping;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(grouping);
