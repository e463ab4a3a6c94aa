//! What each database can store, checked before a value is written.
//!
//! A value a column cannot hold on the connected database is refused with
//! [`Error::OutOfRange`](crate::Error::OutOfRange), naming the table, the column, the value and
//! the range: it is never stored as NULL, truncated, or read back as another value.
//! Repositories and the entity manager check every field before they write; the SQL types of
//! [`sql_types`](crate::sql_types) refuse the same values when they are bound by hand-written
//! Diesel code (without the table and column, which they do not know).

use std::str::FromStr;

use bigdecimal::{BigDecimal, ToPrimitive};
use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};

use crate::dialect::Backend;
use crate::entity::{Entity, FieldType};
use crate::error::{Error, Result};
use crate::schema::{ColumnDef, ColumnType};

/// The years a backend's date and date-time columns hold.
#[derive(Debug, Clone, Copy)]
pub struct YearRange {
    /// The first year (astronomical numbering: 1 BC is 0).
    pub first: i32,
    /// The last year.
    pub last: i32,
    /// The backend and its type, as users read it in messages.
    pub holder: &'static str,
}

/// SQLite stores dates as text whose order is time order only for four-digit years.
pub const SQLITE_YEARS: YearRange = YearRange {
    first: 0,
    last: 9999,
    holder: "SQLite's text dates",
};

/// PostgreSQL's `DATE` and `TIMESTAMP` start in 4713 BC (and end beyond what chrono holds).
pub const POSTGRES_YEARS: YearRange = YearRange {
    first: -4712,
    last: 262_142,
    holder: "PostgreSQL's DATE and TIMESTAMP",
};

/// MySQL's `DATE` and `DATETIME` hold years 1000 to 9999.
pub const MYSQL_YEARS: YearRange = YearRange {
    first: 1000,
    last: 9999,
    holder: "MySQL's DATE and DATETIME",
};

/// The years `backend` holds in date and date-time columns.
pub fn years(backend: Backend) -> YearRange {
    match backend {
        Backend::Sqlite => SQLITE_YEARS,
        Backend::Postgres => POSTGRES_YEARS,
        Backend::Mysql => MYSQL_YEARS,
    }
}

impl YearRange {
    /// Why a value of year `year` cannot be stored, if it cannot.
    fn problem(&self, year: i32, value: &dyn std::fmt::Display) -> Option<String> {
        (year < self.first || year > self.last).then(|| {
            format!(
                "{value} is outside the years {} to {} of {}",
                self.first, self.last, self.holder
            )
        })
    }
}

/// Checks a date and time against `range` and drops what is finer than a microsecond, the
/// precision every backend keeps.
pub(crate) fn check_timestamp<T>(value: &T, range: YearRange) -> Result<T, String>
where
    T: Datelike + Timelike + Clone + std::fmt::Display,
{
    if let Some(problem) = range.problem(value.year(), value) {
        return Err(problem);
    }
    let nanos = value.nanosecond();
    Ok(value
        .with_nanosecond(nanos - nanos % 1000)
        .unwrap_or_else(|| value.clone()))
}

/// The significant digits an 8-byte float gives back exactly.
const REAL_DIGITS: usize = 15;

/// Whether SQLite gives `value` back exactly from a numeric column, where it stores an
/// integer of 64 bits as such and anything else as an 8-byte float; why not otherwise.
pub(crate) fn check_sqlite_decimal(value: &BigDecimal) -> Result<(), String> {
    if value.is_integer() && value.to_i64().is_some() {
        return Ok(());
    }
    let real = f64::from_str(&value.to_string()).unwrap_or(f64::NAN);
    match decimal_from_real(real) {
        Ok(back) if back == *value => Ok(()),
        _ => Err(format!(
            "{value} has more digits than SQLite keeps in a decimal column (an integer of 64 bits, \
             or {REAL_DIGITS} significant digits)"
        )),
    }
}

