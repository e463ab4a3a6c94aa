//! A fluent query builder over the Diesel DSL ff generates: filters, semi-joins along declared
//! relations, ordering, pagination and aggregates.

use diesel::backend::Backend;
use diesel::deserialize::FromSqlRow;
use diesel::expression::{AppearsOnTable, Expression};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query as DieselQuery, QueryFragment, QueryId};
use diesel::sql_types::{Foldable, IntoNullable, SingleValue, SqlOrd, SqlType};
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, RunQueryDsl};

use crate::connection::Connection;
use crate::criteria::{
    Condition, Criteria, Fragment, IntoCriteria, IntoOrderBy, OrderBy, PortableFragment,
};
use crate::entity::Entity;
use crate::error::{Error, Result, query_error};
use crate::group::{Annotated, GroupExpression, Grouped, Joined, OwnTable, WithParent};
use crate::join::{JoinFrom, JoinQuery};
use crate::relation::{self, BelongsTo};
use crate::session::Session;

/// A query on the table of entity `E`, built step by step and run on any connection.
///
/// Conditions are Diesel expressions on the entity's generated table module (checked by the
/// compiler, values bound as parameters); Diesel's `and`, `or`, `not`, `eq_any` (IN), `like`,
/// `is_null` and comparisons all work inside them.
///
/// ```
/// use ff_runtime::prelude::*;
///
/// #[derive(Entity, Debug, Clone)]
/// pub struct Book {
///     pub id: i32,
///     pub title: String,
///     pub pages: i32,
///     pub subtitle: Option<String>,
/// }
///
/// let mut conn = Connection::establish(":memory:")?;
/// conn.create_tables(&[Book::META])?;
/// let books: Vec<Book> = (1..=30)
///     .map(|i| Book { id: 0, title: format!("Book {i}"), pages: 10 * i, subtitle: None })
///     .collect();
/// Repository::<Book>::new(&mut conn).insert_many(&books)?;
///
/// let long = Book::query()
///     .filter(book::pages.ge(100))
///     .filter(book::title.like("Book 1%").or(book::title.like("Book 2%")))
///     .filter(book::subtitle.is_null())
///     .order_by(book::pages.desc())
///     .paginate(1, 5, &mut conn)?;
/// assert_eq!(long.total, 20); // Book 10 to Book 29
/// assert_eq!(long.items[0].title, "Book 29");
/// assert_eq!(long.pages(), 4);
///
/// let total: Option<i64> = Book::query().sum(book::pages, &mut conn)?;
/// assert_eq!(total, Some(4650));
/// # Ok::<(), ff_runtime::Error>(())
/// ```
pub struct Query<'a, E: Entity> {
    criteria: Criteria<'a, E::Table>,
    order: OrderBy<'a, E::Table>,
    limit: Option<i64>,
    offset: Option<i64>,
}

impl<E: Entity> Clone for Query<'_, E> {
    fn clone(&self) -> Self {
        Query {
            criteria: self.criteria.clone(),
            order: self.order.clone(),
            limit: self.limit,
            offset: self.offset,
        }
    }
}

impl<E: Entity> Default for Query<'_, E> {
    fn default() -> Self {
        Query::new()
    }
}

/// One page of results and the number of rows on all pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<E> {
    /// The rows of this page.
    pub items: Vec<E>,
    /// The rows matching the query, on every page.
    pub total: i64,
    /// This page's number, from 1.
    pub page: i64,
    /// The page size.
    pub per_page: i64,
}

impl<E> Page<E> {
    /// The number of pages (at least 1).
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }

    /// Whether a page follows this one.
    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }
}

impl<'a, E: Entity> Query<'a, E> {
    /// Every row, in the database's order.
    pub fn new() -> Self {
        Query {
            criteria: Criteria::all(),
            order: OrderBy::none(),
            limit: None,
            offset: None,
        }
    }

    /// Keeps the rows that also match `condition`.
    pub fn filter(mut self, condition: impl IntoCriteria<'a, E::Table>) -> Self {
        self.criteria = self.criteria.and(condition);
        self
    }

