//! Migrations compiled into the binary with `embed_migrations!` and applied with `run_pending`
//! do what `cargo ff database upgrade` does with the same folder, on every backend: the same
//! history rows and checksums, the same schema; an applied migration edited since, or one the
//! binary does not have, is refused with the command line's error and nothing is applied; a
//! migration that stopped halfway on MySQL is resumed.
//!
//! The fixture, `tests/migrations/`, was written by `cargo ff database create-migration`.

use std::path::{Path, PathBuf};

use ff_runtime::introspect::{compare, expected_live, live_schema};
use ff_runtime::migration::{
    self, Applied, EmbeddedMigrations, History, MigrationDir, MigrationError, MigrationFile,
    UpgradeTarget,
};
use ff_runtime::prelude::*;
use ff_tests::backends::{TestDatabase, each_backend_database, scratch_dir};
use ff_tests::project::{AUTHOR, TestProject};

const MIGRATIONS: EmbeddedMigrations = ff_runtime::embed_migrations!("../tests/migrations");

const AUTHORS: &str = "20261202044610_authors";
const BOOKS: &str = "20261202044614_books";

/// The fixture on disk.
fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/migrations")
}

/// A copy of the fixture's migration folders in a fresh directory.
fn copy_of_fixture(into: &Path) {
    for folder in [AUTHORS, BOOKS] {
        let target = into.join(folder);
        std::fs::create_dir_all(&target).expect("create the copy");
        for file in std::fs::read_dir(fixture().join(folder)).expect("read the fixture") {
            let file = file.expect("read the fixture").path();
            std::fs::copy(&file, target.join(file.file_name().expect("a file name")))
                .expect("copy the fixture");
        }
    }
}

/// The fixture's first table.
#[derive(Debug, Clone, Entity)]
struct Author {
    id: i64,
    #[ff(length = 80)]
    name: String,
}

