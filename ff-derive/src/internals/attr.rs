//! Parsing of `#[ff(...)]` attributes into one typed holder per attribute.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::{Ident, LitInt, LitStr, Token};

use super::ctxt::Ctxt;

/// The attributes a struct may carry, for the "expected one of" message.
pub const CONTAINER_ATTRIBUTES: &[&str] = &[
    "table",
    "index",
    "unique",
    "renamed_from",
    "lifecycle",
    "has_many",
    "has_one",
    "many_to_many",
];

/// The attributes a field may carry, for the "expected one of" message.
pub const FIELD_ATTRIBUTES: &[&str] = &[
    "primary_key",
    "column",
    "length",
    "precision",
    "scale",
    "unique",
    "index",
    "default",
    "check",
    "belongs_to",
    "on_delete",
    "on_update",
    "sql_type",
    "skip",
    "renamed_from",
    "version",
    "validate",
];

/// The rules `#[ff(validate(...))]` accepts.
pub const VALIDATION_RULES: &[&str] = &["range", "length", "pattern"];

/// The attributes an enum variant of `#[derive(DbEnum)]` may carry.
pub const VARIANT_ATTRIBUTES: &[&str] = &["rename"];

/// The referential actions `on_delete`/`on_update` accept.
pub const REFERENTIAL_ACTIONS: &[&str] = &[
    "no action",
    "restrict",
    "cascade",
    "set null",
    "set default",
];

/// One attribute value, remembering where it was written so duplicates are reported.
pub struct Attr<'c, T> {
    cx: &'c Ctxt,
    name: &'static str,
    tokens: TokenStream,
    value: Option<T>,
}

impl<'c, T> Attr<'c, T> {
    fn none(cx: &'c Ctxt, name: &'static str) -> Self {
        Attr {
            cx,
            name,
            tokens: TokenStream::new(),
            value: None,
        }
    }

    fn set<A: ToTokens>(&mut self, obj: A, value: T) {
        let tokens = obj.into_token_stream();
        if self.value.is_some() {
            self.cx
                .error_spanned_by(tokens, format!("duplicate ff attribute `{}`", self.name));
        } else {
            self.tokens = tokens;
            self.value = Some(value);
        }
    }

    fn get(self) -> Option<(T, TokenStream)> {
        self.value.map(|value| (value, self.tokens))
    }
}

/// A flag attribute such as `primary_key`.
struct Flag<'c>(Attr<'c, ()>);

impl<'c> Flag<'c> {
    fn none(cx: &'c Ctxt, name: &'static str) -> Self {
        Flag(Attr::none(cx, name))
    }

    fn set_true<A: ToTokens>(&mut self, obj: A) {
        self.0.set(obj, ());
    }

    fn get(self) -> Option<TokenStream> {
        self.0.get().map(|((), tokens)| tokens)
    }
}

/// A value with the tokens it was written as, so later checks can point at it.
#[derive(Clone)]
pub struct Spanned<T> {
    pub value: T,
    pub tokens: TokenStream,
}

fn spanned<T>(pair: Option<(T, TokenStream)>) -> Option<Spanned<T>> {
    pair.map(|(value, tokens)| Spanned { value, tokens })
}

/// A literal default value.
#[derive(Clone)]
pub enum Default {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Now,
}

/// A composite index or unique constraint: the fields it covers, and for a partial index the
/// SQL condition of the rows it covers.
pub struct Composite {
    pub fields: Vec<Ident>,
    pub predicate: Option<LitStr>,
    pub tokens: TokenStream,
}

/// The kind of a relation declared on the struct.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum RelationKind {
    HasMany,
    HasOne,
    ManyToMany,
}

/// `has_many(products = Product)`, `has_one(profile = Profile)` or
/// `many_to_many(tags = Tag, through = ProductTag)`.
pub struct Relation {
    pub kind: RelationKind,
    pub name: Ident,
    pub target: syn::Path,
    pub through: Option<syn::Path>,
}

/// A validation rule on a field.
pub enum Rule {
    /// `range(min = 0, max = 100)`: bounds as written, either may be absent.
    Range {
        min: Option<Box<syn::Expr>>,
        max: Option<Box<syn::Expr>>,
    },
    /// `length(min = 1, max = 80)`, in characters.
    Length {
        min: Option<usize>,
        max: Option<usize>,
    },
    /// `pattern = "^[a-z]+$"`.
    Pattern(LitStr),
}

