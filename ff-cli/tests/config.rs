//! `[database]` of ff.toml and `cargo ff debug:config`, through the real binary: the
//! environment wins over `.env`, which wins over ff.toml; passwords are masked; ff.toml's URL
//! reaches every backend.

use ff_tests::backends::each_backend_database;
use ff_tests::project::{AUTHOR, Run, TestProject, run};

const PASSWORD: &str = "s3crét-pw";

fn project() -> TestProject {
    TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), "unused", AUTHOR)
}

/// Runs `cargo ff <args>` in `project` with `env` and without `DATABASE_URL`.
fn cargo_ff(project: &TestProject, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = project.command(args);
    command.env_remove("DATABASE_URL").envs(env.iter().copied());
    run(&command.output().expect("run cargo-ff"))
}

/// The line of `setting` in `debug:config`'s output.
fn line<'a>(run: &'a Run, setting: &str) -> &'a str {
    run.text
        .lines()
        .find(|line| line.starts_with(setting))
        .unwrap_or_else(|| panic!("no {setting} line in:\n{}", run.text))
}

#[test]
fn debug_config_shows_each_setting_and_its_source_with_the_password_masked() {
    let project = project();
    let ff_toml = project.root().join("ff.toml");
    let env_file = project.root().join(".env");
    project.write(
        "ff.toml",
        "[database]\nurl = \"postgres://bob:${FF_PW}@localhost/ünïcode_shop\"\necho = \"binds\"\npool_size = 8\nstatement_cache = false\n",
    );
    project.write(".env", &format!("FF_PW={PASSWORD}\n"));

    let shown = cargo_ff(&project, &["debug:config"], &[]).ok();
    assert!(!shown.text.contains(PASSWORD), "{}", shown.text);
    let url = line(&shown, "DATABASE_URL");
    assert!(url.contains("postgres://bob:***@localhost/"), "{url}");
    assert!(url.ends_with(&format!("({})", ff_toml.display())), "{url}");
    assert!(line(&shown, "echo").contains("statements with binds"));
    assert!(line(&shown, "pool_size").contains(" 8 "));
    assert!(line(&shown, "connect_timeout").ends_with("(default)"));
    let statement_cache = line(&shown, "statement_cache");
    assert!(statement_cache.contains(" false "), "{statement_cache}");
    assert!(statement_cache.ends_with(&format!("({})", ff_toml.display())));
    // The other spelling prints the same.
    assert_eq!(
        cargo_ff(&project, &["debug", "config"], &[]).ok().text,
        shown.text
    );

    // .env wins over ff.toml, the environment over .env.
    project.write(
        ".env",
        &format!("FF_PW={PASSWORD}\nDATABASE_URL=mysql://root:{PASSWORD}@db/from_dotenv\n"),
    );
    let shown = cargo_ff(&project, &["debug:config"], &[]).ok();
    let url = line(&shown, "DATABASE_URL");
    assert!(url.contains("from_dotenv"), "{url}");
    assert!(url.ends_with(&format!("({})", env_file.display())), "{url}");
    assert!(!shown.text.contains(PASSWORD), "{}", shown.text);
    let env_url = format!("postgres://eve:{PASSWORD}@db/from_env");
    let shown = cargo_ff(&project, &["debug:config"], &[("DATABASE_URL", &env_url)]).ok();
    let url = line(&shown, "DATABASE_URL");
    assert!(
        url.contains("from_env") && url.ends_with("(environment)"),
        "{url}"
    );
    assert!(!shown.text.contains(PASSWORD), "{}", shown.text);

    // Nothing set anywhere: said, not failed.
    std::fs::remove_file(&env_file).unwrap();
    std::fs::remove_file(&ff_toml).unwrap();
    let shown = cargo_ff(&project, &["debug:config"], &[]).ok();
    assert!(line(&shown, "DATABASE_URL").contains("(not set)"));
    assert!(line(&shown, "echo").contains("off") && line(&shown, "echo").ends_with("(default)"));
    let statement_cache = line(&shown, "statement_cache");
    assert!(statement_cache.contains(" true ") && statement_cache.ends_with("(default)"));
}

#[test]
fn bad_settings_are_named_with_their_fix() {
    let project = project();
    project.write(
        "ff.toml",
        "[database]\nurl = \"postgres://u@h/${NO_SUCH_VAR}\"\n",
    );
    cargo_ff(&project, &["debug:config"], &[])
        .expect_code(1)
        .contains("NO_SUCH_VAR is not set");
    cargo_ff(&project, &["database", "current"], &[])
        .expect_code(1)
        .contains("NO_SUCH_VAR is not set");
    let bad = [
        ("echo = \"loud\"", "write true, false or \"binds\""),
        ("pool_size = 0", "pool_size = 0 is out of range"),
        (
            "connect_timeout = -1",
            "connect_timeout = -1 is out of range",
        ),
        ("pool-size = 3", "unknown field `pool-size`"),
        ("statement_cache = \"off\"", "expected a boolean"),
    ];
    for (setting, message) in bad {
        project.write("ff.toml", &format!("[database]\n{setting}\n"));
        cargo_ff(&project, &["debug:config"], &[])
            .expect_code(1)
            .contains(message);
    }
}

#[test]
fn commands_connect_to_the_url_of_ff_toml_on_every_backend() {
    each_backend_database(|database| {
        let project = project();
        project.write("ff.toml", "[database]\nurl = \"${FF_TEST_DB}\"\n");
        cargo_ff(
            &project,
            &["database", "current"],
            &[("FF_TEST_DB", database.url())],
        )
        .ok();
        // A wrong URL fails, so the run above did use ff.toml's.
        cargo_ff(
            &project,
            &["database", "current"],
            &[("FF_TEST_DB", "postgres://nobody@127.0.0.1:1/none")],
        )
        .expect_code(1);
    });
}

#[test]
fn a_relative_sqlite_path_of_ff_toml_lies_beside_it() {
    let project = project();
    project.write("ff.toml", "[database]\nurl = \"sqlite://data/app.db\"\n");
    project.write("src/deeper/.keep", "");
    let mut command = project.command(&["database", "create"]);
    command
        .env_remove("DATABASE_URL")
        .current_dir(project.root().join("src/deeper"));
    run(&command.output().unwrap()).ok();
    assert!(project.root().join("data/app.db").is_file());
}
