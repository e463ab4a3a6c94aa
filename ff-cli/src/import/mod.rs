//! `database import`: the entities that declare the tables of a live database.
//!
//! Each table with a single-column key becomes a struct: its columns fields (their Rust type
//! the one whose column ff creates as the database reports it), its indexes, unique
//! constraints and defaults attributes, its foreign keys `belongs_to` fields with a `has_many`
//! on the parent, and a table of only a key and two foreign keys a join entity with a
//! `many_to_many` on both sides. What no entity can declare is left out and listed, one
//! sentence each, in [`Import::left_out`].

mod names;
mod relations;
mod render;
mod types;

use std::collections::{BTreeMap, BTreeSet};

use ff_runtime::Backend;
use ff_runtime::introspect::{LiveColumn, LiveForeignKey, LiveSchema, LiveTable};
use ff_runtime::schema::{ColumnType, ReferentialAction};

pub use render::{mod_lines, source};

/// Diesel's limit on the columns of a table, as ff builds it.
const MAX_COLUMNS: usize = 32;

/// The entities of an import, and what they leave out.
#[derive(Debug, Default)]
pub struct Import {
    /// One entity per imported table, in table order.
    pub entities: Vec<Entity>,
    /// What no entity declares (a column, a table, a constraint), one sentence each.
    pub left_out: Vec<String>,
    /// What changes when ff creates the schema from the entities (constraint names).
    pub notes: Vec<String>,
    /// The crates the field types come from (`chrono`, `uuid`, …).
    pub dependencies: BTreeSet<&'static str>,
}

/// One entity struct.
#[derive(Debug, Clone)]
pub struct Entity {
    /// The table.
    pub table: String,
    /// The struct name.
    pub name: String,
    /// The module and file name (without `.rs`).
    pub module: String,
    /// The fields, in column order.
    pub fields: Vec<Field>,
    /// The struct's `#[ff(…)]` items after `table = "…"`: composite indexes and uniques,
    /// relations.
    pub attributes: Vec<String>,
    /// Whether it is a join entity (which derives `Default`).
    pub join: bool,
    /// The other entities it names.
    pub uses: BTreeSet<String>,
}

/// One field of an entity.
#[derive(Debug, Clone)]
pub struct Field {
    /// The field name.
    pub name: String,
    /// The Rust type, `Option` included.
    pub rust: String,
    /// The `#[ff(…)]` items.
    pub attributes: Vec<String>,
    /// The entity it `belongs_to`, if any.
    pub parent: Option<String>,
}

/// The entities for `tables` of `live`, read on `backend` (`tables` names tables of `live`).
pub fn import(live: &LiveSchema, backend: Backend, tables: &[String]) -> Import {
    let mut import = Import::default();
    let struct_names = struct_names(live);
    let refused: BTreeMap<&str, String> = live
        .tables
        .iter()
        .filter_map(|(name, table)| Some((name.as_str(), table_refusal(name, table, backend)?)))
        .collect();
    let context = Context {
        live,
        backend,
        struct_names: &struct_names,
        refused: &refused,
        selected: tables,
    };
    for name in tables {
        if let Some(reason) = refused.get(name.as_str()) {
            import.left_out.push(reason.clone());
            continue;
        }
        let entity = context.entity(name, &live.tables[name], &mut import);
        import.entities.push(entity);
    }
    relations::add(&mut import.entities, &mut import.notes);
    import
}

/// A struct name for every table, unique.
fn struct_names(live: &LiveSchema) -> BTreeMap<String, String> {
    let mut taken = BTreeSet::new();
    live.tables
        .keys()
        .map(|table| {
            let name = names::struct_name(table, &taken);
            taken.insert(name.clone());
            (table.clone(), name)
        })
        .collect()
}

