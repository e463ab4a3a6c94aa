//! What the derive can tell from a field's Rust type by its spelling.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{GenericArgument, PathArguments, Type};

/// The last path segment's name: `chrono::NaiveDate` → `NaiveDate`.
pub fn last_segment(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(path) if path.qself.is_none() => {
            path.path.segments.last().map(|s| s.ident.to_string())
        }
        _ => None,
    }
}

/// `Option<T>` → `T`.
pub fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    if segment.ident != "Option" {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

/// The type without its `Option`.
pub fn non_null(ty: &Type) -> &Type {
    option_inner(ty).unwrap_or(ty)
}

/// Whether the (non-null) type is `String`.
pub fn is_string(ty: &Type) -> bool {
    last_segment(non_null(ty)).as_deref() == Some("String")
}

/// Whether the (non-null) type is `BigDecimal`.
pub fn is_decimal(ty: &Type) -> bool {
    last_segment(non_null(ty)).as_deref() == Some("BigDecimal")
}

/// Whether the (non-null) type is a number: an integer or float primitive, or `BigDecimal`.
pub fn is_numeric(ty: &Type) -> bool {
    matches!(
        last_segment(non_null(ty)).as_deref(),
        Some("i16" | "i32" | "i64" | "f32" | "f64" | "BigDecimal")
    )
}

/// Whether the type is an integer primitive (an integer primary key auto-increments).
pub fn is_integer(ty: &Type) -> bool {
    matches!(last_segment(ty).as_deref(), Some("i16" | "i32" | "i64"))
}

/// The Diesel SQL type of a column of this Rust type, read from the type's spelling: the
/// numeric and date names Diesel knows (so the generated table gets Diesel's operators), ff's
/// portable types, and text for anything else (enums with `#[derive(DbEnum)]`). A compile-time
/// assertion in the generated code checks it against `FieldType::SqlType`.
pub fn sql_type(ty: &Type, private: &TokenStream) -> TokenStream {
    let (inner, nullable) = match option_inner(ty) {
        Some(inner) => (inner, true),
        None => (ty, false),
    };
    let native = quote!(#private::diesel::sql_types);
    let portable = quote!(::ff_runtime::sql_types);
    let name = match last_segment(inner).as_deref() {
        Some("i16") => quote!(#native::SmallInt),
        Some("i32") => quote!(#native::Integer),
        Some("i64") => quote!(#native::BigInt),
        Some("f32") => quote!(#native::Float),
        Some("f64") => quote!(#native::Double),
        Some("bool") => quote!(#native::Bool),
        Some("Vec") => quote!(#native::Binary),
        Some("NaiveDate") => quote!(#native::Date),
        Some("NaiveTime") => quote!(#native::Time),
        Some("NaiveDateTime") => quote!(#portable::Timestamp),
        Some("DateTime") => quote!(#portable::TimestampUtc),
        Some("Uuid") => quote!(#portable::Uuid),
        Some("Value") => quote!(#portable::Json),
        Some("BigDecimal") => quote!(#portable::Decimal),
        _ => quote!(#native::Text),
    };
    if nullable {
        quote!(#native::Nullable<#name>)
    } else {
        name
    }
}

/// How a finder takes a value of this type: `&str` for `String`, `&[u8]` for bytes, by value
/// for `Copy` types, by reference otherwise; and whether it is that reference to the field's
/// own type (which can be bound as it is, where the others are borrowed first).
pub fn finder_argument(ty: &Type) -> (TokenStream, bool) {
    match last_segment(ty).as_deref() {
        Some("String") => (quote!(&'q str), false),
        Some("Vec") => (quote!(&'q [u8]), false),
        Some(
            "i16" | "i32" | "i64" | "f32" | "f64" | "bool" | "NaiveDate" | "NaiveTime"
            | "NaiveDateTime" | "DateTime" | "Uuid",
        ) => (quote!(#ty), false),
        _ => (quote!(&'q #ty), true),
    }
}
