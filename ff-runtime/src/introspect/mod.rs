//! Reading the live schema of a database, and predicting what it reads after ff created a
//! schema, so that the two can be compared (tests, drift checks).
//!
//! [`live_schema`] queries the catalog of the connected database; [`expected_live`] projects a
//! [`Schema`] through a backend's dialect into the same [`LiveSchema`] shape; [`compare`] lists
//! their differences. Types and defaults are kept in a canonical spelling (lower case, casts
//! and redundant parentheses dropped, literals quoted one way) so that equal means equal.
//!
//! ```
//! use ff_runtime::introspect::{compare, expected_live, live_schema};
//! use ff_runtime::migration::Schema;
//! use ff_runtime::schema::{ColumnDef, ColumnType, TableDef};
//! use ff_runtime::{Backend, Connection};
//!
//! let id = ColumnDef {
//!     name: "id".into(),
//!     sql_type: ColumnType::Integer,
//!     nullable: false,
//!     default: None,
//!     primary_key: true,
//!     auto_increment: true,
//!     renamed_from: None,
//! };
//! let table = TableDef {
//!     name: "t".into(),
//!     columns: vec![id].into(),
//!     indexes: Default::default(),
//!     uniques: Default::default(),
//!     checks: Default::default(),
//!     foreign_keys: Default::default(),
//!     renamed_from: None,
//! };
//! let mut conn = Connection::establish(":memory:")?;
//! conn.create_tables(&[&table])?;
//! let expected = expected_live(&Schema::new([table]), Backend::Sqlite);
//! assert_eq!(compare(&expected, &live_schema(&mut conn)?), Vec::<String>::new());
//! # Ok::<(), ff_runtime::Error>(())
//! ```

mod mysql;
mod normalize;
mod portable;
mod postgres;
mod sqlite;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::connection::Connection;
use crate::dialect::{Backend, is_indexed};
use crate::error::Result;
use crate::migration::Schema;
use crate::schema::{ColumnDef, ReferentialAction, TableDef, Text};
use crate::sql_text::canonical_condition;

pub use portable::portable_type;

/// The tables of a database as its catalog describes them, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveSchema {
    /// The tables, by name; ff's and Diesel's bookkeeping tables are left out.
    pub tables: BTreeMap<String, LiveTable>,
}

impl LiveSchema {
    /// This schema without the objects named in `names`: whole tables, and the indexes,
    /// unique constraints, foreign keys and checks of the other tables, by the key
    /// [`LiveTable`] gives them. Views are never read, so they need no listing.
    pub fn without(&self, names: &BTreeSet<String>) -> LiveSchema {
        let keep = |name: &String| !names.contains(name);
        let mut schema = self.clone();
        schema.tables.retain(|name, _| keep(name));
        for table in schema.tables.values_mut() {
            table.indexes.retain(|name, _| keep(name));
            table.uniques.retain(|name, _| keep(name));
            table.predicates.retain(|name, _| keep(name));
            table.foreign_keys.retain(|name, _| keep(name));
            table.checks.retain(keep);
        }
        schema
    }

    /// The names [`without`](Self::without) matches: the tables, and the keys of their
    /// indexes, unique constraints, foreign keys and checks.
    pub fn names(&self) -> BTreeSet<String> {
        let mut names = BTreeSet::new();
        for (name, table) in &self.tables {
            names.insert(name.clone());
            names.extend(table.indexes.keys().cloned());
            names.extend(table.uniques.keys().cloned());
            names.extend(table.foreign_keys.keys().cloned());
            names.extend(table.checks.iter().cloned());
        }
        names
    }
}

