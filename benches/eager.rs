//! Eager loading by key list: the posts of 10, 100, 1 000 and 10 000 users (two posts each, an
//! index on `post.user_id`), grouped under their users, on each backend.
//!
//! - `ff`: `User::load_posts(&mut conn, &users)`;
//! - `diesel`: hand-written Diesel, `belonging_to` + `grouped_by` (`IN (?, …)` on SQLite and
//!   MySQL, `= ANY($1)` on PostgreSQL);
//! - the candidate forms of the key-list lookup, each written with Diesel on the same tables and
//!   grouped the same way, so they differ only in the SQL of the lookup:
//!   - `in_list`: `user_id IN (?, …)`, one bind per key, never cached as a prepared statement;
//!   - `in_padded`: `user_id IN (?, …)` with the list padded to the next power of two (the last
//!     key repeated), so a few statement shapes cover every length and stay prepared;
//!   - `any_array` (PostgreSQL): `user_id = ANY($1)`, one array bind, prepared once (after five
//!     runs PostgreSQL may switch it to a generic plan);
//!   - `any_array_unprepared` (PostgreSQL): the same SQL planned for each run's array;
//!   - `json_keys` (SQLite, MySQL): the keys as one JSON array bind, `IN (SELECT value FROM
//!     json_each(?))` on SQLite, `IN (SELECT k FROM JSON_TABLE(?, …))` on MySQL.
//!
//! `cargo bench -p ff-tests --features mysql --bench eager`, then `python3 benches/report.py`
//! for the ff / Diesel ratios. PostgreSQL and MySQL are measured when their servers answer.

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use diesel::backend::Backend as DieselBackend;
use diesel::expression::{AppearsOnTable, Expression, ValidGrouping, is_aggregate};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{Array, Bool, HasSqlType, Integer, Text};
use diesel::sqlite::Sqlite;
use ff_runtime::Backend;
use ff_runtime::prelude::*;
use ff_tests::TestDatabase;
use ff_tests::blog::{User, seed_blog, user};

// The blog's tables, mapped by hand the way a Diesel user writes them.
diesel::table! {
    #[sql_name = "users"]
    hand_user (id) {
        id -> Integer,
        name -> Text,
        email -> Text,
    }
}

diesel::table! {
    #[sql_name = "post"]
    hand_post (id) {
        id -> Integer,
        user_id -> Integer,
        title -> Text,
        body -> Text,
        likes -> Integer,
        version -> Integer,
    }
}

#[derive(Queryable, Selectable, Identifiable, Debug)]
#[diesel(table_name = hand_user)]
pub struct HandUser {
    pub id: i32,
    pub name: String,
    pub email: String,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Debug)]
#[diesel(table_name = hand_post, belongs_to(HandUser, foreign_key = user_id))]
pub struct HandPost {
    pub id: i32,
    pub user_id: i32,
    pub title: String,
    pub body: String,
    pub likes: i32,
    pub version: i32,
}

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];
const POSTS_PER_USER: usize = 2;

/// A form of `post.user_id IN <keys>`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Form {
    InList,
    InPadded,
    AnyArray,
    AnyArrayUnprepared,
    JsonKeys,
}

impl Form {
    fn name(self) -> &'static str {
        match self {
            Form::InList => "in_list",
            Form::InPadded => "in_padded",
            Form::AnyArray => "any_array",
            Form::AnyArrayUnprepared => "any_array_unprepared",
            Form::JsonKeys => "json_keys",
        }
    }

    fn on(backend: Backend) -> &'static [Form] {
        match backend {
            Backend::Postgres => &[
                Form::InList,
                Form::InPadded,
                Form::AnyArray,
                Form::AnyArrayUnprepared,
            ],
            _ => &[Form::InList, Form::InPadded, Form::JsonKeys],
        }
    }
}

/// `post.user_id` among `keys`, written in `form`: a Diesel boolean expression on `post`.
struct UserIdIn<'k> {
    keys: &'k [i32],
    json: String,
    form: Form,
}

impl<'k> UserIdIn<'k> {
    fn new(keys: &'k [i32], form: Form) -> Self {
        let json = format!(
            "[{}]",
            keys.iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        UserIdIn { keys, json, form }
    }

    /// `user_id IN (?, …)`: one bind per key, padded to a power of two when asked.
    fn walk_in_list<'b, DB>(&'b self, mut out: AstPass<'_, 'b, DB>, padded: bool) -> QueryResult<()>
    where
        DB: DieselBackend + HasSqlType<Integer>,
        i32: ToSql<Integer, DB>,
    {
        let binds = if padded {
            self.keys.len().next_power_of_two()
        } else {
            out.unsafe_to_cache_prepared();
            self.keys.len()
        };
        out.push_identifier("user_id")?;
        out.push_sql(" IN (");
        for i in 0..binds {
            if i > 0 {
                out.push_sql(", ");
            }
            let key = &self.keys[i.min(self.keys.len() - 1)];
            out.push_bind_param::<Integer, i32>(key)?;
        }
        out.push_sql(")");
        Ok(())
    }
}

