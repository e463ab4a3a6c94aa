//! Orderings that put NULLs in the same place on every database.
//!
//! Without a rule, NULLs sort first in ascending order on SQLite and MySQL/MariaDB and last on
//! PostgreSQL. `order::shipped_at.asc_nulls_first()` and its siblings say where they go:
//!
//! | ordering | SQLite, PostgreSQL | MySQL/MariaDB (no `NULLS FIRST`) |
//! | --- | --- | --- |
//! | `col.asc_nulls_first()` | `col ASC NULLS FIRST` | `col IS NULL DESC, col ASC` |
//! | `col.desc_nulls_last()` | `col DESC NULLS LAST` | `col IS NULL ASC, col DESC` |

use diesel::QueryResult;
use diesel::backend::Backend;
use diesel::expression::Expression;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sqlite::Sqlite;

/// Orderings of an expression with NULLs placed the same way on every database.
///
/// ```
/// use ff_runtime::prelude::*;
///
/// #[derive(Entity, Debug, Clone, PartialEq)]
/// pub struct Parcel {
///     pub id: i32,
///     pub weight: Option<i32>,
/// }
///
/// let mut conn = Connection::establish(":memory:")?;
/// conn.create_tables(&[Parcel::META])?;
/// Repository::<Parcel>::new(&mut conn).insert_many(&[
///     Parcel { id: 0, weight: Some(3) },
///     Parcel { id: 0, weight: None },
///     Parcel { id: 0, weight: Some(1) },
/// ])?;
/// let weights: Vec<Option<i32>> = Parcel::query()
///     .order_by(parcel::weight.asc_nulls_last())
///     .load(&mut conn)?
///     .into_iter()
///     .map(|p| p.weight)
///     .collect();
/// assert_eq!(weights, [Some(1), Some(3), None]);
/// # Ok::<(), ff_runtime::Error>(())
/// ```
pub trait NullOrderMethods: Expression + Sized {
    /// Ascending, NULLs first.
    fn asc_nulls_first(self) -> NullOrder<Self> {
        NullOrder::new(self, false, true)
    }

    /// Ascending, NULLs last.
    fn asc_nulls_last(self) -> NullOrder<Self> {
        NullOrder::new(self, false, false)
    }

    /// Descending, NULLs first.
    fn desc_nulls_first(self) -> NullOrder<Self> {
        NullOrder::new(self, true, true)
    }

    /// Descending, NULLs last.
    fn desc_nulls_last(self) -> NullOrder<Self> {
        NullOrder::new(self, true, false)
    }
}

impl<T: Expression> NullOrderMethods for T {}

/// An ordering by an expression with its NULLs first or last; see [`NullOrderMethods`].
#[derive(Debug, Clone, Copy)]
pub struct NullOrder<T> {
    expression: T,
    descending: bool,
    nulls_first: bool,
}

impl<T> NullOrder<T> {
    fn new(expression: T, descending: bool, nulls_first: bool) -> Self {
        NullOrder {
            expression,
            descending,
            nulls_first,
        }
    }

    fn direction(&self) -> &'static str {
        if self.descending { " DESC" } else { " ASC" }
    }

    /// `expr ASC NULLS FIRST`, the form SQLite and PostgreSQL read.
    fn walk_standard<'b, DB: Backend>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        T: QueryFragment<DB>,
    {
        self.expression.walk_ast(out.reborrow())?;
        out.push_sql(self.direction());
        out.push_sql(if self.nulls_first {
            " NULLS FIRST"
        } else {
            " NULLS LAST"
        });
        Ok(())
    }
}

impl<T: QueryFragment<Sqlite>> QueryFragment<Sqlite> for NullOrder<T> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.walk_standard(out)
    }
}

impl<T: QueryFragment<Pg>> QueryFragment<Pg> for NullOrder<T> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.walk_standard(out)
    }
}

/// MySQL has no `NULLS FIRST`: a first key sorts the NULLs where they belong.
#[cfg(feature = "mysql")]
impl<T: QueryFragment<diesel::mysql::Mysql>> QueryFragment<diesel::mysql::Mysql> for NullOrder<T> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, diesel::mysql::Mysql>) -> QueryResult<()> {
        self.expression.walk_ast(out.reborrow())?;
        out.push_sql(if self.nulls_first {
            " IS NULL DESC, "
        } else {
            " IS NULL ASC, "
        });
        self.expression.walk_ast(out.reborrow())?;
        out.push_sql(self.direction());
        Ok(())
    }
}

impl<T: Expression> Expression for NullOrder<T> {
    type SqlType = T::SqlType;
}

crate::criteria::wraps_expression!(NullOrder<T>);

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::debug_query;

    diesel::table! {
        parcel (id) {
            id -> Integer,
            weight -> Nullable<Integer>,
        }
    }

    #[test]
    fn sqlite_and_postgres_say_nulls_first_or_last() {
        use diesel::QueryDsl;
        let query = parcel::table.order_by(parcel::weight.desc_nulls_last());
        assert_eq!(
            debug_query::<Sqlite, _>(&query).to_string(),
            "SELECT `parcel`.`id`, `parcel`.`weight` FROM `parcel` ORDER BY `parcel`.`weight` DESC NULLS LAST -- binds: []"
        );
        let query = parcel::table.order_by(parcel::weight.asc_nulls_first());
        assert_eq!(
            debug_query::<Pg, _>(&query).to_string(),
            "SELECT \"parcel\".\"id\", \"parcel\".\"weight\" FROM \"parcel\" ORDER BY \"parcel\".\"weight\" ASC NULLS FIRST -- binds: []"
        );
    }

    #[cfg(feature = "mysql")]
    #[test]
    fn mysql_sorts_by_the_null_test_first() {
        use diesel::QueryDsl;
        let query = parcel::table.order_by(parcel::weight.asc_nulls_last());
        assert_eq!(
            debug_query::<diesel::mysql::Mysql, _>(&query).to_string(),
            "SELECT `parcel`.`id`, `parcel`.`weight` FROM `parcel` ORDER BY `parcel`.`weight` IS NULL ASC, `parcel`.`weight` ASC -- binds: []"
        );
    }
}
