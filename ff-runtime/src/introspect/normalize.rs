//! Spellings of types and defaults reduced to one canonical text, so that what a dialect
//! renders and what a database reports about it compare equal.

/// Lower case, single spaces, no spaces around parentheses and commas:
/// `NUMERIC(10, 2)` becomes `numeric(10,2)`.
pub(super) fn squeeze(raw: &str) -> String {
    let words: Vec<&str> = raw.split_whitespace().collect();
    words
        .join(" ")
        .to_lowercase()
        .replace(" (", "(")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(", ", ",")
        .replace(" ,", ",")
}

/// A DEFAULT expression in canonical form, or `None` for a NULL default.
///
/// Casts (`'x'::text`) and enclosing parentheses are dropped, string literals are re-quoted
/// the standard way (`'it''s'`), numbers are written in their shortest form, booleans become
/// `1`/`0`, and the current-time functions become `current_timestamp`, `current_date` or
/// `current_time`. `backslash_escapes` tells whether `\` escapes in string literals (MySQL).
pub(super) fn default(raw: &str, backslash_escapes: bool) -> Option<String> {
    let mut text = raw.trim();
    let mut numeric_cast = false;
    loop {
        if let Some((inner, cast)) = strip_cast(text) {
            numeric_cast |= is_numeric_type(cast);
            text = inner.trim();
        } else if let Some(inner) = strip_parens(text) {
            text = inner.trim();
        } else {
            break;
        }
    }
    let text = strip_charset_introducer(text);
    if let Some(value) = unquote(text, backslash_escapes) {
        if numeric_cast && let Some(number) = number(&value) {
            return Some(number);
        }
        return Some(quote(&value));
    }
    let expression = squeeze(text);
    let canonical = match expression.as_str() {
        "null" => return None,
        "true" => "1".to_owned(),
        "false" => "0".to_owned(),
        _ => current_time_function(&expression)
            .map(str::to_owned)
            .or_else(|| number(&expression))
            .unwrap_or(expression),
    };
    Some(canonical)
}

/// A string literal quoted the standard way, quotes doubled.
pub(super) fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// The canonical name of a function giving the current date or time, if `expression` is one.
fn current_time_function(expression: &str) -> Option<&'static str> {
    let name = expression.split('(').next().unwrap_or(expression);
    let args_ok = expression == name || expression.ends_with(')');
    if !args_ok {
        return None;
    }
    match name {
        "current_timestamp" | "localtimestamp" | "now" | "getdate" => Some("current_timestamp"),
        "current_date" | "curdate" => Some("current_date"),
        "current_time" | "localtime" | "curtime" => Some("current_time"),
        _ => None,
    }
}

/// A number in its shortest form (`1.50` and `1.5` both give `1.5`, `1.0` gives `1`).
fn number(text: &str) -> Option<String> {
    let text = text.trim();
    let first = text.chars().next()?;
    if !(first.is_ascii_digit() || matches!(first, '-' | '+' | '.')) {
        return None;
    }
    if let Ok(integer) = text.parse::<i64>() {
        return Some(integer.to_string());
    }
    text.parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
        .map(|value| value.to_string())
}

/// Whether a PostgreSQL cast target is a number type (its quoted literal is then a number).
fn is_numeric_type(cast: &str) -> bool {
    let name = squeeze(cast);
    let name = name.split('(').next().unwrap_or(&name);
    matches!(
        name,
        "smallint"
            | "integer"
            | "int"
            | "bigint"
            | "int2"
            | "int4"
            | "int8"
            | "numeric"
            | "decimal"
            | "real"
            | "double precision"
            | "float4"
            | "float8"
    )
}

/// `expr::type` split at the last cast outside string literals.
fn strip_cast(text: &str) -> Option<(&str, &str)> {
    let position = outside_quotes(text)
        .filter(|&(i, _)| text[i..].starts_with("::"))
        .map(|(i, _)| i)
        .last()?;
    let cast = &text[position + 2..];
    let is_type = !cast.is_empty()
        && cast
            .chars()
            .all(|c| c.is_alphanumeric() || " _(),[]\"".contains(c));
    is_type.then(|| (&text[..position], cast))
}

