//! Database URLs: which backend they name, what the driver is given, and how they are shown.
//!
//! # Where the password ends
//!
//! A server URL is `scheme://user:password@host[:port][,host…]/database?query`. The password
//! runs from the first `:` of the user info to the `@` that ends it; percent escapes in it
//! (`%40` for `@`) are decoded, as libpq and Diesel's MySQL driver decode them. What users type
//! is often not a valid URL, so the `@` that ends the user info is found like this:
//!
//! 1. No `@` after the first `/`, `?` or `#` that follows `//`: the last `@` before that
//!    character (a raw `@` or `:` in the password works).
//! 2. One `@` after it, none before it, and a `:` before it followed by something that is not a
//!    port number: a raw `/`, `?` or `#` in the password, which ends at that `@`.
//! 3. An `@` after it and no `:` or `@` before it (or an IPv6 host in brackets): the `@`
//!    belongs to the path or the query; there is no user info.
//! 4. Anything else (`user:12/34@host`, `user:p@ss/word@host`, two `@` after a raw `/`) is
//!    refused with [`Error::InvalidUrl`], asking for the password to be percent-encoded.
//!
//! The driver receives the URL rebuilt with the user name and password percent-encoded, so it
//! reads the password the user meant. Every message shows the URL through
//! [`DatabaseUrl::masked`], and the driver's own text is scrubbed of the password in every form
//! (as typed, decoded, encoded) before it reaches an error. `password=` parameters are masked
//! too, and a libpq `key=value` string is refused rather than taken for an SQLite file name.

use std::ops::Range;

use ::url::{Position, Url};
use percent_encoding::{
    AsciiSet, NON_ALPHANUMERIC, percent_decode_str, percent_encode, utf8_percent_encode,
};

use crate::dialect::Backend;
use crate::error::{Error, Result};

/// What a password shows as.
const MASK: &str = "***";

/// Everything but RFC 3986's unreserved characters is escaped in the user name and password.
const USER_INFO: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The reason given when the end of the user info cannot be told (rule 4 above).
const AMBIGUOUS: &str = "an `@` follows a `/`, `?` or `#`, so where the password ends cannot be told: \
     percent-encode the password's special characters (`/` as %2F, `?` as %3F, `#` as %23, `@` as %40, `%` as %25), \
     and write an `@` of the database name or the query as %40";

/// The keywords of a libpq `key=value` connection string that give it away.
const KEY_VALUE_KEYWORDS: &[&str] = &[
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "sslmode",
    "service",
    "connect_timeout",
];

/// A parsed database URL.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    backend: Backend,
    /// What the driver receives: a file path for SQLite, the rebuilt URL for servers.
    driver_url: String,
    /// The parts of a server URL (`None` for SQLite).
    server: Option<ServerUrl>,
    /// Every form of every password the URL holds, longest first: what [`DatabaseUrl::scrub`]
    /// hides.
    secrets: Vec<String>,
}

/// The parts of a server URL, normalized by the `url` crate, user info percent-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ServerUrl {
    scheme: &'static str,
    /// The percent-encoded user name and password.
    user: Option<String>,
    password: Option<String>,
    /// `host[:port]`, several separated by commas for libpq.
    hosts: String,
    /// Empty or `/database`.
    path: String,
    query: Option<String>,
    fragment: Option<String>,
}

impl ServerUrl {
    /// The URL with this path, password in clear or masked.
    fn render(&self, path: &str, masked: bool) -> String {
        let mut url = format!("{}://", self.scheme);
        if let Some(user) = &self.user {
            url.push_str(user);
            if let Some(password) = &self.password {
                url.push(':');
                url.push_str(if masked { MASK } else { password });
            }
            url.push('@');
        }
        url.push_str(&self.hosts);
        url.push_str(path);
        if let Some(query) = &self.query {
            url.push('?');
            url.push_str(query);
        }
        if let Some(fragment) = &self.fragment {
            url.push('#');
            url.push_str(fragment);
        }
        if masked { mask_key_values(&url) } else { url }
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseUrl")
            .field("backend", &self.backend)
            .field("url", &self.masked())
            .finish()
    }
}