/// Why a table cannot be an entity at all, if it cannot: no single key, a key of a type no
/// field has, nothing besides a generated key, too many columns.
fn table_refusal(name: &str, table: &LiveTable, backend: Backend) -> Option<String> {
    let reason = match table.primary_key.as_slice() {
        [] => "has no primary key".to_owned(),
        [_] if table.columns.len() > MAX_COLUMNS => format!(
            "has {} columns, more than the {MAX_COLUMNS} an entity holds",
            table.columns.len()
        ),
        [key] => {
            let column = table.columns.iter().find(|c| c.name == *key)?;
            if let Err(reason) = types::map_type(column, backend, true) {
                format!("has its key `{key}` left out: it {reason}")
            } else if column.auto_increment
                && !table.columns.iter().any(|other| {
                    other.name != *key
                        && !other.auto_increment
                        && types::map_type(other, backend, false).is_ok()
                })
            {
                format!(
                    "has nothing to declare but its generated key `{key}`: there would be nothing to insert"
                )
            } else {
                return None;
            }
        }
        columns => format!(
            "has a composite primary key ({}); an entity has one key column (add one, e.g. an identity `id`)",
            columns.join(", ")
        ),
    };
    Some(format!("table `{name}` {reason}"))
}

/// What building one entity needs to know of the others.
struct Context<'a> {
    live: &'a LiveSchema,
    backend: Backend,
    struct_names: &'a BTreeMap<String, String>,
    refused: &'a BTreeMap<&'a str, String>,
    selected: &'a [String],
}

