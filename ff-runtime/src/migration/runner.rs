//! Applying and reverting migrations through `diesel_migrations`, one process at a time.
//!
//! Each migration becomes a Diesel [`Migration`] whose SQL is rendered for the connection's
//! dialect. Diesel's harness records it in `__diesel_schema_migrations`; ff records the
//! checksum of its folder beside it in `__ff_migration_checksums`, in the same transaction.
//! Where DDL is not transactional (MySQL), `__ff_migration_progress` records how many statements
//! of the running migration completed, after each one, so that a run that stopped halfway
//! (killed, or failed) is resumed after the last statement that completed.
//! Runners exclude each other: an advisory lock on PostgreSQL, `GET_LOCK` on MySQL, and one
//! write transaction (`BEGIN IMMEDIATE`) around the whole run on SQLite.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use bigdecimal::BigDecimal;
use diesel::connection::SimpleConnection;
use diesel::migration::{Migration, MigrationMetadata, MigrationName, MigrationVersion};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::MigrationHarness;

use super::diff::reverse_all;
use super::error::{DecimalNotKept, MigrationError, Result};
use super::format::decimals_may_be_text;
use super::history::History;
use super::operation::Operation;
use super::render::{check_supported, render, sqlite_rebuilds};
use crate::Connection;
use crate::dialect::{Backend, Dialect, Sqlite};
use crate::schema::ColumnType;
use crate::sql_text::split_statements;

diesel::table! {
    /// Diesel's record of applied migrations (read here without creating it).
    __diesel_schema_migrations (version) {
        version -> Text,
    }
}

diesel::table! {
    /// The checksum of each applied migration's folder.
    __ff_migration_checksums (version) {
        version -> Text,
        checksum -> Text,
    }
}

diesel::table! {
    /// How many statements of a migration completed in a run that has not finished (on a
    /// database whose DDL is not transactional).
    __ff_migration_progress (version) {
        version -> Text,
        direction -> Text,
        statements_done -> Integer,
        checksum -> Text,
    }
}

/// A migration recorded in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The version.
    pub version: String,
    /// The checksum recorded when it was applied (`None` if applied by another tool).
    pub checksum: Option<String>,
}

/// A migration whose run stopped halfway on a database that commits DDL at once (MySQL): the
/// first `statements_done` of its statements ran, and the next run resumes after them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partial {
    /// The version.
    pub version: String,
    /// Whether it was being applied or reverted.
    pub direction: Direction,
    /// How many of its statements completed.
    pub statements_done: usize,
    /// The checksum of its folder when it ran: an edited migration cannot be resumed.
    pub checksum: String,
}

impl Partial {
    /// Whether the run went on to record its end, and only this note was left (a stop between
    /// the two): a migration being applied is recorded, one being reverted is not.
    pub(super) fn finished(&self, applied: &[Applied]) -> bool {
        let recorded = applied.iter().any(|a| a.version == self.version);
        recorded == (self.direction == Direction::Up)
    }
}

/// How far `upgrade` goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpgradeTarget {
    /// Every pending migration.
    Head,
    /// Up to and including this revision.
    To(String),
    /// The next `n` pending migrations.
    Steps(usize),
}

/// How far `downgrade` goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DowngradeTarget {
    /// Revert the last `n` applied migrations.
    Steps(usize),
    /// Revert every migration after this revision (it stays applied).
    To(String),
    /// Revert every migration.
    Base,
}

impl UpgradeTarget {
    /// The positions of the migrations to apply when the first `done` are applied.
    pub fn range(&self, history: &History, done: usize) -> Result<Range<usize>> {
        let end = match self {
            UpgradeTarget::Head => history.migrations.len(),
            UpgradeTarget::Steps(n) => (done + n).min(history.migrations.len()),
            UpgradeTarget::To(revision) => (history.position(revision)? + 1).max(done),
        };
        Ok(done..end)
    }
}

impl DowngradeTarget {
    /// The positions of the migrations to revert (revert them last first) when the first
    /// `done` are applied.
    pub fn range(&self, history: &History, done: usize) -> Result<Range<usize>> {
        let keep = match self {
            DowngradeTarget::Base => 0,
            DowngradeTarget::Steps(n) => done.saturating_sub(*n),
            DowngradeTarget::To(revision) => (history.position(revision)? + 1).min(done),
        };
        Ok(keep..done)
    }
}

/// One migration that is about to run, with its SQL for the connection's dialect.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The version.
    pub version: String,
    /// The folder name.
    pub name: String,
    /// The statements, in order.
    pub statements: Vec<String>,
    /// The destructive steps, described.
    pub data_loss: Vec<String>,
    /// The checksum of the migration's folder, recorded when it is applied.
    pub checksum: String,
    /// The decimal columns (table, column) whose text values SQLite turns into numbers when the
    /// migration runs (see [`Operation::StoreDecimalsAsNumbers`]): they are checked before it
    /// runs, and one SQLite would not give back exactly stops it.
    pub converted_decimals: Vec<(String, String)>,
    /// How many of the statements ran in an earlier run that stopped halfway: this one starts
    /// after them.
    pub statements_done: usize,
    /// Whether the statements undo what ran of a migration whose run stopped halfway (it was
    /// never recorded as applied).
    pub undoes_partial: bool,
}