impl DatabaseUrl {
    /// Parses `sqlite://path` (and SQLAlchemy's `sqlite:///./path` for a relative path),
    /// `sqlite:path`, a plain path, `:memory:`, `postgres://…`,
    /// `postgresql://…`, `mysql://…` or `mariadb://…`. See the module documentation for how
    /// passwords with special characters are read.
    pub fn parse(url: &str) -> Result<DatabaseUrl> {
        let url = url.trim();
        if url.is_empty() {
            return Err(invalid(
                url,
                "the URL is empty; write e.g. sqlite://app.db or postgres://user@host/db",
            ));
        }
        match url.split_once("://") {
            Some(("sqlite", path)) => DatabaseUrl::sqlite(url, path),
            Some(("postgres", rest)) => {
                DatabaseUrl::server(Backend::Postgres, "postgres", url, rest)
            }
            Some(("postgresql", rest)) => {
                DatabaseUrl::server(Backend::Postgres, "postgresql", url, rest)
            }
            Some(("mysql" | "mariadb", rest)) => {
                DatabaseUrl::server(Backend::Mysql, "mysql", url, rest)
            }
            Some((scheme, _)) => Err(invalid(
                url,
                &format!("unknown scheme `{scheme}`; use sqlite://, postgres:// or mysql://"),
            )),
            // A libpq `key=value` string would otherwise be taken for an SQLite file name.
            None if looks_like_key_values(url) => Err(invalid(
                url,
                "this is a key=value connection string; ff takes URLs: write postgres://user:password@host:5432/db (percent-encode special characters of the password)",
            )),
            None => DatabaseUrl::sqlite(url, url.strip_prefix("sqlite:").unwrap_or(url)),
        }
    }

    fn sqlite(url: &str, path: &str) -> Result<DatabaseUrl> {
        // SQLAlchemy's `sqlite:///./app.db` (Framefox's default) names a relative path.
        let path = path
            .strip_prefix('/')
            .filter(|rest| rest.starts_with("./") || rest.starts_with("../"))
            .unwrap_or(path);
        if path.trim().is_empty() {
            return Err(invalid(
                url,
                "no file; write e.g. sqlite://app.db (or sqlite://:memory: for a database that lives only while connected)",
            ));
        }
        Ok(DatabaseUrl {
            backend: Backend::Sqlite,
            driver_url: path.to_owned(),
            server: None,
            secrets: Vec::new(),
        })
    }

    /// A server URL; `rest` follows `scheme://`.
    fn server(
        backend: Backend,
        scheme: &'static str,
        url: &str,
        rest: &str,
    ) -> Result<DatabaseUrl> {
        let (user_info, location) = split_user_info(rest).ok_or_else(|| invalid(url, AMBIGUOUS))?;
        let hosts_end = location.find(['/', '?', '#']).unwrap_or(location.len());
        let (hosts, tail) = location.split_at(hosts_end);
        let hosts = hosts
            .split(',')
            .map(|host| normalize_host(scheme, host))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|reason| invalid(url, &reason))?
            .join(",");
        // The path, query and fragment, checked and normalized behind an empty host.
        let tail = Url::parse(&format!("{scheme}://{tail}"))
            .map_err(|error| invalid(url, &error.to_string()))?;
        let (user, password) = match user_info {
            None => (None, None),
            Some(user_info) => match user_info.split_once(':') {
                Some((user, password)) => (Some(user), Some(password)),
                None => (Some(user_info), None),
            },
        };
        let server = ServerUrl {
            scheme,
            user: user.map(reencode),
            password: password.map(reencode),
            hosts,
            path: tail.path().to_owned(),
            query: tail.query().map(str::to_owned),
            fragment: tail.fragment().map(str::to_owned),
        };
        // A libpq `host` or `hostaddr` parameter (a socket directory, say) stands for the host.
        let has_host = server.hosts.split(',').any(|host| !host.is_empty())
            || server.query.as_deref().is_some_and(|query| {
                query
                    .split('&')
                    .any(|pair| pair.starts_with("host=") || pair.starts_with("hostaddr="))
            });
        if !has_host {
            return Err(Error::InvalidUrl {
                url: server.render(&server.path, true),
                reason: format!(
                    "no host; write e.g. {}://user@localhost/mydb",
                    backend.name()
                ),
            });
        }
        let mut secrets = Vec::new();
        if let (Some(typed), Some(encoded)) = (password, &server.password) {
            secrets.extend(forms(typed));
            secrets.extend(forms(encoded));
        }
        for query in [rest].into_iter().chain(server.query.as_deref()) {
            for range in password_values(query) {
                secrets.extend(forms(&query[range]));
            }
        }
        secrets.retain(|secret| !secret.is_empty());
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        let parsed = DatabaseUrl {
            backend,
            driver_url: server.render(&server.path, false),
            server: Some(server),
            secrets,
        };
        Ok(parsed)
    }

    /// The backend the URL names.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The string given to Diesel's driver. It holds the password: never show it, show
    /// [`DatabaseUrl::masked`].
    pub fn driver_url(&self) -> &str {
        &self.driver_url
    }

    /// The database the URL names: the file of SQLite, the path's database on a server.
    pub fn database_name(&self) -> Option<&str> {
        match &self.server {
            None => Some(&self.driver_url),
            Some(server) => {
                let name = server.path.strip_prefix('/').unwrap_or(&server.path);
                (!name.is_empty()).then_some(name)
            }
        }
    }

    /// The same server URL naming another database (`None` for SQLite).
    pub fn with_database(&self, database: &str) -> Option<String> {
        let server = self.server.as_ref()?;
        Some(server.render(&format!("/{database}"), false))
    }

    /// The URL as it may be shown: the password (in the user info or a `password=` parameter)
    /// replaced by `***`. This is the one way ff displays a URL.
    pub fn masked(&self) -> String {
        match &self.server {
            None => format!("sqlite://{}", self.driver_url),
            Some(server) => server.render(&server.path, true),
        }
    }

    /// `text` (a driver's error message, say) with every form of this URL's passwords — as
    /// typed, percent-decoded or percent-encoded — replaced by `***`.
    pub(crate) fn scrub(&self, text: &str) -> String {
        self.secrets
            .iter()
            .fold(text.to_owned(), |text, secret| text.replace(secret, MASK))
    }
}

