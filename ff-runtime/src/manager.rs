//! The entity manager: an identity map and a unit of work over one connection.

mod managed;
mod unit;

use std::any::TypeId;
use std::collections::BTreeMap;

use crate::connection::Connection;
use crate::ddl;
use crate::entity::Entity;
use crate::error::{Error, Result, query_error};
use crate::join::{JoinFrom, JoinQuery, Joined, JoinedRows, ManagedJoin, RowSqlType};
use crate::query::Query;
use crate::relation::BelongsTo;
use crate::session::{Session, catch_unwind, finished, in_transaction};
pub use managed::Managed;
use unit::{Flush, Unit, not_managed};

/// Rows loaded with their parents ([`EntityManager::load_with`]), each one managed.
type ManagedRows<E, J> = Vec<(Managed<E>, <J as ManagedJoin>::Managed)>;

/// The unit of work of each entity type used so far, by type.
type Units<C> = BTreeMap<TypeId, Box<dyn Flush<C>>>;

/// Tracks entities loaded through it and writes their changes in one flush.
///
/// * **Identity map**: finding the same row twice gives the same [`Managed`] instance, and the
///   second find runs no query.
/// * **Unit of work**: [`persist`](Self::persist) and [`remove`](Self::remove) schedule
///   inserts and deletes; changes to managed entities are found by comparing them with their
///   state as loaded. [`flush`](Self::flush) writes everything in one transaction: inserts
///   batched per table (parents before children, rows in persist order), an UPDATE naming only
///   the changed columns for each changed entity, and deletes (children before parents).
///   Unchanged entities cost no statement.
/// * **Deterministic order**: a flush writes the UPDATEs and DELETEs of each table in the order
///   of the key (its `Ord`; tables in the order above, then by name), so two managers flushing
///   overlapping rows at once lock them in the same order and cannot deadlock each other.
///   Keys must therefore be `Ord`.
/// * **Optimistic locking**: an entity with a `#[ff(version)]` field is updated (and the version
///   moves on) or deleted only if the row still has the version it was loaded with; otherwise
///   the flush fails with [`Error::StaleEntity`] and writes nothing.
/// * **Hooks and validation**: [`Lifecycle`](crate::Lifecycle) hooks and `#[ff(validate)]`
///   rules run before anything is written.
/// * **Sync or async**: on a [`Connection`] (the default) the methods that talk to the
///   database answer with a `Result`; on an [`AsyncConnection`](crate::AsyncConnection)
///   ([`AsyncEntityManager`]) the same methods answer with a future to `.await` (see
///   [`Session`]).
///
/// ```
/// use ff_runtime::prelude::*;
///
/// #[derive(Entity, Debug, Clone, PartialEq)]
/// pub struct Product {
///     pub id: i32,
///     pub name: String,
///     pub price: f64,
/// }
///
/// let mut conn = Connection::establish(":memory:")?;
/// conn.create_tables(&[Product::META])?;
/// let mut em = EntityManager::new(conn);
///
/// let lamp = em.persist(Product { id: 0, name: "Lamp".into(), price: 20.0 });
/// em.flush()?; // INSERT … RETURNING: the key is now known
/// let id = lamp.borrow().id;
///
/// let found = em.find::<Product>(&id)?.expect("just inserted");
/// assert!(Managed::ptr_eq(&found, &lamp)); // the same instance, no query
///
/// found.borrow_mut().price = 25.0;
/// em.flush()?; // UPDATE product SET price = ? WHERE id = ?
///
/// em.remove(&found)?;
/// em.flush()?;
/// assert!(em.find::<Product>(&id)?.is_none());
/// # Ok::<(), ff_runtime::Error>(())
/// ```
pub struct EntityManager<C = Connection> {
    conn: C,
    units: Units<C>,
}

/// An [`EntityManager`] on an [`AsyncConnection`](crate::AsyncConnection): the same methods,
/// answering with futures, and an async [`transaction`](EntityManager::transaction).
#[cfg(feature = "async")]
pub type AsyncEntityManager = EntityManager<crate::AsyncConnection>;

