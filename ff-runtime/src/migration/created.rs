//! The names of the objects hand-written SQL creates: `CREATE [UNIQUE] INDEX name`,
//! `CREATE TABLE name`, `CREATE VIEW name` and `[ADD] CONSTRAINT name`, read from the statements
//! themselves, so that the result is the same on every machine and for migrations applied by
//! any version of ff.

use std::collections::BTreeSet;

use crate::dialect::Backend;
use crate::sql_text::{closing_quote, read_quoted};

/// The names of the tables, views, indexes and constraints that `sql` creates, as `backend`'s
/// catalog spells them: unquoted names in lower case on PostgreSQL, the last part of a
/// qualified name (`shop.ix_a` is `ix_a`). An index created without a name (PostgreSQL's
/// `CREATE INDEX ON t (a)`) has none to find.
///
/// ```
/// use ff_runtime::Backend;
/// use ff_runtime::migration::created_names;
///
/// let sql = r#"CREATE UNIQUE INDEX IF NOT EXISTS "Ix_Ünï" ON note (title);
///     -- CREATE INDEX commented_out ON note (title)
///     CREATE VIEW Active_Notes AS SELECT 'CREATE TABLE literal' AS t;
///     ALTER TABLE note ADD CONSTRAINT ck_title CHECK (title <> '');
///     ALTER TABLE note DROP CONSTRAINT old_check;"#;
/// let names: Vec<String> = created_names(sql, Backend::Postgres).into_iter().collect();
/// assert_eq!(names, ["Ix_Ünï", "active_notes", "ck_title"]);
/// ```
pub fn created_names(sql: &str, backend: Backend) -> BTreeSet<String> {
    let tokens = tokens(sql);
    let mut names = BTreeSet::new();
    for (at, token) in tokens.iter().enumerate() {
        let rest = &tokens[at + 1..];
        let name = if token.is_word("CREATE") {
            created_object(rest)
        } else if token.is_word("CONSTRAINT") && !(at > 0 && tokens[at - 1].is_word("DROP")) {
            identifier(rest)
        } else {
            None
        };
        if let Some(name) = name {
            names.insert(name.spelled(backend));
        }
    }
    names
}

/// The name after `CREATE`, when it creates an index, table or view.
fn created_object(tokens: &[Token]) -> Option<&Token> {
    const MODIFIERS: [&str; 8] = [
        "OR",
        "REPLACE",
        "UNIQUE",
        "TEMP",
        "TEMPORARY",
        "MATERIALIZED",
        "FULLTEXT",
        "SPATIAL",
    ];
    let mut rest = tokens;
    while rest
        .first()
        .is_some_and(|t| MODIFIERS.iter().any(|m| t.is_word(m)))
    {
        rest = &rest[1..];
    }
    let kind = rest.first()?;
    if !["INDEX", "TABLE", "VIEW"].iter().any(|k| kind.is_word(k)) {
        return None;
    }
    rest = &rest[1..];
    if rest.first().is_some_and(|t| t.is_word("CONCURRENTLY")) {
        rest = &rest[1..];
    }
    if rest.len() >= 3
        && rest[0].is_word("IF")
        && rest[1].is_word("NOT")
        && rest[2].is_word("EXISTS")
    {
        rest = &rest[3..];
    }
    if rest.first().is_some_and(|t| t.is_word("ON")) {
        return None;
    }
    identifier(rest)
}

/// The identifier the tokens start with, the last part when it is qualified.
fn identifier(tokens: &[Token]) -> Option<&Token> {
    let mut name = tokens.first().filter(|t| t.is_name())?;
    let mut rest = &tokens[1..];
    while let [Token::Dot, next, tail @ ..] = rest {
        if !next.is_name() {
            break;
        }
        name = next;
        rest = tail;
    }
    Some(name)
}

/// A piece of SQL that matters here.
#[derive(Debug, PartialEq)]
enum Token {
    /// An unquoted word.
    Word(String),
    /// A quoted identifier, unquoted.
    Quoted(String),
    /// `.`
    Dot,
    /// Any other punctuation.
    Other,
}

impl Token {
    fn is_word(&self, word: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(word))
    }

    fn is_name(&self) -> bool {
        matches!(self, Token::Word(_) | Token::Quoted(_))
    }

    fn spelled(&self, backend: Backend) -> String {
        match self {
            Token::Word(word) if backend == Backend::Postgres => word.to_lowercase(),
            Token::Word(name) | Token::Quoted(name) => name.clone(),
            Token::Dot | Token::Other => String::new(),
        }
    }
}

/// The tokens of `sql`; string literals and comments are left out.
fn tokens(sql: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&'-') => {
                chars.find(|&c| c == '\n');
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            c if closing_quote(c).is_some() => {
                let text = read_quoted(&mut chars, closing_quote(c).unwrap_or(c));
                if c != '\'' {
                    tokens.push(Token::Quoted(text));
                }
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' => {
                let mut word = c.to_string();
                while let Some(&next) = chars.peek() {
                    if !(next.is_alphanumeric() || next == '_' || next == '$') {
                        break;
                    }
                    word.push(next);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
            '.' => tokens.push(Token::Dot),
            c if c.is_whitespace() => {}
            _ => tokens.push(Token::Other),
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sql: &str, backend: Backend) -> Vec<String> {
        created_names(sql, backend).into_iter().collect()
    }

    #[test]
    fn qualified_quoted_and_odd_names_are_found_as_the_catalog_spells_them() {
        let sql = "create index concurrently if not exists public.\"select\" on t (a);
            CREATE TABLE `shop`.`Audit Log` (id INT, CONSTRAINT `uq_a` UNIQUE (id));
            CREATE OR REPLACE VIEW [v 1] AS SELECT 1;
            CREATE MATERIALIZED VIEW Totals AS SELECT 1;
            CREATE INDEX ON t (b);
            CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;
            /* CREATE TABLE hidden (id int) */ DROP INDEX ix_old;";
        assert_eq!(
            names(sql, Backend::Mysql),
            ["Audit Log", "Totals", "select", "uq_a", "v 1"]
        );
        assert_eq!(
            names(sql, Backend::Postgres),
            ["Audit Log", "select", "totals", "uq_a", "v 1"]
        );
    }

    #[test]
    fn sql_that_creates_nothing_names_nothing() {
        assert!(names("", Backend::Sqlite).is_empty());
        assert!(names("UPDATE t SET a = 'CREATE TABLE x'; CREATE", Backend::Sqlite).is_empty());
    }
}