/// Attributes of the struct.
pub struct Container {
    pub table: Option<Spanned<String>>,
    pub renamed_from: Option<Spanned<String>>,
    pub indexes: Vec<Composite>,
    pub uniques: Vec<Composite>,
    pub lifecycle: Option<TokenStream>,
    pub relations: Vec<Relation>,
}

impl Container {
    pub fn from_ast(cx: &Ctxt, item: &syn::DeriveInput) -> Self {
        let mut table = Attr::none(cx, "table");
        let mut renamed_from = Attr::none(cx, "renamed_from");
        let mut indexes = Vec::new();
        let mut uniques = Vec::new();
        let mut lifecycle = Flag::none(cx, "lifecycle");
        let mut relations = Vec::new();
        for attr in item.attrs.iter().filter(|attr| attr.path().is_ident("ff")) {
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("table") {
                    // #[ff(table = "product")]
                    let name = string_value(&meta)?;
                    table.set(&meta.path, name.value());
                } else if meta.path.is_ident("renamed_from") {
                    // #[ff(renamed_from = "products")]
                    renamed_from.set(&meta.path, string_value(&meta)?.value());
                } else if meta.path.is_ident("index") {
                    // #[ff(index(name, created_at))], #[ff(index(active, where = "active"))]
                    indexes.push(composite(&meta)?);
                } else if meta.path.is_ident("unique") {
                    // #[ff(unique(category_id, name))],
                    // #[ff(unique(email, where = "deleted_at IS NULL"))]
                    uniques.push(composite(&meta)?);
                } else if meta.path.is_ident("lifecycle") {
                    // #[ff(lifecycle)]
                    lifecycle.set_true(&meta.path);
                } else if meta.path.is_ident("has_many") {
                    // #[ff(has_many(products = Product))]
                    relations.push(relation(&meta, RelationKind::HasMany)?);
                } else if meta.path.is_ident("has_one") {
                    // #[ff(has_one(profile = Profile))]
                    relations.push(relation(&meta, RelationKind::HasOne)?);
                } else if meta.path.is_ident("many_to_many") {
                    // #[ff(many_to_many(tags = Tag, through = ProductTag))]
                    relations.push(relation(&meta, RelationKind::ManyToMany)?);
                } else {
                    return Err(unknown(
                        &meta,
                        CONTAINER_ATTRIBUTES,
                        "#[ff(table = \"products\")]",
                    ));
                }
                Ok(())
            });
            if let Err(error) = parsed {
                cx.syn_error(error);
            }
        }
        Container {
            table: spanned(table.get()),
            renamed_from: spanned(renamed_from.get()),
            indexes,
            uniques,
            lifecycle: lifecycle.get(),
            relations,
        }
    }
}

/// Attributes of a field.
pub struct Field {
    pub primary_key: Option<TokenStream>,
    pub column: Option<Spanned<String>>,
    pub length: Option<Spanned<u32>>,
    pub precision: Option<Spanned<u8>>,
    pub scale: Option<Spanned<u8>>,
    pub unique: Option<TokenStream>,
    pub index: Option<TokenStream>,
    pub default: Option<Spanned<Default>>,
    pub check: Option<Spanned<String>>,
    pub belongs_to: Option<Spanned<syn::Path>>,
    pub on_delete: Option<Spanned<String>>,
    pub on_update: Option<Spanned<String>>,
    pub sql_type: Option<Spanned<String>>,
    pub skip: Option<TokenStream>,
    pub renamed_from: Option<Spanned<String>>,
    pub version: Option<TokenStream>,
    pub rules: Vec<Spanned<Rule>>,
}

