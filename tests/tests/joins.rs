//! To-one loading by JOIN on every backend: each row with its parents from one statement,
//! compared with the two-query loading of `load_<relation>` and with Rust's own filtering,
//! sorting and slicing.

use bigdecimal::BigDecimal;
use ff_runtime::prelude::*;
use ff_tests::blog::{Post, User, post, seed_blog, user};
use ff_tests::domain::{
    Category, Customer, Order, OrderItem, OrderStatus, Product, category, customer, order,
    order_item, product, store_tables,
};
use ff_tests::{Statements, each_backend, each_backend_database};

fn category_row(conn: &mut Connection, name: &str, parent: Option<&Category>) -> Category {
    Repository::<Category>::new(conn)
        .insert(&Category {
            id: 0,
            name: name.into(),
            parent_id: parent.map(|p| p.id),
        })
        .unwrap()
}

/// Three levels of categories and products in some of them (every third one in none).
fn seed_store(conn: &mut Connection) -> (Vec<Category>, Vec<Product>) {
    conn.create_tables(&store_tables()).unwrap();
    let home = category_row(conn, "Home", None);
    let lighting = category_row(conn, "Lighting", Some(&home));
    let lamps = category_row(conn, "Lamps", Some(&lighting));
    let garden = category_row(conn, "Garden", None);
    let categories = vec![home, lighting, lamps, garden];
    let products: Vec<Product> = (0..12)
        .map(|i| {
            let category = (i % 3 != 0).then(|| categories[i % 4].id);
            Product::new(&format!("p{i:02}"), i as f64, &format!("SKU-{i}"), category)
        })
        .collect();
    Repository::<Product>::new(conn)
        .insert_many(&products)
        .unwrap();
    let products = Product::query()
        .order_by(product::id.asc())
        .load(conn)
        .unwrap();
    (categories, products)
}

#[test]
fn posts_with_their_user_equal_the_two_query_load_in_one_statement() {
    each_backend(|conn| {
        seed_blog(conn, 6, 4, 0);
        let condition = || post::title.like("post 1%").or(post::title.like("post 3%"));
        let posts = Post::query()
            .filter(condition())
            .order_by(post::id.asc())
            .load(conn)
            .unwrap();
        let users = Post::load_user(conn, &posts).unwrap();
        let expected: Vec<(Post, User)> = posts
            .into_iter()
            .zip(users.into_iter().map(Option::unwrap))
            .collect();

        let statements = Statements::record(conn);
        let joined = Post::query()
            .filter(condition())
            .with(post::user_id)
            .order_by(post::id.asc())
            .load(conn)
            .unwrap();
        let sql = statements.take();
        assert_eq!(sql.len(), 1, "one statement: {sql:?}");
        assert!(sql[0].contains("INNER JOIN"), "{}", sql[0]);
        assert_eq!(joined.len(), 12);
        assert_eq!(joined, expected);
    });
}

#[test]
fn a_nullable_foreign_key_gives_none_and_keeps_the_row() {
    each_backend(|conn| {
        let (_, products) = seed_store(conn);
        let parents = Product::load_category(conn, &products).unwrap();
        let expected: Vec<(Product, Option<Category>)> =
            products.into_iter().zip(parents).collect();

        let statements = Statements::record(conn);
        let joined: Vec<(Product, Option<Category>)> = Product::query()
            .with(product::category_id)
            .order_by(product::id.asc())
            .load(conn)
            .unwrap();
        let sql = statements.take();
        assert_eq!(sql.len(), 1);
        assert!(sql[0].contains("LEFT JOIN"), "{}", sql[0]);
        assert_eq!(joined, expected);
        assert_eq!(joined.iter().filter(|(_, c)| c.is_none()).count(), 4);
    });
}

