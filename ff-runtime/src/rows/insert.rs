//! Inserting rows: one, many, many returning the stored rows, and rows with their own keys.

use diesel::QueryResult;

use super::columns::generated_key;
use super::find_keys;
use super::statement::{Dynamic, Filter, Insert, InsertOne, Select};
use crate::dialect::Backend;
use crate::entity::Entity;
use crate::schema::TableDef;
use crate::session::{Session, in_transaction};

/// Inserts `row` and returns it as stored (with its generated key and database defaults).
pub(crate) async fn insert<E: Entity, C: Session>(conn: &mut C, row: &E) -> QueryResult<E> {
    let rows = std::slice::from_ref(row);
    let stored = if returns_inserted(conn.backend()) {
        conn.read::<E, _>(Insert::<E, InsertOne<E, true, false>>::new(
            rows, false, true,
        ))
        .await?
    } else {
        conn.execute(Insert::<E, InsertOne<E, false, false>>::new(
            rows, false, false,
        ))
        .await?;
        read_back_inserted(conn, rows).await?
    };
    stored
        .into_iter()
        .next()
        .ok_or(diesel::result::Error::NotFound)
}

/// Inserts `rows` in as few statements as the backend's bind limit allows, in one transaction
/// when it takes several; returns how many were inserted.
pub(crate) async fn insert_many<E: Entity, C: Session>(
    conn: &mut C,
    rows: &[E],
) -> QueryResult<usize> {
    insert_chunks(conn, rows, false).await
}

/// Inserts rows with the keys they carry, generated keys included, and moves the key
/// generator past the largest key.
pub(crate) async fn insert_with_keys<E: Entity, C: Session>(
    conn: &mut C,
    rows: &[E],
) -> QueryResult<usize> {
    if generated_key::<E>().is_none() {
        return insert_chunks(conn, rows, false).await;
    }
    let inserted = insert_chunks(conn, rows, true).await?;
    advance_key_generator(conn, E::META).await?;
    Ok(inserted)
}

async fn insert_chunks<E: Entity, C: Session>(
    conn: &mut C,
    rows: &[E],
    with_key: bool,
) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    let per_statement = rows_per_insert(conn.backend(), E::META.columns.len());
    if rows.len() <= per_statement {
        return conn
            .execute(Insert::<E, Dynamic>::new(rows, with_key, false))
            .await;
    }
    in_transaction(conn, async |conn: &mut C| {
        let mut inserted = 0;
        for chunk in rows.chunks(per_statement) {
            inserted += conn
                .execute(Insert::<E, Dynamic>::new(chunk, with_key, false))
                .await?;
        }
        Ok(inserted)
    })
    .await
}

/// Inserts rows in batches and returns them as stored, in the given order.
pub(crate) async fn insert_returning<E: Entity, C: Session>(
    conn: &mut C,
    rows: &[E],
) -> QueryResult<Vec<E>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let per_statement = rows_per_insert(conn.backend(), E::META.columns.len());
    let mut stored = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(per_statement) {
        let batch = if returns_inserted(conn.backend()) {
            conn.read::<E, _>(Insert::<E, Dynamic>::new(chunk, false, true))
                .await?
        } else {
            conn.execute(Insert::<E, Dynamic>::new(chunk, false, false))
                .await?;
            read_back_inserted(conn, chunk).await?
        };
        stored.extend(in_insertion_order(batch, chunk));
    }
    Ok(stored)
}

/// Rows of one multi-row INSERT … RETURNING (or read back) in the order they were given:
/// generated keys grow in insertion order, other keys are matched.
fn in_insertion_order<E: Entity>(mut batch: Vec<E>, chunk: &[E]) -> Vec<E> {
    if generated_key::<E>().is_some() {
        batch.sort_by(|a, b| a.key().cmp(b.key()));
        batch
    } else {
        in_order_of(batch, chunk)
    }
}

/// Whether an INSERT on this backend can return the stored rows. MariaDB 10.5 understands
/// `INSERT … RETURNING`, but its prepared statements announce no result columns before they
/// run, and Diesel's MySQL connection reads them from there ("No metadata exists").
fn returns_inserted(backend: Backend) -> bool {
    backend != Backend::Mysql
}

/// On MySQL, which has no `INSERT … RETURNING`: the rows one INSERT just wrote, read back by
/// their keys (the generated ones from `LAST_INSERT_ID()`, consecutive within one statement).
async fn read_back_inserted<E: Entity, C: Session>(
    conn: &mut C,
    chunk: &[E],
) -> QueryResult<Vec<E>> {
    if generated_key::<E>().is_none() {
        let keys: Vec<E::Key> = chunk.iter().map(|row| row.key().clone()).collect();
        return find_keys(conn, &keys).await;
    }
    let first = conn.last_insert_id().await?;
    let last = first + (chunk.len() as i64 - 1);
    let filter = Filter::KeyBetween {
        first: &first,
        last: &last,
    };
    let batch = conn.read::<E, _>(Select::<E, Dynamic>::new(filter)).await?;
    if batch.len() != chunk.len() {
        return Err(unreadable_insert(E::TABLE_NAME, chunk.len(), batch.len()));
    }
    Ok(batch)
}

/// Rows per INSERT so that one statement stays under the backend's bind-parameter limit.
fn rows_per_insert(backend: Backend, columns: usize) -> usize {
    (backend.dialect().max_bind_params() / columns.max(1)).max(1)
}

/// After rows were written with their own keys, moves the table's key generator past the
/// largest key, so rows inserted later without a key do not collide with them. MySQL and
/// SQLite move their `AUTO_INCREMENT`/`AUTOINCREMENT` counters themselves; PostgreSQL's
/// identity sequence is set here.
async fn advance_key_generator<C: Session>(conn: &mut C, table: &TableDef) -> QueryResult<()> {
    let (Backend::Postgres, Some(key)) = (conn.backend(), table.primary_key()) else {
        return Ok(());
    };
    let dialect = Backend::Postgres.dialect();
    let (quoted_table, quoted_key) = (dialect.quote(&table.name), dialect.quote(&key.name));
    let sql = format!(
        "SELECT setval(pg_get_serial_sequence($1, $2), m) FROM (SELECT MAX({quoted_key}) AS m FROM {quoted_table}) AS largest WHERE m IS NOT NULL"
    );
    let statement = diesel::sql_query(sql)
        .bind::<diesel::sql_types::Text, _>(quoted_table)
        .bind::<diesel::sql_types::Text, _>(key.name.to_string());
    conn.execute(statement).await.map(drop)
}

/// `rows` (just read back by key) in the order of `wanted`.
pub(crate) fn in_order_of<E: Entity>(rows: Vec<E>, wanted: &[E]) -> Vec<E> {
    let mut by_key: std::collections::HashMap<E::Key, E> = rows
        .into_iter()
        .map(|row| (row.key().clone(), row))
        .collect();
    wanted
        .iter()
        .filter_map(|row| by_key.remove(row.key()))
        .collect()
}

/// The error when rows inserted on MySQL cannot all be read back by their generated keys.
fn unreadable_insert(table: &str, inserted: usize, found: usize) -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(
        format!(
            "{inserted} rows were inserted into `{table}` but {found} were read back by their generated keys: \
             the keys of one INSERT were not consecutive (set innodb_autoinc_lock_mode to 0 or 1)"
        )
        .into(),
    )
}