/// Where a migration run is: reported to the caller of [`upgrade`] and [`downgrade`] as it
/// goes, so a long migration shows which one is running.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// The migration is about to run.
    Starting(&'a Planned),
    /// The migration ran (and was recorded), taking this long.
    Done(&'a Planned, std::time::Duration),
}

/// The SQL that applies the migration at `index` on `backend`: its operations, then its
/// hand-written `up` SQL.
pub fn up_statements(history: &History, index: usize, backend: Backend) -> Result<Vec<String>> {
    let migration = &history.migrations[index];
    let before = history.schema_before(index);
    check_supported(backend, &migration.file.operations)?;
    let mut statements = render(backend, &before, &migration.file.operations)
        .map_err(|error| inconsistent(history, index, error))?;
    statements.extend(hand_written_statements(history, index, "up", backend));
    Ok(statements)
}

/// The statements of the migration at `index`'s hand-written SQL for `direction` on `backend`,
/// one by one (see [`split_statements`]).
fn hand_written_statements(
    history: &History,
    index: usize,
    direction: &str,
    backend: Backend,
) -> Vec<String> {
    history.migrations[index]
        .hand_written_sql(direction, backend)
        .into_iter()
        .flat_map(|sql| split_statements(sql, backend))
        .map(str::to_owned)
        .collect()
}

/// The SQL that reverts the migration at `index` on `backend`: its hand-written `down` SQL,
/// then the reverse operations.
pub fn down_statements(history: &History, index: usize, backend: Backend) -> Result<Vec<String>> {
    let migration = &history.migrations[index];
    check_supported(backend, &migration.file.reverse)?;
    let mut statements = hand_written_statements(history, index, "down", backend);
    statements.extend(
        render(backend, &migration.snapshot, &migration.file.reverse)
            .map_err(|error| inconsistent(history, index, error))?,
    );
    Ok(statements)
}

/// The migrations recorded in the database, oldest first. Reads only: a database without
/// the bookkeeping tables has none.
pub fn applied(conn: &mut Connection) -> Result<Vec<Applied>> {
    with_target(conn, Lock::None, |target| target.applied(Setup::ReadOnly))
}

/// The migration whose run stopped halfway, if any (only on a database that commits DDL at
/// once: elsewhere a migration runs whole or not at all). Reads only.
pub fn interrupted(conn: &mut Connection) -> Result<Option<Partial>> {
    with_target(conn, Lock::None, |target| {
        let applied = target.applied(Setup::ReadOnly)?;
        Ok(target
            .progress()?
            .into_iter()
            .find(|partial| !partial.finished(&applied)))
    })
}

/// Checks the recorded history against the directory: every applied migration must be
/// there, unedited, and the applied ones must come first.
pub fn verify(history: &History, applied: &[Applied]) -> Result<usize> {
    for record in applied {
        let index = history
            .migrations
            .iter()
            .position(|m| m.version() == record.version)
            .ok_or_else(|| MigrationError::UnknownApplied(record.version.clone()))?;
        let migration = &history.migrations[index];
        if let Some(checksum) = &record.checksum
            && *checksum != migration.checksum
        {
            return Err(MigrationError::Edited {
                version: record.version.clone(),
                applied: checksum.clone(),
                current: migration.checksum.clone(),
            });
        }
    }
    let count = applied.len();
    if let Some(gap) = history.migrations[..count.min(history.migrations.len())]
        .iter()
        .find(|m| !applied.iter().any(|a| a.version == m.version()))
    {
        return Err(MigrationError::Stopped(format!(
            "migration {} comes before applied ones but is not applied (it was added out of order)\nhelp: move it after the head: remove it and run `cargo ff database create-migration` again",
            gap.name()
        )));
    }
    Ok(count)
}

/// Applies pending migrations up to `target`, telling `on_step` as each one starts and ends.
/// Refuses destructive steps unless `accept_data_loss`. Returns the versions applied.
pub fn upgrade(
    conn: &mut Connection,
    history: &History,
    target: &UpgradeTarget,
    accept_data_loss: bool,
    on_step: impl FnMut(Progress<'_>),
) -> Result<Vec<String>> {
    migrate(
        conn,
        history,
        Direction::Up,
        |done| target.range(history, done),
        accept_data_loss,
        on_step,
    )
}

/// Reverts applied migrations down to `target`, telling `on_step` as each one starts and ends.
/// Refuses destructive steps unless `accept_data_loss`. Returns the versions reverted.
pub fn downgrade(
    conn: &mut Connection,
    history: &History,
    target: &DowngradeTarget,
    accept_data_loss: bool,
    on_step: impl FnMut(Progress<'_>),
) -> Result<Vec<String>> {
    migrate(
        conn,
        history,
        Direction::Down,
        |done| target.range(history, done),
        accept_data_loss,
        on_step,
    )
}

/// What [`upgrade`] to `target` would run, from where the database stands (resuming a
/// migration whose run stopped halfway after the statements that ran:
/// [`Planned::statements_done`]). Reads only; runs nothing.
pub fn planned_upgrade(
    conn: &mut Connection,
    history: &History,
    target: &UpgradeTarget,
) -> Result<Vec<Planned>> {
    planned(conn, history, Direction::Up, |done| {
        target.range(history, done)
    })
}

/// What [`downgrade`] to `target` would run, from where the database stands (undoing first
/// what ran of a migration whose run stopped halfway: [`Planned::undoes_partial`]). Reads only;
/// runs nothing.
pub fn planned_downgrade(
    conn: &mut Connection,
    history: &History,
    target: &DowngradeTarget,
) -> Result<Vec<Planned>> {
    planned(conn, history, Direction::Down, |done| {
        target.range(history, done)
    })
}

fn planned(
    conn: &mut Connection,
    history: &History,
    direction: Direction,
    range: impl FnOnce(usize) -> Result<Range<usize>>,
) -> Result<Vec<Planned>> {
    let backend = conn.backend();
    with_target(conn, Lock::None, |target| {
        let applied = target.applied(Setup::ReadOnly)?;
        let progress = target.progress()?;
        plan_run(history, backend, direction, range, &applied, progress)
    })
}

/// Under the runner lock: reads the history, plans the migrations of `range` (last first when
/// reverting), checks consent, and runs them one by one.
fn migrate(
    conn: &mut Connection,
    history: &History,
    direction: Direction,
    range: impl FnOnce(usize) -> Result<Range<usize>>,
    accept_data_loss: bool,
    mut on_step: impl FnMut(Progress<'_>),
) -> Result<Vec<String>> {
    let backend = conn.backend();
    with_target(conn, Lock::Exclusive, |runner| {
        let applied = runner.applied(Setup::Create)?;
        let progress = runner.progress()?;
        for finished in progress.iter().filter(|p| p.finished(&applied)) {
            runner.clear_progress(&finished.version)?;
        }
        let plan = plan_run(history, backend, direction, range, &applied, progress)?;
        refuse_data_loss(&plan, accept_data_loss)?;
        let mut versions = Vec::new();
        for planned in &plan {
            on_step(Progress::Starting(planned));
            let started = std::time::Instant::now();
            runner.run(planned, direction)?;
            on_step(Progress::Done(planned, started.elapsed()));
            versions.push(planned.version.clone());
        }
        Ok(versions)
    })
}

/// Plans the migrations of `range` (given how many are applied; last first when reverting)
/// from where the database stands: `applied`, and `progress`, the runs that stopped halfway.
/// A migration being applied that stopped halfway resumes, or is undone first when reverting;
/// one being reverted resumes, and stops an upgrade.
fn plan_run(
    history: &History,
    backend: Backend,
    direction: Direction,
    range: impl FnOnce(usize) -> Result<Range<usize>>,
    applied: &[Applied],
    progress: Vec<Partial>,
) -> Result<Vec<Planned>> {
    let done = verify(history, applied)?;
    let partial = progress.into_iter().find(|p| !p.finished(applied));
    let partial = partial
        .map(|partial| check_partial(history, done, partial))
        .transpose()?;
    Ok(match (direction, partial) {
        (Direction::Down, Some(partial)) if partial.direction == Direction::Up => {
            // The migration that stopped halfway is the last one to revert.
            let range = range(done + 1)?;
            let mut plan = Vec::new();
            if !range.is_empty() {
                plan.push(plan_undo(history, done, backend, partial.statements_done)?);
                plan.extend(plan_all(history, range.start..done, backend, direction)?);
            }
            plan
        }
        (Direction::Up, Some(partial)) if partial.direction == Direction::Down => {
            return Err(MigrationError::Stopped(format!(
                "the downgrade of migration {} stopped after {} of its statements; upgrading on top of a half-reverted migration would skip the rest\nhelp: run `cargo ff database downgrade` to finish reverting it (it resumes where it stopped), then upgrade",
                history.migrations[done - 1].name(),
                partial.statements_done
            )));
        }
        (_, partial) => {
            let mut plan = plan_all(history, range(done)?, backend, direction)?;
            if let (Some(partial), Some(first)) = (partial, plan.first_mut())
                && first.version == partial.version
            {
                first.statements_done = partial.statements_done;
            }
            plan
        }
    })
}

/// Applying or reverting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Applying (`upgrade`).
    Up,
    /// Reverting (`downgrade`).
    Down,
}

impl Direction {
    /// `up` or `down`, as `__ff_migration_progress` records it.
    fn name(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

/// Checks that the migration whose run stopped halfway is the one the history has next to apply
/// (or last to revert), unedited since.
fn check_partial(history: &History, done: usize, partial: Partial) -> Result<Partial> {
    let expected = match partial.direction {
        Direction::Up => history.migrations.get(done),
        Direction::Down => done.checked_sub(1).map(|last| &history.migrations[last]),
    };
    let Some(migration) = expected.filter(|m| m.version() == partial.version) else {
        return Err(MigrationError::Stopped(format!(
            "the database records that the run of migration {} stopped after {} statement(s), but it is not the next one of the migrations directory to {}\nhelp: restore the migrations directory from version control; if that migration was undone by hand, forget its run with `cargo ff database stamp`",
            partial.version,
            partial.statements_done,
            if partial.direction == Direction::Up {
                "apply"
            } else {
                "revert"
            },
        )));
    };
    if migration.checksum != partial.checksum {
        return Err(MigrationError::EditedWhileInterrupted {
            name: migration.name(),
            statements_done: partial.statements_done,
            recorded: partial.checksum,
            current: migration.checksum.clone(),
        });
    }
    Ok(partial)
}

/// The migrations of `range` planned in `direction` (last first when reverting).
fn plan_all(
    history: &History,
    range: Range<usize>,
    backend: Backend,
    direction: Direction,
) -> Result<Vec<Planned>> {
    let indexes: Vec<usize> = match direction {
        Direction::Up => range.collect(),
        Direction::Down => range.rev().collect(),
    };
    indexes
        .into_iter()
        .map(|index| plan(history, index, backend, direction))
        .collect()
}

fn plan(
    history: &History,
    index: usize,
    backend: Backend,
    direction: Direction,
) -> Result<Planned> {
    let migration = &history.migrations[index];
    let (statements, operations) = match direction {
        Direction::Up => (
            up_statements(history, index, backend)?,
            &migration.file.operations,
        ),
        Direction::Down => (
            down_statements(history, index, backend)?,
            &migration.file.reverse,
        ),
    };
    Ok(Planned {
        version: migration.version().to_owned(),
        name: migration.name(),
        statements,
        data_loss: operations.iter().filter_map(|op| op.data_loss()).collect(),
        checksum: migration.checksum.clone(),
        converted_decimals: converted_decimals(history, index, direction)?,
        statements_done: 0,
        undoes_partial: false,
    })
}

/// Plans undoing the first `done` statements of the migration at `index`, whose run stopped
/// there (before it was recorded). All of them: its downgrade. Otherwise ff can tell what undoes
/// them when they are exactly those of its first operations: their reverse. A stop inside an
/// operation of several statements, or inside the hand-written SQL, is refused with the fix.
fn plan_undo(history: &History, index: usize, backend: Backend, done: usize) -> Result<Planned> {
    let migration = &history.migrations[index];
    let total = up_statements(history, index, backend)?.len();
    let generated = total - hand_written_statements(history, index, "up", backend).len();
    let operations = &migration.file.operations;
    // `None`: every statement ran, and the downgrade undoes them; otherwise the number of
    // operations that ran, which their reverse undoes.
    let refuse = |inside: &str| underivable(history, index, done, total, inside);
    let count = if done == total {
        None
    } else if done == generated {
        Some(operations.len())
    } else if done > generated {
        return Err(refuse("its hand-written SQL"));
    } else {
        let count = operations_done(history, index, backend, done)?;
        Some(count.ok_or_else(|| refuse("one of its operations"))?)
    };
    let (statements, reverse) = match count {
        None => (
            down_statements(history, index, backend)?,
            migration.file.reverse.clone(),
        ),
        Some(count) => {
            let ran = &operations[..count];
            let mut after = history.schema_before(index);
            after
                .apply_all(ran)
                .map_err(|error| inconsistent(history, index, error))?;
            let reverse = reverse_all(ran);
            let statements = render(backend, &after, &reverse)
                .map_err(|error| inconsistent(history, index, error))?;
            (statements, reverse)
        }
    };
    Ok(Planned {
        version: migration.version().to_owned(),
        name: migration.name(),
        statements,
        data_loss: reverse.iter().filter_map(|op| op.data_loss()).collect(),
        checksum: migration.checksum.clone(),
        converted_decimals: Vec::new(),
        statements_done: 0,
        undoes_partial: true,
    })
}

/// Why the first `done` statements of the migration at `index` cannot be undone, and the fix.
fn underivable(
    history: &History,
    index: usize,
    done: usize,
    total: usize,
    inside: &str,
) -> MigrationError {
    let parent = index.checked_sub(1).map_or("base".to_owned(), |parent| {
        history.migrations[parent].name()
    });
    MigrationError::Stopped(format!(
        "migration {} stopped after statement {done} of {total}, inside {inside}, so ff cannot tell what undoes exactly the statements that ran\nhelp: run `cargo ff database upgrade` to finish it, then downgrade; or undo those statements by hand (`cargo ff database status` shows where it stopped) and forget the run with `cargo ff database stamp {parent}`",
        history.migrations[index].name(),
    ))
}

/// How many operations of the migration at `index` the first `done` of its statements complete,
/// when they complete a whole number of them: each operation rendered alone must give the
/// statements it gives among the others (no dialect carries a step over to the next one).
fn operations_done(
    history: &History,
    index: usize,
    backend: Backend,
    done: usize,
) -> Result<Option<usize>> {
    let operations = &history.migrations[index].file.operations;
    let before = history.schema_before(index);
    let together =
        render(backend, &before, operations).map_err(|e| inconsistent(history, index, e))?;
    let mut schema = before;
    let mut alone = Vec::new();
    let mut ends = vec![0];
    for operation in operations {
        alone.extend(
            render(backend, &schema, std::slice::from_ref(operation))
                .map_err(|e| inconsistent(history, index, e))?,
        );
        ends.push(alone.len());
        schema
            .apply(operation)
            .map_err(|e| inconsistent(history, index, e))?;
    }
    Ok((alone == together)
        .then(|| ends.iter().position(|&end| end == done))
        .flatten())
}

/// The migration at `index` does not fit the schema before it.
fn inconsistent(
    history: &History,
    index: usize,
    error: super::operation::ApplyError,
) -> MigrationError {
    MigrationError::Inconsistent {
        version: history.migrations[index].version().to_owned(),
        reason: error.to_string(),
    }
}

/// The decimal columns whose text values SQLite turns into numbers when the migration at
/// `index` runs in `direction`, checked before it does:
///
/// - when upgrading, those its [`Operation::StoreDecimalsAsNumbers`] name; they must come
///   first, as `create-migration` writes them, so that the tables have the names the
///   operations give them when the values are checked, before any statement runs;
/// - from a snapshot of an earlier format (where the columns may still be `TEXT`), those of
///   every table the operations rebuild: a migration written by an earlier ff copies text
///   into numeric columns too.
fn converted_decimals(
    history: &History,
    index: usize,
    direction: Direction,
) -> Result<Vec<(String, String)>> {
    let migration = &history.migrations[index];
    let (operations, before, format) = match direction {
        Direction::Up => (
            &migration.file.operations,
            history.schema_before(index),
            index
                .checked_sub(1)
                .map(|parent| history.migrations[parent].format),
        ),
        Direction::Down => (
            &migration.file.reverse,
            migration.snapshot.clone(),
            Some(migration.format),
        ),
    };
    let is_conversion = |op: &&Operation| matches!(op, Operation::StoreDecimalsAsNumbers { .. });
    let mut columns: Vec<(String, String)> = Vec::new();
    if direction == Direction::Up {
        let leading = operations.iter().take_while(is_conversion).count();
        if let Some(late) = operations[leading..].iter().find(is_conversion) {
            return Err(MigrationError::Inconsistent {
                version: migration.version().to_owned(),
                reason: format!(
                    "store_decimals_as_numbers on `{}` comes after other operations; it must come first",
                    late.table_name()
                ),
            });
        }
        for op in &operations[..leading] {
            if let Operation::StoreDecimalsAsNumbers {
                table,
                columns: names,
            } = op
            {
                columns.extend(names.iter().map(|c| (table.to_string(), c.to_string())));
            }
        }
    }
    if format.is_some_and(decimals_may_be_text) {
        // The name each table had before the migration, by its name now.
        let mut original: BTreeMap<&str, &str> = BTreeMap::new();
        for op in operations.iter().filter(|op| !is_conversion(op)) {
            if let Operation::RenameTable { from, to } = op {
                let name = original.remove(from.as_ref()).unwrap_or(from);
                original.insert(to, name);
            } else if sqlite_rebuilds(op) {
                let name = op.table_name();
                let name = original.get(name).copied().unwrap_or(name);
                for column in before
                    .table(name)
                    .into_iter()
                    .flat_map(|t| t.columns.iter())
                {
                    let pair = (name.to_owned(), column.name.to_string());
                    if matches!(column.sql_type, ColumnType::Decimal { .. })
                        && !columns.contains(&pair)
                    {
                        columns.push(pair);
                    }
                }
            }
        }
    }
    Ok(columns)
}

fn refuse_data_loss(plan: &[Planned], accept_data_loss: bool) -> Result<()> {
    let steps: Vec<String> = plan
        .iter()
        .flat_map(|p| {
            p.data_loss
                .iter()
                .map(move |loss| format!("{}: {loss}", p.name))
        })
        .collect();
    if steps.is_empty() || accept_data_loss {
        Ok(())
    } else {
        Err(MigrationError::DataLossRefused { steps })
    }
}

/// A planned migration as Diesel's harness sees it.
struct Step<'a> {
    planned: &'a Planned,
    direction: Direction,
    transactional: bool,
}

impl fmt::Display for Step<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.planned.name)
    }
}

impl MigrationName for Step<'_> {
    fn version(&self) -> MigrationVersion<'_> {
        MigrationVersion::from(self.planned.version.as_str())
    }
}

