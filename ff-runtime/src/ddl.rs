//! Statements that create or drop a set of tables, ordered so foreign keys hold.

use crate::dialect::Dialect;
use crate::schema::TableDef;

/// The statements that create `tables` on `dialect`: parents before children, indexes after
/// their table, and foreign keys of a cycle added once every table of it exists.
pub fn create_statements(dialect: &dyn Dialect, tables: &[&TableDef]) -> Vec<String> {
    let order = creation_order(tables);
    let mut created: Vec<&str> = Vec::new();
    let mut statements = Vec::new();
    let mut deferred_fks = Vec::new();
    for table in &order {
        let deferred: Vec<&str> = if dialect.foreign_keys_checked_lazily() {
            Vec::new()
        } else {
            table
                .foreign_keys
                .iter()
                .filter(|fk| {
                    fk.referenced_table != table.name
                        && !created.contains(&fk.referenced_table.as_ref())
                })
                .map(|fk| fk.name.as_ref())
                .collect()
        };
        statements.push(dialect.create_table(table, &deferred));
        statements.extend(dialect.create_indexes(table));
        for fk in table.foreign_keys.iter() {
            if deferred.contains(&fk.name.as_ref()) {
                deferred_fks.push(dialect.add_foreign_key(&table.name, fk));
            }
        }
        created.push(&table.name);
    }
    statements.extend(deferred_fks);
    statements
}

/// The statements that drop `tables`: children before parents.
pub fn drop_statements(dialect: &dyn Dialect, tables: &[&TableDef]) -> Vec<String> {
    creation_order(tables)
        .iter()
        .rev()
        .map(|table| dialect.drop_table(&table.name))
        .collect()
}

