//! Snapshot formats: what a snapshot says about the databases built from it, beyond the schema.
//!
//! A snapshot describes portable types; how ff creates each of them on each database can
//! change from one version of ff to the next. Each `snapshot.json` records the format of the ff
//! that wrote it. When a migration is written on top of a snapshot of an older format,
//! [`catch_up`] gives the operations it starts with, which bring a database built under that
//! format to what ff creates now. They run once, like every migration, and can be reviewed
//! with the rest of it.
//!
//! | format | SQLite decimal columns | partial indexes |
//! | --- | --- | --- |
//! | 1 (a snapshot without `format`) | `TEXT`, holding the digits as text | none |
//! | 2 | `DECIMAL(p, s)`, holding numbers ([`Operation::StoreDecimalsAsNumbers`]) | none |
//! | 3 | as 2 | indexes may have a condition ([`IndexDef::predicate`]) |
//!
//! A folder records the oldest format that says all it holds ([`format_of`]): a migration
//! without partial indexes stays readable by the ff versions that know format 2, and one with
//! them is refused by those versions (which would take each for an index over every row, and a
//! unique one would then reject valid rows) rather than misread.

use super::history::{History, MigrationFile};
use super::operation::Operation;
use super::schema_set::Schema;
use crate::schema::{ColumnType, IndexDef, TableDef};

/// The newest format this version of ff writes and reads.
pub const SNAPSHOT_FORMAT: u32 = PARTIAL_INDEXES;

/// The format of a snapshot that records none: written before formats were recorded.
pub const LEGACY_FORMAT: u32 = 1;

/// The first format whose SQLite decimal columns hold numbers.
const DECIMALS_AS_NUMBERS: u32 = 2;

/// The first format whose indexes may have a condition (partial indexes).
const PARTIAL_INDEXES: u32 = 3;

/// The format a migration folder is written in: [`PARTIAL_INDEXES`] when its snapshot or one
/// of its operations (either way) has a partial index, else [`DECIMALS_AS_NUMBERS`].
pub(super) fn format_of(file: &MigrationFile, snapshot: &Schema) -> u32 {
    let partial = |index: &IndexDef| index.predicate.is_some();
    let in_table = |table: &TableDef| table.indexes.iter().any(partial);
    let in_operation = |operation: &Operation| match operation {
        Operation::CreateTable { table } | Operation::DropTable { table } => in_table(table),
        Operation::AddIndex { index, .. } | Operation::DropIndex { index, .. } => partial(index),
        _ => false,
    };
    let operations = file.operations.iter().chain(&file.reverse);
    if snapshot.tables.iter().any(in_table) || operations.into_iter().any(in_operation) {
        PARTIAL_INDEXES
    } else {
        DECIMALS_AS_NUMBERS
    }
}

/// Whether the SQLite decimal columns of a database built under `format` may hold text.
pub(super) fn decimals_may_be_text(format: u32) -> bool {
    format < DECIMALS_AS_NUMBERS
}

/// The operations a migration written now on top of `history` must start with, so that a
/// database built from its migrations by an earlier ff gets what ff creates today. Empty when
/// the last snapshot has the current format (or there is no migration yet).
pub fn catch_up(history: &History) -> Vec<Operation> {
    match history.head() {
        Some(head) => catch_up_from(&head.snapshot, head.format),
        None => Vec::new(),
    }
}

/// The operations that bring a database at `schema`, built under `format`, to the current
/// format: one [`Operation::StoreDecimalsAsNumbers`] per table holding a decimal column when
/// `format` predates numeric decimals on SQLite.
pub fn catch_up_from(schema: &Schema, format: u32) -> Vec<Operation> {
    if !decimals_may_be_text(format) {
        return Vec::new();
    }
    schema
        .tables
        .iter()
        .filter_map(|table| {
            let columns: Vec<_> = table
                .columns
                .iter()
                .filter(|column| matches!(column.sql_type, ColumnType::Decimal { .. }))
                .map(|column| column.name.clone())
                .collect();
            (!columns.is_empty()).then(|| Operation::StoreDecimalsAsNumbers {
                table: table.name.clone(),
                columns,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow::Borrowed;

    use super::*;
    use crate::schema::{ColumnDef, TableDef};

    fn shop() -> Schema {
        let decimal = |name: &'static str| {
            ColumnDef::new(
                name,
                ColumnType::Decimal {
                    precision: 12,
                    scale: 2,
                },
                false,
            )
        };
        let id = || ColumnDef::new("id", ColumnType::BigInt, false);
        Schema::new([
            TableDef::new("orders", vec![id(), decimal("total"), decimal("tax")]),
            TableDef::new("customer", vec![id()]),
            TableDef::new("product", vec![id(), decimal("price")]),
        ])
    }

    #[test]
    fn a_legacy_snapshot_converts_each_table_holding_decimals_once() {
        assert_eq!(
            catch_up_from(&shop(), LEGACY_FORMAT),
            [
                Operation::StoreDecimalsAsNumbers {
                    table: Borrowed("orders"),
                    columns: vec![Borrowed("total"), Borrowed("tax")],
                },
                Operation::StoreDecimalsAsNumbers {
                    table: Borrowed("product"),
                    columns: vec![Borrowed("price")],
                },
            ]
        );
    }

    #[test]
    fn a_migration_with_a_partial_index_anywhere_records_the_format_that_has_them() {
        let partial = IndexDef {
            predicate: Some(Borrowed("total > 0")),
            ..IndexDef::new("ix_orders_total", vec![Borrowed("total")])
        };
        let file = |operations: Vec<Operation>, reverse: Vec<Operation>| MigrationFile {
            version: "20261202100000".into(),
            message: "m".into(),
            parent: None,
            operations,
            reverse,
            data_loss: Vec::new(),
        };
        let add = Operation::AddIndex {
            table: Borrowed("orders"),
            index: partial.clone(),
        };
        let drop = Operation::DropIndex {
            table: Borrowed("orders"),
            index: partial.clone(),
        };
        let mut with_partial = shop();
        with_partial.tables[1].indexes = vec![partial].into();
        let empty = Schema::default();
        assert_eq!(
            format_of(&file(vec![], vec![]), &shop()),
            DECIMALS_AS_NUMBERS
        );
        assert_eq!(
            format_of(&file(vec![], vec![]), &with_partial),
            PARTIAL_INDEXES
        );
        assert_eq!(format_of(&file(vec![add], vec![]), &empty), PARTIAL_INDEXES);
        // Dropped: its downgrade creates it again.
        assert_eq!(
            format_of(&file(vec![], vec![drop]), &empty),
            PARTIAL_INDEXES
        );
        assert_eq!(SNAPSHOT_FORMAT, PARTIAL_INDEXES);
    }

    #[test]
    fn a_current_snapshot_or_an_empty_history_needs_nothing() {
        assert!(catch_up_from(&shop(), SNAPSHOT_FORMAT).is_empty());
        assert!(catch_up(&History::default()).is_empty());
    }
}