impl Expression for UserIdIn<'_> {
    type SqlType = Bool;
}

impl AppearsOnTable<hand_post::table> for UserIdIn<'_> {}

impl ValidGrouping<()> for UserIdIn<'_> {
    type IsAggregate = is_aggregate::Never;
}

impl QueryId for UserIdIn<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<Sqlite> for UserIdIn<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        match self.form {
            Form::InList => self.walk_in_list(out, false),
            Form::InPadded => self.walk_in_list(out, true),
            Form::JsonKeys => {
                out.push_sql("\"user_id\" IN (SELECT value FROM json_each(");
                out.push_bind_param::<Text, String>(&self.json)?;
                out.push_sql("))");
                Ok(())
            }
            form => unreachable!("{form:?} is not measured on SQLite"),
        }
    }
}

impl QueryFragment<Pg> for UserIdIn<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        match self.form {
            Form::InList => self.walk_in_list(out, false),
            Form::InPadded => self.walk_in_list(out, true),
            Form::AnyArray | Form::AnyArrayUnprepared => {
                if self.form == Form::AnyArrayUnprepared {
                    out.unsafe_to_cache_prepared();
                }
                out.push_sql("\"user_id\" = ANY(");
                out.push_bind_param::<Array<Integer>, [i32]>(self.keys)?;
                out.push_sql(")");
                Ok(())
            }
            form => unreachable!("{form:?} is not measured on PostgreSQL"),
        }
    }
}

#[cfg(feature = "mysql")]
impl QueryFragment<diesel::mysql::Mysql> for UserIdIn<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, diesel::mysql::Mysql>) -> QueryResult<()> {
        match self.form {
            Form::InList => self.walk_in_list(out, false),
            Form::InPadded => self.walk_in_list(out, true),
            Form::JsonKeys => {
                out.push_sql("`user_id` IN (SELECT k FROM JSON_TABLE(");
                out.push_bind_param::<Text, String>(&self.json)?;
                out.push_sql(", '$[*]' COLUMNS (k INT PATH '$')) AS key_list)");
                Ok(())
            }
            form => unreachable!("{form:?} is not measured on MySQL"),
        }
    }
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
    let largest = SIZES[SIZES.len() - 1];
    seed_blog(&mut conn, largest, POSTS_PER_USER, 0);
    if backend != Backend::Mysql {
        // MySQL indexes a foreign key itself; the others need it declared.
        conn.batch_execute("CREATE INDEX post_user_id ON post (user_id)")
            .unwrap();
    }
    let all_users = User::query()
        .order_by(user::id.asc())
        .load(&mut conn)
        .unwrap();
    let all_hand_users = with_connection!(&mut conn, |c| hand_user::table
        .order(hand_user::id.asc())
        .select(HandUser::as_select())
        .load::<HandUser>(c))
    .unwrap();

    let mut group = c.benchmark_group(format!("{backend}/eager_keys"));
    for size in SIZES {
        let users = &all_users[..size];
        let hand_users = &all_hand_users[..size];
        let keys: Vec<i32> = users.iter().map(|u| u.id).collect();
        let expected = size * POSTS_PER_USER;

        group.bench_function(BenchmarkId::new("ff", size), |b| {
            b.iter(|| {
                let posts = User::load_posts(&mut conn, users).unwrap();
                assert_eq!(posts.iter().map(Vec::len).sum::<usize>(), expected);
                posts
            })
        });
        group.bench_function(BenchmarkId::new("diesel", size), |b| {
            b.iter(|| {
                let posts = with_connection!(&mut conn, |c| HandPost::belonging_to(hand_users)
                    .select(HandPost::as_select())
                    .load::<HandPost>(c))
                .unwrap();
                assert_eq!(posts.len(), expected);
                posts.grouped_by(hand_users)
            })
        });
        for &form in Form::on(backend) {
            group.bench_function(BenchmarkId::new(form.name(), size), |b| {
                b.iter(|| {
                    let posts = with_connection!(&mut conn, |c| hand_post::table
                        .filter(UserIdIn::new(&keys, form))
                        .select(HandPost::as_select())
                        .load::<HandPost>(c))
                    .unwrap();
                    assert_eq!(posts.len(), expected);
                    posts.grouped_by(hand_users)
                })
            });
        }
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    for backend in ff_tests::backends::bench_backends() {
        bench_backend(c, backend);
    }
}

criterion_group! {
    name = eager;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    targets = benches
}
criterion_main!(eager);
