#!/usr/bin/env python3
"""Times `cargo check` of a schema crate of many entities, written for ff and for plain Diesel.

Generates two throwaway crates with the same tables (ENTITIES entities of COLUMNS columns each,
mixed types): one with `#[derive(Entity)]` on plain structs (depending on ff-runtime only), one
with Diesel's `table!` and the five derives a Diesel user writes (Queryable, Selectable,
Insertable, AsChangeset, Identifiable). Dependencies are built first; then each crate is
re-checked RUNS times after touching its root, without incremental compilation (the full check
of the crate alone), and RUNS times, incrementally, after one entity gains or loses a field; the
medians are printed with the ff/Diesel ratio.

    python3 benches/compile_time.py [--entities 100] [--columns 10] [--runs 3]

The crates and their shared target dir live under target/compile-time/ (or under
$CARGO_TARGET_DIR/compile-time/).
"""
import argparse
import os
import pathlib
import resource
import statistics
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent

# (Rust type, Diesel SQL type) cycled over the non-key columns.
COLUMN_TYPES = [
    ("String", "Text"),
    ("i32", "Integer"),
    ("Option<String>", "Nullable<Text>"),
    ("i64", "BigInt"),
    ("f64", "Double"),
    ("bool", "Bool"),
    ("chrono::NaiveDateTime", "Timestamp"),
    ("Option<i32>", "Nullable<Integer>"),
    ("chrono::NaiveDate", "Date"),
]


def columns(count):
    return [(f"c{i}", *COLUMN_TYPES[(i - 1) % len(COLUMN_TYPES)]) for i in range(1, count)]


def ff_entity(n, cols):
    fields = "\n".join(f"    pub {name}: {rust}," for name, rust, _ in cols)
    return (
        "use ff_runtime::prelude::*;\n\n"
        "#[derive(Entity, Debug, Clone, PartialEq)]\n"
        f"pub struct Entity{n} {{\n    pub id: i32,\n{fields}\n}}\n"
    )


def diesel_entity(n, cols):
    table = f"entity{n}s"
    sql_columns = "\n".join(f"        {name} -> {sql}," for name, _, sql in cols)
    fields = "\n".join(f"    pub {name}: {rust}," for name, rust, _ in cols)
    return (
        "use diesel::prelude::*;\n\n"
        "diesel::table! {\n"
        f"    {table} (id) {{\n        id -> Integer,\n{sql_columns}\n    }}\n}}\n\n"
        "#[derive(Queryable, Selectable, Insertable, AsChangeset, Identifiable, Debug, Clone, PartialEq)]\n"
        f"#[diesel(table_name = {table})]\n"
        f"pub struct Entity{n} {{\n    pub id: i32,\n{fields}\n}}\n"
    )


def write_crate(directory, name, dependencies, entity, count, cols):
    src = directory / "src" / "entities"
    src.mkdir(parents=True, exist_ok=True)
    (directory / "Cargo.toml").write_text(
        f'[package]\nname = "{name}"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n'
        f"[dependencies]\n{dependencies}\n\n[workspace]\n"
    )
    (directory / "src" / "lib.rs").write_text("pub mod entities;\n")
    modules = "".join(f"pub mod entity{n};\n" for n in range(count))
    (src.parent / "entities.rs").write_text(modules)
    for n in range(count):
        path = src / f"entity{n}.rs"
        text = entity(n, cols)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


def check(directory, target, incremental=False):
    """CPU seconds (user + system) of one `cargo check`: steadier than wall time when other
    work shares the machine; the compiler front end is single-threaded, so on an idle machine
    the two agree."""
    env = dict(os.environ, CARGO_TARGET_DIR=str(target), CARGO_INCREMENTAL=str(int(incremental)))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["cargo", "check", "--quiet"], cwd=directory, env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def full_check(directory, target, runs):
    """The crate checked from scratch (its dependencies built): root touched, no incremental."""
    times = []
    for _ in range(runs):
        (directory / "src" / "lib.rs").touch()
        times.append(check(directory, target))
    return statistics.median(times)


def edited_check(directory, target, entity, cols, runs):
    """Incremental re-check after one entity gains (or loses) a field."""
    path = directory / "src" / "entities" / "entity0.rs"
    check(directory, target, incremental=True)
    times = []
    for run in range(runs):
        extra = [("edited", "i32", "Integer")] if run % 2 == 0 else []
        path.write_text(entity(0, cols + extra))
        times.append(check(directory, target, incremental=True))
    path.write_text(entity(0, cols))
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=100)
    parser.add_argument("--columns", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    target_root = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    work = target_root / "compile-time"
    target = work / "target"
    cols = columns(args.columns)
    diesel_features = (
        'features = ["sqlite", "postgres", "chrono", "32-column-tables"], default-features = false'
    )
    crates = {
        "ff": (
            work / "ff_schema",
            f'ff-runtime = {{ path = "{ROOT / "ff-runtime"}" }}\nchrono = "0.4"',
            ff_entity,
        ),
        "diesel": (
            work / "diesel_schema",
            f'diesel = {{ version = "2.3", {diesel_features} }}\nchrono = "0.4"',
            diesel_entity,
        ),
    }
    results = {}
    for name, (directory, dependencies, entity) in crates.items():
        write_crate(directory, f"{name}_schema", dependencies, entity, args.entities, cols)
        check(directory, target)  # dependencies, and a first check of the crate
        full = full_check(directory, target, args.runs)
        one = edited_check(directory, target, entity, cols, args.runs)
        results[name] = (full, one)

    print(f"cargo check (CPU seconds), {args.entities} entities x {args.columns} columns, median of {args.runs}")
    print("| crate | full check | one entity edited (incremental) |")
    print("|---|---|---|")
    for name, (full, one) in results.items():
        print(f"| {name} | {full:.2f} s | {one:.2f} s |")
    (ff_full, ff_one), (diesel_full, diesel_one) = results["ff"], results["diesel"]
    print(f"| ff / diesel | {ff_full / diesel_full:.2f} | {ff_one / diesel_one:.2f} |")


if __name__ == "__main__":
    main()
