//! The README's main job, the quickstart, runs on every backend.

use ff_tests::backends::each_backend_database;

#[test]
fn the_quickstart_runs_end_to_end_on_every_backend() {
    each_backend_database(|database| {
        let report = quickstart::run(database.url()).unwrap();
        let expected_tail = [
            "✓ Inserted 4 products",
            "Under 50, cheapest first:",
            "  Bedside lamp     19.00  LMP-004",
            "  Reading lamp     24.50  LMP-003",
            "  Desk lamp        39.90  LMP-001",
            "✓ 4 products in `Lamps`",
            "find_one_by_sku(\"LMP-001\") → Some((\"Desk lamp\", Some(\"Adjustable arm, warm light\")))",
            "Subcategories of `Lighting`: [\"Lamps\"]",
            "✓ Removed 1 product over 100",
        ];
        assert_eq!(report[2..11], expected_tail, "{report:#?}");
        assert!(report[11].starts_with("Inserting a duplicate SKU fails: unique constraint `uq_product_sku` on `product` violated"));
        assert_eq!(
            report[12..],
            [
                "Categories loaded in one query: Bedside lamp → Lamps, Desk lamp → Lamps, Reading lamp → Lamps",
                "`Lighting` has children [\"Lamps\"]",
                "✓ Raised 2 prices by 10% in one flush",
                "Page 1 of 2, most expensive first: [\"Desk lamp\", \"Reading lamp\"]",
                "Stock value: 87.75",
            ],
            "{report:#?}"
        );
    });
}

#[test]
fn the_quickstart_binary_runs_on_sqlite_as_the_readme_says() {
    // From a directory without `target/` (as when CARGO_TARGET_DIR points elsewhere).
    let elsewhere = std::env::temp_dir().join(format!("ff-quickstart-cwd-{}", std::process::id()));
    std::fs::create_dir_all(&elsewhere).unwrap();
    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let status = std::process::Command::new(env!("CARGO"))
        .args(["run", "--quiet", "-p", "quickstart", "--manifest-path"])
        .arg(format!("{workspace}/Cargo.toml"))
        .current_dir(&elsewhere)
        .env("CARGO_TARGET_DIR", target_dir(workspace))
        .env_remove("DATABASE_URL")
        .output()
        .expect("run cargo");
    let _ = std::fs::remove_dir_all(&elsewhere);
    let stdout = String::from_utf8_lossy(&status.stdout);
    assert!(
        status.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let database = std::env::temp_dir().join("ff-quickstart.db");
    assert!(
        stdout.starts_with(&format!("Connected to sqlite://{}", database.display())),
        "{stdout}"
    );
    assert!(stdout.contains("✓ Removed 1 product over 100"), "{stdout}");
}

/// The target dir this test was built in, so that running the quickstart rebuilds nothing.
fn target_dir(workspace: &str) -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(workspace).join("target"))
}
