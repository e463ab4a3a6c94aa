//! `MigrationManager`, the seed's migration manager as a Rust type, on every backend: create
//! from the entities or empty, upgrade and downgrade in Alembic's spellings, list, read, check
//! for changes, delete the last, and clear a database's history.

use ff_runtime::migration::{MigrationError, MigrationManager, Schema};
use ff_runtime::prelude::*;
use ff_tests::backends::{each_backend_database, row_count, scratch_dir};

mod v1 {
    use ff_runtime::prelude::*;

    #[derive(Entity, Debug, Clone, PartialEq)]
    #[ff(table = "writer")]
    pub struct Writer {
        pub id: i32,
        #[ff(length = 80)]
        pub name: String,
    }
}

mod v2 {
    use ff_runtime::prelude::*;

    /// `Writer` with a new nullable column and a new table beside it.
    #[derive(Entity, Debug, Clone, PartialEq)]
    #[ff(table = "writer")]
    pub struct Writer {
        pub id: i32,
        #[ff(length = 80)]
        pub name: String,
        pub email: Option<String>,
    }

    #[derive(Entity, Debug, Clone, PartialEq)]
    pub struct Essay {
        pub id: i32,
        #[ff(belongs_to = Writer)]
        pub writer_id: i32,
        pub title: String,
    }
}

/// The columns of `table`, as the database lists them.
fn columns(conn: &mut Connection, table: &str) -> Vec<String> {
    ff_runtime::introspect::live_schema(conn)
        .unwrap()
        .tables
        .get(table)
        .map(|t| t.columns.iter().map(|c| c.name.to_string()).collect())
        .unwrap_or_default()
}

/// A migrations directory of its own for one test on one backend, empty.
fn migrations_dir(test: &str, database: &ff_tests::TestDatabase) -> std::path::PathBuf {
    let directory = scratch_dir().join(format!(
        "manager-{test}-{}-{}",
        database.backend(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&directory);
    directory
}

#[test]
fn the_migration_manager_creates_applies_reverts_and_manages_migrations() {
    each_backend_database(|database| {
        let directory = migrations_dir("workflow", database);
        let manager = MigrationManager::new(&directory);
        let first = Schema::of(&[v1::Writer::META]);
        let second = Schema::of(&[v2::Writer::META, v2::Essay::META]);

        // Create from the entities; nothing new, no migration.
        let created = manager
            .create_migration("add writer", Some(&first))
            .unwrap();
        assert!(created.unwrap().starts_with(&directory));
        assert_eq!(
            manager.create_migration("again", Some(&first)).unwrap(),
            None
        );
        manager
            .create_migration("email and essays", Some(&second))
            .unwrap()
            .unwrap();
        let names = manager.migrations().unwrap();
        assert_eq!(names.len(), 2);
        assert!(names[0].ends_with("_add_writer"), "{names:?}");
        assert!(manager.has_changes(&names[1]).unwrap());
        let read = manager.migration(&names[1]).unwrap();
        assert_eq!(read.name(), names[1]);
        assert!(!read.file.operations.is_empty());

        // An empty migration has no changes and, as the last one, can be deleted.
        let empty = manager.create_migration("by hand", None).unwrap().unwrap();
        let empty = empty.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!manager.has_changes(&empty).unwrap());
        assert!(matches!(
            manager.delete_migration(&names[0]),
            Err(MigrationError::Stopped(_))
        ));
        assert!(manager.delete_migration(&empty).unwrap());
        assert!(!manager.delete_migration(&empty).unwrap(), "gone already");
        assert_eq!(manager.migrations().unwrap(), names);

        // Upgrade one step, then to head; downgrade one, then to base.
        let mut conn = database.connect();
        assert_eq!(manager.current(&mut conn).unwrap(), None);
        assert_eq!(manager.upgrade(&mut conn, "+1").unwrap().len(), 1);
        assert_eq!(
            manager.current(&mut conn).unwrap().as_ref(),
            Some(&names[0])
        );
        assert_eq!(columns(&mut conn, "writer"), ["id", "name"]);
        assert_eq!(manager.upgrade(&mut conn, "head").unwrap().len(), 1);
        assert!(manager.upgrade(&mut conn, "head").unwrap().is_empty());
        assert_eq!(columns(&mut conn, "writer"), ["id", "name", "email"]);
        assert_eq!(columns(&mut conn, "essay"), ["id", "writer_id", "title"]);

        // Reverting drops the essays table: destructive, refused without consent.
        assert!(matches!(
            manager.downgrade(&mut conn, "-1"),
            Err(MigrationError::DataLossRefused { .. })
        ));
        let consenting = manager.clone().accept_data_loss();
        assert_eq!(consenting.downgrade(&mut conn, "-1").unwrap().len(), 1);
        assert!(columns(&mut conn, "essay").is_empty());
        consenting.downgrade(&mut conn, "base").unwrap();
        assert!(columns(&mut conn, "writer").is_empty());
        manager.upgrade(&mut conn, &names[0]).unwrap();
        assert_eq!(
            manager.current(&mut conn).unwrap().as_ref(),
            Some(&names[0])
        );

        // Bad revisions are errors that say what to write.
        assert!(matches!(
            manager.upgrade(&mut conn, "+0"),
            Err(MigrationError::BadStep(_))
        ));
        assert!(matches!(
            manager.upgrade(&mut conn, "nope"),
            Err(MigrationError::UnknownRevision { .. })
        ));

        // Clearing the history keeps the tables.
        assert_eq!(manager.clear_history(&mut conn).unwrap(), 1);
        assert_eq!(manager.current(&mut conn).unwrap(), None);
        assert_eq!(row_count(&mut conn, "writer"), 0);
        assert_eq!(columns(&mut conn, "writer"), ["id", "name"]);
        std::fs::remove_dir_all(&directory).unwrap();
    });
}

#[test]
fn an_applied_migration_edited_afterwards_is_refused() {
    each_backend_database(|database| {
        let directory = migrations_dir("edited", database);
        let manager = MigrationManager::new(&directory);
        let path = manager
            .create_migration("add writer", Some(&Schema::of(&[v1::Writer::META])))
            .unwrap()
            .unwrap();
        let mut conn = database.connect();
        manager.upgrade(&mut conn, "head").unwrap();
        std::fs::write(path.join("up.sql"), "SELECT 1;").unwrap();
        let error = manager.upgrade(&mut conn, "head").unwrap_err();
        assert!(matches!(error, MigrationError::Edited { .. }), "{error}");
        std::fs::remove_dir_all(&directory).unwrap();
    });
}
