//! SQLite: renames, indexes and simple added columns are ALTERs; every other change rebuilds
//! the table (create a copy with the new definition, move the rows, drop the old table,
//! rename the copy, recreate the indexes). A run of operations on one table is done by one
//! rebuild. Decimal columns an earlier ff created as `TEXT` become numbers the same way: the
//! copy has `DECIMAL(p, s)` columns, and their numeric affinity converts the text as the rows
//! are copied (`'12.50'` becomes the real 12.5, `'25'` the integer 25).

use super::{Step, common, fill_value};
use crate::dialect::{Dialect, Sqlite};
use crate::migration::operation::Operation;
use crate::migration::schema_set::Schema;
use crate::schema::{ColumnDef, DefaultValue, TableDef, Text};

/// The prefix of the temporary copy a rebuild creates.
const REBUILD_PREFIX: &str = "__ff_new_";

/// The rebuild under way, if any: it is written when an operation that it cannot take in
/// comes, or at the end ([`Rebuilds::finish`]).
#[derive(Debug, Default)]
pub(super) struct Rebuilds {
    pending: Option<Rebuild>,
}

/// A table to rebuild: the rows of `original` go into the table as the operations so far
/// left it.
#[derive(Debug)]
struct Rebuild {
    /// The table as the database has it.
    original: TableDef,
    /// Each column of the new table with the expression over `original` that fills it, or
    /// `None` to leave it to its default.
    values: Vec<(Text, Option<String>)>,
}

pub(super) fn render(step: &Step, rebuilds: &mut Rebuilds) -> Vec<String> {
    let operation = step.operation;
    let rebuilding = rebuilds
        .pending
        .as_ref()
        .is_some_and(|rebuild| rebuild.original.name == operation.table_name());
    // Index changes and plain added columns ride along with a rebuild of their table: it
    // recreates the indexes and fills the new columns with their defaults anyway.
    if needs_rebuild(operation) || (rebuilding && rides_along(operation)) {
        let mut statements = Vec::new();
        if !rebuilding {
            statements = rebuilds.finish(step.before);
            let original = step.table_before().expect("the table exists").clone();
            rebuilds.pending = Some(Rebuild::new(original));
        }
        if let Some(rebuild) = &mut rebuilds.pending {
            rebuild.follow(operation);
        }
        return statements;
    }
    let mut statements = rebuilds.finish(step.before);
    statements.extend(in_place(step));
    statements
}

impl Rebuilds {
    /// The statements of the rebuild under way, into the table as `schema` has it.
    pub(super) fn finish(&mut self, schema: &Schema) -> Vec<String> {
        let Some(rebuild) = self.pending.take() else {
            return Vec::new();
        };
        let after = schema
            .table(&rebuild.original.name)
            .expect("a table being rebuilt is neither dropped nor renamed");
        rebuild.statements(after)
    }
}

/// Whether SQLite can only do `operation` by rebuilding the table.
pub(super) fn needs_rebuild(operation: &Operation) -> bool {
    match operation {
        Operation::AddColumn {
            column, backfill, ..
        } => !adds_in_place(column, backfill),
        Operation::DropColumn { .. }
        | Operation::AlterColumn { .. }
        | Operation::AddUnique { .. }
        | Operation::DropUnique { .. }
        | Operation::AddCheck { .. }
        | Operation::DropCheck { .. }
        | Operation::AddForeignKey { .. }
        | Operation::DropForeignKey { .. }
        // The copy stores the text of a `TEXT` decimal column into a `DECIMAL` one, whose
        // numeric affinity makes it a number.
        | Operation::StoreDecimalsAsNumbers { .. } => true,
        Operation::CreateTable { .. }
        | Operation::DropTable { .. }
        | Operation::RenameTable { .. }
        | Operation::RenameColumn { .. }
        | Operation::AddIndex { .. }
        | Operation::DropIndex { .. } => false,
    }
}

/// Whether a rebuild of the operation's table does the operation too.
fn rides_along(operation: &Operation) -> bool {
    matches!(
        operation,
        Operation::AddIndex { .. } | Operation::DropIndex { .. } | Operation::AddColumn { .. }
    )
}

