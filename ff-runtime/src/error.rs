//! The one error type of ff, with constraint violations told apart on every backend.

use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error as DieselError};

use crate::entity::Entity;
use crate::schema::TableDef;

/// A result whose error is [`enum@Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in ff.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No `DATABASE_URL` in the environment, a `.env` file or `ff.toml`.
    #[error(
        "DATABASE_URL is not set: export it or put it in a .env file, e.g. DATABASE_URL=sqlite://app.db (or set url in the [database] section of ff.toml)"
    )]
    MissingDatabaseUrl,

    /// `ff.toml` cannot be read or holds a setting ff does not accept.
    #[error("{}: {reason}", file.display())]
    Config {
        /// The `ff.toml` file.
        file: std::path::PathBuf,
        /// What is wrong and how to fix it.
        reason: String,
    },

    /// The database URL cannot be understood.
    #[error("invalid database URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL, password masked.
        url: String,
        /// What is wrong and how to write it.
        reason: String,
    },

    /// The URL names a backend this build of ff leaves out.
    #[error(
        "`{url}` needs the {backend} backend, which this build leaves out: enable the `{feature}` feature of ff-runtime"
    )]
    BackendNotCompiled {
        /// The URL, password masked.
        url: String,
        /// The backend the URL names.
        backend: &'static str,
        /// The cargo feature that enables it.
        feature: &'static str,
    },

    /// The database could not be reached.
    #[error(
        "cannot connect to {url}: {reason} (check that the server is running and that the URL, user and database are right)"
    )]
    Connection {
        /// The URL, password masked.
        url: String,
        /// The driver's explanation.
        reason: String,
    },

    /// No pooled connection became free in time.
    #[error(
        "no connection to {url} was free in time ({reason}; the pool holds at most {size}): raise the pool size or the checkout timeout, or hold connections for less time"
    )]
    PoolTimeout {
        /// The URL, password masked.
        url: String,
        /// The most connections the pool opens.
        size: u32,
        /// What the pool reported.
        reason: String,
    },

    /// A database copy failed or did not match its source.
    #[error("cannot copy {url}: {reason}")]
    Copy {
        /// The source URL, password masked.
        url: String,
        /// What went wrong.
        reason: String,
    },

    /// A row that must exist does not.
    #[error("no row of `{table}` matches")]
    NotFound {
        /// The table that was searched.
        table: String,
    },

    /// An INSERT or UPDATE would duplicate a unique value.
    #[error("unique constraint `{constraint}` on `{table}` violated: {message}")]
    UniqueViolation {
        /// The table written to.
        table: String,
        /// The unique constraint (or `PRIMARY KEY`).
        constraint: String,
        /// The database's message.
        message: String,
    },

    /// A row refers to a row that does not exist, or a referenced row would disappear.
    #[error("foreign key `{constraint}` on `{table}` violated: {message}")]
    ForeignKeyViolation {
        /// The table that holds the foreign key.
        table: String,
        /// The foreign key constraint (on SQLite, the candidates: SQLite does not say which).
        constraint: String,
        /// The database's message.
        message: String,
    },

    /// NULL was written to a NOT NULL column.
    #[error("column `{table}.{column}` cannot be NULL: {message}")]
    NotNullViolation {
        /// The table written to.
        table: String,
        /// The NOT NULL column.
        column: String,
        /// The database's message.
        message: String,
    },

    /// A check constraint refused a row.
    #[error("check constraint `{constraint}` on `{table}` violated: {message}")]
    CheckViolation {
        /// The table written to.
        table: String,
        /// The check constraint.
        constraint: String,
        /// The database's message.
        message: String,
    },

    /// Fields broke their `#[ff(validate(...))]` rules; nothing was written.
    #[error("invalid `{table}`: {}", crate::validation::describe(.failures))]
    Validation {
        /// The entity's table.
        table: String,
        /// Every failing field with what is wrong with it.
        failures: Vec<crate::validation::FieldFailure>,
    },

    /// A value the column cannot hold on the connected database; nothing was written.
    #[error("cannot write `{table}.{column}` on {backend}: {problem}")]
    OutOfRange {
        /// The entity's table.
        table: String,
        /// The column.
        column: String,
        /// The connected database.
        backend: crate::Backend,
        /// The value, what the column holds there, and what to do.
        problem: String,
    },

    /// An update or delete guarded by a version field found another version in the database:
    /// someone else changed the row since it was loaded. Nothing was written.
    #[error(
        "row {key} of `{table}` was changed by someone else since it was loaded (its version field moved on): refresh it and apply the change again"
    )]
    StaleEntity {
        /// The entity's table.
        table: String,
        /// The row's key, as written by `Debug`.
        key: String,
    },

    /// A page number or size below 1 was asked for.
    #[error("cannot paginate with page {page} and {per_page} rows per page: both start at 1")]
    InvalidPage {
        /// The page asked for.
        page: i64,
        /// The page size asked for.
        per_page: i64,
    },

    /// A negative limit or offset was asked for.
    #[error(
        "cannot read rows with {}: a limit and an offset are 0 or more (leave the limit out for every row)",
        window(*.limit, *.offset)
    )]
    InvalidWindow {
        /// The limit asked for.
        limit: Option<i64>,
        /// The offset asked for.
        offset: Option<i64>,
    },

    /// The entity manager was given an entity it does not manage.
    #[error(
        "this `{table}` entity is not managed by this entity manager: load it with `find`/`load` or register it with `persist` first"
    )]
    NotManaged {
        /// The entity's table.
        table: String,
    },

    /// A row linked with `set_parent` to a new parent whose key was not generated yet when the
    /// row was inserted.
    #[error(
        "a new `{table}` row refers to a new `{parent}` row that has no key yet: flush the `{parent}` row first (rows of one table are inserted in one statement)"
    )]
    UnsavedParent {
        /// The table of the referring row.
        table: String,
        /// The table of the parent.
        parent: String,
    },

    /// A [`RawQuery`](crate::RawQuery) was given more or fewer values than its SQL has `?`
    /// placeholders. Nothing was sent to the database.
    #[error(
        "the SQL has {} but {}: bind one value per `?` (a `?` inside a string, a quoted name or a comment is not a placeholder) in `{sql}`",
        counted(*.placeholders, "`?` placeholder", "`?` placeholders"),
        counted(*.bound, "value was bound", "values were bound")
    )]
    PlaceholderCount {
        /// The SQL as written.
        sql: String,
        /// The `?` placeholders found in it.
        placeholders: usize,
        /// The values bound.
        bound: usize,
    },

    /// A [`RawQuery`](crate::RawQuery) holds more than one statement (SQL after a `;`).
    /// Nothing was sent to the database.
    #[error(
        "raw SQL runs one statement at a time: split `{sql}` into separate queries, one per statement"
    )]
    SeveralStatements {
        /// The SQL as written.
        sql: String,
    },

    /// A [`RawQuery`](crate::RawQuery) opens a string, quoted name or comment that it does not
    /// close. Nothing was sent to the database.
    #[error("the SQL has an unterminated {what} (opened at byte {at}): close it in `{sql}`")]
    UnterminatedSql {
        /// The SQL as written.
        sql: String,
        /// What is left open, with its delimiters, e.g. "string literal `'…'`".
        what: &'static str,
        /// The byte offset where it opens.
        at: usize,
    },

    /// A unique partial index declared for a database without partial indexes
    /// (MySQL/MariaDB). Nothing was sent to the database.
    #[error(
        "the unique index `{index}` of table `{table}` covers only the rows where {predicate}, and {backend} has no partial indexes: a unique index over every row would reject rows the condition leaves out\nhelp: on {backend}, drop `where` from `unique(…)` if the rule may hold for every row; or keep the rule with a generated column that is NULL outside the condition and a unique index on it (hand-written SQL in the migration's up.mysql.sql); or check it in the application. PostgreSQL and SQLite create it as declared"
    )]
    UniquePartialIndex {
        /// The backend's name.
        backend: &'static str,
        /// The table.
        table: String,
        /// The index.
        index: String,
        /// Its predicate, as declared.
        predicate: String,
    },

    /// A lifecycle hook refused the operation.
    #[error("{0}")]
    Rejected(String),

    /// A stored value could not be read into the entity: an enum column holding a value that is
    /// no variant, or a value another program wrote in a form ff does not read.
    #[error("cannot read a row of `{table}`: {reason}")]
    Unreadable {
        /// The table read from.
        table: String,
        /// The column, the value and what was expected, as far as they are known.
        reason: String,
    },

    /// Any other error reported by Diesel or the database.
    #[error(transparent)]
    Query(#[from] DieselError),
}

