//! One pass over raw SQL that finds its `?` placeholders and tells whether it holds more than
//! one statement, skipping what the database does not read as code: string literals, quoted
//! names and comments, each spelled as the database spells them.

use crate::dialect::Backend;

/// What the scan found.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Scan {
    /// The byte offsets of the `?` placeholders, in order.
    pub placeholders: Vec<usize>,
    /// Whether code follows a `;`: a second statement (an empty one after a trailing `;` does
    /// not count).
    pub several_statements: bool,
}

/// A string literal, quoted name or comment that the SQL opens and never closes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Unterminated {
    /// What is left open, with its delimiters.
    pub what: &'static str,
    /// The byte offset where it opens.
    pub at: usize,
}

/// How one database's lexer differs from the others', as far as finding placeholders goes.
/// Every database reads `'…'` (with `''` inside), `"…"`, `` `…` `` (with the quote doubled
/// inside), `-- …` and `/* … */` alike; PostgreSQL has no backtick names, but no operator of
/// its own uses a backtick, so reading one as a quote only affects SQL it rejects.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Syntax {
    /// `/* /* … */ */` nests (PostgreSQL).
    nested_block_comments: bool,
    /// `$$…$$` and `$tag$…$tag$` are strings (PostgreSQL).
    dollar_quotes: bool,
    /// `E'…'` is a string in which a backslash escapes the next character (PostgreSQL, where a
    /// backslash is an ordinary character of `'…'` since `standard_conforming_strings` is on).
    escape_strings: bool,
    /// A backslash escapes the next character in `'…'` and `"…"` (MySQL's default `sql_mode`).
    backslash_escapes: bool,
    /// `#` starts a line comment, `--` only when whitespace follows it, and `/*! … */` and
    /// `/*M! … */` hold SQL that the server runs (MySQL, MariaDB).
    mysql_comments: bool,
    /// `[…]` quotes a name (SQLite).
    bracket_names: bool,
}

impl Syntax {
    /// The syntax of `backend`.
    pub(crate) fn of(backend: Backend) -> Syntax {
        let common = Syntax {
            nested_block_comments: false,
            dollar_quotes: false,
            escape_strings: false,
            backslash_escapes: false,
            mysql_comments: false,
            bracket_names: false,
        };
        match backend {
            Backend::Sqlite => Syntax {
                bracket_names: true,
                ..common
            },
            Backend::Postgres => Syntax {
                nested_block_comments: true,
                dollar_quotes: true,
                escape_strings: true,
                ..common
            },
            Backend::Mysql => Syntax {
                backslash_escapes: true,
                mysql_comments: true,
                ..common
            },
        }
    }
}

/// Scans `sql` as `syntax` reads it.
pub(crate) fn scan(sql: &str, syntax: Syntax) -> Result<Scan, Unterminated> {
    let mut scanner = Scanner {
        sql: sql.as_bytes(),
        pos: 0,
        syntax,
        in_executable_comment: false,
    };
    let mut scan = Scan::default();
    let mut statement_ended = false;
    while scanner.pos < scanner.sql.len() {
        let start = scanner.pos;
        match scanner.next_piece()? {
            Piece::Blank => {}
            Piece::Semicolon => statement_ended = true,
            piece @ (Piece::Code | Piece::Placeholder) => {
                scan.several_statements |= statement_ended;
                if piece == Piece::Placeholder {
                    scan.placeholders.push(start);
                }
            }
        }
    }
    Ok(scan)
}

/// What the scanner just stepped over.
#[derive(Debug, PartialEq, Eq)]
enum Piece {
    /// Whitespace or a comment.
    Blank,
    /// A `;` outside strings and comments.
    Semicolon,
    /// A `?` outside strings and comments.
    Placeholder,
    /// Anything else: a character of code, a string literal, a quoted name.
    Code,
}

struct Scanner<'a> {
    /// Bytes, not characters: every delimiter is ASCII, and no byte of a multi-byte UTF-8
    /// character is.
    sql: &'a [u8],
    pos: usize,
    syntax: Syntax,
    /// Inside MySQL's `/*! … */`, whose content is code.
    in_executable_comment: bool,
}

