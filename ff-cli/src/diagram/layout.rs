//! A layered layout of a diagram: referenced tables in rows above the tables that refer to
//! them, each row ordered to shorten the relation lines, boxes sized to their text and never
//! overlapping. [`route`](super::route) then draws the relation lines between them.

use super::model::{Cardinality, Diagram, Table};
use super::route::{Line, lines};
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
/// The width of one cell of a relation label (11px), in pixels.
pub const LABEL_CELL: f64 = 7.0;
/// How far a self-reference loops out of its box.
pub const LOOP: f64 = 45.0;
/// The space between two rows of boxes.
pub const GAP_Y: f64 = 90.0;
const MARGIN: f64 = 30.0;
const GAP_X: f64 = 60.0;
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
    /// The x of the right border.
    pub fn right(&self) -> f64 {
        self.x + self.width
    }

    /// The y of the bottom border.
    pub fn bottom(&self) -> f64 {
        self.y + self.height
    }

    /// The x of the vertical middle line.
    pub fn center_x(&self) -> f64 {
        self.x + self.width / 2.0
    }
}

/// One row of boxes: how far down it reaches, and its tables from left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The y of the top of every box of the row.
    pub top: f64,
    /// The y of the bottom of the tallest box.
    pub bottom: f64,
    /// The tables, left to right.
    pub tables: Vec<usize>,
}

/// The widths, in cells, of the name, type and marker columns of a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    pub name: usize,
    pub type_name: usize,
    pub markers: usize,
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
    /// The rows, top first.
    pub rows: Vec<Row>,
    /// The row of each table.
    pub row_of: Vec<usize>,
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
    let order = ordered_rows(&parents);
    let footprints = footprints(diagram, &sizes);
    let gaps: Vec<Vec<f64>> = order
        .iter()
        .map(|row| {
            row.windows(2)
                .map(|pair| gap(diagram, pair[0], pair[1]))
                .collect()
        })
        .collect();
    let row_widths: Vec<f64> = order
        .iter()
        .zip(&gaps)
        .map(|(row, gaps)| {
            row.iter().map(|&t| footprints[t]).sum::<f64>() + gaps.iter().sum::<f64>()
        })
        .collect();
    let widest = row_widths.iter().copied().fold(0.0, f64::max);
    let mut boxes = vec![
        Rect {
            x: 0.0,
            y: 0.0,
            width: 0.0,
            height: 0.0
        };
        diagram.tables.len()
    ];
    let mut row_of = vec![0; diagram.tables.len()];
    let mut rows = Vec::with_capacity(order.len());
    let mut y = MARGIN;
    for (index, ((tables, row_width), gaps)) in
        order.into_iter().zip(&row_widths).zip(&gaps).enumerate()
    {
        let mut x = MARGIN + (widest - row_width) / 2.0;
        let mut tallest: f64 = 0.0;
        for (position, &table) in tables.iter().enumerate() {
            let (width, height) = sizes[table];
            boxes[table] = Rect {
                x,
                y,
                width,
                height,
            };
            row_of[table] = index;
            x += footprints[table] + gaps.get(position).copied().unwrap_or(0.0);
            tallest = tallest.max(height);
        }
        rows.push(Row {
            top: y,
            bottom: y + tallest,
            tables,
        });
        y += tallest + GAP_Y;
    }
    let mut layout = Layout {
        width: (MARGIN * 2.0 + widest).ceil(),
        height: (y - GAP_Y + MARGIN).ceil(),
        boxes,
        columns,
        rows,
        row_of,
        lines: Vec::new(),
    };
    layout.lines = lines(diagram, &layout);
    // Lines routed under the last row need room below it.
    let lowest = layout
        .lines
        .iter()
        .flat_map(|line| match line {
            Line::Path(points) => points.clone(),
            Line::Loop(points) => points.to_vec(),
        })
        .map(|(_, y)| y)
        .fold(0.0, f64::max);
    layout.height = layout.height.max((lowest + MARGIN).ceil());
    layout
}

/// The width each table takes in its row: its box, and room for its self-references' loop
/// and label on the right.
fn footprints(diagram: &Diagram, sizes: &[(f64, f64)]) -> Vec<f64> {
    diagram
        .tables
        .iter()
        .zip(sizes)
        .map(|(table, &(width, _))| {
            let label = diagram
                .relations
                .iter()
                .filter(|r| r.from == table.name && r.to == table.name)
                .map(|r| cells(&r.label()))
                .max();
            width + label.map_or(0.0, |cells| LOOP + cells as f64 * LABEL_CELL + 8.0)
        })
        .collect()
}

/// The space between two neighbours of a row: wide enough for the label of a relation
/// between them.
fn gap(diagram: &Diagram, left: usize, right: usize) -> f64 {
    let (left, right) = (&diagram.tables[left].name, &diagram.tables[right].name);
    diagram
        .relations
        .iter()
        .filter(|r| (&r.from, &r.to) == (left, right) || (&r.from, &r.to) == (right, left))
        .map(|r| cells(&r.label()) as f64 * LABEL_CELL + 2.0 * GAP_X / 3.0)
        .fold(GAP_X, f64::max)
        .ceil()
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
    let mut depth: Vec<usize> = depth.into_iter().map(|row| row.unwrap_or(0)).collect();
    pull_down(&mut depth, parents);
    let count = depth.iter().max().map_or(0, |d| d + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (table, &row) in depth.iter().enumerate() {
        rows[row].push(table);
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

/// Moves each referenced table down to just above the highest table referring to it, deepest
/// first, so that lines span as few rows as they can.
fn pull_down(depth: &mut [usize], parents: &[Vec<usize>]) {
    let mut order: Vec<usize> = (0..depth.len()).collect();
    order.sort_by_key(|&table| std::cmp::Reverse(depth[table]));
    for table in order {
        let highest_child = (0..depth.len())
            .filter(|&child| parents[child].contains(&table) && depth[child] > depth[table])
            .map(|child| depth[child])
            .min();
        if let Some(child_row) = highest_child {
            depth[table] = child_row - 1;
        }
    }
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
        let at =
            |name: &str| layout.boxes[diagram.tables.iter().position(|t| t.name == name).unwrap()];
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
