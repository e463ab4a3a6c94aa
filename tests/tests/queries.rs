//! The query builder and raw SQL on every backend.

use bigdecimal::BigDecimal;
use ff_runtime::prelude::*;
use ff_runtime::{Page, RawQuery};
use ff_tests::domain::{
    Category, Customer, Order, OrderItem, OrderStatus, Product, category, order, order_item,
    product, store_tables,
};
use ff_tests::each_backend;

/// Two categories and six products:
/// Lamps: Desk 39.9, Floor 129.0, Reading 24.5 (inactive); Garden: Hose 15.0, Rake 22.0;
/// no category: Gift card 50.0 (with a description).
fn seed(conn: &mut Connection) -> (Category, Category) {
    conn.create_tables(&store_tables()).unwrap();
    let mut categories = Repository::<Category>::new(conn);
    let lamps = categories
        .insert(&Category {
            id: 0,
            name: "Lamps".into(),
            parent_id: None,
        })
        .unwrap();
    let garden = categories
        .insert(&Category {
            id: 0,
            name: "Garden".into(),
            parent_id: None,
        })
        .unwrap();
    let mut reading = Product::new("Reading lamp", 24.5, "L-3", Some(lamps.id));
    reading.is_active = false;
    let mut card = Product::new("Gift card", 50.0, "G-1", None);
    card.description = Some("Any amount".into());
    Repository::<Product>::new(conn)
        .insert_many(&[
            Product::new("Desk lamp", 39.9, "L-1", Some(lamps.id)),
            Product::new("Floor lamp", 129.0, "L-2", Some(lamps.id)),
            reading,
            Product::new("Hose", 15.0, "G-2", Some(garden.id)),
            Product::new("Rake", 22.0, "G-3", Some(garden.id)),
            card,
        ])
        .unwrap();
    (lamps, garden)
}

fn names(products: Vec<Product>) -> Vec<String> {
    products.into_iter().map(|p| p.name).collect()
}

#[test]
fn filters_combine_with_and_or_and_not() {
    each_backend(|conn| {
        let (lamps, _) = seed(conn);
        let by_name = || Product::query().order_by(product::name.asc());

        let cheap_lamps = by_name()
            .filter(product::category_id.eq(lamps.id))
            .filter(product::price.lt(50.0))
            .load(conn)
            .unwrap();
        assert_eq!(names(cheap_lamps), ["Desk lamp", "Reading lamp"]);

        let either = by_name()
            .filter(product::price.gt(100.0))
            .or_filter(product::name.like("%Rake%"))
            .load(conn)
            .unwrap();
        assert_eq!(names(either), ["Floor lamp", "Rake"]);

        let not_lamps = by_name()
            .exclude(product::name.like("%lamp"))
            .load(conn)
            .unwrap();
        assert_eq!(names(not_lamps), ["Gift card", "Hose", "Rake"]);

        let listed = by_name()
            .filter(product::sku.eq_any(["L-2", "G-3", "none"]))
            .load(conn)
            .unwrap();
        assert_eq!(names(listed), ["Floor lamp", "Rake"]);

        let uncategorised = by_name()
            .filter(product::category_id.is_null())
            .load(conn)
            .unwrap();
        assert_eq!(names(uncategorised), ["Gift card"]);
        let described = by_name()
            .filter(product::description.is_not_null())
            .count(conn)
            .unwrap();
        assert_eq!(described, 1);

        let nested = by_name()
            .filter(
                product::is_active
                    .eq(true)
                    .and(product::price.ge(22.0).or(product::sku.eq("G-2"))),
            )
            .filter(diesel::dsl::not(product::category_id.is_null()))
            .load(conn)
            .unwrap();
        assert_eq!(names(nested), ["Desk lamp", "Floor lamp", "Hose", "Rake"]);
    });
}

