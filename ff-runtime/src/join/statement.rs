//! The SELECT of a join query: both entities' columns, each qualified with its table (or the
//! alias of a table joined a second time), the joins along the foreign keys, the filters on
//! every table, the order and the window. Rendered for the connection's backend, with values
//! bound; the SQL only depends on the query's shape, so Diesel caches the prepared statement.

use std::borrow::Cow;
use std::marker::PhantomData;

use diesel::backend::Backend;
use diesel::expression::expression_types::NotSelectable;
use diesel::query_builder::{AstPass, Query as DieselQuery, QueryFragment, QueryId};
use diesel::query_dsl::LoadQuery;
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Bool, HasSqlType, Nullable};
use diesel::{QueryResult, RunQueryDsl};

use crate::connection::Connection;
use crate::criteria::Fragment;
use crate::entity::Entity;
use crate::schema::TableDef;

/// A condition on one of the statement's tables.
pub(crate) type AnyCondition<'a> = Fragment<'a, (), Nullable<Bool>>;
/// A sort key on one of the statement's tables.
pub(crate) type AnyOrdering<'a> = Fragment<'a, (), NotSelectable>;

/// A table of the statement: the root (first) or one joined along a foreign key.
#[doc(hidden)]
pub struct JoinedTable {
    meta: &'static TableDef,
    key: &'static str,
    /// The name its columns are qualified with: the table name, or an alias when the table
    /// is in the statement already.
    name: Cow<'static, str>,
    join: Option<JoinOn>,
}

/// How a table is joined: `ON anchor.foreign_key = table.key`.
struct JoinOn {
    anchor: usize,
    foreign_key: &'static str,
    left: bool,
}

impl JoinedTable {
    /// The table the query starts from.
    pub(crate) fn root<E: Entity>() -> Self {
        JoinedTable {
            meta: E::META,
            key: E::KEY_COLUMN,
            name: Cow::Borrowed(E::TABLE_NAME),
            join: None,
        }
    }

    /// The table of parent `P`, joined from table `anchor` through its `foreign_key` column.
    pub(crate) fn parent<P: Entity>(anchor: usize, foreign_key: &'static str, left: bool) -> Self {
        JoinedTable {
            meta: P::META,
            key: P::KEY_COLUMN,
            name: Cow::Borrowed(P::TABLE_NAME),
            join: Some(JoinOn {
                anchor,
                foreign_key,
                left,
            }),
        }
    }

    fn is_aliased(&self) -> bool {
        self.name != self.meta.name
    }

    fn push_column<'b, DB: Backend>(
        &'b self,
        column: &'b str,
        out: &mut AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        out.push_identifier(&self.name)?;
        out.push_sql(".");
        out.push_identifier(column)
    }
}

/// Gives an alias to each table that is in the statement already (a self-reference, or two
/// foreign keys to the same table), so that every column is named without ambiguity.
pub(crate) fn alias_repeated(tables: &mut [JoinedTable]) {
    for i in 1..tables.len() {
        let table = &tables[i].meta.name;
        if tables[..i]
            .iter()
            .any(|earlier| earlier.meta.name == *table)
        {
            tables[i].name = Cow::Owned(format!("{table}__{i}"));
        }
    }
}

