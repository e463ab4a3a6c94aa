//! The Rust source of imported entities.

use std::fmt::Write;

use super::Entity;

/// The file of one entity.
pub fn source(entity: &Entity) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "//! The `{}` table, written by `cargo ff database import`.\n",
        entity.table
    );
    out.push_str("use ff_runtime::prelude::*;\n");
    if !entity.uses.is_empty() {
        let uses: Vec<&str> = entity.uses.iter().map(String::as_str).collect();
        let _ = match uses.as_slice() {
            [one] => writeln!(out, "\nuse super::{one};"),
            many => writeln!(out, "\nuse super::{{{}}};", many.join(", ")),
        };
    }
    let derives = if entity.join {
        "Entity, Debug, Clone, PartialEq, Default"
    } else {
        "Entity, Debug, Clone, PartialEq"
    };
    let _ = writeln!(out, "\n#[derive({derives})]");
    let mut attributes = vec![format!("table = {:?}", entity.table)];
    attributes.extend(entity.attributes.iter().cloned());
    let _ = writeln!(out, "#[ff({})]", attributes.join(", "));
    let _ = writeln!(out, "pub struct {} {{", entity.name);
    for field in &entity.fields {
        if !field.attributes.is_empty() {
            let _ = writeln!(out, "    #[ff({})]", field.attributes.join(", "));
        }
        let _ = writeln!(out, "    pub {}: {},", field.name, field.rust);
    }
    out.push_str("}\n");
    out
}

/// The lines of `mod.rs` that declare the entities' modules and re-export their structs.
pub fn mod_lines(entities: &[Entity]) -> Vec<String> {
    entities
        .iter()
        .flat_map(|entity| {
            [
                format!("pub mod {};", entity.module),
                format!("pub use {}::{};", entity.module, entity.name),
            ]
        })
        .collect()
}
