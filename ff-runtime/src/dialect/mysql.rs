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

    fn partial_indexes(&self) -> bool {
        false
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
        TABLE_OPTIONS
    }
}

/// The table options ff renders: utf8mb4 text compared by code point. When the SQL runs, the
/// collation is replaced by the server's variant without trailing-space padding
/// ([`no_pad_collation`]).
const TABLE_OPTIONS: &str = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

/// The binary utf8mb4 collation of a server (from `SELECT VERSION()`) that compares trailing
/// spaces like any other character, as SQLite and PostgreSQL do: MariaDB's
/// `utf8mb4_nopad_bin`, MySQL 8.0.17's `utf8mb4_0900_bin`; older MySQL servers only have
/// `utf8mb4_bin`, which ignores trailing spaces (PAD SPACE).
pub fn no_pad_collation(version: &str) -> &'static str {
    if version.contains("MariaDB") {
        return "utf8mb4_nopad_bin";
    }
    let number = |part: Option<&str>| {
        part.and_then(|p| {
            p.trim_matches(|c: char| !c.is_ascii_digit())
                .parse::<u32>()
                .ok()
        })
        .unwrap_or(0)
    };
    let mut parts = version.split(['.', '-']);
    let (major, minor, patch) = (
        number(parts.next()),
        number(parts.next()),
        number(parts.next()),
    );
    if (major, minor, patch) >= (8, 0, 17) {
        "utf8mb4_0900_bin"
    } else {
        "utf8mb4_bin"
    }
}

/// The collation [`no_pad_collation`] picks for the server of `conn`.
#[cfg(feature = "mysql")]
pub fn server_collation(
    conn: &mut diesel::mysql::MysqlConnection,
) -> diesel::QueryResult<&'static str> {
    use diesel::RunQueryDsl;
    let version: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>("VERSION()"))
        .get_result(conn)?;
    Ok(no_pad_collation(&version))
}

/// `sql` with ff's table options naming `collation` instead of `utf8mb4_bin`.
pub fn with_collation(sql: &str, collation: &str) -> String {
    sql.replace(
        TABLE_OPTIONS,
        &TABLE_OPTIONS.replace("utf8mb4_bin", collation),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_server_gets_its_binary_collation_without_padding() {
        assert_eq!(
            no_pad_collation("10.11.19-MariaDB-0+deb12u1"),
            "utf8mb4_nopad_bin"
        );
        assert_eq!(no_pad_collation("8.0.36"), "utf8mb4_0900_bin");
        assert_eq!(no_pad_collation("8.4.0-commercial"), "utf8mb4_0900_bin");
        assert_eq!(no_pad_collation("8.0.16"), "utf8mb4_bin");
        assert_eq!(no_pad_collation("5.7.44-log"), "utf8mb4_bin");
    }

    #[test]
    fn only_ffs_table_options_change_collation() {
        let sql = format!("CREATE TABLE `t` (`a` TEXT){TABLE_OPTIONS}");
        assert_eq!(
            with_collation(&sql, "utf8mb4_nopad_bin"),
            "CREATE TABLE `t` (`a` TEXT) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin"
        );
        let mine = "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
        assert_eq!(with_collation(mine, "utf8mb4_nopad_bin"), mine);
    }
}