impl Scanner<'_> {
    /// Steps over the piece at `self.pos`.
    fn next_piece(&mut self) -> Result<Piece, Unterminated> {
        let sql = self.sql;
        let rest = &sql[self.pos..];
        let syntax = self.syntax;
        let piece = match rest[0] {
            b if b.is_ascii_whitespace() => self.step(1, Piece::Blank),
            b';' => self.step(1, Piece::Semicolon),
            b'?' => self.step(1, Piece::Placeholder),
            // -- comment
            b'-' if rest.starts_with(b"--") && self.dashes_start_comment(&rest[2..]) => {
                self.skip_line()
            }
            // # comment
            b'#' if syntax.mysql_comments => self.skip_line(),
            // /*! SQL that MySQL runs */, /*M! SQL that MariaDB runs */
            b'/' if syntax.mysql_comments && executable_opener(rest) > 0 => {
                self.in_executable_comment = true;
                self.step(executable_opener(rest), Piece::Blank)
            }
            b'*' if self.in_executable_comment && rest.starts_with(b"*/") => {
                self.in_executable_comment = false;
                self.step(2, Piece::Blank)
            }
            // /* comment */
            b'/' if rest.starts_with(b"/*") => self.skip_block_comment()?,
            // E'it\'s'
            b'E' | b'e'
                if syntax.escape_strings && rest.get(1) == Some(&b'\'') && !self.after_word() =>
            {
                self.skip_quoted(2, b'\'', true, "string literal `E'…'`")?
            }
            b'\'' => {
                self.skip_quoted(1, b'\'', syntax.backslash_escapes, "string literal `'…'`")?
            }
            b'"' => self.skip_quoted(
                1,
                b'"',
                syntax.backslash_escapes,
                "double-quoted name or string `\"…\"`",
            )?,
            b'`' => self.skip_quoted(1, b'`', false, "quoted name `` `…` ``")?,
            // [name]
            b'[' if syntax.bracket_names => self.skip_past(1, b"]", "quoted name `[…]`")?,
            // $$text$$, $tag$text$tag$
            b'$' if syntax.dollar_quotes && !self.after_word() => match dollar_tag(rest) {
                Some(tag) => {
                    self.skip_past(tag.len(), tag, "dollar-quoted string `$tag$…$tag$`")?
                }
                None => self.step(1, Piece::Code),
            },
            _ => self.step(1, Piece::Code),
        };
        Ok(piece)
    }

    /// Steps over `len` bytes that make `piece`.
    fn step(&mut self, len: usize, piece: Piece) -> Piece {
        self.pos += len;
        piece
    }

    /// Whether `--` followed by `after` starts a comment: always, except on MySQL, which
    /// wants whitespace (or the end) after it (`1--1` is 1 minus -1).
    fn dashes_start_comment(&self, after: &[u8]) -> bool {
        !self.syntax.mysql_comments
            || after
                .first()
                .is_none_or(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    }

    /// Whether the byte before `self.pos` belongs to a word (a name, keyword or number), so
    /// that `E` or `$` here continues it rather than opening a string.
    fn after_word(&self) -> bool {
        self.pos > 0 && is_word_byte(self.sql[self.pos - 1])
    }

    /// Steps to the end of the line (PostgreSQL also ends a comment at a carriage return).
    fn skip_line(&mut self) -> Piece {
        let rest = &self.sql[self.pos..];
        let len = rest
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .unwrap_or(rest.len());
        self.step(len, Piece::Blank)
    }

    /// Steps over `/* … */`, nested ones included where they nest.
    fn skip_block_comment(&mut self) -> Result<Piece, Unterminated> {
        const WHAT: &str = "comment `/* … */`";
        if !self.syntax.nested_block_comments {
            self.skip_past(2, b"*/", WHAT)?;
            return Ok(Piece::Blank);
        }
        let start = self.pos;
        let mut depth = 0;
        let mut i = start;
        while i < self.sql.len() {
            let rest = &self.sql[i..];
            if rest.starts_with(b"/*") {
                depth += 1;
                i += 2;
            } else if rest.starts_with(b"*/") {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    self.pos = i;
                    return Ok(Piece::Blank);
                }
            } else {
                i += 1;
            }
        }
        Err(Unterminated {
            what: WHAT,
            at: start,
        })
    }

    /// Steps over a literal or name whose opening delimiter at `self.pos` is `open_len` bytes
    /// long and ends with `quote`; inside, a doubled `quote` stands for one and, with
    /// `backslash`, a backslash escapes the next byte.
    fn skip_quoted(
        &mut self,
        open_len: usize,
        quote: u8,
        backslash: bool,
        what: &'static str,
    ) -> Result<Piece, Unterminated> {
        let start = self.pos;
        let mut i = start + open_len;
        while i < self.sql.len() {
            match self.sql[i] {
                b'\\' if backslash => i += 2,
                b if b == quote && self.sql.get(i + 1) == Some(&quote) => i += 2,
                b if b == quote => {
                    self.pos = i + 1;
                    return Ok(Piece::Code);
                }
                _ => i += 1,
            }
        }
        Err(Unterminated { what, at: start })
    }

    /// Steps past the first `end` after the opening delimiter at `self.pos`, `open_len` bytes
    /// long, where nothing inside escapes `end`.
    fn skip_past(
        &mut self,
        open_len: usize,
        end: &[u8],
        what: &'static str,
    ) -> Result<Piece, Unterminated> {
        let start = self.pos;
        let body = start + open_len;
        let offset = find(&self.sql[body..], end).ok_or(Unterminated { what, at: start })?;
        Ok(self.step(open_len + offset + end.len(), Piece::Code))
    }
}

