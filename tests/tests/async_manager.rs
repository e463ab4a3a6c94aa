//! The entity manager on an `AsyncConnection`, on every backend: the same identity map, change
//! tracking, flush order, transactions, optimistic locking, hooks and validation as the sync
//! manager, in futures that run on tokio's multi-threaded runtime.

use std::sync::Arc;

use ff_runtime::prelude::*;
use ff_runtime::{AsyncConnection, AsyncEntityManager, AsyncPool};
use ff_tests::Statements;
use ff_tests::TestDatabase;
use ff_tests::backends::block_on;
use ff_tests::backends::row_count;
use ff_tests::blog::{Comment, Post, User, post, seed_blog, user};
use ff_tests::domain::{Product, product, store_tables};
use ff_tests::each_backend_database;
use ff_tests::statements::updated_column_sets;

/// An async manager on `database`, with the blog seeded: `users` users with two posts each.
async fn blog_manager(database: &TestDatabase, users: usize) -> AsyncEntityManager {
    seed_blog(&mut database.connect(), users, 2, 0);
    EntityManager::new(AsyncConnection::establish(database.url()).await.unwrap())
}

#[test]
fn the_identity_map_and_change_tracking_work_as_in_the_sync_manager() {
    each_backend_database(|database| {
        block_on(async {
            let mut em = blog_manager(database, 2).await;
            let statements = Statements::record_async(em.connection());
            let first_id = User::query()
                .order_by(user::id.asc())
                .first(em.connection())
                .await
                .unwrap()
                .unwrap()
                .id;
            statements.take();

            let first = em.find::<User>(&first_id).await.unwrap().unwrap();
            let again = em.find::<User>(&first_id).await.unwrap().unwrap();
            assert!(Managed::ptr_eq(&first, &again));
            assert_eq!(statements.count(), 1, "the second find must not query");
            assert!(em.find::<User>(&-1).await.unwrap().is_none());

            let posts = em
                .load(Post::query().order_by(post::id.asc()))
                .await
                .unwrap();
            assert_eq!(posts.len(), 4);
            let joined = em
                .load_with(Post::query().with(post::user_id).order_by(post::id.asc()))
                .await
                .unwrap();
            assert!(Managed::ptr_eq(&joined[0].0, &posts[0]));
            assert!(Managed::ptr_eq(&joined[0].1, &first), "the managed author");
            statements.take();

            // Only the changed columns of the changed rows are written.
            posts[0].borrow_mut().likes = 1_000_000;
            posts[1].borrow_mut().title = "Ünïcødé ✓ 𝄞".into();
            em.flush().await.unwrap();
            assert_eq!(
                updated_column_sets(&statements.take()),
                [vec!["likes", "version"], vec!["title", "version"]]
            );
            em.flush().await.unwrap();
            assert_eq!(statements.count(), 0, "nothing changed, nothing sent");

            // A new parent and its new children in one flush, then a removal and a refresh.
            let author = em.persist(User::new("Ada ∑"));
            let draft = em.persist(Post::new(0, "Draft"));
            em.set_parent(&draft, &author);
            em.flush().await.unwrap();
            assert!(author.borrow().id > 0);
            assert_eq!(draft.borrow().user_id, author.borrow().id);
            em.remove(&posts[3]).unwrap();
            em.flush().await.unwrap();
            posts[2].borrow_mut().body = "unsaved".into();
            assert!(em.refresh(&posts[2]).await.unwrap());
            assert_ne!(posts[2].borrow().body, "unsaved");

            // The database holds what the sync API reads back.
            let mut sync = database.connect();
            let stored = Post::query()
                .order_by(post::id.asc())
                .load(&mut sync)
                .unwrap();
            let managed: Vec<Post> = em
                .load(Post::query().order_by(post::id.asc()))
                .await
                .unwrap()
                .iter()
                .map(|p| p.borrow().clone())
                .collect();
            assert_eq!(stored, managed);
            assert_eq!(stored[0].likes, 1_000_000);
            assert_eq!(stored[1].title, "Ünïcødé ✓ 𝄞");
            assert_eq!(stored.len(), 4, "one removed, one added");
        });
    });
}

