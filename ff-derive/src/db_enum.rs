//! Code generation for `#[derive(DbEnum)]`: a field-less enum stored as text.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields};

use crate::internals::ast::snake_case;
use crate::internals::attr;
use crate::internals::ctxt::Ctxt;

/// Expands `#[derive(DbEnum)]`.
pub fn expand_derive_db_enum(input: &DeriveInput) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    let Data::Enum(data) = &input.data else {
        cx.error_spanned_by(
            &input.ident,
            "`#[derive(DbEnum)]` goes on an enum whose variants have no fields",
        );
        return cx.check().map(|()| TokenStream::new());
    };
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(&input.generics, "a stored enum cannot be generic");
    }
    let mut variants = Vec::new();
    for variant in &data.variants {
        if !matches!(variant.fields, Fields::Unit) {
            cx.error_spanned_by(
                &variant.fields,
                "a stored enum's variants carry no data: the column holds the variant's name",
            );
        }
        let attrs = attr::Variant::from_ast(&cx, variant);
        let stored = attrs
            .rename
            .map(|rename| rename.value)
            .unwrap_or_else(|| snake_case(&variant.ident.to_string()));
        if variants.iter().any(|(_, other)| *other == stored) {
            cx.error_spanned_by(
                &variant.ident,
                format!(
                    "two variants are stored as \"{stored}\": give one `#[ff(rename = \"...\")]`"
                ),
            );
        }
        variants.push((&variant.ident, stored));
    }
    cx.check()?;

    let ident = &input.ident;
    let name = ident.to_string();
    let idents: Vec<_> = variants.iter().map(|(ident, _)| *ident).collect();
    let stored: Vec<_> = variants.iter().map(|(_, stored)| stored).collect();
    Ok(quote! {
        #[doc(hidden)]
        const _: () = {
            use ::ff_runtime::__private::diesel;
            use diesel::sql_types::Text;

            #[automatically_derived]
            impl ::ff_runtime::FieldType for #ident {
                type SqlType = Text;
                const COLUMN_TYPE: ::ff_runtime::__private::schema::ColumnType =
                    ::ff_runtime::__private::schema::ColumnType::Text;
            }

            #[automatically_derived]
            impl ::ff_runtime::__private::StoredEnum for #ident {
                fn as_stored(&self) -> &'static str {
                    match self {
                        #(#ident::#idents => #stored,)*
                    }
                }
            }

            #[automatically_derived]
            impl<__DB> diesel::serialize::ToSql<Text, __DB> for #ident
            where
                __DB: diesel::backend::Backend,
                str: diesel::serialize::ToSql<Text, __DB>,
            {
                fn to_sql<'b>(
                    &'b self,
                    out: &mut diesel::serialize::Output<'b, '_, __DB>,
                ) -> diesel::serialize::Result {
                    let stored = ::ff_runtime::__private::StoredEnum::as_stored(self);
                    <str as diesel::serialize::ToSql<Text, __DB>>::to_sql(stored, out)
                }
            }

            #[automatically_derived]
            impl<__DB> diesel::deserialize::FromSql<Text, __DB> for #ident
            where
                __DB: diesel::backend::Backend,
                String: diesel::deserialize::FromSql<Text, __DB>,
            {
                fn from_sql(value: __DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                    let stored =
                        <String as diesel::deserialize::FromSql<Text, __DB>>::from_sql(value)?;
                    match stored.as_str() {
                        #(#stored => ::core::result::Result::Ok(#ident::#idents),)*
                        other => ::core::result::Result::Err(::std::format!(
                            "`{}`, which is not a value of `{}` (expected one of: {})",
                            other,
                            #name,
                            [#(#stored),*].join(", ")
                        ).into()),
                    }
                }
            }

            #[automatically_derived]
            impl<__DB, __ST> diesel::deserialize::Queryable<__ST, __DB> for #ident
            where
                __DB: diesel::backend::Backend,
                __ST: diesel::sql_types::SingleValue,
                Self: diesel::deserialize::FromSql<__ST, __DB>,
            {
                type Row = Self;
                fn build(row: Self) -> diesel::deserialize::Result<Self> {
                    ::core::result::Result::Ok(row)
                }
            }

            ::ff_runtime::__private::stored_enum_expressions!(#ident);
        };
    })
}
