//! Rules across attributes and fields, each reported with a span and the fix.

use std::collections::{HashMap, HashSet};

use quote::ToTokens;

use super::ast::Container;
use super::attr::{Default, Rule};
use super::ctxt::Ctxt;
use super::types;

/// Runs every check on a parsed entity.
pub fn check(cx: &Ctxt, cont: &Container) {
    check_not_generic(cx, cont);
    check_primary_key(cx, cont);
    check_unique_column_names(cx, cont);
    check_skipped_fields(cx, cont);
    check_type_attributes(cx, cont);
    check_foreign_keys(cx, cont);
    check_defaults(cx, cont);
    check_composites(cx, cont);
    check_index_names(cx, cont);
    check_renames(cx, cont);
    check_insertable(cx, cont);
    check_version(cx, cont);
    check_validation_rules(cx, cont);
    check_generated_names(cx, cont);
    check_column_count(cx, cont);
}

/// Rows are Diesel tuples, which ff builds with up to 32 elements.
const MAX_COLUMNS: usize = 32;

/// At most [`MAX_COLUMNS`] stored fields.
fn check_column_count(cx: &Ctxt, cont: &Container) {
    let columns: Vec<_> = cont.columns().collect();
    if let Some(first_extra) = columns.get(MAX_COLUMNS) {
        cx.error_spanned_by(
            first_extra.ident,
            format!(
                "`{}` has {} stored fields, and an entity holds at most {MAX_COLUMNS}: split the table, \
                 or mark fields that are not stored `#[ff(skip)]`",
                cont.ident,
                columns.len()
            ),
        );
    }
}

/// The schema module generated beside the entity holds `table`, `columns`, `dsl`, `star` and
/// `all_columns`, and its `dsl` module names the table after the module: a column struct
/// cannot take one of those names.
fn check_generated_names(cx: &Ctxt, cont: &Container) {
    let module = cont.module_ident().to_string();
    for field in cont.columns() {
        let name = syn::ext::IdentExt::unraw(field.ident).to_string();
        let taken = ["table", "columns", "dsl", "star", "all_columns"].contains(&name.as_str());
        if taken || name == module {
            cx.error_spanned_by(
                field.ident,
                format!(
                    "the field name `{name}` is taken by the generated schema module `{module}`; \
                     rename the field and keep the column name with `#[ff(column = \"{name}\")]`"
                ),
            );
        }
    }
}

/// Optimistic locking compares and increments one integer column that the application never
/// writes itself.
fn check_version(cx: &Ctxt, cont: &Container) {
    let versions: Vec<_> = cont
        .fields
        .iter()
        .filter_map(|field| field.attrs.version.as_ref().map(|tokens| (field, tokens)))
        .collect();
    for (field, tokens) in &versions {
        if field.attrs.skip.is_some() {
            continue; // reported by check_skipped_fields
        }
        if !types::is_integer(field.ty) {
            cx.error_spanned_by(
                field.ty,
                "a version field is an integer that ff increments on every update: use `i32` or `i64`",
            );
        } else if cont.primary_key().is_some_and(|pk| pk.ident == field.ident) {
            cx.error_spanned_by(tokens, "the primary key cannot be the version field");
        }
    }
    if let Some((field, tokens)) = versions.get(1) {
        cx.error_spanned_by(
            tokens,
            format!(
                "two version fields (`{}` and `{}`): an entity has at most one",
                versions[0].0.ident, field.ident
            ),
        );
    }
}

