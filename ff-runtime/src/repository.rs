//! Repositories: the Doctrine/Framefox surface for reading and writing one entity.

use std::marker::PhantomData;

use crate::connection::Connection;
use crate::criteria::{IntoCriteria, IntoOrderBy, OrderBy};
use crate::entity::Entity;
use crate::error::{Error, Result, not_found, query_error};
use crate::query::Query;
use crate::rows;

/// Reads and writes entities of type `E` on a connection.
///
/// Criteria and orderings are Diesel expressions on the entity's generated table module, so
/// column names and value types are checked by the compiler and values are bound parameters.
///
/// ```
/// use ff_runtime::prelude::*;
///
/// #[derive(Entity, Debug, Clone, PartialEq)]
/// pub struct Tag {
///     pub id: i32,
///     #[ff(unique, length = 50)]
///     pub name: String,
/// }
///
/// let mut conn = Connection::establish(":memory:")?;
/// conn.create_tables(&[Tag::META])?;
/// let mut tags = Repository::<Tag>::new(&mut conn);
/// let rust = tags.insert(&Tag { id: 0, name: "rust".into() })?;
/// tags.insert_many(&[Tag { id: 0, name: "orm".into() }, Tag { id: 0, name: "sql".into() }])?;
///
/// assert_eq!(tags.find(&rust.id)?, Some(rust.clone()));
/// let some = tags.find_by(tag::name.ne("sql"), tag::name.desc(), Some(10), None)?;
/// assert_eq!(some.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["rust", "orm"]);
/// assert_eq!(tags.count(tag::name.like("%r%"))?, 2);
/// # Ok::<(), ff_runtime::Error>(())
/// ```
pub struct Repository<'c, E> {
    conn: &'c mut Connection,
    _entity: PhantomData<fn() -> E>,
}

impl<'c, E: Entity> Repository<'c, E> {
    /// A repository of `E` on `conn`.
    pub fn new(conn: &'c mut Connection) -> Self {
        Repository {
            conn,
            _entity: PhantomData,
        }
    }

    /// The connection the repository works on.
    pub fn connection(&mut self) -> &mut Connection {
        self.conn
    }

    /// The row with this primary key.
    pub fn find(&mut self, key: &E::Key) -> Result<Option<E>> {
        rows::find::<E>(self.conn, key).map_err(query_error::<E>)
    }

    /// Every row, in the database's order.
    pub fn find_all(&mut self) -> Result<Vec<E>> {
        self.find_by(crate::Criteria::all(), OrderBy::none(), None, None)
    }

