//! `upgrade --to`, `downgrade --to` and `downgrade base` move the database to the revision
//! asked, on every backend, with migrations kept where `ff.toml` says.

use ff_runtime::introspect::{compare, expected_live, live_schema};
use ff_runtime::migration::{History, Schema};
use ff_tests::backends::each_backend_database;
use ff_tests::project::{Run, TestProject, run};

const V1: &str = r#"
use ff_runtime::prelude::*;

#[derive(Debug, Clone, Entity)]
pub struct Author {
    pub id: i64,
    #[ff(length = 80)]
    pub name: String,
}
"#;

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
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), "sqlite://unused.db", V1);
    project.write("ff.toml", "migrations = \"db/migrations\"\n");
    for (entities, message) in [
        (V1.to_owned(), "authors"),
        (format!("{V1}{V2}"), "books"),
        (format!("{V1}{V2}{V3}"), "shelves"),
    ] {
        project.write_entities(&entities);
        project
            .cargo_ff(&["database", "create-migration", "-m", message])
            .ok()
            .contains("db/migrations/");
    }
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
    });
}
