//! The SELECT statement grouped queries and annotations run, with its pieces type-erased, and
//! the typed rows it loads on every backend.

use std::any::TypeId;

use diesel::backend::Backend;
use diesel::expression::TypedExpressionType;
use diesel::query_builder::{AstPass, Query as DieselQuery, QueryFragment, QueryId};
use diesel::query_dsl::LoadQuery;
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, HasSqlType, SqlType};
use diesel::{QueryResult, RunQueryDsl};

use super::aggregate::{Clause, in_clause, with_tables};
use crate::connection::Connection;
use crate::criteria::Fragment;
use crate::schema::TableDef;

/// A type-erased piece of SQL.
pub(crate) type Piece<'a> = Fragment<'a, (), ()>;

/// `SELECT … FROM … [WHERE …] [GROUP BY …] [HAVING …] [ORDER BY …] [LIMIT … [OFFSET …]]`.
#[doc(hidden)]
pub struct Statement<'a, ST> {
    pub(crate) selection: Piece<'a>,
    pub(crate) from: Piece<'a>,
    pub(crate) condition: Option<Piece<'a>>,
    pub(crate) group_by: Option<Piece<'a>>,
    pub(crate) having: Option<Piece<'a>>,
    pub(crate) order: Vec<Piece<'a>>,
    pub(crate) limit: Option<i64>,
    pub(crate) offset: Option<i64>,
    /// The tables read, for the aggregates that render according to a column's declaration.
    pub(crate) tables: Vec<(TypeId, &'static TableDef)>,
    pub(crate) _row: std::marker::PhantomData<fn() -> ST>,
}

/// The largest LIMIT every backend accepts, for an OFFSET without a limit.
const NO_LIMIT: i64 = i64::MAX;

impl<ST> QueryId for Statement<'_, ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST: SqlType + TypedExpressionType> DieselQuery for Statement<'_, ST> {
    type SqlType = ST;
}

impl<ST, Conn> RunQueryDsl<Conn> for Statement<'_, ST> {}

impl<'a, ST, DB> QueryFragment<DB> for Statement<'a, ST>
where
    DB: Backend + HasSqlType<BigInt>,
    i64: ToSql<BigInt, DB>,
    Piece<'a>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        with_tables(&self.tables, || self.walk_clauses(out))
    }
}

impl<'a, ST> Statement<'a, ST> {
    fn walk_clauses<'b, DB>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        DB: Backend + HasSqlType<BigInt>,
        i64: ToSql<BigInt, DB>,
        Piece<'a>: QueryFragment<DB>,
    {
        out.push_sql("SELECT ");
        in_clause(Clause::Selection, || {
            self.selection.walk_ast(out.reborrow())
        })?;
        // The FROM clause may hold a grouped subquery whose values are read.
        in_clause(Clause::Selection, || self.from.walk_ast(out.reborrow()))?;
        if let Some(condition) = &self.condition {
            out.push_sql(" WHERE ");
            in_clause(Clause::Condition, || condition.walk_ast(out.reborrow()))?;
        }
        if let Some(keys) = &self.group_by {
            out.push_sql(" GROUP BY ");
            keys.walk_ast(out.reborrow())?;
        }
        if let Some(having) = &self.having {
            out.push_sql(" HAVING ");
            in_clause(Clause::Condition, || having.walk_ast(out.reborrow()))?;
        }
        for (i, ordering) in self.order.iter().enumerate() {
            out.push_sql(if i == 0 { " ORDER BY " } else { ", " });
            in_clause(Clause::Order, || ordering.walk_ast(out.reborrow()))?;
        }
        if self.limit.is_some() || self.offset.is_some() {
            out.push_sql(" LIMIT ");
            out.push_bind_param::<BigInt, i64>(self.limit.as_ref().unwrap_or(&NO_LIMIT))?;
        }
        if let Some(offset) = &self.offset {
            out.push_sql(" OFFSET ");
            out.push_bind_param::<BigInt, i64>(offset)?;
        }
        Ok(())
    }
}

/// Rows of SQL type `Self` that load into the Rust type `U` on every backend ff was built
/// with: tuples of Rust values, or a struct deriving Diesel's `Queryable`.
#[diagnostic::on_unimplemented(
    message = "the rows of this grouped query do not load as `{U}`",
    label = "its selection has the SQL types `{Self}`",
    note = "give each selected value its Rust type: counts are `i64`; a sum of `i64` or of decimals is `Option<BigDecimal>`, of `i32` `Option<i64>` (the table in docs/queries.md#aggregates)"
)]
pub trait LoadRows<U>: SqlType + TypedExpressionType + Sized {
    /// Runs the statement. Used by grouped queries and annotations.
    #[doc(hidden)]
    fn load_rows(statement: Statement<'_, Self>, conn: &mut Connection) -> QueryResult<Vec<U>>;

    /// Runs the statement on an async connection. Used by grouped queries and annotations.
    #[cfg(feature = "async")]
    #[doc(hidden)]
    fn load_rows_async<'q>(
        statement: Statement<'q, Self>,
        conn: &'q mut crate::AsyncConnection,
    ) -> impl std::future::Future<Output = QueryResult<Vec<U>>> + Send + 'q;
}

/// Rows that Diesel loads from the statement on each of these connections (and diesel-async
/// on each of those).
macro_rules! load_rows {
    ([$($Conn:ty),+], [$($Async:ty),*]) => {
        impl<ST, U> LoadRows<U> for ST
        where
            ST: SqlType + TypedExpressionType + 'static,
            U: Send + 'static,
            $(for<'q> Statement<'q, ST>: LoadQuery<'q, $Conn, U>,)+
            $(for<'q> Statement<'q, ST>: diesel_async::methods::LoadQuery<'q, $Async, U>,)*
        {
            fn load_rows(
                statement: Statement<'_, Self>,
                conn: &mut Connection,
            ) -> QueryResult<Vec<U>> {
                crate::with_connection!(conn, |c| statement.load::<U>(c))
            }

            #[cfg(feature = "async")]
            async fn load_rows_async<'q>(
                statement: Statement<'q, Self>,
                conn: &'q mut crate::AsyncConnection,
            ) -> QueryResult<Vec<U>> {
                crate::async_connection::with_async_connection!(conn, |c| {
                    diesel_async::RunQueryDsl::load::<U>(statement, c).await
                })
            }
        }
    };
}

crate::macros::for_each_connection_set!(load_rows);
