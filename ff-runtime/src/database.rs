//! Creating and dropping the database a URL names: the file of SQLite, a database on a server.

mod copy;

use std::path::Path;

use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl};

use crate::connection::Connection;
use crate::dialect::Backend;
use crate::error::{Error, Result};
use crate::url::DatabaseUrl;

pub use copy::{Copied, CopyStep, copy_database};

/// Whether the database at `url` exists.
pub fn database_exists(url: &str) -> Result<bool> {
    let target = Target::parse(url)?;
    match &target.server {
        None => Ok(Path::new(&target.name).exists()),
        Some(server) => server.exists(&target.name),
    }
}

/// Creates the database at `url`; `Ok(false)` when it already exists.
pub fn create_database(url: &str) -> Result<bool> {
    let target = Target::parse(url)?;
    match &target.server {
        None => {
            if Path::new(&target.name).exists() {
                return Ok(false);
            }
            if let Some(dir) = Path::new(&target.name)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|error| Error::Connection {
                    url: target.url.masked(),
                    reason: format!("cannot create directory {}: {error}", dir.display()),
                })?;
            }
            Connection::establish(url)?;
            Ok(true)
        }
        Some(server) => {
            if server.exists(&target.name)? {
                return Ok(false);
            }
            let dialect = target.url.backend().dialect();
            let options = match target.url.backend() {
                Backend::Mysql => " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
                _ => "",
            };
            server.execute(&format!(
                "CREATE DATABASE {}{options}",
                dialect.quote(&target.name)
            ))?;
            Ok(true)
        }
    }
}

/// Drops the database at `url`; `Ok(false)` when it does not exist.
pub fn drop_database(url: &str) -> Result<bool> {
    let target = Target::parse(url)?;
    match &target.server {
        None => {
            if !Path::new(&target.name).exists() {
                return Ok(false);
            }
            for suffix in ["-wal", "-shm", "-journal", ""] {
                let path = format!("{}{suffix}", target.name);
                if Path::new(&path).exists() {
                    std::fs::remove_file(&path).map_err(|error| Error::Connection {
                        url: target.url.masked(),
                        reason: format!("cannot remove {path}: {error}"),
                    })?;
                }
            }
            Ok(true)
        }
        Some(server) => {
            if !server.exists(&target.name)? {
                return Ok(false);
            }
            let dialect = target.url.backend().dialect();
            server.execute(&format!("DROP DATABASE {}", dialect.quote(&target.name)))?;
            Ok(true)
        }
    }
}

/// The database a URL names, and for servers how to reach the server itself.
struct Target {
    url: DatabaseUrl,
    name: String,
    server: Option<Server>,
}

impl Target {
    fn parse(url: &str) -> Result<Target> {
        let parsed = DatabaseUrl::parse(url)?;
        let invalid = |reason: &str| Error::InvalidUrl {
            url: parsed.masked(),
            reason: reason.to_owned(),
        };
        let name = parsed
            .database_name()
            .ok_or_else(|| invalid("the URL names no database; add it as the path: …/mydb"))?
            .to_owned();
        let server = match parsed.backend() {
            Backend::Sqlite if name == ":memory:" => {
                return Err(invalid(
                    "an in-memory database exists only while connected; use a file",
                ));
            }
            Backend::Sqlite => None,
            // The maintenance database every PostgreSQL server has.
            Backend::Postgres => Some(Server::new(&parsed, "postgres")),
            // MySQL connects without selecting a database.
            Backend::Mysql => Some(Server::new(&parsed, "")),
        };
        Ok(Target {
            url: parsed,
            name,
            server,
        })
    }
}

/// A connection target on the server that is not the database being created or dropped.
struct Server {
    url: String,
    backend: Backend,
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Text)]
    #[allow(dead_code)]
    name: String,
}

impl Server {
    fn new(url: &DatabaseUrl, maintenance_database: &str) -> Server {
        Server {
            url: url
                .with_database(maintenance_database)
                .unwrap_or_else(|| url.driver_url().to_owned()),
            backend: url.backend(),
        }
    }

    fn exists(&self, name: &str) -> Result<bool> {
        let query = match self.backend {
            Backend::Postgres => "SELECT datname::text AS name FROM pg_database WHERE datname = $1",
            _ => {
                "SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?"
            }
        };
        let mut conn = Connection::establish(&self.url)?;
        let found: Vec<Found> = crate::with_connection!(&mut conn, |c| diesel::sql_query(query)
            .bind::<Text, _>(name)
            .load::<Found>(c))?;
        Ok(!found.is_empty())
    }

    fn execute(&self, sql: &str) -> Result<()> {
        Connection::establish(&self.url)?.batch_execute(sql)
    }
}
