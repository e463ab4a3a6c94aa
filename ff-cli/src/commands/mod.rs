//! One module per command family; this one dispatches and holds what they share.

mod baseline;
mod config;
mod copy;
mod database;
mod diagram;
mod entity;
mod history;
mod import;
mod migrations;
mod stamp;
mod status;

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Component, Path, PathBuf};

use ff_runtime::{Backend, Config, Connection, DatabaseUrl, Source};

use crate::cli::{Cli, Command, ConnectionArgs, CreateCommand, DatabaseCommand, DebugCommand};
use crate::output::CommandError;
use crate::project::Project;

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
            DatabaseCommand::Current(args) => history::current(args),
            DatabaseCommand::History(args) => history::history(args),
            DatabaseCommand::Stamp(args) => stamp::run(args),
            DatabaseCommand::ClearMigration(args) => migrations::clear_migrations(args),
            DatabaseCommand::ClearMetadata => migrations::clear_metadata(),
            DatabaseCommand::Copy(args) => copy::run(args),
            DatabaseCommand::Diagram(args) => diagram::run(args),
            DatabaseCommand::Import(args) => import::run(args),
        },
        Command::Debug(DebugCommand::Config) => config::show(),
        Command::Create(CreateCommand::Entity(args)) => entity::run(args),
    }
}

/// The URL from `--url`, or else the configured one ([`Config`]: `DATABASE_URL` from the
/// environment or the nearest `.env` file, else `url` of ff.toml's `[database]`).
fn url(args: &ConnectionArgs) -> Result<String, CommandError> {
    if let Some(url) = &args.url {
        return Ok(url.clone());
    }
    configured_url(&Config::load()?)?.ok_or_else(|| ff_runtime::Error::MissingDatabaseUrl.into())
}

/// The configured URL, a relative SQLite path anchored where it was written: in the directory
/// of the `.env` file or `ff.toml` that holds it, or else in the project root (not wherever the
/// command was started).
fn configured_url(config: &Config) -> Result<Option<String>, CommandError> {
    let Some(url) = &config.url else {
        return Ok(None);
    };
    let dir = match &url.source {
        Source::Environment => Project::discover().ok().map(|project| project.root),
        Source::DotEnv(file) | Source::ConfigFile(file) => file.parent().map(Path::to_owned),
        Source::Default => None,
    };
    match dir {
        Some(dir) => anchored(url.value.clone(), &dir).map(Some),
        None => Ok(Some(url.value.clone())),
    }
}

/// `url`, its SQLite file moved under `dir` when its path is relative.
fn anchored(url: String, dir: &Path) -> Result<String, CommandError> {
    let parsed = DatabaseUrl::parse(&url)?;
    let path = Path::new(parsed.driver_url());
    if parsed.backend() != Backend::Sqlite
        || parsed.driver_url() == ":memory:"
        || path.is_absolute()
    {
        return Ok(url);
    }
    let relative: PathBuf = path
        .components()
        .filter(|part| *part != Component::CurDir)
        .collect();
    Ok(format!("sqlite://{}", dir.join(relative).display()))
}

/// Connects to the database of `--url` or `DATABASE_URL`, which must name a database.
fn connect(args: &ConnectionArgs) -> Result<Connection, CommandError> {
    let url = url(args)?;
    let parsed = DatabaseUrl::parse(&url)?;
    let Some(name) = parsed.database_name() else {
        return Err(ff_runtime::Error::InvalidUrl {
            url: parsed.masked(),
            reason: "the URL names no database; add it as the path: …/mydb".to_owned(),
        }
        .into());
    };
    if parsed.backend() == Backend::Sqlite {
        refuse_missing_directory(name)?;
    }
    Ok(Connection::establish(&url)?)
}

/// SQLite creates a missing database file, but not its directory: name it rather than let the
/// driver's "unable to open" pass for a server that is down.
fn refuse_missing_directory(file: &str) -> Result<(), CommandError> {
    let dir = Path::new(file)
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty());
    match dir {
        Some(dir) if file != ":memory:" && !dir.is_dir() => Err(CommandError::Project(format!(
            "the directory {} of the SQLite database {file} does not exist\nhelp: run `cargo ff database create` (it creates the directory with the database), or correct DATABASE_URL",
            dir.display()
        ))),
        _ => Ok(()),
    }
}

/// Asks a yes/no question on the terminal; `false` when there is no terminal to ask.
fn confirmed(question: &str) -> Result<bool, CommandError> {
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    let mut stdout = std::io::stdout().lock();
    let _ = write!(stdout, "{question}").and_then(|()| stdout.flush());
    drop(stdout);
    let mut answer = String::new();
    let read = std::io::stdin().lock().read_line(&mut answer);
    Ok(read.is_ok() && matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}
