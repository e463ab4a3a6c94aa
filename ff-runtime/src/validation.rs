//! Validation rules declared on fields with `#[ff(validate(...))]`.
//!
//! The derive turns each rule into a call to one of the checks below; the failures of every
//! field are collected and reported together in [`Error::Validation`](crate::Error::Validation).

use std::fmt;
use std::sync::OnceLock;

use regex::Regex;

/// One field that broke one of its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldFailure {
    /// The field name.
    pub field: &'static str,
    /// What is wrong, e.g. "must be at most 100".
    pub message: String,
}

impl fmt::Display for FieldFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.message)
    }
}

/// The failures as "a must …; b must …".
pub(crate) fn describe(failures: &[FieldFailure]) -> String {
    failures
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Checks used by generated code. Not public API.
#[doc(hidden)]
pub mod checks {
    use super::*;

    /// `value` must lie within `min..=max` (either bound may be absent).
    pub fn range<T: PartialOrd + fmt::Display>(
        failures: &mut Vec<FieldFailure>,
        field: &'static str,
        value: &T,
        min: Option<T>,
        max: Option<T>,
    ) {
        if let Some(message) = outside(value, min, max, "") {
            failures.push(FieldFailure { field, message });
        }
    }

    /// The text must hold `min..=max` characters (either bound may be absent).
    pub fn length(
        failures: &mut Vec<FieldFailure>,
        field: &'static str,
        value: &str,
        min: Option<usize>,
        max: Option<usize>,
    ) {
        let count = value.chars().count();
        if let Some(message) = outside(&count, min, max, " characters long") {
            failures.push(FieldFailure { field, message });
        }
    }

    /// What is wrong with `value` when it lies outside the bounds, in `unit`.
    fn outside<T: PartialOrd + fmt::Display>(
        value: &T,
        min: Option<T>,
        max: Option<T>,
        unit: &str,
    ) -> Option<String> {
        match (min, max) {
            (Some(min), Some(max)) if *value < min || *value > max => Some(format!(
                "must be between {min} and {max}{unit}, got {value}"
            )),
            (Some(min), None) if *value < min => {
                Some(format!("must be at least {min}{unit}, got {value}"))
            }
            (None, Some(max)) if *value > max => {
                Some(format!("must be at most {max}{unit}, got {value}"))
            }
            _ => None,
        }
    }

    /// The text must match `pattern`, compiled once into `cache` (the derive has already
    /// checked that the pattern is a valid regular expression).
    pub fn pattern(
        failures: &mut Vec<FieldFailure>,
        field: &'static str,
        value: &str,
        pattern: &'static str,
        cache: &'static OnceLock<Regex>,
    ) {
        let regex =
            cache.get_or_init(|| Regex::new(pattern).expect("the derive checked the pattern"));
        if !regex.is_match(value) {
            failures.push(FieldFailure {
                field,
                message: format!("must match the pattern `{pattern}`"),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::checks::*;
    use super::*;

    #[test]
    fn each_check_reports_only_what_fails() {
        static CODE: OnceLock<Regex> = OnceLock::new();
        let mut failures = Vec::new();
        range(&mut failures, "price", &5.0, Some(1.0), Some(10.0));
        range(&mut failures, "stock", &-1, Some(0), None);
        range(&mut failures, "rating", &6, None, Some(5));
        length(&mut failures, "name", "", Some(1), Some(10));
        length(&mut failures, "bio", "héllo", None, Some(5));
        pattern(&mut failures, "code", "AB-1", "^[A-Z]{2}-[0-9]+$", &CODE);
        pattern(&mut failures, "code", "ab", "^[A-Z]{2}-[0-9]+$", &CODE);
        assert_eq!(
            describe(&failures),
            "stock must be at least 0, got -1; rating must be at most 5, got 6; \
             name must be between 1 and 10 characters long, got 0; \
             code must match the pattern `^[A-Z]{2}-[0-9]+$`"
        );
    }
}
