//! Passwords never appear in what `cargo ff` prints, whatever they contain. The real binary runs
//! `database status`, `create` and `upgrade` with `DATABASE_URL` carrying nasty passwords, against
//! PostgreSQL (trust authentication accepts any password, so the commands succeed and the URL
//! must have been read right), MySQL/MariaDB (root has an empty password, so any other one fails
//! and the error path runs) and a server that is not there. One throwaway project serves every
//! run.

use ff_runtime::{Backend, database};
use ff_tests::backends::each_backend_database;
use ff_tests::project::{Run, TestProject, run};

/// The commands that read the URL, print it or report a failed connection.
const COMMANDS: &[&[&str]] = &[
    &["database", "status"],
    &["database", "create"],
    &["database", "upgrade"],
];

/// Passwords as typed in a URL, with the password each stands for.
const NASTY_PASSWORDS: &[(&str, &str)] = &[
    ("p/ss", "p/ss"),
    ("p?ss", "p?ss"),
    ("p#ss", "p#ss"),
    ("p@ss", "p@ss"),
    ("p:ss", "p:ss"),
    ("p%40ss", "p@ss"),
    ("%2F%3F%23", "/?#"),
    ("pässwörd", "pässwörd"),
];

/// A password of the catalogue in a URL, and what must not be printed when it is used.
struct Case {
    url: String,
    password: String,
    forbidden: Vec<String>,
}

/// `url` (`scheme://user@host…`) with each password of the catalogue, plus the user name, the
/// host name and an empty password as passwords.
fn cases(url: &str) -> Vec<Case> {
    let (scheme, rest) = url.split_once("://").expect("a server URL");
    let (user_info, location) = rest
        .rsplit_once('@')
        .expect("the test server URL names a user");
    let user = user_info.split(':').next().unwrap_or(user_info);
    let host = location.split([':', '/']).next().unwrap_or(location);
    let case = |typed: &str, forbidden: Vec<String>| Case {
        url: format!("{scheme}://{user}:{typed}@{location}"),
        password: typed.to_owned(),
        forbidden,
    };
    let mut cases: Vec<Case> = NASTY_PASSWORDS
        .iter()
        .map(|&(typed, meant)| {
            case(
                typed,
                vec![typed.to_owned(), meant.to_owned(), percent_encoded(meant)],
            )
        })
        .collect();
    // Equal to a name that is shown: only the pair user:password must never be printed.
    for name in [user, host] {
        cases.push(case(name, vec![format!(":{name}@")]));
    }
    cases.push(case("", Vec::new()));
    cases
}

/// `text` with everything but unreserved characters percent-encoded.
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Runs `cargo ff <args>` in the project with `DATABASE_URL` set to the case's URL.
fn run_with(project: &TestProject, case: &Case, args: &[&str]) -> Run {
    let output = project
        .command(args)
        .env("DATABASE_URL", &case.url)
        .output()
        .expect("run cargo-ff");
    let outcome = run(&output);
    for form in &case.forbidden {
        assert!(
            !outcome.text.contains(form.as_str()),
            "`cargo ff {}` printed the password {:?} as {form:?}:\n{}",
            args.join(" "),
            case.password,
            outcome.text
        );
    }
    outcome
}

/// Drops a database the test created, even when the test fails.
struct DropOnExit(String);

impl Drop for DropOnExit {
    fn drop(&mut self) {
        let _ = database::drop_database(&self.0);
    }
}

#[test]
fn passwords_never_appear_in_what_database_commands_print() {
    let project = TestProject::new(env!("CARGO_BIN_EXE_cargo-ff"), "sqlite://unused.db", "");

    each_backend_database(|test_database| {
        let backend = test_database.backend();
        if backend == Backend::Sqlite {
            return; // SQLite URLs hold no password
        }
        // `create` makes this one; status and upgrade use the test's own database.
        let created = format!("{}_pw", test_database.url());
        let _cleanup = DropOnExit(created.clone());
        let created_cases = cases(&created);
        for (case, create_case) in cases(test_database.url()).iter().zip(&created_cases) {
            // PostgreSQL trusts any password; MySQL's root has none.
            let accepted = backend == Backend::Postgres || case.password.is_empty();
            for &command in COMMANDS {
                let target = if command == ["database", "create"] {
                    create_case
                } else {
                    case
                };
                let outcome = run_with(&project, target, command);
                if !accepted {
                    outcome
                        .expect_code(1)
                        .contains("cannot connect to mysql://root:***@");
                } else if command == ["database", "status"] {
                    // 0, or 4 before the first upgrade: connected either way.
                    assert_ne!(outcome.code, Some(1), "{}\n{}", target.url, outcome.text);
                    outcome.contains("Established");
                } else {
                    outcome.ok();
                }
            }
        }
        assert!(
            database::database_exists(&created).unwrap(),
            "`database create` made {created} with one of the passwords"
        );
    });

    for server in [
        "postgres://postgres@127.0.0.1:1/shop",
        "mysql://root@127.0.0.1:1/shop",
    ] {
        let (scheme, _) = server.split_once("://").expect("a server URL");
        for case in cases(server) {
            for &command in COMMANDS {
                run_with(&project, &case, command)
                    .expect_code(1)
                    .contains(&format!("{scheme}://"))
                    .contains(":***@127.0.0.1:1/");
            }
        }
    }
}
