//! MySQL/MariaDB: columns are restated in full (`MODIFY COLUMN`), unbounded text that an index
//! covers becomes `VARCHAR(255)` and back, and foreign keys keep the index they need.

use super::{Step, common, create_index, fill_nulls, fill_value, with_default};
use crate::dialect::{Dialect, Mysql};
use crate::migration::operation::Operation;
use crate::schema::{ColumnDef, ForeignKeyDef, TableDef, Text};

pub(super) fn render(step: &Step) -> Vec<String> {
    let d = &Mysql;
    if let Operation::AddIndex { table, index } = step.operation {
        let mut statements = widen_text(step, &index.columns);
        statements.push(create_index(d, table, index));
        return statements;
    }
    if let Some(statements) = common(d, step) {
        return statements;
    }
    let q = |name: &str| d.quote(name);
    let alter = |table: &str, change: String| format!("ALTER TABLE {} {change}", q(table));
    match step.operation {
        Operation::RenameTable { from, to } => vec![alter(from, format!("RENAME TO {}", q(to)))],
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
            from, to, backfill, ..
        } => {
            let after = step.table_after().expect("the table exists");
            alter_column(after, from, to, fill_value(from, to, backfill))
        }
        Operation::AddUnique { table, unique } => {
            let mut statements = widen_text(step, &unique.columns);
            statements.push(alter(
                table,
                format!(
                    "ADD CONSTRAINT {} UNIQUE ({})",
                    q(&unique.name),
                    d.quote_list(&unique.columns)
                ),
            ));
            statements
        }
        Operation::AddForeignKey { table, foreign_key } => {
            let mut statements = widen_text(step, &foreign_key.columns);
            statements.push(d.add_foreign_key(table, foreign_key));
            statements
        }
        Operation::DropIndex { table, index } => {
            drop_index(step, table, &index.name, &index.columns)
        }
        Operation::DropUnique { table, unique } => {
            drop_index(step, table, &unique.name, &unique.columns)
        }
        Operation::AddCheck { table, check } => vec![alter(
            table,
            format!(
                "ADD CONSTRAINT {} CHECK ({})",
                q(&check.name),
                check.expression
            ),
        )],
        Operation::DropCheck { table, check } => {
            vec![alter(table, format!("DROP CONSTRAINT {}", q(&check.name)))]
        }
        Operation::DropForeignKey { table, foreign_key } => {
            let mut statements = vec![alter(
                table,
                format!("DROP FOREIGN KEY {}", q(&foreign_key.name)),
            )];
            let before = step.table_before().expect("the table exists");
            // MySQL made an index for the key when no other index could serve it.
            if !served_by_index(before, &foreign_key.columns) {
                statements.push(format!(
                    "DROP INDEX {} ON {}",
                    q(&foreign_key.name),
                    q(table)
                ));
            }
            statements.extend(narrow_text(step, &foreign_key.columns));
            statements
        }
        Operation::CreateTable { .. }
        | Operation::DropTable { .. }
        | Operation::RenameColumn { .. }
        | Operation::AddIndex { .. } => unreachable!("rendered above"),
    }
}

/// A column restated for `MODIFY COLUMN` (the primary key clause left out: it stays).
fn modify(table: &TableDef, column: &ColumnDef) -> String {
    let definition = Mysql.column_definition(table, column);
    let definition = definition
        .strip_suffix(" PRIMARY KEY")
        .unwrap_or(&definition);
    format!(
        "ALTER TABLE {} MODIFY COLUMN {definition}",
        Mysql.quote(&table.name)
    )
}

fn alter_column(
    after: &TableDef,
    from: &ColumnDef,
    to: &ColumnDef,
    fill: Option<&crate::schema::DefaultValue>,
) -> Vec<String> {
    let d = &Mysql;
    let table = d.quote(&after.name);
    let mut statements = Vec::new();
    if from.primary_key && !to.primary_key {
        if from.auto_increment {
            let plain = ColumnDef {
                auto_increment: false,
                primary_key: false,
                ..from.clone()
            };
            statements.push(modify(after, &plain));
        }
        statements.push(format!("ALTER TABLE {table} DROP PRIMARY KEY"));
    }
    if let Some(value) = fill {
        statements.push(fill_nulls(d, &after.name, to, value));
    }
    if !from.primary_key && to.primary_key {
        let plain = ColumnDef {
            auto_increment: false,
            primary_key: false,
            ..to.clone()
        };
        statements.push(modify(after, &plain));
        statements.push(format!(
            "ALTER TABLE {table} ADD PRIMARY KEY ({})",
            d.quote(&to.name)
        ));
        if to.auto_increment {
            statements.push(modify(after, to));
        }
    } else {
        statements.push(modify(after, to));
    }
    statements
}

/// Before an index covers them: unbounded text columns become `VARCHAR(255)`.
fn widen_text(step: &Step, columns: &[Text]) -> Vec<String> {
    let before = step.table_before().expect("the table exists");
    let after = step.table_after().expect("the table exists");
    retyped_columns(before, after, columns)
}

/// After the last index on them is gone: `VARCHAR(255)` columns become text again.
fn narrow_text(step: &Step, columns: &[Text]) -> Vec<String> {
    let before = step.table_before().expect("the table exists");
    let after = step.table_after().expect("the table exists");
    retyped_columns(before, after, columns)
}

/// `MODIFY COLUMN` for each column whose MySQL type differs between the two tables.
fn retyped_columns(before: &TableDef, after: &TableDef, columns: &[Text]) -> Vec<String> {
    columns
        .iter()
        .filter_map(|name| {
            let old = before.columns.iter().find(|c| c.name == *name)?;
            let new = after.columns.iter().find(|c| c.name == *name)?;
            (Mysql.column_definition(before, old) != Mysql.column_definition(after, new))
                .then(|| modify(after, new))
        })
        .collect()
}

/// Drops an index or unique constraint. A foreign key that relied on it is dropped and added
/// again around it, so that MySQL builds the index the key needs.
fn drop_index(step: &Step, table: &str, name: &str, columns: &[Text]) -> Vec<String> {
    let d = &Mysql;
    let after = step.table_after().expect("the table exists");
    let stranded: Vec<&ForeignKeyDef> = after
        .foreign_keys
        .iter()
        .filter(|fk| columns.starts_with(&fk.columns) && !served_by_index(after, &fk.columns))
        .collect();
    let mut statements: Vec<String> = stranded
        .iter()
        .map(|fk| {
            format!(
                "ALTER TABLE {} DROP FOREIGN KEY {}",
                d.quote(table),
                d.quote(&fk.name)
            )
        })
        .collect();
    statements.push(format!(
        "DROP INDEX {} ON {}",
        d.quote(name),
        d.quote(table)
    ));
    statements.extend(narrow_text(step, columns));
    statements.extend(stranded.iter().map(|fk| d.add_foreign_key(table, fk)));
    statements
}

/// Whether an index, a unique constraint or the primary key of `table` starts with `columns`.
fn served_by_index(table: &TableDef, columns: &[Text]) -> bool {
    let primary: Vec<Text> = table
        .columns
        .iter()
        .filter(|c| c.primary_key)
        .map(|c| c.name.clone())
        .collect();
    primary.starts_with(columns)
        || table.indexes.iter().any(|i| i.columns.starts_with(columns))
        || table.uniques.iter().any(|u| u.columns.starts_with(columns))
}
