//! `cargo ff database create-migration | upgrade | downgrade | clear-migration | clear-metadata`.

use ff_runtime::migration::{
    self, DowngradeTarget, History, MigrationError, Operation, Progress, UpgradeTarget,
};
use ff_runtime::schema::DefaultValue;
use ff_runtime::{Backend, Connection};

use super::{confirmed, connect};
use crate::cli::{
    ClearMigrationArgs, ConnectionArgs, CreateMigrationArgs, DowngradeArgs, UpgradeArgs,
};
use crate::output::CommandError;
use crate::project::{Project, clear_dir};

/// `create-migration`: diff the entities against the last snapshot and write a migration.
/// When the last snapshot was written by an earlier ff, the migration starts with the
/// operations that bring its databases up to date ([`migration::catch_up`]), even with
/// `--empty`: the new snapshot records the current format, so they would be lost otherwise.
pub fn create(args: CreateMigrationArgs) -> Result<(), CommandError> {
    let project = Project::discover()?;
    let history = History::load(&project.migrations_dir())?;
    let entities = project.entity_schema()?;
    let catch_up = migration::catch_up(&history);
    let mut operations = if args.empty {
        catch_up.clone()
    } else {
        migration::pending_operations(&history, &entities)
    };
    if args.check {
        return check(&operations, !catch_up.is_empty());
    }
    if operations.is_empty() && !args.empty {
        say!("No changes detected: the entities match the last migration.");
        return Ok(());
    }
    for backfill in &args.backfill {
        apply_backfill(&mut operations, backfill)?;
    }
    if let Some(backend) = configured_backend() {
        migration::check_supported(backend, &operations)?;
    }
    let message = args.message.as_deref().unwrap_or("migration");
    let (file, after) =
        migration::new_migration(&history, message, operations).map_err(missing_backfills_help)?;
    let written = migration::MigrationDir::write(&project.migrations_dir(), &file, &after)?;
    let shown = written
        .path
        .strip_prefix(&project.root)
        .unwrap_or(&written.path);
    say!("Migration '{}' created.", shown.display());
    if !catch_up.is_empty() {
        say!(
            "  (the last migration was written by an earlier ff: this one starts with what its databases need now)"
        );
    }
    if file.operations.is_empty() {
        say!("  (no operations: add up.sql and down.sql to the folder)");
    }
    for operation in &file.operations {
        say!("  {}", migration::describe(operation));
    }
    if !file.data_loss.is_empty() {
        say!();
        say!("Warning: this migration destroys data; upgrade will ask for --accept-data-loss:");
        for loss in &file.data_loss {
            say!("  ! {loss}");
        }
    }
    say!();
    say!("Review it, then run 'cargo ff database upgrade' to apply it.");
    Ok(())
}

/// The backend of the configured database (`DATABASE_URL`, `.env` or ff.toml), if any: a
/// migration it cannot run is refused when it is written rather than when it is applied.
fn configured_backend() -> Option<Backend> {
    let url = super::url(&ConnectionArgs { url: None }).ok()?;
    Some(ff_runtime::DatabaseUrl::parse(&url).ok()?.backend())
}

/// `create-migration --check`: fail when the entities have changes without a migration, or
/// the last migration was written by an earlier ff and needs the steps `create-migration`
/// would add (`catch_up`).
fn check(operations: &[Operation], catch_up: bool) -> Result<(), CommandError> {
    if operations.is_empty() {
        say!("No changes detected: the entities match the last migration.");
        return Ok(());
    }
    let changes: Vec<String> = operations
        .iter()
        .map(|op| format!("  {}", migration::describe(op)))
        .collect();
    let whose = if catch_up {
        "the last migration was written by an earlier ff: there are"
    } else {
        "the entities have"
    };
    Err(CommandError::Drift(format!(
        "{whose} {} change(s) without a migration:\n{}\nhelp: run `cargo ff database create-migration -m \"…\"` and commit it",
        operations.len(),
        changes.join("\n")
    )))
}

