//! The Rust type and attributes of a column, and its default, from what the database reports.

use ff_runtime::Backend;
use ff_runtime::introspect::{LiveColumn, portable_type};
use ff_runtime::schema::ColumnType;

/// What a column becomes in an entity.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    /// The portable type the field declares.
    pub column_type: ColumnType,
    /// The Rust type, without `Option`.
    pub rust: &'static str,
    /// The attributes that size it (`length = 80`, `precision = 10, scale = 2`).
    pub attributes: Vec<String>,
    /// The crate the Rust type comes from, when it is not the standard library.
    pub dependency: Option<&'static str>,
}

/// The field that creates a column of this type on `backend`, or why there is none.
/// `indexed` tells whether the column is a key, a foreign key, or indexed: MySQL stores such
/// a text column without `length` as `VARCHAR(255)`, which then reads back as text.
pub fn map_type(column: &LiveColumn, backend: Backend, indexed: bool) -> Result<Mapped, String> {
    let column_type = match portable_type(&column.sql_type, backend) {
        ColumnType::Varchar(255) if backend == Backend::Mysql && indexed => ColumnType::Text,
        ColumnType::Custom(_) if column.sql_type.is_empty() => {
            return Err("has no declared type (SQLite then stores any value in it)".to_owned());
        }
        ColumnType::Custom(sql_type) => {
            return Err(format!(
                "has type `{sql_type}`, which no field type of ff creates on {backend}"
            ));
        }
        other => other,
    };
    let (rust, dependency) = match column_type {
        ColumnType::SmallInt => ("i16", None),
        ColumnType::Integer => ("i32", None),
        ColumnType::BigInt => ("i64", None),
        ColumnType::Float => ("f32", None),
        ColumnType::Double => ("f64", None),
        ColumnType::Boolean => ("bool", None),
        ColumnType::Text | ColumnType::Varchar(_) => ("String", None),
        ColumnType::Binary => ("Vec<u8>", None),
        ColumnType::Date => ("chrono::NaiveDate", Some("chrono")),
        ColumnType::Time => ("chrono::NaiveTime", Some("chrono")),
        ColumnType::Timestamp => ("chrono::NaiveDateTime", Some("chrono")),
        ColumnType::TimestampTz => ("chrono::DateTime<chrono::Utc>", Some("chrono")),
        ColumnType::Uuid => ("uuid::Uuid", Some("uuid")),
        ColumnType::Json => ("serde_json::Value", Some("serde_json")),
        ColumnType::Decimal { .. } => ("bigdecimal::BigDecimal", Some("bigdecimal")),
        ColumnType::Custom(_) => unreachable!("refused above"),
    };
    let attributes = match column_type {
        ColumnType::Varchar(length) => vec![format!("length = {length}")],
        ColumnType::Decimal { precision, scale } => {
            vec![format!("precision = {precision}, scale = {scale}")]
        }
        _ => Vec::new(),
    };
    Ok(Mapped {
        column_type,
        rust,
        attributes,
        dependency,
    })
}

/// The `default = …` attribute of a column of type `column_type`, `None` without a default,
/// or why the default cannot be declared.
pub fn default_attribute(
    column: &LiveColumn,
    column_type: &ColumnType,
) -> Result<Option<String>, String> {
    let Some(default) = column.default.as_deref() else {
        return Ok(None);
    };
    let refused = || {
        Err(format!(
            "has DEFAULT {default}, which no `default = …` of a {} field declares",
            type_name(column_type)
        ))
    };
    let value = match column_type {
        ColumnType::Date | ColumnType::Time | ColumnType::Timestamp | ColumnType::TimestampTz => {
            match default {
                "current_timestamp" | "current_date" | "current_time" => "now".to_owned(),
                _ => return refused(),
            }
        }
        ColumnType::Boolean => match default {
            "1" => "true".to_owned(),
            "0" => "false".to_owned(),
            _ => return refused(),
        },
        ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt => {
            match default.parse::<i64>() {
                Ok(int) => int.to_string(),
                Err(_) => return refused(),
            }
        }
        ColumnType::Float | ColumnType::Double | ColumnType::Decimal { .. } => {
            match default.parse::<f64>() {
                // Debug keeps the point: `1.0`, `-2.5`.
                Ok(float) if float.is_finite() => format!("{float:?}"),
                _ => return refused(),
            }
        }
        ColumnType::Text | ColumnType::Varchar(_) | ColumnType::Uuid => match unquote(default) {
            Some(text) => format!("{text:?}"),
            None => return refused(),
        },
        ColumnType::Binary | ColumnType::Json | ColumnType::Custom(_) => return refused(),
    };
    Ok(Some(format!("default = {value}")))
}

