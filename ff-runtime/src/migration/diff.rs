//! The operations between two schemas, their inverse, and the values they still need.
//!
//! [`diff`] compares a stored snapshot with the entities and orders the operations so foreign
//! keys always hold: constraints that go away are dropped first, renames follow, tables are
//! created parents first, columns are added, changed and dropped, new constraints are added,
//! and tables are dropped last, children first.

use std::collections::{BTreeMap, BTreeSet};

use super::operation::Operation;
use super::schema_set::Schema;
use crate::ddl::creation_order;
use crate::schema::{ColumnDef, ColumnType, DefaultValue, ForeignKeyDef, IndexDef, TableDef, Text};
use crate::sql_text::canonical_condition;

/// The ordered operations that turn `old` (a stored snapshot) into `new` (the entities, which
/// may declare `renamed_from` hints on tables and columns).
///
/// A table or column is renamed only when its hint names something that exists in `old` while
/// its new name does not; otherwise it is created and the old one dropped.
pub fn diff(old: &Schema, new: &Schema) -> Vec<Operation> {
    Planner::new(old, new).operations()
}

/// Whether two schemas describe the same database, ignoring rename hints and the order of
/// tables, columns, indexes and constraints, and the spelling of index conditions
/// (`sql_text::canonical_condition`). A column added by a migration lands at the end of
/// its table while the entity may declare it anywhere, so this is how a schema reached by
/// migrations is compared with the entities.
pub fn equivalent(a: &Schema, b: &Schema) -> bool {
    normalized(a) == normalized(b)
}

fn normalized(schema: &Schema) -> Schema {
    let mut schema = schema.snapshot();
    for table in &mut schema.tables {
        table.columns.to_mut().sort_by(|a, b| a.name.cmp(&b.name));
        table.indexes.to_mut().sort_by(|a, b| a.name.cmp(&b.name));
        for index in table.indexes.to_mut() {
            index.predicate = index
                .predicate
                .as_deref()
                .map(|predicate| canonical_condition(predicate).into());
        }
        table.uniques.to_mut().sort_by(|a, b| a.name.cmp(&b.name));
        table.checks.to_mut().sort_by(|a, b| a.name.cmp(&b.name));
        table
            .foreign_keys
            .to_mut()
            .sort_by(|a, b| a.name.cmp(&b.name));
    }
    schema
}

/// The operations that undo `operations`: each one reversed, last first.
pub fn reverse_all(operations: &[Operation]) -> Vec<Operation> {
    operations.iter().rev().map(Operation::reverse).collect()
}

impl Operation {
    /// The operation that undoes this one. Undoing the drop of a NOT NULL column without a
    /// default, or making a column NOT NULL again, fills existing rows with the zero value of
    /// the column type (see [`zero_value`]).
    pub fn reverse(&self) -> Operation {
        match self {
            Operation::CreateTable { table } => Operation::DropTable {
                table: table.clone(),
            },
            Operation::DropTable { table } => Operation::CreateTable {
                table: table.clone(),
            },
            Operation::RenameTable { from, to } => Operation::RenameTable {
                from: to.clone(),
                to: from.clone(),
            },
            Operation::AddColumn { table, column, .. } => Operation::DropColumn {
                table: table.clone(),
                column: column.clone(),
            },
            Operation::DropColumn { table, column } => Operation::AddColumn {
                table: table.clone(),
                column: column.clone(),
                backfill: needs_backfill(column)
                    .then(|| zero_value(&column.sql_type))
                    .flatten(),
            },
            Operation::RenameColumn { table, from, to } => Operation::RenameColumn {
                table: table.clone(),
                from: to.clone(),
                to: from.clone(),
            },
            Operation::AlterColumn {
                table, from, to, ..
            } => Operation::AlterColumn {
                table: table.clone(),
                from: to.clone(),
                to: from.clone(),
                backfill: (to.nullable && needs_backfill(from))
                    .then(|| zero_value(&from.sql_type))
                    .flatten(),
            },
            Operation::AddIndex { table, index } => Operation::DropIndex {
                table: table.clone(),
                index: index.clone(),
            },
            Operation::DropIndex { table, index } => Operation::AddIndex {
                table: table.clone(),
                index: index.clone(),
            },
            Operation::AddUnique { table, unique } => Operation::DropUnique {
                table: table.clone(),
                unique: unique.clone(),
            },
            Operation::DropUnique { table, unique } => Operation::AddUnique {
                table: table.clone(),
                unique: unique.clone(),
            },
            Operation::AddCheck { table, check } => Operation::DropCheck {
                table: table.clone(),
                check: check.clone(),
            },
            Operation::DropCheck { table, check } => Operation::AddCheck {
                table: table.clone(),
                check: check.clone(),
            },
            Operation::AddForeignKey { table, foreign_key } => Operation::DropForeignKey {
                table: table.clone(),
                foreign_key: foreign_key.clone(),
            },
            Operation::DropForeignKey { table, foreign_key } => Operation::AddForeignKey {
                table: table.clone(),
                foreign_key: foreign_key.clone(),
            },
            Operation::StoreDecimalsAsNumbers { .. } => self.clone(),
        }
    }
}

/// Whether existing rows need a value when this column appears or becomes NOT NULL: it is
/// NOT NULL, has no default and the database does not generate it.
fn needs_backfill(column: &ColumnDef) -> bool {
    !column.nullable && column.default.is_none() && !column.auto_increment
}

/// The neutral value of a column type, used to fill existing rows when a NOT NULL column comes
/// back: zero, false, the empty string, the Unix epoch, the nil UUID, an empty JSON object.
/// `None` for a custom type, whose values ff does not know.
pub fn zero_value(sql_type: &ColumnType) -> Option<DefaultValue> {
    let text = |value: &'static str| Some(DefaultValue::Text(Text::Borrowed(value)));
    match sql_type {
        ColumnType::SmallInt
        | ColumnType::Integer
        | ColumnType::BigInt
        | ColumnType::Decimal { .. } => Some(DefaultValue::Int(0)),
        ColumnType::Float | ColumnType::Double => Some(DefaultValue::Float(0.0)),
        ColumnType::Boolean => Some(DefaultValue::Bool(false)),
        ColumnType::Text | ColumnType::Varchar(_) | ColumnType::Binary => text(""),
        ColumnType::Date => text("1970-01-01"),
        ColumnType::Time => text("00:00:00"),
        ColumnType::Timestamp | ColumnType::TimestampTz => text("1970-01-01 00:00:00"),
        ColumnType::Uuid => text("00000000-0000-0000-0000-000000000000"),
        ColumnType::Json => text("{}"),
        ColumnType::Custom(_) => None,
    }
}

/// The columns that existing rows cannot fill: an added NOT NULL column without a default, or
/// a column becoming NOT NULL without a default, when no backfill value was given. The CLI asks
/// for a value ([`set_backfill`]) before it writes such a migration.
pub fn missing_backfills(operations: &[Operation]) -> Vec<(String, String)> {
    operations
        .iter()
        .filter_map(|operation| match operation {
            Operation::AddColumn {
                table,
                column,
                backfill: None,
            } if needs_backfill(column) => Some((table.to_string(), column.name.to_string())),
            Operation::AlterColumn {
                table,
                from,
                to,
                backfill: None,
            } if from.nullable && needs_backfill(to) => {
                Some((table.to_string(), to.name.to_string()))
            }
            _ => None,
        })
        .collect()
}

