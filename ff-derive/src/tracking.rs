//! Code generation for the entity manager: change tracking, partial and versioned updates,
//! batched writes that return rows, validation, lifecycle hooks and reading rows by name.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::entity::{Generator, private};
use crate::internals::attr::Rule;
use crate::internals::types;

impl Generator<'_> {
    /// `__update_row`: every column but the key (and the version, which moves on by one and
    /// guards the UPDATE).
    pub(crate) fn update_row(&self) -> TokenStream {
        let module = &self.module;
        let key = self.key.ident;
        let has_changeset = !self.updatable().is_empty();
        let Some(version) = self.version else {
            if !has_changeset {
                // Only a key: there is nothing to write, the row exists or it does not.
                return quote! {
                    <Self as ::ff_runtime::Entity>::__find_row(conn, &row.#key)
                        .map(|found| usize::from(found.is_some()))
                };
            }
            return quote! {
                ::ff_runtime::with_connection!(conn, |c| {
                    diesel::RunQueryDsl::execute(
                        diesel::update(diesel::QueryDsl::filter(#module::table, diesel::ExpressionMethods::eq(#module::#key, ::ff_runtime::bind(&row.#key)))).set(row),
                        c,
                    )
                })
            };
        };
        let version = version.ident;
        let changes = if has_changeset {
            quote!((row, diesel::ExpressionMethods::eq(#module::#version, ::ff_runtime::bind(row.#version + 1))))
        } else {
            quote!(diesel::ExpressionMethods::eq(#module::#version, ::ff_runtime::bind(row.#version + 1)))
        };
        quote! {
            use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
            ::ff_runtime::with_connection!(conn, |c| {
                diesel::update(
                    #module::table
                        .filter(#module::#key.eq(::ff_runtime::bind(&row.#key)))
                        .filter(#module::#version.eq(::ff_runtime::bind(&row.#version))),
                )
                .set(#changes)
                .execute(c)
            })
        }
    }

    /// The `Entity` methods the entity manager uses.
    pub(crate) fn tracking_methods(&self) -> TokenStream {
        let p = private();
        let module = &self.module;
        let key = self.key.ident;
        let column_count = self.columns.len();
        let updatable = self.updatable();
        let versioned = self.version.is_some();
        let compared = updatable.iter().map(|field| {
            let ident = field.ident;
            quote!(#p::same(&original.#ident, &current.#ident))
        });
        let changes = updatable.iter().map(|field| {
            let ident = field.ident;
            quote! {
                (!#p::same(&original.#ident, &current.#ident))
                    .then(|| diesel::ExpressionMethods::eq(#module::#ident, ::ff_runtime::bind(&current.#ident)))
            }
        });
        let (version_change, version_filter, next_version) = match self.version {
            Some(version) => {
                let version = version.ident;
                (
                    quote!(::core::option::Option::Some(diesel::ExpressionMethods::eq(#module::#version, ::ff_runtime::bind(original.#version + 1))),),
                    quote!(.filter(diesel::ExpressionMethods::eq(#module::#version, ::ff_runtime::bind(&original.#version)))),
                    quote!(self.#version += 1;),
                )
            }
            None => (quote!(), quote!(), quote!()),
        };
        let update_changes = if updatable.is_empty() && !versioned {
            quote!(::core::result::Result::Ok(1))
        } else {
            quote! {
                let changes = (#(#changes,)* #version_change);
                ::ff_runtime::with_connection!(conn, |c| {
                    diesel::update(#module::table.filter(diesel::ExpressionMethods::eq(#module::#key, ::ff_runtime::bind(&original.#key))) #version_filter)
                        .set(changes)
                        .execute(c)
                })
            }
        };
        let insert_returning = self.insert_rows_returning();
        let insert_with_keys = self.insert_rows_with_keys();
        let validation = self.validation();
        let storable = self.columns.iter().enumerate().map(|(index, field)| {
            let ident = field.ident;
            quote!(#p::check_field::<Self, _>(&self.#ident, &columns[#index], backend)?;)
        });
        let has_hooks = self.cont.attrs.lifecycle.is_some();
        quote! {
            const VERSIONED: bool = #versioned;
            const HAS_HOOKS: bool = #has_hooks;

            fn __validation_failures(&self) -> ::std::vec::Vec<#p::FieldFailure> {
                #[allow(unused_mut)]
                let mut failures = ::std::vec::Vec::new();
                #validation
                failures
            }

            fn __check_storable(&self, backend: ::ff_runtime::Backend) -> ::ff_runtime::Result<()> {
                let columns = &<Self as ::ff_runtime::Entity>::META.columns;
                #(#storable)*
                ::core::result::Result::Ok(())
            }

            fn __has_changes(original: &Self, current: &Self) -> bool {
                !(true #(&& #compared)*)
            }

            #[allow(unused_variables, unused_imports)]
            fn __update_changes(
                conn: &mut ::ff_runtime::Connection,
                original: &Self,
                current: &Self,
            ) -> diesel::QueryResult<usize> {
                use diesel::{QueryDsl, RunQueryDsl};
                #update_changes
            }

            fn __next_version(&mut self) {
                #next_version
            }

            fn __insert_rows_returning(
                conn: &mut ::ff_runtime::Connection,
                rows: &[Self],
            ) -> diesel::QueryResult<::std::vec::Vec<Self>> {
                use diesel::{QueryDsl, RunQueryDsl};
                if rows.is_empty() {
                    return ::core::result::Result::Ok(::std::vec::Vec::new());
                }
                let per_statement = #p::rows_per_insert(conn, #column_count);
                #insert_returning
            }

            fn __insert_rows_with_keys(
                conn: &mut ::ff_runtime::Connection,
                rows: &[Self],
            ) -> diesel::QueryResult<usize> {
                #insert_with_keys
            }

            fn __find_keys(
                conn: &mut ::ff_runtime::Connection,
                keys: &[Self::Key],
            ) -> diesel::QueryResult<::std::vec::Vec<Self>> {
                if keys.is_empty() {
                    return ::core::result::Result::Ok(::std::vec::Vec::new());
                }
                <Self as ::ff_runtime::Entity>::__find_rows(
                    conn,
                    #p::key_list(#module::#key, keys.to_vec()),
                    ::ff_runtime::OrderBy::none(),
                    ::core::option::Option::None,
                    ::core::option::Option::None,
                )
            }

            fn __delete_row(
                conn: &mut ::ff_runtime::Connection,
                original: &Self,
            ) -> diesel::QueryResult<usize> {
                use diesel::{QueryDsl, RunQueryDsl};
                ::ff_runtime::with_connection!(conn, |c| {
                    diesel::delete(#module::table.filter(diesel::ExpressionMethods::eq(#module::#key, ::ff_runtime::bind(&original.#key))) #version_filter)
                        .execute(c)
                })
            }

            fn __delete_keys(
                conn: &mut ::ff_runtime::Connection,
                keys: &[Self::Key],
            ) -> diesel::QueryResult<usize> {
                use diesel::{QueryDsl, RunQueryDsl};
                if keys.is_empty() {
                    return ::core::result::Result::Ok(0);
                }
                let keys: ::std::vec::Vec<_> = keys.iter().map(#p::InValue).collect();
                ::ff_runtime::with_connection!(conn, |c| {
                    diesel::delete(#module::table.filter(diesel::ExpressionMethods::eq_any(#module::#key, keys))).execute(c)
                })
            }
        }
    }

    /// Batched INSERT … RETURNING (the generated keys put back in the given order), or on
    /// MySQL an INSERT then a SELECT of the rows it wrote.
    /// Rows written with the keys they carry: for a generated key, every column in a
    /// multi-row INSERT, then the key generator moved past the largest key.
    fn insert_rows_with_keys(&self) -> TokenStream {
        if !self.auto_increment {
            return quote!(<Self as ::ff_runtime::Entity>::__insert_rows(conn, rows));
        }
        let p = private();
        let module = &self.module;
        let column_count = self.columns.len();
        let values = self.columns.iter().map(|field| {
            let ident = field.ident;
            quote!(diesel::ExpressionMethods::eq(#module::#ident, ::ff_runtime::bind(&row.#ident)))
        });
        quote! {
            use diesel::RunQueryDsl;
            if rows.is_empty() {
                return ::core::result::Result::Ok(0);
            }
            let per_statement = #p::rows_per_insert(conn, #column_count);
            let inserted = ::ff_runtime::with_connection!(conn, |c| {
                diesel::Connection::transaction::<_, diesel::result::Error, _>(c, |c| {
                    let mut inserted = 0;
                    for chunk in rows.chunks(per_statement) {
                        let values: ::std::vec::Vec<_> = chunk.iter().map(|row| (#(#values,)*)).collect();
                        inserted += diesel::insert_into(#module::table).values(values).execute(c)?;
                    }
                    ::core::result::Result::Ok(inserted)
                })
            })?;
            #p::advance_key_generator(conn, <Self as ::ff_runtime::Entity>::META)?;
            ::core::result::Result::Ok(inserted)
        }
    }

    fn insert_rows_returning(&self) -> TokenStream {
        let p = private();
        let module = &self.module;
        let key = self.key.ident;
        let key_ty = self.key.ty;
        let table = &self.table;
        let (in_order, mysql_read_back) = if self.auto_increment {
            (
                // Keys are generated in insertion order within one statement.
                quote!(batch.sort_by(|a, b| a.#key.cmp(&b.#key));),
                quote! {
                    let first = diesel::select(#p::last_insert_id()).get_result::<u64>(c)? as #key_ty;
                    let last = first + (chunk.len() as #key_ty - 1);
                    let batch = #module::table
                        .filter(diesel::ExpressionMethods::between(#module::#key, first, last))
                        .order(diesel::ExpressionMethods::asc(#module::#key))
                        .load::<Self>(c)?;
                    if batch.len() != chunk.len() {
                        return ::core::result::Result::Err(#p::unreadable_insert(#table, chunk.len(), batch.len()));
                    }
                },
            )
        } else {
            (
                quote!(let batch = #p::in_order_of(batch, chunk);),
                quote! {
                    let keys: ::std::vec::Vec<_> = chunk.iter().map(|row| #p::InValue(&row.#key)).collect();
                    let batch = #module::table
                        .filter(diesel::ExpressionMethods::eq_any(#module::#key, keys))
                        .load::<Self>(c)?;
                    let batch = #p::in_order_of(batch, chunk);
                },
            )
        };
        quote! {
            ::ff_runtime::with_connection!(
                conn,
                |c| {
                    let mut stored = ::std::vec::Vec::with_capacity(rows.len());
                    for chunk in rows.chunks(per_statement) {
                        #[allow(unused_mut)]
                        let mut batch = diesel::insert_into(#module::table)
                            .values(chunk)
                            .returning(#module::all_columns)
                            .get_results::<Self>(c)?;
                        #in_order
                        stored.extend(batch);
                    }
                    ::core::result::Result::Ok(stored)
                },
                mysql: |c| {
                    let mut stored = ::std::vec::Vec::with_capacity(rows.len());
                    for chunk in rows.chunks(per_statement) {
                        diesel::insert_into(#module::table).values(chunk).execute(c)?;
                        #mysql_read_back
                        stored.extend(batch);
                    }
                    ::core::result::Result::Ok(stored)
                }
            )
        }
    }

    /// One check call per `#[ff(validate(...))]` rule; optional fields are checked when set.
    fn validation(&self) -> TokenStream {
        let p = private();
        let checks = self.columns.iter().flat_map(|field| {
            let ident = field.ident;
            let name = ident.to_string();
            let optional = types::option_inner(field.ty).is_some();
            let p = p.clone();
            field.attrs.rules.iter().map(move |rule| {
                let check = match &rule.value {
                    Rule::Range { min, max } => {
                        let min = optional_expr(min.as_ref());
                        let max = optional_expr(max.as_ref());
                        quote_spanned!(rule.tokens.span()=> #p::checks::range(&mut failures, #name, value, #min, #max);)
                    }
                    Rule::Length { min, max } => {
                        let min = optional_expr(min.as_ref());
                        let max = optional_expr(max.as_ref());
                        quote!(#p::checks::length(&mut failures, #name, value, #min, #max);)
                    }
                    Rule::Pattern(pattern) => quote! {
                        static PATTERN: #p::OnceLock<#p::Regex> = #p::OnceLock::new();
                        #p::checks::pattern(&mut failures, #name, value, #pattern, &PATTERN);
                    },
                };
                if optional {
                    quote!(if let ::core::option::Option::Some(value) = &self.#ident { #check })
                } else {
                    quote!({ let value = &self.#ident; #check })
                }
            })
        });
        // A declared `length` is checked like a rule, so a longer text gets the same
        // validation error on every database (SQLite would store it whole).
        let lengths = self.columns.iter().filter_map(|field| {
            let length = field.attrs.length.as_ref()?.value;
            let ident = field.ident;
            let name = ident.to_string();
            let check = quote!(#p::checks::length(&mut failures, #name, value, ::core::option::Option::None, ::core::option::Option::Some(#length as usize)););
            Some(if types::option_inner(field.ty).is_some() {
                quote!(if let ::core::option::Option::Some(value) = &self.#ident { #check })
            } else {
                quote!({ let value = &self.#ident; #check })
            })
        });
        quote!(#(#checks)* #(#lengths)*)
    }

    /// The default (empty) hooks, unless the struct says `#[ff(lifecycle)]`.
    pub(crate) fn lifecycle_impl(&self) -> TokenStream {
        if self.cont.attrs.lifecycle.is_some() {
            return quote!();
        }
        let ident = self.cont.ident;
        quote! {
            #[automatically_derived]
            impl ::ff_runtime::Lifecycle for #ident {}
        }
    }

    /// `QueryableByName`: raw SQL rows read by column name.
    pub(crate) fn queryable_by_name(&self) -> TokenStream {
        let p = private();
        let ident = self.cont.ident;
        let bounds = self.columns.iter().map(|field| {
            let ty = field.ty;
            let sql_type = types::sql_type(ty, &p);
            quote!(#ty: diesel::deserialize::FromSql<#sql_type, __DB>)
        });
        let fields = self.columns.iter().map(|field| {
            let (ident, ty) = (field.ident, field.ty);
            let sql_type = types::sql_type(ty, &p);
            let column = field.column_name();
            quote!(#ident: diesel::row::NamedRow::get::<#sql_type, #ty>(row, #column)?)
        });
        let skipped = self.skipped_defaults();
        quote! {
            #[automatically_derived]
            impl<__DB: diesel::backend::Backend> diesel::QueryableByName<__DB> for #ident
            where
                #(#bounds,)*
            {
                fn build<'__a>(row: &impl diesel::row::NamedRow<'__a, __DB>) -> diesel::deserialize::Result<Self> {
                    ::core::result::Result::Ok(#ident {
                        #(#fields,)*
                        #(#skipped,)*
                    })
                }
            }
        }
    }
}

fn optional_expr<T: quote::ToTokens>(value: Option<&T>) -> TokenStream {
    match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    }
}
