//! The async API answers as the sync one does, on every backend: repositories, finders, the
//! query builder and transactions on an `AsyncConnection`, futures that run on tokio's
//! multi-threaded runtime, and the async pool.

use bigdecimal::BigDecimal;
use ff_runtime::prelude::*;
use ff_runtime::{AsyncConnection, AsyncPool, AsyncRepository};
use ff_tests::TestDatabase;
use ff_tests::backends::block_on;
use ff_tests::domain::{Category, Product, product, store_tables};
use ff_tests::each_backend_database;

/// A fresh database with the store's tables, and an async connection to it.
async fn store(database: &TestDatabase) -> AsyncConnection {
    database.connect().create_tables(&store_tables()).unwrap();
    AsyncConnection::establish(database.url()).await.unwrap()
}

/// A new category named `name`, as stored.
async fn category(conn: &mut AsyncConnection, name: &str) -> Category {
    AsyncRepository::<Category>::new(conn)
        .insert(&Category {
            id: 0,
            name: name.into(),
            parent_id: None,
        })
        .await
        .unwrap()
}

/// Products whose values sit at the edges: unicode, a huge and a tiny price, no category.
fn edge_products(category: i32) -> Vec<Product> {
    vec![
        Product::new("Lämpchen 💡", 1e300, "EDGE-1", Some(category)),
        Product::new("Ångström", 0.0, "EDGE-2", None),
        Product::new("Lamp", f64::MIN_POSITIVE, "EDGE-3", Some(category)),
        Product::new("lamp", 24.5, "EDGE-4", Some(category)),
    ]
}

#[test]
fn async_repositories_answer_as_the_sync_ones_do() {
    each_backend_database(|database| {
        block_on(async {
            let mut conn = store(database).await;
            let category = category(&mut conn, "Licht ☀").await;
            let mut products = AsyncRepository::<Product>::new(&mut conn);
            let stored = products
                .insert_many_returning(&edge_products(category.id))
                .await
                .unwrap();
            assert_eq!(stored.len(), 4);
            let extra = products
                .insert(&Product::new("Extra", 7.25, "EXTRA", None))
                .await
                .unwrap();
            assert_eq!(
                products.insert_many(&[]).await.unwrap(),
                0,
                "an empty batch inserts nothing"
            );

            // Every read answers as the sync API does on the same database.
            let mut sync = database.connect();
            let mut sync_products = Repository::<Product>::new(&mut sync);
            assert_eq!(
                products.find(&extra.id).await.unwrap(),
                sync_products.find(&extra.id).unwrap()
            );
            assert_eq!(
                products.find_all().await.unwrap(),
                sync_products.find_all().unwrap()
            );
            let by_price = products
                .find_by(
                    product::price.gt(0.0),
                    product::price.desc(),
                    Some(2),
                    Some(1),
                )
                .await
                .unwrap();
            assert_eq!(
                by_price,
                sync_products
                    .find_by(
                        product::price.gt(0.0),
                        product::price.desc(),
                        Some(2),
                        Some(1)
                    )
                    .unwrap()
            );
            assert_eq!(
                by_price.iter().map(|p| p.price).collect::<Vec<_>>(),
                [24.5, 7.25]
            );
            assert_eq!(
                products.count(product::name.like("L%")).await.unwrap(),
                sync_products.count(product::name.like("L%")).unwrap()
            );
            assert!(matches!(
                products
                    .find_by(Criteria::all(), OrderBy::none(), Some(-1), None)
                    .await,
                Err(Error::InvalidWindow { .. })
            ));

            // Writes: update, save, delete, with the sync API's errors.
            let mut lamp = stored[3].clone();
            lamp.price = -0.0;
            lamp.description = Some("nachts 🌙".into());
            products.update(&lamp).await.unwrap();
            assert_eq!(products.find(&lamp.id).await.unwrap(), Some(lamp.clone()));
            let saved = products
                .save(&Product::new("Saved", 3.5, "SAVED", None))
                .await
                .unwrap();
            assert_ne!(saved.id, 0);
            products.delete(&saved).await.unwrap();
            assert!(matches!(
                products.delete(&saved).await,
                Err(Error::NotFound { .. })
            ));
            assert!(matches!(
                products
                    .insert(&Product::new("Dup", 1.0, "EXTRA", None))
                    .await,
                Err(Error::UniqueViolation { .. })
            ));
            assert!(matches!(
                products
                    .insert(&Product::new("Bad", -1.0, "BAD", None))
                    .await,
                Err(Error::CheckViolation { .. })
            ));
            assert_eq!(
                products.delete_by(product::sku.eq("EXTRA")).await.unwrap(),
                1
            );
            assert_eq!(sync_products.count(Criteria::all()).unwrap(), 4);
        })
    });
}

