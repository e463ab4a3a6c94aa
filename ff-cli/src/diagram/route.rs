//! The lines of the relations between the boxes of a [`Layout`]: between rows they leave and
//! enter boxes vertically, cross the rows in between through the gaps between boxes, and meet
//! each border at their own point, spread along it in the order of the boxes they come from.

use std::collections::BTreeMap;

use super::layout::{GAP_Y, LOOP, Layout, Rect};
use super::model::Diagram;

/// The distance between lines that would otherwise run on top of each other.
const PARALLEL: f64 = 14.0;

/// A relation's line, from the table holding the foreign key to the referenced one.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// Straight segments through these points, the first on the `from` box's border and the
    /// last on the `to` box's.
    Path(Vec<(f64, f64)>),
    /// A self-reference: a cubic curve out of the right border and back.
    Loop([(f64, f64); 4]),
}

/// The border of a box a line meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    Top,
    Bottom,
}

/// How a relation's line goes.
#[derive(Debug, Clone, Copy)]
enum Plan {
    /// From a box to itself.
    Loop(usize),
    /// Between neighbours in a row, side to side.
    Beside(usize, usize),
    /// Between boxes of one row with others between them: under the row.
    Under(usize, usize),
    /// Between rows.
    Across(usize, usize),
}

/// One line per relation of `diagram`, in its order.
pub fn lines(diagram: &Diagram, layout: &Layout) -> Vec<Line> {
    let index = |name: &str| {
        diagram
            .tables
            .iter()
            .position(|table| table.name == name)
            .expect("a relation joins tables of the diagram")
    };
    let plans: Vec<Plan> = diagram
        .relations
        .iter()
        .map(|relation| plan(layout, index(&relation.from), index(&relation.to)))
        .collect();
    let attachments = attachments(layout, &plans);
    let mut lines = Vec::with_capacity(plans.len());
    let mut under_lanes: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, plan) in plans.iter().enumerate() {
        let rank = plans[..i]
            .iter()
            .filter(|other| same_pair(other, plan))
            .count() as f64;
        // Every line under a row or across rows has both its points (see `attachments`).
        let point = |is_end: bool| attachments[&(i, is_end)];
        let line = match *plan {
            Plan::Loop(table) => self_loop(&layout.boxes[table], rank * PARALLEL),
            Plan::Beside(from, to) => beside(&layout.boxes[from], &layout.boxes[to], rank),
            Plan::Under(from, to) => {
                let row = layout.row_of[from];
                let lane = under_lanes.entry(row).or_default();
                let y = layout.rows[row].bottom + GAP_Y / 3.0 + *lane as f64 * PARALLEL / 2.0;
                *lane += 1;
                let (ax, bx) = (point(false), point(true));
                Line::Path(vec![
                    (ax, layout.boxes[from].bottom()),
                    (ax, y),
                    (bx, y),
                    (bx, layout.boxes[to].bottom()),
                ])
            }
            Plan::Across(from, to) => across(layout, from, to, point(false), point(true)),
        };
        lines.push(line);
    }
    lines
}

fn plan(layout: &Layout, from: usize, to: usize) -> Plan {
    if from == to {
        return Plan::Loop(from);
    }
    let (row, other_row) = (layout.row_of[from], layout.row_of[to]);
    if row != other_row {
        return Plan::Across(from, to);
    }
    let tables = &layout.rows[row].tables;
    let position = |table| tables.iter().position(|&t| t == table).unwrap_or(0);
    if position(from).abs_diff(position(to)) == 1 {
        Plan::Beside(from, to)
    } else {
        Plan::Under(from, to)
    }
}

fn same_pair(a: &Plan, b: &Plan) -> bool {
    let pair = |plan: &Plan| match *plan {
        Plan::Loop(t) => (t, t),
        Plan::Beside(a, b) | Plan::Under(a, b) | Plan::Across(a, b) => (a.min(b), a.max(b)),
    };
    pair(a) == pair(b)
}

/// A line meeting a border: the middle of the box at its other end, the relation, and whether
/// the border is the line's end.
type Meeting = (f64, usize, bool);

