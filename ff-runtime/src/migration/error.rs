//! What can go wrong with migrations, each error naming the problem and the fix.

use std::path::PathBuf;

/// A migration error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrationError {
    /// An error of the database or connection.
    #[error(transparent)]
    Database(#[from] crate::Error),

    /// A migration file cannot be read or written.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done ("read", "write", "create").
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },

    /// A migration folder is damaged: a file is missing or does not parse.
    #[error(
        "migration {} is corrupt: {reason}\nhelp: restore it from version control (git checkout -- {}), or remove the folder if it was never applied anywhere",
        path.display(), path.display()
    )]
    Corrupt {
        /// The migration folder.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// A migration was written by a newer version of ff, whose snapshot format this one does
    /// not know.
    #[error(
        "migration {} was written by a newer version of ff (snapshot format {format}; this one reads formats up to {})\nhelp: upgrade cargo-ff and ff-runtime to the version the project uses",
        path.display(), super::format::SNAPSHOT_FORMAT
    )]
    NewerFormat {
        /// The migration folder.
        path: PathBuf,
        /// The format its snapshot records.
        format: u32,
    },

    /// A migration names a parent that is not in the migrations directory.
    #[error(
        "migration {version} follows {parent}, which is not in the migrations directory\nhelp: restore {parent} from version control"
    )]
    MissingParent {
        /// The migration.
        version: String,
        /// The parent it names.
        parent: String,
    },

    /// Two migrations follow the same parent: two branches were merged.
    #[error(
        "divergent migrations: {} all follow {} (two branches each added a migration)\nhelp: keep one, remove the others that are not applied anywhere (e.g. rm -r migrations/{}) and run `cargo ff database create-migration` to regenerate them on top of it",
        children.join(", "), parent.as_deref().unwrap_or("the base"), children.last().map(String::as_str).unwrap_or_default()
    )]
    DivergentHeads {
        /// The common parent (`None`: the base, before any migration).
        parent: Option<String>,
        /// The migrations that follow it.
        children: Vec<String>,
    },

    /// A revision named on the command line does not exist.
    #[error("{}", unknown_revision(.revision, .known))]
    UnknownRevision {
        /// The revision as written.
        revision: String,
        /// The folder names of the migrations there are, oldest first.
        known: Vec<String>,
    },

    /// A revision named on the command line is the start of several migrations' names.
    #[error(
        "revision `{revision}` is ambiguous: it starts {}\nhelp: write more of it, or the whole version",
        matches.join(", ")
    )]
    AmbiguousRevision {
        /// The revision as written.
        revision: String,
        /// The folder names it starts.
        matches: Vec<String>,
    },

    /// A migration that was applied has been edited since.
    #[error(
        "migration {version} was edited after it was applied (checksum {applied} in the database, {current} on disk)\nhelp: restore the applied version from version control, and put new changes in a new migration"
    )]
    Edited {
        /// The migration.
        version: String,
        /// The checksum recorded when it was applied.
        applied: String,
        /// The checksum of the files now.
        current: String,
    },

    /// A migration whose run stopped halfway has been edited since: its statements may not be
    /// those that ran, so it cannot be resumed.
    #[error(
        "migration {name} stopped after {statements_done} of its statements and was edited since (checksum {recorded} when it ran, {current} on disk): the statements that ran may no longer be the first ones\nhelp: restore the version that ran from version control, finish it with `cargo ff database upgrade` (or undo what ran with `cargo ff database downgrade`), and put the changes in a new migration"
    )]
    EditedWhileInterrupted {
        /// The migration's folder name.
        name: String,
        /// How many of its statements ran.
        statements_done: usize,
        /// The checksum of its files when it ran.
        recorded: String,
        /// The checksum of its files now.
        current: String,
    },

    /// The database records a migration the directory does not have.
    #[error(
        "the database has migration {0} applied, but the migrations directory does not have it\nhelp: restore it from version control, or point DATABASE_URL at the right database; if the migrations were recreated (clear-migration), forget the old history with `cargo ff database stamp base --purge`, then `cargo ff database upgrade --baseline`"
    )]
    UnknownApplied(String),

    /// Destructive steps without consent.
    #[error(
        "refusing to run destructive steps without consent:\n{}\nhelp: back up the data (cargo ff database copy), then run again with --accept-data-loss",
        steps.iter().map(|step| format!("  - {step}")).collect::<Vec<_>>().join("\n")
    )]
    DataLossRefused {
        /// The destructive steps, with their migration.
        steps: Vec<String>,
    },

    /// A step of a migration failed.
    #[error("{}", step_failure(.version, *.step, *.total, .sql, .cause, *.transactional, .applied))]
    StepFailed {
        /// The migration.
        version: String,
        /// The failing step, from 1.
        step: usize,
        /// The number of steps.
        total: usize,
        /// The SQL of the failing step.
        sql: String,
        /// The database's message.
        cause: String,
        /// Whether the migration ran in a transaction (then nothing of it remains).
        transactional: bool,
        /// The SQL of the steps that ran and stay applied (non-transactional DDL).
        applied: Vec<String>,
    },

    /// A decimal column that an earlier ff created as text on SQLite holds a value SQLite
    /// cannot keep exactly as a number, so it is not converted.
    #[error("{0}")]
    DecimalNotKept(Box<DecimalNotKept>),

    /// A schema change that the migration engine cannot apply to its model.
    #[error(
        "migration {version} does not fit the schema before it: {reason}\nhelp: its folder or an earlier one was edited by hand; restore them from version control"
    )]
    Inconsistent {
        /// The migration.
        version: String,
        /// What does not fit.
        reason: String,
    },

    /// The run cannot go on: migrations out of order, foreign keys left dangling, another
    /// runner holding the lock too long. The message says why and what to do.
    #[error("{0}")]
    Stopped(String),

    /// A new migration adds NOT NULL columns without a default to tables that may hold rows.
    #[error(
        "these NOT NULL columns have no default, and their tables may already hold rows: {}\nhelp: declare a default (#[ff(default = …)]), make the field an Option, or give existing rows a value (`cargo ff database create-migration --backfill TABLE.COLUMN=VALUE`)",
        .columns.iter().map(|(t, c)| format!("{t}.{c}")).collect::<Vec<_>>().join(", ")
    )]
    MissingBackfills {
        /// The columns, as (table, column).
        columns: Vec<(String, String)>,
    },

    /// A revision written as `+N` or `-N` whose N is not a number from 1.
    #[error("{}", bad_step(.0))]
    BadStep(String),

    /// An error of Diesel's migration harness.
    #[error("migration harness: {0}")]
    Harness(String),
}

