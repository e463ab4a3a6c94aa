//! `cargo ff database stamp`: record migrations as applied or not applied without running them.

use ff_runtime::database;
use ff_runtime::migration::{self, History};

use super::{connect, url};
use crate::cli::StampArgs;
use crate::output::CommandError;
use crate::project::Project;

/// Runs `stamp`.
pub fn run(args: StampArgs) -> Result<(), CommandError> {
    let project = Project::discover()?;
    let history = History::load(&project.migrations_dir())?;
    let count = history.count_through(&args.revision)?;
    let url = url(&args.connection)?;
    if !database::database_exists(&url)? {
        return Err(CommandError::Project(format!(
            "the database {} does not exist: create it with `cargo ff database create` first",
            ff_runtime::DatabaseUrl::parse(&url)?.masked()
        )));
    }
    let mut conn = connect(&args.connection)?;
    let stamped = migration::stamp(&mut conn, &history, count, args.purge)?;
    for version in &stamped.purged {
        say!("  - {version} forgotten (not in the migrations directory)");
    }
    for version in &stamped.interrupted {
        say!(
            "  - the interrupted run of {version} forgotten (its statements count as undone or done by hand)"
        );
    }
    for name in &stamped.unrecorded {
        say!("  ✗ {name} recorded as not applied");
    }
    for name in &stamped.recorded {
        say!("  ✓ {name} recorded as applied");
    }
    for name in &stamped.rechecked {
        say!(
            "  ✓ {name}: the checksum of its files now is recorded (it was edited after it was applied)"
        );
    }
    let at = match count {
        0 => "base".to_owned(),
        n => history.migrations[n - 1].name(),
    };
    if stamped.is_empty() {
        say!("The database already stands at {at}: nothing changed.");
    } else {
        say!("The database now stands at {at}; no migration was run.");
    }
    Ok(())
}
