//! Property test of the migration engine on real databases: random sequences of entity-schema
//! changes are diffed, written as migration folders and applied. After each upgrade the
//! introspected schema equals the migration's snapshot; after a downgrade it equals the
//! previous one; values in untouched columns survive both.
//!
//! Cases: `FF_MIGRATION_CASES_SQLITE` (default 200) and `FF_MIGRATION_CASES_SERVER` (default
//! 40 on PostgreSQL and on MySQL). A failing case prints its seed; rerun it alone with
//! `FF_MIGRATION_SEED=<seed>`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;

use diesel::RunQueryDsl;
use diesel::sql_types::{Nullable, Text};
use ff_runtime::introspect::{compare, compare_ignoring_column_order, expected_live, live_schema};
use ff_runtime::migration::{
    self, DowngradeTarget, History, MigrationDir, MigrationFile, Schema, UpgradeTarget,
};
use ff_runtime::schema::{
    CheckDef, ColumnDef, ColumnType, DefaultValue, ForeignKeyDef, IndexDef, ReferentialAction,
    TableDef, UniqueDef,
};
use ff_runtime::{Backend, Connection, with_connection};
use ff_tests::backends::{each_backend_database, scratch_dir};

/// xorshift64*: small, deterministic, good enough to pick schema changes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

fn text(name: &str) -> Cow<'static, str> {
    Cow::Owned(name.to_owned())
}

fn column(name: &str, sql_type: ColumnType, nullable: bool) -> ColumnDef {
    ColumnDef::new(name.to_owned(), sql_type, nullable)
}

const TYPES: [ColumnType; 6] = [
    ColumnType::Integer,
    ColumnType::BigInt,
    ColumnType::Varchar(40),
    ColumnType::Text,
    ColumnType::Boolean,
    ColumnType::Double,
];

fn default_for(sql_type: &ColumnType, rng: &mut Rng) -> DefaultValue {
    match sql_type {
        ColumnType::Boolean => DefaultValue::Bool(rng.chance(50)),
        ColumnType::Double => DefaultValue::Float(rng.below(100) as f64 / 4.0),
        ColumnType::Integer | ColumnType::BigInt => DefaultValue::Int(rng.below(1000) as i64),
        _ => DefaultValue::Text(text(["x", "it's", "ü"][rng.below(3)])),
    }
}

/// A random column that can be added to a table holding rows.
fn random_column(name: String, rng: &mut Rng) -> ColumnDef {
    let sql_type = rng.pick(&TYPES).unwrap().clone();
    let nullable = rng.chance(50);
    let mut column = column(&name, sql_type, nullable);
    if !nullable || rng.chance(30) {
        column.default = Some(default_for(&column.sql_type, rng));
    }
    column
}

/// The entities as a user would edit them: one random change at a time.
struct Entities {
    schema: Schema,
    counter: usize,
}

impl Entities {
    fn fresh(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{}", self.counter)
    }

    fn change(&mut self, rng: &mut Rng) {
        for table in &mut self.schema.tables {
            table.renamed_from = None;
            for column in table.columns.to_mut() {
                column.renamed_from = None;
            }
        }
        let tables = self.schema.tables.len();
        match rng.below(15) {
            _ if tables == 0 => self.add_table(rng),
            0 if tables < 4 => self.add_table(rng),
            1 if tables > 1 => self.drop_table(rng),
            2 => self.rename_table(rng),
            3 | 4 => {
                let name = self.fresh("c");
                let table = self.random_table(rng);
                let column = random_column(name, rng);
                table.columns.to_mut().push(column);
            }
            5 => self.with_plain_column(rng, |table, index| {
                table.columns.to_mut().remove(index);
            }),
            6 => {
                let name = self.fresh("r");
                self.with_plain_column(rng, |table, index| {
                    let column = &mut table.columns.to_mut()[index];
                    column.renamed_from = Some(column.name.clone());
                    column.name = text(&name);
                });
            }
            7 => self.with_plain_column(rng, |table, index| {
                let column = &mut table.columns.to_mut()[index];
                column.sql_type = match &column.sql_type {
                    ColumnType::Integer => ColumnType::BigInt,
                    ColumnType::Varchar(n) if *n > 40 => ColumnType::Varchar(40),
                    ColumnType::Varchar(_) => ColumnType::Varchar(80),
                    ColumnType::Text => ColumnType::Varchar(60),
                    other => other.clone(),
                };
            }),
            8 => self.with_plain_column(rng, |table, index| {
                let column = &mut table.columns.to_mut()[index];
                if column.nullable {
                    if column.default.is_some() {
                        column.nullable = false;
                    }
                } else {
                    column.nullable = true;
                }
            }),
            9 => {
                let seed = rng.next();
                self.with_plain_column(rng, |table, index| {
                    let column = &mut table.columns.to_mut()[index];
                    let mut rng = Rng(seed | 1);
                    column.default = if column.nullable && rng.chance(40) {
                        None
                    } else {
                        Some(default_for(&column.sql_type, &mut rng))
                    };
                });
            }
            10 | 11 => self.toggle_index(rng),
            12 => self.add_foreign_key(rng),
            13 => {
                let table = self.random_table(rng);
                table.foreign_keys.to_mut().pop();
            }
            _ => self.toggle_check(rng),
        }
    }

