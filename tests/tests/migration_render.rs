//! `migration::render` on real databases: one migration that uses every kind of operation is
//! rendered and run on each backend. Afterwards the live schema is the one the operations
//! describe, every row is still there, values of the columns the migration leaves alone are
//! unchanged, and the foreign keys still hold (on SQLite too, where most changes rebuild a
//! table that other tables reference). The reversed migration then brings the schema back.

use std::borrow::Cow;

use diesel::RunQueryDsl;
use diesel::sql_types::{Nullable, Text};
use ff_runtime::introspect::{compare, compare_ignoring_column_order, expected_live, live_schema};
use ff_runtime::migration::{Operation, Schema, render, reverse_all};
use ff_runtime::schema::{
    CheckDef, ColumnDef, ColumnType, DefaultValue, ForeignKeyDef, IndexDef, ReferentialAction,
    TableDef, UniqueDef,
};
use ff_runtime::{Backend, Connection, with_connection};
use ff_tests::backends::each_backend_database;

fn text(value: &str) -> Cow<'static, str> {
    Cow::Owned(value.to_owned())
}

fn names(values: &[&str]) -> Cow<'static, [Cow<'static, str>]> {
    values.iter().map(|value| text(value)).collect()
}

fn column(name: &str, sql_type: ColumnType, nullable: bool) -> ColumnDef {
    ColumnDef::new(name.to_owned(), sql_type, nullable)
}

fn serial(name: &str) -> ColumnDef {
    ColumnDef {
        primary_key: true,
        auto_increment: true,
        ..column(name, ColumnType::BigInt, false)
    }
}

fn table(name: &str, columns: Vec<ColumnDef>) -> TableDef {
    TableDef {
        name: text(name),
        columns: columns.into(),
        indexes: Cow::Borrowed(&[]),
        uniques: Cow::Borrowed(&[]),
        checks: Cow::Borrowed(&[]),
        foreign_keys: Cow::Borrowed(&[]),
        renamed_from: None,
    }
}

fn foreign_key(name: &str, column: &str, referenced_table: &str) -> ForeignKeyDef {
    ForeignKeyDef {
        name: text(name),
        columns: names(&[column]),
        referenced_table: text(referenced_table),
        referenced_columns: names(&["id"]),
        on_delete: ReferentialAction::Cascade,
        on_update: ReferentialAction::NoAction,
    }
}

/// `author` (referenced by `book`), `book`, `label` (a primary key that is not a serial) and
/// `scratch` (to be dropped).
fn before_tables() -> Vec<TableDef> {
    let mut author = table(
        "author",
        vec![
            serial("id"),
            column("name", ColumnType::Text, false),
            column("email", ColumnType::Varchar(100), true),
            column("bio", ColumnType::Text, true),
        ],
    );
    author.uniques = vec![UniqueDef {
        name: text("uq_author_name"),
        columns: names(&["name"]),
    }]
    .into();
    let mut book = table(
        "book",
        vec![
            serial("id"),
            column("author_id", ColumnType::BigInt, true),
            column("title", ColumnType::Text, false),
            column("pages", ColumnType::Integer, true),
            column("legacy", ColumnType::Text, true),
        ],
    );
    book.indexes = vec![IndexDef {
        name: text("idx_book_author"),
        columns: names(&["author_id"]),
        unique: false,
        predicate: None,
    }]
    .into();
    book.checks = vec![CheckDef {
        name: text("ck_book_pages"),
        expression: text("pages >= 0"),
    }]
    .into();
    book.foreign_keys = vec![ForeignKeyDef {
        on_delete: ReferentialAction::SetNull,
        ..foreign_key("fk_book_author", "author_id", "author")
    }]
    .into();
    let label = table(
        "label",
        vec![
            ColumnDef {
                primary_key: true,
                ..column("code", ColumnType::Varchar(20), false)
            },
            column("title", ColumnType::Text, true),
        ],
    );
    let scratch = table(
        "scratch",
        vec![serial("id"), column("note", ColumnType::Text, true)],
    );
    vec![author, book, label, scratch]
}

