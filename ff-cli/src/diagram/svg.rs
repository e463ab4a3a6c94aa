//! A standalone SVG drawing, laid out by [`layout`](super::layout): no Graphviz or browser is
//! needed to make it. Every name is XML-escaped; each table is a `<g class="table">` and each
//! relation a `<g class="relation">` whose `data-from`/`data-to` name its tables, so tools
//! and tests can read the drawing back.

use std::fmt::Write;

use super::layout::{CELL, COLUMN_GAP, HEADER, Layout, PADDING, ROW, Rect, layout};
use super::model::{Cardinality, Diagram, Relation, Table};
use super::route::Line;
use super::text_width::cells;

const FONT: &str = "ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace";
/// How far along its line a cardinality sits from the box it belongs to.
const END_LABEL: f64 = 18.0;

/// The diagram as an SVG document.
pub fn render(diagram: &Diagram) -> String {
    let layout = layout(diagram, |table| {
        table.columns.iter().map(|c| table.markers(c)).collect()
    });
    let mut out = String::new();
    let _ = writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         viewBox=\"0 0 {w} {h}\" font-family=\"{FONT}\" font-size=\"13\">",
        w = layout.width,
        h = layout.height
    );
    let _ = writeln!(
        out,
        "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
    );
    for (index, table) in diagram.tables.iter().enumerate() {
        write_table(&mut out, table, &layout, index);
    }
    // Lines only touch the boxes' borders; their labels stay readable over a box's edge.
    let mut taken = Vec::new();
    for (relation, line) in diagram.relations.iter().zip(&layout.lines) {
        write_relation(&mut out, relation, line, &mut taken);
    }
    out.push_str("</svg>\n");
    out
}

fn write_table(out: &mut String, table: &Table, layout: &Layout, index: usize) {
    let Rect {
        x,
        y,
        width,
        height,
    } = layout.boxes[index];
    let columns = layout.columns[index];
    let _ = writeln!(
        out,
        "<g class=\"table\" data-table=\"{}\">",
        escape(&table.name)
    );
    let _ = writeln!(
        out,
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" fill=\"#ffffff\" stroke=\"#3b4a63\"/>",
        n(x),
        n(y),
        n(width),
        n(height)
    );
    let _ = writeln!(
        out,
        "<path d=\"M {} {} h {} v {} h {} Z\" fill=\"#dfe7f3\" stroke=\"#3b4a63\"/>",
        n(x),
        n(y),
        n(width),
        n(HEADER),
        n(-width)
    );
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" font-weight=\"bold\" text-anchor=\"middle\">{}</text>",
        n(x + width / 2.0),
        n(y + HEADER - 9.0),
        escape(&table.name)
    );
    let type_x = x + PADDING + (columns.name + COLUMN_GAP) as f64 * CELL;
    let markers_x = type_x + (columns.type_name + COLUMN_GAP) as f64 * CELL;
    for (row, column) in table.columns.iter().enumerate() {
        let baseline = y + HEADER + ROW * row as f64 + 15.0;
        let weight = if column.primary_key {
            " font-weight=\"bold\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\"{weight}>{}</text>",
            n(x + PADDING),
            n(baseline),
            escape(&column.name)
        );
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" fill=\"#55606e\">{}</text>",
            n(type_x),
            n(baseline),
            escape(&column.type_name)
        );
        let markers = table.markers(column);
        if !markers.is_empty() {
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" fill=\"#8a3b12\">{}</text>",
                n(markers_x),
                n(baseline),
                escape(&markers)
            );
        }
    }
    out.push_str("</g>\n");
}

/// Writes a relation's line and texts; its label goes to the first of its places that no
/// text in `taken` covers, and its texts are added to `taken`.
fn write_relation(out: &mut String, relation: &Relation, line: &Line, taken: &mut Vec<Rect>) {
    let (cardinality, from_end, to_end) = match relation.cardinality {
        Cardinality::OneToMany => ("1-N", "N", parent_end(relation)),
        Cardinality::OneToOne => ("1-1", "0..1", parent_end(relation)),
        Cardinality::ManyToMany => ("N-N", "N", "N"),
    };
    let _ = writeln!(
        out,
        "<g class=\"relation\" data-from=\"{}\" data-to=\"{}\" data-cardinality=\"{cardinality}\">",
        escape(&relation.from),
        escape(&relation.to)
    );
    let dash = if relation.cardinality == Cardinality::ManyToMany {
        " stroke-dasharray=\"6 4\""
    } else {
        ""
    };
    let geometry = geometry(line);
    let _ = writeln!(
        out,
        "<path d=\"{}\" fill=\"none\" stroke=\"#3b4a63\" stroke-width=\"1.5\"{dash}/>",
        geometry.path
    );
    write_label(out, taken, geometry.start, from_end, 12.0, "middle");
    write_label(out, taken, geometry.end, to_end, 12.0, "middle");
    let text = relation.label();
    let width = cells(&text) as f64 * 11.0 * 0.62;
    let free = |&&(x, y): &&(f64, f64)| {
        let left = if geometry.anchor == "middle" {
            x - width / 2.0
        } else {
            x
        };
        let (right, top, bottom) = (left + width, y - 11.0, y + 3.0);
        !taken
            .iter()
            .any(|r| left < r.right() && r.x < right && top < r.bottom() && r.y < bottom)
    };
    let place = geometry
        .labels
        .iter()
        .find(free)
        .copied()
        .unwrap_or(geometry.labels[0]);
    write_label(out, taken, place, &text, 11.0, geometry.anchor);
    out.push_str("</g>\n");
}

