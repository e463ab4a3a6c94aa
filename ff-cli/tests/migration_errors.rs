//! Each bad input to the migration commands ends with the exit code it documents and a message
//! naming the problem and its fix, and loses nothing: malformed and unreachable URLs, damaged
//! or edited migration folders, unknown revisions, downgrades past the base, divergent
//! branches, NOT NULL columns without a value, `--sql` without a database, the clearing
//! commands and `copy`. What involves a database runs on every backend; pure file checks run
//! once.

use std::path::{Path, PathBuf};

use diesel::RunQueryDsl;
use diesel::sql_types::{Integer, Text};
use ff_runtime::{Backend, Connection, with_connection};
use ff_tests::backends::{TestDatabase, each_backend_database, row_count, scratch_dir};
use ff_tests::project::{AUTHOR, Run, TestProject, run};

/// `Author` with two NOT NULL columns that have no default.
const AUTHOR_RATED: &str = r#"
use ff_runtime::prelude::*;

#[derive(Debug, Clone, Entity)]
pub struct Author {
    pub id: i64,
    #[ff(length = 80)]
    pub name: String,
    pub rating: i32,
    #[ff(length = 40)]
    pub nickname: String,
}
"#;

/// A project whose `DATABASE_URL` is `url`.
fn project_at(url: &str, entities: &str) -> TestProject {
    TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), url, entities)
}

/// A project with one migration, `authors`, creating `author`; each command is given its
/// database with `--url`.
fn project_with_authors() -> TestProject {
    let project = project_at("sqlite://unused.db", AUTHOR);
    project
        .cargo_ff(&["database", "create-migration", "-m", "authors"])
        .ok()
        .contains("+ table author");
    project
}

/// `cargo ff database <args> --url <url>` in the project.
fn database(project: &TestProject, url: &str, args: &[&str]) -> Run {
    let mut all = vec!["database"];
    all.extend(args);
    all.extend(["--url", url]);
    run(&project.command(&all).output().expect("run cargo-ff"))
}

/// The folder name of a migration directory.
fn name(folder: &Path) -> String {
    folder
        .file_name()
        .expect("a migration folder")
        .to_string_lossy()
        .into_owned()
}

/// A path for a SQLite database no test has created.
fn fresh_sqlite_file(label: &str) -> PathBuf {
    let path = scratch_dir().join(format!(
        "migration-errors-{label}-{}.db",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    path
}

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Every table of the database, bookkeeping tables included, sorted.
fn tables(conn: &mut Connection) -> Vec<String> {
    let sql = match conn.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY name"
        }
        Backend::Mysql => {
            "SELECT CAST(table_name AS CHAR) AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY name"
        }
    };
    with_connection!(conn, |c| diesel::sql_query(sql).load::<Name>(c))
        .expect("list the tables")
        .into_iter()
        .map(|row| row.name)
        .collect()
}

/// The versions recorded in `__diesel_schema_migrations`.
fn recorded(conn: &mut Connection) -> Vec<String> {
    with_connection!(conn, |c| diesel::sql_query(
        "SELECT version AS name FROM __diesel_schema_migrations ORDER BY version"
    )
    .load::<Name>(c))
    .expect("read the history")
    .into_iter()
    .map(|row| row.name)
    .collect()
}

#[test]
fn malformed_urls_are_named_with_what_to_write_for_upgrade_and_status() {
    let project = project_at("sqlite://unused.db", AUTHOR);
    for command in ["upgrade", "status"] {
        database(&project, "postgres://", &[command])
            .expect_code(1)
            .contains("invalid database URL `postgres://`")
            .contains("no host; write e.g. postgres://user@localhost/mydb");
        database(&project, "foo://x", &[command])
            .expect_code(1)
            .contains("invalid database URL `foo://x`")
            .contains("use sqlite://, postgres:// or mysql://");
        let masked = database(&project, "oracle://scott:tiger@db/x", &[command])
            .expect_code(1)
            .contains("oracle://scott:***@db/x");
        assert!(!masked.text.contains("tiger"), "{}", masked.text);
    }
    // The URL read from DATABASE_URL is named just the same.
    let from_env = project_at("foo://x", AUTHOR);
    from_env
        .cargo_ff(&["database", "upgrade"])
        .expect_code(1)
        .contains("invalid database URL `foo://x`");
    from_env
        .cargo_ff(&["database", "status"])
        .expect_code(1)
        .contains("invalid database URL `foo://x`");
    assert!(
        !from_env.migrations().exists(),
        "nothing was written to the project"
    );
}

