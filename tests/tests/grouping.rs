//! Grouped aggregates and annotations on every backend, compared with Rust's own computation.

use std::collections::BTreeMap;
use std::str::FromStr;

use bigdecimal::BigDecimal;
use ff_runtime::prelude::*;
use ff_tests::domain::{Category, Product, category, product, store_tables};
use ff_tests::each_backend;
use ff_tests::sales::{Client, Sale, client, sale, sales_tables};

/// A small deterministic generator, so every backend sees the same rows.
struct Draws(u64);

impl Draws {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

/// Totals from -9 999 999 999 999.99 to 9 999 999 999 999.99, mostly small, some at the
/// extremes; a few exactly zero.
fn total(draws: &mut Draws) -> BigDecimal {
    let cents: i64 = match draws.next(10) {
        0 => 999_999_999_999_999,
        1 => -999_999_999_999_999,
        2 => 0,
        3 => -(draws.next(1_000_000) as i64),
        _ => draws.next(100_000_000) as i64,
    };
    BigDecimal::new(cents.into(), 2)
}

/// 30 clients (the last five without sales) and 400 sales.
fn seed(conn: &mut Connection) -> (Vec<Client>, Vec<Sale>) {
    conn.create_tables(&sales_tables()).unwrap();
    let countries = [Some("FR"), Some("DE"), None, Some("JP")];
    let clients: Vec<Client> = (0..30)
        .map(|i| Client {
            id: 0,
            name: format!("Client {i:02} é✓"),
            country: countries[i % countries.len()].map(Into::into),
        })
        .collect();
    Repository::<Client>::new(conn)
        .insert_many(&clients)
        .unwrap();
    let clients = Client::query()
        .order_by(client::id.asc())
        .load(conn)
        .unwrap();
    let mut draws = Draws(42);
    let coupons = [None, Some("SPRING"), Some("ÉTÉ"), Some("")];
    let sales: Vec<Sale> = (0..400)
        .map(|_| Sale {
            id: 0,
            client_id: clients[draws.next(25) as usize].id,
            total: total(&mut draws),
            discount: match draws.next(3) {
                0 => None,
                _ => Some(BigDecimal::new(
                    (draws.next(2_000_000) as i64 - 1_000_000).into(),
                    4,
                )),
            },
            coupon: coupons[draws.next(4) as usize].map(Into::into),
        })
        .collect();
    Repository::<Sale>::new(conn).insert_many(&sales).unwrap();
    (clients, sale_rows(conn))
}

fn sale_rows(conn: &mut Connection) -> Vec<Sale> {
    Sale::query().load(conn).unwrap()
}

/// What each client's sales add up to, computed in Rust.
#[derive(Debug, Default)]
struct Expected {
    count: i64,
    total: BigDecimal,
    discounts: Option<BigDecimal>,
    discounted: i64,
    coupons: std::collections::BTreeSet<String>,
    lowest: Option<BigDecimal>,
    highest: Option<BigDecimal>,
}

fn expected(sales: &[Sale]) -> BTreeMap<i32, Expected> {
    let mut by_client: BTreeMap<i32, Expected> = BTreeMap::new();
    for sale in sales {
        let e = by_client.entry(sale.client_id).or_default();
        e.count += 1;
        e.total += &sale.total;
        if let Some(discount) = &sale.discount {
            e.discounts = Some(e.discounts.take().unwrap_or_default() + discount);
            e.discounted += 1;
        }
        if let Some(coupon) = &sale.coupon {
            e.coupons.insert(coupon.clone());
        }
        e.lowest = Some(match e.lowest.take() {
            Some(low) if low <= sale.total => low,
            _ => sale.total.clone(),
        });
        e.highest = Some(match e.highest.take() {
            Some(high) if high >= sale.total => high,
            _ => sale.total.clone(),
        });
    }
    by_client
}

/// Client, sales, total, discounts, discounted sales, distinct coupons, lowest and highest total.
type ClientFigures = (
    i32,
    i64,
    Option<BigDecimal>,
    Option<BigDecimal>,
    i64,
    i64,
    Option<BigDecimal>,
    Option<BigDecimal>,
);

#[test]
fn totals_per_client_match_rust_exactly() {
    each_backend(|conn| {
        let (_, sales) = seed(conn);
        let rows: Vec<ClientFigures> = Sale::query()
            .group_by(sale::client_id)
            .select((
                sale::client_id,
                count_all(),
                sum(sale::total),
                sum(sale::discount),
                count(sale::discount),
                count_distinct(sale::coupon),
                min(sale::total),
                max(sale::total),
            ))
            .order_by(sale::client_id.asc())
            .load(conn)
            .unwrap();
        let expected = expected(&sales);
        assert_eq!(rows.len(), expected.len());
        for ((id, count, total, discounts, discounted, coupons, lowest, highest), (key, e)) in
            rows.into_iter().zip(&expected)
        {
            assert_eq!(id, *key);
            assert_eq!(count, e.count, "count of client {id}");
            assert_eq!(total, Some(e.total.clone()), "total of client {id}");
            assert_eq!(discounts, e.discounts, "discounts of client {id}");
            assert_eq!(discounted, e.discounted, "discounted sales of client {id}");
            assert_eq!(coupons, e.coupons.len() as i64, "coupons of client {id}");
            assert_eq!((lowest, highest), (e.lowest.clone(), e.highest.clone()));
        }
    });
}

#[test]
fn averages_agree_with_rust_to_the_cent() {
    each_backend(|conn| {
        let (_, sales) = seed(conn);
        let rows: Vec<(i32, Option<BigDecimal>)> = Sale::query()
            .group_by(sale::client_id)
            .select((sale::client_id, avg(sale::total)))
            .load(conn)
            .unwrap();
        let expected = expected(&sales);
        for (id, mean) in rows {
            let e = &expected[&id];
            let rust = &e.total / BigDecimal::from(e.count);
            let difference = (mean.unwrap() - rust).abs();
            assert!(
                difference < BigDecimal::from_str("0.01").unwrap(),
                "client {id}"
            );
        }
    });
}

#[test]
fn the_ten_best_clients_come_first_with_ties_broken_by_key() {
    each_backend(|conn| {
        let (clients, _) = seed(conn);
        // Two clients without sales so far tie at the top with four sales of the largest
        // total each.
        let tied: Vec<i32> = vec![clients[27].id, clients[26].id];
        let top = BigDecimal::from_str("9999999999999.99").unwrap();
        let extra: Vec<Sale> = [tied.clone(), tied.clone(), tied.clone(), tied.clone()]
            .concat()
            .into_iter()
            .map(|client_id| Sale {
                id: 0,
                client_id,
                total: top.clone(),
                discount: None,
                coupon: None,
            })
            .collect();
        Repository::<Sale>::new(conn).insert_many(&extra).unwrap();
        let sales = sale_rows(conn);
        let best: Vec<(i32, Option<BigDecimal>)> = Sale::query()
            .group_by(sale::client_id)
            .select((sale::client_id, sum(sale::total)))
            .order_by(sum(sale::total).desc())
            .order_by(sale::client_id.asc())
            .limit(10)
            .load(conn)
            .unwrap();
        let mut rust: Vec<(i32, Option<BigDecimal>)> = expected(&sales)
            .into_iter()
            .map(|(id, e)| (id, Some(e.total)))
            .collect();
        rust.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        rust.truncate(10);
        assert_eq!(best, rust);
        assert!(
            tied.iter()
                .all(|id| best.iter().any(|(found, _)| found == id))
        );

        let next: Vec<i32> = Sale::query()
            .group_by(sale::client_id)
            .order_by(sum(sale::total).desc())
            .order_by(sale::client_id.asc())
            .offset(10)
            .limit(3)
            .load(conn)
            .unwrap();
        let mut all: Vec<(i32, BigDecimal)> = expected(&sales)
            .into_iter()
            .map(|(id, e)| (id, e.total))
            .collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let rust: Vec<i32> = all[10..13].iter().map(|(id, _)| *id).collect();
        assert_eq!(next, rust);
    });
}

#[test]
fn having_keeps_the_groups_matching_an_aggregate() {
    each_backend(|conn| {
        let (_, sales) = seed(conn);
        let zero = BigDecimal::from(0);
        let busy: Vec<(i32, i64)> = Sale::query()
            .filter(sale::coupon.is_not_null())
            .group_by(sale::client_id)
            .select((sale::client_id, count_all()))
            .having(count_all().ge(12))
            .having(sum(sale::total).gt(ff_runtime::bind(Some(zero.clone()))))
            .order_by(sale::client_id.asc())
            .load(conn)
            .unwrap();
        let with_coupon: Vec<Sale> = sales.into_iter().filter(|s| s.coupon.is_some()).collect();
        let busy_in_rust = expected(&with_coupon)
            .into_iter()
            .filter(|(_, e)| e.count >= 12);
        let (rust, in_debt): (Vec<_>, Vec<_>) = busy_in_rust.partition(|(_, e)| e.total > zero);
        let rust: Vec<(i32, i64)> = rust.into_iter().map(|(id, e)| (id, e.count)).collect();
        assert!(
            !rust.is_empty() && !in_debt.is_empty(),
            "both conditions must matter"
        );
        assert_eq!(busy, rust);
    });
}

#[test]
fn groups_can_be_keyed_by_a_parent_column_along_the_relation() {
    each_backend(|conn| {
        let (clients, sales) = seed(conn);
        let per_country: Vec<(Option<String>, i64, Option<BigDecimal>)> = Sale::query()
            .group_by_parent::<Client, _>(client::country)
            .select((client::country, count_all(), sum(sale::total)))
            .order_by(client::country.asc())
            .load(conn)
            .unwrap();
        let mut rust: BTreeMap<Option<String>, (i64, BigDecimal)> = BTreeMap::new();
        for sale in &sales {
            let country = clients
                .iter()
                .find(|c| c.id == sale.client_id)
                .unwrap()
                .country
                .clone();
            let entry = rust.entry(country).or_default();
            entry.0 += 1;
            entry.1 += &sale.total;
        }
        // NULL sorts first on SQLite and MySQL, last on PostgreSQL: compare as sets.
        let mut found = per_country.clone();
        found.sort();
        let rust: Vec<_> = rust
            .into_iter()
            .map(|(country, (count, total))| (country, count, Some(total)))
            .collect();
        assert_eq!(found, rust);
    });
}

#[test]
fn products_are_counted_per_category_name() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let names = ["Lamps", "Garden", "Книги", "Empty"];
        for name in names {
            Repository::<Category>::new(conn)
                .insert(&Category {
                    id: 0,
                    name: name.into(),
                    parent_id: None,
                })
                .unwrap();
        }
        let ids: BTreeMap<String, i32> = Category::query()
            .load(conn)
            .unwrap()
            .into_iter()
            .map(|c| (c.name, c.id))
            .collect();
        let products = [
            ("Desk", 39.9, "Lamps"),
            ("Floor", 129.0, "Lamps"),
            ("Hose", 15.0, "Garden"),
            ("Война и мир", 12.5, "Книги"),
            ("Rake", 22.0, "Garden"),
            ("Reading", 24.5, "Lamps"),
        ];
        let mut rows: Vec<Product> = products
            .iter()
            .enumerate()
            .map(|(i, (name, price, cat))| {
                Product::new(name, *price, &format!("S-{i}"), Some(ids[*cat]))
            })
            .collect();
        rows.push(Product::new("Gift card", 50.0, "G-1", None));
        Repository::<Product>::new(conn).insert_many(&rows).unwrap();

