//! Reading SQL text the way a database does: quoted names and string literals, and where one
//! statement ends.

use std::iter::Peekable;
use std::str::Chars;

use crate::dialect::Backend;

/// The character that closes a quote opened by `open` (`'`, `"`, `` ` `` or `[`), if `open`
/// opens one.
pub(crate) fn closing_quote(open: char) -> Option<char> {
    match open {
        '\'' | '"' | '`' => Some(open),
        '[' => Some(']'),
        _ => None,
    }
}

/// The text of a quote whose opening character was just read, up to `close` (consumed). A
/// doubled closing quote stands for itself, except in `[…]`.
pub(crate) fn read_quoted(chars: &mut Peekable<Chars<'_>>, close: char) -> String {
    let mut text = String::new();
    while let Some(next) = chars.next() {
        if next == close {
            if close != ']' && chars.peek() == Some(&close) {
                chars.next();
            } else {
                break;
            }
        }
        text.push(next);
    }
    text
}

/// The condition of a partial index in canonical form, so that two spellings of it compare
/// equal, and so do what ff wrote and what the database gives back: PostgreSQL adds
/// parentheses and casts (`deleted_at IS NULL` comes back as `(deleted_at IS NULL)`,
/// `status = 'x' AND price > 0` as `(((status)::text = 'x'::text) AND (price > (0)::numeric))`).
///
/// Casts and identifier quotes are dropped, words are lower case (literals keep their case),
/// `!=` becomes `<>`, tokens are separated by one space, and parentheses are kept only around
/// an AND or OR inside a larger condition, where they decide the grouping. A rewrite the
/// database makes beyond these (PostgreSQL turns `IN (…)` into `= ANY (ARRAY[…])`, and
/// parenthesizes `a OR b AND c`) compares different.
pub(crate) fn canonical_condition(raw: &str) -> String {
    let mut tokens: Vec<String> = Vec::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            let value = read_quoted(&mut chars, '\'');
            tokens.push(format!("'{}'", value.replace('\'', "''")));
        } else if let Some(close) = closing_quote(c) {
            tokens.push(read_quoted(&mut chars, close).to_lowercase());
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            skip_cast_type(&mut chars);
        } else if is_word_char(c) {
            let mut word = c.to_string();
            while let Some(&next) = chars.peek().filter(|next| is_word_char(**next)) {
                word.push(next);
                chars.next();
            }
            tokens.push(word.to_lowercase());
        } else if "<>=!".contains(c) {
            let mut operator = c.to_string();
            while let Some(&next) = chars.peek().filter(|next| "<>=!".contains(**next)) {
                operator.push(next);
                chars.next();
            }
            tokens.push(if operator == "!=" {
                "<>".into()
            } else {
                operator
            });
        } else if !c.is_whitespace() {
            tokens.push(c.to_string());
        }
    }
    let mut tokens = tokens.into_iter();
    group(&mut tokens).0.join(" ")
}