fn review_table() -> TableDef {
    let mut review = table(
        "review",
        vec![
            serial("id"),
            column("book_id", ColumnType::BigInt, false),
            column("body", ColumnType::Text, true),
        ],
    );
    review.indexes = vec![IndexDef {
        name: text("idx_review_book"),
        columns: names(&["book_id"]),
        unique: false,
        predicate: None,
    }]
    .into();
    review.foreign_keys = vec![foreign_key("fk_review_book", "book_id", "book")].into();
    review
}

/// The column `name` of `table` in `schema`.
fn column_of(schema: &Schema, table: &str, name: &str) -> ColumnDef {
    schema
        .table(table)
        .and_then(|t| t.columns.iter().find(|c| c.name == name))
        .unwrap_or_else(|| panic!("{table}.{name} in the schema"))
        .clone()
}

/// Every kind of operation, each applied to the schema the previous ones left.
fn operations(before: &Schema) -> Vec<Operation> {
    let email = column_of(before, "author", "email");
    let pages = column_of(before, "book", "pages");
    let author_id = column_of(before, "author", "id");
    let book_author_id = column_of(before, "book", "author_id");
    let label_code = column_of(before, "label", "code");
    let label_title = column_of(before, "label", "title");
    let plain_code = ColumnDef {
        primary_key: false,
        ..label_code.clone()
    };
    let book = before.table("book").expect("book");
    vec![
        Operation::AddColumn {
            table: text("author"),
            column: column("nickname", ColumnType::Text, true),
            backfill: None,
        },
        Operation::AddColumn {
            table: text("author"),
            column: column("country", ColumnType::Varchar(2), false),
            backfill: Some(DefaultValue::Text(text("FR"))),
        },
        Operation::AlterColumn {
            table: text("author"),
            from: email.clone(),
            to: ColumnDef {
                nullable: false,
                ..email
            },
            backfill: Some(DefaultValue::Text(text("it's@none"))),
        },
        Operation::RenameColumn {
            table: text("author"),
            from: text("bio"),
            to: text("biography"),
        },
        Operation::AddUnique {
            table: text("author"),
            unique: UniqueDef {
                name: text("uq_author_email"),
                columns: names(&["email"]),
            },
        },
        Operation::DropUnique {
            table: text("author"),
            unique: before.table("author").expect("author").uniques[0].clone(),
        },
        Operation::AddCheck {
            table: text("author"),
            check: CheckDef {
                name: text("ck_author_name"),
                expression: text("name <> ''"),
            },
        },
        Operation::AlterColumn {
            table: text("book"),
            from: pages.clone(),
            to: ColumnDef {
                sql_type: ColumnType::BigInt,
                default: Some(DefaultValue::Int(0)),
                ..pages
            },
            backfill: None,
        },
        Operation::DropColumn {
            table: text("book"),
            column: column_of(before, "book", "legacy"),
        },
        Operation::AddIndex {
            table: text("book"),
            index: IndexDef {
                name: text("idx_book_title"),
                columns: names(&["title"]),
                unique: false,
                predicate: None,
            },
        },
        Operation::DropIndex {
            table: text("book"),
            index: book.indexes[0].clone(),
        },
        Operation::DropCheck {
            table: text("book"),
            check: book.checks[0].clone(),
        },
        Operation::DropForeignKey {
            table: text("book"),
            foreign_key: book.foreign_keys[0].clone(),
        },
        Operation::AddForeignKey {
            table: text("book"),
            foreign_key: foreign_key("fk_book_writer", "author_id", "author"),
        },
        // Both sides of a foreign key change type, one after the other.
        Operation::AlterColumn {
            table: text("author"),
            from: author_id.clone(),
            to: ColumnDef {
                sql_type: ColumnType::Integer,
                ..author_id
            },
            backfill: None,
        },
        Operation::AlterColumn {
            table: text("book"),
            from: book_author_id.clone(),
            to: ColumnDef {
                sql_type: ColumnType::Integer,
                ..book_author_id
            },
            backfill: None,
        },
        Operation::RenameTable {
            from: text("label"),
            to: text("tag"),
        },
        Operation::AlterColumn {
            table: text("tag"),
            from: label_code.clone(),
            to: plain_code.clone(),
            backfill: None,
        },
        Operation::AlterColumn {
            table: text("tag"),
            from: label_title.clone(),
            to: ColumnDef {
                nullable: false,
                ..label_title
            },
            backfill: Some(DefaultValue::Text(text("untitled"))),
        },
        Operation::AlterColumn {
            table: text("tag"),
            from: plain_code,
            to: label_code,
            backfill: None,
        },
        Operation::DropTable {
            table: before.table("scratch").expect("scratch").clone(),
        },
        Operation::CreateTable {
            table: review_table(),
        },
    ]
}

