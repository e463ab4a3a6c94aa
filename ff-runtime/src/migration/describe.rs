//! Operations as people read them: one line each for the CLI, and what an operation destroys.

use super::operation::Operation;
use crate::schema::{
    ColumnDef, ColumnType, DefaultValue, ForeignKeyDef, IndexDef, ReferentialAction,
};

/// `unique index` or `index`.
fn kind(index: &IndexDef) -> &'static str {
    if index.unique {
        "unique index"
    } else {
        "index"
    }
}

/// ` where <condition>` and what MySQL/MariaDB, which have no partial indexes, make of it, for
/// a partial index; empty for an index over every row.
fn condition(index: &IndexDef) -> String {
    let Some(predicate) = &index.predicate else {
        return String::new();
    };
    let mysql = if index.unique {
        "refused"
    } else {
        "over every row"
    };
    format!(" where {predicate} (partial; MySQL/MariaDB: {mysql})")
}

/// One line describing `operation`: `+` for what appears, `-` for what goes, `~` for what
/// changes, e.g. `+ column product.sku VARCHAR(32) NOT NULL`.
pub fn describe(operation: &Operation) -> String {
    match operation {
        Operation::CreateTable { table } => {
            let mut line = format!("+ table {}", table.name);
            for index in table.indexes.iter().filter(|i| i.predicate.is_some()) {
                line.push_str(&format!(
                    ", {} {}{}",
                    kind(index),
                    index.name,
                    condition(index)
                ));
            }
            line
        }
        Operation::DropTable { table } => format!("- table {}", table.name),
        Operation::RenameTable { from, to } => format!("~ rename table {from} → {to}"),
        Operation::AddColumn {
            table,
            column,
            backfill,
        } => {
            let mut line = format!("+ column {table}.{} {}", column.name, column_spec(column));
            if let Some(value) = backfill {
                line.push_str(&format!(" (existing rows: {})", literal(value)));
            }
            line
        }
        Operation::DropColumn { table, column } => format!("- column {table}.{}", column.name),
        Operation::RenameColumn { table, from, to } => {
            format!("~ rename column {table}.{from} → {table}.{to}")
        }
        Operation::AlterColumn {
            table,
            from,
            to,
            backfill,
        } => {
            let mut line = format!("~ column {table}.{}: {}", to.name, changes(from, to));
            if let Some(value) = backfill {
                line.push_str(&format!(" (NULL rows: {})", literal(value)));
            }
            line
        }
        Operation::AddIndex { table, index } => format!(
            "+ {} {} on {table}({}){}",
            kind(index),
            index.name,
            index.columns.join(", "),
            condition(index)
        ),
        Operation::DropIndex { table, index } => {
            format!("- {} {} on {table}", kind(index), index.name)
        }
        Operation::AddUnique { table, unique } => {
            format!(
                "+ unique {} on {table}({})",
                unique.name,
                unique.columns.join(", ")
            )
        }
        Operation::DropUnique { table, unique } => {
            format!("- unique {} on {table}", unique.name)
        }
        Operation::AddCheck { table, check } => {
            format!("+ check {} on {table}: {}", check.name, check.expression)
        }
        Operation::DropCheck { table, check } => format!("- check {} on {table}", check.name),
        Operation::AddForeignKey { table, foreign_key } => {
            format!("+ foreign key {}", foreign_key_spec(table, foreign_key))
        }
        Operation::DropForeignKey { table, foreign_key } => {
            format!("- foreign key {} on {table}", foreign_key.name)
        }
        Operation::StoreDecimalsAsNumbers { table, columns } => format!(
            "~ table {table}: decimal {} {} from text to numbers (SQLite rebuilds the table; \
             nothing to do on PostgreSQL and MySQL)",
            if columns.len() == 1 {
                "column"
            } else {
                "columns"
            },
            columns.join(", ")
        ),
    }
}

