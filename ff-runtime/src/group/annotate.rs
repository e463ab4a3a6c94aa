//! Each entity with a value computed in SQL over its children: `Customer` with the sum of its
//! orders' totals, `Category` with its number of products.

use std::any::TypeId;
use std::marker::PhantomData;

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sqlite::Sqlite;
use diesel::{QueryResult, Selectable};

use super::statement::{LoadRows, Piece, Statement};
use crate::connection::Connection;
use crate::criteria::{Condition, Fragment, Ordering, PortableFragment};
use crate::entity::Entity;
use crate::error::{Result, query_error};
use crate::query::check_window;
use crate::relation::BelongsTo;

/// The rows of a [`Query`](crate::Query), each with a value computed over its children `C`,
/// made with [`Query::annotate`](crate::Query::annotate). Loads as `Vec<(E, U)>`.
///
/// The value is a correlated subquery, `(SELECT <aggregate> FROM child WHERE child.fk =
/// entity.key)`: a row without children gets `COUNT` 0 and NULL (`None`) for the other
/// aggregates.
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
            value: Fragment::new(ChildAggregate::<E, C> {
                aggregate: value,
                _tables: PhantomData,
            }),
            _child: PhantomData,
        }
    }

    /// Each matching row with its value, in the query's order.
    pub fn load<U>(self, conn: &mut Connection) -> Result<Vec<(E, U)>>
    where
        E: Selectable<Sqlite, SelectExpression: PortableFragment + Send + Sync + 'a>,
        (SqlTypeOf<E>, ST): LoadRows<(E, U)>,
    {
        check_window(self.limit, self.offset)?;
        if E::TABLE_NAME == C::TABLE_NAME {
            return Err(query_error::<E>(diesel::result::Error::QueryBuilderError(
                format!(
                    "`{}` cannot be annotated with an aggregate over its own table",
                    E::TABLE_NAME
                )
                .into(),
            )));
        }
        let columns = <E as Selectable<Sqlite>>::construct_selection();
        let statement: Statement<'a, (SqlTypeOf<E>, ST)> = Statement {
            selection: Fragment::new((columns, self.value)),
            from: Fragment::new(super::sources::FromClause::<E, super::OwnTable>::new()),
            condition: self.condition.map(|c| Fragment::new(c)),
            group_by: None,
            having: None,
            order: self.order.into_iter().map(|o| Fragment::new(o)).collect(),
            limit: self.limit,
            offset: self.offset,
            tables: vec![
                (TypeId::of::<E::Table>(), E::META),
                (TypeId::of::<C::Table>(), C::META),
            ],
            _row: PhantomData,
        };
        LoadRows::load_rows(statement, conn).map_err(query_error::<E>)
    }
}

/// The SQL type of the columns entity `E` loads from.
type SqlTypeOf<E> = <<E as Selectable<Sqlite>>::SelectExpression as diesel::Expression>::SqlType;

/// `(SELECT <aggregate> FROM child WHERE child.fk = parent.key)`.
struct ChildAggregate<'a, P, C> {
    aggregate: Piece<'a>,
    _tables: PhantomData<fn() -> (P, C)>,
}

impl<'a, P, C, DB> QueryFragment<DB> for ChildAggregate<'a, P, C>
where
    DB: Backend,
    P: Entity,
    C: BelongsTo<P>,
    Piece<'a>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("(SELECT ");
        self.aggregate.walk_ast(out.reborrow())?;
        out.push_sql(" FROM ");
        out.push_identifier(C::TABLE_NAME)?;
        out.push_sql(" WHERE ");
        out.push_identifier(C::TABLE_NAME)?;
        out.push_sql(".");
        out.push_identifier(C::FOREIGN_KEY)?;
        out.push_sql(" = ");
        out.push_identifier(P::TABLE_NAME)?;
        out.push_sql(".");
        out.push_identifier(P::KEY_COLUMN)?;
        out.push_sql(")");
        Ok(())
    }
}
