//! `upgrade --to`, `downgrade --to` and `downgrade base`, and Alembic's spellings (`upgrade
//! head|+N|REV`, `downgrade -N|base|REV`, `current`, `history`), move the database to the
//! revision asked or tell where it stands, on every backend, with migrations kept where
//! `ff.toml` says. An unknown revision changes nothing and says how to list the known ones.

use ff_runtime::introspect::{compare, expected_live, live_schema};
use ff_runtime::migration::{History, Schema};
use ff_tests::backends::each_backend_database;
use ff_tests::project::{AUTHOR, Run, TestProject, run};

const V2: &str = r#"
#[derive(Debug, Clone, Entity)]
pub struct Book {
    pub id: i64,
    pub title: String,
    #[ff(belongs_to = Author, on_delete = "cascade")]
    pub author_id: i64,
}
"#;

const V3: &str = r#"
#[derive(Debug, Clone, Entity)]
pub struct Shelf {
    pub id: i32,
    #[ff(unique, length = 20)]
    pub code: String,
}
"#;

fn upgrade(project: &TestProject, url: &str, args: &[&str]) -> Run {
    let mut all = vec!["database", "upgrade", "--url", url];
    all.extend(args);
    run(&project.command(&all).output().expect("run cargo-ff"))
}

fn downgrade(project: &TestProject, url: &str, args: &[&str]) -> Run {
    let mut all = vec!["database", "downgrade", "--url", url, "--accept-data-loss"];
    all.extend(args);
    run(&project.command(&all).output().expect("run cargo-ff"))
}

#[test]
fn upgrade_and_downgrade_stop_at_the_revision_asked() {
    // The migrations are written once, then applied to each backend's database.
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), "sqlite://unused.db", AUTHOR);
    project.write("ff.toml", "migrations = \"db/migrations\"\n");
    project.create_migrations(&[
        (AUTHOR, "authors"),
        (&format!("{AUTHOR}{V2}"), "books"),
        (&format!("{AUTHOR}{V2}{V3}"), "shelves"),
    ]);
    assert!(!project.migrations().exists(), "ff.toml moved them");
    let history = History::load(&project.root().join("db/migrations")).expect("load");
    assert_eq!(history.migrations.len(), 3);
    let snapshot = |applied: usize| match applied {
        0 => Schema::default(),
        n => history.migrations[n - 1].snapshot.clone(),
    };

    each_backend_database(|database| {
        let url = database.url();
        let mut conn = database.connect();
        let mut assert_at = |applied: usize| {
            let live = live_schema(&mut conn).expect("introspect");
            let differences = compare(
                &expected_live(&snapshot(applied), database.backend()),
                &live,
            );
            assert!(differences.is_empty(), "at {applied}: {differences:#?}");
        };

        upgrade(&project, url, &["--to", "+1"])
            .ok()
            .contains("authors");
        assert_at(1);
        let second = history.migrations[1].version().to_owned();
        upgrade(&project, url, &["--to", &second])
            .ok()
            .contains("books");
        assert_at(2);
        upgrade(&project, url, &[]).ok().contains("shelves");
        assert_at(3);
        upgrade(&project, url, &["--to", "+1"])
            .ok()
            .contains("already up to date");

        let first = history.migrations[0].name();
        downgrade(&project, url, &["--to", &first])
            .ok()
            .contains("Successfully reverted 2 migrations.");
        assert_at(1);
        upgrade(&project, url, &[]).ok();
        downgrade(&project, url, &["--steps", "2"]).ok();
        assert_at(1);
        downgrade(&project, url, &["base"])
            .ok()
            .contains("Successfully reverted 1 migration.");
        assert_at(0);
        upgrade(&project, url, &[]).ok();
        downgrade(&project, url, &["--steps", "0"])
            .ok()
            .contains("Successfully reverted 3 migrations.");
        assert_at(0);

        // Alembic's spellings, and `current` after each move.
        let current = || {
            run(&project
                .command(&["database", "current", "--url", url])
                .output()
                .expect("run cargo-ff"))
            .ok()
        };
        current().contains("Current revision: base (no migration applied)");
        upgrade(&project, url, &["+2"]).ok().contains("books");
        assert_at(2);
        current().contains(&format!(
            "Current revision: {second} - books (1 pending after it)"
        ));
        upgrade(&project, url, &["head"]).ok().contains("shelves");
        assert_at(3);
        let third = history.migrations[2].version();
        current().contains(&format!("Current revision: {third} - shelves (head)"));
        downgrade(&project, url, &["-1"])
            .ok()
            .contains("Successfully reverted 1 migration.");
        assert_at(2);
        // A revision by the start of its folder name, which is enough to tell it.
        upgrade(&project, url, &[&history.migrations[2].name()[..16]])
            .ok()
            .contains("shelves");
        assert_at(3);
        downgrade(&project, url, &[&first])
            .ok()
            .contains("Successfully reverted 2 migrations.");
        assert_at(1);
        upgrade(&project, url, &[&second]).ok().contains("books");
        assert_at(2);
        downgrade(&project, url, &["-2"])
            .ok()
            .contains("Successfully reverted 2 migrations.");
        assert_at(0);
        upgrade(&project, url, &[]).ok();
        downgrade(&project, url, &["base"]).ok();
        assert_at(0);

        // Unknown revisions and bad counts change nothing.
        upgrade(&project, url, &[]).ok();
        assert_at(3);
        downgrade(&project, url, &["2"])
            .expect_code(1)
            .contains("revision `2` is ambiguous")
            .contains(&first);
        for args in [["20991231000000"], ["nope"]] {
            upgrade(&project, url, &args[..])
                .expect_code(1)
                .contains(&format!("unknown revision `{}`", args[0]))
                .contains(&history.migrations[2].name())
                .contains("cargo ff database history");
            downgrade(&project, url, &args[..])
                .expect_code(1)
                .contains("unknown revision");
        }
        upgrade(&project, url, &["+0"])
            .expect_code(1)
            .contains("write +N with N a number from 1");
        downgrade(&project, url, &["-0"])
            .expect_code(1)
            .contains("write -N with N a number from 1");
        assert_at(3);
        current().contains(&format!("Current revision: {third} - shelves (head)"));
        downgrade(&project, url, &["base"]).ok();
        assert_at(0);
    });
}

#[test]
fn history_lists_the_migrations_newest_first() {
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), "sqlite://unused.db", AUTHOR);
    project
        .cargo_ff(&["database", "history"])
        .ok()
        .contains("No migrations yet");
    project.create_migrations(&[(AUTHOR, "authors é"), (&format!("{AUTHOR}{V2}"), "books")]);
    let history = History::load(&project.migrations()).expect("load");
    let (first, second) = (
        history.migrations[0].version(),
        history.migrations[1].version(),
    );
    let listed = project.cargo_ff(&["database:history"]).ok();
    assert_eq!(
        listed.text,
        format!("{first} -> {second} (head), books\n<base> -> {first}, authors é\n")
    );
    project
        .cargo_ff(&["database", "history", "--verbose"])
        .ok()
        .contains(&format!("Rev: {second} (head)\nParent: {first}\nPath: migrations/{}\n\n    books\n\n    + table book", history.migrations[1].name()))
        .contains(&format!("Rev: {first}\nParent: <base>\n"))
        .contains("    + table author");
}
