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
    use super::{Backend, closing_quote, read_quoted, split_statements};

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
}
