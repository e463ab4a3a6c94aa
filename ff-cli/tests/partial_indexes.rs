//! Partial indexes through the real `cargo ff` binary, on every backend: PostgreSQL and SQLite
//! create them with their condition, read it back without reporting drift, and recreate an
//! index whose condition changes; MySQL/MariaDB, without partial indexes, index every row and
//! refuse a unique partial index by name.

use ff_runtime::Backend;
use ff_runtime::introspect::live_schema;
use ff_tests::backends::{TestDatabase, each_backend_database};
use ff_tests::project::{TestProject, run};

/// Accounts: an index over the active ones, and an e-mail unique among the accounts not
/// deleted. `{condition}` is the condition of the unique index.
const ACCOUNT: &str = r#"
use ff_runtime::prelude::*;

#[derive(Debug, Clone, Entity)]
#[ff(index(active, where = "active"), unique(email, where = "{condition}"))]
pub struct Account {
    pub id: i32,
    #[ff(length = 100)]
    pub email: String,
    pub active: bool,
    pub deleted_at: Option<chrono::NaiveDateTime>,
}
"#;

/// The entities with the unique index's condition.
fn account(condition: &str) -> String {
    ACCOUNT.replace("{condition}", condition)
}

/// The entities without the unique partial index, for MySQL/MariaDB.
fn account_without_unique() -> String {
    ACCOUNT.replace(r#", unique(email, where = "{condition}")"#, "")
}

/// The condition of index `name` of table `account`, as the database gives it back.
fn live_condition(database: &TestDatabase, name: &str) -> Option<String> {
    let live = live_schema(&mut database.connect()).expect("introspect");
    live.tables["account"].predicates.get(name).cloned()
}

/// Inserts an account; the error of the database, if any.
fn insert(database: &TestDatabase, id: i64, active: bool, deleted: bool) -> Result<(), String> {
    let deleted_at = if deleted {
        "'2026-01-01 00:00:00'"
    } else {
        "NULL"
    };
    let active = if active { "TRUE" } else { "FALSE" };
    database
        .connect()
        .batch_execute(&format!(
            "INSERT INTO account (id, email, active, deleted_at) \
             VALUES ({id}, 'ada@example.com', {active}, {deleted_at})"
        ))
        .map_err(|error| error.to_string())
}

#[test]
fn a_partial_index_is_created_with_its_condition_and_recreated_when_it_changes() {
    each_backend_database(|database| {
        if database.backend() == Backend::Mysql {
            return; // no partial indexes: see the tests below
        }
        let project = TestProject::new(
            env!("CARGO_BIN_EXE_cargo-ff"),
            database.url(),
            &account("deleted_at IS NULL"),
        );
        project
            .cargo_ff(&["database", "create-migration", "-m", "accounts"])
            .ok()
            .contains("+ table account, index ix_account_active where active (partial; MySQL/MariaDB: over every row), unique index uq_account_email where deleted_at IS NULL (partial; MySQL/MariaDB: refused)");
        // Recorded in the format that has partial indexes: an ff without them refuses it.
        let snapshot = project.migration_folders()[0].join("snapshot.json");
        let snapshot = std::fs::read_to_string(snapshot).unwrap();
        assert!(snapshot.starts_with("{\n  \"format\": 3,"), "{snapshot}");
        project.cargo_ff(&["database", "upgrade"]).ok();

        let condition = live_condition(database, "uq_account_email").expect("a partial index");
        assert!(condition.contains("deleted_at IS NULL"), "{condition}");
        let condition = live_condition(database, "ix_account_active").expect("a partial index");
        assert!(condition.contains("active"), "{condition}");

        // Unique among the accounts not deleted; any number of deleted ones.
        insert(database, 1, true, true).unwrap();
        insert(database, 2, true, true).unwrap();
        insert(database, 3, true, false).unwrap();
        let refused = insert(database, 4, false, false).unwrap_err();
        assert!(refused.to_lowercase().contains("unique"), "{refused}");

        project
            .cargo_ff(&["database", "status"])
            .ok()
            .contains("The database is up to date");
        project
            .cargo_ff(&["database", "create-migration", "--check"])
            .ok();

        // A new condition: the index is dropped and created again with it.
        project.write_entities(&account("deleted_at IS NULL AND active"));
        project
            .cargo_ff(&["database", "create-migration", "-m", "active only"])
            .ok()
            .contains("- unique index uq_account_email on account")
            .contains(
                "+ unique index uq_account_email on account(email) where deleted_at IS NULL AND active",
            );
        project.cargo_ff(&["database", "upgrade"]).ok();
        let condition = live_condition(database, "uq_account_email").unwrap();
        assert!(condition.contains("active"), "{condition}");
        insert(database, 4, false, false).unwrap();
        project
            .cargo_ff(&["database", "status"])
            .ok()
            .contains("The database is up to date");

        // The same index made by hand over every row is drift.
        let mut conn = database.connect();
        conn.batch_execute(
            "DROP INDEX ix_account_active; CREATE INDEX ix_account_active ON account (active)",
        )
        .unwrap();
        project
            .cargo_ff(&["database", "status"])
            .expect_code(4)
            .contains("index account.ix_account_active: expected to cover rows where active, found every row");
    });
}

#[test]
fn on_mysql_a_partial_index_covers_every_row_and_a_unique_one_is_refused() {
    each_backend_database(|database| {
        if database.backend() != Backend::Mysql {
            return;
        }
        let project = TestProject::new(
            env!("CARGO_BIN_EXE_cargo-ff"),
            database.url(),
            &account("deleted_at IS NULL"),
        );
        project
            .cargo_ff(&["database", "create-migration", "-m", "accounts"])
            .expect_code(1)
            .contains("the unique index `uq_account_email` of table `account` covers only the rows where deleted_at IS NULL, and mysql has no partial indexes")
            .contains("help:");
        assert!(project.migration_folders().is_empty());

        // Written for another database, the migration is refused when it is applied.
        let written = project
            .command(&["database", "create-migration", "-m", "accounts"])
            .env("DATABASE_URL", "sqlite://accounts.db")
            .output()
            .unwrap();
        run(&written).ok();
        project
            .cargo_ff(&["database", "upgrade"])
            .expect_code(1)
            .contains("`uq_account_email`")
            .contains("no partial indexes");
        project
            .cargo_ff(&["database", "upgrade", "--sql"])
            .expect_code(1)
            .contains("no partial indexes");

        // Without it, the partial index is an index over every row, and no drift.
        project
            .cargo_ff(&["database", "clear-migration", "--force"])
            .ok();
        project.write_entities(&account_without_unique());
        project
            .cargo_ff(&["database", "create-migration", "-m", "accounts"])
            .ok()
            .contains("(partial; MySQL/MariaDB: over every row)");
        project.cargo_ff(&["database", "upgrade"]).ok();
        let live = live_schema(&mut database.connect()).unwrap();
        assert_eq!(
            live.tables["account"].indexes["ix_account_active"],
            ["active"]
        );
        assert!(live_condition(database, "ix_account_active").is_none());
        project
            .cargo_ff(&["database", "status"])
            .ok()
            .contains("The database is up to date");
    });
}

#[test]
fn import_writes_the_condition_of_a_partial_index_back_into_the_entity() {
    each_backend_database(|database| {
        if database.backend() == Backend::Mysql {
            return; // its indexes cover every row: there is no condition to read
        }
        let project = TestProject::new(
            env!("CARGO_BIN_EXE_cargo-ff"),
            database.url(),
            &account("deleted_at IS NULL"),
        );
        project
            .cargo_ff(&["database", "create-migration", "-m", "accounts"])
            .ok();
        project.cargo_ff(&["database", "upgrade"]).ok();

        project.write_entities("pub mod entities;\n");
        project.cargo_ff(&["database", "import"]).ok();
        let entity = std::fs::read_to_string(project.root().join("src/entities/account.rs"))
            .expect("the imported entity");
        assert!(entity.contains("index(active, where = \""), "{entity}");
        assert!(entity.contains("unique(email, where = \""), "{entity}");
        assert!(entity.contains("deleted_at IS NULL"), "{entity}");
        // PostgreSQL spells the condition its own way: the same condition, no change.
        project
            .cargo_ff(&["database", "create-migration", "--check"])
            .ok()
            .contains("No changes detected");
    });
}