/// The decimal an 8-byte float stands for, read to [`REAL_DIGITS`] significant digits.
pub(crate) fn decimal_from_real(real: f64) -> Result<BigDecimal, String> {
    if !real.is_finite() {
        return Err(format!("{real} is not a decimal"));
    }
    let text = format!("{real:.*e}", REAL_DIGITS - 1);
    BigDecimal::from_str(&text)
        .map(|decimal| decimal.normalized())
        .map_err(|error| format!("{text} is not a decimal: {error}"))
}

/// Why a value cannot be stored, for each kind of field.
pub(crate) mod problems {
    use super::*;

    /// Values any column of their type holds.
    pub fn none<T>(_: &T, _: &ColumnType, _: Backend) -> Option<String> {
        None
    }

    /// Text: no NUL character, which PostgreSQL cannot store (refused everywhere, so a program
    /// behaves the same on every database).
    pub fn text(value: &str, _: &ColumnType, _: Backend) -> Option<String> {
        value.contains('\0').then(|| {
            "the text contains a NUL character (U+0000), which PostgreSQL cannot store; ff refuses \
             it on every database: remove it or store the value as bytes (Vec<u8>)"
                .to_owned()
        })
    }

    /// JSON: no NUL character in any string, which PostgreSQL's JSONB cannot store.
    pub fn json(value: &serde_json::Value, _: &ColumnType, _: Backend) -> Option<String> {
        fn has_nul(value: &serde_json::Value) -> bool {
            match value {
                serde_json::Value::String(text) => text.contains('\0'),
                serde_json::Value::Array(items) => items.iter().any(has_nul),
                serde_json::Value::Object(map) => map
                    .iter()
                    .any(|(key, value)| key.contains('\0') || has_nul(value)),
                _ => false,
            }
        }
        has_nul(value).then(|| {
            "the JSON document contains a NUL character (\\u0000), which PostgreSQL's JSONB \
             cannot store; ff refuses it on every database"
                .to_owned()
        })
    }

    /// Floats: NaN is stored by PostgreSQL only (SQLite turns it into NULL), infinities by
    /// PostgreSQL and SQLite.
    pub fn float<F: Into<f64> + Copy>(
        value: &F,
        _: &ColumnType,
        backend: Backend,
    ) -> Option<String> {
        let value: f64 = (*value).into();
        let refused = match backend {
            Backend::Postgres => false,
            Backend::Sqlite => value.is_nan(),
            Backend::Mysql => !value.is_finite(),
        };
        refused.then(|| {
            format!(
                "{value} cannot be stored on {backend}, which keeps only {}",
                match backend {
                    Backend::Sqlite => "numbers and infinities (it turns NaN into NULL)",
                    _ => "finite numbers",
                }
            )
        })
    }

    /// Dates: the backend's years.
    pub fn date(value: &NaiveDate, _: &ColumnType, backend: Backend) -> Option<String> {
        years(backend).problem(value.year(), value)
    }

    /// Times of day: whole microseconds, which PostgreSQL and MySQL keep (SQLite would keep
    /// more, so the same value would read back differently).
    pub fn time(value: &NaiveTime, _: &ColumnType, _: Backend) -> Option<String> {
        (!value.nanosecond().is_multiple_of(1000)).then(|| {
            format!(
                "{value} is finer than the microseconds a time column keeps: truncate it first \
                 (value.with_nanosecond(value.nanosecond() / 1000 * 1000))"
            )
        })
    }

    /// Dates with a time: the backend's years.
    pub fn timestamp<T>(value: &T, _: &ColumnType, backend: Backend) -> Option<String>
    where
        T: Datelike + Timelike + Clone + std::fmt::Display,
    {
        check_timestamp(value, years(backend)).err()
    }

