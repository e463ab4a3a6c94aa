//! To-one loading by JOIN: each row with its parents (and theirs) from one statement, the way
//! Django's `select_related` does it. Eager loading with `load_<relation>` runs one query per
//! level instead (Django's `prefetch_related`).
//!
//! [`Query::with`](crate::Query::with) takes a foreign-key column marked
//! `#[ff(belongs_to = P)]` (a [`ToOne`] relation): a NOT NULL key gives an INNER JOIN and the
//! parent itself, a nullable one a LEFT JOIN and `Option<P>`. `fk.with(next)` goes on from the
//! parent, and a tuple of relations joins siblings. The query's filters stay on its own table;
//! [`JoinQuery::filter_joined`] and [`JoinQuery::order_by_joined`] filter and order on a joined
//! table's columns. The other items here are the types those relations are made of, which
//! the compiler infers.

mod statement;
mod tree;

use std::marker::PhantomData;

use crate::criteria::{Criteria, Fragment, IntoCriteria, IntoOrderBy, OrderBy};
use crate::entity::Entity;
use crate::error::{Result, query_error};
use crate::query::{Page, check_window, page_offset};
use crate::session::Session;
use statement::{JoinedTable, SelectJoined, alias_repeated};

pub use statement::{JoinStatement, JoinedRows};
pub use tree::{
    Further, Here, JoinFrom, JoinTree, KeyNullability, ManagedJoin, Nested, ParentTable, Reaches,
    RowSqlType, Sibling, ToOne,
};

/// What a join query's rows load into: the entity and what its relations `J` load.
pub type Joined<E, J> = (E, <J as JoinTree>::Output);

/// The SQL type of those rows.
type JoinedSqlType<E, J> = (RowSqlType<E>, <J as JoinTree>::SqlType);

/// A query on the table of `E` that also loads, in the same statement, the parents reached
/// through the to-one relations `J`. Made by [`Query::with`](crate::Query::with).
///
/// ```
/// use ff_runtime::prelude::*;
///
/// #[derive(Entity, Debug, Clone, PartialEq)]
/// #[ff(table = "users")]
/// pub struct User { pub id: i32, pub name: String }
///
/// #[derive(Entity, Debug, Clone, PartialEq)]
/// pub struct Post {
///     pub id: i32,
///     #[ff(belongs_to = User)]
///     pub user_id: i32,
///     pub title: String,
/// }
///
/// let mut conn = Connection::establish(":memory:")?;
/// conn.create_tables(&[User::META, Post::META])?;
/// let ada = Repository::<User>::new(&mut conn).insert(&User { id: 0, name: "Ada".into() })?;
/// let bob = Repository::<User>::new(&mut conn).insert(&User { id: 0, name: "Bob".into() })?;
/// for (user, title) in [(&ada, "Engines"), (&bob, "Bridges"), (&ada, "Notes")] {
///     Repository::<Post>::new(&mut conn)
///         .insert(&Post { id: 0, user_id: user.id, title: title.into() })?;
/// }
///
/// // SELECT post.*, users.* FROM post INNER JOIN users ON post.user_id = users.id
/// // WHERE users.name = ? ORDER BY post.title
/// let posts: Vec<(Post, User)> = Post::query()
///     .with(post::user_id)
///     .filter_joined(post::user_id, user::name.eq("Ada"))
///     .order_by(post::title.asc())
///     .load(&mut conn)?;
/// let titles: Vec<_> = posts.iter().map(|(post, user)| (&*post.title, &*user.name)).collect();
/// assert_eq!(titles, [("Engines", "Ada"), ("Notes", "Ada")]);
/// # Ok::<(), ff_runtime::Error>(())
/// ```
pub struct JoinQuery<'a, E: Entity, J> {
    select: SelectJoined<'a>,
    _entities: PhantomData<fn() -> (E, J)>,
}

impl<'a, E: Entity, J: JoinFrom<E::Table>> JoinQuery<'a, E, J> {
    /// The query of `criteria`, `order` and window on `E`, joined along `J`.
    pub(crate) fn new(
        criteria: Criteria<'a, E::Table>,
        order: OrderBy<'a, E::Table>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> Self {
        let mut tables = Vec::with_capacity(1 + J::TABLES);
        tables.push(JoinedTable::root::<E>());
        J::join_tables(0, false, &mut tables);
        alias_repeated(&mut tables);
        let query = JoinQuery {
            select: SelectJoined {
                tables,
                conditions: Vec::new(),
                orderings: Vec::new(),
                limit,
                offset,
            },
            _entities: PhantomData,
        };
        query.filter(criteria).order_by(order)
    }

    /// Keeps the rows whose own columns also match `condition`.
    pub fn filter(self, condition: impl IntoCriteria<'a, E::Table>) -> Self {
        self.filter_on(0, condition.into_criteria())
    }

