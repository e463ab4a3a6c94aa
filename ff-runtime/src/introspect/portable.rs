//! The portable type behind a type a database reports.

use super::Rules;
use crate::dialect::Backend;
use crate::schema::{ColumnDef, ColumnType};

/// The portable type whose column `backend` reports as `sql_type` (spelled as
/// [`LiveColumn::sql_type`](super::LiveColumn::sql_type) spells it), or [`ColumnType::Custom`]
/// of `sql_type` when ff creates no such column.
///
/// Where two portable types give the same column, the first of this order wins: `TEXT` before
/// `UUID` and `JSON` (SQLite stores all three as `TEXT`), `TIMESTAMP` before `TIMESTAMPTZ`
/// (MySQL/MariaDB store both as `DATETIME(6)`).
///
/// ```
/// use ff_runtime::Backend;
/// use ff_runtime::introspect::portable_type;
/// use ff_runtime::schema::ColumnType;
///
/// assert_eq!(portable_type("varchar(120)", Backend::Postgres), ColumnType::Varchar(120));
/// assert_eq!(portable_type("tinyint(1)", Backend::Mysql), ColumnType::Boolean);
/// assert_eq!(portable_type("point", Backend::Postgres), ColumnType::Custom("point".into()));
/// ```
pub fn portable_type(sql_type: &str, backend: Backend) -> ColumnType {
    let rules = Rules::of(backend);
    let dialect = backend.dialect();
    candidates(sql_type)
        .into_iter()
        .find(|candidate| {
            let column = ColumnDef::new("column", candidate.clone(), false);
            (rules.canonical_type)(&dialect.column_type(&column, false)) == sql_type
        })
        .unwrap_or_else(|| ColumnType::Custom(sql_type.to_owned().into()))
}

/// The portable types without a length or precision.
const UNSIZED: [ColumnType; 14] = [
    ColumnType::SmallInt,
    ColumnType::Integer,
    ColumnType::BigInt,
    ColumnType::Float,
    ColumnType::Double,
    ColumnType::Boolean,
    ColumnType::Text,
    ColumnType::Binary,
    ColumnType::Date,
    ColumnType::Time,
    ColumnType::Timestamp,
    ColumnType::TimestampTz,
    ColumnType::Uuid,
    ColumnType::Json,
];

/// Every portable type that could spell `sql_type`, lengths and precisions taken from its
/// arguments, in the order ambiguities are resolved.
fn candidates(sql_type: &str) -> Vec<ColumnType> {
    let arguments: Vec<u32> = sql_type
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(inside, _)| {
            inside
                .split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let mut candidates = UNSIZED.to_vec();
    if let [length] = arguments[..] {
        candidates.push(ColumnType::Varchar(length));
    }
    if let [precision, scale] = arguments[..]
        && let (Ok(precision), Ok(scale)) = (u8::try_from(precision), u8::try_from(scale))
    {
        candidates.push(ColumnType::Decimal { precision, scale });
    }
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What every backend reads back of each portable type: itself, or the type it is stored
    /// as when the database keeps no difference.
    #[test]
    fn every_portable_type_reads_back_as_itself_or_its_stored_twin() {
        let sized = [
            ColumnType::Varchar(255),
            ColumnType::Decimal {
                precision: 10,
                scale: 2,
            },
        ];
        for backend in Backend::ALL {
            let rules = Rules::of(backend);
            for declared in UNSIZED.iter().chain(&sized) {
                let column = ColumnDef::new("c", declared.clone(), false);
                let live = (rules.canonical_type)(&backend.dialect().column_type(&column, false));
                let expected = match (backend, declared) {
                    (Backend::Sqlite, ColumnType::Uuid | ColumnType::Json) => ColumnType::Text,
                    (Backend::Mysql, ColumnType::TimestampTz) => ColumnType::Timestamp,
                    _ => declared.clone(),
                };
                assert_eq!(portable_type(&live, backend), expected, "{backend}: {live}");
            }
        }
    }
}