    fn random_table(&mut self, rng: &mut Rng) -> &mut TableDef {
        let index = rng.below(self.schema.tables.len());
        &mut self.schema.tables[index]
    }

    fn add_table(&mut self, rng: &mut Rng) {
        let name = self.fresh("t");
        let mut id = column("id", ColumnType::BigInt, false);
        id.primary_key = true;
        id.auto_increment = true;
        let mut columns = vec![id];
        for _ in 0..=rng.below(3) {
            let name = self.fresh("c");
            columns.push(random_column(name, rng));
        }
        self.schema.tables.push(TableDef {
            name: text(&name),
            columns: columns.into(),
            indexes: Cow::Borrowed(&[]),
            uniques: Cow::Borrowed(&[]),
            checks: Cow::Borrowed(&[]),
            foreign_keys: Cow::Borrowed(&[]),
            renamed_from: None,
        });
        self.schema.tables.sort_by(|a, b| a.name.cmp(&b.name));
    }

    fn drop_table(&mut self, rng: &mut Rng) {
        let index = rng.below(self.schema.tables.len());
        let dropped = self.schema.tables.remove(index).name;
        for table in &mut self.schema.tables {
            let kept: Vec<ForeignKeyDef> = table
                .foreign_keys
                .iter()
                .filter(|fk| fk.referenced_table != dropped)
                .cloned()
                .collect();
            let orphaned: Vec<_> = table
                .foreign_keys
                .iter()
                .filter(|fk| fk.referenced_table == dropped)
                .flat_map(|fk| fk.columns.iter().cloned())
                .collect();
            table.foreign_keys = kept.into();
            table
                .columns
                .to_mut()
                .retain(|column| !orphaned.contains(&column.name));
            table
                .indexes
                .to_mut()
                .retain(|index| !index.columns.iter().any(|c| orphaned.contains(c)));
        }
    }

    fn rename_table(&mut self, rng: &mut Rng) {
        let name = self.fresh("t");
        let table = self.random_table(rng);
        let old = table.name.clone();
        table.renamed_from = Some(old.clone());
        table.name = text(&name);
        for table in &mut self.schema.tables {
            for fk in table.foreign_keys.to_mut() {
                if fk.referenced_table == old {
                    fk.referenced_table = text(&name);
                }
            }
        }
        self.schema.tables.sort_by(|a, b| a.name.cmp(&b.name));
    }

    /// Changes a column that no index or foreign key covers (and is not the key).
    fn with_plain_column(&mut self, rng: &mut Rng, change: impl FnOnce(&mut TableDef, usize)) {
        let table = self.random_table(rng);
        let covered = |name: &str| {
            table
                .indexes
                .iter()
                .any(|i| i.columns.iter().any(|c| c == name))
                || table
                    .uniques
                    .iter()
                    .any(|u| u.columns.iter().any(|c| c == name))
                || table
                    .foreign_keys
                    .iter()
                    .any(|f| f.columns.iter().any(|c| c == name))
                || table.checks.iter().any(|k| k.expression.contains(name))
        };
        let plain: Vec<usize> = (0..table.columns.len())
            .filter(|&i| !table.columns[i].primary_key && !covered(&table.columns[i].name))
            .collect();
        if let Some(&index) = rng.pick(&plain) {
            change(table, index);
        }
    }