        let per_name: Vec<(String, i64, Option<f64>)> = Product::query()
            .group_by_parent::<Category, _>(category::name)
            .select((category::name, count_all(), max(product::price)))
            .order_by(count_all().desc())
            .order_by(category::name.asc())
            .load(conn)
            .unwrap();
        assert_eq!(
            per_name,
            [
                ("Lamps".to_owned(), 3, Some(129.0)),
                ("Garden".to_owned(), 2, Some(22.0)),
                ("Книги".to_owned(), 1, Some(12.5)),
            ]
        );

        // Every category, those without products included, with its number of products.
        let counted: Vec<(Category, i64)> = Category::query()
            .order_by(category::name.asc())
            .annotate::<Product, _>(count_all())
            .load(conn)
            .unwrap();
        let counted: Vec<(String, i64)> = counted.into_iter().map(|(c, n)| (c.name, n)).collect();
        assert_eq!(
            counted,
            [
                ("Empty".to_owned(), 0),
                ("Garden".to_owned(), 2),
                ("Lamps".to_owned(), 3),
                ("Книги".to_owned(), 1),
            ]
        );
        // Along a self-referential relation: each category with its number of subcategories.
        let lamps = ids["Lamps"];
        Repository::<Category>::new(conn)
            .insert_many(&["Desk lamps", "Floor lamps"].map(|name| Category {
                id: 0,
                name: name.into(),
                parent_id: Some(lamps),
            }))
            .unwrap();
        let subcategories: Vec<(String, i64)> = Category::query()
            .filter(category::parent_id.is_null())
            .order_by(category::name.asc())
            .annotate::<Category, _>(count_all())
            .load(conn)
            .unwrap()
            .into_iter()
            .map(|(c, n)| (c.name, n))
            .collect();
        assert_eq!(
            subcategories,
            [
                ("Empty".to_owned(), 0),
                ("Garden".to_owned(), 0),
                ("Lamps".to_owned(), 2),
                ("Книги".to_owned(), 0),
            ]
        );
        let cheapest: Vec<(Category, Option<f64>)> = Category::query()
            .filter(category::name.eq("Empty").or(category::name.eq("Garden")))
            .order_by(category::name.asc())
            .annotate::<Product, _>(min(product::price))
            .load(conn)
            .unwrap();
        let cheapest: Vec<_> = cheapest.into_iter().map(|(c, p)| (c.name, p)).collect();
        assert_eq!(
            cheapest,
            [
                ("Empty".to_owned(), None),
                ("Garden".to_owned(), Some(15.0))
            ]
        );
    });
}