    /// Keeps the rows matching the filters so far or `condition`.
    pub fn or_filter(mut self, condition: impl IntoCriteria<'a, E::Table>) -> Self {
        self.criteria = self.criteria.or(condition);
        self
    }

    /// Keeps the rows that do not match `condition`.
    pub fn exclude(mut self, condition: impl IntoCriteria<'a, E::Table>) -> Self {
        self.criteria = self.criteria.and(!condition.into_criteria());
        self
    }

    /// Keeps the rows whose parent `P` (through the foreign key declared with
    /// `#[ff(belongs_to = P)]`) matches `condition`.
    pub fn join_parent<P: Entity>(self, condition: impl IntoCriteria<'a, P::Table>) -> Self
    where
        E: BelongsTo<P>,
    {
        self.filter(relation::with_parent_matching::<E, P>(
            condition.into_criteria(),
        ))
    }

    /// Keeps the rows with at least one child `C` matching `condition`. Each row comes once,
    /// however many children match.
    pub fn join_children<C: BelongsTo<E>>(
        self,
        condition: impl IntoCriteria<'a, C::Table>,
    ) -> Self {
        self.filter(relation::with_child_matching::<E, C>(
            condition.into_criteria(),
        ))
    }

    /// Loads each row with the parent reached through `relation` (a foreign-key column marked
    /// `#[ff(belongs_to = P)]`), in one statement joining the parent's table: `(E, P)` for a
    /// NOT NULL key (INNER JOIN), `(E, Option<P>)` for a nullable one (LEFT JOIN).
    /// `fk.with(next)` goes on from the parent and a tuple joins siblings; see [`JoinQuery`].
    ///
    /// ```
    /// # use ff_runtime::prelude::*;
    /// # #[derive(Entity, Debug, Clone)]
    /// # pub struct Company { pub id: i32, pub name: String }
    /// # #[derive(Entity, Debug, Clone)]
    /// # #[ff(table = "users")]
    /// # pub struct User { pub id: i32, #[ff(belongs_to = Company)] pub company_id: Option<i32> }
    /// # #[derive(Entity, Debug, Clone)]
    /// # pub struct Post { pub id: i32, #[ff(belongs_to = User)] pub user_id: i32 }
    /// # let mut conn = Connection::establish(":memory:")?;
    /// # conn.create_tables(&[Company::META, User::META, Post::META])?;
    /// let rows: Vec<(Post, (User, Option<Company>))> = Post::query()
    ///     .with(post::user_id.with(user::company_id))
    ///     .load(&mut conn)?;
    /// # assert!(rows.is_empty());
    /// # Ok::<(), ff_runtime::Error>(())
    /// ```
    pub fn with<J: JoinFrom<E::Table>>(self, relation: J) -> JoinQuery<'a, E, J> {
        let _ = relation;
        JoinQuery::new(self.criteria, self.order, self.limit, self.offset)
    }

    /// Sorts by `order` after the sort keys given so far.
    pub fn order_by(mut self, order: impl IntoOrderBy<'a, E::Table>) -> Self {
        self.order = self.order.then(order);
        self
    }

    /// Returns at most `limit` rows.
    pub fn limit(mut self, limit: i64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Skips the first `offset` rows.
    pub fn offset(mut self, offset: i64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// The matching rows. On a [`Connection`](crate::Connection) the answer is a `Result`; on
    /// an `AsyncConnection` a future of one (see [`Session`]).
    pub fn load<'q, S: Session>(self, conn: &'q mut S) -> S::Answer<'q, Vec<E>>
    where
        'a: 'q,
    {
        S::answer(self.rows(conn))
    }

    /// The first matching row, if any.
    pub fn first<'q, S: Session>(self, conn: &'q mut S) -> S::Answer<'q, Option<E>>
    where
        'a: 'q,
    {
        S::answer(async move { Ok(self.limit(1).rows(conn).await?.pop()) })
    }