/// The tokens up to the `)` that closes the group (or the end), with the parentheses of the
/// groups inside kept only where they hold an AND or OR; and whether the group itself has an
/// AND or OR outside its inner groups.
fn group(tokens: &mut impl Iterator<Item = String>) -> (Vec<String>, bool) {
    let mut out = Vec::new();
    let mut logical = false;
    while let Some(token) = tokens.next() {
        match token.as_str() {
            ")" => break,
            "(" => {
                let (inner, inner_logical) = group(tokens);
                if inner_logical {
                    out.push("(".to_owned());
                    out.extend(inner);
                    out.push(")".to_owned());
                } else {
                    out.extend(inner);
                }
            }
            _ => {
                logical |= token == "and" || token == "or";
                out.push(token);
            }
        }
    }
    // A group that is one parenthesized group holds its AND or OR itself.
    if out.first().is_some_and(|t| t == "(") && out.last().is_some_and(|t| t == ")") && !logical {
        let mut depth = 0;
        let closes_at_end = out.iter().enumerate().all(|(i, t)| {
            depth += i32::from(t == "(") - i32::from(t == ")");
            depth > 0 || i == out.len() - 1
        });
        if closes_at_end {
            out.remove(0);
            out.pop();
            logical = true;
        }
    }
    (out, logical)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

/// Skips the type of a PostgreSQL cast (`text`, `character varying`, `text[]`, `numeric(10,2)`).
fn skip_cast_type(chars: &mut Peekable<Chars<'_>>) {
    const TYPE_WORDS: &[&str] = &["varying", "precision", "without", "with", "time", "zone"];
    let mut word = String::new();
    loop {
        match chars.peek() {
            Some(&c) if is_word_char(c) || c == '[' || c == ']' => word.push(c),
            Some(&' ') => {
                let rest: String = chars
                    .clone()
                    .skip(1)
                    .take_while(|c| is_word_char(*c))
                    .collect();
                if !TYPE_WORDS.contains(&rest.to_lowercase().as_str()) {
                    return;
                }
            }
            _ => return,
        }
        chars.next();
    }
}

/// The statements of `sql` as `backend` reads them, each trimmed: split at the semicolons
/// outside quotes, comments and (on PostgreSQL) dollar-quoted bodies, leaving out those that are
/// empty or only comments. SQL with a compound body (the word `BEGIN` outside quotes, as in a
/// trigger or a procedure) is one statement: its semicolons belong to the body.
pub(crate) fn split_statements(sql: &str, backend: Backend) -> Vec<&str> {
    let bytes = sql.as_bytes();
    let mut statements = Vec::new();
    let (mut start, mut at) = (0, 0);
    // Whether the current statement has anything besides comments.
    let mut code = false;
    let mut compound = false;
    while at < bytes.len() {
        let byte = bytes[at];
        let next = bytes.get(at + 1).copied();
        at = match byte {
            b'\'' | b'"' | b'`' => {
                code = true;
                // MySQL reads a backslash in a string as an escape.
                end_of_quote(bytes, at, backend == Backend::Mysql && byte != b'`')
            }
            b'-' if next == Some(b'-') => end_of(bytes, at, "\n"),
            b'#' if backend == Backend::Mysql => end_of(bytes, at, "\n"),
            b'/' if next == Some(b'*') => end_of(bytes, at + 2, "*/"),
            b'$' if backend == Backend::Postgres => match dollar_tag(&sql[at..]) {
                Some(tag) => {
                    code = true;
                    end_of(bytes, at + tag.len(), tag)
                }
                None => at + 1,
            },
            b';' => {
                if code {
                    statements.push(sql[start..at].trim());
                }
                (start, code) = (at + 1, false);
                at + 1
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                code = true;
                let end = bytes[at..]
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$')))
                    .map_or(bytes.len(), |length| at + length);
                compound |= sql[at..end].eq_ignore_ascii_case("BEGIN");
                end
            }
            _ => {
                code |= !byte.is_ascii_whitespace();
                at + 1
            }
        };
    }
    if code {
        statements.push(sql[start..].trim());
    }
    if compound && statements.len() > 1 {
        return vec![sql.trim().trim_end_matches(';').trim_end()];
    }
    statements
}

/// The position after the quote that opens at `open`, or the end of `bytes`.
fn end_of_quote(bytes: &[u8], open: usize, backslash_escapes: bool) -> usize {
    let quote = bytes[open];
    let mut at = open + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' if backslash_escapes => at += 2,
            byte if byte == quote && bytes.get(at + 1) == Some(&quote) => at += 2,
            byte if byte == quote => return at + 1,
            _ => at += 1,
        }
    }
    bytes.len()
}

/// The position after the first `end` at or after `from`, or the end of `bytes`.
fn end_of(bytes: &[u8], from: usize, end: &str) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| rest.windows(end.len()).position(|w| w == end.as_bytes()))
        .map_or(bytes.len(), |found| from + found + end.len())
}

