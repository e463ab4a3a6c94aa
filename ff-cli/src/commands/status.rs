//! `cargo ff database status`: the database, the migrations, and whether they agree with the
//! entities. Exits with 4 when anything disagrees, so a CI job can use it.

use std::collections::BTreeSet;

use ff_runtime::introspect;
use ff_runtime::migration::{self, Applied, Damaged, Direction, History, Partial, Survey};
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
    /// Where its run stopped halfway (on a database that commits DDL at once).
    #[serde(skip_serializing_if = "Option::is_none")]
    interrupted: Option<Interrupted>,
}

/// A run that stopped halfway, as `status` shows it.
#[derive(Debug, Serialize)]
struct Interrupted {
    /// `up` (being applied) or `down` (being reverted).
    direction: &'static str,
    statements_done: usize,
    statements_total: usize,
    /// The statement the next run starts with, shortened.
    next_statement: Option<String>,
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
    let backend = parsed.backend();
    let (applied, partial) = match read_applied(&url) {
        Ok((conn, applied, partial)) => {
            database.exists = conn.is_some();
            database.connected = conn.is_some();
            // A run that stopped halfway explains how the live schema differs.
            if let Some(mut conn) = conn.filter(|_| partial.is_none())
                && let Some(drift) = live_drift(&mut conn, &history, &applied, &ignored)
            {
                problems.push(drift);
            }
            (applied, partial)
        }
        Err(error) => {
            database.error = Some(error.to_string());
            problems.push(error.to_string());
            (Vec::new(), None)
        }
    };
    let mut migrations = migration_rows(&history, &survey.damaged, &applied, &mut problems);
    if let Some(partial) = &partial {
        show_interrupted(partial, &history, backend, &mut migrations, &mut problems);
    }
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
    let pending = migrations
        .iter()
        .filter(|m| m.status == "PENDING" || m.status == "PARTIAL")
        .count();
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

/// A connection when the database exists, the migrations it records, and the one whose run
/// stopped halfway.
type Recorded = (Option<Connection>, Vec<Applied>, Option<Partial>);

/// Whether the database exists, the migrations it records, and the one whose run stopped
/// halfway.
fn read_applied(url: &str) -> Result<Recorded, CommandError> {
    if !database::database_exists(url)? {
        return Ok((None, Vec::new(), None));
    }
    let mut conn = Connection::establish(url)?;
    let applied = migration::applied(&mut conn)?;
    let partial = migration::interrupted(&mut conn)?;
    Ok((Some(conn), applied, partial))
}

/// How many characters of the next statement `status` shows.
const STATEMENT_SHOWN: usize = 60;

/// Marks the migration whose run stopped halfway as `PARTIAL` (being applied) or
/// `PARTLY REVERTED`, and says where it stopped, what runs next and how to go on.
fn show_interrupted(
    partial: &Partial,
    history: &History,
    backend: Backend,
    rows: &mut [MigrationStatus],
    problems: &mut Vec<String>,
) {
    let Some(row) = rows.iter_mut().find(|row| row.version == partial.version) else {
        problems.push(format!(
            "the run of migration {} stopped halfway, but the migrations directory does not have it: restore it from version control",
            partial.version
        ));
        return;
    };
    let index = history.position(&partial.version).ok();
    let statements = match (partial.direction, index) {
        (Direction::Up, Some(index)) => migration::up_statements(history, index, backend).ok(),
        (Direction::Down, Some(index)) => migration::down_statements(history, index, backend).ok(),
        (_, None) => None,
    }
    .unwrap_or_default();
    let (done, total) = (partial.statements_done, statements.len());
    let next = statements.get(done).map(|sql| shortened(sql));
    let edited = index.is_some_and(|index| history.migrations[index].checksum != partial.checksum);
    let (state, direction, command) = match partial.direction {
        Direction::Up => ("PARTIAL", "up", "upgrade"),
        Direction::Down => ("PARTLY REVERTED", "down", "downgrade"),
    };
    row.status = state;
    row.edited = edited;
    let mut problem = format!(
        "the {command} of migration {} stopped after statement {done} of {total}; ",
        row.name
    );
    match &next {
        Some(sql) => problem.push_str(&format!("next: statement {} of {total}: {sql}", done + 1)),
        None => problem.push_str("every statement ran; only its record is missing"),
    }
    let help = if edited {
        "it was edited since: restore the version that ran from version control"
    } else if partial.direction == Direction::Up {
        "run `cargo ff database upgrade` to resume it, or `cargo ff database downgrade` to undo what ran"
    } else {
        "run `cargo ff database downgrade` to finish reverting it"
    };
    problem.push_str(&format!("\n   help: {help}"));
    problems.push(problem);
    row.interrupted = Some(Interrupted {
        direction,
        statements_done: done,
        statements_total: total,
        next_statement: next,
    });
}

/// A statement on one line, cut to [`STATEMENT_SHOWN`] characters.
fn shortened(sql: &str) -> String {
    let line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= STATEMENT_SHOWN {
        line
    } else {
        let cut: String = line.chars().take(STATEMENT_SHOWN - 1).collect();
        format!("{cut}…")
    }
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
                interrupted: None,
            }
        })
        .collect();
    rows.extend(damaged.iter().map(|d| MigrationStatus {
        version: d.version().to_owned(),
        name: d.name.clone(),
        description: "(damaged: see below)".into(),
        status: "DAMAGED",
        edited: false,
        interrupted: None,
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
                interrupted: None,
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
            let mut state = m.status.to_owned();
            if let Some(run) = &m.interrupted {
                state.push_str(&format!(
                    " {}/{}",
                    run.statements_done, run.statements_total
                ));
            }
            if m.edited {
                state.push_str(" (EDITED)");
            }
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