#[test]
fn each_client_is_annotated_with_its_exact_total() {
    each_backend(|conn| {
        let (clients, sales) = seed(conn);
        let annotated: Vec<(Client, Option<BigDecimal>)> = Client::query()
            .order_by(client::id.asc())
            .annotate::<Sale, _>(sum(sale::total))
            .load(conn)
            .unwrap();
        let expected = expected(&sales);
        assert_eq!(annotated.len(), clients.len());
        for ((client, total), rust_client) in annotated.into_iter().zip(&clients) {
            assert_eq!(&client, rust_client);
            assert_eq!(total, expected.get(&client.id).map(|e| e.total.clone()));
        }
        // The last five clients have no sales: NULL, not zero.
        let quiet: Vec<(Client, Option<BigDecimal>)> = Client::query()
            .order_by(client::id.desc())
            .limit(5)
            .annotate::<Sale, _>(sum(sale::total))
            .load(conn)
            .unwrap();
        assert!(quiet.iter().all(|(_, total)| total.is_none()));
    });
}

#[test]
fn nothing_to_group_gives_no_rows() {
    each_backend(|conn| {
        conn.create_tables(&sales_tables()).unwrap();
        let none: Vec<(i32, i64, Option<BigDecimal>)> = Sale::query()
            .group_by(sale::client_id)
            .select((sale::client_id, count_all(), sum(sale::total)))
            .load(conn)
            .unwrap();
        assert!(none.is_empty());
        let nobody: Vec<(Client, i64)> = Client::query()
            .annotate::<Sale, _>(count_all())
            .load(conn)
            .unwrap();
        assert!(nobody.is_empty());
    });
}

