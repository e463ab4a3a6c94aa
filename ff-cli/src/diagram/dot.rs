//! Graphviz DOT, for `dot -Tpng` and the many tools that read it.
//!
//! Each table is a node with an HTML-like label (a table of its columns, names XML-escaped);
//! node identifiers are double-quoted with `"` and `\` escaped. Each relation is an edge from
//! the table holding the foreign key to the referenced table, with crow's-foot ends.

use std::fmt::Write;

use super::model::{Cardinality, Diagram, Relation, Table};
use super::svg::escape;

/// The diagram as a Graphviz `digraph`.
pub fn render(diagram: &Diagram) -> String {
    let mut out = String::from(
        "digraph schema {\n    graph [rankdir=BT, nodesep=0.6, ranksep=0.8];\n    \
         node [shape=plain, fontname=\"Helvetica\"];\n    \
         edge [dir=both, fontname=\"Helvetica\", fontsize=10];\n",
    );
    for table in &diagram.tables {
        write_table(&mut out, table);
    }
    for relation in &diagram.relations {
        write_relation(&mut out, relation);
    }
    out.push_str("}\n");
    out
}

fn write_table(out: &mut String, table: &Table) {
    let _ = writeln!(
        out,
        "    {} [label=<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"4\">",
        id(&table.name)
    );
    let _ = writeln!(
        out,
        "        <tr><td colspan=\"3\" bgcolor=\"#dfe7f3\"><b>{}</b></td></tr>",
        escape(&table.name)
    );
    for column in &table.columns {
        let _ = writeln!(
            out,
            "        <tr><td align=\"left\">{}</td><td align=\"left\">{}</td><td align=\"left\">{}</td></tr>",
            escape(&column.name),
            escape(&column.type_name),
            escape(&table.markers(column))
        );
    }
    out.push_str("    </table>>];\n");
}

fn write_relation(out: &mut String, relation: &Relation) {
    let (tail, head, style) = match relation.cardinality {
        Cardinality::OneToMany => ("crowodot", parent_end(relation), "solid"),
        Cardinality::OneToOne => ("teeodot", parent_end(relation), "solid"),
        Cardinality::ManyToMany => ("crowodot", "crowodot", "dashed"),
    };
    // The join table's own edges place the two ends; this one only shows the link.
    let constraint = if relation.cardinality == Cardinality::ManyToMany {
        ", constraint=false"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "    {} -> {} [label={}, arrowtail={tail}, arrowhead={head}, style={style}{constraint}];",
        id(&relation.from),
        id(&relation.to),
        id(&relation.label())
    );
}

/// The referenced end: exactly one, or zero or one for a nullable foreign key.
fn parent_end(relation: &Relation) -> &'static str {
    if relation.optional {
        "teeodot"
    } else {
        "teetee"
    }
}

/// A DOT double-quoted string.
fn id(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' | '\r' => quoted.push(' '),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::super::model::tests::shop;
    use super::*;

    #[test]
    fn every_table_is_a_node_and_every_relation_an_edge() {
        let text = render(&Diagram::of(&shop()));
        for table in [
            "author",
            "category",
            "passport",
            "post",
            "post_tag",
            "étiquette",
        ] {
            assert!(
                text.contains(&format!("    \"{table}\" [label=<")),
                "{table}"
            );
        }
        let diagram = Diagram::of(&shop());
        for relation in &diagram.relations {
            let edge = format!(
                "    {} -> {} [label={}, ",
                id(&relation.from),
                id(&relation.to),
                id(&relation.label())
            );
            assert!(text.contains(&edge), "{edge} in\n{text}");
        }
        assert!(text.contains(
            r#""post" -> "author" [label="author_id", arrowtail=crowodot, arrowhead=teeodot, style=solid]"#
        ));
        assert!(text.contains(
            r#""passport" -> "author" [label="author_id", arrowtail=teeodot, arrowhead=teetee, style=solid]"#
        ));
        assert!(text.contains(
            r#"[label="via post_tag", arrowtail=crowodot, arrowhead=crowodot, style=dashed, constraint=false]"#
        ));
        assert_eq!(text.matches(" -> ").count(), 6);
        assert!(text.contains("<td align=\"left\">title &lt;&amp;&gt; &quot;quoted&quot;</td>"));
        assert!(text.contains("<td align=\"left\">DECIMAL(10, 2)</td>"));
        assert!(text.contains("<td align=\"left\">FK UK*</td>"));
    }

    #[test]
    fn identifiers_are_quoted_with_quotes_and_backslashes_escaped() {
        assert_eq!(id(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(id("libellé"), "\"libellé\"");
    }
}