    /// The rows matching `criteria`, sorted by `order_by`, at most `limit` of them after
    /// skipping `offset`. Pass [`Criteria::all()`](crate::Criteria::all) for every row and
    /// [`OrderBy::none()`] for no particular order.
    pub fn find_by<'a>(
        &mut self,
        criteria: impl IntoCriteria<'a, E::Table>,
        order_by: impl IntoOrderBy<'a, E::Table>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> Result<Vec<E>> {
        crate::query::check_window(limit, offset)?;
        rows::find_by::<E>(
            self.conn,
            criteria.into_criteria().into_condition(),
            order_by.into_order_by().into_orderings(),
            limit,
            offset,
        )
        .map_err(query_error::<E>)
    }

    /// The first row matching `criteria`, if any.
    pub fn find_one_by<'a>(
        &mut self,
        criteria: impl IntoCriteria<'a, E::Table>,
    ) -> Result<Option<E>> {
        let mut rows = self.find_by(criteria, OrderBy::none(), Some(1), None)?;
        Ok(rows.pop())
    }

    /// The number of rows matching `criteria`.
    pub fn count<'a>(&mut self, criteria: impl IntoCriteria<'a, E::Table>) -> Result<i64> {
        Query::<E>::new().filter(criteria).count(self.conn)
    }

    /// Inserts a row and returns it as stored, with its generated key and database defaults.
    pub fn insert(&mut self, entity: &E) -> Result<E> {
        entity.check_writable(self.conn.backend())?;
        rows::insert(self.conn, entity).map_err(query_error::<E>)
    }

    /// Inserts rows with multi-row INSERT statements, as many rows per statement as the
    /// backend's bind-parameter limit allows, all in one transaction. Returns the row count.
    pub fn insert_many(&mut self, entities: &[E]) -> Result<usize> {
        self.check_writable(entities)?;
        rows::insert_many(self.conn, entities).map_err(query_error::<E>)
    }

    /// Inserts rows like [`insert_many`](Self::insert_many), all in one transaction, and
    /// returns them as stored, in the given order, with their generated keys and database
    /// defaults. On SQLite and PostgreSQL each statement is an `INSERT … RETURNING`, so this
    /// costs no extra round trip; MySQL has no `RETURNING`, so there each statement's rows are
    /// read back by key with one more `SELECT`.
    ///
    /// ```
    /// use ff_runtime::prelude::*;
    /// # #[derive(Entity, Debug, Clone, PartialEq)]
    /// # pub struct Tag { pub id: i32, pub name: String }
    /// # let mut conn = Connection::establish(":memory:")?;
    /// # conn.create_tables(&[Tag::META])?;
    /// let mut tags = Repository::<Tag>::new(&mut conn);
    /// let stored = tags.insert_many_returning(&[Tag { id: 0, name: "rust".into() }, Tag { id: 0, name: "orm".into() }])?;
    /// assert_eq!(stored, [Tag { id: 1, name: "rust".into() }, Tag { id: 2, name: "orm".into() }]);
    /// # Ok::<(), ff_runtime::Error>(())
    /// ```
    pub fn insert_many_returning(&mut self, entities: &[E]) -> Result<Vec<E>> {
        self.check_writable(entities)?;
        self.conn
            .transaction(|conn| rows::insert_returning(conn, entities).map_err(query_error::<E>))
    }

    /// Inserts rows with the keys they carry, also where the database generates keys (fixtures,
    /// rows copied from another database, a restored backup), then moves the key generator
    /// past the largest key so that rows inserted later without a key do not collide. Returns
    /// the row count. ([`insert`](Self::insert) and [`insert_many`](Self::insert_many) let the
    /// database choose generated keys.)
    ///
    /// ```
    /// use ff_runtime::prelude::*;
    /// # #[derive(Entity, Debug, Clone, PartialEq)]
    /// # pub struct Tag { pub id: i32, pub name: String }
    /// # let mut conn = Connection::establish(":memory:")?;
    /// # conn.create_tables(&[Tag::META])?;
    /// let mut tags = Repository::<Tag>::new(&mut conn);
    /// tags.insert_with_keys(&[Tag { id: 40, name: "rust".into() }, Tag { id: 41, name: "orm".into() }])?;
    /// let next = tags.insert(&Tag { id: 0, name: "sql".into() })?;
    /// assert_eq!(next.id, 42);
    /// # Ok::<(), ff_runtime::Error>(())
    /// ```
    pub fn insert_with_keys(&mut self, entities: &[E]) -> Result<usize> {
        self.check_writable(entities)?;
        rows::insert_with_keys(self.conn, entities).map_err(query_error::<E>)
    }

    /// Writes every column of the row with the entity's key; [`Error::NotFound`] if none has it.
    /// With a `#[ff(version)]` field the row must still have the entity's version, which moves
    /// on by one ([`Error::StaleEntity`] otherwise); reload the entity (or use
    /// [`save`](Self::save), which returns it as stored) before updating it again.
    pub fn update(&mut self, entity: &E) -> Result<()> {
        entity.check_writable(self.conn.backend())?;
        match rows::update(self.conn, entity).map_err(query_error::<E>)? {
            0 => Err(self.missing(entity)?),
            _ => Ok(()),
        }
    }

    /// Inserts the entity if it is new (a generated key still zero, or no row with its key),
    /// updates it otherwise, and returns it as stored.
    pub fn save(&mut self, entity: &E) -> Result<E> {
        entity.check_writable(self.conn.backend())?;
        if !entity.__key_is_unset() {
            let updated = rows::update(self.conn, entity).map_err(query_error::<E>)?;
            if updated > 0 {
                return self.find(entity.key())?.ok_or_else(not_found::<E>);
            }
            if let error @ Error::StaleEntity { .. } = self.missing(entity)? {
                return Err(error);
            }
        }
        self.insert(entity)
    }

    /// Checks each entity before a write: its validation rules, declared lengths, and that
    /// every value can be stored on this database.
    fn check_writable(&self, entities: &[E]) -> Result<()> {
        let backend = self.conn.backend();
        entities
            .iter()
            .try_for_each(|entity| entity.check_writable(backend))
    }

    /// Why an UPDATE touched no row: the row is gone, or its version moved on.
    fn missing(&mut self, entity: &E) -> Result<Error> {
        if E::VERSIONED && self.find(entity.key())?.is_some() {
            return Ok(Error::StaleEntity {
                table: E::TABLE_NAME.to_owned(),
                key: format!("{:?}", entity.key()),
            });
        }
        Ok(not_found::<E>())
    }

    /// Deletes the row with the entity's key; [`Error::NotFound`] if none has it. With a
    /// `#[ff(version)]` field the row must still have the entity's version
    /// ([`Error::StaleEntity`] otherwise).
    pub fn delete(&mut self, entity: &E) -> Result<()> {
        match rows::delete(self.conn, entity).map_err(query_error::<E>)? {
            0 => Err(self.missing(entity)?),
            _ => Ok(()),
        }
    }

    /// Deletes the rows matching `criteria` and returns how many there were.
    pub fn delete_by<'a>(&mut self, criteria: impl IntoCriteria<'a, E::Table>) -> Result<usize> {
        Query::<E>::new().filter(criteria).delete(self.conn)
    }
}