#[test]
fn generated_finders_and_the_query_builder_take_an_async_connection() {
    each_backend_database(|database| {
        block_on(async {
            let mut conn = store(database).await;
            let category = category(&mut conn, "Licht").await;
            AsyncRepository::<Product>::new(&mut conn)
                .insert_many(&edge_products(category.id))
                .await
                .unwrap();

            let named = Product::find_by_name(&mut conn, "Lamp").await.unwrap();
            assert_eq!(named.len(), 1, "a finder compares exactly, case included");
            let sku = Product::find_one_by_sku(&mut conn, "EDGE-1").await.unwrap();
            assert_eq!(sku.map(|p| p.name), Some("Lämpchen 💡".to_owned()));
            let uncategorised = Product::find_by_category_id(&mut conn, None).await.unwrap();
            assert_eq!(uncategorised.len(), 1, "None finds NULL");

            let query = || {
                Product::query()
                    .filter(product::category_id.eq(category.id))
                    .order_by(product::price.asc())
            };
            let page = query().paginate(1, 2, &mut conn).await.unwrap();
            assert_eq!((page.total, page.items.len()), (3, 2));
            assert_eq!(page.items[0].price, f64::MIN_POSITIVE);
            let mut sync = database.connect();
            assert_eq!(page, query().paginate(1, 2, &mut sync).unwrap());
            assert_eq!(
                query().first(&mut conn).await.unwrap(),
                page.items.first().cloned()
            );
            assert!(query().exists(&mut conn).await.unwrap());
            let max: Option<f64> = query().max(product::price, &mut conn).await.unwrap();
            assert_eq!(max, Some(1e300));
            let sum: Option<f64> = query().sum(product::price, &mut conn).await.unwrap();
            assert_eq!(sum, Some(1e300 + 24.5 + f64::MIN_POSITIVE));
            let none: Option<f64> = Product::query()
                .filter(product::price.gt(1e301))
                .min(product::price, &mut conn)
                .await
                .unwrap();
            assert_eq!(none, None);
            assert_eq!(query().delete(&mut conn).await.unwrap(), 3);
            assert_eq!(Product::query().count(&mut conn).await.unwrap(), 1);
        })
    });
}

#[test]
fn async_transactions_commit_roll_back_on_error_and_panic_and_nest_with_savepoints() {
    each_backend_database(|database| {
        block_on(async {
            let mut conn = store(database).await;
            let count = async |conn: &mut AsyncConnection| Product::query().count(conn).await;

            conn.transaction(async |conn| {
                AsyncRepository::<Product>::new(conn)
                    .insert(&Product::new("Kept", 1.0, "K", None))
                    .await
            })
            .await
            .unwrap();
            assert_eq!(count(&mut conn).await.unwrap(), 1);

            let failed: Result<()> = conn
                .transaction(async |conn| {
                    AsyncRepository::<Product>::new(conn)
                        .insert(&Product::new("Gone", 1.0, "G", None))
                        .await?;
                    Err(Error::NotFound {
                        table: "product".into(),
                    })
                })
                .await;
            assert!(failed.is_err());
            assert_eq!(count(&mut conn).await.unwrap(), 1, "rolled back on error");

            // A savepoint rolled back inside a transaction that commits.
            conn.transaction(async |conn| {
                AsyncRepository::<Product>::new(conn)
                    .insert(&Product::new("Outer", 1.0, "O", None))
                    .await?;
                let inner: Result<()> = conn
                    .transaction(async |conn| {
                        AsyncRepository::<Product>::new(conn)
                            .insert(&Product::new("Inner", 1.0, "I", None))
                            .await?;
                        Err(Error::NotFound {
                            table: "product".into(),
                        })
                    })
                    .await;
                assert!(inner.is_err());
                Ok::<(), Error>(())
            })
            .await
            .unwrap();
            let skus: Vec<String> = Product::query()
                .order_by(product::sku.asc())
                .load(&mut conn)
                .await
                .unwrap()
                .into_iter()
                .map(|p| p.sku)
                .collect();
            assert_eq!(skus, ["K", "O"]);

            // A panic rolls back and goes on; the connection stays usable.
            let panicked = tokio::spawn(async move {
                let _: Result<()> = conn
                    .transaction(async |conn| {
                        AsyncRepository::<Product>::new(conn)
                            .insert(&Product::new("Panic", 1.0, "P", None))
                            .await?;
                        panic!("boom")
                    })
                    .await;
            })
            .await;
            assert!(panicked.unwrap_err().is_panic());
            let mut conn = AsyncConnection::establish(database.url()).await.unwrap();
            assert_eq!(count(&mut conn).await.unwrap(), 2, "rolled back on panic");
        })
    });
}

