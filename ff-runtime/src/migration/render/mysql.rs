//! MySQL/MariaDB: columns are restated in full (`MODIFY COLUMN`), unbounded text that an index
//! covers becomes `VARCHAR(255)` and back, foreign keys keep the index they need, and a foreign
//! key is set aside while the type of one of its columns changes.

use super::{
    Step, add_check, add_column, add_unique, common, drop_constraint, fill_nulls, fill_value,
};
use crate::dialect::{Dialect, Mysql};
use crate::migration::operation::Operation;
use crate::migration::schema_set::Schema;
use crate::schema::{ColumnDef, ForeignKeyDef, TableDef, Text};

/// Foreign keys dropped for a while. MySQL and MariaDB refuse to change the type of a column
/// that a foreign key uses, on either side (even with `foreign_key_checks` off on MariaDB), so
/// such keys are dropped before the change and added back as soon as the types on both sides
/// match again (both columns of a key often change, one operation after the other), at the
/// latest after the last operation ([`SetAside::restore_all`]).
#[derive(Debug, Default)]
pub(super) struct SetAside {
    /// The names of the keys dropped for now (MySQL names constraints per database).
    names: Vec<Text>,
}

impl SetAside {
    fn contains(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// Drops the keys that use the column whose type `step` changes.
    fn set_aside(&mut self, step: &Step) -> Vec<String> {
        let Operation::AlterColumn {
            table, from, to, ..
        } = step.operation
        else {
            return Vec::new();
        };
        if from.sql_type == to.sql_type {
            return Vec::new();
        }
        let mut statements = Vec::new();
        for referencing in &step.before.tables {
            for fk in referencing.foreign_keys.iter() {
                let uses = (referencing.name == *table && fk.columns.contains(&to.name))
                    || (fk.referenced_table == *table && fk.referenced_columns.contains(&to.name));
                if uses && !self.contains(&fk.name) {
                    statements.push(drop_foreign_key(&referencing.name, &fk.name));
                    self.names.push(fk.name.clone());
                }
            }
        }
        statements
    }

    /// Adds back the keys set aside whose columns have matching types in `schema` (all of
    /// them when `all`); keys no longer in `schema` are forgotten.
    fn restore(&mut self, schema: &Schema, all: bool) -> Vec<String> {
        let mut statements = Vec::new();
        self.names.retain(|name| {
            let Some((table, fk)) = schema.tables.iter().find_map(|table| {
                let fk = table.foreign_keys.iter().find(|fk| fk.name == *name)?;
                Some((table, fk))
            }) else {
                return false;
            };
            if all || types_match(schema, table, fk) {
                statements.push(Mysql.add_foreign_key(&table.name, fk));
                return false;
            }
            true
        });
        statements
    }

    /// Adds back every key still set aside: the end of the migration.
    pub(super) fn restore_all(&mut self, schema: &Schema) -> Vec<String> {
        self.restore(schema, true)
    }
}

/// Whether each column of `fk` has the MySQL type of the column it references.
fn types_match(schema: &Schema, table: &TableDef, fk: &ForeignKeyDef) -> bool {
    let Some(referenced) = schema.table(&fk.referenced_table) else {
        return false;
    };
    let type_of = |table: &TableDef, name: &Text| {
        let column = table.columns.iter().find(|c| c.name == *name)?;
        Some(Mysql.column_type(column, true))
    };
    fk.columns
        .iter()
        .zip(fk.referenced_columns.iter())
        .all(|(column, referenced_column)| {
            let own = type_of(table, column);
            own.is_some() && own == type_of(referenced, referenced_column)
        })
}

fn drop_foreign_key(table: &str, name: &str) -> String {
    format!(
        "ALTER TABLE {} DROP FOREIGN KEY {}",
        Mysql.quote(table),
        Mysql.quote(name)
    )
}

pub(super) fn render(step: &Step, set_aside: &mut SetAside) -> Vec<String> {
    let mut statements = set_aside.set_aside(step);
    statements.extend(render_operation(step, set_aside));
    statements.extend(set_aside.restore(step.after, false));
    statements
}

fn render_operation(step: &Step, set_aside: &SetAside) -> Vec<String> {
    let d = &Mysql;
    if let Operation::AddIndex { table, index } = step.operation {
        let mut statements = widen_text(step, &index.columns);
        statements.push(d.create_index(table, index));
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
            column, backfill, ..
        } => add_column(d, step, column, backfill.as_ref()),
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
            statements.push(add_unique(d, table, unique));
            statements
        }
        Operation::AddForeignKey { table, foreign_key } => {
            let mut statements = widen_text(step, &foreign_key.columns);
            statements.push(d.add_foreign_key(table, foreign_key));
            statements
        }
        Operation::DropIndex { table, index } => {
            drop_index(step, set_aside, table, &index.name, &index.columns)
        }
        Operation::DropUnique { table, unique } => {
            drop_index(step, set_aside, table, &unique.name, &unique.columns)
        }
        Operation::AddCheck { table, check } => vec![add_check(d, table, check)],
        Operation::DropCheck { table, check } => vec![drop_constraint(d, table, &check.name)],
        Operation::DropForeignKey { table, foreign_key } => {
            let mut statements = Vec::new();
            // A key set aside is already gone (its index is not).
            if !set_aside.contains(&foreign_key.name) {
                statements.push(drop_foreign_key(table, &foreign_key.name));
            }
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
        // MySQL's decimal columns were always DECIMAL.
        Operation::StoreDecimalsAsNumbers { .. } => Vec::new(),
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
    let plain = |column: &ColumnDef| ColumnDef {
        auto_increment: false,
        primary_key: false,
        ..column.clone()
    };
    let mut statements = Vec::new();
    // The column as the last MODIFY left it, to restate it only when that changes something.
    let mut restated = None;
    if from.primary_key && !to.primary_key {
        if from.auto_increment {
            let statement = modify(after, &plain(from));
            statements.push(statement.clone());
            restated = Some(statement);
        }
        statements.push(format!("ALTER TABLE {table} DROP PRIMARY KEY"));
    }
    if let Some(value) = fill {
        statements.push(fill_nulls(d, &after.name, to, value));
    }
    if !from.primary_key && to.primary_key {
        if plain(to) != plain(from) {
            statements.push(modify(after, &plain(to)));
        }
        statements.push(format!(
            "ALTER TABLE {table} ADD PRIMARY KEY ({})",
            d.quote(&to.name)
        ));
        if to.auto_increment {
            statements.push(modify(after, to));
        }
    } else {
        let statement = modify(after, to);
        if restated.as_ref() != Some(&statement) {
            statements.push(statement);
        }
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
fn drop_index(
    step: &Step,
    set_aside: &SetAside,
    table: &str,
    name: &str,
    columns: &[Text],
) -> Vec<String> {
    let d = &Mysql;
    let after = step.table_after().expect("the table exists");
    let stranded: Vec<&ForeignKeyDef> = after
        .foreign_keys
        .iter()
        .filter(|fk| {
            columns.starts_with(&fk.columns)
                && !served_by_index(after, &fk.columns)
                && !set_aside.contains(&fk.name)
        })
        .collect();
    let mut statements: Vec<String> = stranded
        .iter()
        .map(|fk| drop_foreign_key(table, &fk.name))
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