impl Operation {
    /// What this operation destroys, in a short sentence, or `None` when it keeps every value:
    /// dropping a table or a column, and changing a column's type other than widening it
    /// (SMALLINT → INTEGER → BIGINT, FLOAT → DOUBLE, a longer VARCHAR, VARCHAR → TEXT, a
    /// DECIMAL keeping at least as many digits before and after the point).
    pub fn data_loss(&self) -> Option<String> {
        match self {
            Operation::DropTable { table } => {
                Some(format!("drops table `{}` and its rows", table.name))
            }
            Operation::DropColumn { table, column } => {
                Some(format!("drops column `{table}.{}`", column.name))
            }
            Operation::AlterColumn {
                table, from, to, ..
            } if from.sql_type != to.sql_type && !widens(&from.sql_type, &to.sql_type) => {
                let verb = if widens(&to.sql_type, &from.sql_type) {
                    "narrows"
                } else {
                    "converts"
                };
                Some(format!(
                    "{verb} `{table}.{}` from {} to {}",
                    to.name,
                    type_name(&from.sql_type),
                    type_name(&to.sql_type)
                ))
            }
            _ => None,
        }
    }
}

/// Whether every value of `from` is a value of `to`.
fn widens(from: &ColumnType, to: &ColumnType) -> bool {
    use ColumnType::*;
    match (from, to) {
        (SmallInt, Integer | BigInt) | (Integer, BigInt) | (Float, Double) => true,
        (Varchar(_), Text) => true,
        (Varchar(n), Varchar(m)) => m >= n,
        (
            Decimal {
                precision: p1,
                scale: s1,
            },
            Decimal {
                precision: p2,
                scale: s2,
            },
        ) => {
            // Digits after the point, and digits before it, both kept.
            s2 >= s1 && p2.saturating_sub(*s2) >= p1.saturating_sub(*s1)
        }
        _ => from == to,
    }
}

/// The type in a neutral spelling, the same on every database.
pub fn type_name(sql_type: &ColumnType) -> String {
    match sql_type {
        ColumnType::SmallInt => "SMALLINT".into(),
        ColumnType::Integer => "INTEGER".into(),
        ColumnType::BigInt => "BIGINT".into(),
        ColumnType::Float => "FLOAT".into(),
        ColumnType::Double => "DOUBLE".into(),
        ColumnType::Boolean => "BOOLEAN".into(),
        ColumnType::Text => "TEXT".into(),
        ColumnType::Varchar(length) => format!("VARCHAR({length})"),
        ColumnType::Binary => "BINARY".into(),
        ColumnType::Date => "DATE".into(),
        ColumnType::Time => "TIME".into(),
        ColumnType::Timestamp => "TIMESTAMP".into(),
        ColumnType::TimestampTz => "TIMESTAMPTZ".into(),
        ColumnType::Uuid => "UUID".into(),
        ColumnType::Json => "JSON".into(),
        ColumnType::Decimal { precision, scale } => format!("DECIMAL({precision}, {scale})"),
        ColumnType::Custom(name) => name.to_string(),
    }
}

/// A value as a SQL literal.
fn literal(value: &DefaultValue) -> String {
    match value {
        DefaultValue::Bool(true) => "TRUE".into(),
        DefaultValue::Bool(false) => "FALSE".into(),
        DefaultValue::Int(value) => value.to_string(),
        DefaultValue::Float(value) => format!("{value:?}"),
        DefaultValue::Text(text) => format!("'{}'", text.replace('\'', "''")),
        DefaultValue::CurrentTimestamp => "CURRENT_TIMESTAMP".into(),
    }
}

/// `VARCHAR(32) NOT NULL DEFAULT '' PRIMARY KEY AUTO_INCREMENT`.
fn column_spec(column: &ColumnDef) -> String {
    let mut spec = type_name(&column.sql_type);
    spec.push_str(if column.nullable {
        " NULL"
    } else {
        " NOT NULL"
    });
    if let Some(default) = &column.default {
        spec.push_str(" DEFAULT ");
        spec.push_str(&literal(default));
    }
    if column.primary_key {
        spec.push_str(" PRIMARY KEY");
    }
    if column.auto_increment {
        spec.push_str(" AUTO_INCREMENT");
    }
    spec
}

