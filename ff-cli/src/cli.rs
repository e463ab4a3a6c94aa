//! Every command, argument and `--help` text of `cargo ff`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use crate::color::ColorChoice;

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
    /// Colour the output: auto (on a terminal without NO_COLOR), always or never
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t,
        value_name = "WHEN",
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub color: ColorChoice,
}

impl Cli {
    /// When to colour the output, as `--color` says.
    pub fn color(&self) -> ColorChoice {
        let Cli::Ff(args) = self;
        args.color
    }
}

/// The command groups of `cargo ff`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage the database and its migrations (also spelled `database:create`, …)
    #[command(subcommand)]
    Database(DatabaseCommand),
    /// Inspect the project's settings (also spelled `debug:config`)
    #[command(subcommand)]
    Debug(DebugCommand),
    /// Write code: entities (also spelled `create:entity`)
    #[command(subcommand)]
    Create(CreateCommand),
}

/// `cargo ff create …`
#[derive(Debug, Subcommand)]
pub enum CreateCommand {
    /// Create an entity, or add fields to an existing one; asks for the fields unless --field or
    /// --belongs-to gives them
    Entity(EntityArgs),
}

/// `cargo ff create entity`
#[derive(Debug, Args)]
pub struct EntityArgs {
    /// The entity: Product or product (the struct is PascalCase, its file and table snake_case)
    #[arg(value_name = "NAME")]
    pub name: String,
    /// A field, NAME:TYPE[:OPTIONS] (repeatable), e.g. name:string:unique,length=120; options:
    /// nullable, unique, index, length=N, precision=N, scale=N, column=NAME
    #[arg(long = "field", value_name = "NAME:TYPE[:OPTIONS]")]
    pub fields: Vec<String>,
    /// A foreign key to an existing entity, ENTITY[:OPTIONS] (repeatable), e.g. Category:nullable;
    /// options: nullable, unique, index, field=NAME, on_delete=ACTION, inverse=NAME (the
    /// entity's has_many, or has_one when unique)
    #[arg(long, value_name = "ENTITY[:OPTIONS]")]
    pub belongs_to: Vec<String>,
    /// The table of a new entity (default: its name in snake_case)
    #[arg(long, value_name = "TABLE")]
    pub table: Option<String>,
}

/// `cargo ff debug …`
#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Show the database settings in effect and where each comes from (password masked)
    Config,
}

/// `cargo ff database …`
#[derive(Debug, Subcommand)]
pub enum DatabaseCommand {
    /// Create the database DATABASE_URL names (a file for SQLite); an existing one is kept
    Create(ConnectionArgs),
    /// Drop the database DATABASE_URL names, after confirmation (or --force)
    Drop(DropArgs),
    /// Write a migration from the difference between the entities and the last migration
    CreateMigration(CreateMigrationArgs),
    /// Apply pending migrations (all, up to a revision, or +N)
    Upgrade(UpgradeArgs),
    /// Revert applied migrations (the last one by default, -N, down to a revision, or base)
    Downgrade(DowngradeArgs),
    /// Show the database, the migrations and whether the entities have unmigrated changes
    Status(StatusArgs),
    /// Show the revision the database stands at
    Current(ConnectionArgs),
    /// List the migrations, newest first
    History(HistoryArgs),
    /// Record migrations as applied or not applied without running them
    Stamp(StampArgs),
    /// Remove every migration folder and the database's migration history, after confirmation
    ClearMigration(ClearMigrationArgs),
    /// Remove the cache of entity schemas; the next command rebuilds it
    ClearMetadata,
    /// Copy the database, then check the copy's row counts
    Copy(CopyArgs),
    /// Draw an entity-relationship diagram of the entities (or of the database, --from-db)
    Diagram(DiagramArgs),
    /// Write entities for the tables of an existing database
    Import(ImportArgs),
}

/// `cargo ff database create-migration`
#[derive(Debug, Args)]
pub struct CreateMigrationArgs {
    /// What the migration does; it names the folder (default: "migration")
    #[arg(short, long, value_name = "MESSAGE")]
    pub message: Option<String>,
    /// Write a migration without operations, for hand-written SQL
    #[arg(long)]
    pub empty: bool,
    /// Write nothing; exit with 4 when the entities have changes without a migration
    #[arg(long, conflicts_with = "empty")]
    pub check: bool,
    /// Value for existing rows of a new NOT NULL column without a default
    #[arg(long, value_name = "TABLE.COLUMN=VALUE")]
    pub backfill: Vec<String>,
}

/// `cargo ff database upgrade`
#[derive(Debug, Args)]
pub struct UpgradeArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// `head` (the default), a revision (version, folder name or its start) to stop after, or
    /// +N for the next N migrations
    #[arg(value_name = "REVISION", conflicts_with = "to")]
    pub revision: Option<String>,
    /// Stop after this revision, or after +N migrations (the same as the REVISION argument)
    #[arg(long, value_name = "REV|+N")]
    pub to: Option<String>,
    /// When the database records no migration but already has the first migration's tables,
    /// exactly as it creates them: record it as applied instead of running it
    #[arg(long, conflicts_with = "sql")]
    pub baseline: bool,
    /// Print the SQL instead of running it
    #[arg(long)]
    pub sql: bool,
    /// With --sql: the dialect to print (sqlite, postgres, mysql); needs no database
    #[arg(long, requires = "sql", value_name = "DIALECT")]
    pub dialect: Option<String>,
    /// Run destructive steps (dropped tables or columns, narrowed types)
    #[arg(long)]
    pub accept_data_loss: bool,
}

