//! Reading and editing the Rust files of a project with `syn`: the entities they declare, new
//! fields and imports put into an existing struct, `mod` declarations. Each edit inserts text
//! and leaves the rest of the file as the user wrote it.

use std::path::{Path, PathBuf};

use proc_macro2::LineColumn;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{Fields, Item, ItemStruct, UseTree};

use super::field::{Field, Key};

/// An entity declared in a file of the entities directory.
#[derive(Debug, Clone)]
pub struct FoundEntity {
    /// The struct name.
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// The key field, if the struct has one ff recognises (`id` or `#[ff(primary_key)]`).
    pub key: Option<Key>,
    /// Every field name.
    pub fields: Vec<String>,
}

/// The entities of the `.rs` files in `dir`, and the files that do not parse (with why).
pub fn scan(dir: &Path) -> Result<(Vec<FoundEntity>, Vec<String>), String> {
    let mut entities = Vec::new();
    let mut unreadable = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok((entities, unreadable));
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        match syn::parse_file(&text) {
            Ok(file) => entities.extend(
                file.items
                    .iter()
                    .filter_map(entity_struct)
                    .map(|item| found(item, &path)),
            ),
            Err(error) => unreadable.push(format!("{}: {error}", path.display())),
        }
    }
    Ok((entities, unreadable))
}

/// The entities of every `.rs` file under `dir` and its subdirectories but `skip`; files that
/// do not parse are passed over.
pub fn scan_tree(dir: &Path, skip: &Path) -> Vec<FoundEntity> {
    let mut found = scan(dir).map(|(entities, _)| entities).unwrap_or_default();
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_dir() && path != skip)
        .collect();
    subdirs.sort();
    for subdir in subdirs {
        found.extend(scan_tree(&subdir, skip));
    }
    found
}

/// The struct of `item` when it derives `Entity`.
fn entity_struct(item: &Item) -> Option<&ItemStruct> {
    let Item::Struct(item) = item else {
        return None;
    };
    let derives_entity = item.attrs.iter().any(|attr| {
        attr.path().is_ident("derive")
            && words(&attr.meta.to_token_stream().to_string()).any(|w| w == "Entity")
    });
    derives_entity.then_some(item)
}

/// The identifiers in a token string.
fn words(tokens: &str) -> impl Iterator<Item = &str> {
    tokens.split(|c: char| !(c.is_alphanumeric() || c == '_'))
}

fn found(item: &ItemStruct, path: &Path) -> FoundEntity {
    let name = item.ident.to_string();
    let fields: Vec<&syn::Field> = item.fields.iter().collect();
    let field_name = |field: &syn::Field| {
        field
            .ident
            .as_ref()
            .map(|ident| syn::ext::IdentExt::unraw(ident).to_string())
            .unwrap_or_default()
    };
    let marked = fields.iter().find(|field| {
        field.attrs.iter().any(|attr| {
            attr.path().is_ident("ff")
                && words(&attr.meta.to_token_stream().to_string()).any(|w| w == "primary_key")
        })
    });
    let key = marked
        .or_else(|| fields.iter().find(|field| field_name(field) == "id"))
        .map(|field| Key {
            entity: name.clone(),
            name: field_name(field),
            rust: field.ty.to_token_stream().to_string().replace(' ', ""),
        });
    FoundEntity {
        fields: fields.iter().map(|field| field_name(field)).collect(),
        name,
        path: path.to_owned(),
        key,
    }
}

/// `text` with `fields` added at the end of struct `name` and `imports` (whole `use` lines)
/// after the file's last `use`.
pub fn add_fields(
    text: &str,
    name: &str,
    fields: &[Field],
    imports: &[String],
) -> Result<String, String> {
    let file = syn::parse_file(text).map_err(|error| format!("it does not parse: {error}"))?;
    let item = file
        .items
        .iter()
        .filter_map(entity_struct)
        .find(|item| item.ident == name)
        .ok_or_else(|| format!("it declares no entity `{name}`"))?;
    let Fields::Named(named) = &item.fields else {
        return Err(format!("`{name}` has no named fields"));
    };
    let mut edits: Vec<(usize, String)> = Vec::new();
    let close = offset(text, named.brace_token.span.close().start());
    let indent = named
        .named
        .first()
        .and_then(|field| {
            let start = offset(text, field.span().start());
            let line = &text[line_start(text, start)..start];
            line.chars()
                .all(char::is_whitespace)
                .then(|| line.to_owned())
        })
        .unwrap_or_else(|| "    ".to_owned());
    if let Some(last) = named.named.last()
        && !named.named.trailing_punct()
    {
        edits.push((offset(text, last.span().end()), ",".to_owned()));
    }
    let rendered: String = fields.iter().map(|field| field.render(&indent)).collect();
    let brace_line = line_start(text, close);
    if text[brace_line..close].trim().is_empty() {
        edits.push((brace_line, rendered));
    } else {
        edits.push((text[..close].trim_end().len(), format!("\n{rendered}")));
    }
    edits.extend(import_edit(text, &file, imports));
    Ok(apply(text, edits))
}