#[test]
fn edge_values_go_through_the_async_manager_unchanged() {
    each_backend_database(|database| {
        block_on(async {
            database.connect().create_tables(&store_tables()).unwrap();
            let mut em =
                EntityManager::new(AsyncConnection::establish(database.url()).await.unwrap());
            let prices = [
                1e300,
                0.1 + 0.2,
                f64::MIN_POSITIVE,
                123_456_789.125,
                0.0,
                f64::MAX,
            ];
            let products: Vec<_> = prices
                .iter()
                .enumerate()
                .map(|(i, &price)| {
                    em.persist(Product::new(
                        &format!("Größe {i} — 価格"),
                        price,
                        &format!("EDGE-{i}"),
                        None,
                    ))
                })
                .collect();
            em.flush().await.unwrap();
            products[0].borrow_mut().price = 5e-324;
            em.flush().await.unwrap();

            let mut sync = database.connect();
            let stored = Product::query()
                .order_by(product::sku.asc())
                .load(&mut sync)
                .unwrap();
            let mut expected = prices;
            expected[0] = 5e-324;
            assert_eq!(stored.iter().map(|p| p.price).collect::<Vec<_>>(), expected);
            for (stored, managed) in stored.iter().zip(&products) {
                assert_eq!(stored, &*managed.borrow());
            }
        });
    });
}

#[test]
fn an_async_transaction_commits_rolls_back_and_nests_in_savepoints() {
    each_backend_database(|database| {
        block_on(async {
            let mut em = blog_manager(database, 1).await;
            let users = User::query().count(em.connection()).await.unwrap();

            let id: Result<i32, Error> = em
                .transaction(async |em| {
                    let user = em.persist(User::new("Committed"));
                    em.flush().await?;
                    let id = user.borrow().id;
                    Ok(id)
                })
                .await;
            assert!(id.unwrap() > 0);

            let failed: Result<(), Error> = em
                .transaction(async |em| {
                    em.persist(User::new("Flushed then undone"));
                    em.flush().await?;
                    em.persist(User::new("Never flushed"));
                    Err(Error::Rejected("stop".into()))
                })
                .await;
            assert!(matches!(failed, Err(Error::Rejected(_))));
            assert_eq!(
                User::query().count(em.connection()).await.unwrap(),
                users + 1
            );

            let nested: Result<(), Error> = em
                .transaction(async |em| {
                    em.persist(User::new("Outer"));
                    let inner: Result<(), Error> = em
                        .transaction(async |em| {
                            em.persist(User::new("Inner"));
                            em.flush().await?;
                            Err(Error::Rejected("undo the inner work".into()))
                        })
                        .await;
                    assert!(inner.is_err());
                    Ok(())
                })
                .await;
            nested.unwrap();
            let names: Vec<String> = User::query()
                .load(em.connection())
                .await
                .unwrap()
                .into_iter()
                .map(|u| u.name)
                .collect();
            assert!(names.contains(&"Outer".to_owned()), "{names:?}");
            assert!(!names.contains(&"Inner".to_owned()), "{names:?}");
            assert_eq!(names.len() as i64, users + 2);
        });
    });
}

#[test]
fn a_panic_in_a_spawned_transaction_rolls_back_on_the_same_connection() {
    each_backend_database(|database| {
        block_on(async {
            let em = blog_manager(database, 1).await;
            let shared = Arc::new(tokio::sync::Mutex::new(em));
            let users = User::query()
                .count(shared.lock().await.connection())
                .await
                .unwrap();

            // `tokio::spawn` needs the transaction's future to be `Send`.
            let task = tokio::spawn({
                let shared = Arc::clone(&shared);
                async move {
                    let mut em = shared.lock().await;
                    let _: Result<(), Error> = em
                        .transaction(async |em| {
                            em.persist(User::new("Panicked"));
                            em.flush().await?;
                            panic!("boom");
                        })
                        .await;
                }
            });
            assert!(task.await.unwrap_err().is_panic(), "the panic goes on");

            // The same connection saw the rollback: no row, no transaction left open.
            let mut em = shared.lock().await;
            assert_eq!(User::query().count(em.connection()).await.unwrap(), users);
            em.persist(User::new("After"));
            em.flush().await.unwrap();
            assert_eq!(row_count(&mut database.connect(), "users"), users + 1);
        });
    });
}

