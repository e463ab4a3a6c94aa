//! Code generation for `#[derive(Entity)]`. Consumes only checked input.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, LitStr};

use crate::internals::ast::{Container, Field};
use crate::internals::attr::{Composite, Default};
use crate::internals::{check, ctxt::Ctxt, types};

/// Expands `#[derive(Entity)]`.
pub fn expand_derive_entity(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let Some(cont) = Container::from_ast(&cx, input) else {
        cx.check()?;
        unreachable!("a container that fails to parse records an error");
    };
    check::check(&cx, &cont);
    cx.check()?;
    Ok(Generator::new(&cont).generate())
}

/// Paths of generated code all go through the runtime's private module.
pub(crate) fn private() -> TokenStream {
    quote!(::ff_runtime::__private)
}

pub(crate) struct Generator<'a> {
    pub(crate) cont: &'a Container<'a>,
    pub(crate) module: Ident,
    pub(crate) table: String,
    pub(crate) key: &'a Field<'a>,
    pub(crate) auto_increment: bool,
    pub(crate) columns: Vec<&'a Field<'a>>,
    /// The `#[ff(version)]` field, if any.
    pub(crate) version: Option<&'a Field<'a>>,
}

impl<'a> Generator<'a> {
    fn new(cont: &'a Container<'a>) -> Self {
        let key = cont
            .primary_key()
            .expect("checked: an entity has a primary key");
        Generator {
            cont,
            module: cont.module_ident(),
            table: cont.table_name(),
            key,
            auto_increment: types::is_integer(key.ty) && key.attrs.sql_type.is_none(),
            columns: cont.columns().collect(),
            version: cont.columns().find(|field| field.attrs.version.is_some()),
        }
    }