const ROWS: &str = "\
INSERT INTO author (id, name, email, bio) VALUES (1, 'Ann', 'ann@x', 'bio A'), \
(2, 'Bob', NULL, NULL), (3, 'Cy', 'cy@x', 'bio C');
INSERT INTO book (id, author_id, title, pages, legacy) VALUES (1, 1, 'Dune', 412, 'old'), \
(2, 2, 'Emma', NULL, NULL), (3, NULL, 'Faust', 10, 'x');
INSERT INTO label (code, title) VALUES ('a', 'Alpha'), ('b', NULL);
INSERT INTO scratch (note) VALUES ('gone')";

#[derive(diesel::QueryableByName)]
struct Cell {
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
}

/// Every value of `column` as text, in the order of `key`.
fn values(conn: &mut Connection, table: &str, column: &str, key: &str) -> Vec<Option<String>> {
    let dialect = conn.backend().dialect();
    let cast = match conn.backend() {
        Backend::Mysql => "CHAR",
        _ => "TEXT",
    };
    let sql = format!(
        "SELECT CAST({} AS {cast}) AS value FROM {} ORDER BY {}",
        dialect.quote(column),
        dialect.quote(table),
        dialect.quote(key)
    );
    with_connection!(conn, |c| diesel::sql_query(&sql).load::<Cell>(c))
        .unwrap_or_else(|error| panic!("{sql}: {error}"))
        .into_iter()
        .map(|cell| cell.value)
        .collect()
}

fn strings(values: &[Option<&str>]) -> Vec<Option<String>> {
    values.iter().map(|v| v.map(str::to_owned)).collect()
}

/// Whether the database reports `table.column` as nullable (simple catalog query).
fn is_nullable(conn: &mut Connection, table: &str, column: &str) -> bool {
    let sql = match conn.backend() {
        Backend::Sqlite => format!(
            "SELECT CAST(1 - \"notnull\" AS TEXT) AS value FROM pragma_table_info('{table}') \
             WHERE name = '{column}'"
        ),
        Backend::Postgres => format!(
            "SELECT is_nullable::text AS value FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = '{table}' \
             AND column_name = '{column}'"
        ),
        Backend::Mysql => format!(
            "SELECT CAST(is_nullable AS CHAR) AS value FROM information_schema.columns \
             WHERE table_schema = DATABASE() AND table_name = '{table}' \
             AND column_name = '{column}'"
        ),
    };
    let found = with_connection!(conn, |c| diesel::sql_query(&sql).load::<Cell>(c))
        .unwrap_or_else(|error| panic!("{sql}: {error}"));
    match found.first().and_then(|cell| cell.value.as_deref()) {
        Some("1" | "YES") => true,
        Some("0" | "NO") => false,
        other => panic!("{table}.{column}: {other:?}"),
    }
}

/// Runs the statements as the migration runner does: on SQLite with foreign keys off and a
/// foreign key check at the end, which must find nothing.
fn run(conn: &mut Connection, statements: &[String]) {
    let sqlite = conn.backend() == Backend::Sqlite;
    if sqlite {
        conn.batch_execute("PRAGMA foreign_keys = OFF").unwrap();
    }
    for statement in statements {
        conn.batch_execute(statement)
            .unwrap_or_else(|error| panic!("{statement}: {error}"));
    }
    if sqlite {
        let sql = "SELECT \"table\" || ' row ' || CAST(rowid AS TEXT) || ' -> ' || parent \
                   AS value FROM pragma_foreign_key_check";
        let broken = with_connection!(conn, |c| diesel::sql_query(sql).load::<Cell>(c)).unwrap();
        let broken: Vec<_> = broken.into_iter().map(|cell| cell.value).collect();
        assert!(broken.is_empty(), "foreign key check: {broken:?}");
        conn.batch_execute("PRAGMA foreign_keys = ON").unwrap();
    }
}