#[test]
fn an_unreachable_server_cannot_be_connected_to_and_its_password_is_never_shown() {
    let project = project_at("sqlite://unused.db", AUTHOR);
    for url in [
        "postgres://app:secret@127.0.0.1:1/shop",
        "mysql://app:secret@127.0.0.1:1/shop",
    ] {
        let scheme = &url[..url.find(':').expect("a scheme")];
        let upgrade = database(&project, url, &["upgrade"])
            .expect_code(1)
            .contains(&format!(
                "cannot connect to {scheme}://app:***@127.0.0.1:1/"
            ))
            .contains("check that the server is running");
        assert!(!upgrade.text.contains("secret"), "{}", upgrade.text);
        // `status` still prints its report, and exits with 1: the database could not be read.
        let status = database(&project, url, &["status"])
            .expect_code(1)
            .contains("Failed")
            .contains(&format!(
                "cannot connect to {scheme}://app:***@127.0.0.1:1/"
            ));
        assert!(!status.text.contains("secret"), "{}", status.text);
    }
}

#[test]
fn a_damaged_migration_folder_stops_upgrade_before_the_database_is_touched() {
    let project = project_with_authors();
    let folder = project.migration_folders()[0].clone();
    let folder_name = name(&folder);
    let migration_json = folder.join("migration.json");
    let snapshot_json = folder.join("snapshot.json");
    let original = std::fs::read_to_string(&migration_json).unwrap();
    let snapshot = std::fs::read_to_string(&snapshot_json).unwrap();
    let never_created = fresh_sqlite_file("damaged");
    let never_created_url = format!("sqlite://{}", never_created.display());

    let damages: [(&str, &dyn Fn(), &str); 4] = [
        (
            "truncated migration.json",
            &|| std::fs::write(&migration_json, &original[..original.len() / 2]).unwrap(),
            "migration.json does not parse",
        ),
        (
            "migration.json with a merge conflict",
            &|| {
                std::fs::write(
                    &migration_json,
                    format!("<<<<<<< HEAD\n{original}=======\n{original}>>>>>>> other\n"),
                )
                .unwrap()
            },
            "migration.json does not parse",
        ),
        (
            "deleted snapshot.json",
            &|| std::fs::remove_file(&snapshot_json).unwrap(),
            "cannot read snapshot.json",
        ),
        (
            "empty snapshot.json",
            &|| std::fs::write(&snapshot_json, "").unwrap(),
            "snapshot.json does not parse",
        ),
    ];
    for (damage, inflict, reason) in damages {
        inflict();
        let failed = database(&project, &never_created_url, &["upgrade"])
            .expect_code(1)
            .contains(&format!("{folder_name} is corrupt: {reason}"))
            .contains("help: restore it from version control (git checkout -- ");
        assert!(
            failed.text.contains(&folder_name),
            "{damage}: {}",
            failed.text
        );
        assert!(!never_created.exists(), "{damage}: no database was created");
        std::fs::write(&migration_json, &original).unwrap();
        std::fs::write(&snapshot_json, &snapshot).unwrap();
    }

    // On a server too, upgrade stops before it creates even its bookkeeping tables.
    std::fs::remove_file(&snapshot_json).unwrap();
    each_backend_database(|db| {
        database(&project, db.url(), &["upgrade"])
            .expect_code(1)
            .contains("restore it from version control");
        assert_eq!(tables(&mut db.connect()), Vec::<String>::new());
    });
    std::fs::write(&snapshot_json, &snapshot).unwrap();
}

