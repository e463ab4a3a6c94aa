//! `cargo ff create entity`: writes a new entity file, or adds fields to an existing entity.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::cli::EntityArgs;
use crate::output::CommandError;
use crate::project::Project;
use crate::scaffold::field::{Field, Key, parse_field, parse_relation};
use crate::scaffold::layout::{Layout, Write};
use crate::scaffold::names::{EntityName, pascal_case};
use crate::scaffold::prompt::{Asked, Prompt};
use crate::scaffold::source::{
    FoundEntity, add_fields, add_struct_attribute, names_in_scope, scan, scan_tree,
};
use crate::scaffold::{import, new_entity};

/// The entity the command works on, and what the project around it holds.
struct Target {
    root: PathBuf,
    layout: Layout,
    name: EntityName,
    /// The entities of the entities directory.
    entities: Vec<FoundEntity>,
    /// The files of the entities directory that do not parse, with why.
    unreadable: Vec<String>,
    /// The entities declared elsewhere in the crate.
    elsewhere: Vec<FoundEntity>,
    /// The entity's file: the one that declares it, else `<name>.rs`.
    file: PathBuf,
}

impl Target {
    fn new(name: &str) -> Result<Target, CommandError> {
        let project = Project::discover()?;
        let layout = Layout::new(&project.root, project.config.entities.as_deref())
            .map_err(CommandError::Project)?;
        let name = EntityName::parse(name).map_err(CommandError::Project)?;
        let (entities, unreadable) = scan(&layout.dir).map_err(CommandError::Project)?;
        let file = entities
            .iter()
            .find(|entity| entity.name == name.pascal)
            .map_or_else(|| layout.file(&name.snake), |entity| entity.path.clone());
        Ok(Target {
            elsewhere: scan_tree(layout.src(), &layout.dir),
            root: project.root,
            layout,
            name,
            entities,
            unreadable,
            file,
        })
    }

    /// The entity, when it exists.
    fn existing(&self) -> Option<&FoundEntity> {
        self.entities
            .iter()
            .find(|entity| entity.name == self.name.pascal)
    }

    /// `path` relative to the project root.
    fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// Refuses a file that is not this entity's, an entity of this name outside the entities
    /// directory, and a `--table` that cannot apply.
    fn refuse_clashes(&self, table: Option<&str>) -> Result<(), CommandError> {
        let name = &self.name.pascal;
        let refuse = |message: String| Err(CommandError::Project(message));
        if self.existing().is_none() && self.file.exists() {
            return refuse(format!(
                "{} exists and declares no entity `{name}`; it is left as it is: choose another name, or move the file{}",
                self.shown(&self.file),
                unreadable_note(&self.unreadable)
            ));
        }
        if let Some(other) = self.elsewhere.iter().find(|other| other.name == *name)
            && self.existing().is_none()
        {
            return refuse(format!(
                "`{name}` is declared in {}, outside {}, where create entity writes: add fields to it by hand, or choose another name",
                self.shown(&other.path),
                self.shown(&self.layout.dir)
            ));
        }
        match table {
            Some(table) if table.trim().is_empty() => {
                refuse("--table needs a name, e.g. --table products".to_owned())
            }
            Some(_) if self.existing().is_some() => refuse(format!(
                "`{name}` exists already: --table names the table of a new entity; edit #[ff(table = …)] in {} instead",
                self.shown(&self.file)
            )),
            _ => Ok(()),
        }
    }

    /// The keys a relation may refer to: every other entity's, and this entity's own (a new
    /// one's is `id: i64`).
    fn relation_keys(&self) -> Vec<Key> {
        let own = match self.existing() {
            Some(entity) => entity.key.clone(),
            None => Some(Key {
                entity: self.name.pascal.clone(),
                name: "id".to_owned(),
                rust: "i64".to_owned(),
            }),
        };
        self.entities
            .iter()
            .filter(|entity| entity.name != self.name.pascal)
            .filter_map(|entity| entity.key.clone())
            .chain(own)
            .collect()
    }

    /// Turns relations into foreign key fields to the keys of the entities they name.
    fn resolve(&self, asked: Vec<Asked>, keys: &[Key]) -> Result<Vec<Field>, CommandError> {
        asked
            .into_iter()
            .map(|asked| match asked {
                Asked::Field(field) => Ok(field),
                Asked::Relation(relation) => {
                    let wanted = pascal_case(&relation.parent);
                    let key = keys
                        .iter()
                        .find(|key| key.entity == wanted)
                        .ok_or_else(|| self.no_entity(&wanted, keys))?;
                    relation.field(key, &self.name.snake)
                }
            })
            .collect::<Result<_, String>>()
            .map_err(|error| CommandError::Project(format!("{error}; nothing was written")))
    }

