//! The tables a grouped query reads: the entity's own table, or that table joined to a parent
//! along a foreign key declared with `#[ff(belongs_to = Parent)]`.

use std::any::TypeId;
use std::marker::PhantomData;

use diesel::QueryResult;
use diesel::backend::Backend;
use diesel::query_builder::AstPass;
use diesel::query_source::{AppearsInFromClause, Plus};

use crate::entity::Entity;
use crate::relation::BelongsTo;
use crate::schema::TableDef;

/// The FROM clause of a grouped query on entity `E`; its type parameter `Tables` is what
/// Diesel checks column expressions against.
pub trait Sources<E: Entity>: 'static {
    /// The Diesel query source the query's expressions must appear on.
    type Tables;

    /// Renders `FROM …`.
    fn walk_from<DB: Backend>(out: AstPass<'_, '_, DB>) -> QueryResult<()>;

    /// The tables read, with their metadata.
    fn tables() -> Vec<(TypeId, &'static TableDef)>;
}

/// The entity's own table.
pub struct OwnTable;

impl<E: Entity> Sources<E> for OwnTable
where
    E::Table: 'static,
{
    type Tables = E::Table;

    fn walk_from<DB: Backend>(mut out: AstPass<'_, '_, DB>) -> QueryResult<()> {
        out.push_sql(" FROM ");
        out.push_identifier(E::TABLE_NAME)
    }

    fn tables() -> Vec<(TypeId, &'static TableDef)> {
        vec![(TypeId::of::<E::Table>(), E::META)]
    }
}

/// The entity's table joined to its parent `P`: `FROM child INNER JOIN parent ON child.fk =
/// parent.key`. Rows whose foreign key is NULL have no parent and are left out.
pub struct WithParent<P>(PhantomData<fn() -> P>);

impl<E, P> Sources<E> for WithParent<P>
where
    E: BelongsTo<P>,
    P: Entity,
    E::Table: 'static,
    P::Table: 'static,
{
    type Tables = Joined<E::Table, P::Table>;

    fn walk_from<DB: Backend>(mut out: AstPass<'_, '_, DB>) -> QueryResult<()> {
        out.push_sql(" FROM ");
        out.push_identifier(E::TABLE_NAME)?;
        out.push_sql(" INNER JOIN ");
        out.push_identifier(P::TABLE_NAME)?;
        out.push_sql(" ON ");
        out.push_identifier(E::TABLE_NAME)?;
        out.push_sql(".");
        out.push_identifier(E::FOREIGN_KEY)?;
        out.push_sql(" = ");
        out.push_identifier(P::TABLE_NAME)?;
        out.push_sql(".");
        out.push_identifier(P::KEY_COLUMN)
    }

    fn tables() -> Vec<(TypeId, &'static TableDef)> {
        vec![
            (TypeId::of::<E::Table>(), E::META),
            (TypeId::of::<P::Table>(), P::META),
        ]
    }
}

/// Two tables in one FROM clause, for Diesel's checks only (never rendered): a column appears
/// on it when its table is one of the two, as in Diesel's own joins. Diesel must know the two
/// tables may appear in one query (`allow_tables_to_appear_in_same_query!`).
pub struct Joined<Child, Parent>(PhantomData<fn() -> (Child, Parent)>);

impl<T, Child, Parent> AppearsInFromClause<T> for Joined<Child, Parent>
where
    Child: AppearsInFromClause<T>,
    Parent: AppearsInFromClause<T>,
    Child::Count: Plus<Parent::Count>,
{
    type Count = <Child::Count as Plus<Parent::Count>>::Output;
}

/// The FROM clause of sources `S`, as a piece of SQL.
pub(crate) struct FromClause<E, S>(PhantomData<fn() -> (E, S)>);

impl<E, S> FromClause<E, S> {
    pub(crate) fn new() -> Self {
        FromClause(PhantomData)
    }
}

impl<E: Entity, S: Sources<E>, DB: Backend> diesel::query_builder::QueryFragment<DB>
    for FromClause<E, S>
{
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        S::walk_from(out)
    }
}
