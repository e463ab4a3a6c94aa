//! SQLite: renames, indexes and simple added columns are ALTERs; every other change rebuilds
//! the table (create a copy with the new definition, move the rows, drop the old table,
//! rename the copy, recreate the indexes).

use super::{Step, common, fill_value};
use crate::dialect::{Dialect, Sqlite};
use crate::migration::operation::Operation;
use crate::schema::{ColumnDef, DefaultValue, TableDef};

/// The prefix of the temporary copy a rebuild creates.
const REBUILD_PREFIX: &str = "__ff_new_";

pub(super) fn render(step: &Step) -> Vec<String> {
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
        Operation::AddColumn {
            table,
            column,
            backfill,
        } if backfill.is_none() && can_add_in_place(column) => {
            let after = step.table_after().expect("the table exists");
            vec![format!(
                "ALTER TABLE {} ADD COLUMN {}",
                q(table),
                d.column_definition(after, column)
            )]
        }
        Operation::AddColumn {
            column, backfill, ..
        } => {
            let fill = backfill.as_ref().filter(|_| column.default.is_none());
            rebuild(step, |name| {
                (name == column.name).then(|| fill.map(|value| literal(column, value)))
            })
        }
        Operation::AlterColumn {
            from, to, backfill, ..
        } => {
            let fill = fill_value(from, to, backfill);
            rebuild(step, |name| {
                let value = fill.filter(|_| name == to.name)?;
                Some(Some(format!(
                    "COALESCE({}, {})",
                    q(name),
                    literal(to, value)
                )))
            })
        }
        _ => rebuild(step, |_| None),
    }
}

/// Whether `ALTER TABLE … ADD COLUMN` can add the column: SQLite refuses key, unique and
/// NOT NULL columns without a default, and non-constant defaults.
fn can_add_in_place(column: &ColumnDef) -> bool {
    !column.primary_key
        && (column.nullable || column.default.is_some())
        && !matches!(column.default, Some(DefaultValue::CurrentTimestamp))
}

fn literal(column: &ColumnDef, value: &DefaultValue) -> String {
    Sqlite.default_literal(value, &column.sql_type)
}

/// Rebuilds the operation's table into its new definition. `value_of(column)` gives the
/// expression that fills a column of the new table: `Some(Some(sql))` for an expression,
/// `Some(None)` to leave it to its default, `None` to copy the old column of that name.
fn rebuild(step: &Step, value_of: impl Fn(&str) -> Option<Option<String>>) -> Vec<String> {
    let d = &Sqlite;
    let q = |name: &str| d.quote(name);
    let before = step.table_before().expect("the table exists");
    let after = step.table_after().expect("the table exists");
    let temporary = format!("{REBUILD_PREFIX}{}", after.name);
    let copy = TableDef {
        name: temporary.clone().into(),
        ..after.clone()
    };
    let mut columns = Vec::new();
    let mut values = Vec::new();
    for column in after.columns.iter() {
        let existed = before.columns.iter().any(|c| c.name == column.name);
        let value = match value_of(&column.name) {
            Some(Some(expression)) => expression,
            Some(None) => continue,
            None if existed => q(&column.name),
            None => continue,
        };
        columns.push(q(&column.name));
        values.push(value);
    }
    let mut statements = vec![d.create_table(&copy, &[])];
    if !columns.is_empty() {
        statements.push(format!(
            "INSERT INTO {} ({}) SELECT {} FROM {}",
            q(&temporary),
            columns.join(", "),
            values.join(", "),
            q(&before.name)
        ));
    }
    statements.push(d.drop_table(&before.name));
    statements.push(format!(
        "ALTER TABLE {} RENAME TO {}",
        q(&temporary),
        q(&after.name)
    ));
    statements.extend(d.create_indexes(after));
    statements
}
