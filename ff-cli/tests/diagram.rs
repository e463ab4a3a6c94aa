//! `cargo ff database diagram` through the real binary: every format of a domain with each
//! kind of relation and unicode names, the same bytes on every run, the database's diagram
//! equal to the entities' after `upgrade` on every backend, and clear errors for bad input.

use ff_runtime::Backend;
use ff_tests::backends::{each_backend_database, scratch_dir};
use ff_tests::project::TestProject;

/// 1-N (`post` → `author`, nullable), 1-1 (`passport` → `author`, unique), N-N (`post` and
/// `étiquette` through `post_tag`), a self-reference (`category.parent_id`) and unicode table
/// and column names.
const DOMAIN: &str = r#"
use ff_runtime::prelude::*;

#[derive(Debug, Clone, Entity)]
pub struct Author {
    pub id: i64,
    #[ff(length = 100, unique)]
    pub name: String,
}

#[derive(Debug, Clone, Entity)]
pub struct Passport {
    pub id: i32,
    #[ff(belongs_to = Author, unique)]
    pub author_id: i64,
}

#[derive(Debug, Clone, Entity)]
pub struct Post {
    pub id: i32,
    pub title: String,
    #[ff(index)]
    pub slug: String,
    #[ff(belongs_to = Author, on_delete = "set null")]
    pub author_id: Option<i64>,
    #[ff(precision = 10, scale = 2)]
    pub price: bigdecimal::BigDecimal,
}

#[derive(Debug, Clone, Entity)]
#[ff(table = "étiquette")]
pub struct Tag {
    pub id: i32,
    #[ff(column = "libellé", length = 50)]
    pub label: String,
}

#[derive(Debug, Clone, Entity)]
#[ff(unique(post_id, tag_id))]
pub struct PostTag {
    pub id: i32,
    #[ff(belongs_to = Post, on_delete = "cascade")]
    pub post_id: i32,
    #[ff(belongs_to = Tag, on_delete = "cascade")]
    pub tag_id: i32,
}

#[derive(Debug, Clone, Entity)]
pub struct Category {
    pub id: i32,
    #[ff(belongs_to = Category)]
    pub parent_id: Option<i32>,
}
"#;

const TABLES: [&str; 6] = [
    "author",
    "category",
    "passport",
    "post",
    "post_tag",
    "étiquette",
];

/// The relations of [`DOMAIN`] as the Mermaid output spells them.
const MERMAID_RELATIONS: [&str; 6] = [
    r#""category" |o--o{ "category" : "parent_id""#,
    r#""author" ||--o| "passport" : "author_id""#,
    r#""author" |o--o{ "post" : "author_id""#,
    r#""post" }o..o{ "étiquette" : "via post_tag""#,
    r#""post" ||--o{ "post_tag" : "post_id""#,
    r#""étiquette" ||--o{ "post_tag" : "tag_id""#,
];

fn project(entities: &str) -> TestProject {
    // Each backend's URL is passed with --url; this one is never opened.
    let unused = format!(
        "sqlite://{}",
        scratch_dir().join("diagram-unused.db").display()
    );
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), &unused, entities);
    // The entities' decimal column needs the `bigdecimal` crate.
    let manifest = project.root().join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).expect("read Cargo.toml");
    text.push_str("bigdecimal = \"0.4\"\n");
    std::fs::write(&manifest, text).expect("write Cargo.toml");
    project
}