#[test]
fn async_work_holding_a_connection_runs_on_spawned_tasks() {
    each_backend_database(|database| {
        block_on(async {
            let url = database.url().to_owned();
            store(database).await;
            let tasks: Vec<_> = (0..4)
                .map(|n| {
                    let url = url.clone();
                    tokio::spawn(async move {
                        let mut conn = AsyncConnection::establish(&url).await?;
                        let sku = format!("T{n}");
                        let product = AsyncRepository::<Product>::new(&mut conn)
                            .insert(&Product::new("Task", f64::from(n), &sku, None))
                            .await?;
                        tokio::task::yield_now().await;
                        Product::find_one_by_sku(&mut conn, &sku)
                            .await
                            .map(|found| found == Some(product))
                    })
                })
                .collect();
            for task in tasks {
                assert!(task.await.unwrap().unwrap());
            }
        })
    });
}

#[test]
fn a_bad_async_url_is_named_with_its_password_masked() {
    block_on(async {
        let error = AsyncConnection::establish("postgres://ff:s3cret@127.0.0.1:1/none")
            .await
            .unwrap_err();
        let text = error.to_string();
        assert!(text.contains("cannot connect to"), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
        let error = AsyncPool::new("nosuch://x", 2).await.unwrap_err();
        assert!(matches!(error, Error::InvalidUrl { .. }), "{error}");
    });
}

#[test]
fn decimals_and_dates_at_their_edges_read_back_alike_through_both_apis() {
    use ff_tests::domain::{Customer, Order, OrderItem, OrderStatus, order_item};
    each_backend_database(|database| {
        block_on(async {
            let mut conn = store(database).await;
            let customer = AsyncRepository::<Customer>::new(&mut conn)
                .insert(&Customer::new("Zoë"))
                .await
                .unwrap();
            let old = chrono::NaiveDate::from_ymd_opt(1901, 12, 14)
                .unwrap()
                .and_hms_micro_opt(20, 45, 52, 999_999)
                .unwrap()
                .and_utc();
            let order = AsyncRepository::<Order>::new(&mut conn)
                .insert(&Order::new(customer.uid, OrderStatus::Paid, old))
                .await
                .unwrap();
            assert_eq!(order.placed_at, old);
            let product = AsyncRepository::<Product>::new(&mut conn)
                .insert(&Product::new("P", 1.0, "P", None))
                .await
                .unwrap();
            let prices = ["-99999999.99", "99999999.99", "0.01", "-0.01"];
            let items: Vec<OrderItem> = prices
                .iter()
                .map(|price| OrderItem {
                    id: 0,
                    order_id: order.id,
                    product_id: product.id,
                    quantity: i16::MAX,
                    unit_price: price.parse::<BigDecimal>().unwrap(),
                })
                .collect();
            let stored = AsyncRepository::<OrderItem>::new(&mut conn)
                .insert_many_returning(&items)
                .await
                .unwrap();
            let mut sync = database.connect();
            let read_sync = Repository::<OrderItem>::new(&mut sync).find_all().unwrap();
            let read_async = AsyncRepository::<OrderItem>::new(&mut conn)
                .find_all()
                .await
                .unwrap();
            assert_eq!(read_async, read_sync);
            let mut sorted = stored.clone();
            sorted.sort_by_key(|item| item.id);
            assert_eq!(read_async, sorted);
            for (item, price) in stored.iter().zip(prices) {
                assert_eq!(item.unit_price, price.parse::<BigDecimal>().unwrap());
            }
            let total: Option<BigDecimal> = OrderItem::query()
                .sum(order_item::unit_price, &mut conn)
                .await
                .unwrap();
            assert_eq!(total, Some(BigDecimal::from(0)));
        })
    });
}

#[test]
fn relations_and_eager_loading_answer_with_futures_as_they_do_with_results() {
    use ff_tests::blog::{Comment, Label, Post, User, post, seed_blog, user};
    each_backend_database(|database| {
        let mut sync = database.connect();
        seed_blog(&mut sync, 3, 2, 2);
        block_on(async {
            let mut conn = AsyncConnection::establish(database.url()).await.unwrap();
            let users = User::query()
                .order_by(user::id.asc())
                .load(&mut conn)
                .await
                .unwrap();
            let tree = users
                .clone()
                .with_children::<Post>(&mut conn)
                .await
                .unwrap()
                .with_children::<Comment>(&mut conn)
                .await
                .unwrap();
            let sync_tree = User::query()
                .order_by(user::id.asc())
                .load(&mut sync)
                .unwrap()
                .with_children::<Post>(&mut sync)
                .unwrap()
                .with_children::<Comment>(&mut sync)
                .unwrap();
            assert_eq!(tree, sync_tree);
            assert_eq!(tree.len(), 3);
            assert!(tree.iter().all(|(_, posts)| posts.len() == 2
                && posts.iter().all(|(_, comments)| comments.len() == 2)));

            let posts = Post::query()
                .order_by(post::id.asc())
                .load(&mut conn)
                .await
                .unwrap();
            let authors = Post::load_user(&mut conn, &posts).await.unwrap();
            assert_eq!(authors, Post::load_user(&mut sync, &posts).unwrap());
            assert_eq!(posts[0].user(&mut conn).await.unwrap(), users[0]);
            assert_eq!(users[1].posts(&mut conn).await.unwrap().len(), 2);
            assert_eq!(users[1].profile(&mut conn).await.unwrap(), None);
            let with_parents = posts.clone().with_parent::<User>(&mut conn).await.unwrap();
            assert!(
                with_parents
                    .iter()
                    .all(|(p, u)| u.as_ref().map(|u| u.id) == Some(p.user_id))
            );

            let label = AsyncRepository::<Label>::new(&mut conn)
                .insert(&Label {
                    id: 0,
                    name: "Ünïcode ✓".into(),
                })
                .await
                .unwrap();
            assert!(posts[0].add_label(&mut conn, &label).await.unwrap());
            assert!(
                !posts[0].add_label(&mut conn, &label).await.unwrap(),
                "linked already"
            );
            assert_eq!(
                posts[0].labels(&mut conn).await.unwrap(),
                std::slice::from_ref(&label)
            );
            let linked = posts
                .clone()
                .with_linked::<ff_tests::blog::PostLabel, Label>(&mut conn)
                .await
                .unwrap();
            assert_eq!(linked[0].1, std::slice::from_ref(&label));
            assert!(linked[1..].iter().all(|(_, labels)| labels.is_empty()));
            assert_eq!(posts[0].remove_label(&mut conn, &label).await.unwrap(), 1);
            assert!(posts[0].labels(&mut conn).await.unwrap().is_empty());

            // To-one loading by JOIN, in one statement, as on the sync connection.
            let joined = || Post::query().with(post::user_id).order_by(post::id.desc());
            let rows: Vec<(Post, User)> = joined().load(&mut conn).await.unwrap();
            assert_eq!(rows, joined().load(&mut sync).unwrap());
            assert_eq!(rows.len(), 6);
            assert!(rows.iter().all(|(p, u)| p.user_id == u.id));
            let query = joined();
            assert_eq!(query.count(&mut conn).await.unwrap(), 6);
            let page = joined().paginate(2, 4, &mut conn).await.unwrap();
            assert_eq!((page.total, page.items.len()), (6, 2));
            assert_eq!(page.items, rows[4..]);
            assert_eq!(
                joined().first(&mut conn).await.unwrap(),
                rows.first().cloned()
            );
        })
    });
}