/// The tag that opens a PostgreSQL dollar-quoted string at the start of `sql` (`$$`,
/// `$body$`), if one does.
fn dollar_tag(sql: &str) -> Option<&str> {
    let rest = &sql[1..];
    let length = rest.find('$')?;
    let name = &rest[..length];
    let valid = name
        .chars()
        .enumerate()
        .all(|(index, c)| c == '_' || c.is_ascii_alphabetic() || (index > 0 && c.is_ascii_digit()));
    valid.then(|| &sql[..length + 2])
}

#[cfg(test)]
mod tests {
    use super::{Backend, canonical_condition, closing_quote, read_quoted, split_statements};

    #[test]
    fn statements_end_at_semicolons_outside_quotes_comments_and_bodies() {
        let sql = "INSERT INTO t VALUES ('a;b', \"c;\"); -- x; y\n/* ; */ UPDATE t SET a = 1;\n-- only a comment;\n ; ";
        assert_eq!(
            split_statements(sql, Backend::Sqlite),
            [
                "INSERT INTO t VALUES ('a;b', \"c;\")",
                "-- x; y\n/* ; */ UPDATE t SET a = 1"
            ]
        );
        let mysql = "INSERT INTO t VALUES ('it\\'s; fine'); # a; comment\nDO SLEEP(1)";
        assert_eq!(
            split_statements(mysql, Backend::Mysql),
            [
                "INSERT INTO t VALUES ('it\\'s; fine')",
                "# a; comment\nDO SLEEP(1)"
            ]
        );
        let postgres =
            "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql; SELECT $1";
        assert_eq!(
            split_statements(postgres, Backend::Postgres),
            [
                "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
                "SELECT $1"
            ]
        );
        let trigger = "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET n = n + 1; END;";
        assert_eq!(
            split_statements(trigger, Backend::Sqlite),
            ["CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET n = n + 1; END"]
        );
        assert!(split_statements(" -- nothing\n ", Backend::Postgres).is_empty());
    }

    #[test]
    fn a_quote_ends_at_its_closing_character_and_a_doubled_one_stands_for_itself() {
        let mut chars = r#"a ""b"" c" rest"#.chars().peekable();
        assert_eq!(read_quoted(&mut chars, '"'), r#"a "b" c"#);
        assert_eq!(chars.collect::<String>(), " rest");
        let mut chars = "x]]y] z".chars().peekable();
        assert_eq!(read_quoted(&mut chars, ']'), "x");
        assert_eq!(closing_quote('['), Some(']'));
        assert_eq!(closing_quote('('), None);
    }

    #[test]
    fn index_conditions_compare_without_the_parentheses_and_casts_postgres_adds() {
        let same = [
            ("deleted_at IS NULL", "(deleted_at IS NULL)"),
            ("active", "active"),
            (r#""active" = TRUE"#, "(active = true)"),
            (
                "status != 'Gone' AND price>0",
                "(((status)::text <> 'Gone'::text) AND (price > (0)::numeric))",
            ),
            (
                "created_at > '2020-01-01 00:00:00'",
                "(created_at > '2020-01-01 00:00:00'::timestamp without time zone)",
            ),
            (
                "`kind` = 'a''b'",
                "((kind)::character varying = 'a''b'::text)",
            ),
        ];
        for (written, read) in same {
            assert_eq!(
                canonical_condition(written),
                canonical_condition(read),
                "{written}"
            );
        }
        assert_ne!(
            canonical_condition("status = 'a'"),
            canonical_condition("status = 'A'")
        );
        // The grouping of AND and OR is kept.
        let grouped = canonical_condition("(a OR b) AND c");
        assert_eq!(grouped, "( a or b ) and c");
        assert_eq!(grouped, canonical_condition("((a OR (b)) AND (c))"));
        assert_eq!(
            canonical_condition("a OR (b AND c)"),
            canonical_condition("(a OR (b AND c))")
        );
        assert_ne!(grouped, canonical_condition("a OR (b AND c)"));
        assert_ne!(
            canonical_condition("active"),
            canonical_condition("NOT active")
        );
    }
}