fn stdout(project: &TestProject, args: &[&str]) -> String {
    let output = project.command(args).output().expect("run cargo-ff");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

#[test]
fn diagram_shows_every_table_and_relation_in_each_format_the_same_way_every_time() {
    let project = project(DOMAIN);

    let mermaid = stdout(&project, &["database", "diagram"]);
    assert!(mermaid.starts_with("erDiagram\n"), "{mermaid}");
    for table in TABLES {
        assert!(
            mermaid.contains(&format!("    \"{table}\" {{")),
            "{table}:\n{mermaid}"
        );
    }
    for relation in MERMAID_RELATIONS {
        assert!(mermaid.contains(relation), "{relation}:\n{mermaid}");
    }
    assert!(
        mermaid.contains("VARCHAR(50) libell_ \"libellé\""),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("DECIMAL(10_2) price \"DECIMAL(10, 2)\""),
        "{mermaid}"
    );
    assert!(
        mermaid.contains("BIGINT author_id FK \"nullable\""),
        "{mermaid}"
    );
    assert!(mermaid.contains("BIGINT author_id FK, UK"), "{mermaid}");
    assert_eq!(mermaid, stdout(&project, &["database:diagram"]));

    let dot = stdout(&project, &["database:diagram", "--format", "dot"]);
    assert!(dot.starts_with("digraph schema {"), "{dot}");
    for table in TABLES {
        assert!(
            dot.contains(&format!("    \"{table}\" [label=<")),
            "{table}:\n{dot}"
        );
    }
    for edge in [
        r#""category" -> "category" [label="parent_id""#,
        r#""passport" -> "author" [label="author_id", arrowtail=teeodot"#,
        r#""post" -> "author" [label="author_id", arrowtail=crowodot, arrowhead=teeodot"#,
        r#""post" -> "étiquette" [label="via post_tag""#,
        r#""post_tag" -> "post" [label="post_id""#,
        r#""post_tag" -> "étiquette" [label="tag_id""#,
    ] {
        assert!(dot.contains(edge), "{edge}:\n{dot}");
    }
    assert_eq!(dot.matches(" -> ").count(), 6);
    assert_eq!(
        dot,
        stdout(&project, &["database", "diagram", "--format", "dot"])
    );

    let written = stdout(&project, &["database", "diagram", "-o", "schema.svg"]);
    assert!(
        written.contains("✓ Diagram of 6 table(s) and 6 relation(s) written to schema.svg"),
        "{written}"
    );
    let svg = std::fs::read_to_string(project.root().join("schema.svg")).expect("read the SVG");
    let document = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
    let mut drawn: Vec<&str> = document
        .descendants()
        .filter_map(|node| node.attribute("data-table"))
        .collect();
    drawn.sort();
    assert_eq!(drawn, TABLES);
    let boxes: Vec<[f64; 4]> = document
        .descendants()
        .filter(|node| node.attribute("class") == Some("table"))
        .map(|group| {
            let rect = group.children().find(|c| c.has_tag_name("rect")).unwrap();
            ["x", "y", "width", "height"].map(|a| rect.attribute(a).unwrap().parse().unwrap())
        })
        .collect();
    for (i, [x, y, w, h]) in boxes.iter().enumerate() {
        for [x2, y2, w2, h2] in &boxes[i + 1..] {
            let apart = x + w <= *x2 || x2 + w2 <= *x || y + h <= *y2 || y2 + h2 <= *y;
            assert!(
                apart,
                "boxes overlap: {:?} and {:?}",
                boxes[i],
                [x2, y2, w2, h2]
            );
        }
    }
    let mut joined: Vec<(&str, &str, &str)> = document
        .descendants()
        .filter(|node| node.attribute("class") == Some("relation"))
        .map(|node| {
            (
                node.attribute("data-from").unwrap(),
                node.attribute("data-to").unwrap(),
                node.attribute("data-cardinality").unwrap(),
            )
        })
        .collect();
    joined.sort();
    assert_eq!(
        joined,
        [
            ("category", "category", "1-N"),
            ("passport", "author", "1-1"),
            ("post", "author", "1-N"),
            ("post", "étiquette", "N-N"),
            ("post_tag", "post", "1-N"),
            ("post_tag", "étiquette", "1-N"),
        ]
    );
    stdout(&project, &["database", "diagram", "-o", "again.svg"]);
    let again = std::fs::read_to_string(project.root().join("again.svg")).expect("read again");
    assert_eq!(svg, again, "the same schema gives the same bytes");

    let refused = project.cargo_ff(&["database", "diagram", "-o", "missing/dir/schema.svg"]);
    refused
        .expect_code(1)
        .contains("cannot write missing/dir/schema.svg");
}

/// What introspection cannot tell apart on `backend`, applied to the entities' diagram
/// (Mermaid or DOT): SQLite makes every auto-increment key an INTEGER (the only spelling that
/// aliases the rowid); MySQL/MariaDB store an indexed TEXT column as VARCHAR(255).
fn as_read_back(diagram: &str, backend: Backend) -> String {
    let cell = |text: &str| format!("<td align=\"left\">{text}</td>");
    let retype = |diagram: &str, column: &str, from: &str, to: &str| {
        diagram
            .replace(
                &format!("        {from} {column}"),
                &format!("        {to} {column}"),
            )
            .replace(
                &format!("{}{}", cell(column), cell(from)),
                &format!("{}{}", cell(column), cell(to)),
            )
    };
    match backend {
        Backend::Sqlite => retype(diagram, "id", "BIGINT", "INTEGER"),
        Backend::Mysql => retype(diagram, "slug", "TEXT", "VARCHAR(255)"),
        Backend::Postgres => diagram.to_owned(),
    }
}

/// The tables and relations an SVG draws.
fn drawn(svg: &str) -> Vec<String> {
    let document = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    document
        .descendants()
        .filter_map(|node| match node.attribute("class") {
            Some("table") => Some(format!("table {}", node.attribute("data-table")?)),
            Some("relation") => Some(format!(
                "{} -{}- {}",
                node.attribute("data-from")?,
                node.attribute("data-cardinality")?,
                node.attribute("data-to")?
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn diagram_from_the_database_equals_the_entities_diagram_after_upgrade() {
    let project = project(DOMAIN);
    project
        .cargo_ff(&["database", "create-migration", "-m", "domain"])
        .ok();
    let formats = ["mermaid", "dot", "svg"];
    let from_entities: Vec<String> = formats
        .iter()
        .map(|format| stdout(&project, &["database", "diagram", "--format", format]))
        .collect();
    each_backend_database(|database| {
        let (url, backend) = (database.url(), database.backend());
        project
            .cargo_ff(&["database", "upgrade", "--url", url])
            .ok();
        for (format, entities) in formats.iter().zip(&from_entities) {
            let from_db = stdout(
                &project,
                &[
                    "database",
                    "diagram",
                    "--from-db",
                    "--url",
                    url,
                    "--format",
                    format,
                ],
            );
            if *format == "svg" && backend != Backend::Postgres {
                // Other type names lay the SVG out differently: compare what it draws.
                assert_eq!(drawn(&from_db), drawn(entities));
                continue;
            }
            assert_eq!(
                from_db,
                as_read_back(entities, backend),
                "{backend} {format}: the database's diagram differs from the entities'"
            );
        }
    });
}

#[test]
fn diagram_of_an_empty_project_or_database_says_there_is_nothing_to_draw() {
    let project = project("//! No entities yet.\n");
    project
        .cargo_ff(&["database", "diagram", "-o", "schema.svg"])
        .expect_code(1)
        .contains("nothing to draw: the project in")
        .contains("has no entities");
    assert!(!project.root().join("schema.svg").exists());

    each_backend_database(|database| {
        drop(database.connect()); // an SQLite file exists once connected to
        project
            .cargo_ff(&["database", "diagram", "--from-db", "--url", database.url()])
            .expect_code(1)
            .contains("nothing to draw: the database")
            .contains("has no tables");
    });
    let missing = format!(
        "sqlite://{}",
        scratch_dir().join("diagram-missing.db").display()
    );
    project
        .cargo_ff(&["database", "diagram", "--from-db", "--url", &missing])
        .expect_code(1)
        .contains("does not exist: run `cargo ff database create`");
    assert!(!scratch_dir().join("diagram-missing.db").exists());
}

#[test]
fn diagram_refuses_an_unknown_format_or_output_extension_with_a_clear_error() {
    let bin = env!("CARGO_BIN_EXE_cargo-ff");
    let run = |args: &[&str]| {
        let output = std::process::Command::new(bin)
            .arg("ff")
            .args(args)
            .current_dir(scratch_dir())
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run cargo-ff");
        ff_tests::project::run(&output)
    };
    run(&["database", "diagram", "--format", "png"])
        .expect_code(2)
        .contains("invalid value 'png' for '--format <FORMAT>'")
        .contains("[possible values: mermaid, dot, svg]");
    run(&["database", "diagram", "-o", "schema.png"])
        .expect_code(1)
        .contains(
            "cannot tell the format of schema.png from its extension: name it .mmd, .dot or .svg",
        );
    run(&["database", "diagram", "--format", "svg", "-o", "schema.dot"])
        .expect_code(1)
        .contains("--format svg does not match the extension of schema.dot");
    run(&["database", "diagram", "--url", "sqlite://x.db"])
        .expect_code(2)
        .contains("--from-db");
    assert!(!scratch_dir().join("schema.png").exists());
}
