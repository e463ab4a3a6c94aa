//! `live_schema` reads back what ff's DDL created, on every backend: the demo domain and a
//! table with every column type, default and constraint compare equal to `expected_live`.

use std::borrow::Cow::Borrowed;

use ff_runtime::Backend;
use ff_runtime::introspect::{LiveSchema, compare, expected_live, live_schema};
use ff_runtime::migration::Schema;
use ff_runtime::prelude::*;
use ff_runtime::schema::{
    CheckDef, ColumnDef, ColumnType, DefaultValue, ForeignKeyDef, IndexDef, ReferentialAction,
    TableDef, UniqueDef,
};
use ff_tests::backends::each_backend_database;
use ff_tests::domain::{AllTypes, StrictNote, store_tables};

fn column(name: &'static str, sql_type: ColumnType) -> ColumnDef {
    ColumnDef {
        name: Borrowed(name),
        sql_type,
        nullable: true,
        default: None,
        primary_key: false,
        auto_increment: false,
        renamed_from: None,
    }
}

fn defaulted(name: &'static str, sql_type: ColumnType, default: DefaultValue) -> ColumnDef {
    ColumnDef {
        default: Some(default),
        ..column(name, sql_type)
    }
}

fn key(name: &'static str, sql_type: ColumnType) -> ColumnDef {
    ColumnDef {
        nullable: false,
        primary_key: true,
        auto_increment: true,
        ..column(name, sql_type)
    }
}

fn fk(
    name: &'static str,
    column: &'static str,
    parent: &'static str,
    on_delete: ReferentialAction,
    on_update: ReferentialAction,
) -> ForeignKeyDef {
    ForeignKeyDef {
        name: Borrowed(name),
        columns: vec![Borrowed(column)].into(),
        referenced_table: Borrowed(parent),
        referenced_columns: vec![Borrowed("id")].into(),
        on_delete,
        on_update,
    }
}

fn table(name: &'static str, columns: Vec<ColumnDef>) -> TableDef {
    TableDef {
        name: Borrowed(name),
        columns: columns.into(),
        indexes: Borrowed(&[]),
        uniques: Borrowed(&[]),
        checks: Borrowed(&[]),
        foreign_keys: Borrowed(&[]),
        renamed_from: None,
    }
}

/// A parent with an indexed TEXT column (MySQL makes it VARCHAR(255)).
fn shelf() -> TableDef {
    TableDef {
        indexes: vec![IndexDef {
            name: Borrowed("ix_shelf_label"),
            columns: vec![Borrowed("label")].into(),
            unique: false,
            predicate: None,
        }]
        .into(),
        ..table(
            "shelf",
            vec![
                key("id", ColumnType::Integer),
                ColumnDef {
                    nullable: false,
                    ..column("label", ColumnType::Text)
                },
            ],
        )
    }
}

/// Every column type, every kind of default, a composite index and unique, a check, and
/// foreign keys with actions, one of them to itself.
fn gadget() -> TableDef {
    use ColumnType as T;
    use DefaultValue as D;
    TableDef {
        indexes: vec![IndexDef {
            name: Borrowed("ix_gadget_big_small"),
            columns: vec![Borrowed("big"), Borrowed("small")].into(),
            unique: false,
            predicate: None,
        }]
        .into(),
        uniques: vec![UniqueDef {
            name: Borrowed("uq_gadget_code_shelf"),
            columns: vec![Borrowed("code"), Borrowed("shelf_id")].into(),
        }]
        .into(),
        checks: vec![CheckDef {
            name: Borrowed("ck_gadget_small"),
            expression: Borrowed("small > -10"),
        }]
        .into(),
        foreign_keys: vec![
            fk(
                "fk_gadget_shelf_id",
                "shelf_id",
                "shelf",
                ReferentialAction::Cascade,
                ReferentialAction::Cascade,
            ),
            fk(
                "fk_gadget_previous_id",
                "previous_id",
                "gadget",
                ReferentialAction::SetNull,
                ReferentialAction::NoAction,
            ),
        ]
        .into(),
        ..table(
            "gadget",
            vec![
                key("id", T::BigInt),
                defaulted("small", T::SmallInt, D::Int(-3)),
                defaulted("int", T::Integer, D::Int(42)),
                column("big", T::BigInt),
                defaulted("float", T::Float, D::Float(0.5)),
                defaulted("double", T::Double, D::Float(-2.5)),
                ColumnDef {
                    nullable: false,
                    ..defaulted("flag", T::Boolean, D::Bool(true))
                },
                defaulted("off", T::Boolean, D::Bool(false)),
                defaulted("note", T::Text, D::Text(Borrowed("it's"))),
                ColumnDef {
                    nullable: false,
                    ..defaulted("code", T::Varchar(32), D::Text(Borrowed(r"a\b'c")))
                },
                column("bytes", T::Binary),
                defaulted("day", T::Date, D::CurrentTimestamp),
                defaulted("clock", T::Time, D::CurrentTimestamp),
                ColumnDef {
                    nullable: false,
                    ..defaulted("stamp", T::Timestamp, D::CurrentTimestamp)
                },
                defaulted("instant", T::TimestampTz, D::CurrentTimestamp),
                column("uid", T::Uuid),
                defaulted("doc", T::Json, D::Text(Borrowed("{}"))),
                defaulted(
                    "amount",
                    T::Decimal {
                        precision: 10,
                        scale: 2,
                    },
                    D::Float(1.5),
                ),
                column("custom", T::Custom(Borrowed("CHAR(3)"))),
                column("shelf_id", T::Integer),
                column("previous_id", T::BigInt),
            ],
        )
    }
}