    /// The number of matching rows (ordering, limit and offset are ignored).
    pub fn count<'q, S: Session>(self, conn: &'q mut S) -> S::Answer<'q, i64>
    where
        'a: 'q,
    {
        S::answer(self.aggregate(diesel::dsl::count_star(), conn))
    }

    /// Whether any row matches.
    pub fn exists<'q, S: Session>(self, conn: &'q mut S) -> S::Answer<'q, bool>
    where
        'a: 'q,
    {
        S::answer(async move { Ok(!self.limit(1).rows(conn).await?.is_empty()) })
    }

    /// Page `page` (from 1) of `per_page` rows, with the total number of matching rows: two
    /// queries, a COUNT and the page. Give an order for stable pages.
    pub fn paginate<'q, S: Session>(
        self,
        page: i64,
        per_page: i64,
        conn: &'q mut S,
    ) -> S::Answer<'q, Page<E>>
    where
        'a: 'q,
    {
        S::answer(async move {
            let offset = page_offset(page, per_page)?;
            let total = self
                .clone()
                .aggregate(diesel::dsl::count_star(), conn)
                .await?;
            let items = self.limit(per_page).offset(offset).rows(conn).await?;
            Ok(Page {
                items,
                total,
                page,
                per_page,
            })
        })
    }

    /// Deletes the matching rows and returns how many there were.
    pub fn delete<'q, S: Session>(self, conn: &'q mut S) -> S::Answer<'q, usize>
    where
        'a: 'q,
    {
        S::answer(async move {
            crate::rows::delete_where::<E, S>(conn, self.criteria.into_condition())
                .await
                .map_err(query_error::<E>)
        })
    }

    /// `SUM(column)` over the matching rows; NULL (`None`) when no row matches. The result
    /// type is Diesel's: `Option<i64>` for `i16`/`i32` columns, `Option<BigDecimal>` for `i64`
    /// and decimal columns, `Option<f32>`/`Option<f64>` for floats.
    pub fn sum<'q, C, U, S>(self, column: C, conn: &'q mut S) -> S::Answer<'q, U>
    where
        'a: 'q,
        S: Session,
        U: Send + 'q,
        C: Aggregated<'a, E::Table>,
        C::SqlType: Foldable + Send + Sync,
        <C::SqlType as Foldable>::Sum: AggregateType<U>,
    {
        S::answer(self.aggregate(diesel::dsl::sum(column), conn))
    }

    /// `AVG(column)` over the matching rows: `Option<f64>` for floats, `Option<BigDecimal>`
    /// for integers and decimals.
    pub fn avg<'q, C, U, S>(self, column: C, conn: &'q mut S) -> S::Answer<'q, U>
    where
        'a: 'q,
        S: Session,
        U: Send + 'q,
        C: Aggregated<'a, E::Table>,
        C::SqlType: Foldable + Send + Sync,
        <C::SqlType as Foldable>::Avg: AggregateType<U>,
    {
        S::answer(self.aggregate(diesel::dsl::avg(column), conn))
    }

    /// `MIN(column)` over the matching rows, `None` when no row matches: numbers, decimals,
    /// text, dates and times (not booleans and bytes).
    pub fn min<'q, C, U, S>(self, column: C, conn: &'q mut S) -> S::Answer<'q, U>
    where
        'a: 'q,
        S: Session,
        U: Send + 'q,
        C: Aggregated<'a, E::Table>,
        C::SqlType: SqlOrd + IntoNullable + SingleValue + Send + Sync,
        <C::SqlType as IntoNullable>::Nullable: AggregateType<U>,
    {
        S::answer(self.aggregate(diesel::dsl::min(column), conn))
    }

    /// `MAX(column)` over the matching rows, `None` when no row matches.
    pub fn max<'q, C, U, S>(self, column: C, conn: &'q mut S) -> S::Answer<'q, U>
    where
        'a: 'q,
        S: Session,
        U: Send + 'q,
        C: Aggregated<'a, E::Table>,
        C::SqlType: SqlOrd + IntoNullable + SingleValue + Send + Sync,
        <C::SqlType as IntoNullable>::Nullable: AggregateType<U>,
    {
        S::answer(self.aggregate(diesel::dsl::max(column), conn))
    }

    /// The matching rows in groups, one per distinct value of `keys` (a column or a tuple
    /// of columns of `E`); see [`Grouped`]. Filters apply before grouping; ordering, limit and
    /// offset are given on the grouped query.
    pub fn group_by<K>(self, keys: K) -> Grouped<'a, E, OwnTable, K::SqlType>
    where
        E::Table: 'static,
        K: GroupExpression<'a, E::Table> + Clone,
    {
        Grouped::new(self.criteria.into_condition(), keys)
    }

    /// The matching rows joined to their parent `P` (`INNER JOIN` along the foreign key
    /// declared with `#[ff(belongs_to = P)]`: rows without a parent are left out) and grouped
    /// by `keys`, which may be columns of either table; see [`Grouped`]. Diesel must know the
    /// two tables may appear in one query (`allow_tables_to_appear_in_same_query!`).
    pub fn group_by_parent<P, K>(self, keys: K) -> Grouped<'a, E, WithParent<P>, K::SqlType>
    where
        P: Entity,
        E: BelongsTo<P>,
        E::Table: 'static,
        P::Table: 'static,
        K: GroupExpression<'a, Joined<E::Table, P::Table>> + Clone,
    {
        Grouped::new(self.criteria.into_condition(), keys)
    }

    /// Each matching row with `aggregate` computed over its children `C` (through the foreign
    /// key `C` declares with `#[ff(belongs_to = E)]`), in the query's order; see [`Annotated`].
    pub fn annotate<C, A>(self, aggregate: A) -> Annotated<'a, E, C, A::SqlType>
    where
        C: BelongsTo<E>,
        E::Table: 'static,
        C::Table: 'static,
        A: GroupExpression<'a, C::Table>,
    {
        Annotated::new(
            self.criteria.into_condition(),
            self.order.into_orderings(),
            (self.limit, self.offset),
            Fragment::new(aggregate),
        )
    }

    /// The matching rows, as [`load`](Self::load) answers them on any connection.
    pub(crate) async fn rows<S: Session>(self, conn: &mut S) -> Result<Vec<E>> {
        check_window(self.limit, self.offset)?;
        crate::rows::find_by::<E, S>(
            conn,
            self.criteria.into_condition(),
            self.order.into_orderings(),
            self.limit,
            self.offset,
        )
        .await
        .map_err(query_error::<E>)
    }

    async fn aggregate<A, U, S>(self, selection: A, conn: &mut S) -> Result<U>
    where
        A: AggregateExpression<'a>,
        A::SqlType: AggregateType<U>,
        S: Session,
        U: Send,
    {
        let query = AggregateQuery::<'a, E::Table, A::SqlType> {
            table: E::TABLE_NAME,
            selection: Fragment::new(selection),
            condition: self.criteria.into_condition(),
        };
        conn.aggregate(query).await.map_err(query_error::<E>)
    }
}

