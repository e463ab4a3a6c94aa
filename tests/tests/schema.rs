//! `create_tables` builds what the metadata describes: checked by introspecting the live
//! database on every backend.

use diesel::sql_types::{Integer, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl, sql_query};
use ff_runtime::prelude::*;
use ff_runtime::{Backend, Repository};
use ff_tests::domain::{Category, Product, store_tables};
use ff_tests::each_backend;

/// A column as the database reports it.
#[derive(QueryableByName, Debug, PartialEq)]
struct LiveColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql_type: String,
    #[diesel(sql_type = Integer)]
    nullable: i32,
    #[diesel(sql_type = Nullable<Text>)]
    default_value: Option<String>,
}

#[derive(QueryableByName, Debug)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

fn columns(conn: &mut Connection, table: &str) -> Vec<LiveColumn> {
    let query = match conn.backend() {
        Backend::Sqlite => "SELECT name, type AS sql_type, 1 - \"notnull\" AS nullable, \
             dflt_value AS default_value FROM pragma_table_info(?) ORDER BY cid"
            .to_owned(),
        Backend::Postgres => "SELECT column_name::text AS name, data_type::text AS sql_type, \
             CASE is_nullable WHEN 'YES' THEN 1 ELSE 0 END AS nullable, \
             column_default::text AS default_value FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position"
            .to_owned(),
        Backend::Mysql => {
            "SELECT CAST(column_name AS CHAR) AS name, CAST(column_type AS CHAR) AS sql_type, \
             CASE is_nullable WHEN 'YES' THEN 1 ELSE 0 END AS nullable, \
             CAST(column_default AS CHAR) AS default_value FROM information_schema.columns \
             WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position"
                .to_owned()
        }
    };
    with_connection!(conn, |c| sql_query(&query)
        .bind::<Text, _>(table)
        .load::<LiveColumn>(c))
    .unwrap()
}

/// The names of the indexes, unique constraints and foreign keys of a table.
fn constraint_names(conn: &mut Connection, table: &str) -> Vec<String> {
    let query = match conn.backend() {
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE tbl_name = ? AND type = 'index' \
             AND name NOT LIKE 'sqlite_%' \
             UNION SELECT 'fk->' || \"table\" || '.' || \"to\" FROM pragma_foreign_key_list(?1) \
             ORDER BY 1"
            .to_owned(),
        Backend::Postgres => "SELECT indexname::text AS name FROM pg_indexes WHERE tablename = $1 \
             AND indexname NOT LIKE '%_pkey' \
             UNION SELECT conname::text FROM pg_constraint WHERE conrelid = $1::regclass \
             AND contype IN ('f', 'c') ORDER BY 1"
            .to_owned(),
        Backend::Mysql => {
            "SELECT DISTINCT CAST(index_name AS CHAR) AS name FROM information_schema.statistics \
             WHERE table_schema = DATABASE() AND table_name = ? AND index_name <> 'PRIMARY' \
             UNION SELECT CAST(constraint_name AS CHAR) FROM information_schema.table_constraints \
             WHERE table_schema = DATABASE() AND table_name = ? \
             AND constraint_type IN ('FOREIGN KEY', 'CHECK') ORDER BY 1"
                .to_owned()
        }
    };
    with_connection!(
        conn,
        |c| sql_query(&query).bind::<Text, _>(table).load::<Name>(c),
        mysql: |c| sql_query(&query).bind::<Text, _>(table).bind::<Text, _>(table).load::<Name>(c)
    )
    .unwrap()
    .into_iter()
    .map(|row| row.name)
    .collect()
}

#[test]
fn create_tables_builds_columns_with_their_types_nullability_and_defaults() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let live = columns(conn, "product");
        let names: Vec<&str> = live.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "id",
                "name",
                "description",
                "price",
                "is_active",
                "sku",
                "category_id"
            ]
        );
        let nullable: Vec<i32> = live.iter().map(|c| c.nullable).collect();
        assert_eq!(nullable, [0, 0, 1, 0, 0, 0, 1]);
        let types: Vec<String> = live.iter().map(|c| c.sql_type.to_lowercase()).collect();
        let expected: &[&str] = match conn.backend() {
            Backend::Sqlite => &[
                "integer",
                "varchar(255)",
                "text",
                "double",
                "boolean",
                "varchar(32)",
                "integer",
            ],
            Backend::Postgres => &[
                "integer",
                "character varying",
                "text",
                "double precision",
                "boolean",
                "character varying",
                "integer",
            ],
            Backend::Mysql => &[
                "int(11)",
                "varchar(255)",
                "text",
                "double",
                "tinyint(1)",
                "varchar(32)",
                "int(11)",
            ],
        };
        assert_eq!(types, expected);
        let is_active_default = live[4]
            .default_value
            .as_deref()
            .unwrap_or("")
            .to_lowercase();
        assert!(
            ["1", "true"].contains(&is_active_default.as_str()),
            "{is_active_default}"
        );
    });
}

