//! The migrations directory: one folder per migration, read, checked and written.
//!
//! ```text
//! migrations/
//!   20261122143025_add_product/
//!     migration.json   the operations, their reverse, the parent, the message
//!     snapshot.json    the whole schema after the migration, and the format of the ff
//!                      that wrote it (see SNAPSHOT_FORMAT)
//!     up.sql           optional hand-written SQL run after the operations (every dialect)
//!     up.postgres.sql  optional, for one dialect (sqlite, postgres, mysql)
//!     down.sql         optional, run before the reverse operations
//! ```

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::{MigrationError, Result};
use super::format::{LEGACY_FORMAT, SNAPSHOT_FORMAT, format_of};
use super::operation::Operation;
use super::schema_set::Schema;
use crate::dialect::Backend;

/// The file holding a migration's operations.
pub const MIGRATION_FILE: &str = "migration.json";
/// The file holding the schema after a migration.
pub const SNAPSHOT_FILE: &str = "snapshot.json";

/// What `migration.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MigrationFile {
    /// The version: the folder's timestamp, `YYYYMMDDhhmmss`.
    pub version: String,
    /// What the migration does, as its author wrote it.
    pub message: String,
    /// The migration this one follows; `None` for the first.
    pub parent: Option<String>,
    /// The operations, in order.
    pub operations: Vec<Operation>,
    /// The operations that undo them, in order.
    pub reverse: Vec<Operation>,
    /// The destructive steps, described; `upgrade` asks for consent before running them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_loss: Vec<String>,
}

/// One migration folder, read.
#[derive(Debug, Clone)]
pub struct MigrationDir {
    /// The folder.
    pub path: PathBuf,
    /// `migration.json`.
    pub file: MigrationFile,
    /// The schema after the migration.
    pub snapshot: Schema,
    /// The format of the snapshot ([`LEGACY_FORMAT`] when it records none; see
    /// [`catch_up`](super::catch_up)).
    pub format: u32,
    /// Hand-written SQL files by name (`up.sql`, `down.mysql.sql`, …).
    pub sql: BTreeMap<String, String>,
    /// SHA-256 of every file of the folder, hex.
    pub checksum: String,
}

impl MigrationDir {
    /// The version (`20261122143025`).
    pub fn version(&self) -> &str {
        &self.file.version
    }

    /// The folder name (`20261122143025_add_product`).
    pub fn name(&self) -> String {
        folder_name(&self.path)
    }

    /// Hand-written SQL for `direction` ("up" or "down") on `backend`: the common file first,
    /// then the dialect's.
    pub fn hand_written_sql(&self, direction: &str, backend: Backend) -> Vec<&str> {
        [
            format!("{direction}.sql"),
            format!("{direction}.{}.sql", backend.name()),
        ]
        .iter()
        .filter_map(|name| self.sql.get(name))
        .map(|sql| sql.trim())
        .filter(|sql| !sql.is_empty())
        .collect()
    }

    /// Reads the folder at `path`: `migration.json`, `snapshot.json` and the SQL files.
    pub fn read(path: &Path) -> Result<MigrationDir> {
        let mut files = BTreeMap::new();
        let entries = fs::read_dir(path).map_err(|error| io("read", path, error))?;
        for entry in entries {
            let entry = entry.map_err(|error| io("read", path, error))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if is_migration_file(&name) {
                let content = fs::read_to_string(entry.path())
                    .map_err(|error| corrupt(path, format!("cannot read {name}: {error}")))?;
                files.insert(name, content);
            }
        }
        MigrationDir::parse(path, files)
    }