/// The offset of page `page` (from 1) of `per_page` rows; an error for a page or size under 1.
pub(crate) fn page_offset(page: i64, per_page: i64) -> Result<i64> {
    if page < 1 || per_page < 1 {
        return Err(Error::InvalidPage { page, per_page });
    }
    Ok((page - 1).saturating_mul(per_page))
}

/// Refuses a negative limit or offset, which the backends read three different ways.
pub(crate) fn check_window(limit: Option<i64>, offset: Option<i64>) -> Result<()> {
    if limit.is_some_and(|n| n < 0) || offset.is_some_and(|n| n < 0) {
        return Err(Error::InvalidWindow { limit, offset });
    }
    Ok(())
}

/// A column (or expression) that can be aggregated in a query on table `T`.
pub trait Aggregated<'a, T>:
    Expression + AppearsOnTable<T> + PortableFragment + Send + Sync + 'a
{
}

impl<'a, T, C> Aggregated<'a, T> for C where
    C: Expression + AppearsOnTable<T> + PortableFragment + Send + Sync + 'a
{
}

/// An aggregate expression (`SUM(x)`, …) that renders on every backend.
pub trait AggregateExpression<'a>:
    Expression<SqlType: SqlType + SingleValue> + PortableFragment + Send + Sync + 'a
{
}

impl<'a, S> AggregateExpression<'a> for S
where
    S: Expression + PortableFragment + Send + Sync + 'a,
    S::SqlType: SqlType + SingleValue,
{
}

