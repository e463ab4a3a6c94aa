//! Relationships on every backend: accessors, eager loading with one query per level (flat and
//! nested), many-to-many links and self-referential trees.

use std::collections::HashMap;

use ff_runtime::prelude::*;
use ff_tests::blog::{
    Comment, Label, Post, PostLabel, Profile, User, comment, post, seed_blog, user,
};
use ff_tests::domain::{
    Category, Customer, Order, OrderStatus, Product, Tag, product, store_tables,
};
use ff_tests::{Statements, each_backend};

fn category(conn: &mut Connection, name: &str, parent: Option<&Category>) -> Category {
    Repository::<Category>::new(conn)
        .insert(&Category {
            id: 0,
            name: name.into(),
            parent_id: parent.map(|p| p.id),
        })
        .unwrap()
}

#[test]
fn many_to_one_and_one_to_many_accessors_follow_the_foreign_key() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let lamps = category(conn, "Lamps", None);
        let mut products = Repository::<Product>::new(conn);
        let desk = products
            .insert(&Product::new("Desk lamp", 39.9, "L-1", Some(lamps.id)))
            .unwrap();
        let card = products
            .insert(&Product::new("Gift card", 50.0, "G-1", None))
            .unwrap();

        assert_eq!(desk.category(conn).unwrap(), Some(lamps.clone()));
        assert_eq!(card.category(conn).unwrap(), None);
        assert_eq!(lamps.products(conn).unwrap(), vec![desk.clone()]);

        // A non-null foreign key gives the parent itself.
        let customer = Repository::<Customer>::new(conn)
            .insert(&Customer::new("Ada"))
            .unwrap();
        let order = Repository::<Order>::new(conn)
            .insert(&Order::new(
                customer.uid,
                OrderStatus::Paid,
                chrono::Utc::now(),
            ))
            .unwrap();
        assert_eq!(order.customer(conn).unwrap().uid, customer.uid);
        assert_eq!(customer.orders(conn).unwrap().len(), 1);

        // set_parent writes the foreign key.
        let mut moved = card.clone();
        BelongsTo::<Category>::set_parent(&mut moved, &lamps);
        assert_eq!(moved.category_id, Some(lamps.id));
    });
}

#[test]
fn one_to_one_gives_the_single_row_referring_to_the_parent() {
    each_backend(|conn| {
        let users = seed_blog(conn, 3, 0, 0);
        Repository::<Profile>::new(conn)
            .insert(&Profile {
                id: 0,
                user_id: users[1].id,
                bio: "Writes about SQL".into(),
            })
            .unwrap();
        assert_eq!(users[0].profile(conn).unwrap(), None);
        assert_eq!(
            users[1].profile(conn).unwrap().unwrap().bio,
            "Writes about SQL"
        );
        let statements = Statements::record(conn);
        let profiles = User::load_profile(conn, &users).unwrap();
        assert_eq!(statements.count(), 1);
        assert_eq!(
            profiles.iter().map(Option::is_some).collect::<Vec<_>>(),
            [false, true, false]
        );
    });
}

#[test]
fn the_categories_of_a_thousand_products_load_in_one_query() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let categories: Vec<Category> = (0..10)
            .map(|i| category(conn, &format!("c{i}"), None))
            .collect();
        let products: Vec<Product> = (0..1000)
            .map(|i| {
                let category = (i % 11 != 0).then(|| categories[i % 10].id);
                Product::new(&format!("p{i}"), 1.0, &format!("SKU-{i}"), category)
            })
            .collect();
        Repository::<Product>::new(conn)
            .insert_many(&products)
            .unwrap();
        let products = Product::query().load(conn).unwrap();

        let statements = Statements::record(conn);
        let parents = Product::load_category(conn, &products).unwrap();
        assert_eq!(statements.count(), 1, "one query for 1000 products");
        assert_eq!(parents.len(), 1000);
        for (product, parent) in products.iter().zip(&parents) {
            assert_eq!(parent.as_ref().map(|c| c.id), product.category_id);
        }

        let children = Category::load_products(conn, &categories).unwrap();
        assert_eq!(statements.count(), 1);
        assert_eq!(
            children.iter().map(Vec::len).sum::<usize>(),
            products.iter().filter(|p| p.category_id.is_some()).count()
        );
        assert!(
            children[3]
                .iter()
                .all(|p| p.category_id == Some(categories[3].id))
        );
    });
}