/// `cargo ff database downgrade`
#[derive(Debug, Args)]
pub struct DowngradeArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// `base` to revert every migration, -N to revert the last N, or a revision (version,
    /// folder name or its start) to revert every migration after it
    #[arg(
        value_name = "REVISION",
        allow_negative_numbers = true,
        conflicts_with_all = ["steps", "to"]
    )]
    pub revision: Option<String>,
    /// How many migrations to revert; 0 reverts all
    #[arg(long, value_name = "N", conflicts_with = "to")]
    pub steps: Option<usize>,
    /// Revert every migration after this revision (version or folder name), or `base`
    #[arg(long, value_name = "REV")]
    pub to: Option<String>,
    /// Print the SQL instead of running it
    #[arg(long)]
    pub sql: bool,
    /// Run destructive steps (dropped tables or columns, narrowed types)
    #[arg(long)]
    pub accept_data_loss: bool,
}

/// `cargo ff database status`
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// How `status` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables for people
    Text,
    /// One JSON document for programs
    Json,
}

/// `cargo ff database history`
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Show each migration's parent, folder, message and operations
    #[arg(short, long)]
    pub verbose: bool,
}

/// `cargo ff database stamp`
#[derive(Debug, Args)]
pub struct StampArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// `head` (every migration applied), `base` (none), or a revision (version, folder name or
    /// its start): it and those before it applied, those after it not
    #[arg(value_name = "REVISION")]
    pub revision: String,
    /// Also forget applied migrations the migrations directory does not have
    #[arg(long)]
    pub purge: bool,
}

/// `cargo ff database clear-migration`
#[derive(Debug, Args)]
pub struct ClearMigrationArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Delete without asking (required when no terminal can ask)
    #[arg(long)]
    pub force: bool,
    /// Keep the database's record of applied migrations; remove only the folders
    #[arg(long)]
    pub keep_history: bool,
}

/// `cargo ff database copy`
#[derive(Debug, Args)]
pub struct CopyArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Where to copy: a URL (server databases: a new database) or a file path (SQLite);
    /// default: backups/<name>-<timestamp>.db for SQLite, <name>_copy_<timestamp> on servers
    #[arg(long, value_name = "URL|PATH")]
    pub to: Option<String>,
}

/// `cargo ff database diagram`
#[derive(Debug, Args)]
pub struct DiagramArgs {
    /// Draw the tables of the database instead of the entities
    #[arg(long)]
    pub from_db: bool,
    /// With --from-db: the database URL (default: DATABASE_URL from the environment or .env, else ff.toml)
    #[arg(long, value_name = "URL", requires = "from_db")]
    pub url: Option<String>,
    /// Output format [default: from the extension of --output, else mermaid]
    #[arg(long, value_enum)]
    pub format: Option<DiagramFormat>,
    /// Write to this file (.mmd, .dot or .svg) instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// What `diagram` draws in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagramFormat {
    /// Mermaid erDiagram text (renders on GitHub)
    Mermaid,
    /// Graphviz DOT
    Dot,
    /// A standalone SVG drawing
    Svg,
}

/// `cargo ff database import`
#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// The directory to write the entities to (default: src/entities of the project)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Import only these tables (comma-separated; default: every table but ff's own)
    #[arg(long, value_name = "TABLE,...", value_delimiter = ',')]
    pub tables: Vec<String>,
    /// Replace entity files that already exist
    #[arg(long)]
    pub force: bool,
    /// Leave out, with a warning, what no entity can declare (a column of an unsupported
    /// type, a table without a single-column key, a check constraint, …) instead of refusing
    #[arg(long)]
    pub skip_unsupported: bool,
}

/// Where the database is.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// Database URL (default: DATABASE_URL from the environment or .env, else ff.toml)
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

/// Accepts Framefox's `database:create`, `debug:config` and `create:entity` spellings by
/// splitting them into `database create`, `debug config` and `create entity`.
pub fn split_colon_commands(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut split = Vec::new();
    for arg in args {
        match arg.to_str().and_then(|a| a.split_once(':')) {
            Some((group, command))
                if matches!(group, "database" | "debug" | "create") && !command.is_empty() =>
            {
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
        let split = split_colon_commands(["ff", "debug:config"].map(OsString::from));
        assert_eq!(split, ["ff", "debug", "config"].map(OsString::from));
        let split = split_colon_commands(["ff", "create:entity", "Product"].map(OsString::from));
        assert_eq!(
            split,
            ["ff", "create", "entity", "Product"].map(OsString::from)
        );
    }
}