/// The statements of an operation SQLite does without a rebuild.
fn in_place(step: &Step) -> Vec<String> {
    let d = &Sqlite;
    if let Some(statements) = common(d, step) {
        return statements;
    }
    let q = |name: &str| d.quote(name);
    match step.operation {
        Operation::RenameTable { from, to } => {
            vec![format!("ALTER TABLE {} RENAME TO {}", q(from), q(to))]
        }
        Operation::DropIndex { index, .. } => vec![format!("DROP INDEX {}", q(&index.name))],
        Operation::AddColumn { table, column, .. } => {
            let after = step.table_after().expect("the table exists");
            vec![format!(
                "ALTER TABLE {} ADD COLUMN {}",
                q(table),
                d.column_definition(after, column)
            )]
        }
        operation => unreachable!("{operation:?} is done by a rebuild"),
    }
}

/// Whether `ALTER TABLE … ADD COLUMN` can add the column: SQLite refuses key, unique and
/// NOT NULL columns without a default, and non-constant defaults; a backfill value needs the
/// copy of a rebuild.
fn adds_in_place(column: &ColumnDef, backfill: &Option<DefaultValue>) -> bool {
    backfill.is_none()
        && !column.primary_key
        && (column.nullable || column.default.is_some())
        && !matches!(column.default, Some(DefaultValue::CurrentTimestamp))
}

fn literal(column: &ColumnDef, value: &DefaultValue) -> String {
    Sqlite.default_literal(value, &column.sql_type)
}

impl Rebuild {
    fn new(original: TableDef) -> Rebuild {
        let values = original
            .columns
            .iter()
            .map(|column| (column.name.clone(), Some(Sqlite.quote(&column.name))))
            .collect();
        Rebuild { original, values }
    }

    /// Follows one more operation on the table in the expressions that fill its columns.
    fn follow(&mut self, operation: &Operation) {
        match operation {
            Operation::AddColumn {
                column, backfill, ..
            } => {
                let fill = backfill.as_ref().filter(|_| column.default.is_none());
                let value = fill.map(|value| literal(column, value));
                self.values.push((column.name.clone(), value));
            }
            Operation::DropColumn { column, .. } => {
                self.values.retain(|(name, _)| *name != column.name);
            }
            Operation::AlterColumn {
                from, to, backfill, ..
            } => {
                let Some(fill) = fill_value(from, to, backfill) else {
                    return;
                };
                let Some((_, value)) = self.values.iter_mut().find(|(name, _)| *name == to.name)
                else {
                    return;
                };
                // A column left to its default so far holds that default.
                let current = value
                    .take()
                    .or_else(|| from.default.as_ref().map(|default| literal(from, default)));
                let fill = literal(to, fill);
                *value = Some(match current {
                    Some(current) => format!("COALESCE({current}, {fill})"),
                    None => fill,
                });
            }
            _ => {}
        }
    }

    /// Rebuilds `original` into `after`.
    fn statements(self, after: &TableDef) -> Vec<String> {
        let d = &Sqlite;
        let q = |name: &str| d.quote(name);
        let temporary = format!("{REBUILD_PREFIX}{}", after.name);
        let copy = TableDef {
            name: temporary.clone().into(),
            ..after.clone()
        };
        let (columns, values): (Vec<String>, Vec<String>) = after
            .columns
            .iter()
            .filter_map(|column| {
                let (_, value) = self.values.iter().find(|(name, _)| *name == column.name)?;
                Some((q(&column.name), value.clone()?))
            })
            .unzip();
        let mut statements = vec![d.create_table(&copy, &[])];
        if !columns.is_empty() {
            statements.push(format!(
                "INSERT INTO {} ({}) SELECT {} FROM {}",
                q(&temporary),
                columns.join(", "),
                values.join(", "),
                q(&self.original.name)
            ));
        }
        statements.push(d.drop_table(&self.original.name));
        statements.push(format!(
            "ALTER TABLE {} RENAME TO {}",
            q(&temporary),
            q(&after.name)
        ));
        statements.extend(d.create_indexes(after));
        statements
    }
}
