//! Relationships on every backend: accessors, eager loading with one query per level,
//! many-to-many links and self-referential trees.

use ff_runtime::prelude::*;
use ff_tests::blog::{Label, Post, PostLabel, Profile, User, post, seed_blog, user};
use ff_tests::domain::{Category, Customer, Order, OrderStatus, Product, Tag, store_tables};
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