#[test]
fn users_posts_and_comments_load_in_one_query_per_level() {
    each_backend(|conn| {
        seed_blog(conn, 20, 5, 4);
        let statements = Statements::record(conn);
        let users = User::query().order_by(user::id.asc()).load(conn).unwrap();
        let posts = User::load_posts(conn, &users).unwrap();
        let flat: Vec<Post> = posts.iter().flatten().cloned().collect();
        let comments = Post::load_comments(conn, &flat).unwrap();
        assert_eq!(statements.count(), 3, "users, posts, comments");

        assert_eq!(posts.len(), 20);
        assert!(posts.iter().all(|p| p.len() == 5));
        for (user, posts) in users.iter().zip(&posts) {
            assert!(posts.iter().all(|p| p.user_id == user.id));
        }
        assert_eq!(comments.len(), 100);
        for (post, comments) in flat.iter().zip(&comments) {
            assert_eq!(comments.len(), 4);
            assert!(comments.iter().all(|c| c.post_id == post.id));
        }
        // Nothing to load: no query.
        assert!(User::load_posts(conn, &[]).unwrap().is_empty());
        assert_eq!(statements.count(), 0);
    });
}

#[test]
fn many_to_many_links_are_added_listed_and_removed() {
    each_backend(|conn| {
        let users = seed_blog(conn, 1, 3, 0);
        let posts = users[0].posts(conn).unwrap();
        let mut labels = Repository::<Label>::new(conn);
        let rust = labels
            .insert(&Label {
                id: 0,
                name: "rust".into(),
            })
            .unwrap();
        let sql = labels
            .insert(&Label {
                id: 0,
                name: "sql".into(),
            })
            .unwrap();

        assert!(posts[0].add_label(conn, &rust).unwrap());
        assert!(posts[0].add_label(conn, &sql).unwrap());
        assert!(!posts[0].add_label(conn, &sql).unwrap(), "linked already");
        assert!(posts[1].add_label(conn, &sql).unwrap());

        let mut names: Vec<String> = posts[0]
            .labels(conn)
            .unwrap()
            .into_iter()
            .map(|l| l.name)
            .collect();
        names.sort();
        assert_eq!(names, ["rust", "sql"]);
        assert_eq!(sql.posts(conn).unwrap().len(), 2);

        let statements = Statements::record(conn);
        let per_post = Post::load_labels(conn, &posts).unwrap();
        assert_eq!(statements.count(), 2, "the links, then the labels");
        assert_eq!(per_post.iter().map(Vec::len).collect::<Vec<_>>(), [2, 1, 0]);

        assert_eq!(posts[0].remove_label(conn, &sql).unwrap(), 1);
        assert_eq!(posts[0].remove_label(conn, &sql).unwrap(), 0);
        assert_eq!(posts[0].labels(conn).unwrap(), vec![rust.clone()]);
        assert_eq!(
            Repository::<PostLabel>::new(conn)
                .count(Criteria::all())
                .unwrap(),
            2
        );

        // The store's products and tags, declared the same way.
        conn.create_tables(&store_tables()).unwrap();
        let lamp = Repository::<Product>::new(conn)
            .insert(&Product::new("Lamp", 9.0, "L-9", None))
            .unwrap();
        let tag = Repository::<Tag>::new(conn)
            .insert(&Tag {
                id: 0,
                name: "new".into(),
            })
            .unwrap();
        assert!(lamp.add_tag(conn, &tag).unwrap());
        assert_eq!(lamp.tags(conn).unwrap(), vec![tag]);
    });
}