impl MigrationMetadata for Step<'_> {
    fn run_in_transaction(&self) -> bool {
        self.transactional
    }
}

impl Step<'_> {
    /// Runs the statements one by one from the first that has not run, calling `ran` with the
    /// number done after each one, and telling which one failed and which ran before it.
    fn execute<C: SimpleConnection>(
        &self,
        conn: &mut C,
        mut ran: impl FnMut(&mut C, usize) -> Result<()>,
    ) -> Result<()> {
        let statements = &self.planned.statements;
        for (index, sql) in statements
            .iter()
            .enumerate()
            .skip(self.planned.statements_done)
        {
            if let Err(error) = conn.batch_execute(sql) {
                return Err(MigrationError::StepFailed {
                    version: self.planned.version.clone(),
                    step: index + 1,
                    total: statements.len(),
                    sql: sql.clone(),
                    cause: error.to_string(),
                    transactional: self.transactional,
                    applied: statements[..index].to_vec(),
                });
            }
            ran(conn, index + 1)?;
        }
        Ok(())
    }
}

type HarnessResult = diesel::migration::Result<()>;

/// `Migration` for one concrete connection: check the data, run the SQL (noting after each
/// statement how many completed), check the result, then record or forget the checksum.
macro_rules! step_migration {
    ($backend:ty, $conn:ty, $before:expr, $note:expr, $checks:expr) => {
        impl Migration<$backend> for Step<'_> {
            fn run(
                &self,
                conn: &mut dyn diesel::connection::BoxableConnection<$backend>,
            ) -> HarnessResult {
                let conn = conn
                    .downcast_mut::<$conn>()
                    .expect("ff runs its migrations on its own connections");
                let before: fn(&mut $conn, &Planned) -> Result<()> = $before;
                before(conn, self.planned)?;
                let note: fn(&mut $conn, &Planned, Direction, usize) -> Result<()> = $note;
                self.execute(conn, |conn, done| {
                    // Undoing is not noted (see `plan_undo`): the partial run's note stays
                    // until the undoing is done.
                    if self.planned.undoes_partial {
                        Ok(())
                    } else {
                        note(conn, self.planned, self.direction, done)
                    }
                })?;
                let checks: fn(&mut $conn, &str) -> Result<()> = $checks;
                checks(conn, &self.planned.version)?;
                // A run stopped after this point left the checksum but not Diesel's record.
                diesel::delete(__ff_migration_checksums::table.find(self.planned.version.as_str()))
                    .execute(conn)?;
                if self.direction == Direction::Up {
                    diesel::insert_into(__ff_migration_checksums::table)
                        .values((
                            __ff_migration_checksums::version.eq(&self.planned.version),
                            __ff_migration_checksums::checksum.eq(&self.planned.checksum),
                        ))
                        .execute(conn)?;
                }
                Ok(())
            }

            fn revert(
                &self,
                conn: &mut dyn diesel::connection::BoxableConnection<$backend>,
            ) -> HarnessResult {
                // ff hands Diesel a Step whose direction is already chosen.
                Migration::<$backend>::run(self, conn)
            }

            fn metadata(&self) -> &dyn MigrationMetadata {
                self
            }

            fn name(&self) -> &dyn MigrationName {
                self
            }
        }
    };
}

