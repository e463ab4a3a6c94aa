//! `cargo ff`: the command line of ff. The database work is done by `ff-runtime`; this crate
//! parses arguments, asks for confirmation, prints, and writes entity code (`create entity`).

#[macro_use]
mod output;
pub mod cli;
mod color;
mod commands;
mod diagram;
mod import;
mod progress;
mod project;
mod scaffold;

use std::ffi::OsString;

use clap::Parser;

pub use cli::Cli;
pub use output::ExitCode;

/// Runs `cargo ff` with these arguments (the program name first) and returns the exit code.
pub fn main(args: impl IntoIterator<Item = OsString>) -> i32 {
    let cli = match Cli::try_parse_from(cli::split_colon_commands(args)) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::Usage as i32
            } else {
                ExitCode::Success as i32
            };
        }
    };
    color::choose(cli.color());
    match commands::run(cli) {
        Ok(()) => ExitCode::Success as i32,
        Err(error) => {
            let message = error.to_string();
            if !message.is_empty() {
                color::error(&message);
            }
            error.exit_code() as i32
        }
    }
}