#[test]
fn a_self_referential_tree_walks_up_and_down() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let root = category(conn, "Home", None);
        let lighting = category(conn, "Lighting", Some(&root));
        let garden = category(conn, "Garden", Some(&root));
        let lamps = category(conn, "Lamps", Some(&lighting));

        assert_eq!(lamps.parent(conn).unwrap(), Some(lighting.clone()));
        assert_eq!(root.parent(conn).unwrap(), None);
        let mut children: Vec<String> = root
            .children(conn)
            .unwrap()
            .into_iter()
            .map(|c| c.name)
            .collect();
        children.sort();
        assert_eq!(children, ["Garden", "Lighting"]);

        let statements = Statements::record(conn);
        let level = [lighting.clone(), garden.clone()];
        let grandchildren = Category::load_children(conn, &level).unwrap();
        assert_eq!(statements.count(), 1);
        assert_eq!(grandchildren, vec![vec![lamps.clone()], vec![]]);
        let parents = Category::load_parent(conn, &[lamps, lighting, root]).unwrap();
        assert_eq!(
            parents
                .iter()
                .map(|p| p.as_ref().map(|c| c.name.as_str()))
                .collect::<Vec<_>>(),
            [Some("Lighting"), Some("Home"), None]
        );
    });
}

#[test]
fn diesel_belonging_to_and_grouped_by_work_on_the_generated_schema() {
    each_backend(|conn| {
        let users = seed_blog(conn, 3, 2, 1);
        let grouped: Vec<Vec<Post>> = with_connection!(conn, |c| {
            Post::belonging_to(&users)
                .order(post::id.asc())
                .load::<Post>(c)
                .map(|posts| posts.grouped_by(&users))
        })
        .unwrap();
        assert_eq!(grouped.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2, 2]);
    });
}

/// A blog tree as `with_children` gives it, or as Rust nests it.
type BlogTree = Vec<(User, Vec<(Post, Vec<Comment>)>)>;

/// The blog's users, posts and comments nested by Rust from three whole-table loads.
fn blog_tree_nested_by_rust(conn: &mut Connection) -> BlogTree {
    let users = User::query().order_by(user::id.asc()).load(conn).unwrap();
    let posts = Post::query().order_by(post::id.asc()).load(conn).unwrap();
    let comments = Comment::query()
        .order_by(comment::id.asc())
        .load(conn)
        .unwrap();
    let mut comments_of: HashMap<i32, Vec<Comment>> = HashMap::new();
    for comment in comments {
        comments_of
            .entry(comment.post_id)
            .or_default()
            .push(comment);
    }
    let mut posts_of: HashMap<i32, Vec<(Post, Vec<Comment>)>> = HashMap::new();
    for post in posts {
        let comments = comments_of.remove(&post.id).unwrap_or_default();
        posts_of
            .entry(post.user_id)
            .or_default()
            .push((post, comments));
    }
    users
        .into_iter()
        .map(|user| {
            let posts = posts_of.remove(&user.id).unwrap_or_default();
            (user, posts)
        })
        .collect()
}

/// Children come in the database's order: sorts them by key to compare trees.
fn sorted(mut tree: BlogTree) -> BlogTree {
    for (_, posts) in &mut tree {
        posts.sort_by_key(|(post, _)| post.id);
        for (_, comments) in posts {
            comments.sort_by_key(|comment| comment.id);
        }
    }
    tree
}

/// Users with posts and comments, users without posts, posts without comments.
fn seed_uneven_blog(conn: &mut Connection) {
    let users = seed_blog(conn, 6, 3, 2);
    Repository::<User>::new(conn)
        .insert_many(&[User::new("no posts"), User::new("nor these")])
        .unwrap();
    Repository::<Post>::new(conn)
        .insert_many(&[
            Post::new(users[0].id, "uncommented"),
            Post::new(users[5].id, "quiet ünïcödé ✓"),
        ])
        .unwrap();
    let first_post = Post::query().order_by(post::id.asc()).load(conn).unwrap()[0].id;
    Repository::<Comment>::new(conn)
        .insert(&Comment::new(first_post, ""))
        .unwrap();
}

