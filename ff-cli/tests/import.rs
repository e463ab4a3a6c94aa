//! `cargo ff database import` through the real binary, on every backend: the entities it
//! writes for a database ff created declare that very schema (`create-migration --check`
//! finds no change), and a schema written by hand in SQL gets each type mapped or refused by
//! name.

use ff_runtime::Backend;
use ff_tests::backends::{TestDatabase, each_backend_database};
use ff_tests::project::TestProject;

/// Every field type, key kind, default, index, unique constraint, foreign key action and a
/// join table, with reserved SQL words and Rust keywords for names, an upper-case and a
/// non-ASCII column name. `{extra}` adds the types a backend stores apart from the others:
/// SQLite keeps UUIDs and JSON as text, MySQL both timestamps as `DATETIME(6)`.
const DOMAIN: &str = r#"
use ff_runtime::prelude::*;

#[derive(Debug, Clone, Entity)]
pub struct Country {
    #[ff(primary_key, length = 2)]
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Entity)]
#[ff(index(city, joined_on), unique(email, city))]
pub struct Customer {
    pub id: i64,
    #[ff(length = 120)]
    pub email: String,
    #[ff(column = "City", length = 80)]
    pub city: String,
    pub joined_on: chrono::NaiveDate,
    #[ff(column = "type", default = "it's retail")]
    pub kind: String,
    #[ff(unique)]
    pub code: String,
    #[ff(column = "prénom")]
    pub first_name: Option<String>,
    #[ff(default = true)]
    pub active: bool,
    #[ff(default = -7)]
    pub visits: i32,
    #[ff(default = -1.5)]
    pub balance: f64,
    pub rating: Option<f32>,
    pub level: i16,
    pub photo: Option<Vec<u8>>,
    #[ff(default = now)]
    pub created_at: chrono::NaiveDateTime,
    pub wakes_at: Option<chrono::NaiveTime>,
    #[ff(precision = 10, scale = 2)]
    pub credit: bigdecimal::BigDecimal,
    #[ff(belongs_to = Country, length = 2, on_delete = "set null", on_update = "cascade")]
    pub country_code: Option<String>,
    {extra}
}

#[derive(Debug, Clone, Entity)]
pub struct Category {
    pub id: i32,
    pub name: String,
    #[ff(belongs_to = Category, on_delete = "set null")]
    pub parent_id: Option<i32>,
}

#[derive(Debug, Clone, Entity)]
#[ff(table = "match")]
pub struct Game {
    pub id: i32,
    #[ff(column = "select")]
    pub choice: String,
}

#[derive(Debug, Clone, Entity)]
pub struct Profile {
    pub id: i32,
    #[ff(belongs_to = Customer, unique)]
    pub customer_id: i64,
    pub bio: String,
}

#[derive(Debug, Clone, Entity)]
#[ff(table = "order")]
pub struct Order {
    pub id: i32,
    #[ff(belongs_to = Customer, on_delete = "cascade")]
    pub customer_id: i64,
    #[ff(index)]
    pub placed_at: chrono::NaiveDateTime,
}

#[derive(Debug, Clone, Entity)]
pub struct Product {
    pub id: i32,
    #[ff(length = 60)]
    pub name: String,
}

#[derive(Debug, Clone, Entity)]
pub struct Tag {
    pub id: i32,
    #[ff(unique, length = 40)]
    pub label: String,
}

#[derive(Debug, Clone, Default, Entity)]
#[ff(unique(product_id, tag_id))]
pub struct ProductTag {
    pub id: i32,
    #[ff(belongs_to = Product, on_delete = "cascade")]
    pub product_id: i32,
    #[ff(belongs_to = Tag, on_delete = "restrict")]
    pub tag_id: i32,
}
"#;

/// The fields of the types only some backends tell apart.
fn extra_fields(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "",
        Backend::Postgres => {
            "pub token: uuid::Uuid,\n    pub profile: Option<serde_json::Value>,\n    pub seen_at: chrono::DateTime<chrono::Utc>,"
        }
        Backend::Mysql => "pub token: uuid::Uuid,\n    pub profile: Option<serde_json::Value>,",
    }
}

/// A project on `database` with `entities`, depending on every crate a field type comes from.
fn project(database: &TestDatabase, entities: &str) -> TestProject {
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), database.url(), entities);
    let manifest = project.root().join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).expect("read Cargo.toml");
    text.push_str(
        "uuid = { version = \"1\", features = [\"v4\"] }\nserde_json = \"1\"\nbigdecimal = \"0.4\"\n",
    );
    std::fs::write(&manifest, text).expect("write Cargo.toml");
    project
}

fn entity_file(project: &TestProject, file: &str) -> String {
    std::fs::read_to_string(project.root().join("src/entities").join(file))
        .unwrap_or_else(|error| panic!("read {file}: {error}"))
}

