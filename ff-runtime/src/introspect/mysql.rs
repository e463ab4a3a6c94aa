//! MySQL's and MariaDB's catalog: `information_schema` of the current database.
//!
//! Both report integer display widths on some versions (`int(11)`), which are dropped.
//! MariaDB stores JSON as LONGTEXT with a column-level `json_valid` check: such a column
//! reads as `json` without the check, as on MySQL. Each foreign key gets an index named like
//! it when no index covers its columns; that index is not listed.

use crate::dialect::Backend;
use crate::schema::ColumnDef;

use super::{Rules, normalize};

pub(super) static RULES: Rules = Rules {
    canonical_type,
    auto_increment_type: |column: &ColumnDef| Backend::Mysql.dialect().column_type(column, true),
    backslash_escapes: true,
    keeps_constraint_names: true,
};

/// The spelling of `COLUMN_TYPE`, without integer display widths (but `tinyint(1)`, the
/// boolean) and with the aliases resolved: `int`, `tinyint(1)`, `decimal(10,2)`.
fn canonical_type(raw: &str) -> String {
    let squeezed = normalize::squeeze(raw);
    let (name, rest) = match squeezed.find('(') {
        Some(open) => squeezed.split_at(open),
        None => (squeezed.as_str(), ""),
    };
    match name {
        "boolean" | "bool" => return "tinyint(1)".to_owned(),
        "tinyint" if rest.starts_with("(1)") => return squeezed,
        _ => {}
    }
    let name = match name {
        "integer" => "int",
        "numeric" => "decimal",
        "real" | "double precision" => "double",
        other => other,
    };
    let is_integer = matches!(
        name,
        "tinyint" | "smallint" | "mediumint" | "int" | "bigint"
    );
    let rest = match rest.find(')') {
        Some(close) if is_integer => &rest[close + 1..],
        _ => rest,
    };
    format!("{name}{rest}")
}

#[cfg(feature = "mysql")]
pub(super) use reader::read;

#[cfg(feature = "mysql")]
mod reader {
    use std::collections::BTreeMap;

    use diesel::mysql::MysqlConnection;
    use diesel::sql_types::{Integer, Nullable, Text};
    use diesel::{QueryableByName, RunQueryDsl, sql_query};

    use super::super::{
        ForeignKeyRow, LiveColumn, LiveTable, foreign_keys, grouped, normalize, referential_action,
    };
    use super::{RULES, canonical_type};
    use crate::error::Result;

    #[derive(QueryableByName)]
    struct ColumnRow {
        #[diesel(sql_type = Text)]
        table_name: String,
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        sql_type: String,
        #[diesel(sql_type = Integer)]
        nullable: i32,
        #[diesel(sql_type = Nullable<Text>)]
        default_value: Option<String>,
        #[diesel(sql_type = Text)]
        extra: String,
    }

