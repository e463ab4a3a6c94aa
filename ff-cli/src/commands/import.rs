//! `cargo ff database import`: entities for the tables of an existing database.

use std::path::{Path, PathBuf};

use ff_runtime::introspect::{LiveSchema, live_schema};

use super::connect;
use crate::cli::ImportArgs;
use crate::import::{self, Import};
use crate::output::CommandError;
use crate::project::Project;

/// `import`: reads the database, then writes one file per table and the `mod.rs` lines;
/// writes nothing when something cannot be declared (without `--skip-unsupported`) or a file
/// exists (without `--force`).
pub fn run(args: ImportArgs) -> Result<(), CommandError> {
    let project = Project::discover()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| project.root.join("src/entities"));
    let mut conn = connect(&args.connection)?;
    let live = live_schema(&mut conn)?;
    if live.tables.is_empty() {
        return Err(CommandError::Project(
            "nothing to import: the database has no tables (ff's own are never imported)"
                .to_owned(),
        ));
    }
    let tables = selected_tables(&live, &args.tables)?;
    let import = import::import(&live, conn.backend(), &tables);
    if !import.left_out.is_empty() && !args.skip_unsupported {
        return Err(CommandError::Project(format!(
            "no entity can declare:\n{}\nhelp: change these in the database, import the other tables with --tables, or pass --skip-unsupported to leave them out (then declare them by hand before the first migration); nothing was written",
            bulleted(&import.left_out)
        )));
    }
    if import.entities.is_empty() {
        return Err(CommandError::Project(
            "nothing to import: no table can be an entity (see the warnings)".to_owned(),
        ));
    }
    let files: Vec<(PathBuf, String)> = import
        .entities
        .iter()
        .map(|entity| {
            (
                out.join(format!("{}.rs", entity.module)),
                import::source(entity),
            )
        })
        .collect();
    refuse_existing(&files, args.force)?;
    write_all(&out, &files, &import)?;
    report(&project, &out, &import);
    Ok(())
}

/// The tables to import: those of `--tables`, which must exist, or else every table.
fn selected_tables(live: &LiveSchema, wanted: &[String]) -> Result<Vec<String>, CommandError> {
    if wanted.is_empty() {
        return Ok(live.tables.keys().cloned().collect());
    }
    let unknown: Vec<&str> = wanted
        .iter()
        .filter(|table| !live.tables.contains_key(table.as_str()))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        let known: Vec<&str> = live.tables.keys().map(String::as_str).collect();
        return Err(CommandError::Project(format!(
            "--tables: no table {} in the database; its tables are: {}",
            unknown.join(", "),
            known.join(", ")
        )));
    }
    Ok(wanted.to_vec())
}

fn refuse_existing(files: &[(PathBuf, String)], force: bool) -> Result<(), CommandError> {
    let existing: Vec<String> = files
        .iter()
        .filter(|(path, _)| path.exists())
        .map(|(path, _)| path.display().to_string())
        .collect();
    if existing.is_empty() || force {
        return Ok(());
    }
    Err(CommandError::Project(format!(
        "these files exist:\n{}\nhelp: pass --force to replace them, or --out DIR to write elsewhere; nothing was written",
        bulleted(&existing)
    )))
}

/// Writes the entity files, then adds the missing lines to `mod.rs`.
fn write_all(out: &Path, files: &[(PathBuf, String)], import: &Import) -> Result<(), CommandError> {
    let failed = |path: &Path, error: std::io::Error| {
        CommandError::Project(format!("cannot write {}: {error}", path.display()))
    };
    std::fs::create_dir_all(out).map_err(|error| failed(out, error))?;
    for (path, source) in files {
        std::fs::write(path, source).map_err(|error| failed(path, error))?;
    }
    let mod_rs = out.join("mod.rs");
    let mut text = match std::fs::read_to_string(&mod_rs) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            "//! The entities, written by `cargo ff database import`.\n\n".to_owned()
        }
        Err(error) => return Err(failed(&mod_rs, error)),
    };
    let present: Vec<String> = text.lines().map(|line| line.trim().to_owned()).collect();
    for line in import::mod_lines(&import.entities) {
        if !present.contains(&line) {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&line);
            text.push('\n');
        }
    }
    std::fs::write(&mod_rs, text).map_err(|error| failed(&mod_rs, error))
}

fn report(project: &Project, out: &Path, import: &Import) {
    let shown = out.strip_prefix(&project.root).unwrap_or(out).display();
    say!(
        "✓ Imported {} table(s) into {shown}/:",
        import.entities.len()
    );
    for entity in &import.entities {
        say!(
            "  {} → {} ({}.rs)",
            entity.table,
            entity.name,
            entity.module
        );
    }
    for left_out in &import.left_out {
        crate::color::warning(&format!("left out: {left_out}"));
    }
    for note in &import.notes {
        say!("note: {note}");
    }
    if !import.dependencies.is_empty() {
        let crates: Vec<&str> = import.dependencies.iter().copied().collect();
        say!(
            "The entities use these crates: add them to [dependencies] in Cargo.toml: {}",
            crates.join(", ")
        );
    }
    say!();
    say!(
        "Next: declare the module (`pub mod entities;`), then `cargo ff database create-migration -m \"initial\"` and `cargo ff database upgrade --baseline` (see docs/migrations.md)."
    );
}

fn bulleted(lines: &[String]) -> String {
    lines
        .iter()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}
