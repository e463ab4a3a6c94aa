//! The fields `create entity` writes: read from `--field` and `--belongs-to` (and from the
//! interactive answers, which are turned into the same text), and rendered as Rust.

use super::names::{check_field_name, snake_case};
use super::types::{FieldType, lookup};

/// A stored field to add to an entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field name.
    pub name: String,
    /// The Rust type, without `Option`.
    pub rust: String,
    /// `Option<…>`: the column accepts NULL.
    pub nullable: bool,
    /// The options written in `#[ff(...)]`.
    pub options: Options,
    /// The entity a `belongs_to` field refers to.
    pub belongs_to: Option<String>,
    /// The crate the type needs, if not the standard library.
    pub crate_name: Option<&'static str>,
}

/// The options of a field, as written after its type: `unique,length=120`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `nullable`
    pub nullable: bool,
    /// `unique`
    pub unique: bool,
    /// `index`
    pub index: bool,
    /// `length=N`
    pub length: Option<u32>,
    /// `precision=N`
    pub precision: Option<u32>,
    /// `scale=N`
    pub scale: Option<u32>,
    /// `column=NAME`
    pub column: Option<String>,
    /// `field=NAME` (relations)
    pub field: Option<String>,
    /// `on_delete=ACTION` (relations)
    pub on_delete: Option<String>,
    /// `inverse=NAME` (relations): the parent's `has_many` (or `has_one` when unique)
    pub inverse: Option<String>,
}

/// The options `--field` accepts.
pub const FIELD_OPTIONS: &[&str] = &[
    "nullable",
    "unique",
    "index",
    "length=N",
    "precision=N",
    "scale=N",
    "column=NAME",
];

/// The options `--belongs-to` accepts.
pub const RELATION_OPTIONS: &[&str] = &[
    "nullable",
    "unique",
    "index",
    "field=NAME",
    "on_delete=ACTION",
    "inverse=NAME",
];

/// The referential actions ff knows.
pub const ON_DELETE_ACTIONS: &[&str] = &[
    "no action",
    "restrict",
    "cascade",
    "set null",
    "set default",
];

impl Options {
    /// Reads `unique,length=120`, accepting only the options of `allowed`.
    pub fn parse(text: &str, allowed: &[&str]) -> Result<Options, String> {
        let mut options = Options::default();
        for option in text.split(',').map(str::trim).filter(|o| !o.is_empty()) {
            let (key, value) = match option.split_once('=') {
                Some((key, value)) => (key.trim(), Some(value.trim())),
                None => (option, None),
            };
            let known = allowed
                .iter()
                .any(|a| a.split('=').next() == Some(key) && a.contains('=') == value.is_some());
            if !known {
                return Err(format!(
                    "unknown option `{option}`; the options are: {}",
                    allowed.join(", ")
                ));
            }
            let number = |value: Option<&str>| -> Result<u32, String> {
                value
                    .and_then(|v| v.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| {
                        format!("`{option}` needs a whole number above 0, e.g. {key}=120")
                    })
            };
            match key {
                "nullable" => options.nullable = true,
                "unique" => options.unique = true,
                "index" => options.index = true,
                "length" => options.length = Some(number(value)?),
                "precision" => options.precision = Some(number(value)?),
                "scale" => options.scale = Some(number(value)?),
                "column" if value == Some("") => return Err("`column=` needs a name".to_owned()),
                "column" => options.column = value.map(str::to_owned),
                "field" => options.field = value.map(str::to_owned),
                "inverse" => options.inverse = Some(inverse_name(value.unwrap_or(""))?),
                _ => options.on_delete = Some(on_delete_action(value.unwrap_or(""))?),
            }
        }
        Ok(options)
    }
}

/// The name of a parent's `has_many`/`has_one`: a snake_case identifier, not a keyword.
fn inverse_name(name: &str) -> Result<String, String> {
    check_field_name(name, "")
        .map(|()| name.to_owned())
        .map_err(|error| format!("inverse={name}: {error}"))
}

/// `cascade`, `SET_NULL`, `set null` → the action as ff writes it.
fn on_delete_action(value: &str) -> Result<String, String> {
    let action = value.to_lowercase().replace('_', " ");
    if ON_DELETE_ACTIONS.contains(&action.as_str()) {
        Ok(action)
    } else {
        Err(format!(
            "unknown on_delete action `{value}`; the actions are: {}",
            ON_DELETE_ACTIONS.join(", ")
        ))
    }
}

