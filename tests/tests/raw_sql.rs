//! Raw SQL on every backend: a `?` is a placeholder only where the database reads code, the
//! values bound must match the placeholders, and one query runs one statement.

use ff_runtime::prelude::*;
use ff_runtime::{Backend, RawQuery};
use ff_tests::domain::Tag;
use ff_tests::each_backend;

/// A `tag` table holding Ada and Grace; returns Ada.
fn seed(conn: &mut Connection) -> Tag {
    conn.create_tables(&[Tag::META]).unwrap();
    let mut tags = Repository::<Tag>::new(conn);
    let ada = tags
        .insert(&Tag {
            id: 0,
            name: "Ada".into(),
        })
        .unwrap();
    tags.insert(&Tag {
        id: 0,
        name: "Grace".into(),
    })
    .unwrap();
    ada
}

/// The names in the `tag` table, sorted.
fn names(conn: &mut Connection) -> Vec<String> {
    let mut names: Vec<String> = Repository::<Tag>::new(conn)
        .find_all()
        .unwrap()
        .into_iter()
        .map(|tag| tag.name)
        .collect();
    names.sort();
    names
}

#[test]
fn a_question_mark_in_a_literal_a_quoted_name_or_a_comment_is_not_a_placeholder() {
    each_backend(|conn| {
        let ada = seed(conn);
        // SQL whose one placeholder is the id, and the name it reads back.
        let mut cases = vec![
            (
                "SELECT id, 'it''s ? here' AS name FROM tag WHERE id = ?",
                "it's ? here",
            ),
            (
                "SELECT id, '-- ?' AS name FROM tag WHERE id = ? -- and ?",
                "-- ?",
            ),
            (
                "SELECT id, '/* ? */' AS name /* why? */ FROM tag WHERE id = ?",
                "/* ? */",
            ),
            ("SELECT id, name -- why?\n FROM tag WHERE id = ?", "Ada"),
        ];
        match conn.backend() {
            Backend::Postgres => cases.extend([
                (
                    r"SELECT id, E'it\'s ?' AS name FROM tag WHERE id = ?",
                    "it's ?",
                ),
                ("SELECT id, $$ ?'$$ AS name FROM tag WHERE id = ?", " ?'"),
                (
                    "SELECT id, $q$ $$ ? $q$ AS name FROM tag WHERE id = ?",
                    " $$ ? ",
                ),
                (
                    "SELECT id, name /* a /* ? */ ? */ FROM tag WHERE id = ?",
                    "Ada",
                ),
                (
                    r#"SELECT id, "n?" AS name FROM (SELECT id, name AS "n?" FROM tag) t WHERE id = ?"#,
                    "Ada",
                ),
            ]),
            Backend::Mysql => cases.extend([
                (
                    r"SELECT id, 'it\'s ?' AS name FROM tag WHERE id = ?",
                    "it's ?",
                ),
                (
                    r#"SELECT id, "say \"?\"" AS name FROM tag WHERE id = ?"#,
                    "say \"?\"",
                ),
                ("SELECT id, name # why?\n FROM tag WHERE id = ?", "Ada"),
                (
                    "SELECT id, `n?` AS name FROM (SELECT id, name AS `n?` FROM tag) t WHERE id = ?",
                    "Ada",
                ),
            ]),
            Backend::Sqlite => cases.extend([
                (
                    r#"SELECT id, "n?" AS name FROM (SELECT id, name AS "n?" FROM tag) t WHERE id = ?"#,
                    "Ada",
                ),
                (
                    "SELECT id, `n?` AS name FROM (SELECT id, name AS `n?` FROM tag) t WHERE id = ?",
                    "Ada",
                ),
                (
                    "SELECT id, [n?] AS name FROM (SELECT id, name AS [n?] FROM tag) t WHERE id = ?",
                    "Ada",
                ),
            ]),
        }
        for (sql, name) in cases {
            let found: Vec<Tag> = RawQuery::new(sql)
                .bind(ada.id)
                .load(conn)
                .unwrap_or_else(|error| panic!("{sql}: {error}"));
            let expected = Tag {
                id: ada.id,
                name: name.into(),
            };
            assert_eq!(found, [expected], "{sql}");
        }

        let written = "who? /* not a comment */ -- nor this";
        RawQuery::<Tag>::new(
            "UPDATE tag SET name = 'who? /* not a comment */ -- nor this' WHERE id = ?",
        )
        .bind(ada.id)
        .execute(conn)
        .unwrap();
        let ada = Repository::<Tag>::new(conn).find(&ada.id).unwrap().unwrap();
        assert_eq!(ada.name, written);
    });
}

