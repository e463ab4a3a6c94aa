//! The statements ff runs for every entity, rendered from the entity's metadata: one generic
//! implementation instead of Diesel query code generated and type-checked per entity.
//!
//! A statement whose SQL depends only on the entity (and constants) carries a static query id,
//! so Diesel prepares it once per connection; the others are cached by their SQL text.

use std::marker::PhantomData;

use diesel::QueryResult;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::query_dsl::RunQueryDsl;

use super::columns::{ColumnSet, generated_key};
use super::value::{RowBackend, Value};
use crate::criteria::{Condition, Ordering};
use crate::entity::Entity;

/// The identity Diesel caches a prepared statement under.
pub trait StatementId: 'static {
    /// Whether the SQL is fixed by the type, so Diesel may cache it by type.
    const STATIC: bool;
}

/// A statement whose SQL depends on its values: cached by its text.
pub struct Dynamic;

impl StatementId for Dynamic {
    const STATIC: bool = false;
}

/// Declares marker types naming statements whose SQL is fixed by the entity (and constants).
macro_rules! static_ids {
    ($($(#[$doc:meta])* $name:ident $(<$(const $param:ident: $ty:ty),*>)?;)*) => {$(
        $(#[$doc])*
        pub struct $name<E $($(, const $param: $ty)*)?>(PhantomData<E>);

        impl<E: 'static $($(, const $param: $ty)*)?> StatementId for $name<E $($(, $param)*)?> {
            const STATIC: bool = true;
        }
    )*};
}

static_ids! {
    /// Every row.
    AllRows;
    /// The row with a key.
    ByKey;
    /// The rows whose column `COLUMN` equals a value (or is NULL), at most one when `ONE`.
    ByColumn<const COLUMN: usize, const NULL: bool, const ONE: bool>;
    /// One row inserted, read back when `RETURNING`, with its key when `WITH_KEY`.
    InsertOne<const RETURNING: bool, const WITH_KEY: bool>;
    /// Every column of one row updated by key.
    UpdateAll;
    /// One row deleted by key.
    DeleteOne;
}

/// Which rows a statement reads, changes or deletes.
pub enum Filter<'a, E: Entity> {
    /// Every row.
    All,
    /// The row with this key, and this version when the entity has one.
    Key {
        key: &'a dyn Value,
        version: Option<&'a dyn Value>,
    },
    /// The rows whose key lies between two values (both included).
    KeyBetween {
        first: &'a dyn Value,
        last: &'a dyn Value,
    },
    /// The rows whose column `index` equals `value`, or is NULL.
    Column {
        index: usize,
        value: Option<&'a dyn Value>,
    },
    /// The rows matching a condition on the table.
    Condition(Condition<'a, E::Table>),
}

impl<'a, E: Entity> Filter<'a, E> {
    /// The row of `row` (at its version, when the entity has one).
    pub fn row(row: &'a E) -> Self {
        Filter::Key {
            key: row.key(),
            version: E::VERSION_COLUMN.map(|column| row.__value(column)),
        }
    }

    /// The rows matching `condition`, or every row.
    pub fn condition(condition: Option<Condition<'a, E::Table>>) -> Self {
        condition.map_or(Filter::All, Filter::Condition)
    }

    fn walk_ast<'b, DB>(&'b self, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        DB: RowBackend,
        Condition<'a, E::Table>: QueryFragment<DB>,
    {
        let columns = &E::META.columns;
        match self {
            Filter::All => {}
            Filter::Key { key, version } => {
                out.push_sql(" WHERE ");
                out.push_identifier(E::KEY_COLUMN)?;
                out.push_sql(" = ");
                DB::bind(*key, out)?;
                if let (Some(version), Some(column)) = (version, E::VERSION_COLUMN) {
                    out.push_sql(" AND ");
                    out.push_identifier(&columns[column].name)?;
                    out.push_sql(" = ");
                    DB::bind(*version, out)?;
                }
            }
            Filter::KeyBetween { first, last } => {
                out.push_sql(" WHERE ");
                out.push_identifier(E::KEY_COLUMN)?;
                out.push_sql(" BETWEEN ");
                DB::bind(*first, out)?;
                out.push_sql(" AND ");
                DB::bind(*last, out)?;
            }
            Filter::Column { index, value } => {
                out.push_sql(" WHERE ");
                out.push_identifier(&columns[*index].name)?;
                match value {
                    Some(value) => {
                        out.push_sql(" = ");
                        DB::bind(*value, out)?;
                    }
                    None => out.push_sql(" IS NULL"),
                }
            }
            Filter::Condition(condition) => {
                out.push_sql(" WHERE ");
                condition.walk_ast(out.reborrow())?;
            }
        }
        Ok(())
    }
}

/// Implements what Diesel needs to run a statement generic over the entity and its id.
macro_rules! statement {
    ($name:ident) => {
        impl<E: Entity, Id: StatementId> QueryId for $name<'_, E, Id> {
            type QueryId = Id;
            const HAS_STATIC_QUERY_ID: bool = Id::STATIC;
        }

        impl<E: Entity, Id, Conn> RunQueryDsl<Conn> for $name<'_, E, Id> {}
    };
}

