use std::borrow::Cow::Borrowed;

use super::*;
use crate::schema::{ColumnType, ForeignKeyDef, ReferentialAction, UniqueDef};

fn column(name: &'static str, sql_type: ColumnType, nullable: bool) -> ColumnDef {
    ColumnDef {
        name: Borrowed(name),
        sql_type,
        nullable,
        default: None,
        primary_key: false,
        auto_increment: false,
        renamed_from: None,
    }
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
