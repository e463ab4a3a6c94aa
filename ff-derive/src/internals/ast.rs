//! The parsed entity: the struct, its fields and their attributes, keeping the syn input so
//! errors can point at it.

use syn::{Data, DeriveInput, Fields, Ident, Type};

use super::attr;
use super::ctxt::Ctxt;

/// A struct deriving `Entity`.
pub struct Container<'a> {
    pub ident: &'a Ident,
    pub attrs: attr::Container,
    pub fields: Vec<Field<'a>>,
    pub original: &'a DeriveInput,
}

/// A named field of the struct.
pub struct Field<'a> {
    pub ident: &'a Ident,
    pub ty: &'a Type,
    pub attrs: attr::Field,
}

impl<'a> Container<'a> {
    /// Parses the struct; `None` when its shape cannot be an entity (the error is recorded).
    pub fn from_ast(cx: &Ctxt, item: &'a DeriveInput) -> Option<Container<'a>> {
        let attrs = attr::Container::from_ast(cx, item);
        let fields = match &item.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => &named.named,
                Fields::Unnamed(_) | Fields::Unit => {
                    cx.error_spanned_by(
                        &item.ident,
                        "an entity needs named fields, one per column: `struct Product { id: i32, name: String }`",
                    );
                    return None;
                }
            },
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "`#[derive(Entity)]` goes on a struct; to store an enum in a column, use `#[derive(DbEnum)]`",
                );
                return None;
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "`#[derive(Entity)]` goes on a struct with named fields, not a union",
                );
                return None;
            }
        };
        let fields = fields
            .iter()
            .map(|field| Field {
                ident: field.ident.as_ref().expect("named field"),
                ty: &field.ty,
                attrs: attr::Field::from_ast(cx, field),
            })
            .collect();
        Some(Container {
            ident: &item.ident,
            attrs,
            fields,
            original: item,
        })
    }

    /// The table name: `#[ff(table = "…")]`, or the struct name in snake_case.
    pub fn table_name(&self) -> String {
        match &self.attrs.table {
            Some(table) => table.value.clone(),
            None => snake_case(&self.ident.to_string()),
        }
    }

    /// The name of the generated schema module: the struct name in snake_case.
    pub fn module_ident(&self) -> Ident {
        Ident::new(&snake_case(&self.ident.to_string()), self.ident.span())
    }

    /// The fields stored as columns.
    pub fn columns(&self) -> impl Iterator<Item = &Field<'a>> {
        self.fields
            .iter()
            .filter(|field| field.attrs.skip.is_none())
    }

    /// The primary key field: marked `#[ff(primary_key)]`, or else the field named `id`.
    pub fn primary_key(&self) -> Option<&Field<'a>> {
        self.columns()
            .find(|field| field.attrs.primary_key.is_some())
            .or_else(|| self.columns().find(|field| field.ident == "id"))
    }
}

impl Field<'_> {
    /// The column name: `#[ff(column = "…")]`, or the field name.
    pub fn column_name(&self) -> String {
        match &self.attrs.column {
            Some(column) => column.value.clone(),
            None => syn::ext::IdentExt::unraw(self.ident).to_string(),
        }
    }
}

/// `OrderItem` → `order_item`.
pub fn snake_case(name: &str) -> String {
    let mut snake = String::with_capacity(name.len() + 4);
    for (i, ch) in name.char_indices() {
        if ch.is_uppercase() {
            if i > 0 {
                snake.push('_');
            }
            snake.extend(ch.to_lowercase());
        } else {
            snake.push(ch);
        }
    }
    snake
}