/// The length of MySQL's `/*!` or MariaDB's `/*M!` at the start of `sql`, or 0.
fn executable_opener(sql: &[u8]) -> usize {
    [&b"/*!"[..], b"/*M!"]
        .into_iter()
        .find(|opener| sql.starts_with(opener))
        .map_or(0, <[u8]>::len)
}

/// The `$tag$` (or `$$`) that opens a dollar-quoted string at the start of `sql`: a tag is a
/// name that does not start with a digit (`$1` is a parameter, not a quote).
fn dollar_tag(sql: &[u8]) -> Option<&[u8]> {
    let name_len = sql[1..]
        .iter()
        .take_while(|&&b| is_word_byte(b) && b != b'$')
        .count();
    let starts_with_digit = sql.get(1).is_some_and(u8::is_ascii_digit);
    (sql.get(1 + name_len) == Some(&b'$') && !starts_with_digit).then(|| &sql[..name_len + 2])
}

/// Whether `b` can be part of a name, keyword or number (bytes of non-ASCII characters can).
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || !b.is_ascii()
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    use Backend::{Mysql, Postgres, Sqlite};

    fn scanned(sql: &str, backend: Backend) -> Result<Scan, Unterminated> {
        scan(sql, Syntax::of(backend))
    }

    /// The number of placeholders `backend` finds in `sql`.
    fn count(sql: &str, backend: Backend) -> usize {
        scanned(sql, backend)
            .unwrap_or_else(|open| panic!("{sql:?} on {backend}: {open:?}"))
            .placeholders
            .len()
    }

    /// The number of placeholders each of SQLite, PostgreSQL and MySQL finds in `sql`.
    fn counts(sql: &str) -> [usize; 3] {
        [count(sql, Sqlite), count(sql, Postgres), count(sql, Mysql)]
    }

    /// Whether `sql` holds several statements, which every backend must agree on.
    fn several(sql: &str) -> bool {
        let verdicts =
            Backend::ALL.map(|backend| scanned(sql, backend).unwrap().several_statements);
        assert!(
            verdicts.iter().all(|&v| v == verdicts[0]),
            "{sql:?}: {verdicts:?}"
        );
        verdicts[0]
    }

    #[test]
    fn placeholders_are_found_at_their_byte_offsets() {
        let sql = "SELECT 'é', ? FROM t WHERE a IN (?,?)";
        for backend in Backend::ALL {
            assert_eq!(scanned(sql, backend).unwrap().placeholders, [13, 34, 36]);
        }
    }

    #[test]
    fn string_literals_with_doubled_quotes_hide_question_marks() {
        assert_eq!(counts("SELECT 'it''s ?' = ?"), [1, 1, 1]);
        assert_eq!(counts("SELECT '' = ? AND '?''' = ?"), [2, 2, 2]);
    }

    #[test]
    fn line_and_block_comments_hide_question_marks() {
        assert_eq!(counts("SELECT ? -- why?\n, ?"), [2, 2, 2]);
        assert_eq!(counts("SELECT ? /* why? */, ?"), [2, 2, 2]);
        assert_eq!(counts("SELECT ? -- why?"), [1, 1, 1]);
    }

    #[test]
    fn block_comments_nest_on_postgres_only() {
        // PostgreSQL: one comment, then `?`. Elsewhere the comment ends at the first `*/`.
        assert_eq!(counts("SELECT /* a /* b */ ? */ ?"), [2, 1, 2]);
    }

    #[test]
    fn double_quoted_and_backtick_names_hide_question_marks() {
        assert_eq!(counts(r#"SELECT "a?" = ? AND `b?` = ?"#), [2, 2, 2]);
        assert_eq!(counts(r#"SELECT "a""?" = ? AND `b``?` = ?"#), [2, 2, 2]);
    }

    #[test]
    fn square_bracket_names_hide_question_marks_on_sqlite_only() {
        assert_eq!(counts("SELECT [a?] = ?"), [1, 2, 2]);
    }

    #[test]
    fn dollar_quoted_strings_hide_question_marks_on_postgres() {
        assert_eq!(count("SELECT $$ ? $$ = ?", Postgres), 1);
        assert_eq!(count("SELECT $fn$ ? $$ ? $ $fn$ = ?", Postgres), 1);
        assert_eq!(count("SELECT $é$ ? $é$ = ?", Postgres), 1);
        // A positional parameter and a `$` inside a name open nothing.
        assert_eq!(
            count("SELECT $1 = ? AND price$ = ? AND a$b$ = ?", Postgres),
            3
        );
        // Elsewhere `$` is only a character of names (or of SQLite's `$name` parameters).
        assert_eq!(count("SELECT $$ ? $$", Sqlite), 1);
        assert_eq!(count("SELECT $$ ? $$", Mysql), 1);
    }

    #[test]
    fn escape_strings_take_backslash_escapes_on_postgres() {
        assert_eq!(count(r"SELECT E'it\'s ?' = ?", Postgres), 1);
        assert_eq!(count(r"SELECT e'\\' = ?", Postgres), 1);
        // Without the prefix a backslash is a character: the literal is `'a\'`.
        assert_eq!(count(r"SELECT 'a\' = ?", Postgres), 1);
        // An `E` that ends a word is part of the word.
        assert_eq!(count(r"SELECT name'\' = ?", Postgres), 1);
    }

    #[test]
    fn backslashes_escape_in_every_string_on_mysql() {
        assert_eq!(count(r"SELECT 'it\'s ?' = ?", Mysql), 1);
        assert_eq!(count(r#"SELECT "say \"?\"" = ?"#, Mysql), 1);
        assert_eq!(count(r"SELECT '\\' = ?", Mysql), 1);
        assert_eq!(count(r"SELECT `a\` = ?", Mysql), 1);
        // SQLite reads `'a\'` as a whole literal.
        assert_eq!(count(r"SELECT 'a\' = ?", Sqlite), 1);
    }

    #[test]
    fn mysql_reads_hash_comments_and_dashes_followed_by_whitespace_only() {
        // `#` is an operator on PostgreSQL.
        assert_eq!(counts("SELECT ? # why?\n"), [2, 2, 1]);
        // `1--?` is 1 minus minus a value on MySQL.
        assert_eq!(counts("SELECT 1--?"), [0, 0, 1]);
        assert_eq!(counts("SELECT 1--\t?"), [0, 0, 0]);
    }

    #[test]
    fn mysql_runs_the_sql_in_executable_comments() {
        assert_eq!(counts("SELECT /*!50100 ? + */ ?"), [1, 1, 2]);
        assert_eq!(counts("SELECT /*M! ?, */ ?"), [1, 1, 2]);
        // Its strings are strings: the `*/` inside this one closes nothing.
        assert_eq!(count("SELECT /*!'*/' */ ?", Mysql), 1);
        assert!(
            scanned("SELECT 1; /*! DROP TABLE t */", Mysql)
                .unwrap()
                .several_statements
        );
    }

    #[test]
    fn a_semicolon_followed_by_code_starts_a_second_statement() {
        assert!(several("UPDATE t SET a = 1; DROP TABLE t"));
        assert!(several("SELECT 1;SELECT 2;"));
        assert!(several("SELECT 1; ?"));
        assert!(several("SELECT 1; 'text'"));
    }

    #[test]
    fn a_trailing_semicolon_with_blanks_and_comments_is_one_statement() {
        assert!(!several("SELECT 1"));
        assert!(!several("SELECT 1;"));
        assert!(!several("SELECT 1 ; -- done\n /* really */ ;\n"));
        assert!(!several("SELECT ';', \"a;b\", `c;d` -- ;\n FROM t /* ; */"));
    }

    #[test]
    fn unterminated_literals_names_and_comments_are_reported_where_they_open() {
        let open = |sql: &str, backend| scanned(sql, backend).unwrap_err();
        for backend in Backend::ALL {
            assert_eq!(open("SELECT 'it''s", backend).what, "string literal `'…'`");
            assert_eq!(open("SELECT 'a', \"b", backend).at, 12);
            assert_eq!(open("SELECT `b``", backend).what, "quoted name `` `…` ``");
            assert_eq!(open("SELECT 1 /* ? *", backend).what, "comment `/* … */`");
        }
        assert_eq!(open("SELECT 1 /* /* */", Postgres).at, 9);
        assert!(scanned("SELECT 1 /* /* */", Sqlite).is_ok());
        assert_eq!(
            open("SELECT $a$ ? $b$", Postgres).what,
            "dollar-quoted string `$tag$…$tag$`"
        );
        assert_eq!(open(r"SELECT E'\'", Postgres).what, "string literal `E'…'`");
        assert_eq!(open(r"SELECT 'a\'", Mysql).at, 7);
        assert_eq!(open("SELECT [a", Sqlite).what, "quoted name `[…]`");
    }
}
