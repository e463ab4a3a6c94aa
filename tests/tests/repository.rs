//! Repositories and generated finders on every backend.

use ff_runtime::prelude::*;
use ff_runtime::{Backend, Repository};
use ff_tests::domain::{
    Category, Customer, Order, OrderStatus, Product, Tag, category, product, store_tables,
};
use ff_tests::{Statements, each_backend};

/// Creates the store's tables and a category with five products; returns the category.
fn seed(conn: &mut Connection) -> Category {
    conn.create_tables(&store_tables()).unwrap();
    let lamps = Repository::<Category>::new(conn)
        .insert(&Category {
            id: 0,
            name: "Lamps".into(),
            parent_id: None,
        })
        .unwrap();
    Repository::<Product>::new(conn)
        .insert_many(&[
            Product::new("Desk lamp", 39.9, "LMP-1", Some(lamps.id)),
            Product::new("Floor lamp", 129.0, "LMP-2", Some(lamps.id)),
            Product::new("Reading lamp", 24.5, "LMP-3", Some(lamps.id)),
            Product::new("Bedside lamp", 19.0, "LMP-4", Some(lamps.id)),
            Product::new("Gift card", 50.0, "GFT-1", None),
        ])
        .unwrap();
    lamps
}

fn names(products: &[Product]) -> Vec<&str> {
    products.iter().map(|p| p.name.as_str()).collect()
}

#[test]
fn insert_returns_the_row_with_its_generated_key_and_defaults() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let mut repo = Repository::<Product>::new(conn);
        let first = repo.insert(&Product::new("A", 1.0, "A-1", None)).unwrap();
        let second = repo.insert(&Product::new("B", 2.0, "B-1", None)).unwrap();
        assert!(first.id > 0);
        assert_eq!(second.id, first.id + 1);
        assert_eq!(
            second,
            Product {
                id: second.id,
                ..Product::new("B", 2.0, "B-1", None)
            }
        );
    });
}

#[test]
fn an_insert_reads_the_stored_row_back_in_the_same_statement_where_the_database_can() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        // INSERT … RETURNING; on MySQL: INSERT, LAST_INSERT_ID() and the rows by their keys.
        let statements_per_insert = match conn.backend() {
            Backend::Mysql => 3,
            _ => 1,
        };
        let statements = Statements::record(conn);
        let given = Product {
            description: Some("ünïcødé 🦀 'quoted'".into()),
            ..Product::new("Lamp", f64::MIN_POSITIVE, "L-1", None)
        };
        let stored = Repository::<Product>::new(conn).insert(&given).unwrap();
        assert_eq!(statements.count(), statements_per_insert);
        assert_eq!(
            stored,
            Product {
                id: stored.id,
                ..given
            }
        );
        let held = Repository::<Product>::new(conn).find(&stored.id).unwrap();
        assert_eq!(held, Some(stored));

        let rows: Vec<Product> = (0..3)
            .map(|i| Product::new(&format!("N{i}"), -0.0, &format!("N-{i}"), None))
            .collect();
        statements.take();
        let stored = Repository::<Product>::new(conn)
            .insert_many_returning(&rows)
            .unwrap();
        assert_eq!(statements.count(), statements_per_insert);
        for (stored, given) in stored.iter().zip(&rows) {
            assert_eq!(
                stored,
                &Product {
                    id: stored.id,
                    ..given.clone()
                }
            );
        }
    });
}

#[test]
fn generated_finders_match_columns_and_unique_keys() {
    each_backend(|conn| {
        let lamps = seed(conn);
        let desk = Product::find_by_name(conn, "Desk lamp").unwrap();
        assert_eq!(names(&desk), ["Desk lamp"]);
        assert!(Product::find_by_name(conn, "Nope").unwrap().is_empty());

        let in_lamps = Product::find_by_category_id(conn, Some(lamps.id)).unwrap();
        assert_eq!(in_lamps.len(), 4);
        let uncategorised = Product::find_by_category_id(conn, None).unwrap();
        assert_eq!(names(&uncategorised), ["Gift card"]);

        let by_sku = Product::find_one_by_sku(conn, "LMP-3").unwrap().unwrap();
        assert_eq!(by_sku.name, "Reading lamp");
        assert_eq!(Product::find_one_by_sku(conn, "none").unwrap(), None);
        assert_eq!(
            Product::find_one_by_id(conn, by_sku.id).unwrap(),
            Some(by_sku.clone())
        );
        assert_eq!(
            Category::find_one_by_name(conn, "Lamps").unwrap(),
            Some(lamps)
        );
        assert_eq!(Product::find_by_price(conn, 19.0).unwrap().len(), 1);
        assert_eq!(Product::find_by_is_active(conn, true).unwrap().len(), 5);
    });
}

