//! Repositories: the Doctrine/Framefox surface for reading and writing one entity.

use std::marker::PhantomData;

use crate::connection::Connection;
use crate::criteria::{IntoCriteria, IntoOrderBy};
use crate::dialect::Backend;
use crate::entity::Entity;
use crate::error::{Error, Result, not_found, query_error};
use crate::rows;
use crate::session::{Session, in_transaction};

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
pub struct Repository<'c, E, C = Connection> {
    conn: &'c mut C,
    _entity: PhantomData<fn() -> E>,
}

/// A [`Repository`] on an [`AsyncConnection`](crate::AsyncConnection): the same methods,
/// answering with futures.
#[cfg(feature = "async")]
pub type AsyncRepository<'c, E> = Repository<'c, E, crate::AsyncConnection>;

impl<'c, E: Entity, C: Session> Repository<'c, E, C> {
    /// A repository of `E` on `conn`.
    pub fn new(conn: &'c mut C) -> Self {
        Repository {
            conn,
            _entity: PhantomData,
        }
    }

    /// The connection the repository works on.
    pub fn connection(&mut self) -> &mut C {
        self.conn
    }

    /// The row with this primary key.
    pub fn find<'q>(&'q mut self, key: &'q E::Key) -> C::Answer<'q, Option<E>> {
        C::answer(find(self.conn, key))
    }

