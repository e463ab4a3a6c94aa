//! Colour for the marks that start `cargo ff`'s lines (✓ ✗ ↩ →) and for its `error:` and
//! `warning:` labels: on a terminal unless `NO_COLOR` is set (or `TERM` is `dumb`), never into a
//! pipe or a file, and as `--color always|never` says when given.

use std::borrow::Cow;
use std::io::IsTerminal;
use std::sync::OnceLock;

/// When `cargo ff` colours its output (`--color`). The values carry plain comments, not doc
/// comments, so that `--help` lists them on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    // On a terminal, unless `NO_COLOR` is set.
    #[default]
    Auto,
    // Always, even into a pipe or a file.
    Always,
    // Never.
    Never,
}

static CHOICE: OnceLock<ColorChoice> = OnceLock::new();

/// Sets the choice for the rest of the run (the first call wins).
pub fn choose(choice: ColorChoice) {
    let _ = CHOICE.set(choice);
}

const GREEN: &str = "32";
const RED: &str = "31";
const YELLOW: &str = "33";
const CYAN: &str = "36";

/// The marks that start a line, and their colours.
const MARKS: [(char, &str); 4] = [('✓', GREEN), ('✗', RED), ('↩', YELLOW), ('→', CYAN)];

/// Whether text written to a stream, a terminal or not, is coloured.
fn enabled(terminal: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|value| !value.is_empty());
    match CHOICE.get().copied().unwrap_or_default() {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            terminal && !set("NO_COLOR") && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    }
}

/// A line of standard output, its leading mark coloured when colour is on.
pub fn stdout_line(line: &str) -> Cow<'_, str> {
    if !enabled(std::io::stdout().is_terminal()) {
        return Cow::Borrowed(line);
    }
    let text = line.trim_start();
    let indent = &line[..line.len() - text.len()];
    let mut chars = text.chars();
    match chars
        .next()
        .and_then(|first| MARKS.iter().find(|(mark, _)| *mark == first))
    {
        Some((mark, code)) => Cow::Owned(format!(
            "{indent}\x1b[{code}m{mark}\x1b[0m{}",
            chars.as_str()
        )),
        None => Cow::Borrowed(line),
    }
}

/// Prints `error: <message>` to standard error.
pub fn error(message: &str) {
    eprintln!("{} {message}", label("error", RED));
}

/// Prints `warning: <message>` to standard error.
pub fn warning(message: &str) {
    eprintln!("{} {message}", label("warning", YELLOW));
}

fn label(name: &str, code: &str) -> String {
    if enabled(std::io::stderr().is_terminal()) {
        format!("\x1b[1;{code}m{name}:\x1b[0m")
    } else {
        format!("{name}:")
    }
}
