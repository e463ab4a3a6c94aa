//! The README's main job: the quickstart on an SQLite file.
//!
//! Run it with `cargo run -p quickstart`. It uses `DATABASE_URL` (environment or `.env`) if set,
//! and otherwise `sqlite://target/quickstart.db`, recreated on every run.

fn main() {
    let url = ff_runtime::database_url().unwrap_or_else(|_| "sqlite://target/quickstart.db".into());
    if let Some(path) = url.strip_prefix("sqlite://") {
        // A fresh store on every run.
        let _ = std::fs::remove_file(path);
    }
    if let Err(error) = quickstart::run(&url) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}
