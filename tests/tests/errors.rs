//! Constraint violations and connection failures are told apart and named on every backend.

use ff_runtime::prelude::*;
use ff_runtime::{Backend, Repository};
use ff_tests::domain::{
    Category, Customer, LooseNote, Product, ProductTag, StrictNote, Tag, store_tables,
};
use ff_tests::each_backend;

#[test]
fn a_duplicate_unique_value_is_a_unique_violation_naming_the_constraint() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let mut repo = Repository::<Product>::new(conn);
        repo.insert(&Product::new("Lamp", 1.0, "SKU-1", None))
            .unwrap();
        match repo.insert(&Product::new("Lamp", 2.0, "SKU-1", None)) {
            Err(Error::UniqueViolation {
                table, constraint, ..
            }) => {
                assert_eq!(
                    (table.as_str(), constraint.as_str()),
                    ("product", "uq_product_sku")
                );
            }
            other => panic!("expected a unique violation, got {other:?}"),
        }
    });
}

#[test]
fn a_duplicate_composite_unique_is_named_too() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let p = Repository::<Product>::new(conn)
            .insert(&Product::new("Lamp", 1.0, "S", None))
            .unwrap();
        let t = Repository::<Tag>::new(conn)
            .insert(&Tag {
                id: 0,
                name: "t".into(),
            })
            .unwrap();
        let mut links = Repository::<ProductTag>::new(conn);
        let link = ProductTag {
            id: 0,
            product_id: p.id,
            tag_id: t.id,
        };
        links.insert(&link).unwrap();
        let error = links.insert(&link).unwrap_err();
        assert!(
            matches!(&error, Error::UniqueViolation { table, constraint, .. }
                if table == "product_tag" && constraint == "uq_product_tag_product_id_tag_id"),
            "{error:?}"
        );
    });
}

#[test]
fn a_duplicate_primary_key_is_a_unique_violation() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let ada = Customer {
            uid: uuid::Uuid::new_v4(),
            email: "ada@example.com".into(),
            name: "Ada".into(),
            cart_size: 0,
        };
        let mut repo = Repository::<Customer>::new(conn);
        repo.insert(&ada).unwrap();
        let twin = Customer {
            email: "other@example.com".into(),
            ..ada
        };
        let error = repo.insert(&twin).unwrap_err();
        let Error::UniqueViolation {
            table, constraint, ..
        } = &error
        else {
            panic!("expected a unique violation, got {error:?}");
        };
        assert_eq!(table, "customer");
        let expected = match repo.connection().backend() {
            Backend::Sqlite => "PRIMARY KEY",
            Backend::Postgres => "customer_pkey",
            Backend::Mysql => "PRIMARY",
        };
        assert_eq!(constraint, expected);
    });
}

#[test]
fn a_missing_parent_is_a_foreign_key_violation_naming_the_constraint() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let backend = conn.backend();
        let error = Repository::<Product>::new(conn)
            .insert(&Product::new("Lamp", 1.0, "S", Some(424_242)))
            .unwrap_err();
        let Error::ForeignKeyViolation {
            table, constraint, ..
        } = &error
        else {
            panic!("expected a foreign key violation, got {error:?}");
        };
        assert_eq!(table, "product");
        // SQLite does not say which foreign key failed: ff lists the candidates.
        if backend == Backend::Sqlite {
            assert_eq!(
                constraint,
                "fk_product_category_id or a foreign key referencing `product`"
            );
        } else {
            assert_eq!(constraint, "fk_product_category_id");
        }
    });
}