#[test]
fn joins_along_relations_keep_each_row_once() {
    each_backend(|conn| {
        let (_, garden) = seed(conn);
        let in_garden = Product::query()
            .join_parent::<Category>(category::name.eq("Garden"))
            .order_by(product::name.asc())
            .load(conn)
            .unwrap();
        assert_eq!(names(in_garden), ["Hose", "Rake"]);

        // Categories with a product over 20: Lamps has three, but comes once.
        let with_pricey = Category::query()
            .join_children::<Product>(product::price.gt(20.0))
            .order_by(category::name.asc())
            .load(conn)
            .unwrap();
        let categories: Vec<String> = with_pricey.into_iter().map(|c| c.name).collect();
        assert_eq!(categories, ["Garden", "Lamps"]);

        let without_products = Category::query()
            .exclude(Criteria::all().and(category::id.eq(garden.id)))
            .join_children::<Product>(Criteria::all())
            .count(conn)
            .unwrap();
        assert_eq!(without_products, 1);
    });
}

#[test]
fn ordering_limits_and_pages() {
    each_backend(|conn| {
        seed(conn);
        let ordered = Product::query()
            .order_by(product::category_id.desc())
            .order_by(product::price.asc())
            .filter(product::category_id.is_not_null())
            .load(conn)
            .unwrap();
        assert_eq!(
            names(ordered),
            ["Hose", "Rake", "Reading lamp", "Desk lamp", "Floor lamp"]
        );

        let window = Product::query()
            .order_by(product::price.asc())
            .offset(1)
            .limit(2)
            .load(conn)
            .unwrap();
        assert_eq!(names(window), ["Rake", "Reading lamp"]);

        let page: Page<Product> = Product::query()
            .order_by(product::price.desc())
            .paginate(2, 4, conn)
            .unwrap();
        assert_eq!(
            (page.total, page.page, page.per_page, page.pages()),
            (6, 2, 4, 2)
        );
        assert!(!page.has_next());
        assert_eq!(names(page.items), ["Rake", "Hose"]);
        let beyond = Product::query().paginate(9, 4, conn).unwrap();
        assert!(beyond.items.is_empty());
        assert_eq!(beyond.total, 6);
        assert!(matches!(
            Product::query().paginate(0, 4, conn),
            Err(Error::InvalidPage { .. })
        ));

        assert_eq!(
            Product::query()
                .order_by(product::price.desc())
                .first(conn)
                .unwrap()
                .unwrap()
                .name,
            "Floor lamp"
        );
        assert!(
            Product::query()
                .filter(product::price.gt(1000.0))
                .first(conn)
                .unwrap()
                .is_none()
        );
        assert!(
            Product::query()
                .filter(product::sku.eq("G-1"))
                .exists(conn)
                .unwrap()
        );
    });
}

#[test]
fn aggregates_sum_average_and_extremes() {
    each_backend(|conn| {
        let (lamps, _) = seed(conn);
        let lamps_only = || Product::query().filter(product::category_id.eq(lamps.id));

        let total: Option<f64> = lamps_only().sum(product::price, conn).unwrap();
        assert!((total.unwrap() - 193.4).abs() < 1e-9);
        let mean: Option<f64> = Product::query().avg(product::price, conn).unwrap();
        assert!((mean.unwrap() - 280.4 / 6.0).abs() < 1e-9);
        let cheapest: Option<f64> = Product::query().min(product::price, conn).unwrap();
        assert_eq!(cheapest, Some(15.0));
        let last: Option<String> = Product::query().max(product::name, conn).unwrap();
        assert_eq!(last.as_deref(), Some("Reading lamp"));

        // Integer columns: SUM is a BIGINT, AVG an exact decimal.
        let ids: Option<i64> = Category::query().sum(category::id, conn).unwrap();
        assert_eq!(ids, Some(i64::from(lamps.id) * 2 + 1));
        let average: Option<BigDecimal> = Category::query().avg(category::id, conn).unwrap();
        let expected: BigDecimal = (BigDecimal::from(lamps.id) * 2 + 1) / 2;
        assert_eq!(average.unwrap().with_scale(2), expected.with_scale(2));

        let none: Option<f64> = Product::query()
            .filter(product::price.gt(1e6))
            .sum(product::price, conn)
            .unwrap();
        assert_eq!(none, None);
        assert_eq!(lamps_only().count(conn).unwrap(), 3);
    });
}