#[test]
fn find_by_filters_orders_limits_and_offsets() {
    each_backend(|conn| {
        seed(conn);
        let mut repo = Repository::<Product>::new(conn);
        let cheap = repo
            .find_by(product::price.lt(50.0), product::price.asc(), None, None)
            .unwrap();
        assert_eq!(names(&cheap), ["Bedside lamp", "Reading lamp", "Desk lamp"]);

        let page = repo
            .find_by(Criteria::all(), product::price.desc(), Some(2), Some(1))
            .unwrap();
        assert_eq!(names(&page), ["Gift card", "Desk lamp"]);

        let offset_only = repo
            .find_by(Criteria::all(), product::price.desc(), None, Some(3))
            .unwrap();
        assert_eq!(names(&offset_only), ["Reading lamp", "Bedside lamp"]);

        let combined = repo
            .find_by(
                product::name
                    .like("%lamp")
                    .and(product::price.gt(20.0))
                    .or(product::sku.eq("GFT-1")),
                (product::is_active.desc(), product::name.asc()),
                Some(10),
                None,
            )
            .unwrap();
        assert_eq!(
            names(&combined),
            ["Desk lamp", "Floor lamp", "Gift card", "Reading lamp"]
        );

        let nullable = repo
            .find_by(product::category_id.is_null(), OrderBy::none(), None, None)
            .unwrap();
        assert_eq!(names(&nullable), ["Gift card"]);

        let in_list = repo
            .find_by(
                product::sku.eq_any(["LMP-1", "LMP-4"]),
                product::sku.asc(),
                None,
                None,
            )
            .unwrap();
        assert_eq!(names(&in_list), ["Desk lamp", "Bedside lamp"]);

        let first = repo.find_one_by(product::price.ge(100.0)).unwrap().unwrap();
        assert_eq!(first.name, "Floor lamp");
        assert_eq!(repo.find_one_by(product::price.ge(1000.0)).unwrap(), None);
        assert_eq!(repo.find_all().unwrap().len(), 5);
    });
}

#[test]
fn criteria_are_reusable_and_values_are_bound_not_pasted() {
    each_backend(|conn| {
        seed(conn);
        let mut repo = Repository::<Product>::new(conn);
        let hostile = "x' OR '1'='1";
        let criteria = Criteria::new(product::name.eq(hostile));
        assert_eq!(repo.count(criteria.clone()).unwrap(), 0);
        assert!(
            repo.find_by(criteria, OrderBy::none(), None, None)
                .unwrap()
                .is_empty()
        );
        assert_eq!(repo.count(Criteria::all()).unwrap(), 5);

        // Criteria may borrow their values.
        let wanted = String::from("Desk lamp");
        let found = repo
            .find_by(
                product::name.eq(wanted.as_str()),
                OrderBy::none(),
                None,
                None,
            )
            .unwrap();
        assert_eq!(names(&found), ["Desk lamp"]);
    });
}

#[test]
fn count_counts_matching_rows() {
    each_backend(|conn| {
        let lamps = seed(conn);
        let mut repo = Repository::<Product>::new(conn);
        assert_eq!(repo.count(Criteria::all()).unwrap(), 5);
        assert_eq!(repo.count(product::category_id.eq(lamps.id)).unwrap(), 4);
        assert_eq!(repo.count(product::price.gt(1000.0)).unwrap(), 0);
    });
}

