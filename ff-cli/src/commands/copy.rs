//! `cargo ff database copy`: a verified copy of the database.

use crate::cli::CopyArgs;
use crate::output::CommandError;

/// Runs `copy`.
pub fn run(args: CopyArgs) -> Result<(), CommandError> {
    let url = super::url(&args.connection)?;
    let copied = ff_runtime::database::copy_database(&url, args.to.as_deref())?;
    say!("✓ Database copied to {}", copied.target);
    for (table, rows) in &copied.row_counts {
        say!("  {table}: {rows} row(s), checked");
    }
    Ok(())
}