impl Field {
    pub fn from_ast(cx: &Ctxt, field: &syn::Field) -> Self {
        let mut primary_key = Flag::none(cx, "primary_key");
        let mut column = Attr::none(cx, "column");
        let mut length = Attr::none(cx, "length");
        let mut precision = Attr::none(cx, "precision");
        let mut scale = Attr::none(cx, "scale");
        let mut unique = Flag::none(cx, "unique");
        let mut index = Flag::none(cx, "index");
        let mut default = Attr::none(cx, "default");
        let mut check = Attr::none(cx, "check");
        let mut belongs_to = Attr::none(cx, "belongs_to");
        let mut on_delete = Attr::none(cx, "on_delete");
        let mut on_update = Attr::none(cx, "on_update");
        let mut sql_type = Attr::none(cx, "sql_type");
        let mut skip = Flag::none(cx, "skip");
        let mut renamed_from = Attr::none(cx, "renamed_from");
        let mut version = Flag::none(cx, "version");
        let mut rules = Vec::new();

        for attr in field.attrs.iter().filter(|attr| attr.path().is_ident("ff")) {
            let parsed = attr.parse_nested_meta(|meta| {
                let path = &meta.path;
                if path.is_ident("primary_key") {
                    // #[ff(primary_key)]
                    primary_key.set_true(path);
                } else if path.is_ident("column") {
                    // #[ff(column = "product_name")]
                    column.set(path, string_value(&meta)?.value());
                } else if path.is_ident("length") {
                    // #[ff(length = 255)]
                    length.set(path, int_value(&meta, "#[ff(length = 255)]")?);
                } else if path.is_ident("precision") {
                    // #[ff(precision = 10)]
                    precision.set(path, int_value(&meta, "#[ff(precision = 10)]")?);
                } else if path.is_ident("scale") {
                    // #[ff(scale = 2)]
                    scale.set(path, int_value(&meta, "#[ff(scale = 2)]")?);
                } else if path.is_ident("unique") {
                    // #[ff(unique)]
                    unique.set_true(path);
                } else if path.is_ident("index") {
                    // #[ff(index)]
                    index.set_true(path);
                } else if path.is_ident("default") {
                    // #[ff(default = 0)], #[ff(default = "draft")], #[ff(default = now)]
                    default.set(path, default_value(&meta)?);
                } else if path.is_ident("check") {
                    // #[ff(check = "price > 0")]
                    check.set(path, string_value(&meta)?.value());
                } else if path.is_ident("belongs_to") {
                    // #[ff(belongs_to = Category)]
                    let target: syn::Path = meta.value()?.parse().map_err(|error| {
                        syn::Error::new(
                            error.span(),
                            "expected an entity type: #[ff(belongs_to = Category)]",
                        )
                    })?;
                    belongs_to.set(path, target);
                } else if path.is_ident("on_delete") {
                    // #[ff(on_delete = "cascade")]
                    on_delete.set(path, action_value(&meta)?);
                } else if path.is_ident("on_update") {
                    // #[ff(on_update = "cascade")]
                    on_update.set(path, action_value(&meta)?);
                } else if path.is_ident("sql_type") {
                    // #[ff(sql_type = "CHAR(3)")]
                    sql_type.set(path, string_value(&meta)?.value());
                } else if path.is_ident("skip") {
                    // #[ff(skip)]
                    skip.set_true(path);
                } else if path.is_ident("renamed_from") {
                    // #[ff(renamed_from = "title")]
                    renamed_from.set(path, string_value(&meta)?.value());
                } else if path.is_ident("version") {
                    // #[ff(version)]
                    version.set_true(path);
                } else if path.is_ident("validate") {
                    // #[ff(validate(range(min = 0, max = 5), length(max = 80), pattern = "^[a-z]+$"))]
                    meta.parse_nested_meta(|rule| {
                        rules.push(validation_rule(&rule)?);
                        Ok(())
                    })?;
                } else {
                    return Err(unknown(
                        &meta,
                        FIELD_ATTRIBUTES,
                        "#[ff(length = 255, unique)]",
                    ));
                }
                Ok(())
            });
            if let Err(error) = parsed {
                cx.syn_error(error);
            }
        }

        Field {
            primary_key: primary_key.get(),
            column: spanned(column.get()),
            length: spanned(length.get()),
            precision: spanned(precision.get()),
            scale: spanned(scale.get()),
            unique: unique.get(),
            index: index.get(),
            default: spanned(default.get()),
            check: spanned(check.get()),
            belongs_to: spanned(belongs_to.get()),
            on_delete: spanned(on_delete.get()),
            on_update: spanned(on_update.get()),
            sql_type: spanned(sql_type.get()),
            skip: skip.get(),
            renamed_from: spanned(renamed_from.get()),
            version: version.get(),
            rules,
        }
    }
}

