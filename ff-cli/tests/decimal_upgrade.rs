//! Databases built by an earlier ff, whose SQLite decimal columns were `TEXT`, are brought up to
//! date through the migration workflow: `create-migration` sees that the last snapshot predates
//! numeric decimals and writes a migration that converts them (a table rebuild on SQLite, no
//! SQL on PostgreSQL and MySQL), `upgrade` runs it once, values are kept exactly, and `status`
//! finds nothing left to do. Everything runs through the real `cargo ff` binary.

use diesel::RunQueryDsl;
use diesel::sql_types::Text;
use ff_runtime::introspect::{compare, expected_live, live_schema};
use ff_runtime::migration::{History, Schema};
use ff_runtime::sql_types::Decimal;
use ff_runtime::{Backend, Connection, Value, with_connection};
use ff_tests::backends::{TestDatabase, each_backend_database};
use ff_tests::project::TestProject;

/// Orders with two decimal columns (one indexed, one nullable) beside a table without any.
const SHOP: &str = r#"
use ff_runtime::prelude::*;

#[derive(Debug, Clone, Entity)]
#[ff(table = "orders")]
pub struct Order {
    pub id: i64,
    #[ff(length = 20)]
    pub reference: String,
    #[ff(precision = 20, scale = 4, index)]
    pub total: bigdecimal::BigDecimal,
    #[ff(precision = 6, scale = 2)]
    pub discount: Option<bigdecimal::BigDecimal>,
}

#[derive(Debug, Clone, Entity)]
pub struct Customer {
    pub id: i64,
    #[ff(length = 80)]
    pub name: String,
}
"#;

/// The rows an earlier ff wrote, as (reference, total, discount) in the text it stored.
const ROWS: [(&str, &str, Option<&str>); 6] = [
    ("a", "25.86", Some("0.50")),
    ("b", "9.91", None),
    ("c", "-0.0001", Some("12.00")),
    ("d", "99999999999.9999", None),
    ("e", "12.50", Some("-3.25")),
    ("f", "100", None),
];

/// A project on `database` whose entities need the `bigdecimal` crate.
fn shop(database: &TestDatabase) -> TestProject {
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), database.url(), SHOP);
    let manifest = project.root().join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).expect("read Cargo.toml");
    text.push_str("bigdecimal = \"0.4\"\n");
    std::fs::write(&manifest, text).expect("write Cargo.toml");
    project
}

/// Creates the database and applies a first migration, written as an earlier ff wrote it: a
/// snapshot without a format.
fn apply_a_migration_of_an_earlier_ff(project: &TestProject) {
    project.cargo_ff(&["database", "create"]).ok();
    project
        .cargo_ff(&["database", "create-migration", "-m", "initial"])
        .ok()
        .contains("+ table orders");
    let history = History::load(&project.migrations()).expect("load migrations");
    let first = &history.migrations[0];
    std::fs::write(first.path.join("snapshot.json"), first.snapshot.to_json())
        .expect("write the snapshot as an earlier ff did");
    project.cargo_ff(&["database", "upgrade"]).ok();
}

/// On SQLite, the decimal columns made `TEXT` again, exactly as the earlier renderer created
/// them (the table is empty): the same CREATE TABLE with `TEXT` for `DECIMAL(p, s)`, and the
/// same indexes.
fn make_decimal_columns_text(conn: &mut Connection) {
    let [create, indexes @ ..] = &sqlite_master_sql(conn, "orders")[..] else {
        panic!("orders has no CREATE TABLE");
    };
    assert!(!indexes.is_empty(), "the index on total is recreated too");
    let legacy = create
        .replace("DECIMAL(20, 4)", "TEXT")
        .replace("DECIMAL(6, 2)", "TEXT");
    assert_ne!(&legacy, create, "the decimal columns are rewritten");
    conn.batch_execute(&format!(
        "DROP TABLE orders; {legacy}; {}",
        indexes.join("; ")
    ))
    .expect("recreate orders with TEXT decimals");
    assert_eq!(column_type(conn, "total"), "TEXT");
}

#[derive(diesel::QueryableByName)]
struct Sql {
    #[diesel(sql_type = Text)]
    sql: String,
}

/// The CREATE statements of a table, then of its indexes.
fn sqlite_master_sql(conn: &mut Connection, table: &str) -> Vec<String> {
    let query = format!(
        "SELECT sql FROM sqlite_master WHERE tbl_name = '{table}' AND sql IS NOT NULL \
         ORDER BY type = 'index', name"
    );
    with_connection!(conn, |c| diesel::sql_query(&query).load::<Sql>(c))
        .expect("read the CREATE statements")
        .into_iter()
        .map(|row| row.sql)
        .collect()
}

/// The declared type of a column of `orders` on SQLite.
fn column_type(conn: &mut Connection, column: &str) -> String {
    let query =
        format!("SELECT type AS sql FROM pragma_table_info('orders') WHERE name = '{column}'");
    with_connection!(conn, |c| diesel::sql_query(&query).get_result::<Sql>(c))
        .expect("read the column type")
        .sql
}

