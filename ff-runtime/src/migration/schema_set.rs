//! The schema of a whole project: every table, by name, as a migration snapshot stores it.

use serde::{Deserialize, Serialize};

use crate::schema::TableDef;

/// Every table of a project, sorted by name so the same entities always give the same JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    /// The tables, sorted by name.
    pub tables: Vec<TableDef>,
}

impl Schema {
    /// A schema of these tables, sorted by name, with rename hints kept (they guide the diff).
    pub fn new(tables: impl IntoIterator<Item = TableDef>) -> Schema {
        let mut tables: Vec<TableDef> = tables.into_iter().collect();
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        Schema { tables }
    }

    /// The schema of these entities' tables: `Schema::of(&[Product::META, Category::META])`.
    pub fn of(tables: &[&TableDef]) -> Schema {
        Schema::new(tables.iter().map(|&table| table.clone()))
    }

    /// The table named `name`.
    pub fn table(&self, name: &str) -> Option<&TableDef> {
        self.tables.iter().find(|table| table.name == name)
    }

    /// The table named `name`, to change it.
    pub fn table_mut(&mut self, name: &str) -> Option<&mut TableDef> {
        self.tables.iter_mut().find(|table| table.name == name)
    }

    /// The schema as a snapshot stores it: rename hints removed, since a snapshot describes
    /// the result and not how it was reached.
    pub fn snapshot(&self) -> Schema {
        let mut snapshot = self.clone();
        for table in &mut snapshot.tables {
            table.renamed_from = None;
            for column in table.columns.to_mut() {
                column.renamed_from = None;
            }
        }
        snapshot.tables.sort_by(|a, b| a.name.cmp(&b.name));
        snapshot
    }

    /// The snapshot as pretty JSON: byte-identical for the same schema.
    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(&self.snapshot())
            .expect("a schema always serializes to JSON");
        json.push('\n');
        json
    }

    /// Reads a schema from the JSON [`Schema::to_json`] writes.
    pub fn from_json(json: &str) -> serde_json::Result<Schema> {
        serde_json::from_str(json)
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow::Borrowed;

    use super::*;

    fn table(name: &'static str, renamed_from: Option<&'static str>) -> TableDef {
        TableDef {
            name: Borrowed(name),
            columns: Borrowed(&[]),
            indexes: Borrowed(&[]),
            uniques: Borrowed(&[]),
            checks: Borrowed(&[]),
            foreign_keys: Borrowed(&[]),
            renamed_from: renamed_from.map(Borrowed),
        }
    }

    #[test]
    fn the_snapshot_json_is_the_same_whatever_the_order_and_hints() {
        let one = Schema::new([table("b", None), table("a", Some("old_a"))]);
        let two = Schema::new([table("a", None), table("b", None)]);
        assert_eq!(one.to_json(), two.to_json());
        assert!(!one.to_json().contains("old_a"));
        assert_eq!(Schema::from_json(&one.to_json()).unwrap(), two);
    }
}
