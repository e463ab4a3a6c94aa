//! The ways out of a history that does not match the database, through the real `cargo ff`
//! binary on every backend: `stamp` records migrations without running them (under the
//! migration lock), the seeds' "clear and recreate" workflow ends with `upgrade --baseline`
//! (a different or partial match is refused with a diff), and a damaged migration folder is
//! reported by name while `status` keeps telling the truth about the others.

use std::process::Stdio;
use std::time::Duration;

use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Nullable, Text};
use ff_runtime::introspect::live_schema;
use ff_runtime::migration::History;
use ff_runtime::{Backend, Connection, with_connection};
use ff_tests::backends::{TestDatabase, each_backend_database, row_count};
use ff_tests::project::{AUTHOR, Run, TestProject, run};

const BOOK: &str = r#"
#[derive(Debug, Clone, Entity)]
pub struct Book {
    pub id: i64,
    #[ff(length = 200, index)]
    pub title: String,
    #[ff(belongs_to = Author, on_delete = "cascade")]
    pub author_id: i64,
}
"#;

const SHELF: &str = r#"
#[derive(Debug, Clone, Entity)]
pub struct Shelf {
    pub id: i32,
    #[ff(unique, length = 20)]
    pub code: String,
}
"#;

/// `cargo ff <args> --url <url>` in the project.
fn cargo_ff(project: &TestProject, url: &str, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--url", url]);
    run(&project.command(&all).output().expect("run cargo-ff"))
}

#[derive(diesel::QueryableByName)]
struct Record {
    #[diesel(sql_type = Text)]
    version: String,
    #[diesel(sql_type = Text)]
    checksum: String,
}

/// The applied migrations as (version, checksum), oldest first; Diesel's table and ff's must
/// agree.
#[track_caller]
fn recorded(conn: &mut Connection) -> Vec<(String, String)> {
    let checksums: Vec<(String, String)> = with_connection!(conn, |c| diesel::sql_query(
        "SELECT version, checksum FROM __ff_migration_checksums ORDER BY version"
    )
    .load::<Record>(c))
    .expect("read the checksums")
    .into_iter()
    .map(|r| (r.version, r.checksum))
    .collect();
    let versions: Vec<String> = with_connection!(conn, |c| diesel::sql_query(
        "SELECT version, '' AS checksum FROM __diesel_schema_migrations ORDER BY version"
    )
    .load::<Record>(c))
    .expect("read Diesel's history")
    .into_iter()
    .map(|r| r.version)
    .collect();
    let checked: Vec<&String> = checksums.iter().map(|(v, _)| v).collect();
    assert_eq!(
        versions.iter().collect::<Vec<_>>(),
        checked,
        "both tables agree"
    );
    checksums
}

/// What `stamp` must have recorded: the first `count` migrations with their checksums.
fn first(history: &History, count: usize) -> Vec<(String, String)> {
    history.migrations[..count]
        .iter()
        .map(|m| (m.version().to_owned(), m.checksum.clone()))
        .collect()
}

#[derive(diesel::QueryableByName)]
struct Acquired {
    #[diesel(sql_type = Nullable<BigInt>)]
    acquired: Option<i64>,
}

/// ff's PostgreSQL advisory lock key ("ffmigr" in ASCII).
const ADVISORY_LOCK_KEY: i64 = 0x6666_6d69_6772;

/// Takes (`true`) or releases the migration lock from the test's connection, as a running
/// `upgrade` holds it.
fn migration_lock(conn: &mut Connection, take: bool) {
    let sql = match (conn.backend(), take) {
        (Backend::Sqlite, true) => return conn.batch_execute("BEGIN IMMEDIATE").unwrap(),
        (Backend::Sqlite, false) => return conn.batch_execute("COMMIT").unwrap(),
        (Backend::Postgres, true) => format!(
            "SELECT 1::bigint AS acquired FROM (SELECT pg_advisory_lock({ADVISORY_LOCK_KEY})) AS l"
        ),
        (Backend::Postgres, false) => {
            format!("SELECT pg_advisory_unlock({ADVISORY_LOCK_KEY})::int::bigint AS acquired")
        }
        (Backend::Mysql, true) => {
            "SELECT CAST(GET_LOCK('ff_migrations', 10) AS SIGNED) AS acquired".into()
        }
        (Backend::Mysql, false) => {
            "SELECT CAST(RELEASE_LOCK('ff_migrations') AS SIGNED) AS acquired".into()
        }
    };
    let done = with_connection!(conn, |c| diesel::sql_query(&sql).get_result::<Acquired>(c))
        .expect("take or release the migration lock");
    assert_eq!(done.acquired, Some(1), "{sql}");
}

