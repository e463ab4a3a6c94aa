//! The README's main job: the quickstart on an SQLite file.
//!
//! Run it with `cargo run -p quickstart`. It uses `DATABASE_URL` (environment or `.env`) if set,
//! and otherwise `ff-quickstart.db` in the system's temporary directory (`/tmp` on Linux),
//! recreated on every run: wherever it is started from, and wherever the build goes.

fn main() {
    let url = ff_runtime::database_url().unwrap_or_else(|_| {
        let file = std::env::temp_dir().join("ff-quickstart.db");
        format!("sqlite://{}", file.display())
    });
    if let Some(path) = url.strip_prefix("sqlite://") {
        // A fresh store on every run.
        let _ = std::fs::remove_file(path);
    }
    if let Err(error) = quickstart::run(&url) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}