/// What changes between two versions of a column: `VARCHAR(100) → VARCHAR(50), NOT NULL`.
fn changes(from: &ColumnDef, to: &ColumnDef) -> String {
    let mut changes = Vec::new();
    if from.sql_type != to.sql_type {
        changes.push(format!(
            "{} → {}",
            type_name(&from.sql_type),
            type_name(&to.sql_type)
        ));
    }
    if from.nullable != to.nullable {
        changes.push(if to.nullable { "NULL" } else { "NOT NULL" }.to_string());
    }
    if from.default != to.default {
        changes.push(match &to.default {
            Some(default) => format!("DEFAULT {}", literal(default)),
            None => "no default".to_string(),
        });
    }
    if from.primary_key != to.primary_key {
        changes.push(
            if to.primary_key {
                "primary key"
            } else {
                "no primary key"
            }
            .to_string(),
        );
    }
    if from.auto_increment != to.auto_increment {
        changes.push(
            if to.auto_increment {
                "auto increment"
            } else {
                "no auto increment"
            }
            .to_string(),
        );
    }
    if changes.is_empty() {
        "unchanged".to_string()
    } else {
        changes.join(", ")
    }
}

/// `fk_product_category_id product(category_id) → category(id) ON DELETE CASCADE`.
fn foreign_key_spec(table: &str, fk: &ForeignKeyDef) -> String {
    let mut spec = format!(
        "{} {table}({}) → {}({})",
        fk.name,
        fk.columns.join(", "),
        fk.referenced_table,
        fk.referenced_columns.join(", ")
    );
    if fk.on_delete != ReferentialAction::NoAction {
        spec.push_str(" ON DELETE ");
        spec.push_str(fk.on_delete.as_sql());
    }
    if fk.on_update != ReferentialAction::NoAction {
        spec.push_str(" ON UPDATE ");
        spec.push_str(fk.on_update.as_sql());
    }
    spec
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow::{Borrowed, Owned};

    use super::*;
    use crate::schema::{IndexDef, TableDef, Text};

    fn text(value: &str) -> Text {
        Owned(value.to_string())
    }

    fn column(name: &str, sql_type: ColumnType, nullable: bool) -> ColumnDef {
        ColumnDef::new(name.to_owned(), sql_type, nullable)
    }

    fn retype(from: ColumnType, to: ColumnType) -> Operation {
        Operation::AlterColumn {
            table: text("product"),
            from: column("name", from, false),
            to: column("name", to, false),
            backfill: None,
        }
    }

    fn product() -> TableDef {
        TableDef {
            name: text("product"),
            columns: vec![column("id", ColumnType::Integer, false)].into(),
            indexes: Borrowed(&[]),
            uniques: Borrowed(&[]),
            checks: Borrowed(&[]),
            foreign_keys: Borrowed(&[]),
            renamed_from: None,
        }
    }

    #[test]
    fn dropping_tables_and_columns_loses_data() {
        let table = product();
        assert_eq!(
            Operation::DropTable { table }.data_loss().as_deref(),
            Some("drops table `product` and its rows")
        );
        let drop = Operation::DropColumn {
            table: text("product"),
            column: column("sku", ColumnType::Text, true),
        };
        assert_eq!(
            drop.data_loss().as_deref(),
            Some("drops column `product.sku`")
        );
        assert_eq!(
            Operation::CreateTable { table: product() }.data_loss(),
            None
        );
    }

    #[test]
    fn narrowing_or_converting_a_type_loses_data_and_widening_does_not() {
        use ColumnType::*;
        let decimal = |precision, scale| Decimal { precision, scale };
        let safe = [
            (SmallInt, Integer),
            (SmallInt, BigInt),
            (Integer, BigInt),
            (Float, Double),
            (Varchar(50), Varchar(100)),
            (Varchar(50), Text),
            (decimal(10, 2), decimal(12, 2)),
            (decimal(10, 2), decimal(11, 3)),
        ];
        for (from, to) in safe {
            assert_eq!(
                retype(from.clone(), to.clone()).data_loss(),
                None,
                "{from:?}"
            );
        }
        let lossy = [
            (BigInt, Integer),
            (Double, Float),
            (Text, Varchar(10)),
            (Integer, Double),
            (Text, Integer),
            (decimal(5, 2), decimal(5, 3)),
            (decimal(10, 2), decimal(10, 1)),
        ];
        for (from, to) in lossy {
            assert!(
                retype(from.clone(), to.clone()).data_loss().is_some(),
                "{from:?}"
            );
        }
        assert_eq!(
            retype(Varchar(100), Varchar(50)).data_loss().as_deref(),
            Some("narrows `product.name` from VARCHAR(100) to VARCHAR(50)")
        );
        assert_eq!(
            retype(Text, Integer).data_loss().as_deref(),
            Some("converts `product.name` from TEXT to INTEGER")
        );
    }

    #[test]
    fn nullability_and_default_changes_lose_no_data() {
        let operation = Operation::AlterColumn {
            table: text("product"),
            from: column("name", ColumnType::Text, false),
            to: ColumnDef {
                default: Some(DefaultValue::Text(text("x"))),
                ..column("name", ColumnType::Text, true)
            },
            backfill: None,
        };
        assert_eq!(operation.data_loss(), None);
    }

    #[test]
    fn each_operation_is_described_in_one_line() {
        let sku = ColumnDef {
            default: Some(DefaultValue::Text(text("it's"))),
            ..column("sku", ColumnType::Varchar(32), false)
        };
        let fk = ForeignKeyDef {
            name: text("fk_product_category_id"),
            columns: vec![text("category_id")].into(),
            referenced_table: text("category"),
            referenced_columns: vec![text("id")].into(),
            on_delete: ReferentialAction::Cascade,
            on_update: ReferentialAction::NoAction,
        };
        let index = IndexDef::new("ix_product_name", vec![text("name")]);
        let partial = IndexDef {
            unique: true,
            predicate: Some(text("deleted_at IS NULL")),
            ..IndexDef::new("uq_product_sku", vec![text("sku")])
        };
        let cases = [
            (
                Operation::RenameTable {
                    from: text("products"),
                    to: text("product"),
                },
                "~ rename table products → product",
            ),
            (
                Operation::AddColumn {
                    table: text("product"),
                    column: sku.clone(),
                    backfill: None,
                },
                "+ column product.sku VARCHAR(32) NOT NULL DEFAULT 'it''s'",
            ),
            (
                Operation::AlterColumn {
                    table: text("product"),
                    from: column("sku", ColumnType::Text, true),
                    to: column("sku", ColumnType::Text, false),
                    backfill: Some(DefaultValue::Int(0)),
                },
                "~ column product.sku: NOT NULL (NULL rows: 0)",
            ),
            (
                Operation::AddIndex {
                    table: text("product"),
                    index: index.clone(),
                },
                "+ index ix_product_name on product(name)",
            ),
            (
                Operation::AddIndex {
                    table: text("product"),
                    index: partial.clone(),
                },
                "+ unique index uq_product_sku on product(sku) where deleted_at IS NULL (partial; MySQL/MariaDB: refused)",
            ),
            (
                Operation::AddIndex {
                    table: text("product"),
                    index: IndexDef {
                        unique: false,
                        ..partial.clone()
                    },
                },
                "+ index uq_product_sku on product(sku) where deleted_at IS NULL (partial; MySQL/MariaDB: over every row)",
            ),
            (
                Operation::DropIndex {
                    table: text("product"),
                    index: partial,
                },
                "- unique index uq_product_sku on product",
            ),
            (
                Operation::DropIndex {
                    table: text("product"),
                    index,
                },
                "- index ix_product_name on product",
            ),
            (
                Operation::AddForeignKey {
                    table: text("product"),
                    foreign_key: fk,
                },
                "+ foreign key fk_product_category_id product(category_id) → category(id) \
                 ON DELETE CASCADE",
            ),
            (
                Operation::StoreDecimalsAsNumbers {
                    table: text("orders"),
                    columns: vec![text("total"), text("tax")],
                },
                "~ table orders: decimal columns total, tax from text to numbers \
                 (SQLite rebuilds the table; nothing to do on PostgreSQL and MySQL)",
            ),
        ];
        for (operation, line) in cases {
            assert_eq!(describe(&operation), line);
        }
    }

    #[test]
    fn type_names_are_neutral() {
        assert_eq!(type_name(&ColumnType::Varchar(32)), "VARCHAR(32)");
        assert_eq!(
            type_name(&ColumnType::Decimal {
                precision: 10,
                scale: 2
            }),
            "DECIMAL(10, 2)"
        );
        assert_eq!(type_name(&ColumnType::Custom(text("money"))), "money");
    }
}
