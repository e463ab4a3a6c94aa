//! The project `cargo ff` works on: its root, its optional `ff.toml`, and its entities.
//!
//! ```toml
//! # ff.toml (every key optional)
//! migrations = "migrations"      # where migration folders live, relative to the root
//! package = "shop"               # the cargo package that holds the entities
//! target = "lib"                 # "lib", or "bin:<name>" for a binary crate
//! features = ["mysql"]           # cargo features to build the entities with
//! entities = "src/entities"      # where `cargo ff create entity` writes entities
//! ignore = ["ix_search"]         # tables, indexes, constraints ff does not manage
//!
//! [database]                     # read by ff_runtime::Config: url, echo, pool_size, connect_timeout
//! url = "${DATABASE_URL}"
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;

use ff_runtime::migration::{DUMP_DIR_VAR, DUMP_TEST_PREFIX, Schema};
use ff_runtime::schema::TableDef;
use serde::Deserialize;

use crate::output::CommandError;
use crate::progress::run_showing_build;

/// The settings of `ff.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The migrations directory, relative to the project root.
    pub migrations: Option<PathBuf>,
    /// The cargo package holding the entities.
    pub package: Option<String>,
    /// `lib` or `bin:<name>`.
    pub target: Option<String>,
    /// Cargo features to enable when reading the entities.
    #[serde(default)]
    pub features: Vec<String>,
    /// Where `create entity` writes entity files, relative to the root (default `src/entities`).
    pub entities: Option<PathBuf>,
    /// Names of tables, indexes and constraints that ff does not manage: drift checks skip
    /// them.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// The `[database]` section, read and checked by [`ff_runtime::Config`].
    #[serde(default, rename = "database")]
    _database: toml::Table,
}

/// A project: the directory with `ff.toml` or `Cargo.toml`, and its settings.
#[derive(Debug)]
pub struct Project {
    /// The project root.
    pub root: PathBuf,
    /// The settings.
    pub config: Config,
}

impl Project {
    /// The project around the current directory: the nearest ancestor with an `ff.toml`, else
    /// the nearest with a `Cargo.toml`.
    pub fn discover() -> Result<Project, CommandError> {
        let cwd = std::env::current_dir()
            .map_err(|error| CommandError::Project(format!("no current directory: {error}")))?;
        let find = |file: &str| cwd.ancestors().find(|dir| dir.join(file).is_file());
        let root = find("ff.toml")
            .or_else(|| find("Cargo.toml"))
            .ok_or_else(|| {
                CommandError::Project(format!(
                    "no Cargo.toml in {} or above: run cargo ff inside your project",
                    cwd.display()
                ))
            })?;
        let config_path = root.join("ff.toml");
        let config = if config_path.is_file() {
            let text = std::fs::read_to_string(&config_path).map_err(|error| {
                CommandError::Project(format!("cannot read {}: {error}", config_path.display()))
            })?;
            toml::from_str(&text).map_err(|error| {
                CommandError::Project(format!("{} is invalid: {error}", config_path.display()))
            })?
        } else {
            Config::default()
        };
        if config.ignore.iter().any(|name| name.trim().is_empty()) {
            return Err(CommandError::Project(format!(
                "{}: `ignore` lists an empty name: remove it, or write the name of a table, index or constraint",
                config_path.display()
            )));
        }
        Ok(Project {
            root: root.to_owned(),
            config,
        })
    }

    /// The migrations directory.
    pub fn migrations_dir(&self) -> PathBuf {
        self.root.join(
            self.config
                .migrations
                .as_deref()
                .unwrap_or(Path::new("migrations")),
        )
    }

