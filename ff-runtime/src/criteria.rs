//! Criteria and orderings for repository queries, written with Diesel's typed DSL.
//!
//! A criterion is any Diesel boolean expression on the entity's table, such as
//! `product::price.gt(10.0).and(product::name.like("L%"))`: column names and value types are
//! checked by the compiler and values are always bound parameters. Because the backend is
//! chosen at run time, the expression is kept behind one pointer and rendered for whichever
//! backend the query runs on.

use std::marker::PhantomData;
use std::sync::Arc;

use diesel::backend::Backend;
use diesel::expression::expression_types::NotSelectable;
use diesel::expression::{AppearsOnTable, Expression, ValidGrouping, is_aggregate};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Bool, BoolOrNullableBool, Nullable};
use diesel::sqlite::Sqlite;
use diesel::{BoolExpressionMethods, QueryResult};

/// SQL that renders on every backend ff was built with.
#[cfg(not(feature = "mysql"))]
pub trait PortableFragment: QueryFragment<Sqlite> + QueryFragment<Pg> {}
#[cfg(not(feature = "mysql"))]
impl<F: QueryFragment<Sqlite> + QueryFragment<Pg>> PortableFragment for F {}

/// SQL that renders on every backend ff was built with.
#[cfg(feature = "mysql")]
pub trait PortableFragment:
    QueryFragment<Sqlite> + QueryFragment<Pg> + QueryFragment<diesel::mysql::Mysql>
{
}
#[cfg(feature = "mysql")]
impl<F> PortableFragment for F where
    F: QueryFragment<Sqlite> + QueryFragment<Pg> + QueryFragment<diesel::mysql::Mysql>
{
}

/// A typed SQL fragment on table `T` whose backend is decided when the query runs.
pub struct Fragment<'a, T, ST> {
    sql: Arc<dyn PortableFragment + Send + Sync + 'a>,
    _marker: PhantomData<fn() -> (T, ST)>,
}

impl<T, ST> Clone for Fragment<'_, T, ST> {
    fn clone(&self) -> Self {
        Fragment {
            sql: Arc::clone(&self.sql),
            _marker: PhantomData,
        }
    }
}

impl<'a, T, ST> Fragment<'a, T, ST> {
    pub(crate) fn new(sql: impl PortableFragment + Send + Sync + 'a) -> Self {
        Fragment {
            sql: Arc::new(sql),
            _marker: PhantomData,
        }
    }
}

impl<T, ST> Expression for Fragment<'_, T, ST>
where
    ST: diesel::expression::TypedExpressionType,
{
    type SqlType = ST;
}

impl<T, ST> AppearsOnTable<T> for Fragment<'_, T, ST> where
    ST: diesel::expression::TypedExpressionType
{
}

impl<T, ST> ValidGrouping<()> for Fragment<'_, T, ST> {
    type IsAggregate = is_aggregate::No;
}

impl<T, ST> QueryId for Fragment<'_, T, ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<'a, T, ST, DB> QueryFragment<DB> for Fragment<'a, T, ST>
where
    DB: Backend,
    dyn PortableFragment + Send + Sync + 'a: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        QueryFragment::<DB>::walk_ast(&*self.sql, pass)
    }
}

/// A condition on table `T`, ready to filter a query.
pub type Condition<'a, T> = Fragment<'a, T, Nullable<Bool>>;

/// An ordering on table `T`, ready to sort a query.
pub type Ordering<'a, T> = Fragment<'a, T, NotSelectable>;

/// What a repository query keeps: all rows of table `T`, or those matching a condition.
pub struct Criteria<'a, T> {
    condition: Option<Condition<'a, T>>,
}

impl<T> Clone for Criteria<'_, T> {
    fn clone(&self) -> Self {
        Criteria {
            condition: self.condition.clone(),
        }
    }
}

impl<'a, T> Criteria<'a, T> {
    /// Every row.
    pub fn all() -> Self {
        Criteria { condition: None }
    }

    /// The rows matching a Diesel boolean expression on table `T`.
    pub fn new(condition: impl IntoCriteria<'a, T>) -> Self {
        condition.into_criteria()
    }