    /// Why a relation to `wanted` cannot be made.
    fn no_entity(&self, wanted: &str, keys: &[Key]) -> String {
        if let Some(other) = self.elsewhere.iter().find(|other| other.name == wanted) {
            return format!(
                "`{wanted}` is declared in {}, outside {}: write the belongs_to field by hand (see docs/relationships.md)",
                self.shown(&other.path),
                self.shown(&self.layout.dir)
            );
        }
        let names: Vec<&str> = keys.iter().map(|key| key.entity.as_str()).collect();
        format!(
            "no entity `{wanted}` to belong to; the entities are: {} (create it first with `cargo ff create entity {wanted}`){}",
            names.join(", "),
            unreadable_note(&self.unreadable)
        )
    }
}

/// Runs `cargo ff create entity`.
pub fn run(args: EntityArgs) -> Result<(), CommandError> {
    let target = Target::new(&args.name)?;
    target.refuse_clashes(args.table.as_deref())?;
    let (name, file, existing) = (&target.name, &target.file, target.existing());
    let keys = target.relation_keys();
    let taken = existing.map_or_else(|| vec!["id".to_owned()], |entity| entity.fields.clone());
    let asked = if args.fields.is_empty() && args.belongs_to.is_empty() {
        ask(name, existing.is_some(), &taken, &keys)?
    } else {
        from_flags(&args, &name.snake)?
    };
    let fields = target.resolve(asked, &keys)?;
    check_new_names(&fields, &taken, &name.pascal)?;
    if fields.is_empty() {
        return Err(CommandError::Project(match existing {
            Some(_) => format!(
                "nothing to add to `{}`: pass --field NAME:TYPE or --belongs-to ENTITY, or answer the questions",
                name.pascal
            ),
            None => format!(
                "`{}` needs a field besides its key `id`: pass --field NAME:TYPE (e.g. --field name:string) or answer the questions; nothing was written",
                name.pascal
            ),
        }));
    }
    let existing_text = match existing {
        Some(_) => Some(std::fs::read_to_string(file).map_err(|error| {
            CommandError::Project(format!("cannot read {}: {error}", target.shown(file)))
        })?),
        None => None,
    };
    let imports = imports(&fields, &target, existing_text.as_deref());
    let mut writes = vec![Write {
        text: match &existing_text {
            Some(text) => add_fields(text, &name.pascal, &fields, &imports).map_err(|error| {
                CommandError::Project(format!(
                    "cannot add fields to {}: {error}",
                    target.shown(file)
                ))
            })?,
            None => new_entity(name, args.table.as_deref(), &imports, &fields),
        },
        exists: existing_text.is_some(),
        path: file.clone(),
    }];
    let module = file.file_stem().map_or_else(
        || name.snake.clone(),
        |stem| stem.to_string_lossy().into_owned(),
    );
    let inverses = add_inverses(&target, &fields, &module, &mut writes)?;
    let declarations = target
        .layout
        .declare(&module)
        .map_err(CommandError::Project)?;
    for write in writes.iter().chain(&declarations) {
        save(write).map_err(|error| {
            CommandError::Project(format!(
                "cannot write {}: {error}",
                target.shown(&write.path)
            ))
        })?;
    }
    report(
        &target,
        existing.is_some(),
        &fields,
        &inverses,
        &declarations,
    );
    Ok(())
}

/// Says what was written, which crates the project lacks, and what comes next.
fn report(
    target: &Target,
    existed: bool,
    fields: &[Field],
    inverses: &[(String, String, PathBuf)],
    declarations: &[Write],
) {
    let (name, file) = (&target.name, &target.file);
    let names: Vec<&str> = fields.iter().map(|field| field.name.as_str()).collect();
    if existed {
        say!(
            "✓ Added {} field(s) to {} in {}: {}",
            fields.len(),
            name.pascal,
            target.shown(file),
            names.join(", ")
        );
    } else {
        say!(
            "✓ Created {}: {} with id, {}",
            target.shown(file),
            name.pascal,
            names.join(", ")
        );
    }
    for (parent, attribute, path) in inverses {
        say!(
            "✓ Added #[ff({attribute})] to {parent} in {}",
            target.shown(path)
        );
    }
    for write in declarations {
        say!("✓ Declared the module in {}", target.shown(&write.path));
    }
    for crate_name in missing_crates(&target.layout, fields) {
        say!(
            "note: the entity uses the crate `{crate_name}`, which Cargo.toml does not list: run `cargo add {crate_name}`"
        );
    }
    say!("Next: `cargo ff database create-migration`, then `cargo ff database upgrade`.");
}