#[test]
fn deleting_a_referenced_parent_is_a_foreign_key_violation() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let lamps = Repository::<Category>::new(conn)
            .insert(&Category {
                id: 0,
                name: "Lamps".into(),
                parent_id: None,
            })
            .unwrap();
        Repository::<Product>::new(conn)
            .insert(&Product::new("Lamp", 1.0, "S", Some(lamps.id)))
            .unwrap();
        let backend = conn.backend();
        let error = Repository::<Category>::new(conn)
            .delete(&lamps)
            .unwrap_err();
        let Error::ForeignKeyViolation {
            table, constraint, ..
        } = &error
        else {
            panic!("expected a foreign key violation, got {error:?}");
        };
        // SQLite does not say which foreign key failed; the servers do.
        if backend == Backend::Sqlite {
            assert_eq!(table, "category");
            assert!(
                constraint.contains("a foreign key referencing `category`"),
                "{constraint}"
            );
        } else {
            assert_eq!(
                (table.as_str(), constraint.as_str()),
                ("product", "fk_product_category_id")
            );
        }
        assert!(Category::find_one_by_id(conn, lamps.id).unwrap().is_some());
    });
}

#[test]
fn null_in_a_not_null_column_is_a_not_null_violation_naming_the_column() {
    each_backend(|conn| {
        conn.create_tables(&[StrictNote::META]).unwrap();
        let error = Repository::<LooseNote>::new(conn)
            .insert(&LooseNote { id: 0, body: None })
            .unwrap_err();
        assert!(
            matches!(&error, Error::NotNullViolation { table, column, .. }
                if table == "strict_note" && column == "body"),
            "{error:?}"
        );
    });
}

#[test]
fn a_failed_check_is_a_check_violation_naming_the_constraint() {
    each_backend(|conn| {
        conn.create_tables(&store_tables()).unwrap();
        let error = Repository::<Product>::new(conn)
            .insert(&Product::new("Lamp", -1.0, "S", None))
            .unwrap_err();
        assert!(
            matches!(&error, Error::CheckViolation { table, constraint, .. }
                if table == "product" && constraint == "ck_product_price"),
            "{error:?}"
        );
    });
}

#[test]
fn an_unknown_scheme_is_an_invalid_url_error_without_the_password() {
    let error = Connection::establish("oracle://scott:tiger@db/orcl").unwrap_err();
    assert!(matches!(error, Error::InvalidUrl { .. }));
    let message = error.to_string();
    assert!(
        message.contains("use sqlite://, postgres:// or mysql://"),
        "{message}"
    );
    assert!(!message.contains("tiger"), "{message}");
}

#[test]
fn a_server_that_is_down_is_a_connection_error_with_the_password_masked() {
    let mut urls = vec!["postgres://postgres:hunter2@127.0.0.1:1/shop"];
    if cfg!(feature = "mysql") {
        urls.push("mysql://root:hunter2@127.0.0.1:1/shop");
    }
    for url in urls {
        let error = Connection::establish(url).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, Error::Connection { .. }), "{message}");
        assert!(message.contains("127.0.0.1:1"), "{message}");
        assert!(message.contains(":***@"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
        assert!(
            message.contains("check that the server is running"),
            "{message}"
        );
    }
}

#[test]
fn an_unopenable_sqlite_file_is_a_connection_error_naming_the_path() {
    let error = Connection::establish("sqlite:///no/such/dir/app.db").unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, Error::Connection { .. }), "{message}");
    assert!(message.contains("/no/such/dir/app.db"), "{message}");
}

#[test]
fn a_missing_database_on_a_server_is_a_connection_error() {
    each_backend(|conn| {
        let url = match conn.backend() {
            Backend::Sqlite => return,
            Backend::Postgres => "postgres://postgres@127.0.0.1:5432/ff_no_such_database",
            Backend::Mysql => "mysql://root@127.0.0.1:3306/ff_no_such_database",
        };
        let message = Connection::establish(url).unwrap_err().to_string();
        assert!(message.contains("ff_no_such_database"), "{message}");
    });
}

#[cfg(not(feature = "mysql"))]
#[test]
fn a_mysql_url_without_the_feature_says_which_feature_to_enable() {
    let message = Connection::establish("mysql://root@localhost/db")
        .unwrap_err()
        .to_string();
    assert!(message.contains("enable the `mysql` feature"), "{message}");
}
