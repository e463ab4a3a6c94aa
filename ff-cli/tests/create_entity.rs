//! `cargo ff create entity` through the real binary: the files it writes compile, the next
//! `create-migration` picks them up and `upgrade` creates the tables on every backend; bad
//! input is refused with the fix and writes nothing.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use ff_runtime::introspect::{compare, expected_live, live_schema};
use ff_runtime::migration::History;
use ff_tests::backends::{TestDatabase, each_backend_database, row_count};
use ff_tests::project::{Run, TestProject, run};

fn project(database: &TestDatabase) -> TestProject {
    TestProject::new(
        env!("CARGO_BIN_EXE_cargo-ff"),
        database.url(),
        "//! A shop.\n",
    )
}

/// Runs `cargo ff <args>` with `answers` on standard input.
fn answering(project: &TestProject, args: &[&str], answers: &str) -> Run {
    let mut child = project
        .command(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cargo-ff");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(answers.as_bytes())
        .expect("write the answers");
    run(&child.wait_with_output().expect("wait for cargo-ff"))
}

fn read(project: &TestProject, path: &str) -> String {
    std::fs::read_to_string(project.root().join(path)).expect("read a project file")
}

/// Every file under `src`, with its content.
fn sources(project: &TestProject) -> Vec<(String, String)> {
    fn walk(dir: &Path, root: &Path, files: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, root, files);
            } else {
                let name = path.strip_prefix(root).unwrap().display().to_string();
                files.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut files = Vec::new();
    walk(&project.root().join("src"), project.root(), &mut files);
    files.sort();
    files
}

#[test]
fn created_entities_compile_migrate_and_upgrade_on_every_backend() {
    each_backend_database(|database| {
        let project = project(database);
        project
            .cargo_ff(&[
                "create",
                "entity",
                "Category",
                "--field",
                "name:string:unique,length=80",
            ])
            .ok()
            .contains("✓ Created src/entities/category.rs: Category with id, name")
            .contains("Declared the module in src/lib.rs");
        // A reserved SQL word as the table, a unicode field, a keyword kept as a column name.
        project
            .cargo_ff(&[
                "create:entity",
                "order",
                "--field",
                "libellé:string:length=50",
                "--field",
                "group_:text:nullable,column=group",
                "--field",
                "total:decimal:precision=10,scale=2",
                "--field",
                "placed_at:Option<chrono::NaiveDateTime>:index",
                "--belongs-to",
                "Category:nullable,on_delete=set_null,inverse=orders",
            ])
            .ok()
            .contains("Order with id, libellé, group_, total, placed_at, category_id")
            .contains("run `cargo add bigdecimal`");
        project.write(
            "Cargo.toml",
            &format!("{}bigdecimal = \"0.4\"\n", read(&project, "Cargo.toml")),
        );
        // Interactive, answers piped: a wrong type and an unknown entity are asked again.
        answering(
            &project,
            &["create", "entity", "Product"],
            "name\nvarchar2\nstring\n120\nno\nyes\nin_stock\nbool\nno\nno\nyes\nkind\nrelation\nNope\nCategory\nno\ncascade\nproducts\n\n",
        )
        .ok()
        .contains("unknown field type `varchar2`")
        .contains("no entity `Nope`; the entities are: Category, Order, Product")
        .contains("✓ Created src/entities/product.rs: Product with id, name, in_stock, kind_id")
        .contains("✓ Added #[ff(has_many(products = Product))] to Category in src/entities/category.rs");
        // Re-running on an existing entity adds fields and the import its relation needs.
        project
            .cargo_ff(&[
                "create",
                "entity",
                "Order",
                "--field",
                "note:Option<String>",
                "--belongs-to",
                "Product:unique,inverse=order",
            ])
            .ok()
            .contains("✓ Added 2 field(s) to Order in src/entities/order.rs: note, product_id")
            .contains(
                "✓ Added #[ff(has_one(order = Order))] to Product in src/entities/product.rs",
            );
        assert_eq!(
            read(&project, "src/entities/order.rs"),
            r#"use ff_runtime::prelude::*;

use super::category::Category;
use super::product::Product;

#[derive(Debug, Clone, PartialEq, Entity)]
pub struct Order {
    pub id: i64,
    #[ff(length = 50)]
    pub libellé: String,
    #[ff(column = "group")]
    pub group_: Option<String>,
    #[ff(precision = 10, scale = 2)]
    pub total: bigdecimal::BigDecimal,
    #[ff(index)]
    pub placed_at: Option<chrono::NaiveDateTime>,
    #[ff(belongs_to = Category, on_delete = "set null")]
    pub category_id: Option<i64>,
    pub note: Option<String>,
    #[ff(unique, belongs_to = Product)]
    pub product_id: i64,
}
"#
        );
        assert_eq!(
            read(&project, "src/entities/category.rs"),
            r#"use ff_runtime::prelude::*;
use super::order::Order;
use super::product::Product;

#[derive(Debug, Clone, PartialEq, Entity)]
#[ff(has_many(orders = Order))]
#[ff(has_many(products = Product))]
pub struct Category {
    pub id: i64,
    #[ff(length = 80, unique)]
    pub name: String,
}
"#
        );
        assert_eq!(
            read(&project, "src/entities/mod.rs"),
            "pub mod category;\npub mod order;\npub mod product;\n"
        );
        assert_eq!(
            read(&project, "src/lib.rs"),
            "//! A shop.\n\npub mod entities;\n"
        );

        project.cargo_ff(&["database", "create"]).ok();
        project
            .cargo_ff(&["database", "create-migration", "-m", "shop"])
            .ok()
            .contains("+ table category")
            .contains("+ table order")
            .contains("+ table product");
        project.cargo_ff(&["database", "upgrade"]).ok();
        let mut conn = database.connect();
        let head = History::load(&project.migrations()).unwrap().head_schema();
        let order = head.table("order").expect("the order table");
        let columns: Vec<&str> = order.columns.iter().map(|c| &*c.name).collect();
        assert_eq!(
            columns,
            [
                "id",
                "libellé",
                "group",
                "total",
                "placed_at",
                "category_id",
                "note",
                "product_id"
            ]
        );
        let live = live_schema(&mut conn).expect("introspect");
        let differences = compare(&expected_live(&head, conn.backend()), &live);
        assert!(differences.is_empty(), "{differences:#?}");
        assert_eq!(row_count(&mut conn, "order"), 0);
        project
            .cargo_ff(&["database", "status"])
            .ok()
            .contains("The database is up to date");

        // Fields added after the migration are the next migration's.
        project
            .cargo_ff(&["create", "entity", "category", "--field", "rank:i32:index"])
            .ok();
        project
            .cargo_ff(&["database", "create-migration", "--check"])
            .expect_code(4)
            .contains("+ column category.rank");
    });
}

#[test]
fn bad_input_is_refused_with_the_fix_and_writes_nothing() {
    each_backend_database(|database| {
        let project = project(database);
        project
            .cargo_ff(&["create", "entity", "Category", "--field", "name:string"])
            .ok();
        project.write("src/entities/notes.rs", "pub struct Note;\n");
        project.write("src/entities/broken.rs", "pub struct {\n");
        project.write(
            "src/legacy.rs",
            "#[derive(Entity)]\npub struct Legacy {\n    pub id: i64,\n}\n",
        );
        let before = sources(&project);
        for (args, message) in [
            (
                &["2fast", "--field", "a:string"][..],
                "`2fast` is not an entity name",
            ),
            (&["étiquette", "--field", "a:string"], "pass --table"),
            (
                &["type", "--field", "a:string"],
                "the Rust keyword `type`; choose another name (e.g. `TypeEntry`) and keep the table name with --table type",
            ),
            (
                &["Product", "--field", "price:money"],
                "unknown field type `money`; the types are: string, text, integer",
            ),
            (
                &["Product", "--field", "type:string"],
                "`type` is a Rust keyword and cannot name a field; name the field e.g. `type_` and keep the column name with the option column=type",
            ),
            (
                &["Product", "--field", "table:string"],
                "taken by the generated schema module",
            ),
            (
                &["Product", "--field", "unitPrice:float"],
                "write `unit_price`",
            ),
            (&["Product", "--field", "name"], "write NAME:TYPE"),
            (
                &["Product", "--field", "name:string:unqiue"],
                "unknown option `unqiue`; the options are: nullable, unique",
            ),
            (
                &["Product", "--field", "count:integer:length=3"],
                "length applies to text",
            ),
            (
                &["Product", "--field", "id:i32"],
                "`Product` already has a field `id`",
            ),
            (
                &["Product", "--field", "a:i32", "--field", "a:i64"],
                "already has a field `a`",
            ),
            (
                &["Product", "--belongs-to", "Brand"],
                "no entity `Brand` to belong to; the entities are: Category, Product (create it first with `cargo ff create entity Brand`)",
            ),
            (
                &["Product", "--belongs-to", "Category:on_delete=set_null"],
                "needs a nullable foreign key",
            ),
            (
                &["Category", "--field", "name:text"],
                "`Category` already has a field `name`",
            ),
            (
                &["Category", "--field", "a:i32", "--table", "cats"],
                "--table names the table of a new entity",
            ),
            (&["Category"], "nothing to add to `Category`"),
            (
                &["Legacy", "--field", "a:string"],
                "`Legacy` is declared in src/legacy.rs, outside src/entities, where create entity writes",
            ),
            (
                &["Product", "--field", "a:string", "--belongs-to", "Legacy"],
                "`Legacy` is declared in src/legacy.rs, outside src/entities: write the belongs_to field by hand",
            ),
            (
                &["Product", "--field", "a:string", "--table", " "],
                "--table needs a name",
            ),
            (
                &["Product", "--belongs-to", "Category:inverse=type"],
                "inverse=type: `type` is a Rust keyword",
            ),
            (&["Product"], "`Product` needs a field besides its key `id`"),
            (
                &["notes", "--field", "a:string"],
                "src/entities/notes.rs exists and declares no entity `Notes`; it is left as it is",
            ),
            (
                &["Broken", "--field", "a:string"],
                "these files do not parse and were not read",
            ),
        ] {
            let mut command = vec!["create", "entity"];
            command.extend(args);
            project.cargo_ff(&command).expect_code(1).contains(message);
            assert_eq!(sources(&project), before, "{args:?} wrote nothing");
        }
        project
            .cargo_ff(&["create", "entity"])
            .expect_code(2)
            .contains("<NAME>");
        project.write("ff.toml", "entities = \"models\"\n");
        project
            .cargo_ff(&["create", "entity", "Tag", "--field", "a:string"])
            .expect_code(1)
            .contains("ff.toml: entities = \"models\" is not under a src directory");
        assert_eq!(sources(&project), before);
    });
}

#[test]
fn entities_go_where_ff_toml_says_in_a_binary_crate() {
    let database = TestDatabase::create(ff_runtime::Backend::Sqlite).expect("a SQLite database");
    let project = project(&database);
    std::fs::remove_file(project.root().join("src/lib.rs")).unwrap();
    project.write("src/main.rs", "mod db;\n\nfn main() {}\n");
    project.write("src/db.rs", "//! The database.\n");
    project.write("ff.toml", "entities = \"src/db/models\"\n");
    project
        .cargo_ff(&["create", "entity", "Tag", "--field", "label:string:unique"])
        .ok()
        .contains("✓ Created src/db/models/tag.rs")
        .contains("Declared the module in src/db/models/mod.rs")
        .contains("Declared the module in src/db.rs");
    assert_eq!(
        read(&project, "src/db.rs"),
        "//! The database.\n\npub mod models;\n"
    );
    assert_eq!(read(&project, "src/main.rs"), "mod db;\n\nfn main() {}\n");
    project
        .cargo_ff(&["create", "entity", "Tag", "--field", "label:string"])
        .expect_code(1)
        .contains("already has a field `label`");
}
