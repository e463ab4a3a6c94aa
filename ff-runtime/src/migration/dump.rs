//! How `cargo ff` learns the entities of a project: `#[derive(Entity)]` emits a hidden test per
//! entity that calls [`dump_schema`]; `cargo ff` runs those tests with [`DUMP_DIR_VAR`] set
//! and reads one JSON file per table.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::Path;

use crate::schema::TableDef;

/// The environment variable naming the directory the schema-dump tests write to.
pub const DUMP_DIR_VAR: &str = "FF_SCHEMA_DUMP_DIR";

/// The name every schema-dump test starts with, used as the test filter.
pub const DUMP_TEST_PREFIX: &str = "__ff_schema_dump_";

/// Writes `table` to `$FF_SCHEMA_DUMP_DIR/<table>.json`. Without the variable (a plain
/// `cargo test`), checks that the metadata survives the trip through JSON.
///
/// # Panics
///
/// When two entities claim the same table, or the file cannot be written: the panic message
/// is what `cargo ff` shows.
pub fn dump_schema(table: &TableDef) {
    let json = serde_json::to_string_pretty(table).expect("table metadata serializes to JSON");
    let Some(dir) = std::env::var_os(DUMP_DIR_VAR) else {
        let read: TableDef = serde_json::from_str(&json).expect("table metadata reads back");
        assert_eq!(&read, table, "table metadata changed through JSON");
        return;
    };
    let path = Path::new(&dir).join(format!("{}.json", table.name));
    let file = OpenOptions::new().write(true).create_new(true).open(&path);
    match file {
        Ok(mut file) => file
            .write_all(json.as_bytes())
            .unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display())),
        Err(error) if error.kind() == ErrorKind::AlreadyExists => panic!(
            "two entities map to the table `{}`: give one of them another name with \
             #[ff(table = \"...\")]",
            table.name
        ),
        Err(error) => panic!("cannot write {}: {error}", path.display()),
    }
}
