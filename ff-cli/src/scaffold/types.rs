//! The field types `create entity` offers, by their short names and their Rust names.

/// One type of the table.
#[derive(Debug, PartialEq, Eq)]
pub struct FieldType {
    /// The names it is asked for by (the first is the one shown), matched ignoring case.
    pub names: &'static [&'static str],
    /// The Rust type written in the entity.
    pub rust: &'static str,
    /// The crate the project must depend on for it, if not the standard library.
    pub crate_name: Option<&'static str>,
    /// What it stores, for the list of types.
    pub description: &'static str,
}

impl FieldType {
    /// The name it is shown by.
    pub fn name(&self) -> &'static str {
        self.names[0]
    }

    /// Whether `length` applies (a `String`).
    pub fn is_text(&self) -> bool {
        self.rust == "String"
    }

    /// Whether `precision` and `scale` apply (a `BigDecimal`).
    pub fn is_decimal(&self) -> bool {
        self.rust == "bigdecimal::BigDecimal"
    }
}

/// Every type, in the order the list shows them.
pub const TYPES: &[FieldType] = &[
    t(
        &["string", "varchar", "str"],
        "String",
        None,
        "text, VARCHAR(n) with a length",
    ),
    t(&["text"], "String", None, "text of any length (TEXT)"),
    t(&["integer", "int", "i32"], "i32", None, "32-bit integer"),
    t(&["bigint", "i64"], "i64", None, "64-bit integer"),
    t(&["smallint", "i16"], "i16", None, "16-bit integer"),
    t(
        &["float", "double", "f64"],
        "f64",
        None,
        "64-bit floating point",
    ),
    t(&["real", "f32"], "f32", None, "32-bit floating point"),
    t(&["boolean", "bool"], "bool", None, "true or false"),
    t(
        &["decimal", "numeric", "BigDecimal", "bigdecimal::BigDecimal"],
        "bigdecimal::BigDecimal",
        Some("bigdecimal"),
        "exact decimal, NUMERIC(precision, scale)",
    ),
    t(
        &["date", "NaiveDate", "chrono::NaiveDate"],
        "chrono::NaiveDate",
        Some("chrono"),
        "a calendar date",
    ),
    t(
        &["time", "NaiveTime", "chrono::NaiveTime"],
        "chrono::NaiveTime",
        Some("chrono"),
        "a time of day",
    ),
    t(
        &["datetime", "NaiveDateTime", "chrono::NaiveDateTime"],
        "chrono::NaiveDateTime",
        Some("chrono"),
        "a date and time without time zone",
    ),
    t(
        &[
            "datetime_tz",
            "timestamptz",
            "DateTime<Utc>",
            "chrono::DateTime<chrono::Utc>",
            "chrono::DateTime<Utc>",
        ],
        "chrono::DateTime<chrono::Utc>",
        Some("chrono"),
        "a date and time in UTC",
    ),
    t(
        &["uuid", "uuid::Uuid"],
        "uuid::Uuid",
        Some("uuid"),
        "a UUID",
    ),
    t(
        &["json", "serde_json::Value"],
        "serde_json::Value",
        Some("serde_json"),
        "a JSON document",
    ),
    t(
        &["binary", "bytes", "blob", "Vec<u8>"],
        "Vec<u8>",
        None,
        "bytes",
    ),
];

const fn t(
    names: &'static [&'static str],
    rust: &'static str,
    crate_name: Option<&'static str>,
    description: &'static str,
) -> FieldType {
    FieldType {
        names,
        rust,
        crate_name,
        description,
    }
}

/// The type named `name` (a short or a Rust name, any case), and whether it was written as
/// `Option<…>` (nullable).
pub fn lookup(name: &str) -> Result<(&'static FieldType, bool), String> {
    let compact: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    let (inner, nullable) = match compact
        .strip_prefix("Option<")
        .and_then(|rest| rest.strip_suffix('>'))
    {
        Some(inner) => (inner, true),
        None => (compact.as_str(), false),
    };
    TYPES
        .iter()
        .find(|ty| ty.names.iter().any(|n| n.eq_ignore_ascii_case(inner)))
        .map(|ty| (ty, nullable))
        .ok_or_else(|| {
            format!(
                "unknown field type `{name}`; the types are: {} (or their Rust names, e.g. i64, String, chrono::NaiveDateTime, Option<…> for a nullable field)",
                TYPES.iter().map(FieldType::name).collect::<Vec<_>>().join(", ")
            )
        })
}

/// The list of types, one a line, as the interactive mode shows it.
pub fn listing() -> String {
    TYPES
        .iter()
        .map(|ty| format!("  {:<12} {:<31} {}\n", ty.name(), ty.rust, ty.description))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_found_by_short_and_rust_names_in_any_case() {
        for (name, rust, nullable) in [
            ("string", "String", false),
            ("String", "String", false),
            ("INTEGER", "i32", false),
            ("i64", "i64", false),
            ("Option<i64>", "i64", true),
            (
                "Option< chrono::NaiveDateTime >",
                "chrono::NaiveDateTime",
                true,
            ),
            ("DateTime<Utc>", "chrono::DateTime<chrono::Utc>", false),
            ("BigDecimal", "bigdecimal::BigDecimal", false),
            ("Vec<u8>", "Vec<u8>", false),
            ("json", "serde_json::Value", false),
        ] {
            let (ty, option) = lookup(name).unwrap();
            assert_eq!((ty.rust, option), (rust, nullable), "{name}");
        }
    }

    #[test]
    fn an_unknown_type_lists_the_valid_ones() {
        let error = lookup("varchar2").unwrap_err();
        assert!(error.contains("`varchar2`"), "{error}");
        assert!(error.contains("string, text, integer"), "{error}");
        assert!(lookup("Option<Option<i32>>").is_err());
    }
}
