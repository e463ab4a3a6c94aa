//! Where entity files go and how they are declared: `src/entities/<name>.rs`, declared by
//! `pub mod <name>;` in `src/entities/mod.rs`, itself declared by `pub mod entities;` in the
//! crate root (`src/lib.rs`, else `src/main.rs`).

use std::path::{Component, Path, PathBuf};

use super::names::is_keyword;
use super::source::add_mod_declaration;

/// The default entities directory, relative to the project root.
pub const DEFAULT_DIR: &str = "src/entities";

/// A file to write: its path and its new content.
#[derive(Debug)]
pub struct Write {
    /// The file.
    pub path: PathBuf,
    /// Its whole new content.
    pub text: String,
    /// Whether it exists already.
    pub exists: bool,
}

/// The entities directory of a project.
#[derive(Debug)]
pub struct Layout {
    /// The directory, absolute.
    pub dir: PathBuf,
    /// The `src` directory of the crate it is in.
    src: PathBuf,
}

impl Layout {
    /// The entities directory `relative` (from ff.toml, else `src/entities`) under `root`:
    /// a directory somewhere under a crate's `src`, named by module names.
    pub fn new(root: &Path, relative: Option<&Path>) -> Result<Layout, String> {
        let relative = relative.unwrap_or(Path::new(DEFAULT_DIR));
        let fix = "write e.g. entities = \"src/entities\" (a directory under the crate's src)";
        let parts: Vec<&str> = relative
            .components()
            .map(|part| match part {
                Component::Normal(name) => name.to_str().ok_or(()),
                _ => Err(()),
            })
            .collect::<Result<_, _>>()
            .map_err(|()| {
                format!("ff.toml: entities = {relative:?} is not a relative path: {fix}")
            })?;
        let Some(src) = parts.iter().rposition(|part| *part == "src") else {
            return Err(format!(
                "ff.toml: entities = {relative:?} is not under a src directory: {fix}"
            ));
        };
        for module in &parts[src + 1..] {
            let ident = !module.is_empty()
                && module
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !module.starts_with(|c: char| c.is_ascii_digit());
            if !ident || is_keyword(module) {
                return Err(format!(
                    "ff.toml: entities = {relative:?}: `{module}` cannot name a Rust module: {fix}"
                ));
            }
        }
        Ok(Layout {
            dir: root.join(relative),
            src: root.join(parts[..=src].iter().collect::<PathBuf>()),
        })
    }

    /// The `src` directory of the crate.
    pub fn src(&self) -> &Path {
        &self.src
    }

    /// The directory of the crate (with its Cargo.toml).
    pub fn crate_dir(&self) -> &Path {
        self.src.parent().unwrap_or(&self.src)
    }

    /// The file of the entity whose module is `module`.
    pub fn file(&self, module: &str) -> PathBuf {
        self.dir.join(format!("{module}.rs"))
    }

    /// The edits that declare `module` in the entities directory, and each directory in its
    /// parent up to the crate root; nothing for declarations already there.
    pub fn declare(&self, module: &str) -> Result<Vec<Write>, String> {
        let mut writes = Vec::new();
        let mut dir = self.dir.clone();
        let mut module = module.to_owned();
        loop {
            let file = self.module_file(&dir)?;
            let exists = file.is_file();
            let text = if exists {
                std::fs::read_to_string(&file)
                    .map_err(|error| format!("cannot read {}: {error}", file.display()))?
            } else {
                String::new()
            };
            let edited = add_mod_declaration(&text, &module).map_err(|error| {
                format!(
                    "cannot add `pub mod {module};` to {}: {error}",
                    file.display()
                )
            })?;
            if let Some(text) = edited {
                writes.push(Write {
                    path: file,
                    text,
                    exists,
                });
            }
            if dir == self.src {
                return Ok(writes);
            }
            module = dir
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            dir = dir.parent().map(Path::to_owned).unwrap_or_default();
        }
    }

    /// The file declaring the modules of `dir`: the crate root for `src`, else `<dir>/mod.rs`
    /// or `<dir>.rs`, the first when neither exists.
    fn module_file(&self, dir: &Path) -> Result<PathBuf, String> {
        if dir == self.src {
            return ["lib.rs", "main.rs"]
                .iter()
                .map(|root| dir.join(root))
                .find(|root| root.is_file())
                .ok_or_else(|| {
                    format!(
                        "{} has no lib.rs or main.rs to declare the entities in: run cargo ff in a crate",
                        dir.display()
                    )
                });
        }
        let beside = dir.with_extension("rs");
        Ok(if !dir.join("mod.rs").is_file() && beside.is_file() {
            beside
        } else {
            dir.join("mod.rs")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entities_directory_must_be_modules_under_src() {
        let root = Path::new("/p");
        let layout = Layout::new(root, None).unwrap();
        assert_eq!(
            layout.file("product"),
            Path::new("/p/src/entities/product.rs")
        );
        Layout::new(root, Some(Path::new("shop/src/db/models"))).unwrap();
        for (dir, needle) in [
            ("entities", "not under a src"),
            ("/abs/src/entities", "not a relative path"),
            ("src/../x", "not a relative path"),
            ("src/my-models", "`my-models` cannot name"),
            ("src/type", "`type` cannot name"),
        ] {
            let error = Layout::new(root, Some(Path::new(dir))).unwrap_err();
            assert!(error.contains(needle), "{dir}: {error}");
        }
    }

    #[test]
    fn declarations_reach_up_to_the_crate_root() {
        let root = std::env::temp_dir().join(format!("ff-layout-{}", std::process::id()));
        std::fs::create_dir_all(root.join("src/db")).unwrap();
        std::fs::write(root.join("src/lib.rs"), "pub mod db;\n").unwrap();
        std::fs::write(root.join("src/db.rs"), "").unwrap();
        let layout = Layout::new(&root, Some(Path::new("src/db/entities"))).unwrap();
        let writes = layout.declare("product").unwrap();
        std::fs::remove_dir_all(&root).unwrap();
        let summary: Vec<_> = writes
            .iter()
            .map(|w| {
                (
                    w.path.strip_prefix(&root).unwrap().to_owned(),
                    w.text.as_str(),
                    w.exists,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    PathBuf::from("src/db/entities/mod.rs"),
                    "pub mod product;\n",
                    false
                ),
                (PathBuf::from("src/db.rs"), "pub mod entities;\n", true),
            ]
        );
    }
}