impl<C: std::fmt::Debug> std::fmt::Debug for EntityManager<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntityManager")
            .field("conn", &self.conn)
            .field("entity_types", &self.units.len())
            .finish()
    }
}

impl EntityManager {
    /// A manager on a connection to `DATABASE_URL` (environment or `.env`).
    pub fn from_env() -> Result<Self> {
        Ok(EntityManager::new(Connection::from_env()?))
    }
}

impl<C: Session + 'static> EntityManager<C> {
    /// A manager working on `conn`, with nothing managed yet.
    pub fn new(conn: C) -> Self {
        EntityManager {
            conn,
            units: BTreeMap::new(),
        }
    }

    /// The connection, for repositories, queries and Diesel. Writes made through it are not
    /// seen by the identity map.
    pub fn connection(&mut self) -> &mut C {
        &mut self.conn
    }

    /// Gives the connection back; unflushed changes are dropped.
    pub fn into_connection(self) -> C {
        self.conn
    }

    /// The managed entity with this key: from the identity map without a query when it is
    /// managed already, else loaded (and its `after_load` hook run). `None` if there is no
    /// such row or it was removed in this manager.
    pub fn find<'q, E: Entity + Clone>(
        &'q mut self,
        key: &'q E::Key,
    ) -> C::Answer<'q, Option<Managed<E>>> {
        C::answer(async move {
            if let Some(known) = self.unit::<E>().get(key) {
                return Ok(known);
            }
            let row = crate::rows::find::<E, _>(&mut self.conn, key)
                .await
                .map_err(query_error::<E>)?;
            Ok(row.and_then(|row| self.unit::<E>().register(row)))
        })
    }

    /// The rows of `query`, managed. A row managed already comes back as its managed
    /// instance, unflushed changes included; rows removed in this manager are left out.
    pub fn load<'q, 'a: 'q, E: Entity + Clone>(
        &'q mut self,
        query: Query<'a, E>,
    ) -> C::Answer<'q, Vec<Managed<E>>> {
        C::answer(async move {
            let rows = query.rows(&mut self.conn).await?;
            let unit = self.unit::<E>();
            Ok(rows
                .into_iter()
                .filter_map(|row| unit.register(row))
                .collect())
        })
    }

    /// The rows of a join query ([`Query::with`]), managed: each row and each parent loaded
    /// with it comes back as its managed instance, the instances managed already winning as in
    /// [`load`](Self::load). Rows whose entity or one of whose parents was removed in this
    /// manager are left out.
    ///
    /// ```
    /// # use ff_runtime::prelude::*;
    /// # #[derive(Entity, Debug, Clone)]
    /// # #[ff(table = "authors")]
    /// # pub struct Author { pub id: i32, pub name: String }
    /// # #[derive(Entity, Debug, Clone)]
    /// # pub struct Book { pub id: i32, #[ff(belongs_to = Author)] pub author_id: i32 }
    /// # let mut conn = Connection::establish(":memory:")?;
    /// # conn.create_tables(&[Author::META, Book::META])?;
    /// let mut em = EntityManager::new(conn);
    /// let author = em.persist(Author { id: 0, name: "Ursula".into() });
    /// em.flush()?;
    /// for _ in 0..2 {
    ///     let book = em.persist(Book { id: 0, author_id: 0 });
    ///     em.set_parent(&book, &author);
    /// }
    /// em.flush()?;
    /// let books = em.load_with(Book::query().with(book::author_id))?;
    /// assert_eq!(books.len(), 2);
    /// assert!(books.iter().all(|(_, a)| Managed::ptr_eq(a, &author)));
    /// # Ok::<(), ff_runtime::Error>(())
    /// ```
    pub fn load_with<'q, 'a: 'q, E, J>(
        &'q mut self,
        query: JoinQuery<'a, E, J>,
    ) -> C::Answer<'q, ManagedRows<E, J>>
    where
        E: Entity + Clone,
        J: JoinFrom<E::Table> + ManagedJoin + 'q,
        J::Managed: Send,
        Joined<E, J>: JoinedRows<(RowSqlType<E>, J::SqlType)> + Send,
    {
        C::answer(async move {
            let rows = query.rows(&mut self.conn).await?;
            Ok(rows
                .into_iter()
                .filter_map(|(row, parents)| {
                    let row = self.manage(row)?;
                    Some((row, J::manage(parents, self)?))
                })
                .collect())
        })
    }

    /// Manages a row just loaded (see [`load`](Self::load)): its managed instance, `None` for
    /// a row removed in this manager.
    pub(crate) fn manage<E: Entity + Clone>(&mut self, row: E) -> Option<Managed<E>> {
        self.unit::<E>().register(row)
    }

    /// Schedules the insertion of `entity` at the next flush and manages it from now on.
    /// Its generated key and database defaults are filled in by the flush.
    pub fn persist<E: Entity + Clone>(&mut self, entity: E) -> Managed<E> {
        let managed = Managed::new(entity);
        self.unit::<E>().persist(managed.clone());
        managed
    }

    /// Makes `child` refer to `parent` through its `#[ff(belongs_to = P)]` foreign key. When
    /// the parent is new and its key is generated, the key is set at the next flush, right
    /// after the parent's INSERT, so a parent and its children can be persisted and flushed
    /// together.
    ///
    /// ```
    /// # use ff_runtime::prelude::*;
    /// # #[derive(Entity, Debug, Clone)]
    /// # #[ff(table = "authors")]
    /// # pub struct Author { pub id: i32, pub name: String }
    /// # #[derive(Entity, Debug, Clone)]
    /// # pub struct Book { pub id: i32, #[ff(belongs_to = Author)] pub author_id: i32, pub title: String }
    /// # let mut conn = Connection::establish(":memory:")?;
    /// # conn.create_tables(&[Author::META, Book::META])?;
    /// let mut em = EntityManager::new(conn);
    /// let book = em.persist(Book { id: 0, author_id: 0, title: "Dune".into() });
    /// let author = em.persist(Author { id: 0, name: "Frank Herbert".into() });
    /// em.set_parent(&book, &author);
    /// em.flush()?; // INSERT the author, then the book with the author's new key
    /// assert_eq!(book.borrow().author_id, author.borrow().id);
    /// # Ok::<(), ff_runtime::Error>(())
    /// ```
    ///
    /// A new row cannot refer to a new row of its own table in one flush (they are inserted
    /// in one statement): the flush then fails with [`Error::UnsavedParent`]; flush the parent
    /// first.
    pub fn set_parent<Child, P>(&mut self, child: &Managed<Child>, parent: &Managed<P>)
    where
        Child: BelongsTo<P> + Clone,
        P: Entity,
    {
        if !parent.borrow().__key_is_unset() {
            child.borrow_mut().set_parent(&parent.borrow());
            return;
        }
        let parent = parent.clone();
        self.unit::<Child>().link(
            child.clone(),
            Box::new(move |child: &mut Child| {
                let parent = parent.borrow();
                if parent.__key_is_unset() {
                    return Err(Error::UnsavedParent {
                        table: Child::TABLE_NAME.to_owned(),
                        parent: P::TABLE_NAME.to_owned(),
                    });
                }
                child.set_parent(&parent);
                Ok(())
            }),
        );
    }

    /// Schedules the deletion of a managed entity at the next flush (a persisted entity not
    /// flushed yet is simply forgotten). [`Error::NotManaged`] if this manager does not track
    /// it.
    pub fn remove<E: Entity + Clone>(&mut self, entity: &Managed<E>) -> Result<()> {
        if self.unit::<E>().remove(entity) {
            Ok(())
        } else {
            Err(not_managed::<E>())
        }
    }

    /// Reloads a managed entity from the database, dropping its unflushed changes. Returns
    /// false, and stops managing it, when its row no longer exists.
    pub fn refresh<'q, E: Entity + Clone>(
        &'q mut self,
        entity: &'q Managed<E>,
    ) -> C::Answer<'q, bool> {
        C::answer(async move {
            let EntityManager { conn, units } = self;
            unit_of::<E, C>(units).refresh(conn, entity).await
        })
    }

    /// Stops managing `entity`: its later changes are not flushed, and a find loads a new
    /// instance. Returns whether it was managed.
    pub fn detach<E: Entity + Clone>(&mut self, entity: &Managed<E>) -> bool {
        self.unit::<E>().detach(entity)
    }

    /// Whether `entity` is managed (new or loaded, and not removed) by this manager.
    pub fn contains<E: Entity + Clone>(&mut self, entity: &Managed<E>) -> bool {
        self.unit::<E>().contains(entity)
    }

    /// Stops managing everything; unflushed changes are dropped.
    pub fn clear(&mut self) {
        self.units.clear();
    }

    /// Writes every pending change in one transaction (a savepoint inside
    /// [`transaction`](Self::transaction)): hooks and validation first, then inserts (parents
    /// first), updates, and deletes (children first), the updates and deletes of each table in
    /// key order. On error nothing is written, the pending
    /// changes stay pending and the entities get back the values they had before the flush
    /// (what hooks changed, generated keys), so the flush can be retried.
    pub fn flush(&mut self) -> C::Answer<'_, ()> {
        C::answer(self.write_pending())
    }

    /// What [`flush`](Self::flush) does.
    async fn write_pending(&mut self) -> Result<()> {
        let order = self.flush_order();
        let EntityManager { conn, units } = self;
        let mut work = false;
        let backend = conn.backend();
        let prepared = order.iter().try_for_each(|t| {
            work |= unit(units, t).prepare(backend)?;
            Ok(())
        });
        let written = match prepared {
            Ok(()) if !work => Ok(()),
            Ok(()) => {
                in_transaction(conn, async |conn| {
                    for t in &order {
                        unit(units, t).insert(conn).await?;
                    }
                    for t in &order {
                        unit(units, t).update(conn).await?;
                    }
                    for t in order.iter().rev() {
                        unit(units, t).delete(conn).await?;
                    }
                    Ok(())
                })
                .await
            }
            Err(error) => Err(error),
        };
        for unit in units.values_mut() {
            match written {
                Ok(()) => unit.commit(),
                Err(_) => unit.abort(),
            }
        }
        written
    }

    /// What `transaction` does on either kind of connection: flush, begin, `work`, flush,
    /// commit; roll back and clear the manager on `Err` or panic.
    async fn run_transaction<T, E>(
        &mut self,
        work: impl AsyncFnOnce(&mut Self) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<Error>,
    {
        self.write_pending().await?;
        self.conn.begin().await.map_err(Error::from)?;
        let outcome = catch_unwind(async {
            let value = work(&mut *self).await?;
            self.write_pending().await?;
            Ok::<T, E>(value)
        })
        .await;
        match outcome {
            Ok(Ok(value)) => {
                if let Err(error) = self.conn.commit().await {
                    self.clear();
                    return Err(Error::from(error).into());
                }
                Ok(value)
            }
            Ok(Err(error)) => {
                self.clear();
                self.conn.rollback().await.map_err(Error::from)?;
                Err(error)
            }
            Err(panic) => {
                self.clear();
                // The panic is what the caller must see; a failed rollback adds nothing to it.
                let _ = self.conn.rollback().await;
                std::panic::resume_unwind(panic)
            }
        }
    }

    fn unit<E: Entity + Clone>(&mut self) -> &mut Unit<E> {
        unit_of::<E, C>(&mut self.units)
    }

    /// The entity types, parents before the children that refer to them and otherwise by table
    /// name: the same order in every manager, whatever order the types were first used in.
    fn flush_order(&self) -> Vec<TypeId> {
        let mut types: Vec<_> = self
            .units
            .iter()
            .map(|(type_id, unit)| (unit.meta(), *type_id))
            .collect();
        types.sort_unstable_by(|a, b| a.0.name.cmp(&b.0.name));
        let metas: Vec<_> = types.iter().map(|(meta, _)| *meta).collect();
        // Each table comes back once; two types on one table take one place each.
        ddl::creation_order(&metas)
            .into_iter()
            .map(|meta| {
                let at = types
                    .iter()
                    .position(|(named, _)| named.name == meta.name)
                    .expect("the creation order names the tables it was given");
                types.swap_remove(at).1
            })
            .collect()
    }
}

