//! The aggregate functions of grouped queries and annotations: `COUNT(*)`, `COUNT(x)`,
//! `COUNT(DISTINCT x)`, `SUM`, `AVG`, `MIN` and `MAX` of a column, as typed Diesel expressions.
//!
//! `sum` is ff's own: on SQLite, where a decimal column holds integers and 8-byte floats, it
//! adds the values as integers scaled by the column's scale, so decimal sums are exact on every
//! backend. The others are Diesel's.

use std::any::TypeId;
use std::cell::{Cell, RefCell};

use diesel::backend::Backend;
use diesel::expression::{
    AppearsOnTable, Expression, SelectableExpression, ValidGrouping, is_aggregate,
};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Foldable};
use diesel::sqlite::Sqlite;
use diesel::{Column, QueryResult};

use crate::schema::{ColumnType, TableDef};

/// Implements what an aggregate of one column shares with Diesel's: it appears where its
/// column does, aggregates, and has no static query id.
macro_rules! aggregate_of_column {
    ($aggregate:ident) => {
        impl<C, QS> AppearsOnTable<QS> for $aggregate<C>
        where
            C: AppearsOnTable<QS>,
            Self: Expression,
        {
        }

        impl<C, QS> SelectableExpression<QS> for $aggregate<C>
        where
            C: SelectableExpression<QS>,
            Self: AppearsOnTable<QS>,
        {
        }

        impl<C, GB> ValidGrouping<GB> for $aggregate<C> {
            type IsAggregate = is_aggregate::Yes;
        }

        impl<C> QueryId for $aggregate<C> {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }
    };
}

pub use diesel::dsl::{avg, count, count_star as count_all, max, min};

/// `COUNT(DISTINCT column)`: the number of distinct non-NULL values, as an `i64`.
pub fn count_distinct<C: Column>(column: C) -> CountDistinct<C> {
    CountDistinct { column }
}

/// The expression [`count_distinct`] returns.
#[derive(Debug, Clone, Copy)]
pub struct CountDistinct<C> {
    column: C,
}

impl<C: Column> Expression for CountDistinct<C> {
    type SqlType = BigInt;
}

impl<C: Column + QueryFragment<DB>, DB: Backend> QueryFragment<DB> for CountDistinct<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("COUNT(DISTINCT ");
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}

aggregate_of_column!(CountDistinct);

/// `SUM(column)`: `None` for a group whose values are all NULL. Exact for decimals on every
/// backend (on SQLite, for columns of at most 15 digits of precision).
///
/// The result type is Diesel's, as for [`Query::sum`](crate::Query::sum): `Option<i64>` for
/// `i16`/`i32` columns, `Option<BigDecimal>` for `i64` and decimal columns, `Option<f64>` for
/// floats.
pub fn sum<C>(column: C) -> Sum<C>
where
    C: Column,
    C::SqlType: Foldable,
{
    Sum { column }
}

/// The expression [`sum`] returns.
#[derive(Debug, Clone, Copy)]
pub struct Sum<C> {
    column: C,
}

impl<C> Expression for Sum<C>
where
    C: Column,
    C::SqlType: Foldable,
{
    type SqlType = <C::SqlType as Foldable>::Sum;
}

aggregate_of_column!(Sum);

/// `SUM(column)`, as PostgreSQL and MySQL compute it: exactly for decimals.
fn native_sum<'b, C, DB>(column: &'b C, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()>
where
    DB: Backend,
    C: QueryFragment<DB>,
{
    out.push_sql("SUM(");
    column.walk_ast(out.reborrow())?;
    out.push_sql(")");
    Ok(())
}

impl<C: QueryFragment<Pg>> QueryFragment<Pg> for Sum<C> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        native_sum(&self.column, out)
    }
}

#[cfg(feature = "mysql")]
impl<C: QueryFragment<diesel::mysql::Mysql>> QueryFragment<diesel::mysql::Mysql> for Sum<C> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, diesel::mysql::Mysql>) -> QueryResult<()> {
        native_sum(&self.column, out)
    }
}

/// The widest decimal SQLite sums exactly: every value then scales to an integer below 10^15,
/// which an 8-byte float holds exactly.
const SQLITE_EXACT_PRECISION: u8 = 15;

