//! The relations declared on parent entities: `has_many` for each child (`has_one` when its
//! foreign key is unique), `many_to_many` through each join entity.

use std::collections::BTreeSet;

use super::{Entity, names};

/// One relation to declare on a parent.
struct Relation {
    /// The SQL name its name is made from.
    named_after: String,
    /// The attribute, its name left as `{}`.
    attribute: String,
    /// The `add_…` method it declares, if any.
    link: Option<String>,
    /// The entities it names.
    uses: Vec<String>,
}

/// Adds the `has_many`, `has_one` and `many_to_many` attributes the `belongs_to` fields of `entities`
/// imply; a relation whose methods another would already declare is noted and left out.
pub fn add(entities: &mut [Entity], notes: &mut Vec<String>) {
    let mut taken: Vec<BTreeSet<String>> = entities.iter().map(accessors).collect();
    for child in 0..entities.len() {
        let parents = parents(&entities[child]);
        let name = entities[child].name.clone();
        if let [a, b] = parents.as_slice()
            && entities[child].fields.len() == 3
            && a != b
            && ![a, b].contains(&&name)
        {
            entities[child].join = true;
            for (side, other) in [(a, b), (b, a)] {
                let target = names::snake_case(other);
                let relation = Relation {
                    attribute: format!("many_to_many({{}} = {other}, through = {name})"),
                    link: Some(format!("add_{target}")),
                    named_after: target,
                    uses: vec![other.clone(), name.clone()],
                };
                declare(entities, &mut taken, side, relation, notes);
            }
            continue;
        }
        for parent in &parents {
            // A unique foreign key gives at most one child.
            let kind = if first_field_is_unique(&entities[child], parent) {
                "has_one"
            } else {
                "has_many"
            };
            let relation = Relation {
                named_after: entities[child].table.clone(),
                attribute: format!("{kind}({{}} = {name})"),
                link: None,
                uses: vec![name.clone()],
            };
            declare(entities, &mut taken, parent, relation, notes);
        }
    }
}

/// Declares `relation` on the entity `parent`, unless `parent` is not imported or the
/// relation's methods would have the names of another's.
fn declare(
    entities: &mut [Entity],
    taken: &mut [BTreeSet<String>],
    parent: &str,
    relation: Relation,
    notes: &mut Vec<String>,
) {
    let Some(index) = entities.iter().position(|e| e.name == parent) else {
        return;
    };
    let entity = &mut entities[index];
    let name = names::field_name(&relation.named_after, "", &BTreeSet::new());
    let attribute = relation.attribute.replace("{}", &name);
    let link_taken = relation
        .link
        .as_ref()
        .is_some_and(|l| taken[index].contains(l));
    if taken[index].contains(&name) || link_taken {
        notes.push(format!(
            "{parent}: `{attribute}` left out, its methods would have the names of another relation's"
        ));
        return;
    }
    taken[index].insert(name);
    taken[index].extend(relation.link);
    entity.attributes.push(attribute);
    let own = entity.name.clone();
    entity
        .uses
        .extend(relation.uses.into_iter().filter(|used| *used != own));
}

/// The distinct parents of an entity, in field order.
fn parents(entity: &Entity) -> Vec<String> {
    let mut parents: Vec<String> = Vec::new();
    for parent in entity.fields.iter().filter_map(|f| f.parent.clone()) {
        if !parents.contains(&parent) {
            parents.push(parent);
        }
    }
    parents
}

/// Whether the first field of `entity` that belongs to `parent` is unique on its own.
fn first_field_is_unique(entity: &Entity, parent: &str) -> bool {
    entity
        .fields
        .iter()
        .find(|field| field.parent.as_deref() == Some(parent))
        .is_some_and(|field| field.attributes.iter().any(|a| a == "unique"))
}

/// The many-to-one accessors of an entity: its `belongs_to` fields without `_id`, `_uid` or
/// `_key`.
fn accessors(entity: &Entity) -> BTreeSet<String> {
    entity
        .fields
        .iter()
        .filter(|field| field.parent.is_some())
        .map(|field| {
            ["_id", "_uid", "_key"]
                .iter()
                .find_map(|suffix| field.name.strip_suffix(suffix))
                .unwrap_or(&field.name)
                .to_owned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Field;

    fn entity(table: &str, name: &str, parents: &[(&str, &str)]) -> Entity {
        let mut fields = vec![Field {
            name: "id".into(),
            rust: "i32".into(),
            attributes: Vec::new(),
            parent: None,
        }];
        fields.extend(parents.iter().map(|(field, parent)| Field {
            name: (*field).into(),
            rust: "i32".into(),
            attributes: vec![format!("belongs_to = {parent}")],
            parent: Some((*parent).into()),
        }));
        Entity {
            table: table.into(),
            name: name.into(),
            module: names::snake_case(name),
            fields,
            attributes: Vec::new(),
            join: false,
            uses: BTreeSet::new(),
        }
    }

    #[test]
    fn a_relation_whose_methods_are_taken_is_noted_and_left_out() {
        // `Link` has the accessor `note()` of its `note_id`; the children in table `note`
        // would give it `note()` again.
        let mut entities = vec![
            entity("link", "Link", &[("note_id", "Note")]),
            entity("note", "Note", &[("owner_id", "Link")]),
        ];
        let mut notes = Vec::new();
        add(&mut entities, &mut notes);
        assert_eq!(entities[0].attributes, Vec::<String>::new());
        assert_eq!(entities[1].attributes, ["has_many(link = Link)"]);
        assert_eq!(
            notes,
            [
                "Link: `has_many(note = Note)` left out, its methods would have the names of another relation's"
            ]
        );
    }

    #[test]
    fn a_key_and_two_foreign_keys_make_a_join_entity() {
        let mut entities = vec![
            entity("post", "Post", &[]),
            entity("tag", "Tag", &[]),
            entity(
                "post_tag",
                "PostTag",
                &[("post_id", "Post"), ("tag_id", "Tag")],
            ),
        ];
        add(&mut entities, &mut Vec::new());
        assert!(entities[2].join);
        assert_eq!(
            entities[0].attributes,
            ["many_to_many(tag = Tag, through = PostTag)"]
        );
        assert_eq!(
            entities[1].attributes,
            ["many_to_many(post = Post, through = PostTag)"]
        );
        assert_eq!(
            entities[0].uses,
            BTreeSet::from(["PostTag".to_owned(), "Tag".to_owned()])
        );
    }
}
