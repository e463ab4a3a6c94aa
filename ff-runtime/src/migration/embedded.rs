//! Migrations compiled into the binary by [`embed_migrations!`](crate::embed_migrations), run
//! at start-up with the same checks as `cargo ff database upgrade`.

use std::collections::BTreeMap;
use std::path::Path;

use super::error::Result;
use super::history::{History, MigrationDir};
use super::runner::{Applied, Progress, UpgradeTarget, applied, upgrade, verify};
use crate::Connection;

/// One migration folder as [`embed_migrations!`](crate::embed_migrations) compiled it.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedMigration {
    /// The folder name (`20261122143025_add_product`).
    pub name: &'static str,
    /// The files ff reads (`migration.json`, `snapshot.json`, `*.sql`) by name, with their text.
    pub files: &'static [(&'static str, &'static str)],
}

/// The migrations directory of a project, compiled into the binary by
/// [`embed_migrations!`](crate::embed_migrations).
///
/// Its folders are read with the same reader as the directory on disk, so an embedded
/// migration has the checksum `cargo ff` records for its folder: editing one that is applied
/// is refused as on the command line.
///
/// ```
/// use ff_runtime::Connection;
/// use ff_runtime::migration::EmbeddedMigrations;
///
/// // `embed_migrations!()` reads `migrations/` beside Cargo.toml; this names ff's test fixture.
/// const MIGRATIONS: EmbeddedMigrations = ff_runtime::embed_migrations!("../tests/migrations");
///
/// let mut conn = Connection::establish("sqlite://:memory:")?;
/// assert_eq!(MIGRATIONS.pending(&mut conn)?, MIGRATIONS.list()?);
/// let applied = MIGRATIONS.run_pending(&mut conn)?;
/// assert_eq!(applied.len(), MIGRATIONS.list()?.len());
/// assert!(MIGRATIONS.pending(&mut conn)?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedMigrations {
    directory: &'static str,
    migrations: &'static [EmbeddedMigration],
    accept_data_loss: bool,
}

impl EmbeddedMigrations {
    /// The migrations of `directory` (as written in the macro, for messages). Called by
    /// [`embed_migrations!`](crate::embed_migrations).
    pub const fn new(directory: &'static str, migrations: &'static [EmbeddedMigration]) -> Self {
        EmbeddedMigrations {
            directory,
            migrations,
            accept_data_loss: false,
        }
    }

    /// The same migrations, allowed to run destructive steps (dropped tables or columns), as
    /// `cargo ff database upgrade --accept-data-loss`. Without it
    /// [`run_pending`](Self::run_pending) refuses them.
    pub const fn accepting_data_loss(self) -> Self {
        EmbeddedMigrations {
            accept_data_loss: true,
            ..self
        }
    }

    /// The embedded migrations, read and checked as `cargo ff` reads the directory: in the
    /// order they apply, refusing a damaged folder or divergent heads.
    pub fn history(&self) -> Result<History> {
        History::from_folders(self.migrations.iter().map(|migration| {
            let files: BTreeMap<String, String> = migration
                .files
                .iter()
                .map(|&(name, text)| (name.to_owned(), text.to_owned()))
                .collect();
            (Path::new(self.directory).join(migration.name), files)
        }))
    }

    /// The folder names of the embedded migrations, in the order they apply.
    pub fn list(&self) -> Result<Vec<String>> {
        Ok(self
            .history()?
            .migrations
            .iter()
            .map(MigrationDir::name)
            .collect())
    }

    /// The folder names of the migrations [`run_pending`](Self::run_pending) would apply, after
    /// the same checks (an edited or unknown applied migration is an error). Only reads.
    pub fn pending(&self, conn: &mut Connection) -> Result<Vec<String>> {
        let history = self.history()?;
        let done = verify(&history, &applied(conn)?)?;
        Ok(history.migrations[done..]
            .iter()
            .map(MigrationDir::name)
            .collect())
    }

    /// Applies every pending migration, as `cargo ff database upgrade` does: under the same
    /// lock, refusing an applied migration that was edited or that the binary does not have,
    /// and recording each one's checksum. Returns what it applied, oldest first, as
    /// [`applied`](super::applied) reads it back; nothing when the database is up to date.
    pub fn run_pending(&self, conn: &mut Connection) -> Result<Vec<Applied>> {
        let history = self.history()?;
        let mut done = Vec::new();
        upgrade(
            conn,
            &history,
            &UpgradeTarget::Head,
            self.accept_data_loss,
            |step| {
                if let Progress::Done(planned, _) = step {
                    done.push(Applied {
                        version: planned.version.clone(),
                        checksum: Some(planned.checksum.clone()),
                    })
                }
            },
        )?;
        Ok(done)
    }

    /// [`run_pending`](Self::run_pending) from async code: on tokio's blocking thread pool, on
    /// `conn` itself for SQLite and on a new connection to the same database for a server
    /// (the migration lock keeps concurrent starts apart either way).
    #[cfg(feature = "async")]
    pub async fn run_pending_async(
        &self,
        conn: &mut crate::AsyncConnection,
    ) -> Result<Vec<Applied>> {
        let migrations = *self;
        conn.blocking(move |conn| migrations.run_pending(conn))
            .await
    }
}