/// `--backfill product.sku=UNKNOWN`.
fn apply_backfill(operations: &mut [Operation], backfill: &str) -> Result<(), CommandError> {
    let usage = || {
        CommandError::Project(format!(
            "--backfill {backfill}: write TABLE.COLUMN=VALUE, e.g. --backfill product.sku=UNKNOWN"
        ))
    };
    let (target, value) = backfill.split_once('=').ok_or_else(usage)?;
    let (table, column) = target.split_once('.').ok_or_else(usage)?;
    if migration::set_backfill(operations, table, column, parse_value(value)) {
        Ok(())
    } else {
        Err(CommandError::Project(format!(
            "--backfill {backfill}: this migration adds no NOT NULL column {table}.{column}"
        )))
    }
}

/// A command-line value as the literal it looks like: true/false, an integer, a float, or
/// else text (quotes optional).
fn parse_value(value: &str) -> DefaultValue {
    if let Ok(flag) = value.parse::<bool>() {
        DefaultValue::Bool(flag)
    } else if let Ok(int) = value.parse::<i64>() {
        DefaultValue::Int(int)
    } else if let Ok(float) = value.parse::<f64>() {
        DefaultValue::Float(float)
    } else {
        let text = value
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .unwrap_or(value);
        DefaultValue::Text(text.to_owned().into())
    }
}

/// The runtime's refusal of NOT NULL columns without a value, in the command line's terms
/// (`--backfill`).
fn missing_backfills_help(error: MigrationError) -> CommandError {
    let MigrationError::MissingBackfills { columns } = &error else {
        return error.into();
    };
    let lines: Vec<String> = columns
        .iter()
        .map(|(table, column)| format!("  {table}.{column}"))
        .collect();
    let (table, column) = &columns[0];
    CommandError::Project(format!(
        "these NOT NULL columns have no default, and their tables may already hold rows:\n{}\nhelp: declare a default (#[ff(default = …)]), make the field an Option, or give existing rows a value: --backfill {table}.{column}=VALUE",
        lines.join("\n")
    ))
}