#[test]
fn the_entities_imported_from_a_database_ff_created_declare_it_exactly() {
    each_backend_database(|database| {
        let backend = database.backend();
        let project = project(database, &DOMAIN.replace("{extra}", extra_fields(backend)));
        project
            .cargo_ff(&["database", "create-migration", "-m", "shop"])
            .ok();
        project.cargo_ff(&["database", "upgrade"]).ok();

        // The hand-written entities give way to the imported ones.
        project.write_entities("pub mod entities;\n");
        project
            .cargo_ff(&["database", "import"])
            .ok()
            .contains("✓ Imported 9 table(s) into src/entities/:")
            .contains("  match → TableMatch (table_match.rs)")
            .contains("  order → Order (order.rs)")
            .contains("  product_tag → ProductTag (product_tag.rs)");
        let customer = entity_file(&project, "customer.rs");
        for expected in [
            "#[ff(table = \"customer\", ",
            "index(city, joined_on)",
            "unique(email, city)",
            "has_many(order = Order)",
            "has_one(profile = Profile)",
            "#[ff(column = \"City\", length = 80)]\n    pub city: String,",
            "#[ff(column = \"type\", default = \"it's retail\")]\n    pub type_: String,",
            "#[ff(column = \"prénom\")]\n    pub pr_nom: Option<String>,",
            "#[ff(default = -1.5)]\n    pub balance: f64,",
            "#[ff(precision = 10, scale = 2)]\n    pub credit: bigdecimal::BigDecimal,",
            "#[ff(length = 2, belongs_to = Country, on_delete = \"set null\", on_update = \"cascade\")]",
        ] {
            assert!(customer.contains(expected), "{expected:?} in:\n{customer}");
        }
        let category = entity_file(&project, "category.rs");
        assert!(
            category.contains("#[ff(table = \"category\", has_many(category = Category))]"),
            "{category}"
        );
        assert!(!category.contains("use super"), "{category}");
        let product = entity_file(&project, "product.rs");
        assert!(
            product.contains("many_to_many(tag = Tag, through = ProductTag)"),
            "{product}"
        );
        let join = entity_file(&project, "product_tag.rs");
        assert!(join.contains("Default"), "{join}");
        assert!(entity_file(&project, "mod.rs").contains("pub mod order;\npub use order::Order;"),);

        project
            .cargo_ff(&["database", "create-migration", "--check"])
            .ok()
            .contains("No changes detected: the entities match the last migration.");

        // Adopting the database as if ff had not made it: without migrations, the first one
        // written from the imported entities creates exactly the tables it has.
        project
            .cargo_ff(&["database", "clear-migration", "--force"])
            .ok();
        project
            .cargo_ff(&["database", "create-migration", "-m", "initial"])
            .ok();
        project
            .cargo_ff(&["database", "upgrade", "--baseline"])
            .ok();
        project
            .cargo_ff(&["database", "status"])
            .ok()
            .contains("The database is up to date");

        // A second import would overwrite the files: refused without --force.
        project
            .cargo_ff(&["database", "import", "--tables", "tag"])
            .expect_code(1)
            .contains("these files exist:")
            .contains("tag.rs")
            .contains("help: pass --force to replace them");
        project
            .cargo_ff(&["database", "import", "--tables", "tag", "--force"])
            .ok()
            .contains("✓ Imported 1 table(s)");
        let mod_rs = entity_file(&project, "mod.rs");
        assert_eq!(mod_rs.matches("pub mod tag;\n").count(), 1, "{mod_rs}");
        project
            .cargo_ff(&["database", "import", "--tables", "order", "--out", "src/other"])
            .ok()
            .contains("✓ Imported 1 table(s) into src/other/:")
            .contains("note: Order refers to Customer (table `customer`), which this import does not write: the entities module must have it");
        assert!(project.root().join("src/other/order.rs").is_file());
        project
            .cargo_ff(&["database", "import", "--tables", "nope,tag"])
            .expect_code(1)
            .contains("--tables: no table nope in the database; its tables are: category, country, customer, match, order, product, product_tag, profile, tag");
    });
}

