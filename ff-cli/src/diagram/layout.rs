//! A layered layout of a diagram: referenced tables in rows above the tables that refer to
//! them, each row ordered to shorten the relation lines, boxes sized to their text and never
//! overlapping, relations as lines between box borders.

use super::model::{Cardinality, Diagram, Table};
use super::text_width::cells;

/// The width of one monospace cell at the SVG's font size, in pixels.
pub const CELL: f64 = 8.0;
/// The height of a column row.
pub const ROW: f64 = 20.0;
/// The height of the title row.
pub const HEADER: f64 = 28.0;
/// The space between the border of a box and its text.
pub const PADDING: f64 = 10.0;
/// The space between the columns of text in a box, in cells.
pub const COLUMN_GAP: usize = 2;
const MARGIN: f64 = 30.0;
const GAP_X: f64 = 60.0;
const GAP_Y: f64 = 90.0;
/// How far a self-reference loops out of its box.
const LOOP: f64 = 45.0;
/// The distance between parallel lines joining the same two tables.
const PARALLEL: f64 = 16.0;
/// How many times rows are reordered, top-down then bottom-up.
const SWEEPS: usize = 4;

/// A rectangle: its top-left corner and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

impl Rect {
    fn center(&self) -> (f64, f64) {
        (self.x + self.width / 2.0, self.y + self.height / 2.0)
    }

    /// Where the ray from the center towards `(dx, dy)` leaves the rectangle.
    fn border_towards(&self, (cx, cy): (f64, f64), (dx, dy): (f64, f64)) -> (f64, f64) {
        let scale_x = if dx == 0.0 {
            f64::INFINITY
        } else {
            (self.width / 2.0) / dx.abs()
        };
        let scale_y = if dy == 0.0 {
            f64::INFINITY
        } else {
            (self.height / 2.0) / dy.abs()
        };
        let scale = scale_x.min(scale_y);
        (cx + dx * scale, cy + dy * scale)
    }
}

/// The widths, in cells, of the name, type and marker columns of a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    pub name: usize,
    pub type_name: usize,
    pub markers: usize,
}

/// A relation's line: straight between two borders, or a loop for a self-reference.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// From the first point to the second.
    Straight((f64, f64), (f64, f64)),
    /// A cubic curve from the first point through two control points to the last.
    Loop([(f64, f64); 4]),
}

/// Where everything goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The size of the whole drawing.
    pub width: f64,
    pub height: f64,
    /// One box per table, in the diagram's table order.
    pub boxes: Vec<Rect>,
    /// The column widths of each box.
    pub columns: Vec<Columns>,
    /// One line per relation, in the diagram's relation order.
    pub lines: Vec<Line>,
}

/// Lays `diagram` out; `markers` gives the marker text of a table's columns.
pub fn layout(diagram: &Diagram, markers: impl Fn(&Table) -> Vec<String>) -> Layout {
    let columns: Vec<Columns> = diagram
        .tables
        .iter()
        .map(|table| column_widths(table, &markers(table)))
        .collect();
    let sizes: Vec<(f64, f64)> = diagram
        .tables
        .iter()
        .zip(&columns)
        .map(|(table, columns)| box_size(table, columns))
        .collect();
    let parents = parents(diagram);
    let rows = ordered_rows(&parents);
    let row_widths: Vec<f64> = rows
        .iter()
        .map(|row| {
            row.iter().map(|&t| sizes[t].0).sum::<f64>() + GAP_X * (row.len() - 1) as f64
        })
        .collect();
    let widest = row_widths.iter().copied().fold(0.0, f64::max);
    let has_loop = diagram.relations.iter().any(|r| r.from == r.to);
    let loop_room = if has_loop { LOOP } else { 0.0 };
    let mut boxes = vec![
        Rect {
            x: 0.0,
            y: 0.0,
            width: 0.0,
            height: 0.0
        };
        diagram.tables.len()
    ];
    let mut y = MARGIN;
    for (row, row_width) in rows.iter().zip(&row_widths) {
        let mut x = MARGIN + (widest - row_width) / 2.0;
        let mut tallest: f64 = 0.0;
        for &table in row {
            let (width, height) = sizes[table];
            boxes[table] = Rect {
                x,
                y,
                width,
                height,
            };
            x += width + GAP_X;
            tallest = tallest.max(height);
        }
        y += tallest + GAP_Y;
    }
    let lines = lines(diagram, &boxes);
    Layout {
        width: (MARGIN * 2.0 + widest + loop_room).ceil(),
        height: (y - GAP_Y + MARGIN).ceil(),
        boxes,
        columns,
        lines,
    }
}

