//! The key-list lookup of eager loading, `column IN <keys>`, in the form that measured fastest
//! on each backend (`benches/eager.rs`, docs/performance.md):
//!
//! - SQLite and MySQL: `IN (?, …)` with one bind per key, the list padded by repeating its last
//!   key to one of eight lengths per power of two (at most a quarter longer). A few statement
//!   shapes then serve every length, and Diesel keeps them prepared; its own `eq_any` list is
//!   never cached, so every load prepared a new statement.
//! - PostgreSQL: `= ANY($1)` with the keys as one array bind, prepared once.

use diesel::QueryResult;
use diesel::backend::Backend;
use diesel::expression::Expression;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::serialize::ToSql;
use diesel::sql_types::{Array, HasSqlType};
use diesel::sqlite::Sqlite;

use crate::criteria::{Criteria, PortableFragment};

/// `column IN <keys>` in the form of each backend. Used by generated code. Not public API.
#[doc(hidden)]
pub struct KeyList<C, K> {
    column: C,
    keys: Vec<K>,
}

/// The rows whose `column` holds one of `keys`, as criteria for a repository query. Used by
/// generated code. Not public API.
#[doc(hidden)]
pub fn key_list<'a, C, K>(column: C, keys: Vec<K>) -> Criteria<'a, C::Table>
where
    C: diesel::Column,
    KeyList<C, K>: PortableFragment + Send + Sync + 'a,
{
    Criteria::from_fragment(KeyList { column, keys })
}

/// How many binds a list of `keys` keys takes: `keys` rounded up to a multiple of an eighth of
/// the next power of two, so that there are eight lengths per power of two and the padding is
/// at most a quarter of the list (never past the power of two, so a chunk still fits).
fn padded_len(keys: usize) -> usize {
    let step = (keys.next_power_of_two() / 8).max(1);
    keys.div_ceil(step) * step
}

impl<C: Expression, K> KeyList<C, K> {
    /// `column IN (?, …)`, padded with the last key to [`padded_len`].
    fn walk_padded_list<'b, DB>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        DB: Backend + HasSqlType<C::SqlType>,
        C: QueryFragment<DB>,
        K: ToSql<C::SqlType, DB>,
    {
        let Some(last) = self.keys.last() else {
            out.push_sql("1 = 0");
            return Ok(());
        };
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (");
        for i in 0..padded_len(self.keys.len()) {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_bind_param::<C::SqlType, K>(self.keys.get(i).unwrap_or(last))?;
        }
        out.push_sql(")");
        Ok(())
    }
}

impl<C, K> QueryFragment<Sqlite> for KeyList<C, K>
where
    C: Expression + QueryFragment<Sqlite>,
    Sqlite: HasSqlType<C::SqlType>,
    K: ToSql<C::SqlType, Sqlite>,
{
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.walk_padded_list(out)
    }
}

#[cfg(feature = "mysql")]
impl<C, K> QueryFragment<diesel::mysql::Mysql> for KeyList<C, K>
where
    C: Expression + QueryFragment<diesel::mysql::Mysql>,
    diesel::mysql::Mysql: HasSqlType<C::SqlType>,
    K: ToSql<C::SqlType, diesel::mysql::Mysql>,
{
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, diesel::mysql::Mysql>) -> QueryResult<()> {
        self.walk_padded_list(out)
    }
}

impl<C, K> QueryFragment<Pg> for KeyList<C, K>
where
    C: Expression + QueryFragment<Pg>,
    C::SqlType: 'static,
    Pg: HasSqlType<Array<C::SqlType>>,
    Vec<K>: ToSql<Array<C::SqlType>, Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        if self.keys.is_empty() {
            out.push_sql("1 = 0");
            return Ok(());
        }
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" = ANY(");
        out.push_bind_param::<Array<C::SqlType>, Vec<K>>(&self.keys)?;
        out.push_sql(")");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::padded_len;

    #[test]
    fn lists_are_padded_to_one_of_eight_lengths_per_power_of_two() {
        let lengths: Vec<usize> = [0, 1, 3, 8, 9, 10, 100, 1_000, 1_025, 10_000, 16_384]
            .into_iter()
            .map(padded_len)
            .collect();
        assert_eq!(
            lengths,
            [0, 1, 3, 8, 10, 10, 112, 1_024, 1_280, 10_240, 16_384]
        );
        for keys in 1..=40_000 {
            let padded = padded_len(keys);
            assert!(keys <= padded && padded <= keys.next_power_of_two());
            assert!(
                4 * (padded - keys) <= keys,
                "{keys} keys padded to {padded}"
            );
        }
    }
}