// A migration runs whole or not at all on SQLite and PostgreSQL: nothing to note there.
step_migration!(
    diesel::sqlite::Sqlite,
    SqliteConnection,
    sqlite_decimal_check,
    |_, _, _, _| Ok(()),
    sqlite_foreign_key_check
);
// Decimal columns were always numeric on PostgreSQL and MySQL: nothing is converted there.
step_migration!(
    diesel::pg::Pg,
    PgConnection,
    |_, _| Ok(()),
    |_, _, _, _| Ok(()),
    |_, _| Ok(())
);
#[cfg(feature = "mysql")]
step_migration!(
    diesel::mysql::Mysql,
    diesel::mysql::MysqlConnection,
    |_, _| Ok(()),
    mysql_note_progress,
    |_, _| Ok(())
);

/// MySQL commits each DDL statement at once: notes that `done` statements of the migration
/// completed, in one statement, so that a stop leaves either the last count or this one.
#[cfg(feature = "mysql")]
fn mysql_note_progress(
    conn: &mut diesel::mysql::MysqlConnection,
    planned: &Planned,
    direction: Direction,
    done: usize,
) -> Result<()> {
    diesel::replace_into(__ff_migration_progress::table)
        .values((
            __ff_migration_progress::version.eq(&planned.version),
            __ff_migration_progress::direction.eq(direction.name()),
            __ff_migration_progress::statements_done.eq(i32::try_from(done).unwrap_or(i32::MAX)),
            __ff_migration_progress::checksum.eq(&planned.checksum),
        ))
        .execute(conn)?;
    Ok(())
}

