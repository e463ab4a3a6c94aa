//! `cargo ff create entity`: the code it writes, apart from the command that runs it.

pub mod field;
pub mod layout;
pub mod names;
pub mod prompt;
pub mod source;
pub mod types;

use field::Field;
use names::EntityName;

/// The source of a new entity file: the `use` lines, then the struct with an `i64` key `id`
/// and `fields`, the table named `table` when given.
pub fn new_entity(
    name: &EntityName,
    table: Option<&str>,
    imports: &[String],
    fields: &[Field],
) -> String {
    let mut text = String::from("use ff_runtime::prelude::*;\n");
    if !imports.is_empty() {
        text.push('\n');
        text.push_str(&imports.concat());
    }
    text.push_str("\n#[derive(Debug, Clone, PartialEq, Entity)]\n");
    if let Some(table) = table {
        text.push_str(&format!("#[ff(table = {table:?})]\n"));
    }
    text.push_str(&format!(
        "pub struct {} {{\n    pub id: i64,\n",
        name.pascal
    ));
    for field in fields {
        text.push_str(&field.render("    "));
    }
    text.push_str("}\n");
    text
}

/// The `use` line that brings entity `name` from the sibling module `module` into scope.
pub fn import(module: &str, name: &str) -> String {
    format!("use super::{module}::{name};\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_entity_file_is_idiomatic_and_parses() {
        let name = EntityName::parse("order_line").unwrap();
        let fields = [field::parse_field("label:string:length=40", "order_line").unwrap()];
        let text = new_entity(
            &name,
            Some("order lines"),
            &[import("order", "Order")],
            &fields,
        );
        assert_eq!(
            text,
            "use ff_runtime::prelude::*;\n\nuse super::order::Order;\n\n#[derive(Debug, Clone, PartialEq, Entity)]\n#[ff(table = \"order lines\")]\npub struct OrderLine {\n    pub id: i64,\n    #[ff(length = 40)]\n    pub label: String,\n}\n"
        );
        syn::parse_file(&text).unwrap();
    }
}
