//! `contains`, `starts_with`, `ends_with` and their case-insensitive forms on every backend:
//! user input is matched literally, case is one rule everywhere, and a MySQL column's own
//! collation does not loosen the match.

use ff_runtime::prelude::*;
use ff_runtime::{Backend, TextMatch};
use ff_tests::each_backend;

#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Note {
    pub id: i32,
    #[ff(length = 255)]
    pub body: String,
    pub remark: Option<String>,
}

/// Texts full of what LIKE, GLOB and SQL strings treat specially, and of letters that case
/// folding, accents, combining marks and emoji tell apart.
const BODIES: &[&str] = &[
    "100% cotton",
    "100 g",
    "1000",
    "snake_case",
    "snakeXcase",
    r"C:\temp",
    "C:temp",
    r"\\server",
    "it's",
    r#"say "hi""#,
    "a!b",
    "ab",
    "!%_",
    "Ä",
    "ä",
    "a",
    "A",
    "Äpfel",
    "äpfel",
    "apfel",
    "APFEL",
    "café",
    "cafe\u{301}",
    "cafe",
    "CAFÉ",
    "😀 smile",
    "smile 😀",
    "😎",
    "[x] done",
    "x done",
    "*star*",
    "what?",
    "^caret",
    "trailing space ",
    "",
];

/// Inputs a user might type, each of which `like` would misread or the backends might fold.
const NEEDLES: &[&str] = &[
    "%",
    "_",
    "\\",
    "!",
    "100%",
    "snake_case",
    r"C:\",
    r"\\",
    "'",
    "\"",
    "it's",
    "a!b",
    "!%_",
    "ä",
    "Ä",
    "äp",
    "a",
    "A",
    "é",
    "e\u{301}",
    "\u{301}",
    "CAF",
    "😀",
    "😎",
    "[x]",
    "*",
    "?",
    "^",
    "space",
    "space ",
    "",
];

/// A helper as the database runs it and as Rust's `str` method says it should match.
type Helper = (
    &'static str,
    fn(&str) -> TextMatch<note::body>,
    fn(&str, &str) -> bool,
);

fn exact_helpers() -> [Helper; 3] {
    [
        ("contains", |n| note::body.contains(n), |t, n| t.contains(n)),
        (
            "starts_with",
            |n| note::body.starts_with(n),
            |t, n| t.starts_with(n),
        ),
        (
            "ends_with",
            |n| note::body.ends_with(n),
            |t, n| t.ends_with(n),
        ),
    ]
}

fn case_insensitive_helpers() -> [Helper; 3] {
    [
        (
            "icontains",
            |n| note::body.icontains(n),
            |t, n| t.contains(n),
        ),
        (
            "istarts_with",
            |n| note::body.istarts_with(n),
            |t, n| t.starts_with(n),
        ),
        (
            "iends_with",
            |n| note::body.iends_with(n),
            |t, n| t.ends_with(n),
        ),
    ]
}

/// How LOWER folds text on this backend: every letter, or on SQLite ASCII letters only.
fn lower(backend: Backend) -> fn(&str) -> String {
    match backend {
        Backend::Sqlite => str::to_ascii_lowercase,
        _ => str::to_lowercase,
    }
}

fn seed(conn: &mut Connection) -> Vec<Note> {
    conn.create_tables(&[Note::META]).unwrap();
    let notes: Vec<Note> = BODIES
        .iter()
        .enumerate()
        .map(|(i, body)| Note {
            id: 0,
            body: (*body).to_owned(),
            remark: (i % 2 == 0).then(|| (*body).to_owned()),
        })
        .collect();
    Repository::<Note>::new(conn).insert_many(&notes).unwrap();
    Note::query().order_by(note::id.asc()).load(conn).unwrap()
}

fn ids(notes: Vec<Note>) -> Vec<i32> {
    notes.into_iter().map(|note| note.id).collect()
}

/// The ids of the rows whose body `keeps`, in id order.
fn expected(rows: &[Note], keeps: impl Fn(&str) -> bool) -> Vec<i32> {
    rows.iter()
        .filter(|note| keeps(&note.body))
        .map(|note| note.id)
        .collect()
}

