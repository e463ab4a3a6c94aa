//! A verified copy of a database: SQLite into a snapshot file, a server into a new database on
//! the same server. Every table's row count is compared afterwards.

use std::path::{Path, PathBuf};

use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl};

use super::{Target, database_exists};
use crate::connection::Connection;
use crate::dialect::Backend;
use crate::error::{Error, Result};
use crate::url::DatabaseUrl;

/// The result of [`copy_database`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// Where the copy is: a file path or a URL, password masked.
    pub target: String,
    /// Every table with its row count, equal in the source and the copy.
    pub row_counts: Vec<(String, i64)>,
}

/// How far [`copy_database`] is, told to its caller as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyStep<'a> {
    /// The source has this many tables.
    Tables(usize),
    /// The whole database is being copied in one statement (SQLite's `VACUUM INTO`,
    /// PostgreSQL's `CREATE DATABASE … TEMPLATE`).
    Snapshot,
    /// This table is being copied (MySQL copies table by table).
    Copying(&'a str),
    /// This table was copied (MySQL).
    Copied(&'a str),
    /// This table of the copy was counted: it holds this many rows (compared with the source
    /// once every table is counted).
    Checked(&'a str, i64),
}

/// Copies the database at `url` to `to` and checks every table's row count in the copy,
/// telling `on_step` how far it is.
///
/// SQLite: `to` is a file path (default `backups/<name>-<timestamp>.db`), written with
/// `VACUUM INTO`, a consistent snapshot even while others write. PostgreSQL and MySQL: `to`
/// is a URL or a database name on the same server (default `<name>_copy_<timestamp>`).
/// An existing target is never overwritten.
pub fn copy_database(
    url: &str,
    to: Option<&str>,
    mut on_step: impl FnMut(CopyStep<'_>),
) -> Result<Copied> {
    let source = Target::parse(url)?;
    let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S").to_string();
    let failed = |reason: String| Error::Copy {
        url: source.url.masked(),
        reason: source.url.scrub(&reason),
    };
    match source.url.backend() {
        Backend::Sqlite => {
            let target = match to {
                Some(to) => PathBuf::from(to.strip_prefix("sqlite://").unwrap_or(to)),
                None => {
                    let stem = Path::new(&source.name)
                        .file_stem()
                        .map_or("database".into(), |s| s.to_string_lossy().into_owned());
                    Path::new("backups").join(format!("{stem}-{stamp}.db"))
                }
            };
            if target.exists() {
                return Err(failed(format!(
                    "{} already exists: choose another --to",
                    target.display()
                )));
            }
            if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|error| failed(format!("cannot create {}: {error}", dir.display())))?;
            }
            let mut conn = Connection::establish(url)?;
            on_step(CopyStep::Tables(table_names(&mut conn)?.len()));
            on_step(CopyStep::Snapshot);
            let path = target.to_string_lossy().into_owned();
            crate::with_connection!(&mut conn, |c| diesel::sql_query("VACUUM INTO ?")
                .bind::<Text, _>(&path)
                .execute(c))?;
            let copy_url = format!("sqlite://{path}");
            verify(url, &copy_url, &path, on_step).inspect_err(|_| {
                let _ = std::fs::remove_file(&target);
            })
        }
        backend => {
            let name = match to {
                Some(to) if to.contains("://") => {
                    let to_url = DatabaseUrl::parse(to)?;
                    if to_url.with_database("") != source.url.with_database("") {
                        return Err(failed(
                            "the copy must be on the same server as the source (with the same user); for another server use pg_dump or mysqldump".into(),
                        ));
                    }
                    to_url
                        .database_name()
                        .ok_or_else(|| failed(format!("{} names no database", to_url.masked())))?
                        .to_owned()
                }
                Some(name) => name.to_owned(),
                None => format!("{}_copy_{stamp}", source.name),
            };
            let copy_url = source
                .url
                .with_database(&name)
                .expect("a server URL can name another database");
            if database_exists(&copy_url)? {
                return Err(failed(format!(
                    "database {name} already exists: choose another --to"
                )));
            }
            let server = source.server.as_ref().expect("a server database");
            let dialect = backend.dialect();
            on_step(CopyStep::Tables(
                table_names(&mut Connection::establish(url)?)?.len(),
            ));
            if backend == Backend::Postgres {
                on_step(CopyStep::Snapshot);
                server
                    .execute(&format!(
                        "CREATE DATABASE {} TEMPLATE {}",
                        dialect.quote(&name),
                        dialect.quote(&source.name)
                    ))
                    .map_err(|error| {
                        failed(format!(
                            "{error} (PostgreSQL copies a database only while nobody else is connected to it)"
                        ))
                    })?;
            } else {
                super::create_database(&copy_url)?;
                copy_mysql_tables(url, &source.name, &name, &mut on_step).inspect_err(|_| {
                    let _ = super::drop_database(&copy_url);
                })?;
            }
            let shown = DatabaseUrl::parse(&copy_url)?.masked();
            verify(url, &copy_url, &shown, on_step).inspect_err(|_| {
                let _ = super::drop_database(&copy_url);
            })
        }
    }
}

/// Recreates each table of `from` in `to` with its own DDL, then copies its rows.
fn copy_mysql_tables(
    url: &str,
    from: &str,
    to: &str,
    on_step: &mut impl FnMut(CopyStep<'_>),
) -> Result<()> {
    let mut conn = Connection::establish(url)?;
    let dialect = Backend::Mysql.dialect();
    let tables = table_names(&mut conn)?;
    conn.batch_execute(&format!(
        "SET FOREIGN_KEY_CHECKS = 0; USE {}",
        dialect.quote(to)
    ))?;
    for table in &tables {
        on_step(CopyStep::Copying(table));
        let ddl = show_create_table(&mut conn, from, table)?;
        conn.batch_execute(&ddl)?;
        conn.batch_execute(&format!(
            "INSERT INTO {to}.{table} SELECT * FROM {from}.{table}",
            to = dialect.quote(to),
            from = dialect.quote(from),
            table = dialect.quote(table)
        ))?;
        on_step(CopyStep::Copied(table));
    }
    conn.batch_execute(&format!(
        "SET FOREIGN_KEY_CHECKS = 1; USE {}",
        dialect.quote(from)
    ))
}

#[cfg(feature = "mysql")]
#[derive(QueryableByName)]
struct CreateTable {
    #[diesel(sql_type = Text, column_name = "Create Table")]
    sql: String,
}

#[cfg(feature = "mysql")]
fn show_create_table(conn: &mut Connection, database: &str, table: &str) -> Result<String> {
    let dialect = Backend::Mysql.dialect();
    let sql = format!(
        "SHOW CREATE TABLE {}.{}",
        dialect.quote(database),
        dialect.quote(table)
    );
    let row: CreateTable = crate::with_connection!(conn, |c| diesel::sql_query(&sql)
        .get_result::<CreateTable>(c))?;
    Ok(row.sql)
}

#[cfg(not(feature = "mysql"))]
fn show_create_table(_: &mut Connection, _: &str, _: &str) -> Result<String> {
    unreachable!("a MySQL connection needs the mysql feature")
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The base tables of the connection's database, sorted.
fn table_names(conn: &mut Connection) -> Result<Vec<String>> {
    let query = match conn.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY name"
        }
        Backend::Mysql => {
            "SELECT CAST(table_name AS CHAR) AS name FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY name"
        }
    };
    let names: Vec<Name> =
        crate::with_connection!(conn, |c| diesel::sql_query(query).load::<Name>(c))?;
    Ok(names.into_iter().map(|n| n.name).collect())
}

/// Every table of the database at `url` with its row count, each told to `counted` as it is
/// counted.
fn row_counts(url: &str, mut counted: impl FnMut(&str, i64)) -> Result<Vec<(String, i64)>> {
    let mut conn = Connection::establish(url)?;
    let dialect = conn.backend().dialect();
    let mut counts = Vec::new();
    for table in table_names(&mut conn)? {
        let sql = format!("SELECT COUNT(*) AS n FROM {}", dialect.quote(&table));
        let count: Count = crate::with_connection!(&mut conn, |c| diesel::sql_query(&sql)
            .get_result::<Count>(c))?;
        counted(&table, count.n);
        counts.push((table, count.n));
    }
    Ok(counts)
}

/// Compares the tables and row counts of the source and the copy.
fn verify(
    source_url: &str,
    copy_url: &str,
    shown: &str,
    mut on_step: impl FnMut(CopyStep<'_>),
) -> Result<Copied> {
    let source = row_counts(source_url, |_, _| {})?;
    let copy = row_counts(copy_url, |table, rows| {
        on_step(CopyStep::Checked(table, rows))
    })?;
    if source != copy {
        return Err(Error::Copy {
            url: DatabaseUrl::parse(source_url)?.masked(),
            reason: format!(
                "the copy at {shown} differs from the source (tables and row counts {copy:?} instead of {source:?}); it was removed"
            ),
        });
    }
    Ok(Copied {
        target: shown.to_owned(),
        row_counts: copy,
    })
}
