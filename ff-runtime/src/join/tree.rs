//! The to-one relations a join query follows, as types: a foreign-key column is one relation,
//! [`Nested`] follows a relation of the parent, a tuple joins siblings. The types say the
//! tables to join, how (INNER or LEFT) and what each row loads into.

use std::marker::PhantomData;

use diesel::sql_types::is_nullable::{IsNullable, NotNull};
use diesel::sql_types::{Nullable, SqlType};
use diesel::{Column, Expression, Table};

use super::statement::JoinedTable;
use crate::entity::Entity;
use crate::manager::{EntityManager, Managed};
use crate::session::Session;

/// The SQL type of a row of entity `E`: its table's columns, in order.
pub type RowSqlType<E> = <<<E as Entity>::Table as Table>::AllColumns as Expression>::SqlType;

/// The table of the entity a to-one relation refers to.
pub type ParentTable<R> = <<R as ToOne>::Parent as Entity>::Table;

/// Whether the foreign key `R` is nullable: [`NotNull`] or [`IsNullable`].
type KeyNull<R> = <<R as Expression>::SqlType as SqlType>::IsNull;

/// A foreign-key column declared with `#[ff(belongs_to = P)]`: a to-one relation to `P`.
/// `#[derive(Entity)]` implements it for each such column of the generated table module, so
/// `post::user_id` is the relation from a post to its user. Pass it to
/// [`Query::with`](crate::Query::with) to load each row with its parent in one statement.
///
/// ```
/// use ff_runtime::prelude::*;
/// use ff_runtime::ToOne;
///
/// #[derive(Entity, Debug, Clone)]
/// #[ff(table = "users")]
/// pub struct User { pub id: i32, pub name: String }
///
/// #[derive(Entity, Debug, Clone)]
/// pub struct Post { pub id: i32, #[ff(belongs_to = User)] pub user_id: i32 }
///
/// fn parent_of<R: ToOne>(_: R) -> &'static str {
///     <R::Parent as Entity>::TABLE_NAME
/// }
/// assert_eq!(parent_of(post::user_id), "users");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a to-one relation",
    label = "expected a foreign-key column",
    note = "pass a column marked `#[ff(belongs_to = Parent)]`, such as `post::user_id`"
)]
pub trait ToOne: Column<SqlType: SqlType<IsNull: KeyNullability>> + Copy {
    /// The entity the foreign key refers to.
    type Parent: Entity;

    /// This relation, then `next` from the parent: `comment::post_id.with(post::user_id)` loads
    /// each comment with `(post, user)`.
    fn with<J: JoinFrom<ParentTable<Self>>>(self, next: J) -> Nested<Self, J> {
        let _ = next;
        Nested(PhantomData)
    }
}

/// A relation `R`, then the relations `J` of its parent: made by [`ToOne::with`]. Loads
/// `(parent, J's output)` (in an `Option` when the foreign key is nullable).
pub struct Nested<R, J>(PhantomData<fn() -> (R, J)>);

impl<R, J> Clone for Nested<R, J> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R, J> Copy for Nested<R, J> {}

/// How a foreign key's nullability shapes the join: a NOT NULL key gives an INNER JOIN and
/// the parent itself, a nullable one a LEFT JOIN and an `Option`.
#[doc(hidden)]
pub trait KeyNullability {
    /// Whether the join is a LEFT JOIN.
    const LEFT: bool;
    /// What the parent loads into: `T` or `Option<T>`.
    type Wrap<T>;
    /// The SQL type of the parent's columns: `ST` or `Nullable<ST>`.
    type WrapSql<ST>;
    /// Applies `f` to a loaded parent, if there is one; `None` when `f` gives `None`.
    fn map<T, M>(value: Self::Wrap<T>, f: impl FnOnce(T) -> Option<M>) -> Option<Self::Wrap<M>>;
}

impl KeyNullability for NotNull {
    const LEFT: bool = false;
    type Wrap<T> = T;
    type WrapSql<ST> = ST;

