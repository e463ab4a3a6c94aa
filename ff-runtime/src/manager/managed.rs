//! The shared, mutable handle the entity manager gives out for each managed row.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// An entity instance the manager tracks: shared, so that every find of the same row in one
/// manager hands out the same instance, and mutable in place
/// (`entity.borrow_mut().price = …`).
///
/// It is `Send` and `Sync`, so a manager on an [`AsyncConnection`](crate::AsyncConnection)
/// runs on a multi-threaded runtime. Reading takes a shared lock and changing an exclusive
/// one, as with a [`RwLock`]: let a guard go before you `.await` (the compiler insists, since
/// a guard cannot cross threads) and before changing the same entity again.
///
/// ```
/// use ff_runtime::Managed;
///
/// let lamp = Managed::new(String::from("Lamp"));
/// let same = lamp.clone();
/// same.borrow_mut().push_str(" (blue)");
/// assert_eq!(*lamp.borrow(), "Lamp (blue)");
/// assert!(Managed::ptr_eq(&lamp, &same));
/// ```
pub struct Managed<E>(Arc<RwLock<E>>);

impl<E> Managed<E> {
    /// A new handle on `entity`, shared by nothing else yet.
    pub fn new(entity: E) -> Self {
        Managed(Arc::new(RwLock::new(entity)))
    }

    /// Reads the entity.
    pub fn borrow(&self) -> RwLockReadGuard<'_, E> {
        // A panic while the entity was being changed leaves it as the panicking code left it;
        // the manager's snapshots, not the lock, say what the database holds.
        self.0.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Changes the entity in place; the next flush writes the changed columns.
    pub fn borrow_mut(&self) -> RwLockWriteGuard<'_, E> {
        self.0.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `a` and `b` are the same instance (not merely equal values).
    pub fn ptr_eq(a: &Self, b: &Self) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl<E> Clone for Managed<E> {
    /// Another handle on the same instance.
    fn clone(&self) -> Self {
        Managed(Arc::clone(&self.0))
    }
}

impl<E: fmt::Debug> fmt::Debug for Managed<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Managed").field(&*self.borrow()).finish()
    }
}
