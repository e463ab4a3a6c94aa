//! One call per migration task over a project's migrations directory: the migration manager
//! of Framefox's guide (its `AlembicManager`), built on the engine `cargo ff` uses.

use std::path::{Path, PathBuf};

use super::create::{new_migration, pending_operations};
use super::error::{MigrationError, Result};
use super::format::catch_up;
use super::history::{History, MigrationDir};
use super::runner::{DowngradeTarget, UpgradeTarget, applied, downgrade, upgrade, verify};
use super::schema_set::Schema;
use super::stamp::stamp;
use crate::Connection;
use crate::dialect::Backend;

/// The migrations of a project, with the tasks of Framefox's migration manager as methods:
/// create (from the entities, or empty), upgrade and downgrade in Alembic's spellings, list,
/// read one, check it for changes, delete the last, and clear a database's history. Each runs
/// with the same checks as `cargo ff` (the runner lock, checksums of applied migrations,
/// consent for destructive steps).
///
/// ```
/// use ff_runtime::migration::{MigrationManager, Schema};
/// use ff_runtime::prelude::*;
///
/// #[derive(Entity, Debug, Clone, PartialEq)]
/// pub struct Author {
///     pub id: i32,
///     pub name: String,
/// }
///
/// # let directory = std::env::temp_dir().join(format!("ff-doc-manager-{}", std::process::id()));
/// let manager = MigrationManager::new(&directory); // e.g. "migrations"
/// let entities = Schema::of(&[Author::META]);
/// let created = manager.create_migration("add author", Some(&entities))?;
/// assert!(created.is_some());
/// assert_eq!(manager.create_migration("again", Some(&entities))?, None); // no changes
///
/// let mut conn = Connection::establish(":memory:")?;
/// let applied = manager.upgrade(&mut conn, "head")?;
/// assert_eq!(applied.len(), 1);
/// assert_eq!(manager.current(&mut conn)?, Some(manager.migrations()?[0].clone()));
/// // Reverting drops the table: destructive, so allowed explicitly.
/// manager.clone().accept_data_loss().downgrade(&mut conn, "base")?;
/// assert_eq!(manager.current(&mut conn)?, None);
/// # std::fs::remove_dir_all(&directory).ok();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct MigrationManager {
    directory: PathBuf,
    accept_data_loss: bool,
}

impl MigrationManager {
    /// The migrations in `directory` (created with the first migration).
    pub fn new(directory: impl Into<PathBuf>) -> Self {
        MigrationManager {
            directory: directory.into(),
            accept_data_loss: false,
        }
    }

    /// The same manager, allowed to run destructive steps (dropped tables or columns); without
    /// it [`upgrade`](Self::upgrade) and [`downgrade`](Self::downgrade) refuse them with
    /// [`MigrationError::DataLossRefused`] and run nothing.
    pub fn accept_data_loss(self) -> Self {
        MigrationManager {
            accept_data_loss: true,
            ..self
        }
    }

    /// The migrations directory.
    pub fn directory(&self) -> &Path {
        &self.directory
    }

    /// Writes a new migration and returns its folder. With `entities` (Alembic's
    /// autogenerate) it holds what changed between the last migration and them, and `None` is
    /// returned when nothing did; without, it is empty, for hand-written `up.sql` and
    /// `down.sql` in its folder.
    pub fn create_migration(
        &self,
        message: &str,
        entities: Option<&Schema>,
    ) -> Result<Option<PathBuf>> {
        let history = History::load(&self.directory)?;
        let operations = match entities {
            Some(entities) => pending_operations(&history, entities),
            None => catch_up(&history),
        };
        if entities.is_some() && operations.is_empty() {
            return Ok(None);
        }
        let (file, snapshot) = new_migration(&history, message, operations)?;
        Ok(Some(
            MigrationDir::write(&self.directory, &file, &snapshot)?.path,
        ))
    }

    /// Applies migrations up to `revision`: `head` (all), `+N` (the next N), or a version or
    /// folder name (or a unique prefix of one). Returns the versions applied; none when the
    /// database is up to date.
    pub fn upgrade(&self, conn: &mut Connection, revision: &str) -> Result<Vec<String>> {
        let history = History::load(&self.directory)?;
        let target: UpgradeTarget = revision.parse()?;
        upgrade(conn, &history, &target, self.accept_data_loss, |_| {})
    }

    /// Reverts migrations: `-N` (the last N), `base` (all), or a revision that stays applied.
    /// Returns the versions reverted, last first.
    pub fn downgrade(&self, conn: &mut Connection, revision: &str) -> Result<Vec<String>> {
        let history = History::load(&self.directory)?;
        let target: DowngradeTarget = revision.parse()?;
        downgrade(conn, &history, &target, self.accept_data_loss, |_| {})
    }

    /// The folder name of the last migration applied to the database, `None` at base.
    pub fn current(&self, conn: &mut Connection) -> Result<Option<String>> {
        let history = History::load(&self.directory)?;
        let done = verify(&history, &applied(conn)?)?;
        Ok(done
            .checked_sub(1)
            .map(|last| history.migrations[last].name()))
    }

    /// The folder names of the migrations, oldest first.
    pub fn migrations(&self) -> Result<Vec<String>> {
        let history = History::load(&self.directory)?;
        Ok(history.migrations.iter().map(MigrationDir::name).collect())
    }

    /// The migration named by `revision` (its version, folder name, or a unique prefix), read:
    /// its operations, their reverse, the schema after it and its hand-written SQL.
    pub fn migration(&self, revision: &str) -> Result<MigrationDir> {
        let mut history = History::load(&self.directory)?;
        let index = history.position(revision)?;
        Ok(history.migrations.swap_remove(index))
    }

    /// Whether the migration named by `revision` changes anything: operations, or hand-written
    /// SQL for some backend.
    pub fn has_changes(&self, revision: &str) -> Result<bool> {
        let migration = self.migration(revision)?;
        Ok(!migration.file.operations.is_empty()
            || Backend::ALL
                .into_iter()
                .any(|backend| !migration.hand_written_sql("up", backend).is_empty()))
    }

    /// Deletes the folder of the last migration; false when no migration is named `revision`.
    /// Only the last one can go, since later ones build on the ones before; a database that
    /// applied it must be downgraded first, or it reports the migration as unknown.
    pub fn delete_migration(&self, revision: &str) -> Result<bool> {
        let history = History::load(&self.directory)?;
        let index = match history.position(revision) {
            Ok(index) => index,
            Err(MigrationError::UnknownRevision { .. }) => return Ok(false),
            Err(error) => return Err(error),
        };
        let migration = &history.migrations[index];
        if index + 1 != history.migrations.len() {
            return Err(MigrationError::Stopped(format!(
                "migration {} is not the last one: the migrations after it build on it\nhelp: delete the later ones first",
                migration.name()
            )));
        }
        std::fs::remove_dir_all(&migration.path).map_err(|source| MigrationError::Io {
            action: "delete",
            path: migration.path.clone(),
            source,
        })?;
        Ok(true)
    }

    /// Forgets the database's record of applied migrations (its tables and data stay), as
    /// before recreating the migrations from scratch. Returns how many records went.
    pub fn clear_history(&self, conn: &mut Connection) -> Result<usize> {
        Ok(stamp(conn, &History::default(), 0, true)?.purged.len())
    }
}
