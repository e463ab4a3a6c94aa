//! Destructive steps are asked about on a terminal: `n` refuses, `y` runs them. Output into a
//! pipe whose reader went away (`cargo ff database status | head -1`) ends quietly.

use ff_tests::backends::each_backend_database;
use ff_tests::project::{AUTHOR, Run, TestProject, run};

/// `cargo ff database <args> --url <url>` in the project.
fn with_url(project: &TestProject, url: &str, args: &[&str]) -> Run {
    let mut all = vec!["database"];
    all.extend(args);
    all.extend(["--url", url]);
    run(&project.command(&all).output().expect("run cargo-ff"))
}

/// Runs `cargo ff database <args> --url <url>` on a pseudo-terminal (util-linux `script`),
/// typing `answer` at its prompt. Colour is off (`NO_COLOR`), so the text reads as in a pipe.
fn on_terminal(project: &TestProject, url: &str, args: &[&str], answer: &str) -> Run {
    let mut all = vec!["database"];
    all.extend(args);
    all.extend(["--url", url]);
    terminal(project, &all, &[("NO_COLOR", "1")], answer)
}

/// Runs `cargo ff <args>` on a pseudo-terminal with `envs` set, typing `answer`.
fn terminal(project: &TestProject, args: &[&str], envs: &[(&str, &str)], answer: &str) -> Run {
    let line = [env!("CARGO_BIN_EXE_cargo-ff"), "ff"]
        .iter()
        .chain(args)
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = std::process::Command::new("script")
        .envs(project.envs())
        .envs(envs.iter().copied())
        .args(["-qec", &line, "/dev/null"])
        .current_dir(project.root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run script(1) from util-linux");
    let mut stdin = child.stdin.take().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    // A command that asked nothing may have ended already.
    let _ = std::io::Write::write_all(&mut stdin, format!("{answer}\n").as_bytes());
    drop(stdin);
    run(&child.wait_with_output().unwrap())
}

/// A project with one entity, `Author`, and its migration.
fn project_with_authors() -> TestProject {
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), "sqlite://unused.db", AUTHOR);
    project
        .cargo_ff(&["database", "create-migration", "-m", "authors"])
        .ok();
    project
}

#[test]
fn marks_and_errors_are_coloured_on_a_terminal_only() {
    const GREEN_MARK: &str = "\x1b[32m✓\x1b[0m Database created";
    const RED_ERROR: &str = "\x1b[1;31merror:\x1b[0m";
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), "sqlite://unused.db", AUTHOR);
    // Each run creates a database file of its own, so that each prints "✓ Database created".
    let create = |file: &'static str, more: &[&'static str]| {
        [&["database", "create", "--url", file][..], more].concat()
    };
    let plain = |run: Run| {
        let run = run.ok();
        assert!(!run.text.contains('\x1b'), "{:?}", run.text);
        run.contains("✓ Database created");
    };
    let xterm = [("TERM", "xterm")];

    // On a terminal: coloured, unless NO_COLOR, TERM=dumb or --color never says otherwise.
    terminal(&project, &create("sqlite://a.db", &[]), &xterm, "")
        .ok()
        .contains(GREEN_MARK);
    let no_color = [("TERM", "xterm"), ("NO_COLOR", "1")];
    plain(terminal(
        &project,
        &create("sqlite://b.db", &[]),
        &no_color,
        "",
    ));
    let never = create("sqlite://c.db", &["--color", "never"]);
    plain(terminal(&project, &never, &xterm, ""));
    plain(terminal(
        &project,
        &create("sqlite://d.db", &[]),
        &[("TERM", "dumb")],
        "",
    ));
    let status = ["database", "status", "--url", "nope://x"];
    terminal(&project, &status, &xterm, "")
        .expect_code(1)
        .contains(RED_ERROR);

    // Into a pipe: plain, unless --color always.
    plain(run(&project
        .command(&create("sqlite://e.db", &[]))
        .output()
        .unwrap()));
    let always = create("sqlite://f.db", &["--color", "always"]);
    run(&project.command(&always).output().unwrap())
        .ok()
        .contains(GREEN_MARK);
    let piped = run(&project.command(&status).output().unwrap()).expect_code(1);
    assert!(piped.text.starts_with("error: "), "{:?}", piped.text);
}