#[test]
fn unknown_revisions_are_refused_and_downgrading_past_the_base_stops_at_the_base() {
    let project = project_with_authors();
    each_backend_database(|db| {
        let url = db.url();
        for command in ["upgrade", "downgrade"] {
            database(&project, url, &[command, "--to", "nope"])
                .expect_code(1)
                .contains("unknown revision `nope`")
                .contains("run `cargo ff database history` to list them all");
        }
        let mut conn = db.connect();
        assert_eq!(
            tables(&mut conn),
            Vec::<String>::new(),
            "nothing was created, not even the bookkeeping tables"
        );

        database(&project, url, &["upgrade"]).ok();
        database(&project, url, &["upgrade", "--to", "nope"])
            .expect_code(1)
            .contains("unknown revision `nope`");
        database(&project, url, &["downgrade", "--to", "nope"])
            .expect_code(1)
            .contains("unknown revision `nope`");
        assert_eq!(
            recorded(&mut conn).len(),
            1,
            "the refusals reverted nothing"
        );

        // Without a terminal to ask, dropping `author` needs --accept-data-loss.
        database(&project, url, &["downgrade", "--steps", "5"])
            .expect_code(3)
            .contains("drops table `author`")
            .contains("--accept-data-loss");
        assert_eq!(recorded(&mut conn).len(), 1);
        // Five steps back with one migration applied reverts that one and stops at the base.
        database(
            &project,
            url,
            &["downgrade", "--steps", "5", "--accept-data-loss"],
        )
        .ok()
        .contains("Successfully reverted 1 migration.");
        assert!(recorded(&mut conn).is_empty());
        assert!(!tables(&mut conn).contains(&"author".to_owned()));
        for args in [
            vec!["downgrade"],
            vec!["downgrade", "--steps", "3"],
            vec!["downgrade", "base"],
        ] {
            database(&project, url, &args)
                .ok()
                .contains("There is nothing to revert");
        }
        database(&project, url, &["upgrade"]).ok();
        assert_eq!(recorded(&mut conn).len(), 1);
    });
}

#[test]
fn an_applied_migration_that_was_edited_is_reported_and_blocks_upgrade_and_downgrade() {
    let project = project_with_authors();
    let folder = project.migration_folders()[0].clone();
    let version = &name(&folder)[..14];
    let migration_json = folder.join("migration.json");
    let original = std::fs::read_to_string(&migration_json).unwrap();
    each_backend_database(|db| {
        let url = db.url();
        database(&project, url, &["upgrade"]).ok();
        let mut conn = db.connect();
        conn.batch_execute("INSERT INTO author (name) VALUES ('Ada')")
            .unwrap();

        std::fs::write(
            &migration_json,
            original.replace("\"authors\"", "\"writers\""),
        )
        .unwrap();
        database(&project, url, &["status"])
            .expect_code(4)
            .contains("CURRENT (EDITED)")
            .contains("was edited after it was applied: restore it from version control");
        database(&project, url, &["upgrade"])
            .expect_code(1)
            .contains(&format!(
                "migration {version} was edited after it was applied"
            ))
            .contains("help: restore the applied version from version control");
        database(&project, url, &["downgrade", "--accept-data-loss"])
            .expect_code(1)
            .contains("was edited after it was applied");
        std::fs::write(&migration_json, &original).unwrap();

        // Hand-written SQL added afterwards is an edit too.
        project.write(
            &format!("migrations/{}/up.sql", name(&folder)),
            "UPDATE author SET name = name",
        );
        database(&project, url, &["upgrade"])
            .expect_code(1)
            .contains("was edited after it was applied");
        std::fs::remove_file(folder.join("up.sql")).unwrap();

        database(&project, url, &["status"])
            .ok()
            .contains("The database is up to date");
        assert_eq!(row_count(&mut conn, "author"), 1, "nothing was lost");
    });
}