impl Error {
    /// Turns a Diesel error raised while working on `table` into an ff error, naming the
    /// violated constraint where the database tells (and the candidates where it does not).
    pub fn from_query(error: DieselError, table: &TableDef) -> Error {
        let (kind, info) = match error {
            DieselError::NotFound => {
                return Error::NotFound {
                    table: table.name.to_string(),
                };
            }
            DieselError::DatabaseError(kind, info) => (kind, info),
            DieselError::DeserializationError(error) => {
                return Error::Unreadable {
                    table: table.name.to_string(),
                    reason: unreadable_reason(&*error),
                };
            }
            other => return Error::Query(other),
        };
        let message = info.message().to_owned();
        let table_name = info
            .table_name()
            .map(str::to_owned)
            .or_else(|| mysql_constraint_table(&message))
            .unwrap_or_else(|| table.name.to_string());
        match classify(kind, &message) {
            DatabaseErrorKind::UniqueViolation => Error::UniqueViolation {
                constraint: unique_constraint(&*info, table),
                table: table_name,
                message,
            },
            DatabaseErrorKind::ForeignKeyViolation => Error::ForeignKeyViolation {
                constraint: foreign_key_constraint(&*info, table),
                table: table_name,
                message,
            },
            DatabaseErrorKind::NotNullViolation => Error::NotNullViolation {
                column: not_null_column(&*info).unwrap_or_else(|| "?".to_owned()),
                table: table_name,
                message,
            },
            DatabaseErrorKind::CheckViolation => Error::CheckViolation {
                constraint: check_constraint(&*info, table),
                table: table_name,
                message,
            },
            kind => Error::Query(DieselError::DatabaseError(kind, info)),
        }
    }
}

