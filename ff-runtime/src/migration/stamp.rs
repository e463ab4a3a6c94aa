//! Recording migrations as applied or not applied without running them: `stamp` (Alembic's
//! `stamp`, Prisma's `migrate resolve`).

use super::error::{MigrationError, Result};
use super::history::History;
use super::runner::{Lock, Setup, with_target};
use crate::Connection;

/// What [`stamp`] changed in the database's record of applied migrations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stamped {
    /// The folder names of the migrations now recorded as applied.
    pub recorded: Vec<String>,
    /// The folder names of the migrations no longer recorded as applied.
    pub unrecorded: Vec<String>,
    /// The versions recorded as applied that the migrations directory does not have, forgotten.
    pub purged: Vec<String>,
    /// The folder names of applied migrations whose recorded checksum was replaced by that of
    /// their files now (they were edited after they were applied).
    pub rechecked: Vec<String>,
    /// The versions of migrations whose run had stopped halfway, that run forgotten (its
    /// statements were undone or completed by other means).
    pub interrupted: Vec<String>,
}

impl Stamped {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.recorded.is_empty()
            && self.unrecorded.is_empty()
            && self.purged.is_empty()
            && self.rechecked.is_empty()
            && self.interrupted.is_empty()
    }
}

/// Makes the database record exactly the first `count` migrations of `history` as applied
/// (see [`History::count_through`]), each with the checksum of its files, running none of
/// them, and forgets any run that stopped halfway; under the runner lock, in one transaction. Versions recorded that the directory does
/// not have stop it, with nothing changed, unless `purge` forgets them too.
///
/// ```
/// use ff_runtime::Connection;
/// use ff_runtime::migration::{self, History, MigrationDir, MigrationFile, Schema};
///
/// # let dir = std::env::temp_dir().join(format!("ff-doc-stamp-{}", std::process::id()));
/// # let file = MigrationFile { version: "20261122143025".into(), message: "initial".into(),
/// #     parent: None, operations: Vec::new(), reverse: Vec::new(), data_loss: Vec::new() };
/// # MigrationDir::write(&dir, &file, &Schema::default())?;
/// let history = History::load(&dir)?; // one migration, 20261122143025_initial
/// let mut conn = Connection::establish("sqlite://:memory:")?;
/// let stamped = migration::stamp(&mut conn, &history, history.count_through("head")?, false)?;
/// assert_eq!(stamped.recorded, ["20261122143025_initial"]);
/// assert_eq!(migration::applied(&mut conn)?.len(), 1); // recorded, not run
/// let stamped = migration::stamp(&mut conn, &history, history.count_through("base")?, false)?;
/// assert_eq!(stamped.unrecorded, ["20261122143025_initial"]);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), migration::MigrationError>(())
/// ```
pub fn stamp(
    conn: &mut Connection,
    history: &History,
    count: usize,
    purge: bool,
) -> Result<Stamped> {
    with_target(conn, Lock::Exclusive, |runner| {
        let applied = runner.applied(Setup::Create)?;
        let unknown: Vec<String> = applied
            .iter()
            .filter(|record| {
                !history
                    .migrations
                    .iter()
                    .any(|m| m.version() == record.version)
            })
            .map(|record| record.version.clone())
            .collect();
        if !unknown.is_empty() && !purge {
            return Err(MigrationError::Stopped(format!(
                "the database records {} applied migration(s) the migrations directory does not have: {}; nothing was changed\nhelp: restore them from version control, or pass --purge to forget them too (after clear-migration, for example)",
                unknown.len(),
                unknown.join(", ")
            )));
        }
        let mut stamped = Stamped::default();
        runner.in_transaction(&mut |runner| {
            stamped = Stamped::default();
            for version in &unknown {
                runner.forget(version)?;
                stamped.purged.push(version.clone());
            }
            for partial in runner.progress()? {
                runner.clear_progress(&partial.version)?;
                if !partial.finished(&applied) {
                    stamped.interrupted.push(partial.version);
                }
            }
            for (index, migration) in history.migrations.iter().enumerate() {
                let record = applied.iter().find(|a| a.version == migration.version());
                match (index < count, record) {
                    (true, None) => {
                        runner.record(migration.version(), &migration.checksum)?;
                        stamped.recorded.push(migration.name());
                    }
                    (true, Some(record))
                        if record.checksum.as_deref() != Some(&migration.checksum) =>
                    {
                        runner.set_checksum(migration.version(), &migration.checksum)?;
                        stamped.rechecked.push(migration.name());
                    }
                    (false, Some(_)) => {
                        runner.forget(migration.version())?;
                        stamped.unrecorded.push(migration.name());
                    }
                    _ => {}
                }
            }
            Ok(())
        })?;
        Ok(stamped)
    })
}
