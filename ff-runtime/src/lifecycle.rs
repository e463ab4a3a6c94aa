//! Lifecycle hooks: code an entity runs around its own writes and loads.

use crate::error::Result;

/// Hooks the entity manager calls around an entity's writes and after it loads one.
///
/// Every method does nothing by default. `#[derive(Entity)]` implements the trait with the
/// defaults; write `#[ff(lifecycle)]` on the struct to implement it yourself instead. A hook
/// that returns an error stops the flush before anything is written.
///
/// ```
/// use ff_runtime::prelude::*;
///
/// #[derive(Entity, Debug, Clone)]
/// #[ff(lifecycle)]
/// pub struct Article {
///     pub id: i32,
///     pub title: String,
///     pub slug: String,
/// }
///
/// impl Lifecycle for Article {
///     fn before_insert(&mut self) -> ff_runtime::Result<()> {
///         self.slug = self.title.to_lowercase().replace(' ', "-");
///         Ok(())
///     }
/// }
/// ```
pub trait Lifecycle {
    /// Runs before the entity is inserted by a flush; may change the entity.
    fn before_insert(&mut self) -> Result<()> {
        Ok(())
    }

    /// Runs before a changed entity is updated by a flush; may change the entity further.
    fn before_update(&mut self) -> Result<()> {
        Ok(())
    }

    /// Runs before the entity is deleted by a flush.
    fn before_delete(&self) -> Result<()> {
        Ok(())
    }

    /// Runs after the entity manager loads the entity from the database.
    fn after_load(&mut self) {}
}
