//! The row operations of every entity — find, insert, update, delete — as generic functions
//! over [`Entity`], on statements rendered from the entity's metadata.
//!
//! Nothing here is generated per entity: the derive only says how to bind each field
//! ([`Entity::__value`]) and names the SQL types of its columns, so the operations are compiled
//! once, and type-checked per entity only where a program uses them.

mod read;
mod statement;
mod value;

pub use read::RowOf;
pub use statement::{ColumnSet, Filter};
pub use value::Value;

use diesel::{QueryResult, RunQueryDsl};

use crate::connection::Connection;
use crate::criteria::{Condition, Ordering};
use crate::entity::{Entity, advance_key_generator, rows_per_insert};
use crate::error::{Result, query_error};
use statement::{
    AllRows, ByColumn, ByKey, Delete, DeleteOne, Dynamic, Insert, InsertOne, Select, Update,
    UpdateAll,
};

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
    let filter = Filter::Column {
        index: COLUMN,
        value,
    };
    let rows = match value {
        Some(_) => E::SqlRow::read(
            Select::<E, ByColumn<E, COLUMN, false, false>>::new(filter),
            conn,
        ),
        None => E::SqlRow::read(
            Select::<E, ByColumn<E, COLUMN, true, false>>::new(filter),
            conn,
        ),
    };
    rows.map_err(query_error::<E>)
}

/// The first row whose column `COLUMN` equals `value` (is NULL for `None`): what the generated
/// `find_one_by_<field>` runs. Not public API.
#[doc(hidden)]
pub fn find_one_equal<E: Entity, const COLUMN: usize>(
    conn: &mut Connection,
    value: Option<&dyn Value>,
) -> Result<Option<E>> {
    let filter = Filter::Column {
        index: COLUMN,
        value,
    };
    let one = Some(1);
    let rows = match value {
        Some(_) => E::SqlRow::read(
            Select::<E, ByColumn<E, COLUMN, false, true>>::new(filter).window(
                Vec::new(),
                one,
                None,
            ),
            conn,
        ),
        None => E::SqlRow::read(
            Select::<E, ByColumn<E, COLUMN, true, true>>::new(filter).window(Vec::new(), one, None),
            conn,
        ),
    };
    rows.map(|mut rows| rows.pop()).map_err(query_error::<E>)
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

/// Inserts `row` and returns it as stored (with its generated key and database defaults).
pub(crate) fn insert<E: Entity>(conn: &mut Connection, row: &E) -> QueryResult<E> {
    let rows = std::slice::from_ref(row);
    let stored = if returns_inserted(conn) {
        E::SqlRow::read(
            Insert::<E, InsertOne<E, true, false>>::new(rows, false, true),
            conn,
        )?
    } else {
        let insert = Insert::<E, InsertOne<E, false, false>>::new(rows, false, false);
        crate::with_connection!(conn, |c| insert.execute(c))?;
        read_back_inserted(conn, rows)?
    };
    stored
        .into_iter()
        .next()
        .ok_or(diesel::result::Error::NotFound)
}

/// Inserts `rows` in as few statements as the backend's bind limit allows, in one transaction
/// when it takes several; returns how many were inserted.
pub(crate) fn insert_many<E: Entity>(conn: &mut Connection, rows: &[E]) -> QueryResult<usize> {
    insert_chunks(conn, rows, false)
}

/// Inserts rows with the keys they carry, generated keys included, and moves the key
/// generator past the largest key.
pub(crate) fn insert_with_keys<E: Entity>(conn: &mut Connection, rows: &[E]) -> QueryResult<usize> {
    if !generated_key::<E>() {
        return insert_chunks(conn, rows, false);
    }
    let inserted = insert_chunks(conn, rows, true)?;
    advance_key_generator(conn, E::META)?;
    Ok(inserted)
}

fn insert_chunks<E: Entity>(
    conn: &mut Connection,
    rows: &[E],
    with_key: bool,
) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    let per_statement = rows_per_insert(conn, E::META.columns.len());
    crate::with_connection!(conn, |c| {
        if rows.len() <= per_statement {
            return Insert::<E, Dynamic>::new(rows, with_key, false).execute(c);
        }
        diesel::Connection::transaction(c, |c| {
            let mut inserted = 0;
            for chunk in rows.chunks(per_statement) {
                inserted += Insert::<E, Dynamic>::new(chunk, with_key, false).execute(c)?;
            }
            Ok(inserted)
        })
    })
}

