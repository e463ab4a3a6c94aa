//! Reading SQL text the way a database does: quoted names and string literals.

use std::iter::Peekable;
use std::str::Chars;

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

#[cfg(test)]
mod tests {
    use super::{closing_quote, read_quoted};

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
