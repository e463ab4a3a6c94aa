//! Mermaid `erDiagram` text, which GitHub and most documentation sites render.
//!
//! Table names are quoted, so any name Mermaid can quote survives; the few characters a quoted
//! name cannot hold (`"`, `%`, `\`, line breaks) become their full-width look-alikes. Column
//! names and types are bare words in Mermaid's syntax: one that is not a plain ASCII word is
//! written with `_` for each other character, and its exact spelling goes into the column's
//! comment, with its nullability and composite unique constraints.

use std::fmt::Write;

use super::model::{Cardinality, Column, Diagram, Relation, Table};

/// The diagram as a Mermaid `erDiagram`.
pub fn render(diagram: &Diagram) -> String {
    let mut out = String::from("erDiagram\n");
    for table in &diagram.tables {
        write_table(&mut out, table);
    }
    for relation in &diagram.relations {
        write_relation(&mut out, relation);
    }
    out
}

fn write_table(out: &mut String, table: &Table) {
    if table.columns.is_empty() {
        let _ = writeln!(out, "    {}", entity(&table.name));
        return;
    }
    let _ = writeln!(out, "    {} {{", entity(&table.name));
    for column in &table.columns {
        let _ = writeln!(out, "        {}", attribute(table, column));
    }
    out.push_str("    }\n");
}

/// `VARCHAR(100) name UK "nullable"`.
fn attribute(table: &Table, column: &Column) -> String {
    let mut notes = Vec::new();
    let name = word(&column.name);
    if name != column.name {
        notes.push(column.name.clone());
    }
    let type_name = word(&column.type_name);
    if type_name != column.type_name {
        notes.push(column.type_name.clone());
    }
    if column.nullable {
        notes.push("nullable".to_owned());
    }
    for unique in &table.composite_uniques {
        if unique.contains(&column.name) {
            notes.push(format!("unique ({})", unique.join(", ")));
        }
    }
    let keys: Vec<&str> = [
        (column.primary_key, "PK"),
        (column.foreign_key, "FK"),
        (column.unique, "UK"),
    ]
    .into_iter()
    .filter_map(|(has, key)| has.then_some(key))
    .collect();
    let mut line = format!("{type_name} {name}");
    if !keys.is_empty() {
        let _ = write!(line, " {}", keys.join(", "));
    }
    if !notes.is_empty() {
        let _ = write!(line, " \"{}\"", notes.join("; ").replace('"', "＂"));
    }
    line
}

/// `"author" |o--o{ "post" : "author_id"`: the referenced table on the left.
fn write_relation(out: &mut String, relation: &Relation) {
    let (left, line, right) = match relation.cardinality {
        Cardinality::ManyToMany => ("}o", "..", "o{"),
        Cardinality::OneToMany | Cardinality::OneToOne => {
            let parent = if relation.optional { "|o" } else { "||" };
            let child = if relation.cardinality == Cardinality::OneToOne {
                "o|"
            } else {
                "o{"
            };
            (parent, "--", child)
        }
    };
    let (first, second) = match relation.cardinality {
        Cardinality::ManyToMany => (&relation.from, &relation.to),
        _ => (&relation.to, &relation.from),
    };
    let _ = writeln!(
        out,
        "    {} {left}{line}{right} {} : \"{}\"",
        entity(first),
        entity(second),
        relation.label().replace('"', "＂")
    );
}

/// A table name as a quoted Mermaid entity name.
fn entity(name: &str) -> String {
    let quoted: String = name
        .chars()
        .map(|c| match c {
            '"' => '＂',
            '%' => '％',
            '\\' => '＼',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    format!("\"{quoted}\"")
}

/// `text` as a bare Mermaid attribute word: ASCII letters, digits, `_`, `-`, `(`, `)`, `[`, `]`,
/// starting with a letter or `_`, and not a key keyword.
fn word(text: &str) -> String {
    let compact = text.replace(", ", ",");
    let mut word: String = compact
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_-()[]".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        word.insert(0, '_');
    }
    if ["pk", "fk", "uk"].contains(&word.to_ascii_lowercase().as_str()) {
        word.push('_');
    }
    if word == text { text.to_owned() } else { word }
}

#[cfg(test)]
mod tests {
    use super::super::model::tests::shop;
    use super::*;

    #[test]
    fn the_shop_diagram_has_every_table_and_relation() {
        let text = render(&Diagram::of(&shop()));
        let expected = r#"erDiagram
    "author" {
        BIGINT id PK
        VARCHAR(100) name UK
    }
    "category" {
        BIGINT id PK
        BIGINT parent_id FK "nullable"
    }
    "passport" {
        BIGINT id PK
        BIGINT author_id FK, UK
    }
    "post" {
        BIGINT id PK
        TEXT title______quoted_ "title <&> ＂quoted＂"
        BIGINT author_id FK "nullable"
        DECIMAL(10_2) price "DECIMAL(10, 2)"
    }
    "post_tag" {
        BIGINT id PK
        BIGINT post_id FK "unique (post_id, étiquette_id)"
        BIGINT _tiquette_id FK "étiquette_id; unique (post_id, étiquette_id)"
    }
    "étiquette" {
        BIGINT id PK
        VARCHAR(50) libell_ "libellé"
    }
    "category" |o--o{ "category" : "parent_id"
    "author" ||--o| "passport" : "author_id"
    "author" |o--o{ "post" : "author_id"
    "post" }o..o{ "étiquette" : "via post_tag"
    "post" ||--o{ "post_tag" : "post_id"
    "étiquette" ||--o{ "post_tag" : "étiquette_id"
"#;
        assert_eq!(text, expected);
    }

    #[test]
    fn names_mermaid_cannot_quote_or_parse_are_made_safe() {
        assert_eq!(entity("a\"b%c\\d\ne"), "\"a＂b％c＼d e\"");
        assert_eq!(word("pk"), "pk_");
        assert_eq!(word("9lives"), "_9lives");
        assert_eq!(word("plain_name"), "plain_name");
    }
}