    /// The rows matching both these criteria and `other`.
    ///
    /// ```
    /// # use ff_runtime::prelude::*;
    /// # #[derive(Entity, Debug, Clone)]
    /// # pub struct Product { pub id: i32, pub name: String, pub price: f64 }
    /// fn search<'a>(name: Option<&'a str>, max_price: Option<f64>) -> Criteria<'a, product::table> {
    ///     let mut criteria = Criteria::all();
    ///     if let Some(name) = name {
    ///         criteria = criteria.and(product::name.like(format!("%{name}%")));
    ///     }
    ///     if let Some(max) = max_price {
    ///         criteria = criteria.and(product::price.le(max));
    ///     }
    ///     criteria
    /// }
    /// # let _ = search(Some("lamp"), None);
    /// ```
    pub fn and(self, other: impl IntoCriteria<'a, T>) -> Self
    where
        T: 'a,
    {
        self.combine(other.into_criteria(), |a, b| Criteria::new(a.and(b)))
    }

    /// The rows matching these criteria or `other`.
    pub fn or(self, other: impl IntoCriteria<'a, T>) -> Self
    where
        T: 'a,
    {
        self.combine(other.into_criteria(), |a, b| Criteria::new(a.or(b)))
    }

    fn combine(
        self,
        other: Criteria<'a, T>,
        both: impl FnOnce(Condition<'a, T>, Condition<'a, T>) -> Criteria<'a, T>,
    ) -> Self {
        match (self.condition, other.condition) {
            (Some(a), Some(b)) => both(a, b),
            (Some(a), None) | (None, Some(a)) => Criteria { condition: Some(a) },
            (None, None) => Criteria::all(),
        }
    }

    /// The condition, if any (used by generated code).
    pub fn into_condition(self) -> Option<Condition<'a, T>> {
        self.condition
    }

    /// Criteria from a fragment that renders on every backend, for relation semi-joins.
    pub(crate) fn from_fragment(sql: impl PortableFragment + Send + Sync + 'a) -> Self {
        Criteria {
            condition: Some(Fragment::new(sql)),
        }
    }
}

/// The rows not matching these criteria (none when the criteria keep every row). A row for
/// which the condition is NULL matches neither the criteria nor their negation, as in SQL.
impl<'a, T: 'a> std::ops::Not for Criteria<'a, T> {
    type Output = Criteria<'a, T>;

    fn not(self) -> Self::Output {
        match self.condition {
            Some(condition) => Criteria::new(diesel::dsl::not(condition)),
            None => Criteria {
                condition: Some(Fragment::new(diesel::dsl::sql::<Bool>("1 = 0"))),
            },
        }
    }
}

/// Anything that can serve as repository criteria on table `T`: a Diesel boolean expression
/// on the table, or [`Criteria`].
pub trait IntoCriteria<'a, T> {
    /// Converts into criteria.
    fn into_criteria(self) -> Criteria<'a, T>;
}

impl<'a, T> IntoCriteria<'a, T> for Criteria<'a, T> {
    fn into_criteria(self) -> Criteria<'a, T> {
        self
    }
}

impl<'a, T, E> IntoCriteria<'a, T> for E
where
    E: Expression
        + AppearsOnTable<T>
        + ValidGrouping<(), IsAggregate = is_aggregate::No>
        + PortableFragment
        + Send
        + Sync
        + 'a,
    E::SqlType: BoolOrNullableBool,
{
    fn into_criteria(self) -> Criteria<'a, T> {
        Criteria {
            condition: Some(Fragment::new(self)),
        }
    }
}

/// The order of a repository query on table `T`: unordered, or any Diesel ordering such as
/// `product::name.asc()` or `(product::price.desc(), product::id.asc())`.
pub struct OrderBy<'a, T> {
    orderings: Vec<Ordering<'a, T>>,
}

impl<T> Clone for OrderBy<'_, T> {
    fn clone(&self) -> Self {
        OrderBy {
            orderings: self.orderings.clone(),
        }
    }
}

impl<'a, T> OrderBy<'a, T> {
    /// No ORDER BY clause: the database's order.
    pub fn none() -> Self {
        OrderBy {
            orderings: Vec::new(),
        }
    }

    /// This order, then `next` among rows that compare equal.
    pub fn then(mut self, next: impl IntoOrderBy<'a, T>) -> Self {
        self.orderings.extend(next.into_order_by().orderings);
        self
    }

    /// The sort keys, first one first (used by generated code).
    pub fn into_orderings(self) -> Vec<Ordering<'a, T>> {
        self.orderings
    }
}

/// Anything that can order a repository query on table `T`.
pub trait IntoOrderBy<'a, T> {
    /// Converts into an ordering.
    fn into_order_by(self) -> OrderBy<'a, T>;
}

impl<'a, T> IntoOrderBy<'a, T> for OrderBy<'a, T> {
    fn into_order_by(self) -> OrderBy<'a, T> {
        self
    }
}

impl<'a, T, O> IntoOrderBy<'a, T> for O
where
    O: AppearsOnTable<T> + PortableFragment + Send + Sync + 'a,
{
    fn into_order_by(self) -> OrderBy<'a, T> {
        OrderBy {
            orderings: vec![Fragment::new(self)],
        }
    }
}

/// Implements the expression traits a wrapper around one inner expression shares with it:
/// where it may appear, whether it aggregates, and no static query id (its SQL depends on its
/// fields). The wrapper's `Expression` impl says its own SQL type.
macro_rules! wraps_expression {
    ($wrapper:ident<$inner:ident>) => {
        impl<$inner, QS> diesel::expression::AppearsOnTable<QS> for $wrapper<$inner>
        where
            $inner: diesel::expression::AppearsOnTable<QS>,
            Self: diesel::expression::Expression,
        {
        }

        impl<$inner, QS> diesel::expression::SelectableExpression<QS> for $wrapper<$inner>
        where
            $inner: diesel::expression::SelectableExpression<QS>,
            Self: diesel::expression::AppearsOnTable<QS>,
        {
        }

        impl<$inner: diesel::expression::ValidGrouping<GB>, GB>
            diesel::expression::ValidGrouping<GB> for $wrapper<$inner>
        {
            type IsAggregate = $inner::IsAggregate;
        }

        impl<$inner> diesel::query_builder::QueryId for $wrapper<$inner> {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }
    };
}

pub(crate) use wraps_expression;