#[test]
fn divergent_migrations_are_explained_with_the_fix_by_every_command() {
    let project = project_with_authors();
    let first = project.migration_folders()[0].clone();
    let version: u64 = name(&first)[..14].parse().unwrap();
    // Another branch created its own first migration; both were merged.
    let twin_version = (version + 3).to_string();
    let twin = project
        .migrations()
        .join(format!("{twin_version}_other_branch"));
    std::fs::create_dir(&twin).unwrap();
    for file in ["migration.json", "snapshot.json"] {
        let text = std::fs::read_to_string(first.join(file)).unwrap();
        std::fs::write(
            twin.join(file),
            text.replace(&version.to_string(), &twin_version),
        )
        .unwrap();
    }
    let explained = |run: Run| {
        run.contains(&format!(
            "divergent migrations: {}, {twin_version}_other_branch all follow the base",
            name(&first)
        ))
        .contains(&format!("rm -r migrations/{twin_version}_other_branch"))
        .contains("cargo ff database create-migration");
    };
    let url = "sqlite://never-created.db";
    explained(database(&project, url, &["upgrade"]).expect_code(1));
    explained(database(&project, url, &["downgrade"]).expect_code(1));
    explained(database(&project, url, &["upgrade", "--sql", "--dialect", "sqlite"]).expect_code(1));
    explained(database(&project, url, &["status"]).expect_code(4));
    explained(
        project
            .cargo_ff(&["database", "create-migration", "--check"])
            .expect_code(1),
    );
    explained(
        project
            .cargo_ff(&["database", "create-migration", "-m", "more"])
            .expect_code(1),
    );
    assert_eq!(project.migration_folders().len(), 2, "nothing was written");
    assert!(!project.root().join("never-created.db").exists());

    // Following the help fixes it.
    std::fs::remove_dir_all(&twin).unwrap();
    project
        .cargo_ff(&["database", "create-migration", "--check"])
        .ok()
        .contains("No changes detected");
}

#[derive(diesel::QueryableByName)]
struct Backfilled {
    #[diesel(sql_type = Integer)]
    rating: i32,
    #[diesel(sql_type = Text)]
    nickname: String,
}

#[test]
fn not_null_columns_without_a_default_need_a_backfill_which_fills_existing_rows() {
    let project = project_with_authors();
    project.write_entities(AUTHOR_RATED);
    project
        .cargo_ff(&["database", "create-migration", "-m", "ratings"])
        .expect_code(1)
        .contains("these NOT NULL columns have no default")
        .contains("  author.rating\n")
        .contains("  author.nickname\n")
        .contains("--backfill author.rating=VALUE");
    assert_eq!(project.migration_folders().len(), 1, "nothing was written");
    // One backfill is not enough when two columns need one.
    project
        .cargo_ff(&[
            "database",
            "create-migration",
            "-m",
            "ratings",
            "--backfill",
            "author.rating=7",
        ])
        .expect_code(1)
        .contains("author.nickname");
    project
        .cargo_ff(&[
            "database",
            "create-migration",
            "-m",
            "ratings",
            "--backfill",
            "author.rating",
        ])
        .expect_code(1)
        .contains("write TABLE.COLUMN=VALUE");
    assert_eq!(project.migration_folders().len(), 1, "nothing was written");
    project
        .cargo_ff(&[
            "database",
            "create-migration",
            "-m",
            "ratings",
            "--backfill",
            "author.rating=7",
            "--backfill",
            "author.nickname=it's anon",
        ])
        .ok()
        .contains("+ column author.rating")
        .contains("+ column author.nickname");
    each_backend_database(|db| {
        let url = db.url();
        database(&project, url, &["upgrade", "--to", "+1"]).ok();
        let mut conn = db.connect();
        conn.batch_execute("INSERT INTO author (name) VALUES ('Ada'), ('Bob')")
            .unwrap();
        database(&project, url, &["upgrade"]).ok();
        let rows: Vec<Backfilled> = with_connection!(&mut conn, |c| diesel::sql_query(
            "SELECT rating, nickname FROM author ORDER BY id"
        )
        .load::<Backfilled>(c))
        .unwrap();
        let values: Vec<(i32, &str)> = rows
            .iter()
            .map(|row| (row.rating, row.nickname.as_str()))
            .collect();
        assert_eq!(values, [(7, "it's anon"), (7, "it's anon")]);
        // The backfill is for existing rows only: new rows must give a value.
        let without = conn.batch_execute("INSERT INTO author (name) VALUES ('Cy')");
        assert!(
            without.is_err(),
            "the columns stay NOT NULL without a default"
        );
    });
}

