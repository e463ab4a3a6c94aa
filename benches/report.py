#!/usr/bin/env python3
"""Prints the ff / hand-written Diesel ratios of the last `cargo bench` run as a Markdown table.

Reads criterion's estimates under target/criterion: for each group (backend/operation) and
size, the mean time of the `ff` function divided by that of the `diesel` function.
"""
import json
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion"


def mean_ns(path):
    with open(path / "new" / "estimates.json") as f:
        return json.load(f)["mean"]["point_estimate"]


def fmt(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.2f} {unit}"
    return f"{ns:.0f} ns"


rows = []
limit = float(sys.argv[1]) if len(sys.argv) > 1 else 1.10
order = {"sqlite": 0, "postgres": 1, "mysql": 2}
# Criterion names a group "<backend>/<operation>" as the directory "<backend>_<operation>".
groups = [g for g in root.iterdir() if (g / "ff").is_dir() and (g / "diesel").is_dir()] if root.exists() else []
for group in sorted(groups, key=lambda g: (order.get(g.name.split("_")[0], 9), g.name)):
    backend, operation = group.name.split("_", 1)
    ff, diesel = group / "ff", group / "diesel"
    sizes = sorted((p.name for p in ff.iterdir() if (diesel / p.name / "new").is_dir()), key=int)
    for size in sizes:
        a, b = mean_ns(ff / size), mean_ns(diesel / size)
        rows.append((backend, operation, size, fmt(a), fmt(b), a / b))

print("| backend | operation | rows | ff | hand-written Diesel | ff / Diesel |")
print("| --- | --- | ---: | ---: | ---: | ---: |")
worst = 0.0
for backend, op, size, a, b, ratio in rows:
    worst = max(worst, ratio)
    print(f"| {backend} | {op} | {size} | {a} | {b} | {ratio:.2f} |")
print(f"\nWorst ratio: {worst:.2f} (limit {limit:.2f})")