    /// Decimals: the column's precision and scale, and on SQLite what a number there holds.
    pub fn decimal(value: &BigDecimal, column: &ColumnType, backend: Backend) -> Option<String> {
        if let ColumnType::Decimal { precision, scale } = *column {
            let (digits, exponent) = value.normalized().as_bigint_and_exponent();
            let decimals = exponent.max(0) as u64;
            let significant = digits.to_string().trim_start_matches('-').len() as i64;
            let whole = (significant - exponent).max(0) as u64;
            if decimals > u64::from(scale) {
                return Some(format!(
                    "{value} has {decimals} digits after the decimal point and the column keeps \
                     {scale}: round it first (BigDecimal::with_scale_round)"
                ));
            }
            let whole_allowed = u64::from(precision.saturating_sub(scale));
            if whole > whole_allowed {
                return Some(format!(
                    "{value} has {whole} digits before the decimal point and DECIMAL({precision}, \
                     {scale}) holds {whole_allowed}"
                ));
            }
        }
        match backend {
            Backend::Sqlite => check_sqlite_decimal(value).err(),
            _ => None,
        }
    }
}

/// Checks that `value` can be written to `column` on `backend`. Used by generated code.
#[doc(hidden)]
pub fn check_field<E: Entity, T: FieldType>(
    value: &T,
    column: &ColumnDef,
    backend: Backend,
) -> Result<()> {
    match value.storage_problem(&column.sql_type, backend) {
        None => Ok(()),
        Some(problem) => Err(Error::OutOfRange {
            table: E::TABLE_NAME.to_owned(),
            column: column.name.to_string(),
            backend,
            problem,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::problems::decimal;
    use super::*;

    fn dec(text: &str) -> BigDecimal {
        BigDecimal::from_str(text).unwrap()
    }

    #[test]
    fn sqlite_keeps_integers_and_fifteen_significant_digits() {
        for kept in [
            "-9223372036854775808",
            "12.50",
            "99999999999999.9",
            "0.000000000000001",
            "1e300",
            "0.1",
            "-25.86",
            "123456789.012345",
            "1e-20",
            "100000000000000000000",
        ] {
            assert_eq!(check_sqlite_decimal(&dec(kept)), Ok(()), "{kept}");
            if !dec(kept).is_integer() {
                let real: f64 = kept.parse().unwrap();
                assert_eq!(decimal_from_real(real), Ok(dec(kept)), "{kept}");
            }
        }
        for lost in [
            "9999999999999999.9",
            "0.1234567890123456",
            "9223372036854775809.5",
        ] {
            assert!(check_sqlite_decimal(&dec(lost)).is_err(), "{lost}");
        }
    }

    #[test]
    fn decimals_must_fit_the_declared_precision_and_scale() {
        let column = ColumnType::Decimal {
            precision: 5,
            scale: 2,
        };
        for fits in ["999.99", "-999.99", "0", "0.01", "12.30", "100"] {
            assert_eq!(
                decimal(&dec(fits), &column, Backend::Postgres),
                None,
                "{fits}"
            );
        }
        let scale = decimal(&dec("1.005"), &column, Backend::Mysql).unwrap();
        assert!(
            scale.contains("3 digits after the decimal point"),
            "{scale}"
        );
        let whole = decimal(&dec("-1000"), &column, Backend::Postgres).unwrap();
        assert!(
            whole.contains("4 digits before the decimal point"),
            "{whole}"
        );
    }

    #[test]
    fn each_backend_refuses_the_years_it_cannot_hold() {
        let year = |y| NaiveDate::from_ymd_opt(y, 1, 9).unwrap();
        let refused = |y, backend| problems::date(&year(y), &ColumnType::Date, backend).is_some();
        assert!(!refused(1968, Backend::Mysql) && !refused(2040, Backend::Mysql));
        assert!(refused(500, Backend::Mysql) && !refused(500, Backend::Sqlite));
        assert!(refused(-1, Backend::Sqlite) && refused(10_000, Backend::Sqlite));
        assert!(!refused(-4712, Backend::Postgres) && refused(-4713, Backend::Postgres));
    }

    #[test]
    fn timestamps_keep_microseconds() {
        let value = NaiveDate::from_ymd_opt(2040, 1, 1)
            .unwrap()
            .and_hms_nano_opt(1, 2, 3, 123_456_789)
            .unwrap();
        let kept = check_timestamp(&value, MYSQL_YEARS).unwrap();
        assert_eq!(kept.nanosecond(), 123_456_000);
    }
}