/// A text value of a decimal column, and the number SQLite's numeric affinity makes of it, as
/// ff reads it (`None`: it stays text).
#[derive(QueryableByName)]
struct ConvertedDecimal {
    #[diesel(sql_type = diesel::sql_types::Text)]
    original: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<crate::sql_types::Decimal>)]
    converted: Option<BigDecimal>,
}

/// The temporary table that shows what numeric affinity makes of each text value.
const DECIMAL_CHECK_TABLE: &str = "temp.__ff_decimal_check";

/// Before SQLite stores the text of decimal columns as numbers: every text value must come
/// back exactly from the number the column's numeric affinity will make of it. SQLite keeps
/// an integer of 64 bits, or 15 significant digits, and silently rounds the rest; such a value
/// (or text that is no number) stops the migration before anything of it runs, naming it.
fn sqlite_decimal_check(conn: &mut SqliteConnection, planned: &Planned) -> Result<()> {
    for (table, column) in &planned.converted_decimals {
        let (t, c) = (Sqlite.quote(table), Sqlite.quote(column));
        // The same affinity as the rebuilt table's: a NUMERIC column of a temporary table.
        conn.batch_execute(&format!(
            "DROP TABLE IF EXISTS {DECIMAL_CHECK_TABLE}; \
             CREATE TABLE {DECIMAL_CHECK_TABLE} (original TEXT, converted NUMERIC); \
             INSERT INTO {DECIMAL_CHECK_TABLE} SELECT {c}, {c} FROM {t} WHERE typeof({c}) = 'text'"
        ))
        .map_err(crate::Error::from)?;
        let values: Vec<ConvertedDecimal> = diesel::sql_query(format!(
            "SELECT original, CASE WHEN typeof(converted) IN ('integer', 'real') \
             THEN converted END AS converted FROM {DECIMAL_CHECK_TABLE}"
        ))
        .load(conn)
        .map_err(crate::Error::from)?;
        conn.batch_execute(&format!("DROP TABLE {DECIMAL_CHECK_TABLE}"))
            .map_err(crate::Error::from)?;
        for value in values {
            let exact = BigDecimal::from_str(&value.original).ok();
            let problem = match (&exact, &value.converted) {
                (Some(exact), Some(converted)) if exact == converted => continue,
                (None, _) => "it is not a number".to_owned(),
                (Some(_), None) => "SQLite does not read it as a number".to_owned(),
                (Some(_), Some(converted)) => format!(
                    "SQLite would keep {converted}: a decimal column there holds an integer of \
                     64 bits or 15 significant digits"
                ),
            };
            return Err(MigrationError::DecimalNotKept(Box::new(DecimalNotKept {
                version: planned.version.clone(),
                table: table.clone(),
                column: column.clone(),
                value: value.original,
                problem,
            })));
        }
    }
    Ok(())
}

#[derive(QueryableByName)]
struct ForeignKeyViolation {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    parent: String,
}

/// SQLite checks nothing while foreign keys are off (as they are during a migration, so that
/// tables can be rebuilt): check the whole database before the migration is recorded.
fn sqlite_foreign_key_check(conn: &mut SqliteConnection, version: &str) -> Result<()> {
    let violations: Vec<ForeignKeyViolation> =
        diesel::sql_query("SELECT \"table\", parent FROM pragma_foreign_key_check")
            .load(conn)
            .map_err(crate::Error::from)?;
    match violations.first() {
        None => Ok(()),
        Some(first) => Err(MigrationError::Stopped(format!(
            "migration {version} leaves {} row(s) whose foreign key points nowhere (first: a row of `{}` referring to `{}`); nothing of it was applied\nhelp: delete or fix those rows (or add the missing parents) in this migration's up.sql (it runs before the check), then upgrade again",
            violations.len(),
            first.table,
            first.parent
        ))),
    }
}