/// One table as the database describes it.
///
/// Unique constraints and foreign keys are keyed by name where the database keeps the names
/// ff gave them (PostgreSQL, MySQL/MariaDB) and by a key built from their columns where it
/// does not (SQLite): `unique(a,b)` and `fk(a)->parent(id)`. A unique index made with
/// `CREATE UNIQUE INDEX` is keyed by its name on every backend.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveTable {
    /// The columns, in database order.
    pub columns: Vec<LiveColumn>,
    /// The primary key columns, in key order.
    pub primary_key: Vec<String>,
    /// Non-unique indexes: name to columns.
    pub indexes: BTreeMap<String, Vec<String>>,
    /// Unique constraints and unique indexes, the primary key excluded: key to columns.
    pub uniques: BTreeMap<String, Vec<String>>,
    /// The conditions of the partial indexes, unique or not: index name to the condition as
    /// the database gives it back (compared in canonical form, see [`compare`]).
    pub predicates: BTreeMap<String, String>,
    /// Foreign keys, by key.
    pub foreign_keys: BTreeMap<String, LiveForeignKey>,
    /// The names of the check constraints.
    pub checks: BTreeSet<String>,
}

/// One column as the database describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveColumn {
    /// The column name.
    pub name: String,
    /// The type in canonical spelling: lower case, no optional spaces (`varchar(32)`,
    /// `numeric(10,2)`, `timestamp with time zone`), the backend's aliases resolved.
    pub sql_type: String,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// The DEFAULT expression in canonical spelling (`'text'`, `1.5`, `1` for true,
    /// `current_timestamp`), `None` when there is none.
    pub default: Option<String>,
    /// Whether the database generates the value (identity, AUTO_INCREMENT, AUTOINCREMENT).
    pub auto_increment: bool,
}

/// A foreign key as the database describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveForeignKey {
    /// The referencing columns.
    pub columns: Vec<String>,
    /// The referenced table.
    pub referenced_table: String,
    /// The referenced columns.
    pub referenced_columns: Vec<String>,
    /// The action on delete of the referenced row.
    pub on_delete: ReferentialAction,
    /// The action on update of the referenced key.
    pub on_update: ReferentialAction,
}

/// Reads the tables of the database `conn` is connected to (the current schema on
/// PostgreSQL, the current database on MySQL/MariaDB).
pub fn live_schema(conn: &mut Connection) -> Result<LiveSchema> {
    match conn {
        Connection::Sqlite(c) => c.live_schema(),
        Connection::Postgres(c) => c.live_schema(),
        #[cfg(feature = "mysql")]
        Connection::Mysql(c) => c.live_schema(),
    }
}

/// [`live_schema`] on the connection of one backend (the migration runner reads it under its
/// lock).
pub(crate) trait ReadLiveSchema {
    /// The tables of the connected database, without ff's and Diesel's bookkeeping tables.
    fn live_schema(&mut self) -> Result<LiveSchema>;
}

macro_rules! read_live_schema {
    ($conn:ty, $read:path) => {
        impl ReadLiveSchema for $conn {
            fn live_schema(&mut self) -> Result<LiveSchema> {
                Ok(LiveSchema {
                    tables: $read(self)?
                        .into_iter()
                        .filter(|(name, _)| !is_bookkeeping(name))
                        .collect(),
                })
            }
        }
    };
}

read_live_schema!(diesel::sqlite::SqliteConnection, sqlite::read);
read_live_schema!(diesel::pg::PgConnection, postgres::read);
#[cfg(feature = "mysql")]
read_live_schema!(diesel::mysql::MysqlConnection, mysql::read);

/// What [`live_schema`] reads on `backend` after ff's DDL created `schema` there.
pub fn expected_live(schema: &Schema, backend: Backend) -> LiveSchema {
    let rules = Rules::of(backend);
    LiveSchema {
        tables: schema
            .tables
            .iter()
            .filter(|table| !is_bookkeeping(&table.name))
            .map(|table| {
                (
                    table.name.to_string(),
                    expected_table(table, backend, rules),
                )
            })
            .collect(),
    }
}

/// [`compare`], but a column in another position is no difference. A downgrade that adds back
/// a dropped column puts it at the end of the table; the schema is otherwise the same.
pub fn compare_ignoring_column_order(expected: &LiveSchema, live: &LiveSchema) -> Vec<String> {
    let sorted = |schema: &LiveSchema| {
        let mut schema = schema.clone();
        for table in schema.tables.values_mut() {
            table.columns.sort_by(|a, b| a.name.cmp(&b.name));
        }
        schema
    };
    compare(&sorted(expected), &sorted(live))
}

