//! The seeds' three workflows end to end through the real `cargo ff` binary, on every
//! backend: initial setup, adding an entity, modifying an entity. After each upgrade the live
//! schema is introspected and compared with the migration's snapshot, and rows inserted
//! before a migration must still be there after it.

use diesel::RunQueryDsl;
use diesel::sql_types::Text;
use ff_runtime::introspect::{compare, expected_live, live_schema};
use ff_runtime::migration::{History, Schema};
use ff_runtime::{Backend, Connection, with_connection};
use ff_tests::backends::{TestDatabase, each_backend_database, row_count};
use ff_tests::project::TestProject;

const USER: &str = r#"
use ff_runtime::prelude::*;

#[derive(Debug, Clone, Entity)]
pub struct User {
    pub id: i64,
    #[ff(length = 100, unique)]
    pub username: String,
    #[ff(length = 255)]
    pub email: String,
    #[ff(default = now)]
    pub created_at: chrono::NaiveDateTime,
}
"#;

const PRODUCT: &str = r#"
#[derive(Debug, Clone, Entity)]
pub struct Product {
    pub id: i64,
    #[ff(length = 120, index)]
    pub name: String,
    pub price: f64,
    #[ff(belongs_to = User, on_delete = "cascade")]
    pub owner_id: i64,
}
"#;

/// `User` changed: `email` renamed to `contact_email`, a nullable `bio` and a NOT NULL
/// `active` with a default added, `username` widened.
const USER_MODIFIED: &str = r#"
use ff_runtime::prelude::*;

#[derive(Debug, Clone, Entity)]
pub struct User {
    pub id: i64,
    #[ff(length = 150, unique)]
    pub username: String,
    #[ff(length = 255, renamed_from = "email")]
    pub contact_email: String,
    #[ff(default = now)]
    pub created_at: chrono::NaiveDateTime,
    pub bio: Option<String>,
    #[ff(default = true)]
    pub active: bool,
}
"#;

fn project(database: &TestDatabase, entities: &str) -> TestProject {
    TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), database.url(), entities)
}

/// The live schema equals the snapshot of the newest applied migration.
#[track_caller]
fn assert_live_schema_is(conn: &mut Connection, snapshot: &Schema) {
    let live = live_schema(conn).expect("introspect the database");
    let differences = compare(&expected_live(snapshot, conn.backend()), &live);
    assert!(differences.is_empty(), "{differences:#?}");
}

fn head_snapshot(project: &TestProject) -> Schema {
    History::load(&project.migrations())
        .expect("load migrations")
        .head_schema()
}

#[derive(diesel::QueryableByName)]
struct Value {
    #[diesel(sql_type = Text)]
    value: String,
}

fn text_column(conn: &mut Connection, sql: &str) -> Vec<String> {
    with_connection!(conn, |c| diesel::sql_query(sql).load::<Value>(c))
        .expect("select")
        .into_iter()
        .map(|v| v.value)
        .collect()
}