#[test]
fn order_items_load_with_their_order_and_its_customer_two_levels_down() {
    each_backend(|conn| {
        let (_, products) = seed_store(conn);
        let customers = [Customer::new("Ada"), Customer::new("Grace")];
        for customer in &customers {
            Repository::<Customer>::new(conn).insert(customer).unwrap();
        }
        let placed = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let mut orders = Vec::new();
        for (i, status) in [
            OrderStatus::Paid,
            OrderStatus::Shipped,
            OrderStatus::Pending,
        ]
        .into_iter()
        .enumerate()
        {
            let order = Order::new(customers[i % 2].uid, status, placed);
            orders.push(Repository::<Order>::new(conn).insert(&order).unwrap());
        }
        let items: Vec<OrderItem> = (0..9)
            .map(|i| OrderItem {
                id: 0,
                order_id: orders[i % 3].id,
                product_id: products[i].id,
                quantity: i as i16 + 1,
                unit_price: format!("{i}.25").parse::<BigDecimal>().unwrap(),
            })
            .collect();
        Repository::<OrderItem>::new(conn)
            .insert_many(&items)
            .unwrap();

        let items = OrderItem::query()
            .order_by(order_item::id.asc())
            .load(conn)
            .unwrap();
        let item_orders: Vec<Order> = OrderItem::load_order(conn, &items)
            .unwrap()
            .into_iter()
            .map(Option::unwrap)
            .collect();
        let order_customers = Order::load_customer(conn, &item_orders).unwrap();
        let expected: Vec<(OrderItem, (Order, Customer))> = items
            .into_iter()
            .zip(
                item_orders
                    .into_iter()
                    .zip(order_customers.into_iter().map(Option::unwrap)),
            )
            .collect();

        let statements = Statements::record(conn);
        let joined = OrderItem::query()
            .with(order_item::order_id.with(order::customer_uid))
            .order_by(order_item::id.asc())
            .load(conn)
            .unwrap();
        assert_eq!(statements.count(), 1);
        assert_eq!(joined, expected);
        // A renamed column (`display_name`) and a skipped field read like `load` reads them.
        assert_eq!((joined[0].1).1.name, "Ada");
        assert_eq!((joined[0].1).1.cart_size, 0);

        // Siblings: the order and the product of each item, filtered on the product.
        let siblings = OrderItem::query()
            .with((order_item::order_id, order_item::product_id))
            .filter_joined(order_item::product_id, product::name.eq_any(["p01", "p05"]))
            .order_by(order_item::id.asc())
            .load(conn)
            .unwrap();
        let found: Vec<(i32, i64, &str)> = siblings
            .iter()
            .map(|(item, (order, product))| (item.product_id, order.id, &*product.name))
            .collect();
        assert_eq!(
            found,
            [
                (products[1].id, orders[1].id, "p01"),
                (products[5].id, orders[2].id, "p05")
            ]
        );
        // Filter on the customer two levels down.
        let graces = OrderItem::query()
            .with(order_item::order_id.with(order::customer_uid))
            .filter_joined(order::customer_uid, customer::name.eq("Grace"))
            .count(conn)
            .unwrap();
        assert_eq!(graces, 3);
    });
}

#[test]
fn a_self_reference_joins_the_table_under_an_alias() {
    each_backend(|conn| {
        let (categories, products) = seed_store(conn);
        let [home, lighting, lamps, garden] = [0, 1, 2, 3].map(|i| categories[i].clone());

        let statements = Statements::record(conn);
        let with_parent = Category::query()
            .with(category::parent_id)
            .order_by(category::id.asc())
            .load(conn)
            .unwrap();
        let sql = statements.take();
        assert_eq!(sql.len(), 1);
        assert!(sql[0].contains("category__1"), "an alias: {}", sql[0]);
        assert_eq!(
            with_parent,
            [
                (home.clone(), None),
                (lighting.clone(), Some(home.clone())),
                (lamps.clone(), Some(lighting.clone())),
                (garden.clone(), None),
            ]
        );

        // Filters on both sides of the self-reference: the child's own, and the parent's.
        let under_home = Category::query()
            .filter(category::name.ne("Garden"))
            .with(category::parent_id)
            .filter_joined(category::parent_id, category::name.eq("Home"))
            .load(conn)
            .unwrap();
        assert_eq!(under_home, [(lighting.clone(), Some(home.clone()))]);
        statements.take();

        // Ordering on the aliased table is refused rather than answered wrongly.
        let refused = Category::query()
            .with(category::parent_id)
            .order_by_joined(category::parent_id, category::name.asc())
            .load(conn);
        let message = refused.unwrap_err().to_string();
        assert!(message.contains("joined a second time"), "{message}");
        assert_eq!(statements.count(), 0, "refused before it runs");

        // A product, its category and that category's parent: a chain of LEFT JOINs.
        let chain = Product::query()
            .with(product::category_id.with(category::parent_id))
            .order_by(product::id.asc())
            .load(conn)
            .unwrap();
        assert_eq!(chain.len(), products.len());
        for (product, category) in &chain {
            let expected = product.category_id.map(|id| {
                let category = categories.iter().find(|c| c.id == id).unwrap().clone();
                let parent = category
                    .parent_id
                    .map(|p| categories.iter().find(|c| c.id == p).unwrap().clone());
                (category, parent)
            });
            assert_eq!(category, &expected, "{}", product.name);
        }
    });
}