/// Each rule checks a kind of value: ranges compare numbers, lengths and patterns read text.
/// A pattern that is not a regular expression would only fail when a row is written.
fn check_validation_rules(cx: &Ctxt, cont: &Container) {
    for field in cont.columns() {
        for rule in &field.attrs.rules {
            match &rule.value {
                Rule::Range { min, max } => {
                    if min.is_none() && max.is_none() {
                        cx.error_spanned_by(
                            &rule.tokens,
                            "a range needs `min`, `max` or both: range(min = 0, max = 100)",
                        );
                    }
                    if !types::is_numeric(field.ty) {
                        cx.error_spanned_by(
                            &rule.tokens,
                            "`range` applies to numbers; for text use `length`",
                        );
                    }
                }
                Rule::Length { min, max } => {
                    if min.is_none() && max.is_none() {
                        cx.error_spanned_by(
                            &rule.tokens,
                            "a length needs `min`, `max` or both: length(min = 1, max = 80)",
                        );
                    }
                    if !types::is_string(field.ty) {
                        cx.error_spanned_by(
                            &rule.tokens,
                            "`length` applies to `String` fields; for numbers use `range`",
                        );
                    }
                }
                Rule::Pattern(pattern) => {
                    if !types::is_string(field.ty) {
                        cx.error_spanned_by(&rule.tokens, "`pattern` applies to `String` fields");
                    }
                    if let Err(error) = regex_syntax::Parser::new().parse(&pattern.value()) {
                        cx.error_spanned_by(
                            pattern,
                            format!(
                                "invalid regular expression: {}",
                                error
                                    .to_string()
                                    .lines()
                                    .last()
                                    .unwrap_or("")
                                    .trim_start_matches("error: ")
                            ),
                        );
                    }
                }
            }
        }
    }
}

/// Generated code names the struct as a concrete type in the Diesel schema and in static
/// metadata, which a type parameter cannot be.
fn check_not_generic(cx: &Ctxt, cont: &Container) {
    let generics = &cont.original.generics;
    if !generics.params.is_empty() {
        cx.error_spanned_by(
            generics,
            "an entity cannot be generic: it maps to one table with fixed column types; remove the type parameters",
        );
    }
}

/// Repositories, finders and foreign keys address rows by exactly one key column.
fn check_primary_key(cx: &Ctxt, cont: &Container) {
    let marked: Vec<_> = cont
        .fields
        .iter()
        .filter_map(|field| {
            field
                .attrs
                .primary_key
                .as_ref()
                .map(|tokens| (field, tokens))
        })
        .collect();
    for (field, tokens) in marked.iter().skip(1) {
        cx.error_spanned_by(
            tokens,
            format!(
                "two primary keys (`{}` and `{}`): an entity has exactly one; remove `#[ff(primary_key)]` from one of them and use `#[ff(unique({}, {}))]` for a composite unique key",
                marked[0].0.ident, field.ident, marked[0].0.ident, field.ident
            ),
        );
    }
    match cont.primary_key() {
        None => cx.error_spanned_by(
            cont.ident,
            format!(
                "`{}` has no primary key: add a field `id: i32` (auto-increment) or mark a field `#[ff(primary_key)]`",
                cont.ident
            ),
        ),
        Some(pk) if types::option_inner(pk.ty).is_some() => cx.error_spanned_by(
            pk.ty,
            "a primary key cannot be NULL: use the type without `Option`",
        ),
        Some(_) => {}
    }
}

/// Two fields writing the same column would make every INSERT ambiguous.
fn check_unique_column_names(cx: &Ctxt, cont: &Container) {
    let mut seen: HashMap<String, &syn::Ident> = HashMap::new();
    for field in cont.columns() {
        let name = field.column_name();
        if let Some(first) = seen.get(&name) {
            let at = field
                .attrs
                .column
                .as_ref()
                .map_or_else(|| field.ident.to_token_stream(), |c| c.tokens.clone());
            cx.error_spanned_by(
                at,
                format!(
                    "duplicate column name `{name}` (also used by field `{first}`): give one of them another `#[ff(column = \"...\")]`"
                ),
            );
        } else {
            seen.insert(name, field.ident);
        }
    }
}

/// A skipped field is not a column, so column attributes on it would silently do nothing.
fn check_skipped_fields(cx: &Ctxt, cont: &Container) {
    for field in &cont.fields {
        let Some(skip) = &field.attrs.skip else {
            continue;
        };
        let a = &field.attrs;
        let column_attribute = a.primary_key.is_some()
            || a.column.is_some()
            || a.length.is_some()
            || a.precision.is_some()
            || a.scale.is_some()
            || a.unique.is_some()
            || a.index.is_some()
            || a.default.is_some()
            || a.check.is_some()
            || a.belongs_to.is_some()
            || a.on_delete.is_some()
            || a.on_update.is_some()
            || a.sql_type.is_some()
            || a.renamed_from.is_some()
            || a.version.is_some()
            || !a.rules.is_empty();
        if column_attribute {
            cx.error_spanned_by(
                skip,
                "a `#[ff(skip)]` field is not stored, so it takes no column attributes: remove `skip` or the other attributes",
            );
        }
    }
}