#[test]
fn create_tables_builds_indexes_uniques_checks_and_foreign_keys_with_their_names() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let live = constraint_names(conn, "product");
        let expected: &[&str] = match conn.backend() {
            // SQLite names unique constraints' indexes itself and keeps no foreign key names.
            Backend::Sqlite => &[
                "fk->category.id",
                "ix_product_category_id_price",
                "ix_product_name",
            ],
            Backend::Postgres => &[
                "ck_product_price",
                "fk_product_category_id",
                "ix_product_category_id_price",
                "ix_product_name",
                "uq_product_sku",
            ],
            Backend::Mysql => &[
                "ck_product_price",
                "fk_product_category_id",
                "ix_product_category_id_price",
                "ix_product_name",
                "uq_product_sku",
            ],
        };
        assert_eq!(live, expected);
    });
}

#[test]
fn tables_are_created_parents_first_and_dropped_children_first() {
    each_backend(|conn| {
        // Given children first, with a self-referencing parent.
        conn.create_tables(&[Product::META, Category::META])
            .unwrap();
        let parent = Repository::<Category>::new(conn)
            .insert(&Category {
                id: 0,
                name: "Root".into(),
                parent_id: None,
            })
            .unwrap();
        Repository::<Category>::new(conn)
            .insert(&Category {
                id: 0,
                name: "Child".into(),
                parent_id: Some(parent.id),
            })
            .unwrap();
        conn.drop_tables(&[Category::META, Product::META]).unwrap();
        assert!(columns(conn, "product").is_empty());
        assert!(columns(conn, "category").is_empty());
    });
}

#[test]
fn on_delete_actions_are_enforced() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let mut categories = Repository::<Category>::new(conn);
        let root = categories
            .insert(&Category {
                id: 0,
                name: "Root".into(),
                parent_id: None,
            })
            .unwrap();
        let child = categories
            .insert(&Category {
                id: 0,
                name: "Child".into(),
                parent_id: Some(root.id),
            })
            .unwrap();
        categories.delete(&root).unwrap();
        // `on_delete = "set null"` on the self-reference.
        assert_eq!(categories.find(&child.id).unwrap().unwrap().parent_id, None);
    });
}

#[test]
fn a_transaction_commits_on_ok_and_rolls_back_on_err_and_on_panic() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let tag = |name: &str| ff_tests::domain::Tag {
            id: 0,
            name: name.into(),
        };
        conn.transaction(|conn| Repository::new(conn).insert(&tag("kept")).map(drop))
            .unwrap();
        let failed: Result<(), Error> = conn.transaction(|conn| {
            Repository::new(conn).insert(&tag("dropped"))?;
            Err(Error::NotFound {
                table: "tag".into(),
            })
        });
        assert!(failed.is_err());
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _: Result<(), Error> = conn.transaction(|conn| {
                Repository::new(conn).insert(&tag("panicked"))?;
                panic!("boom");
            });
        }));
        assert!(panicked.is_err(), "the panic goes on");
        // Nested: the inner failure rolls back to its savepoint only.
        conn.transaction(|conn| {
            Repository::new(conn).insert(&tag("outer"))?;
            let inner: Result<(), Error> = conn.transaction(|conn| {
                Repository::new(conn).insert(&tag("inner"))?;
                Err(Error::NotFound {
                    table: "tag".into(),
                })
            });
            assert!(inner.is_err());
            Ok::<_, Error>(())
        })
        .unwrap();
        let mut names: Vec<String> = Repository::<ff_tests::domain::Tag>::new(conn)
            .find_all()
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        names.sort();
        assert_eq!(names, ["kept", "outer"]);
    });
}
