//! SQLite's catalog: `sqlite_master` and the table-valued pragmas.
//!
//! SQLite keeps declared types as written and names neither foreign keys nor unique
//! constraints (their indexes are `sqlite_autoindex_*`), so both are keyed by their columns.
//! Check constraints appear only in the CREATE TABLE text, which is scanned for their names.

use std::collections::BTreeMap;

use diesel::sql_types::{Integer, Nullable, Text};
use diesel::sqlite::SqliteConnection;
use diesel::{QueryableByName, RunQueryDsl, sql_query};

use super::{LiveColumn, LiveForeignKey, LiveTable, Rules, grouped, normalize, referential_action};
use crate::error::Result;
use crate::schema::ColumnDef;
use crate::sql_text::{closing_quote, read_quoted};

pub(super) static RULES: Rules = Rules {
    canonical_type: normalize::squeeze,
    // Only the exact spelling INTEGER PRIMARY KEY makes a generated key, whatever the width.
    auto_increment_type: |_: &ColumnDef| "integer".to_owned(),
    backslash_escapes: false,
    keeps_constraint_names: false,
};

/// A table or index and the SQL that created it (`sqlite_master`).
#[derive(QueryableByName)]
struct TableRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    sql: Option<String>,
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql_type: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
    #[diesel(sql_type = Nullable<Text>)]
    default_value: Option<String>,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Integer)]
    is_unique: i32,
    #[diesel(sql_type = Text)]
    origin: String,
    #[diesel(sql_type = Nullable<Text>)]
    column_name: Option<String>,
}

#[derive(QueryableByName)]
struct ForeignKeyRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    referenced_table: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    referenced_column: Option<String>,
    #[diesel(sql_type = Text)]
    on_update: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
}

const TABLES: &str = "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name";

const COLUMNS: &str = "SELECT name, type AS sql_type, \"notnull\" AS not_null, \
     dflt_value AS default_value, pk FROM pragma_table_info(?) ORDER BY cid";

const INDEXES: &str = "SELECT il.name AS name, il.\"unique\" AS is_unique, il.origin AS origin, \
     ii.name AS column_name FROM pragma_index_list(?1) AS il \
     JOIN pragma_index_info(il.name) AS ii ORDER BY il.name, ii.seqno";

/// The partial indexes of a table with their CREATE INDEX text, which alone holds the condition.
const PARTIAL_INDEXES: &str = "SELECT il.name AS name, m.sql AS sql \
     FROM pragma_index_list(?1) AS il \
     JOIN sqlite_master AS m ON m.type = 'index' AND m.name = il.name WHERE il.partial";

const FOREIGN_KEYS: &str = "SELECT id, \"table\" AS referenced_table, \"from\" AS column_name, \
     \"to\" AS referenced_column, on_update, on_delete \
     FROM pragma_foreign_key_list(?) ORDER BY id, seq";

pub(super) fn read(conn: &mut SqliteConnection) -> Result<BTreeMap<String, LiveTable>> {
    let mut tables = BTreeMap::new();
    for table in sql_query(TABLES).load::<TableRow>(conn)? {
        if super::is_bookkeeping(&table.name) || table.name.starts_with("sqlite_") {
            continue;
        }
        let live = read_table(conn, &table.name, table.sql.as_deref().unwrap_or(""))?;
        tables.insert(table.name, live);
    }
    Ok(tables)
}