/// Everything a join query renders: its tables (the root first), the conditions and sort
/// keys with the table each is written on, and the window.
pub(crate) struct SelectJoined<'a> {
    pub(crate) tables: Vec<JoinedTable>,
    pub(crate) conditions: Vec<(usize, AnyCondition<'a>)>,
    pub(crate) orderings: Vec<(usize, AnyOrdering<'a>)>,
    pub(crate) limit: Option<i64>,
    pub(crate) offset: Option<i64>,
}

impl<'a> SelectJoined<'a> {
    /// The statement loading the rows, of SQL type `ST`. Refused when it orders on a table
    /// joined a second time: its columns would name the first one.
    pub(crate) fn rows<ST>(&self) -> QueryResult<JoinStatement<'_, 'a, ST>> {
        let aliased = self
            .orderings
            .iter()
            .map(|(position, _)| &self.tables[*position])
            .find(|table| table.is_aliased());
        if let Some(table) = aliased {
            let name = &table.meta.name;
            return Err(diesel::result::Error::QueryBuilderError(
                format!(
                    "cannot order by the columns of `{name}` joined a second time: they are named like those of the first `{name}`"
                )
                .into(),
            ));
        }
        Ok(JoinStatement {
            select: self,
            count: false,
            // OFFSET needs a LIMIT on SQLite and MySQL: the largest one when none is given.
            limit: self.limit.or(self.offset.map(|_| i64::MAX)),
            _sql_type: PhantomData,
        })
    }

    /// The statement counting the rows (order and window left out).
    pub(crate) fn count(&self) -> JoinStatement<'_, 'a, BigInt> {
        JoinStatement {
            select: self,
            count: true,
            limit: None,
            _sql_type: PhantomData,
        }
    }

    fn walk_from<'b, DB>(&'b self, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        DB: Backend,
    {
        out.push_sql(" FROM ");
        out.push_identifier(&self.tables[0].meta.name)?;
        for table in &self.tables[1..] {
            let Some(on) = &table.join else { continue };
            out.push_sql(if on.left {
                " LEFT JOIN "
            } else {
                " INNER JOIN "
            });
            out.push_identifier(&table.meta.name)?;
            if table.is_aliased() {
                out.push_sql(" AS ");
                out.push_identifier(&table.name)?;
            }
            out.push_sql(" ON ");
            self.tables[on.anchor].push_column(on.foreign_key, out)?;
            out.push_sql(" = ");
            table.push_column(table.key, out)?;
        }
        Ok(())
    }

    fn walk_where<'b, DB>(&'b self, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        DB: Backend,
        AnyCondition<'a>: QueryFragment<DB>,
    {
        for (i, (position, condition)) in self.conditions.iter().enumerate() {
            out.push_sql(if i == 0 { " WHERE (" } else { " AND (" });
            let table = &self.tables[*position];
            if table.is_aliased() {
                // The condition names the table itself, not the alias: keep the aliased rows
                // whose key is among the keys of the rows it matches.
                table.push_column(table.key, out)?;
                out.push_sql(" IN (SELECT ");
                out.push_identifier(&table.meta.name)?;
                out.push_sql(".");
                out.push_identifier(table.key)?;
                out.push_sql(" FROM ");
                out.push_identifier(&table.meta.name)?;
                out.push_sql(" WHERE ");
                condition.walk_ast(out.reborrow())?;
                out.push_sql(")");
            } else {
                condition.walk_ast(out.reborrow())?;
            }
            out.push_sql(")");
        }
        Ok(())
    }

    fn walk_order<'b, DB>(&'b self, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        DB: Backend,
        AnyOrdering<'a>: QueryFragment<DB>,
    {
        for (i, (_, ordering)) in self.orderings.iter().enumerate() {
            out.push_sql(if i == 0 { " ORDER BY " } else { ", " });
            ordering.walk_ast(out.reborrow())?;
        }
        Ok(())
    }
}

/// One join query, ready to run, whose rows have SQL type `ST`.
#[doc(hidden)]
pub struct JoinStatement<'s, 'a, ST> {
    select: &'s SelectJoined<'a>,
    count: bool,
    limit: Option<i64>,
    _sql_type: PhantomData<fn() -> ST>,
}

impl<ST> QueryId for JoinStatement<'_, '_, ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST> DieselQuery for JoinStatement<'_, '_, ST> {
    type SqlType = ST;
}

impl<ST, Conn> RunQueryDsl<Conn> for JoinStatement<'_, '_, ST> {}

impl<'a, ST, DB> QueryFragment<DB> for JoinStatement<'_, 'a, ST>
where
    DB: Backend + HasSqlType<BigInt>,
    i64: ToSql<BigInt, DB>,
    AnyCondition<'a>: QueryFragment<DB>,
    AnyOrdering<'a>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let select = self.select;
        if self.count {
            out.push_sql("SELECT COUNT(*)");
        } else {
            out.push_sql("SELECT ");
            let columns = select
                .tables
                .iter()
                .flat_map(|table| table.meta.columns.iter().map(move |c| (table, c)));
            for (i, (table, column)) in columns.enumerate() {
                if i > 0 {
                    out.push_sql(", ");
                }
                table.push_column(&column.name, &mut out)?;
            }
        }
        select.walk_from(&mut out)?;
        select.walk_where(&mut out)?;
        if self.count {
            return Ok(());
        }
        select.walk_order(&mut out)?;
        if let Some(limit) = &self.limit {
            out.push_sql(" LIMIT ");
            out.push_bind_param::<BigInt, i64>(limit)?;
        }
        if let Some(offset) = &select.offset {
            out.push_sql(" OFFSET ");
            out.push_bind_param::<BigInt, i64>(offset)?;
        }
        Ok(())
    }
}

/// Rows of SQL type `ST` that load into `Self` on every backend ff was built with.
#[doc(hidden)]
pub trait JoinedRows<ST>: Sized {
    /// Runs the statement and reads its rows.
    fn load(statement: JoinStatement<'_, '_, ST>, conn: &mut Connection) -> QueryResult<Vec<Self>>;

    /// Runs the statement on an async connection and reads its rows.
    #[cfg(feature = "async")]
    fn load_async<'q>(
        statement: JoinStatement<'q, 'q, ST>,
        conn: &'q mut crate::AsyncConnection,
    ) -> impl std::future::Future<Output = QueryResult<Vec<Self>>> + Send + 'q;
}

/// Rows that Diesel loads from the statement on each of these connections (and diesel-async
/// on each of those).
macro_rules! joined_rows {
    ([$($Conn:ty),+], [$($Async:ty),*]) => {
        impl<ST, U> JoinedRows<ST> for U
        where
            U: Send + 'static,
            ST: 'static,
            $(for<'q> JoinStatement<'q, 'q, ST>: LoadQuery<'q, $Conn, U>,)+
            $(for<'q> JoinStatement<'q, 'q, ST>: diesel_async::methods::LoadQuery<'q, $Async, U>,)*
        {
            fn load(
                statement: JoinStatement<'_, '_, ST>,
                conn: &mut Connection,
            ) -> QueryResult<Vec<U>> {
                crate::with_connection!(conn, |c| statement.load::<U>(c))
            }

            #[cfg(feature = "async")]
            async fn load_async<'q>(
                statement: JoinStatement<'q, 'q, ST>,
                conn: &'q mut crate::AsyncConnection,
            ) -> QueryResult<Vec<U>> {
                crate::async_connection::with_async_connection!(conn, |c| {
                    diesel_async::RunQueryDsl::load::<U>(statement, c).await
                })
            }
        }
    };
}

crate::macros::for_each_connection_set!(joined_rows);
