//! Portable schema operations: what a migration does, independent of the database.

use serde::{Deserialize, Serialize};

use super::schema_set::Schema;
use crate::schema::{
    CheckDef, ColumnDef, ColumnType, DefaultValue, ForeignKeyDef, IndexDef, TableDef, Text,
    UniqueDef,
};

/// One change to the schema. A migration is a list of them, rendered as SQL per dialect when
/// it is applied or printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Operation {
    /// Create a table with its columns, constraints and indexes.
    CreateTable {
        /// The table as created.
        table: TableDef,
    },
    /// Drop a table (its definition is kept so the reverse can recreate it).
    DropTable {
        /// The table as it was.
        table: TableDef,
    },
    /// Rename a table.
    RenameTable {
        /// The old name.
        from: Text,
        /// The new name.
        to: Text,
    },
    /// Add a column.
    AddColumn {
        /// The table.
        table: Text,
        /// The new column.
        column: ColumnDef,
        /// The value existing rows get when the column is NOT NULL without a default.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        backfill: Option<DefaultValue>,
    },
    /// Drop a column (its definition is kept for the reverse).
    DropColumn {
        /// The table.
        table: Text,
        /// The column as it was.
        column: ColumnDef,
    },
    /// Rename a column.
    RenameColumn {
        /// The table.
        table: Text,
        /// The old name.
        from: Text,
        /// The new name.
        to: Text,
    },
    /// Change a column's type, length, nullability, default or primary-key flag.
    AlterColumn {
        /// The table.
        table: Text,
        /// The column before (same name as after).
        from: ColumnDef,
        /// The column after.
        to: ColumnDef,
        /// The value rows holding NULL get when the column becomes NOT NULL.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        backfill: Option<DefaultValue>,
    },
    /// Create an index.
    AddIndex {
        /// The table.
        table: Text,
        /// The index.
        index: IndexDef,
    },
    /// Drop an index.
    DropIndex {
        /// The table.
        table: Text,
        /// The index as it was.
        index: IndexDef,
    },
    /// Add a unique constraint.
    AddUnique {
        /// The table.
        table: Text,
        /// The constraint.
        unique: UniqueDef,
    },
    /// Drop a unique constraint.
    DropUnique {
        /// The table.
        table: Text,
        /// The constraint as it was.
        unique: UniqueDef,
    },
    /// Add a check constraint.
    AddCheck {
        /// The table.
        table: Text,
        /// The constraint.
        check: CheckDef,
    },
    /// Drop a check constraint.
    DropCheck {
        /// The table.
        table: Text,
        /// The constraint as it was.
        check: CheckDef,
    },
    /// Add a foreign key.
    AddForeignKey {
        /// The referencing table.
        table: Text,
        /// The foreign key.
        foreign_key: ForeignKeyDef,
    },
    /// Drop a foreign key.
    DropForeignKey {
        /// The referencing table.
        table: Text,
        /// The foreign key as it was.
        foreign_key: ForeignKeyDef,
    },
    /// Store the values of a table's decimal columns as numbers. Earlier versions of ff created
    /// SQLite decimal columns as `TEXT`: on SQLite the table is rebuilt with `DECIMAL(p, s)`
    /// columns, whose numeric affinity turns the text into numbers as the rows are copied (a
    /// value SQLite would not give back exactly stops the migration). PostgreSQL and MySQL
    /// always had numeric columns: nothing is done there. The schema does not change, and the
    /// operation is its own reverse (the columns stay numeric, as ff creates them now).
    /// Written by `create-migration` on top of an older snapshot ([`super::catch_up`]).
    StoreDecimalsAsNumbers {
        /// The table.
        table: Text,
        /// Its decimal columns.
        columns: Vec<Text>,
    },
}

/// Why an operation could not be applied to a schema: it names a table, column or constraint
/// that is not there, or creates one that already is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ApplyError(pub String);

