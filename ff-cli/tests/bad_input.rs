//! Every bad input gets a clear error naming the problem and the fix, and loses nothing:
//! URLs, damaged or edited migrations, unknown revisions, divergent branches, a NOT NULL
//! column without a value for existing rows.

use std::path::PathBuf;

use diesel::RunQueryDsl;
use diesel::sql_types::Integer;
use ff_runtime::Backend;
use ff_runtime::migration::History;
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

const AUTHOR_RATED: &str = r#"
use ff_runtime::prelude::*;

#[derive(Debug, Clone, Entity)]
pub struct Author {
    pub id: i64,
    #[ff(length = 80)]
    pub name: String,
    pub rating: i32,
}
"#;

fn project(entities: &str) -> TestProject {
    TestProject::new(
        env!("CARGO_BIN_EXE_cargo-ff"),
        "sqlite://unused.db",
        entities,
    )
}

/// `cargo ff database <args> --url <url>` in the project.
fn with_url(project: &TestProject, url: &str, args: &[&str]) -> Run {
    let mut all = vec!["database"];
    all.extend(args);
    all.extend(["--url", url]);
    run(&project.command(&all).output().expect("run cargo-ff"))
}

/// A project with one migration creating `author`.
fn project_with_one_migration() -> TestProject {
    let project = project(AUTHOR);
    project
        .cargo_ff(&["database", "create-migration", "-m", "authors"])
        .ok();
    project
}

/// A project with two migrations: `author`, then `tag`.
fn project_with_two_migrations() -> TestProject {
    let project = project_with_one_migration();
    project.write_entities(&format!(
        "{AUTHOR}\n#[derive(Debug, Clone, Entity)]\npub struct Tag {{ pub id: i32, pub label: String }}\n"
    ));
    project
        .cargo_ff(&["database", "create-migration", "-m", "tags"])
        .ok();
    project
}

#[test]
fn malformed_and_unreachable_urls_are_named_with_the_password_hidden() {
    let project = project(AUTHOR);
    with_url(&project, "foo://x", &["upgrade"])
        .expect_code(1)
        .contains("invalid database URL `foo://x`");
    with_url(&project, "postgres://", &["upgrade"])
        .expect_code(1)
        .contains("invalid database URL");
    for command in ["upgrade", "status"] {
        let down = with_url(
            &project,
            "postgres://app:secret@127.0.0.1:1/shop",
            &[command],
        );
        assert_ne!(down.code, Some(0), "{}", down.text);
        let down = down.contains("cannot connect to postgres://app:***@127.0.0.1:1/");
        assert!(!down.text.contains("secret"), "{}", down.text);
    }
}

#[test]
fn damaged_migration_folders_stop_upgrade_before_it_touches_the_database() {
    let project = project_with_two_migrations();
    let folders = project.migration_folders();
    let database = std::env::temp_dir().join(format!("ff-bad-input-{}.db", std::process::id()));
    let url = format!("sqlite://{}", database.display());

    let migration_json = folders[1].join("migration.json");
    let original = std::fs::read_to_string(&migration_json).unwrap();
    std::fs::write(&migration_json, &original[..original.len() / 2]).unwrap();
    with_url(&project, &url, &["upgrade"])
        .expect_code(1)
        .contains("is corrupt: migration.json does not parse")
        .contains("restore it from version control");
    assert!(!database.exists(), "nothing was created");
    std::fs::write(&migration_json, &original).unwrap();

    let snapshot = folders[1].join("snapshot.json");
    let kept = std::fs::read_to_string(&snapshot).unwrap();
    std::fs::remove_file(&snapshot).unwrap();
    with_url(&project, &url, &["upgrade"])
        .expect_code(1)
        .contains("cannot read snapshot.json");
    std::fs::write(&snapshot, kept).unwrap();

    let first = folders[0].clone();
    let aside: PathBuf = project.root().join("aside");
    std::fs::rename(&first, &aside).unwrap();
    with_url(&project, &url, &["upgrade"])
        .expect_code(1)
        .contains("which is not in the migrations directory");
    std::fs::rename(&aside, &first).unwrap();

    with_url(&project, &url, &["upgrade"]).ok();
    let _ = std::fs::remove_file(&database);
}

