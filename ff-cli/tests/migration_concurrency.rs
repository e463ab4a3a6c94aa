//! Runners started at the same moment apply each migration exactly once, and a migration that
//! fails halfway leaves a history that tells the truth, on every backend: on SQLite and
//! PostgreSQL nothing of it remains; on MySQL, which commits DDL at once, the error lists what
//! stayed applied, and the next run resumes there or `downgrade` undoes it.

use std::process::Stdio;

use diesel::RunQueryDsl;
use diesel::sql_types::Text;
use ff_runtime::introspect::{compare, expected_live, live_schema};
use ff_runtime::migration::{History, Schema};
use ff_runtime::{Backend, Connection, with_connection};
use ff_tests::backends::{TestDatabase, each_backend_database};
use ff_tests::project::{AUTHOR, AUTHOR_BORN, Run, TestProject, run};

const BOOK: &str = r#"
#[derive(Debug, Clone, Entity)]
pub struct Book {
    pub id: i64,
    #[ff(length = 200, index)]
    pub title: String,
    #[ff(belongs_to = Author)]
    pub author_id: i64,
}
"#;

/// A project with two migrations: `authors` creates `author`; `books` adds `author.born` and
/// creates `book` (several generated steps).
fn project_with_two_migrations() -> TestProject {
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), "sqlite://unused.db", AUTHOR);
    project
        .cargo_ff(&["database", "create-migration", "-m", "authors"])
        .ok();
    project.write_entities(&format!("{AUTHOR_BORN}{BOOK}"));
    project
        .cargo_ff(&["database", "create-migration", "-m", "books"])
        .ok()
        .contains("+ table book")
        .contains("+ column author.born");
    project
}