impl Context<'_> {
    /// The entity of a table [`table_refusal`] accepts.
    fn entity(&self, table_name: &str, table: &LiveTable, import: &mut Import) -> Entity {
        let name = self.struct_names[table_name].clone();
        let module = names::snake_case(&name);
        let indexed = indexed_columns(table);
        let mut taken = BTreeSet::new();
        let mut entity = Entity {
            table: table_name.to_owned(),
            name,
            module: module.clone(),
            fields: Vec::new(),
            attributes: Vec::new(),
            join: false,
            uses: BTreeSet::new(),
        };
        let mut field_of: BTreeMap<&str, usize> = BTreeMap::new();
        for column in &table.columns {
            let key = table.primary_key[0] == column.name;
            let indexed = indexed.contains(&column.name);
            let Some(field) = self.field(table_name, column, key, indexed, &module, &taken, import)
            else {
                continue;
            };
            taken.insert(field.name.clone());
            field_of.insert(&column.name, entity.fields.len());
            entity.fields.push(field);
        }
        self.constraints(table_name, table, &field_of, &mut entity, import);
        for check in &table.checks {
            import.left_out.push(format!(
                "check constraint `{check}` of table `{table_name}`: ff reads the names of check constraints, not their expressions; declare it again with #[ff(check = \"…\")]"
            ));
        }
        entity
    }

    /// The field of a column, `None` (with the reason in `import.left_out`) when no field
    /// type creates it.
    #[allow(clippy::too_many_arguments)]
    fn field(
        &self,
        table: &str,
        column: &LiveColumn,
        key: bool,
        indexed: bool,
        module: &str,
        taken: &BTreeSet<String>,
        import: &mut Import,
    ) -> Option<Field> {
        let what = format!("column `{table}.{}`", column.name);
        let mapped = match self.column_type(table, column, key, indexed) {
            Ok(mapped) => mapped,
            Err(reason) => {
                import.left_out.push(format!("{what} {reason}"));
                return None;
            }
        };
        import.dependencies.extend(mapped.dependency);
        let name = names::field_name(&column.name, module, taken);
        let mut attributes = Vec::new();
        if key && name != "id" {
            attributes.push("primary_key".to_owned());
        }
        if name != column.name {
            attributes.push(format!("column = {:?}", column.name));
        }
        attributes.extend(mapped.attributes.iter().cloned());
        let generated = key && column.auto_increment;
        if key && !generated && is_integer(&mapped.column_type) {
            // Without a sql_type, an integer key would be generated by the database.
            attributes.push(format!("sql_type = {:?}", column.sql_type.to_uppercase()));
        }
        if !generated {
            match types::default_attribute(column, &mapped.column_type) {
                Ok(default) => attributes.extend(default),
                Err(reason) => import.left_out.push(format!("{what} {reason}")),
            }
        }
        let rust = if column.nullable && !key {
            format!("Option<{}>", mapped.rust)
        } else {
            mapped.rust.to_owned()
        };
        Some(Field {
            name,
            rust,
            attributes,
            parent: None,
        })
    }

    /// The type of a column; a generated SQLite key takes the width of the foreign keys that
    /// refer to it (SQLite's generated keys are all `INTEGER`, whatever the field's width).
    fn column_type(
        &self,
        table: &str,
        column: &LiveColumn,
        key: bool,
        indexed: bool,
    ) -> Result<types::Mapped, String> {
        if column.auto_increment && !key {
            return Err("is generated by the database but is not the primary key".to_owned());
        }
        let mut mapped = types::map_type(column, self.backend, indexed)?;
        if key
            && column.auto_increment
            && self.backend == Backend::Sqlite
            && let Some(referring) = self.referring_integer_type(table, &column.name)
        {
            mapped = referring;
        }
        Ok(mapped)
    }

    /// The integer type of the first foreign key column referring to `table.column`.
    fn referring_integer_type(&self, table: &str, column: &str) -> Option<types::Mapped> {
        self.live.tables.values().find_map(|child| {
            child.foreign_keys.values().find_map(|fk| {
                let target = &fk.referenced_columns[0];
                let refers = fk.referenced_table == table
                    && fk.columns.len() == 1
                    && (target == column || target.is_empty());
                let referring = child.columns.iter().find(|c| c.name == fk.columns[0])?;
                let mapped = types::map_type(referring, self.backend, true).ok()?;
                (refers && is_integer(&mapped.column_type)).then_some(mapped)
            })
        })
    }

    /// Indexes, unique constraints and foreign keys as attributes of the fields or the struct.
    fn constraints(
        &self,
        table_name: &str,
        table: &LiveTable,
        field_of: &BTreeMap<&str, usize>,
        entity: &mut Entity,
        import: &mut Import,
    ) {
        let mut emitted = BTreeSet::new();
        let groups = [
            ("index", "ix", &table.indexes),
            ("unique", "uq", &table.uniques),
        ];
        for (kind, prefix, map) in groups {
            for (name, columns) in map {
                let Some(fields) = fields_of(columns, field_of) else {
                    import.left_out.push(format!(
                        "{kind} `{name}` of table `{table_name}` over ({}): a column is left out",
                        columns.join(", ")
                    ));
                    continue;
                };
                let ff_name = format!("{prefix}_{table_name}_{}", columns.join("_"));
                if !emitted.insert(ff_name.clone()) {
                    import.notes.push(format!(
                        "{kind} `{name}` of table `{table_name}` repeats another over the same columns: imported once"
                    ));
                    continue;
                }
                self.note_rename(kind, name, &ff_name, table_name, import);
                let predicate = table.predicates.get(name);
                if let ([field], None) = (fields.as_slice(), predicate) {
                    entity.fields[*field].attributes.push(kind.to_owned());
                } else {
                    let mut items: Vec<String> = fields
                        .iter()
                        .map(|&f| entity.fields[f].name.clone())
                        .collect();
                    // A partial index: its condition as the database gives it back.
                    if let Some(predicate) = predicate {
                        items.push(format!("where = {predicate:?}"));
                    }
                    entity
                        .attributes
                        .push(format!("{kind}({})", items.join(", ")));
                }
            }
        }
        for (name, fk) in &table.foreign_keys {
            let described = format!(
                "foreign key `{name}` of table `{table_name}` ({}) → {}",
                fk.columns.join(", "),
                fk.referenced_table
            );
            match self.belongs_to(fk, field_of) {
                Ok((field, parent)) if entity.fields[field].parent.is_none() => {
                    let ff_name = format!("fk_{table_name}_{}", fk.columns[0]);
                    self.note_rename("foreign key", name, &ff_name, table_name, import);
                    if !self.selected.contains(&fk.referenced_table) {
                        import.notes.push(format!(
                            "{} refers to {parent} (table `{}`), which this import does not write: the entities module must have it",
                            entity.name, fk.referenced_table
                        ));
                    }
                    let field = &mut entity.fields[field];
                    field.attributes.push(format!("belongs_to = {parent}"));
                    field.attributes.extend(actions(fk));
                    field.parent = Some(parent.clone());
                    if parent != entity.name {
                        entity.uses.insert(parent);
                    }
                }
                Ok(_) => import
                    .left_out
                    .push(format!("{described}: its column has another foreign key")),
                Err(reason) => import.left_out.push(format!("{described}: {reason}")),
            }
        }
    }

    /// The field and parent entity of a foreign key a `belongs_to` declares.
    fn belongs_to(
        &self,
        fk: &LiveForeignKey,
        field_of: &BTreeMap<&str, usize>,
    ) -> Result<(usize, String), String> {
        let [column] = fk.columns.as_slice() else {
            return Err("a belongs_to field declares a foreign key of one column".to_owned());
        };
        let Some(parent) = self.live.tables.get(&fk.referenced_table) else {
            return Err("the referenced table is not in this schema".to_owned());
        };
        if let Some(reason) = self.refused.get(fk.referenced_table.as_str()) {
            return Err(format!("the referenced {reason}"));
        }
        let referenced = &fk.referenced_columns[0];
        if !referenced.is_empty() && parent.primary_key != [referenced.clone()] {
            return Err(format!(
                "it refers to `{referenced}`, not to the key; a belongs_to field refers to the key"
            ));
        }
        let Some(&field) = field_of.get(column.as_str()) else {
            return Err("its column is left out".to_owned());
        };
        Ok((field, self.struct_names[&fk.referenced_table].clone()))
    }

    /// Notes that ff names a constraint otherwise (where the database keeps names).
    fn note_rename(&self, kind: &str, name: &str, ff_name: &str, table: &str, import: &mut Import) {
        if self.backend != Backend::Sqlite && name != ff_name {
            import.notes.push(format!(
                "{kind} `{name}` of table `{table}` is `{ff_name}` in the entities"
            ));
        }
    }
}

