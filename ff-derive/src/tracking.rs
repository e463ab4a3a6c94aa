//! Code generation for the entity manager: change tracking, versions, validation, lifecycle
//! hooks and reading rows by name.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::entity::{Generator, private};
use crate::internals::attr::Rule;
use crate::internals::types;

impl Generator<'_> {
    /// The `Entity` methods the entity manager uses.
    pub(crate) fn tracking_methods(&self) -> TokenStream {
        let p = private();
        let updatable = self.updatable();
        let changed =
            self.columns
                .iter()
                .enumerate()
                .filter_map(|(index, field)| {
                    let ident = field.ident;
                    updatable.iter().any(|u| u.ident == ident).then(
                        || quote!(.with_if(#index, !#p::same(&original.#ident, &current.#ident))),
                    )
                });
        let next_version = match self.version {
            Some(version) => {
                let version = version.ident;
                quote!(self.#version += 1;)
            }
            None => quote!(),
        };
        let validation = self.validation();
        let storable = self.columns.iter().enumerate().map(|(index, field)| {
            let ident = field.ident;
            quote!(#p::check_field::<Self, _>(&self.#ident, &columns[#index], backend)?;)
        });
        let has_hooks = self.cont.attrs.lifecycle.is_some();
        quote! {
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

            #[allow(unused_variables)]
            fn __changed(original: &Self, current: &Self) -> #p::ColumnSet {
                #p::ColumnSet::EMPTY #(#changed)*
            }

            fn __next_version(&mut self) {
                #next_version
            }
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