/// Attributes of an enum variant of `#[derive(DbEnum)]`.
pub struct Variant {
    pub rename: Option<Spanned<String>>,
}

impl Variant {
    pub fn from_ast(cx: &Ctxt, variant: &syn::Variant) -> Self {
        let mut rename = Attr::none(cx, "rename");
        for attr in variant
            .attrs
            .iter()
            .filter(|attr| attr.path().is_ident("ff"))
        {
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    // #[ff(rename = "in_stock")]
                    rename.set(&meta.path, string_value(&meta)?.value());
                    Ok(())
                } else {
                    Err(unknown(
                        &meta,
                        VARIANT_ATTRIBUTES,
                        "#[ff(rename = \"in_stock\")]",
                    ))
                }
            });
            if let Err(error) = parsed {
                cx.syn_error(error);
            }
        }
        Variant {
            rename: spanned(rename.get()),
        }
    }
}

/// "unknown ff attribute `x`, expected one of `a`, `b`" with an example of the right form.
fn unknown(meta: &ParseNestedMeta, allowed: &[&str], example: &str) -> syn::Error {
    let name = meta.path.to_token_stream().to_string().replace(' ', "");
    let expected = allowed
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    meta.error(format!(
        "unknown ff attribute `{name}`, expected one of {expected}\nhelp: for example {example}"
    ))
}

fn string_value(meta: &ParseNestedMeta) -> syn::Result<LitStr> {
    let name = meta.path.to_token_stream().to_string();
    let value = meta.value()?;
    value.parse::<LitStr>().map_err(|error| {
        syn::Error::new(
            error.span(),
            format!("expected a string: #[ff({name} = \"...\")]"),
        )
    })
}

fn int_value<N>(meta: &ParseNestedMeta, example: &str) -> syn::Result<N>
where
    N: std::str::FromStr,
    N::Err: std::fmt::Display,
{
    let value = meta.value()?;
    let literal = value.parse::<LitInt>().map_err(|error| {
        syn::Error::new(error.span(), format!("expected an integer: {example}"))
    })?;
    literal.base10_parse::<N>()
}

fn default_value(meta: &ParseNestedMeta) -> syn::Result<Default> {
    let value = meta.value()?;
    let negative = value.parse::<Option<Token![-]>>()?.is_some();
    let expr: syn::Expr = value.parse()?;
    let wrong = |tokens: &dyn ToTokens| {
        syn::Error::new_spanned(
            tokens.to_token_stream(),
            "expected a literal or `now`: #[ff(default = 0)], #[ff(default = \"draft\")], #[ff(default = true)] or #[ff(default = now)]",
        )
    };
    let syn::Expr::Lit(syn::ExprLit { lit, .. }) = &expr else {
        if let syn::Expr::Path(path) = &expr
            && path.path.is_ident("now")
            && !negative
        {
            return Ok(Default::Now);
        }
        return Err(wrong(&expr));
    };
    let sign = if negative { -1 } else { 1 };
    Ok(match lit {
        syn::Lit::Bool(b) if !negative => Default::Bool(b.value),
        syn::Lit::Int(i) => Default::Int(sign * i.base10_parse::<i64>()?),
        syn::Lit::Float(f) => Default::Float(sign as f64 * f.base10_parse::<f64>()?),
        syn::Lit::Str(s) if !negative => Default::Text(s.value()),
        _ => return Err(wrong(lit)),
    })
}