/// The demo domain and the hand-built tables.
fn tables() -> Vec<TableDef> {
    let mut tables: Vec<TableDef> = store_tables().into_iter().cloned().collect();
    tables.extend([
        AllTypes::META.clone(),
        StrictNote::META.clone(),
        shelf(),
        gadget(),
    ]);
    tables
}

fn create(conn: &mut Connection) -> Schema {
    let schema = Schema::new(tables());
    let refs: Vec<&TableDef> = schema.tables.iter().collect();
    conn.create_tables(&refs).unwrap();
    schema
}

#[test]
fn the_live_schema_matches_what_the_metadata_says_on_every_backend() {
    each_backend_database(|database| {
        let mut conn = database.connect();
        let schema = create(&mut conn);
        let live = live_schema(&mut conn).unwrap();
        let diffs = compare(&expected_live(&schema, database.backend()), &live);
        assert!(diffs.is_empty(), "{diffs:#?}");
        // The hand-built table is all there, not just equal by omission.
        let gadget = &live.tables["gadget"];
        assert_eq!(gadget.columns.len(), 21);
        assert_eq!(gadget.foreign_keys.len(), 2);
        assert_eq!(gadget.uniques.len(), 1);
        assert_eq!(gadget.indexes.len(), 1);
        assert!(gadget.checks.contains("ck_gadget_small"));
    });
}

#[test]
fn bookkeeping_tables_are_not_part_of_the_live_schema() {
    each_backend_database(|database| {
        let mut conn = database.connect();
        conn.batch_execute("CREATE TABLE __ff_history (id INTEGER PRIMARY KEY)")
            .unwrap();
        conn.batch_execute("CREATE TABLE __diesel_schema_migrations (version INTEGER PRIMARY KEY)")
            .unwrap();
        assert_eq!(live_schema(&mut conn).unwrap(), LiveSchema::default());
    });
}