/// Gives existing rows `value` for `table.column` where it is added or becomes NOT NULL.
/// Returns whether such an operation was found.
pub fn set_backfill(
    operations: &mut [Operation],
    table: &str,
    column: &str,
    value: DefaultValue,
) -> bool {
    let mut found = false;
    for operation in operations {
        match operation {
            Operation::AddColumn {
                table: t,
                column: c,
                backfill,
            } if t == table && c.name == column => {
                *backfill = Some(value.clone());
                found = true;
            }
            Operation::AlterColumn {
                table: t,
                to,
                backfill,
                ..
            } if t == table && to.name == column => {
                *backfill = Some(value.clone());
                found = true;
            }
            _ => {}
        }
    }
    found
}

/// A table of `old` and the table of `new` it becomes.
struct Pair<'a> {
    /// The table in `old`, under its old names.
    old: &'a TableDef,
    /// The old table after the renames: the new names, the old definitions.
    renamed: TableDef,
    /// The table in `new`.
    new: &'a TableDef,
}

struct Planner<'a> {
    /// The old tables, by name.
    old: Vec<&'a TableDef>,
    /// The tables in both schemas, sorted by new name.
    pairs: Vec<Pair<'a>>,
    /// The tables of `new` only, sorted by name.
    created: Vec<&'a TableDef>,
    /// The tables of `old` only, sorted by name.
    dropped: Vec<&'a TableDef>,
    /// The renames, tables first, then columns (under the new table name).
    renames: Vec<Operation>,
}

impl<'a> Planner<'a> {
    fn new(old: &'a Schema, new: &'a Schema) -> Planner<'a> {
        let mut old_tables: Vec<&TableDef> = old.tables.iter().collect();
        old_tables.sort_by(|a, b| a.name.cmp(&b.name));
        let mut new_tables: Vec<&TableDef> = new.tables.iter().collect();
        new_tables.sort_by(|a, b| a.name.cmp(&b.name));
        let old_table = |name: &str| old_tables.iter().copied().find(|t| t.name == name);

        // Which old table each new table continues: a valid rename hint first, then the name.
        let mut claimed: BTreeSet<&str> = BTreeSet::new();
        let mut sources: BTreeMap<&str, &TableDef> = BTreeMap::new();
        for table in &new_tables {
            if let Some(from) = &table.renamed_from
                && old_table(&table.name).is_none()
                && let Some(source) = old_table(from)
                && claimed.insert(&source.name)
            {
                sources.insert(&table.name, source);
            }
        }
        for table in &new_tables {
            if let Some(source) = old_table(&table.name)
                && !sources.contains_key(table.name.as_ref())
                && claimed.insert(&source.name)
            {
                sources.insert(&table.name, source);
            }
        }

        let mut renames = Vec::new();
        for table in &new_tables {
            if let Some(source) = sources.get(table.name.as_ref())
                && source.name != table.name
            {
                renames.push(Operation::RenameTable {
                    from: source.name.clone(),
                    to: table.name.clone(),
                });
            }
        }
        for table in &new_tables {
            if let Some(source) = sources.get(table.name.as_ref()) {
                renames.extend(column_renames(source, table));
            }
        }

        let mut renamed = old.clone();
        for rename in &renames {
            let applied = renamed.apply(rename);
            debug_assert!(applied.is_ok(), "rename {rename:?}: {applied:?}");
        }