    /// Reads a migration from its files by name, as [`read`](Self::read) finds them in the
    /// folder at `path` (or as [`embed_migrations!`](crate::embed_migrations) compiled them).
    pub fn parse(path: &Path, mut files: BTreeMap<String, String>) -> Result<MigrationDir> {
        let mut take = |name: &str| {
            files
                .remove(name)
                .ok_or_else(|| corrupt(path, format!("cannot read {name}: it is missing")))
        };
        let migration_json = take(MIGRATION_FILE)?;
        let snapshot_json = take(SNAPSHOT_FILE)?;
        let file: MigrationFile = serde_json::from_str(&migration_json)
            .map_err(|error| corrupt(path, format!("{MIGRATION_FILE} does not parse: {error}")))?;
        let SnapshotFile { format, schema } = serde_json::from_str(&snapshot_json)
            .map_err(|error| corrupt(path, format!("{SNAPSHOT_FILE} does not parse: {error}")))?;
        let format = format.unwrap_or(LEGACY_FORMAT);
        if format > SNAPSHOT_FORMAT {
            return Err(MigrationError::NewerFormat {
                path: path.to_owned(),
                format,
            });
        }
        if !folder_name(path).starts_with(&file.version) {
            return Err(corrupt(
                path,
                format!(
                    "the folder name does not start with its version {}",
                    file.version
                ),
            ));
        }
        if let Some(name) = files.keys().find(|name| !is_sql_file(name)) {
            return Err(corrupt(
                path,
                format!(
                    "{name} is not a name ff runs: write up.sql or down.sql (every database), or up.<dialect>.sql / down.<dialect>.sql with sqlite, postgres or mysql"
                ),
            ));
        }
        let sql = files;
        let checksum = checksum(&migration_json, &snapshot_json, &sql);
        Ok(MigrationDir {
            path: path.to_owned(),
            file,
            snapshot: schema,
            format,
            sql,
            checksum,
        })
    }

    /// Writes a new migration folder under `directory` and reads it back. The snapshot records
    /// the oldest format that holds the migration ([`format_of`]).
    pub fn write(directory: &Path, file: &MigrationFile, snapshot: &Schema) -> Result<Self> {
        let path = directory.join(format!("{}_{}", file.version, slug(&file.message)));
        fs::create_dir_all(directory).map_err(|error| io("create", directory, error))?;
        // Never write over a folder: another run may have taken this version a moment ago.
        fs::create_dir(&path).map_err(|error| io("create", &path, error))?;
        let mut json = serde_json::to_string_pretty(file).expect("a migration serializes");
        json.push('\n');
        write(&path.join(MIGRATION_FILE), &json)?;
        let format = format_of(file, snapshot);
        write(&path.join(SNAPSHOT_FILE), &snapshot_json(snapshot, format))?;
        MigrationDir::read(&path)
    }
}

/// What `snapshot.json` holds: the format, then the schema's tables.
#[derive(Serialize, Deserialize)]
struct SnapshotFile {
    /// `None` in the snapshots of an ff that recorded no format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    format: Option<u32>,
    #[serde(flatten)]
    schema: Schema,
}

/// The snapshot as pretty JSON, recording `format`: byte-identical for the same schema.
fn snapshot_json(schema: &Schema, format: u32) -> String {
    let file = SnapshotFile {
        format: Some(format),
        schema: schema.snapshot(),
    };
    let mut json = serde_json::to_string_pretty(&file).expect("a schema always serializes");
    json.push('\n');
    json
}

/// Every migration of a directory, in the order they apply.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The migrations, parents before children.
    pub migrations: Vec<MigrationDir>,
}

/// A migrations directory read as far as it can be ([`History::survey`]).
#[derive(Debug, Default)]
pub struct Survey {
    /// The folders that read.
    pub history: History,
    /// The folders that do not, by folder name order.
    pub damaged: Vec<Damaged>,
    /// What is wrong with the links between the folders that read (divergent, missing or
    /// looping parents), unless a damaged folder explains it.
    pub problem: Option<MigrationError>,
}

/// A migration folder that cannot be read.
#[derive(Debug)]
pub struct Damaged {
    /// The folder name (`20261122143025_add_product`).
    pub name: String,
    /// Why it cannot be read, and the fix.
    pub error: MigrationError,
}

impl Damaged {
    /// The version its folder name starts with.
    pub fn version(&self) -> &str {
        &self.name[..VERSION_LEN]
    }
}

impl History {
    /// Reads and checks the migrations directory; a missing directory is an empty history.
    /// The first damaged folder or broken link stops it.
    pub fn load(directory: &Path) -> Result<History> {
        let (migrations, mut damaged) = read_folders(directory)?;
        if !damaged.is_empty() {
            return Err(damaged.swap_remove(0).error);
        }
        History::ordered(migrations)
    }

