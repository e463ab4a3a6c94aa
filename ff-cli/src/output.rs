//! Exit codes, the errors commands report, and printing that survives a closed pipe.

use std::fmt;
use std::io::Write;

/// `println!` for command output that keeps the command going when standard output is closed
/// (`cargo ff database status | head -1`): the work is finished, only the printing stops.
macro_rules! say {
    () => {
        $crate::output::print_line(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::output::print_line(format_args!($($arg)*))
    };
}

/// Prints one line to standard output, its leading mark coloured on a terminal, ignoring a
/// reader that went away.
pub fn print_line(line: fmt::Arguments) {
    let line = line.to_string();
    let _ = writeln!(
        std::io::stdout().lock(),
        "{}",
        crate::color::stdout_line(&line)
    );
}

use ff_runtime::migration::MigrationError;

/// The exit codes of `cargo ff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum ExitCode {
    /// The command did what was asked.
    Success = 0,
    /// The command failed: the message says why and what to do.
    Failure = 1,
    /// The command line could not be understood.
    Usage = 2,
    /// A destructive command was refused for want of confirmation.
    Refused = 3,
    /// `status` or `create-migration --check`: entities, migrations and database disagree.
    Drift = 4,
}

/// Why a command failed.
#[derive(Debug)]
pub enum CommandError {
    /// An error from the runtime (connection, URL, database).
    Runtime(ff_runtime::Error),
    /// An error of the migrations (files, history, a failing step).
    Migration(MigrationError),
    /// The project cannot be read (ff.toml, entities, files).
    Project(String),
    /// A destructive operation without confirmation.
    Refused(String),
    /// Entities, migrations and database disagree (the message says how).
    Drift(String),
}

impl CommandError {
    /// The exit code this error ends the process with.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CommandError::Runtime(_) | CommandError::Project(_) => ExitCode::Failure,
            CommandError::Migration(MigrationError::DataLossRefused { .. }) => ExitCode::Refused,
            CommandError::Migration(_) => ExitCode::Failure,
            CommandError::Refused(_) => ExitCode::Refused,
            CommandError::Drift(_) => ExitCode::Drift,
        }
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Runtime(error) => error.fmt(f),
            CommandError::Migration(error) => error.fmt(f),
            CommandError::Project(message)
            | CommandError::Refused(message)
            | CommandError::Drift(message) => f.write_str(message),
        }
    }
}

impl From<ff_runtime::Error> for CommandError {
    fn from(error: ff_runtime::Error) -> Self {
        CommandError::Runtime(error)
    }
}

impl From<MigrationError> for CommandError {
    fn from(error: MigrationError) -> Self {
        match error {
            MigrationError::Database(error) => CommandError::Runtime(error),
            error => CommandError::Migration(error),
        }
    }
}

/// Prints a table with box-drawing borders, like the Framefox CLI.
pub fn print_table(title: &str, header: &[&str], rows: &[Vec<String>]) {
    let widths: Vec<usize> = (0..header.len())
        .map(|column| {
            rows.iter()
                .map(|row| row[column].chars().count())
                .chain([header[column].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |left: &str, fill: &str, middle: &str, right: &str| {
        let parts: Vec<String> = widths.iter().map(|w| fill.repeat(w + 2)).collect();
        format!("{left}{}{right}", parts.join(middle))
    };
    let row = |cells: &[String]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!(" {cell:<width$} "))
            .collect();
        format!("│{}│", parts.join("│"))
    };
    say!("{title}");
    say!();
    say!("{}", line("┏", "━", "┳", "┓"));
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    say!("{}", row(&header).replace('│', "┃"));
    say!("{}", line("┡", "━", "╇", "┩"));
    for cells in rows {
        say!("{}", row(cells));
    }
    say!("{}", line("└", "─", "┴", "┘"));
}