#[test]
fn upgrade_sql_needs_no_database_for_a_dialect_and_prints_only_pending_migrations() {
    let project = project_with_authors();
    project
        .cargo_ff(&["database", "create-migration", "--empty", "-m", "seed"])
        .ok()
        .contains("no operations: add up.sql and down.sql");
    let folders = project.migration_folders();
    let (authors, seed) = (name(&folders[0]), name(&folders[1]));
    project.write(
        &format!("migrations/{seed}/up.sql"),
        "INSERT INTO author (name) VALUES ('Ada')",
    );
    project.write(
        &format!("migrations/{seed}/down.sql"),
        "DELETE FROM author WHERE name = 'Ada'",
    );

    let bogus = "postgres://nobody:secret@127.0.0.1:1/none";
    database(
        &project,
        bogus,
        &["upgrade", "--sql", "--dialect", "postgres"],
    )
    .ok()
    .contains(&format!("-- upgrade {authors}"))
    .contains("CREATE TABLE \"author\"")
    .contains(&format!("-- upgrade {seed}"))
    .contains("INSERT INTO author (name) VALUES ('Ada');");
    database(&project, bogus, &["upgrade", "--sql", "--dialect", "mysql"])
        .ok()
        .contains("CREATE TABLE `author`");
    database(
        &project,
        bogus,
        &["upgrade", "--sql", "--dialect", "oracle"],
    )
    .expect_code(1)
    .contains("--dialect oracle: write one of sqlite, postgres, mysql");
    database(&project, bogus, &["upgrade", "--dialect", "postgres"])
        .expect_code(2)
        .contains("--sql");

    each_backend_database(|db| {
        let url = db.url();
        database(&project, url, &["upgrade", "--to", "+1"]).ok();
        let pending = database(&project, url, &["upgrade", "--sql"])
            .ok()
            .contains(&format!("-- upgrade {seed}"))
            .contains("INSERT INTO author");
        assert!(!pending.text.contains(&authors), "{}", pending.text);
        assert!(!pending.text.contains("CREATE TABLE"), "{}", pending.text);
        let mut conn = db.connect();
        assert_eq!(recorded(&mut conn).len(), 1, "--sql applied nothing");
        assert_eq!(row_count(&mut conn, "author"), 0);

        database(&project, url, &["upgrade"]).ok();
        let nothing = database(&project, url, &["upgrade", "--sql"]).ok();
        assert!(!nothing.text.contains("-- upgrade"), "{}", nothing.text);
        assert_eq!(row_count(&mut conn, "author"), 1);
    });
}

#[test]
fn clear_migration_needs_force_without_a_terminal_and_clear_metadata_is_rebuilt() {
    let project = project_with_authors();
    project
        .cargo_ff(&["database", "clear-migration"])
        .expect_code(3)
        .contains("not removing")
        .contains("confirm on a terminal, or pass --force");
    assert_eq!(project.migration_folders().len(), 1, "nothing was removed");
    project
        .cargo_ff(&["database", "clear-migration", "--force"])
        .ok()
        .contains("✓ Migrations cleared");
    assert!(project.migration_folders().is_empty());
    assert!(!project.migrations().exists());
    project
        .cargo_ff(&["database", "clear-migration"])
        .ok()
        .contains("Nothing to clear");

    // The cache entry of this project is rebuilt by the next command that reads entities.
    let cache = clear_metadata(&project);
    let target = &project.envs()[1].1;
    assert!(
        cache.starts_with(Path::new(target).join("ff/metadata")),
        "{}",
        cache.display()
    );
    assert!(!cache.exists(), "{} is gone", cache.display());
    project
        .cargo_ff(&["database", "create-migration", "-m", "again"])
        .ok()
        .contains("+ table author");
    assert!(cache.is_dir(), "the next command rebuilt it");
    assert_eq!(clear_metadata(&project), cache);
    assert!(!cache.exists(), "{} is gone", cache.display());
}