fn found(conn: &mut Connection, condition: TextMatch<note::body>) -> Vec<i32> {
    ids(Note::query()
        .filter(condition)
        .order_by(note::id.asc())
        .load(conn)
        .unwrap())
}

fn bodies_of(rows: &[Note], ids: &[i32]) -> Vec<String> {
    rows.iter()
        .filter(|note| ids.contains(&note.id))
        .map(|note| note.body.clone())
        .collect()
}

#[test]
fn exact_helpers_find_the_rows_holding_the_literal_input_as_rust_str_methods_do() {
    each_backend(|conn| {
        let rows = seed(conn);
        assert_eq!(rows.len(), BODIES.len());
        for (name, helper, rust) in exact_helpers() {
            for needle in NEEDLES {
                let want = expected(&rows, |body| rust(body, needle));
                let got = found(conn, helper(needle));
                assert_eq!(
                    bodies_of(&rows, &got),
                    bodies_of(&rows, &want),
                    "{name}({needle:?}) on {}",
                    conn.backend()
                );
            }
        }
    });
}

#[test]
fn case_insensitive_helpers_match_as_rust_does_on_lowered_text_and_keep_accents() {
    each_backend(|conn| {
        let rows = seed(conn);
        let lower = lower(conn.backend());
        for (name, helper, rust) in case_insensitive_helpers() {
            for needle in NEEDLES {
                let want = expected(&rows, |body| rust(&lower(body), &lower(needle)));
                let got = found(conn, helper(needle));
                assert_eq!(
                    bodies_of(&rows, &got),
                    bodies_of(&rows, &want),
                    "{name}({needle:?}) on {}",
                    conn.backend()
                );
            }
        }
    });
}

#[test]
fn plain_helpers_respect_case_and_i_helpers_ignore_it_but_not_accents() {
    each_backend(|conn| {
        let rows = seed(conn);
        let bodies = |conn: &mut Connection, condition| bodies_of(&rows, &found(conn, condition));

        assert_eq!(bodies(conn, note::body.starts_with("apf")), ["apfel"]);
        assert_eq!(bodies(conn, note::body.ends_with("PFEL")), ["APFEL"]);
        assert_eq!(bodies(conn, note::body.contains("äpf")), ["äpfel"]);
        assert_eq!(
            bodies(conn, note::body.istarts_with("apf")),
            ["apfel", "APFEL"]
        );
        // ASCII letters fold everywhere; the accent still counts.
        assert_eq!(
            bodies(conn, note::body.icontains("CAF")),
            ["café", "cafe\u{301}", "cafe", "CAFÉ"]
        );
        assert_eq!(bodies(conn, note::body.iends_with("cafe")), ["cafe"]);
        // Non-ASCII letters fold on PostgreSQL and MySQL, not with SQLite's LOWER.
        let folded_umlaut = bodies(conn, note::body.istarts_with("äp"));
        match conn.backend() {
            Backend::Sqlite => assert_eq!(folded_umlaut, ["äpfel"]),
            _ => assert_eq!(folded_umlaut, ["Äpfel", "äpfel"]),
        }
    });
}