#[test]
fn filters_and_orders_on_joined_columns_match_rust() {
    each_backend(|conn| {
        let (categories, products) = seed_store(conn);
        let all = Product::load_category(conn, &products).unwrap();
        let mut expected: Vec<(Product, Option<Category>)> = products
            .into_iter()
            .zip(all)
            .filter(|(p, c)| p.price >= 2.0 && c.as_ref().is_some_and(|c| c.name != "Garden"))
            .collect();
        // Category name descending, then price ascending.
        expected.sort_by(|(a, ca), (b, cb)| {
            let (ca, cb) = (&ca.as_ref().unwrap().name, &cb.as_ref().unwrap().name);
            cb.cmp(ca).then(a.price.total_cmp(&b.price))
        });

        let joined = Product::query()
            .filter(product::price.ge(2.0))
            .with(product::category_id)
            .filter_joined(product::category_id, category::name.ne("Garden"))
            .order_by_joined(product::category_id, category::name.desc())
            .order_by(product::price.asc())
            .load(conn)
            .unwrap();
        assert_eq!(joined, expected);
        assert!(
            joined
                .iter()
                .all(|(_, c)| c.as_ref().unwrap().id != categories[3].id)
        );
    });
}

#[test]
fn limit_offset_and_paginate_window_the_joined_rows() {
    each_backend(|conn| {
        seed_blog(conn, 5, 5, 0);
        let ordered = || {
            Post::query()
                .with(post::user_id)
                .order_by_joined(post::user_id, user::name.desc())
                .order_by(post::id.asc())
        };
        let all = ordered().load(conn).unwrap();
        assert_eq!(all.len(), 25);
        assert_eq!(ordered().limit(7).load(conn).unwrap(), all[..7]);
        assert_eq!(
            ordered().offset(20).load(conn).unwrap(),
            all[20..],
            "an offset without a limit"
        );
        assert_eq!(
            ordered().limit(4).offset(10).load(conn).unwrap(),
            all[10..14]
        );
        assert_eq!(ordered().first(conn).unwrap().as_ref(), all.first());
        assert!(ordered().limit(0).load(conn).unwrap().is_empty());
        assert!(ordered().offset(100).load(conn).unwrap().is_empty());
        assert!(matches!(
            ordered().limit(-1).load(conn),
            Err(Error::InvalidWindow { .. })
        ));

        let page = ordered()
            .filter_joined(post::user_id, user::name.ne("user0"))
            .paginate(3, 6, conn)
            .unwrap();
        let kept: Vec<_> = all.iter().filter(|(_, u)| u.name != "user0").collect();
        assert_eq!(page.total, 20);
        assert_eq!(page.pages(), 4);
        assert_eq!(page.items.iter().collect::<Vec<_>>(), kept[12..18]);
        assert!(matches!(
            ordered().paginate(0, 5, conn),
            Err(Error::InvalidPage { .. })
        ));
    });
}