    /// Keeps the rows whose parent reached through `relation` matches `condition`, written on
    /// the parent's table: `.filter_joined(post::user_id, user::name.eq("Ada"))`. A row
    /// without that parent (a NULL foreign key) does not match.
    pub fn filter_joined<R: ToOne, I>(
        self,
        _relation: R,
        condition: impl IntoCriteria<'a, ParentTable<R>>,
    ) -> Self
    where
        J: Reaches<R, I>,
    {
        self.filter_on(1 + J::POSITION, condition.into_criteria())
    }

    /// Sorts by `order`, on the query's own columns, after the sort keys given so far.
    pub fn order_by(self, order: impl IntoOrderBy<'a, E::Table>) -> Self {
        self.order_on(0, order.into_order_by())
    }

    /// Sorts by `order`, on the columns of the parent reached through `relation`, after the
    /// sort keys given so far. A table joined a second time (a self-reference) cannot be
    /// ordered on: its columns are named like the first one's, and the query fails.
    pub fn order_by_joined<R: ToOne, I>(
        self,
        _relation: R,
        order: impl IntoOrderBy<'a, ParentTable<R>>,
    ) -> Self
    where
        J: Reaches<R, I>,
    {
        self.order_on(1 + J::POSITION, order.into_order_by())
    }

    /// Returns at most `limit` rows.
    pub fn limit(mut self, limit: i64) -> Self {
        self.select.limit = Some(limit);
        self
    }

    /// Skips the first `offset` rows.
    pub fn offset(mut self, offset: i64) -> Self {
        self.select.offset = Some(offset);
        self
    }

    /// The matching rows, each with its parents: one statement. On a
    /// [`Connection`](crate::Connection) the answer is a `Result`; on an `AsyncConnection` a
    /// future of one (see [`Session`]).
    pub fn load<'q, S: Session>(self, conn: &'q mut S) -> S::Answer<'q, Vec<Joined<E, J>>>
    where
        'a: 'q,
        J: 'q,
        Joined<E, J>: JoinedRows<JoinedSqlType<E, J>> + Send,
    {
        S::answer(self.rows(conn))
    }

    /// The first matching row with its parents, if any.
    pub fn first<'q, S: Session>(self, conn: &'q mut S) -> S::Answer<'q, Option<Joined<E, J>>>
    where
        'a: 'q,
        J: 'q,
        Joined<E, J>: JoinedRows<JoinedSqlType<E, J>> + Send,
    {
        S::answer(async move { Ok(self.limit(1).rows(conn).await?.pop()) })
    }

    /// The number of matching rows (ordering, limit and offset are ignored). An INNER JOIN
    /// leaves out the rows whose parent is missing, as [`load`](Self::load) does.
    pub fn count<'q, S: Session>(&'q self, conn: &'q mut S) -> S::Answer<'q, i64> {
        S::answer(self.total(conn))
    }

    /// Page `page` (from 1) of `per_page` rows with their parents, and the number of matching
    /// rows: two statements, a COUNT and the page. Give an order for stable pages.
    pub fn paginate<'q, S: Session>(
        self,
        page: i64,
        per_page: i64,
        conn: &'q mut S,
    ) -> S::Answer<'q, Page<Joined<E, J>>>
    where
        'a: 'q,
        J: 'q,
        Joined<E, J>: JoinedRows<JoinedSqlType<E, J>> + Send,
    {
        S::answer(async move {
            let offset = page_offset(page, per_page)?;
            let total = self.total(conn).await?;
            let items = self.limit(per_page).offset(offset).rows(conn).await?;
            Ok(Page {
                items,
                total,
                page,
                per_page,
            })
        })
    }

    /// The matching rows with their parents, as [`load`](Self::load) answers them.
    pub(crate) async fn rows<S: Session>(self, conn: &mut S) -> Result<Vec<Joined<E, J>>>
    where
        Joined<E, J>: JoinedRows<JoinedSqlType<E, J>> + Send,
    {
        check_window(self.select.limit, self.select.offset)?;
        let statement = self.select.rows().map_err(query_error::<E>)?;
        conn.joined(statement).await.map_err(query_error::<E>)
    }

    /// The number of matching rows, as [`count`](Self::count) answers it.
    async fn total<S: Session>(&self, conn: &mut S) -> Result<i64> {
        let counted: Vec<i64> = conn
            .joined(self.select.count())
            .await
            .map_err(query_error::<E>)?;
        Ok(counted.first().copied().unwrap_or(0))
    }

    fn filter_on<T: 'a>(mut self, table: usize, criteria: Criteria<'a, T>) -> Self {
        if let Some(condition) = criteria.into_condition() {
            self.select
                .conditions
                .push((table, Fragment::new(condition)));
        }
        self
    }

    fn order_on<T: 'a>(mut self, table: usize, order: OrderBy<'a, T>) -> Self {
        let orderings = order.into_orderings().into_iter();
        self.select
            .orderings
            .extend(orderings.map(|ordering| (table, Fragment::new(ordering))));
        self
    }
}