/// What a runner can do on one concrete connection.
pub(super) trait Runner {
    fn applied(&mut self, setup: Setup) -> Result<Vec<Applied>>;
    fn run(&mut self, planned: &Planned, direction: Direction) -> Result<()>;
    fn has_table(&mut self, name: &str) -> Result<bool>;
    /// Records a migration as applied, with its checksum, without running it.
    fn record(&mut self, version: &str, checksum: &str) -> Result<()>;
    /// Replaces the checksum recorded for an applied migration.
    fn set_checksum(&mut self, version: &str, checksum: &str) -> Result<()>;
    /// Forgets that a migration was applied, without reverting it.
    fn forget(&mut self, version: &str) -> Result<()>;
    /// The runs that stopped halfway, as `__ff_migration_progress` records them (none without
    /// the table).
    fn progress(&mut self) -> Result<Vec<Partial>>;
    /// Forgets how far the run of a migration got.
    fn clear_progress(&mut self, version: &str) -> Result<()>;
    /// The tables of the database ([`introspect::live_schema`](crate::introspect::live_schema)).
    fn live_schema(&mut self) -> Result<crate::introspect::LiveSchema>;
    /// Runs `work` in a transaction (a savepoint inside SQLite's run-wide one).
    fn in_transaction(&mut self, work: &mut dyn FnMut(&mut dyn Runner) -> Result<()>)
    -> Result<()>;
}

macro_rules! runner {
    ($conn:ty, $backend:expr) => {
        impl Runner for $conn {
            fn applied(&mut self, setup: Setup) -> Result<Vec<Applied>> {
                let dialect = $backend.dialect();
                if setup == Setup::Create {
                    MigrationHarness::applied_migrations(self)
                        .map_err(|error| MigrationError::Harness(error.to_string()))?;
                    self.batch_execute(&format!(
                        "CREATE TABLE IF NOT EXISTS {} ({} VARCHAR(50) NOT NULL PRIMARY KEY, {} VARCHAR(64) NOT NULL)",
                        dialect.quote("__ff_migration_checksums"),
                        dialect.quote("version"),
                        dialect.quote("checksum"),
                    ))
                    .map_err(crate::Error::from)?;
                    if !$backend.transactional_ddl() {
                        self.batch_execute(&format!(
                            "CREATE TABLE IF NOT EXISTS {} ({} VARCHAR(50) NOT NULL PRIMARY KEY, {} VARCHAR(4) NOT NULL, {} INTEGER NOT NULL, {} VARCHAR(64) NOT NULL)",
                            dialect.quote("__ff_migration_progress"),
                            dialect.quote("version"),
                            dialect.quote("direction"),
                            dialect.quote("statements_done"),
                            dialect.quote("checksum"),
                        ))
                        .map_err(crate::Error::from)?;
                    }
                } else if !Runner::has_table(self, "__diesel_schema_migrations")? {
                    return Ok(Vec::new());
                }
                let versions: Vec<String> = __diesel_schema_migrations::table
                    .select(__diesel_schema_migrations::version)
                    .order(__diesel_schema_migrations::version)
                    .load(self)
                    .map_err(crate::Error::from)?;
                let checksums: BTreeMap<String, String> =
                    if Runner::has_table(self, "__ff_migration_checksums")? {
                        __ff_migration_checksums::table
                            .select((
                                __ff_migration_checksums::version,
                                __ff_migration_checksums::checksum,
                            ))
                            .load::<(String, String)>(self)
                            .map_err(crate::Error::from)?
                            .into_iter()
                            .collect()
                    } else {
                        BTreeMap::new()
                    };
                Ok(versions
                    .into_iter()
                    .map(|version| Applied {
                        checksum: checksums.get(&version).cloned(),
                        version,
                    })
                    .collect())
            }

            fn has_table(&mut self, name: &str) -> Result<bool> {
                let sql = match $backend {
                    Backend::Sqlite => {
                        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?"
                    }
                    Backend::Postgres => {
                        "SELECT COUNT(*) AS n FROM information_schema.tables \
                         WHERE table_schema = current_schema() AND table_name = $1"
                    }
                    Backend::Mysql => {
                        "SELECT COUNT(*) AS n FROM information_schema.tables \
                         WHERE table_schema = DATABASE() AND table_name = ?"
                    }
                };
                let found: Found = diesel::sql_query(sql)
                    .bind::<diesel::sql_types::Text, _>(name)
                    .get_result(self)
                    .map_err(crate::Error::from)?;
                Ok(found.n > 0)
            }

            fn record(&mut self, version: &str, checksum: &str) -> Result<()> {
                diesel::insert_into(__diesel_schema_migrations::table)
                    .values(__diesel_schema_migrations::version.eq(version))
                    .execute(self)?;
                Runner::set_checksum(self, version, checksum)
            }

            fn set_checksum(&mut self, version: &str, checksum: &str) -> Result<()> {
                diesel::delete(__ff_migration_checksums::table.find(version)).execute(self)?;
                diesel::insert_into(__ff_migration_checksums::table)
                    .values((
                        __ff_migration_checksums::version.eq(version),
                        __ff_migration_checksums::checksum.eq(checksum),
                    ))
                    .execute(self)?;
                Ok(())
            }

            fn forget(&mut self, version: &str) -> Result<()> {
                diesel::delete(__ff_migration_checksums::table.find(version)).execute(self)?;
                diesel::delete(__diesel_schema_migrations::table.find(version)).execute(self)?;
                Ok(())
            }

            fn progress(&mut self) -> Result<Vec<Partial>> {
                if !Runner::has_table(self, "__ff_migration_progress")? {
                    return Ok(Vec::new());
                }
                let rows: Vec<(String, String, i32, String)> = __ff_migration_progress::table
                    .select((
                        __ff_migration_progress::version,
                        __ff_migration_progress::direction,
                        __ff_migration_progress::statements_done,
                        __ff_migration_progress::checksum,
                    ))
                    .order(__ff_migration_progress::version)
                    .load(self)
                    .map_err(crate::Error::from)?;
                Ok(rows
                    .into_iter()
                    .map(|(version, direction, done, checksum)| Partial {
                        version,
                        direction: if direction == Direction::Down.name() {
                            Direction::Down
                        } else {
                            Direction::Up
                        },
                        statements_done: usize::try_from(done).unwrap_or_default(),
                        checksum,
                    })
                    .collect())
            }

            fn clear_progress(&mut self, version: &str) -> Result<()> {
                if Runner::has_table(self, "__ff_migration_progress")? {
                    diesel::delete(__ff_migration_progress::table.find(version)).execute(self)?;
                }
                Ok(())
            }

            fn live_schema(&mut self) -> Result<crate::introspect::LiveSchema> {
                Ok(crate::introspect::ReadLiveSchema::live_schema(self)?)
            }

            fn in_transaction(
                &mut self,
                work: &mut dyn FnMut(&mut dyn Runner) -> Result<()>,
            ) -> Result<()> {
                diesel::Connection::transaction::<_, MigrationError, _>(self, |conn| work(conn))
            }

            fn run(&mut self, planned: &Planned, direction: Direction) -> Result<()> {
                let planned = &ServerSql::adapt(self, planned)?;
                let step = Step {
                    planned,
                    direction,
                    transactional: $backend.transactional_ddl(),
                };
                let outcome = match direction {
                    Direction::Up => MigrationHarness::run_migration(self, &step),
                    Direction::Down => MigrationHarness::revert_migration(self, &step),
                };
                outcome.map_err(|error| match error.downcast::<MigrationError>() {
                    Ok(error) => *error,
                    Err(error) => MigrationError::Harness(error.to_string()),
                })?;
                if step.transactional {
                    Ok(())
                } else {
                    Runner::clear_progress(self, &planned.version)
                }
            }
        }
    };
}

