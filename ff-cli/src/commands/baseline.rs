//! `upgrade` on a database that already has the tables of the first migration, as after the
//! migrations were recreated: recorded as applied with `--baseline` (or a yes on a terminal)
//! when they match exactly, refused with the differences otherwise.

use std::collections::BTreeSet;

use ff_runtime::Connection;
use ff_runtime::migration::{self, Baseline, History};

use super::confirmed;
use crate::output::CommandError;

/// Records the first migration as applied when its tables exist exactly as it creates them
/// and `baseline` (or the user) agrees; refuses when they differ. The names in `ignored`
/// (`ignore` of ff.toml) are left out of the comparison.
pub fn settle(
    conn: &mut Connection,
    history: &History,
    baseline: bool,
    ignored: &BTreeSet<String>,
) -> Result<(), CommandError> {
    match migration::baseline(conn, history, baseline, ignored)? {
        Baseline::NotNeeded => Ok(()),
        Baseline::Matches {
            migration,
            tables,
            recorded,
        } => {
            say!(
                "The tables of the first migration {migration} already exist, exactly as it creates them: {}.",
                tables.join(", ")
            );
            if recorded {
                say!("  ✓ {migration} recorded as applied (not run: its tables exist)");
                Ok(())
            } else if confirmed("Record it as applied without running it? [y/N] ")? {
                match migration::baseline(conn, history, true, ignored)? {
                    Baseline::Matches { recorded: true, .. } => {
                        say!("  ✓ {migration} recorded as applied (not run: its tables exist)");
                        Ok(())
                    }
                    // Another runner changed the database meanwhile: report what it is now.
                    _ => settle(conn, history, true, ignored),
                }
            } else {
                Err(CommandError::Refused(format!(
                    "not running {migration}: its tables already exist\nhelp: run `cargo ff database upgrade --baseline` to record it as applied without running it; the migrations after it then run as usual"
                )))
            }
        }
        Baseline::Differs { migration, tables } => {
            let mut lines = Vec::new();
            for (table, differences) in &tables {
                lines.push(format!("  table {table}:"));
                lines.extend(differences.iter().map(|d| format!("    {d}")));
            }
            Err(CommandError::Project(format!(
                "the database records no applied migration, but already has tables of the first migration {migration} that differ from what it creates, so it can neither run nor be recorded as applied:\n{}\nhelp: make those tables match the entities (or drop them if their data can go) and upgrade again; or make the entities match the tables, recreate the migrations (clear-migration, create-migration) and run `cargo ff database upgrade --baseline`; an index, table or constraint ff does not manage can be listed in `ignore` of ff.toml",
                lines.join("\n")
            )))
        }
    }
}