/// A scratch directory of its own (each test gives its own label).
fn scratch(label: &str) -> PathBuf {
    let directory = scratch_dir().join(format!("{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).expect("create a scratch directory");
    directory
}

/// Applies `history` with the engine, up to `target`.
fn apply(conn: &mut Connection, history: &History, target: UpgradeTarget) {
    migration::upgrade(conn, history, &target, false, |_| ()).expect("apply with the engine");
}

fn author_names(conn: &mut Connection) -> Vec<String> {
    RawQuery::<Author>::new("SELECT * FROM author ORDER BY id")
        .load(conn)
        .expect("read the authors")
        .into_iter()
        .map(|author| author.name)
        .collect()
}

#[test]
fn embedded_migrations_read_as_the_directory_does() {
    let embedded = MIGRATIONS.history().expect("the embedded migrations read");
    let on_disk = History::load(&fixture()).expect("the fixture reads");
    let summary = |history: &History| -> Vec<(String, String, Vec<String>)> {
        history
            .migrations
            .iter()
            .map(|m| {
                (
                    m.name(),
                    m.checksum.clone(),
                    m.sql.keys().cloned().collect(),
                )
            })
            .collect()
    };
    assert_eq!(summary(&embedded), summary(&on_disk));
    assert_eq!(
        summary(&embedded)[1].2,
        ["down.sql", "up.sql"],
        "hand-written SQL is embedded"
    );
    assert_eq!(MIGRATIONS.list().expect("list"), [AUTHORS, BOOKS]);
    assert_eq!(
        embedded.migrations[1].path,
        Path::new("../tests/migrations").join(BOOKS),
        "messages name the folder as the macro was given it"
    );
}

#[test]
fn run_pending_async_applies_the_same_migrations_from_async_code() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    each_backend_database(|database| {
        let applied = runtime.block_on(async {
            let mut conn = ff_runtime::AsyncConnection::establish(database.url())
                .await
                .expect("connect");
            let applied = MIGRATIONS
                .run_pending_async(&mut conn)
                .await
                .expect("run_pending_async");
            assert_eq!(
                MIGRATIONS
                    .run_pending_async(&mut conn)
                    .await
                    .expect("again"),
                []
            );
            let names: Vec<String> = RawQuery::<Author>::new("SELECT * FROM author ORDER BY id")
                .load(&mut conn)
                .await
                .expect("the async connection reads the new table")
                .into_iter()
                .map(|author| author.name)
                .collect();
            assert_eq!(names, ["Zoë Ørsted 書店"]);
            applied
        });
        let versions: Vec<&str> = applied.iter().map(|a| a.version.as_str()).collect();
        assert_eq!(versions, [&AUTHORS[..14], &BOOKS[..14]]);
        let mut conn = database.connect();
        assert_eq!(
            migration::applied(&mut conn).expect("read the history"),
            applied
        );
    });
    // An in-memory SQLite database is migrated on the connection itself.
    runtime.block_on(async {
        let mut conn = ff_runtime::AsyncConnection::establish("sqlite://:memory:")
            .await
            .expect("connect");
        MIGRATIONS
            .run_pending_async(&mut conn)
            .await
            .expect("run_pending_async");
        let written = RawQuery::<Author>::new("INSERT INTO author (name) VALUES (?)")
            .bind("Ada")
            .execute(&mut conn)
            .await
            .expect("the table is there");
        assert_eq!(written, 1);
    });
}

#[test]
fn run_pending_applies_what_upgrade_records_and_then_nothing() {
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), "sqlite://unused.db", AUTHOR);
    copy_of_fixture(&project.migrations());
    each_backend_database(|database| {
        let mut conn = database.connect();
        let nothing = EmbeddedMigrations::new("migrations", &[]);
        assert_eq!(nothing.run_pending(&mut conn).expect("an empty set"), []);
        assert_eq!(
            MIGRATIONS.pending(&mut conn).expect("pending"),
            [AUTHORS, BOOKS]
        );

        let applied = MIGRATIONS.run_pending(&mut conn).expect("run_pending");
        let versions: Vec<&str> = applied.iter().map(|a| a.version.as_str()).collect();
        assert_eq!(versions, [&AUTHORS[..14], &BOOKS[..14]]);
        assert_eq!(MIGRATIONS.run_pending(&mut conn).expect("again"), []);
        assert!(MIGRATIONS.pending(&mut conn).expect("pending").is_empty());
        assert_eq!(author_names(&mut conn), ["Zoë Ørsted 書店"], "up.sql ran");

        // The same folder applied by the command line to a database of its own.
        let cli_database = TestDatabase::create(database.backend()).expect("a second database");
        project
            .cargo_ff(&["database", "upgrade", "--url", cli_database.url()])
            .ok()
            .contains(BOOKS);
        let mut cli = cli_database.connect();
        let recorded = migration::applied(&mut cli).expect("read the history");
        assert_eq!(applied, recorded, "the same rows and checksums");
        assert_eq!(migration::applied(&mut conn).expect("read"), recorded);

        let live = live_schema(&mut conn).expect("introspect");
        let cli_live = live_schema(&mut cli).expect("introspect");
        let head = History::load(&fixture()).expect("load").head_schema();
        let expected = expected_live(&head, database.backend());
        assert!(compare(&expected, &live).is_empty(), "{live:#?}");
        assert!(compare(&cli_live, &live).is_empty());
        assert!(compare(&live, &cli_live).is_empty());
    });
}

#[test]
fn an_applied_migration_edited_since_is_refused_as_on_the_command_line() {
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), "sqlite://unused.db", AUTHOR);
    copy_of_fixture(&project.migrations());
    // The first migration as it was applied: with an up.sql the binary's copy lacks.
    let edited = scratch("embedded-edited");
    copy_of_fixture(&edited);
    std::fs::write(
        edited.join(AUTHORS).join("up.sql"),
        "UPDATE author SET name = name",
    )
    .expect("edit the copy");
    let edited_history = History::load(&edited).expect("load the edited copy");
    each_backend_database(|database| {
        let mut conn = database.connect();
        apply(&mut conn, &edited_history, UpgradeTarget::Steps(1));
        let before = migration::applied(&mut conn).expect("read the history");

        let error = MIGRATIONS.run_pending(&mut conn).unwrap_err();
        let MigrationError::Edited { version, .. } = &error else {
            panic!("expected the edited-migration error, got {error}");
        };
        assert_eq!(version, &AUTHORS[..14]);
        assert!(matches!(
            MIGRATIONS.pending(&mut conn),
            Err(MigrationError::Edited { .. })
        ));
        // Exactly what the command line says, and nothing applied.
        project
            .cargo_ff(&["database", "upgrade", "--url", database.url()])
            .expect_code(1)
            .contains(&error.to_string());
        assert_eq!(migration::applied(&mut conn).expect("read"), before);
        let live = live_schema(&mut conn).expect("introspect");
        assert!(
            !live.tables.keys().any(|name| name.starts_with("book_with")),
            "the second migration did not run: {:?}",
            live.tables.keys()
        );
    });
    std::fs::remove_dir_all(edited).expect("remove the copy");
}