/// Rendered SQL adapted to the server it runs on (see [`Connection::adapt_to_server`]).
///
/// [`Connection::adapt_to_server`]: crate::Connection::adapt_to_server
trait ServerSql {
    fn adapt(&mut self, planned: &Planned) -> Result<Planned> {
        Ok(planned.clone())
    }
}

impl ServerSql for SqliteConnection {}
impl ServerSql for PgConnection {}

#[cfg(feature = "mysql")]
impl ServerSql for diesel::mysql::MysqlConnection {
    fn adapt(&mut self, planned: &Planned) -> Result<Planned> {
        let collation = crate::dialect::server_collation(self).map_err(crate::Error::from)?;
        let statements = planned
            .statements
            .iter()
            .map(|sql| crate::dialect::with_collation(sql, collation))
            .collect();
        Ok(Planned {
            statements,
            ..planned.clone()
        })
    }
}

runner!(SqliteConnection, Backend::Sqlite);
runner!(PgConnection, Backend::Postgres);
#[cfg(feature = "mysql")]
runner!(diesel::mysql::MysqlConnection, Backend::Mysql);

/// Whether reading the history may create the bookkeeping tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Setup {
    /// Create them if missing (under the runner lock).
    Create,
    /// Only read; missing tables mean an empty history.
    ReadOnly,
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Whether a run excludes other runners.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lock {
    None,
    Exclusive,
}

/// The key of ff's PostgreSQL advisory lock ("ffmigr" in ASCII).
const ADVISORY_LOCK_KEY: i64 = 0x6666_6d69_6772;

/// How long a runner waits for another one (MySQL and SQLite), in seconds.
const LOCK_TIMEOUT_SECONDS: i32 = 600;

#[cfg(feature = "mysql")]
#[derive(QueryableByName)]
struct LockResult {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
    acquired: Option<i32>,
}

