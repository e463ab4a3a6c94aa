//! The tables of a live database as the schema model describes them, for its diagram.

use ff_runtime::Backend;
use ff_runtime::introspect::{LiveSchema, LiveTable, portable_type};
use ff_runtime::migration::Schema;
use ff_runtime::schema::{ColumnDef, ForeignKeyDef, IndexDef, TableDef, UniqueDef};

/// What a diagram shows of `live`, read on `backend`: columns with their portable types (see
/// [`portable_type`]), keys, nullability, indexes, unique constraints and foreign keys.
/// Defaults and check constraints are left out: a diagram does not show them.
pub fn schema_of(live: &LiveSchema, backend: Backend) -> Schema {
    Schema::new(
        live.tables
            .iter()
            .map(|(name, table)| table_def(name, table, backend)),
    )
}

fn table_def(name: &str, table: &LiveTable, backend: Backend) -> TableDef {
    let texts = |names: &[String]| names.iter().map(|n| n.clone().into()).collect::<Vec<_>>();
    TableDef {
        name: name.to_owned().into(),
        columns: table
            .columns
            .iter()
            .map(|column| ColumnDef {
                primary_key: table.primary_key.contains(&column.name),
                auto_increment: column.auto_increment,
                ..ColumnDef::new(
                    column.name.clone(),
                    portable_type(&column.sql_type, backend),
                    column.nullable,
                )
            })
            .collect(),
        indexes: table
            .indexes
            .iter()
            .map(|(name, columns)| IndexDef::new(name.clone(), texts(columns)))
            .collect(),
        uniques: table
            .uniques
            .iter()
            .map(|(name, columns)| UniqueDef {
                name: name.clone().into(),
                columns: texts(columns).into(),
            })
            .collect(),
        checks: Vec::new().into(),
        foreign_keys: table
            .foreign_keys
            .iter()
            .map(|(name, fk)| ForeignKeyDef {
                name: name.clone().into(),
                columns: texts(&fk.columns).into(),
                referenced_table: fk.referenced_table.clone().into(),
                referenced_columns: texts(&fk.referenced_columns).into(),
                on_delete: fk.on_delete,
                on_update: fk.on_update,
            })
            .collect(),
        renamed_from: None,
    }
}
