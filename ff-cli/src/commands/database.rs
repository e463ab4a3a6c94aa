//! `cargo ff database create | drop`.

use ff_runtime::{DatabaseUrl, database};

use super::{confirmed, url};
use crate::cli::{ConnectionArgs, DropArgs};
use crate::output::CommandError;

/// `create`: create the database; an existing one is kept.
pub fn create(args: ConnectionArgs) -> Result<(), CommandError> {
    let url = url(&args)?;
    let shown = DatabaseUrl::parse(&url)?.masked();
    if database::create_database(&url)? {
        say!("✓ Database created: {shown}");
    } else {
        say!("Database already exists: {shown}");
    }
    Ok(())
}

/// `drop`: drop the database after confirmation.
pub fn drop(args: DropArgs) -> Result<(), CommandError> {
    let url = url(&args.connection)?;
    let shown = DatabaseUrl::parse(&url)?.masked();
    if !database::database_exists(&url)? {
        say!("Database does not exist: {shown}");
        return Ok(());
    }
    if !args.force && !confirmed(&format!("Drop database {shown} and all its data? [y/N] "))? {
        return Err(CommandError::Refused(format!(
            "not dropping {shown}: confirm on a terminal, or pass --force"
        )));
    }
    database::drop_database(&url)?;
    say!("✓ Database dropped: {shown}");
    Ok(())
}