/// Runs `work` on the concrete connection, holding the runner lock when `lock` asks for it.
pub(super) fn with_target<T>(
    conn: &mut Connection,
    lock: Lock,
    work: impl FnOnce(&mut dyn Runner) -> Result<T>,
) -> Result<T> {
    match conn {
        Connection::Sqlite(c) => {
            if lock == Lock::None {
                return work(c);
            }
            // Tables are rebuilt with foreign keys off (it cannot change inside a
            // transaction); every migration checks them before it is recorded.
            // Another runner holds the write lock for as long as its migrations take.
            c.batch_execute(&format!(
                "PRAGMA foreign_keys = OFF; PRAGMA busy_timeout = {}",
                LOCK_TIMEOUT_SECONDS * 1000
            ))
            .map_err(crate::Error::from)?;
            // Each migration runs in a savepoint of this transaction: when one fails, the
            // ones before it are still committed, as on the other databases.
            let mut failure = None;
            let outcome = c.immediate_transaction(|c| match work(c) {
                Ok(value) => Ok(Some(value)),
                Err(error) => {
                    failure = Some(error);
                    Ok(None)
                }
            });
            let outcome = match (outcome, failure) {
                (_, Some(error)) | (Err(error), None) => Err(error),
                (Ok(value), None) => Ok(value.expect("a value without a failure")),
            };
            c.batch_execute(crate::connection::SQLITE_SETUP)
                .map_err(crate::Error::from)?;
            outcome
        }
        Connection::Postgres(c) => {
            if lock == Lock::None {
                return work(c);
            }
            diesel::sql_query("SELECT pg_advisory_lock($1)")
                .bind::<diesel::sql_types::BigInt, _>(ADVISORY_LOCK_KEY)
                .execute(c)
                .map_err(crate::Error::from)?;
            let outcome = work(c);
            diesel::sql_query("SELECT pg_advisory_unlock($1)")
                .bind::<diesel::sql_types::BigInt, _>(ADVISORY_LOCK_KEY)
                .execute(c)
                .map_err(crate::Error::from)?;
            outcome
        }
        #[cfg(feature = "mysql")]
        Connection::Mysql(c) => {
            if lock == Lock::None {
                return work(c);
            }
            let lock: LockResult =
                diesel::sql_query("SELECT GET_LOCK('ff_migrations', ?) AS acquired")
                    .bind::<diesel::sql_types::Integer, _>(LOCK_TIMEOUT_SECONDS)
                    .get_result(c)
                    .map_err(crate::Error::from)?;
            if lock.acquired != Some(1) {
                return Err(MigrationError::Stopped(format!(
                    "another `upgrade` held the migration lock for {LOCK_TIMEOUT_SECONDS} s; try again when it is done"
                )));
            }
            let outcome = work(c);
            diesel::sql_query("SELECT RELEASE_LOCK('ff_migrations') AS acquired")
                .get_result::<LockResult>(c)
                .map_err(crate::Error::from)?;
            outcome
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow::Borrowed;

    use super::*;
    use crate::migration::{LEGACY_FORMAT, MigrationDir, MigrationFile, SNAPSHOT_FORMAT, Schema};
    use crate::schema::{ColumnDef, IndexDef, TableDef, UniqueDef};

    fn orders() -> TableDef {
        let total = ColumnDef::new(
            "total",
            ColumnType::Decimal {
                precision: 12,
                scale: 2,
            },
            false,
        );
        let id = ColumnDef::new("id", ColumnType::BigInt, false);
        TableDef::new(
            "orders",
            vec![id, ColumnDef::new("note", ColumnType::Text, true), total],
        )
    }

    /// A migration of `format` whose snapshot is `snapshot`.
    fn migration(
        version: &str,
        operations: Vec<Operation>,
        snapshot: Schema,
        format: u32,
    ) -> MigrationDir {
        MigrationDir {
            path: format!("migrations/{version}_m").into(),
            file: MigrationFile {
                version: version.into(),
                message: "m".into(),
                parent: None,
                reverse: crate::migration::reverse_all(&operations),
                operations,
                data_loss: Vec::new(),
            },
            snapshot,
            format,
            sql: BTreeMap::new(),
            checksum: String::new(),
        }
    }

    /// A first migration of `parent_format` creating `orders`, then one with `operations`.
    fn two_migrations(parent_format: u32, operations: Vec<Operation>, format: u32) -> History {
        let first = migration(
            "20260101000000",
            vec![Operation::CreateTable { table: orders() }],
            Schema::new([orders()]),
            parent_format,
        );
        let mut after = Schema::new([orders()]);
        after.apply_all(&operations).unwrap();
        History {
            migrations: vec![
                first,
                migration("20260102000000", operations, after, format),
            ],
        }
    }

    fn unique_note() -> Operation {
        Operation::AddUnique {
            table: Borrowed("purchase"),
            unique: UniqueDef {
                name: Borrowed("uq_purchase_note"),
                columns: vec![Borrowed("note")].into(),
            },
        }
    }

    fn index_total() -> Operation {
        Operation::AddIndex {
            table: Borrowed("orders"),
            index: IndexDef {
                name: Borrowed("ix_orders_total"),
                columns: vec![Borrowed("total")].into(),
                unique: false,
                predicate: None,
            },
        }
    }

    fn rename() -> Operation {
        Operation::RenameTable {
            from: Borrowed("orders"),
            to: Borrowed("purchase"),
        }
    }

    fn checked(history: &History, direction: Direction) -> Vec<(String, String)> {
        converted_decimals(history, 1, direction).unwrap()
    }

    fn column(table: &str, column: &str) -> (String, String) {
        (table.to_owned(), column.to_owned())
    }

    #[test]
    fn what_ran_of_an_interrupted_migration_is_undone_by_the_reverse_of_its_operations() {
        let index_id = Operation::AddIndex {
            table: Borrowed("orders"),
            index: IndexDef {
                name: Borrowed("ix_orders_id"),
                columns: vec![Borrowed("id")].into(),
                unique: false,
                predicate: None,
            },
        };
        let mut history = two_migrations(
            SNAPSHOT_FORMAT,
            vec![index_total(), index_id],
            SNAPSHOT_FORMAT,
        );
        history.migrations[1].sql.insert(
            "up.sql".into(),
            "UPDATE orders SET note = 'a'; UPDATE orders SET note = 'b'".into(),
        );
        let backend = Backend::Mysql;
        let up = up_statements(&history, 1, backend).unwrap();
        assert_eq!(up.len(), 4, "{up:?}");
        let undo = |done| plan_undo(&history, 1, backend, done);

        let first = undo(1).unwrap();
        assert!(first.undoes_partial);
        assert_eq!(first.statements.len(), 1, "{:?}", first.statements);
        assert!(first.statements[0].contains("DROP INDEX `ix_orders_total`"));
        let both = undo(2).unwrap().statements;
        assert_eq!(both.len(), 2, "{both:?}");
        assert!(both[0].contains("ix_orders_id") && both[1].contains("ix_orders_total"));
        let error = undo(3).unwrap_err().to_string();
        assert!(
            error.contains("stopped after statement 3 of 4, inside its hand-written SQL")
                && error.contains("cargo ff database stamp 20260101000000_m"),
            "{error}"
        );
        // Every statement ran: the downgrade undoes them.
        assert_eq!(
            undo(4).unwrap().statements,
            down_statements(&history, 1, backend).unwrap()
        );
    }

    #[test]
    fn a_run_stopped_inside_an_operation_of_several_statements_is_not_undone() {
        let unique = Operation::AddUnique {
            table: Borrowed("orders"),
            unique: UniqueDef {
                name: Borrowed("uq_orders_note"),
                columns: vec![Borrowed("note")].into(),
            },
        };
        let history = two_migrations(SNAPSHOT_FORMAT, vec![unique], SNAPSHOT_FORMAT);
        // SQLite rebuilds the table: several statements for one operation.
        assert!(up_statements(&history, 1, Backend::Sqlite).unwrap().len() > 2);
        let error = plan_undo(&history, 1, Backend::Sqlite, 1)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("stopped after statement 1 of")
                && error.contains("inside one of its operations"),
            "{error}"
        );
    }

    #[test]
    fn an_upgrade_checks_the_columns_its_conversions_name() {
        let convert = Operation::StoreDecimalsAsNumbers {
            table: Borrowed("orders"),
            columns: vec![Borrowed("total")],
        };
        let history = two_migrations(
            LEGACY_FORMAT,
            vec![convert.clone(), rename()],
            SNAPSHOT_FORMAT,
        );
        assert_eq!(
            checked(&history, Direction::Up),
            [column("orders", "total")]
        );
        // Reverting it leaves numbers in place: nothing to check.
        assert!(checked(&history, Direction::Down).is_empty());

        let late = two_migrations(LEGACY_FORMAT, vec![index_total(), convert], SNAPSHOT_FORMAT);
        let error = converted_decimals(&late, 1, Direction::Up).unwrap_err();
        assert!(error.to_string().contains("it must come first"), "{error}");
    }

    #[test]
    fn a_migration_of_an_earlier_ff_checks_the_decimals_of_the_tables_it_rebuilds() {
        // Renamed first, then rebuilt: checked under the name it has before the migration.
        let legacy = two_migrations(LEGACY_FORMAT, vec![rename(), unique_note()], LEGACY_FORMAT);
        assert_eq!(checked(&legacy, Direction::Up), [column("orders", "total")]);
        // Reverting rebuilds it too (dropping the unique), under its name in the snapshot.
        assert_eq!(
            checked(&legacy, Direction::Down),
            [column("purchase", "total")]
        );
        // An index is created in place: no copy, nothing converted.
        let indexed = two_migrations(LEGACY_FORMAT, vec![index_total()], LEGACY_FORMAT);
        assert!(checked(&indexed, Direction::Up).is_empty());
        // On top of a current snapshot the columns hold numbers already.
        let current = two_migrations(
            SNAPSHOT_FORMAT,
            vec![rename(), unique_note()],
            SNAPSHOT_FORMAT,
        );
        assert!(checked(&current, Direction::Up).is_empty());
        assert!(checked(&current, Direction::Down).is_empty());
    }
}
