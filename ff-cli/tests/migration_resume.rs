//! A run of `cargo ff database upgrade` killed (SIGKILL) halfway through a migration, after each
//! of its statements in turn, through the real binary on every backend. On MySQL, which commits
//! DDL at once, `status` shows the migration as partial with the next statement, `upgrade`
//! resumes after the last statement that completed, and `downgrade` undoes what ran when ff can
//! tell what does; on PostgreSQL and SQLite the migration runs in a transaction, so nothing of it
//! remains and the next `upgrade` applies it whole. Either way the schema and the data end as an
//! uninterrupted run leaves them. A `downgrade` that stops halfway is finished by the next one.
//!
//! The migration sleeps between its statements, and the runner is killed during the sleep that
//! follows statement k: on MySQL once `__ff_migration_progress` says k statements completed, on
//! PostgreSQL once `pg_stat_activity` shows that sleep running. SQLite has no sleep and cannot be
//! watched from outside its write transaction: a slow recursive CTE stands in for the sleep, and
//! the runner is killed shortly after the migration starts (any point inside it gives the same
//! outcome there).

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use diesel::sql_types::BigInt;
use ff_runtime::introspect::{LiveSchema, live_schema};
use ff_runtime::{Backend, Connection, with_connection};
use ff_tests::backends::{TestDatabase, each_backend_database, row_count};
use ff_tests::project::{AUTHOR, AUTHOR_BORN, Run, TestProject, run};

/// The statements of the second migration: the generated `ADD COLUMN born`, then its
/// hand-written SQL, a pause after each statement.
const TOTAL: usize = 7;

/// The statements after which the runner is killed (each is followed by a pause).
const KILL_POINTS: [usize; 3] = [1, 3, 5];

/// A pause of about half a second after statement `after`, named by it so that PostgreSQL's
/// `pg_stat_activity` tells which one runs.
fn pause(backend: Backend, after: usize) -> String {
    match backend {
        Backend::Mysql => "DO SLEEP(0.5)".to_owned(),
        Backend::Postgres => format!("SELECT pg_sleep(0.5) AS kill_point_{after}"),
        Backend::Sqlite => format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000) \
             SELECT count(*) AS kill_point_{after} FROM n"
        ),
    }
}

/// The hand-written SQL of the second migration on `backend`: statements 2 to 7.
fn up_sql(backend: Backend) -> String {
    format!(
        "{};\nCREATE TABLE note (id INTEGER PRIMARY KEY, body VARCHAR(40));\n{};\n\
         INSERT INTO note (id, body) VALUES (1, 'first; and only');\n{};\n\
         UPDATE author SET born = 1900;\n",
        pause(backend, 1),
        pause(backend, 3),
        pause(backend, 5),
    )
}

/// A project with two migrations: `authors` creates `author`; `born` adds `author.born` and,
/// by hand, a `note` table with a row, pausing between statements.
fn project() -> TestProject {
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), "sqlite://unused.db", AUTHOR);
    project.create_migrations(&[(AUTHOR, "authors"), (AUTHOR_BORN, "born")]);
    let folder = &project.migration_folders()[1];
    for backend in Backend::ALL {
        let name = backend.name();
        std::fs::write(folder.join(format!("up.{name}.sql")), up_sql(backend)).unwrap();
        std::fs::write(folder.join(format!("down.{name}.sql")), "DROP TABLE note").unwrap();
    }
    project
}

fn cargo_ff(project: &TestProject, url: &str, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--url", url]);
    run(&project.command(&all).output().expect("run cargo-ff"))
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut Connection, sql: &str) -> i64 {
    with_connection!(conn, |c| diesel::sql_query(sql).get_result::<Count>(c)).map_or(0, |row| row.n)
}

