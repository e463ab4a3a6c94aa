//! Matching a text column against a piece of text taken literally, such as user input:
//! `product::name.contains(input)`, `starts_with`, `ends_with`, and the case-insensitive
//! `icontains`, `istarts_with`, `iends_with`.
//!
//! Diesel's `like` takes a pattern, so input containing `%` or `_` matches far more than it
//! says. These helpers escape the wildcards of the input, bind it as a parameter, and render one
//! rule on every backend: the plain helpers compare case and accents exactly, the `i` helpers
//! ignore case but not accents.
//!
//! | helper | SQLite | PostgreSQL | MySQL/MariaDB |
//! | --- | --- | --- | --- |
//! | `contains` … | `col GLOB ?` | `col LIKE ? ESCAPE '!'` | `col LIKE ? COLLATE utf8mb4_bin ESCAPE '!'` |
//! | `icontains` … | `LOWER(col) LIKE LOWER(?) ESCAPE '!'` | the same | `LOWER(col) LIKE LOWER(?) COLLATE utf8mb4_bin ESCAPE '!'` |
//!
//! Why each part is there:
//!
//! - **`!` escapes**, not the backslash: MySQL reads a backslash inside a string literal as an
//!   escape unless `NO_BACKSLASH_ESCAPES` is set, so `ESCAPE '\'` would have to be written
//!   differently per server mode; `'!'` reads the same everywhere.
//! - **SQLite uses GLOB** for the exact helpers, because its LIKE ignores the case of ASCII
//!   letters. `PRAGMA case_sensitive_like` would do it too, but for every LIKE on the
//!   connection, including those the application writes itself; SQLite also marks the pragma
//!   deprecated, and a build may leave it out (`SQLITE_OMIT_CASE_SENSITIVE_LIKE_PRAGMA`).
//!   GLOB's wildcards `*`, `?` and `[` are escaped as `[*]`, `[?]`, `[[]`.
//! - **MySQL gets `COLLATE utf8mb4_bin`** on the pattern: the comparison otherwise follows the
//!   column's collation, and on a database ff did not create that is often `utf8mb4_general_ci`,
//!   which ignores case and accents. An explicit collation wins over the column's; the bound
//!   pattern is `utf8mb4` because Diesel sets the connection's character set to it, and columns
//!   in `utf8mb3` or `latin1` are converted. `COLLATE` must come before `ESCAPE`: placed after
//!   it, it applies to the escape character alone and the column's collation still decides.
//! - **`LOWER`** folds every letter on PostgreSQL (under a database or column collation whose
//!   character classification knows them, such as `C.UTF-8` or a language locale; the plain
//!   `C` collation folds ASCII only) and on MySQL. SQLite's built-in `LOWER` folds ASCII
//!   letters only, so there `icontains("Ä")` does not find `ä`.

use diesel::QueryResult;
use diesel::backend::Backend;
use diesel::expression::{Expression, TypedExpressionType};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::serialize::ToSql;
use diesel::sql_types::{Bool, HasSqlType, Nullable, Text};
use diesel::sqlite::Sqlite;

/// The character that escapes LIKE's wildcards in the patterns ff writes.
const ESCAPE: char = '!';

/// The ESCAPE clause naming [`ESCAPE`].
const ESCAPE_CLAUSE: &str = " ESCAPE '!'";

/// Matching a text expression against text taken literally: `%`, `_` and every other
/// character of the input match only themselves.
///
/// Implemented for every Diesel expression of SQL type `Text` or `Nullable<Text>` (the columns
/// of `String` and `Option<String>` fields). The result is a condition for
/// [`Query::filter`](crate::Query::filter), [`Repository::find_by`](crate::Repository::find_by),
/// `count`, `delete_by` and [`Criteria`](crate::Criteria), combined with `.and(..)`, `.or(..)`
/// and `diesel::dsl::not(..)` like any other. A NULL text matches neither the condition nor
/// its negation.
///
/// ```
/// use ff_runtime::prelude::*;
///
/// #[derive(Entity, Debug, Clone)]
/// pub struct Product {
///     pub id: i32,
///     pub name: String,
/// }
///
/// let mut conn = Connection::establish(":memory:")?;
/// conn.create_tables(&[Product::META])?;
/// let product = |name: &str| Product { id: 0, name: name.into() };
/// Repository::<Product>::new(&mut conn).insert_many(&[
///     product("100% cotton"),
///     product("100 g"),
///     product("Cotton swab"),
/// ])?;
///
/// let search = "100%";   // with `like`, the `%` would match "100 g" as well
/// assert_eq!(Product::query().filter(product::name.contains(search)).count(&mut conn)?, 1);
/// assert_eq!(Product::query().filter(product::name.contains("cotton")).count(&mut conn)?, 1);
/// assert_eq!(Product::query().filter(product::name.icontains("cotton")).count(&mut conn)?, 2);
/// # Ok::<(), ff_runtime::Error>(())
/// ```
pub trait TextMatchMethods: Expression<SqlType: TextOrNullableText> + Sized {
    /// The rows whose text contains `text`, with the same case and accents.
    fn contains(self, text: impl AsRef<str>) -> TextMatch<Self> {
        TextMatch::new(self, Place::Anywhere, Case::Exact, text.as_ref())
    }