fn column_widths(table: &Table, markers: &[String]) -> Columns {
    let widest = |texts: Vec<&str>| texts.into_iter().map(cells).max().unwrap_or(0);
    Columns {
        name: widest(table.columns.iter().map(|c| c.name.as_str()).collect()),
        type_name: widest(table.columns.iter().map(|c| c.type_name.as_str()).collect()),
        markers: widest(markers.iter().map(String::as_str).collect()),
    }
}

fn box_size(table: &Table, columns: &Columns) -> (f64, f64) {
    let text = columns.name + COLUMN_GAP + columns.type_name + COLUMN_GAP + columns.markers;
    // The title is bold: give it a tenth more room.
    let title = cells(&table.name) as f64 * 1.1;
    let width = (text as f64).max(title) * CELL + 2.0 * PADDING;
    let height = HEADER + ROW * table.columns.len() as f64 + PADDING / 2.0;
    (width.ceil(), height)
}

/// For each table, the tables its foreign keys refer to (itself excluded).
fn parents(diagram: &Diagram) -> Vec<Vec<usize>> {
    let index = |name: &str| diagram.tables.iter().position(|t| t.name == name);
    let mut parents = vec![Vec::new(); diagram.tables.len()];
    for relation in &diagram.relations {
        if relation.cardinality == Cardinality::ManyToMany || relation.from == relation.to {
            continue;
        }
        if let (Some(from), Some(to)) = (index(&relation.from), index(&relation.to))
            && !parents[from].contains(&to)
        {
            parents[from].push(to);
        }
    }
    parents
}