/// How SQLite stores each total: `text`, `real` or `integer`.
fn storage_classes(conn: &mut Connection) -> Vec<String> {
    with_connection!(conn, |c| diesel::sql_query(
        "SELECT DISTINCT typeof(total) AS sql FROM orders ORDER BY sql"
    )
    .load::<Sql>(c))
    .expect("read the storage classes")
    .into_iter()
    .map(|row| row.sql)
    .collect()
}

/// Inserts [`ROWS`]: on SQLite as the text an earlier ff stored; elsewhere as numbers.
fn insert_rows(conn: &mut Connection, rows: &[(&str, &str, Option<&str>)]) {
    let backend = conn.backend();
    let literal = |value: &str| match backend {
        Backend::Sqlite => format!("'{value}'"),
        _ => value.to_owned(),
    };
    let values: Vec<String> = rows
        .iter()
        .map(|(reference, total, discount)| {
            format!(
                "('{reference}', {}, {})",
                literal(total),
                discount.map_or("NULL".to_owned(), literal)
            )
        })
        .collect();
    conn.batch_execute(&format!(
        "INSERT INTO orders (reference, total, discount) VALUES {}",
        values.join(", ")
    ))
    .expect("insert the rows");
}

/// A row read through ff's decimal type (the decimal type is left to inference, since this
/// crate does not name `BigDecimal`).
#[derive(diesel::QueryableByName)]
struct Row<D> {
    #[diesel(sql_type = Text)]
    reference: String,
    #[diesel(sql_type = Decimal)]
    total: D,
    #[diesel(sql_type = diesel::sql_types::Nullable<Decimal>)]
    discount: Option<D>,
}

/// `(reference, total, discount)` of the rows `sql` selects, the decimals read by ff.
fn read(conn: &mut Connection, sql: &str) -> Vec<(String, Value, Value)> {
    let rows = with_connection!(conn, |c| diesel::sql_query(sql).load::<Row<_>>(c))
        .unwrap_or_else(|error| panic!("{sql}: {error}"));
    rows.into_iter()
        .map(|row| {
            (
                row.reference,
                Value::Decimal(row.total),
                row.discount.map_or(Value::Null, Value::Decimal),
            )
        })
        .collect()
}

fn decimal(text: &str) -> Value {
    Value::Decimal(text.parse().expect("a decimal"))
}

/// Every row reads back with the value it was written with.
#[track_caller]
fn assert_values_kept(conn: &mut Connection) {
    let expected: Vec<(String, Value, Value)> = ROWS
        .iter()
        .map(|(reference, total, discount)| {
            (
                reference.to_string(),
                decimal(total),
                discount.map_or(Value::Null, decimal),
            )
        })
        .collect();
    let sql = "SELECT reference, total, discount FROM orders ORDER BY reference";
    assert_eq!(read(conn, sql), expected);
}

/// The references of the orders over 10, by total: the order of numbers, not of text.
fn references_over_ten_by_total(conn: &mut Connection) -> Vec<String> {
    let sql = "SELECT reference, total, discount FROM orders WHERE total > 10 ORDER BY total";
    read(conn, sql).into_iter().map(|row| row.0).collect()
}

/// The live schema is what the newest migration's snapshot says.
#[track_caller]
fn assert_live_schema_is_the_head_snapshot(conn: &mut Connection, project: &TestProject) {
    let head: Schema = History::load(&project.migrations())
        .expect("load migrations")
        .head_schema();
    let live = live_schema(conn).expect("introspect the database");
    let differences = compare(&expected_live(&head, conn.backend()), &live);
    assert!(differences.is_empty(), "{differences:#?}");
}

/// The SQL `upgrade --sql --dialect <dialect>` prints for the migration named `name`.
fn upgrade_sql(project: &TestProject, dialect: &str, name: &str) -> String {
    let run = project
        .cargo_ff(&["database", "upgrade", "--sql", "--dialect", dialect])
        .ok();
    let header = format!("-- upgrade {name}\n");
    let start = run.text.find(&header).expect("the migration is printed") + header.len();
    let statements: Vec<&str> = run.text[start..]
        .lines()
        .take_while(|line| !line.is_empty())
        .collect();
    statements.join("\n")
}

