//! `cargo ff database current | history`, with Alembic's meaning: the revision the database
//! stands at, and the migrations from the newest.

use ff_runtime::database;
use ff_runtime::migration::{self, History, MigrationError};

use super::{connect, url};
use crate::cli::{ConnectionArgs, HistoryArgs};
use crate::output::CommandError;
use crate::project::Project;

/// `current`: the last applied migration, and whether it is the head.
pub fn current(args: ConnectionArgs) -> Result<(), CommandError> {
    let project = Project::discover()?;
    // A damaged folder elsewhere does not hide where the database stands.
    let history = History::survey(&project.migrations_dir())?.history;
    let url = url(&args)?;
    if !database::database_exists(&url)? {
        say!("Current revision: base (the database does not exist yet)");
        return Ok(());
    }
    let applied = migration::applied(&mut connect(&args)?)?;
    let Some(last) = applied.iter().map(|a| a.version.as_str()).max() else {
        say!("Current revision: base (no migration applied)");
        return Ok(());
    };
    let index = history
        .migrations
        .iter()
        .position(|m| m.version() == last)
        .ok_or_else(|| MigrationError::UnknownApplied(last.to_owned()))?;
    let migration = &history.migrations[index];
    let pending = history.migrations.len() - 1 - index;
    let place = if pending == 0 {
        "head".to_owned()
    } else {
        format!("{pending} pending after it")
    };
    say!(
        "Current revision: {} - {} ({place})",
        migration.version(),
        migration.file.message
    );
    Ok(())
}

/// `history`: every migration from the newest, `parent -> version, message`; `--verbose`
/// adds its folder and operations.
pub fn history(args: HistoryArgs) -> Result<(), CommandError> {
    let project = Project::discover()?;
    let history = History::load(&project.migrations_dir())?;
    if history.migrations.is_empty() {
        say!("No migrations yet: run `cargo ff database create-migration`.");
        return Ok(());
    }
    let head = history.migrations.len() - 1;
    for (index, migration) in history.migrations.iter().enumerate().rev() {
        let parent = migration.file.parent.as_deref().unwrap_or("<base>");
        let mark = if index == head { " (head)" } else { "" };
        if !args.verbose {
            say!(
                "{parent} -> {}{mark}, {}",
                migration.version(),
                migration.file.message
            );
            continue;
        }
        let path = migration
            .path
            .strip_prefix(&project.root)
            .unwrap_or(&migration.path);
        say!("Rev: {}{mark}", migration.version());
        say!("Parent: {parent}");
        say!("Path: {}", path.display());
        say!();
        say!("    {}", migration.file.message);
        say!();
        for operation in &migration.file.operations {
            say!("    {}", migration::describe(operation));
        }
        for file in migration.sql.keys() {
            say!("    + {file} (hand-written SQL)");
        }
        say!();
    }
    Ok(())
}