impl Operation {
    /// The table the operation changes (the new name for a rename).
    pub fn table_name(&self) -> &str {
        match self {
            Operation::CreateTable { table } | Operation::DropTable { table } => &table.name,
            Operation::RenameTable { to, .. } => to,
            Operation::AddColumn { table, .. }
            | Operation::DropColumn { table, .. }
            | Operation::RenameColumn { table, .. }
            | Operation::AlterColumn { table, .. }
            | Operation::AddIndex { table, .. }
            | Operation::DropIndex { table, .. }
            | Operation::AddUnique { table, .. }
            | Operation::DropUnique { table, .. }
            | Operation::AddCheck { table, .. }
            | Operation::DropCheck { table, .. }
            | Operation::AddForeignKey { table, .. }
            | Operation::DropForeignKey { table, .. }
            | Operation::StoreDecimalsAsNumbers { table, .. } => table,
        }
    }
}

impl Schema {
    /// Applies one operation to this schema model, as the database would.
    pub fn apply(&mut self, operation: &Operation) -> Result<(), ApplyError> {
        match operation {
            Operation::CreateTable { table } => {
                if self.table(&table.name).is_some() {
                    return Err(ApplyError(format!("table `{}` already exists", table.name)));
                }
                let mut table = table.clone();
                table.renamed_from = None;
                for column in table.columns.to_mut() {
                    column.renamed_from = None;
                }
                self.tables.push(table);
                self.tables.sort_by(|a, b| a.name.cmp(&b.name));
            }
            Operation::DropTable { table } => {
                self.table_or_err(&table.name)?;
                self.tables.retain(|t| t.name != table.name);
            }
            Operation::RenameTable { from, to } => {
                if self.table(to).is_some() {
                    return Err(ApplyError(format!("table `{to}` already exists")));
                }
                self.table_or_err(from)?.name = to.clone();
                for table in &mut self.tables {
                    for fk in table.foreign_keys.to_mut() {
                        if fk.referenced_table == *from {
                            fk.referenced_table = to.clone();
                        }
                    }
                }
                self.tables.sort_by(|a, b| a.name.cmp(&b.name));
            }
            Operation::AddColumn { table, column, .. } => {
                let table = self.table_or_err(table)?;
                if table.columns.iter().any(|c| c.name == column.name) {
                    return Err(ApplyError(format!(
                        "column `{}.{}` already exists",
                        table.name, column.name
                    )));
                }
                let mut column = column.clone();
                column.renamed_from = None;
                table.columns.to_mut().push(column);
            }
            Operation::DropColumn { table, column } => {
                let table = self.table_or_err(table)?;
                column_index(table, &column.name)?;
                table.columns.to_mut().retain(|c| c.name != column.name);
            }
            Operation::RenameColumn { table, from, to } => {
                let table = self.table_or_err(table)?;
                if table.columns.iter().any(|c| c.name == *to) {
                    return Err(ApplyError(format!(
                        "column `{}.{to}` already exists",
                        table.name
                    )));
                }
                let index = column_index(table, from)?;
                table.columns.to_mut()[index].name = to.clone();
                rename_in_constraints(table, from, to);
                let renamed_table = table.name.clone();
                for table in &mut self.tables {
                    rename_in_references(table, &renamed_table, from, to);
                }
            }
            Operation::AlterColumn {
                table,
                from: _,
                to: column,
                ..
            } => {
                let table = self.table_or_err(table)?;
                let index = column_index(table, &column.name)?;
                let mut column = column.clone();
                column.renamed_from = None;
                table.columns.to_mut()[index] = column;
            }
            Operation::AddIndex { table, index } => {
                let table = self.table_or_err(table)?;
                absent(table.indexes.iter().map(|i| &i.name), &index.name)?;
                table.indexes.to_mut().push(index.clone());
            }
            Operation::DropIndex { table, index } => {
                let table = self.table_or_err(table)?;
                present(table.indexes.iter().map(|i| &i.name), &index.name)?;
                table.indexes.to_mut().retain(|i| i.name != index.name);
            }
            Operation::AddUnique { table, unique } => {
                let table = self.table_or_err(table)?;
                absent(table.uniques.iter().map(|u| &u.name), &unique.name)?;
                table.uniques.to_mut().push(unique.clone());
            }
            Operation::DropUnique { table, unique } => {
                let table = self.table_or_err(table)?;
                present(table.uniques.iter().map(|u| &u.name), &unique.name)?;
                table.uniques.to_mut().retain(|u| u.name != unique.name);
            }
            Operation::AddCheck { table, check } => {
                let table = self.table_or_err(table)?;
                absent(table.checks.iter().map(|c| &c.name), &check.name)?;
                table.checks.to_mut().push(check.clone());
            }
            Operation::DropCheck { table, check } => {
                let table = self.table_or_err(table)?;
                present(table.checks.iter().map(|c| &c.name), &check.name)?;
                table.checks.to_mut().retain(|c| c.name != check.name);
            }
            Operation::AddForeignKey { table, foreign_key } => {
                let table = self.table_or_err(table)?;
                absent(
                    table.foreign_keys.iter().map(|f| &f.name),
                    &foreign_key.name,
                )?;
                table.foreign_keys.to_mut().push(foreign_key.clone());
            }
            Operation::DropForeignKey { table, foreign_key } => {
                let table = self.table_or_err(table)?;
                present(
                    table.foreign_keys.iter().map(|f| &f.name),
                    &foreign_key.name,
                )?;
                table
                    .foreign_keys
                    .to_mut()
                    .retain(|f| f.name != foreign_key.name);
            }
            Operation::StoreDecimalsAsNumbers { table, columns } => {
                let table = self.table_or_err(table)?;
                for name in columns {
                    let column = &table.columns[column_index(table, name)?];
                    if !matches!(column.sql_type, ColumnType::Decimal { .. }) {
                        return Err(ApplyError(format!(
                            "column `{}.{name}` is not a decimal",
                            table.name
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// Applies every operation in order.
    pub fn apply_all<'o>(
        &mut self,
        operations: impl IntoIterator<Item = &'o Operation>,
    ) -> Result<(), ApplyError> {
        operations
            .into_iter()
            .try_for_each(|operation| self.apply(operation))
    }

    fn table_or_err(&mut self, name: &str) -> Result<&mut TableDef, ApplyError> {
        self.table_mut(name)
            .ok_or_else(|| ApplyError(format!("table `{name}` does not exist")))
    }
}

fn column_index(table: &TableDef, name: &str) -> Result<usize, ApplyError> {
    table
        .columns
        .iter()
        .position(|c| c.name == name)
        .ok_or_else(|| ApplyError(format!("column `{}.{name}` does not exist", table.name)))
}

fn absent<'a>(mut names: impl Iterator<Item = &'a Text>, name: &str) -> Result<(), ApplyError> {
    if names.any(|n| n == name) {
        Err(ApplyError(format!("`{name}` already exists")))
    } else {
        Ok(())
    }
}

fn present<'a>(mut names: impl Iterator<Item = &'a Text>, name: &str) -> Result<(), ApplyError> {
    if names.any(|n| n == name) {
        Ok(())
    } else {
        Err(ApplyError(format!("`{name}` does not exist")))
    }
}

/// Follows a column rename in the table's indexes, uniques and foreign keys, as databases do.
fn rename_in_constraints(table: &mut TableDef, from: &str, to: &Text) {
    let rename = |columns: &mut std::borrow::Cow<'static, [Text]>| {
        for column in columns.to_mut() {
            if column == from {
                *column = to.clone();
            }
        }
    };
    for index in table.indexes.to_mut() {
        rename(&mut index.columns);
    }
    for unique in table.uniques.to_mut() {
        rename(&mut unique.columns);
    }
    for fk in table.foreign_keys.to_mut() {
        rename(&mut fk.columns);
    }
}

/// Follows a column rename of `referenced_table` into the foreign keys of `table` that point to
/// it (the referenced side), as databases do.
fn rename_in_references(table: &mut TableDef, referenced_table: &str, from: &str, to: &Text) {
    for fk in table.foreign_keys.to_mut() {
        if fk.referenced_table == referenced_table {
            for column in fk.referenced_columns.to_mut() {
                if column == from {
                    *column = to.clone();
                }
            }
        }
    }
}