/// `SELECT <columns> FROM <table> [WHERE …] [ORDER BY …] [LIMIT ?] [OFFSET ?]`.
pub struct Select<'a, E: Entity, Id = Dynamic> {
    filter: Filter<'a, E>,
    order: Vec<Ordering<'a, E::Table>>,
    limit: Option<i64>,
    offset: Option<i64>,
    _id: PhantomData<Id>,
}

statement!(Select);

impl<'a, E: Entity, Id> Select<'a, E, Id> {
    /// The rows `filter` keeps, in no particular order.
    pub fn new(filter: Filter<'a, E>) -> Self {
        Select {
            filter,
            order: Vec::new(),
            limit: None,
            offset: None,
            _id: PhantomData,
        }
    }

    /// Sorted by `order`, at most `limit` rows after skipping `offset`.
    pub fn window(
        mut self,
        order: Vec<Ordering<'a, E::Table>>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> Self {
        self.order = order;
        self.limit = limit;
        self.offset = offset;
        self
    }
}

impl<E: Entity, Id> Query for Select<'_, E, Id> {
    type SqlType = E::SqlRow;
}

impl<'a, E, Id, DB> QueryFragment<DB> for Select<'a, E, Id>
where
    E: Entity,
    DB: RowBackend,
    Condition<'a, E::Table>: QueryFragment<DB>,
    Ordering<'a, E::Table>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("SELECT ");
        push_columns::<E, DB>(&mut out, ColumnSet::all::<E>())?;
        out.push_sql(" FROM ");
        out.push_identifier(E::TABLE_NAME)?;
        self.filter.walk_ast(&mut out)?;
        for (i, ordering) in self.order.iter().enumerate() {
            out.push_sql(if i == 0 { " ORDER BY " } else { ", " });
            ordering.walk_ast(out.reborrow())?;
        }
        match (&self.limit, &self.offset) {
            (Some(limit), _) => {
                out.push_sql(" LIMIT ");
                DB::bind(limit, &mut out)?;
            }
            (None, Some(_)) => {
                if let Some(no_limit) = DB::NO_LIMIT {
                    out.push_sql(" LIMIT ");
                    out.push_sql(no_limit);
                }
            }
            (None, None) => {}
        }
        if let Some(offset) = &self.offset {
            out.push_sql(" OFFSET ");
            DB::bind(offset, &mut out)?;
        }
        Ok(())
    }
}

/// `INSERT INTO <table> (<columns>) VALUES (…), … [RETURNING <columns>]`: the key column is
/// left to the database when it generates keys, unless `with_key`.
pub struct Insert<'a, E: Entity, Id = Dynamic> {
    rows: &'a [E],
    columns: ColumnSet,
    returning: bool,
    _id: PhantomData<Id>,
}

statement!(Insert);

impl<'a, E: Entity, Id> Insert<'a, E, Id> {
    /// Inserts `rows` (at least one); with their keys when `with_key` or when the database
    /// does not generate keys; reading the stored rows back when `returning`.
    pub fn new(rows: &'a [E], with_key: bool, returning: bool) -> Self {
        Insert {
            rows,
            columns: match generated_key::<E>() {
                Some(key) if !with_key => ColumnSet::all::<E>().without(key),
                _ => ColumnSet::all::<E>(),
            },
            returning,
            _id: PhantomData,
        }
    }
}

impl<E: Entity, Id> Query for Insert<'_, E, Id> {
    type SqlType = E::SqlRow;
}