fn read_table(conn: &mut SqliteConnection, table: &str, create_sql: &str) -> Result<LiveTable> {
    let tokens = tokens(create_sql);
    let autoincrement = tokens
        .iter()
        .any(|token| token.eq_ignore_ascii_case("AUTOINCREMENT"));
    let rows = sql_query(COLUMNS)
        .bind::<Text, _>(table)
        .load::<ColumnRow>(conn)?;
    let mut primary_key: Vec<(i32, String)> = rows
        .iter()
        .filter(|row| row.pk > 0)
        .map(|row| (row.pk, row.name.clone()))
        .collect();
    primary_key.sort();
    let single_key = primary_key.len() == 1;
    let columns = rows
        .into_iter()
        .map(|row| {
            let sql_type = normalize::squeeze(&row.sql_type);
            // An INTEGER PRIMARY KEY is the rowid, never NULL even when not declared NOT NULL.
            let rowid = single_key && row.pk > 0 && sql_type == "integer";
            LiveColumn {
                auto_increment: autoincrement && rowid,
                name: row.name,
                sql_type,
                nullable: row.not_null == 0 && !rowid,
                default: row
                    .default_value
                    .as_deref()
                    .and_then(|raw| RULES.canonical_default(raw)),
            }
        })
        .collect();
    let mut live = LiveTable {
        columns,
        primary_key: primary_key.into_iter().map(|(_, name)| name).collect(),
        checks: check_names(&tokens),
        ..LiveTable::default()
    };

    let index_rows = sql_query(INDEXES)
        .bind::<Text, _>(table)
        .load::<IndexRow>(conn)?;
    let indexes = grouped(
        index_rows
            .into_iter()
            .filter(|row| row.origin != "pk")
            .map(|row| {
                let unique = row.is_unique != 0;
                // `c`: made by CREATE INDEX, which keeps its name.
                let named = row.origin == "c";
                let column = (unique, named, row.column_name.unwrap_or_default());
                (table.to_owned(), row.name, column)
            }),
    );
    for ((_, name), columns) in indexes {
        let unique = columns.iter().any(|(unique, _, _)| *unique);
        let named = columns.iter().any(|(_, named, _)| *named);
        let columns: Vec<String> = columns.into_iter().map(|(_, _, column)| column).collect();
        if unique && named {
            live.uniques.insert(name, columns);
        } else if unique {
            live.uniques
                .insert(RULES.unique_key(&name, &columns), columns);
        } else {
            live.indexes.insert(name, columns);
        }
    }
    let partial_indexes = sql_query(PARTIAL_INDEXES)
        .bind::<Text, _>(table)
        .load::<TableRow>(conn)?;
    for index in partial_indexes {
        if let Some(predicate) = index.sql.as_deref().and_then(where_clause) {
            live.predicates.insert(index.name, predicate);
        }
    }

    let fk_rows = sql_query(FOREIGN_KEYS)
        .bind::<Text, _>(table)
        .load::<ForeignKeyRow>(conn)?;
    let mut by_id: BTreeMap<i32, LiveForeignKey> = BTreeMap::new();
    for row in fk_rows {
        let fk = by_id.entry(row.id).or_insert_with(|| LiveForeignKey {
            columns: Vec::new(),
            referenced_table: row.referenced_table.clone(),
            referenced_columns: Vec::new(),
            on_delete: referential_action(&row.on_delete),
            on_update: referential_action(&row.on_update),
        });
        fk.columns.push(row.column_name);
        // A missing target column means the referenced table's primary key.
        fk.referenced_columns
            .push(row.referenced_column.unwrap_or_default());
    }
    for fk in by_id.into_values() {
        live.foreign_keys.insert(RULES.foreign_key_key("", &fk), fk);
    }
    Ok(live)
}

/// The names in `CONSTRAINT <name> CHECK` clauses.
fn check_names(tokens: &[String]) -> std::collections::BTreeSet<String> {
    tokens
        .windows(3)
        .filter(|window| {
            window[0].eq_ignore_ascii_case("CONSTRAINT") && window[2].eq_ignore_ascii_case("CHECK")
        })
        .map(|window| window[1].clone())
        .collect()
}

/// The condition after the WHERE of a `CREATE INDEX` statement, as written.
fn where_clause(create_index: &str) -> Option<String> {
    let mut chars = create_index.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if let Some(close) = closing_quote(c) {
            while chars.next_if(|&(_, next)| next != close).is_some() {}
            chars.next();
        } else if c.is_alphanumeric() || c == '_' {
            let mut end = at + c.len_utf8();
            while let Some((i, next)) = chars.next_if(|&(_, n)| n.is_alphanumeric() || n == '_') {
                end = i + next.len_utf8();
            }
            if create_index[at..end].eq_ignore_ascii_case("WHERE") {
                return Some(create_index[end..].trim().to_owned());
            }
        }
    }
    None
}

/// The words and identifiers of an SQL statement, quoted identifiers unquoted; string
/// literals and punctuation are left out.
fn tokens(sql: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        let close = match closing_quote(c) {
            Some(close) => close,
            None if c.is_alphanumeric() || c == '_' => {
                let mut word = c.to_string();
                while let Some(&next) = chars.peek() {
                    if !(next.is_alphanumeric() || next == '_') {
                        break;
                    }
                    word.push(next);
                    chars.next();
                }
                tokens.push(word);
                continue;
            }
            None => continue,
        };
        let quoted = read_quoted(&mut chars, close);
        if c != '\'' {
            tokens.push(quoted);
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_condition_of_a_partial_index_is_the_text_after_its_where() {
        assert_eq!(
            where_clause(
                r#"CREATE UNIQUE INDEX "uq_a where" ON "a" ("email") WHERE deleted_at IS NULL"#
            )
            .as_deref(),
            Some("deleted_at IS NULL")
        );
        assert_eq!(where_clause(r#"CREATE INDEX "ix" ON "a" ("b")"#), None);
    }

    #[test]
    fn check_names_are_found_in_create_table_text_whatever_the_quoting() {
        let sql = r#"CREATE TABLE "t" ("a" TEXT DEFAULT 'CONSTRAINT x CHECK', CONSTRAINT "ck ""a""" CHECK (a <> ''), constraint `b` check (1), CONSTRAINT "uq" UNIQUE ("a"))"#;
        let names: Vec<String> = check_names(&tokens(sql)).into_iter().collect();
        assert_eq!(names, ["b", r#"ck "a""#]);
    }
}