#[test]
fn too_few_bound_values_are_refused_on_every_backend_and_nothing_runs() {
    each_backend(|conn| {
        seed(conn);
        // Run with a NULL for the missing value, this would rename every row.
        let error = RawQuery::<Tag>::new("UPDATE tag SET name = ? WHERE name = ? OR ? IS NULL")
            .bind("Bob")
            .bind("Ada")
            .execute(conn)
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::PlaceholderCount {
                    placeholders: 3,
                    bound: 2,
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "the SQL has 3 `?` placeholders but 2 values were bound: bind one value per `?` \
             (a `?` inside a string, a quoted name or a comment is not a placeholder) in \
             `UPDATE tag SET name = ? WHERE name = ? OR ? IS NULL`"
        );

        let error = RawQuery::<Tag>::new("SELECT * FROM tag WHERE name = ?")
            .load(conn)
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::PlaceholderCount {
                    placeholders: 1,
                    bound: 0,
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(names(conn), ["Ada", "Grace"]);
    });
}

#[test]
fn too_many_bound_values_are_refused_on_every_backend_and_nothing_runs() {
    each_backend(|conn| {
        seed(conn);
        let error = RawQuery::<Tag>::new("INSERT INTO tag (name) VALUES (?)")
            .bind("Bob")
            .bind("Carl")
            .execute(conn)
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::PlaceholderCount {
                    placeholders: 1,
                    bound: 2,
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            "the SQL has 1 `?` placeholder but 2 values were bound: bind one value per `?` \
             (a `?` inside a string, a quoted name or a comment is not a placeholder) in \
             `INSERT INTO tag (name) VALUES (?)`"
        );

        // The `?` in the literal is text, so the one value bound is one too many.
        let error = RawQuery::<Tag>::new("SELECT * FROM tag WHERE name = '?'")
            .bind("Ada")
            .load(conn)
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::PlaceholderCount {
                    placeholders: 0,
                    bound: 1,
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(names(conn), ["Ada", "Grace"]);
    });
}

#[test]
fn a_second_statement_is_refused_on_every_backend_and_neither_runs() {
    each_backend(|conn| {
        seed(conn);
        for sql in [
            "UPDATE tag SET name = 'gone'; DROP TABLE tag",
            "UPDATE tag SET name = 'gone' ; /* then */ DROP TABLE tag;",
        ] {
            let error = RawQuery::<Tag>::new(sql).execute(conn).unwrap_err();
            assert!(
                matches!(&error, Error::SeveralStatements { sql: refused } if refused == sql),
                "{error:?}"
            );
            assert_eq!(
                error.to_string(),
                format!(
                    "raw SQL runs one statement at a time: split `{sql}` into separate queries, \
                     one per statement"
                )
            );
        }
        let error = RawQuery::<Tag>::new("SELECT * FROM tag; DROP TABLE tag")
            .load(conn)
            .unwrap_err();
        assert!(
            matches!(error, Error::SeveralStatements { .. }),
            "{error:?}"
        );
        assert_eq!(names(conn), ["Ada", "Grace"]);
    });
}

#[test]
fn a_trailing_semicolon_and_comment_end_a_single_statement_on_every_backend() {
    each_backend(|conn| {
        let ada = seed(conn);
        let renamed = RawQuery::<Tag>::new("UPDATE tag SET name = ? WHERE id = ?; -- rename")
            .bind("Ada L.")
            .bind(ada.id)
            .execute(conn)
            .unwrap();
        assert_eq!(renamed, 1);
        let found: Vec<Tag> = RawQuery::new("SELECT * FROM tag WHERE id = ?;\n")
            .bind(ada.id)
            .load(conn)
            .unwrap();
        assert_eq!(found[0].name, "Ada L.");
    });
}

#[test]
fn a_placeholder_touching_a_keyword_binds_on_every_backend() {
    each_backend(|conn| {
        seed(conn);
        let first: Vec<Tag> = RawQuery::new("SELECT * FROM tag WHERE name<>? ORDER BY name LIMIT?")
            .bind("Ada")
            .bind(1)
            .load(conn)
            .unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].name, "Grace");
    });
}

#[test]
fn an_unterminated_literal_is_refused_on_every_backend_before_it_is_sent() {
    each_backend(|conn| {
        seed(conn);
        let error = RawQuery::<Tag>::new("UPDATE tag SET name = 'Bob WHERE id = ?")
            .bind(1)
            .execute(conn)
            .unwrap_err();
        assert!(
            matches!(
                error,
                Error::UnterminatedSql {
                    what: "string literal `'…'`",
                    at: 22,
                    ..
                }
            ),
            "{error:?}"
        );
        assert_eq!(names(conn), ["Ada", "Grace"]);
    });
}