/// Splits `name:Type:options` at the single colons (a Rust path's `::` stays in the type).
fn split_spec(spec: &str) -> Vec<&str> {
    let bytes = spec.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, byte) in bytes.iter().enumerate() {
        let single =
            *byte == b':' && (i == 0 || bytes[i - 1] != b':') && bytes.get(i + 1) != Some(&b':');
        if single {
            parts.push(&spec[start..i]);
            start = i + 1;
        }
    }
    parts.push(&spec[start..]);
    parts
}

/// Reads a `--field` value, `name:Type[:options]`, for an entity whose module is `module`.
pub fn parse_field(spec: &str, module: &str) -> Result<Field, String> {
    let parts = split_spec(spec);
    let (name, type_name, options) = match parts.as_slice() {
        [name, ty] => (name.trim(), ty.trim(), ""),
        [name, ty, options] => (name.trim(), ty.trim(), *options),
        _ => {
            return Err(format!(
                "`{spec}` is not a field: write NAME:TYPE or NAME:TYPE:OPTIONS, e.g. name:string:unique,length=120"
            ));
        }
    };
    check_field_name(name, module)?;
    let (ty, option) = lookup(type_name)?;
    let options = Options::parse(options, FIELD_OPTIONS)?;
    check_options(name, ty, &options)?;
    Ok(Field {
        name: name.to_owned(),
        rust: ty.rust.to_owned(),
        nullable: option || options.nullable,
        options,
        belongs_to: None,
        crate_name: ty.crate_name,
    })
}

/// The options that only suit some types.
fn check_options(name: &str, ty: &FieldType, options: &Options) -> Result<(), String> {
    if options.length.is_some() && !ty.is_text() {
        return Err(format!(
            "`{name}`: length applies to text (string) fields, not to {}",
            ty.name()
        ));
    }
    if (options.precision.is_some() || options.scale.is_some()) && !ty.is_decimal() {
        return Err(format!(
            "`{name}`: precision and scale apply to decimal fields, not to {}",
            ty.name()
        ));
    }
    if let (Some(precision), Some(scale)) = (options.precision, options.scale)
        && scale > precision
    {
        return Err(format!(
            "`{name}`: the scale ({scale}) cannot exceed the precision ({precision})"
        ));
    }
    if options.scale.is_some() && options.precision.is_none() {
        return Err(format!(
            "`{name}`: a scale needs a precision, e.g. precision=10,scale=2"
        ));
    }
    Ok(())
}

/// A `--belongs-to` value: the entity referred to and the options of the foreign key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// The entity, as written (`Category` or `category`).
    pub parent: String,
    /// The options.
    pub options: Options,
}

/// Reads a `--belongs-to` value, `Entity[:options]`.
pub fn parse_relation(spec: &str) -> Result<Relation, String> {
    let parts = split_spec(spec);
    let (parent, options) = match parts.as_slice() {
        [parent] => (parent.trim(), ""),
        [parent, options] => (parent.trim(), *options),
        _ => {
            return Err(format!(
                "`{spec}` is not a relation: write ENTITY or ENTITY:OPTIONS, e.g. Category:nullable,on_delete=cascade"
            ));
        }
    };
    let options = Options::parse(options, RELATION_OPTIONS)?;
    if options.on_delete.as_deref() == Some("set null") && !options.nullable {
        return Err(format!(
            "`{spec}`: on_delete=set null needs a nullable foreign key: add the option nullable"
        ));
    }
    Ok(Relation {
        parent: parent.to_owned(),
        options,
    })
}

/// The key of an entity a relation refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// The entity's struct name.
    pub entity: String,
    /// The key field's name (`id`).
    pub name: String,
    /// The key field's Rust type.
    pub rust: String,
}

impl Relation {
    /// The foreign key field to `key`'s entity, in an entity whose module is `module`:
    /// `<parent>_<key>` unless `field=` names it.
    pub fn field(&self, key: &Key, module: &str) -> Result<Field, String> {
        let name = self
            .options
            .field
            .clone()
            .unwrap_or_else(|| format!("{}_{}", snake_case(&key.entity), key.name));
        check_field_name(&name, module)?;
        Ok(Field {
            name,
            rust: key.rust.clone(),
            nullable: self.options.nullable,
            options: self.options.clone(),
            belongs_to: Some(key.entity.clone()),
            crate_name: None,
        })
    }
}

impl Field {
    /// The attribute item the parent gets for `inverse=`: `has_many(products = Product)`, or
    /// `has_one(…)` for a unique foreign key, in the entity `child`.
    pub fn inverse(&self, child: &str) -> Option<String> {
        let name = self.options.inverse.as_ref()?;
        let kind = if self.options.unique {
            "has_one"
        } else {
            "has_many"
        };
        Some(format!("{kind}({name} = {child})"))
    }

