//! What a diagram shows: tables with their columns and keys, and the relations between them.

use ff_runtime::migration::{Schema, type_name};
use ff_runtime::schema::{ForeignKeyDef, TableDef};

/// The tables of a schema and every relation between them, sorted by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    /// The tables, by name.
    pub tables: Vec<Table>,
    /// The relations, by their tables and columns.
    pub relations: Vec<Relation>,
}

/// One table and its columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The table name.
    pub name: String,
    /// The columns, in table order.
    pub columns: Vec<Column>,
    /// Unique constraints over more than one column (a single column one marks the column).
    pub composite_uniques: Vec<Vec<String>>,
}

/// One column and the keys it takes part in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The column name.
    pub name: String,
    /// The type in ff's neutral spelling (`VARCHAR(120)`, `DECIMAL(10, 2)`).
    pub type_name: String,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// Whether the column is (part of) the primary key.
    pub primary_key: bool,
    /// Whether the column is (part of) a foreign key.
    pub foreign_key: bool,
    /// Whether the column alone is unique.
    pub unique: bool,
}

/// How many rows of each side a relation links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cardinality {
    /// Each row of `to` has any number of `from` rows (a foreign key).
    OneToMany,
    /// Each row of `to` has at most one `from` row (a unique foreign key).
    OneToOne,
    /// Rows of `from` and `to` are linked through the rows of a join table.
    ManyToMany,
}

/// A relation between two tables (the same one twice for a self-reference).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Relation {
    /// The table holding the foreign key; for many-to-many, the first end.
    pub from: String,
    /// The referenced table; for many-to-many, the second end.
    pub to: String,
    /// The foreign key columns of `from`; for many-to-many, the join table's two foreign keys'.
    pub columns: Vec<String>,
    /// The join table of a many-to-many relation.
    pub through: Option<String>,
    /// How many rows of each side the relation links.
    pub cardinality: Cardinality,
    /// Whether a `from` row may refer to no `to` row (a nullable foreign key).
    pub optional: bool,
}

impl Table {
    /// `PK FK UK NULL`: the keys of a column (`UK*` for a unique constraint over more
    /// columns) and whether it takes NULL.
    pub fn markers(&self, column: &Column) -> String {
        let composite = self
            .composite_uniques
            .iter()
            .any(|unique| unique.contains(&column.name));
        [
            (column.primary_key, "PK"),
            (column.foreign_key, "FK"),
            (column.unique, "UK"),
            (composite, "UK*"),
            (column.nullable, "NULL"),
        ]
        .into_iter()
        .filter_map(|(has, marker)| has.then_some(marker))
        .collect::<Vec<_>>()
        .join(" ")
    }
}

impl Relation {
    /// What the relation's line is labelled with: the foreign key columns, or the join table.
    pub fn label(&self) -> String {
        match &self.through {
            Some(join) => format!("via {join}"),
            None => self.columns.join(", "),
        }
    }
}

impl Diagram {
    /// The diagram of `schema`: its tables, a relation per foreign key, and a many-to-many
    /// relation per join table (a table with two foreign keys that together form its primary
    /// key or a unique constraint).
    pub fn of(schema: &Schema) -> Diagram {
        let mut tables: Vec<Table> = schema.tables.iter().map(table).collect();
        let mut relations: Vec<Relation> = schema
            .tables
            .iter()
            .flat_map(|table| {
                let join = join_ends(table);
                table
                    .foreign_keys
                    .iter()
                    .map(|fk| foreign_key_relation(table, fk))
                    .chain(join)
                    .collect::<Vec<_>>()
            })
            .collect();
        relations.sort();
        // A foreign key to a table outside the schema (another PostgreSQL schema, a table
        // the entities do not declare) still gets a box, without columns.
        for relation in &relations {
            for end in [&relation.from, &relation.to] {
                if !tables.iter().any(|table| &table.name == end) {
                    tables.push(Table {
                        name: end.clone(),
                        columns: Vec::new(),
                        composite_uniques: Vec::new(),
                    });
                }
            }
        }
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        Diagram { tables, relations }
    }
}

fn table(def: &TableDef) -> Table {
    let single_uniques: Vec<&str> = def
        .uniques
        .iter()
        .filter(|unique| unique.columns.len() == 1)
        .map(|unique| unique.columns[0].as_ref())
        .collect();
    Table {
        name: def.name.to_string(),
        columns: def
            .columns
            .iter()
            .map(|column| Column {
                name: column.name.to_string(),
                type_name: type_name(&column.sql_type),
                nullable: column.nullable && !column.primary_key,
                primary_key: column.primary_key,
                foreign_key: def
                    .foreign_keys
                    .iter()
                    .any(|fk| fk.columns.contains(&column.name)),
                unique: single_uniques.contains(&column.name.as_ref()),
            })
            .collect(),
        composite_uniques: def
            .uniques
            .iter()
            .filter(|unique| unique.columns.len() > 1)
            .map(|unique| unique.columns.iter().map(|c| c.to_string()).collect())
            .collect(),
    }
}

