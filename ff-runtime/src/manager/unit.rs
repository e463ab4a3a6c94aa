//! The unit of work of one entity type: its identity map and what the next flush writes.

use std::any::Any;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use crate::dialect::Backend;
use crate::entity::Entity;
use crate::error::{Error, Result, not_found, query_error};
use crate::relation::keys_per_query;
use crate::rows;
use crate::schema::TableDef;
use crate::session::Session;

use super::Managed;

/// A managed entity and its state as last read from or written to the database.
struct Tracked<E> {
    entity: Managed<E>,
    original: E,
    removed: bool,
}

/// Sets the foreign key of an entity once its parent has a key.
pub(super) type Resolve<E> = Box<dyn Fn(&mut E) -> Result<()> + Send + Sync>;

/// An entity and how to set its foreign key.
type Link<E> = (Managed<E>, Resolve<E>);

/// The managed entities of type `E`, the new ones waiting for their INSERT, the links to
/// parents not inserted yet, and the writes of a flush in progress (kept in the identity map
/// once the flush has committed, undone in memory if it fails).
pub(super) struct Unit<E: Entity> {
    /// Ordered by key, so that a flush finds the changed and removed entities in key order
    /// without sorting them.
    identity: BTreeMap<E::Key, Tracked<E>>,
    new: Vec<Managed<E>>,
    links: Vec<Link<E>>,
    /// Found by the flush in progress, in key order: the changed entities and the removed ones.
    dirty: Vec<E::Key>,
    removed: Vec<E::Key>,
    inserted: Vec<E>,
    updated: Vec<E::Key>,
    /// The values entities had before the flush changed them in memory.
    restore: Vec<(Managed<E>, E)>,
}

impl<E: Entity + Clone> Unit<E> {
    pub(super) fn new() -> Self {
        Unit {
            identity: BTreeMap::new(),
            new: Vec::new(),
            links: Vec::new(),
            dirty: Vec::new(),
            removed: Vec::new(),
            inserted: Vec::new(),
            updated: Vec::new(),
            restore: Vec::new(),
        }
    }

    /// Sets the foreign key of `entity` at the next flush, once `resolve` can read its parent's
    /// key (the parent's INSERT comes first).
    pub(super) fn link(&mut self, entity: Managed<E>, resolve: Resolve<E>) {
        self.links.push((entity, resolve));
    }

    /// The managed instance of the row with this key (`None` when not managed or removed,
    /// `Some(None)` when removed).
    pub(super) fn get(&self, key: &E::Key) -> Option<Option<Managed<E>>> {
        self.identity
            .get(key)
            .map(|tracked| (!tracked.removed).then(|| tracked.entity.clone()))
    }

    /// Manages a row just loaded, unless the row is managed already: then the managed instance
    /// (with its unflushed changes) is kept. `None` for a row removed in this unit.
    pub(super) fn register(&mut self, mut row: E) -> Option<Managed<E>> {
        if let Some(known) = self.get(row.key()) {
            return known;
        }
        row.after_load();
        let entity = Managed::new(row.clone());
        self.identity.insert(
            row.key().clone(),
            Tracked {
                entity: entity.clone(),
                original: row,
                removed: false,
            },
        );
        Some(entity)
    }

    pub(super) fn persist(&mut self, entity: Managed<E>) {
        self.new.push(entity);
    }

    /// Whether `entity` is this unit's instance (new or managed, not removed).
    pub(super) fn contains(&self, entity: &Managed<E>) -> bool {
        self.new.iter().any(|new| Managed::ptr_eq(new, entity))
            || self.tracked(entity).is_some_and(|tracked| !tracked.removed)
    }

    fn tracked(&self, entity: &Managed<E>) -> Option<&Tracked<E>> {
        let key = entity.borrow().key().clone();
        self.identity
            .get(&key)
            .filter(|tracked| Managed::ptr_eq(&tracked.entity, entity))
    }

    /// Forgets `entity` if it is new; false when it is not.
    fn forget_new(&mut self, entity: &Managed<E>) -> bool {
        let position = self.new.iter().position(|new| Managed::ptr_eq(new, entity));
        position.map(|i| self.new.remove(i)).is_some()
    }

    /// Schedules the DELETE of a managed entity, or forgets a new one. False when the entity
    /// is not this unit's.
    pub(super) fn remove(&mut self, entity: &Managed<E>) -> bool {
        if self.forget_new(entity) {
            return true;
        }
        let key = entity.borrow().key().clone();
        match self.identity.get_mut(&key) {
            Some(tracked) if Managed::ptr_eq(&tracked.entity, entity) => {
                tracked.removed = true;
                true
            }
            _ => false,
        }
    }

