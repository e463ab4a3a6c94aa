#!/usr/bin/env python3
"""Prints the ff / hand-written Diesel ratios of `cargo bench` runs as a Markdown table.

Reads criterion's estimates: for each group (backend/operation) and size, the mean time of the
`ff` function divided by that of the `diesel` function. Given several copies of
target/criterion (one per run) as arguments, it reports each case's median ratio over the runs,
which is steadier than one run on a shared machine; with none, the last run in target/criterion.
"""
import json
import pathlib
import sys

default_root = pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion"


def mean_ns(path):
    with open(path / "new" / "estimates.json") as f:
        return json.load(f)["mean"]["point_estimate"]


def fmt(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.2f} {unit}"
    return f"{ns:.0f} ns"


order = {"sqlite": 0, "postgres": 1, "mysql": 2}


def cases(root):
    """(backend, operation, size) -> (ff mean ns, diesel mean ns) for one run."""
    found = {}
    # Criterion names a group "<backend>/<operation>" as the directory "<backend>_<operation>".
    for group in root.iterdir():
        ff, diesel = group / "ff", group / "diesel"
        if not (ff.is_dir() and diesel.is_dir()):
            continue
        backend, operation = group.name.split("_", 1)
        for size in ff.iterdir():
            if (diesel / size.name / "new").is_dir():
                found[(backend, operation, int(size.name))] = (mean_ns(size), mean_ns(diesel / size.name))
    return found


runs = [cases(pathlib.Path(p)) for p in sys.argv[1:]] or [cases(default_root)]
keys = sorted(set().union(*runs), key=lambda k: (order.get(k[0], 9), k[1], k[2]))
print(f"| backend | operation | rows | ff | hand-written Diesel | ff / Diesel (median of {len(runs)}) | range |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
worst = 0.0
for key in keys:
    measured = sorted((run[key][0] / run[key][1], run[key]) for run in runs if key in run)
    ratio, (a, b) = measured[len(measured) // 2]
    low, high = measured[0][0], measured[-1][0]
    worst = max(worst, ratio)
    print(f"| {key[0]} | {key[1]} | {key[2]} | {fmt(a)} | {fmt(b)} | {ratio:.2f} | {low:.2f}–{high:.2f} |")
print(f"\nWorst median ratio: {worst:.2f}")
