//! Migrations: the project schema, the operations between two schemas, and their SQL.

mod baseline;
mod create;
mod created;
mod describe;
mod diff;
mod dump;
mod embedded;
mod error;
mod format;
mod history;
mod manager;
mod operation;
mod render;
mod revision;
mod runner;
mod schema_set;
mod stamp;

pub use baseline::{Baseline, baseline};
pub use create::{new_migration, pending_operations};
pub use created::created_names;
pub use describe::{describe, type_name};
pub use diff::{diff, equivalent, missing_backfills, reverse_all, set_backfill, zero_value};
pub use dump::{DUMP_DIR_VAR, DUMP_TEST_PREFIX, dump_schema};
pub use embedded::{EmbeddedMigration, EmbeddedMigrations};
pub use error::{DecimalNotKept, MigrationError, Result};
pub use format::{LEGACY_FORMAT, SNAPSHOT_FORMAT, catch_up, catch_up_from};
pub use history::{Damaged, History, MigrationDir, MigrationFile, Survey, slug};
pub use manager::MigrationManager;
pub use operation::{ApplyError, Operation};
pub use render::{check_supported, render};
pub use runner::{
    Applied, Direction, DowngradeTarget, Partial, Planned, Progress, UpgradeTarget, applied,
    down_statements, downgrade, interrupted, planned_downgrade, planned_upgrade, up_statements,
    upgrade, verify,
};
pub use schema_set::Schema;
pub use stamp::{Stamped, stamp};