    /// Stops tracking `entity`; false when it was not tracked.
    pub(super) fn detach(&mut self, entity: &Managed<E>) -> bool {
        if self.forget_new(entity) {
            return true;
        }
        let key = entity.borrow().key().clone();
        if self.tracked(entity).is_some() {
            self.identity.remove(&key);
            return true;
        }
        false
    }

    /// Overwrites `entity` (and its snapshot) with the row as stored; false when the row is
    /// gone, and then the entity is no longer managed.
    pub(super) async fn refresh<C: Session>(
        &mut self,
        conn: &mut C,
        entity: &Managed<E>,
    ) -> Result<bool> {
        let key = entity.borrow().key().clone();
        if self.tracked(entity).is_none() {
            return Err(not_managed::<E>());
        }
        let Some(mut row) = rows::find::<E, _>(conn, &key)
            .await
            .map_err(query_error::<E>)?
        else {
            self.identity.remove(&key);
            return Ok(false);
        };
        row.after_load();
        *entity.borrow_mut() = row.clone();
        if let Some(tracked) = self.identity.get_mut(&key) {
            tracked.original = row;
            tracked.removed = false;
        }
        Ok(true)
    }
}

pub(super) fn not_managed<E: Entity>() -> Error {
    Error::NotManaged {
        table: E::TABLE_NAME.to_owned(),
    }
}

/// A write of a flush, boxed so that units of every entity type fit one map.
pub(super) type Write<'a> = Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

/// What the entity manager does with the unit of any entity type during a flush on a `C`.
pub(super) trait Flush<C>: Any + Send {
    fn meta(&self) -> &'static TableDef;
    fn as_any(&mut self) -> &mut dyn Any;
    /// Finds what the flush writes for this type and runs its hooks, validation and storage
    /// checks for `backend`; writes
    /// nothing. Returns whether there is anything to write.
    fn prepare(&mut self, backend: Backend) -> Result<bool>;
    fn insert<'a>(&'a mut self, conn: &'a mut C) -> Write<'a>;
    fn update<'a>(&'a mut self, conn: &'a mut C) -> Write<'a>;
    fn delete<'a>(&'a mut self, conn: &'a mut C) -> Write<'a>;
    /// The flush committed: memory now matches what was written.
    fn commit(&mut self);
    /// The flush failed: forget what it wrote and put back what it changed in memory.
    fn abort(&mut self);
}

