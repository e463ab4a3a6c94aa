//! SQLite: dynamic typing with declared affinities, double-quoted identifiers.

use super::{Dialect, quote_with};
use crate::schema::{ColumnDef, ColumnType};

/// The SQLite dialect.
#[derive(Debug, Clone, Copy)]
pub struct Sqlite;

impl Dialect for Sqlite {
    fn quote(&self, identifier: &str) -> String {
        quote_with(identifier, '"')
    }

    fn column_type(&self, column: &ColumnDef, _indexed: bool) -> String {
        match &column.sql_type {
            ColumnType::SmallInt => "SMALLINT".into(),
            ColumnType::Integer => "INTEGER".into(),
            ColumnType::BigInt => "BIGINT".into(),
            ColumnType::Float => "REAL".into(),
            ColumnType::Double => "DOUBLE".into(),
            ColumnType::Boolean => "BOOLEAN".into(),
            ColumnType::Text => "TEXT".into(),
            ColumnType::Varchar(length) => format!("VARCHAR({length})"),
            ColumnType::Binary => "BLOB".into(),
            ColumnType::Date => "DATE".into(),
            ColumnType::Time => "TIME".into(),
            ColumnType::Timestamp => "TIMESTAMP".into(),
            ColumnType::TimestampTz => "TIMESTAMPTZ".into(),
            // Text affinity keeps the exact spelling of UUIDs and documents.
            ColumnType::Uuid | ColumnType::Json => "TEXT".into(),
            // Numeric affinity: compared and sorted as numbers (ff writes integers or floats
            // that give the value back exactly), and read as decimals by other tools.
            ColumnType::Decimal { precision, scale } => format!("DECIMAL({precision}, {scale})"),
            ColumnType::Custom(sql) => sql.to_string(),
        }
    }

    fn auto_increment_primary_key(&self, column: &ColumnDef) -> String {
        // Only the exact spelling INTEGER PRIMARY KEY aliases the rowid.
        format!(
            "{} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL",
            self.quote(&column.name)
        )
    }

    fn bool_literal(&self, value: bool) -> &'static str {
        if value { "1" } else { "0" }
    }

    fn current_timestamp(&self, sql_type: &ColumnType) -> &'static str {
        match sql_type {
            ColumnType::Date => "CURRENT_DATE",
            ColumnType::Time => "CURRENT_TIME",
            _ => "CURRENT_TIMESTAMP",
        }
    }

    fn max_bind_params(&self) -> usize {
        32_766
    }

    fn foreign_keys_checked_lazily(&self) -> bool {
        true
    }
}
