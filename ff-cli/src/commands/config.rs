//! `cargo ff debug:config`: the database settings in effect and where each comes from.

use ff_runtime::{Config, DATABASE_URL, DatabaseUrl, Echo, Setting, mask_password};

use super::configured_url;
use crate::output::CommandError;

/// Prints each setting, its value (the URL's password masked) and its source.
pub fn show() -> Result<(), CommandError> {
    let config = Config::load()?;
    let file = config
        .file
        .as_ref()
        .map_or("none".to_owned(), |file| file.display().to_string());
    let env_file = config
        .env_file
        .as_ref()
        .map_or("none".to_owned(), |file| file.display().to_string());
    say!("ff.toml: {file}");
    say!(".env:    {env_file}");
    say!();
    let url = match configured_url(&config)? {
        Some(url) => DatabaseUrl::parse(&url).map_or_else(|_| mask_password(&url), |u| u.masked()),
        None => "(not set)".to_owned(),
    };
    let url_source = config
        .url
        .as_ref()
        .map_or("nowhere".to_owned(), |setting| setting.source.to_string());
    let rows = [
        (DATABASE_URL, url, url_source),
        row("echo", &config.echo, Echo::to_string),
        row("pool_size", &config.pool_size, u32::to_string),
        row("connect_timeout", &config.connect_timeout, |s| {
            format!("{s}s")
        }),
        row("statement_cache", &config.statement_cache, bool::to_string),
    ];
    let width = rows.iter().map(|(_, value, _)| value.chars().count()).max();
    for (name, value, source) in &rows {
        say!(
            "{name:<15}  {value:<width$}  ({source})",
            width = width.unwrap_or(0)
        );
    }
    Ok(())
}

fn row<T>(
    name: &'static str,
    setting: &Setting<T>,
    show: impl Fn(&T) -> String,
) -> (&'static str, String, String) {
    (name, show(&setting.value), setting.source.to_string())
}