#[test]
fn initial_setup_add_an_entity_and_modify_it() {
    each_backend_database(|database| {
        let backend = database.backend();
        let project = project(database, USER);

        // Initial database setup.
        project.cargo_ff(&["database:create"]).ok();
        project
            .cargo_ff(&["database:create-migration", "-m", "create user"])
            .ok()
            .contains("created")
            .contains("+ table user");
        project
            .cargo_ff(&["database:upgrade"])
            .ok()
            .contains("Applying migrations...")
            .contains("Migrations applied successfully.");
        project
            .cargo_ff(&["database:upgrade"])
            .ok()
            .contains("The database is already up to date, no migrations to apply.");
        project
            .cargo_ff(&["database:status"])
            .ok()
            .contains("CURRENT")
            .contains("The database is up to date");
        let mut conn = database.connect();
        assert_live_schema_is(&mut conn, &head_snapshot(&project));
        let user = backend.dialect().quote("user");
        conn.batch_execute(&format!(
            "INSERT INTO {user} (username, email) VALUES ('ada', 'ada@example.com'), ('bob', 'bob@example.com')"
        ))
        .unwrap();

        // Adding a new entity.
        project.write_entities(&format!("{USER}{PRODUCT}"));
        project
            .cargo_ff(&["database", "status"])
            .expect_code(4)
            .contains("change(s) without a migration");
        project
            .cargo_ff(&["database", "create-migration", "--check"])
            .expect_code(4)
            .contains("+ table product");
        project
            .cargo_ff(&["database", "create-migration", "-m", "add product"])
            .ok()
            .contains("+ table product");
        project
            .cargo_ff(&["database", "status"])
            .expect_code(4)
            .contains("PENDING");
        let applied = project.cargo_ff(&["database", "upgrade"]).ok();
        // Each migration is announced as it starts and ticked, with its time, once applied.
        let name = project
            .migration_folders()
            .last()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let started = applied
            .text
            .find(&format!("→ {name} …"))
            .expect("a start line");
        let done = applied
            .text
            .find(&format!("✓ {name} ("))
            .expect("a done line");
        assert!(started < done, "{}", applied.text);
        assert_live_schema_is(&mut conn, &head_snapshot(&project));
        assert_eq!(row_count(&mut conn, "user"), 2);

        // Modifying an existing entity.
        project.write_entities(&format!("{USER_MODIFIED}{PRODUCT}"));
        project
            .cargo_ff(&["database", "create-migration", "-m", "modify user"])
            .ok()
            .contains("rename column user.email")
            .contains("+ column user.bio");
        project.cargo_ff(&["database", "upgrade"]).ok();
        assert_live_schema_is(&mut conn, &head_snapshot(&project));
        assert_eq!(
            text_column(
                &mut conn,
                &format!("SELECT contact_email AS value FROM {user} ORDER BY id")
            ),
            ["ada@example.com", "bob@example.com"]
        );
        project
            .cargo_ff(&["database", "create-migration"])
            .ok()
            .contains("No changes detected");

        // Downgrade restores the previous schema, upgrade brings it back.
        let folders = project.migration_folders();
        let previous = History::load(&project.migrations()).unwrap().migrations[1]
            .snapshot
            .clone();
        project
            .cargo_ff(&["database", "downgrade"])
            .expect_code(3)
            .contains("drops column `user.bio`")
            .contains("--accept-data-loss");
        assert_live_schema_is(&mut conn, &head_snapshot(&project));
        project
            .cargo_ff(&["database", "downgrade", "--accept-data-loss"])
            .ok()
            .contains("Successfully reverted 1 migration.");
        assert_live_schema_is(&mut conn, &previous);
        assert_eq!(
            text_column(
                &mut conn,
                &format!("SELECT email AS value FROM {user} ORDER BY id")
            ),
            ["ada@example.com", "bob@example.com"]
        );
        project.cargo_ff(&["database", "upgrade"]).ok();
        assert_live_schema_is(&mut conn, &head_snapshot(&project));
        assert_eq!(folders.len(), 3);
        let status = project
            .cargo_ff(&["database", "status", "--format", "json"])
            .ok();
        // The JSON document comes first; the progress line on stderr follows it.
        let json: serde_json::Value = serde_json::Deserializer::from_str(&status.text)
            .into_iter()
            .next()
            .expect("a JSON document")
            .expect("valid JSON");
        assert_eq!(json["up_to_date"], true, "{json}");
        assert_eq!(json["migrations"][2]["status"], "CURRENT", "{json}");

        // A change made by hand in the database is drift too.
        conn.batch_execute("CREATE TABLE manual_table (id INTEGER PRIMARY KEY)")
            .unwrap();
        project
            .cargo_ff(&["database", "status"])
            .expect_code(4)
            .contains("the live database differs from migration")
            .contains("manual_table");
        conn.batch_execute("DROP TABLE manual_table").unwrap();
        project.cargo_ff(&["database", "status"]).ok();
        assert_eq!(row_count(&mut conn, "user"), 2);
        if backend == Backend::Sqlite {
            // SQLite rebuilt the table: the foreign key from product still holds.
            conn.batch_execute(&format!(
                "INSERT INTO product (name, price, owner_id) SELECT 'pen', 1.5, id FROM {user} WHERE username = 'ada'"
            ))
            .unwrap();
            conn.batch_execute(&format!("DELETE FROM {user} WHERE username = 'ada'"))
                .unwrap();
            assert_eq!(
                row_count(&mut conn, "product"),
                0,
                "ON DELETE CASCADE survived"
            );
        }

        // A deleted entity does not linger: its table is dropped, with consent.
        project.write_entities(USER_MODIFIED);
        project
            .cargo_ff(&["database", "create-migration", "-m", "drop product"])
            .ok()
            .contains("- table product")
            .contains("destroys data");
        project
            .cargo_ff(&["database", "upgrade"])
            .expect_code(3)
            .contains("drops table `product`");
        project
            .cargo_ff(&["database", "upgrade", "--accept-data-loss"])
            .ok();
        assert_live_schema_is(&mut conn, &head_snapshot(&project));
        assert!(head_snapshot(&project).table("product").is_none());
    });
}
