//! SQL dialects: how each database spells types, identifiers, literals and DDL.
//!
//! Everything that differs between SQLite, PostgreSQL and MySQL/MariaDB lives in one module per
//! dialect behind the [`Dialect`] trait; the statement shapes shared by all of them live here.

mod mysql;
mod postgres;
mod sqlite;

use std::fmt;

use crate::schema::{ColumnDef, ColumnType, DefaultValue, ForeignKeyDef, IndexDef, TableDef};

#[cfg(feature = "mysql")]
pub use mysql::server_collation;
pub use mysql::{Mysql, no_pad_collation, with_collation};
pub use postgres::Postgres;
pub use sqlite::Sqlite;

/// The database a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// SQLite (embedded, bundled with ff).
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    Mysql,
}

impl Backend {
    /// Every backend, in a stable order.
    pub const ALL: [Backend; 3] = [Backend::Sqlite, Backend::Postgres, Backend::Mysql];

    /// Whether DDL runs inside a transaction and rolls back with it (MySQL commits each DDL
    /// statement at once).
    pub fn transactional_ddl(self) -> bool {
        self != Backend::Mysql
    }

    /// The SQL dialect of this backend.
    pub fn dialect(self) -> &'static dyn Dialect {
        match self {
            Backend::Sqlite => &Sqlite,
            Backend::Postgres => &Postgres,
            Backend::Mysql => &Mysql,
        }
    }

    /// The lower-case name used in URLs, messages and file names.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How one database spells what the schema model describes.
pub trait Dialect: Sync {
    /// Quotes an identifier (table, column, constraint or index name).
    fn quote(&self, identifier: &str) -> String;

    /// The column type of `column` in a table; `indexed` tells whether an index or a unique
    /// constraint covers it (MySQL cannot index unbounded text).
    fn column_type(&self, column: &ColumnDef, indexed: bool) -> String;

    /// The column clause of an auto-increment integer primary key, name included.
    fn auto_increment_primary_key(&self, column: &ColumnDef) -> String;

    /// A boolean literal.
    fn bool_literal(&self, value: bool) -> &'static str;

    /// A string literal, escaped for this dialect.
    fn string_literal(&self, value: &str) -> String {
        format!("'{}'", value.replace('\'', "''"))
    }

    /// The expression for "the current timestamp" as a default of `sql_type`.
    fn current_timestamp(&self, sql_type: &ColumnType) -> &'static str;

    /// The most bind parameters one statement may carry.
    fn max_bind_params(&self) -> usize;

    /// Whether foreign keys can be declared before the referenced table exists.
    fn foreign_keys_checked_lazily(&self) -> bool {
        false
    }

    /// The DEFAULT expression of a column.
    fn default_literal(&self, default: &DefaultValue, sql_type: &ColumnType) -> String {
        default_literal(self, default, sql_type)
    }

    /// The full definition of a column inside CREATE TABLE.
    fn column_definition(&self, table: &TableDef, column: &ColumnDef) -> String {
        if column.primary_key && column.auto_increment {
            return self.auto_increment_primary_key(column);
        }
        let indexed = is_indexed(table, column);
        let mut sql = format!(
            "{} {}",
            self.quote(&column.name),
            self.column_type(column, indexed)
        );
        if !column.nullable {
            sql.push_str(" NOT NULL");
        }
        if let Some(default) = &column.default {
            sql.push_str(" DEFAULT ");
            sql.push_str(&self.default_literal(default, &column.sql_type));
        }
        if column.primary_key {
            sql.push_str(" PRIMARY KEY");
        }
        sql
    }

    /// A FOREIGN KEY clause (without the leading CONSTRAINT name).
    fn foreign_key_clause(&self, fk: &ForeignKeyDef) -> String {
        format!(
            "FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {} ON UPDATE {}",
            self.quote_list(&fk.columns),
            self.quote(&fk.referenced_table),
            self.quote_list(&fk.referenced_columns),
            fk.on_delete.as_sql(),
            fk.on_update.as_sql()
        )
    }

    /// CREATE TABLE with its columns and constraints; foreign keys named in `deferred` are
    /// left out (they are added afterwards by [`Dialect::add_foreign_key`]).
    fn create_table(&self, table: &TableDef, deferred: &[&str]) -> String {
        let mut parts: Vec<String> = table
            .columns
            .iter()
            .map(|column| self.column_definition(table, column))
            .collect();
        for unique in table.uniques.iter() {
            parts.push(format!(
                "CONSTRAINT {} UNIQUE ({})",
                self.quote(&unique.name),
                self.quote_list(&unique.columns)
            ));
        }
        for check in table.checks.iter() {
            parts.push(format!(
                "CONSTRAINT {} CHECK ({})",
                self.quote(&check.name),
                check.expression
            ));
        }
        for fk in table.foreign_keys.iter() {
            if !deferred.contains(&fk.name.as_ref()) {
                parts.push(format!(
                    "CONSTRAINT {} {}",
                    self.quote(&fk.name),
                    self.foreign_key_clause(fk)
                ));
            }
        }
        format!(
            "CREATE TABLE {} (\n  {}\n){}",
            self.quote(&table.name),
            parts.join(",\n  "),
            self.table_options()
        )
    }

