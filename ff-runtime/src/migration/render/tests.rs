use std::borrow::Cow::Borrowed;

use super::*;
use crate::schema::{CheckDef, ColumnType, ForeignKeyDef, IndexDef, ReferentialAction, UniqueDef};

fn column(name: &'static str, sql_type: ColumnType, nullable: bool) -> ColumnDef {
    ColumnDef::new(name, sql_type, nullable)
}

fn product() -> TableDef {
    let id = ColumnDef {
        primary_key: true,
        auto_increment: true,
        ..column("id", ColumnType::BigInt, false)
    };
    TableDef {
        name: Borrowed("product"),
        columns: vec![id, column("name", ColumnType::Text, false)].into(),
        indexes: Borrowed(&[]),
        uniques: Borrowed(&[]),
        checks: Borrowed(&[]),
        foreign_keys: Borrowed(&[]),
        renamed_from: None,
    }
}

fn schema() -> Schema {
    Schema::new([product()])
}

fn sql(backend: Backend, operation: Operation) -> Vec<String> {
    render(backend, &schema(), &[operation]).unwrap()
}

fn add_sku(backfill: Option<DefaultValue>) -> Operation {
    Operation::AddColumn {
        table: Borrowed("product"),
        column: column("sku", ColumnType::Varchar(32), false),
        backfill,
    }
}

#[test]
fn a_not_null_column_with_a_backfill_gets_it_as_a_passing_default() {
    let value = Some(DefaultValue::Text(Borrowed("n/a")));
    assert_eq!(
        sql(Backend::Postgres, add_sku(value.clone())),
        [
            r#"ALTER TABLE "product" ADD COLUMN "sku" VARCHAR(32) NOT NULL DEFAULT 'n/a'"#,
            r#"ALTER TABLE "product" ALTER COLUMN "sku" DROP DEFAULT"#,
        ]
    );
    assert_eq!(
        sql(Backend::Mysql, add_sku(value.clone())),
        [
            "ALTER TABLE `product` ADD COLUMN `sku` VARCHAR(32) NOT NULL DEFAULT 'n/a'",
            "ALTER TABLE `product` ALTER COLUMN `sku` DROP DEFAULT",
        ]
    );
    let sqlite = sql(Backend::Sqlite, add_sku(value));
    assert_eq!(
        sqlite[1],
        r#"INSERT INTO "__ff_new_product" ("id", "name", "sku") SELECT "id", "name", 'n/a' FROM "product""#
    );
    assert_eq!(
        &sqlite[2..4],
        [
            r#"DROP TABLE "product""#,
            r#"ALTER TABLE "__ff_new_product" RENAME TO "product""#,
        ]
    );
}