/// The `transaction` of managers on synchronous connections.
macro_rules! sync_transaction {
    ($($connection:ty),+) => {$(
        impl EntityManager<$connection> {
            /// Runs `work` in a transaction and flushes before committing: committed when
            /// `work` returns `Ok`, rolled back when it returns `Err` or panics (the panic then
            /// goes on). Pending changes are flushed before the transaction begins, so a nested
            /// call works in a savepoint whose rollback keeps the outer work. After a rollback
            /// the manager is cleared: instances it handed out are no longer managed, since
            /// they may hold values the database no longer has.
            ///
            /// ```
            /// # use ff_runtime::prelude::*;
            /// # #[derive(Entity, Debug, Clone)]
            /// # pub struct Account { pub id: i32, pub balance: i64 }
            /// # let mut conn = Connection::establish(":memory:")?;
            /// # conn.create_tables(&[Account::META])?;
            /// let mut em = EntityManager::new(conn);
            /// let failed: Result<(), Error> = em.transaction(|em| {
            ///     em.persist(Account { id: 0, balance: 100 });
            ///     em.flush()?;
            ///     Err(Error::Rejected("insufficient funds".into()))
            /// });
            /// assert!(failed.is_err());
            /// assert_eq!(Account::query().count(em.connection())?, 0); // rolled back
            /// # Ok::<(), ff_runtime::Error>(())
            /// ```
            pub fn transaction<T, E>(
                &mut self,
                work: impl FnOnce(&mut Self) -> std::result::Result<T, E>,
            ) -> std::result::Result<T, E>
            where
                E: From<Error>,
            {
                finished(self.run_transaction(async |em| work(em)))
            }
        }
    )+};
}

