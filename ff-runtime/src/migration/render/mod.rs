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
use crate::dialect::{Backend, Dialect, check_index, check_indexes};
use crate::schema::{CheckDef, ColumnDef, DefaultValue, TableDef, UniqueDef};

/// The statements that perform `operations` on `backend`, starting from the schema `before`.
///
/// The statements are separate strings without a trailing semicolon; identifiers are quoted by
/// the dialect and the only values written into them are defaults and backfill values, as
/// literals of the dialect. `before` must be the schema the database has: the operations are
/// applied to it one by one, and one that does not fit is an error.
///
/// On SQLite most changes rebuild the table (create a copy, move the rows, drop, rename; one
/// rebuild for a run of operations on the same table): run the statements in a transaction
/// with `PRAGMA foreign_keys = OFF` set before it begins, and check that
/// `PRAGMA foreign_key_check` finds nothing before committing, as [`upgrade`](super::upgrade)
/// does. On MySQL/MariaDB a foreign key whose column changes type is dropped and added back
/// once both sides match (at the latest at the end), so run all the statements.
pub fn render(
    backend: Backend,
    before: &Schema,
    operations: &[Operation],
) -> Result<Vec<String>, ApplyError> {
    let mut renderer = Renderer::of(backend);
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
        statements.extend(renderer.render(&step));
        schema = after;
    }
    statements.extend(renderer.finish(&schema));
    Ok(statements)
}

/// Refuses operations `backend` cannot perform as declared: creating a unique partial index
/// on MySQL/MariaDB ([`check_index`]). Run before rendering them for a database.
pub fn check_supported(backend: Backend, operations: &[Operation]) -> crate::Result<()> {
    operations.iter().try_for_each(|operation| match operation {
        Operation::CreateTable { table } => check_indexes(backend, [table]),
        Operation::AddIndex { table, index } => check_index(backend, table, index),
        _ => Ok(()),
    })
}

/// Whether SQLite rebuilds the operation's table (copying its rows into a new table).
pub(super) fn sqlite_rebuilds(operation: &Operation) -> bool {
    sqlite::needs_rebuild(operation)
}

/// A dialect's renderer, with what it carries from one operation to the next.
enum Renderer {
    /// The rebuild under way.
    Sqlite(sqlite::Rebuilds),
    Postgres,
    /// The foreign keys set aside.
    Mysql(mysql::SetAside),
}

impl Renderer {
    fn of(backend: Backend) -> Renderer {
        match backend {
            Backend::Sqlite => Renderer::Sqlite(sqlite::Rebuilds::default()),
            Backend::Postgres => Renderer::Postgres,
            Backend::Mysql => Renderer::Mysql(mysql::SetAside::default()),
        }
    }

    fn render(&mut self, step: &Step) -> Vec<String> {
        match self {
            Renderer::Sqlite(rebuilds) => sqlite::render(step, rebuilds),
            Renderer::Postgres => postgres::render(step),
            Renderer::Mysql(set_aside) => mysql::render(step, set_aside),
        }
    }

    /// What is left to do after the last operation, in the final schema.
    fn finish(&mut self, schema: &Schema) -> Vec<String> {
        match self {
            Renderer::Sqlite(rebuilds) => rebuilds.finish(schema),
            Renderer::Postgres => Vec::new(),
            Renderer::Mysql(set_aside) => set_aside.restore_all(schema),
        }
    }
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
        Operation::AddIndex { table, index } => vec![dialect.create_index(table, index)],
        _ => return None,
    })
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

/// `ALTER TABLE … ADD COLUMN` (PostgreSQL, MySQL). A backfill value for existing rows is added
/// as the column's default, then the default is dropped.
fn add_column(
    dialect: &dyn Dialect,
    step: &Step,
    column: &ColumnDef,
    backfill: Option<&DefaultValue>,
) -> Vec<String> {
    let after = step.table_after().expect("the table exists");
    let alter = |change: String| format!("ALTER TABLE {} {change}", dialect.quote(&after.name));
    match backfill.filter(|_| column.default.is_none()) {
        None => vec![alter(format!(
            "ADD COLUMN {}",
            dialect.column_definition(after, column)
        ))],
        Some(value) => vec![
            alter(format!(
                "ADD COLUMN {}",
                dialect.column_definition(after, &with_default(column, value))
            )),
            alter(format!(
                "ALTER COLUMN {} DROP DEFAULT",
                dialect.quote(&column.name)
            )),
        ],
    }
}

/// `ALTER TABLE … ADD CONSTRAINT … UNIQUE` (PostgreSQL, MySQL).
fn add_unique(dialect: &dyn Dialect, table: &str, unique: &UniqueDef) -> String {
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({})",
        dialect.quote(table),
        dialect.quote(&unique.name),
        dialect.quote_list(&unique.columns)
    )
}

/// `ALTER TABLE … ADD CONSTRAINT … CHECK` (PostgreSQL, MySQL).
fn add_check(dialect: &dyn Dialect, table: &str, check: &CheckDef) -> String {
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({})",
        dialect.quote(table),
        dialect.quote(&check.name),
        check.expression
    )
}

/// `ALTER TABLE … DROP CONSTRAINT` (PostgreSQL; MySQL for checks).
fn drop_constraint(dialect: &dyn Dialect, table: &str, name: &str) -> String {
    format!(
        "ALTER TABLE {} DROP CONSTRAINT {}",
        dialect.quote(table),
        dialect.quote(name)
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