/// Where each line meets the top or bottom border of a box, keyed by (relation, whether it is
/// the line's end): spread evenly along the border, ordered by the box at the other end.
fn attachments(layout: &Layout, plans: &[Plan]) -> BTreeMap<(usize, bool), f64> {
    let mut borders: BTreeMap<(usize, Side), Vec<Meeting>> = BTreeMap::new();
    for (i, plan) in plans.iter().enumerate() {
        let (from, to, from_side, to_side) = match *plan {
            Plan::Under(from, to) => (from, to, Side::Bottom, Side::Bottom),
            Plan::Across(from, to) if layout.row_of[from] > layout.row_of[to] => {
                (from, to, Side::Top, Side::Bottom)
            }
            Plan::Across(from, to) => (from, to, Side::Bottom, Side::Top),
            Plan::Loop(_) | Plan::Beside(..) => continue,
        };
        let center = |table: usize| layout.boxes[table].center_x();
        borders
            .entry((from, from_side))
            .or_default()
            .push((center(to), i, false));
        borders
            .entry((to, to_side))
            .or_default()
            .push((center(from), i, true));
    }
    let mut points = BTreeMap::new();
    for ((table, _), mut lines) in borders {
        lines.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let Rect { x, width, .. } = layout.boxes[table];
        let count = lines.len() as f64;
        for (k, (_, relation, is_end)) in lines.into_iter().enumerate() {
            points.insert(
                (relation, is_end),
                x + width * (k as f64 + 1.0) / (count + 1.0),
            );
        }
    }
    points
}

/// Side to side between neighbours of a row, at the height both boxes have.
fn beside(from: &Rect, to: &Rect, rank: f64) -> Line {
    let shared = from.height.min(to.height);
    let y = (from.y + shared / 2.0 + rank * PARALLEL).min(from.y + shared - 4.0);
    if from.x < to.x {
        Line::Path(vec![(from.right(), y), (to.x, y)])
    } else {
        Line::Path(vec![(from.x, y), (to.right(), y)])
    }
}

/// Between rows: out of `from` vertically to the edge of its row, through a gap of each row
/// in between, and into `to` vertically.
fn across(layout: &Layout, from: usize, to: usize, start_x: f64, end_x: f64) -> Line {
    let (a, b) = (&layout.boxes[from], &layout.boxes[to]);
    let (row_a, row_b) = (layout.row_of[from], layout.row_of[to]);
    let up = row_a > row_b;
    let mut points = Vec::new();
    if up {
        points.push((start_x, a.y));
    } else {
        points.push((start_x, a.bottom()));
        points.push((start_x, layout.rows[row_a].bottom));
    }
    let between: Vec<usize> = if up {
        (row_b + 1..row_a).rev().collect()
    } else {
        (row_a + 1..row_b).collect()
    };
    let steps = between.len() as f64 + 1.0;
    for (k, &row) in between.iter().enumerate() {
        let aim = start_x + (end_x - start_x) * (k as f64 + 1.0) / steps;
        let x = gap_nearest(layout, row, aim);
        let (top, bottom) = (layout.rows[row].top, layout.rows[row].bottom);
        if up {
            points.extend([(x, bottom), (x, top)]);
        } else {
            points.extend([(x, top), (x, bottom)]);
        }
    }
    if up {
        points.push((end_x, layout.rows[row_b].bottom));
        points.push((end_x, b.bottom()));
    } else {
        points.push((end_x, b.y));
    }
    points.dedup();
    Line::Path(points)
}

/// The middle of the gap of `row` (between two boxes, or beside the first or last) nearest to
/// `aim`.
fn gap_nearest(layout: &Layout, row: usize, aim: f64) -> f64 {
    let boxes: Vec<&Rect> = layout.rows[row]
        .tables
        .iter()
        .map(|&t| &layout.boxes[t])
        .collect();
    let mut gaps = Vec::with_capacity(boxes.len() + 1);
    if let (Some(first), Some(last)) = (boxes.first(), boxes.last()) {
        gaps.push(first.x - PARALLEL * 2.0);
        gaps.push(last.right() + PARALLEL * 2.0);
    }
    gaps.extend(
        boxes
            .windows(2)
            .map(|pair| (pair[0].right() + pair[1].x) / 2.0),
    );
    gaps.into_iter()
        .min_by(|a, b| (a - aim).abs().total_cmp(&(b - aim).abs()))
        .unwrap_or(aim)
}