/// The differences between `expected` and `live`, one sentence each; empty when they agree.
pub fn compare(expected: &LiveSchema, live: &LiveSchema) -> Vec<String> {
    let mut diffs = Vec::new();
    for (name, table) in &expected.tables {
        match live.tables.get(name) {
            Some(found) => compare_tables(name, table, found, &mut diffs),
            None => diffs.push(format!("table {name}: missing")),
        }
    }
    for name in live.tables.keys() {
        if !expected.tables.contains_key(name) {
            diffs.push(format!("table {name}: not expected"));
        }
    }
    diffs
}

/// What differs between backends when reading a catalog and predicting what it reads.
struct Rules {
    /// The canonical spelling of a declared or reported type.
    canonical_type: fn(&str) -> String,
    /// The type an auto-increment primary key gets.
    auto_increment_type: fn(&ColumnDef) -> String,
    /// Whether `\` escapes in string literals.
    backslash_escapes: bool,
    /// Whether unique constraints and foreign keys keep the names ff gives them.
    keeps_constraint_names: bool,
}

impl Rules {
    fn of(backend: Backend) -> &'static Rules {
        match backend {
            Backend::Sqlite => &sqlite::RULES,
            Backend::Postgres => &postgres::RULES,
            Backend::Mysql => &mysql::RULES,
        }
    }

    /// The canonical spelling of a DEFAULT expression.
    fn canonical_default(&self, raw: &str) -> Option<String> {
        normalize::default(raw, self.backslash_escapes)
    }

    /// The key of a unique constraint.
    fn unique_key(&self, name: &str, columns: &[String]) -> String {
        if self.keeps_constraint_names {
            name.to_owned()
        } else {
            format!("unique({})", columns.join(","))
        }
    }

    /// The key of a foreign key.
    fn foreign_key_key(&self, name: &str, fk: &LiveForeignKey) -> String {
        if self.keeps_constraint_names {
            name.to_owned()
        } else {
            format!(
                "fk({})->{}({})",
                fk.columns.join(","),
                fk.referenced_table,
                fk.referenced_columns.join(",")
            )
        }
    }
}

/// Diesel's migration table, ff's own tables and SQLite's internal ones.
fn is_bookkeeping(table: &str) -> bool {
    table == "__diesel_schema_migrations"
        || table.starts_with("__ff_")
        || table == "sqlite_sequence"
}

fn expected_table(table: &TableDef, backend: Backend, rules: &Rules) -> LiveTable {
    let dialect = backend.dialect();
    let names = |list: &[Text]| list.iter().map(|name| name.to_string()).collect::<Vec<_>>();
    let columns = table
        .columns
        .iter()
        .map(|column| {
            let generated = column.primary_key && column.auto_increment;
            let declared = if generated {
                (rules.auto_increment_type)(column)
            } else {
                dialect.column_type(column, is_indexed(table, column))
            };
            LiveColumn {
                name: column.name.to_string(),
                sql_type: (rules.canonical_type)(&declared),
                nullable: column.nullable && !column.primary_key,
                default: column
                    .default
                    .as_ref()
                    .filter(|_| !generated)
                    .and_then(|default| {
                        rules.canonical_default(&dialect.default_literal(default, &column.sql_type))
                    }),
                auto_increment: generated,
            }
        })
        .collect();
    let foreign_keys = table
        .foreign_keys
        .iter()
        .map(|fk| {
            let live = LiveForeignKey {
                columns: names(&fk.columns),
                referenced_table: fk.referenced_table.to_string(),
                referenced_columns: names(&fk.referenced_columns),
                on_delete: fk.on_delete,
                on_update: fk.on_update,
            };
            (rules.foreign_key_key(&fk.name, &live), live)
        })
        .collect();
    LiveTable {
        columns,
        primary_key: table
            .columns
            .iter()
            .filter(|column| column.primary_key)
            .map(|column| column.name.to_string())
            .collect(),
        indexes: table
            .indexes
            .iter()
            .filter(|index| !index.unique)
            .map(|index| (index.name.to_string(), names(&index.columns)))
            .collect(),
        // A unique partial index is made by CREATE UNIQUE INDEX, which keeps its name.
        uniques: table
            .uniques
            .iter()
            .map(|unique| {
                let columns = names(&unique.columns);
                (rules.unique_key(&unique.name, &columns), columns)
            })
            .chain(
                table
                    .indexes
                    .iter()
                    .filter(|index| index.unique)
                    .map(|index| (index.name.to_string(), names(&index.columns))),
            )
            .collect(),
        // A database without partial indexes has them over every row.
        predicates: table
            .indexes
            .iter()
            .filter(|_| dialect.partial_indexes())
            .filter_map(|index| {
                Some((
                    index.name.to_string(),
                    index.predicate.as_ref()?.to_string(),
                ))
            })
            .collect(),
        foreign_keys,
        checks: table
            .checks
            .iter()
            .map(|check| check.name.to_string())
            .collect(),
    }
}