#[test]
fn a_negative_limit_is_refused() {
    each_backend(|conn| {
        conn.create_tables(&sales_tables()).unwrap();
        let refused = Sale::query()
            .group_by(sale::client_id)
            .limit(-1)
            .load::<i32, _>(conn);
        assert!(matches!(refused, Err(Error::InvalidWindow { .. })));
    });
}

/// A grouped row as a struct: Diesel's `Queryable` derive, from ff's prelude.
#[derive(Queryable, Debug, PartialEq)]
struct CouponUse {
    coupon: Option<String>,
    sales: i64,
    clients: i64,
}

#[test]
fn grouped_rows_load_into_a_queryable_struct() {
    each_backend(|conn| {
        let (_, sales) = seed(conn);
        let mut uses: Vec<CouponUse> = Sale::query()
            .group_by(sale::coupon)
            .select((sale::coupon, count_all(), count_distinct(sale::client_id)))
            .load(conn)
            .unwrap();
        uses.sort_by(|a, b| a.coupon.cmp(&b.coupon));
        let mut rust: BTreeMap<Option<String>, (i64, std::collections::BTreeSet<i32>)> =
            BTreeMap::new();
        for sale in &sales {
            let entry = rust.entry(sale.coupon.clone()).or_default();
            entry.0 += 1;
            entry.1.insert(sale.client_id);
        }
        let rust: Vec<CouponUse> = rust
            .into_iter()
            .map(|(coupon, (sales, clients))| CouponUse {
                coupon,
                sales,
                clients: clients.len() as i64,
            })
            .collect();
        assert_eq!(uses, rust);
    });
}