/// The columns MySQL counts as indexed: the key, foreign keys, indexes and uniques.
fn indexed_columns(table: &LiveTable) -> BTreeSet<String> {
    let mut indexed: BTreeSet<String> = table.primary_key.iter().cloned().collect();
    indexed.extend(table.indexes.values().flatten().cloned());
    indexed.extend(table.uniques.values().flatten().cloned());
    indexed.extend(
        table
            .foreign_keys
            .values()
            .flat_map(|fk| fk.columns.clone()),
    );
    indexed
}

/// The fields of `columns`, `None` when one is left out.
fn fields_of(columns: &[String], field_of: &BTreeMap<&str, usize>) -> Option<Vec<usize>> {
    columns
        .iter()
        .map(|column| field_of.get(column.as_str()).copied())
        .collect()
}

/// The `on_delete`/`on_update` attributes of a foreign key, when not NO ACTION.
fn actions(fk: &LiveForeignKey) -> Vec<String> {
    [("on_delete", fk.on_delete), ("on_update", fk.on_update)]
        .into_iter()
        .filter(|(_, action)| *action != ReferentialAction::NoAction)
        .map(|(attribute, action)| format!("{attribute} = {:?}", action.as_sql().to_lowercase()))
        .collect()
}

fn is_integer(column_type: &ColumnType) -> bool {
    matches!(
        column_type,
        ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt
    )
}