fn compare_tables(table: &str, expected: &LiveTable, live: &LiveTable, diffs: &mut Vec<String>) {
    for column in &expected.columns {
        let Some(found) = live.columns.iter().find(|c| c.name == column.name) else {
            diffs.push(format!("column {table}.{}: missing", column.name));
            continue;
        };
        compare_columns(
            &format!("column {table}.{}", column.name),
            column,
            found,
            diffs,
        );
    }
    for column in &live.columns {
        if !expected.columns.iter().any(|c| c.name == column.name) {
            diffs.push(format!("column {table}.{}: not expected", column.name));
        }
    }
    let order = |columns: &[LiveColumn]| columns.iter().map(|c| c.name.clone()).collect();
    let (expected_order, live_order): (Vec<String>, Vec<String>) =
        (order(&expected.columns), order(&live.columns));
    let same_set = expected_order.len() == live_order.len()
        && expected_order.iter().all(|name| live_order.contains(name));
    if same_set && expected_order != live_order {
        diffs.push(format!(
            "table {table}: expected column order {expected_order:?}, found {live_order:?}"
        ));
    }
    if expected.primary_key != live.primary_key {
        diffs.push(format!(
            "table {table}: expected primary key {:?}, found {:?}",
            expected.primary_key, live.primary_key
        ));
    }
    compare_maps(table, "index", &expected.indexes, &live.indexes, diffs);
    compare_maps(table, "unique", &expected.uniques, &live.uniques, diffs);
    compare_predicates(table, expected, live, diffs);
    compare_maps(
        table,
        "foreign key",
        &expected.foreign_keys,
        &live.foreign_keys,
        diffs,
    );
    for check in expected.checks.difference(&live.checks) {
        diffs.push(format!("check {table}.{check}: missing"));
    }
    for check in live.checks.difference(&expected.checks) {
        diffs.push(format!("check {table}.{check}: not expected"));
    }
}

/// The conditions of the partial indexes both sides have, in canonical form.
fn compare_predicates(
    table: &str,
    expected: &LiveTable,
    live: &LiveTable,
    diffs: &mut Vec<String>,
) {
    let indexes = expected.indexes.keys().chain(expected.uniques.keys());
    for name in
        indexes.filter(|name| live.indexes.contains_key(*name) || live.uniques.contains_key(*name))
    {
        let wanted = expected
            .predicates
            .get(name)
            .map(|raw| canonical_condition(raw));
        let found = live
            .predicates
            .get(name)
            .map(|raw| canonical_condition(raw));
        if wanted != found {
            let rows = |predicate: &Option<String>| match predicate {
                Some(predicate) => format!("rows where {predicate}"),
                None => "every row".to_owned(),
            };
            diffs.push(format!(
                "index {table}.{name}: expected to cover {}, found {}",
                rows(&wanted),
                rows(&found)
            ));
        }
    }
}

