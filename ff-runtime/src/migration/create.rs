//! A new migration: the operations since the last migration, checked, with their reverse and
//! the snapshot of the schema after them.

use super::diff::{diff, equivalent, missing_backfills, reverse_all};
use super::error::{MigrationError, Result};
use super::format::catch_up;
use super::history::{History, MigrationFile};
use super::operation::Operation;
use super::schema_set::Schema;

/// What a new migration of `history` does to reach `entities`: first what the last
/// migration's databases need when an earlier ff wrote it ([`catch_up`]), then the changes.
pub fn pending_operations(history: &History, entities: &Schema) -> Vec<Operation> {
    let mut operations = catch_up(history);
    operations.extend(diff(&history.head_schema(), entities));
    operations
}

/// The migration that follows the head of `history` with `operations`, and the snapshot of the
/// schema after it. Refuses NOT NULL columns added without a value for the rows already there,
/// and checks that the reverse operations lead back to the head's schema.
pub fn new_migration(
    history: &History,
    message: &str,
    operations: Vec<Operation>,
) -> Result<(MigrationFile, Schema)> {
    let columns = missing_backfills(&operations);
    if !columns.is_empty() {
        return Err(MigrationError::MissingBackfills { columns });
    }
    let version = history.next_version(chrono::Utc::now());
    let head = history.head_schema();
    let reverse = reverse_all(&operations);
    let inconsistent = |reason: String| MigrationError::Inconsistent {
        version: version.clone(),
        reason,
    };
    let mut after = head.clone();
    after
        .apply_all(&operations)
        .map_err(|error| inconsistent(error.to_string()))?;
    let mut back = after.clone();
    back.apply_all(&reverse)
        .map_err(|error| inconsistent(error.to_string()))?;
    if !equivalent(&back, &head) {
        return Err(inconsistent(
            "its reverse does not restore the schema before it; please report it".into(),
        ));
    }
    let file = MigrationFile {
        version: version.clone(),
        message: message.to_owned(),
        parent: history.head().map(|head| head.version().to_owned()),
        data_loss: operations.iter().filter_map(Operation::data_loss).collect(),
        operations,
        reverse,
    };
    Ok((file, after.snapshot()))
}
