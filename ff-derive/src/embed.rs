//! `embed_migrations!`: the migrations directory compiled into the binary.

use std::fs;
use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::LitStr;

/// The directory `embed_migrations!()` reads when given none, beside `Cargo.toml`.
const DEFAULT_DIRECTORY: &str = "migrations";

/// An `EmbeddedMigrations` value holding every folder of the directory named by `input` (a
/// path relative to the crate's `Cargo.toml`, `migrations` when empty), each file through
/// `include_str!` so that editing one rebuilds the crate.
pub fn expand_embed_migrations(input: TokenStream) -> syn::Result<TokenStream> {
    let directory = if input.is_empty() {
        LitStr::new(DEFAULT_DIRECTORY, Span::call_site())
    } else {
        syn::parse2::<LitStr>(input)?
    };
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").ok_or_else(|| {
        syn::Error::new(
            directory.span(),
            "embed_migrations! needs CARGO_MANIFEST_DIR: build the crate with cargo",
        )
    })?;
    let root = PathBuf::from(manifest_dir).join(directory.value());
    let folders = read_dir_sorted(&root).map_err(|error| {
        syn::Error::new(
            directory.span(),
            format!(
                "cannot read the migrations directory {}: {error}\nhelp: create migrations with `cargo ff database create-migration`, or name the directory relative to Cargo.toml: embed_migrations!(\"db/migrations\")",
                root.display()
            ),
        )
    })?;
    let mut migrations = Vec::new();
    for folder in folders.into_iter().filter(|path| path.is_dir()) {
        let error = |error: std::io::Error| {
            syn::Error::new(
                directory.span(),
                format!("cannot read {}: {error}", folder.display()),
            )
        };
        let name = utf8_name(&folder, &directory)?;
        let mut files = Vec::new();
        for file in read_dir_sorted(&folder).map_err(error)? {
            let file_name = utf8_name(&file, &directory)?;
            if file.is_file() && (file_name.ends_with(".json") || file_name.ends_with(".sql")) {
                let path = utf8_path(&file, &directory)?;
                files.push(quote!((#file_name, ::core::include_str!(#path))));
            }
        }
        migrations.push(quote! {
            ::ff_runtime::migration::EmbeddedMigration { name: #name, files: &[#(#files),*] }
        });
    }
    Ok(quote! {
        ::ff_runtime::migration::EmbeddedMigrations::new(#directory, &[#(#migrations),*])
    })
}

/// The entries of `directory`, by name.
fn read_dir_sorted(directory: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = fs::read_dir(directory)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    paths.sort();
    Ok(paths)
}

fn utf8_name(path: &Path, directory: &LitStr) -> syn::Result<String> {
    path.file_name()
        .and_then(|name| name.to_str())
        .map(str::to_owned)
        .ok_or_else(|| not_utf8(path, directory))
}

fn utf8_path(path: &Path, directory: &LitStr) -> syn::Result<String> {
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| not_utf8(path, directory))
}

fn not_utf8(path: &Path, directory: &LitStr) -> syn::Error {
    syn::Error::new(
        directory.span(),
        format!("{} is not UTF-8: rename it to embed it", path.display()),
    )
}