#[test]
fn insert_many_writes_ten_thousand_rows_in_batches() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let rows: Vec<Product> = (0..10_000)
            .map(|i| Product {
                description: (i % 2 == 0).then(|| format!("even {i}")),
                ..Product::new(&format!("P{i}"), i as f64, &format!("SKU-{i}"), None)
            })
            .collect();
        let mut repo = Repository::<Product>::new(conn);
        assert_eq!(repo.insert_many(&rows).unwrap(), 10_000);
        assert_eq!(repo.count(Criteria::all()).unwrap(), 10_000);
        assert_eq!(repo.count(product::description.is_null()).unwrap(), 5_000);
        let last = Product::find_one_by_sku(repo.connection(), "SKU-9999")
            .unwrap()
            .unwrap();
        assert_eq!((last.name.as_str(), last.price), ("P9999", 9999.0));
        assert_eq!(repo.insert_many(&[]).unwrap(), 0);
    });
}

#[test]
fn insert_many_returning_gives_the_stored_rows_in_order_with_keys_and_defaults() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let mut repo = Repository::<Product>::new(conn);
        let earlier = repo
            .insert(&Product::new("earlier", 1.0, "E-1", None))
            .unwrap();
        // More rows than one statement takes on any backend, names in a scrambled order,
        // unicode, NULL and extreme values, and every other row inactive.
        let rows: Vec<Product> = (0..12_000)
            .map(|i| Product {
                description: (i % 3 == 0).then(|| format!("ünïcødé {i} 🦀 \"quoted\"")),
                is_active: i % 2 == 0,
                ..Product::new(
                    &format!("P{}", (i * 7_919) % 12_000),
                    if i == 5 { f64::MAX } else { i as f64 * 0.5 },
                    &format!("SKU-{i}"),
                    None,
                )
            })
            .collect();
        let stored = repo.insert_many_returning(&rows).unwrap();
        assert_eq!(stored.len(), rows.len());
        for (i, (stored, given)) in stored.iter().zip(&rows).enumerate() {
            assert_eq!(stored.id, earlier.id + 1 + i as i32, "row {i}");
            assert_eq!(
                stored,
                &Product {
                    id: stored.id,
                    ..given.clone()
                },
                "row {i}"
            );
        }
        // What came back is what the database holds.
        let mut held = repo.find_all().unwrap();
        held.retain(|p| p.id != earlier.id);
        held.sort_by_key(|p| p.id);
        assert_eq!(held, stored);
        assert_eq!(repo.insert_many_returning(&[]).unwrap(), []);
        // All or nothing: a duplicate SKU in the last statement keeps every row out.
        let mut more: Vec<Product> = (0..12_000)
            .map(|i| Product::new("more", 1.0, &format!("MORE-{i}"), None))
            .collect();
        more.push(Product::new("dup", 1.0, "SKU-0", None));
        assert!(matches!(
            repo.insert_many_returning(&more),
            Err(Error::UniqueViolation { .. })
        ));
        assert_eq!(repo.count(product::name.eq("more")).unwrap(), 0);
    });
}

#[test]
fn insert_many_is_all_or_nothing() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let mut rows: Vec<Product> = (0..40_000)
            .map(|i| Product::new(&format!("P{i}"), 1.0, &format!("SKU-{i}"), None))
            .collect();
        rows.push(Product::new("dup", 1.0, "SKU-0", None));
        let mut repo = Repository::<Product>::new(conn);
        assert!(matches!(
            repo.insert_many(&rows),
            Err(Error::UniqueViolation { .. })
        ));
        assert_eq!(repo.count(Criteria::all()).unwrap(), 0);
    });
}

#[test]
fn update_writes_every_column_including_null() {
    each_backend(|conn| {
        seed(conn);
        let mut repo = Repository::<Product>::new(conn);
        let mut desk = repo.find_one_by(product::sku.eq("LMP-1")).unwrap().unwrap();
        desk.price = 42.0;
        desk.category_id = None;
        desk.description = Some("new".into());
        repo.update(&desk).unwrap();
        assert_eq!(repo.find(&desk.id).unwrap(), Some(desk.clone()));

        let ghost = Product {
            id: 999_999,
            ..desk
        };
        assert!(
            matches!(repo.update(&ghost), Err(Error::NotFound { table }) if table == "product")
        );
    });
}

