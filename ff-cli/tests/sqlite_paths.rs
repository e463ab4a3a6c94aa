//! Where `cargo ff` puts an SQLite file: a relative path of `DATABASE_URL` lies in the
//! directory of the `.env` file that sets it, or else in the project root, wherever the command
//! is started; SQLAlchemy's `sqlite:///./app.db` (the seeds' form) is relative too; a missing
//! directory is created by `database create` and named by the other commands.

use std::path::Path;

use ff_tests::project::{Run, TestProject, run};

/// `cargo ff <args>` started in `dir` of the project, with `DATABASE_URL` as given (`None`:
/// unset, so that a `.env` file is read).
fn cargo_ff_in(project: &TestProject, dir: &Path, url: Option<&str>, args: &[&str]) -> Run {
    let mut command = project.command(args);
    command.current_dir(dir).env_remove("DATABASE_URL");
    if let Some(url) = url {
        command.env("DATABASE_URL", url);
    }
    run(&command.output().expect("run cargo-ff"))
}

fn project() -> TestProject {
    TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), "sqlite://unused.db", "")
}

#[test]
fn a_relative_path_in_a_dot_env_file_lies_beside_it() {
    let project = project();
    let root = project.root();
    let sub = root.join("src");
    for (url, file) in [
        ("sqlite://data/app.db", "data/app.db"),
        ("sqlite:///./framefox.db", "framefox.db"),
        ("var/ünïcode.db", "var/ünïcode.db"),
    ] {
        project.write(".env", &format!("DATABASE_URL={url}\n"));
        cargo_ff_in(&project, &sub, None, &["database", "create"])
            .ok()
            .contains(&format!(
                "✓ Database created: sqlite://{}",
                root.join(file).display()
            ));
        assert!(root.join(file).is_file(), "{url} is created beside .env");
        assert!(
            !sub.join(file).exists(),
            "{url} is not relative to the working directory"
        );
        cargo_ff_in(&project, &sub, None, &["database", "upgrade"])
            .ok()
            .contains("already up to date");
        cargo_ff_in(&project, root, None, &["database", "current"])
            .ok()
            .contains("Current revision: base");
    }
    assert!(
        !Path::new("/framefox.db").exists(),
        "nothing at the filesystem root"
    );
}

#[test]
fn a_relative_path_in_the_environment_lies_in_the_project_root() {
    let project = project();
    let root = project.root();
    cargo_ff_in(
        &project,
        &root.join("src"),
        Some("sqlite://env.db"),
        &["database", "create"],
    )
    .ok();
    assert!(root.join("env.db").is_file());
    // `--url` is taken as typed: relative to where the command runs.
    let sub = root.join("src");
    cargo_ff_in(
        &project,
        &sub,
        None,
        &["database", "create", "--url", "sqlite://typed.db"],
    )
    .ok();
    assert!(sub.join("typed.db").is_file());
}

#[test]
fn a_missing_directory_is_created_by_create_and_named_by_the_others() {
    let project = project();
    let root = project.root();
    let url = "sqlite://missing/dir/app.db";
    let stamp = cargo_ff_in(&project, root, Some(url), &["database", "stamp", "base"])
        .expect_code(1)
        .contains("does not exist: create it with `cargo ff database create`");
    assert!(!stamp.text.contains("server"), "{}", stamp.text);
    for args in [&["database", "upgrade"][..], &["database", "downgrade"]] {
        let refused = cargo_ff_in(&project, root, Some(url), args)
            .expect_code(1)
            .contains(&format!(
                "the directory {} of the SQLite database",
                root.join("missing/dir").display()
            ))
            .contains("cargo ff database create");
        assert!(!refused.text.contains("server"), "{}", refused.text);
    }
    assert!(!root.join("missing").exists());
    cargo_ff_in(&project, root, Some(url), &["database", "status"])
        .expect_code(4)
        .contains("Missing");
    cargo_ff_in(&project, root, Some(url), &["database", "create"]).ok();
    assert!(root.join("missing/dir/app.db").is_file());
    cargo_ff_in(&project, root, Some(url), &["database", "upgrade"]).ok();
}