/// Whether exactly `columns` (in any order) are the primary key or a unique constraint.
fn is_key(table: &TableDef, columns: &[&str]) -> bool {
    let same = |other: Vec<&str>| {
        other.len() == columns.len() && columns.iter().all(|column| other.contains(column))
    };
    let primary_key = table
        .columns
        .iter()
        .filter(|column| column.primary_key)
        .map(|column| column.name.as_ref())
        .collect();
    same(primary_key)
        || table
            .uniques
            .iter()
            .any(|unique| same(unique.columns.iter().map(|c| c.as_ref()).collect()))
}

fn foreign_key_relation(table: &TableDef, fk: &ForeignKeyDef) -> Relation {
    let columns: Vec<&str> = fk.columns.iter().map(|c| c.as_ref()).collect();
    Relation {
        from: table.name.to_string(),
        to: fk.referenced_table.to_string(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        through: None,
        cardinality: if is_key(table, &columns) {
            Cardinality::OneToOne
        } else {
            Cardinality::OneToMany
        },
        optional: table
            .columns
            .iter()
            .any(|column| column.nullable && fk.columns.contains(&column.name)),
    }
}

/// The many-to-many relations `table` makes as a join table: one for each pair of its
/// foreign keys whose columns together are its primary key or a unique constraint.
fn join_ends(table: &TableDef) -> Vec<Relation> {
    let keys = &table.foreign_keys;
    let pairs = (0..keys.len()).flat_map(|i| (i + 1..keys.len()).map(move |j| (i, j)));
    pairs
        .filter_map(|(i, j)| {
            let (first, second) = if keys[i].referenced_table <= keys[j].referenced_table {
                (&keys[i], &keys[j])
            } else {
                (&keys[j], &keys[i])
            };
            let columns: Vec<&str> = first
                .columns
                .iter()
                .chain(second.columns.iter())
                .map(|c| c.as_ref())
                .collect();
            is_key(table, &columns).then(|| Relation {
                from: first.referenced_table.to_string(),
                to: second.referenced_table.to_string(),
                columns: columns.iter().map(|c| c.to_string()).collect(),
                through: Some(table.name.to_string()),
                cardinality: Cardinality::ManyToMany,
                optional: true,
            })
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use ff_runtime::schema::{
        ColumnDef, ColumnType, ForeignKeyDef, ReferentialAction, TableDef, UniqueDef,
    };

    use super::*;

    fn id() -> ColumnDef {
        ColumnDef {
            primary_key: true,
            auto_increment: true,
            ..ColumnDef::new("id", ColumnType::BigInt, false)
        }
    }

    fn fk(name: &str, column: &str, parent: &str) -> ForeignKeyDef {
        ForeignKeyDef {
            name: name.to_owned().into(),
            columns: vec![column.to_owned().into()].into(),
            referenced_table: parent.to_owned().into(),
            referenced_columns: vec!["id".into()].into(),
            on_delete: ReferentialAction::Cascade,
            on_update: ReferentialAction::NoAction,
        }
    }

    fn unique(name: &str, columns: &[&str]) -> UniqueDef {
        UniqueDef {
            name: name.to_owned().into(),
            columns: columns.iter().map(|c| c.to_string().into()).collect(),
        }
    }

    fn table(
        name: &str,
        columns: Vec<ColumnDef>,
        uniques: Vec<UniqueDef>,
        foreign_keys: Vec<ForeignKeyDef>,
    ) -> TableDef {
        TableDef {
            uniques: uniques.into(),
            foreign_keys: foreign_keys.into(),
            ..TableDef::new(name.to_owned(), columns)
        }
    }

    /// A shop with every kind of relation: `author` 1-N `post` (nullable), `author` 1-1
    /// `passport`, `post` N-N `étiquette` through `post_tag`, `category` referring to itself,
    /// and names a diagram must escape in every format.
    pub(crate) fn shop() -> Schema {
        let text = |name: &str, sql_type| ColumnDef::new(name.to_owned(), sql_type, false);
        Schema::new([
            table(
                "author",
                vec![id(), text("name", ColumnType::Varchar(100))],
                vec![unique("author_name_key", &["name"])],
                vec![],
            ),
            table(
                "passport",
                vec![id(), text("author_id", ColumnType::BigInt)],
                vec![unique("passport_author_key", &["author_id"])],
                vec![fk("passport_author_fk", "author_id", "author")],
            ),
            table(
                "post",
                vec![
                    id(),
                    text("title <&> \"quoted\"", ColumnType::Text),
                    ColumnDef::new("author_id", ColumnType::BigInt, true),
                    text(
                        "price",
                        ColumnType::Decimal {
                            precision: 10,
                            scale: 2,
                        },
                    ),
                ],
                vec![],
                vec![fk("post_author_fk", "author_id", "author")],
            ),
            table(
                "étiquette",
                vec![id(), text("libellé", ColumnType::Varchar(50))],
                vec![],
                vec![],
            ),
            table(
                "post_tag",
                vec![
                    id(),
                    text("post_id", ColumnType::BigInt),
                    text("étiquette_id", ColumnType::BigInt),
                ],
                vec![unique("post_tag_key", &["post_id", "étiquette_id"])],
                vec![
                    fk("post_tag_post_fk", "post_id", "post"),
                    fk("post_tag_tag_fk", "étiquette_id", "étiquette"),
                ],
            ),
            table(
                "category",
                vec![id(), ColumnDef::new("parent_id", ColumnType::BigInt, true)],
                vec![],
                vec![fk("category_parent_fk", "parent_id", "category")],
            ),
        ])
    }

    impl Diagram {
        fn table(&self, name: &str) -> Option<&Table> {
            self.tables.iter().find(|table| table.name == name)
        }
    }

    fn relation(diagram: &Diagram, from: &str, to: &str) -> Relation {
        diagram
            .relations
            .iter()
            .find(|r| r.from == from && r.to == to)
            .unwrap_or_else(|| panic!("no relation {from} -> {to}: {:#?}", diagram.relations))
            .clone()
    }

    #[test]
    fn every_kind_of_relation_gets_its_cardinality() {
        let diagram = Diagram::of(&shop());
        let post = relation(&diagram, "post", "author");
        assert_eq!(post.cardinality, Cardinality::OneToMany);
        assert!(post.optional);
        let passport = relation(&diagram, "passport", "author");
        assert_eq!(passport.cardinality, Cardinality::OneToOne);
        assert!(!passport.optional);
        let tags = relation(&diagram, "post", "étiquette");
        assert_eq!(tags.cardinality, Cardinality::ManyToMany);
        assert_eq!(tags.through.as_deref(), Some("post_tag"));
        assert_eq!(tags.label(), "via post_tag");
        let parent = relation(&diagram, "category", "category");
        assert_eq!(parent.cardinality, Cardinality::OneToMany);
        assert_eq!(parent.label(), "parent_id");
        for end in ["post", "étiquette"] {
            assert_eq!(
                relation(&diagram, "post_tag", end).cardinality,
                Cardinality::OneToMany
            );
        }
        assert_eq!(diagram.relations.len(), 6);
    }

    #[test]
    fn columns_carry_their_keys_nullability_and_neutral_type() {
        let diagram = Diagram::of(&shop());
        let post = diagram.table("post").unwrap();
        let author_id = &post.columns[2];
        assert!(author_id.foreign_key && author_id.nullable && !author_id.primary_key);
        assert_eq!(post.columns[3].type_name, "DECIMAL(10, 2)");
        assert!(post.columns[0].primary_key && !post.columns[0].nullable);
        assert!(diagram.table("author").unwrap().columns[1].unique);
        assert_eq!(
            diagram.table("post_tag").unwrap().composite_uniques,
            vec![vec!["post_id".to_owned(), "étiquette_id".to_owned()]]
        );
    }

    #[test]
    fn a_table_referenced_from_outside_the_schema_gets_a_box_without_columns() {
        let mut schema = shop();
        schema.table_mut("post").unwrap().foreign_keys =
            vec![fk("post_site_fk", "author_id", "other.site")].into();
        let diagram = Diagram::of(&schema);
        assert_eq!(diagram.table("other.site").unwrap().columns, []);
        let svg = super::super::svg(&diagram);
        assert!(svg.contains("data-table=\"other.site\""), "{svg}");
        let mermaid = super::super::mermaid(&diagram);
        assert!(mermaid.contains("    \"other.site\"\n"), "{mermaid}");
    }

    #[test]
    fn a_join_table_may_hold_more_foreign_keys_than_its_two_ends() {
        let mut schema = shop();
        let join = schema.table_mut("post_tag").unwrap();
        join.columns
            .to_mut()
            .push(ColumnDef::new("added_by", ColumnType::BigInt, true));
        join.foreign_keys
            .to_mut()
            .push(fk("post_tag_added_by_fk", "added_by", "author"));
        let diagram = Diagram::of(&schema);
        let many: Vec<(&str, &str)> = diagram
            .relations
            .iter()
            .filter(|r| r.cardinality == Cardinality::ManyToMany)
            .map(|r| (r.from.as_str(), r.to.as_str()))
            .collect();
        assert_eq!(many, [("post", "étiquette")]);
        assert_eq!(
            relation(&diagram, "post_tag", "author").cardinality,
            Cardinality::OneToMany
        );
    }

    #[test]
    fn a_table_with_two_foreign_keys_that_are_not_a_key_is_no_join_table() {
        let mut schema = shop();
        schema.table_mut("post_tag").unwrap().uniques = Vec::new().into();
        let diagram = Diagram::of(&schema);
        assert!(
            diagram
                .relations
                .iter()
                .all(|r| r.cardinality != Cardinality::ManyToMany)
        );
    }
}