fn self_loop(table: &Rect, offset: f64) -> Line {
    let right = table.right();
    let spread = (table.height / 4.0).min(20.0);
    let middle = (table.y + table.height / 2.0 + offset).min(table.bottom() - spread);
    let (top, bottom) = (middle - spread, middle + spread);
    Line::Loop([
        (right, top),
        (right + LOOP, top - spread),
        (right + LOOP, bottom + spread),
        (right, bottom),
    ])
}

#[cfg(test)]
mod tests {
    use ff_runtime::migration::Schema;
    use ff_runtime::schema::{
        ColumnDef, ColumnType, ForeignKeyDef, ReferentialAction, TableDef, UniqueDef,
    };
    use proptest::prelude::*;

    use super::super::layout::layout;
    use super::super::model::tests::shop;
    use super::*;

    /// Whether the segment from `a` to `b` passes through the inside of `rect` (its border
    /// excluded), by clipping the segment to the rectangle shrunk by half a pixel.
    fn crosses(rect: &Rect, a: (f64, f64), b: (f64, f64)) -> bool {
        let (left, right) = (rect.x + 0.5, rect.right() - 0.5);
        let (top, bottom) = (rect.y + 0.5, rect.bottom() - 0.5);
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut low, mut high) = (0.0f64, 1.0f64);
        for (p, q) in [
            (-dx, a.0 - left),
            (dx, right - a.0),
            (-dy, a.1 - top),
            (dy, bottom - a.1),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    low = low.max(t);
                } else {
                    high = high.min(t);
                }
            }
        }
        low < high
    }

    /// Twelve tables, each referring to the one before and to the one three before: lines
    /// that span several rows.
    fn chain() -> Schema {
        let fk = |column: &str, parent: usize| ForeignKeyDef {
            name: format!("{column}_fk").into(),
            columns: vec![column.to_owned().into()].into(),
            referenced_table: format!("t{parent:02}").into(),
            referenced_columns: vec!["id".into()].into(),
            on_delete: ReferentialAction::NoAction,
            on_update: ReferentialAction::NoAction,
        };
        Schema::new((0..12).map(|i| {
            let mut columns = vec![ColumnDef {
                primary_key: true,
                ..ColumnDef::new("id", ColumnType::Integer, false)
            }];
            let mut keys = Vec::new();
            if i >= 1 {
                columns.push(ColumnDef::new("previous_id", ColumnType::Integer, false));
                keys.push(fk("previous_id", i - 1));
            }
            if i >= 3 {
                columns.push(ColumnDef::new("far_id", ColumnType::Integer, true));
                keys.push(fk("far_id", i - 3));
            }
            TableDef {
                foreign_keys: keys.into(),
                ..TableDef::new(format!("t{i:02}"), columns)
            }
        }))
    }

    #[test]
    fn lines_go_around_every_box_they_do_not_join() {
        let square = Rect {
            x: 0.0,
            y: 0.0,
            width: 10.0,
            height: 10.0,
        };
        assert!(crosses(&square, (-5.0, 5.0), (15.0, 5.0)));
        assert!(
            !crosses(&square, (0.0, -5.0), (0.0, 15.0)),
            "along a border"
        );
        assert!(!crosses(&square, (12.0, 0.0), (20.0, 20.0)));
        for schema in [shop(), chain()] {
            let diagram = Diagram::of(&schema);
            let layout = layout(&diagram, |t| vec!["PK FK".to_owned(); t.columns.len()]);
            for (relation, line) in diagram.relations.iter().zip(&layout.lines) {
                let Line::Path(points) = line else { continue };
                for pair in points.windows(2) {
                    for (table, rect) in diagram.tables.iter().zip(&layout.boxes) {
                        assert!(
                            !crosses(rect, pair[0], pair[1]),
                            "{relation:?} crosses {} at {pair:?}",
                            table.name
                        );
                    }
                }
            }
        }
    }

    /// Whether `point` lies on the border of `rect` (to the tenth of a pixel).
    fn on_border(rect: &Rect, (x, y): (f64, f64)) -> bool {
        let near = |a: f64, b: f64| (a - b).abs() < 0.01;
        let within = |v: f64, low: f64, high: f64| v > low - 0.01 && v < high + 0.01;
        ((near(x, rect.x) || near(x, rect.right())) && within(y, rect.y, rect.bottom()))
            || ((near(y, rect.y) || near(y, rect.bottom())) && within(x, rect.x, rect.right()))
    }

    /// Tables `t0…` (every third with a wide-character name), with `columns[i]` plain columns
    /// and a foreign key for each `(from, to, nullable, unique)` of `references`; a table with
    /// exactly two foreign keys and an even index makes them unique together (a join table).
    fn random_schema(
        tables: usize,
        columns: &[u8],
        references: &[(usize, usize, bool, bool)],
    ) -> Schema {
        let name = |i: usize| {
            if i % 3 == 2 {
                format!("表{i}_データ")
            } else {
                format!("t{i}")
            }
        };
        Schema::new((0..tables).map(|i| {
            let mut defs = vec![ColumnDef {
                primary_key: true,
                ..ColumnDef::new("id", ColumnType::Integer, false)
            }];
            defs.extend(
                (0..columns[i]).map(|c| ColumnDef::new(format!("c{c}"), ColumnType::Text, false)),
            );
            let mut keys = Vec::new();
            let mut uniques = Vec::new();
            for (k, &(from, to, nullable, unique)) in references.iter().enumerate() {
                if from % tables != i {
                    continue;
                }
                let column = format!("ref{k}_id");
                defs.push(ColumnDef::new(
                    column.clone(),
                    ColumnType::Integer,
                    nullable,
                ));
                if unique {
                    uniques.push(UniqueDef {
                        name: format!("{column}_key").into(),
                        columns: vec![column.clone().into()].into(),
                    });
                }
                keys.push(ForeignKeyDef {
                    name: format!("{column}_fk").into(),
                    columns: vec![column.into()].into(),
                    referenced_table: name(to % tables).into(),
                    referenced_columns: vec!["id".into()].into(),
                    on_delete: ReferentialAction::NoAction,
                    on_update: ReferentialAction::NoAction,
                });
            }
            if keys.len() == 2 && i % 2 == 0 {
                uniques.push(UniqueDef {
                    name: "pair_key".into(),
                    columns: keys.iter().map(|fk| fk.columns[0].clone()).collect(),
                });
            }
            TableDef {
                foreign_keys: keys.into(),
                uniques: uniques.into(),
                ..TableDef::new(name(i), defs)
            }
        }))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn any_schema_gets_boxes_apart_and_lines_from_border_to_border_around_other_boxes(
            tables in 1usize..14,
            columns in prop::collection::vec(0u8..6, 14),
            references in prop::collection::vec(
                (0usize..14, 0usize..14, any::<bool>(), any::<bool>()),
                0..24,
            ),
        ) {
            let diagram = Diagram::of(&random_schema(tables, &columns, &references));
            let layout = layout(&diagram, |t| {
                t.columns.iter().map(|c| t.markers(c)).collect()
            });
            let inside = |(x, y): (f64, f64)| {
                x >= 0.0 && y >= 0.0 && x <= layout.width && y <= layout.height
            };
            for (i, a) in layout.boxes.iter().enumerate() {
                prop_assert!(inside((a.x, a.y)) && inside((a.right(), a.bottom())));
                for b in &layout.boxes[i + 1..] {
                    let apart = a.right() <= b.x || b.right() <= a.x
                        || a.bottom() <= b.y || b.bottom() <= a.y;
                    prop_assert!(apart, "{a:?} overlaps {b:?}");
                }
            }
            let index = |name: &str| diagram.tables.iter().position(|t| t.name == name).unwrap();
            for (relation, line) in diagram.relations.iter().zip(&layout.lines) {
                let (from, to) = (&layout.boxes[index(&relation.from)], &layout.boxes[index(&relation.to)]);
                let points = match line {
                    Line::Path(points) => points.clone(),
                    Line::Loop(points) => points.to_vec(),
                };
                prop_assert!(on_border(from, points[0]), "{relation:?} starts off its box: {line:?}");
                prop_assert!(on_border(to, points[points.len() - 1]), "{relation:?} ends off its box: {line:?}");
                prop_assert!(points.iter().all(|&p| inside(p)), "{line:?} leaves the drawing");
                if let Line::Path(points) = line {
                    for pair in points.windows(2) {
                        for (table, rect) in diagram.tables.iter().zip(&layout.boxes) {
                            prop_assert!(
                                !crosses(rect, pair[0], pair[1]),
                                "{relation:?} crosses {} at {pair:?}", table.name
                            );
                        }
                    }
                }
            }
        }
    }
}
