//! Objects ff does not manage, through the real `cargo ff` binary on every backend: names
//! listed in `ignore` of ff.toml, and objects a migration's own up.sql creates, are left out of
//! the drift check of `status`; anything else made by hand is still drift.

use ff_runtime::Backend;
use ff_tests::backends::{TestDatabase, each_backend_database};
use ff_tests::project::TestProject;

const NOTE: &str = r#"
use ff_runtime::prelude::*;

#[derive(Debug, Clone, Entity)]
pub struct Note {
    pub id: i64,
    #[ff(length = 100)]
    pub title: String,
    pub active: bool,
}
"#;

/// A project whose one migration, with `up_sql` as its up.sql, is applied.
fn project(database: &TestDatabase, up_sql: &str) -> TestProject {
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), database.url(), NOTE);
    project
        .cargo_ff(&["database", "create-migration", "-m", "notes"])
        .ok();
    let up = project.migration_folders()[0].join("up.sql");
    std::fs::write(up, up_sql).unwrap();
    project.cargo_ff(&["database", "upgrade"]).ok();
    project.cargo_ff(&["database", "status"]).ok();
    project
}

/// `name` quoted for `backend`.
fn quote(backend: Backend, name: &str) -> String {
    match backend {
        Backend::Mysql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    }
}

#[test]
fn status_skips_the_names_listed_in_ignore_and_still_reports_the_others() {
    each_backend_database(|database| {
        let backend = database.backend();
        let project = project(database, "");
        let mut conn = database.connect();
        let q = |name: &str| quote(backend, name);
        // An index named by a reserved word, a unique index with a unicode name, a table and
        // a view, all made by hand; and on the servers a check constraint on ff's table.
        let mut sql = format!(
            "CREATE INDEX {select} ON note (title);
             CREATE UNIQUE INDEX {unicode} ON note (title, active);
             CREATE TABLE {audit} (id INTEGER PRIMARY KEY);
             CREATE VIEW {view} AS SELECT id, title FROM note;",
            select = q("select"),
            unicode = q("uq_note_ünïcode"),
            audit = q("audit_log"),
            view = q("active_notes"),
        );
        if backend != Backend::Sqlite {
            sql.push_str(&format!(
                "ALTER TABLE note ADD CONSTRAINT {} CHECK (title <> '');",
                q("ck_note_id")
            ));
        }
        conn.batch_execute(&sql).unwrap();

        let drift = project
            .cargo_ff(&["database", "status"])
            .expect_code(4)
            .contains("the live database differs from migration")
            .contains("select")
            .contains("uq_note_ünïcode")
            .contains("audit_log")
            .contains("`ignore` of ff.toml");
        // Views are not read: they are never drift.
        assert!(!drift.text.contains("active_notes"), "{}", drift.text);
        if backend != Backend::Sqlite {
            assert!(drift.text.contains("ck_note_id"), "{}", drift.text);
        }

        project.write(
            "ff.toml",
            r#"ignore = ["select", "uq_note_ünïcode", "audit_log", "ck_note_id"]"#,
        );
        project
            .cargo_ff(&["database", "status"])
            .ok()
            .contains("The database is up to date");

        // An object not listed is still drift, and only it is reported.
        conn.batch_execute(&format!(
            "CREATE INDEX {} ON note (active)",
            q("ix_by_hand")
        ))
        .unwrap();
        let drift = project
            .cargo_ff(&["database", "status"])
            .expect_code(4)
            .contains("index note.ix_by_hand: not expected")
            .contains("1 difference(s)");
        assert!(!drift.text.contains("audit_log"), "{}", drift.text);
    });
}

/// ff.toml is read before any database is opened: one backend is enough.
#[test]
fn an_empty_name_in_ignore_is_refused_with_the_fix() {
    let database = TestDatabase::create(Backend::Sqlite).unwrap();
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), database.url(), NOTE);
    project.write("ff.toml", r#"ignore = ["audit_log", " "]"#);
    project
        .cargo_ff(&["database", "status"])
        .expect_code(1)
        .contains("`ignore` lists an empty name: remove it");
}

#[test]
fn what_the_up_sql_of_an_applied_migration_creates_is_expected() {
    each_backend_database(|database| {
        let backend = database.backend();
        let q = |name: &str| quote(backend, name);
        // An unquoted mixed-case name (PostgreSQL folds it), a quoted unicode one, a table, a
        // view, and on the servers a check constraint on ff's table.
        let mut up_sql = format!(
            "-- search support, made by hand
             CREATE INDEX Ix_Note_Title ON note (title);
             CREATE UNIQUE INDEX {unicode} ON note (title, active);
             CREATE TABLE {audit} (id INTEGER PRIMARY KEY, note TEXT);
             CREATE VIEW active_notes AS SELECT id, title FROM note;
            ",
            unicode = q("uq_note_ünïcode"),
            audit = q("audit log"),
        );
        if backend != Backend::Sqlite {
            up_sql.push_str("ALTER TABLE note ADD CONSTRAINT ck_note_title CHECK (title <> '');");
        }
        let project = project(database, &up_sql);
        project
            .cargo_ff(&["database", "status"])
            .ok()
            .contains("The database is up to date");

        // The same kind of object made by hand, outside any migration, is drift.
        let mut conn = database.connect();
        conn.batch_execute(&format!(
            "CREATE INDEX {} ON note (active)",
            q("ix_by_hand")
        ))
        .unwrap();
        project
            .cargo_ff(&["database", "status"])
            .expect_code(4)
            .contains("index note.ix_by_hand: not expected")
            .contains("1 difference(s)");
    });
}

/// `upgrade --baseline` compares the tables with the first migration: a listed name is left
/// out there too.
#[test]
fn upgrade_baseline_skips_the_names_listed_in_ignore() {
    each_backend_database(|database| {
        let backend = database.backend();
        let project = project(database, "");
        let mut conn = database.connect();
        conn.batch_execute(&format!(
            "CREATE INDEX {} ON note (title)",
            quote(backend, "ix_nöte_select")
        ))
        .unwrap();
        project
            .cargo_ff(&["database:clear-migration", "--force"])
            .ok();
        project
            .cargo_ff(&["database", "create-migration", "-m", "initial"])
            .ok();
        project
            .cargo_ff(&["database", "upgrade", "--baseline"])
            .expect_code(1)
            .contains("index note.ix_nöte_select: not expected")
            .contains("`ignore` of ff.toml");

        project.write("ff.toml", r#"ignore = ["ix_nöte_select"]"#);
        project
            .cargo_ff(&["database", "upgrade", "--baseline"])
            .ok()
            .contains("recorded as applied");
        project
            .cargo_ff(&["database", "status"])
            .ok()
            .contains("The database is up to date");
    });
}