/// A schema written by hand: odd types each backend has, beside a table ff maps whole.
fn hand_written(backend: Backend) -> (&'static str, &'static [&'static str]) {
    match backend {
        Backend::Sqlite => (
            r#"CREATE TABLE "note" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "body" TEXT NOT NULL, "size" DOUBLE);
               CREATE TABLE "odd" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "label" VARCHAR(20), "anything", "stamp" DATETIME, "bare_id" INTEGER REFERENCES "bare" ("id"), CONSTRAINT "ck_odd_label" CHECK ("label" <> ''));
               CREATE TABLE "pair" ("a" INTEGER NOT NULL, "b" INTEGER NOT NULL, PRIMARY KEY ("a", "b"));
               CREATE TABLE "bare" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "blob_of" JSONB);"#,
            &[
                "table `bare` has nothing to declare but its generated key `id`",
                "foreign key `fk(bare_id)->bare(id)` of table `odd` (bare_id) → bare: the referenced table `bare` has nothing",
                "column `odd.anything` has no declared type (SQLite then stores any value in it)",
                "column `odd.stamp` has type `datetime`, which no field type of ff creates on sqlite",
                "check constraint `ck_odd_label` of table `odd`: ff reads the names of check constraints, not their expressions; declare it again with #[ff(check = \"…\")]",
                "table `pair` has a composite primary key (a, b)",
            ],
        ),
        Backend::Postgres => (
            r#"CREATE TABLE "note" ("id" SERIAL PRIMARY KEY, "body" TEXT NOT NULL, "size" DOUBLE PRECISION);
               CREATE TABLE "odd" ("id" INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "label" VARCHAR(20), "address" INET, "price" MONEY, "scores" INTEGER[], "token" UUID NOT NULL DEFAULT gen_random_uuid(), CONSTRAINT "ck_odd_label" CHECK ("label" <> ''));
               CREATE INDEX "odd_label_idx" ON "odd" ("label");
               CREATE TABLE "pair" ("a" INTEGER NOT NULL, "b" INTEGER NOT NULL, PRIMARY KEY ("a", "b"));"#,
            &[
                "column `odd.address` has type `inet`, which no field type of ff creates on postgres",
                "column `odd.price` has type `money`, which no field type of ff creates on postgres",
                "column `odd.scores` has type `integer[]`, which no field type of ff creates on postgres",
                "column `odd.token` has DEFAULT gen_random_uuid(), which no `default = …` of a text field declares",
                "check constraint `ck_odd_label` of table `odd`: ff reads the names of check constraints, not their expressions; declare it again with #[ff(check = \"…\")]",
                "table `pair` has a composite primary key (a, b)",
            ],
        ),
        Backend::Mysql => (
            r#"CREATE TABLE `note` (`id` INT AUTO_INCREMENT PRIMARY KEY, `body` TEXT NOT NULL, `size` DOUBLE);
               CREATE TABLE `odd` (`id` INT AUTO_INCREMENT PRIMARY KEY, `label` VARCHAR(20), `flags` SET('a','b'), `mood` ENUM('happy','sad') NOT NULL, `flag` TINYINT(1), INDEX `odd_label_idx` (`label`), CONSTRAINT `ck_odd_label` CHECK (`label` <> ''));
               CREATE TABLE `pair` (`a` INT NOT NULL, `b` INT NOT NULL, PRIMARY KEY (`a`, `b`));"#,
            &[
                "column `odd.flags` has type `set('a','b')`, which no field type of ff creates on mysql",
                "column `odd.mood` has type `enum('happy','sad')`, which no field type of ff creates on mysql",
                "check constraint `ck_odd_label` of table `odd`: ff reads the names of check constraints, not their expressions; declare it again with #[ff(check = \"…\")]",
                "table `pair` has a composite primary key (a, b)",
            ],
        ),
    }
}

#[test]
fn a_hand_written_schema_gets_each_type_mapped_or_refused_by_name() {
    each_backend_database(|database| {
        let backend = database.backend();
        let (sql, refusals) = hand_written(backend);
        database
            .connect()
            .batch_execute(sql)
            .expect("create the hand-written tables");
        let project = project(database, "pub mod entities;\n");

        let refused = project
            .cargo_ff(&["database", "import"])
            .expect_code(1)
            .contains("error: no entity can declare:")
            .contains("--skip-unsupported")
            .contains("nothing was written");
        for refusal in refusals {
            assert!(
                refused.text.contains(refusal),
                "{refusal:?} in:\n{}",
                refused.text
            );
        }
        assert!(!project.root().join("src/entities").exists());

        let skipped = project
            .cargo_ff(&["database", "import", "--skip-unsupported"])
            .ok()
            .contains("✓ Imported 2 table(s) into src/entities/:");
        for refusal in refusals {
            assert!(
                skipped
                    .text
                    .contains(&format!("warning: left out: {refusal}")),
                "{refusal:?} in:\n{}",
                skipped.text
            );
        }
        if backend != Backend::Sqlite {
            assert!(
                skipped.text.contains(
                    "note: index `odd_label_idx` of table `odd` is `ix_odd_label` in the entities"
                ),
                "{}",
                skipped.text
            );
        }
        let note = entity_file(&project, "note.rs");
        assert!(
            note.contains("pub body: String,\n    pub size: Option<f64>,"),
            "{note}"
        );
        let odd = entity_file(&project, "odd.rs");
        if backend == Backend::Mysql {
            assert!(odd.contains("pub flag: Option<bool>,"), "{odd}");
        }
        // What was mapped compiles, and the next migration creates what is left of it.
        project
            .cargo_ff(&["database", "create-migration", "--check"])
            .expect_code(4)
            .contains("+ table note")
            .contains("+ table odd");

        // The tables ff maps whole import without a warning.
        project
            .cargo_ff(&["database", "import", "--tables", "note", "--force"])
            .ok()
            .contains("✓ Imported 1 table(s)");
    });
}

