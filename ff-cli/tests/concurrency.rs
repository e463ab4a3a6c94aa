//! Runners that overlap apply each migration exactly once, and a migration that fails
//! halfway leaves a history that tells the truth, on every backend.

use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Text};
use ff_runtime::{Backend, Connection, with_connection};
use ff_tests::backends::each_backend_database;
use ff_tests::project::{Run, TestProject, run};

const AUTHOR: &str = r#"
use ff_runtime::prelude::*;

#[derive(Debug, Clone, Entity)]
pub struct Author {
    pub id: i64,
    #[ff(length = 80)]
    pub name: String,
}
"#;

const BOOK: &str = r#"
#[derive(Debug, Clone, Entity)]
pub struct Book {
    pub id: i64,
    #[ff(length = 200)]
    pub title: String,
    #[ff(belongs_to = Author)]
    pub author_id: i64,
}
"#;

/// A project with two migrations: `author`, then `book`.
fn project() -> TestProject {
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), "sqlite://unused.db", AUTHOR);
    project
        .cargo_ff(&["database", "create-migration", "-m", "authors"])
        .ok();
    project.write_entities(&format!("{AUTHOR}{BOOK}"));
    project
        .cargo_ff(&["database", "create-migration", "-m", "books"])
        .ok();
    project
}

fn upgrade(project: &TestProject, url: &str) -> Run {
    run(&project
        .command(&["database", "upgrade", "--url", url])
        .output()
        .expect("run cargo-ff"))
}

#[derive(diesel::QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    version: String,
}

fn recorded(conn: &mut Connection) -> Vec<String> {
    let rows: Vec<Version> = with_connection!(conn, |c| diesel::sql_query(
        "SELECT version FROM __diesel_schema_migrations ORDER BY version"
    )
    .load::<Version>(c))
    .expect("read the history");
    rows.into_iter().map(|row| row.version).collect()
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn table_exists(conn: &mut Connection, table: &str) -> bool {
    let sql = match conn.backend() {
        Backend::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?"
        }
        Backend::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
        }
        Backend::Mysql => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?"
        }
    };
    let count: Count = with_connection!(conn, |c| diesel::sql_query(sql)
        .bind::<Text, _>(table)
        .get_result::<Count>(c))
    .expect("look the table up");
    count.n == 1
}

#[test]
fn four_runners_at_once_apply_each_migration_once() {
    let project = project();
    let names: Vec<String> = project
        .migration_folders()
        .iter()
        .map(|folder| folder.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    each_backend_database(|database| {
        let runners: Vec<_> = (0..4)
            .map(|_| {
                project
                    .command(&["database", "upgrade", "--url", database.url()])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("start cargo-ff")
            })
            .collect();
        let outputs: Vec<Run> = runners
            .into_iter()
            .map(|child| run(&child.wait_with_output().expect("wait for cargo-ff")))
            .collect();
        for output in &outputs {
            assert_eq!(output.code, Some(0), "{}", output.text);
        }
        for name in &names {
            let appliers = outputs
                .iter()
                .filter(|o| o.text.contains(&format!("✓ {name}")))
                .count();
            assert_eq!(
                appliers, 1,
                "{name} applied by {appliers} runners: {outputs:#?}"
            );
        }
        let mut conn = database.connect();
        assert_eq!(recorded(&mut conn).len(), 2);
        assert!(table_exists(&mut conn, "book"));
    });
}

#[test]
fn a_migration_failing_halfway_leaves_a_truthful_history() {
    let project = project();
    let folders = project.migration_folders();
    let books = folders[1]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let up_sql = folders[1].join("up.sql");
    each_backend_database(|database| {
        let url = database.url();
        let transactional = database.backend() != Backend::Mysql;
        std::fs::write(&up_sql, "UPDATE no_such_table SET x = 1").unwrap();
        let failed = upgrade(&project, url)
            .expect_code(1)
            .contains(&format!("migration {}", &books[..14]))
            .contains("failed at step")
            .contains("no_such_table");
        let mut conn = database.connect();
        let history = recorded(&mut conn);
        assert_eq!(history.len(), 1, "only the first migration is recorded");
        assert!(table_exists(&mut conn, "author"));
        if transactional {
            failed.contains("nothing of it was applied");
            assert!(!table_exists(&mut conn, "book"), "rolled back");
        } else {
            failed
                .contains("stay applied and the migration is NOT recorded")
                .contains("CREATE TABLE `book`");
            assert!(table_exists(&mut conn, "book"), "MySQL committed the DDL");
        }
        project
            .command(&["database", "status", "--url", url])
            .output()
            .map(|output| run(&output))
            .unwrap()
            .expect_code(4)
            .contains("PENDING");

        std::fs::write(&up_sql, "UPDATE author SET name = name").unwrap();
        if transactional {
            upgrade(&project, url).ok().contains(&books);
        } else {
            // What stayed applied must be undone by hand, as the message said.
            upgrade(&project, url)
                .expect_code(1)
                .contains("failed at step 1");
            conn.batch_execute("DROP TABLE book").unwrap();
            upgrade(&project, url).ok().contains(&books);
        }
        assert_eq!(recorded(&mut conn).len(), 2);
        assert!(table_exists(&mut conn, "book"));
        let _ = std::fs::remove_file(&up_sql);
    });
}