impl<E: Entity, Id: StatementId, DB: RowBackend> QueryFragment<DB> for Insert<'_, E, Id> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        if !Id::STATIC {
            // One statement per batch size: not worth keeping prepared (Diesel does the same).
            out.unsafe_to_cache_prepared();
        }
        out.push_sql("INSERT INTO ");
        out.push_identifier(E::TABLE_NAME)?;
        // Never empty: the derive refuses an entity with nothing besides a generated key.
        out.push_sql(" (");
        push_columns::<E, DB>(&mut out, self.columns)?;
        out.push_sql(") VALUES ");
        for (i, row) in self.rows.iter().enumerate() {
            out.push_sql(if i == 0 { "(" } else { ", (" });
            push_values(&mut out, row, self.columns)?;
            out.push_sql(")");
        }
        if self.returning {
            out.push_sql(" RETURNING ");
            push_columns::<E, DB>(&mut out, ColumnSet::all::<E>())?;
        }
        Ok(())
    }
}

/// `UPDATE <table> SET <column> = ?, … [, <version> = <version> + 1] WHERE <key> = ?
/// [AND <version> = ?]`: the columns given, from `row`, on the row `filter` names.
pub struct Update<'a, E: Entity, Id = Dynamic> {
    row: &'a E,
    columns: ColumnSet,
    filter: Filter<'a, E>,
    _id: PhantomData<Id>,
}

statement!(Update);

impl<'a, E: Entity, Id> Update<'a, E, Id> {
    /// Writes `columns` of `row` (and moves the version on) where `filter` says.
    pub fn new(row: &'a E, columns: ColumnSet, filter: Filter<'a, E>) -> Self {
        Update {
            row,
            columns,
            filter,
            _id: PhantomData,
        }
    }
}

impl<'a, E, Id, DB> QueryFragment<DB> for Update<'a, E, Id>
where
    E: Entity,
    DB: RowBackend,
    Condition<'a, E::Table>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE ");
        out.push_identifier(E::TABLE_NAME)?;
        out.push_sql(" SET ");
        let mut first = true;
        for (index, column) in E::META.columns.iter().enumerate() {
            if !self.columns.contains(index) {
                continue;
            }
            if !std::mem::take(&mut first) {
                out.push_sql(", ");
            }
            out.push_identifier(&column.name)?;
            out.push_sql(" = ");
            DB::bind(self.row.__value(index), &mut out)?;
        }
        if let Some(version) = E::VERSION_COLUMN {
            if !first {
                out.push_sql(", ");
            }
            let name = &E::META.columns[version].name;
            out.push_identifier(name)?;
            out.push_sql(" = ");
            out.push_identifier(name)?;
            out.push_sql(" + 1");
        }
        self.filter.walk_ast(&mut out)
    }
}

/// `DELETE FROM <table> [WHERE …]`.
pub struct Delete<'a, E: Entity, Id = Dynamic> {
    filter: Filter<'a, E>,
    _id: PhantomData<Id>,
}

statement!(Delete);

impl<'a, E: Entity, Id> Delete<'a, E, Id> {
    /// Deletes the rows `filter` keeps.
    pub fn new(filter: Filter<'a, E>) -> Self {
        Delete {
            filter,
            _id: PhantomData,
        }
    }
}

impl<'a, E, Id, DB> QueryFragment<DB> for Delete<'a, E, Id>
where
    E: Entity,
    DB: RowBackend,
    Condition<'a, E::Table>: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("DELETE FROM ");
        out.push_identifier(E::TABLE_NAME)?;
        self.filter.walk_ast(&mut out)
    }
}

/// The quoted names of `columns`, comma-separated.
fn push_columns<E: Entity, DB: RowBackend>(
    out: &mut AstPass<'_, '_, DB>,
    columns: ColumnSet,
) -> QueryResult<()> {
    let mut first = true;
    for (index, column) in E::META.columns.iter().enumerate() {
        if columns.contains(index) {
            if !std::mem::take(&mut first) {
                out.push_sql(", ");
            }
            out.push_identifier(&column.name)?;
        }
    }
    Ok(())
}

/// A placeholder per column of `columns`, bound to the values of `row`.
fn push_values<'b, E: Entity, DB: RowBackend>(
    out: &mut AstPass<'_, 'b, DB>,
    row: &'b E,
    columns: ColumnSet,
) -> QueryResult<()> {
    let mut first = true;
    for index in 0..E::META.columns.len() {
        if columns.contains(index) {
            if !std::mem::take(&mut first) {
                out.push_sql(", ");
            }
            DB::bind(row.__value(index), out)?;
        }
    }
    Ok(())
}