#[test]
fn divergent_migrations_are_explained_by_every_command() {
    let project = project_with_two_migrations();
    // A second branch added its own migration after the first one, then both were merged.
    let second = &project.migration_folders()[1];
    let history = History::load(&project.migrations()).unwrap();
    let version: u64 = history.migrations[1].version().parse().unwrap();
    let twin = project
        .migrations()
        .join(format!("{}_other_branch", version + 7));
    std::fs::create_dir(&twin).unwrap();
    for file in ["migration.json", "snapshot.json"] {
        let text = std::fs::read_to_string(second.join(file)).unwrap();
        std::fs::write(
            twin.join(file),
            text.replace(&version.to_string(), &(version + 7).to_string()),
        )
        .unwrap();
    }
    for args in [
        vec!["database", "upgrade"],
        vec!["database", "create-migration", "--check"],
    ] {
        project
            .cargo_ff(&args)
            .expect_code(1)
            .contains("divergent migrations")
            .contains("create-migration");
    }
    project
        .cargo_ff(&["database", "status"])
        .expect_code(4)
        .contains("divergent migrations");
}

#[test]
fn unknown_revisions_edited_migrations_and_downgrades_past_the_base() {
    let project = project_with_one_migration();
    let migration_json = project.migration_folders()[0].join("migration.json");
    let original = std::fs::read_to_string(&migration_json).unwrap();
    each_backend_database(|database| {
        let url = database.url();
        with_url(&project, url, &["upgrade", "--to", "nope"])
            .expect_code(1)
            .contains("unknown revision `nope`");
        with_url(&project, url, &["upgrade"]).ok();
        with_url(&project, url, &["downgrade", "--to", "nope"])
            .expect_code(1)
            .contains("unknown revision `nope`");

        std::fs::write(&migration_json, original.replace("authors", "writers")).unwrap();
        with_url(&project, url, &["status"])
            .expect_code(4)
            .contains("EDITED")
            .contains("edited after it was applied");
        with_url(&project, url, &["upgrade"])
            .expect_code(1)
            .contains("was edited after it was applied")
            .contains("restore the applied version");
        std::fs::write(&migration_json, &original).unwrap();

        with_url(
            &project,
            url,
            &["downgrade", "--steps", "5", "--accept-data-loss"],
        )
        .ok()
        .contains("Successfully reverted 1 migration.");
        with_url(&project, url, &["downgrade", "--accept-data-loss"])
            .ok()
            .contains("nothing to revert");
    });
}

#[derive(diesel::QueryableByName)]
struct Rating {
    #[diesel(sql_type = Integer)]
    rating: i32,
}

#[test]
fn a_not_null_column_without_default_needs_a_value_for_existing_rows() {
    let project = project_with_one_migration();
    project.write_entities(AUTHOR_RATED);
    project
        .cargo_ff(&["database", "create-migration", "-m", "ratings"])
        .expect_code(1)
        .contains("author.rating")
        .contains("--backfill author.rating=VALUE");
    assert_eq!(project.migration_folders().len(), 1, "nothing was written");
    project
        .cargo_ff(&[
            "database",
            "create-migration",
            "-m",
            "ratings",
            "--backfill",
            "author.rating=5",
        ])
        .ok()
        .contains("(existing rows: 5)");
    each_backend_database(|database| {
        let url = database.url();
        with_url(&project, url, &["upgrade", "--to", "+1"]).ok();
        let mut conn = database.connect();
        conn.batch_execute("INSERT INTO author (name) VALUES ('Ada'), ('Bob')")
            .unwrap();
        with_url(&project, url, &["upgrade"]).ok();
        let ratings: Vec<Rating> = ff_runtime::with_connection!(&mut conn, |c| {
            diesel::sql_query("SELECT rating FROM author").load::<Rating>(c)
        })
        .unwrap();
        assert_eq!(ratings.iter().map(|r| r.rating).collect::<Vec<_>>(), [5, 5]);
    });
}

#[test]
fn sql_is_printed_for_any_dialect_without_a_database() {
    let project = project_with_one_migration();
    with_url(
        &project,
        "postgres://nobody@127.0.0.1:1/none",
        &["upgrade", "--sql", "--dialect", "postgres"],
    )
    .ok()
    .contains("CREATE TABLE \"author\"")
    .contains("GENERATED BY DEFAULT AS IDENTITY");
    with_url(
        &project,
        "sqlite://unused.db",
        &["upgrade", "--sql", "--dialect", "mysql"],
    )
    .ok()
    .contains("CREATE TABLE `author`");
    with_url(
        &project,
        "sqlite://unused.db",
        &["upgrade", "--sql", "--dialect", "oracle"],
    )
    .expect_code(1)
    .contains("write one of sqlite, postgres, mysql");
    each_backend_database(|database| {
        let url = database.url();
        with_url(&project, url, &["upgrade", "--sql"])
            .ok()
            .contains("-- upgrade");
        with_url(&project, url, &["upgrade"]).ok();
        let pending = with_url(&project, url, &["upgrade", "--sql"]).ok();
        assert!(!pending.text.contains("CREATE TABLE"), "{}", pending.text);
        with_url(&project, url, &["downgrade", "--sql"])
            .ok()
            .contains("DROP TABLE");
    });
}