/// The rows of tables, top first: a table sits below every table it refers to (but for
/// cycles), each row ordered by the mean position of its neighbours.
fn ordered_rows(parents: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut depth = vec![None; parents.len()];
    let mut visiting = vec![false; parents.len()];
    for table in 0..parents.len() {
        row_of(table, parents, &mut depth, &mut visiting);
    }
    let count = depth.iter().flatten().max().map_or(0, |d| d + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (table, row) in depth.iter().enumerate() {
        rows[row.unwrap_or(0)].push(table);
    }
    let neighbours: Vec<Vec<usize>> = (0..parents.len())
        .map(|table| {
            let mut around: Vec<usize> = parents[table].clone();
            around.extend((0..parents.len()).filter(|&child| parents[child].contains(&table)));
            around
        })
        .collect();
    for _ in 0..SWEEPS {
        for row in 1..rows.len() {
            reorder(&mut rows, row, row - 1, &neighbours);
        }
        for row in (0..rows.len().saturating_sub(1)).rev() {
            reorder(&mut rows, row, row + 1, &neighbours);
        }
    }
    rows
}

/// The row of `table`: one below the lowest table it refers to; a reference back into the
/// chain being followed (a cycle) is ignored.
fn row_of(
    table: usize,
    parents: &[Vec<usize>],
    depth: &mut [Option<usize>],
    visiting: &mut [bool],
) -> usize {
    if let Some(row) = depth[table] {
        return row;
    }
    if visiting[table] {
        return 0;
    }
    visiting[table] = true;
    let mut row = 0;
    for &parent in &parents[table] {
        if !visiting[parent] {
            row = row.max(row_of(parent, parents, depth, visiting) + 1);
        }
    }
    visiting[table] = false;
    depth[table] = Some(row);
    row
}

/// Sorts `rows[row]` by the mean position of each table's neighbours in `rows[by]`; a table
/// without neighbours there keeps its position. The sort is stable, so ties keep name order.
fn reorder(rows: &mut [Vec<usize>], row: usize, by: usize, neighbours: &[Vec<usize>]) {
    let positions = &rows[by];
    let mut keyed: Vec<(f64, usize)> = rows[row]
        .iter()
        .enumerate()
        .map(|(position, &table)| {
            let around: Vec<f64> = neighbours[table]
                .iter()
                .filter_map(|n| positions.iter().position(|p| p == n))
                .map(|p| p as f64)
                .collect();
            let key = if around.is_empty() {
                position as f64 * positions.len().max(1) as f64 / rows[row].len() as f64
            } else {
                around.iter().sum::<f64>() / around.len() as f64
            };
            (key, table)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    rows[row] = keyed.into_iter().map(|(_, table)| table).collect();
}

/// The line of each relation; lines joining the same two tables are spread apart.
fn lines(diagram: &Diagram, boxes: &[Rect]) -> Vec<Line> {
    let index = |name: &str| {
        diagram
            .tables
            .iter()
            .position(|t| t.name == name)
            .expect("a relation joins tables of the diagram")
    };
    let pair = |a: usize, b: usize| (a.min(b), a.max(b));
    let pairs: Vec<(usize, usize)> = diagram
        .relations
        .iter()
        .map(|r| pair(index(&r.from), index(&r.to)))
        .collect();
    pairs
        .iter()
        .enumerate()
        .map(|(i, &(a, b))| {
            let relation = &diagram.relations[i];
            let (from, to) = (index(&relation.from), index(&relation.to));
            let siblings = pairs.iter().filter(|&&p| p == (a, b)).count();
            let rank = pairs[..i].iter().filter(|&&p| p == (a, b)).count();
            let offset = (rank as f64 - (siblings - 1) as f64 / 2.0) * PARALLEL;
            if from == to {
                self_loop(&boxes[from], offset)
            } else {
                straight(&boxes[from], &boxes[to], offset)
            }
        })
        .collect()
}

fn straight(from: &Rect, to: &Rect, offset: f64) -> Line {
    let (fx, fy) = from.center();
    let (tx, ty) = to.center();
    let (dx, dy) = (tx - fx, ty - fy);
    let length = (dx * dx + dy * dy).sqrt().max(1.0);
    // Shift both ends sideways; stay inside the smaller box so the line still meets both.
    let room = (from.width.min(to.width).min(from.height).min(to.height) / 2.0 - 4.0).max(0.0);
    let offset = offset.clamp(-room, room);
    let (nx, ny) = (-dy / length * offset, dx / length * offset);
    let start = from.border_towards((fx + nx, fy + ny), (dx, dy));
    let end = to.border_towards((tx + nx, ty + ny), (-dx, -dy));
    Line::Straight(start, end)
}

fn self_loop(table: &Rect, offset: f64) -> Line {
    let right = table.x + table.width;
    let middle = table.y + table.height / 2.0 + offset;
    let spread = (table.height / 4.0).min(20.0);
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
    use super::super::model::tests::shop;
    use super::*;

    fn overlap(a: &Rect, b: &Rect) -> bool {
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
    }

    #[test]
    fn referenced_tables_sit_above_the_tables_that_refer_to_them() {
        let diagram = Diagram::of(&shop());
        let layout = layout(&diagram, |t| vec![String::new(); t.columns.len()]);
        let at = |name: &str| layout.boxes[diagram.tables.iter().position(|t| t.name == name).unwrap()];
        assert!(at("author").y < at("post").y);
        assert!(at("post").y < at("post_tag").y);
        assert!(at("étiquette").y < at("post_tag").y);
        for (i, a) in layout.boxes.iter().enumerate() {
            for b in &layout.boxes[i + 1..] {
                assert!(!overlap(a, b), "{a:?} overlaps {b:?}");
            }
            assert!(a.x >= 0.0 && a.x + a.width <= layout.width);
            assert!(a.y >= 0.0 && a.y + a.height <= layout.height);
        }
    }

    #[test]
    fn a_cycle_of_references_still_gets_rows() {
        let mut schema = shop();
        // author refers back to post: a cycle post -> author -> post.
        let post_fk = schema.table("post").unwrap().foreign_keys[0].clone();
        let author = schema.table_mut("author").unwrap();
        let mut back = post_fk;
        back.referenced_table = "post".into();
        back.columns = vec!["name".into()].into();
        author.foreign_keys = vec![back].into();
        let diagram = Diagram::of(&schema);
        let layout = layout(&diagram, |t| vec![String::new(); t.columns.len()]);
        assert_eq!(layout.boxes.len(), diagram.tables.len());
    }
}
