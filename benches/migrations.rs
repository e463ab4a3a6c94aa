//! The migration engine at scale: diffing a schema of 500 entities × 20 columns against a
//! changed copy, and rendering plus applying 100 migrations to a fresh SQLite database.
//!
//! `cargo bench -p ff-tests --bench migrations`; the figures are in `docs/performance.md`.

use std::borrow::Cow;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ff_runtime::Connection;
use ff_runtime::migration::{self, History, MigrationDir, MigrationFile, Schema, UpgradeTarget};
use ff_runtime::schema::{ColumnDef, ColumnType, IndexDef, TableDef};

fn column(name: String, sql_type: ColumnType, nullable: bool) -> ColumnDef {
    ColumnDef::new(name, sql_type, nullable)
}

fn table(index: usize, columns: usize) -> TableDef {
    let mut id = column("id".into(), ColumnType::BigInt, false);
    id.primary_key = true;
    id.auto_increment = true;
    let types = [
        ColumnType::Integer,
        ColumnType::Varchar(100),
        ColumnType::Double,
        ColumnType::Boolean,
        ColumnType::Text,
    ];
    let mut all = vec![id];
    all.extend((1..columns).map(|c| column(format!("c{c}"), types[c % 5].clone(), c % 3 == 0)));
    TableDef {
        name: Cow::Owned(format!("entity_{index:03}")),
        columns: all.into(),
        indexes: vec![IndexDef {
            name: Cow::Owned(format!("ix_entity_{index:03}_c1")),
            columns: vec![Cow::Borrowed("c1")].into(),
            unique: false,
            predicate: None,
        }]
        .into(),
        uniques: Cow::Borrowed(&[]),
        checks: Cow::Borrowed(&[]),
        foreign_keys: Cow::Borrowed(&[]),
        renamed_from: None,
    }
}

/// 500 tables of 20 columns, and the same with every tenth table changed: a column added, one
/// widened, one renamed by hint, and the index dropped.
fn schemas() -> (Schema, Schema) {
    let old = Schema::new((0..500).map(|i| table(i, 20)));
    let mut new = old.clone();
    for table in new.tables.iter_mut().step_by(10) {
        let columns = table.columns.to_mut();
        columns.push(column("added".into(), ColumnType::Text, true));
        columns[2].sql_type = ColumnType::Varchar(200);
        columns[4].renamed_from = Some(columns[4].name.clone());
        columns[4].name = Cow::Borrowed("renamed");
        table.indexes = Cow::Borrowed(&[]);
    }
    (old, new)
}

fn diff(c: &mut Criterion) {
    let (old, new) = schemas();
    assert_eq!(migration::diff(&old, &new).len(), 200);
    let mut group = c.benchmark_group("migrations");
    group.bench_function("diff 500 entities x 20 columns", |b| {
        b.iter(|| migration::diff(&old, &new))
    });
    group.bench_function("diff 500 entities x 20 columns, unchanged", |b| {
        b.iter(|| migration::diff(&old, &old))
    });
    group.finish();
}

/// 100 migrations: 20 tables created, then columns added, indexes made, columns changed.
fn write_history() -> (PathBuf, History) {
    let dir =
        ff_tests::backends::scratch_dir().join(format!("bench-migrations-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut entities = Schema::default();
    for step in 0..100 {
        match step {
            0..20 => entities.tables.push(table(step, 8)),
            _ => {
                let table = &mut entities.tables[step % 20];
                let columns = table.columns.to_mut();
                match step / 20 {
                    1 | 2 => columns.push(column(format!("x{step}"), ColumnType::Integer, true)),
                    3 => columns[2].sql_type = ColumnType::Varchar(255),
                    _ => columns[3].nullable = true,
                }
            }
        }
        let history = History::load(&dir).expect("load");
        let head = history.head_schema();
        let operations = migration::diff(&head, &entities);
        let mut after = head.clone();
        after.apply_all(&operations).expect("apply");
        let file = MigrationFile {
            version: format!("{}", 20_260_000_000_000_u64 + step as u64),
            message: format!("step {step}"),
            parent: history.head().map(|h| h.version().to_owned()),
            reverse: migration::reverse_all(&operations),
            data_loss: Vec::new(),
            operations,
        };
        MigrationDir::write(&dir, &file, &after.snapshot()).expect("write");
    }
    let history = History::load(&dir).expect("load");
    assert_eq!(history.migrations.len(), 100);
    (dir, history)
}

fn apply(c: &mut Criterion) {
    let (dir, history) = write_history();
    let mut group = c.benchmark_group("migrations");
    group
        .measurement_time(Duration::from_secs(10))
        .sample_size(20);
    group.bench_function("render and apply 100 migrations on sqlite", |b| {
        b.iter_batched(
            || Connection::establish("sqlite://:memory:").expect("connect"),
            |mut conn| {
                let applied =
                    migration::upgrade(&mut conn, &history, &UpgradeTarget::Head, true, |_| {})
                        .expect("upgrade");
                assert_eq!(applied.len(), 100);
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
    let _ = std::fs::remove_dir_all(dir);
}

criterion_group!(benches, diff, apply);
criterion_main!(benches);