    fn toggle_index(&mut self, rng: &mut Rng) {
        let unique_column = self.fresh("u");
        let table = self.random_table(rng);
        if !table.indexes.is_empty() && rng.chance(60) {
            table.indexes.to_mut().pop();
        } else if !table.uniques.is_empty() && rng.chance(60) {
            table.uniques.to_mut().pop();
        } else if rng.chance(30) {
            // A new nullable column: existing rows hold NULL, which no unique constraint
            // counts, and new rows get distinct values.
            let name = format!("uq_{}_{unique_column}", table.name);
            table
                .columns
                .to_mut()
                .push(column(&unique_column, ColumnType::Varchar(40), true));
            table.uniques.to_mut().push(UniqueDef {
                name: text(&name),
                columns: vec![text(&unique_column)].into(),
            });
        } else {
            let candidates: Vec<String> = table
                .columns
                .iter()
                .filter(|c| !c.primary_key && !matches!(c.sql_type, ColumnType::Text))
                .map(|c| c.name.to_string())
                .collect();
            let Some(column) = rng.pick(&candidates).cloned() else {
                return;
            };
            let name = format!("ix_{}_{column}", table.name);
            if !table.indexes.iter().any(|i| i.name == name) {
                table.indexes.to_mut().push(IndexDef {
                    name: text(&name),
                    columns: vec![text(&column)].into(),
                    unique: false,
                    predicate: None,
                });
            }
        }
    }

    /// Adds `<column> >= 0` on a numeric column (every generated value is), or drops a check.
    fn toggle_check(&mut self, rng: &mut Rng) {
        let table = self.random_table(rng);
        if !table.checks.is_empty() && rng.chance(50) {
            table.checks.to_mut().pop();
            return;
        }
        let candidates: Vec<String> = table
            .columns
            .iter()
            .filter(|c| {
                !c.primary_key
                    && !c.name.starts_with('p')
                    && matches!(c.sql_type, ColumnType::Integer | ColumnType::BigInt)
            })
            .map(|c| c.name.to_string())
            .collect();
        if let Some(column) = rng.pick(&candidates) {
            let name = format!("ck_{}_{column}", table.name);
            if !table.checks.iter().any(|k| k.name == name) {
                table.checks.to_mut().push(CheckDef {
                    name: text(&name),
                    expression: text(&format!("{column} >= 0")),
                });
            }
        }
    }

    fn add_foreign_key(&mut self, rng: &mut Rng) {
        let parent = rng.pick(&self.schema.tables).unwrap().name.clone();
        let name = self.fresh("p");
        let table = self.random_table(rng);
        let column = column(&name, ColumnType::BigInt, true);
        table.columns.to_mut().push(column);
        let action = [
            ReferentialAction::NoAction,
            ReferentialAction::Cascade,
            ReferentialAction::SetNull,
        ][rng.below(3)];
        table.foreign_keys.to_mut().push(ForeignKeyDef {
            name: text(&format!("fk_{}_{name}", table.name)),
            columns: vec![text(&name)].into(),
            referenced_table: parent,
            referenced_columns: vec![text("id")].into(),
            on_delete: action,
            on_update: ReferentialAction::NoAction,
        });
    }
}

#[derive(diesel::QueryableByName)]
struct Cell {
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
}

/// Every value of `column`, as text, ordered by key.
fn values(conn: &mut Connection, table: &str, column: &str) -> Vec<Option<String>> {
    let dialect = conn.backend().dialect();
    let cast = match conn.backend() {
        Backend::Mysql => "CHAR",
        _ => "TEXT",
    };
    let sql = format!(
        "SELECT CAST({} AS {cast}) AS value FROM {} ORDER BY {}",
        dialect.quote(column),
        dialect.quote(table),
        dialect.quote("id")
    );
    with_connection!(conn, |c| diesel::sql_query(&sql).load::<Cell>(c))
        .unwrap_or_else(|error| panic!("{sql}: {error}"))
        .into_iter()
        .map(|cell| cell.value)
        .collect()
}

/// A literal of the column's type for row `n` (foreign keys stay NULL).
fn literal(column: &ColumnDef, n: u64, backend: Backend) -> String {
    let dialect = backend.dialect();
    if column.name.starts_with('p') {
        return "NULL".into();
    }
    match &column.sql_type {
        ColumnType::Boolean => dialect.bool_literal(n.is_multiple_of(2)).into(),
        ColumnType::Double => format!("{}.25", n % 97),
        ColumnType::Integer | ColumnType::BigInt => (n % 10_000).to_string(),
        _ => dialect.string_literal(&format!("v{n}é")),
    }
}