#[test]
fn a_database_ahead_of_the_binary_is_reported() {
    // The fixture and a later migration, applied by a newer build of the application.
    let newer = scratch("embedded-newer");
    copy_of_fixture(&newer);
    let history = History::load(&newer).expect("load");
    let later = MigrationFile {
        version: "20261202050000".into(),
        message: "later".into(),
        parent: Some(BOOKS[..14].into()),
        operations: Vec::new(),
        reverse: Vec::new(),
        data_loss: Vec::new(),
    };
    MigrationDir::write(&newer, &later, &history.head_schema()).expect("write the later one");
    let newer_history = History::load(&newer).expect("load the newer history");
    each_backend_database(|database| {
        let mut conn = database.connect();
        apply(&mut conn, &newer_history, UpgradeTarget::Head);
        let before: Vec<Applied> = migration::applied(&mut conn).expect("read the history");
        assert_eq!(before.len(), 3);

        let error = MIGRATIONS.run_pending(&mut conn).unwrap_err();
        assert!(
            matches!(&error, MigrationError::UnknownApplied(version) if version == "20261202050000"),
            "{error}"
        );
        assert!(
            error
                .to_string()
                .contains("has migration 20261202050000 applied"),
            "{error}"
        );
        assert!(MIGRATIONS.pending(&mut conn).is_err());
        assert_eq!(migration::applied(&mut conn).expect("read"), before);
    });
    std::fs::remove_dir_all(newer).expect("remove the copy");
}

/// A run that stopped halfway (here its last statement fails on a row in the way) is resumed
/// by `run_pending` after the statements that completed on MySQL, as `upgrade` resumes it;
/// elsewhere nothing of it remained, and it runs whole.
#[test]
fn run_pending_resumes_a_migration_that_stopped_halfway() {
    each_backend_database(|database| {
        let backend = database.backend();
        let mut conn = database.connect();
        let history = MIGRATIONS.history().expect("read the migrations");
        apply(&mut conn, &history, UpgradeTarget::Steps(1));
        conn.batch_execute("INSERT INTO author (id, name) VALUES (1, 'in the way')")
            .unwrap();
        let error = MIGRATIONS.run_pending(&mut conn).unwrap_err();
        let total = migration::up_statements(&history, 1, backend)
            .expect("render")
            .len();
        let MigrationError::StepFailed { step, .. } = error else {
            panic!("expected the last statement to fail, got {error}");
        };
        assert_eq!(step, total);
        let partial = migration::interrupted(&mut conn).expect("read the progress");
        let stopped = partial.map(|p| (p.version, p.statements_done));
        if backend == ff_runtime::Backend::Mysql {
            assert_eq!(stopped, Some((BOOKS[..14].to_owned(), total - 1)));
        } else {
            assert_eq!(stopped, None);
        }

        // The cause fixed, the rest runs: on MySQL, re-creating the table would fail.
        conn.batch_execute("DELETE FROM author WHERE id = 1")
            .unwrap();
        let applied = MIGRATIONS.run_pending(&mut conn).expect("resume");
        let versions: Vec<&str> = applied.iter().map(|a| a.version.as_str()).collect();
        assert_eq!(versions, [&BOOKS[..14]]);
        assert_eq!(migration::interrupted(&mut conn).expect("read"), None);
        assert_eq!(author_names(&mut conn), ["Zoë Ørsted 書店"]);
        let live = live_schema(&mut conn).expect("introspect");
        let expected = expected_live(&history.head_schema(), backend);
        assert!(compare(&expected, &live).is_empty(), "{live:#?}");
    });
}
