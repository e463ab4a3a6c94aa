//! Names of entities and fields: checked, and turned into struct, module and field names.

/// Rust's keywords (strict and reserved, all editions): none can name a module or a field.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "try",
    "type", "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield",
];

/// Names the generated schema module holds: a field cannot take them.
const SCHEMA_MODULE_NAMES: &[&str] = &["table", "columns", "dsl", "star", "all_columns"];

/// Whether `word` is a Rust keyword.
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// An entity's names: `OrderItem` is the struct, `order_item` the module, file and table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityName {
    /// The struct name, PascalCase.
    pub pascal: String,
    /// The module and file name, snake_case (what the derive names its schema module).
    pub snake: String,
}

impl EntityName {
    /// Reads `Product`, `product`, `OrderItem` or `order_item`.
    pub fn parse(name: &str) -> Result<EntityName, String> {
        let first = name.chars().next();
        if !first.is_some_and(|c| c.is_ascii_alphabetic())
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(format!(
                "`{name}` is not an entity name: use ASCII letters, digits and `_`, starting with a letter (e.g. `Product` or `order_item`); a module file cannot have another name, but the table can: pass --table"
            ));
        }
        let pascal = pascal_case(name);
        let snake = snake_case(&pascal);
        if is_keyword(&snake) || is_keyword(&pascal) {
            return Err(format!(
                "`{name}` cannot name an entity: its module `{snake}` would be the Rust keyword `{snake}`; choose another name (e.g. `{pascal}Entry`) and keep the table name with --table {snake}"
            ));
        }
        Ok(EntityName { pascal, snake })
    }
}

/// Checks a field name: a snake_case identifier, not a keyword, not a name the generated
/// schema module of `module` takes.
pub fn check_field_name(name: &str, module: &str) -> Result<(), String> {
    if is_keyword(name) {
        return Err(format!(
            "`{name}` is a Rust keyword and cannot name a field; name the field e.g. `{name}_` and keep the column name with the option column={name} (`--field {name}_:TYPE:column={name}`)"
        ));
    }
    if syn::parse_str::<syn::Ident>(name).is_err() || name.starts_with("r#") {
        return Err(format!(
            "`{name}` is not a field name: use letters, digits and `_`, not starting with a digit (e.g. `unit_price`)"
        ));
    }
    let snake = snake_case(name);
    if snake != name {
        return Err(format!(
            "field names are snake_case: write `{snake}` instead of `{name}`"
        ));
    }
    if SCHEMA_MODULE_NAMES.contains(&name) || name == module {
        return Err(format!(
            "the field name `{name}` is taken by the generated schema module `{module}`; name the field e.g. `{name}_name` and keep the column name with the option column={name}"
        ));
    }
    Ok(())
}

/// `order_item` or `orderItem` → `OrderItem`.
pub fn pascal_case(name: &str) -> String {
    let mut pascal = String::with_capacity(name.len());
    let mut upper = true;
    for ch in name.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            pascal.extend(ch.to_uppercase());
            upper = false;
        } else {
            pascal.push(ch);
        }
    }
    pascal
}

/// `OrderItem` → `order_item`, as the derive names an entity's module and table.
pub fn snake_case(name: &str) -> String {
    let mut snake = String::with_capacity(name.len() + 4);
    for (i, ch) in name.char_indices() {
        if ch.is_uppercase() {
            if i > 0 && !snake.ends_with('_') {
                snake.push('_');
            }
            snake.extend(ch.to_lowercase());
        } else {
            snake.push(ch);
        }
    }
    snake
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_names_are_read_in_either_case() {
        for (input, pascal, snake) in [
            ("Product", "Product", "product"),
            ("product", "Product", "product"),
            ("order_item", "OrderItem", "order_item"),
            ("OrderItem", "OrderItem", "order_item"),
            ("Order", "Order", "order"),
        ] {
            let name = EntityName::parse(input).unwrap();
            assert_eq!((name.pascal.as_str(), name.snake.as_str()), (pascal, snake));
        }
    }

    #[test]
    fn bad_entity_names_are_refused_with_the_fix() {
        for (input, needle) in [
            ("type", "keyword `type`"),
            ("Self_", "keyword"),
            ("Crate", "keyword `crate`"),
            ("2fast", "not an entity name"),
            ("étiquette", "--table"),
            ("", "not an entity name"),
            ("my-entity", "not an entity name"),
        ] {
            let error = EntityName::parse(input).unwrap_err();
            assert!(error.contains(needle), "{input}: {error}");
        }
    }

    #[test]
    fn bad_field_names_are_refused_with_the_fix() {
        for (input, needle) in [
            ("type", "column=type"),
            ("fn", "Rust keyword"),
            ("unitPrice", "`unit_price`"),
            ("9lives", "not a field name"),
            ("table", "schema module"),
            ("product", "schema module"),
            ("a b", "not a field name"),
        ] {
            let error = check_field_name(input, "product").unwrap_err();
            assert!(error.contains(needle), "{input}: {error}");
        }
        for good in ["name", "libellé", "unit_price", "x2"] {
            check_field_name(good, "product").unwrap();
        }
    }
}
