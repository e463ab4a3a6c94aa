//! `cargo ff database create | drop`.

use std::io::{BufRead, IsTerminal, Write};

use ff_runtime::{DatabaseUrl, database};

use crate::cli::{ConnectionArgs, DatabaseCommand, DropArgs};
use crate::output::CommandError;

/// Runs a `database` command.
pub fn run(command: DatabaseCommand) -> Result<(), CommandError> {
    match command {
        DatabaseCommand::Create(args) => create(args),
        DatabaseCommand::Drop(args) => drop(args),
    }
}

fn create(args: ConnectionArgs) -> Result<(), CommandError> {
    let url = url(&args)?;
    let shown = DatabaseUrl::parse(&url)?.masked();
    if database::create_database(&url)? {
        println!("✓ Database created: {shown}");
    } else {
        println!("Database already exists: {shown}");
    }
    Ok(())
}

fn drop(args: DropArgs) -> Result<(), CommandError> {
    let url = url(&args.connection)?;
    let shown = DatabaseUrl::parse(&url)?.masked();
    if !database::database_exists(&url)? {
        println!("Database does not exist: {shown}");
        return Ok(());
    }
    if !args.force && !confirmed(&format!("Drop database {shown} and all its data? [y/N] "))? {
        return Err(CommandError::Refused(format!(
            "not dropping {shown}: confirm on a terminal, or pass --force"
        )));
    }
    database::drop_database(&url)?;
    println!("✓ Database dropped: {shown}");
    Ok(())
}

/// The URL from `--url`, or else `DATABASE_URL`.
fn url(args: &ConnectionArgs) -> Result<String, CommandError> {
    match &args.url {
        Some(url) => Ok(url.clone()),
        None => Ok(ff_runtime::database_url()?),
    }
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