    /// Reads and checks migrations given as their folder paths and files by name, as
    /// [`load`](Self::load) does those of a directory: folders and files ff does not read are
    /// skipped, and the first damaged folder or broken link stops it.
    pub fn from_folders(
        folders: impl IntoIterator<Item = (PathBuf, BTreeMap<String, String>)>,
    ) -> Result<History> {
        let mut migrations = folders
            .into_iter()
            .filter(|(path, _)| is_migration_folder(&folder_name(path)))
            .map(|(path, mut files)| {
                files.retain(|name, _| is_migration_file(name));
                MigrationDir::parse(&path, files)
            })
            .collect::<Result<Vec<_>>>()?;
        migrations.sort_by_key(MigrationDir::name);
        History::ordered(migrations)
    }

    /// Reads the migrations directory as far as it can be read, for a report: the folders that
    /// read (in the order they apply when their links hold, else by version), each damaged
    /// folder with its error, and what is wrong with the links between them.
    pub fn survey(directory: &Path) -> Result<Survey> {
        let (migrations, damaged) = read_folders(directory)?;
        let (history, problem) = match History::ordered(migrations.clone()) {
            Ok(history) => (history, None),
            Err(error) => {
                // A link to a damaged folder is broken because of it: it is reported already.
                let caused_by_damage = matches!(&error, MigrationError::MissingParent { parent, .. }
                    if damaged.iter().any(|d| d.version() == parent));
                let problem = (!caused_by_damage).then_some(error);
                (History { migrations }, problem)
            }
        };
        Ok(Survey {
            history,
            damaged,
            problem,
        })
    }

    /// Orders migrations along their parent links, refusing gaps and divergent heads.
    fn ordered(migrations: Vec<MigrationDir>) -> Result<History> {
        let mut children: BTreeMap<Option<&str>, Vec<&MigrationDir>> = BTreeMap::new();
        for migration in &migrations {
            let parent = migration.file.parent.as_deref();
            if let Some(parent) = parent
                && !migrations.iter().any(|m| m.version() == parent)
            {
                return Err(MigrationError::MissingParent {
                    version: migration.version().to_owned(),
                    parent: parent.to_owned(),
                });
            }
            children.entry(parent).or_default().push(migration);
        }
        if let Some((parent, split)) = children.iter().find(|(_, next)| next.len() > 1) {
            return Err(MigrationError::DivergentHeads {
                parent: parent.map(str::to_owned),
                children: split.iter().map(|m| m.name()).collect(),
            });
        }
        let mut ordered = Vec::with_capacity(migrations.len());
        let mut parent: Option<&str> = None;
        while let Some([next]) = children.get(&parent).map(Vec::as_slice) {
            ordered.push((*next).clone());
            parent = Some(next.version());
        }
        if ordered.len() != migrations.len() {
            let stray = migrations
                .iter()
                .find(|m| !ordered.iter().any(|o| o.version() == m.version()))
                .expect("a migration is outside the chain");
            return Err(MigrationError::Corrupt {
                path: stray.path.clone(),
                reason: "its parent chain loops back on itself".into(),
            });
        }
        Ok(History {
            migrations: ordered,
        })
    }

    /// The last migration.
    pub fn head(&self) -> Option<&MigrationDir> {
        self.migrations.last()
    }

    /// The schema after the last migration (empty before the first).
    pub fn head_schema(&self) -> Schema {
        self.head().map(|m| m.snapshot.clone()).unwrap_or_default()
    }

    /// The schema before the migration at `index`.
    pub fn schema_before(&self, index: usize) -> Schema {
        index
            .checked_sub(1)
            .map(|parent| self.migrations[parent].snapshot.clone())
            .unwrap_or_default()
    }