/// A project with three migrations: `authors`, `books`, `shelves`.
fn project_with_three_migrations() -> TestProject {
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), "sqlite://unused.db", AUTHOR);
    project.create_migrations(&[
        (AUTHOR, "authors"),
        (&format!("{AUTHOR}{BOOK}"), "books"),
        (&format!("{AUTHOR}{BOOK}{SHELF}"), "shelves"),
    ]);
    project
}

#[test]
fn stamp_records_migrations_without_running_them() {
    let project = project_with_three_migrations();
    let history = History::load(&project.migrations()).expect("load");
    let name = |index: usize| history.migrations[index].name();
    each_backend_database(|database| {
        let url = database.url();
        let mut conn = database.connect();

        cargo_ff(&project, url, &["database", "stamp", &name(1)])
            .ok()
            .contains(&format!("✓ {} recorded as applied", name(0)))
            .contains(&format!("✓ {} recorded as applied", name(1)))
            .contains(&format!("now stands at {}; no migration was run", name(1)));
        assert_eq!(recorded(&mut conn), first(&history, 2));
        assert!(
            live_schema(&mut conn).unwrap().tables.is_empty(),
            "nothing ran"
        );
        cargo_ff(&project, url, &["database", "current"])
            .ok()
            .contains(&format!(
                "{} - books (1 pending after it)",
                history.migrations[1].version()
            ));

        cargo_ff(&project, url, &["database:stamp", "head"])
            .ok()
            .contains(&format!("✓ {} recorded as applied", name(2)));
        assert_eq!(recorded(&mut conn), first(&history, 3));
        cargo_ff(&project, url, &["database", "stamp", "head"])
            .ok()
            .contains(&format!("already stands at {}: nothing changed", name(2)));

        // A bad revision changes nothing.
        cargo_ff(&project, url, &["database", "stamp", "nope"])
            .expect_code(1)
            .contains("unknown revision `nope`")
            .contains(&name(2))
            .contains("cargo ff database history");
        cargo_ff(&project, url, &["database", "stamp"]).expect_code(2);
        assert_eq!(recorded(&mut conn), first(&history, 3));

        // A record of a migration the directory does not have needs --purge.
        conn.batch_execute(
            "INSERT INTO __diesel_schema_migrations (version) VALUES ('20000101000000'); \
             INSERT INTO __ff_migration_checksums (version, checksum) VALUES ('20000101000000', 'x')",
        )
        .unwrap();
        cargo_ff(&project, url, &["database", "stamp", "head"])
            .expect_code(1)
            .contains("the migrations directory does not have: 20000101000000; nothing was changed")
            .contains("--purge");
        assert_eq!(recorded(&mut conn).len(), 4);
        cargo_ff(&project, url, &["database", "stamp", "head", "--purge"])
            .ok()
            .contains("20000101000000 forgotten");
        assert_eq!(recorded(&mut conn), first(&history, 3));

        // A checksum that no longer matches the files is recorded anew.
        conn.batch_execute("UPDATE __ff_migration_checksums SET checksum = 'edited'")
            .unwrap();
        cargo_ff(
            &project,
            url,
            &["database", "stamp", &history.migrations[0].version()[..14]],
        )
        .ok()
        .contains(&format!("✗ {} recorded as not applied", name(2)))
        .contains(&format!(
            "✓ {}: the checksum of its files now is recorded",
            name(0)
        ));
        assert_eq!(recorded(&mut conn), first(&history, 1));

        // `stamp` waits for the migration lock that `upgrade` takes.
        migration_lock(&mut conn, true);
        let mut stamp = project
            .command(&["database", "stamp", "base", "--url", url])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start cargo-ff");
        std::thread::sleep(Duration::from_secs(2));
        assert!(
            stamp.try_wait().expect("poll").is_none(),
            "stamp waits for the lock"
        );
        migration_lock(&mut conn, false);
        run(&stamp.wait_with_output().expect("wait for cargo-ff"))
            .ok()
            .contains(&format!("✗ {} recorded as not applied", name(0)));
        assert!(recorded(&mut conn).is_empty());

        // The history it leaves is one `upgrade` continues.
        cargo_ff(&project, url, &["database", "upgrade"])
            .ok()
            .contains(&name(2));
        assert_eq!(recorded(&mut conn), first(&history, 3));
        assert_eq!(live_schema(&mut conn).unwrap().tables.len(), 3);

        a_damaged_folder_is_reported_by_name(&project, database, &history);
    });
}