/// The text of a literal in canonical quoting (`'it''s'`).
fn unquote(literal: &str) -> Option<String> {
    let inner = literal.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

/// How the documentation names the field type of a portable type.
fn type_name(column_type: &ColumnType) -> &'static str {
    match column_type {
        ColumnType::Date | ColumnType::Time | ColumnType::Timestamp | ColumnType::TimestampTz => {
            "date or time"
        }
        ColumnType::Boolean => "bool",
        ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt => "integer",
        ColumnType::Float | ColumnType::Double | ColumnType::Decimal { .. } => "number",
        ColumnType::Text | ColumnType::Varchar(_) | ColumnType::Uuid => "text",
        ColumnType::Binary => "bytes",
        ColumnType::Json => "JSON",
        ColumnType::Custom(_) => "custom",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(sql_type: &str, default: Option<&str>) -> LiveColumn {
        LiveColumn {
            name: "c".into(),
            sql_type: sql_type.into(),
            nullable: false,
            default: default.map(str::to_owned),
            auto_increment: false,
        }
    }

    #[test]
    fn every_type_ff_creates_maps_back_to_its_field_type() {
        let pg = |sql: &str| map_type(&column(sql, None), Backend::Postgres, false);
        assert_eq!(pg("bigint").unwrap().rust, "i64");
        assert_eq!(pg("varchar(80)").unwrap().attributes, ["length = 80"]);
        assert_eq!(
            pg("numeric(10,2)").unwrap().attributes,
            ["precision = 10, scale = 2"]
        );
        assert_eq!(
            pg("timestamp with time zone").unwrap().rust,
            "chrono::DateTime<chrono::Utc>"
        );
        let mysql = |indexed| map_type(&column("varchar(255)", None), Backend::Mysql, indexed);
        assert_eq!(mysql(true).unwrap().column_type, ColumnType::Text);
        assert_eq!(mysql(false).unwrap().attributes, ["length = 255"]);
        assert_eq!(
            pg("inet").unwrap_err(),
            "has type `inet`, which no field type of ff creates on postgres"
        );
        assert!(
            map_type(&column("", None), Backend::Sqlite, false)
                .unwrap_err()
                .contains("no declared type")
        );
    }

    #[test]
    fn defaults_become_literals_of_the_field_type() {
        let attribute = |default, column_type| {
            default_attribute(&column("", Some(default)), &column_type).map(Option::unwrap)
        };
        assert_eq!(
            attribute("'it''s'", ColumnType::Text).unwrap(),
            r#"default = "it's""#
        );
        assert_eq!(
            attribute("-3", ColumnType::Integer).unwrap(),
            "default = -3"
        );
        assert_eq!(attribute("1", ColumnType::Double).unwrap(), "default = 1.0");
        assert_eq!(
            attribute("0", ColumnType::Boolean).unwrap(),
            "default = false"
        );
        assert_eq!(
            attribute("current_date", ColumnType::Date).unwrap(),
            "default = now"
        );
        assert_eq!(
            attribute("gen_random_uuid()", ColumnType::Uuid).unwrap_err(),
            "has DEFAULT gen_random_uuid(), which no `default = …` of a text field declares"
        );
    }
}