    fn map<T, M>(value: T, f: impl FnOnce(T) -> Option<M>) -> Option<M> {
        f(value)
    }
}

impl KeyNullability for IsNullable {
    const LEFT: bool = true;
    type Wrap<T> = Option<T>;
    type WrapSql<ST> = Nullable<ST>;

    fn map<T, M>(value: Option<T>, f: impl FnOnce(T) -> Option<M>) -> Option<Option<M>> {
        match value {
            Some(value) => f(value).map(Some),
            None => Some(None),
        }
    }
}

/// Relations to join, wherever they start: the tables they add and what they load.
#[doc(hidden)]
pub trait JoinTree {
    /// What the joined rows load into.
    type Output;
    /// The SQL type of the joined columns.
    type SqlType;
    /// How many tables the relations join.
    const TABLES: usize;
    /// Adds the joined tables to `tables`, starting from table `anchor`; under a LEFT JOIN
    /// every join is a LEFT JOIN, so a missing parent keeps its child's row.
    fn join_tables(anchor: usize, under_left: bool, tables: &mut Vec<JoinedTable>);
}

/// Relations that start from table `T`: what [`Query::with`](crate::Query::with) takes.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a to-one relation from `{T}`",
    label = "expected a foreign-key column of `{T}`",
    note = "pass a column of this table marked `#[ff(belongs_to = Parent)]`, `fk.with(next)` to go on from its parent, or a tuple of them"
)]
pub trait JoinFrom<T>: JoinTree {}

impl<R> JoinTree for R
where
    R: ToOne,
{
    type Output = <KeyNull<R> as KeyNullability>::Wrap<R::Parent>;
    type SqlType = <KeyNull<R> as KeyNullability>::WrapSql<RowSqlType<R::Parent>>;
    const TABLES: usize = 1;

    fn join_tables(anchor: usize, under_left: bool, tables: &mut Vec<JoinedTable>) {
        let left = under_left || <KeyNull<R> as KeyNullability>::LEFT;
        tables.push(JoinedTable::parent::<R::Parent>(anchor, R::NAME, left));
    }
}

impl<R> JoinFrom<R::Table> for R where R: ToOne {}

impl<R, J> JoinTree for Nested<R, J>
where
    R: ToOne,
    J: JoinFrom<ParentTable<R>>,
{
    type Output = <KeyNull<R> as KeyNullability>::Wrap<(R::Parent, J::Output)>;
    type SqlType = <KeyNull<R> as KeyNullability>::WrapSql<(RowSqlType<R::Parent>, J::SqlType)>;
    const TABLES: usize = 1 + J::TABLES;

    fn join_tables(anchor: usize, under_left: bool, tables: &mut Vec<JoinedTable>) {
        let left = under_left || <KeyNull<R> as KeyNullability>::LEFT;
        tables.push(JoinedTable::parent::<R::Parent>(anchor, R::NAME, left));
        J::join_tables(tables.len() - 1, left, tables);
    }
}

impl<R, J> JoinFrom<R::Table> for Nested<R, J>
where
    R: ToOne,
    J: JoinFrom<ParentTable<R>>,
{
}

/// The position, among the tables `Self` joins, of the parent reached through relation `R`.
/// `Index` tells the compiler where it is found; it is always inferred.
#[diagnostic::on_unimplemented(
    message = "the query does not join `{R}`",
    label = "this relation is not among the query's joins",
    note = "filter and order on the columns of a relation passed to `with`"
)]
pub trait Reaches<R, Index> {
    /// Where the parent is, counting the joined tables from 0 in the order they are joined.
    const POSITION: usize;
}

/// The relation is the first one of the path. Inferred index of [`Reaches`].
pub struct Here;
/// The relation is further along a [`Nested`] path. Inferred index of [`Reaches`].
pub struct Further<I>(PhantomData<I>);
/// The relation is in the `N`th element of a tuple of relations. Inferred index of [`Reaches`].
pub struct Sibling<const N: usize, I>(PhantomData<I>);