fn action_value(meta: &ParseNestedMeta) -> syn::Result<String> {
    let literal = string_value(meta)?;
    let action = literal.value().to_lowercase().replace('_', " ");
    if REFERENTIAL_ACTIONS.contains(&action.as_str()) {
        Ok(action)
    } else {
        Err(syn::Error::new(
            literal.span(),
            format!(
                "unknown referential action `{}`, expected one of {}",
                literal.value(),
                REFERENTIAL_ACTIONS
                    .iter()
                    .map(|a| format!("\"{a}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ))
    }
}

/// `index(a, b)` or `unique(a, b)`, optionally ending with `where = "…"`.
fn composite(meta: &ParseNestedMeta) -> syn::Result<Composite> {
    let mut fields = Vec::new();
    let mut predicate: Option<LitStr> = None;
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("where") {
            // where = "deleted_at IS NULL"
            let value = string_value(&inner)?;
            if predicate.is_some() {
                return Err(inner.error("duplicate `where`: write one condition, joined with AND"));
            }
            predicate = Some(value);
            return Ok(());
        }
        let ident =
            inner.path.get_ident().cloned().ok_or_else(|| {
                inner.error("expected a field name: #[ff(index(category_id, name))]")
            })?;
        if predicate.is_some() {
            return Err(inner.error(
                "`where` comes after the fields: #[ff(index(active, where = \"active\"))]",
            ));
        }
        fields.push(ident);
        Ok(())
    })?;
    Ok(Composite {
        fields,
        predicate,
        tokens: meta.path.to_token_stream(),
    })
}

/// `has_many(products = Product)`, `has_one(profile = Profile)`,
/// `many_to_many(tags = Tag, through = ProductTag)`.
fn relation(meta: &ParseNestedMeta, kind: RelationKind) -> syn::Result<Relation> {
    let example = match kind {
        RelationKind::HasMany => "#[ff(has_many(products = Product))]",
        RelationKind::HasOne => "#[ff(has_one(profile = Profile))]",
        RelationKind::ManyToMany => "#[ff(many_to_many(tags = Tag, through = ProductTag))]",
    };
    let mut named: Option<(Ident, syn::Path)> = None;
    let mut through: Option<syn::Path> = None;
    meta.parse_nested_meta(|inner| {
        let ident = inner
            .path
            .get_ident()
            .cloned()
            .ok_or_else(|| inner.error(format!("expected `name = Entity`: {example}")))?;
        let target: syn::Path = inner.value()?.parse().map_err(|error| {
            syn::Error::new(error.span(), format!("expected an entity type: {example}"))
        })?;
        if ident == "through" && kind == RelationKind::ManyToMany {
            through = Some(target);
        } else if named.is_none() {
            named = Some((ident, target));
        } else {
            return Err(inner.error(format!("one relation per attribute: {example}")));
        }
        Ok(())
    })?;
    let Some((name, target)) = named else {
        return Err(meta.error(format!("name the relation and its entity: {example}")));
    };
    if kind == RelationKind::ManyToMany && through.is_none() {
        return Err(meta.error(format!(
            "a many-to-many relation goes through a join entity: {example}"
        )));
    }
    Ok(Relation {
        kind,
        name,
        target,
        through,
    })
}

/// One rule inside `validate(...)`.
fn validation_rule(meta: &ParseNestedMeta) -> syn::Result<Spanned<Rule>> {
    let tokens = meta.path.to_token_stream();
    let rule = if meta.path.is_ident("range") {
        // range(min = 0, max = 100)
        let (mut min, mut max) = (None, None);
        meta.parse_nested_meta(|bound| {
            let value: Box<syn::Expr> = bound.value()?.parse()?;
            if bound.path.is_ident("min") {
                min = Some(value);
            } else if bound.path.is_ident("max") {
                max = Some(value);
            } else {
                return Err(bound.error("expected `min` or `max`: range(min = 0, max = 100)"));
            }
            Ok(())
        })?;
        Rule::Range { min, max }
    } else if meta.path.is_ident("length") {
        // length(min = 1, max = 80)
        let (mut min, mut max) = (None, None);
        meta.parse_nested_meta(|bound| {
            let value = int_value(&bound, "length(min = 1, max = 80)")?;
            if bound.path.is_ident("min") {
                min = Some(value);
            } else if bound.path.is_ident("max") {
                max = Some(value);
            } else {
                return Err(bound.error("expected `min` or `max`: length(min = 1, max = 80)"));
            }
            Ok(())
        })?;
        Rule::Length { min, max }
    } else if meta.path.is_ident("pattern") {
        // pattern = "^[a-z]+$"
        Rule::Pattern(string_value(meta)?)
    } else {
        return Err(unknown(
            meta,
            VALIDATION_RULES,
            "#[ff(validate(range(min = 0, max = 100), length(max = 80), pattern = \"^[a-z]+$\"))]",
        ));
    };
    Ok(Spanned {
        value: rule,
        tokens,
    })
}