#[test]
fn helpers_work_in_repository_criteria_queries_and_combinations() {
    each_backend(|conn| {
        let rows = seed(conn);
        let count_where =
            |keeps: &dyn Fn(&Note) -> bool| rows.iter().filter(|note| keeps(note)).count();

        let mut notes = Repository::<Note>::new(conn);
        let found = notes
            .find_by(note::body.contains("%"), note::id.asc(), None, None)
            .unwrap();
        assert_eq!(
            found.iter().map(|n| n.body.as_str()).collect::<Vec<_>>(),
            ["100% cotton", "!%_"]
        );
        assert_eq!(notes.count(note::body.starts_with("snake_")).unwrap(), 1);

        // A nullable column: NULL matches neither the condition nor its negation.
        let remark_has_a = |n: &Note| n.remark.as_deref().is_some_and(|r| r.contains('a'));
        let remark_lacks_a = |n: &Note| n.remark.as_deref().is_some_and(|r| !r.contains('a'));
        assert_eq!(
            notes.count(note::remark.contains("a")).unwrap(),
            count_where(&remark_has_a) as i64
        );
        assert_eq!(
            notes
                .count(diesel::dsl::not(note::remark.contains("a")))
                .unwrap(),
            count_where(&remark_lacks_a) as i64
        );
        assert_eq!(
            notes
                .count(!Criteria::new(note::remark.contains("a")))
                .unwrap(),
            count_where(&remark_lacks_a) as i64
        );

        // .and / .or on the expressions and on Criteria
        let both = |n: &Note| n.body.contains('a') && n.body.ends_with('e');
        assert_eq!(
            notes
                .count(note::body.contains("a").and(note::body.ends_with("e")))
                .unwrap(),
            count_where(&both) as i64
        );
        let either = |n: &Note| n.body.starts_with("C:") || n.body.ends_with('?');
        assert_eq!(
            notes
                .count(Criteria::new(note::body.starts_with("C:")).or(note::body.ends_with("?")))
                .unwrap(),
            count_where(&either) as i64
        );

        let query = Note::query()
            .filter(note::body.icontains("smile"))
            .exclude(note::body.starts_with("😀"));
        assert_eq!(query.clone().load(conn).unwrap()[0].body, "smile 😀");
        assert_eq!(query.count(conn).unwrap(), 1);

        let mut notes = Repository::<Note>::new(conn);
        let underscores = count_where(&|n| n.body.contains('_'));
        assert_eq!(
            notes.delete_by(note::body.contains("_")).unwrap(),
            underscores
        );
        assert_eq!(
            notes.count(Criteria::all()).unwrap(),
            (rows.len() - underscores) as i64
        );
    });
}

/// A word, in a table created with raw SQL so that on MySQL its column has the collation of a
/// database ff did not create.
#[derive(Entity, Debug, Clone, PartialEq)]
pub struct Word {
    pub id: i32,
    #[ff(length = 100)]
    pub spelling: String,
}

const SPELLINGS: &[&str] = &[
    "a", "A", "ä", "Ä", "á", "à", "â", "ab", "Ab", "äb", "😀", "😎",
];

#[test]
fn helpers_match_exactly_on_a_mysql_column_whose_collation_ignores_case_and_accents() {
    each_backend(|conn| {
        let mysql = conn.backend() == Backend::Mysql;
        if mysql {
            conn.batch_execute(
                "CREATE TABLE word (\
                 id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, \
                 spelling VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL\
                 ) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci",
            )
            .unwrap();
        } else {
            conn.create_tables(&[Word::META]).unwrap();
        }
        let words: Vec<Word> = SPELLINGS
            .iter()
            .map(|spelling| Word {
                id: 0,
                spelling: (*spelling).to_owned(),
            })
            .collect();
        Repository::<Word>::new(conn).insert_many(&words).unwrap();
        let spellings = |conn: &mut Connection, condition: TextMatch<word::spelling>| {
            Word::query()
                .filter(condition)
                .order_by(word::id.asc())
                .load(conn)
                .unwrap()
                .into_iter()
                .map(|word| word.spelling)
                .collect::<Vec<_>>()
        };

        if mysql {
            // The column's collation is what the helpers must not follow.
            let loose = Word::query()
                .filter(word::spelling.like("%ä%"))
                .count(conn)
                .unwrap();
            assert!(loose > 1, "utf8mb4_general_ci should match `ä` loosely");
        }
        assert_eq!(spellings(conn, word::spelling.contains("ä")), ["ä", "äb"]);
        assert_eq!(
            spellings(conn, word::spelling.starts_with("A")),
            ["A", "Ab"]
        );
        assert_eq!(
            spellings(conn, word::spelling.ends_with("b")),
            ["ab", "Ab", "äb"]
        );
        assert_eq!(spellings(conn, word::spelling.contains("😀")), ["😀"]);
        assert_eq!(
            spellings(conn, word::spelling.istarts_with("a")),
            ["a", "A", "ab", "Ab"]
        );
        if conn.backend() != Backend::Sqlite {
            assert_eq!(
                spellings(conn, word::spelling.icontains("Ä")),
                ["ä", "Ä", "äb"]
            );
        }
    });
}