impl<R: ToOne> Reaches<R, Here> for R {
    const POSITION: usize = 0;
}

impl<R: ToOne, J> Reaches<R, Here> for Nested<R, J> {
    const POSITION: usize = 0;
}

impl<R, J, X, I> Reaches<X, Further<I>> for Nested<R, J>
where
    J: Reaches<X, I>,
{
    const POSITION: usize = 1 + J::POSITION;
}

/// Relations the entity manager can manage: each loaded parent becomes a managed instance.
#[doc(hidden)]
pub trait ManagedJoin: JoinTree {
    /// What the joined rows become once managed.
    type Managed;
    /// Registers the loaded parents in the identity map; `None` when one of them was removed
    /// in this manager.
    fn manage<S: Session + 'static>(
        output: Self::Output,
        em: &mut EntityManager<S>,
    ) -> Option<Self::Managed>;
}

impl<R> ManagedJoin for R
where
    R: ToOne,
    R::Parent: Clone,
{
    type Managed = <KeyNull<R> as KeyNullability>::Wrap<Managed<R::Parent>>;

    fn manage<S: Session + 'static>(
        output: Self::Output,
        em: &mut EntityManager<S>,
    ) -> Option<Self::Managed> {
        <KeyNull<R> as KeyNullability>::map(output, |parent| em.manage(parent))
    }
}

impl<R, J> ManagedJoin for Nested<R, J>
where
    R: ToOne,
    R::Parent: Clone,
    J: JoinFrom<ParentTable<R>> + ManagedJoin,
{
    type Managed = <KeyNull<R> as KeyNullability>::Wrap<(Managed<R::Parent>, J::Managed)>;

    fn manage<S: Session + 'static>(
        output: Self::Output,
        em: &mut EntityManager<S>,
    ) -> Option<Self::Managed> {
        <KeyNull<R> as KeyNullability>::map(output, |(parent, next)| {
            Some((em.manage(parent)?, J::manage(next, em)?))
        })
    }
}

/// Siblings: several relations from the same table, loaded as a tuple.
macro_rules! sibling_joins {
    ($(($($J:ident $n:tt),+))+) => {$(
        impl<$($J: JoinTree),+> JoinTree for ($($J,)+) {
            type Output = ($($J::Output,)+);
            type SqlType = ($($J::SqlType,)+);
            const TABLES: usize = 0 $(+ $J::TABLES)+;

            fn join_tables(anchor: usize, under_left: bool, tables: &mut Vec<JoinedTable>) {
                $($J::join_tables(anchor, under_left, tables);)+
            }
        }

        impl<T, $($J: JoinFrom<T>),+> JoinFrom<T> for ($($J,)+) {}

        impl<$($J: ManagedJoin),+> ManagedJoin for ($($J,)+) {
            type Managed = ($($J::Managed,)+);

            fn manage<S: Session + 'static>(
        output: Self::Output,
        em: &mut EntityManager<S>,
    ) -> Option<Self::Managed> {
                Some(($($J::manage(output.$n, em)?,)+))
            }
        }

    )+};
}

/// Where a relation is among siblings: the tables of the elements before it come first.
macro_rules! sibling_reaches {
    ($($n:tt: [$($before:ident)*] $J:ident [$($all:ident)+];)+) => {$(
        impl<$($all: JoinTree,)+ X, I> Reaches<X, Sibling<$n, I>> for ($($all,)+)
        where
            $J: Reaches<X, I>,
        {
            const POSITION: usize = 0 $(+ $before::TABLES)* + $J::POSITION;
        }
    )+};
}

sibling_joins! {
    (A 0, B 1)
    (A 0, B 1, C 2)
}

sibling_reaches! {
    0: [] A [A B];
    1: [A] B [A B];
    0: [] A [A B C];
    1: [A] B [A B C];
    2: [A B] C [A B C];
}
