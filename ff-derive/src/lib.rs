//! Macros of ff: `#[derive(Entity)]`, `#[derive(DbEnum)]` and `embed_migrations!`.
//!
//! Use them through `ff_runtime` (the derives also through `ff_runtime::prelude`); the
//! documentation of the attributes is in the ff guide (`docs/entities.md`).

mod db_enum;
mod embed;
mod entity;
mod internals;
mod relations;
mod table;
mod tracking;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Maps a struct to a table: Diesel schema, metadata, repository operations and finders.
#[proc_macro_derive(Entity, attributes(ff))]
pub fn derive_entity(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    entity::expand_derive_entity(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Stores a field-less enum as text: each variant by its snake_case name or `#[ff(rename)]`.
#[proc_macro_derive(DbEnum, attributes(ff))]
pub fn derive_db_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    db_enum::expand_derive_db_enum(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Compiles a migrations directory into the binary: `embed_migrations!()` reads `migrations/`
/// beside the crate's `Cargo.toml`, `embed_migrations!("db/migrations")` another directory
/// relative to it. Use it through `ff_runtime::embed_migrations!`, whose documentation has an
/// example.
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    embed::expand_embed_migrations(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