/// Runs `clear-metadata` and returns the directory it says it cleared.
fn clear_metadata(project: &TestProject) -> PathBuf {
    let cleared = project
        .cargo_ff(&["database", "clear-metadata"])
        .ok()
        .contains("The next command reads the entities again.");
    cleared
        .text
        .lines()
        .find_map(|line| line.strip_prefix("✓ Metadata cache cleared: "))
        .map(|dir| PathBuf::from(dir.trim()))
        .expect("the cache directory")
}

/// The location `copy` printed.
fn copied_to(run: &Run) -> String {
    run.text
        .lines()
        .find_map(|line| line.strip_prefix("✓ Database copied to "))
        .expect("the copy's location")
        .trim()
        .to_owned()
}

#[test]
fn copy_makes_a_checked_copy_next_to_the_database_and_leaves_nothing_behind() {
    let project = project_with_authors();
    each_backend_database(|db| {
        let url = db.url();
        database(&project, url, &["upgrade"]).ok();
        let mut conn = db.connect();
        conn.batch_execute("INSERT INTO author (name) VALUES ('Ada'), ('Bob'), ('Cy')")
            .unwrap();
        if db.backend() == Backend::Postgres {
            // PostgreSQL copies a database only while nobody is connected to it.
            database(&project, url, &["copy"])
                .expect_code(1)
                .contains("nobody else is connected");
            assert_no_copies_left(db);
        }
        drop(conn);

        let copied = database(&project, url, &["copy"])
            .ok()
            .contains("author: 3 row(s), checked")
            .contains("__diesel_schema_migrations: 1 row(s), checked");
        let target = copied_to(&copied);
        let copy_url = match db.backend() {
            Backend::Sqlite => {
                assert!(target.starts_with("backups/"), "{target}");
                let file = project.root().join(&target);
                assert!(file.is_file(), "{}", file.display());
                format!("sqlite://{}", file.display())
            }
            _ => {
                let source = ff_runtime::DatabaseUrl::parse(url).unwrap();
                let source_name = source.database_name().unwrap();
                assert!(
                    target.contains(&format!("/{source_name}_copy_")),
                    "{target}"
                );
                target.clone()
            }
        };
        let mut copy = Connection::establish(&copy_url).expect("the copy exists");
        assert_eq!(row_count(&mut copy, "author"), 3);
        assert_eq!(recorded(&mut copy).len(), 1, "the history was copied");
        drop(copy);
        // The copy is a database ff can work on.
        database(&project, &copy_url, &["status"])
            .ok()
            .contains("The database is up to date");
        assert_eq!(
            row_count(&mut db.connect(), "author"),
            3,
            "the source is intact"
        );

        if db.backend() != Backend::Sqlite {
            assert!(ff_runtime::database::drop_database(&copy_url).unwrap());
            assert_no_copies_left(db);
        }
    });
}

/// No `<name>_copy_…` database is left on the server of `db`.
fn assert_no_copies_left(db: &TestDatabase) {
    let source = ff_runtime::DatabaseUrl::parse(db.url()).unwrap();
    let prefix = format!("{}_copy_", source.database_name().unwrap());
    let sql = match db.backend() {
        Backend::Postgres => "SELECT datname::text AS name FROM pg_database",
        _ => "SELECT CAST(SCHEMA_NAME AS CHAR) AS name FROM information_schema.SCHEMATA",
    };
    let mut conn = db.connect();
    let left: Vec<String> = with_connection!(&mut conn, |c| diesel::sql_query(sql).load::<Name>(c))
        .unwrap()
        .into_iter()
        .map(|row| row.name)
        .filter(|name| name.starts_with(&prefix))
        .collect();
    assert!(left.is_empty(), "copies left behind: {left:?}");
}

/// `sqlite://` names no file; SQLite then opens a private temporary database, and upgrade
/// reports success for migrations that vanish when it exits.
#[test]
fn a_sqlite_url_without_a_path_is_refused() {
    let project = project_with_authors();
    for url in ["sqlite://", "sqlite:"] {
        database(&project, url, &["upgrade"])
            .expect_code(1)
            .contains("invalid database URL");
    }
}
