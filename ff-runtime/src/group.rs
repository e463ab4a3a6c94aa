//! Grouped aggregates (`GROUP BY`, `HAVING`, aggregates in the select list) and annotations
//! (each entity with a value computed over its children), built from a [`Query`](crate::Query)
//! and loaded as typed rows.

pub mod aggregate;
mod annotate;
mod sources;
mod statement;

use std::marker::PhantomData;

use diesel::BoolExpressionMethods;
use diesel::expression::{AppearsOnTable, Expression};
use diesel::sql_types::BoolOrNullableBool;

use crate::criteria::{Condition, Fragment, PortableFragment};
use crate::entity::Entity;
use crate::error::query_error;
use crate::query::check_window;
use crate::session::Session;

pub use annotate::Annotated;
pub use sources::{Joined, OwnTable, Sources, WithParent};
pub use statement::{LoadRows, Statement};

use statement::Piece;

/// The rows of a [`Query`](crate::Query) in groups: one result row per distinct value of the
/// group keys, made with [`Query::group_by`](crate::Query::group_by) or
/// [`Query::group_by_parent`](crate::Query::group_by_parent).
///
/// Group keys, the selection, `having` conditions and orderings are Diesel expressions on the
/// tables read (`S::Tables`), checked by the compiler; values are bound parameters. Select group
/// keys and aggregates only: SQLite and MySQL would return any row's value for another column.
///
/// ```
/// use ff_runtime::prelude::*;
///
/// #[derive(Entity, Debug, Clone)]
/// pub struct Sale {
///     pub id: i32,
///     pub shop: String,
///     pub amount: i32,
/// }
///
/// let mut conn = Connection::establish(":memory:")?;
/// conn.create_tables(&[Sale::META])?;
/// let sales = [("Lyon", 5), ("Paris", 7), ("Lyon", 3), ("Nice", 1)]
///     .map(|(shop, amount)| Sale { id: 0, shop: shop.into(), amount });
/// Repository::<Sale>::new(&mut conn).insert_many(&sales)?;
///
/// let totals: Vec<(String, i64, Option<i64>)> = Sale::query()
///     .filter(sale::amount.gt(1))
///     .group_by(sale::shop)
///     .select((sale::shop, count_all(), sum(sale::amount)))
///     .order_by(sum(sale::amount).desc())
///     .load(&mut conn)?;
/// assert_eq!(totals, [("Lyon".into(), 2, Some(8)), ("Paris".into(), 1, Some(7))]);
/// # Ok::<(), ff_runtime::Error>(())
/// ```
pub struct Grouped<'a, E: Entity, S: Sources<E>, ST> {
    condition: Option<Condition<'a, E::Table>>,
    keys: Piece<'a>,
    selection: Piece<'a>,
    having: Option<Condition<'a, S::Tables>>,
    order: Vec<Piece<'a>>,
    limit: Option<i64>,
    offset: Option<i64>,
    _row: PhantomData<fn() -> ST>,
}

/// An expression that can appear in a grouped query reading `Tables`.
pub trait GroupExpression<'a, Tables>:
    Expression + AppearsOnTable<Tables> + PortableFragment + Send + Sync + 'a
{
}

impl<'a, Tables, X> GroupExpression<'a, Tables> for X where
    X: Expression + AppearsOnTable<Tables> + PortableFragment + Send + Sync + 'a
{
}

/// An ordering (`x.asc()`, `sum(y).desc()`, …) of a grouped query reading `Tables`.
pub trait GroupOrdering<'a, Tables>:
    AppearsOnTable<Tables> + PortableFragment + Send + Sync + 'a
{
}

impl<'a, Tables, X> GroupOrdering<'a, Tables> for X where
    X: AppearsOnTable<Tables> + PortableFragment + Send + Sync + 'a
{
}

impl<'a, E: Entity, S: Sources<E>, ST> Grouped<'a, E, S, ST> {
    /// Groups by `keys`, selecting them until [`Grouped::select`] says otherwise.
    pub(crate) fn new<K>(condition: Option<Condition<'a, E::Table>>, keys: K) -> Self
    where
        K: GroupExpression<'a, S::Tables, SqlType = ST> + Clone,
    {
        Grouped {
            condition,
            keys: Fragment::new(keys.clone()),
            selection: Fragment::new(keys),
            having: None,
            order: Vec::new(),
            limit: None,
            offset: None,
            _row: PhantomData,
        }
    }
}

impl<'a, E: Entity, S: Sources<E>, ST> Grouped<'a, E, S, ST> {
    /// What each group gives: a group key, an aggregate ([`count_all`](aggregate::count_all),
    /// [`sum`](aggregate::sum), …) or a tuple of them. Rows load as the matching tuple of Rust
    /// types, or a struct deriving Diesel's `Queryable` with fields in the same order.
    pub fn select<X>(self, selection: X) -> Grouped<'a, E, S, X::SqlType>
    where
        X: GroupExpression<'a, S::Tables>,
    {
        Grouped {
            condition: self.condition,
            keys: self.keys,
            selection: Fragment::new(selection),
            having: self.having,
            order: self.order,
            limit: self.limit,
            offset: self.offset,
            _row: PhantomData,
        }
    }

    /// Keeps the groups matching `condition` (`HAVING`), usually on an aggregate:
    /// `count_all().gt(2)`. Several calls must all match.
    pub fn having<X>(mut self, condition: X) -> Self
    where
        X: GroupExpression<'a, S::Tables>,
        X::SqlType: BoolOrNullableBool,
    {
        let condition: Condition<'a, S::Tables> = Fragment::new(condition);
        self.having = Some(match self.having.take() {
            Some(before) => Fragment::new(before.and(condition)),
            None => condition,
        });
        self
    }

    /// Sorts the groups by `order` (a group key or an aggregate, `asc()` or `desc()`) after
    /// the sort keys given so far.
    pub fn order_by(mut self, order: impl GroupOrdering<'a, S::Tables>) -> Self {
        self.order.push(Fragment::new(order));
        self
    }

    /// Returns at most `limit` groups.
    pub fn limit(mut self, limit: i64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Skips the first `offset` groups.
    pub fn offset(mut self, offset: i64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// The groups, one row each, as `U`: a tuple of Rust types matching the selection
    /// (`Option` where a value may be NULL), or a struct deriving Diesel's `Queryable`. On a
    /// [`Connection`](crate::Connection) the answer is a `Result`; on an `AsyncConnection` a
    /// future of one (see [`Session`]). Name `U` where the rows go
    /// (`let totals: Vec<(String, i64)> = …`) or as `load::<(String, i64), _>`.
    pub fn load<'q, U, C: Session>(self, conn: &'q mut C) -> C::Answer<'q, Vec<U>>
    where
        'a: 'q,
        S: 'q,
        ST: LoadRows<U> + 'q,
        U: Send + 'q,
    {
        C::answer(async move {
            check_window(self.limit, self.offset)?;
            let statement = Statement::<ST> {
                selection: self.selection,
                from: Fragment::new(sources::FromClause::<E, S>::new()),
                condition: self.condition.map(Fragment::new),
                group_by: Some(self.keys),
                having: self.having.map(Fragment::new),
                order: self.order,
                limit: self.limit,
                offset: self.offset,
                tables: S::tables(),
                _row: PhantomData,
            };
            conn.grouped(statement).await.map_err(query_error::<E>)
        })
    }
}