impl<C> QueryFragment<Sqlite> for Sum<C>
where
    C: Column + QueryFragment<Sqlite>,
    C::Table: 'static,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        let Some(column_type) = column_type::<C>() else {
            return native_sum(&self.column, out);
        };
        let ColumnType::Decimal { precision, scale } = column_type else {
            return native_sum(&self.column, out);
        };
        if precision > SQLITE_EXACT_PRECISION {
            return Err(diesel::result::Error::QueryBuilderError(
                format!(
                    "SQLite sums decimal columns of at most {SQLITE_EXACT_PRECISION} digits \
                     exactly, and `{}` is DECIMAL({precision}, {scale})",
                    C::NAME
                )
                .into(),
            ));
        }
        let unit = 10i64.pow(u32::from(scale));
        // n: the sum of the values scaled to integers. Within the declared precision a value
        // scales below 10^15, so an 8-byte float holds the scaled value and rounds to the
        // integer it stands for.
        let scaled_sum = |mut out: AstPass<'_, 'b, Sqlite>| -> QueryResult<()> {
            out.push_sql(&format!("SUM(CAST(ROUND({unit} * "));
            self.column.walk_ast(out.reborrow())?;
            out.push_sql(") AS INTEGER))");
            Ok(())
        };
        match clause() {
            // Exact and in the same order as the sums.
            _ if scale == 0 => scaled_sum(out),
            Clause::Order => scaled_sum(out),
            // A number to compare with others, to the precision of an 8-byte float; NUMERIC
            // affinity makes SQLite compare a decimal bound as text as a number.
            Clause::Condition => {
                out.push_sql("CAST(");
                scaled_sum(out.reborrow())?;
                out.push_sql(&format!(" / {unit}.0 AS NUMERIC)"));
                Ok(())
            }
            // The decimal text of n / unit, which reads back as exactly that decimal.
            Clause::Selection => {
                out.push_sql("CASE WHEN ");
                scaled_sum(out.reborrow())?;
                out.push_sql(" < 0 THEN '-' ELSE '' END || (ABS(");
                scaled_sum(out.reborrow())?;
                out.push_sql(&format!(") / {unit}) || '.' || SUBSTR(ABS("));
                scaled_sum(out.reborrow())?;
                out.push_sql(&format!(") % {unit} + {unit}, 2)"));
                Ok(())
            }
        }
    }
}

/// The clause of the statement being rendered, which decides how SQLite's exact decimal sum
/// renders: exact text to read, a scaled integer to sort by, a number to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Clause {
    /// The select list: values read back.
    Selection,
    /// ORDER BY: only the order of values matters.
    Order,
    /// WHERE and HAVING: values compared with others.
    Condition,
}

thread_local! {
    /// The clause being rendered on this thread, for [`Sum`].
    static CLAUSE: Cell<Clause> = const { Cell::new(Clause::Selection) };
}

/// Runs `render` with `clause` as the clause being rendered.
pub(crate) fn in_clause<R>(clause: Clause, render: impl FnOnce() -> R) -> R {
    let outer = CLAUSE.with(|current| current.replace(clause));
    let result = render();
    CLAUSE.with(|current| current.set(outer));
    result
}

fn clause() -> Clause {
    CLAUSE.with(Cell::get)
}

thread_local! {
    /// The tables of the query being rendered on this thread, for [`column_type`].
    static TABLES: RefCell<Vec<(TypeId, &'static TableDef)>> = const { RefCell::new(Vec::new()) };
}

/// Runs `render` with `tables` known to the aggregates it renders (SQLite's exact decimal sum
/// reads the column's scale from them).
pub(crate) fn with_tables<R>(
    tables: &[(TypeId, &'static TableDef)],
    render: impl FnOnce() -> R,
) -> R {
    let depth = TABLES.with(|known| {
        let mut known = known.borrow_mut();
        known.extend_from_slice(tables);
        known.len() - tables.len()
    });
    let result = render();
    TABLES.with(|known| known.borrow_mut().truncate(depth));
    result
}

/// The declared type of column `C`, when its table is one of the query's.
fn column_type<C>() -> Option<ColumnType>
where
    C: Column,
    C::Table: 'static,
{
    let table = TypeId::of::<C::Table>();
    TABLES.with(|known| {
        known
            .borrow()
            .iter()
            .rev()
            .find(|(id, _)| *id == table)
            .and_then(|(_, def)| def.columns.iter().find(|column| column.name == C::NAME))
            .map(|column| column.sql_type.clone())
    })
}