/// An [`Error::InvalidUrl`] showing `url` masked.
fn invalid(url: &str, reason: &str) -> Error {
    Error::InvalidUrl {
        url: mask_unparsed(url),
        reason: reason.to_owned(),
    }
}

/// Splits what follows `scheme://` into the user info (if any) and the rest, by the rules of
/// the module documentation; `None` when the end of the user info cannot be told.
fn split_user_info(rest: &str) -> Option<(Option<&str>, &str)> {
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let after = &rest[authority_end..];
    let at_after = after.find('@');
    let split_at = |at: usize| Some((Some(&rest[..at]), &rest[at + 1..]));
    match (authority.rfind('@'), at_after) {
        // `user:p@ss:word@host/db`: the last `@` before the path.
        (Some(at), None) => split_at(at),
        (None, None) => Some((None, rest)),
        (None, Some(at)) => match authority.split_once(':') {
            // `[::1]/db?x=a@b`, `host/db?x=a@b`: an `@` of the path or the query.
            _ if authority.starts_with('[') => Some((None, rest)),
            None => Some((None, rest)),
            // `user:p/ss@host/db`: `p` is no port, so the password holds a raw `/`.
            Some((_, port)) if !is_port(port) && after[at + 1..].find('@').is_none() => {
                split_at(authority_end + at)
            }
            // `host:5432/db?x=a@b` or `user:12/34@host`: cannot be told apart.
            Some(_) => None,
        },
        // `user:p@ss/word@host`: the password holds `@` and `/`, or the query an `@`.
        (Some(_), Some(_)) => None,
    }
}

/// Whether `text` could be the port of `host:port` (empty means the default port).
fn is_port(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit())
}

/// `host[:port]` checked and normalized by the `url` crate (an empty host is kept: libpq then
/// takes its default or the `host` parameter).
fn normalize_host(scheme: &str, host: &str) -> std::result::Result<String, String> {
    let url = Url::parse(&format!("{scheme}://{host}"))
        .map_err(|error| format!("{error} in `{host}`"))?;
    Ok(url[Position::BeforeHost..Position::AfterPort].to_owned())
}

/// A user name or password percent-decoded (a `%` not followed by two hex digits stays a
/// literal `%`) and encoded again, every reserved character escaped.
fn reencode(text: &str) -> String {
    let decoded: Vec<u8> = percent_decode_str(text).collect();
    percent_encode(&decoded, USER_INFO).to_string()
}

/// A secret as written and percent-decoded.
fn forms(secret: &str) -> [String; 3] {
    let decoded = percent_decode_str(secret).decode_utf8_lossy().into_owned();
    let encoded = utf8_percent_encode(&decoded, USER_INFO).to_string();
    [secret.to_owned(), decoded, encoded]
}