        let mut pairs = Vec::new();
        let mut created = Vec::new();
        for table in &new_tables {
            match (sources.get(table.name.as_ref()), renamed.table(&table.name)) {
                (Some(source), Some(renamed)) => pairs.push(Pair {
                    old: source,
                    renamed: renamed.clone(),
                    new: table,
                }),
                _ => created.push(*table),
            }
        }
        let dropped = old_tables
            .iter()
            .copied()
            .filter(|table| !claimed.contains(table.name.as_ref()))
            .collect();
        Planner {
            old: old_tables,
            pairs,
            created,
            dropped,
            renames,
        }
    }

    fn pair_by_old_name(&self, name: &str) -> Option<&Pair<'a>> {
        self.pairs.iter().find(|pair| pair.old.name == name)
    }

    fn operations(&self) -> Vec<Operation> {
        let retyped = self.retyped_columns();
        let mut operations = Vec::new();

        // 1. Foreign keys that go away or change, and those of the tables that go away, so
        //    that nothing below is held back by them.
        for table in &self.old {
            if self
                .dropped
                .iter()
                .any(|dropped| dropped.name == table.name)
            {
                operations.extend(
                    table
                        .foreign_keys
                        .iter()
                        .map(|fk| Operation::DropForeignKey {
                            table: table.name.clone(),
                            foreign_key: fk.clone(),
                        }),
                );
            } else if let Some(pair) = self.pair_by_old_name(&table.name) {
                for fk in pair.renamed.foreign_keys.iter() {
                    let kept = find(&pair.new.foreign_keys, &fk.name, |f| &f.name);
                    if kept != Some(fk) || touches(&pair.new.name, fk, &retyped) {
                        operations.push(Operation::DropForeignKey {
                            table: table.name.clone(),
                            foreign_key: old_version(&table.foreign_keys, fk, |f| &f.name),
                        });
                    }
                }
            }
        }

        // 2. Indexes, uniques and checks that go away or change.
        for table in &self.old {
            let Some(pair) = self.pair_by_old_name(&table.name) else {
                continue;
            };
            let name = &table.name;
            for index in pair.renamed.indexes.iter() {
                if !find(&pair.new.indexes, &index.name, |i| &i.name)
                    .is_some_and(|new| same_index(new, index))
                {
                    operations.push(Operation::DropIndex {
                        table: name.clone(),
                        index: old_version(&table.indexes, index, |i| &i.name),
                    });
                }
            }
            for unique in pair.renamed.uniques.iter() {
                if find(&pair.new.uniques, &unique.name, |u| &u.name) != Some(unique) {
                    operations.push(Operation::DropUnique {
                        table: name.clone(),
                        unique: old_version(&table.uniques, unique, |u| &u.name),
                    });
                }
            }
            for check in pair.renamed.checks.iter() {
                if find(&pair.new.checks, &check.name, |c| &c.name) != Some(check) {
                    operations.push(Operation::DropCheck {
                        table: name.clone(),
                        check: old_version(&table.checks, check, |c| &c.name),
                    });
                }
            }
        }

        // 3. Renames.
        operations.extend(self.renames.iter().cloned());

        // 4. New tables, parents first. A foreign key to a table that is not ready yet (created
        //    later, in a cycle, or changed below) is added once everything else is in place.
        let mut deferred: Vec<(&Text, &ForeignKeyDef)> = Vec::new();
        let unsettled = self.unsettled_tables();
        let mut ready: Vec<&str> = Vec::new();
        for table in creation_order(&self.created) {
            let waits = |fk: &ForeignKeyDef| {
                let parent = fk.referenced_table.as_ref();
                parent != table.name
                    && (unsettled.contains(parent)
                        || (self.created.iter().any(|t| t.name == parent)
                            && !ready.contains(&parent)))
            };
            let mut created = without_hints(table);
            created.foreign_keys = table
                .foreign_keys
                .iter()
                .filter(|fk| !waits(fk))
                .cloned()
                .collect();
            deferred.extend(
                table
                    .foreign_keys
                    .iter()
                    .filter(|fk| waits(fk))
                    .map(|fk| (&table.name, fk)),
            );
            operations.push(Operation::CreateTable { table: created });
            ready.push(&table.name);
        }

        // 5. Columns: the primary key is given up before it is taken, then columns are added,
        //    changed and dropped.
        for pair in &self.pairs {
            for column in pair.renamed.columns.iter() {
                if loses_key(column, &pair.new.columns) {
                    operations.push(column_change(&pair.new.name, column, &pair.new.columns));
                }
            }
        }
        for pair in &self.pairs {
            for column in pair.new.columns.iter() {
                if find(&pair.renamed.columns, &column.name, |c| &c.name).is_none() {
                    operations.push(Operation::AddColumn {
                        table: pair.new.name.clone(),
                        column: column_without_hint(column),
                        backfill: None,
                    });
                }
            }
        }
        for pair in &self.pairs {
            for column in pair.renamed.columns.iter() {
                if let Some(new) = find(&pair.new.columns, &column.name, |c| &c.name)
                    && !loses_key(column, &pair.new.columns)
                    && !same_column(column, new)
                {
                    operations.push(column_change(&pair.new.name, column, &pair.new.columns));
                }
            }
        }
        for pair in &self.pairs {
            for column in pair.renamed.columns.iter() {
                let gone = find(&pair.new.columns, &column.name, |c| &c.name).is_none();
                if gone && !loses_key(column, &pair.new.columns) {
                    operations.push(column_change(&pair.new.name, column, &pair.new.columns));
                }
            }
        }

        // 6. Uniques, indexes and checks that appear or change.
        for pair in &self.pairs {
            let name = &pair.new.name;
            for unique in pair.new.uniques.iter() {
                if find(&pair.renamed.uniques, &unique.name, |u| &u.name) != Some(unique) {
                    operations.push(Operation::AddUnique {
                        table: name.clone(),
                        unique: unique.clone(),
                    });
                }
            }
            for index in pair.new.indexes.iter() {
                if !find(&pair.renamed.indexes, &index.name, |i| &i.name)
                    .is_some_and(|old| same_index(old, index))
                {
                    operations.push(Operation::AddIndex {
                        table: name.clone(),
                        index: index.clone(),
                    });
                }
            }
            for check in pair.new.checks.iter() {
                if find(&pair.renamed.checks, &check.name, |c| &c.name) != Some(check) {
                    operations.push(Operation::AddCheck {
                        table: name.clone(),
                        check: check.clone(),
                    });
                }
            }
        }

        // 7. Foreign keys that appear or change, and those held back from new tables.
        for pair in &self.pairs {
            for fk in pair.new.foreign_keys.iter() {
                let before = find(&pair.renamed.foreign_keys, &fk.name, |f| &f.name);
                if before != Some(fk) || touches(&pair.new.name, fk, &retyped) {
                    deferred.push((&pair.new.name, fk));
                }
            }
        }
        deferred.sort_by(|a, b| a.0.cmp(b.0));
        operations.extend(
            deferred
                .into_iter()
                .map(|(table, fk)| Operation::AddForeignKey {
                    table: table.clone(),
                    foreign_key: fk.clone(),
                }),
        );

        // 8. Tables that go away, children first. Their foreign keys went in step 1, so the
        //    definition kept for the reverse has none (they are added back after it).
        for table in creation_order(&self.dropped).into_iter().rev() {
            let mut table = without_hints(table);
            table.foreign_keys = Vec::new().into();
            operations.push(Operation::DropTable { table });
        }
        operations
    }

    /// The columns (by new table and column name) whose type changes: foreign keys over them
    /// are dropped first and added back, since some databases refuse to retype such a column.
    fn retyped_columns(&self) -> BTreeSet<(&str, &str)> {
        let mut retyped = BTreeSet::new();
        for pair in &self.pairs {
            for column in pair.new.columns.iter() {
                if let Some(before) = find(&pair.renamed.columns, &column.name, |c| &c.name)
                    && before.sql_type != column.sql_type
                {
                    retyped.insert((pair.new.name.as_ref(), column.name.as_ref()));
                }
            }
        }
        retyped
    }

    /// The existing tables whose columns or unique constraints change: a new table's foreign
    /// key to one of them waits until those changes are made.
    fn unsettled_tables(&self) -> BTreeSet<&str> {
        self.pairs
            .iter()
            .filter(|pair| {
                let columns_change = pair.new.columns.iter().any(|column| {
                    find(&pair.renamed.columns, &column.name, |c| &c.name)
                        .is_none_or(|before| !same_column(before, column))
                });
                let uniques_change = pair.new.uniques.iter().any(|unique| {
                    find(&pair.renamed.uniques, &unique.name, |u| &u.name) != Some(unique)
                });
                columns_change || uniques_change
            })
            .map(|pair| pair.new.name.as_ref())
            .collect()
    }
}

/// The column renames of `old` into `new`, declared by hints: the old name exists, the new one
/// does not, and no other column claimed the old one.
fn column_renames(old: &TableDef, new: &TableDef) -> Vec<Operation> {
    let has = |name: &str| old.columns.iter().any(|c| c.name == name);
    let mut claimed: Vec<&str> = Vec::new();
    let mut renames = Vec::new();
    for column in new.columns.iter() {
        if let Some(from) = &column.renamed_from
            && !has(&column.name)
            && has(from)
            && !claimed.contains(&from.as_ref())
        {
            claimed.push(from);
            renames.push(Operation::RenameColumn {
                table: new.name.clone(),
                from: from.clone(),
                to: column.name.clone(),
            });
        }
    }
    renames
}

/// The operation for a column of the renamed old table: changed or, when `new_columns` has
/// no such column, dropped.
fn column_change(table: &Text, column: &ColumnDef, new_columns: &[ColumnDef]) -> Operation {
    match find(new_columns, &column.name, |c| &c.name) {
        Some(new) => Operation::AlterColumn {
            table: table.clone(),
            from: column_without_hint(column),
            to: column_without_hint(new),
            backfill: None,
        },
        None => Operation::DropColumn {
            table: table.clone(),
            column: column_without_hint(column),
        },
    }
}

/// Whether `column` is a primary key column that is no longer one (or no longer exists) among
/// `new_columns`: such changes come before any column takes the key.
fn loses_key(column: &ColumnDef, new_columns: &[ColumnDef]) -> bool {
    column.primary_key
        && find(new_columns, &column.name, |c| &c.name).is_none_or(|new| !new.primary_key)
}

/// Whether a foreign key of `table` covers, on either side, a column whose type changes.
fn touches(table: &str, fk: &ForeignKeyDef, retyped: &BTreeSet<(&str, &str)>) -> bool {
    fk.columns
        .iter()
        .any(|column| retyped.contains(&(table, column.as_ref())))
        || fk
            .referenced_columns
            .iter()
            .any(|column| retyped.contains(&(fk.referenced_table.as_ref(), column.as_ref())))
}