#[test]
fn save_inserts_new_entities_and_updates_stored_ones() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let mut tags = Repository::<Tag>::new(conn);
        let rust = tags
            .save(&Tag {
                id: 0,
                name: "rust".into(),
            })
            .unwrap();
        assert!(rust.id > 0);
        let renamed = tags
            .save(&Tag {
                name: "Rust".into(),
                ..rust.clone()
            })
            .unwrap();
        assert_eq!(
            renamed,
            Tag {
                id: rust.id,
                name: "Rust".into()
            }
        );
        assert_eq!(tags.count(Criteria::all()).unwrap(), 1);

        // An application-chosen key: saved once as an insert, then as an update.
        let mut customers = Repository::<Customer>::new(tags.connection());
        let ada = Customer {
            uid: uuid::Uuid::new_v4(),
            email: "ada@example.com".into(),
            name: "Ada".into(),
            cart_size: 3,
        };
        let stored = customers.save(&ada).unwrap();
        assert_eq!(
            stored,
            Customer {
                cart_size: 0,
                ..ada.clone()
            },
            "skipped fields load as default"
        );
        customers
            .save(&Customer {
                name: "Ada L.".into(),
                ..ada.clone()
            })
            .unwrap();
        assert_eq!(customers.find(&ada.uid).unwrap().unwrap().name, "Ada L.");
        assert_eq!(
            Customer::find_by_name(customers.connection(), "Ada L.")
                .unwrap()
                .len(),
            1
        );
    });
}

#[test]
fn delete_and_delete_by_remove_rows() {
    each_backend(|conn| {
        seed(conn);
        let mut repo = Repository::<Product>::new(conn);
        let gift = repo.find_one_by(product::sku.eq("GFT-1")).unwrap().unwrap();
        repo.delete(&gift).unwrap();
        assert_eq!(repo.find(&gift.id).unwrap(), None);
        assert!(matches!(repo.delete(&gift), Err(Error::NotFound { .. })));

        assert_eq!(repo.delete_by(product::price.lt(30.0)).unwrap(), 2);
        assert_eq!(repo.count(Criteria::all()).unwrap(), 2);
        assert_eq!(repo.delete_by(Criteria::all()).unwrap(), 2);
        assert_eq!(repo.count(Criteria::all()).unwrap(), 0);
    });
}

#[test]
fn the_generated_schema_works_with_diesels_typed_dsl() {
    each_backend(|conn| {
        let lamps = seed(conn);
        let names: Vec<String> = with_connection!(conn, |c| {
            product::table
                .inner_join(category::table)
                .filter(category::name.eq("Lamps"))
                .filter(product::price.gt(20.0))
                .order(product::price.desc())
                .select(product::name)
                .load::<String>(c)
        })
        .unwrap();
        assert_eq!(names, ["Floor lamp", "Desk lamp", "Reading lamp"]);
        let total: Option<f64> = with_connection!(conn, |c| {
            product::table
                .filter(product::category_id.eq(lamps.id))
                .select(diesel::dsl::sum(product::price * 2.0))
                .first(c)
        })
        .unwrap();
        assert!((total.unwrap() - 2.0 * (39.9 + 129.0 + 24.5 + 19.0)).abs() < 1e-9);
    });
}

#[test]
fn enums_and_uuid_keys_work_through_repositories() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let ada = Repository::<Customer>::new(conn)
            .insert(&Customer::new("Ada"))
            .unwrap();
        let placed_at = chrono::Utc::now();
        let mut orders = Repository::<Order>::new(conn);
        let order = orders
            .insert(&Order {
                id: 0,
                customer_uid: ada.uid,
                status: OrderStatus::Paid,
                placed_at,
            })
            .unwrap();
        assert_eq!(order.status, OrderStatus::Paid);
        let shipped = Order {
            status: OrderStatus::Shipped,
            ..order.clone()
        };
        orders.update(&shipped).unwrap();
        let found = orders
            .find_by(
                order::status.eq(OrderStatus::Shipped),
                OrderBy::none(),
                None,
                None,
            )
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].placed_at.timestamp_micros(),
            placed_at.timestamp_micros()
        );
        assert_eq!(
            Order::find_by_customer_uid(orders.connection(), ada.uid)
                .unwrap()
                .len(),
            1
        );
    });
}

use ff_tests::domain::order;
