//! The `[database]` settings of `ff.toml`, the environment and `.env`, merged into one
//! [`Config`] that also says where each setting came from.
//!
//! ```toml
//! # ff.toml
//! [database]
//! url = "${DATABASE_URL}"   # ${NAME} is read from the environment, then from .env
//! echo = true               # false, true (statements) or "binds" (statements and bind values)
//! pool_size = 5
//! connect_timeout = 30      # seconds
//! statement_cache = true    # false behind PgBouncer in transaction mode
//! ```
//!
//! `DATABASE_URL` in the environment wins over `.env`, which wins over `ff.toml`.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::echo::Echo;
use crate::error::{Error, Result};

/// The name of the settings file, looked for in the current directory and its parents.
pub const CONFIG_FILE: &str = "ff.toml";

/// The variable holding the database URL, in the environment or in `.env`.
pub const DATABASE_URL: &str = "DATABASE_URL";

const DEFAULT_POOL_SIZE: u32 = 5;
const DEFAULT_CONNECT_TIMEOUT: u64 = 30;

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The process environment.
    Environment,
    /// This `.env` file.
    DotEnv(PathBuf),
    /// This `ff.toml` file.
    ConfigFile(PathBuf),
    /// ff's default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Environment => f.write_str("environment"),
            Source::DotEnv(path) | Source::ConfigFile(path) => write!(f, "{}", path.display()),
            Source::Default => f.write_str("default"),
        }
    }
}

/// A setting's value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    /// The value in effect.
    pub value: T,
    /// Where it was read.
    pub source: Source,
}

/// The database settings in effect: `DATABASE_URL` from the environment or `.env`, else the
/// `[database]` section of the nearest `ff.toml`, else the defaults.
///
/// A connection uses `url`, `echo` and `statement_cache`; the pools ([`Pool`](crate::Pool),
/// and `AsyncPool` with the `async` feature) also `pool_size` and `connect_timeout`.
///
/// ```
/// let config = ff_runtime::Config::load()?;
/// println!("echo: {:?} (from {})", config.echo.value, config.echo.source);
/// # Ok::<(), ff_runtime::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    /// The database URL, `None` when none is set anywhere.
    pub url: Option<Setting<String>>,
    /// Which statements are logged through `tracing`.
    pub echo: Setting<Echo>,
    /// The most connections [`Pool::from_env`](crate::Pool::from_env) opens.
    pub pool_size: Setting<u32>,
    /// How many seconds a pool waits for a free connection, or to open one.
    pub connect_timeout: Setting<u64>,
    /// Whether connections keep their statements prepared on the server for reuse; see
    /// [`Connection::set_statement_cache`](crate::Connection::set_statement_cache).
    pub statement_cache: Setting<bool>,
    /// The `ff.toml` that was read, if any.
    pub file: Option<PathBuf>,
    /// The `.env` file that was read, if any.
    pub env_file: Option<PathBuf>,
}

/// `ff.toml` as the runtime reads it: the other keys belong to `cargo ff`.
#[derive(Debug, Default, Deserialize)]
struct ConfigFile {
    database: Option<DatabaseSection>,
}

/// The `[database]` section.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseSection {
    url: Option<String>,
    echo: Option<EchoValue>,
    pool_size: Option<i64>,
    connect_timeout: Option<i64>,
    statement_cache: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum EchoValue {
    Flag(bool),
    Word(String),
}

impl Config {
    /// The settings for the current directory: the nearest `ff.toml` and `.env` in it or its
    /// parents, and the environment.
    pub fn load() -> Result<Config> {
        let dir = std::env::current_dir().map_err(|error| Error::Config {
            file: PathBuf::from(CONFIG_FILE),
            reason: format!("no current directory to look for it in: {error}"),
        })?;
        Config::load_from(&dir)
    }

    /// The settings for `dir`: the nearest `ff.toml` and `.env` in it or its parents, and the
    /// environment.
    pub fn load_from(dir: &Path) -> Result<Config> {
        let file = nearest(dir, CONFIG_FILE);
        let env_file = nearest(dir, ".env");
        let dot_env = match &env_file {
            Some(path) => read_dot_env(path)?,
            None => HashMap::new(),
        };
        let lookup = |name: &str| -> Option<(String, Source)> {
            if let Ok(value) = std::env::var(name) {
                return Some((value, Source::Environment));
            }
            let path = env_file.clone()?;
            dot_env
                .get(name)
                .map(|value| (value.clone(), Source::DotEnv(path)))
        };
        let section = match &file {
            Some(path) => read_section(path)?,
            None => DatabaseSection::default(),
        };
        let url = match lookup(DATABASE_URL) {
            Some((value, source)) => Some(Setting { value, source }),
            None => match (&section.url, &file) {
                (Some(url), Some(path)) => Some(Setting {
                    value: expand(url, path, &lookup)?,
                    source: Source::ConfigFile(path.clone()),
                }),
                _ => None,
            },
        };
        let echo = section
            .echo
            .map(|value| parse_echo(value, file.as_deref()))
            .transpose()?;
        let pool_size = section
            .pool_size
            .map(|size| positive(size, "pool_size", file.as_deref()))
            .transpose()?;
        let connect_timeout = section
            .connect_timeout
            .map(|seconds| positive(seconds, "connect_timeout", file.as_deref()))
            .transpose()?;
        let echo = file_or_default(echo, Echo::Off, &file);
        let pool_size = file_or_default(pool_size, DEFAULT_POOL_SIZE, &file);
        let connect_timeout = file_or_default(connect_timeout, DEFAULT_CONNECT_TIMEOUT, &file);
        let statement_cache = file_or_default(section.statement_cache, true, &file);
        Ok(Config {
            url,
            echo,
            pool_size,
            connect_timeout,
            statement_cache,
            file,
            env_file,
        })
    }