/// "limit -1 and offset 5", naming only what was given.
fn window(limit: Option<i64>, offset: Option<i64>) -> String {
    let parts: Vec<String> = [("limit", limit), ("offset", offset)]
        .into_iter()
        .filter_map(|(name, value)| Some(format!("{name} {}", value?)))
        .collect();
    parts.join(" and ")
}

/// A Diesel error of a query on `E`'s table, as an ff error. Used by generated code.
#[doc(hidden)]
pub fn query_error<E: Entity>(error: DieselError) -> Error {
    Error::from_query(error, E::META)
}

/// No row of `E`'s table matched. Used by generated code.
#[doc(hidden)]
pub fn not_found<E: Entity>() -> Error {
    Error::NotFound {
        table: E::TABLE_NAME.to_owned(),
    }
}

/// Why a value could not be read: Diesel's field error names the column but keeps the cause
/// (the value and what was expected) to itself.
fn unreadable_reason(error: &(dyn std::error::Error + 'static)) -> String {
    match error.downcast_ref::<diesel::result::DeserializeFieldError>() {
        Some(field) => match &field.field_name {
            Some(name) => format!("column `{name}` holds {}", field.error),
            None => field.error.to_string(),
        },
        None => error.to_string(),
    }
}

/// Diesel's classification, completed for the errors it leaves `Unknown`.
fn classify(kind: DatabaseErrorKind, message: &str) -> DatabaseErrorKind {
    match kind {
        // SQLite reports a RESTRICT action with a code Diesel does not classify.
        DatabaseErrorKind::Unknown if message == "FOREIGN KEY constraint failed" => {
            DatabaseErrorKind::ForeignKeyViolation
        }
        // MariaDB reports a failed CHECK with its own code.
        DatabaseErrorKind::Unknown
            if message.contains("CONSTRAINT `") && message.contains("` failed") =>
        {
            DatabaseErrorKind::CheckViolation
        }
        kind => kind,
    }
}

/// The unique constraint named by the error: PostgreSQL says it, MySQL names the key, SQLite
/// lists the columns, which the table's metadata maps back to a constraint.
fn unique_constraint(info: &dyn DatabaseErrorInformation, table: &TableDef) -> String {
    if let Some(name) = info.constraint_name() {
        return name.to_owned();
    }
    let message = info.message();
    if let Some(key) = quoted_after(message, "for key ") {
        // MySQL 8 prefixes the key with the table name.
        return key.rsplit('.').next().unwrap_or(&key).to_owned();
    }
    if let Some(list) = message.strip_prefix("UNIQUE constraint failed: ") {
        let columns: Vec<&str> = list
            .split(", ")
            .map(|qualified| qualified.rsplit('.').next().unwrap_or(qualified))
            .collect();
        if let Some(unique) = table.uniques.iter().find(|unique| {
            unique.columns.len() == columns.len()
                && unique.columns.iter().zip(&columns).all(|(a, b)| a == b)
        }) {
            return unique.name.to_string();
        }
        if table
            .primary_key()
            .is_some_and(|pk| columns == [pk.name.as_ref()])
        {
            return "PRIMARY KEY".to_owned();
        }
        return columns.join(", ");
    }
    "?".to_owned()
}

/// The foreign key named by the error. SQLite does not say which one failed: the candidates
/// are the written table's foreign keys and those of other tables that refer to it.
fn foreign_key_constraint(info: &dyn DatabaseErrorInformation, table: &TableDef) -> String {
    if let Some(name) = info.constraint_name() {
        return name.to_owned();
    }
    if let Some(name) = quoted_after(info.message(), "CONSTRAINT ") {
        return name;
    }
    let referring = format!("a foreign key referencing `{}`", table.name);
    if table.foreign_keys.is_empty() {
        return referring;
    }
    format!(
        "{} or {referring}",
        candidates(table.foreign_keys.iter().map(|fk| fk.name.as_ref()))
    )
}

/// The check constraint named by the error.
fn check_constraint(info: &dyn DatabaseErrorInformation, table: &TableDef) -> String {
    let message = info.message();
    info.constraint_name()
        .map(str::to_owned)
        .or_else(|| {
            message
                .strip_prefix("CHECK constraint failed: ")
                .map(str::to_owned)
        })
        .or_else(|| quoted_after(message, "CONSTRAINT "))
        .or_else(|| quoted_after(message, "constraint "))
        .unwrap_or_else(|| candidates(table.checks.iter().map(|c| c.name.as_ref())))
}

/// The column named by a NOT NULL error.
fn not_null_column(info: &dyn DatabaseErrorInformation) -> Option<String> {
    if let Some(column) = info.column_name() {
        return Some(column.to_owned());
    }
    let message = info.message();
    if let Some(qualified) = message.strip_prefix("NOT NULL constraint failed: ") {
        return qualified.rsplit('.').next().map(str::to_owned);
    }
    quoted_after(message, "Column ")
}

/// The table of a MySQL foreign-key message: "… fails (`db`.`table`, CONSTRAINT …".
fn mysql_constraint_table(message: &str) -> Option<String> {
    let start = message.find("fails (")? + "fails (".len();
    let qualified = &message[start..];
    let end = qualified.find(", CONSTRAINT")?;
    let table = qualified[..end].rsplit('.').next()?;
    Some(table.trim_matches('`').to_owned())
}

/// The quoted word after `prefix` in `message` ('…', `…` or "…").
fn quoted_after(message: &str, prefix: &str) -> Option<String> {
    let start = message.find(prefix)? + prefix.len();
    let rest = &message[start..];
    let quote = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '\'' | '`' | '"'))?;
    let inner = &rest[quote.len_utf8()..];
    let end = inner.find(quote)?;
    Some(inner[..end].to_owned())
}

/// "a", "a or b", or "?" when there is no candidate.
fn candidates<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    if names.is_empty() {
        "?".to_owned()
    } else {
        names.join(" or ")
    }
}

/// "1 value was bound", "2 values were bound": `n` followed by the words that agree with it.
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