#[track_caller]
fn assert_live_schema(conn: &mut Connection, schema: &Schema, in_order: bool) {
    let live = live_schema(conn).expect("introspect");
    let expected = expected_live(schema, conn.backend());
    let differences = if in_order {
        compare(&expected, &live)
    } else {
        compare_ignoring_column_order(&expected, &live)
    };
    assert!(differences.is_empty(), "{differences:#?}");
}

#[test]
fn every_operation_renders_to_sql_that_changes_the_schema_and_keeps_the_rows() {
    each_backend_database(|database| {
        let backend = database.backend();
        let mut conn = database.connect();
        let creates: Vec<Operation> = before_tables()
            .into_iter()
            .map(|table| Operation::CreateTable { table })
            .collect();
        run(
            &mut conn,
            &render(backend, &Schema::default(), &creates).unwrap(),
        );
        let before = Schema::new(before_tables());
        assert_live_schema(&mut conn, &before, true);
        conn.batch_execute(ROWS).unwrap();

        let operations = operations(&before);
        let mut after = before.clone();
        after.apply_all(&operations).unwrap();
        run(&mut conn, &render(backend, &before, &operations).unwrap());
        assert_live_schema(&mut conn, &after, true);
        assert!(!is_nullable(&mut conn, "author", "email"));
        assert!(!is_nullable(&mut conn, "author", "country"));
        assert!(is_nullable(&mut conn, "author", "nickname"));
        assert!(!is_nullable(&mut conn, "tag", "title"));

        // Untouched and renamed columns keep their values; backfills fill the gaps.
        let author = |conn: &mut Connection, column: &str| values(conn, "author", column, "id");
        assert_eq!(
            author(&mut conn, "name"),
            strings(&[Some("Ann"), Some("Bob"), Some("Cy")])
        );
        assert_eq!(
            author(&mut conn, "biography"),
            strings(&[Some("bio A"), None, Some("bio C")])
        );
        assert_eq!(
            author(&mut conn, "email"),
            strings(&[Some("ann@x"), Some("it's@none"), Some("cy@x")])
        );
        assert_eq!(author(&mut conn, "country"), strings(&[Some("FR"); 3]));
        assert_eq!(author(&mut conn, "nickname"), strings(&[None; 3]));
        let book = |conn: &mut Connection, column: &str| values(conn, "book", column, "id");
        assert_eq!(
            book(&mut conn, "title"),
            strings(&[Some("Dune"), Some("Emma"), Some("Faust")])
        );
        assert_eq!(
            book(&mut conn, "author_id"),
            strings(&[Some("1"), Some("2"), None])
        );
        assert_eq!(
            book(&mut conn, "pages"),
            strings(&[Some("412"), None, Some("10")])
        );
        assert_eq!(
            values(&mut conn, "tag", "title", "code"),
            strings(&[Some("Alpha"), Some("untitled")])
        );

        // The new foreign keys work against the (possibly rebuilt) tables they reference.
        conn.batch_execute("INSERT INTO review (book_id, body) VALUES (1, 'great')")
            .unwrap();
        conn.batch_execute("DELETE FROM author WHERE id = 1")
            .unwrap();
        assert_eq!(
            book(&mut conn, "title"),
            strings(&[Some("Emma"), Some("Faust")])
        );
        assert_eq!(values(&mut conn, "review", "body", "id"), strings(&[]));
        let duplicate = conn.batch_execute("INSERT INTO tag (code, title) VALUES ('a', 'A')");
        assert!(duplicate.is_err(), "tag.code is the primary key again");

        // The reverse migration brings the first schema back (with its rows).
        let reverse = reverse_all(&operations);
        run(&mut conn, &render(backend, &after, &reverse).unwrap());
        assert_live_schema(&mut conn, &before, false);
        assert_eq!(
            values(&mut conn, "author", "bio", "id"),
            strings(&[None, Some("bio C")])
        );
        assert_eq!(
            values(&mut conn, "label", "title", "code"),
            strings(&[Some("Alpha"), Some("untitled")])
        );
        assert_eq!(
            values(&mut conn, "book", "pages", "id"),
            strings(&[None, Some("10")])
        );
    });
}