/// Writes a text of a relation with a white halo, and adds the room it takes to `taken`.
fn write_label(
    out: &mut String,
    taken: &mut Vec<Rect>,
    (x, y): (f64, f64),
    text: &str,
    size: f64,
    anchor: &str,
) {
    let width = cells(text) as f64 * size * 0.62;
    let left = if anchor == "middle" {
        x - width / 2.0
    } else {
        x
    };
    taken.push(Rect {
        x: left,
        y: y - size,
        width,
        height: size + 3.0,
    });
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" font-size=\"{size}\" text-anchor=\"{anchor}\" fill=\"#1f2a3a\" \
         stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
        n(x),
        n(y),
        escape(text)
    );
}

/// The referenced end: exactly one, or zero or one for a nullable foreign key.
fn parent_end(relation: &Relation) -> &'static str {
    if relation.optional { "0..1" } else { "1" }
}

/// How a relation's line is drawn and where its texts go.
struct Geometry {
    /// The SVG path data.
    path: String,
    /// The places the label may go, best first, and how it is anchored there.
    labels: Vec<(f64, f64)>,
    anchor: &'static str,
    /// Where the cardinalities of the start and the end go.
    start: (f64, f64),
    end: (f64, f64),
}

fn geometry(line: &Line) -> Geometry {
    match line {
        Line::Path(points) => {
            let path: Vec<String> = points
                .iter()
                .map(|&(x, y)| format!("{} {}", n(x), n(y)))
                .collect();
            let longest = points
                .windows(2)
                .map(|pair| (pair[0], pair[1]))
                .fold(
                    None,
                    |best: Option<((f64, f64), (f64, f64))>, segment| match best {
                        Some(best) if length(best) >= length(segment) => Some(best),
                        _ => Some(segment),
                    },
                )
                .unwrap_or((points[0], points[0]));
            let last = points.len() - 1;
            // Along the longest segment, from its middle outwards: above a level segment,
            // else beside it.
            let level = longest.0.1 == longest.1.1;
            let labels = [0.5, 0.3, 0.7, 0.15, 0.85]
                .map(|t| {
                    let (x, y) = (
                        longest.0.0 + (longest.1.0 - longest.0.0) * t,
                        longest.0.1 + (longest.1.1 - longest.0.1) * t,
                    );
                    if level {
                        (x, y - 6.0)
                    } else {
                        (x + 6.0, y - 4.0)
                    }
                })
                .to_vec();
            let anchor = if level { "middle" } else { "start" };
            Geometry {
                path: format!("M {}", path.join(" L ")),
                labels,
                anchor,
                start: beside_end(points[0], points[1], 1.0),
                end: beside_end(points[last], points[last - 1], -1.0),
            }
        }
        Line::Loop([start, first, second, end]) => Geometry {
            path: format!(
                "M {} {} C {} {}, {} {}, {} {}",
                n(start.0),
                n(start.1),
                n(first.0),
                n(first.1),
                n(second.0),
                n(second.1),
                n(end.0),
                n(end.1)
            ),
            labels: vec![(first.0 + 4.0, (start.1 + end.1) / 2.0 + 4.0)],
            anchor: "start",
            start: (start.0 + 10.0, start.1 - 6.0),
            end: (end.0 + 10.0, end.1 + 14.0),
        },
    }
}

fn length(((x1, y1), (x2, y2)): ((f64, f64), (f64, f64))) -> f64 {
    ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt()
}

/// Where a cardinality goes: a little along the line from `end` towards `next`, beside it
/// (`side` 1 on the right of that direction, -1 on the left, so both ends of a line can keep
/// to one side of it).
fn beside_end(end: (f64, f64), next: (f64, f64), side: f64) -> (f64, f64) {
    let (dx, dy) = (next.0 - end.0, next.1 - end.1);
    let along = length((end, next)).max(1.0);
    let (ux, uy) = (dx / along, dy / along);
    let distance = END_LABEL.min(along / 2.0);
    (
        end.0 + ux * distance - uy * 10.0 * side,
        end.1 + uy * distance + ux * 10.0 * side + 4.0,
    )
}

/// A coordinate with one decimal.
fn n(value: f64) -> String {
    format!("{value:.1}")
}

