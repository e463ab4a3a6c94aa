//! Exit codes and the errors commands report.

use std::fmt;

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
}

/// Why a command failed.
#[derive(Debug)]
pub enum CommandError {
    /// An error from the runtime (connection, URL, database).
    Runtime(ff_runtime::Error),
    /// A destructive operation without confirmation.
    Refused(String),
}

impl CommandError {
    /// The exit code this error ends the process with.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CommandError::Runtime(_) => ExitCode::Failure,
            CommandError::Refused(_) => ExitCode::Refused,
        }
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Runtime(error) => error.fmt(f),
            CommandError::Refused(message) => f.write_str(message),
        }
    }
}

impl From<ff_runtime::Error> for CommandError {
    fn from(error: ff_runtime::Error) -> Self {
        CommandError::Runtime(error)
    }
}
