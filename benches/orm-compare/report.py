#!/usr/bin/env python3
"""Prints the times and ratios of the last `cargo bench` run of orm-compare as a Markdown table.

For each backend, case and size: criterion's mean time of ff, SQLx, SeaORM and diesel-async,
and ff's time divided by each of the others'.
"""
import json
import pathlib

root = pathlib.Path(__file__).resolve().parent / "target" / "criterion"
others = ("sqlx", "seaorm", "diesel")


def mean_ns(path):
    with open(path / "new" / "estimates.json") as f:
        return json.load(f)["mean"]["point_estimate"]


def fmt(ns):
    for unit, scale in (("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.2f} {unit}"
    return f"{ns:.0f} ns"


print("| backend | case | rows | ff | SQLx | SeaORM | diesel-async | ff / SQLx | ff / SeaORM | ff / diesel-async |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
# Criterion names a group "<backend>/orm_<case>" as the directory "<backend>_orm_<case>".
for backend in ("postgres", "mysql"):
    for case in ("find_all", "insert"):
        group = root / f"{backend}_orm_{case}"
        if not group.is_dir():
            continue
        for size in sorted((group / "ff").iterdir(), key=lambda p: int(p.name)):
            ff = mean_ns(size)
            times = [mean_ns(group / lib / size.name) for lib in others]
            cells = " | ".join(fmt(t) for t in times)
            ratios = " | ".join(f"{ff / t:.2f}" for t in times)
            print(f"| {backend} | {case} | {int(size.name):,} | {fmt(ff)} | {cells} | {ratios} |".replace(",", " "))
