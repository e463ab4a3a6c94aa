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
pub use read::{RowOf, RowQuery};
pub use statement::Filter;
pub use value::Value;

use diesel::QueryResult;

use crate::criteria::{Condition, Ordering};
use crate::entity::Entity;
use crate::error::{Result, query_error};
use crate::session::Session;
use statement::{AllRows, ByColumn, ByKey, Delete, DeleteOne, Dynamic, Select, Update, UpdateAll};

/// The row with this key.
pub(crate) async fn find<E: Entity, C: Session>(
    conn: &mut C,
    key: &E::Key,
) -> QueryResult<Option<E>> {
    let select = Select::<E, ByKey<E>>::new(Filter::Key { key, version: None });
    Ok(conn.read::<E, _>(select).await?.pop())
}

/// The rows matching `condition`, sorted by `order`, at most `limit` after skipping `offset`.
pub(crate) async fn find_by<'a, E: Entity, C: Session>(
    conn: &mut C,
    condition: Option<Condition<'a, E::Table>>,
    order: Vec<Ordering<'a, E::Table>>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> QueryResult<Vec<E>> {
    if condition.is_none() && order.is_empty() && limit.is_none() && offset.is_none() {
        // Every row: one statement, prepared once.
        return conn
            .read::<E, _>(Select::<E, AllRows<E>>::new(Filter::All))
            .await;
    }
    let select =
        Select::<E, Dynamic>::new(Filter::condition(condition)).window(order, limit, offset);
    conn.read::<E, _>(select).await
}

/// The rows whose column `COLUMN` equals the value `project` finds in `argument` (is NULL for
/// `None`): what the generated `find_by_<field>` runs. Not public API.
#[doc(hidden)]
pub fn find_equal<'q, E: Entity, const COLUMN: usize, C: Session, A: Send + Sync + 'q>(
    conn: &'q mut C,
    argument: A,
    project: fn(&A) -> Option<&dyn Value>,
) -> C::Answer<'q, Vec<E>> {
    C::answer(async move {
        let value = project(&argument);
        match value {
            Some(_) => read_equal::<E, COLUMN, false, false, C>(conn, value).await,
            None => read_equal::<E, COLUMN, true, false, C>(conn, value).await,
        }
    })
}

/// The first row whose column `COLUMN` equals the value `project` finds in `argument` (is NULL
/// for `None`): what the generated `find_one_by_<field>` runs. Not public API.
#[doc(hidden)]
pub fn find_one_equal<'q, E: Entity, const COLUMN: usize, C: Session, A: Send + Sync + 'q>(
    conn: &'q mut C,
    argument: A,
    project: fn(&A) -> Option<&dyn Value>,
) -> C::Answer<'q, Option<E>> {
    C::answer(async move {
        let value = project(&argument);
        let rows = match value {
            Some(_) => read_equal::<E, COLUMN, false, true, C>(conn, value).await,
            None => read_equal::<E, COLUMN, true, true, C>(conn, value).await,
        };
        rows.map(|mut rows| rows.pop())
    })
}

/// The rows (the first one when `ONE`) whose column `COLUMN` equals `value`, or is NULL when
/// `NULL`: one prepared statement per finder and kind.
async fn read_equal<E: Entity, const COLUMN: usize, const NULL: bool, const ONE: bool, C>(
    conn: &mut C,
    value: Option<&dyn Value>,
) -> Result<Vec<E>>
where
    C: Session,
{
    let filter = Filter::Column {
        index: COLUMN,
        value,
    };
    let limit = ONE.then_some(1);
    let select =
        Select::<E, ByColumn<E, COLUMN, NULL, ONE>>::new(filter).window(Vec::new(), limit, None);
    conn.read::<E, _>(select).await.map_err(query_error::<E>)
}

/// The rows with these keys, in no particular order.
pub(crate) async fn find_keys<E: Entity, C: Session>(
    conn: &mut C,
    keys: &[E::Key],
) -> QueryResult<Vec<E>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let condition = E::__key_list(keys.to_vec()).into_condition();
    conn.read::<E, _>(Select::<E, Dynamic>::new(Filter::condition(condition)))
        .await
}

/// Writes every column of `row` but its key (and version, which moves on by one and guards
/// the UPDATE); returns how many rows were written (0 when the row is gone or its version
/// moved on).
pub(crate) async fn update<E: Entity, C: Session>(conn: &mut C, row: &E) -> QueryResult<usize> {
    let columns = updatable::<E>();
    if columns.is_empty() && E::VERSION_COLUMN.is_none() {
        // Only a key: there is nothing to write, the row exists or it does not.
        let found = find::<E, C>(conn, row.key()).await?;
        return Ok(usize::from(found.is_some()));
    }
    conn.execute(Update::<E, UpdateAll<E>>::new(
        row,
        columns,
        Filter::row(row),
    ))
    .await
}

/// Writes the columns of `current` that differ from `original`, guarded by the version of
/// `original` when the entity has one.
pub(crate) async fn update_changes<E: Entity, C: Session>(
    conn: &mut C,
    original: &E,
    current: &E,
) -> QueryResult<usize> {
    let changed = E::__changed(original, current);
    if changed.is_empty() && E::VERSION_COLUMN.is_none() {
        return Ok(1);
    }
    conn.execute(Update::<E, Dynamic>::new(
        current,
        changed,
        Filter::row(original),
    ))
    .await
}

/// Deletes the row of `row` if it still has its version (any version when the entity has
/// none).
pub(crate) async fn delete<E: Entity, C: Session>(conn: &mut C, row: &E) -> QueryResult<usize> {
    conn.execute(Delete::<E, DeleteOne<E>>::new(Filter::row(row)))
        .await
}

/// Deletes the rows with these keys.
pub(crate) async fn delete_keys<E: Entity, C: Session>(
    conn: &mut C,
    keys: &[E::Key],
) -> QueryResult<usize> {
    if keys.is_empty() {
        return Ok(0);
    }
    let condition = E::__key_list(keys.to_vec()).into_condition();
    conn.execute(Delete::<E, Dynamic>::new(Filter::condition(condition)))
        .await
}

/// Deletes the rows matching `condition` (every row for `None`).
pub(crate) async fn delete_where<'a, E: Entity, C: Session>(
    conn: &mut C,
    condition: Option<Condition<'a, E::Table>>,
) -> QueryResult<usize> {
    conn.execute(Delete::<E, Dynamic>::new(Filter::condition(condition)))
        .await
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