    /// Options appended after CREATE TABLE's closing parenthesis.
    fn table_options(&self) -> &'static str {
        ""
    }

    /// ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY.
    fn add_foreign_key(&self, table: &str, fk: &ForeignKeyDef) -> String {
        format!(
            "ALTER TABLE {} ADD CONSTRAINT {} {}",
            self.quote(table),
            self.quote(&fk.name),
            self.foreign_key_clause(fk)
        )
    }

    /// Whether the database has partial indexes (`CREATE INDEX … WHERE …`).
    fn partial_indexes(&self) -> bool {
        true
    }

    /// CREATE [UNIQUE] INDEX, with the predicate of a partial index as its WHERE clause. A
    /// database without partial indexes gets an index over every row, which answers the same
    /// queries (a unique partial index is refused before: see [`check_index`]).
    fn create_index(&self, table: &str, index: &IndexDef) -> String {
        let unique = if index.unique { "UNIQUE " } else { "" };
        let mut sql = format!(
            "CREATE {unique}INDEX {} ON {} ({})",
            self.quote(&index.name),
            self.quote(table),
            self.quote_list(&index.columns)
        );
        if let Some(predicate) = index.predicate.as_ref().filter(|_| self.partial_indexes()) {
            sql.push_str(" WHERE ");
            sql.push_str(predicate);
        }
        sql
    }

    /// CREATE INDEX for each index of the table.
    fn create_indexes(&self, table: &TableDef) -> Vec<String> {
        table
            .indexes
            .iter()
            .map(|index| self.create_index(&table.name, index))
            .collect()
    }

    /// DROP TABLE.
    fn drop_table(&self, table: &str) -> String {
        format!("DROP TABLE {}", self.quote(table))
    }

    /// A comma-separated list of quoted identifiers.
    fn quote_list(&self, identifiers: &[crate::schema::Text]) -> String {
        identifiers
            .iter()
            .map(|identifier| self.quote(identifier))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A default as a literal of `dialect` (the shared part of [`Dialect::default_literal`]).
fn default_literal<D: Dialect + ?Sized>(
    dialect: &D,
    default: &DefaultValue,
    sql_type: &ColumnType,
) -> String {
    match default {
        DefaultValue::Bool(value) => dialect.bool_literal(*value).to_owned(),
        DefaultValue::Int(value) => value.to_string(),
        DefaultValue::Float(value) => format!("{value:?}"),
        DefaultValue::Text(value) => dialect.string_literal(value),
        DefaultValue::CurrentTimestamp => dialect.current_timestamp(sql_type).to_owned(),
    }
}

/// Quotes an identifier by wrapping it in `quote` and doubling any `quote` inside it.
fn quote_with(identifier: &str, quote: char) -> String {
    let doubled: String = [quote, quote].iter().collect();
    format!(
        "{quote}{}{quote}",
        identifier.replace(quote, &doubled),
        quote = quote
    )
}

/// Refuses an index `backend` cannot create as declared: a unique partial index where the
/// database has no partial indexes (MySQL/MariaDB). An index over every row would reject rows
/// that the predicate leaves out, so it is an error rather than a silent change.
pub fn check_index(backend: Backend, table: &str, index: &IndexDef) -> crate::Result<()> {
    match &index.predicate {
        Some(predicate) if index.unique && !backend.dialect().partial_indexes() => {
            Err(crate::Error::UniquePartialIndex {
                backend: backend.name(),
                table: table.to_owned(),
                index: index.name.to_string(),
                predicate: predicate.to_string(),
            })
        }
        _ => Ok(()),
    }
}

/// [`check_index`] for every index of these tables.
pub fn check_indexes<'a>(
    backend: Backend,
    tables: impl IntoIterator<Item = &'a TableDef>,
) -> crate::Result<()> {
    tables.into_iter().try_for_each(|table| {
        table
            .indexes
            .iter()
            .try_for_each(|index| check_index(backend, &table.name, index))
    })
}

/// Whether an index or a unique constraint covers the column.
pub(crate) fn is_indexed(table: &TableDef, column: &ColumnDef) -> bool {
    let covers = |columns: &[crate::schema::Text]| columns.contains(&column.name);
    column.primary_key
        || table.indexes.iter().any(|index| covers(&index.columns))
        || table.uniques.iter().any(|unique| covers(&unique.columns))
        || table.foreign_keys.iter().any(|fk| covers(&fk.columns))
}
