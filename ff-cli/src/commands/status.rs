//! `cargo ff database status`: the database, the migrations, and whether they agree with the
//! entities. Exits with 4 when anything disagrees, so a CI job can use it.

use std::collections::BTreeSet;

use ff_runtime::introspect;
use ff_runtime::migration::{self, Applied, Damaged, History, Survey};
use ff_runtime::{Backend, Connection, DatabaseUrl, database};
use serde::Serialize;

use super::url;
use crate::cli::{Format, StatusArgs};
use crate::output::{CommandError, print_table};
use crate::project::Project;

/// Everything `status` reports.
#[derive(Debug, Serialize)]
struct Status {
    database: DatabaseStatus,
    migrations: Vec<MigrationStatus>,
    problems: Vec<String>,
    entities_changed: Option<bool>,
    up_to_date: bool,
}

#[derive(Debug, Serialize)]
struct DatabaseStatus {
    url: String,
    backend: String,
    name: Option<String>,
    exists: bool,
    connected: bool,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct MigrationStatus {
    version: String,
    name: String,
    description: String,
    status: &'static str,
    edited: bool,
}

/// Runs `status`.
pub fn run(args: StatusArgs) -> Result<(), CommandError> {
    let project = Project::discover()?;
    let url = url(&args.connection)?;
    let parsed = DatabaseUrl::parse(&url)?;
    let mut problems = Vec::new();
    // A damaged folder is reported by name; the others are still reported truthfully.
    let survey = History::survey(&project.migrations_dir()).unwrap_or_else(|error| {
        problems.push(error.to_string());
        Survey::default()
    });
    problems.extend(survey.damaged.iter().map(|d| d.error.to_string()));
    problems.extend(survey.problem.iter().map(ToString::to_string));
    let history = survey.history;
    let mut database = DatabaseStatus {
        url: parsed.masked(),
        backend: parsed.backend().name().to_owned(),
        name: parsed.database_name().map(str::to_owned),
        exists: false,
        connected: false,
        error: None,
    };
    let ignored: BTreeSet<String> = project.config.ignore.iter().cloned().collect();
    let applied = match read_applied(&url) {
        Ok((conn, applied)) => {
            database.exists = conn.is_some();
            database.connected = conn.is_some();
            if let Some(mut conn) = conn
                && let Some(drift) = live_drift(&mut conn, &history, &applied, &ignored)
            {
                problems.push(drift);
            }
            applied
        }
        Err(error) => {
            database.error = Some(error.to_string());
            problems.push(error.to_string());
            Vec::new()
        }
    };
    let migrations = migration_rows(&history, &survey.damaged, &applied, &mut problems);
    // When a folder is damaged the head may be among them: comparing the entities with an
    // earlier migration would report changes that are not there.
    let intact = survey.damaged.is_empty() && survey.problem.is_none();
    let entities_changed = if intact {
        let changed = compare_entities(&project, &history, &mut problems);
        problems.extend(catch_up_problem(&history));
        changed
    } else {
        None
    };
    let pending = migrations.iter().filter(|m| m.status == "PENDING").count();
    let status = Status {
        up_to_date: problems.is_empty() && pending == 0 && database.connected,
        database,
        migrations,
        problems,
        entities_changed,
    };
    match args.format {
        Format::Json => say!(
            "{}",
            serde_json::to_string_pretty(&status).expect("status serializes")
        ),
        Format::Text => print_text(&status, pending),
    }
    if status.database.error.is_some() {
        // The database could not be read: a failure, not a disagreement (printed above).
        Err(CommandError::Project(String::new()))
    } else if status.up_to_date {
        Ok(())
    } else {
        Err(CommandError::Drift(String::new()))
    }
}

/// Whether the entities have changes the last migration does not have (`None`: they cannot be
/// read; the problem says why).
fn compare_entities(
    project: &Project,
    history: &History,
    problems: &mut Vec<String>,
) -> Option<bool> {
    match project.entity_schema() {
        Ok(entities) => {
            let changes = migration::diff(&history.head_schema(), &entities);
            if !changes.is_empty() {
                problems.push(format!(
                    "the entities have {} change(s) without a migration: run `cargo ff database create-migration`",
                    changes.len()
                ));
            }
            Some(!changes.is_empty())
        }
        Err(error) => {
            problems.push(format!("cannot read the entities: {error}"));
            None
        }
    }
}

/// Whether the database exists, and the migrations it records.
fn read_applied(url: &str) -> Result<(Option<Connection>, Vec<Applied>), CommandError> {
    if !database::database_exists(url)? {
        return Ok((None, Vec::new()));
    }
    let mut conn = Connection::establish(url)?;
    let applied = migration::applied(&mut conn)?;
    Ok((Some(conn), applied))
}

/// How the live schema differs from the snapshot of the last applied migration (tables and
/// constraints made or changed by hand), at most a few lines. The objects named in `ignored`
/// (`ignore` of ff.toml) are left out on both sides, and so are those the hand-written SQL of
/// the applied migrations creates, unless ff manages an object of that name.
fn live_drift(
    conn: &mut Connection,
    history: &History,
    applied: &[Applied],
    ignored: &BTreeSet<String>,
) -> Option<String> {
    let last = applied.last()?;
    let migration = history
        .migrations
        .iter()
        .find(|m| m.version() == last.version)?;
    let backend = conn.backend();
    let expected = introspect::expected_live(&migration.snapshot, backend);
    let managed = expected.names();
    let mut skipped: BTreeSet<String> = created_by_migrations(history, applied, backend)
        .into_iter()
        .filter(|name| !managed.contains(name))
        .collect();
    skipped.extend(ignored.iter().cloned());
    let live = introspect::live_schema(conn).ok()?.without(&skipped);
    let expected = expected.without(&skipped);
    let differences = introspect::compare_ignoring_column_order(&expected, &live);
    if differences.is_empty() {
        return None;
    }
    let shown: Vec<String> = differences
        .iter()
        .take(5)
        .map(|d| format!("   {d}"))
        .collect();
    let more = differences.len().saturating_sub(shown.len());
    Some(format!(
        "the live database differs from migration {} ({} difference(s){}):\n{}\n   help: undo the manual change, or put it in the entities and create a migration, or list the names ff does not manage in `ignore` of ff.toml",
        migration.name(),
        differences.len(),
        if more > 0 {
            format!(", {more} not shown")
        } else {
            String::new()
        },
        shown.join("\n")
    ))
}

/// The names of the objects the hand-written up SQL of the applied migrations creates on
/// `backend`.
fn created_by_migrations(
    history: &History,
    applied: &[Applied],
    backend: Backend,
) -> BTreeSet<String> {
    history
        .migrations
        .iter()
        .filter(|m| applied.iter().any(|a| a.version == m.version()))
        .flat_map(|m| m.hand_written_sql("up", backend))
        .flat_map(|sql| migration::created_names(sql, backend))
        .collect()
}

/// The steps a migration written now would start with because the last one was written by
/// an earlier ff (decimals stored as text on SQLite), if any.
fn catch_up_problem(history: &History) -> Option<String> {
    let steps = migration::catch_up(history);
    if steps.is_empty() {
        return None;
    }
    let lines: Vec<String> = steps
        .iter()
        .map(|step| format!("   {}", migration::describe(step)))
        .collect();
    Some(format!(
        "the last migration was written by an earlier ff; its databases need {} step(s):\n{}\n   help: run `cargo ff database create-migration` to write them, then upgrade",
        steps.len(),
        lines.join("\n")
    ))
}

fn migration_rows(
    history: &History,
    damaged: &[Damaged],
    applied: &[Applied],
    problems: &mut Vec<String>,
) -> Vec<MigrationStatus> {
    let current = applied.iter().map(|a| a.version.as_str()).max();
    let mut rows: Vec<MigrationStatus> = history
        .migrations
        .iter()
        .map(|m| {
            let record = applied.iter().find(|a| a.version == m.version());
            let edited = record
                .and_then(|r| r.checksum.as_deref())
                .is_some_and(|checksum| checksum != m.checksum);
            if edited {
                problems.push(format!(
                    "migration {} was edited after it was applied: restore it from version control",
                    m.name()
                ));
            }
            MigrationStatus {
                version: m.version().to_owned(),
                name: m.name(),
                description: m.file.message.clone(),
                status: match record {
                    None => "PENDING",
                    Some(_) if Some(m.version()) == current => "CURRENT",
                    Some(_) => "APPLIED",
                },
                edited,
            }
        })
        .collect();
    rows.extend(damaged.iter().map(|d| MigrationStatus {
        version: d.version().to_owned(),
        name: d.name.clone(),
        description: "(damaged: see below)".into(),
        status: "DAMAGED",
        edited: false,
    }));
    for record in applied {
        if !rows.iter().any(|row| row.version == record.version) {
            problems.push(format!(
                "the database has migration {} applied, but the migrations directory does not have it",
                record.version
            ));
            rows.push(MigrationStatus {
                version: record.version.clone(),
                name: record.version.clone(),
                description: "(not in the migrations directory)".into(),
                status: "UNKNOWN",
                edited: false,
            });
        }
    }
    rows.sort_by(|a, b| a.version.cmp(&b.version));
    rows
}

fn print_text(status: &Status, pending: usize) {
    let db = &status.database;
    let rows = vec![
        vec![
            "Database".into(),
            if db.exists { "Exists" } else { "Missing" }.into(),
            db.name.clone().unwrap_or_default(),
        ],
        vec![
            "Connection".into(),
            if db.connected {
                "Established"
            } else {
                "Failed"
            }
            .into(),
            if db.connected {
                "OK".into()
            } else {
                // The whole message is listed with the problems below.
                db.error
                    .as_deref()
                    .and_then(|error| error.lines().next())
                    .unwrap_or("no database")
                    .to_owned()
            },
        ],
        vec!["Type".into(), db.backend.to_uppercase(), db.url.clone()],
    ];
    print_table(
        "Database Status",
        &["Component", "Status", "Details"],
        &rows,
    );
    say!();
    let rows: Vec<Vec<String>> = status
        .migrations
        .iter()
        .map(|m| {
            let state = if m.edited {
                format!("{} (EDITED)", m.status)
            } else {
                m.status.to_owned()
            };
            vec![m.version.clone(), m.description.clone(), state]
        })
        .collect();
    print_table(
        "Migration Status",
        &["Version", "Description", "Status"],
        &rows,
    );
    say!();
    for problem in &status.problems {
        say!(" ! {problem}");
    }
    if status.up_to_date {
        say!(" The database is up to date");
    } else if pending > 0 && status.database.connected {
        say!(" {pending} migration(s) pending: run `cargo ff database upgrade`");
    }
}