fn find<'t, T>(items: &'t [T], name: &str, name_of: impl Fn(&T) -> &Text) -> Option<&'t T> {
    items.iter().find(|item| name_of(item) == name)
}

/// The definition of `item` before the renames (same name), as the database holds it when
/// it is dropped.
fn old_version<T: Clone>(old: &[T], item: &T, name_of: impl Fn(&T) -> &Text) -> T {
    find(old, name_of(item), &name_of).unwrap_or(item).clone()
}

/// Whether two declarations make the same index. Conditions compare in canonical form
/// (`sql_text::canonical_condition`): respelling one (case, spaces, casts, the parentheses PostgreSQL
/// adds, as in entities imported from it) changes nothing in the database.
fn same_index(a: &IndexDef, b: &IndexDef) -> bool {
    let condition = |index: &IndexDef| index.predicate.as_deref().map(canonical_condition);
    a.name == b.name
        && a.columns == b.columns
        && a.unique == b.unique
        && condition(a) == condition(b)
}

fn same_column(a: &ColumnDef, b: &ColumnDef) -> bool {
    a.name == b.name
        && a.sql_type == b.sql_type
        && a.nullable == b.nullable
        && a.default == b.default
        && a.primary_key == b.primary_key
        && a.auto_increment == b.auto_increment
}

fn column_without_hint(column: &ColumnDef) -> ColumnDef {
    ColumnDef {
        renamed_from: None,
        ..column.clone()
    }
}