    /// The position of the migration named by `revision`: its version, its folder name, or a
    /// unique prefix of either.
    pub fn position(&self, revision: &str) -> Result<usize> {
        let exact = self
            .migrations
            .iter()
            .position(|m| m.version() == revision || m.name() == revision);
        if let Some(index) = exact {
            return Ok(index);
        }
        let matches: Vec<usize> = self
            .migrations
            .iter()
            .enumerate()
            .filter(|(_, m)| !revision.is_empty() && m.name().starts_with(revision))
            .map(|(index, _)| index)
            .collect();
        match matches.as_slice() {
            [index] => Ok(*index),
            [] => Err(MigrationError::UnknownRevision {
                revision: revision.to_owned(),
                known: self.migrations.iter().map(MigrationDir::name).collect(),
            }),
            _ => Err(MigrationError::AmbiguousRevision {
                revision: revision.to_owned(),
                matches: matches
                    .iter()
                    .map(|&index| self.migrations[index].name())
                    .collect(),
            }),
        }
    }

    /// How many migrations are applied when the database stands at `revision`: `base` (none),
    /// `head` (all), or a migration as [`position`](Self::position) finds it.
    pub fn count_through(&self, revision: &str) -> Result<usize> {
        match revision {
            "base" => Ok(0),
            "head" => Ok(self.migrations.len()),
            _ => Ok(self.position(revision)? + 1),
        }
    }

    /// A version for a migration created now: the UTC time, moved past the head if needed.
    pub fn next_version(&self, now: chrono::DateTime<chrono::Utc>) -> String {
        let mut version = now.format("%Y%m%d%H%M%S").to_string();
        if let Some(head) = self.head()
            && version.as_str() <= head.version()
        {
            let head: u64 = head.version().parse().unwrap_or(0);
            version = (head + 1).to_string();
        }
        version
    }
}

/// Every migration folder of `directory` in version order: those that read, and those that do
/// not; a missing directory has none.
fn read_folders(directory: &Path) -> Result<(Vec<MigrationDir>, Vec<Damaged>)> {
    if !directory.exists() {
        return Ok((Vec::new(), Vec::new()));
    }
    let entries = fs::read_dir(directory).map_err(|error| io("read", directory, error))?;
    let mut folders = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|error| io("read", directory, error))?;
        let path = entry.path();
        if path.is_dir() && is_migration_folder(&folder_name(&path)) {
            folders.push(path);
        }
    }
    folders.sort();
    let mut migrations = Vec::new();
    let mut damaged = Vec::new();
    for path in folders {
        match MigrationDir::read(&path) {
            Ok(migration) => migrations.push(migration),
            Err(error) => damaged.push(Damaged {
                name: folder_name(&path),
                error,
            }),
        }
    }
    Ok((migrations, damaged))
}

/// The checksum of a migration's files.
fn checksum(migration: &str, snapshot: &str, sql: &BTreeMap<String, String>) -> String {
    let mut hasher = Sha256::new();
    for (name, content) in [(MIGRATION_FILE, migration), (SNAPSHOT_FILE, snapshot)]
        .into_iter()
        .chain(sql.iter().map(|(name, sql)| (name.as_str(), sql.as_str())))
    {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(content.as_bytes());
        hasher.update([0]);
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// `add product!` → `add_product`.
pub fn slug(message: &str) -> String {
    let mut slug = String::new();
    for c in message.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('_') && !slug.is_empty() {
            slug.push('_');
        }
    }
    let slug = slug.trim_end_matches('_');
    let slug: String = slug.chars().take(60).collect();
    if slug.is_empty() {
        "migration".into()
    } else {
        slug
    }
}

/// The length of a version, `YYYYMMDDhhmmss`.
const VERSION_LEN: usize = 14;

fn is_migration_folder(name: &str) -> bool {
    name.len() > VERSION_LEN + 1
        && name.as_bytes()[..VERSION_LEN]
            .iter()
            .all(u8::is_ascii_digit)
        && name.as_bytes()[VERSION_LEN] == b'_'
}

/// Whether a migration folder's file is one ff reads: its two JSON files and every `.sql`
/// file (a misnamed one is refused when read).
fn is_migration_file(name: &str) -> bool {
    name == MIGRATION_FILE || name == SNAPSHOT_FILE || name.ends_with(".sql")
}

fn is_sql_file(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".sql") else {
        return false;
    };
    let direction = stem.split('.').next().unwrap_or_default();
    (direction == "up" || direction == "down")
        && match stem.split_once('.') {
            None => true,
            Some((_, dialect)) => Backend::ALL.iter().any(|b| b.name() == dialect),
        }
}