/// Orders tables so that each comes after the tables it refers to. Tables in a cycle keep
/// their given order; their foreign keys are then added after creation.
pub fn creation_order<'a>(tables: &[&'a TableDef]) -> Vec<&'a TableDef> {
    let mut ordered: Vec<&TableDef> = Vec::with_capacity(tables.len());
    let mut remaining: Vec<&TableDef> = tables.to_vec();
    while !remaining.is_empty() {
        let ready = remaining.iter().position(|table| {
            table.referenced_tables().all(|parent| {
                ordered.iter().any(|done| done.name == parent)
                    || !remaining.iter().any(|other| other.name == parent)
            })
        });
        // In a cycle no table is ready: take the first one and break the cycle there.
        let next = remaining.remove(ready.unwrap_or(0));
        ordered.push(next);
    }
    ordered
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow::Borrowed;

    use super::*;
    use crate::dialect::Backend;
    use crate::schema::*;

    fn column(name: &'static str, sql_type: ColumnType, nullable: bool) -> ColumnDef {
        ColumnDef::new(name, sql_type, nullable)
    }

    fn id() -> ColumnDef {
        ColumnDef {
            primary_key: true,
            auto_increment: true,
            ..column("id", ColumnType::Integer, false)
        }
    }

    fn fk(name: &'static str, column: &'static str, parent: &'static str) -> ForeignKeyDef {
        ForeignKeyDef {
            name: Borrowed(name),
            columns: vec![Borrowed(column)].into(),
            referenced_table: Borrowed(parent),
            referenced_columns: vec![Borrowed("id")].into(),
            on_delete: ReferentialAction::Cascade,
            on_update: ReferentialAction::NoAction,
        }
    }

    fn table(name: &'static str, columns: Vec<ColumnDef>, fks: Vec<ForeignKeyDef>) -> TableDef {
        TableDef {
            name: Borrowed(name),
            columns: columns.into(),
            indexes: Borrowed(&[]),
            uniques: Borrowed(&[]),
            checks: Borrowed(&[]),
            foreign_keys: fks.into(),
            renamed_from: None,
        }
    }

    fn product() -> TableDef {
        TableDef {
            indexes: vec![IndexDef {
                name: Borrowed("ix_product_name"),
                columns: vec![Borrowed("name")].into(),
                unique: false,
                predicate: None,
            }]
            .into(),
            uniques: vec![UniqueDef {
                name: Borrowed("uq_product_sku"),
                columns: vec![Borrowed("sku")].into(),
            }]
            .into(),
            checks: vec![CheckDef {
                name: Borrowed("ck_product_price"),
                expression: Borrowed("price >= 0"),
            }]
            .into(),
            ..table(
                "product",
                vec![
                    id(),
                    column("name", ColumnType::Text, false),
                    column("sku", ColumnType::Varchar(32), false),
                    ColumnDef {
                        default: Some(DefaultValue::Text(Borrowed("it's"))),
                        ..column("note", ColumnType::Text, true)
                    },
                    ColumnDef {
                        default: Some(DefaultValue::Bool(true)),
                        ..column("active", ColumnType::Boolean, false)
                    },
                    ColumnDef {
                        default: Some(DefaultValue::CurrentTimestamp),
                        ..column("created_at", ColumnType::Timestamp, false)
                    },
                    column(
                        "price",
                        ColumnType::Decimal {
                            precision: 10,
                            scale: 2,
                        },
                        false,
                    ),
                    column("category_id", ColumnType::Integer, true),
                ],
                vec![fk("fk_product_category_id", "category_id", "category")],
            )
        }
    }

    #[test]
    fn create_table_is_rendered_per_dialect() {
        let category = table("category", vec![id()], vec![]);
        let product = product();
        let rendered = |backend: Backend| {
            create_statements(backend.dialect(), &[&product, &category]).join(";\n")
        };
        assert_eq!(
            rendered(Backend::Sqlite),
            r#"CREATE TABLE "category" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL
);
CREATE TABLE "product" (
  "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  "name" TEXT NOT NULL,
  "sku" VARCHAR(32) NOT NULL,
  "note" TEXT DEFAULT 'it''s',
  "active" BOOLEAN NOT NULL DEFAULT 1,
  "created_at" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "price" DECIMAL(10, 2) NOT NULL,
  "category_id" INTEGER,
  CONSTRAINT "uq_product_sku" UNIQUE ("sku"),
  CONSTRAINT "ck_product_price" CHECK (price >= 0),
  CONSTRAINT "fk_product_category_id" FOREIGN KEY ("category_id") REFERENCES "category" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
);
CREATE INDEX "ix_product_name" ON "product" ("name")"#
        );
        assert_eq!(
            rendered(Backend::Postgres),
            r#"CREATE TABLE "category" (
  "id" INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY
);
CREATE TABLE "product" (
  "id" INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  "name" TEXT NOT NULL,
  "sku" VARCHAR(32) NOT NULL,
  "note" TEXT DEFAULT 'it''s',
  "active" BOOLEAN NOT NULL DEFAULT TRUE,
  "created_at" TIMESTAMP NOT NULL DEFAULT LOCALTIMESTAMP,
  "price" NUMERIC(10, 2) NOT NULL,
  "category_id" INTEGER,
  CONSTRAINT "uq_product_sku" UNIQUE ("sku"),
  CONSTRAINT "ck_product_price" CHECK (price >= 0),
  CONSTRAINT "fk_product_category_id" FOREIGN KEY ("category_id") REFERENCES "category" ("id") ON DELETE CASCADE ON UPDATE NO ACTION
);
CREATE INDEX "ix_product_name" ON "product" ("name")"#
        );
        assert_eq!(
            rendered(Backend::Mysql),
            r#"CREATE TABLE `category` (
  `id` INT NOT NULL AUTO_INCREMENT PRIMARY KEY
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE `product` (
  `id` INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `name` VARCHAR(255) NOT NULL,
  `sku` VARCHAR(32) NOT NULL,
  `note` TEXT DEFAULT ('it''s'),
  `active` BOOLEAN NOT NULL DEFAULT TRUE,
  `created_at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  `price` DECIMAL(10, 2) NOT NULL,
  `category_id` INT,
  CONSTRAINT `uq_product_sku` UNIQUE (`sku`),
  CONSTRAINT `ck_product_price` CHECK (price >= 0),
  CONSTRAINT `fk_product_category_id` FOREIGN KEY (`category_id`) REFERENCES `category` (`id`) ON DELETE CASCADE ON UPDATE NO ACTION
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX `ix_product_name` ON `product` (`name`)"#
        );
    }

    #[test]
    fn identifiers_are_quoted_with_embedded_quotes_doubled() {
        assert_eq!(Backend::Sqlite.dialect().quote(r#"we"ird"#), r#""we""ird""#);
        assert_eq!(Backend::Mysql.dialect().quote("we`ird"), "`we``ird`");
        assert_eq!(
            Backend::Mysql.dialect().string_literal(r"a\b'c"),
            r"'a\\b''c'"
        );
    }

    #[test]
    fn a_foreign_key_cycle_is_closed_with_alter_table_after_both_tables_exist() {
        let a = table(
            "a",
            vec![id(), column("b_id", ColumnType::Integer, true)],
            vec![fk("fk_a_b_id", "b_id", "b")],
        );
        let b = table(
            "b",
            vec![id(), column("a_id", ColumnType::Integer, true)],
            vec![fk("fk_b_a_id", "a_id", "a")],
        );
        let statements = create_statements(Backend::Postgres.dialect(), &[&a, &b]);
        assert_eq!(statements.len(), 3);
        assert!(statements[0].starts_with(r#"CREATE TABLE "a""#));
        assert!(!statements[0].contains("fk_a_b_id"));
        assert!(statements[1].contains(r#"CONSTRAINT "fk_b_a_id""#));
        assert_eq!(
            statements[2],
            r#"ALTER TABLE "a" ADD CONSTRAINT "fk_a_b_id" FOREIGN KEY ("b_id") REFERENCES "b" ("id") ON DELETE CASCADE ON UPDATE NO ACTION"#
        );
        // SQLite checks foreign keys when rows are written, so the cycle needs no ALTER.
        let sqlite = create_statements(Backend::Sqlite.dialect(), &[&a, &b]);
        assert_eq!(sqlite.len(), 2);
        assert_eq!(
            drop_statements(Backend::Sqlite.dialect(), &[&a, &b]).len(),
            2
        );
    }

    #[test]
    fn children_are_created_after_their_parents_whatever_the_given_order() {
        let grandparent = table("g", vec![id()], vec![]);
        let parent = table("p", vec![id()], vec![fk("fk_p", "g_id", "g")]);
        let child = table(
            "c",
            vec![id()],
            vec![fk("fk_c", "p_id", "p"), fk("fk_c_self", "c_id", "c")],
        );
        let order: Vec<&str> = creation_order(&[&child, &parent, &grandparent])
            .iter()
            .map(|t| t.name.as_ref())
            .collect();
        assert_eq!(order, ["g", "p", "c"]);
        let drops = drop_statements(
            Backend::Postgres.dialect(),
            &[&grandparent, &child, &parent],
        );
        assert_eq!(
            drops,
            [
                r#"DROP TABLE "c""#,
                r#"DROP TABLE "p""#,
                r#"DROP TABLE "g""#
            ]
        );
    }
}