/// `text` with the struct attribute `#[ff(<attribute>)]` added to entity `name` (just above
/// `pub struct`), and `imports` after the file's last `use`. Refuses a relation named
/// `relation` that the struct declares already.
pub fn add_struct_attribute(
    text: &str,
    name: &str,
    attribute: &str,
    relation: &str,
    imports: &[String],
) -> Result<String, String> {
    let file = syn::parse_file(text).map_err(|error| format!("it does not parse: {error}"))?;
    let item = file
        .items
        .iter()
        .filter_map(entity_struct)
        .find(|item| item.ident == name)
        .ok_or_else(|| format!("it declares no entity `{name}`"))?;
    let declared = item.attrs.iter().any(|attr| {
        attr.path().is_ident("ff")
            && attr
                .meta
                .to_token_stream()
                .to_string()
                .contains(&format!("({relation} ="))
    });
    if declared {
        return Err(format!("`{name}` has a relation `{relation}` already"));
    }
    let start = match &item.vis {
        syn::Visibility::Inherited => offset(text, item.struct_token.span.start()),
        vis => offset(text, vis.span().start()),
    };
    let line = line_start(text, start);
    let indent = &text[line..start];
    let mut edits = vec![(line, format!("{indent}#[ff({attribute})]\n"))];
    edits.extend(import_edit(text, &file, imports));
    Ok(apply(text, edits))
}

/// The edit adding `imports` after the last top-level `use` (else above the first item).
fn import_edit(text: &str, file: &syn::File, imports: &[String]) -> Option<(usize, String)> {
    if imports.is_empty() {
        return None;
    }
    let uses = imports.concat();
    let last_use = file
        .items
        .iter()
        .rev()
        .find(|item| matches!(item, Item::Use(_)));
    Some(match last_use {
        Some(last_use) => {
            let end = offset(text, last_use.span().end());
            (end, format!("\n{}", uses.trim_end()))
        }
        None => {
            let first = file.items.first().map_or(0, |item| {
                line_start(text, offset(text, item.span().start()))
            });
            (first, format!("{uses}\n"))
        }
    })
}

/// Whether `text` brings `name` into scope with a `use` or declares it.
pub fn names_in_scope(text: &str, name: &str) -> bool {
    let Ok(file) = syn::parse_file(text) else {
        return false;
    };
    file.items.iter().any(|item| match item {
        Item::Use(item) => tree_names(&item.tree, name),
        Item::Struct(item) => item.ident == name,
        _ => false,
    })
}

fn tree_names(tree: &UseTree, name: &str) -> bool {
    match tree {
        UseTree::Path(path) => tree_names(&path.tree, name),
        UseTree::Name(leaf) => leaf.ident == name,
        UseTree::Rename(rename) => rename.rename == name,
        UseTree::Glob(_) => false,
        UseTree::Group(group) => group.items.iter().any(|tree| tree_names(tree, name)),
    }
}

/// `text` with `pub mod <module>;` added after its last `mod` item (else at its end), or `None`
/// when it declares the module already.
pub fn add_mod_declaration(text: &str, module: &str) -> Result<Option<String>, String> {
    let file = syn::parse_file(text).map_err(|error| format!("it does not parse: {error}"))?;
    let mods: Vec<&syn::ItemMod> = file
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Mod(item) => Some(item),
            _ => None,
        })
        .collect();
    if mods.iter().any(|item| item.ident == module) {
        return Ok(None);
    }
    let line = format!("pub mod {module};");
    if text.trim().is_empty() {
        return Ok(Some(format!("{line}\n")));
    }
    let edit = match mods.last() {
        Some(last) => (offset(text, last.span().end()), format!("\n{line}")),
        None if text.ends_with('\n') => (text.len(), format!("\n{line}\n")),
        None => (text.len(), format!("\n\n{line}\n")),
    };
    Ok(Some(apply(text, vec![edit])))
}

/// The byte offset of a line and column (in characters) of `text`.
fn offset(text: &str, at: LineColumn) -> usize {
    let line = text
        .split_inclusive('\n')
        .take(at.line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    line + text[line..]
        .chars()
        .take(at.column)
        .map(char::len_utf8)
        .sum::<usize>()
}

/// The offset where the line holding `offset` starts.
fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |newline| newline + 1)
}

