//! `cargo ff database copy`: a verified copy of the database, with a progress bar on a
//! terminal.

use std::time::Duration;

use ff_runtime::database::CopyStep;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::CopyArgs;
use crate::output::CommandError;

/// Runs `copy`.
pub fn run(args: CopyArgs) -> Result<(), CommandError> {
    let url = super::url(&args.connection)?;
    let bar = progress_bar();
    let copied =
        ff_runtime::database::copy_database(&url, args.to.as_deref(), |step| show(&bar, step));
    bar.finish_and_clear();
    let copied = copied?;
    say!("✓ Database copied to {}", copied.target);
    for (table, rows) in &copied.row_counts {
        say!("  {table}: {rows} row(s), checked");
    }
    Ok(())
}

/// A bar over the tables on standard error, drawn only when it is a terminal: first as they
/// are copied, then as they are counted in the copy.
fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed}] {prefix:8} {bar:30} {pos}/{len} tables  {msg}",
        )
        .expect("a valid template"),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

const CHECKING: &str = "checking";

fn show(bar: &ProgressBar, step: CopyStep<'_>) {
    match step {
        CopyStep::Tables(count) => {
            bar.set_length(count as u64);
            bar.set_prefix("copying");
        }
        CopyStep::Snapshot => bar.set_message("every table in one snapshot"),
        CopyStep::Copying(table) => bar.set_message(table.to_owned()),
        CopyStep::Copied(_) => bar.inc(1),
        CopyStep::Checked(table, rows) => {
            if bar.prefix() != CHECKING {
                bar.set_prefix(CHECKING);
                bar.set_message("");
                bar.set_position(0);
            }
            bar.inc(1);
            bar.set_message(format!("{table}: {rows} row(s)"));
        }
    }
}