/// With every migration applied, one folder loses its snapshot and another's up.sql is not
/// text: `status` names each with its fix and still reports the good one as applied.
fn a_damaged_folder_is_reported_by_name(
    project: &TestProject,
    database: &TestDatabase,
    history: &History,
) {
    let url = database.url();
    let folders = project.migration_folders();
    let snapshot = folders[1].join("snapshot.json");
    let hidden = folders[1].join("snapshot.json.bak");
    std::fs::rename(&snapshot, &hidden).unwrap();
    let up = folders[2].join("up.sql");
    std::fs::write(&up, [0xff, 0xfe, b'x']).unwrap();

    let status = cargo_ff(project, url, &["database", "status", "--format", "json"]).expect_code(4);
    let json: serde_json::Value = serde_json::Deserializer::from_str(&status.text)
        .into_iter()
        .next()
        .expect("a JSON document")
        .expect("valid JSON");
    let states: Vec<&str> = json["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["status"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["APPLIED", "DAMAGED", "DAMAGED"], "{json}");
    let problems = json["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{json}");
    for (problem, index, file) in [
        (&problems[0], 1, "snapshot.json"),
        (&problems[1], 2, "up.sql"),
    ] {
        let problem = problem.as_str().unwrap();
        assert!(
            problem.contains(&history.migrations[index].name()),
            "{problem}"
        );
        assert!(
            problem.contains(&format!("cannot read {file}")),
            "{problem}"
        );
        assert!(
            problem.contains("help: restore it from version control"),
            "{problem}"
        );
    }
    cargo_ff(project, url, &["database", "status"])
        .expect_code(4)
        .contains("DAMAGED")
        .contains(history.migrations[0].version())
        .contains("APPLIED");
    let text = cargo_ff(project, url, &["database", "status"]).text;
    assert!(!text.contains("UNKNOWN"), "{text}");
    cargo_ff(project, url, &["database", "upgrade"])
        .expect_code(1)
        .contains(&history.migrations[1].name())
        .contains("is corrupt");

    std::fs::rename(&hidden, &snapshot).unwrap();
    std::fs::remove_file(&up).unwrap();
    cargo_ff(project, url, &["database", "status"])
        .ok()
        .contains("The database is up to date");
}

const USER: &str = r#"
use ff_runtime::prelude::*;

#[derive(Debug, Clone, Entity)]
pub struct User {
    pub id: i64,
    #[ff(length = 100, unique)]
    pub username: String,
}
"#;

const PRODUCT: &str = r#"
#[derive(Debug, Clone, Entity)]
pub struct Product {
    pub id: i64,
    #[ff(length = 120, index)]
    pub name: String,
    #[ff(belongs_to = User, on_delete = "cascade")]
    pub owner_id: i64,
}
"#;

#[test]
fn clear_and_recreate_then_upgrade_with_baseline() {
    each_backend_database(|database| {
        let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), database.url(), USER);
        let mut conn = database.connect();
        project
            .cargo_ff(&["database", "create-migration", "-m", "users"])
            .ok();
        project.cargo_ff(&["database", "upgrade"]).ok();
        project.write_entities(&format!("{USER}{PRODUCT}"));
        project
            .cargo_ff(&["database", "create-migration", "-m", "products"])
            .ok();
        project.cargo_ff(&["database", "upgrade"]).ok();
        let user = conn.backend().dialect().quote("user");
        conn.batch_execute(&format!("INSERT INTO {user} (username) VALUES ('Zoë 🦊')"))
            .unwrap();
        assert_eq!(recorded(&mut conn).len(), 2);

        // Without a terminal or --force nothing is removed.
        project
            .cargo_ff(&["database:clear-migration"])
            .expect_code(3)
            .contains("the database's record of 2 applied migration(s)")
            .contains("pass --force");
        assert_eq!(project.migration_folders().len(), 2);
        assert_eq!(recorded(&mut conn).len(), 2);

        // The seeds' "clear and recreate".
        project
            .cargo_ff(&["database:clear-migration", "--force"])
            .ok()
            .contains("✓ Migration history cleared: 2 record(s) forgotten")
            .contains("✓ Migrations cleared")
            .contains("upgrade --baseline");
        assert!(recorded(&mut conn).is_empty());
        assert!(!project.migrations().exists());
        project
            .cargo_ff(&["database:create-migration", "-m", "initial"])
            .ok()
            .contains("+ table user")
            .contains("+ table product");
        project
            .cargo_ff(&["database:upgrade"])
            .expect_code(3)
            .contains("already exist, exactly as it creates them: product, user")
            .contains("cargo ff database upgrade --baseline");
        assert!(recorded(&mut conn).is_empty());
        let initial = History::load(&project.migrations()).unwrap();
        project
            .cargo_ff(&["database", "upgrade", "--baseline"])
            .ok()
            .contains(&format!(
                "✓ {} recorded as applied (not run",
                initial.migrations[0].name()
            ));
        assert_eq!(recorded(&mut conn), first(&initial, 1));
        project
            .cargo_ff(&["database", "status"])
            .ok()
            .contains("The database is up to date");
        assert_eq!(row_count(&mut conn, "user"), 1);

        // Work goes on from there.
        let with_price = PRODUCT.replace(
            "    pub owner_id: i64,\n",
            "    pub owner_id: i64,\n    pub price: Option<f64>,\n",
        );
        assert_ne!(with_price, PRODUCT);
        project.write_entities(&format!("{USER}{with_price}"));
        project
            .cargo_ff(&["database", "create-migration", "-m", "price"])
            .ok();
        project
            .cargo_ff(&["database", "upgrade", "--baseline"])
            .ok()
            .contains("Migrations applied successfully.");
        project.cargo_ff(&["database", "status"]).ok();

        // Keeping the history: upgrade says how to forget it.
        project
            .cargo_ff(&["database", "clear-migration", "--force", "--keep-history"])
            .ok()
            .contains("✓ Migrations cleared");
        assert_eq!(recorded(&mut conn).len(), 2);
        project
            .cargo_ff(&["database", "create-migration", "-m", "again"])
            .ok();
        project
            .cargo_ff(&["database", "upgrade", "--baseline"])
            .expect_code(1)
            .contains("the migrations directory does not have it")
            .contains("cargo ff database stamp base --purge");
        project
            .cargo_ff(&["database", "stamp", "base", "--purge"])
            .ok()
            .contains("forgotten");
        assert!(recorded(&mut conn).is_empty());

        // A database that differs from the first migration is refused, table by table.
        conn.batch_execute(&format!(
            "DROP TABLE product; ALTER TABLE {user} ADD COLUMN extra INTEGER"
        ))
        .unwrap();
        project
            .cargo_ff(&["database", "upgrade", "--baseline"])
            .expect_code(1)
            .contains("already has tables of the first migration")
            .contains("  table product:\n    table product: missing")
            .contains("  table user:\n    column user.extra: not expected");
        assert!(recorded(&mut conn).is_empty());
        assert_eq!(row_count(&mut conn, "user"), 1, "nothing was touched");
    });
}