#[test]
fn stale_entities_hooks_and_validation_fail_the_async_flush_and_write_nothing() {
    each_backend_database(|database| {
        block_on(async {
            let mut alice = blog_manager(database, 1).await;
            let mut bob =
                EntityManager::new(AsyncConnection::establish(database.url()).await.unwrap());
            let id = Post::query()
                .first(alice.connection())
                .await
                .unwrap()
                .unwrap()
                .id;
            let hers = alice.find::<Post>(&id).await.unwrap().unwrap();
            let his = bob.find::<Post>(&id).await.unwrap().unwrap();
            hers.borrow_mut().title = "Alice's".into();
            alice.flush().await.unwrap();
            his.borrow_mut().likes = 5;
            let error = bob.flush().await.unwrap_err();
            assert!(matches!(error, Error::StaleEntity { .. }), "{error}");
            assert!(bob.refresh(&his).await.unwrap());
            his.borrow_mut().likes = 5;
            bob.flush().await.unwrap();
            assert_eq!((his.borrow().likes, his.borrow().version), (5, 3));

            // Hooks run: `before_insert` trims the body, `after_load` marks loaded rows.
            let comment = alice.persist(Comment::new(id, "   padded   "));
            alice.flush().await.unwrap();
            assert_eq!(comment.borrow().body, "padded");
            alice.clear();
            let comment_id = comment.borrow().id;
            let loaded = alice.find::<Comment>(&comment_id).await.unwrap().unwrap();
            assert!(loaded.borrow().loaded);

            // Validation names every failing field, and nothing is written.
            let users = row_count(&mut database.connect(), "users");
            alice.persist(User {
                id: 0,
                name: "x".into(),
                email: "not an address".into(),
            });
            let error = alice.flush().await.unwrap_err();
            let Error::Validation { failures, .. } = &error else {
                panic!("expected a validation error, got {error}");
            };
            let fields: Vec<_> = failures.iter().map(|f| f.field).collect();
            assert_eq!(fields, ["name", "email"]);
            assert_eq!(row_count(&mut database.connect(), "users"), users);
        });
    });
}

#[test]
fn managers_on_pooled_connections_work_in_parallel_tasks() {
    each_backend_database(|database| {
        block_on(async {
            seed_blog(&mut database.connect(), 1, 8, 0);
            let pool = AsyncPool::new(database.url(), 4).await.unwrap();
            let ids: Vec<i32> = Post::query()
                .load(&mut database.connect())
                .unwrap()
                .iter()
                .map(|p| p.id)
                .collect();
            let rounds = 25;
            let tasks: Vec<_> = ids
                .iter()
                .map(|&id| {
                    let pool = pool.clone();
                    tokio::spawn(async move {
                        for _ in 0..rounds {
                            let mut em = EntityManager::new(pool.get().await?);
                            em.transaction(async |em| {
                                let post = em.find::<Post>(&id).await?.expect("seeded");
                                post.borrow_mut().likes += 1;
                                Ok::<(), Error>(())
                            })
                            .await?;
                        }
                        Ok::<(), Error>(())
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap().unwrap();
            }
            let stored = Post::query().load(&mut database.connect()).unwrap();
            assert_eq!(stored.len(), ids.len());
            for post in stored {
                assert_eq!((post.likes, post.version), (rounds, rounds + 1));
            }
        });
    });
}