#[test]
fn destructive_steps_are_asked_about_on_a_terminal() {
    let project = project_with_authors();
    project.write_entities("");
    project
        .cargo_ff(&["database", "create-migration", "-m", "drop authors"])
        .ok()
        .contains("- table author");
    each_backend_database(|database| {
        let url = database.url();
        with_url(&project, url, &["upgrade", "--to", "+1"]).ok();
        on_terminal(&project, url, &["upgrade"], "n")
            .expect_code(3)
            .contains("Run them? [y/N]")
            .contains("refusing to run destructive steps");
        with_url(&project, url, &["status"]).contains("PENDING");
        on_terminal(&project, url, &["upgrade"], "y")
            .ok()
            .contains("Migrations applied successfully.");
    });
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let project = project_with_authors();
    each_backend_database(|database| {
        let url = database.url();
        let with = |command: &'static str| vec!["database", command, "--url", url];
        for all in [
            with("upgrade"),
            with("status"),
            with("current"),
            vec!["database", "history", "--verbose"],
        ] {
            let args = &all;
            let (reader, writer) = std::io::pipe().expect("a pipe");
            drop(reader);
            let output = project
                .command(&all)
                .stdout(writer)
                .stderr(std::process::Stdio::piped())
                .output()
                .expect("run cargo-ff");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        }
        // The work was done although nobody read about it.
        with_url(&project, url, &["status"])
            .ok()
            .contains("CURRENT");
    });
}

#[test]
fn clearing_the_history_and_recording_a_baseline_are_asked_about_on_a_terminal() {
    each_backend_database(|database| {
        let url = database.url();
        let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), url, AUTHOR);
        project
            .cargo_ff(&["database", "create-migration", "-m", "authors"])
            .ok();
        with_url(&project, url, &["upgrade"]).ok();

        on_terminal(&project, url, &["clear-migration"], "n")
            .expect_code(3)
            .contains("the database's record of 1 applied migration(s)? The tables and their data stay. [y/N]");
        with_url(&project, url, &["current"])
            .ok()
            .contains("authors (head)");
        on_terminal(&project, url, &["clear-migration"], "y")
            .ok()
            .contains("✓ Migration history cleared: 1 record(s) forgotten")
            .contains("✓ Migrations cleared");
        with_url(&project, url, &["current"])
            .ok()
            .contains("Current revision: base");

        project
            .cargo_ff(&["database", "create-migration", "-m", "initial"])
            .ok();
        on_terminal(&project, url, &["upgrade"], "n")
            .expect_code(3)
            .contains("Record it as applied without running it? [y/N]")
            .contains("upgrade --baseline");
        on_terminal(&project, url, &["upgrade"], "y")
            .ok()
            .contains("initial recorded as applied (not run: its tables exist)");
        with_url(&project, url, &["current"])
            .ok()
            .contains("initial (head)");
    });
}

#[test]
fn reading_the_entities_shows_what_cargo_compiles_on_a_terminal_and_nothing_once_built() {
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), "sqlite://unused.db", AUTHOR);
    let database = ff_tests::TestDatabase::create(ff_runtime::Backend::Sqlite).unwrap();
    let first = on_terminal(&project, database.url(), &["status"], "");
    assert!(
        first.text.contains("Reading entities: compiling "),
        "the crate being compiled is shown: {}",
        first.text
    );
    let again = on_terminal(&project, database.url(), &["status"], "");
    assert!(
        !again.text.contains("compiling") && !again.text.contains("built in"),
        "nothing extra once built: {}",
        again.text
    );
    // Not on a terminal: only the line saying the entities are read, as before.
    project.write_entities(AUTHOR);
    let piped = with_url(&project, database.url(), &["status"]);
    assert!(!piped.text.contains("compiling"), "{}", piped.text);
}

#[test]
fn copy_shows_a_progress_bar_on_a_terminal_only() {
    let project = project_with_authors();
    each_backend_database(|database| {
        let url = database.url();
        with_url(&project, url, &["upgrade"]).ok();
        database
            .connect()
            .batch_execute("INSERT INTO author (name) VALUES ('Ada'), ('Bob')")
            .unwrap();
        let source = ff_runtime::DatabaseUrl::parse(url).unwrap();
        // A copy next to the source, named for this test, and removed afterwards.
        let on_server = source.with_database("").is_some();
        let (terminal_copy, piped_copy) = if on_server {
            let name = source.database_name().unwrap();
            (format!("{name}_pty"), format!("{name}_pipe"))
        } else {
            (
                "copies/terminal.db".to_owned(),
                "copies/piped.db".to_owned(),
            )
        };
        let copy = |to: &str| ["copy", "--to", to].map(str::to_owned);

        let args: Vec<String> = copy(&terminal_copy).into();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let shown = on_terminal(&project, url, &args, "");
        let args: Vec<String> = copy(&piped_copy).into();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let piped = with_url(&project, url, &args);
        if on_server {
            for name in [&terminal_copy, &piped_copy] {
                let _ = ff_runtime::database::drop_database(&source.with_database(name).unwrap());
            }
        }

        // The bar counts every table: the author's and ff's bookkeeping tables.
        let tables = piped.text.matches("row(s), checked").count();
        shown
            .ok()
            .contains("copying")
            .contains("checking")
            .contains(&format!("{tables}/{tables} tables"))
            .contains("author: 2 row(s), checked");
        let piped = piped.ok().contains("author: 2 row(s), checked");
        assert!(!piped.text.contains("tables"), "{}", piped.text);
    });
}