fn without_hints(table: &TableDef) -> TableDef {
    TableDef {
        columns: table.columns.iter().map(column_without_hint).collect(),
        renamed_from: None,
        ..table.clone()
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow::{Borrowed, Owned};

    use super::*;
    use crate::schema::{CheckDef, IndexDef, List, ReferentialAction, UniqueDef};

    fn text(value: &str) -> Text {
        Owned(value.to_string())
    }

    fn column(name: &str, sql_type: ColumnType, nullable: bool) -> ColumnDef {
        ColumnDef::new(name.to_owned(), sql_type, nullable)
    }

    fn id() -> ColumnDef {
        ColumnDef {
            primary_key: true,
            auto_increment: true,
            ..column("id", ColumnType::Integer, false)
        }
    }

    fn table(name: &str, columns: Vec<ColumnDef>) -> TableDef {
        TableDef {
            name: text(name),
            columns: columns.into(),
            indexes: Borrowed(&[]),
            uniques: Borrowed(&[]),
            checks: Borrowed(&[]),
            foreign_keys: Borrowed(&[]),
            renamed_from: None,
        }
    }

    fn fk(name: &str, column: &str, parent: &str) -> ForeignKeyDef {
        ForeignKeyDef {
            name: text(name),
            columns: vec![text(column)].into(),
            referenced_table: text(parent),
            referenced_columns: vec![text("id")].into(),
            on_delete: ReferentialAction::Cascade,
            on_update: ReferentialAction::NoAction,
        }
    }

    fn index(name: &str, columns: &[&str]) -> IndexDef {
        IndexDef {
            name: text(name),
            columns: columns.iter().map(|c| text(c)).collect(),
            unique: false,
            predicate: None,
        }
    }

    fn category() -> TableDef {
        table(
            "category",
            vec![id(), column("name", ColumnType::Varchar(100), false)],
        )
    }

    fn product() -> TableDef {
        TableDef {
            foreign_keys: vec![fk("fk_product_category_id", "category_id", "category")].into(),
            ..table(
                "product",
                vec![
                    id(),
                    column("name", ColumnType::Varchar(100), false),
                    column("category_id", ColumnType::Integer, false),
                ],
            )
        }
    }

    fn schema(tables: Vec<TableDef>) -> Schema {
        Schema::new(tables)
    }

    /// Diffs, checks both postconditions and returns the operations.
    fn checked_diff(old: &Schema, new: &Schema) -> Vec<Operation> {
        let operations = diff(old, new);
        let mut upgraded = old.clone();
        upgraded
            .apply_all(&operations)
            .unwrap_or_else(|e| panic!("{e}: {operations:#?}"));
        assert!(
            equivalent(&upgraded, new),
            "{operations:#?}\n{upgraded:#?}\n{new:#?}"
        );
        assert_eq!(diff(&upgraded, new), vec![], "not idempotent");
        let mut downgraded = upgraded.clone();
        downgraded
            .apply_all(&reverse_all(&operations))
            .unwrap_or_else(|e| panic!("reverse: {e}: {operations:#?}"));
        assert!(equivalent(&downgraded, old), "reverse: {operations:#?}");
        operations
    }

    fn lines(operations: &[Operation]) -> Vec<String> {
        operations.iter().map(crate::migration::describe).collect()
    }

    #[test]
    fn identical_schemas_give_no_operations() {
        let old = schema(vec![category(), product()]);
        assert_eq!(checked_diff(&old, &old.clone()), vec![]);
    }

    #[test]
    fn column_and_constraint_order_alone_gives_no_operations() {
        let old = schema(vec![TableDef {
            indexes: vec![index("ix_a", &["name"]), index("ix_b", &["id"])].into(),
            ..category()
        }]);
        let mut reordered = old.clone();
        reordered.tables[0].columns.to_mut().reverse();
        reordered.tables[0].indexes.to_mut().reverse();
        assert_eq!(diff(&old, &reordered), vec![]);
        assert!(equivalent(&old, &reordered));
    }

    #[test]
    fn a_new_table_is_created_and_a_removed_one_dropped() {
        let old = schema(vec![category()]);
        let new = schema(vec![category(), product()]);
        assert_eq!(
            lines(&checked_diff(&old, &new)),
            ["+ table product"],
            "created"
        );
        assert_eq!(
            lines(&checked_diff(&new, &old)),
            [
                "- foreign key fk_product_category_id on product",
                "- table product"
            ]
        );
    }

    #[test]
    fn added_and_removed_columns_are_added_and_dropped() {
        let old = schema(vec![category()]);
        let mut new = category();
        new.columns.to_mut().remove(1);
        new.columns
            .to_mut()
            .insert(1, column("slug", ColumnType::Varchar(32), false));
        let new = schema(vec![new]);
        assert_eq!(
            lines(&checked_diff(&old, &new)),
            [
                "+ column category.slug VARCHAR(32) NOT NULL",
                "- column category.name"
            ]
        );
    }

    #[test]
    fn each_changed_column_gives_one_alter_column() {
        let old = schema(vec![table(
            "t",
            vec![
                id(),
                column("a", ColumnType::Varchar(100), false),
                column("b", ColumnType::Integer, true),
                column("c", ColumnType::Text, false),
                column("d", ColumnType::Integer, false),
            ],
        )]);
        let new = schema(vec![table(
            "t",
            vec![
                id(),
                column("a", ColumnType::Varchar(50), false),
                column("b", ColumnType::BigInt, false),
                ColumnDef {
                    default: Some(DefaultValue::Text(text("x"))),
                    ..column("c", ColumnType::Text, false)
                },
                column("d", ColumnType::Integer, false),
            ],
        )]);
        assert_eq!(
            lines(&checked_diff(&old, &new)),
            [
                "~ column t.a: VARCHAR(100) → VARCHAR(50)",
                "~ column t.b: INTEGER → BIGINT, NOT NULL",
                "~ column t.c: DEFAULT 'x'",
            ]
        );
    }

    #[test]
    fn a_moving_primary_key_is_given_up_before_it_is_taken() {
        let old = schema(vec![table(
            "t",
            vec![column("a", ColumnType::Integer, false), id()],
        )]);
        let new = schema(vec![table(
            "t",
            vec![
                ColumnDef {
                    primary_key: true,
                    ..column("a", ColumnType::Integer, false)
                },
                column("id", ColumnType::Integer, false),
            ],
        )]);
        assert_eq!(
            lines(&checked_diff(&old, &new)),
            [
                "~ column t.id: no primary key, no auto increment",
                "~ column t.a: primary key",
            ]
        );
    }

    #[test]
    fn changed_constraints_are_dropped_then_added() {
        let check = |name: &str, expression: &str| CheckDef {
            name: text(name),
            expression: text(expression),
        };
        let unique = |name: &str, column: &str| UniqueDef {
            name: text(name),
            columns: vec![text(column)].into(),
        };
        let old = schema(vec![
            category(),
            TableDef {
                indexes: vec![index("ix_name", &["name"]), index("ix_gone", &["id"])].into(),
                checks: vec![check("ck_name", "name <> ''")].into(),
                ..product()
            },
        ]);
        let mut changed_fk = fk("fk_product_category_id", "category_id", "category");
        changed_fk.on_delete = ReferentialAction::Restrict;
        let new = schema(vec![
            category(),
            TableDef {
                indexes: vec![index("ix_name", &["name", "id"])].into(),
                uniques: vec![unique("uq_name", "name")].into(),
                checks: vec![check("ck_name", "name <> ''")].into(),
                foreign_keys: vec![changed_fk].into(),
                ..product()
            },
        ]);
        assert_eq!(
            lines(&checked_diff(&old, &new)),
            [
                "- foreign key fk_product_category_id on product",
                "- index ix_name on product",
                "- index ix_gone on product",
                "+ unique uq_name on product(name)",
                "+ index ix_name on product(name, id)",
                "+ foreign key fk_product_category_id product(category_id) → category(id) \
                 ON DELETE RESTRICT",
            ]
        );
    }

    #[test]
    fn a_partial_index_whose_condition_appears_changes_or_goes_is_dropped_and_created_again() {
        let partial = |predicate: Option<&str>| TableDef {
            indexes: vec![IndexDef {
                predicate: predicate.map(text),
                ..index("ix_name", &["name"])
            }]
            .into(),
            ..product()
        };
        let versions = [None, Some("name <> ''"), Some("name <> 'x'"), None];
        for pair in versions.windows(2) {
            let old = schema(vec![category(), partial(pair[0])]);
            let new = schema(vec![category(), partial(pair[1])]);
            let added = match pair[1] {
                Some(predicate) => format!(
                    "+ index ix_name on product(name) where {predicate} (partial; MySQL/MariaDB: over every row)"
                ),
                None => "+ index ix_name on product(name)".to_owned(),
            };
            assert_eq!(
                lines(&checked_diff(&old, &new)),
                ["- index ix_name on product".to_owned(), added]
            );
        }
    }

    #[test]
    fn a_condition_spelled_another_way_is_no_change() {
        let partial = |predicate: &str| TableDef {
            indexes: vec![IndexDef {
                predicate: Some(text(predicate)),
                ..index("ix_name", &["name"])
            }]
            .into(),
            ..product()
        };
        let old = schema(vec![category(), partial("name <> '' AND id > 0")]);
        let respelled = schema(vec![
            category(),
            partial("((name)::text <> ''::text) and (id>0)"),
        ]);
        assert!(checked_diff(&old, &respelled).is_empty());
    }

    #[test]
    fn a_snapshot_written_before_partial_indexes_reads_as_indexes_over_every_row() {
        let index: IndexDef =
            serde_json::from_str(r#"{"name": "ix_name", "columns": ["name"]}"#).unwrap();
        assert_eq!(index, IndexDef::new("ix_name", vec![text("name")]));
        assert_eq!(
            serde_json::to_string(&index).unwrap(),
            r#"{"name":"ix_name","columns":["name"]}"#
        );
    }

    #[test]
    fn a_hinted_table_rename_is_a_rename_followed_by_its_column_changes() {
        let old = schema(vec![
            category(),
            TableDef {
                name: text("products"),
                ..product()
            },
        ]);
        let mut renamed = product();
        renamed.renamed_from = Some(text("products"));
        renamed
            .columns
            .to_mut()
            .push(column("sku", ColumnType::Varchar(32), true));
        let new = schema(vec![category(), renamed]);
        assert_eq!(
            lines(&checked_diff(&old, &new)),
            [
                "~ rename table products → product",
                "+ column product.sku VARCHAR(32) NULL"
            ]
        );
    }

    #[test]
    fn without_a_hint_a_renamed_table_is_created_and_the_old_one_dropped() {
        let old = schema(vec![table("products", vec![id()])]);
        let new = schema(vec![table("product", vec![id()])]);
        assert_eq!(
            lines(&checked_diff(&old, &new)),
            ["+ table product", "- table products"]
        );
    }

    #[test]
    fn a_hinted_column_rename_follows_into_constraints_and_referencing_keys() {
        let parent = |key: &str| {
            let mut key_column = id();
            key_column.name = text(key);
            TableDef {
                indexes: vec![index("ix_parent", &[key])].into(),
                ..table("parent", vec![key_column])
            }
        };
        let child = |key: &str| TableDef {
            foreign_keys: vec![ForeignKeyDef {
                referenced_columns: vec![text(key)].into(),
                ..fk("fk_child_parent", "parent_id", "parent")
            }]
            .into(),
            ..table(
                "child",
                vec![id(), column("parent_id", ColumnType::Integer, false)],
            )
        };
        let old = schema(vec![parent("pid"), child("pid")]);
        let mut new_parent = parent("id");
        new_parent.columns.to_mut()[0].renamed_from = Some(text("pid"));
        let new = schema(vec![new_parent, child("id")]);
        assert_eq!(
            lines(&checked_diff(&old, &new)),
            ["~ rename column parent.pid → parent.id"]
        );
    }

    #[test]
    fn a_column_hint_is_ignored_when_the_old_name_is_unknown_or_the_new_one_exists() {
        let old = schema(vec![table(
            "t",
            vec![id(), column("a", ColumnType::Text, true)],
        )]);
        let new = schema(vec![table(
            "t",
            vec![
                id(),
                ColumnDef {
                    renamed_from: Some(text("id")),
                    ..column("a", ColumnType::Text, true)
                },
                ColumnDef {
                    renamed_from: Some(text("zzz")),
                    ..column("b", ColumnType::Text, true)
                },
            ],
        )]);
        assert_eq!(lines(&checked_diff(&old, &new)), ["+ column t.b TEXT NULL"]);
    }

    #[test]
    fn parents_are_created_first_and_dropped_last() {
        let grandchild = TableDef {
            foreign_keys: vec![fk("fk_review_product_id", "product_id", "product")].into(),
            ..table(
                "a_review",
                vec![id(), column("product_id", ColumnType::Integer, false)],
            )
        };
        let old = schema(vec![]);
        let new = schema(vec![grandchild, product(), category()]);
        assert_eq!(
            lines(&checked_diff(&old, &new)),
            ["+ table category", "+ table product", "+ table a_review"]
        );
        let drops = diff(&new, &old);
        let dropped: Vec<&str> = drops
            .iter()
            .filter(|op| matches!(op, Operation::DropTable { .. }))
            .map(Operation::table_name)
            .collect();
        assert_eq!(dropped, ["a_review", "product", "category"]);
    }

    #[test]
    fn a_foreign_key_cycle_is_created_then_closed_and_opened_then_dropped() {
        let a = TableDef {
            foreign_keys: vec![fk("fk_a_b", "b_id", "b")].into(),
            ..table("a", vec![id(), column("b_id", ColumnType::Integer, true)])
        };
        let b = TableDef {
            foreign_keys: vec![fk("fk_b_a", "a_id", "a")].into(),
            ..table("b", vec![id(), column("a_id", ColumnType::Integer, true)])
        };
        let empty = schema(vec![]);
        let both = schema(vec![a, b]);
        let created = checked_diff(&empty, &both);
        assert_eq!(
            lines(&created),
            [
                "+ table a",
                "+ table b",
                "+ foreign key fk_a_b a(b_id) → b(id) ON DELETE CASCADE"
            ]
        );
        let Operation::CreateTable { table } = &created[0] else {
            panic!("{created:?}")
        };
        assert!(table.foreign_keys.is_empty());
        assert_eq!(
            lines(&checked_diff(&both, &empty)),
            [
                "- foreign key fk_a_b on a",
                "- foreign key fk_b_a on b",
                "- table b",
                "- table a"
            ]
        );
    }

    #[test]
    fn a_new_table_waits_to_refer_to_a_column_added_in_the_same_migration() {
        let old = schema(vec![table("parent", vec![id()])]);
        let child = TableDef {
            foreign_keys: vec![ForeignKeyDef {
                referenced_columns: vec![text("code")].into(),
                ..fk("fk_child_code", "code", "parent")
            }]
            .into(),
            ..table(
                "child",
                vec![id(), column("code", ColumnType::Integer, true)],
            )
        };
        let new = schema(vec![
            table(
                "parent",
                vec![id(), column("code", ColumnType::Integer, true)],
            ),
            child,
        ]);
        assert_eq!(
            lines(&checked_diff(&old, &new)),
            [
                "+ table child",
                "+ column parent.code INTEGER NULL",
                "+ foreign key fk_child_code child(code) → parent(code) ON DELETE CASCADE"
            ]
        );
    }

    #[test]
    fn a_retyped_key_column_has_its_foreign_keys_dropped_and_added_back() {
        let old = schema(vec![category(), product()]);
        let mut new_category = category();
        new_category.columns.to_mut()[0].sql_type = ColumnType::BigInt;
        let mut new_product = product();
        new_product.columns.to_mut()[2].sql_type = ColumnType::BigInt;
        let new = schema(vec![new_category, new_product]);
        assert_eq!(
            lines(&checked_diff(&old, &new)),
            [
                "- foreign key fk_product_category_id on product",
                "~ column category.id: INTEGER → BIGINT",
                "~ column product.category_id: INTEGER → BIGINT",
                "+ foreign key fk_product_category_id product(category_id) → category(id) \
                 ON DELETE CASCADE",
            ]
        );
    }

    #[test]
    fn reversing_swaps_each_operation() {
        let sku = column("sku", ColumnType::Varchar(32), false);
        let add = Operation::AddColumn {
            table: text("product"),
            column: sku.clone(),
            backfill: Some(DefaultValue::Text(text("x"))),
        };
        let drop = Operation::DropColumn {
            table: text("product"),
            column: sku.clone(),
        };
        assert_eq!(add.reverse(), drop);
        assert_eq!(
            drop.reverse(),
            Operation::AddColumn {
                table: text("product"),
                column: sku.clone(),
                backfill: Some(DefaultValue::Text(text(""))),
            }
        );
        let rename = Operation::RenameTable {
            from: text("a"),
            to: text("b"),
        };
        assert_eq!(
            rename.reverse(),
            Operation::RenameTable {
                from: text("b"),
                to: text("a"),
            }
        );
        let nullable = column("sku", ColumnType::Varchar(32), true);
        let tighten = Operation::AlterColumn {
            table: text("product"),
            from: nullable.clone(),
            to: sku.clone(),
            backfill: Some(DefaultValue::Text(text("?"))),
        };
        let loosen = Operation::AlterColumn {
            table: text("product"),
            from: sku.clone(),
            to: nullable.clone(),
            backfill: None,
        };
        assert_eq!(tighten.reverse(), loosen);
        assert_eq!(
            loosen.reverse(),
            Operation::AlterColumn {
                table: text("product"),
                from: nullable.clone(),
                to: sku.clone(),
                backfill: Some(DefaultValue::Text(text(""))),
            }
        );
        let create = Operation::CreateTable { table: product() };
        assert_eq!(create.reverse().reverse(), create);
        assert_eq!(
            reverse_all(&[create.clone(), rename.clone()]),
            [rename.reverse(), create.reverse()]
        );
    }

    #[test]
    fn zero_values_follow_the_column_type() {
        assert_eq!(zero_value(&ColumnType::BigInt), Some(DefaultValue::Int(0)));
        assert_eq!(
            zero_value(&ColumnType::Double),
            Some(DefaultValue::Float(0.0))
        );
        assert_eq!(
            zero_value(&ColumnType::Boolean),
            Some(DefaultValue::Bool(false))
        );
        assert_eq!(
            zero_value(&ColumnType::Uuid),
            Some(DefaultValue::Text(text(
                "00000000-0000-0000-0000-000000000000"
            )))
        );
        assert_eq!(
            zero_value(&ColumnType::Json),
            Some(DefaultValue::Text(text("{}")))
        );
        assert_eq!(zero_value(&ColumnType::Custom(text("money"))), None);
    }

    #[test]
    fn missing_backfills_are_listed_until_set() {
        let old = schema(vec![table(
            "t",
            vec![id(), column("a", ColumnType::Integer, true)],
        )]);
        let new = schema(vec![table(
            "t",
            vec![
                id(),
                column("a", ColumnType::Integer, false),
                column("b", ColumnType::Boolean, false),
                ColumnDef {
                    default: Some(DefaultValue::Int(1)),
                    ..column("c", ColumnType::Integer, false)
                },
                column("d", ColumnType::Integer, true),
            ],
        )]);
        let mut operations = diff(&old, &new);
        assert_eq!(
            missing_backfills(&operations),
            [
                ("t".to_string(), "b".to_string()),
                ("t".to_string(), "a".to_string())
            ]
        );
        assert!(set_backfill(
            &mut operations,
            "t",
            "a",
            DefaultValue::Int(7)
        ));
        assert!(set_backfill(
            &mut operations,
            "t",
            "b",
            DefaultValue::Bool(true)
        ));
        assert!(!set_backfill(
            &mut operations,
            "t",
            "x",
            DefaultValue::Int(0)
        ));
        assert_eq!(missing_backfills(&operations), vec![]);
    }

    // A tiny deterministic generator for the property test below.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            // xorshift64
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn chance(&mut self, percent: usize) -> bool {
            self.below(100) < percent
        }

        fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
            &items[self.below(items.len())]
        }
    }

    const TABLES: [&str; 8] = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const EXPRESSIONS: [&str; 3] = ["1 = 1", "c1 > 0", "c2 <> ''"];
    const COLUMNS: [&str; 10] = ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"];

    fn random_type(rng: &mut Rng) -> ColumnType {
        match rng.below(10) {
            0 => ColumnType::SmallInt,
            1 => ColumnType::Integer,
            2 => ColumnType::BigInt,
            3 => ColumnType::Double,
            4 => ColumnType::Boolean,
            5 => ColumnType::Text,
            6 => ColumnType::Varchar(1 + rng.below(3) as u32 * 50),
            7 => ColumnType::Timestamp,
            8 => ColumnType::Decimal {
                precision: 10,
                scale: rng.below(3) as u8,
            },
            _ => ColumnType::Uuid,
        }
    }

    fn random_column(rng: &mut Rng, name: &str) -> ColumnDef {
        let sql_type = random_type(rng);
        let default = if rng.chance(30) {
            zero_value(&sql_type)
        } else {
            None
        };
        ColumnDef {
            default,
            ..column(name, sql_type, rng.chance(50))
        }
    }

    fn fresh<'n>(rng: &mut Rng, pool: &[&'n str], taken: &[&str]) -> Option<&'n str> {
        let free: Vec<&str> = pool
            .iter()
            .copied()
            .filter(|n| !taken.contains(n))
            .collect();
        (!free.is_empty()).then(|| *rng.pick(&free))
    }

    fn random_table(rng: &mut Rng, name: &str) -> TableDef {
        let mut columns = Vec::new();
        if rng.chance(70) {
            columns.push(ColumnDef {
                name: text("c0"),
                ..id()
            });
        }
        let count = 1 + rng.below(6);
        while columns.len() < count {
            let taken: Vec<&str> = columns.iter().map(|c| c.name.as_ref()).collect();
            let Some(name) = fresh(rng, &COLUMNS, &taken) else {
                break;
            };
            columns.push(random_column(rng, name));
        }
        let mut table = table(name, columns);
        for k in 0..rng.below(3) {
            add_random_constraint(rng, &mut table, k);
        }
        table
    }

    fn random_columns(rng: &mut Rng, table: &TableDef) -> List<Text> {
        let count = 1 + rng.below(2).min(table.columns.len() - 1);
        (0..count)
            .map(|_| rng.pick(&table.columns).name.clone())
            .collect()
    }

    /// An index, unique or check named with `k`, which keeps names apart.
    fn add_random_constraint(rng: &mut Rng, table: &mut TableDef, k: usize) {
        let name = |kind: &str| text(&format!("{kind}_{}_{k}", table.name));
        match rng.below(3) {
            0 => {
                let index = IndexDef {
                    name: name("ix"),
                    columns: random_columns(rng, table),
                    unique: false,
                    predicate: None,
                };
                table.indexes.to_mut().push(index);
            }
            1 => {
                let unique = UniqueDef {
                    name: name("uq"),
                    columns: random_columns(rng, table),
                };
                table.uniques.to_mut().push(unique);
            }
            _ => {
                let expression = EXPRESSIONS[rng.below(EXPRESSIONS.len())];
                let check = CheckDef {
                    name: name("ck"),
                    expression: text(expression),
                };
                table.checks.to_mut().push(check);
            }
        }
    }

    /// A foreign key named with `k` from a random column of `tables[from]` to the first column
    /// of a random table.
    fn add_random_fk(rng: &mut Rng, tables: &mut [TableDef], from: usize, k: usize) {
        let parent = rng.pick(tables);
        let fk = ForeignKeyDef {
            name: text(&format!("fk_{}_{k}", tables[from].name)),
            columns: vec![rng.pick(&tables[from].columns).name.clone()].into(),
            referenced_table: parent.name.clone(),
            referenced_columns: vec![parent.columns[0].name.clone()].into(),
            on_delete: *rng.pick(&[ReferentialAction::Cascade, ReferentialAction::NoAction]),
            on_update: ReferentialAction::NoAction,
        };
        tables[from].foreign_keys.to_mut().push(fk);
    }

    fn random_schema(rng: &mut Rng) -> Schema {
        let mut tables: Vec<TableDef> = Vec::new();
        for _ in 0..1 + rng.below(5) {
            let taken: Vec<&str> = tables.iter().map(|t| t.name.as_ref()).collect();
            let name = fresh(rng, &TABLES, &taken).unwrap_or("a");
            tables.push(random_table(rng, name));
        }
        for from in 0..tables.len() {
            for k in 0..rng.below(3) {
                add_random_fk(rng, &mut tables, from, k);
            }
        }
        Schema::new(tables)
    }

    /// `old` changed at random: tables and columns dropped, added, changed and renamed with
    /// hints, constraints kept (following renames), changed, dropped and added.
    fn mutate(rng: &mut Rng, old: &Schema) -> Schema {
        let old_names: Vec<&str> = old.tables.iter().map(|t| t.name.as_ref()).collect();
        // Old table name → (new name, old column → new column).
        let mut renames: BTreeMap<String, (String, BTreeMap<String, String>)> = BTreeMap::new();
        let mut tables: Vec<TableDef> = Vec::new();
        for old_table in &old.tables {
            if rng.chance(10) {
                continue;
            }
            let mut table = old_table.clone();
            if rng.chance(20) {
                let mut taken = old_names.clone();
                taken.extend(tables.iter().map(|t| t.name.as_ref()));
                if let Some(name) = fresh(rng, &TABLES, &taken) {
                    table.name = text(name);
                    table.renamed_from = Some(old_table.name.clone());
                }
            }
            let mut column_map = BTreeMap::new();
            let mut columns = Vec::new();
            for old_column in old_table.columns.iter() {
                let mut column = old_column.clone();
                match rng.below(10) {
                    0 => continue,
                    1 => {
                        let mut taken: Vec<&str> =
                            old_table.columns.iter().map(|c| c.name.as_ref()).collect();
                        taken.extend(columns.iter().map(|c: &ColumnDef| c.name.as_ref()));
                        if let Some(name) = fresh(rng, &COLUMNS, &taken) {
                            column.name = text(name);
                            column.renamed_from = Some(old_column.name.clone());
                        }
                    }
                    2 => column.sql_type = random_type(rng),
                    3 => column.nullable = !column.nullable,
                    4 => {
                        column.default = match column.default {
                            Some(_) => None,
                            None => zero_value(&column.sql_type),
                        }
                    }
                    5 => column.primary_key = !column.primary_key,
                    _ => {}
                }
                column_map.insert(old_column.name.to_string(), column.name.to_string());
                columns.push(column);
            }
            for _ in 0..rng.below(3) {
                let taken: Vec<&str> = old_table
                    .columns
                    .iter()
                    .chain(columns.iter())
                    .map(|c| c.name.as_ref())
                    .collect();
                if let Some(name) = fresh(rng, &COLUMNS, &taken) {
                    let at = rng.below(columns.len() + 1);
                    let new_column = random_column(rng, name);
                    columns.insert(at, new_column);
                }
            }
            if columns.is_empty() {
                columns.push(random_column(rng, "c9"));
            }
            table.columns = columns.into();
            let follow = |columns: &[Text]| -> Option<List<Text>> {
                columns
                    .iter()
                    .map(|c| column_map.get(c.as_ref()).map(|n| text(n)))
                    .collect()
            };
            let keep = |rng: &mut Rng| !rng.chance(15);
            let mut indexes = Vec::new();
            for index in old_table.indexes.iter() {
                if let Some(columns) = follow(&index.columns)
                    && keep(rng)
                {
                    indexes.push(IndexDef {
                        name: index.name.clone(),
                        columns,
                        ..index.clone()
                    });
                }
            }
            table.indexes = indexes.into();
            let mut uniques = Vec::new();
            for unique in old_table.uniques.iter() {
                if let Some(columns) = follow(&unique.columns)
                    && keep(rng)
                {
                    uniques.push(UniqueDef {
                        name: unique.name.clone(),
                        columns,
                    });
                }
            }
            table.uniques = uniques.into();
            let mut checks = Vec::new();
            for check in old_table.checks.iter() {
                if keep(rng) {
                    let mut check = check.clone();
                    if rng.chance(15) {
                        check.expression = text("2 = 2");
                    }
                    checks.push(check);
                }
            }
            table.checks = checks.into();
            for k in 5..5 + rng.below(2) {
                add_random_constraint(rng, &mut table, k);
            }
            // Foreign keys are followed once every table is known.
            renames.insert(
                old_table.name.to_string(),
                (table.name.to_string(), column_map),
            );
            tables.push(table);
        }
        for _ in 0..rng.below(3) {
            let mut taken = old_names.clone();
            taken.extend(tables.iter().map(|t| t.name.as_ref()));
            if let Some(name) = fresh(rng, &TABLES, &taken) {
                let mut table = random_table(rng, name);
                if rng.chance(20) {
                    // A hint naming no old table is ignored.
                    table.renamed_from = Some(text("zz"));
                }
                tables.push(table);
            }
        }
        for from in 0..tables.len() {
            let source = renames
                .iter()
                .find(|(_, (name, _))| *name == tables[from].name)
                .map(|(old_name, (_, columns))| (old_name.clone(), columns.clone()));
            let mut fks = Vec::new();
            if let Some((old_name, columns)) = source
                && let Some(old_table) = old.table(&old_name)
            {
                for fk in old_table.foreign_keys.iter() {
                    let followed = (|| {
                        let (parent, parent_columns) = renames.get(fk.referenced_table.as_ref())?;
                        let map = |names: &[Text], map: &BTreeMap<String, String>| {
                            names
                                .iter()
                                .map(|c| map.get(c.as_ref()).map(|n| text(n)))
                                .collect::<Option<List<Text>>>()
                        };
                        Some(ForeignKeyDef {
                            columns: map(&fk.columns, &columns)?,
                            referenced_table: text(parent),
                            referenced_columns: map(&fk.referenced_columns, parent_columns)?,
                            ..fk.clone()
                        })
                    })();
                    if let Some(mut fk) = followed
                        && !rng.chance(15)
                    {
                        if rng.chance(15) {
                            fk.on_update = ReferentialAction::Cascade;
                        }
                        fks.push(fk);
                    }
                }
            }
            tables[from].foreign_keys = fks.into();
            for k in 5..5 + rng.below(2) {
                add_random_fk(rng, &mut tables, from, k);
            }
        }
        Schema::new(tables)
    }

    /// Every foreign key, index and unique names columns that exist, and every foreign key a
    /// table that exists: what a database enforces after each statement.
    fn references_hold(schema: &Schema) -> Result<(), String> {
        for table in &schema.tables {
            let has = |t: &TableDef, c: &Text| t.columns.iter().any(|col| col.name == *c);
            let own = table
                .indexes
                .iter()
                .flat_map(|i| i.columns.iter())
                .chain(table.uniques.iter().flat_map(|u| u.columns.iter()))
                .chain(table.foreign_keys.iter().flat_map(|f| f.columns.iter()));
            for column in own {
                if !has(table, column) {
                    return Err(format!("{}.{column} is missing", table.name));
                }
            }
            for fk in table.foreign_keys.iter() {
                let parent = schema
                    .table(&fk.referenced_table)
                    .ok_or_else(|| format!("{} refers to a missing table", fk.name))?;
                if !fk.referenced_columns.iter().all(|c| has(parent, c)) {
                    return Err(format!("{} refers to a missing column", fk.name));
                }
            }
        }
        Ok(())
    }

    fn apply_checking_references(schema: &mut Schema, operations: &[Operation]) {
        for operation in operations {
            schema
                .apply(operation)
                .unwrap_or_else(|e| panic!("{e}: {operation:?}\n{operations:#?}"));
            if let Err(broken) = references_hold(schema) {
                panic!("after {operation:?}: {broken}\n{operations:#?}");
            }
        }
    }

    #[test]
    fn random_schema_pairs_upgrade_and_downgrade_exactly() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut renames = 0;
        let mut kinds = std::collections::HashSet::new();
        for case in 0..500 {
            let old = random_schema(&mut rng).snapshot();
            let new = mutate(&mut rng, &old);
            let operations = diff(&old, &new);
            assert_eq!(
                diff(&old, &new),
                operations,
                "case {case}: not deterministic"
            );
            let hinted_tables = new
                .tables
                .iter()
                .filter(|t| {
                    t.renamed_from
                        .as_ref()
                        .is_some_and(|f| old.table(f).is_some())
                })
                .count();
            let renamed_tables = operations
                .iter()
                .filter(|op| matches!(op, Operation::RenameTable { .. }))
                .count();
            assert_eq!(renamed_tables, hinted_tables, "case {case}");
            renames += renamed_tables;
            kinds.extend(operations.iter().map(std::mem::discriminant));

            let mut upgraded = old.clone();
            apply_checking_references(&mut upgraded, &operations);
            assert!(
                equivalent(&upgraded, &new),
                "case {case}: {operations:#?}\n{upgraded:#?}\n{new:#?}"
            );
            assert_eq!(diff(&upgraded, &new), vec![], "case {case}: not idempotent");

            let mut downgraded = upgraded.clone();
            apply_checking_references(&mut downgraded, &reverse_all(&operations));
            assert!(
                equivalent(&downgraded, &old),
                "case {case}: reverse of {operations:#?}"
            );
        }
        assert!(renames > 50, "too few renames exercised: {renames}");
        assert_eq!(kinds.len(), 15, "every kind of operation is exercised");
    }
}