    /// `field: Default::default()` for each `#[ff(skip)]` field, to complete a struct literal.
    pub(crate) fn skipped_defaults(&self) -> Vec<TokenStream> {
        self.cont
            .fields
            .iter()
            .filter(|field| field.attrs.skip.is_some())
            .map(|field| {
                let ident = field.ident;
                quote!(#ident: ::core::default::Default::default())
            })
            .collect()
    }

    /// The columns an UPDATE may write: all but the key and the version.
    pub(crate) fn updatable(&self) -> Vec<&'a Field<'a>> {
        self.columns
            .iter()
            .copied()
            .filter(|field| field.ident != self.key.ident)
            .filter(|field| self.version.is_none_or(|v| v.ident != field.ident))
            .collect()
    }

    fn generate(&self) -> TokenStream {
        let schema = self.schema_module();
        let checks = self.compile_time_checks();
        let diesel_impls = self.diesel_impls();
        let entity_impl = self.entity_impl();
        let finders = self.finders();
        let schema_dump = self.schema_dump();
        let lifecycle = self.lifecycle_impl();
        let by_name = self.queryable_by_name();
        let relation_impls = self.relation_impls();
        let relation_methods = self.relation_methods();
        quote! {
            #schema
            #[doc(hidden)]
            const _: () = {
                use ::ff_runtime::__private::diesel;
                #checks
                #diesel_impls
                #by_name
                #entity_impl
                #lifecycle
                #relation_impls
            };
            #finders
            #relation_methods
            #schema_dump
        }
    }

    /// A test that hands the entity's table to `cargo ff`, which runs every such test to learn
    /// the project's schema: nothing lists entities by hand, and a deleted entity is gone.
    fn schema_dump(&self) -> TokenStream {
        let ident = &self.cont.ident;
        let test = format_ident!("__ff_schema_dump_{}", self.module);
        quote! {
            #[cfg(test)]
            #[test]
            #[doc(hidden)]
            fn #test() {
                ::ff_runtime::__private::dump_schema(<#ident as ::ff_runtime::Entity>::META);
            }
        }
    }

    /// Checks the compiler makes for the derive: foreign keys point at entities, and every
    /// field type can be stored. Each error points at the offending tokens.
    fn compile_time_checks(&self) -> TokenStream {
        let p = private();
        let field_types = self.columns.iter().map(|field| {
            let ty = field.ty;
            let sql_type = types::sql_type(ty, &p);
            quote_spanned!(ty.span()=> assert_field_type::<#ty, #sql_type>();)
        });
        let parents = self.columns.iter().filter_map(|field| {
            let parent = &field.attrs.belongs_to.as_ref()?.value;
            Some(quote_spanned!(parent.span()=> assert_entity::<#parent>();))
        });
        let relations = self.relation_checks();
        quote! {
            fn assert_field_type<T: ::ff_runtime::FieldType<SqlType = ST>, ST>() {}
            fn assert_entity<T: ::ff_runtime::Entity>() {}
            fn assert_foreign_key<P: ::ff_runtime::Entity, F: #p::ForeignKeyOf<<P as ::ff_runtime::Entity>::Key>>() {}
            fn assert_belongs_to<C: ::ff_runtime::BelongsTo<P>, P: ::ff_runtime::Entity>() {}
            #[allow(dead_code)]
            fn assert_all() {
                #(#field_types)*
                #(#parents)*
                #relations
            }
        }
    }

    /// Queryable, Selectable, Insertable, AsChangeset, Identifiable and HasTable.
    fn diesel_impls(&self) -> TokenStream {
        let p = private();
        let ident = self.cont.ident;
        let module = &self.module;
        let key = self.key.ident;
        let key_ty = self.key.ty;
        let types: Vec<_> = self.columns.iter().map(|field| field.ty).collect();
        let field_idents: Vec<_> = self.columns.iter().map(|field| field.ident).collect();
        let index = (0..self.columns.len()).map(syn::Index::from);
        let skipped = self.skipped_defaults();
        let inserted: Vec<_> = self
            .columns
            .iter()
            .filter(|field| !(self.auto_increment && field.ident == key))
            .collect();
        let insert_types = inserted.iter().map(|field| {
            let (ident, ty) = (field.ident, field.ty);
            quote!(diesel::dsl::Eq<#module::#ident, #p::Bound<#module::#ident, &'ins #ty>>)
        });
        let insert_values = inserted.iter().map(|field| {
            let ident = field.ident;
            quote!(diesel::ExpressionMethods::eq(#module::#ident, ::ff_runtime::bind(&self.#ident)))
        });
        let changed = self.updatable();
        let changeset = (!changed.is_empty()).then(|| {
            let change_types = changed.iter().map(|field| {
                let (ident, ty) = (field.ident, field.ty);
                quote!(diesel::dsl::Eq<#module::#ident, #p::Bound<#module::#ident, &'upd #ty>>)
            });
            let change_values = changed.iter().map(|field| {
                let ident = field.ident;
                quote!(diesel::ExpressionMethods::eq(#module::#ident, ::ff_runtime::bind(&self.#ident)))
            });
            quote! {
                #[automatically_derived]
                impl<'upd> diesel::AsChangeset for &'upd #ident {
                    type Target = #module::table;
                    type Changeset = <(#(#change_types,)*) as diesel::AsChangeset>::Changeset;
                    fn as_changeset(self) -> Self::Changeset {
                        diesel::AsChangeset::as_changeset((#(#change_values,)*))
                    }
                }
            }
        });

        quote! {
            #[automatically_derived]
            impl<__DB, __ST> diesel::Queryable<__ST, __DB> for #ident
            where
                __DB: diesel::backend::Backend,
                (#(#types,)*): diesel::deserialize::FromStaticSqlRow<__ST, __DB>,
            {
                type Row = (#(#types,)*);
                fn build(row: Self::Row) -> diesel::deserialize::Result<Self> {
                    ::core::result::Result::Ok(#ident {
                        #(#field_idents: row.#index,)*
                        #(#skipped,)*
                    })
                }
            }

            #[automatically_derived]
            impl<__DB: diesel::backend::Backend> diesel::Selectable<__DB> for #ident {
                type SelectExpression = (#(#module::#field_idents,)*);
                fn construct_selection() -> Self::SelectExpression {
                    (#(#module::#field_idents,)*)
                }
            }

            #[automatically_derived]
            impl<'ins> diesel::Insertable<#module::table> for &'ins #ident {
                type Values = <(#(#insert_types,)*) as diesel::Insertable<#module::table>>::Values;
                fn values(self) -> Self::Values {
                    diesel::Insertable::values((#(#insert_values,)*))
                }
            }

            #[automatically_derived]
            impl diesel::internal::derives::insertable::UndecoratedInsertRecord<#module::table>
                for #ident
            {
            }

            #changeset

            #[automatically_derived]
            impl diesel::associations::HasTable for #ident {
                type Table = #module::table;
                fn table() -> Self::Table {
                    #module::table
                }
            }

            #[automatically_derived]
            impl<'id> diesel::Identifiable for &'id #ident {
                type Id = &'id #key_ty;
                fn id(self) -> Self::Id {
                    &self.#key
                }
            }
        }
    }

    /// `impl Entity`: metadata, and what the generic row operations need to bind and read
    /// the entity's columns.
    fn entity_impl(&self) -> TokenStream {
        let p = private();
        let ident = self.cont.ident;
        let module = &self.module;
        let key = self.key.ident;
        let key_ty = self.key.ty;
        let table = &self.table;
        let key_column = self.key.column_name();
        let meta = self.metadata();
        let sql_types = self
            .columns
            .iter()
            .map(|field| types::sql_type(field.ty, &p));
        let values = self.columns.iter().enumerate().map(|(index, field)| {
            let ident = field.ident;
            quote!(#index => &self.#ident)
        });
        let version_column = match self
            .columns
            .iter()
            .position(|field| self.version.is_some_and(|v| v.ident == field.ident))
        {
            Some(index) => quote!(::core::option::Option::Some(#index)),
            None => quote!(::core::option::Option::None),
        };
        let tracking = self.tracking_methods();
        let key_is_unset = if self.auto_increment {
            quote!(self.#key == 0)
        } else {
            quote!(false)
        };
        quote! {
            #[automatically_derived]
            impl ::ff_runtime::Entity for #ident {
                type Table = #module::table;
                type Key = #key_ty;
                const TABLE_NAME: &'static str = #table;
                const KEY_COLUMN: &'static str = #key_column;
                const META: &'static #p::schema::TableDef = &#meta;

                fn key(&self) -> &Self::Key {
                    &self.#key
                }

                type SqlRow = (#(#sql_types,)*);
                const VERSION_COLUMN: ::core::option::Option<usize> = #version_column;

                fn __value(&self, column: usize) -> &dyn #p::Value {
                    match column {
                        #(#values,)*
                        _ => ::core::panic!("no column {column} in `{}`", #table),
                    }
                }

                fn __key_list<'a>(keys: ::std::vec::Vec<Self::Key>) -> ::ff_runtime::Criteria<'a, #module::table> {
                    #p::key_list(#module::#key, keys)
                }

                fn __key_is_unset(&self) -> bool {
                    #key_is_unset
                }

                #tracking
            }
        }
    }

    /// The `TableDef` literal.
    fn metadata(&self) -> TokenStream {
        let p = private();
        let table = &self.table;
        let columns = self.columns.iter().map(|field| self.column_def(field));
        let composite = |prefix: &str, composite: &Composite| {
            let columns = self.column_names(&composite.fields);
            named_list(
                &p,
                &format!("{prefix}_{table}_{}", columns.join("_")),
                &columns,
            )
        };
        // A unique partial index is an index: a unique constraint has no WHERE clause.
        let (partial_uniques, uniques): (Vec<&Composite>, Vec<&Composite>) = self
            .cont
            .attrs
            .uniques
            .iter()
            .partition(|unique| unique.predicate.is_some());
        let indexes = self
            .columns
            .iter()
            .filter(|field| field.attrs.index.is_some())
            .map(|field| {
                let column = field.column_name();
                let name_and_columns = named_list(&p, &format!("ix_{table}_{column}"), &[column]);
                index_def(&p, name_and_columns, false, None)
            })
            .chain(self.cont.attrs.indexes.iter().map(|index| {
                index_def(&p, composite("ix", index), false, index.predicate.as_ref())
            }))
            .chain(partial_uniques.into_iter().map(|unique| {
                index_def(&p, composite("uq", unique), true, unique.predicate.as_ref())
            }));
        let uniques = self
            .columns
            .iter()
            .filter(|field| field.attrs.unique.is_some())
            .map(|field| {
                let column = field.column_name();
                named_list(&p, &format!("uq_{table}_{column}"), &[column])
            })
            .chain(uniques.into_iter().map(|unique| composite("uq", unique)))
            .map(
                |(name, columns)| quote!(#p::schema::UniqueDef { name: #name, columns: #columns }),
            );
        let checks = self.columns.iter().filter_map(|field| {
            let check = &field.attrs.check.as_ref()?.value;
            let name = borrowed(&p, &format!("ck_{table}_{}", field.column_name()));
            let expression = borrowed(&p, check);
            Some(quote!(#p::schema::CheckDef { name: #name, expression: #expression }))
        });
        let foreign_keys = self
            .columns
            .iter()
            .filter_map(|field| self.foreign_key(field));
        let name = borrowed(&p, table);
        let renamed_from = renamed_from(&p, &self.cont.attrs.renamed_from);
        quote! {
            #p::schema::TableDef {
                name: #name,
                columns: #p::Cow::Borrowed(&[#(#columns),*]),
                indexes: #p::Cow::Borrowed(&[#(#indexes),*]),
                uniques: #p::Cow::Borrowed(&[#(#uniques),*]),
                checks: #p::Cow::Borrowed(&[#(#checks),*]),
                foreign_keys: #p::Cow::Borrowed(&[#(#foreign_keys),*]),
                renamed_from: #renamed_from,
            }
        }
    }

    fn column_def(&self, field: &Field) -> TokenStream {
        let p = private();
        let ty = field.ty;
        let name = borrowed(&p, &field.column_name());
        let mut sql_type = quote!(<#ty as ::ff_runtime::FieldType>::COLUMN_TYPE);
        if let Some(length) = &field.attrs.length {
            let length = length.value;
            sql_type = quote!(#sql_type.with_length(#length));
        }
        if field.attrs.precision.is_some() || field.attrs.scale.is_some() {
            let precision = field.attrs.precision.as_ref().map_or(20, |p| p.value);
            let scale = field
                .attrs
                .scale
                .as_ref()
                .map_or(6.min(precision), |s| s.value);
            sql_type = quote!(#sql_type.with_precision(#precision, #scale));
        }
        if let Some(custom) = &field.attrs.sql_type {
            let custom = borrowed(&p, &custom.value);
            sql_type = quote!(#p::schema::ColumnType::Custom(#custom));
        }
        let default = match &field.attrs.default {
            None => quote!(::core::option::Option::None),
            Some(default) => {
                let value = match &default.value {
                    Default::Bool(b) => quote!(Bool(#b)),
                    Default::Int(i) => quote!(Int(#i)),
                    Default::Float(f) => quote!(Float(#f)),
                    Default::Text(s) => {
                        let s = borrowed(&p, s);
                        quote!(Text(#s))
                    }
                    Default::Now => quote!(CurrentTimestamp),
                };
                quote!(::core::option::Option::Some(#p::schema::DefaultValue::#value))
            }
        };
        let primary_key = field.ident == self.key.ident;
        let auto_increment = primary_key && self.auto_increment;
        let renamed_from = renamed_from(&p, &field.attrs.renamed_from);
        quote! {
            #p::schema::ColumnDef {
                name: #name,
                sql_type: #sql_type,
                nullable: <#ty as ::ff_runtime::FieldType>::NULLABLE,
                default: #default,
                primary_key: #primary_key,
                auto_increment: #auto_increment,
                renamed_from: #renamed_from,
            }
        }
    }

    fn foreign_key(&self, field: &Field) -> Option<TokenStream> {
        let p = private();
        let belongs_to = field.attrs.belongs_to.as_ref()?;
        let parent = &belongs_to.value;
        let column = field.column_name();
        let name = borrowed(&p, &format!("fk_{}_{column}", self.table));
        let column = borrowed(&p, &column);
        let action = |attribute: &Option<crate::internals::attr::Spanned<String>>| {
            let variant = match attribute.as_ref().map(|a| a.value.as_str()) {
                Some("restrict") => "Restrict",
                Some("cascade") => "Cascade",
                Some("set null") => "SetNull",
                Some("set default") => "SetDefault",
                _ => "NoAction",
            };
            let variant = Ident::new(variant, Span::call_site());
            quote!(#p::schema::ReferentialAction::#variant)
        };
        let on_delete = action(&field.attrs.on_delete);
        let on_update = action(&field.attrs.on_update);
        Some(quote! {
            #p::schema::ForeignKeyDef {
                name: #name,
                columns: #p::Cow::Borrowed(&[#column]),
                referenced_table: #p::Cow::Borrowed(<#parent as ::ff_runtime::Entity>::TABLE_NAME),
                referenced_columns: #p::Cow::Borrowed(&[
                    #p::Cow::Borrowed(<#parent as ::ff_runtime::Entity>::KEY_COLUMN)
                ]),
                on_delete: #on_delete,
                on_update: #on_update,
            }
        })
    }

    fn column_names(&self, fields: &[Ident]) -> Vec<String> {
        fields
            .iter()
            .filter_map(|name| self.columns.iter().find(|field| field.ident == name))
            .map(|field| field.column_name())
            .collect()
    }

    /// `find_by_<field>` for every column, `find_one_by_<field>` for the key and unique ones.
    fn finders(&self) -> TokenStream {
        let ident = self.cont.ident;
        let finders = self.columns.iter().enumerate().map(|(index, field)| {
            let unique = field.ident == self.key.ident || field.attrs.unique.is_some();
            self.finder(index, field, unique)
        });
        quote! {
            #[automatically_derived]
            #[allow(dead_code)]
            impl #ident {
                #(#finders)*
            }
        }
    }

    fn finder(&self, index: usize, field: &Field, unique: bool) -> TokenStream {
        let p = private();
        let name = syn::ext::IdentExt::unraw(field.ident);
        let (argument, points_at_value) = types::finder_argument(types::non_null(field.ty));
        // How the finder finds the value to bind in its argument, once the argument is owned
        // by the query (which may be a future).
        let (argument, project) = match (types::option_inner(field.ty).is_some(), points_at_value) {
            (false, false) => (
                argument,
                quote!(|value| ::core::option::Option::Some(value as &dyn #p::Value)),
            ),
            (false, true) => (
                argument,
                quote!(|value| ::core::option::Option::Some(*value as &dyn #p::Value)),
            ),
            (true, false) => (
                quote!(::core::option::Option<#argument>),
                quote!(|value| value.as_ref().map(|value| value as &dyn #p::Value)),
            ),
            (true, true) => (
                quote!(::core::option::Option<#argument>),
                quote!(|value| value.map(|value| value as &dyn #p::Value)),
            ),
        };
        let vis = &self.cont.original.vis;
        let many = format_ident!("find_by_{}", name);
        let many_doc = LitStr::new(
            &format!("The rows whose `{}` equals `value`.", field.column_name()),
            Span::call_site(),
        );
        let find_many = quote! {
            #[doc = #many_doc]
            #vis fn #many<'q, C: ::ff_runtime::Session>(
                conn: &'q mut C,
                value: #argument,
            ) -> C::Answer<'q, ::std::vec::Vec<Self>> {
                #p::find_equal::<Self, #index, C, _>(conn, value, #project)
            }
        };
        if !unique {
            return find_many;
        }
        let one = format_ident!("find_one_by_{}", name);
        let one_doc = LitStr::new(
            &format!(
                "The row whose `{}` equals `value`, if any.",
                field.column_name()
            ),
            Span::call_site(),
        );
        quote! {
            #find_many

            #[doc = #one_doc]
            #vis fn #one<'q, C: ::ff_runtime::Session>(
                conn: &'q mut C,
                value: #argument,
            ) -> C::Answer<'q, ::core::option::Option<Self>> {
                #p::find_one_equal::<Self, #index, C, _>(conn, value, #project)
            }
        }
    }
}

/// A `Cow::Borrowed` string literal.
fn borrowed(p: &TokenStream, value: &str) -> TokenStream {
    quote!(#p::Cow::Borrowed(#value))
}

/// A name and a borrowed list of column names.
fn named_list(p: &TokenStream, name: &str, columns: &[String]) -> (TokenStream, TokenStream) {
    let name = borrowed(p, name);
    let columns = columns.iter().map(|column| borrowed(p, column));
    (name, quote!(#p::Cow::Borrowed(&[#(#columns),*])))
}

/// An `IndexDef` literal: unique for a unique partial index, with the condition of a partial
/// index.
fn index_def(
    p: &TokenStream,
    (name, columns): (TokenStream, TokenStream),
    unique: bool,
    predicate: Option<&LitStr>,
) -> TokenStream {
    let predicate = match predicate {
        Some(predicate) => {
            let predicate = borrowed(p, &predicate.value());
            quote!(::core::option::Option::Some(#predicate))
        }
        None => quote!(::core::option::Option::None),
    };
    quote! {
        #p::schema::IndexDef { name: #name, columns: #columns, unique: #unique, predicate: #predicate }
    }
}

/// `Some("old_name")` for a `renamed_from` attribute, else `None`.
fn renamed_from(
    p: &TokenStream,
    attr: &Option<crate::internals::attr::Spanned<String>>,
) -> TokenStream {
    match attr {
        Some(old) => {
            let old = borrowed(p, &old.value);
            quote!(::core::option::Option::Some(#old))
        }
        None => quote!(::core::option::Option::None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compares the pretty-printed expansion of `input` with `snapshots/<name>.rs`;
    /// `UPDATE_SNAPSHOTS=1` rewrites the snapshot instead.
    fn assert_expansion(name: &str, input: syn::DeriveInput) {
        let tokens = expand_derive_entity(&input).expect("a valid entity");
        let file: syn::File = syn::parse2(tokens).expect("the expansion parses as items");
        let expanded = prettyplease::unparse(&file);
        let path = format!("{}/snapshots/{name}.rs", env!("CARGO_MANIFEST_DIR"));
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, &expanded).expect("write the snapshot");
        }
        let stored = std::fs::read_to_string(&path).expect("read the snapshot");
        assert!(
            stored == expanded,
            "the expansion of {name} changed; review it and run with UPDATE_SNAPSHOTS=1"
        );
    }

    #[test]
    fn a_product_expands_to_schema_metadata_operations_and_finders() {
        assert_expansion(
            "product",
            syn::parse_quote! {
                #[ff(table = "products", index(category_id, price))]
                pub struct Product {
                    pub id: i32,
                    #[ff(length = 255, unique)]
                    pub name: String,
                    pub description: Option<String>,
                    #[ff(check = "price > 0", default = 1.5)]
                    pub price: f64,
                    #[ff(belongs_to = Category, on_delete = "set null")]
                    pub category_id: Option<i32>,
                    #[ff(skip)]
                    pub cached: bool,
                }
            },
        );
    }

    /// The `TableDef` of `input`, pretty-printed, or the errors of the derive.
    fn metadata_of(input: syn::DeriveInput) -> Result<String, String> {
        let tokens = expand_derive_entity(&input).map_err(|error| {
            error
                .into_iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        })?;
        let file: syn::File = syn::parse2(tokens).expect("the expansion parses as items");
        Ok(prettyplease::unparse(&file))
    }

    #[test]
    fn a_where_makes_an_index_partial_and_a_unique_one_a_unique_partial_index() {
        let expanded = metadata_of(syn::parse_quote! {
            #[ff(index(active, where = "active"), unique(email, where = "deleted_at IS NULL"))]
            pub struct Account {
                pub id: i32,
                pub email: String,
                pub active: bool,
                pub deleted_at: Option<i64>,
            }
        })
        .unwrap();
        // Without spaces and trailing commas, which depend on line lengths.
        let squeeze = |text: &str| {
            text.split_whitespace()
                .collect::<String>()
                .replace(",)", ")")
        };
        let squeezed = squeeze(&expanded);
        for def in [
            r#"name:::ff_runtime::__private::Cow::Borrowed("ix_account_active"),columns:::ff_runtime::__private::Cow::Borrowed(&[::ff_runtime::__private::Cow::Borrowed("active")]),unique:false,predicate:::core::option::Option::Some(::ff_runtime::__private::Cow::Borrowed("active"),),"#,
            r#"name:::ff_runtime::__private::Cow::Borrowed("uq_account_email"),columns:::ff_runtime::__private::Cow::Borrowed(&[::ff_runtime::__private::Cow::Borrowed("email")]),unique:true,predicate:::core::option::Option::Some(::ff_runtime::__private::Cow::Borrowed("deleted_at IS NULL"),),"#,
        ] {
            assert!(squeezed.contains(&squeeze(def)), "{def} not in {expanded}");
        }
        // A unique partial index is not also a unique constraint.
        assert!(squeezed.contains("uniques:::ff_runtime::__private::Cow::Borrowed(&[]),"));
    }

    #[test]
    fn a_where_that_is_empty_holds_a_semicolon_or_comes_first_is_an_error() {
        let cases = [
            (
                syn::parse_quote! {
                    #[ff(index(active, where = " "))]
                    pub struct A { pub id: i32, pub active: bool }
                },
                "the condition of a partial index is empty",
            ),
            (
                syn::parse_quote! {
                    #[ff(unique(active, where = "active; DROP TABLE a"))]
                    pub struct A { pub id: i32, pub active: bool }
                },
                "without `;`",
            ),
            (
                syn::parse_quote! {
                    #[ff(index(where = "active", active))]
                    pub struct A { pub id: i32, pub active: bool }
                },
                "`where` comes after the fields",
            ),
            (
                syn::parse_quote! {
                    #[ff(index(active, where = "WHERE active"))]
                    pub struct A { pub id: i32, pub active: bool }
                },
                "without the `WHERE` keyword",
            ),
        ];
        for (input, message) in cases {
            let error = metadata_of(input).unwrap_err();
            assert!(error.contains(message), "{error}");
        }
        // A `;` inside a string literal is part of a value.
        metadata_of(syn::parse_quote! {
            #[ff(index(note, where = "note <> ';'"))]
            pub struct A { pub id: i32, pub note: String }
        })
        .unwrap();
    }
}