#[test]
fn a_column_made_nullable_by_hand_is_the_one_difference_reported() {
    each_backend_database(|database| {
        let backend = database.backend();
        let schema = create(&mut database.connect());
        match backend {
            Backend::Postgres => database
                .connect()
                .batch_execute(r#"ALTER TABLE "product" ALTER COLUMN "sku" DROP NOT NULL"#)
                .unwrap(),
            Backend::Mysql => database
                .connect()
                .batch_execute("ALTER TABLE `product` MODIFY `sku` VARCHAR(32) NULL")
                .unwrap(),
            // SQLite cannot alter a column: its CREATE TABLE text is edited in place, and a
            // new connection reads the changed schema.
            Backend::Sqlite => database
                .connect()
                .batch_execute(
                    r#"PRAGMA writable_schema = ON;
                    UPDATE sqlite_master SET sql = replace(sql, '"sku" VARCHAR(32) NOT NULL', '"sku" VARCHAR(32)')
                    WHERE type = 'table' AND name = 'product';
                    PRAGMA writable_schema = OFF;"#,
                )
                .unwrap(),
        }
        let live = live_schema(&mut database.connect()).unwrap();
        assert_eq!(
            compare(&expected_live(&schema, backend), &live),
            ["column product.sku: expected NOT NULL, found nullable"]
        );
    });
}

#[test]
fn a_dropped_index_and_an_added_column_are_reported() {
    each_backend_database(|database| {
        let mut conn = database.connect();
        let schema = create(&mut conn);
        let drop_index = match database.backend() {
            Backend::Mysql => "DROP INDEX `ix_shelf_label` ON `shelf`",
            _ => r#"DROP INDEX "ix_shelf_label""#,
        };
        conn.batch_execute(drop_index).unwrap();
        conn.batch_execute("ALTER TABLE shelf ADD COLUMN extra INTEGER")
            .unwrap();
        let diffs = compare(
            &expected_live(&schema, database.backend()),
            &live_schema(&mut conn).unwrap(),
        );
        assert_eq!(
            diffs,
            [
                "column shelf.extra: not expected",
                "index shelf.ix_shelf_label: missing"
            ]
        );
    });
}

/// SQLite's `INTEGER PRIMARY KEY` is the rowid, never NULL, even when the CREATE TABLE does not
/// say NOT NULL; any other key column of SQLite does accept NULL.
#[test]
fn an_sqlite_rowid_key_reads_as_not_null_whatever_its_declaration() {
    let mut conn = Connection::establish(":memory:").unwrap();
    conn.batch_execute(
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT);
         CREATE TABLE u (code TEXT PRIMARY KEY);",
    )
    .unwrap();
    let live = live_schema(&mut conn).unwrap();
    let id = &live.tables["t"].columns[0];
    assert!(!id.nullable && id.auto_increment, "{id:?}");
    assert!(live.tables["u"].columns[0].nullable);
}

/// A table with a partial index, and a unique one where the database has partial indexes.
fn membership(backend: Backend) -> TableDef {
    let partial =
        |name: &'static str, column: &'static str, unique, predicate: &'static str| IndexDef {
            unique,
            predicate: Some(Borrowed(predicate)),
            ..IndexDef::new(name, vec![Borrowed(column)])
        };
    let mut indexes = vec![partial(
        "ix_membership_level",
        "level",
        false,
        "level > 2 AND status <> 'gone'",
    )];
    if backend != Backend::Mysql {
        indexes.push(partial(
            "uq_membership_email",
            "email",
            true,
            "status = 'active' OR level IS NULL",
        ));
    }
    TableDef {
        indexes: indexes.into(),
        ..table(
            "membership",
            vec![
                key("id", ColumnType::Integer),
                column("email", ColumnType::Varchar(100)),
                column("status", ColumnType::Varchar(10)),
                column("level", ColumnType::Integer),
            ],
        )
    }
}

#[test]
fn partial_indexes_read_back_with_their_condition_and_a_changed_one_is_reported() {
    each_backend_database(|database| {
        let backend = database.backend();
        let mut conn = database.connect();
        let schema = Schema::new([membership(backend)]);
        conn.create_tables(&[&schema.tables[0]]).unwrap();
        let live = live_schema(&mut conn).unwrap();
        assert_eq!(
            compare(&expected_live(&schema, backend), &live),
            Vec::<String>::new()
        );
        let predicates = &live.tables["membership"].predicates;
        if backend == Backend::Mysql {
            assert!(predicates.is_empty(), "{predicates:?}");
            return;
        }
        assert_eq!(predicates.len(), 2, "{predicates:?}");
        assert_eq!(live.tables["membership"].uniques.len(), 1);

        conn.batch_execute(
            r#"DROP INDEX "uq_membership_email";
            CREATE UNIQUE INDEX "uq_membership_email" ON "membership" ("email") WHERE status = 'active'"#,
        )
        .unwrap();
        let live = live_schema(&mut conn).unwrap();
        assert_eq!(
            compare(&expected_live(&schema, backend), &live),
            [
                "index membership.uq_membership_email: expected to cover rows where status = 'active' or level is null, found rows where status = 'active'"
            ]
        );
    });
}

#[test]
fn a_unique_partial_index_is_refused_on_mysql_before_anything_is_created() {
    each_backend_database(|database| {
        if database.backend() != Backend::Mysql {
            return;
        }
        let mut conn = database.connect();
        let table = membership(Backend::Postgres);
        let error = conn.create_tables(&[&table]).unwrap_err();
        assert!(
            matches!(&error, Error::UniquePartialIndex { index, .. } if index == "uq_membership_email"),
            "{error}"
        );
        assert!(live_schema(&mut conn).unwrap().tables.is_empty());
    });
}