fn insert_rows(conn: &mut Connection, schema: &Schema, rng: &mut Rng) {
    let backend = conn.backend();
    let dialect = backend.dialect();
    for table in &schema.tables {
        for _ in 0..2 {
            let n = rng.next() % 1_000_000;
            let columns: Vec<&ColumnDef> =
                table.columns.iter().filter(|c| !c.primary_key).collect();
            let sql = if columns.is_empty() {
                match backend {
                    Backend::Mysql => {
                        format!("INSERT INTO {} () VALUES ()", dialect.quote(&table.name))
                    }
                    _ => format!("INSERT INTO {} DEFAULT VALUES", dialect.quote(&table.name)),
                }
            } else {
                format!(
                    "INSERT INTO {} ({}) VALUES ({})",
                    dialect.quote(&table.name),
                    columns
                        .iter()
                        .map(|c| dialect.quote(&c.name))
                        .collect::<Vec<_>>()
                        .join(", "),
                    columns
                        .iter()
                        .map(|c| literal(c, n, backend))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            conn.batch_execute(&sql)
                .unwrap_or_else(|error| panic!("{sql}: {error}"));
        }
    }
}

/// The values of every column that `after` keeps exactly as it was in `before`.
fn untouched_values(
    conn: &mut Connection,
    before: &Schema,
    after: &Schema,
) -> BTreeMap<(String, String), Vec<Option<String>>> {
    let mut kept = BTreeMap::new();
    for table in &before.tables {
        let Some(later) = after.table(&table.name) else {
            continue;
        };
        for column in table.columns.iter() {
            if later.columns.iter().any(|c| c == column) {
                let key = (table.name.to_string(), column.name.to_string());
                kept.insert(key, values(conn, &table.name, &column.name));
            }
        }
    }
    kept
}

/// The live schema equals `snapshot`; after a downgrade (`in_order` false) columns added back
/// may sit at the end of their table.
#[track_caller]
fn assert_live_schema_is(
    conn: &mut Connection,
    snapshot: &Schema,
    in_order: bool,
    seed: u64,
    when: &str,
) {
    let live = live_schema(conn).expect("introspect");
    let expected = expected_live(snapshot, conn.backend());
    let differences = if in_order {
        compare(&expected, &live)
    } else {
        compare_ignoring_column_order(&expected, &live)
    };
    assert!(
        differences.is_empty(),
        "seed {seed}, {when}: {differences:#?}"
    );
    if conn.backend() == Backend::Mysql {
        // Text compares trailing spaces as on the other databases: no PAD SPACE collation, on
        // the tables and on every text column (added columns included).
        let version: String = with_connection!(conn, |c| {
            diesel::select(diesel::dsl::sql::<Text>("VERSION()")).get_result(c)
        })
        .expect("read the server version");
        let collation = ff_runtime::dialect::no_pad_collation(&version);
        let query = format!(
            "(SELECT COUNT(*) FROM information_schema.columns c JOIN information_schema.tables t \
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = DATABASE() AND c.table_name NOT LIKE '\\_\\_%' \
             AND (t.table_collation <> '{collation}' \
             OR (c.collation_name IS NOT NULL AND c.collation_name <> '{collation}')))"
        );
        let padded: i64 = with_connection!(conn, |c| {
            diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&query)).get_result(c)
        })
        .expect("read collations");
        assert_eq!(
            padded, 0,
            "seed {seed}, {when}: a table or column pads with spaces"
        );
    }
}