    /// Every row, in the database's order.
    pub fn find_all(&mut self) -> C::Answer<'_, Vec<E>> {
        E::query().load(self.conn)
    }

    /// The rows matching `criteria`, sorted by `order_by`, at most `limit` of them after
    /// skipping `offset`. Pass [`Criteria::all()`](crate::Criteria::all) for every row and
    /// [`OrderBy::none()`] for no particular order.
    pub fn find_by<'q, 'a: 'q>(
        &'q mut self,
        criteria: impl IntoCriteria<'a, E::Table>,
        order_by: impl IntoOrderBy<'a, E::Table>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> C::Answer<'q, Vec<E>> {
        let mut query = E::query().filter(criteria).order_by(order_by);
        query = match limit {
            Some(limit) => query.limit(limit),
            None => query,
        };
        query = match offset {
            Some(offset) => query.offset(offset),
            None => query,
        };
        query.load(self.conn)
    }

    /// The first row matching `criteria`, if any.
    pub fn find_one_by<'q, 'a: 'q>(
        &'q mut self,
        criteria: impl IntoCriteria<'a, E::Table>,
    ) -> C::Answer<'q, Option<E>> {
        E::query().filter(criteria).first(self.conn)
    }

    /// The number of rows matching `criteria`.
    pub fn count<'q, 'a: 'q>(
        &'q mut self,
        criteria: impl IntoCriteria<'a, E::Table>,
    ) -> C::Answer<'q, i64> {
        E::query().filter(criteria).count(self.conn)
    }

    /// Inserts a row and returns it as stored, with its generated key and database defaults.
    pub fn insert<'q>(&'q mut self, entity: &'q E) -> C::Answer<'q, E> {
        let conn = &mut *self.conn;
        C::answer(async move {
            entity.check_writable(conn.backend())?;
            rows::insert(conn, entity).await.map_err(query_error::<E>)
        })
    }

    /// Inserts rows with multi-row INSERT statements, as many rows per statement as the
    /// backend's bind-parameter limit allows, all in one transaction. Returns the row count.
    pub fn insert_many<'q>(&'q mut self, entities: &'q [E]) -> C::Answer<'q, usize> {
        let conn = &mut *self.conn;
        C::answer(async move {
            check_writable(conn.backend(), entities)?;
            rows::insert_many(conn, entities)
                .await
                .map_err(query_error::<E>)
        })
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
    pub fn insert_many_returning<'q>(&'q mut self, entities: &'q [E]) -> C::Answer<'q, Vec<E>> {
        let conn = &mut *self.conn;
        C::answer(async move {
            check_writable(conn.backend(), entities)?;
            in_transaction(conn, async |conn: &mut C| {
                rows::insert_returning(conn, entities).await
            })
            .await
            .map_err(query_error::<E>)
        })
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
    pub fn insert_with_keys<'q>(&'q mut self, entities: &'q [E]) -> C::Answer<'q, usize> {
        let conn = &mut *self.conn;
        C::answer(async move {
            check_writable(conn.backend(), entities)?;
            rows::insert_with_keys(conn, entities)
                .await
                .map_err(query_error::<E>)
        })
    }

    /// Writes every column of the row with the entity's key; [`Error::NotFound`] if none has it.
    /// With a `#[ff(version)]` field the row must still have the entity's version, which moves
    /// on by one ([`Error::StaleEntity`] otherwise); reload the entity (or use
    /// [`save`](Self::save), which returns it as stored) before updating it again.
    pub fn update<'q>(&'q mut self, entity: &'q E) -> C::Answer<'q, ()> {
        let conn = &mut *self.conn;
        C::answer(async move {
            entity.check_writable(conn.backend())?;
            match rows::update(conn, entity).await.map_err(query_error::<E>)? {
                0 => Err(missing(conn, entity).await?),
                _ => Ok(()),
            }
        })
    }

    /// Inserts the entity if it is new (a generated key still zero, or no row with its key),
    /// updates it otherwise, and returns it as stored.
    pub fn save<'q>(&'q mut self, entity: &'q E) -> C::Answer<'q, E> {
        let conn = &mut *self.conn;
        C::answer(async move {
            entity.check_writable(conn.backend())?;
            if !entity.__key_is_unset() {
                let updated = rows::update(conn, entity).await.map_err(query_error::<E>)?;
                if updated > 0 {
                    return find(conn, entity.key()).await?.ok_or_else(not_found::<E>);
                }
                if let error @ Error::StaleEntity { .. } = missing(conn, entity).await? {
                    return Err(error);
                }
            }
            rows::insert(conn, entity).await.map_err(query_error::<E>)
        })
    }

    /// Deletes the row with the entity's key; [`Error::NotFound`] if none has it. With a
    /// `#[ff(version)]` field the row must still have the entity's version
    /// ([`Error::StaleEntity`] otherwise).
    pub fn delete<'q>(&'q mut self, entity: &'q E) -> C::Answer<'q, ()> {
        let conn = &mut *self.conn;
        C::answer(async move {
            match rows::delete(conn, entity).await.map_err(query_error::<E>)? {
                0 => Err(missing(conn, entity).await?),
                _ => Ok(()),
            }
        })
    }

    /// Deletes the rows matching `criteria` and returns how many there were.
    pub fn delete_by<'q, 'a: 'q>(
        &'q mut self,
        criteria: impl IntoCriteria<'a, E::Table>,
    ) -> C::Answer<'q, usize> {
        E::query().filter(criteria).delete(self.conn)
    }
}

/// The row of `E` with this key.
async fn find<E: Entity, C: Session>(conn: &mut C, key: &E::Key) -> Result<Option<E>> {
    rows::find::<E, C>(conn, key)
        .await
        .map_err(query_error::<E>)
}

/// Checks each entity before a write: its validation rules, declared lengths, and that every
/// value can be stored on `backend`.
fn check_writable<E: Entity>(backend: Backend, entities: &[E]) -> Result<()> {
    entities
        .iter()
        .try_for_each(|entity| entity.check_writable(backend))
}

/// Why an UPDATE or DELETE touched no row: the row is gone, or its version moved on.
async fn missing<E: Entity, C: Session>(conn: &mut C, entity: &E) -> Result<Error> {
    if E::VERSIONED && find::<E, C>(conn, entity.key()).await?.is_some() {
        return Ok(Error::StaleEntity {
            table: E::TABLE_NAME.to_owned(),
            key: format!("{:?}", entity.key()),
        });
    }
    Ok(not_found::<E>())
}