/// Inserts rows in batches and returns them as stored, in the given order.
pub(crate) fn insert_returning<E: Entity>(
    conn: &mut Connection,
    rows: &[E],
) -> QueryResult<Vec<E>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let per_statement = rows_per_insert(conn, E::META.columns.len());
    let mut stored = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(per_statement) {
        let batch = if returns_inserted(conn) {
            E::SqlRow::read(Insert::<E, Dynamic>::new(chunk, false, true), conn)?
        } else {
            let insert = Insert::<E, Dynamic>::new(chunk, false, false);
            crate::with_connection!(conn, |c| insert.execute(c))?;
            read_back_inserted(conn, chunk)?
        };
        stored.extend(in_insertion_order(batch, chunk));
    }
    Ok(stored)
}

/// Rows of one multi-row INSERT … RETURNING (or read back) in the order they were given:
/// generated keys grow in insertion order, other keys are matched.
fn in_insertion_order<E: Entity>(mut batch: Vec<E>, chunk: &[E]) -> Vec<E> {
    if generated_key::<E>() {
        batch.sort_by(|a, b| a.key().cmp(b.key()));
        batch
    } else {
        crate::__private::in_order_of(batch, chunk)
    }
}

/// Whether the connection's INSERT can return the stored rows. MariaDB 10.5 understands
/// `INSERT … RETURNING`, but its prepared statements announce no result columns before they
/// run, and Diesel's MySQL connection reads them from there ("No metadata exists").
fn returns_inserted(conn: &Connection) -> bool {
    conn.backend() != crate::Backend::Mysql
}

/// On MySQL, which has no `INSERT … RETURNING`: the rows one INSERT just wrote, read back by
/// their keys (the generated ones from `LAST_INSERT_ID()`, consecutive within one statement).
fn read_back_inserted<E: Entity>(conn: &mut Connection, chunk: &[E]) -> QueryResult<Vec<E>> {
    if !generated_key::<E>() {
        let keys: Vec<E::Key> = chunk.iter().map(|row| row.key().clone()).collect();
        return find_keys(conn, &keys);
    }
    let first = last_insert_id(conn)?;
    let last = first + (chunk.len() as i64 - 1);
    let filter = Filter::KeyBetween {
        first: &first,
        last: &last,
    };
    let batch = E::SqlRow::read(Select::<E, Dynamic>::new(filter), conn)?;
    if batch.len() != chunk.len() {
        return Err(crate::__private::unreadable_insert(
            E::TABLE_NAME,
            chunk.len(),
            batch.len(),
        ));
    }
    Ok(batch)
}

/// MySQL's `LAST_INSERT_ID()`: the first key generated by the last INSERT.
#[cfg(feature = "mysql")]
fn last_insert_id(conn: &mut Connection) -> QueryResult<i64> {
    let Connection::Mysql(c) = conn else {
        unreachable!("only MySQL reads inserted rows back by key");
    };
    let id = diesel::select(crate::__private::last_insert_id()).get_result::<u64>(c)?;
    i64::try_from(id).map_err(|_| diesel::result::Error::NotFound)
}

#[cfg(not(feature = "mysql"))]
fn last_insert_id(_: &mut Connection) -> QueryResult<i64> {
    unreachable!("only MySQL reads inserted rows back by key")
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

/// Whether the database generates the keys of `E`.
fn generated_key<E: Entity>() -> bool {
    E::META
        .columns
        .iter()
        .any(|column| column.primary_key && column.auto_increment)
}
