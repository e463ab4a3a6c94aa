//! Every command, argument and `--help` text of `cargo ff`.

use std::ffi::OsString;

use clap::{Args, Parser, Subcommand};

/// The entry point as cargo calls it: `cargo-ff ff <command>`.
#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo", version, styles = clap::builder::Styles::plain())]
pub enum Cli {
    /// ff, the declarative ORM: manage the database of an ff project
    #[command(version)]
    Ff(FfArgs),
}

/// `cargo ff …`
#[derive(Debug, Args)]
pub struct FfArgs {
    #[command(subcommand)]
    pub command: Command,
}

/// The command groups of `cargo ff`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or drop the database (also spelled `database:create`, `database:drop`)
    #[command(subcommand)]
    Database(DatabaseCommand),
}

/// `cargo ff database …`
#[derive(Debug, Subcommand)]
pub enum DatabaseCommand {
    /// Create the database DATABASE_URL names (a file for SQLite); an existing one is kept
    Create(ConnectionArgs),
    /// Drop the database DATABASE_URL names, after confirmation (or --force)
    Drop(DropArgs),
}

/// Where the database is.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// Database URL (default: DATABASE_URL from the environment or .env)
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
}

/// `cargo ff database drop`
#[derive(Debug, Args)]
pub struct DropArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Drop without asking (required when no terminal can ask)
    #[arg(long)]
    pub force: bool,
}

/// Accepts Framefox's `database:create` spelling by splitting it into `database create`.
pub fn split_colon_commands(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut split = Vec::new();
    for arg in args {
        match arg.to_str().and_then(|a| a.split_once(':')) {
            Some((group, command)) if group == "database" && !command.is_empty() => {
                split.push(group.into());
                split.push(command.into());
            }
            _ => split.push(arg),
        }
    }
    split
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn colon_commands_are_split() {
        let args = ["cargo-ff", "ff", "database:drop", "--force"].map(OsString::from);
        let split = split_colon_commands(args);
        assert_eq!(
            split,
            ["cargo-ff", "ff", "database", "drop", "--force"].map(OsString::from)
        );
    }
}