    /// The rows whose text starts with `text`, with the same case and accents.
    fn starts_with(self, text: impl AsRef<str>) -> TextMatch<Self> {
        TextMatch::new(self, Place::Start, Case::Exact, text.as_ref())
    }

    /// The rows whose text ends with `text`, with the same case and accents.
    fn ends_with(self, text: impl AsRef<str>) -> TextMatch<Self> {
        TextMatch::new(self, Place::End, Case::Exact, text.as_ref())
    }

    /// The rows whose text contains `text`, ignoring case (`LOWER` on both sides; on SQLite
    /// only ASCII letters are folded).
    fn icontains(self, text: impl AsRef<str>) -> TextMatch<Self> {
        TextMatch::new(self, Place::Anywhere, Case::Ignored, text.as_ref())
    }

    /// The rows whose text starts with `text`, ignoring case (`LOWER` on both sides; on SQLite
    /// only ASCII letters are folded).
    fn istarts_with(self, text: impl AsRef<str>) -> TextMatch<Self> {
        TextMatch::new(self, Place::Start, Case::Ignored, text.as_ref())
    }

    /// The rows whose text ends with `text`, ignoring case (`LOWER` on both sides; on SQLite
    /// only ASCII letters are folded).
    fn iends_with(self, text: impl AsRef<str>) -> TextMatch<Self> {
        TextMatch::new(self, Place::End, Case::Ignored, text.as_ref())
    }
}

impl<T: Expression<SqlType: TextOrNullableText>> TextMatchMethods for T {}

/// The SQL types [`TextMatchMethods`] applies to: `Text` and `Nullable<Text>`.
pub trait TextOrNullableText: sealed::Sealed {
    /// The type of a match: `Bool`, or `Nullable<Bool>` for a nullable text.
    type Matched: TypedExpressionType;
}

impl TextOrNullableText for Text {
    type Matched = Bool;
}

impl TextOrNullableText for Nullable<Text> {
    type Matched = Nullable<Bool>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for diesel::sql_types::Text {}
    impl Sealed for diesel::sql_types::Nullable<diesel::sql_types::Text> {}
}

/// A text expression matched against literal text; built by [`TextMatchMethods`].
#[derive(Debug, Clone)]
pub struct TextMatch<T> {
    text: T,
    case: Case,
    /// The LIKE pattern: the literal with `%`, `_` and `!` escaped by `!`.
    like: String,
    /// The same as a GLOB pattern, for SQLite's exact match.
    glob: String,
}

impl<T> TextMatch<T> {
    fn new(text: T, place: Place, case: Case, literal: &str) -> Self {
        TextMatch {
            text,
            case,
            like: place.pattern('%', &like_escaped(literal)),
            glob: place.pattern('*', &glob_escaped(literal)),
        }
    }

    /// `(text LIKE ?<collate> ESCAPE '!')`, each side in `LOWER(…)` when case is ignored.
    fn walk_like<'b, DB>(&'b self, mut out: AstPass<'_, 'b, DB>, collate: &str) -> QueryResult<()>
    where
        DB: Backend + HasSqlType<Text>,
        T: QueryFragment<DB>,
        String: ToSql<Text, DB>,
    {
        let (open, close) = match self.case {
            Case::Exact => ("", ""),
            Case::Ignored => ("LOWER(", ")"),
        };
        out.push_sql("(");
        out.push_sql(open);
        self.text.walk_ast(out.reborrow())?;
        out.push_sql(close);
        out.push_sql(" LIKE ");
        out.push_sql(open);
        out.push_bind_param::<Text, String>(&self.like)?;
        out.push_sql(close);
        out.push_sql(collate);
        out.push_sql(ESCAPE_CLAUSE);
        out.push_sql(")");
        Ok(())
    }
}

/// Where the literal must appear.
#[derive(Debug, Clone, Copy)]
enum Place {
    Anywhere,
    Start,
    End,
}

impl Place {
    /// The pattern finding `escaped` here, with `any` as the wildcard for any text.
    fn pattern(self, any: char, escaped: &str) -> String {
        match self {
            Place::Anywhere => format!("{any}{escaped}{any}"),
            Place::Start => format!("{escaped}{any}"),
            Place::End => format!("{any}{escaped}"),
        }
    }
}

/// Whether letter case counts.
#[derive(Debug, Clone, Copy)]
enum Case {
    Exact,
    Ignored,
}

/// `literal` as a LIKE pattern matching only itself, under `ESCAPE '!'`.
fn like_escaped(literal: &str) -> String {
    let mut escaped = String::with_capacity(literal.len());
    for c in literal.chars() {
        if matches!(c, '%' | '_' | ESCAPE) {
            escaped.push(ESCAPE);
        }
        escaped.push(c);
    }
    escaped
}