/// Inserts each `(offset, text)`, the offsets being those of the original text; texts at the
/// same offset keep their order.
fn apply(text: &str, mut edits: Vec<(usize, String)>) -> String {
    edits.sort_by_key(|(offset, _)| *offset);
    let mut text = text.to_owned();
    for (offset, insert) in edits.into_iter().rev() {
        text.insert_str(offset, &insert);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaffold::field::parse_field;

    const PRODUCT: &str = "use ff_runtime::prelude::*;\n\n/// A product.\n#[derive(Debug, Clone, PartialEq, Entity)]\npub struct Product {\n    pub id: i64,\n    // the name — shown to customers\n    pub name: String, // trailing comment\n}\n\nimpl Product {}\n";

    #[test]
    fn fields_and_imports_are_added_and_the_rest_is_kept() {
        let field = parse_field("stock:i32:index", "product").unwrap();
        let edited = add_fields(
            PRODUCT,
            "Product",
            &[field],
            &["use super::category::Category;\n".to_owned()],
        )
        .unwrap();
        assert_eq!(
            edited,
            "use ff_runtime::prelude::*;\nuse super::category::Category;\n\n/// A product.\n#[derive(Debug, Clone, PartialEq, Entity)]\npub struct Product {\n    pub id: i64,\n    // the name — shown to customers\n    pub name: String, // trailing comment\n    #[ff(index)]\n    pub stock: i32,\n}\n\nimpl Product {}\n"
        );
    }

    #[test]
    fn a_relation_attribute_goes_above_the_struct() {
        let edited = add_struct_attribute(
            PRODUCT,
            "Product",
            "has_many(lines = Line)",
            "lines",
            &["use super::line::Line;\n".to_owned()],
        )
        .unwrap();
        assert_eq!(
            edited,
            PRODUCT
                .replace(
                    "pub struct Product",
                    "#[ff(has_many(lines = Line))]\npub struct Product"
                )
                .replace("prelude::*;\n", "prelude::*;\nuse super::line::Line;\n")
        );
        let again = add_struct_attribute(&edited, "Product", "has_one(lines = Line)", "lines", &[]);
        assert!(
            again
                .unwrap_err()
                .contains("has a relation `lines` already")
        );
    }

    #[test]
    fn a_struct_on_one_line_without_trailing_comma_gets_one() {
        let text = "#[derive(Entity)] pub struct Tag { pub id: i32, pub label: String }\n";
        let field = parse_field("rank:i32", "tag").unwrap();
        let edited = add_fields(text, "Tag", &[field], &[]).unwrap();
        assert_eq!(
            edited,
            "#[derive(Entity)] pub struct Tag { pub id: i32, pub label: String,\n    pub rank: i32,\n }\n"
        );
        syn::parse_file(&edited).unwrap();
    }

    #[test]
    fn entities_are_found_with_their_keys() {
        let dir = std::env::temp_dir().join(format!("ff-scan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("product.rs"), PRODUCT).unwrap();
        std::fs::write(
            dir.join("tag.rs"),
            "#[derive(ff_runtime::Entity)]\npub struct Tag {\n    #[ff(primary_key)]\n    pub code: uuid::Uuid,\n    pub r#type: String,\n}\npub struct NotAnEntity;\n",
        )
        .unwrap();
        std::fs::write(dir.join("broken.rs"), "pub struct {").unwrap();
        std::fs::create_dir_all(dir.join("nested/skipped")).unwrap();
        std::fs::write(dir.join("nested/a.rs"), PRODUCT.replace("Product", "A")).unwrap();
        std::fs::write(dir.join("nested/skipped/b.rs"), PRODUCT).unwrap();
        let (found, unreadable) = scan(&dir).unwrap();
        let tree = scan_tree(&dir, &dir.join("nested/skipped"));
        std::fs::remove_dir_all(&dir).unwrap();
        let names: Vec<&str> = tree.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Product", "Tag", "A"]);
        let keys: Vec<_> = found.iter().map(|e| e.key.clone().unwrap()).collect();
        assert_eq!(keys[0].rust, "i64");
        assert_eq!(
            (keys[1].name.as_str(), keys[1].rust.as_str()),
            ("code", "uuid::Uuid")
        );
        assert_eq!(found[1].fields, ["code", "type"]);
        assert_eq!(unreadable.len(), 1);
    }

    #[test]
    fn mod_declarations_are_added_once() {
        assert_eq!(
            add_mod_declaration("\n", "user").unwrap().unwrap(),
            "pub mod user;\n"
        );
        let text = "//! Entities.\npub mod category;\n\npub use category::Category;\n";
        assert_eq!(
            add_mod_declaration(text, "product").unwrap().unwrap(),
            "//! Entities.\npub mod category;\npub mod product;\n\npub use category::Category;\n"
        );
        assert_eq!(add_mod_declaration(text, "category").unwrap(), None);
        assert_eq!(
            add_mod_declaration("fn main() {}", "entities")
                .unwrap()
                .unwrap(),
            "fn main() {}\n\npub mod entities;\n"
        );
        assert!(add_mod_declaration("fn (", "x").is_err());
    }

    #[test]
    fn imports_are_recognised() {
        assert!(names_in_scope(PRODUCT, "Product"));
        assert!(!names_in_scope(PRODUCT, "Category"));
        assert!(names_in_scope(
            "use super::{category::Category, tag};",
            "Category"
        ));
    }
}