#[test]
fn sqlite_adds_a_nullable_column_in_place() {
    let operation = Operation::AddColumn {
        table: Borrowed("product"),
        column: column("note", ColumnType::Text, true),
        backfill: None,
    };
    assert_eq!(
        sql(Backend::Sqlite, operation),
        [r#"ALTER TABLE "product" ADD COLUMN "note" TEXT"#]
    );
}

#[test]
fn a_column_becoming_not_null_fills_nulls_with_its_default() {
    let from = column("name", ColumnType::Text, true);
    let to = ColumnDef {
        default: Some(DefaultValue::Text(Borrowed("?"))),
        ..column("name", ColumnType::Text, false)
    };
    let mut before = product();
    before.columns.to_mut()[1] = from.clone();
    let operation = Operation::AlterColumn {
        table: Borrowed("product"),
        from,
        to,
        backfill: None,
    };
    let postgres = render(
        Backend::Postgres,
        &Schema::new([before.clone()]),
        std::slice::from_ref(&operation),
    )
    .unwrap();
    assert_eq!(
        postgres,
        [
            r#"ALTER TABLE "product" ALTER COLUMN "name" SET DEFAULT '?'"#,
            r#"UPDATE "product" SET "name" = '?' WHERE "name" IS NULL"#,
            r#"ALTER TABLE "product" ALTER COLUMN "name" SET NOT NULL"#,
        ]
    );
    let sqlite = render(Backend::Sqlite, &Schema::new([before]), &[operation]).unwrap();
    assert!(sqlite[1].contains(r#"COALESCE("name", '?')"#), "{sqlite:?}");
}

#[test]
fn mysql_turns_indexed_text_into_varchar_and_back() {
    let unique = UniqueDef {
        name: Borrowed("uq_product_name"),
        columns: vec![Borrowed("name")].into(),
    };
    let add = Operation::AddUnique {
        table: Borrowed("product"),
        unique: unique.clone(),
    };
    let drop = Operation::DropUnique {
        table: Borrowed("product"),
        unique,
    };
    assert_eq!(
        render(Backend::Mysql, &schema(), &[add.clone(), drop]).unwrap(),
        [
            "ALTER TABLE `product` MODIFY COLUMN `name` VARCHAR(255) NOT NULL",
            "ALTER TABLE `product` ADD CONSTRAINT `uq_product_name` UNIQUE (`name`)",
            "DROP INDEX `uq_product_name` ON `product`",
            "ALTER TABLE `product` MODIFY COLUMN `name` TEXT NOT NULL",
        ]
    );
}

#[test]
fn mysql_drops_the_index_it_made_for_a_foreign_key() {
    let fk = ForeignKeyDef {
        name: Borrowed("fk_product_parent_id"),
        columns: vec![Borrowed("parent_id")].into(),
        referenced_table: Borrowed("product"),
        referenced_columns: vec![Borrowed("id")].into(),
        on_delete: ReferentialAction::SetNull,
        on_update: ReferentialAction::NoAction,
    };
    let mut table = product();
    table
        .columns
        .to_mut()
        .push(column("parent_id", ColumnType::BigInt, true));
    table.foreign_keys = vec![fk.clone()].into();
    let drop = Operation::DropForeignKey {
        table: Borrowed("product"),
        foreign_key: fk,
    };
    assert_eq!(
        render(Backend::Mysql, &Schema::new([table]), &[drop]).unwrap(),
        [
            "ALTER TABLE `product` DROP FOREIGN KEY `fk_product_parent_id`",
            "DROP INDEX `fk_product_parent_id` ON `product`",
        ]
    );
}

#[test]
fn postgres_keeps_the_primary_key_name_in_step_with_the_table() {
    let rename = Operation::RenameTable {
        from: Borrowed("product"),
        to: Borrowed("item"),
    };
    assert_eq!(
        sql(Backend::Postgres, rename),
        [
            r#"ALTER TABLE "product" RENAME TO "item""#,
            r#"ALTER INDEX IF EXISTS "product_pkey" RENAME TO "item_pkey""#,
        ]
    );
}

#[test]
fn an_operation_that_does_not_fit_the_schema_is_an_error() {
    let drop = Operation::DropColumn {
        table: Borrowed("product"),
        column: column("missing", ColumnType::Text, true),
    };
    assert!(render(Backend::Sqlite, &schema(), &[drop]).is_err());
}

/// `product` and `part`, whose `product_id` references `product.id`.
fn with_part() -> Schema {
    let part = TableDef {
        name: Borrowed("part"),
        columns: vec![
            ColumnDef {
                primary_key: true,
                auto_increment: true,
                ..column("id", ColumnType::BigInt, false)
            },
            column("product_id", ColumnType::BigInt, true),
            column("label", ColumnType::Text, true),
        ]
        .into(),
        indexes: vec![IndexDef {
            name: Borrowed("idx_part_label"),
            columns: vec![Borrowed("label")].into(),
            unique: false,
            predicate: None,
        }]
        .into(),
        foreign_keys: vec![ForeignKeyDef {
            name: Borrowed("fk_part_product"),
            columns: vec![Borrowed("product_id")].into(),
            referenced_table: Borrowed("product"),
            referenced_columns: vec![Borrowed("id")].into(),
            on_delete: ReferentialAction::Cascade,
            on_update: ReferentialAction::NoAction,
        }]
        .into(),
        ..product()
    };
    Schema::new([product(), part])
}

/// Both columns of `fk_part_product` become INTEGER, the referenced one first.
fn narrow_the_key() -> [Operation; 2] {
    let product_id = with_part().tables[0].columns[0].clone();
    let part_product_id = column("product_id", ColumnType::BigInt, true);
    [
        Operation::AlterColumn {
            table: Borrowed("product"),
            from: product_id.clone(),
            to: ColumnDef {
                sql_type: ColumnType::Integer,
                ..product_id
            },
            backfill: None,
        },
        Operation::AlterColumn {
            table: Borrowed("part"),
            from: part_product_id.clone(),
            to: ColumnDef {
                sql_type: ColumnType::Integer,
                ..part_product_id
            },
            backfill: None,
        },
    ]
}

#[test]
fn mysql_sets_a_foreign_key_aside_while_both_its_columns_change_type() {
    assert_eq!(
        render(Backend::Mysql, &with_part(), &narrow_the_key()).unwrap(),
        [
            "ALTER TABLE `part` DROP FOREIGN KEY `fk_part_product`",
            "ALTER TABLE `product` MODIFY COLUMN `id` INT NOT NULL AUTO_INCREMENT",
            "ALTER TABLE `part` MODIFY COLUMN `product_id` INT",
            "ALTER TABLE `part` ADD CONSTRAINT `fk_part_product` FOREIGN KEY (`product_id`) \
             REFERENCES `product` (`id`) ON DELETE CASCADE ON UPDATE NO ACTION",
        ]
    );
}

#[test]
fn mysql_adds_back_at_the_end_a_key_whose_types_still_differ() {
    let [first, _] = narrow_the_key();
    let statements = render(Backend::Mysql, &with_part(), &[first]).unwrap();
    assert_eq!(statements.len(), 3, "{statements:?}");
    assert!(statements[2].starts_with("ALTER TABLE `part` ADD CONSTRAINT `fk_part_product`"));
}

#[test]
fn postgres_changes_types_in_place_with_a_cast() {
    assert_eq!(
        render(Backend::Postgres, &with_part(), &narrow_the_key()).unwrap(),
        [
            r#"ALTER TABLE "product" ALTER COLUMN "id" TYPE INTEGER USING "id"::INTEGER"#,
            r#"ALTER TABLE "part" ALTER COLUMN "product_id" TYPE INTEGER USING "product_id"::INTEGER"#,
        ]
    );
}

#[test]
fn sqlite_rebuilds_a_table_to_drop_a_column_and_recreates_its_indexes() {
    let drop = Operation::DropColumn {
        table: Borrowed("part"),
        column: column("product_id", ColumnType::BigInt, true),
    };
    let mut schema = with_part();
    schema.table_mut("part").unwrap().foreign_keys = Borrowed(&[]);
    assert_eq!(
        render(Backend::Sqlite, &schema, &[drop]).unwrap(),
        [
            "CREATE TABLE \"__ff_new_part\" (\n  \
             \"id\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,\n  \"label\" TEXT\n)",
            r#"INSERT INTO "__ff_new_part" ("id", "label") SELECT "id", "label" FROM "part""#,
            r#"DROP TABLE "part""#,
            r#"ALTER TABLE "__ff_new_part" RENAME TO "part""#,
            r#"CREATE INDEX "idx_part_label" ON "part" ("label")"#,
        ]
    );
}

#[test]
fn each_dialect_drops_an_index_and_renames_a_table_its_own_way() {
    let index = with_part().table("part").unwrap().indexes[0].clone();
    let operations = [
        Operation::DropIndex {
            table: Borrowed("part"),
            index,
        },
        Operation::RenameTable {
            from: Borrowed("part"),
            to: Borrowed("piece"),
        },
    ];
    let sql = |backend| render(backend, &with_part(), &operations).unwrap();
    assert_eq!(
        sql(Backend::Sqlite),
        [
            r#"DROP INDEX "idx_part_label""#,
            r#"ALTER TABLE "part" RENAME TO "piece""#,
        ]
    );
    assert_eq!(
        sql(Backend::Mysql),
        [
            "DROP INDEX `idx_part_label` ON `part`",
            "ALTER TABLE `part` MODIFY COLUMN `label` TEXT",
            "ALTER TABLE `part` RENAME TO `piece`",
        ]
    );
}

#[test]
fn mysql_moves_a_primary_key_and_drops_a_check_as_a_constraint() {
    let id = product().columns[0].clone();
    let plain_id = ColumnDef {
        primary_key: false,
        auto_increment: false,
        ..id.clone()
    };
    let check = CheckDef {
        name: Borrowed("ck_product_name"),
        expression: Borrowed("name <> ''"),
    };
    let operations = [
        Operation::AlterColumn {
            table: Borrowed("product"),
            from: id.clone(),
            to: plain_id.clone(),
            backfill: None,
        },
        Operation::AlterColumn {
            table: Borrowed("product"),
            from: plain_id,
            to: id,
            backfill: None,
        },
        Operation::AddCheck {
            table: Borrowed("product"),
            check: check.clone(),
        },
        Operation::DropCheck {
            table: Borrowed("product"),
            check,
        },
    ];
    assert_eq!(
        render(Backend::Mysql, &schema(), &operations).unwrap(),
        [
            "ALTER TABLE `product` MODIFY COLUMN `id` BIGINT NOT NULL",
            "ALTER TABLE `product` DROP PRIMARY KEY",
            "ALTER TABLE `product` ADD PRIMARY KEY (`id`)",
            "ALTER TABLE `product` MODIFY COLUMN `id` BIGINT NOT NULL AUTO_INCREMENT",
            "ALTER TABLE `product` ADD CONSTRAINT `ck_product_name` CHECK (name <> '')",
            "ALTER TABLE `product` DROP CONSTRAINT `ck_product_name`",
        ]
    );
}

#[test]
fn sqlite_does_a_run_of_changes_to_one_table_in_one_rebuild() {
    let operations = [
        add_sku(Some(DefaultValue::Text(Borrowed("n/a")))),
        Operation::AddColumn {
            table: Borrowed("product"),
            column: column("note", ColumnType::Text, true),
            backfill: None,
        },
        Operation::AddIndex {
            table: Borrowed("product"),
            index: IndexDef {
                name: Borrowed("idx_product_sku"),
                columns: vec![Borrowed("sku")].into(),
                unique: false,
                predicate: None,
            },
        },
        Operation::AddUnique {
            table: Borrowed("product"),
            unique: UniqueDef {
                name: Borrowed("uq_product_name"),
                columns: vec![Borrowed("name")].into(),
            },
        },
        Operation::RenameColumn {
            table: Borrowed("product"),
            from: Borrowed("note"),
            to: Borrowed("remark"),
        },
    ];
    assert_eq!(
        render(Backend::Sqlite, &schema(), &operations).unwrap(),
        [
            "CREATE TABLE \"__ff_new_product\" (\n  \
             \"id\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,\n  \
             \"name\" TEXT NOT NULL,\n  \
             \"sku\" VARCHAR(32) NOT NULL,\n  \
             \"note\" TEXT,\n  \
             CONSTRAINT \"uq_product_name\" UNIQUE (\"name\")\n)",
            r#"INSERT INTO "__ff_new_product" ("id", "name", "sku") SELECT "id", "name", 'n/a' FROM "product""#,
            r#"DROP TABLE "product""#,
            r#"ALTER TABLE "__ff_new_product" RENAME TO "product""#,
            r#"CREATE INDEX "idx_product_sku" ON "product" ("sku")"#,
            r#"ALTER TABLE "product" RENAME COLUMN "note" TO "remark""#,
        ]
    );
}

#[test]
fn sqlite_fills_a_column_added_during_a_rebuild_then_made_not_null_from_its_default() {
    let note = ColumnDef {
        default: Some(DefaultValue::Text(Borrowed("-"))),
        ..column("note", ColumnType::Text, true)
    };
    let operations = [
        Operation::AddUnique {
            table: Borrowed("product"),
            unique: UniqueDef {
                name: Borrowed("uq_product_name"),
                columns: vec![Borrowed("name")].into(),
            },
        },
        Operation::AddColumn {
            table: Borrowed("product"),
            column: note.clone(),
            backfill: None,
        },
        Operation::AlterColumn {
            table: Borrowed("product"),
            from: note.clone(),
            to: ColumnDef {
                nullable: false,
                ..note
            },
            backfill: Some(DefaultValue::Text(Borrowed("?"))),
        },
    ];
    let statements = render(Backend::Sqlite, &schema(), &operations).unwrap();
    assert_eq!(
        statements[1],
        r#"INSERT INTO "__ff_new_product" ("id", "name", "note") SELECT "id", "name", COALESCE('-', '?') FROM "product""#
    );
    assert_eq!(statements.len(), 4, "{statements:?}");
}

/// `product` with a `price DECIMAL(10, 2)` column.
fn priced() -> Schema {
    let mut product = product();
    product.columns.to_mut().push(column(
        "price",
        ColumnType::Decimal {
            precision: 10,
            scale: 2,
        },
        false,
    ));
    Schema::new([product])
}

fn store_prices_as_numbers() -> Operation {
    Operation::StoreDecimalsAsNumbers {
        table: Borrowed("product"),
        columns: vec![Borrowed("price")],
    }
}

#[test]
fn sqlite_stores_text_decimals_as_numbers_by_copying_them_into_a_decimal_column() {
    assert_eq!(
        render(Backend::Sqlite, &priced(), &[store_prices_as_numbers()]).unwrap(),
        [
            "CREATE TABLE \"__ff_new_product\" (\n  \
             \"id\" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,\n  \
             \"name\" TEXT NOT NULL,\n  \
             \"price\" DECIMAL(10, 2) NOT NULL\n)",
            // Numeric affinity converts the text: no CAST, which would round long values
            // silently (the runner refuses those before the copy).
            r#"INSERT INTO "__ff_new_product" ("id", "name", "price") SELECT "id", "name", "price" FROM "product""#,
            r#"DROP TABLE "product""#,
            r#"ALTER TABLE "__ff_new_product" RENAME TO "product""#,
        ]
    );
}

#[test]
fn postgres_and_mysql_have_nothing_to_convert() {
    for backend in [Backend::Postgres, Backend::Mysql] {
        assert_eq!(
            render(backend, &priced(), &[store_prices_as_numbers()]).unwrap(),
            Vec::<String>::new(),
            "{backend}"
        );
    }
}

#[test]
fn sqlite_converts_decimals_in_the_rebuild_a_change_to_the_same_table_needs() {
    let operations = [store_prices_as_numbers(), add_sku(None)];
    let statements = render(Backend::Sqlite, &priced(), &operations).unwrap();
    assert_eq!(statements.len(), 4, "{statements:?}");
    assert!(statements[0].contains("\"price\" DECIMAL(10, 2) NOT NULL"));
}

#[test]
fn converting_a_column_that_is_not_a_decimal_does_not_fit_the_schema() {
    let operation = Operation::StoreDecimalsAsNumbers {
        table: Borrowed("product"),
        columns: vec![Borrowed("name")],
    };
    assert_eq!(
        render(Backend::Postgres, &priced(), &[operation])
            .unwrap_err()
            .to_string(),
        "column `product.name` is not a decimal"
    );
}

fn partial_index(unique: bool) -> IndexDef {
    IndexDef {
        unique,
        predicate: Some(Borrowed("name <> ''")),
        ..IndexDef::new("ix_product_name", vec![Borrowed("name")])
    }
}

#[test]
fn a_partial_index_gets_its_where_clause_except_on_mysql_where_it_covers_every_row() {
    let add = |unique| Operation::AddIndex {
        table: Borrowed("product"),
        index: partial_index(unique),
    };
    for backend in [Backend::Postgres, Backend::Sqlite] {
        assert_eq!(
            sql(backend, add(false)),
            [r#"CREATE INDEX "ix_product_name" ON "product" ("name") WHERE name <> ''"#]
        );
        assert_eq!(
            sql(backend, add(true)),
            [r#"CREATE UNIQUE INDEX "ix_product_name" ON "product" ("name") WHERE name <> ''"#]
        );
    }
    assert_eq!(
        sql(Backend::Mysql, add(false)).last().unwrap(),
        "CREATE INDEX `ix_product_name` ON `product` (`name`)"
    );
}

#[test]
fn a_unique_partial_index_is_refused_on_mysql_and_accepted_elsewhere() {
    let operations = [Operation::CreateTable {
        table: TableDef {
            indexes: vec![partial_index(true)].into(),
            ..product()
        },
    }];
    let error = check_supported(Backend::Mysql, &operations).unwrap_err();
    assert!(matches!(
        &error,
        crate::Error::UniquePartialIndex { table, index, .. }
            if table == "product" && index == "ix_product_name"
    ));
    let message = error.to_string();
    assert!(message.contains("where name <> ''"), "{message}");
    assert!(message.contains("help:"), "{message}");
    check_supported(Backend::Postgres, &operations).unwrap();
    check_supported(Backend::Sqlite, &operations).unwrap();
    let non_unique = [Operation::AddIndex {
        table: Borrowed("product"),
        index: partial_index(false),
    }];
    check_supported(Backend::Mysql, &non_unique).unwrap();
}

#[test]
fn sqlite_recreates_a_partial_index_with_its_condition_when_it_rebuilds_the_table() {
    let before = Schema::new([TableDef {
        columns: vec![
            product().columns[0].clone(),
            column("name", ColumnType::Text, false),
            column("note", ColumnType::Text, true),
        ]
        .into(),
        indexes: vec![partial_index(true)].into(),
        ..product()
    }]);
    let drop = Operation::DropColumn {
        table: Borrowed("product"),
        column: column("note", ColumnType::Text, true),
    };
    let statements = render(Backend::Sqlite, &before, &[drop]).unwrap();
    assert_eq!(
        statements.last().unwrap(),
        r#"CREATE UNIQUE INDEX "ix_product_name" ON "product" ("name") WHERE name <> ''"#
    );
}