sync_transaction!(Connection, crate::PooledConnection);

/// The `transaction` of managers on asynchronous connections.
#[cfg(feature = "async")]
macro_rules! async_transaction {
    ($($connection:ty),+) => {$(
        impl EntityManager<$connection> {
            /// Runs `work` in a transaction and flushes before committing, as the synchronous
            /// `transaction` does: committed when `work` returns `Ok`, rolled back when it
            /// returns `Err` or panics (the panic then goes on), nested calls in savepoints,
            /// and the manager cleared after a rollback.
            ///
            /// ```
            /// # use ff_runtime::prelude::*;
            /// # use ff_runtime::AsyncEntityManager;
            /// # #[derive(Entity, Debug, Clone)]
            /// # pub struct Account { pub id: i32, pub balance: i64 }
            /// # async fn example(em: &mut AsyncEntityManager) -> Result<(), Error> {
            /// let failed: Result<(), Error> = em
            ///     .transaction(async |em| {
            ///         em.persist(Account { id: 0, balance: 100 });
            ///         em.flush().await?;
            ///         Err(Error::Rejected("insufficient funds".into()))
            ///     })
            ///     .await;
            /// assert!(failed.is_err());
            /// assert_eq!(Account::query().count(em.connection()).await?, 0); // rolled back
            /// # Ok(())
            /// # }
            /// ```
            pub async fn transaction<T, E>(
                &mut self,
                work: impl AsyncFnOnce(&mut Self) -> std::result::Result<T, E>,
            ) -> std::result::Result<T, E>
            where
                E: From<Error>,
            {
                self.run_transaction(work).await
            }
        }
    )+};
}

#[cfg(feature = "async")]
async_transaction!(crate::AsyncConnection, crate::AsyncPooledConnection);

/// The unit of an entity type that the flush order names.
fn unit<'u, C>(units: &'u mut Units<C>, type_id: &TypeId) -> &'u mut dyn Flush<C> {
    units
        .get_mut(type_id)
        .expect("the flush order names existing units")
        .as_mut()
}

/// The unit of entity type `E`, made on first use.
fn unit_of<E: Entity + Clone, C: Session + 'static>(units: &mut Units<C>) -> &mut Unit<E> {
    units
        .entry(TypeId::of::<E>())
        .or_insert_with(|| Box::new(Unit::<E>::new()))
        .as_any()
        .downcast_mut::<Unit<E>>()
        .expect("units are keyed by their entity type")
}