#[test]
fn decimals_stored_as_text_by_an_earlier_ff_become_numbers_through_a_generated_migration() {
    each_backend_database(|database| {
        let backend = database.backend();
        let project = shop(database);
        apply_a_migration_of_an_earlier_ff(&project);
        let mut conn = database.connect();
        if backend == Backend::Sqlite {
            make_decimal_columns_text(&mut conn);
        }
        insert_rows(&mut conn, &ROWS);
        if backend == Backend::Sqlite {
            assert_eq!(storage_classes(&mut conn), ["text"]);
            // Compared as text: '9.91' > '10', and '100' < '12.50'.
            assert_eq!(
                references_over_ten_by_total(&mut conn),
                ["f", "e", "a", "b", "d"]
            );
            project
                .cargo_ff(&["database", "status"])
                .expect_code(4)
                .contains("the live database differs from migration");
        }

        // Detected like any other change, and reported until a migration holds it.
        let detected = "~ table orders: decimal columns total, discount from text to numbers";
        project
            .cargo_ff(&["database", "status"])
            .expect_code(4)
            .contains("written by an earlier ff")
            .contains(detected);
        project
            .cargo_ff(&["database", "create-migration", "--check"])
            .expect_code(4)
            .contains(detected);
        let created = project
            .cargo_ff(&["database", "create-migration", "-m", "decimals as numbers"])
            .ok()
            .contains(detected)
            .contains("written by an earlier ff");
        assert!(!created.text.contains("customer"), "{}", created.text);
        project
            .cargo_ff(&["database", "create-migration"])
            .ok()
            .contains("No changes detected");

        // SQLite rebuilds the table; PostgreSQL and MySQL have nothing to do.
        let folders = project.migration_folders();
        let name = folders[1]
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert_eq!(upgrade_sql(&project, "postgres", &name), "");
        assert_eq!(upgrade_sql(&project, "mysql", &name), "");
        let sqlite = upgrade_sql(&project, "sqlite", &name);
        assert!(
            sqlite.contains("\"total\" DECIMAL(20, 4) NOT NULL"),
            "{sqlite}"
        );
        assert!(
            sqlite.contains(r#"INSERT INTO "__ff_new_orders" ("id", "reference", "total", "discount") SELECT "id", "reference", "total", "discount" FROM "orders""#),
            "{sqlite}"
        );
        assert!(!sqlite.contains("customer"), "{sqlite}");

        project
            .cargo_ff(&["database", "upgrade"])
            .ok()
            .contains("Migrations applied successfully.");
        if backend == Backend::Sqlite {
            assert_eq!(column_type(&mut conn, "total"), "DECIMAL(20, 4)");
            assert_eq!(column_type(&mut conn, "discount"), "DECIMAL(6, 2)");
            assert_eq!(storage_classes(&mut conn), ["integer", "real"]);
        }
        assert_values_kept(&mut conn);
        assert_eq!(
            references_over_ten_by_total(&mut conn),
            ["e", "a", "f", "d"]
        );
        assert_live_schema_is_the_head_snapshot(&mut conn, &project);
        project
            .cargo_ff(&["database", "status"])
            .ok()
            .contains("The database is up to date");

        // Reverting leaves the numbers as they are (ff creates such columns numeric today).
        project.cargo_ff(&["database", "downgrade"]).ok();
        assert_values_kept(&mut conn);
        assert_live_schema_is_the_head_snapshot(&mut conn, &project);
        project.cargo_ff(&["database", "upgrade"]).ok();
        assert_values_kept(&mut conn);
        project.cargo_ff(&["database", "status"]).ok();
    });
}

#[test]
fn a_text_decimal_sqlite_cannot_keep_stops_the_conversion_and_is_named() {
    // Only SQLite stored decimals as text.
    let database = TestDatabase::create(Backend::Sqlite).expect("an SQLite database");
    let project = shop(&database);
    apply_a_migration_of_an_earlier_ff(&project);
    let mut conn = database.connect();
    make_decimal_columns_text(&mut conn);
    // 17 significant digits: SQLite's numeric affinity would round it to 15.
    insert_rows(&mut conn, &[("long", "1234567890123.4567", None)]);
    insert_rows(&mut conn, &ROWS);
    project
        .cargo_ff(&["database", "create-migration", "-m", "decimals as numbers"])
        .ok();

    project
        .cargo_ff(&["database", "upgrade"])
        .expect_code(1)
        .contains("`orders.total`")
        .contains("the value 1234567890123.4567 cannot be")
        .contains("SQLite would keep 1234567890123.46")
        .contains("nothing of the migration was applied");
    assert_eq!(column_type(&mut conn, "total"), "TEXT");
    assert_eq!(storage_classes(&mut conn), ["text"]);
    project
        .cargo_ff(&["database", "status"])
        .expect_code(4)
        .contains("PENDING");

    // Once the value is one SQLite keeps, the conversion goes through.
    conn.batch_execute("UPDATE orders SET total = '1234567890123.46' WHERE reference = 'long'")
        .expect("round the value");
    project.cargo_ff(&["database", "upgrade"]).ok();
    assert_eq!(column_type(&mut conn, "total"), "DECIMAL(20, 4)");
    conn.batch_execute("DELETE FROM orders WHERE reference = 'long'")
        .expect("delete the rounded row");
    assert_values_kept(&mut conn);
    project.cargo_ff(&["database", "status"]).ok();
}