#[test]
fn nested_children_equal_what_rust_nests_from_flat_loads_in_one_query_per_level() {
    each_backend(|conn| {
        seed_uneven_blog(conn);
        let statements = Statements::record(conn);
        let tree: BlogTree = User::query()
            .order_by(user::id.asc())
            .load(conn)
            .unwrap()
            .with_children::<Post>(conn)
            .unwrap()
            .with_children::<Comment>(conn)
            .unwrap();
        assert_eq!(statements.count(), 3, "users, posts, comments");

        let expected = blog_tree_nested_by_rust(conn);
        assert_eq!(sorted(tree.clone()), expected);
        let post_counts: Vec<usize> = tree.iter().map(|(_, posts)| posts.len()).collect();
        assert_eq!(post_counts, [4, 3, 3, 3, 3, 4, 0, 0]);
        let empty_comment = tree
            .iter()
            .flat_map(|(_, posts)| posts)
            .flat_map(|(_, c)| c);
        assert_eq!(empty_comment.filter(|c| c.body.is_empty()).count(), 1);
    });
}

#[test]
fn nested_loading_of_nothing_runs_no_query() {
    each_backend(|conn| {
        seed_blog(conn, 0, 0, 0);
        let statements = Statements::record(conn);
        let tree: BlogTree = Vec::<User>::new()
            .with_children::<Post>(conn)
            .unwrap()
            .with_children::<Comment>(conn)
            .unwrap();
        assert!(tree.is_empty());
        assert_eq!(statements.count(), 0);

        // Users without posts: one query for the posts, none for their comments.
        Repository::<User>::new(conn)
            .insert_many(&[User::new("Ada"), User::new("Grace")])
            .unwrap();
        let users = User::query().load(conn).unwrap();
        statements.count();
        let tree: BlogTree = users
            .with_children::<Post>(conn)
            .unwrap()
            .with_children::<Comment>(conn)
            .unwrap();
        assert_eq!(statements.count(), 1);
        assert_eq!(tree.len(), 2);
        assert!(tree.iter().all(|(_, posts)| posts.is_empty()));
    });
}

#[test]
fn a_row_listed_twice_gets_its_children_each_time() {
    each_backend(|conn| {
        let users = seed_blog(conn, 2, 2, 0);
        let twice = vec![users[1].clone(), users[0].clone(), users[1].clone()];
        let flat = User::load_posts(conn, &users).unwrap();
        let tree = twice.with_children::<Post>(conn).unwrap();
        let mut posts: Vec<Vec<Post>> = tree.into_iter().map(|(_, posts)| posts).collect();
        for group in &mut posts {
            group.sort_by_key(|post| post.id);
        }
        assert_eq!(posts, [flat[1].clone(), flat[0].clone(), flat[1].clone()]);
    });
}

