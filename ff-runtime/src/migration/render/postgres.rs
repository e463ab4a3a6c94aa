//! PostgreSQL: every change is an ALTER TABLE; the primary key constraint is `<table>_pkey`.

use super::{Step, common, fill_nulls, fill_value, with_default};
use crate::dialect::{Dialect, Postgres};
use crate::migration::operation::Operation;
use crate::schema::ColumnDef;

pub(super) fn render(step: &Step) -> Vec<String> {
    let d = &Postgres;
    if let Some(statements) = common(d, step) {
        return statements;
    }
    let q = |name: &str| d.quote(name);
    let alter = |table: &str, change: String| format!("ALTER TABLE {} {change}", q(table));
    match step.operation {
        Operation::RenameTable { from, to } => vec![
            alter(from, format!("RENAME TO {}", q(to))),
            format!(
                "ALTER INDEX IF EXISTS {} RENAME TO {}",
                q(&format!("{from}_pkey")),
                q(&format!("{to}_pkey"))
            ),
        ],
        Operation::AddColumn {
            table,
            column,
            backfill,
        } => {
            let after = step.table_after().expect("the table exists");
            match backfill.as_ref().filter(|_| column.default.is_none()) {
                None => vec![alter(
                    table,
                    format!("ADD COLUMN {}", d.column_definition(after, column)),
                )],
                Some(value) => vec![
                    alter(
                        table,
                        format!(
                            "ADD COLUMN {}",
                            d.column_definition(after, &with_default(column, value))
                        ),
                    ),
                    alter(
                        table,
                        format!("ALTER COLUMN {} DROP DEFAULT", q(&column.name)),
                    ),
                ],
            }
        }
        Operation::DropColumn { table, column } => {
            vec![alter(table, format!("DROP COLUMN {}", q(&column.name)))]
        }
        Operation::AlterColumn {
            table,
            from,
            to,
            backfill,
        } => alter_column(d, table, from, to, fill_value(from, to, backfill)),
        Operation::DropIndex { index, .. } => vec![format!("DROP INDEX {}", q(&index.name))],
        Operation::AddUnique { table, unique } => vec![alter(
            table,
            format!(
                "ADD CONSTRAINT {} UNIQUE ({})",
                q(&unique.name),
                d.quote_list(&unique.columns)
            ),
        )],
        Operation::AddCheck { table, check } => vec![alter(
            table,
            format!(
                "ADD CONSTRAINT {} CHECK ({})",
                q(&check.name),
                check.expression
            ),
        )],
        Operation::AddForeignKey { table, foreign_key } => {
            vec![d.add_foreign_key(table, foreign_key)]
        }
        Operation::DropUnique { table, unique } => {
            vec![alter(table, format!("DROP CONSTRAINT {}", q(&unique.name)))]
        }
        Operation::DropCheck { table, check } => {
            vec![alter(table, format!("DROP CONSTRAINT {}", q(&check.name)))]
        }
        Operation::DropForeignKey { table, foreign_key } => {
            vec![alter(
                table,
                format!("DROP CONSTRAINT {}", q(&foreign_key.name)),
            )]
        }
        Operation::CreateTable { .. }
        | Operation::DropTable { .. }
        | Operation::RenameColumn { .. }
        | Operation::AddIndex { .. } => unreachable!("rendered by common"),
    }
}

fn alter_column(
    d: &Postgres,
    table: &str,
    from: &ColumnDef,
    to: &ColumnDef,
    fill: Option<&crate::schema::DefaultValue>,
) -> Vec<String> {
    let q = |name: &str| d.quote(name);
    let column = q(&to.name);
    let alter = |change: String| format!("ALTER TABLE {} {change}", q(table));
    let mut statements = Vec::new();
    if from.primary_key && !to.primary_key {
        statements.push(alter(format!(
            "DROP CONSTRAINT {}",
            q(&format!("{table}_pkey"))
        )));
    }
    if from.auto_increment && !to.auto_increment {
        statements.push(alter(format!("ALTER COLUMN {column} DROP IDENTITY")));
    }
    let (from_type, to_type) = (d.column_type(from, true), d.column_type(to, true));
    let default_changes = from.default != to.default || from_type != to_type;
    if default_changes && from.default.is_some() {
        statements.push(alter(format!("ALTER COLUMN {column} DROP DEFAULT")));
    }
    if from_type != to_type {
        statements.push(alter(format!(
            "ALTER COLUMN {column} TYPE {to_type} USING {column}::{to_type}"
        )));
    }
    if default_changes && let Some(default) = &to.default {
        statements.push(alter(format!(
            "ALTER COLUMN {column} SET DEFAULT {}",
            d.default_literal(default, &to.sql_type)
        )));
    }
    if let Some(value) = fill {
        statements.push(fill_nulls(d, table, to, value));
    }
    if from.nullable && !to.nullable {
        statements.push(alter(format!("ALTER COLUMN {column} SET NOT NULL")));
    } else if !from.nullable && to.nullable && !to.primary_key {
        statements.push(alter(format!("ALTER COLUMN {column} DROP NOT NULL")));
    }
    if !from.primary_key && to.primary_key {
        statements.push(alter(format!(
            "ADD CONSTRAINT {} PRIMARY KEY ({column})",
            q(&format!("{table}_pkey"))
        )));
    }
    if !from.auto_increment && to.auto_increment {
        statements.push(alter(format!(
            "ALTER COLUMN {column} ADD GENERATED BY DEFAULT AS IDENTITY"
        )));
    }
    statements
}