/// The inside of `( … )` when the first parenthesis closes at the very end.
fn strip_parens(text: &str) -> Option<&str> {
    if !text.starts_with('(') {
        return None;
    }
    let mut depth = 0usize;
    for (i, c) in outside_quotes(text) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return (i == text.len() - 1).then(|| &text[1..i]);
                }
            }
            _ => {}
        }
    }
    None
}

/// MySQL's `_utf8mb4'…'` charset introducer removed.
fn strip_charset_introducer(text: &str) -> &str {
    if let Some(rest) = text.strip_prefix('_')
        && let Some(quote) = rest.find('\'')
        && rest[..quote].chars().all(|c| c.is_ascii_alphanumeric())
    {
        return &rest[quote..];
    }
    text
}

/// The value of `text` when it is exactly one string literal.
fn unquote(text: &str, backslash_escapes: bool) -> Option<String> {
    let mut chars = text.chars().peekable();
    if chars.next()? != '\'' {
        return None;
    }
    let mut value = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' if backslash_escapes => match chars.next()? {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                'r' => value.push('\r'),
                '0' => value.push('\0'),
                other => value.push(other),
            },
            '\'' if chars.peek() == Some(&'\'') => {
                chars.next();
                value.push('\'');
            }
            '\'' => return chars.next().is_none().then_some(value),
            other => value.push(other),
        }
    }
    None
}

/// The characters of `text` (with byte positions) that are outside single-quoted literals.
fn outside_quotes(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut in_literal = false;
    text.char_indices().filter(move |&(_, c)| {
        if c == '\'' {
            in_literal = !in_literal;
            return false;
        }
        !in_literal
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_parentheses_and_quoting_styles_reduce_to_one_spelling() {
        assert_eq!(default("'it''s'::text", false).as_deref(), Some("'it''s'"));
        assert_eq!(default("('it''s')", true).as_deref(), Some("'it''s'"));
        assert_eq!(default(r"'it\'s'", true).as_deref(), Some("'it''s'"));
        assert_eq!(default(r"'a\\b''c'", true).as_deref(), Some(r"'a\b''c'"));
        assert_eq!(
            default("'x'::character varying", false).as_deref(),
            Some("'x'")
        );
        assert_eq!(default("'{}'::jsonb", false).as_deref(), Some("'{}'"));
        assert_eq!(default("'-3'::integer", false).as_deref(), Some("-3"));
        assert_eq!(default("'-2.5'::numeric", false).as_deref(), Some("-2.5"));
        assert_eq!(default("_utf8mb4'x'", true).as_deref(), Some("'x'"));
    }

    #[test]
    fn numbers_booleans_and_clock_functions_are_canonical() {
        assert_eq!(default("1.50", true).as_deref(), Some("1.5"));
        assert_eq!(default("1.0", false).as_deref(), Some("1"));
        assert_eq!(default("TRUE", false).as_deref(), Some("1"));
        assert_eq!(default("false", false).as_deref(), Some("0"));
        assert_eq!(default("NULL", true), None);
        for now in [
            "CURRENT_TIMESTAMP",
            "current_timestamp(6)",
            "LOCALTIMESTAMP",
            "now()",
        ] {
            assert_eq!(default(now, true).as_deref(), Some("current_timestamp"));
        }
        for today in ["(CURRENT_DATE)", "curdate()"] {
            assert_eq!(default(today, true).as_deref(), Some("current_date"));
        }
        for time in ["(CURRENT_TIME(6))", "curtime(6)", "LOCALTIME"] {
            assert_eq!(default(time, true).as_deref(), Some("current_time"));
        }
    }

    #[test]
    fn types_are_lower_case_without_optional_spaces() {
        assert_eq!(squeeze("NUMERIC(10, 2)"), "numeric(10,2)");
        assert_eq!(squeeze("  DOUBLE   PRECISION "), "double precision");
    }
}
