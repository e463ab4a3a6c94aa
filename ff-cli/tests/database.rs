//! `cargo ff database create | drop` through the real binary, on every backend.

use std::process::{Command, Output, Stdio};

use ff_runtime::database::database_exists;
use ff_runtime::{Backend, DatabaseUrl};
use ff_tests::backends::each_backend_database;

fn cargo_ff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-ff"))
        .arg("ff")
        .args(args)
        .stdin(Stdio::null())
        .env_remove("DATABASE_URL")
        .output()
        .expect("run cargo-ff")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A URL for a database next to the test's own, which the test creates and drops itself.
fn sibling_url(url: &str, backend: Backend) -> String {
    let parsed = DatabaseUrl::parse(url).unwrap();
    match backend {
        Backend::Sqlite => format!("{url}-cli.db"),
        _ => {
            let name = format!("{}_cli", parsed.database_name().unwrap());
            parsed.with_database(&name).unwrap()
        }
    }
}

#[test]
fn database_create_and_drop_manage_the_database_of_the_url() {
    each_backend_database(|database| {
        drop(database.connect()); // an SQLite file exists once connected to
        let url = sibling_url(database.url(), database.backend());
        let created = cargo_ff(&["database", "create", "--url", &url]);
        assert_eq!(created.status.code(), Some(0), "{}", text(&created));
        assert!(
            text(&created).contains("✓ Database created"),
            "{}",
            text(&created)
        );
        assert!(database_exists(&url).unwrap());

        let again = cargo_ff(&["database:create", "--url", &url]);
        assert_eq!(again.status.code(), Some(0), "{}", text(&again));
        assert!(
            text(&again).contains("Database already exists"),
            "{}",
            text(&again)
        );

        let refused = cargo_ff(&["database:drop", "--url", &url]);
        assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
        assert!(text(&refused).contains("confirm on a terminal, or pass --force"));
        assert!(
            database_exists(&url).unwrap(),
            "a refused drop keeps the database"
        );

        let dropped = cargo_ff(&["database", "drop", "--force", "--url", &url]);
        assert_eq!(dropped.status.code(), Some(0), "{}", text(&dropped));
        assert!(text(&dropped).contains("✓ Database dropped"));
        assert!(!database_exists(&url).unwrap());
        // The test's own database is untouched.
        assert!(database_exists(database.url()).unwrap());
    });
}

#[test]
fn database_commands_explain_a_bad_url_without_printing_the_password() {
    let output = cargo_ff(&[
        "database",
        "create",
        "--url",
        "postgres://app:s3cret@127.0.0.1:1/shop",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let message = text(&output);
    assert!(
        message.starts_with("error: cannot connect to postgres://app:***@127.0.0.1:1"),
        "{message}"
    );
    assert!(!message.contains("s3cret"), "{message}");

    let no_url = cargo_ff(&["database", "create"]);
    assert_eq!(no_url.status.code(), Some(1));
    assert!(
        text(&no_url).contains("DATABASE_URL is not set"),
        "{}",
        text(&no_url)
    );

    let usage = cargo_ff(&["database", "explode"]);
    assert_eq!(usage.status.code(), Some(2));
}
