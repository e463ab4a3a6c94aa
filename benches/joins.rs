//! To-one loading by JOIN beside the same statement written by hand in Diesel, on the same
//! connection and tables, in the same run: "the posts of the users named X, each with its
//! user" (diesel-metrics' `medium_complex`), at 100 and 1 000 rows out of 2 200 posts.
//!
//! - `ff`: `Post::query().with(post::user_id).filter_joined(post::user_id, user::name.like(X))`;
//! - `diesel`: `post::table.inner_join(user::table).filter(user::name.like(X))
//!   .select((Post::as_select(), User::as_select()))` on the schema ff generates, joined with
//!   `joinable!` and `allow_tables_to_appear_in_same_query!` as a Diesel user declares them.
//!
//! `cargo bench -p ff-tests --features mysql --bench joins`, then `python3 benches/report.py`
//! prints the ratios. PostgreSQL and MySQL are measured when their servers answer (see
//! `ff_tests::backends`).

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ff_runtime::prelude::*;
use ff_runtime::{Backend, Repository};
use ff_tests::TestDatabase;

/// An author, as in the blog of `ff_tests`.
#[derive(Entity, Debug, Clone, PartialEq)]
#[ff(table = "users")]
pub struct User {
    pub id: i32,
    #[ff(unique, length = 100)]
    pub name: String,
    #[ff(length = 190)]
    pub email: String,
}

/// A post of a user.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Post {
    pub id: i32,
    #[ff(belongs_to = User)]
    pub user_id: i32,
    #[ff(length = 200)]
    pub title: String,
    pub body: String,
    pub likes: i32,
}

diesel::joinable!(post -> user (user_id));
diesel::allow_tables_to_appear_in_same_query!(post, user);

/// The measured sizes: 10 users named `s<rows>-<i>` with `rows / 10` posts each.
const SIZES: [usize; 2] = [100, 1_000];

/// The users of each size, and as many again that no filter selects, with their posts.
fn seed(conn: &mut Connection) {
    conn.create_tables(&[User::META, Post::META]).unwrap();
    let groups: Vec<(String, usize)> = SIZES
        .iter()
        .map(|&rows| (format!("s{rows}"), rows / 10))
        .chain([("other".to_owned(), 10)])
        .collect();
    let users: Vec<User> = groups
        .iter()
        .flat_map(|(group, _)| {
            (0..10).map(move |i| User {
                id: 0,
                name: format!("{group}-{i}"),
                email: format!("{group}.{i}@example.com"),
            })
        })
        .collect();
    Repository::<User>::new(conn).insert_many(&users).unwrap();
    let users = User::query().load(conn).unwrap();
    let posts: Vec<Post> = users
        .iter()
        .flat_map(|user| {
            let (_, per_user) = groups
                .iter()
                .find(|(group, _)| user.name.starts_with(&format!("{group}-")))
                .unwrap();
            (0..*per_user).map(move |i| Post {
                id: 0,
                user_id: user.id,
                title: format!("post {i} of {}", user.name),
                body: format!("body of post {i}"),
                likes: i as i32,
            })
        })
        .collect();
    Repository::<Post>::new(conn).insert_many(&posts).unwrap();
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

    let mut group = c.benchmark_group(format!("{backend}/posts_with_user"));
    for rows in SIZES {
        let pattern = format!("s{rows}-%");
        group.bench_function(BenchmarkId::new("ff", rows), |b| {
            b.iter(|| {
                let loaded = Post::query()
                    .with(post::user_id)
                    .filter_joined(post::user_id, user::name.like(&pattern))
                    .load(&mut conn)
                    .unwrap();
                assert_eq!(loaded.len(), rows);
                loaded
            })
        });
        group.bench_function(BenchmarkId::new("diesel", rows), |b| {
            b.iter(|| {
                let loaded = with_connection!(&mut conn, |c| post::table
                    .inner_join(user::table)
                    .filter(user::name.like(&pattern))
                    .select((Post::as_select(), User::as_select()))
                    .load::<(Post, User)>(c))
                .unwrap();
                assert_eq!(loaded.len(), rows);
                loaded
            })
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    for backend in ff_tests::backends::bench_backends() {
        bench_backend(c, backend);
    }
}

criterion_group! {
    name = joins;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(joins);
