//! PostgreSQL's catalog: `pg_class`, `pg_attribute`, `pg_index` and `pg_constraint` of the
//! current schema.

use std::collections::BTreeMap;

use diesel::pg::PgConnection;
use diesel::sql_types::{Bool, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl, sql_query};

use super::{ForeignKeyRow, LiveColumn, LiveTable, Rules, foreign_keys, grouped, normalize};
use crate::dialect::Backend;
use crate::error::Result;
use crate::schema::{ColumnDef, ReferentialAction};

pub(super) static RULES: Rules = Rules {
    canonical_type,
    auto_increment_type: |column: &ColumnDef| Backend::Postgres.dialect().column_type(column, true),
    backslash_escapes: false,
    keeps_constraint_names: true,
};

/// The spelling `format_type` gives, with the long names shortened: `varchar(32)`,
/// `timestamp`, `time`, `timestamp with time zone`.
fn canonical_type(raw: &str) -> String {
    let squeezed = normalize::squeeze(raw).replace(" without time zone", "");
    let (name, arguments) = match squeezed.find('(') {
        Some(open) => squeezed.split_at(open),
        None => (squeezed.as_str(), ""),
    };
    // `timestamp(3) with time zone` keeps its precision before the zone words.
    let name = match name {
        "character varying" => "varchar",
        "character" | "bpchar" => "char",
        "int" | "int4" => "integer",
        "int2" => "smallint",
        "int8" => "bigint",
        "float4" => "real",
        "float8" | "float" => "double precision",
        "bool" => "boolean",
        "decimal" => "numeric",
        "timestamptz" => "timestamp with time zone",
        "timetz" => "time with time zone",
        other => other,
    };
    format!("{name}{arguments}")
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql_type: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
    #[diesel(sql_type = Nullable<Text>)]
    default_value: Option<String>,
    #[diesel(sql_type = Bool)]
    identity: bool,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Bool)]
    is_primary: bool,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    predicate: Option<String>,
}

#[derive(QueryableByName)]
struct CheckRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
}

/// Ordinary and partitioned tables of the current schema.
const TABLES: &str = "SELECT c.oid, c.relname FROM pg_class c \
     JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')";

fn columns_query() -> String {
    format!(
        "SELECT t.relname::text AS table_name, a.attname::text AS name, \
         format_type(a.atttypid, a.atttypmod) AS sql_type, NOT a.attnotnull AS nullable, \
         pg_get_expr(d.adbin, d.adrelid) AS default_value, a.attidentity <> '' AS identity \
         FROM ({TABLES}) t \
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped \
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         ORDER BY t.relname, a.attnum"
    )
}

fn indexes_query() -> String {
    format!(
        "SELECT t.relname::text AS table_name, i.relname::text AS name, \
         x.indisunique AS is_unique, x.indisprimary AS is_primary, \
         a.attname::text AS column_name, pg_get_expr(x.indpred, x.indrelid) AS predicate \
         FROM ({TABLES}) t JOIN pg_index x ON x.indrelid = t.oid \
         JOIN pg_class i ON i.oid = x.indexrelid \
         CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, position) \
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
         WHERE k.position <= x.indnkeyatts \
         ORDER BY t.relname, i.relname, k.position"
    )
}

fn foreign_keys_query() -> String {
    format!(
        "SELECT t.relname::text AS table_name, c.conname::text AS name, \
         r.relname::text AS referenced_table, c.confdeltype::text AS on_delete, \
         c.confupdtype::text AS on_update, a.attname::text AS column_name, \
         ra.attname::text AS referenced_column \
         FROM ({TABLES}) t JOIN pg_constraint c ON c.conrelid = t.oid AND c.contype = 'f' \
         JOIN pg_class r ON r.oid = c.confrelid \
         CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(attnum, refnum, position) \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
         JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = k.refnum \
         ORDER BY t.relname, c.conname, k.position"
    )
}

fn checks_query() -> String {
    format!(
        "SELECT t.relname::text AS table_name, c.conname::text AS name \
         FROM ({TABLES}) t JOIN pg_constraint c ON c.conrelid = t.oid AND c.contype = 'c'"
    )
}

pub(super) fn read(conn: &mut PgConnection) -> Result<BTreeMap<String, LiveTable>> {
    let mut tables: BTreeMap<String, LiveTable> = BTreeMap::new();
    for row in sql_query(columns_query()).load::<ColumnRow>(conn)? {
        // A serial column's default draws from its sequence: the database generates it.
        let serial = row
            .default_value
            .as_deref()
            .is_some_and(|default| default.starts_with("nextval("));
        let column = LiveColumn {
            name: row.name,
            sql_type: canonical_type(&row.sql_type),
            nullable: row.nullable,
            default: row
                .default_value
                .as_deref()
                .filter(|_| !serial)
                .and_then(|raw| RULES.canonical_default(raw)),
            auto_increment: row.identity || serial,
        };
        tables
            .entry(row.table_name)
            .or_default()
            .columns
            .push(column);
    }

    let index_rows = sql_query(indexes_query()).load::<IndexRow>(conn)?;
    let indexes = grouped(index_rows.into_iter().map(|row| {
        let column = (
            row.is_unique,
            row.is_primary,
            row.predicate,
            row.column_name,
        );
        (row.table_name, row.name, column)
    }));
    for ((table, name), mut columns) in indexes {
        let Some(live) = tables.get_mut(&table) else {
            continue;
        };
        if let Some(predicate) = columns
            .first_mut()
            .and_then(|(_, _, predicate, _)| predicate.take())
        {
            live.predicates.insert(name.clone(), predicate);
        }
        let (unique, primary) = columns
            .first()
            .map_or((false, false), |(unique, primary, _, _)| {
                (*unique, *primary)
            });
        let columns: Vec<String> = columns
            .into_iter()
            .map(|(_, _, _, column)| column)
            .collect();
        if primary {
            live.primary_key = columns;
        } else if unique {
            live.uniques
                .insert(RULES.unique_key(&name, &columns), columns);
        } else {
            live.indexes.insert(name, columns);
        }
    }

    let fk_rows = sql_query(foreign_keys_query()).load::<ForeignKeyRow>(conn)?;
    for ((table, name), fk) in foreign_keys(fk_rows, action) {
        if let Some(live) = tables.get_mut(&table) {
            live.foreign_keys
                .insert(RULES.foreign_key_key(&name, &fk), fk);
        }
    }

    for row in sql_query(checks_query()).load::<CheckRow>(conn)? {
        if let Some(live) = tables.get_mut(&row.table_name) {
            live.checks.insert(row.name);
        }
    }
    Ok(tables)
}

/// The action of `pg_constraint.confdeltype`/`confupdtype`.
fn action(code: &str) -> ReferentialAction {
    match code {
        "r" => ReferentialAction::Restrict,
        "c" => ReferentialAction::Cascade,
        "n" => ReferentialAction::SetNull,
        "d" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}