    /// The database URL, or [`Error::MissingDatabaseUrl`] when none is set.
    pub fn database_url(&self) -> Result<&str> {
        self.url
            .as_ref()
            .map(|url| url.value.as_str())
            .ok_or(Error::MissingDatabaseUrl)
    }
}

/// `value` read from `file`, or else the default.
fn file_or_default<T>(value: Option<T>, default: T, file: &Option<PathBuf>) -> Setting<T> {
    match (value, file) {
        (Some(value), Some(file)) => Setting {
            value,
            source: Source::ConfigFile(file.clone()),
        },
        _ => Setting {
            value: default,
            source: Source::Default,
        },
    }
}

/// `name` in `dir` or the nearest of its parents.
fn nearest(dir: &Path, name: &str) -> Option<PathBuf> {
    dir.ancestors()
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

fn config_error(file: &Path, reason: impl Into<String>) -> Error {
    Error::Config {
        file: file.to_owned(),
        reason: reason.into(),
    }
}

/// The variables of a `.env` file, without putting them in the environment.
fn read_dot_env(path: &Path) -> Result<HashMap<String, String>> {
    let entries = dotenvy::from_path_iter(path)
        .map_err(|error| config_error(path, format!("cannot read it: {error}")))?;
    entries
        .map(|entry| entry.map_err(|error| config_error(path, format!("does not parse: {error}"))))
        .collect()
}

fn read_section(path: &Path) -> Result<DatabaseSection> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| config_error(path, format!("cannot read it: {error}")))?;
    let file: ConfigFile = toml::from_str(&text)
        .map_err(|error| config_error(path, format!("is invalid: {error}")))?;
    Ok(file.database.unwrap_or_default())
}

fn parse_echo(value: EchoValue, file: Option<&Path>) -> Result<Echo> {
    match value {
        EchoValue::Flag(true) => Ok(Echo::Statements),
        EchoValue::Flag(false) => Ok(Echo::Off),
        EchoValue::Word(word) if word == "binds" => Ok(Echo::WithBinds),
        EchoValue::Word(word) => Err(config_error(
            file.unwrap_or(Path::new(CONFIG_FILE)),
            format!(
                "[database] echo = \"{word}\" is not understood: write true, false or \"binds\""
            ),
        )),
    }
}

fn positive<T: TryFrom<i64>>(value: i64, key: &str, file: Option<&Path>) -> Result<T> {
    T::try_from(value)
        .ok()
        .filter(|_| value > 0)
        .ok_or_else(|| {
            config_error(
                file.unwrap_or(Path::new(CONFIG_FILE)),
                format!(
                    "[database] {key} = {value} is out of range: write a whole number from 1 up"
                ),
            )
        })
}

/// `url` with every `${NAME}` replaced by that variable's value.
fn expand(
    url: &str,
    file: &Path,
    lookup: &impl Fn(&str) -> Option<(String, Source)>,
) -> Result<String> {
    let mut expanded = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(start) = rest.find("${") {
        expanded.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let name = after
            .find('}')
            .map(|end| &after[..end])
            .filter(|name| {
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
            .ok_or_else(|| {
                config_error(
                    file,
                    "[database] url has a `${` without a variable name and `}`: write ${NAME}",
                )
            })?;
        let (value, _) = lookup(name).ok_or_else(|| {
            config_error(
                file,
                format!(
                    "[database] url names ${{{name}}}, but {name} is not set: export it or put it in a .env file"
                ),
            )
        })?;
        expanded.push_str(&value);
        rest = &after[name.len() + 1..];
    }
    expanded.push_str(rest);
    Ok(expanded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(name: &str) -> Option<(String, Source)> {
        (name == "HOST_É").then(|| ("db.example".to_owned(), Source::Environment))
    }

    #[test]
    fn variables_are_expanded() {
        let file = Path::new("ff.toml");
        let url = expand("postgres://u@${HOST_É}/shop", file, &lookup);
        // Only ASCII names are variables.
        assert!(url.unwrap_err().to_string().contains("write ${NAME}"));
        let lookup = |name: &str| (name == "HOST").then(|| ("h".to_owned(), Source::Environment));
        assert_eq!(
            expand("postgres://${HOST}/${HOST}$x", file, &lookup).unwrap(),
            "postgres://h/h$x"
        );
        let missing = expand("${NOPE}", file, &lookup).unwrap_err().to_string();
        assert!(missing.contains("NOPE is not set"), "{missing}");
        assert!(expand("${HOST", file, &lookup).is_err());
    }

    #[test]
    fn echo_and_numbers_are_checked() {
        assert_eq!(
            parse_echo(EchoValue::Flag(true), None).unwrap(),
            Echo::Statements
        );
        assert_eq!(
            parse_echo(EchoValue::Word("binds".into()), None).unwrap(),
            Echo::WithBinds
        );
        let wrong = parse_echo(EchoValue::Word("loud".into()), None).unwrap_err();
        assert!(wrong.to_string().contains("\"binds\""), "{wrong}");
        assert!(positive::<u32>(0, "pool_size", None).is_err());
        assert!(positive::<u32>(1 << 40, "pool_size", None).is_err());
        assert_eq!(positive::<u64>(7, "connect_timeout", None).unwrap(), 7);
    }
}
