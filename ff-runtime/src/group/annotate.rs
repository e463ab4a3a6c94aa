//! Each entity with a value computed in SQL over its children: `Customer` with the sum of its
//! orders' totals, `Category` with its number of products.

use std::any::TypeId;
use std::marker::PhantomData;

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, Selectable};

use super::statement::{LoadRows, Piece, Statement};
use crate::criteria::{Condition, Fragment, Ordering, PortableFragment};
use crate::entity::Entity;
use crate::error::{Result, query_error};
use crate::query::check_window;
use crate::relation::BelongsTo;
use crate::session::Session;

/// The rows of a [`Query`](crate::Query), each with a value computed over its children `C`,
/// made with [`Query::annotate`](crate::Query::annotate). Loads as `Vec<(E, U)>`.
///
/// The values are computed in one pass over the children, grouped by their foreign key and
/// joined to the entities (`LEFT JOIN (SELECT fk, <aggregate> FROM child GROUP BY fk)`); a row
/// without children gets the aggregate of no rows: `COUNT` 0, NULL (`None`) for the others.
pub struct Annotated<'a, E: Entity, C, ST> {
    condition: Option<Condition<'a, E::Table>>,
    order: Vec<Ordering<'a, E::Table>>,
    limit: Option<i64>,
    offset: Option<i64>,
    value: Piece<'a>,
    _child: PhantomData<fn() -> (C, ST)>,
}

impl<'a, E, C, ST> Annotated<'a, E, C, ST>
where
    E: Entity,
    C: BelongsTo<E>,
    E::Table: 'static,
    C::Table: 'static,
{
    pub(crate) fn new(
        condition: Option<Condition<'a, E::Table>>,
        order: Vec<Ordering<'a, E::Table>>,
        window: (Option<i64>, Option<i64>),
        value: Piece<'a>,
    ) -> Self {
        Annotated {
            condition,
            order,
            limit: window.0,
            offset: window.1,
            value,
            _child: PhantomData,
        }
    }

    /// Each matching row with its value, in the query's order. On a
    /// [`Connection`](crate::Connection) the answer is a `Result`; on an `AsyncConnection` a
    /// future of one (see [`Session`]).
    pub fn load<'q, U, S: Session>(self, conn: &'q mut S) -> S::Answer<'q, Vec<(E, U)>>
    where
        'a: 'q,
        E: Selectable<Sqlite, SelectExpression: PortableFragment + Send + Sync + 'a>,
        (SqlTypeOf<E>, ST): LoadRows<(E, U)>,
        ST: 'q,
        U: Send + 'q,
    {
        S::answer(self.rows(conn))
    }

    /// What [`load`](Self::load) answers.
    async fn rows<U, S: Session>(self, conn: &mut S) -> Result<Vec<(E, U)>>
    where
        E: Selectable<Sqlite, SelectExpression: PortableFragment + Send + Sync + 'a>,
        (SqlTypeOf<E>, ST): LoadRows<(E, U)>,
        U: Send,
    {
        check_window(self.limit, self.offset)?;
        let columns = <E as Selectable<Sqlite>>::construct_selection();
        let statement: Statement<'a, (SqlTypeOf<E>, ST)> = Statement {
            selection: Fragment::new((
                columns,
                AnnotationValue::<E, C> {
                    aggregate: self.value.clone(),
                    _tables: PhantomData,
                },
            )),
            from: Fragment::new(ChildrenGrouped::<E, C> {
                aggregate: self.value,
                _tables: PhantomData,
            }),
            condition: self.condition.map(Fragment::new),
            group_by: None,
            having: None,
            order: self.order.into_iter().map(Fragment::new).collect(),
            limit: self.limit,
            offset: self.offset,
            tables: vec![
                (TypeId::of::<E::Table>(), E::META),
                (TypeId::of::<C::Table>(), C::META),
            ],
            _row: PhantomData,
        };
        conn.grouped(statement).await.map_err(query_error::<E>)
    }
}

/// The SQL type of the columns entity `E` loads from.
type SqlTypeOf<E> = <<E as Selectable<Sqlite>>::SelectExpression as diesel::Expression>::SqlType;

/// The name of the grouped children in the statement, and of its two columns.
const GROUPED: &str = "ff_annotation";
const GROUP_KEY: &str = "ff_key";
const GROUP_VALUE: &str = "ff_value";

/// ` FROM parent LEFT JOIN (SELECT child.fk AS ff_key, <aggregate> AS ff_value FROM child
/// GROUP BY child.fk) AS ff_annotation ON ff_annotation.ff_key = parent.key`.
struct ChildrenGrouped<'a, P, C> {
    aggregate: Piece<'a>,
    _tables: PhantomData<fn() -> (P, C)>,
}

impl<'a, P, C, DB> QueryFragment<DB> for ChildrenGrouped<'a, P, C>
where
    DB: Backend,
    P: Entity,
    C: BelongsTo<P>,
    Piece<'a>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(" FROM ");
        out.push_identifier(P::TABLE_NAME)?;
        out.push_sql(" LEFT JOIN (SELECT ");
        push_column(&mut out, C::TABLE_NAME, C::FOREIGN_KEY)?;
        out.push_sql(" AS ");
        out.push_identifier(GROUP_KEY)?;
        out.push_sql(", ");
        self.aggregate.walk_ast(out.reborrow())?;
        out.push_sql(" AS ");
        out.push_identifier(GROUP_VALUE)?;
        out.push_sql(" FROM ");
        out.push_identifier(C::TABLE_NAME)?;
        out.push_sql(" GROUP BY ");
        push_column(&mut out, C::TABLE_NAME, C::FOREIGN_KEY)?;
        out.push_sql(") AS ");
        out.push_identifier(GROUPED)?;
        out.push_sql(" ON ");
        push_column(&mut out, GROUPED, GROUP_KEY)?;
        out.push_sql(" = ");
        push_column(&mut out, P::TABLE_NAME, P::KEY_COLUMN)
    }
}

/// The annotation of a parent row: its children's aggregate, or for a row without children
/// the aggregate of no rows (`CASE WHEN ff_annotation.ff_key IS NULL THEN (SELECT <aggregate>
/// FROM child WHERE 1 = 0) ELSE ff_annotation.ff_value END`), which the database computes once.
struct AnnotationValue<'a, P, C> {
    aggregate: Piece<'a>,
    _tables: PhantomData<fn() -> (P, C)>,
}

impl<'a, P, C, DB> QueryFragment<DB> for AnnotationValue<'a, P, C>
where
    DB: Backend,
    P: Entity,
    C: BelongsTo<P>,
    Piece<'a>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("CASE WHEN ");
        push_column(&mut out, GROUPED, GROUP_KEY)?;
        out.push_sql(" IS NULL THEN (SELECT ");
        self.aggregate.walk_ast(out.reborrow())?;
        out.push_sql(" FROM ");
        out.push_identifier(C::TABLE_NAME)?;
        out.push_sql(" WHERE 1 = 0) ELSE ");
        push_column(&mut out, GROUPED, GROUP_VALUE)?;
        out.push_sql(" END");
        Ok(())
    }
}

/// `table.column`, both quoted.
fn push_column<DB: Backend>(
    out: &mut AstPass<'_, '_, DB>,
    table: &str,
    column: &str,
) -> QueryResult<()> {
    out.push_identifier(table)?;
    out.push_sql(".");
    out.push_identifier(column)
}
