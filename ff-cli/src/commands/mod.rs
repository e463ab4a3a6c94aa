//! One module per command family; this one dispatches and holds what they share.

mod copy;
mod database;
mod diagram;
mod migrations;
mod status;

use std::io::{BufRead, IsTerminal, Write};

use ff_runtime::Connection;

use crate::cli::{Cli, Command, ConnectionArgs, DatabaseCommand};
use crate::output::CommandError;

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<(), CommandError> {
    let Cli::Ff(args) = cli;
    match args.command {
        Command::Database(command) => match command {
            DatabaseCommand::Create(args) => database::create(args),
            DatabaseCommand::Drop(args) => database::drop(args),
            DatabaseCommand::CreateMigration(args) => migrations::create(args),
            DatabaseCommand::Upgrade(args) => migrations::upgrade(args),
            DatabaseCommand::Downgrade(args) => migrations::downgrade(args),
            DatabaseCommand::Status(args) => status::run(args),
            DatabaseCommand::ClearMigration(args) => migrations::clear_migrations(args),
            DatabaseCommand::ClearMetadata => migrations::clear_metadata(),
            DatabaseCommand::Copy(args) => copy::run(args),
            DatabaseCommand::Diagram(args) => diagram::run(args),
        },
    }
}

/// The URL from `--url`, or else `DATABASE_URL`.
fn url(args: &ConnectionArgs) -> Result<String, CommandError> {
    match &args.url {
        Some(url) => Ok(url.clone()),
        None => Ok(ff_runtime::database_url()?),
    }
}

/// Connects to the database of `--url` or `DATABASE_URL`, which must name a database.
fn connect(args: &ConnectionArgs) -> Result<Connection, CommandError> {
    let url = url(args)?;
    let parsed = ff_runtime::DatabaseUrl::parse(&url)?;
    if parsed.database_name().is_none() {
        return Err(ff_runtime::Error::InvalidUrl {
            url: parsed.masked(),
            reason: "the URL names no database; add it as the path: …/mydb".to_owned(),
        }
        .into());
    }
    Ok(Connection::establish(&url)?)
}

/// Asks a yes/no question on the terminal; `false` when there is no terminal to ask.
fn confirmed(question: &str) -> Result<bool, CommandError> {
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    print!("{question}");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let read = std::io::stdin().lock().read_line(&mut answer);
    Ok(read.is_ok() && matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}
