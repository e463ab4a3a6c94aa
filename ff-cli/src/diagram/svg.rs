//! A standalone SVG drawing, laid out by [`layout`](super::layout): no Graphviz or browser is
//! needed to make it. Every name is XML-escaped; each table is a `<g class="table">` and each
//! relation a `<g class="relation">` whose `data-from`/`data-to` name its tables, so tools
//! and tests can read the drawing back.

use std::fmt::Write;

use super::layout::{CELL, COLUMN_GAP, HEADER, Layout, Line, PADDING, ROW, Rect, layout};
use super::model::{Cardinality, Diagram, Relation, Table};

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
    for (relation, line) in diagram.relations.iter().zip(&layout.lines) {
        write_relation(&mut out, relation, line);
    }
    for (index, table) in diagram.tables.iter().enumerate() {
        write_table(&mut out, table, &layout, index);
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

fn write_relation(out: &mut String, relation: &Relation, line: &Line) {
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
    let (path, middle, start_label, end_label) = geometry(line);
    let _ = writeln!(
        out,
        "<path d=\"{path}\" fill=\"none\" stroke=\"#3b4a63\" stroke-width=\"1.5\"{dash}/>"
    );
    let label = |out: &mut String, (x, y): (f64, f64), text: &str, size: &str| {
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{size}\" text-anchor=\"middle\" fill=\"#1f2a3a\" \
             stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
            n(x),
            n(y),
            escape(text)
        );
    };
    label(out, middle, &relation.label(), "11");
    label(out, start_label, from_end, "12");
    label(out, end_label, to_end, "12");
    out.push_str("</g>\n");
}

/// The referenced end: exactly one, or zero or one for a nullable foreign key.
fn parent_end(relation: &Relation) -> &'static str {
    if relation.optional { "0..1" } else { "1" }
}

/// The SVG path of a line, where its label goes, and where the cardinalities of its two ends
/// go (baselines, slightly off the line).
fn geometry(line: &Line) -> (String, (f64, f64), (f64, f64), (f64, f64)) {
    match line {
        Line::Straight(start, end) => {
            let (dx, dy) = (end.0 - start.0, end.1 - start.1);
            let length = (dx * dx + dy * dy).sqrt().max(1.0);
            let (ux, uy) = (dx / length, dy / length);
            // Beside the line, on its right-hand side, and lowered to centre the text.
            let side = |(x, y): (f64, f64), along: f64| {
                (x + ux * along - uy * 10.0, y + uy * along + ux * 10.0 + 4.0)
            };
            let middle = ((start.0 + end.0) / 2.0, (start.1 + end.1) / 2.0 - 4.0);
            (
                format!("M {} {} L {} {}", n(start.0), n(start.1), n(end.0), n(end.1)),
                middle,
                side(*start, END_LABEL),
                side(*end, -END_LABEL),
            )
        }
        Line::Loop([start, first, second, end]) => (
            format!(
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
            (first.0 - 4.0, (start.1 + end.1) / 2.0 + 4.0),
            (start.0 + 10.0, start.1 - 4.0),
            (end.0 + 10.0, end.1 + 14.0),
        ),
    }
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
            .split(|c: char| c == ' ' || c == ',')
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
            ["author", "category", "passport", "post", "post_tag", "étiquette"]
        );
        for (i, (a, first)) in boxes.iter().enumerate() {
            for (b, second) in &boxes[i + 1..] {
                assert!(!first.overlaps(second), "{a} {first:?} overlaps {b} {second:?}");
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
        assert_eq!(
            render(&Diagram::of(&shop())),
            render(&Diagram::of(&shop()))
        );
    }

    #[test]
    fn markup_and_characters_xml_cannot_hold_are_escaped() {
        assert_eq!(escape("<a & 'b' \"c\">"), "&lt;a &amp; &apos;b&apos; &quot;c&quot;&gt;");
        assert_eq!(escape("a\u{1}b"), "a\u{FFFD}b");
        assert_eq!(escape("商品"), "商品");
    }
}