#[test]
fn the_entity_manager_registers_both_sides_of_a_join() {
    each_backend_database(|database| {
        let mut conn = database.connect();
        seed_blog(&mut conn, 2, 3, 0);
        let mut em = EntityManager::new(conn);
        let first_user = em
            .load(User::query().order_by(user::id.asc()).limit(1))
            .unwrap()
            .remove(0);
        first_user.borrow_mut().name = "changed, not flushed".into();

        let rows = em
            .load_with(Post::query().with(post::user_id).order_by(post::id.asc()))
            .unwrap();
        assert_eq!(rows.len(), 6);
        // The instance managed already wins, unflushed change included.
        assert!(Managed::ptr_eq(&rows[0].1, &first_user));
        assert_eq!(rows[0].1.borrow().name, "changed, not flushed");
        // The same parent is one instance across rows, and found again without a query.
        assert!(Managed::ptr_eq(&rows[0].1, &rows[2].1));
        let second_user_id = rows[5].1.borrow().id;
        let statements = Statements::record(em.connection());
        let found = em.find::<User>(&second_user_id).unwrap().unwrap();
        assert!(Managed::ptr_eq(&found, &rows[5].1));
        let post_id = rows[4].0.borrow().id;
        assert!(Managed::ptr_eq(
            &em.find::<Post>(&post_id).unwrap().unwrap(),
            &rows[4].0
        ));
        assert_eq!(
            statements.count(),
            0,
            "both sides come from the identity map"
        );

        // Rows whose parent was removed in this manager are left out.
        em.remove(&found).unwrap();
        let rows = em
            .load_with(Post::query().with(post::user_id).order_by(post::id.asc()))
            .unwrap();
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|(_, u)| Managed::ptr_eq(u, &first_user)));
    });
}

#[test]
fn unicode_and_edge_values_in_joined_columns_come_back_intact() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let names = [
            "",
            "Ünïcödé ☕ 日本語 🌍",
            "O'Brien \"quoted\" \\ back",
            "trailing  ",
            "line\nbreak\ttab",
        ];
        let categories: Vec<Category> = names
            .iter()
            .map(|name| category_row(conn, name, None))
            .collect();
        let prices = [0.0, f64::MIN_POSITIVE, 1e-300, 123_456_789.125, f64::MAX];
        let descriptions = [None, Some(""), Some("🌍"), Some("x'y"), Some("z")];
        let products: Vec<Product> = (0..5)
            .map(|i| Product {
                description: descriptions[i].map(str::to_owned),
                ..Product::new(
                    names[4 - i],
                    prices[i],
                    &format!("S{i}"),
                    Some(categories[i].id),
                )
            })
            .collect();
        Repository::<Product>::new(conn)
            .insert_many(&products)
            .unwrap();

        let joined = Product::query()
            .with(product::category_id)
            .order_by(product::sku.asc())
            .load(conn)
            .unwrap();
        for (i, (product, category)) in joined.iter().enumerate() {
            assert_eq!(product.name, names[4 - i]);
            assert_eq!(product.price, prices[i]);
            assert_eq!(product.description.as_deref(), descriptions[i]);
            assert_eq!(category.as_ref().unwrap().name, names[i]);
        }

        // Equality on joined text is exact: unicode, the empty string and trailing spaces.
        for (i, name) in names.iter().enumerate() {
            let found = Product::query()
                .with(product::category_id)
                .filter_joined(product::category_id, category::name.eq(*name))
                .load(conn)
                .unwrap();
            assert_eq!(found.len(), 1, "{name:?}");
            assert_eq!(found[0].0.sku, format!("S{i}"));
        }
        // Ordering on joined text follows code points, as Rust's `str` ordering does.
        let mut by_name = names.to_vec();
        by_name.sort();
        let ordered: Vec<String> = Product::query()
            .with(product::category_id)
            .order_by_joined(product::category_id, category::name.asc())
            .load(conn)
            .unwrap()
            .into_iter()
            .map(|(_, c)| c.unwrap().name)
            .collect();
        assert_eq!(ordered, by_name);
    });
}