#[test]
fn a_query_deletes_what_it_matches() {
    each_backend(|conn| {
        seed(conn);
        let deleted = Product::query()
            .filter(product::category_id.is_null())
            .delete(conn)
            .unwrap();
        assert_eq!(deleted, 1);
        assert_eq!(Product::query().count(conn).unwrap(), 5);
    });
}

#[test]
fn raw_sql_binds_parameters_and_maps_rows_to_entities() {
    each_backend(|conn| {
        let (lamps, _) = seed(conn);
        let found: Vec<Product> = RawQuery::new(
            "SELECT p.* FROM product p WHERE p.category_id = ? AND p.price > ? AND p.name <> '?' ORDER BY p.price",
        )
        .bind(lamps.id)
        .bind(30.0)
        .load(conn)
        .unwrap();
        assert_eq!(names(found), ["Desk lamp", "Floor lamp"]);

        let nulls: Vec<Product> =
            RawQuery::new("SELECT * FROM product WHERE description = ? OR sku = ?")
                .bind("Any amount")
                .bind(None::<String>)
                .load(conn)
                .unwrap();
        assert_eq!(names(nulls), ["Gift card"]);

        let changed =
            RawQuery::<Product>::new("UPDATE product SET price = price * ? WHERE category_id = ?")
                .bind(2.0)
                .bind(lamps.id)
                .execute(conn)
                .unwrap();
        assert_eq!(changed, 3);
        let total: Option<f64> = Product::query()
            .filter(product::category_id.eq(lamps.id))
            .sum(product::price, conn)
            .unwrap();
        assert!((total.unwrap() - 386.8).abs() < 1e-9);

        // A value is never pasted into the SQL.
        let hostile: Vec<Product> = RawQuery::new("SELECT * FROM product WHERE name = ?")
            .bind("x' OR '1' = '1")
            .load(conn)
            .unwrap();
        assert!(hostile.is_empty());
    });
}

#[test]
fn decimal_sums_and_timestamp_extremes_use_the_portable_types() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let customer = Repository::<Customer>::new(conn)
            .insert(&Customer::new("Ada"))
            .unwrap();
        let first = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .to_utc();
        let later = chrono::DateTime::parse_from_rfc3339("2026-11-02T10:00:00Z")
            .unwrap()
            .to_utc();
        let mut orders = Repository::<Order>::new(conn);
        let order = orders
            .insert(&Order::new(customer.uid, OrderStatus::Paid, later))
            .unwrap();
        orders
            .insert(&Order::new(customer.uid, OrderStatus::Pending, first))
            .unwrap();
        let lamp = Repository::<Product>::new(conn)
            .insert(&Product::new("Lamp", 1.0, "L-1", None))
            .unwrap();
        let line = |price: &str| OrderItem {
            id: 0,
            order_id: order.id,
            product_id: lamp.id,
            quantity: 1,
            unit_price: price.parse().unwrap(),
        };
        Repository::<OrderItem>::new(conn)
            .insert_many(&[line("10.25"), line("2.50")])
            .unwrap();

        let total: Option<BigDecimal> = OrderItem::query()
            .sum(order_item::unit_price, conn)
            .unwrap();
        assert_eq!(
            total.unwrap().with_scale(2),
            "12.75".parse::<BigDecimal>().unwrap()
        );
        let earliest: Option<chrono::DateTime<chrono::Utc>> =
            Order::query().min(order::placed_at, conn).unwrap();
        assert_eq!(earliest, Some(first));
        let latest: Option<chrono::DateTime<chrono::Utc>> =
            Order::query().max(order::placed_at, conn).unwrap();
        assert_eq!(latest, Some(later));
    });
}

#[test]
fn raw_statement_errors_name_the_violated_constraint() {
    each_backend(|conn| {
        seed(conn);
        let error = RawQuery::<Product>::new("UPDATE product SET sku = ? WHERE sku = ?")
            .bind("L-1")
            .bind("L-2")
            .execute(conn)
            .unwrap_err();
        assert!(matches!(error, Error::UniqueViolation { .. }), "{error}");
    });
}