/// `length` makes sense on text only, `precision`/`scale` on decimals only.
fn check_type_attributes(cx: &Ctxt, cont: &Container) {
    for field in cont.columns() {
        if let Some(length) = &field.attrs.length {
            if !types::is_string(field.ty) {
                cx.error_spanned_by(
                    &length.tokens,
                    "`length` applies to `String` fields only; for another SQL type use `#[ff(sql_type = \"...\")]`",
                );
            } else if length.value == 0 {
                cx.error_spanned_by(&length.tokens, "`length` must be at least 1");
            }
        }
        for attribute in [&field.attrs.precision, &field.attrs.scale]
            .into_iter()
            .flatten()
        {
            if !types::is_decimal(field.ty) {
                cx.error_spanned_by(
                    &attribute.tokens,
                    "`precision` and `scale` apply to `BigDecimal` fields only",
                );
            }
        }
        if let (Some(precision), Some(scale)) = (&field.attrs.precision, &field.attrs.scale)
            && scale.value > precision.value
        {
            cx.error_spanned_by(&scale.tokens, "`scale` cannot exceed `precision`");
        }
    }
}

/// Referential actions belong to a foreign key, and SET NULL needs a nullable column.
fn check_foreign_keys(cx: &Ctxt, cont: &Container) {
    for field in cont.columns() {
        let a = &field.attrs;
        for action in [&a.on_delete, &a.on_update].into_iter().flatten() {
            if a.belongs_to.is_none() {
                cx.error_spanned_by(
                    &action.tokens,
                    "`on_delete`/`on_update` need a foreign key: add `#[ff(belongs_to = Parent)]`",
                );
            } else if action.value == "set null" && types::option_inner(field.ty).is_none() {
                cx.error_spanned_by(
                    &action.tokens,
                    "\"set null\" needs a nullable column: make the field an `Option`",
                );
            }
        }
    }
}

/// A default must be a literal the column can hold, or the database rejects the table (or, on
/// SQLite, stores a value the field cannot read back).
fn check_defaults(cx: &Ctxt, cont: &Container) {
    for field in cont.columns() {
        let Some(default) = &field.attrs.default else {
            continue;
        };
        if field.attrs.sql_type.is_some() {
            continue; // the author chose the SQL type, and with it the default's meaning
        }
        let ty = types::last_segment(types::non_null(field.ty));
        let ty = ty.as_deref().unwrap_or("");
        let numeric = matches!(ty, "i16" | "i32" | "i64" | "f32" | "f64" | "BigDecimal");
        let temporal = matches!(ty, "NaiveDate" | "NaiveTime" | "NaiveDateTime" | "DateTime");
        let fits = match &default.value {
            Default::Bool(_) => ty == "bool",
            Default::Int(_) => numeric,
            Default::Float(_) => matches!(ty, "f32" | "f64" | "BigDecimal"),
            Default::Now => temporal,
            // Text suits strings, enums stored as text, and dates written as text.
            Default::Text(_) => !numeric && ty != "bool" && ty != "Vec",
        };
        if !fits {
            cx.error_spanned_by(
                &default.tokens,
                format!("this default does not fit a field of type `{ty}`: give a literal of that type (`now` is for dates and times)"),
            );
        }
    }
}

/// Composite indexes and unique constraints name fields that must exist and be stored.
fn check_composites(cx: &Ctxt, cont: &Container) {
    for composite in cont.attrs.indexes.iter().chain(&cont.attrs.uniques) {
        if composite.fields.is_empty() {
            cx.error_spanned_by(
                &composite.tokens,
                "name at least one field: #[ff(index(category_id, name))]",
            );
        }
        for name in &composite.fields {
            if !cont.columns().any(|field| field.ident == name) {
                cx.error_spanned_by(
                    name,
                    format!("`{name}` is not a stored field of `{}`", cont.ident),
                );
            }
        }
        if let Some(predicate) = &composite.predicate {
            check_predicate(cx, predicate);
        }
    }
}

