//! Database URLs: which backend they name, what the driver is given, and how they are shown.

use crate::dialect::Backend;
use crate::error::{Error, Result};

/// A parsed database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    backend: Backend,
    /// What the driver receives: a file path for SQLite, the URL for servers.
    driver_url: String,
}

impl DatabaseUrl {
    /// Parses `sqlite://path`, `sqlite:path`, a plain path, `:memory:`, `postgres://…`,
    /// `postgresql://…`, `mysql://…` or `mariadb://…`.
    pub fn parse(url: &str) -> Result<DatabaseUrl> {
        let url = url.trim();
        if url.is_empty() {
            return Err(Error::InvalidUrl {
                url: String::new(),
                reason: "the URL is empty; write e.g. sqlite://app.db or postgres://user@host/db"
                    .to_owned(),
            });
        }
        let (backend, driver_url) = match url.split_once("://") {
            Some(("sqlite", path)) => (Backend::Sqlite, path.to_owned()),
            Some(("postgres" | "postgresql", _)) => (Backend::Postgres, url.to_owned()),
            Some(("mysql", _)) => (Backend::Mysql, url.to_owned()),
            Some(("mariadb", rest)) => (Backend::Mysql, format!("mysql://{rest}")),
            Some((scheme, _)) => {
                return Err(Error::InvalidUrl {
                    url: mask_password(url),
                    reason: format!(
                        "unknown scheme `{scheme}`; use sqlite://, postgres:// or mysql://"
                    ),
                });
            }
            None => match url.strip_prefix("sqlite:") {
                Some(path) => (Backend::Sqlite, path.to_owned()),
                None => (Backend::Sqlite, url.to_owned()),
            },
        };
        if backend == Backend::Sqlite && driver_url.trim().is_empty() {
            return Err(Error::InvalidUrl {
                url: url.to_owned(),
                reason: "no file; write e.g. sqlite://app.db (or sqlite://:memory: for a database that lives only while connected)".to_owned(),
            });
        }
        if backend != Backend::Sqlite
            && host_part(&driver_url).is_empty()
            && !driver_url.contains("host=")
        {
            return Err(Error::InvalidUrl {
                url: mask_password(url),
                reason: format!(
                    "no host; write e.g. {}://user@localhost/mydb",
                    backend.name()
                ),
            });
        }
        Ok(DatabaseUrl {
            backend,
            driver_url,
        })
    }

    /// The backend the URL names.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The string given to Diesel's driver.
    pub fn driver_url(&self) -> &str {
        &self.driver_url
    }

    /// The database the URL names: the file of SQLite, the path's database on a server.
    pub fn database_name(&self) -> Option<&str> {
        match self.backend {
            Backend::Sqlite => Some(&self.driver_url),
            _ => {
                let after_scheme = self.driver_url.split_once("://")?.1;
                let path = after_scheme.split_once('/')?.1;
                let name = path.split('?').next().unwrap_or("");
                (!name.is_empty()).then_some(name)
            }
        }
    }

    /// The same server URL naming another database (`None` for SQLite).
    pub fn with_database(&self, database: &str) -> Option<String> {
        if self.backend == Backend::Sqlite {
            return None;
        }
        let (scheme, after_scheme) = self.driver_url.split_once("://")?;
        let (authority, rest) = after_scheme
            .split_once('/')
            .map_or((after_scheme, ""), |(authority, rest)| (authority, rest));
        let query = rest.split_once('?').map(|(_, query)| query);
        Some(match query {
            Some(query) => format!("{scheme}://{authority}/{database}?{query}"),
            None => format!("{scheme}://{authority}/{database}"),
        })
    }

    /// The URL as it may be shown: the password replaced by `***`.
    pub fn masked(&self) -> String {
        match self.backend {
            Backend::Sqlite => format!("sqlite://{}", self.driver_url),
            _ => mask_password(&self.driver_url),
        }
    }
}

/// The part of a server URL between `://` and the path, user info included.
fn host_part(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme.split(['/', '?']).next().unwrap_or("");
    authority.rsplit('@').next().unwrap_or("")
}

/// Replaces the password of a URL (`user:password@host` and `password=` parameters) by `***`.
pub fn mask_password(url: &str) -> String {
    let mut masked = url.to_owned();
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if let Some(at) = authority.rfind('@')
            && let Some(colon) = authority[..at].find(':')
        {
            let start = scheme_end + 3 + colon + 1;
            let end = scheme_end + 3 + at;
            masked.replace_range(start..end, "***");
        }
    }
    if let Some(start) = masked.find("password=") {
        let value_start = start + "password=".len();
        let value_end = masked[value_start..]
            .find('&')
            .map_or(masked.len(), |end| value_start + end);
        masked.replace_range(value_start..value_end, "***");
    }
    masked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_become_file_paths() {
        for (url, path) in [
            ("sqlite://app.db", "app.db"),
            ("sqlite:///tmp/app.db", "/tmp/app.db"),
            ("sqlite:app.db", "app.db"),
            ("app.db", "app.db"),
            (":memory:", ":memory:"),
            ("sqlite://:memory:", ":memory:"),
        ] {
            let parsed = DatabaseUrl::parse(url).unwrap();
            assert_eq!(parsed.backend(), Backend::Sqlite, "{url}");
            assert_eq!(parsed.driver_url(), path, "{url}");
        }
    }

    #[test]
    fn server_urls_keep_their_scheme_and_mariadb_is_mysql() {
        let pg = DatabaseUrl::parse("postgresql://u@localhost/db").unwrap();
        assert_eq!(pg.backend(), Backend::Postgres);
        let maria = DatabaseUrl::parse("mariadb://root@127.0.0.1:3306/test").unwrap();
        assert_eq!(maria.backend(), Backend::Mysql);
        assert_eq!(maria.driver_url(), "mysql://root@127.0.0.1:3306/test");
    }

    #[test]
    fn the_database_of_a_url_can_be_read_and_replaced() {
        let pg = DatabaseUrl::parse("postgres://u:p@h:5432/shop?sslmode=disable").unwrap();
        assert_eq!(pg.database_name(), Some("shop"));
        assert_eq!(
            pg.with_database("postgres").unwrap(),
            "postgres://u:p@h:5432/postgres?sslmode=disable"
        );
        let bare = DatabaseUrl::parse("mysql://root@h").unwrap();
        assert_eq!(bare.database_name(), None);
        assert_eq!(bare.with_database("").unwrap(), "mysql://root@h/");
        let file = DatabaseUrl::parse("sqlite://data/app.db").unwrap();
        assert_eq!(file.database_name(), Some("data/app.db"));
        assert_eq!(file.with_database("x"), None);
    }

    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            mask_password("postgres://admin:s3cr:et@db.example:5432/shop"),
            "postgres://admin:***@db.example:5432/shop"
        );
        assert_eq!(
            mask_password("mysql://root@localhost/db?password=hunter2&ssl=1"),
            "mysql://root@localhost/db?password=***&ssl=1"
        );
        assert_eq!(mask_password("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn bad_urls_say_what_to_write() {
        let unknown = DatabaseUrl::parse("oracle://scott:tiger@host/db").unwrap_err();
        let message = unknown.to_string();
        assert!(message.contains("unknown scheme `oracle`"), "{message}");
        assert!(!message.contains("tiger"), "{message}");
        let no_host = DatabaseUrl::parse("postgres:///db")
            .unwrap_err()
            .to_string();
        assert!(no_host.contains("no host"), "{no_host}");
        assert!(DatabaseUrl::parse("  ").is_err());
    }
}