#[test]
fn grouped_queries_and_annotations_answer_the_same_on_an_async_connection() {
    ff_tests::each_backend_database(|database| {
        let (clients, sales) = seed(&mut database.connect());
        let expected = expected(&sales);
        ff_tests::backends::block_on(async {
            let mut conn = ff_runtime::AsyncConnection::establish(database.url())
                .await
                .unwrap();
            let query = || {
                Sale::query()
                    .filter(sale::client_id.ne(clients[0].id))
                    .group_by(sale::client_id)
                    .select((
                        sale::client_id,
                        count_all(),
                        min(sale::total),
                        max(sale::total),
                    ))
                    .having(count_all().gt(1))
                    .order_by(sale::client_id.asc())
            };
            type Figures = (i32, i64, Option<BigDecimal>, Option<BigDecimal>);
            let rows: Vec<Figures> = query().load(&mut conn).await.unwrap();
            let same: Vec<Figures> = query().load(&mut database.connect()).unwrap();
            assert_eq!(rows, same);
            assert!(!rows.is_empty());
            assert!(rows.iter().all(|row| row.0 != clients[0].id && row.1 > 1));
            for (client, count, lowest, highest) in &rows {
                let rust: Vec<&Sale> = sales.iter().filter(|s| s.client_id == *client).collect();
                assert_eq!(*count, rust.len() as i64);
                assert_eq!(lowest.as_ref(), rust.iter().map(|s| &s.total).min());
                assert_eq!(highest.as_ref(), rust.iter().map(|s| &s.total).max());
            }

            // Annotations: each client with the exact sum of its totals, NULL without sales.
            let annotated: Vec<(Client, Option<BigDecimal>)> = Client::query()
                .order_by(client::id.asc())
                .annotate::<Sale, _>(sum(sale::total))
                .load(&mut conn)
                .await
                .unwrap();
            assert_eq!(annotated.len(), 30);
            for (client, total) in &annotated {
                assert_eq!(
                    total.as_ref(),
                    expected.get(&client.id).map(|e| &e.total),
                    "{client:?}"
                );
            }
        });
    });
}
