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
pub struct Fragment<T, ST> {
    sql: Arc<dyn PortableFragment + Send + Sync>,
    _marker: PhantomData<fn() -> (T, ST)>,
}

impl<T, ST> Clone for Fragment<T, ST> {
    fn clone(&self) -> Self {
        Fragment {
            sql: Arc::clone(&self.sql),
            _marker: PhantomData,
        }
    }
}

impl<T, ST> Fragment<T, ST> {
    fn new(sql: impl PortableFragment + Send + Sync + 'static) -> Self {
        Fragment {
            sql: Arc::new(sql),
            _marker: PhantomData,
        }
    }
}

impl<T, ST> Expression for Fragment<T, ST>
where
    ST: diesel::expression::TypedExpressionType,
{
    type SqlType = ST;
}

impl<T, ST> AppearsOnTable<T> for Fragment<T, ST> where ST: diesel::expression::TypedExpressionType {}

impl<T, ST> ValidGrouping<()> for Fragment<T, ST> {
    type IsAggregate = is_aggregate::No;
}

impl<T, ST> QueryId for Fragment<T, ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<T, ST, DB> QueryFragment<DB> for Fragment<T, ST>
where
    DB: Backend,
    dyn PortableFragment + Send + Sync: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        QueryFragment::<DB>::walk_ast(&*self.sql, pass)
    }
}

/// A condition on table `T`, ready to filter a query.
pub type Condition<T> = Fragment<T, Nullable<Bool>>;

/// An ordering on table `T`, ready to sort a query.
pub type Ordering<T> = Fragment<T, NotSelectable>;

/// What a repository query keeps: all rows of table `T`, or those matching a condition.
pub struct Criteria<T> {
    condition: Option<Condition<T>>,
}

impl<T> Clone for Criteria<T> {
    fn clone(&self) -> Self {
        Criteria {
            condition: self.condition.clone(),
        }
    }
}

impl<T> Criteria<T> {
    /// Every row.
    pub fn all() -> Self {
        Criteria { condition: None }
    }

    /// The rows matching a Diesel boolean expression on table `T`.
    pub fn new(condition: impl IntoCriteria<T>) -> Self {
        condition.into_criteria()
    }

    /// The rows matching both these criteria and `other`.
    ///
    /// ```
    /// # use ff_runtime::prelude::*;
    /// # #[derive(Entity, Debug, Clone)]
    /// # pub struct Product { pub id: i32, pub name: String, pub price: f64 }
    /// fn search(name: Option<&str>, max_price: Option<f64>) -> Criteria<product::table> {
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
    pub fn and(self, other: impl IntoCriteria<T>) -> Self
    where
        T: 'static,
    {
        self.combine(other.into_criteria(), |a, b| Criteria::new(a.and(b)))
    }

    /// The rows matching these criteria or `other`.
    pub fn or(self, other: impl IntoCriteria<T>) -> Self
    where
        T: 'static,
    {
        self.combine(other.into_criteria(), |a, b| Criteria::new(a.or(b)))
    }

    fn combine(
        self,
        other: Criteria<T>,
        both: impl FnOnce(Condition<T>, Condition<T>) -> Criteria<T>,
    ) -> Self {
        match (self.condition, other.condition) {
            (Some(a), Some(b)) => both(a, b),
            (Some(a), None) | (None, Some(a)) => Criteria { condition: Some(a) },
            (None, None) => Criteria::all(),
        }
    }

    /// The condition, if any (used by generated code).
    pub fn into_condition(self) -> Option<Condition<T>> {
        self.condition
    }
}

/// Anything that can serve as repository criteria on table `T`: a Diesel boolean expression
/// on the table, or [`Criteria`].
pub trait IntoCriteria<T> {
    /// Converts into criteria.
    fn into_criteria(self) -> Criteria<T>;
}

impl<T> IntoCriteria<T> for Criteria<T> {
    fn into_criteria(self) -> Criteria<T> {
        self
    }
}

impl<T, E> IntoCriteria<T> for E
where
    E: Expression
        + AppearsOnTable<T>
        + ValidGrouping<(), IsAggregate = is_aggregate::No>
        + PortableFragment
        + Send
        + Sync
        + 'static,
    E::SqlType: BoolOrNullableBool,
{
    fn into_criteria(self) -> Criteria<T> {
        Criteria {
            condition: Some(Fragment::new(self)),
        }
    }
}

/// The order of a repository query on table `T`: unordered, or any Diesel ordering such as
/// `product::name.asc()` or `(product::price.desc(), product::id.asc())`.
pub struct OrderBy<T> {
    ordering: Option<Ordering<T>>,
}

impl<T> OrderBy<T> {
    /// No ORDER BY clause: the database's order.
    pub fn none() -> Self {
        OrderBy { ordering: None }
    }

    /// The ordering, if any (used by generated code).
    pub fn into_ordering(self) -> Option<Ordering<T>> {
        self.ordering
    }
}

/// Anything that can order a repository query on table `T`.
pub trait IntoOrderBy<T> {
    /// Converts into an ordering.
    fn into_order_by(self) -> OrderBy<T>;
}

impl<T> IntoOrderBy<T> for OrderBy<T> {
    fn into_order_by(self) -> OrderBy<T> {
        self
    }
}

impl<T, O> IntoOrderBy<T> for O
where
    O: AppearsOnTable<T> + PortableFragment + Send + Sync + 'static,
{
    fn into_order_by(self) -> OrderBy<T> {
        OrderBy {
            ordering: Some(Fragment::new(self)),
        }
    }
}