/// Adds the parents' `has_many`/`has_one` of the relations with `inverse=` to `writes` (the
/// entity's own file first; a parent's file is read and added): what was added, and where.
fn add_inverses(
    target: &Target,
    fields: &[Field],
    module: &str,
    writes: &mut Vec<Write>,
) -> Result<Vec<(String, String, PathBuf)>, CommandError> {
    let child = &target.name.pascal;
    let mut added = Vec::new();
    for field in fields {
        let (Some(parent), Some(relation), Some(attribute)) = (
            field.belongs_to.as_deref(),
            field.options.inverse.as_deref(),
            field.inverse(child),
        ) else {
            continue;
        };
        let path = match target.entities.iter().find(|entity| entity.name == parent) {
            Some(entity) => entity.path.clone(),
            None => target.file.clone(), // the entity itself, new
        };
        let index = match writes.iter().position(|write| write.path == path) {
            Some(index) => index,
            None => {
                let text = std::fs::read_to_string(&path).map_err(|error| {
                    CommandError::Project(format!("cannot read {}: {error}", target.shown(&path)))
                })?;
                writes.push(Write {
                    path: path.clone(),
                    text,
                    exists: true,
                });
                writes.len() - 1
            }
        };
        let write = &mut writes[index];
        let imports = if path == target.file || names_in_scope(&write.text, child) {
            Vec::new()
        } else {
            vec![import(module, child)]
        };
        write.text = add_struct_attribute(&write.text, parent, &attribute, relation, &imports)
            .map_err(|error| {
                CommandError::Project(format!(
                    "cannot add #[ff({attribute})] to {}: {error}; nothing was written",
                    target.shown(&path)
                ))
            })?;
        added.push((parent.to_owned(), attribute, path));
    }
    Ok(added)
}

/// The interactive questions, on the terminal or on piped standard input.
fn ask(
    name: &EntityName,
    exists: bool,
    taken: &[String],
    keys: &[Key],
) -> Result<Vec<Asked>, CommandError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        if exists {
            say!("Adding fields to the entity {}.", name.pascal);
        } else {
            say!(
                "Creating the entity {} (its key `id` is added for you).",
                name.pascal
            );
        }
    }
    Prompt::new(stdin.lock(), std::io::stdout().lock())
        .fields(&name.snake, taken, keys)
        .map_err(|error| CommandError::Project(format!("cannot read the answers: {error}")))
}

/// The fields of `--field` and `--belongs-to`.
fn from_flags(args: &EntityArgs, module: &str) -> Result<Vec<Asked>, CommandError> {
    let fields = args
        .fields
        .iter()
        .map(|spec| parse_field(spec, module).map(Asked::Field));
    let relations = args
        .belongs_to
        .iter()
        .map(|spec| parse_relation(spec).map(Asked::Relation));
    fields
        .chain(relations)
        .collect::<Result<_, _>>()
        .map_err(|error| CommandError::Project(format!("{error}; nothing was written")))
}

/// Refuses a field the entity has, or one given twice.
fn check_new_names(fields: &[Field], taken: &[String], entity: &str) -> Result<(), CommandError> {
    let mut seen: Vec<&str> = taken.iter().map(String::as_str).collect();
    for field in fields {
        if seen.contains(&field.name.as_str()) {
            return Err(CommandError::Project(format!(
                "`{entity}` already has a field `{}`: choose another name (for a relation: the option field=NAME); nothing was written",
                field.name
            )));
        }
        seen.push(&field.name);
    }
    Ok(())
}

/// The `use` lines the relations of `fields` need in the target's file (`existing` is its text
/// when it exists).
fn imports(fields: &[Field], target: &Target, existing: Option<&str>) -> Vec<String> {
    let mut imports: Vec<String> = Vec::new();
    for parent in fields
        .iter()
        .filter_map(|field| field.belongs_to.as_deref())
    {
        let Some(entity) = target.entities.iter().find(|entity| entity.name == parent) else {
            continue;
        };
        let line = entity
            .path
            .file_stem()
            .map(|stem| import(&stem.to_string_lossy(), parent))
            .unwrap_or_default();
        let in_scope =
            entity.path == target.file || existing.is_some_and(|text| names_in_scope(text, parent));
        if !in_scope && !imports.contains(&line) {
            imports.push(line);
        }
    }
    imports
}

/// Writes a file: a new one only if it does not exist yet, an existing one through a
/// temporary file renamed over it (never half written).
fn save(write: &Write) -> std::io::Result<()> {
    if let Some(dir) = write.path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if !write.exists {
        use std::io::Write as _;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&write.path)?;
        return file.write_all(write.text.as_bytes());
    }
    let mut temporary = write.path.clone().into_os_string();
    temporary.push(format!(".ff-{}", std::process::id()));
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, &write.text)?;
    std::fs::rename(&temporary, &write.path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}

/// The crates the fields' types need that the crate's Cargo.toml does not list.
fn missing_crates(layout: &Layout, fields: &[Field]) -> Vec<&'static str> {
    let manifest =
        std::fs::read_to_string(layout.crate_dir().join("Cargo.toml")).unwrap_or_default();
    let listed = |name: &str| {
        toml::from_str::<toml::Table>(&manifest)
            .ok()
            .and_then(|table| {
                table
                    .get("dependencies")
                    .and_then(|d| d.as_table())
                    .map(|d| d.contains_key(name))
            })
            .unwrap_or(false)
    };
    let mut missing: Vec<&'static str> =
        fields.iter().filter_map(|field| field.crate_name).collect();
    missing.sort_unstable();
    missing.dedup();
    missing.retain(|name| !listed(name));
    missing
}

/// A note naming the files of the entities directory that do not parse.
fn unreadable_note(unreadable: &[String]) -> String {
    if unreadable.is_empty() {
        String::new()
    } else {
        format!(
            "\nnote: these files do not parse and were not read:\n  {}",
            unreadable.join("\n  ")
        )
    }
}