/// Starts `upgrade` and kills it with SIGKILL during the pause after statement `after`.
fn upgrade_killed_after(project: &TestProject, db: &TestDatabase, after: usize) {
    let mut runner = project
        .command(&["database", "upgrade", "--url", db.url()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start cargo-ff");
    let mut stdout = BufReader::new(runner.stdout.take().expect("stdout"));
    let mut line = String::new();
    while !line.contains('→') {
        line.clear();
        if stdout
            .read_line(&mut line)
            .expect("read the runner's output")
            == 0
        {
            let output = runner.wait_with_output().expect("wait for cargo-ff");
            panic!(
                "upgrade ended before the migration started:\n{}",
                run(&output).text
            );
        }
    }
    let mut conn = db.connect();
    let watched = match db.backend() {
        Backend::Mysql => format!(
            "SELECT CAST(COUNT(*) AS SIGNED) AS n FROM __ff_migration_progress WHERE statements_done >= {after}"
        ),
        Backend::Postgres => format!(
            "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() \
             AND state = 'active' AND query LIKE '%kill\\_point\\_{after}'"
        ),
        Backend::Sqlite => {
            std::thread::sleep(Duration::from_millis(100));
            return kill(runner);
        }
    };
    let started = Instant::now();
    while count(&mut conn, &watched) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "statement {after} never completed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    kill(runner);
}

fn kill(mut runner: Child) {
    runner.kill().expect("kill cargo-ff");
    let status = runner.wait().expect("wait for cargo-ff");
    assert!(
        !status.success(),
        "the runner was killed before it finished"
    );
}

/// The live schema and what the migration's statements put in the tables.
fn outcome(conn: &mut Connection) -> (LiveSchema, i64, i64) {
    let schema = live_schema(conn).expect("introspect the database");
    let born = count(conn, "SELECT COUNT(*) AS n FROM author WHERE born = 1900");
    let notes = if schema.tables.contains_key("note") {
        row_count(conn, "note")
    } else {
        0
    };
    (schema, born, notes)
}

#[test]
fn an_upgrade_killed_after_each_statement_is_resumed_or_redone_to_the_same_schema() {
    let project = project();
    let names: Vec<String> = project
        .migration_folders()
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let born = &names[1];
    each_backend_database(|db| {
        let url = db.url();
        let backend = db.backend();
        let mut conn = db.connect();
        let sql = cargo_ff(&project, url, &["database", "upgrade", "--sql"]).ok();
        let (_, statements) = sql
            .text
            .split_once(&format!("-- upgrade {born}\n"))
            .unwrap();
        assert_eq!(statements.matches(";\n").count(), TOTAL, "{}", sql.text);

        // What an uninterrupted run leaves.
        cargo_ff(&project, url, &["database", "upgrade", &names[0]]).ok();
        conn.batch_execute("INSERT INTO author (name) VALUES ('Ada')")
            .unwrap();
        let before = outcome(&mut conn);
        cargo_ff(&project, url, &["database", "upgrade"]).ok();
        let uninterrupted = outcome(&mut conn);
        assert_eq!((uninterrupted.1, uninterrupted.2), (1, 1));

        for after in KILL_POINTS {
            cargo_ff(
                &project,
                url,
                &["database", "downgrade", "--accept-data-loss"],
            )
            .ok();
            assert_eq!(outcome(&mut conn), before);
            upgrade_killed_after(&project, db, after);

            let status = cargo_ff(&project, url, &["database", "status"]).expect_code(4);
            if backend != Backend::Mysql {
                // Nothing of the migration remains: it is pending, and runs whole.
                let status = status
                    .contains("PENDING")
                    .contains("1 migration(s) pending");
                assert!(!status.text.contains("PARTIAL"), "{}", status.text);
                assert_eq!(outcome(&mut conn), before, "killed after statement {after}");
                cargo_ff(&project, url, &["database", "upgrade"])
                    .ok()
                    .contains(&format!("  → {born} …\n"));
                assert_eq!(outcome(&mut conn), uninterrupted);
                continue;
            }
            let next = pause(backend, after);
            status
                .contains(&format!("PARTIAL {after}/{TOTAL}"))
                .contains(&format!(
                    "the upgrade of migration {born} stopped after statement {after} of {TOTAL}; next: statement {} of {TOTAL}: {next}",
                    after + 1
                ))
                .contains("1 migration(s) pending");
            let json = cargo_ff(&project, url, &["database", "status", "--format", "json"]);
            let json: serde_json::Value = serde_json::Deserializer::from_str(&json.text)
                .into_iter()
                .next()
                .expect("a JSON document")
                .expect("valid JSON");
            let row = &json["migrations"][1];
            assert_eq!(row["status"], "PARTIAL", "{json}");
            assert_eq!(row["interrupted"]["statements_done"], after, "{json}");
            assert_eq!(row["interrupted"]["statements_total"], TOTAL, "{json}");
            match after {
                // The generated statement ran: its reverse undoes it.
                1 => {
                    let sql = cargo_ff(&project, url, &["database", "downgrade", "--sql"]).ok();
                    let (_, undo) = sql
                        .text
                        .split_once(&format!(
                            "-- downgrade {born} (undoing what its interrupted run applied)\n"
                        ))
                        .unwrap_or_else(|| panic!("{}", sql.text));
                    assert_eq!(undo.trim(), "ALTER TABLE `author` DROP COLUMN `born`;");
                    cargo_ff(
                        &project,
                        url,
                        &["database", "downgrade", "--accept-data-loss"],
                    )
                    .ok()
                    .contains(&format!(
                        "→ {born} … (undoing what its interrupted run applied)"
                    ))
                    .contains("Successfully reverted 1 migration.");
                    assert_eq!(outcome(&mut conn), before);
                    cargo_ff(&project, url, &["database", "status"])
                        .expect_code(4)
                        .contains("PENDING");
                    cargo_ff(&project, url, &["database", "upgrade"])
                        .ok()
                        .contains(&format!("  → {born} …\n"));
                }
                // Inside the hand-written SQL: refused with the fix; an edit is refused too.
                3 => {
                    cargo_ff(&project, url, &["database", "downgrade", "--accept-data-loss"])
                        .expect_code(1)
                        .contains(&format!(
                            "migration {born} stopped after statement 3 of {TOTAL}, inside its hand-written SQL"
                        ))
                        .contains("run `cargo ff database upgrade` to finish it, then downgrade");
                    let up = project.migration_folders()[1].join("up.mysql.sql");
                    let original = std::fs::read_to_string(&up).unwrap();
                    std::fs::write(&up, format!("{original}-- edited\n")).unwrap();
                    cargo_ff(&project, url, &["database", "upgrade"])
                        .expect_code(1)
                        .contains(&format!(
                            "migration {born} stopped after 3 of its statements and was edited since"
                        ));
                    cargo_ff(&project, url, &["database", "status"])
                        .expect_code(4)
                        .contains(&format!("PARTIAL 3/{TOTAL} (EDITED)"));
                    std::fs::write(&up, original).unwrap();
                    resume(&project, url, born, after);
                }
                _ => {
                    // The SQL still to run: the statements after the last that completed.
                    let sql = cargo_ff(&project, url, &["database", "upgrade", "--sql"]).ok();
                    let (_, rest) = sql
                        .text
                        .split_once(&format!(
                            "-- upgrade {born} (resuming after statement {after} of {TOTAL})\n"
                        ))
                        .unwrap_or_else(|| panic!("{}", sql.text));
                    assert_eq!(rest.matches(";\n").count(), TOTAL - after, "{}", sql.text);
                    resume(&project, url, born, after);
                }
            }
            assert_eq!(
                outcome(&mut conn),
                uninterrupted,
                "killed after statement {after}"
            );
            cargo_ff(&project, url, &["database", "status"])
                .ok()
                .contains("The database is up to date");
        }
    });
}

/// `upgrade` resumes the migration after statement `after`.
fn resume(project: &TestProject, url: &str, born: &str, after: usize) {
    cargo_ff(project, url, &["database", "upgrade"])
        .ok()
        .contains(&format!(
            "→ {born} … (resuming after statement {after} of {TOTAL})"
        ))
        .contains(&format!("✓ {born}"));
}

/// A downgrade that stops halfway (its second statement fails: a table the test creates only
/// afterwards) is noted on MySQL: `status` shows the migration as partly reverted, `upgrade`
/// refuses to build on it, and the next `downgrade` finishes it. Elsewhere nothing of it
/// remained, and the next `downgrade` runs whole.
#[test]
fn a_downgrade_stopped_halfway_is_finished_by_the_next_downgrade() {
    let project = project();
    let folder = project.migration_folders()[1].clone();
    for backend in Backend::ALL {
        let down = folder.join(format!("down.{}.sql", backend.name()));
        std::fs::write(down, "DROP TABLE note;\nDROP TABLE gate").unwrap();
    }
    let born = folder.file_name().unwrap().to_string_lossy().into_owned();
    each_backend_database(|db| {
        let (url, backend) = (db.url(), db.backend());
        let mut conn = db.connect();
        cargo_ff(&project, url, &["database", "upgrade"]).ok();
        let applied = outcome(&mut conn);
        let downgrade = ["database", "downgrade", "--accept-data-loss"];
        cargo_ff(&project, url, &downgrade)
            .expect_code(1)
            .contains("failed at step 2 of")
            .contains("gate");
        if backend == Backend::Mysql {
            assert!(!live_schema(&mut conn).unwrap().tables.contains_key("note"));
            cargo_ff(&project, url, &["database", "status"])
                .expect_code(4)
                .contains("PARTLY REVERTED 1/")
                .contains(&format!(
                    "the downgrade of migration {born} stopped after statement 1 of"
                ))
                .contains("run `cargo ff database downgrade` to finish reverting it");
            cargo_ff(&project, url, &["database", "upgrade"])
                .expect_code(1)
                .contains(&format!(
                    "the downgrade of migration {born} stopped after 1 of its statements"
                ));
        } else {
            assert_eq!(outcome(&mut conn), applied, "nothing of it remains");
        }

        conn.batch_execute("CREATE TABLE gate (id INTEGER)")
            .unwrap();
        let done = cargo_ff(&project, url, &downgrade)
            .ok()
            .contains("Successfully reverted 1 migration.");
        let resumed = done.text.contains("(resuming after statement 1 of");
        assert_eq!(resumed, backend == Backend::Mysql, "{}", done.text);
        let schema = live_schema(&mut conn).unwrap();
        assert!(
            !["note", "gate"]
                .iter()
                .any(|t| schema.tables.contains_key(*t)),
            "{:?}",
            schema.tables.keys()
        );
        cargo_ff(&project, url, &["database", "status"])
            .expect_code(4)
            .contains("1 migration(s) pending");
    });
}