/// The byte ranges of the values of `password=` (and `sslpassword=`…) parameters, in a query
/// string or a libpq `key=value` string; a value runs to `&` or white space, or is quoted.
fn password_values(text: &str) -> Vec<Range<usize>> {
    let lower = text.to_ascii_lowercase();
    let mut ranges = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find("password=") {
        let start = from + found + "password=".len();
        let value = &text[start..];
        let len = match value.strip_prefix('\'') {
            // libpq quotes values with spaces: password='a b', with \' inside.
            Some(quoted) => {
                let mut escaped = false;
                quoted
                    .char_indices()
                    .find(|&(_, c)| {
                        let end = c == '\'' && !escaped;
                        escaped = c == '\\' && !escaped;
                        end
                    })
                    .map_or(value.len(), |(i, _)| i + 2)
            }
            None => value
                .find(|c: char| c == '&' || c.is_whitespace())
                .unwrap_or(value.len()),
        };
        ranges.push(start..start + len);
        from = start + len;
    }
    ranges
}

/// `text` with the values of its `password=` parameters replaced by `***`.
fn mask_key_values(text: &str) -> String {
    let mut masked = text.to_owned();
    for range in password_values(text).into_iter().rev() {
        masked.replace_range(range, MASK);
    }
    masked
}

/// Whether a string without `scheme://` is a libpq `key=value` connection string.
fn looks_like_key_values(text: &str) -> bool {
    text.split_whitespace().any(|word| {
        word.split_once('=')
            .is_some_and(|(key, _)| KEY_VALUE_KEYWORDS.contains(&key.to_ascii_lowercase().as_str()))
    })
}

/// A URL that does not parse, as it may be shown: what could be a password is hidden, erring
/// on the side of hiding too much.
fn mask_unparsed(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return mask_key_values(url);
    };
    let hide_password = |user_info: &str| match user_info.split_once(':') {
        Some((user, _)) => format!("{user}:{MASK}"),
        None => user_info.to_owned(),
    };
    let shown = match split_user_info(rest) {
        Some((Some(user_info), location)) => format!("{}@{location}", hide_password(user_info)),
        // `user:secret` without a host would show as `host:port`: hide all after the `:`.
        Some((None, _)) => {
            let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
            match authority.split_once(':') {
                Some((user, port)) if !authority.starts_with('[') && !is_port(port) => {
                    format!("{user}:{MASK}")
                }
                _ => rest.to_owned(),
            }
        }
        // Everything before the last `@` may be the password.
        None => match rest.rfind('@') {
            Some(at) => format!("{}@{}", hide_password(&rest[..at]), &rest[at + 1..]),
            None => MASK.to_owned(),
        },
    };
    mask_key_values(&format!("{scheme}://{shown}"))
}