/// `upgrade`.
pub fn upgrade(args: UpgradeArgs) -> Result<(), CommandError> {
    let project = Project::discover()?;
    let history = History::load(&project.migrations_dir())?;
    let target = upgrade_target(args.revision.as_deref().or(args.to.as_deref()))?;
    if let UpgradeTarget::To(revision) = &target {
        // An unknown revision stops it before anything is read or recorded.
        history.position(revision)?;
    }
    if args.sql {
        return print_upgrade_sql(&args, &history, &target);
    }
    let mut conn = connect(&args.connection)?;
    let ignored = project.config.ignore.iter().cloned().collect();
    super::baseline::settle(&mut conn, &history, args.baseline, &ignored)?;
    let mut accept = args.accept_data_loss;
    loop {
        let mut started = false;
        let outcome = migration::upgrade(&mut conn, &history, &target, accept, |step| {
            if !started {
                say!("Applying migrations...");
                started = true;
            }
            show_step(step, "→", "✓");
        });
        match outcome {
            Ok(applied) if applied.is_empty() => {
                say!("The database is already up to date, no migrations to apply.");
                return Ok(());
            }
            Ok(_) => {
                say!("Migrations applied successfully.");
                say!();
                say!(
                    "You can use cargo ff database downgrade to undo the migrations if necessary."
                );
                return Ok(());
            }
            Err(MigrationError::DataLossRefused { steps }) if !accept => {
                accept = ask_data_loss(&steps)?;
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// `head` (or nothing), `+N`, or a revision.
fn upgrade_target(revision: Option<&str>) -> Result<UpgradeTarget, CommandError> {
    Ok(revision.unwrap_or("head").parse()?)
}

/// `base`, `-N`, or a revision; `--steps N` (0: all) when none is given.
fn downgrade_target(
    revision: Option<&str>,
    steps: Option<usize>,
) -> Result<DowngradeTarget, CommandError> {
    Ok(match (revision, steps) {
        (Some(revision), _) => revision.parse()?,
        (None, Some(0)) => DowngradeTarget::Base,
        (None, steps) => DowngradeTarget::Steps(steps.unwrap_or(1)),
    })
}

/// Asks on a terminal whether to run destructive steps; refuses without a terminal.
fn ask_data_loss(steps: &[String]) -> Result<bool, CommandError> {
    let refused = MigrationError::DataLossRefused {
        steps: steps.to_vec(),
    };
    say!("These steps destroy data:");
    for step in steps {
        say!("  ! {step}");
    }
    if confirmed("Run them? [y/N] ")? {
        Ok(true)
    } else {
        Err(refused.into())
    }
}

fn print_upgrade_sql(
    args: &UpgradeArgs,
    history: &History,
    target: &UpgradeTarget,
) -> Result<(), CommandError> {
    let backend = match &args.dialect {
        Some(dialect) => parse_dialect(dialect)?,
        None => {
            let url = super::url(&args.connection)?;
            // Printing writes nothing: a database that does not exist yet has nothing applied.
            if ff_runtime::database::database_exists(&url)? {
                let mut conn = connect(&args.connection)?;
                let plan = migration::planned_upgrade(&mut conn, history, target)?;
                print_planned(&plan, "upgrade");
                return Ok(());
            }
            ff_runtime::DatabaseUrl::parse(&url)?.backend()
        }
    };
    for index in target.range(history, 0)? {
        let statements = migration::up_statements(history, index, backend)?;
        print_sql(&history.migrations[index].name(), "upgrade", &statements);
    }
    Ok(())
}

/// The SQL a run would send: of a migration whose run stopped halfway, the statements that
/// have not run.
fn print_planned(plan: &[migration::Planned], direction: &str) {
    for planned in plan {
        let name = format!("{}{}", planned.name, resumption(planned));
        print_sql(
            &name,
            direction,
            &planned.statements[planned.statements_done..],
        );
    }
}

fn print_sql(name: &str, direction: &str, statements: &[String]) {
    say!("-- {direction} {name}");
    for statement in statements {
        say!("{statement};");
    }
    say!();
}

fn parse_dialect(name: &str) -> Result<Backend, CommandError> {
    Backend::ALL
        .into_iter()
        .find(|backend| backend.name() == name)
        .ok_or_else(|| {
            CommandError::Project(format!(
                "--dialect {name}: write one of sqlite, postgres, mysql"
            ))
        })
}

/// `downgrade`.
pub fn downgrade(args: DowngradeArgs) -> Result<(), CommandError> {
    let project = Project::discover()?;
    let history = History::load(&project.migrations_dir())?;
    let target = downgrade_target(args.revision.as_deref().or(args.to.as_deref()), args.steps)?;
    if let DowngradeTarget::To(revision) = &target {
        history.position(revision)?;
    }
    let mut conn = connect(&args.connection)?;
    if args.sql {
        return print_downgrade_sql(&mut conn, &history, &target);
    }
    let mut accept = args.accept_data_loss;
    loop {
        let outcome = migration::downgrade(&mut conn, &history, &target, accept, |step| {
            show_step(step, "→", "↩");
        });
        match outcome {
            Ok(reverted) if reverted.is_empty() => {
                say!("There is nothing to revert: no applied migration lies past the target.");
                return Ok(());
            }
            Ok(reverted) => {
                let plural = if reverted.len() == 1 { "" } else { "s" };
                say!(
                    "Successfully reverted {} migration{plural}.",
                    reverted.len()
                );
                return Ok(());
            }
            Err(MigrationError::DataLossRefused { steps }) if !accept => {
                accept = ask_data_loss(&steps)?;
            }
            Err(error) => return Err(error.into()),
        }
    }
}

fn print_downgrade_sql(
    conn: &mut Connection,
    history: &History,
    target: &DowngradeTarget,
) -> Result<(), CommandError> {
    let plan = migration::planned_downgrade(conn, history, target)?;
    print_planned(&plan, "downgrade");
    Ok(())
}

/// `clear-migration`: remove every migration folder and, unless `--keep-history`, the
/// database's record of applied migrations (its tables and data stay).
pub fn clear_migrations(args: ClearMigrationArgs) -> Result<(), CommandError> {
    let project = Project::discover()?;
    let dir = project.migrations_dir();
    let folders = History::survey(&dir)
        .map(|survey| survey.history.migrations.len() + survey.damaged.len())
        .unwrap_or_default();
    let mut conn = if args.keep_history {
        None
    } else {
        history_connection(&args.connection)?
    };
    let recorded = match &mut conn {
        Some(conn) => migration::applied(conn)?.len(),
        None => 0,
    };
    let mut removals = Vec::new();
    if dir.exists() {
        removals.push(format!("{} and its {folders} migration(s)", dir.display()));
    }
    if recorded > 0 {
        removals.push(format!(
            "the database's record of {recorded} applied migration(s)"
        ));
    }
    if removals.is_empty() {
        say!(
            "Nothing to clear: no migrations directory, and no migration history in the database."
        );
        return Ok(());
    }
    let removals = removals.join(", and ");
    if !args.force
        && !confirmed(&format!(
            "Remove {removals}? The tables and their data stay. [y/N] "
        ))?
    {
        return Err(CommandError::Refused(format!(
            "not removing {removals}: confirm on a terminal, or pass --force"
        )));
    }
    if let Some(conn) = conn.as_mut().filter(|_| recorded > 0) {
        let stamped = migration::stamp(conn, &History::default(), 0, true)?;
        say!(
            "✓ Migration history cleared: {} record(s) forgotten; the tables and their data stay",
            stamped.purged.len()
        );
    }
    if dir.exists() {
        clear_dir(&dir)?;
        say!("✓ Migrations cleared: {}", dir.display());
    }
    if recorded > 0 {
        say!();
        say!(
            "Next: `cargo ff database create-migration`, then `cargo ff database upgrade --baseline` (the tables exist already)."
        );
    }
    Ok(())
}

/// A connection to read and clear the migration history; `None` when the database does not
/// exist (it has no history).
fn history_connection(args: &ConnectionArgs) -> Result<Option<Connection>, CommandError> {
    let unreadable = |error: CommandError| {
        CommandError::Project(format!(
            "cannot read the database's migration history: {error}\nhelp: pass --keep-history to remove only the migration folders"
        ))
    };
    let url = super::url(args).map_err(unreadable)?;
    if !ff_runtime::database::database_exists(&url).map_err(|e| unreadable(e.into()))? {
        return Ok(None);
    }
    connect(args).map(Some).map_err(unreadable)
}

/// `clear-metadata`: remove the cache of entity schemas.
pub fn clear_metadata() -> Result<(), CommandError> {
    let project = Project::discover()?;
    let dir = project.project_metadata_dir();
    clear_dir(&dir)?;
    say!("✓ Metadata cache cleared: {}", dir.display());
    say!("The next command reads the entities again.");
    Ok(())
}

/// ` (resuming after statement N of M)` or ` (undoing what its interrupted run applied)` for a
/// migration whose run stopped halfway, else nothing.
fn resumption(planned: &migration::Planned) -> String {
    if planned.undoes_partial {
        " (undoing what its interrupted run applied)".to_owned()
    } else if planned.statements_done > 0 {
        format!(
            " (resuming after statement {} of {})",
            planned.statements_done,
            planned.statements.len()
        )
    } else {
        String::new()
    }
}

/// One line as a migration starts (`→ name …`, saying when it resumes a run that stopped
/// halfway or undoes what ran of one) and one as it ends (`✓ name (12 ms)`).
fn show_step(step: Progress<'_>, starting: &str, done: &str) {
    match step {
        Progress::Starting(planned) => {
            say!("  {starting} {} …{}", planned.name, resumption(planned))
        }
        Progress::Done(planned, took) => say!("  {done} {} ({})", planned.name, duration(took)),
    }
}

/// A duration as people read it: `12 ms`, `3.4 s`.
fn duration(took: std::time::Duration) -> String {
    if took.as_secs() >= 1 {
        format!("{:.1} s", took.as_secs_f64())
    } else {
        format!("{} ms", took.as_millis())
    }
}