/// `text` escaped for XML content and attribute values; characters XML cannot hold become
/// U+FFFD.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' | '\n' | '\r' => escaped.push(' '),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                escaped.push('\u{FFFD}')
            }
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::super::model::tests::shop;
    use super::*;

    /// A box read back from the SVG.
    #[derive(Debug)]
    struct Drawn {
        x: f64,
        y: f64,
        width: f64,
        height: f64,
    }

    impl Drawn {
        fn on_border(&self, (px, py): (f64, f64)) -> bool {
            let near = |a: f64, b: f64| (a - b).abs() < 0.11;
            let within = |v: f64, low: f64, high: f64| v >= low - 0.11 && v <= high + 0.11;
            let (right, bottom) = (self.x + self.width, self.y + self.height);
            ((near(px, self.x) || near(px, right)) && within(py, self.y, bottom))
                || ((near(py, self.y) || near(py, bottom)) && within(px, self.x, right))
        }

        fn overlaps(&self, other: &Drawn) -> bool {
            self.x < other.x + other.width
                && other.x < self.x + self.width
                && self.y < other.y + other.height
                && other.y < self.y + self.height
        }
    }

    fn number(node: roxmltree::Node, attribute: &str) -> f64 {
        node.attribute(attribute).unwrap().parse().unwrap()
    }

    /// The first and last point of an `M x y L x y` or `M x y C … x y` path.
    fn path_ends(d: &str) -> ((f64, f64), (f64, f64)) {
        let numbers: Vec<f64> = d
            .split([' ', ','])
            .filter_map(|part| part.parse().ok())
            .collect();
        let last = numbers.len() - 2;
        ((numbers[0], numbers[1]), (numbers[last], numbers[last + 1]))
    }

    #[test]
    fn the_svg_is_well_formed_its_boxes_do_not_overlap_and_lines_join_the_right_boxes() {
        let diagram = Diagram::of(&shop());
        let text = render(&diagram);
        let document = roxmltree::Document::parse(&text).expect("well-formed SVG");
        let groups = |class: &str| {
            document
                .descendants()
                .filter(|node| node.attribute("class") == Some(class))
                .collect::<Vec<_>>()
        };
        let boxes: Vec<(String, Drawn)> = groups("table")
            .into_iter()
            .map(|group| {
                let rect = group.children().find(|c| c.has_tag_name("rect")).unwrap();
                let title = group.children().find(|c| c.has_tag_name("text")).unwrap();
                assert_eq!(title.text(), group.attribute("data-table"));
                let drawn = Drawn {
                    x: number(rect, "x"),
                    y: number(rect, "y"),
                    width: number(rect, "width"),
                    height: number(rect, "height"),
                };
                (group.attribute("data-table").unwrap().to_owned(), drawn)
            })
            .collect();
        let names: Vec<&str> = boxes.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "author",
                "category",
                "passport",
                "post",
                "post_tag",
                "étiquette"
            ]
        );
        for (i, (a, first)) in boxes.iter().enumerate() {
            for (b, second) in &boxes[i + 1..] {
                assert!(
                    !first.overlaps(second),
                    "{a} {first:?} overlaps {b} {second:?}"
                );
            }
        }
        let post = document
            .descendants()
            .find(|n| n.attribute("data-table") == Some("post"))
            .unwrap();
        assert!(
            post.descendants()
                .any(|n| n.text() == Some("title <&> \"quoted\""))
        );
        let drawn = |name: &str| &boxes.iter().find(|(n, _)| n == name).unwrap().1;
        let relations = groups("relation");
        assert_eq!(relations.len(), diagram.relations.len());
        for (group, relation) in relations.iter().zip(&diagram.relations) {
            assert_eq!(group.attribute("data-from"), Some(relation.from.as_str()));
            assert_eq!(group.attribute("data-to"), Some(relation.to.as_str()));
            let path = group.children().find(|c| c.has_tag_name("path")).unwrap();
            let (start, end) = path_ends(path.attribute("d").unwrap());
            assert!(
                drawn(&relation.from).on_border(start),
                "{relation:?} starts at {start:?}, off {:?}",
                drawn(&relation.from)
            );
            assert!(
                drawn(&relation.to).on_border(end),
                "{relation:?} ends at {end:?}, off {:?}",
                drawn(&relation.to)
            );
        }
        let cardinalities: Vec<&str> = relations
            .iter()
            .map(|g| g.attribute("data-cardinality").unwrap())
            .collect();
        assert_eq!(cardinalities, ["1-N", "1-1", "1-N", "N-N", "1-N", "1-N"]);
    }

    #[test]
    fn the_same_schema_gives_the_same_bytes() {
        assert_eq!(render(&Diagram::of(&shop())), render(&Diagram::of(&shop())));
    }

    #[test]
    fn markup_and_characters_xml_cannot_hold_are_escaped() {
        assert_eq!(
            escape("<a & 'b' \"c\">"),
            "&lt;a &amp; &apos;b&apos; &quot;c&quot;&gt;"
        );
        assert_eq!(escape("a\u{1}b"), "a\u{FFFD}b");
        assert_eq!(escape("商品"), "商品");
    }
}