fn compare_columns(what: &str, expected: &LiveColumn, live: &LiveColumn, diffs: &mut Vec<String>) {
    if expected.sql_type != live.sql_type {
        diffs.push(format!(
            "{what}: expected {}, found {}",
            expected.sql_type, live.sql_type
        ));
    }
    if expected.nullable != live.nullable {
        let nullability = |nullable| if nullable { "nullable" } else { "NOT NULL" };
        diffs.push(format!(
            "{what}: expected {}, found {}",
            nullability(expected.nullable),
            nullability(live.nullable)
        ));
    }
    if expected.default != live.default {
        let default = |default: &Option<String>| match default {
            Some(expression) => format!("default {expression}"),
            None => "no default".to_owned(),
        };
        diffs.push(format!(
            "{what}: expected {}, found {}",
            default(&expected.default),
            default(&live.default)
        ));
    }
    if expected.auto_increment != live.auto_increment {
        let generated = |auto| {
            if auto {
                "auto-increment"
            } else {
                "not auto-increment"
            }
        };
        diffs.push(format!(
            "{what}: expected {}, found {}",
            generated(expected.auto_increment),
            generated(live.auto_increment)
        ));
    }
}

fn compare_maps<V: PartialEq + fmt::Debug>(
    table: &str,
    kind: &str,
    expected: &BTreeMap<String, V>,
    live: &BTreeMap<String, V>,
    diffs: &mut Vec<String>,
) {
    for (key, value) in expected {
        match live.get(key) {
            None => diffs.push(format!("{kind} {table}.{key}: missing")),
            Some(found) if found != value => diffs.push(format!(
                "{kind} {table}.{key}: expected {value:?}, found {found:?}"
            )),
            Some(_) => {}
        }
    }
    for key in live.keys() {
        if !expected.contains_key(key) {
            diffs.push(format!("{kind} {table}.{key}: not expected"));
        }
    }
}

/// The action a catalog spells `text` (`CASCADE`, `SET NULL`, …), NO ACTION when unknown.
fn referential_action(text: &str) -> ReferentialAction {
    match squeeze_upper(text).as_str() {
        "RESTRICT" => ReferentialAction::Restrict,
        "CASCADE" => ReferentialAction::Cascade,
        "SET NULL" => ReferentialAction::SetNull,
        "SET DEFAULT" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

fn squeeze_upper(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// One column of a foreign key, as PostgreSQL and MySQL list them.
#[derive(diesel::QueryableByName)]
struct ForeignKeyRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    referenced_table: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    on_delete: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    on_update: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    referenced_column: String,
}

/// Foreign keys by (table, name), their columns in the order of the rows; `action` reads the
/// backend's spelling of ON DELETE/ON UPDATE.
fn foreign_keys(
    rows: Vec<ForeignKeyRow>,
    action: fn(&str) -> ReferentialAction,
) -> BTreeMap<(String, String), LiveForeignKey> {
    let mut foreign_keys: BTreeMap<(String, String), LiveForeignKey> = BTreeMap::new();
    for row in rows {
        let fk = foreign_keys
            .entry((row.table_name, row.name))
            .or_insert_with(|| LiveForeignKey {
                columns: Vec::new(),
                referenced_table: row.referenced_table,
                referenced_columns: Vec::new(),
                on_delete: action(&row.on_delete),
                on_update: action(&row.on_update),
            });
        fk.columns.push(row.column_name);
        fk.referenced_columns.push(row.referenced_column);
    }
    foreign_keys
}

/// Groups rows of `(table, name, value)` by table and name, keeping the order of the rows
/// within each group (the column order of an index or key).
fn grouped<T>(
    rows: impl IntoIterator<Item = (String, String, T)>,
) -> BTreeMap<(String, String), Vec<T>> {
    let mut groups: BTreeMap<(String, String), Vec<T>> = BTreeMap::new();
    for (table, name, value) in rows {
        groups.entry((table, name)).or_default().push(value);
    }
    groups
}