/// A text value that SQLite cannot store as a number exactly, met while converting the
/// decimals an earlier ff stored as text ([`MigrationError::DecimalNotKept`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "migration {version} stores the decimals of `{table}.{column}` as numbers, but the value {value} cannot be: {problem}; nothing of the migration was applied\nhelp: correct or round that value (UPDATE \"{table}\" SET \"{column}\" = … WHERE \"{column}\" = '{value}'), or keep such numbers on PostgreSQL or MySQL, which hold every digit; then upgrade again"
)]
pub struct DecimalNotKept {
    /// The migration.
    pub version: String,
    /// The table.
    pub table: String,
    /// The column.
    pub column: String,
    /// The value as stored (text).
    pub value: String,
    /// Why it cannot be converted.
    pub problem: String,
}

/// How many known revisions an unknown-revision error lists.
const KNOWN_REVISIONS_SHOWN: usize = 5;

fn unknown_revision(revision: &str, known: &[String]) -> String {
    let mut message = format!("unknown revision `{revision}`: ");
    if known.is_empty() {
        message.push_str("the migrations directory has no migrations");
    } else {
        let shown = &known[known.len().saturating_sub(KNOWN_REVISIONS_SHOWN)..];
        let earlier = known.len() - shown.len();
        message.push_str("no migration has this version or folder name; the newest are:");
        if earlier > 0 {
            message.push_str(&format!("\n  … ({earlier} earlier)"));
        }
        for name in shown {
            message.push_str(&format!("\n  {name}"));
        }
    }
    message.push_str(
        "\nhelp: run `cargo ff database history` to list them all; besides a version, a folder name or the start of one, write `head` or `+N` to upgrade, `base` or `-N` to downgrade",
    );
    message
}

fn step_failure(
    version: &str,
    step: usize,
    total: usize,
    sql: &str,
    cause: &str,
    transactional: bool,
    applied: &[String],
) -> String {
    let mut message =
        format!("migration {version} failed at step {step} of {total}: {cause}\n  {sql}\n");
    if transactional {
        message.push_str("nothing of it was applied: the schema and the history are as before");
    } else {
        if applied.is_empty() {
            message.push_str("no step before it ran and the migration is NOT recorded; if the failing step holds several statements (a trigger or procedure body), those before the error stay applied: check them\n");
        } else {
            message.push_str(&format!(
                "this database commits DDL at once: these {} step(s) stay applied and the migration is NOT recorded (`cargo ff database status` shows it as partial):\n",
                applied.len()
            ));
            for sql in applied {
                message.push_str(&format!("  {sql}\n"));
            }
        }
        message.push_str(&format!("help: fix the cause in the database and run the same command again: it resumes at step {step}; or, when upgrading, run `cargo ff database downgrade` to undo the steps that ran"));
    }
    message
}

impl From<diesel::result::Error> for MigrationError {
    fn from(error: diesel::result::Error) -> Self {
        MigrationError::Database(crate::Error::from(error))
    }
}

/// A result whose error is [`MigrationError`].
pub type Result<T, E = MigrationError> = std::result::Result<T, E>;

/// What to write instead of a bad `+N` or `-N`.
fn bad_step(revision: &str) -> String {
    let sign = &revision[..revision.len().min(1)];
    format!("`{revision}`: write {sign}N with N a number from 1, e.g. {sign}1")
}