/// The folder names of the project's migrations, oldest first.
fn names(project: &TestProject) -> Vec<String> {
    project
        .migration_folders()
        .iter()
        .map(|folder| folder.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

fn upgrade(project: &TestProject, url: &str) -> Run {
    database(project, url, &["upgrade"])
}

/// `cargo ff database <args> --url <url>` in the project.
fn database(project: &TestProject, url: &str, args: &[&str]) -> Run {
    let mut all = vec!["database"];
    all.extend(args);
    all.extend(["--url", url]);
    run(&project.command(&all).output().expect("run cargo-ff"))
}

#[derive(diesel::QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    version: String,
}

/// The versions of a bookkeeping table, oldest first.
fn versions(conn: &mut Connection, table: &str) -> Vec<String> {
    let sql = format!("SELECT version FROM {table} ORDER BY version");
    with_connection!(conn, |c| diesel::sql_query(&sql).load::<Version>(c))
        .expect("read the history")
        .into_iter()
        .map(|row| row.version)
        .collect()
}

/// The versions Diesel's harness recorded, and those ff recorded a checksum for; the two
/// must always agree.
#[track_caller]
fn recorded(conn: &mut Connection) -> Vec<String> {
    let diesel = versions(conn, "__diesel_schema_migrations");
    let checksums = versions(conn, "__ff_migration_checksums");
    assert_eq!(diesel, checksums, "both bookkeeping tables agree");
    diesel
}

/// The live schema equals `snapshot`.
#[track_caller]
fn assert_live_schema_is(conn: &mut Connection, snapshot: &Schema) {
    let live = live_schema(conn).expect("introspect the database");
    let differences = compare(&expected_live(snapshot, conn.backend()), &live);
    assert!(differences.is_empty(), "{differences:#?}");
}

fn snapshot(project: &TestProject, index: usize) -> Schema {
    History::load(&project.migrations())
        .expect("load migrations")
        .migrations[index]
        .snapshot
        .clone()
}

#[test]
fn four_upgrades_started_at_once_apply_each_migration_exactly_once() {
    let project = project_with_two_migrations();
    let names = names(&project);
    let versions: Vec<String> = names.iter().map(|name| name[..14].to_owned()).collect();
    each_backend_database(|db| {
        let runners: Vec<_> = (0..4)
            .map(|_| {
                project
                    .command(&["database", "upgrade", "--url", db.url()])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
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
        // A runner holds the lock for its whole run: the first applies everything, the
        // others find nothing left to do.
        let appliers: Vec<&Run> = outputs
            .iter()
            .filter(|o| o.text.contains("Applying migrations..."))
            .collect();
        assert_eq!(appliers.len(), 1, "{outputs:#?}");
        for name in &names {
            assert!(
                appliers[0].text.contains(&format!("✓ {name}")),
                "{outputs:#?}"
            );
        }
        let idle = outputs
            .iter()
            .filter(|o| {
                o.text
                    .contains("The database is already up to date, no migrations to apply.")
            })
            .count();
        assert_eq!(idle, 3, "{outputs:#?}");

        let mut conn = db.connect();
        assert_eq!(recorded(&mut conn), versions);
        assert_live_schema_is(&mut conn, &snapshot(&project, 1));
        upgrade(&project, db.url())
            .ok()
            .contains("already up to date");
    });
}

/// `(step, total)` of "failed at step N of M".
fn failed_step(run: &Run) -> (usize, usize) {
    let rest = run
        .text
        .split_once("failed at step ")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no failing step in:\n{}", run.text));
    let (step, rest) = rest.split_once(" of ").expect("N of M");
    let total = rest.split(':').next().expect("M:");
    (step.parse().unwrap(), total.parse().unwrap())
}

/// The SQL a MySQL failure lists as staying applied.
fn stayed_applied(run: &Run) -> &str {
    let (_, rest) = run
        .text
        .split_once("shows it as partial):\n")
        .unwrap_or_else(|| panic!("no applied steps listed in:\n{}", run.text));
    rest.split_once("help:").expect("a help line").0
}

#[test]
fn a_migration_failing_halfway_is_not_recorded_and_says_what_stayed_applied() {
    let project = project_with_two_migrations();
    let names = names(&project);
    let (authors, books) = (&names[0], &names[1]);
    let up_sql = project.migration_folders()[1].join("up.sql");
    each_backend_database(|db| {
        let url = db.url();
        let mut conn = db.connect();
        let backend = db.backend();
        // The generated steps of `books` succeed, its hand-written SQL fails.
        std::fs::write(&up_sql, "UPDATE no_such_table SET x = 1").unwrap();
        let failed = upgrade(&project, url)
            .expect_code(1)
            .contains(&format!("✓ {authors}"))
            .contains(&format!("migration {} failed at step", &books[..14]))
            .contains("no_such_table");
        let (step, total) = failed_step(&failed);
        assert_eq!(step, total, "the hand-written SQL runs last");
        assert!(total >= 3, "several generated steps ran before it");
        assert_eq!(recorded(&mut conn), [&authors[..14]], "only `authors`");

        if backend == Backend::Mysql {
            let failed = failed
                .contains("this database commits DDL at once")
                .contains(&format!(
                    "these {} step(s) stay applied and the migration is NOT recorded",
                    total - 1
                ))
                .contains(&format!(
                    "help: fix the cause in the database and run the same command again: it resumes at step {total}"
                ));
            let applied = stayed_applied(&failed);
            for statement in [
                "CREATE TABLE `book`",
                "CREATE INDEX `ix_book_title`",
                "ALTER TABLE `author` ADD COLUMN `born`",
                "ADD CONSTRAINT `fk_book_author_id`",
            ] {
                assert!(applied.contains(statement), "{statement} in:\n{applied}");
            }
            assert!(!applied.contains("no_such_table"), "{applied}");
            // What the message lists is really there.
            let live = live_schema(&mut conn).unwrap();
            assert!(live.tables.contains_key("book"));
            assert!(
                live.tables["author"]
                    .columns
                    .iter()
                    .any(|c| c.name == "born")
            );
        } else {
            failed.contains("nothing of it was applied: the schema and the history are as before");
            assert_live_schema_is(&mut conn, &snapshot(&project, 0));
        }
        let status = database(&project, url, &["status"])
            .expect_code(4)
            .contains("1 migration(s) pending");
        if backend == Backend::Mysql {
            // The steps left behind are a partial run, not changes made by hand.
            let status = status
                .contains(&format!("PARTIAL {}/{total}", total - 1))
                .contains(&format!("stopped after statement {} of {total}", total - 1));
            assert!(
                !status.text.contains("differs from migration"),
                "{}",
                status.text
            );
        } else {
            status.contains("PENDING");
        }

        std::fs::write(&up_sql, "UPDATE author SET name = name").unwrap();
        if backend == Backend::Mysql {
            // The partial run cannot go on with an edited migration; the version that ran
            // undoes what it applied, then the edited one runs whole.
            upgrade(&project, url)
                .expect_code(1)
                .contains("and was edited since");
            assert_eq!(recorded(&mut conn), [&authors[..14]]);
            std::fs::write(&up_sql, "UPDATE no_such_table SET x = 1").unwrap();
            database(&project, url, &["downgrade", "--accept-data-loss"])
                .ok()
                .contains("(undoing what its interrupted run applied)")
                .contains("Successfully reverted 1 migration.");
            assert_live_schema_is(&mut conn, &snapshot(&project, 0));
            assert_eq!(recorded(&mut conn), [&authors[..14]]);
            std::fs::write(&up_sql, "UPDATE author SET name = name").unwrap();
        }
        upgrade(&project, url)
            .ok()
            .contains(&format!("✓ {books}"))
            .contains("Migrations applied successfully.");
        assert_eq!(recorded(&mut conn), [&authors[..14], &books[..14]]);
        assert_live_schema_is(&mut conn, &snapshot(&project, 1));
        std::fs::remove_file(&up_sql).unwrap();
    });
}

/// Hand-written SQL runs statement by statement. MySQL commits each one at once, so when a
/// later statement fails the earlier ones stay, and the message lists them.
#[test]
fn a_failing_hand_written_statement_does_not_claim_that_nothing_was_applied() {
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), "sqlite://unused.db", AUTHOR);
    project
        .cargo_ff(&["database", "create-migration", "--empty", "-m", "broken"])
        .ok();
    let folder = project.migration_folders()[0].clone();
    std::fs::write(
        folder.join("up.sql"),
        "CREATE TABLE ok_table (id INTEGER); UPDATE no_such_table SET x = 1",
    )
    .unwrap();
    each_backend_database(|db| {
        let failed = upgrade(&project, db.url()).expect_code(1);
        let mut conn = db.connect();
        assert!(recorded(&mut conn).is_empty());
        let left = live_schema(&mut conn)
            .unwrap()
            .tables
            .contains_key("ok_table");
        if left {
            assert!(
                failed.text.contains("these 1 step(s) stay applied")
                    && failed
                        .text
                        .contains("  CREATE TABLE ok_table (id INTEGER)\n"),
                "{} left ok_table behind but says:\n{}",
                db.backend(),
                failed.text
            );
        } else {
            failed.contains("nothing of it was applied");
        }
    });
}

/// Read-only commands (`status`, `upgrade --sql`) create the bookkeeping tables without the
/// migration lock; on PostgreSQL two `CREATE TABLE IF NOT EXISTS` at once can collide
/// (`pg_type_typname_nsp_index`), and the `upgrade` running beside them fails.
#[test]
fn upgrades_beside_read_only_commands_on_a_fresh_postgres_database_all_succeed() {
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), "sqlite://unused.db", AUTHOR);
    project
        .cargo_ff(&["database", "create-migration", "-m", "authors"])
        .ok();
    for _ in 0..10 {
        let Ok(db) = TestDatabase::create(Backend::Postgres) else {
            eprintln!("skipped: PostgreSQL is unavailable");
            return;
        };
        let children: Vec<_> = (0..6)
            .map(|i| {
                let args: &[&str] = if i % 2 == 0 {
                    &["database", "upgrade", "--url", db.url()]
                } else {
                    &["database", "upgrade", "--sql", "--url", db.url()]
                };
                project
                    .command(args)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("start cargo-ff")
            })
            .collect();
        let outputs: Vec<Run> = children
            .into_iter()
            .map(|child| run(&child.wait_with_output().expect("wait for cargo-ff")))
            .collect();
        for output in outputs {
            output.ok();
        }
    }
}