#[test]
fn clearing_migrations_needs_consent_and_clearing_metadata_is_rebuilt() {
    let project = project_with_one_migration();
    project
        .cargo_ff(&["database", "clear-migration"])
        .expect_code(3)
        .contains("--force");
    assert_eq!(project.migration_folders().len(), 1);
    project
        .cargo_ff(&["database", "clear-migration", "--force"])
        .ok();
    assert!(project.migration_folders().is_empty());

    project
        .cargo_ff(&["database", "clear-metadata"])
        .ok()
        .contains("Metadata cache cleared");
    project
        .cargo_ff(&["database", "create-migration", "-m", "again"])
        .ok()
        .contains("+ table author");
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[test]
fn copy_makes_a_checked_copy_and_never_overwrites() {
    let project = project_with_one_migration();
    each_backend_database(|database| {
        let url = database.url();
        with_url(&project, url, &["upgrade"]).ok();
        let mut conn = database.connect();
        conn.batch_execute("INSERT INTO author (name) VALUES ('Ada'), ('Bob'), ('Cy')")
            .unwrap();
        // PostgreSQL copies a database only while nobody is connected to it.
        drop(conn);
        let copied = with_url(&project, url, &["copy"])
            .ok()
            .contains("author: 3 row(s), checked");
        let target = copied
            .text
            .lines()
            .find_map(|line| line.strip_prefix("✓ Database copied to "))
            .expect("the copy's location")
            .trim()
            .to_owned();
        let copy_url = match database.backend() {
            Backend::Sqlite => format!("sqlite://{}", project.root().join(&target).display()),
            _ => target.clone(),
        };
        let mut copy = ff_runtime::Connection::establish(&copy_url).unwrap();
        let count: Count = ff_runtime::with_connection!(&mut copy, |c| {
            diesel::sql_query("SELECT COUNT(*) AS n FROM author").get_result::<Count>(c)
        })
        .unwrap();
        assert_eq!(count.n, 3);
        drop(copy);
        let again = match database.backend() {
            Backend::Sqlite => project.root().join(&target).display().to_string(),
            _ => ff_runtime::DatabaseUrl::parse(&copy_url)
                .unwrap()
                .database_name()
                .unwrap()
                .to_owned(),
        };
        with_url(&project, url, &["copy", "--to", &again])
            .expect_code(1)
            .contains("already exists");
        if database.backend() != Backend::Sqlite {
            ff_runtime::database::drop_database(&copy_url).unwrap();
        }
    });
}

/// Runs `cargo ff database <args> --url <url>` on a pseudo-terminal (util-linux `script`),
/// typing `answer` at its prompt.
fn on_terminal(project: &TestProject, url: &str, args: &[&str], answer: &str) -> Run {
    let mut command = vec![
        env!("CARGO_BIN_EXE_cargo-ff").to_owned(),
        "ff".into(),
        "database".into(),
    ];
    command.extend(args.iter().map(|a| a.to_string()));
    command.extend(["--url".into(), url.to_owned()]);
    let line = command
        .iter()
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = std::process::Command::new("script")
        .envs(project.envs())
        .args(["-qec", &line, "/dev/null"])
        .current_dir(project.root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run script(1) from util-linux");
    let mut stdin = child.stdin.take().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    std::io::Write::write_all(&mut stdin, format!("{answer}\n").as_bytes()).unwrap();
    drop(stdin);
    run(&child.wait_with_output().unwrap())
}

#[test]
fn destructive_steps_are_asked_about_on_a_terminal() {
    let project = project_with_one_migration();
    project.write_entities("");
    project
        .cargo_ff(&["database", "create-migration", "-m", "drop authors"])
        .ok()
        .contains("- table author");
    each_backend_database(|database| {
        let url = database.url();
        with_url(&project, url, &["upgrade", "--to", "+1"]).ok();
        on_terminal(&project, url, &["upgrade"], "n")
            .expect_code(3)
            .contains("Run them? [y/N]")
            .contains("refusing to run destructive steps");
        with_url(&project, url, &["status"]).contains("PENDING");
        on_terminal(&project, url, &["upgrade"], "y")
            .ok()
            .contains("Migrations applied successfully.");
    });
}
