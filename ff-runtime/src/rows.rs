//! The row operations of every entity — find, insert, update, delete — as generic functions
//! over [`Entity`], on statements rendered from the entity's metadata.
//!
//! Nothing here is generated per entity: the derive only says how to bind each field
//! ([`Entity::__value`]) and names the SQL types of its columns, so the operations are compiled
//! once, and type-checked per entity only where a program uses them.

mod columns;
mod insert;
mod read;
mod statement;
mod value;

pub(crate) use insert::{in_order_of, insert, insert_many, insert_returning, insert_with_keys};

pub use columns::ColumnSet;
pub use read::RowOf;
pub use statement::Filter;
pub use value::Value;

use diesel::{QueryResult, RunQueryDsl};

use crate::connection::Connection;
use crate::criteria::{Condition, Ordering};
use crate::entity::Entity;
use crate::error::{Result, query_error};
use statement::{AllRows, ByColumn, ByKey, Delete, DeleteOne, Dynamic, Select, Update, UpdateAll};

/// The row with this key.
pub(crate) fn find<E: Entity>(conn: &mut Connection, key: &E::Key) -> QueryResult<Option<E>> {
    let select = Select::<E, ByKey<E>>::new(Filter::Key { key, version: None });
    Ok(E::SqlRow::read(select, conn)?.pop())
}

/// The rows matching `condition`, sorted by `order`, at most `limit` after skipping `offset`.
pub(crate) fn find_by<'a, E: Entity>(
    conn: &mut Connection,
    condition: Option<Condition<'a, E::Table>>,
    order: Vec<Ordering<'a, E::Table>>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> QueryResult<Vec<E>> {
    if condition.is_none() && order.is_empty() && limit.is_none() && offset.is_none() {
        // Every row: one statement, prepared once.
        return E::SqlRow::read(Select::<E, AllRows<E>>::new(Filter::All), conn);
    }
    let select =
        Select::<E, Dynamic>::new(Filter::condition(condition)).window(order, limit, offset);
    E::SqlRow::read(select, conn)
}

/// The rows whose column `COLUMN` equals `value` (is NULL for `None`): what the generated
/// `find_by_<field>` runs. Not public API.
#[doc(hidden)]
pub fn find_equal<E: Entity, const COLUMN: usize>(
    conn: &mut Connection,
    value: Option<&dyn Value>,
) -> Result<Vec<E>> {
    match value {
        Some(_) => read_equal::<E, COLUMN, false, false>(conn, value),
        None => read_equal::<E, COLUMN, true, false>(conn, value),
    }
}

/// The first row whose column `COLUMN` equals `value` (is NULL for `None`): what the generated
/// `find_one_by_<field>` runs. Not public API.
#[doc(hidden)]
pub fn find_one_equal<E: Entity, const COLUMN: usize>(
    conn: &mut Connection,
    value: Option<&dyn Value>,
) -> Result<Option<E>> {
    let rows = match value {
        Some(_) => read_equal::<E, COLUMN, false, true>(conn, value),
        None => read_equal::<E, COLUMN, true, true>(conn, value),
    };
    rows.map(|mut rows| rows.pop())
}

/// The rows (the first one when `ONE`) whose column `COLUMN` equals `value`, or is NULL when
/// `NULL`: one prepared statement per finder and kind.
fn read_equal<E: Entity, const COLUMN: usize, const NULL: bool, const ONE: bool>(
    conn: &mut Connection,
    value: Option<&dyn Value>,
) -> Result<Vec<E>> {
    let filter = Filter::Column {
        index: COLUMN,
        value,
    };
    let limit = ONE.then_some(1);
    let select =
        Select::<E, ByColumn<E, COLUMN, NULL, ONE>>::new(filter).window(Vec::new(), limit, None);
    E::SqlRow::read(select, conn).map_err(query_error::<E>)
}

/// The rows with these keys, in no particular order.
pub(crate) fn find_keys<E: Entity>(conn: &mut Connection, keys: &[E::Key]) -> QueryResult<Vec<E>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let condition = E::__key_list(keys.to_vec()).into_condition();
    E::SqlRow::read(
        Select::<E, Dynamic>::new(Filter::condition(condition)),
        conn,
    )
}

/// Writes every column of `row` but its key (and version, which moves on by one and guards
/// the UPDATE); returns how many rows were written (0 when the row is gone or its version
/// moved on).
pub(crate) fn update<E: Entity>(conn: &mut Connection, row: &E) -> QueryResult<usize> {
    let columns = updatable::<E>();
    if columns.is_empty() && E::VERSION_COLUMN.is_none() {
        // Only a key: there is nothing to write, the row exists or it does not.
        return find::<E>(conn, row.key()).map(|found| usize::from(found.is_some()));
    }
    let update = Update::<E, UpdateAll<E>>::new(row, columns, Filter::row(row));
    crate::with_connection!(conn, |c| update.execute(c))
}

/// Writes the columns of `current` that differ from `original`, guarded by the version of
/// `original` when the entity has one.
pub(crate) fn update_changes<E: Entity>(
    conn: &mut Connection,
    original: &E,
    current: &E,
) -> QueryResult<usize> {
    let changed = E::__changed(original, current);
    if changed.is_empty() && E::VERSION_COLUMN.is_none() {
        return Ok(1);
    }
    let update = Update::<E, Dynamic>::new(current, changed, Filter::row(original));
    crate::with_connection!(conn, |c| update.execute(c))
}

/// Deletes the row of `row` if it still has its version (any version when the entity has
/// none).
pub(crate) fn delete<E: Entity>(conn: &mut Connection, row: &E) -> QueryResult<usize> {
    let delete = Delete::<E, DeleteOne<E>>::new(Filter::row(row));
    crate::with_connection!(conn, |c| delete.execute(c))
}

/// Deletes the rows with these keys.
pub(crate) fn delete_keys<E: Entity>(conn: &mut Connection, keys: &[E::Key]) -> QueryResult<usize> {
    if keys.is_empty() {
        return Ok(0);
    }
    let condition = E::__key_list(keys.to_vec()).into_condition();
    let delete = Delete::<E, Dynamic>::new(Filter::condition(condition));
    crate::with_connection!(conn, |c| delete.execute(c))
}

/// Deletes the rows matching `condition` (every row for `None`).
pub(crate) fn delete_where<'a, E: Entity>(
    conn: &mut Connection,
    condition: Option<Condition<'a, E::Table>>,
) -> QueryResult<usize> {
    let delete = Delete::<E, Dynamic>::new(Filter::condition(condition));
    crate::with_connection!(conn, |c| delete.execute(c))
}

/// The columns an UPDATE writes: all but the key and the version.
fn updatable<E: Entity>() -> ColumnSet {
    let mut columns = ColumnSet::EMPTY;
    for (index, column) in E::META.columns.iter().enumerate() {
        columns = columns.with_if(
            index,
            !column.primary_key && Some(index) != E::VERSION_COLUMN,
        );
    }
    columns
}
