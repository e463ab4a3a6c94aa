//! One module per command group; this one only dispatches.

mod database;

use crate::cli::{Cli, Command};
use crate::output::CommandError;

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<(), CommandError> {
    let Cli::Ff(args) = cli;
    match args.command {
        Command::Database(command) => database::run(command),
    }
}