/// `url` as it may be shown, whether it parses or not: [`DatabaseUrl::masked`] when it does,
/// otherwise the URL with whatever could be a password replaced by `***`.
pub fn mask_password(url: &str) -> String {
    match DatabaseUrl::parse(url) {
        Ok(parsed) => parsed.masked(),
        Err(_) => mask_unparsed(url.trim()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Passwords as typed in a URL, with the password the driver must receive.
    const NASTY_PASSWORDS: &[(&str, &str)] = &[
        ("p/ss", "p/ss"),
        ("p?ss", "p?ss"),
        ("p#ss", "p#ss"),
        ("p@ss", "p@ss"),
        ("p:ss", "p:ss"),
        ("p%40ss", "p@ss"),
        ("%2F%3F%23", "/?#"),
        ("pässwörd", "pässwörd"),
        ("app", "app"),               // the user name
        ("db.example", "db.example"), // the host name
        ("", ""),
        ("100%", "100%"),
        ("1p/ss#", "1p/ss#"),
        ("p&ss=x y", "p&ss=x y"),
    ];

    /// Passwords whose end cannot be told when typed raw: refused, accepted once encoded.
    const AMBIGUOUS_PASSWORDS: &[&str] = &["12/34", "p@ss/word", "p/ss@x", "/ss"];

    const SCHEMES: &[(&str, &str)] = &[
        ("postgres", "postgres"),
        ("postgresql", "postgresql"),
        ("mysql", "mysql"),
        ("mariadb", "mysql"),
    ];

    /// The user and password the driver reads from the URL, decoded as libpq and Diesel's
    /// MySQL driver decode them (an empty password is no password).
    fn credentials_read_by_driver(driver_url: &str) -> (String, String) {
        let url = Url::parse(driver_url).unwrap();
        let decode = |text: &str| percent_decode_str(text).decode_utf8().unwrap().into_owned();
        (
            decode(url.username()),
            url.password().map(decode).unwrap_or_default(),
        )
    }

    #[test]
    fn sqlite_urls_become_file_paths() {
        for (url, path) in [
            ("sqlite://app.db", "app.db"),
            ("sqlite:///tmp/app.db", "/tmp/app.db"),
            ("sqlite:app.db", "app.db"),
            ("app.db", "app.db"),
            (":memory:", ":memory:"),
            ("sqlite://:memory:", ":memory:"),
            ("sqlite:///./framefox.db", "./framefox.db"),
            ("sqlite:///../data/app.db", "../data/app.db"),
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
    fn nasty_passwords_are_masked_and_reach_the_driver_intact() {
        for &(typed, meant) in NASTY_PASSWORDS {
            for &(scheme, driver_scheme) in SCHEMES {
                let url = format!("{scheme}://app:{typed}@db.example:5432/shop?sslmode=disable");
                let parsed = DatabaseUrl::parse(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
                let masked =
                    format!("{driver_scheme}://app:***@db.example:5432/shop?sslmode=disable");
                assert_eq!(parsed.masked(), masked, "{url}");
                assert_eq!(mask_password(&url), masked, "{url}");
                assert!(
                    !format!("{parsed:?}").contains(&format!(":{typed}@")),
                    "{url}"
                );

                let driver = Url::parse(parsed.driver_url()).unwrap();
                assert_eq!(driver.scheme(), driver_scheme, "{url}");
                assert_eq!(driver.host_str(), Some("db.example"), "{url}");
                assert_eq!(driver.port(), Some(5432), "{url}");
                assert_eq!(driver.path(), "/shop", "{url}");
                assert_eq!(driver.query(), Some("sslmode=disable"), "{url}");
                assert_eq!(
                    credentials_read_by_driver(parsed.driver_url()),
                    ("app".to_owned(), meant.to_owned()),
                    "{url}"
                );
                assert_eq!(parsed.database_name(), Some("shop"), "{url}");
                let other = parsed.with_database("postgres").unwrap();
                assert_eq!(
                    credentials_read_by_driver(&other),
                    ("app".to_owned(), meant.to_owned()),
                    "{url}"
                );
            }
        }
    }

    #[test]
    fn a_driver_message_loses_the_password_in_every_form() {
        for &(typed, meant) in NASTY_PASSWORDS
            .iter()
            .filter(|(typed, _)| !typed.is_empty())
        {
            let url = format!("postgres://app:{typed}@db.example/shop");
            let parsed = DatabaseUrl::parse(&url).unwrap();
            let encoded = utf8_percent_encode(meant, USER_INFO).to_string();
            let message = format!(
                "invalid connection {url} ({}): password \"{meant}\" or {encoded} rejected",
                parsed.driver_url()
            );
            let scrubbed = parsed.scrub(&message);
            for form in [typed, meant, encoded.as_str()] {
                assert!(!scrubbed.contains(form), "{form:?} in {scrubbed}");
            }
            assert!(scrubbed.contains("rejected"), "{scrubbed}");
        }
        let no_password = DatabaseUrl::parse("postgres://app@db.example/shop").unwrap();
        assert_eq!(no_password.scrub("role app refused"), "role app refused");
    }

    #[test]
    fn passwords_whose_end_cannot_be_told_are_refused_masked_and_work_encoded() {
        for &password in AMBIGUOUS_PASSWORDS {
            for &(scheme, _) in SCHEMES {
                let url = format!("{scheme}://app:{password}@db.example/shop");
                let error = DatabaseUrl::parse(&url).unwrap_err();
                assert!(matches!(error, Error::InvalidUrl { .. }), "{url}");
                let message = error.to_string();
                assert!(
                    message.contains(&format!("`{scheme}://app:***@db.example/shop`")),
                    "{message}"
                );
                assert!(message.contains("percent-encode"), "{message}");
                assert!(!message.contains(password), "{message}");
                assert_eq!(
                    mask_password(&url),
                    format!("{scheme}://app:***@db.example/shop")
                );

                let encoded = utf8_percent_encode(password, USER_INFO).to_string();
                let url = format!("{scheme}://app:{encoded}@db.example/shop");
                let parsed = DatabaseUrl::parse(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
                assert_eq!(credentials_read_by_driver(parsed.driver_url()).1, password);
            }
        }
    }

    #[test]
    fn an_at_sign_of_the_query_is_no_password() {
        let parsed =
            DatabaseUrl::parse("postgres://db.example/shop?application_name=me@laptop").unwrap();
        assert_eq!(
            parsed.masked(),
            "postgres://db.example/shop?application_name=me@laptop"
        );
        let ipv6 = DatabaseUrl::parse("postgres://[::1]:5432/shop?application_name=a@b").unwrap();
        assert_eq!(
            ipv6.driver_url(),
            "postgres://[::1]:5432/shop?application_name=a@b"
        );
        // A port before the `@` could as well be a password with a raw `/`.
        assert!(
            DatabaseUrl::parse("postgres://db.example:5432/shop?application_name=a@b").is_err()
        );
        let with_user =
            DatabaseUrl::parse("postgres://app:pw@db.example/shop?application_name=me%40laptop")
                .unwrap();
        assert_eq!(
            with_user.masked(),
            "postgres://app:***@db.example/shop?application_name=me%40laptop"
        );
    }

    #[test]
    fn password_parameters_are_masked_and_scrubbed() {
        let url = "postgres://app@db.example/shop?sslmode=require&password=p%26ss&sslpassword=k3y&application_name=x";
        let parsed = DatabaseUrl::parse(url).unwrap();
        assert_eq!(parsed.driver_url(), url);
        assert_eq!(
            parsed.masked(),
            "postgres://app@db.example/shop?sslmode=require&password=***&sslpassword=***&application_name=x"
        );
        let scrubbed = parsed.scrub("bad password p&ss (p%26ss), key k3y");
        assert_eq!(scrubbed, "bad password *** (***), key ***");
    }

    #[test]
    fn key_value_connection_strings_are_refused_without_their_password() {
        for conninfo in [
            "host=localhost user=app password=s3cret dbname=shop",
            "password='my s3cret' host=localhost",
            "dbname=shop password=s3cret",
        ] {
            let message = DatabaseUrl::parse(conninfo).unwrap_err().to_string();
            assert!(message.contains("key=value"), "{message}");
            assert!(!message.contains("s3cret"), "{message}");
            assert!(!mask_password(conninfo).contains("s3cret"), "{conninfo}");
        }
    }

    #[test]
    fn urls_that_do_not_parse_are_shown_without_what_could_be_a_password() {
        for (url, shown) in [
            ("postgres://app:s3cret", "postgres://app:***"),
            ("postgres://app:s3/cret", "postgres://app:***"),
            (
                "postgres://app:s3cret@db:99999/shop",
                "postgres://app:***@db:99999/shop",
            ),
            (
                "oracle://scott:ti/ger@host/db?password=x",
                "oracle://scott:***@host/db?password=***",
            ),
        ] {
            assert!(DatabaseUrl::parse(url).is_err(), "{url}");
            assert_eq!(mask_password(url), shown, "{url}");
        }
    }

    #[test]
    fn several_hosts_and_a_socket_directory_are_kept() {
        let multi = DatabaseUrl::parse("postgres://app:p%2Fss@h1:5432,h2:5433/shop").unwrap();
        assert_eq!(
            multi.driver_url(),
            "postgres://app:p%2Fss@h1:5432,h2:5433/shop"
        );
        assert_eq!(multi.masked(), "postgres://app:***@h1:5432,h2:5433/shop");
        let socket =
            DatabaseUrl::parse("postgres://app:pw@/shop?host=/var/run/postgresql").unwrap();
        assert_eq!(
            socket.masked(),
            "postgres://app:***@/shop?host=/var/run/postgresql"
        );
        assert_eq!(socket.database_name(), Some("shop"));
    }

    #[test]
    fn bad_urls_say_what_to_write() {
        let unknown = DatabaseUrl::parse("oracle://scott:tiger@host/db").unwrap_err();
        let message = unknown.to_string();
        assert!(message.contains("unknown scheme `oracle`"), "{message}");
        assert!(!message.contains("tiger"), "{message}");
        let no_host = DatabaseUrl::parse("postgres://app:s3cret@/db")
            .unwrap_err()
            .to_string();
        assert!(no_host.contains("no host"), "{no_host}");
        assert!(!no_host.contains("s3cret"), "{no_host}");
        assert!(DatabaseUrl::parse("postgres:///db").is_err());
        assert!(DatabaseUrl::parse("  ").is_err());
    }
}