/// One case: a random sequence of changes, each migrated up (and sometimes down and up again),
/// then everything reverted to the base.
fn run_case(conn: &mut Connection, seed: u64, kinds: &mut BTreeMap<String, usize>) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let dir: PathBuf = scratch_dir().join("migration-properties").join(format!(
        "{}-{seed}-{}",
        conn.backend(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let mut entities = Entities {
        schema: Schema::default(),
        counter: 0,
    };
    let steps = 3 + rng.below(6);
    for step in 0..steps {
        entities.change(&mut rng);
        let history = History::load(&dir).expect("load migrations");
        let head = history.head_schema();
        let mut operations = migration::diff(&head, &entities.schema);
        if operations.is_empty() {
            continue;
        }
        for (table, column) in migration::missing_backfills(&operations) {
            let sql_type = entities
                .schema
                .table(&table)
                .unwrap()
                .columns
                .iter()
                .find(|c| c.name == column)
                .unwrap()
                .sql_type
                .clone();
            let zero = migration::zero_value(&sql_type).unwrap();
            migration::set_backfill(&mut operations, &table, &column, zero);
        }
        for operation in &operations {
            if std::env::var_os("FF_MIGRATION_DEBUG").is_some() {
                eprintln!("step {step}: {}", migration::describe(operation));
            }
            let kind = serde_json::to_value(operation).expect("serialize")["op"].to_string();
            *kinds.entry(kind).or_default() += 1;
        }
        let mut after = head.clone();
        after
            .apply_all(&operations)
            .expect("the diff applies to its own snapshot");
        assert!(
            migration::equivalent(&after, &entities.schema),
            "seed {seed}, step {step}: the migrated schema differs from the entities"
        );
        let file = MigrationFile {
            version: history.next_version(chrono::Utc::now()),
            message: format!("step {step}"),
            parent: history.head().map(|h| h.version().to_owned()),
            data_loss: operations.iter().filter_map(|op| op.data_loss()).collect(),
            reverse: migration::reverse_all(&operations),
            operations,
        };
        MigrationDir::write(&dir, &file, &after.snapshot()).expect("write migration");
        let history = History::load(&dir).expect("load migrations");
        let snapshot = history.head_schema();

        let kept = untouched_values(conn, &head, &snapshot);
        migration::upgrade(conn, &history, &UpgradeTarget::Head, true, |_| {})
            .unwrap_or_else(|error| panic!("seed {seed}, step {step}, upgrade: {error}"));
        assert_live_schema_is(
            conn,
            &snapshot,
            true,
            seed,
            &format!("step {step} after upgrade"),
        );
        for ((table, column), before) in &kept {
            assert_eq!(
                &values(conn, table, column),
                before,
                "seed {seed}, step {step}: {table}.{column} changed"
            );
        }

        if rng.chance(40) {
            let kept = untouched_values(conn, &snapshot, &head);
            migration::downgrade(conn, &history, &DowngradeTarget::Steps(1), true, |_| {})
                .unwrap_or_else(|error| panic!("seed {seed}, step {step}, downgrade: {error}"));
            assert_live_schema_is(
                conn,
                &head,
                false,
                seed,
                &format!("step {step} after downgrade"),
            );
            for ((table, column), before) in &kept {
                assert_eq!(
                    &values(conn, table, column),
                    before,
                    "seed {seed}, step {step}: {table}.{column} changed by the downgrade"
                );
            }
            migration::upgrade(conn, &history, &UpgradeTarget::Head, true, |_| {})
                .unwrap_or_else(|error| panic!("seed {seed}, step {step}, re-upgrade: {error}"));
            assert_live_schema_is(
                conn,
                &snapshot,
                true,
                seed,
                &format!("step {step} re-upgraded"),
            );
        }
        insert_rows(conn, &snapshot, &mut rng);
    }
    let history = History::load(&dir).expect("load migrations");
    migration::downgrade(conn, &history, &DowngradeTarget::Base, true, |_| {})
        .unwrap_or_else(|error| panic!("seed {seed}, downgrade to base: {error}"));
    assert_live_schema_is(conn, &Schema::default(), true, seed, "at the base");
    let _ = std::fs::remove_dir_all(&dir);
}

fn cases(backend: Backend) -> u64 {
    let (variable, default) = match backend {
        Backend::Sqlite => ("FF_MIGRATION_CASES_SQLITE", 200),
        _ => ("FF_MIGRATION_CASES_SERVER", 40),
    };
    std::env::var(variable)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn random_schema_changes_migrate_up_and_down_with_the_data() {
    let only: Option<u64> = std::env::var("FF_MIGRATION_SEED")
        .ok()
        .and_then(|v| v.parse().ok());
    each_backend_database(|database| {
        let mut conn = database.connect();
        let mut kinds = BTreeMap::new();
        match only {
            Some(seed) => run_case(&mut conn, seed, &mut kinds),
            None => {
                let cases = cases(database.backend());
                (1..=cases).for_each(|seed| run_case(&mut conn, seed, &mut kinds));
                // The generator must reach the operations it is meant to test.
                if cases >= 20 {
                    assert!(kinds.len() >= 13, "{kinds:?}");
                }
            }
        }
        eprintln!("{}: operations applied {kinds:?}", database.backend());
    });
}