impl<E: Entity + Clone, C: Session + 'static> Flush<C> for Unit<E> {
    fn meta(&self) -> &'static TableDef {
        E::META
    }

    fn as_any(&mut self) -> &mut dyn Any {
        self
    }

    fn prepare(&mut self, backend: Backend) -> Result<bool> {
        self.dirty.clear();
        self.removed.clear();
        let restore = &mut self.restore;
        // What a hook changes is put back if the flush fails, so a retry runs it on the
        // values it first saw.
        let mut run_hook = |entity: &Managed<E>, hook: fn(&mut E) -> Result<()>| {
            if E::HAS_HOOKS {
                restore.push((entity.clone(), entity.borrow().clone()));
            }
            let mut entity = entity.borrow_mut();
            hook(&mut entity)?;
            entity.check_writable(backend)
        };
        for entity in &self.new {
            run_hook(entity, E::before_insert)?;
        }
        for (key, tracked) in &self.identity {
            if tracked.removed {
                tracked.entity.borrow().before_delete()?;
                self.removed.push(key.clone());
            } else if E::__has_changes(&tracked.original, &tracked.entity.borrow()) {
                run_hook(&tracked.entity, E::before_update)?;
                self.dirty.push(key.clone());
            }
        }
        Ok(!self.new.is_empty()
            || !self.links.is_empty()
            || !self.dirty.is_empty()
            || !self.removed.is_empty())
    }

    fn insert<'a>(&'a mut self, conn: &'a mut C) -> Write<'a> {
        Box::pin(async move {
            self.restore.reserve(self.links.len() + self.new.len());
            for (entity, resolve) in &self.links {
                self.restore.push((entity.clone(), entity.borrow().clone()));
                resolve(&mut entity.borrow_mut())?;
                // A managed entity linked to a new parent has changed now; it joins the
                // changed ones in key order.
                let key = entity.borrow().key().clone();
                if let Some(tracked) = self.identity.get(&key)
                    && let Err(position) = self.dirty.binary_search(&key)
                    && E::__has_changes(&tracked.original, &entity.borrow())
                {
                    self.dirty.insert(position, key);
                }
            }
            if self.new.is_empty() {
                return Ok(());
            }
            let rows: Vec<E> = self.new.iter().map(|e| e.borrow().clone()).collect();
            self.inserted = insert_new(conn, &rows).await.map_err(query_error::<E>)?;
            // Children inserted later in this flush read their parents' generated keys.
            for ((entity, before), stored) in self.new.iter().zip(rows).zip(&self.inserted) {
                self.restore.push((entity.clone(), before));
                *entity.borrow_mut() = stored.clone();
            }
            Ok(())
        })
    }

    fn update<'a>(&'a mut self, conn: &'a mut C) -> Write<'a> {
        Box::pin(async move {
            for key in &self.dirty {
                let tracked = &self.identity[key];
                // A copy, since the lock cannot be held while the statement runs.
                let current = tracked.entity.borrow().clone();
                let written = rows::update_changes(conn, &tracked.original, &current)
                    .await
                    .map_err(query_error::<E>)?;
                if written == 0 {
                    return Err(gone::<E>(key));
                }
            }
            self.updated = std::mem::take(&mut self.dirty);
            Ok(())
        })
    }

    fn delete<'a>(&'a mut self, conn: &'a mut C) -> Write<'a> {
        Box::pin(async move {
            if E::VERSIONED {
                // Each row goes only if it still has the version it was loaded with.
                for key in &self.removed {
                    let deleted = rows::delete(conn, &self.identity[key].original)
                        .await
                        .map_err(query_error::<E>)?;
                    if deleted == 0 {
                        return Err(gone::<E>(key));
                    }
                }
                return Ok(());
            }
            for chunk in self.removed.chunks(keys_per_query(conn.backend())) {
                rows::delete_keys::<E, _>(conn, chunk)
                    .await
                    .map_err(query_error::<E>)?;
            }
            Ok(())
        })
    }

    fn commit(&mut self) {
        self.links.clear();
        self.restore.clear();
        for (entity, stored) in self.new.drain(..).zip(self.inserted.drain(..)) {
            self.identity.insert(
                stored.key().clone(),
                Tracked {
                    entity,
                    original: stored,
                    removed: false,
                },
            );
        }
        for key in self.updated.drain(..) {
            if let Some(tracked) = self.identity.get_mut(&key) {
                tracked.entity.borrow_mut().__next_version();
                tracked.original = tracked.entity.borrow().clone();
            }
        }
        for key in self.removed.drain(..) {
            self.identity.remove(&key);
        }
        self.dirty.clear();
    }

    fn abort(&mut self) {
        // Undo in reverse, so an entity changed twice gets its first value back.
        for (entity, before) in self.restore.drain(..).rev() {
            *entity.borrow_mut() = before;
        }
        self.inserted.clear();
        self.updated.clear();
        self.dirty.clear();
        self.removed.clear();
    }
}

/// An UPDATE that touched no row: with a version field someone else moved it on, without one
/// the row was deleted.
fn gone<E: Entity>(key: &E::Key) -> Error {
    if E::VERSIONED {
        Error::StaleEntity {
            table: E::TABLE_NAME.to_owned(),
            key: format!("{key:?}"),
        }
    } else {
        not_found::<E>()
    }
}

/// Inserts new rows and returns them as stored, in their order. A generated key left at zero is
/// generated; a row that carries its own key keeps it (written first, so that the key generator
/// moves past it before the other rows take theirs).
async fn insert_new<E: Entity + Clone, C: Session>(
    conn: &mut C,
    rows: &[E],
) -> diesel::QueryResult<Vec<E>> {
    let generated = E::META.primary_key().is_some_and(|key| key.auto_increment);
    if !generated || rows.iter().all(E::__key_is_unset) {
        return rows::insert_returning(conn, rows).await;
    }
    let (fresh, keyed): (Vec<E>, Vec<E>) = rows.iter().cloned().partition(E::__key_is_unset);
    rows::insert_with_keys(conn, &keyed).await?;
    let mut stored_keyed = Vec::with_capacity(keyed.len());
    for chunk in keyed.chunks(keys_per_query(conn.backend())) {
        let keys: Vec<E::Key> = chunk.iter().map(|row| row.key().clone()).collect();
        stored_keyed.extend(rows::find_keys::<E, _>(conn, &keys).await?);
    }
    let mut stored_keyed = rows::in_order_of(stored_keyed, &keyed).into_iter();
    let mut stored_fresh = rows::insert_returning(conn, &fresh).await?.into_iter();
    Ok(rows
        .iter()
        .filter_map(|row| {
            if row.__key_is_unset() {
                stored_fresh.next()
            } else {
                stored_keyed.next()
            }
        })
        .collect())
}