/// `literal` as an SQLite GLOB pattern matching only itself: each wildcard in brackets. (A `]`
/// or `^` outside brackets is an ordinary character.)
fn glob_escaped(literal: &str) -> String {
    let mut escaped = String::with_capacity(literal.len());
    for c in literal.chars() {
        if matches!(c, '*' | '?' | '[') {
            escaped.extend(['[', c, ']']);
        } else {
            escaped.push(c);
        }
    }
    escaped
}

impl<T: QueryFragment<Sqlite>> QueryFragment<Sqlite> for TextMatch<T> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        match self.case {
            // SQLite's LIKE ignores the case of ASCII letters; GLOB compares exactly.
            Case::Exact => {
                out.push_sql("(");
                self.text.walk_ast(out.reborrow())?;
                out.push_sql(" GLOB ");
                out.push_bind_param::<Text, String>(&self.glob)?;
                out.push_sql(")");
                Ok(())
            }
            Case::Ignored => self.walk_like(out, ""),
        }
    }
}

impl<T: QueryFragment<Pg>> QueryFragment<Pg> for TextMatch<T> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.walk_like(out, "")
    }
}

#[cfg(feature = "mysql")]
impl<T: QueryFragment<diesel::mysql::Mysql>> QueryFragment<diesel::mysql::Mysql> for TextMatch<T> {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, diesel::mysql::Mysql>) -> QueryResult<()> {
        // The column's own collation may ignore case and accents (module docs).
        self.walk_like(out, " COLLATE utf8mb4_bin")
    }
}

impl<T: Expression<SqlType: TextOrNullableText>> Expression for TextMatch<T> {
    type SqlType = <T::SqlType as TextOrNullableText>::Matched;
}

crate::criteria::wraps_expression!(TextMatch<T>);

#[cfg(test)]
mod tests {
    use diesel::debug_query;

    use super::*;

    #[test]
    fn like_escaping_escapes_both_wildcards_and_the_escape_character() {
        assert_eq!(like_escaped(r"50%_off!\"), r"50!%!_off!!\");
        assert_eq!(like_escaped("äé😀"), "äé😀");
    }

    #[test]
    fn glob_escaping_brackets_each_wildcard() {
        assert_eq!(glob_escaped("a*b?c[d]^e"), "a[*]b[?]c[[]d]^e");
    }

    #[test]
    fn the_escape_clause_names_the_escape_character() {
        assert_eq!(ESCAPE_CLAUSE, format!(" ESCAPE '{ESCAPE}'"));
    }

    diesel::table! {
        item (id) {
            id -> Integer,
            name -> Text,
            note -> Nullable<Text>,
        }
    }

    #[test]
    fn exact_matches_render_glob_on_sqlite_and_like_with_the_escape_elsewhere() {
        let condition = item::name.contains("50%_[off]");
        assert_eq!(
            debug_query::<Sqlite, _>(&condition).to_string(),
            r#"(`item`.`name` GLOB ?) -- binds: ["*50%_[[]off]*"]"#
        );
        assert_eq!(
            debug_query::<Pg, _>(&condition).to_string(),
            r#"("item"."name" LIKE $1 ESCAPE '!') -- binds: ["%50!%!_[off]%"]"#
        );
        #[cfg(feature = "mysql")]
        assert_eq!(
            debug_query::<diesel::mysql::Mysql, _>(&condition).to_string(),
            r#"(`item`.`name` LIKE ? COLLATE utf8mb4_bin ESCAPE '!') -- binds: ["%50!%!_[off]%"]"#
        );
    }

    #[test]
    fn case_insensitive_matches_lower_both_sides_on_every_backend() {
        let condition = item::note.istarts_with("Ä!");
        assert_eq!(
            debug_query::<Sqlite, _>(&condition).to_string(),
            r#"(LOWER(`item`.`note`) LIKE LOWER(?) ESCAPE '!') -- binds: ["Ä!!%"]"#
        );
        assert_eq!(
            debug_query::<Pg, _>(&condition).to_string(),
            r#"(LOWER("item"."note") LIKE LOWER($1) ESCAPE '!') -- binds: ["Ä!!%"]"#
        );
        #[cfg(feature = "mysql")]
        assert_eq!(
            debug_query::<diesel::mysql::Mysql, _>(&condition).to_string(),
            r#"(LOWER(`item`.`note`) LIKE LOWER(?) COLLATE utf8mb4_bin ESCAPE '!') -- binds: ["Ä!!%"]"#
        );
    }

    #[test]
    fn each_place_puts_the_wildcard_on_the_open_side() {
        assert_eq!(Place::Anywhere.pattern('%', "x"), "%x%");
        assert_eq!(Place::Start.pattern('%', "x"), "x%");
        assert_eq!(Place::End.pattern('*', "x"), "*x");
    }
}