/// An SQL type whose values load into the Rust type `U` on every backend ff was built with.
pub trait AggregateType<U>: SqlType + SingleValue + Sized {
    /// Runs the aggregate query. Used by [`Query`]'s aggregates.
    #[doc(hidden)]
    fn load<T>(query: AggregateQuery<'_, T, Self>, conn: &mut Connection) -> QueryResult<U>;

    /// Runs the aggregate query on an async connection. Used by [`Query`]'s aggregates.
    #[doc(hidden)]
    #[cfg(feature = "async")]
    fn load_async<'q, T: 'q>(
        query: AggregateQuery<'q, T, Self>,
        conn: &'q mut crate::AsyncConnection,
    ) -> impl std::future::Future<Output = QueryResult<U>> + Send + 'q;
}

#[cfg(not(feature = "mysql"))]
impl<ST, U> AggregateType<U> for ST
where
    ST: SqlType + SingleValue + diesel::expression::TypedExpressionType,
    Sqlite: diesel::sql_types::HasSqlType<ST>,
    Pg: diesel::sql_types::HasSqlType<ST>,
    U: FromSqlRow<ST, Sqlite> + FromSqlRow<ST, Pg> + Send + 'static,
{
    fn load<T>(query: AggregateQuery<'_, T, Self>, conn: &mut Connection) -> QueryResult<U> {
        crate::with_connection!(conn, |c| query.get_result::<U>(c))
    }

    #[cfg(feature = "async")]
    async fn load_async<'q, T: 'q>(
        query: AggregateQuery<'q, T, Self>,
        conn: &'q mut crate::AsyncConnection,
    ) -> QueryResult<U> {
        crate::async_connection::with_async_connection!(conn, |c| {
            diesel_async::RunQueryDsl::get_result::<U>(query, c).await
        })
    }
}

#[cfg(feature = "mysql")]
impl<ST, U> AggregateType<U> for ST
where
    ST: SqlType + SingleValue + diesel::expression::TypedExpressionType,
    Sqlite: diesel::sql_types::HasSqlType<ST>,
    Pg: diesel::sql_types::HasSqlType<ST>,
    diesel::mysql::Mysql: diesel::sql_types::HasSqlType<ST>,
    U: FromSqlRow<ST, Sqlite>
        + FromSqlRow<ST, Pg>
        + FromSqlRow<ST, diesel::mysql::Mysql>
        + Send
        + 'static,
{
    fn load<T>(query: AggregateQuery<'_, T, Self>, conn: &mut Connection) -> QueryResult<U> {
        crate::with_connection!(conn, |c| query.get_result::<U>(c))
    }

    #[cfg(feature = "async")]
    async fn load_async<'q, T: 'q>(
        query: AggregateQuery<'q, T, Self>,
        conn: &'q mut crate::AsyncConnection,
    ) -> QueryResult<U> {
        crate::async_connection::with_async_connection!(conn, |c| {
            diesel_async::RunQueryDsl::get_result::<U>(query, c).await
        })
    }
}

/// `SELECT <aggregate> FROM <table> [WHERE <criteria>]`.
#[doc(hidden)]
pub struct AggregateQuery<'a, T, ST> {
    table: &'static str,
    selection: Fragment<'a, T, ST>,
    condition: Option<Condition<'a, T>>,
}

impl<T, ST> QueryId for AggregateQuery<'_, T, ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<T, ST: SqlType + diesel::expression::TypedExpressionType> DieselQuery
    for AggregateQuery<'_, T, ST>
{
    type SqlType = ST;
}

impl<T, ST, Conn> RunQueryDsl<Conn> for AggregateQuery<'_, T, ST> {}

impl<'a, T, ST, DB> QueryFragment<DB> for AggregateQuery<'a, T, ST>
where
    DB: Backend,
    Fragment<'a, T, ST>: QueryFragment<DB>,
    Condition<'a, T>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.unsafe_to_cache_prepared();
        out.push_sql("SELECT ");
        self.selection.walk_ast(out.reborrow())?;
        out.push_sql(" FROM ");
        out.push_identifier(self.table)?;
        if let Some(condition) = &self.condition {
            out.push_sql(" WHERE ");
            condition.walk_ast(out.reborrow())?;
        }
        Ok(())
    }
}