    /// Where the emitted entity schemas are cached, for every project sharing the target
    /// directory.
    fn metadata_dir(&self) -> PathBuf {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| self.root.join("target"));
        let target = if target.is_absolute() {
            target
        } else {
            self.root.join(target)
        };
        target.join("ff").join("metadata")
    }

    /// This project's entry in the cache: projects sharing a target directory do not mix.
    pub fn project_metadata_dir(&self) -> PathBuf {
        let mut hasher = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(&self.root, &mut hasher);
        let name = self
            .root
            .file_name()
            .map_or("project".into(), |n| n.to_string_lossy().into_owned());
        self.metadata_dir().join(format!(
            "{name}-{:016x}",
            std::hash::Hasher::finish(&hasher)
        ))
    }

    /// The schema the entities declare, read by running their schema-dump tests into a fresh
    /// directory (so a deleted entity cannot linger, and two runs at once do not mix), which
    /// then replaces this project's entry in the cache.
    pub fn entity_schema(&self) -> Result<Schema, CommandError> {
        let cached = self.project_metadata_dir();
        let mut staging = cached.clone().into_os_string();
        staging.push(format!(".{}", std::process::id()));
        let dir = PathBuf::from(staging);
        clear_dir(&dir)?;
        std::fs::create_dir_all(&dir).map_err(|error| {
            CommandError::Project(format!("cannot create {}: {error}", dir.display()))
        })?;
        let schema = self.dump_entities(&dir);
        if schema.is_ok() {
            clear_dir(&cached)?;
            // Another run may have just put its own (identical) entry in place.
            if std::fs::rename(&dir, &cached).is_err() {
                clear_dir(&dir)?;
            }
        } else {
            clear_dir(&dir)?;
        }
        schema
    }

    fn dump_entities(&self, dir: &Path) -> Result<Schema, CommandError> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .current_dir(&self.root)
            .args(["test"])
            .env(DUMP_DIR_VAR, dir);
        if let Some(package) = &self.config.package {
            command.args(["--package", package]);
        }
        match self.config.target.as_deref() {
            None if self.root.join("src/lib.rs").is_file() => command.arg("--lib"),
            None | Some("bins") => command.arg("--bins"),
            Some("lib") => command.arg("--lib"),
            Some(target) => match target.strip_prefix("bin:") {
                Some(bin) => command.args(["--bin", bin]),
                None => {
                    return Err(CommandError::Project(format!(
                        "ff.toml: target = \"{target}\" is not understood: write \"lib\" or \"bin:<name>\""
                    )));
                }
            },
        };
        if !self.config.features.is_empty() {
            command.args(["--features", &self.config.features.join(",")]);
        }
        command.args(["--", DUMP_TEST_PREFIX, "--test-threads=1"]);
        eprintln!("Reading entities (cargo test {DUMP_TEST_PREFIX}…)");
        let output = run_showing_build(&mut command, "Reading entities").map_err(|error| {
            CommandError::Project(format!("cannot run cargo to read the entities: {error}"))
        })?;
        if !output.status.success() {
            return Err(CommandError::Project(format!(
                "reading the entities failed (cargo test exited with {}):\n{}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        read_tables(dir)
    }
}

/// Reads every `<table>.json` of the metadata cache.
fn read_tables(dir: &Path) -> Result<Schema, CommandError> {
    let entries = std::fs::read_dir(dir).map_err(|error| {
        CommandError::Project(format!("cannot read {}: {error}", dir.display()))
    })?;
    let mut tables = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|error| {
                CommandError::Project(format!("cannot read {}: {error}", dir.display()))
            })?
            .path();
        if path.extension().is_some_and(|ext| ext == "json") {
            let text = std::fs::read_to_string(&path).map_err(|error| {
                CommandError::Project(format!("cannot read {}: {error}", path.display()))
            })?;
            let table: TableDef = serde_json::from_str(&text).map_err(|error| {
                CommandError::Project(format!(
                    "{} does not parse ({error}): run `cargo ff database clear-metadata` and try again",
                    path.display()
                ))
            })?;
            tables.push(table);
        }
    }
    Ok(Schema::new(tables))
}

/// Removes a directory and everything in it; a missing one is fine.
pub fn clear_dir(dir: &Path) -> Result<(), CommandError> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(CommandError::Project(format!(
            "cannot remove {}: {error}",
            dir.display()
        ))),
    }
}
