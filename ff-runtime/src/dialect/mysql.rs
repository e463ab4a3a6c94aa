//! MySQL/MariaDB: backquoted identifiers, microsecond DATETIME, InnoDB tables.

use super::{Dialect, default_literal, quote_with};
use crate::schema::{ColumnDef, ColumnType, DefaultValue};

/// The MySQL/MariaDB dialect.
#[derive(Debug, Clone, Copy)]
pub struct Mysql;

/// The length given to unbounded text that an index covers (MySQL cannot index TEXT).
const INDEXED_TEXT_LENGTH: u32 = 255;

impl Dialect for Mysql {
    fn quote(&self, identifier: &str) -> String {
        quote_with(identifier, '`')
    }

    fn column_type(&self, column: &ColumnDef, indexed: bool) -> String {
        match &column.sql_type {
            ColumnType::SmallInt => "SMALLINT".into(),
            ColumnType::Integer => "INT".into(),
            ColumnType::BigInt => "BIGINT".into(),
            ColumnType::Float => "FLOAT".into(),
            ColumnType::Double => "DOUBLE".into(),
            ColumnType::Boolean => "BOOLEAN".into(),
            ColumnType::Text if indexed => format!("VARCHAR({INDEXED_TEXT_LENGTH})"),
            ColumnType::Text => "TEXT".into(),
            ColumnType::Varchar(length) => format!("VARCHAR({length})"),
            ColumnType::Binary => "LONGBLOB".into(),
            ColumnType::Date => "DATE".into(),
            ColumnType::Time => "TIME(6)".into(),
            // DATETIME has no time zone and no 2038 limit; UTC instants are stored in UTC.
            ColumnType::Timestamp | ColumnType::TimestampTz => "DATETIME(6)".into(),
            ColumnType::Uuid => "CHAR(36)".into(),
            ColumnType::Json => "JSON".into(),
            ColumnType::Decimal { precision, scale } => format!("DECIMAL({precision}, {scale})"),
            ColumnType::Custom(sql) => sql.to_string(),
        }
    }

    fn auto_increment_primary_key(&self, column: &ColumnDef) -> String {
        format!(
            "{} {} NOT NULL AUTO_INCREMENT PRIMARY KEY",
            self.quote(&column.name),
            self.column_type(column, true)
        )
    }

    fn bool_literal(&self, value: bool) -> &'static str {
        if value { "TRUE" } else { "FALSE" }
    }

    fn string_literal(&self, value: &str) -> String {
        // Backslash is an escape character in MySQL strings unless NO_BACKSLASH_ESCAPES is set.
        format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
    }

    fn default_literal(&self, default: &DefaultValue, sql_type: &ColumnType) -> String {
        let literal = default_literal(self, default, sql_type);
        match sql_type {
            // MySQL takes defaults of TEXT, BLOB and JSON columns only as expressions.
            ColumnType::Text | ColumnType::Binary | ColumnType::Json => format!("({literal})"),
            _ => literal,
        }
    }

    fn current_timestamp(&self, sql_type: &ColumnType) -> &'static str {
        match sql_type {
            ColumnType::Date => "(CURRENT_DATE)",
            ColumnType::Time => "(CURRENT_TIME(6))",
            _ => "CURRENT_TIMESTAMP(6)",
        }
    }

    fn max_bind_params(&self) -> usize {
        65_535
    }

    fn table_options(&self) -> &'static str {
        " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin"
    }
}