/// Tables written by hand the way ff writes them: key, unique, index, foreign key, defaults.
fn adoptable(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            r#"CREATE TABLE "author" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "name" VARCHAR(80) NOT NULL UNIQUE, "born" DATE);
               CREATE TABLE "book" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "author_id" INTEGER NOT NULL REFERENCES "author" ("id") ON DELETE CASCADE, "title" VARCHAR(200) NOT NULL DEFAULT 'untitled', "price" DECIMAL(8, 2));
               CREATE INDEX "ix_book_title" ON "book" ("title");
               CREATE TABLE "edition" ("number" INTEGER PRIMARY KEY, "label" TEXT NOT NULL);"#
        }
        Backend::Postgres => {
            r#"CREATE TABLE "author" ("id" SERIAL PRIMARY KEY, "name" VARCHAR(80) NOT NULL CONSTRAINT "uq_author_name" UNIQUE, "born" DATE);
               CREATE TABLE "book" ("id" SERIAL PRIMARY KEY, "author_id" INTEGER NOT NULL CONSTRAINT "fk_book_author_id" REFERENCES "author" ("id") ON DELETE CASCADE, "title" VARCHAR(200) NOT NULL DEFAULT 'untitled', "price" NUMERIC(8, 2));
               CREATE INDEX "ix_book_title" ON "book" ("title");
               CREATE TABLE "edition" ("number" INTEGER PRIMARY KEY, "label" TEXT NOT NULL);"#
        }
        Backend::Mysql => {
            r#"CREATE TABLE `author` (`id` INT AUTO_INCREMENT PRIMARY KEY, `name` VARCHAR(80) NOT NULL, `born` DATE, CONSTRAINT `uq_author_name` UNIQUE (`name`));
               CREATE TABLE `book` (`id` INT AUTO_INCREMENT PRIMARY KEY, `author_id` INT NOT NULL, `title` VARCHAR(200) NOT NULL DEFAULT 'untitled', `price` DECIMAL(8, 2), INDEX `ix_book_title` (`title`), CONSTRAINT `fk_book_author_id` FOREIGN KEY (`author_id`) REFERENCES `author` (`id`) ON DELETE CASCADE);
               CREATE TABLE `edition` (`number` INT PRIMARY KEY, `label` TEXT NOT NULL);"#
        }
    }
}

#[test]
fn a_database_made_without_ff_is_adopted_through_import_and_a_baseline() {
    each_backend_database(|database| {
        let backend = database.backend();
        let project = project(database, "pub mod entities;\n");
        project
            .cargo_ff(&["database", "import"])
            .expect_code(1)
            .contains("nothing to import: the database has no tables");
        let mut conn = database.connect();
        conn.batch_execute(adoptable(backend))
            .expect("create the hand-written tables");
        conn.batch_execute("INSERT INTO author (name) VALUES ('Ursula')")
            .expect("insert a row");
        let imported = project.cargo_ff(&["database", "import"]).ok();
        assert!(!imported.text.contains("note:"), "{}", imported.text);
        let book = entity_file(&project, "book.rs");
        assert!(
            book.contains(
                "#[ff(length = 200, default = \"untitled\", index)]\n    pub title: String,"
            ),
            "{book}"
        );
        // A key the database does not generate keeps its type, so that ff does not either.
        let sql_type = if backend == Backend::Mysql {
            "INT"
        } else {
            "INTEGER"
        };
        let edition = entity_file(&project, "edition.rs");
        assert!(
            edition.contains(&format!(
                "#[ff(primary_key, sql_type = \"{sql_type}\")]\n    pub number: i32,"
            )),
            "{edition}"
        );
        project
            .cargo_ff(&["database", "create-migration", "-m", "initial"])
            .ok();
        project
            .cargo_ff(&["database", "upgrade", "--baseline"])
            .ok()
            .contains("recorded as applied (not run: its tables exist)");
        project
            .cargo_ff(&["database", "status"])
            .ok()
            .contains("The database is up to date");
        assert_eq!(ff_tests::backends::row_count(&mut conn, "author"), 1);
    });
}
