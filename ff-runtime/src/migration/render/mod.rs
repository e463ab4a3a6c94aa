//! Operations as SQL: each dialect renders the portable operations of a migration.
//!
//! Rendering walks the operations over a model of the schema ([`Schema::apply`]), so every
//! operation sees the whole table before and after it: SQLite needs that to rebuild a table,
//! MySQL to restate a column in full.

mod mysql;
mod postgres;
mod sqlite;

use super::operation::{ApplyError, Operation};
use super::schema_set::Schema;
use crate::dialect::{Backend, Dialect};
use crate::schema::{ColumnDef, DefaultValue, IndexDef, TableDef};

/// The statements that perform `operations` on `backend`, starting from the schema `before`.
///
/// On SQLite some operations rebuild a table (create a copy, move the rows, drop, rename): run
/// the statements in a transaction with `PRAGMA foreign_keys = OFF` set before it begins, and
/// check `PRAGMA foreign_key_check` before committing, as [`upgrade`](super::upgrade) does.
pub fn render(
    backend: Backend,
    before: &Schema,
    operations: &[Operation],
) -> Result<Vec<String>, ApplyError> {
    let mut schema = before.clone();
    let mut statements = Vec::new();
    for operation in operations {
        let mut after = schema.clone();
        after.apply(operation)?;
        let step = Step {
            before: &schema,
            after: &after,
            operation,
        };
        statements.extend(match backend {
            Backend::Sqlite => sqlite::render(&step),
            Backend::Postgres => postgres::render(&step),
            Backend::Mysql => mysql::render(&step),
        });
        schema = after;
    }
    Ok(statements)
}

/// One operation with the schema around it.
struct Step<'a> {
    before: &'a Schema,
    after: &'a Schema,
    operation: &'a Operation,
}

impl Step<'_> {
    /// The operation's table before it (absent for a created table).
    fn table_before(&self) -> Option<&TableDef> {
        match self.operation {
            Operation::RenameTable { from, .. } => self.before.table(from),
            operation => self.before.table(operation.table_name()),
        }
    }

    /// The operation's table after it (absent for a dropped table).
    fn table_after(&self) -> Option<&TableDef> {
        self.after.table(self.operation.table_name())
    }
}

/// The statements every dialect spells the same way, or `None`.
fn common(dialect: &dyn Dialect, step: &Step) -> Option<Vec<String>> {
    let q = |name: &str| dialect.quote(name);
    Some(match step.operation {
        Operation::CreateTable { table } => {
            let mut statements = vec![dialect.create_table(table, &[])];
            statements.extend(dialect.create_indexes(table));
            statements
        }
        Operation::DropTable { table } => vec![dialect.drop_table(&table.name)],
        Operation::RenameColumn { table, from, to } => vec![format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            q(table),
            q(from),
            q(to)
        )],
        Operation::AddIndex { table, index } => vec![create_index(dialect, table, index)],
        _ => return None,
    })
}

fn create_index(dialect: &dyn Dialect, table: &str, index: &IndexDef) -> String {
    format!(
        "CREATE INDEX {} ON {} ({})",
        dialect.quote(&index.name),
        dialect.quote(table),
        dialect.quote_list(&index.columns)
    )
}

/// The value NULL rows get when `to` becomes NOT NULL: the backfill, else the new default.
fn fill_value<'a>(
    from: &ColumnDef,
    to: &'a ColumnDef,
    backfill: &'a Option<DefaultValue>,
) -> Option<&'a DefaultValue> {
    (from.nullable && !to.nullable)
        .then(|| backfill.as_ref().or(to.default.as_ref()))
        .flatten()
}

/// `UPDATE t SET c = <value> WHERE c IS NULL`.
fn fill_nulls(
    dialect: &dyn Dialect,
    table: &str,
    column: &ColumnDef,
    value: &DefaultValue,
) -> String {
    let name = dialect.quote(&column.name);
    format!(
        "UPDATE {} SET {name} = {} WHERE {name} IS NULL",
        dialect.quote(table),
        dialect.default_literal(value, &column.sql_type)
    )
}

/// `column` with `default` as its default (for adding a column with a backfill value).
fn with_default(column: &ColumnDef, default: &DefaultValue) -> ColumnDef {
    ColumnDef {
        default: Some(default.clone()),
        ..column.clone()
    }
}

#[cfg(test)]
mod tests;