#[test]
fn nested_parents_follow_null_and_shared_foreign_keys() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let lamps = category(conn, "Lamps", None);
        let desks = category(conn, "Desks", None);
        let products: Vec<Product> = (0..9)
            .map(|i| {
                let category = [Some(lamps.id), Some(desks.id), None][i % 3];
                Product::new(
                    &format!("p{i}"),
                    1.0 + i as f64,
                    &format!("S-{i}"),
                    category,
                )
            })
            .collect();
        Repository::<Product>::new(conn)
            .insert_many(&products)
            .unwrap();
        let products = Product::query()
            .order_by(product::id.asc())
            .load(conn)
            .unwrap();

        let statements = Statements::record(conn);
        let flat = Product::load_category(conn, &products).unwrap();
        assert_eq!(statements.count(), 1);
        let tree = products
            .clone()
            .with_parent::<Category>(conn)
            .unwrap()
            .with_children::<Product>(conn)
            .unwrap();
        assert_eq!(statements.count(), 2, "categories, their products");

        let by_category: HashMap<i32, Vec<Product>> = [lamps.id, desks.id]
            .into_iter()
            .map(|id| {
                let of = products.iter().filter(|p| p.category_id == Some(id));
                (id, of.cloned().collect())
            })
            .collect();
        assert_eq!(tree.len(), products.len());
        for ((product, category), parent) in tree.into_iter().zip(flat) {
            assert_eq!(parent.map(|c| c.id), product.category_id);
            let category = category.map(|(category, mut siblings)| {
                siblings.sort_by_key(|p| p.id);
                (category.id, siblings)
            });
            let expected = product.category_id.map(|id| (id, by_category[&id].clone()));
            assert_eq!(category, expected, "{}", product.name);
        }

        let by_field = products
            .clone()
            .with_parent_by::<Category>(conn, |p| p.category_id.as_ref())
            .unwrap();
        let by_trait = products.with_parent::<Category>(conn).unwrap();
        assert_eq!(by_field, by_trait);
    });
}

#[test]
fn nested_has_one_and_many_to_many_match_the_flat_loaders() {
    each_backend(|conn| {
        let users = seed_blog(conn, 3, 2, 0);
        Repository::<Profile>::new(conn)
            .insert(&Profile {
                id: 0,
                user_id: users[2].id,
                bio: "Writes about SQL".into(),
            })
            .unwrap();
        let rust = Repository::<Label>::new(conn)
            .insert(&Label {
                id: 0,
                name: "rust".into(),
            })
            .unwrap();
        let sql = Repository::<Label>::new(conn)
            .insert(&Label {
                id: 0,
                name: "sql ✓".into(),
            })
            .unwrap();
        let posts = Post::query().order_by(post::id.asc()).load(conn).unwrap();
        posts[0].add_label(conn, &rust).unwrap();
        posts[0].add_label(conn, &sql).unwrap();
        posts[3].add_label(conn, &sql).unwrap();

        let statements = Statements::record(conn);
        let profiles = users.clone().with_child::<Profile>(conn).unwrap();
        assert_eq!(statements.count(), 1);
        let expected: Vec<(User, Option<Profile>)> = users
            .iter()
            .cloned()
            .zip(User::load_profile(conn, &users).unwrap())
            .collect();
        assert_eq!(profiles, expected);
        assert!(profiles[2].1.is_some());

        statements.count();
        let labelled = posts.clone().with_linked::<PostLabel, Label>(conn).unwrap();
        assert_eq!(statements.count(), 2, "the links, then the labels");
        let flat = Post::load_labels(conn, &posts).unwrap();
        for ((post, mut labels), (expected_post, mut expected)) in
            labelled.into_iter().zip(posts.into_iter().zip(flat))
        {
            assert_eq!(post, expected_post);
            labels.sort_by_key(|l| l.id);
            expected.sort_by_key(|l| l.id);
            assert_eq!(labels, expected);
        }
    });
}

#[test]
fn nested_loading_of_forty_thousand_parents_runs_one_query_per_chunk_of_keys() {
    each_backend(|conn| {
        seed_blog(conn, 40_000, 1, 1);
        let users = User::query().order_by(user::id.asc()).load(conn).unwrap();
        // A chunk holds the largest power of two of keys under the bind-parameter limit.
        let limit = conn.backend().dialect().max_bind_params();
        let chunks = 40_000_usize.div_ceil(1 << limit.ilog2());
        assert!(chunks > 1, "the keys of one level need several queries");
        let statements = Statements::record(conn);
        let tree = users
            .with_children::<Post>(conn)
            .unwrap()
            .with_children::<Comment>(conn)
            .unwrap();
        assert_eq!(statements.count(), 2 * chunks, "posts, then comments");
        assert_eq!(sorted(tree), blog_tree_nested_by_rust(conn));
    });
}
