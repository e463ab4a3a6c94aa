//! Rust names for SQL names: struct names for tables, field names for columns.

use std::collections::BTreeSet;

/// Rust's keywords, strict and reserved, of every edition: none can be a plain identifier.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// The names the derive's schema module holds itself: a field may not take them.
const MODULE_ITEMS: &[&str] = &["table", "columns", "dsl", "star", "all_columns"];

/// The words of a SQL name: runs of ASCII letters and digits, split where a lower-case letter
/// or digit is followed by an upper-case one (`orderItems` → `order`, `Items`).
fn words(sql: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in sql.chars() {
        if !c.is_ascii_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        word.push(c);
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The struct name of a table: its words in PascalCase (`order_items` → `OrderItems`), made a
/// valid identifier, unique among `taken`.
pub fn struct_name(table: &str, taken: &BTreeSet<String>) -> String {
    let mut name: String = words(table)
        .iter()
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    let module = snake_case(&name);
    let reserved = KEYWORDS.contains(&module.as_str()) || MODULE_ITEMS.contains(&module.as_str());
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) || reserved {
        name = format!("Table{name}");
    }
    unique(name, "", taken)
}

/// A name in snake_case (`OrderItems` → `order_items`), as the derive names the schema
/// module of a struct and as file names are written.
pub fn snake_case(name: &str) -> String {
    let mut snake = String::with_capacity(name.len() + 4);
    for (i, c) in name.char_indices() {
        if c.is_uppercase() {
            if i > 0 {
                snake.push('_');
            }
            snake.extend(c.to_lowercase());
        } else {
            snake.push(c);
        }
    }
    snake
}

/// The field name of a column: its words in snake_case, made a valid identifier that is no
/// keyword and none of the schema module's own names (`module` among them), unique among
/// `taken`.
pub fn field_name(column: &str, module: &str, taken: &BTreeSet<String>) -> String {
    let mut name = words(column)
        .iter()
        .map(|word| snake_case(word).to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if name.is_empty() {
        name = "column".to_owned();
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("c_{name}");
    }
    if KEYWORDS.contains(&name.as_str()) || MODULE_ITEMS.contains(&name.as_str()) || name == module
    {
        name.push('_');
    }
    unique(name, "_", taken)
}

/// `name`, or `name` with `separator` and 2, 3, … when it is taken.
fn unique(name: String, separator: &str, taken: &BTreeSet<String>) -> String {
    if !taken.contains(&name) {
        return name;
    }
    (2..)
        .map(|n| format!("{name}{separator}{n}"))
        .find(|candidate| !taken.contains(candidate))
        .expect("some suffix is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_become_pascal_case_struct_names() {
        let none = BTreeSet::new();
        assert_eq!(struct_name("order_items", &none), "OrderItems");
        assert_eq!(struct_name("orderItems", &none), "OrderItems");
        assert_eq!(struct_name("HTTP log", &none), "HttpLog");
        assert_eq!(struct_name("2024_sales", &none), "Table2024Sales");
        assert_eq!(struct_name("self", &none), "TableSelf");
        assert_eq!(struct_name("type", &none), "TableType");
        assert_eq!(struct_name("été", &none), "T");
        let taken = BTreeSet::from(["Post".to_owned()]);
        assert_eq!(struct_name("POST", &taken), "Post2");
    }

    #[test]
    fn columns_become_snake_case_identifiers_that_are_no_keyword() {
        let none = BTreeSet::new();
        assert_eq!(field_name("CreatedAt", "post", &none), "created_at");
        assert_eq!(field_name("type", "post", &none), "type_");
        assert_eq!(field_name("table", "post", &none), "table_");
        assert_eq!(field_name("post", "post", &none), "post_");
        assert_eq!(field_name("unit price (€)", "post", &none), "unit_price");
        assert_eq!(field_name("1st", "post", &none), "c_1st");
        assert_eq!(field_name("€", "post", &none), "column");
        let taken = BTreeSet::from(["a_b".to_owned()]);
        assert_eq!(field_name("a-b", "post", &taken), "a_b_2");
    }
}