    /// The field as Rust source, each line indented by `indent`, ending with a newline.
    pub fn render(&self, indent: &str) -> String {
        let o = &self.options;
        let mut attrs = Vec::new();
        if let Some(column) = &o.column {
            attrs.push(format!("column = {column:?}"));
        }
        if let Some(length) = o.length {
            attrs.push(format!("length = {length}"));
        }
        if let Some(precision) = o.precision {
            attrs.push(format!("precision = {precision}"));
        }
        if let Some(scale) = o.scale {
            attrs.push(format!("scale = {scale}"));
        }
        if o.unique {
            attrs.push("unique".to_owned());
        }
        if o.index {
            attrs.push("index".to_owned());
        }
        if let Some(parent) = &self.belongs_to {
            attrs.push(format!("belongs_to = {parent}"));
        }
        if let Some(action) = o.on_delete.as_ref().filter(|a| *a != "no action") {
            attrs.push(format!("on_delete = {action:?}"));
        }
        let ty = if self.nullable {
            format!("Option<{}>", self.rust)
        } else {
            self.rust.clone()
        };
        let mut text = String::new();
        if !attrs.is_empty() {
            text.push_str(&format!("{indent}#[ff({})]\n", attrs.join(", ")));
        }
        text.push_str(&format!("{indent}pub {}: {ty},\n", self.name));
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_with_options_renders_its_attribute() {
        let field = parse_field("name:String:unique,length=120", "product").unwrap();
        assert_eq!(
            field.render("    "),
            "    #[ff(length = 120, unique)]\n    pub name: String,\n"
        );
        let field = parse_field("born:Option<chrono::NaiveDate>", "product").unwrap();
        assert_eq!(field.render(""), "pub born: Option<chrono::NaiveDate>,\n");
        let field = parse_field("kind_:text:nullable,column=type", "product").unwrap();
        assert_eq!(
            field.render(""),
            "#[ff(column = \"type\")]\npub kind_: Option<String>,\n"
        );
        let field = parse_field("price:decimal:precision=10,scale=2,index", "product").unwrap();
        assert_eq!(
            field.render(""),
            "#[ff(precision = 10, scale = 2, index)]\npub price: bigdecimal::BigDecimal,\n"
        );
    }

    #[test]
    fn bad_fields_are_refused_with_the_fix() {
        for (spec, needle) in [
            ("name", "NAME:TYPE"),
            ("name:varchar2", "unknown field type `varchar2`"),
            ("type:string", "column=type"),
            ("name:string:unqiue", "unknown option `unqiue`"),
            ("name:string:length=0", "above 0"),
            ("name:string:length=big", "whole number"),
            ("count:integer:length=3", "length applies to text"),
            (
                "count:integer:precision=3",
                "precision and scale apply to decimal",
            ),
            ("price:decimal:precision=2,scale=3", "cannot exceed"),
            ("price:decimal:scale=3", "needs a precision"),
            ("name:string:column=", "needs a name"),
            ("a:b:c:d", "NAME:TYPE"),
        ] {
            let error = parse_field(spec, "product").unwrap_err();
            assert!(error.contains(needle), "{spec}: {error}");
        }
    }

    #[test]
    fn a_relation_renders_a_foreign_key_of_the_parent_key_type() {
        let key = Key {
            entity: "Category".to_owned(),
            name: "id".to_owned(),
            rust: "i32".to_owned(),
        };
        let relation = parse_relation("Category:nullable,on_delete=SET_NULL").unwrap();
        assert_eq!(
            relation.field(&key, "product").unwrap().render(""),
            "#[ff(belongs_to = Category, on_delete = \"set null\")]\npub category_id: Option<i32>,\n"
        );
        let relation = parse_relation("Category:field=parent_id,inverse=children").unwrap();
        let field = relation.field(&key, "category").unwrap();
        assert_eq!(field.name, "parent_id");
        assert_eq!(
            field.inverse("Category").unwrap(),
            "has_many(children = Category)"
        );
        let relation = parse_relation("Category:unique,inverse=product").unwrap();
        let field = relation.field(&key, "product").unwrap();
        assert_eq!(
            field.inverse("Product").unwrap(),
            "has_one(product = Product)"
        );
        for (spec, needle) in [
            ("Category:on_delete=explode", "unknown on_delete action"),
            ("Category:on_delete=set null", "needs a nullable"),
            ("Category:length=3", "unknown option"),
            (
                "Category:inverse=type",
                "inverse=type: `type` is a Rust keyword",
            ),
            ("Category:inverse=Products", "write `products`"),
        ] {
            let error = parse_relation(spec).unwrap_err();
            assert!(error.contains(needle), "{spec}: {error}");
        }
    }
}