/// Indexes and unique keys are named after their columns (`ix_<table>_<columns>`,
/// `uq_<table>_<columns>`): two over the same columns would make two objects of one name, which
/// the database refuses when the migration runs (a partial index and a full one included).
fn check_index_names(cx: &Ctxt, cont: &Container) {
    let column_of = |ident: &syn::Ident| {
        cont.columns()
            .find(|field| field.ident == ident)
            .map(|field| field.column_name())
    };
    // (prefix, columns, where it was declared)
    let mut declared = Vec::new();
    for field in cont.columns() {
        let attrs = &field.attrs;
        for (prefix, flag) in [("ix", &attrs.index), ("uq", &attrs.unique)] {
            if let Some(tokens) = flag {
                declared.push((prefix, vec![field.column_name()], tokens));
            }
        }
    }
    for (prefix, list) in [("ix", &cont.attrs.indexes), ("uq", &cont.attrs.uniques)] {
        for composite in list {
            let columns = composite.fields.iter().filter_map(column_of).collect();
            declared.push((prefix, columns, &composite.tokens));
        }
    }
    let mut seen = HashSet::new();
    for (prefix, columns, tokens) in declared {
        let name = format!("{prefix}_{}_{}", cont.table_name(), columns.join("_"));
        if !columns.is_empty() && !seen.insert(name.clone()) {
            cx.error_spanned_by(
                tokens,
                format!(
                    "this makes a second `{name}` over the same columns: keep one of them (an index is partial or not, never both)"
                ),
            );
        }
    }
}

/// The condition of a partial index is pasted into `CREATE INDEX … WHERE`: it must be one
/// SQL condition. Whether it names columns of the table is checked by the database when the
/// migration runs.
fn check_predicate(cx: &Ctxt, predicate: &syn::LitStr) {
    let text = predicate.value();
    if text.trim().is_empty() {
        cx.error_spanned_by(
            predicate,
            "the condition of a partial index is empty: write the rows it covers, e.g. where = \"deleted_at IS NULL\", or remove `where`",
        );
    } else if outside_literals(&text).any(|c| c == ';') {
        cx.error_spanned_by(
            predicate,
            "the condition of a partial index is one SQL condition, without `;`: join conditions with AND",
        );
    } else if text.trim_start().to_ascii_lowercase().starts_with("where ") {
        cx.error_spanned_by(
            predicate,
            "write the condition without the `WHERE` keyword: where = \"deleted_at IS NULL\"",
        );
    }
}

/// The characters of SQL `text` outside its string literals (`'…'`).
fn outside_literals(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut in_literal = false;
    text.chars().filter(move |&c| {
        if c == '\'' {
            in_literal = !in_literal;
        }
        !in_literal && c != '\''
    })
}

/// `renamed_from` names what the table or column was called before, never its current name.
fn check_renames(cx: &Ctxt, cont: &Container) {
    if let Some(old) = &cont.attrs.renamed_from
        && old.value == cont.table_name()
    {
        cx.error_spanned_by(
            &old.tokens,
            format!(
                "`renamed_from` names the table's current name `{}`: write the name it had before, or remove the attribute",
                old.value
            ),
        );
    }
    for field in cont.columns() {
        if let Some(old) = &field.attrs.renamed_from
            && old.value == field.column_name()
        {
            cx.error_spanned_by(
                &old.tokens,
                format!(
                    "`renamed_from` names the column's current name `{}`: write the name it had before, or remove the attribute",
                    old.value
                ),
            );
        }
    }
}

/// A row whose only column is its generated key would need `INSERT … DEFAULT VALUES`, which
/// the generated insert does not write.
fn check_insertable(cx: &Ctxt, cont: &Container) {
    let Some(key) = cont.primary_key() else {
        return;
    };
    let generated = types::is_integer(key.ty) && key.attrs.sql_type.is_none();
    if generated && cont.columns().count() == 1 {
        cx.error_spanned_by(
            cont.ident,
            format!(
                "`{}` has no column besides its generated key `{}`, so there is nothing to insert: add a field",
                cont.ident, key.ident
            ),
        );
    }
}