fn folder_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn write(path: &Path, content: &str) -> Result<()> {
    fs::write(path, content).map_err(|error| io("write", path, error))
}

fn corrupt(path: &Path, reason: String) -> MigrationError {
    MigrationError::Corrupt {
        path: path.to_owned(),
        reason,
    }
}

fn io(action: &'static str, path: &Path, source: std::io::Error) -> MigrationError {
    MigrationError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_words_and_drop_punctuation() {
        assert_eq!(slug("Add product!"), "add_product");
        assert_eq!(slug("  --  "), "migration");
        assert_eq!(
            slug("Rename Category.name → title"),
            "rename_category_name_title"
        );
    }

    #[test]
    fn only_up_and_down_sql_files_for_known_dialects_are_hand_written_sql() {
        assert!(is_sql_file("up.sql"));
        assert!(is_sql_file("down.mysql.sql"));
        assert!(!is_sql_file("up.oracle.sql"));
        assert!(!is_sql_file("notes.sql"));
    }

    #[test]
    fn versions_follow_the_head_even_within_one_second() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-22T14:30:25Z")
            .unwrap()
            .to_utc();
        assert_eq!(History::default().next_version(now), "20261122143025");
    }

    #[test]
    fn a_migration_folder_is_written_once_and_read_back() {
        let directory = std::env::temp_dir().join(format!("ff-history-{}", std::process::id()));
        let _ = fs::remove_dir_all(&directory);
        let file = MigrationFile {
            version: "20261122143025".into(),
            message: "Add product".into(),
            parent: None,
            operations: Vec::new(),
            reverse: Vec::new(),
            data_loss: Vec::new(),
        };
        let written = MigrationDir::write(&directory, &file, &Schema::default()).unwrap();
        assert_eq!(written.name(), "20261122143025_add_product");
        assert_eq!(written.file, file);
        let again = MigrationDir::write(&directory, &file, &Schema::default());
        assert!(matches!(
            again,
            Err(MigrationError::Io {
                action: "create",
                ..
            })
        ));
        let history = History::load(&directory).unwrap();
        assert_eq!(history.migrations.len(), 1);
        assert_eq!(history.migrations[0].checksum, written.checksum);
        // Without partial indexes, the format that ff versions before them read too.
        assert_eq!(written.format, 2);
        fs::remove_dir_all(&directory).unwrap();
    }

    /// Three chained migrations with no operations in a fresh directory.
    fn three_migrations(name: &str) -> (PathBuf, Vec<MigrationDir>) {
        let directory = std::env::temp_dir().join(format!("ff-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&directory);
        let mut written: Vec<MigrationDir> = Vec::new();
        for (version, message) in [
            ("20261122143025", "authors"),
            ("20261122150000", "books"),
            ("20261123090000", "shelves"),
        ] {
            let file = MigrationFile {
                version: version.into(),
                message: message.into(),
                parent: written.last().map(|m| m.version().to_owned()),
                operations: Vec::new(),
                reverse: Vec::new(),
                data_loss: Vec::new(),
            };
            written.push(MigrationDir::write(&directory, &file, &Schema::default()).unwrap());
        }
        (directory, written)
    }

    #[test]
    fn revisions_are_versions_folder_names_or_a_start_that_tells_them_apart() {
        let (directory, written) = three_migrations("revisions");
        let history = History::load(&directory).unwrap();
        assert_eq!(history.position("20261122150000").unwrap(), 1);
        assert_eq!(history.position("20261123090000_shelves").unwrap(), 2);
        assert_eq!(history.position("20261123").unwrap(), 2);
        assert_eq!(history.count_through("base").unwrap(), 0);
        assert_eq!(history.count_through("head").unwrap(), 3);
        assert_eq!(history.count_through("20261122143025").unwrap(), 1);
        let ambiguous = history.position("20261122").unwrap_err().to_string();
        assert!(
            ambiguous.contains("`20261122` is ambiguous")
                && ambiguous.contains("20261122143025_authors"),
            "{ambiguous}"
        );
        assert!(history.position("2026112215").is_ok(), "one starts so");
        let unknown = history.position("books").unwrap_err().to_string();
        assert!(
            unknown.contains("unknown revision `books`")
                && written.iter().all(|m| unknown.contains(&m.name()))
                && unknown.contains("cargo ff database history"),
            "{unknown}"
        );
        let none = History::default().position("x").unwrap_err().to_string();
        assert!(
            none.contains("the migrations directory has no migrations"),
            "{none}"
        );
        fs::remove_dir_all(&directory).unwrap();
    }

    #[test]
    fn a_survey_reports_each_damaged_folder_and_keeps_the_others() {
        let (directory, written) = three_migrations("survey");
        fs::remove_file(written[1].path.join(SNAPSHOT_FILE)).unwrap();
        assert!(matches!(
            History::load(&directory),
            Err(MigrationError::Corrupt { .. })
        ));
        let survey = History::survey(&directory).unwrap();
        let kept: Vec<String> = survey.history.migrations.iter().map(|m| m.name()).collect();
        assert_eq!(kept, [written[0].name(), written[2].name()]);
        assert_eq!(survey.damaged.len(), 1);
        assert_eq!(survey.damaged[0].name, written[1].name());
        assert_eq!(survey.damaged[0].version(), "20261122150000");
        // The link from the third to the damaged second is no problem of its own.
        assert!(survey.problem.is_none(), "{:?}", survey.problem);
        fs::remove_dir_all(&directory).unwrap();
    }

    #[test]
    fn folders_given_as_files_read_as_on_disk_and_skip_what_ff_does_not_read() {
        let (directory, written) = three_migrations("from-folders");
        let as_files = |path: &Path| -> (PathBuf, BTreeMap<String, String>) {
            let files = fs::read_dir(path)
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .map(|file| {
                    let name = folder_name(&file);
                    (name, fs::read_to_string(&file).unwrap())
                })
                .collect();
            (path.to_owned(), files)
        };
        let mut folders: Vec<_> = written.iter().rev().map(|m| as_files(&m.path)).collect();
        folders[0].1.insert("notes.md".into(), "ignored".into());
        folders.push((directory.join("drafts"), BTreeMap::new()));
        let history = History::from_folders(folders.clone()).unwrap();
        let read = |h: &History| -> Vec<(String, String)> {
            h.migrations
                .iter()
                .map(|m| (m.name(), m.checksum.clone()))
                .collect()
        };
        assert_eq!(read(&history), read(&History::load(&directory).unwrap()));

        folders[1].1.remove(SNAPSHOT_FILE);
        let error = History::from_folders(folders).unwrap_err().to_string();
        assert!(
            error.contains(&written[1].name()) && error.contains("cannot read snapshot.json"),
            "{error}"
        );
        fs::remove_dir_all(&directory).unwrap();
    }

    #[test]
    fn a_snapshot_records_its_format_and_one_without_is_legacy() {
        let directory =
            std::env::temp_dir().join(format!("ff-history-format-{}", std::process::id()));
        let _ = fs::remove_dir_all(&directory);
        let file = MigrationFile {
            version: "20261122143025".into(),
            message: "initial".into(),
            parent: None,
            operations: Vec::new(),
            reverse: Vec::new(),
            data_loss: Vec::new(),
        };
        let written = MigrationDir::write(&directory, &file, &Schema::default()).unwrap();
        let snapshot = written.path.join(SNAPSHOT_FILE);
        assert_eq!(
            fs::read_to_string(&snapshot).unwrap(),
            "{\n  \"format\": 2,\n  \"tables\": []\n}\n"
        );
        // As an earlier ff wrote it.
        fs::write(&snapshot, Schema::default().to_json()).unwrap();
        assert_eq!(
            MigrationDir::read(&written.path).unwrap().format,
            LEGACY_FORMAT
        );
        fs::write(&snapshot, "{\"format\": 99, \"tables\": []}").unwrap();
        let error = MigrationDir::read(&written.path).unwrap_err();
        assert!(
            matches!(error, MigrationError::NewerFormat { format: 99, .. }),
            "{error}"
        );
        fs::remove_dir_all(&directory).unwrap();
    }
}