    #[derive(QueryableByName)]
    struct IndexRow {
        #[diesel(sql_type = Text)]
        table_name: String,
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Integer)]
        is_unique: i32,
        #[diesel(sql_type = Text)]
        column_name: String,
    }

    #[derive(QueryableByName)]
    struct CheckRow {
        #[diesel(sql_type = Text)]
        table_name: String,
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Nullable<Text>)]
        clause: Option<String>,
    }

    #[derive(QueryableByName)]
    struct VersionRow {
        #[diesel(sql_type = Text)]
        version: String,
    }

    /// The base tables of the current database. MariaDB returns some catalog columns as
    /// binary strings, hence the casts throughout.
    const BASE_TABLES: &str = "SELECT table_name FROM information_schema.tables \
         WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'";

    fn columns_query() -> String {
        format!(
            "SELECT CAST(table_name AS CHAR) AS table_name, CAST(column_name AS CHAR) AS name, \
             CAST(column_type AS CHAR) AS sql_type, \
             CASE is_nullable WHEN 'YES' THEN 1 ELSE 0 END AS nullable, \
             CAST(column_default AS CHAR) AS default_value, CAST(extra AS CHAR) AS extra \
             FROM information_schema.columns \
             WHERE table_schema = DATABASE() AND table_name IN ({BASE_TABLES}) \
             ORDER BY table_name, ordinal_position"
        )
    }

    const INDEXES: &str = "SELECT CAST(table_name AS CHAR) AS table_name, \
         CAST(index_name AS CHAR) AS name, CASE non_unique WHEN 0 THEN 1 ELSE 0 END AS is_unique, \
         CAST(column_name AS CHAR) AS column_name FROM information_schema.statistics \
         WHERE table_schema = DATABASE() ORDER BY table_name, index_name, seq_in_index";

    const FOREIGN_KEYS: &str = "SELECT CAST(k.table_name AS CHAR) AS table_name, \
         CAST(k.constraint_name AS CHAR) AS name, \
         CAST(k.referenced_table_name AS CHAR) AS referenced_table, \
         CAST(r.delete_rule AS CHAR) AS on_delete, CAST(r.update_rule AS CHAR) AS on_update, \
         CAST(k.column_name AS CHAR) AS column_name, \
         CAST(k.referenced_column_name AS CHAR) AS referenced_column \
         FROM information_schema.referential_constraints r \
         JOIN information_schema.key_column_usage k ON k.constraint_schema = r.constraint_schema \
         AND k.constraint_name = r.constraint_name AND k.table_name = r.table_name \
         WHERE r.constraint_schema = DATABASE() \
         ORDER BY k.table_name, k.constraint_name, k.ordinal_position";

    // CHECK_CONSTRAINTS has no table name on MySQL: the table comes from TABLE_CONSTRAINTS.
    const CHECKS: &str = "SELECT CAST(t.table_name AS CHAR) AS table_name, \
         CAST(t.constraint_name AS CHAR) AS name, CAST(c.check_clause AS CHAR) AS clause \
         FROM information_schema.table_constraints t \
         LEFT JOIN information_schema.check_constraints c \
         ON c.constraint_schema = t.constraint_schema AND c.constraint_name = t.constraint_name \
         WHERE t.table_schema = DATABASE() AND t.constraint_type = 'CHECK'";

    pub(in crate::introspect) fn read(
        conn: &mut MysqlConnection,
    ) -> Result<BTreeMap<String, LiveTable>> {
        let version = sql_query("SELECT CAST(VERSION() AS CHAR) AS version")
            .get_result::<VersionRow>(conn)?
            .version;
        let mariadb = version.to_lowercase().contains("mariadb");
        let mut tables: BTreeMap<String, LiveTable> = BTreeMap::new();
        for row in sql_query(columns_query()).load::<ColumnRow>(conn)? {
            let extra = row.extra.to_lowercase();
            let sql_type = canonical_type(&row.sql_type);
            let default = row
                .default_value
                .as_deref()
                .and_then(|raw| live_default(raw, &extra, &sql_type, mariadb));
            let column = LiveColumn {
                name: row.name,
                sql_type,
                nullable: row.nullable != 0,
                default,
                auto_increment: extra.contains("auto_increment"),
            };
            tables
                .entry(row.table_name)
                .or_default()
                .columns
                .push(column);
        }

        for row in sql_query(CHECKS).load::<CheckRow>(conn)? {
            let Some(live) = tables.get_mut(&row.table_name) else {
                continue;
            };
            let json_check = format!("json_valid(`{}`)", row.name);
            let is_json_check = row
                .clause
                .as_deref()
                .is_some_and(|clause| normalize::squeeze(clause) == json_check);
            let json_column = live.columns.iter_mut().find(|column| {
                is_json_check && column.name == row.name && column.sql_type == "longtext"
            });
            match json_column {
                Some(column) => column.sql_type = "json".to_owned(),
                None => {
                    live.checks.insert(row.name);
                }
            }
        }

        let fk_rows = sql_query(FOREIGN_KEYS).load::<ForeignKeyRow>(conn)?;
        let foreign_keys = foreign_keys(fk_rows, referential_action);

        let index_rows = sql_query(INDEXES).load::<IndexRow>(conn)?;
        let indexes = grouped(index_rows.into_iter().map(|row| {
            let column = (row.is_unique != 0, row.column_name);
            (row.table_name, row.name, column)
        }));
        for ((table, name), columns) in indexes {
            let Some(live) = tables.get_mut(&table) else {
                continue;
            };
            let unique = columns.first().is_some_and(|(unique, _)| *unique);
            let columns: Vec<String> = columns.into_iter().map(|(_, column)| column).collect();
            if name == "PRIMARY" {
                live.primary_key = columns;
            } else if unique {
                live.uniques
                    .insert(RULES.unique_key(&name, &columns), columns);
            } else if !foreign_keys.contains_key(&(table, name.clone())) {
                live.indexes.insert(name, columns);
            }
        }

        for ((table, name), fk) in foreign_keys {
            if let Some(live) = tables.get_mut(&table) {
                live.foreign_keys
                    .insert(RULES.foreign_key_key(&name, &fk), fk);
            }
        }
        Ok(tables)
    }

    /// The canonical default of a column from `COLUMN_DEFAULT`.
    ///
    /// MariaDB reports SQL (`'text'`, `NULL`, `current_timestamp(6)`). MySQL 8 reports
    /// literals bare and marks expressions with DEFAULT_GENERATED in EXTRA, so a bare value
    /// of a non-numeric column is a string.
    fn live_default(raw: &str, extra: &str, sql_type: &str, mariadb: bool) -> Option<String> {
        let numeric = [
            "tinyint",
            "smallint",
            "mediumint",
            "int",
            "bigint",
            "decimal",
            "float",
            "double",
            "bit",
        ]
        .iter()
        .any(|prefix| sql_type.starts_with(prefix));
        let bare_literal = !mariadb
            && !extra.contains("default_generated")
            && !numeric
            && !raw.to_lowercase().starts_with("current_timestamp");
        if bare_literal {
            Some(normalize::quote(raw))
        } else {
            RULES.canonical_default(raw)
        }
    }
}
