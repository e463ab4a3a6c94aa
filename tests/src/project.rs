//! A throwaway cargo project with entities, driven through the real `cargo ff` binary.
//!
//! Projects live under `target/ff-tests/projects/` and share one target directory
//! (`target/ff-tests/project-target`), so ff and its dependencies are compiled once for all of
//! them. Each project is its own workspace and reuses ff's `Cargo.lock`. Like a user's crate, a
//! project depends on `ff-runtime` alone (no direct `diesel`): the code the derive generates
//! must compile that way.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::backends::unique_name;

/// The entities of a project with one entity, `Author` (`id`, `name` of up to 80 characters),
/// the start of most `cargo ff` tests.
pub const AUTHOR: &str = r#"
use ff_runtime::prelude::*;

#[derive(Debug, Clone, Entity)]
pub struct Author {
    pub id: i64,
    #[ff(length = 80)]
    pub name: String,
}
"#;

/// [`AUTHOR`] with a nullable `born`: a migration after it adds the column (one statement).
pub const AUTHOR_BORN: &str = r#"
use ff_runtime::prelude::*;

#[derive(Debug, Clone, Entity)]
pub struct Author {
    pub id: i64,
    #[ff(length = 80)]
    pub name: String,
    pub born: Option<i32>,
}
"#;

/// A cargo project made for one test; its directory is removed when it goes away.
pub struct TestProject {
    root: PathBuf,
    cargo_ff: PathBuf,
    database_url: String,
}

/// The output of one `cargo ff` run.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: Option<i32>,
    /// Standard output and standard error, one after the other.
    pub text: String,
}

impl Run {
    /// Panics unless the command exited with `code`.
    #[track_caller]
    pub fn expect_code(self, code: i32) -> Run {
        assert_eq!(
            self.code,
            Some(code),
            "unexpected exit code:\n{}",
            self.text
        );
        self
    }

    /// Panics unless the command succeeded.
    #[track_caller]
    pub fn ok(self) -> Run {
        self.expect_code(0)
    }

    /// Panics unless the output contains `needle`.
    #[track_caller]
    pub fn contains(self, needle: &str) -> Run {
        assert!(
            self.text.contains(needle),
            "expected {needle:?} in:\n{}",
            self.text
        );
        self
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the workspace")
        .to_owned()
}

impl TestProject {
    /// A new project whose `src/lib.rs` is `entities`, using `cargo_ff` (the binary's path)
    /// against `database_url`.
    pub fn new(cargo_ff: impl Into<PathBuf>, database_url: &str, entities: &str) -> TestProject {
        let workspace = workspace_root();
        // A name of its own: cargo would otherwise take one project's build for another's
        // (projects sharing a target directory are told apart by name and version).
        let name = unique_name();
        let root = workspace.join("target/ff-tests/projects").join(&name);
        std::fs::create_dir_all(root.join("src")).expect("create the project");
        let manifest = format!(
            r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
ff-runtime = {{ path = "{runtime}" }}
chrono = {{ version = "0.4", default-features = false, features = ["std", "clock"] }}
"#,
            runtime = workspace.join("ff-runtime").display(),
        );
        std::fs::write(root.join("Cargo.toml"), manifest).expect("write Cargo.toml");
        std::fs::copy(workspace.join("Cargo.lock"), root.join("Cargo.lock"))
            .expect("copy Cargo.lock");
        let project = TestProject {
            root,
            cargo_ff: cargo_ff.into(),
            database_url: database_url.to_owned(),
        };
        project.write_entities(entities);
        project
    }

    /// The project directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The migrations directory.
    pub fn migrations(&self) -> PathBuf {
        self.root.join("migrations")
    }

    /// The migration folders, oldest first.
    pub fn migration_folders(&self) -> Vec<PathBuf> {
        let mut folders: Vec<PathBuf> = std::fs::read_dir(self.migrations())
            .map(|entries| entries.map(|e| e.expect("read entry").path()).collect())
            .unwrap_or_default();
        folders.sort();
        folders
    }

    /// Replaces `src/lib.rs`.
    pub fn write_entities(&self, entities: &str) {
        std::fs::write(self.root.join("src/lib.rs"), entities).expect("write src/lib.rs");
    }

    /// For each (entities, message) in turn: writes the entities, then runs
    /// `cargo ff database create-migration -m <message>`, which must succeed.
    pub fn create_migrations(&self, steps: &[(&str, &str)]) {
        for (entities, message) in steps {
            self.write_entities(entities);
            self.cargo_ff(&["database", "create-migration", "-m", message])
                .ok();
        }
    }

    /// Writes a file relative to the project root.
    pub fn write(&self, path: &str, content: &str) {
        let path = self.root.join(path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create directory");
        }
        std::fs::write(path, content).expect("write file");
    }

    /// The environment `cargo ff` runs with in this project: its database and the shared
    /// target directory.
    pub fn envs(&self) -> [(&'static str, String); 2] {
        let target = workspace_root().join("target/ff-tests/project-target");
        [
            ("DATABASE_URL", self.database_url.clone()),
            ("CARGO_TARGET_DIR", target.display().to_string()),
        ]
    }

    /// A `cargo ff` command in the project, not yet run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.cargo_ff);
        command
            .arg("ff")
            .args(args)
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .envs(self.envs());
        command
    }

    /// Runs `cargo ff <args>` in the project.
    pub fn cargo_ff(&self, args: &[&str]) -> Run {
        let output = self.command(args).output().expect("run cargo-ff");
        run(&output)
    }
}

/// The exit code and text of a finished command.
pub fn run(output: &Output) -> Run {
    Run {
        code: output.status.code(),
        text: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

impl Drop for TestProject {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let _ = std::fs::remove_dir_all(&self.root);
        // The project's own build products; the dependencies stay for the next project.
        let name = self
            .root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned());
        let target = workspace_root().join("target/ff-tests/project-target/debug");
        for dir in ["deps", ".fingerprint", "incremental"] {
            let Ok(entries) = std::fs::read_dir(target.join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let file = entry.file_name().to_string_lossy().into_owned();
                if name.as_deref().is_some_and(|name| file.starts_with(name)) {
                    let path = entry.path();
                    let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
                }
            }
        }
    }
}
