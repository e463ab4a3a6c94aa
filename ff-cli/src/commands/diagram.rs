//! `cargo ff database diagram`: an entity-relationship diagram of the entities or the database.

use std::io::Write;
use std::path::Path;

use ff_runtime::migration::Schema;
use ff_runtime::{DatabaseUrl, database, introspect};

use crate::cli::{ConnectionArgs, DiagramArgs, DiagramFormat};
use crate::diagram::{self, Diagram};
use crate::output::CommandError;
use crate::project::Project;

/// Runs `diagram`.
pub fn run(args: DiagramArgs) -> Result<(), CommandError> {
    let format = format(args.format, args.output.as_deref())?;
    let schema = if args.from_db {
        database_schema(ConnectionArgs { url: args.url })?
    } else {
        entity_schema()?
    };
    let diagram = Diagram::of(&schema);
    let text = match format {
        DiagramFormat::Mermaid => diagram::mermaid(&diagram),
        DiagramFormat::Dot => diagram::dot(&diagram),
        DiagramFormat::Svg => diagram::svg(&diagram),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text).map_err(|error| {
                CommandError::Project(format!(
                    "cannot write {}: {error} (does its directory exist?)",
                    path.display()
                ))
            })?;
            println!(
                "✓ Diagram of {} table(s) and {} relation(s) written to {}",
                diagram.tables.len(),
                diagram.relations.len(),
                path.display()
            );
        }
        None => {
            // A reader that stops early (`| head`) is no error.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }
    Ok(())
}

/// The format asked for, or else the one the output file's extension names, or else Mermaid.
fn format(
    asked: Option<DiagramFormat>,
    output: Option<&Path>,
) -> Result<DiagramFormat, CommandError> {
    let Some(path) = output else {
        return Ok(asked.unwrap_or(DiagramFormat::Mermaid));
    };
    let extension = path
        .extension()
        .map(|ext| ext.to_string_lossy().to_lowercase());
    let implied = match extension.as_deref() {
        Some("mmd" | "mermaid") => Some(DiagramFormat::Mermaid),
        Some("dot" | "gv") => Some(DiagramFormat::Dot),
        Some("svg") => Some(DiagramFormat::Svg),
        _ => None,
    };
    match (asked, implied) {
        (Some(asked), Some(implied)) if asked != implied => Err(CommandError::Project(format!(
            "--format {} does not match the extension of {}: name the file .{} or drop --format",
            name(asked),
            path.display(),
            extension_of(asked)
        ))),
        (Some(format), _) | (None, Some(format)) => Ok(format),
        (None, None) => Err(CommandError::Project(format!(
            "cannot tell the format of {} from its extension: name it .mmd, .dot or .svg, or \
             pass --format mermaid|dot|svg",
            path.display()
        ))),
    }
}

fn name(format: DiagramFormat) -> &'static str {
    match format {
        DiagramFormat::Mermaid => "mermaid",
        DiagramFormat::Dot => "dot",
        DiagramFormat::Svg => "svg",
    }
}

fn extension_of(format: DiagramFormat) -> &'static str {
    match format {
        DiagramFormat::Mermaid => "mmd",
        DiagramFormat::Dot => "dot",
        DiagramFormat::Svg => "svg",
    }
}

fn entity_schema() -> Result<Schema, CommandError> {
    let project = Project::discover()?;
    let schema = project.entity_schema()?;
    if schema.tables.is_empty() {
        return Err(CommandError::Project(format!(
            "nothing to draw: the project in {} has no entities (derive Entity on a struct, \
             see docs/entities.md), or draw the database with --from-db",
            project.root.display()
        )));
    }
    Ok(schema)
}

fn database_schema(args: ConnectionArgs) -> Result<Schema, CommandError> {
    let url = super::url(&args)?;
    let shown = DatabaseUrl::parse(&url)?.masked();
    if !database::database_exists(&url)? {
        return Err(CommandError::Project(format!(
            "the database {shown} does not exist: run `cargo ff database create` and \
             `cargo ff database upgrade` first"
        )));
    }
    let mut conn = super::connect(&args)?;
    let live = introspect::live_schema(&mut conn)?;
    let schema = diagram::schema_of(&live, conn.backend());
    if schema.tables.is_empty() {
        return Err(CommandError::Project(format!(
            "nothing to draw: the database {shown} has no tables (run `cargo ff database \
             upgrade` first, or draw the entities without --from-db)"
        )));
    }
    Ok(schema)
}
